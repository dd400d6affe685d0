#include "detail/elidedlabel.h"

#include <QEvent>

namespace zmqscope {

ElidedLabel::ElidedLabel(QWidget *parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

void ElidedLabel::setFullText(const QString &text)
{
    m_fullText = text;
    updateElidedText();
    updateGeometry();
}

QSize ElidedLabel::minimumSizeHint() const
{
    return QSize(0, QLabel::minimumSizeHint().height());
}

QSize ElidedLabel::sizeHint() const
{
    const QFontMetrics metrics(font());
    return QSize(metrics.horizontalAdvance(m_fullText) + 2 * margin(), QLabel::sizeHint().height());
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    updateElidedText();
}

void ElidedLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateElidedText();
}

void ElidedLabel::updateElidedText()
{
    // Line breaks in the text would make a second line; a label of one line shows them as spaces.
    QString oneLine = m_fullText;
    oneLine.replace(u'\n', u' ').replace(u'\r', u' ');
    setText(fontMetrics().elidedText(oneLine, Qt::ElideRight, std::max(0, contentsRect().width())));
}

} // namespace zmqscope
