// The filter language of DESIGN.md section 12 (issue 17): a table of expressions over a set of
// messages that covers each field, operator and literal form, precedence, negative frame indexes,
// size units and missing fields; and a table of bad expressions with the column and reason each
// error names.

#include <optional>

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>
#include <QTest>

#include <zmqscope/analysis/filterexpression.h>
#include <zmqscope/capture/capture.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

struct Sample
{
    QList<QByteArray> frames;
    QString socket;
    QString type;
    Direction direction = Direction::In;
    QByteArray peer;
};

QList<Sample> samples()
{
    return {
        // 0, 1: JSON envelopes of a PUSH
        { { "order-1", "application/json",
              R"({"seq": 1, "price": 10.5, "tags": ["a", "b"], "meta": {"seq": 7, "ok": true}})" },
            u"orders"_s, u"PUSH"_s, Direction::In, {} },
        { { "order-2", "application/json",
              R"({"seq": 2, "price": 99, "tags": [], "meta": {"ok": false}, "note": null})" },
            u"orders"_s, u"PUSH"_s, Direction::In, {} },
        // 2: text
        { { "quote", "text/plain", "hello world" }, u"quotes"_s, u"PUB"_s, Direction::In, {} },
        // 3: one binary frame, sent
        { { QByteArray("\x01\x02\x03", 3) }, u"raw"_s, u"PAIR"_s, Direction::Out, {} },
        // 4: a routed envelope through a tap
        { { QByteArray("\x00\x6b\x8b", 3), "", "req-9", "application/json", "[1, 2, 3]" }, u"Quotes tap"_s,
            u"REQ"_s, Direction::ClientToServer, QByteArray("\x00\x6b\x8b\x45\x67", 5) },
        // 5: a big body
        { { "big", "application/octet-stream", QByteArray(5000, 'x') }, u"orders"_s, u"PUSH"_s, Direction::In,
            {} },
        // 6: a raw two-frame message
        { { "topic", "42" }, u"ticks"_s, u"SUB"_s, Direction::In, {} },
        // 7: a reply whose body is a bare JSON number
        { { "order-3", "application/json", "42" }, u"orders"_s, u"PUSH"_s, Direction::ServerToClient,
            QByteArray("\xab", 1) },
    };
}

QList<int> matching(const FilterExpression &expression)
{
    QList<int> indexes;
    const QList<Sample> all = samples();
    for (int i = 0; i < all.size(); ++i) {
        const Sample &sample = all.at(i);
        const FilterSubjectHolder subject(
            sample.frames, sample.direction, sample.peer, sample.socket, sample.type);
        if (expression.matches(subject.subject()))
            indexes.append(i);
    }
    return indexes;
}

} // namespace

class TestFilterExpression : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void regexOnBytesAsOnText();
    void quoteMatchesExactlyTheBytes_data();
    void quoteMatchesExactlyTheBytes();
    void matches_data();
    void matches();
    void errors_data();
    void errors();
    void plainWordsOrExpression_data();
    void plainWordsOrExpression();
    void decodedValueIsUsed();
    void copiesShareTheCompiledTree();
    void subjectOfACaptureRecord_data();
    void subjectOfACaptureRecord();
};

void TestFilterExpression::matches_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QList<int>>("expected");
    const auto row = [](const QString &expression, const QList<int> &expected) {
        QTest::newRow(qPrintable(expression)) << expression << expected;
    };
    // Fields and comparisons.
    row(u"id == \"order-1\""_s, { 0 });
    row(u"id != \"order-1\""_s, { 1, 2, 4, 5, 7 }); // raw messages have no id: not even != holds
    row(u"mimetype == \"application/json\""_s, { 0, 1, 4, 7 });
    row(u"socket == \"orders\""_s, { 0, 1, 5, 7 });
    row(u"type == \"PUB\""_s, { 2 });
    row(u"dir == \"c2s\""_s, { 4 });
    row(u"dir in {\"c2s\", \"s2c\"}"_s, { 4, 7 });
    row(u"peer == \"006b8b4567\""_s, { 4 });
    row(u"peer"_s, { 4, 7 });
    row(u"id in {\"quote\", \"big\"}"_s, { 2, 5 });
    row(u"id < \"order-2\""_s, { 0, 5 }); // bytes in order: "big" < "order-1" < "order-2" < "order-3" < ...
    row(u"id > \"order-2\""_s, { 2, 4, 7 });
    row(u"id <= \"big\""_s, { 5 });
    // Sizes, counts and units.
    row(u"size > 4k"_s, { 5 });
    row(u"size >= 1k and size < 1M"_s, { 5 });
    row(u"size < 10"_s, { 3, 6 });
    row(u"size == 3"_s, { 3 });
    row(u"size < 0.5G"_s, { 0, 1, 2, 3, 4, 5, 6, 7 });
    row(u"frames == 1"_s, { 3 });
    row(u"frames >= 5"_s, { 4 });
    // Frames, from the start and from the end.
    row(u"frame[0] == \"topic\""_s, { 6 });
    row(u"frame[-1] == \"42\""_s, { 6, 7 });
    row(u"frame[-1] == 42"_s, { 6, 7 }); // bytes compared with a number are read as one
    row(u"frame[0] == \"\\x00\\x6b\\x8b\""_s, { 4 }); // \xNN is a raw byte
    row(u"frame[1] == \"\""_s, { 4 });
    row(u"frame[9] == \"x\""_s, {});
    row(u"frame[-6]"_s, {});
    // Body, contains, matches.
    row(u"body contains \"world\""_s, { 2 });
    row(u"body matches \"^hel+o\""_s, { 2 });
    row(u"body"_s, { 0, 1, 2, 3, 4, 5, 6, 7 });
    row(u"id matches \"^order-[0-9]+$\""_s, { 0, 1, 7 });
    row(u"socket matches \"(?i)^quotes\""_s, { 2, 4 });
    row(u"mimetype contains \"json\" && json.seq"_s, { 0, 1 });
    // JSON paths, values of each kind, missing fields.
    row(u"json.seq == 1"_s, { 0 });
    row(u"json.seq > 1"_s, { 1 });
    row(u"json.meta.seq == 7"_s, { 0 });
    row(u"json[\"meta\"][\"seq\"] == 7"_s, { 0 });
    row(u"json.meta.ok == true"_s, { 0 });
    row(u"json.meta.ok == false"_s, { 1 });
    row(u"json.meta.ok"_s, { 0 });
    row(u"json.note == null"_s, { 1 });
    row(u"json.tags contains \"b\""_s, { 0 });
    row(u"json.tags"_s, { 0 }); // an empty array is false
    row(u"json.meta contains \"ok\""_s, { 0, 1 }); // an object contains its keys
    row(u"json[1] == 2"_s, { 4 });
    row(u"json == 42"_s, { 6, 7 }); // a raw message's body is its last frame
    row(u"json.price >= 10.5 and json.price < 100"_s, { 0, 1 });
    row(u"json.price == -3"_s, {});
    row(u"json.seq == \"1\""_s, {}); // a number is not the string "1"
    row(u"json.missing"_s, {});
    row(u"json.missing != 1"_s, {});
    row(u"not json.missing"_s, { 0, 1, 2, 3, 4, 5, 6, 7 });
    row(u"id == 7"_s, {});
    // Logic and precedence: not binds tighter than and, and tighter than or.
    row(u"not json.seq == 1"_s, { 1, 2, 3, 4, 5, 6, 7 });
    row(u"!(socket == \"orders\")"_s, { 2, 3, 4, 6 });
    row(u"socket == \"orders\" or type == \"PUB\" and dir == \"in\""_s, { 0, 1, 2, 5, 7 });
    row(u"(socket == \"orders\" or type == \"PUB\") and dir == \"in\""_s, { 0, 1, 2, 5 });
    row(u"type == \"REQ\" || type == \"PAIR\""_s, { 3, 4 });
    row(u"frames == 3 and not json"_s, { 2, 5 });
    row(u"not not id == \"big\""_s, { 5 });
}

void TestFilterExpression::matches()
{
    QFETCH(QString, expression);
    QFETCH(QList<int>, expected);
    const Result<FilterExpression> parsed = FilterExpression::parse(expression);
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    QCOMPARE(matching(*parsed), expected);
    QCOMPARE(parsed->text(), expression);
    static const QRegularExpression Strings(u"\"[^\"]*\""_s);
    QCOMPARE(parsed->usesJson(), QString(expression).remove(Strings).contains(u"json"_s));
}

void TestFilterExpression::errors_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("reason");
    const auto row = [](const QString &expression, int column, const QString &reason) {
        QTest::newRow(qPrintable(expression)) << expression << column << reason;
    };
    row(u"id =="_s, 6,
        u"expected a value after \"==\" (a \"string\", a number, true, false or null), found the end"_s);
    row(u"size > \"x\" and id =="_s, 21, u"expected a value after \"==\""_s);
    row(u"id = \"x\""_s, 4, u"\"=\" is not an operator; compare with \"==\""_s);
    row(u"id & size"_s, 4, u"\"&\" is not an operator"_s);
    row(u"foo == 1"_s, 1, u"unknown field \"foo\""_s);
    row(u"body matches \"((\""_s, 17, u"bad regular expression: missing closing parenthesis"_s);
    row(u"body matches 3"_s, 14, u"expected a \"regular expression\" in quotes after \"matches\""_s);
    row(u"(id == \"a\""_s, 11, u"expected \")\" to close the \"(\" at column 1, found the end"_s);
    row(u"()"_s, 2, u"empty parentheses"_s);
    row(u"frame == \"a\""_s, 7, u"frame needs an index"_s);
    row(u"frame[x]"_s, 7, u"expected a whole number as the index of frame"_s);
    row(u"frame[1.5]"_s, 7, u"expected a whole number as the index of frame"_s);
    row(u"frame[1"_s, 8, u"expected \"]\" after the index of frame"_s);
    row(u"size > 4kb"_s, 10, u"\"b\" after a number: units are k, M and G (x1024)"_s);
    row(u"id == \"abc"_s, 7, u"the string that starts here has no closing \""_s);
    row(u"id == \"a\\q\""_s, 9, u"unknown escape \\q in a string"_s);
    row(u"id == \"\\x4\""_s, 8, u"\\x needs 2 hex digits"_s);
    row(u"id == \"a\" and"_s, 14, u"expected a condition after \"and\""_s);
    row(u"not"_s, 4, u"expected a condition after \"not\""_s);
    row(u"id == \"a\" id == \"b\""_s, 11,
        u"unexpected \"id\" after a complete expression; join conditions with \"and\" or \"or\""_s);
    row(QString(), 1, u"the filter is empty"_s);
    row(u"dir in {\"in\", }"_s, 15, u"expected a value after \",\""_s);
    row(u"dir in \"in\""_s, 8, u"expected \"{\" after \"in\""_s);
    row(u"dir in {\"in\" \"out\"}"_s, 14, u"expected \",\" or \"}\" in the set that starts at column 8"_s);
    row(u"json."_s, 6, u"expected a key after \".\" in json"_s);
    row(u"json[-1] == 1"_s, 6, u"a JSON array index counts from 0"_s);
    row(u"\"x\" == id"_s, 1, u"expected a field, \"not\" or \"(\", found a string"_s);
    row(u"id == \"a\" $"_s, 11, u"unexpected character \"$\""_s);
}

void TestFilterExpression::errors()
{
    QFETCH(QString, expression);
    QFETCH(int, column);
    QFETCH(QString, reason);
    const Result<FilterExpression> parsed = FilterExpression::parse(expression);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code(), ErrorCode::InvalidFilter);
    const QString message = parsed.errorMessage();
    QVERIFY2(message.startsWith(u"at column %1: "_s.arg(column)), qPrintable(message));
    QVERIFY2(message.contains(reason), qPrintable(message));
    QCOMPARE(filterErrorColumn(parsed.error()), column);
}

void TestFilterExpression::plainWordsOrExpression_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("expression");
    QTest::newRow("a word") << u"timeout"_s << false;
    QTest::newRow("words") << u"hello world"_s << false;
    QTest::newRow("a comparison") << u"size > 3"_s << true;
    QTest::newRow("a path") << u"json.seq"_s << true;
    QTest::newRow("a subscript") << u"frame[0] == \"a\""_s << true;
    QTest::newRow("contains") << u"body contains \"x\""_s << true;
    QTest::newRow("a field and a condition") << u"peer and size > 1"_s << true;
    QTest::newRow("no space") << u"id==\"a\""_s << true;
    QTest::newRow("a field alone") << u"peer"_s << false;
    QTest::newRow("a field and a word") << u"type error"_s << false;
    QTest::newRow("a field and a dash") << u"id-19"_s << false;
    QTest::newRow("a field and a word like a keyword") << u"id inner"_s << false;
    QTest::newRow("not") << u"not id == \"a\""_s << true;
    QTest::newRow("nothing") << u"nothing"_s << false;
    QTest::newRow("bang") << u"!peer"_s << true;
    QTest::newRow("parenthesis") << u" (size > 3)"_s << true;
    QTest::newRow("a field's prefix") << u"identity"_s << false;
    QTest::newRow("a number") << u"42"_s << false;
    QTest::newRow("empty") << QString() << false;
}

void TestFilterExpression::plainWordsOrExpression()
{
    QFETCH(QString, text);
    QFETCH(bool, expression);
    QCOMPARE(FilterExpression::looksLikeExpression(text), expression);
}

void TestFilterExpression::decodedValueIsUsed()
{
    // A decoder's value stands for the body: json fields read it, the bytes stay what they are.
    const Result<FilterExpression> parsed
        = FilterExpression::parse(u"json.temperature > 20 and body contains \"\\x82\""_s);
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    const QList<QByteArray> frames { "sensor", "application/cbor", QByteArray("\xa1\x6b\x82", 3) };
    const std::vector<QByteArrayView> views(frames.cbegin(), frames.cend());
    const QJsonValue decoded = QJsonDocument::fromJson(R"({"temperature": 21.5})").object();
    FilterSubject subject;
    subject.frames = views;
    QVERIFY(!parsed->matches(subject)); // the body is not JSON text
    subject.decoded = &decoded;
    QVERIFY(parsed->matches(subject));
}

void TestFilterExpression::copiesShareTheCompiledTree()
{
    // The filter worker takes a copy; the box's own expression may be gone by the time it scans.
    std::optional<FilterExpression> copy;
    {
        const Result<FilterExpression> parsed
            = FilterExpression::parse(u"socket matches \"^ord\" and (json.seq >= 2 or id == \"big\")"_s);
        QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
        copy.emplace(*parsed);
    }
    QCOMPARE(matching(*copy), (QList<int> { 1, 5 }));
    QVERIFY(copy->usesJson());
}

void TestFilterExpression::subjectOfACaptureRecord_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<bool>("plain"); // matches the plain record
    QTest::addColumn<bool>("encrypted"); // matches the encrypted one
    QTest::newRow("socket") << u"socket == \"Quotes tap\""_s << true << true;
    QTest::newRow("type") << u"type == \"REQ\""_s << true << true;
    QTest::newRow("dir") << u"dir == \"c2s\""_s << true << true;
    QTest::newRow("peer") << u"peer == \"006b\""_s << true << true;
    QTest::newRow("id") << u"id == \"req-9\""_s << true << false;
    QTest::newRow("json") << u"json.seq == 3"_s << true << false;
    // An encrypted line has no frames: its size is the line's.
    QTest::newRow("size of the frames") << u"size == 31"_s << true << false;
    QTest::newRow("size of the line") << u"size == 4000"_s << false << true;
    QTest::newRow("frames") << u"frames == 3"_s << true << false;
}

void TestFilterExpression::subjectOfACaptureRecord()
{
    QFETCH(QString, expression);
    QFETCH(bool, plain);
    QFETCH(bool, encrypted);
    const Result<FilterExpression> parsed = FilterExpression::parse(expression);
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    CaptureRecord record;
    record.socket = u"Quotes tap"_s;
    record.type = u"REQ"_s;
    record.direction = Direction::ClientToServer;
    record.peer = QByteArray("\x00\x6b", 2);
    record.frames = { "req-9", "application/json", R"({"seq": 3})" };
    QCOMPARE(parsed->matches(FilterSubjectHolder(record).subject()), plain);
    CaptureRecord curve = record;
    curve.frames.clear();
    curve.encrypted = true;
    curve.size = 4000;
    QCOMPARE(parsed->matches(FilterSubjectHolder(curve).subject()), encrypted);
}

void TestFilterExpression::regexOnBytesAsOnText()
{
    // `matches` runs PCRE2 straight on ASCII frames and QRegularExpression on the frame as text
    // otherwise: every pattern must say the same as QRegularExpression on QString::fromUtf8(frame).
    const QStringList patterns { u"^order-[0-9]+$"_s, u"(?i)^order"_s, u"\\w+\\.\\w+"_s, u"caf.$"_s,
        u"\u00e9"_s, u"\\x{e9}"_s, u"a$"_s, u"(?m)^b"_s, u"^$"_s, u"."_s, u"\\bkitchen\\b"_s, u"(?s)a.b"_s,
        u"^(a|b)*$"_s, u"\\p{L}+"_s, u"[^a-z]"_s, u"(?i)K"_s };
    const QList<QByteArray> subjects { "order-17", "ORDER-17", "", "caf\xc3\xa9", "caf\xff", "a\nb",
        "telemetry.kitchen.3", QByteArray("\x00\x01", 2), QByteArray(200'000, 'a') + 'c',
        QByteArray(200'000, 'a') };
    for (const QString &pattern : patterns) {
        const QRegularExpression reference(pattern);
        QVERIFY2(reference.isValid(), qPrintable(pattern));
        const Result<FilterExpression> expression
            = FilterExpression::parse(QString(u"id matches "_s + FilterExpression::quote(pattern.toUtf8())));
        QVERIFY2(expression, qPrintable(expression.errorMessage()));
        for (const QByteArray &id : subjects) {
            const QByteArrayView frames[] = { id, "text/plain", "body" };
            FilterSubject subject;
            subject.frames = frames;
            const bool expected = reference.match(QString::fromUtf8(id)).hasMatch();
            QVERIFY2(expression->matches(subject) == expected,
                qPrintable(u"%1 on %2 (%3 bytes): expected %4"_s.arg(pattern,
                    QString::fromLatin1(id.left(20).toPercentEncoding()), QString::number(id.size()),
                    expected ? u"a match"_s : u"no match"_s)));
        }
    }
}

void TestFilterExpression::quoteMatchesExactlyTheBytes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("quoted");
    QTest::newRow("plain") << QByteArray("order-1") << u"\"order-1\""_s;
    QTest::newRow("quote and backslash") << QByteArray("a\"b\\c") << u"\"a\\\"b\\\\c\""_s;
    QTest::newRow("utf-8 kept") << QByteArray("caf\xc3\xa9") << u"\"caf\u00e9\""_s;
    QTest::newRow("binary as bytes") << QByteArray("\x00\x6b\x8b\xff", 4) << u"\"\\x00k\\x8b\\xff\""_s;
    QTest::newRow("control") << QByteArray("a\nb") << u"\"a\\x0ab\""_s;
}

void TestFilterExpression::quoteMatchesExactlyTheBytes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, quoted);
    QCOMPARE(FilterExpression::quote(bytes), quoted);
    // The quoted text as an id filter matches exactly a message with that id.
    const Result<FilterExpression> expression = FilterExpression::parse(QString(u"id == "_s + quoted));
    QVERIFY2(expression, qPrintable(expression.errorMessage()));
    const QByteArrayView frames[] = { bytes, "text/plain", "body" };
    FilterSubject subject;
    subject.frames = frames;
    QVERIFY(expression->matches(subject));
    const QByteArrayView other[]
        = { QByteArrayView(bytes.constData(), bytes.size() - 1), "text/plain", "body" };
    subject.frames = other;
    QVERIFY(!expression->matches(subject));
}

QTEST_GUILESS_MAIN(TestFilterExpression)
#include "tst_filterexpression.moc"
