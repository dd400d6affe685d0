#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include "detail/messageformat.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestMessageFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneLineText_data();
    void oneLineText();
    void displayText_data();
    void displayText();
    void copyableText_data();
    void copyableText();
    void describeBytes_data();
    void describeBytes();
    void hex();
    void timestamps_data();
    void timestamps();
    void jsonMimetype_data();
    void jsonMimetype();
    void looksLikeJson_data();
    void looksLikeJson();
    void imageSignature_data();
    void imageSignature();
    void captureLineEnvelope();
    void captureLineBinaryBody();
    void captureLineRaw();
};

void TestMessageFormat::oneLineText_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QByteArrayLiteral("hello") << 10 << u"hello"_s;
    QTest::newRow("controls") << QByteArrayLiteral("a\nb\tc\x00") << 10 << u"a\\nb\\tc\\x00"_s;
    QTest::newRow("bidi override") << QByteArrayLiteral("a\xe2\x80\xae"
                                                        "b")
                                   << 10 << u"a\\u{202e}b"_s;
    QTest::newRow("cut") << QByteArrayLiteral("abcdefgh") << 3 << u"abc…"_s;
    QTest::newRow("invalid") << QByteArrayLiteral("a\xff"
                                                  "b")
                             << 10 << u"a\\xffb"_s;
    QTest::newRow("markup stays literal") << QByteArrayLiteral("<b>x</b>") << 20 << u"<b>x</b>"_s;
}

void TestMessageFormat::oneLineText()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, maxChars);
    QFETCH(QString, expected);
    QCOMPARE(MessageFormat::oneLineText(bytes, maxChars), expected);
}

void TestMessageFormat::displayText_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("maxLineChars");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("invalidUtf8");
    QTest::addColumn<bool>("controlsEscaped");
    QTest::addColumn<bool>("linesBroken");
    QTest::addColumn<bool>("invisibleEscaped");
    QTest::newRow("plain lines") << QByteArrayLiteral("one\ntwo\r\n\tthree") << 80 << u"one\ntwo\r\n\tthree"_s
                                 << false << false << false << false;
    QTest::newRow("controls") << QByteArrayLiteral("a\x00"
                                                   "b\x1b[0m\x7f")
                              << 80 << u"a\\x00b\\x1b[0m\\x7f"_s << false << true << false << false;
    QTest::newRow("invalid") << QByteArrayLiteral("a\xff"
                                                  "b")
                             << 80 << u"a\\xffb"_s << true << false << false << false;
    // The same escapes as the one-line codec (textescape::escape), also for a sequence cut by the end.
    QTest::newRow("invalid like the Frames tab")
        << QByteArrayLiteral("\x89PNG\r\nok \xc3") << 80 << u"\\x89PNG\r\nok \\xc3"_s << true << false
        << false << false;
    QTest::newRow("long line") << QByteArrayLiteral("abcdefghij\nabc") << 4 << u"abcd\nefgh\nij\nabc"_s
                               << false << false << true << false;
    QTest::newRow("no break inside a surrogate pair")
        << QByteArrayLiteral("ab\xf0\x9f\x98\x80") << 3 << u"ab\U0001F600"_s << false << false << false
        << false;
    QTest::newRow("markup") << QByteArrayLiteral("<b>x</b>") << 80 << u"<b>x</b>"_s << false << false << false
                            << false;
    QTest::newRow("bidi override and zero width space")
        << QByteArrayLiteral("a\xe2\x80\xae"
                             "b\xe2\x80\x8b")
        << 80 << u"a\\u{202e}b\\u{200b}"_s << false << false << false << true;
    QTest::newRow("C1 control") << QByteArrayLiteral("a\xc2\x85") << 80 << u"a\\u{85}"_s << false << false
                                << false << true;
}

void TestMessageFormat::displayText()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, maxLineChars);
    QFETCH(QString, expected);
    QFETCH(bool, invalidUtf8);
    QFETCH(bool, controlsEscaped);
    QFETCH(bool, linesBroken);
    QFETCH(bool, invisibleEscaped);
    MessageFormat::DisplayTextChanges changes;
    QCOMPARE(MessageFormat::displayText(bytes, maxLineChars, &changes), expected);
    QCOMPARE(changes.invalidUtf8, invalidUtf8);
    QCOMPARE(changes.controlsEscaped, controlsEscaped);
    QCOMPARE(changes.linesBroken, linesBroken);
    QCOMPARE(changes.invisibleEscaped, invisibleEscaped);
}

void TestMessageFormat::copyableText_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("invalidUtf8");
    QTest::newRow("valid, controls kept")
        << QByteArrayLiteral("a\tb\x1b[0m\r\n\xc3\xa9") << u"a\tb\x1b[0m\r\n\u00e9"_s << false;
    QTest::newRow("invalid bytes as the codec escapes them")
        << QByteArrayLiteral("ok \xff\xfe bytes \xe2\x82") << u"ok \\xff\\xfe bytes \\xe2\\x82"_s << true;
    QTest::newRow("empty") << QByteArray() << QString() << false;
}

void TestMessageFormat::copyableText()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QFETCH(bool, invalidUtf8);
    bool escaped = !invalidUtf8;
    QCOMPARE(MessageFormat::copyableText(bytes, &escaped), expected);
    QCOMPARE(escaped, invalidUtf8);
}

void TestMessageFormat::describeBytes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray() << u"(empty)"_s;
    QTest::newRow("text") << QByteArrayLiteral("client-7") << u"“client-7”"_s;
    QTest::newRow("routing id") << QByteArrayLiteral("\x00\x80\x00\x41\xa7") << u"hex 00 80 00 41 a7"_s;
}

void TestMessageFormat::describeBytes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QCOMPARE(MessageFormat::describeBytes(bytes), expected);
}

void TestMessageFormat::hex()
{
    QCOMPARE(MessageFormat::hex(QByteArrayLiteral("\xde\xad\xbe\xef")), u"de ad be ef"_s);
    QCOMPARE(MessageFormat::hex(QByteArrayLiteral("\xde\xad\xbe\xef"), 2), u"de ad …"_s);
    QCOMPARE(MessageFormat::hex(QByteArray()), QString());
}

void TestMessageFormat::timestamps_data()
{
    QTest::addColumn<qint64>("us");
    QTest::addColumn<QString>("iso");
    QTest::newRow("epoch") << qint64(0) << u"1970-01-01T00:00:00.000000Z"_s;
    QTest::newRow("micros") << qint64(1714566896789123) << u"2024-05-01T12:34:56.789123Z"_s;
    QTest::newRow("before epoch") << qint64(-1) << u"1969-12-31T23:59:59.999999Z"_s;
}

void TestMessageFormat::timestamps()
{
    QFETCH(qint64, us);
    QFETCH(QString, iso);
    QCOMPARE(MessageFormat::isoTimestampUtc(us), iso);
    // The local rendering has milliseconds, whatever the zone.
    QVERIFY(QRegularExpression(u"^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}$"_s)
                .match(MessageFormat::localTimestamp(us))
                .hasMatch());
}

void TestMessageFormat::jsonMimetype_data()
{
    QTest::addColumn<QByteArray>("mimetype");
    QTest::addColumn<bool>("json");
    QTest::newRow("application/json") << QByteArrayLiteral("application/json") << true;
    QTest::newRow("upper case and charset") << QByteArrayLiteral("Application/JSON; charset=utf-8") << true;
    QTest::newRow("+json") << QByteArrayLiteral("application/problem+json") << true;
    QTest::newRow("text/json") << QByteArrayLiteral("text/json") << true;
    QTest::newRow("bare +json") << QByteArrayLiteral("+json") << false;
    QTest::newRow("text/plain") << QByteArrayLiteral("text/plain") << false;
    QTest::newRow("jsonp") << QByteArrayLiteral("application/jsonp") << false;
}

void TestMessageFormat::jsonMimetype()
{
    QFETCH(QByteArray, mimetype);
    QFETCH(bool, json);
    QCOMPARE(MessageFormat::isJsonMimetype(mimetype), json);
}

void TestMessageFormat::looksLikeJson_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("json");
    QTest::newRow("object") << QByteArrayLiteral("{\"a\":1}") << true;
    QTest::newRow("array after blanks") << QByteArrayLiteral(" \r\n\t[1]") << true;
    QTest::newRow("text") << QByteArrayLiteral("hello {") << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void TestMessageFormat::looksLikeJson()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, json);
    QCOMPARE(MessageFormat::looksLikeJson(body), json);
}

void TestMessageFormat::imageSignature_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("format");
    QTest::newRow("png") << QByteArrayLiteral("\x89PNG\r\n\x1a\n....") << QByteArrayLiteral("png");
    QTest::newRow("jpeg") << QByteArrayLiteral("\xff\xd8\xff\xe0") << QByteArrayLiteral("jpeg");
    QTest::newRow("gif") << QByteArrayLiteral("GIF89a....") << QByteArrayLiteral("gif");
    QTest::newRow("bmp") << QByteArrayLiteral("BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0")
                         << QByteArrayLiteral("bmp");
    QTest::newRow("text starting with BM")
        << QByteArrayLiteral("BMW sells cars, lots of them") << QByteArray();
    QTest::newRow("text") << QByteArrayLiteral("hello") << QByteArray();
}

void TestMessageFormat::imageSignature()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, format);
    QCOMPARE(MessageFormat::imageFormatFromSignature(body), format);
}

void TestMessageFormat::captureLineEnvelope()
{
    StoredMessage message;
    message.timestampUs = 1714566896789123;
    message.direction = Direction::In;
    message.frames = { QByteArrayLiteral("peer"), QByteArray(), QByteArrayLiteral("order-17"),
        QByteArrayLiteral("text/plain"), QByteArrayLiteral("h\xc3\xa9llo") };
    const auto line = MessageFormat::captureLine(message, u"orders"_s);
    QVERIFY(!line.contains('\n'));
    const auto object = QJsonDocument::fromJson(line).object();
    QCOMPARE(object.value(u"ts"_s).toString(), u"2024-05-01T12:34:56.789123Z"_s);
    QCOMPARE(object.value(u"socket"_s).toString(), u"orders"_s);
    QCOMPARE(object.value(u"dir"_s).toString(), u"in"_s);
    const auto frames = object.value(u"frames"_s).toArray();
    QCOMPARE(frames.size(), message.frames.size());
    for (int i = 0; i < frames.size(); ++i)
        QCOMPARE(QByteArray::fromBase64(frames.at(i).toString().toLatin1()), message.frames.at(i));
    QCOMPARE(object.value(u"id"_s).toString(), u"order-17"_s);
    QCOMPARE(object.value(u"mimetype"_s).toString(), u"text/plain"_s);
    QCOMPARE(object.value(u"body"_s).toString(), u"héllo"_s);
    QVERIFY(!object.contains(u"body_base64"_s));
}

void TestMessageFormat::captureLineBinaryBody()
{
    StoredMessage message;
    message.direction = Direction::Out;
    message.frames = { QByteArrayLiteral("\x80id"), QByteArrayLiteral("application/octet-stream"),
        QByteArrayLiteral("\xff\x00\x01") };
    const auto object = QJsonDocument::fromJson(MessageFormat::captureLine(message, u"out"_s)).object();
    QCOMPARE(object.value(u"dir"_s).toString(), u"out"_s);
    QVERIFY(!object.contains(u"id"_s));
    QCOMPARE(
        QByteArray::fromBase64(object.value(u"id_base64"_s).toString().toLatin1()), message.frames.at(0));
    QCOMPARE(object.value(u"mimetype"_s).toString(), u"application/octet-stream"_s);
    QVERIFY(!object.contains(u"body"_s));
    QCOMPARE(
        QByteArray::fromBase64(object.value(u"body_base64"_s).toString().toLatin1()), message.frames.at(2));
}

void TestMessageFormat::captureLineRaw()
{
    StoredMessage message;
    message.frames = { QByteArrayLiteral("only"), QByteArrayLiteral("two") };
    const auto object = QJsonDocument::fromJson(MessageFormat::captureLine(message, u"raw"_s)).object();
    QCOMPARE(object.value(u"frames"_s).toArray().size(), 2);
    QVERIFY(!object.contains(u"id"_s));
    QVERIFY(!object.contains(u"mimetype"_s));
    QVERIFY(!object.contains(u"body"_s));
    QVERIFY(!object.contains(u"body_base64"_s));
}

QTEST_GUILESS_MAIN(TestMessageFormat)
#include "tst_messageformat.moc"
