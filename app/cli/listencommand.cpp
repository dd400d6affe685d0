#include <optional>

#include <QDir>
#include <QJsonObject>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/version.h>

#include "clicommon.h"
#include "commands.h"
#include "decodeoption.h"
#include "filteroption.h"
#include "receivesession.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

// "100M", "1.5G", "4096": bytes with an optional K, M or G (powers of 1024) and an optional "B"/"iB".
std::uint64_t parseSize(const QString &option, const QString &text)
{
    QString number = text.trimmed().toUpper();
    if (number.endsWith(u"IB"_s))
        number.chop(2);
    else if (number.endsWith(u'B'))
        number.chop(1);
    double scale = 1;
    if (number.endsWith(u'K'))
        scale = 1024.0;
    else if (number.endsWith(u'M'))
        scale = 1024.0 * 1024.0;
    else if (number.endsWith(u'G'))
        scale = 1024.0 * 1024.0 * 1024.0;
    if (scale > 1)
        number.chop(1);
    bool ok = false;
    const double value = number.toDouble(&ok) * scale;
    // A header alone is ~100 bytes: anything below 1 KiB would rotate on every message.
    if (!ok || !(value >= 1024.0) || value > 1e18)
        throw usageError(u"bad --%1 value %2: expected a size of at least 1K, e.g. 100M, 1.5G or 65536"_s.arg(
            option, quoted(text)));
    return std::uint64_t(value);
}

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
        u"line, then the same lines as --format jsonl). FILE is created (or replaced) with the first "
        u"message, or at a clean end without one: a run that fails before keeps an existing FILE. "
        u"When stdout closes (listen ... | head), the recording goes on."_s,
        u"FILE"_s);
    commandLine.addOption(writeOption);
    const QCommandLineOption rotateSizeOption(u"rotate-size"_s,
        u"With --write: start a new file when the current one reaches SIZE (e.g. 100M, 1G); files are named "
        u"<stem>_00001_<UTC time>.<suffix> like dumpcap -b."_s,
        u"SIZE"_s);
    commandLine.addOption(rotateSizeOption);
    const QCommandLineOption rotateFilesOption(
        u"rotate-files"_s, u"With --rotate-size: keep only the newest N files (a ring buffer)."_s, u"N"_s);
    commandLine.addOption(rotateFilesOption);
    const QCommandLineOption filter = filterOption();
    commandLine.addOption(filter);
    const DecodeOptions decodeOptions;
    decodeOptions.addTo(commandLine);
    if (!commandLine.parse(arguments,
            u"Examples:\n"
            u"  zmqscope-cli listen --connect tcp://127.0.0.1:5556 --subscribe temp.\n"
            u"  zmqscope-cli listen -t pull --bind tcp://127.0.0.1:* --format jsonl --count 10\n"
            u"  zmqscope-cli listen -t pull --bind tcp://127.0.0.1:5557 --decode id=order-*:msgpack "
            u"--filter 'json.qty > 10'\n"
            u"  zmqscope-cli listen --connect tcp://127.0.0.1:5556 --write run.zmqcap --rotate-size 100M "
            u"--rotate-files 10\n"_s))
        return ExitSuccess;

    const SocketSpec setup = commandLine.socketSpec(SocketType::Sub);
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
    ReceiveOptions options = receiveOptions(commandLine);
    options.filtered = commandLine.isSet(filter);
    MessagePipeline pipeline = MessagePipeline::fromCommandLine(commandLine, filter, &decodeOptions);

    CaptureWriterOptions writerOptions;
    if (commandLine.isSet(rotateSizeOption))
        writerOptions.rotateBytes = parseSize(u"rotate-size"_s, commandLine.value(rotateSizeOption));
    writerOptions.rotateFiles = commandLine.number(rotateFilesOption, 1).value_or(0);
    if (!commandLine.isSet(writeOption)) {
        if (commandLine.isSet(rotateSizeOption) || commandLine.isSet(rotateFilesOption))
            throw usageError(u"--rotate-size and --rotate-files need --write FILE"_s);
    } else if (commandLine.isSet(rotateFilesOption) && !commandLine.isSet(rotateSizeOption)) {
        throw usageError(u"--rotate-files needs --rotate-size: files rotate by size"_s);
    }

    std::optional<CaptureWriterOptions> captureOptions;
    if (commandLine.isSet(writeOption)) {
        writerOptions.path = commandLine.value(writeOption);
        writerOptions.headerExtra
            = QJsonObject { { u"writer"_s, u"zmqscope-cli %1"_s.arg(libraryVersion()) } };
        checkWritable(writerOptions);
        captureOptions = writerOptions;
    }

    // The engine opens the socket and records (through its recorder, as the GUI does). The capture
    // file is created (or replaced) with the first message, or at a clean end without one; a run that
    // ends in an error before any message leaves an existing file as it was.
    ReceiveSession session(setup, options, { u"message"_s, u"listening"_s }, captureOptions);
    if (captureOptions)
        setStdoutClosedNote(
            u"recording goes on to %1"_s.arg(quoted(QDir::toNativeSeparators(captureOptions->path))));
    else
        session.endWhenStdoutCloses(); // without --write stdout was the only record
    session.handleMessages(
        [&](std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView) {
            MessageFormatter &formatter = session.formatter();
            if (!pipeline.accept(frames, direction, {}, formatter.socketName(), formatter.typeName()))
                return false;
            writeStdout(pipeline.decorate(formatter.format(timestampUs, direction, frames)));
            return true;
        });
    return session.exec();
}

} // namespace zmqscope::cli
