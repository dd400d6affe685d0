// Analysis benchmark (a program, not a test; issue 18): request/reply pairing and a sequence-gap check
// over a store of 1,000,000 messages, each against a plain single pass over the same store that reads
// every message's envelope id (MessageStore::visit plus the envelope layout), measured in the same run.
//
// The store holds 100-byte envelopes: half requests and half replies of a REQ socket (ids "req-N",
// a reply 50-500 µs after its request, 1 in 1000 requests unanswered), and bodies
// {"seq":N,"value":...} whose seq (counted per direction) skips a number every 10,000 messages. Each analysis
// runs from a fresh StoreAnalyzer over the whole store; its findings are checked against what was put in
// (exit 1 otherwise), so a fast wrong answer cannot pass.

#include <algorithm>
#include <cstdint>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include <zmqscope/analysis/storeanalyzer.h>
#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>

#include "benchcommon.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr SocketId Requester = 1;

struct Expected
{
    std::uint64_t requests = 0;
    std::uint64_t unanswered = 0;
    std::uint64_t gaps = 0;
};

Expected fill(MessageStore &store, qint64 messages, int bodyBytes)
{
    Expected expected;
    std::int64_t now = 1'800'000'000'000'000;
    std::uint64_t requestSeq = 0;
    std::uint64_t replySeq = 0;
    std::vector<NewMessage> batch;
    // Each direction is a stream of its own with its own numbers.
    const auto body = [&](std::uint64_t &seq) {
        if (++seq % 10'000 == 0) {
            ++seq; // a gap
            ++expected.gaps;
        }
        QByteArray text = "{\"seq\":" + QByteArray::number(seq) + ",\"value\":\"";
        text += QByteArray(std::max<qsizetype>(0, bodyBytes - text.size() - 2), 'x');
        text += "\"}";
        return text;
    };
    for (qint64 i = 0; i < messages; i += 2) {
        const QByteArray id = "req-" + QByteArray::number(i / 2);
        ++expected.requests;
        batch.push_back(
            { Requester, Direction::Out, now, Frames { id, "application/json", body(requestSeq) } });
        if ((i / 2) % 1000 == 999) {
            ++expected.unanswered; // the next request goes out with this one unanswered: REQ would
                                   // not, but a DEALER does, and the pairer must cope
        } else if (i + 1 < messages) {
            batch.push_back({ Requester, Direction::In, now + 50 + (i % 451),
                Frames { id, "application/json", body(replySeq) } });
        }
        now += 1000;
        if (batch.size() >= 10'000) {
            store.append(batch);
            batch.clear();
        }
    }
    store.append(batch);
    return expected;
}

double millis(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

int run(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Pairing and gap analysis over a store of N messages, against a plain pass reading ids."_s);
    parser.addHelpOption();
    parser.addOption({ u"messages"_s, u"Messages in the store (default 1000000)."_s, u"N"_s, u"1000000"_s });
    parser.addOption({ u"body"_s, u"Body bytes (default 100)."_s, u"BYTES"_s, u"100"_s });
    parser.addOption(
        { u"runs"_s, u"Runs of each measurement; the median is shown (default 5)."_s, u"N"_s, u"5"_s });
    parser.process(app);
    const qint64 messages = bench::integerOption(parser, u"messages"_s, 2, 50'000'000);
    const int bodyBytes = int(bench::integerOption(parser, u"body"_s, 16, 1 << 20));
    const int runs = int(bench::integerOption(parser, u"runs"_s, 1, 100));

    bench::printMachine();
    bench::print(bench::reproduceLine({ u"--messages"_s, QString::number(messages), u"--body"_s,
        QString::number(bodyBytes), u"--runs"_s, QString::number(runs) }));
    MessageStore store(MessageStore::Limits { std::uint64_t(messages) * 2, std::uint64_t(1) << 40 });
    const Expected expected = fill(store, messages, bodyBytes);
    bench::print(u"store: %1 messages, %2 MiB of frames"_s.arg(store.size())
                     .arg(double(store.stats().bytesKept) / 1048576.0, 0, 'f', 1));

    std::vector<double> baseline;
    std::vector<double> pairing;
    std::vector<double> gaps;
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        timer.start();
        std::uint64_t idBytes = 0;
        store.visit(store.firstSeq(), store.endSeq(), [&](const MessageView &message) {
            const qsizetype count = qsizetype(message.frames.size());
            const EnvelopeLayout layout
                = envelopeLayout(count, [&](qsizetype i) { return message.frames[std::size_t(i)].size(); });
            if (layout.kind != MessageKind::Raw)
                idBytes += std::uint64_t(message.frames[std::size_t(EnvelopeLayout::idIndex(count))].front());
            return true;
        });
        baseline.push_back(millis(timer));
        if (idBytes == 0)
            bench::fail(u"the plain pass read no id"_s);

        StoreAnalyzer pairs(store);
        pairs.setRoles({ { Requester, PairingRole::Client } });
        timer.start();
        const AnalysisDelta paired = pairs.update(std::uint64_t(messages));
        const LatencySummary summary = pairs.pairer().summary();
        pairing.push_back(millis(timer));
        if (summary.requests != expected.requests || summary.unanswered != expected.unanswered
            || paired.messagesRead != store.size())
            bench::fail(
                u"pairing found %1 requests, %2 unanswered; expected %3 and %4"_s.arg(summary.requests)
                    .arg(summary.unanswered)
                    .arg(expected.requests)
                    .arg(expected.unanswered));

        StoreAnalyzer sequences(store);
        sequences.setSequenceField(*JsonPath::parseField(u"seq"_s), SequenceStreams::BySocket);
        timer.start();
        const AnalysisDelta checked = sequences.update(std::uint64_t(messages));
        gaps.push_back(millis(timer));
        if (checked.findings.size() != expected.gaps || checked.sequences.missing != expected.gaps)
            bench::fail(u"the gap check found %1 findings, %2 missing; expected %3 gaps"_s
                            .arg(checked.findings.size())
                            .arg(checked.sequences.missing)
                            .arg(expected.gaps));
    }
    const double plain = bench::percentile(baseline, 50);
    const double paired = bench::percentile(pairing, 50);
    const double checked = bench::percentile(gaps, 50);
    bench::print(u"plain pass reading ids: %1 ms (median of %2)"_s.arg(plain, 0, 'f', 1).arg(runs));
    bench::print(
        u"pairing (%1 requests): %2 ms, %3x the plain pass; goal <= 1000 ms: %4"_s.arg(expected.requests)
            .arg(paired, 0, 'f', 1)
            .arg(paired / plain, 0, 'f', 1)
            .arg(paired <= 1000 ? u"met"_s : u"MISSED"_s));
    bench::print(u"gap check on json seq (%1 gaps): %2 ms, %3x the plain pass; goal <= 1000 ms: %4"_s
                     .arg(expected.gaps)
                     .arg(checked, 0, 'f', 1)
                     .arg(checked / plain, 0, 'f', 1)
                     .arg(checked <= 1000 ? u"met"_s : u"MISSED"_s));
    bench::print(u"load average: %1"_s.arg(bench::loadAverage(), 0, 'f', 2));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    return bench::runGuarded(run, argc, argv);
}
