#include <algorithm>
#include <cmath>

#include <zmqscope/analysis/messageparts.h>
#include <zmqscope/analysis/requestpairing.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

/// Whether this message of a socket in `role` is a request (true), a reply (false), or neither.
std::optional<bool> isRequest(PairingRole role, Direction direction)
{
    switch (role) {
    case PairingRole::None:
        return std::nullopt;
    case PairingRole::Client:
        if (direction == Direction::Out)
            return true;
        if (direction == Direction::In)
            return false;
        return std::nullopt;
    case PairingRole::Server:
    case PairingRole::Router:
        if (direction == Direction::In)
            return true;
        if (direction == Direction::Out)
            return false;
        return std::nullopt;
    case PairingRole::Conversation:
        if (direction == Direction::ClientToServer)
            return true;
        if (direction == Direction::ServerToClient)
            return false;
        return std::nullopt;
    }
    return std::nullopt;
}

LatencySummary summarise(const std::vector<RequestPair> &pairs, const std::optional<std::uint32_t> &socket)
{
    LatencySummary summary;
    std::vector<std::int64_t> latencies;
    for (const RequestPair &pair : pairs) {
        if (socket && pair.socket != *socket)
            continue;
        ++summary.requests;
        if (pair.answered)
            latencies.push_back(pair.latencyUs());
    }
    summary.answered = latencies.size();
    summary.unanswered = summary.requests - summary.answered;
    std::sort(latencies.begin(), latencies.end());
    summary.p50Us = nearestRank(latencies, 50);
    summary.p90Us = nearestRank(latencies, 90);
    summary.p99Us = nearestRank(latencies, 99);
    summary.maxUs = nearestRank(latencies, 100);
    return summary;
}

} // namespace

PairingRole pairingRoleFor(SocketType type)
{
    switch (type) {
    case SocketType::Req:
    case SocketType::Dealer:
        return PairingRole::Client;
    case SocketType::Rep:
        return PairingRole::Server;
    case SocketType::Router:
        return PairingRole::Router;
    default:
        return PairingRole::None;
    }
}

PairingRole conversationRoleFor(QStringView senderType)
{
    for (const QStringView type : { u"REQ", u"DEALER", u"REP", u"ROUTER" }) {
        if (senderType.compare(type, Qt::CaseInsensitive) == 0)
            return PairingRole::Conversation;
    }
    return PairingRole::None;
}

PairState pairState(const RequestPair &pair, std::int64_t nowUs, std::int64_t timeoutUs)
{
    if (pair.answered)
        return PairState::Answered;
    return nowUs - pair.requestUs > timeoutUs ? PairState::TimedOut : PairState::Pending;
}

QString latencyText(std::int64_t us)
{
    const std::int64_t size = us < 0 ? -us : us;
    if (size < 1000)
        return u"%1 µs"_s.arg(us);
    if (size < 1'000'000)
        return u"%1 ms"_s.arg(double(us) / 1e3, 0, 'f', size < 10'000 ? 2 : 1);
    return u"%1 s"_s.arg(double(us) / 1e6, 0, 'f', 2);
}

std::optional<std::int64_t> nearestRank(std::span<const std::int64_t> sorted, double percent)
{
    if (sorted.empty())
        return std::nullopt;
    const auto rank = std::size_t(std::ceil(percent / 100.0 * double(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

RequestPairer::Update RequestPairer::add(const PairingMessage &message)
{
    const std::optional<bool> request = isRequest(message.role, message.direction);
    if (!request)
        return {};
    const QByteArrayView id = envelopeIdOf(message.frames);

    // The conversation: the socket, and inside it the client (a tap's peer, our ROUTER's routing
    // frames: those of a routed envelope, or the first frame of a raw message).
    QByteArray client;
    if (message.role == PairingRole::Router) {
        const qsizetype count = qsizetype(message.frames.size());
        const EnvelopeLayout layout
            = envelopeLayout(count, [&](qsizetype i) { return message.frames[std::size_t(i)].size(); });
        const qsizetype routes = layout.kind == MessageKind::RoutedEnvelope ? layout.requestFrames
            : count > 0                                                     ? 1
                                                                            : 0;
        for (qsizetype i = 0; i < routes; ++i) {
            if (i > 0)
                client += '|';
            client += message.frames[std::size_t(i)].toByteArray().toHex();
        }
    } else if (!message.peer.isEmpty()) {
        client = message.peer.toByteArray().toHex();
    }

    if (*request) {
        Conversation &conversation = conversationFor(message.socket, client);
        const std::size_t index = m_pairs.size();
        RequestPair &pair = m_pairs.emplace_back();
        pair.request = message.number;
        pair.requestUs = message.timestampUs;
        pair.socket = message.socket;
        pair.id = id.toByteArray();
        pair.client = client;
        m_nextSameId.push_back(NoPair);
        conversation.waiting.push_back(index);
        const auto [chain, inserted] = conversation.byId.try_emplace(pair.id, IdChain { index, index });
        if (!inserted) {
            m_nextSameId[chain->second.tail] = index;
            chain->second.tail = index;
        }
        return { Update::Kind::Request, index };
    }

    const auto socket = m_conversations.find(message.socket);
    if (socket == m_conversations.end() || !socket->second.contains(client)) {
        ++m_unmatchedReplies;
        return { Update::Kind::UnmatchedReply, 0 };
    }
    const std::optional<std::size_t> index = takeWaiting(conversationFor(message.socket, client), id);
    if (!index) {
        ++m_unmatchedReplies;
        return { Update::Kind::UnmatchedReply, 0 };
    }
    RequestPair &pair = m_pairs[*index];
    pair.answered = true;
    pair.reply = message.number;
    pair.replyUs = message.timestampUs;
    return { Update::Kind::Reply, *index };
}

RequestPairer::Conversation &RequestPairer::conversationFor(std::uint32_t socket, const QByteArray &client)
{
    if (m_last && m_lastSocket == socket && m_lastClient == client)
        return *m_last;
    m_last = &m_conversations[socket][client];
    m_lastSocket = socket;
    m_lastClient = client;
    return *m_last;
}

std::optional<std::size_t> RequestPairer::takeWaiting(Conversation &conversation, QByteArrayView id)
{
    // The first waiting request with the reply's id, when there is one.
    if (const auto chain = conversation.byId.find(id); chain != conversation.byId.end()) {
        std::size_t index = chain->second.head;
        while (index != NoPair && m_pairs[index].answered)
            index = m_nextSameId[index];
        if (index != NoPair) {
            chain->second.head = m_nextSameId[index];
            if (chain->second.head == NoPair)
                conversation.byId.erase(chain);
            return index;
        }
        conversation.byId.erase(chain);
    }
    // Else the oldest waiting request.
    while (!conversation.waiting.empty()) {
        const std::size_t index = conversation.waiting.front();
        conversation.waiting.pop_front();
        if (!m_pairs[index].answered)
            return index;
    }
    return std::nullopt;
}

LatencySummary RequestPairer::summary() const
{
    return summarise(m_pairs, std::nullopt);
}

LatencySummary RequestPairer::summary(std::uint32_t socket) const
{
    return summarise(m_pairs, socket);
}

void RequestPairer::clear()
{
    m_pairs.clear();
    m_nextSameId.clear();
    m_conversations.clear();
    m_last = nullptr;
    m_lastClient.clear();
    m_unmatchedReplies = 0;
}

} // namespace zmqscope
