#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QHash>
#include <QSet>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/analysis/requestpairing.h>
#include <zmqscope/analysis/sequencecheck.h>
#include <zmqscope/store/messagestore.h>

namespace zmqscope {

/// What one StoreAnalyzer::update() found: the new requests, the earlier ones that got their reply,
/// the new sequence findings, and the totals so far.
struct AnalysisDelta
{
    std::size_t firstNewPair = 0; ///< the index of newPairs.front() among all pairs
    std::vector<RequestPair> newPairs; ///< requests seen in this update (some answered already)
    /// Requests of earlier updates answered in this one: their index and the pair as it is now.
    std::vector<std::pair<std::size_t, RequestPair>> answered;
    std::vector<SequenceFinding> findings; ///< in the order seen; SequenceFinding::stream indexes streams
    std::vector<SequenceStream> streams; ///< every stream so far, as it is now
    SequenceSummary sequences;
    std::uint64_t unmatchedReplies = 0; ///< so far
    /// Messages the store evicted before the analyzer read them (so far): what it could not see.
    std::uint64_t unseen = 0;
    std::uint64_t messagesRead = 0; ///< in this update
    std::uint64_t endSeq = 0; ///< the analyzer has read up to here
    [[nodiscard]] bool isEmpty() const
    {
        return newPairs.empty() && answered.empty() && findings.empty() && messagesRead == 0;
    }
};

/**
 * Pairs requests with replies and checks a sequence field over a MessageStore (issue 18), reading
 * the messages it has not read yet in bounded batches (MessageStore::visit: views, no copy), so the
 * app runs it off the GUI thread and hands each AnalysisDelta to its views. Which socket pairs how
 * comes from setRoles(); conversations (c2s/s2c of taps and packet captures) need a role too.
 *
 * Not thread-safe: one thread calls update() at a time (the store may be appended meanwhile).
 */
class StoreAnalyzer
{
public:
    explicit StoreAnalyzer(const MessageStore &store);

    /// The pairing role of each socket; sockets not listed are not paired. Takes effect for messages
    /// read from now on.
    void setRoles(QHash<SocketId, PairingRole> roles) { m_roles = std::move(roles); }
    /// Whether what was analysed so far stays what a fresh pass with `roles` would give: no socket
    /// loses or changes its role, and each socket that gains one had no message read yet (a socket
    /// just opened). The app then sets the roles and goes on; otherwise it sets them and reset()s.
    [[nodiscard]] bool rolesKeepAnalysis(const QHash<SocketId, PairingRole> &roles) const;
    /// The sequence field to check (none: no sequence check), and what makes a stream. Starts the
    /// sequence check over (findings so far are dropped; pairing keeps going).
    void setSequenceField(std::optional<JsonPath> field, SequenceStreams by = SequenceStreams::BySocketAndId);
    [[nodiscard]] const std::optional<JsonPath> &sequenceField() const { return m_field; }
    /// How bodies decode for the sequence field (the rules of the app's Decoders dialog).
    void setDecoders(DecoderSet decoders) { m_decoders = std::move(decoders); }

    /// Reads at most `maxMessages` messages the analyzer has not read yet.
    [[nodiscard]] AnalysisDelta update(std::uint64_t maxMessages = 100'000);
    /// Forgets everything and starts again from the oldest message held.
    void reset();

    [[nodiscard]] const RequestPairer &pairer() const { return m_pairer; }
    [[nodiscard]] const SequenceChecker &sequences() const { return m_checker; }
    [[nodiscard]] std::uint64_t endSeq() const { return m_next; }

private:
    const MessageStore &m_store;
    QHash<SocketId, PairingRole> m_roles;
    QSet<SocketId> m_readWithoutRole; ///< sockets with messages read while they had no role
    SocketId m_lastWithoutRole = 0; ///< the last one added there (0 is no socket)
    std::optional<JsonPath> m_field;
    SequenceStreams m_by = SequenceStreams::BySocketAndId;
    DecoderSet m_decoders;
    RequestPairer m_pairer;
    SequenceChecker m_checker;
    std::uint64_t m_next = 0;
    std::uint64_t m_unseen = 0;
    bool m_started = false;
};

} // namespace zmqscope
