#include <algorithm>
#include <array>
#include <optional>

#include <QRegularExpression>

#include <zmqscope/endpoint.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

struct TransportName
{
    Transport transport {};
    QStringView name;
};

constexpr std::array Transports {
    TransportName { Transport::Tcp, u"tcp" },
    TransportName { Transport::Ipc, u"ipc" },
    TransportName { Transport::Inproc, u"inproc" },
    TransportName { Transport::Pgm, u"pgm" },
    TransportName { Transport::Epgm, u"epgm" },
    TransportName { Transport::Tipc, u"tipc" },
    TransportName { Transport::Vmci, u"vmci" },
};

std::optional<Transport> findTransport(QStringView scheme)
{
    for (const TransportName &entry : Transports) {
        if (entry.name == scheme)
            return entry.transport;
    }
    return std::nullopt;
}

QString quoted(QStringView text)
{
    return u"\""_s + text.toString() + u"\""_s;
}

Error invalid(const QString &why)
{
    return Error(ErrorCode::InvalidEndpoint, why);
}

bool isDigits(QStringView text)
{
    return !text.isEmpty()
        && std::all_of(text.begin(), text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

bool isIpv6Address(QStringView text)
{
    // The shape only (hex groups, "::", an optional dotted IPv4 tail or %zone); libzmq resolves it.
    static const QRegularExpression pattern(u"^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?$"_s);
    return text.count(u':') >= 2 && pattern.match(text).hasMatch();
}

bool isHostName(QStringView host)
{
    // Host names, IPv4 addresses and interface names (eth0, lo): letters, digits, '-', '_' and dots.
    static const QRegularExpression pattern(u"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$"_s);
    return pattern.match(host).hasMatch();
}

/// The port of "host:port": `*` and 0 ask for a free port and bind only.
std::optional<Error> checkPort(QStringView port, EndpointRole role)
{
    const bool binds = role == EndpointRole::Bind;
    if (port == u"*") {
        if (binds)
            return std::nullopt;
        return invalid(
            u"port * picks a free port and only works when binding; a connect needs the peer's port"_s);
    }
    if (port.startsWith(u'[') || (port.contains(u'-') && isDigits(port.first(port.indexOf(u'-')))))
        return invalid(
            u"port %1: libzmq takes no port ranges; bind to port * for a free one"_s.arg(quoted(port)));
    const int lowest = binds ? 0 : 1;
    // Digits only: libzmq reads the port with atoi and a cast to 16 bits, so "1e3" would bind port 1.
    int number = -1;
    if (isDigits(port)) {
        QStringView digits = port;
        while (digits.size() > 1 && digits.front() == u'0')
            digits = digits.sliced(1);
        if (digits.size() <= 5)
            number = digits.toInt();
    }
    if (number >= lowest && number <= 65535)
        return std::nullopt;
    return invalid(u"port %1 is not a number from %2 to 65535%3"_s.arg(quoted(port))
                       .arg(lowest)
                       .arg(binds ? u" or *"_s : QString()));
}

/// Checks "host:port" (tcp, and the multicast part of pgm/epgm).
std::optional<Error> checkHostPort(QStringView address, EndpointRole role, QStringView scheme)
{
    const bool binds = role == EndpointRole::Bind;
    const QString example = binds
        ? u"%1://127.0.0.1:5555, or %1://*:* for every interface and a free port"_s.arg(scheme)
        : u"%1://127.0.0.1:5555"_s.arg(scheme);
    if (address.isEmpty())
        return invalid(u"no address after %1://; write %2"_s.arg(scheme, example));
    const qsizetype colon = address.lastIndexOf(u':');
    const bool bracketed = address.startsWith(u'[');
    if (colon < 0 || (bracketed && colon < address.indexOf(u']')))
        return invalid(u"no port after the host %1; write %2"_s.arg(quoted(address), example));
    const QStringView host = address.first(colon);
    const QStringView port = address.sliced(colon + 1);
    if (host.isEmpty())
        return invalid(u"no host before the port; write %1"_s.arg(example));
    if (auto bad = checkPort(port, role))
        return bad;
    if (host == u"*") {
        if (binds)
            return std::nullopt;
        return invalid(u"host * means every interface and only works when binding; a connect needs a host"_s);
    }
    if (bracketed) {
        if (!host.endsWith(u']') || !isIpv6Address(host.sliced(1, host.size() - 2)))
            return invalid(u"host %1 is not an IPv6 address in brackets like [::1]"_s.arg(quoted(host)));
        return std::nullopt;
    }
    if (host.size() > MaxHostNameBytes)
        return invalid(u"the host name is %1 characters long; host names have at most %2"_s.arg(host.size())
                           .arg(MaxHostNameBytes));
    if (!isHostName(host))
        return invalid(u"host %1 is not a host name, IP address or interface"_s.arg(quoted(host)));
    return std::nullopt;
}

bool isMulticastType(SocketType type)
{
    return type == SocketType::Pub || type == SocketType::Sub || type == SocketType::XPub
        || type == SocketType::XSub;
}

std::optional<Error> checkAddress(
    Transport transport, QStringView scheme, QStringView address, EndpointRole role, SocketType type)
{
    const bool binds = role == EndpointRole::Bind;
    switch (transport) {
    case Transport::Tcp:
        if (role == EndpointRole::Connect && address.contains(u';')) {
            // A connect may name the source address first: tcp://source:port;host:port.
            const qsizetype semicolon = address.indexOf(u';');
            if (auto bad = checkHostPort(address.first(semicolon), EndpointRole::Bind, scheme))
                return invalid(u"source address: "_s + bad->message());
            return checkHostPort(address.sliced(semicolon + 1), role, scheme);
        }
        return checkHostPort(address, role, scheme);
    case Transport::Ipc:
        if (address.isEmpty())
            return invalid(u"no path after ipc://; write ipc:///tmp/name or ipc://@abstract-name"_s);
        if (address == u"@")
            return invalid(u"no name after ipc://@; write ipc://@abstract-name"_s);
        if (address == u"*" && !binds)
            return invalid(u"ipc://* picks a temporary path and only works when binding"_s);
        if (const qsizetype bytes = address.toUtf8().size(); bytes > MaxIpcPathBytes)
            return invalid(u"the ipc path is %1 bytes long; Unix sockets take at most %2"_s.arg(bytes).arg(
                MaxIpcPathBytes));
        return std::nullopt;
    case Transport::Inproc:
        if (address.isEmpty())
            return invalid(u"no name after inproc://; write inproc://name"_s);
        return std::nullopt;
    case Transport::Pgm:
    case Transport::Epgm: {
        if (!isMulticastType(type))
            return invalid(u"%1 works only with PUB, SUB, XPUB and XSUB sockets, not %2"_s.arg(
                scheme, socketTypeName(type)));
        const qsizetype semicolon = address.indexOf(u';');
        if (semicolon <= 0)
            return invalid(
                u"write %1://interface;multicast-address:port, e.g. %1://eth0;239.192.1.1:5555"_s.arg(
                    scheme));
        // Both sides join the group: the multicast address is always a connect's.
        return checkHostPort(address.sliced(semicolon + 1), EndpointRole::Connect, scheme);
    }
    case Transport::Tipc:
    case Transport::Vmci:
        if (address.isEmpty())
            return invalid(u"no address after %1://"_s.arg(scheme));
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace

QString transportName(Transport transport)
{
    for (const TransportName &entry : Transports) {
        if (entry.transport == transport)
            return entry.name.toString();
    }
    return {};
}

QStringList transportNames()
{
    QStringList names;
    for (const TransportName &entry : Transports)
        names.append(entry.name.toString());
    return names;
}

Result<Endpoint> checkEndpoint(QStringView text, EndpointRole role, SocketType type)
{
    if (text.isEmpty())
        return invalid(u"the endpoint is empty; write one such as tcp://127.0.0.1:5555"_s);
    if (const qsizetype bytes = text.toUtf8().size(); bytes > MaxEndpointBytes)
        return invalid(
            u"the endpoint is %1 bytes long; at most %2 are allowed"_s.arg(bytes).arg(MaxEndpointBytes));
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
            || c == QChar::LineSeparator || c == QChar::ParagraphSeparator)
            return invalid(u"the endpoint contains the control character U+%1; endpoints have none"_s.arg(
                QString::number(c.unicode(), 16).toUpper().rightJustified(4, u'0')));
    }
    if (text.front().isSpace() || text.back().isSpace())
        return invalid(u"the endpoint %1 with a space; endpoints have none there"_s.arg(
            text.front().isSpace() ? u"starts"_s : u"ends"_s));

    const qsizetype separator = text.indexOf(u"://");
    if (separator <= 0)
        return invalid(u"no transport; write tcp://host:port, ipc:///path or inproc://name"_s);
    const QStringView scheme = text.first(separator);
    const QStringView address = text.sliced(separator + 3);
    const std::optional<Transport> transport = findTransport(scheme);
    if (!transport) {
        const QString lower = scheme.toString().toLower();
        if (findTransport(lower))
            return invalid(u"transport %1 must be lower case, as libzmq compares it: %2://"_s.arg(
                quoted(scheme), lower));
        if (lower == u"udp"_s)
            return invalid(u"the udp transport works only with RADIO and DISH sockets, which are in libzmq's "
                           u"draft API; ZmqScope uses the stable API: use tcp:// or pgm://"_s);
        if (lower == u"ws"_s || lower == u"wss"_s)
            return invalid(
                u"the %1 transport is in libzmq's draft API, which ZmqScope does not use; use tcp://"_s.arg(
                    lower));
        return invalid(
            u"unknown transport %1; use one of %2"_s.arg(quoted(scheme), transportNames().join(u", "_s)));
    }
    // Spaces: inside an ipc path or an inproc name libzmq takes them, anywhere else they are a typo.
    if (*transport != Transport::Ipc && *transport != Transport::Inproc && address.contains(u' '))
        return invalid(
            u"the address %1 contains a space; %2 addresses have none"_s.arg(quoted(address), scheme));
    if (auto bad = checkAddress(*transport, scheme, address, role, type))
        return std::move(*bad);
    return Endpoint { *transport, address.toString() };
}

} // namespace zmqscope
