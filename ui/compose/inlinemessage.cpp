#include "inlinemessage.h"

#include <QDialog>
#include <QLabel>
#include <QLayout>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace InlineMessage {

namespace {

// A QLabel wraps only at break opportunities: a longer run sets its minimum width, and so its dialog's.
constexpr qsizetype MaxUnbrokenRun = 32;
constexpr QChar ZeroWidthSpace(0x200b);

bool isSeparator(QChar c)
{
    return c == u'/' || c == u'\\' || c == u'.' || c == u':' || c == u'_' || c == u'-' || c == u','
        || c == u'=' || c == u'&' || c == u'?' || c == u';' || c == u'@';
}

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

QString breakable(const QString &text)
{
    QString result;
    result.reserve(text.size() + text.size() / 8);
    qsizetype runStart = 0;
    while (runStart < text.size()) {
        qsizetype runEnd = runStart;
        while (runEnd < text.size() && !text.at(runEnd).isSpace())
            ++runEnd;
        const QStringView run = QStringView(text).sliced(runStart, runEnd - runStart);
        if (run.size() <= MaxUnbrokenRun) {
            result += run;
        } else {
            qsizetype sinceBreak = 0;
            for (qsizetype i = 0; i < run.size(); ++i) {
                const QChar c = run.at(i);
                result += c;
                ++sinceBreak;
                // Never between the halves of a surrogate pair.
                const bool pairStart = c.isHighSurrogate() && i + 1 < run.size();
                if (i + 1 < run.size() && !pairStart && (isSeparator(c) || sinceBreak >= MaxUnbrokenRun)) {
                    result += ZeroWidthSpace;
                    sinceBreak = 0;
                }
            }
        }
        // The spaces after the run, as they are.
        qsizetype next = runEnd;
        while (next < text.size() && text.at(next).isSpace())
            ++next;
        result += QStringView(text).sliced(runEnd, next - runEnd);
        runStart = next;
    }
    return result;
}

void show(QLabel *label, const QString &text)
{
    label->setText(breakable(text));
    label->setVisible(!text.isEmpty());
    fitDialog(label);
}

void fitDialog(QWidget *widget)
{
    auto *dialog = qobject_cast<QDialog *>(widget->window());
    if (!dialog || !dialog->isVisible() || !dialog->layout())
        return;
    QLayout *layout = dialog->layout();
    layout->activate();
    // Without wrapped text the minimum size Qt enforces already holds every row.
    if (!layout->hasHeightForWidth())
        return;
    const int needed = layout->totalHeightForWidth(dialog->width());
    if (dialog->height() < needed)
        dialog->resize(dialog->width(), needed);
}

QString text(const QLabel *label)
{
    if (label->isHidden())
        return {};
    QString shown = label->text();
    shown.remove(ZeroWidthSpace);
    return shown;
}

} // namespace InlineMessage
