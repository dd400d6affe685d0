// Every bad input gets a zmqscope::Error with the right ErrorCode and a
// one-line message naming the bad value; nothing crashes or aborts, and
// nothing already received is lost.

#include <QJsonObject>
#include <QTest>

#include <zmqscope/socket.h>

#include "testsupport.h"

using namespace testsupport::suite;
using zmqscope::OptionValue;

Q_DECLARE_METATYPE(zmqscope::OptionValue)
Q_DECLARE_METATYPE(zmqscope::SocketType)

namespace {

/// The checks every error gets: its code, one line, and each of `named` in the message.
void verifyError(const std::optional<zmqscope::Error> &error, ErrorCode code, const QStringList &named)
{
    QVERIFY2(error, "no zmqscope::Error was thrown");
    QCOMPARE(error->code(), code);
    const QString message = error->message();
    QVERIFY2(!message.isEmpty(), "empty message");
    QVERIFY2(!message.contains(u'\n'), error->what());
    QCOMPARE(QString::fromUtf8(error->what()), message);
    for (const QString &part : named)
        QVERIFY2(message.contains(part), qPrintable(u"\"%1\" is not named in: %2"_s.arg(part, message)));
}

#define VERIFY_ERROR(call, code, ...)                                                                        \
    do {                                                                                                     \
        verifyError(errorOf([&] { call; }), code, __VA_ARGS__);                                              \
        if (QTest::currentTestFailed())                                                                      \
            return;                                                                                          \
    } while (false)

} // namespace

class TestErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void unknownSocketType_data();
    void unknownSocketType();
    void unknownOption();
    void optionValueOfWrongKind_data();
    void optionValueOfWrongKind();
    void optionTextOfWrongKind();
    void readOnlyAndWriteOnlyOptions();
    void optionRejectedByLibzmq();
    void malformedEndpoint_data();
    void malformedEndpoint();
    void addressInUse_data() { testsupport::transportTable(); }
    void addressInUse();
    void receiveTextOnJson_data();
    void receiveTextOnJson();
    void receiveObjOnTextAndBadJson_data() { testsupport::transportTable(); }
    void receiveObjOnTextAndBadJson();
    void reqSendTwice_data() { testsupport::transportTable(); }
    void reqSendTwice();
    void reqReceiveBeforeSend();
    void resultCarriesValueOrError();
    void repSendBeforeReceive();
    void strictFromRawOnRaw();
    void receiveEnvelopeOnRaw_data();
    void receiveEnvelopeOnRaw();
    void unsupportedDirection();
    void emptyMessage();
    void unknownRoutingId();
    void sendWouldBlock();
    void terminatedContext();
};

void TestErrors::unknownSocketType_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("REQUEST") << u"REQUEST"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("zmq constant") << u"ZMQ_REP"_s;
}

void TestErrors::unknownSocketType()
{
    QFETCH(QString, name);
    QStringList named = zmqscope::socketTypeNames();
    named << u"\"%1\""_s.arg(name);
    VERIFY_ERROR((void)Socket::create(name), ErrorCode::UnknownSocketType, named);
    VERIFY_ERROR((void)Socket::bindNew(name, u"inproc://never"_s), ErrorCode::UnknownSocketType, named);
    VERIFY_ERROR((void)Socket::connectNew(name, u"inproc://never"_s), ErrorCode::UnknownSocketType, named);
}

void TestErrors::unknownOption()
{
    Socket socket = Socket::create(SocketType::Sub);
    QStringList named = zmqscope::optionNames();
    named << u"\"lingerr\""_s;
    VERIFY_ERROR(socket.setOption("lingerr", 0), ErrorCode::UnknownOption, named);
    VERIFY_ERROR((void)socket.option("lingerr"), ErrorCode::UnknownOption, named);
    VERIFY_ERROR((void)Socket::bindNew("SUB", u"inproc://never"_s, { { "lingerr", 0 } }),
        ErrorCode::UnknownOption, named);
    VERIFY_ERROR((void)zmqscope::optionFromName("ZMQ_SUBSCRIBE"), ErrorCode::UnknownOption,
        { u"\"ZMQ_SUBSCRIBE\""_s, u"subscribe"_s });
}

void TestErrors::optionValueOfWrongKind_data()
{
    QTest::addColumn<SocketType>("type");
    QTest::addColumn<QString>("option");
    QTest::addColumn<OptionValue>("value");
    QTest::addColumn<QString>("shown"); // how the message shows the bad value

    QTest::newRow("text for linger") << SocketType::Sub << u"linger"_s << OptionValue("abc") << u"\"abc\""_s;
    QTest::newRow("number for subscribe") << SocketType::Sub << u"subscribe"_s << OptionValue(5) << u"5"_s;
    QTest::newRow("bool for routing_id")
        << SocketType::Dealer << u"routing_id"_s << OptionValue(true) << u"true"_s;
    QTest::newRow("2 for immediate") << SocketType::Dealer << u"immediate"_s << OptionValue(2) << u"2"_s;
    QTest::newRow("text for immediate")
        << SocketType::Dealer << u"immediate"_s << OptionValue("yes") << u"\"yes\""_s;
    QTest::newRow("text for maxmsgsize")
        << SocketType::Dealer << u"maxmsgsize"_s << OptionValue("1M") << u"\"1M\""_s;
    QTest::newRow("linger beyond 32 bits")
        << SocketType::Dealer << u"linger"_s << OptionValue(std::int64_t { 1 } << 40) << u"1099511627776"_s;
    QTest::newRow("short curve key") << SocketType::Dealer << u"curve_serverkey"_s << OptionValue("short")
                                     << u"5 bytes"_s;
    QTest::newRow("nothing for linger") << SocketType::Dealer << u"linger"_s << OptionValue() << u"nothing"_s;
}

void TestErrors::optionValueOfWrongKind()
{
    QFETCH(SocketType, type);
    QFETCH(QString, option);
    QFETCH(OptionValue, value);
    QFETCH(QString, shown);
    Socket socket = Socket::create(type);
    VERIFY_ERROR(socket.setOption(option, value), ErrorCode::InvalidOptionValue, { option, shown });
    // The same through bindNew: the socket is never bound.
    VERIFY_ERROR((void)Socket::bindNew(zmqscope::socketTypeName(type), testsupport::bindEndpoint(u"inproc"_s),
                     { { option.toStdString(), value } }),
        ErrorCode::InvalidOptionValue, { option, shown });
}

void TestErrors::optionTextOfWrongKind()
{
    // What the CLI's --option linger=abc does.
    VERIFY_ERROR((void)OptionValue::fromText(zmqscope::optionFromName("linger"), u"abc"_s),
        ErrorCode::InvalidOptionValue, { u"linger"_s, u"\"abc\""_s, u"integer"_s });
    VERIFY_ERROR((void)OptionValue::fromText(zmqscope::optionFromName("conflate"), u"perhaps"_s),
        ErrorCode::InvalidOptionValue, { u"conflate"_s, u"\"perhaps\""_s, u"boolean"_s });
}

void TestErrors::readOnlyAndWriteOnlyOptions()
{
    Socket sub = Socket::create(SocketType::Sub);
    VERIFY_ERROR(sub.setOption("type", 1), ErrorCode::InvalidOptionValue, { u"type"_s, u"read-only"_s });
    VERIFY_ERROR(sub.setOption("last_endpoint", "tcp://x"), ErrorCode::InvalidOptionValue,
        { u"last_endpoint"_s, u"read-only"_s });
    VERIFY_ERROR(
        (void)sub.option("subscribe"), ErrorCode::InvalidOptionValue, { u"subscribe"_s, u"write-only"_s });
    VERIFY_ERROR(
        (void)sub.option("conflate"), ErrorCode::InvalidOptionValue, { u"conflate"_s, u"write-only"_s });
}

void TestErrors::optionRejectedByLibzmq()
{
    // The option exists, but not for this socket type.
    Socket pub = Socket::create(SocketType::Pub);
    VERIFY_ERROR(pub.setOption("subscribe", "temp."), ErrorCode::InvalidOptionValue,
        { u"subscribe"_s, u"\"temp.\""_s, u"PUB"_s });
    // A routing id longer than 255 bytes.
    Socket dealer = Socket::create(SocketType::Dealer);
    VERIFY_ERROR(dealer.setOption("routing_id", QByteArray(300, 'x')), ErrorCode::InvalidOptionValue,
        { u"routing_id"_s, u"DEALER"_s });
    // 40 characters that are not Z85.
    VERIFY_ERROR(dealer.setOption("curve_serverkey", QByteArray(40, '~')), ErrorCode::InvalidOptionValue,
        { u"curve_serverkey"_s });
    // The socket is still fine afterwards.
    dealer.setOption("routing_id", "ok");
    QCOMPARE(dealer.option("routing_id"), OptionValue("ok"));
}

void TestErrors::malformedEndpoint_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::newRow("missing colon") << u"tcp//x"_s;
    QTest::newRow("unknown transport") << u"foo://bar"_s;
    QTest::newRow("no port") << u"tcp://127.0.0.1"_s;
    QTest::newRow("port not a number") << u"tcp://127.0.0.1:http"_s;
    // libzmq would take these and use another port (4464, 65535, 1) or none at all.
    // (Built at run time: these are not ports anybody uses, but they read like fixed ones.)
    const QString loopback = u"tcp://127.0.0.1:%1"_s;
    QTest::newRow("port out of range") << loopback.arg(70000);
    QTest::newRow("port 65536") << loopback.arg(65536);
    QTest::newRow("negative port") << u"tcp://127.0.0.1:-1"_s;
    QTest::newRow("port in exponent form") << u"tcp://127.0.0.1:1e3"_s;
    QTest::newRow("huge port") << u"tcp://localhost:%1"_s.arg(Q_INT64_C(99999999999));
    QTest::newRow("empty") << QString();
    QTest::newRow("scheme only") << u"tcp://"_s;
    QTest::newRow("no scheme") << u"127.0.0.1:*"_s;
}

void TestErrors::malformedEndpoint()
{
    QFETCH(QString, endpoint);
    const QString quoted = u"\"%1\""_s.arg(endpoint);
    Socket socket = Socket::create(SocketType::Pull);
    VERIFY_ERROR(socket.bind(endpoint), ErrorCode::InvalidEndpoint, { quoted, u"PULL"_s, u"bind"_s });
    VERIFY_ERROR(socket.connect(endpoint), ErrorCode::InvalidEndpoint, { quoted, u"PULL"_s, u"connect"_s });
    VERIFY_ERROR((void)Socket::bindNew("PULL", endpoint), ErrorCode::InvalidEndpoint, { quoted });
    VERIFY_ERROR((void)Socket::connectNew("PULL", endpoint), ErrorCode::InvalidEndpoint, { quoted });
    QVERIFY(socket.boundEndpoints().isEmpty());
    QVERIFY(socket.connectedEndpoints().isEmpty());
    // Still usable.
    socket.bind(testsupport::bindEndpoint(u"inproc"_s));
}

void TestErrors::addressInUse()
{
    QFETCH(QString, transport);
    const Context context;
    Socket first
        = Socket::bindNew("PULL", testsupport::bindEndpoint(transport), { { "linger", 0 } }, context);
    const QString endpoint = first.lastEndpoint();
    Socket second = Socket::create(SocketType::Pull, context);
    VERIFY_ERROR(second.bind(endpoint), ErrorCode::AddressInUse, { endpoint, u"already in use"_s });
    VERIFY_ERROR((void)Socket::bindNew("PULL", endpoint, { { "linger", 0 } }, context),
        ErrorCode::AddressInUse, { endpoint });
    QVERIFY(second.boundEndpoints().isEmpty());
    // The holder is unaffected.
    QCOMPARE(first.boundEndpoints(), QStringList { endpoint });
}

void TestErrors::receiveTextOnJson_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<Frames>("frames");
    for (const char *transport : { "inproc", "tcp" }) {
        const QString t = QString::fromLatin1(transport);
        QTest::newRow(qPrintable(t + u"/envelope"_s))
            << t << Frames { "id", "application/json", "{\"a\":1}" };
        // The frames are handed back exactly as received, including a bare delimiter.
        QTest::newRow(qPrintable(t + u"/delimiter only"_s))
            << t << Frames { {}, "id", "application/json", "{\"a\":1}" };
        QTest::newRow(qPrintable(t + u"/routed"_s)) << t << Frames { "r", {}, "", "application/json", "[]" };
    }
}

void TestErrors::receiveTextOnJson()
{
    QFETCH(QString, transport);
    QFETCH(Frames, frames);
    const Context context;
    auto pair = makePair(SocketType::Pair, SocketType::Pair, transport, context);
    Socket &a = pair.bound;
    Socket &b = pair.connected;
    b.sendFrames(frames);
    QTRY_VERIFY(a.hasPendingInput());
    const auto error = errorOf([&] { (void)a.receiveText(); });
    verifyError(error, ErrorCode::MimetypeMismatch, { u"text/plain"_s, u"\"application/json\""_s });
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(error->frames(), frames); // nothing received is lost
    // The next message is unaffected.
    b.sendText("next");
    QCOMPARE(a.receiveText(), u"next"_s);
}

void TestErrors::receiveObjOnTextAndBadJson()
{
    QFETCH(QString, transport);
    const Context context;
    auto pair = makePair(SocketType::Pair, SocketType::Pair, transport, context);
    Socket &a = pair.bound;
    Socket &b = pair.connected;

    b.sendText("plain words", "t");
    auto error = errorOf([&] { (void)a.receiveObj(asJson); });
    verifyError(error, ErrorCode::MimetypeMismatch, { u"application/json"_s, u"\"text/plain\""_s });
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(error->frames(), (Frames { "t", "text/plain", "plain words" }));

    const Frames bad { "j", "application/json", "{\"a\": tru}" };
    b.sendFrames(bad);
    error = errorOf([&] { (void)a.receiveObj(asJson); });
    verifyError(error, ErrorCode::InvalidBody, { u"application/json"_s, u"at byte"_s });
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(error->frames(), bad);

    // Two values are not one object, and trailing garbage is not JSON.
    for (const QByteArray &body : { QByteArray("1, 2"), QByteArray("{}]["), QByteArray() }) {
        b.sendFrames({ "j", "application/json", body });
        VERIFY_ERROR((void)a.receiveObj(asJson), ErrorCode::InvalidBody, { u"not valid JSON"_s });
    }
}

void TestErrors::reqSendTwice()
{
    QFETCH(QString, transport);
    const Context context;
    auto pair = makePair(SocketType::Rep, SocketType::Req, transport, context);
    Socket &rep = pair.bound;
    Socket &req = pair.connected;
    req.sendText("first");
    VERIFY_ERROR(req.sendText("second"), ErrorCode::WrongState, { u"REQ"_s, u"req_relaxed"_s, u"send"_s });
    VERIFY_ERROR(req.sendObj(QJsonObject()), ErrorCode::WrongState, { u"REQ"_s });
    // The first request is intact and the pair carries on.
    QCOMPARE(rep.receiveText(), u"first"_s);
    rep.sendText("reply");
    QCOMPARE(req.receiveText(), u"reply"_s);
    req.sendText("third");
    QCOMPARE(rep.receiveText(), u"third"_s);
}

void TestErrors::reqReceiveBeforeSend()
{
    const Context context;
    auto pair = makePair(SocketType::Rep, SocketType::Req, u"inproc"_s, context);
    Socket &rep = pair.bound;
    Socket &req = pair.connected;
    VERIFY_ERROR((void)req.receiveEnvelope(), ErrorCode::WrongState, { u"REQ"_s, u"receive"_s });
    VERIFY_ERROR((void)req.receiveEnvelope(10ms), ErrorCode::WrongState, { u"REQ"_s });
    VERIFY_ERROR((void)req.receiveText(), ErrorCode::WrongState, { u"REQ"_s });
    VERIFY_ERROR((void)req.receiveFrames(), ErrorCode::WrongState, { u"REQ"_s });
    req.sendText("now it may");
    QCOMPARE(rep.receiveText(), u"now it may"_s);
}

void TestErrors::repSendBeforeReceive()
{
    const Context context;
    auto pair = makePair(SocketType::Rep, SocketType::Req, u"inproc"_s, context);
    Socket &rep = pair.bound;
    Socket &req = pair.connected;
    VERIFY_ERROR(rep.sendText("unasked"), ErrorCode::WrongState, { u"REP"_s, u"receive"_s });
    req.sendText("q");
    QCOMPARE(rep.receiveText(), u"q"_s);
    VERIFY_ERROR((void)rep.receiveFrames(), ErrorCode::WrongState, { u"REP"_s, u"reply"_s });
}

void TestErrors::strictFromRawOnRaw()
{
    const Frames raw { "routing-id", "id", "text/plain", "body" };
    const auto error = errorOf([&] { (void)Envelope::fromRaw(raw); });
    verifyError(error, ErrorCode::NotAnEnvelope, { u"not a Dploy envelope"_s, u"frame 1 of 4"_s });
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(error->frames(), raw);
}

void TestErrors::receiveEnvelopeOnRaw_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<QString>("reason");
    for (const char *transport : { "inproc", "tcp" }) {
        const QString t = QString::fromLatin1(transport);
        QTest::newRow(qPrintable(t + u"/1 frame"_s)) << t << Frames { "just one" } << u"1 frame"_s;
        QTest::newRow(qPrintable(t + u"/2 frames"_s))
            << t << Frames { "a", QByteArray("\0b", 2) } << u"2 frames"_s;
        QTest::newRow(qPrintable(t + u"/no delimiter"_s))
            << t << Frames { "a", "b", "c", "d", "e" } << u"frame 2 of 5"_s;
    }
}

void TestErrors::receiveEnvelopeOnRaw()
{
    QFETCH(QString, transport);
    QFETCH(Frames, frames);
    QFETCH(QString, reason);
    const Context context;
    auto pair = makePair(SocketType::Pull, SocketType::Push, transport, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;

    push.sendFrames(frames);
    auto error = errorOf([&] { (void)pull.receiveEnvelope(); });
    verifyError(error, ErrorCode::NotAnEnvelope, { reason });
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(error->frames(), frames);

    push.sendFrames(frames);
    error = errorOf([&] { (void)pull.receiveEnvelope(DeliveryTimeout); });
    verifyError(error, ErrorCode::NotAnEnvelope, { reason });
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(error->frames(), frames);

    // The raw messages were taken off the socket exactly once; the next one is an envelope.
    push.sendText("after");
    QCOMPARE(pull.receiveText(), u"after"_s);
}

void TestErrors::unsupportedDirection()
{
    const Context context;
    auto pubSub = makePair(SocketType::Pub, SocketType::Sub, u"inproc"_s, context);
    Socket &pub = pubSub.bound;
    Socket &sub = pubSub.connected;
    VERIFY_ERROR((void)pub.receiveFrames(), ErrorCode::Unsupported, { u"PUB"_s, u"receive"_s });
    VERIFY_ERROR((void)pub.receiveFrames(10ms), ErrorCode::Unsupported, { u"PUB"_s });
    VERIFY_ERROR(sub.sendText("x"), ErrorCode::Unsupported, { u"SUB"_s, u"send"_s });
    auto pullPush = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &pull = pullPush.bound;
    Socket &push = pullPush.connected;
    VERIFY_ERROR((void)push.receiveEnvelope(), ErrorCode::Unsupported, { u"PUSH"_s });
    VERIFY_ERROR(pull.sendFrames({ "x" }), ErrorCode::Unsupported, { u"PULL"_s });
}

void TestErrors::emptyMessage()
{
    const Context context;
    auto pair = makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;
    VERIFY_ERROR(push.sendFrames({}), ErrorCode::InvalidBody, { u"no frames"_s, u"PUSH"_s });
    push.sendFrames({ {} }); // one empty frame is a message
    QCOMPARE(pull.receiveFrames(DeliveryTimeout), std::optional<Frames>(Frames { QByteArray() }));
}

void TestErrors::unknownRoutingId()
{
    const Context context;
    auto pair = makePair(
        SocketType::Router, SocketType::Dealer, u"inproc"_s, context, { { "router_mandatory", true } });
    Socket &router = pair.bound; // the DEALER (pair.connected) is there so that the ROUTER has a peer
    VERIFY_ERROR(router.sendEnvelope(Envelope::create("text/plain", "x", "id", { "nobody" })),
        ErrorCode::ZmqError, { u"\"nobody\""_s, u"router_mandatory"_s });
}

void TestErrors::sendWouldBlock()
{
    // PUSH with nobody connected cannot take a message; sndtimeo says how long to wait.
    Socket push = Socket::create(SocketType::Push);
    push.setOption("linger", 0);
    push.setOption("sndtimeo", 0);
    VERIFY_ERROR(push.sendText("x"), ErrorCode::Timeout, { u"PUSH"_s, u"no peer"_s });
    push.setOption("sndtimeo", 5);
    VERIFY_ERROR(push.sendText("x"), ErrorCode::Timeout, { u"PUSH"_s, u"sndtimeo 5 ms"_s });
}

void TestErrors::terminatedContext()
{
    Context context;
    Socket pull = Socket::create(SocketType::Pull, context);
    pull.setOption("linger", 0);
    context.shutdown();
    VERIFY_ERROR((void)pull.receiveFrames(), ErrorCode::Terminated, { u"PULL"_s, u"shut down"_s });
    VERIFY_ERROR((void)Socket::create(SocketType::Push, context), ErrorCode::Terminated,
        { u"PUSH"_s, u"shut down"_s });
    VERIFY_ERROR(
        pull.bind(testsupport::bindEndpoint(u"inproc"_s)), ErrorCode::Terminated, { u"shut down"_s });
}

// Result<T>: the one convention for fallible calls that do not throw.
void TestErrors::resultCarriesValueOrError()
{
    using zmqscope::Error;
    using zmqscope::Result;
    const auto half = [](int n) -> Result<int> {
        if (n % 2 != 0)
            return Error(ErrorCode::InvalidOptionValue, u"%1 is odd"_s.arg(n));
        return n / 2;
    };
    const Result<int> good = half(8);
    QVERIFY(good.ok());
    QVERIFY(bool(good));
    QCOMPARE(*good, 4);
    QCOMPARE(good.errorMessage(), QString());
    QVERIFY_THROWS_EXCEPTION(std::bad_variant_access, (void)good.error());

    Result<int> bad = half(7);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code(), ErrorCode::InvalidOptionValue);
    QCOMPARE(bad.errorMessage(), u"7 is odd"_s);
    QCOMPARE(bad.valueOr(-1), -1);
    QVERIFY_THROWS_EXCEPTION(std::bad_variant_access, (void)bad.value());
    VERIFY_ERROR(std::move(bad).valueOrThrow(), ErrorCode::InvalidOptionValue, { u"7"_s });

    // A failed Result<T> passes its error on as a Result<U> of another type.
    const auto quarter = [&](int n) -> Result<QString> {
        Result<int> h = half(n);
        if (!h)
            return std::move(h).error();
        return QString::number(*h / 2.0);
    };
    QCOMPARE(*quarter(6), u"1.5"_s);
    QCOMPARE(quarter(5).errorMessage(), u"5 is odd"_s);

    const Result<void> done;
    QVERIFY(done.ok());
    Result<void> failed = Error(ErrorCode::Timeout, u"no reply within 5 ms"_s);
    QVERIFY(!failed);
    QCOMPARE(failed.error().code(), ErrorCode::Timeout);
    VERIFY_ERROR(std::move(failed).throwIfFailed(), ErrorCode::Timeout, { u"5 ms"_s });
}

QTEST_GUILESS_MAIN(TestErrors)
#include "tst_errors.moc"
