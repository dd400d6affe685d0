// Socket: every method, over inproc:// and tcp://127.0.0.1:* where the
// transport matters. Real sockets only; TCP ports are always read back.
// Over 800 lines on purpose: one test class per file (DESIGN.md section 10) for one class.

#include <fcntl.h>
#include <functional>
#include <zmq.hpp>

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <zmqscope/socket.h>

#include "testsupport.h"

using namespace testsupport::suite;
using zmqscope::OptionValue;

using SocketCall = std::function<void(Socket &)>;

Q_DECLARE_METATYPE(zmqscope::SocketType)
Q_DECLARE_METATYPE(zmqscope::OptionValue)
Q_DECLARE_METATYPE(zmqscope::Envelope)
Q_DECLARE_METATYPE(SocketCall)

namespace {

const QByteArray Binary = QByteArrayLiteral("\x00\x01\xfe\xff\x00end");

/// A user type as the seed expects for send_obj: anything with serialize().
struct Reading
{
    QString sensor;
    double value = 0;
    [[nodiscard]] QJsonValue serialize() const
    {
        return QJsonObject { { u"sensor"_s, sensor }, { u"value"_s, value } };
    }
};

std::pair<QByteArray, QByteArray> curveKeyPair()
{
    char publicKey[41] = {};
    char secretKey[41] = {};
    if (zmq_curve_keypair(publicKey, secretKey) != 0)
        qFatal("zmq_curve_keypair failed: libzmq was built without CURVE");
    return { QByteArray(publicKey, 40), QByteArray(secretKey, 40) };
}

QByteArray z85Decode(const QByteArray &z85)
{
    QByteArray binary(32, '\0');
    const QByteArray terminated = z85 + '\0';
    if (!zmq_z85_decode(reinterpret_cast<uint8_t *>(binary.data()), terminated.constData()))
        qFatal("bad Z85 key");
    return binary;
}

} // namespace

class TestSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void create_data();
    void create();
    void createInContext();
    void bindNewConnectNew_data() { testsupport::transportTable(); }
    void bindNewConnectNew();
    void bindConnectUnbindDisconnect_data() { testsupport::transportTable(); }
    void bindConnectUnbindDisconnect();
    void bindToRandomDefaultRange();
    void bindToRandomGivenRange();
    void bindToRandomAllInUse();
    void bindToRandomBadArguments_data();
    void bindToRandomBadArguments();
    void lastEndpoint_data() { testsupport::transportTable(); }
    void lastEndpoint();
    void optionRoundTrip_data();
    void optionRoundTrip();
    void curveKeys();
    void curveConnection();
    void sendReceiveEnvelope_data();
    void sendReceiveEnvelope();
    void receiveEnvelopeTimeout_data() { testsupport::transportTable(); }
    void receiveEnvelopeTimeout();
    void sendReceiveText_data();
    void sendReceiveText();
    void sendReceiveObj_data() { testsupport::transportTable(); }
    void sendReceiveObj();
    void sendReceiveFrames_data();
    void sendReceiveFrames();
    void pendingInputCanSendFd_data() { testsupport::transportTable(); }
    void pendingInputCanSendFd();
    void unusableSocketThrows_data();
    void unusableSocketThrows();
    void closeTwiceAndDestroy();
    void moveSemantics();
};

void TestSocket::create_data()
{
    QTest::addColumn<SocketType>("type");
    for (const QString &name : zmqscope::socketTypeNames())
        QTest::newRow(qPrintable(name)) << zmqscope::socketTypeFromName(name);
}

void TestSocket::create()
{
    QFETCH(SocketType, type);
    const QString name = zmqscope::socketTypeName(type);

    Socket byEnum = Socket::create(type);
    QVERIFY(byEnum.isOpen());
    QCOMPARE(byEnum.type(), type);
    QCOMPARE(byEnum.typeName(), name);
    QCOMPARE(byEnum.handle().get(zmq::sockopt::type), int(type)); // libzmq agrees
    QVERIFY(byEnum.boundEndpoints().isEmpty());
    QVERIFY(byEnum.connectedEndpoints().isEmpty());
    // libzmq's default linger is infinite; ours lets a debugging tool always exit.
    QCOMPARE(byEnum.option("linger"), OptionValue(1000));

    Socket byName = Socket::create(name.toLower());
    QCOMPARE(byName.type(), type);
    Socket byLatin1 = Socket::create(QLatin1StringView(name.toLatin1()));
    QCOMPARE(byLatin1.type(), type);
    // A default Context is a new context of the socket's own, as in the seed.
    QVERIFY(!(byEnum.context() == byName.context()));
}

void TestSocket::createInContext()
{
    const Context context;
    Socket a = Socket::create(SocketType::Pair, context);
    Socket b = Socket::create(u"pair"_s, context);
    QVERIFY(a.context() == context);
    QVERIFY(b.context() == context);
    QCOMPARE(&a.context().handle(), &context.handle());
    // inproc works only inside one context: the proof that both really share it.
    a.bind(testsupport::bindEndpoint(u"inproc"_s));
    b.connect(a.lastEndpoint());
    b.setOption("linger", 0);
    a.setOption("linger", 0);
    b.sendText("same context");
    QCOMPARE(a.receiveEnvelope(DeliveryTimeout)->data(), QByteArray("same context"));
}

void TestSocket::bindNewConnectNew()
{
    QFETCH(QString, transport);
    const Context context;
    Socket router = Socket::bindNew(u"ROUTER"_s, testsupport::bindEndpoint(transport),
        { { "linger", 0 }, { "rcvhwm", 500 }, { "router_mandatory", true } }, context);
    QCOMPARE(router.type(), SocketType::Router);
    QCOMPARE(router.option("rcvhwm"), OptionValue(500));
    QCOMPARE(router.boundEndpoints(), QStringList { router.lastEndpoint() });

    // Options are applied before connecting: the routing id must be known to the peer from the start.
    Socket dealer = Socket::connectNew("dealer", router.lastEndpoint(),
        { { "linger", 0 }, { "routing_id", "dealer-1" }, { "sndhwm", 7 }, { "identity", "dealer-2" } },
        context);
    QCOMPARE(dealer.type(), SocketType::Dealer);
    QCOMPARE(dealer.option("sndhwm"), OptionValue(7));
    QCOMPARE(dealer.option("routing_id"), OptionValue("dealer-2")); // in order: the alias came last
    QCOMPARE(dealer.connectedEndpoints(), QStringList { router.lastEndpoint() });

    dealer.sendEnvelope(Envelope::create("text/plain", "hi", "id", { "hop" }));
    const auto request = router.receiveEnvelope(DeliveryTimeout);
    QVERIFY(request);
    QCOMPARE(request->requestFrames(), (Frames { "dealer-2", "hop" }));
    router.sendEnvelope(request->responseEnvelope("text/plain", "back"));
    const auto reply = dealer.receiveEnvelope(DeliveryTimeout);
    QVERIFY(reply);
    QCOMPARE(reply->requestFrames(), Frames { "hop" });
    QCOMPARE(reply->data(), QByteArray("back"));

    // A bad option fails before anything is bound, and names the option.
    const auto error = errorOf([&] {
        (void)Socket::bindNew(
            "PULL", testsupport::bindEndpoint(transport), { { "no_such_option", 1 } }, context);
    });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::UnknownOption);
    QVERIFY2(error->message().contains(u"no_such_option"_s), error->what());
}

void TestSocket::bindConnectUnbindDisconnect()
{
    QFETCH(QString, transport);
    const Context context;
    Socket pull = Socket::create(SocketType::Pull, context);
    pull.setOption("linger", 0);
    pull.bind(testsupport::bindEndpoint(transport));
    const QString first = pull.lastEndpoint();
    pull.bind(testsupport::bindEndpoint(transport));
    const QString second = pull.lastEndpoint();
    QVERIFY(first != second);
    QCOMPARE(pull.boundEndpoints(), (QStringList { first, second }));
    QVERIFY(pull.connectedEndpoints().isEmpty());
    if (transport == u"tcp"_s) {
        QVERIFY2(first.startsWith(u"tcp://127.0.0.1:"_s) && !first.endsWith(u'*'), qPrintable(first));
        QVERIFY(first.section(u':', -1).toInt() > 0);
    }

    Socket push = Socket::create(SocketType::Push, context);
    push.setOption("linger", 0);
    push.connect(first);
    push.connect(second);
    QCOMPARE(push.connectedEndpoints(), (QStringList { first, second }));
    QVERIFY(push.boundEndpoints().isEmpty());
    // PUSH round-robins over both connections; both endpoints deliver.
    for (int i = 0; i < 4; ++i)
        push.sendText(QByteArray::number(i));
    for (int i = 0; i < 4; ++i) {
        const auto envelope = pull.receiveEnvelope(DeliveryTimeout);
        QVERIFY(envelope);
    }

    push.disconnect(first);
    QCOMPARE(push.connectedEndpoints(), QStringList { second });
    pull.unbind(first);
    QCOMPARE(pull.boundEndpoints(), QStringList { second });
    // Still connected through the other endpoint.
    push.sendText("after");
    QCOMPARE(pull.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).data(), QByteArray("after"));

    // Doing it twice is a clear error, not a silent no-op.
    auto error = errorOf([&] { pull.unbind(first); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::InvalidEndpoint);
    QVERIFY2(error->message().contains(first) && error->message().contains(second), error->what());
    error = errorOf([&] { push.disconnect(first); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::InvalidEndpoint);
    QVERIFY2(error->message().contains(first), error->what());

    pull.unbind(second);
    push.disconnect(second);
    QVERIFY(pull.boundEndpoints().isEmpty());
    QVERIFY(push.connectedEndpoints().isEmpty());
}

void TestSocket::bindToRandomDefaultRange()
{
    const Context context;
    Socket pull = Socket::create(SocketType::Pull, context);
    pull.setOption("linger", 0);
    const int port = pull.bindToRandom(u"tcp://127.0.0.1"_s);
    QVERIFY2(
        port >= Socket::DefaultMinPort && port < Socket::DefaultMaxPort, qPrintable(QString::number(port)));
    QCOMPARE(Socket::DefaultMinPort, 49152); // pyzmq's defaults
    QCOMPARE(Socket::DefaultMaxPort, 65536);
    QCOMPARE(Socket::DefaultMaxTries, 100);
    const QString endpoint = u"tcp://127.0.0.1:%1"_s.arg(port);
    QCOMPARE(pull.boundEndpoints(), QStringList { endpoint });
    QCOMPARE(pull.lastEndpoint(), endpoint);

    // The port really accepts a connection.
    Socket push = Socket::connectNew("push", endpoint, { { "linger", 0 } }, context);
    push.sendText("to a random port");
    QCOMPARE(
        pull.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).data(), QByteArray("to a random port"));
}

void TestSocket::bindToRandomGivenRange()
{
    const Context context;
    Socket pull = Socket::create(SocketType::Pull, context);
    pull.setOption("linger", 0);
    const int port = pull.bindToRandom(u"tcp://127.0.0.1"_s, 42000, 42400, 200);
    QVERIFY2(port >= 42000 && port < 42400, qPrintable(QString::number(port)));
    QCOMPARE(pull.lastEndpoint(), u"tcp://127.0.0.1:%1"_s.arg(port));

    Socket push = Socket::connectNew("push", pull.lastEndpoint(), { { "linger", 0 } }, context);
    push.sendText("given range");
    QCOMPARE(pull.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).data(), QByteArray("given range"));
}

void TestSocket::bindToRandomAllInUse()
{
    const Context context;
    Socket holder = Socket::bindNew("PULL", u"tcp://127.0.0.1:*"_s, { { "linger", 0 } }, context);
    const int taken = holder.lastEndpoint().section(u':', -1).toInt();
    QVERIFY(taken > 0);

    Socket pull = Socket::create(SocketType::Pull, context);
    pull.setOption("linger", 0);
    const auto error = errorOf([&] { (void)pull.bindToRandom(u"tcp://127.0.0.1"_s, taken, taken + 1, 5); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::BindFailed);
    const QString message = error->message();
    QVERIFY2(message.contains(u"tcp://127.0.0.1"_s), error->what());
    QVERIFY2(message.contains(u"[%1, %2)"_s.arg(taken).arg(taken + 1)), error->what());
    QVERIFY2(message.contains(u"5 tries"_s), error->what());
    QVERIFY(pull.boundEndpoints().isEmpty());
    // The failed tries left the socket usable.
    const int port = pull.bindToRandom(u"tcp://127.0.0.1"_s);
    QVERIFY(port != taken);
}

void TestSocket::bindToRandomBadArguments_data()
{
    QTest::addColumn<int>("minPort");
    QTest::addColumn<int>("maxPort");
    QTest::addColumn<int>("maxTries");
    QTest::addColumn<QString>("named");
    QTest::newRow("empty range") << 50000 << 50000 << 10 << u"[50000, 50000)"_s;
    QTest::newRow("reversed") << 50010 << 50000 << 10 << u"[50010, 50000)"_s;
    QTest::newRow("above 65535") << 60000 << 70000 << 10 << u"70000"_s;
    QTest::newRow("port 0") << 0 << 100 << 10 << u"[0, 100)"_s;
    QTest::newRow("no tries") << 50000 << 50100 << 0 << u"max tries is 0"_s;
}

void TestSocket::bindToRandomBadArguments()
{
    QFETCH(int, minPort);
    QFETCH(int, maxPort);
    QFETCH(int, maxTries);
    QFETCH(QString, named);
    Socket pull = Socket::create(SocketType::Pull);
    const auto error
        = errorOf([&] { (void)pull.bindToRandom(u"tcp://127.0.0.1"_s, minPort, maxPort, maxTries); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::InvalidEndpoint);
    QVERIFY2(error->message().contains(named), error->what());
    QVERIFY(pull.boundEndpoints().isEmpty());
}

void TestSocket::lastEndpoint()
{
    QFETCH(QString, transport);
    const Context context;
    Socket pair = Socket::create(SocketType::Pair, context);
    pair.setOption("linger", 0);
    QVERIFY(pair.lastEndpoint().isEmpty());
    const QString wanted = testsupport::bindEndpoint(transport);
    pair.bind(wanted);
    const QString bound = pair.lastEndpoint();
    if (transport == u"inproc"_s)
        QCOMPARE(bound, wanted);
    else
        QVERIFY2(bound.startsWith(u"tcp://127.0.0.1:"_s) && bound != wanted, qPrintable(bound));
    QCOMPARE(pair.option("last_endpoint"), OptionValue(bound.toUtf8()));

    Socket other = Socket::create(SocketType::Pair, context);
    other.setOption("linger", 0);
    other.connect(bound);
    QCOMPARE(other.lastEndpoint(), bound);
}

void TestSocket::optionRoundTrip_data()
{
    QTest::addColumn<SocketType>("type");
    QTest::addColumn<QString>("name");
    QTest::addColumn<OptionValue>("value");
    QTest::addColumn<OptionValue>("expected");

    const auto row = [](const char *tag, SocketType type, const char *name, const OptionValue &value,
                         const OptionValue &expected) {
        QTest::newRow(tag) << type << QString::fromLatin1(name) << value << expected;
    };
    using enum SocketType;
    // int
    row("linger", Dealer, "linger", 123, 123);
    row("linger -1", Dealer, "linger", -1, -1);
    row("sndhwm", Dealer, "sndhwm", 77, 77);
    row("rcvhwm", Dealer, "RCVHWM", 88, 88);
    row("sndtimeo", Dealer, "sndtimeo", 50, 50);
    row("rcvtimeo", Dealer, "rcvtimeo", 60, 60);
    row("reconnect_ivl", Dealer, "reconnect_ivl", 150, 150);
    row("reconnect_ivl_max", Dealer, "reconnect_ivl_max", 2000, 2000);
    row("tcp_keepalive", Dealer, "tcp_keepalive", 1, 1);
    row("tcp_keepalive_idle", Dealer, "tcp_keepalive_idle", 30, 30);
    row("backlog", Dealer, "backlog", 10, 10);
    row("connect_timeout", Dealer, "connect_timeout", 500, 500);
    row("heartbeat_ivl", Dealer, "heartbeat_ivl", 1000, 1000);
    row("int from int64", Dealer, "linger", std::int64_t { 5 }, 5);
    // int64
    row("maxmsgsize", Dealer, "maxmsgsize", std::int64_t { 1 } << 33, std::int64_t { 1 } << 33);
    row("maxmsgsize -1", Dealer, "maxmsgsize", -1, -1);
    row("affinity", Dealer, "affinity", 3, 3);
    // bool
    row("immediate", Dealer, "immediate", true, true);
    row("immediate from 1", Dealer, "immediate", 1, true);
    row("ipv6", Dealer, "ipv6", true, true);
    row("curve_server", Dealer, "curve_server", true, true);
    row("plain_server", Dealer, "plain_server", true, true);
    row("invert_matching", Sub, "invert_matching", true, true);
    // bytes
    row("routing_id", Dealer, "routing_id", "peer-1", "peer-1");
    row("routing_id binary", Dealer, "routing_id", QByteArray("\x01\x00z", 3), QByteArray("\x01\x00z", 3));
    row("identity alias", Router, "identity", "old-name", "old-name");
    // text
    row("plain_username", Dealer, "plain_username", "user", "user");
    row("plain_password", Dealer, "plain_password", u"pässword"_s, u"pässword"_s.toUtf8());
    row("zap_domain", Dealer, "zap_domain", "global", "global");
}

void TestSocket::optionRoundTrip()
{
    QFETCH(SocketType, type);
    QFETCH(QString, name);
    QFETCH(OptionValue, value);
    QFETCH(OptionValue, expected);

    Socket socket = Socket::create(type);
    socket.setOption(name, value);
    const OptionValue read = socket.option(name);
    QCOMPARE(read.toDisplayString(), expected.toDisplayString());
    QVERIFY(read == expected);
    // The lower-case spelling reads the same row.
    QVERIFY(socket.option(name.toLower()) == expected);
}

void TestSocket::curveKeys()
{
    const auto [publicKey, secretKey] = curveKeyPair();
    const auto [serverPublic, serverSecret] = curveKeyPair();
    Socket socket = Socket::create(SocketType::Dealer);

    // Z85 text, as zmq_curve_keypair writes it.
    socket.setOption("curve_publickey", publicKey);
    socket.setOption("curve_secretkey", secretKey);
    socket.setOption("curve_serverkey", serverPublic);
    QCOMPARE(socket.option("curve_publickey").toBytes(), publicKey);
    QCOMPARE(socket.option("curve_secretkey").toBytes(), secretKey);
    QCOMPARE(socket.option("curve_serverkey").toBytes(), serverPublic);
    QCOMPARE(socket.option("mechanism"), OptionValue(ZMQ_CURVE));

    // 32 raw bytes read back as the same key in Z85.
    Socket binary = Socket::create(SocketType::Dealer);
    binary.setOption("curve_serverkey", z85Decode(serverPublic));
    binary.setOption("CURVE_SECRETKEY", z85Decode(serverSecret));
    QCOMPARE(binary.option("curve_serverkey").toBytes(), serverPublic);
    QCOMPARE(binary.option("curve_secretkey").toBytes(), serverSecret);

    // Typed text goes through fromText and lands the same way.
    const auto &info = zmqscope::optionFromName("curve_publickey");
    binary.setOption("curve_publickey", OptionValue::fromText(info, QString::fromLatin1(publicKey)));
    QCOMPARE(binary.option("curve_publickey").toBytes(), publicKey);
}

void TestSocket::curveConnection()
{
    const auto [serverPublic, serverSecret] = curveKeyPair();
    const auto [clientPublic, clientSecret] = curveKeyPair();
    const Context context;
    Socket server = Socket::bindNew("PULL", u"tcp://127.0.0.1:*"_s,
        { { "linger", 0 }, { "curve_server", true }, { "curve_secretkey", serverSecret } }, context);
    Socket client = Socket::connectNew("PUSH", server.lastEndpoint(),
        { { "linger", 0 }, { "curve_serverkey", serverPublic }, { "curve_publickey", clientPublic },
            { "curve_secretkey", clientSecret } },
        context);
    client.sendText("encrypted");
    QCOMPARE(server.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).data(), QByteArray("encrypted"));
}

void TestSocket::sendReceiveEnvelope_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<Envelope>("envelope");
    const struct
    {
        const char *tag = nullptr;
        Envelope envelope;
    } rows[] = {
        { "plain", Envelope::create("text/plain", "hello", "greeting") },
        { "empty id", Envelope::create("text/plain", "hello") },
        { "all empty", Envelope() },
        { "binary", Envelope::create("application/octet-stream", Binary, Binary) },
        { "request frames", Envelope::create("text/plain", "x", "id", { "hop-1", Binary }) },
        { "1 MiB", Envelope::create("application/octet-stream", QByteArray(1 << 20, 'x'), "big") },
    };
    for (const auto &row : rows) {
        for (const char *transport : { "inproc", "tcp" })
            QTest::newRow(
                qPrintable(u"%1/%2"_s.arg(QLatin1StringView(row.tag), QLatin1StringView(transport))))
                << QString::fromLatin1(transport) << row.envelope;
    }
}

void TestSocket::sendReceiveEnvelope()
{
    QFETCH(QString, transport);
    QFETCH(Envelope, envelope);
    const Context context;
    auto [a, b] = testsupport::makePair(SocketType::Pair, SocketType::Pair, transport, context);

    b.sendEnvelope(envelope);
    const auto received = a.receiveEnvelope(DeliveryTimeout);
    QVERIFY(received);
    QCOMPARE(*received, envelope);

    // And the blocking form, the other way round.
    a.sendEnvelope(envelope);
    QCOMPARE(b.receiveEnvelope(), envelope);
}

void TestSocket::receiveEnvelopeTimeout()
{
    QFETCH(QString, transport);
    const Context context;
    auto pair = testsupport::makePair(SocketType::Pull, SocketType::Push, transport, context);
    Socket &pull = pair.bound;
    Socket &push = pair.connected;

    QCOMPARE(pull.receiveEnvelope(20ms), std::nullopt);
    QCOMPARE(pull.receiveEnvelope(0ms), std::nullopt);
    push.sendText("late");
    const auto envelope = pull.receiveEnvelope(DeliveryTimeout);
    QVERIFY(envelope);
    QCOMPARE(envelope->data(), QByteArray("late"));
    QCOMPARE(pull.receiveEnvelope(1ms), std::nullopt);

    // rcvtimeo makes the blocking form give up with a Timeout naming the setting.
    pull.setOption("rcvtimeo", 10);
    const auto error = errorOf([&] { (void)pull.receiveEnvelope(); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::Timeout);
    QVERIFY2(error->message().contains(u"rcvtimeo 10 ms"_s), error->what());
}

void TestSocket::sendReceiveText_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("id");
    for (const char *transport : { "inproc", "tcp" }) {
        const QString t = QString::fromLatin1(transport);
        QTest::newRow(qPrintable(t + u"/ascii"_s)) << t << u"hello"_s << QByteArray();
        QTest::newRow(qPrintable(t + u"/unicode"_s)) << t << u"grüße ✓ 日本"_s << QByteArray("temp.1");
        QTest::newRow(qPrintable(t + u"/empty"_s)) << t << QString() << QByteArray("x");
    }
}

void TestSocket::sendReceiveText()
{
    QFETCH(QString, transport);
    QFETCH(QString, text);
    QFETCH(QByteArray, id);
    const Context context;
    auto [a, b] = testsupport::makePair(SocketType::Pair, SocketType::Pair, transport, context);

    b.sendText(text.toUtf8(), id);
    QTRY_VERIFY(a.hasPendingInput());
    QCOMPARE(a.receiveText(), text);

    b.sendText(text.toUtf8(), id);
    const auto envelope = a.receiveEnvelope(DeliveryTimeout);
    QVERIFY(envelope);
    QCOMPARE(envelope->mimetype(), QByteArray("text/plain"));
    QCOMPARE(envelope->id(), id);
    QCOMPARE(envelope->data(), text.toUtf8());

    // A mimetype with parameters is still text/plain.
    b.sendEnvelope(Envelope::create("Text/Plain; charset=utf-8", "with parameters"));
    QCOMPARE(a.receiveText(), u"with parameters"_s);
}

void TestSocket::sendReceiveObj()
{
    QFETCH(QString, transport);
    const Context context;
    auto [a, b] = testsupport::makePair(SocketType::Pair, SocketType::Pair, transport, context);

    const QJsonObject object { { u"temp"_s, 21.5 }, { u"unit"_s, u"°C"_s },
        { u"tags"_s, QJsonArray { 1, 2 } } };
    b.sendObj(object, "reading");
    QCOMPARE(a.receiveObj(asJson), QJsonValue(object));

    // Scalars travel as bare JSON, as Python's json.dumps writes them.
    b.sendObj(42);
    const auto scalar = a.receiveEnvelope(DeliveryTimeout);
    QVERIFY(scalar);
    QCOMPARE(scalar->mimetype(), QByteArray("application/json"));
    QCOMPARE(scalar->data(), QByteArray("42"));
    for (const QJsonValue &value : { QJsonValue(42), QJsonValue(1.5), QJsonValue(true), QJsonValue(u"text"_s),
             QJsonValue(QJsonValue::Null), QJsonValue(QJsonArray { u"a"_s, 2 }) }) {
        b.sendObj(value);
        QCOMPARE(a.receiveObj(asJson), value);
    }
    b.sendObj(u"quoted \"string\""_s);
    QCOMPARE(a.receiveObj(asJson), QJsonValue(u"quoted \"string\""_s));

    // A user type with serialize(), and a handler that builds the object back.
    b.sendObj(Reading { u"kitchen"_s, 19.25 }, "sensor");
    const Reading reading = a.receiveObj([](const QJsonValue &value) {
        return Reading { value[u"sensor"_s].toString(), value[u"value"_s].toDouble() };
    });
    QCOMPARE(reading.sensor, u"kitchen"_s);
    QCOMPARE(reading.value, 19.25);

    // A handler returning nothing works too.
    b.sendObj(QJsonObject { { u"k"_s, 1 } });
    int seen = 0;
    a.receiveObj([&](const QJsonValue &value) { seen = value[u"k"_s].toInt(); });
    QCOMPARE(seen, 1);

    // The envelope's id is the one given.
    b.sendObj(object, "the-id");
    QCOMPARE(a.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).id(), QByteArray("the-id"));
}

void TestSocket::sendReceiveFrames_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<Frames>("frames");
    const struct
    {
        const char *tag = nullptr;
        Frames frames;
    } rows[] = {
        { "one frame", Frames { "single" } },
        { "one empty frame", Frames { QByteArray() } },
        { "two frames", Frames { "a", "b" } },
        { "empty and binary", Frames { {}, Binary, {}, Binary, {} } },
        { "many frames", Frames(64, "f") },
    };
    for (const auto &row : rows) {
        for (const char *transport : { "inproc", "tcp" })
            QTest::newRow(
                qPrintable(u"%1/%2"_s.arg(QLatin1StringView(row.tag), QLatin1StringView(transport))))
                << QString::fromLatin1(transport) << row.frames;
    }
}

void TestSocket::sendReceiveFrames()
{
    QFETCH(QString, transport);
    QFETCH(Frames, frames);
    const Context context;
    auto [a, b] = testsupport::makePair(SocketType::Pair, SocketType::Pair, transport, context);

    QCOMPARE(a.receiveFrames(0ms), std::nullopt);
    QCOMPARE(a.receiveFrames(10ms), std::nullopt);
    b.sendFrames(frames);
    const auto received = a.receiveFrames(DeliveryTimeout);
    QVERIFY(received);
    QCOMPARE(*received, frames);

    a.sendFrames(frames);
    QCOMPARE(b.receiveFrames(), frames);

    // Messages keep their boundaries and their order.
    b.sendFrames(frames);
    b.sendFrames({ "second" });
    QCOMPARE(a.receiveFrames(DeliveryTimeout), std::optional<Frames>(frames));
    QCOMPARE(a.receiveFrames(DeliveryTimeout), std::optional<Frames>(Frames { "second" }));
}

void TestSocket::pendingInputCanSendFd()
{
    QFETCH(QString, transport);
    const Context context;
    auto [rep, req] = testsupport::makePair(SocketType::Rep, SocketType::Req, transport, context);

    const qintptr fd = req.fileDescriptor();
    QVERIFY(fd >= 0);
    QVERIFY(::fcntl(int(fd), F_GETFD) != -1); // a real, open descriptor
    QVERIFY(rep.fileDescriptor() != fd);

    QVERIFY(!rep.hasPendingInput());
    QVERIFY(!req.hasPendingInput());
    QTRY_VERIFY(req.canSend()); // REQ may send its first request once a peer is there
    QVERIFY(!rep.canSend()); // REP has nothing to reply to

    req.sendText("question");
    QVERIFY(!req.canSend()); // REQ waits for the reply now
    QTRY_VERIFY(rep.hasPendingInput());
    QCOMPARE(rep.receiveText(), u"question"_s);
    QVERIFY(!rep.hasPendingInput());
    QVERIFY(rep.canSend());
    rep.sendText("answer");
    QTRY_VERIFY(req.hasPendingInput());
    QVERIFY(req.hasPendingInput()); // asking does not consume anything
    QCOMPARE(req.receiveText(), u"answer"_s);
    QVERIFY(!req.hasPendingInput());
    QVERIFY(req.canSend());
}

void TestSocket::unusableSocketThrows_data()
{
    QTest::addColumn<bool>("moved"); // false: closed with close(); true: moved from
    QTest::addColumn<SocketCall>("call");

    const std::pair<const char *, SocketCall> calls[] = {
        { "bind", [](Socket &s) { s.bind(u"inproc://closed"_s); } },
        { "connect", [](Socket &s) { s.connect(u"inproc://closed"_s); } },
        { "unbind", [](Socket &s) { s.unbind(u"inproc://closed"_s); } },
        { "disconnect", [](Socket &s) { s.disconnect(u"inproc://closed"_s); } },
        { "bindToRandom", [](Socket &s) { (void)s.bindToRandom(u"tcp://127.0.0.1"_s); } },
        { "lastEndpoint", [](Socket &s) { (void)s.lastEndpoint(); } },
        { "setOption", [](Socket &s) { s.setOption("linger", 0); } },
        { "option", [](Socket &s) { (void)s.option("linger"); } },
        { "sendEnvelope", [](Socket &s) { s.sendEnvelope(Envelope::create("text/plain", "x")); } },
        { "receiveEnvelope", [](Socket &s) { (void)s.receiveEnvelope(); } },
        { "receiveEnvelope(timeout)", [](Socket &s) { (void)s.receiveEnvelope(10ms); } },
        { "sendText", [](Socket &s) { s.sendText("x"); } },
        { "receiveText", [](Socket &s) { (void)s.receiveText(); } },
        { "sendObj", [](Socket &s) { s.sendObj(QJsonObject()); } },
        { "receiveObj", [](Socket &s) { (void)s.receiveObj([](const QJsonValue &v) { return v; }); } },
        { "sendFrames", [](Socket &s) { s.sendFrames({ "x" }); } },
        { "receiveFrames", [](Socket &s) { (void)s.receiveFrames(); } },
        { "receiveFrames(timeout)", [](Socket &s) { (void)s.receiveFrames(0ms); } },
        { "hasPendingInput", [](Socket &s) { (void)s.hasPendingInput(); } },
        { "canSend", [](Socket &s) { (void)s.canSend(); } },
        { "fileDescriptor", [](Socket &s) { (void)s.fileDescriptor(); } },
        { "typeName", [](Socket &s) { (void)s.typeName(); } },
    };
    for (const bool moved : { false, true }) {
        for (const auto &[name, call] : calls) {
            // typeName() of a closed socket still answers; only a moved-from one has nothing to say.
            if (!moved && QByteArrayView(name) == "typeName")
                continue;
            QTest::newRow(
                qPrintable(u"%1/%2"_s.arg(moved ? u"moved"_s : u"closed"_s, QLatin1StringView(name))))
                << moved << call;
        }
    }
}

void TestSocket::unusableSocketThrows()
{
    QFETCH(bool, moved);
    QFETCH(SocketCall, call);

    Socket socket = Socket::create(SocketType::Pair);
    socket.bind(testsupport::bindEndpoint(u"inproc"_s));
    std::optional<Socket> target;
    if (moved) {
        target.emplace(std::move(socket));
        QVERIFY(target->isOpen());
    } else {
        socket.close();
        QCOMPARE(socket.type(), SocketType::Pair);
        QCOMPARE(socket.typeName(), u"PAIR"_s);
        QVERIFY(socket.boundEndpoints().isEmpty()); // nothing is bound any more
    }
    // Using the moved-from socket is the point: it must say so instead of crashing.
    QVERIFY(!socket.isOpen()); // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
    const auto error = errorOf([&] { call(socket); });
    QVERIFY2(error, "the call did not throw");
    QCOMPARE(error->code(), ErrorCode::WrongState);
    QVERIFY2(error->message().contains(moved ? u"moved"_s : u"closed"_s), error->what());
}

void TestSocket::closeTwiceAndDestroy()
{
    Socket socket = Socket::create(SocketType::Rep);
    socket.close();
    socket.close(); // harmless
    QVERIFY(!socket.isOpen());

    // A socket that was moved from can be closed, assigned to and destroyed.
    Socket other = std::move(socket);
    QVERIFY(!other.isOpen());
    // The moved-from state is what is tested here.
    socket.close(); // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
    socket = Socket::create(SocketType::Pull);
    QVERIFY(socket.isOpen());
    QCOMPARE(socket.type(), SocketType::Pull);
}

void TestSocket::moveSemantics()
{
    const Context context;
    auto [pull, push] = testsupport::makePair(SocketType::Pull, SocketType::Push, u"inproc"_s, context);
    const QString endpoint = pull.lastEndpoint();
    const qintptr fd = pull.fileDescriptor();

    // Move construction takes the socket, its endpoints and its queued input.
    push.sendText("queued before the move");
    Socket moved(std::move(pull));
    QVERIFY(moved.isOpen());
    // The moved-from state is what is tested here.
    QVERIFY(!pull.isOpen()); // NOLINT(bugprone-use-after-move)
    QCOMPARE(moved.type(), SocketType::Pull);
    QCOMPARE(moved.boundEndpoints(), QStringList { endpoint });
    QCOMPARE(moved.fileDescriptor(), fd);
    QVERIFY(moved.context() == context);
    QCOMPARE(moved.receiveText(), u"queued before the move"_s);

    // Move assignment closes what the target held and takes the source.
    Socket target = Socket::create(SocketType::Pair, context);
    target.bind(testsupport::bindEndpoint(u"inproc"_s));
    target = std::move(moved);
    // The moved-from state is what is tested here.
    QVERIFY(!moved.isOpen()); // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
    QCOMPARE(target.type(), SocketType::Pull);
    QCOMPARE(target.boundEndpoints(), QStringList { endpoint });
    push.sendText("after the assignment");
    QCOMPARE(target.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).data(),
        QByteArray("after the assignment"));

    // Self-move leaves the socket as it was.
    Socket &alias = target;
    target = std::move(alias);
    QVERIFY(target.isOpen());

    // Assigning back into a moved-from socket brings it to life.
    pull = std::move(target);
    QVERIFY(pull.isOpen());
    push.sendText("home again");
    QCOMPARE(pull.receiveText(), u"home again"_s);
}

QTEST_GUILESS_MAIN(TestSocket)
#include "tst_socket.moc"
