#include "inlinemessage.h"

#include <QLabel>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace InlineMessage {

namespace {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

} // namespace

void setError(QLabel *label, bool error)
{
    if (!error) {
        label->setForegroundRole(QPalette::PlaceholderText);
        return;
    }
    QPalette palette = label->parentWidget() ? label->parentWidget()->palette() : label->palette();
    palette.setColor(
        QPalette::WindowText, isDark(palette) ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28));
    label->setPalette(palette);
    label->setForegroundRole(QPalette::WindowText);
}

QLabel *createErrorLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setObjectName(u"errorLabel"_s);
    setError(label, true);
    label->hide();
    return label;
}

QLabel *createHintLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

void show(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

} // namespace InlineMessage
