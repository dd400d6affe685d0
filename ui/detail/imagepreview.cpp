#include "detail/imagepreview.h"

#include <QPainter>

namespace zmqscope {

namespace {
constexpr int Margin = 8;
constexpr int CheckerSize = 8;
} // namespace

ImagePreview::ImagePreview(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

void ImagePreview::setImage(const QImage &image)
{
    m_image = image;
    updateGeometry();
    update();
}

QRect ImagePreview::imageRect() const
{
    if (m_image.isNull())
        return {};
    const QRect area = rect().adjusted(Margin, Margin, -Margin, -Margin);
    QSize size = m_image.size();
    if (size.width() > area.width() || size.height() > area.height())
        size = size.scaled(area.size(), Qt::KeepAspectRatio);
    size = size.expandedTo(QSize(1, 1));
    QRect target(QPoint(0, 0), size);
    target.moveCenter(area.center());
    return target;
}

QSize ImagePreview::sizeHint() const
{
    return m_image.isNull() ? QSize(200, 150)
                            : (m_image.size() + QSize(2 * Margin, 2 * Margin)).boundedTo(QSize(640, 480));
}

QSize ImagePreview::minimumSizeHint() const
{
    return QSize(64, 48);
}

void ImagePreview::paintEvent(QPaintEvent *event)
{
    Q_UNUSED(event)
    if (m_image.isNull())
        return;
    QPainter painter(this);
    const QRect target = imageRect();
    if (m_image.hasAlphaChannel()) {
        const QColor light(0xff, 0xff, 0xff);
        const QColor dark(0xcc, 0xcc, 0xcc);
        painter.save();
        painter.setClipRect(target);
        for (int y = target.top(); y <= target.bottom(); y += CheckerSize) {
            for (int x = target.left(); x <= target.right(); x += CheckerSize) {
                const bool odd = ((x - target.left()) / CheckerSize + (y - target.top()) / CheckerSize) % 2;
                painter.fillRect(QRect(x, y, CheckerSize, CheckerSize), odd ? dark : light);
            }
        }
        painter.restore();
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, target.size() != m_image.size());
    painter.drawImage(target, m_image);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(target.adjusted(-1, -1, 0, 0));
}

} // namespace zmqscope
