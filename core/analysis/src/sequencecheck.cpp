#include <cmath>

#include <zmqscope/analysis/messageparts.h>
#include <zmqscope/analysis/sequencecheck.h>

#include "jsonscan_p.h"

namespace zmqscope {

QByteArrayView sequenceFindingName(SequenceFinding::Kind kind)
{
    switch (kind) {
    case SequenceFinding::Kind::Gap:
        return "gap";
    case SequenceFinding::Kind::Duplicate:
        return "duplicate";
    case SequenceFinding::Kind::Reordered:
        return "reordered";
    }
    return "gap";
}

SequenceChecker::SequenceChecker(SequenceStreams streams)
    : m_by(streams)
{ }

std::optional<std::int64_t> SequenceChecker::sequenceNumber(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    constexpr double Exact = 9007199254740992.0; // 2^53: every integer up to it is a double
    if (!std::isfinite(number) || std::trunc(number) != number || std::abs(number) > Exact)
        return std::nullopt;
    return std::int64_t(number);
}

std::optional<SequenceFinding> SequenceChecker::add(
    std::uint64_t number, std::uint32_t socket, Direction direction, QByteArrayView id, std::int64_t value)
{
    if (m_by == SequenceStreams::BySocket)
        id = {};
    QByteArray key;
    key.reserve(qsizetype(sizeof socket) + 1 + id.size());
    key.append(reinterpret_cast<const char *>(&socket), sizeof socket);
    key.append(char(direction));
    key.append(id);
    auto found = m_index.find(key);
    if (found == m_index.end()) {
        found = m_index.insert(key, m_streams.size());
        SequenceStream &stream = m_streams.emplace_back();
        stream.socket = socket;
        stream.direction = direction;
        stream.id = id.toByteArray();
        stream.messages = 1;
        stream.first = stream.highest = stream.last = value;
        m_holes.emplace_back();
        return std::nullopt;
    }
    const std::size_t index = *found;
    SequenceStream &stream = m_streams[index];
    Holes &holes = m_holes[index];
    ++stream.messages;
    SequenceFinding finding;
    finding.stream = index;
    finding.number = number;
    finding.got = value;
    finding.after = stream.last;
    const std::int64_t previous = stream.last;
    stream.last = value;
    if (value == stream.highest + 1) {
        stream.highest = value;
        return std::nullopt;
    }
    if (value > stream.highest) {
        finding.kind = SequenceFinding::Kind::Gap;
        finding.after = stream.highest;
        finding.missing = std::uint64_t(value - stream.highest - 1);
        holes.ranges.emplace(stream.highest + 1, value - 1);
        stream.highest = value;
        ++stream.gaps;
        stream.missing += finding.missing;
        return finding;
    }
    // At or below the highest: a late arrival when it falls in an open gap, else seen before.
    finding.after = previous;
    auto hole = holes.ranges.upper_bound(value);
    if (hole != holes.ranges.begin()) {
        --hole;
        const auto [start, end] = *hole;
        if (value >= start && value <= end) {
            holes.ranges.erase(hole);
            if (start < value)
                holes.ranges.emplace(start, value - 1);
            if (value < end)
                holes.ranges.emplace(value + 1, end);
            finding.kind = SequenceFinding::Kind::Reordered;
            ++stream.reordered;
            --stream.missing;
            return finding;
        }
    }
    finding.kind = SequenceFinding::Kind::Duplicate;
    ++stream.duplicates;
    return finding;
}

struct SequenceChecker::ScanPath
{
    JsonPath field;
    std::vector<filter::PathStep> steps;
};

std::optional<SequenceFinding> SequenceChecker::addMessage(std::uint64_t number, std::uint32_t socket,
    const FilterSubject &message, const JsonPath &field, const DecoderSet &decoders)
{
    // A JSON body (by its mimetype, a rule, or none) is read straight from its text where the scanner
    // is sure to agree with the parsed document; anything else is decoded and parsed.
    std::optional<std::int64_t> value;
    bool known = false;
    const std::optional<DecodedPayload> chosen = decoders.choose(message);
    if (!chosen || chosen->format == PayloadFormat::Json) {
        const QByteArrayView body
            = (chosen ? message.frames[std::size_t(chosen->frame)] : messageBodyOf(message.frames)).trimmed();
        if (!body.isEmpty() && (body.front() == '{' || body.front() == '[') && !field.steps().empty()) {
            if (!m_scanPath || !(m_scanPath->field == field)) {
                m_scanPath = std::make_shared<ScanPath>();
                m_scanPath->field = field;
                for (const JsonPath::Step &step : field.steps())
                    m_scanPath->steps.emplace_back(step.key, step.index);
            }
            const filter::JsonScalar scalar = filter::scanJsonPath(body, m_scanPath->steps);
            if (scalar.kind != filter::JsonScalar::Kind::Unsure) {
                known = true;
                if (scalar.kind == filter::JsonScalar::Kind::Number)
                    value = sequenceNumber(QJsonValue(scalar.number));
            }
        }
    }
    if (!known)
        value = sequenceNumber(field.valueIn(decoders.json(message)));
    if (!value) {
        addWithoutField();
        return std::nullopt;
    }
    return add(number, socket, message.direction, envelopeIdOf(message.frames), *value);
}

SequenceSummary SequenceChecker::summary() const
{
    SequenceSummary summary;
    summary.streams = m_streams.size();
    summary.withoutField = m_withoutField;
    for (const SequenceStream &stream : m_streams) {
        summary.messages += stream.messages;
        summary.missing += stream.missing;
        summary.duplicates += stream.duplicates;
        summary.reordered += stream.reordered;
    }
    return summary;
}

void SequenceChecker::clear()
{
    m_streams.clear();
    m_holes.clear();
    m_index.clear();
    m_withoutField = 0;
}

} // namespace zmqscope
