#include "receivesession.h"

#include <QCoreApplication>

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

ReceiveOptions receiveOptions(const CommandLine &commandLine)
{
    return { commandLine.format(), commandLine.count(), commandLine.timeout() };
}

ReceiveSession::ReceiveSession(const SocketSetup &setup, const ReceiveOptions &options, Wording wording)
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
    flushStdout();
    QString message = error;
    if (m_beforeExit)
        m_beforeExit(status, message);
    if (!message.isEmpty())
        printError(message);
    QCoreApplication::exit(status);
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
    finish(ExitFailure,
        m_handled == 0
            ? u"no %1 arrived within %2 ms on %3"_s.arg(item).arg(*m_timeout).arg(describeSocket(m_socket))
            : u"no further %1 arrived within %2 ms after %3 on %4"_s.arg(item)
                  .arg(*m_timeout)
                  .arg(m_handled == 1 ? u"1 "_s + item : u"%1 %2s"_s.arg(m_handled).arg(item),
                      describeSocket(m_socket)));
}

} // namespace zmqscope::cli
