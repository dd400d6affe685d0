// The one codec for untrusted bytes shown as plain text (DESIGN.md section 7):
// UTF-8 decoding that keeps the text around invalid bytes, which code points
// are escaped and how, cuts that keep whole characters, and the text-or-binary
// decision the CLI, the message table and the Detail pane share.

#include <QTest>

#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;
namespace textescape = zmqscope::textescape;

class TestTextEscape : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validUtf8_data();
    void validUtf8();
    void utf8PrefixLength_data();
    void utf8PrefixLength();
    void looksLikeText_data();
    void looksLikeText();
    void escape_data();
    void escape();
    void longInputLimits_data();
    void longInputLimits();
    void nothingInvisibleGetsThrough();
};

void TestTextEscape::validUtf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("allowCutEnd");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ascii") << QByteArrayLiteral("hello") << false << true;
    QTest::newRow("empty") << QByteArray() << false << true;
    QTest::newRow("NUL is valid UTF-8") << QByteArray("a\0b", 3) << false << true;
    QTest::newRow("two-byte") << QByteArrayLiteral("h\xc3\xa9") << false << true;
    QTest::newRow("four-byte") << QByteArrayLiteral("\xf0\x9f\x98\x80") << false << true;
    QTest::newRow("overlong slash") << QByteArrayLiteral("\xc0\xaf") << false << false;
    QTest::newRow("overlong three-byte") << QByteArrayLiteral("\xe0\x80\xaf") << false << false;
    QTest::newRow("overlong four-byte") << QByteArrayLiteral("\xf0\x80\x80\xaf") << false << false;
    QTest::newRow("surrogate") << QByteArrayLiteral("\xed\xa0\x80") << false << false;
    QTest::newRow("beyond U+10FFFF") << QByteArrayLiteral("\xf4\x90\x80\x80") << false << false;
    QTest::newRow("lone continuation") << QByteArrayLiteral("a\x80") << false << false;
    QTest::newRow("0xff") << QByteArrayLiteral("\xff") << false << false;
    QTest::newRow("cut at end, strict") << QByteArrayLiteral("ab\xe2\x82") << false << false;
    QTest::newRow("cut at end, allowed") << QByteArrayLiteral("ab\xe2\x82") << true << true;
    QTest::newRow("cut in the middle, allowed") << QByteArrayLiteral("\xe2\x82"
                                                                     "ab")
                                                << true << false;
    QTest::newRow("bad then cut, allowed") << QByteArrayLiteral("\xff\xe2\x82") << true << false;
}

void TestTextEscape::validUtf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, allowCutEnd);
    QFETCH(bool, valid);
    QCOMPARE(textescape::isValidUtf8(bytes, allowCutEnd), valid);
}

void TestTextEscape::utf8PrefixLength_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qsizetype>("max");
    QTest::addColumn<qsizetype>("expected");
    // "a€b": € is e2 82 ac at offsets 1..3.
    const QByteArray euro = QByteArrayLiteral("a\xe2\x82\xac"
                                              "b");
    QTest::newRow("all fits") << euro << qsizetype(10) << qsizetype(5);
    QTest::newRow("before euro") << euro << qsizetype(1) << qsizetype(1);
    QTest::newRow("inside euro (1)") << euro << qsizetype(2) << qsizetype(1);
    QTest::newRow("inside euro (2)") << euro << qsizetype(3) << qsizetype(1);
    QTest::newRow("after euro") << euro << qsizetype(4) << qsizetype(4);
    QTest::newRow("zero") << euro << qsizetype(0) << qsizetype(0);
    QTest::newRow("inside an emoji") << QByteArrayLiteral("\xf0\x9f\x98\x80") << qsizetype(3) << qsizetype(0);
    QTest::newRow("binary is cut anywhere")
        << QByteArrayLiteral("\x80\x80\x80\x80\x80") << qsizetype(3) << qsizetype(3);
}

void TestTextEscape::utf8PrefixLength()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qsizetype, max);
    QFETCH(qsizetype, expected);
    QCOMPARE(textescape::utf8PrefixLength(bytes, max), expected);
}

void TestTextEscape::looksLikeText_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("allowCutEnd");
    QTest::addColumn<bool>("text");
    QTest::newRow("ascii") << QByteArrayLiteral("hello") << false << true;
    QTest::newRow("empty") << QByteArray() << false << true;
    QTest::newRow("lines and tabs") << QByteArrayLiteral("a\tb\r\nc\f") << false << true;
    QTest::newRow("NUL") << QByteArray("hello\0world", 11) << false << false;
    QTest::newRow("a few colour codes") << QByteArrayLiteral("\x1b[31mred text here\x1b[0m") << false << true;
    QTest::newRow("mostly controls") << QByteArrayLiteral("\x01\x02\x03"
                                                          "abc")
                                     << false << false;
    QTest::newRow("DEL counts as a control") << QByteArrayLiteral("\x7f\x7f"
                                                                  "abcdef")
                                             << false << false;
    QTest::newRow("invalid in the middle") << QByteArrayLiteral("abc\xff"
                                                                "def")
                                           << false << false;
    QTest::newRow("png signature") << QByteArrayLiteral("\x89PNG\r\n\x1a\n") << false << false;
    QTest::newRow("cut tail, strict") << QByteArrayLiteral("caf\xc3") << false << false;
    QTest::newRow("cut tail, allowed") << QByteArrayLiteral("caf\xc3") << true << true;
    QTest::newRow("emoji") << QByteArrayLiteral("ok \xf0\x9f\x98\x80") << false << true;
}

void TestTextEscape::looksLikeText()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, allowCutEnd);
    QFETCH(bool, text);
    QCOMPARE(textescape::looksLikeText(bytes, allowCutEnd), text);
}

void TestTextEscape::escape_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("quoted");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<bool>("moreFollows");
    QTest::addColumn<QString>("expected");

    const auto row = [](const char *name, const QByteArray &bytes, const QString &expected) {
        QTest::newRow(name) << bytes << false << -1 << -1 << false << expected;
    };
    row("plain", QByteArrayLiteral("hello"), u"hello"_s);
    row("empty", QByteArray(), QString());
    row("NUL", QByteArray("a\0b", 3), u"a\\x00b"_s);
    row("line ends and tab", QByteArrayLiteral("a\nb\r\tc"), u"a\\nb\\r\\tc"_s);
    row("escape and form feed", QByteArrayLiteral("\x1b[0m\f"), u"\\x1b[0m\\x0c"_s);
    row("DEL", QByteArrayLiteral("a\x7f"), u"a\\x7f"_s);
    row("C1 control U+0085", QByteArrayLiteral("a\xc2\x85"), u"a\\u{85}"_s);
    row("invalid in the middle keeps the text",
        QByteArrayLiteral("ab\xff"
                          "cd"),
        u"ab\\xffcd"_s);
    row("bad continuation keeps the next byte", QByteArrayLiteral("\xe2(x"), u"\\xe2(x"_s);
    row("overlong two-byte", QByteArrayLiteral("\xc0\xaf"), u"\\xc0\\xaf"_s);
    row("overlong three-byte", QByteArrayLiteral("\xe0\x80\xaf"), u"\\xe0\\x80\\xaf"_s);
    row("surrogate", QByteArrayLiteral("\xed\xa0\x80"), u"\\xed\\xa0\\x80"_s);
    row("beyond U+10FFFF", QByteArrayLiteral("\xf4\x90\x80\x80"), u"\\xf4\\x90\\x80\\x80"_s);
    row("bidi override U+202E",
        QByteArrayLiteral("abc\xe2\x80\xae"
                          "def"),
        u"abc\\u{202e}def"_s);
    row("zero width space U+200B",
        QByteArrayLiteral("a\xe2\x80\x8b"
                          "b"),
        u"a\\u{200b}b"_s);
    row("byte order mark", QByteArrayLiteral("\xef\xbb\xbfx"), u"\\u{feff}x"_s);
    row("line separator", QByteArrayLiteral("a\xe2\x80\xa8"), u"a\\u{2028}"_s);
    row("paragraph separator", QByteArrayLiteral("a\xe2\x80\xa9"), u"a\\u{2029}"_s);
    row("private use", QByteArrayLiteral("\xee\x80\x80"), u"\\u{e000}"_s);
    row("invisible beyond the BMP (tag)", QByteArrayLiteral("\xf3\xa0\x80\x81"), u"\\u{e0001}"_s);
    row("accents stay", QByteArrayLiteral("caf\xc3\xa9"), u"caf\u00e9"_s);
    row("emoji stays (surrogate pair)", QByteArrayLiteral("\xf0\x9f\x98\x80!"), u"\U0001F600!"_s);
    row("markup stays literal", QByteArrayLiteral("<b>&amp;</b>"), u"<b>&amp;</b>"_s);
    row("quote and backslash unquoted", QByteArrayLiteral("\"\\"), u"\"\\"_s);
    row("cut tail at the real end is escaped", QByteArrayLiteral("ab\xe2\x82"), u"ab\\xe2\\x82"_s);

    QTest::newRow("quoted") << QByteArrayLiteral("say \"hi\" \\ \n") << true << -1 << -1 << false
                            << u"\"say \\\"hi\\\" \\\\ \\n\""_s;
    QTest::newRow("quoted empty") << QByteArray() << true << -1 << -1 << false << u"\"\""_s;
    QTest::newRow("cut tail of a prefix is dropped")
        << QByteArrayLiteral("ab\xe2\x82") << false << -1 << -1 << true << u"ab\u2026"_s;
    QTest::newRow("byte limit inside a character") << QByteArrayLiteral("a\xe2\x82\xac"
                                                                        "b")
                                                   << true << 2 << -1 << false << u"\"a\u2026\""_s;
    QTest::newRow("byte limit at the end")
        << QByteArrayLiteral("abc") << true << 3 << -1 << false << u"\"abc\""_s;
    QTest::newRow("char limit") << QByteArrayLiteral("abcdef") << false << -1 << 3 << false << u"abc\u2026"_s;
    QTest::newRow("char limit exactly") << QByteArrayLiteral("abc") << false << -1 << 3 << false << u"abc"_s;
    QTest::newRow("an escape counts as one")
        << QByteArrayLiteral("\n\n\n\n") << false << -1 << 2 << false << u"\\n\\n\u2026"_s;
    QTest::newRow("an emoji counts as one") << QByteArrayLiteral("\xf0\x9f\x98\x80\xf0\x9f\x98\x80") << false
                                            << -1 << 1 << false << u"\U0001F600\u2026"_s;
}

void TestTextEscape::escape()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, quoted);
    QFETCH(int, maxBytes);
    QFETCH(int, maxChars);
    QFETCH(bool, moreFollows);
    QFETCH(QString, expected);
    textescape::EscapeOptions options;
    options.quoted = quoted;
    options.maxBytes = maxBytes;
    options.maxChars = maxChars;
    options.moreFollows = moreFollows;
    QCOMPARE(textescape::escape(bytes, options), expected);
}

void TestTextEscape::longInputLimits_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<QString>("expected");
    const QByteArray text(1 << 20, 'a');
    const QByteArray binary(1 << 20, '\xff');
    QTest::newRow("1 MiB text, 100 chars") << text << -1 << 100 << QString(100, u'a') + u'\u2026';
    QTest::newRow("1 MiB text, 4096 bytes") << text << 4096 << -1 << QString(4096, u'a') + u'\u2026';
    QTest::newRow("1 MiB invalid, 4096 bytes")
        << binary << 4096 << -1 << u"\\xff"_s.repeated(4096) + u'\u2026';
    QTest::newRow("1 MiB invalid, 10 chars") << binary << -1 << 10 << u"\\xff"_s.repeated(10) + u'\u2026';
}

void TestTextEscape::longInputLimits()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, maxBytes);
    QFETCH(int, maxChars);
    QFETCH(QString, expected);
    textescape::EscapeOptions options;
    options.maxBytes = maxBytes;
    options.maxChars = maxChars;
    QCOMPARE(textescape::escape(bytes, options), expected);
}

// Every Unicode scalar value, escaped in one go: what comes out is printable
// ASCII escapes and characters that show themselves, never an invisible one.
void TestTextEscape::nothingInvisibleGetsThrough()
{
    QString all;
    for (char32_t c = 0; c <= 0x10ffff; ++c) {
        if (c < 0xd800 || c > 0xdfff)
            all += QStringView(QChar::fromUcs4(c));
    }
    const QByteArray bytes = all.toUtf8();
    QVERIFY(textescape::isValidUtf8(bytes));
    const QString escaped = textescape::escape(bytes);
    for (qsizetype i = 0; i < escaped.size(); ++i) {
        char32_t c = escaped.at(i).unicode();
        if (escaped.at(i).isHighSurrogate()) {
            QVERIFY(i + 1 < escaped.size() && escaped.at(i + 1).isLowSurrogate());
            c = QChar::surrogateToUcs4(escaped.at(i), escaped.at(i + 1));
            ++i;
        }
        if (textescape::isInvisible(c))
            QFAIL(qPrintable(u"U+%1 was not escaped"_s.arg(uint(c), 4, 16, QChar(u'0'))));
    }
    for (const QString &expected : { u"\\x00"_s, u"\\x1b"_s, u"\\x7f"_s, u"\\u{85}"_s, u"\\u{202e}"_s,
             u"\\u{e0001}"_s, u"\U0001F600"_s, u"\u00e9"_s })
        QVERIFY2(escaped.contains(expected), qPrintable(expected));
}

QTEST_GUILESS_MAIN(TestTextEscape)
#include "tst_textescape.moc"
