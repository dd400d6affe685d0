// A sniffer on the Engine (issue 15): live capture on lo while python3-zmq peers talk
// (tests/interop/wire_peers.py); each ZMTP connection becomes a row of the socket table with its
// socket types, its messages are stored c2s/s2c exactly as the peers sent them and recorded with
// src, dst and security; a missing interface and a missing right to capture fail the row with one
// line; closing the sniffer ends its thread.

#include <unistd.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/engine/engine.h>

#include "../../core/engine/src/sniffer_p.h" // the engine's private sniffer thread, for its memory bound
#include "../interop/loopback.h"
#include "../interop/testprocess.h"
#include "enginetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using enginetest::logged;
using enginetest::stored;

namespace {

constexpr int NetworkTimeout = 20000; // waits end as soon as they hold

QList<QJsonObject> jsonLines(const QByteArray &text, qsizetype skip = 0)
{
    QList<QJsonObject> lines;
    const QList<QByteArray> raw = text.split('\n');
    for (qsizetype i = skip; i < raw.size(); ++i) {
        if (!raw.at(i).trimmed().isEmpty())
            lines.append(QJsonDocument::fromJson(raw.at(i)).object());
    }
    return lines;
}

Frames framesOf(const QJsonObject &line)
{
    Frames frames;
    for (const QJsonValue frame : line.value(u"frames"_s).toArray())
        frames.append(QByteArray::fromBase64(frame.toString().toLatin1()));
    return frames;
}

/// The row of the connection whose server listens on `port` (lo may carry other traffic too).
std::optional<SocketInfo> connectionTo(const Engine &engine, SocketId sniffer, int port)
{
    for (const SocketInfo &info : engine.sockets()) {
        if (info.wire && info.wire->sniffer == sniffer && info.wire->server.endsWith(u":%1"_s.arg(port)))
            return info;
    }
    return std::nullopt;
}

/// Starts recording to `path`, then a sniffer on lo for `ports`, and waits until both run; the
/// sniffer's id, 0 on failure.
SocketId recordAndSniff(Engine &engine, const QString &path, const QList<quint16> &ports)
{
    QSignalSpy opened(&engine, &Engine::socketOpened);
    QSignalSpy recording(&engine, &Engine::recordingStarted);
    RecordingOptions options;
    options.file.path = path;
    engine.startRecording(options);
    if (!recording.wait(NetworkTimeout))
        return 0;
    const SocketId sniffer = engine.openSniffer(SniffSpec { QString(), u"lo"_s, ports });
    return opened.wait(NetworkTimeout) ? sniffer : 0;
}

/// Runs one scenario of wire_peers.py to its end, its server on `port` of this test's loopback address
/// (the sniffers here capture that port only: see loopback.h); its JSON lines, empty when it failed
/// (`diagnostics` says why).
QList<QJsonObject> runWirePeers(const QString &scenario, quint16 port, QString &diagnostics)
{
    TestProcess peers;
    if (!peers.start(QStringLiteral(ZMQSCOPE_PYTHON),
            loopback::wirePeersArguments({ scenario }, loopback::EngineSniffHost, { port }))
        || !peers.waitForFinished(60000) || !peers.exitedWith(0)) {
        diagnostics = QString::fromUtf8(peers.diagnostics());
        return {};
    }
    return jsonLines(peers.out());
}

} // namespace

class TestEngineSniff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void specIsValidated();
    void requestReplyOnLoopback();
    void curveIsStoredWithItsSizes();
    void waitingRecordsAreBounded();
    void noSuchInterfaceFails();
    void noPermissionSaysTheFix();
};

void TestEngineSniff::specIsValidated()
{
    SniffSpec spec;
    QVERIFY(!spec.validate().ok());
    QVERIFY(spec.validate().error().message().contains(u"needs an interface"_s));
    spec.interface = u"lo"_s;
    spec.ports = { 5555, 0 };
    QVERIFY(spec.validate().error().message().contains(u"port 0"_s));
    spec.ports = { 5555 };
    QVERIFY(spec.validate().ok());
    const auto back = SniffSpec::fromJson(spec.toJson());
    QVERIFY(back.ok());
    QCOMPARE(*back, spec);
    QJsonObject bad = spec.toJson();
    bad[u"ports"_s] = QJsonArray { 70000 };
    QVERIFY(SniffSpec::fromJson(bad).error().message().contains(u"invalid port 70000"_s));

    // A bad spec fails its row at once, with the reason.
    MessageStore store;
    Engine engine(store);
    QSignalSpy failed(&engine, &Engine::socketFailed);
    const SocketId id = engine.openSniffer(SniffSpec { u"x"_s, u"  "_s, {} });
    QVERIFY(failed.wait(NetworkTimeout));
    QCOMPARE(failed.at(0).at(0).value<SocketId>(), id);
    QVERIFY(failed.at(0).at(1).toString().contains(u"needs an interface"_s));
}

void TestEngineSniff::requestReplyOnLoopback()
{
    if (geteuid() != 0)
        QSKIP("live capture needs root (or cap_net_raw); this run has neither");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MessageStore store;
    Engine engine(store);
    QSignalSpy events(&engine, &Engine::eventLogged);
    const QString path = dir.filePath(u"sniffed.zmqcap"_s);
    const QList<quint16> ports = loopback::freePorts(loopback::EngineSniffHost, 1);
    QVERIFY(!ports.isEmpty());
    const SocketId sniffer = recordAndSniff(engine, path, ports);
    QVERIFY(sniffer != 0);
    auto info = engine.socket(sniffer);
    QVERIFY(info && info->sniff);
    QCOMPARE(info->spec.name, u"sniff lo"_s);
    QCOMPARE(info->state, SocketState::Listening);
    QCOMPARE(info->sniff->filter, u"tcp and (port %1)"_s.arg(ports.at(0)));
    QVERIFY(logged(events, sniffer, u"sniffing ZeroMQ on lo"_s));

    QString diagnostics;
    const QList<QJsonObject> said = runWirePeers(u"req-rep"_s, ports.at(0), diagnostics);
    QVERIFY2(!said.isEmpty(), qPrintable(diagnostics));
    const int port = said.at(0).value(u"port"_s).toInt();
    QCOMPARE(port, int(ports.at(0)));
    QList<QJsonObject> sent;
    for (const QJsonObject &line : said) {
        if (line.contains(u"frames"_s))
            sent.append(line);
    }
    QCOMPARE(sent.size(), 6);

    QTRY_VERIFY_WITH_TIMEOUT(connectionTo(engine, sniffer, port).has_value(), NetworkTimeout);
    const SocketId connection = connectionTo(engine, sniffer, port)->id;
    QTRY_COMPARE_WITH_TIMEOUT(stored(store, connection).size(), sent.size(), NetworkTimeout);
    const QList<StoredMessage> messages = stored(store, connection);
    for (qsizetype i = 0; i < sent.size(); ++i) {
        const bool c2s = sent.at(i).value(u"dir"_s).toString() == u"c2s"_s;
        QCOMPARE(messages.at(i).direction, c2s ? Direction::ClientToServer : Direction::ServerToClient);
        QCOMPARE(messages.at(i).frames, framesOf(sent.at(i)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(
        connectionTo(engine, sniffer, port)->state, SocketState::Disconnected, NetworkTimeout);
    info = connectionTo(engine, sniffer, port);
    QCOMPARE(info->wire->clientType, u"REQ"_s);
    QCOMPARE(info->wire->serverType, u"REP"_s);
    QCOMPARE(info->spec.type, SocketType::Req);
    QCOMPARE(info->wire->security, u"NULL"_s);
    QCOMPARE(info->spec.name, info->wire->client + u" > "_s + info->wire->server);
    QCOMPARE(info->spec.connects, QStringList { u"tcp://"_s + info->wire->server });
    QCOMPARE(info->messagesIn, quint64(sent.size()));
    // The log lines come with the signals the engine queued (the table above is read directly).
    QTRY_VERIFY_WITH_TIMEOUT(logged(events, connection, u"disconnected"_s), NetworkTimeout);
    QVERIFY(logged(events, connection, u"connected: "_s));
    QVERIFY(engine.socket(sniffer)->sniff->connections >= 1);
    QVERIFY(engine.socket(sniffer)->sniff->packets > 0);

    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QList<QJsonObject> lines;
    for (const QJsonObject &line : jsonLines(file.readAll(), 1)) {
        if (line.value(u"socket"_s).toString() == info->spec.name && line.contains(u"frames"_s))
            lines.append(line);
    }
    QCOMPARE(lines.size(), sent.size());
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QJsonObject &line = lines.at(i);
        const bool c2s = sent.at(i).value(u"dir"_s).toString() == u"c2s"_s;
        QCOMPARE(line.value(u"dir"_s).toString(), c2s ? u"c2s"_s : u"s2c"_s);
        QCOMPARE(line.value(u"type"_s).toString(), c2s ? u"REQ"_s : u"REP"_s); // the sender's
        QCOMPARE(line.value(u"src"_s).toString(), c2s ? info->wire->client : info->wire->server);
        QCOMPARE(line.value(u"dst"_s).toString(), c2s ? info->wire->server : info->wire->client);
        QCOMPARE(line.value(u"security"_s).toString(), u"NULL"_s);
        QCOMPARE(line.value(u"endpoint"_s).toString(), u"tcp://"_s + info->wire->server);
        QCOMPARE(framesOf(line), framesOf(sent.at(i)));
    }

    // Closing the sniffer joins its thread, which ends only because libpcap is interrupted: a live
    // capture's reads never end on their own, so without the interrupt sync() would not return.
    engine.closeSocket(sniffer);
    engine.sync();
    QCOMPARE(engine.socket(sniffer)->state, SocketState::Closed);
    QCOMPARE(engine.socket(connection)->state, SocketState::Closed); // its connections' rows too
    QTRY_VERIFY_WITH_TIMEOUT(logged(events, sniffer, u"stopped sniffer \"sniff lo\""_s), NetworkTimeout);
}

void TestEngineSniff::curveIsStoredWithItsSizes()
{
    if (geteuid() != 0)
        QSKIP("live capture needs root (or cap_net_raw); this run has neither");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MessageStore store;
    Engine engine(store);
    const QString path = dir.filePath(u"curve.zmqcap"_s);
    const QList<quint16> ports = loopback::freePorts(loopback::EngineSniffHost, 1);
    QVERIFY(!ports.isEmpty());
    const SocketId sniffer = recordAndSniff(engine, path, ports);
    QVERIFY(sniffer != 0);
    QString diagnostics;
    const QList<QJsonObject> said = runWirePeers(u"curve"_s, ports.at(0), diagnostics);
    QVERIFY2(!said.isEmpty(), qPrintable(diagnostics));
    const int port = said.at(0).value(u"port"_s).toInt();
    QVERIFY(port > 0);
    QTRY_VERIFY_WITH_TIMEOUT(connectionTo(engine, sniffer, port).has_value(), NetworkTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        connectionTo(engine, sniffer, port)->state, SocketState::Disconnected, NetworkTimeout);
    const SocketInfo info = *connectionTo(engine, sniffer, port);
    QCOMPARE(info.wire->security, u"CURVE"_s);

    // 3 requests and 3 replies of 4 frames each went out; MORE is inside the box, so each frame is
    // an encrypted message of its own, stored without frames, its size beside the store.
    const QList<StoredMessage> messages = stored(store, info.id);
    QCOMPARE(messages.size(), 24);
    QCOMPARE(info.wire->encrypted, quint64(messages.size()));
    const QHash<std::uint64_t, std::uint64_t> sizes = engine.encryptedSizes();
    std::uint64_t total = 0;
    for (const StoredMessage &message : messages) {
        QVERIFY(message.frames.isEmpty());
        total += engine.encryptedSize(message.seq).value_or(0);
        QVERIFY(engine.encryptedSize(message.seq).has_value()); // 0 for REQ's empty delimiter
        QCOMPARE(sizes.value(message.seq), *engine.encryptedSize(message.seq));
    }
    QVERIFY(total > 0);
    QCOMPARE(std::count_if(messages.cbegin(), messages.cend(),
                 [](const StoredMessage &m) { return m.direction == Direction::ClientToServer; }),
        12);

    // Recorded as section 12's encrypted lines, with the connection's peers and security.
    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    qsizetype encrypted = 0;
    for (const QJsonObject &line : jsonLines(file.readAll(), 1)) {
        if (line.value(u"socket"_s).toString() != info.spec.name || !line.contains(u"encrypted"_s))
            continue;
        const StoredMessage &message = messages.at(encrypted++);
        QVERIFY(line.value(u"encrypted"_s).toBool());
        QCOMPARE(quint64(line.value(u"size"_s).toDouble()), *engine.encryptedSize(message.seq));
        QVERIFY(!line.contains(u"frames"_s));
        QCOMPARE(line.value(u"security"_s).toString(), u"CURVE"_s);
        const bool c2s = message.direction == Direction::ClientToServer;
        QCOMPARE(line.value(u"dir"_s).toString(), c2s ? u"c2s"_s : u"s2c"_s);
        QCOMPARE(line.value(u"src"_s).toString(), c2s ? info.wire->client : info.wire->server);
    }
    QCOMPARE(encrypted, messages.size());
}

void TestEngineSniff::waitingRecordsAreBounded()
{
    if (geteuid() != 0)
        QSKIP("live capture needs root (or cap_net_raw); this run has neither");
    // At most 2 items may wait for the engine thread: the thread stops reading until they are taken
    // (nobody takes them while the peers talk), and a stop still ends it while it waits.
    std::atomic<int> wakes { 0 };
    const QList<quint16> ports = loopback::freePorts(loopback::EngineSniffHost, 1);
    QVERIFY(!ports.isEmpty());
    PcapSource::LiveOptions options;
    options.interface = u"lo"_s;
    options.ports = ports;
    auto started = Sniffer::start(
        options, [&wakes] { ++wakes; }, SnifferLimits { 2, 1 << 20 });
    QVERIFY2(started.ok(), qPrintable(started.errorMessage()));
    Sniffer &sniffer = **started;
    QString diagnostics;
    const QList<QJsonObject> said = runWirePeers(u"req-rep"_s, ports.at(0), diagnostics);
    QVERIFY2(!said.isEmpty(), qPrintable(diagnostics));
    const int port = said.at(0).value(u"port"_s).toInt();
    // One packet's records (a few) may go over the limit; then nothing more is read until a take().
    QTRY_VERIFY_WITH_TIMEOUT(wakes > 0, NetworkTimeout);
    qsizetype records = 0;
    qsizetype messages = 0;
    for (int round = 0; round < 1000 && messages < 6; ++round) {
        Sniffer::Batch batch = sniffer.take();
        QVERIFY2(batch.items.size() <= 2 + 4, qPrintable(QString::number(batch.items.size())));
        for (const Sniffer::Item &item : batch.items) {
            const QString server = u":%1"_s.arg(port);
            if (!item.record || (!item.record->dst.endsWith(server) && !item.record->src.endsWith(server)))
                continue;
            ++records;
            messages += item.record->isEvent() ? 0 : 1;
        }
        if (messages < 6)
            QTest::qWait(20); // the thread reads on after each take
    }
    QCOMPARE(messages, 6);
    QVERIFY(records > messages); // connected, at least
    sniffer.stop();
}

void TestEngineSniff::noSuchInterfaceFails()
{
    MessageStore store;
    Engine engine(store);
    QSignalSpy failed(&engine, &Engine::socketFailed);
    QSignalSpy events(&engine, &Engine::eventLogged);
    const SocketId id = engine.openSniffer(SniffSpec { QString(), u"no-such-if0"_s, { 5555 } });
    QVERIFY(failed.wait(NetworkTimeout));
    const QString message = failed.at(0).at(1).toString();
    QVERIFY2(
        message.startsWith(u"sniff no-such-if0: cannot capture on no-such-if0: "_s), qPrintable(message));
    QVERIFY(!message.contains(u'\n'));
    const auto info = engine.socket(id);
    QCOMPARE(info->state, SocketState::Failed);
    QCOMPARE(info->lastError, message);
    QCOMPARE(info->sniff->filter, u"tcp and (port 5555)"_s);
    QTRY_VERIFY_WITH_TIMEOUT(logged(events, id, message), NetworkTimeout);
    // The failed row closes like any failed socket.
    QSignalSpy closed(&engine, &Engine::socketClosed);
    engine.closeSocket(id);
    QVERIFY(closed.wait(NetworkTimeout));
}

void TestEngineSniff::noPermissionSaysTheFix()
{
    const QString expected
        = u"sniff lo: cannot capture on lo: permission denied; run as root, or give the program the right "
          "once: sudo setcap cap_net_raw,cap_net_admin=eip "_s
        + QCoreApplication::applicationFilePath();
    MessageStore store;
    Engine engine(store);
    QSignalSpy failed(&engine, &Engine::socketFailed);
    QSignalSpy opened(&engine, &Engine::socketOpened);
    const bool root = geteuid() == 0;
    // As root: an effective user without capabilities while the engine opens it (seteuid is the whole
    // process's), then root again.
    if (root)
        QCOMPARE(::seteuid(65534), 0);
    const SocketId id = engine.openSniffer(SniffSpec { QString(), u"lo"_s, {} });
    engine.sync();
    if (root)
        QCOMPARE(::seteuid(0), 0);
    if (!root && !opened.isEmpty())
        QSKIP("this test program may capture (it has cap_net_raw): no permission error to see");
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, NetworkTimeout);
    QCOMPARE(failed.at(0).at(1).toString(), expected);
    QCOMPARE(engine.socket(id)->state, SocketState::Failed);
    QCOMPARE(engine.socket(id)->lastError, expected);
}

QTEST_GUILESS_MAIN(TestEngineSniff)
#include "tst_enginesniff.moc"
