// What lets the CLI run on the engine without losing or over-taking messages: a reader that
// holds the store (Engine::holdFrom) makes the engine stop receiving instead of evicting what it
// has not read, and resumes it when the reader moves on; a receive limit
// (Engine::openSocket(spec, receiveLimit)) stores exactly that many messages, the CLI's --count N;
// a failed open keeps its ErrorCode (SocketInfo::openError), which the CLI's exit status needs;
// a socket closed discarding (Engine::closeSocketDiscarding) leaves nothing for its linger to wait for,
// so a failed or stopped send ends at once.

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include <QDeadlineTimer>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <zmqscope/engine/engine.h>
#include <zmqscope/socket.h>

#include "enginetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

// Guards against a hang, not a time limit: waits end as soon as their condition holds.
constexpr int WaitTimeout = 20000;

QByteArray numbered(int number)
{
    return QByteArray::number(number).rightJustified(8, '0');
}

} // namespace

class TestEngineForCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storeKeepsHeldMessages();
    void slowReaderLosesNothing();
    void receiveLimitStoresExactlyN();
    void openErrorKeepsItsCode();
    void closeDiscardingLeavesNothingQueued();
};

void TestEngineForCli::storeKeepsHeldMessages()
{
    MessageStore::Limits limits;
    limits.maxMessages = 64; // chunks of 4 messages
    MessageStore store(limits);
    store.holdFrom(0);
    for (int i = 0; i < 200; ++i)
        store.append(1, Direction::In, MessageStore::nowUs(), Frames { numbered(i) });
    // Nothing the reader still needs is evicted, and the writer is told to wait.
    QCOMPARE(store.firstSeq(), std::uint64_t { 0 });
    QCOMPARE(store.size(), std::uint64_t { 200 });
    QVERIFY(store.waitsForReader());
    StoredMessage message;
    QVERIFY(store.message(0, message));
    QCOMPARE(message.frames.value(0), numbered(0));

    // Moving the hold on evicts what was read, down to the limits: the writer may go on.
    store.holdFrom(150);
    QVERIFY(store.size() <= limits.maxMessages);
    QVERIFY(store.firstSeq() <= 150);
    QVERIFY(!store.waitsForReader());

    store.releaseHold();
    for (int i = 200; i < 400; ++i)
        store.append(1, Direction::In, MessageStore::nowUs(), Frames { numbered(i) });
    QVERIFY(store.size() <= limits.maxMessages);
    QVERIFY(!store.waitsForReader());
}

void TestEngineForCli::slowReaderLosesNothing()
{
    constexpr int Total = 20000;
    MessageStore::Limits limits;
    limits.maxMessages = 64;
    MessageStore store(limits);
    const Context context;
    Engine engine(store, context);

    SocketSpec spec;
    spec.type = SocketType::Pull;
    spec.binds = { u"inproc://backpressure"_s };
    spec.options = { { "rcvhwm", 1000 } };
    const auto [id, bound, error] = enginetest::openedSocket(engine, spec);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    Socket sender = Socket::create(SocketType::Push, context);
    sender.setOption("sndhwm", 1000);
    sender.setOption("sndtimeo", 0);
    sender.connect(u"inproc://backpressure"_s);

    // The sender offers far more per turn than the reader takes: without backpressure the engine would
    // store (and evict) the difference.
    engine.holdFrom(0);
    int sent = 0;
    int read = 0;
    bool waited = false;
    std::uint64_t mostKept = 0;
    QDeadlineTimer guard(std::chrono::milliseconds(WaitTimeout * 6));
    while (read < Total) {
        QVERIFY2(!guard.hasExpired(), qPrintable(u"only %1 of %2 messages read"_s.arg(read).arg(Total)));
        for (int i = 0; i < 2000 && sent < Total; ++i) {
            try {
                sender.sendFrames({ numbered(sent) });
                ++sent;
            } catch (const Error &sendError) {
                QCOMPARE(sendError.code(), ErrorCode::Timeout); // high-water mark: the engine waits
                break;
            }
        }
        waited = waited || store.waitsForReader();
        mostKept = std::max(mostKept, store.size());
        const std::uint64_t seq = std::uint64_t(read);
        if (seq >= store.endSeq()) {
            QThread::yieldCurrentThread();
            continue;
        }
        for (int i = 0; i < 10 && std::uint64_t(read) < store.endSeq(); ++i) {
            StoredMessage message;
            QVERIFY2(store.message(std::uint64_t(read), message),
                qPrintable(u"message %1 was evicted before it was read"_s.arg(read)));
            QCOMPARE(message.frames.value(0), numbered(read));
            ++read;
        }
        engine.holdFrom(std::uint64_t(read));
        QThread::usleep(200); // a slow stdout: the engine alone could store far faster than this
    }
    QCOMPARE(store.endSeq(), std::uint64_t(Total));
    QVERIFY2(waited, "the reader never held the engine up: the test proved nothing");
    // Over the limits by at most what one turn of the engine receives (1024) and a chunk.
    QVERIFY2(mostKept <= limits.maxMessages + 1024 + 4, qPrintable(u"%1 messages kept"_s.arg(mostKept)));
    engine.releaseHold();
}

void TestEngineForCli::receiveLimitStoresExactlyN()
{
    MessageStore store;
    const Context context;
    Engine engine(store, context);
    // inproc allows the connect first: all 20 messages wait in the pipe when the engine binds, so its
    // first turn could take them all.
    Socket sender = Socket::create(SocketType::Push, context);
    sender.connect(u"inproc://limit"_s);
    for (int i = 0; i < 20; ++i)
        sender.sendFrames({ numbered(i) });

    SocketSpec spec;
    spec.type = SocketType::Pull;
    spec.binds = { u"inproc://limit"_s };
    QSignalSpy opened(&engine, &Engine::socketOpened);
    const SocketId id = engine.openSocket(spec, 5);
    QVERIFY(opened.wait(WaitTimeout));
    QTRY_VERIFY_WITH_TIMEOUT(store.endSeq() >= 5, WaitTimeout);
    engine.sync();
    QCOMPARE(store.endSeq(), std::uint64_t { 5 });
    for (int i = 0; i < 5; ++i) {
        StoredMessage message;
        QVERIFY(store.message(std::uint64_t(i), message));
        QCOMPARE(message.frames.value(0), numbered(i));
    }
    // The rest wait in libzmq's queue: the socket's counter says 5 too.
    QCOMPARE(engine.socket(id)->messagesIn, std::uint64_t { 5 });
}

void TestEngineForCli::openErrorKeepsItsCode()
{
    MessageStore store;
    Engine engine(store);
    SocketSpec first;
    first.type = SocketType::Pull;
    first.binds = { u"tcp://127.0.0.1:*"_s };
    const auto [firstId, bound, firstError] = enginetest::openedSocket(engine, first);
    QVERIFY2(firstError.isEmpty(), qPrintable(firstError));
    QVERIFY(!engine.socket(firstId)->openError);

    // The port is taken: a runtime failure, with the code that says so.
    SocketSpec second = first;
    second.binds = bound;
    const auto [secondId, secondBound, secondError] = enginetest::openedSocket(engine, second);
    QVERIFY(!secondError.isEmpty());
    const std::optional<SocketInfo> info = engine.socket(secondId);
    QVERIFY(info && info->openError);
    QCOMPARE(info->openError->code(), ErrorCode::AddressInUse);
    QCOMPARE(info->openError->message(), secondError);

    // A bad endpoint: the user's mistake, told apart by its code.
    SocketSpec bad = first;
    bad.binds = { u"tcp://127.0.0.1:notaport"_s };
    const auto [badId, badBound, badError] = enginetest::openedSocket(engine, bad);
    QVERIFY(!badError.isEmpty());
    QCOMPARE(engine.socket(badId)->openError->code(), ErrorCode::InvalidEndpoint);
}

void TestEngineForCli::closeDiscardingLeavesNothingQueued()
{
    // An endpoint nobody listens on: the message below stays queued for a peer that never comes.
    QString endpoint;
    {
        Socket probe = Socket::create(SocketType::Pull);
        probe.setOption("linger", 0);
        probe.bind(u"tcp://127.0.0.1:*"_s);
        endpoint = probe.lastEndpoint();
    }
    auto context = std::make_unique<Context>();
    {
        MessageStore store;
        Engine engine(store, *context);
        SocketSpec spec;
        spec.type = SocketType::Push;
        spec.connects = { endpoint };
        // Without immediate a PUSH queues for a connection still being made; a linger of -1 would
        // offer it for ever.
        spec.options = { { "immediate", false }, { "linger", -1 } };
        const auto [id, bound, error] = enginetest::openedSocket(engine, spec);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        enginetest::SendResults results;
        results.send(engine, id, { "queued" });
        engine.sync();
        QCOMPARE(results.sentCount(), 1);

        QSignalSpy closed(&engine, &Engine::socketClosed);
        engine.closeSocketDiscarding(id);
        engine.sync();
        QCOMPARE(closed.count(), 1);
        QCOMPARE(engine.socket(id)->state, SocketState::Closed);
    }
    // The test holds the last copy of the context: terminating it waits for every message its sockets
    // still queue, for their linger. Discarded, there is none.
    std::atomic<bool> terminated = false;
    std::thread terminator([&terminated, last = std::move(context)]() mutable {
        last.reset();
        terminated = true;
    });
    const auto join = qScopeGuard([&] {
        if (!terminated) {
            // The message is still queued: give it a peer, so the termination (and the test) can end.
            Socket taker = Socket::create(SocketType::Pull);
            taker.setOption("linger", 0);
            taker.bind(endpoint);
            terminator.join();
            return;
        }
        terminator.join();
    });
    QTRY_VERIFY_WITH_TIMEOUT(terminated, WaitTimeout);
}

QTEST_GUILESS_MAIN(TestEngineForCli)
#include "tst_engineforcli.moc"
