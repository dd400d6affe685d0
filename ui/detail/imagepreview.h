#pragma once

#include <QImage>
#include <QWidget>

namespace zmqscope {

/**
 * Paints one image centred and scaled down to fit (never up), over a
 * checkerboard so that transparent parts are visible.
 */
class ImagePreview : public QWidget
{
    Q_OBJECT

public:
    explicit ImagePreview(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    [[nodiscard]] const QImage &image() const noexcept { return m_image; }
    /// Where the image is drawn inside the widget.
    [[nodiscard]] QRect imageRect() const;

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QImage m_image;
};

} // namespace zmqscope
