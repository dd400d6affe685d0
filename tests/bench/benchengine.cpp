#include "benchengine.h"

#include "benchcommon.h"

using namespace Qt::StringLiterals;

namespace bench {

QString waitForOpenedSocket(
    zmqscope::Engine &engine, QEventLoop &events, const std::function<void()> &open, const QString &what)
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
        fail(u"cannot open %1: %2"_s.arg(what, error));
    return endpoint;
}

zmqscope::MessageStore::Limits roomForAll(qint64 messages, qint64 bodyBytes)
{
    zmqscope::MessageStore::Limits limits;
    limits.maxMessages = std::uint64_t(messages);
    limits.maxBytes = std::uint64_t(messages) * std::uint64_t(bodyBytes + 64) + (64 << 20);
    return limits;
}

void verifyStore(const QString &label, const zmqscope::MessageStore &store, zmqscope::SocketId socket,
    zmqscope::Direction direction, qint64 messages, qint64 bodyBytes, const char *mimetype)
{
    using namespace zmqscope;
    const auto total = std::uint64_t(messages);
    if (store.firstSeq() != 0 || store.endSeq() != total)
        fail(u"%1 the store holds [%2, %3), expected [0, %4)"_s.arg(label)
                 .arg(store.firstSeq())
                 .arg(store.endSeq())
                 .arg(total));
    MessageSummary summary;
    for (std::uint64_t seq = 0; seq < total; ++seq) {
        if (!store.summary(seq, summary, 32) || summary.socket != socket || summary.direction != direction
            || summary.kind != MessageKind::Envelope || summary.bodyBytes != std::uint64_t(bodyBytes)
            || summary.mimetype != mimetype
            || parseSequence(summary.id.constData(), summary.id.size()) != seq)
            fail(u"%1 message %2 in the store is not envelope number %2 (id \"%3\"): lost or reordered"_s
                     .arg(label)
                     .arg(seq)
                     .arg(QString::fromLatin1(summary.id)));
    }
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
