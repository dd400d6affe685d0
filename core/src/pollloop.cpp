#include "pollloop_p.h"
#include "socket_p.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QScopeGuard>

using namespace Qt::StringLiterals;

namespace zmqscope {

// ---------------------------------------------------------------- PollLoopPrivate

void PollLoopPrivate::add(SocketPrivate *socket, PollLoop::SocketHandler socketHandler,
                          PollLoop::MessageHandler messageHandler)
{
    socket->ensureOpen();
    if (socket->loop && socket->loop != this)
        socket->loop->remove(socket);

    auto &slot = entries[socket];
    if (slot) {
        // Registering again only replaces the handler.
        slot->socketHandler = std::move(socketHandler);
        slot->messageHandler = std::move(messageHandler);
        return;
    }
    slot = std::make_unique<Entry>();
    Entry *entry = slot.get();
    entry->socket = socket;
    entry->socketHandler = std::move(socketHandler);
    entry->messageHandler = std::move(messageHandler);
    // Rule 1: a Read notifier only. ZMQ_FD is always "writable"; a Write notifier would spin the loop.
    entry->notifier = std::make_unique<QSocketNotifier>(socket->socket.get(zmq::sockopt::fd), QSocketNotifier::Read);
    QObject::connect(entry->notifier.get(), &QSocketNotifier::activated, q, [this, socket] { drain(socket); });
    socket->loop = this;
    // Rule 4: messages may have arrived before we watched the fd, and their edge is gone.
    schedule(entry);
}

void PollLoopPrivate::remove(SocketPrivate *socket)
{
    const auto it = entries.find(socket);
    if (it == entries.end())
        return;
    Entry *entry = it->second.get();
    socket->loop = nullptr;
    entry->notifier->setEnabled(false); // before the socket (and its fd) may be closed
    if (entry->draining) {
        // drain() is on the stack with this entry: let it free the entry when it unwinds.
        entry->removed = true;
        entry->socket = nullptr;
        it->second.release();
        entries.erase(it);
        return;
    }
    entries.erase(it);
}

void PollLoopPrivate::socketActivity(SocketPrivate *socket)
{
    const auto it = entries.find(socket);
    if (it == entries.end())
        return;
    Entry *entry = it->second.get();
    if (entry->draining || entry->scheduled)
        return; // the drain in progress re-checks ZMQ_EVENTS itself
    // Rule 3: a send or receive may have consumed the fd's edge while a message became ready.
    try {
        if (socket->events() & ZMQ_POLLIN)
            schedule(entry);
    } catch (const Error &) {
        schedule(entry); // let the drain meet the error (ETERM) and report it
    }
}

void PollLoopPrivate::schedule(Entry *entry)
{
    if (entry->scheduled)
        return;
    entry->scheduled = true;
    SocketPrivate *socket = entry->socket;
    // Rule 5: continue from the event queue so other sockets and the GUI get their turn.
    QMetaObject::invokeMethod(
        q,
        [this, socket] {
            const auto it = entries.find(socket);
            if (it == entries.end())
                return;
            it->second->scheduled = false;
            drain(socket);
        },
        Qt::QueuedConnection);
}

void PollLoopPrivate::terminate(Entry *entry)
{
    Socket *socket = entry->socket ? entry->socket->q : nullptr;
    if (entry->socket)
        remove(entry->socket);
    Q_EMIT q->socketTerminated(socket);
}

void PollLoopPrivate::drain(SocketPrivate *socket)
{
    const auto it = entries.find(socket);
    if (it == entries.end())
        return;
    Entry *entry = it->second.get();
    if (entry->draining)
        return;
    entry->draining = true;
    // Once unregistered mid-drain the entry is owned here; free it however we leave.
    const auto cleanup = qScopeGuard([entry] {
        entry->draining = false;
        if (entry->removed)
            delete entry;
    });

    QElapsedTimer clock;
    clock.start();
    int handled = 0;
    Socket *owner = socket->q;
    for (;;) {
        if (entry->removed)
            return;
        bool pending = false;
        try {
            pending = (socket->events() & ZMQ_POLLIN) != 0; // rule 2: ZMQ_EVENTS, not the fd, says what is there
        } catch (const Error &error) {
            if (error.code() == ErrorCode::Terminated)
                terminate(entry); // rule 6
            else
                Q_EMIT q->errorOccurred(owner, error.message());
            return;
        }
        if (!pending)
            break;
        if (handled >= maxMessages || clock.nsecsElapsed() >= qint64(maxTime.count()) * 1000) {
            schedule(entry); // rule 5: yield, come back from a zero-timer
            break;
        }
        const auto receivedBefore = socket->receivedCount;
        try {
            if (entry->messageHandler) {
                Frames frames;
                if (!socket->receive(frames, false))
                    break;
                entry->messageHandler(*owner, std::move(frames));
            } else {
                entry->socketHandler(*owner);
            }
        } catch (const Error &error) {
            if (error.code() == ErrorCode::Terminated) {
                if (!entry->removed)
                    terminate(entry);
                return;
            }
            Q_EMIT q->errorOccurred(owner, error.message());
        }
        ++handled;
        if (entry->removed)
            break;
        if (socket->receivedCount == receivedBefore) {
            // A handler that does not receive would make us spin on the same message forever.
            Q_EMIT q->errorOccurred(owner, u"the handler of the %1 socket returned without receiving the "
                                            u"pending message; input stays queued until it does"_s
                                               .arg(socketTypeName(socket->type)));
            break;
        }
    }
    if (handled > 0 && !entry->removed)
        Q_EMIT q->inputHandled(owner, handled);
}

// ---------------------------------------------------------------- PollLoop

PollLoop::PollLoop(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<PollLoopPrivate>(this))
{
}

PollLoop::~PollLoop()
{
    for (auto &[socket, entry] : d->entries)
        socket->loop = nullptr;
    d->entries.clear();
}

void PollLoop::registerSocket(Socket &socket, SocketHandler handler)
{
    if (!handler)
        throw Error(ErrorCode::WrongState, u"PollLoop::registerSocket needs a handler"_s);
    d->add(socket.d.get(), std::move(handler), {});
}

void PollLoop::registerReceiver(Socket &socket, MessageHandler handler)
{
    if (!handler)
        throw Error(ErrorCode::WrongState, u"PollLoop::registerReceiver needs a handler"_s);
    d->add(socket.d.get(), {}, std::move(handler));
}

void PollLoop::unregisterSocket(Socket &socket)
{
    if (socket.d && socket.d->loop == d.get())
        d->remove(socket.d.get());
}

bool PollLoop::isRegistered(const Socket &socket) const
{
    return socket.d && socket.d->loop == d.get();
}

int PollLoop::socketCount() const
{
    return int(d->entries.size());
}

void PollLoop::setMaxMessagesPerActivation(int count)
{
    d->maxMessages = qMax(1, count);
}

int PollLoop::maxMessagesPerActivation() const
{
    return d->maxMessages;
}

void PollLoop::setMaxTimePerActivation(std::chrono::microseconds time)
{
    d->maxTime = time;
}

std::chrono::microseconds PollLoop::maxTimePerActivation() const
{
    return d->maxTime;
}

void PollLoop::scheduleCheck(Socket &socket)
{
    if (socket.d && socket.d->loop == d.get())
        d->socketActivity(socket.d.get());
}

} // namespace zmqscope
