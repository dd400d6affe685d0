// zmqscope-cli stats end to end (issue 18, DESIGN.md section 12): captures generated here with known
// pairs, unanswered requests, gaps, duplicates and reordering, compared line by line with what the
// contract says; the recorded packet capture fixture; usage errors.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capture.h>

#include "clitestsupport.h"

using namespace Qt::StringLiterals;
using namespace clitest;
using namespace zmqscope;

namespace {

constexpr std::int64_t Start = 1'800'000'000'000'000; // 2027-01-15, in µs

CaptureRecord message(std::int64_t atUs, const QString &socket, const QString &type, Direction direction,
    const QByteArray &id, const QByteArray &body = "{}", const QByteArray &peer = {})
{
    CaptureRecord record;
    record.timestampUs = Start + atUs;
    record.socket = socket;
    record.type = type;
    record.endpoint = u"tcp://127.0.0.1:5555"_s;
    record.direction = direction;
    // On the wire of a REQ/DEALER client (and its REP/ROUTER server) an envelope has the delimiter first.
    record.frames = { QByteArray(), id, "application/json", body };
    record.peer = peer;
    return record;
}

CaptureRecord eventRecord(std::int64_t atUs, const QString &socket, const QString &name)
{
    CaptureRecord record;
    record.timestampUs = Start + atUs;
    record.socket = socket;
    record.event = name;
    record.detail = u"test"_s;
    return record;
}

bool writeCapture(const QString &path, const QList<CaptureRecord> &records)
{
    QByteArray bytes = captureHeaderLine(QDateTime::currentDateTimeUtc());
    for (const CaptureRecord &record : records)
        bytes += record.isEvent() ? captureEventLine(record) : captureLine(record);
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QList<QJsonObject> objects(const TestProcess &process)
{
    QList<QJsonObject> result;
    for (const QByteArray &line : process.lines())
        result.append(QJsonDocument::fromJson(line).object());
    return result;
}

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class TestCliStats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void pairs()
    {
        // Message numbers (1-based, events not counted): a REQ conversation through a tap with two
        // clients, a request nobody answered, a DEALER answered out of order, and a subscription event
        // that must not shift the numbers.
        const QString tap = u"tap req-rep"_s;
        const QString dealer = u"DEALER 1"_s;
        const QList<CaptureRecord> records {
            message(0, tap, u"REQ"_s, Direction::ClientToServer, "a", "{}", "\x01"), // 1
            eventRecord(5, tap, u"connected"_s),
            message(10, tap, u"REQ"_s, Direction::ClientToServer, "b", "{}", "\x02"), // 2
            message(250, tap, u"REP"_s, Direction::ServerToClient, "b", "{}", "\x02"), // 3: answers 2
            message(1000, tap, u"REP"_s, Direction::ServerToClient, "a", "{}", "\x01"), // 4: answers 1
            message(2000, dealer, u"DEALER"_s, Direction::Out, "x"), // 5
            message(2100, dealer, u"DEALER"_s, Direction::Out, "y"), // 6
            message(2400, dealer, u"DEALER"_s, Direction::In, "y"), // 7: answers 6
            message(5000, dealer, u"DEALER"_s, Direction::Out, "z"), // 8: never answered
            message(9000, dealer, u"DEALER"_s, Direction::In, "x"), // 9: answers 5
        };
        const QString path = m_dir.filePath(u"pairs.zmqcap"_s);
        QVERIFY(writeCapture(path, records));
        const auto run = runCli({ u"stats"_s, path, u"--pairs"_s, u"--format"_s, u"jsonl"_s });
        QVERIFY2(run->exitedWith(0), run->diagnostics());
        const QList<QByteArray> expected {
            R"({"request": 1, "reply": 4, "latency_us": 1000, "socket": "tap req-rep", "id": "a"})",
            R"({"request": 2, "reply": 3, "latency_us": 240, "socket": "tap req-rep", "id": "b"})",
            R"({"request": 5, "reply": 9, "latency_us": 7000, "socket": "DEALER 1", "id": "x"})",
            R"({"request": 6, "reply": 7, "latency_us": 300, "socket": "DEALER 1", "id": "y"})",
            R"({"request": 8, "reply": null, "latency_us": null, "socket": "DEALER 1", "id": "z"})",
        };
        const QList<QByteArray> lines = run->lines();
        QCOMPARE(lines.mid(0, expected.size()), expected);
        // Latencies 240, 300, 1000, 7000: nearest rank p50 = the 2nd, p99 = max = the 4th.
        QCOMPARE(lines.size(), expected.size() + 1);
        QCOMPARE(object(lines.constLast()),
            object(R"({"summary": {"requests": 5, "answered": 4, "unanswered": 1, "p50_us": 300,
                "p99_us": 7000, "max_us": 7000}})"));

        // The same in pretty form names every request, and --filter leaves the tap out without
        // renumbering the rest.
        const auto pretty
            = runCli({ u"stats"_s, path, u"--pairs"_s, u"--filter"_s, u"socket == \"DEALER 1\""_s });
        QVERIFY2(pretty->exitedWith(0), pretty->diagnostics());
        const QByteArray out = pretty->out();
        QVERIFY2(out.contains("request #5  reply #9 after 7.00 ms"), out.constData());
        QVERIFY2(out.contains("request #8  no reply"), out.constData());
        QVERIFY2(!out.contains("request #1 "), out.constData());
        QVERIFY2(out.contains("3 requests, 2 answered, 1 unanswered"), out.constData());
    }

    void gaps_data()
    {
        QTest::addColumn<QString>("by");
        QTest::addColumn<QList<QByteArray>>("expected");

        // Two ids on one socket, each counting; "b" skips 3, "a" repeats 2 and is late with 5.
        QTest::newRow("socket and id")
            << QString()
            << QList<QByteArray> {
                   R"({"kind": "duplicate", "socket": "SUB 1", "id": "a", "field": "meta.seq", "after": 2, "got": 2})",
                   R"({"kind": "gap", "socket": "SUB 1", "id": "b", "field": "meta.seq", "after": 2, "got": 4, "missing": 1})",
                   R"({"kind": "gap", "socket": "SUB 1", "id": "a", "field": "meta.seq", "after": 4, "got": 6, "missing": 1})",
                   R"({"kind": "reordered", "socket": "SUB 1", "id": "a", "field": "meta.seq", "after": 6, "got": 5})",
                   R"({"summary": {"streams": 2, "messages": 12, "missing": 1, "duplicates": 1, "reordered": 1, "without_field": 2}})",
               };
        // By socket the ids interleave: every second message goes back.
        QTest::newRow("socket") << u"socket"_s << QList<QByteArray> {};
    }
    void gaps()
    {
        QFETCH(const QString, by);
        QFETCH(const QList<QByteArray>, expected);
        const QList<std::pair<QByteArray, int>> sequence { { "a", 1 }, { "b", 1 }, { "a", 2 }, { "a", 2 },
            { "b", 2 }, { "a", 3 }, { "b", 4 }, { "a", 4 }, { "a", 6 }, { "a", 5 }, { "b", 5 }, { "a", 7 } };
        QList<CaptureRecord> records;
        std::int64_t at = 0;
        for (const auto &[id, seq] : sequence) {
            records.append(message(at += 10, u"SUB 1"_s, u"SUB"_s, Direction::In, id,
                R"({"meta": {"seq": )" + QByteArray::number(seq) + "}}"));
        }
        records.insert(3, message(at += 10, u"SUB 1"_s, u"SUB"_s, Direction::In, "a", "not json"));
        records.append(
            message(at + 10, u"SUB 1"_s, u"SUB"_s, Direction::In, "a", R"({"meta": {"seq": "7"}})"));
        const QString path = m_dir.filePath(u"gaps.zmqcap"_s);
        QVERIFY(writeCapture(path, records));
        QStringList arguments { u"stats"_s, path, u"--gaps"_s, u"meta.seq"_s, u"--format"_s, u"jsonl"_s };
        if (!by.isEmpty())
            arguments << u"--by"_s << by;
        const auto run = runCli(arguments);
        QVERIFY2(run->exitedWith(0), run->diagnostics());
        const QList<QByteArray> lines = run->lines();
        if (!expected.isEmpty()) {
            QCOMPARE(lines.size(), expected.size());
            for (qsizetype i = 0; i < expected.size(); ++i)
                QCOMPARE(object(lines.at(i)), object(expected.at(i)));
            return;
        }
        // By socket: one stream; the summary adds up what the lines say.
        const QJsonObject summary = object(lines.constLast()).value(u"summary"_s).toObject();
        QCOMPARE(summary.value(u"streams"_s).toInt(), 1);
        QCOMPARE(summary.value(u"messages"_s).toInt(), 12);
        QCOMPARE(summary.value(u"without_field"_s).toInt(), 2);
        int duplicates = 0;
        for (const QByteArray &line : lines.mid(0, lines.size() - 1)) {
            const QJsonObject finding = object(line);
            QCOMPARE(finding.value(u"id"_s).toString(), QString());
            duplicates += finding.value(u"kind"_s).toString() == u"duplicate"_s ? 1 : 0;
        }
        QCOMPARE(summary.value(u"duplicates"_s).toInt(), duplicates);
        QVERIFY(duplicates > 0);
    }

    void packetCapture()
    {
        // The recorded fixture: REQ/REP, DEALER/ROUTER, PUB/SUB, PLAIN and CURVE connections. Every
        // request of its REQ and DEALER clients was answered, in turn, on its own connection: walk the
        // decoded lines (cat) and pair each c2s line with the next s2c line of its connection.
        const QString pcap = QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/capture/data/conversations.pcap");
        const auto cat = runCli({ u"cat"_s, pcap, u"--format"_s, u"jsonl"_s });
        QVERIFY2(cat->exitedWith(0), cat->diagnostics());
        QList<QByteArray> expected;
        QHash<QString, int> waiting; // connection -> its request's number
        int number = 0;
        for (const QByteArray &line : cat->lines()) {
            const QJsonObject record = object(line);
            if (record.contains(u"event"_s))
                continue;
            ++number;
            const QString socket = record.value(u"socket"_s).toString();
            const QString type = record.value(u"type"_s).toString();
            if (type == u"REQ"_s || type == u"DEALER"_s) {
                QVERIFY(!waiting.contains(socket));
                waiting.insert(socket, number);
            } else if (waiting.contains(socket)) {
                expected.append(QByteArray::number(waiting.take(socket)) + '>' + QByteArray::number(number));
            }
        }
        QVERIFY(waiting.isEmpty());
        QVERIFY2(expected.size() >= 8, QByteArray::number(expected.size()).constData());

        const auto run = runCli({ u"stats"_s, pcap, u"--pairs"_s, u"--format"_s, u"jsonl"_s });
        QVERIFY2(run->exitedWith(0), run->diagnostics());
        QList<QByteArray> pairs;
        const QList<QJsonObject> lines = objects(*run);
        for (const QJsonObject &line : lines.mid(0, lines.size() - 1)) {
            QVERIFY(line.value(u"latency_us"_s).toInteger() >= 0);
            pairs.append(QByteArray::number(line.value(u"request"_s).toInteger()) + '>'
                + QByteArray::number(line.value(u"reply"_s).toInteger()));
        }
        std::sort(expected.begin(), expected.end());
        std::sort(pairs.begin(), pairs.end());
        QCOMPARE(pairs, expected);
        const QJsonObject summary = lines.constLast().value(u"summary"_s).toObject();
        QCOMPARE(summary.value(u"requests"_s).toInt(), expected.size());
        QCOMPARE(summary.value(u"unanswered"_s).toInt(), 0);
    }

    void traffic()
    {
        const QList<CaptureRecord> records {
            message(0, u"SUB 1"_s, u"SUB"_s, Direction::In, "a", "{\"n\": 1}"),
            message(500'000, u"SUB 1"_s, u"SUB"_s, Direction::In, "a", "{\"n\": 12}"),
            message(1'000'000, u"SUB 1"_s, u"SUB"_s, Direction::In, "a", "{\"n\": 123}"),
            message(0, u"PULL 1"_s, u"PULL"_s, Direction::In, "b"),
        };
        const QString path = m_dir.filePath(u"traffic.zmqcap"_s);
        QVERIFY(writeCapture(path, records));
        const auto run = runCli({ u"stats"_s, path, u"--format"_s, u"jsonl"_s });
        QVERIFY2(run->exitedWith(0), run->diagnostics());
        const QList<QJsonObject> lines = objects(*run);
        QCOMPARE(lines.size(), 3);
        // Frames: "" + "a" + "application/json" (16) + the body.
        const QJsonObject &sub = lines.at(0);
        QCOMPARE(sub.value(u"socket"_s).toString(), u"SUB 1"_s);
        QCOMPARE(sub.value(u"messages"_s).toInt(), 3);
        QCOMPARE(sub.value(u"bytes"_s).toInt(), 3 * 17 + 8 + 9 + 10);
        QCOMPARE(sub.value(u"messages_per_s"_s).toDouble(), 3.0);
        QCOMPARE(sub.value(u"size_min"_s).toInt(), 25);
        QCOMPARE(sub.value(u"size_p50"_s).toInt(), 26);
        QCOMPARE(sub.value(u"size_max"_s).toInt(), 27);
        QCOMPARE(sub.value(u"directions"_s).toObject(), object(R"({"in": 3})"));
        QCOMPARE(lines.at(1).value(u"socket"_s).toString(), u"PULL 1"_s);
        QVERIFY(lines.at(1).value(u"messages_per_s"_s).isNull()); // one message: no rate
        QCOMPARE(lines.at(2), object(R"({"summary": {"sockets": 2, "messages": 4, "bytes": 97}})"));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("no file") << QStringList {} << 2 << QByteArray("FILE");
        QTest::newRow("bad --gaps") << QStringList { u"@"_s, u"--gaps"_s, u"a..b"_s } << 2
                                    << QByteArray("bad --gaps: at column 3:");
        QTest::newRow("bad --by") << QStringList { u"@"_s, u"--gaps"_s, u"seq"_s, u"--by"_s, u"peer"_s } << 2
                                  << QByteArray("bad --by \"peer\"; use socket or id");
        QTest::newRow("--by alone") << QStringList { u"@"_s, u"--by"_s, u"id"_s } << 2
                                    << QByteArray("--by needs --gaps FIELD");
        QTest::newRow("bad --filter") << QStringList { u"@"_s, u"--filter"_s, u"size >"_s } << 2
                                      << QByteArray("bad --filter at column");
        QTest::newRow("missing file")
            << QStringList { u"/nonexistent/x.zmqcap"_s } << 1 << QByteArray("/nonexistent/x.zmqcap");
    }
    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(const int, status);
        QFETCH(const QByteArray, message);
        const QString path = m_dir.filePath(u"empty-ok.zmqcap"_s);
        QVERIFY(writeCapture(path, {}));
        arguments.replaceInStrings(u"@"_s, path);
        const auto run = runCli(QStringList { u"stats"_s } + arguments);
        QVERIFY2(run->exitedWith(status), run->diagnostics());
        QVERIFY2(isOneErrorLine(run->err()), run->diagnostics());
        QVERIFY2(run->err().contains(message), run->diagnostics());
        QVERIFY(run->out().isEmpty());
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCliStats)
#include "tst_clistats.moc"
