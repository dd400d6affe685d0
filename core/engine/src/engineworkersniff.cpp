// The engine's side of live capture (Engine::openSniffer()): the sniffer's thread decodes, this turns
// its batches into rows, stored messages, recorded lines and log lines, on the engine thread.

#include <QScopeGuard>

#include <zmqscope/textescape.h>

#include "engineworker_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

void EngineWorker::openSniffer(SocketId id, const SniffSpec &spec)
{
    m_engineThread.check();
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    auto slot = std::make_unique<Slot>();
    slot->id = id;
    slot->spec.name = spec.name;
    Engine *q = d->q;
    if (Result<void> valid = spec.validate(); !valid) {
        failOpen(*slot, valid.error());
        return;
    }
    PcapSource::LiveOptions options;
    options.interface = spec.interface;
    options.ports = spec.ports;
    // The thread asks for each batch with one queued call; the worker outlives the thread (teardown()
    // joins it), so the call never reaches a deleted worker.
    auto started = Sniffer::start(options, [this, id] {
        QMetaObject::invokeMethod(
            this, [this, id] { drainSniffer(id); }, Qt::QueuedConnection);
    });
    if (!started) {
        failOpen(*slot, started.error());
        return;
    }
    slot->sniffer = std::move(*started);
    slot->isSniffer = true;
    slot->state = SocketState::Listening;
    const QString linkType = slot->sniffer->linkTypeName();
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        entry.info.state = SocketState::Listening;
        if (entry.info.sniff)
            entry.info.sniff->linkType = linkType;
    });
    emitLater([q, id] {
        Q_EMIT q->socketOpened(id, {});
        Q_EMIT q->socketStateChanged(id, SocketState::Listening);
    });
    logEvent(id, SocketState::Listening, QString(),
        u"sniffing ZeroMQ on %1 (%2, filter %3) as \"%4\""_s.arg(textescape::escape(spec.interface.toUtf8()),
            linkType, PcapSource::bpfFilter(spec.ports), spec.name),
        false);
    m_slots.emplace(id, std::move(slot));
}

SocketId EngineWorker::wireRow(
    Slot &sniffer, const QString &name, const QString &client, const QString &server)
{
    const auto known = sniffer.wireNames.find(name);
    if (known != sniffer.wireNames.end())
        return known->second;
    const SocketId id = ++d->lastId;
    SocketSpec spec;
    spec.name = name;
    spec.connects = QStringList { u"tcp://"_s + server };
    d->sockets.add(id, spec);
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        entry.info.state = SocketState::Connected;
        entry.info.peers = 1;
        entry.info.everConnected = true;
        entry.info.wire = WireInfo {};
        entry.info.wire->sniffer = sniffer.id;
        entry.info.wire->client = client;
        entry.info.wire->server = server;
    });
    sniffer.wireNames[name] = id;
    Engine *q = d->q;
    emitLater([q, id] {
        Q_EMIT q->socketOpened(id, {});
        Q_EMIT q->socketStateChanged(id, SocketState::Connected);
    });
    return id;
}

void EngineWorker::updateWire(Slot &sniffer, const WireConnection &connection)
{
    SocketId id = 0;
    const auto known = sniffer.wireRows.find(connection.id);
    if (known != sniffer.wireRows.end()) {
        id = known->second;
    } else {
        // A connection of a name that had one before (a reused 4-tuple) is a row of its own.
        const auto named = sniffer.wireNames.find(connection.name);
        if (named != sniffer.wireNames.end()) {
            const bool taken = std::any_of(sniffer.wireRows.begin(), sniffer.wireRows.end(),
                [&](const auto &row) { return row.second == named->second; });
            if (taken)
                sniffer.wireNames.erase(named);
        }
        id = wireRow(sniffer, connection.name, connection.client, connection.server);
        sniffer.wireRows[connection.id] = id;
    }
    const SocketState state = connection.closed ? SocketState::Disconnected : SocketState::Connected;
    SocketState before = state;
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        before = entry.info.state;
        if (before == SocketState::Closed)
            return; // the user closed the row: it stays closed
        entry.info.state = state;
        entry.info.peers = connection.closed ? 0 : 1;
        if (const std::optional<SocketType> type = findSocketType(connection.clientType))
            entry.info.spec.type = *type;
        WireInfo &wire = *entry.info.wire;
        wire.clientType = connection.clientType;
        wire.serverType = connection.serverType;
        wire.security = connection.security;
        wire.joinedMidStream = connection.joinedMidStream;
        wire.gaps = connection.gaps;
        if (!connection.lastProblem.isEmpty())
            entry.info.lastError = connection.lastProblem;
    });
    if (before != state && before != SocketState::Closed) {
        Engine *q = d->q;
        emitLater([q, id, state] { Q_EMIT q->socketStateChanged(id, state); });
    }
}

void EngineWorker::sniffedEvent(SocketId row, const CaptureRecord &record)
{
    d->recorder.recordEvent(row, record.timestampUs, record.event, record.topic, record.detail);
    const bool isError
        = record.event == u"gap"_s || record.event == u"undecodable"_s || record.event == u"zmtp_error"_s;
    QString text = record.event;
    if (record.event == u"subscribe"_s || record.event == u"unsubscribe"_s)
        text += u": "_s + (record.topic.isEmpty() ? u"every topic"_s : textescape::escape(record.topic));
    if (!record.detail.isEmpty())
        text += u": "_s + record.detail;
    const SocketState state = record.event == u"connected"_s ? SocketState::Connected
        : record.event == u"disconnected"_s                  ? SocketState::Disconnected
                                                             : SocketState::None;
    logEvent(row, state,
        u"tcp://"_s + (record.direction == Direction::ClientToServer ? record.dst : record.src), text,
        isError);
}

void EngineWorker::drainSniffer(SocketId id)
{
    m_engineThread.check();
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Slot *slot = findSlot(id);
    if (!slot || !slot->sniffer)
        return;
    Sniffer::Batch batch = slot->sniffer->take();
    flush(); // what other sockets received before stays before it in the store
    std::vector<NewMessage> messages;
    std::uint64_t stored = 0;
    const auto appendMessages = [&] {
        if (messages.empty())
            return;
        d->store.append(std::span<const NewMessage>(messages));
        d->recorder.record(messages);
        d->sockets.addReceived(messages, steadyMs());
        stored += messages.size();
        messages.clear();
    };
    try {
        for (Sniffer::Item &item : batch.items) {
            if (item.connection) {
                appendMessages(); // a row's state after the messages that came before it
                updateWire(*slot, *item.connection);
                continue;
            }
            CaptureRecord &record = *item.record;
            const bool fromClient = record.direction == Direction::ClientToServer;
            const SocketId row = wireRow(*slot, record.socket, fromClient ? record.src : record.dst,
                fromClient ? record.dst : record.src);
            if (record.isEvent()) {
                appendMessages();
                sniffedEvent(row, record);
                continue;
            }
            if (record.encrypted) {
                // Stored without frames (its content is encrypted); the size is kept beside the store.
                appendMessages();
                const std::uint64_t seq
                    = d->store.append(row, record.direction, record.timestampUs, Frames());
                {
                    std::lock_guard locker(d->encryptedMutex);
                    d->encryptedSizes.insert(seq, record.size);
                }
                d->recorder.recordEncrypted(row, record.direction, record.timestampUs, record.size);
                const NewMessage counted { row, record.direction, record.timestampUs, Frames(), {} };
                d->sockets.addReceived(std::span<const NewMessage>(&counted, 1), steadyMs());
                d->sockets.update(row, [&](SocketTable::Entry &entry) { ++entry.info.wire->encrypted; });
                ++stored;
                continue;
            }
            messages.push_back(
                NewMessage { row, record.direction, record.timestampUs, std::move(record.frames), {} });
        }
        appendMessages();
    } catch (const Error &error) {
        // Only a frame of 4 GiB or more gets here; say so, keep going.
        logEvent(id, SocketState::None, QString(), error.message(), true);
    }
    d->sockets.update(id, [&](SocketTable::Entry &entry) {
        entry.info.messagesIn += stored;
        if (!entry.info.sniff)
            return;
        entry.info.sniff->packets = batch.packets;
        entry.info.sniff->dropped = batch.dropped;
        entry.info.sniff->connections = batch.stats.zmtpConnections;
        entry.info.sniff->gaps = batch.stats.gaps;
    });
    if (batch.ended && batch.error)
        snifferFailed(*slot, *batch.error);
    if (stored > 0)
        notifyStored();
}

void EngineWorker::closeWireRows(Slot &sniffer)
{
    Engine *q = d->q;
    for (const auto &[name, row] : sniffer.wireNames) {
        bool changed = false;
        d->sockets.update(row, [&](SocketTable::Entry &entry) {
            changed = entry.info.state != SocketState::Closed;
            entry.info.state = SocketState::Closed;
            entry.info.peers = 0;
        });
        if (changed)
            emitLater([q, id = row] {
                Q_EMIT q->socketStateChanged(id, SocketState::Closed);
                Q_EMIT q->socketClosed(id);
            });
    }
}

void EngineWorker::snifferFailed(Slot &slot, const Error &error)
{
    slot.sniffer.reset(); // joins: the thread has ended already
    closeWireRows(slot);
    const QString message = u"%1: %2"_s.arg(slot.spec.name, error.message());
    slot.state = SocketState::Failed;
    publishState(slot, message);
    const SocketId id = slot.id;
    Engine *q = d->q;
    emitLater([q, id, message] {
        Q_EMIT q->socketStateChanged(id, SocketState::Failed);
        Q_EMIT q->socketFailed(id, message);
    });
    logEvent(id, SocketState::Failed, QString(), message, true);
}

} // namespace zmqscope
