#pragma once

#include <memory>

#include <QString>

namespace zmqscope {

class PollLoop;
class Socket;
class SocketMonitor;

/**
 * What a command-line tool asks about one socket's connections, from
 * zmq_socket_monitor(): how many peers completed the ZMTP handshake now,
 * whether one ever did, and the last connection problem (a refused or
 * retried connect, a failed handshake), as one line of plain text.
 *
 * It reads the same events, with the same meaning, as the engine's sockets
 * do. Events arrive through `loop`, so only while an event loop runs (or
 * while events are processed). Destroy it, or call stop(), before the socket
 * closes. Use it in the socket's thread only.
 */
class ConnectionWatch
{
public:
    /// Starts monitoring `socket`; throws Error when libzmq refuses.
    ConnectionWatch(Socket &socket, PollLoop &loop);
    ~ConnectionWatch();
    ConnectionWatch(const ConnectionWatch &) = delete;
    ConnectionWatch &operator=(const ConnectionWatch &) = delete;

    /// Peers whose handshake succeeded and that are still connected.
    [[nodiscard]] int peers() const;
    /// True once any peer completed the handshake.
    [[nodiscard]] bool everConnected() const;
    /// The last problem seen, e.g. "could not connect to tcp://127.0.0.1:1; retrying in 100 ms"; empty
    /// when there was none.
    [[nodiscard]] QString lastProblem() const;
    /// Stops monitoring; safe to call twice.
    void stop();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace zmqscope
