#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <zmqscope/analysis/messagediff.h>
#include <zmqscope/envelope.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

QString jsonChangeKindName(JsonChange::Kind kind)
{
    switch (kind) {
    case JsonChange::Kind::Added:
        return u"added"_s;
    case JsonChange::Kind::Removed:
        return u"removed"_s;
    case JsonChange::Kind::Changed:
        break;
    }
    return u"changed"_s;
}

namespace {

bool isIdentifier(QStringView key)
{
    if (key.isEmpty())
        return false;
    const auto isLetter
        = [](QChar c) { return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_'; };
    if (!isLetter(key.front()))
        return false;
    return std::all_of(
        key.begin(), key.end(), [&isLetter](QChar c) { return isLetter(c) || (c >= u'0' && c <= u'9'); });
}

/// Walks two values side by side, collecting changes until the limit, counting the rest.
class JsonDiffer
{
public:
    explicit JsonDiffer(const DiffLimits &limits)
        : m_limits(limits)
    { }

    JsonDiff take() { return std::move(m_diff); }

    void compare(const QJsonValue &older, const QJsonValue &newer, int depth)
    {
        if (older.type() != newer.type()) {
            add(JsonChange::Kind::Changed, older, newer);
            return;
        }
        if (older.isObject() || older.isArray()) {
            // Past the depth bound a container is one value: equal or changed as a whole.
            if (depth >= m_limits.maxDepth) {
                if (older != newer) {
                    m_diff.depthLimited = true;
                    add(JsonChange::Kind::Changed, older, newer);
                }
                return;
            }
            if (older.isObject())
                compareObjects(older.toObject(), newer.toObject(), depth + 1);
            else
                compareArrays(older.toArray(), newer.toArray(), depth + 1);
            return;
        }
        if (older != newer)
            add(JsonChange::Kind::Changed, older, newer);
    }

private:
    void compareObjects(const QJsonObject &older, const QJsonObject &newer, int depth)
    {
        // QJsonObject keeps its keys sorted: one merge pass over both.
        auto o = older.constBegin();
        auto n = newer.constBegin();
        while (o != older.constEnd() || n != newer.constEnd()) {
            const qsizetype pathLength = m_path.size();
            if (n == newer.constEnd() || (o != older.constEnd() && o.key() < n.key())) {
                m_path = appendJsonPathKey(m_path, o.key());
                add(JsonChange::Kind::Removed, o.value(), QJsonValue(QJsonValue::Undefined));
                ++o;
            } else if (o == older.constEnd() || n.key() < o.key()) {
                m_path = appendJsonPathKey(m_path, n.key());
                add(JsonChange::Kind::Added, QJsonValue(QJsonValue::Undefined), n.value());
                ++n;
            } else {
                m_path = appendJsonPathKey(m_path, o.key());
                compare(o.value(), n.value(), depth);
                ++o;
                ++n;
            }
            m_path.truncate(pathLength);
        }
    }

    void compareArrays(const QJsonArray &older, const QJsonArray &newer, int depth)
    {
        const qsizetype count = std::max(older.size(), newer.size());
        for (qsizetype i = 0; i < count; ++i) {
            const qsizetype pathLength = m_path.size();
            m_path += u'[' + QString::number(i) + u']';
            if (i >= newer.size())
                add(JsonChange::Kind::Removed, older.at(i), QJsonValue(QJsonValue::Undefined));
            else if (i >= older.size())
                add(JsonChange::Kind::Added, QJsonValue(QJsonValue::Undefined), newer.at(i));
            else
                compare(older.at(i), newer.at(i), depth);
            m_path.truncate(pathLength);
        }
    }

    void add(JsonChange::Kind kind, const QJsonValue &older, const QJsonValue &newer)
    {
        if (m_diff.changes.size() >= m_limits.maxChanges) {
            ++m_diff.omitted;
            return;
        }
        m_diff.changes.append({ m_path, kind, older, newer });
    }

    const DiffLimits &m_limits;
    JsonDiff m_diff;
    QString m_path;
};

/// Differing bytes closer than this join one range.
constexpr qsizetype JoinGap = 4;

/// Collects the ranges of all frames under one limit.
class RangeCollector
{
public:
    RangeCollector(BytesDiff &diff, const DiffLimits &limits)
        : m_diff(diff)
        , m_limits(limits)
    { }

    /// Adds [offset, offset + length) to frame's ranges, joined with the last one when close.
    void add(FrameDiff &frame, qsizetype offset, qsizetype length)
    {
        if (!frame.ranges.isEmpty()) {
            ByteRange &last = frame.ranges.last();
            if (offset - (last.offset + last.length) < JoinGap) {
                last.length = offset + length - last.offset;
                return;
            }
        }
        if (m_listed >= m_limits.maxChanges) {
            ++m_diff.omittedRanges;
            return;
        }
        ++m_listed;
        frame.ranges.append({ offset, length });
    }

private:
    BytesDiff &m_diff;
    const DiffLimits &m_limits;
    qsizetype m_listed = 0;
};

} // namespace

QString appendJsonPathKey(const QString &path, QStringView key)
{
    if (isIdentifier(key))
        return path.isEmpty() ? key.toString() : path + u'.' + key;
    // A one-element array's compact JSON text is exactly `["key"]`, escapes and all.
    const QByteArray quoted = QJsonDocument(QJsonArray { key.toString() }).toJson(QJsonDocument::Compact);
    return path + QString::fromUtf8(quoted);
}

JsonDiff diffJson(const QJsonValue &older, const QJsonValue &newer, const DiffLimits &limits)
{
    JsonDiffer differ(limits);
    differ.compare(older, newer, 0);
    return differ.take();
}

BytesDiff diffFrames(
    std::span<const QByteArrayView> older, std::span<const QByteArrayView> newer, const DiffLimits &limits)
{
    BytesDiff diff;
    diff.oldFrameCount = int(older.size());
    diff.newFrameCount = int(newer.size());
    RangeCollector ranges(diff, limits);
    const std::size_t count = std::max(older.size(), newer.size());
    for (std::size_t i = 0; i < count; ++i) {
        FrameDiff frame;
        frame.frame = int(i);
        if (i >= newer.size() || i >= older.size()) {
            const QByteArrayView only = i < older.size() ? older[i] : newer[i];
            (i < older.size() ? frame.oldSize : frame.newSize) = only.size();
            if (!only.isEmpty())
                ranges.add(frame, 0, only.size());
            diff.frames.append(std::move(frame));
            continue;
        }
        const QByteArrayView a = older[i];
        const QByteArrayView b = newer[i];
        frame.oldSize = a.size();
        frame.newSize = b.size();
        const qsizetype common = std::min(a.size(), b.size());
        const auto mismatch = std::mismatch(a.begin(), a.begin() + common, b.begin());
        frame.firstDifference = mismatch.first - a.begin();
        if (frame.firstDifference == common && a.size() == b.size())
            continue; // equal frames are not listed
        qsizetype at = frame.firstDifference;
        while (at < common) {
            if (a[at] == b[at]) {
                ++at;
                continue;
            }
            const qsizetype start = at;
            while (at < common && a[at] != b[at])
                ++at;
            ranges.add(frame, start, at - start);
        }
        if (a.size() != b.size())
            ranges.add(frame, common, std::max(a.size(), b.size()) - common);
        diff.frames.append(std::move(frame));
    }
    return diff;
}

namespace {

/// One side of diffMessages(): its value when it decodes, else why not.
struct DiffSide
{
    std::optional<QJsonValue> value;
    QString format;
    QString failure;
};

DiffSide decodeSide(
    const FilterSubject &subject, const DecoderSet &decoders, const DiffLimits &limits, const QString &which)
{
    DiffSide side;
    const auto tooBig = [&](qsizetype size) {
        side.failure = u"the %1 body is %2, over the %3 decoded for a diff"_s.arg(which,
            QLocale::c().formattedDataSize(size, 1, QLocale::DataSizeIecFormat),
            QLocale::c().formattedDataSize(limits.maxDecodeBytes, 0, QLocale::DataSizeIecFormat));
    };
    if (const std::optional<DecodedPayload> chosen = decoders.choose(subject)) {
        const qsizetype size = subject.frames[std::size_t(chosen->frame)].size();
        if (size > limits.maxDecodeBytes) {
            tooBig(size);
            return side;
        }
        const std::optional<DecodedPayload> decoded = decoders.decode(subject);
        if (decoded && decoded->value) {
            side.value = *decoded->value;
            side.format = decoded->title();
        } else if (decoded) {
            side.failure = u"the %1 body does not decode: %2"_s.arg(which, decoded->value.errorMessage());
        }
        return side;
    }
    const EnvelopeLayout layout = envelopeLayout(qsizetype(subject.frames.size()),
        [&subject](qsizetype i) { return subject.frames[std::size_t(i)].size(); });
    if (layout.kind == MessageKind::Raw) {
        side.failure = u"the %1 message is a raw message"_s.arg(which);
        return side;
    }
    const QByteArrayView body
        = subject.frames[std::size_t(EnvelopeLayout::bodyIndex(qsizetype(subject.frames.size())))];
    if (body.size() > limits.maxDecodeBytes) {
        tooBig(body.size());
        return side;
    }
    Result<QJsonValue> json = decodePayload(PayloadFormat::Json, body);
    if (json) {
        side.value = *json;
        side.format = payloadFormatTitle(PayloadFormat::Json);
    } else {
        side.failure = u"the %1 body is not JSON"_s.arg(which);
    }
    return side;
}

} // namespace

MessageDiff diffMessages(const FilterSubject &older, const FilterSubject &newer, const DecoderSet &decoders,
    const DiffLimits &limits)
{
    MessageDiff diff;
    const DiffSide a = decodeSide(older, decoders, limits, u"older"_s);
    const DiffSide b = a.value ? decodeSide(newer, decoders, limits, u"newer"_s) : DiffSide {};
    if (a.value && b.value) {
        diff.decoded = true;
        diff.olderFormat = a.format;
        diff.newerFormat = b.format;
        diff.json = diffJson(*a.value, *b.value, limits);
        return diff;
    }
    diff.bytesReason = a.value ? b.failure : a.failure;
    diff.bytes = diffFrames(older.frames, newer.frames, limits);
    return diff;
}

} // namespace zmqscope
