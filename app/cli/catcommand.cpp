#include <QDir>

#include <zmqscope/capture.h>
#include <zmqscope/capturereader.h>

#include "clicommon.h"
#include "commands.h"
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

} // namespace

int runCat(const QStringList &arguments)
{
    CommandLine commandLine(u"cat"_s,
        u"Print the messages of a capture file (recorded with listen --write or in the app), "
        u"as readable blocks or as JSON lines."_s);
    commandLine.addPositional(u"FILE"_s, u"The capture file (.zmqcap; any name is accepted)."_s);
    commandLine.addFormatOption();
    const QCommandLineOption socketOption(
        u"socket"_s, u"Only messages of the socket named NAME in the capture."_s, u"NAME"_s);
    const QCommandLineOption directionOption(
        u"direction"_s, u"Only messages in this direction: in (received) or out (sent)."_s, u"DIR"_s);
    commandLine.addOption(socketOption);
    commandLine.addOption(directionOption);
    if (!commandLine.parse(arguments,
            u"Malformed lines (a file cut off mid-line, a line edited by hand) are skipped\n"
            u"with a warning on stderr that names the line; the rest is printed. Exit status\n"
            u"1 when FILE cannot be read or is not a capture, or when none of its lines is a\n"
            u"readable message. FILE is streamed: memory stays near twice its longest line\n"
            u"plus that message's frames (a line over 1 GiB is skipped with a warning).\n"
            u"\n"
            u"Examples:\n"
            u"  zmqscope-cli cat traffic.zmqcap\n"
            u"  zmqscope-cli cat traffic.zmqcap --format jsonl --direction in | jq .body\n"_s))
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

    if (path.isEmpty())
        throw usageError(u"empty FILE name; give the capture file to print"_s);
    CaptureReader reader(path); // throws Error naming the path: cannot open, not a capture, ...
    const QString shownPath = quoted(QDir::toNativeSeparators(path));
    CaptureRecord record;
    quint64 read = 0;
    qsizetype issuesShown = 0;
    const auto showIssues = [&] {
        const QList<CaptureIssue> &issues = reader.issues();
        for (; issuesShown < issues.size(); ++issuesShown)
            printError(u"warning: %1: %2"_s.arg(shownPath, issues.at(issuesShown).message));
    };
    quint64 printed = 0;
    for (;;) {
        // A loop without an event loop: the stop signal is polled between messages.
        if (const int signal = stopSignal()) {
            flushStdout();
            printStatus(u"stopped by %1 after %2 of %3"_s.arg(
                signalName(signal), countWord(printed, u"message"_s), shownPath));
            return ExitSuccess;
        }
        const bool more = reader.next(record);
        showIssues();
        if (!more)
            break;
        ++read;
        if (!socketFilter.isEmpty() && record.socket != socketFilter)
            continue;
        if (!anyDirection && record.direction != direction)
            continue;
        if (format == OutputFormat::Jsonl) {
            writeStdout(captureLine(record));
        } else {
            const MessageFormatter formatter(format, record.socket, safeText(record.type),
                safeText(record.endpoint)); // the name is quoted()
            writeStdout(formatter.format(record.timestampUs, record.direction, record.frames));
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
