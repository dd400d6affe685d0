#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <optional>
#include <poll.h>
#include <thread>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/capturereader.h>
#include <zmqscope/capture/passivedecoder.h>
#include <zmqscope/capture/pcapsource.h>

#include "clicommon.h"
#include "commands.h"
#include "decodeoption.h"
#include "filteroption.h"
#include "messageformatter.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

// Names and endpoints come from the file, which anybody may have written: escaped like payloads,
// so a crafted capture cannot move the cursor or recolour the terminal.
QString safeText(const QString &text)
{
    constexpr qsizetype Limit = 256;
    const QString escaped = escapeForTerminal(text.toUtf8(), Limit);
    return escaped.mid(1, escaped.size() - 2); // without the quotes escapeForTerminal adds
}

// The loop sees a stop signal between messages. A read of a pipe that stays silent does not come
// back for it (the handlers use SA_RESTART, so unrelated reads never fail with EINTR): then this
// thread ends the run in the loop's place, under the lock the loop prints with, so no line is cut.
class SilentReadWatchdog
{
public:
    static constexpr auto Grace = std::chrono::milliseconds(300);

    /// `end` flushes, says the summary and exits; it runs on this thread with lock() held.
    explicit SilentReadWatchdog(std::function<void(int signal)> end)
        : m_end(std::move(end))
        , m_thread([this] { run(); })
    { }
    ~SilentReadWatchdog()
    {
        {
            const std::lock_guard guard(m_stateLock);
            m_done = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }
    SilentReadWatchdog(const SilentReadWatchdog &) = delete;
    SilentReadWatchdog &operator=(const SilentReadWatchdog &) = delete;

    /// Held by the loop while it prints a message and counts it.
    [[nodiscard]] std::mutex &outputLock() { return m_outputLock; }
    /// The loop saw the signal and ends the run itself.
    void acknowledge() { m_acknowledged = true; }

private:
    void run()
    {
        std::unique_lock state(m_stateLock);
        while (!m_done) {
            m_wake.wait_for(state, std::chrono::milliseconds(50));
            const int signal = stopSignal();
            if (m_done || signal == 0)
                continue;
            // Give the loop its chance: it is between messages unless a read blocks.
            m_wake.wait_for(state, Grace, [this] { return m_done; });
            if (m_done || m_acknowledged)
                return;
            const std::lock_guard output(m_outputLock);
            m_end(signal);
            std::_Exit(ExitSuccess);
        }
    }

    std::function<void(int)> m_end;
    std::mutex m_outputLock;
    std::mutex m_stateLock;
    std::condition_variable m_wake;
    bool m_done = false;
    std::atomic<bool> m_acknowledged = false;
    std::thread m_thread; // last: started once the members it uses exist
};

/// The first bytes of `path`, to tell a packet capture from a ZmqScope capture (empty when unreadable:
/// the capture reader then says why).
QByteArray firstBytes(const QString &path)
{
    QFile file(path);
    if (!QFileInfo(path).isFile() || !file.open(QIODevice::ReadOnly))
        return {};
    return file.read(8);
}

/**
 * A pipe (a FIFO, /dev/stdin, "-") can be read only once, so cat cannot look at its first bytes and
 * then hand it to the reader they call for. The relay reads them, and a thread passes them and the
 * rest on through a new pipe that the reader opens as /dev/fd/N (libpcap and CaptureReader open
 * paths). The thread owns its descriptors: it is detached, since it may wait on a silent writer.
 */
class PipeRelay
{
public:
    static constexpr qsizetype HeadBytes = 8;

    /// Reads the first bytes of `path` ("-": standard input), waiting as long as the writer is
    /// silent, except that a stop signal ends the wait (nullptr, `stoppedBy` set). Throws a runtime
    /// error naming the path when it cannot be opened.
    static std::unique_ptr<PipeRelay> open(const QString &path, const QString &shownPath, int &stoppedBy)
    {
        const int source = path == u"-"_s ? ::dup(STDIN_FILENO)
                                          : ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
        if (source < 0)
            throw runtimeError(
                u"cannot read %1: %2"_s.arg(shownPath, QString::fromLocal8Bit(std::strerror(errno))));
        QByteArray head;
        while (head.size() < HeadBytes) {
            pollfd readable { source, POLLIN, 0 };
            const int ready = ::poll(&readable, 1, 100);
            if ((stoppedBy = stopSignal()) != 0) {
                ::close(source);
                return nullptr;
            }
            if (ready <= 0)
                continue;
            char buffer[HeadBytes];
            const ssize_t got = ::read(source, buffer, std::size_t(HeadBytes - head.size()));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break; // the end (or an error, which the reader then sees as the end)
            head.append(buffer, qsizetype(got));
        }
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) != 0) {
            const int error = errno;
            ::close(source);
            throw runtimeError(
                u"cannot read %1: %2"_s.arg(shownPath, QString::fromLocal8Bit(std::strerror(error))));
        }
        std::unique_ptr<PipeRelay> relay(new PipeRelay(head, ends[0]));
        std::thread([source, sink = ends[1], head] {
            bool open = writeAll(sink, head.constData(), std::size_t(head.size()));
            char buffer[65536];
            while (open) {
                const ssize_t got = ::read(source, buffer, sizeof buffer);
                if (got < 0 && errno == EINTR)
                    continue;
                if (got <= 0)
                    break;
                open = writeAll(sink, buffer, std::size_t(got));
            }
            ::close(source);
            ::close(sink);
        }).detach();
        return relay;
    }

    ~PipeRelay() { ::close(m_readEnd); } // a copier still writing then stops (EPIPE)
    PipeRelay(const PipeRelay &) = delete;
    PipeRelay &operator=(const PipeRelay &) = delete;

    [[nodiscard]] const QByteArray &head() const { return m_head; }
    [[nodiscard]] QString readerPath() const { return u"/dev/fd/%1"_s.arg(m_readEnd); }

private:
    PipeRelay(QByteArray head, int readEnd)
        : m_head(std::move(head))
        , m_readEnd(readEnd)
    { }

    static bool writeAll(int sink, const char *bytes, std::size_t size)
    {
        while (size > 0) {
            const ssize_t written = ::write(sink, bytes, size);
            if (written < 0 && errno == EINTR)
                continue;
            if (written <= 0)
                return false; // the reader went away (SIGPIPE is ignored)
            bytes += written;
            size -= std::size_t(written);
        }
        return true;
    }

    QByteArray m_head;
    int m_readEnd;
};

/// What cat prints of a packet capture: the ZeroMQ messages and events in its TCP traffic.
int catPacketCapture(const QString &path, const QString &shownPath, OutputFormat format,
    const QString &socketFilter, bool anyDirection, Direction direction, MessagePipeline &pipeline)
{
    quint64 printed = 0;
    int stoppedBy = 0;
    PassiveDecoder::Handlers handlers;
    handlers.record = [&](const CaptureRecord &record) {
        if ((!socketFilter.isEmpty() && record.socket != socketFilter) || !pipeline.accept(record))
            return;
        if (record.isEvent()) {
            if (anyDirection)
                writeStdout(format == OutputFormat::Jsonl ? captureEventLine(record) : formatEvent(record));
            return;
        }
        if (!anyDirection && record.direction != direction)
            return;
        writeStdout(pipeline.decorate(formatWireMessage(record, format)));
        ++printed;
    };
    const auto decoded = decodeCaptureFile(path, std::move(handlers), [&] {
        stoppedBy = stopSignal();
        return stoppedBy != 0 || stdoutClosed();
    });
    flushStdout();
    if (stoppedBy != 0) {
        printStatus(u"stopped by %1 after %2 of %3"_s.arg(
            signalName(stoppedBy), countWord(printed, u"message"_s), shownPath));
        return ExitSuccess;
    }
    if (!decoded)
        throw runtimeError(u"%1: %2"_s.arg(shownPath, decoded.error().message()));
    const PassiveDecoder::Stats &stats = decoded->stats;
    if (stats.zmtpConnections == 0)
        printStatus(u"%1: no ZeroMQ (ZMTP 3.x) connection among %2 (%3 TCP)"_s.arg(
            shownPath, countWord(stats.packets, u"packet"_s), countWord(stats.tcpPackets, u"packet"_s)));
    return ExitSuccess;
}

} // namespace

int runCat(const QStringList &arguments)
{
    CommandLine commandLine(u"cat"_s,
        u"Print the messages of a capture file (recorded with listen --write or in the app), "
        u"as readable blocks or as JSON lines."_s);
    commandLine.addPositional(u"FILE"_s,
        u"The capture file: a ZmqScope capture (.zmqcap), or a pcap/pcapng packet capture (tcpdump, "
        u"Wireshark) whose ZeroMQ TCP traffic is decoded; told apart by content, any name is accepted; "
        u"- reads standard input."_s);
    commandLine.addFormatOption();
    const QCommandLineOption socketOption(
        u"socket"_s, u"Only messages of the socket named NAME in the capture."_s, u"NAME"_s);
    const QCommandLineOption directionOption(u"direction"_s,
        u"Only messages in this direction: in (received), out (sent), c2s or s2c (through a tap)."_s,
        u"DIR"_s);
    const QCommandLineOption matchOption = filterOption();
    commandLine.addOption(socketOption);
    commandLine.addOption(directionOption);
    commandLine.addOption(matchOption);
    const DecodeOptions decodeOptions;
    decodeOptions.addTo(commandLine);
    if (!commandLine.parse(arguments,
            u"Malformed lines (a file cut off mid-line, a line edited by hand) are skipped\n"
            u"with a warning on stderr that names the line; the rest is printed. Exit status\n"
            u"1 when FILE cannot be read or is not a capture, or when none of its lines is a\n"
            u"readable message. FILE is streamed: memory stays near twice its longest line\n"
            u"plus that message's frames (a line over 1 GiB is skipped with a warning).\n"
            u"\n"
            u"Examples:\n"
            u"  zmqscope-cli cat traffic.zmqcap\n"
            u"  zmqscope-cli cat traffic.zmqcap --format jsonl --direction in | jq .body\n"
            u"  zmqscope-cli cat tcpdump.pcap --direction c2s\n"
            u"  zmqscope-cli cat traffic.zmqcap --filter 'json.seq > 100 and socket == \"orders\"'\n"
            u"  tcpdump -i lo -w - tcp port 5555 | zmqscope-cli cat -\n"
            u"\n"
            u"Packet captures: every TCP connection that begins with a ZMTP 3.0/3.1 greeting is\n"
            u"followed, on any port; c2s is from the side that connected. Lines carry src, dst\n"
            u"and security; CURVE messages are shown encrypted with their size. Bytes missing\n"
            u"from the capture are reported as gap events, never guessed over.\n"_s))
        return ExitSuccess;

    const QString path = commandLine.positionalArguments().constFirst();
    const OutputFormat format = commandLine.format();
    const QString socketFilter = commandLine.value(socketOption);
    // Both directions pass unless --direction names one. (Not a std::optional<Direction>: GCC 12
    // at -O2 warns that its engaged flag "may be used uninitialized", which -Werror turns fatal.)
    bool anyDirection = true;
    Direction direction = Direction::In;
    if (commandLine.isSet(directionOption)) {
        anyDirection = false;
        direction = parseDirection(commandLine.value(directionOption));
    }
    MessagePipeline pipeline = MessagePipeline::fromCommandLine(commandLine, matchOption, &decodeOptions);

    if (path.isEmpty())
        throw usageError(u"empty FILE name; give the capture file to print"_s);
    const bool standardInput = path == u"-"_s;
    const QString shownPath = standardInput ? u"standard input"_s : quoted(QDir::toNativeSeparators(path));
    // What the readers open: the file itself, or for a pipe the relay's end, which starts with the
    // bytes read to tell a pcap from a ZmqScope capture.
    QString readPath = path;
    QByteArray head;
    std::unique_ptr<PipeRelay> relay;
    const QFileInfo info(path);
    if (standardInput || (info.exists() && !info.isFile() && !info.isDir())) {
        int stoppedBy = 0;
        relay = PipeRelay::open(path, shownPath, stoppedBy);
        if (!relay) {
            printStatus(
                u"stopped by %1 before the first message of %2"_s.arg(signalName(stoppedBy), shownPath));
            return ExitSuccess;
        }
        head = relay->head();
        readPath = relay->readerPath();
    } else {
        head = firstBytes(path);
    }
    if (PcapSource::looksLikePcap(head))
        return catPacketCapture(readPath, shownPath, format, socketFilter, anyDirection, direction, pipeline);
    std::atomic<quint64> printed = 0;
    const auto stoppedBy = [&](int signal) {
        flushStdout();
        printStatus(u"stopped by %1 after %2 of %3"_s.arg(
            signalName(signal), countWord(printed.load(), u"message"_s), shownPath));
    };
    SilentReadWatchdog watchdog(stoppedBy);
    const bool regularFile = !relay && info.isFile(); // else a pipe, a FIFO, a terminal: may wait
    // Throws Error naming the path (cannot open, not a capture, ...): for a pipe, the name it was given.
    std::optional<CaptureReader> opened;
    try {
        opened.emplace(readPath);
    } catch (const Error &error) {
        if (!relay)
            throw;
        throw Error(error.code(), QString(error.message()).replace(quoted(readPath), shownPath));
    }
    CaptureReader &reader = *opened;
    CaptureRecord record;
    quint64 read = 0;
    qsizetype issuesShown = 0;
    const auto showIssues = [&] {
        const QList<CaptureIssue> &issues = reader.issues();
        for (; issuesShown < issues.size(); ++issuesShown)
            printError(u"warning: %1: %2"_s.arg(shownPath, issues.at(issuesShown).message));
    };
    for (;;) {
        // A loop without an event loop: the stop signal is polled between messages (and the
        // watchdog ends the run when a read of a silent pipe holds the loop).
        if (const int signal = stopSignal()) {
            watchdog.acknowledge();
            const std::lock_guard output(watchdog.outputLock());
            stoppedBy(signal);
            return ExitSuccess;
        }
        // What was printed reaches the reader before a read that may wait for a writer.
        if (!regularFile)
            flushStdout();
        const bool more = reader.next(record);
        const std::lock_guard output(watchdog.outputLock());
        showIssues();
        if (!more)
            break;
        ++read;
        if ((!socketFilter.isEmpty() && record.socket != socketFilter) || !pipeline.accept(record))
            continue;
        if (record.isEvent()) {
            // Subscriptions and connection events (section 12): shown as they are, unless only one
            // direction of messages is asked for.
            if (anyDirection)
                writeStdout(format == OutputFormat::Jsonl ? captureEventLine(record) : formatEvent(record));
            continue;
        }
        if (!anyDirection && record.direction != direction)
            continue;
        if (format == OutputFormat::Jsonl) {
            writeStdout(pipeline.decorate(captureLine(record)));
        } else {
            MessageFormatter formatter(format, record.socket, safeText(record.type),
                safeText(record.endpoint)); // the name is quoted()
            writeStdout(
                pipeline.decorate(formatter.format(record.timestampUs, record.direction, record.frames)));
        }
        ++printed;
        if (stdoutClosed())
            return ExitSuccess; // said once on stderr; nobody reads the rest
    }
    flushStdout();
    if (read == 0 && !reader.issues().isEmpty())
        throw runtimeError(u"%1: no readable message (%2 malformed)"_s.arg(shownPath).arg(
            reader.issues().size() == 1 ? u"1 line"_s : u"%1 lines"_s.arg(reader.issues().size())));
    return ExitSuccess;
}

} // namespace zmqscope::cli
