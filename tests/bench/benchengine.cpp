#include "benchengine.h"

#include "benchcommon.h"

using namespace Qt::StringLiterals;

namespace bench {

QString waitForOpenedSocket(zmqscope::Engine &engine, QEventLoop &events, const std::function<void()> &open)
{
    QString endpoint;
    QString error;
    const QMetaObject::Connection opened = QObject::connect(
        &engine, &zmqscope::Engine::socketOpened, &events, [&](zmqscope::SocketId, const QStringList &bound) {
            endpoint = bound.value(0);
            events.quit();
        });
    const QMetaObject::Connection failed = QObject::connect(
        &engine, &zmqscope::Engine::socketFailed, &events, [&](zmqscope::SocketId, const QString &message) {
            error = message;
            events.quit();
        });
    open();
    events.exec();
    QObject::disconnect(opened);
    QObject::disconnect(failed);
    if (endpoint.isEmpty())
        fail(u"cannot open the PULL socket: %1"_s.arg(error));
    return endpoint;
}

StallWatchdog::StallWatchdog(const zmqscope::MessageStore &store, std::uint64_t expected, int stallMs,
    QEventLoop &events, QString &error)
{
    m_timer.setInterval(stallMs);
    QObject::connect(&m_timer, &QTimer::timeout, &events, [this, &store, expected, stallMs, &events, &error] {
        const std::uint64_t now = store.endSeq();
        if (now == m_lastSeen) {
            error = u"no message for %1 ms after %2 of %3"_s.arg(stallMs).arg(now).arg(expected);
            events.quit();
        }
        m_lastSeen = now;
    });
    m_timer.start();
}

} // namespace bench
