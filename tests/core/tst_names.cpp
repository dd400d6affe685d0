// The name tables: socket types and options by case-insensitive name, the
// errors that list the valid names, and OptionValue::fromText() per kind.

#include <zmq.h>

#include <QTest>

#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>

using namespace Qt::StringLiterals;
using zmqscope::ErrorCode;
using zmqscope::OptionKind;
using zmqscope::OptionValue;
using zmqscope::SocketType;

Q_DECLARE_METATYPE(zmqscope::SocketType)
Q_DECLARE_METATYPE(zmqscope::OptionKind)
Q_DECLARE_METATYPE(zmqscope::OptionValue)

class TestNames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void socketTypeByName_data();
    void socketTypeByName();
    void socketTypeCapabilities();
    void unknownSocketType_data();
    void unknownSocketType();
    void optionByName_data();
    void optionByName();
    void optionTableIsConsistent();
    void unknownOption_data();
    void unknownOption();
    void optionKindNames();
    void fromText_data();
    void fromText();
    void fromTextRejects_data();
    void fromTextRejects();
    void optionValueConversions();
};

void TestNames::socketTypeByName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<SocketType>("type");
    QTest::addColumn<int>("zmqNumber");

    const struct
    {
        const char *name;
        SocketType type;
        int zmq;
    } types[] = {
        { "PAIR", SocketType::Pair, ZMQ_PAIR },
        { "PUB", SocketType::Pub, ZMQ_PUB },
        { "SUB", SocketType::Sub, ZMQ_SUB },
        { "REQ", SocketType::Req, ZMQ_REQ },
        { "REP", SocketType::Rep, ZMQ_REP },
        { "DEALER", SocketType::Dealer, ZMQ_DEALER },
        { "ROUTER", SocketType::Router, ZMQ_ROUTER },
        { "PULL", SocketType::Pull, ZMQ_PULL },
        { "PUSH", SocketType::Push, ZMQ_PUSH },
        { "XPUB", SocketType::XPub, ZMQ_XPUB },
        { "XSUB", SocketType::XSub, ZMQ_XSUB },
        { "STREAM", SocketType::Stream, ZMQ_STREAM },
    };
    for (const auto &entry : types) {
        const QString upper = QString::fromLatin1(entry.name);
        QString mixed = upper.toLower();
        mixed[0] = mixed[0].toUpper(); // "Pub", "Xsub"
        QTest::newRow(qPrintable(upper)) << upper << entry.type << entry.zmq;
        QTest::newRow(qPrintable(upper.toLower())) << upper.toLower() << entry.type << entry.zmq;
        QTest::newRow(qPrintable(mixed)) << mixed << entry.type << entry.zmq;
    }
    QTest::newRow("xSub") << u"xSub"_s << SocketType::XSub << ZMQ_XSUB;
    QTest::newRow("rOuTeR") << u"rOuTeR"_s << SocketType::Router << ZMQ_ROUTER;
}

void TestNames::socketTypeByName()
{
    QFETCH(QString, name);
    QFETCH(SocketType, type);
    QFETCH(int, zmqNumber);

    QCOMPARE(zmqscope::findSocketType(name), std::optional<SocketType>(type));
    QCOMPARE(zmqscope::socketTypeFromName(name), type);
    // Every string flavour QAnyStringView takes works the same.
    QCOMPARE(zmqscope::socketTypeFromName(name.toUtf8()), type);
    QCOMPARE(zmqscope::socketTypeFromName(QLatin1StringView(name.toLatin1())), type);
    QCOMPARE(int(type), zmqNumber); // the enum is libzmq's own number
    QCOMPARE(zmqscope::socketTypeName(type), name.toUpper());
    QVERIFY(zmqscope::socketTypeNames().contains(name.toUpper()));
}

void TestNames::socketTypeCapabilities()
{
    QCOMPARE(zmqscope::socketTypeNames(),
        (QStringList { u"PAIR"_s, u"PUB"_s, u"SUB"_s, u"REQ"_s, u"REP"_s, u"DEALER"_s, u"ROUTER"_s, u"PULL"_s,
            u"PUSH"_s, u"XPUB"_s, u"XSUB"_s, u"STREAM"_s }));
    for (const QString &name : zmqscope::socketTypeNames()) {
        const SocketType type = zmqscope::socketTypeFromName(name);
        const bool sendOnly = type == SocketType::Pub || type == SocketType::Push;
        const bool receiveOnly = type == SocketType::Sub || type == SocketType::Pull;
        QCOMPARE(zmqscope::socketTypeCanReceive(type), !sendOnly);
        QCOMPARE(zmqscope::socketTypeCanSend(type), !receiveOnly);
    }
}

void TestNames::unknownSocketType_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("typo") << u"REQUEST"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("padded") << u" rep"_s;
    QTest::newRow("number") << u"3"_s;
    QTest::newRow("prefix") << u"x"_s;
}

void TestNames::unknownSocketType()
{
    QFETCH(QString, name);
    QVERIFY(!zmqscope::findSocketType(name));
    try {
        (void)zmqscope::socketTypeFromName(name);
        QFAIL("an unknown socket type name was accepted");
    } catch (const zmqscope::Error &error) {
        QCOMPARE(error.code(), ErrorCode::UnknownSocketType);
        QVERIFY2(error.message().contains(u"\"%1\""_s.arg(name)), error.what());
        for (const QString &valid : zmqscope::socketTypeNames())
            QVERIFY2(error.message().contains(valid), error.what());
        QVERIFY2(!error.message().contains(u'\n'), error.what());
    }
}

void TestNames::optionByName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("canonical");
    QTest::addColumn<int>("zmqOption");
    QTest::addColumn<OptionKind>("kind");

    const struct
    {
        const char *name;
        int zmq;
        OptionKind kind;
    } options[] = {
        // Every option named in the issue.
        { "subscribe", ZMQ_SUBSCRIBE, OptionKind::Bytes },
        { "unsubscribe", ZMQ_UNSUBSCRIBE, OptionKind::Bytes },
        { "routing_id", ZMQ_ROUTING_ID, OptionKind::Bytes },
        { "linger", ZMQ_LINGER, OptionKind::Int },
        { "sndhwm", ZMQ_SNDHWM, OptionKind::Int },
        { "rcvhwm", ZMQ_RCVHWM, OptionKind::Int },
        { "sndtimeo", ZMQ_SNDTIMEO, OptionKind::Int },
        { "rcvtimeo", ZMQ_RCVTIMEO, OptionKind::Int },
        { "maxmsgsize", ZMQ_MAXMSGSIZE, OptionKind::Int64 },
        { "reconnect_ivl", ZMQ_RECONNECT_IVL, OptionKind::Int },
        { "reconnect_ivl_max", ZMQ_RECONNECT_IVL_MAX, OptionKind::Int },
        { "tcp_keepalive", ZMQ_TCP_KEEPALIVE, OptionKind::Int },
        { "immediate", ZMQ_IMMEDIATE, OptionKind::Bool },
        { "router_mandatory", ZMQ_ROUTER_MANDATORY, OptionKind::Bool },
        { "conflate", ZMQ_CONFLATE, OptionKind::Bool },
        { "probe_router", ZMQ_PROBE_ROUTER, OptionKind::Bool },
        { "req_relaxed", ZMQ_REQ_RELAXED, OptionKind::Bool },
        { "req_correlate", ZMQ_REQ_CORRELATE, OptionKind::Bool },
        { "xpub_verbose", ZMQ_XPUB_VERBOSE, OptionKind::Bool },
        { "curve_server", ZMQ_CURVE_SERVER, OptionKind::Bool },
        { "curve_publickey", ZMQ_CURVE_PUBLICKEY, OptionKind::CurveKey },
        { "curve_secretkey", ZMQ_CURVE_SECRETKEY, OptionKind::CurveKey },
        { "curve_serverkey", ZMQ_CURVE_SERVERKEY, OptionKind::CurveKey },
        { "plain_server", ZMQ_PLAIN_SERVER, OptionKind::Bool },
        { "plain_username", ZMQ_PLAIN_USERNAME, OptionKind::Text },
        { "plain_password", ZMQ_PLAIN_PASSWORD, OptionKind::Text },
        { "zap_domain", ZMQ_ZAP_DOMAIN, OptionKind::Text },
    };
    for (const auto &option : options) {
        const QString canonical = QString::fromLatin1(option.name);
        QTest::newRow(option.name) << canonical << canonical << option.zmq << option.kind;
        QTest::newRow(qPrintable(canonical.toUpper()))
            << canonical.toUpper() << canonical << option.zmq << option.kind;
        QString mixed = canonical;
        for (qsizetype i = 0; i < mixed.size(); i += 2)
            mixed[i] = mixed[i].toUpper();
        QTest::newRow(qPrintable(mixed)) << mixed << canonical << option.zmq << option.kind;
    }
    // The seed's old name: identity is an alias of routing_id.
    QTest::newRow("identity") << u"identity"_s << u"routing_id"_s << ZMQ_ROUTING_ID << OptionKind::Bytes;
    QTest::newRow("IDENTITY") << u"IDENTITY"_s << u"routing_id"_s << ZMQ_ROUTING_ID << OptionKind::Bytes;
    QTest::newRow("Identity") << u"Identity"_s << u"routing_id"_s << ZMQ_ROUTING_ID << OptionKind::Bytes;
}

void TestNames::optionByName()
{
    QFETCH(QString, name);
    QFETCH(QString, canonical);
    QFETCH(int, zmqOption);
    QFETCH(OptionKind, kind);

    const zmqscope::OptionInfo *info = zmqscope::findOption(name);
    QVERIFY(info);
    QCOMPARE(QString::fromLatin1(info->name), canonical);
    QCOMPARE(info->zmqOption, zmqOption);
    QCOMPARE(info->kind, kind);
    QVERIFY(info->writable);
    QCOMPARE(&zmqscope::optionFromName(name), info);
    QCOMPARE(&zmqscope::optionFromName(name.toUtf8()), info);
    QVERIFY(zmqscope::optionNames().contains(canonical));
    // libzmq cannot read subscriptions back; the table must say so rather than fail in getsockopt.
    if (zmqOption == ZMQ_SUBSCRIBE || zmqOption == ZMQ_UNSUBSCRIBE)
        QVERIFY(!info->readable);
}

void TestNames::optionTableIsConsistent()
{
    const QStringList names = zmqscope::optionNames();
    QVERIFY(names.size() >= 27);
    QStringList sorted = names;
    sorted.sort();
    QCOMPARE(names, sorted);
    QCOMPARE(QSet<QString>(names.begin(), names.end()).size(), names.size());
    QVERIFY(!names.contains(u"identity"_s)); // an alias, not a second row
    for (const QString &name : names) {
        QCOMPARE(name, name.toLower());
        const zmqscope::OptionInfo *info = zmqscope::findOption(name);
        QVERIFY2(info, qPrintable(name));
        QVERIFY2(info->readable || info->writable, qPrintable(name));
    }
    // Read-only rows are exactly the ones libzmq only reports.
    for (const char *readOnly : { "type", "last_endpoint", "mechanism" }) {
        const zmqscope::OptionInfo *info = zmqscope::findOption(QLatin1StringView(readOnly));
        QVERIFY2(info && !info->writable && info->readable, readOnly);
    }
}

void TestNames::unknownOption_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("typo") << u"lingerr"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("zmq prefix") << u"ZMQ_LINGER"_s;
    QTest::newRow("dash") << u"routing-id"_s;
}

void TestNames::unknownOption()
{
    QFETCH(QString, name);
    QVERIFY(!zmqscope::findOption(name));
    try {
        (void)zmqscope::optionFromName(name);
        QFAIL("an unknown option name was accepted");
    } catch (const zmqscope::Error &error) {
        QCOMPARE(error.code(), ErrorCode::UnknownOption);
        QVERIFY2(error.message().contains(u"\"%1\""_s.arg(name)), error.what());
        for (const QString &valid : zmqscope::optionNames())
            QVERIFY2(error.message().contains(valid), error.what());
        QVERIFY2(error.message().contains(u"identity"_s), error.what());
    }
}

void TestNames::optionKindNames()
{
    for (const OptionKind kind : { OptionKind::Int, OptionKind::Int64, OptionKind::Bool, OptionKind::Bytes,
             OptionKind::Text, OptionKind::CurveKey })
        QVERIFY(!zmqscope::optionKindName(kind).isEmpty());
    QVERIFY(zmqscope::optionKindName(OptionKind::Bool).contains(u"boolean"_s));
    QVERIFY(zmqscope::optionKindName(OptionKind::Int).contains(u"integer"_s));
}

void TestNames::fromText_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("text");
    QTest::addColumn<OptionValue>("value");

    QTest::newRow("int") << u"linger"_s << u"250"_s << OptionValue(250);
    QTest::newRow("int negative") << u"linger"_s << u"-1"_s << OptionValue(-1);
    QTest::newRow("int padded") << u"rcvhwm"_s << u" 1000 "_s << OptionValue(1000);
    QTest::newRow("int64") << u"maxmsgsize"_s << u"68719476736"_s << OptionValue(std::int64_t { 1 } << 36);
    QTest::newRow("int64 -1") << u"maxmsgsize"_s << u"-1"_s << OptionValue(-1);
    for (const char *yes : { "1", "true", "TRUE", "yes", "on", " On " })
        QTest::newRow(qPrintable(u"bool %1"_s.arg(QLatin1StringView(yes))))
            << u"immediate"_s << QString::fromLatin1(yes) << OptionValue(true);
    for (const char *no : { "0", "false", "False", "no", "off" })
        QTest::newRow(qPrintable(u"bool %1"_s.arg(QLatin1StringView(no))))
            << u"conflate"_s << QString::fromLatin1(no) << OptionValue(false);
    QTest::newRow("bytes") << u"subscribe"_s << u"temp."_s << OptionValue("temp.");
    QTest::newRow("bytes empty") << u"subscribe"_s << QString() << OptionValue(QByteArray());
    QTest::newRow("bytes keep spaces") << u"routing_id"_s << u" a b "_s << OptionValue(" a b ");
    QTest::newRow("bytes UTF-8") << u"routing_id"_s << u"grüße"_s << OptionValue(u"grüße"_s.toUtf8());
    QTest::newRow("text") << u"plain_username"_s << u"admin"_s << OptionValue("admin");
    QTest::newRow("text zap") << u"zap_domain"_s << u"global"_s << OptionValue("global");
    const QString z85 = u"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"_s; // libzmq's test key
    QTest::newRow("curve key") << u"curve_serverkey"_s << z85 << OptionValue(z85.toLatin1());
}

void TestNames::fromText()
{
    QFETCH(QString, option);
    QFETCH(QString, text);
    QFETCH(OptionValue, value);
    const OptionValue parsed = OptionValue::fromText(zmqscope::optionFromName(option), text);
    QCOMPARE(parsed.toDisplayString(), value.toDisplayString());
    QVERIFY(parsed == value);
}

void TestNames::fromTextRejects_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("text");

    QTest::newRow("int: letters") << u"linger"_s << u"abc"_s;
    QTest::newRow("int: empty") << u"linger"_s << QString();
    QTest::newRow("int: fraction") << u"sndhwm"_s << u"1.5"_s;
    QTest::newRow("int: trailing junk") << u"rcvtimeo"_s << u"10ms"_s;
    QTest::newRow("int64: letters") << u"maxmsgsize"_s << u"1M"_s;
    QTest::newRow("int64: overflow") << u"maxmsgsize"_s << u"99999999999999999999999"_s;
    // Numbers libzmq would take without a word but gives no meaning to.
    QTest::newRow("int64: maxmsgsize below -1") << u"maxmsgsize"_s << u"-5"_s;
    QTest::newRow("int64: negative affinity") << u"affinity"_s << u"-1"_s;
    QTest::newRow("int: negative hwm") << u"rcvhwm"_s << u"-1"_s;
    QTest::newRow("int: linger below -1") << u"linger"_s << u"-2"_s;
    QTest::newRow("int: beyond int") << u"sndtimeo"_s << u"2147483648"_s;
    QTest::newRow("bool: maybe") << u"immediate"_s << u"maybe"_s;
    QTest::newRow("bool: 2") << u"conflate"_s << u"2"_s;
    QTest::newRow("bool: empty") << u"curve_server"_s << QString();
    QTest::newRow("curve key: short") << u"curve_serverkey"_s << u"tooshort"_s;
    QTest::newRow("curve key: 41 characters")
        << u"curve_publickey"_s << u"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7x"_s;
    QTest::newRow("curve key: not Z85")
        << u"curve_secretkey"_s << u"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf~"_s;
}

void TestNames::fromTextRejects()
{
    QFETCH(QString, option);
    QFETCH(QString, text);
    const zmqscope::OptionInfo &info = zmqscope::optionFromName(option);
    try {
        const OptionValue value = OptionValue::fromText(info, text);
        QFAIL(qPrintable(u"\"%1\" was accepted for %2 as %3"_s.arg(text, option, value.toDisplayString())));
    } catch (const zmqscope::Error &error) {
        QCOMPARE(error.code(), ErrorCode::InvalidOptionValue);
        QVERIFY2(error.message().contains(option), error.what()); // names the option
        QVERIFY2(error.message().contains(u"\"%1\""_s.arg(text)), error.what()); // and the text
        QVERIFY2(error.message().contains(zmqscope::optionKindName(info.kind)), error.what());
    }
}

void TestNames::optionValueConversions()
{
    QVERIFY(OptionValue().isNull());
    QCOMPARE(OptionValue(5).toInt(), 5);
    QVERIFY(OptionValue(5).isInt());
    QCOMPARE(OptionValue(true).toInt(), 1);
    QVERIFY(OptionValue(1).toBool());
    QVERIFY(!OptionValue(0).toBool());
    QVERIFY(OptionValue("x").isBytes());
    QCOMPARE(OptionValue(std::string("a\0b", 3)).toBytes(), QByteArray("a\0b", 3));
    QCOMPARE(OptionValue(u"grüße"_s).toBytes(), u"grüße"_s.toUtf8());
    QCOMPARE(OptionValue(QByteArray("a\0\"\\", 4)).toDisplayString(), u"\"a\\x00\\x22\\x5c\""_s);
    QCOMPARE(OptionValue(false).toDisplayString(), u"false"_s);
    QCOMPARE(OptionValue().toDisplayString(), u"nothing"_s);

    const auto expectKindError = [](const auto &call, const QString &shown) {
        try {
            call();
            QFAIL("a value of the wrong kind was converted");
        } catch (const zmqscope::Error &error) {
            QCOMPARE(error.code(), ErrorCode::InvalidOptionValue);
            QVERIFY2(error.message().contains(shown), error.what());
        }
    };
    expectKindError([] { (void)OptionValue("abc").toInt(); }, u"\"abc\""_s);
    expectKindError([] { (void)OptionValue(2).toBool(); }, u"2"_s);
    expectKindError([] { (void)OptionValue(5).toBytes(); }, u"5"_s);
    expectKindError([] { (void)OptionValue().toInt(); }, u"nothing"_s);
}

QTEST_GUILESS_MAIN(TestNames)
#include "tst_names.moc"
