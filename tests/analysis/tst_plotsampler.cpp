// The Plots dock's data (issue 18, point 4): the points a PlotSampler keeps for a JSON field over a
// generated store, compared exactly: one series per id, receive time or a time field as x, a socket or
// an id only, fields missing or not numeric, MessagePack read decoded, messages evicted before they were
// read counted as not seen, bounded polls; the filter language's JSON paths; and the decimation that
// draws a series per pixel column without losing its spikes.

#include <cmath>
#include <optional>

#include <QJsonArray>
#include <QTest>

#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/analysis/plotsampler.h>
#include <zmqscope/store/messagestore.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

/// A series as (x, y) pairs, for comparing whole.
using Points = QList<QPair<double, double>>;
/// Series by id, in the order they were made.
using SeriesList = QList<QPair<QByteArray, Points>>;

constexpr SocketId Orders = 1;
constexpr SocketId Ticks = 2;

/// Eight messages, timestamps 1..8 ms: envelopes of ids a, b and c, a raw JSON message, MessagePack.
void fill(MessageStore &store)
{
    const auto json = [](const QByteArray &id, const QByteArray &body) {
        return Frames { id, "application/json", body };
    };
    const QList<std::pair<SocketId, Frames>> messages {
        { Orders, json("a", R"({"v": 1, "t": 100, "m": {"arr": [5, 6]}})") },
        { Orders, json("b", R"({"v": 2.5, "t": 90})") },
        { Orders, json("a", R"({"v": "high", "t": 110})") },
        { Orders, json("a", R"({"t": 120})") },
        { Orders, json("b", R"({"v": true, "t": 130, "m": {"arr": [7]}})") },
        { Ticks, Frames { R"({"v": 9})" } },
        // {"v": 4} in MessagePack: its mimetype decodes it.
        { Ticks, Frames { "a", "application/msgpack", QByteArray("\x81\xa1v\x04", 4) } },
        { Ticks, Frames { "c", "text/plain", "not json" } },
    };
    std::int64_t timestampUs = 0;
    for (const auto &[socket, frames] : messages)
        store.append(socket, Direction::In, timestampUs += 1000, frames);
}

SeriesList seriesOf(const PlotSampler &sampler, int key)
{
    SeriesList list;
    for (const PlotSeries &series : sampler.series(key)) {
        Points points;
        for (std::size_t i = 0; i < series.x.size(); ++i)
            points.append({ series.x[i], series.y[i] });
        list.append({ series.id, points });
    }
    return list;
}

JsonPath path(const QString &text)
{
    const Result<JsonPath> parsed = JsonPath::parse(text);
    if (!parsed)
        qFatal("bad path in the test: %s", qPrintable(parsed.errorMessage()));
    return *parsed;
}

} // namespace

class TestPlotSampler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pointsOfAField_data();
    void pointsOfAField();
    void evictedMessagesAreNotSeen();
    void pollsAreBoundedAndFieldsIndependent();
    void tooManyIdsAreCounted();
    void jsonPaths_data();
    void jsonPaths();
    void badJsonPaths_data();
    void badJsonPaths();
    void decimationKeepsSpikes();
    void decimationOfUnsortedAndFrozenSeries();
};

void TestPlotSampler::pointsOfAField_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("time");
    QTest::addColumn<std::optional<SocketId>>("socket");
    QTest::addColumn<std::optional<QByteArray>>("id");
    QTest::addColumn<SeriesList>("expected");
    QTest::addColumn<PlotCounts>("counts");

    const std::optional<SocketId> anySocket;
    const std::optional<QByteArray> anyId;
    // Receive time in ms: message N (from 0) came at N + 1 ms.
    QTest::newRow("every socket, one series per id")
        << u"json.v"_s << QString() << anySocket << anyId
        << SeriesList { { "a", { { 1, 1 }, { 7, 4 } } }, { "b", { { 2, 2.5 }, { 5, 1 } } },
               { "", { { 6, 9 } } } }
        << PlotCounts { 5, 2, 1, 0, 0 };
    QTest::newRow("one socket") << u"json.v"_s << QString() << std::optional<SocketId>(Orders) << anyId
                                << SeriesList { { "a", { { 1, 1 } } }, { "b", { { 2, 2.5 }, { 5, 1 } } } }
                                << PlotCounts { 3, 1, 1, 0, 0 };
    QTest::newRow("one id") << u"json.v"_s << QString() << anySocket << std::optional<QByteArray>("b")
                            << SeriesList { { "b", { { 2, 2.5 }, { 5, 1 } } } }
                            << PlotCounts { 2, 0, 0, 0, 0 };
    QTest::newRow("time field") << u"json.v"_s << u"json.t"_s << std::optional<SocketId>(Orders) << anyId
                                << SeriesList { { "a", { { 100, 1 } } },
                                       { "b", { { 90, 2.5 }, { 130, 1 } } } }
                                << PlotCounts { 3, 1, 1, 0, 0 };
    // The raw message and the MessagePack one have no t: without the field, as a missing value is.
    QTest::newRow("time field missing")
        << u"json.v"_s << u"json.t"_s << anySocket << anyId
        << SeriesList { { "a", { { 100, 1 } } }, { "b", { { 90, 2.5 }, { 130, 1 } } } }
        << PlotCounts { 3, 4, 1, 0, 0 };
    QTest::newRow("array element") << u"json.m.arr[1]"_s << QString() << anySocket << anyId
                                   << SeriesList { { "a", { { 1, 6 } } } } << PlotCounts { 1, 7, 0, 0, 0 };
    QTest::newRow("time field not numeric")
        << u"json.t"_s << u"json.v"_s << anySocket << anyId
        << SeriesList { { "a", { { 1, 100 } } }, { "b", { { 2.5, 90 }, { 1, 130 } } } }
        << PlotCounts { 3, 4, 1, 0, 0 };
}

void TestPlotSampler::pointsOfAField()
{
    QFETCH(QString, value);
    QFETCH(QString, time);
    QFETCH(std::optional<SocketId>, socket);
    QFETCH(std::optional<QByteArray>, id);
    QFETCH(SeriesList, expected);
    QFETCH(PlotCounts, counts);

    MessageStore store;
    PlotSampler sampler(store);
    PlotField field;
    field.value = path(value);
    if (!time.isEmpty())
        field.time = path(time);
    field.socket = socket;
    field.id = id;
    const int key = sampler.addField(field);
    QCOMPARE(*sampler.field(key), field);
    fill(store);
    QCOMPARE(sampler.backlog(), 8u);
    QVERIFY(!sampler.poll(100));
    QCOMPARE(sampler.backlog(), 0u);
    QCOMPARE(seriesOf(sampler, key), expected);
    QCOMPARE(sampler.counts(key), counts);
    // The series of time fields are not sorted when a sender's clock goes back.
    const std::vector<PlotSeries> &series = sampler.series(key);
    for (const PlotSeries &one : series)
        QCOMPARE(one.xSorted, std::is_sorted(one.x.cbegin(), one.x.cend()));

    // Nothing new: nothing changes.
    QVERIFY(!sampler.poll(100));
    QCOMPARE(sampler.counts(key), counts);
}

void TestPlotSampler::evictedMessagesAreNotSeen()
{
    // A chunk closes every 10 messages; at most 160 are kept.
    MessageStore::Limits limits;
    limits.maxMessages = 160;
    MessageStore store(limits);
    PlotSampler sampler(store);
    PlotField field;
    field.value = path(u"json.n"_s);
    const int key = sampler.addField(field);

    const auto append = [&store](int from, int to) {
        for (int n = from; n < to; ++n)
            store.append(Orders, Direction::In, std::int64_t(1000) * (n + 1),
                Frames { "x", "application/json", R"({"n": )" + QByteArray::number(n) + '}' });
    };
    append(0, 100);
    QVERIFY(sampler.poll(40)); // reads 0..39
    append(100, 1000);
    QVERIFY(store.firstSeq() > 40);
    while (sampler.poll(25)) { }
    const PlotCounts counts = sampler.counts(key);
    QCOMPARE(counts.notSeen + counts.points, 1000u);
    // Read: the first 40, then all the store held from then on; the rest was evicted before.
    QCOMPARE(counts.notSeen, store.firstSeq() - 40);
    const std::vector<PlotSeries> &series = sampler.series(key);
    QCOMPARE(series.size(), 1u);
    QCOMPARE(series.front().y.size(), counts.points);
    for (std::size_t i = 0; i < 40; ++i)
        QCOMPARE(series.front().y[i], double(i));
    for (std::size_t i = 40; i < series.front().y.size(); ++i)
        QCOMPARE(series.front().y[i], double(store.firstSeq() + (i - 40)));

    // A field added now starts at the oldest message held: nothing before it is "not seen".
    const int later = sampler.addField(field);
    while (sampler.poll(1000)) { }
    QCOMPARE(sampler.counts(later).notSeen, 0u);
    QCOMPARE(sampler.counts(later).points, store.size());
}

void TestPlotSampler::pollsAreBoundedAndFieldsIndependent()
{
    MessageStore store;
    fill(store);
    PlotSampler sampler(store);
    PlotField value;
    value.value = path(u"json.v"_s);
    const int first = sampler.addField(value);
    int polls = 1;
    while (sampler.poll(3))
        ++polls;
    QCOMPARE(polls, 3); // 3 + 3 + 2 messages
    PlotField time;
    time.value = path(u"json.t"_s);
    const int second = sampler.addField(time);
    QCOMPARE(sampler.backlog(), 8u);
    QVERIFY(!sampler.poll(100));
    QCOMPARE(sampler.counts(first).points, 5u); // not read twice
    QCOMPARE(sampler.counts(second).points, 5u);
    QCOMPARE(sampler.fieldKeys(), QList<int>({ first, second }));
    sampler.removeField(first);
    QCOMPARE(sampler.fieldKeys(), QList<int>({ second }));
    QVERIFY(sampler.series(first).empty());
    QCOMPARE(sampler.field(first), nullptr);
}

void TestPlotSampler::tooManyIdsAreCounted()
{
    MessageStore store;
    const int ids = PlotSampler::MaxSeriesPerField + 6;
    for (int n = 0; n < ids; ++n)
        store.append(Orders, Direction::In, n,
            Frames { "id-" + QByteArray::number(n), "application/json", "{\"v\": 1}" });
    PlotSampler sampler(store);
    PlotField field;
    field.value = path(u"json.v"_s);
    const int key = sampler.addField(field);
    QVERIFY(!sampler.poll(1000));
    QCOMPARE(sampler.series(key).size(), std::size_t(PlotSampler::MaxSeriesPerField));
    QCOMPARE(sampler.counts(key).otherIds, 6u);
    QCOMPARE(sampler.series(key).back().id, "id-" + QByteArray::number(PlotSampler::MaxSeriesPerField - 1));
}

void TestPlotSampler::jsonPaths_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("written");
    QTest::addColumn<QString>("document");
    QTest::addColumn<QString>("value");

    QTest::newRow("whole") << u"json"_s << u"json"_s << u"[1]"_s << u"[1]"_s;
    QTest::newRow("keys") << u"json.a.b"_s << u"json.a.b"_s << uR"({"a": {"b": 2}})"_s << u"2"_s;
    QTest::newRow("index") << u"json . a[1]"_s << u"json.a[1]"_s << uR"({"a": [1, true]})"_s << u"true"_s;
    QTest::newRow("quoted key") << uR"(json["a b"]["x\"y"])"_s << uR"(json["a b"]["x\"y"])"_s
                                << uR"({"a b": {"x\"y": "z"}})"_s << uR"("z")"_s;
    QTest::newRow("missing") << u"json.a[3]"_s << u"json.a[3]"_s << uR"({"a": [1]})"_s << QString();
}

void TestPlotSampler::jsonPaths()
{
    QFETCH(QString, text);
    QFETCH(QString, written);
    QFETCH(QString, document);
    QFETCH(QString, value);

    const Result<JsonPath> parsed = JsonPath::parse(text);
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->text(), written);
    QCOMPARE(JsonPath(parsed->steps()), *parsed);
    const QByteArray body = document.toUtf8();
    const QByteArrayView frames[] = { QByteArrayView(body) };
    FilterSubject subject;
    subject.frames = frames;
    const QJsonValue found = parsed->valueIn(JsonPath::documentOf(subject));
    if (value.isEmpty()) {
        QVERIFY(found.isUndefined());
        return;
    }
    const QByteArray wrapped = "[" + value.toUtf8() + "]";
    FilterSubject expectedSubject;
    const QByteArrayView expectedFrames[] = { QByteArrayView(wrapped) };
    expectedSubject.frames = expectedFrames;
    QCOMPARE(found, JsonPath::documentOf(expectedSubject).toArray().first());
}

void TestPlotSampler::badJsonPaths_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("not json") << u"id"_s
                              << u"at column 1: expected a JSON path such as json.a.b[2], found \"id\""_s;
    QTest::newRow("empty") << QString()
                           << u"at column 1: expected a JSON path such as json.a.b[2], found the end"_s;
    QTest::newRow("a comparison") << u"json.a == 1"_s
                                  << u"at column 8: unexpected \"==\" after the JSON path json.a"_s;
    QTest::newRow("negative index") << u"json.a[-1]"_s << u"at column 8: a JSON array index counts from 0"_s;
}

void TestPlotSampler::badJsonPaths()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const Result<JsonPath> parsed = JsonPath::parse(text);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code(), ErrorCode::InvalidFilter);
    QCOMPARE(parsed.errorMessage(), error);
}

void TestPlotSampler::decimationKeepsSpikes()
{
    PlotSeries series;
    for (int i = 0; i < 100000; ++i) {
        series.x.push_back(i);
        series.y.push_back(i == 50001 ? 1000.0 : i == 70003 ? -1000.0 : std::sin(i / 100.0));
    }
    const PlotSampler::Drawn all = PlotSampler::decimate(series, series.x.size(), 0, 99999, 200);
    QVERIFY(all.points.size() <= 2 * 200 + 2);
    QVERIFY(all.points.size() >= 200);
    QCOMPARE(all.yMax, 1000.0);
    QCOMPARE(all.yMin, -1000.0);
    QVERIFY(all.points.contains(QPointF(50001, 1000)));
    QVERIFY(all.points.contains(QPointF(70003, -1000)));
    QCOMPARE(all.points.first(), QPointF(0, 0));
    QCOMPARE(all.points.last(), QPointF(99999, series.y.back()));
    for (qsizetype i = 1; i < all.points.size(); ++i)
        QVERIFY(all.points[i - 1].x() < all.points[i].x());

    // Zoomed in: the points in view, one on each side, and no more than were there.
    const PlotSampler::Drawn zoomed = PlotSampler::decimate(series, series.x.size(), 100, 109, 1000);
    QCOMPARE(zoomed.points.size(), 12);
    QCOMPARE(zoomed.points.first().x(), 99.0);
    QCOMPARE(zoomed.points.last().x(), 110.0);

    QVERIFY(PlotSampler::decimate(series, series.x.size(), 200000, 300000, 100).points.size() <= 1);
    QVERIFY(PlotSampler::decimate(series, 0, 0, 99999, 100).points.isEmpty());
    QVERIFY(PlotSampler::decimate(series, series.x.size(), 0, 99999, 0).points.isEmpty());
}

void TestPlotSampler::decimationOfUnsortedAndFrozenSeries()
{
    PlotSeries series;
    series.xSorted = false;
    const double xs[] = { 5, 1, 9, 3, 20 };
    const double ys[] = { 50, 10, 90, 30, 200 };
    series.x.assign(std::begin(xs), std::end(xs));
    series.y.assign(std::begin(ys), std::end(ys));
    // Out of view (20) left out; one point per column, in x order.
    const PlotSampler::Drawn drawn = PlotSampler::decimate(series, 5, 0, 10, 10);
    QCOMPARE(drawn.points, QList<QPointF>({ { 1, 10 }, { 3, 30 }, { 5, 50 }, { 9, 90 } }));
    QCOMPARE(drawn.yMin, 10.0);
    QCOMPARE(drawn.yMax, 90.0);
    // Only the first three points (a paused plot draws what it had).
    const PlotSampler::Drawn frozen = PlotSampler::decimate(series, 3, 0, 10, 10);
    QCOMPARE(frozen.points, QList<QPointF>({ { 1, 10 }, { 5, 50 }, { 9, 90 } }));
}

QTEST_GUILESS_MAIN(TestPlotSampler)
#include "tst_plotsampler.moc"
