#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>

#include <QByteArrayView>
#include <QObject>

#include <zmqscope/error.h>

namespace zmq {
class message_t;
}

namespace zmqscope {

class Socket;
class SocketPrivate;
class PollLoopPrivate;

/**
 * Routes input of ZeroMQ sockets to handlers from a Qt event loop, with a
 * read-only QSocketNotifier on each socket's ZMQ_FD.
 *
 * ZMQ_FD is edge-triggered: it says "look at ZMQ_EVENTS", not "a message is
 * waiting". The loop therefore (1) uses only Read notifiers, (2) drains while
 * ZMQ_EVENTS has POLLIN, (3) re-checks after every send or receive made on a
 * registered socket anywhere (once at the end of a drain for the sends its
 * handlers made, however many), (4) drains once right after registering,
 * binding, connecting or subscribing, (5) bounds the work per activation and
 * continues from a zero-timer so one flooding socket starves nobody, and
 * (6) retries on EINTR and drops every socket cleanly on ETERM.
 *
 * The loop and its sockets must live in one thread.
 */
class PollLoop : public QObject
{
    Q_OBJECT
public:
    /// Called while the socket has input; it is expected to receive (at least) one message.
    using SocketHandler = std::function<void(Socket &)>;
    /// Called with each whole multipart message the loop received for you.
    using MessageHandler = std::function<void(Socket &, Frames &&)>;
    /// Called with each whole multipart message as views of its frames, valid only during the call.
    using ViewHandler = std::function<void(Socket &, std::span<const QByteArrayView>)>;
    /// Like ViewHandler, with libzmq's messages the views point into: the handler may forward them
    /// (Socket::forward()) or move them out to keep them; the views are valid only during the call.
    using PartsHandler
        = std::function<void(Socket &, std::span<zmq::message_t>, std::span<const QByteArrayView>)>;
    /// Called once when a socket can send again (see notifyWhenWritable()).
    using WritableHandler = std::function<void(Socket &)>;

    explicit PollLoop(QObject *parent = nullptr);
    ~PollLoop() override;

    /**
     * Routes input of `socket` to `handler`. The socket must stay alive while
     * registered (destroying or closing it unregisters it). Registering again
     * replaces the handler, also from inside the running handler (the new one
     * takes over when it returns), and hands input left queued to the new one.
     * Throws WrongState for a closed socket, Terminated for a shut-down context.
     */
    void registerSocket(Socket &socket, SocketHandler handler);
    /// Like registerSocket(), but the loop receives whole messages and hands them over.
    void registerReceiver(Socket &socket, MessageHandler handler);
    /**
     * Like registerReceiver(), but hands over views of the frames in libzmq's
     * own message buffers, reused from one message to the next: no copy and
     * no allocation per message for a handler that copies what it keeps.
     */
    void registerViewReceiver(Socket &socket, ViewHandler handler);
    /// Like registerViewReceiver(), and the handler gets libzmq's messages too: a forwarder sends on
    /// what it received without copying a byte.
    void registerPartsReceiver(Socket &socket, PartsHandler handler);
    void unregisterSocket(Socket &socket);
    [[nodiscard]] bool isRegistered(const Socket &socket) const;
    [[nodiscard]] int socketCount() const;

    /// Most messages one activation handles for one socket before yielding (rule 5). Default 256.
    void setMaxMessagesPerActivation(int count);
    [[nodiscard]] int maxMessagesPerActivation() const;
    /// Most time one activation spends on one socket before yielding (rule 5). Default 5 ms.
    void setMaxTimePerActivation(std::chrono::microseconds time);
    [[nodiscard]] std::chrono::microseconds maxTimePerActivation() const;

    /// Schedules a drain of `socket` if it has input (what every send/receive on it does already).
    void scheduleCheck(Socket &socket);

    /**
     * Stops (true) or resumes (false) handing input of the registered `socket` to its handler:
     * input waits in libzmq, so its high-water mark holds the sender back. For a forwarder whose
     * destination is full. A paused socket stays registered (notifyWhenWritable() still works on
     * it); resuming drains what waited. Throws WrongState for a socket not registered here.
     */
    void setInputPaused(Socket &socket, bool paused);
    [[nodiscard]] bool isInputPaused(const Socket &socket) const;
    /**
     * Calls `handler` once, from the event loop, as soon as ZMQ_EVENTS of the registered `socket`
     * has ZMQ_POLLOUT (also when it has it already). Still only the Read notifier (rule 1): a change
     * of ZMQ_EVENTS, POLLOUT included, makes ZMQ_FD readable, and every place that reads ZMQ_EVENTS
     * checks for a waiting handler, so no edge is lost. Asking again replaces the handler.
     * Throws WrongState for a socket not registered here.
     */
    void notifyWhenWritable(Socket &socket, WritableHandler handler);

Q_SIGNALS:
    /// One activation handled `count` messages of `socket`; emitted after the handlers ran.
    void inputHandled(zmqscope::Socket *socket, int count);
    /// A handler threw a zmqscope::Error (or libzmq failed); the socket stays registered.
    void errorOccurred(zmqscope::Socket *socket, const QString &message);
    /// The context was shut down (ETERM): `socket` was unregistered.
    void socketTerminated(zmqscope::Socket *socket);

private:
    friend class SocketPrivate;
    std::unique_ptr<PollLoopPrivate> d;
};

} // namespace zmqscope
