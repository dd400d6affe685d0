#pragma once

#include <atomic>
#include <mutex>

#include <QHash>
#include <QMetaObject>
#include <QObject>
#include <QThread>

#include <zmqscope/engine/engine.h>

#include "recorder_p.h"
#include "sockettable_p.h"

namespace zmqscope {

/// Carries one send's result to a context object in another thread (see Engine::Private::bindCallback).
class SendRelay : public QObject
{
    Q_OBJECT
Q_SIGNALS:
    void finished(const zmqscope::SendResult &result);
};

struct Engine::Private
{
    Private(Engine *owner, MessageStore &messageStore, const Context &ctx)
        : q(owner)
        , store(messageStore)
        , context(ctx)
    { }

    /// Runs `function` in the Engine's thread (signals are emitted there); dropped if the Engine is gone.
    template<typename Function> void post(Function &&function)
    {
        QMetaObject::invokeMethod(q, std::forward<Function>(function), Qt::QueuedConnection);
    }

    /// Coalesces "new messages" notifications: at most one is queued for the Engine's thread at a time.
    void notifyStored()
    {
        if (notifyPending.exchange(true))
            return;
        post([this] {
            notifyPending = false;
            Q_EMIT q->messagesStored(store.endSeq());
        });
    }

    Engine *q;
    MessageStore &store;
    Context context;
    QThread thread;
    EngineWorker *worker = nullptr;
    std::atomic<SocketId> lastId { 0 };
    std::atomic<SendTicket> lastTicket { 0 };
    std::atomic<bool> notifyPending { false };
    SocketTable sockets; // shared with the engine thread: its own lock, its own calls
    // Payload sizes of the CURVE messages sniffers stored (without frames), by store seq.
    mutable std::mutex encryptedMutex;
    QHash<std::uint64_t, std::uint64_t> encryptedSizes;
    // Last: destroyed (its thread joined) before anything its callbacks use.
    Recorder recorder { recorderCallbacks() };

    /// What the worker calls with a send's result (in this Engine's thread): `done`, in the thread of
    /// `receiver` (Engine::send's context) and only while it exists; empty when nobody asked for it.
    SendCallback bindCallback(const QObject *receiver, SendCallback done) const;

    /// How the recorder names sockets and reports back (its signals are emitted in the Engine's thread).
    Recorder::Callbacks recorderCallbacks();
};

} // namespace zmqscope
