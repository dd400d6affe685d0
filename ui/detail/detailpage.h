#pragma once

#include <QList>
#include <QStyle>
#include <QWidget>

#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>

class QAction;
class QHBoxLayout;
class QLabel;
class QPlainTextEdit;
class QToolButton;
class QVBoxLayout;

namespace zmqscope {

/// The message the Detail pane shows, parsed once by the pane and handed to each page.
struct DetailMessage
{
    StoredMessage message;
    QString socketName; ///< how the rest of the window names the message's socket
    EnvelopeParseResult parsed;

    [[nodiscard]] bool hasBody() const noexcept { return parsed.envelope.has_value(); }
    /// The envelope's body; empty for a raw message.
    [[nodiscard]] QByteArray body() const { return parsed.envelope ? parsed.envelope->data() : QByteArray(); }
};

/**
 * One tab of the Detail pane (Envelope, Text, JSON, Hex, Image, Frames, Diff): a view
 * of the current message that knows by itself whether it applies to it, in the
 * way Wireshark's byte and data source views each render one packet.
 *
 * A page owns its widgets and, where decoding may be slow, its worker pipeline;
 * MessageDetailView only feeds it the current message and enables its tab from
 * whyDisabled(). Pages show message bytes as plain text only.
 */
class DetailPage : public QWidget
{
    Q_OBJECT

public:
    /// Longer lines are broken in the Text and formatted JSON views (very long lines lay out very slowly).
    static constexpr int MaxDisplayLineChars = 4096;
    /// The Text tab shows at most this much of a body.
    static constexpr qsizetype TextPreviewBytes = qsizetype { 256 } << 10;

    using QWidget::QWidget;

    /// Shows message, replacing whatever the page showed; work still running for an older one is dropped.
    virtual void setMessage(const DetailMessage &message) = 0;
    /// Shows nothing and drops running work; whyDisabled() then says that no message is selected.
    virtual void clear() = 0;
    /// Why this page does not apply to the current message, as one of our own plain-text sentences
    /// (never message bytes, so it may be a tool tip); empty when it applies.
    [[nodiscard]] virtual QString whyDisabled() const = 0;
    /// True while the page decodes the current message in a worker thread.
    [[nodiscard]] virtual bool isDecoding() const { return false; }

    /// The reason of every page when there is no message.
    [[nodiscard]] static QString noMessageReason();
    /// The reason of the body pages (Text, JSON, Image) for a raw message.
    [[nodiscard]] static QString noBodyReason();

Q_SIGNALS:
    /// A copy finished or was refused; text is one line for the pane's status line.
    void reported(const QString &text);
    /// The user asked for a context menu on widget at pos (widget coordinates); extraActions go first.
    void contextMenuRequested(QWidget *widget, const QPoint &pos, const QList<QAction *> &extraActions);

protected:
    /// Puts text on the clipboard and reports description.
    void copyText(const QString &text, const QString &description);
    /// False, with a report naming what, when bytes are too many for the clipboard.
    bool checkClipboardSize(qsizetype bytes, const QString &what);
};

/// Small widget builders shared by the pages, so every page looks and behaves alike.
namespace detailui {

/// Why bytes (named what) are not copied: too many for the clipboard; empty when they fit.
[[nodiscard]] QString clipboardRefusal(qsizetype bytes, const QString &what);
/// A label that never interprets text as rich text (message bytes are untrusted).
QLabel *makeLabel(QWidget *parent, const QString &text = {});
/// A word-wrapped label in the placeholder colour, for notes above a view.
QLabel *makeNoteLabel(QWidget *parent);
/// A page with an icon and a word-wrapped message at its top, for errors and waits; *text gets the label.
QWidget *makeNoticePage(QWidget *parent, QLabel **text, QStyle::StandardPixmap icon);
QToolButton *makeToolButton(QWidget *parent, const QString &text, const QString &objectName);
/// The layout of a tool bar above a view.
QHBoxLayout *makeBar();
QPlainTextEdit *makeReadOnlyTextEdit(QWidget *parent, const QString &objectName);
/// A page's outer layout: no margins, no spacing.
QVBoxLayout *makePageLayout(QWidget *page);

} // namespace detailui

} // namespace zmqscope
