#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include <QJsonArray>
#include <QJsonDocument>

#include <zmqscope/endpoint.h>
#include <zmqscope/engine/socketspec.h>
#include <zmqscope/error.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

QString ofSocket(const QString &name)
{
    return name.isEmpty() ? QString() : u" of socket \"%1\""_s.arg(name);
}

// Options whose value is a secret: never shown in a message nor written to JSON.
bool isSecretOption(std::string_view name)
{
    return name == "curve_secretkey" || name == "plain_password";
}

// Security errors name a field ("security.curveServerKey: ..."); the socket goes first.
QString socketPrefix(const QString &name)
{
    return name.isEmpty() ? QString() : u"socket \"%1\": "_s.arg(name);
}

QString jsonText(const QJsonValue &value)
{
    QByteArray text = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

// Bytes travel as a JSON string when they are UTF-8 text, else as {"base64": "..."}, so nothing is lost.
QJsonValue bytesToJson(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    if (text.toUtf8() == bytes)
        return text;
    return QJsonObject { { u"base64"_s, QString::fromLatin1(bytes.toBase64()) } };
}

std::optional<QByteArray> bytesFromJson(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().toUtf8();
    if (value.isObject() && value.toObject().value(u"base64"_s).isString()) {
        auto decoded
            = QByteArray::fromBase64Encoding(value.toObject().value(u"base64"_s).toString().toLatin1(),
                QByteArray::AbortOnBase64DecodingErrors);
        if (decoded)
            return *decoded;
    }
    return std::nullopt;
}

QJsonValue optionValueToJson(const OptionValue &value)
{
    if (value.isBool())
        return value.toBool();
    if (value.isInt()) {
        const std::int64_t number = value.toInt();
        // Doubles hold integers exactly only up to 2^53; larger ones are written as text.
        if (std::llabs(number) <= (std::int64_t { 1 } << 53))
            return double(number);
        return QString::number(number);
    }
    if (value.isBytes())
        return bytesToJson(value.toBytes());
    return QJsonValue();
}

OptionValue optionValueFromJson(const OptionInfo &info, const QJsonValue &json, const QString &socketName)
{
    const QString name = QString::fromLatin1(info.name);
    const auto bad = [&] {
        return Error(ErrorCode::InvalidOptionValue,
            u"option %1%2 expects %3, got %4"_s.arg(name, ofSocket(socketName), optionKindName(info.kind),
                isSecretOption(info.name) ? u"a value not shown (a secret)"_s : jsonText(json)));
    };
    switch (info.kind) {
    case OptionKind::Int:
    case OptionKind::Int64:
        if (json.isDouble()) {
            const double number = json.toDouble();
            if (number != std::floor(number) || std::fabs(number) > 9.2e18)
                throw bad();
            return OptionValue(std::int64_t(number));
        }
        if (json.isString())
            return OptionValue::fromText(info, json.toString());
        throw bad();
    case OptionKind::Bool:
        if (json.isBool())
            return OptionValue(json.toBool());
        if (json.isDouble() && (json.toDouble() == 0 || json.toDouble() == 1))
            return OptionValue(json.toDouble() == 1);
        if (json.isString())
            return OptionValue::fromText(info, json.toString());
        throw bad();
    case OptionKind::Bytes:
    case OptionKind::Text:
    case OptionKind::CurveKey:
        if (const auto bytes = bytesFromJson(json))
            return OptionValue(*bytes);
        throw bad();
    }
    throw bad();
}

void checkOptionValue(const OptionInfo &info, const OptionValue &value, const QString &socketName)
{
    const QString name = QString::fromLatin1(info.name);
    if (!info.writable)
        throw Error(ErrorCode::InvalidOptionValue,
            u"option %1%2 is read-only and cannot be set"_s.arg(name, ofSocket(socketName)));
    const auto bad = [&](const QString &expected) {
        return Error(ErrorCode::InvalidOptionValue,
            u"option %1%2 expects %3, got %4"_s.arg(name, ofSocket(socketName), expected,
                isSecretOption(info.name) ? u"a value not shown (a secret)"_s : value.toDisplayString()));
    };
    try {
        switch (info.kind) {
        case OptionKind::Int: {
            const std::int64_t number = value.toInt();
            if (number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max())
                throw bad(u"an integer that fits 32 bits"_s);
            break;
        }
        case OptionKind::Int64:
            (void)value.toInt();
            break;
        case OptionKind::Bool:
            (void)value.toBool();
            break;
        case OptionKind::Bytes:
        case OptionKind::Text:
            (void)value.toBytes();
            break;
        case OptionKind::CurveKey: {
            const QByteArray key = value.toBytes();
            if (key.size() != 32 && key.size() != 40)
                throw bad(optionKindName(info.kind));
            break;
        }
        }
    } catch (const Error &error) {
        if (error.code() == ErrorCode::InvalidOptionValue && error.message().startsWith(u"option "_s))
            throw;
        throw bad(optionKindName(info.kind));
    }
}

void checkSpecEndpoint(const QString &endpoint, EndpointRole role, SocketType type, const QString &socketName)
{
    // The one endpoint rule (transport's endpoint.h); this only says which endpoint of which socket.
    const Result<Endpoint> checked = checkEndpoint(endpoint, role, type);
    if (!checked)
        throw Error(ErrorCode::InvalidEndpoint,
            u"%1 endpoint \"%2\"%3: %4"_s.arg(role == EndpointRole::Bind ? u"bind"_s : u"connect"_s, endpoint,
                ofSocket(socketName), checked.errorMessage()));
}

} // namespace

// ---------------------------------------------------------------- SocketSpec

QJsonObject SocketSpec::toJson() const
{
    QJsonArray bindArray;
    for (const QString &endpoint : binds)
        bindArray.append(endpoint);
    QJsonArray connectArray;
    for (const QString &endpoint : connects)
        connectArray.append(endpoint);
    QJsonArray subscriptionArray;
    for (const QByteArray &prefix : subscriptions)
        subscriptionArray.append(bytesToJson(prefix));
    // An array of pairs, not an object: options apply in order and JSON objects have none.
    QJsonArray optionArray;
    for (const auto &[optionName, value] : options) {
        // A secret set as a raw option (--option curve_secretkey=...) is not saved: a workspace never
        // holds one (the socket's security keeps a key file's path instead).
        if (isSecretOption(optionName.c_str()))
            continue;
        optionArray.append(QJsonObject {
            { u"name"_s, QString::fromStdString(optionName) }, { u"value"_s, optionValueToJson(value) } });
    }
    QJsonObject json {
        { u"name"_s, name },
        { u"type"_s, socketTypeName(type) },
        { u"binds"_s, bindArray },
        { u"connects"_s, connectArray },
        { u"subscriptions"_s, subscriptionArray },
        { u"options"_s, optionArray },
    };
    // Without any secret: the secret key's file stands for it, PLAIN passwords are asked for again.
    if (!security.isNull())
        json.insert(u"security"_s, security.toJson());
    return json;
}

SocketSpec SocketSpec::fromJson(const QJsonObject &json)
{
    SocketSpec spec;
    spec.name = json.value(u"name"_s).toString();
    const QJsonValue type = json.value(u"type"_s);
    if (!type.isString())
        throw Error(ErrorCode::UnknownSocketType,
            u"socket%1 has no \"type\" (got %2); valid types are %3"_s.arg(
                spec.name.isEmpty() ? QString() : u" \"%1\""_s.arg(spec.name), jsonText(type),
                socketTypeNames().join(u", "_s)));
    spec.type = socketTypeFromName(type.toString());

    const auto endpoints = [&](const QString &key) {
        QStringList list;
        const QJsonValue value = json.value(key);
        if (value.isUndefined() || value.isNull())
            return list;
        if (!value.isArray())
            throw Error(ErrorCode::InvalidEndpoint,
                u"\"%1\"%2 must be a list of endpoints, got %3"_s.arg(
                    key, ofSocket(spec.name), jsonText(value)));
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array[i].isString())
                throw Error(ErrorCode::InvalidEndpoint,
                    u"%1[%2]%3 is not an endpoint string: %4"_s.arg(
                        key, QString::number(i), ofSocket(spec.name), jsonText(array[i])));
            list.append(array[i].toString());
        }
        return list;
    };
    spec.binds = endpoints(u"binds"_s);
    spec.connects = endpoints(u"connects"_s);

    const QJsonValue subscriptions = json.value(u"subscriptions"_s);
    if (subscriptions.isArray()) {
        const QJsonArray array = subscriptions.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const auto prefix = bytesFromJson(array[i]);
            if (!prefix)
                throw Error(ErrorCode::InvalidOptionValue,
                    u"subscriptions[%1]%2 is neither text nor {\"base64\": ...}: %3"_s.arg(
                        QString::number(i), ofSocket(spec.name), jsonText(array[i])));
            spec.subscriptions.append(*prefix);
        }
    } else if (!subscriptions.isUndefined() && !subscriptions.isNull()) {
        throw Error(ErrorCode::InvalidOptionValue,
            u"\"subscriptions\"%1 must be a list of prefixes, got %2"_s.arg(
                ofSocket(spec.name), jsonText(subscriptions)));
    }

    const QJsonValue options = json.value(u"options"_s);
    const auto addOption = [&](const QString &optionName, const QJsonValue &value) {
        const OptionInfo &info = optionFromName(optionName);
        spec.options.emplace_back(info.name, optionValueFromJson(info, value, spec.name));
    };
    if (options.isArray()) {
        const QJsonArray array = options.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonObject entry = array[i].toObject();
            if (!entry.value(u"name"_s).isString())
                throw Error(ErrorCode::UnknownOption,
                    u"options[%1]%2 has no \"name\": %3"_s.arg(
                        QString::number(i), ofSocket(spec.name), jsonText(array[i])));
            addOption(entry.value(u"name"_s).toString(), entry.value(u"value"_s));
        }
    } else if (options.isObject()) {
        // Hand-written files may use {"linger": 0, ...}; those apply in name order.
        const QJsonObject object = options.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            addOption(it.key(), it.value());
    } else if (!options.isUndefined() && !options.isNull()) {
        throw Error(ErrorCode::InvalidOptionValue,
            u"\"options\"%1 must be a list of {\"name\", \"value\"}, got %2"_s.arg(
                ofSocket(spec.name), jsonText(options)));
    }

    const QJsonValue security = json.value(u"security"_s);
    if (security.isObject()) {
        auto read = SocketSecurity::fromJson(security.toObject());
        if (!read)
            throw Error(read.error().code(), socketPrefix(spec.name) + read.errorMessage());
        spec.security = std::move(*read);
    } else if (!security.isUndefined() && !security.isNull()) {
        throw Error(ErrorCode::InvalidOptionValue,
            u"\"security\"%1 must be an object, got %2"_s.arg(ofSocket(spec.name), jsonText(security)));
    }
    return spec;
}

void SocketSpec::validate() const
{
    if (!findSocketType(socketTypeName(type)))
        throw Error(ErrorCode::UnknownSocketType,
            u"unknown socket type %1%2; valid types are %3"_s.arg(
                QString::number(int(type)), ofSocket(name), socketTypeNames().join(u", "_s)));
    for (const auto &[optionName, value] : options) {
        const OptionInfo &info = optionFromName(optionName);
        checkOptionValue(info, value, name);
    }
    if (!subscriptions.isEmpty() && type != SocketType::Sub && type != SocketType::XSub)
        throw Error(ErrorCode::InvalidOptionValue,
            u"subscriptions%1 apply only to SUB and XSUB sockets, not to %2"_s.arg(
                ofSocket(name), socketTypeName(type)));
    if (binds.isEmpty() && connects.isEmpty())
        throw Error(ErrorCode::InvalidEndpoint,
            u"socket%1 has no endpoint; add a bind or connect endpoint such as tcp://127.0.0.1:5555"_s.arg(
                name.isEmpty() ? QString() : u" \"%1\""_s.arg(name)));
    for (const QString &endpoint : binds)
        checkSpecEndpoint(endpoint, EndpointRole::Bind, type, name);
    for (const QString &endpoint : connects)
        checkSpecEndpoint(endpoint, EndpointRole::Connect, type, name);
    if (Result<void> secure = security.validate(); !secure)
        throw Error(secure.error().code(), socketPrefix(name) + secure.errorMessage());
}

QString uniqueSocketName(
    const QString &wanted, SocketType type, const std::function<bool(const QString &)> &taken)
{
    const QString base = wanted.trimmed();
    if (base.isEmpty()) {
        for (int n = 1;; ++n) {
            QString name = u"%1 %2"_s.arg(socketTypeName(type), QString::number(n));
            if (!taken(name))
                return name;
        }
    }
    QString name = base;
    for (int n = 2; taken(name); ++n)
        name = u"%1 (%2)"_s.arg(base, QString::number(n));
    return name;
}

} // namespace zmqscope
