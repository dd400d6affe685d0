// Transport benchmark (a program, not a test): how fast does ZmqScope's receive
// path take envelopes off a socket, compared with a plain cppzmq receive loop
// measured in the same run on the same machine?
//
// A sender thread PUSHes N three-frame envelopes (id, mimetype, body) over tcp
// loopback to a PULL socket bound to tcp://127.0.0.1:*, with unlimited
// high-water marks so the sender never waits for the receiver. They are received
//   (a) by zmqscope::PollLoop::registerReceiver in a Qt event loop, each one
//       classified into a zmqscope::Envelope by Envelope::parse, and
//   (b) by a plain cppzmq blocking recv loop into zmq::message_t,
// R rounds each, alternating, every round with a fresh socket and sender. The
// rate of a round runs from its first to its last message; the figures are the
// medians of the rounds, and the ratio (a)/(b) is what the project's goal
// (>= 0.85) is about. Every message is checked (3 frames, body size, sequence
// number in order), so a lost or reordered message fails the run (exit 1).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include <zmqscope/transport.h>

#include "benchcommon.h"

#ifdef Q_OS_UNIX
#include <time.h>
#endif

using namespace Qt::StringLiterals;
using bench::print;

namespace {

constexpr char EnvelopeId[] = "bench";
constexpr char EnvelopeMimetype[] = "application/octet-stream";
constexpr qsizetype SequenceBytes = qsizetype(sizeof(std::uint64_t));
// No message for this long means the run is broken, not slow.
constexpr int StallTimeoutMs = 15000;

struct Settings
{
    qint64 messages = 1000000;
    qint64 bodyBytes = 100;
    int rounds = 3;
};

struct RoundResult
{
    qint64 received = 0;
    qint64 frameBytes = 0; // id + mimetype + body bytes received
    double seconds = 0; // first to last message
    double senderSeconds = 0; // the sender's own time for all messages
    double receiverCpuSeconds = -1; // CPU time of the receiving thread; -1 where it cannot be measured
    QString error; // empty when every message arrived whole and in order

    [[nodiscard]] double messagesPerSecond() const
    {
        return seconds > 0 ? double(received - 1) / seconds : 0;
    }
    [[nodiscard]] double megabytesPerSecond() const
    {
        return received > 1 ? messagesPerSecond() * double(frameBytes) / double(received) / 1e6 : 0;
    }
};

// CPU time of the calling thread: unlike wall-clock rates, it hardly depends on what else the machine runs.
double threadCpuSeconds()
{
#ifdef Q_OS_UNIX
    timespec now {};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) == 0)
        return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
#endif
    return -1;
}

// The sender: its own context (as a separate process would have), a PUSH
// socket with no high-water mark, N messages as fast as libzmq takes them.
class Sender
{
public:
    Sender(const std::string &endpoint, const Settings &settings)
        : m_thread([this, endpoint, settings] { run(endpoint, settings); })
    { }
    ~Sender() { join(); }
    Sender(const Sender &) = delete;
    Sender &operator=(const Sender &) = delete;

    void join()
    {
        if (m_thread.joinable())
            m_thread.join();
    }
    [[nodiscard]] double seconds() const { return m_seconds; }
    [[nodiscard]] const std::string &error() const { return m_error; }

private:
    void run(const std::string &endpoint, const Settings &settings)
    {
        try {
            zmq::context_t context;
            zmq::socket_t push(context, zmq::socket_type::push);
            push.set(zmq::sockopt::sndhwm, 0);
            push.set(zmq::sockopt::sndtimeo, StallTimeoutMs); // a vanished receiver must not hang us
            push.set(zmq::sockopt::linger, StallTimeoutMs);
            push.connect(endpoint);
            std::string body(size_t(settings.bodyBytes), 'x');
            const zmq::const_buffer id(EnvelopeId, std::strlen(EnvelopeId));
            const zmq::const_buffer mimetype(EnvelopeMimetype, std::strlen(EnvelopeMimetype));
            QElapsedTimer clock;
            clock.start();
            for (std::uint64_t sequence = 0; sequence < std::uint64_t(settings.messages); ++sequence) {
                std::memcpy(body.data(), &sequence, sizeof sequence);
                if (!push.send(id, zmq::send_flags::sndmore) || !push.send(mimetype, zmq::send_flags::sndmore)
                    || !push.send(zmq::buffer(body), zmq::send_flags::none)) {
                    m_error = "the sender timed out after message " + std::to_string(sequence);
                    return;
                }
            }
            m_seconds = double(clock.nsecsElapsed()) / 1e9;
            push.close();
            context.close(); // waits (linger) until everything queued went out
        } catch (const std::exception &error) {
            m_error = std::string("sender: ") + error.what();
        }
    }

    double m_seconds = 0;
    std::string m_error;
    std::thread m_thread;
};

// Checks one received message: the sequence number must be the next one.
// Returns an empty string when it is right.
QString checkMessage(qint64 expected, const char *body, size_t bodySize, const Settings &settings)
{
    if (qint64(bodySize) != settings.bodyBytes)
        return u"message %1 has a body of %2 bytes, expected %3"_s.arg(expected).arg(bodySize).arg(
            settings.bodyBytes);
    std::uint64_t sequence = 0;
    std::memcpy(&sequence, body, sizeof sequence);
    if (sequence != std::uint64_t(expected))
        return u"message %1 arrived as number %2: lost or reordered"_s.arg(expected).arg(sequence);
    return {};
}

// (a) PollLoop::registerReceiver -> Envelope::parse, in a Qt event loop.
// Not inlined, so that profilers (valgrind --tool=callgrind) show each receiver as one function.
Q_NEVER_INLINE RoundResult receiveWithPollLoop(const Settings &settings)
{
    RoundResult result;
    zmqscope::Context context;
    auto pull = zmqscope::Socket::create(zmqscope::SocketType::Pull, context);
    pull.setOption("rcvhwm", 0);
    pull.bind("tcp://127.0.0.1:*");

    zmqscope::PollLoop loop;
    QEventLoop events;
    QElapsedTimer clock;
    loop.registerReceiver(pull, [&](zmqscope::Socket &, zmqscope::Frames &&frames) {
        const auto parsed = zmqscope::Envelope::parse(frames);
        if (result.received == 0)
            clock.start();
        if (!parsed.envelope) {
            result.error = u"message %1 is not an envelope: %2"_s.arg(result.received).arg(parsed.reason);
            events.quit();
            return;
        }
        const zmqscope::Envelope &envelope = *parsed.envelope;
        if (parsed.kind != zmqscope::MessageKind::Envelope || envelope.id() != EnvelopeId
            || envelope.mimetype() != EnvelopeMimetype) {
            result.error = u"message %1 is not the envelope that was sent"_s.arg(result.received);
            events.quit();
            return;
        }
        const QString wrong = checkMessage(
            result.received, envelope.data().constData(), size_t(envelope.data().size()), settings);
        if (!wrong.isEmpty()) {
            result.error = wrong;
            events.quit();
            return;
        }
        result.frameBytes += envelope.id().size() + envelope.mimetype().size() + envelope.data().size();
        if (++result.received == settings.messages) {
            result.seconds = double(clock.nsecsElapsed()) / 1e9;
            events.quit();
        }
    });
    QObject::connect(
        &loop, &zmqscope::PollLoop::errorOccurred, &events, [&](zmqscope::Socket *, const QString &message) {
            result.error = u"PollLoop: "_s + message;
            events.quit();
        });

    // A watchdog, not a measurement: a run that stops making progress fails instead of hanging.
    qint64 lastSeen = -1;
    QTimer watchdog;
    watchdog.setInterval(StallTimeoutMs);
    QObject::connect(&watchdog, &QTimer::timeout, &events, [&] {
        if (result.received == lastSeen) {
            result.error = u"no message for %1 ms after %2 of %3"_s.arg(StallTimeoutMs)
                               .arg(result.received)
                               .arg(settings.messages);
            events.quit();
        }
        lastSeen = result.received;
    });
    watchdog.start();

    Sender sender(pull.lastEndpoint().toStdString(), settings);
    const double cpuBefore = threadCpuSeconds();
    events.exec();
    if (cpuBefore >= 0)
        result.receiverCpuSeconds = threadCpuSeconds() - cpuBefore;
    loop.unregisterSocket(pull);
    pull.close(); // after a failure the sender must not wait for this receiver
    sender.join();
    result.senderSeconds = sender.seconds();
    if (result.error.isEmpty() && !sender.error().empty())
        result.error = QString::fromStdString(sender.error());
    return result;
}

// (b) A plain cppzmq blocking recv loop into zmq::message_t.
Q_NEVER_INLINE RoundResult receiveWithCppzmq(const Settings &settings)
{
    RoundResult result;
    zmq::context_t context;
    zmq::socket_t pull(context, zmq::socket_type::pull);
    pull.set(zmq::sockopt::rcvhwm, 0);
    pull.set(zmq::sockopt::rcvtimeo, StallTimeoutMs);
    pull.set(zmq::sockopt::linger, 0);
    pull.bind("tcp://127.0.0.1:*");

    Sender sender(pull.get(zmq::sockopt::last_endpoint), settings);
    const double cpuBefore = threadCpuSeconds();
    QElapsedTimer clock;
    zmq::message_t id;
    zmq::message_t mimetype;
    zmq::message_t body;
    while (result.received < settings.messages) {
        if (!pull.recv(id)) {
            result.error = u"no message for %1 ms after %2 of %3"_s.arg(StallTimeoutMs)
                               .arg(result.received)
                               .arg(settings.messages);
            break;
        }
        if (result.received == 0)
            clock.start();
        if (!id.more() || !pull.recv(mimetype) || !mimetype.more() || !pull.recv(body) || body.more()) {
            result.error = u"message %1 does not have exactly 3 frames"_s.arg(result.received);
            break;
        }
        if (id.to_string_view() != EnvelopeId || mimetype.to_string_view() != EnvelopeMimetype) {
            result.error = u"message %1 is not the envelope that was sent"_s.arg(result.received);
            break;
        }
        const QString wrong = checkMessage(result.received, body.data<char>(), body.size(), settings);
        if (!wrong.isEmpty()) {
            result.error = wrong;
            break;
        }
        result.frameBytes += qint64(id.size() + mimetype.size() + body.size());
        ++result.received;
    }
    result.seconds = double(clock.nsecsElapsed()) / 1e9;
    if (cpuBefore >= 0)
        result.receiverCpuSeconds = threadCpuSeconds() - cpuBefore;
    pull.close();
    sender.join();
    result.senderSeconds = sender.seconds();
    if (result.error.isEmpty() && !sender.error().empty())
        result.error = QString::fromStdString(sender.error());
    return result;
}

QString rateLine(const QString &label, const RoundResult &round)
{
    QString line = u"%1 %2 msg/s  %3 MB/s  (%4 s; sender %5 s"_s.arg(label)
                       .arg(round.messagesPerSecond(), 9, 'f', 0)
                       .arg(round.megabytesPerSecond(), 6, 'f', 1)
                       .arg(round.seconds, 0, 'f', 3)
                       .arg(round.senderSeconds, 0, 'f', 3);
    if (round.receiverCpuSeconds >= 0)
        line += u"; receiver thread CPU %1 ns/msg"_s.arg(
            round.receiverCpuSeconds * 1e9 / double(round.received), 0, 'f', 0);
    return line + u')';
}

// The round with the median rate (the lower middle one for an even count).
RoundResult median(std::vector<RoundResult> rounds)
{
    std::sort(rounds.begin(), rounds.end(), [](const RoundResult &a, const RoundResult &b) {
        return a.messagesPerSecond() < b.messagesPerSecond();
    });
    return rounds[(rounds.size() - 1) / 2];
}

int runBenchmark(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"transport_bench"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Receives envelopes over tcp loopback (a) through zmqscope::PollLoop into Envelopes and (b) with a "
        u"plain cppzmq recv loop, and prints both rates and the ratio (a)/(b)."_s);
    parser.addHelpOption();
    parser.addOption({ u"messages"_s, u"Messages per round (default 1000000)."_s, u"N"_s, u"1000000"_s });
    parser.addOption(
        { u"body"_s, u"Body bytes per message, at least 8 (default 100)."_s, u"BYTES"_s, u"100"_s });
    parser.addOption(
        { u"rounds"_s, u"Rounds of each receiver; the median is reported (default 3)."_s, u"R"_s, u"3"_s });
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        bench::usageError(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().first()));

    Settings settings;
    settings.messages = bench::integerOption(parser, u"messages"_s, 2, 1000000000);
    settings.bodyBytes = bench::integerOption(parser, u"body"_s, SequenceBytes, qint64 { 256 } << 20);
    settings.rounds = int(bench::integerOption(parser, u"rounds"_s, 1, 100));

    print(u"ZmqScope %1 transport benchmark"_s.arg(zmqscope::libraryVersion()));
    print(bench::reproduceLine({ u"--messages"_s, QString::number(settings.messages), u"--body"_s,
        QString::number(settings.bodyBytes), u"--rounds"_s, QString::number(settings.rounds) }));
    bench::printMachine();
    print(u"workload:  %1 messages x 3 frames (id %2 B, mimetype %3 B, body %4 B), PUSH -> PULL over "
          u"tcp://127.0.0.1, hwm 0, sender in its own thread and context"_s.arg(settings.messages)
              .arg(std::strlen(EnvelopeId))
              .arg(std::strlen(EnvelopeMimetype))
              .arg(settings.bodyBytes));
    print(u"(a) zmqscope::PollLoop::registerReceiver + Envelope::parse, in a Qt event loop"_s);
    print(u"(b) plain cppzmq blocking recv into zmq::message_t"_s);
    print(QString());

    std::vector<RoundResult> pollLoopRounds;
    std::vector<RoundResult> cppzmqRounds;
    for (int round = 1; round <= settings.rounds; ++round) {
        for (const bool viaPollLoop : { true, false }) {
            const RoundResult result
                = viaPollLoop ? receiveWithPollLoop(settings) : receiveWithCppzmq(settings);
            const QString label = u"round %1 %2"_s.arg(round).arg(viaPollLoop ? u"(a)"_s : u"(b)"_s);
            if (!result.error.isEmpty())
                bench::fail(u"%1 failed: %2"_s.arg(label, result.error));
            print(rateLine(label, result));
            (viaPollLoop ? pollLoopRounds : cppzmqRounds).push_back(result);
        }
    }

    const RoundResult a = median(pollLoopRounds);
    const RoundResult b = median(cppzmqRounds);
    const double ratio = a.messagesPerSecond() / b.messagesPerSecond();
    print(QString());
    print(rateLine(u"median  (a) PollLoop -> Envelope:"_s, a));
    print(rateLine(u"median  (b) cppzmq recv loop:    "_s, b));
    print(u"ratio (a)/(b): %1  (goal >= 0.85: %2)"_s.arg(ratio, 0, 'f', 3)
              .arg(ratio >= 0.85 ? u"met"_s : u"NOT met"_s));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    return bench::runGuarded(runBenchmark, argc, argv);
}
