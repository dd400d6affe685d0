#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QJsonValue>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/store/messagestore.h> // Direction

namespace zmqscope {

/// What makes a stream of sequence numbers (issue 18): the socket and the envelope id, or the socket.
enum class SequenceStreams : std::uint8_t
{
    BySocketAndId,
    BySocket,
};

/// One irregularity in a stream.
struct SequenceFinding
{
    enum class Kind : std::uint8_t
    {
        Gap, ///< numbers were skipped: `missing` of them, after `after` came `got`
        Duplicate, ///< `got` was seen before
        Reordered, ///< `got` is lower than the highest seen, and fills a gap reported earlier
    };
    Kind kind = Kind::Gap;
    std::size_t stream = 0; ///< index into SequenceChecker::streams()
    std::uint64_t number = 0; ///< the caller's number of the message that showed it
    std::int64_t after = 0; ///< for a gap the highest number before it; else the stream's previous number
    std::int64_t got = 0;
    std::uint64_t missing = 0; ///< gaps only
};

/// "gap", "duplicate", "reordered".
[[nodiscard]] QByteArrayView sequenceFindingName(SequenceFinding::Kind kind);

/// One stream and what was found in it.
struct SequenceStream
{
    std::uint32_t socket = 0; ///< the caller's socket key
    Direction direction = Direction::In;
    QByteArray id; ///< empty for SequenceStreams::BySocket (and for raw messages)
    std::uint64_t messages = 0;
    std::int64_t first = 0;
    std::int64_t highest = 0;
    std::int64_t last = 0;
    std::uint64_t gaps = 0; ///< gap findings
    std::uint64_t duplicates = 0;
    std::uint64_t reordered = 0;
    std::uint64_t missing = 0; ///< numbers skipped and not seen since (late arrivals fill gaps back)
};

struct SequenceSummary
{
    std::uint64_t streams = 0;
    std::uint64_t messages = 0; ///< messages that had the field
    std::uint64_t missing = 0; ///< numbers never seen: the gaps less the late (reordered) arrivals
    std::uint64_t duplicates = 0;
    std::uint64_t reordered = 0;
    std::uint64_t withoutField = 0; ///< messages whose body has no integer at the field
};

/**
 * Finds gaps, duplicates and reordering in a sequence field (issue 18): each stream's numbers should
 * go up by one. A number above the highest seen + 1 is a gap (the numbers between are missing); a
 * number at or below the highest is reordered when it fills a gap (then it is no longer missing) and
 * a duplicate otherwise. Each stream keeps its open gaps as ranges, so memory follows the gaps, not
 * the messages.
 */
class SequenceChecker
{
public:
    explicit SequenceChecker(SequenceStreams streams = SequenceStreams::BySocketAndId);

    /// The sequence number in a JSON value: an integer (a number without fraction, within ±2^53).
    [[nodiscard]] static std::optional<std::int64_t> sequenceNumber(const QJsonValue &value);

    /// One message with its number; the finding, when it shows one.
    std::optional<SequenceFinding> add(std::uint64_t number, std::uint32_t socket, Direction direction,
        QByteArrayView id, std::int64_t value);
    /// One message without the field (counted).
    void addWithoutField() { ++m_withoutField; }
    /**
     * One message as it is: `field` read from its JSON (DecoderSet::json(): decoded, or the body as
     * JSON text), the stream from its socket, direction and envelope id; a message without an integer
     * there is counted as without the field.
     */
    std::optional<SequenceFinding> addMessage(std::uint64_t number, std::uint32_t socket,
        const FilterSubject &message, const JsonPath &field, const DecoderSet &decoders);

    [[nodiscard]] const std::vector<SequenceStream> &streams() const { return m_streams; }
    [[nodiscard]] SequenceSummary summary() const;
    void clear();

private:
    struct Holes
    {
        std::map<std::int64_t, std::int64_t> ranges; ///< first missing -> last missing
    };

    SequenceStreams m_by;
    std::vector<SequenceStream> m_streams;
    std::vector<Holes> m_holes; ///< per stream
    QHash<QByteArray, std::size_t> m_index; ///< stream key -> index
    std::uint64_t m_withoutField = 0;
    /// The field of addMessage() as the text scanner takes it (made once per field).
    struct ScanPath;
    std::shared_ptr<ScanPath> m_scanPath;
};

} // namespace zmqscope
