#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QTimer>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/engine/tap.h>
#include <zmqscope/store/messagestore.h>

#include "clicommon.h"
#include "messageformatter.h"

namespace zmqscope::cli {

/// Checks that a --write capture can be written without changing what is there (usage or runtime error).
void checkWritable(const CaptureWriterOptions &options);

/// The options a ReceiveSession takes from the command line, read (and checked) before anything is opened.
struct ReceiveOptions
{
    OutputFormat format = OutputFormat::Pretty;
    std::optional<int> count;
    std::optional<int> timeout;
    /// --filter: --count counts the messages the handler takes, so the socket gets no receive limit.
    bool filtered = false;
};
[[nodiscard]] ReceiveOptions receiveOptions(const CommandLine &commandLine);

/**
 * What listen, echo and tap share: one socket (or one tap, DESIGN.md section
 * 12) opened through the Engine (the same SocketSpec or TapSpec, defaults and
 * receive path as the GUI), its messages read from
 * the engine's store on this (the main) thread in batches, the --count and
 * --timeout rules, a stdout flush per batch, an optional recording through
 * the engine's recorder, a clean end on SIGINT/SIGTERM/SIGHUP (exit 0 with a
 * one-line summary), and finishing once with an exit status and at most one
 * error line.
 *
 * Nothing is lost to a slow reader: the session holds the store from the
 * first message it has not handled yet (Engine::holdFrom()), so when stdout
 * is slower than the sender the engine stops receiving and libzmq's queue
 * slows the sender down. With --count N the engine receives exactly N
 * messages (the rest stay queued in libzmq), so a recording has exactly N.
 */
class ReceiveSession
{
public:
    /// How messages read in errors: item "message" or "request", activity "listening" or "answering".
    struct Wording
    {
        QString item;
        QString activity;
    };
    /**
     * One received message: its frames (and `peer`) point into the store and are valid only during the
     * call (copy with QByteArray(frame.constData(), frame.size()) what must outlive it). `direction` is
     * In for a socket, c2s or s2c for a tap; `peer` is the routing id a tap's ROUTER gave the client.
     * Returns whether it counts towards --count (false: --filter left it out).
     */
    using Handler = std::function<bool(
        std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView peer)>;
    /// An event line of a tap (a subscription passed upstream), in its place among the messages.
    using EventHandler = std::function<void(const CaptureRecord &event)>;

    /**
     * Validates `spec` (a bad endpoint or option value throws, a usage error) and asks the engine to
     * open it. With `recording`, every message the socket receives is also written to that capture by
     * the engine's recorder; the file is created only with the first message or at a clean end
     * (deferCreate), so a run that fails first leaves an existing file as it was.
     */
    ReceiveSession(SocketSpec spec, const ReceiveOptions &options, Wording wording,
        std::optional<CaptureWriterOptions> recording = std::nullopt);
    /**
     * The same for a tap (Engine::openTap()): its forwarded messages (c2s and s2c) are handled and
     * counted, its subscriptions go to the event handler (they do not count), and a stop signal's
     * summary gives the tap's counters. Without --count the tap forwards until a signal, a --timeout
     * or a failure; with it the tap closes after N messages (a recording also has what it forwarded
     * until it closed).
     */
    ReceiveSession(TapSpec tap, const ReceiveOptions &options,
        std::optional<CaptureWriterOptions> recording = std::nullopt);
    ReceiveSession(const ReceiveSession &) = delete;
    ReceiveSession &operator=(const ReceiveSession &) = delete;

    [[nodiscard]] Engine &engine() { return m_engine; }
    [[nodiscard]] SocketId socketId() const { return m_id; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// Messages handled so far.
    [[nodiscard]] int handled() const { return m_handled; }
    /// The formatter of this socket's lines (valid once the socket is open, i.e. in the handler); for a
    /// tap, of the lines going `direction` (their "type" is the sender's, as the engine records them).
    [[nodiscard]] MessageFormatter &formatter(Direction direction = Direction::In)
    {
        return direction == Direction::ServerToClient ? *m_serverFormatter : *m_formatter;
    }

    /**
     * Calls `handler` for every message the socket receives until the session finishes; each one
     * counts towards --count and restarts the --timeout unless the handler finished the session.
     */
    void handleMessages(Handler handler) { m_handler = std::move(handler); }
    /// Calls `handler` for every subscription a tap passes upstream, after the messages before it.
    void handleEvents(EventHandler handler) { m_eventHandler = std::move(handler); }
    /// Ends the run (status 0) when stdout closes (listen ... | head): for a command whose only record
    /// is stdout. Without it the run goes on (a recording keeps recording).
    void endWhenStdoutCloses() { m_endWhenStdoutCloses = true; }
    /**
     * Stops receiving and flushes stdout. A clean end (status 0) first waits for the recording to be
     * on disk; then the error (if any) or the summary of a signal is printed and the event loop exits
     * with `status`.
     */
    void finish(int status, const QString &error);
    /// Starts the --timeout and runs the event loop; returns the exit status.
    [[nodiscard]] int exec();

private:
    ReceiveSession(SocketSpec spec, std::optional<TapSpec> tap, const ReceiveOptions &options,
        Wording wording, std::optional<CaptureWriterOptions> recording);
    void handleOpened(const QStringList &boundEndpoints);
    void handleFailed(const QString &error);
    /// Ends a client whose handshake failed (status 1, the engine's line); prints a server's ZAP decisions.
    void handleSecurityEvent(const EngineEvent &event);
    void readStored(quint64 endSeq);
    void handleSubscription(
        std::int64_t timestampUs, bool subscribe, const QByteArray &topic, quint64 storedEnd);
    void timedOut();
    void stopBySignal(int signal);
    void complete(int status, const QString &error, const QString &summaryNote);
    [[nodiscard]] QString handledText() const;
    /// "SUB socket bound to ..." or "tap "NAME" (req-rep, LISTEN > FORWARD)" for error lines.
    [[nodiscard]] QString describe() const;
    [[nodiscard]] QString tapTimeoutError() const;
    [[nodiscard]] QString tapSummary();

    Wording m_wording;
    std::optional<int> m_count;
    bool m_filtered = false; // --filter: no receive limit, --count counts what the handler took
    std::optional<int> m_timeout;
    OutputFormat m_format;
    SocketSpec m_spec; // for a tap: its listen side (binds), with connects = the forward endpoints
    std::optional<TapSpec> m_tap;
    QString m_name; // the name the engine gave the socket or tap (its lines' "socket")
    std::optional<CaptureWriterOptions> m_recording;
    MessageStore m_store;
    Engine m_engine;
    SocketId m_id = 0;
    QStringList m_boundEndpoints;
    QString m_lastProblem; // the last connection problem the engine logged (connectionProblem())
    std::optional<MessageFormatter> m_formatter;
    std::optional<MessageFormatter> m_serverFormatter; // a tap's s2c lines (the server's type)
    Handler m_handler;
    EventHandler m_eventHandler;
    QTimer m_timeoutTimer;
    Frames m_frames; // the current message's frames as views into the store, reused from message to message
    quint64 m_nextSeq = 0; // the first stored message not handled yet
    int m_signal = 0;
    int m_status = ExitSuccess;
    int m_handled = 0;
    bool m_endWhenStdoutCloses = false;
    bool m_forwardConnected = false; // a tap's server side was connected at some time
    bool m_finished = false;
    bool m_exited = false;
};

} // namespace zmqscope::cli
