#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>
#include <QStringView>

#include <zmqscope/names.h>
#include <zmqscope/store/messagestore.h> // Direction

namespace zmqscope {

/// How a socket's messages take part in request/reply pairing (issue 18).
enum class PairingRole : std::uint8_t
{
    None, ///< not a request/reply socket (PUB, SUB, PUSH, PULL, PAIR, ...): not paired
    Client, ///< our REQ or DEALER: what it sends are requests, what it receives replies
    Server, ///< our REP: what it receives are requests, what it sends replies
    Router, ///< our ROUTER: as Server, per client (the routing frames before the envelope)
    Conversation, ///< a tap or a wire connection whose clients are REQ or DEALER: c2s requests, s2c replies
};

/// The role of one of our own sockets of `type`.
[[nodiscard]] PairingRole pairingRoleFor(SocketType type);
/// The role of a tap's or a packet capture's message whose sender has socket type `senderType` (a
/// line's "type", any case): Conversation for REQ and DEALER (c2s) and REP and ROUTER (s2c), the
/// request/reply patterns; None otherwise.
[[nodiscard]] PairingRole conversationRoleFor(QStringView senderType);

/// One message as the pairer sees it: views the caller keeps alive during RequestPairer::add().
struct PairingMessage
{
    std::uint64_t number = 0; ///< the caller's message number (a store sequence, a file position)
    std::int64_t timestampUs = 0;
    std::uint32_t socket = 0; ///< the caller's key for the socket or connection
    PairingRole role = PairingRole::None;
    Direction direction = Direction::In;
    std::span<const QByteArrayView> frames;
    QByteArrayView peer; ///< a tap's routing id of the client
};

/// A request and, once it came, its reply.
struct RequestPair
{
    std::uint64_t request = 0; ///< the request's PairingMessage::number
    std::int64_t requestUs = 0;
    std::uint64_t reply = 0; ///< the reply's number; meaningful only when answered
    std::int64_t replyUs = 0;
    bool answered = false;
    std::uint32_t socket = 0;
    QByteArray id; ///< the request's envelope id; empty for a raw request
    /// The client inside the socket: a tap's peer, or our ROUTER's routing frames joined by '|';
    /// empty for one-client sockets.
    QByteArray client;

    /// Reply time minus request time, in microseconds (0 while unanswered).
    [[nodiscard]] std::int64_t latencyUs() const { return answered ? replyUs - requestUs : 0; }
};

/// Where a request stands at a given time.
enum class PairState : std::uint8_t
{
    Answered,
    Pending, ///< no reply yet, younger than the timeout
    TimedOut, ///< no reply, and older than the timeout
};

[[nodiscard]] PairState pairState(const RequestPair &pair, std::int64_t nowUs, std::int64_t timeoutUs);

/// Latency figures over answered requests (nearest-rank percentiles).
struct LatencySummary
{
    std::uint64_t requests = 0;
    std::uint64_t answered = 0;
    std::uint64_t unanswered = 0;
    std::optional<std::int64_t> p50Us; ///< empty when nothing was answered
    std::optional<std::int64_t> p90Us;
    std::optional<std::int64_t> p99Us;
    std::optional<std::int64_t> maxUs;
};

/// A latency for people: "850 µs", "12.3 ms", "2.10 s".
[[nodiscard]] QString latencyText(std::int64_t us);

/// The nearest-rank percentile `percent` (0 < percent <= 100) of `sorted` (ascending), empty for none.
[[nodiscard]] std::optional<std::int64_t> nearestRank(std::span<const std::int64_t> sorted, double percent);

/**
 * Pairs requests with their replies as messages arrive, in the order they were seen (issue 18):
 * REQ/REP strictly alternating per socket; DEALER by envelope id when the reply carries the
 * request's id, else in order; ROUTER per client by its routing frames; taps per client connection
 * (peer) and packet captures per connection. A reply that fits no waiting request is counted
 * (unmatchedReplies()), never paired by guess.
 *
 * Cost per message: the envelope layout, one hash lookup, and for requests a copy of the id.
 * Memory: one RequestPair per request plus an index entry per waiting request.
 */
class RequestPairer
{
public:
    /// What one add() did.
    struct Update
    {
        enum class Kind : std::uint8_t
        {
            Ignored, ///< not a request/reply message
            Request, ///< a new request: pairs()[pair]
            Reply, ///< pairs()[pair] got its reply
            UnmatchedReply, ///< a reply no waiting request fits
        };
        Kind kind = Kind::Ignored;
        std::size_t pair = 0;
    };

    Update add(const PairingMessage &message);
    [[nodiscard]] const std::vector<RequestPair> &pairs() const { return m_pairs; }
    [[nodiscard]] std::uint64_t unmatchedReplies() const { return m_unmatchedReplies; }
    /// Requests, answered, unanswered and the latency percentiles of everything added.
    [[nodiscard]] LatencySummary summary() const;
    /// summary() of one socket's requests only.
    [[nodiscard]] LatencySummary summary(std::uint32_t socket) const;
    void clear();

private:
    static constexpr std::size_t NoPair = std::size_t(-1);
    struct IdChain
    {
        std::size_t head = NoPair;
        std::size_t tail = NoPair;
    };
    /// Looks ids up by view, without building a QByteArray per reply.
    struct IdHash
    {
        using is_transparent = void;
        std::size_t operator()(QByteArrayView id) const noexcept { return qHash(id); }
    };
    struct Conversation
    {
        std::deque<std::size_t> waiting; ///< requests in order; answered ones are skipped lazily
        /// The first waiting request of each id, chained by m_nextSameId; keys share the pairs' ids.
        std::unordered_map<QByteArray, IdChain, IdHash, std::equal_to<>> byId;
    };

    Conversation &conversationFor(std::uint32_t socket, const QByteArray &client);
    std::optional<std::size_t> takeWaiting(Conversation &conversation, QByteArrayView id);

    std::vector<RequestPair> m_pairs;
    std::vector<std::size_t> m_nextSameId; ///< per pair: the next request with its id, or npos
    /// By socket key and client; node-based, so a Conversation stays where it is.
    std::unordered_map<std::uint32_t, std::unordered_map<QByteArray, Conversation, IdHash, std::equal_to<>>>
        m_conversations;
    // The conversation of the last message: most messages continue it.
    Conversation *m_last = nullptr;
    std::uint32_t m_lastSocket = 0;
    QByteArray m_lastClient;
    std::uint64_t m_unmatchedReplies = 0;
};

} // namespace zmqscope
