#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

#include <zmqscope/error.h>
#include <zmqscope/names.h>

namespace zmqscope {

/// Whether an endpoint is to be bound or connected: wildcards (`*`, port 0) only bind.
enum class EndpointRole
{
    Bind,
    Connect,
};

/// The transports ZmqScope opens: libzmq 4.3's stable ones (no draft API).
enum class Transport
{
    Tcp,
    Ipc,
    Inproc,
    Pgm,
    Epgm,
    Tipc,
    Vmci,
};

/// An endpoint that passed checkEndpoint(): its transport and everything after "://".
struct Endpoint
{
    Transport transport = Transport::Tcp;
    QString address;

    friend bool operator==(const Endpoint &, const Endpoint &) = default;
};

/// The longest endpoint in UTF-8 bytes: libzmq's ZMQ_LAST_ENDPOINT is read back into 1024 bytes.
inline constexpr qsizetype MaxEndpointBytes = 1023;
/// The longest ipc path in bytes: sockaddr_un::sun_path holds 108 with the terminator (Linux).
inline constexpr qsizetype MaxIpcPathBytes = 107;
/// The longest host name in bytes (DNS).
inline constexpr qsizetype MaxHostNameBytes = 253;

/// The transport's scheme ("tcp").
[[nodiscard]] QString transportName(Transport transport);
/// Every scheme checkEndpoint() accepts, in the order of Transport.
[[nodiscard]] QStringList transportNames();

/**
 * The one endpoint rule of ZmqScope: Socket::bind()/connect(), the engine's SocketSpec and the
 * socket dialog all call it, so an endpoint is accepted or refused the same way everywhere.
 *
 * It accepts what libzmq 4.3.4 without the draft API takes for a socket of `type`, and refuses
 * what libzmq would misread silently (port "70000" binds 4464, "-1" binds 65535):
 * - the scheme is one of transportNames(), in lower case as libzmq compares it ("TCP://" is
 *   refused with the lower-case spelling); udp (RADIO/DISH only) and ws/wss are draft transports;
 * - tcp: `host:port`; a bind takes `*` for every interface, an interface name, and port `*` or
 *   0 for a free one; a connect needs a real host and a port 1..65535 and may name a source
 *   first (`source:port;host:port`); no port ranges (`[5000-5010]` is CZMQ's, not libzmq's);
 * - ipc: a path of at most MaxIpcPathBytes, `@name` for the abstract namespace, `*` binds only;
 * - inproc: a non-empty name; pgm/epgm: `interface;multicast-address:port`, PUB/SUB/XPUB/XSUB
 *   sockets only; tipc and vmci: a non-empty address (libzmq checks the rest);
 * - no control characters, no space outside ipc paths and inproc names (nor at their ends),
 *   at most MaxEndpointBytes in all.
 *
 * libzmq keeps the last word on what the shape cannot tell (a host that does not resolve, a
 * port in use). A refusal is ErrorCode::InvalidEndpoint; its message names the bad part
 * (`port "70000" is not a number from 1 to 65535`) but not the whole endpoint, which callers
 * put in their own context ("cannot bind SUB to \"...\": ...").
 */
[[nodiscard]] Result<Endpoint> checkEndpoint(QStringView text, EndpointRole role, SocketType type);

} // namespace zmqscope
