// zmqscope-cli cat FILE.pcap and sniff end to end (issue 15, DESIGN.md section 12): the committed
// capture fixtures (real traffic, tests/capture/data) through cat, and a live capture of lo while
// python3-zmq peers (tests/interop/wire_peers.py) talk, as root; without the right to capture, the
// one-line error with its fix.

#include <csignal>
#include <functional>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/passivedecoder.h>

#include "../interop/loopback.h"
#include "clitestsupport.h"

using namespace Qt::StringLiterals;
using namespace clitest;
using namespace zmqscope;

namespace {

const QString Conversations = QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/capture/data/conversations.pcap");

/// What the core decoder makes of a fixture, as the lines `cat --format jsonl` must print.
QByteArray decodedLines(const QString &path)
{
    QByteArray lines;
    PassiveDecoder::Handlers handlers;
    handlers.record = [&](const CaptureRecord &record) {
        lines += record.isEvent() ? captureEventLine(record) : captureLine(record);
    };
    if (!decodeCaptureFile(path, std::move(handlers)))
        return {};
    return lines;
}

} // namespace

/// Whether a line of the fixture's expected output should pass a filter (independent of its code).
using LineTest = std::function<bool(const QJsonObject &)>;
Q_DECLARE_METATYPE(LineTest)

class TestCliPcap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void catPrintsTheDecodedLines();
    void catFiltersByDirectionAndSocket();
    void catPrettySaysWhereAndWhatIsEncrypted();
    void catOfNotACapture();
    void catReadsAPipe();
    void catFilters_data();
    void catFilters();
    void sniffLo();
    void sniffWithoutTheRightToCapture();
    void sniffUsageErrors();
};

void TestCliPcap::catPrintsTheDecodedLines()
{
    const QByteArray expected = decodedLines(Conversations);
    QVERIFY(!expected.isEmpty());
    TestProcess cat;
    QVERIFY(startCli(cat, { u"cat"_s, Conversations, u"--format"_s, u"jsonl"_s }));
    QVERIFY2(cat.waitForFinished(RunTimeout) && cat.exitedWith(0), cat.diagnostics());
    QCOMPARE(cat.out(), expected);
    // Read back as capture lines: every message has src, dst, security and a c2s/s2c direction.
    int messages = 0;
    for (const QByteArray &line : cat.lines()) {
        const CaptureRecord record = parseCaptureLine(line);
        if (record.isEvent())
            continue;
        ++messages;
        QVERIFY(!record.src.isEmpty() && !record.dst.isEmpty() && !record.security.isEmpty());
        QVERIFY(
            record.direction == Direction::ClientToServer || record.direction == Direction::ServerToClient);
    }
    QVERIFY(messages > 0);
}

void TestCliPcap::catFiltersByDirectionAndSocket()
{
    TestProcess all;
    QVERIFY(startCli(all, { u"cat"_s, Conversations, u"--format"_s, u"jsonl"_s }));
    QVERIFY2(all.waitForFinished(RunTimeout) && all.exitedWith(0), all.diagnostics());
    QList<CaptureRecord> c2s;
    QString someSocket;
    for (const QByteArray &line : all.lines()) {
        const CaptureRecord record = parseCaptureLine(line);
        if (!record.isEvent() && record.direction == Direction::ClientToServer)
            c2s.append(record);
        if (!record.isEvent() && someSocket.isEmpty())
            someSocket = record.socket;
    }
    TestProcess filtered;
    QVERIFY(startCli(
        filtered, { u"cat"_s, Conversations, u"--format"_s, u"jsonl"_s, u"--direction"_s, u"c2s"_s }));
    QVERIFY2(filtered.waitForFinished(RunTimeout) && filtered.exitedWith(0), filtered.diagnostics());
    QList<CaptureRecord> shown;
    for (const QByteArray &line : filtered.lines())
        shown.append(parseCaptureLine(line));
    QCOMPARE(shown, c2s);

    TestProcess one;
    QVERIFY(startCli(one, { u"cat"_s, Conversations, u"--format"_s, u"jsonl"_s, u"--socket"_s, someSocket }));
    QVERIFY2(one.waitForFinished(RunTimeout) && one.exitedWith(0), one.diagnostics());
    QVERIFY(!one.lines().isEmpty());
    for (const QByteArray &line : one.lines())
        QCOMPARE(parseCaptureLine(line).socket, someSocket);
}

void TestCliPcap::catPrettySaysWhereAndWhatIsEncrypted()
{
    TestProcess cat;
    QVERIFY(startCli(cat, { u"cat"_s, Conversations }));
    QVERIFY2(cat.waitForFinished(RunTimeout) && cat.exitedWith(0), cat.diagnostics());
    const QByteArray text = cat.out();
    QVERIFY2(text.contains("  wire:     127.0.0.1:"), text.left(2000).constData());
    QVERIFY2(text.contains("encrypted:") && text.contains("of CURVE payload"), text.constData());
    QVERIFY2(text.contains("connected"), text.left(2000).constData());
    QVERIFY2(!text.contains("s3cret-pw"), "the PLAIN password is printed");
}

void TestCliPcap::catOfNotACapture()
{
    // A bad --filter is a usage error naming the column, before anything is read.
    TestProcess badFilter;
    QVERIFY(startCli(badFilter, { u"cat"_s, Conversations, u"--filter"_s, u"id =="_s }));
    QVERIFY2(badFilter.waitForFinished(RunTimeout) && badFilter.exitedWith(2), badFilter.diagnostics());
    QVERIFY2(badFilter.err().contains("bad --filter at column 6: expected a value after \"==\""),
        badFilter.err().constData());
    QVERIFY(badFilter.out().isEmpty());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Named like a pcap, but not one: taken for what it is (a ZmqScope capture reader's error).
    const QString fake = dir.filePath(u"fake.pcap"_s);
    QFile file(fake);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a capture at all\n");
    file.close();
    TestProcess cat;
    QVERIFY(startCli(cat, { u"cat"_s, fake }));
    QVERIFY(cat.waitForFinished(RunTimeout));
    QVERIFY2(cat.exitedWith(1), cat.diagnostics());
    QVERIFY2(cat.err().contains("fake.pcap"), cat.diagnostics());
    // A real pcap cut short: what came before is printed, the cut is said, exit 1.
    QFile whole(Conversations);
    QVERIFY(whole.open(QIODevice::ReadOnly));
    const QByteArray bytes = whole.readAll();
    const QString cut = dir.filePath(u"cut.pcap"_s);
    QFile cutFile(cut);
    QVERIFY(cutFile.open(QIODevice::WriteOnly));
    cutFile.write(bytes.left(bytes.size() / 2 + 3));
    cutFile.close();
    TestProcess truncated;
    QVERIFY(startCli(truncated, { u"cat"_s, cut, u"--format"_s, u"jsonl"_s }));
    QVERIFY(truncated.waitForFinished(RunTimeout));
    QVERIFY2(truncated.exitedWith(1), truncated.diagnostics());
    QVERIFY2(truncated.err().contains("truncated"), truncated.diagnostics());
    QVERIFY(!truncated.lines().isEmpty());
}

void TestCliPcap::catReadsAPipe()
{
    // `tcpdump -w - | zmqscope-cli cat -`: a pipe is read once; its first bytes still tell a pcap from
    // a ZmqScope capture, and both print what the same file prints.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString capture = dir.filePath(u"small.zmqcap"_s);
    {
        TestProcess toCapture; // the pcap's messages as a ZmqScope capture, written by cat itself
        QVERIFY(startCli(toCapture, { u"cat"_s, Conversations, u"--format"_s, u"jsonl"_s }));
        QVERIFY2(toCapture.waitForFinished(RunTimeout) && toCapture.exitedWith(0), toCapture.diagnostics());
        QFile file(capture);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"zmqscope_capture": 1, "writer": "tst_clipcap"})"
                   "\n");
        for (const QByteArray &line : toCapture.lines())
            if (!parseCaptureLine(line).isEvent())
                file.write(line + '\n');
    }
    for (const QString &path : { Conversations, capture }) {
        TestProcess fromFile;
        QVERIFY(startCli(fromFile, { u"cat"_s, path, u"--format"_s, u"jsonl"_s }));
        QVERIFY2(fromFile.waitForFinished(RunTimeout) && fromFile.exitedWith(0), fromFile.diagnostics());
        QVERIFY(!fromFile.out().isEmpty());
        TestProcess fromPipe;
        QVERIFY(startCli(fromPipe, { u"cat"_s, u"-"_s, u"--format"_s, u"jsonl"_s }));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        // In two writes, the first shorter than what tells the formats apart.
        fromPipe.process().write(bytes.first(3));
        QVERIFY(fromPipe.process().waitForBytesWritten(RunTimeout));
        fromPipe.process().write(bytes.sliced(3));
        fromPipe.process().closeWriteChannel();
        QVERIFY2(fromPipe.waitForFinished(RunTimeout) && fromPipe.exitedWith(0), fromPipe.diagnostics());
        QCOMPARE(fromPipe.out(), fromFile.out());
    }
    // Not a capture: the error names standard input, not the relay's /dev/fd path.
    TestProcess garbage;
    QVERIFY(startCli(garbage, { u"cat"_s, u"-"_s }));
    garbage.process().write("hello\n");
    garbage.process().closeWriteChannel();
    QVERIFY2(garbage.waitForFinished(RunTimeout) && garbage.exitedWith(1), garbage.diagnostics());
    QVERIFY2(garbage.err().contains("cannot read capture file standard input: not a ZmqScope capture"),
        garbage.err().constData());
}

void TestCliPcap::catFilters_data()
{
    // Each expression with the test the fixture's own lines (the decoder's expected output, read
    // as JSON here) must pass to be printed.
    QTest::addColumn<QString>("expression");
    QTest::addColumn<LineTest>("expected");
    QTest::newRow("type") << u"type == \"REP\""_s << LineTest([](const QJsonObject &line) {
        return line.value(u"type"_s) == u"REP"_s;
    });
    QTest::newRow("encrypted size") << u"size == 10"_s << LineTest([](const QJsonObject &line) {
        return line.value(u"encrypted"_s).toBool() && line.value(u"size"_s).toInt() == 10;
    });
    QTest::newRow("id and dir") << u"id == \"id-1\" and dir == \"s2c\""_s
                                << LineTest([](const QJsonObject &line) {
                                       return line.value(u"id"_s) == u"id-1"_s
                                           && line.value(u"dir"_s) == u"s2c"_s;
                                   });
    QTest::newRow("json") << u"json.n >= 1"_s << LineTest([](const QJsonObject &line) {
        const QJsonDocument body = QJsonDocument::fromJson(line.value(u"body"_s).toString().toUtf8());
        return body.isObject() && body.object().value(u"n"_s).toDouble() >= 1;
    });
    QTest::newRow("words") << u"REQUEST 2"_s << LineTest([](const QJsonObject &line) {
        return line.value(u"body"_s).toString().contains(u"request 2"_s);
    });
    QTest::newRow("events by socket")
        << u"socket contains \"33483\" and not frames"_s << LineTest([](const QJsonObject &line) {
               return line.contains(u"event"_s) && line.value(u"socket"_s).toString().contains(u"33483"_s);
           });
}

void TestCliPcap::catFilters()
{
    QFETCH(QString, expression);
    QFETCH(LineTest, expected);
    QFile fixture(QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/capture/data/conversations.jsonl"));
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    QList<QByteArray> wanted;
    for (const QByteArray &line : fixture.readAll().split('\n'))
        if (!line.isEmpty() && expected(QJsonDocument::fromJson(line).object()))
            wanted.append(line);
    QVERIFY(!wanted.isEmpty());
    TestProcess cat;
    QVERIFY(startCli(cat, { u"cat"_s, Conversations, u"--format"_s, u"jsonl"_s, u"--filter"_s, expression }));
    QVERIFY2(cat.waitForFinished(RunTimeout) && cat.exitedWith(0), cat.diagnostics());
    QCOMPARE(cat.lines(), wanted);
}

void TestCliPcap::sniffLo()
{
    if (geteuid() != 0)
        QSKIP("sniffing lo needs root");
    // The peers talk on this test's own address and port, and sniff captures that port only (lo carries
    // the other tests' traffic too: see loopback.h).
    const QList<quint16> ports = loopback::freePorts(loopback::CliSniffHost, 1);
    QVERIFY(!ports.isEmpty());
    TestProcess sniff;
    QVERIFY(startCli(sniff,
        { u"sniff"_s, u"--interface"_s, u"lo"_s, u"--port"_s, QString::number(ports.at(0)), u"--format"_s,
            u"jsonl"_s, u"--timeout"_s, u"20000"_s }));
    QVERIFY2(QTest::qWaitFor([&] { return sniff.err().contains("sniffing ZeroMQ on"); }, RunTimeout),
        sniff.diagnostics());
    TestProcess peers;
    QVERIFY(peers.start(QStringLiteral(ZMQSCOPE_PYTHON),
        loopback::wirePeersArguments({ u"req-rep"_s }, loopback::CliSniffHost, ports)));
    QVERIFY2(peers.waitForFinished(RunTimeout) && peers.exitedWith(0), peers.diagnostics());
    int port = 0;
    QList<Frames> sent;
    for (const QByteArray &line : peers.lines()) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.contains(u"security"_s))
            port = object.value(u"port"_s).toInt();
        if (object.contains(u"frames"_s)) {
            Frames frames;
            for (const QJsonValue frame : object.value(u"frames"_s).toArray())
                frames.append(QByteArray::fromBase64(frame.toString().toLatin1()));
            sent.append(frames);
        }
    }
    QCOMPARE(port, int(ports.at(0)));
    const QString suffix = u":%1"_s.arg(port);
    const auto decoded = [&] {
        QList<Frames> seen;
        for (const QByteArray &line : sniff.lines()) {
            const CaptureRecord record = parseCaptureLine(line);
            if (!record.isEvent() && record.socket.endsWith(suffix))
                seen.append(record.frames);
        }
        return seen;
    };
    QTRY_COMPARE_WITH_TIMEOUT(decoded(), sent, RunTimeout);
    // SIGINT ends it cleanly with one summary line.
    ::kill(pid_t(sniff.process().processId()), SIGINT);
    QVERIFY2(sniff.waitForFinished(RunTimeout) && sniff.exitedWith(0), sniff.diagnostics());
    QVERIFY2(sniff.err().contains("stopped by SIGINT: sniffed"), sniff.diagnostics());
}

void TestCliPcap::sniffWithoutTheRightToCapture()
{
    const QString setpriv = QStandardPaths::findExecutable(u"setpriv"_s);
    if (geteuid() == 0 && setpriv.isEmpty())
        QSKIP("root without setpriv: no way to run without the right to capture");
    TestProcess sniff;
    QStringList arguments { u"sniff"_s, u"--interface"_s, u"lo"_s, u"--timeout"_s, u"1000"_s };
    if (geteuid() == 0) {
        // As nobody, with no capabilities: what an ordinary user sees.
        QVERIFY(sniff.start(setpriv,
            QStringList { u"--reuid=65534"_s, u"--regid=65534"_s, u"--clear-groups"_s, u"--inh-caps=-all"_s,
                QStringLiteral(ZMQSCOPE_CLI_PATH) }
                + arguments));
    } else {
        QVERIFY(startCli(sniff, arguments));
    }
    QVERIFY(sniff.waitForFinished(RunTimeout));
    QVERIFY2(sniff.exitedWith(1), sniff.diagnostics());
    const QList<QByteArray> lines = sniff.err().trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.first().contains("setcap cap_net_raw,cap_net_admin=eip"), sniff.diagnostics());
    QVERIFY2(lines.first().contains("root"), sniff.diagnostics());
}

void TestCliPcap::sniffUsageErrors()
{
    const QList<std::pair<QStringList, QByteArray>> cases {
        { { u"sniff"_s }, "--interface" },
        { { u"sniff"_s, u"--interface"_s, u"lo"_s, u"--port"_s, u"70000"_s }, "--port" },
        { { u"sniff"_s, u"--interface"_s, u"lo"_s, u"--port"_s, u"http"_s }, "--port" },
    };
    for (const auto &[arguments, named] : cases) {
        TestProcess sniff;
        QVERIFY(startCli(sniff, arguments));
        QVERIFY(sniff.waitForFinished(RunTimeout));
        QVERIFY2(sniff.exitedWith(2), sniff.diagnostics());
        QVERIFY2(sniff.err().contains(named), sniff.diagnostics());
    }
    // An interface that does not exist: named in the error, exit 1 (as root; else the permission
    // error may come first).
    if (geteuid() == 0) {
        TestProcess sniff;
        QVERIFY(startCli(sniff, { u"sniff"_s, u"--interface"_s, u"no-such-if0"_s }));
        QVERIFY(sniff.waitForFinished(RunTimeout));
        QVERIFY2(sniff.exitedWith(1), sniff.diagnostics());
        QVERIFY2(sniff.err().contains("no-such-if0"), sniff.diagnostics());
    }
}

QTEST_GUILESS_MAIN(TestCliPcap)
#include "tst_clipcap.moc"
