#include <algorithm>
#include <functional>
#include <map>

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <zmqscope/demo/demopeers.h>
#include <zmqscope/engine/engine.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int NetworkTimeout = 10000;

/// The inspector side: an Engine with every socket DemoPeers::inspectorSpecs() asks for, by name.
class Inspector
{
public:
    Inspector(const Context &context, const QList<SocketSpec> &specs)
        : engine(store, context)
    {
        QSignalSpy failed(&engine, &Engine::socketFailed);
        for (const SocketSpec &spec : specs)
            ids[spec.name] = engine.openSocket(spec);
        engine.sync();
        for (const auto &arguments : std::as_const(failed))
            errors.append(arguments.at(1).toString());
    }

    /// The first stored message on `socket` in `direction` that `matches`, if any.
    std::optional<StoredMessage> find(const QString &socket, Direction direction,
        const std::function<bool(const StoredMessage &)> &matches) const
    {
        const SocketId id = ids.at(socket);
        for (auto seq = store.firstSeq(); seq < store.endSeq(); ++seq) {
            StoredMessage message;
            if (store.message(seq, message) && message.socket == id && message.direction == direction
                && matches(message))
                return message;
        }
        return std::nullopt;
    }

    bool has(const QString &socket, const std::function<bool(const StoredMessage &)> &matches) const
    {
        return find(socket, Direction::In, matches).has_value();
    }

    MessageStore store;
    Engine engine;
    std::map<QString, SocketId> ids;
    QStringList errors;
};

bool isEnvelope(const StoredMessage &message, const QByteArray &idPrefix, const QByteArray &mimetype)
{
    return message.frames.size() == 3 && message.frames[0].startsWith(idPrefix)
        && message.frames[1] == mimetype;
}

bool isRaw(const StoredMessage &message)
{
    return Envelope::parse(message.frames).kind == MessageKind::Raw;
}

} // namespace

class TestDemoPeers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demoImageIsAPng();
    void inspectorSeesEveryPeer();
    void peersAnswerRequests();
    void inproc();
    void quoteClientsTalkThroughTap_data();
    void quoteClientsTalkThroughTap();
    void stopAndRestart();
    void requesterGetsRepliesWithVaryingLatency();
    void telemetrySkipsAndRepeatsSeq();
    void rate();
};

void TestDemoPeers::demoImageIsAPng()
{
    const QByteArray png = DemoPeers::demoImage();
    QVERIFY(png.startsWith("\x89PNG\r\n\x1a\n"));
    QCOMPARE(png.mid(12, 4), QByteArray("IHDR"));
    // 32 x 32, big-endian width and height right after "IHDR".
    QCOMPARE(png.mid(16, 8), QByteArray("\x00\x00\x00\x20\x00\x00\x00\x20", 8));
    QVERIFY(png.endsWith(QByteArray("IEND\xae\x42\x60\x82", 8)));
}

void TestDemoPeers::inspectorSeesEveryPeer()
{
    DemoPeers::Settings settings;
    settings.messagesPerSecond = 50; // quick for the test; the app uses the modest default
    DemoPeers demo(Context(), settings);
    QVERIFY(!demo.isRunning());
    QVERIFY(demo.inspectorSpecs().isEmpty());
    demo.start();
    QVERIFY(demo.isRunning());
    for (const QString &endpoint :
        { demo.telemetryEndpoint(), demo.echoEndpoint(), demo.routerEndpoint(), demo.pushEndpoint() })
        QVERIFY2(
            endpoint.startsWith(u"tcp://127.0.0.1:"_s) && !endpoint.endsWith(u"*"_s), qPrintable(endpoint));

    const QList<SocketSpec> specs = demo.inspectorSpecs();
    QStringList names;
    for (const SocketSpec &spec : specs) {
        spec.validate();
        names.append(spec.name);
    }
    QCOMPARE(names, QStringList({ u"Telemetry SUB"_s, u"Echo REQ"_s, u"Router DEALER"_s, u"Blobs PULL"_s }));
    QCOMPARE(specs[0].type, SocketType::Sub);
    QVERIFY(specs[0].subscriptions.isEmpty());
    QCOMPARE(specs[0].connects, QStringList { demo.telemetryEndpoint() });

    Inspector inspector(Context(), specs);
    QVERIFY2(inspector.errors.isEmpty(), qPrintable(inspector.errors.join(u"; "_s)));

    const auto telemetry = [](const StoredMessage &message) {
        if (!isEnvelope(message, "telemetry.", "application/json"))
            return false;
        const QJsonObject object = QJsonDocument::fromJson(message.frames[2]).object();
        return object.value(u"sensor"_s).isString() && object.value(u"seq"_s).isDouble()
            && message.frames[0] == "telemetry." + object.value(u"sensor"_s).toString().toUtf8();
    };
    const auto log = [](const StoredMessage &message) {
        return isEnvelope(message, "log", "text/plain") && !message.frames[2].isEmpty();
    };
    const auto png = [](const StoredMessage &message) {
        return isEnvelope(message, "image.", "image/png") && message.frames[2] == DemoPeers::demoImage();
    };
    const auto binary = [](const StoredMessage &message) {
        if (!isEnvelope(message, "blob.", "application/octet-stream"))
            return false;
        const QByteArray &body = message.frames[2];
        return body.contains('\0')
            && std::any_of(body.begin(), body.end(), [](char c) { return (c & 0x80) != 0; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Telemetry SUB"_s, telemetry), NetworkTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Telemetry SUB"_s, log), NetworkTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Telemetry SUB"_s, isRaw), NetworkTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Blobs PULL"_s, png), NetworkTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Blobs PULL"_s, binary), NetworkTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Blobs PULL"_s, isRaw), NetworkTimeout);
    QVERIFY(demo.messagesSent() > 0);

    // The store's summary sees the same kinds as the views will.
    const auto image = inspector.find(u"Blobs PULL"_s, Direction::In, png);
    MessageSummary summary;
    QVERIFY(inspector.store.summary(image->seq, summary));
    QCOMPARE(summary.kind, MessageKind::Envelope);
    QCOMPARE(summary.mimetype, QByteArray("image/png"));
    QCOMPARE(summary.bodyBytes, std::uint64_t(DemoPeers::demoImage().size()));
}

void TestDemoPeers::peersAnswerRequests()
{
    DemoPeers::Settings settings;
    settings.messagesPerSecond = 0; // only the request-reply peers matter here
    DemoPeers demo(Context(), settings);
    demo.start();
    Inspector inspector(Context(), demo.inspectorSpecs());
    QVERIFY2(inspector.errors.isEmpty(), qPrintable(inspector.errors.join(u"; "_s)));
    Engine &engine = inspector.engine;
    int failed = 0;
    const auto send = [&](SocketId id, const Frames &frames) {
        engine.send(
            id, frames, this, [&failed](const SendResult &result) { failed += result.sent() ? 0 : 1; });
    };

    // REP echoes the request as its response envelope.
    const Frames request { "ask-1", "text/plain", "hello echo" };
    send(inspector.ids.at(u"Echo REQ"_s), request);
    QTRY_VERIFY_WITH_TIMEOUT(
        inspector.has(u"Echo REQ"_s, [&](const StoredMessage &m) { return m.frames == request; }),
        NetworkTimeout);

    // ROUTER answers a plain DEALER (no delimiter) ...
    const SocketId dealer = inspector.ids.at(u"Router DEALER"_s);
    send(dealer, { "d-1", "text/plain", "hello router" });
    QTRY_VERIFY_WITH_TIMEOUT(
        inspector.has(u"Router DEALER"_s,
            [](const StoredMessage &m) { return isEnvelope(m, "d-1", "application/json"); }),
        NetworkTimeout);
    const auto receipt = inspector.find(u"Router DEALER"_s, Direction::In,
        [](const StoredMessage &m) { return isEnvelope(m, "d-1", "application/json"); });
    const QJsonObject object = QJsonDocument::fromJson(receipt->frames[2]).object();
    QCOMPARE(object.value(u"ok"_s).toBool(), true);
    QCOMPARE(object.value(u"bytes"_s).toInt(), 12);

    // ... and a DEALER talking like REQ, whose delimiter comes back.
    send(dealer, { "", "d-2", "text/plain", "like REQ" });
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Router DEALER"_s,
                                 [](const StoredMessage &m) {
                                     return m.frames.size() == 4 && m.frames[0].isEmpty()
                                         && m.frames[1] == "d-2" && m.frames[2] == "application/json";
                                 }),
        NetworkTimeout);

    // A raw request still gets an answer that says why.
    send(dealer, { "just one frame" });
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Router DEALER"_s,
                                 [](const StoredMessage &m) {
                                     return isEnvelope(m, "", "text/plain")
                                         && m.frames[2].startsWith("not an envelope");
                                 }),
        NetworkTimeout);
    QCOMPARE(failed, 0);
    QCOMPARE(demo.requestsAnswered(), 4u);
}

void TestDemoPeers::inproc()
{
    // Sharing the context lets the inspector reach the peers over inproc://.
    Context context;
    DemoPeers::Settings settings;
    settings.messagesPerSecond = 50;
    settings.inproc = true;
    DemoPeers demo(context, settings);
    demo.start();
    QVERIFY2(demo.telemetryEndpoint().startsWith(u"inproc://"_s), qPrintable(demo.telemetryEndpoint()));
    Inspector inspector(context, demo.inspectorSpecs());
    QVERIFY2(inspector.errors.isEmpty(), qPrintable(inspector.errors.join(u"; "_s)));
    QTRY_VERIFY_WITH_TIMEOUT(
        inspector.has(u"Telemetry SUB"_s,
            [](const StoredMessage &m) { return isEnvelope(m, "telemetry.", "application/json"); }),
        NetworkTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(inspector.has(u"Blobs PULL"_s,
                                 [](const StoredMessage &m) { return isEnvelope(m, "image.", "image/png"); }),
        NetworkTimeout);
}

void TestDemoPeers::quoteClientsTalkThroughTap_data()
{
    QTest::addColumn<bool>("inproc");
    QTest::newRow("tcp") << false;
    QTest::newRow("inproc") << true;
}

void TestDemoPeers::quoteClientsTalkThroughTap()
{
    // --demo: the inspector opens tapSpec(), and the quote clients connect where it listens.
    QFETCH(bool, inproc);
    Context context;
    DemoPeers::Settings settings;
    settings.messagesPerSecond = 50;
    settings.inproc = inproc;
    DemoPeers demo(context, settings);
    QVERIFY(!demo.tapSpec().validate()); // nothing to tap before start()
    demo.start();
    const TapSpec spec = demo.tapSpec();
    QVERIFY2(spec.validate(), qPrintable(spec.validate().errorMessage()));
    QCOMPARE(spec.pattern, TapPattern::ReqRep);
    QCOMPARE(spec.forward, QStringList { demo.quoteServerEndpoint() });

    MessageStore store;
    Engine engine(store, context);
    QSignalSpy opened(&engine, &Engine::socketOpened);
    const SocketId tap = engine.openTap(spec);
    QVERIFY(opened.wait(NetworkTimeout));
    QCOMPARE(opened.constFirst().at(0).value<SocketId>(), tap);
    const QStringList listen = opened.constFirst().at(1).toStringList();
    QCOMPARE(listen.size(), 1);
    demo.connectTapClients(listen.constFirst());

    // Requests and replies both ways, from both clients (the tap's peers), the replies JSON quotes.
    const auto counters = [&] { return engine.socket(tap)->tap->counters; };
    QTRY_VERIFY_WITH_TIMEOUT(
        counters().clientToServer >= 4 && counters().serverToClient >= 4, NetworkTimeout);
    // libzmq's socket monitor says nothing about inproc:// connections: only TCP clients are counted.
    if (!inproc)
        QTRY_COMPARE_WITH_TIMEOUT(engine.socket(tap)->tap->state.clients, 2, NetworkTimeout);
    QSet<QByteArray> peers;
    bool quoted = false;
    for (auto seq = store.firstSeq(); seq < store.endSeq(); ++seq) {
        StoredMessage message;
        if (!store.message(seq, message) || message.socket != tap)
            continue;
        if (message.direction == Direction::ClientToServer)
            peers.insert(message.peer);
        if (message.direction == Direction::ServerToClient && message.frames.size() == 4
            && message.frames.at(0).isEmpty() && message.frames.at(2) == "application/json")
            quoted = quoted || QJsonDocument::fromJson(message.frames.at(3)).object().contains(u"ask"_s);
    }
    QCOMPARE(peers.size(), 2);
    QVERIFY(quoted);
}

void TestDemoPeers::stopAndRestart()
{
    DemoPeers::Settings settings;
    settings.messagesPerSecond = 50;
    DemoPeers demo(Context(), settings);
    demo.start();
    demo.stop();
    QVERIFY(!demo.isRunning());
    QVERIFY(demo.inspectorSpecs().isEmpty());
    QVERIFY(demo.telemetryEndpoint().isEmpty());
    demo.stop(); // twice is fine

    demo.start();
    QVERIFY(demo.isRunning());
    QVERIFY(!demo.telemetryEndpoint().isEmpty());
    Inspector inspector(Context(), demo.inspectorSpecs());
    QTRY_VERIFY_WITH_TIMEOUT(
        inspector.has(u"Telemetry SUB"_s, [](const StoredMessage &) { return true; }), NetworkTimeout);
    // Destroyed while running: the destructor stops and joins.
}

void TestDemoPeers::requesterGetsRepliesWithVaryingLatency()
{
    // --demo: the inspector's DEALER asks the ROUTER "req-N", which answers each after 1 to 40 ms.
    DemoPeers::Settings settings;
    settings.messagesPerSecond = 0; // only the requests matter here
    DemoPeers demo(Context(), settings);
    demo.start();
    Inspector inspector(Context(), demo.inspectorSpecs());
    QVERIFY2(inspector.errors.isEmpty(), qPrintable(inspector.errors.join(u"; "_s)));
    const SocketId dealer = inspector.ids.at(u"Router DEALER"_s);
    DemoRequester requester(inspector.engine, dealer, 50);
    QCOMPARE(DemoRequester::request(3).at(0), QByteArray("req-3"));
    QCOMPARE(DemoRequester::request(3).at(1), QByteArray("application/json"));

    constexpr int Pairs = 30;
    // Requests (out) and replies (in) by id: each reply carries its request's id.
    std::map<QByteArray, std::int64_t> sentAt;
    std::map<QByteArray, std::int64_t> repliedAt;
    const auto collect = [&] {
        sentAt.clear();
        repliedAt.clear();
        for (auto seq = inspector.store.firstSeq(); seq < inspector.store.endSeq(); ++seq) {
            StoredMessage message;
            if (!inspector.store.message(seq, message) || message.socket != dealer
                || message.frames.size() != 3)
                continue;
            auto &times = message.direction == Direction::Out ? sentAt : repliedAt;
            times.emplace(message.frames.at(0), message.timestampUs);
        }
        return int(repliedAt.size());
    };
    QTRY_VERIFY_WITH_TIMEOUT(collect() >= Pairs, NetworkTimeout);
    requester.setRequestsPerSecond(0);

    std::vector<std::int64_t> latencies;
    for (const auto &[id, replied] : repliedAt) {
        QVERIFY2(id.startsWith("req-"), id.constData());
        QVERIFY2(sentAt.count(id) == 1, id.constData());
        latencies.push_back(replied - sentAt.at(id));
    }
    // Every reply waited its delay (at least 1 ms); the delays spread over 40 ms, so the latencies differ.
    const auto [shortest, longest] = std::minmax_element(latencies.cbegin(), latencies.cend());
    QVERIFY2(*shortest >= 1000, qPrintable(u"shortest latency %1 us"_s.arg(*shortest)));
    QVERIFY2(*longest - *shortest >= 5000,
        qPrintable(u"latencies from %1 to %2 us"_s.arg(*shortest).arg(*longest)));
    QVERIFY(requester.requestsSent() >= std::uint64_t(Pairs));
}

void TestDemoPeers::telemetrySkipsAndRepeatsSeq()
{
    // Each sensor numbers its readings; 7, 57, 107, ... are skipped and now and then a seq repeats.
    DemoPeers::Settings settings;
    settings.messagesPerSecond = 300;
    DemoPeers demo(Context(), settings);
    demo.start();
    Inspector inspector(Context(), demo.inspectorSpecs());
    QVERIFY2(inspector.errors.isEmpty(), qPrintable(inspector.errors.join(u"; "_s)));
    const SocketId sub = inspector.ids.at(u"Telemetry SUB"_s);

    std::map<QByteArray, QList<qint64>> seqs; // by id
    const auto collect = [&] {
        seqs.clear();
        qint64 highest = 0;
        for (auto seq = inspector.store.firstSeq(); seq < inspector.store.endSeq(); ++seq) {
            StoredMessage message;
            if (!inspector.store.message(seq, message) || message.socket != sub
                || !isEnvelope(message, "telemetry.", "application/json"))
                continue;
            const qint64 value
                = QJsonDocument::fromJson(message.frames.at(2)).object().value(u"seq"_s).toInteger();
            seqs[message.frames.at(0)].append(value);
            highest = std::max(highest, value);
        }
        return highest;
    };
    QTRY_VERIFY_WITH_TIMEOUT(collect() >= 160, NetworkTimeout);
    demo.setMessagesPerSecond(0);

    QCOMPARE(seqs.size(), std::size_t(3));
    int gaps = 0;
    int repeats = 0;
    for (const auto &[id, values] : seqs) {
        for (qsizetype i = 1; i < values.size(); ++i) {
            const qint64 step = values.at(i) - values.at(i - 1);
            const QString where
                = u"%1: %2 after %3"_s.arg(QString::fromUtf8(id)).arg(values.at(i)).arg(values.at(i - 1));
            QVERIFY2(values.at(i) % 50 != 7, qPrintable(where)); // a skipped number never goes out
            if (step == 2) {
                QVERIFY2(values.at(i) % 50 == 8, qPrintable(where));
                ++gaps;
            } else if (step == 0) {
                ++repeats;
            } else {
                QVERIFY2(step == 1, qPrintable(where));
            }
        }
    }
    // Each sensor passed 57 and 107 (the SUB may have joined after 7) and its reading 73, which repeats.
    QVERIFY2(gaps >= 6, qPrintable(QString::number(gaps)));
    QVERIFY2(repeats >= 3, qPrintable(QString::number(repeats)));
}

void TestDemoPeers::rate()
{
    DemoPeers demo;
    QCOMPARE(demo.messagesPerSecond(), 3.0);
    demo.setMessagesPerSecond(-5);
    QCOMPARE(demo.messagesPerSecond(), 0.0);
    demo.start();
    // Paused: nothing is published until the rate goes up.
    Inspector inspector(Context(), demo.inspectorSpecs());
    demo.setMessagesPerSecond(100);
    QCOMPARE(demo.messagesPerSecond(), 100.0);
    QTRY_VERIFY_WITH_TIMEOUT(demo.messagesSent() > 0, NetworkTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        inspector.has(u"Blobs PULL"_s, [](const StoredMessage &) { return true; }), NetworkTimeout);
}

QTEST_GUILESS_MAIN(TestDemoPeers)
#include "tst_demopeers.moc"
