#include "workspace.h"

#include <algorithm>
#include <exception>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>

#include <zmqscope/capture/fileio.h>
#include <zmqscope/error.h>

#include "jsontext.h"

using namespace Qt::StringLiterals;
using zmqscope::Error;
using zmqscope::ErrorCode;
using zmqscope::jsonTypeName;

namespace {

const auto VersionKey = u"zmqscope_workspace"_s;
const auto SocketsKey = u"sockets"_s;
const auto TapsKey = u"taps"_s;
const auto SniffersKey = u"sniffers"_s;
const auto DecodersKey = u"decoders"_s;
const auto FiltersKey = u"filters"_s;

// Workspaces are a few kilobytes; refusing huge files keeps a wrong pick from eating memory.
constexpr qint64 MaxWorkspaceBytes = qint64 { 64 } << 20;

Error fileError(const QString &text)
{
    return Error(ErrorCode::FileError, text);
}

Error contentError(const QString &text)
{
    return Error(ErrorCode::InvalidBody, text);
}

// A tap entry's options are a socket entry's "options" (SocketSpec's JSON, one rule for both), read
// and written through the spec of that side.
QJsonObject tapToJson(const zmqscope::TapSpec &tap)
{
    const auto strings = [](const QStringList &list) { return QJsonArray::fromStringList(list); };
    const QJsonObject listen = tap.listenSocketSpec().toJson();
    const QJsonObject forward = tap.forwardSocketSpec().toJson();
    QJsonObject json {
        { u"name"_s, tap.name },
        { u"pattern"_s, zmqscope::tapPatternName(tap.pattern) },
        { u"listen"_s, strings(tap.listen) },
        { u"forward"_s, strings(tap.forward) },
        { u"listen_options"_s, listen.value(u"options"_s) },
        { u"forward_options"_s, forward.value(u"options"_s) },
    };
    // Each side's security as a socket entry's (SocketSecurity::toJson(): never a secret), when not NULL.
    if (listen.contains(u"security"_s))
        json.insert(u"listen_security"_s, listen.value(u"security"_s));
    if (forward.contains(u"security"_s))
        json.insert(u"forward_security"_s, forward.value(u"security"_s));
    return json;
}

/// Throws Error naming the bad field, as SocketSpec::fromJson() does.
zmqscope::TapSpec tapFromJson(const QJsonObject &json)
{
    zmqscope::TapSpec tap;
    const QJsonValue name = json.value(u"name"_s);
    if (!name.isUndefined() && !name.isString())
        throw Error(ErrorCode::InvalidBody, u"\"name\" must be text, it is %1"_s.arg(jsonTypeName(name)));
    tap.name = name.toString();
    const QJsonValue pattern = json.value(u"pattern"_s);
    if (!pattern.isString())
        throw Error(ErrorCode::UnknownSocketType,
            u"\"pattern\" is missing or not text (it is %1); valid patterns are %2"_s.arg(
                jsonTypeName(pattern), zmqscope::tapPatternNames().join(u", "_s)));
    zmqscope::Result<zmqscope::TapPattern> parsed = zmqscope::parseTapPattern(pattern.toString());
    if (!parsed)
        throw Error(parsed.error().code(), u"\"pattern\": %1"_s.arg(parsed.errorMessage()));
    tap.pattern = *parsed;
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(tap.pattern);
    // Each side through SocketSpec::fromJson(): endpoints and options are read, and refused, as a
    // socket entry's are.
    const auto side = [&](const QString &prefix, zmqscope::SocketType type, const QString &specKey) {
        const QString &endpointsKey = prefix;
        const QString optionsKey = prefix + u"_options"_s;
        const QString securityKey = prefix + u"_security"_s;
        const QJsonValue endpoints = json.value(endpointsKey);
        if (!endpoints.isArray())
            throw Error(ErrorCode::InvalidEndpoint,
                u"\"%1\" must be a list of endpoints, it is %2"_s.arg(endpointsKey, jsonTypeName(endpoints)));
        QJsonObject socket { { u"type"_s, zmqscope::socketTypeName(type) }, { specKey, endpoints },
            { u"options"_s, json.value(optionsKey) } };
        if (json.contains(securityKey))
            socket.insert(u"security"_s, json.value(securityKey));
        try {
            return zmqscope::SocketSpec::fromJson(socket);
        } catch (const Error &error) {
            // Its words are a socket's ("binds", "options", "security"): say which of the tap's fields
            // they were.
            throw Error(error.code(),
                u"\"%1\", \"%2\" or \"%3\": %4"_s.arg(
                    endpointsKey, optionsKey, securityKey, error.message()));
        }
    };
    const zmqscope::SocketSpec listen = side(u"listen"_s, sockets.listen, u"binds"_s);
    const zmqscope::SocketSpec forward = side(u"forward"_s, sockets.forward, u"connects"_s);
    tap.listen = listen.binds;
    tap.listenOptions = listen.options;
    tap.forward = forward.connects;
    tap.forwardOptions = forward.options;
    tap.listenSecurity = listen.security;
    tap.forwardSecurity = forward.security;
    return tap;
}

} // namespace

Workspace::Workspace(
    QList<zmqscope::SocketSpec> sockets, QList<zmqscope::TapSpec> taps, QList<zmqscope::SniffSpec> sniffers)
    : m_sockets(std::move(sockets))
    , m_taps(std::move(taps))
    , m_sniffers(std::move(sniffers))
{ }

QByteArray Workspace::toJson() const
{
    QJsonArray sockets;
    for (const zmqscope::SocketSpec &spec : m_sockets)
        sockets.append(spec.toJson());
    QJsonObject root;
    root.insert(VersionKey, Version);
    root.insert(SocketsKey, sockets);
    if (!m_taps.isEmpty()) {
        QJsonArray taps;
        for (const zmqscope::TapSpec &tap : m_taps)
            taps.append(tapToJson(tap));
        root.insert(TapsKey, taps);
    }
    if (!m_sniffers.isEmpty()) {
        QJsonArray sniffers;
        for (const zmqscope::SniffSpec &sniffer : m_sniffers)
            sniffers.append(sniffer.toJson());
        root.insert(SniffersKey, sniffers);
    }
    if (!m_decodeRules.isEmpty()) {
        QJsonArray rules;
        for (const zmqscope::DecodeRule &rule : m_decodeRules)
            rules.append(rule.toString());
        root.insert(DecodersKey, rules);
    }
    if (!m_savedFilters.isEmpty()) {
        QJsonArray filters;
        for (const auto &[name, text] : m_savedFilters)
            filters.append(QJsonObject { { u"name"_s, name }, { u"text"_s, text } });
        root.insert(FiltersKey, filters);
    }
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QStringList Workspace::unsavedKeyWarnings() const
{
    QStringList lines;
    const auto check = [&](const QString &what, const zmqscope::SocketSecurity &security) {
        if (security.mechanism == zmqscope::SecurityMechanism::Curve && !security.curveSecretKey.isEmpty()
            && security.curveSecretKeyFile.isEmpty())
            lines.append(
                u"%1 has a CURVE key pair from no certificate file: a workspace never holds a secret "
                u"key, so it cannot reopen with it%2. Socket > Generate Keys… saves a pair as "
                u"certificate files for Load Certificate…"_s.arg(
                    what, security.server ? QString() : u" (a client gets a new pair)"_s));
    };
    for (const zmqscope::SocketSpec &spec : m_sockets)
        check(u"Socket \"%1\""_s.arg(spec.name), spec.security);
    for (const zmqscope::TapSpec &tap : m_taps) {
        check(u"The clients' side of tap \"%1\""_s.arg(tap.name), tap.listenSecurity);
        check(u"The server's side of tap \"%1\""_s.arg(tap.name), tap.forwardSecurity);
    }
    return lines;
}

zmqscope::Result<void> Workspace::save(const QString &fileName) const
{
    const QString shown = QDir::toNativeSeparators(fileName);
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly))
        return fileError(u"Cannot save workspace \"%1\": %2"_s.arg(shown, file.errorString()));
    const QByteArray bytes = toJson();
    if (file.write(bytes) != bytes.size())
        return fileError(u"Cannot save workspace \"%1\": %2"_s.arg(shown, file.errorString()));
    if (!file.commit())
        return fileError(u"Cannot save workspace \"%1\": %2"_s.arg(shown, file.errorString()));
    return {};
}

zmqscope::Result<Workspace> Workspace::load(const QString &fileName)
{
    const QString shown = QDir::toNativeSeparators(fileName);
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        return fileError(u"Cannot open workspace \"%1\": %2"_s.arg(shown, file.errorString()));
    // Bounded by reading, not by file.size(): that is 0 for /dev/zero, a FIFO or a pipe.
    const zmqscope::Result<QByteArray> bytes
        = zmqscope::readAllBounded(file, MaxWorkspaceBytes, u"\"%1\""_s.arg(shown));
    if (!bytes)
        return fileError(u"Workspace not loaded: %1"_s.arg(bytes.errorMessage()));
    return fromJson(*bytes, shown);
}

zmqscope::Result<Workspace> Workspace::fromJson(const QByteArray &json, const QString &source)
{
    const QString prefix = u"Workspace \"%1\""_s.arg(source);
    if (json.trimmed().isEmpty())
        return contentError(u"%1 is empty, not a ZmqScope workspace"_s.arg(prefix));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        int line = 1;
        int column = 1;
        JsonText::lineColumnAt(json, parseError.offset, &line, &column);
        return contentError(
            u"%1 is not JSON: %2 at line %3, column %4"_s.arg(prefix, parseError.errorString())
                .arg(line)
                .arg(column));
    }
    if (!document.isObject())
        return contentError(
            u"%1 is not a ZmqScope workspace: the top level is an array, not an object"_s.arg(prefix));
    const QJsonObject root = document.object();
    const QJsonValue version = root.value(VersionKey);
    if (version.isUndefined())
        return contentError(
            u"%1 is not a ZmqScope workspace: it has no \"%2\" key"_s.arg(prefix, VersionKey));
    if (!version.isDouble() || version.toDouble() != Version) {
        const QString found = version.isDouble() ? QString::number(version.toDouble())
            : version.isString()                 ? u"\"%1\" (a string)"_s.arg(version.toString().left(40))
                                                 : jsonTypeName(version);
        return contentError(
            u"%1 has version %2; this ZmqScope reads version %3"_s.arg(prefix, found).arg(Version));
    }
    const QJsonValue sockets = root.value(SocketsKey);
    if (!sockets.isArray())
        return contentError(u"%1: \"%2\" should be an array of sockets, it is %3"_s.arg(
            prefix, SocketsKey, jsonTypeName(sockets)));

    QList<zmqscope::SocketSpec> specs;
    const QJsonArray array = sockets.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString entry = u"%1: socket entry at index %2"_s.arg(prefix).arg(i);
        const QJsonValue value = array.at(i);
        if (!value.isObject())
            return contentError(u"%1 is %2, not an object"_s.arg(entry, jsonTypeName(value)));
        try {
            zmqscope::SocketSpec spec = zmqscope::SocketSpec::fromJson(value.toObject());
            // A CURVE key pair made in a dialog and never saved to a file is not in the workspace (no
            // secret is): the rest of the entry is checked now, and that socket fails when it opens,
            // saying so, while the rest of the workspace opens.
            zmqscope::SocketSpec checked = spec;
            if (spec.security.missingSecrets().curveSecretKey)
                checked.security = {};
            checked.validate();
            for (qsizetype j = 0; j < specs.size(); ++j) {
                if (specs.at(j).name == spec.name) {
                    return contentError(
                        u"%1 is named \"%2\" like the entry at index %3; names must be unique"_s
                            .arg(entry, spec.name)
                            .arg(j));
                }
            }
            specs.append(std::move(spec));
        } catch (const zmqscope::Error &error) {
            return Error(error.code(), u"%1: %2"_s.arg(entry, error.message()));
        } catch (const std::exception &error) {
            return contentError(u"%1: %2"_s.arg(entry, QString::fromUtf8(error.what())));
        }
    }

    // Taps: names are unique over sockets and taps, as the engine keeps them.
    QList<zmqscope::TapSpec> taps;
    const QJsonValue tapsValue = root.value(TapsKey);
    if (!tapsValue.isUndefined() && !tapsValue.isArray())
        return contentError(u"%1: \"%2\" should be an array of taps, it is %3"_s.arg(
            prefix, TapsKey, jsonTypeName(tapsValue)));
    const QJsonArray tapArray = tapsValue.toArray();
    for (qsizetype i = 0; i < tapArray.size(); ++i) {
        const QJsonValue value = tapArray.at(i);
        if (!value.isObject())
            return contentError(u"%1: tap entry at index %2 is %3, not an object"_s.arg(prefix).arg(i).arg(
                jsonTypeName(value)));
        const QString tapName = value.toObject().value(u"name"_s).toString();
        // The name (untrusted, from the file) is quoted and cut: the message stays a line.
        const QString entry = u"%1: tap entry at index %2%3"_s.arg(prefix).arg(i).arg(
            tapName.isEmpty() ? QString() : u" (\"%1\")"_s.arg(tapName.left(80)));
        zmqscope::TapSpec tap;
        try {
            tap = tapFromJson(value.toObject());
        } catch (const zmqscope::Error &error) {
            return Error(error.code(), u"%1: %2"_s.arg(entry, error.message()));
        }
        if (const zmqscope::Result<void> valid = tap.validate(); !valid)
            return Error(valid.error().code(), u"%1: %2"_s.arg(entry, valid.errorMessage()));
        const bool socketNamed = std::any_of(specs.cbegin(), specs.cend(),
            [&](const zmqscope::SocketSpec &spec) { return !tap.name.isEmpty() && spec.name == tap.name; });
        const bool tapNamed = std::any_of(taps.cbegin(), taps.cend(),
            [&](const zmqscope::TapSpec &other) { return !tap.name.isEmpty() && other.name == tap.name; });
        if (socketNamed || tapNamed)
            return contentError(
                u"%1 has the name of another entry; names must be unique over sockets and taps"_s.arg(entry));
        taps.append(std::move(tap));
    }

    // Sniffers: their names are unique over everything too.
    QList<zmqscope::SniffSpec> sniffers;
    const QJsonValue sniffersValue = root.value(SniffersKey);
    if (!sniffersValue.isUndefined() && !sniffersValue.isArray())
        return contentError(u"%1: \"%2\" should be an array of sniffers, it is %3"_s.arg(
            prefix, SniffersKey, jsonTypeName(sniffersValue)));
    const QJsonArray sniffArray = sniffersValue.toArray();
    for (qsizetype i = 0; i < sniffArray.size(); ++i) {
        const QJsonValue value = sniffArray.at(i);
        if (!value.isObject())
            return contentError(
                u"%1: sniffer entry at index %2 is %3, not an object"_s.arg(prefix).arg(i).arg(
                    jsonTypeName(value)));
        const QString entry = u"%1: sniffer entry at index %2"_s.arg(prefix).arg(i);
        zmqscope::Result<zmqscope::SniffSpec> sniffer = zmqscope::SniffSpec::fromJson(value.toObject());
        if (!sniffer)
            return Error(sniffer.error().code(), u"%1: %2"_s.arg(entry, sniffer.errorMessage()));
        const QString &name = sniffer->name;
        const bool named
            = !name.isEmpty() && (std::any_of(specs.cbegin(), specs.cend(), [&](const auto &other) {
                  return other.name == name;
              }) || std::any_of(taps.cbegin(), taps.cend(), [&](const auto &other) {
                  return other.name == name;
              }) || std::any_of(sniffers.cbegin(), sniffers.cend(), [&](const auto &other) {
                  return other.name == name;
              }));
        if (named)
            return contentError(
                u"%1 has the name of another entry; names must be unique over sockets, taps and "
                u"sniffers"_s.arg(entry));
        sniffers.append(std::move(*sniffer));
    }

    // Decode rules, as the command line's --decode takes them.
    QList<zmqscope::DecodeRule> rules;
    const QJsonValue rulesValue = root.value(DecodersKey);
    if (!rulesValue.isUndefined() && !rulesValue.isArray())
        return contentError(u"%1: \"%2\" should be an array of decode rules, it is %3"_s.arg(
            prefix, DecodersKey, jsonTypeName(rulesValue)));
    const QJsonArray ruleArray = rulesValue.toArray();
    for (qsizetype i = 0; i < ruleArray.size(); ++i) {
        if (!ruleArray.at(i).isString())
            return contentError(u"%1: decode rule at index %2 is %3, not a string"_s.arg(prefix).arg(i).arg(
                jsonTypeName(ruleArray.at(i))));
        zmqscope::Result<zmqscope::DecodeRule> rule = zmqscope::DecodeRule::parse(ruleArray.at(i).toString());
        if (!rule)
            return Error(rule.error().code(),
                u"%1: decode rule at index %2: %3"_s.arg(prefix).arg(i).arg(rule.errorMessage()));
        rules.append(*rule);
    }
    // Saved filters: a name and a text each (the text is checked when it is applied, as typed text is).
    QList<std::pair<QString, QString>> filters;
    const QJsonValue filtersValue = root.value(FiltersKey);
    if (!filtersValue.isUndefined() && !filtersValue.isArray())
        return contentError(u"%1: \"%2\" should be an array of saved filters, it is %3"_s.arg(
            prefix, FiltersKey, jsonTypeName(filtersValue)));
    const QJsonArray filterArray = filtersValue.toArray();
    for (qsizetype i = 0; i < filterArray.size(); ++i) {
        const QJsonObject filter = filterArray.at(i).toObject();
        if (!filter.value(u"name"_s).isString() || !filter.value(u"text"_s).isString())
            return contentError(
                u"%1: saved filter at index %2 needs a \"name\" and a \"text\", both strings"_s.arg(prefix)
                    .arg(i));
        filters.append({ filter.value(u"name"_s).toString(), filter.value(u"text"_s).toString() });
    }
    Workspace workspace(std::move(specs), std::move(taps), std::move(sniffers));
    workspace.setDecodeRules(rules);
    workspace.setSavedFilters(filters);
    return workspace;
}
