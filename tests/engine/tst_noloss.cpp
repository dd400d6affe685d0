// No loss under stress (issue 4): a million sequence-numbered envelopes pushed
// into the engine with unlimited high-water marks, while the same engine
// thread keeps sending on another socket that also receives (its sends and
// receives consume ZMQ_FD edges: PollLoop rule 3 under stress). Every message
// must arrive exactly once and in order, on both sockets.

#include <atomic>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <zmq.hpp>

#include <QSignalSpy>
#include <QTest>

#include <zmqscope/engine/engine.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr std::uint64_t FloodMessages = 1'000'000;
constexpr int InFlight = 8; // chatter sends queued to the engine thread at any time
// Guards against a hang, not a time limit: waits end as soon as their condition holds.
constexpr int FloodTimeout = 240000;
constexpr int NetworkTimeout = 20000;

QByteArray sequenceId(std::uint64_t sequence)
{
    char digits[13];
    std::snprintf(digits, sizeof digits, "%012llu", static_cast<unsigned long long>(sequence));
    return QByteArray(digits, 12);
}

std::optional<std::uint64_t> parseSequenceId(QByteArrayView id)
{
    if (id.size() != 12)
        return std::nullopt;
    std::uint64_t value = 0;
    for (const char digit : id) {
        if (digit < '0' || digit > '9')
            return std::nullopt;
        value = value * 10 + std::uint64_t(digit - '0');
    }
    return value;
}

} // namespace

class TestNoLoss : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void millionWhileSending();
};

void TestNoLoss::millionWhileSending()
{
    MessageStore::Limits limits;
    limits.maxMessages = 4 * FloodMessages; // nothing is evicted: every message can be checked
    limits.maxBytes = std::uint64_t { 1 } << 30;
    MessageStore store(limits);
    Engine engine(store);

    QSignalSpy opened(&engine, &Engine::socketOpened);
    QSignalSpy failed(&engine, &Engine::socketFailed);
    SocketSpec floodSpec;
    floodSpec.name = u"flood"_s;
    floodSpec.type = SocketType::Pull;
    floodSpec.binds = { u"tcp://127.0.0.1:*"_s };
    floodSpec.options = { { "rcvhwm", 0 } };
    const SocketId floodId = engine.openSocket(floodSpec);
    // The chatter connects (a connecting DEALER has its pipe at once, so no send finds no peer).
    zmq::context_t peers;
    zmq::socket_t echo(peers, zmq::socket_type::dealer);
    echo.set(zmq::sockopt::sndhwm, 0);
    echo.set(zmq::sockopt::rcvhwm, 0);
    echo.set(zmq::sockopt::rcvtimeo, 50);
    echo.set(zmq::sockopt::linger, 1000);
    echo.bind("tcp://127.0.0.1:*");
    const QString chatterEndpoint = QString::fromStdString(echo.get(zmq::sockopt::last_endpoint));
    SocketSpec chatterSpec;
    chatterSpec.name = u"chatter"_s;
    chatterSpec.type = SocketType::Dealer;
    chatterSpec.connects = { chatterEndpoint };
    chatterSpec.options = { { "sndhwm", 0 }, { "rcvhwm", 0 } };
    const SocketId chatterId = engine.openSocket(chatterSpec);
    engine.sync();
    QCOMPARE(failed.size(), 0);
    QCOMPARE(opened.size(), 2);
    QCOMPARE(opened.at(0).at(0).value<SocketId>(), floodId);
    const QString floodEndpoint = opened.at(0).at(1).toStringList().value(0);
    QVERIFY(floodEndpoint.startsWith(u"tcp://127.0.0.1:"_s));

    // The chatter's peer echoes every message back, so the engine both sends and receives on it.
    std::atomic<bool> stopEcho { false };
    std::atomic<std::uint64_t> echoed { 0 };
    std::thread echoThread([&] {
        std::vector<zmq::message_t> parts;
        while (!stopEcho) {
            parts.clear();
            zmq::message_t part;
            if (!echo.recv(part))
                continue;
            parts.push_back(std::move(part));
            while (parts.back().more()) {
                zmq::message_t next;
                (void)echo.recv(next);
                parts.push_back(std::move(next));
            }
            for (std::size_t i = 0; i < parts.size(); ++i)
                echo.send(parts[i], i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
            ++echoed;
        }
    });

    // The flood: its own thread and context, as a separate process would be, unlimited high-water mark.
    zmq::socket_t push(peers, zmq::socket_type::push);
    push.set(zmq::sockopt::sndhwm, 0);
    push.set(zmq::sockopt::linger, 30000);
    push.connect(floodEndpoint.toStdString());
    std::atomic<std::uint64_t> pushed { 0 };
    std::thread pushThread([&] {
        const std::string mimetype = "application/octet-stream";
        const std::string body(16, 'b');
        for (std::uint64_t sequence = 0; sequence < FloodMessages; ++sequence) {
            const QByteArray id = sequenceId(sequence);
            push.send(zmq::const_buffer(id.constData(), std::size_t(id.size())), zmq::send_flags::sndmore);
            push.send(zmq::buffer(mimetype), zmq::send_flags::sndmore);
            push.send(zmq::buffer(body), zmq::send_flags::none);
            pushed = sequence + 1;
        }
    });
    const auto joinPeers = qScopeGuard([&] {
        if (pushThread.joinable())
            pushThread.join();
        stopEcho = true;
        if (echoThread.joinable())
            echoThread.join();
        push.close();
        echo.close();
    });

    // Meanwhile the engine thread keeps sending on the chatter socket: a few sends always queued to it.
    std::uint64_t chatterSent = 0;
    std::uint64_t chatterAcknowledged = 0;
    QString sendError;
    const auto floodIn = [&] { return engine.socket(floodId).value_or(SocketInfo {}).messagesIn; };
    std::function<void(const SendResult &)> handleResult;
    const auto sendNext = [&] {
        engine.send(chatterId, { sequenceId(chatterSent), QByteArrayLiteral("text/plain"), "ping"_ba }, this,
            handleResult);
        ++chatterSent;
    };
    handleResult = [&](const SendResult &result) {
        if (!result.sent()) {
            sendError = result.status.errorMessage();
            return;
        }
        ++chatterAcknowledged;
        if (floodIn() < FloodMessages)
            sendNext();
    };
    for (int i = 0; i < InFlight; ++i)
        sendNext();

    QTRY_VERIFY_WITH_TIMEOUT(floodIn() >= FloodMessages || !sendError.isEmpty(), FloodTimeout);
    QVERIFY2(sendError.isEmpty(), qPrintable(sendError));
    QTRY_COMPARE_WITH_TIMEOUT(chatterAcknowledged, chatterSent, NetworkTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        engine.socket(chatterId).value_or(SocketInfo {}).messagesIn, chatterSent, NetworkTimeout);
    engine.sync();
    QCOMPARE(pushed.load(), FloodMessages);
    QCOMPARE(floodIn(), FloodMessages);

    // Exactly once and in order, per socket and direction, straight from the store.
    QCOMPARE(store.stats().evicted, std::uint64_t(0));
    QCOMPARE(store.size(), FloodMessages + 2 * chatterSent);
    std::uint64_t nextFlood = 0;
    std::uint64_t nextOut = 0;
    std::uint64_t nextEcho = 0;
    std::uint64_t sendsDuringFlood = 0; // chatter sends stored between the first and the last flood message
    QString wrong; // the first message that is not what it should be
    // Views into the store, no copies: the check stays quick under sanitizers too.
    store.visit(store.firstSeq(), store.endSeq(), [&](const MessageView &message) {
        const auto sequence = message.frames.size() == 3 ? parseSequenceId(message.frames[0]) : std::nullopt;
        if (!sequence) {
            wrong = u"message %1 is not a 3-frame envelope with a sequence id"_s.arg(message.seq);
        } else if (message.socket == floodId) {
            if (message.direction != Direction::In || *sequence != nextFlood)
                wrong
                    = u"flood message %1 arrived as number %2: lost, duplicated or reordered"_s.arg(nextFlood)
                          .arg(*sequence);
            ++nextFlood;
        } else if (message.socket == chatterId) {
            const bool out = message.direction == Direction::Out;
            std::uint64_t &next = out ? nextOut : nextEcho;
            if (*sequence != next)
                wrong = u"chatter %1 message %2 came as number %3"_s.arg(out ? u"sent"_s : u"echoed"_s)
                            .arg(next)
                            .arg(*sequence);
            ++next;
            if (out && nextFlood > 0 && nextFlood < FloodMessages)
                ++sendsDuringFlood;
        } else {
            wrong = u"message %1 is from unknown socket %2"_s.arg(message.seq).arg(message.socket);
        }
        return wrong.isEmpty();
    });
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
    QCOMPARE(nextFlood, FloodMessages);
    QCOMPARE(nextOut, chatterSent);
    QCOMPARE(nextEcho, chatterSent);
    // The stress was real: the engine thread sent while the flood was being drained.
    QVERIFY2(sendsDuringFlood >= 100,
        qPrintable(u"only %1 chatter sends happened during the flood"_s.arg(sendsDuringFlood)));
    qInfo(
        "%llu flood messages in order; %llu chatter sends (%llu during the flood) and their echoes in order",
        static_cast<unsigned long long>(nextFlood), static_cast<unsigned long long>(chatterSent),
        static_cast<unsigned long long>(sendsDuringFlood));
}

QTEST_GUILESS_MAIN(TestNoLoss)
#include "tst_noloss.moc"
