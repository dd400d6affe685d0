// Tap benchmark (a program, not a test; issue 14, "Speed"): what does putting a ZmqScope tap
// between two programs cost them, compared with libzmq's own zmq_proxy between the same socket
// types, measured in the same run with the same peer processes?
//
// Throughput: a flood_sender process PUSHes N envelopes (12-digit sequence id, mimetype, body of
// --body bytes, 100 by default) into the forwarder, which PUSHes them on to a `bench_peer pull`
// process that checks every one (3 frames, the next sequence number, mimetype and body) and times
// them from its first to its last message. The forwarder is
//   (tap)    zmqscope::Engine::openTap(push-pull), storing every message in a MessageStore as
//            the app does (no printing), listening on tcp://127.0.0.1:* and connected to the
//            receiver; after the round its store, and its c2s counter, must hold all N in order;
//   (write)  with --write, the same tap also recording with Engine::startRecording to a capture
//            file in a temporary directory, which must end with all N lines;
//   (proxy)  zmq_proxy(PULL bound, PUSH connected to the receiver) in a thread of this process,
//            the PULL with the tap's rcvhwm (the engine's default) so both take the same queue.
// Latency: a `bench_peer req` process makes W + S round trips of small requests through the
// forwarder to a `bench_peer rep` process that echoes them (separate processes on both sides);
// the forwarder is the tap (req-rep: ROUTER facing the client, DEALER facing the server) or
// zmq_proxy(ROUTER, DEALER), the way zmq_proxy is used in front of a REP server.
//
// Rounds alternate tap, (write), proxy, so noise on a shared machine hits all alike; the figures
// are the medians of the rounds. A message lost, reordered or changed anywhere fails the run
// (exit 1): a fast wrong answer is no answer. A missed goal is printed, not an exit status (the
// figures of a loaded machine are only indicative).

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QThread>

#include <zmqscope/engine/engine.h>
#include <zmqscope/store/threadaffinity.h>

#include "benchcommon.h"
#include "benchengine.h"

using namespace Qt::StringLiterals;
using bench::print;

namespace {

constexpr char Mimetype[] = "application/octet-stream";
const QString Loopback = u"tcp://127.0.0.1:*"_s;
constexpr double ThroughputGoal = 0.8;
constexpr double WriteGoal = 0.5;
constexpr double AddedP50GoalUs = 50;

struct Settings
{
    qint64 messages = 1000000;
    qint64 bodyBytes = 100;
    int rounds = 3;
    qint64 latencySamples = 20000;
    qint64 warmup = 1000;
    qint64 requestBytes = 32;
    bool write = false;
    QString sender;
    QString peer;
};

enum class Forwarder
{
    Tap,
    TapWrite,
    Proxy,
};

QString label(Forwarder forwarder)
{
    switch (forwarder) {
    case Forwarder::Tap:
        return u"tap        "_s;
    case Forwarder::TapWrite:
        return u"tap --write"_s;
    case Forwarder::Proxy:
        return u"zmq_proxy  "_s;
    }
    return {};
}

// Threads of this process whose CPU time is told apart: the one that forwards (the engine's for the
// tap, zmq_proxy's own) and libzmq's I/O thread of the forwarder's context.
const QString EngineThread = u"zmqscope-engine"_s;
const QString ProxyThread = u"zmq-proxy"_s;
const QString IoThread = u"ZMQbg/IO/0"_s;

struct Throughput
{
    double rate = 0; ///< messages per second at the receiver, first to last message
    double cpuNsPerMessage = 0; ///< this process (forwarder, libzmq I/O, engine, store, recorder) per message
    double forwarderNsPerMessage = -1; ///< the forwarding thread alone; -1 where unknown
    double ioNsPerMessage = -1; ///< libzmq's I/O thread alone; -1 where unknown
};

/// CPU time of this process and of its forwarding and I/O threads over one round.
class CpuMeter
{
public:
    explicit CpuMeter(const QString &forwarderThread)
        : m_forwarderThread(forwarderThread)
        , m_process(bench::processCpuSeconds())
        , m_forwarder(bench::threadCpuSeconds(forwarderThread))
        , m_io(bench::threadCpuSeconds(IoThread))
    { }

    void stop(Throughput &result, qint64 messages) const
    {
        const auto perMessage = [messages](double before, double after) {
            // A thread not found before had not named itself yet (libzmq's I/O thread does so when it
            // first runs), so it had used next to nothing.
            return after >= 0 ? (after - std::max(before, 0.0)) * 1e9 / double(messages) : -1;
        };
        result.cpuNsPerMessage = perMessage(m_process, bench::processCpuSeconds());
        result.forwarderNsPerMessage = perMessage(m_forwarder, bench::threadCpuSeconds(m_forwarderThread));
        result.ioNsPerMessage = perMessage(m_io, bench::threadCpuSeconds(IoThread));
    }

private:
    QString m_forwarderThread;
    double m_process;
    double m_forwarder;
    double m_io;
};

struct Latency
{
    double p50Us = 0;
    double p99Us = 0;
};

// The engine's rcvhwm (Inspector defaults), given to zmq_proxy's sockets too so both queue alike.
int engineReceiveHwm(zmqscope::SocketType type)
{
    for (const auto &[name, value] : zmqscope::Engine::defaultOptions(type))
        if (name == "rcvhwm")
            return int(value.toInt());
    return 1000;
}

/**
 * zmq_proxy in a thread of its own with a context of its own: `front` bound to a free loopback
 * port (where the clients connect), `back` connected to `server`. Ends when destroyed.
 */
class Proxy
{
public:
    Proxy(zmq::socket_type front, zmq::socket_type back, const QString &server, int rcvhwm)
        : m_front(m_context, front)
        , m_back(m_context, back)
    {
        for (zmq::socket_t *socket : { &m_front, &m_back }) {
            socket->set(zmq::sockopt::rcvhwm, rcvhwm);
            socket->set(zmq::sockopt::linger, 0);
        }
        m_front.bind(Loopback.toStdString());
        m_back.connect(server.toStdString());
        m_thread = std::thread([this] {
            try {
                zmq::proxy(m_front, m_back);
            } catch (const zmq::error_t &error) {
                // ETERM is how it ends (the context was shut down); anything else is a failure.
                if (error.num() != ETERM)
                    m_error = error.what();
            }
        });
        zmqscope::setThreadName(m_thread, "zmq-proxy"); // ProxyThread: its CPU is measured
    }
    ~Proxy()
    {
        // zmq_proxy returns (ETERM, thrown as zmq::error_t) once the context is shut down.
        m_context.shutdown();
        m_thread.join();
        if (!m_error.empty())
            std::fprintf(stderr, "tap_bench: zmq_proxy failed: %s\n", m_error.c_str());
        m_front.close();
        m_back.close();
        m_context.close();
    }
    Proxy(const Proxy &) = delete;
    Proxy &operator=(const Proxy &) = delete;

    [[nodiscard]] QString endpoint() const
    {
        return QString::fromStdString(m_front.get(zmq::sockopt::last_endpoint));
    }

private:
    zmq::context_t m_context;
    zmq::socket_t m_front;
    zmq::socket_t m_back;
    std::string m_error; ///< set by the thread; read after joining it
    std::thread m_thread;
};

/// A tap opened in `engine`: its id and where the clients connect; it waits until the server's side
/// is connected, so neither forwarder's round includes a connection the other had already made.
struct OpenTap
{
    zmqscope::SocketId id = 0;
    QString listen;
};

OpenTap openTap(
    zmqscope::Engine &engine, QEventLoop &events, zmqscope::TapPattern pattern, const QString &server)
{
    zmqscope::TapSpec spec;
    spec.pattern = pattern;
    spec.name = u"bench"_s;
    spec.listen = { Loopback };
    spec.forward = { server };
    OpenTap tap;
    tap.listen = bench::waitForOpenedSocket(
        engine, events, [&] { tap.id = engine.openTap(spec); }, u"the tap"_s);
    for (int waited = 0;; waited += 5) {
        const std::optional<zmqscope::SocketInfo> info = engine.socket(tap.id);
        if (info && info->tap && info->tap->state.forwardState == zmqscope::SocketState::Connected)
            break;
        if (waited > 10000)
            bench::fail(u"the tap's server side did not connect to %1 within 10 s"_s.arg(server));
        QThread::msleep(5);
    }
    return tap;
}

zmqscope::TapCounters tapCounters(const zmqscope::Engine &engine, zmqscope::SocketId id)
{
    const std::optional<zmqscope::SocketInfo> info = engine.socket(id);
    if (!info || !info->tap)
        bench::fail(u"the tap %1 is not in the engine's socket table"_s.arg(id));
    return info->tap->counters;
}

QString recordingPath(Forwarder forwarder, const QTemporaryDir &dir)
{
    return forwarder == Forwarder::TapWrite ? dir.filePath(u"tap_bench.zmqcap"_s) : QString();
}

// Starts recording every socket to `path` and waits until the file is open.
void startRecording(zmqscope::Engine &engine, QEventLoop &events, const QString &path)
{
    QString error;
    bool started = false;
    const auto onStarted
        = QObject::connect(&engine, &zmqscope::Engine::recordingStarted, &events, [&](const QString &) {
              started = true;
              events.quit();
          });
    const auto onFailed
        = QObject::connect(&engine, &zmqscope::Engine::recordingFailed, &events, [&](const QString &message) {
              error = message;
              events.quit();
          });
    zmqscope::RecordingOptions options;
    options.file.path = path;
    engine.startRecording(options);
    events.exec();
    QObject::disconnect(onStarted);
    QObject::disconnect(onFailed);
    if (!started)
        bench::fail(u"cannot record to %1: %2"_s.arg(path, error));
}

// Stops the recording, and checks that it and its file hold `messages` messages, one line each.
void finishRecording(zmqscope::Engine &engine, QEventLoop &events, const QString &path, qint64 messages)
{
    QString error;
    quint64 recorded = 0;
    bool stopped = false;
    QObject::connect(
        &engine, &zmqscope::Engine::recordingStopped, &events, [&](const QString &, quint64 count) {
            recorded = count;
            stopped = true;
            events.quit();
        });
    QObject::connect(&engine, &zmqscope::Engine::recordingFailed, &events, [&](const QString &message) {
        error = message;
        events.quit();
    });
    engine.stopRecording();
    events.exec();
    if (!stopped)
        bench::fail(u"(write) the recording failed: %1"_s.arg(error));
    if (recorded != quint64(messages))
        bench::fail(u"(write) the recording wrote %1 messages, expected %2"_s.arg(recorded).arg(messages));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        bench::fail(u"(write) cannot read %1 back: %2"_s.arg(path, file.errorString()));
    qint64 lines = 0;
    QByteArray block;
    while (!(block = file.read(1 << 20)).isEmpty())
        lines += block.count('\n');
    file.close();
    QFile::remove(path);
    // The header line, then one line per message (a push-pull tap records no events).
    if (lines != messages + 1)
        bench::fail(u"(write) %1 has %2 lines, expected a header and %3 messages"_s.arg(path).arg(lines).arg(
            messages));
}

// "received N messages in S s (R msg/s)": the receiver's rate from its first to its last message.
double receivedRate(const QByteArray &output, qint64 messages)
{
    const QList<QByteArray> words = output.split('\n').constLast().split(' ');
    bool countOk = false;
    bool secondsOk = false;
    const qint64 count = words.size() > 4 && words[0] == "received" ? words[1].toLongLong(&countOk) : 0;
    const double seconds = words.size() > 4 ? words[4].toDouble(&secondsOk) : 0;
    if (!countOk || !secondsOk || count != messages)
        bench::fail(u"bench_peer pull did not receive %1 messages: %2"_s.arg(messages).arg(
            QString::fromUtf8(output)));
    return seconds > 0 ? double(messages - 1) / seconds : 0;
}

QStringList senderArguments(const QString &endpoint, const Settings &settings)
{
    return { u"--connect"_s, endpoint, u"--count"_s, QString::number(settings.messages), u"--body"_s,
        QString::number(settings.bodyBytes), u"--mimetype"_s, QString::fromLatin1(Mimetype), u"--quiet"_s };
}

// One throughput round through `forwarder`. Not inlined, so profilers show each round as one function.
Q_NEVER_INLINE Throughput runThroughput(
    Forwarder forwarder, const Settings &settings, const QTemporaryDir &dir)
{
    using namespace zmqscope;
    bench::PeerProcess receiver(u"bench_peer pull"_s, bench::PeerProcess::Status::Read);
    receiver.start(settings.peer,
        { u"pull"_s, u"--bind"_s, Loopback, u"--count"_s, QString::number(settings.messages), u"--body"_s,
            QString::number(settings.bodyBytes), u"--mimetype"_s, QString::fromLatin1(Mimetype) });
    const QString server = receiver.waitForBound();
    bench::FloodSender flood;
    Throughput result;
    const int timeoutMs = int(std::min<qint64>(600000, 60000 + settings.messages / 10));

    if (forwarder == Forwarder::Proxy) {
        const Proxy proxy(
            zmq::socket_type::pull, zmq::socket_type::push, server, engineReceiveHwm(SocketType::Pull));
        const CpuMeter cpu(ProxyThread);
        flood.start(settings.sender, senderArguments(proxy.endpoint(), settings));
        result.rate = receivedRate(receiver.finish(timeoutMs), settings.messages);
        cpu.stop(result, settings.messages);
        if (flood.finish() != std::uint64_t(settings.messages))
            bench::fail(u"(proxy) flood_sender did not send %1 messages"_s.arg(settings.messages));
        return result;
    }

    MessageStore store(bench::roomForAll(settings.messages, settings.bodyBytes));
    Engine engine(store);
    QEventLoop events;
    const OpenTap tap = openTap(engine, events, TapPattern::PushPull, server);
    const QString path = recordingPath(forwarder, dir);
    if (!path.isEmpty())
        startRecording(engine, events, path);
    const CpuMeter cpu(EngineThread);
    flood.start(settings.sender, senderArguments(tap.listen, settings));
    // The engine forwards in its own thread; this one only waits for the receiver's verdict.
    result.rate = receivedRate(receiver.finish(timeoutMs), settings.messages);
    cpu.stop(result, settings.messages);
    if (flood.finish() != std::uint64_t(settings.messages))
        bench::fail(u"(tap) flood_sender did not send %1 messages"_s.arg(settings.messages));

    // Every message the receiver got went through the tap's store (and recording) too.
    engine.sync(); // the engine's last batch is stored and its counters published
    const QString name = forwarder == Forwarder::TapWrite ? u"(write)"_s : u"(tap)"_s;
    const TapCounters counters = tapCounters(engine, tap.id);
    if (counters.clientToServer != std::uint64_t(settings.messages) || counters.serverToClient != 0)
        bench::fail(u"%1 the tap counted %2 c2s and %3 s2c messages, expected %4 and 0"_s.arg(name)
                        .arg(counters.clientToServer)
                        .arg(counters.serverToClient)
                        .arg(settings.messages));
    bench::verifyStore(
        name, store, tap.id, Direction::ClientToServer, settings.messages, settings.bodyBytes, Mimetype);
    if (!path.isEmpty())
        finishRecording(engine, events, path, settings.messages);
    return result;
}

// The round trips `bench_peer req` printed ("rtt_ns T" lines, then "round trips N in S s"), in µs.
std::vector<double> roundTrips(const QByteArray &output, qint64 samples)
{
    std::vector<double> microseconds;
    microseconds.reserve(std::size_t(samples));
    const QList<QByteArray> lines = output.split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("rtt_ns "))
            microseconds.push_back(line.mid(7).toDouble() / 1000.0);
    }
    if (qint64(microseconds.size()) != samples || !lines.constLast().startsWith("round trips"))
        bench::fail(
            u"bench_peer req reported %1 round trips, expected %2"_s.arg(microseconds.size()).arg(samples));
    return microseconds;
}

// One latency round through `forwarder` (Tap or Proxy).
Q_NEVER_INLINE Latency runLatency(Forwarder forwarder, const Settings &settings)
{
    using namespace zmqscope;
    const qint64 total = settings.warmup + settings.latencySamples;
    bench::PeerProcess server(u"bench_peer rep"_s, bench::PeerProcess::Status::Read);
    server.start(settings.peer, { u"rep"_s, u"--bind"_s, Loopback, u"--count"_s, QString::number(total) });
    const QString serverEndpoint = server.waitForBound();
    const QStringList clientArguments = { u"req"_s, u"--count"_s, QString::number(settings.latencySamples),
        u"--warmup"_s, QString::number(settings.warmup), u"--size"_s, QString::number(settings.requestBytes),
        u"--connect"_s };
    bench::PeerProcess client(u"bench_peer req"_s, bench::PeerProcess::Status::Read);
    const int timeoutMs = int(std::min<qint64>(600000, 60000 + total));
    std::vector<double> samples;

    if (forwarder == Forwarder::Proxy) {
        const Proxy proxy(zmq::socket_type::router, zmq::socket_type::dealer, serverEndpoint,
            engineReceiveHwm(SocketType::Router));
        client.start(settings.peer, clientArguments + QStringList { proxy.endpoint() });
        samples = roundTrips(client.finish(timeoutMs), settings.latencySamples);
        server.finish(timeoutMs);
    } else {
        MessageStore store(bench::roomForAll(2 * total, settings.requestBytes));
        Engine engine(store);
        QEventLoop events;
        const OpenTap tap = openTap(engine, events, TapPattern::ReqRep, serverEndpoint);
        client.start(settings.peer, clientArguments + QStringList { tap.listen });
        samples = roundTrips(client.finish(timeoutMs), settings.latencySamples);
        server.finish(timeoutMs);
        engine.sync();
        // Each request and each reply went through the store once.
        const TapCounters counters = tapCounters(engine, tap.id);
        if (counters.clientToServer != std::uint64_t(total) || counters.serverToClient != std::uint64_t(total)
            || store.endSeq() != std::uint64_t(2 * total))
            bench::fail(
                u"(tap latency) the tap forwarded %1 c2s and %2 s2c messages and stored %3, expected %4, %4 "
                u"and %5"_s.arg(counters.clientToServer)
                    .arg(counters.serverToClient)
                    .arg(store.endSeq())
                    .arg(total)
                    .arg(2 * total));
    }
    return { bench::percentile(samples, 50), bench::percentile(samples, 99) };
}

double median(std::vector<double> values)
{
    return bench::percentile(std::move(values), 50);
}

QString verdict(bool met)
{
    return met ? u"met"_s : u"NOT met"_s;
}

Settings parseSettings(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Forwards envelopes PUSH -> tap -> PULL and REQ/REP round trips through a ZmqScope tap (the real "
        u"Engine, storing every message) and through libzmq's zmq_proxy, with the same peer processes, and "
        u"prints both figures, the throughput ratio and the added latency."_s);
    parser.addHelpOption();
    parser.addOption({ u"messages"_s, u"Envelopes per throughput round (default 1000000)."_s, u"N"_s });
    parser.addOption({ u"body"_s, u"Body bytes per envelope (default 100)."_s, u"BYTES"_s, u"100"_s });
    parser.addOption(
        { u"rounds"_s, u"Rounds of each forwarder; medians are reported (default 3)."_s, u"R"_s });
    parser.addOption(
        { u"latency-samples"_s, u"Measured round trips per latency round (default 20000)."_s, u"N"_s });
    parser.addOption({ u"warmup"_s, u"Round trips before measuring (default 1000)."_s, u"N"_s });
    parser.addOption({ u"write"_s, u"Also run the tap recording to a capture file (goal ratio >= 0.5)."_s });
    parser.addOption({ u"quick"_s,
        u"A smoke run of a few seconds: 100000 messages, 1 round, 2000 round trips (options given "
        u"explicitly still count)."_s });
    parser.addOption({ u"peer"_s, u"The bench_peer program (default: the one built with this benchmark)."_s,
        u"PATH"_s, QString() });
    bench::FloodSender::addOption(parser);
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        bench::usageError(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));

    Settings settings;
    if (parser.isSet(u"quick"_s)) {
        settings.messages = 100000;
        settings.rounds = 1;
        settings.latencySamples = 2000;
        settings.warmup = 200;
    }
    const auto option = [&](const QString &name, qint64 fallback, qint64 minimum, qint64 maximum) {
        return parser.isSet(name) ? bench::integerOption(parser, name, minimum, maximum) : fallback;
    };
    settings.messages = option(u"messages"_s, settings.messages, 2, 1000000000);
    settings.bodyBytes = bench::integerOption(parser, u"body"_s, 0, qint64 { 64 } << 20);
    settings.rounds = int(option(u"rounds"_s, settings.rounds, 1, 100));
    settings.latencySamples = option(u"latency-samples"_s, settings.latencySamples, 1, 10000000);
    settings.warmup = option(u"warmup"_s, settings.warmup, 0, 10000000);
    settings.write = parser.isSet(u"write"_s);
    settings.sender = bench::FloodSender::program(parser);
    settings.peer = parser.value(u"peer"_s);
    if (settings.peer.isEmpty())
        settings.peer = bench::PeerProcess::sibling(u"bench_peer"_s, QStringLiteral(ZMQSCOPE_BENCH_PEER));
    if (!QFileInfo(settings.peer).isExecutable())
        bench::usageError(u"--peer \"%1\" is not an executable bench_peer"_s.arg(settings.peer));
    return settings;
}

int runBenchmark(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"tap_bench"_s);
    const Settings settings = parseSettings(app);
    QTemporaryDir dir;
    if (!dir.isValid())
        bench::fail(u"cannot create a temporary directory for the capture file: %1"_s.arg(dir.errorString()));

    print(u"ZmqScope tap benchmark"_s);
    QStringList options { u"--messages"_s, QString::number(settings.messages), u"--body"_s,
        QString::number(settings.bodyBytes), u"--rounds"_s, QString::number(settings.rounds),
        u"--latency-samples"_s, QString::number(settings.latencySamples), u"--warmup"_s,
        QString::number(settings.warmup) };
    if (settings.write)
        options.append(u"--write"_s);
    print(bench::reproduceLine(options));
    bench::printMachine();
    print(
        u"throughput: flood_sender process PUSH -> forwarder -> bench_peer pull process over "
        u"tcp://127.0.0.1, "
        u"%1 envelopes (id 12 B, mimetype %2 B, body %3 B), rate at the receiver from its first to its last "
        u"message"_s.arg(settings.messages)
            .arg(std::strlen(Mimetype))
            .arg(settings.bodyBytes));
    print(u"  tap:         Engine::openTap(push-pull) storing every message%1"_s.arg(settings.write
            ? u"; tap --write: also Engine::startRecording to a file in %1"_s.arg(dir.path())
            : QString()));
    print(u"  zmq_proxy:   PULL bound, PUSH connected, in a thread of this process (rcvhwm %1 as the tap's)"_s
              .arg(engineReceiveHwm(zmqscope::SocketType::Pull)));
    print(
        u"latency:    bench_peer req process -> forwarder -> bench_peer rep process, %1 + %2 round trips of "
        u"%3 B requests"_s.arg(settings.warmup)
            .arg(settings.latencySamples)
            .arg(settings.requestBytes));
    print(u"  tap:         Engine::openTap(req-rep) storing every message; zmq_proxy: ROUTER bound, DEALER "
          u"connected"_s);
    print(u"CPU: this process per message (every thread: forwarder, libzmq I/O, store, recorder), and its "
          u"forwarding thread (zmqscope-engine, zmq-proxy) and libzmq I/O thread alone (10 ms ticks)"_s);
    print(QString());

    std::vector<Forwarder> throughputOrder { Forwarder::Tap };
    if (settings.write)
        throughputOrder.push_back(Forwarder::TapWrite);
    throughputOrder.push_back(Forwarder::Proxy);
    std::map<Forwarder, std::vector<double>> rates;
    std::map<Forwarder, std::vector<double>> cpu;
    std::map<Forwarder, std::vector<double>> p50;
    std::map<Forwarder, std::vector<double>> p99;
    for (int round = 1; round <= settings.rounds; ++round) {
        for (const Forwarder forwarder : throughputOrder) {
            const Throughput result = runThroughput(forwarder, settings, dir);
            print(u"round %1 %2 %3 msg/s  (CPU ns/msg: process %4, forwarding thread %5, libzmq I/O %6)"_s
                      .arg(round)
                      .arg(label(forwarder))
                      .arg(result.rate, 9, 'f', 0)
                      .arg(result.cpuNsPerMessage, 0, 'f', 0)
                      .arg(result.forwarderNsPerMessage, 0, 'f', 0)
                      .arg(result.ioNsPerMessage, 0, 'f', 0));
            rates[forwarder].push_back(result.rate);
            cpu[forwarder].push_back(result.cpuNsPerMessage);
        }
        for (const Forwarder forwarder : { Forwarder::Tap, Forwarder::Proxy }) {
            const Latency result = runLatency(forwarder, settings);
            print(u"round %1 %2 round trip p50 %3 us  p99 %4 us"_s.arg(round)
                      .arg(label(forwarder))
                      .arg(result.p50Us, 6, 'f', 1)
                      .arg(result.p99Us, 6, 'f', 1));
            p50[forwarder].push_back(result.p50Us);
            p99[forwarder].push_back(result.p99Us);
        }
    }

    const double proxyRate = median(rates[Forwarder::Proxy]);
    const double addedP50 = median(p50[Forwarder::Tap]) - median(p50[Forwarder::Proxy]);
    const double addedP99 = median(p99[Forwarder::Tap]) - median(p99[Forwarder::Proxy]);
    print(QString());
    print(u"median of %1 round(s), load average %2 now:"_s.arg(settings.rounds)
              .arg(bench::loadAverage(), 0, 'f', 2));
    print(u"| Measure | tap | zmq_proxy | tap vs zmq_proxy | goal |"_s);
    print(u"|---|---|---|---|---|"_s);
    const auto rateRow = [&](Forwarder forwarder, double goal) {
        const double ratio = median(rates[forwarder]) / proxyRate;
        print(u"| %1 msg/s (CPU ns/msg) | %2 (%3) | %4 (%5) | ratio %6 | >= %7: %8 |"_s
                  .arg(forwarder == Forwarder::TapWrite ? u"throughput, tap --write"_s : u"throughput"_s)
                  .arg(median(rates[forwarder]), 0, 'f', 0)
                  .arg(median(cpu[forwarder]), 0, 'f', 0)
                  .arg(proxyRate, 0, 'f', 0)
                  .arg(median(cpu[Forwarder::Proxy]), 0, 'f', 0)
                  .arg(ratio, 0, 'f', 3)
                  .arg(goal, 0, 'f', 1)
                  .arg(verdict(ratio >= goal)));
    };
    rateRow(Forwarder::Tap, ThroughputGoal);
    if (settings.write)
        rateRow(Forwarder::TapWrite, WriteGoal);
    print(u"| round trip p50 (us) | %1 | %2 | added %3 | <= %4: %5 |"_s
              .arg(median(p50[Forwarder::Tap]), 0, 'f', 1)
              .arg(median(p50[Forwarder::Proxy]), 0, 'f', 1)
              .arg(addedP50, 0, 'f', 1)
              .arg(AddedP50GoalUs, 0, 'f', 0)
              .arg(verdict(addedP50 <= AddedP50GoalUs)));
    print(u"| round trip p99 (us) | %1 | %2 | added %3 | |"_s.arg(median(p99[Forwarder::Tap]), 0, 'f', 1)
              .arg(median(p99[Forwarder::Proxy]), 0, 'f', 1)
              .arg(addedP99, 0, 'f', 1));
    print(u"every message arrived: receiver counts and order, tap store%1 checked"_s.arg(
        settings.write ? u", recordings"_s : QString()));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    return bench::runGuarded(runBenchmark, argc, argv);
}
