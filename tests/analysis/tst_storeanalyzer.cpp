// StoreAnalyzer (issue 18): pairing and sequence checks read from a real MessageStore in batches give
// what one pass gives; messages evicted before they were read are counted, not guessed.
#include <QTest>

#include <zmqscope/analysis/storeanalyzer.h>

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr SocketId Requester = 1;
constexpr SocketId Subscriber = 2;

/// REQ request i at 1000 i µs, answered 10 + i µs later; every third one goes unanswered at the end.
/// Between them, telemetry with seq 0, 1, 2, ... except 7 and 20 (gaps) and with 11 twice.
void fill(MessageStore &store, int requests)
{
    int seq = 0;
    for (int i = 0; i < requests; ++i) {
        const QByteArray id = "req-" + QByteArray::number(i);
        store.append(Requester, Direction::Out, std::int64_t(1000) * i, Frames { id, "text/plain", "ping" });
        if (i % 3 != 2 || i < requests - 3)
            store.append(Requester, Direction::In, 1000 * i + 10 + i, Frames { id, "text/plain", "pong" });
        if (seq == 7 || seq == 20)
            ++seq;
        store.append(Subscriber, Direction::In, 1000 * i + 500,
            Frames {
                "telemetry", "application/json", R"({"meta": {"seq": )" + QByteArray::number(seq) + "}}" });
        if (seq == 11)
            store.append(Subscriber, Direction::In, 1000 * i + 501,
                Frames { "telemetry", "application/json", R"({"meta": {"seq": 11}})" });
        ++seq;
    }
}

} // namespace

class TestStoreAnalyzer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void batchesGiveWhatOnePassGives_data()
    {
        QTest::addColumn<int>("batch");
        QTest::newRow("one pass") << 1'000'000;
        QTest::newRow("batches of 7") << 7;
        QTest::newRow("one at a time") << 1;
    }
    void batchesGiveWhatOnePassGives()
    {
        QFETCH(const int, batch);
        MessageStore store;
        fill(store, 30);
        StoreAnalyzer analyzer(store);
        analyzer.setRoles({ { Requester, PairingRole::Client } });
        analyzer.setSequenceField(*JsonPath::parseField(u"meta.seq"_s));
        std::vector<RequestPair> pairs;
        std::vector<SequenceFinding> findings;
        std::uint64_t read = 0;
        for (;;) {
            const AnalysisDelta delta = analyzer.update(std::uint64_t(batch));
            if (delta.isEmpty())
                break;
            QCOMPARE(delta.firstNewPair, pairs.size());
            pairs.insert(pairs.end(), delta.newPairs.begin(), delta.newPairs.end());
            for (const auto &[index, pair] : delta.answered) {
                QVERIFY(index < pairs.size());
                QVERIFY(!pairs[index].answered);
                pairs[index] = pair;
            }
            findings.insert(findings.end(), delta.findings.begin(), delta.findings.end());
            read += delta.messagesRead;
            QCOMPARE(delta.endSeq, analyzer.endSeq());
            QCOMPARE(delta.unseen, std::uint64_t(0));
        }
        QCOMPARE(read, store.size());
        QCOMPARE(pairs.size(), std::size_t(30));
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            QCOMPARE(pairs[i].id, "req-" + QByteArray::number(qsizetype(i)));
            QCOMPARE(pairs[i].answered, i % 3 != 2 || i < 27);
            if (pairs[i].answered)
                QCOMPARE(pairs[i].latencyUs(), std::int64_t(10 + i));
        }
        // What the pairer holds is what the deltas told.
        QCOMPARE(analyzer.pairer().pairs().size(), pairs.size());
        QCOMPARE(analyzer.pairer().summary().unanswered, std::uint64_t(1));
        QCOMPARE(findings.size(), std::size_t(3)); // two gaps and a duplicate
        QCOMPARE(findings[0].kind, SequenceFinding::Kind::Gap);
        QCOMPARE(findings[0].got, std::int64_t(8));
        QCOMPARE(findings[1].kind, SequenceFinding::Kind::Duplicate);
        QCOMPARE(findings[1].got, std::int64_t(11));
        QCOMPARE(findings[2].kind, SequenceFinding::Kind::Gap);
        QCOMPARE(findings[2].got, std::int64_t(21));
        const SequenceSummary summary = analyzer.sequences().summary();
        QCOMPARE(summary.missing, std::uint64_t(2));
        QCOMPARE(summary.withoutField, std::uint64_t(store.size() - 31)); // the requester's messages
    }

    void evictedMessagesAreUnseen()
    {
        // A store that keeps 64 messages (evicting 4 at a time) and an analyzer that reads late.
        MessageStore store(MessageStore::Limits { 64, std::uint64_t(1) << 30, std::uint64_t(64) * 1024 });
        StoreAnalyzer analyzer(store);
        analyzer.setRoles({ { Requester, PairingRole::Client } });
        fill(store, 10);
        AnalysisDelta delta = analyzer.update();
        QCOMPARE(delta.unseen, std::uint64_t(0));
        QCOMPARE(delta.messagesRead, store.size());
        const std::uint64_t readTo = analyzer.endSeq();
        fill(store, 100); // far more than the store keeps
        delta = analyzer.update();
        QVERIFY(delta.unseen > 0);
        // Every message since is either read or counted as unseen, never both.
        QCOMPARE(delta.unseen + delta.messagesRead, store.endSeq() - readTo);
        QCOMPARE(delta.messagesRead, store.size());
        QCOMPARE(analyzer.endSeq(), store.endSeq());
        // Reset reads the held messages again.
        analyzer.reset();
        delta = analyzer.update();
        QCOMPARE(delta.messagesRead, store.size());
        QCOMPARE(delta.unseen, std::uint64_t(0));
    }

    void aSocketOpenedLaterKeepsTheAnalysis()
    {
        // The requester's traffic is analysed; then a second REQ socket opens and talks.
        constexpr SocketId Later = 3;
        MessageStore store;
        fill(store, 6);
        StoreAnalyzer analyzer(store);
        const QHash<SocketId, PairingRole> before { { Requester, PairingRole::Client } };
        analyzer.setRoles(before);
        AnalysisDelta delta = analyzer.update();
        QCOMPARE(delta.newPairs.size(), std::size_t(6));
        const std::uint64_t readTo = analyzer.endSeq();

        QHash<SocketId, PairingRole> after = before;
        after.insert(Later, PairingRole::Client);
        // Nothing of socket 3 was read: the analysis stays true and goes on.
        QVERIFY(analyzer.rolesKeepAnalysis(after));
        analyzer.setRoles(after);
        store.append(Later, Direction::Out, 90'000, Frames { "late-1", "text/plain", "ping" });
        store.append(Later, Direction::In, 90'040, Frames { "late-1", "text/plain", "pong" });
        delta = analyzer.update();
        QCOMPARE(delta.messagesRead, store.endSeq() - readTo); // only what came since
        QCOMPARE(delta.firstNewPair, std::size_t(6));
        QCOMPARE(delta.newPairs.size(), std::size_t(1));
        QCOMPARE(delta.newPairs.front().id, QByteArray("late-1"));
        QCOMPARE(delta.newPairs.front().latencyUs(), std::int64_t(40));

        // The same as a fresh pass with the new roles.
        StoreAnalyzer fresh(store);
        fresh.setRoles(after);
        (void)fresh.update();
        QCOMPARE(fresh.pairer().pairs().size(), analyzer.pairer().pairs().size());
        for (std::size_t i = 0; i < fresh.pairer().pairs().size(); ++i) {
            QCOMPARE(fresh.pairer().pairs()[i].id, analyzer.pairer().pairs()[i].id);
            QCOMPARE(fresh.pairer().pairs()[i].answered, analyzer.pairer().pairs()[i].answered);
        }

        // Whereas a socket whose messages were read without a role, or a role that changes or goes,
        // needs the pass again.
        QHash<SocketId, PairingRole> subscriberPairs = after;
        subscriberPairs.insert(Subscriber, PairingRole::Client);
        QVERIFY(!analyzer.rolesKeepAnalysis(subscriberPairs));
        QHash<SocketId, PairingRole> changed = after;
        changed.insert(Requester, PairingRole::Server);
        QVERIFY(!analyzer.rolesKeepAnalysis(changed));
        QVERIFY(!analyzer.rolesKeepAnalysis(before));
        // After a reset nothing is read yet: a new role keeps the (empty) analysis.
        analyzer.reset();
        QVERIFY(analyzer.rolesKeepAnalysis(subscriberPairs));
    }
};

QTEST_GUILESS_MAIN(TestStoreAnalyzer)
#include "tst_storeanalyzer.moc"
