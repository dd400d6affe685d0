// The Conversations model's figures (issue 18): kept up to date as updates come (sorted latencies,
// waiting requests by send time), they must equal what a plain pass over every pair gives: requests,
// answered, pending and timed out at a given clock, nearest-rank percentiles and histogram counts,
// per socket and for all, while answers arrive late and the oldest rows are dropped.

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include <QAbstractItemModelTester>
#include <QTest>

#include <zmqscope/analysis/requestpairing.h>

#include "analysis/conversationmodel.h"

using namespace zmqscope;

namespace {

/// What the figures must be, from every pair seen (answered ones counted even when their row was
/// dropped; only rows still held can be waiting).
struct Reference
{
    std::vector<RequestPair> all; ///< by analyzer index
    std::size_t firstHeld = 0;

    ConversationModel::Figures figures(SocketId socket, std::int64_t nowUs, std::int64_t timeoutUs) const
    {
        ConversationModel::Figures figures;
        std::vector<std::int64_t> latencies;
        for (std::size_t i = 0; i < all.size(); ++i) {
            const RequestPair &pair = all[i];
            if (socket != 0 && pair.socket != socket)
                continue;
            ++figures.requests;
            if (pair.answered)
                latencies.push_back(pair.latencyUs());
            else if (i >= firstHeld)
                ++(pairState(pair, nowUs, timeoutUs) == PairState::TimedOut ? figures.timedOut
                                                                            : figures.pending);
        }
        std::sort(latencies.begin(), latencies.end());
        figures.answered = latencies.size();
        figures.latency.p50Us = nearestRank(latencies, 50);
        figures.latency.p90Us = nearestRank(latencies, 90);
        figures.latency.p99Us = nearestRank(latencies, 99);
        figures.latency.maxUs = nearestRank(latencies, 100);
        return figures;
    }

    std::vector<std::uint64_t> atMost(SocketId socket, const std::vector<std::int64_t> &edges) const
    {
        std::vector<std::uint64_t> counts(edges.size(), 0);
        for (const RequestPair &pair : all)
            if (pair.answered && (socket == 0 || pair.socket == socket))
                for (std::size_t i = 0; i < edges.size(); ++i)
                    counts[i] += pair.latencyUs() <= edges[i] ? 1 : 0;
        return counts;
    }
};

} // namespace

class TestConversationModel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void figuresEqualAPlainPass();
    void resetClearsTheFigures();
};

void TestConversationModel::figuresEqualAPlainPass()
{
    ConversationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(300);
    model.setTimeoutMs(50);
    std::mt19937 random(18);
    Reference reference;
    const std::int64_t start = 1'000'000'000'000;
    std::vector<std::size_t> waiting; // indexes of unanswered pairs
    const std::vector<std::int64_t> edges { 10, 100, 1'000, 10'000, 100'000 };
    for (int update = 0; update < 40; ++update) {
        AnalysisController::Update next;
        next.delta.firstNewPair = reference.all.size();
        // Answers to earlier requests, in any order.
        std::shuffle(waiting.begin(), waiting.end(), random);
        const std::size_t answering = std::min<std::size_t>(waiting.size(), random() % 6);
        for (std::size_t k = 0; k < answering; ++k) {
            RequestPair &pair = reference.all[waiting.back()];
            pair.answered = true;
            pair.replyUs = pair.requestUs + std::int64_t(random() % 200'000);
            pair.reply = pair.request + 1;
            next.delta.answered.emplace_back(waiting.back(), pair);
            waiting.pop_back();
        }
        // New requests on three sockets, sent 1 ms apart; some answered at once, equal latencies too.
        for (int k = 0; k < 20; ++k) {
            RequestPair pair;
            pair.request = reference.all.size() * 2 + 1;
            pair.requestUs = start + std::int64_t(reference.all.size()) * 1000;
            pair.socket = 1 + random() % 3;
            pair.id = "req-" + QByteArray::number(qulonglong(reference.all.size()));
            if (random() % 3 != 0) {
                pair.answered = true;
                pair.reply = pair.request + 1;
                pair.replyUs = pair.requestUs + std::int64_t(random() % 7) * 5'000;
            } else {
                waiting.push_back(reference.all.size());
            }
            reference.all.push_back(pair);
            next.delta.newPairs.push_back(pair);
        }
        model.apply(next);
        reference.firstHeld = reference.all.size() - std::size_t(model.rowCount());
        QCOMPARE(std::size_t(model.rowCount()), std::min<std::size_t>(reference.all.size(), 300));
        // The clock at a few points: before, among and after the send times.
        for (const std::int64_t now :
            { start, start + 100'000, start + std::int64_t(reference.all.size()) * 1000 }) {
            model.updateStates(now);
            for (const SocketId socket : { SocketId(0), SocketId(1), SocketId(2), SocketId(3) }) {
                const ConversationModel::Figures got = model.figures(socket);
                const ConversationModel::Figures want = reference.figures(socket, now, 50'000);
                const QByteArray where = "update " + QByteArray::number(update) + ", socket "
                    + QByteArray::number(socket) + ", now +" + QByteArray::number(qlonglong(now - start));
                QVERIFY2(got.requests == want.requests, where.constData());
                QVERIFY2(got.answered == want.answered, where.constData());
                QVERIFY2(got.pending == want.pending, where.constData());
                QVERIFY2(got.timedOut == want.timedOut, where.constData());
                QVERIFY2(got.latency.p50Us == want.latency.p50Us, where.constData());
                QVERIFY2(got.latency.p90Us == want.latency.p90Us, where.constData());
                QVERIFY2(got.latency.p99Us == want.latency.p99Us, where.constData());
                QVERIFY2(got.latency.maxUs == want.latency.maxUs, where.constData());
                QVERIFY2(model.latenciesAtMost(socket, edges) == reference.atMost(socket, edges),
                    where.constData());
            }
        }
    }
    // The script reached what it is for: rows dropped, answers after their row went, time-outs.
    QVERIFY(reference.firstHeld > 0);
    QVERIFY(model.figures(0).timedOut > 0);
}

void TestConversationModel::resetClearsTheFigures()
{
    ConversationModel model;
    AnalysisController::Update first;
    RequestPair pair;
    pair.request = 1;
    pair.requestUs = 10;
    pair.socket = 4;
    first.delta.newPairs.push_back(pair);
    model.apply(first);
    QCOMPARE(model.figures(4).requests, std::uint64_t(1));
    QCOMPARE(model.sockets(), QList<SocketId> { 4 });
    AnalysisController::Update reset;
    reset.reset = true;
    model.apply(reset);
    QCOMPARE(model.figures(0).requests, std::uint64_t(0));
    QCOMPARE(model.figures(4).pending + model.figures(4).timedOut, std::uint64_t(0));
    QVERIFY(model.sockets().isEmpty());
}

QTEST_GUILESS_MAIN(TestConversationModel)
#include "tst_conversationmodel.moc"
