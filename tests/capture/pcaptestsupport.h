#pragma once

// Hand-built packets and capture files for the passive-capture suites: TCP segments wrapped in
// IPv4/IPv6 and in each link layer the reader knows, written with libpcap's own writer (pcap)
// or by hand (pcapng, which libpcap does not write); and the wire pipeline (PcapSource,
// parseTcpPacket, TcpReassembler) run over a file into a transcript a test compares.

#include <cstdint>
#include <pcap/pcap.h>

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QtEndian>

#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/capture/tcppacket.h>
#include <zmqscope/capture/tcpreassembler.h>

namespace pcaptest {

using namespace Qt::StringLiterals;
using namespace zmqscope;

inline void appendBe16(QByteArray &bytes, quint16 value)
{
    bytes.append(char(value >> 8)).append(char(value & 0xff));
}

inline void appendBe32(QByteArray &bytes, quint32 value)
{
    appendBe16(bytes, quint16(value >> 16));
    appendBe16(bytes, quint16(value & 0xffff));
}

inline void appendLe16(QByteArray &bytes, quint16 value)
{
    bytes.append(char(value & 0xff)).append(char(value >> 8));
}

inline void appendLe32(QByteArray &bytes, quint32 value)
{
    appendLe16(bytes, quint16(value & 0xffff));
    appendLe16(bytes, quint16(value >> 16));
}

inline QByteArray ipv4(quint8 a, quint8 b, quint8 c, quint8 d)
{
    const char bytes[] = { char(a), char(b), char(c), char(d) };
    return QByteArray(bytes, 4);
}

/// fd00::`last` (or ::1 with last 1 and loopback).
inline QByteArray ipv6(quint8 last, bool loopback = false)
{
    QByteArray address(16, '\0');
    if (!loopback)
        address[0] = char(0xfd);
    address[15] = char(last);
    return address;
}

/// How packets are wrapped below TCP.
struct Wire
{
    int linkType = DLT_EN10MB;
    int vlanTags = 0; ///< EN10MB: 802.1Q tags (two: 802.1ad outer, 802.1Q inner)
    bool ipv6Extensions = false; ///< IPv6: a hop-by-hop and a destination-options header before TCP
    int ethernetPadTo = 0; ///< EN10MB: pad the frame with 0xee up to this many bytes
    bool nullNetworkOrder = false; ///< DLT_NULL written big-endian (a big-endian writer)
};

/// One TCP segment of a flow.
struct Step
{
    bool fromClient = true;
    quint32 sequence = 0;
    quint8 flags = 0;
    QByteArray payload;
    int cut = 0; ///< trailing bytes of the frame not captured (snap length)
    std::int64_t timestampUs = 0;
};

struct Endpoints
{
    QByteArray client = ipv4(10, 0, 0, 1);
    QByteArray server = ipv4(10, 0, 0, 2);
    quint16 clientPort = 40000;
    quint16 serverPort = 5555;
};

inline QByteArray tcpHeader(quint16 source, quint16 destination, quint32 sequence, quint8 flags)
{
    QByteArray tcp;
    appendBe16(tcp, source);
    appendBe16(tcp, destination);
    appendBe32(tcp, sequence);
    appendBe32(tcp, (flags & zmqscope::tcpflags::Ack) ? 1u : 0u);
    tcp.append(char(0x60)); // data offset 6: one 4-byte option (NOP NOP NOP EOL) is skipped too
    tcp.append(char(flags));
    appendBe16(tcp, 65535); // window
    appendBe32(tcp, 0); // checksum, urgent pointer
    tcp.append("\x01\x01\x01\x00", 4);
    return tcp;
}

/// The IP packet (v4 or v6 by address size) holding `transport` with protocol `protocol`.
inline QByteArray ipPacket(const QByteArray &source, const QByteArray &destination,
    const QByteArray &transport, const Wire &wire, quint8 protocol = 6)
{
    QByteArray ip;
    if (source.size() == 4) {
        ip.append(char(0x45)).append('\0');
        appendBe16(ip, quint16(20 + transport.size()));
        appendBe32(ip, 0x12344000); // id, don't fragment
        ip.append(char(64)).append(char(protocol));
        appendBe16(ip, 0);
        ip += source + destination + transport;
        return ip;
    }
    QByteArray extensions;
    quint8 first = protocol;
    if (wire.ipv6Extensions) {
        // Hop-by-hop (8 bytes: PadN) -> destination options (16 bytes: PadN) -> TCP.
        extensions += QByteArray("\x3c\x00\x01\x04\x00\x00\x00\x00", 8);
        extensions += QByteArray(1, char(protocol)) + QByteArray("\x01\x01\x0c", 3) + QByteArray(12, '\0');
        first = 0;
    }
    appendBe32(ip, 0x60000000);
    appendBe16(ip, quint16(extensions.size() + transport.size()));
    ip.append(char(first)).append(char(64));
    ip += source + destination + extensions + transport;
    return ip;
}

/// `ip` in the link layer of `wire`.
inline QByteArray linkFrame(const QByteArray &ip, const Wire &wire)
{
    const bool v6 = (quint8(ip.at(0)) >> 4) == 6;
    const quint16 etherType = v6 ? 0x86dd : 0x0800;
    QByteArray frame;
    switch (wire.linkType) {
    case DLT_EN10MB: {
        frame = QByteArray("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
        if (wire.vlanTags == 2) {
            appendBe16(frame, 0x88a8);
            appendBe16(frame, 100);
        }
        if (wire.vlanTags >= 1) {
            appendBe16(frame, 0x8100);
            appendBe16(frame, 42);
        }
        appendBe16(frame, etherType);
        frame += ip;
        if (frame.size() < wire.ethernetPadTo)
            frame += QByteArray(wire.ethernetPadTo - frame.size(), char(0xee));
        return frame;
    }
    case DLT_NULL:
    case DLT_LOOP: {
        const quint32 family = v6 ? 30 : 2;
        if (wire.linkType == DLT_LOOP || wire.nullNetworkOrder)
            appendBe32(frame, family);
        else
            appendLe32(frame, family);
        return frame + ip;
    }
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return ip;
    case DLT_LINUX_SLL:
        appendBe16(frame, 0); // to us
        appendBe16(frame, 772); // ARPHRD_LOOPBACK
        appendBe16(frame, 6);
        frame += QByteArray(8, '\0');
        appendBe16(frame, etherType);
        return frame + ip;
    case DLT_LINUX_SLL2:
        appendBe16(frame, etherType);
        appendBe16(frame, 0);
        appendBe32(frame, 1); // interface index
        appendBe16(frame, 772);
        frame.append('\0').append(char(6));
        frame += QByteArray(8, '\0');
        return frame + ip;
    default:
        qFatal("pcaptest: no frame builder for link type %d", wire.linkType);
    }
}

/// A captured frame: its captured bytes and its length on the wire.
struct Frame
{
    QByteArray bytes;
    std::uint32_t wireLength = 0;
    std::int64_t timestampUs = 0;
};

inline Frame frameOf(const Step &step, const Endpoints &endpoints, const Wire &wire)
{
    const QByteArray &source = step.fromClient ? endpoints.client : endpoints.server;
    const QByteArray &destination = step.fromClient ? endpoints.server : endpoints.client;
    const quint16 sourcePort = step.fromClient ? endpoints.clientPort : endpoints.serverPort;
    const quint16 destinationPort = step.fromClient ? endpoints.serverPort : endpoints.clientPort;
    const QByteArray tcp = tcpHeader(sourcePort, destinationPort, step.sequence, step.flags) + step.payload;
    const QByteArray whole = linkFrame(ipPacket(source, destination, tcp, wire), wire);
    return { whole.first(whole.size() - step.cut), std::uint32_t(whole.size()), step.timestampUs };
}

/// Writes `frames` as a pcap file with libpcap's writer; false (with a warning) when it cannot.
inline bool writePcap(const QString &path, int linkType, const QList<Frame> &frames, bool nanoseconds = false)
{
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(
        linkType, 262144, nanoseconds ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    pcap_dumper_t *dumper = pcap_dump_open(dead, QFile::encodeName(path).constData());
    if (!dumper) {
        qWarning("pcap_dump_open: %s", pcap_geterr(dead));
        pcap_close(dead);
        return false;
    }
    for (const Frame &frame : frames) {
        pcap_pkthdr header {};
        header.ts.tv_sec = time_t(frame.timestampUs / 1'000'000);
        // In nanosecond files the field holds nanoseconds: 789 ns more than the microseconds say.
        header.ts.tv_usec
            = suseconds_t(frame.timestampUs % 1'000'000) * (nanoseconds ? 1000 : 1) + (nanoseconds ? 789 : 0);
        header.caplen = bpf_u_int32(frame.bytes.size());
        header.len = frame.wireLength;
        pcap_dump(reinterpret_cast<u_char *>(dumper), &header,
            reinterpret_cast<const u_char *>(frame.bytes.constData()));
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
    return true;
}

/// The same frames as a minimal pcapng file built by hand: a section header, one interface
/// description (microsecond timestamps, the default) and one enhanced packet block per frame.
inline QByteArray pcapng(int linkType, const QList<Frame> &frames)
{
    const auto block = [](quint32 type, const QByteArray &body) {
        QByteArray padded = body;
        while (padded.size() % 4 != 0)
            padded.append('\0');
        QByteArray out;
        appendLe32(out, type);
        appendLe32(out, quint32(12 + padded.size()));
        out += padded;
        appendLe32(out, quint32(12 + padded.size()));
        return out;
    };
    QByteArray section;
    appendLe32(section, 0x1a2b3c4d); // byte-order magic
    appendLe16(section, 1);
    appendLe16(section, 0);
    section += QByteArray(8, char(0xff)); // section length unknown
    QByteArray interface;
    appendLe16(interface, quint16(linkType));
    appendLe16(interface, 0);
    appendLe32(interface, 262144);
    QByteArray file = block(0x0a0d0d0a, section) + block(1, interface);
    for (const Frame &frame : frames) {
        QByteArray packet;
        appendLe32(packet, 0); // interface 0
        appendLe32(packet, quint32(quint64(frame.timestampUs) >> 32));
        appendLe32(packet, quint32(quint64(frame.timestampUs) & 0xffffffff));
        appendLe32(packet, quint32(frame.bytes.size()));
        appendLe32(packet, frame.wireLength);
        packet += frame.bytes;
        file += block(6, packet);
    }
    return file;
}

inline constexpr quint8 Ack = tcpflags::Ack;
inline constexpr quint8 Psh = 0x08;
inline constexpr quint8 Syn = tcpflags::Syn;
inline constexpr quint8 Fin = tcpflags::Fin;
inline constexpr quint8 Rst = tcpflags::Rst;

/// Builds the segments of one connection by offset into each direction's stream, so that a test
/// can send them in any order: offset 0 is the first byte after the SYN.
class Flow
{
public:
    Flow(quint32 clientIsn = 1000, quint32 serverIsn = 5000)
        : m_clientIsn(clientIsn)
        , m_serverIsn(serverIsn)
    { }
    Flow &handshake()
    {
        add({ true, m_clientIsn, Syn, {} });
        add({ false, m_serverIsn, quint8(Syn | Ack), {} });
        return add({ true, m_clientIsn + 1, Ack, {} });
    }
    Flow &data(bool fromClient, quint32 offset, const QByteArray &bytes, int cut = 0)
    {
        return add({ fromClient, isn(fromClient) + 1 + offset, quint8(Ack | Psh), bytes, cut });
    }
    Flow &fin(bool fromClient, quint32 offset)
    {
        return add({ fromClient, isn(fromClient) + 1 + offset, quint8(Fin | Ack), {} });
    }
    Flow &rst(bool fromClient, quint32 offset)
    {
        return add({ fromClient, isn(fromClient) + 1 + offset, Rst, {} });
    }
    Flow &ack(bool fromClient, quint32 offset)
    {
        return add({ fromClient, isn(fromClient) + 1 + offset, Ack, {} });
    }
    Flow &add(Step step)
    {
        step.timestampUs = 1'700'000'000'000'000 + 1000 * m_steps.size();
        m_steps.append(step);
        return *this;
    }
    [[nodiscard]] quint32 isn(bool fromClient) const { return fromClient ? m_clientIsn : m_serverIsn; }
    [[nodiscard]] const QList<Step> &steps() const { return m_steps; }

private:
    quint32 m_clientIsn;
    quint32 m_serverIsn;
    QList<Step> m_steps;
};

/// What the reassembler delivered: per connection and direction the bytes with "[gap N]" where
/// bytes are missing, and the connection events in order.
struct Transcript
{
    QMap<QString, QByteArray> streams; ///< "1 c2s" -> bytes
    QStringList events; ///< "open 1 10.0.0.1:40000 > 10.0.0.2:5555", "gap 1 c2s 7 @ts", "close 1", "reset 1"
    QList<std::int64_t> packetTimestamps;
    int notTcp = 0;
    int malformed = 0;
    QString error; ///< the source's error, empty when it read to the end

    [[nodiscard]] QByteArray c2s(int id = 1) const { return streams.value(u"%1 c2s"_s.arg(id)); }
    [[nodiscard]] QByteArray s2c(int id = 1) const { return streams.value(u"%1 s2c"_s.arg(id)); }
};

inline QString directionName(bool fromClient)
{
    return fromClient ? u"c2s"_s : u"s2c"_s;
}

inline TcpReassembler::Handlers recordingHandlers(Transcript &transcript)
{
    TcpReassembler::Handlers handlers;
    handlers.opened = [&transcript](const TcpReassembler::Connection &connection) {
        transcript.events.append(u"open %1 %2 > %3%4"_s.arg(connection.id)
                                     .arg(connection.client.toString(), connection.server.toString(),
                                         connection.joinedMidStream ? u" mid"_s : QString()));
    };
    handlers.data = [&transcript](TcpReassembler::ConnectionId id, bool fromClient, QByteArrayView bytes,
                        std::int64_t) {
        transcript.streams[u"%1 %2"_s.arg(id).arg(directionName(fromClient))] += bytes.toByteArray();
    };
    handlers.gap = [&transcript](TcpReassembler::ConnectionId id, bool fromClient, std::uint64_t missing,
                       std::int64_t timestampUs) {
        transcript.streams[u"%1 %2"_s.arg(id).arg(directionName(fromClient))]
            += "[gap " + QByteArray::number(quint64(missing)) + ']';
        transcript.events.append(
            u"gap %1 %2 %3 @%4"_s.arg(id).arg(directionName(fromClient)).arg(missing).arg(timestampUs));
    };
    handlers.closed = [&transcript](TcpReassembler::ConnectionId id, bool reset, std::int64_t) {
        transcript.events.append(u"%1 %2"_s.arg(reset ? u"reset"_s : u"close"_s).arg(id));
    };
    return handlers;
}

/// The file through PcapSource, parseTcpPacket and TcpReassembler, as the passive decoder runs them.
inline Transcript readCapture(const QString &path, TcpReassembler::Limits limits = {})
{
    Transcript transcript;
    auto source = PcapSource::openFile(path);
    if (!source) {
        transcript.error = source.errorMessage();
        return transcript;
    }
    TcpReassembler reassembler(recordingHandlers(transcript), limits);
    RawPacket packet;
    TcpSegment segment;
    std::int64_t last = 0;
    for (;;) {
        const PcapSource::Next next = (*source)->next(packet);
        if (next == PcapSource::Next::Failed)
            transcript.error = (*source)->error().message();
        if (next != PcapSource::Next::Packet)
            break;
        transcript.packetTimestamps.append(packet.timestampUs);
        last = packet.timestampUs;
        switch (parseTcpPacket(packet, segment)) {
        case PacketKind::Tcp:
            reassembler.add(packet.timestampUs, segment);
            break;
        case PacketKind::NotTcp:
            ++transcript.notTcp;
            break;
        case PacketKind::Malformed:
            ++transcript.malformed;
            break;
        }
    }
    reassembler.finish(last + 1);
    return transcript;
}

inline QList<Frame> framesOf(const QList<Step> &steps, const Wire &wire = {}, const Endpoints &endpoints = {})
{
    QList<Frame> frames;
    for (const Step &step : steps)
        frames.append(frameOf(step, endpoints, wire));
    return frames;
}

} // namespace pcaptest
