#include <array>
#include <map>
#include <pcap/dlt.h>
#include <set>
#include <utility>

#include <QByteArray>

#include <zmqscope/capture/tcppacket.h>
#include <zmqscope/capture/tcpreassembler.h>

#include "fuzzcheck.h"
#include "fuzztargets.h"

namespace zmqscope::fuzz {

namespace {

constexpr std::array<int, 8> LinkTypes { DLT_EN10MB, DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4, DLT_IPV6,
    DLT_LINUX_SLL, DLT_LINUX_SLL2 };

/// The reassembler's promises, checked on every call of its handlers.
struct Observer
{
    std::set<TcpReassembler::ConnectionId> open;
    std::set<TcpReassembler::ConnectionId> closed;
    TcpReassembler::ConnectionId lastId = 0;
    std::uint64_t delivered = 0;

    TcpReassembler::Handlers handlers()
    {
        TcpReassembler::Handlers result;
        result.opened = [this](const TcpReassembler::Connection &connection) {
            // Ids are new and increasing; the endpoints are two of one family.
            ZMQSCOPE_FUZZ_CHECK(connection.id > lastId);
            lastId = connection.id;
            ZMQSCOPE_FUZZ_CHECK(connection.client.address.size() == connection.server.address.size());
            open.insert(connection.id);
        };
        result.data = [this](TcpReassembler::ConnectionId id, bool, QByteArrayView bytes, std::int64_t) {
            ZMQSCOPE_FUZZ_CHECK(open.contains(id));
            ZMQSCOPE_FUZZ_CHECK(!bytes.isEmpty());
            delivered += std::uint64_t(bytes.size());
        };
        result.gap = [this](TcpReassembler::ConnectionId id, bool, std::uint64_t missing, std::int64_t) {
            ZMQSCOPE_FUZZ_CHECK(open.contains(id));
            ZMQSCOPE_FUZZ_CHECK(missing > 0);
        };
        result.closed = [this](TcpReassembler::ConnectionId id, bool, std::int64_t) {
            ZMQSCOPE_FUZZ_CHECK(open.erase(id) == 1);
            closed.insert(id);
        };
        return result;
    }
};

} // namespace

int tcpPacketTarget(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte picks the link type: an index into the supported ones, or itself (unsupported ones too).
    const int linkType = data[0] < LinkTypes.size() ? LinkTypes[data[0]] : int(data[0]);
    Observer observer;
    TcpReassembler::Limits limits;
    limits.maxBufferedBytesPerDirection = 512;
    limits.maxConnections = 3;
    TcpReassembler reassembler(observer.handlers(), limits);

    // Then packets: a 2-byte big-endian captured length, a byte of length cut by the snap length,
    // the captured bytes (the last packet may have fewer than its length says).
    std::uint64_t payloadSeen = 0;
    std::int64_t timestamp = 0;
    std::size_t pos = 1;
    while (pos + 3 <= size) {
        const std::size_t length = (std::size_t(data[pos]) << 8) | data[pos + 1];
        const std::uint32_t cut = data[pos + 2];
        pos += 3;
        const std::size_t take = std::min(length, size - pos);
        // A copy of exactly the packet's bytes, so that a read past them is one the sanitizer sees.
        const QByteArray bytes(reinterpret_cast<const char *>(data + pos), qsizetype(take));
        pos += take;
        RawPacket packet;
        packet.timestampUs = ++timestamp;
        packet.linkType = linkType;
        packet.data = bytes;
        packet.originalLength = std::uint32_t(take) + cut;
        TcpSegment segment;
        QLatin1StringView why;
        const PacketKind kind = parseTcpPacket(packet, segment, &why);
        ZMQSCOPE_FUZZ_CHECK((kind == PacketKind::Malformed) == !why.isEmpty());
        if (kind != PacketKind::Tcp) {
            ZMQSCOPE_FUZZ_CHECK(segment.payload.isEmpty() && segment.source.address.isEmpty());
            continue;
        }
        // The payload lies inside the captured bytes; what is missing was cut by the snap length.
        const char *begin = bytes.constData();
        ZMQSCOPE_FUZZ_CHECK(segment.payload.isEmpty()
            || (segment.payload.data() >= begin
                && segment.payload.data() + segment.payload.size() <= begin + bytes.size()));
        ZMQSCOPE_FUZZ_CHECK(segment.missingPayload <= cut);
        const qsizetype family = segment.source.address.size();
        ZMQSCOPE_FUZZ_CHECK((family == 4 || family == 16) && segment.destination.address.size() == family);
        payloadSeen += std::uint64_t(segment.payload.size());
        reassembler.add(packet.timestampUs, segment);
        ZMQSCOPE_FUZZ_CHECK(reassembler.connectionCount() <= limits.maxConnections);
        // Every byte delivered came from a captured payload, once.
        ZMQSCOPE_FUZZ_CHECK(observer.delivered <= payloadSeen);
    }
    reassembler.finish(timestamp + 1);
    ZMQSCOPE_FUZZ_CHECK(observer.open.empty());
    ZMQSCOPE_FUZZ_CHECK(reassembler.connectionCount() == 0);
    ZMQSCOPE_FUZZ_CHECK(observer.delivered <= payloadSeen);
    return 0;
}

} // namespace zmqscope::fuzz

#ifdef ZMQSCOPE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return zmqscope::fuzz::tcpPacketTarget(data, size);
}
#endif
