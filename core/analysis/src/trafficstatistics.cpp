#include "zmqscope/analysis/trafficstatistics.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <deque>
#include <map>
#include <unordered_map>

#include <QHashFunctions>

namespace zmqscope {

namespace {

constexpr std::int64_t SecondUs = 1'000'000;

std::int64_t floorTo(std::int64_t value, std::int64_t unit)
{
    const std::int64_t quotient = value / unit;
    return (quotient - (value % unit < 0 ? 1 : 0)) * unit;
}

/**
 * Counts of values in buckets an eighth of a power of two wide (exact below 16), so percentiles are
 * within 12.5 % whatever the range; plus the running mean and variance (Welford) for the jitter.
 */
class Histogram
{
public:
    static constexpr int Exact = 16;
    static constexpr int SubBits = 3;

    static std::size_t indexOf(std::uint64_t value)
    {
        if (value < Exact)
            return std::size_t(value);
        const int exponent = std::bit_width(value) - 1;
        const std::uint64_t sub = (value >> (exponent - SubBits)) & ((1u << SubBits) - 1);
        return Exact + std::size_t(exponent - 4) * (1u << SubBits) + std::size_t(sub);
    }
    static std::uint64_t lowerOf(std::size_t index)
    {
        if (index < Exact)
            return index;
        const int exponent = int((index - Exact) >> SubBits) + 4;
        const std::uint64_t sub = (index - Exact) & ((1u << SubBits) - 1);
        return ((std::uint64_t { 1 } << SubBits) + sub) << (exponent - SubBits);
    }

    void add(std::uint64_t value)
    {
        const std::size_t index = indexOf(value);
        if (index >= m_counts.size())
            m_counts.resize(index + 1);
        ++m_counts[index];
        m_min = m_count == 0 ? value : std::min(m_min, value);
        m_max = std::max(m_max, value);
        ++m_count;
        const double delta = double(value) - m_mean;
        m_mean += delta / double(m_count);
        m_m2 += delta * (double(value) - m_mean);
    }

    [[nodiscard]] std::uint64_t count() const { return m_count; }
    [[nodiscard]] std::uint64_t min() const { return m_min; }
    [[nodiscard]] std::uint64_t max() const { return m_max; }
    [[nodiscard]] double mean() const { return m_mean; }
    [[nodiscard]] double standardDeviation() const
    {
        return m_count == 0 ? 0 : std::sqrt(m_m2 / double(m_count));
    }

    /// Nearest rank: the value at rank ceil(percent / 100 * count).
    [[nodiscard]] std::uint64_t percentile(double percent) const
    {
        if (m_count == 0)
            return 0;
        const auto rank
            = std::max<std::uint64_t>(1, std::uint64_t(std::ceil(percent / 100 * double(m_count))));
        std::uint64_t seen = 0;
        for (std::size_t index = 0; index < m_counts.size(); ++index) {
            seen += m_counts[index];
            if (seen >= rank)
                return std::clamp(lowerOf(index), m_min, m_max);
        }
        return m_max;
    }

    /// Power-of-two buckets [0, 1), [1, 2), [2, 4), ... up to the largest value.
    [[nodiscard]] std::vector<HistogramBucket> octaves() const
    {
        std::vector<HistogramBucket> result;
        if (m_count == 0)
            return result;
        result.resize(std::size_t(std::bit_width(m_max)) + 1);
        for (std::size_t octave = 0; octave < result.size(); ++octave) {
            result[octave].lower = octave == 0 ? 0 : std::uint64_t { 1 } << (octave - 1);
            result[octave].upper = octave == 64 ? ~std::uint64_t { 0 } : std::uint64_t { 1 } << octave;
        }
        for (std::size_t index = 0; index < m_counts.size(); ++index)
            result[std::size_t(std::bit_width(lowerOf(index)))].count += m_counts[index];
        return result;
    }

private:
    std::vector<std::uint64_t> m_counts;
    std::uint64_t m_count = 0;
    std::uint64_t m_min = 0;
    std::uint64_t m_max = 0;
    double m_mean = 0;
    double m_m2 = 0;
};

/// Adds to the bucket starting at `startUs` in a list ordered by start, inserting it where it belongs.
template<typename Buckets> void addToBucket(Buckets &buckets, std::int64_t startUs, std::uint64_t bytes)
{
    auto it = buckets.end();
    // Timestamps mostly grow: the bucket is the last one or a new one after it.
    while (it != buckets.begin() && std::prev(it)->startUs > startUs)
        --it;
    if (it != buckets.begin() && std::prev(it)->startUs == startUs) {
        --it;
    } else {
        it = buckets.insert(it, RateBucket { startUs, 0, 0 });
    }
    ++it->messages;
    it->bytes += bytes;
}

/// What one row counts.
struct Entry
{
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    std::array<std::uint64_t, 4> byDirection {};
    std::int64_t firstUs = 0;
    std::int64_t lastUs = 0;
    std::int64_t previousUs = 0; ///< the time of the message before, in arrival order
    Histogram sizes;
    Histogram intervals;
    std::deque<RateBucket> rolling; ///< per second, only seconds with messages
    std::vector<RateBucket> session; ///< TrafficStatisticsPrivate::sessionBucketUs wide
};

struct IdHash
{
    using is_transparent = void;
    std::size_t operator()(QByteArrayView id) const noexcept { return qHash(id); }
};
struct IdEqual
{
    using is_transparent = void;
    bool operator()(QByteArrayView a, QByteArrayView b) const noexcept { return a == b; }
};

struct SocketStats
{
    Entry total;
    Entry noId;
    Entry otherIds;
    std::unordered_map<QByteArray, Entry, IdHash, IdEqual> ids;
};

} // namespace

bool operator<(const TrafficKey &a, const TrafficKey &b)
{
    if (a.socket != b.socket)
        return a.socket < b.socket;
    if (a.kind != b.kind)
        return a.kind < b.kind;
    return a.id < b.id;
}

class TrafficStatisticsPrivate
{
public:
    explicit TrafficStatisticsPrivate(TrafficStatistics::Limits givenLimits)
        : limits(givenLimits)
    { }

    void count(Entry &entry, Direction direction, std::int64_t timestampUs, std::uint64_t bytes) const
    {
        if (entry.messages == 0) {
            entry.firstUs = entry.lastUs = timestampUs;
        } else {
            entry.intervals.add(std::uint64_t(std::max<std::int64_t>(0, timestampUs - entry.previousUs)));
            entry.firstUs = std::min(entry.firstUs, timestampUs);
            entry.lastUs = std::max(entry.lastUs, timestampUs);
        }
        entry.previousUs = timestampUs;
        ++entry.messages;
        entry.bytes += bytes;
        ++entry.byDirection[std::size_t(direction) & 3];
        entry.sizes.add(bytes);

        const std::int64_t second = floorTo(timestampUs, SecondUs);
        const std::int64_t rollingStart = newestSecondUs - std::int64_t(limits.rollingSeconds - 1) * SecondUs;
        if (second >= rollingStart) {
            addToBucket(entry.rolling, second, bytes);
            while (!entry.rolling.empty() && entry.rolling.front().startUs < rollingStart)
                entry.rolling.pop_front();
        }
        addToBucket(entry.session, sessionBucketStart(timestampUs), bytes);
    }

    /// Moves the session's origin and width so that `timestampUs` has a bucket (before any entry counts it).
    void placeInSession(std::int64_t timestampUs)
    {
        const std::int64_t second = floorTo(timestampUs, SecondUs);
        if (!anyMessage) {
            sessionOriginUs = second;
            newestSecondUs = second;
            anyMessage = true;
        }
        newestSecondUs = std::max(newestSecondUs, second);
        newestUs = std::max(newestUs, timestampUs);
        while (
            (std::max(second, sessionOriginUs) - sessionOriginUs) / sessionBucketUs >= limits.sessionBuckets)
            widenSession();
    }

    std::int64_t sessionBucketStart(std::int64_t timestampUs) const
    {
        // A message older than the first one seen counts in the first bucket.
        const std::int64_t offset = std::max<std::int64_t>(0, timestampUs - sessionOriginUs);
        return sessionOriginUs + offset / sessionBucketUs * sessionBucketUs;
    }

    /// Doubles the session buckets' width, merging each pair.
    void widenSession()
    {
        sessionBucketUs *= 2;
        forEachEntry([this](Entry &entry) {
            std::vector<RateBucket> merged;
            merged.reserve(entry.session.size());
            for (const RateBucket &bucket : entry.session) {
                const std::int64_t start = sessionBucketStart(bucket.startUs);
                if (merged.empty() || merged.back().startUs != start)
                    merged.push_back({ start, 0, 0 });
                merged.back().messages += bucket.messages;
                merged.back().bytes += bucket.bytes;
            }
            entry.session = std::move(merged);
        });
    }

    template<typename Function> void forEachEntry(Function &&function)
    {
        for (auto &[socket, stats] : sockets) {
            function(stats.total);
            function(stats.noId);
            function(stats.otherIds);
            for (auto &[id, entry] : stats.ids)
                function(entry);
        }
    }

    SocketStats &socketStats(SocketId socket)
    {
        if (lastSocket && lastSocketId == socket)
            return *lastSocket;
        lastSocket = &sockets[socket];
        lastSocketId = socket;
        return *lastSocket;
    }

    const Entry *find(const TrafficKey &key) const
    {
        const auto socket = sockets.find(key.socket);
        if (socket == sockets.end())
            return nullptr;
        const SocketStats &stats = socket->second;
        const Entry *entry = nullptr;
        switch (key.kind) {
        case TrafficKey::Kind::Socket:
            entry = &stats.total;
            break;
        case TrafficKey::Kind::NoId:
            entry = &stats.noId;
            break;
        case TrafficKey::Kind::OtherIds:
            entry = &stats.otherIds;
            break;
        case TrafficKey::Kind::Id:
            if (const auto id = stats.ids.find(QByteArrayView(key.id)); id != stats.ids.end())
                entry = &id->second;
            break;
        }
        return entry && entry->messages > 0 ? entry : nullptr;
    }

    TrafficSummary summarize(const TrafficKey &key, const Entry &entry, std::int64_t recentSecondUs) const
    {
        TrafficSummary summary;
        summary.key = key;
        summary.messages = entry.messages;
        summary.bytes = entry.bytes;
        summary.messagesByDirection = entry.byDirection;
        summary.firstUs = entry.firstUs;
        summary.lastUs = entry.lastUs;
        const double spanSeconds
            = double(std::max(entry.lastUs - entry.firstUs, SecondUs)) / double(SecondUs);
        summary.messagesPerSecond = double(entry.messages) / spanSeconds;
        summary.bytesPerSecond = double(entry.bytes) / spanSeconds;
        for (auto it = entry.rolling.rbegin(); it != entry.rolling.rend() && it->startUs >= recentSecondUs;
             ++it) {
            if (it->startUs == recentSecondUs) {
                summary.recentMessagesPerSecond = double(it->messages);
                summary.recentBytesPerSecond = double(it->bytes);
            }
        }
        summary.size.count = entry.sizes.count();
        summary.size.min = entry.sizes.min();
        summary.size.max = entry.sizes.max();
        summary.size.mean = entry.sizes.mean();
        summary.size.p50 = entry.sizes.percentile(50);
        summary.size.p90 = entry.sizes.percentile(90);
        summary.size.p99 = entry.sizes.percentile(99);
        summary.interArrival.count = entry.intervals.count();
        summary.interArrival.minUs = std::int64_t(entry.intervals.min());
        summary.interArrival.maxUs = std::int64_t(entry.intervals.max());
        summary.interArrival.meanUs = entry.intervals.mean();
        summary.interArrival.p50Us = std::int64_t(entry.intervals.percentile(50));
        summary.interArrival.p90Us = std::int64_t(entry.intervals.percentile(90));
        summary.interArrival.p99Us = std::int64_t(entry.intervals.percentile(99));
        summary.interArrival.jitterUs = entry.intervals.standardDeviation();
        if (key.kind == TrafficKey::Kind::OtherIds)
            summary.pooledMessages = entry.messages;
        return summary;
    }

    std::vector<TrafficSummary> summaries(std::int64_t recentSecondUs) const
    {
        std::vector<TrafficSummary> rows;
        for (const auto &socketStats : sockets) {
            const SocketId socket = socketStats.first; // a name of its own: lambdas cannot capture bindings
            const auto &stats = socketStats.second;
            const auto addRow = [&](TrafficKey::Kind kind, const Entry &entry, const QByteArray &id = {}) {
                if (entry.messages > 0)
                    rows.push_back(summarize(TrafficKey { socket, kind, id }, entry, recentSecondUs));
            };
            addRow(TrafficKey::Kind::Socket, stats.total);
            addRow(TrafficKey::Kind::NoId, stats.noId);
            const std::size_t firstId = rows.size();
            for (const auto &[id, entry] : stats.ids)
                addRow(TrafficKey::Kind::Id, entry, id);
            std::sort(rows.begin() + std::ptrdiff_t(firstId), rows.end(),
                [](const TrafficSummary &a, const TrafficSummary &b) { return a.key.id < b.key.id; });
            addRow(TrafficKey::Kind::OtherIds, stats.otherIds);
        }
        return rows;
    }

    TrafficSeries rollingSeries(const Entry &entry) const
    {
        TrafficSeries series;
        series.bucketUs = SecondUs;
        const std::int64_t start = newestSecondUs - std::int64_t(limits.rollingSeconds - 1) * SecondUs;
        for (const RateBucket &bucket : entry.rolling) {
            if (bucket.startUs >= start)
                series.buckets.push_back(bucket);
        }
        return series;
    }

    TrafficStatistics::Limits limits;
    std::map<SocketId, SocketStats> sockets;
    SocketStats *lastSocket = nullptr;
    SocketId lastSocketId = 0;
    std::uint64_t messages = 0;
    bool anyMessage = false;
    std::int64_t newestUs = 0;
    std::int64_t newestSecondUs = 0;
    std::int64_t sessionOriginUs = 0;
    std::int64_t sessionBucketUs = SecondUs;
};

TrafficStatistics::TrafficStatistics()
    : TrafficStatistics(Limits {})
{ }

TrafficStatistics::TrafficStatistics(Limits limits)
    : d(std::make_unique<TrafficStatisticsPrivate>(Limits { std::max(0, limits.maxIdsPerSocket),
        std::max(1, limits.rollingSeconds), std::max(2, limits.sessionBuckets) }))
{ }

TrafficStatistics::~TrafficStatistics() = default;

TrafficStatistics::Limits TrafficStatistics::limits() const
{
    return d->limits;
}

void TrafficStatistics::add(SocketId socket, const std::optional<QByteArrayView> &id, Direction direction,
    std::int64_t timestampUs, std::uint64_t totalBytes)
{
    d->placeInSession(timestampUs);
    ++d->messages;
    SocketStats &stats = d->socketStats(socket);
    d->count(stats.total, direction, timestampUs, totalBytes);
    if (!id) {
        d->count(stats.noId, direction, timestampUs, totalBytes);
        return;
    }
    auto entry = stats.ids.find(*id);
    if (entry == stats.ids.end()) {
        if (stats.ids.size() >= std::size_t(d->limits.maxIdsPerSocket)) {
            d->count(stats.otherIds, direction, timestampUs, totalBytes);
            return;
        }
        entry = stats.ids.emplace(id->toByteArray(), Entry {}).first;
    }
    d->count(entry->second, direction, timestampUs, totalBytes);
}

void TrafficStatistics::add(const MessageView &message)
{
    const auto count = qsizetype(message.frames.size());
    const EnvelopeLayout layout
        = envelopeLayout(count, [&](qsizetype i) { return message.frames[std::size_t(i)].size(); });
    std::uint64_t bytes = 0;
    for (const QByteArrayView frame : message.frames)
        bytes += std::uint64_t(frame.size());
    std::optional<QByteArrayView> id;
    if (layout.kind != MessageKind::Raw)
        id = message.frames[std::size_t(EnvelopeLayout::idIndex(count))];
    add(message.socket, id, message.direction, message.timestampUs, bytes);
}

std::uint64_t TrafficStatistics::consume(
    const MessageStore &store, std::uint64_t begin, std::uint64_t end, std::uint64_t maxMessages)
{
    if (maxMessages == 0)
        return std::max(begin, store.firstSeq());
    std::uint64_t counted = 0;
    return store.visit(begin, end, [&](const MessageView &message) {
        add(message);
        return ++counted < maxMessages;
    });
}

void TrafficStatistics::clear()
{
    d = std::make_unique<TrafficStatisticsPrivate>(d->limits);
}

std::uint64_t TrafficStatistics::messages() const
{
    return d->messages;
}

std::vector<TrafficSummary> TrafficStatistics::summaries() const
{
    return d->summaries(d->newestSecondUs - SecondUs);
}

std::optional<TrafficSummary> TrafficStatistics::summary(const TrafficKey &key) const
{
    const Entry *entry = d->find(key);
    if (!entry)
        return std::nullopt;
    return d->summarize(key, *entry, d->newestSecondUs - SecondUs);
}

TrafficSnapshot TrafficStatistics::snapshot(
    const std::optional<TrafficKey> &detailFor, std::int64_t nowUs) const
{
    TrafficSnapshot snapshot;
    const std::int64_t now = nowUs != 0 ? nowUs : d->newestUs;
    snapshot.rows = d->summaries(floorTo(now, SecondUs) - SecondUs);
    snapshot.messages = d->messages;
    snapshot.newestUs = d->newestUs;
    if (detailFor) {
        if (const Entry *entry = d->find(*detailFor)) {
            TrafficDetail detail;
            detail.key = *detailFor;
            detail.rolling = d->rollingSeries(*entry);
            detail.session.bucketUs = d->sessionBucketUs;
            detail.session.buckets = entry->session;
            detail.sizeHistogram = entry->sizes.octaves();
            detail.intervalHistogram = entry->intervals.octaves();
            snapshot.detail = std::move(detail);
        }
    }
    return snapshot;
}

} // namespace zmqscope
