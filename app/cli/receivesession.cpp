#include "receivesession.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

ReceiveOptions receiveOptions(const CommandLine &commandLine)
{
    return { commandLine.format(), commandLine.count(), commandLine.timeout() };
}

ReceiveSession::ReceiveSession(const SocketSpec &setup, const ReceiveOptions &options, Wording wording)
    : m_wording(std::move(wording))
    , m_count(options.count)
    , m_timeout(options.timeout)
    , m_socket(openSocket(setup, m_context, {}))
    , m_formatter(options.format, setup.name, setup.type, endpointText(m_socket))
{
    m_timeoutTimer.setSingleShot(true);
    QObject::connect(&m_timeoutTimer, &QTimer::timeout, &m_loop, [this] { timedOut(); });
    // One flush per batch, not per message: a flood stays cheap.
    QObject::connect(&m_loop, &PollLoop::inputHandled, &m_loop, [] { flushStdout(); });
    QObject::connect(&m_loop, &PollLoop::errorOccurred, &m_loop,
        [this](Socket *, const QString &message) { finish(ExitFailure, message); });
    QObject::connect(&m_loop, &PollLoop::socketTerminated, &m_loop, [this](Socket *) {
        finish(ExitFailure,
            u"the context was shut down while %1 on %2"_s.arg(m_wording.activity, describeSocket(m_socket)));
    });
    if (!setup.connects.isEmpty())
        m_watch = std::make_unique<ConnectionWatch>(m_socket, m_loop);
    handleStopSignal([this](int signal) { stopBySignal(signal); });
}

void ReceiveSession::handleMessages(std::function<void(Frames &&frames)> handler)
{
    m_loop.registerReceiver(m_socket, [this, handler = std::move(handler)](Socket &, Frames &&frames) {
        if (m_finished)
            return;
        handler(std::move(frames));
        if (m_finished)
            return;
        ++m_handled;
        if (m_count && m_handled >= *m_count) {
            finish(ExitSuccess, QString());
            return;
        }
        if (m_timeout)
            m_timeoutTimer.start(*m_timeout);
    });
}

void ReceiveSession::finish(int status, const QString &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_timeoutTimer.stop();
    m_loop.unregisterSocket(m_socket);
    if (m_watch)
        m_watch->stop();
    flushStdout();
    QString message = error;
    if (m_beforeExit)
        m_beforeExit(status, message);
    if (!message.isEmpty())
        printError(message);
    else if (m_signal != 0)
        printStatus(u"stopped by %1 after %2%3"_s.arg(
            signalName(m_signal), handledText(), m_summaryNote ? m_summaryNote() : QString()));
    QCoreApplication::exit(status);
}

void ReceiveSession::stopBySignal(int signal)
{
    if (m_finished)
        return;
    // DESIGN.md section 12: a signal is the normal end of an open-ended run, like tcpdump's Ctrl+C.
    m_signal = signal;
    finish(ExitSuccess, QString());
}

QString ReceiveSession::handledText() const
{
    return countWord(quint64(m_handled), m_wording.item);
}

int ReceiveSession::exec()
{
    if (m_timeout)
        m_timeoutTimer.start(*m_timeout);
    return QCoreApplication::exec();
}

void ReceiveSession::timedOut()
{
    const QString &item = m_wording.item;
    // A connect never fails by itself (libzmq retries forever): without the monitor, "nothing
    // arrived" would hide that nothing was there to send it.
    if (m_handled == 0 && m_watch && !m_watch->everConnected()) {
        const QString problem = m_watch->lastProblem();
        finish(ExitFailure,
            u"no %1 arrived within %2 ms on %3: no connection was made%4"_s.arg(item)
                .arg(*m_timeout)
                .arg(describeSocket(m_socket), problem.isEmpty() ? QString() : u" ("_s + problem + u')'));
        return;
    }
    finish(ExitFailure,
        m_handled == 0
            ? u"no %1 arrived within %2 ms on %3"_s.arg(item).arg(*m_timeout).arg(describeSocket(m_socket))
            : u"no further %1 arrived within %2 ms after %3 on %4"_s.arg(item)
                  .arg(*m_timeout)
                  .arg(handledText(), describeSocket(m_socket)));
}

} // namespace zmqscope::cli
