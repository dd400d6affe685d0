#include <cstring>
#include <pcap/dlt.h>

#include <QHashFunctions>

#include <zmqscope/capture/tcppacket.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// Every read goes through these: an offset beyond the data reads as "not there", never past it.
struct Bytes
{
    const quint8 *data;
    qsizetype size;

    [[nodiscard]] bool has(qsizetype offset, qsizetype count) const
    {
        return offset >= 0 && count >= 0 && offset <= size && count <= size - offset;
    }
    /// These bytes up to `end` at most: an IP packet's own bytes, without the link layer's padding.
    [[nodiscard]] Bytes upTo(std::uint64_t end) const
    {
        return { data, qsizetype(std::min<std::uint64_t>(std::uint64_t(size), end)) };
    }
    [[nodiscard]] quint16 be16(qsizetype at) const { return quint16((data[at] << 8) | data[at + 1]); }
    [[nodiscard]] quint32 be32(qsizetype at) const
    {
        return (quint32(data[at]) << 24) | (quint32(data[at + 1]) << 16) | (quint32(data[at + 2]) << 8)
            | quint32(data[at + 3]);
    }
};

constexpr quint16 EtherIPv4 = 0x0800;
constexpr quint16 EtherIPv6 = 0x86dd;
constexpr quint16 EtherVlan = 0x8100; // 802.1Q
constexpr quint16 EtherQinQ = 0x88a8; // 802.1ad
constexpr quint16 EtherQinQOld = 0x9100; // pre-standard double tagging
constexpr quint8 IpProtoTcp = 6;

/// Copies an address into the caller's buffer: a segment reused packet after packet keeps its
/// buffers, so the parser allocates nothing per packet (the benchmark's budget, issue 15).
void setAddress(QByteArray &address, const quint8 *bytes, qsizetype size)
{
    if (address.size() != size) // resize() is a call into QtCore; the size rarely changes
        address.resize(size);
    std::memcpy(address.data(), bytes, std::size_t(size));
}

/// Back to an empty segment except for its addresses (every TCP packet sets both).
void resetFields(TcpSegment &segment)
{
    segment.source.port = 0;
    segment.destination.port = 0;
    segment.sequence = 0;
    segment.acknowledgement = 0;
    segment.flags = 0;
    segment.payload = {};
    segment.missingPayload = 0;
}

/// Back to an empty segment, keeping the address buffers for the next packet.
void reset(TcpSegment &segment)
{
    segment.source.address.resize(0);
    segment.destination.address.resize(0);
    resetFields(segment);
}

struct Verdict
{
    PacketKind kind = PacketKind::NotTcp;
    QLatin1StringView why;
};

Verdict malformed(QLatin1StringView why)
{
    return { PacketKind::Malformed, why };
}

Verdict notTcp()
{
    return { PacketKind::NotTcp, {} };
}

/// The TCP header and payload of an IP packet whose TCP part starts at `at`; the wire holds
/// `wireTcpLength` bytes of it, the capture min(that, what is left of `bytes`).
Verdict parseTcp(Bytes bytes, qsizetype at, std::uint64_t wireTcpLength, TcpSegment &segment)
{
    if (wireTcpLength < 20)
        return malformed("TCP header longer than the IP packet"_L1);
    if (!bytes.has(at, 20))
        return malformed("TCP header cut short"_L1);
    const qsizetype headerLength = qsizetype(bytes.data[at + 12] >> 4) * 4;
    if (headerLength < 20)
        return malformed("TCP data offset below 5"_L1);
    if (std::uint64_t(headerLength) > wireTcpLength)
        return malformed("TCP header longer than the IP packet"_L1);
    if (!bytes.has(at, headerLength))
        return malformed("TCP options cut short"_L1);
    segment.source.port = bytes.be16(at);
    segment.destination.port = bytes.be16(at + 2);
    segment.sequence = bytes.be32(at + 4);
    segment.acknowledgement = bytes.be32(at + 8);
    segment.flags = bytes.data[at + 13];
    const std::uint64_t wirePayload = wireTcpLength - std::uint64_t(headerLength);
    const std::uint64_t captured
        = std::min<std::uint64_t>(wirePayload, std::uint64_t(bytes.size - at - headerLength));
    segment.payload = QByteArrayView(bytes.data + at + headerLength, qsizetype(captured));
    segment.missingPayload = std::uint32_t(wirePayload - captured);
    return { PacketKind::Tcp, {} };
}

/// `snapped`: the capture holds fewer bytes than the wire did, so a short packet is cut, not broken.
Verdict parseIPv4(Bytes bytes, qsizetype at, bool snapped, TcpSegment &segment)
{
    if (!bytes.has(at, 20))
        return malformed("IPv4 header cut short"_L1);
    const quint8 *ip = bytes.data + at;
    if ((ip[0] >> 4) != 4)
        return malformed("IPv4 version is not 4"_L1);
    const qsizetype headerLength = qsizetype(ip[0] & 0x0f) * 4;
    if (headerLength < 20)
        return malformed("IPv4 header length below 5"_L1);
    if (!bytes.has(at, headerLength))
        return malformed("IPv4 options cut short"_L1);
    std::uint64_t totalLength = bytes.be16(at + 2);
    const qsizetype capturedIp = bytes.size - at;
    // Segmentation offload: an outgoing packet captured before the NIC split it carries length 0.
    if (totalLength == 0 && !snapped)
        totalLength = std::uint64_t(capturedIp);
    if (totalLength < std::uint64_t(headerLength))
        return malformed("IPv4 total length below its header length"_L1);
    if (!snapped && std::uint64_t(capturedIp) < totalLength)
        return malformed("IPv4 packet shorter than its total length"_L1);
    const quint16 fragment = bytes.be16(at + 6);
    if ((fragment & 0x2000) != 0 || (fragment & 0x1fff) != 0)
        return notTcp(); // a fragment: reassembling IP is not ours to do
    if (ip[9] != IpProtoTcp)
        return notTcp();
    setAddress(segment.source.address, ip + 12, 4);
    setAddress(segment.destination.address, ip + 16, 4);
    // Only the IP packet's own bytes: ethernet padding after it is not payload.
    const Bytes packet = bytes.upTo(std::uint64_t(at) + totalLength);
    return parseTcp(packet, at + headerLength, totalLength - std::uint64_t(headerLength), segment);
}

Verdict parseIPv6(Bytes bytes, qsizetype at, bool snapped, TcpSegment &segment)
{
    if (!bytes.has(at, 40))
        return malformed("IPv6 header cut short"_L1);
    const quint8 *ip = bytes.data + at;
    if ((ip[0] >> 4) != 6)
        return malformed("IPv6 version is not 6"_L1);
    const std::uint64_t payloadLength = bytes.be16(at + 4);
    if (payloadLength == 0)
        return notTcp(); // a jumbogram (or nothing): not a ZMTP carrier
    if (!snapped && std::uint64_t(bytes.size - at - 40) < payloadLength)
        return malformed("IPv6 packet shorter than its payload length"_L1);
    const Bytes packet = bytes.upTo(std::uint64_t(at) + 40 + payloadLength);
    quint8 next = ip[6];
    qsizetype offset = at + 40;
    std::uint64_t left = payloadLength;
    for (;;) {
        if (next == IpProtoTcp)
            break;
        if (next == 44)
            return notTcp(); // fragment header
        if (next != 0 && next != 43 && next != 60)
            return notTcp(); // no next header, ESP, AH, another protocol
        // Hop-by-hop, routing and destination options: (length + 1) * 8 bytes.
        if (!packet.has(offset, 2))
            return malformed("IPv6 extension header cut short"_L1);
        const std::uint64_t extensionLength = (std::uint64_t(packet.data[offset + 1]) + 1) * 8;
        if (extensionLength > left)
            return malformed("IPv6 extension header longer than the payload"_L1);
        if (!packet.has(offset, qsizetype(extensionLength)))
            return malformed("IPv6 extension header cut short"_L1);
        next = packet.data[offset];
        offset += qsizetype(extensionLength);
        left -= extensionLength;
    }
    setAddress(segment.source.address, ip + 8, 16);
    setAddress(segment.destination.address, ip + 24, 16);
    return parseTcp(packet, offset, left, segment);
}

Verdict parseIp(Bytes bytes, qsizetype at, bool snapped, TcpSegment &segment)
{
    if (!bytes.has(at, 1))
        return malformed("no IP header"_L1);
    switch (bytes.data[at] >> 4) {
    case 4:
        return parseIPv4(bytes, at, snapped, segment);
    case 6:
        return parseIPv6(bytes, at, snapped, segment);
    default:
        return notTcp();
    }
}

Verdict parseByEtherType(Bytes bytes, qsizetype at, quint16 etherType, bool snapped, TcpSegment &segment)
{
    if (etherType == EtherIPv4)
        return parseIPv4(bytes, at, snapped, segment);
    if (etherType == EtherIPv6)
        return parseIPv6(bytes, at, snapped, segment);
    return notTcp();
}

Verdict parseEthernet(Bytes bytes, bool snapped, TcpSegment &segment)
{
    if (!bytes.has(0, 14))
        return malformed("Ethernet header cut short"_L1);
    quint16 etherType = bytes.be16(12);
    qsizetype at = 14;
    for (int tags = 0;
         tags < 2 && (etherType == EtherVlan || etherType == EtherQinQ || etherType == EtherQinQOld);
         ++tags) {
        if (!bytes.has(at, 4))
            return malformed("802.1Q tag cut short"_L1);
        etherType = bytes.be16(at + 2);
        at += 4;
    }
    return parseByEtherType(bytes, at, etherType, snapped, segment);
}

Verdict parseNull(Bytes bytes, bool snapped, TcpSegment &segment)
{
    if (!bytes.has(0, 4))
        return malformed("loopback header cut short"_L1);
    // The address family in the writer's byte order (DLT_NULL) or in network order (DLT_LOOP);
    // real values are small, so the order that gives a small number is the right one.
    const quint32 big = bytes.be32(0);
    const quint32 little = (quint32(bytes.data[3]) << 24) | (quint32(bytes.data[2]) << 16)
        | (quint32(bytes.data[1]) << 8) | quint32(bytes.data[0]);
    const quint32 family = big < 256 ? big : little;
    switch (family) {
    case 2: // AF_INET everywhere
        return parseIPv4(bytes, 4, snapped, segment);
    case 24: // AF_INET6: OpenBSD/NetBSD
    case 28: // FreeBSD
    case 30: // macOS
        return parseIPv6(bytes, 4, snapped, segment);
    default:
        return notTcp();
    }
}

QString dottedQuad(const char *address)
{
    const auto *a = reinterpret_cast<const quint8 *>(address);
    return u"%1.%2.%3.%4"_s.arg(a[0]).arg(a[1]).arg(a[2]).arg(a[3]);
}

} // namespace

QString TcpEndpoint::toString() const
{
    if (address.size() == 4) {
        return u"%1:%2"_s.arg(dottedQuad(address.constData())).arg(port);
    }
    if (address.size() != 16)
        return u"?:%1"_s.arg(port);
    // RFC 5952 section 5: an IPv4-mapped address (a dual-stack socket's IPv4 peer) keeps its dotted quad.
    if (address.startsWith(QByteArrayView("\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))) {
        return u"[::ffff:%1]:%2"_s.arg(dottedQuad(address.constData() + 12)).arg(port);
    }
    // RFC 5952: lower-case hex, no leading zeros, the longest run (>= 2) of zero groups as "::".
    quint16 groups[8];
    for (qsizetype i = 0; i < 8; ++i)
        groups[i] = quint16((quint8(address[2 * i]) << 8) | quint8(address[2 * i + 1]));
    int bestStart = -1;
    int bestLength = 0;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && groups[j] == 0)
            ++j;
        if (j - i > bestLength && j - i >= 2) {
            bestStart = i;
            bestLength = j - i;
        }
        i = j;
    }
    QString text;
    for (int i = 0; i < 8; ++i) {
        if (i == bestStart) {
            text += u"::"_s;
            i += bestLength - 1;
            continue;
        }
        if (!text.isEmpty() && !text.endsWith(u':'))
            text += u':';
        text += QString::number(groups[i], 16);
    }
    return u"[%1]:%2"_s.arg(text).arg(port);
}

size_t qHash(const TcpEndpoint &endpoint, size_t seed)
{
    return qHashMulti(seed, endpoint.address, endpoint.port);
}

PacketKind parseTcpPacket(const RawPacket &packet, TcpSegment &segment, QLatin1StringView *why)
{
    resetFields(segment); // a packet that is not TCP gets the full reset() below
    const Bytes bytes { reinterpret_cast<const quint8 *>(packet.data.data()), packet.data.size() };
    const bool snapped = packet.originalLength > std::uint64_t(packet.data.size());
    Verdict verdict = notTcp();
    switch (packet.linkType) {
    case DLT_NULL:
    case DLT_LOOP:
        verdict = parseNull(bytes, snapped, segment);
        break;
    case DLT_EN10MB:
        verdict = parseEthernet(bytes, snapped, segment);
        break;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        verdict = parseIp(bytes, 0, snapped, segment);
        break;
    case DLT_LINUX_SLL:
        verdict = bytes.has(0, 16) ? parseByEtherType(bytes, 16, bytes.be16(14), snapped, segment)
                                   : malformed("Linux cooked header cut short"_L1);
        break;
    case DLT_LINUX_SLL2:
        verdict = bytes.has(0, 20) ? parseByEtherType(bytes, 20, bytes.be16(0), snapped, segment)
                                   : malformed("Linux cooked v2 header cut short"_L1);
        break;
    default:
        verdict = malformed("unsupported link type"_L1);
        break;
    }
    if (verdict.kind != PacketKind::Tcp)
        reset(segment);
    else // what a bogus IP length claims beyond the wire's own length is not missing
        segment.missingPayload = std::uint32_t(std::min<std::uint64_t>(
            segment.missingPayload, snapped ? packet.originalLength - std::uint64_t(packet.data.size()) : 0));
    if (why)
        *why = verdict.why;
    return verdict.kind;
}

} // namespace zmqscope
