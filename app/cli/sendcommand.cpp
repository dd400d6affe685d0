#include <optional>
#include <utility>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <zmqscope/capture/fileio.h>
#include <zmqscope/envelope.h>
#include <zmqscope/replay/templates.h>

#include "clicommon.h"
#include "commands.h"
#include "sendrun.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

constexpr int DefaultTimeoutMs = 5000;
// The engine's default maxmsgsize: a bigger body would not be taken by a ZmqScope peer either.
constexpr qint64 MaxFileBodyBytes = qint64 { 256 } << 20;
// A PUB drops messages for subscribers whose subscription has not arrived yet (the slow-joiner
// problem); without --wait-peers it waits this long after connecting so peers can join.
constexpr int DefaultPubSettleMs = 200;

QString cut(const QString &text)
{
    constexpr qsizetype Limit = 60;
    return text.size() <= Limit ? text : text.left(Limit) + u"..."_s;
}

QByteArray parseHex(const QString &text, int frameNumber)
{
    // Spaces and colons may group the digits ("00 ff", "de:ad"); everything else must be hex.
    QByteArray bytes;
    int high = -1;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == u' ' || c == u':') {
            if (high >= 0)
                throw usageError(
                    u"bad hex in --frame %1 %2: a separator splits the byte at position %3"_s.arg(
                        QString::number(frameNumber), quoted(cut(text)), QString::number(i + 1)));
            continue;
        }
        const char16_t u = c.unicode();
        int digit = -1;
        if (u >= u'0' && u <= u'9')
            digit = u - u'0';
        else if (u >= u'a' && u <= u'f')
            digit = u - u'a' + 10;
        else if (u >= u'A' && u <= u'F')
            digit = u - u'A' + 10;
        if (digit < 0)
            throw usageError(u"bad hex in --frame %1 %2: %3 at position %4 is not a hex digit"_s.arg(
                QString::number(frameNumber), quoted(cut(text)), quoted(QString(c)), QString::number(i + 1)));
        if (high < 0) {
            high = digit;
        } else {
            bytes.append(char((high << 4) | digit));
            high = -1;
        }
    }
    if (high >= 0)
        throw usageError(u"bad hex in --frame %1 %2: an odd number of hex digits"_s.arg(
            QString::number(frameNumber), quoted(cut(text))));
    return bytes;
}

QByteArray validatedJson(const QString &text)
{
    QByteArray json = text.toUtf8(); // not const: returned by move
    QJsonParseError error {};
    // Wrapped in an array so scalars ("42", "\"x\"") are accepted as in any JSON parser.
    const QJsonDocument document = QJsonDocument::fromJson('[' + json + ']', &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1) {
        const int position = qBound(0, error.offset - 1, int(json.size()));
        const QString why
            = error.error != QJsonParseError::NoError ? error.errorString() : u"more than one value"_s;
        throw usageError(u"bad --json value %1: %2 at byte %3"_s.arg(quoted(cut(text)), why).arg(position));
    }
    return json;
}

// The template NAME of the library FILE; names the available ones when there is none of that name.
MessageTemplate loadTemplate(const QString &path, const QString &name)
{
    if (!QFile::exists(path))
        throw usageError(u"--library file %1 does not exist"_s.arg(quoted(path)));
    const TemplateLibrary library = TemplateLibrary::load(path); // throws Error naming what is wrong
    if (const MessageTemplate *found = library.find(name))
        return *found;
    QStringList names;
    for (const QString &known : library.names())
        names.append(quoted(known));
    throw usageError(names.isEmpty()
            ? u"no template %1: the library %2 is empty"_s.arg(quoted(name), quoted(path))
            : u"no template %1 in %2; available: %3"_s.arg(quoted(name), quoted(path), names.join(u", "_s)));
}

} // namespace

int runSend(const QStringList &arguments)
{
    CommandLine commandLine(u"send"_s,
        u"Send one envelope (or raw frames, or a saved template); on REQ and DEALER wait for the reply "
        u"and print it."_s);
    commandLine.addSocketOptions(
        u"Socket type (required, unless --template names a template saved with its socket type)."_s, false);
    commandLine.addFormatOption();
    commandLine.addTimeoutOption(
        u"How long a peer may take to accept the message, and on REQ/DEALER to reply "
        u"(default 5000); exit status 1 when it is over (\"not delivered\" when no peer took it). "
        u"PUB and XPUB cannot know whether anybody got a message and say so."_s);
    const QCommandLineOption idOption(
        u"id"_s, u"Envelope id (default empty); SUB peers filter on it."_s, u"ID"_s);
    const QCommandLineOption mimetypeOption(u"mimetype"_s,
        u"Envelope mimetype (default text/plain for --text, application/json "
        u"for --json, application/octet-stream for --file)."_s,
        u"MIMETYPE"_s);
    const QCommandLineOption textOption(u"text"_s, u"Envelope body: TEXT as UTF-8."_s, u"TEXT"_s);
    const QCommandLineOption jsonOption(
        u"json"_s, u"Envelope body: JSON, checked before sending."_s, u"JSON"_s);
    const QCommandLineOption fileOption(u"file"_s, u"Envelope body: the bytes of PATH."_s, u"PATH"_s);
    const QCommandLineOption frameOption(u"frame"_s,
        u"Raw mode: send these frames as they are, no envelope (repeatable, in "
        u"order)."_s,
        u"TEXT"_s);
    const QCommandLineOption hexOption(
        u"hex"_s, u"--frame values are hex (\"00ff10\", spaces and colons allowed)."_s);
    const QCommandLineOption routeOption(u"route"_s,
        u"Request (routing) frame before the envelope, followed by the empty "
        u"delimiter (repeatable). A ROUTER needs it: the first one is the peer's "
        u"routing id."_s,
        u"FRAME"_s);
    const QCommandLineOption delimiterOption(u"delimiter"_s,
        u"DEALER: put an empty frame first, as a REQ does, before raw --frame messages too (envelopes "
        u"get it anyway)."_s);
    const QCommandLineOption noDelimiterOption(u"no-delimiter"_s,
        u"DEALER: send the envelope without the empty frame a REQ puts first. By default a DEALER "
        u"frames envelopes as a REQ does, so REP peers and ROUTER services written with Dploy's "
        u"library (Envelope.from_raw, response_envelope) can answer."_s);
    const QCommandLineOption libraryOption(u"library"_s,
        u"The template library FILE (JSON, as saved by the app's Library panel) that --template "
        u"names a template of."_s,
        u"FILE"_s);
    const QCommandLineOption templateOption(u"template"_s,
        u"Send the saved message NAME from --library: an envelope or raw frames, with {{seq}} (1, 2, "
        u"... per message sent), {{now}} (ISO-8601 UTC time), {{uuid}} and {{random:N}} (0 to N-1) "
        u"expanded anew for every repeat. Without --type the template's socket type is used; a "
        u"different --type is an error."_s,
        u"NAME"_s);
    const QCommandLineOption repeatOption(u"repeat"_s, u"Send N times (default 1)."_s, u"N"_s);
    const QCommandLineOption intervalOption(
        u"interval"_s, u"Wait MS between repeats (default 0)."_s, u"MS"_s);
    const QCommandLineOption waitPeersOption(u"wait-peers"_s,
        u"PUB/XPUB: before sending, wait (up to --timeout) until N subscriptions "
        u"arrived, so no subscriber misses the message."_s,
        u"N"_s);
    const QCommandLineOption settleOption(u"settle"_s,
        u"Wait MS after binding/connecting before the first send (default 200 "
        u"for PUB/XPUB without --wait-peers, so subscribers can join; else 0)."_s,
        u"MS"_s);
    for (const auto *option : { &idOption, &mimetypeOption, &textOption, &jsonOption, &fileOption,
             &frameOption, &hexOption, &routeOption, &delimiterOption, &noDelimiterOption, &libraryOption,
             &templateOption, &repeatOption, &intervalOption, &waitPeersOption, &settleOption })
        commandLine.addOption(*option, option == &frameOption || option == &routeOption);
    if (!commandLine.parse(arguments,
            u"Examples:\n"
            u"  zmqscope-cli send -t req --connect tcp://127.0.0.1:5555 --id job-1 --json '{\"n\":1}'\n"
            u"  zmqscope-cli send -t pub --bind tcp://127.0.0.1:5556 --wait-peers 1 --id temp. --text 21\n"
            u"  zmqscope-cli send -t dealer --connect tcp://127.0.0.1:5555 --id d-1 --text hi\n"
            u"  zmqscope-cli send -t push --connect tcp://127.0.0.1:5557 --hex --frame 00ff --frame 01\n"
            u"  zmqscope-cli send --library library.json --template ping --connect tcp://127.0.0.1:5555 "
            u"--repeat 3\n"_s))
        return ExitSuccess;

    // A template is read first: its socket type is the default --type.
    std::optional<MessageTemplate> savedMessage;
    if (commandLine.isSet(libraryOption) != commandLine.isSet(templateOption))
        throw usageError(commandLine.isSet(libraryOption)
                ? u"--library needs --template NAME to say which saved message to send"_s
                : u"--template needs --library FILE, the template library it is in"_s);
    if (commandLine.isSet(templateOption))
        savedMessage = loadTemplate(commandLine.value(libraryOption), commandLine.value(templateOption));
    std::optional<SocketType> templateType;
    if (savedMessage && !savedMessage->socketType.isEmpty())
        templateType = socketTypeFromName(savedMessage->socketType);

    const SocketSpec setup = commandLine.socketSpec(templateType);
    const SocketType type = setup.type;
    if (templateType && *templateType != type)
        throw usageError(
            u"template %1 is meant for %2 sockets, not %3 (--type %4); use --type %5 or "
            u"change the template's socket type"_s.arg(quoted(savedMessage->name),
                socketTypeName(*templateType), socketTypeName(type),
                commandLine.value(QCommandLineOption(u"type"_s)), socketTypeName(*templateType).toLower()));
    if (!socketTypeCanSend(type))
        throw usageError(
            u"send cannot use a %1 socket: it cannot send; use PUB, PUSH, REQ, DEALER, ROUTER, PAIR "
            u"or XPUB"_s.arg(socketTypeName(type)));
    if (type == SocketType::Rep)
        throw usageError(u"send cannot use a REP socket: a REP answers requests; use echo -t REP"_s);
    const OutputFormat format = commandLine.format();
    const int timeout = commandLine.timeout().value_or(DefaultTimeoutMs);
    const int repeat = commandLine.number(repeatOption, 1).value_or(1);
    const int interval = commandLine.number(intervalOption, 0).value_or(0);
    const std::optional<int> waitPeers = commandLine.number(waitPeersOption, 1);
    const bool isPub = type == SocketType::Pub || type == SocketType::XPub;
    if (waitPeers && !isPub)
        throw usageError(u"--wait-peers %1 needs a PUB or XPUB socket, not %2 (other types queue the message "
                         u"until a peer connects)"_s.arg(QString::number(*waitPeers), socketTypeName(type)));
    const int settle
        = commandLine.number(settleOption, 0).value_or(isPub && !waitPeers ? DefaultPubSettleMs : 0);

    // The payload, checked completely before anything is opened.
    const bool raw = commandLine.isSet(frameOption);
    QStringList sources;
    for (const auto *option : { &textOption, &jsonOption, &fileOption, &frameOption, &templateOption }) {
        if (commandLine.isSet(*option))
            sources.append(u"--"_s + option->names().constFirst());
    }
    if (sources.isEmpty())
        throw usageError(u"send needs something to send: --text, --json, --file, --frame or --template"_s);
    if (sources.size() > 1)
        throw usageError(u"give only one of --text, --json, --file, --frame and --template (got %1)"_s.arg(
            sources.join(u" and "_s)));
    if (savedMessage
        && (commandLine.isSet(idOption) || commandLine.isSet(mimetypeOption) || commandLine.isSet(hexOption)))
        throw usageError(
            u"--template sends the saved message as it is; --id, --mimetype and --hex do not apply"_s);
    if (savedMessage && savedMessage->kind == MessageTemplate::Kind::Raw && commandLine.isSet(routeOption))
        throw usageError(u"--route builds an envelope; template %1 is raw frames, sent exactly as "
                         u"saved"_s.arg(quoted(savedMessage->name)));
    if (commandLine.isSet(hexOption) && !raw)
        throw usageError(u"--hex applies to --frame values only"_s);
    if (raw
        && (commandLine.isSet(idOption) || commandLine.isSet(mimetypeOption)
            || commandLine.isSet(routeOption)))
        throw usageError(
            u"--id, --mimetype and --route build an envelope; raw --frame sends the frames exactly as "
            u"given"_s);
    const bool delimiter = commandLine.isSet(delimiterOption);
    const bool noDelimiter = commandLine.isSet(noDelimiterOption);
    if (delimiter && noDelimiter)
        throw usageError(u"give --delimiter or --no-delimiter, not both"_s);
    if ((delimiter || noDelimiter) && type != SocketType::Dealer)
        throw usageError(u"%1 is for DEALER sockets (a REQ adds the delimiter by itself), not %2"_s.arg(
            delimiter ? u"--delimiter"_s : u"--no-delimiter"_s, socketTypeName(type)));
    const bool isEnvelope = savedMessage ? savedMessage->kind == MessageTemplate::Kind::Envelope : !raw;
    if (noDelimiter && !isEnvelope)
        throw usageError(u"--no-delimiter applies to envelopes; raw frames are sent exactly as given"_s);
    // Envelopes follow the one framing rule of core (REQ-compatible on DEALER); --delimiter puts the same
    // empty frame before raw frames.
    const EnvelopeFraming framing = noDelimiter ? EnvelopeFraming::Plain
        : delimiter                             ? EnvelopeFraming::ReqCompatible
        : isEnvelope                            ? defaultEnvelopeFraming(type)
                                                : EnvelopeFraming::Plain;

    Frames frames;
    Frames route; // --route frames (and the delimiter) put before each expanded envelope template
    std::optional<TemplateExpander> expander;
    if (savedMessage) {
        for (const QString &frame : commandLine.values(routeOption))
            route.append(frame.toUtf8());
        if (!route.isEmpty())
            route.append(QByteArray());
        // A trial expansion finds bad {{variables}} before anything is opened.
        try {
            frames = route + TemplateExpander().expand(*savedMessage);
        } catch (const Error &error) {
            throw runtimeError(u"template %1 in %2: %3"_s.arg(
                quoted(savedMessage->name), quoted(commandLine.value(libraryOption)), error.message()));
        }
        if (type == SocketType::Router && isEnvelope && route.isEmpty())
            throw usageError(u"a ROUTER needs --route ROUTING_ID to name the peer the envelope goes to"_s);
        if (type == SocketType::Router && frames.size() < 2)
            throw usageError(u"a ROUTER sends to the peer named by the first frame: template %1 has only "
                             u"one frame"_s.arg(quoted(savedMessage->name)));
        expander.emplace();
    } else if (raw) {
        const QStringList values = commandLine.values(frameOption);
        for (qsizetype i = 0; i < values.size(); ++i)
            frames.append(
                commandLine.isSet(hexOption) ? parseHex(values[i], int(i + 1)) : values[i].toUtf8());
        if (type == SocketType::Router && frames.size() < 2)
            throw usageError(
                u"a ROUTER sends to the peer named by the first frame: give its routing id and at "
                u"least one more --frame"_s);
    } else {
        QByteArray body;
        QByteArray contentType;
        if (commandLine.isSet(textOption)) {
            body = commandLine.value(textOption).toUtf8();
            contentType = mimetype::Text;
        } else if (commandLine.isSet(jsonOption)) {
            body = validatedJson(commandLine.value(jsonOption));
            contentType = mimetype::Json;
        } else {
            QFile file(commandLine.value(fileOption));
            if (!file.open(QIODevice::ReadOnly))
                throw usageError(
                    u"cannot read --file %1: %2"_s.arg(quoted(file.fileName()), file.errorString()));
            // Read with a bound: size() is 0 for /dev/zero, a FIFO or a pipe, so it cannot be the check.
            Result<QByteArray> read
                = readAllBounded(file, MaxFileBodyBytes, u"--file %1"_s.arg(quoted(file.fileName())));
            if (!read)
                throw usageError(read.errorMessage());
            body = std::move(read).value();
            contentType = mimetype::OctetStream;
        }
        if (commandLine.isSet(mimetypeOption))
            contentType = commandLine.value(mimetypeOption).toUtf8();
        Frames requestFrames;
        for (const QString &frame : commandLine.values(routeOption))
            requestFrames.append(frame.toUtf8());
        if (type == SocketType::Router && requestFrames.isEmpty())
            throw usageError(u"a ROUTER needs --route ROUTING_ID to name the peer the envelope goes to"_s);
        frames = Envelope(commandLine.value(idOption).toUtf8(), contentType, body, requestFrames)
                     .transferObject();
    }
    frames = withEnvelopeFraming(std::move(frames), framing);

    // A PUB cannot see its subscribers; an XPUB can, and SUB peers cannot tell the two apart.
    SocketSpec spec = setup;
    if (type == SocketType::Pub && waitPeers)
        spec.type = SocketType::XPub;
    // Delivery. libzmq accepts a message into a connect()ed socket's queue before any peer exists
    // and drops it at close after the linger, so a successful zmq_send() alone proves nothing.
    // ZMQ_IMMEDIATE makes a socket queue only to peers whose connection (and ZMTP handshake) is
    // complete: with it and a zero send timeout, a send that succeeds handed the message to a live
    // peer, and one that keeps failing until --timeout means nobody took it. The linger then gives
    // the queued bytes --timeout to reach that peer. (Watching HANDSHAKE_SUCCEEDED on the monitor
    // alone would not do: a PUSH connected to two endpoints, one of them dead, round-robins a
    // message into the dead one's queue.) The monitor is there to say why nothing was delivered,
    // and for XSUB, which drops what no peer takes instead of waiting. PUB and XPUB drop a message
    // for a subscriber that is not there by design: they cannot confirm delivery at all.
    // REQ and DEALER are confirmed by their reply instead: with ZMQ_IMMEDIATE libzmq 4.3.4 lost
    // about one reply in ten here when the connection completed during the first send attempts.
    // A ROUTER is confirmed by router_mandatory (no peer of that routing id: EHOSTUNREACH).
    // Send's own defaults go after the engine's and before the user's --option values, so the user wins.
    const bool waitsForReply = type == SocketType::Req || type == SocketType::Dealer;
    Options defaults { { "sndtimeo", 0 }, { "linger", timeout } };
    if (!isPub && !waitsForReply && type != SocketType::Router)
        defaults.emplace_back("immediate", true);
    if (waitPeers)
        defaults.emplace_back("xpub_verbose", true); // count every subscriber, not every distinct prefix
    if (type == SocketType::Router)
        defaults.emplace_back(
            "router_mandatory", true); // an unknown routing id is an error, not a silent drop
    spec.options.insert(spec.options.begin(), defaults.begin(), defaults.end());
    spec.validate(); // bad endpoints and option values are usage errors, found before anything opens

    // Variables are expanded anew for each message: {{seq}} counts 1, 2, 3, ...
    auto nextMessage = [&]() -> Frames {
        return expander ? withEnvelopeFraming(route + expander->expand(*savedMessage), framing) : frames;
    };
    SendPlan plan { .spec = std::move(spec),
        .type = type,
        .format = format,
        .timeout = timeout,
        .repeat = repeat,
        .interval = interval,
        .settle = settle,
        .waitPeers = waitPeers,
        .waitsForReply = waitsForReply,
        .nextMessage = nextMessage };

    return sendThroughEngine(std::move(plan));
}

} // namespace zmqscope::cli
