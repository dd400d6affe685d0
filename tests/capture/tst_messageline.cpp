// The direct message-line writer (core/capture/src/messageline.cpp) against two references over a
// table of hostile inputs: byte for byte against the previous writer (strict UTF-8 decoded into a
// QString, escaped from UTF-16, QByteArray::toBase64), kept here as it was; and value for value
// against the object QJsonDocument parses from the line, built from the record independently.
// Any difference in field order, escaping, number formats or base64 fails.

#include <numeric>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QStringDecoder>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/envelope.h>

#include "capturetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

Q_DECLARE_METATYPE(zmqscope::CaptureRecord)

namespace {

// ---- The reference writer: captureLine() as it was before the direct writer. ----

std::optional<QString> referenceUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(
        QStringDecoder::Utf8, QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

bool referenceNeedsEscape(char32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f
        || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

void referenceString(QByteArray &out, QStringView text)
{
    out += '"';
    qsizetype runStart = 0;
    const auto flushRun = [&](qsizetype end) {
        if (end > runStart)
            out += text.sliced(runStart, end - runStart).toUtf8();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        const char *simple = nullptr;
        switch (c) {
        case u'"':
            simple = "\\\"";
            break;
        case u'\\':
            simple = "\\\\";
            break;
        case u'\n':
            simple = "\\n";
            break;
        case u'\r':
            simple = "\\r";
            break;
        case u'\t':
            simple = "\\t";
            break;
        case u'\b':
            simple = "\\b";
            break;
        case u'\f':
            simple = "\\f";
            break;
        default:
            break;
        }
        if (!simple && QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            ++i;
            continue;
        }
        if (!simple && !referenceNeedsEscape(c) && !QChar::isSurrogate(c))
            continue;
        flushRun(i);
        if (simple)
            out += simple;
        else
            out += "\\u" + QByteArray::number(uint(c), 16).rightJustified(4, '0');
        runStart = i + 1;
    }
    flushRun(text.size());
    out += '"';
}

void referenceBytesField(QByteArray &out, const char *key, const QByteArray &bytes)
{
    out += ',';
    if (const auto text = referenceUtf8(bytes)) {
        out += '"';
        out += key;
        out += "\":";
        referenceString(out, *text);
    } else {
        out += '"';
        out += key;
        out += "_base64\":\"";
        out += bytes.toBase64();
        out += '"';
    }
}

QByteArray referenceLine(const CaptureRecord &record)
{
    QByteArray out = "{\"ts\":";
    referenceString(out, formatCaptureTimestamp(record.timestampUs));
    out += ",\"socket\":";
    referenceString(out, record.socket);
    out += ",\"type\":";
    referenceString(out, record.type);
    out += ",\"endpoint\":";
    referenceString(out, record.endpoint);
    for (const auto &[key, value] : { std::pair { "src", &record.src }, std::pair { "dst", &record.dst },
             std::pair { "security", &record.security } }) {
        if (value->isEmpty())
            continue;
        out += ",\"" + QByteArray(key) + "\":";
        referenceString(out, *value);
    }
    out += ",\"dir\":";
    const char *const names[] = { "\"in\"", "\"out\"", "\"c2s\"", "\"s2c\"" };
    out += names[int(record.direction)];
    if (!record.peer.isEmpty())
        out += ",\"peer\":\"" + record.peer.toHex() + '"';
    if (record.encrypted) {
        out += ",\"encrypted\":true,\"size\":" + QByteArray::number(qulonglong(record.size)) + "}\n";
        return out;
    }
    out += ",\"frames\":[";
    for (qsizetype i = 0; i < record.frames.size(); ++i) {
        if (i > 0)
            out += ',';
        out += '"' + record.frames[i].toBase64() + '"';
    }
    out += ']';
    const auto parsed = Envelope::parse(record.frames);
    if (parsed.envelope) {
        referenceBytesField(out, "id", parsed.envelope->id());
        referenceBytesField(out, "mimetype", parsed.envelope->mimetype());
        referenceBytesField(out, "body", parsed.envelope->data());
    }
    out += "}\n";
    return out;
}

// ---- The value reference: the object a line must parse to, built with QJsonObject. ----

void referenceValueField(QJsonObject &object, const QString &key, const QByteArray &bytes)
{
    if (const auto text = referenceUtf8(bytes))
        object.insert(key, *text);
    else
        object.insert(key + u"_base64"_s, QString::fromLatin1(bytes.toBase64()));
}

QJsonObject referenceObject(const CaptureRecord &record)
{
    QJsonArray frames;
    for (const QByteArray &frame : record.frames)
        frames.append(QString::fromLatin1(frame.toBase64()));
    QJsonObject object { { u"ts"_s, formatCaptureTimestamp(record.timestampUs) },
        { u"socket"_s, record.socket }, { u"type"_s, record.type }, { u"endpoint"_s, record.endpoint },
        { u"dir"_s, QString::fromLatin1(directionName(record.direction)) } };
    for (const auto &[key, value] : { std::pair { u"src"_s, &record.src },
             std::pair { u"dst"_s, &record.dst }, std::pair { u"security"_s, &record.security } })
        if (!value->isEmpty())
            object.insert(key, *value);
    if (record.encrypted) {
        object.insert(u"encrypted"_s, true);
        object.insert(u"size"_s, double(record.size));
        return object;
    }
    object.insert(u"frames"_s, frames);
    if (!record.peer.isEmpty())
        object.insert(u"peer"_s, QString::fromLatin1(record.peer.toHex()));
    const auto parsed = Envelope::parse(record.frames);
    if (parsed.envelope) {
        referenceValueField(object, u"id"_s, parsed.envelope->id());
        referenceValueField(object, u"mimetype"_s, parsed.envelope->mimetype());
        referenceValueField(object, u"body"_s, parsed.envelope->data());
    }
    return object;
}

CaptureRecord envelopeRecord(const QByteArray &id, const QByteArray &mimetype, const QByteArray &body)
{
    return { 1'764'000'000'123'456, u"SUB 1"_s, u"SUB"_s, u"tcp://127.0.0.1:5556"_s, Direction::In,
        { id, mimetype, body } };
}

// The 256 byte values in order.
QByteArray allBytes()
{
    QByteArray bytes(256, '\0');
    std::iota(bytes.begin(), bytes.end(), '\0');
    return bytes;
}

} // namespace

class TestMessageLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesReferences_data();
    void matchesReferences();
    void everyShortUtf8Sequence();
    void randomBytes();
    void randomRecords();
    void writerKeepsAppending();
    void eventLines_data();
    void eventLines();
    void badTapFields_data();
    void badTapFields();
};

void TestMessageLine::matchesReferences_data()
{
    QTest::addColumn<CaptureRecord>("record");
    QTest::addColumn<bool>("valueCheck"); // false where QJsonDocument itself cannot hold the text

    const auto row = [](const char *name, const CaptureRecord &record, bool valueCheck = true) {
        QTest::newRow(name) << record << valueCheck;
    };
    row("plain envelope", envelopeRecord("42", "text/plain", "hello"));
    row("empty frames", envelopeRecord("", "", ""));
    row("quotes and backslashes", envelopeRecord("a\"b", "\\", "\"\\\"\\\\/"));
    QByteArray controls;
    for (int c = 0; c < 0x20; ++c)
        controls += char(c);
    controls += '\x7f';
    row("C0 controls and DEL", envelopeRecord(controls, "x", controls + controls));
    row("NUL inside text", envelopeRecord(QByteArray("a\0b", 3), "text/plain", QByteArray("\0", 1)));
    row("C1 controls", envelopeRecord("\xc2\x80\xc2\x9b\xc2\x9f", "\xc2\xa0", "\xc2\x85"));
    row("U+2028 and U+2029",
        envelopeRecord("\xe2\x80\xa8", "text",
            "a\xe2\x80\xa8"
            "b\xe2\x80\xa9"
            "c"));
    row("bidi controls",
        envelopeRecord("\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9", "\xd8\x9c", "\xe2\x80\x8e\xe2\x80\x8f"));
    row("BOM at the start and inside", envelopeRecord("\xef\xbb\xbfid", "t", "x\xef\xbb\xbfy"));
    row("astral characters",
        envelopeRecord("\xf0\x9f\x98\x80", "text/plain", "\xf4\x8f\xbf\xbf\xf0\x90\x80\x80"));
    row("noncharacters", envelopeRecord("\xef\xbf\xbe", "\xef\xbf\xbf", "\xef\xb7\x90"));
    row("invalid UTF-8: stray continuation", envelopeRecord("\x80", "text/plain", "ok"));
    row("invalid UTF-8: cut sequence at the end", envelopeRecord("ok", "text/plain", "abc\xe2\x82"));
    row("invalid UTF-8: overlong slash", envelopeRecord("\xc0\xaf", "text/plain", "\xe0\x80\xaf"));
    row("invalid UTF-8: encoded surrogate", envelopeRecord("\xed\xa0\x80", "text/plain", "\xed\xbf\xbf"));
    row("invalid UTF-8: beyond U+10FFFF",
        envelopeRecord("\xf4\x90\x80\x80", "text/plain", "\xf5\x80\x80\x80"));
    row("invalid UTF-8: 0xff", envelopeRecord("id", "\xff", "\xfe\xff"));
    row("every byte", envelopeRecord(allBytes(), allBytes(), allBytes()));
    row("big frames",
        envelopeRecord("big", "application/octet-stream", QByteArray(3 * 1024 * 1024 + 1, 'x') + allBytes()));
    row("big text with escapes",
        envelopeRecord("t", "text/plain", QByteArray("a\nb\"\xe2\x80\xa8").repeated(100000)));
    row("base64 padding 1", envelopeRecord("\xff", "\xfe\xfd", "\xfc\xfb\xfa"));
    row("routed envelope",
        CaptureRecord { 0, u"ROUTER 1"_s, u"ROUTER"_s, u"tcp://*:1"_s, Direction::Out,
            { "\x00\x6b\x8b\x45\x67", "", "id", "application/json", "{\"a\":1}" } });
    row("delimiter only",
        CaptureRecord { 0, u"DEALER"_s, u"DEALER"_s, u"e"_s, Direction::In, { "", "i", "m", "b" } });
    row("not an envelope: 1 frame",
        CaptureRecord { 0, u"s"_s, u"PULL"_s, u"e"_s, Direction::In, { "only" } });
    row("not an envelope: 2 frames",
        CaptureRecord { 0, u"s"_s, u"PULL"_s, u"e"_s, Direction::In, { "a", "" } });
    row("not an envelope: no frames", CaptureRecord { 0, u"s"_s, u"PULL"_s, u"e"_s, Direction::In, {} });
    row("not an envelope: 4 frames without delimiter",
        CaptureRecord { 0, u"s"_s, u"PULL"_s, u"e"_s, Direction::In, { "r", "i", "m", "b" } });
    row("hostile socket fields",
        CaptureRecord { 1, u"na\nme \"\\\u2028\u202e\u0007"_s, u"S\u00e9B"_s, u"tcp://h\u00f6st:1,ipc://\t"_s,
            Direction::Out, { "i", "m", "b" } });
    row("lone surrogate in the socket name",
        CaptureRecord { 1, QString(QChar(0xd800)) + u"x"_s, u"SUB"_s, u"e"_s, Direction::In, { "a" } },
        false);
    row("timestamp before 1970", CaptureRecord { -1, u"s"_s, u"SUB"_s, u"e"_s, Direction::In, { "a" } });
    row("timestamp year 1",
        CaptureRecord { -62'135'596'800'000'000, u"s"_s, u"SUB"_s, u"e"_s, Direction::In, { "a" } });
    CaptureRecord c2s { 5, u"tap 1"_s, u"REQ"_s, u"tcp://*:1 > tcp://h:2"_s, Direction::ClientToServer,
        { "", "id", "m", "b" } };
    c2s.peer = QByteArray("\x00\x80\x00\x41\xa7", 5);
    row("tap c2s with its peer", c2s);
    CaptureRecord s2c = c2s;
    s2c.direction = Direction::ServerToClient;
    s2c.type = u"REP"_s;
    row("tap s2c with its peer", s2c);
    s2c.peer.clear();
    row("tap s2c without a peer (pair-pair)", s2c);
    CaptureRecord wire { 7, u"127.0.0.1:40112 > 127.0.0.1:5555"_s, u"DEALER"_s, u"tcp://127.0.0.1:5555"_s,
        Direction::ClientToServer, { "", "id", "text/plain", "hi" } };
    wire.src = u"127.0.0.1:40112"_s;
    wire.dst = u"127.0.0.1:5555"_s;
    wire.security = u"PLAIN"_s;
    row("passive capture c2s", wire);
    CaptureRecord wire6 = wire;
    wire6.socket = u"[::1]:40112 > [::1]:5555"_s;
    wire6.src = u"[::1]:5555"_s;
    wire6.dst = u"[::1]:40112"_s;
    wire6.direction = Direction::ServerToClient;
    wire6.type = u"ROUTER"_s;
    wire6.security = u"NULL"_s;
    row("passive capture s2c over IPv6", wire6);
    CaptureRecord curve = wire;
    curve.security = u"CURVE"_s;
    curve.frames.clear();
    curve.encrypted = true;
    curve.size = 70'123;
    row("passive capture, CURVE: encrypted with its size", curve);
    curve.size = 0;
    row("encrypted, size 0", curve);
    row("timestamp year 9999",
        CaptureRecord { 253'402'300'799'999'999, u"s"_s, u"SUB"_s, u"e"_s, Direction::In, { "a" } });
}

void TestMessageLine::matchesReferences()
{
    QFETCH(CaptureRecord, record);
    QFETCH(bool, valueCheck);
    const QByteArray line = captureLine(record);
    QCOMPARE(line, referenceLine(record));
    if (valueCheck) {
        QJsonParseError error {};
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(document.object(), referenceObject(record));
    }
    // And the line reads back as the record (frames are the lossless truth).
    QCOMPARE(parseCaptureLine(line), record);
}

// Every sequence of one and two bytes, and every three-byte sequence with a lead byte from E0 to
// F4 (continuation bytes in steps, so both valid and broken ones come up): strict UTF-8 decides
// between "body" and "body_base64", and the two writers must agree on every one.
void TestMessageLine::everyShortUtf8Sequence()
{
    int compared = 0;
    const auto of = [](std::initializer_list<int> values) {
        QByteArray bytes;
        for (const int value : values)
            bytes.append(char(value));
        return bytes;
    };
    const auto check = [&](const QByteArray &bytes) {
        const CaptureRecord record = envelopeRecord("i", "m", "<" + bytes + ">");
        const QByteArray line = captureLine(record);
        if (line != referenceLine(record))
            QFAIL(qPrintable(
                u"lines differ for the bytes %1: %2 against %3"_s.arg(QString::fromLatin1(bytes.toHex(' ')),
                    QString::fromUtf8(line), QString::fromUtf8(referenceLine(record)))));
        ++compared;
    };
    for (int a = 0; a < 256; ++a) {
        check(QByteArray(1, char(a)));
        for (int b = 0; b < 256; ++b)
            check(of({ a, b }));
    }
    for (int a = 0xe0; a <= 0xf4; ++a)
        for (int b = 0x70; b < 0xd0; b += 1)
            for (int c = 0x70; c < 0xd0; c += 3) {
                check(of({ a, b, c }));
                check(of({ a, b, c, 0x80 + (b + c) % 64 }));
            }
    QVERIFY(compared > 100000);
}

void TestMessageLine::randomBytes()
{
    QRandomGenerator random(20261205);
    // Mostly valid text with a few odd bytes, so long valid runs and all kinds of breaks appear.
    static const QByteArray pieces[] = { "a", "\"", "\\", "\n", "\x1b", "\xc3\xa9", "\xe2\x80\xa8",
        "\xef\xbb\xbf", "\xf0\x9f\x98\x80", "\x80", "\xe2\x82", "\xf8", "\xed\xa0\x80", "\xc1\xbf", "/" };
    for (int round = 0; round < 3000; ++round) {
        QByteArray body;
        const int length = int(random.bounded(40));
        for (int i = 0; i < length; ++i) {
            const quint32 pick = random.bounded(int(std::size(pieces)) + 3);
            body += pick < std::size(pieces) ? pieces[pick] : QByteArray(1, char(random.bounded(256)));
        }
        const CaptureRecord record = envelopeRecord(body.left(3), "text/plain", body);
        QCOMPARE(captureLine(record), referenceLine(record));
    }
}

// The suites' random records (hostile names, frame counts, bodies) through both writers.
void TestMessageLine::randomRecords()
{
    for (const CaptureRecord &record : capturetest::randomRecords(20261205, 2000))
        QCOMPARE(captureLine(record), referenceLine(record));
}

// One writer, one buffer, many lines of changing seconds: the cached second and the buffer's
// earlier lines must not leak into later ones.
void TestMessageLine::writerKeepsAppending()
{
    CaptureLineWriter writer(u"S"_s, u"PULL"_s, u"tcp://127.0.0.1:1"_s);
    QByteArray buffer;
    QByteArray expected;
    std::int64_t ts = 1'764'000'000'999'998;
    for (int i = 0; i < 2000; ++i, ts += 1 + i * 7) {
        const Frames frames { QByteArray::number(i), i % 3 ? "text/plain"_ba : "\xff"_ba,
            QByteArray(i % 50, 'b') };
        writer.append(buffer, ts, i % 2 ? Direction::In : Direction::Out, frames);
        expected += referenceLine({ ts, u"S"_s, u"PULL"_s, u"tcp://127.0.0.1:1"_s,
            i % 2 ? Direction::In : Direction::Out, frames });
    }
    QCOMPARE(buffer, expected);
}

QTEST_GUILESS_MAIN(TestMessageLine)
void TestMessageLine::eventLines_data()
{
    QTest::addColumn<CaptureRecord>("record");
    QTest::addColumn<QByteArray>("line");
    CaptureRecord subscribe;
    subscribe.timestampUs = 1'764'000'000'123'456;
    subscribe.socket = u"tap \"1\""_s;
    subscribe.event = u"subscribe"_s;
    subscribe.topic = QByteArray("\x00weather", 8);
    QTest::newRow("subscribe") << subscribe
                               << QByteArray(
                                      "{\"ts\":\"2025-11-24T16:00:00.123456Z\",\"socket\":\"tap \\\"1\\\"\","
                                      "\"event\":\"subscribe\",\"topic_base64\":\"AHdlYXRoZXI=\"}\n");
    CaptureRecord everything = subscribe;
    everything.event = u"unsubscribe"_s;
    everything.topic.clear();
    QTest::newRow("unsubscribe from every topic")
        << everything
        << QByteArray("{\"ts\":\"2025-11-24T16:00:00.123456Z\",\"socket\":\"tap \\\"1\\\"\","
                      "\"event\":\"unsubscribe\",\"topic_base64\":\"\"}\n");
    CaptureRecord connected = subscribe;
    connected.event = u"connected"_s;
    connected.topic.clear();
    connected.detail = u"tcp://127.0.0.1:5555"_s;
    QTest::newRow("connected with detail")
        << connected
        << QByteArray("{\"ts\":\"2025-11-24T16:00:00.123456Z\",\"socket\":\"tap \\\"1\\\"\","
                      "\"event\":\"connected\",\"detail\":\"tcp://127.0.0.1:5555\"}\n");
}

void TestMessageLine::eventLines()
{
    QFETCH(CaptureRecord, record);
    QFETCH(QByteArray, line);
    QCOMPARE(captureEventLine(record), line);
    const CaptureRecord back = parseCaptureLine(line);
    QVERIFY(back.isEvent());
    QVERIFY(back.frames.isEmpty());
    QCOMPARE(back.event, record.event);
    QCOMPARE(back.topic, record.topic);
    QCOMPARE(back.detail, record.detail);
    QCOMPARE(back.socket, record.socket);
    QCOMPARE(back.timestampUs, record.timestampUs);
    // A kind this build does not know is still an event, so readers skip it.
    QVERIFY(parseCaptureLine(R"({"ts":"2025-11-24T16:00:00Z","socket":"s","event":"from-the-future"})")
                .isEvent());
}

void TestMessageLine::badTapFields_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("named");
    const QByteArray head = R"({"ts":"2025-11-24T16:00:00Z","socket":"s",)";
    QTest::newRow("unknown dir") << head + R"("dir":"sideways","frames":[]})"
                                 << u"\"sideways\"; expected \"in\", \"out\", \"c2s\" or \"s2c\""_s;
    QTest::newRow("peer not hex") << head + R"("dir":"c2s","peer":"xyz1","frames":[]})" << u"\"peer\""_s;
    QTest::newRow("peer odd length") << head + R"("dir":"c2s","peer":"abc","frames":[]})" << u"\"peer\""_s;
    QTest::newRow("peer a number") << head + R"("dir":"c2s","peer":12,"frames":[]})"
                                   << u"\"peer\" that is a number"_s;
    QTest::newRow("encrypted not a boolean")
        << head + R"("dir":"c2s","encrypted":"yes","size":3})" << u"\"encrypted\" that is a string"_s;
    QTest::newRow("encrypted without size") << head + R"("dir":"c2s","encrypted":true})"
                                            << u"\"size\" is missing, expected a whole number of bytes"_s;
    QTest::newRow("encrypted, negative size")
        << head + R"("dir":"c2s","encrypted":true,"size":-1})" << u"\"size\" is -1"_s;
    QTest::newRow("encrypted, fractional size")
        << head + R"("dir":"c2s","encrypted":true,"size":1.5})" << u"\"size\" is 1.5"_s;
    QTest::newRow("src a number") << head + R"("src":5,"dir":"c2s","frames":[]})" << u"\"src\""_s;
    QTest::newRow("event topic not base64")
        << head + R"("event":"subscribe","topic_base64":"!!"})" << u"\"topic_base64\""_s;
}

void TestMessageLine::badTapFields()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, named);
    try {
        (void)parseCaptureLine(line);
        QFAIL("no error");
    } catch (const Error &error) {
        QVERIFY2(error.message().contains(named), qPrintable(error.message()));
    }
}

#include "tst_messageline.moc"
