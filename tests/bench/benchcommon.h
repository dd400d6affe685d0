#pragma once

// Helpers shared by the benchmark programs under tests/bench (not a library API).

#include <cstdint>
#include <optional>
#include <vector>

#include <QCommandLineParser>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace bench {

/// Prints one line to stdout and flushes (benchmarks are often piped or watched live).
void print(const QString &line);
/// Prints "<program>: message (see --help)" to stderr and exits with status 2.
[[noreturn]] void usageError(const QString &message);
/// Prints "<program>: message" to stderr and exits with status 1.
[[noreturn]] void fail(const QString &message);

/// Runs a benchmark's `body`: an exception (cppzmq and the library throw on failure) ends it with
/// one line naming what went wrong and status 1, as fail() does, instead of std::terminate().
int runGuarded(int (*body)(int argc, char *argv[]), int argc, char *argv[]);

/// The value of --name as a whole number in [minimum, maximum], or a usage error naming it.
qint64 integerOption(const QCommandLineParser &parser, const QString &name, qint64 minimum, qint64 maximum);
/// A comma-separated list of whole numbers in [minimum, maximum] ("100,1024,65536").
QList<qint64> integerListOption(
    const QCommandLineParser &parser, const QString &name, qint64 minimum, qint64 maximum);

/// The "machine:" and "build:" lines every benchmark prints, so figures can be compared across runs.
void printMachine();
/// The command line that reproduces this run: the program with every effective option.
QString reproduceLine(const QStringList &options);

/// CPU time (user + system) of this whole process so far, in seconds.
double processCpuSeconds();
/// CPU time (user + system) of this process's threads named `threadName` (e.g. "zmqscope-engine"), in
/// seconds, at clock-tick resolution; -1 when there is no such thread or the platform cannot tell.
double threadCpuSeconds(const QString &threadName);
/// Peak resident set size of this process (VmHWM) in bytes; 0 where unknown.
std::uint64_t peakRssBytes();
/// Current resident set size (VmRSS) in bytes; 0 where unknown.
std::uint64_t currentRssBytes();
/// One-minute load average, to print next to figures measured on a shared machine.
double loadAverage();

/// The sequence number of a flood_sender id (12 decimal digits), or nothing if it is not one.
std::optional<std::uint64_t> parseSequence(const char *data, qsizetype size);

/// The p-th percentile (0..100) of `values` by nearest rank; sorts a copy.
double percentile(std::vector<double> values, double p);

/**
 * Runs a helper program of the benchmarks (flood_sender, bench_peer) as a separate process. Its
 * status lines on stderr are read (waitForBound()) or passed through to ours; the last line of its
 * stdout is its result. A helper that cannot start, fails or hangs fails the benchmark, naming it.
 */
class PeerProcess
{
public:
    enum class Status
    {
        Read, ///< stderr is read: waitForBound() finds the endpoint, a failure message quotes it
        Forwarded, ///< stderr goes to ours (a helper started with --quiet, or for people to watch)
    };

    PeerProcess(const QString &name, Status status);
    ~PeerProcess();
    PeerProcess(const PeerProcess &) = delete;
    PeerProcess &operator=(const PeerProcess &) = delete;

    /// The helper `name` built next to this benchmark, else at `builtPath` (where CMake built it).
    static QString sibling(const QString &name, const QString &builtPath);

    /// Starts `program` with `arguments` (fails the benchmark if it cannot start).
    void start(const QString &program, const QStringList &arguments);
    /// Waits for its "bound to URI" status line (Status::Read) and returns URI.
    QString waitForBound(int timeoutMs = 10000);
    /// Waits until it exits with status 0 and returns its stdout, or fails the benchmark.
    QByteArray finish(int timeoutMs = 120000);
    [[nodiscard]] bool isRunning() const;
    void kill();

private:
    QString m_name;
    QProcess m_process;
    QByteArray m_status; ///< stderr read so far (Status::Read)
};

/// Runs tests/bench/flood_sender as a separate process.
class FloodSender : public PeerProcess
{
public:
    FloodSender();

    /// The flood_sender program: --sender PATH, else the one built next to the benchmarks.
    static QString program(const QCommandLineParser &parser);
    static void addOption(QCommandLineParser &parser);

    /// Waits until it exits; returns the number of messages it sent, or fails the benchmark.
    std::uint64_t finish(int timeoutMs = 120000);
};

} // namespace bench
