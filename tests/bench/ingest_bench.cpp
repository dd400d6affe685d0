// Ingest benchmark (a program, not a test): how fast does the real engine
// take envelopes off a socket into the MessageStore, compared with a plain
// cppzmq blocking recv loop measured in the same run on the same machine?
//
// A separate flood_sender process PUSHes N three-frame envelopes (12-digit
// sequence id, mimetype, body) over tcp loopback to a PULL socket bound to
// tcp://127.0.0.1:*. They are received
//   (a) by zmqscope::Engine (engine thread, PollLoop, batches appended to a
//       MessageStore), headless: the main thread only sees messagesStored, and
//   (b) by a plain cppzmq blocking recv loop into three zmq::message_t,
// R rounds each, alternating, each with a fresh socket and sender process.
// Both receivers use the engine's default rcvhwm (100000); the sender uses
// libzmq's default sndhwm, so it runs at the receiver's pace. The rate of a
// round runs from the first to the last message; CPU is the whole receiving
// process (every thread) per message. Every message is checked afterwards
// (3 frames, body size, the id is the next sequence number), so a lost or
// reordered message fails the run (exit 1).

#include "benchcommon.h"
#include "benchengine.h"

#include <zmqscope/engine.h>

#include <zmq.hpp>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;
using bench::print;

namespace {

constexpr int StallTimeoutMs = 20000;
constexpr int ReceiveHwm = 100000; // zmqscope::Engine::defaultOptions(): the same for both receivers
constexpr char Mimetype[] = "application/octet-stream";
// The engine's thread name (Engine names its QThread so): on 2 cores, its own CPU per message says more
// about the store than the wall-clock ratio, which moves with whatever else the machine runs.
const QString EngineThreadName = u"zmqscope-engine"_s;

struct Workload
{
    qint64 messages = 0;
    qint64 bodyBytes = 0;
};

struct RoundResult
{
    qint64 measured = 0; // messages between the first and the last timestamp
    double seconds = 0;
    double cpuSeconds = 0; // the whole process, sender start to last message
    double engineCpuSeconds = -1; // (a) only: the engine thread alone, over the same span; -1 if unknown
    qint64 messages = 0;

    [[nodiscard]] double rate() const { return seconds > 0 ? double(measured) / seconds : 0; }
    [[nodiscard]] double cpuNsPerMessage() const { return messages > 0 ? cpuSeconds * 1e9 / double(messages) : 0; }
    [[nodiscard]] double engineCpuNsPerMessage() const
    {
        return messages > 0 && engineCpuSeconds >= 0 ? engineCpuSeconds * 1e9 / double(messages) : -1;
    }
};

QStringList senderArguments(const std::string &endpoint, const Workload &workload)
{
    return { u"--connect"_s, QString::fromStdString(endpoint), u"--count"_s, QString::number(workload.messages),
        u"--body"_s, QString::number(workload.bodyBytes), u"--mimetype"_s, QString::fromLatin1(Mimetype),
        u"--quiet"_s };
}

// (a) The real engine and store. Not inlined, so profilers show each receiver as one function.
Q_NEVER_INLINE RoundResult receiveWithEngine(const QString &sender, const Workload &workload)
{
    using namespace zmqscope;
    MessageStore::Limits limits;
    // Room for the whole run, so the check below sees every message (retention has its own tests).
    limits.maxMessages = std::uint64_t(workload.messages);
    limits.maxBytes = std::uint64_t(workload.messages) * std::uint64_t(workload.bodyBytes + 64) + (64 << 20);
    MessageStore store(limits);
    Engine engine(store);

    SocketSpec spec;
    spec.name = u"ingest"_s;
    spec.type = SocketType::Pull;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    QEventLoop events;
    SocketId id = 0;
    const QString endpoint = bench::waitForOpenedSocket(engine, events, [&] { id = engine.openSocket(spec); });
    QString error;

    RoundResult result;
    result.messages = workload.messages;
    const auto total = std::uint64_t(workload.messages);
    QElapsedTimer clock;
    std::uint64_t firstSeen = 0;
    QObject::connect(&engine, &Engine::messagesStored, &events, [&](quint64 endSeq) {
        if (firstSeen == 0) {
            clock.start();
            firstSeen = endSeq;
        }
        if (endSeq >= total) {
            result.seconds = double(clock.nsecsElapsed()) / 1e9;
            result.measured = qint64(endSeq - firstSeen);
            events.quit();
        }
    });
    const bench::StallWatchdog watchdog(store, total, StallTimeoutMs, events, error);

    bench::FloodSender flood;
    const double cpuBefore = bench::processCpuSeconds();
    const double engineCpuBefore = bench::threadCpuSeconds(EngineThreadName);
    flood.start(sender, senderArguments(endpoint.toStdString(), workload));
    events.exec();
    result.cpuSeconds = bench::processCpuSeconds() - cpuBefore;
    const double engineCpuAfter = bench::threadCpuSeconds(EngineThreadName);
    if (engineCpuBefore >= 0 && engineCpuAfter >= 0)
        result.engineCpuSeconds = engineCpuAfter - engineCpuBefore;
    if (!error.isEmpty())
        bench::fail(u"(a) engine: "_s + error);
    const std::uint64_t sent = flood.finish();
    if (sent != total)
        bench::fail(u"(a) flood_sender sent %1 messages, expected %2"_s.arg(sent).arg(total));

    // Every message, exactly once and in order.
    if (store.firstSeq() != 0 || store.endSeq() != total)
        bench::fail(u"(a) the store holds [%1, %2), expected [0, %3)"_s.arg(store.firstSeq())
                        .arg(store.endSeq())
                        .arg(total));
    MessageSummary summary;
    for (std::uint64_t seq = 0; seq < total; ++seq) {
        if (!store.summary(seq, summary, 32) || summary.socket != id || summary.kind != MessageKind::Envelope
            || summary.bodyBytes != std::uint64_t(workload.bodyBytes) || summary.mimetype != Mimetype
            || bench::parseSequence(summary.id.constData(), summary.id.size()) != seq)
            bench::fail(u"(a) message %1 in the store is not envelope number %1 (id \"%2\"): lost or reordered"_s
                            .arg(seq)
                            .arg(QString::fromLatin1(summary.id)));
    }
    return result;
}

// (b) A plain cppzmq blocking recv loop into zmq::message_t.
Q_NEVER_INLINE RoundResult receiveWithCppzmq(const QString &sender, const Workload &workload)
{
    zmq::context_t context;
    zmq::socket_t pull(context, zmq::socket_type::pull);
    pull.set(zmq::sockopt::rcvhwm, ReceiveHwm);
    pull.set(zmq::sockopt::rcvtimeo, StallTimeoutMs);
    pull.set(zmq::sockopt::linger, 0);
    pull.bind("tcp://127.0.0.1:*");

    RoundResult result;
    result.messages = workload.messages;
    bench::FloodSender flood;
    const double cpuBefore = bench::processCpuSeconds();
    flood.start(sender, senderArguments(pull.get(zmq::sockopt::last_endpoint), workload));
    QElapsedTimer clock;
    zmq::message_t id;
    zmq::message_t mimetype;
    zmq::message_t body;
    const auto mimetypeSize = std::strlen(Mimetype);
    for (qint64 received = 0; received < workload.messages; ++received) {
        if (!pull.recv(id))
            bench::fail(u"(b) no message for %1 ms after %2 of %3"_s.arg(StallTimeoutMs)
                            .arg(received)
                            .arg(workload.messages));
        if (received == 0)
            clock.start();
        if (!id.more() || !pull.recv(mimetype) || !mimetype.more() || !pull.recv(body) || body.more())
            bench::fail(u"(b) message %1 does not have exactly 3 frames"_s.arg(received));
        // The same checks (a) makes afterwards, made here as the message arrives.
        if (bench::parseSequence(id.data<char>(), qsizetype(id.size())) != std::uint64_t(received)
            || mimetype.size() != mimetypeSize || std::memcmp(mimetype.data(), Mimetype, mimetypeSize) != 0
            || qint64(body.size()) != workload.bodyBytes)
            bench::fail(u"(b) message %1 is not envelope number %1: lost or reordered"_s.arg(received));
    }
    result.seconds = double(clock.nsecsElapsed()) / 1e9;
    result.measured = workload.messages - 1;
    result.cpuSeconds = bench::processCpuSeconds() - cpuBefore;
    const std::uint64_t sent = flood.finish();
    if (sent != std::uint64_t(workload.messages))
        bench::fail(u"(b) flood_sender sent %1 messages, expected %2"_s.arg(sent).arg(workload.messages));
    return result;
}

QString rateLine(const QString &label, const RoundResult &round, qint64 bodyBytes)
{
    const double frameBytes = double(12 + std::strlen(Mimetype) + std::size_t(bodyBytes));
    QString line = u"%1 %2 msg/s  %3 MB/s  (%4 s; process CPU %5 ns/msg"_s.arg(label)
                       .arg(round.rate(), 9, 'f', 0)
                       .arg(round.rate() * frameBytes / 1e6, 7, 'f', 1)
                       .arg(round.seconds, 0, 'f', 3)
                       .arg(round.cpuNsPerMessage(), 0, 'f', 0);
    if (round.engineCpuNsPerMessage() >= 0)
        line += u"; engine thread CPU %1 ns/msg"_s.arg(round.engineCpuNsPerMessage(), 0, 'f', 0);
    return line + u")"_s;
}

RoundResult best(const std::vector<RoundResult> &rounds)
{
    return *std::max_element(rounds.begin(), rounds.end(),
        [](const RoundResult &a, const RoundResult &b) { return a.rate() < b.rate(); });
}

RoundResult median(std::vector<RoundResult> rounds)
{
    std::sort(rounds.begin(), rounds.end(),
        [](const RoundResult &a, const RoundResult &b) { return a.rate() < b.rate(); });
    return rounds[(rounds.size() - 1) / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"ingest_bench"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Receives envelopes from a separate flood_sender process over tcp loopback (a) through the real "
        u"zmqscope::Engine into a MessageStore and (b) with a plain cppzmq recv loop, and prints both rates "
        u"and the ratio (a)/(b) for each body size."_s);
    parser.addHelpOption();
    parser.addOption({ u"messages"_s, u"Messages per round (default 2000000)."_s, u"N"_s, u"2000000"_s });
    parser.addOption({ u"body"_s, u"Body sizes in bytes, comma-separated (default 100,1024,65536)."_s,
        u"LIST"_s, u"100,1024,65536"_s });
    parser.addOption({ u"big-messages"_s,
        u"Messages per round for bodies of 64 KiB or more, so a run fits in memory (default 10000)."_s, u"N"_s,
        u"10000"_s });
    parser.addOption({ u"rounds"_s, u"Rounds of each receiver per body size (default 3)."_s, u"R"_s, u"3"_s });
    parser.addOption({ u"receiver"_s,
        u"Run only receiver a (the engine) or b (the plain loop), e.g. under a profiler (default both)."_s,
        u"a|b|both"_s, u"both"_s });
    bench::FloodSender::addOption(parser);
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        bench::usageError(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));

    const qint64 messages = bench::integerOption(parser, u"messages"_s, 2, 1000000000);
    const qint64 bigMessages = bench::integerOption(parser, u"big-messages"_s, 2, 1000000000);
    const QList<qint64> bodies = bench::integerListOption(parser, u"body"_s, 0, 256 * 1024 * 1024);
    const int rounds = int(bench::integerOption(parser, u"rounds"_s, 1, 100));
    const QString sender = bench::FloodSender::program(parser);
    const QString receiver = parser.value(u"receiver"_s);
    if (receiver != u"a"_s && receiver != u"b"_s && receiver != u"both"_s)
        bench::usageError(u"--receiver \"%1\" is not one of a, b, both"_s.arg(receiver));
    const bool runEngine = receiver != u"b"_s;
    const bool runPlain = receiver != u"a"_s;

    print(u"ZmqScope ingest benchmark"_s);
    QStringList bodyTexts;
    for (const qint64 body : bodies)
        bodyTexts.append(QString::number(body));
    print(bench::reproduceLine({ u"--messages"_s, QString::number(messages), u"--body"_s, bodyTexts.join(u','),
        u"--big-messages"_s, QString::number(bigMessages), u"--rounds"_s, QString::number(rounds), u"--receiver"_s,
        receiver }));
    bench::printMachine();
    print(u"workload:  flood_sender process PUSH -> PULL over tcp://127.0.0.1, envelopes (id 12 B, mimetype "
          u"%1 B, body), rcvhwm %2, sndhwm 1000"_s.arg(std::strlen(Mimetype))
              .arg(ReceiveHwm));
    print(u"(a) zmqscope::Engine (engine thread, PollLoop drain, batched MessageStore::append), headless"_s);
    print(u"(b) plain cppzmq blocking recv into zmq::message_t"_s);

    for (const qint64 body : bodies) {
        const Workload workload { body >= 65536 ? bigMessages : messages, body };
        print(QString());
        print(u"-- %1 messages, %2-byte bodies"_s.arg(workload.messages).arg(body));
        std::vector<RoundResult> engineRounds;
        std::vector<RoundResult> plainRounds;
        for (int round = 1; round <= rounds; ++round) {
            if (runEngine) {
                engineRounds.push_back(receiveWithEngine(sender, workload));
                print(rateLine(u"round %1 (a)"_s.arg(round), engineRounds.back(), body));
            }
            if (runPlain) {
                plainRounds.push_back(receiveWithCppzmq(sender, workload));
                print(rateLine(u"round %1 (b)"_s.arg(round), plainRounds.back(), body));
            }
        }
        if (!runEngine || !runPlain)
            continue; // no ratio without both
        const RoundResult a = best(engineRounds);
        const RoundResult b = best(plainRounds);
        const RoundResult aMedian = median(engineRounds);
        const RoundResult bMedian = median(plainRounds);
        std::vector<double> engineRates;
        std::vector<double> plainRates;
        for (const RoundResult &r : engineRounds)
            engineRates.push_back(r.rate());
        for (const RoundResult &r : plainRounds)
            plainRates.push_back(r.rate());
        print(rateLine(u"best    (a) engine + store:  "_s, a, body));
        print(rateLine(u"best    (b) cppzmq recv loop:"_s, b, body));
        print(u"spread  (a) %1..%2 msg/s, (b) %3..%4 msg/s"_s
                  .arg(*std::min_element(engineRates.begin(), engineRates.end()), 0, 'f', 0)
                  .arg(*std::max_element(engineRates.begin(), engineRates.end()), 0, 'f', 0)
                  .arg(*std::min_element(plainRates.begin(), plainRates.end()), 0, 'f', 0)
                  .arg(*std::max_element(plainRates.begin(), plainRates.end()), 0, 'f', 0));
        std::vector<double> engineCpu;
        for (const RoundResult &r : engineRounds) {
            if (r.engineCpuNsPerMessage() >= 0)
                engineCpu.push_back(r.engineCpuNsPerMessage());
        }
        const QString engineCpuText = engineCpu.empty()
            ? u"engine thread CPU unknown"_s
            : u"engine thread CPU (a) %1..%2 ns/msg, median %3"_s
                  .arg(*std::min_element(engineCpu.begin(), engineCpu.end()), 0, 'f', 0)
                  .arg(*std::max_element(engineCpu.begin(), engineCpu.end()), 0, 'f', 0)
                  .arg(bench::percentile(engineCpu, 50), 0, 'f', 0);
        print(u"%1; load average %2 after the rounds"_s.arg(engineCpuText).arg(bench::loadAverage(), 0, 'f', 2));
        const double ratio = a.rate() / b.rate();
        const double medianRatio = aMedian.rate() / bMedian.rate();
        const double cpuRatio = b.cpuNsPerMessage() / a.cpuNsPerMessage();
        QString verdict;
        if (body == 100)
            verdict = ratio >= 0.8 ? u"  (goal >= 0.8: met)"_s : u"  (goal >= 0.8: NOT met)"_s;
        print(u"ratio (a)/(b), %1-byte bodies: best %2, median %3, CPU per message (b)/(a) %4%5"_s.arg(body)
                  .arg(ratio, 0, 'f', 3)
                  .arg(medianRatio, 0, 'f', 3)
                  .arg(cpuRatio, 0, 'f', 3)
                  .arg(verdict));
    }
    return 0;
}
