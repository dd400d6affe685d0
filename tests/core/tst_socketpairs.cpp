// Every socket pair of ZeroMQ, carrying Dploy envelopes, over inproc:// and
// tcp://127.0.0.1:*: what each side sees on the wire and that replies find
// their way back (DESIGN.md section 3).

#include <set>

#include <QTest>

#include <zmqscope/socket.h>

#include "testsupport.h"

using namespace testsupport::suite;
using zmqscope::MessageKind;

namespace {

/**
 * PUB/SUB subscriptions travel to the publisher asynchronously ("slow joiner"):
 * publish `probeId` until the subscriber receives one, so what follows is
 * filtered by the subscription for sure. Returns false when it never arrived.
 */
bool waitForSubscription(Socket &pub, Socket &sub, const QByteArray &probeId)
{
    for (int attempt = 0; attempt < 500; ++attempt) {
        pub.sendEnvelope(Envelope::create("text/plain", "probe", probeId));
        if (sub.receiveEnvelope(10ms))
            return true;
    }
    return false;
}

/// Receives envelopes until one has id `endId`; returns the ids seen before it, skipping `skipId`.
QList<QByteArray> idsUntil(Socket &sub, const QByteArray &endId, const QByteArray &skipId)
{
    QList<QByteArray> ids;
    while (const auto envelope = sub.receiveEnvelope(DeliveryTimeout)) {
        if (envelope->id() == endId)
            return ids;
        if (envelope->id() != skipId)
            ids.append(envelope->id());
    }
    ids.append("<timed out>");
    return ids;
}

} // namespace

class TestSocketPairs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reqRep_data() { testsupport::transportTable(); }
    void reqRep();
    void reqRouter_data() { testsupport::transportTable(); }
    void reqRouter();
    void routerGeneratedRoutingIds_data() { testsupport::transportTable(); }
    void routerGeneratedRoutingIds();
    void dealerRouter_data() { testsupport::transportTable(); }
    void dealerRouter();
    void dealerWithoutDelimiterIsRaw_data() { testsupport::transportTable(); }
    void dealerWithoutDelimiterIsRaw();
    void dealerRep_data() { testsupport::transportTable(); }
    void dealerRep();
    void pubSubFiltersOnId_data() { testsupport::transportTable(); }
    void pubSubFiltersOnId();
    void pubSubEmptySubscriptionGetsAll_data() { testsupport::transportTable(); }
    void pubSubEmptySubscriptionGetsAll();
    void pushPull_data() { testsupport::transportTable(); }
    void pushPull();
    void pair_data() { testsupport::transportTable(); }
    void pair();
    void xpubXsub_data() { testsupport::transportTable(); }
    void xpubXsub();
    void subToXpub_data() { testsupport::transportTable(); }
    void subToXpub();
};

void TestSocketPairs::reqRep()
{
    QFETCH(QString, transport);
    const Context context;
    auto [rep, req] = makePair(SocketType::Rep, SocketType::Req, transport, context);

    for (int i = 0; i < 10; ++i) {
        const QByteArray id = "question-" + QByteArray::number(i);
        req.sendEnvelope(Envelope::create("text/plain", "what is " + QByteArray::number(i), id));
        const auto request = rep.receiveEnvelope(DeliveryTimeout);
        QVERIFY(request);
        // REP hides the routing envelope: the application sees a plain envelope.
        QCOMPARE(request->id(), id);
        QVERIFY(request->requestFrames().isEmpty());
        rep.sendEnvelope(request->responseEnvelope("text/plain", "answer " + QByteArray::number(i)));
        const auto reply = req.receiveEnvelope(DeliveryTimeout);
        QVERIFY(reply);
        QCOMPARE(reply->id(), id);
        QCOMPARE(reply->data(), QByteArray("answer " + QByteArray::number(i)));
        QVERIFY(reply->requestFrames().isEmpty());
    }
}

void TestSocketPairs::reqRouter()
{
    QFETCH(QString, transport);
    const Context context;
    Socket router
        = Socket::bindNew("ROUTER", testsupport::bindEndpoint(transport), { { "linger", 0 } }, context);
    Socket reqA = Socket::connectNew(
        "REQ", router.lastEndpoint(), { { "linger", 0 }, { "routing_id", "req-a" } }, context);
    Socket reqB = Socket::connectNew(
        "REQ", router.lastEndpoint(), { { "linger", 0 }, { "routing_id", "req-b" } }, context);

    reqA.sendText("from a", "id-a");
    reqB.sendText("from b", "id-b");

    std::set<QByteArray> peers;
    for (int i = 0; i < 2; ++i) {
        const auto frames = router.receiveFrames(DeliveryTimeout);
        QVERIFY(frames);
        // [routing-id, "", id, mimetype, body]: ROUTER prepends the peer, REQ added the delimiter.
        QCOMPARE(frames->size(), 5);
        QVERIFY((*frames)[1].isEmpty());
        QCOMPARE((*frames)[3], QByteArray("text/plain"));
        const QByteArray peer = (*frames)[0];
        peers.insert(peer);
        QCOMPARE((*frames)[2], peer == "req-a" ? QByteArray("id-a") : QByteArray("id-b"));
        QCOMPARE((*frames)[4], peer == "req-a" ? QByteArray("from a") : QByteArray("from b"));

        const auto parsed = Envelope::parse(*frames);
        QCOMPARE(parsed.kind, MessageKind::RoutedEnvelope);
        QCOMPARE(parsed.envelope->requestFrames(), Frames { peer });
        // The reply carries the same routing frames, so it goes back to that peer only.
        const Envelope reply
            = parsed.envelope->responseEnvelope("text/plain", "reply to " + parsed.envelope->data());
        QCOMPARE(reply.transferObject().mid(0, 2), (Frames { peer, {} }));
        router.sendEnvelope(reply);
    }
    QCOMPARE(peers, (std::set<QByteArray> { "req-a", "req-b" }));

    const auto replyA = reqA.receiveEnvelope(DeliveryTimeout);
    const auto replyB = reqB.receiveEnvelope(DeliveryTimeout);
    QVERIFY(replyA && replyB);
    QCOMPARE(replyA->data(), QByteArray("reply to from a"));
    QCOMPARE(replyA->id(), QByteArray("id-a"));
    QVERIFY(replyA->requestFrames().isEmpty());
    QCOMPARE(replyB->data(), QByteArray("reply to from b"));
    QCOMPARE(replyB->id(), QByteArray("id-b"));
}

void TestSocketPairs::routerGeneratedRoutingIds()
{
    QFETCH(QString, transport);
    const Context context;
    auto [router, req] = makePair(SocketType::Router, SocketType::Req, transport, context);
    req.sendText("anonymous");
    const auto request = router.receiveEnvelope(DeliveryTimeout);
    QVERIFY(request);
    // libzmq makes up a 5-byte binary routing id starting with NUL: it must survive as bytes.
    QCOMPARE(request->requestFrames().size(), 1);
    const QByteArray peer = request->requestFrames().first();
    QCOMPARE(peer.size(), 5);
    QCOMPARE(peer.at(0), '\0');
    router.sendEnvelope(request->responseEnvelope("text/plain", "found you"));
    QCOMPARE(req.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).data(), QByteArray("found you"));
}

void TestSocketPairs::dealerRouter()
{
    QFETCH(QString, transport);
    const Context context;
    auto [router, dealer] = makePair(
        SocketType::Router, SocketType::Dealer, transport, context, {}, { { "routing_id", "dealer-1" } });

    // A DEALER talking envelope sends its own request frames and the delimiter.
    dealer.sendEnvelope(Envelope::create("application/json", "{\"n\":1}", "job-1", { "hop" }));
    const auto frames = router.receiveFrames(DeliveryTimeout);
    QVERIFY(frames);
    QCOMPARE(*frames, (Frames { "dealer-1", "hop", {}, "job-1", "application/json", "{\"n\":1}" }));
    const Envelope request = Envelope::fromRaw(*frames);
    QCOMPARE(request.requestFrames(), (Frames { "dealer-1", "hop" }));

    router.sendEnvelope(request.responseEnvelope("application/json", "{\"done\":true}"));
    const auto reply = dealer.receiveFrames(DeliveryTimeout);
    QVERIFY(reply);
    // ROUTER took its routing frame; the DEALER sees the rest of the routing stack.
    QCOMPARE(*reply, (Frames { "hop", {}, "job-1", "application/json", "{\"done\":true}" }));
    const Envelope parsed = Envelope::fromRaw(*reply);
    QCOMPARE(parsed.requestFrames(), Frames { "hop" });
    QCOMPARE(parsed.data(), QByteArray("{\"done\":true}"));
}

void TestSocketPairs::dealerWithoutDelimiterIsRaw()
{
    QFETCH(QString, transport);
    const Context context;
    auto [router, dealer]
        = makePair(SocketType::Router, SocketType::Dealer, transport, context, {}, { { "routing_id", "d" } });

    // A plain envelope from a DEALER arrives as [routing-id, id, mimetype, body]: no delimiter, so raw.
    dealer.sendEnvelope(Envelope::create("text/plain", "hi", "id"));
    const auto frames = router.receiveFrames(DeliveryTimeout);
    QVERIFY(frames);
    QCOMPARE(*frames, (Frames { "d", "id", "text/plain", "hi" }));
    const auto parsed = Envelope::parse(*frames);
    QCOMPARE(parsed.kind, MessageKind::Raw);
    QVERIFY2(parsed.reason.contains(u"frame 1 of 4"_s), qPrintable(parsed.reason));

    // The strict receive says so and hands the frames over.
    dealer.sendEnvelope(Envelope::create("text/plain", "again", "id"));
    const auto error = errorOf([&] { (void)router.receiveEnvelope(); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::NotAnEnvelope);
    QCOMPARE(error->frames(), (Frames { "d", "id", "text/plain", "again" }));
}

void TestSocketPairs::dealerRep()
{
    QFETCH(QString, transport);
    const Context context;
    auto [rep, dealer] = makePair(SocketType::Rep, SocketType::Dealer, transport, context);

    // A DEALER talking to REP must add the empty delimiter itself.
    dealer.sendFrames({ {}, "id-7", "text/plain", "ping" });
    const auto request = rep.receiveEnvelope(DeliveryTimeout);
    QVERIFY(request);
    QCOMPARE(*request, Envelope("id-7", "text/plain", "ping"));
    rep.sendEnvelope(request->responseEnvelope("text/plain", "pong"));

    // ["", id, mimetype, body] parses as Python's from_raw does: an envelope without request frames.
    const auto reply = dealer.receiveFrames(DeliveryTimeout);
    QVERIFY(reply);
    QCOMPARE(*reply, (Frames { {}, "id-7", "text/plain", "pong" }));
    const Envelope parsed = Envelope::fromRaw(*reply);
    QCOMPARE(parsed, Envelope("id-7", "text/plain", "pong"));
}

void TestSocketPairs::pubSubFiltersOnId()
{
    QFETCH(QString, transport);
    const Context context;
    auto [pub, sub] = makePair(SocketType::Pub, SocketType::Sub, transport, context, {},
        { { "subscribe", "temp." }, { "subscribe", "alarm" } });
    QVERIFY(waitForSubscription(pub, sub, "temp.sync"));

    const QList<QByteArray> sent { "temp.kitchen", "humidity.kitchen", "alarm", "temp", "alarmed", "",
        "temp.bath", "Temp.case" };
    for (const QByteArray &id : sent)
        pub.sendEnvelope(Envelope::create("text/plain", "value", id));
    // The filter looks at the id frame only: a matching body does not let a message through.
    pub.sendEnvelope(Envelope::create("text/plain", "temp.in-the-body", "pressure"));
    pub.sendEnvelope(Envelope::create("temp.mimetype", "x", "pressure"));
    pub.sendEnvelope(Envelope::create("text/plain", "end", "temp.end"));

    QCOMPARE(idsUntil(sub, "temp.end", "temp.sync"),
        (QList<QByteArray> { "temp.kitchen", "alarm", "alarmed", "temp.bath" }));
}

void TestSocketPairs::pubSubEmptySubscriptionGetsAll()
{
    QFETCH(QString, transport);
    const Context context;
    auto [pub, sub]
        = makePair(SocketType::Pub, SocketType::Sub, transport, context, {}, { { "subscribe", "" } });
    QVERIFY(waitForSubscription(pub, sub, "sync"));

    const QList<QByteArray> sent { "temp.kitchen", "", "anything", QByteArray("\0bin", 4) };
    for (const QByteArray &id : sent)
        pub.sendEnvelope(Envelope::create("text/plain", "value", id));
    pub.sendEnvelope(Envelope::create("text/plain", "end", "end"));
    QCOMPARE(idsUntil(sub, "end", "sync"), sent);
}

void TestSocketPairs::pushPull()
{
    QFETCH(QString, transport);
    const Context context;
    auto [pull, push] = makePair(SocketType::Pull, SocketType::Push, transport, context);
    constexpr int Count = 200;
    for (int i = 0; i < Count; ++i)
        push.sendEnvelope(Envelope::create("text/plain", QByteArray::number(i), "n"));
    for (int i = 0; i < Count; ++i) {
        const auto envelope = pull.receiveEnvelope(DeliveryTimeout);
        QVERIFY(envelope);
        QCOMPARE(envelope->data(), QByteArray::number(i)); // in order, none lost
    }
    QCOMPARE(pull.receiveFrames(0ms), std::nullopt);
}

void TestSocketPairs::pair()
{
    QFETCH(QString, transport);
    const Context context;
    auto [a, b] = makePair(SocketType::Pair, SocketType::Pair, transport, context);
    a.sendText("a to b");
    b.sendText("b to a");
    QCOMPARE(b.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).data(), QByteArray("a to b"));
    QCOMPARE(a.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).data(), QByteArray("b to a"));
    // PAIR passes routing-looking frames through untouched.
    a.sendEnvelope(Envelope::create("text/plain", "x", "id", { "r1", "r2" }));
    QCOMPARE(b.receiveFrames(DeliveryTimeout),
        std::optional<Frames>(Frames { "r1", "r2", {}, "id", "text/plain", "x" }));
}

void TestSocketPairs::xpubXsub()
{
    QFETCH(QString, transport);
    const Context context;
    auto [xpub, xsub] = makePair(SocketType::XPub, SocketType::XSub, transport, context);

    // XSUB subscribes by sending a message: \x01 and the prefix. XPUB shows it as a 1-frame raw message.
    xsub.sendFrames({ QByteArray("\x01temp.", 6) });
    const auto subscription = xpub.receiveFrames(DeliveryTimeout);
    QVERIFY(subscription);
    QCOMPARE(*subscription, Frames { QByteArray("\x01temp.", 6) });
    QCOMPARE(Envelope::parse(*subscription).kind, MessageKind::Raw);

    // XPUB has taken the subscription in: data now flows, filtered.
    xpub.sendEnvelope(Envelope::create("text/plain", "21.5", "humidity.kitchen"));
    xpub.sendEnvelope(Envelope::create("text/plain", "21.5", "temp.kitchen"));
    const auto data = xsub.receiveEnvelope(DeliveryTimeout);
    QVERIFY(data);
    QCOMPARE(data->id(), QByteArray("temp.kitchen"));

    xsub.sendFrames({ QByteArray("\x00temp.", 6) });
    QCOMPARE(
        xpub.receiveFrames(DeliveryTimeout), std::optional<Frames>(Frames { QByteArray("\x00temp.", 6) }));
}

void TestSocketPairs::subToXpub()
{
    QFETCH(QString, transport);
    const Context context;
    auto [xpub, sub]
        = makePair(SocketType::XPub, SocketType::Sub, transport, context, { { "xpub_verbose", true } });

    sub.setOption("subscribe", "alarm");
    const auto subscription = xpub.receiveFrames(DeliveryTimeout);
    QVERIFY(subscription);
    QCOMPARE(*subscription,
        Frames { QByteArray("\x01"
                            "alarm") });

    xpub.sendEnvelope(Envelope::create("text/plain", "fire", "alarm.kitchen"));
    QCOMPARE(sub.receiveEnvelope(DeliveryTimeout).value_or(Envelope()).id(), QByteArray("alarm.kitchen"));

    sub.setOption("unsubscribe", "alarm");
    QCOMPARE(xpub.receiveFrames(DeliveryTimeout),
        std::optional<Frames>(Frames { QByteArray("\x00"
                                                  "alarm",
            6) }));
}

QTEST_GUILESS_MAIN(TestSocketPairs)
#include "tst_socketpairs.moc"
