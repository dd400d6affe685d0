#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>
#include <QStringList>

#include <zmqscope/engine/engine.h>
#include <zmqscope/engine/socketspec.h>
#include <zmqscope/error.h>
#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>
#include <zmqscope/store/messagestore.h>

namespace zmqscope::cli {

class SecurityOptions;

// Exit statuses, as documented in --help and DESIGN.md section 9.
inline constexpr int ExitSuccess = 0;
inline constexpr int ExitFailure = 1; // runtime: timeout, peer error, address in use, I/O
inline constexpr int ExitUsage = 2; // the command line is wrong

// A failure reported as one line on stderr, and the exit status it leads to.
struct CliError
{
    int status = ExitFailure;
    QString message;
};

[[nodiscard]] CliError usageError(const QString &message);
[[nodiscard]] CliError runtimeError(const QString &message);
// Bad names and values the user typed are usage errors; everything the network does is a runtime failure.
[[nodiscard]] int exitStatusFor(ErrorCode code);

// stdout carries data only (message blocks or JSON lines); stderr carries errors and status lines.
// When stdout fails (a closed pipe: EPIPE, SIGPIPE being ignored; a full disk) this is said once on
// stderr, followed by the note of setStdoutClosedNote(), and later output is dropped: the command
// goes on (a recording keeps recording) and decides itself whether to end (stdoutClosed()).
void writeStdout(QByteArrayView bytes);
void flushStdout();
/// Whether stdout is a terminal (which keeps stdio's line buffering) rather than a file or a pipe.
[[nodiscard]] bool stdoutIsTerminal();
[[nodiscard]] bool stdoutClosed();
void setStdoutClosedNote(const QString &note);
// Prints "zmqscope-cli: <message>" as exactly one line on stderr. Control and invisible characters
// in it are escaped with the payload codec (textescape::escape()), so a file name, a --name or an
// endpoint typed or recorded with terminal escapes cannot reach the terminal raw.
void printError(const QString &message);
// Like printError() but for progress notes ("bound to ..."); silenced by --quiet.
void printStatus(const QString &message);
void setQuiet(bool quiet);

// Stop signals (DESIGN.md section 12): SIGINT, SIGTERM and SIGHUP only set a flag and write a byte
// to a self-pipe (nothing else is safe in a handler); the work happens in the event loop
// (handleStopSignal()) or in loops that poll stopSignal(). SIGPIPE and SIGXFSZ are ignored so a
// closed stdout and a file-size limit become errors with a reason (EPIPE, EFBIG). A second stop
// signal ends the process at once (the default action). Call once, first.
void installSignalHandlers();
// The first stop signal received (SIGINT, ...), 0 while none.
[[nodiscard]] int stopSignal();
// "SIGINT", "SIGTERM", "SIGHUP".
[[nodiscard]] QString signalName(int signal);
// Calls handler from the event loop (a QSocketNotifier on the self-pipe) when a stop signal arrived,
// also one that arrived before this call; the last handler set wins.
void handleStopSignal(std::function<void(int signal)> handler);
// "1 message", "3 messages".
[[nodiscard]] QString countWord(quint64 count, const QString &singular);

// Text the user typed (or a name from a file), quoted and escaped like payloads (textescape::escape()).
[[nodiscard]] QString quoted(const QString &text);
[[nodiscard]] std::int64_t nowUs();
// "in" or "out" (case-insensitive), for --direction; anything else is a usage error naming it.
[[nodiscard]] Direction parseDirection(const QString &text);

enum class OutputFormat
{
    Pretty,
    Jsonl,
    None ///< tap --format none: forward (and record) only, print nothing per message
};

/**
 * One command's QCommandLineParser with the options every command shares
 * (-t/--type, --bind, --connect, --subscribe, --option, --name, --quiet,
 * --format, --count, --timeout). Parse errors, --help and bad values turn
 * into CliError with a one-line message naming the bad value.
 */
class CommandLine
{
public:
    CommandLine(QString command, const QString &description);

    [[nodiscard]] QCommandLineParser &parser() { return m_parser; }
    // Adds a command's own option; a single-valued one given twice is a usage error (parse()).
    void addOption(const QCommandLineOption &option, bool repeatable = false);
    /// The values of `option` are secrets (a key, a password): errors about it never show them.
    void markSecret(const QCommandLineOption &option);
    [[nodiscard]] const QString &command() const { return m_command; }

    /// The common socket options and the security options (securityoptions.h), which socketSpec() reads.
    void addSocketOptions(const QString &typeHelp, bool withSubscribe);
    /// --format pretty|jsonl; `withNone` also accepts none (print nothing per message), with its help.
    void addFormatOption(bool withNone = false);
    void addCountOption(const QString &help);
    void addTimeoutOption(const QString &help);
    // A required positional argument (e.g. FILE), shown in the usage line; in the order added.
    void addPositional(const QString &name, const QString &description);
    [[nodiscard]] QStringList positionalArguments() const { return m_parser.positionalArguments(); }

    // Parses `arguments` (the command's own, without program and command name).
    // Returns false when --help was asked for; the help is printed then.
    [[nodiscard]] bool parse(const QStringList &arguments, const QString &epilog = {});

    [[nodiscard]] bool isSet(const QCommandLineOption &option) const { return m_parser.isSet(option); }
    [[nodiscard]] QString value(const QCommandLineOption &option) const { return m_parser.value(option); }
    [[nodiscard]] QStringList values(const QCommandLineOption &option) const
    {
        return m_parser.values(option);
    }

    // The socket to open; without --type the default is used, or --type is required when there is none.
    /// The one socket the common options describe, as the engine and the GUI describe sockets.
    [[nodiscard]] SocketSpec socketSpec(std::optional<SocketType> defaultType) const;
    [[nodiscard]] OutputFormat format() const;
    [[nodiscard]] std::optional<int> count() const { return number(m_countOption, 1); }
    [[nodiscard]] std::optional<int> timeout() const { return number(m_timeoutOption, 1); }
    // The option's value as an integer from minimum to INT_MAX; std::nullopt when the option is not given.
    [[nodiscard]] std::optional<int> number(const QCommandLineOption &option, int minimum) const;

private:
    QString m_command;
    QCommandLineParser m_parser;
    QCommandLineOption m_helpOption;
    QCommandLineOption m_typeOption;
    QCommandLineOption m_bindOption;
    QCommandLineOption m_connectOption;
    QCommandLineOption m_subscribeOption;
    QCommandLineOption m_optionOption;
    QCommandLineOption m_nameOption;
    QCommandLineOption m_quietOption;
    QCommandLineOption m_formatOption;
    QCommandLineOption m_countOption;
    QCommandLineOption m_timeoutOption;
    QList<QCommandLineOption> m_singleValued; // options with a value that may be given once
    QStringList m_secretNames; // options whose values are never shown
    std::shared_ptr<const SecurityOptions> m_security; // the socket's security options (addSocketOptions)
    bool m_hasSubscribe = false;
    bool m_formatWithNone = false;
    QStringList m_positionalNames;
};

// The socket options of `assignments` ("NAME=VALUE" each, given to --`optionName`): names as in the GUI,
// case-insensitive; a malformed assignment, an unknown or read-only name or a bad value is a usage error
// naming it.
[[nodiscard]] Options parseOptionAssignments(const QStringList &assignments, const QString &optionName);

// For a socket the engine opened: `spec` as opened, `boundEndpoints` as socketOpened (or
// SocketInfo::boundEndpoints) reports them, resolved.
// The endpoints as shown in messages and lines: resolved bound ones first, comma-separated (the label
// the engine's recorder writes).
[[nodiscard]] QString endpointText(const SocketSpec &spec, const QStringList &boundEndpoints);
// The status lines of a socket the engine opened: "NAME bound to <resolved endpoint>" for each bound
// endpoint, then "NAME connecting to URI" for each connect.
void printOpened(const SocketSpec &spec, const QStringList &boundEndpoints);
// The exit status for socket `id` that the engine failed to open: 2 for what the user typed wrong (a
// bad endpoint or option value, SocketInfo::openError), 1 for the rest (an address in use).
[[nodiscard]] int openFailureStatus(const Engine &engine, SocketId id);
// "SUB socket bound to tcp://..." for error messages.
[[nodiscard]] QString describeSocket(const SocketSpec &spec, const QStringList &boundEndpoints);
// The connection problem an engine event tells of for socket `id` (a retry with the monitor's reason,
// an error on an endpoint), else an empty string: what "no connection was made (...)" names. Retries
// are no errors to the engine, so SocketInfo::lastError does not have them.
[[nodiscard]] QString connectionProblem(const EngineEvent &event, SocketId id);

} // namespace zmqscope::cli
