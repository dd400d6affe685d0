// PollLoop's write readiness and input pausing (what a forwarder such as a tap needs for
// libzmq's backpressure): a writable notification arrives when the full destination drains,
// through the Read notifier of section 5 only, and a paused socket's input waits in libzmq.

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
};

void TestPollLoopWrite::writableWhenTheReaderCatchesUp()
{
    QFETCH(QString, transport);
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, transport, context, { { "rcvhwm", 2 } },
        { { "sndhwm", 2 }, { "sndtimeo", 0 } });
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
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
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
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, transport, context);
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

QTEST_GUILESS_MAIN(TestPollLoopWrite)
#include "tst_pollloopwrite.moc"
