#include <utility>
#include <vector>

#include <QElapsedTimer>
#include <QMetaObject>
#include <QScopeGuard>

#include "pollloop_p.h"
#include "socket_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

// ---------------------------------------------------------------- PollLoopPrivate

void PollLoopPrivate::add(SocketPrivate *socket, PollLoop::SocketHandler socketHandler,
    PollLoop::MessageHandler messageHandler, PollLoop::PartsHandler viewHandler)
{
    socket->ensureOpen();
    // Read the fd first: on a terminated context this throws, and nothing has changed yet.
    const auto fd = socket->get(zmq::sockopt::fd, u"registering with a PollLoop"_s);
    if (socket->loop && socket->loop != this)
        socket->loop->remove(socket);

    auto &slot = entries[socket];
    if (slot) {
        // Registering again only replaces the handler (later, when it is the one running now).
        if (slot->draining) {
            slot->nextSocketHandler = std::move(socketHandler);
            slot->nextMessageHandler = std::move(messageHandler);
            slot->nextViewHandler = std::move(viewHandler);
            slot->handlersReplaced = true;
        } else {
            slot->socketHandler = std::move(socketHandler);
            slot->messageHandler = std::move(messageHandler);
            slot->viewHandler = std::move(viewHandler);
            // Input the old handler left behind (see errorOccurred) is the new handler's to take.
            schedule(slot.get());
        }
        return;
    }
    slot = std::make_unique<Entry>();
    Entry *entry = slot.get();
    entry->socket = socket;
    entry->socketHandler = std::move(socketHandler);
    entry->messageHandler = std::move(messageHandler);
    entry->viewHandler = std::move(viewHandler);
    // Rule 1: a Read notifier only. ZMQ_FD is always "writable"; a Write notifier would spin the loop.
    // The loop is its parent so it follows the loop into another thread; the entry still owns it.
    entry->notifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read, q);
    QObject::connect(
        entry->notifier.get(), &QSocketNotifier::activated, q, [this, socket] { service(socket); });
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
    if (std::exchange(socket->checkDue, false))
        std::erase(deferredChecks, socket);
    socket->loop = nullptr;
    socket->inDrain = false;
    entry->notifier->setEnabled(false); // before the socket (and its fd) may be closed
    if (entry->draining) {
        // drain() is on the stack with this entry: let it free the entry when it unwinds. The notifier
        // may be the one whose signal runs that drain, so it is not deleted here, only cut loose.
        entry->notifier->setParent(nullptr);
        entry->removed = true;
        entry->socket = nullptr;
        (void)it->second.release(); // drain() frees the entry when it unwinds
        entries.erase(it);
        return;
    }
    entries.erase(it);
}

PollLoopPrivate::Entry *PollLoopPrivate::idleEntry(SocketPrivate *socket)
{
    const auto it = entries.find(socket);
    if (it == entries.end())
        return nullptr;
    Entry *entry = it->second.get();
    // A drain in progress re-checks ZMQ_EVENTS itself; a queued one will.
    return entry->draining || entry->scheduled ? nullptr : entry;
}

void PollLoopPrivate::socketActivity(SocketPrivate *socket)
{
    Entry *entry = idleEntry(socket);
    if (!entry)
        return;
    if (drainDepth > 0) {
        // Nothing can read this socket before the drain returns to the event loop: check once, then.
        if (!std::exchange(socket->checkDue, true))
            deferredChecks.push_back(socket);
        return;
    }
    // Rule 3: a send or receive may have consumed the fd's edge while a message became ready.
    try {
        if (wanted(*entry, socket->events()))
            schedule(entry);
    } catch (const Error &) {
        schedule(entry); // let the drain meet the error (ETERM) and report it
    }
}

void PollLoopPrivate::runDeferredChecks()
{
    // Taken as a whole: a check may schedule, never drain, so the list does not grow meanwhile.
    std::vector<SocketPrivate *> due;
    due.swap(deferredChecks);
    for (SocketPrivate *socket : due) {
        socket->checkDue = false; // still registered: remove() takes a socket off the list
        socketActivity(socket);
    }
    if (deferredChecks.empty())
        deferredChecks.swap(due); // keep the capacity: no allocation per drain
    deferredChecks.clear();
}

void PollLoopPrivate::eventsRead(SocketPrivate *socket, int events)
{
    if (Entry *entry = idleEntry(socket); entry && wanted(*entry, events))
        schedule(entry);
}

bool PollLoopPrivate::wanted(const Entry &entry, int events)
{
    return ((events & ZMQ_POLLIN) && !entry.paused) || ((events & ZMQ_POLLOUT) && entry.writableHandler);
}

PollLoopPrivate::Entry *PollLoopPrivate::registeredEntry(SocketPrivate *socket, const char *what)
{
    const auto it = socket ? entries.find(socket) : entries.end();
    if (it == entries.end())
        throw Error(ErrorCode::WrongState,
            u"PollLoop::%1 needs a socket registered with this loop"_s.arg(QLatin1StringView(what)));
    return it->second.get();
}

void PollLoopPrivate::service(SocketPrivate *socket)
{
    drain(socket);
    checkWritable(socket);
}

void PollLoopPrivate::checkWritable(SocketPrivate *socket)
{
    const auto it = entries.find(socket);
    if (it == entries.end() || !it->second->writableHandler)
        return;
    Entry *entry = it->second.get();
    int events = 0;
    try {
        events = socket->events();
    } catch (const Error &error) {
        if (error.code() == ErrorCode::Terminated)
            terminate(entry);
        else
            Q_EMIT q->errorOccurred(socket->q, error.message());
        return;
    }
    // Rule 3: reading ZMQ_EVENTS here may have taken the edge of input that is waiting.
    if ((events & ZMQ_POLLIN) && !entry->paused)
        schedule(entry);
    if (!(events & ZMQ_POLLOUT))
        return;
    // One-shot, and taken before the call: the handler may ask again or unregister the socket.
    const PollLoop::WritableHandler handler = std::exchange(entry->writableHandler, nullptr);
    try {
        handler(*socket->q);
    } catch (const Error &error) {
        Q_EMIT q->errorOccurred(socket->q, error.message());
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
            service(socket);
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
    socket->inDrain = true;
    ++drainDepth;
    // Once unregistered mid-drain the entry is owned here; free it however we leave.
    const auto cleanup = qScopeGuard([this, entry] {
        entry->draining = false;
        if (entry->removed) {
            delete entry;
        } else {
            entry->socket->inDrain = false;
            entry->takeNextHandlers();
        }
        if (--drainDepth == 0 && !deferredChecks.empty())
            runDeferredChecks();
    });

    QElapsedTimer clock;
    clock.start();
    const qint64 maxNanoseconds = qint64(maxTime.count()) * 1000;
    int handled = 0;
    Socket *owner = socket->q;
    // Rule 6: ETERM drops the socket; anything else is reported. Returns false when the drain must stop.
    const auto handleError = [&](const Error &error) {
        if (error.code() == ErrorCode::Terminated) {
            if (!entry->removed)
                terminate(entry);
            return false;
        }
        Q_EMIT q->errorOccurred(owner, error.message());
        return true;
    };
    // Reused while handlers do not keep it: one list allocation per drain, not one per message.
    Frames frames;
    // The view receiver's parts and views, reused: libzmq's buffers are handed over without a copy.
    std::vector<zmq::message_t> parts;
    std::vector<QByteArrayView> views;
    for (;;) {
        if (entry->removed)
            return;
        if (entry->paused) // set by a handler (or before): the input waits in libzmq
            break;
        // Rule 5: bound the work, then yield and come back from a zero-timer (at least one message per turn).
        // Past the first few messages the clock is read every 4th: in a flood a read per message costs
        // about as much as a cheap handler, and a few messages more per turn change nothing.
        const bool yield = handled >= maxMessages
            || (handled > 0 && (handled < 4 || handled % 4 == 0) && clock.nsecsElapsed() >= maxNanoseconds);

        if (entry->messageHandler || entry->viewHandler) {
            // Rule 2: ZMQ_EVENTS (not the fd) says whether there is input; then receive with DONTWAIT until
            // EAGAIN. A failed DONTWAIT receive processes libzmq's commands just as reading ZMQ_EVENTS does,
            // so the fd is re-armed either way, and not asking per message keeps the loop close to a plain
            // receive loop.
            if (handled == 0) {
                try {
                    if (!(socket->events() & ZMQ_POLLIN))
                        break;
                } catch (const Error &error) {
                    handleError(error);
                    return;
                }
            }
            if (yield) {
                try {
                    if (socket->events() & ZMQ_POLLIN)
                        schedule(entry);
                } catch (const Error &error) {
                    handleError(error);
                    return;
                }
                break;
            }
            try {
                if (entry->viewHandler ? !socket->receiveViews(parts, views, false)
                                       : !socket->receive(frames, false))
                    break;
            } catch (const Error &error) {
                // REQ and REP take one message per turn: after it libzmq answers EFSM, not EAGAIN.
                if (error.code() == ErrorCode::WrongState && handled > 0)
                    break;
                if (handleError(error))
                    break; // a receive that fails once fails again: do not spin on it
                return;
            }
            try {
                if (entry->viewHandler)
                    entry->viewHandler(*owner, std::span<zmq::message_t>(parts.data(), views.size()),
                        std::span<const QByteArrayView>(views));
                else
                    // An rvalue reference, not a move: a handler that does not keep the list leaves it for
                    // reuse.
                    entry->messageHandler(*owner, std::move(frames)); // NOLINT(bugprone-use-after-move)
            } catch (const Error &error) {
                if (!handleError(error))
                    return;
            }
            ++handled;
            if (entry->removed)
                break;
            entry->takeNextHandlers(); // a handler that replaced itself has returned
            continue;
        }

        // A socket handler receives itself, so ask ZMQ_EVENTS (not the fd) whether there is input (rule 2).
        bool pending = false;
        try {
            pending = (socket->events() & ZMQ_POLLIN) != 0;
        } catch (const Error &error) {
            handleError(error);
            return;
        }
        if (!pending)
            break;
        if (yield) {
            schedule(entry);
            break;
        }
        const auto receivedBefore = socket->receivedCount;
        try {
            entry->socketHandler(*owner);
        } catch (const Error &error) {
            if (!handleError(error))
                return;
        }
        ++handled;
        if (entry->removed)
            break;
        entry->takeNextHandlers();
        if (socket->receivedCount == receivedBefore) {
            // A handler that does not receive would make us spin on the same message forever.
            Q_EMIT q->errorOccurred(owner,
                u"the handler of the %1 socket returned without receiving the "
                u"pending message; input stays queued until it does"_s.arg(socketTypeName(socket->type)));
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
{ }

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

void PollLoop::registerViewReceiver(Socket &socket, ViewHandler handler)
{
    if (!handler)
        throw Error(ErrorCode::WrongState, u"PollLoop::registerViewReceiver needs a handler"_s);
    d->add(socket.d.get(), {}, {},
        [handler = std::move(handler)](Socket &owner, std::span<zmq::message_t>,
            std::span<const QByteArrayView> views) { handler(owner, views); });
}

void PollLoop::registerPartsReceiver(Socket &socket, PartsHandler handler)
{
    if (!handler)
        throw Error(ErrorCode::WrongState, u"PollLoop::registerPartsReceiver needs a handler"_s);
    d->add(socket.d.get(), {}, {}, std::move(handler));
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

void PollLoop::setInputPaused(Socket &socket, bool paused)
{
    PollLoopPrivate::Entry *entry = d->registeredEntry(socket.d.get(), "setInputPaused");
    if (entry->paused == paused)
        return;
    entry->paused = paused;
    // Input that arrived while paused has had its edge long ago: look again (rule 4).
    if (!paused)
        d->schedule(entry);
}

bool PollLoop::isInputPaused(const Socket &socket) const
{
    const auto it = socket.d ? d->entries.find(socket.d.get()) : d->entries.end();
    return it != d->entries.end() && it->second->paused;
}

void PollLoop::notifyWhenWritable(Socket &socket, WritableHandler handler)
{
    PollLoopPrivate::Entry *entry = d->registeredEntry(socket.d.get(), "notifyWhenWritable");
    if (!handler)
        throw Error(ErrorCode::WrongState, u"PollLoop::notifyWhenWritable needs a handler"_s);
    entry->writableHandler = std::move(handler);
    // The socket may be writable already, its edge gone: look once from the event loop (rule 4).
    d->schedule(entry);
}

} // namespace zmqscope
