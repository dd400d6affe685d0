// The security options of every socket-opening command (issue 16, names exactly as it gives them).

#include "securityoptions.h"

#include <arpa/inet.h>

#include <QFileInfo>

#include <zmqscope/security.h>
#include <zmqscope/socketmonitor.h>

#include "clicommon.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

// What a secret's error says instead of the value: a mistyped key or password is still a secret.
const QString NotShown = u"(the value is not shown: it may be a secret)"_s;

// PLAIN carries a user name and a password of at most 255 bytes each (RFC 24); libzmq's refusal of a
// longer one would repeat the value.
constexpr qsizetype PlainFieldMax = 255;

bool fitsPlain(const QString &text)
{
    return text.toUtf8().size() <= PlainFieldMax;
}

bool isIpAddress(const QString &text)
{
    const QByteArray address = text.toLatin1();
    unsigned char buffer[16];
    return text == QString::fromLatin1(address)
        && (::inet_pton(AF_INET, address.constData(), buffer) == 1
            || ::inet_pton(AF_INET6, address.constData(), buffer) == 1);
}

} // namespace

SecurityOptions::SecurityOptions(SecurityRole role, const QString &prefix)
    : m_role(role)
    , m_prefix(prefix)
{
    const bool server = role != SecurityRole::Client;
    const bool client = role != SecurityRole::Server;
    // Only a tap has fixed roles: its clients' side is their server, its server's side their client.
    const QString serverMisfit = u"the tap connects to the server, so its server's side is a client; the "
                                 u"clients' side takes the server options without \"--forward-\""_s;
    const QString clientMisfit
        = u"the tap's clients' side is a server to the clients; the server's side takes "
          u"the client options, e.g. --forward-curve-server-key"_s;
    // A tap's --help lists both sides: each option says which one it is for.
    const QString side = role == SecurityRole::Server ? u"Clients' side: "_s
        : role == SecurityRole::Client                ? u"Server's side: "_s
                                                      : QString();
    const auto add
        = [&](const QString &name, const QString &help, const QString &valueName, bool isServerOption,
              bool isClientOption, bool repeatable = false, bool secret = false) {
              Entry entry { QCommandLineOption(m_prefix + name, side + help, valueName), repeatable, secret,
                  true, {} };
              entry.fitsRole = (isServerOption && server) || (isClientOption && client);
              if (!entry.fitsRole) {
                  entry.option.setFlags(QCommandLineOption::HiddenFromHelp);
                  entry.misfit = isServerOption ? serverMisfit : clientMisfit;
              }
              m_entries.append(entry);
          };
    add(u"curve-server"_s,
        u"CURVE: this socket is a CURVE server (it needs --curve-secret-key; clients are let in by "
        u"--allow-key or --allow-any)."_s,
        {}, true, false);
    add(u"curve-secret-key"_s,
        u"CURVE: the socket's own secret key: 40 characters of Z85, or @FILE, a czmq certificate "
        u"(BASENAME.key_secret as zmqscope-cli keygen, czmq or pyzmq write it) that also gives the public "
        u"key. A CURVE client without it gets a fresh key pair. Prefer @FILE: a key typed here shows in the "
        u"process list."_s,
        u"KEY|@FILE"_s, true, true, false, true);
    add(u"curve-public-key"_s,
        u"CURVE: the socket's own public key (Z85 or @FILE); not needed: it is derived from the secret key."_s,
        u"KEY|@FILE"_s, true, true);
    add(u"curve-server-key"_s,
        u"CURVE client: the server's public key (Z85, or @FILE: its BASENAME.key certificate). A failed "
        u"handshake ends the command with status 1 and says why, e.g. \"handshake failed with no detail: the "
        u"server's public key is probably wrong\"."_s,
        u"KEY|@FILE"_s, false, true);
    add(u"plain-server"_s, u"PLAIN: this socket is a PLAIN server (clients are let in by --accept-user)."_s,
        {}, true, false);
    add(u"plain-user"_s, u"PLAIN client: the user name to log in with."_s, u"NAME"_s, false, true);
    add(u"plain-password"_s,
        u"PLAIN client: the password (a secret: never printed, but like any argument visible in the process "
        u"list)."_s,
        u"TEXT"_s, false, true, false, true);
    add(u"accept-user"_s,
        u"PLAIN server: let in user NAME with PASSWORD (repeatable). A PLAIN server without it refuses "
        u"every client."_s,
        u"NAME:PASSWORD"_s, true, false, true, true);
    add(u"allow-key"_s,
        u"CURVE server: let in the client with this public key: 40 characters of Z85, @FILE (a "
        u"certificate), or DIR, a folder of czmq public certificates as czmq's zauth reads it "
        u"(repeatable). A CURVE server without --allow-key or --allow-any refuses every client."_s,
        u"KEY|@FILE|DIR"_s, true, false, true);
    add(u"allow-any"_s,
        u"CURVE server: let in any client key (czmq's CURVE_ALLOW_ANY; traffic stays encrypted)."_s, {}, true,
        false);
    add(u"allow-ip"_s,
        u"Server: let in clients from ADDR only (repeatable; exclusive as in czmq's zauth: other "
        u"addresses are refused). Also on a socket without security."_s,
        u"ADDR"_s, true, false, true);
    add(u"deny-ip"_s, u"Server: refuse clients from ADDR (repeatable; checked first)."_s, u"ADDR"_s, true,
        false, true);
}

void SecurityOptions::addTo(CommandLine &commandLine) const
{
    for (const Entry &entry : m_entries) {
        commandLine.addOption(entry.option, entry.repeatable);
        if (entry.secret)
            commandLine.markSecret(entry.option);
    }
}

const QCommandLineOption &SecurityOptions::option(const QString &name) const
{
    for (const Entry &entry : m_entries) {
        if (entry.option.names().constFirst() == m_prefix + name)
            return entry.option;
    }
    Q_UNREACHABLE();
}

QString SecurityOptions::flag(const QString &name) const
{
    return u"--"_s + m_prefix + name;
}

bool SecurityOptions::given(const CommandLine &commandLine, const QString &name) const
{
    return commandLine.isSet(option(name));
}

QString SecurityOptions::value(const CommandLine &commandLine, const QString &name) const
{
    return commandLine.value(option(name));
}

SocketSecurity SecurityOptions::read(const CommandLine &commandLine) const
{
    for (const Entry &entry : m_entries) {
        if (!entry.fitsRole && commandLine.isSet(entry.option))
            throw usageError(
                u"--%1 does not apply here: %2"_s.arg(entry.option.names().constFirst(), entry.misfit));
    }
    const QStringList curveNames { u"curve-server"_s, u"curve-secret-key"_s, u"curve-public-key"_s,
        u"curve-server-key"_s, u"allow-key"_s, u"allow-any"_s };
    const QStringList plainNames { u"plain-server"_s, u"plain-user"_s, u"plain-password"_s,
        u"accept-user"_s };
    QString curveGiven;
    QString plainGiven;
    for (const QString &name : curveNames) {
        if (curveGiven.isEmpty() && given(commandLine, name))
            curveGiven = flag(name);
    }
    for (const QString &name : plainNames) {
        if (plainGiven.isEmpty() && given(commandLine, name))
            plainGiven = flag(name);
    }
    if (!curveGiven.isEmpty() && !plainGiven.isEmpty())
        throw usageError(u"%1 and %2 cannot go together: a socket uses CURVE or PLAIN, not both"_s.arg(
            curveGiven, plainGiven));

    SocketSecurity security;
    if (!curveGiven.isEmpty())
        readCurve(commandLine, security);
    else if (!plainGiven.isEmpty())
        readPlain(commandLine, security);
    readAllowed(commandLine, security);
    // The last word on combinations the options above cannot express (keys are checked already).
    if (Result<void> valid = security.validate(); !valid)
        throw usageError(valid.errorMessage());
    return security;
}

void SecurityOptions::readCurve(const CommandLine &commandLine, SocketSecurity &security) const
{
    security.mechanism = SecurityMechanism::Curve;
    // A tap's clients' side is their server whatever it is told.
    security.server = given(commandLine, u"curve-server"_s) || m_role == SecurityRole::Server;
    if (given(commandLine, u"curve-secret-key"_s)) {
        const QString text = value(commandLine, u"curve-secret-key"_s);
        const QString shown = flag(u"curve-secret-key"_s);
        if (text.size() == z85KeyLength) {
            const QByteArray key = text.toLatin1();
            if (text != QString::fromLatin1(key) || !isZ85Key(key))
                throw usageError(u"bad %1: 40 characters but not a Z85 key %2"_s.arg(shown, NotShown));
            security.curveSecretKey = key;
        } else {
            const QString path = text.startsWith(u'@') ? text.mid(1) : text;
            // A value that names no file may be a mistyped key: it is not repeated.
            if (path.isEmpty() || !QFileInfo(path).isFile())
                throw usageError(
                    u"bad %1: not a 40-character Z85 key or a readable certificate file %2"_s.arg(
                        shown, NotShown));
            Result<CurveCertificate> certificate = readCurveCertificate(path);
            if (!certificate)
                throw usageError(u"bad %1: %2"_s.arg(shown, certificate.errorMessage()));
            if (certificate->secretKey.isEmpty())
                throw usageError(
                    u"bad %1: %2 has no secret-key: it is a public certificate (the secret one is "
                    u"BASENAME.key_secret)"_s.arg(shown, quoted(path)));
            security.curveSecretKey = certificate->secretKey;
            security.curvePublicKey = certificate->publicKey;
            security.curveSecretKeyFile = QFileInfo(path).absoluteFilePath();
        }
    }
    if (given(commandLine, u"curve-public-key"_s)) {
        const QString text = value(commandLine, u"curve-public-key"_s);
        Result<QByteArray> key = resolveCurveKey(text, KeyRole::Public);
        if (!key)
            throw usageError(
                u"bad %1 %2: %3"_s.arg(flag(u"curve-public-key"_s), quoted(text), key.errorMessage()));
        if (!security.curveSecretKey.isEmpty()) {
            Result<QByteArray> derived = curvePublicKeyOf(security.curveSecretKey);
            if (derived && *derived != *key)
                throw usageError(u"bad %1 %2: it is not the public key of %3 (that is %4)"_s.arg(
                    flag(u"curve-public-key"_s), quoted(text), flag(u"curve-secret-key"_s),
                    QString::fromLatin1(*derived)));
        }
        security.curvePublicKey = *key;
    }
    if (given(commandLine, u"curve-server-key"_s)) {
        const QString text = value(commandLine, u"curve-server-key"_s);
        if (security.server)
            throw usageError(
                u"%1 is a client's option (the key of the server it connects to); a CURVE server "
                u"has its own key pair (%2)"_s.arg(flag(u"curve-server-key"_s), flag(u"curve-secret-key"_s)));
        Result<QByteArray> key = resolveCurveKey(text, KeyRole::Public);
        if (!key)
            throw usageError(
                u"bad %1 %2: %3"_s.arg(flag(u"curve-server-key"_s), quoted(text), key.errorMessage()));
        security.curveServerKey = *key;
    }
    if (security.server && security.curveSecretKey.isEmpty())
        throw usageError(
            u"%1 needs %2 KEY|@FILE, the server's own secret key (zmqscope-cli keygen --out "
            u"BASENAME makes one)"_s.arg(
                given(commandLine, u"curve-server"_s) ? flag(u"curve-server"_s) : u"a CURVE server"_s,
                flag(u"curve-secret-key"_s)));
    if (!security.server && security.curveServerKey.isEmpty()) {
        const bool serverOnly = given(commandLine, u"allow-key"_s) || given(commandLine, u"allow-any"_s);
        throw usageError(serverOnly
                ? u"%1 lets CURVE clients in: it needs %2 (and %3)"_s.arg(
                    given(commandLine, u"allow-key"_s) ? flag(u"allow-key"_s) : flag(u"allow-any"_s),
                    flag(u"curve-server"_s), flag(u"curve-secret-key"_s))
                : u"a CURVE client needs %1 KEY|@FILE, the server's public key (or give %2 to make this "
                  u"socket the server)"_s.arg(flag(u"curve-server-key"_s), flag(u"curve-server"_s)));
    }
}

void SecurityOptions::readPlain(const CommandLine &commandLine, SocketSecurity &security) const
{
    security.mechanism = SecurityMechanism::Plain;
    security.server = given(commandLine, u"plain-server"_s) || m_role == SecurityRole::Server;
    if (security.server) {
        for (const QString &name : { u"plain-user"_s, u"plain-password"_s }) {
            if (given(commandLine, name))
                throw usageError(u"%1 is a PLAIN client's option; a PLAIN server lets users in with %2 "
                                 u"NAME:PASSWORD"_s.arg(flag(name), flag(u"accept-user"_s)));
        }
        for (const QString &text : commandLine.values(option(u"accept-user"_s))) {
            Result<PlainCredentials> credentials = PlainCredentials::parse(text);
            if (!credentials || !text.contains(u':'))
                throw usageError(u"bad %1: expected NAME:PASSWORD with a name before the first ':' %2"_s.arg(
                    flag(u"accept-user"_s), NotShown));
            if (!fitsPlain(credentials->user) || !fitsPlain(credentials->password))
                throw usageError(u"bad %1: a PLAIN user name or password is longer than %2 bytes %3"_s.arg(
                    flag(u"accept-user"_s), QString::number(PlainFieldMax), NotShown));
            security.acceptUsers.append(*credentials);
        }
        return;
    }
    if (given(commandLine, u"accept-user"_s))
        throw usageError(u"%1 needs %2: it lists the users a PLAIN server lets in"_s.arg(
            flag(u"accept-user"_s), flag(u"plain-server"_s)));
    if (!given(commandLine, u"plain-user"_s))
        throw usageError(u"%1 needs %2 NAME: a PLAIN client logs in with a user name and a password"_s.arg(
            flag(u"plain-password"_s), flag(u"plain-user"_s)));
    security.plainUser = value(commandLine, u"plain-user"_s);
    if (security.plainUser.isEmpty())
        throw usageError(u"empty %1: a PLAIN client needs a user name"_s.arg(flag(u"plain-user"_s)));
    if (!fitsPlain(security.plainUser))
        throw usageError(u"bad %1: longer than %2 bytes, the most a PLAIN user name can be"_s.arg(
            flag(u"plain-user"_s), QString::number(PlainFieldMax)));
    security.plainPassword = value(commandLine, u"plain-password"_s);
    if (!fitsPlain(security.plainPassword))
        throw usageError(u"bad %1: longer than %2 bytes, the most a PLAIN password can be %3"_s.arg(
            flag(u"plain-password"_s), QString::number(PlainFieldMax), NotShown));
}

void SecurityOptions::readAllowed(const CommandLine &commandLine, SocketSecurity &security) const
{
    const bool curveServer = security.mechanism == SecurityMechanism::Curve && security.server;
    for (const QString &text : commandLine.values(option(u"allow-key"_s))) {
        if (!curveServer)
            throw usageError(u"%1 %2 needs %3: it lists the client keys a CURVE server lets in"_s.arg(
                flag(u"allow-key"_s), quoted(text), flag(u"curve-server"_s)));
        if (text.size() == z85KeyLength) {
            Result<QByteArray> key = resolveCurveKey(text, KeyRole::Public);
            if (!key)
                throw usageError(
                    u"bad %1 %2: %3"_s.arg(flag(u"allow-key"_s), quoted(text), key.errorMessage()));
            security.allowKeys.append(*key);
            continue;
        }
        // A file or a directory, read now so a typo fails before anything opens (and again by the engine
        // when the socket opens, as zauth reads its directory).
        const QString path = text.startsWith(u'@') ? text.mid(1) : text;
        const QFileInfo info(path);
        if (path.isEmpty() || !info.exists())
            throw usageError(u"bad %1 %2: not a 40-character Z85 key, a certificate file or a directory of "
                             u"them"_s.arg(flag(u"allow-key"_s), quoted(text)));
        const QString unreadable = info.isDir() ? readCurveCertificateDirectory(path).errorMessage()
                                                : readCurveCertificate(path).errorMessage();
        if (!unreadable.isEmpty())
            throw usageError(u"bad %1 %2: %3"_s.arg(flag(u"allow-key"_s), quoted(text), unreadable));
        security.allowKeyPaths.append(info.absoluteFilePath());
    }
    if (given(commandLine, u"allow-any"_s)) {
        if (!curveServer)
            throw usageError(u"%1 needs %2: it lets any CURVE client key in"_s.arg(
                flag(u"allow-any"_s), flag(u"curve-server"_s)));
        security.allowAny = true;
    }
    for (const QString &name : { u"allow-ip"_s, u"deny-ip"_s }) {
        QStringList &addresses = name == u"allow-ip"_s ? security.allowIps : security.denyIps;
        for (const QString &text : commandLine.values(option(name))) {
            if (security.mechanism != SecurityMechanism::Null && !security.server)
                throw usageError(u"%1 %2 filters the clients of a server: this socket is a %3 client"_s.arg(
                    flag(name), quoted(text), securityMechanismName(security.mechanism)));
            if (!isIpAddress(text.trimmed()))
                throw usageError(u"bad %1 %2: not an IPv4 or IPv6 address (e.g. 127.0.0.1)"_s.arg(
                    flag(name), quoted(text)));
            addresses.append(text.trimmed());
        }
    }
}

bool handshakeFailureEndsRun(const SocketSpec &spec)
{
    if (spec.security.mechanism != SecurityMechanism::Null)
        return !spec.security.server;
    return !spec.connects.isEmpty();
}

QString handleSecurityEvent(const EngineEvent &event, SocketId id, bool endsOnFailure)
{
    if (event.socket != id)
        return {};
    if (event.state == SocketState::HandshakeFailed && endsOnFailure)
        return event.text;
    // A tap's events say which side they are about.
    QStringView text = event.text;
    if (const QStringView side = u"clients' side: "; text.startsWith(side))
        text = text.sliced(side.size());
    bool aboutSecurity = event.state == SocketState::HandshakeFailed;
    for (const QStringView start : { u"ZAP: ", u"refusing every client", u"handshake failed", u"CURVE: " })
        aboutSecurity = aboutSecurity || text.startsWith(start);
    if (aboutSecurity)
        printStatus(event.text);
    return {};
}

} // namespace zmqscope::cli
