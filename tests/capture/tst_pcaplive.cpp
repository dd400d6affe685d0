#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/capture/tcppacket.h>
#include <zmqscope/capture/tcpreassembler.h>

#include "../interop/testprocess.h"
#include "pcaptestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace pcaptest;

/// Live capture through libpcap and captures of real ZMTP traffic made by tcpdump (DESIGN.md section
/// 12). Capturing needs root or cap_net_raw: without them the tests that capture skip, saying so.
class TestPcapLive : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void liveNoSuchInterface();
    void interfacesListed();
    void liveLoopback();
    void livePermissionDenied();
    void tcpdumpOfRealZmtp();
};

void TestPcapLive::liveNoSuchInterface()
{
    PcapSource::LiveOptions options;
    options.interface = u"no-such-if0"_s;
    const auto source = PcapSource::openLive(options);
    QVERIFY(!source.ok());
    QVERIFY2(source.errorMessage().startsWith(u"cannot capture on no-such-if0: "_s),
        qPrintable(source.errorMessage()));
    // Without the right to capture, libpcap cannot look for the interface and says so instead.
    if (geteuid() == 0)
        QCOMPARE(source.errorMessage(), u"cannot capture on no-such-if0: no such interface"_s);
    QVERIFY(!source.errorMessage().contains(u'\n'));
}

void TestPcapLive::interfacesListed()
{
    // What the app's Sniff Interface dialog offers: libpcap's list, which needs no right to capture.
    const auto interfaces = PcapSource::interfaces();
    QVERIFY2(interfaces.ok(), qPrintable(interfaces.errorMessage()));
    QVERIFY2(interfaces->contains(u"lo"_s), qPrintable(interfaces->join(u", "_s)));
}

void TestPcapLive::liveLoopback()
{
    if (geteuid() != 0)
        QSKIP("live capture needs root (or cap_net_raw); this run has neither");
    // A listening socket first, so the filter can name its port before any packet of it exists.
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(listener >= 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    QCOMPARE(::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    QCOMPARE(::listen(listener, 1), 0);
    QCOMPARE(::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length), 0);
    const quint16 port = ntohs(address.sin_port);

    PcapSource::LiveOptions options;
    options.interface = u"lo"_s;
    options.ports = { port };
    options.bufferMs = 50;
    auto opened = PcapSource::openLive(options);
    QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
    PcapSource &source = **opened;
    RawPacket packet;
    // Nothing on that port yet: the source comes back idle instead of blocking.
    QCOMPARE(source.next(packet), PcapSource::Next::Idle);

    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    QCOMPARE(::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    const int accepted = ::accept(listener, nullptr, nullptr);
    QVERIFY(accepted >= 0);
    QCOMPARE(::send(client, "ping", 4, 0), ssize_t(4));

    bool sawSyn = false;
    bool sawPing = false;
    for (int round = 0; round < 200 && !(sawSyn && sawPing); ++round) {
        const PcapSource::Next next = source.next(packet);
        QVERIFY2(next == PcapSource::Next::Packet || next == PcapSource::Next::Idle,
            qPrintable(source.error().message()));
        TcpSegment segment;
        if (next != PcapSource::Next::Packet || parseTcpPacket(packet, segment) != PacketKind::Tcp)
            continue;
        QVERIFY(segment.source.port == port || segment.destination.port == port);
        sawSyn = sawSyn || (segment.flags & tcpflags::Syn) != 0;
        sawPing = sawPing || segment.payload == "ping";
    }
    ::close(accepted);
    ::close(client);
    ::close(listener);
    QVERIFY(sawSyn);
    QVERIFY(sawPing);
    QVERIFY(source.packetsRead() >= 4);
    QCOMPARE(source.linkTypeName(), u"EN10MB"_s); // Linux's loopback
    source.interrupt();
    QCOMPARE(source.next(packet), PcapSource::Next::End);
}

void TestPcapLive::livePermissionDenied()
{
    const QString expected
        = u"cannot capture on lo: permission denied; run as root, or give the program the right "
          "once: sudo setcap cap_net_raw,cap_net_admin=eip "_s
        + QCoreApplication::applicationFilePath();
    PcapSource::LiveOptions options;
    options.interface = u"lo"_s;
    if (geteuid() != 0) {
        const auto source = PcapSource::openLive(options);
        if (source.ok())
            QSKIP("this test program may capture (it has cap_net_raw): no permission error to see");
        QCOMPARE(source.errorMessage(), expected);
        return;
    }
    // As root: an effective user without capabilities for the one call, then root again.
    QCOMPARE(::seteuid(65534), 0);
    const auto source = PcapSource::openLive(options);
    QCOMPARE(::seteuid(0), 0);
    QVERIFY(!source.ok());
    QCOMPARE(source.errorMessage(), expected);
}

void TestPcapLive::tcpdumpOfRealZmtp()
{
    if (geteuid() != 0)
        QSKIP("recording loopback with tcpdump needs root");
    const QString tcpdump
        = QStandardPaths::findExecutable(u"tcpdump"_s, { u"/usr/sbin"_s, u"/usr/bin"_s, u"/sbin"_s });
    if (tcpdump.isEmpty())
        QSKIP("tcpdump is not installed (packaging/debian-packages.txt lists it)");
    // The PULL binds first and says its port; the PUSH connects and sends once tcpdump listens.
    const QString script = uR"(import sys, zmq
ctx = zmq.Context()
pull = ctx.socket(zmq.PULL)
port = pull.bind_to_random_port("tcp://127.0.0.1")
print(port, flush=True)
sys.stdin.readline()
push = ctx.socket(zmq.PUSH)
push.connect("tcp://127.0.0.1:%d" % port)
push.send_multipart([b"first frame", b"second \x00\xff body"])
print(len(pull.recv_multipart()), flush=True)
push.close(linger=2000)
pull.close()
ctx.term()
print("done", flush=True)
)"_s;
    TestProcess peer;
    if (!peer.start(QStringLiteral(ZMQSCOPE_PYTHON), { u"-c"_s, script }))
        QSKIP("no python3 to run the python3-zmq peers");
    const QString port = peer.waitForPeerEndpoint();
    if (port.isEmpty() && peer.err().contains("No module named"))
        QSKIP("python3-zmq is not installed");
    QVERIFY2(!port.isEmpty(), peer.diagnostics());

    const QString path = m_dir.filePath(u"real-zmtp.pcap"_s);
    TestProcess recorder;
    // -Z root: tcpdump would otherwise drop to its own user, which cannot write into our directory.
    QVERIFY(recorder.start(
        tcpdump, { u"-i"_s, u"lo"_s, u"-w"_s, path, u"-U"_s, u"-Z"_s, u"root"_s, u"port"_s, port }));
    QVERIFY2(
        !recorder.waitForStderr(QRegularExpression(u"(listening on)"_s)).isEmpty(), recorder.diagnostics());
    peer.process().write("go\n");
    QVERIFY2(peer.waitForLines(3), peer.diagnostics());
    QVERIFY2(peer.waitForFinished(), peer.diagnostics());
    const QByteArray body("second \x00\xff body", 14);
    // -U writes each packet as it comes; wait until the body is in the file before stopping tcpdump.
    const auto fileHolds = [&](const QByteArray &bytes) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) && file.readAll().contains(bytes);
    };
    QTRY_VERIFY_WITH_TIMEOUT(fileHolds(body), 10000);
    recorder.process().terminate();
    QVERIFY2(recorder.waitForFinished(), recorder.diagnostics());

    const Transcript transcript = readCapture(path);
    QCOMPARE(transcript.error, QString());
    QVERIFY2(!transcript.events.isEmpty(), "no connection in the capture");
    const QString opened = transcript.events.constFirst();
    QVERIFY2(opened.startsWith(u"open 1 127.0.0.1:"_s) && opened.endsWith(u" > 127.0.0.1:%1"_s.arg(port)),
        qPrintable(opened));
    for (const QByteArray &stream : { transcript.c2s(), transcript.s2c() }) {
        // The ZMTP signature at offset 0: 0xff, eight bytes, 0x7f.
        QVERIFY2(stream.size() >= 64, stream.toHex().constData());
        QCOMPARE(quint8(stream.at(0)), quint8(0xff));
        QCOMPARE(quint8(stream.at(9)), quint8(0x7f));
        QVERIFY(!stream.contains("[gap "));
    }
    QVERIFY(transcript.c2s().contains("first frame"));
    QVERIFY(transcript.c2s().contains(body));
}

QTEST_GUILESS_MAIN(TestPcapLive)
#include "tst_pcaplive.moc"
