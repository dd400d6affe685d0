// Memory benchmark (a program, not a test): what does the real engine and
// store cost in resident memory per retained message, beyond the message's
// own frame bytes?
//
// For each count N it runs itself as a child process (a fresh heap, its own
// peak): the child opens a PULL socket through zmqscope::Engine with a store
// large enough to keep all N, notes its resident size (the fixed base: Qt,
// libzmq, the engine thread), resets the peak, lets a flood_sender process
// PUSH N envelopes (12-byte id, 24-byte mimetype, body) over tcp loopback
// and, once all N are stored, reads the peak resident size (VmHWM). The
// overhead per message is (peak - base - frame bytes kept) / N; it includes
// libzmq's receive queue while the flood lasts, which does not grow with N,
// so the marginal figure between the two counts is the store's own cost.
// The baseline is what the frame bytes alone need (N x frame bytes).

#include <cstring>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>

#include <zmqscope/engine/engine.h>

#include "benchcommon.h"
#include "benchengine.h"

using namespace Qt::StringLiterals;
using bench::print;

namespace {

constexpr int StallTimeoutMs = 20000;
constexpr char Mimetype[] = "application/octet-stream";
constexpr double GoalBytesPerMessage = 64;

struct ChildResult
{
    qint64 messages = 0;
    std::uint64_t base = 0; ///< RSS before the flood
    std::uint64_t peak = 0; ///< VmHWM after everything was stored
    std::uint64_t end = 0; ///< RSS at the end
    std::uint64_t frameBytes = 0; ///< what the store keeps
    std::uint64_t storeMemory = 0; ///< MessageStore::Stats::memoryInUse
    double seconds = 0;

    [[nodiscard]] double overheadPerMessage() const
    {
        return (double(peak) - double(base) - double(frameBytes)) / double(messages);
    }
};

// The child: one engine, one flood, one line "result ..." on stdout.
int runChild(qint64 messages, qint64 body, const QString &sender)
{
    using namespace zmqscope;
    MessageStore::Limits limits;
    limits.maxMessages = std::uint64_t(messages);
    limits.maxBytes = std::uint64_t(messages) * std::uint64_t(body + 64 + 16) + (std::uint64_t { 64 } << 20);
    MessageStore store(limits);
    Engine engine(store);
    SocketSpec spec;
    spec.type = SocketType::Pull;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    QEventLoop events;
    const QString endpoint = bench::waitForOpenedSocket(engine, events, [&] { engine.openSocket(spec); });
    QString error;

    ChildResult result;
    result.messages = messages;
    result.base = bench::currentRssBytes();
    // Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so the peak is the flood's.
    QFile clearRefs(u"/proc/self/clear_refs"_s);
    if (!clearRefs.open(QIODevice::WriteOnly) || clearRefs.write("5") != 1)
        bench::fail(u"cannot reset the peak RSS through /proc/self/clear_refs"_s);
    clearRefs.close();

    QObject::connect(&engine, &Engine::messagesStored, &events, [&](quint64 endSeq) {
        if (endSeq >= std::uint64_t(messages))
            events.quit();
    });
    const bench::StallWatchdog watchdog(store, std::uint64_t(messages), StallTimeoutMs, events, error);
    bench::FloodSender flood;
    QElapsedTimer clock;
    clock.start();
    flood.start(sender,
        { u"--connect"_s, endpoint, u"--count"_s, QString::number(messages), u"--body"_s,
            QString::number(body), u"--mimetype"_s, QString::fromLatin1(Mimetype), u"--quiet"_s });
    events.exec();
    result.seconds = double(clock.nsecsElapsed()) / 1e9;
    if (!error.isEmpty())
        bench::fail(error);
    if (flood.finish() != std::uint64_t(messages))
        bench::fail(u"flood_sender did not send %1 messages"_s.arg(messages));
    const MessageStore::Stats stats = store.stats();
    if (stats.kept != std::uint64_t(messages) || stats.evicted != 0)
        bench::fail(u"the store keeps %1 and evicted %2 messages, expected %3 and 0"_s.arg(stats.kept)
                        .arg(stats.evicted)
                        .arg(messages));
    result.peak = bench::peakRssBytes();
    result.end = bench::currentRssBytes();
    result.frameBytes = stats.bytesKept;
    result.storeMemory = stats.memoryInUse;
    print(u"result %1 %2 %3 %4 %5 %6 %7"_s.arg(result.messages)
              .arg(result.base)
              .arg(result.peak)
              .arg(result.end)
              .arg(result.frameBytes)
              .arg(result.storeMemory)
              .arg(result.seconds, 0, 'f', 3));
    return 0;
}

ChildResult runInChild(qint64 messages, qint64 body, const QString &sender)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(),
        { u"--child"_s, QString::number(messages), u"--body"_s, QString::number(body), u"--sender"_s,
            sender });
    if (!child.waitForStarted(10000) || !child.waitForFinished(600000) || child.exitCode() != 0)
        bench::fail(u"the child for %1 messages failed (exit code %2)"_s.arg(messages).arg(child.exitCode()));
    const QList<QByteArray> fields
        = child.readAllStandardOutput().trimmed().split('\n').constLast().split(' ');
    if (fields.size() != 8 || fields[0] != "result")
        bench::fail(u"the child for %1 messages printed no result line"_s.arg(messages));
    ChildResult result;
    result.messages = fields[1].toLongLong();
    result.base = fields[2].toULongLong();
    result.peak = fields[3].toULongLong();
    result.end = fields[4].toULongLong();
    result.frameBytes = fields[5].toULongLong();
    result.storeMemory = fields[6].toULongLong();
    result.seconds = fields[7].toDouble();
    return result;
}

QString mib(std::uint64_t bytes)
{
    return QString::number(double(bytes) / double(1 << 20), 'f', 1);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"memory_bench"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Measures the peak resident memory per message that zmqscope::Engine and its MessageStore need "
        u"beyond the frame bytes, each count in a fresh child process fed by flood_sender."_s);
    parser.addHelpOption();
    parser.addOption({ u"messages"_s, u"Message counts, comma-separated (default 1000000,5000000)."_s,
        u"LIST"_s, u"1000000,5000000"_s });
    parser.addOption({ u"body"_s, u"Body bytes per message (default 100)."_s, u"BYTES"_s, u"100"_s });
    parser.addOption(
        { u"rounds"_s, u"Runs per count; the lowest peak is reported (default 1)."_s, u"R"_s, u"1"_s });
    QCommandLineOption childOption(u"child"_s, u"(internal) Measure N messages in this process."_s, u"N"_s);
    childOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(childOption);
    bench::FloodSender::addOption(parser);
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        bench::usageError(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));

    const qint64 body = bench::integerOption(parser, u"body"_s, 0, qint64 { 64 } << 20);
    const QString sender = bench::FloodSender::program(parser);
    if (parser.isSet(childOption))
        return runChild(bench::integerOption(parser, u"child"_s, 1, 1000000000), body, sender);

    const QList<qint64> counts = bench::integerListOption(parser, u"messages"_s, 1, 1000000000);
    const int rounds = int(bench::integerOption(parser, u"rounds"_s, 1, 20));
    QStringList countTexts;
    for (const qint64 count : counts)
        countTexts.append(QString::number(count));

    print(u"ZmqScope memory benchmark"_s);
    print(bench::reproduceLine({ u"--messages"_s, countTexts.join(u','), u"--body"_s, QString::number(body),
        u"--rounds"_s, QString::number(rounds) }));
    bench::printMachine();
    const qint64 ownBytes = 12 + qint64(std::strlen(Mimetype)) + body;
    print(u"workload:  flood_sender process PUSH -> engine PULL over tcp://127.0.0.1, envelopes of %1 frame "
          u"bytes (id 12 B, mimetype %2 B, body %3 B); store limits above the count (nothing evicted)"_s
              .arg(ownBytes)
              .arg(std::strlen(Mimetype))
              .arg(body));
    print(
        u"baseline:  the frame bytes alone, %1 B per message; overhead = (peak RSS - RSS before the flood - "
        u"frame bytes) / messages"_s.arg(ownBytes));
    print(QString());

    std::vector<ChildResult> results;
    for (const qint64 count : counts) {
        ChildResult best;
        for (int round = 0; round < rounds; ++round) {
            const ChildResult result = runInChild(count, body, sender);
            if (round == 0 || result.peak < best.peak)
                best = result;
        }
        results.push_back(best);
        const double perMessageStore
            = (double(best.storeMemory) - double(best.frameBytes)) / double(best.messages);
        print(
            u"%1 messages: base %2 MiB, peak %3 MiB, end %4 MiB, frame bytes %5 MiB (%6 s); peak per message "
            u"%7 B = %8 B frames + %9 B overhead (store's own accounting: %10 B/msg beyond frames); ratio "
            u"peak growth / frame bytes %11"_s.arg(best.messages)
                .arg(mib(best.base), mib(best.peak), mib(best.end), mib(best.frameBytes))
                .arg(best.seconds, 0, 'f', 1)
                .arg((double(best.peak) - double(best.base)) / double(best.messages), 0, 'f', 1)
                .arg(double(best.frameBytes) / double(best.messages), 0, 'f', 1)
                .arg(best.overheadPerMessage(), 0, 'f', 1)
                .arg(perMessageStore, 0, 'f', 1)
                .arg((double(best.peak) - double(best.base)) / double(best.frameBytes), 0, 'f', 3));
    }
    print(QString());
    // Overhead = fixed base + k x messages: with two counts or more, k is the growth between the
    // smallest and the largest, and the base what is left at the smallest (libzmq's receive queue
    // while the flood lasts, the chunk being filled); with one count, all of it is charged to k.
    double perMessage = results.front().overheadPerMessage();
    if (results.size() >= 2) {
        const ChildResult &low = results.front();
        const ChildResult &high = results.back();
        const auto overhead
            = [](const ChildResult &r) { return double(r.peak) - double(r.base) - double(r.frameBytes); };
        perMessage = (overhead(high) - overhead(low)) / double(high.messages - low.messages);
        const double fixed = overhead(low) - perMessage * double(low.messages);
        print(u"overhead = %1 MiB fixed + %2 B per message (growth from %3 to %4 messages)"_s
                  .arg(fixed / double(1 << 20), 0, 'f', 1)
                  .arg(perMessage, 0, 'f', 1)
                  .arg(low.messages)
                  .arg(high.messages));
    }
    print(u"goal: at most %1 B per message beyond the frame bytes (plus a fixed base): %2 B, %3"_s
              .arg(GoalBytesPerMessage, 0, 'f', 0)
              .arg(perMessage, 0, 'f', 1)
              .arg(perMessage <= GoalBytesPerMessage ? u"met"_s : u"NOT met"_s));
    return 0;
}
