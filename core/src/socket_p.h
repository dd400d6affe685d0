#pragma once

// Private to the core library: what Socket and PollLoop share.

#include <zmqscope/socket.h>

#include <zmq.hpp>

#include <QStringList>

#include <cstdint>

namespace zmqscope {

class PollLoopPrivate;

class SocketPrivate
{
public:
    SocketPrivate(const Context &context, SocketType type);
    ~SocketPrivate();

    /// Throws WrongState when the socket was closed.
    void ensureOpen() const;
    /// Turns a libzmq failure of `what` into an Error with a message naming the socket and the value.
    [[noreturn]] void fail(const zmq::error_t &error, const QString &what) const;

    /**
     * Receives one whole multipart message. With `wait` false returns false
     * when nothing is pending (EAGAIN); with `wait` true blocks (honouring
     * rcvtimeo, which throws Timeout). Retries on EINTR.
     */
    bool receive(Frames &frames, bool wait);
    void send(const Frames &frames);
    /// PollLoop rule 3: after any send or receive, let the loop re-check ZMQ_EVENTS.
    void noteActivity();
    [[nodiscard]] int events() const;

    QString describe() const; ///< "REQ socket" or "REQ socket tcp://..." for messages

    Socket *q = nullptr;
    Context context; // declared before socket: the socket is closed before the context is released
    zmq::socket_t socket;
    SocketType type;
    QStringList bound;
    QStringList connected;
    PollLoopPrivate *loop = nullptr; ///< the loop this socket is registered with, if any
    std::uint64_t receivedCount = 0; ///< messages received so far (PollLoop checks handlers consume)
};

} // namespace zmqscope
