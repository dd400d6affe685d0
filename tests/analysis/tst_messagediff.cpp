// The message diff of issue 18 (point 5): JSON values compared field by field with paths, frames
// compared byte by byte, both bounded; and whole messages, decoded when both bodies decode (JSON text,
// or MessagePack by its mimetype), else by their bytes with the reason said.

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <zmqscope/analysis/messagediff.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

QJsonValue json(const QByteArray &text)
{
    // Wrapped so that bare scalars parse too.
    const QJsonDocument document = QJsonDocument::fromJson('[' + text + ']');
    if (!document.isArray() || document.array().size() != 1)
        qFatal("bad JSON in the test table: %s", text.constData());
    return document.array().first();
}

QString text(const QJsonValue &value)
{
    if (value.isUndefined())
        return u"-"_s;
    return QString::fromUtf8(QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact))
        .mid(1)
        .chopped(1);
}

/// "changed meta.seq 1 2": one change as a line the table can spell out.
QStringList lines(const JsonDiff &diff)
{
    QStringList result;
    for (const JsonChange &change : diff.changes)
        result.append(u"%1 %2 %3 %4"_s.arg(
            jsonChangeKindName(change.kind), change.path, text(change.oldValue), text(change.newValue)));
    return result;
}

/// "frame 0: 4->5 at 2 [2+1 4+1]": one frame's differences.
QStringList lines(const BytesDiff &diff)
{
    QStringList result;
    for (const FrameDiff &frame : diff.frames) {
        QStringList ranges;
        for (const ByteRange &range : frame.ranges)
            ranges.append(u"%1+%2"_s.arg(range.offset).arg(range.length));
        result.append(u"frame %1: %2->%3 at %4 [%5]"_s.arg(frame.frame)
                          .arg(frame.oldSize)
                          .arg(frame.newSize)
                          .arg(frame.firstDifference)
                          .arg(ranges.join(u' ')));
    }
    return result;
}

std::vector<QByteArrayView> views(const QList<QByteArray> &frames)
{
    return { frames.cbegin(), frames.cend() };
}

} // namespace

class TestMessageDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jsonDiff_data();
    void jsonDiff();
    void deepValues();
    void pathKeys_data();
    void pathKeys();
    void bytesDiff_data();
    void bytesDiff();
    void messages_data();
    void messages();
};

void TestMessageDiff::jsonDiff_data()
{
    QTest::addColumn<QByteArray>("older");
    QTest::addColumn<QByteArray>("newer");
    QTest::addColumn<int>("maxDepth");
    QTest::addColumn<int>("maxChanges");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<int>("omitted");
    QTest::addColumn<bool>("depthLimited");

    const int depth = MaxDecodeDepth;
    QTest::newRow("equal") << QByteArray(R"({"a": 1, "b": [1, {"c": null}]})")
                           << QByteArray(R"({"b": [1, {"c": null}], "a": 1})") << depth << 100
                           << QStringList() << 0 << false;
    QTest::newRow("whole scalar") << QByteArray("1") << QByteArray("2") << depth << 100
                                  << QStringList { u"changed  1 2"_s } << 0 << false;
    QTest::newRow("nested change") << QByteArray(R"({"meta": {"seq": 1, "ok": true}})")
                                   << QByteArray(R"({"meta": {"seq": 2, "ok": true}})") << depth << 100
                                   << QStringList { u"changed meta.seq 1 2"_s } << 0 << false;
    QTest::newRow("nested add") << QByteArray(R"({"meta": {}})") << QByteArray(R"({"meta": {"tag": "x"}})")
                                << depth << 100 << QStringList { u"added meta.tag - \"x\""_s } << 0 << false;
    QTest::newRow("nested remove") << QByteArray(R"({"a": {"b": {"c": [1], "d": 2}}})")
                                   << QByteArray(R"({"a": {"b": {"d": 2}}})") << depth << 100
                                   << QStringList { u"removed a.b.c [1] -"_s } << 0 << false;
    QTest::newRow("add, remove and change in key order")
        << QByteArray(R"({"b": 1, "c": 2, "d": 3})") << QByteArray(R"({"a": 0, "c": 5, "d": 3})") << depth
        << 100 << QStringList { u"added a - 0"_s, u"removed b 1 -"_s, u"changed c 2 5"_s } << 0 << false;
    QTest::newRow("array grows") << QByteArray("[1]") << QByteArray(R"([1, 2, "x"])") << depth << 100
                                 << QStringList { u"added [1] - 2"_s, u"added [2] - \"x\""_s } << 0 << false;
    QTest::newRow("array shrinks") << QByteArray(R"({"xs": [1, 2, 3]})") << QByteArray(R"({"xs": [1]})")
                                   << depth << 100
                                   << QStringList { u"removed xs[1] 2 -"_s, u"removed xs[2] 3 -"_s } << 0
                                   << false;
    QTest::newRow("array of objects")
        << QByteArray(R"({"items": [{"name": "a"}, {"name": "b"}, {"name": "c"}]})")
        << QByteArray(R"({"items": [{"name": "a"}, {"name": "b"}, {"name": "C"}]})") << depth << 100
        << QStringList { u"changed items[2].name \"c\" \"C\""_s } << 0 << false;
    QTest::newRow("arrays by index, not by content")
        << QByteArray("[1, 2]") << QByteArray("[0, 1, 2]") << depth << 100
        << QStringList { u"changed [0] 1 0"_s, u"changed [1] 2 1"_s, u"added [2] - 2"_s } << 0 << false;
    QTest::newRow("number to string") << QByteArray(R"({"v": 1})") << QByteArray(R"({"v": "1"})") << depth
                                      << 100 << QStringList { u"changed v 1 \"1\""_s } << 0 << false;
    QTest::newRow("object to array is one change")
        << QByteArray(R"({"v": {"a": 1}})") << QByteArray(R"({"v": [1]})") << depth << 100
        << QStringList { u"changed v {\"a\":1} [1]"_s } << 0 << false;
    QTest::newRow("null to value") << QByteArray(R"({"v": null})") << QByteArray(R"({"v": false})") << depth
                                   << 100 << QStringList { u"changed v null false"_s } << 0 << false;
    QTest::newRow("int and double that are equal") << QByteArray(R"({"v": 2})") << QByteArray(R"({"v": 2.0})")
                                                   << depth << 100 << QStringList() << 0 << false;
    QTest::newRow("key with a dot") << QByteArray(R"({"a.b": 1})") << QByteArray(R"({"a.b": 2})") << depth
                                    << 100 << QStringList { u"changed [\"a.b\"] 1 2"_s } << 0 << false;
    QTest::newRow("quoted key inside a path")
        << QByteArray(R"({"meta": {"x y": {"c": 1}}})") << QByteArray(R"({"meta": {"x y": {"c": 2}}})")
        << depth << 100 << QStringList { u"changed meta[\"x y\"].c 1 2"_s } << 0 << false;
    QTest::newRow("key with a quote")
        << QByteArray(R"({})") << QByteArray(R"({"say \"hi\"": 1})") << depth << 100
        << QStringList { u"added [\"say \\\"hi\\\"\"] - 1"_s } << 0 << false;
    QTest::newRow("depth bound: compared whole")
        << QByteArray(R"({"a": {"b": {"c": 1}}})") << QByteArray(R"({"a": {"b": {"c": 2}}})") << 2 << 100
        << QStringList { u"changed a.b {\"c\":1} {\"c\":2}"_s } << 0 << true;
    QTest::newRow("depth bound: equal whole")
        << QByteArray(R"({"a": {"b": {"c": 1}}, "z": 1})") << QByteArray(R"({"a": {"b": {"c": 1}}, "z": 2})")
        << 2 << 100 << QStringList { u"changed z 1 2"_s } << 0 << false;
    QTest::newRow("change-count bound")
        << QByteArray(R"({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1})")
        << QByteArray(R"({"a": 2, "b": 2, "c": 2, "d": 2, "e": 2})") << depth << 2
        << QStringList { u"changed a 1 2"_s, u"changed b 1 2"_s } << 3 << false;
    QTest::newRow("change-count bound counts nested")
        << QByteArray("[[1, 1], [1, 1]]") << QByteArray("[[2, 2], [2, 2], 3]") << depth << 1
        << QStringList { u"changed [0][0] 1 2"_s } << 4 << false;
}

void TestMessageDiff::jsonDiff()
{
    QFETCH(QByteArray, older);
    QFETCH(QByteArray, newer);
    QFETCH(int, maxDepth);
    QFETCH(int, maxChanges);
    QFETCH(QStringList, expected);
    QFETCH(int, omitted);
    QFETCH(bool, depthLimited);

    DiffLimits limits;
    limits.maxDepth = maxDepth;
    limits.maxChanges = maxChanges;
    const JsonDiff diff = diffJson(json(older), json(newer), limits);
    QCOMPARE(lines(diff), expected);
    QCOMPARE(diff.omitted, omitted);
    QCOMPARE(diff.depthLimited, depthLimited);
    QCOMPARE(diff.total(), expected.size() + omitted);
}

void TestMessageDiff::deepValues()
{
    // As deep as a decoder lets a value nest: the walk reaches the bottom and names the path.
    const auto nested = [](int value) {
        QJsonValue inner = value;
        for (int i = 0; i < MaxDecodeDepth - 1; ++i)
            inner = QJsonArray { inner };
        return inner;
    };
    const JsonDiff diff = diffJson(nested(1), nested(2));
    QCOMPARE(diff.changes.size(), 1);
    QCOMPARE(diff.changes.first().path, u"[0]"_s.repeated(MaxDecodeDepth - 1));
    QCOMPARE(diff.changes.first().newValue, QJsonValue(2));
    QVERIFY(!diff.depthLimited);
}

void TestMessageDiff::pathKeys_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");
    QTest::newRow("first") << QString() << u"seq"_s << u"seq"_s;
    QTest::newRow("nested") << u"meta"_s << u"_seq2"_s << u"meta._seq2"_s;
    QTest::newRow("digit first") << u"meta"_s << u"2nd"_s << u"meta[\"2nd\"]"_s;
    QTest::newRow("empty key") << QString() << QString() << u"[\"\"]"_s;
    QTest::newRow("control character") << u"a"_s << u"x\ny"_s << u"a[\"x\\ny\"]"_s;
    QTest::newRow("not ASCII") << u"a"_s << u"température"_s << u"a[\"température\"]"_s;
}

void TestMessageDiff::pathKeys()
{
    QFETCH(QString, path);
    QFETCH(QString, key);
    QFETCH(QString, expected);
    QCOMPARE(appendJsonPathKey(path, key), expected);
}

void TestMessageDiff::bytesDiff_data()
{
    QTest::addColumn<QList<QByteArray>>("older");
    QTest::addColumn<QList<QByteArray>>("newer");
    QTest::addColumn<int>("maxChanges");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<int>("omitted");

    const QByteArray base("0123456789abcdef");
    QByteArray oneByte = base;
    oneByte[5] = 'X';
    QByteArray close = base;
    close[2] = 'X';
    close[5] = 'X'; // 2 equal bytes between: one range
    QByteArray apart = base;
    apart[2] = 'X';
    apart[9] = 'X'; // 6 equal bytes between: two ranges
    QByteArray many = base;
    for (int i = 0; i < many.size(); i += 5)
        many[i] = 'X'; // offsets 0, 5, 10, 15

    QTest::newRow("equal") << QList<QByteArray> { "id", base } << QList<QByteArray> { "id", base } << 100
                           << QStringList() << 0;
    QTest::newRow("one byte") << QList<QByteArray> { "id", base } << QList<QByteArray> { "id", oneByte }
                              << 100 << QStringList { u"frame 1: 16->16 at 5 [5+1]"_s } << 0;
    QTest::newRow("close bytes join") << QList<QByteArray> { base } << QList<QByteArray> { close } << 100
                                      << QStringList { u"frame 0: 16->16 at 2 [2+4]"_s } << 0;
    QTest::newRow("distant bytes apart") << QList<QByteArray> { base } << QList<QByteArray> { apart } << 100
                                         << QStringList { u"frame 0: 16->16 at 2 [2+1 9+1]"_s } << 0;
    QTest::newRow("frame grows") << QList<QByteArray> { base } << QList<QByteArray> { base + "XYZ" } << 100
                                 << QStringList { u"frame 0: 16->19 at 16 [16+3]"_s } << 0;
    QTest::newRow("frame shrinks after a change")
        << QList<QByteArray> { base } << QList<QByteArray> { "01X345678" } << 100
        << QStringList { u"frame 0: 16->9 at 2 [2+1 9+7]"_s } << 0;
    QTest::newRow("change close to the end joins the tail")
        << QList<QByteArray> { base } << QList<QByteArray> { "01X3" } << 100
        << QStringList { u"frame 0: 16->4 at 2 [2+14]"_s } << 0;
    QTest::newRow("frame added") << QList<QByteArray> { "a", "b" } << QList<QByteArray> { "a", "b", "tail" }
                                 << 100 << QStringList { u"frame 2: -1->4 at 0 [0+4]"_s } << 0;
    QTest::newRow("frame removed") << QList<QByteArray> { "a", "b", "" } << QList<QByteArray> { "a" } << 100
                                   << QStringList { u"frame 1: 1->-1 at 0 [0+1]"_s,
                                          u"frame 2: 0->-1 at 0 []"_s }
                                   << 0;
    QTest::newRow("range bound") << QList<QByteArray> { base, base } << QList<QByteArray> { many, oneByte }
                                 << 3
                                 << QStringList { u"frame 0: 16->16 at 0 [0+1 5+1 10+1]"_s,
                                        u"frame 1: 16->16 at 5 []"_s }
                                 << 2;
}

void TestMessageDiff::bytesDiff()
{
    QFETCH(QList<QByteArray>, older);
    QFETCH(QList<QByteArray>, newer);
    QFETCH(int, maxChanges);
    QFETCH(QStringList, expected);
    QFETCH(int, omitted);

    DiffLimits limits;
    limits.maxChanges = maxChanges;
    const auto a = views(older);
    const auto b = views(newer);
    const BytesDiff diff = diffFrames(a, b, limits);
    QCOMPARE(diff.oldFrameCount, older.size());
    QCOMPARE(diff.newFrameCount, newer.size());
    QCOMPARE(lines(diff), expected);
    QCOMPARE(diff.omittedRanges, omitted);
    QCOMPARE(diff.isEmpty(), expected.isEmpty());
}

void TestMessageDiff::messages_data()
{
    QTest::addColumn<QList<QByteArray>>("older");
    QTest::addColumn<QList<QByteArray>>("newer");
    QTest::addColumn<bool>("decoded");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QStringList>("expected"); // JSON changes, or frame lines of the bytes diff
    QTest::addColumn<QString>("reason");

    QTest::newRow("JSON bodies") << QList<QByteArray> { "t", "application/json", R"({"seq": 1, "v": 2.5})" }
                                 << QList<QByteArray> { "t", "application/json", R"({"seq": 2, "v": 2.5})" }
                                 << true << u"JSON"_s << QStringList { u"changed seq 1 2"_s } << QString();
    QTest::newRow("JSON text without a JSON mimetype")
        << QList<QByteArray> { "t", "text/plain", "[1]" } << QList<QByteArray> { "t", "text/plain", "[1, 2]" }
        << true << u"JSON"_s << QStringList { u"added [1] - 2"_s } << QString();
    // {"seq": 1} and {"seq": 2, "ok": true} in MessagePack: a fixmap, fixstr keys, positive fixints.
    QTest::newRow("MessagePack by mimetype")
        << QList<QByteArray> { "", "t", "application/msgpack", QByteArray("\x81\xa3seq\x01") }
        << QList<QByteArray> { "", "t", "application/msgpack", QByteArray("\x82\xa3seq\x02\xa2ok\xc3") }
        << true << u"MessagePack"_s << QStringList { u"added ok - true"_s, u"changed seq 1 2"_s }
        << QString();
    QTest::newRow("binary bodies") << QList<QByteArray> { "b", "application/octet-stream",
        QByteArray("\x00\x01\x02",
            3) } << QList<QByteArray> { "b", "application/octet-stream", QByteArray("\x00\x07\x02", 3) }
                                   << false << QString() << QStringList { u"frame 2: 3->3 at 1 [1+1]"_s }
                                   << u"the older body is not JSON"_s;
    QTest::newRow("raw messages") << QList<QByteArray> { "heartbeat", "1" }
                                  << QList<QByteArray> { "heartbeat", "2" } << false << QString()
                                  << QStringList { u"frame 1: 1->1 at 0 [0+1]"_s }
                                  << u"the older message is a raw message"_s;
    QTest::newRow("newer body not JSON")
        << QList<QByteArray> { "t", "application/json", "{}" }
        << QList<QByteArray> { "t", "application/json", "{" } << false << QString()
        << QStringList { u"frame 2: 2->1 at 1 [1+1]"_s }
        << u"the newer body does not decode: JSON: at byte 1: unterminated object"_s;
}

void TestMessageDiff::messages()
{
    QFETCH(QList<QByteArray>, older);
    QFETCH(QList<QByteArray>, newer);
    QFETCH(bool, decoded);
    QFETCH(QString, format);
    QFETCH(QStringList, expected);
    QFETCH(QString, reason);

    const auto a = views(older);
    const auto b = views(newer);
    FilterSubject first;
    first.frames = a;
    FilterSubject second;
    second.frames = b;
    const MessageDiff diff = diffMessages(first, second, DecoderSet());
    QCOMPARE(diff.decoded, decoded);
    QCOMPARE(diff.olderFormat, format);
    QCOMPARE(diff.newerFormat, format);
    QCOMPARE(decoded ? lines(diff.json) : lines(diff.bytes), expected);
    QCOMPARE(diff.bytesReason, reason);
}

QTEST_GUILESS_MAIN(TestMessageDiff)
#include "tst_messagediff.moc"
