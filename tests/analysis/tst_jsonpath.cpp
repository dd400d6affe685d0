// The filter's fast `json.` path (issue 17's speed goal): scanJsonPath() reads a path's scalar from
// JSON text without a QJsonDocument, and must agree with QJsonDocument (and the walk the filter does
// over it) wherever it answers. A table of bodies where it must answer or must hand over to the
// parser, generated bodies compared with the parser, and expressions over the same bodies evaluated
// both ways through FilterExpression.

#include <functional>
#include <vector>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

#include <zmqscope/analysis/filterexpression.h>
#include <zmqscope/analysis/filtersubject.h>

#include "../../core/analysis/src/jsonscan_p.h" // the analysis part's private scanner

using namespace Qt::StringLiterals;
using namespace zmqscope;
using filter::JsonScalar;
using filter::PathStep;

namespace {

/// "a.b[2].c" as path steps (keys of letters, digits and '_').
std::vector<PathStep> pathOf(const QString &text)
{
    std::vector<PathStep> path;
    static const QRegularExpression Step(u"\\.?([A-Za-z0-9_]+)|\\[(\\d+)\\]"_s);
    QRegularExpressionMatchIterator steps = Step.globalMatch(text);
    while (steps.hasNext()) {
        const QRegularExpressionMatch step = steps.next();
        if (step.capturedLength(2) > 0)
            path.emplace_back(QString(), step.captured(2).toLongLong());
        else
            path.emplace_back(step.captured(1), -1);
    }
    return path;
}

/// The value the filter's parsing path finds: the document of an object or array body, walked.
QJsonValue parsedValue(const QByteArray &body, const std::vector<PathStep> &path)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    QJsonValue value = document.isObject() ? QJsonValue(document.object())
        : document.isArray()               ? QJsonValue(document.array())
                                           : QJsonValue(QJsonValue::Undefined);
    // QJsonValue's subscripts give Undefined for a key of a non-object or an index of a non-array.
    for (const PathStep &step : path)
        value = step.index >= 0 ? value[step.index] : value[step.key];
    return value;
}

/// Empty when the scanner's answer is the parser's (or the scanner is unsure), else what differs.
QString disagreement(const JsonScalar &scanned, const QJsonValue &parsed)
{
    const auto differs = [&](const QString &what) {
        return u"scanner: %1, parser: %2"_s.arg(
            what, QString::fromUtf8(QJsonDocument(QJsonArray { parsed }).toJson(QJsonDocument::Compact)));
    };
    switch (scanned.kind) {
    case JsonScalar::Kind::Unsure:
        return {};
    case JsonScalar::Kind::Missing:
        return parsed.isUndefined() ? QString() : differs(u"missing"_s);
    case JsonScalar::Kind::Null:
        return parsed.isNull() ? QString() : differs(u"null"_s);
    case JsonScalar::Kind::Bool:
        return parsed.isBool() && parsed.toBool() == scanned.boolean
            ? QString()
            : differs(u"bool %1"_s.arg(scanned.boolean));
    case JsonScalar::Kind::Number:
        return parsed.isDouble() && parsed.toDouble() == scanned.number
            ? QString()
            : differs(u"number %1"_s.arg(scanned.number, 0, 'g', 17));
    case JsonScalar::Kind::String:
        return parsed.isString() && parsed.toString() == QString::fromLatin1(scanned.text)
            ? QString()
            : differs(u"string %1"_s.arg(QString::fromLatin1(scanned.text)));
    }
    return u"unknown kind"_s;
}

/// Whether `expression` matches a message whose body is `body`, read from the text (the fast path
/// where it answers) or, with `asDecoded`, from the parser's value handed over as a decoded body.
bool matchesBody(const FilterExpression &expression, const QByteArray &body, bool asDecoded)
{
    const Frames frames { "id-1", "application/json", body };
    const FilterSubjectHolder holder(frames);
    if (!asDecoded)
        return expression.matches(holder.subject());
    const QJsonDocument document = QJsonDocument::fromJson(body);
    const QJsonValue decoded = document.isObject() ? QJsonValue(document.object())
        : document.isArray()                       ? QJsonValue(document.array())
                                                   : QJsonValue(QJsonValue::Undefined);
    FilterSubject subject = holder.subject();
    subject.decoded = &decoded;
    return expression.matches(subject);
}

} // namespace

class TestJsonPath : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scan_data();
    void scan();
    void generatedBodiesAgreeWithTheParser();
    void expressionsAgreeWithTheParser_data();
    void expressionsAgreeWithTheParser();
    void bareScalars_data();
    void bareScalars();
};

void TestJsonPath::scan_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("unsure"); // the scanner must hand over to the parser

    const auto answers = [](const char *name, const QByteArray &body, const QString &path) {
        QTest::newRow(name) << body << path << false;
    };
    const auto handsOver = [](const char *name, const QByteArray &body, const QString &path) {
        QTest::newRow(name) << body << path << true;
    };
    // Answers, each kind of scalar and of path.
    answers("number", R"({"seq":99001,"text":"temp ok"})", u"seq"_s);
    answers("string", R"({"seq":1,"text":"temp ok"})", u"text"_s);
    answers("true", R"({"a":true,"b":null})", u"a"_s);
    answers("false", R"({"a":false})", u"a"_s);
    answers("null", R"({"a":true,"b":null})", u"b"_s);
    answers("missing key", R"({"a":1})", u"b"_s);
    answers("nested", R"({"a":{"b":[1,{"c":2.5}]}})", u"a.b[1].c"_s);
    answers("index past the end", R"({"a":[1]})", u"a[3]"_s);
    answers("key of an array", R"({"a":[1]})", u"a.x"_s);
    answers("index of an object", R"({"a":{"0":1}})", u"a[0]"_s);
    answers("path through a scalar", R"({"a":5})", u"a.b"_s);
    answers("top-level array", R"([1,2,{"a":3}])", u"[2].a"_s);
    answers("whitespace", "{ \"a\" :\t[ 1 ,\r\n 2 ] }", u"a[1]"_s);
    answers("empty containers", R"({"x":{},"y":[],"a":[]})", u"a[0]"_s);
    answers("same key deeper", R"({"b":{"a":1},"a":2})", u"a"_s);
    // QJsonDocument keeps a repeated key's last value.
    answers("repeated key", R"({"a":1,"a":2})", u"a"_s);
    answers("repeated key, first has the path", R"({"a":{"b":1},"a":{"c":1}})", u"a.b"_s);
    answers("repeated key, last is a scalar", R"({"a":{"b":1},"a":5})", u"a.b"_s);
    answers("repeated key, last has the path", R"({"a":5,"a":{"b":3}})", u"a.b"_s);
    answers("repeated outer key", R"({"a":{"b":1},"x":0,"a":{"b":2,"b":3}})", u"a.b"_s);
    // Escapes the scanner skips over.
    answers("escapes elsewhere", R"({"t":"line\n\"q\" \\ \/ \b\f\r\t","a":1})", u"a"_s);
    answers("escaped key off the path", R"({"x":{"k\n":1},"a":2})", u"a"_s);
    // Numbers.
    answers("minus zero", R"({"a":-0})", u"a"_s);
    answers("exponent", R"({"a":1.5e3,"b":-2E-2})", u"a"_s);
    answers("negative exponent", R"({"a":1.5e3,"b":-2E-2})", u"b"_s);
    answers("beyond qint64", R"({"a":12345678901234567890})", u"a"_s);
    answers("beyond 2^53", R"({"a":9007199254740993})", u"a"_s);
    answers("fraction", R"({"a":0.1})", u"a"_s);
    answers("ten levels", "{\"a\":" + QByteArray(9, '[') + "1" + QByteArray(9, ']') + "}", u"b"_s);

    // Hands over: the value is not a scalar, or the text is outside what the scanner reads.
    handsOver("object at the path", R"({"a":{"b":1}})", u"a"_s);
    handsOver("array at the path", R"({"a":[1]})", u"a"_s);
    handsOver("escaped string at the path", R"({"a":"x\ny"})", u"a"_s);
    handsOver("unicode escape", R"({"t":"\u00e9","a":1})", u"a"_s);
    handsOver("lone surrogate", R"({"t":"\ud800","a":1})", u"a"_s);
    handsOver("UTF-8 text", "{\"t\":\"caf\xc3\xa9\",\"a\":1}", u"a"_s);
    handsOver("invalid UTF-8", "{\"t\":\"caf\xe9\",\"a\":1}", u"a"_s);
    handsOver("escaped key on the path", R"({"\u0061":1})", u"a"_s);
    handsOver("escaped key beside the path", R"({"a\n":1,"a":2})", u"a"_s);
    handsOver("raw control character", "{\"t\":\"a\tb\",\"a\":1}", u"a"_s);
    handsOver("lenient escape", R"({"t":"\q","a":1})", u"a"_s);
    handsOver("trailing comma", R"({"a":1,})", u"a"_s);
    handsOver("garbage after", R"({"a":1} x)", u"a"_s);
    handsOver("second document", R"({"a":1}{"a":2})", u"a"_s);
    handsOver("leading zero", R"({"a":01})", u"a"_s);
    handsOver("missing comma", R"({"a":1 "b":2})", u"a"_s);
    handsOver("truncated", R"({"a":1)", u"a"_s);
    handsOver("truncated string", R"({"a":"x)", u"a"_s);
    handsOver("bare key", R"({a:1})", u"a"_s);
    handsOver("single quotes", R"({'a':1})", u"a"_s);
    handsOver("fault after the value", R"({"a":1,"b":tru})", u"a"_s);
    handsOver("number with a dot only", R"({"a":1.})", u"a"_s);
    handsOver("huge exponent", R"({"a":1e400})", u"a"_s);
    handsOver("huge exponent elsewhere", R"({"b":1e400,"a":1})", u"a"_s);
    handsOver("long number", "{\"a\":1." + QByteArray(60, '1') + "}", u"a"_s);
    handsOver("NaN", R"({"a":NaN})", u"a"_s);
    handsOver("plus sign", R"({"a":+1})", u"a"_s);
    handsOver("deep nesting", "{\"a\":" + QByteArray(80, '[') + QByteArray(80, ']') + "}", u"a[0]"_s);
    handsOver("not a container", R"("text")", u"a"_s);
}

void TestJsonPath::scan()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, path);
    QFETCH(bool, unsure);
    const std::vector<PathStep> steps = pathOf(path);
    QVERIFY(!steps.empty());
    const JsonScalar scanned = filter::scanJsonPath(body, steps);
    QCOMPARE(scanned.kind == JsonScalar::Kind::Unsure, unsure);
    const QString differs = disagreement(scanned, parsedValue(body, steps));
    QVERIFY2(differs.isEmpty(), qPrintable(differs));
}

void TestJsonPath::generatedBodiesAgreeWithTheParser()
{
    // Documents of nested objects and arrays whose keys repeat, with strings that hold escapes and
    // UTF-8, numbers of every form; half of them then have a byte changed, dropped or inserted, which
    // breaks most. Wherever the scanner answers, the parser must find the same.
    QRandomGenerator random(1717);
    static const QByteArray keys[] = { "a", "b", "c", "seq" };
    static const QByteArray strings[] = { R"("ok")", R"("")", R"("a\"b")", R"("tab\there")", R"("\u00e9")",
        "\"caf\xc3\xa9\"", R"("x\\")", R"("slash\/")", "\"\x7f\"" };
    static const QByteArray numbers[] = { "0", "-0", "7", "-12", "3.25", "1e5", "-2.5E-3", "99000",
        "12345678901234567890", "0.1", "1E+2", "123456789012345678901234567890" };
    static const QByteArray spaces[] = { "", "", " ", "\n", "\t ", "\r\n" };
    const auto pick = [&random](const auto &list) { return list[random.bounded(int(std::size(list)))]; };

    std::function<QByteArray(int)> value = [&](int depth) -> QByteArray {
        const int kind = random.bounded(depth > 3 ? 5 : 7);
        switch (kind) {
        case 0:
            return pick(numbers);
        case 1:
            return pick(strings);
        case 2:
            return random.bounded(2) ? "true" : "false";
        case 3:
            return "null";
        case 4:
            return pick(numbers);
        case 5: {
            QByteArray object = "{" + pick(spaces);
            const int members = random.bounded(4);
            for (int i = 0; i < members; ++i) {
                if (i > 0)
                    object += "," + pick(spaces);
                object += "\"" + pick(keys) + "\"" + pick(spaces) + ":" + pick(spaces) + value(depth + 1);
            }
            return object + pick(spaces) + "}";
        }
        default: {
            QByteArray array = "[";
            const int elements = random.bounded(4);
            for (int i = 0; i < elements; ++i)
                array += (i > 0 ? "," : "") + pick(spaces) + value(depth + 1);
            return array + "]";
        }
        }
    };
    static const QString paths[] = { u"a"_s, u"seq"_s, u"a.b"_s, u"a[0]"_s, u"b[1].c"_s, u"a.a.a"_s,
        u"c[0][1]"_s, u"[0]"_s, u"[1].a"_s, u"a[2]"_s };
    static const char noise[]
        = { '"', '\\', ',', ':', '{', '}', '[', ']', '1', 'e', '-', '.', ' ', 'x', '\0' };

    int answered = 0;
    int found = 0;
    constexpr int Bodies = 20000;
    for (int n = 0; n < Bodies; ++n) {
        QByteArray body;
        if (random.bounded(3)) {
            body = "{\"a\":" + value(1);
            body += ",\"b\":" + value(1);
            body += ",\"a\":" + value(1);
            if (random.bounded(2))
                body += ",\"seq\":" + pick(numbers);
            body += "}";
        } else {
            body = "[" + value(1);
            body += "," + value(1) + "]";
        }
        if (random.bounded(2)) {
            const int at = random.bounded(int(body.size()));
            switch (random.bounded(3)) {
            case 0:
                body[at] = pick(noise);
                break;
            case 1:
                body.remove(at, 1);
                break;
            default:
                body.insert(at, pick(noise));
                break;
            }
        }
        for (const QString &path : paths) {
            const std::vector<PathStep> steps = pathOf(path);
            const JsonScalar scanned = filter::scanJsonPath(body, steps);
            if (scanned.kind == JsonScalar::Kind::Unsure)
                continue;
            ++answered;
            found += scanned.kind != JsonScalar::Kind::Missing ? 1 : 0;
            const QString differs = disagreement(scanned, parsedValue(body, steps));
            QVERIFY2(
                differs.isEmpty(), qPrintable(u"%1 at %2: %3"_s.arg(QString::fromUtf8(body), path, differs)));
        }
    }
    // The comparison means something only if the scanner answered often, values as well as misses.
    QVERIFY2(answered > Bodies, qPrintable(u"%1 answers"_s.arg(answered)));
    QVERIFY2(found > Bodies / 4, qPrintable(u"%1 values found"_s.arg(found)));
}

void TestJsonPath::expressionsAgreeWithTheParser_data()
{
    QTest::addColumn<QByteArray>("body");
    const QByteArray bodies[] = {
        R"({"seq":99001,"text":"temp ok","ok":true,"none":null,"list":[1,"two",false]})",
        R"({"seq":0,"text":"","ok":false,"list":[]})",
        R"({"seq":-0,"text":"a\nb","ok":1})",
        R"({"seq":"99001","text":5,"ok":"true"})",
        R"({"seq":1.5e5,"seq":7,"text":"x","list":{"0":1}})",
        "{\"seq\":12,\"text\":\"caf\xc3\xa9\"}",
        R"({"seq":12,"text":"\u00e9t\u00e9"})",
        R"([{"seq":3}])",
        R"({"seq":1,})",
        R"({"seq":{"a":1},"text":["temp"]})",
        "not json",
        "  {\"seq\": 99000 }  ",
    };
    for (const QByteArray &body : bodies)
        QTest::newRow(body.constData()) << body;
}

void TestJsonPath::expressionsAgreeWithTheParser()
{
    QFETCH(QByteArray, body);
    static const QStringList expressions { u"json.seq"_s, u"json.seq >= 99000"_s, u"json.seq == 0"_s,
        u"json.seq != 7"_s, u"json.seq < 10"_s, u"json.seq == \"99001\""_s, u"json.text"_s,
        u"json.text == \"temp ok\""_s, u"json.text contains \"e\""_s, u"json.text matches \"^[a-z]+ ok$\""_s,
        u"json.text > \"a\""_s, u"json.text == \"caf\u00e9\""_s, u"json.ok == true"_s, u"json.ok"_s,
        u"json.none == null"_s, u"not json.none"_s, u"json.list[1] == \"two\""_s, u"json.list[2] == false"_s,
        u"json.list[0] in {1, 2}"_s, u"json.list contains 1"_s, u"json[0].seq == 3"_s,
        u"json.seq > 5 and json.text"_s, u"json.missing == null"_s, u"not json.missing"_s };
    for (const QString &text : expressions) {
        const Result<FilterExpression> expression = FilterExpression::parse(text);
        QVERIFY2(expression, qPrintable(text));
        QVERIFY2(
            matchesBody(*expression, body, false) == matchesBody(*expression, body, true), qPrintable(text));
    }
}

void TestJsonPath::bareScalars_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("cannotBe");
    QTest::newRow("number") << QByteArray("42") << false;
    QTest::newRow("negative") << QByteArray("-1") << false;
    QTest::newRow("string") << QByteArray(R"("x")") << false;
    QTest::newRow("true") << QByteArray("true") << false;
    QTest::newRow("false") << QByteArray("false") << false;
    QTest::newRow("null") << QByteArray("null") << false;
    QTest::newRow("word") << QByteArray("hello") << true;
    QTest::newRow("binary") << QByteArray("\x08\x96\x01", 3) << true;
    QTest::newRow("closing bracket") << QByteArray("]") << true;
    QTest::newRow("comma") << QByteArray(",1") << true;
    QTest::newRow("BOM") << QByteArray("\xef\xbb\xbf"
                                       "1")
                         << true;
}

void TestJsonPath::bareScalars()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, cannotBe);
    QCOMPARE(filter::cannotBeJsonScalar(body), cannotBe);
    // What the filter does with a body that is no object or array: parse it as the one element of an
    // array. Where the scanner says it cannot be a scalar, that fails.
    const QJsonDocument wrapped = QJsonDocument::fromJson("[" + body + "]");
    if (cannotBe)
        QVERIFY(wrapped.isNull());
    else
        QCOMPARE(wrapped.array().size(), 1);
}

QTEST_GUILESS_MAIN(TestJsonPath)
#include "tst_jsonpath.moc"
