// Saved messages: TemplateExpander's variables and TemplateLibrary's JSON file (round trip, stable
// output, and a clear error for every kind of bad file).

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/envelope.h>
#include <zmqscope/replay/templates.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

MessageTemplate envelopeTemplate(const QString &name, QByteArray id, QByteArray mimetype, QByteArray body)
{
    MessageTemplate t;
    t.name = name;
    t.kind = MessageTemplate::Kind::Envelope;
    t.id = std::move(id);
    t.mimetype = std::move(mimetype);
    t.body = std::move(body);
    return t;
}

MessageTemplate rawTemplate(const QString &name, Frames frames)
{
    MessageTemplate t;
    t.name = name;
    t.kind = MessageTemplate::Kind::Raw;
    t.frames = std::move(frames);
    return t;
}

QByteArray allBytes()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    return bytes;
}

} // namespace

class TestTemplates : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void expandText_data();
    void expandText();
    void expandNow();
    void expandUuid();
    void expandRandom();
    void badVariables_data();
    void badVariables();
    void seqCountsMessages();
    void rawFramesExpanded();
    void roundTrip();
    void saveIsStableAndSorted();
    void missingFileIsEmpty();
    void badFiles_data();
    void badFiles();
    void editing();

private:
    QTemporaryDir m_dir;
};

void TestTemplates::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestTemplates::expandText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<quint64>("seq");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain") << QByteArray("hello") << quint64(1) << QByteArray("hello");
    QTest::newRow("empty") << QByteArray() << quint64(1) << QByteArray();
    QTest::newRow("seq") << QByteArray("n={{seq}}") << quint64(7) << QByteArray("n=7");
    QTest::newRow("seq twice") << QByteArray("{{seq}}-{{seq}}") << quint64(42) << QByteArray("42-42");
    QTest::newRow("literal braces") << QByteArray("{{{{") << quint64(1) << QByteArray("{{");
    QTest::newRow("escaped variable") << QByteArray("{{{{seq}}") << quint64(3) << QByteArray("{{seq}}");
    QTest::newRow("closing alone") << QByteArray("a}}b") << quint64(1) << QByteArray("a}}b");
    QTest::newRow("single braces") << QByteArray("{\"a\": {\"b\": 1}}") << quint64(1)
                                   << QByteArray("{\"a\": {\"b\": 1}}");
    QTest::newRow("json with seq") << QByteArray("{\"n\": {{seq}}}") << quint64(5)
                                   << QByteArray("{\"n\": 5}");
    QTest::newRow("random 1") << QByteArray("{{random:1}}") << quint64(1) << QByteArray("0");
    QTest::newRow("binary around") << QByteArray("\x00{{seq}}\xff", 9) << quint64(9)
                                   << QByteArray("\x00"
                                                 "9\xff",
                                          3);
}

void TestTemplates::expandText()
{
    QFETCH(QByteArray, text);
    QFETCH(quint64, seq);
    QFETCH(QByteArray, expected);
    TemplateExpander expander(seq);
    QCOMPARE(expander.expandText(text), expected);
    QCOMPARE(expander.seq(), seq); // expandText() does not advance
    TemplateExpander::validate(text); // and validate() accepts what expands
}

void TestTemplates::expandNow()
{
    TemplateExpander expander;
    const QByteArray text = expander.expandText("at {{now}} / {{now}}");
    const QRegularExpression pattern(u"^at (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z) / (.*)$"_s);
    const auto match = pattern.match(QString::fromUtf8(text));
    QVERIFY2(match.hasMatch(), text.constData());
    QCOMPARE(match.captured(2), match.captured(1)); // one time per expansion
    const auto us = parseCaptureTimestamp(match.captured(1));
    QVERIFY(us.has_value());
    const std::int64_t nowUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    QVERIFY(*us > nowUs - 3600LL * 1000 * 1000 && *us <= nowUs + 1'000'000); // UTC, not local time
}

void TestTemplates::expandUuid()
{
    TemplateExpander expander;
    const QRegularExpression uuid(u"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
    QSet<QByteArray> seen;
    for (int i = 0; i < 20; ++i) {
        const QByteArray value = expander.expandText("{{uuid}}");
        QVERIFY2(uuid.match(QString::fromLatin1(value)).hasMatch(), value.constData());
        seen.insert(value);
    }
    QCOMPARE(seen.size(), 20);
}

void TestTemplates::expandRandom()
{
    TemplateExpander expander;
    QSet<int> seen;
    for (int i = 0; i < 500; ++i) {
        bool ok = false;
        const int value = expander.expandText("{{random:10}}").toInt(&ok);
        QVERIFY(ok);
        QVERIFY2(value >= 0 && value < 10, QByteArray::number(value).constData());
        seen.insert(value);
    }
    QCOMPARE(seen.size(), 10); // 500 draws miss a value with probability ~10 * 0.9^500
    bool ok = false;
    (void)expander.expandText("{{random:18446744073709551615}}").toULongLong(&ok);
    QVERIFY(ok);
}

void TestTemplates::badVariables_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown") << QByteArray("x {{foo}} y") << u"unknown template variable \"{{foo}}\""_s;
    QTest::newRow("empty") << QByteArray("{{}}") << u"unknown template variable \"{{}}\""_s;
    QTest::newRow("spaces") << QByteArray("{{ seq }}") << u"unknown template variable \"{{ seq }}\""_s;
    QTest::newRow("case") << QByteArray("{{SEQ}}") << u"unknown template variable \"{{SEQ}}\""_s;
    QTest::newRow("unclosed") << QByteArray("a {{seq") << u"unclosed template variable \"{{seq\""_s;
    QTest::newRow("triple") << QByteArray("{{{seq}}") << u"unknown template variable \"{{{seq}}\""_s;
    QTest::newRow("random without N")
        << QByteArray("{{random}}") << u"malformed template variable \"{{random}}\""_s;
    QTest::newRow("random empty N") << QByteArray("{{random:}}")
                                    << u"malformed template variable \"{{random:}}\""_s;
    QTest::newRow("random zero") << QByteArray("{{random:0}}")
                                 << u"malformed template variable \"{{random:0}}\""_s;
    QTest::newRow("random negative") << QByteArray("{{random:-3}}")
                                     << u"malformed template variable \"{{random:-3}}\""_s;
    QTest::newRow("random text") << QByteArray("{{random:ten}}")
                                 << u"malformed template variable \"{{random:ten}}\""_s;
    QTest::newRow("random overflow") << QByteArray("{{random:18446744073709551616}}")
                                     << u"malformed template variable \"{{random:18446744073709551616}}\""_s;
}

void TestTemplates::badVariables()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    TemplateExpander expander;
    try {
        (void)expander.expandText(text);
        QFAIL("expandText() accepted a bad variable");
    } catch (const Error &error) {
        QCOMPARE(error.code(), ErrorCode::InvalidBody);
        QVERIFY2(error.message().contains(expected), qPrintable(error.message()));
        QVERIFY(!error.message().contains(u'\n'));
    }
    QVERIFY_THROWS_EXCEPTION(Error, TemplateExpander::validate(text));
    // A bad body makes the whole message fail, and the seq is not used up.
    QVERIFY_THROWS_EXCEPTION(
        Error, (void)expander.expand(envelopeTemplate(u"t"_s, "id", "text/plain", text)));
    QCOMPARE(expander.seq(), quint64(1));
}

void TestTemplates::seqCountsMessages()
{
    MessageTemplate t = envelopeTemplate(u"ping"_s, "req-{{seq}}", "text/plain", "ping {{seq}} of {{{{n}}");
    TemplateExpander expander;
    for (int i = 1; i <= 3; ++i) {
        const Frames frames = expander.expand(t);
        const Frames expected = Envelope::create(
            "text/plain", "ping " + QByteArray::number(i) + " of {{n}}", "req-" + QByteArray::number(i))
                                    .transferObject();
        QCOMPARE(frames, expected);
    }
    QCOMPARE(expander.seq(), quint64(4));
    TemplateExpander fromTen(10);
    QCOMPARE(fromTen.expand(t).constFirst(), QByteArray("req-10"));
}

void TestTemplates::rawFramesExpanded()
{
    const MessageTemplate t = rawTemplate(u"raw"_s, { "topic", "{{seq}}", QByteArray("\x00\x01", 2), "" });
    TemplateExpander expander(5);
    QCOMPARE(expander.expand(t), (Frames { "topic", "5", QByteArray("\x00\x01", 2), "" }));
    QCOMPARE(expander.expand(t).at(1), QByteArray("6"));
    QVERIFY_THROWS_EXCEPTION(Error, (void)expander.expand(rawTemplate(u"none"_s, {})));
}

void TestTemplates::roundTrip()
{
    TemplateLibrary library;
    MessageTemplate ping = envelopeTemplate(u"ping"_s, "{{uuid}}", "application/json", "{\"n\": {{seq}}}");
    ping.socketType = u"REQ"_s;
    ping.description = u"health check, ünïcödé"_s;
    MessageTemplate binary = envelopeTemplate(
        u"binary body"_s, QByteArray("\xff\xfe", 2), "application/octet-stream", allBytes());
    MessageTemplate bom = envelopeTemplate(u"bom"_s, "", "text/plain", "\xef\xbb\xbfhello");
    MessageTemplate raw = rawTemplate(u"raw frames"_s, { "topic", allBytes(), "", "{{seq}}" });
    raw.socketType = u"PUB"_s;
    for (const MessageTemplate &t : { ping, binary, bom, raw })
        library.insert(t);

    const QString path = m_dir.filePath(u"sub/dir/library.json"_s); // save() creates the folders
    library.save(path);
    const TemplateLibrary loaded = TemplateLibrary::load(path);
    QCOMPARE(loaded.templates().size(), 4);
    for (const MessageTemplate &t : { ping, binary, bom, raw }) {
        const MessageTemplate *found = loaded.find(t.name);
        QVERIFY2(found, qPrintable(t.name));
        QVERIFY2(*found == t, qPrintable(t.name));
    }

    // Text stays readable; bytes that are not UTF-8 are base64.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(root.value(u"zmqscope_library"_s).toInt(), 1);
    const QJsonArray templates = root.value(u"templates"_s).toArray();
    QCOMPARE(templates.size(), 4);
    const QJsonObject binaryJson = templates.at(0).toObject();
    QCOMPARE(binaryJson.value(u"name"_s).toString(), u"binary body"_s);
    QCOMPARE(binaryJson.value(u"body_base64"_s).toString(), QString::fromLatin1(allBytes().toBase64()));
    QVERIFY(!binaryJson.contains(u"body"_s));
    const QJsonObject pingJson = templates.at(2).toObject();
    QCOMPARE(pingJson.value(u"body"_s).toString(), u"{\"n\": {{seq}}}"_s);
    QCOMPARE(pingJson.value(u"socket_type"_s).toString(), u"REQ"_s);
    QCOMPARE(pingJson.value(u"kind"_s).toString(), u"envelope"_s);
    const QJsonArray frames = templates.at(3).toObject().value(u"frames"_s).toArray();
    QCOMPARE(frames.at(0).toObject(), (QJsonObject { { u"text"_s, u"topic"_s } }));
    QCOMPARE(frames.at(1).toObject(),
        (QJsonObject { { u"base64"_s, QString::fromLatin1(allBytes().toBase64()) } }));
}

void TestTemplates::saveIsStableAndSorted()
{
    const MessageTemplate a = envelopeTemplate(u"alpha"_s, "1", "text/plain", "a");
    const MessageTemplate b = envelopeTemplate(u"beta"_s, "2", "text/plain", "b");
    const MessageTemplate c = rawTemplate(u"gamma"_s, { "c" });
    TemplateLibrary forward;
    TemplateLibrary backward;
    for (const MessageTemplate &t : { a, b, c })
        forward.insert(t);
    for (const MessageTemplate &t : { c, b, a })
        backward.insert(t);
    const QString first = m_dir.filePath(u"forward.json"_s);
    const QString second = m_dir.filePath(u"backward.json"_s);
    forward.save(first);
    backward.save(second);
    QFile one(first);
    QFile two(second);
    QVERIFY(one.open(QIODevice::ReadOnly) && two.open(QIODevice::ReadOnly));
    const QByteArray bytes = one.readAll();
    QCOMPARE(two.readAll(), bytes);
    QVERIFY(bytes.indexOf("\"alpha\"") < bytes.indexOf("\"beta\""));
    QVERIFY(bytes.indexOf("\"beta\"") < bytes.indexOf("\"gamma\""));
    QVERIFY(bytes.count('\n') > 10); // pretty: one key per line, diff-friendly
    QCOMPARE(TemplateLibrary::load(first).names(), (QStringList { u"alpha"_s, u"beta"_s, u"gamma"_s }));
}

void TestTemplates::missingFileIsEmpty()
{
    const TemplateLibrary library = TemplateLibrary::load(m_dir.filePath(u"does-not-exist.json"_s));
    QVERIFY(library.templates().isEmpty());
    QVERIFY(TemplateLibrary::defaultPath().endsWith(u"/library.json"_s));
}

void TestTemplates::badFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    const auto lib = [](const QByteArray &templates) -> QByteArray {
        return "{\"zmqscope_library\": 1, \"templates\": [" + templates + "]}";
    };
    QTest::newRow("not json") << QByteArray("{nope") << u"is not valid JSON"_s;
    QTest::newRow("empty") << QByteArray() << u"is not valid JSON"_s;
    QTest::newRow("array root") << QByteArray("[]") << u"is not a JSON object"_s;
    QTest::newRow("no version") << QByteArray("{\"templates\": []}")
                                << u"is not a ZmqScope template library"_s;
    QTest::newRow("capture file") << QByteArray(
        "{\"zmqscope_capture\":1,\"created\":\"2026-01-01T00:00:00Z\"}\n")
                                  << u"is not a ZmqScope template library"_s;
    QTest::newRow("version 2") << QByteArray("{\"zmqscope_library\": 2, \"templates\": []}")
                               << u"has version 2; this ZmqScope reads version 1"_s;
    QTest::newRow("templates not array")
        << QByteArray("{\"zmqscope_library\": 1, \"templates\": {}}") << u"\"templates\" is not an array"_s;
    QTest::newRow("template not object") << lib("42") << u"templates[0] is not an object"_s;
    QTest::newRow("no name") << lib("{\"body\": \"x\"}")
                             << u"templates[0]: template: field \"name\" is missing"_s;
    QTest::newRow("empty name") << lib("{\"name\": \"\"}") << u"field \"name\" is empty"_s;
    QTest::newRow("duplicate") << lib("{\"name\": \"a\"}, {\"name\": \"a\"}")
                               << u"templates[1]: the name \"a\" is used twice"_s;
    QTest::newRow("bad kind")
        << lib("{\"name\": \"a\", \"kind\": \"fancy\"}")
        << u"template \"a\": field \"kind\" must be \"envelope\" or \"raw\", not \"fancy\""_s;
    QTest::newRow("unknown field") << lib("{\"name\": \"a\", \"bdy\": \"x\"}")
                                   << u"template \"a\": field \"bdy\" is not a template field"_s;
    QTest::newRow("body twice") << lib("{\"name\": \"a\", \"body\": \"x\", \"body_base64\": \"eA==\"}")
                                << u"template \"a\": field \"body\" is given twice"_s;
    QTest::newRow("bad base64") << lib("{\"name\": \"a\", \"body_base64\": \"!!\"}")
                                << u"template \"a\": field \"body_base64\" is not valid base64"_s;
    QTest::newRow("body not string") << lib("{\"name\": \"a\", \"body\": 5}")
                                     << u"template \"a\": field \"body\" is not a string"_s;
    QTest::newRow("unknown socket type")
        << lib("{\"name\": \"a\", \"socket_type\": \"REQQ\"}")
        << u"template \"a\": field \"socket_type\" has an unknown socket type \"REQQ\""_s;
    QTest::newRow("raw without frames")
        << lib("{\"name\": \"a\", \"kind\": \"raw\"}") << u"template \"a\": field \"frames\" is missing"_s;
    QTest::newRow("raw empty frames") << lib("{\"name\": \"a\", \"kind\": \"raw\", \"frames\": []}")
                                      << u"template \"a\": field \"frames\" is empty"_s;
    QTest::newRow("raw bad frame") << lib("{\"name\": \"a\", \"kind\": \"raw\", \"frames\": [\"x\"]}")
                                   << u"template \"a\": field \"frames[0]\" must be"_s;
    QTest::newRow("raw bad frame base64")
        << lib("{\"name\": \"a\", \"kind\": \"raw\", \"frames\": [{\"text\": \"t\"}, {\"base64\": \"%%\"}]}")
        << u"template \"a\": field \"frames[1].base64\" is not valid base64"_s;
    QTest::newRow("raw with body") << lib(
        "{\"name\": \"a\", \"kind\": \"raw\", \"frames\": [{\"text\": \"t\"}], "
        "\"body\": \"x\"}") << u"template \"a\": field \"body\" does not belong in a raw template"_s;
    QTest::newRow("envelope with frames") << lib("{\"name\": \"a\", \"frames\": [{\"text\": \"t\"}]}")
                                          << u"template \"a\": field \"frames\" belongs to raw templates"_s;
}

void TestTemplates::badFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString path = m_dir.filePath(
        u"bad-%1.json"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'-'));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(content), content.size());
    file.close();
    try {
        (void)TemplateLibrary::load(path);
        QFAIL("load() accepted a bad file");
    } catch (const Error &error) {
        QVERIFY2(error.message().contains(path), qPrintable(error.message()));
        QVERIFY2(error.message().contains(expected), qPrintable(error.message()));
        QVERIFY(!error.message().contains(u'\n'));
    }
}

void TestTemplates::editing()
{
    TemplateLibrary library;
    library.insert(envelopeTemplate(u"b"_s, "", "text/plain", "1"));
    library.insert(envelopeTemplate(u"a"_s, "", "text/plain", "2"));
    library.insert(envelopeTemplate(u"b"_s, "", "text/plain", "3")); // replaces
    QCOMPARE(library.names(), (QStringList { u"a"_s, u"b"_s }));
    QCOMPARE(library.find(u"b"_s)->body, QByteArray("3"));
    QVERIFY(!library.find(u"c"_s));
    // Each refusal says why, naming the templates (Result<void>, issue 13 point 7).
    const auto refused = [](const zmqscope::Result<void> &result, const QStringList &named) {
        if (result.ok())
            return false;
        for (const QString &part : named) {
            if (!result.errorMessage().contains(part))
                return false;
        }
        return result.error().code() == ErrorCode::InvalidBody;
    };
    QVERIFY(refused(library.rename(u"a"_s, u"b"_s), { u"\"a\""_s, u"\"b\""_s, u"exists"_s })); // taken
    QVERIFY(refused(library.rename(u"x"_s, u"y"_s), { u"\"x\""_s, u"no template"_s })); // missing
    QVERIFY(refused(library.rename(u"a"_s, u" "_s), { u"\"a\""_s, u"empty"_s })); // empty
    QVERIFY(library.rename(u"a"_s, u"z"_s).ok());
    QCOMPARE(library.names(), (QStringList { u"b"_s, u"z"_s }));
    QCOMPARE(library.find(u"z"_s)->body, QByteArray("2"));
    QVERIFY(library.remove(u"b"_s).ok());
    QVERIFY(refused(library.remove(u"b"_s), { u"\"b\""_s, u"no template"_s }));
    QCOMPARE(library.names(), (QStringList { u"z"_s }));

    MessageTemplate lower
        = MessageTemplate::fromJson(QJsonObject { { u"name"_s, u"x"_s }, { u"socket_type"_s, u"dealer"_s } });
    QCOMPARE(lower.socketType, u"DEALER"_s); // canonical name
    QCOMPARE(lower.kind, MessageTemplate::Kind::Envelope);
}

QTEST_GUILESS_MAIN(TestTemplates)
#include "tst_templates.moc"
