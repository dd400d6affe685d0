#pragma once

#include <memory>
#include <optional>

#include <QList>
#include <QWidget>

#include <zmqscope/engine/engine.h>
#include <zmqscope/envelope.h>
#include <zmqscope/replay/templates.h>

#include "bodyeditor.h"
#include "framelistmodel.h"
#include "sendcontroller.h"

class EnvelopeEditor;
class FramesEditor;
class ReplyRouting;
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTabWidget;

/**
 * The Composer: writes a Dploy envelope (id, mimetype, body, request frames)
 * or raw multipart frames and asks for them to be sent on a chosen socket,
 * once or repeatedly. It never talks to the engine itself: it emits
 * sendRequested() with a callback that learns the outcome of that send (and
 * of no other); its SendController runs the send and the repeat and says how
 * they went. A failed send keeps everything that was composed.
 *
 * Text fields (id, mimetype, a body typed as text, raw frames typed as text) may hold the
 * Library's variables ({{seq}}, {{now}}, {{uuid}}, {{random:N}}), expanded anew for every
 * message sent by the same code as the Library's. On a DEALER, envelopes go out framed as a
 * REQ frames them (defaultEnvelopeFraming()) unless that is unchecked. Bodies bigger than
 * MaxEditableBodyBytes are never laid out in the text edit: they are kept as bytes, shown as
 * a read-only summary and sent byte for byte.
 */
class ComposerWidget : public QWidget
{
    Q_OBJECT
public:
    enum class Mode
    {
        Envelope,
        Raw
    };

    /// Bodies above this many bytes (or hex characters) are kept read-only instead of in the text edit.
    static constexpr qsizetype MaxEditableBodyBytes = BodyEditor::MaxEditableBytes;
    /// The biggest file "Load Body from File…" reads.
    static constexpr qsizetype MaxBodyFileBytes = qsizetype(256) * 1024 * 1024;

    explicit ComposerWidget(QWidget *parent = nullptr);
    ~ComposerWidget() override;

    /// The sockets to offer; only open sockets whose type can send are listed. Keeps the selection.
    void setSockets(const QList<zmqscope::SocketInfo> &sockets);
    /// The chosen socket, 0 when there is none.
    [[nodiscard]] zmqscope::SocketId currentSocket() const;
    /// Selects a socket; false when it is not offered (closed, or a type that cannot send).
    bool setCurrentSocket(zmqscope::SocketId socket);

    [[nodiscard]] Mode mode() const;
    void setMode(Mode mode);

    /**
     * Fills a reply to a received message, as Envelope::responseEnvelope does: the request
     * (routing) frames and the id come from the message, the mimetype and body stay as
     * typed, and the socket it came in on is selected. A raw message on a ROUTER fills the
     * raw frames with its routing frame instead; anything else says why it cannot be answered.
     */
    void prepareReply(const zmqscope::StoredMessage &message, zmqscope::SocketId socket);

    /**
     * Edit and resend: fills the composer with a received or sent message, as an envelope when its
     * frames are one (request frames and, on a DEALER, the REQ-style delimiter included) and as raw
     * frames otherwise, so that sending it unchanged sends the same frames; selects `socket`.
     */
    void loadMessage(const zmqscope::StoredMessage &message, zmqscope::SocketId socket);

    /// How an envelope goes out on the chosen socket: its type's default, unless the user unchecked it.
    [[nodiscard]] zmqscope::EnvelopeFraming envelopeFraming() const;

    /// Makes the bytes of `path` the envelope body; false and an error line naming the file and the reason.
    bool loadBodyFromFile(const QString &path);
    /// True when the body is kept as bytes (too big to edit, or loaded from a file), shown read-only.
    [[nodiscard]] bool hasReadOnlyBody() const;

    /// The frames Send would send now (variables expanded as for the next message, framed for the chosen
    /// socket), or InvalidBody naming the bad field.
    [[nodiscard]] zmqscope::Result<zmqscope::Frames> composedFrames() const;

    /**
     * The composed message as a library template named `name`: an envelope (id, mimetype, body as
     * typed, variables kept) or raw frames; an envelope with request frames is kept as raw frames.
     * The socket type is the chosen socket's. InvalidBody naming the bad field when it does not parse.
     */
    [[nodiscard]] zmqscope::Result<zmqscope::MessageTemplate> composedTemplate(const QString &name) const;
    /// Fills the composer from a template (variables unexpanded); picks a socket of its type when the chosen
    /// one differs.
    void loadTemplate(const zmqscope::MessageTemplate &message);

    /// Send (Ctrl+Return, window-wide): put it in the main window's menu rather than a second Ctrl+Return.
    [[nodiscard]] QAction *sendAction() const { return m_sendAction; }
    /// Stops a repeat.
    [[nodiscard]] QAction *stopAction() const { return m_stopAction; }
    /// Asks for a file and makes its bytes the body.
    [[nodiscard]] QAction *loadBodyAction() const { return m_loadBodyAction; }

    [[nodiscard]] bool isRepeating() const { return m_sendController->isRepeating(); }
    /// The inline error line ("Not sent on REQ 1: ..."), empty when there is none.
    [[nodiscard]] QString errorText() const;
    /// The status line ("Sent 3 of 10"), empty when there is none.
    [[nodiscard]] QString statusText() const;
    /// The JSON check line under the body ("Valid JSON", "JSON error at line 2, column 5: ..."), empty when
    /// hidden.
    [[nodiscard]] QString jsonStatusText() const;

public Q_SLOTS:
    /// Sends once, or starts a repeat when Repeat is more than 1.
    void send();
    /// Stops a repeat.
    void stop() { m_sendController->stop(); }
    /// Pretty-prints a JSON body; a body that is not JSON keeps its text and the cursor goes to the error.
    void formatBody();
    /// Puts back the routing frames that switching the socket removed.
    void undoClearRouting();

Q_SIGNALS:
    /// Frames to send on a socket; whoever sends them calls `done` once with the result, in this
    /// widget's thread (Engine::send with this composer as the context).
    void sendRequested(
        zmqscope::SocketId socket, const zmqscope::Frames &frames, const zmqscope::SendCallback &done);

private:
    /// What the widgets hold, read once per Send so a repeat sends what was there when it started.
    struct Composition
    {
        bool envelope = true;
        QByteArray id, mimetype, body; // the envelope, variables not yet expanded
        bool expandId = false, expandBody = false; // typed as text (not hex, not a read-only body)
        zmqscope::Frames requestFrames;
        zmqscope::Frames raw;
        QList<bool> expandRaw; // per raw frame: typed as text
        bool expandVariables = true;
        zmqscope::EnvelopeFraming framing = zmqscope::EnvelopeFraming::Plain;
    };

    [[nodiscard]] zmqscope::Result<Composition> composition() const;
    /// The frames of a composition with its variables expanded for message number `seq`.
    [[nodiscard]] static zmqscope::Frames expandedFrames(const Composition &composition, std::uint64_t seq);
    void handleSocketChanged();
    void chooseBodyFile();
    void setSocketQuietly(zmqscope::SocketId socket, bool *selected = nullptr);
    void rememberRouting(zmqscope::SocketId socket, quint64 seq, Mode where);
    void forgetRouting();
    QWidget *createRawPage();
    void updateJsonStatus();
    void updateState();
    void showError(const QString &text);
    void showStatus(const QString &text);
    [[nodiscard]] std::optional<zmqscope::SocketInfo> socketInfo(zmqscope::SocketId socket) const;
    [[nodiscard]] QString socketLabel(zmqscope::SocketId socket) const;

    QList<zmqscope::SocketInfo> m_sockets;

    QComboBox *m_socketCombo;
    QTabWidget *m_modeTabs;
    EnvelopeEditor *m_envelope = nullptr;
    BodyEditor *m_body = nullptr; ///< the envelope's
    QCheckBox *m_expandCheck;
    QAction *m_loadBodyAction;
    QPushButton *m_undoRoutingButton;
    FramesEditor *m_rawFrames;
    QSpinBox *m_repeatSpin;
    QSpinBox *m_intervalSpin;
    QAction *m_sendAction;
    QAction *m_stopAction;
    QPushButton *m_sendButton;
    QPushButton *m_stopButton;
    QProgressBar *m_progress;
    QLabel *m_errorLabel;
    QLabel *m_statusLabel;

    // The Library's variables: {{seq}} counts the messages this composer sent, from 1.
    std::uint64_t m_nextSeq = 1;
    zmqscope::SocketId m_lastSocket = 0;
    bool m_settingSocket = false;
    std::unique_ptr<ReplyRouting> m_replyRouting;

    SendController *m_sendController;
};
