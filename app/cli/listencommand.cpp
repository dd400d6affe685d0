#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonObject>
#include <QTimer>

#include <zmqscope/capture.h>
#include <zmqscope/context.h>
#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>
#include <zmqscope/version.h>

#include "clicommon.h"
#include "commands.h"
#include "messageformatter.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

// The --write file: header first, one line per message, flushed per batch (DESIGN.md section 8).
class CaptureFileWriter
{
public:
    explicit CaptureFileWriter(const QString &path)
        : m_file(path)
    { }

    void open()
    {
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            throw usageError(
                u"cannot write --write file %1: %2"_s.arg(quoted(m_file.fileName()), m_file.errorString()));
        const QJsonObject extra { { u"writer"_s, u"zmqscope-cli %1"_s.arg(libraryVersion()) } };
        write(captureHeaderLine(QDateTime::currentDateTimeUtc(), extra));
        flush();
    }

    [[nodiscard]] bool isOpen() const { return m_file.isOpen(); }

    void write(const QByteArray &line)
    {
        if (m_file.write(line) != line.size())
            throw runtimeError(
                u"cannot write to %1: %2"_s.arg(quoted(m_file.fileName()), m_file.errorString()));
    }

    void flush()
    {
        if (!m_file.flush())
            throw runtimeError(
                u"cannot write to %1: %2"_s.arg(quoted(m_file.fileName()), m_file.errorString()));
    }

private:
    QFile m_file;
};

} // namespace

int runListen(const QStringList &arguments)
{
    CommandLine commandLine(u"listen"_s, u"Open a socket and print every message it receives."_s);
    commandLine.addSocketOptions(u"Socket type (default SUB)."_s, true);
    commandLine.addFormatOption();
    commandLine.addCountOption(u"Exit (status 0) after N messages."_s);
    commandLine.addTimeoutOption(u"Exit with status 1 when no message (no further message) arrives within MS "
                                 u"milliseconds; restarts with every message."_s);
    const QCommandLineOption writeOption(u"write"_s,
        u"Also record the messages to FILE as a capture (JSON Lines: a header "
        u"line, then the same lines as --format jsonl)."_s,
        u"FILE"_s);
    commandLine.parser().addOption(writeOption);
    if (!commandLine.parse(arguments,
            u"Examples:\n"
            u"  zmqscope-cli listen --connect tcp://127.0.0.1:5556 --subscribe temp.\n"
            u"  zmqscope-cli listen -t pull --bind tcp://127.0.0.1:* --format jsonl --count 10\n"_s))
        return ExitSuccess;

    const SocketSetup setup = commandLine.socketSetup(SocketType::Sub);
    switch (setup.type) {
    case SocketType::Pub:
    case SocketType::Push:
        throw usageError(
            u"listen cannot use a %1 socket: it cannot receive; use SUB, PULL, DEALER, ROUTER, PAIR, "
            u"XSUB or XPUB"_s.arg(socketTypeName(setup.type)));
    case SocketType::Req:
        throw usageError(u"listen cannot use a REQ socket: a REQ must send first; use send -t REQ"_s);
    case SocketType::Rep:
        throw usageError(
            u"listen cannot use a REP socket: a REP must answer each request before the next; use "
            u"echo -t REP"_s);
    default:
        break;
    }
    const OutputFormat format = commandLine.format();
    const std::optional<int> count = commandLine.count();
    const std::optional<int> timeout = commandLine.timeout();

    // Open the file before the socket, so a bad path fails before anything is bound.
    std::optional<CaptureFileWriter> capture;
    if (commandLine.isSet(writeOption)) {
        capture.emplace(commandLine.value(writeOption));
        capture->open();
    }

    Context context;
    Socket socket = openSocket(setup, context, {});
    const MessageFormatter formatter(format, setup.name, setup.type, endpointText(socket));

    PollLoop loop;
    QTimer timeoutTimer;
    timeoutTimer.setSingleShot(true);
    int received = 0;
    bool finished = false;

    const auto finish = [&](int status, const QString &error) {
        if (finished)
            return;
        finished = true;
        timeoutTimer.stop();
        loop.unregisterSocket(socket);
        flushStdout();
        QString message = error;
        if (capture) {
            try {
                capture->flush();
            } catch (const CliError &writeError) {
                if (message.isEmpty())
                    message = writeError.message;
                status = ExitFailure;
            }
        }
        if (!message.isEmpty())
            printError(message);
        QCoreApplication::exit(status);
    };

    QObject::connect(&timeoutTimer, &QTimer::timeout, &loop, [&] {
        finish(ExitFailure,
            received == 0
                ? u"no message arrived within %1 ms on %2"_s.arg(*timeout).arg(describeSocket(socket))
                : u"no further message arrived within %1 ms after %2 on %3"_s.arg(*timeout).arg(
                    received == 1 ? u"1 message"_s : u"%1 messages"_s.arg(received), describeSocket(socket)));
    });

    loop.registerReceiver(socket, [&](Socket &, Frames &&frames) {
        if (finished)
            return;
        const std::int64_t timestamp = nowUs();
        const QByteArray line = format == OutputFormat::Jsonl || capture
            ? captureLine(formatter.record(timestamp, Direction::In, frames))
            : QByteArray();
        writeStdout(
            format == OutputFormat::Jsonl ? line : formatter.format(timestamp, Direction::In, frames));
        if (capture) {
            try {
                capture->write(line);
            } catch (const CliError &error) {
                finish(error.status, error.message);
                return;
            }
        }
        ++received;
        if (count && received >= *count) {
            finish(ExitSuccess, QString());
            return;
        }
        if (timeout)
            timeoutTimer.start(*timeout);
    });
    // One flush per batch, not per message: a flood stays cheap and a crash loses at most one batch.
    QObject::connect(&loop, &PollLoop::inputHandled, &loop, [&] {
        flushStdout();
        if (capture) {
            try {
                capture->flush();
            } catch (const CliError &error) {
                finish(error.status, error.message);
            }
        }
    });
    QObject::connect(&loop, &PollLoop::errorOccurred, &loop,
        [&](Socket *, const QString &message) { finish(ExitFailure, message); });
    QObject::connect(&loop, &PollLoop::socketTerminated, &loop, [&](Socket *) {
        finish(ExitFailure, u"the context was shut down while listening on %1"_s.arg(describeSocket(socket)));
    });

    if (timeout)
        timeoutTimer.start(*timeout);
    return QCoreApplication::exec();
}

} // namespace zmqscope::cli
