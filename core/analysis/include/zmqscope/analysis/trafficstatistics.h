#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>

#include <zmqscope/store/messagestore.h>

namespace zmqscope {

class TrafficStatisticsPrivate;

/// What one row of statistics counts: a whole socket, one envelope id on it, its raw messages, or the
/// ids past the cap pooled together.
struct TrafficKey
{
    enum class Kind : std::uint8_t
    {
        Socket, ///< every message of the socket
        NoId, ///< the socket's messages that are not envelopes (raw), which have no id
        Id, ///< the socket's envelopes with this id
        OtherIds, ///< the socket's envelopes whose id came after the cap of distinct ids
    };

    SocketId socket = 0;
    Kind kind = Kind::Socket;
    QByteArray id; ///< Kind::Id only

    friend bool operator==(const TrafficKey &, const TrafficKey &) = default;
    /// Socket, then kind (Socket, NoId, Id, OtherIds), then id bytes: the order of snapshot rows.
    friend bool operator<(const TrafficKey &a, const TrafficKey &b);
};

/// Sizes of messages (all frames together), in bytes.
struct SizeStats
{
    std::uint64_t count = 0;
    std::uint64_t min = 0;
    std::uint64_t max = 0;
    double mean = 0;
    /// Percentiles by nearest rank; exact below 16, else within 1/8 below the true value (the lower end of a
    /// bucket an eighth of a power of two wide), never under min nor over max.
    std::uint64_t p50 = 0;
    std::uint64_t p90 = 0;
    std::uint64_t p99 = 0;
};

/// Times between successive messages of one key, in microseconds (a message's time minus the previous
/// one's, 0 when a timestamp goes back).
struct IntervalStats
{
    std::uint64_t count = 0; ///< one fewer than the messages
    std::int64_t minUs = 0;
    std::int64_t maxUs = 0;
    double meanUs = 0;
    /// As SizeStats::p50 and so on.
    std::int64_t p50Us = 0;
    std::int64_t p90Us = 0;
    std::int64_t p99Us = 0;
    /// The jitter: the standard deviation of the intervals (population), in microseconds.
    double jitterUs = 0;
};

/// One key's totals, as `zmqscope-cli stats` prints them and the Statistics table shows them.
struct TrafficSummary
{
    TrafficKey key;
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0; ///< all frames together
    /// Messages by Direction (index In, Out, ClientToServer, ServerToClient).
    std::array<std::uint64_t, 4> messagesByDirection {};
    std::int64_t firstUs = 0; ///< earliest timestamp seen (µs since the epoch)
    std::int64_t lastUs = 0; ///< latest timestamp seen
    /// Average rates over [firstUs, lastUs], a span of at least one second (so a burst is not divided by 0).
    double messagesPerSecond = 0;
    double bytesPerSecond = 0;
    /// Rates in the last whole second before the snapshot's time (TrafficStatistics::snapshot()).
    double recentMessagesPerSecond = 0;
    double recentBytesPerSecond = 0;
    SizeStats size;
    IntervalStats interArrival;
    /// Kind::OtherIds: how many messages came with an id that had no row of its own. Equal to messages.
    std::uint64_t pooledMessages = 0;
};

/// Messages and bytes in one time bucket [startUs, startUs + TrafficSeries::bucketUs).
struct RateBucket
{
    std::int64_t startUs = 0;
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
};

/// A time series of a key's traffic: buckets in time order; buckets with no message are left out.
struct TrafficSeries
{
    std::int64_t bucketUs = 1'000'000;
    std::vector<RateBucket> buckets;
};

/// One bar of a histogram: values in [lower, upper).
struct HistogramBucket
{
    std::uint64_t lower = 0;
    std::uint64_t upper = 0;
    std::uint64_t count = 0;
};

/// What a chart of one key shows.
struct TrafficDetail
{
    TrafficKey key;
    /// Per second, the last Limits::rollingSeconds before the newest message seen (any key).
    TrafficSeries rolling;
    /// The whole session in at most Limits::sessionBuckets buckets, each a power of two seconds wide.
    TrafficSeries session;
    /// Power-of-two buckets: [0, 1), [1, 2), [2, 4), [4, 8), ... up to the largest value seen.
    std::vector<HistogramBucket> sizeHistogram; ///< bytes
    std::vector<HistogramBucket> intervalHistogram; ///< microseconds
};

/// A copy of the statistics at one time, safe to hand to another thread.
struct TrafficSnapshot
{
    std::vector<TrafficSummary> rows; ///< every key, in TrafficKey order (each socket's Socket row first)
    std::optional<TrafficDetail> detail; ///< the key asked for, when it has a row
    std::uint64_t messages = 0; ///< all messages counted
    std::int64_t newestUs = 0; ///< the latest timestamp seen, 0 before any
};

/**
 * Traffic statistics per socket and per envelope id: message and byte counts, rates over time, the size
 * distribution and inter-arrival times with their jitter (issue 18, Statistics).
 *
 * Fed in batches, from a MessageStore (consume()) or from any other source such as capture file records
 * (add()); it never keeps a message. Memory is bounded whatever arrives: at most Limits::maxIdsPerSocket
 * distinct ids per socket keep a row of their own, later ones count in the socket's OtherIds row; each
 * row's rolling series holds at most Limits::rollingSeconds buckets and its session series at most
 * Limits::sessionBuckets (their width doubles, merging pairs, as the session grows); histograms have
 * 8 buckets per power of two.
 *
 * Not thread-safe: use one instance from one thread at a time (the Statistics view runs it in a worker,
 * one batch after the other, and hands snapshots to the GUI).
 */
class TrafficStatistics
{
public:
    struct Limits
    {
        int maxIdsPerSocket = 1000;
        int rollingSeconds = 3600;
        int sessionBuckets = 720;
    };

    TrafficStatistics();
    explicit TrafficStatistics(Limits limits);
    ~TrafficStatistics();
    TrafficStatistics(const TrafficStatistics &) = delete;
    TrafficStatistics &operator=(const TrafficStatistics &) = delete;

    [[nodiscard]] Limits limits() const;

    /**
     * Counts one message. `id` is the envelope id, or std::nullopt for a raw message (no id; an empty id
     * is an envelope's id). `totalBytes` is the size of all its frames together.
     */
    void add(SocketId socket, const std::optional<QByteArrayView> &id, Direction direction,
        std::int64_t timestampUs, std::uint64_t totalBytes);
    /// Counts one message by its frames: its id from the envelope layout (DESIGN.md section 3), no copy.
    void add(const MessageView &message);
    /**
     * Counts the store's messages in [begin, end) with MessageStore::visit() (no copy; evicted ones are
     * skipped), at most `maxMessages` of them; returns the sequence number to read next. Starts at the
     * store's firstSeq() when `begin` is older.
     */
    std::uint64_t consume(const MessageStore &store, std::uint64_t begin, std::uint64_t end,
        std::uint64_t maxMessages = ~std::uint64_t { 0 });

    /// Forgets everything counted.
    void clear();

    /// All messages counted.
    [[nodiscard]] std::uint64_t messages() const;
    /// One summary per key in TrafficKey order; the recent rates are for the second before the newest
    /// message.
    [[nodiscard]] std::vector<TrafficSummary> summaries() const;
    /// One key's summary, or std::nullopt when it has none.
    [[nodiscard]] std::optional<TrafficSummary> summary(const TrafficKey &key) const;
    /**
     * Every summary, and the series and histograms of `detailFor` when given. The recent rates are those
     * of the last whole second before `nowUs` (the newest message's time when 0): a socket that went quiet
     * shows 0.
     */
    [[nodiscard]] TrafficSnapshot snapshot(
        const std::optional<TrafficKey> &detailFor = std::nullopt, std::int64_t nowUs = 0) const;

private:
    std::unique_ptr<TrafficStatisticsPrivate> d;
};

} // namespace zmqscope
