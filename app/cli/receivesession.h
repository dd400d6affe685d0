#pragma once

#include <functional>
#include <optional>

#include <QString>
#include <QTimer>

#include <zmqscope/connectionwatch.h>
#include <zmqscope/context.h>
#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>

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
 * What listen and echo share: one socket opened from the command line on a
 * PollLoop, the --count and --timeout rules, a stdout flush per batch, a clean
 * end on SIGINT/SIGTERM/SIGHUP (exit 0 with a one-line summary), and finishing
 * once with an exit status and at most one error line. A socket monitor tells
 * a timeout with no connection ("no connection was made") from a quiet peer.
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
    /// Called once by finish() before the exit; may change the status and the error (closing a file).
    using BeforeExit = std::function<void(int &status, QString &error)>;
    /// Text added to the summary line of a run ended by a signal, e.g. "; recorded to \"F\"".
    using SummaryNote = std::function<QString()>;

    ReceiveSession(const SocketSpec &setup, const ReceiveOptions &options, Wording wording);
    ReceiveSession(const ReceiveSession &) = delete;
    ReceiveSession &operator=(const ReceiveSession &) = delete;

    [[nodiscard]] Socket &socket() { return m_socket; }
    [[nodiscard]] PollLoop &loop() { return m_loop; }
    [[nodiscard]] MessageFormatter &formatter() { return m_formatter; }
    [[nodiscard]] bool isFinished() const { return m_finished; }
    /// Messages handled so far.
    [[nodiscard]] int handled() const { return m_handled; }

    void setBeforeExit(BeforeExit beforeExit) { m_beforeExit = std::move(beforeExit); }
    void setSummaryNote(SummaryNote note) { m_summaryNote = std::move(note); }
    /**
     * Calls handler for every message until the session finishes; a message
     * counts towards --count and restarts the --timeout unless the handler
     * finished the session.
     */
    void handleMessages(std::function<void(Frames &&frames)> handler);
    /// Stops receiving, flushes stdout, prints the error when there is one and exits the event loop with
    /// status.
    void finish(int status, const QString &error);
    /// Starts the --timeout and runs the event loop; returns the exit status.
    [[nodiscard]] int exec();

private:
    void timedOut();
    void stopBySignal(int signal);
    [[nodiscard]] QString handledText() const;

    Wording m_wording;
    std::optional<int> m_count;
    std::optional<int> m_timeout;
    Context m_context;
    Socket m_socket;
    MessageFormatter m_formatter;
    PollLoop m_loop;
    // Declared after the socket and the loop: destroyed (monitoring stopped) before either goes.
    std::unique_ptr<ConnectionWatch> m_watch;
    QTimer m_timeoutTimer;
    BeforeExit m_beforeExit;
    SummaryNote m_summaryNote;
    int m_signal = 0;
    int m_handled = 0;
    bool m_finished = false;
};

} // namespace zmqscope::cli
