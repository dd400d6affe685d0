// Our core Socket/Envelope against an independent implementation of the Dploy envelope:
// dploy_peer.py on Debian's python3-zmq, in both directions, with binary bodies byte for byte.

#include <chrono>

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <zmqscope/transport.h>

#include "testprocess.h"

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using namespace zmqscope;

Q_DECLARE_METATYPE(zmqscope::Frames)
Q_DECLARE_METATYPE(zmqscope::EnvelopeFraming)

namespace {

constexpr auto ReceiveTimeout = 10s;

QByteArray allBytes()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    return bytes;
}

QString hex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex());
}

QStringList sendArguments(const Envelope &envelope)
{
    return { u"--send"_s, hex(envelope.id()), hex(envelope.mimetype()), hex(envelope.data()) };
}

void addBinaryRows()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("mimetype");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("text") << QByteArray("greeting") << QByteArray("text/plain")
                          << QByteArray("hello \xc3\xa9t\xc3\xa9");
    QTest::newRow("NUL bytes") << QByteArray("nul") << QByteArray("application/octet-stream")
                               << QByteArray("\0a\0\0b\0", 6);
    QTest::newRow("invalid UTF-8") << QByteArray("bad\xff") << QByteArray("text/plain")
                                   << QByteArray("\xc3\x28\xa0\xa1\xff\xfe\xed\xa0\x80");
    QTest::newRow("every byte") << QByteArray() << QByteArray("application/octet-stream") << allBytes();
    QTest::newRow("empty body") << QByteArray("e") << QByteArray("application/json") << QByteArray();
}

} // namespace

class TestInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void reqToPythonRep_data() { addBinaryRows(); }
    void reqToPythonRep();
    void pythonReqToRep_data() { addBinaryRows(); }
    void pythonReqToRep();
    void dealerToPythonRouter();
    void pythonDealersToRouter();
    void dealerFramingForDployService_data();
    void dealerFramingForDployService();
    void pubToPythonSub();
    void pythonPubToSub();
    void pushToPythonPull();
    void pythonPushToPull();
};

void TestInterop::initTestCase()
{
    TestProcess python;
    QVERIFY(python.start(
        QStringLiteral(ZMQSCOPE_PYTHON), { u"-c"_s, u"import zmq; print(zmq.zmq_version())"_s }));
    QVERIFY(python.waitForFinished());
    QVERIFY2(python.exitedWith(0),
        QByteArray("python3-zmq is missing: apt-get install python3-zmq; ")
            .append(python.diagnostics())
            .constData());
}

void TestInterop::reqToPythonRep()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, mimetype);
    QFETCH(QByteArray, body);
    TestProcess peer;
    QVERIFY(peer.startPeer({ u"rep"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--count"_s, u"1"_s }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());

    Socket req = Socket::connectNew("REQ", endpoint);
    req.sendEnvelope(Envelope(id, mimetype, body));
    const auto reply = req.receiveFrames(ReceiveTimeout);
    QVERIFY2(reply, peer.diagnostics());
    const Envelope envelope = Envelope::fromRaw(*reply);
    QCOMPARE(envelope.id(), id);
    QCOMPARE(envelope.mimetype(), mimetype);
    QCOMPARE(envelope.data(), body);
    QVERIFY(envelope.requestFrames().isEmpty());

    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(peer.lines().size(), 2);
    QCOMPARE(TestProcess::peerFrames(peer.lines().at(1)), (Frames { id, mimetype, body }));
}

void TestInterop::pythonReqToRep()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, mimetype);
    QFETCH(QByteArray, body);
    Socket rep = Socket::bindNew("REP", "tcp://127.0.0.1:*");
    TestProcess peer;
    QVERIFY(peer.startPeer(QStringList { u"req"_s, u"--connect"_s, rep.lastEndpoint(), u"--hex"_s }
        + sendArguments(Envelope(id, mimetype, body))));

    const auto request = rep.receiveFrames(ReceiveTimeout);
    QVERIFY2(request, peer.diagnostics());
    QCOMPARE(*request, (Frames { id, mimetype, body }));
    const Envelope envelope = Envelope::fromRaw(*request);
    rep.sendEnvelope(envelope.responseEnvelope(envelope.mimetype(), envelope.data()));

    // The peer checks that the reply echoes id, mimetype and body, and exits 1 otherwise.
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(TestProcess::peerFrames(peer.lines().at(1)), (Frames { id, mimetype, body }));
}

void TestInterop::dealerToPythonRouter()
{
    TestProcess peer;
    QVERIFY(peer.startPeer({ u"router"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--count"_s, u"2"_s }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());

    Socket dealer = Socket::connectNew("DEALER", endpoint, { { "routing_id", "cpp-dealer" } });
    const QList<Envelope> requests { Envelope("one", "application/octet-stream", QByteArray("\0\xff\x01", 3)),
        Envelope("two", "text/plain", "zwei") };
    for (const Envelope &request : requests) {
        // A DEALER adds the delimiter a REQ would add, so the ROUTER sees a routed envelope.
        dealer.sendFrames(Frames { QByteArray() } + request.transferObject());
        const auto reply = dealer.receiveFrames(ReceiveTimeout);
        QVERIFY2(reply, peer.diagnostics());
        const auto parsed = Envelope::parse(*reply);
        QCOMPARE(parsed.kind, MessageKind::RoutedEnvelope);
        QCOMPARE(parsed.envelope->requestFrames(), Frames {});
        QCOMPARE(parsed.envelope->id(), request.id());
        QCOMPARE(parsed.envelope->mimetype(), request.mimetype());
        QCOMPARE(parsed.envelope->data(), request.data());
    }

    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(peer.lines().size(), 3);
    for (qsizetype i = 0; i < requests.size(); ++i) {
        // The python ROUTER saw our routing id first, then the delimiter, then the envelope.
        const Frames expected = Frames { "cpp-dealer", QByteArray() } + requests[i].transferObject();
        QCOMPARE(TestProcess::peerFrames(peer.lines().at(i + 1)), expected);
    }
}

void TestInterop::pythonDealersToRouter()
{
    Socket router = Socket::bindNew("ROUTER", "tcp://127.0.0.1:*");
    const QHash<QByteArray, QByteArray> bodies { { "alpha", QByteArray("\xff\0alpha", 7) },
        { "beta", QByteArray("beta\x80", 5) } };
    TestProcess alpha;
    TestProcess beta;
    QVERIFY(alpha.startPeer(
        { u"dealer"_s, u"--connect"_s, router.lastEndpoint(), u"--routing-id"_s, u"alpha"_s, u"--delimiter"_s,
            u"--hex"_s, u"--send"_s, hex("a-id"), hex("x/y"), hex(bodies.value("alpha")) }));
    QVERIFY(beta.startPeer({ u"dealer"_s, u"--connect"_s, router.lastEndpoint(), u"--routing-id"_s, u"beta"_s,
        u"--delimiter"_s, u"--hex"_s, u"--send"_s, hex("b-id"), hex("x/y"), hex(bodies.value("beta")) }));

    QSet<QByteArray> seen;
    for (int i = 0; i < 2; ++i) {
        const auto request = router.receiveFrames(ReceiveTimeout);
        QVERIFY2(
            request, QByteArray(alpha.diagnostics()).append(" / ").append(beta.diagnostics()).constData());
        const Envelope envelope = Envelope::fromRaw(*request);
        QCOMPARE(envelope.requestFrames().size(), 1);
        const QByteArray peerId = envelope.requestFrames().constFirst();
        QVERIFY2(bodies.contains(peerId), peerId.constData());
        QCOMPARE(envelope.data(), bodies.value(peerId));
        seen.insert(peerId);
        router.sendEnvelope(envelope.responseEnvelope(envelope.mimetype(), envelope.data()));
    }
    QCOMPARE(seen, (QSet<QByteArray> { "alpha", "beta" }));

    // Each dealer checks that the reply it got echoes its own request.
    for (TestProcess *peer : { &alpha, &beta }) {
        QVERIFY(peer->waitForFinished());
        QVERIFY2(peer->exitedWith(0), peer->diagnostics());
    }
    QCOMPARE(TestProcess::peerFrames(alpha.lines().at(1)),
        (Frames { QByteArray(), "a-id", "x/y", bodies.value("alpha") }));
    QCOMPARE(TestProcess::peerFrames(beta.lines().at(1)),
        (Frames { QByteArray(), "b-id", "x/y", bodies.value("beta") }));
}

void TestInterop::dealerFramingForDployService_data()
{
    QTest::addColumn<EnvelopeFraming>("framing");
    QTest::addColumn<bool>("answered");
    QTest::newRow("DEALER default: as a REQ") << defaultEnvelopeFraming(SocketType::Dealer) << true;
    QTest::newRow("plain: the routing id is lost") << EnvelopeFraming::Plain << false;
}

void TestInterop::dealerFramingForDployService()
{
    QFETCH(EnvelopeFraming, framing);
    QFETCH(bool, answered);
    // A ROUTER service as written with the original library: PollLoop, from_raw, response_envelope.
    TestProcess service;
    QVERIFY(service.startPeer({ u"service"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--count"_s, u"1"_s }));
    const QString endpoint = service.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), service.diagnostics());

    Socket dealer = Socket::connectNew("DEALER", endpoint, { { "routing_id", "d-socket" } });
    const Envelope request("d-1", "text/plain", QByteArray("hi\0\xff", 4));
    dealer.sendFrames(request.transferObject(framing));
    QVERIFY(service.waitForFinished());
    QVERIFY2(service.exitedWith(0), service.diagnostics());
    // What the service got, and what its from_raw made of it.
    const Frames wire = request.transferObject(framing);
    QCOMPARE(service.peerMessages(), QList<Frames> { Frames { "d-socket" } + wire });

    const auto reply = dealer.receiveFrames(answered ? ReceiveTimeout : 500ms);
    QCOMPARE(reply.has_value(), answered);
    if (answered) {
        // The reply comes back in the shape it went out: the empty delimiter, then the envelope.
        QCOMPARE(
            *reply, request.responseEnvelope("text/plain", "re: " + request.data()).transferObject(framing));
        const auto parsed = Envelope::parse(*reply);
        QVERIFY(parsed.envelope);
        QCOMPARE(parsed.envelope->id(), request.id());
        QCOMPARE(parsed.envelope->data(), "re: " + request.data());
    }
}

void TestInterop::pubToPythonSub()
{
    TestProcess peer;
    QVERIFY(peer.startPeer({ u"sub"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--subscribe"_s, u"temp."_s,
        u"--until-id"_s, u"temp.end"_s, u"--count"_s, u"1000"_s }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());
    Socket pub = Socket::connectNew("PUB", endpoint);

    // A PUB drops messages until the subscription has travelled back (slow joiner): publish
    // probes until the first one arrives, then the subscription is known to be in place.
    const Envelope probe("temp.probe", "text/plain", "probe");
    QDeadlineTimer deadline(10000);
    while (peer.lines().size() < 2 && !deadline.hasExpired()) {
        pub.sendEnvelope(probe);
        (void)peer.waitForLines(2, 20);
    }
    QVERIFY2(peer.lines().size() >= 2, peer.diagnostics());

    const QList<Envelope> published { Envelope("humidity.kitchen", "text/plain", "55"),
        Envelope("temp.bin", "application/octet-stream", allBytes()),
        Envelope(QByteArray("temp.\0\xff", 7), "text/plain", QByteArray("\0\xff", 2)),
        Envelope("temp.end", "text/plain", "bye") };
    for (const Envelope &envelope : published)
        pub.sendEnvelope(envelope);

    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    QList<Frames> received;
    for (const QByteArray &line : peer.lines().mid(1)) {
        const Frames frames = TestProcess::peerFrames(line);
        if (frames != probe.transferObject())
            received.append(frames);
    }
    // "humidity." does not match the prefix; a binary id after "temp." does (prefixes match bytes).
    const QList<Frames> expected { published[1].transferObject(), published[2].transferObject(),
        published[3].transferObject() };
    QCOMPARE(received, expected);
}

void TestInterop::pythonPubToSub()
{
    Socket sub = Socket::bindNew("SUB", "tcp://127.0.0.1:*", { { "subscribe", "temp." } });
    const QList<Envelope> published { Envelope("temp.a", "text/plain", "21"),
        Envelope("humidity.b", "text/plain", "55"),
        Envelope("temp.c", "application/octet-stream", allBytes()) };
    QStringList arguments { u"pub"_s, u"--connect"_s, sub.lastEndpoint(), u"--hex"_s };
    for (const Envelope &envelope : published)
        arguments += sendArguments(envelope);
    TestProcess peer;
    // The peer publishes only after our subscription reached it, so nothing is lost.
    QVERIFY(peer.startPeer(arguments));

    for (const qsizetype index : { 0, 2 }) {
        const auto frames = sub.receiveFrames(ReceiveTimeout);
        QVERIFY2(frames, peer.diagnostics());
        // Messages on one connection keep their order: humidity.b would have come before temp.c.
        QCOMPARE(*frames, published[index].transferObject());
        QCOMPARE(Envelope::fromRaw(*frames), published[index]);
    }
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
}

void TestInterop::pushToPythonPull()
{
    TestProcess peer;
    QVERIFY(peer.startPeer({ u"pull"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--count"_s, u"3"_s }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());
    Socket push = Socket::connectNew("PUSH", endpoint);
    const QList<Envelope> sent { Envelope("", "application/octet-stream", allBytes()),
        Envelope("j", "application/json", R"({"n":1})"),
        Envelope(QByteArray("\0", 1), "text/plain", QByteArray("\xff\xfe\0", 3)) };
    for (const Envelope &envelope : sent)
        push.sendEnvelope(envelope);

    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(peer.lines().size(), 4);
    for (qsizetype i = 0; i < sent.size(); ++i)
        QCOMPARE(TestProcess::peerFrames(peer.lines().at(i + 1)), sent[i].transferObject());
}

void TestInterop::pythonPushToPull()
{
    Socket pull = Socket::bindNew("PULL", "tcp://127.0.0.1:*");
    const QList<Envelope> sent { Envelope("one", "application/octet-stream", allBytes()),
        Envelope("", "text/plain", QByteArray("\0", 1)),
        Envelope("three", "x", QByteArray("\xed\xa0\x80", 3)) };
    QStringList arguments { u"push"_s, u"--connect"_s, pull.lastEndpoint(), u"--hex"_s };
    for (const Envelope &envelope : sent)
        arguments += sendArguments(envelope);
    TestProcess peer;
    QVERIFY(peer.startPeer(arguments));
    for (const Envelope &expected : sent) {
        const auto frames = pull.receiveFrames(ReceiveTimeout);
        QVERIFY2(frames, peer.diagnostics());
        QCOMPARE(Envelope::fromRaw(*frames), expected);
    }
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
}

QTEST_GUILESS_MAIN(TestInterop)
#include "tst_interop.moc"
