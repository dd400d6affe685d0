// Gaps, duplicates and reordering in a sequence field (issue 18), and JSON paths.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/analysis/sequencecheck.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

/// "gap 2>5 -2" (after 2 got 5, 2 missing), "duplicate 5>5", "reordered 5>3": the findings of a stream.
QString findingText(const SequenceFinding &finding)
{
    QString text = u"%1 %2>%3"_s.arg(QString::fromLatin1(sequenceFindingName(finding.kind)))
                       .arg(finding.after)
                       .arg(finding.got);
    if (finding.kind == SequenceFinding::Kind::Gap)
        text += u" -%1"_s.arg(finding.missing);
    return text;
}

} // namespace

class TestSequenceCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneStream_data()
    {
        QTest::addColumn<QList<qint64>>("values");
        QTest::addColumn<QStringList>("findings");
        QTest::addColumn<QList<qint64>>("summary"); // missing, duplicates, reordered

        QTest::newRow("in order") << QList<qint64> { 1, 2, 3, 4 } << QStringList {}
                                  << QList<qint64> { 0, 0, 0 };
        QTest::newRow("starts anywhere")
            << QList<qint64> { 99, 100 } << QStringList {} << QList<qint64> { 0, 0, 0 };
        QTest::newRow("one gap") << QList<qint64> { 1, 2, 5, 6 } << QStringList { u"gap 2>5 -2"_s }
                                 << QList<qint64> { 2, 0, 0 };
        QTest::newRow("two gaps") << QList<qint64> { 1, 3, 10 }
                                  << QStringList { u"gap 1>3 -1"_s, u"gap 3>10 -6"_s }
                                  << QList<qint64> { 7, 0, 0 };
        QTest::newRow("duplicate") << QList<qint64> { 1, 2, 2, 3 } << QStringList { u"duplicate 2>2"_s }
                                   << QList<qint64> { 0, 1, 0 };
        QTest::newRow("old duplicate") << QList<qint64> { 1, 2, 3, 1 } << QStringList { u"duplicate 3>1"_s }
                                       << QList<qint64> { 0, 1, 0 };
        QTest::newRow("swapped") << QList<qint64> { 1, 3, 2, 4 }
                                 << QStringList { u"gap 1>3 -1"_s, u"reordered 3>2"_s }
                                 << QList<qint64> { 0, 0, 1 };
        QTest::newRow("late, then its duplicate")
            << QList<qint64> { 1, 4, 2, 2, 5 }
            << QStringList { u"gap 1>4 -2"_s, u"reordered 4>2"_s, u"duplicate 2>2"_s }
            << QList<qint64> { 1, 1, 1 };
        QTest::newRow("gap after a late one counts from the highest")
            << QList<qint64> { 1, 5, 3, 8 }
            << QStringList { u"gap 1>5 -3"_s, u"reordered 5>3"_s, u"gap 5>8 -2"_s }
            << QList<qint64> { 4, 0, 1 };
        QTest::newRow("middle of a gap filled")
            << QList<qint64> { 0, 10, 5, 4, 6 }
            << QStringList { u"gap 0>10 -9"_s, u"reordered 10>5"_s, u"reordered 5>4"_s, u"reordered 4>6"_s }
            << QList<qint64> { 6, 0, 3 };
        QTest::newRow("restart from below")
            << QList<qint64> { 5, 6, 1 } << QStringList { u"duplicate 6>1"_s } << QList<qint64> { 0, 1, 0 };
        QTest::newRow("negative numbers")
            << QList<qint64> { -3, -2, 0 } << QStringList { u"gap -2>0 -1"_s } << QList<qint64> { 1, 0, 0 };
    }
    void oneStream()
    {
        QFETCH(const QList<qint64>, values);
        QFETCH(const QStringList, findings);
        QFETCH(const QList<qint64>, summary);
        SequenceChecker checker;
        QStringList found;
        std::uint64_t number = 0;
        for (const qint64 value : values) {
            if (const auto finding = checker.add(++number, 1, Direction::In, "id", value)) {
                QCOMPARE(finding->number, number);
                found << findingText(*finding);
            }
        }
        QCOMPARE(found, findings);
        const SequenceSummary totals = checker.summary();
        QCOMPARE(totals.streams, std::uint64_t(1));
        QCOMPARE(totals.messages, std::uint64_t(values.size()));
        QCOMPARE(
            (QList<qint64> { qint64(totals.missing), qint64(totals.duplicates), qint64(totals.reordered) }),
            summary);
    }

    void streamsApart_data()
    {
        QTest::addColumn<bool>("bySocket");
        QTest::addColumn<int>("streams");
        QTest::addColumn<int>("findings");
        // Ids a and b each count 1, 2, 3 on socket 1; by socket alone they interleave into duplicates.
        QTest::newRow("socket and id") << false << 2 << 0;
        QTest::newRow("socket") << true << 1 << 3;
    }
    void streamsApart()
    {
        QFETCH(const bool, bySocket);
        QFETCH(const int, streams);
        QFETCH(const int, findings);
        SequenceChecker checker(bySocket ? SequenceStreams::BySocket : SequenceStreams::BySocketAndId);
        int found = 0;
        std::uint64_t number = 0;
        for (qint64 value = 1; value <= 3; ++value) {
            for (const QByteArrayView id : { QByteArrayView("a"), QByteArrayView("b") })
                found += checker.add(++number, 1, Direction::In, id, value) ? 1 : 0;
        }
        QCOMPARE(found, findings);
        QCOMPARE(checker.summary().streams, std::uint64_t(streams));
        QCOMPARE(checker.streams().front().id, bySocket ? QByteArray() : QByteArray("a"));
        // Another socket, and the other direction of the same socket, are streams of their own.
        (void)checker.add(++number, 2, Direction::In, "a", 7);
        (void)checker.add(++number, 1, Direction::Out, "a", 7);
        QCOMPARE(checker.summary().streams, std::uint64_t(streams + 2));
        checker.addWithoutField();
        QCOMPARE(checker.summary().withoutField, std::uint64_t(1));
        checker.clear();
        QCOMPARE(checker.summary().streams, std::uint64_t(0));
    }

    void sequenceNumbers_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<qint64>("expected"); // -999 for none
        QTest::newRow("integer") << QByteArray("{\"v\": 17}") << qint64(17);
        QTest::newRow("negative") << QByteArray("{\"v\": -4}") << qint64(-4);
        QTest::newRow("2^53") << QByteArray("{\"v\": 9007199254740992}") << qint64(9007199254740992);
        QTest::newRow("above 2^53") << QByteArray("{\"v\": 1e17}") << qint64(-999);
        QTest::newRow("fraction") << QByteArray("{\"v\": 1.5}") << qint64(-999);
        QTest::newRow("string") << QByteArray("{\"v\": \"17\"}") << qint64(-999);
        QTest::newRow("missing") << QByteArray("{\"w\": 1}") << qint64(-999);
        QTest::newRow("null") << QByteArray("{\"v\": null}") << qint64(-999);
    }
    void sequenceNumbers()
    {
        QFETCH(const QByteArray, json);
        QFETCH(const qint64, expected);
        const QJsonValue value = QJsonDocument::fromJson(json).object().value(u"v"_s);
        const std::optional<std::int64_t> number = SequenceChecker::sequenceNumber(value);
        QCOMPARE(number ? qint64(*number) : qint64(-999), expected);
    }

    void paths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("error"); // the start of the error, empty when it parses
        QTest::addColumn<QString>("written"); // text(): the filter language's json field
        QTest::addColumn<QString>("value"); // what it reads from the document below, compact JSON

        QTest::newRow("key") << u"seq"_s << QString() << u"json.seq"_s << u"7"_s;
        QTest::newRow("json. prefix") << u"json.seq"_s << QString() << u"json.seq"_s << u"7"_s;
        QTest::newRow("nested") << u"meta.seq"_s << QString() << u"json.meta.seq"_s << u"3"_s;
        QTest::newRow("index") << u"items[1].n"_s << QString() << u"json.items[1].n"_s << u"20"_s;
        QTest::newRow("quoted key") << u"[\"a.b\"]"_s << QString() << u"json[\"a.b\"]"_s << u"\"dot\""_s;
        QTest::newRow("missing") << u"meta.nope"_s << QString() << u"json.meta.nope"_s << QString();
        QTest::newRow("index past the end") << u"items[5]"_s << QString() << u"json.items[5]"_s << QString();
        QTest::newRow("key of an array") << u"items.n"_s << QString() << u"json.items.n"_s << QString();
        QTest::newRow("double dot") << u"a..b"_s << u"at column 3:"_s << QString() << QString();
        QTest::newRow("open bracket") << u"a[1"_s << u"at column 4:"_s << QString() << QString();
        QTest::newRow("negative index") << u"a[-1]"_s << u"at column 3:"_s << QString() << QString();
        QTest::newRow("space") << u"a b"_s << u"at column 3:"_s << QString() << QString();
        QTest::newRow("prefixed, bad") << u"json.a..b"_s << u"at column 8:"_s << QString() << QString();
    }
    void paths()
    {
        QFETCH(const QString, path);
        QFETCH(const QString, error);
        QFETCH(const QString, written);
        QFETCH(const QString, value);
        const Result<JsonPath> parsed = JsonPath::parseField(path);
        if (!error.isEmpty()) {
            QVERIFY(!parsed);
            QVERIFY2(parsed.errorMessage().startsWith(error), qPrintable(parsed.errorMessage()));
            return;
        }
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.errorMessage()));
        QCOMPARE(parsed->text(), written);
        QCOMPARE(*JsonPath::parse(parsed->text()), *parsed);
        QCOMPARE(*JsonPath::parseField(parsed->text()), *parsed);
        const QJsonValue document = parseJsonText(
            "{\"seq\": 7, \"meta\": {\"seq\": 3}, \"items\": [{\"n\": 10}, {\"n\": 20}], \"a.b\": \"dot\"}");
        const QJsonValue read = parsed->valueIn(document);
        QCOMPARE(read.isUndefined()
                ? QString()
                : QString::fromUtf8(
                    QJsonDocument(QJsonArray { read }).toJson(QJsonDocument::Compact).chopped(1).mid(1)),
            value);
    }

    void jsonText_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("json");
        QTest::newRow("object") << QByteArray(" {\"a\": 1} \n") << true;
        QTest::newRow("array") << QByteArray("[1, 2]") << true;
        QTest::newRow("number") << QByteArray("42") << true;
        QTest::newRow("string") << QByteArray("\"x\"") << true;
        QTest::newRow("text") << QByteArray("hello") << false;
        QTest::newRow("cut object") << QByteArray("{\"a\": ") << false;
        QTest::newRow("empty") << QByteArray("  ") << false;
        QTest::newRow("two values") << QByteArray("1 2") << false;
    }
    void jsonText()
    {
        QFETCH(const QByteArray, text);
        QFETCH(const bool, json);
        QCOMPARE(!parseJsonText(text).isUndefined(), json);
    }
};

QTEST_GUILESS_MAIN(TestSequenceCheck)
#include "tst_sequencecheck.moc"
