#include "detail/detailpage.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

#include "detail/messageformat.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

QString DetailPage::noMessageReason()
{
    return tr("No message is selected.");
}

QString DetailPage::noBodyReason()
{
    return tr("A raw message has no body: the Frames tab shows each of its frames.");
}

void DetailPage::copyText(const QString &text, const QString &description)
{
    QGuiApplication::clipboard()->setText(text);
    Q_EMIT reported(description);
}

bool DetailPage::checkClipboardSize(qsizetype bytes, const QString &what)
{
    const auto refusal = detailui::clipboardRefusal(bytes, what);
    if (!refusal.isEmpty())
        Q_EMIT reported(refusal);
    return refusal.isEmpty();
}

namespace detailui {

QString clipboardRefusal(qsizetype bytes, const QString &what)
{
    if (bytes <= MessageFormat::ClipboardLimit)
        return {};
    return DetailPage::tr("Nothing copied: %1 is %2; the clipboard limit is %3.")
        .arg(what, QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat),
            QLocale().formattedDataSize(MessageFormat::ClipboardLimit, 0, QLocale::DataSizeIecFormat));
}

QLabel *makeLabel(QWidget *parent, const QString &text)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText); // message bytes are untrusted: never let a label guess rich text
    return label;
}

QLabel *makeNoteLabel(QWidget *parent)
{
    auto *label = makeLabel(parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

QWidget *makeNoticePage(QWidget *parent, QLabel **text, QStyle::StandardPixmap icon)
{
    auto *page = new QWidget(parent);
    page->setBackgroundRole(QPalette::Base);
    page->setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(page);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(10);
    auto *iconLabel = makeLabel(page);
    const int size = page->style()->pixelMetric(QStyle::PM_LargeIconSize);
    iconLabel->setPixmap(page->style()->standardIcon(icon).pixmap(size, size));
    iconLabel->setAlignment(Qt::AlignTop);
    *text = makeLabel(page);
    (*text)->setWordWrap(true);
    (*text)->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    (*text)->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(iconLabel, 0, Qt::AlignTop);
    layout->addWidget(*text, 1);
    return page;
}

QToolButton *makeToolButton(QWidget *parent, const QString &text, const QString &objectName)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setObjectName(objectName);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setAutoRaise(true);
    return button;
}

QHBoxLayout *makeBar()
{
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(6, 4, 6, 4);
    bar->setSpacing(6);
    return bar;
}

QPlainTextEdit *makeReadOnlyTextEdit(QWidget *parent, const QString &objectName)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(objectName);
    edit->setReadOnly(true);
    edit->setUndoRedoEnabled(false);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    edit->setFrameShape(QFrame::NoFrame);
    edit->setContextMenuPolicy(Qt::CustomContextMenu);
    return edit;
}

QVBoxLayout *makePageLayout(QWidget *page)
{
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    return layout;
}

} // namespace detailui

} // namespace zmqscope
