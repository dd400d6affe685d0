#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include <QString>
#include <QTimer>

#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/store/messagestore.h>

#include "clicommon.h"
#include "messageformatter.h"

namespace zmqscope::cli {

/// The options a ReceiveSession takes from the command line, read (and checked) before anything is opened.
struct ReceiveOptions
{
    OutputFormat format = OutputFormat::Pretty;
    std::optional<int> count;
    std::optional<int> timeout;
};
[[nodiscard]] ReceiveOptions receiveOptions(const CommandLine &commandLine);

/**
 * What listen and echo share: one socket opened through the Engine (the same
 * SocketSpec, defaults and receive path as the GUI), its messages read from
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
     * One received message: its frames point into the store and are valid only during the call
     * (copy with QByteArray(frame.constData(), frame.size()) what must outlive it).
     */
    using Handler = std::function<void(std::int64_t timestampUs, const Frames &frames)>;

    /**
     * Validates `spec` (a bad endpoint or option value throws, a usage error) and asks the engine to
     * open it. With `recording`, every message the socket receives is also written to that capture by
     * the engine's recorder; the file is created only with the first message or at a clean end
     * (deferCreate), so a run that fails first leaves an existing file as it was.
     */
    ReceiveSession(SocketSpec spec, const ReceiveOptions &options, Wording wording,
        std::optional<CaptureWriterOptions> recording = std::nullopt);
    ReceiveSession(const ReceiveSession &) = delete;
    ReceiveSession &operator=(const ReceiveSession &) = delete;

    [[nodiscard]] Engine &engine() { return m_engine; }
    [[nodiscard]] SocketId socketId() const { return m_id; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// Messages handled so far.
    [[nodiscard]] int handled() const { return m_handled; }
    /// The formatter of this socket's lines (valid once the socket is open, i.e. in the handler).
    [[nodiscard]] MessageFormatter &formatter() { return *m_formatter; }

    /**
     * Calls `handler` for every message the socket receives until the session finishes; each one
     * counts towards --count and restarts the --timeout unless the handler finished the session.
     */
    void handleMessages(Handler handler) { m_handler = std::move(handler); }
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
    void handleOpened(const QStringList &boundEndpoints);
    void handleFailed(const QString &error);
    void readStored(quint64 endSeq);
    void timedOut();
    void stopBySignal(int signal);
    void complete(int status, const QString &error, const QString &summaryNote);
    [[nodiscard]] QString handledText() const;

    Wording m_wording;
    std::optional<int> m_count;
    std::optional<int> m_timeout;
    OutputFormat m_format;
    SocketSpec m_spec;
    std::optional<CaptureWriterOptions> m_recording;
    MessageStore m_store;
    Engine m_engine;
    SocketId m_id = 0;
    QStringList m_boundEndpoints;
    QString m_lastProblem; // the last connection problem the engine logged (connectionProblem())
    std::optional<MessageFormatter> m_formatter;
    Handler m_handler;
    QTimer m_timeoutTimer;
    Frames m_frames; // the current message's frames as views into the store, reused from message to message
    quint64 m_nextSeq = 0; // the first stored message not handled yet
    int m_signal = 0;
    int m_status = ExitSuccess;
    int m_handled = 0;
    bool m_endWhenStdoutCloses = false;
    bool m_finished = false;
    bool m_exited = false;
};

} // namespace zmqscope::cli
