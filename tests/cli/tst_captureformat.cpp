// The capture line format of DESIGN.md section 8: what zmqscope-cli listen --format jsonl
// prints and what capture files hold; written and read back by core/src/capture.cpp.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/error.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

Q_DECLARE_METATYPE(zmqscope::Frames)

namespace {

QByteArray allBytes()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    return bytes;
}

QJsonObject parsedObject(const QByteArray &line)
{
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON: %s", qPrintable(error.errorString()));
    return document.object();
}

} // namespace

class TestCaptureFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formatTimestamp_data();
    void formatTimestamp();
    void parseTimestamp_data();
    void parseTimestamp();
    void roundTrip_data();
    void roundTrip();
    void keyOrderAndShape();
    void textFieldsOnlyForEnvelopes_data();
    void textFieldsOnlyForEnvelopes();
    void escapesControlCharacters();
    void linesOfOtherWriters_data();
    void linesOfOtherWriters();
    void malformedLines_data();
    void malformedLines();
    void header();
    void malformedHeaders_data();
    void malformedHeaders();
};

void TestCaptureFormat::formatTimestamp_data()
{
    QTest::addColumn<qint64>("timestampUs");
    QTest::addColumn<QString>("expected");
    QTest::newRow("epoch") << qint64(0) << u"1970-01-01T00:00:00.000000Z"_s;
    QTest::newRow("microseconds") << qint64(1'234'567) << u"1970-01-01T00:00:01.234567Z"_s;
    QTest::newRow("before epoch") << qint64(-1) << u"1969-12-31T23:59:59.999999Z"_s;
    QTest::newRow("2026") << qint64(1'795'643'857'123'456) << u"2026-11-25T21:57:37.123456Z"_s;
}

void TestCaptureFormat::formatTimestamp()
{
    QFETCH(qint64, timestampUs);
    QFETCH(QString, expected);
    QCOMPARE(formatCaptureTimestamp(timestampUs), expected);
    QCOMPARE(parseCaptureTimestamp(expected), std::optional<std::int64_t>(timestampUs));
}

void TestCaptureFormat::parseTimestamp_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("no fraction") << u"2026-11-25T21:57:37Z"_s << true << qint64(1'795'643'857'000'000);
    QTest::newRow("milliseconds") << u"2026-11-25T21:57:37.5Z"_s << true << qint64(1'795'643'857'500'000);
    QTest::newRow("nanoseconds cut") << u"2026-11-25T21:57:37.123456789Z"_s << true
                                     << qint64(1'795'643'857'123'456);
    QTest::newRow("offset") << u"2026-11-25T22:57:37.123456+01:00"_s << true << qint64(1'795'643'857'123'456);
    QTest::newRow("negative offset") << u"2026-11-25T20:27:37.123456-01:30"_s << true
                                     << qint64(1'795'643'857'123'456);
    QTest::newRow("no zone") << u"2026-11-25T21:57:37.123456"_s << false << qint64(0);
    QTest::newRow("space") << u"2026-11-25 21:57:37Z"_s << false << qint64(0);
    QTest::newRow("month 13") << u"2026-13-25T21:57:37Z"_s << false << qint64(0);
    QTest::newRow("february 30") << u"2026-02-30T21:57:37Z"_s << false << qint64(0);
    QTest::newRow("empty fraction") << u"2026-11-25T21:57:37.Z"_s << false << qint64(0);
    QTest::newRow("trailing text") << u"2026-11-25T21:57:37Zx"_s << false << qint64(0);
    QTest::newRow("words") << u"yesterday"_s << false << qint64(0);
    QTest::newRow("empty") << QString() << false << qint64(0);
}

void TestCaptureFormat::parseTimestamp()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, expected);
    const auto parsed = parseCaptureTimestamp(text);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(*parsed, expected);
}

void TestCaptureFormat::roundTrip_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<bool>("outgoing");
    QTest::newRow("text envelope") << Frames { "temp.kitchen", "text/plain",
        "21.5 \xc2\xb0"
        "C" } << false;
    QTest::newRow("NUL in body") << Frames { "id", "application/octet-stream", QByteArray("a\0b\0", 4) }
                                 << false;
    QTest::newRow("invalid UTF-8") << Frames { "\xff", "x/y", "\xfe\xff\xc3" } << true;
    QTest::newRow("every byte") << Frames { QByteArray(), "application/octet-stream", allBytes() } << false;
    QTest::newRow("routed") << Frames { "peer-1", QByteArray(), "id", "text/plain", "hi" } << true;
    QTest::newRow("raw one frame") << Frames { "hello" } << false;
    QTest::newRow("raw empty frames") << Frames { QByteArray(), QByteArray() } << false;
    QTest::newRow("no frames") << Frames {} << false;
    QTest::newRow("raw four frames") << Frames { "a", "b", "c", "d" } << false;
}

void TestCaptureFormat::roundTrip()
{
    QFETCH(Frames, frames);
    QFETCH(bool, outgoing);
    const CaptureRecord record { 1'795'643'857'123'456, u"SUB 1"_s, u"SUB"_s, u"tcp://127.0.0.1:5556"_s,
        outgoing ? Direction::Out : Direction::In, frames };
    const QByteArray line = captureLine(record);
    QVERIFY(line.endsWith('\n'));
    QCOMPARE(line.count('\n'), 1);
    const CaptureRecord parsed = parseCaptureLine(line);
    QCOMPARE(parsed.frames, frames);
    QCOMPARE(parsed.timestampUs, record.timestampUs);
    QCOMPARE(parsed.socket, record.socket);
    QCOMPARE(parsed.type, record.type);
    QCOMPARE(parsed.endpoint, record.endpoint);
    QCOMPARE(parsed.direction, record.direction);
    QVERIFY(parsed == record);
    // "\r\n" endings (a file edited on Windows) read the same.
    QVERIFY(parseCaptureLine(QByteArray(line.chopped(1) + "\r\n")) == record);
}

void TestCaptureFormat::keyOrderAndShape()
{
    const CaptureRecord record { 0, u"s"_s, u"SUB"_s, u"inproc://x"_s, Direction::In,
        { "i", "text/plain", "b" } };
    const QByteArray line = captureLine(record);
    QCOMPARE(line,
        QByteArray(
            R"({"ts":"1970-01-01T00:00:00.000000Z","socket":"s","type":"SUB","endpoint":"inproc://x",)"
            R"("dir":"in","frames":["aQ==","dGV4dC9wbGFpbg==","Yg=="],"id":"i","mimetype":"text/plain",)"
            R"("body":"b"})"
            "\n"));
}

void TestCaptureFormat::textFieldsOnlyForEnvelopes_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<QStringList>("present");
    QTest::addColumn<QStringList>("absent");
    QTest::newRow("text") << Frames { "a", "text/plain", "hello" }
                          << QStringList { u"id"_s, u"mimetype"_s, u"body"_s }
                          << QStringList { u"body_base64"_s, u"id_base64"_s };
    QTest::newRow("binary body") << Frames { "a", "x", QByteArray("\xff\x00", 2) }
                                 << QStringList { u"id"_s, u"mimetype"_s, u"body_base64"_s }
                                 << QStringList { u"body"_s };
    QTest::newRow("binary id") << Frames { "\x80", "x", "b" } << QStringList { u"id_base64"_s, u"body"_s }
                               << QStringList { u"id"_s };
    QTest::newRow("raw") << Frames { "a", "b" } << QStringList { u"frames"_s }
                         << QStringList { u"id"_s, u"mimetype"_s, u"body"_s, u"body_base64"_s };
}

void TestCaptureFormat::textFieldsOnlyForEnvelopes()
{
    QFETCH(Frames, frames);
    QFETCH(QStringList, present);
    QFETCH(QStringList, absent);
    const QJsonObject object
        = parsedObject(captureLine({ 0, u"s"_s, u"PULL"_s, u"e"_s, Direction::In, frames }));
    QVERIFY(!object.isEmpty());
    for (const QString &key : present)
        QVERIFY2(object.contains(key), qPrintable(key));
    for (const QString &key : absent)
        QVERIFY2(!object.contains(key), qPrintable(key));
    // Whatever is shown as text decodes back to the very bytes of the frame.
    if (object.contains(u"body"_s))
        QCOMPARE(object.value(u"body"_s).toString().toUtf8(), frames.last());
    if (object.contains(u"body_base64"_s))
        QCOMPARE(QByteArray::fromBase64(object.value(u"body_base64"_s).toString().toLatin1()), frames.last());
}

void TestCaptureFormat::escapesControlCharacters()
{
    const QByteArray body = "line1\nline2\r\x1b[31mred\x07 \xc2\x9b \xe2\x80\xae rtl \"q\" \\ \x7f";
    const QByteArray line
        = captureLine({ 0, u"na\nme"_s, u"SUB"_s, u"e"_s, Direction::In, { "i", "text/plain", body } });
    QCOMPARE(line.count('\n'), 1);
    for (const char c : line.chopped(1))
        QVERIFY2(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, line.constData());
    QVERIFY(!line.contains("\xc2\x9b")); // C1 CSI
    QVERIFY(!line.contains("\xe2\x80\xae")); // right-to-left override
    QVERIFY(line.contains(R"(\u001b[31m)"));
    QVERIFY(line.contains(R"(\u202e)"));
    const QJsonObject object = parsedObject(line);
    QCOMPARE(object.value(u"body"_s).toString().toUtf8(), body);
    QCOMPARE(object.value(u"socket"_s).toString(), u"na\nme"_s);
}

void TestCaptureFormat::linesOfOtherWriters_data()
{
    // The frames are decoded from the line's own bytes (a 64 MiB frame is never parsed as a JSON
    // string); whatever a JSON writer may put around them must read the same as a full parse.
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<Frames>("frames");
    const QByteArray ok = R"("ts":"2026-11-25T21:57:37.123456Z","dir":"in")";
    QTest::newRow("escaped slashes") << "{" + ok + R"(,"frames":["\/\/\/\/","YQ=="]})"
                                     << Frames { QByteArray::fromHex("ffffff"), "a" };
    QTest::newRow("spaces everywhere")
        << "{ " + ok + R"( , "frames" : [ "YQ==" , "" ] , "body" : "a" }  )" << Frames { "a", "" };
    QTest::newRow("nested frames key")
        << "{" + ok + R"(,"x":{"frames":["Zm9v"]},"frames":["YQ=="]})" << Frames { "a" };
    QTest::newRow("frames key inside a string")
        << "{" + ok + R"(,"socket":"\"frames\":[\"Zm9v\"]","frames":["YQ=="]})" << Frames { "a" };
    QTest::newRow("frames first, body after")
        << R"({"frames":["YQ==","Yg=="],)" + ok + R"(,"id":"i","mimetype":"m","body":"b \" ]}"})"
        << Frames { "a", "b" };
    QTest::newRow("body_base64 and arrays after")
        << "{" + ok + R"(,"frames":["/w=="],"body_base64":"/w==","extra":[1,{"a":[2]}],"n":null})"
        << Frames { QByteArray::fromHex("ff") };
    QTest::newRow("no frames") << "{" + ok + R"(,"frames":[]})" << Frames {};
}

void TestCaptureFormat::linesOfOtherWriters()
{
    QFETCH(QByteArray, line);
    QFETCH(Frames, frames);
    QCOMPARE(parseCaptureLine(line).frames, frames);
    QCOMPARE(parseCaptureLine(QByteArray(line + "\r\n")).frames, frames);
}

void TestCaptureFormat::malformedLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("expected");
    const QByteArray ok = R"("ts":"2026-11-25T21:57:37.123456Z","dir":"in")";
    QTest::newRow("empty") << QByteArray("\n") << u"empty capture line"_s;
    QTest::newRow("not JSON") << QByteArray("hello") << u"not valid JSON"_s;
    QTest::newRow("cut off") << QByteArray(R"({"ts":"2026-11-25T21:57:37Z","fra)") << u"not valid JSON"_s;
    QTest::newRow("array") << QByteArray("[1,2]") << u"not a JSON object"_s;
    QTest::newRow("header") << QByteArray(R"({"zmqscope_capture":1})") << u"capture header"_s;
    QTest::newRow("no frames") << "{" + ok + "}" << u"\"frames\" that is missing"_s;
    QTest::newRow("frames not array")
        << "{" + ok + R"(,"frames":"AA=="})" << u"\"frames\" that is a string"_s;
    QTest::newRow("frame not string")
        << "{" + ok + R"(,"frames":["AA==",5]})" << u"frame 2 of 2 is a number"_s;
    QTest::newRow("bad base64") << "{" + ok + R"(,"frames":["!!!!"]})"
                                << u"frame 1 of 1 is not valid base64: \"!!!!\""_s;
    QTest::newRow("unpadded base64") << "{" + ok + R"(,"frames":["AA"]})"
                                     << u"frame 1 of 1 is not valid base64"_s;
    QTest::newRow("truncated base64")
        << "{" + ok + R"(,"frames":["AA==","A"]})" << u"frame 2 of 2 is not valid base64: \"A\""_s;
    QTest::newRow("space in base64") << "{" + ok + R"(,"frames":["AA =="]})" << u"not valid base64"_s;
    QTest::newRow("non-latin base64") << "{" + ok + R"(,"frames":["\u00e9AAA"]})" << u"not valid base64"_s;
    QTest::newRow("bad escape in a frame")
        << "{" + ok + R"(,"frames":["AA\uZZZZ"]})" << u"frame 1 of 1 is not"_s;
    QTest::newRow("frames unclosed") << "{" + ok + R"(,"frames":["AA==")" << u"not valid JSON"_s;
    QTest::newRow("bad literal after frames")
        << "{" + ok + R"(,"frames":["AA=="],"n":nul})" << u"not valid JSON"_s;
    QTest::newRow("no ts") << QByteArray(R"({"dir":"in","frames":[]})") << u"\"ts\" that is missing"_s;
    QTest::newRow("bad ts") << QByteArray(R"({"ts":"yesterday","dir":"in","frames":[]})")
                            << u"invalid \"ts\" \"yesterday\""_s;
    QTest::newRow("ts number") << QByteArray(R"({"ts":5,"dir":"in","frames":[]})")
                               << u"\"ts\" that is a number"_s;
    QTest::newRow("bad dir") << QByteArray(R"({"ts":"2026-11-25T21:57:37Z","dir":"sideways","frames":[]})")
                             << u"invalid \"dir\" \"sideways\""_s;
    QTest::newRow("no dir") << QByteArray(R"({"ts":"2026-11-25T21:57:37Z","frames":[]})")
                            << u"\"dir\" that is missing"_s;
    QTest::newRow("socket number") << "{" + ok + R"(,"socket":1,"frames":[]})"
                                   << u"\"socket\" that is a number"_s;
}

void TestCaptureFormat::malformedLines()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, expected);
    try {
        (void)parseCaptureLine(line);
        QFAIL(qPrintable(u"no error for %1"_s.arg(QString::fromUtf8(line))));
    } catch (const Error &error) {
        QCOMPARE(error.code(), ErrorCode::InvalidBody);
        QVERIFY2(error.message().contains(expected), qPrintable(error.message()));
        QVERIFY(!error.message().contains(u'\n'));
    }
}

void TestCaptureFormat::header()
{
    const QDateTime created(QDate(2026, 11, 25), QTime(21, 57, 37, 123), Qt::UTC);
    const QByteArray line = captureHeaderLine(created, { { u"writer"_s, u"test"_s }, { u"created"_s, 5 } });
    QVERIFY(line.startsWith(R"({"zmqscope_capture":1,"created":"2026-11-25T21:57:37.123000Z")"));
    QVERIFY(line.endsWith("}\n"));
    QCOMPARE(line.count('\n'), 1);
    const QJsonObject header = parseCaptureHeader(line);
    QCOMPARE(header.value(u"zmqscope_capture"_s).toInt(), 1);
    QCOMPARE(header.value(u"writer"_s).toString(), u"test"_s);
    QCOMPARE(header.value(u"created"_s).toString(), u"2026-11-25T21:57:37.123000Z"_s);
    // A header is not a message line.
    QVERIFY_THROWS_EXCEPTION(Error, (void)parseCaptureLine(line));
}

void TestCaptureFormat::malformedHeaders_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("expected");
    QTest::newRow("message line") << QByteArray(R"({"ts":"2026-11-25T21:57:37Z","dir":"in","frames":[]})")
                                  << u"no \"zmqscope_capture\" key"_s;
    QTest::newRow("version 2") << QByteArray(R"({"zmqscope_capture":2})")
                               << u"unsupported capture version 2"_s;
    QTest::newRow("version text") << QByteArray(R"({"zmqscope_capture":"1"})") << u"is a string"_s;
    QTest::newRow("bad created") << QByteArray(R"({"zmqscope_capture":1,"created":"soon"})")
                                 << u"invalid \"created\" \"soon\""_s;
    QTest::newRow("binary") << QByteArray("\x00\x01\x02", 3) << u"not valid JSON"_s;
}

void TestCaptureFormat::malformedHeaders()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, expected);
    try {
        (void)parseCaptureHeader(line);
        QFAIL("no error");
    } catch (const Error &error) {
        QCOMPARE(error.code(), ErrorCode::InvalidBody);
        QVERIFY2(error.message().contains(expected), qPrintable(error.message()));
    }
}

QTEST_GUILESS_MAIN(TestCaptureFormat)
#include "tst_captureformat.moc"
