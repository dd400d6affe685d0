// Ingest benchmark (a program, not a test): how fast does the real engine
// take envelopes off a socket into the MessageStore, compared with a plain
// cppzmq blocking recv loop measured in the same run on the same machine?
//
// A separate flood_sender process PUSHes N three-frame envelopes (12-digit
// sequence id, mimetype, body) over tcp loopback to a PULL socket bound to
// tcp://127.0.0.1:*. They are received
//   (a) by zmqscope::Engine (engine thread, PollLoop, batches appended to a
//       MessageStore), headless: the main thread only sees messagesStored, and
//   (b) by a plain cppzmq blocking recv loop into three zmq::message_t, and
//   (c) by the same plain loop that also appends each message to a MessageStore:
//       no engine, no PollLoop, no event loop. It is the least a receiver that keeps
//       the bytes can cost, so (a)/(c) shows what the engine adds and (c)/(b) what
//       keeping each message costs by itself, and
//   (d) by the same plain loop that copies each message's frames into one reused
//       1 MiB buffer: what merely reading the bytes costs, without a store,
// R rounds each, in turns, each with a fresh socket and sender process.
// All receivers use the engine's default rcvhwm (100000); the sender uses
// libzmq's default sndhwm, so it runs at the receiver's pace. The rate of a
// round runs from the first to the last message; CPU is the whole receiving
// process (every thread) per message. Every message is checked afterwards
// (3 frames, body size, the id is the next sequence number), so a lost or
// reordered message fails the run (exit 1); (c) checks its store as (a) does.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <numeric>
#include <span>
#include <zmq.hpp>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>

#include <zmqscope/engine/engine.h>

#include "benchcommon.h"
#include "benchengine.h"

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
    [[nodiscard]] double cpuNsPerMessage() const
    {
        return messages > 0 ? cpuSeconds * 1e9 / double(messages) : 0;
    }
    [[nodiscard]] double engineCpuNsPerMessage() const
    {
        return messages > 0 && engineCpuSeconds >= 0 ? engineCpuSeconds * 1e9 / double(messages) : -1;
    }
};

QStringList senderArguments(const std::string &endpoint, const Workload &workload)
{
    return { u"--connect"_s, QString::fromStdString(endpoint), u"--count"_s,
        QString::number(workload.messages), u"--body"_s, QString::number(workload.bodyBytes), u"--mimetype"_s,
        QString::fromLatin1(Mimetype), u"--quiet"_s };
}

// (a) The real engine and store. Not inlined, so profilers show each receiver as one function.
Q_NEVER_INLINE RoundResult receiveWithEngine(const QString &sender, const Workload &workload)
{
    using namespace zmqscope;
    MessageStore store(bench::roomForAll(workload.messages, workload.bodyBytes));
    Engine engine(store);

    SocketSpec spec;
    spec.name = u"ingest"_s;
    spec.type = SocketType::Pull;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    QEventLoop events;
    SocketId id = 0;
    const QString endpoint
        = bench::waitForOpenedSocket(engine, events, [&] { id = engine.openSocket(spec); });
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
    bench::verifyStore(
        u"(a)"_s, store, id, zmqscope::Direction::In, workload.messages, workload.bodyBytes, Mimetype);
    return result;
}

std::atomic<char> scratchSink { 0 };

enum class PlainLoop
{
    DropBytes, ///< (b)
    KeepInStore, ///< (c)
    CopyBytes, ///< (d)
};

// (b) A plain cppzmq blocking recv loop into zmq::message_t; (c) the same loop appending each message to
// `keep`, as the engine's receive path does (views of libzmq's buffers, one copy); (d) the same loop
// copying each message's frames into a small reused buffer.
Q_NEVER_INLINE RoundResult receiveWithCppzmq(const QString &sender, const Workload &workload,
    PlainLoop mode = PlainLoop::DropBytes, zmqscope::MessageStore *keep = nullptr)
{
    const QString label = mode == PlainLoop::KeepInStore ? u"(c)"_s
        : mode == PlainLoop::CopyBytes                   ? u"(d)"_s
                                                         : u"(b)"_s;
    constexpr zmqscope::SocketId KeptSocket = 1;
    // (d): 1 MiB stays in this CPU's cache, so the copy pays for reading the frames, not for fresh memory.
    constexpr std::size_t ScratchBytes = std::size_t(1) << 20;
    std::vector<char> scratch(mode == PlainLoop::CopyBytes ? ScratchBytes : 0);
    std::size_t scratchAt = 0;
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
    std::int64_t receivedUs = 0;
    for (qint64 received = 0; received < workload.messages; ++received) {
        if (!pull.recv(id))
            bench::fail(u"%1 no message for %2 ms after %3 of %4"_s.arg(label)
                            .arg(StallTimeoutMs)
                            .arg(received)
                            .arg(workload.messages));
        if (received == 0)
            clock.start();
        if (!id.more() || !pull.recv(mimetype) || !mimetype.more() || !pull.recv(body) || body.more())
            bench::fail(u"%1 message %2 does not have exactly 3 frames"_s.arg(label).arg(received));
        // The same checks (a) makes afterwards, made here as the message arrives.
        if (bench::parseSequence(id.data<char>(), qsizetype(id.size())) != std::uint64_t(received)
            || mimetype.size() != mimetypeSize || std::memcmp(mimetype.data(), Mimetype, mimetypeSize) != 0
            || qint64(body.size()) != workload.bodyBytes)
            bench::fail(
                u"%1 message %2 is not envelope number %2: lost or reordered"_s.arg(label).arg(received));
        if (mode == PlainLoop::CopyBytes) {
            for (const zmq::message_t *frame : { &id, &mimetype, &body }) {
                const std::size_t size = std::min(frame->size(), ScratchBytes);
                if (scratchAt + size > ScratchBytes)
                    scratchAt = 0;
                std::memcpy(scratch.data() + scratchAt, frame->data(), size);
                scratchAt += size;
            }
        } else if (keep) {
            const std::array<QByteArrayView, 3> frames { QByteArrayView(
                                                             id.data<char>(), qsizetype(id.size())),
                QByteArrayView(mimetype.data<char>(), qsizetype(mimetype.size())),
                QByteArrayView(body.data<char>(), qsizetype(body.size())) };
            if (received % 8 == 0) // as often as the engine reads the clock in a flood
                receivedUs = zmqscope::MessageStore::nowUs();
            keep->append(
                KeptSocket, zmqscope::Direction::In, receivedUs, std::span<const QByteArrayView>(frames));
        }
    }
    result.seconds = double(clock.nsecsElapsed()) / 1e9;
    result.measured = workload.messages - 1;
    result.cpuSeconds = bench::processCpuSeconds() - cpuBefore;
    const std::uint64_t sent = flood.finish();
    if (sent != std::uint64_t(workload.messages))
        bench::fail(
            u"%1 flood_sender sent %2 messages, expected %3"_s.arg(label).arg(sent).arg(workload.messages));
    if (keep)
        bench::verifyStore(label, *keep, KeptSocket, zmqscope::Direction::In, workload.messages,
            workload.bodyBytes, Mimetype);
    // Reads what (d) wrote, so the compiler cannot drop the copies as dead stores.
    scratchSink = std::accumulate(scratch.begin(), scratch.end(), scratchSink.load());
    return result;
}

// (c) The plain loop keeping every message in a store of its own, as large as (a)'s.
Q_NEVER_INLINE RoundResult receiveWithCppzmqIntoStore(const QString &sender, const Workload &workload)
{
    zmqscope::MessageStore store(bench::roomForAll(workload.messages, workload.bodyBytes));
    return receiveWithCppzmq(sender, workload, PlainLoop::KeepInStore, &store);
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
        u"zmqscope::Engine into a MessageStore, (b) with a plain cppzmq recv loop and (c) with the same loop "
        u"appending to a MessageStore, and prints the rates and the ratios (a)/(b), (c)/(b) and (a)/(c) for "
        u"each body size."_s);
    parser.addHelpOption();
    parser.addOption({ u"messages"_s, u"Messages per round (default 2000000)."_s, u"N"_s, u"2000000"_s });
    parser.addOption({ u"body"_s, u"Body sizes in bytes, comma-separated (default 100,1024,65536)."_s,
        u"LIST"_s, u"100,1024,65536"_s });
    parser.addOption({ u"big-messages"_s,
        u"Messages per round for bodies of 64 KiB or more, so a run fits in memory (default 10000)."_s,
        u"N"_s, u"10000"_s });
    parser.addOption(
        { u"rounds"_s, u"Rounds of each receiver per body size (default 3)."_s, u"R"_s, u"3"_s });
    parser.addOption({ u"receiver"_s,
        u"The receivers to run, e.g. only a under a profiler: letters from a (the engine), b (the plain "
        u"loop), "
        u"c (the plain loop into a store) and d (the plain loop copying the bytes) (default abcd)."_s,
        u"LETTERS"_s, u"abcd"_s });
    bench::FloodSender::addOption(parser);
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        bench::usageError(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));

    const qint64 messages = bench::integerOption(parser, u"messages"_s, 2, 1000000000);
    const qint64 bigMessages = bench::integerOption(parser, u"big-messages"_s, 2, 1000000000);
    const QList<qint64> bodies = bench::integerListOption(parser, u"body"_s, 0, qint64 { 256 } << 20);
    const int rounds = int(bench::integerOption(parser, u"rounds"_s, 1, 100));
    const QString sender = bench::FloodSender::program(parser);
    const QString receiver = parser.value(u"receiver"_s);
    if (receiver.isEmpty()
        || std::any_of(receiver.begin(), receiver.end(), [](QChar c) { return !u"abcd"_s.contains(c); }))
        bench::usageError(u"--receiver \"%1\" is not made of the letters a, b, c and d"_s.arg(receiver));
    const bool runEngine = receiver.contains(u'a');
    const bool runPlain = receiver.contains(u'b');
    const bool runKeeping = receiver.contains(u'c');
    const bool runCopying = receiver.contains(u'd');

    print(u"ZmqScope ingest benchmark"_s);
    QStringList bodyTexts;
    for (const qint64 body : bodies)
        bodyTexts.append(QString::number(body));
    print(bench::reproduceLine({ u"--messages"_s, QString::number(messages), u"--body"_s,
        bodyTexts.join(u','), u"--big-messages"_s, QString::number(bigMessages), u"--rounds"_s,
        QString::number(rounds), u"--receiver"_s, receiver }));
    bench::printMachine();
    print(u"workload:  flood_sender process PUSH -> PULL over tcp://127.0.0.1, envelopes (id 12 B, mimetype "
          u"%1 B, body), rcvhwm %2, sndhwm 1000"_s.arg(std::strlen(Mimetype))
              .arg(ReceiveHwm));
    print(u"(a) zmqscope::Engine (engine thread, PollLoop drain, batched MessageStore::append), headless"_s);
    print(u"(b) plain cppzmq blocking recv into zmq::message_t"_s);
    print(
        u"(c) the same plain loop, appending each message to a MessageStore (no engine): what keeping costs"_s);
    print(
        u"(d) the same plain loop, copying each message's frames into one reused 1 MiB buffer: what reading "
        u"the bytes costs"_s);

    for (const qint64 body : bodies) {
        const Workload workload { body >= 65536 ? bigMessages : messages, body };
        print(QString());
        print(u"-- %1 messages, %2-byte bodies"_s.arg(workload.messages).arg(body));
        std::vector<RoundResult> engineRounds;
        std::vector<RoundResult> plainRounds;
        std::vector<RoundResult> keepingRounds;
        std::vector<RoundResult> copyingRounds;
        for (int round = 1; round <= rounds; ++round) {
            if (runEngine) {
                engineRounds.push_back(receiveWithEngine(sender, workload));
                print(rateLine(u"round %1 (a)"_s.arg(round), engineRounds.back(), body));
            }
            if (runPlain) {
                plainRounds.push_back(receiveWithCppzmq(sender, workload));
                print(rateLine(u"round %1 (b)"_s.arg(round), plainRounds.back(), body));
            }
            if (runKeeping) {
                keepingRounds.push_back(receiveWithCppzmqIntoStore(sender, workload));
                print(rateLine(u"round %1 (c)"_s.arg(round), keepingRounds.back(), body));
            }
            if (runCopying) {
                copyingRounds.push_back(receiveWithCppzmq(sender, workload, PlainLoop::CopyBytes));
                print(rateLine(u"round %1 (d)"_s.arg(round), copyingRounds.back(), body));
            }
        }
        const std::array<std::pair<QString, const std::vector<RoundResult> *>, 4> receivers {
            std::pair { u"(a) engine + store:        "_s, &engineRounds },
            std::pair { u"(b) cppzmq recv loop:      "_s, &plainRounds },
            std::pair { u"(c) recv loop + store:     "_s, &keepingRounds },
            std::pair { u"(d) recv loop + copy:      "_s, &copyingRounds }
        };
        QStringList spread;
        for (const auto &[label, results] : receivers) {
            if (results->empty())
                continue;
            print(rateLine(u"best    "_s + label, best(*results), body));
            const auto [slowest, fastest] = std::minmax_element(results->begin(), results->end(),
                [](const RoundResult &x, const RoundResult &y) { return x.rate() < y.rate(); });
            spread.append(u"%1 %2..%3 msg/s"_s.arg(label.left(3))
                              .arg(slowest->rate(), 0, 'f', 0)
                              .arg(fastest->rate(), 0, 'f', 0));
        }
        print(u"spread  "_s + spread.join(u", "_s));
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
        print(u"%1; load average %2 after the rounds"_s.arg(engineCpuText)
                  .arg(bench::loadAverage(), 0, 'f', 2));
        // Best against best and median against median; CPU per message of the whole process, best rounds.
        const auto printRatio = [&](const QString &name, const std::vector<RoundResult> &top,
                                    const std::vector<RoundResult> &bottom, const QString &verdict) {
            if (top.empty() || bottom.empty())
                return;
            print(u"ratio %1, %2-byte bodies: best %3, median %4; process CPU per message %1 %5%6"_s.arg(name)
                      .arg(body)
                      .arg(best(top).rate() / best(bottom).rate(), 0, 'f', 3)
                      .arg(median(top).rate() / median(bottom).rate(), 0, 'f', 3)
                      .arg(best(top).cpuNsPerMessage() / best(bottom).cpuNsPerMessage(), 0, 'f', 3)
                      .arg(verdict));
        };
        QString verdict;
        if (body == 100 && runEngine && runPlain)
            verdict = best(engineRounds).rate() / best(plainRounds).rate() >= 0.8
                ? u"  (goal >= 0.8: met)"_s
                : u"  (goal >= 0.8: NOT met)"_s;
        printRatio(u"(a)/(b)"_s, engineRounds, plainRounds, verdict);
        printRatio(u"(c)/(b)"_s, keepingRounds, plainRounds, QString());
        printRatio(u"(d)/(b)"_s, copyingRounds, plainRounds, QString());
        printRatio(u"(a)/(c)"_s, engineRounds, keepingRounds, QString());
    }
    return 0;
}
