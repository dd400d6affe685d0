// zmqscope-cli replay, cat and send --library end to end: records with one CLI process, replays
// into another, and checks the frames byte for byte (never timing).

#include <memory>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/replay/templates.h>

#include "clitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace clitest;

namespace {

QList<Frames> frameList(const QList<CaptureRecord> &records)
{
    QList<Frames> result;
    for (const CaptureRecord &record : records)
        result.append(record.frames);
    return result;
}

CaptureRecord makeRecord(std::int64_t ts, const QString &socket, Direction direction, Frames frames)
{
    return CaptureRecord { ts, socket, u"SUB"_s, u"tcp://127.0.0.1:5556"_s, direction, std::move(frames) };
}

} // namespace

class TestCliReplay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void recordThenReplay_data();
    void recordThenReplay();
    void replayStepReadsStdin();
    void replayFilterMatchesNothing();
    void replayNotACapture();
    void replayRealErrorFails();
    void catFormats();
    void catTruncatedAndMalformed();
    void catNotACapture_data();
    void catNotACapture();
    void sendLibraryTemplate();
    void sendLibraryErrors_data();
    void sendLibraryErrors();

private:
    void writeFile(const QString &path, const QByteArray &content);
    QTemporaryDir m_dir;
};

void TestCliReplay::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(ZMQSCOPE_CLI_PATH)), ZMQSCOPE_CLI_PATH);
}

void TestCliReplay::writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(content), content.size());
}

void TestCliReplay::recordThenReplay_data()
{
    QTest::addColumn<QStringList>("pacing");
    QTest::newRow("max speed") << QStringList { u"--max-speed"_s };
    QTest::newRow("speed") << QStringList { u"--speed"_s, u"50"_s };
    QTest::newRow("original timing") << QStringList {};
}

void TestCliReplay::recordThenReplay()
{
    QFETCH(QStringList, pacing);
    // What the independent peer sends: envelopes with every byte value, an empty body, a big body.
    const QList<Frames> sent { { "bin", "application/octet-stream", allBytes() },
        { "empty", "text/plain", "" }, { "big", "text/plain", QByteArray(50'000, 'x') },
        { "\xff\x00id", "text/plain", "\r\n\x1b" } };
    TestProcess peer;
    QVERIFY(peer.startPeer(QStringList { u"push"_s, u"--bind"_s, AnyPort } + peerSendArguments(sent)));
    const QString peerEndpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!peerEndpoint.isEmpty(), peer.diagnostics());

    // 1. Record with one CLI process.
    const QString path = m_dir.filePath(
        u"recorded-%1.zmqcap"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'-'));
    const auto recorder = runCli({ u"listen"_s, u"-t"_s, u"pull"_s, u"--connect"_s, peerEndpoint,
        u"--count"_s, QString::number(sent.size()), u"--write"_s, path, u"-q"_s });
    QVERIFY2(recorder->exitedWith(0), recorder->diagnostics());
    QVERIFY2(peer.waitForFinished() && peer.exitedWith(0), peer.diagnostics());

    // 2. Replay it into another listening CLI process.
    TestProcess listener;
    QVERIFY(startCli(listener,
        { u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, AnyPort, u"--count"_s, QString::number(sent.size()),
            u"--format"_s, u"jsonl"_s, u"--timeout"_s, QString::number(RunTimeout) }));
    const QString endpoint = listener.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), listener.diagnostics());
    const auto replay
        = runCli(QStringList { u"replay"_s, path, u"-t"_s, u"push"_s, u"--connect"_s, endpoint } + pacing);
    QVERIFY2(replay->exitedWith(0), replay->diagnostics());
    QVERIFY2(replay->out().isEmpty(), replay->diagnostics()); // stdout carries data only
    QVERIFY2(replay->err().contains("replayed 4 messages from "), replay->diagnostics());

    QVERIFY2(listener.waitForFinished() && listener.exitedWith(0), listener.diagnostics());
    QCOMPARE(frameList(records(listener)), sent);

    // -q: errors only, so a successful replay prints nothing at all.
    TestProcess quietListener;
    QVERIFY(startCli(quietListener,
        { u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, AnyPort, u"--count"_s, u"4"_s, u"--format"_s,
            u"jsonl"_s, u"--timeout"_s, QString::number(RunTimeout) }));
    const QString quietEndpoint = quietListener.waitForBoundEndpoint();
    QVERIFY2(!quietEndpoint.isEmpty(), quietListener.diagnostics());
    const auto quiet
        = runCli(QStringList { u"replay"_s, path, u"-t"_s, u"push"_s, u"--connect"_s, quietEndpoint, u"-q"_s }
            + pacing);
    QVERIFY2(quiet->exitedWith(0), quiet->diagnostics());
    QVERIFY2(quiet->err().isEmpty() && quiet->out().isEmpty(), quiet->diagnostics());
    QVERIFY2(quietListener.waitForFinished() && quietListener.exitedWith(0), quietListener.diagnostics());
    QCOMPARE(frameList(records(quietListener)), sent);
}

void TestCliReplay::replayStepReadsStdin()
{
    const QString path = m_dir.filePath(u"step.zmqcap"_s);
    QByteArray content = captureHeaderLine(QDateTime::currentDateTimeUtc());
    QList<Frames> frames;
    for (int i = 0; i < 4; ++i) {
        frames.append(Frames { "step", "text/plain", QByteArray::number(i) });
        content += captureLine(makeRecord(
            1'700'000'000'000'000 + i * 3'600'000'000LL, u"S"_s, Direction::In, frames.constLast()));
    }
    writeFile(path, content);

    CollectingPeer peer(2);
    QVERIFY2(peer.isListening(), peer.diagnostics());

    TestProcess replay;
    QVERIFY(startCli(replay, peer.replayArguments(path, { u"--step"_s })));
    QVERIFY2(!replay.waitForStderr(QRegularExpression(u"(press Enter to send message 1)"_s)).isEmpty(),
        replay.diagnostics());
    replay.process().write("\n");
    QVERIFY(replay.process().waitForBytesWritten(RunTimeout));
    // " of 4" comes once the file's messages are counted (a thread of its own): the prompt may come first.
    QVERIFY2(
        !replay.waitForStderr(QRegularExpression(u"(press Enter to send message 2(?: of 4)? )"_s)).isEmpty(),
        replay.diagnostics());
    replay.process().write("\n");
    QVERIFY(replay.process().waitForBytesWritten(RunTimeout));
    QVERIFY2(peer.waitForAll(), peer.diagnostics());
    QCOMPARE(peer.messages(), frames.mid(0, 2));
    QVERIFY2(
        !replay.waitForStderr(QRegularExpression(u"(press Enter to send message 3(?: of 4)? )"_s)).isEmpty(),
        replay.diagnostics());
    replay.process().closeWriteChannel(); // Ctrl-D: stop after two of four
    QVERIFY2(replay.waitForFinished(RunTimeout) && replay.exitedWith(0), replay.diagnostics());
    QVERIFY2(replay.err().contains("stopped after 2 messages from "), replay.diagnostics());

    // Stepping through to the end finishes by itself, without waiting for the end of stdin.
    CollectingPeer all(4);
    QVERIFY2(all.isListening(), all.diagnostics());
    TestProcess stepper;
    QVERIFY(startCli(stepper, all.replayArguments(path, { u"--step"_s })));
    stepper.process().write("\n\n\n\n");
    QVERIFY(stepper.process().waitForBytesWritten(RunTimeout));
    QVERIFY2(stepper.waitForFinished(RunTimeout) && stepper.exitedWith(0), stepper.diagnostics());
    QVERIFY2(stepper.err().contains("replayed 4 messages from "), stepper.diagnostics());
    QVERIFY2(all.waitForAll(), all.diagnostics());
    QCOMPARE(all.messages(), frames);
}

void TestCliReplay::replayFilterMatchesNothing()
{
    const QString path = m_dir.filePath(u"filter.zmqcap"_s);
    writeFile(path,
        captureHeaderLine(QDateTime::currentDateTimeUtc())
            + captureLine(makeRecord(1, u"A"_s, Direction::In, { "a", "b", "c" })));
    const auto replay = runCli({ u"replay"_s, path, u"-t"_s, u"push"_s, u"--bind"_s, AnyPort, u"--socket"_s,
        u"nope"_s, u"--max-speed"_s, u"-q"_s });
    QVERIFY2(replay->exitedWith(1), replay->diagnostics());
    QVERIFY2(isOneErrorLine(replay->err()), replay->diagnostics());
    QVERIFY2(replay->err().contains("no message in ") && replay->err().contains("matches --socket \"nope\""),
        replay->diagnostics());
}

void TestCliReplay::replayNotACapture()
{
    const QString path = m_dir.filePath(u"plain.txt"_s);
    writeFile(path, "just text\n");
    const auto replay = runCli({ u"replay"_s, path, u"-t"_s, u"push"_s, u"--bind"_s, AnyPort });
    QVERIFY2(replay->exitedWith(1), replay->diagnostics());
    QVERIFY2(isOneErrorLine(replay->err()), replay->diagnostics());
    QVERIFY2(replay->err().contains("not a ZmqScope capture"), replay->diagnostics());
    QVERIFY2(!replay->err().contains("bound to"), replay->diagnostics()); // checked before opening the socket
}

void TestCliReplay::replayRealErrorFails()
{
    // A ROUTER cannot deliver to a routing id no peer has: a real error, not something to wait for.
    const QString path = m_dir.filePath(u"router.zmqcap"_s);
    writeFile(path,
        captureHeaderLine(QDateTime::currentDateTimeUtc())
            + captureLine(makeRecord(1, u"A"_s, Direction::Out, { "nobody", "", "id", "text/plain", "x" }))
            + captureLine(makeRecord(2, u"A"_s, Direction::Out, { "nobody", "", "id", "text/plain", "y" })));
    const auto replay = runCli(
        { u"replay"_s, path, u"-t"_s, u"router"_s, u"--bind"_s, AnyPort, u"--max-speed"_s, u"-q"_s });
    QVERIFY2(replay->exitedWith(1), replay->diagnostics());
    QVERIFY2(isOneErrorLine(replay->err()), replay->diagnostics());
    QVERIFY2(replay->err().contains("stopped after 0 messages: message 1: ")
            && replay->err().contains("no connected peer has the routing id"),
        replay->diagnostics());
}

void TestCliReplay::catFormats()
{
    const QList<CaptureRecord> written {
        makeRecord(1'764'115'200'000'001, u"SUB 1"_s, Direction::In, { "temp.", "text/plain", "21" }),
        makeRecord(1'764'115'200'000'002, u"\x1b[31mred"_s, Direction::Out, { allBytes() }),
    };
    QByteArray content = captureHeaderLine(QDateTime::currentDateTimeUtc());
    for (const CaptureRecord &record : written)
        content += captureLine(record);
    const QString path = m_dir.filePath(u"cat.zmqcap"_s);
    writeFile(path, content);

    const auto jsonl = runCli({ u"cat"_s, path, u"--format"_s, u"jsonl"_s });
    QVERIFY2(jsonl->exitedWith(0), jsonl->diagnostics());
    QVERIFY2(jsonl->err().isEmpty(), jsonl->diagnostics());
    QCOMPARE(records(*jsonl), written);
    QCOMPARE(jsonl->out(), content.mid(content.indexOf('\n') + 1)); // the lines themselves, no header

    const auto pretty = runCli({ u"cat"_s, path });
    QVERIFY2(pretty->exitedWith(0), pretty->diagnostics());
    const QByteArray out = pretty->out();
    QVERIFY2(out.contains("2025-11-26T00:00:00.000001Z  in  SUB \"SUB 1\"  tcp://127.0.0.1:5556\n"),
        out.constData());
    QVERIFY2(out.contains("  id:       \"temp.\" (5 bytes)\n"), out.constData());
    QVERIFY2(out.contains("  out  SUB \"\\x1b[31mred\""), out.constData());
    QVERIFY2(out.contains("  raw message, not an envelope: 256 bytes"), out.constData());
    for (const char c : out) {
        const auto u = static_cast<unsigned char>(c);
        QVERIFY2(c == '\n' || (u >= 0x20 && u != 0x7f), out.constData()); // nothing reaches the terminal raw
    }

    const auto filtered = runCli({ u"cat"_s, path, u"--format"_s, u"jsonl"_s, u"--direction"_s, u"out"_s });
    QVERIFY2(filtered->exitedWith(0), filtered->diagnostics());
    QCOMPARE(records(*filtered), written.mid(1));
}

void TestCliReplay::catTruncatedAndMalformed()
{
    const CaptureRecord first = makeRecord(10, u"A"_s, Direction::In, { "1", "text/plain", "one" });
    const CaptureRecord second = makeRecord(20, u"A"_s, Direction::In, { "2", "text/plain", "two" });
    const QByteArray third
        = captureLine(makeRecord(30, u"A"_s, Direction::In, { "3", "text/plain", "three" }));
    const QByteArray content = captureHeaderLine(QDateTime::currentDateTimeUtc()) + captureLine(first)
        + "{\"ts\": \"2026-11-26T00:00:00Z\", \"frames\": [\"%%%\"]}\n" + captureLine(second)
        + third.left(third.size() / 2); // the writer was killed mid-line
    const QString path = m_dir.filePath(u"truncated.zmqcap"_s);
    writeFile(path, content);

    const auto cat = runCli({ u"cat"_s, path, u"--format"_s, u"jsonl"_s });
    QVERIFY2(cat->exitedWith(0), cat->diagnostics());
    QCOMPARE(records(*cat), (QList<CaptureRecord> { first, second }));
    const QList<QByteArray> warnings = cat->err().trimmed().split('\n');
    QCOMPARE(warnings.size(), 2);
    QVERIFY2(warnings[0].startsWith("zmqscope-cli: warning: ") && warnings[0].contains("line 3"),
        cat->diagnostics());
    QVERIFY2(warnings[1].contains("line 5"), cat->diagnostics());

    // Nothing readable at all: status 1.
    const QString broken = m_dir.filePath(u"broken.zmqcap"_s);
    writeFile(broken, captureHeaderLine(QDateTime::currentDateTimeUtc()) + "nonsense\n");
    const auto none = runCli({ u"cat"_s, broken });
    QVERIFY2(none->exitedWith(1), none->diagnostics());
    QVERIFY2(
        none->err().contains("line 2") && none->err().contains("no readable message"), none->diagnostics());

    // A capture with a header only is fine and prints nothing.
    const QString empty = m_dir.filePath(u"header-only.zmqcap"_s);
    writeFile(empty, captureHeaderLine(QDateTime::currentDateTimeUtc()));
    const auto quiet = runCli({ u"cat"_s, empty });
    QVERIFY2(quiet->exitedWith(0) && quiet->out().isEmpty() && quiet->err().isEmpty(), quiet->diagnostics());
}

void TestCliReplay::catNotACapture_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text") << QByteArray("hello\n") << u"not a ZmqScope capture"_s;
    QTest::newRow("empty") << QByteArray() << u"empty"_s;
    QTest::newRow("library") << QByteArray("{\"zmqscope_library\": 1, \"templates\": []}\n")
                             << u"not a ZmqScope capture"_s;
}

void TestCliReplay::catNotACapture()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString path = m_dir.filePath(u"not-%1.zmqcap"_s.arg(QString::fromLatin1(QTest::currentDataTag())));
    writeFile(path, content);
    const auto cat = runCli({ u"cat"_s, path });
    QVERIFY2(cat->exitedWith(1), cat->diagnostics());
    QVERIFY2(isOneErrorLine(cat->err()), cat->diagnostics());
    QVERIFY2(QString::fromUtf8(cat->err()).contains(expected), cat->diagnostics());
    QVERIFY(cat->out().isEmpty());

    const auto missing = runCli({ u"cat"_s, m_dir.filePath(u"missing.zmqcap"_s) });
    QVERIFY2(missing->exitedWith(1) && isOneErrorLine(missing->err()), missing->diagnostics());
    QVERIFY2(missing->err().contains("missing.zmqcap"), missing->diagnostics());
}

void TestCliReplay::sendLibraryTemplate()
{
    TemplateLibrary library;
    MessageTemplate ping;
    ping.name = u"ping"_s;
    ping.socketType = u"PUSH"_s;
    ping.id = "req-{{seq}}";
    ping.mimetype = "application/json";
    ping.body = "{\"n\": {{seq}}, \"r\": {{random:1}}, \"lit\": \"{{{{x}}\"}";
    library.insert(ping);
    MessageTemplate raw;
    raw.name = u"raw"_s;
    raw.kind = MessageTemplate::Kind::Raw;
    raw.frames = { "topic", allBytes(), "#{{seq}}" };
    library.insert(raw);
    const QString path = m_dir.filePath(u"library.json"_s);
    library.save(path);

    CollectingPeer peer(5);
    QVERIFY2(peer.isListening(), peer.diagnostics());
    // No --type: the template says PUSH.
    const auto first = runCli({ u"send"_s, u"--library"_s, path, u"--template"_s, u"ping"_s, u"--connect"_s,
        peer.endpoint(), u"--repeat"_s, u"3"_s });
    QVERIFY2(first->exitedWith(0), first->diagnostics());
    const auto second = runCli(
        QStringList { u"send"_s, u"--library"_s, path, u"--template"_s, u"raw"_s, u"--repeat"_s, u"2"_s }
        + peer.pushArguments());
    QVERIFY2(second->exitedWith(0), second->diagnostics());
    QVERIFY2(peer.waitForAll(), peer.diagnostics());
    const QList<Frames> got = peer.messages();
    QCOMPARE(got.size(), 5);
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(got[i - 1],
            (Frames { "req-" + QByteArray::number(i), "application/json",
                "{\"n\": " + QByteArray::number(i) + ", \"r\": 0, \"lit\": \"{{x}}\"}" }));
    QCOMPARE(got[3], (Frames { "topic", allBytes(), "#1" }));
    QCOMPARE(got[4], (Frames { "topic", allBytes(), "#2" }));
}

void TestCliReplay::sendLibraryErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("expected");
    QTest::newRow("type mismatch") << QStringList { u"-t"_s, u"pub"_s, u"--template"_s, u"ping"_s } << 2
                                   << u"template \"ping\" is meant for PUSH sockets, not PUB"_s;
    QTest::newRow("missing template")
        << QStringList { u"--template"_s, u"pong"_s } << 2 << u"no template \"pong\" in "_s;
    QTest::newRow("lists available") << QStringList { u"--template"_s, u"pong"_s } << 2
                                     << u"available: \"bad\", \"ping\""_s;
    QTest::newRow("template and text") << QStringList { u"--template"_s, u"ping"_s, u"--text"_s, u"x"_s } << 2
                                       << u"got --text and --template"_s;
    QTest::newRow("template and id") << QStringList { u"--template"_s, u"ping"_s, u"--id"_s, u"x"_s } << 2
                                     << u"--id, --mimetype and --hex do not apply"_s;
    QTest::newRow("bad variable") << QStringList { u"--template"_s, u"bad"_s } << 1
                                  << u"template \"bad\" in "_s;
    QTest::newRow("bad variable named")
        << QStringList { u"--template"_s, u"bad"_s } << 1 << u"unknown template variable \"{{nope}}\""_s;
    QTest::newRow("library missing") << QStringList { u"--template"_s, u"ping"_s, u"--library"_s,
        u"/nonexistent/lib.json"_s } << 2
                                     << u"--library file \"/nonexistent/lib.json\" does not exist"_s;
    QTest::newRow("library is not one") << QStringList { u"--template"_s, u"ping"_s, u"--library"_s,
        u"CAP"_s } << 1 << u"is not a ZmqScope template library"_s;
}

void TestCliReplay::sendLibraryErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, status);
    QFETCH(QString, expected);
    TemplateLibrary library;
    MessageTemplate ping;
    ping.name = u"ping"_s;
    ping.socketType = u"PUSH"_s;
    ping.body = "x";
    library.insert(ping);
    MessageTemplate bad;
    bad.name = u"bad"_s;
    bad.body = "{{nope}}";
    library.insert(bad);
    const QString path = m_dir.filePath(u"errors-library.json"_s);
    library.save(path);
    const QString capture = m_dir.filePath(u"a-capture.zmqcap"_s);
    writeFile(capture, captureHeaderLine(QDateTime::currentDateTimeUtc()));

    QStringList full { u"send"_s, u"--connect"_s, u"tcp://127.0.0.1:9"_s };
    if (!arguments.contains(u"--library"_s))
        full += QStringList { u"--library"_s, path };
    for (const QString &argument : arguments)
        full.append(argument == u"CAP"_s ? capture : argument);
    if (!arguments.contains(u"-t"_s))
        full += QStringList { u"-t"_s, u"push"_s };
    const auto cli = runCli(full);
    QVERIFY2(cli->exitedWith(status), cli->diagnostics());
    QVERIFY2(isOneErrorLine(cli->err()), cli->diagnostics());
    QVERIFY2(QString::fromUtf8(cli->err()).contains(expected), cli->diagnostics());
    QVERIFY(cli->out().isEmpty());
}

QTEST_GUILESS_MAIN(TestCliReplay)
#include "tst_clireplay.moc"
