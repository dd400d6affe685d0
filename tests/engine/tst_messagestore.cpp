#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <QDateTime>
#include <QProcess>
#include <QTest>

#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>

#include "../contracts/envelopecases.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr std::uint64_t KiB = 1024; // so sizes are multiplied in 64 bits, as the store counts them

/// A message whose bytes say which sequence number it should have, so a reader can check what it got.
Frames numbered(std::uint64_t n, int bodySize = 40)
{
    QByteArray body(bodySize, '\0');
    for (int i = 0; i < bodySize; ++i)
        body[i] = char((n * 31 + std::uint64_t(i)) & 0xff);
    return { QByteArray::number(qulonglong(n)), QByteArrayLiteral("application/octet-stream"), body };
}

MessageStore::Limits limits(std::uint64_t maxMessages, std::uint64_t maxBytes, std::uint64_t chunkBytes)
{
    MessageStore::Limits l;
    l.maxMessages = maxMessages;
    l.maxBytes = maxBytes;
    l.chunkBytes = chunkBytes;
    return l;
}

} // namespace

class TestMessageStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classification_data() { contracts::envelopeCases(); }
    void classification();
    void appendAndReadBack_data();
    void appendAndReadBack();
    void manyMessagesAcrossChunks();
    void batchAppend();
    void appendViews_data();
    void appendViews();
    void appendViewsEvicts();
    void summary_data();
    void summary();
    void summaryOfMissingSeq();
    void evictionByCount();
    void evictionByBytes();
    void bigMessageGetsItsOwnChunk();
    void shrinkingLimitsEvicts();
    void clear();
    void concurrentWriterAndReader_data();
    void concurrentWriterAndReader();
    void preparedChunkIsUsedAndCounted();
    void spareChunksKeepEveryByteAcrossEviction();
    void clearWhileAppending();
    void nowUs();
    void appendFromAnotherThreadAborts();
    void releasedWriterHandsOver();
    void tapDirectionsAndPeers();
};

void TestMessageStore::classification()
{
    QFETCH(Frames, frames);
    QFETCH(MessageKind, kind);
    QFETCH(int, requestFrames);
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, mimetype);
    QFETCH(QByteArray, body);
    MessageStore store;
    const std::uint64_t seq = store.append(1, Direction::In, 0, frames);
    MessageSummary summary;
    QVERIFY(store.summary(seq, summary));
    QCOMPARE(summary.kind, kind);
    QCOMPARE(summary.requestFrameCount, requestFrames);
    QCOMPARE(summary.routeFrames, frames.first(kind == MessageKind::RoutedEnvelope ? requestFrames : 0));
    QCOMPARE(summary.id, id);
    QCOMPARE(summary.mimetype, mimetype);
    if (kind != MessageKind::Raw) {
        QCOMPARE(summary.preview, body);
        QCOMPARE(summary.bodyBytes, std::uint64_t(body.size()));
    }
}

void TestMessageStore::appendAndReadBack_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<quint64>("chunkBytes");

    const quint64 small = 1024;
    const quint64 normal = MessageStore::Limits {}.chunkBytes;
    QTest::newRow("no frames") << Frames {} << normal;
    QTest::newRow("one empty frame") << Frames { QByteArray() } << normal;
    QTest::newRow("envelope") << Frames { "id-1", "text/plain", "hello" } << normal;
    QTest::newRow("binary with NUL and high bytes") << Frames { QByteArray("\x00\xff\x00", 3), QByteArray(),
        QByteArray("\x80\x7f\x00\xfe", 4) } << normal;
    Frames many;
    for (int i = 0; i < 300; ++i)
        many.append(QByteArray(i % 7, char('a' + i % 26)));
    QTest::newRow("300 frames") << many << normal;
    QTest::newRow("bigger than a small chunk")
        << Frames { "big", "application/octet-stream", QByteArray(5000, 'x') } << small;
    QByteArray huge(5 * 1024 * 1024 + 3, '\0');
    for (qsizetype i = 0; i < huge.size(); i += 4093)
        huge[i] = char(i & 0xff);
    QTest::newRow("5 MiB, bigger than a default chunk") << Frames { "huge", "x", huge } << normal;
}

void TestMessageStore::appendAndReadBack()
{
    QFETCH(Frames, frames);
    QFETCH(quint64, chunkBytes);

    MessageStore store(limits(1000, 1ull << 30, chunkBytes));
    // Messages around it, so a wrong offset or size shows up as a neighbour's bytes.
    const Frames before { "before", "text/plain", "A" };
    const Frames after { "after", "text/plain", "Z" };
    QCOMPARE(store.append(1, Direction::In, 100, before), 0u);
    QCOMPARE(store.append(7, Direction::Out, 123456789, frames), 1u);
    QCOMPARE(store.append(2, Direction::In, 300, after), 2u);
    QCOMPARE(store.firstSeq(), 0u);
    QCOMPARE(store.endSeq(), 3u);
    QCOMPARE(store.size(), 3u);

    StoredMessage message;
    QVERIFY(store.message(1, message));
    QCOMPARE(message.seq, 1u);
    QCOMPARE(message.socket, 7u);
    QCOMPARE(message.direction, Direction::Out);
    QCOMPARE(message.timestampUs, 123456789);
    QCOMPARE(message.frames, frames);
    QVERIFY(store.message(0, message));
    QCOMPARE(message.frames, before);
    QVERIFY(store.message(2, message));
    QCOMPARE(message.frames, after);
    QCOMPARE(message.socket, 2u);

    std::uint64_t total = 0;
    for (const QByteArray &frame : frames)
        total += std::uint64_t(frame.size());
    const auto stats = store.stats();
    QCOMPARE(stats.kept, 3u);
    QCOMPARE(stats.evicted, 0u);
    QCOMPARE(stats.bytesKept, total + 1 + 1 + 6 + 5 + 10 + 10);
    QVERIFY(stats.memoryInUse >= stats.bytesKept);
}

void TestMessageStore::manyMessagesAcrossChunks()
{
    MessageStore store(limits(100000, 1ull << 30, 1024));
    for (std::uint64_t n = 0; n < 3000; ++n)
        QCOMPARE(store.append(SocketId(n % 5 + 1), Direction::In, qint64(n), numbered(n, int(n % 200))), n);
    QCOMPARE(store.size(), 3000u);
    StoredMessage message;
    for (std::uint64_t n = 0; n < 3000; ++n) {
        QVERIFY(store.message(n, message));
        QCOMPARE(message.frames, numbered(n, int(n % 200)));
        QCOMPARE(message.timestampUs, qint64(n));
        QCOMPARE(message.socket, SocketId(n % 5 + 1));
    }
    QVERIFY(!store.message(3000, message));
}

void TestMessageStore::batchAppend()
{
    MessageStore store;
    store.append(1, Direction::In, 1, numbered(0));
    std::vector<NewMessage> batch;
    for (std::uint64_t n = 1; n <= 10; ++n)
        batch.push_back(
            NewMessage { SocketId(n), n % 2 ? Direction::In : Direction::Out, qint64(n), numbered(n) });
    QCOMPARE(store.append(std::span<const NewMessage>(batch)), 1u);
    QCOMPARE(store.endSeq(), 11u);
    QCOMPARE(store.append(std::span<const NewMessage>()), 11u);
    StoredMessage message;
    for (std::uint64_t n = 1; n <= 10; ++n) {
        QVERIFY(store.message(n, message));
        QCOMPARE(message.frames, numbered(n));
        QCOMPARE(message.socket, SocketId(n));
        QCOMPARE(message.direction, n % 2 ? Direction::In : Direction::Out);
    }
}

void TestMessageStore::appendViews_data()
{
    appendAndReadBack_data();
}

void TestMessageStore::appendViews()
{
    QFETCH(Frames, frames);
    QFETCH(quint64, chunkBytes);

    MessageStore store(limits(1000, 1ull << 30, chunkBytes));
    // Views of a copy that is overwritten right after: the store must hold its own bytes.
    Frames scratch = frames;
    std::vector<QByteArrayView> views;
    for (const QByteArray &frame : std::as_const(scratch))
        views.emplace_back(frame);
    const Frames before { "before", "text/plain", "A" };
    QCOMPARE(store.append(1, Direction::In, 100, before), 0u);
    QCOMPARE(store.append(7, Direction::Out, 123456789, std::span<const QByteArrayView>(views)), 1u);
    for (QByteArray &frame : scratch)
        frame.fill('#');
    const std::vector<QByteArrayView> afterViews { "after", "text/plain", "Z" };
    QCOMPARE(store.append(2, Direction::In, 300, std::span<const QByteArrayView>(afterViews)), 2u);
    QCOMPARE(store.endSeq(), 3u);

    StoredMessage message;
    QVERIFY(store.message(1, message));
    QCOMPARE(message.socket, 7u);
    QCOMPARE(message.direction, Direction::Out);
    QCOMPARE(message.timestampUs, 123456789);
    QCOMPARE(message.frames, frames);
    QVERIFY(store.message(0, message));
    QCOMPARE(message.frames, before);
    QVERIFY(store.message(2, message));
    QCOMPARE(message.frames, (Frames { "after", "text/plain", "Z" }));
    QCOMPARE(message.socket, 2u);
    QCOMPARE(message.direction, Direction::In);

    std::uint64_t total = 0;
    for (const QByteArray &frame : frames)
        total += std::uint64_t(frame.size());
    QCOMPARE(store.stats().bytesKept, total + 1 + 1 + 6 + 5 + 10 + 10);
}

void TestMessageStore::appendViewsEvicts()
{
    // The view append keeps the limits just as the Frames one does, and the two interleave in order.
    MessageStore store(limits(64, 1ull << 30, 1ull << 20));
    for (std::uint64_t n = 0; n < 1000; ++n) {
        const Frames frames = numbered(n);
        if (n % 2) {
            QCOMPARE(store.append(1, Direction::In, qint64(n), frames), n);
        } else {
            const std::vector<QByteArrayView> views { frames[0], frames[1], frames[2] };
            QCOMPARE(store.append(1, Direction::In, qint64(n), std::span<const QByteArrayView>(views)), n);
        }
    }
    QCOMPARE(store.endSeq(), 1000u);
    QVERIFY(store.size() <= 64u);
    QVERIFY(store.size() > 0u);
    QCOMPARE(store.stats().evicted, store.firstSeq());
    StoredMessage message;
    QVERIFY(!store.message(store.firstSeq() - 1, message));
    for (std::uint64_t n = store.firstSeq(); n < 1000; ++n) {
        QVERIFY(store.message(n, message));
        QCOMPARE(message.frames, numbered(n));
        QCOMPARE(message.timestampUs, qint64(n));
    }
}

void TestMessageStore::summary_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<int>("previewBytes");
    QTest::addColumn<MessageKind>("kind");
    QTest::addColumn<int>("requestFrameCount");
    QTest::addColumn<QByteArray>("route");
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("mimetype");
    QTest::addColumn<QByteArray>("preview");
    QTest::addColumn<quint64>("bodyBytes");

    const QByteArray json = R"({"sensor":"temp-1","celsius":21.4})";
    QTest::newRow("envelope") << Frames { "telemetry.temp-1", "application/json", json } << 256
                              << MessageKind::Envelope << 0 << QByteArray() << QByteArray("telemetry.temp-1")
                              << QByteArray("application/json") << json << quint64(json.size());
    QTest::newRow("envelope, empty id and body")
        << Frames { "", "text/plain", "" } << 256 << MessageKind::Envelope << 0 << QByteArray()
        << QByteArray() << QByteArray("text/plain") << QByteArray() << quint64(0);
    QTest::newRow("routed, one request frame")
        << Frames { QByteArray("\x00\x80\x00\x00\x29", 5), "", "id", "text/plain", "hi" } << 256
        << MessageKind::RoutedEnvelope << 1 << QByteArray("\x00\x80\x00\x00\x29", 5) << QByteArray("id")
        << QByteArray("text/plain") << QByteArray("hi") << quint64(2);
    QTest::newRow("routed, two request frames")
        << Frames { "peer-1", "proxy", "", "id", "text/plain", "hi" } << 256 << MessageKind::RoutedEnvelope
        << 2 << QByteArray("peer-1|proxy") << QByteArray("id") << QByteArray("text/plain") << QByteArray("hi")
        << quint64(2);
    QTest::newRow("delimiter only (DEALER from REP)")
        << Frames { "", "id", "text/plain", "hi" } << 256 << MessageKind::RoutedEnvelope << 0 << QByteArray()
        << QByteArray("id") << QByteArray("text/plain") << QByteArray("hi") << quint64(2);
    QTest::newRow("previews cut") << Frames { "a-rather-long-id", "application/octet-stream",
        QByteArray(1000, 'b') } << 8
                                  << MessageKind::Envelope << 0 << QByteArray() << QByteArray("a-rather")
                                  << QByteArray("applicat") << QByteArray(8, 'b') << quint64(1000);
    QTest::newRow("route cut") << Frames { "client-with-a-long-name", "", "id", "m", "body" } << 6
                               << MessageKind::RoutedEnvelope << 1 << QByteArray("client") << QByteArray("id")
                               << QByteArray("m") << QByteArray("body") << quint64(4);
    QTest::newRow("preview 0") << Frames { "id", "m", "body" } << 0 << MessageKind::Envelope << 0
                               << QByteArray() << QByteArray() << QByteArray() << QByteArray() << quint64(4);
    QTest::newRow("raw, no frames") << Frames {} << 256 << MessageKind::Raw << 0 << QByteArray()
                                    << QByteArray() << QByteArray() << QByteArray() << quint64(0);
    QTest::newRow("raw, 1 frame") << Frames { "just one" } << 256 << MessageKind::Raw << 0 << QByteArray()
                                  << QByteArray() << QByteArray() << QByteArray("just one") << quint64(8);
    QTest::newRow("raw, 2 frames") << Frames { "heartbeat", QByteArray(8, '\0') } << 4 << MessageKind::Raw
                                   << 0 << QByteArray() << QByteArray() << QByteArray() << QByteArray("hear")
                                   << quint64(9);
    QTest::newRow("raw, 4 frames without delimiter")
        << Frames { "peer", "id", "text/plain", "hi" } << 256 << MessageKind::Raw << 0 << QByteArray()
        << QByteArray() << QByteArray() << QByteArray("peer") << quint64(4);
    QTest::newRow("raw, delimiter in the wrong place")
        << Frames { "", "peer", "id", "text/plain", "hi" } << 256 << MessageKind::Raw << 0 << QByteArray()
        << QByteArray() << QByteArray() << QByteArray() << quint64(0);
}

void TestMessageStore::summary()
{
    QFETCH(Frames, frames);
    QFETCH(int, previewBytes);
    QFETCH(MessageKind, kind);
    QFETCH(int, requestFrameCount);
    QFETCH(QByteArray, route);
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, mimetype);
    QFETCH(QByteArray, preview);
    QFETCH(quint64, bodyBytes);

    // The store must classify exactly as the envelope parser does.
    QCOMPARE(Envelope::parse(frames).kind, kind);

    MessageStore store;
    store.append(1, Direction::In, 1, { "filler" });
    const auto seq = store.append(42, Direction::Out, 987654, frames);
    MessageSummary summary;
    // Stale fields of a reused summary must not leak into the next one.
    summary.route = "stale";
    summary.id = "stale";
    QVERIFY(store.summary(seq, summary, previewBytes));
    QCOMPARE(summary.seq, seq);
    QCOMPARE(summary.timestampUs, 987654);
    QCOMPARE(summary.socket, 42u);
    QCOMPARE(summary.direction, Direction::Out);
    QCOMPARE(summary.frameCount, int(frames.size()));
    std::uint64_t total = 0;
    for (const QByteArray &frame : frames)
        total += std::uint64_t(frame.size());
    QCOMPARE(summary.totalBytes, total);
    QCOMPARE(summary.kind, kind);
    QCOMPARE(summary.requestFrameCount, requestFrameCount);
    QCOMPARE(summary.route, route);
    QCOMPARE(summary.routeFrames.size(), qsizetype(requestFrameCount));
    QCOMPARE(summary.id, id);
    QCOMPARE(summary.mimetype, mimetype);
    QCOMPARE(summary.preview, preview);
    QCOMPARE(summary.bodyBytes, bodyBytes);
}

void TestMessageStore::summaryOfMissingSeq()
{
    MessageStore store;
    MessageSummary summary;
    StoredMessage message;
    QVERIFY(!store.summary(0, summary));
    QVERIFY(!store.message(0, message));
    store.append(1, Direction::In, 1, { "a" });
    QVERIFY(store.summary(0, summary));
    QVERIFY(!store.summary(1, summary));
}

void TestMessageStore::evictionByCount()
{
    // 160 messages at most: chunks close after 160 / 16 = 10 records, so eviction drops 10 at a time.
    MessageStore store(limits(160, 1ull << 30, 1 << 20));
    for (std::uint64_t n = 0; n < 1000; ++n)
        store.append(1, Direction::In, qint64(n), numbered(n));
    QCOMPARE(store.endSeq(), 1000u);
    QVERIFY2(store.size() <= 160, QByteArray::number(qulonglong(store.size())).constData());
    QVERIFY2(store.size() > 160 - 10, QByteArray::number(qulonglong(store.size())).constData());
    QCOMPARE(store.firstSeq() % 10, 0u); // whole chunks only
    const auto stats = store.stats();
    QCOMPARE(stats.kept, store.size());
    QCOMPARE(stats.evicted, store.firstSeq());
    QCOMPARE(
        stats.bytesKept, store.size() * (4 + 24 + 40) - [&] {
            // ids are decimal numbers of varying length: subtract what "1000 - kept .. 999" lack of 4 digits
            std::uint64_t missing = 0;
            for (std::uint64_t n = store.firstSeq(); n < 1000; ++n)
                missing += 4 - std::uint64_t(QByteArray::number(qulonglong(n)).size());
            return missing;
        }());

    StoredMessage message;
    QVERIFY(!store.message(store.firstSeq() - 1, message));
    QVERIFY(store.message(store.firstSeq(), message));
    QCOMPARE(message.frames, numbered(store.firstSeq()));
    QVERIFY(store.message(999, message));
    QCOMPARE(message.frames, numbered(999));
}

void TestMessageStore::evictionByBytes()
{
    // 1 KiB chunks; each message takes 3 * 4 size bytes + 3 id + 24 mimetype + 85 body = 124 bytes of arena,
    // so 8 fit a chunk, and the byte limit of 8 KiB keeps about 8 chunks.
    MessageStore store(limits(1'000'000, 8 * KiB, 1024));
    const auto message = [](std::uint64_t n) {
        Frames frames = numbered(n, 85);
        frames[0] = QByteArray::number(qulonglong(100 + n % 900)); // always 3 digits
        return frames;
    };
    for (std::uint64_t n = 0; n < 2000; ++n)
        store.append(1, Direction::In, qint64(n), message(n));
    const auto stats = store.stats();
    QVERIFY2(stats.bytesKept <= 8 * KiB, QByteArray::number(qulonglong(stats.bytesKept)).constData());
    QVERIFY2(stats.bytesKept > 8 * 1024 - 1024, QByteArray::number(qulonglong(stats.bytesKept)).constData());
    QCOMPARE(stats.bytesKept, store.size() * (3 + 24 + 85));
    QCOMPARE(stats.kept + stats.evicted, 2000u);
    QCOMPARE(store.firstSeq() % 8, 0u); // whole chunks only
    QVERIFY(stats.memoryInUse < 64 * 1024 + 8192 * 40); // chunks plus one record block, not 2000 messages

    StoredMessage stored;
    QVERIFY(!store.message(store.firstSeq() - 1, stored));
    for (std::uint64_t n = store.firstSeq(); n < store.endSeq(); ++n) {
        QVERIFY(store.message(n, stored));
        QCOMPARE(stored.frames, message(n));
    }
}

void TestMessageStore::bigMessageGetsItsOwnChunk()
{
    MessageStore store(limits(1000, 64 * KiB, 1024));
    store.append(1, Direction::In, 1, { "small", "m", "1" });
    const QByteArray big(qsizetype { 40 } * 1024, 'B');
    store.append(1, Direction::In, 2, { "big", "m", big });
    store.append(1, Direction::In, 3, { "small", "m", "2" });
    StoredMessage message;
    QVERIFY(store.message(1, message));
    QCOMPARE(message.frames.value(2), big);
    QVERIFY(store.message(2, message));
    QCOMPARE(message.frames.value(2), QByteArray("2"));
    QVERIFY(store.stats().memoryInUse >= 40 * KiB);

    // The big message goes with its chunk once the byte limit needs the room, and only then.
    for (int i = 0; i < 30; ++i)
        store.append(1, Direction::In, 4, { "filler", "m", QByteArray(900, 'f') });
    QVERIFY(store.firstSeq() >= 2);
    QVERIFY(store.stats().bytesKept <= 64 * KiB);
    QVERIFY(!store.message(1, message));
}

void TestMessageStore::shrinkingLimitsEvicts()
{
    MessageStore store(limits(1000, 1ull << 30, 1024));
    for (std::uint64_t n = 0; n < 500; ++n)
        store.append(1, Direction::In, 1, numbered(n));
    QCOMPARE(store.size(), 500u);
    store.setLimits(limits(100, 1ull << 30, 1024));
    QCOMPARE(store.limits().maxMessages, 100u);
    QVERIFY(store.size() <= 100 + 1000 / 16); // what was appended under the old limits evicts in its chunks
    QVERIFY(store.size() > 0);
    QCOMPARE(store.stats().evicted, store.firstSeq());
    for (std::uint64_t n = 500; n < 1000; ++n)
        store.append(1, Direction::In, 1, numbered(n));
    QVERIFY(store.size() <= 100);
    StoredMessage message;
    QVERIFY(store.message(999, message));
    QCOMPARE(message.frames, numbered(999));
}

void TestMessageStore::clear()
{
    MessageStore store(limits(100, 1ull << 30, 1024));
    for (std::uint64_t n = 0; n < 250; ++n)
        store.append(1, Direction::In, 1, numbered(n));
    QVERIFY(store.stats().evicted > 0);
    store.clear();
    QCOMPARE(store.size(), 0u);
    QCOMPARE(store.firstSeq(), 250u);
    QCOMPARE(store.endSeq(), 250u);
    const auto stats = store.stats();
    QCOMPARE(stats.kept, 0u);
    QCOMPARE(stats.evicted, 0u);
    QCOMPARE(stats.bytesKept, 0u);
    QCOMPARE(stats.memoryInUse, 0u);
    StoredMessage message;
    QVERIFY(!store.message(249, message));

    QCOMPARE(store.append(1, Direction::In, 1, numbered(250)), 250u);
    QVERIFY(store.message(250, message));
    QCOMPARE(message.frames, numbered(250));
    QCOMPARE(store.firstSeq(), 250u);
}

void TestMessageStore::concurrentWriterAndReader_data()
{
    QTest::addColumn<quint64>("maxBytes");
    QTest::addColumn<quint64>("chunkBytes");
    // Small chunks; and chunks big enough to be prepared ahead on the store's thread and reused after
    // eviction.
    QTest::newRow("4 KiB chunks") << quint64(256 * 1024) << quint64(4096);
    QTest::newRow("256 KiB chunks, prepared and reused") << quint64(4 << 20) << quint64(256 * 1024);
}

void TestMessageStore::concurrentWriterAndReader()
{
    QFETCH(quint64, maxBytes);
    QFETCH(quint64, chunkBytes);
    // Small limits so eviction runs all the time under the reader's feet.
    MessageStore store(limits(2000, maxBytes, chunkBytes));
    constexpr std::uint64_t Total = 30000;
    std::atomic<bool> done { false };
    std::atomic<std::uint64_t> mismatches { 0 };
    std::atomic<std::uint64_t> reads { 0 };

    std::thread reader([&] {
        std::mt19937_64 random(42);
        StoredMessage message;
        MessageSummary summary;
        while (!done.load()) {
            const std::uint64_t first = store.firstSeq();
            const std::uint64_t end = store.endSeq();
            if (end == first)
                continue;
            const std::uint64_t seq = first + random() % (end - first);
            // The message may be evicted between the two calls; then the read says so and that is fine.
            if (store.message(seq, message)) {
                if (message.seq != seq || message.frames != numbered(seq, int(seq % 100)))
                    ++mismatches;
                ++reads;
            }
            if (store.summary(seq, summary, 16)) {
                if (summary.id != QByteArray::number(qulonglong(seq)) || summary.bodyBytes != seq % 100)
                    ++mismatches;
                ++reads;
            }
        }
    });

    std::vector<NewMessage> batch;
    for (std::uint64_t n = 0; n < Total; ++n) {
        batch.push_back(NewMessage { 1, Direction::In, qint64(n), numbered(n, int(n % 100)) });
        if (batch.size() == 64 || n + 1 == Total) {
            store.append(std::span<const NewMessage>(batch));
            batch.clear();
        }
    }
    // Let the reader see the final state too before stopping it.
    while (reads.load() < 1000)
        std::this_thread::yield();
    done = true;
    reader.join();

    QCOMPARE(mismatches.load(), 0u);
    QVERIFY(reads.load() >= 1000);
    QCOMPARE(store.endSeq(), Total);
    QVERIFY(store.size() <= 2000);
    QCOMPARE(store.stats().evicted, store.firstSeq());
}

// Sizes of the store's memory (messagestore.cpp): a record block holds 8192 records of 32 bytes.
constexpr std::uint64_t RecordBlockBytes = 8 * KiB * 32;

/// Three frames taking exactly 1024 bytes of arena (3 sizes of 4 bytes, then 1012 frame bytes).
Frames kibMessage(std::uint64_t n)
{
    QByteArray body(1012 - 12 - 1, '\0');
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char((n * 7 + std::uint64_t(i)) & 0xff);
    return { QByteArray::number(qulonglong { 100'000'000'000 } + n), QByteArrayLiteral("m"), body };
}

void TestMessageStore::preparedChunkIsUsedAndCounted()
{
    // 1 MiB chunks (16 MiB / 16): big enough that the store's thread prepares the next one half way.
    constexpr std::uint64_t Chunk = 1 << 20;
    MessageStore store(limits(1'000'000, 16 << 20, Chunk));
    for (std::uint64_t n = 0; n < 600; ++n)
        store.append(1, Direction::In, 1, kibMessage(n));
    // Past half of the first chunk: the next one is prepared, and counts as memory in use.
    QTRY_COMPARE(store.stats().memoryInUse, 2 * Chunk + RecordBlockBytes);

    // 1024 messages fill the first chunk exactly; the next one goes into the prepared chunk, not a new one.
    for (std::uint64_t n = 600; n < 1025; ++n)
        store.append(1, Direction::In, 1, kibMessage(n));
    QCOMPARE(store.stats().memoryInUse, 2 * Chunk + RecordBlockBytes);
    StoredMessage message;
    for (const std::uint64_t n : { 0, 599, 1023, 1024 }) {
        QVERIFY(store.message(n, message));
        QCOMPARE(message.frames, kibMessage(n));
    }

    // Past half of the second chunk a third is prepared; clear() gives all of it back.
    for (std::uint64_t n = 1025; n < 1700; ++n)
        store.append(1, Direction::In, 1, kibMessage(n));
    QTRY_COMPARE(store.stats().memoryInUse, 3 * Chunk + RecordBlockBytes);
    store.clear();
    QCOMPARE(store.stats().memoryInUse, 0u);
    store.append(1, Direction::In, 1, kibMessage(1700));
    QCOMPARE(store.stats().memoryInUse, Chunk + RecordBlockBytes);
    QVERIFY(store.message(1700, message));
    QCOMPARE(message.frames, kibMessage(1700));
}

void TestMessageStore::spareChunksKeepEveryByteAcrossEviction()
{
    // 256 KiB chunks of 256 messages each and a 4 MiB byte limit: about 16 chunks kept, and every new
    // chunk is one that eviction just gave back (or one prepared ahead), full of older messages' bytes.
    constexpr std::uint64_t Chunk = 256 * KiB;
    constexpr std::uint64_t Total = 20000; // about 5 times the limit
    MessageStore store(limits(1'000'000, 4 << 20, Chunk));
    StoredMessage message;
    std::uint64_t peakMemory = 0;
    for (std::uint64_t n = 0; n < Total; ++n) {
        store.append(1, Direction::In, qint64(n), kibMessage(n));
        if (n % 97 == 0) {
            // The oldest and the newest held message, while chunks come and go.
            QVERIFY(store.message(store.firstSeq(), message));
            QCOMPARE(message.frames, kibMessage(store.firstSeq()));
            QVERIFY(store.message(n, message));
            QCOMPARE(message.frames, kibMessage(n));
            peakMemory = std::max(peakMemory, store.stats().memoryInUse);
        }
    }
    const auto stats = store.stats();
    QCOMPARE(stats.kept + stats.evicted, Total);
    QCOMPARE(stats.evicted, store.firstSeq());
    QCOMPARE(store.firstSeq() % 256, 0u); // whole chunks only
    QCOMPARE(stats.bytesKept, stats.kept * 1012);
    QVERIFY(stats.bytesKept <= 4u << 20);
    QVERIFY(stats.bytesKept > (4u << 20) - Chunk);
    // Spares do not pile up: the kept chunks, the newest one, one ready and one being prepared, and
    // records (a block ready and one being prepared besides those in use).
    QVERIFY2(peakMemory <= (4 << 20) + 3 * Chunk + 4 * RecordBlockBytes,
        QByteArray::number(peakMemory).constData());
    QVERIFY(stats.memoryInUse >= stats.bytesKept);
    for (std::uint64_t n = store.firstSeq(); n < store.endSeq(); ++n) {
        QVERIFY(store.message(n, message));
        QCOMPARE(message.frames, kibMessage(n));
    }
}

void TestMessageStore::clearWhileAppending()
{
    // clear() from another thread while the writer appends without the exclusive lock: every message it
    // appends after a clear is whole, and sequence numbers never repeat.
    MessageStore store(limits(1'000'000, 4 << 20, 256 * KiB));
    constexpr std::uint64_t Total = 20000;
    std::atomic<bool> done { false };
    std::thread writer([&] {
        for (std::uint64_t n = 0; n < Total; ++n)
            store.append(1, Direction::In, qint64(n), kibMessage(n));
        done = true;
    });
    do {
        store.clear();
        std::this_thread::yield();
    } while (!done.load());
    writer.join();
    QCOMPARE(store.endSeq(), Total);
    QCOMPARE(store.stats().kept, store.size());
    QCOMPARE(store.stats().bytesKept, store.size() * 1012);
    StoredMessage message;
    for (std::uint64_t n = store.firstSeq(); n < store.endSeq(); ++n) {
        QVERIFY(store.message(n, message));
        QCOMPARE(message.frames, kibMessage(n));
    }
}

void TestMessageStore::nowUs()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const std::int64_t now = MessageStore::nowUs();
    const qint64 after = QDateTime::currentMSecsSinceEpoch();
    // Same clock as QDateTime, in microseconds.
    QVERIFY(now / 1000 >= before - 1);
    QVERIFY(now / 1000 <= after + 1);
}

// The child process of appendFromAnotherThreadAborts(): this binary run with this argument.
constexpr const char *AppendFromTwoThreads = "--append-from-two-threads";

int appendFromTwoThreads()
{
    MessageStore store;
    store.append(1, Direction::In, MessageStore::nowUs(), Frames { "first" });
    std::thread other(
        [&store] { store.append(1, Direction::In, MessageStore::nowUs(), Frames { "second" }); });
    other.join();
    return 0; // not reached: the second append aborts
}

void TestMessageStore::appendFromAnotherThreadAborts()
{
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(), { QString::fromLatin1(AppendFromTwoThreads) });
    QVERIFY2(child.waitForFinished(30000), qPrintable(child.errorString()));
    const QString output = QString::fromLocal8Bit(child.readAllStandardError());
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    // One line that names the function and whose thread it is.
    QVERIFY2(output.contains(u"zmqscope::MessageStore::append("_s)
            && output.contains(u"may run only in the store's writer thread"_s) && output.count(u'\n') == 1,
        qPrintable(output));
}

void TestMessageStore::releasedWriterHandsOver()
{
    MessageStore store;
    store.append(1, Direction::In, MessageStore::nowUs(), Frames { "main" });
    store.releaseWriterThread(); // as an Engine does when its thread ends
    std::thread other([&store] {
        store.append(2, Direction::In, MessageStore::nowUs(), Frames { "other" });
        store.releaseWriterThread();
    });
    other.join();
    store.append(1, Direction::In, MessageStore::nowUs(), Frames { "main again" });
    QCOMPARE(store.size(), 3u);
}

int main(int argc, char *argv[])
{
    if (argc == 2 && std::strcmp(argv[1], AppendFromTwoThreads) == 0)
        return appendFromTwoThreads();
    QCoreApplication app(argc, argv);
    TestMessageStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
// A tap's messages (section 12): c2s/s2c directions and the routing id its ROUTER gave the client,
// kept beside the frames (never one of them) through every way of appending and reading.
void TestMessageStore::tapDirectionsAndPeers()
{
    MessageStore store(limits(1000, 1ull << 30, 4096));
    const QByteArray peer("\x00\x80\x00\x41\xa7", 5);
    const Frames request { "", "id-1", "text/plain", "ping" };
    const Frames reply { "", "id-1", "text/plain", "pong" };
    QCOMPARE(store.append(1, Direction::In, 1, Frames { "plain" }), 0u);
    std::vector<QByteArrayView> views(request.cbegin(), request.cend());
    QCOMPARE(store.append(3, Direction::ClientToServer, 2, std::span<const QByteArrayView>(views), peer), 1u);
    const NewMessage batch[] = { { 3, Direction::ServerToClient, 3, reply, peer },
        { 3, Direction::ServerToClient, 4, Frames { "no peer" }, {} },
        { 2, Direction::Out, 5, Frames {}, {} } };
    QCOMPARE(store.append(std::span<const NewMessage>(batch)), 2u);

    const struct
    {
        Direction direction;
        QByteArray peer;
        Frames frames;
    } expected[] = { { Direction::In, {}, { "plain" } }, { Direction::ClientToServer, peer, request },
        { Direction::ServerToClient, peer, reply }, { Direction::ServerToClient, {}, { "no peer" } },
        { Direction::Out, {}, {} } };
    for (std::uint64_t seq = 0; seq < 5; ++seq) {
        StoredMessage message;
        QVERIFY(store.message(seq, message));
        QCOMPARE(message.direction, expected[seq].direction);
        QCOMPARE(message.peer, expected[seq].peer);
        QCOMPARE(message.frames, expected[seq].frames);
        MessageSummary summary;
        QVERIFY(store.summary(seq, summary));
        QCOMPARE(summary.direction, expected[seq].direction);
        QCOMPARE(summary.peer, expected[seq].peer);
        QCOMPARE(summary.frameCount, int(expected[seq].frames.size()));
    }
    MessageSummary summary;
    QVERIFY(store.summary(1, summary));
    QCOMPARE(summary.kind, MessageKind::RoutedEnvelope); // classified without the peer
    QCOMPARE(summary.id, QByteArray("id-1"));
    QCOMPARE(summary.preview, QByteArray("ping"));
    QCOMPARE(summary.totalBytes, quint64(4 + 10 + 4)); // the message's frames, not the peer

    std::uint64_t seq = 0;
    store.visit(0, store.endSeq(), [&](const MessageView &view) {
        const auto &one = expected[view.seq];
        if (view.direction != one.direction || view.peer != one.peer
            || view.frames.size() != std::size_t(one.frames.size()))
            return false;
        for (std::size_t i = 0; i < view.frames.size(); ++i) {
            if (view.frames[i] != one.frames[qsizetype(i)])
                return false;
        }
        ++seq;
        return true;
    });
    QCOMPARE(seq, 5u);
    QCOMPARE(directionName(Direction::ClientToServer), QByteArrayView("c2s"));
    QCOMPARE(parseDirection("s2c"), std::optional<Direction>(Direction::ServerToClient));
    QCOMPARE(parseDirection("sideways"), std::nullopt);
}

#include "tst_messagestore.moc"
