#include "bodyeditor.h"

#include <QAction>
#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <zmqscope/error.h>
#include <zmqscope/textescape.h>

#include "bytestext.h"
#include "displaytext.h"
#include "inlinemessage.h"
#include "jsontext.h"

using namespace Qt::StringLiterals;
using BytesText::Format;

/**
 * The body's text edit. A paste or drop that would make the body bigger than the composer lays
 * out goes to onLargeInsert instead (a 20 MiB paste froze the window for seconds).
 */
class BodyEdit : public QPlainTextEdit
{
public:
    using QPlainTextEdit::QPlainTextEdit;
    std::function<void(const QString &)> onLargeInsert;

protected:
    void insertFromMimeData(const QMimeData *source) override
    {
        if (onLargeInsert && source->hasText()) {
            const QString text = source->text();
            if (text.size() + document()->characterCount() > BodyEditor::MaxEditableBytes) {
                onLargeInsert(text);
                return;
            }
        }
        QPlainTextEdit::insertFromMimeData(source);
    }
};

namespace {

constexpr int JsonCheckDelayMs = 150;
constexpr int ImmediateJsonCheckChars = 256 * 1024;
constexpr qsizetype ReadOnlyPreviewChars = 40;

} // namespace

QString BodyEditor::sizeText(qsizetype bytes)
{
    if (bytes < 1024)
        return bytes == 1 ? u"1 byte"_s : u"%1 bytes"_s.arg(bytes);
    return u"%1 (%2 bytes)"_s.arg(zmqscope::displaytext::dataSize(std::uint64_t(bytes))).arg(bytes);
}

BodyEditor::BodyEditor(QAction *loadAction, QWidget *parent)
    : QWidget(parent)
    , m_jsonTimer(new QTimer(this))
{
    m_edit = new BodyEdit(this);
    m_edit->setObjectName(u"bodyEdit"_s);
    m_edit->setPlaceholderText(u"The body: text, JSON, or hex digits with Hex checked"_s);
    m_edit->setTabChangesFocus(true);
    m_edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_edit->onLargeInsert = [this](const QString &text) { handleLargePaste(text); };
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        // Small bodies are checked on every keystroke; big ones once typing pauses.
        if (m_edit->document()->characterCount() <= ImmediateJsonCheckChars)
            Q_EMIT jsonCheckDue();
        else
            m_jsonTimer->start();
        Q_EMIT edited();
    });

    m_hexCheck = new QCheckBox(u"&Hex"_s, this);
    m_hexCheck->setObjectName(u"bodyHexCheck"_s);
    m_hexCheck->setToolTip(u"Type the body as hex digits (for binary bodies)"_s);
    connect(m_hexCheck, &QCheckBox::toggled, this, &BodyEditor::toggleHex);
    m_formatButton = new QPushButton(u"&Format JSON"_s, this);
    m_formatButton->setObjectName(u"formatButton"_s);
    m_formatButton->setAutoDefault(false);
    m_formatButton->setToolTip(u"Indent the JSON body, keeping key order and numbers as written"_s);
    connect(m_formatButton, &QPushButton::clicked, this, &BodyEditor::formatJson);
    m_jsonStatus = new QLabel(this);
    m_jsonStatus->setObjectName(u"jsonStatus"_s);
    m_jsonStatus->setTextFormat(Qt::PlainText);
    m_jsonStatus->setWordWrap(true);
    m_loadButton = new QPushButton(u"&Load File…"_s, this);
    m_loadButton->setObjectName(u"loadBodyButton"_s);
    m_loadButton->setAutoDefault(false);
    m_loadButton->setToolTip(loadAction->toolTip());
    connect(m_loadButton, &QPushButton::clicked, loadAction, &QAction::trigger);
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_hexCheck);
    tools->addWidget(m_formatButton);
    tools->addWidget(m_loadButton);
    tools->addStretch(1);

    // A body too big to lay out is kept as bytes and described here instead.
    m_readOnlyPage = new QWidget(this);
    m_readOnlyPage->setObjectName(u"readOnlyBodyPage"_s);
    m_readOnlyLabel = new QLabel(m_readOnlyPage);
    m_readOnlyLabel->setObjectName(u"readOnlyBody"_s);
    m_readOnlyLabel->setTextFormat(Qt::PlainText);
    m_readOnlyLabel->setWordWrap(true);
    m_readOnlyLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_readOnlyLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *discardButton = new QPushButton(u"Disc&ard Body"_s, m_readOnlyPage);
    discardButton->setObjectName(u"discardBodyButton"_s);
    discardButton->setAutoDefault(false);
    connect(discardButton, &QPushButton::clicked, this, [this] {
        clearReadOnly();
        m_edit->setFocus(Qt::OtherFocusReason);
    });
    auto *readOnlyLayout = new QVBoxLayout(m_readOnlyPage);
    readOnlyLayout->setContentsMargins(0, 0, 0, 0);
    readOnlyLayout->addWidget(m_readOnlyLabel, 1);
    readOnlyLayout->addWidget(discardButton, 0, Qt::AlignLeft);
    m_stack = new QStackedWidget(this);
    m_stack->setObjectName(u"bodyStack"_s);
    m_stack->addWidget(m_edit);
    m_stack->addWidget(m_readOnlyPage);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_jsonStatus);
    layout->addLayout(tools);

    setTabOrder(m_edit, m_hexCheck);
    setTabOrder(m_hexCheck, m_formatButton);
    setTabOrder(m_formatButton, m_loadButton);

    m_jsonTimer->setSingleShot(true);
    m_jsonTimer->setInterval(JsonCheckDelayMs);
    connect(m_jsonTimer, &QTimer::timeout, this, &BodyEditor::jsonCheckDue);
}

QPlainTextEdit *BodyEditor::textEdit() const
{
    return m_edit;
}

QWidget *BodyEditor::lastInTabOrder() const
{
    return m_loadButton;
}

zmqscope::Result<QByteArray> BodyEditor::bytes() const
{
    if (m_readOnlyBytes)
        return *m_readOnlyBytes;
    return BytesText::fromEditable(
        m_edit->toPlainText(), m_hexCheck->isChecked() ? Format::Hex : Format::Text);
}

bool BodyEditor::isTypedText() const
{
    return !m_hexCheck->isChecked() && !m_readOnlyBytes;
}

bool BodyEditor::isReadOnly() const
{
    return m_readOnlyBytes.has_value();
}

void BodyEditor::setBytes(const QByteArray &bytes, const QString &source)
{
    const bool text = BytesText::isEditableText(bytes);
    // Hex takes three characters a byte.
    const qsizetype editorSize = text ? bytes.size() : bytes.size() * 3;
    if (editorSize > MaxEditableBytes) {
        setReadOnlyBytes(bytes, source);
        return;
    }
    clearReadOnly();
    {
        const QSignalBlocker blocker(m_hexCheck);
        m_hexCheck->setChecked(!text);
    }
    m_edit->setPlainText(BytesText::toEditable(bytes, text ? Format::Text : Format::Hex));
}

void BodyEditor::setReadOnlyBytes(const QByteArray &bytes, const QString &source)
{
    m_readOnlyBytes = bytes;
    zmqscope::textescape::EscapeOptions preview;
    preview.quoted = true;
    preview.maxChars = ReadOnlyPreviewChars;
    preview.maxBytes = ReadOnlyPreviewChars * 4;
    m_readOnlyLabel->setText(
        u"Body: %1 from %2, too big to edit here; sent byte for byte.\nIt starts %3"_s.arg(
            sizeText(bytes.size()), source, zmqscope::textescape::escape(bytes, preview)));
    m_stack->setCurrentWidget(m_readOnlyPage);
    {
        // The editor's text is not the body any more; free it without a JSON check of it.
        const QSignalBlocker blocker(m_edit);
        m_edit->clear();
    }
    {
        // The bytes are the body; the empty editor behind them is plain text again.
        const QSignalBlocker blocker(m_hexCheck);
        m_hexCheck->setChecked(false);
    }
    m_hexCheck->setEnabled(false);
    Q_EMIT jsonCheckDue();
    Q_EMIT edited();
}

void BodyEditor::clearReadOnly()
{
    if (!m_readOnlyBytes)
        return;
    m_readOnlyBytes.reset();
    m_readOnlyLabel->clear();
    m_stack->setCurrentWidget(m_edit);
    m_hexCheck->setEnabled(true);
    Q_EMIT jsonCheckDue();
    Q_EMIT edited();
}

void BodyEditor::handleLargePaste(const QString &text)
{
    // What the body becomes: the paste replaces the selection, as it would in the editor.
    const QTextCursor cursor = m_edit->textCursor();
    const QString current = m_edit->toPlainText();
    const QString combined
        = current.left(cursor.selectionStart()) + text + current.mid(cursor.selectionEnd());
    const zmqscope::Result<QByteArray> bytes
        = BytesText::fromEditable(combined, m_hexCheck->isChecked() ? Format::Hex : Format::Text);
    if (!bytes) {
        Q_EMIT errorChanged(u"Not pasted: Body: %1"_s.arg(bytes.errorMessage()));
        return;
    }
    Q_EMIT errorChanged(QString());
    setReadOnlyBytes(*bytes, u"pasted text"_s);
}

void BodyEditor::toggleHex(bool toHex)
{
    const zmqscope::Result<QByteArray> bytes
        = BytesText::fromEditable(m_edit->toPlainText(), toHex ? Format::Text : Format::Hex);
    if (!bytes || (!toHex && !BytesText::isEditableText(*bytes))) {
        const QSignalBlocker blocker(m_hexCheck);
        m_hexCheck->setChecked(!toHex);
        Q_EMIT errorChanged(u"Body stays %1: %2"_s.arg(
            toHex ? u"text"_s : u"hex"_s, bytes ? u"its bytes are not UTF-8 text"_s : bytes.errorMessage()));
        return;
    }
    Q_EMIT errorChanged(QString());
    if (toHex && bytes->size() * 3 > MaxEditableBytes) {
        // Three characters a byte would be more than the editor lays out.
        setReadOnlyBytes(*bytes, u"the body typed as text"_s);
        return;
    }
    // Through the cursor, so Undo brings the previous form back.
    QTextCursor cursor(m_edit->document());
    cursor.select(QTextCursor::Document);
    cursor.insertText(BytesText::toEditable(*bytes, toHex ? Format::Hex : Format::Text));
    Q_EMIT jsonCheckDue();
}

void BodyEditor::formatJson()
{
    const QByteArray text = m_edit->toPlainText().toUtf8();
    if (const auto problem = JsonText::check(text)) {
        Q_EMIT errorChanged(u"Not formatted: the body is not JSON (%1)"_s.arg(JsonText::describe(*problem)));
        // Put the cursor on the error so it can be fixed right away.
        QTextCursor cursor(m_edit->document());
        cursor.setPosition(int(QString::fromUtf8(text.first(problem->offset)).size()));
        m_edit->setTextCursor(cursor);
        m_edit->setFocus(Qt::OtherFocusReason);
        Q_EMIT jsonCheckDue();
        return;
    }
    const auto formatted = JsonText::format(text);
    if (!formatted || *formatted == text)
        return;
    Q_EMIT errorChanged(QString());
    QTextCursor cursor(m_edit->document());
    cursor.select(QTextCursor::Document);
    cursor.insertText(QString::fromUtf8(*formatted));
    Q_EMIT jsonCheckDue();
}

void BodyEditor::checkJson(bool jsonMimetype, const std::function<QByteArray(const QByteArray &)> &expand)
{
    m_jsonTimer->stop();
    const bool json = jsonMimetype && !m_hexCheck->isChecked();
    m_formatButton->setEnabled(json && !m_readOnlyBytes);
    if (!json) {
        InlineMessage::show(m_jsonStatus, QString());
        return;
    }
    if (m_readOnlyBytes) {
        InlineMessage::setError(m_jsonStatus, false);
        InlineMessage::show(m_jsonStatus, u"JSON not checked: the body is kept as bytes"_s);
        return;
    }
    // Checked as it will be sent: after the variables are expanded, as for the next message.
    QByteArray text = m_edit->toPlainText().toUtf8();
    const bool expanded = expand && text.contains("{{");
    if (expanded) {
        try {
            text = expand(text);
        } catch (const zmqscope::Error &e) {
            InlineMessage::setError(m_jsonStatus, true);
            InlineMessage::show(m_jsonStatus, u"Variable error: %1"_s.arg(e.message()));
            return;
        }
    }
    if (const auto problem = JsonText::check(text)) {
        InlineMessage::setError(m_jsonStatus, true);
        InlineMessage::show(m_jsonStatus,
            u"JSON error at %1%2"_s.arg(
                JsonText::describe(*problem), expanded ? u" (after expanding the variables)"_s : QString()));
    } else {
        InlineMessage::setError(m_jsonStatus, false);
        InlineMessage::show(
            m_jsonStatus, expanded ? u"Valid JSON after expanding the variables"_s : u"Valid JSON"_s);
    }
}

QString BodyEditor::jsonStatusText() const
{
    return InlineMessage::text(m_jsonStatus);
}
