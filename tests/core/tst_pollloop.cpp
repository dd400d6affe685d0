// PollLoop: one test per rule of DESIGN.md section 5, each written so that it
// fails when the rule is broken in pollloop.cpp/socket.cpp, plus the
// registration contract (whole messages, re-registering, unregistering,
// closing or destroying a socket from inside its own handler).
// Over 800 lines on purpose: one test class per file (DESIGN.md section 10) for one class.

#include <atomic>
#include <functional>
#include <memory>
#include <pthread.h>
#include <signal.h>
#include <thread>
#include <vector>

#include <QCoreApplication>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSocketNotifier>
#include <QTest>
#include <QTestEventLoop>
#include <QTimer>

#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>

#include "testsupport.h"

using namespace testsupport::suite;
using zmqscope::PollLoop;

/// Something done to a registered socket outside its drain; returns how many messages it took off.
using OutsideAction = std::function<int(Socket &registered, Socket &peer, Socket &spare)>;
Q_DECLARE_METATYPE(OutsideAction)

namespace {

/// Counts QSocketNotifier activations (QEvent::SockAct) in the whole application.
class NotifierActivationCounter : public QObject
{
public:
    NotifierActivationCounter() { QCoreApplication::instance()->installEventFilter(this); }
    ~NotifierActivationCounter() override { QCoreApplication::instance()->removeEventFilter(this); }
    int count = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::SockAct)
            ++count;
        return QObject::eventFilter(watched, event);
    }
};

/// Runs the event loop until nothing is posted or active any more (connections settle, drains finish).
void settle()
{
    for (int i = 0; i < 5; ++i) {
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        QTest::qWait(5);
    }
}

std::atomic<int> signalsHandled { 0 };

extern "C" void countSignal(int)
{
    signalsHandled.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

class TestPollLoop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rule1_onlyReadNotifiers_data() { testsupport::transportTable(); }
    void rule1_onlyReadNotifiers();
    void rule2_burstDrainedFromOneEdge_data() { testsupport::transportTable(); }
    void rule2_burstDrainedFromOneEdge();
    void rule3_reqRoundTripsDrivenByTheLoop_data();
    void rule3_reqRoundTripsDrivenByTheLoop();
    void rule3_activityOutsideTheDrain_data();
    void rule3_activityOutsideTheDrain();
    void rule4_queuedBeforeRegistering_data() { testsupport::transportTable(); }
    void rule4_queuedBeforeRegistering();
    void rule4_bindConnectAfterRegistering_data();
    void rule4_bindConnectAfterRegistering();
    void rule5_floodDoesNotStarveOthers();
    void rule5_boundedActivations();
    void rule5_handlerThatDoesNotReceive();
    void rule6_eintrDuringBlockingReceive_data();
    void rule6_eintrDuringBlockingReceive();
    void rule6_etermDropsRegisteredSockets();
    void wholeMultipartMessages_data() { testsupport::transportTable(); }
    void wholeMultipartMessages();
    void socketHandlerReceivesItself();
    void handlerErrorKeepsSocketRegistered();
    void leaveInsideOwnHandler_data();
    void leaveInsideOwnHandler();
    void registerAgainReplacesHandler();
    void registerAgainInsideHandler();
    void movedSocketStaysRegistered();
    void registrationErrorsAndLifetimes();
};

void TestPollLoop::rule1_onlyReadNotifiers()
{
    QFETCH(QString, transport);
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, transport, context);
    auto [a, b] = makePair(SocketType::Pair, SocketType::Pair, transport, context);
    int received = 0;
    loop.registerReceiver(pull, [&](Socket &, Frames &&) { ++received; });
    loop.registerReceiver(a, [&](Socket &, Frames &&) { ++received; });

    const auto notifiers = loop.findChildren<QSocketNotifier *>();
    QCOMPARE(notifiers.size(), 2);
    QSet<qintptr> fds;
    for (const QSocketNotifier *notifier : notifiers) {
        QCOMPARE(notifier->type(), QSocketNotifier::Read);
        QVERIFY(notifier->isEnabled());
        fds.insert(notifier->socket());
    }
    QCOMPARE(fds, (QSet<qintptr> { pull.fileDescriptor(), a.fileDescriptor() }));

    // Let the connections settle: one message each way through the loop.
    push.sendText("hello");
    b.sendText("hello");
    QTRY_COMPARE(received, 2);
    settle();

    // Idle sockets wake the loop essentially never; ZMQ_FD is always writable, so a Write notifier would fire
    // on every iteration of the event loop.
    NotifierActivationCounter counter;
    QTest::qWait(100);
    QVERIFY2(counter.count <= 4, qPrintable(u"%1 notifier activations on idle sockets"_s.arg(counter.count)));

    loop.unregisterSocket(pull);
    QCOMPARE(loop.findChildren<QSocketNotifier *>().size(), 1);
}

void TestPollLoop::rule2_burstDrainedFromOneEdge()
{
    QFETCH(QString, transport);
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, transport, context);
    int received = 0;
    std::vector<int> batches;
    loop.registerReceiver(pull, [&](Socket &, Frames &&frames) {
        QCOMPARE(frames.value(2), QByteArray::number(received));
        ++received;
    });
    QObject::connect(
        &loop, &PollLoop::inputHandled, &loop, [&](Socket *, int count) { batches.push_back(count); });
    loop.setMaxTimePerActivation(1min); // only the message count bounds an activation here
    settle(); // the registration's own check has run and found nothing

    // A burst sent before the event loop runs again: one fd edge for all of it.
    constexpr int Burst = 200;
    static_assert(Burst < 256, "one activation handles it all");
    for (int i = 0; i < Burst; ++i)
        push.sendText(QByteArray::number(i));
    QTRY_COMPARE(received, Burst);
    if (transport == u"inproc"_s) {
        // inproc delivers synchronously: the whole burst was there at the first activation.
        QCOMPARE(batches, std::vector<int> { Burst });
    }
    settle();
    QCOMPARE(received, Burst);
}

void TestPollLoop::rule3_reqRoundTripsDrivenByTheLoop_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<bool>("statusPolling");
    for (const bool polling : { false, true }) {
        for (const char *transport : { "inproc", "tcp" })
            QTest::addRow("%s%s", transport, polling ? " with status polling" : "")
                << QString::fromLatin1(transport) << polling;
    }
}

void TestPollLoop::rule3_reqRoundTripsDrivenByTheLoop()
{
    QFETCH(QString, transport);
    QFETCH(bool, statusPolling);
    const Context context;
    PollLoop loop;
    auto pair = makePair(SocketType::Rep, SocketType::Req, transport, context);
    Socket &rep = pair.bound;
    Socket &req = pair.connected;
    constexpr int RoundTrips = 5000;
    int replies = 0;
    int requests = 0;
    QString failure;

    loop.registerSocket(rep, [&](Socket &socket) {
        const Envelope request = socket.receiveEnvelope();
        ++requests;
        socket.sendEnvelope(request.responseEnvelope("text/plain", request.data()));
    });
    loop.registerSocket(req, [&](Socket &socket) {
        const Envelope reply = socket.receiveEnvelope();
        if (reply.data() != QByteArray::number(replies) && failure.isEmpty())
            failure = u"reply %1 carried %2"_s.arg(replies).arg(QString::fromUtf8(reply.data()));
        ++replies;
        if (replies < RoundTrips)
            socket.sendText(QByteArray::number(replies)); // the next request, from inside the handler
        else
            QTestEventLoop::instance().exitLoop();
    });
    QObject::connect(&loop, &PollLoop::errorOccurred, &loop, [&](Socket *, const QString &message) {
        if (failure.isEmpty())
            failure = message;
        QTestEventLoop::instance().exitLoop();
    });

    // What a GUI does to keep its Send button and status line current: read ZMQ_EVENTS on every pass of the
    // event loop. That consumes the fd's edge whenever a reply is already waiting, so the loop must re-check
    // (rule 3).
    QTimer statusPoll;
    int polls = 0;
    QObject::connect(&statusPoll, &QTimer::timeout, &loop, [&] {
        ++polls;
        (void)req.canSend();
        (void)rep.hasPendingInput();
    });
    if (statusPolling)
        statusPoll.start(0);

    req.sendText("0");
    // A real event loop: QTRY_* sleeps between its polls, which would make every TCP round trip wait for it.
    QTestEventLoop::instance().enterLoop(60);
    QVERIFY2(!QTestEventLoop::instance().timeout(),
        qPrintable(u"the round trips hung after %1 replies"_s.arg(replies)));
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(replies, RoundTrips);
    QCOMPARE(requests, RoundTrips);
    QCOMPARE(polls > 0, statusPolling);
}

void TestPollLoop::rule3_activityOutsideTheDrain_data()
{
    QTest::addColumn<OutsideAction>("action");
    // Each of these reads ZMQ_EVENTS or processes libzmq's commands, which consumes the fd's edge while a
    // message is already waiting. Without a re-check afterwards that message would never be handled.
    QTest::newRow("blocking receive") << OutsideAction([](Socket &s, Socket &, Socket &) {
        (void)s.receiveFrames();
        return 1;
    });
    QTest::newRow("receive with timeout") << OutsideAction(
        [](Socket &s, Socket &, Socket &) { return s.receiveFrames(DeliveryTimeout) ? 1 : 0; });
    QTest::newRow("receiveEnvelope") << OutsideAction([](Socket &s, Socket &, Socket &) {
        (void)s.receiveEnvelope();
        return 1;
    });
    QTest::newRow("send") << OutsideAction([](Socket &s, Socket &, Socket &) {
        QTest::qSleep(5); // libzmq processes commands in send() only every few million cycles
        s.sendText("reply from outside");
        return 0;
    });
    QTest::newRow("hasPendingInput") << OutsideAction(
        [](Socket &s, Socket &, Socket &) { return s.hasPendingInput() ? 0 : -1000; });
    QTest::newRow("canSend") << OutsideAction([](Socket &s, Socket &, Socket &) {
        (void)s.canSend();
        return 0;
    });
}

void TestPollLoop::rule3_activityOutsideTheDrain()
{
    QFETCH(OutsideAction, action);
    const Context context;
    PollLoop loop;
    auto [registered, peer] = makePair(SocketType::Pair, SocketType::Pair, u"inproc"_s, context);
    Socket spare = Socket::create(SocketType::Pair, context);
    int handled = 0;
    loop.registerReceiver(registered, [&](Socket &, Frames &&) { ++handled; });
    settle();
    QCOMPARE(handled, 0);

    // inproc works synchronously: after these sends the registered socket's fd is readable, once.
    peer.sendText("one");
    peer.sendText("two");
    const int taken = action(registered, peer, spare);
    QTRY_COMPARE(handled + taken, 2);
    settle();
    QCOMPARE(handled + taken, 2);
}

void TestPollLoop::rule4_queuedBeforeRegistering()
{
    QFETCH(QString, transport);
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, transport, context);
    for (int i = 0; i < 3; ++i)
        push.sendText(QByteArray::number(i));
    // Asking ZMQ_EVENTS consumes the fd's edge: the loop will never see it.
    QTRY_VERIFY(pull.hasPendingInput());
    settle();

    int received = 0;
    loop.registerReceiver(pull, [&](Socket &, Frames &&) { ++received; });
    QTRY_COMPARE(received, 3);
}

void TestPollLoop::rule4_bindConnectAfterRegistering_data()
{
    QTest::addColumn<OutsideAction>("action");
    QTest::newRow("bind") << OutsideAction([](Socket &s, Socket &, Socket &) {
        s.bind(testsupport::bindEndpoint(u"inproc"_s));
        return 0;
    });
    QTest::newRow("connect") << OutsideAction([](Socket &s, Socket &, Socket &spare) {
        s.connect(spare.lastEndpoint());
        return 0;
    });
    QTest::newRow("unbind") << OutsideAction([](Socket &s, Socket &, Socket &) {
        s.unbind(s.boundEndpoints().constLast());
        return 0;
    });
    QTest::newRow("disconnect") << OutsideAction([](Socket &s, Socket &, Socket &spare) {
        s.disconnect(spare.lastEndpoint());
        return 0;
    });
}

void TestPollLoop::rule4_bindConnectAfterRegistering()
{
    QFETCH(OutsideAction, action);
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket spare
        = Socket::bindNew("PUSH", testsupport::bindEndpoint(u"inproc"_s), { { "linger", 0 } }, context);
    pull.bind(testsupport::bindEndpoint(u"inproc"_s)); // something to unbind
    const QString disconnectable = spare.lastEndpoint();
    if (QByteArrayView(QTest::currentDataTag()) == "disconnect")
        pull.connect(disconnectable);
    int received = 0;
    loop.registerReceiver(pull, [&](Socket &, Frames &&) { ++received; });
    settle();

    push.sendText("waiting");
    // libzmq processes pending commands in bind/connect/unbind/disconnect, and with them the fd's edge.
    QCOMPARE(action(pull, push, spare), 0);
    QTRY_COMPARE(received, 1);
}

void TestPollLoop::rule5_floodDoesNotStarveOthers()
{
    const Context context;
    PollLoop loop;
    const zmqscope::Options unbounded { { "sndhwm", 0 }, { "rcvhwm", 0 } };
    auto [flooded, flooder]
        = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context, unbounded, unbounded);
    auto [quiet, quietPeer] = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);

    constexpr int Flood = 200000;
    const QByteArray payload(16, 'x');
    for (int i = 0; i < Flood; ++i)
        flooder.sendFrames({ payload });
    quietPeer.sendText("me too");
    // Take the fd edges away so the order of the first drains is exactly the registration order.
    QVERIFY(flooded.hasPendingInput());
    QVERIFY(quiet.hasPendingInput());

    int floodHandled = 0;
    int floodHandledWhenQuietRan = -1;
    int floodHandledWhenTimerFired = -1;
    loop.registerReceiver(flooded, [&](Socket &, Frames &&) { ++floodHandled; });
    loop.registerReceiver(quiet, [&](Socket &, Frames &&) { floodHandledWhenQuietRan = floodHandled; });
    // The rest of the event loop gets its turn too.
    QTimer::singleShot(0, &loop, [&] { floodHandledWhenTimerFired = floodHandled; });

    QTRY_VERIFY(floodHandledWhenQuietRan >= 0);
    QTRY_VERIFY(floodHandledWhenTimerFired >= 0);
    QVERIFY2(floodHandledWhenQuietRan < Flood / 10,
        qPrintable(u"the quiet socket waited for %1 flood messages"_s.arg(floodHandledWhenQuietRan)));
    QVERIFY2(floodHandledWhenTimerFired < Flood / 10,
        qPrintable(u"a zero timer waited for %1 flood messages"_s.arg(floodHandledWhenTimerFired)));
    // And the flood still gets through, a bounded slice at a time.
    QTRY_VERIFY(floodHandled > floodHandledWhenQuietRan + 1000);
}

void TestPollLoop::rule5_boundedActivations()
{
    const Context context;
    PollLoop loop;
    QCOMPARE(loop.maxMessagesPerActivation(), 256);
    QCOMPARE(loop.maxTimePerActivation(), std::chrono::microseconds(5000));
    loop.setMaxMessagesPerActivation(0);
    QCOMPARE(loop.maxMessagesPerActivation(), 1); // never zero: the loop must make progress
    loop.setMaxMessagesPerActivation(10);
    loop.setMaxTimePerActivation(1s);
    QCOMPARE(loop.maxTimePerActivation(), std::chrono::microseconds(1000000));

    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    constexpr int Count = 95;
    for (int i = 0; i < Count; ++i)
        push.sendText("x");
    int received = 0;
    std::vector<int> batches;
    loop.registerReceiver(pull, [&](Socket &, Frames &&) { ++received; });
    QObject::connect(&loop, &PollLoop::inputHandled, &loop, [&](Socket *socket, int count) {
        QCOMPARE(socket, &pull);
        batches.push_back(count);
    });
    QTRY_COMPARE(received, Count);
    QCOMPARE(batches, (std::vector<int> { 10, 10, 10, 10, 10, 10, 10, 10, 10, 5 }));

    // No time at all per activation still makes progress: one message per turn.
    loop.setMaxTimePerActivation(std::chrono::microseconds(0));
    batches.clear();
    for (int i = 0; i < 3; ++i)
        push.sendText("y");
    QTRY_COMPARE(received, Count + 3);
    QCOMPARE(batches, (std::vector<int> { 1, 1, 1 }));
}

void TestPollLoop::rule5_handlerThatDoesNotReceive()
{
    const Context context;
    PollLoop loop;
    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    int calls = 0;
    QStringList errors;
    QObject::connect(&loop, &PollLoop::errorOccurred, &loop, [&](Socket *socket, const QString &message) {
        QCOMPARE(socket, &pull);
        errors.append(message);
    });
    loop.registerSocket(pull, [&](Socket &) { ++calls; }); // forgets to receive
    push.sendText("ignored");
    QTRY_VERIFY(!errors.isEmpty());
    QVERIFY2(errors.first().contains(u"PULL"_s) && errors.first().contains(u"without receiving"_s),
        qPrintable(errors.first()));
    settle();
    // It reported and stopped instead of spinning on the same message (the registration's check and the fd's
    // edge may both have come in).
    QVERIFY2(calls <= 2, qPrintable(QString::number(calls)));
    QCOMPARE(errors.size(), calls);

    // Nothing was lost: a handler that does receive gets the message.
    QString text;
    loop.registerSocket(pull, [&](Socket &socket) { text = socket.receiveText(); });
    QTRY_COMPARE(text, u"ignored"_s);
}

void TestPollLoop::rule6_eintrDuringBlockingReceive_data()
{
    QTest::addColumn<bool>("timed");
    QTest::newRow("receiveEnvelope()") << false;
    QTest::newRow("receiveEnvelope(timeout)") << true;
}

void TestPollLoop::rule6_eintrDuringBlockingReceive()
{
    QFETCH(bool, timed);
    // A handler without SA_RESTART: every blocking system call it interrupts fails with EINTR.
    struct sigaction action
    {
    };
    action.sa_handler = countSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    struct sigaction previous
    {
    };
    QCOMPARE(sigaction(SIGUSR1, &action, &previous), 0);
    const auto restore = qScopeGuard([&] { sigaction(SIGUSR1, &previous, nullptr); });

    const Context context;
    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    std::atomic<bool> receiving { false };
    std::optional<Envelope> received;
    QString failure;
    // The PULL socket moves to the worker thread for good (thread start and join are full barriers).
    std::thread worker([&] {
        try {
            receiving = true;
            received = timed ? pull.receiveEnvelope(30s) : std::optional<Envelope>(pull.receiveEnvelope());
        } catch (const zmqscope::Error &error) {
            failure = error.message();
        }
    });
    while (!receiving)
        std::this_thread::yield();
    signalsHandled = 0;
    for (int i = 0; i < 25; ++i) {
        QTest::qSleep(2);
        pthread_kill(worker.native_handle(), SIGUSR1);
    }
    QTest::qSleep(2);
    push.sendText("after the signals");
    worker.join();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QVERIFY(signalsHandled >= 20); // the receive really was interrupted, many times
    QVERIFY(received);
    QCOMPARE(received->data(), QByteArray("after the signals"));
}

void TestPollLoop::rule6_etermDropsRegisteredSockets()
{
    Context context;
    std::optional<PollLoop> loop(std::in_place);
    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    auto [sub, pub] = makePair(SocketType::Sub, SocketType::Pub, u"tcp"_s, context, { { "subscribe", "" } });
    int received = 0;
    loop->registerReceiver(pull, [&](Socket &, Frames &&) { ++received; });
    loop->registerReceiver(sub, [&](Socket &, Frames &&) { ++received; });
    push.sendText("before");
    QTRY_COMPARE(received, 1);

    QList<Socket *> terminated;
    QStringList errors;
    QObject::connect(
        &*loop, &PollLoop::socketTerminated, &*loop, [&](Socket *socket) { terminated.append(socket); });
    QObject::connect(&*loop, &PollLoop::errorOccurred, &*loop,
        [&](Socket *, const QString &message) { errors.append(message); });
    context.shutdown();
    QTRY_COMPARE(terminated.size(), 2);
    QVERIFY(terminated.contains(&pull));
    QVERIFY(terminated.contains(&sub));
    QCOMPARE(loop->socketCount(), 0);
    QVERIFY(!loop->isRegistered(pull));
    QVERIFY(loop->findChildren<QSocketNotifier *>().isEmpty());
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u"; "_s)));
    settle();
    QCOMPARE(terminated.size(), 2); // once each

    // Calls on the sockets say what happened instead of hanging.
    const auto error = errorOf([&] { (void)pull.receiveFrames(); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::Terminated);
    // Registering a socket of a terminated context is refused, not hung on.
    const auto again = errorOf([&] { loop->registerReceiver(pull, [](Socket &, Frames &&) {}); });
    QVERIFY(!again || again->code() == ErrorCode::Terminated);
    settle();
    loop.reset();
    // Leaving the scope closes the sockets and releases the context: this must not hang.
}

void TestPollLoop::wholeMultipartMessages()
{
    QFETCH(QString, transport);
    const Context context;
    PollLoop loop;
    auto pair = makePair(SocketType::Pair, SocketType::Pair, transport, context);
    Socket &a = pair.bound;
    Socket &b = pair.connected;
    const QList<Frames> messages {
        Frames { "one" },
        Frames { "id", "text/plain", "body" },
        Frames { "r1", "r2", {}, "id", "application/json", "{}" },
        Frames { {}, {}, {} },
        Frames(40, QByteArray(1000, 'm')),
        Frames { QByteArray(300000, '\0') },
    };
    QList<Frames> received;
    loop.registerReceiver(a, [&](Socket &socket, Frames &&frames) {
        QCOMPARE(&socket, &a);
        received.append(std::move(frames));
    });
    for (const Frames &frames : messages)
        b.sendFrames(frames);
    QTRY_COMPARE(received.size(), messages.size());
    QCOMPARE(received, messages);
}

void TestPollLoop::socketHandlerReceivesItself()
{
    const Context context;
    PollLoop loop;
    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    QList<QByteArray> seen;
    int handled = 0;
    loop.registerSocket(pull, [&](Socket &socket) {
        QCOMPARE(&socket, &pull);
        // A handler may take more than one message per call.
        while (const auto envelope = socket.receiveEnvelope(0ms))
            seen.append(envelope->data());
    });
    QObject::connect(&loop, &PollLoop::inputHandled, &loop, [&](Socket *, int count) { handled += count; });
    for (int i = 0; i < 10; ++i)
        push.sendText(QByteArray::number(i));
    QTRY_COMPARE(seen.size(), 10);
    QCOMPARE(seen.constLast(), QByteArray("9"));
    QVERIFY(handled >= 1);
}

void TestPollLoop::handlerErrorKeepsSocketRegistered()
{
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    QStringList texts;
    QStringList errors;
    loop.registerSocket(pull, [&](Socket &socket) { texts.append(socket.receiveText()); });
    QObject::connect(&loop, &PollLoop::errorOccurred, &loop,
        [&](Socket *, const QString &message) { errors.append(message); });
    push.sendObj(QJsonObject());
    push.sendFrames({ "raw" });
    push.sendText("fine");
    QTRY_COMPARE(texts, QStringList { u"fine"_s });
    QCOMPARE(errors.size(), 2);
    QVERIFY2(errors[0].contains(u"application/json"_s), qPrintable(errors[0]));
    QVERIFY2(errors[1].contains(u"not a Dploy envelope"_s), qPrintable(errors[1]));
    QVERIFY(loop.isRegistered(pull));
}

void TestPollLoop::leaveInsideOwnHandler_data()
{
    QTest::addColumn<bool>("socketHandler"); // registerSocket (true) or registerReceiver (false)
    QTest::addColumn<int>("how"); // 0 unregister, 1 close, 2 destroy
    for (const bool socketHandler : { false, true }) {
        const char *kind = socketHandler ? "registerSocket" : "registerReceiver";
        QTest::addRow("%s/unregister", kind) << socketHandler << 0;
        QTest::addRow("%s/close", kind) << socketHandler << 1;
        QTest::addRow("%s/destroy", kind) << socketHandler << 2;
    }
}

void TestPollLoop::leaveInsideOwnHandler()
{
    QFETCH(bool, socketHandler);
    QFETCH(int, how);
    const Context context;
    PollLoop loop;
    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    std::optional<Socket> pull(std::move(pair.bound));
    Socket &push = pair.connected;
    int calls = 0;
    int handledSignals = 0;
    QObject::connect(&loop, &PollLoop::inputHandled, &loop, [&](Socket *, int) { ++handledSignals; });
    const auto leave = [&](Socket &socket) {
        ++calls;
        switch (how) {
        case 0:
            loop.unregisterSocket(socket);
            break;
        case 1:
            socket.close();
            break;
        default:
            pull.reset(); // destroys `socket`
            break;
        }
    };
    if (socketHandler) {
        loop.registerSocket(*pull, [&](Socket &socket) {
            (void)socket.receiveFrames();
            leave(socket);
        });
    } else {
        loop.registerReceiver(*pull, [&](Socket &socket, Frames &&) { leave(socket); });
    }
    for (int i = 0; i < 5; ++i)
        push.sendText("x");
    QTRY_COMPARE(calls, 1);
    settle();
    QCOMPARE(calls, 1); // nothing more after leaving
    QCOMPARE(loop.socketCount(), 0);
    QCOMPARE(handledSignals, 0); // no signal about a socket that is gone
    if (how == 0) {
        // Unregistered, not closed: the other messages wait in the socket.
        QVERIFY(!loop.isRegistered(*pull));
        for (int i = 0; i < 4; ++i)
            QVERIFY(pull->receiveFrames(DeliveryTimeout));
    } else if (how == 1) {
        QVERIFY(!pull->isOpen());
    } else {
        QVERIFY(!pull);
    }
}

void TestPollLoop::registerAgainReplacesHandler()
{
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    int first = 0;
    int second = 0;
    loop.registerReceiver(pull, [&](Socket &, Frames &&) { ++first; });
    push.sendText("1");
    QTRY_COMPARE(first, 1);
    loop.registerReceiver(pull, [&](Socket &, Frames &&) { ++second; });
    QCOMPARE(loop.socketCount(), 1);
    QCOMPARE(loop.findChildren<QSocketNotifier *>().size(), 1);
    push.sendText("2");
    push.sendText("3");
    QTRY_COMPARE(second, 2);
    QCOMPARE(first, 1);
    // From message handler to socket handler and back.
    int third = 0;
    loop.registerSocket(pull, [&](Socket &socket) {
        (void)socket.receiveFrames();
        ++third;
    });
    push.sendText("4");
    QTRY_COMPARE(third, 1);
    QCOMPARE(second, 2);
}

void TestPollLoop::registerAgainInsideHandler()
{
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    QList<QByteArray> byFirst;
    QList<QByteArray> bySecond;
    // The first handler owns heap data (too big for std::function's small buffer) and uses it after it
    // replaced itself: the loop must keep it alive until it returns.
    const std::vector<QByteArray> names(8, QByteArray("first"));
    loop.registerReceiver(pull, [&, names](Socket &socket, Frames &&frames) {
        loop.registerReceiver(socket, [&](Socket &, Frames &&more) { bySecond.append(more.value(2)); });
        byFirst.append(QByteArray(names.front() + ':' + frames.value(2)));
    });
    for (int i = 0; i < 4; ++i)
        push.sendText(QByteArray::number(i));
    QTRY_COMPARE(bySecond.size(), 3);
    QCOMPARE(byFirst, QList<QByteArray> { "first:0" });
    QCOMPARE(bySecond, (QList<QByteArray> { "1", "2", "3" }));
}

void TestPollLoop::movedSocketStaysRegistered()
{
    const Context context;
    PollLoop loop;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    QList<Socket *> handledBy;
    QList<Socket *> signalledFor;
    loop.registerReceiver(pull, [&](Socket &socket, Frames &&) { handledBy.append(&socket); });
    QObject::connect(
        &loop, &PollLoop::inputHandled, &loop, [&](Socket *socket, int) { signalledFor.append(socket); });

    Socket moved(std::move(pull));
    QVERIFY(loop.isRegistered(moved));
    // The moved-from socket is what is tested here.
    QVERIFY(!loop.isRegistered(pull)); // NOLINT(bugprone-use-after-move)
    push.sendText("after the move");
    QTRY_COMPARE(handledBy.size(), 1);
    QCOMPARE(handledBy.first(), &moved);
    QTRY_COMPARE(signalledFor, QList<Socket *> { &moved });

    // Destroying the moved-from object does not touch the registration.
    {
        Socket gone(std::move(pull));
    }
    push.sendText("still here");
    QTRY_COMPARE(handledBy.size(), 2);
    QCOMPARE(loop.socketCount(), 1);
}

void TestPollLoop::registrationErrorsAndLifetimes()
{
    const Context context;
    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    int received = 0;
    {
        PollLoop loop;
        // Handlers are required.
        auto error = errorOf([&] { loop.registerReceiver(pull, {}); });
        QVERIFY(error);
        QCOMPARE(error->code(), ErrorCode::WrongState);
        error = errorOf([&] { loop.registerSocket(pull, {}); });
        QVERIFY(error);
        QCOMPARE(error->code(), ErrorCode::WrongState);
        QCOMPARE(loop.socketCount(), 0);

        // Register and unregister before the event loop ever ran: the queued check must not fire on it.
        loop.registerReceiver(pull, [&](Socket &, Frames &&) { ++received; });
        QVERIFY(loop.isRegistered(pull));
        loop.unregisterSocket(pull);
        loop.unregisterSocket(pull); // twice is harmless
        push.sendText("x");
        settle();
        QCOMPARE(received, 0);

        // A second loop takes a socket over from the first.
        PollLoop other;
        loop.registerReceiver(pull, [&](Socket &, Frames &&) { ++received; });
        other.registerReceiver(pull, [&](Socket &, Frames &&) { received += 100; });
        QVERIFY(!loop.isRegistered(pull));
        QVERIFY(other.isRegistered(pull));
        QTRY_COMPARE(received, 100);
        // The loop is destroyed while the socket is registered: the socket stays usable.
    }
    push.sendText("y");
    QCOMPARE(pull.receiveText(), u"y"_s);

    // A closed socket cannot be registered.
    PollLoop loop;
    pull.close();
    const auto error = errorOf([&] { loop.registerReceiver(pull, [](Socket &, Frames &&) {}); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::WrongState);
    QCOMPARE(loop.socketCount(), 0);

    // scheduleCheck on a socket the loop does not know is a no-op.
    loop.scheduleCheck(push);
    settle();
}

QTEST_GUILESS_MAIN(TestPollLoop)
#include "tst_pollloop.moc"
