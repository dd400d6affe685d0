#include "detail/textpage.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QVBoxLayout>

#include <zmqscope/textescape.h>

#include "detail/messageformat.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

TextPage::TextPage(QWidget *parent)
    : DetailPage(parent)
    , m_whyDisabled(noMessageReason())
{
    auto *layout = detailui::makePageLayout(this);
    auto *bar = detailui::makeBar();
    m_note = detailui::makeNoteLabel(this);
    m_note->setObjectName(u"textNote"_s);
    m_wrapLines = new QCheckBox(tr("Wrap lines"), this);
    m_wrapLines->setObjectName(u"wrapLines"_s);
    m_wrapLines->setChecked(true);
    bar->addWidget(m_note, 1);
    bar->addWidget(m_wrapLines, 0, Qt::AlignTop);
    layout->addLayout(bar);

    m_edit = detailui::makeReadOnlyTextEdit(this, u"textEdit"_s);
    layout->addWidget(m_edit, 1);
    connect(m_wrapLines, &QCheckBox::toggled, this, [this](bool wrap) {
        m_edit->setLineWrapMode(wrap ? QPlainTextEdit::WidgetWidth : QPlainTextEdit::NoWrap);
    });
    connect(m_edit, &QWidget::customContextMenuRequested, this,
        [this](const QPoint &pos) { Q_EMIT contextMenuRequested(m_edit, pos, {}); });
}

void TextPage::setMessage(const DetailMessage &message)
{
    if (!message.hasBody()) {
        clear();
        m_whyDisabled = noBodyReason();
        return;
    }
    m_whyDisabled.clear();
    const auto bytes = message.body();
    const auto shown = textescape::utf8PrefixLength(bytes, TextPreviewBytes);
    MessageFormat::DisplayTextChanges changes;
    const auto text
        = MessageFormat::displayText(QByteArrayView(bytes).first(shown), MaxDisplayLineChars, &changes);
    QStringList notes;
    if (bytes.isEmpty()) {
        notes << tr("The body is empty.");
    } else if (shown < bytes.size()) {
        notes << tr("Showing the first %1 of %2 bytes; the Hex tab shows all of them.")
                     .arg(QLocale().toString(shown), QLocale().toString(bytes.size()));
    } else {
        notes << MessageFormat::byteCount(bytes.size());
    }
    if (changes.invalidUtf8)
        notes << tr("Not valid UTF-8: each invalid byte is shown as \\x and its hex value, such as \\xff.");
    if (changes.controlsEscaped)
        notes << tr("Control characters are shown as their code, such as \\x00 (NUL) and \\x1b (ESC).");
    if (changes.invisibleEscaped)
        notes << tr("Invisible characters are shown as their code, such as \\u{202e} (right-to-left "
                    "override).");
    if (changes.linesBroken)
        notes << tr("Lines longer than %1 characters are broken for display; Copy Body as Text copies the "
                    "exact body.")
                     .arg(QLocale().toString(MaxDisplayLineChars));
    m_note->setText(notes.join(u'\n'));
    m_edit->setPlainText(text);
}

void TextPage::clear()
{
    m_whyDisabled = noMessageReason();
    m_note->clear();
    m_edit->clear();
}

} // namespace zmqscope
