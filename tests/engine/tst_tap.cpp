// The forwarding core of a tap (DESIGN.md section 12, issue 14) between real peers: Debian's
// python3-zmq (tests/interop/tap_peer.py) on both sides, the tap in its own thread with its own
// PollLoop, as in the engine. Endpoints are tcp://127.0.0.1:* read back, or ipc in a temp dir.

#include <mutex>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <zmqscope/engine/tap.h>
#include <zmqscope/pollloop.h>

#include "../interop/testprocess.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

/// A message as the peers print it: frame sizes and SHA-256 digests (the 64 MiB frame stays out of the
/// pipes).
struct Digest
{
    QJsonArray sizes;
    QJsonArray sha256;
    friend bool operator==(const Digest &, const Digest &) = default;
};

Digest digest(const QList<QByteArray> &frames)
{
    Digest result;
    for (const QByteArray &frame : frames) {
        result.sizes.append(double(frame.size()));
        result.sha256.append(
            QString::fromLatin1(QCryptographicHash::hash(frame, QCryptographicHash::Sha256).toHex()));
    }
    return result;
}

Digest lineDigest(const QByteArray &peerLine)
{
    const QJsonObject object = QJsonDocument::fromJson(peerLine).object();
    return { object.value(u"sizes"_s).toArray(), object.value(u"sha256"_s).toArray() };
}

/// What the peer printed after its endpoint line, as digests.
QList<Digest> printed(const TestProcess &peer)
{
    QList<Digest> result;
    const QList<QByteArray> lines = peer.lines();
    for (qsizetype i = 1; i < lines.size(); ++i)
        result.append(lineDigest(lines.at(i)));
    return result;
}

/// The frame sizes of each message, for a failure's message (QVERIFY2 evaluates it every time).
QByteArray describe(const QList<Digest> &digests)
{
    QByteArray text;
    for (const Digest &one : digests)
        text += QJsonDocument(one.sizes).toJson(QJsonDocument::Compact) + ' ';
    return text.left(2000);
}

/// Lets a peer waiting on stdin (--wait-stdin, --pause-after) go on.
bool resume(TestProcess &peer)
{
    // QProcess writes from the event loop; the waits that follow may not run it.
    return peer.process().write("go\n") == 3 && peer.process().waitForBytesWritten(10000);
}

bool startPeer(TestProcess &peer, const QStringList &arguments)
{
    return peer.start(QStringLiteral(ZMQSCOPE_PYTHON),
        QStringList { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/tap_peer.py") } + arguments);
}

/// A tap in its own thread (the engine thread later): opened, queried and closed there.
class TapRunner
{
public:
    struct Record
    {
        TapDirection direction = TapDirection::ClientToServer;
        QByteArray peer;
        QList<QByteArray> frames;
    };

    explicit TapRunner(const TapSpec &spec)
    {
        m_worker.moveToThread(&m_thread);
        m_thread.start();
        inThread([&] {
            m_loop = std::make_unique<PollLoop>();
            QObject::connect(m_loop.get(), &PollLoop::errorOccurred, m_loop.get(),
                [](Socket *, const QString &message) { qWarning("tap loop: %s", qPrintable(message)); });
            QObject::connect(m_loop.get(), &PollLoop::errorOccurred, m_loop.get(),
                [](Socket *, const QString &message) { qWarning("loop error: %s", qPrintable(message)); });
            TapForwarder::Handlers handlers;
            handlers.message = [this](TapDirection direction, QByteArrayView peer,
                                   std::span<const QByteArrayView> frames) {
                Record record { direction, peer.toByteArray(), {} };
                for (const QByteArrayView frame : frames)
                    record.frames.append(frame.toByteArray());
                const std::lock_guard lock(m_mutex);
                m_records.append(std::move(record));
            };
            handlers.subscription = [this](bool subscribe, QByteArrayView topic) {
                const std::lock_guard lock(m_mutex);
                m_subscriptions.append((subscribe ? "+"_ba : "-"_ba) + topic.toByteArray());
            };
            handlers.state = [this](TapSide side, const SocketMonitor::Change &, const TapState &state) {
                const std::lock_guard lock(m_mutex);
                if (side == TapSide::Listen)
                    m_clientCounts.append(state.clients);
                else
                    m_forwardStates.append(state.forwardState);
            };
            handlers.undeliverable = [this](TapDirection, QByteArrayView peer,
                                         std::span<const QByteArrayView>, const QString &reason) {
                const std::lock_guard lock(m_mutex);
                m_undeliverable.append(peer.toByteArray());
                m_reasons.append(reason);
            };
            auto opened = TapForwarder::open(spec, m_context, *m_loop, std::move(handlers));
            if (opened)
                m_tap = std::move(*opened);
            else
                m_error = opened.errorMessage();
        });
    }

    ~TapRunner()
    {
        inThread([&] {
            m_tap.reset();
            m_loop.reset();
        });
        m_thread.quit();
        m_thread.wait();
    }

    [[nodiscard]] bool isOpen() const { return m_tap != nullptr; }
    [[nodiscard]] const QString &error() const { return m_error; }
    [[nodiscard]] QString endpoint() const { return m_tap ? m_tap->listenEndpoints().value(0) : QString(); }
    [[nodiscard]] TapCounters counters()
    {
        TapCounters result;
        inThread([&] { result = m_tap->counters(); });
        return result;
    }
    [[nodiscard]] TapState state()
    {
        TapState result;
        inThread([&] { result = m_tap->state(); });
        return result;
    }
    [[nodiscard]] bool isStalled(TapDirection direction)
    {
        bool result = false;
        inThread([&] { result = m_tap->isStalled(direction); });
        return result;
    }
    [[nodiscard]] QList<Record> records(TapDirection direction) const
    {
        const std::lock_guard lock(m_mutex);
        QList<Record> result;
        for (const Record &record : m_records)
            if (record.direction == direction)
                result.append(record);
        return result;
    }
    [[nodiscard]] QList<Digest> digests(TapDirection direction) const
    {
        QList<Digest> result;
        for (const Record &record : records(direction))
            result.append(digest(record.frames));
        return result;
    }
    template<typename T> [[nodiscard]] T locked(const T &member) const
    {
        const std::lock_guard lock(m_mutex);
        return member;
    }
    [[nodiscard]] QList<QByteArray> subscriptions() const { return locked(m_subscriptions); }
    [[nodiscard]] QList<int> clientCounts() const { return locked(m_clientCounts); }
    [[nodiscard]] QList<SocketState> forwardStates() const { return locked(m_forwardStates); }
    [[nodiscard]] QList<QByteArray> undeliverable() const { return locked(m_undeliverable); }
    [[nodiscard]] QStringList reasons() const { return locked(m_reasons); }

private:
    template<typename F> void inThread(F &&call)
    {
        QMetaObject::invokeMethod(&m_worker, std::forward<F>(call), Qt::BlockingQueuedConnection);
    }

    Context m_context;
    QThread m_thread;
    QObject m_worker;
    std::unique_ptr<PollLoop> m_loop;
    std::unique_ptr<TapForwarder> m_tap;
    QString m_error;
    mutable std::mutex m_mutex;
    QList<Record> m_records;
    QList<QByteArray> m_subscriptions;
    QList<int> m_clientCounts;
    QList<SocketState> m_forwardStates;
    QList<QByteArray> m_undeliverable;
    QStringList m_reasons;
};

TapSpec tapSpec(TapPattern pattern, const QString &forward, const Options &options = {})
{
    TapSpec spec;
    spec.pattern = pattern;
    spec.name = u"tap"_s;
    spec.listen = QStringList { u"tcp://127.0.0.1:*"_s };
    spec.forward = QStringList { forward };
    spec.listenOptions = options;
    spec.forwardOptions = options;
    return spec;
}

/// The byte-exact messages: every byte value, an empty frame, empty frames around one, 1,000 frames.
QList<QList<QByteArray>> exactMessages()
{
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(char(i));
    QList<QByteArray> thousand;
    for (int i = 0; i < 1000; ++i)
        thousand.append(QByteArray::number(i));
    return { { all }, { QByteArray() }, { QByteArray(), QByteArray(), "x"_ba, QByteArray() }, thousand };
}

/// The 64 MiB frame tap_peer.py --big sends: bytes 0..255 repeating.
QByteArray bigFrame(qsizetype size)
{
    QByteArray pattern;
    for (int i = 0; i < 256; ++i)
        pattern.append(char(i));
    return pattern.repeated(size / 256);
}

QString writeMessages(const QTemporaryDir &dir, const QList<QList<QByteArray>> &messages)
{
    QJsonArray array;
    for (const auto &message : messages) {
        QJsonArray frames;
        for (const QByteArray &frame : message)
            frames.append(QString::fromLatin1(frame.toBase64()));
        array.append(frames);
    }
    QString path = dir.filePath(u"messages.json"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(array).toJson()) < 0)
        return QString();
    return path;
}

constexpr qsizetype BigSize = qsizetype(64) << 20;

} // namespace

Q_DECLARE_METATYPE(zmqscope::TapPattern)

class TestTap : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void patternTable();
    void specValidation();
    void requestReply_data();
    void requestReply();
    void byteExact_data();
    void byteExact();
    void subscriptions();
    void backpressure();
    void serverRestart();
    void replyForGoneClient();
};

void TestTap::patternTable()
{
    QCOMPARE(tapPatternNames(),
        (QStringList { u"req-rep"_s, u"req-router"_s, u"dealer-rep"_s, u"dealer-router"_s, u"push-pull"_s,
            u"pull-push"_s, u"sub-pub"_s, u"xsub-xpub"_s, u"pair-pair"_s }));
    for (const QString &name : tapPatternNames()) {
        const Result<TapPattern> pattern = parseTapPattern(name.toUpper());
        QVERIFY2(pattern, qPrintable(pattern.errorMessage()));
        QCOMPARE(tapPatternName(*pattern), name);
        // The clients' and the server's types are the two halves of the name.
        const TapSockets sockets = tapSockets(*pattern);
        QCOMPARE(socketTypeName(sockets.clients).toLower() + u'-' + socketTypeName(sockets.server).toLower(),
            name);
    }
    QCOMPARE(tapSockets(TapPattern::ReqRouter).listen, SocketType::Router);
    QCOMPARE(tapSockets(TapPattern::ReqRouter).forward, SocketType::Dealer);
    QCOMPARE(tapSockets(TapPattern::PushPull).listen, SocketType::Pull);
    QCOMPARE(tapSockets(TapPattern::PushPull).forward, SocketType::Push);
    QCOMPARE(tapSockets(TapPattern::PullPush).listen, SocketType::Push);
    QCOMPARE(tapSockets(TapPattern::PullPush).forward, SocketType::Pull);
    QCOMPARE(tapSockets(TapPattern::SubPub).listen, SocketType::XPub);
    QCOMPARE(tapSockets(TapPattern::SubPub).forward, SocketType::XSub);
    QCOMPARE(tapSockets(TapPattern::PairPair).listen, SocketType::Pair);

    const Result<TapPattern> unknown = parseTapPattern(u"req-pub"_s);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().code(), ErrorCode::UnknownSocketType);
    QVERIFY2(unknown.errorMessage().contains(u"\"req-pub\""_s), qPrintable(unknown.errorMessage()));
    QVERIFY2(
        unknown.errorMessage().contains(tapPatternNames().join(u", "_s)), qPrintable(unknown.errorMessage()));
    QCOMPARE(tapDirectionName(TapDirection::ClientToServer), u"c2s"_s);
    QCOMPARE(tapDirectionName(TapDirection::ServerToClient), u"s2c"_s);
}

void TestTap::specValidation()
{
    TapSpec good = tapSpec(TapPattern::ReqRep, u"tcp://127.0.0.1:5555"_s);
    QVERIFY2(good.validate(), qPrintable(good.validate().errorMessage()));

    TapSpec noListen = good;
    noListen.listen.clear();
    QVERIFY(noListen.validate().errorMessage().contains(u"no listen endpoint of tap \"tap\""_s));
    TapSpec noForward = good;
    noForward.forward.clear();
    QVERIFY(noForward.validate().errorMessage().contains(u"no forward endpoint"_s));

    // The endpoint rule of zmqscope/endpoint.h, through SocketSpec: a wildcard cannot be connected to.
    TapSpec badForward = good;
    badForward.forward = QStringList { u"tcp://127.0.0.1:*"_s };
    const Result<void> forwardError = badForward.validate();
    QVERIFY(!forwardError);
    QCOMPARE(forwardError.error().code(), ErrorCode::InvalidEndpoint);
    QVERIFY2(forwardError.errorMessage().contains(u"connect endpoint \"tcp://127.0.0.1:*\""_s),
        qPrintable(forwardError.errorMessage()));
    TapSpec badListen = good;
    badListen.listen = QStringList { u"bogus://x"_s };
    QCOMPARE(badListen.validate().error().code(), ErrorCode::InvalidEndpoint);

    // SocketSpec's option checks.
    TapSpec badOption = good;
    badOption.forwardOptions = { { "sndhwm", OptionValue(std::int64_t(1) << 40) } };
    const Result<void> optionError = badOption.validate();
    QCOMPARE(optionError.error().code(), ErrorCode::InvalidOptionValue);
    QVERIFY2(optionError.errorMessage().contains(u"sndhwm"_s), qPrintable(optionError.errorMessage()));

    // open() refuses what validate() refuses, before opening anything.
    Context context;
    PollLoop loop;
    const auto opened = TapForwarder::open(badForward, context, loop, {});
    QVERIFY(!opened);
    QCOMPARE(opened.errorMessage(), forwardError.errorMessage());
    QCOMPARE(loop.socketCount(), 0);
}

void TestTap::requestReply_data()
{
    QTest::addColumn<TapPattern>("pattern");
    QTest::newRow("req-rep") << TapPattern::ReqRep;
    QTest::newRow("req-router") << TapPattern::ReqRouter;
    QTest::newRow("dealer-rep") << TapPattern::DealerRep;
    QTest::newRow("dealer-router") << TapPattern::DealerRouter;
}

void TestTap::requestReply()
{
    QFETCH(TapPattern, pattern);
    const TapSockets sockets = tapSockets(pattern);
    constexpr int Clients = 3;
    constexpr int Requests = 5;
    TestProcess server;
    QVERIFY(startPeer(server,
        { u"--type"_s, socketTypeName(sockets.server), u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s,
            u"echo"_s, u"--count"_s, QString::number(Clients * Requests) }));
    const QString serverEndpoint = server.waitForPeerEndpoint();
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    TapRunner tap(tapSpec(pattern, serverEndpoint));
    QVERIFY2(tap.isOpen(), qPrintable(tap.error()));

    std::array<TestProcess, Clients> clients;
    for (int i = 0; i < Clients; ++i) {
        QStringList arguments { u"--type"_s, socketTypeName(sockets.clients), u"--connect"_s, tap.endpoint(),
            u"--mode"_s, u"send"_s, u"--replies"_s, u"--generate"_s, QString::number(Requests), u"--tag"_s,
            u"client%1"_s.arg(i) };
        if (sockets.clients == SocketType::Dealer)
            arguments.append(u"--delimiter"_s); // a DEALER speaks to a REP (or a REQ's ROUTER) like a REQ
        QVERIFY(startPeer(clients[i], arguments));
    }
    (void)TestProcess::waitForAllFinished({ &clients[0], &clients[1], &clients[2], &server }, 30000);
    for (int i = 0; i < Clients; ++i) {
        QVERIFY2(clients[i].exitedWith(0), clients[i].diagnostics());
        // Each client got exactly its own requests back, in order.
        QList<Digest> expected;
        for (int n = 0; n < Requests; ++n) {
            QList<QByteArray> reply { u"client%1-%2"_s.arg(i).arg(n).toLatin1() };
            if (sockets.clients == SocketType::Dealer)
                reply.prepend(QByteArray());
            expected.append(digest(reply));
        }
        QCOMPARE(printed(clients[i]), expected);
    }
    QVERIFY2(server.waitForFinished() && server.exitedWith(0), server.diagnostics());

    const auto c2s = tap.records(TapDirection::ClientToServer);
    const auto s2c = tap.records(TapDirection::ServerToClient);
    QCOMPARE(c2s.size(), Clients * Requests);
    QCOMPARE(s2c.size(), Clients * Requests);
    QCOMPARE(tap.counters().clientToServer, quint64(Clients * Requests));
    QCOMPARE(tap.counters().serverToClient, quint64(Clients * Requests));
    // Frames are what the sender put on the wire (the REQ's delimiter, no routing id); the routing id is the
    // peer, one per client, and each reply carries the peer of its request.
    QHash<QByteArray, QByteArray> peerOfBody;
    QSet<QByteArray> peers;
    for (const auto &record : c2s) {
        QCOMPARE(record.frames.size(), 2);
        QVERIFY(record.frames.at(0).isEmpty());
        QVERIFY(!record.peer.isEmpty());
        peers.insert(record.peer);
        peerOfBody.insert(record.frames.at(1), record.peer);
    }
    QCOMPARE(peers.size(), Clients);
    for (const auto &record : s2c) {
        QCOMPARE(record.frames.size(), 2);
        QVERIFY(record.frames.at(0).isEmpty());
        QCOMPARE(record.peer, peerOfBody.value(record.frames.at(1)));
    }
    // What a ROUTER server sees: the tap's DEALER's routing id, then the client's (the peer), then the
    // frames.
    const QList<QByteArray> serverLines = server.lines();
    const QJsonObject first = QJsonDocument::fromJson(serverLines.value(1)).object();
    QCOMPARE(first.value(u"sizes"_s).toArray().size(), sockets.server == SocketType::Router ? 4 : 1);
}

void TestTap::byteExact_data()
{
    QTest::addColumn<TapPattern>("pattern");
    QTest::addColumn<bool>("clientSends");
    QTest::addColumn<bool>("echoed"); // the server sends each message back (c2s and s2c)
    QTest::newRow("req-rep") << TapPattern::ReqRep << true << true;
    QTest::newRow("dealer-router") << TapPattern::DealerRouter << true << true;
    QTest::newRow("push-pull") << TapPattern::PushPull << true << false;
    QTest::newRow("pull-push") << TapPattern::PullPush << false << false;
    QTest::newRow("sub-pub") << TapPattern::SubPub << false << false;
    QTest::newRow("xsub-xpub") << TapPattern::XSubXPub << false << false;
    QTest::newRow("pair-pair") << TapPattern::PairPair << true << true;
}

void TestTap::byteExact()
{
    QFETCH(TapPattern, pattern);
    QFETCH(bool, clientSends);
    QFETCH(bool, echoed);
    const TapSockets sockets = tapSockets(pattern);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QList<QList<QByteArray>> messages = exactMessages();
    const QString file = writeMessages(dir, messages);
    QVERIFY(!file.isEmpty());
    QList<Digest> expected;
    for (const auto &message : messages)
        expected.append(digest(message));
    expected.append(digest(QList<QByteArray> { bigFrame(BigSize) }));
    const int count = int(expected.size());
    const QStringList sent { u"--messages"_s, file, u"--big"_s, QString::number(BigSize) };
    const bool publishes = sockets.server == SocketType::Pub || sockets.server == SocketType::XPub;

    // The server binds first; a publishing server is an XPUB (SUB clients cannot tell) that waits for the
    // subscription.
    TestProcess server;
    QStringList serverArguments { u"--type"_s, socketTypeName(publishes ? SocketType::XPub : sockets.server),
        u"--bind"_s, u"tcp://127.0.0.1:*"_s };
    if (publishes)
        serverArguments
            += QStringList { u"--mode"_s, u"publish"_s, u"--wait-subscriptions"_s, u"1"_s } + sent;
    else if (clientSends)
        serverArguments
            += { u"--mode"_s, echoed ? u"echo"_s : u"recv"_s, u"--count"_s, QString::number(count) };
    else
        serverArguments += QStringList { u"--mode"_s, u"send"_s } + sent;
    QVERIFY(startPeer(server, serverArguments));
    const QString serverEndpoint = server.waitForPeerEndpoint();
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    TapRunner tap(tapSpec(pattern, serverEndpoint));
    QVERIFY2(tap.isOpen(), qPrintable(tap.error()));

    TestProcess client;
    QStringList clientArguments { u"--type"_s, socketTypeName(sockets.clients), u"--connect"_s,
        tap.endpoint() };
    if (clientSends)
        clientArguments += QStringList { u"--mode"_s, u"send"_s } + sent + QStringList { u"--replies"_s };
    else
        clientArguments += { u"--mode"_s, u"recv"_s, u"--count"_s, QString::number(count) };
    if (publishes)
        clientArguments += { u"--subscribe"_s, QString() };
    if (!echoed)
        clientArguments.removeAll(u"--replies"_s);
    QVERIFY(startPeer(client, clientArguments));
    // Both at once: the server's line for the 1,000-frame message is bigger than a pipe's buffer.
    (void)TestProcess::waitForAllFinished({ &client, &server }, 90000);
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QVERIFY2(server.exitedWith(0), server.diagnostics());

    // A REQ puts the empty delimiter on the wire; the REP strips it, and REQ strips it from the reply.
    QList<Digest> onTheWire = expected;
    if (sockets.clients == SocketType::Req) {
        onTheWire.clear();
        for (const auto &message : messages)
            onTheWire.append(digest(QList<QByteArray> { QByteArray() } + message));
        onTheWire.append(digest(QList<QByteArray> { QByteArray(), bigFrame(BigSize) }));
    }
    const QList<Digest> peerSaw = printed(clientSends ? server : client);
    if (sockets.server != SocketType::Router)
        QVERIFY2(peerSaw == expected, describe(peerSaw).constData());
    if (clientSends) {
        QCOMPARE(tap.digests(TapDirection::ClientToServer), onTheWire);
        if (echoed) {
            QCOMPARE(tap.digests(TapDirection::ServerToClient), onTheWire);
            QCOMPARE(printed(client), expected);
        } else {
            QCOMPARE(tap.counters().serverToClient, quint64(0));
        }
    } else {
        QCOMPARE(tap.digests(TapDirection::ServerToClient), expected);
        QCOMPARE(tap.counters().clientToServer, quint64(0));
    }
    if (publishes)
        QCOMPARE(tap.subscriptions().value(0), "+"_ba);
}

void TestTap::subscriptions()
{
    QTemporaryDir dir;
    const QString file
        = writeMessages(dir, { { "A", "1" }, { "B", "1" }, { "C", "1" }, { "A", "2" }, { "B", "2" } });
    TestProcess publisher;
    QVERIFY(startPeer(publisher,
        { u"--type"_s, u"XPUB"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"publish"_s,
            u"--wait-subscriptions"_s, u"2"_s, u"--messages"_s, file }));
    const QString serverEndpoint = publisher.waitForPeerEndpoint();
    QVERIFY2(!serverEndpoint.isEmpty(), publisher.diagnostics());
    TapRunner tap(tapSpec(TapPattern::SubPub, serverEndpoint));
    QVERIFY2(tap.isOpen(), qPrintable(tap.error()));

    TestProcess subA;
    TestProcess subB;
    QVERIFY(startPeer(subA,
        { u"--type"_s, u"SUB"_s, u"--connect"_s, tap.endpoint(), u"--mode"_s, u"recv"_s, u"--count"_s, u"2"_s,
            u"--subscribe"_s, u"A"_s }));
    QVERIFY(startPeer(subB,
        { u"--type"_s, u"SUB"_s, u"--connect"_s, tap.endpoint(), u"--mode"_s, u"recv"_s, u"--count"_s, u"2"_s,
            u"--subscribe"_s, u"B"_s }));
    (void)TestProcess::waitForAllFinished({ &subA, &subB, &publisher });
    QVERIFY2(subA.exitedWith(0), subA.diagnostics());
    QVERIFY2(subB.exitedWith(0), subB.diagnostics());
    QVERIFY2(publisher.waitForFinished() && publisher.exitedWith(0), publisher.diagnostics());
    // Each subscriber got only its topic; the subscriptions reached the server as they were sent.
    QCOMPARE(printed(subA), (QList<Digest> { digest({ "A", "1" }), digest({ "A", "2" }) }));
    QCOMPARE(printed(subB), (QList<Digest> { digest({ "B", "1" }), digest({ "B", "2" }) }));
    QStringList upstream;
    for (const QByteArray &line : publisher.lines().mid(1, 2))
        upstream.append(QString::fromLatin1(QByteArray::fromBase64(
            QJsonDocument::fromJson(line).object().value(u"subscription"_s).toString().toLatin1())));
    upstream.sort();
    QCOMPARE(upstream, (QStringList { u"\u0001A"_s, u"\u0001B"_s }));
    // Reported as subscriptions, not messages; the subscribers leaving end their subscriptions upstream.
    QTRY_COMPARE(tap.subscriptions().size(), 4);
    QList<QByteArray> reported = tap.subscriptions();
    std::sort(reported.begin(), reported.end());
    QCOMPARE(reported, (QList<QByteArray> { "+A", "+B", "-A", "-B" }));
    QCOMPARE(tap.counters().subscriptions, quint64(4));
    QCOMPARE(tap.counters().clientToServer, quint64(0));
    QCOMPARE(tap.counters().serverToClient, quint64(4)); // "C" has no subscriber: the server filtered it
}

void TestTap::backpressure()
{
    // Every queue on the way holds 10 messages and every kernel buffer 64 KiB (fixed: autotuned ones grow
    // to tens of MB here, enough to swallow the whole run); the client sends 5,000 of 4 KiB while the
    // server does not read.
    constexpr int Count = 5000;
    constexpr int Size = 4096;
    const QString buffer = u"65536"_s;
    const Options small { { "sndhwm", 10 }, { "rcvhwm", 10 }, { "sndbuf", 65536 }, { "rcvbuf", 65536 } };
    TestProcess server;
    QVERIFY(startPeer(server,
        { u"--type"_s, u"PULL"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"recv"_s, u"--count"_s,
            QString::number(Count), u"--hwm"_s, u"10"_s, u"--sockbuf"_s, buffer, u"--wait-stdin"_s,
            u"--timeout"_s, u"120000"_s }));
    const QString serverEndpoint = server.waitForPeerEndpoint();
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    TapRunner tap(tapSpec(TapPattern::PushPull, serverEndpoint, small));
    QVERIFY2(tap.isOpen(), qPrintable(tap.error()));
    TestProcess client;
    QVERIFY(startPeer(client,
        { u"--type"_s, u"PUSH"_s, u"--connect"_s, tap.endpoint(), u"--mode"_s, u"send"_s, u"--generate"_s,
            QString::number(Count), u"--size"_s, QString::number(Size), u"--hwm"_s, u"10"_s, u"--sockbuf"_s,
            buffer, u"--timeout"_s, u"120000"_s }));
    // The server side fills up and the tap stops reading its clients (instead of dropping).
    // Until the kernel's buffers are full the tap stalls and resumes many times; then it stays stalled:
    // wait for a stall that lasts (still stalled, nothing more forwarded, a moment later).
    const auto heldSteadily = [&tap] {
        if (!tap.isStalled(TapDirection::ClientToServer))
            return false;
        const quint64 before = tap.counters().clientToServer;
        QTest::qWait(200);
        return tap.isStalled(TapDirection::ClientToServer) && tap.counters().clientToServer == before;
    };
    // qWaitFor evaluates the condition once per try; QTRY_VERIFY would evaluate it once more after its
    // loop, and a second sample taken 200 ms later may catch the tap resuming.
    QVERIFY(QTest::qWaitFor(heldSteadily, 120000));
    QVERIFY(tap.counters().clientToServerStalls > 0);
    const quint64 forwardedWhileStalled = tap.counters().clientToServer;
    QVERIFY(forwardedWhileStalled < quint64(Count));
    QCOMPARE(client.process().state(), QProcess::Running); // held back by the tap, not finished
    QVERIFY(resume(server));
    // The event loop reads the server's output meanwhile (a full pipe would stop the server reading).
    QTRY_VERIFY2_WITH_TIMEOUT(server.lines().size() > Count, server.diagnostics(), 120000);
    (void)TestProcess::waitForAllFinished({ &client, &server }, 120000);
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    QList<Digest> expected;
    for (int i = 0; i < Count; ++i) {
        const QByteArray body = "m-" + QByteArray::number(i);
        expected.append(digest({ body + QByteArray(Size - body.size(), '.') }));
    }
    QCOMPARE(printed(server), expected); // all of them, once, in order
    QCOMPARE(tap.digests(TapDirection::ClientToServer), expected);
    QVERIFY(!tap.isStalled(TapDirection::ClientToServer));
    // The time the clients were held back is counted (it held steadily for 200 ms at least above).
    QVERIFY2(tap.counters().clientToServerBlockedUs >= 200'000,
        qPrintable(QString::number(tap.counters().clientToServerBlockedUs)));
    QCOMPARE(tap.counters().serverToClientBlockedUs, std::uint64_t(0));
}

void TestTap::serverRestart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString serverEndpoint = u"ipc://%1"_s.arg(dir.filePath(u"server"_s));
    const QStringList serverArguments { u"--type"_s, u"PULL"_s, u"--bind"_s, serverEndpoint, u"--mode"_s,
        u"recv"_s, u"--count"_s, u"5"_s };
    TestProcess first;
    QVERIFY(startPeer(first, serverArguments));
    QCOMPARE(first.waitForPeerEndpoint(), serverEndpoint);
    TapRunner tap(tapSpec(TapPattern::PushPull, serverEndpoint));
    QVERIFY2(tap.isOpen(), qPrintable(tap.error()));
    TestProcess client;
    QVERIFY(startPeer(client,
        { u"--type"_s, u"PUSH"_s, u"--connect"_s, tap.endpoint(), u"--mode"_s, u"send"_s, u"--generate"_s,
            u"10"_s, u"--pause-after"_s, u"5"_s }));
    QVERIFY2(first.waitForFinished() && first.exitedWith(0), first.diagnostics());
    QCOMPARE(printed(first).size(), 5);
    // The server is gone; the tap retries, and holds what the client sends meanwhile.
    QTRY_VERIFY(tap.forwardStates().contains(SocketState::Disconnected)
        || tap.forwardStates().contains(SocketState::Retrying));
    QVERIFY(resume(client));
    QTRY_VERIFY(tap.counters().clientToServer >= 5);
    TestProcess second;
    QVERIFY(startPeer(second, serverArguments));
    (void)TestProcess::waitForAllFinished({ &second, &client });
    QVERIFY2(second.exitedWith(0), second.diagnostics());
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QList<Digest> expected;
    for (int i = 5; i < 10; ++i)
        expected.append(digest({ "m-" + QByteArray::number(i) }));
    QCOMPARE(printed(second), expected);
    QCOMPARE(tap.counters().clientToServer, quint64(10));
    // Connected, lost, retried, connected again.
    const QList<SocketState> states = tap.forwardStates();
    const qsizetype lost = states.indexOf(SocketState::Disconnected);
    QVERIFY(states.indexOf(SocketState::Connected) >= 0 && states.indexOf(SocketState::Connected) < lost);
    QVERIFY(states.indexOf(SocketState::Connected, lost) > lost);
    // The client kept its one connection to the tap all along (it disconnects only when it ends).
    const QList<int> clients = tap.clientCounts();
    const qsizetype connected = clients.indexOf(1);
    QVERIFY(connected >= 0);
    QVERIFY2(!clients.mid(connected).contains(0) || clients.indexOf(0, connected) >= clients.size() - 1,
        qPrintable(QString::number(clients.size())));
}

void TestTap::replyForGoneClient()
{
    TestProcess server;
    QVERIFY(startPeer(server,
        { u"--type"_s, u"ROUTER"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"echo"_s, u"--count"_s,
            u"2"_s, u"--wait-stdin"_s }));
    const QString serverEndpoint = server.waitForPeerEndpoint();
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    TapRunner tap(tapSpec(TapPattern::DealerRouter, serverEndpoint));
    QVERIFY2(tap.isOpen(), qPrintable(tap.error()));
    // A client that asks and leaves before the answer.
    TestProcess gone;
    QVERIFY(startPeer(gone,
        { u"--type"_s, u"DEALER"_s, u"--connect"_s, tap.endpoint(), u"--mode"_s, u"send"_s, u"--generate"_s,
            u"1"_s, u"--tag"_s, u"gone"_s }));
    QVERIFY2(gone.waitForFinished() && gone.exitedWith(0), gone.diagnostics());
    QTRY_COMPARE(tap.counters().clientToServer, quint64(1));
    QTRY_COMPARE(tap.state().clients, 0);
    QVERIFY(resume(server));
    QTRY_COMPARE(tap.counters().undeliverable, quint64(1));
    const QByteArray peer = tap.records(TapDirection::ClientToServer).value(0).peer;
    QCOMPARE(tap.undeliverable(), QList<QByteArray> { peer });
    QVERIFY2(tap.reasons().value(0).contains(QString::fromLatin1(peer.toHex())),
        qPrintable(tap.reasons().value(0)));
    // The tap keeps going: the next client gets its answer.
    TestProcess next;
    QVERIFY(startPeer(next,
        { u"--type"_s, u"DEALER"_s, u"--connect"_s, tap.endpoint(), u"--mode"_s, u"send"_s, u"--generate"_s,
            u"1"_s, u"--tag"_s, u"next"_s, u"--replies"_s }));
    QVERIFY2(next.waitForFinished() && next.exitedWith(0), next.diagnostics());
    QCOMPARE(printed(next), QList<Digest> { digest({ "next-0" }) });
    QVERIFY2(server.waitForFinished() && server.exitedWith(0), server.diagnostics());
    // Both replies were taken in and recorded, the one nobody could receive too (nothing received is
    // lost from the record); only the second reached a client.
    QCOMPARE(tap.counters().serverToClient, quint64(2));
    const auto replies = tap.records(TapDirection::ServerToClient);
    QCOMPARE(replies.size(), 2);
    QCOMPARE(replies.value(0).peer, peer);
    QCOMPARE(tap.counters().undeliverable, quint64(1));
}

QTEST_GUILESS_MAIN(TestTap)
#include "tst_tap.moc"
