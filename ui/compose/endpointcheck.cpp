#include "endpointcheck.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace EndpointCheck {

namespace {

// Unix socket paths are limited by sockaddr_un::sun_path (108 bytes with the terminator on Linux).
constexpr qsizetype MaxIpcPathBytes = 107;

QString quoted(const QString &text)
{
    return u"\""_s + text + u"\""_s;
}

bool isIpv6Address(const QString &text)
{
    // The shape only (hex groups, "::", an optional dotted IPv4 tail or %zone); libzmq resolves it.
    static const QRegularExpression pattern(u"^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$"_s);
    return text.count(u':') >= 2 && pattern.match(text).hasMatch();
}

bool isHostName(const QString &host)
{
    // Host names and interface names (eth0, lo): letters, digits, '-', '_' and dots.
    static const QRegularExpression pattern(u"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$"_s);
    return pattern.match(host).hasMatch();
}

/// Checks "host:port" (tcp, ws). Empty result when fine.
QString checkHostPort(const QString &endpoint, const QString &address, Role role, const QString &scheme)
{
    const QString example = role == Role::Bind
        ? u"%1://127.0.0.1:5555, or %1://*:* for any interface and a free port"_s.arg(scheme)
        : u"%1://127.0.0.1:5555"_s.arg(scheme);
    if (address.isEmpty())
        return u"%1 has no address: write %2"_s.arg(quoted(endpoint), example);

    const qsizetype colon = address.lastIndexOf(u':');
    const bool bracketed = address.startsWith(u'[');
    if (colon < 0 || (bracketed && colon < address.indexOf(u']')))
        return u"%1 has no port: write %2"_s.arg(quoted(endpoint), example);

    const QString host = address.first(colon);
    const QString port = address.mid(colon + 1);
    if (host.isEmpty())
        return u"%1 has no host before the port: write %2"_s.arg(quoted(endpoint), example);

    if (port == u"*"_s) {
        if (role == Role::Connect)
            return u"%1: port * picks a free port and only works when binding; connect needs the real port"_s
                .arg(quoted(endpoint));
    } else {
        bool ok = false;
        const int number = port.toInt(&ok);
        const int minimum = role == Role::Bind ? 0 : 1;
        if (!ok || number < minimum || number > 65535 || port.startsWith(u'+') || port.startsWith(u'-'))
            return u"%1: port %2 is not a number from %3 to 65535%4"_s.arg(quoted(endpoint), quoted(port))
                .arg(minimum)
                .arg(role == Role::Bind ? u" or *"_s : QString());
    }

    if (host == u"*"_s) {
        if (role == Role::Connect)
            return u"%1: host * means every interface and only works when binding; connect needs a host"_s
                .arg(quoted(endpoint));
        return {};
    }
    if (bracketed) {
        if (!host.endsWith(u']') || !isIpv6Address(host.mid(1, host.size() - 2)))
            return u"%1: %2 is not an IPv6 address in brackets like [::1]"_s.arg(
                quoted(endpoint), quoted(host));
        return {};
    }
    if (!isHostName(host))
        return u"%1: %2 is not a host name, IP address or interface"_s.arg(quoted(endpoint), quoted(host));
    return {};
}

} // namespace

QStringList schemes()
{
    return { u"tcp"_s, u"ipc"_s, u"inproc"_s, u"pgm"_s, u"epgm"_s, u"tipc"_s, u"vmci"_s };
}

QString problem(const QString &endpoint, Role role)
{
    if (endpoint.isEmpty())
        return u"the endpoint is empty: write one such as tcp://127.0.0.1:5555"_s;
    for (const QChar c : endpoint) {
        if (c.isSpace())
            return u"%1 contains a space; endpoints have none"_s.arg(quoted(endpoint));
        if (!c.isPrint())
            return u"the endpoint contains the control character U+%1; endpoints have none"_s.arg(
                c.unicode(), 4, 16, QChar(u'0'));
    }

    const qsizetype separator = endpoint.indexOf(u"://"_s);
    if (separator <= 0)
        return u"%1 has no transport: write tcp://host:port, ipc:///path or inproc://name"_s.arg(
            quoted(endpoint));
    const QString scheme = endpoint.first(separator);
    const QString address = endpoint.mid(separator + 3);
    if (scheme == u"ws"_s || scheme == u"wss"_s || scheme == u"udp"_s) {
        // Only libzmq's draft API has these (WebSocket; udp for RADIO/DISH), and ZmqScope does not use it.
        return u"%1: the %2 transport needs libzmq's draft API, which ZmqScope does not use; use tcp://"_s
            .arg(quoted(endpoint), scheme);
    }
    if (!schemes().contains(scheme)) {
        const QString hint = schemes().contains(scheme.toLower())
            ? u" (transports are lower case: %1)"_s.arg(scheme.toLower())
            : u"; use one of %1"_s.arg(schemes().join(u", "_s));
        return u"%1: unknown transport %2%3"_s.arg(quoted(endpoint), quoted(scheme), hint);
    }

    if (scheme == u"tcp"_s) {
        // A connect may name its source address first: tcp://source:port;host:port.
        QString target = address;
        if (role == Role::Connect && address.contains(u';')) {
            const QString source = address.section(u';', 0, 0);
            target = address.section(u';', 1);
            if (const QString bad = checkHostPort(endpoint, source, Role::Bind, scheme); !bad.isEmpty())
                return bad;
        }
        return checkHostPort(endpoint, target, role, scheme);
    }
    if (scheme == u"ipc"_s) {
        if (address.isEmpty())
            return u"%1 has no path: write ipc:///tmp/name or ipc://@abstract-name"_s.arg(quoted(endpoint));
        if (address == u"*"_s && role == Role::Connect)
            return u"%1: ipc://* picks a temporary path and only works when binding"_s.arg(quoted(endpoint));
        if (address.toUtf8().size() > MaxIpcPathBytes)
            return u"%1: the path is %2 bytes long; Unix sockets allow at most %3"_s.arg(quoted(endpoint))
                .arg(address.toUtf8().size())
                .arg(MaxIpcPathBytes);
        return {};
    }
    if (scheme == u"inproc"_s) {
        if (address.isEmpty())
            return u"%1 has no name: write inproc://name"_s.arg(quoted(endpoint));
        return {};
    }
    if (scheme == u"pgm"_s || scheme == u"epgm"_s) {
        // interface;multicast-address:port
        const qsizetype semicolon = address.indexOf(u';');
        if (semicolon <= 0)
            return u"%1: write %2://interface;multicast-address:port, e.g. %2://eth0;239.192.1.1:5555"_s.arg(
                quoted(endpoint), scheme);
        return checkHostPort(endpoint, address.mid(semicolon + 1), Role::Connect, scheme);
    }
    if (address.isEmpty())
        return u"%1 has no address after %2://"_s.arg(quoted(endpoint), scheme);
    return {};
}

} // namespace EndpointCheck
