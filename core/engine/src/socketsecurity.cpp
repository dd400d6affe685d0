#include <arpa/inet.h>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <zmqscope/engine/socketspec.h>
#include <zmqscope/textescape.h>

#include "socketsecurity_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

Error badField(const QString &field, const QString &why)
{
    return Error(ErrorCode::InvalidOptionValue, u"security.%1: %2"_s.arg(field, why));
}

QString shown(const QByteArray &publicText)
{
    return textescape::escape(publicText);
}

bool isCurve(const SocketSecurity &s)
{
    return s.mechanism == SecurityMechanism::Curve;
}

bool isPlain(const SocketSecurity &s)
{
    return s.mechanism == SecurityMechanism::Plain;
}

// Which fields are set that the mechanism and role do not use: a spec says what it does, so a key
// given to the wrong role is an error rather than silently ignored.
Result<void> checkUnused(const SocketSecurity &s)
{
    const bool curveServer = isCurve(s) && s.server;
    const bool curveClient = isCurve(s) && !s.server;
    const bool plainServer = isPlain(s) && s.server;
    const bool plainClient = isPlain(s) && !s.server;
    const QString mechanism = securityMechanismName(s.mechanism);
    const QString role = s.server                ? u"%1 server"_s.arg(mechanism)
        : s.mechanism == SecurityMechanism::Null ? u"NULL socket"_s
                                                 : u"%1 client"_s.arg(mechanism);
    struct Use
    {
        const char16_t *field;
        bool set;
        bool used;
        const char16_t *where;
    };
    const Use uses[] = {
        { u"server", s.server, !(s.mechanism == SecurityMechanism::Null), u"PLAIN and CURVE" },
        { u"plainUser", !s.plainUser.isEmpty(), plainClient, u"a PLAIN client" },
        { u"plainPassword", !s.plainPassword.isEmpty(), plainClient, u"a PLAIN client" },
        { u"acceptUsers", !s.acceptUsers.isEmpty(), plainServer, u"a PLAIN server" },
        { u"curvePublicKey", !s.curvePublicKey.isEmpty(), isCurve(s), u"CURVE" },
        { u"curveSecretKey", !s.curveSecretKey.isEmpty(), isCurve(s), u"CURVE" },
        { u"curveSecretKeyFile", !s.curveSecretKeyFile.isEmpty(), isCurve(s), u"CURVE" },
        { u"curveServerKey", !s.curveServerKey.isEmpty(), curveClient, u"a CURVE client" },
        { u"allowKeys", !s.allowKeys.isEmpty(), curveServer, u"a CURVE server" },
        { u"allowKeyPaths", !s.allowKeyPaths.isEmpty(), curveServer, u"a CURVE server" },
        { u"allowAny", s.allowAny, curveServer, u"a CURVE server" },
    };
    for (const Use &use : uses) {
        if (use.set && !use.used) {
            return badField(QString::fromUtf16(use.field),
                u"applies to %1 only, not to a %2"_s.arg(QString::fromUtf16(use.where), role));
        }
    }
    return {};
}

Result<void> checkIps(const QStringList &ips, const QString &field)
{
    for (qsizetype i = 0; i < ips.size(); ++i) {
        if (!canonicalIpAddress(ips[i])) {
            return badField(u"%1[%2]"_s.arg(field, QString::number(i)),
                u"\"%1\" is not an IP address (such as 127.0.0.1 or ::1)"_s.arg(ips[i]));
        }
    }
    return {};
}

QJsonArray stringArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &text : list)
        array.append(text);
    return array;
}

QJsonArray keyArray(const QList<QByteArray> &keys)
{
    QJsonArray array;
    for (const QByteArray &key : keys)
        array.append(QString::fromLatin1(key));
    return array;
}

// The own secret key from its certificate file. A path, never a key argument: read as a file whatever
// its length (KEY|@FILE's rule, where 40 characters are a key, is not for it).
Result<QByteArray> readSecretKeyFile(const QString &path)
{
    const auto fileError = [](const QString &message) {
        return Error(ErrorCode::FileError, u"security.curveSecretKeyFile: %1"_s.arg(message));
    };
    auto certificate = readCurveCertificate(path);
    if (!certificate)
        return fileError(certificate.errorMessage());
    if (certificate->secretKey.isEmpty())
        return fileError(u"%1 has no secret-key: it is a public certificate"_s.arg(path));
    return certificate->secretKey;
}

Result<QStringList> stringsFromJson(const QJsonObject &json, const QString &field)
{
    const QJsonValue value = json.value(field);
    QStringList list;
    if (value.isUndefined() || value.isNull())
        return list;
    if (!value.isArray())
        return badField(field, u"must be a list of strings, got %1"_s.arg(jsonTypeName(value)));
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array[i].isString()) {
            return badField(u"%1[%2]"_s.arg(field, QString::number(i)),
                u"must be a string, got %1"_s.arg(jsonTypeName(array[i])));
        }
        list.append(array[i].toString());
    }
    return list;
}

Result<QString> stringFromJson(const QJsonObject &json, const QString &field)
{
    const QJsonValue value = json.value(field);
    if (value.isUndefined() || value.isNull())
        return QString();
    if (!value.isString())
        return badField(field, u"must be a string, got %1"_s.arg(jsonTypeName(value)));
    return value.toString();
}

} // namespace

std::optional<QString> canonicalIpAddress(const QString &text)
{
    const QByteArray address = text.trimmed().toLatin1();
    unsigned char binary[16] = {};
    char buffer[INET6_ADDRSTRLEN] = {};
    for (const int family : { AF_INET, AF_INET6 }) {
        if (inet_pton(family, address.constData(), binary) == 1
            && inet_ntop(family, binary, buffer, sizeof buffer)) {
            return QString::fromLatin1(buffer);
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- PlainCredentials

Result<PlainCredentials> PlainCredentials::parse(const QString &text)
{
    const qsizetype colon = text.indexOf(u':');
    if (colon < 0) {
        return Error(ErrorCode::InvalidOptionValue,
            u"a PLAIN user must be NAME:PASSWORD; \"%1\" has no ':'"_s.arg(text));
    }
    if (colon == 0) {
        return Error(ErrorCode::InvalidOptionValue,
            u"a PLAIN user must be NAME:PASSWORD with a name before the ':'"_s);
    }
    return PlainCredentials { text.left(colon), text.mid(colon + 1) };
}

// ---------------------------------------------------------------- SocketSecurity

bool SocketSecurity::isNull() const
{
    return mechanism == SecurityMechanism::Null && allowIps.isEmpty() && denyIps.isEmpty();
}

bool SocketSecurity::needsZap() const
{
    return (server && mechanism != SecurityMechanism::Null) || !allowIps.isEmpty() || !denyIps.isEmpty();
}

bool SocketSecurity::allowsNobody() const
{
    if (!server)
        return false;
    if (isCurve(*this))
        return !allowAny && allowKeys.isEmpty() && allowKeyPaths.isEmpty();
    if (isPlain(*this))
        return acceptUsers.isEmpty();
    return false;
}

Result<void> SocketSecurity::validate() const
{
    if (auto unused = checkUnused(*this); !unused)
        return unused;
    if (auto ips = checkIps(allowIps, u"allowIps"_s); !ips)
        return ips;
    if (auto ips = checkIps(denyIps, u"denyIps"_s); !ips)
        return ips;
    if (isPlain(*this)) {
        if (!server && plainUser.isEmpty())
            return badField(u"plainUser"_s, u"a PLAIN client needs a user name (--plain-user NAME)"_s);
        for (qsizetype i = 0; i < acceptUsers.size(); ++i) {
            if (acceptUsers[i].user.isEmpty())
                return badField(u"acceptUsers[%1]"_s.arg(i), u"a user needs a name"_s);
        }
        return {};
    }
    if (!isCurve(*this))
        return {};
    if (!curveSecretKey.isEmpty() && !isZ85Key(curveSecretKey))
        return badField(u"curveSecretKey"_s, u"not a CURVE key (40 characters of Z85 text)"_s);
    if (!curvePublicKey.isEmpty()) {
        if (!isZ85Key(curvePublicKey)) {
            return badField(u"curvePublicKey"_s,
                u"\"%1\" is not a CURVE key (40 characters of Z85 text)"_s.arg(shown(curvePublicKey)));
        }
        if (curveSecretKey.isEmpty() && curveSecretKeyFile.isEmpty()) {
            return badField(u"curveSecretKey"_s,
                u"the own public key is given without its secret key (--curve-secret-key KEY|@FILE)"_s);
        }
        if (!curveSecretKey.isEmpty() && curvePublicKeyOf(curveSecretKey).valueOr({}) != curvePublicKey) {
            return badField(u"curvePublicKey"_s,
                u"%1 is not the public key of the secret key"_s.arg(shown(curvePublicKey)));
        }
    }
    if (server && curveSecretKey.isEmpty() && curveSecretKeyFile.isEmpty()) {
        return badField(u"curveSecretKey"_s,
            u"a CURVE server needs its secret key (--curve-secret-key KEY|@FILE; zmqscope-cli keygen makes "
            "one)"_s);
    }
    if (!server) {
        if (curveServerKey.isEmpty()) {
            return badField(u"curveServerKey"_s,
                u"a CURVE client needs the server's public key (--curve-server-key KEY|@FILE)"_s);
        }
        if (!isZ85Key(curveServerKey)) {
            return badField(u"curveServerKey"_s,
                u"\"%1\" is not a CURVE key (40 characters of Z85 text)"_s.arg(shown(curveServerKey)));
        }
    }
    for (qsizetype i = 0; i < allowKeys.size(); ++i) {
        if (!isZ85Key(allowKeys[i])) {
            return badField(u"allowKeys[%1]"_s.arg(i),
                u"\"%1\" is not a CURVE key (40 characters of Z85 text)"_s.arg(shown(allowKeys[i])));
        }
    }
    return {};
}

MissingSecrets SocketSecurity::missingSecrets() const
{
    MissingSecrets missing;
    if (isPlain(*this)) {
        missing.plainPassword = !server && plainPassword.isEmpty();
        for (const PlainCredentials &credentials : acceptUsers) {
            if (credentials.password.isEmpty())
                missing.acceptUserPasswords.append(credentials.user);
        }
    }
    missing.curveSecretKey = isCurve(*this) && curveSecretKey.isEmpty() && curveSecretKeyFile.isEmpty()
        && (server || !curvePublicKey.isEmpty());
    return missing;
}

Result<QList<QByteArray>> SocketSecurity::allowedKeys() const
{
    QList<QByteArray> keys = allowKeys;
    for (const QString &path : allowKeyPaths) {
        if (QFileInfo(path).isDir()) {
            auto certificates = readCurveCertificateDirectory(path);
            if (!certificates)
                return badField(u"allowKeyPaths"_s, certificates.errorMessage());
            for (const CurveCertificate &certificate : *certificates)
                keys.append(certificate.publicKey);
            continue;
        }
        auto certificate = readCurveCertificate(path);
        if (!certificate)
            return badField(u"allowKeyPaths"_s, certificate.errorMessage());
        keys.append(certificate->publicKey);
    }
    return keys;
}

Result<CurveKeyPair> SocketSecurity::ownKeyPair() const
{
    if (curveSecretKey.isEmpty() && !curveSecretKeyFile.isEmpty()) {
        auto read = readSecretKeyFile(curveSecretKeyFile);
        if (!read)
            return std::move(read).error();
        SocketSecurity withKey = *this;
        withKey.curveSecretKey = *read;
        return withKey.ownKeyPair();
    }
    if (curveSecretKey.isEmpty())
        return badField(u"curveSecretKey"_s, u"no own secret key"_s);
    auto derived = curvePublicKeyOf(curveSecretKey);
    if (!derived)
        return badField(u"curveSecretKey"_s, derived.errorMessage());
    if (!curvePublicKey.isEmpty() && curvePublicKey != *derived) {
        return badField(
            u"curvePublicKey"_s, u"%1 is not the public key of the secret key"_s.arg(shown(curvePublicKey)));
    }
    return CurveKeyPair { *derived, curveSecretKey };
}

QJsonObject SocketSecurity::toJson() const
{
    QJsonObject json { { u"mechanism"_s, securityMechanismName(mechanism) } };
    if (server)
        json.insert(u"server"_s, true);
    if (!plainUser.isEmpty())
        json.insert(u"plainUser"_s, plainUser);
    if (!acceptUsers.isEmpty()) {
        // Names only: the passwords are secrets, asked for again when the spec is loaded.
        QStringList users;
        for (const PlainCredentials &credentials : acceptUsers)
            users.append(credentials.user);
        json.insert(u"acceptUsers"_s, stringArray(users));
    }
    QByteArray publicKey = curvePublicKey;
    if (publicKey.isEmpty() && !curveSecretKey.isEmpty())
        publicKey = curvePublicKeyOf(curveSecretKey).valueOr({});
    if (!publicKey.isEmpty())
        json.insert(u"curvePublicKey"_s, QString::fromLatin1(publicKey));
    if (!curveSecretKeyFile.isEmpty())
        json.insert(u"curveSecretKeyFile"_s, curveSecretKeyFile);
    if (!curveServerKey.isEmpty())
        json.insert(u"curveServerKey"_s, QString::fromLatin1(curveServerKey));
    if (!allowKeys.isEmpty())
        json.insert(u"allowKeys"_s, keyArray(allowKeys));
    if (!allowKeyPaths.isEmpty())
        json.insert(u"allowKeyPaths"_s, stringArray(allowKeyPaths));
    if (allowAny)
        json.insert(u"allowAny"_s, true);
    if (!allowIps.isEmpty())
        json.insert(u"allowIps"_s, stringArray(allowIps));
    if (!denyIps.isEmpty())
        json.insert(u"denyIps"_s, stringArray(denyIps));
    return json;
}

Result<SocketSecurity> SocketSecurity::fromJson(const QJsonObject &json)
{
    SocketSecurity security;
    auto mechanismName = stringFromJson(json, u"mechanism"_s);
    if (!mechanismName)
        return std::move(mechanismName).error();
    if (!mechanismName->isEmpty()) {
        auto mechanism = parseSecurityMechanism(*mechanismName);
        if (!mechanism)
            return badField(u"mechanism"_s, mechanism.errorMessage());
        security.mechanism = *mechanism;
    }
    for (const QString &flag : { u"server"_s, u"allowAny"_s }) {
        const QJsonValue value = json.value(flag);
        if (!value.isUndefined() && !value.isNull() && !value.isBool())
            return badField(flag, u"must be true or false, got %1"_s.arg(jsonTypeName(value)));
    }
    security.server = json.value(u"server"_s).toBool();
    security.allowAny = json.value(u"allowAny"_s).toBool();

    struct TextField
    {
        const char16_t *name;
        QString *target;
    };
    QString publicKey;
    QString serverKey;
    for (const TextField &field : { TextField { u"plainUser", &security.plainUser },
             TextField { u"curvePublicKey", &publicKey }, TextField { u"curveServerKey", &serverKey },
             TextField { u"curveSecretKeyFile", &security.curveSecretKeyFile } }) {
        auto text = stringFromJson(json, QString::fromUtf16(field.name));
        if (!text)
            return std::move(text).error();
        *field.target = *text;
    }
    security.curvePublicKey = publicKey.toLatin1();
    security.curveServerKey = serverKey.toLatin1();

    struct ListField
    {
        const char16_t *name;
        QStringList *target;
    };
    QStringList users;
    QStringList allowKeys;
    for (const ListField &field : { ListField { u"acceptUsers", &users },
             ListField { u"allowKeys", &allowKeys }, ListField { u"allowKeyPaths", &security.allowKeyPaths },
             ListField { u"allowIps", &security.allowIps }, ListField { u"denyIps", &security.denyIps } }) {
        auto list = stringsFromJson(json, QString::fromUtf16(field.name));
        if (!list)
            return std::move(list).error();
        *field.target = *list;
    }
    for (const QString &user : users)
        security.acceptUsers.append(PlainCredentials { user, QString() });
    for (const QString &key : allowKeys)
        security.allowKeys.append(key.toLatin1());

    // The secret key is never in JSON: it is read back from the file it came from.
    if (!security.curveSecretKeyFile.isEmpty()) {
        auto secret = readSecretKeyFile(security.curveSecretKeyFile);
        if (!secret)
            return std::move(secret).error();
        security.curveSecretKey = *secret;
        auto derived = curvePublicKeyOf(*secret);
        if (!derived)
            return badField(u"curveSecretKeyFile"_s, derived.errorMessage());
        if (!security.curvePublicKey.isEmpty() && security.curvePublicKey != *derived) {
            return badField(u"curvePublicKey"_s,
                u"%1 is not the public key in %2"_s.arg(
                    shown(security.curvePublicKey), security.curveSecretKeyFile));
        }
        security.curvePublicKey = *derived;
    }
    return security;
}

// ---------------------------------------------------------------- applying

bool actsAsZapServer(const SocketSecurity &security)
{
    return security.mechanism == SecurityMechanism::Null ? security.needsZap() : security.server;
}

QString securityRoleName(const SocketSecurity &security)
{
    if (security.mechanism == SecurityMechanism::Null)
        return security.needsZap() ? u"NULL, with address checks"_s : QString();
    return u"%1 %2"_s.arg(
        securityMechanismName(security.mechanism), security.server ? u"server"_s : u"client"_s);
}

QByteArray applySocketSecurity(Socket &socket, const SocketSecurity &security, const QByteArray &zapDomain)
{
    QByteArray generated;
    switch (security.mechanism) {
    case SecurityMechanism::Null:
        break;
    case SecurityMechanism::Plain:
        if (security.server) {
            socket.setOption("plain_server", true);
        } else {
            socket.setOption("plain_username", security.plainUser.toUtf8());
            socket.setOption("plain_password", security.plainPassword.toUtf8());
        }
        break;
    case SecurityMechanism::Curve: {
        CurveKeyPair own;
        if (security.curveSecretKey.isEmpty() && security.curveSecretKeyFile.isEmpty()) {
            // A client needs a key pair of its own; without one it gets a fresh one for this socket.
            own = generateCurveKeyPair().valueOrThrow();
            generated = own.publicKey;
        } else {
            own = security.ownKeyPair().valueOrThrow();
        }
        if (security.server)
            socket.setOption("curve_server", true);
        socket.setOption("curve_publickey", own.publicKey);
        socket.setOption("curve_secretkey", own.secretKey);
        if (!security.server)
            socket.setOption("curve_serverkey", security.curveServerKey);
        break;
    }
    }
    if (!zapDomain.isEmpty())
        socket.setOption("zap_domain", zapDomain);
    return generated;
}

} // namespace zmqscope
