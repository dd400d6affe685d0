// Request/reply pairing (issue 18) over scripted conversations of every role: each script line is a
// message as the store or a capture line has it; the table says which request got which reply.
#include <QTest>

#include <zmqscope/analysis/requestpairing.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

struct ScriptedMessage
{
    PairingMessage message;
    Frames frames;
    std::vector<QByteArrayView> views;
    QByteArray peer;
};

PairingRole roleNamed(const QString &name)
{
    if (name == u"REQ"_s || name == u"DEALER"_s)
        return PairingRole::Client;
    if (name == u"REP"_s)
        return PairingRole::Server;
    if (name == u"ROUTER"_s)
        return PairingRole::Router;
    if (name == u"TAP"_s)
        return PairingRole::Conversation;
    return PairingRole::None;
}

/**
 * "<time µs> <socket> <TYPE> <dir> [id=X] [route=R] [peer=P] [raw]": TYPE REQ, DEALER, REP, ROUTER
 * (our sockets), TAP (a conversation) or SUB; the frames are what that socket type sees on the wire.
 */
std::vector<ScriptedMessage> messagesOf(const QStringList &script)
{
    std::vector<ScriptedMessage> messages(std::size_t(script.size()));
    for (qsizetype i = 0; i < script.size(); ++i) {
        const QStringList words = script.at(i).split(u' ');
        ScriptedMessage &scripted = messages[std::size_t(i)];
        PairingMessage &message = scripted.message;
        message.number = std::uint64_t(i + 1);
        message.timestampUs = words.at(0).toLongLong();
        message.socket = words.at(1).toUInt();
        const QString &type = words.at(2);
        message.role = roleNamed(type);
        message.direction = *parseDirection(words.at(3).toLatin1());
        QByteArray id = "x";
        QByteArray route;
        bool raw = false;
        for (const QString &word : words.mid(4)) {
            if (word.startsWith(u"id="_s))
                id = word.mid(3).toUtf8();
            else if (word.startsWith(u"route="_s))
                route = word.mid(6).toUtf8();
            else if (word.startsWith(u"peer="_s))
                scripted.peer = word.mid(5).toUtf8();
            else if (word == u"raw"_s)
                raw = true;
        }
        Frames &frames = scripted.frames;
        if (!route.isEmpty())
            frames << route;
        if (raw) {
            frames << "payload";
        } else {
            if (!route.isEmpty() || type == u"DEALER"_s)
                frames << QByteArray(); // the delimiter
            frames << id << "text/plain"
                   << "body";
        }
        scripted.views.assign(frames.cbegin(), frames.cend());
        message.frames = scripted.views;
        message.peer = scripted.peer;
    }
    return messages;
}

/// "1>2" for request 1 answered by 2, "3>-" for an unanswered request 3.
QStringList pairsOf(const RequestPairer &pairer)
{
    QStringList pairs;
    for (const RequestPair &pair : pairer.pairs())
        pairs << (pair.answered ? u"%1>%2"_s.arg(pair.request).arg(pair.reply) : u"%1>-"_s.arg(pair.request));
    return pairs;
}

} // namespace

class TestRequestPairing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pairs_data()
    {
        QTest::addColumn<QStringList>("script");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<int>("unmatched");

        QTest::newRow("REQ in turn") << QStringList { u"0 1 REQ out id=a"_s, u"10 1 REQ in id=a"_s,
            u"20 1 REQ out id=b"_s, u"30 1 REQ in id=b"_s }
                                     << QStringList { u"1>2"_s, u"3>4"_s } << 0;
        QTest::newRow("REQ reply with another id")
            << QStringList { u"0 1 REQ out id=a"_s, u"5 1 REQ in id=z"_s } << QStringList { u"1>2"_s } << 0;
        QTest::newRow("REQ last request unanswered")
            << QStringList { u"0 1 REQ out id=a"_s, u"1 1 REQ in id=a"_s, u"2 1 REQ out id=b"_s }
            << QStringList { u"1>2"_s, u"3>-"_s } << 0;
        QTest::newRow("reply before any request")
            << QStringList { u"0 1 REQ in id=a"_s, u"1 1 REQ out id=b"_s } << QStringList { u"2>-"_s } << 1;
        QTest::newRow("DEALER by id, out of order") << QStringList { u"0 1 DEALER out id=a"_s,
            u"1 1 DEALER out id=b"_s, u"2 1 DEALER in id=b"_s, u"3 1 DEALER in id=a"_s }
                                                    << QStringList { u"1>4"_s, u"2>3"_s } << 0;
        QTest::newRow("DEALER unknown ids in order") << QStringList { u"0 1 DEALER out id=a"_s,
            u"1 1 DEALER out id=b"_s, u"2 1 DEALER in id=z"_s, u"3 1 DEALER in id=y"_s }
                                                     << QStringList { u"1>3"_s, u"2>4"_s } << 0;
        QTest::newRow("DEALER raw in order")
            << QStringList { u"0 1 DEALER out raw"_s, u"1 1 DEALER out raw"_s, u"2 1 DEALER in raw"_s }
            << QStringList { u"1>3"_s, u"2>-"_s } << 0;
        QTest::newRow("DEALER the same id twice") << QStringList { u"0 1 DEALER out id=a"_s,
            u"1 1 DEALER out id=a"_s, u"2 1 DEALER in id=a"_s, u"3 1 DEALER in id=a"_s }
                                                  << QStringList { u"1>3"_s, u"2>4"_s } << 0;
        QTest::newRow("DEALER id answered in order, then by id")
            << QStringList { u"0 1 DEALER out id=a"_s, u"1 1 DEALER out id=b"_s, u"2 1 DEALER in id=z"_s,
                   u"3 1 DEALER out id=a"_s, u"4 1 DEALER in id=a"_s }
            << QStringList { u"1>3"_s, u"2>-"_s, u"4>5"_s } << 0;
        QTest::newRow("more replies than requests")
            << QStringList { u"0 1 DEALER out id=a"_s, u"1 1 DEALER in id=a"_s, u"2 1 DEALER in id=a"_s }
            << QStringList { u"1>2"_s } << 1;
        QTest::newRow("REP server") << QStringList { u"0 1 REP in id=a"_s, u"7 1 REP out id=a"_s }
                                    << QStringList { u"1>2"_s } << 0;
        QTest::newRow("ROUTER two clients interleaved")
            << QStringList { u"0 1 ROUTER in id=a route=r1"_s, u"1 1 ROUTER in id=b route=r2"_s,
                   u"2 1 ROUTER out id=b route=r2"_s, u"3 1 ROUTER out id=a route=r1"_s }
            << QStringList { u"1>4"_s, u"2>3"_s } << 0;
        QTest::newRow("ROUTER the same id from two clients")
            << QStringList { u"0 1 ROUTER in id=a route=r1"_s, u"1 1 ROUTER in id=a route=r2"_s,
                   u"2 1 ROUTER out id=a route=r2"_s }
            << QStringList { u"1>-"_s, u"2>3"_s } << 0;
        QTest::newRow("ROUTER raw by first frame") << QStringList { u"0 1 ROUTER in raw route=r1"_s,
            u"1 1 ROUTER in raw route=r2"_s, u"2 1 ROUTER out raw route=r2"_s }
                                                   << QStringList { u"1>-"_s, u"2>3"_s } << 0;
        QTest::newRow("ROUTER reply to an unknown client")
            << QStringList { u"0 1 ROUTER in id=a route=r1"_s, u"1 1 ROUTER out id=a route=r9"_s }
            << QStringList { u"1>-"_s } << 1;
        QTest::newRow("tap per peer") << QStringList { u"0 1 TAP c2s id=a peer=p1"_s,
            u"1 1 TAP c2s id=a peer=p2"_s, u"2 1 TAP s2c id=a peer=p2"_s, u"3 1 TAP s2c id=a peer=p1"_s }
                                      << QStringList { u"1>4"_s, u"2>3"_s } << 0;
        QTest::newRow("connections apart") << QStringList { u"0 1 TAP c2s id=a"_s, u"1 2 TAP c2s id=a"_s,
            u"2 2 TAP s2c id=a"_s, u"3 1 TAP s2c id=a"_s }
                                           << QStringList { u"1>4"_s, u"2>3"_s } << 0;
        QTest::newRow("sockets apart")
            << QStringList { u"0 1 REQ out id=a"_s, u"1 2 REQ in id=a"_s } << QStringList { u"1>-"_s } << 1;
        QTest::newRow("SUB is not paired")
            << QStringList { u"0 1 SUB in id=a"_s, u"1 1 SUB in id=a"_s } << QStringList {} << 0;
        QTest::newRow("own directions of a tap are not paired")
            << QStringList { u"0 1 TAP in id=a"_s, u"1 1 TAP out id=a"_s } << QStringList {} << 0;
    }
    void pairs()
    {
        QFETCH(const QStringList, script);
        QFETCH(const QStringList, expected);
        QFETCH(const int, unmatched);
        const std::vector<ScriptedMessage> messages = messagesOf(script);
        RequestPairer pairer;
        for (const ScriptedMessage &scripted : messages)
            (void)pairer.add(scripted.message);
        QStringList sorted = pairsOf(pairer);
        QCOMPARE(sorted, expected);
        QCOMPARE(pairer.unmatchedReplies(), std::uint64_t(unmatched));
        // Latency is the reply's time less the request's, and a pair keeps the request's id.
        for (const RequestPair &pair : pairer.pairs()) {
            const PairingMessage &request = messages[pair.request - 1].message;
            QCOMPARE(pair.requestUs, request.timestampUs);
            if (pair.answered)
                QCOMPARE(
                    pair.latencyUs(), messages[pair.reply - 1].message.timestampUs - request.timestampUs);
        }
    }

    void updatesSayWhatHappened()
    {
        const std::vector<ScriptedMessage> messages = messagesOf(
            { u"0 1 REQ out id=a"_s, u"3 1 REQ in id=a"_s, u"4 1 REQ in id=a"_s, u"5 1 SUB in"_s });
        RequestPairer pairer;
        using Kind = RequestPairer::Update::Kind;
        const RequestPairer::Update request = pairer.add(messages[0].message);
        QCOMPARE(request.kind, Kind::Request);
        QCOMPARE(request.pair, std::size_t(0));
        const RequestPairer::Update reply = pairer.add(messages[1].message);
        QCOMPARE(reply.kind, Kind::Reply);
        QCOMPARE(reply.pair, std::size_t(0));
        QCOMPARE(pairer.add(messages[2].message).kind, Kind::UnmatchedReply);
        QCOMPARE(pairer.add(messages[3].message).kind, Kind::Ignored);
        QCOMPARE(pairer.pairs().front().id, QByteArray("a"));
        pairer.clear();
        QVERIFY(pairer.pairs().empty());
        QCOMPARE(pairer.unmatchedReplies(), std::uint64_t(0));
    }

    void routerClientIsTheRoutingFrame()
    {
        const std::vector<ScriptedMessage> messages = messagesOf({ u"0 1 ROUTER in id=a route=AB"_s });
        RequestPairer pairer;
        (void)pairer.add(messages[0].message);
        QCOMPARE(pairer.pairs().front().client, QByteArray("AB").toHex());
    }

    void summary_data()
    {
        QTest::addColumn<QList<qint64>>("latencies");
        QTest::addColumn<int>("unanswered");
        QTest::addColumn<QList<qint64>>("expected"); // p50, p90, p99, max; -1 for none

        QList<qint64> hundred;
        for (qint64 i = 1; i <= 100; ++i)
            hundred << i;
        QTest::newRow("1..100") << hundred << 3 << QList<qint64> { 50, 90, 99, 100 };
        QTest::newRow("one") << QList<qint64> { 42 } << 0 << QList<qint64> { 42, 42, 42, 42 };
        QTest::newRow("three") << QList<qint64> { 30, 10, 20 } << 1 << QList<qint64> { 20, 30, 30, 30 };
        QTest::newRow("none answered") << QList<qint64> {} << 2 << QList<qint64> { -1, -1, -1, -1 };
    }
    void summary()
    {
        QFETCH(const QList<qint64>, latencies);
        QFETCH(const int, unanswered);
        QFETCH(const QList<qint64>, expected);
        QStringList script;
        std::int64_t now = 0;
        for (const qint64 latency : latencies) {
            script << u"%1 1 REQ out"_s.arg(now) << u"%1 1 REQ in"_s.arg(now + latency);
            now += 1000;
        }
        for (int i = 0; i < unanswered; ++i)
            script << u"%1 2 REQ out"_s.arg(now + i);
        const std::vector<ScriptedMessage> messages = messagesOf(script);
        RequestPairer pairer;
        for (const ScriptedMessage &scripted : messages)
            (void)pairer.add(scripted.message);
        const LatencySummary summary = pairer.summary();
        QCOMPARE(summary.requests, std::uint64_t(latencies.size() + unanswered));
        QCOMPARE(summary.answered, std::uint64_t(latencies.size()));
        QCOMPARE(summary.unanswered, std::uint64_t(unanswered));
        const auto figure
            = [](const std::optional<std::int64_t> &value) { return value ? qint64(*value) : -1; };
        QCOMPARE((QList<qint64> { figure(summary.p50Us), figure(summary.p90Us), figure(summary.p99Us),
                     figure(summary.maxUs) }),
            expected);
        // Per socket: socket 2 only has the unanswered ones.
        QCOMPARE(pairer.summary(2).requests, std::uint64_t(unanswered));
        QCOMPARE(pairer.summary(2).answered, std::uint64_t(0));
    }

    void states()
    {
        RequestPair pair;
        pair.requestUs = 1000;
        QCOMPARE(pairState(pair, 1500, 1000), PairState::Pending);
        QCOMPARE(pairState(pair, 2001, 1000), PairState::TimedOut);
        pair.answered = true;
        pair.replyUs = 9000;
        QCOMPARE(pairState(pair, 99999, 1000), PairState::Answered);
        QCOMPARE(pair.latencyUs(), std::int64_t(8000));
    }

    void roles()
    {
        QCOMPARE(pairingRoleFor(SocketType::Req), PairingRole::Client);
        QCOMPARE(pairingRoleFor(SocketType::Dealer), PairingRole::Client);
        QCOMPARE(pairingRoleFor(SocketType::Rep), PairingRole::Server);
        QCOMPARE(pairingRoleFor(SocketType::Router), PairingRole::Router);
        QCOMPARE(pairingRoleFor(SocketType::Sub), PairingRole::None);
        QCOMPARE(pairingRoleFor(SocketType::Pair), PairingRole::None);
        QCOMPARE(conversationRoleFor(u"REQ"), PairingRole::Conversation);
        QCOMPARE(conversationRoleFor(u"dealer"), PairingRole::Conversation);
        QCOMPARE(conversationRoleFor(u"ROUTER"), PairingRole::Conversation);
        QCOMPARE(conversationRoleFor(u"PUSH"), PairingRole::None);
        QCOMPARE(conversationRoleFor(u""), PairingRole::None);
    }
};

QTEST_GUILESS_MAIN(TestRequestPairing)
#include "tst_requestpairing.moc"
