// CLI benchmark (a program, not a test): how fast does the real
// `zmqscope-cli listen --format jsonl > /dev/null` take envelopes, compared
// with a plain cppzmq blocking recv loop measured in the same run?
//
// (a) zmqscope-cli listen -t pull --bind tcp://127.0.0.1:* --format jsonl
//     --count N runs as its own process with stdout on /dev/null; once it
//     reports its endpoint, a flood_sender process PUSHes N envelopes
//     (12-digit id, mimetype, body) to it. The time runs from starting the
//     sender to the listener's exit (it exits after the Nth message).
// (b) a plain cppzmq PULL in this process receives the same flood; the time
//     runs from starting the sender to the Nth message.
// Both include the sender's start-up, so the ratio compares like with like.

#include <algorithm>
#include <cstring>
#include <zmq.hpp>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>

#include "benchcommon.h"

using namespace Qt::StringLiterals;
using bench::print;

namespace {

constexpr int StallTimeoutMs = 20000;
constexpr char Mimetype[] = "application/octet-stream";

QStringList senderArguments(const QString &endpoint, qint64 messages, qint64 body)
{
    return { u"--connect"_s, endpoint, u"--count"_s, QString::number(messages), u"--body"_s,
        QString::number(body), u"--mimetype"_s, QString::fromLatin1(Mimetype), u"--quiet"_s };
}

// (a) The real zmqscope-cli; returns seconds from the sender's start to the listener's exit.
double runCli(const QString &cli, const QString &sender, qint64 messages, qint64 body)
{
    QProcess listener;
    listener.setStandardOutputFile(QProcess::nullDevice());
    listener.start(cli,
        { u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--format"_s, u"jsonl"_s,
            u"--count"_s, QString::number(messages), u"--timeout"_s, QString::number(StallTimeoutMs) });
    if (!listener.waitForStarted(10000))
        bench::fail(u"cannot start %1: %2"_s.arg(cli, listener.errorString()));
    // It reports "... bound to tcp://127.0.0.1:PORT" on stderr once it listens.
    static const QRegularExpression boundTo(u"tcp://127\\.0\\.0\\.1:[0-9]+"_s);
    QByteArray status;
    QString endpoint;
    QElapsedTimer waited;
    waited.start();
    while (endpoint.isEmpty() && waited.elapsed() < 10000) {
        listener.waitForReadyRead(100);
        status += listener.readAllStandardError();
        endpoint = boundTo.match(QString::fromUtf8(status)).captured();
        if (listener.state() == QProcess::NotRunning)
            break;
    }
    if (endpoint.isEmpty())
        bench::fail(u"zmqscope-cli listen did not report its endpoint: %1"_s.arg(QString::fromUtf8(status)));

    bench::FloodSender flood;
    QElapsedTimer clock;
    clock.start();
    flood.start(sender, senderArguments(endpoint, messages, body));
    if (!listener.waitForFinished(600000))
        bench::fail(u"zmqscope-cli listen did not finish"_s);
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    if (listener.exitStatus() != QProcess::NormalExit || listener.exitCode() != 0)
        bench::fail(u"zmqscope-cli listen failed (exit code %1): %2"_s.arg(listener.exitCode())
                        .arg(QString::fromUtf8(status + listener.readAllStandardError())));
    if (flood.finish() != std::uint64_t(messages))
        bench::fail(u"flood_sender did not send %1 messages"_s.arg(messages));
    return seconds;
}

// (b) A plain cppzmq blocking recv loop; seconds from the sender's start to the last message.
double runPlain(const QString &sender, qint64 messages, qint64 body)
{
    zmq::context_t context;
    zmq::socket_t pull(context, zmq::socket_type::pull);
    pull.set(zmq::sockopt::rcvtimeo, StallTimeoutMs);
    pull.set(zmq::sockopt::linger, 0);
    pull.bind("tcp://127.0.0.1:*");
    bench::FloodSender flood;
    QElapsedTimer clock;
    clock.start();
    flood.start(sender,
        senderArguments(QString::fromStdString(pull.get(zmq::sockopt::last_endpoint)), messages, body));
    zmq::message_t id;
    zmq::message_t mimetype;
    zmq::message_t payload;
    for (qint64 received = 0; received < messages; ++received) {
        if (!pull.recv(id) || !id.more() || !pull.recv(mimetype) || !mimetype.more() || !pull.recv(payload)
            || payload.more())
            bench::fail(u"(b) message %1 is missing or not 3 frames"_s.arg(received));
        if (bench::parseSequence(id.data<char>(), qsizetype(id.size())) != std::uint64_t(received)
            || qint64(payload.size()) != body)
            bench::fail(u"(b) message %1 is not envelope number %1: lost or reordered"_s.arg(received));
    }
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    if (flood.finish() != std::uint64_t(messages))
        bench::fail(u"flood_sender did not send %1 messages"_s.arg(messages));
    return seconds;
}

int runBenchmark(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"cli_bench"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Runs `zmqscope-cli listen --format jsonl > /dev/null` and a plain "
                                     u"cppzmq recv loop against the same "
                                     u"flood_sender flood and prints both rates and the ratio."_s);
    parser.addHelpOption();
    parser.addOption({ u"messages"_s, u"Messages per round (default 2000000)."_s, u"N"_s, u"2000000"_s });
    parser.addOption({ u"body"_s, u"Body bytes per message (default 100)."_s, u"BYTES"_s, u"100"_s });
    parser.addOption({ u"rounds"_s, u"Rounds of each receiver (default 3)."_s, u"R"_s, u"3"_s });
    parser.addOption({ u"cli"_s, u"The zmqscope-cli program (default: the one built with this benchmark)."_s,
        u"PATH"_s, QStringLiteral(ZMQSCOPE_CLI_PATH) });
    bench::FloodSender::addOption(parser);
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        bench::usageError(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));
    const qint64 messages = bench::integerOption(parser, u"messages"_s, 1, 2000000000);
    const qint64 body = bench::integerOption(parser, u"body"_s, 0, qint64 { 64 } << 20);
    const int rounds = int(bench::integerOption(parser, u"rounds"_s, 1, 100));
    const QString cli = parser.value(u"cli"_s);
    if (!QFileInfo(cli).isExecutable())
        bench::usageError(u"--cli \"%1\" is not an executable zmqscope-cli"_s.arg(cli));
    const QString sender = bench::FloodSender::program(parser);

    print(u"ZmqScope CLI benchmark"_s);
    print(bench::reproduceLine({ u"--messages"_s, QString::number(messages), u"--body"_s,
        QString::number(body), u"--rounds"_s, QString::number(rounds) }));
    bench::printMachine();
    print(
        u"workload:  flood_sender process PUSH -> PULL over tcp://127.0.0.1, %1 envelopes (id 12 B, mimetype "
        u"%2 B, body %3 B); time from the sender's start to the last message"_s.arg(messages)
            .arg(std::strlen(Mimetype))
            .arg(body));
    print(u"(a) %1 listen -t pull --bind tcp://127.0.0.1:* --format jsonl --count %2 > /dev/null"_s.arg(cli)
              .arg(messages));
    print(u"(b) plain cppzmq blocking recv into zmq::message_t (in this process)"_s);
    print(QString());

    std::vector<double> cliRates;
    std::vector<double> plainRates;
    for (int round = 1; round <= rounds; ++round) {
        const double a = double(messages) / runCli(cli, sender, messages, body);
        print(u"round %1 (a) %2 msg/s"_s.arg(round).arg(a, 9, 'f', 0));
        const double b = double(messages) / runPlain(sender, messages, body);
        print(u"round %1 (b) %2 msg/s"_s.arg(round).arg(b, 9, 'f', 0));
        cliRates.push_back(a);
        plainRates.push_back(b);
    }
    const double bestA = *std::max_element(cliRates.begin(), cliRates.end());
    const double bestB = *std::max_element(plainRates.begin(), plainRates.end());
    print(QString());
    print(u"best    (a) zmqscope-cli listen --format jsonl: %1 msg/s (spread %2..%3)"_s.arg(bestA, 0, 'f', 0)
              .arg(*std::min_element(cliRates.begin(), cliRates.end()), 0, 'f', 0)
              .arg(bestA, 0, 'f', 0));
    print(u"best    (b) cppzmq recv loop:                   %1 msg/s (spread %2..%3)"_s.arg(bestB, 0, 'f', 0)
              .arg(*std::min_element(plainRates.begin(), plainRates.end()), 0, 'f', 0)
              .arg(bestB, 0, 'f', 0));
    print(u"ratio (a)/(b): best %1, median %2"_s.arg(bestA / bestB, 0, 'f', 3)
              .arg(bench::percentile(cliRates, 50) / bench::percentile(plainRates, 50), 0, 'f', 3));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    return bench::runGuarded(runBenchmark, argc, argv);
}
