// PollLoop's write readiness and input pausing (what a forwarder such as a tap needs for
// libzmq's backpressure): a writable notification arrives when the full destination drains,
// through the Read notifier of section 5 only, and a paused socket's input waits in libzmq.
// And Socket::forward() from a parts receiver: the parts are handed on or left as they were, and
// rule 3 still holds for the destination when its re-check waits for the end of the drain.

#include <span>
#include <string>
#include <vector>
#include <zmq.hpp>

#include <QCoreApplication>
#include <QTest>

#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>

#include "testsupport.h"

using namespace testsupport::suite;
using zmqscope::PollLoop;

namespace {

/// Sends one-frame messages on `socket` until libzmq refuses (sndtimeo 0); returns how many it took.
int fillUntilFull(Socket &socket)
{
    for (int sent = 0;; ++sent) {
        const auto error = errorOf([&] { socket.sendFrames(Frames { QByteArray::number(sent) }); });
        if (error) {
            if (error->code() != ErrorCode::Timeout)
                qWarning("unexpected error: %s", qPrintable(error->message()));
            return sent;
        }
    }
}

/// Runs the event loop until nothing more is posted (every queued drain ran).
void settle()
{
    for (int i = 0; i < 10; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
}

} // namespace

class TestPollLoopWrite : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void writableWhenTheReaderCatchesUp_data() { testsupport::transportTable(); }
    void writableWhenTheReaderCatchesUp();
    void writableAlready();
    void pausedInputWaits_data() { testsupport::transportTable(); }
    void pausedInputWaits();
    void unregisteredSocketsAreRefused();
    void forwardHandsThePartsOn();
    void forwardLeavesThePartsWhenRefused();
    void forwardInsideADrainRechecksTheDestination();
};

void TestPollLoopWrite::writableWhenTheReaderCatchesUp()
{
    QFETCH(QString, transport);
    const Context context;
    PollLoop loop;
    auto pair = makePair(SocketType::Pull, SocketType::Push, transport, context, { { "rcvhwm", 2 } },
        { { "sndhwm", 2 }, { "sndtimeo", 0 } });
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    // A PUSH never has input; its registration is what lets the loop watch its ZMQ_FD.
    loop.registerSocket(push, [](Socket &) {});
    // Wait for the connection (a PUSH with no peer refuses every send at once).
    QTRY_VERIFY(push.canSend());
    const int sent = fillUntilFull(push);
    QVERIFY(sent > 0);
    int calls = 0;
    loop.notifyWhenWritable(push, [&](Socket &socket) {
        QCOMPARE(&socket, &push);
        ++calls;
    });
    settle();
    // Over inproc the pipe stays full until we read (over tcp libzmq's I/O thread may free room
    // by itself, moving messages into the connection).
    if (transport == u"inproc"_s)
        QCOMPARE(calls, 0);
    // Reading outside the loop frees room; libzmq tells the PUSH through its ZMQ_FD edge only.
    int received = 0;
    while (received == 0 || calls == 0) {
        const auto frames = pull.receiveFrames(DeliveryTimeout);
        QVERIFY(frames);
        QCOMPARE(frames->constFirst(), QByteArray::number(received));
        ++received;
        QTest::qWait(0);
    }
    QTRY_COMPARE(calls, 1);
    QVERIFY(push.canSend());
    settle();
    QCOMPARE(calls, 1); // one-shot
    // Everything sent before the wait arrives, in order, once the reader goes on.
    while (received < sent) {
        const auto frames = pull.receiveFrames(DeliveryTimeout);
        QVERIFY(frames);
        QCOMPARE(frames->constFirst(), QByteArray::number(received));
        ++received;
    }
}

void TestPollLoopWrite::writableAlready()
{
    const Context context;
    PollLoop loop;
    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &push = pair.connected; // its peer, pair.bound, takes whatever is sent
    loop.registerSocket(push, [](Socket &) {});
    QTRY_VERIFY(push.canSend());
    settle();
    int calls = 0;
    loop.notifyWhenWritable(push, [&](Socket &) { ++calls; });
    QTRY_COMPARE(calls, 1); // no edge will come: the loop must look by itself
}

void TestPollLoopWrite::pausedInputWaits()
{
    QFETCH(QString, transport);
    const Context context;
    PollLoop loop;
    auto pair = makePair(SocketType::Pull, SocketType::Push, transport, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    QList<QByteArray> received;
    loop.registerReceiver(pull, [&](Socket &, Frames &&frames) {
        received.append(frames.constFirst());
        if (received.size() == 2)
            loop.setInputPaused(pull, true); // from inside the handler: the drain stops here
    });
    for (int i = 0; i < 5; ++i)
        push.sendFrames(Frames { QByteArray::number(i) });
    QTRY_COMPARE(received.size(), 2);
    QVERIFY(loop.isInputPaused(pull));
    push.sendFrames(Frames { "5" });
    settle();
    QCOMPARE(received.size(), 2);
    QVERIFY(pull.hasPendingInput()); // waiting in libzmq, and reading ZMQ_EVENTS does not deliver it
    settle();
    QCOMPARE(received.size(), 2);
    loop.setInputPaused(pull, false);
    QTRY_COMPARE(received.size(), 6);
    QCOMPARE(received, (QList<QByteArray> { "0", "1", "2", "3", "4", "5" }));
}

void TestPollLoopWrite::unregisteredSocketsAreRefused()
{
    const Context context;
    PollLoop loop;
    Socket push = Socket::create(SocketType::Push, context);
    const auto paused = errorOf([&] { loop.setInputPaused(push, true); });
    QVERIFY(paused);
    QCOMPARE(paused->code(), ErrorCode::WrongState);
    QVERIFY2(paused->message().contains(u"setInputPaused"_s), qPrintable(paused->message()));
    const auto writable = errorOf([&] { loop.notifyWhenWritable(push, [](Socket &) {}); });
    QVERIFY(writable);
    QCOMPARE(writable->code(), ErrorCode::WrongState);
    QVERIFY(!loop.isInputPaused(push));
}

void TestPollLoopWrite::forwardHandsThePartsOn()
{
    const Context context;
    PollLoop loop;
    auto input = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &source = input.bound;
    Socket &sender = input.connected;
    auto output = makePair(SocketType::Push, SocketType::Pull, u"inproc"_s, context);
    Socket &destination = output.bound;
    Socket &receiver = output.connected;
    loop.registerSocket(destination, [](Socket &) {});
    const QByteArray big(300, 'b'); // kept outside the message object by libzmq, unlike the small frame
    QList<QList<QByteArray>> seen;
    std::vector<std::size_t> sizesAfter;
    loop.registerPartsReceiver(
        source, [&](Socket &, std::span<zmq::message_t> parts, std::span<const QByteArrayView> views) {
            QList<QByteArray> copy;
            for (const QByteArrayView view : views)
                copy.append(view.toByteArray());
            seen.append(copy);
            QCOMPARE(parts.size(), views.size());
            QCOMPARE(destination.forward(parts), Socket::ForwardResult::Sent);
            for (const zmq::message_t &part : parts)
                sizesAfter.push_back(part.size());
        });
    sender.sendFrames(Frames { "id", big });
    sender.sendFrames(Frames { "one" });
    QTRY_COMPARE(seen.size(), 2); // the loop forwards them
    const auto first = receiver.receiveFrames(DeliveryTimeout);
    QVERIFY(first);
    QCOMPARE(*first, (Frames { "id", big }));
    const auto second = receiver.receiveFrames(DeliveryTimeout);
    QVERIFY(second);
    QCOMPARE(*second, Frames { "one" });
    QCOMPARE(seen, (QList<QList<QByteArray>> { { "id", big }, { "one" } }));
    // Taken over: what was sent is left empty in the caller's hands.
    QCOMPARE(sizesAfter, (std::vector<std::size_t> { 0, 0, 0 }));
    const auto none = errorOf([&] { (void)destination.forward({}); });
    QVERIFY(none);
    QCOMPARE(none->code(), ErrorCode::InvalidBody);
}

void TestPollLoopWrite::forwardLeavesThePartsWhenRefused()
{
    const Context context;
    // A PUSH with no peer refuses at once (sndtimeo 0 is not needed: forward() never waits).
    Socket lonely = Socket::create(SocketType::Push, context);
    std::vector<zmq::message_t> parts;
    parts.emplace_back("head", 4);
    parts.emplace_back(std::string(300, 'x').data(), 300);
    QCOMPARE(lonely.forward(parts), Socket::ForwardResult::WouldBlock);
    QCOMPARE(parts[0].to_string(), std::string("head"));
    QCOMPARE(parts[1].size(), std::size_t(300));
    // A ROUTER with router_mandatory and no peer of that routing id: unreachable, parts kept too.
    Socket router = Socket::create(SocketType::Router, context);
    router.setOption("router_mandatory", true);
    router.bind(u"inproc://forward-unreachable"_s);
    std::vector<zmq::message_t> routed;
    routed.emplace_back("nobody", 6);
    routed.emplace_back("body", 4);
    QCOMPARE(router.forward(routed), Socket::ForwardResult::Unreachable);
    QCOMPARE(routed[0].to_string(), std::string("nobody"));
    QCOMPARE(routed[1].to_string(), std::string("body"));
}

void TestPollLoopWrite::forwardInsideADrainRechecksTheDestination()
{
    const Context context;
    PollLoop loop;
    auto input = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &source = input.bound;
    Socket &sender = input.connected;
    auto output = makePair(SocketType::Pair, SocketType::Pair, u"inproc"_s, context);
    Socket &destination = output.bound;
    Socket &peer = output.connected;
    QList<QByteArray> atDestination;
    loop.registerReceiver(
        destination, [&](Socket &, Frames &&frames) { atDestination.append(frames.first()); });
    int forwarded = 0;
    loop.registerPartsReceiver(
        source, [&](Socket &, std::span<zmq::message_t> parts, std::span<const QByteArrayView>) {
            // The destination's peer answers now: over inproc its fd turns readable at once, one edge.
            peer.sendFrames(Frames { "answer" });
            // libzmq's send processes the destination's commands only every millisecond or so; past that,
            // the forward takes the edge of the answer that is waiting.
            QTest::qSleep(5);
            QCOMPARE(destination.forward(parts), Socket::ForwardResult::Sent);
            ++forwarded;
        });
    settle();
    sender.sendFrames(Frames { "request" });
    QTRY_COMPARE(forwarded, 1);
    const auto atPeer = peer.receiveFrames(DeliveryTimeout);
    QVERIFY(atPeer);
    QCOMPARE(*atPeer, Frames { "request" });
    // No edge is left for the answer: only the re-check after the drain finds it.
    QTRY_COMPARE(atDestination, QList<QByteArray> { "answer" });
}

QTEST_GUILESS_MAIN(TestPollLoopWrite)
#include "tst_pollloopwrite.moc"
