#pragma once

#include <QLabel>

namespace zmqscope {

/**
 * A one-line plain-text label that elides its text on the right instead of
 * forcing its parent wider; the full text stays available through fullText().
 */
class ElidedLabel : public QLabel
{
    Q_OBJECT

public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setFullText(const QString &text);
    [[nodiscard]] const QString &fullText() const noexcept { return m_fullText; }

    [[nodiscard]] QSize minimumSizeHint() const override;
    [[nodiscard]] QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateElidedText();

    QString m_fullText;
};

} // namespace zmqscope
