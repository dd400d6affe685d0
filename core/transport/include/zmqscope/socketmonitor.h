#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include <QString>

#include <zmqscope/names.h>
#include <zmqscope/security.h>
#include <zmqscope/socket.h>

namespace zmqscope {

class PollLoop;

/// Connection state from zmq_socket_monitor.
enum class SocketState
{
    Opening, ///< asked to open, not bound or connected yet

    Listening, ///< bound and accepting
    Connecting, ///< connect issued, not yet up (or delayed)
    Connected, ///< at least one peer handshaked
    Disconnected, ///< a peer went away
    Retrying, ///< reconnect scheduled
    HandshakeFailed,
    Closed,
    Failed, ///< opening failed; see the error
    /// No state: what an event that changes none carries (a send error, "accepted a connection").
    /// Last, so the numbers of the others stay as they were.
    None,
};
/// The state as the socket list shows it ("Handshake failed"); empty for SocketState::None.
[[nodiscard]] QString socketStateName(SocketState state);

/**
 * Watches one socket with zmq_socket_monitor(): libzmq publishes the socket's
 * connection events on an inproc PAIR, which is registered in the same
 * PollLoop as the socket, so events arrive in the engine thread like messages.
 *
 * The monitor must be stopped before the monitored socket closes (the
 * destructor does it): a monitored socket closed first leaves libzmq's
 * monitor pipe behind and context termination can hang.
 */
class SocketMonitor
{
public:
    /// One decoded event (protocol v1: a 6-byte frame with event and value, then the endpoint).
    struct Event
    {
        std::uint16_t event = 0; ///< ZMQ_EVENT_*
        std::uint32_t value = 0; ///< fd, errno, reconnect interval or handshake error code, by event
        QString endpoint;
    };
    /// What an event means for the socket: the new state (if any), peer count and a plain-text line.
    struct Change
    {
        std::optional<SocketState> state;
        int peers = 0;
        QString text;
        bool isError = false;
        bool quiet = false; ///< routine noise of a reconnect cycle: update the state, do not log a line
    };
    using Handler = std::function<void(const Event &)>;

    /// Starts monitoring `target` (all events); throws Error when libzmq refuses.
    SocketMonitor(Socket &target, PollLoop &loop, Handler handler);
    ~SocketMonitor();
    SocketMonitor(const SocketMonitor &) = delete;
    SocketMonitor &operator=(const SocketMonitor &) = delete;

    /**
     * The monitored socket's security mechanism and role (CURVE/PLAIN server or not), so that
     * interpret() says why a handshake failed in plain words ("the server rejected our key (ZAP
     * status 400)") rather than libzmq's event name. NULL and client until set.
     */
    void setSecurity(SecurityMechanism mechanism, bool server);

    /// Stops monitoring and closes the PAIR; safe to call twice. Call before closing the target.
    void stop();

    /**
     * Unbinds every endpoint of the target and waits, at most `timeout`, until
     * libzmq reports their listeners closed. Closing a socket frees its ports
     * only later in libzmq's I/O thread; after this, a socket opened right
     * away can bind the same address. Events read meanwhile go to the handler.
     */
    void releaseEndpoints(std::chrono::milliseconds timeout);

    /**
     * Updates the peer bookkeeping with `event` and says what it means.
     * Peers count connections whose handshake succeeded; a disconnect of a
     * connection whose handshake failed (or never happened) does not lower it.
     */
    [[nodiscard]] Change interpret(const Event &event);

    /// Decodes the two frames of a monitor message; nullopt when they are malformed.
    [[nodiscard]] static std::optional<Event> decode(const Frames &frames);
    /// The ZMQ_EVENT_* name without the prefix ("HANDSHAKE_SUCCEEDED").
    [[nodiscard]] static QString eventName(std::uint16_t event);

private:
    /// The plain words for a failed handshake of a secured socket (or a mechanism mismatch); empty
    /// when the generic line says it as well.
    [[nodiscard]] QString securityFailureText(const Event &event) const;

    Socket *m_target;
    Socket m_pair;
    Handler m_handler;
    bool m_running = false;
    int m_peers = 0;
    int m_failedHandshakes = 0; ///< failed connections whose DISCONNECTED is still to come
    bool m_retrying = false; ///< a connect failed and is being retried (until CONNECTED)
    SecurityMechanism m_mechanism = SecurityMechanism::Null;
    bool m_securityServer = false;
    QString m_lastSecurityFailure; ///< the last such line, until a handshake succeeds
};

} // namespace zmqscope
