#include <zmqscope/analysis/storeanalyzer.h>

namespace zmqscope {

StoreAnalyzer::StoreAnalyzer(const MessageStore &store)
    : m_store(store)
{ }

void StoreAnalyzer::setSequenceField(std::optional<JsonPath> field, SequenceStreams by)
{
    m_field = std::move(field);
    m_by = by;
    m_checker = SequenceChecker(by);
}

bool StoreAnalyzer::rolesKeepAnalysis(const QHash<SocketId, PairingRole> &roles) const
{
    for (auto it = m_roles.cbegin(); it != m_roles.cend(); ++it)
        if (roles.value(it.key(), PairingRole::None) != it.value())
            return false;
    for (auto it = roles.cbegin(); it != roles.cend(); ++it)
        if (!m_roles.contains(it.key()) && it.value() != PairingRole::None
            && m_readWithoutRole.contains(it.key()))
            return false;
    return true;
}

void StoreAnalyzer::reset()
{
    m_readWithoutRole.clear();
    m_lastWithoutRole = 0;
    m_pairer.clear();
    m_checker = SequenceChecker(m_by);
    m_started = false;
    m_unseen = 0;
}

AnalysisDelta StoreAnalyzer::update(std::uint64_t maxMessages)
{
    AnalysisDelta delta;
    const std::uint64_t first = m_store.firstSeq();
    if (!m_started) {
        m_next = first;
        m_started = true;
    }
    if (m_next < first) {
        m_unseen += first - m_next; // evicted before we read them
        m_next = first;
    }
    const std::size_t pairsBefore = m_pairer.pairs().size();
    delta.firstNewPair = pairsBefore;
    const std::uint64_t end = std::min(m_store.endSeq(), m_next + maxMessages);
    std::uint64_t expected = m_next;
    m_next = m_store.visit(m_next, end, [&](const MessageView &message) {
        if (message.seq > expected)
            m_unseen += message.seq - expected; // evicted while we read
        expected = message.seq + 1;
        ++delta.messagesRead;
        const PairingRole role = m_roles.value(message.socket, PairingRole::None);
        if (role == PairingRole::None && message.socket != m_lastWithoutRole) {
            m_readWithoutRole.insert(message.socket);
            m_lastWithoutRole = message.socket;
        }
        if (role != PairingRole::None) {
            PairingMessage pairing;
            pairing.number = message.seq;
            pairing.timestampUs = message.timestampUs;
            pairing.socket = message.socket;
            pairing.role = role;
            pairing.direction = message.direction;
            pairing.frames = message.frames;
            pairing.peer = message.peer;
            const RequestPairer::Update update = m_pairer.add(pairing);
            if (update.kind == RequestPairer::Update::Kind::Reply && update.pair < pairsBefore)
                delta.answered.emplace_back(update.pair, m_pairer.pairs()[update.pair]);
        }
        if (m_field) {
            FilterSubject subject;
            subject.frames = message.frames;
            subject.direction = message.direction;
            subject.peer = message.peer;
            if (const auto finding
                = m_checker.addMessage(message.seq, message.socket, subject, *m_field, m_decoders))
                delta.findings.push_back(*finding);
        }
        return true;
    });
    const std::vector<RequestPair> &pairs = m_pairer.pairs();
    delta.newPairs.assign(pairs.begin() + std::ptrdiff_t(pairsBefore), pairs.end());
    if (m_field) {
        delta.streams = m_checker.streams();
        delta.sequences = m_checker.summary();
    }
    delta.unmatchedReplies = m_pairer.unmatchedReplies();
    delta.unseen = m_unseen;
    delta.endSeq = m_next;
    return delta;
}

} // namespace zmqscope
