#pragma once

// Private to the core library: what Socket and PollLoop share.

#include <cstdint>
#include <memory>
#include <vector>
#include <zmq.hpp>

#include <QStringList>

#include <zmqscope/socket.h>

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
    /**
     * receive() without copies: the message's parts land in `parts` (reused,
     * grown as needed) and `views` gets one view per frame into them, valid
     * until the next receive into the same vectors.
     */
    bool receiveViews(std::vector<zmq::message_t> &parts, std::vector<QByteArrayView> &views, bool wait);
    void send(const Frames &frames);
    /// One zmq_msg_recv with receive()'s error handling (EINTR retried, EFSM/ENOTSUP explained).
    zmq::recv_result_t receivePart(zmq::message_t &message, zmq::recv_flags flags);
    /// Appends a received frame, sharing the previous message's equal small frame when there is one.
    void appendFrame(Frames &frames, const zmq::message_t &message);
    /// PollLoop rule 3: after any send or receive, let the loop re-check ZMQ_EVENTS.
    void noteActivity();
    /// Reads ZMQ_EVENTS (retrying on EINTR); this processes libzmq's commands and so consumes ZMQ_FD's edge.
    [[nodiscard]] int events() const;
    /// events() for callers outside a PollLoop drain: tells the loop what it consumed (rule 3).
    [[nodiscard]] int eventsNotingActivity();

    /// A socket option read through cppzmq, with libzmq's failures (ETERM) turned into Error.
    template<typename Option> [[nodiscard]] auto get(Option option, const QString &what) const
    {
        try {
            return socket.get(option);
        } catch (const zmq::error_t &error) {
            fail(error, what);
        }
    }

    QString describe() const; ///< "REQ socket" or "REQ socket tcp://..." for messages

    Socket *q = nullptr;
    Context context; // declared before socket: the socket is closed before the context is released
    zmq::socket_t socket;
    SocketType type;
    QStringList bound;
    QStringList connected;
    PollLoopPrivate *loop = nullptr; ///< the loop this socket is registered with, if any
    bool inDrain = false; ///< the loop is draining this socket now: it re-checks ZMQ_EVENTS itself
    /// The loop re-checks ZMQ_EVENTS when the drain on its stack ends (rule 3 for a handler's sends): later
    /// sends in that drain need not tell it again.
    bool checkDue = false;
    static constexpr qsizetype MaxSharedFrameSize = 64; ///< ids, mimetypes, routing ids; not bodies
    static constexpr qsizetype MaxSharedFrames = 8;
    Frames recentFrames; ///< the small frames of the last message, by position (see appendFrame)
    std::uint64_t receivedCount = 0; ///< messages received so far (PollLoop checks handlers consume)
};

/// The private part of a Socket that was not moved from and is not closed; throws Error (WrongState)
/// otherwise.
SocketPrivate &openSocketPrivate(const std::unique_ptr<SocketPrivate> &d);

} // namespace zmqscope
