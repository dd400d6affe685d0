#include <algorithm>
#include <cstring>
#include <vector>

#include <QHashFunctions>
#include <QtEndian>

#include <zmqscope/capture/tcpreassembler.h>

namespace zmqscope {

namespace {

/// What one buffered piece costs beyond its bytes (map node, QByteArray header): so that many
/// tiny or byte-less pieces are bounded by the same limit as big ones.
constexpr std::size_t PieceOverhead = 64;

constexpr std::uint64_t FirstOffset = std::uint64_t(1) << 32;

constexpr quint16 EphemeralStart = 32768;

std::size_t pieceCost(std::size_t bytes)
{
    return bytes + PieceOverhead;
}

} // namespace

std::size_t TcpReassembler::KeyHash::operator()(const Key &key) const noexcept
{
    // Field by field (the struct's padding is not part of the key), mixed with multiplications:
    // qHashBits over the 32 address bytes cost as much as the rest of a packet's reassembly. The
    // process's hash seed keeps a crafted capture from aiming all its connections at one bucket.
    static const std::uint64_t seed = QHashSeed::globalSeed();
    std::uint64_t words[4];
    std::memcpy(words, key.addressA, sizeof key.addressA);
    std::memcpy(words + 2, key.addressB, sizeof key.addressB);
    std::uint64_t hash = seed
        ^ (std::uint64_t(key.portA) | std::uint64_t(key.portB) << 16
            | std::uint64_t(key.addressLength) << 32);
    for (const std::uint64_t word : words) {
        hash = (hash ^ word) * 0x9e3779b97f4a7c15ull;
        hash ^= hash >> 29;
    }
    return std::size_t(hash);
}

TcpReassembler::TcpReassembler(Handlers handlers)
    : TcpReassembler(std::move(handlers), Limits())
{ }

TcpReassembler::TcpReassembler(Handlers handlers, Limits limits)
    : m_handlers(std::move(handlers))
    , m_limits(limits)
{
    m_limits.maxConnections = std::max<std::size_t>(m_limits.maxConnections, 1);
}

TcpReassembler::~TcpReassembler() = default;

std::size_t TcpReassembler::connectionCount() const
{
    return m_connections.size();
}

TcpReassembler::Key TcpReassembler::keyOf(const TcpSegment &segment, bool &sourceFirst)
{
    // Direction-independent: the smaller endpoint (address bytes, then port) first.
    Key key;
    const QByteArray &a = segment.source.address;
    const QByteArray &b = segment.destination.address;
    const auto length = std::size_t(std::min<qsizetype>(std::min(a.size(), b.size()), 16));
    key.addressLength = quint8(length);
    int order = 0;
    if (length == 4) {
        // IPv4, nearly every packet: one comparison of two numbers instead of a call to memcmp.
        const quint32 first = qFromBigEndian<quint32>(a.constData());
        const quint32 second = qFromBigEndian<quint32>(b.constData());
        order = first < second ? -1 : (first > second ? 1 : 0);
    } else {
        order = std::memcmp(a.constData(), b.constData(), length);
    }
    sourceFirst = order < 0 || (order == 0 && segment.source.port <= segment.destination.port);
    std::memcpy(key.addressA, (sourceFirst ? a : b).constData(), length);
    std::memcpy(key.addressB, (sourceFirst ? b : a).constData(), length);
    key.portA = sourceFirst ? segment.source.port : segment.destination.port;
    key.portB = sourceFirst ? segment.destination.port : segment.source.port;
    return key;
}

void TcpReassembler::add(std::int64_t timestampUs, const TcpSegment &segment)
{
    bool sourceFirst = true;
    const Key key = keyOf(segment, sourceFirst);
    const bool syn = (segment.flags & tcpflags::Syn) != 0;
    // Most segments belong to the connection of the segment before: no hash lookup for them. A SYN
    // or a closed connection takes the full path below.
    if (m_last && !syn && !m_last->closed && key == m_lastKey) {
        touch(*m_last);
        process(*m_last, sourceFirst == m_last->clientIsA, segment, timestampUs);
        return;
    }
    const bool carries = !segment.payload.isEmpty() || segment.missingPayload > 0;
    auto found = m_connections.find(key);

    if (found != m_connections.end() && !found->second.closed && syn) {
        // A SYN on a live 4-tuple: a retransmitted one, the SYN-ACK, or the port reused after a
        // close this capture missed (another ISN): then the old connection ends here.
        State &state = found->second;
        const bool fromClient = sourceFirst == state.clientIsA;
        const Stream &stream = fromClient ? state.toServer : state.toClient;
        const bool sameSyn = stream.synSeen && stream.isn == segment.sequence;
        if (!sameSyn && stream.started)
            close(state, false, timestampUs);
    }
    if (found != m_connections.end() && found->second.closed) {
        if (!syn)
            return; // the last ACKs (or stragglers) of a closed connection
        m_lru.erase(found->second.lru);
        forget(found->second);
        m_connections.erase(found);
        found = m_connections.end();
    }
    if (found == m_connections.end()) {
        if (!syn && !carries)
            return; // a bare ACK, FIN or RST of a connection we never saw: nothing to follow
        bool clientIsSource = true;
        bool midStream = false;
        if (syn) {
            // SYN: its source is the client; SYN-ACK (the SYN was missed): its destination is.
            clientIsSource = (segment.flags & tcpflags::Ack) == 0;
        } else {
            midStream = true;
            const quint16 source = segment.source.port;
            const quint16 destination = segment.destination.port;
            if ((source >= EphemeralStart) != (destination >= EphemeralStart))
                clientIsSource = source > destination;
        }
        State &state = open(key, segment, clientIsSource, midStream, timestampUs);
        // The client is the smaller endpoint when it sent this segment and the source is first, or
        // received it and the destination is.
        state.clientIsA = clientIsSource == sourceFirst;
        remember(key, state);
        process(state, clientIsSource, segment, timestampUs);
        return;
    }
    State &state = found->second;
    remember(key, state);
    touch(state);
    process(state, sourceFirst == state.clientIsA, segment, timestampUs);
}

void TcpReassembler::touch(State &state)
{
    if (std::next(state.lru) != m_lru.end())
        m_lru.splice(m_lru.end(), m_lru, state.lru);
}

void TcpReassembler::remember(const Key &key, State &state)
{
    m_lastKey = key;
    m_last = &state;
}

void TcpReassembler::forget(const State &state)
{
    if (m_last == &state)
        m_last = nullptr;
}

TcpReassembler::State &TcpReassembler::open(
    const Key &key, const TcpSegment &segment, bool clientIsSource, bool midStream, std::int64_t timestampUs)
{
    while (m_connections.size() >= m_limits.maxConnections)
        evictOldest(timestampUs);
    m_lru.push_back(key);
    State &state = m_connections[key];
    state.lru = std::prev(m_lru.end());
    state.connection.id = m_nextId++;
    state.connection.client = clientIsSource ? segment.source : segment.destination;
    state.connection.server = clientIsSource ? segment.destination : segment.source;
    state.connection.joinedMidStream = midStream;
    state.connection.firstSeenUs = timestampUs;
    if (m_handlers.opened)
        m_handlers.opened(state.connection);
    return state;
}

void TcpReassembler::evictOldest(std::int64_t timestampUs)
{
    const Key key = m_lru.front();
    const auto found = m_connections.find(key);
    if (!found->second.closed)
        close(found->second, false, timestampUs);
    m_lru.pop_front();
    forget(found->second);
    m_connections.erase(found);
}

void TcpReassembler::process(
    State &state, bool fromClient, const TcpSegment &segment, std::int64_t timestampUs)
{
    Stream &stream = fromClient ? state.toServer : state.toClient;
    const bool syn = (segment.flags & tcpflags::Syn) != 0;
    std::uint64_t at = 0;
    if (!stream.started) {
        stream.started = true;
        stream.synSeen = syn;
        stream.isn = segment.sequence;
        // The SYN takes one sequence number; without one, the first byte seen is where we join.
        stream.next = FirstOffset + segment.sequence + (syn ? 1 : 0);
    }
    // Unwrap the 32-bit sequence number to the absolute offset nearest `next` (RFC 1982 style).
    const auto delta = std::int32_t(segment.sequence - quint32(stream.next));
    at = stream.next + std::uint64_t(std::int64_t(delta)) + (syn ? 1 : 0);
    const std::uint64_t length = std::uint64_t(segment.payload.size()) + segment.missingPayload;
    if ((segment.flags & tcpflags::Fin) != 0 && !stream.finSeen) {
        stream.finSeen = true;
        stream.finAt = at + length;
    }

    if (length > 0 && at + length > stream.next) {
        if (at <= stream.next && stream.pending.empty()) {
            // The common case, in order: straight to the handler, no copy.
            const std::uint64_t skip = stream.next - at;
            QByteArrayView bytes = segment.payload;
            std::uint64_t lost = segment.missingPayload;
            if (skip < std::uint64_t(bytes.size())) {
                bytes = bytes.sliced(qsizetype(skip));
            } else {
                lost -= skip - std::uint64_t(bytes.size());
                bytes = {};
            }
            if (!bytes.isEmpty() && m_handlers.data)
                m_handlers.data(state.connection.id, fromClient, bytes, timestampUs);
            if (lost > 0 && m_handlers.gap)
                m_handlers.gap(state.connection.id, fromClient, lost, timestampUs);
            stream.next += std::uint64_t(bytes.size()) + lost;
        } else {
            insert(stream, at, segment.payload, 0);
            if (segment.missingPayload > 0)
                insert(stream, at + std::uint64_t(segment.payload.size()), {}, segment.missingPayload);
            drain(state, fromClient, timestampUs);
            enforceLimit(state, fromClient, timestampUs);
        }
    }

    if ((segment.flags & tcpflags::Rst) != 0) {
        close(state, true, timestampUs);
        return;
    }
    const auto finished = [](const Stream &s) { return s.finSeen && s.next >= s.finAt && s.pending.empty(); };
    if (finished(state.toServer) && finished(state.toClient))
        close(state, false, timestampUs);
}

void TcpReassembler::insert(Stream &stream, std::uint64_t at, QByteArrayView bytes, std::uint64_t lost)
{
    // Only the parts no earlier copy holds are kept: the first copy wins.
    std::uint64_t start = std::max(at, stream.next);
    const std::uint64_t end = at + (lost > 0 ? lost : std::uint64_t(bytes.size()));
    auto it = stream.pending.upper_bound(start);
    if (it != stream.pending.begin()) {
        const auto before = std::prev(it);
        start = std::max(start, before->first + before->second.length());
    }
    while (start < end) {
        const std::uint64_t stop = it == stream.pending.end() ? end : std::min(end, it->first);
        if (start < stop) {
            Piece piece;
            if (lost > 0)
                piece.lost = stop - start;
            else
                piece.bytes = bytes.sliced(qsizetype(start - at), qsizetype(stop - start)).toByteArray();
            stream.pendingBytes += pieceCost(std::size_t(piece.bytes.size()));
            stream.pending.emplace_hint(it, start, std::move(piece));
        }
        if (it == stream.pending.end())
            break;
        start = std::max(start, it->first + it->second.length());
        ++it;
    }
}

void TcpReassembler::drain(State &state, bool fromClient, std::int64_t timestampUs) const
{
    Stream &stream = fromClient ? state.toServer : state.toClient;
    while (!stream.pending.empty() && stream.pending.begin()->first <= stream.next) {
        auto node = stream.pending.extract(stream.pending.begin());
        Piece &piece = node.mapped();
        stream.pendingBytes -= pieceCost(std::size_t(piece.bytes.size()));
        const std::uint64_t end = node.key() + piece.length();
        if (end <= stream.next)
            continue;
        const std::uint64_t skip = stream.next - node.key();
        if (piece.lost > 0) {
            if (m_handlers.gap)
                m_handlers.gap(state.connection.id, fromClient, piece.lost - skip, timestampUs);
        } else if (m_handlers.data) {
            m_handlers.data(state.connection.id, fromClient,
                QByteArrayView(piece.bytes).sliced(qsizetype(skip)), timestampUs);
        }
        stream.next = end;
    }
}

void TcpReassembler::enforceLimit(State &state, bool fromClient, std::int64_t timestampUs)
{
    Stream &stream = fromClient ? state.toServer : state.toClient;
    // Give up on the first hole: it becomes a gap and what waited behind it is delivered.
    while (stream.pendingBytes > m_limits.maxBufferedBytesPerDirection && !stream.pending.empty()) {
        const std::uint64_t holeEnd = stream.pending.begin()->first;
        if (m_handlers.gap)
            m_handlers.gap(state.connection.id, fromClient, holeEnd - stream.next, timestampUs);
        stream.next = holeEnd;
        drain(state, fromClient, timestampUs);
    }
}

void TcpReassembler::flush(State &state, bool fromClient, std::int64_t timestampUs)
{
    Stream &stream = fromClient ? state.toServer : state.toClient;
    while (!stream.pending.empty()) {
        const std::uint64_t holeEnd = stream.pending.begin()->first;
        if (m_handlers.gap)
            m_handlers.gap(state.connection.id, fromClient, holeEnd - stream.next, timestampUs);
        stream.next = holeEnd;
        drain(state, fromClient, timestampUs);
    }
    // Bytes the FIN says were sent but never arrived.
    if (stream.finSeen && stream.finAt > stream.next) {
        if (m_handlers.gap)
            m_handlers.gap(state.connection.id, fromClient, stream.finAt - stream.next, timestampUs);
        stream.next = stream.finAt;
    }
}

void TcpReassembler::close(State &state, bool reset, std::int64_t timestampUs)
{
    flush(state, true, timestampUs);
    flush(state, false, timestampUs);
    state.closed = true;
    state.toServer = Stream();
    state.toClient = Stream();
    if (m_handlers.closed)
        m_handlers.closed(state.connection.id, reset, timestampUs);
}

void TcpReassembler::finish(std::int64_t timestampUs)
{
    std::vector<State *> open;
    for (auto &[key, state] : m_connections) {
        if (!state.closed)
            open.push_back(&state);
    }
    std::sort(open.begin(), open.end(),
        [](const State *a, const State *b) { return a->connection.id < b->connection.id; });
    for (State *state : open)
        close(*state, false, timestampUs);
    m_last = nullptr;
    m_connections.clear();
    m_lru.clear();
}

} // namespace zmqscope
