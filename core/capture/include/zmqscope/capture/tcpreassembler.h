#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <list>
#include <map>
#include <unordered_map>

#include <QByteArray>
#include <QByteArrayView>

#include <zmqscope/capture/tcppacket.h>

namespace zmqscope {

/**
 * TCP streams from segments in capture order: per connection (the 4-tuple, either direction) the
 * in-order bytes of each direction, holes reported as gaps rather than guessed over. Sequence
 * numbers wrap at 2^32; out-of-order segments wait (bounded by Limits) until the hole fills;
 * retransmitted and overlapping bytes are delivered once, the first copy winning. Memory stays
 * bounded whatever the capture holds: a hole that does not fill while the buffer limit is reached
 * becomes a gap, and the oldest idle connection is dropped beyond maxConnections.
 */
class TcpReassembler
{
public:
    using ConnectionId = quint64; ///< unique per connection (a reused 4-tuple after FIN/RST is a new one)
    struct Connection
    {
        ConnectionId id = 0;
        TcpEndpoint client; ///< who sent the SYN; without a SYN: see joinedMidStream
        TcpEndpoint server;
        /// The capture began after the connection: no SYN was seen. The client is then guessed: the
        /// side with the higher port when one port is < 32768 and the other >= 32768 (ephemeral
        /// range), else the source of the first segment seen.
        bool joinedMidStream = false;
        std::int64_t firstSeenUs = 0;
    };
    struct Handlers
    {
        std::function<void(const Connection &)> opened;
        /// In-order bytes of one direction (fromClient true = c2s). Retransmitted and duplicated bytes
        /// are delivered once; overlapping segments: the first copy wins.
        std::function<void(ConnectionId, bool fromClient, QByteArrayView bytes, std::int64_t timestampUs)>
            data;
        /// `missing` bytes of that direction will never come (lost before the capture, snapped,
        /// or given up on); the data that follows starts after the hole.
        std::function<void(ConnectionId, bool fromClient, std::uint64_t missing, std::int64_t timestampUs)>
            gap;
        std::function<void(ConnectionId, bool reset, std::int64_t timestampUs)> closed;
    };
    struct Limits
    {
        std::size_t maxBufferedBytesPerDirection = 4 << 20;
        std::size_t maxConnections = 65536;
    };
    // Two constructors rather than `Limits limits = {}`: a nested struct's member initialisers are
    // not usable in a default argument of its enclosing class (GCC's "could not convert").
    explicit TcpReassembler(Handlers handlers);
    TcpReassembler(Handlers handlers, Limits limits);
    ~TcpReassembler();
    TcpReassembler(const TcpReassembler &) = delete;
    TcpReassembler &operator=(const TcpReassembler &) = delete;

    /// One segment (parseTcpPacket's) in capture order. A connection starts with a SYN, or, joined
    /// mid-stream, with the first segment that carries payload; bare ACKs and RSTs of unknown
    /// connections are ignored.
    void add(std::int64_t timestampUs, const TcpSegment &segment);
    /// End of input: what waits behind a hole is delivered after a gap; every connection is closed.
    void finish(std::int64_t timestampUs);

    /// Connections in the table, the recently closed ones (kept to ignore their last ACKs) included.
    [[nodiscard]] std::size_t connectionCount() const;

private:
    struct Key
    {
        quint8 addressA[16] = {};
        quint8 addressB[16] = {};
        quint16 portA = 0;
        quint16 portB = 0;
        quint8 addressLength = 0;
        /// Two block compares (the defaulted one compared the 32 address bytes one by one).
        friend bool operator==(const Key &a, const Key &b)
        {
            return a.portA == b.portA && a.portB == b.portB && a.addressLength == b.addressLength
                && std::memcmp(a.addressA, b.addressA, sizeof a.addressA) == 0
                && std::memcmp(a.addressB, b.addressB, sizeof a.addressB) == 0;
        }
    };
    struct KeyHash
    {
        std::size_t operator()(const Key &key) const noexcept;
    };
    /// A received range of one direction: bytes, or bytes known lost (snapped) when `lost` > 0.
    struct Piece
    {
        QByteArray bytes;
        std::uint64_t lost = 0;
        [[nodiscard]] std::uint64_t length() const { return lost > 0 ? lost : std::uint64_t(bytes.size()); }
    };
    struct Stream
    {
        bool started = false;
        bool synSeen = false;
        quint32 isn = 0;
        /// Absolute offset of the next byte expected; starts at 2^32 + sequence so that unwrapping a
        /// sequence number a little behind it never goes below zero.
        std::uint64_t next = 0;
        std::map<std::uint64_t, Piece> pending; ///< non-overlapping, all beyond `next`
        std::size_t pendingBytes = 0; ///< counted against the limit, with a per-piece overhead
        bool finSeen = false;
        std::uint64_t finAt = 0;
    };
    struct State
    {
        Connection connection;
        Stream toServer;
        Stream toClient;
        bool closed = false; ///< kept only to ignore the closed connection's last segments
        bool clientIsA = true; ///< the client is the key's first endpoint (addressA, portA)
        std::list<Key>::iterator lru;
    };

    /// The key, and in `sourceFirst` whether the segment's source is its first endpoint.
    static Key keyOf(const TcpSegment &segment, bool &sourceFirst);
    void touch(State &state); ///< most recently active now (the end of m_lru)
    void remember(const Key &key, State &state);
    void forget(const State &state); ///< before the state is erased
    State &open(const Key &key, const TcpSegment &segment, bool clientIsSource, bool midStream,
        std::int64_t timestampUs);
    void process(State &state, bool fromClient, const TcpSegment &segment, std::int64_t timestampUs);
    void insert(Stream &stream, std::uint64_t at, QByteArrayView bytes, std::uint64_t lost);
    void drain(State &state, bool fromClient, std::int64_t timestampUs) const;
    void enforceLimit(State &state, bool fromClient, std::int64_t timestampUs);
    void flush(State &state, bool fromClient, std::int64_t timestampUs);
    void close(State &state, bool reset, std::int64_t timestampUs);
    void evictOldest(std::int64_t timestampUs);

    Handlers m_handlers;
    Limits m_limits;
    std::unordered_map<Key, State, KeyHash> m_connections;
    std::list<Key> m_lru; ///< least recently active first
    /// The connection of the last segment (map nodes never move), or null; cleared before an erase.
    State *m_last = nullptr;
    Key m_lastKey;
    ConnectionId m_nextId = 1;
};

} // namespace zmqscope
