#pragma once

// Private to the core library: the parts of PollLoop a Socket calls into.

#include <zmqscope/pollloop.h>

#include <QPointer>
#include <QSocketNotifier>

#include <unordered_map>

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
        bool scheduled = false; ///< a drain is queued
        bool draining = false; ///< inside drain(): re-checks happen there, not via noteActivity
        bool removed = false; ///< unregistered during a drain; freed when the drain ends
    };

    explicit PollLoopPrivate(PollLoop *owner) : q(owner) { }

    void add(SocketPrivate *socket, PollLoop::SocketHandler socketHandler, PollLoop::MessageHandler messageHandler);
    void remove(SocketPrivate *socket);
    /// Rule 3 and 4: a send/receive/bind/connect/subscribe happened on `socket`.
    void socketActivity(SocketPrivate *socket);
    void schedule(Entry *entry);
    void drain(SocketPrivate *socket);
    void terminate(Entry *entry);

    PollLoop *q;
    std::unordered_map<SocketPrivate *, std::unique_ptr<Entry>> entries;
    int maxMessages = 256;
    std::chrono::microseconds maxTime { 5000 };
};

} // namespace zmqscope
