#include <optional>

#include <QDir>
#include <QJsonObject>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/engine/tap.h>
#include <zmqscope/version.h>

#include "clicommon.h"
#include "commands.h"
#include "decodeoption.h"
#include "filteroption.h"
#include "receivesession.h"
#include "securityoptions.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

// --listen or --forward: at least one, none empty.
QStringList endpoints(const CommandLine &commandLine, const QCommandLineOption &option, const QString &what)
{
    const QString name = option.names().constFirst();
    QStringList uris = commandLine.values(option);
    if (uris.isEmpty())
        throw usageError(
            u"tap needs --%1 URI (%2), e.g. --%1 tcp://127.0.0.1:5555; see zmqscope-cli tap --help"_s.arg(
                name, what));
    for (const QString &uri : uris) {
        if (uri.trimmed().isEmpty())
            throw usageError(u"empty endpoint given to --%1; expected e.g. tcp://127.0.0.1:5555"_s.arg(name));
    }
    return uris;
}

} // namespace

int runTap(const QStringList &arguments)
{
    CommandLine commandLine(u"tap"_s,
        u"Sit between clients and their server: bind where the clients connect (--listen), connect to the "
        u"server's real endpoint (--forward), forward every message both ways byte for byte, and print "
        u"(and record) each one once with its direction: c2s (client to server) or s2c."_s);
    const QCommandLineOption patternOption(u"pattern"_s,
        u"The clients' socket type and the server's: "_s + tapPatternNames().join(u", "_s)
            + u". The tap uses on each side the socket type that side needs (e.g. ROUTER facing REQ clients, "
              u"DEALER facing a REP server)."_s,
        u"P"_s);
    const QCommandLineOption listenOption(u"listen"_s,
        u"Bind to URI, where the clients connect (repeatable), e.g. tcp://127.0.0.1:5555 or "
        u"tcp://127.0.0.1:* for a free port (the real one is reported on stderr)."_s,
        u"URI"_s);
    const QCommandLineOption forwardOption(
        u"forward"_s, u"Connect to URI, the server's real endpoint (repeatable)."_s, u"URI"_s);
    const QCommandLineOption nameOption(u"name"_s,
        u"The tap's name in the output (default: \"tap PATTERN\", e.g. \"tap req-rep\")."_s, u"N"_s);
    const QCommandLineOption optionOption(u"option"_s,
        u"Set a socket option on both of the tap's sockets (repeatable), e.g. --option sndhwm=1000. Names as "
        u"in the GUI, case-insensitive."_s,
        u"NAME=VALUE"_s);
    const QCommandLineOption listenOptionOption(u"listen-option"_s,
        u"Set a socket option on the socket facing the clients only (repeatable; after --option)."_s,
        u"NAME=VALUE"_s);
    const QCommandLineOption forwardOptionOption(u"forward-option"_s,
        u"Set a socket option on the socket facing the server only (repeatable; after --option)."_s,
        u"NAME=VALUE"_s);
    const QCommandLineOption quietOption(
        QStringList { u"q"_s, u"quiet"_s }, u"No status lines on stderr, errors only."_s);
    const QCommandLineOption writeOption(u"write"_s,
        u"Also record every forwarded message (and each subscription as an event line) to FILE as a "
        u"capture (JSON Lines: a header line, then the same lines as --format jsonl). FILE is created (or "
        u"replaced) with the first message, or at a clean end without one: a run that fails before keeps an "
        u"existing FILE."_s,
        u"FILE"_s);
    commandLine.addOption(patternOption);
    commandLine.addOption(listenOption, true);
    commandLine.addOption(forwardOption, true);
    commandLine.addOption(nameOption);
    commandLine.addOption(optionOption, true);
    commandLine.addOption(listenOptionOption, true);
    commandLine.addOption(forwardOptionOption, true);
    commandLine.addOption(quietOption);
    commandLine.addFormatOption(true);
    commandLine.addCountOption(
        u"Exit (status 0) after N forwarded messages, c2s and s2c together "
        u"(subscriptions do not count); the tap then closes (a --write file also has what it forwarded "
        u"until then)."_s);
    commandLine.addTimeoutOption(
        u"Exit with status 1 when no message (no further message) is forwarded, either way, within MS "
        u"milliseconds; restarts with every forwarded message. The error says when the server's side never "
        u"connected or no client did."_s);
    commandLine.addOption(writeOption);
    const QCommandLineOption filter = filterOption();
    commandLine.addOption(filter);
    const DecodeOptions decodeOptions;
    decodeOptions.addTo(commandLine);
    // The clients' side is their server; the server's side is its client (DESIGN.md section 12).
    const SecurityOptions listenSecurity(SecurityRole::Server);
    const SecurityOptions forwardSecurity(SecurityRole::Client, u"forward-"_s);
    listenSecurity.addTo(commandLine);
    forwardSecurity.addTo(commandLine);
    if (!commandLine.parse(arguments,
            u"Point the clients at --listen instead of the server; the tap keeps their connections when the "
            u"server restarts and reconnects to it. Replies reach only the client that asked; the routing id "
            u"the tap gave the client is shown as \"peer\". A message's \"type\" is its sender's socket "
            u"type.\n"
            u"\n"
            u"Examples:\n"
            u"  zmqscope-cli tap --pattern req-rep --listen tcp://127.0.0.1:5555 --forward "
            u"tcp://127.0.0.1:6555\n"
            u"  zmqscope-cli tap --pattern push-pull --listen tcp://127.0.0.1:* --forward "
            u"tcp://127.0.0.1:5557 "
            u"--format jsonl --count 100\n"
            u"  zmqscope-cli tap --pattern sub-pub --listen tcp://127.0.0.1:5556 --forward "
            u"tcp://127.0.0.1:6556 "
            u"--format none --write feed.zmqcap\n"
            u"\n"
            u"SIGINT or SIGTERM ends the tap cleanly: the --write file closed and complete, one summary line "
            u"(forwarded c2s N, s2c M, subscriptions K), exit status 0.\n"
            u"\n"
            u"Security: each side has its own. The security options without prefix (--curve-server, "
            u"--curve-secret-key, --allow-key, --allow-any, --plain-server, --accept-user, --allow-ip, "
            u"--deny-ip) "
            u"are the clients' side, where the tap is their server: it decrypts what they send and lets them "
            u"in "
            u"by its ZAP rules. The same names with --forward- are the server's side, where the tap is a "
            u"client: "
            u"--forward-curve-server-key (the server's public key), --forward-curve-secret-key and "
            u"--forward-curve-public-key (the tap's own keys there), --forward-plain-user and "
            u"--forward-plain-password. The tap sees the messages in clear between the two. A failed "
            u"handshake "
            u"with the server ends the tap with status 1 and says why; clients that fail are refused and "
            u"reported, the tap goes on.\n"
            u"  zmqscope-cli tap --pattern req-rep --listen tcp://127.0.0.1:5555 --forward "
            u"tcp://127.0.0.1:6555 "
            u"--curve-secret-key @tap.key_secret --allow-any --forward-curve-server-key @server.key\n"_s))
        return ExitSuccess;

    if (!commandLine.isSet(patternOption))
        throw usageError(
            u"tap needs --pattern P; valid patterns are %1"_s.arg(tapPatternNames().join(u", "_s)));
    const QString patternText = commandLine.value(patternOption);
    const Result<TapPattern> pattern = parseTapPattern(patternText);
    if (!pattern)
        throw usageError(u"unknown --pattern %1; valid patterns are %2"_s.arg(
            quoted(patternText), tapPatternNames().join(u", "_s)));

    TapSpec spec;
    spec.pattern = *pattern;
    spec.name = commandLine.isSet(nameOption) ? commandLine.value(nameOption) : QString();
    spec.listen = endpoints(commandLine, listenOption, u"where the clients connect"_s);
    spec.forward = endpoints(commandLine, forwardOption, u"the server's endpoint"_s);
    const Options both = parseOptionAssignments(commandLine.values(optionOption), u"option"_s);
    const Options listenOnly
        = parseOptionAssignments(commandLine.values(listenOptionOption), u"listen-option"_s);
    const Options forwardOnly
        = parseOptionAssignments(commandLine.values(forwardOptionOption), u"forward-option"_s);
    spec.listenOptions = both;
    spec.listenOptions.insert(spec.listenOptions.end(), listenOnly.begin(), listenOnly.end());
    spec.forwardOptions = both;
    spec.forwardOptions.insert(spec.forwardOptions.end(), forwardOnly.begin(), forwardOnly.end());
    spec.listenSecurity = listenSecurity.read(commandLine);
    spec.forwardSecurity = forwardSecurity.read(commandLine);
    ReceiveOptions options = receiveOptions(commandLine);
    options.filtered = commandLine.isSet(filter);
    MessagePipeline pipeline = MessagePipeline::fromCommandLine(commandLine, filter, &decodeOptions);

    std::optional<CaptureWriterOptions> captureOptions;
    if (commandLine.isSet(writeOption)) {
        CaptureWriterOptions writerOptions;
        writerOptions.path = commandLine.value(writeOption);
        writerOptions.headerExtra
            = QJsonObject { { u"writer"_s, u"zmqscope-cli %1"_s.arg(libraryVersion()) } };
        checkWritable(writerOptions);
        captureOptions = writerOptions;
    }

    // The engine runs the tap (forwarding in its thread, as in the GUI) and records through its
    // recorder; the file is created with the first message or at a clean end, so a run that fails first
    // leaves an existing file as it was.
    ReceiveSession session(spec, options, captureOptions);
    if (options.format == OutputFormat::None) {
        // Forwarded and recorded only: --count counts what --filter lets through.
        session.handleMessages(
            [&](std::int64_t, Direction direction, const Frames &frames, QByteArrayView peer) {
                const MessageFormatter &formatter = session.formatter(direction);
                return pipeline.accept(frames, direction, peer, formatter.socketName(), formatter.typeName());
            });
        return session.exec();
    }
    if (captureOptions)
        setStdoutClosedNote(u"forwarding and recording go on to %1"_s.arg(
            quoted(QDir::toNativeSeparators(captureOptions->path))));
    else
        session.endWhenStdoutCloses(); // without --write stdout was the only record
    session.handleMessages(
        [&](std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView peer) {
            MessageFormatter &formatter = session.formatter(direction);
            if (!pipeline.accept(frames, direction, peer, formatter.socketName(), formatter.typeName()))
                return false;
            writeStdout(pipeline.decorate(formatter.format(timestampUs, direction, frames, peer)));
            return true;
        });
    const bool jsonl = options.format == OutputFormat::Jsonl;
    session.handleEvents([jsonl](const CaptureRecord &event) {
        writeStdout(jsonl ? captureEventLine(event) : formatEvent(event));
    });
    return session.exec();
}

} // namespace zmqscope::cli
