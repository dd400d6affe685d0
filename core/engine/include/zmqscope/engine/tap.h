#pragma once

// A tap (DESIGN.md section 12): ZmqScope binds where the clients connect and connects to the
// server's real endpoint, forwarding both ways byte for byte, in order, with libzmq's backpressure.
//
// Where the tap goes, per pattern (CLIENTS-SERVER; the tap's socket facing the clients, bound at
// --listen, then the one facing the server, connected to --forward):
//   req-rep        REQ clients, REP server:        ROUTER, DEALER
//   req-router     REQ clients, ROUTER server:     ROUTER, DEALER
//   dealer-rep     DEALER clients, REP server:     ROUTER, DEALER (clients send the empty delimiter)
//   dealer-router  DEALER clients, ROUTER server:  ROUTER, DEALER
//   push-pull      PUSH clients, PULL server:      PULL, PUSH  (c2s only)
//   pull-push      PULL clients, PUSH server:      PUSH, PULL  (s2c only)
//   sub-pub        SUB clients, PUB server:        XPUB, XSUB  (data s2c, subscriptions c2s)
//   xsub-xpub      XSUB clients, XPUB server:      XPUB, XSUB  (as sub-pub; other c2s data passes too)
//   pair-pair      one PAIR client, PAIR server:   PAIR, PAIR
//
// Routing ids: as zmq_proxy between ROUTER and DEALER. The tap's ROUTER prefixes each request with
// the client's routing id and the DEALER passes it to the server as the first envelope frame; the
// server's REP or ROUTER sends it back and the tap's ROUTER routes the reply to that client only.
// That frame is the tap's own, not the client's: callbacks get it as `peer`, and `frames` are what
// the sending peer put on the wire (a REQ's empty delimiter included).
//
// What a tap cannot do: it does not keep REQ/REP strict alternation (the peers do; a request the
// server lost stays unanswered as it would without the tap). A reply whose client has gone cannot
// be delivered (ROUTER EHOSTUNREACH): it is reported and dropped. The server side is one DEALER, so
// one client that does not read its replies holds back the replies of all (zmq_proxy does the
// same). XPUB towards SUB clients keeps PUB's semantics: a subscriber slower than the tap's sndhwm
// loses messages, as at the server's own PUB (libzmq's XPUB has no POLLOUT to wait for). Messages
// inside the server when it restarts are the server's; the tap keeps the clients' connections and
// reconnects, and what it had queued for the server is delivered after the reconnect.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <zmqscope/context.h>
#include <zmqscope/engine/socketspec.h>
#include <zmqscope/error.h>
#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>
#include <zmqscope/socketmonitor.h>

namespace zmqscope {

class PollLoop;
class Socket;
struct SocketSpec;

/// The conversations a tap can sit in, named CLIENTS-SERVER as in section 12.
enum class TapPattern
{
    ReqRep,
    ReqRouter,
    DealerRep,
    DealerRouter,
    PushPull,
    PullPush,
    SubPub,
    XSubXPub,
    PairPair,
};

/// The one table of tap patterns: the peers' socket types and the tap's own on each side.
struct TapSockets
{
    SocketType clients; ///< what the clients use (REQ for req-rep)
    SocketType server; ///< what the server uses (REP for req-rep)
    SocketType listen; ///< the tap's socket facing the clients, bound (ROUTER for req-rep)
    SocketType forward; ///< the tap's socket facing the server, connected (DEALER for req-rep)
};

[[nodiscard]] TapSockets tapSockets(TapPattern pattern);
/// "req-rep", ...
[[nodiscard]] QString tapPatternName(TapPattern pattern);
/// Every pattern name, in the order of TapPattern.
[[nodiscard]] QStringList tapPatternNames();
/// A pattern by its name (case-insensitive, surrounding blanks ignored); an unknown name is an
/// Error (UnknownSocketType) listing the valid ones.
[[nodiscard]] Result<TapPattern> parseTapPattern(const QString &name);

/// Which way a forwarded message went; the client is the side that connected to the tap.
enum class TapDirection
{
    ClientToServer,
    ServerToClient,
};
/// "c2s" or "s2c", as in capture lines.
[[nodiscard]] QString tapDirectionName(TapDirection direction);

/// One of the tap's two sockets.
enum class TapSide
{
    Listen, ///< facing the clients
    Forward, ///< facing the server
};

/// What a user asks for when opening a tap.
struct TapSpec
{
    TapPattern pattern = TapPattern::ReqRep;
    QString name; ///< display name
    QStringList listen; ///< endpoints the tap binds (where the clients connect)
    QStringList forward; ///< endpoints the tap connects to (the server's)
    Options listenOptions; ///< applied after the engine's defaults on the listen side
    Options forwardOptions; ///< applied after the engine's defaults on the forward side
    /// The clients' side: a server towards them (CURVE server keys or PLAIN users, and ZAP rules).
    SocketSecurity listenSecurity;
    /// The server's side: a client towards it (CURVE server key and own keys, or PLAIN user).
    SocketSecurity forwardSecurity;

    /// Each side as a socket spec: the listen side binds `listen`, the forward side connects `forward`.
    [[nodiscard]] SocketSpec listenSocketSpec() const;
    [[nodiscard]] SocketSpec forwardSocketSpec() const;
    /// The socket specs' checks (endpoint rule, option values), plus: each side has an endpoint.
    [[nodiscard]] Result<void> validate() const;
};

/// Both sides' connection state, from their socket monitors.
struct TapState
{
    int clients = 0; ///< clients connected to the listen side (handshakes succeeded)
    SocketState listenState = SocketState::Opening;
    SocketState forwardState = SocketState::Opening; ///< Connecting, Connected, Retrying, ...
    QString forwardDetail; ///< the forward side's last monitor line ("could not connect ...; retrying")
};

/// What the tap did so far.
struct TapCounters
{
    std::uint64_t clientToServer = 0; ///< c2s messages taken in (subscriptions not included)
    std::uint64_t serverToClient = 0;
    std::uint64_t subscriptions = 0; ///< subscribe and unsubscribe messages passed upstream
    std::uint64_t undeliverable = 0; ///< replies for clients that had gone
    std::uint64_t clientToServerStalls = 0; ///< times the server side was full and the clients waited
    std::uint64_t serverToClientStalls = 0;
    /// How long the clients (c2s) and the server (s2c) were held back in all, in microseconds: from a
    /// stall until the held message went on (a stall still going on is counted when it ends).
    std::uint64_t clientToServerBlockedUs = 0;
    std::uint64_t serverToClientBlockedUs = 0;
};

/**
 * The forwarding core of a tap: its two sockets, registered in a PollLoop of the thread that
 * opened it, forwarding each message once. Callbacks run in that thread, once per message as it
 * arrives, before it is handed on (a message the destination cannot take yet is told once, then
 * held); the views they get are valid only during the call.
 *
 * Backpressure: when the destination refuses a message (sndtimeo 0: it is full, or has no peer
 * yet) the tap keeps it, stops reading that source (PollLoop::setInputPaused), so the source's
 * high-water marks hold the sending peers back, and retries when the destination can send again.
 */
class TapForwarder
{
public:
    /// A forwarded message: `peer` is the routing id the tap's ROUTER added (empty without one).
    using MessageHandler = std::function<void(
        TapDirection direction, QByteArrayView peer, std::span<const QByteArrayView> frames)>;
    /// A subscription passed upstream through the tap's XPUB.
    using SubscriptionHandler = std::function<void(bool subscribe, QByteArrayView topic)>;
    /// A monitor event of one side, what it means, and the tap's state after it.
    using StateHandler
        = std::function<void(TapSide side, const SocketMonitor::Change &change, const TapState &state)>;
    /// A message that cannot be delivered (its client has gone) and was dropped, with the reason. The
    /// message handler had it already, as it arrived.
    using UndeliverableHandler = std::function<void(TapDirection direction, QByteArrayView peer,
        std::span<const QByteArrayView> frames, const QString &reason)>;

    /// A flow began to wait for its destination (its source is no longer read); `noPeer` when the
    /// destination has no connection at all (the server's side is down, or no client is connected),
    /// rather than being full.
    using HeldHandler = std::function<void(TapDirection direction, bool noPeer)>;

    struct Handlers
    {
        MessageHandler message;
        SubscriptionHandler subscription;
        StateHandler state;
        UndeliverableHandler undeliverable;
        HeldHandler held;
    };

    /**
     * Opens both sockets in `context` (Inspector defaults, the spec's options, then xpub_verbose
     * on XPUB and router_mandatory on ROUTER, then each side's security), registers them in `loop`,
     * binds and connects. `listenZapDomain` is the ZAP domain of the clients' side, under which a ZAP
     * handler on `context` (the Engine's) knows its rules; empty when listenSecurity needs none.
     * A bad spec, an address in use or an endpoint libzmq refuses is the Error.
     */
    [[nodiscard]] static Result<std::unique_ptr<TapForwarder>> open(const TapSpec &spec,
        const Context &context, PollLoop &loop, Handlers handlers, const QByteArray &listenZapDomain = {});
    ~TapForwarder();
    TapForwarder(const TapForwarder &) = delete;
    TapForwarder &operator=(const TapForwarder &) = delete;

    [[nodiscard]] const TapSpec &spec() const;
    /// The endpoints bound on the listen side, wildcards resolved ("tcp://127.0.0.1:41234").
    [[nodiscard]] QStringList listenEndpoints() const;
    [[nodiscard]] TapState state() const;
    [[nodiscard]] TapCounters counters() const;
    /// Whether a message waits for the destination of `direction` (its source is not read meanwhile).
    [[nodiscard]] bool isStalled(TapDirection direction) const;
    /**
     * Stops (or resumes) reading both sides, whatever waits: the tap's owner cannot take more now (the
     * engine's store waits for its reader). What the peers send meanwhile waits in libzmq's queues and
     * their high-water marks hold them back, as for a stall. A flow that is stalled stays paused until
     * its message went out, and after that only while this pause lasts.
     */
    void setInputPaused(bool paused);
    /// Whether `socket` is one of the tap's two sockets (the PollLoop's errors name the socket).
    [[nodiscard]] bool owns(const Socket *socket) const;

private:
    class Private;
    explicit TapForwarder(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace zmqscope
