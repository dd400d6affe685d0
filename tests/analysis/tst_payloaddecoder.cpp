// The payload decoders and decode rules (issue 17, DESIGN.md section 12): values encoded by Python's
// msgpack, cbor2 and protobuf (tests/interop/payload_peer.py) decode to the JSON the contract says;
// bad data is an error naming the format, the byte and the reason; rules parse, choose and load
// descriptor sets as documented.

#include <vector>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/payloaddecoder.h>

#include "../interop/payloadcases.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

QByteArray bytes(const char *text, qsizetype size)
{
    return { text, size };
}

/// A message's frames kept alive with the views a FilterSubject takes.
struct Message
{
    explicit Message(QList<QByteArray> list, QString socketName = u"s"_s)
        : frames(std::move(list))
        , socket(std::move(socketName))
    {
        for (const QByteArray &frame : frames)
            views.emplace_back(frame);
        subject.frames = views;
        subject.socket = socket;
    }
    QList<QByteArray> frames;
    QString socket;
    std::vector<QByteArrayView> views;
    FilterSubject subject;
};

} // namespace

class TestPayloadDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void decodesWhatPythonEncoded();
    void errorsNameByteAndReason_data();
    void errorsNameByteAndReason();
    void depthIsBounded_data();
    void depthIsBounded();
    void keysMadeOfMapsStayBounded();
    void rulesParse_data();
    void rulesParse();
    void badRulesSayWhy_data();
    void badRulesSayWhy();
    void setChoosesByRuleThenMimetype();
    void rulesFileAndDescriptorErrors();

private:
    QTemporaryDir m_dir;
    QString m_descriptorSet;
    QList<payloadcases::Case> m_cases;
};

void TestPayloadDecoder::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_cases = payloadcases::prepare(m_dir.path(), error);
    m_descriptorSet = m_dir.filePath(u"telemetry.desc"_s);
    QVERIFY2(!m_cases.isEmpty(), qPrintable(error));
}

void TestPayloadDecoder::decodesWhatPythonEncoded()
{
    Result<std::shared_ptr<const ProtobufSchema>> schema = ProtobufSchema::load(m_descriptorSet);
    QVERIFY2(schema, qPrintable(schema.errorMessage()));
    QCOMPARE((*schema)->messageNames(),
        QStringList({ u"demo.Batch"_s, u"demo.Reading"_s, u"demo.Reading.Location"_s }));
    QSet<QString> formats;
    for (const payloadcases::Case &one : std::as_const(m_cases)) {
        const std::optional<PayloadFormat> format = payloadFormatFromName(one.format);
        QVERIFY2(format, qPrintable(one.name));
        formats.insert(one.format);
        std::optional<ProtobufType> type;
        if (*format == PayloadFormat::Protobuf) {
            Result<ProtobufType> found = (*schema)->messageType(one.type);
            QVERIFY2(found, qPrintable(found.errorMessage()));
            type = *found;
        }
        const Result<QJsonValue> decoded = decodePayload(*format, one.body, type ? &*type : nullptr);
        QVERIFY2(decoded, qPrintable(one.name + u": "_s + decoded.errorMessage()));
        QVERIFY2(payloadcases::sameJson(*decoded, one.expected),
            qPrintable(u"%1: decoded %2, sent %3"_s.arg(
                one.name, payloadcases::compact(*decoded), payloadcases::compact(one.expected))));
        // The mimetype the peer gave picks the same format without a rule (not protobuf's).
        if (*format != PayloadFormat::Protobuf)
            QCOMPARE(payloadFormatForMimetype(one.mimetype), format);
    }
    QCOMPARE(formats, QSet<QString>({ u"json"_s, u"cbor"_s, u"msgpack"_s, u"protobuf"_s }));
}

void TestPayloadDecoder::errorsNameByteAndReason_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    // MessagePack
    QTest::newRow("msgpack cut in an array")
        << u"msgpack"_s << bytes("\x92\x01", 2) << u"MessagePack: at byte 2: the data ends inside a value"_s;
    QTest::newRow("msgpack reserved byte")
        << u"msgpack"_s << bytes("\x91\xc1", 2) << u"MessagePack: at byte 1: not MessagePack"_s;
    QTest::newRow("msgpack trailing data")
        << u"msgpack"_s << bytes("\x01\x02", 2)
        << u"MessagePack: at byte 1: more data after the MessagePack value"_s;
    QTest::newRow("msgpack string cut")
        << u"msgpack"_s << bytes("\xa5hi", 3) << u"MessagePack: at byte 1: the data ends inside a value"_s;
    QTest::newRow("msgpack empty") << u"msgpack"_s << QByteArray()
                                   << u"MessagePack: at byte 0: the body is empty"_s;
    // CBOR
    QTest::newRow("cbor cut in a map") << u"cbor"_s << bytes("\xa1\x01", 2) << u"CBOR: at byte 2: "_s;
    QTest::newRow("cbor trailing data")
        << u"cbor"_s << bytes("\x01\x02", 2) << u"CBOR: at byte 1: more data after the CBOR value"_s;
    QTest::newRow("cbor reserved") << u"cbor"_s << bytes("\x1c", 1) << u"CBOR: at byte 0: "_s;
    QTest::newRow("cbor empty") << u"cbor"_s << QByteArray() << u"CBOR: at byte 0: the body is empty"_s;
    // JSON
    QTest::newRow("json") << u"json"_s << QByteArray("{\"a\": tru}") << u"JSON: at byte "_s;
    // protobuf (demo.Reading): where the bytes stop being the wire format
    QTest::newRow("protobuf varint cut")
        << u"protobuf"_s << bytes("\x18", 1)
        << u"protobuf (demo.Reading): at byte 0: the data ends inside a varint"_s;
    QTest::newRow("protobuf length too long")
        << u"protobuf"_s
        << bytes("\x0a\x05"
                 "ab",
               4)
        << u"protobuf (demo.Reading): at byte 1: a length of 5 bytes where 2 are left"_s;
    QTest::newRow("protobuf field 0")
        << u"protobuf"_s << bytes("\x00\x01", 2) << u"protobuf (demo.Reading): at byte 0: field number 0"_s;
    QTest::newRow("protobuf wire type 7")
        << u"protobuf"_s << bytes("\x0f", 1) << u"protobuf (demo.Reading): at byte 0: wire type 7"_s;
    QTest::newRow("protobuf fixed64 cut")
        << u"protobuf"_s << bytes("\x11\x00\x00", 3)
        << u"protobuf (demo.Reading): at byte 0: the data ends inside a 8-byte value"_s;
    QTest::newRow("protobuf string not UTF-8")
        << u"protobuf"_s << bytes("\x0a\x02\xff\xfe", 4)
        << u"protobuf (demo.Reading): not a valid demo.Reading: String field 'demo.Reading.sensor' contains invalid UTF-8"_s;
    QTest::newRow("protobuf nested message broken")
        << u"protobuf"_s << bytes("\x3a\x02\x0d\x00", 4)
        << u"protobuf (demo.Reading): not a valid demo.Reading: "_s;
}

void TestPayloadDecoder::errorsNameByteAndReason()
{
    QFETCH(QString, format);
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    std::optional<ProtobufType> type;
    if (format == u"protobuf"_s) {
        Result<std::shared_ptr<const ProtobufSchema>> schema = ProtobufSchema::load(m_descriptorSet);
        QVERIFY(schema);
        type = *(*schema)->messageType(u"demo.Reading"_s);
    }
    const Result<QJsonValue> decoded
        = decodePayload(*payloadFormatFromName(format), body, type ? &*type : nullptr);
    QVERIFY2(!decoded, qPrintable(payloadcases::compact(decoded ? *decoded : QJsonValue())));
    QCOMPARE(decoded.error().code(), ErrorCode::InvalidBody);
    QVERIFY2(decoded.errorMessage().startsWith(error), qPrintable(decoded.errorMessage()));
}

void TestPayloadDecoder::depthIsBounded_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("msgpack") << u"msgpack"_s << QByteArray(100000, '\x91') + '\x01';
    QTest::newRow("cbor") << u"cbor"_s << QByteArray(100000, '\x81') + '\x01';
    QTest::newRow("json") << u"json"_s << QByteArray(100000, '[') + QByteArray(100000, ']');
}

void TestPayloadDecoder::depthIsBounded()
{
    QFETCH(QString, format);
    QFETCH(QByteArray, body);
    // 100,000 levels: an error naming the limit, not a stack overflow.
    const Result<QJsonValue> decoded = decodePayload(*payloadFormatFromName(format), body);
    QVERIFY(!decoded);
    QVERIFY2(decoded.errorMessage().contains(u"1024"_s), qPrintable(decoded.errorMessage()));
    // At the limit it still decodes.
    const QByteArray opener = body.left(1);
    const QByteArray atLimit = format == u"json"_s
        ? QByteArray(QByteArray(MaxDecodeDepth - 1, '[') + QByteArray(MaxDecodeDepth - 1, ']'))
        : QByteArray(QByteArray(MaxDecodeDepth - 1, opener.front()) + '\x01');
    const Result<QJsonValue> deep = decodePayload(*payloadFormatFromName(format), atLimit);
    QVERIFY2(deep, qPrintable(deep.errorMessage()));
}

void TestPayloadDecoder::keysMadeOfMapsStayBounded()
{
    // Maps keyed by maps, 60 levels: each key's JSON text escapes the one inside it, which doubled at
    // every level (fuzz_cbor's 2 GB input). Keys made of maps are cut, so this decodes, and small.
    QByteArray cbor;
    QByteArray msgpack;
    for (int level = 0; level < 60; ++level) {
        cbor += '\xa1'; // a map of one pair, its key next
        msgpack += '\x81';
    }
    cbor += QByteArray("\x61q\x01", 3); // the innermost: {"q": 1}
    msgpack += QByteArray("\xa1q\x01", 3);
    for (int level = 1; level < 60; ++level) {
        cbor += '\x00'; // each outer map's value
        msgpack += '\x00';
    }
    for (const auto &[format, body] :
        { std::pair { PayloadFormat::Cbor, cbor }, std::pair { PayloadFormat::MsgPack, msgpack } }) {
        const Result<QJsonValue> decoded = decodePayload(format, body);
        QVERIFY2(decoded, qPrintable(decoded.errorMessage()));
        const QByteArray text = payloadcases::compact(*decoded).toUtf8();
        QVERIFY2(text.size() < 4096, qPrintable(u"%1 bytes"_s.arg(text.size())));
        const QString key = decoded->toObject().keys().value(0);
        QCOMPARE(key.size(), 256 + 3);
        QVERIFY(key.endsWith(u"..."_s));
    }
}

void TestPayloadDecoder::rulesParse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("match");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("descriptorSet");
    QTest::addColumn<QString>("messageType");
    using M = DecodeRule::Match;
    QTest::newRow("format only") << u"msgpack"_s << int(M::Any) << QString() << u"msgpack"_s << QString()
                                 << QString();
    QTest::newRow("id glob") << u"id=order-*:cbor"_s << int(M::Id) << u"order-*"_s << u"cbor"_s << QString()
                             << QString();
    QTest::newRow("socket with colons")
        << u"socket=127.0.0.1:5555 > 127.0.0.1:6000:json"_s << int(M::Socket)
        << u"127.0.0.1:5555 > 127.0.0.1:6000"_s << u"json"_s << QString() << QString();
    QTest::newRow("mimetype") << u"mimetype=application/vnd.x:msgpack"_s << int(M::Mimetype)
                              << u"application/vnd.x"_s << u"msgpack"_s << QString() << QString();
    QTest::newRow("frame") << u"frame=-1:cbor"_s << int(M::Frame) << u"-1"_s << u"cbor"_s << QString()
                           << QString();
    QTest::newRow("protobuf") << u"protobuf:sets/t.desc:demo.Reading"_s << int(M::Any) << QString()
                              << u"protobuf"_s << u"sets/t.desc"_s << u"demo.Reading"_s;
    QTest::newRow("protobuf, path with a colon")
        << u"id=r*:protobuf:C:/sets/t.desc:demo.Batch"_s << int(M::Id) << u"r*"_s << u"protobuf"_s
        << u"C:/sets/t.desc"_s << u"demo.Batch"_s;
}

void TestPayloadDecoder::rulesParse()
{
    QFETCH(QString, text);
    QFETCH(int, match);
    QFETCH(QString, value);
    QFETCH(QString, format);
    QFETCH(QString, descriptorSet);
    QFETCH(QString, messageType);
    const Result<DecodeRule> rule = DecodeRule::parse(text);
    QVERIFY2(rule, qPrintable(rule.errorMessage()));
    QCOMPARE(int(rule->match), match);
    QCOMPARE(rule->value, value);
    QCOMPARE(payloadFormatName(rule->format), format);
    QCOMPARE(rule->descriptorSet, descriptorSet);
    QCOMPARE(rule->messageType, messageType);
    QCOMPARE(rule->toString(), text);
    QCOMPARE(*DecodeRule::parse(rule->toString()), *rule);
}

void TestPayloadDecoder::badRulesSayWhy_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QString() << u"decode rule \"\": empty; expected [MATCH:]FORMAT[:ARGS]"_s;
    QTest::newRow("unknown format")
        << u"yaml"_s << u"decode rule \"yaml\": unknown format \"yaml\"; expected json, cbor, msgpack"_s;
    QTest::newRow("unknown match") << u"topic=x:json"_s << u"unknown match \"topic=\"; expected id=GLOB"_s;
    QTest::newRow("match without format") << u"id=x"_s << u"no format after \"id=x\""_s;
    QTest::newRow("empty match value") << u"socket=:json"_s << u"socket= needs a value"_s;
    QTest::newRow("bad frame") << u"frame=two:cbor"_s << u"frame=two: expected a frame index"_s;
    QTest::newRow("arguments to cbor")
        << u"cbor:extra"_s << u"cbor takes no arguments (\"extra\" after it)"_s;
    QTest::newRow("protobuf without type")
        << u"protobuf:t.desc"_s << u"protobuf needs a descriptor set and a message type"_s;
    QTest::newRow("protobuf alone") << u"protobuf"_s
                                    << u"protobuf needs a descriptor set and a message type"_s;
}

void TestPayloadDecoder::badRulesSayWhy()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    const Result<DecodeRule> rule = DecodeRule::parse(text);
    QVERIFY(!rule);
    QCOMPARE(rule.error().code(), ErrorCode::InvalidOptionValue);
    QVERIFY2(rule.errorMessage().contains(error), qPrintable(rule.errorMessage()));
}

void TestPayloadDecoder::setChoosesByRuleThenMimetype()
{
    QList<DecodeRule> rules;
    for (const QString &text : QStringList { u"id=order-*:msgpack"_s, u"socket=wire a:b:cbor"_s,
             QString(u"mimetype=application/vnd.reading:protobuf:"_s + m_descriptorSet + u":demo.Reading"_s),
             u"frame=0:json"_s })
        rules.append(*DecodeRule::parse(text));
    Result<DecoderSet> set = DecoderSet::create(rules);
    QVERIFY2(set, qPrintable(set.errorMessage()));

    // The first rule that fits decides, in order.
    Message order({ "order-17", "text/plain", QByteArray::fromHex("81a3717479 0a") }, u"wire a:b"_s);
    std::optional<DecodedPayload> chosen = set->decode(order.subject);
    QVERIFY(chosen);
    QCOMPARE(chosen->format, PayloadFormat::MsgPack);
    QCOMPARE(chosen->ruleIndex, 0);
    QCOMPARE(chosen->frame, 2);
    QVERIFY2(chosen->value, qPrintable(chosen->value.errorMessage()));
    QCOMPARE(*chosen->value, QJsonValue(QJsonObject { { u"qty"_s, 10 } }));

    Message bySocket({ "other", "text/plain", QByteArray::fromHex("a1617902") }, u"wire a:b"_s);
    chosen = set->decode(bySocket.subject);
    QVERIFY(chosen && chosen->format == PayloadFormat::Cbor && chosen->ruleIndex == 1);
    QCOMPARE(*chosen->value, QJsonValue(QJsonObject { { u"y"_s, 2 } }));

    // The protobuf rule by mimetype (parameters ignored, case-insensitive); a body that is not one says so.
    Message reading({ "r1", "Application/Vnd.Reading; v=2", "\x0a\x02s1" }, u"elsewhere"_s);
    chosen = set->decode(reading.subject);
    QVERIFY(chosen && chosen->format == PayloadFormat::Protobuf);
    QCOMPARE(chosen->title(), u"protobuf demo.Reading"_s);
    QCOMPARE(*chosen->value, QJsonValue(QJsonObject { { u"sensor"_s, u"s1"_s } }));

    // frame=0 of a raw message (not an envelope): that frame, not the last.
    Message raw({ "{\"a\":1}", "x", "y", "z", "w" }, u"elsewhere"_s);
    chosen = set->decode(raw.subject);
    QVERIFY(chosen && chosen->format == PayloadFormat::Json && chosen->frame == 0);

    // No rule fits: the mimetype decides; a mimetype that names no format decodes nothing.
    Message cbor({ "x", "application/cbor", "\x01" }, u"elsewhere"_s);
    Result<DecoderSet> noFrameRule = DecoderSet::create(rules.mid(0, 3));
    QVERIFY(noFrameRule);
    chosen = noFrameRule->decode(cbor.subject);
    QVERIFY(chosen && chosen->format == PayloadFormat::Cbor && chosen->ruleIndex == -1);
    QCOMPARE(*chosen->value, QJsonValue(1));
    Message text({ "x", "text/plain", "hello" }, u"elsewhere"_s);
    QVERIFY(!noFrameRule->decode(text.subject));
    // A bad body under the mimetype's format: the error, not nothing.
    Message badCbor({ "x", "application/cbor", "\xa1" }, u"elsewhere"_s);
    chosen = noFrameRule->decode(badCbor.subject);
    QVERIFY(chosen && !chosen->value);
    QVERIFY2(chosen->value.errorMessage().startsWith(u"CBOR: at byte 1"_s),
        qPrintable(chosen->value.errorMessage()));
}

void TestPayloadDecoder::rulesFileAndDescriptorErrors()
{
    // A rules file: comments and blank lines skipped; descriptor sets relative to the file.
    QDir(m_dir.path()).mkdir(u"rules"_s);
    QVERIFY(QFile::copy(m_descriptorSet, m_dir.filePath(u"rules/t.desc"_s)));
    const QString rulesFile = m_dir.filePath(u"rules/decoders.txt"_s);
    QFile file(rulesFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        "# telemetry\n\nid=r*:protobuf:t.desc:demo.Reading\n  mimetype=application/x-pack:msgpack  \n");
    file.close();
    Result<DecoderSet> set = DecoderSet::fromFile(rulesFile);
    QVERIFY2(set, qPrintable(set.errorMessage()));
    QCOMPARE(set->rules().size(), 2);

    // A bad line: the file and the line number.
    QVERIFY(file.open(QIODevice::Append));
    file.write("cbor\nyaml\n");
    file.close();
    set = DecoderSet::fromFile(rulesFile);
    QVERIFY(!set);
    QVERIFY2(set.errorMessage().contains(u"decoders.txt:6: decode rule \"yaml\": unknown format"_s),
        qPrintable(set.errorMessage()));

    // A descriptor set that is not one, a missing one, a type the set has not.
    const QString notASet = m_dir.filePath(u"not-a-set.desc"_s);
    QFile junk(notASet);
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("this is text, not a FileDescriptorSet");
    junk.close();
    Result<std::shared_ptr<const ProtobufSchema>> schema = ProtobufSchema::load(notASet);
    QVERIFY(!schema);
    QVERIFY2(schema.errorMessage().contains(u"not a protobuf descriptor set"_s),
        qPrintable(schema.errorMessage()));
    schema = ProtobufSchema::load(m_dir.filePath(u"missing.desc"_s));
    QVERIFY(!schema);
    QCOMPARE(schema.error().code(), ErrorCode::FileError);
    QVERIFY2(schema.errorMessage().contains(u"missing.desc"_s), qPrintable(schema.errorMessage()));
    Result<DecoderSet> wrongType = DecoderSet::create(
        { *DecodeRule::parse(QString(u"protobuf:"_s + m_descriptorSet + u":demo.Nope"_s)) });
    QVERIFY(!wrongType);
    QVERIFY2(wrongType.errorMessage().contains(
                 u"has no message type \"demo.Nope\"; it has demo.Batch, demo.Reading"_s),
        qPrintable(wrongType.errorMessage()));
}

QTEST_GUILESS_MAIN(TestPayloadDecoder)
#include "tst_payloaddecoder.moc"
