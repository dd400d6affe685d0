#pragma once

// Private to the core library: the parts of PollLoop a Socket calls into.

#include <unordered_map>
#include <vector>

#include <QPointer>
#include <QSocketNotifier>

#include <zmqscope/pollloop.h>

namespace zmqscope {

class SocketPrivate;

class PollLoopPrivate
{
public:
    struct Entry
    {
        SocketPrivate *socket = nullptr; ///< null once the socket went away during a drain
        std::unique_ptr<QSocketNotifier> notifier;
        PollLoop::SocketHandler socketHandler;
        PollLoop::MessageHandler messageHandler;
        PollLoop::PartsHandler viewHandler; ///< registerViewReceiver()'s too, wrapped
        /// Registering again from inside the running handler: the new handlers wait here until it returns,
        /// since assigning them now would destroy the handler while it runs.
        PollLoop::SocketHandler nextSocketHandler;
        PollLoop::MessageHandler nextMessageHandler;
        PollLoop::PartsHandler nextViewHandler;
        bool handlersReplaced = false;
        PollLoop::WritableHandler writableHandler; ///< one-shot, see PollLoop::notifyWhenWritable()
        bool paused = false; ///< input is left in libzmq (PollLoop::setInputPaused())
        bool scheduled = false; ///< a drain is queued
        bool draining = false; ///< inside drain(): re-checks happen there, not via noteActivity
        bool removed = false; ///< unregistered during a drain; freed when the drain ends

        void takeNextHandlers()
        {
            if (!handlersReplaced)
                return;
            handlersReplaced = false;
            socketHandler = std::move(nextSocketHandler);
            messageHandler = std::move(nextMessageHandler);
            viewHandler = std::move(nextViewHandler);
            nextSocketHandler = nullptr;
            nextMessageHandler = nullptr;
            nextViewHandler = nullptr;
        }
    };

    explicit PollLoopPrivate(PollLoop *owner)
        : q(owner)
    { }

    void add(SocketPrivate *socket, PollLoop::SocketHandler socketHandler,
        PollLoop::MessageHandler messageHandler, PollLoop::PartsHandler viewHandler = {});
    void remove(SocketPrivate *socket);
    /// Rule 3 and 4: a send/receive/bind/connect/subscribe happened on `socket`.
    void socketActivity(SocketPrivate *socket);
    /// Rule 3 for the sends a drain's handlers made: one ZMQ_EVENTS read per socket, after the drain.
    void runDeferredChecks();
    /// Rule 3: someone outside a drain read ZMQ_EVENTS of `socket` (and so consumed its fd's edge).
    void eventsRead(SocketPrivate *socket, int events);
    /// The entry of `socket` when a check may be scheduled for it: registered, not draining, not queued.
    [[nodiscard]] Entry *idleEntry(SocketPrivate *socket);
    void schedule(Entry *entry);
    void drain(SocketPrivate *socket);
    /// What an activation does: drain the input, then call a writable handler whose socket can send.
    void service(SocketPrivate *socket);
    void checkWritable(SocketPrivate *socket);
    /// Whether ZMQ_EVENTS `events` give the entry something to do (input, or POLLOUT for a waiter).
    [[nodiscard]] static bool wanted(const Entry &entry, int events);
    [[nodiscard]] Entry *registeredEntry(SocketPrivate *socket, const char *what);
    void terminate(Entry *entry);

    PollLoop *q;
    std::unordered_map<SocketPrivate *, std::unique_ptr<Entry>> entries;
    int drainDepth = 0; ///< drains on the stack (a handler may, rarely, run another)
    /// Sockets a handler sent on (or bound, connected...) during the drains on the stack: re-checked
    /// once when the outermost ends. A flood forwarded socket to socket reads ZMQ_EVENTS of the
    /// destination once per batch, not once per message (each read can cost libzmq a poll() call).
    std::vector<SocketPrivate *> deferredChecks;
    int maxMessages = 256;
    std::chrono::microseconds maxTime { 5000 };
};

} // namespace zmqscope
