#include <algorithm>

#include <QDateTime>
#include <QScopeGuard>

#include <zmqscope/textescape.h>

#include "engineworker_p.h"
#include "socketsecurity_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// messagesStored during a flood: at most one per this many ms. A flush per drain would wake the Engine's
// thread thousands of times a second, for views that redraw on their own tick anyway.
constexpr qint64 StoredNotifyIntervalMs = 10;
// Messages the engine thread drains from one socket per turn (PollLoop's default is 256).
constexpr int EngineMessagesPerActivation = 1024;

} // namespace

void EngineWorker::deliver()
{
    if (m_outbox.empty())
        return;
    d->post([batch = std::move(m_outbox)] {
        for (const auto &emission : batch)
            emission();
    });
    m_outbox.clear();
}

EngineWorker::EngineWorker(Engine::Private *priv)
    : d(priv)
    , m_loop(new PollLoop(this))
    , m_notifyTimer(new QTimer(this))
{
    // Each turn of a flood ends with a self-posted event, a wake-up and a flush; the 5 ms bound per
    // turn still keeps the other sockets and the Engine's commands waiting no longer than before.
    m_loop->setMaxMessagesPerActivation(EngineMessagesPerActivation);
    m_notifyTimer->setSingleShot(true);
    m_notifyTimer->setTimerType(Qt::PreciseTimer);
    connect(m_notifyTimer, &QTimer::timeout, this, [this] { notifyStoredNow(); });
    connect(m_loop, &PollLoop::inputHandled, this, [this] {
        flush();
        pauseWhileStoreWaits();
    });
    connect(m_loop, &PollLoop::errorOccurred, this,
        [this](Socket *socket, const QString &message) { handleLoopError(socket, message); });
    connect(m_loop, &PollLoop::socketTerminated, this, [this](Socket *socket) { handleTerminated(socket); });
}

void EngineWorker::adoptCurrentThread()
{
    m_engineThread.bindToCurrentThread();
    d->recorder.bindToCurrentThread();
}

EngineWorker::Slot *EngineWorker::findSlot(SocketId id)
{
    const auto it = m_slots.find(id);
    return it == m_slots.end() ? nullptr : it->second.get();
}

EngineWorker::Slot *EngineWorker::findSlot(const Socket *socket)
{
    for (auto &[id, slot] : m_slots) {
        if (slot->socket.get() == socket || (slot->tap && slot->tap->owns(socket)))
            return slot.get();
    }
    return nullptr;
}

void EngineWorker::logEvent(
    SocketId id, SocketState state, const QString &endpoint, const QString &text, bool isError)
{
    EngineEvent event;
    event.time = QDateTime::currentDateTime();
    event.socket = id;
    event.state = state;
    event.endpoint = endpoint;
    event.text = text;
    event.isError = isError;
    Engine *q = d->q;
    emitLater([q, event] { Q_EMIT q->eventLogged(event); });
}

void EngineWorker::publishState(Slot &slot, const QString &error)
{
    d->sockets.update(slot.id, [&](SocketTable::Entry &entry) {
        entry.info.state = slot.state;
        entry.info.peers = slot.peers;
        if (slot.peers > 0)
            entry.info.everConnected = true;
        if (!error.isEmpty())
            entry.info.lastError = error;
    });
}

void EngineWorker::open(SocketId id, const SocketSpec &spec, std::uint64_t receiveLimit)
{
    m_engineThread.check();
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    auto slot = std::make_unique<Slot>();
    slot->id = id;
    slot->spec = spec;
    slot->receiveLimit = receiveLimit;
    Engine *q = d->q;
    QByteArray generatedKey;
    try {
        spec.validate();
        const QByteArray zapDomain = registerZap(id, spec.security).valueOrThrow();
        slot->socket = std::make_unique<Socket>(Socket::create(spec.type, d->context));
        Socket &socket = *slot->socket;
        for (const auto &[name, value] : Engine::defaultOptions(spec.type))
            socket.setOption(name, value);
        for (const auto &[name, value] : spec.options)
            socket.setOption(name, value);
        generatedKey = applySocketSecurity(socket, spec.security, zapDomain);
        // Before any bind or connect, or their first events (LISTENING, CONNECTED) would be missed.
        slot->monitor = std::make_unique<SocketMonitor>(socket, *m_loop,
            [this, id](const SocketMonitor::Event &event) { handleMonitorEvent(id, event); });
        slot->monitor->setSecurity(spec.security.mechanism, actsAsZapServer(spec.security));
        if (spec.type == SocketType::Sub) {
            if (spec.subscriptions.isEmpty())
                socket.setOption("subscribe", QByteArray());
            for (const QByteArray &prefix : spec.subscriptions)
                socket.setOption("subscribe", prefix);
        }
        for (const QString &endpoint : spec.binds)
            socket.bind(endpoint);
        for (const QString &endpoint : spec.connects)
            socket.connect(endpoint);
        if (spec.type == SocketType::XSub) {
            // XSUB subscribes by sending "\x01prefix"; libzmq keeps them and resends them to later peers.
            const Frames everything { QByteArray(1, '\x01') };
            if (spec.subscriptions.isEmpty())
                socket.sendFrames(everything);
            for (const QByteArray &prefix : spec.subscriptions)
                socket.sendFrames({ QByteArray(1, '\x01') + prefix });
        }
        registerReceiver(*slot);
    } catch (const Error &error) {
        slot->monitor.reset();
        slot->socket.reset();
        if (m_zap)
            m_zap->remove(id);
        failOpen(*slot, error);
        return;
    }

    // No monitor events come for inproc://, so its state is known right away.
    const bool allInproc = std::all_of(spec.connects.begin(), spec.connects.end(),
        [](const QString &endpoint) { return endpoint.startsWith(u"inproc://"_s); });
    slot->state = !spec.binds.isEmpty() ? SocketState::Listening
        : allInproc                     ? SocketState::Connected
                                        : SocketState::Connecting;
    const QStringList bound = slot->socket->boundEndpoints();
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        entry.info.boundEndpoints = bound;
        entry.info.state = slot->state;
    });
    const SocketState state = slot->state;
    QStringList where;
    if (!bound.isEmpty())
        where.append(u"bound to %1"_s.arg(bound.join(u", "_s)));
    if (!spec.connects.isEmpty())
        where.append(u"connecting to %1"_s.arg(spec.connects.join(u", "_s)));
    emitLater([q, id, bound, state] {
        Q_EMIT q->socketOpened(id, bound);
        Q_EMIT q->socketStateChanged(id, state);
    });
    const QString role = securityRoleName(spec.security);
    logEvent(id, state, bound.value(0, spec.connects.value(0)),
        u"opened %1 socket \"%2\"%3, %4"_s.arg(socketTypeName(spec.type), spec.name,
            role.isEmpty() ? QString() : u" (%1)"_s.arg(role), where.join(u", "_s)),
        false);
    if (!generatedKey.isEmpty()) {
        // The server's allow list needs this key; the pair lives as long as the socket.
        logEvent(id, SocketState::None, QString(),
            u"CURVE: no own key pair was given, so this socket uses a new one; its public key is %1 (a "
            u"server "
            "that checks keys must allow it)"_s.arg(QString::fromLatin1(generatedKey)),
            false);
    }
    m_slots.emplace(id, std::move(slot));
}

void EngineWorker::failOpen(Slot &slot, const Error &error)
{
    const SocketId id = slot.id;
    Engine *q = d->q;
    slot.state = SocketState::Failed;
    const QString message
        = slot.spec.name.isEmpty() ? error.message() : u"%1: %2"_s.arg(slot.spec.name, error.message());
    publishState(slot, message);
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        entry.info.openError = Error(error.code(), message, error.zmqErrno());
    });
    emitLater([q, id, message] {
        Q_EMIT q->socketStateChanged(id, SocketState::Failed);
        Q_EMIT q->socketFailed(id, message);
    });
    logEvent(id, SocketState::Failed, QString(), message, true);
}

void EngineWorker::openTap(SocketId id, const TapSpec &spec)
{
    m_engineThread.check();
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    auto slot = std::make_unique<Slot>();
    slot->id = id;
    slot->spec = spec.listenSocketSpec();
    slot->spec.name = spec.name;
    Engine *q = d->q;
    Result<QByteArray> zapDomain = spec.validate() ? registerZap(id, spec.listenSecurity) : QByteArray();
    if (!zapDomain) {
        failOpen(*slot, zapDomain.error());
        return;
    }
    auto opened = TapForwarder::open(spec, d->context, *m_loop, tapHandlers(id), *zapDomain);
    if (!opened) {
        if (m_zap)
            m_zap->remove(id);
        failOpen(*slot, opened.error());
        return;
    }
    slot->tap = std::move(*opened);
    if (m_waitingForReader)
        slot->tap->setInputPaused(true); // like every socket while the store waits for its reader
    const QStringList bound = slot->tap->listenEndpoints();
    slot->state = SocketState::Connecting;
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        entry.info.boundEndpoints = bound;
        entry.info.state = SocketState::Connecting;
        entry.info.tap->listenEndpoints = bound;
    });
    emitLater([q, id, bound] {
        Q_EMIT q->socketOpened(id, bound);
        Q_EMIT q->socketStateChanged(id, SocketState::Connecting);
    });
    const TapSockets types = tapSockets(spec.pattern);
    logEvent(id, SocketState::Connecting, bound.value(0),
        u"opened tap \"%1\" (%2): %3 clients connect to %4 at %5; it forwards to the %6 at %7"_s.arg(
            spec.name, tapPatternName(spec.pattern), socketTypeName(types.clients),
            socketTypeName(types.listen), bound.join(u", "_s), socketTypeName(types.server),
            spec.forward.join(u", "_s)),
        false);
    m_slots.emplace(id, std::move(slot));
}

TapForwarder::Handlers EngineWorker::tapHandlers(SocketId id)
{
    TapForwarder::Handlers handlers;
    handlers.message = [this, id](TapDirection direction, QByteArrayView peer,
                           std::span<const QByteArrayView> frames) {
        handleInput(id, frames,
            direction == TapDirection::ClientToServer ? Direction::ClientToServer : Direction::ServerToClient,
            peer);
    };
    handlers.subscription = [this, id](bool subscribe, QByteArrayView topic) {
        const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
        flush(); // the messages before it are stored (and recorded) before it
        const std::int64_t nowUs = MessageStore::nowUs();
        const QString event = subscribe ? u"subscribe"_s : u"unsubscribe"_s;
        d->recorder.recordEvent(id, nowUs, event, topic.toByteArray(), QString());
        Engine *q = d->q;
        emitLater([q, id, nowUs, subscribe, exact = topic.toByteArray(), end = d->store.endSeq()] {
            Q_EMIT q->tapSubscriptionPassed(id, nowUs, subscribe, exact, end);
        });
        logEvent(id, SocketState::None, QString(),
            u"%1 passed upstream: %2"_s.arg(
                event, topic.isEmpty() ? u"every topic"_s : textescape::escape(topic.toByteArray())),
            false);
        if (Slot *slot = findSlot(id))
            publishTap(*slot);
    };
    handlers.state = [this, id](TapSide side, const SocketMonitor::Change &change, const TapState &state) {
        const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
        Slot *slot = findSlot(id);
        if (!slot)
            return;
        const SocketState before = slot->state;
        const int peersBefore = slot->peers;
        // The row's state is the server side's (is the tap forwarding?); its peers are the clients.
        slot->state = state.forwardState;
        slot->peers = state.clients;
        publishState(*slot, change.isError ? change.text : QString());
        publishTap(*slot);
        if (slot->state != before || slot->peers != peersBefore) {
            Engine *q = d->q;
            const SocketState now = slot->state;
            emitLater([q, id, now] { Q_EMIT q->socketStateChanged(id, now); });
        }
        if (!change.quiet)
            logEvent(id,
                side == TapSide::Forward ? change.state.value_or(SocketState::None) : SocketState::None,
                QString(),
                (side == TapSide::Listen ? u"clients' side: "_s : u"server's side: "_s) + change.text,
                change.isError);
    };
    handlers.undeliverable
        = [this, id](TapDirection, QByteArrayView, std::span<const QByteArrayView>, const QString &reason) {
              const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
              logEvent(id, SocketState::None, QString(), reason, true);
              if (Slot *slot = findSlot(id))
                  publishTap(*slot);
          };
    handlers.held = [this, id](TapDirection direction, bool noPeer) {
        // Backpressure in a flood holds a flow for microseconds, many times a second: that is told by the
        // counters. A destination with nobody to take the message is worth a line: the tap waits for it.
        const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
        if (noPeer)
            logEvent(id, SocketState::None, QString(),
                direction == TapDirection::ClientToServer
                    ? u"c2s waits: the server's side has no connection; the clients are held back until it "
                      u"has one (nothing is dropped)"_s
                    : u"s2c waits: no client is connected to take it; the server is held back until one "
                      u"connects (nothing is dropped)"_s,
                false);
        if (Slot *slot = findSlot(id))
            publishTap(*slot);
    };
    return handlers;
}

void EngineWorker::publishTap(Slot &slot)
{
    if (!slot.tap)
        return;
    const TapState state = slot.tap->state();
    const TapCounters counters = slot.tap->counters();
    const bool c2sHeld = slot.tap->isStalled(TapDirection::ClientToServer);
    const bool s2cHeld = slot.tap->isStalled(TapDirection::ServerToClient);
    d->sockets.update(slot.id, [&](SocketTable::Entry &entry) {
        if (!entry.info.tap)
            return;
        entry.info.tap->state = state;
        entry.info.tap->counters = counters;
        entry.info.tap->clientToServerHeld = c2sHeld;
        entry.info.tap->serverToClientHeld = s2cHeld;
    });
}

void EngineWorker::publishTaps()
{
    for (auto &[id, slot] : m_slots) {
        if (slot->tap)
            publishTap(*slot);
    }
}

void EngineWorker::registerReceiver(Slot &slot)
{
    if (!slot.socket || !socketTypeCanReceive(slot.spec.type) || m_waitingForReader)
        return;
    if (slot.receiveLimit == 0) {
        m_loop->registerViewReceiver(
            *slot.socket, [this, id = slot.id](Socket &, std::span<const QByteArrayView> frames) {
                handleInput(id, frames);
            });
        return;
    }
    if (slot.received >= slot.receiveLimit)
        return;
    // The slot outlives the registration: teardown() closes the socket, which unregisters it.
    m_loop->registerViewReceiver(
        *slot.socket, [this, target = &slot](Socket &socket, std::span<const QByteArrayView> frames) {
            handleInput(target->id, frames);
            // Later messages stay in libzmq's queue: a caller that wants N messages gets exactly N.
            if (++target->received >= target->receiveLimit) {
                m_loop->unregisterSocket(socket);
                // A drain cut short by unregistering emits no inputHandled: flush (counters,
                // messagesStored) once the drain has unwound.
                QMetaObject::invokeMethod(
                    this, [this] { flush(); }, Qt::QueuedConnection);
            }
        });
}

void EngineWorker::pauseWhileStoreWaits()
{
    if (m_waitingForReader || !d->store.waitsForReader())
        return;
    // Nothing is lost: messages wait in libzmq's queue (rcvhwm) and the sender slows down, until
    // resumeReceiving() finds room again.
    m_waitingForReader = true;
    for (auto &[id, slot] : m_slots) {
        if (slot->socket)
            m_loop->unregisterSocket(*slot->socket);
        if (slot->tap)
            slot->tap->setInputPaused(true); // both sides: the peers wait on their high-water marks
    }
}

void EngineWorker::resumeReceiving()
{
    if (!m_waitingForReader || d->store.waitsForReader())
        return;
    m_waitingForReader = false;
    for (auto &[id, slot] : m_slots) {
        registerReceiver(*slot);
        if (slot->tap)
            slot->tap->setInputPaused(false);
    }
}

Result<QByteArray> EngineWorker::registerZap(SocketId id, const SocketSecurity &security)
{
    if (!security.needsZap())
        return QByteArray();
    if (!m_zap) {
        m_zap = std::make_unique<ZapHandler>(d->context, *m_loop,
            [this](const ZapHandler::Decision &decision) { handleZapDecision(decision); });
    }
    auto registration = m_zap->add(id, security);
    if (!registration)
        return std::move(registration).error();
    if (registration->allowsNobody) {
        // Said once, when it opens: each refusal is an event too, but this says what to do about it.
        logEvent(id, SocketState::None, QString(),
            security.mechanism == SecurityMechanism::Plain
                ? u"refusing every client: no client is allowed yet; add --accept-user NAME:PASSWORD"_s
                : u"refusing every client: no client is allowed yet; add --allow-key KEY|@FILE|DIR or --allow-any"_s,
            true);
    }
    return registration->domain;
}

void EngineWorker::handleZapDecision(const ZapHandler::Decision &decision)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    logEvent(decision.socket, SocketState::None, QString(), decision.text, false);
}

void EngineWorker::teardown(Slot &slot)
{
    if (m_zap)
        m_zap->remove(slot.id);
    slot.sniffer.reset(); // interrupts libpcap and joins its thread
    slot.tap.reset(); // its monitors stop before its sockets close
    // The monitor goes first: a monitored socket closed under its monitor can hang context termination.
    slot.monitor.reset();
    if (slot.socket) {
        slot.socket->close();
        slot.socket.reset();
    }
}

void EngineWorker::close(SocketId id, Unsent unsent)
{
    m_engineThread.check();
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    flush();
    Engine *q = d->q;
    Slot *slot = findSlot(id);
    if (!slot) {
        const bool known = d->sockets.update(
            id, [&](SocketTable::Entry &entry) { entry.info.state = SocketState::Closed; });
        if (!known) {
            logEvent(id, SocketState::Closed, QString(),
                u"cannot close socket %1: there is no such socket"_s.arg(id), true);
            return;
        }
        // A socket that failed to open has nothing to close, but its row still goes to Closed.
        emitLater([q, id] {
            Q_EMIT q->socketStateChanged(id, SocketState::Closed);
            Q_EMIT q->socketClosed(id);
        });
        return;
    }
    // So that "close, then open again on the same port" works without a race against libzmq.
    if (slot->monitor)
        slot->monitor->releaseEndpoints(std::chrono::milliseconds(500));
    if (unsent == Unsent::Discard && slot->socket) {
        try {
            slot->socket->setOption("linger", 0);
        } catch (const Error &error) {
            // Closing goes on; the linger then holds what is queued, as for closeSocket(). Say so.
            logEvent(id, SocketState::None, QString(),
                u"%1: cannot drop the queued messages: %2"_s.arg(slot->spec.name, error.message()), true);
        }
    }
    if (slot->sniffer) {
        slot->sniffer->stop();
        drainSniffer(id); // what it decoded before the stop is stored too
        closeWireRows(*slot);
    }
    const bool sniffer = slot->isSniffer;
    teardown(*slot);
    slot->state = SocketState::Closed;
    slot->peers = 0;
    publishState(*slot);
    logEvent(id, SocketState::Closed, QString(),
        (sniffer ? u"stopped sniffer \"%1\""_s : u"closed socket \"%1\""_s).arg(slot->spec.name), false);
    emitLater([q, id] {
        Q_EMIT q->socketStateChanged(id, SocketState::Closed);
        Q_EMIT q->socketClosed(id);
    });
    m_slots.erase(id);
}

void EngineWorker::sendOrdered(SocketId id, const Frames &frames, const SendRequest &request, bool resume)
{
    m_engineThread.check();
    if (resume) {
        m_heldStreams.erase(id);
    } else if (m_heldStreams.contains(id)) {
        answer(request,
            Error(ErrorCode::Timeout,
                u"not tried on socket %1: its ordered stream is held until a send resumes it"_s.arg(id)),
            true);
        deliver();
        return;
    }
    send(id, frames, request, true);
}

void EngineWorker::answer(const SendRequest &request, Result<void> status, bool deferred)
{
    if (!request.deliver)
        return;
    SendResult result { request.ticket, std::move(status), deferred };
    emitLater([deliverTo = request.deliver, result = std::move(result)] { deliverTo(result); });
}

void EngineWorker::send(SocketId id, const Frames &frames, const SendRequest &request, bool ordered)
{
    m_engineThread.check();
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Slot *slot = findSlot(id);
    if (!slot || !slot->socket) {
        const std::optional<SocketInfo> info = d->sockets.find(id, steadyMs());
        const SocketState state = info ? info->state : SocketState::Closed;
        const QString message = info ? u"cannot send on \"%1\": the socket is %2"_s.arg(
                                    info->spec.name, socketStateName(state).toLower())
                                     : u"cannot send on socket %1: there is no such socket"_s.arg(id);
        // Logged like every other failed send, so a caller that asked for no result still learns it.
        logEvent(info ? id : 0, state, QString(), message, true);
        answer(request, Error(ErrorCode::WrongState, message));
        return;
    }
    // Whatever arrived before this send is stored before it, so the store keeps the real order.
    flush();
    try {
        slot->socket->sendFrames(frames);
    } catch (const Error &error) {
        if (ordered) {
            // Hold the ordered stream, so the messages behind this one wait instead of overtaking it.
            m_heldStreams.insert(id);
            if (error.code() == ErrorCode::Timeout) {
                answer(request, error, true);
                return;
            }
        }
        // Nothing was sent and nothing received is touched: the caller may fix the state and retry.
        const QString message = u"%1: %2"_s.arg(slot->spec.name, error.message());
        d->sockets.update(id, [&](SocketTable::Entry &entry) { entry.info.lastError = message; });
        logEvent(id, SocketState::None, QString(), message, true); // a failed send changes no state
        answer(request, Error(error.code(), message, error.zmqErrno()));
        return;
    }
    std::uint64_t bytes = 0;
    for (const QByteArray &frame : frames)
        bytes += std::uint64_t(frame.size());
    try {
        const std::int64_t sentUs = MessageStore::nowUs();
        d->store.append(id, Direction::Out, sentUs, frames);
        d->recorder.record(id, Direction::Out, sentUs, frames);
    } catch (const Error &error) {
        logEvent(id, SocketState::None, QString(), error.message(), true);
    }
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        ++entry.info.messagesOut;
        entry.info.bytesOut += bytes;
    });
    answer(request, {});
    deliver(); // the result before the messagesStored that includes the sent message
    notifyStored();
}

void EngineWorker::handleInput(
    SocketId id, std::span<const QByteArrayView> frames, Direction direction, QByteArrayView peer)
{
    // The first message of a batch reads the clock, and so does every 8th after it; the ones
    // between left libzmq's queue within microseconds of it, and a flood saves the reads.
    if (m_batchCount++ % 8 == 0)
        m_receivedUs = MessageStore::nowUs();
    if (d->recorder.records(id)) {
        // The recorder's thread needs its own copy of the frames.
        Frames copy;
        copy.reserve(qsizetype(frames.size()));
        for (const QByteArrayView frame : frames)
            copy.append(frame.toByteArray());
        m_pending.push_back(NewMessage { id, direction, m_receivedUs, std::move(copy), peer.toByteArray() });
        return;
    }
    // Copied once, from libzmq's buffers into the store's arena; what is pending goes first to keep the
    // order.
    if (!m_pending.empty())
        flush();
    if (id != m_directSocket && m_directCount > 0)
        publishDirect(steadyMs());
    m_directSocket = id;
    try {
        d->store.append(id, direction, m_receivedUs, frames, peer);
    } catch (const Error &error) {
        // Only a frame of 4 GiB or more gets here (maxmsgsize is far lower by default); say so, keep going.
        logEvent(0, SocketState::None, QString(), error.message(), true);
    }
    std::uint64_t bytes = 0;
    for (const QByteArrayView frame : frames)
        bytes += std::uint64_t(frame.size());
    ++m_directCount;
    m_directBytes += bytes;
}

void EngineWorker::publishDirect(qint64 nowMs)
{
    if (m_directCount == 0)
        return;
    d->sockets.update(m_directSocket, [&](SocketTable::Entry &entry) {
        entry.info.messagesIn += m_directCount;
        entry.info.bytesIn += m_directBytes;
        entry.rate.add(nowMs, m_directCount);
    });
    m_directCount = 0;
    m_directBytes = 0;
}

void EngineWorker::flush()
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    m_batchCount = 0;
    if (m_directCount > 0) {
        publishDirect(steadyMs());
        if (m_pending.empty()) {
            publishTaps();
            notifyStored();
        }
    }
    if (m_pending.empty())
        return;
    try {
        d->store.append(std::span<const NewMessage>(m_pending));
        d->recorder.record(m_pending);
    } catch (const Error &error) {
        // Only a frame of 4 GiB or more gets here (maxmsgsize is far lower by default); say so, keep going.
        logEvent(0, SocketState::None, QString(), error.message(), true);
    }
    d->sockets.addReceived(m_pending, steadyMs());
    m_pending.clear();
    publishTaps();
    deliver();
    notifyStored();
}

void EngineWorker::notifyStored()
{
    if (m_notifyTimer->isActive())
        return; // the trailing notification is due and will include these messages
    const qint64 wait = m_lastNotifyMs + StoredNotifyIntervalMs - steadyMs();
    if (wait > 0)
        m_notifyTimer->start(int(wait));
    else
        notifyStoredNow();
}

void EngineWorker::notifyStoredNow()
{
    m_notifyTimer->stop();
    m_lastNotifyMs = steadyMs();
    d->notifyStored();
}

void EngineWorker::handleMonitorEvent(SocketId id, const SocketMonitor::Event &event)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Slot *slot = findSlot(id);
    if (!slot || !slot->monitor)
        return;
    const SocketMonitor::Change change = slot->monitor->interpret(event);
    const SocketState before = slot->state;
    const int peersBefore = slot->peers;
    if (change.state)
        slot->state = *change.state;
    slot->peers = change.peers;
    publishState(*slot, change.isError ? change.text : QString());
    if (slot->state != before || slot->peers != peersBefore) {
        Engine *q = d->q;
        const SocketState state = slot->state;
        emitLater([q, id, state] { Q_EMIT q->socketStateChanged(id, state); });
    }
    // The event carries the state it led to; "accepted a connection" and the like lead to none.
    if (!change.quiet)
        logEvent(id, change.state.value_or(SocketState::None), event.endpoint, change.text, change.isError);
}

void EngineWorker::handleLoopError(Socket *socket, const QString &message)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Slot *slot = findSlot(socket);
    if (!slot)
        return; // a monitor PAIR; its events are advisory
    const QString text = u"%1: %2"_s.arg(slot->spec.name, message);
    d->sockets.update(slot->id, [&](SocketTable::Entry &entry) { entry.info.lastError = text; });
    logEvent(slot->id, SocketState::None, QString(), text, true);
}

void EngineWorker::handleTerminated(Socket *socket)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Slot *slot = findSlot(socket);
    if (!slot)
        return;
    const SocketId id = slot->id;
    teardown(*slot);
    slot->state = SocketState::Closed;
    slot->peers = 0;
    publishState(*slot, u"the ZeroMQ context was shut down"_s);
    logEvent(id, SocketState::Closed, QString(),
        u"socket \"%1\" closed: the ZeroMQ context was shut down"_s.arg(slot->spec.name), true);
    Engine *q = d->q;
    emitLater([q, id] {
        Q_EMIT q->socketStateChanged(id, SocketState::Closed);
        Q_EMIT q->socketClosed(id);
    });
    m_slots.erase(id);
}

void EngineWorker::shutdown()
{
    m_engineThread.check();
    flush();
    if (m_notifyTimer->isActive())
        notifyStoredNow(); // the last messages are not left untold
    for (auto &[id, slot] : m_slots)
        teardown(*slot);
    m_slots.clear();
    m_zap.reset(); // its socket is registered in the loop
    // Its notifiers belong to this thread and must be destroyed here, not by the joining thread.
    delete m_loop;
    m_loop = nullptr;
    // This thread appends no more: another Engine on the same store may take over.
    d->store.releaseWriterThread();
}

void EngineWorker::startRecording(const RecordingOptions &options)
{
    m_engineThread.check();
    flush(); // what arrived before the request is not part of the recording
    d->recorder.start(options);
}

void EngineWorker::stopRecording()
{
    m_engineThread.check();
    flush(); // what arrived before the request is
    d->recorder.stop();
}

} // namespace zmqscope
