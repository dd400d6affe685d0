#pragma once

#include <optional>

#include <QHash>
#include <QList>
#include <QSet>
#include <QWidget>

#include <zmqscope/engine.h>
#include <zmqscope/templates.h>

class FramesEditor;
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTimer;

/**
 * The Composer: writes a Dploy envelope (id, mimetype, body, request frames)
 * or raw multipart frames and asks for them to be sent on a chosen socket,
 * once or repeatedly. It never talks to the engine itself: it emits
 * sendRequested() and learns the outcome through handleMessageSent() and
 * handleSendFailed(). A failed send keeps everything that was composed.
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

    /// The frames Send would send now, or nothing and *error naming the bad field.
    [[nodiscard]] std::optional<zmqscope::Frames> composedFrames(QString *error = nullptr) const;

    /**
     * The composed message as a library template named `name`: an envelope (id, mimetype, body as
     * typed, variables kept) or raw frames; an envelope with request frames is kept as raw frames.
     * The socket type is the chosen socket's. Nothing and *error naming the bad field when it does not parse.
     */
    [[nodiscard]] std::optional<zmqscope::MessageTemplate> composedTemplate(
        const QString &name, QString *error = nullptr) const;
    /// Fills the composer from a template (variables unexpanded); picks a socket of its type when the chosen
    /// one differs.
    void loadTemplate(const zmqscope::MessageTemplate &message);

    /// Send (Ctrl+Return, window-wide): put it in the main window's menu rather than a second Ctrl+Return.
    [[nodiscard]] QAction *sendAction() const { return m_sendAction; }
    /// Stops a repeat.
    [[nodiscard]] QAction *stopAction() const { return m_stopAction; }

    [[nodiscard]] bool isRepeating() const;
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
    void stop();
    /// Pretty-prints a JSON body; a body that is not JSON keeps its text and the cursor goes to the error.
    void formatBody();
    void handleMessageSent(quint64 tag);
    void handleSendFailed(quint64 tag, const QString &error);

Q_SIGNALS:
    /// Frames to send on a socket; the engine answers with messageSent(tag) or sendFailed(tag, error).
    void sendRequested(zmqscope::SocketId socket, const zmqscope::Frames &frames, quint64 tag);

private:
    QWidget *createEnvelopePage();
    QWidget *createRawPage();
    void issueRepeatSend();
    void emitSend(zmqscope::SocketId socket, const zmqscope::Frames &frames);
    void finishRepeat(const QString &status);
    void updateJsonStatus();
    void updateState();
    void setBytesField(QLineEdit *edit, QCheckBox *hex, const QByteArray &bytes);
    void toggleHex(QLineEdit *edit, QCheckBox *hex, bool toHex, const QString &field);
    void toggleBodyHex(bool toHex);
    void showError(const QString &text);
    void showStatus(const QString &text);
    [[nodiscard]] std::optional<zmqscope::SocketInfo> socketInfo(zmqscope::SocketId socket) const;
    [[nodiscard]] QString socketLabel(zmqscope::SocketId socket) const;

    QList<zmqscope::SocketInfo> m_sockets;

    QComboBox *m_socketCombo;
    QTabWidget *m_modeTabs;
    QLineEdit *m_idEdit;
    QCheckBox *m_idHexCheck;
    QComboBox *m_mimetypeCombo;
    QPlainTextEdit *m_bodyEdit;
    QCheckBox *m_bodyHexCheck;
    QPushButton *m_formatButton;
    QLabel *m_jsonStatus;
    QTimer *m_jsonTimer;
    FramesEditor *m_requestFrames;
    QLabel *m_routerHint;
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

    // Sends in flight: the tags we issued and have not heard back about, with their socket.
    QHash<quint64, zmqscope::SocketId> m_pendingTags;
    // The current batch (one send, or a repeat).
    zmqscope::SocketId m_batchSocket = 0;
    zmqscope::Frames m_batchFrames;
    QSet<quint64> m_batchTags;
    int m_batchTotal = 0;
    int m_batchIssued = 0;
    int m_batchSent = 0;
    QTimer *m_repeatTimer;
};
