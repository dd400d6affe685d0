#include "detail/imagepage.h"

#include <QAction>
#include <QBuffer>
#include <QClipboard>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <zmqscope/error.h>

#include "detail/imagepreview.h"
#include "detail/messageformat.h"
#include "detail/pooljob.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

// The decode outcome sits next to the image: the struct crosses a QFuture, which needs a
// default-constructible type.
struct ImagePage::Result
{
    QImage image;
    QByteArray format;
    ::zmqscope::Result<void> outcome; ///< InvalidBody naming the image reader's complaint
};

namespace {

QString imageDepthText(const QImage &image)
{
    if (image.format() == QImage::Format_Indexed8 || image.format() == QImage::Format_Mono
        || image.format() == QImage::Format_MonoLSB)
        return ImagePage::tr("%1-bit indexed, %2 colours").arg(image.depth()).arg(image.colorCount());
    if (image.isGrayscale())
        return ImagePage::tr("%1-bit greyscale").arg(image.depth());
    return image.hasAlphaChannel() ? ImagePage::tr("%1-bit colour with alpha").arg(image.depth())
                                   : ImagePage::tr("%1-bit colour").arg(image.depth());
}

} // namespace

// Runs in a worker thread for large bodies: only value types, no widgets.
ImagePage::Result ImagePage::decode(const QByteArray &body)
{
    Result result;
    QByteArray bytes = body;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setDecideFormatFromContent(true);
    result.format = reader.format();
    // QImageReader refuses images beyond its allocation limit (256 MiB by default) instead of trying.
    if (!reader.read(&result.image)) {
        result.outcome = Error(
            ErrorCode::InvalidBody, tr("Cannot decode this body as an image: %1.").arg(reader.errorString()));
        result.image = QImage();
    }
    return result;
}

ImagePage::ImagePage(QWidget *parent)
    : DetailPage(parent)
    , m_whyDisabled(noMessageReason())
{
    auto *layout = detailui::makePageLayout(this);
    m_info = detailui::makeNoteLabel(this);
    m_info->setObjectName(u"imageInfo"_s);
    m_info->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(m_info);

    m_stack = new QStackedWidget(this);
    m_preview = new ImagePreview(m_stack);
    m_preview->setObjectName(u"imagePreview"_s);
    m_preview->setContextMenuPolicy(Qt::CustomContextMenu);
    m_stack->addWidget(m_preview);
    m_stack->addWidget(detailui::makeNoticePage(m_stack, &m_notice, QStyle::SP_MessageBoxWarning));
    m_notice->setObjectName(u"imageMessage"_s);
    layout->addWidget(m_stack, 1);

    auto *copyImage = new QAction(tr("Copy &Image"), this);
    connect(copyImage, &QAction::triggered, this, [this] {
        QGuiApplication::clipboard()->setImage(m_preview->image());
        Q_EMIT reported(tr("Copied the image (%1 × %2 pixels).")
                            .arg(m_preview->image().width())
                            .arg(m_preview->image().height()));
    });
    connect(m_preview, &QWidget::customContextMenuRequested, this, [this, copyImage](const QPoint &pos) {
        copyImage->setEnabled(!m_preview->image().isNull());
        Q_EMIT contextMenuRequested(m_preview, pos, { copyImage });
    });
}

ImagePage::~ImagePage() = default;

void ImagePage::setMessage(const DetailMessage &message)
{
    ++m_generation;
    m_preview->setImage({});
    m_info->clear();
    if (!message.hasBody()) {
        m_whyDisabled = noBodyReason();
        return;
    }
    const auto bytes = message.body();
    if (!MessageFormat::isImageMimetype(message.parsed.envelope->mimetype())
        && MessageFormat::imageFormatFromSignature(bytes).isEmpty()) {
        m_whyDisabled
            = tr("The mimetype is not image/* and the body has no PNG, JPEG, GIF or BMP signature.");
        return;
    }
    m_whyDisabled.clear();
    if (bytes.size() <= ImageWorkerThreshold) {
        apply(decode(bytes), bytes.size());
        return;
    }
    m_notice->setText(tr("Decoding %1 image…")
                          .arg(QLocale().formattedDataSize(bytes.size(), 1, QLocale::DataSizeIecFormat)));
    m_stack->setCurrentIndex(1);
    ++m_pendingJobs;
    auto *watcher = new QFutureWatcher<Result>(this);
    const auto generation = m_generation;
    const auto size = bytes.size();
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, size] {
        watcher->deleteLater();
        --m_pendingJobs;
        if (generation == m_generation)
            apply(watcher->result(), size);
    });
    watcher->setFuture(detailui::runInPool<Result>([bytes] { return decode(bytes); }));
}

void ImagePage::clear()
{
    ++m_generation;
    m_preview->setImage({});
    m_info->clear();
    m_whyDisabled = noMessageReason();
}

void ImagePage::apply(const Result &result, qsizetype bodySize)
{
    const auto size = MessageFormat::byteCount(bodySize);
    if (!result.outcome) {
        m_info->setText(size);
        m_notice->setText(result.outcome.errorMessage() + u'\n' + tr("The Hex tab shows the bytes."));
        m_stack->setCurrentIndex(1);
        return;
    }
    const auto format = result.format.isEmpty() ? tr("Image") : QString::fromLatin1(result.format.toUpper());
    m_info->setText(tr("%1 · %2 × %3 pixels · %4 · %5")
                        .arg(format)
                        .arg(result.image.width())
                        .arg(result.image.height())
                        .arg(imageDepthText(result.image), size));
    m_preview->setImage(result.image);
    m_stack->setCurrentIndex(0);
}

} // namespace zmqscope
