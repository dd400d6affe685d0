// PassiveDecoder (issue 15): ZeroMQ messages decoded from packet captures of real traffic.
// As root with tcpdump, lo is recorded while python3-zmq peers (tests/interop/wire_peers.py) talk
// every pattern, PLAIN and CURVE, and every decoded frame is compared with what the peers sent;
// the fault cases rewrite such a capture (truncated, snapped, reordered, duplicated). Without root
// the committed fixtures (made the same way) are decoded against their expected lines.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/passivedecoder.h>
#include <zmqscope/capture/pcapsource.h>

#include "../interop/loopback.h"
#include "../interop/testprocess.h"
#include "pcaptestsupport.h"
#include "zmtpdecodertestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

const QString DataDir = QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/capture/data");

QString tcpdumpPath()
{
    return QStandardPaths::findExecutable(u"tcpdump"_s, { u"/usr/sbin"_s, u"/usr/bin"_s, u"/sbin"_s });
}

/// Why lo cannot be recorded here (empty when it can).
QString cannotCapture()
{
    if (geteuid() != 0)
        return u"recording lo needs root (the fixtures are decoded instead)"_s;
    if (tcpdumpPath().isEmpty())
        return u"tcpdump is not installed"_s;
    return {};
}

/// What the peers said they put on the wire, as JSON objects (one per line of wire_peers.py).
using PeerLines = QList<QJsonObject>;

/// Sends `marker` over a TCP connection on the test's own loopback address (plain sockets: not
/// ZeroMQ, so the decoder ignores it), for recordLo() to see in the capture file.
bool sendMarker(const QByteArray &marker)
{
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    ::inet_pton(AF_INET, loopback::PassiveDecoderHost, &address.sin_addr);
    socklen_t length = sizeof address;
    bool sent = server >= 0 && client >= 0
        && ::bind(server, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0
        && ::listen(server, 1) == 0
        && ::getsockname(server, reinterpret_cast<sockaddr *>(&address), &length) == 0
        && ::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    if (sent)
        sent = ::send(client, marker.constData(), std::size_t(marker.size()), 0) == marker.size();
    if (client >= 0)
        ::close(client);
    if (server >= 0)
        ::close(server);
    return sent;
}

/// How a recording went: whether it ran, and the packets the kernel dropped (tcpdump's count).
struct Recording
{
    bool ok = false;
    qulonglong dropped = 0;
};

/// Records lo with tcpdump while wire_peers.py runs `scenarios` on this test's own address (only
/// its packets are captured: see loopback.h); the capture goes to `pcapPath`.
Recording recordLo(const QString &pcapPath, const QStringList &scenarios, PeerLines &said, int snapLength = 0)
{
    TestProcess tcpdump;
    // A 64 MiB buffer: on a busy machine the default one overflows and the kernel drops packets.
    QStringList arguments { u"-i"_s, u"lo"_s, u"-U"_s, u"-n"_s, u"--immediate-mode"_s, u"-B"_s, u"65536"_s,
        u"-w"_s, pcapPath };
    if (snapLength > 0)
        arguments << u"-s"_s << QString::number(snapLength);
    arguments << u"tcp and host %1"_s.arg(QLatin1StringView(loopback::PassiveDecoderHost));
    if (!tcpdump.start(tcpdumpPath(), arguments)) {
        qWarning("cannot start tcpdump");
        return {};
    }
    // tcpdump says "listening on lo" once the capture runs: only then may the peers start.
    if (!QTest::qWaitFor([&] { return tcpdump.err().contains("listening on"); }, 10000)) {
        qWarning("tcpdump did not start: %s", tcpdump.diagnostics());
        return {};
    }
    TestProcess peers;
    if (!peers.start(QStringLiteral(ZMQSCOPE_PYTHON),
            loopback::wirePeersArguments(scenarios, loopback::PassiveDecoderHost))
        || !peers.waitForFinished(60000) || !peers.exitedWith(0)) {
        qWarning("wire_peers.py failed: %s", peers.diagnostics());
        return {};
    }
    // tcpdump reads packets from the kernel's ring and can lag behind the peers, most on a busy
    // machine, and what it has not read when it stops is neither written nor counted as dropped. So a
    // marker goes over lo after the peers, and tcpdump stops once the file (written packet by packet,
    // -U) holds it: every packet before it is in the file too.
    // Short, so that it fits in a snapped packet (96 bytes, 66 of them headers).
    const QByteArray marker = "zq-end-" + QByteArray::number(QRandomGenerator::global()->generate(), 16);
    if (!sendMarker(marker)) {
        qWarning("cannot send the end marker over lo");
        return {};
    }
    const auto holdsMarker = [&] {
        QFile file(pcapPath);
        return file.open(QIODevice::ReadOnly) && file.readAll().contains(marker);
    };
    if (!QTest::qWaitFor(holdsMarker, 30000)) {
        qWarning("tcpdump did not write the end marker within 30 s: %s", tcpdump.diagnostics());
        return {};
    }
    tcpdump.process().terminate(); // SIGTERM: tcpdump writes what it has and exits
    if (!tcpdump.waitForFinished(10000)) {
        qWarning("tcpdump did not stop: %s", tcpdump.diagnostics());
        return {};
    }
    said.clear();
    for (const QByteArray &line : peers.lines())
        said.append(QJsonDocument::fromJson(line).object());
    Recording recording;
    recording.ok = !said.isEmpty() && said.last().value(u"done"_s).toBool();
    // "N packets dropped by kernel"
    const QRegularExpressionMatch dropped
        = QRegularExpression(u"(\\d+) packets? dropped by kernel"_s).match(QString::fromUtf8(tcpdump.err()));
    recording.dropped = dropped.hasMatch() ? dropped.captured(1).toULongLong() : 0;
    return recording;
}

struct Decoded
{
    QList<CaptureRecord> records;
    PassiveCaptureSummary summary;
    QString error;
};

Decoded decode(const QString &path)
{
    Decoded decoded;
    PassiveDecoder::Handlers handlers;
    handlers.record = [&](const CaptureRecord &record) { decoded.records.append(record); };
    auto result = decodeCaptureFile(path, std::move(handlers));
    if (result)
        decoded.summary = *result;
    else
        decoded.error = result.error().message();
    return decoded;
}

/// The records of the connection whose server listens on `port`.
QList<CaptureRecord> ofServerPort(const QList<CaptureRecord> &records, int port)
{
    QList<CaptureRecord> mine;
    const QString suffix = u":%1"_s.arg(port);
    for (const CaptureRecord &record : records)
        if (record.socket.endsWith(suffix))
            mine.append(record);
    return mine;
}

Frames framesOf(const QJsonObject &line)
{
    Frames frames;
    for (const QJsonValue frame : line.value(u"frames"_s).toArray())
        frames.append(QByteArray::fromBase64(frame.toString().toLatin1()));
    return frames;
}

QByteArray linesOf(const QList<CaptureRecord> &records)
{
    QByteArray text;
    for (const CaptureRecord &record : records)
        text += record.isEvent() ? captureEventLine(record) : captureLine(record);
    return text;
}

/// Rewrites a capture through libpcap, packet by packet, as `edit` says (reorder, duplicate, drop).
bool rewrite(const QString &from, const QString &to, const std::function<QList<int>(int packetCount)> &order)
{
    char error[PCAP_ERRBUF_SIZE] = {};
    QList<QByteArray> packets;
    QList<pcap_pkthdr> headers;
    pcap_t *in = pcap_open_offline(QFile::encodeName(from).constData(), error);
    if (!in)
        return false;
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    while (pcap_next_ex(in, &header, &data) == 1) {
        headers.append(*header);
        packets.append(QByteArray(reinterpret_cast<const char *>(data), int(header->caplen)));
    }
    pcap_t *dead = pcap_open_dead(pcap_datalink(in), 262144);
    pcap_close(in);
    pcap_dumper_t *out = pcap_dump_open(dead, QFile::encodeName(to).constData());
    if (!out) {
        pcap_close(dead);
        return false;
    }
    for (const int i : order(int(packets.size())))
        pcap_dump(reinterpret_cast<u_char *>(out), &headers[i],
            reinterpret_cast<const u_char *>(packets[i].constData()));
    pcap_dump_close(out);
    pcap_close(dead);
    return true;
}

} // namespace

class TestPassiveDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyPatternFromTheWire();
    void fixturesDecodeAsRecorded_data();
    void fixturesDecodeAsRecorded();
    void reorderedAndDuplicatedSegments();
    void curveHandshakeInProtocolOrder();
    void truncatedFile();
    void snappedPacketsAreGaps();
    void notZeroMqAndGarbage();
    void cutFramesAtTheEndAreReported();

private:
    QTemporaryDir m_dir;
    QString m_everything; ///< a capture of every scenario, recorded here
    qulonglong m_dropped = 0; ///< packets the kernel dropped from it
    PeerLines m_said;
};

void TestPassiveDecoder::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString why = cannotCapture();
    if (!why.isEmpty()) {
        qInfo("%s", qPrintable(why));
        return;
    }
    m_everything = m_dir.filePath(u"everything.pcap"_s);
    // A capture without loss is what the exact comparison needs; a busy machine's kernel may drop
    // packets (tcpdump counts them), so up to three tries, and then the checks that hold under loss.
    for (int attempt = 1; attempt <= 3; ++attempt) {
        const Recording recording = recordLo(m_everything, {}, m_said);
        QVERIFY(recording.ok);
        m_dropped = recording.dropped;
        if (m_dropped == 0)
            break;
        qWarning("try %d: the kernel dropped %llu packets of the capture", attempt, m_dropped);
    }
}

void TestPassiveDecoder::everyPatternFromTheWire()
{
    if (m_everything.isEmpty())
        QSKIP(qPrintable(cannotCapture()));
    const Decoded decoded = decode(m_everything);
    QVERIFY2(decoded.error.isEmpty(), qPrintable(decoded.error));
    const QByteArray all = linesOf(decoded.records);
    QVERIFY2(!all.contains("s3cret-pw"), "the PLAIN password appears in a line");

    // Per scenario: what the peers said they sent, against what was decoded on that connection.
    QHash<int, QJsonObject> scenarioOf;
    for (const QJsonObject &line : m_said)
        if (line.contains(u"security"_s))
            scenarioOf.insert(line.value(u"port"_s).toInt(), line);
    QCOMPARE(scenarioOf.size(), 6);
    for (auto it = scenarioOf.cbegin(); it != scenarioOf.cend(); ++it) {
        const int port = it.key();
        const QJsonObject &scenario = it.value();
        const QString name = scenario.value(u"scenario"_s).toString();
        const QString security = scenario.value(u"security"_s).toString();
        const QList<CaptureRecord> mine = ofServerPort(decoded.records, port);
        QList<CaptureRecord> messages;
        QList<CaptureRecord> subscriptions;
        const CaptureRecord *connected = nullptr;
        for (const CaptureRecord &record : mine) {
            if (!record.isEvent())
                messages.append(record);
            else if (record.event == u"subscribe" || record.event == u"unsubscribe")
                subscriptions.append(record);
            else if (record.event == u"connected")
                connected = &record;
        }
        QVERIFY2(
            connected, qPrintable(name + u": no connected event in\n"_s + QString::fromUtf8(linesOf(mine))));
        QVERIFY2(connected->detail.contains(security), qPrintable(connected->detail));
        if (security != u"CURVE") {
            const QString types = u"%1 > %2"_s.arg(
                scenario.value(u"client_type"_s).toString(), scenario.value(u"server_type"_s).toString());
            QVERIFY2(connected->detail.contains(types), qPrintable(connected->detail));
        }
        if (name == u"dealer-router")
            QVERIFY2(connected->detail.contains(u"dealer-1"_s), qPrintable(connected->detail));
        if (name == u"plain")
            QVERIFY2(connected->detail.contains(u"alice"_s), qPrintable(connected->detail));

        QList<QJsonObject> sent;
        QList<QJsonObject> subscribed;
        for (const QJsonObject &line : m_said) {
            if (line.value(u"port"_s).toInt() != port || !line.contains(u"dir"_s))
                continue;
            (line.contains(u"event"_s) ? subscribed : sent).append(line);
        }
        if (security == u"CURVE" && m_dropped == 0) {
            // Each frame is its own MESSAGE command whose MORE flag is inside the encrypted box: one
            // encrypted line per frame, with exactly that frame's size, in order.
            QList<std::pair<QString, qulonglong>> expected;
            for (const QJsonObject &line : sent)
                for (const QByteArray &frame : framesOf(line))
                    expected.append({ line.value(u"dir"_s).toString(), qulonglong(frame.size()) });
            QList<std::pair<QString, qulonglong>> seen;
            for (const CaptureRecord &record : messages) {
                QVERIFY(record.encrypted);
                QVERIFY(record.frames.isEmpty());
                QCOMPARE(record.security, security);
                seen.append(
                    { QString::fromLatin1(directionName(record.direction)), qulonglong(record.size) });
            }
            QCOMPARE(seen, expected);
            continue;
        }
        if (m_dropped > 0) {
            // Packets are missing: every message that decodes is one that was sent, whole (never a
            // guess across a hole), and the holes are said.
            QList<Frames> sentFrames;
            for (const QJsonObject &line : sent)
                sentFrames.append(framesOf(line));
            for (const CaptureRecord &record : messages)
                QVERIFY2(record.encrypted || sentFrames.contains(record.frames),
                    linesOf({ record }).left(500).constData());
            continue;
        }
        QVERIFY2(messages.size() == sent.size(),
            qPrintable(
                u"%1: %2 messages decoded, %3 sent:\n"_s.arg(name).arg(messages.size()).arg(sent.size())
                + QString::fromUtf8(linesOf(mine).left(3000))));
        for (qsizetype i = 0; i < sent.size(); ++i) {
            const CaptureRecord &record = messages[i];
            const QString dir = sent[i].value(u"dir"_s).toString();
            QCOMPARE(QString::fromLatin1(directionName(record.direction)), dir);
            QCOMPARE(record.security, security);
            const QString client = record.socket.section(u" > "_s, 0, 0);
            QCOMPARE(record.src,
                dir == u"c2s" ? client
                              : u"%1:%2"_s.arg(QLatin1StringView(loopback::PassiveDecoderHost)).arg(port));
            QVERIFY(!record.encrypted);
            QCOMPARE(record.frames, framesOf(sent[i]));
            QCOMPARE(
                record.type, scenario.value(dir == u"c2s" ? u"client_type"_s : u"server_type"_s).toString());
        }
        QCOMPARE(subscriptions.size(), subscribed.size());
        for (qsizetype i = 0; i < subscribed.size(); ++i) {
            QCOMPARE(subscriptions[i].event, subscribed[i].value(u"event"_s).toString());
            QCOMPARE(subscriptions[i].topic,
                QByteArray::fromBase64(subscribed[i].value(u"topic"_s).toString().toLatin1()));
        }
    }
    if (QByteArray body = "request 0"; all.contains(body)) {
        // Only the NULL and PLAIN request/reply scenarios say it in the clear; CURVE's never does.
        for (const CaptureRecord &record : decoded.records)
            if (record.security == u"CURVE")
                QVERIFY(!linesOf({ record }).contains(body));
    }
    // Only this test's address was captured: the six scenarios' connections and nothing else (fewer
    // only when the kernel dropped packets and a connection never showed its greeting or a frame).
    QStringList found;
    for (const WireConnection &connection : decoded.summary.connections)
        found.append(connection.name);
    QVERIFY2(m_dropped > 0 ? found.size() <= 6 : found.size() == 6,
        qPrintable(u"%1 ZMTP connections with %2 packets dropped: %3"_s.arg(found.size())
                       .arg(m_dropped)
                       .arg(found.join(u", "_s))));
}

void TestPassiveDecoder::fixturesDecodeAsRecorded_data()
{
    QTest::addColumn<QString>("capture");
    QTest::addColumn<QString>("expected");
    const QStringList captures
        = QDir(DataDir).entryList({ u"*.pcap"_s, u"*.pcapng"_s }, QDir::Files, QDir::Name);
    QVERIFY2(!captures.isEmpty(), "no fixture captures in tests/capture/data");
    for (const QString &capture : captures)
        QTest::newRow(qPrintable(capture)) << QDir(DataDir).filePath(
            capture) << QDir(DataDir).filePath(capture.section(u'.', 0, 0) + u".jsonl"_s);
}

void TestPassiveDecoder::fixturesDecodeAsRecorded()
{
    QFETCH(QString, capture);
    QFETCH(QString, expected);
    const Decoded decoded = decode(capture);
    QVERIFY2(decoded.error.isEmpty(), qPrintable(decoded.error));
    const QByteArray lines = linesOf(decoded.records);
    if (const QString keep = qEnvironmentVariable("ZMQSCOPE_WRITE_PCAP_FIXTURES"); !keep.isEmpty()) {
        QFile out(QDir(keep).filePath(QFileInfo(expected).fileName()));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(lines);
    }
    QFile file(expected);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(expected));
    QCOMPARE(lines, file.readAll());
}

void TestPassiveDecoder::reorderedAndDuplicatedSegments()
{
    const QString source
        = m_everything.isEmpty() ? QDir(DataDir).filePath(u"conversations.pcap"_s) : m_everything;
    const Decoded original = decode(source);
    QVERIFY(original.error.isEmpty());
    const QString shuffled = m_dir.filePath(u"shuffled.pcap"_s);
    // Every 5th packet swapped with the next one, and every 7th sent twice: TCP delivers the same bytes.
    QVERIFY(rewrite(source, shuffled, [](int count) {
        QList<int> order;
        for (int i = 0; i < count; ++i)
            order.append(i);
        for (int i = 4; i + 1 < count; i += 5)
            std::swap(order[i], order[i + 1]);
        QList<int> withDuplicates;
        for (int i = 0; i < order.size(); ++i) {
            withDuplicates.append(order[i]);
            if (i % 7 == 6)
                withDuplicates.append(order[i]);
        }
        return withDuplicates;
    }));
    const Decoded rewritten = decode(shuffled);
    QVERIFY2(rewritten.error.isEmpty(), qPrintable(rewritten.error));
    // The same bytes each way: per connection and direction the same lines in the same order (which of
    // the two directions comes first may change with the packets' order, and so do the timestamps of
    // the packets that completed a message).
    const auto byStream = [](QList<CaptureRecord> records) {
        QMap<QString, QByteArray> streams;
        for (CaptureRecord &record : records) {
            record.timestampUs = 0;
            const QString way
                = record.isEvent() ? record.event : QString::fromLatin1(directionName(record.direction));
            streams[record.socket + u" "_s + way]
                += record.isEvent() ? captureEventLine(record) : captureLine(record);
        }
        return streams;
    };
    const QMap<QString, QByteArray> before = byStream(original.records);
    const QMap<QString, QByteArray> after = byStream(rewritten.records);
    QCOMPARE(after.keys(), before.keys());
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        QVERIFY2(after.value(it.key()) == it.value(), qPrintable(it.key()));
}

void TestPassiveDecoder::curveHandshakeInProtocolOrder()
{
    // A capture may hold one side's packet before the other side's packet it answers (two interfaces'
    // clocks, or a rewritten file): the connected line lists the CURVE commands as the protocol orders
    // them, whichever side's the capture holds first.
    using zmtptest::command;
    using zmtptest::greeting;
    const QByteArray clientGreeting = greeting(3, 0, "CURVE", false);
    const QByteArray serverGreeting = greeting(3, 0, "CURVE", true);
    const QByteArray hello = command("HELLO", QByteArray(194, 'h'));
    const QByteArray welcome = command("WELCOME", QByteArray(160, 'w'));
    const QByteArray initiate = command("INITIATE", QByteArray(280, 'i'));
    const QByteArray ready = command("READY", QByteArray(43, 'r'));
    for (const bool readyFirst : { false, true }) {
        pcaptest::Flow flow;
        flow.handshake()
            .data(true, 0, clientGreeting)
            .data(false, 0, serverGreeting)
            .data(true, quint32(clientGreeting.size()), hello)
            .data(false, quint32(serverGreeting.size()), welcome);
        const auto clientInitiate
            = [&] { flow.data(true, quint32(clientGreeting.size() + hello.size()), initiate); };
        const auto serverReady
            = [&] { flow.data(false, quint32(serverGreeting.size() + welcome.size()), ready); };
        if (readyFirst) {
            serverReady();
            clientInitiate();
        } else {
            clientInitiate();
            serverReady();
        }
        const QString path = m_dir.filePath(u"curve-%1.pcap"_s.arg(readyFirst));
        QVERIFY(pcaptest::writePcap(path, DLT_EN10MB, pcaptest::framesOf(flow.steps())));
        const Decoded decoded = decode(path);
        QVERIFY2(decoded.error.isEmpty(), qPrintable(decoded.error));
        QStringList connected;
        for (const CaptureRecord &record : decoded.records)
            if (record.event == u"connected")
                connected.append(record.detail);
        QCOMPARE(connected.size(), 1);
        QVERIFY2(connected.at(0).contains(
                     u"CURVE handshake HELLO 194 B, WELCOME 160 B, INITIATE 280 B, READY 43 B;"_s),
            qPrintable(connected.at(0)));
    }
}

void TestPassiveDecoder::truncatedFile()
{
    const QString source
        = m_everything.isEmpty() ? QDir(DataDir).filePath(u"conversations.pcap"_s) : m_everything;
    QFile in(source);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray whole = in.readAll();
    const QString cut = m_dir.filePath(u"cut.pcap"_s);
    QFile out(cut);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(whole.left(whole.size() * 2 / 3 + 7)); // mid-packet
    out.close();
    const Decoded decoded = decode(cut);
    QVERIFY2(decoded.error.contains(u"truncated"_s), qPrintable(decoded.error));
    // What came before the cut was handed out.
    QVERIFY(!decoded.records.isEmpty());
}

void TestPassiveDecoder::snappedPacketsAreGaps()
{
    if (!cannotCapture().isEmpty())
        QSKIP(qPrintable(cannotCapture()));
    const QString snapped = m_dir.filePath(u"snapped.pcap"_s);
    PeerLines said;
    QVERIFY(recordLo(snapped, { u"push-pull"_s }, said, 96).ok);
    const Decoded decoded = decode(snapped);
    QVERIFY2(decoded.error.isEmpty(), qPrintable(decoded.error));
    qsizetype gaps = 0;
    for (const CaptureRecord &record : decoded.records)
        if (record.event == u"gap")
            ++gaps;
    QVERIFY2(gaps > 0, linesOf(decoded.records).constData());
    // Never a guess: whatever message still decodes between the holes is one the peers sent, whole.
    QList<Frames> sent;
    for (const QJsonObject &line : said)
        if (line.contains(u"frames"_s))
            sent.append(framesOf(line));
    const QList<CaptureRecord> mine = ofServerPort(decoded.records, said.first().value(u"port"_s).toInt());
    QVERIFY(!mine.isEmpty());
    for (const CaptureRecord &record : mine)
        if (!record.isEvent())
            QVERIFY2(sent.contains(record.frames), linesOf({ record }).left(500).constData());
}

void TestPassiveDecoder::notZeroMqAndGarbage()
{
    // A capture that holds no ZeroMQ at all: a non-capture file is an error naming it; a capture of
    // other TCP traffic decodes to nothing, and says so in its counts.
    const QString garbage = m_dir.filePath(u"garbage.pcap"_s);
    QFile file(garbage);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(4096, '\x5a'));
    file.close();
    const Decoded notCapture = decode(garbage);
    QVERIFY2(!notCapture.error.isEmpty(), "garbage decoded without an error");
    QVERIFY2(notCapture.error.contains(QFileInfo(garbage).fileName()), qPrintable(notCapture.error));

    const Decoded other = decode(QDir(DataDir).filePath(u"not-zeromq.pcap"_s));
    QVERIFY2(other.error.isEmpty(), qPrintable(other.error));
    QCOMPARE(other.summary.stats.zmtpConnections, quint64(0));
    QVERIFY(other.summary.stats.otherConnections > 0);
    QVERIFY(other.records.isEmpty());

    // A ZMTP 2.0 peer: said to be unsupported, not decoded as 3.x.
    const Decoded old = decode(QDir(DataDir).filePath(u"zmtp2-greeting.pcap"_s));
    QVERIFY2(old.error.isEmpty(), qPrintable(old.error));
    const QByteArray lines = linesOf(old.records);
    QVERIFY2(lines.contains("not supported"), lines.constData());
}

void TestPassiveDecoder::cutFramesAtTheEndAreReported()
{
    // One connection closes (FIN) in the middle of the client's frame, another is still open when the
    // capture ends in the middle of the server's message: each says how many bytes were never decoded.
    using zmtptest::command;
    using zmtptest::frame;
    using zmtptest::greeting;
    const auto ready = [](QByteArrayView type) {
        QByteArray data("\x0bSocket-Type\0\0\0", 15);
        data += char(type.size());
        data += type.toByteArray();
        return command("READY", data);
    };
    const QByteArray dealer = greeting(3, 1, "NULL", false) + ready("DEALER") + frame(0, "whole")
        + frame(0, QByteArray(40, 'x')).first(2 + 10);
    const QByteArray router = greeting(3, 1, "NULL", true) + ready("ROUTER");
    const QByteArray routerReply = router + frame(1, "id") + frame(0, QByteArray(300, 'y')).first(9 + 100);
    pcaptest::Flow closing;
    closing.handshake()
        .data(true, 0, dealer)
        .data(false, 0, router)
        .fin(true, quint32(dealer.size()))
        .fin(false, quint32(router.size()));
    pcaptest::Flow open(7000, 9000);
    open.handshake().data(true, 0, dealer.first(dealer.size() - 12)).data(false, 0, routerReply);
    pcaptest::Endpoints second;
    second.clientPort = 40001;
    QList<pcaptest::Frame> frames = pcaptest::framesOf(closing.steps());
    frames += pcaptest::framesOf(open.steps(), {}, second);

    QList<CaptureRecord> records;
    PassiveDecoder::Handlers handlers;
    handlers.record = [&](const CaptureRecord &record) { records.append(record); };
    PassiveDecoder decoder(std::move(handlers));
    for (const pcaptest::Frame &captured : frames) {
        RawPacket packet;
        packet.timestampUs = captured.timestampUs;
        packet.linkType = DLT_EN10MB;
        packet.data = captured.bytes;
        packet.originalLength = captured.wireLength;
        decoder.addPacket(packet);
    }
    decoder.finish();
    QStringList events;
    for (const CaptureRecord &record : records)
        if (record.isEvent())
            events.append(record.socket + u' ' + record.event + u' ' + record.detail);
    const QString first = u"10.0.0.1:40000 > 10.0.0.2:5555 "_s;
    const QString secondName = u"10.0.0.1:40001 > 10.0.0.2:5555 "_s;
    QCOMPARE(events,
        (QStringList { first + u"connected ZMTP 3.1, NULL, DEALER > ROUTER"_s,
            first
                + u"undecodable c2s: the stream ended 10 bytes into a 40-byte frame: 12 bytes left undecoded"_s,
            first + u"disconnected the connection was closed (FIN)"_s,
            secondName + u"connected ZMTP 3.1, NULL, DEALER > ROUTER"_s,
            secondName
                + u"undecodable s2c: the stream ended inside a message after 1 whole frames, 100 bytes into "
                  u"a "
                  u"300-byte frame: 113 bytes left undecoded"_s }));
    QCOMPARE(decoder.stats().messages, quint64(2)); // the dealer's "whole", once per connection
}

QTEST_GUILESS_MAIN(TestPassiveDecoder)
#include "tst_passivedecoder.moc"
