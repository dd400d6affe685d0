#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QThread>

#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/defaults.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/socket.h>

#include "engine_p.h"
#include "engineworker_p.h"

#ifdef Q_OS_LINUX
#include <cerrno>
#include <sys/resource.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

void registerMetaTypes()
{
    static const bool done = [] {
        qRegisterMetaType<zmqscope::SocketId>("zmqscope::SocketId");
        qRegisterMetaType<zmqscope::SocketState>("zmqscope::SocketState");
        qRegisterMetaType<zmqscope::EngineEvent>("zmqscope::EngineEvent");
        qRegisterMetaType<zmqscope::SocketInfo>("zmqscope::SocketInfo");
        qRegisterMetaType<zmqscope::Frames>("zmqscope::Frames");
        qRegisterMetaType<zmqscope::SendResult>("zmqscope::SendResult");
        qRegisterMetaType<zmqscope::SendCallback>("zmqscope::SendCallback");
        return true;
    }();
    Q_UNUSED(done);
}

} // namespace

// ---------------------------------------------------------------- Engine::Private

Recorder::Callbacks Engine::Private::recorderCallbacks()
{
    Recorder::Callbacks callbacks;
    callbacks.lookup = [this](SocketId id) {
        const std::optional<SocketInfo> info = sockets.find(id, steadyMs());
        return info ? captureSource(*info) : CaptureSource { u"socket %1"_s.arg(id), QString(), QString() };
    };
    callbacks.started
        = [this](const QString &path) { post([this, path] { Q_EMIT q->recordingStarted(path); }); };
    callbacks.fileChanged
        = [this](const QString &path) { post([this, path] { Q_EMIT q->recordingFileChanged(path); }); };
    callbacks.stopped = [this](const QString &path, quint64 messages) {
        post([this, path, messages] { Q_EMIT q->recordingStopped(path, messages); });
    };
    callbacks.failed
        = [this](const QString &error) { post([this, error] { Q_EMIT q->recordingFailed(error); }); };
    return callbacks;
}

SendCallback Engine::Private::bindCallback(const QObject *receiver, SendCallback done) const
{
    if (!receiver || !done)
        return {};
    if (receiver->thread() == q->thread()) {
        // Results are delivered in this thread: a guarded pointer is enough to drop them once it is gone.
        return
            [receiver = QPointer<const QObject>(receiver), done = std::move(done)](const SendResult &result) {
                if (receiver)
                    done(result);
            };
    }
    // A context in another thread may be destroyed there at any time: a connection made now, while the
    // caller vouches for it, is one Qt removes with it, and then queues nothing.
    // Shared by the copies of the callback: the last one gone (delivered, or dropped with the Engine)
    // deletes it; nothing else ever uses it.
    auto relay = std::make_shared<SendRelay>();
    QObject::connect(relay.get(), &SendRelay::finished, receiver, std::move(done));
    return [relay](const SendResult &result) { Q_EMIT relay->finished(result); };
}

CaptureSource captureSource(const SocketInfo &info)
{
    if (info.tap) {
        // Where the tap sits: "LISTEN > FORWARD", the clients' side first as in passive captures.
        const TapSockets types = tapSockets(info.tap->spec.pattern);
        return CaptureSource { info.spec.name, tapPatternName(info.tap->spec.pattern),
            info.boundEndpoints.join(u","_s) + u" > "_s + info.tap->spec.forward.join(u","_s),
            socketTypeName(types.clients), socketTypeName(types.server) };
    }
    if (info.wire) {
        // As passive captures name a connection (section 12): each line has its sender's type.
        return CaptureSource { info.spec.name, info.wire->clientType, u"tcp://"_s + info.wire->server,
            info.wire->clientType, info.wire->serverType, info.wire->client, info.wire->server,
            info.wire->security };
    }
    if (info.sniff)
        return CaptureSource { info.spec.name, u"sniff"_s, info.sniff->spec.interface };
    // Before a bind resolved its port (or when it failed) the endpoints asked for stand in.
    const QStringList bound = info.boundEndpoints.isEmpty() ? info.spec.binds : info.boundEndpoints;
    return CaptureSource { info.spec.name, socketTypeName(info.spec.type),
        (bound + info.spec.connects).join(u","_s) };
}

// ---------------------------------------------------------------- Engine

Engine::Engine(MessageStore &store, QObject *parent)
    : Engine(store, Context(), parent)
{ }

Engine::Engine(MessageStore &store, const Context &context, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, store, context))
{
    registerMetaTypes();
    d->worker = new EngineWorker(d.get());
    d->worker->moveToThread(&d->thread);
    // Emitted in the new thread before its event loop runs anything: the worker's checks bind to it.
    EngineWorker *worker = d->worker;
    connect(
        &d->thread, &QThread::started, worker, [worker] { worker->adoptCurrentThread(); },
        Qt::DirectConnection);
    d->thread.setObjectName(u"zmqscope-engine"_s);
    d->thread.start();
}

Engine::~Engine()
{
    if (d->thread.isRunning()) {
        EngineWorker *worker = d->worker;
        QMetaObject::invokeMethod(
            worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
        d->thread.quit();
        d->thread.wait();
        d->recorder.shutdown();
    }
    // The thread has finished and the worker holds no notifier or timer any more: safe to delete here.
    delete d->worker;
    d->worker = nullptr;
}

MessageStore &Engine::store() const
{
    return d->store;
}

const Context &Engine::context() const
{
    return d->context;
}

Options Engine::defaultOptions(SocketType type)
{
    return zmqscope::defaultOptions(type, SocketPurpose::Inspector);
}

SocketId Engine::openSocket(const SocketSpec &spec)
{
    return openSocket(spec, 0);
}

SocketId Engine::openSocket(const SocketSpec &spec, std::uint64_t receiveLimit)
{
    const SocketId id = ++d->lastId;
    const SocketSpec named = d->sockets.add(id, spec);
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id, named, receiveLimit] { worker->open(id, named, receiveLimit); },
        Qt::QueuedConnection);
    return id;
}

SocketId Engine::openTap(const TapSpec &spec)
{
    const SocketId id = ++d->lastId;
    TapSpec named = spec;
    SocketSpec row = spec.listenSocketSpec();
    row.name = spec.name.trimmed().isEmpty() ? u"tap %1"_s.arg(tapPatternName(spec.pattern)) : spec.name;
    named.name = d->sockets.add(id, row).name;
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        entry.info.tap = TapInfo {};
        entry.info.tap->spec = named;
    });
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id, named] { worker->openTap(id, named); }, Qt::QueuedConnection);
    return id;
}

SocketId Engine::openSniffer(const SniffSpec &spec)
{
    const SocketId id = ++d->lastId;
    SniffSpec named = spec;
    named.interface = spec.interface.trimmed();
    SocketSpec row;
    row.type = SocketType::Sub; // no socket: the row's type is not shown for a sniffer
    row.name = spec.name.trimmed().isEmpty() ? u"sniff %1"_s.arg(named.interface) : spec.name;
    named.name = d->sockets.add(id, row).name;
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        entry.info.sniff = SniffInfo {};
        entry.info.sniff->spec = named;
        entry.info.sniff->filter = PcapSource::bpfFilter(named.ports);
    });
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id, named] { worker->openSniffer(id, named); }, Qt::QueuedConnection);
    return id;
}

std::optional<std::uint64_t> Engine::encryptedSize(quint64 seq) const
{
    std::lock_guard locker(d->encryptedMutex);
    const auto it = d->encryptedSizes.constFind(seq);
    if (it == d->encryptedSizes.cend())
        return std::nullopt;
    return *it;
}

QHash<std::uint64_t, std::uint64_t> Engine::encryptedSizes() const
{
    std::lock_guard locker(d->encryptedMutex);
    return d->encryptedSizes;
}

void Engine::closeSocket(SocketId id)
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id] { worker->close(id); }, Qt::QueuedConnection);
}

void Engine::closeSocketDiscarding(SocketId id)
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id] { worker->close(id, EngineWorker::Unsent::Discard); }, Qt::QueuedConnection);
}

SocketId Engine::replaceSocket(SocketId id, const SocketSpec &spec)
{
    // The close queued below runs before the open: its name is free for the new socket already.
    d->sockets.update(id, [](SocketTable::Entry &entry) { entry.info.state = SocketState::Closed; });
    closeSocket(id);
    return openSocket(spec);
}

SendTicket Engine::send(SocketId id, const Frames &frames)
{
    return send(id, frames, nullptr, {});
}

SendTicket Engine::send(SocketId id, const Frames &frames, const QObject *context, SendCallback done)
{
    const EngineWorker::SendRequest request { ++d->lastTicket, d->bindCallback(context, std::move(done)) };
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id, frames, request] { worker->send(id, frames, request); }, Qt::QueuedConnection);
    return request.ticket;
}

SendTicket Engine::sendOrdered(
    SocketId id, const Frames &frames, bool resume, const QObject *context, SendCallback done)
{
    const EngineWorker::SendRequest request { ++d->lastTicket, d->bindCallback(context, std::move(done)) };
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id, frames, request, resume] { worker->sendOrdered(id, frames, request, resume); },
        Qt::QueuedConnection);
    return request.ticket;
}

QList<SocketInfo> Engine::sockets() const
{
    return d->sockets.all(steadyMs());
}

std::optional<SocketInfo> Engine::socket(SocketId id) const
{
    return d->sockets.find(id, steadyMs());
}

void Engine::startRecording(const RecordingOptions &options)
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, options] { worker->startRecording(options); }, Qt::QueuedConnection);
}

void Engine::stopRecording()
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->stopRecording(); }, Qt::QueuedConnection);
}

void Engine::holdFrom(quint64 seq)
{
    d->store.holdFrom(seq);
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->resumeReceiving(); }, Qt::QueuedConnection);
}

void Engine::releaseHold()
{
    holdFrom(std::numeric_limits<quint64>::max());
}

RecordingStatus Engine::recordingStatus() const
{
    return d->recorder.status();
}

bool Engine::lowerThreadPriority(int niceIncrement)
{
    bool lowered = false;
    EngineWorker *worker = d->worker;
    Private *priv = d.get();
    QMetaObject::invokeMethod(
        worker,
        [&lowered, niceIncrement, priv] {
#ifdef Q_OS_LINUX
            // Linux keeps a nice value per thread (setpriority(2), NOTES): this one only, not the GUI's.
            const pid_t thread = gettid();
            errno = 0;
            const int current = getpriority(PRIO_PROCESS, id_t(thread));
            if (current == -1 && errno != 0)
                return;
            if (setpriority(PRIO_PROCESS, id_t(thread), std::clamp(current + niceIncrement, -20, 19)) != 0)
                return;
#else
            Q_UNUSED(niceIncrement)
            QThread::currentThread()->setPriority(QThread::LowPriority);
#endif
            // libzmq starts a context's I/O threads with its first socket, in the thread that creates
            // it, and they inherit that thread's nice value: a throwaway socket starts them here.
            // (When the context already runs them, it changes nothing.)
            try {
                Socket probe = Socket::create(SocketType::Pair, priv->context);
                probe.setOption("linger", 0);
            } catch (const Error &) {
                // A context that cannot make a socket now will report it on the first real one.
            }
            lowered = true;
        },
        Qt::BlockingQueuedConnection);
    return lowered;
}

void Engine::sync()
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [] {}, Qt::BlockingQueuedConnection);
    // What the engine thread did for those requests was posted to us; deliver it now.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

} // namespace zmqscope
