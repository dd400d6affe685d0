#include "clicommon.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

#include <QCoreApplication>
#include <QSocketNotifier>

#include <zmqscope/textescape.h>

#include "securityoptions.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

bool s_quiet = false;
bool s_stdoutClosed = false;
QString s_stdoutClosedNote;

// The signal handler's whole state: what it may touch (a lock-free atomic and write()).
std::atomic<int> s_stopSignal { 0 };
int s_signalPipe[2] = { -1, -1 };
std::unique_ptr<QSocketNotifier> s_signalNotifier;
std::function<void(int)> s_stopHandler;

extern "C" void handleSignal(int signal)
{
    const int savedErrno = errno;
    int expected = 0;
    s_stopSignal.compare_exchange_strong(expected, signal);
    const char byte = 1;
    // A full pipe already holds a wake-up; nothing else to do (and nothing else is allowed here).
    [[maybe_unused]] const ssize_t written = ::write(s_signalPipe[1], &byte, 1);
    errno = savedErrno;
}

void writeStderrLine(const QString &message)
{
    // One line, whatever the message holds: a line break inside would read as two errors.
    QString line = message;
    line.replace(u'\n', u' ').replace(u'\r', u' ');
    // The last guard for names, paths and endpoints that came from the user or a file: every control
    // or invisible character becomes \xNN or \u{...}; already escaped text passes unchanged.
    const QByteArray bytes = "zmqscope-cli: " + textescape::escape(line.toUtf8()).toUtf8() + '\n';
    if (!s_stdoutClosed)
        std::fflush(stdout); // keep the order of stdout and stderr when both go to one terminal
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

void stdoutFailed(int error)
{
    if (s_stdoutClosed)
        return;
    s_stdoutClosed = true;
    const QString reason = error == EPIPE
        ? u"stdout was closed"_s
        : u"cannot write to stdout (%1)"_s.arg(QString::fromLocal8Bit(std::strerror(error)));
    writeStderrLine(s_stdoutClosedNote.isEmpty()
            ? reason + u"; nothing more is printed"_s
            : u"%1; nothing more is printed, %2"_s.arg(reason, s_stdoutClosedNote));
}

} // namespace

CliError usageError(const QString &message)
{
    return CliError { ExitUsage, message };
}

CliError runtimeError(const QString &message)
{
    return CliError { ExitFailure, message };
}

int exitStatusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::UnknownSocketType:
    case ErrorCode::UnknownOption:
    case ErrorCode::InvalidOptionValue:
    case ErrorCode::InvalidEndpoint:
    case ErrorCode::InvalidFilter:
        return ExitUsage;
    case ErrorCode::AddressInUse:
    case ErrorCode::BindFailed:
    case ErrorCode::WrongState:
    case ErrorCode::NotAnEnvelope:
    case ErrorCode::MimetypeMismatch:
    case ErrorCode::InvalidBody:
    case ErrorCode::Unsupported:
    case ErrorCode::Timeout:
    case ErrorCode::Terminated:
    case ErrorCode::ZmqError:
    case ErrorCode::FileError:
        return ExitFailure;
    }
    return ExitFailure;
}

void writeStdout(QByteArrayView bytes)
{
    if (s_stdoutClosed || bytes.isEmpty())
        return;
    if (std::fwrite(bytes.data(), 1, size_t(bytes.size()), stdout) != size_t(bytes.size()))
        stdoutFailed(errno);
}

bool stdoutIsTerminal()
{
    return ::isatty(::fileno(stdout)) != 0;
}

void flushStdout()
{
    if (!s_stdoutClosed && std::fflush(stdout) != 0)
        stdoutFailed(errno);
}

bool stdoutClosed()
{
    return s_stdoutClosed;
}

void setStdoutClosedNote(const QString &note)
{
    s_stdoutClosedNote = note;
}

void installSignalHandlers()
{
    if (::pipe(s_signalPipe) != 0)
        throw runtimeError(
            u"cannot create the signal pipe: %1"_s.arg(QString::fromLocal8Bit(std::strerror(errno))));
    for (const int fd : s_signalPipe) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    struct sigaction action
    {
    };
    action.sa_handler = handleSignal;
    sigemptyset(&action.sa_mask);
    // SA_RESTART: a signal must not make an unrelated read or write fail with EINTR; the pipe wakes the
    // event loop and the loops that cannot wait on it poll stopSignal(). SA_RESETHAND: the first signal
    // asks for the clean end; a second one (a clean end stuck on a silent pipe) ends the process at once.
    action.sa_flags = SA_RESTART | SA_RESETHAND;
    for (const int signal : { SIGINT, SIGTERM, SIGHUP })
        ::sigaction(signal, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
}

int stopSignal()
{
    return s_stopSignal.load();
}

QString signalName(int signal)
{
    switch (signal) {
    case SIGINT:
        return u"SIGINT"_s;
    case SIGTERM:
        return u"SIGTERM"_s;
    case SIGHUP:
        return u"SIGHUP"_s;
    default:
        return u"signal %1"_s.arg(signal);
    }
}

void handleStopSignal(std::function<void(int signal)> handler)
{
    s_stopHandler = std::move(handler);
    if (s_signalNotifier || s_signalPipe[0] < 0)
        return;
    s_signalNotifier = std::make_unique<QSocketNotifier>(s_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(s_signalNotifier.get(), &QSocketNotifier::activated, s_signalNotifier.get(), [] {
        char bytes[64];
        while (::read(s_signalPipe[0], bytes, sizeof bytes) > 0) { }
        if (s_stopHandler && stopSignal() != 0)
            s_stopHandler(stopSignal());
    });
    // A signal that came before the notifier existed left a byte in the pipe: the notifier reports it.
}

QString countWord(quint64 count, const QString &singular)
{
    return count == 1 ? u"1 "_s + singular : u"%1 %2s"_s.arg(count).arg(singular);
}

void printError(const QString &message)
{
    writeStderrLine(message);
}

void printStatus(const QString &message)
{
    if (!s_quiet)
        writeStderrLine(message);
}

void setQuiet(bool quiet)
{
    s_quiet = quiet;
}

QString quoted(const QString &text)
{
    textescape::EscapeOptions options;
    options.quoted = true;
    return textescape::escape(text.toUtf8(), options);
}

std::int64_t nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Direction parseDirection(const QString &text)
{
    if (const auto direction = zmqscope::parseDirection(text.trimmed().toLower().toUtf8()))
        return *direction;
    throw usageError(u"unknown --direction %1; valid directions are in, out, c2s, s2c"_s.arg(quoted(text)));
}

// ---------------------------------------------------------------- CommandLine

CommandLine::CommandLine(QString command, const QString &description)
    : m_command(std::move(command))
    , m_helpOption(QStringList { u"h"_s, u"help"_s }, u"Show this help."_s)
    , m_typeOption(QStringList { u"t"_s, u"type"_s }, QString(), u"TYPE"_s)
    , m_bindOption(u"bind"_s,
          u"Bind to URI (repeatable), e.g. tcp://127.0.0.1:5555 or tcp://127.0.0.1:* "
          u"for a free port (the real one is reported on stderr)."_s,
          u"URI"_s)
    , m_connectOption(u"connect"_s, u"Connect to URI (repeatable), e.g. tcp://127.0.0.1:5555."_s, u"URI"_s)
    , m_subscribeOption(u"subscribe"_s,
          u"SUB/XSUB: subscribe to messages whose first frame (the envelope id) starts with "
          u"PREFIX (repeatable; without it a SUB/XSUB receives everything)."_s,
          u"PREFIX"_s)
    , m_optionOption(u"option"_s,
          u"Set a socket option before binding/connecting (repeatable), e.g. --option rcvhwm=1000 "
          u"--option routing_id=client-1. Names as in the GUI, case-insensitive."_s,
          u"NAME=VALUE"_s)
    , m_nameOption(u"name"_s, u"The socket's name in the output (default: the type, e.g. SUB)."_s, u"NAME"_s)
    , m_quietOption(QStringList { u"q"_s, u"quiet"_s }, u"No status lines on stderr, errors only."_s)
    , m_formatOption(u"format"_s,
          u"Output: pretty (default; one readable block per message, control characters escaped) "
          u"or jsonl (one JSON line per message, frames in base64, as in capture files)."_s,
          u"FORMAT"_s, u"pretty"_s)
    , m_countOption(u"count"_s, QString(), u"N"_s)
    , m_timeoutOption(u"timeout"_s, QString(), u"MS"_s)
{
    m_parser.setApplicationDescription(description);
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addOption(m_helpOption);
}

void CommandLine::addSocketOptions(const QString &typeHelp, bool withSubscribe)
{
    m_typeOption.setDescription(
        typeHelp + u" Types: "_s + socketTypeNames().join(u", "_s) + u" (case-insensitive)."_s);
    addOption(m_typeOption);
    addOption(m_bindOption, true);
    addOption(m_connectOption, true);
    if (withSubscribe)
        addOption(m_subscribeOption, true);
    m_hasSubscribe = withSubscribe;
    addOption(m_optionOption, true);
    addOption(m_nameOption);
    addOption(m_quietOption);
    m_security = std::make_shared<const SecurityOptions>(SecurityRole::Any);
    m_security->addTo(*this);
}

void CommandLine::addOption(const QCommandLineOption &option, bool repeatable)
{
    m_parser.addOption(option);
    if (!repeatable && !option.valueName().isEmpty())
        m_singleValued.append(option);
}

void CommandLine::markSecret(const QCommandLineOption &option)
{
    m_secretNames.append(option.names());
}

void CommandLine::addPositional(const QString &name, const QString &description)
{
    m_parser.addPositionalArgument(name, description, name);
    m_positionalNames.append(name);
}

void CommandLine::addFormatOption(bool withNone)
{
    m_formatWithNone = withNone;
    if (withNone)
        m_formatOption.setDescription(m_formatOption.description()
            + u" none: print nothing per message (forward and record only, e.g. with --write)."_s);
    addOption(m_formatOption);
}

void CommandLine::addCountOption(const QString &help)
{
    m_countOption.setDescription(help);
    addOption(m_countOption);
}

void CommandLine::addTimeoutOption(const QString &help)
{
    m_timeoutOption.setDescription(help);
    addOption(m_timeoutOption);
}

bool CommandLine::parse(const QStringList &arguments, const QString &epilog)
{
    // QCommandLineParser skips the first argument as the program name.
    if (!m_parser.parse(QStringList { u"zmqscope-cli"_s } + arguments)) {
        const QStringList unknown = m_parser.unknownOptionNames();
        if (!unknown.isEmpty()) {
            const QString &name = unknown.constFirst();
            throw usageError(u"unknown option %1 for %2; see zmqscope-cli %2 --help"_s.arg(
                quoted((name.size() == 1 ? u"-"_s : u"--"_s) + name), m_command));
        }
        // "Missing value after '--type'." and the like: keep Qt's wording, fit it into one line of ours.
        QString text = m_parser.errorText().trimmed();
        if (text.endsWith(u'.'))
            text.chop(1);
        if (!text.isEmpty())
            text[0] = text[0].toLower();
        throw usageError(u"%1 (%2); see zmqscope-cli %2 --help"_s.arg(text, m_command));
    }
    if (m_parser.isSet(m_helpOption)) {
        QString help = m_parser.helpText();
        // Qt's first line names the executable path; name the command instead.
        const qsizetype firstLineEnd = help.indexOf(u'\n');
        help.replace(0, firstLineEnd,
            u"Usage: zmqscope-cli %1 [options]%2"_s.arg(
                m_command, m_positionalNames.isEmpty() ? QString() : u" "_s + m_positionalNames.join(u' ')));
        if (!epilog.isEmpty())
            help += u'\n' + epilog;
        help += u"\nExit status: 0 success, 1 runtime failure (timeout, peer error, address in use), "
                u"2 usage error.\n"_s;
        writeStdout(help.toUtf8());
        flushStdout();
        return false;
    }
    // QCommandLineParser keeps every value of an option and value() returns the last: "-t pull
    // --type push" would silently become a PUSH. Only repeatable options may be given twice.
    for (const QCommandLineOption &option : std::as_const(m_singleValued)) {
        const QStringList given = m_parser.values(option);
        if (given.size() > 1 && m_parser.isSet(option)) {
            QStringList shown;
            for (const QString &value : given)
                shown.append(quoted(value));
            const QString name = option.names().constLast();
            // A secret given twice is still a secret.
            if (m_secretNames.contains(name))
                throw usageError(u"--%1 given %2 times; it takes one value, see zmqscope-cli %3 --help"_s.arg(
                    name, QString::number(given.size()), m_command));
            throw usageError(
                u"--%1 given %2 times (%3); it takes one value, see zmqscope-cli %4 --help"_s.arg(
                    name, QString::number(given.size()), shown.join(u", "_s), m_command));
        }
    }
    const QStringList positional = m_parser.positionalArguments();
    if (positional.size() < m_positionalNames.size())
        throw usageError(u"%1 needs %2; see zmqscope-cli %1 --help"_s.arg(
            m_command, m_positionalNames.at(positional.size())));
    if (positional.size() > m_positionalNames.size() && !m_positionalNames.isEmpty())
        throw usageError(u"unexpected argument %1 for %2: it takes only %3; see zmqscope-cli %2 --help"_s.arg(
            quoted(positional.at(m_positionalNames.size())), m_command, m_positionalNames.join(u' ')));
    if (positional.size() > m_positionalNames.size())
        throw usageError(
            u"unexpected argument %1 for %2; every value belongs to an option, see zmqscope-cli %2 "
            u"--help"_s.arg(quoted(positional.constFirst()), m_command));
    // Commands without socket options (cat) have no --quiet: asking the parser about it would warn.
    setQuiet(m_parser.optionNames().contains(u"q"_s) || m_parser.optionNames().contains(u"quiet"_s));
    return true;
}

SocketSpec CommandLine::socketSpec(std::optional<SocketType> defaultType) const
{
    SocketSpec spec;
    if (m_parser.isSet(m_typeOption)) {
        spec.type = socketTypeFromName(m_parser.value(m_typeOption)); // names the bad type and the valid ones
    } else if (defaultType) {
        spec.type = *defaultType;
    } else {
        throw usageError(
            u"%1 needs --type TYPE; valid types are %2"_s.arg(m_command, socketTypeNames().join(u", "_s)));
    }
    spec.name = m_parser.isSet(m_nameOption) ? m_parser.value(m_nameOption) : socketTypeName(spec.type);

    spec.binds = m_parser.values(m_bindOption);
    spec.connects = m_parser.values(m_connectOption);
    for (const QString &uri : spec.binds + spec.connects) {
        // libzmq would say "Invalid argument"; an empty endpoint deserves a clearer word.
        if (uri.trimmed().isEmpty())
            throw usageError(
                u"empty endpoint given to --bind or --connect; expected e.g. tcp://127.0.0.1:5555"_s);
    }
    if (spec.binds.isEmpty() && spec.connects.isEmpty())
        throw usageError(
            u"%1 needs at least one --bind URI or --connect URI, e.g. --bind tcp://127.0.0.1:5555"_s.arg(
                m_command));

    const QStringList subscriptions = m_hasSubscribe ? m_parser.values(m_subscribeOption) : QStringList();
    if (!subscriptions.isEmpty() && spec.type != SocketType::Sub && spec.type != SocketType::XSub)
        throw usageError(u"--subscribe %1 needs a SUB or XSUB socket, not %2"_s.arg(
            quoted(subscriptions.constFirst()), socketTypeName(spec.type)));
    for (const QString &prefix : subscriptions)
        spec.subscriptions.append(prefix.toUtf8());

    spec.options = parseOptionAssignments(m_parser.values(m_optionOption), u"option"_s);
    if (m_security)
        spec.security = m_security->read(*this);
    return spec;
}

Options parseOptionAssignments(const QStringList &assignments, const QString &optionName)
{
    Options options;
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(u'=');
        if (equals <= 0)
            throw usageError(u"bad --%1 %2: expected NAME=VALUE, e.g. --%1 linger=0"_s.arg(
                optionName, quoted(assignment)));
        const QString name = assignment.left(equals).trimmed();
        const OptionInfo &info = optionFromName(name); // unknown names throw, listing the valid ones
        if (!info.writable)
            throw usageError(u"bad --%1 %2: option %3 is read-only"_s.arg(
                optionName, quoted(assignment), QLatin1StringView(info.name)));
        // libzmq's refusal of a password longer than PLAIN carries (255 bytes) would repeat it.
        if (QLatin1StringView(info.name) == "plain_password"_L1
            && assignment.mid(equals + 1).toUtf8().size() > 255)
            throw usageError(
                u"bad --%1 %2=...: a PLAIN password is at most 255 bytes (the value is not shown: it "
                u"is a secret)"_s.arg(optionName, name));
        try {
            options.emplace_back(info.name, OptionValue::fromText(info, assignment.mid(equals + 1)));
        } catch (const Error &error) {
            // A secret key or password typed wrong is still a secret: name the option, not the value.
            const QLatin1StringView infoName(info.name);
            if (infoName == "curve_secretkey"_L1 || infoName == "plain_password"_L1)
                throw usageError(
                    u"bad --%1 %2=...: %3 expects %4 (the value is not shown: it is a secret)"_s.arg(
                        optionName, name, infoName, optionKindName(info.kind)));
            // Say which option of the command line it was: tap has three (--option, --listen-option, ...).
            throw usageError(u"bad --%1 %2: %3"_s.arg(optionName, quoted(assignment), error.message()));
        }
    }
    return options;
}

OutputFormat CommandLine::format() const
{
    const QString format = m_parser.value(m_formatOption).toLower();
    if (format == u"pretty"_s)
        return OutputFormat::Pretty;
    if (format == u"jsonl"_s)
        return OutputFormat::Jsonl;
    if (m_formatWithNone && format == u"none"_s)
        return OutputFormat::None;
    throw usageError(
        u"unknown --format %1; valid formats are %2"_s.arg(quoted(m_parser.value(m_formatOption)),
            m_formatWithNone ? u"pretty, jsonl, none"_s : u"pretty, jsonl"_s));
}

std::optional<int> CommandLine::number(const QCommandLineOption &option, int minimum) const
{
    if (!m_parser.isSet(option))
        return std::nullopt;
    const QString text = m_parser.value(option);
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok || value < minimum)
        throw usageError(u"bad --%1 value %2: expected a whole number from %3 to %4"_s
                             .arg(option.names().constLast(), quoted(text))
                             .arg(minimum)
                             .arg(INT_MAX));
    return value;
}

// ---------------------------------------------------------------- sockets

QString endpointText(const SocketSpec &spec, const QStringList &boundEndpoints)
{
    return (boundEndpoints + spec.connects).join(u","_s);
}

void printOpened(const SocketSpec &spec, const QStringList &boundEndpoints)
{
    for (const QString &endpoint : boundEndpoints)
        printStatus(u"%1 bound to %2"_s.arg(spec.name, endpoint));
    for (const QString &uri : spec.connects)
        printStatus(u"%1 connecting to %2"_s.arg(spec.name, uri));
}

int openFailureStatus(const Engine &engine, SocketId id)
{
    const std::optional<SocketInfo> info = engine.socket(id);
    return info && info->openError ? exitStatusFor(info->openError->code()) : ExitFailure;
}

QString describeSocket(const SocketSpec &spec, const QStringList &boundEndpoints)
{
    if (!boundEndpoints.isEmpty())
        return u"%1 socket bound to %2"_s.arg(socketTypeName(spec.type), boundEndpoints.join(u", "_s));
    return u"%1 socket connected to %2"_s.arg(socketTypeName(spec.type), spec.connects.join(u", "_s));
}

QString connectionProblem(const EngineEvent &event, SocketId id)
{
    if (event.socket == id
        && (event.state == SocketState::Retrying || (event.isError && !event.endpoint.isEmpty())))
        return event.text;
    return {};
}

} // namespace zmqscope::cli
