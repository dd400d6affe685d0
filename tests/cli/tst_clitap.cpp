// zmqscope-cli tap end to end (DESIGN.md section 12): python3-zmq peers (tests/interop/tap_peer.py)
// on both sides of the CLI process, the tap's output and --write file read back.

#include <csignal>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/engine/tap.h>

#include "clitestsupport.h"

using namespace Qt::StringLiterals;
using namespace clitest;
using namespace zmqscope;

namespace {

/// tap_peer.py on Debian's python3-zmq, with every wait bounded by RunTimeout unless `arguments` give
/// --timeout.
bool startTapPeer(TestProcess &process, const QStringList &arguments)
{
    QStringList all { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/tap_peer.py") };
    all += arguments;
    if (!arguments.contains(u"--timeout"_s))
        all += QStringList { u"--timeout"_s, QString::number(RunTimeout) };
    return process.start(QStringLiteral(ZMQSCOPE_PYTHON), all);
}

/// A peer that binds a free port; returns the endpoint it printed (empty when it did not start).
QString startServer(TestProcess &process, const QStringList &arguments)
{
    if (!startTapPeer(process, QStringList { u"--bind"_s, AnyPort } + arguments))
        return {};
    return process.waitForPeerEndpoint();
}

/// Starts `zmqscope-cli tap` and returns the listen endpoint it reports ("... bound to URI for ...").
QString startTap(TestProcess &tap, const QStringList &arguments)
{
    if (!startCli(tap, QStringList { u"tap"_s } + arguments))
        return {};
    return tap.waitForBoundEndpoint();
}

/// Writes `messages` (each a list of frames) as the JSON list of base64 frames --messages reads.
bool writeMessagesFile(const QString &path, const QList<Frames> &messages)
{
    QJsonArray list;
    for (const Frames &frames : messages) {
        QJsonArray encoded;
        for (const QByteArray &frame : frames)
            encoded.append(QString::fromLatin1(frame.toBase64()));
        list.append(encoded);
    }
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(list).toJson()) > 0;
}

/// The lines of a capture file after its header.
QList<QByteArray> captureBody(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    if (!lines.isEmpty())
        lines.removeFirst(); // the header
    return lines;
}

QList<CaptureRecord> parseLines(const QList<QByteArray> &lines)
{
    QList<CaptureRecord> records;
    for (const QByteArray &line : lines)
        records.append(parseCaptureLine(line));
    return records;
}

QByteArray fileContent(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(cannot read)");
}

} // namespace

class TestCliTap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reqRepKeepsEachClientsConversation();
    void subPubRecordsTheSubscription();
    void pushPullSigintLeavesACompleteFile();
    void countEndsTheTap();
    void usageErrors_data();
    void usageErrors();
    void listenAddressInUse();
    void forwardNeverConnected();
    void noClientConnected();

private:
    QTemporaryDir m_dir;
};

void TestCliTap::reqRepKeepsEachClientsConversation()
{
    // Three REQ clients, two requests each; the first one carries all 256 byte values and an empty frame.
    constexpr int Clients = 3;
    constexpr int Requests = 2;
    QList<QList<Frames>> sent;
    for (int client = 0; client < Clients; ++client) {
        const QByteArray tag = "client-" + QByteArray::number(client);
        sent.append({ Frames { tag + "-0", allBytes(), QByteArray() }, Frames { tag + "-1" } });
        QVERIFY(writeMessagesFile(m_dir.filePath(u"requests-%1.json"_s.arg(client)), sent.constLast()));
    }

    TestProcess server;
    const QString serverEndpoint = startServer(server,
        { u"--type"_s, u"rep"_s, u"--mode"_s, u"echo"_s, u"--count"_s, QString::number(Clients * Requests) });
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    const QString capture = m_dir.filePath(u"reqrep.zmqcap"_s);
    TestProcess tap;
    const QString listen = startTap(tap,
        { u"--pattern"_s, u"req-rep"_s, u"--listen"_s, AnyPort, u"--forward"_s, serverEndpoint, u"--format"_s,
            u"jsonl"_s, u"--count"_s, QString::number(2 * Clients * Requests), u"--write"_s, capture });
    QVERIFY2(!listen.isEmpty(), tap.diagnostics());
    QVERIFY2(tap.err().contains(QByteArray(
                 "for the REQ clients; forwarding to the REP server at " + serverEndpoint.toUtf8())),
        tap.diagnostics());

    TestProcess clients[Clients];
    for (int client = 0; client < Clients; ++client)
        QVERIFY(startTapPeer(clients[client],
            { u"--type"_s, u"req"_s, u"--connect"_s, listen, u"--mode"_s, u"send"_s, u"--replies"_s,
                u"--messages"_s, m_dir.filePath(u"requests-%1.json"_s.arg(client)) }));
    QVERIFY(TestProcess::waitForAllFinished(
        { &server, &tap, &clients[0], &clients[1], &clients[2] }, RunTimeout));
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    QVERIFY2(tap.exitedWith(0), tap.diagnostics());
    // Each client got exactly its own replies (the server echoes), in order.
    for (int client = 0; client < Clients; ++client) {
        QVERIFY2(clients[client].exitedWith(0), clients[client].diagnostics());
        QCOMPARE(clients[client].peerMessages(), sent.at(client));
    }

    // The printed lines are the recorded lines, byte for byte.
    const QList<QByteArray> printed = tap.lines();
    QCOMPARE(printed, captureBody(capture));
    const QList<CaptureRecord> records = parseLines(printed);
    QCOMPARE(records.size(), 2 * Clients * Requests);

    // Per peer: one client's requests (c2s, REQ, the delimiter it put on the wire first) and their
    // replies (s2c, REP), in order, byte-exact.
    QMap<QByteArray, QList<CaptureRecord>> byPeer;
    for (const CaptureRecord &record : records) {
        QVERIFY(!record.peer.isEmpty());
        QCOMPARE(record.socket, u"tap req-rep"_s);
        QCOMPARE(record.endpoint, listen + u" > "_s + serverEndpoint);
        byPeer[record.peer].append(record);
    }
    QCOMPARE(byPeer.size(), Clients);
    QSet<int> seenClients;
    for (const QList<CaptureRecord> &conversation : std::as_const(byPeer)) {
        QCOMPARE(conversation.size(), 2 * Requests);
        const QByteArray tag = conversation.constFirst().frames.value(1).chopped(2); // "client-N"
        const int client = tag.mid(7).toInt();
        QVERIFY2(tag.startsWith("client-") && client >= 0 && client < Clients, tag.constData());
        seenClients.insert(client);
        QList<Frames> requests;
        QList<Frames> replies;
        for (const CaptureRecord &record : conversation) {
            QCOMPARE(record.frames.value(0), QByteArray()); // the REQ/REP delimiter
            const Frames body = record.frames.mid(1);
            if (record.direction == Direction::ClientToServer) {
                QCOMPARE(record.type, u"REQ"_s);
                requests.append(body);
            } else {
                QCOMPARE(record.direction, Direction::ServerToClient);
                QCOMPARE(record.type, u"REP"_s);
                replies.append(body);
            }
        }
        QCOMPARE(requests, sent.at(client));
        QCOMPARE(replies, sent.at(client));
    }
    QCOMPARE(seenClients.size(), Clients);

    // stats --pairs on the recording (issue 18): each request is answered by the next reply line of
    // its own client (peer), never another client's, however the three conversations interleave.
    const auto stats = runCli({ u"stats"_s, capture, u"--pairs"_s, u"--format"_s, u"jsonl"_s });
    QVERIFY2(stats->exitedWith(0), stats->diagnostics());
    const QList<QByteArray> statsLines = stats->lines();
    QCOMPARE(statsLines.size(), Clients * Requests + 1);
    QHash<QByteArray, qint64> waiting;
    QMap<qint64, qint64> expectedPairs;
    for (qsizetype i = 0; i < records.size(); ++i) {
        if (records.at(i).direction == Direction::ClientToServer)
            waiting.insert(records.at(i).peer, i + 1);
        else
            expectedPairs.insert(waiting.take(records.at(i).peer), i + 1);
    }
    QMap<qint64, qint64> pairs;
    for (const QByteArray &line : statsLines.mid(0, qsizetype(Clients) * Requests)) {
        const QJsonObject pair = QJsonDocument::fromJson(line).object();
        QCOMPARE(pair.value(u"socket"_s).toString(), u"tap req-rep"_s);
        pairs.insert(pair.value(u"request"_s).toInteger(), pair.value(u"reply"_s).toInteger());
    }
    QCOMPARE(pairs, expectedPairs);
    const QJsonObject summary
        = QJsonDocument::fromJson(statsLines.constLast()).object().value(u"summary"_s).toObject();
    QCOMPARE(summary.value(u"answered"_s).toInt(), Clients * Requests);
    QCOMPARE(summary.value(u"unanswered"_s).toInt(), 0);
}

void TestCliTap::subPubRecordsTheSubscription()
{
    constexpr int Messages = 3;
    TestProcess server;
    const QString serverEndpoint = startServer(server,
        { u"--type"_s, u"xpub"_s, u"--mode"_s, u"publish"_s, u"--wait-subscriptions"_s, u"1"_s,
            u"--generate"_s, QString::number(Messages), u"--tag"_s, u"news"_s });
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    const QString capture = m_dir.filePath(u"subpub.zmqcap"_s);
    TestProcess tap;
    // --count counts published messages only: with the subscription counted the run would end early.
    const QString listen = startTap(tap,
        { u"--pattern"_s, u"sub-pub"_s, u"--listen"_s, AnyPort, u"--forward"_s, serverEndpoint, u"--format"_s,
            u"jsonl"_s, u"--count"_s, QString::number(Messages), u"--write"_s, capture, u"--name"_s,
            u"feed"_s });
    QVERIFY2(!listen.isEmpty(), tap.diagnostics());
    // The tap may be gone when the client closes: with a linger its SUB would wait to resend its
    // subscription.
    TestProcess client;
    QVERIFY(startTapPeer(client,
        { u"--type"_s, u"sub"_s, u"--connect"_s, listen, u"--subscribe"_s, u"news"_s, u"--mode"_s, u"recv"_s,
            u"--count"_s, QString::number(Messages), u"--linger"_s, u"0"_s }));
    QVERIFY2(TestProcess::waitForAllFinished({ &server, &tap, &client }, RunTimeout),
        QByteArray(QByteArray("client: ") + client.diagnostics() + "\nserver: " + server.diagnostics()
            + "\ntap: " + tap.diagnostics())
            .constData());
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QVERIFY2(tap.exitedWith(0), tap.diagnostics());
    QCOMPARE(client.peerMessages().size(), Messages);

    // The tap closes after the third message: the client that went meanwhile may have left an
    // "unsubscribe" in the recording (it was passed upstream), never on stdout (the run had ended).
    QList<QByteArray> recorded = captureBody(capture);
    if (recorded.size() == 2 + Messages && parseCaptureLine(recorded.constLast()).event == u"unsubscribe"_s)
        recorded.removeLast();
    for (const QList<QByteArray> &lines : { tap.lines(), recorded }) {
        QCOMPARE(lines.size(), 1 + Messages);
        const CaptureRecord event = parseCaptureLine(lines.constFirst());
        QVERIFY2(event.isEvent(), lines.constFirst().constData());
        QCOMPARE(event.event, u"subscribe"_s);
        QCOMPARE(event.topic, QByteArray("news"));
        QCOMPARE(event.socket, u"feed"_s);
        QVERIFY2(
            lines.constFirst().contains("\"topic_base64\":\"bmV3cw==\""), lines.constFirst().constData());
        for (int i = 0; i < Messages; ++i) {
            const CaptureRecord message = parseCaptureLine(lines.at(1 + i));
            QCOMPARE(message.direction, Direction::ServerToClient);
            QCOMPARE(message.type, u"PUB"_s);
            QCOMPARE(message.frames, client.peerMessages().at(i));
        }
    }
}

void TestCliTap::pushPullSigintLeavesACompleteFile()
{
    // The signal comes while messages flow: the client sends far more than get through before it.
    constexpr int Sent = 100000;
    constexpr int BeforeSignal = 2000;
    constexpr int Size = 100;
    // Both peers give up soon once the tap has gone (the server waits for more, the client's PUSH has no
    // peer left), and the client drops what it still queues.
    const QStringList soon { u"--timeout"_s, u"1500"_s };
    TestProcess server;
    const QString serverEndpoint = startServer(server,
        QStringList { u"--type"_s, u"pull"_s, u"--mode"_s, u"recv"_s, u"--count"_s, QString::number(Sent) }
            + soon);
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    const QString capture = m_dir.filePath(u"pushpull.zmqcap"_s);
    TestProcess tap;
    const QString listen = startTap(tap,
        { u"--pattern"_s, u"push-pull"_s, u"--listen"_s, AnyPort, u"--forward"_s, serverEndpoint,
            u"--format"_s, u"none"_s, u"--write"_s, capture });
    QVERIFY2(!listen.isEmpty(), tap.diagnostics());
    TestProcess client;
    QVERIFY(startTapPeer(client,
        QStringList { u"--type"_s, u"push"_s, u"--connect"_s, listen, u"--mode"_s, u"send"_s, u"--generate"_s,
            QString::number(Sent), u"--size"_s, QString::number(Size), u"--linger"_s, u"0"_s }
            + soon));
    QVERIFY2(server.waitForLines(1 + BeforeSignal, RunTimeout), server.diagnostics());

    QCOMPARE(::kill(pid_t(tap.process().processId()), SIGINT), 0);
    QVERIFY(TestProcess::waitForAllFinished({ &server, &tap, &client }, RunTimeout));
    QVERIFY2(tap.exitedWith(0), tap.diagnostics());
    QVERIFY2(tap.out().isEmpty(), tap.diagnostics()); // --format none prints nothing per message

    // Every message the server got is in the file, in order, as the client's PUSH sent it; the file may
    // have a few more (forwarded, still in the tap's queue for the server when it closed).
    const QList<CaptureRecord> records = parseLines(captureBody(capture));
    const QList<Frames> received = server.peerMessages();
    QVERIFY2(received.size() > BeforeSignal && received.size() < Sent, server.diagnostics());
    QVERIFY2(records.size() >= received.size(),
        qPrintable(u"%1 messages in the file, %2 received"_s.arg(records.size()).arg(received.size())));
    for (qsizetype i = 0; i < records.size(); ++i) {
        QCOMPARE(records.at(i).direction, Direction::ClientToServer);
        QCOMPARE(records.at(i).type, u"PUSH"_s);
        QCOMPARE(records.at(i).frames,
            i < received.size() ? received.at(i)
                                : Frames { u"m-%1"_s.arg(i).toUtf8().leftJustified(Size, '.') });
    }
    // One summary line, with the tap's counts: what the file holds.
    const QString summary
        = u"stopped by SIGINT: forwarded c2s %1, s2c 0, subscriptions 0, written to \"%2\""_s.arg(
            QString::number(records.size()), capture);
    QVERIFY2(tap.err().endsWith(QByteArray("zmqscope-cli: " + summary.toUtf8() + '\n')), tap.diagnostics());
    QCOMPARE(tap.err().count('\n'), 2); // "bound to ...", the summary
}

void TestCliTap::countEndsTheTap()
{
    constexpr int Messages = 3;
    TestProcess server;
    const QString serverEndpoint = startServer(
        server, { u"--type"_s, u"pull"_s, u"--mode"_s, u"recv"_s, u"--count"_s, QString::number(Messages) });
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    TestProcess tap;
    const QString listen = startTap(tap,
        { u"--pattern"_s, u"push-pull"_s, u"--listen"_s, AnyPort, u"--forward"_s, serverEndpoint,
            u"--count"_s, QString::number(Messages), u"--name"_s, u"jobs"_s });
    QVERIFY2(!listen.isEmpty(), tap.diagnostics());
    TestProcess client;
    QVERIFY(startTapPeer(client,
        { u"--type"_s, u"push"_s, u"--connect"_s, listen, u"--mode"_s, u"send"_s, u"--generate"_s,
            QString::number(Messages), u"--tag"_s, u"job"_s }));
    QVERIFY(TestProcess::waitForAllFinished({ &server, &tap, &client }, RunTimeout));
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    QVERIFY2(tap.exitedWith(0), tap.diagnostics());
    // Pretty output: one block per message with its direction and the sender's type.
    const QString out = QString::fromUtf8(tap.out());
    QCOMPARE(
        out.count(QRegularExpression(u"^\\S+Z  c2s  PUSH \"jobs\"  "_s, QRegularExpression::MultilineOption)),
        Messages);
    for (int i = 0; i < Messages; ++i)
        QVERIFY2(out.contains(u"job-%1"_s.arg(i)), tap.diagnostics());
}

void TestCliTap::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    // Usage errors come before anything opens: the endpoints are never used.
    const QString nowhere = u"ipc:///nonexistent/zmqscope-tst-clitap"_s;
    const QStringList endpoints { u"--listen"_s, AnyPort, u"--forward"_s, nowhere };
    QTest::newRow("unknown pattern") << (QStringList { u"--pattern"_s, u"req-req"_s } + endpoints)
                                     << u"unknown --pattern \"req-req\"; valid patterns are "_s
            + tapPatternNames().join(u", "_s);
    QTest::newRow("no pattern") << endpoints << u"tap needs --pattern P; valid patterns are req-rep"_s;
    QTest::newRow("no listen") << QStringList { u"--pattern"_s, u"req-rep"_s, u"--forward"_s, nowhere }
                               << u"tap needs --listen URI"_s;
    QTest::newRow("no forward") << QStringList { u"--pattern"_s, u"req-rep"_s, u"--listen"_s, AnyPort }
                                << u"tap needs --forward URI"_s;
    QTest::newRow("bad option value")
        << (QStringList { u"--pattern"_s, u"req-rep"_s, u"--forward-option"_s, u"sndhwm=lots"_s } + endpoints)
        << u"bad --forward-option \"sndhwm=lots\": option sndhwm expects an integer, got \"lots\""_s;
    QTest::newRow("bad format") << (QStringList { u"--pattern"_s, u"req-rep"_s, u"--format"_s, u"xml"_s }
        + endpoints) << u"unknown --format \"xml\"; valid formats are pretty, jsonl, none"_s;
}

void TestCliTap::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const auto tap = runCli(QStringList { u"tap"_s } + arguments);
    QVERIFY2(tap->exitedWith(2), tap->diagnostics());
    QVERIFY2(isOneErrorLine(tap->err()), tap->diagnostics());
    QVERIFY2(tap->err().contains(expected.toUtf8()), tap->diagnostics());
}

void TestCliTap::listenAddressInUse()
{
    TestProcess holder;
    const QString taken
        = startServer(holder, { u"--type"_s, u"pull"_s, u"--mode"_s, u"recv"_s, u"--count"_s, u"1"_s });
    QVERIFY2(!taken.isEmpty(), holder.diagnostics());
    const QString capture = m_dir.filePath(u"kept.zmqcap"_s);
    {
        QFile file(capture);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("an earlier capture\n");
    }
    const auto tap = runCli({ u"tap"_s, u"--pattern"_s, u"push-pull"_s, u"--listen"_s, taken, u"--forward"_s,
        u"ipc://"_s + m_dir.filePath(u"no-server"_s), u"--write"_s, capture });
    QVERIFY2(tap->exitedWith(1), tap->diagnostics());
    QVERIFY2(isOneErrorLine(tap->err()), tap->diagnostics());
    QVERIFY2(tap->err().contains(taken.toUtf8()), tap->diagnostics());
    QCOMPARE(fileContent(capture), QByteArray("an earlier capture\n"));
}

void TestCliTap::forwardNeverConnected()
{
    // Nothing listens at the forward endpoint: an ipc path that does not exist.
    const QString nowhere = u"ipc://"_s + m_dir.filePath(u"no-server"_s);
    const QString capture = m_dir.filePath(u"untouched.zmqcap"_s);
    {
        QFile file(capture);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("an earlier capture\n");
    }
    const auto tap = runCli({ u"tap"_s, u"--pattern"_s, u"req-rep"_s, u"--listen"_s, AnyPort, u"--forward"_s,
        nowhere, u"--timeout"_s, u"1500"_s, u"--write"_s, capture, u"--quiet"_s });
    QVERIFY2(tap->exitedWith(1), tap->diagnostics());
    QVERIFY2(isOneErrorLine(tap->err()), tap->diagnostics());
    QVERIFY2(tap->err().contains("no message was forwarded within 1500 ms by tap \"tap req-rep\""),
        tap->diagnostics());
    QVERIFY2(tap->err().contains(QByteArray("the server's side never connected to " + nowhere.toUtf8())),
        tap->diagnostics());
    QCOMPARE(fileContent(capture), QByteArray("an earlier capture\n"));
}

void TestCliTap::noClientConnected()
{
    TestProcess server;
    const QString serverEndpoint = startServer(server,
        { u"--type"_s, u"rep"_s, u"--mode"_s, u"echo"_s, u"--count"_s, u"1"_s, u"--timeout"_s, u"3000"_s,
            u"--linger"_s, u"0"_s });
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    TestProcess tap;
    const QString listen = startTap(tap,
        { u"--pattern"_s, u"req-rep"_s, u"--listen"_s, AnyPort, u"--forward"_s, serverEndpoint,
            u"--timeout"_s, u"1000"_s });
    QVERIFY2(!listen.isEmpty(), tap.diagnostics());
    QVERIFY(tap.waitForFinished(RunTimeout));
    QVERIFY2(tap.exitedWith(1), tap.diagnostics());
    // The server's side was up: what kept the tap idle is that nobody connected where it listens.
    QVERIFY2(tap.err().endsWith(QByteArray("no client connected to " + listen.toUtf8() + '\n')),
        tap.diagnostics());
}

QTEST_GUILESS_MAIN(TestCliTap)
#include "tst_clitap.moc"
