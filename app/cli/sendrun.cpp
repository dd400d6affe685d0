// send's run on the engine: open, wait for subscribers, settle, send (ahead, in order), wait for
// replies, all on the event loop so a stop signal ends any wait.

#include "sendrun.h"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <utility>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTimer>

#include <zmqscope/engine/engine.h>
#include <zmqscope/store/messagestore.h>

#include "messageformatter.h"
#include "securityoptions.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

/**
 * Sends through the Engine, driven by its signals and by timers while the event loop runs: open,
 * wait for subscribers (--wait-peers), settle, then per message send (retried every RetryMs while
 * the socket cannot take it; up to SendWindow messages ahead when no reply or --interval comes
 * between them), wait for the reply (REQ, DEALER) and pause (--interval). A stop signal ends any
 * of these waits. Replies and subscriptions are read from the store as the engine stores them.
 * Not a Q_OBJECT: it is the context object of its connections and send callbacks.
 */
class SendRun : public QObject
{
public:
    SendRun(Engine &engine, SendPlan plan)
        : m_engine(engine)
        , m_plan(std::move(plan))
    {
        // Precise: a coarse timer may fire up to 5 % early, and --timeout, --interval and --settle are
        // promises.
        for (QTimer *timer : { &m_timer, &m_deadlineTimer }) {
            timer->setSingleShot(true);
            timer->setTimerType(Qt::PreciseTimer);
        }
        connect(&m_engine, &Engine::socketOpened, this, [this](SocketId id, const QStringList &bound) {
            if (id == m_id)
                guarded([&] { handleOpened(bound); });
        });
        connect(&m_engine, &Engine::socketFailed, this, [this](SocketId id, const QString &error) {
            if (id == m_id)
                handleOpenFailed(error);
        });
        connect(&m_engine, &Engine::messagesStored, this, [this] { guarded([&] { readStore(); }); });
        connect(
            &m_engine, &Engine::eventLogged, this, [this](const EngineEvent &event) { handleEvent(event); });
        connect(&m_timer, &QTimer::timeout, this, [this] { guarded([&] { handleTimer(); }); });
        connect(&m_deadlineTimer, &QTimer::timeout, this, [this] { guarded([&] { handleDeadline(); }); });
    }

    /// Opens the socket and runs until the last message is sent (and answered), a failure or a stop
    /// signal. Throws CliError for a failure; the socket's close, dropping what it queued, is asked
    /// for by then, so destroying the Engine does not wait for the linger.
    int exec()
    {
        handleStopSignal([this](int signal) { handleStop(signal); });
        // A reader that must see every reply and subscription: the store keeps them until read.
        m_engine.holdFrom(0);
        m_id = m_engine.openSocket(m_plan.spec);
        const int result = QCoreApplication::exec();
        handleStopSignal({});
        if (m_failure)
            throw *m_failure;
        return result;
    }

private:
    enum class Phase
    {
        Opening,
        WaitingForSubscribers,
        Settling,
        Sending, ///< sends are in the engine, or wait RetryMs to be tried again
        WaitingForReply,
        Pausing, ///< --interval between two messages
        Stopping, ///< a stop signal came: the results of the sends in the engine are still counted
        Done
    };

    // Every step runs from the event loop, which must not see an exception: it ends the run instead.
    template<typename Step> void guarded(Step &&step)
    {
        if (m_phase == Phase::Done)
            return;
        try {
            step();
        } catch (const CliError &error) {
            fail(error);
        } catch (const Error &error) {
            fail(CliError { exitStatusFor(error.code()), error.message() });
        }
    }

    void handleOpened(const QStringList &bound)
    {
        m_bound = bound;
        printOpened(m_plan.spec, bound);
        m_formatter.emplace(m_plan.format, m_plan.spec.name, m_plan.type, endpointText(m_plan.spec, m_bound));
        if (!m_plan.waitPeers) {
            settle();
            return;
        }
        m_phase = Phase::WaitingForSubscribers;
        m_deadlineTimer.start(m_plan.timeout);
        readStore(); // subscriptions may be stored already
    }

    void handleOpenFailed(const QString &error)
    {
        // A bad endpoint or option value is the user's (status 2), an address in use is not (1).
        fail(CliError { openFailureStatus(m_engine, m_id), error });
    }

    // The monitor's last word on a connection problem, for "not delivered": a refused or retried connect
    // (the Retrying state, whose line the GUI's Sockets panel shows too) or a monitor error, which
    // names its endpoint. A failed send's line names none: it is not a connection problem.
    void handleEvent(const EngineEvent &event)
    {
        if (QString problem = connectionProblem(event, m_id); !problem.isEmpty())
            m_lastProblem = std::move(problem);
        if (m_phase == Phase::Done)
            return;
        // A client whose handshake failed reaches nobody: its line, not "no reply within N ms" later.
        if (QString failure = handleSecurityEvent(event, m_id, handshakeFailureEndsRun(m_plan.spec));
            !failure.isEmpty())
            fail(runtimeError(failure));
    }

    void settle()
    {
        m_phase = Phase::Settling;
        m_timer.start(m_plan.settle);
    }

    void handleTimer()
    {
        switch (m_phase) {
        case Phase::Settling:
        case Phase::Pausing:
            startSending();
            return;
        case Phase::Sending:
            retryHeld();
            return;
        default:
            return;
        }
    }

    void handleDeadline()
    {
        if (m_phase == Phase::WaitingForSubscribers) {
            throw runtimeError(u"only %1 of %2 subscribers arrived within %3 ms on %4"_s.arg(m_subscribers)
                                   .arg(*m_plan.waitPeers)
                                   .arg(m_plan.timeout)
                                   .arg(describeSocket(m_plan.spec, m_bound)));
        }
        if (m_phase != Phase::WaitingForReply)
            return;
        readStore(); // a reply stored just now still counts
        if (m_phase != Phase::WaitingForReply)
            return;
        const std::optional<SocketInfo> info = m_engine.socket(m_id);
        if (!info || !info->everConnected)
            throw notDelivered(m_sent - 1);
        throw runtimeError(
            u"no reply within %1 ms on %2%3"_s.arg(m_plan.timeout)
                .arg(describeSocket(m_plan.spec, m_bound),
                    m_plan.repeat > 1 ? u" (request %1 of %2)"_s.arg(m_sent).arg(m_plan.repeat) : QString()));
    }

    // The next message, or with --repeat and no reply to wait for, the next SendWindow messages: they
    // are given to the engine in order with sendOrdered(), which holds the ones behind a message the
    // socket cannot take yet, so none overtakes another and none is skipped.
    void startSending()
    {
        m_phase = Phase::Sending;
        m_deadline = QDeadlineTimer(m_plan.timeout);
        fill();
    }

    [[nodiscard]] bool pipelined() const
    {
        return !m_plan.waitsForReply && m_plan.interval == 0 && m_plan.spec.type != SocketType::XSub;
    }

    void fill()
    {
        const std::size_t window = pipelined() ? SendWindow : 1;
        while (m_held.empty() && m_inFlight.size() < window && m_made < m_plan.repeat)
            submit(Pending { m_made++, m_plan.nextMessage() });
    }

    struct Pending
    {
        int index = 0; ///< from 0
        Frames frames;
    };

    void submit(Pending message)
    {
        // XSUB sends to every peer there is and drops the message when there is none: wait for one.
        if (m_plan.spec.type == SocketType::XSub) {
            const std::optional<SocketInfo> info = m_engine.socket(m_id);
            if (!info || info->peers == 0) {
                m_held.push_back(std::move(message));
                retryLater();
                return;
            }
        }
        // sendOrdered: a message the socket cannot take yet (EAGAIN: no peer ready, queues full) comes
        // back deferred, neither logged nor made the socket's lastError as send() would every RetryMs.
        const bool resume = std::exchange(m_resume, false);
        m_inFlight.push_back(std::move(message));
        m_engine.sendOrdered(m_id, m_inFlight.back().frames, resume, this,
            [this](const SendResult &result) { guarded([&] { handleSendResult(result); }); });
    }

    void handleSendResult(const SendResult &result)
    {
        if ((m_phase != Phase::Sending && m_phase != Phase::Stopping) || m_inFlight.empty())
            return;
        Pending message = std::move(m_inFlight.front());
        m_inFlight.pop_front();
        if (m_phase == Phase::Stopping) {
            if (result.sent())
                ++m_sent;
            if (m_inFlight.empty())
                stop();
            return;
        }
        if (!result.sent()) {
            // A ROUTER's router_mandatory: no peer of that routing id (yet). The engine fails and logs
            // it like any error (and holds the stream); it is retried all the same, as a message no
            // peer can take yet.
            const bool noSuchPeer
                = m_plan.spec.type == SocketType::Router && result.status.error().zmqErrno() == EHOSTUNREACH;
            if (!result.deferred && !noSuchPeer) {
                const Error &error = result.status.error();
                throw CliError { exitStatusFor(error.code()), error.message() };
            }
            // The ones behind it come back deferred too, untried: all are tried again, in order.
            m_held.push_back(std::move(message));
            if (m_inFlight.empty())
                retryLater();
            return;
        }
        ++m_sent;
        if (m_plan.waitsForReply) {
            m_phase = Phase::WaitingForReply;
            m_deadlineTimer.start(int(qMax<qint64>(1, m_deadline.remainingTime())));
            readStore();
            return;
        }
        if (m_sent == m_plan.repeat) {
            finishSent();
            return;
        }
        if (!pipelined()) {
            m_phase = Phase::Pausing;
            m_timer.start(m_plan.interval);
            return;
        }
        m_deadline = QDeadlineTimer(m_plan.timeout); // the next message has --timeout from now
        fill();
    }

    void retryLater()
    {
        if (m_deadline.hasExpired())
            throw notDelivered(m_held.front().index);
        m_timer.start(RetryMs);
    }

    void retryHeld()
    {
        std::deque<Pending> again;
        again.swap(m_held);
        m_resume = true;
        for (Pending &message : again)
            submit(std::move(message));
        fill();
    }

    // After the reply to message m_sent.
    void replied()
    {
        if (m_sent == m_plan.repeat) {
            finishSent();
            return;
        }
        m_phase = Phase::Pausing;
        m_timer.start(m_plan.interval);
    }

    void finishSent()
    {
        // Said once per run: a PUB's "sent" means handed to libzmq, not received by anybody.
        const bool isPub = m_plan.type == SocketType::Pub || m_plan.type == SocketType::XPub;
        const QString messages = countWord(quint64(m_plan.repeat), u"message"_s);
        printStatus(isPub ? u"sent %1 (PUB does not confirm delivery: a subscriber that was not connected "
                            u"and subscribed got nothing)"_s.arg(messages)
                          : u"sent %1"_s.arg(messages));
        finish(ExitSuccess);
    }

    // The messages the engine stored since the last call: subscriptions while waiting for subscribers,
    // the reply while waiting for one; what comes at other times is not for us.
    void readStore()
    {
        const MessageStore &store = m_engine.store();
        const std::uint64_t end = store.endSeq();
        for (std::uint64_t seq = std::max(m_readSeq, store.firstSeq()); seq < end; ++seq) {
            m_readSeq = seq + 1;
            StoredMessage message;
            if (!store.message(seq, message) || message.socket != m_id || message.direction != Direction::In)
                continue;
            if (m_phase == Phase::WaitingForSubscribers) {
                // "\x01<prefix>" subscribes, "\x00<prefix>" unsubscribes.
                if (!message.frames.isEmpty() && message.frames.constFirst().startsWith('\x01')
                    && ++m_subscribers == *m_plan.waitPeers) {
                    m_deadlineTimer.stop();
                    printStatus(u"%1 subscriber(s) ready"_s.arg(m_subscribers));
                    settle();
                }
            } else if (m_phase == Phase::WaitingForReply) {
                m_deadlineTimer.stop();
                writeStdout(m_formatter->format(message.timestampUs, Direction::In, message.frames));
                flushStdout();
                replied();
            }
            if (m_phase == Phase::Done)
                return;
        }
        m_engine.holdFrom(m_readSeq);
    }

    [[nodiscard]] CliError notDelivered(int index) const
    {
        const std::optional<SocketInfo> info = m_engine.socket(m_id);
        QString why;
        if (info && info->peers > 0)
            why = u"the connected peers did not take it (their queues are full)"_s;
        else
            why = m_lastProblem.isEmpty() ? u"no peer connected"_s : u"no peer connected; "_s + m_lastProblem;
        return runtimeError(
            u"not delivered: nobody took the message within %1 ms on %2%3 (%4)"_s.arg(m_plan.timeout)
                .arg(describeSocket(m_plan.spec, m_bound),
                    m_plan.repeat > 1 ? u" (message %1 of %2)"_s.arg(index + 1).arg(m_plan.repeat)
                                      : QString(),
                    why));
    }

    void handleStop(int signal)
    {
        if (m_phase == Phase::Done || m_phase == Phase::Stopping)
            return;
        m_stopSignal = signal;
        // The summary counts what the engine sent: the sends it has are answered within moments (a
        // second signal would end the process at once anyway).
        if (!m_inFlight.empty()) {
            m_timer.stop();
            m_phase = Phase::Stopping;
            return;
        }
        stop();
    }

    void stop()
    {
        printStatus(u"stopped by %1 after sending %2 of %3"_s.arg(signalName(m_stopSignal),
            QString::number(m_sent), countWord(quint64(m_plan.repeat), u"message"_s)));
        m_stopped = true;
        finish(ExitSuccess);
    }

    void fail(const CliError &error)
    {
        if (m_phase == Phase::Done)
            return;
        m_failure = error;
        finish(error.status);
    }

    void finish(int status)
    {
        m_phase = Phase::Done;
        m_timer.stop();
        m_deadlineTimer.stop();
        m_engine.releaseHold();
        // A failed or stopped run does not wait --timeout for its queued message to find a peer; a run
        // that sent everything gives it that long to get there (the linger, when the Engine closes).
        if ((m_failure || m_stopped) && m_id != 0)
            m_engine.closeSocketDiscarding(m_id);
        QCoreApplication::exit(status);
    }

    static constexpr int RetryMs = 10;
    // Messages given to the engine ahead of their results (--repeat without replies or --interval):
    // one round trip to the engine thread per message would slow --repeat down several times.
    static constexpr std::size_t SendWindow = 64;

    Engine &m_engine;
    const SendPlan m_plan;
    SocketId m_id = 0;
    Phase m_phase = Phase::Opening;
    QStringList m_bound; // resolved bound endpoints, as socketOpened told them
    std::optional<MessageFormatter> m_formatter;
    QTimer m_timer; // settle, retry, interval
    QTimer m_deadlineTimer; // --wait-peers, the reply
    QDeadlineTimer m_deadline; // --timeout of the first message not taken yet
    std::deque<Pending> m_inFlight; // given to the engine, its result not here yet, in order
    std::deque<Pending> m_held; // not taken yet: tried again after RetryMs, in order
    bool m_resume = false; // the next sendOrdered() resumes the stream the engine holds
    int m_made = 0; // messages made (templates expanded) so far
    int m_sent = 0;
    int m_subscribers = 0;
    std::uint64_t m_readSeq = 0;
    QString m_lastProblem;
    std::optional<CliError> m_failure;
    bool m_stopped = false;
    int m_stopSignal = 0;
};

} // namespace

int sendThroughEngine(SendPlan plan)
{
    // The engine stores what it sends and receives; send reads the replies and subscriptions from it
    // and needs nothing kept for long.
    MessageStore store(MessageStore::Limits { 1024, 1 << 20, 64 << 10 });
    Engine engine(store);
    SendRun run(engine, std::move(plan));
    return run.exec();
}

} // namespace zmqscope::cli
