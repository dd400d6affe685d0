// Traffic statistics (issue 18, Statistics) over generated messages with known timestamps and sizes: counts
// and rates per socket and id, per-second buckets, size percentiles, inter-arrival times and jitter, the cap
// on distinct ids, the rolling window and the merging session buckets, and the MessageStore feed.

#include <cmath>
#include <numeric>
#include <optional>

#include <QTest>

#include <zmqscope/analysis/trafficstatistics.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr qint64 T0 = 1'700'000'000'000'000; // a whole second, µs since the epoch
constexpr qint64 Second = 1'000'000;

TrafficKey socketKey(SocketId socket)
{
    return { socket, TrafficKey::Kind::Socket, {} };
}
TrafficKey idKey(SocketId socket, const QByteArray &id)
{
    return { socket, TrafficKey::Kind::Id, id };
}
TrafficKey noIdKey(SocketId socket)
{
    return { socket, TrafficKey::Kind::NoId, {} };
}
TrafficKey otherKey(SocketId socket)
{
    return { socket, TrafficKey::Kind::OtherIds, {} };
}

/// Socket 1: id "a" every 10 ms (100 messages of 100 B), id "b" every 100 ms (10 of 1000 B), from T0,
/// interleaved in time order; socket 2: 5 raw messages of 20 B a second apart.
void feedTwoIds(TrafficStatistics &statistics)
{
    for (int i = 0; i < 100; ++i) {
        const std::int64_t us = T0 + std::int64_t(i) * 10'000;
        statistics.add(1, QByteArrayView("a"), Direction::In, us, 100);
        if (i % 10 == 0)
            statistics.add(1, QByteArrayView("b"), Direction::Out, us, 1000);
    }
    for (int i = 0; i < 5; ++i)
        statistics.add(2, std::nullopt, Direction::In, T0 + i * Second, 20);
}

/// Sizes and intervals as lists: n copies of value.
QList<std::uint64_t> repeated(std::initializer_list<std::pair<int, std::uint64_t>> runs)
{
    QList<std::uint64_t> values;
    for (const auto &[count, value] : runs)
        values.append(QList<std::uint64_t>(count, value));
    return values;
}

double populationStddev(const QList<std::uint64_t> &values)
{
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    double sum = 0;
    for (const std::uint64_t value : values)
        sum += (double(value) - mean) * (double(value) - mean);
    return std::sqrt(sum / double(values.size()));
}

/// Nearest-rank percentile of the values, exactly.
std::uint64_t exactPercentile(QList<std::uint64_t> values, double percent)
{
    std::sort(values.begin(), values.end());
    const auto rank = std::max<qsizetype>(1, qsizetype(std::ceil(percent / 100 * double(values.size()))));
    return values.at(rank - 1);
}

/// The documented precision: exact below 16, else at most 1/8 below the true value.
bool closeBelow(std::uint64_t reported, std::uint64_t exact)
{
    return reported <= exact && (exact < 16 ? reported == exact : reported >= exact - exact / 8);
}

} // namespace

Q_DECLARE_METATYPE(TrafficKey)

class TestTrafficStatistics : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void countsPerKey_data();
    void countsPerKey();
    void rowsInKeyOrder();
    void ratePerSecond_data();
    void ratePerSecond();
    void sizePercentiles_data();
    void sizePercentiles();
    void interArrival_data();
    void interArrival();
    void idCapPoolsTheRest_data();
    void idCapPoolsTheRest();
    void rollingWindow_data();
    void rollingWindow();
    void consumesStoreInBatches();
    void histogramsCoverEveryMessage();
};

void TestTrafficStatistics::countsPerKey_data()
{
    QTest::addColumn<TrafficKey>("key");
    QTest::addColumn<quint64>("messages");
    QTest::addColumn<quint64>("bytes");
    QTest::addColumn<qint64>("firstUs");
    QTest::addColumn<qint64>("lastUs");
    QTest::addColumn<double>("messagesPerSecond");
    QTest::addColumn<double>("bytesPerSecond");
    QTest::addColumn<quint64>("out");

    // Spans under a second count as one second.
    QTest::newRow("socket 1") << socketKey(1) << quint64(110) << quint64(20000) << T0 << T0 + 990'000 << 110.0
                              << 20000.0 << quint64(10);
    QTest::newRow("id a") << idKey(1, "a") << quint64(100) << quint64(10000) << T0 << T0 + 990'000 << 100.0
                          << 10000.0 << quint64(0);
    QTest::newRow("id b") << idKey(1, "b") << quint64(10) << quint64(10000) << T0 << T0 + 900'000 << 10.0
                          << 10000.0 << quint64(10);
    QTest::newRow("socket 2") << socketKey(2) << quint64(5) << quint64(100) << T0 << T0 + 4 * Second << 1.25
                              << 25.0 << quint64(0);
    QTest::newRow("raw on socket 2") << noIdKey(2) << quint64(5) << quint64(100) << T0 << T0 + 4 * Second
                                     << 1.25 << 25.0 << quint64(0);
}

void TestTrafficStatistics::countsPerKey()
{
    QFETCH(TrafficKey, key);
    QFETCH(quint64, messages);
    QFETCH(quint64, bytes);
    QFETCH(qint64, firstUs);
    QFETCH(qint64, lastUs);
    QFETCH(double, messagesPerSecond);
    QFETCH(double, bytesPerSecond);
    QFETCH(quint64, out);

    TrafficStatistics statistics;
    feedTwoIds(statistics);
    QCOMPARE(statistics.messages(), quint64(115));
    const std::optional<TrafficSummary> summary = statistics.summary(key);
    QVERIFY(summary);
    QCOMPARE(summary->messages, messages);
    QCOMPARE(summary->bytes, bytes);
    QCOMPARE(summary->firstUs, firstUs);
    QCOMPARE(summary->lastUs, lastUs);
    QCOMPARE(summary->messagesPerSecond, messagesPerSecond);
    QCOMPARE(summary->bytesPerSecond, bytesPerSecond);
    QCOMPARE(summary->messagesByDirection[std::size_t(Direction::Out)], out);
    QCOMPARE(summary->messagesByDirection[std::size_t(Direction::In)], messages - out);
    QCOMPARE(summary->size.count, messages);
    QCOMPARE(summary->interArrival.count, messages - 1);
}

void TestTrafficStatistics::rowsInKeyOrder()
{
    TrafficStatistics statistics;
    feedTwoIds(statistics);
    statistics.add(1, QByteArrayView(""), Direction::In, T0 + 5 * Second, 3); // an empty id is an id
    const std::vector<TrafficSummary> rows = statistics.summaries();
    QList<TrafficKey> keys;
    for (const TrafficSummary &row : rows)
        keys.append(row.key);
    const QList<TrafficKey> expected { socketKey(1), idKey(1, ""), idKey(1, "a"), idKey(1, "b"), socketKey(2),
        noIdKey(2) };
    QCOMPARE(keys, expected);
    QVERIFY(!statistics.summary(noIdKey(1))); // socket 1 had no raw message: no row
    QVERIFY(!statistics.summary(idKey(3, "a")));
    statistics.clear();
    QCOMPARE(statistics.messages(), quint64(0));
    QVERIFY(statistics.summaries().empty());
}

void TestTrafficStatistics::ratePerSecond_data()
{
    // Messages in each second from T0 (spread over the second), 10 bytes each.
    QTest::addColumn<QList<int>>("perSecond");
    QTest::addColumn<qint64>("nowUs"); // 0: the newest message's time
    QTest::addColumn<double>("recent");

    QTest::newRow("steady") << QList<int> { 5, 5, 5, 5 } << qint64(0) << 5.0;
    QTest::newRow("a gap") << QList<int> { 3, 0, 7 } << qint64(0) << 0.0;
    QTest::newRow("a burst, asked a second later") << QList<int> { 1, 2, 50 } << T0 + 3 * Second + 10 << 50.0;
    QTest::newRow("quiet since") << QList<int> { 1, 2, 50 } << T0 + 10 * Second << 0.0;
    QTest::newRow("one second") << QList<int> { 9 } << qint64(0) << 0.0;
}

void TestTrafficStatistics::ratePerSecond()
{
    QFETCH(QList<int>, perSecond);
    QFETCH(qint64, nowUs);
    QFETCH(double, recent);

    TrafficStatistics statistics;
    for (int second = 0; second < perSecond.size(); ++second) {
        for (int i = 0; i < perSecond.at(second); ++i)
            statistics.add(7, QByteArrayView("x"), Direction::In,
                T0 + second * Second + i * (Second / perSecond.at(second)), 10);
    }
    const TrafficSnapshot snapshot = statistics.snapshot(idKey(7, "x"), nowUs);
    QVERIFY(snapshot.detail);
    for (const TrafficSeries &series : { snapshot.detail->rolling, snapshot.detail->session }) {
        QCOMPARE(series.bucketUs, Second);
        QList<RateBucket> expected;
        for (int second = 0; second < perSecond.size(); ++second) {
            if (perSecond.at(second) > 0)
                expected.append({ T0 + second * Second, quint64(perSecond.at(second)),
                    quint64(perSecond.at(second)) * 10 });
        }
        QCOMPARE(qsizetype(series.buckets.size()), expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(series.buckets[std::size_t(i)].startUs, expected.at(i).startUs);
            QCOMPARE(series.buckets[std::size_t(i)].messages, expected.at(i).messages);
            QCOMPARE(series.buckets[std::size_t(i)].bytes, expected.at(i).bytes);
        }
    }
    QCOMPARE(snapshot.rows.size(), std::size_t(2));
    for (const TrafficSummary &row : snapshot.rows) {
        QCOMPARE(row.recentMessagesPerSecond, recent);
        QCOMPARE(row.recentBytesPerSecond, recent * 10);
    }
}

void TestTrafficStatistics::sizePercentiles_data()
{
    QTest::addColumn<QList<std::uint64_t>>("sizes");
    QTest::addColumn<bool>("exact"); // else within the documented 1/8

    QTest::newRow("one size") << repeated({ { 20, 100 } }) << true;
    QTest::newRow("small, exact") << repeated({ { 50, 3 }, { 40, 7 }, { 10, 15 } }) << true;
    QTest::newRow("powers of two") << repeated({ { 90, 16 }, { 9, 1024 }, { 1, std::uint64_t { 1 } << 26 } })
                                   << true;
    QTest::newRow("empty messages") << repeated({ { 5, 0 }, { 5, 12 } }) << true;
    QList<std::uint64_t> uniform;
    for (std::uint64_t size = 1; size <= 1000; ++size)
        uniform.append(size);
    QTest::newRow("1 to 1000") << uniform << false;
    QList<std::uint64_t> spread;
    for (std::uint64_t size = 17; size < 5'000'000; size = size * 3 + 1)
        spread.append(size);
    QTest::newRow("spread over decades") << spread << false;
}

void TestTrafficStatistics::sizePercentiles()
{
    QFETCH(QList<std::uint64_t>, sizes);
    QFETCH(bool, exact);

    TrafficStatistics statistics;
    std::int64_t us = T0;
    for (const std::uint64_t size : sizes)
        statistics.add(3, QByteArrayView("s"), Direction::In, us += 1000, size);
    const std::optional<TrafficSummary> summary = statistics.summary(idKey(3, "s"));
    QVERIFY(summary);
    QCOMPARE(summary->size.count, quint64(sizes.size()));
    QCOMPARE(summary->size.min, *std::min_element(sizes.begin(), sizes.end()));
    QCOMPARE(summary->size.max, *std::max_element(sizes.begin(), sizes.end()));
    QCOMPARE(summary->size.mean, std::accumulate(sizes.begin(), sizes.end(), 0.0) / double(sizes.size()));
    const std::pair<double, std::uint64_t> reported[]
        = { { 50, summary->size.p50 }, { 90, summary->size.p90 }, { 99, summary->size.p99 } };
    for (const auto &[percent, value] : reported) {
        const std::uint64_t truth = exactPercentile(sizes, percent);
        if (exact)
            QCOMPARE(value, truth);
        else
            QVERIFY2(
                closeBelow(value, truth), qPrintable(u"p%1: %2 for %3"_s.arg(percent).arg(value).arg(truth)));
    }
}

void TestTrafficStatistics::interArrival_data()
{
    QTest::addColumn<QList<std::uint64_t>>("intervals");
    QTest::addColumn<bool>("exact");

    QTest::newRow("1 kHz with one stall") << repeated({ { 99, 1000 }, { 1, 8192 } }) << true;
    QList<std::uint64_t> alternating;
    for (int i = 0; i < 200; ++i)
        alternating.append(i % 2 ? 2048 : 512);
    QTest::newRow("alternating") << alternating << true;
    QTest::newRow("same microsecond") << repeated({ { 10, 0 }, { 10, 4 } }) << true;
    QList<std::uint64_t> jittery;
    for (std::uint64_t i = 0; i < 500; ++i)
        jittery.append(900 + (i * 7919) % 200);
    QTest::newRow("jittery") << jittery << false;
}

void TestTrafficStatistics::interArrival()
{
    QFETCH(QList<std::uint64_t>, intervals);
    QFETCH(bool, exact);

    TrafficStatistics statistics;
    std::int64_t us = T0;
    statistics.add(4, std::nullopt, Direction::In, us, 1);
    for (const std::uint64_t interval : intervals)
        statistics.add(4, std::nullopt, Direction::In, us += std::int64_t(interval), 1);
    const std::optional<TrafficSummary> summary = statistics.summary(noIdKey(4));
    QVERIFY(summary);
    const IntervalStats &gaps = summary->interArrival;
    QCOMPARE(gaps.count, quint64(intervals.size()));
    QCOMPARE(gaps.minUs, qint64(*std::min_element(intervals.begin(), intervals.end())));
    QCOMPARE(gaps.maxUs, qint64(*std::max_element(intervals.begin(), intervals.end())));
    QVERIFY(qAbs(gaps.jitterUs - populationStddev(intervals)) < 1e-6);
    const std::pair<double, std::int64_t> reported[] = { { 50, gaps.p50Us }, { 99, gaps.p99Us } };
    for (const auto &[percent, value] : reported) {
        const std::uint64_t truth = exactPercentile(intervals, percent);
        if (exact)
            QCOMPARE(std::uint64_t(value), truth);
        else
            QVERIFY2(closeBelow(std::uint64_t(value), truth),
                qPrintable(u"p%1: %2 for %3"_s.arg(percent).arg(value).arg(truth)));
    }
    // The same messages under one id of another socket give the same intervals.
    QCOMPARE(statistics.summary(socketKey(4))->interArrival.p99Us, gaps.p99Us);
}

void TestTrafficStatistics::idCapPoolsTheRest_data()
{
    QTest::addColumn<int>("cap");
    QTest::addColumn<int>("ids");
    QTest::addColumn<int>("rowsOfTheirOwn");

    QTest::newRow("under the cap") << 3 << 2 << 2;
    QTest::newRow("at the cap") << 3 << 3 << 3;
    QTest::newRow("over the cap") << 3 << 10 << 3;
    QTest::newRow("no ids kept") << 0 << 5 << 0;
    QTest::newRow("default cap, 5000 ids") << 1000 << 5000 << 1000;
}

void TestTrafficStatistics::idCapPoolsTheRest()
{
    QFETCH(int, cap);
    QFETCH(int, ids);
    QFETCH(int, rowsOfTheirOwn);

    TrafficStatistics::Limits limits;
    limits.maxIdsPerSocket = cap;
    TrafficStatistics statistics(limits);
    // Three rounds over the ids, 2 bytes each; raw messages are not ids and never pooled.
    for (int round = 0; round < 3; ++round) {
        for (int id = 0; id < ids; ++id)
            statistics.add(9, QByteArray::number(id), Direction::In, T0 + round * Second + id, 2);
        statistics.add(9, std::nullopt, Direction::In, T0 + round * Second, 5);
    }
    int own = 0;
    for (const TrafficSummary &row : statistics.summaries()) {
        if (row.key.kind == TrafficKey::Kind::Id) {
            ++own;
            QVERIFY(row.key.id.toInt() < cap); // the first ids seen keep their rows
            QCOMPARE(row.messages, quint64(3));
        }
    }
    QCOMPARE(own, rowsOfTheirOwn);
    const std::optional<TrafficSummary> other = statistics.summary(otherKey(9));
    const quint64 pooled = quint64(ids - rowsOfTheirOwn) * 3;
    QCOMPARE(bool(other), pooled > 0);
    if (other) {
        QCOMPARE(other->messages, pooled);
        QCOMPARE(other->pooledMessages, pooled);
        QCOMPARE(other->bytes, pooled * 2);
    }
    QCOMPARE(statistics.summary(noIdKey(9))->messages, quint64(3));
    QCOMPARE(statistics.summary(socketKey(9))->messages, quint64(ids + 1) * 3);
}

void TestTrafficStatistics::rollingWindow_data()
{
    QTest::addColumn<int>("rollingSeconds");
    QTest::addColumn<int>("sessionBuckets");
    QTest::addColumn<int>("seconds"); // one message a second
    QTest::addColumn<qint64>("sessionBucketUs");

    QTest::newRow("all in the window") << 60 << 100 << 30 << Second;
    QTest::newRow("window full") << 60 << 100 << 60 << Second;
    QTest::newRow("window rolled") << 60 << 100 << 250 << 4 * Second;
    QTest::newRow("an hour") << 3600 << 720 << 3600 << 8 * Second;
    QTest::newRow("session just fits") << 10 << 8 << 8 << Second;
    QTest::newRow("session widened once") << 10 << 8 << 9 << 2 * Second;
}

void TestTrafficStatistics::rollingWindow()
{
    QFETCH(int, rollingSeconds);
    QFETCH(int, sessionBuckets);
    QFETCH(int, seconds);
    QFETCH(qint64, sessionBucketUs);

    TrafficStatistics statistics(TrafficStatistics::Limits { 1000, rollingSeconds, sessionBuckets });
    for (int second = 0; second < seconds; ++second)
        statistics.add(1, QByteArrayView("r"), Direction::In, T0 + second * Second + 500, 8);
    const TrafficSnapshot snapshot = statistics.snapshot(idKey(1, "r"));
    QVERIFY(snapshot.detail);
    const TrafficSeries &rolling = snapshot.detail->rolling;
    const int kept = std::min(rollingSeconds, seconds);
    QCOMPARE(int(rolling.buckets.size()), kept);
    QCOMPARE(rolling.buckets.front().startUs, T0 + (seconds - kept) * Second);
    QCOMPARE(rolling.buckets.back().startUs, T0 + (seconds - 1) * Second);
    for (const RateBucket &bucket : rolling.buckets)
        QCOMPARE(bucket.messages, quint64(1));

    const TrafficSeries &session = snapshot.detail->session;
    QCOMPARE(session.bucketUs, sessionBucketUs);
    QVERIFY(int(session.buckets.size()) <= sessionBuckets);
    quint64 total = 0;
    for (std::size_t i = 0; i < session.buckets.size(); ++i) {
        const RateBucket &bucket = session.buckets[i];
        QCOMPARE(bucket.startUs, T0 + std::int64_t(i) * sessionBucketUs);
        // Each bucket holds the seconds it covers, the last one those seen so far.
        const auto covered = std::min<std::int64_t>(
            sessionBucketUs / Second, seconds - std::int64_t(i) * (sessionBucketUs / Second));
        QCOMPARE(bucket.messages, quint64(covered));
        QCOMPARE(bucket.bytes, quint64(covered) * 8);
        total += bucket.messages;
    }
    QCOMPARE(total, quint64(seconds));
}

void TestTrafficStatistics::consumesStoreInBatches()
{
    MessageStore store;
    const std::uint64_t base = store.endSeq();
    // Envelopes, a routed envelope (its id after the routing frame and the delimiter), raw messages.
    store.append(1, Direction::In, T0, Frames { "alpha", "text/plain", "hello" }); // 20 B
    store.append(1, Direction::In, T0 + 10, Frames { "peer-1", "", "alpha", "text/plain", "hi" }); // 23 B
    store.append(1, Direction::Out, T0 + 20, Frames { "just one frame" }); // 14 B
    store.append(2, Direction::In, T0 + 30, Frames { "beta", "m", "" }); // 5 B
    store.append(2, Direction::In, T0 + 40, Frames { "a", "b", "c", "d" }); // raw: no delimiter, 4 B
    store.append(2, Direction::In, T0 + 50, Frames {}); // raw, 0 B

    TrafficStatistics statistics;
    std::uint64_t next = base;
    int batches = 0;
    while (next < store.endSeq()) {
        const std::uint64_t after = statistics.consume(store, next, store.endSeq(), 4);
        QVERIFY(after > next);
        QVERIFY(after - next <= 4);
        next = after;
        ++batches;
    }
    QCOMPARE(batches, 2);
    QCOMPARE(statistics.consume(store, next, store.endSeq()), store.endSeq()); // nothing new
    QCOMPARE(statistics.messages(), quint64(6));
    QCOMPARE(statistics.summary(idKey(1, "alpha"))->messages, quint64(2));
    QCOMPARE(statistics.summary(idKey(1, "alpha"))->bytes, quint64(43));
    QCOMPARE(statistics.summary(noIdKey(1))->bytes, quint64(14));
    QCOMPARE(statistics.summary(idKey(2, "beta"))->bytes, quint64(5));
    QCOMPARE(statistics.summary(noIdKey(2))->messages, quint64(2));
    QCOMPARE(statistics.summary(socketKey(2))->bytes, quint64(9));

    // Messages gone from the store are skipped: reading from before them starts at what is held.
    store.clear();
    store.append(3, Direction::In, T0 + 60, Frames { "gamma", "m", "b" });
    TrafficStatistics fresh;
    QCOMPARE(fresh.consume(store, base, store.endSeq()), store.endSeq());
    QCOMPARE(fresh.messages(), quint64(1));
    QCOMPARE(fresh.summary(idKey(3, "gamma"))->bytes, quint64(7));
}

void TestTrafficStatistics::histogramsCoverEveryMessage()
{
    TrafficStatistics statistics;
    feedTwoIds(statistics);
    QVERIFY(!statistics.snapshot(idKey(1, "nope")).detail);
    const TrafficSnapshot snapshot = statistics.snapshot(socketKey(1));
    QVERIFY(snapshot.detail);
    QCOMPARE(snapshot.detail->key, socketKey(1));
    quint64 sizes = 0;
    for (const HistogramBucket &bucket : snapshot.detail->sizeHistogram) {
        sizes += bucket.count;
        QVERIFY(bucket.upper > bucket.lower);
        // 100 B in [64, 128), 1000 B in [512, 1024)
        if (bucket.lower == 64)
            QCOMPARE(bucket.count, quint64(100));
        if (bucket.lower == 512)
            QCOMPARE(bucket.count, quint64(10));
    }
    QCOMPARE(sizes, quint64(110));
    QCOMPARE(snapshot.detail->sizeHistogram.back().upper, quint64(1024));
    quint64 intervals = 0;
    for (const HistogramBucket &bucket : snapshot.detail->intervalHistogram)
        intervals += bucket.count;
    QCOMPARE(intervals, quint64(109));
    // "b" arrives at the same microsecond as "a" every 10th message: 10 intervals of 0.
    QCOMPARE(snapshot.detail->intervalHistogram.front().count, quint64(10));
}

QTEST_GUILESS_MAIN(TestTrafficStatistics)
#include "tst_trafficstatistics.moc"
