#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/capture/tcppacket.h>
#include <zmqscope/capture/tcpreassembler.h>

#include "pcaptestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace pcaptest;

/// The wire layers of passive capture (DESIGN.md section 12) on capture files written in the test:
/// every link layer, IPv4 and IPv6, and TCP reassembly's hard cases, checked byte for byte.
class TestTcpReassembly : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_files = 0;

    QString write(const QList<Frame> &frames, int linkType = DLT_EN10MB)
    {
        QString path = m_dir.filePath(u"capture-%1.pcap"_s.arg(++m_files));
        if (!writePcap(path, linkType, frames))
            return {};
        return path;
    }
    Transcript run(const Flow &flow, const Wire &wire = {}, const Endpoints &endpoints = {},
        TcpReassembler::Limits limits = {})
    {
        return readCapture(write(framesOf(flow.steps(), wire, endpoints), wire.linkType), limits);
    }

private Q_SLOTS:
    void initTestCase();
    void linkLayers_data();
    void linkLayers();
    void outOfOrder();
    void duplicatesAndRetransmissions();
    void overlapFirstCopyWins();
    void sequenceWraparound();
    void snappedPayloadIsAGap();
    void lostSegmentIsAGap();
    void bufferLimitGivesUpOnAHole();
    void midStreamJoin_data();
    void midStreamJoin();
    void finThenNewSyn();
    void resetCloses();
    void connectionLimit();
    void interleavedConnections();
    void ethernetPaddingIsNotPayload();
    void notTcpAndMalformed_data();
    void notTcpAndMalformed();
    void endpointText();
    void nanosecondTimestamps();
    void pcapngReadsTheSame();
    void truncatedFile();
    void notACaptureFile_data();
    void notACaptureFile();
    void unsupportedLinkType();
    void pipeIsReadOnce();
    void bpfFilter();
};

void TestTcpReassembly::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

namespace {

/// The conversation every link-layer row carries: both directions, then FIN, FIN and the last ACK.
Flow basicFlow()
{
    Flow flow;
    flow.handshake().data(true, 0, "hello").data(false, 0, "world!").data(true, 5, " again");
    return flow.fin(true, 11).fin(false, 6).ack(true, 12);
}

} // namespace

void TestTcpReassembly::linkLayers_data()
{
    QTest::addColumn<int>("linkType");
    QTest::addColumn<int>("vlanTags");
    QTest::addColumn<bool>("v6");
    QTest::addColumn<bool>("extensions");
    QTest::addColumn<bool>("nullNetworkOrder");
    QTest::newRow("EN10MB IPv4") << DLT_EN10MB << 0 << false << false << false;
    QTest::newRow("EN10MB IPv6") << DLT_EN10MB << 0 << true << false << false;
    QTest::newRow("EN10MB 802.1Q") << DLT_EN10MB << 1 << false << false << false;
    QTest::newRow("EN10MB 802.1ad+802.1Q IPv6") << DLT_EN10MB << 2 << true << false << false;
    QTest::newRow("EN10MB IPv6 extension headers") << DLT_EN10MB << 0 << true << true << false;
    QTest::newRow("NULL host order IPv4") << DLT_NULL << 0 << false << false << false;
    QTest::newRow("NULL network order IPv6") << DLT_NULL << 0 << true << false << true;
    QTest::newRow("LOOP IPv4") << DLT_LOOP << 0 << false << false << false;
    QTest::newRow("LOOP IPv6") << DLT_LOOP << 0 << true << false << false;
    QTest::newRow("RAW IPv4") << DLT_RAW << 0 << false << false << false;
    QTest::newRow("RAW IPv6 extension headers") << DLT_RAW << 0 << true << true << false;
    QTest::newRow("IPV4") << DLT_IPV4 << 0 << false << false << false;
    QTest::newRow("IPV6") << DLT_IPV6 << 0 << true << false << false;
    QTest::newRow("LINUX_SLL IPv4") << DLT_LINUX_SLL << 0 << false << false << false;
    QTest::newRow("LINUX_SLL IPv6") << DLT_LINUX_SLL << 0 << true << false << false;
    QTest::newRow("LINUX_SLL2 IPv4") << DLT_LINUX_SLL2 << 0 << false << false << false;
    QTest::newRow("LINUX_SLL2 IPv6 extension headers") << DLT_LINUX_SLL2 << 0 << true << true << false;
}

void TestTcpReassembly::linkLayers()
{
    QFETCH(int, linkType);
    QFETCH(int, vlanTags);
    QFETCH(bool, v6);
    QFETCH(bool, extensions);
    QFETCH(bool, nullNetworkOrder);
    Wire wire;
    wire.linkType = linkType;
    wire.vlanTags = vlanTags;
    wire.ipv6Extensions = extensions;
    wire.nullNetworkOrder = nullNetworkOrder;
    Endpoints endpoints;
    if (v6) {
        endpoints.client = ipv6(1);
        endpoints.server = ipv6(2);
    }
    const Transcript transcript = run(basicFlow(), wire, endpoints);
    QCOMPARE(transcript.error, QString());
    QCOMPARE(transcript.malformed, 0);
    QCOMPARE(transcript.notTcp, 0);
    QCOMPARE(transcript.c2s(), "hello again");
    QCOMPARE(transcript.s2c(), "world!");
    // The last ACK after both FINs belongs to the closed connection: no second one opens.
    QCOMPARE(transcript.events,
        QStringList(
            { v6 ? u"open 1 [fd00::1]:40000 > [fd00::2]:5555"_s : u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s,
                u"close 1"_s }));
}

void TestTcpReassembly::outOfOrder()
{
    Flow flow;
    flow.handshake().data(true, 8, "CCCC").data(false, 2, "xy").data(true, 0, "AAAA");
    flow.data(false, 0, "uv").data(true, 4, "BBBB");
    const Transcript transcript = run(flow);
    QCOMPARE(transcript.c2s(), "AAAABBBBCCCC");
    QCOMPARE(transcript.s2c(), "uvxy");
    QCOMPARE(transcript.events, QStringList({ u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s, u"close 1"_s }));
}

void TestTcpReassembly::duplicatesAndRetransmissions()
{
    Flow flow;
    flow.handshake().data(true, 0, "abc").data(true, 0, "abc").data(true, 3, "def");
    flow.data(true, 0, "abcdef"); // a retransmission of both, coalesced
    flow.data(true, 0, "XYZ"); // the same bytes again, other content: the first copy stays
    flow.data(true, 3, "defg"); // one new byte behind old ones
    flow.add({ true, flow.isn(true), Syn, {} }); // the SYN again
    const Transcript transcript = run(flow);
    QCOMPARE(transcript.c2s(), "abcdefg");
    QCOMPARE(transcript.events, QStringList({ u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s, u"close 1"_s }));
}

void TestTcpReassembly::overlapFirstCopyWins()
{
    Flow flow;
    flow.handshake().data(true, 5, "AAAAAAAAAA").data(true, 0, "bbbbbbbbbbbbbbbbbbbb");
    // Both beyond a hole, overlapping each other, then the hole fills.
    flow.data(true, 30, "CCCC")
        .data(true, 28, "dddddddd")
        .data(true, 33, "gggggg")
        .data(true, 20, "eeeeeeee");
    const Transcript transcript = run(flow);
    QCOMPARE(transcript.c2s(), "bbbbbAAAAAAAAAAbbbbbeeeeeeeeddCCCCddggg");
}

void TestTcpReassembly::sequenceWraparound()
{
    Flow flow(0xfffffff0u, 0xfffffffeu);
    flow.handshake().data(true, 0, "0123456789").data(true, 20, "klmnopqrst").data(true, 10, "abcdefghij");
    flow.data(false, 0, "12345").fin(true, 30).fin(false, 5);
    const Transcript transcript = run(flow);
    QCOMPARE(transcript.c2s(), "0123456789abcdefghijklmnopqrst");
    QCOMPARE(transcript.s2c(), "12345");
    QCOMPARE(transcript.events, QStringList({ u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s, u"close 1"_s }));
}

void TestTcpReassembly::snappedPayloadIsAGap()
{
    Flow flow;
    flow.handshake().data(true, 0, "0123456789", 4).data(true, 10, "abc");
    // Snapped out of order: the gap comes where the cut bytes were.
    flow.data(false, 6, "uvwxyz").data(false, 0, "ABCDEF", 3);
    const Transcript transcript = run(flow);
    QCOMPARE(transcript.c2s(), "012345[gap 4]abc");
    QCOMPARE(transcript.s2c(), "ABC[gap 3]uvwxyz");
}

void TestTcpReassembly::lostSegmentIsAGap()
{
    Flow flow;
    flow.handshake().data(true, 0, "hello").data(true, 12, "world").data(false, 0, "ab").fin(false, 5);
    const Transcript transcript = run(flow);
    QCOMPARE(transcript.c2s(), "hello[gap 7]world");
    // Bytes the FIN says were sent and never came.
    QCOMPARE(transcript.s2c(), "ab[gap 3]");
    const QString finishAt = QString::number(flow.steps().constLast().timestampUs + 1);
    QCOMPARE(transcript.events,
        QStringList({ u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s, u"gap 1 c2s 7 @"_s + finishAt,
            u"gap 1 s2c 3 @"_s + finishAt, u"close 1"_s }));
}

void TestTcpReassembly::bufferLimitGivesUpOnAHole()
{
    Flow flow;
    flow.handshake()
        .data(true, 0, "x")
        .data(true, 101, QByteArray(600, 'a'))
        .data(true, 701, QByteArray(600, 'b'));
    flow.data(true, 1301, "end");
    TcpReassembler::Limits limits;
    limits.maxBufferedBytesPerDirection = 1000;
    const Transcript transcript = run(flow, {}, {}, limits);
    QCOMPARE(transcript.c2s(), "x[gap 100]" + QByteArray(600, 'a') + QByteArray(600, 'b') + "end");
    // Given up when the second piece went over the limit, not at the end of the capture.
    QCOMPARE(transcript.events,
        QStringList({ u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s,
            u"gap 1 c2s 100 @%1"_s.arg(flow.steps().at(5).timestampUs), u"close 1"_s }));
}

void TestTcpReassembly::midStreamJoin_data()
{
    QTest::addColumn<quint16>("serverPort");
    QTest::addColumn<QString>("opened");
    QTest::addColumn<QByteArray>("c2s");
    QTest::addColumn<QByteArray>("s2c");
    // One port below 32768, the other in the ephemeral range: the ephemeral side is the client.
    QTest::newRow("well-known server port") << quint16(5555) << u"open 1 10.0.0.1:40000 > 10.0.0.2:5555 mid"_s
                                            << QByteArray("req") << QByteArray("late");
    // Both ephemeral: the source of the first segment seen (here the real server) is taken.
    QTest::newRow("both ephemeral") << quint16(50000) << u"open 1 10.0.0.2:50000 > 10.0.0.1:40000 mid"_s
                                    << QByteArray("late") << QByteArray("req");
}

void TestTcpReassembly::midStreamJoin()
{
    QFETCH(quint16, serverPort);
    QFETCH(QString, opened);
    QFETCH(QByteArray, c2s);
    QFETCH(QByteArray, s2c);
    Flow flow(0x80000000u, 0x7ffffff0u);
    // A bare ACK opens nothing; the first segment with data does, and its sequence number is the start.
    flow.ack(true, 40).data(false, 100, "late").data(true, 50, "req").data(false, 98, "xx");
    Endpoints endpoints;
    endpoints.serverPort = serverPort;
    const Transcript transcript = run(flow, {}, endpoints);
    QCOMPARE(transcript.events, QStringList({ opened, u"close 1"_s }));
    QCOMPARE(transcript.c2s(), c2s);
    QCOMPARE(transcript.s2c(), s2c);
}

void TestTcpReassembly::finThenNewSyn()
{
    Flow first;
    first.handshake().data(true, 0, "one").fin(true, 3).fin(false, 0).ack(true, 4);
    Flow second(777, 888);
    second.handshake().data(true, 0, "two");
    // The port reused without a FIN or RST this capture saw: the SYN's other ISN ends the old one.
    Flow third(99999, 123);
    third.handshake().data(true, 0, "three");
    const Transcript transcript
        = readCapture(write(framesOf(first.steps() + second.steps() + third.steps())));
    QCOMPARE(transcript.events,
        QStringList({ u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s, u"close 1"_s,
            u"open 2 10.0.0.1:40000 > 10.0.0.2:5555"_s, u"close 2"_s,
            u"open 3 10.0.0.1:40000 > 10.0.0.2:5555"_s, u"close 3"_s }));
    QCOMPARE(transcript.c2s(1), "one");
    QCOMPARE(transcript.c2s(2), "two");
    QCOMPARE(transcript.c2s(3), "three");
}

void TestTcpReassembly::resetCloses()
{
    Flow flow;
    flow.handshake().data(true, 0, "abc").data(true, 6, "ghi").rst(false, 0).data(true, 3, "def");
    const Transcript transcript = run(flow);
    // What waited behind the hole comes after a gap; stragglers after the RST are ignored.
    QCOMPARE(transcript.c2s(), "abc[gap 3]ghi");
    QCOMPARE(transcript.events.constFirst(), u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s);
    QCOMPARE(transcript.events.constLast(), u"reset 1"_s);
    QCOMPARE(transcript.events.size(), 3);
}

void TestTcpReassembly::connectionLimit()
{
    QList<Frame> frames;
    for (quint16 port : { quint16(40001), quint16(40002), quint16(40003) }) {
        Endpoints endpoints;
        endpoints.clientPort = port;
        Flow flow;
        flow.handshake().data(true, 0, QByteArray::number(port));
        frames += framesOf(flow.steps(), {}, endpoints);
    }
    TcpReassembler::Limits limits;
    limits.maxConnections = 2;
    const Transcript transcript = readCapture(write(frames), limits);
    QCOMPARE(transcript.events,
        QStringList({ u"open 1 10.0.0.1:40001 > 10.0.0.2:5555"_s, u"open 2 10.0.0.1:40002 > 10.0.0.2:5555"_s,
            u"close 1"_s, u"open 3 10.0.0.1:40003 > 10.0.0.2:5555"_s, u"close 2"_s, u"close 3"_s }));
    QCOMPARE(transcript.c2s(1), "40001");
    QCOMPARE(transcript.c2s(3), "40003");
}

void TestTcpReassembly::interleavedConnections()
{
    // Segments of four connections taken in turns, both ways, IPv4 and IPv6, two of them with a
    // client whose address or port sorts after the server's, one closed and its ports opened again
    // midway: every byte reaches its own connection and direction. (The reassembler keeps the last
    // connection it found; this holds it to answering only for that one.)
    struct Connection
    {
        Endpoints endpoints;
        Flow flow;
    };
    QList<Connection> connections(4);
    connections[1].endpoints.client = ipv4(10, 0, 0, 9); // the client's address sorts last
    connections[2].endpoints.client = ipv6(1);
    connections[2].endpoints.server = ipv6(2);
    connections[3].endpoints.clientPort = 6000; // same addresses, the client's port sorts last
    connections[3].endpoints.serverPort = 5000;
    for (qsizetype i = 0; i < connections.size(); ++i) {
        Flow &flow = connections[i].flow;
        flow.handshake();
        quint32 c2s = 0;
        quint32 s2c = 0;
        for (int n = 0; n < 3; ++n) {
            const QByteArray ask = "c" + QByteArray::number(i) + "." + QByteArray::number(n);
            const QByteArray answer = "s" + QByteArray::number(i) + "." + QByteArray::number(n);
            flow.data(true, c2s, ask).data(false, s2c, answer);
            c2s += quint32(ask.size());
            s2c += quint32(answer.size());
        }
        if (i == 0)
            flow.fin(true, c2s).fin(false, s2c).ack(true, c2s + 1);
    }
    Flow again(31337, 42); // connection 0's ports again, after its close
    again.handshake().data(true, 0, "again").data(false, 0, "!");
    QList<QList<Frame>> perConnection;
    for (const Connection &connection : connections)
        perConnection.append(framesOf(connection.flow.steps(), {}, connection.endpoints));
    perConnection.append(framesOf(again.steps(), {}, connections[0].endpoints));
    QList<Frame> frames;
    for (qsizetype step = 0;; ++step) {
        bool any = false;
        for (qsizetype i = 0; i < perConnection.size(); ++i) {
            // The reopened connection starts after the first one's last segment (step 11).
            if (i == perConnection.size() - 1 && step < 12)
                continue;
            const qsizetype at = i == perConnection.size() - 1 ? step - 12 : step;
            if (at < perConnection[i].size()) {
                frames.append(perConnection[i][at]);
                any = true;
            }
        }
        if (!any)
            break;
    }
    const Transcript transcript = readCapture(write(frames));
    QCOMPARE(transcript.events.size(), 10); // 5 opened, 5 closed (4 at the end of the capture)
    for (qsizetype i = 0; i < connections.size(); ++i) {
        const QByteArray n = QByteArray::number(i);
        const int id = int(i) + 1;
        QCOMPARE(transcript.c2s(id), "c" + n + ".0c" + n + ".1c" + n + ".2");
        QCOMPARE(transcript.s2c(id), "s" + n + ".0s" + n + ".1s" + n + ".2");
    }
    QCOMPARE(transcript.events.at(0), u"open 1 10.0.0.1:40000 > 10.0.0.2:5555"_s);
    QCOMPARE(transcript.events.at(1), u"open 2 10.0.0.9:40000 > 10.0.0.2:5555"_s);
    QCOMPARE(transcript.events.at(3), u"open 4 10.0.0.1:6000 > 10.0.0.2:5000"_s);
    QVERIFY(transcript.events.contains(u"open 5 10.0.0.1:40000 > 10.0.0.2:5555"_s));
    QCOMPARE(transcript.c2s(5), "again");
    QCOMPARE(transcript.s2c(5), "!");
}

void TestTcpReassembly::ethernetPaddingIsNotPayload()
{
    for (const bool v6 : { false, true }) {
        Wire wire;
        wire.ethernetPadTo = v6 ? 100 : 64; // 0xee bytes after the IP packet
        Endpoints endpoints;
        if (v6) {
            endpoints.client = ipv6(1);
            endpoints.server = ipv6(2);
        }
        Flow flow;
        flow.handshake().data(true, 0, "hi").data(false, 0, "!");
        const Transcript transcript = run(flow, wire, endpoints);
        QCOMPARE(transcript.c2s(), "hi");
        QCOMPARE(transcript.s2c(), "!");
    }
}

void TestTcpReassembly::notTcpAndMalformed_data()
{
    QTest::addColumn<int>("linkType");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("wireExtra"); // bytes on the wire beyond the capture
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("payload");
    QTest::addColumn<int>("missing");

    const Wire ethernet;
    const QByteArray tcp = tcpHeader(40000, 5555, 1, Ack) + "0123456789";
    const QByteArray v4 = linkFrame(ipPacket(ipv4(1, 2, 3, 4), ipv4(5, 6, 7, 8), tcp, ethernet), ethernet);
    const QByteArray v6 = linkFrame(ipPacket(ipv6(1), ipv6(2), tcp, ethernet), ethernet);
    const int tcpKind = int(PacketKind::Tcp);
    const int notTcp = int(PacketKind::NotTcp);
    const int malformed = int(PacketKind::Malformed);
    QTest::newRow("IPv4 TCP") << DLT_EN10MB << v4 << 0 << tcpKind << 10 << 0;
    QTest::newRow("IPv4 snapped") << DLT_EN10MB << v4.first(v4.size() - 4) << 4 << tcpKind << 6 << 4;
    QTest::newRow("IPv6 snapped") << DLT_EN10MB << v6.first(v6.size() - 9) << 9 << tcpKind << 1 << 9;
    QTest::newRow("IPv4 cut, not snapped")
        << DLT_EN10MB << v4.first(v4.size() - 4) << 0 << malformed << 0 << 0;
    QTest::newRow("IPv6 cut, not snapped")
        << DLT_EN10MB << v6.first(v6.size() - 1) << 0 << malformed << 0 << 0;
    QTest::newRow("TCP header snapped") << DLT_EN10MB << v4.first(14 + 20 + 10) << 30 << malformed << 0 << 0;
    QByteArray udp = linkFrame(ipPacket(ipv4(1, 2, 3, 4), ipv4(5, 6, 7, 8), tcp, ethernet, 17), ethernet);
    QTest::newRow("UDP") << DLT_EN10MB << udp << 0 << notTcp << 0 << 0;
    QByteArray moreFragments = v4;
    moreFragments[14 + 6] = char(0x20);
    QTest::newRow("IPv4 first fragment") << DLT_EN10MB << moreFragments << 0 << notTcp << 0 << 0;
    QByteArray laterFragment = v4;
    laterFragment[14 + 6] = 0;
    laterFragment[14 + 7] = char(0x10);
    QTest::newRow("IPv4 later fragment") << DLT_EN10MB << laterFragment << 0 << notTcp << 0 << 0;
    QByteArray fragment6 = v6;
    fragment6[14 + 6] = char(44); // next header: fragment
    QTest::newRow("IPv6 fragment header") << DLT_EN10MB << fragment6 << 0 << notTcp << 0 << 0;
    QByteArray arp = v4;
    arp[12] = char(0x08);
    arp[13] = char(0x06);
    QTest::newRow("ARP") << DLT_EN10MB << arp << 0 << notTcp << 0 << 0;
    QByteArray dataOffset4 = v4;
    dataOffset4[14 + 20 + 12] = char(0x40);
    QTest::newRow("TCP data offset 4") << DLT_EN10MB << dataOffset4 << 0 << malformed << 0 << 0;
    QByteArray dataOffsetHuge = v4;
    dataOffsetHuge[14 + 20 + 12] = char(0xf0);
    QTest::newRow("TCP data offset past the packet")
        << DLT_EN10MB << dataOffsetHuge << 0 << malformed << 0 << 0;
    QByteArray ihl4 = v4;
    ihl4[14] = char(0x44);
    QTest::newRow("IPv4 header length 4") << DLT_EN10MB << ihl4 << 0 << malformed << 0 << 0;
    QByteArray shortTotal = v4;
    shortTotal[14 + 2] = 0;
    shortTotal[14 + 3] = char(19);
    QTest::newRow("IPv4 total length below the header")
        << DLT_EN10MB << shortTotal << 0 << malformed << 0 << 0;
    QTest::newRow("empty") << DLT_EN10MB << QByteArray() << 0 << malformed << 0 << 0;
    QTest::newRow("NULL unknown family")
        << DLT_NULL << QByteArray("\x07\x00\x00\x00", 4) + v4.sliced(14) << 0 << notTcp << 0 << 0;
    QTest::newRow("unsupported link type") << 105 << v4 << 0 << malformed << 0 << 0;
}

void TestTcpReassembly::notTcpAndMalformed()
{
    QFETCH(int, linkType);
    QFETCH(QByteArray, bytes);
    QFETCH(int, wireExtra);
    QFETCH(int, kind);
    QFETCH(int, payload);
    QFETCH(int, missing);
    RawPacket packet;
    packet.linkType = linkType;
    packet.data = bytes;
    packet.originalLength = std::uint32_t(bytes.size() + wireExtra);
    TcpSegment segment;
    QLatin1StringView why;
    QCOMPARE(int(parseTcpPacket(packet, segment, &why)), kind);
    QCOMPARE(why.isEmpty(), kind != int(PacketKind::Malformed));
    QCOMPARE(segment.payload.size(), qsizetype(payload));
    QCOMPARE(segment.missingPayload, std::uint32_t(missing));
    if (kind == int(PacketKind::Tcp))
        QCOMPARE(segment.payload.toByteArray(), QByteArray("0123456789").first(payload));

    // Every prefix of the packet, as a broken capture and as a snapped one: never a read past the data
    // (the sanitizer build checks), never payload that was not captured.
    for (qsizetype size = 0; size <= bytes.size(); ++size) {
        const QByteArray prefix = bytes.first(size); // a copy of its own: ASan sees reads beyond it
        packet.data = prefix;
        for (const std::uint32_t original : { std::uint32_t(size), std::uint32_t(bytes.size()) }) {
            packet.originalLength = original;
            const PacketKind prefixKind = parseTcpPacket(packet, segment);
            if (prefixKind == PacketKind::Tcp)
                QVERIFY(
                    segment.payload.data() + segment.payload.size() <= prefix.constData() + prefix.size());
        }
    }
}

void TestTcpReassembly::endpointText()
{
    QCOMPARE((TcpEndpoint { ipv4(127, 0, 0, 1), 5555 }).toString(), u"127.0.0.1:5555"_s);
    QCOMPARE((TcpEndpoint { ipv6(1, true), 5555 }).toString(), u"[::1]:5555"_s);
    QCOMPARE((TcpEndpoint { ipv6(2), 80 }).toString(), u"[fd00::2]:80"_s);
    QCOMPARE((TcpEndpoint { QByteArray(16, '\0'), 1 }).toString(), u"[::]:1"_s);
    // The longest run of zero groups is the one shortened; a single zero group is not.
    const QByteArray address = QByteArray::fromHex("20010db8000000000001000000000001");
    QCOMPARE((TcpEndpoint { address, 9 }).toString(), u"[2001:db8::1:0:0:1]:9"_s);
    QCOMPARE((TcpEndpoint { QByteArray::fromHex("20010db8000100010001000100010000"), 9 }).toString(),
        u"[2001:db8:1:1:1:1:1:0]:9"_s);
    QCOMPARE((TcpEndpoint { QByteArray::fromHex("00000000000000000000ffff7f000001"), 5555 }).toString(),
        u"[::ffff:127.0.0.1]:5555"_s);
    QVERIFY(qHash(TcpEndpoint { ipv4(1, 2, 3, 4), 1 }) != qHash(TcpEndpoint { ipv4(1, 2, 3, 4), 2 }));
}

void TestTcpReassembly::nanosecondTimestamps()
{
    const QList<Frame> frames = framesOf(basicFlow().steps());
    const QString path = m_dir.filePath(u"nano.pcap"_s);
    QVERIFY(writePcap(path, DLT_EN10MB, frames, true));
    const Transcript transcript = readCapture(path);
    QCOMPARE(transcript.error, QString());
    QCOMPARE(transcript.packetTimestamps.size(), frames.size());
    for (qsizetype i = 0; i < frames.size(); ++i)
        QCOMPARE(transcript.packetTimestamps.at(i), frames.at(i).timestampUs); // 789 ns rounded down
    QCOMPARE(transcript.c2s(), "hello again");
}

void TestTcpReassembly::pcapngReadsTheSame()
{
    Flow flow = basicFlow();
    flow.data(true, 20, "after a hole", 3);
    const QList<Frame> frames = framesOf(flow.steps());
    const Transcript fromPcap = readCapture(write(frames));
    const QString path = m_dir.filePath(u"hand-made.pcapng"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(pcapng(DLT_EN10MB, frames));
    file.close();
    auto source = PcapSource::openFile(path);
    QVERIFY2(source.ok(), qPrintable(source.errorMessage()));
    QCOMPARE((*source)->linkTypeName(), u"EN10MB"_s);
    const Transcript fromPcapng = readCapture(path);
    QCOMPARE(fromPcapng.error, QString());
    QCOMPARE(fromPcapng.packetTimestamps, fromPcap.packetTimestamps);
    QCOMPARE(fromPcapng.streams, fromPcap.streams);
    QCOMPARE(fromPcapng.events, fromPcap.events);
    QCOMPARE(fromPcapng.c2s(), "hello again");
}

void TestTcpReassembly::truncatedFile()
{
    const QList<Frame> frames = framesOf(basicFlow().steps());
    const QString path = write(frames);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray whole = file.readAll();
    file.close();
    const auto cutCopy = [&](qsizetype cut) {
        QString cutPath = m_dir.filePath(u"cut-%1.pcap"_s.arg(cut));
        QFile out(cutPath);
        if (!out.open(QIODevice::WriteOnly))
            return QString();
        out.write(whole.first(whole.size() - cut));
        return cutPath;
    };
    // The last packet's bytes cut: the error names the packet and how much is missing.
    const QString cutData = cutCopy(10);
    const Transcript transcript = readCapture(cutData);
    QCOMPARE(transcript.error,
        u"truncated capture file %1: packet %2 ends 10 bytes early"_s.arg(cutData).arg(frames.size()));
    QCOMPARE(transcript.packetTimestamps.size(), frames.size() - 1);
    // The last packet's record header cut after 6 of its 16 bytes.
    const QString cutHeader = cutCopy(frames.constLast().bytes.size() + 10);
    QCOMPARE(readCapture(cutHeader).error,
        u"truncated capture file %1: packet %2's record header ends 10 bytes early"_s.arg(cutHeader).arg(
            frames.size()));
    // The same in pcapng.
    const QString pcapngPath = m_dir.filePath(u"cut.pcapng"_s);
    QFile ng(pcapngPath);
    QVERIFY(ng.open(QIODevice::WriteOnly));
    const QByteArray ngBytes = pcapng(DLT_EN10MB, frames);
    ng.write(ngBytes.first(ngBytes.size() - 10));
    ng.close();
    const Transcript ngTranscript = readCapture(pcapngPath);
    QVERIFY2(ngTranscript.error.startsWith(
                 u"truncated capture file %1: packet %2 "_s.arg(pcapngPath).arg(frames.size())),
        qPrintable(ngTranscript.error));
}

void TestTcpReassembly::notACaptureFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::newRow("JSON lines")
        << QByteArray("{\"ts\":1}\n")
        << u"is not a pcap or pcapng capture file: it begins with 7b 22 74 73 22 3a 31 7d "
           "(\"{\"ts\":1}\")"_s;
    QTest::newRow("PNG") << QByteArray("\x89PNG\r\n\x1a\n\0\0", 10)
                         << u"is not a pcap or pcapng capture file: it begins with 89 50 4e 47 0d 0a 1a 0a "
                            "(\"\\x89PNG\\r\\n\\x1a\\n\")"_s;
    QTest::newRow("empty") << QByteArray() << u"is not a pcap or pcapng capture file: it is empty"_s;
    QTest::newRow("pcap magic, header cut")
        << QByteArray("\xd4\xc3\xb2\xa1\x02\x00", 6) << u"truncated dump file"_s;
}

void TestTcpReassembly::notACaptureFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    // The name says pcap; the content decides.
    const QString path = m_dir.filePath(u"not-really.pcap"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(content);
    file.close();
    const auto source = PcapSource::openFile(path);
    QVERIFY(!source.ok());
    QVERIFY2(source.errorMessage().contains(path), qPrintable(source.errorMessage()));
    QVERIFY2(source.errorMessage().contains(expected), qPrintable(source.errorMessage()));
    QVERIFY(!source.errorMessage().contains(u'\n'));

    const auto missing = PcapSource::openFile(m_dir.filePath(u"missing.pcap"_s));
    QVERIFY(!missing.ok());
    QVERIFY2(missing.errorMessage().startsWith(u"cannot open %1: "_s.arg(m_dir.filePath(u"missing.pcap"_s))),
        qPrintable(missing.errorMessage()));
}

void TestTcpReassembly::unsupportedLinkType()
{
    const QString path = m_dir.filePath(u"wifi.pcap"_s);
    QVERIFY(writePcap(path, DLT_IEEE802_11, { Frame { QByteArray(30, 'x'), 30, 0 } }));
    const auto source = PcapSource::openFile(path);
    QVERIFY(!source.ok());
    QVERIFY2(source.errorMessage().startsWith(
                 u"cannot decode %1: link type IEEE802_11 (105) is not supported"_s.arg(path)),
        qPrintable(source.errorMessage()));
}

void TestTcpReassembly::pipeIsReadOnce()
{
    // tcpdump -w - | zmqscope-cli cat /dev/stdin: a pipe cannot be looked at first and read again.
    const QString fifo = m_dir.filePath(u"capture.fifo"_s);
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const QString path = write(framesOf(basicFlow().steps()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    // The writer blocks in open() until the reader opens the other end; it writes the file once.
    std::thread writer([&] {
        QFile out(fifo);
        if (out.open(QIODevice::WriteOnly))
            out.write(bytes);
    });
    const Transcript transcript = readCapture(fifo);
    // A reader that gave up before opening the FIFO leaves the writer blocked in open(): a reading end
    // opened without blocking frees it.
    const int unblock = ::open(QFile::encodeName(fifo).constData(), O_RDONLY | O_NONBLOCK);
    writer.join();
    ::close(unblock);
    QCOMPARE(transcript.error, QString());
    QCOMPARE(transcript.c2s(), "hello again");
    QCOMPARE(transcript.s2c(), "world!");

    const auto directory = PcapSource::openFile(m_dir.path());
    QCOMPARE(directory.errorMessage(), u"cannot read %1: it is a directory"_s.arg(m_dir.path()));
}

void TestTcpReassembly::bpfFilter()
{
    QCOMPARE(PcapSource::bpfFilter({}), u"tcp"_s);
    QCOMPARE(PcapSource::bpfFilter({ 5555, 5556 }), u"tcp and (port 5555 or port 5556)"_s);
    QVERIFY(PcapSource::looksLikePcap(QByteArray("\x0a\x0d\x0d\x0a", 4)));
    QVERIFY(PcapSource::looksLikePcap(QByteArray("\x4d\x3c\xb2\xa1xx", 6)));
    QVERIFY(!PcapSource::looksLikePcap(QByteArray("\xd4\xc3\xb2", 3)));
    QVERIFY(!PcapSource::looksLikePcap(QByteArray("{\"ts\"")));
}

QTEST_GUILESS_MAIN(TestTcpReassembly)
#include "tst_tcpreassembly.moc"
