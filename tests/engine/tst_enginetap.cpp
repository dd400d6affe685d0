// A tap on the Engine (issue 14, DESIGN.md section 12) between python3-zmq peers: one row of the
// socket table with both sides' state and counts, messages stored with c2s/s2c and the client's
// routing id as peer, the recording's lines and event lines, and what the event log says.

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capturereader.h>
#include <zmqscope/engine/engine.h>

#include "../interop/testprocess.h"
#include "enginetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using enginetest::logged;
using enginetest::stored;

namespace {

constexpr int NetworkTimeout = 20000; // waits end as soon as they hold

bool startPeer(TestProcess &peer, const QStringList &arguments)
{
    return peer.start(QStringLiteral(ZMQSCOPE_PYTHON),
        QStringList { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/tap_peer.py") } + arguments);
}

QList<QJsonObject> fileLines(const QString &path)
{
    QList<QJsonObject> lines;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return lines;
    const QList<QByteArray> raw = file.readAll().split('\n');
    for (qsizetype i = 1; i < raw.size(); ++i) { // past the header
        if (!raw.at(i).isEmpty())
            lines.append(QJsonDocument::fromJson(raw.at(i)).object());
    }
    return lines;
}

TapSpec tapSpec(TapPattern pattern, const QString &forward, const QString &listen = u"tcp://127.0.0.1:*"_s)
{
    TapSpec spec;
    spec.pattern = pattern;
    spec.listen = { listen };
    spec.forward = { forward };
    return spec;
}

/// Starts recording, then opens the tap and waits until it is open (`opened` gets its endpoints).
SocketId openRecordedTap(
    Engine &engine, const RecordingOptions &options, const TapSpec &spec, QSignalSpy &opened)
{
    QSignalSpy recording(&engine, &Engine::recordingStarted);
    engine.startRecording(options);
    if (!recording.wait(NetworkTimeout))
        return 0;
    const SocketId tap = engine.openTap(spec);
    return opened.wait(NetworkTimeout) ? tap : 0;
}

} // namespace

class TestEngineTap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestReplyStoredAndRecorded();
    void subscriptionIsAnEvent();
    void waitForServerIsToldAndNothingLost();
    void listenAddressInUseFails();
    void storeWaitingForItsReaderPausesTheTap();
};

void TestEngineTap::requestReplyStoredAndRecorded()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    constexpr int Clients = 2;
    constexpr int Requests = 3;
    TestProcess server;
    QVERIFY(startPeer(server,
        { u"--type"_s, u"REP"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"echo"_s, u"--count"_s,
            QString::number(Clients * Requests) }));
    const QString serverEndpoint = server.waitForPeerEndpoint();
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());

    MessageStore store;
    Engine engine(store);
    QSignalSpy opened(&engine, &Engine::socketOpened);
    QSignalSpy events(&engine, &Engine::eventLogged);
    RecordingOptions options;
    options.file.path = dir.filePath(u"tap.zmqcap"_s);
    const SocketId tap
        = openRecordedTap(engine, options, tapSpec(TapPattern::ReqRep, serverEndpoint), opened);
    const QString listen = opened.value(0).value(1).toStringList().value(0);
    QVERIFY(!listen.isEmpty());
    QVERIFY(!listen.contains(u'*'));
    const auto info = engine.socket(tap);
    QVERIFY(info && info->tap);
    QCOMPARE(info->spec.name, u"tap req-rep"_s);
    QCOMPARE(info->tap->listenEndpoints, QStringList { listen });
    QTRY_COMPARE_WITH_TIMEOUT(
        engine.socket(tap)->tap->state.forwardState, SocketState::Connected, NetworkTimeout);

    std::array<TestProcess, Clients> clients;
    for (int i = 0; i < Clients; ++i)
        QVERIFY(startPeer(clients[i],
            { u"--type"_s, u"REQ"_s, u"--connect"_s, listen, u"--mode"_s, u"send"_s, u"--replies"_s,
                u"--generate"_s, QString::number(Requests), u"--tag"_s, u"client%1"_s.arg(i) }));
    (void)TestProcess::waitForAllFinished({ &clients[0], &clients[1], &server }, 60000);
    for (TestProcess &client : clients)
        QVERIFY2(client.exitedWith(0), client.diagnostics());
    QVERIFY2(server.exitedWith(0), server.diagnostics());

    QTRY_COMPARE_WITH_TIMEOUT(stored(store, tap).size(), qsizetype(Clients) * Requests * 2, NetworkTimeout);
    const QList<StoredMessage> messages = stored(store, tap);
    QSet<QByteArray> peers;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const StoredMessage &message = messages.at(i);
        QVERIFY(!message.peer.isEmpty());
        QVERIFY(isConversation(message.direction));
        // What the REQ put on the wire: its empty delimiter, then the body; the tap's routing id is the peer.
        QCOMPARE(message.frames.size(), 2);
        QCOMPARE(message.frames.at(0), QByteArray());
        peers.insert(message.peer);
        if (message.direction == Direction::ServerToClient) {
            // A REP answers in order, and a REQ asks again only after its answer: the reply follows its
            // request with the same peer and body.
            const auto request
                = std::find_if(messages.cbegin(), messages.cbegin() + i, [&](const StoredMessage &m) {
                      return m.direction == Direction::ClientToServer && m.frames == message.frames;
                  });
            QVERIFY(request != messages.cbegin() + i);
            QCOMPARE(request->peer, message.peer);
        }
    }
    QCOMPARE(peers.size(), Clients);
    QTRY_COMPARE_WITH_TIMEOUT(
        engine.socket(tap)->tap->counters.clientToServer, quint64(Clients * Requests), NetworkTimeout);
    QCOMPARE(engine.socket(tap)->tap->counters.serverToClient, quint64(Clients * Requests));
    QCOMPARE(engine.socket(tap)->messagesIn, quint64(Clients * Requests * 2));
    QTRY_VERIFY_WITH_TIMEOUT(logged(events, tap, u"opened tap \"tap req-rep\" (req-rep)"_s), NetworkTimeout);

    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));
    const QList<QJsonObject> lines = fileLines(options.file.path);
    QCOMPARE(lines.size(), messages.size());
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QJsonObject &line = lines.at(i);
        const bool c2s = messages.at(i).direction == Direction::ClientToServer;
        QCOMPARE(line.value(u"dir"_s).toString(), c2s ? u"c2s"_s : u"s2c"_s);
        QCOMPARE(line.value(u"type"_s).toString(), c2s ? u"REQ"_s : u"REP"_s); // the sender's type
        QCOMPARE(line.value(u"peer"_s).toString(), QString::fromLatin1(messages.at(i).peer.toHex()));
        QCOMPARE(line.value(u"socket"_s).toString(), u"tap req-rep"_s);
        QCOMPARE(line.value(u"endpoint"_s).toString(), listen + u" > "_s + serverEndpoint);
        QCOMPARE(line.value(u"frames"_s).toArray().size(), 2);
    }
    // And the reader gives the records back with their peers.
    CaptureReader reader(options.file.path);
    CaptureRecord record;
    QVERIFY(reader.next(record));
    QCOMPARE(record.peer, messages.at(0).peer);
    QCOMPARE(record.direction, messages.at(0).direction);
}

void TestEngineTap::subscriptionIsAnEvent()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // An XPUB server (a SUB client cannot tell it from a PUB) that publishes once it saw the subscription.
    TestProcess publisher;
    QVERIFY(startPeer(publisher,
        { u"--type"_s, u"XPUB"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"publish"_s,
            u"--wait-subscriptions"_s, u"1"_s, u"--generate"_s, u"2"_s, u"--tag"_s, u"A"_s }));
    const QString serverEndpoint = publisher.waitForPeerEndpoint();
    QVERIFY2(!serverEndpoint.isEmpty(), publisher.diagnostics());

    MessageStore store;
    Engine engine(store);
    QSignalSpy opened(&engine, &Engine::socketOpened);
    QSignalSpy events(&engine, &Engine::eventLogged);
    RecordingOptions options;
    options.file.path = dir.filePath(u"sub.zmqcap"_s);
    const SocketId tap
        = openRecordedTap(engine, options, tapSpec(TapPattern::SubPub, serverEndpoint), opened);
    const QString listen = opened.value(0).value(1).toStringList().value(0);
    QVERIFY(!listen.isEmpty());

    TestProcess subscriber;
    QVERIFY(startPeer(subscriber,
        { u"--type"_s, u"SUB"_s, u"--connect"_s, listen, u"--mode"_s, u"recv"_s, u"--count"_s, u"2"_s,
            u"--subscribe"_s, u"A"_s }));
    (void)TestProcess::waitForAllFinished({ &subscriber, &publisher }, 60000);
    QVERIFY2(subscriber.exitedWith(0), subscriber.diagnostics());
    QVERIFY2(publisher.exitedWith(0), publisher.diagnostics());

    QTRY_COMPARE_WITH_TIMEOUT(stored(store, tap).size(), 2, NetworkTimeout);
    for (const StoredMessage &message : stored(store, tap)) {
        QCOMPARE(message.direction, Direction::ServerToClient);
        QVERIFY(message.peer.isEmpty()); // an XPUB adds no routing id
    }
    QTRY_VERIFY_WITH_TIMEOUT(logged(events, tap, u"subscribe passed upstream: A"_s), NetworkTimeout);
    // The subscriber has gone: its XPUB-facing connection closed, so the topic's last subscriber left.
    QTRY_VERIFY_WITH_TIMEOUT(logged(events, tap, u"unsubscribe passed upstream: A"_s), NetworkTimeout);
    QCOMPARE(engine.socket(tap)->tap->counters.subscriptions, quint64(2));
    QCOMPARE(engine.socket(tap)->tap->counters.clientToServer, quint64(0)); // a subscription is no message

    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));
    QCOMPARE(stopped.at(0).at(1).toULongLong(), quint64(2)); // messages; the event line is not one
    const QList<QJsonObject> lines = fileLines(options.file.path);
    QCOMPARE(lines.size(), 4);
    const QJsonObject &event = lines.at(0);
    QCOMPARE(event.value(u"event"_s).toString(), u"subscribe"_s);
    QCOMPARE(event.value(u"topic_base64"_s).toString(), u"QQ=="_s); // "A"
    QCOMPARE(event.value(u"socket"_s).toString(), u"tap sub-pub"_s);
    QVERIFY(!event.contains(u"frames"_s));
    QCOMPARE(lines.at(1).value(u"dir"_s).toString(), u"s2c"_s);
    QCOMPARE(lines.at(1).value(u"type"_s).toString(), u"PUB"_s);
    QCOMPARE(lines.at(3).value(u"event"_s).toString(), u"unsubscribe"_s);
    QCOMPARE(lines.at(3).value(u"topic_base64"_s).toString(), u"QQ=="_s);
}

void TestEngineTap::waitForServerIsToldAndNothingLost()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A server that is not there yet: its endpoint is known in advance (ipc), so it can start later.
    const QString serverEndpoint = u"ipc://"_s + dir.filePath(u"server"_s);
    MessageStore store;
    Engine engine(store);
    QSignalSpy opened(&engine, &Engine::socketOpened);
    QSignalSpy events(&engine, &Engine::eventLogged);
    // libzmq queues for a connection that is not up yet (as it does for any connecting PUSH) up to the
    // high-water mark; past it the tap holds the clients back, and says why.
    TapSpec spec = tapSpec(TapPattern::PushPull, serverEndpoint);
    spec.forwardOptions = { { "sndhwm", OptionValue(1) } };
    const SocketId tap = engine.openTap(spec);
    QVERIFY(opened.wait(NetworkTimeout));
    const QString listen = opened.at(0).at(1).toStringList().value(0);

    constexpr int Count = 20;
    TestProcess client;
    QVERIFY(startPeer(client,
        { u"--type"_s, u"PUSH"_s, u"--connect"_s, listen, u"--mode"_s, u"send"_s, u"--generate"_s,
            QString::number(Count) }));
    QTRY_VERIFY_WITH_TIMEOUT(
        logged(events, tap, u"c2s waits: the server's side has no connection"_s), NetworkTimeout);
    QVERIFY(engine.socket(tap)->tap->clientToServerHeld);
    QVERIFY(engine.socket(tap)->tap->counters.clientToServer < quint64(Count));

    TestProcess server;
    QVERIFY(startPeer(server,
        { u"--type"_s, u"PULL"_s, u"--bind"_s, serverEndpoint, u"--mode"_s, u"recv"_s, u"--count"_s,
            QString::number(Count) }));
    (void)TestProcess::waitForAllFinished({ &client, &server }, 60000);
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    QCOMPARE(server.lines().size(), Count + 1); // its endpoint, then every message
    QTRY_COMPARE_WITH_TIMEOUT(
        engine.socket(tap)->tap->counters.clientToServer, quint64(Count), NetworkTimeout);
    QVERIFY(!engine.socket(tap)->tap->clientToServerHeld);
    QCOMPARE(stored(store, tap).size(), Count);
}

void TestEngineTap::listenAddressInUseFails()
{
    MessageStore store;
    Engine engine(store);
    QSignalSpy opened(&engine, &Engine::socketOpened);
    QSignalSpy failed(&engine, &Engine::socketFailed);
    const SocketId first = engine.openTap(tapSpec(TapPattern::PushPull, u"tcp://127.0.0.1:9"_s));
    QVERIFY(opened.wait(NetworkTimeout));
    const QString listen = opened.at(0).at(1).toStringList().value(0);
    TapSpec again = tapSpec(TapPattern::PushPull, u"tcp://127.0.0.1:9"_s, listen);
    again.name = u"second"_s;
    const SocketId second = engine.openTap(again);
    QVERIFY(failed.wait(NetworkTimeout));
    QCOMPARE(failed.at(0).at(0).value<SocketId>(), second);
    const QString error = failed.at(0).at(1).toString();
    QVERIFY2(error.startsWith(u"second: "_s) && error.contains(listen), qPrintable(error));
    QCOMPARE(engine.socket(second)->state, SocketState::Failed);
    QVERIFY(engine.socket(second)->openError.has_value());
    QVERIFY(engine.socket(first)->state != SocketState::Failed);
    // A name taken by an open tap gets a suffix, as socket names do.
    const SocketId third = engine.openTap(tapSpec(TapPattern::PushPull, u"tcp://127.0.0.1:9"_s));
    QCOMPARE(engine.socket(third)->spec.name, u"tap push-pull (2)"_s);
}

// The CLI holds the store for its printing reader (Engine::holdFrom()): when the reader falls behind,
// the tap stops reading both sides, so the peers wait on their high-water marks instead of the store
// growing without bound; nothing is lost once the reader moves on.
void TestEngineTap::storeWaitingForItsReaderPausesTheTap()
{
    constexpr int Count = 3000;
    MessageStore::Limits limits;
    limits.maxMessages = 160; // a chunk closes every 10 messages
    MessageStore store(limits);
    Engine engine(store);
    engine.holdFrom(0);
    QSignalSpy opened(&engine, &Engine::socketOpened);
    TapSpec spec = tapSpec(TapPattern::PushPull, u"tcp://127.0.0.1:9"_s);
    TestProcess server;
    QVERIFY(startPeer(server,
        { u"--type"_s, u"PULL"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"recv"_s, u"--count"_s,
            QString::number(Count) }));
    spec.forward = { server.waitForPeerEndpoint() };
    QVERIFY(!spec.forward.constFirst().isEmpty());
    const SocketId tap = engine.openTap(spec);
    QVERIFY(opened.wait(NetworkTimeout));
    TestProcess client;
    QVERIFY(startPeer(client,
        { u"--type"_s, u"PUSH"_s, u"--connect"_s, opened.at(0).at(1).toStringList().value(0), u"--mode"_s,
            u"send"_s, u"--generate"_s, QString::number(Count), u"--size"_s, u"100"_s, u"--hwm"_s,
            u"10"_s }));
    QTRY_VERIFY_WITH_TIMEOUT(store.waitsForReader(), NetworkTimeout);
    // Held: the tap reads no more while the reader does not move (a broken pause forwards all of them).
    QTest::qWait(300);
    const quint64 held = engine.socket(tap)->tap->counters.clientToServer;
    QVERIFY2(held < quint64(Count), qPrintable(QString::number(held)));
    QVERIFY(store.size() < quint64(Count));
    QTest::qWait(300);
    QCOMPARE(engine.socket(tap)->tap->counters.clientToServer, held);
    engine.releaseHold();
    (void)TestProcess::waitForAllFinished({ &client, &server }, 60000);
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    QCOMPARE(server.lines().size(), Count + 1);
    QTRY_COMPARE_WITH_TIMEOUT(
        engine.socket(tap)->tap->counters.clientToServer, quint64(Count), NetworkTimeout);
}

QTEST_GUILESS_MAIN(TestEngineTap)
#include "tst_enginetap.moc"
