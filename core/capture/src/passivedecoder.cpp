#include <array>
#include <unordered_map>
#include <utility>

#include <QHash>
#include <QStringList>

#include <zmqscope/capture/passivedecoder.h>
#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/capture/tcppacket.h>
#include <zmqscope/capture/tcpreassembler.h>
#include <zmqscope/capture/zmtpdecoder.h>
#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

/// A joined-mid-stream connection that shows no ZMTP frame in this many bytes is not followed further.
constexpr std::uint64_t MidStreamProofBytes = std::uint64_t { 256 } * 1024;

QString metadataValue(const QList<QPair<QByteArray, QByteArray>> &metadata, QByteArrayView name)
{
    for (const auto &[key, value] : metadata)
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return textescape::escape(value);
    return {};
}

QByteArray metadataBytes(const QList<QPair<QByteArray, QByteArray>> &metadata, QByteArrayView name)
{
    for (const auto &[key, value] : metadata)
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

/// ZMTP 2.0 and 3.x greetings begin with 0xFF, 8 bytes, 0x7F (RFC 15, RFC 23).
constexpr qsizetype SignatureBytes = 10;
bool hasZeroMqSignature(const QByteArray &head)
{
    return head.size() >= SignatureBytes && uchar(head.at(0)) == 0xff && head.at(9) == '\x7f';
}

bool subscribes(const QString &type)
{
    return type == u"SUB" || type == u"XSUB";
}

} // namespace

class PassiveDecoder::Private
{
public:
    struct Side
    {
        std::unique_ptr<ZmtpStreamDecoder> decoder;
        bool ready = false; ///< its READY (or the mechanism's last handshake command) was seen
        std::uint64_t bytes = 0;
        QByteArray head; ///< the stream's first bytes, for the signature every ZMTP 2.0+ greeting has
    };
    struct Connection
    {
        WireConnection info;
        Side client;
        Side server;
        bool zmtp = false; ///< a greeting or a frame proved it: published and followed
        bool ignored = false; ///< not ZMTP: its bytes are dropped
        QList<CaptureRecord> held; ///< a mid-stream join's findings, kept until the stream proves ZMTP
        QString endpoint; ///< "tcp://<server>", the "endpoint" of its lines
        /// The CURVE commands each side sent, in its order, with their sizes ("HELLO 194 B"): client,
        /// server. Kept apart, since which side's packet a capture holds first is not the protocol's
        /// order (a capture may hold the server's READY before the INITIATE it answers).
        std::array<QStringList, 2> curveHandshake;
        /// Whether the client's and the server's READY said SUB or XSUB (their 3.0 subscriptions are
        /// messages): kept as flags, since every message asks.
        bool clientSubscribes = false;
        bool serverSubscribes = false;
        /// The last message record of each direction (c2s, s2c), reused: a message changes only its
        /// time and frames, so the strings are not copied message after message.
        std::array<CaptureRecord, 2> messages;
    };

    explicit Private(Handlers given)
        : handlers(std::move(given))
        , reassembler(TcpReassembler::Handlers {
              [this](const TcpReassembler::Connection &connection) { opened(connection); },
              [this](TcpReassembler::ConnectionId id, bool fromClient, QByteArrayView bytes,
                  std::int64_t us) { data(id, fromClient, bytes, us); },
              [this](TcpReassembler::ConnectionId id, bool fromClient, std::uint64_t missing,
                  std::int64_t us) { gap(id, fromClient, missing, us); },
              [this](
                  TcpReassembler::ConnectionId id, bool reset, std::int64_t us) { closed(id, reset, us); } })
    { }

    void opened(const TcpReassembler::Connection &tcp);
    void data(TcpReassembler::ConnectionId id, bool fromClient, QByteArrayView bytes, std::int64_t us);
    void gap(TcpReassembler::ConnectionId id, bool fromClient, std::uint64_t missing, std::int64_t us);
    void closed(TcpReassembler::ConnectionId id, bool reset, std::int64_t us);
    void handle(Connection &connection, bool fromClient, const ZmtpEvent &event);
    void proveZmtp(Connection &connection);
    void readyFrom(Connection &connection, bool fromClient,
        const QList<QPair<QByteArray, QByteArray>> &metadata, std::int64_t us);
    CaptureRecord record(const Connection &connection, bool fromClient, std::int64_t us) const;
    CaptureRecord &messageRecord(Connection &connection, bool fromClient, std::int64_t us) const;
    void emitEvent(Connection &connection, bool fromClient, std::int64_t us, const QString &event,
        const QString &detail, const QByteArray &topic = {});
    void emitRecord(Connection &connection, const CaptureRecord &record);
    void changed(const Connection &connection);
    Connection *find(TcpReassembler::ConnectionId id)
    {
        // Segment after segment of one connection: the last one found again without a lookup.
        if (id == lastId && last)
            return last;
        const auto it = connections.find(id);
        if (it == connections.end())
            return nullptr;
        lastId = id;
        last = &it->second;
        return last;
    }
    [[nodiscard]] const Connection *find(TcpReassembler::ConnectionId id) const
    {
        const auto it = connections.find(id);
        return it == connections.end() ? nullptr : &it->second;
    }

    Handlers handlers;
    TcpReassembler reassembler;
    std::unordered_map<TcpReassembler::ConnectionId, Connection> connections;
    TcpReassembler::ConnectionId lastId = 0; ///< find()'s last answer (nodes never move)...
    Connection *last = nullptr; ///< ...cleared when a connection is erased
    /// Every ZMTP connection in the order found, as last reported (closed ones stay here).
    QList<WireConnection> seen;
    QHash<std::uint64_t, qsizetype> seenIndex;
    bool finishing = false; ///< finish() runs: connections end with the capture, not on the wire
    Stats stats;
    TcpSegment segment;
};

void PassiveDecoder::Private::opened(const TcpReassembler::Connection &tcp)
{
    Connection &connection = connections[tcp.id];
    connection.info.id = tcp.id;
    connection.info.client = tcp.client.toString();
    connection.info.server = tcp.server.toString();
    connection.info.name = connection.info.client + u" > "_s + connection.info.server;
    connection.endpoint = u"tcp://"_s + connection.info.server;
    connection.info.joinedMidStream = tcp.joinedMidStream;
    connection.info.firstUs = tcp.firstSeenUs;
    connection.info.lastUs = tcp.firstSeenUs;
    for (const bool fromClient : { true, false }) {
        Side &side = fromClient ? connection.client : connection.server;
        // The decoder lives inside the connection, and the map's nodes never move: the connection
        // outlives every call of its decoders' handlers (no lookup per event).
        Connection *owner = &connection;
        side.decoder = std::make_unique<ZmtpStreamDecoder>(
            [this, owner, fromClient](const ZmtpEvent &event) { handle(*owner, fromClient, event); });
        if (tcp.joinedMidStream)
            side.decoder->joinMidStream();
    }
}

void PassiveDecoder::Private::data(
    TcpReassembler::ConnectionId id, bool fromClient, QByteArrayView bytes, std::int64_t us)
{
    Connection *connection = find(id);
    if (!connection || connection->ignored)
        return;
    Side &side = fromClient ? connection->client : connection->server;
    side.bytes += std::uint64_t(bytes.size());
    if (side.head.size() < SignatureBytes)
        side.head += bytes.first(std::min(bytes.size(), SignatureBytes - side.head.size()));
    connection->info.lastUs = us;
    side.decoder->feed(bytes, us); // its handlers never erase a connection (nodes never move)
    if (connection->zmtp)
        return;
    // Not proven ZMTP yet: a stream that is not (a greeting that is not ZMTP 3, or a mid-stream join
    // that found no frame in a good while) is dropped with whatever it made us hold.
    const bool notZmtp = side.decoder->state() == ZmtpStreamDecoder::State::NotZmtp
        || (connection->info.joinedMidStream && side.bytes > MidStreamProofBytes);
    if (notZmtp) {
        connection->ignored = true;
        connection->held.clear();
        ++stats.otherConnections;
        // The decoders are not needed any more (their buffers can be large).
        connection->client.decoder.reset();
        connection->server.decoder.reset();
    }
}

void PassiveDecoder::Private::gap(
    TcpReassembler::ConnectionId id, bool fromClient, std::uint64_t missing, std::int64_t us)
{
    Connection *connection = find(id);
    if (!connection || connection->ignored)
        return;
    ++connection->info.gaps;
    connection->info.gapBytes += missing;
    ++stats.gaps;
    emitEvent(*connection, fromClient, us, u"gap"_s,
        u"%1 bytes of the %2 stream are not in the capture; decoding resumes at the next whole frame"_s.arg(
            QString::number(qulonglong(missing)), fromClient ? u"c2s"_s : u"s2c"_s));
    (fromClient ? connection->client : connection->server).decoder->gap(missing, us);
    changed(*connection);
}

void PassiveDecoder::Private::closed(TcpReassembler::ConnectionId id, bool reset, std::int64_t us)
{
    Connection *connection = find(id);
    if (!connection)
        return;
    // What each direction's decoder still holds (a cut frame or message) is reported, not dropped.
    for (Side *side : { &connection->client, &connection->server })
        if (side->decoder)
            side->decoder->finish(us);
    connection = find(id);
    if (!connection)
        return;
    if (connection->zmtp) {
        if (!finishing) {
            connection->info.closed = true;
            connection->info.lastUs = us;
            emitEvent(*connection, true, us, u"disconnected"_s,
                reset ? u"the connection was reset (RST)"_s : u"the connection was closed (FIN)"_s);
        }
        changed(*connection);
    } else if (!connection->ignored) {
        ++stats.otherConnections; // ended before proving anything
    }
    // Closed: a new connection on the same ports gets a new id from the reassembler.
    last = nullptr;
    connections.erase(id);
}

void PassiveDecoder::Private::proveZmtp(Connection &connection)
{
    if (connection.zmtp)
        return;
    connection.zmtp = true;
    ++stats.zmtpConnections;
    const QList<CaptureRecord> held = std::exchange(connection.held, {});
    for (const CaptureRecord &record : held)
        emitRecord(connection, record);
    changed(connection);
}

void PassiveDecoder::Private::readyFrom(Connection &connection, bool fromClient,
    const QList<QPair<QByteArray, QByteArray>> &metadata, std::int64_t us)
{
    WireConnection &info = connection.info;
    Side &side = fromClient ? connection.client : connection.server;
    side.ready = true;
    if (!metadata.isEmpty()) {
        QString &type = fromClient ? info.clientType : info.serverType;
        type = metadataValue(metadata, "Socket-Type");
        (fromClient ? connection.clientSubscribes : connection.serverSubscribes) = subscribes(type);
        (fromClient ? info.clientIdentity : info.serverIdentity) = metadataBytes(metadata, "Identity");
    }
    if (info.handshakeDone || !connection.client.ready || !connection.server.ready)
        return;
    info.handshakeDone = true;
    QString detail = u"ZMTP %1.%2, %3"_s.arg(info.versionMajor)
                         .arg(info.versionMinor)
                         .arg(info.security.isEmpty() ? u"unknown security"_s : info.security);
    if (!info.clientType.isEmpty() || !info.serverType.isEmpty())
        detail += u", %1 > %2"_s.arg(info.clientType.isEmpty() ? u"?"_s : info.clientType,
            info.serverType.isEmpty() ? u"?"_s : info.serverType);
    if (!info.clientIdentity.isEmpty())
        detail += u", client identity %1"_s.arg(textescape::escape(info.clientIdentity));
    if (!info.plainUsername.isEmpty())
        detail += u", PLAIN user %1"_s.arg(info.plainUsername);
    if (info.security == u"CURVE") {
        // All a CURVE handshake shows in the clear is its commands and their sizes: the peers' socket
        // types and identities travel inside INITIATE and READY, encrypted like every message.
        // In the protocol's order (RFC 26): each client command, then the server's answer.
        const auto &[client, server] = connection.curveHandshake;
        QStringList commands;
        for (qsizetype i = 0; i < std::max(client.size(), server.size()); ++i) {
            if (i < client.size())
                commands.append(client.at(i));
            if (i < server.size())
                commands.append(server.at(i));
        }
        if (!commands.isEmpty())
            detail += u" handshake %1"_s.arg(commands.join(u", "_s));
        detail += u"; socket types, identities and payloads are encrypted"_s;
    }
    emitEvent(connection, true, us, u"connected"_s, detail);
    changed(connection);
}

void PassiveDecoder::Private::handle(Connection &connection, bool fromClient, const ZmtpEvent &event)
{
    WireConnection &info = connection.info;
    switch (event.kind) {
    case ZmtpEvent::Kind::Greeting:
        if (fromClient || info.versionMajor == 0) {
            info.versionMajor = event.versionMajor;
            info.versionMinor = event.versionMinor;
        }
        if (info.security.isEmpty())
            info.security = zmtpMechanismName(event.mechanism);
        proveZmtp(connection);
        return;
    case ZmtpEvent::Kind::Ready:
    case ZmtpEvent::Kind::PlainInitiate:
        proveZmtp(connection);
        readyFrom(connection, fromClient, event.metadata, event.timestampUs);
        return;
    case ZmtpEvent::Kind::PlainHello:
        info.plainUsername = metadataValue(event.metadata, "Username"); // the password is never in it
        return;
    case ZmtpEvent::Kind::PlainWelcome:
        return;
    case ZmtpEvent::Kind::CurveHandshake:
        // A handshake has two commands a side; a confused stream is not listed on and on.
        if (QStringList &sent = connection.curveHandshake[fromClient ? 0 : 1]; sent.size() < 4)
            sent.append(u"%1 %2 B"_s.arg(QString::fromLatin1(event.commandName)).arg(event.size));
        // HELLO and WELCOME carry keys and boxes; the client's INITIATE and the server's READY end it.
        if ((fromClient && event.commandName == "INITIATE") || (!fromClient && event.commandName == "READY"))
            readyFrom(connection, fromClient, {}, event.timestampUs);
        return;
    case ZmtpEvent::Kind::Subscribe:
    case ZmtpEvent::Kind::Cancel:
        proveZmtp(connection);
        ++info.subscriptions;
        emitEvent(connection, fromClient, event.timestampUs,
            event.kind == ZmtpEvent::Kind::Subscribe ? u"subscribe"_s : u"unsubscribe"_s, QString(),
            event.topic);
        return;
    case ZmtpEvent::Kind::Message: {
        // ZMTP 3.0's subscriptions are messages a SUB or XSUB sends: \1 or \0 and the topic.
        if ((fromClient ? connection.clientSubscribes : connection.serverSubscribes)
            && event.frames.size() == 1 && !event.frames.first().isEmpty()
            && (event.frames.first().front() == '\1' || event.frames.first().front() == '\0')) {
            proveZmtp(connection);
            ++info.subscriptions;
            emitEvent(connection, fromClient, event.timestampUs,
                event.frames.first().front() == '\1' ? u"subscribe"_s : u"unsubscribe"_s, QString(),
                event.frames.first().sliced(1));
            return;
        }
        CaptureRecord &message = messageRecord(connection, fromClient, event.timestampUs);
        message.frames = event.frames;
        ++(fromClient ? info.clientToServer : info.serverToClient);
        ++stats.messages;
        if (!connection.zmtp && !info.joinedMidStream)
            proveZmtp(connection);
        emitRecord(connection, message);
        message.frames = {}; // so the decoder can reuse the buffers nobody else kept
        if (!connection.zmtp)
            proveZmtp(connection); // a mid-stream join: a whole message after a resync proves it
        return;
    }
    case ZmtpEvent::Kind::Encrypted: {
        CaptureRecord &message = messageRecord(connection, fromClient, event.timestampUs);
        message.frames.clear();
        message.encrypted = true;
        message.size = event.size;
        ++(fromClient ? info.clientToServer : info.serverToClient);
        ++stats.messages;
        emitRecord(connection, message);
        proveZmtp(connection);
        return;
    }
    case ZmtpEvent::Kind::Error:
        emitEvent(connection, fromClient, event.timestampUs, u"zmtp_error"_s,
            u"the %1 sent ERROR: %2"_s.arg(fromClient ? u"client"_s : u"server"_s, event.detail));
        changed(connection);
        return;
    case ZmtpEvent::Kind::Problem:
        // A ZeroMQ peer of another protocol version (ZMTP 2.0 has the same signature) is said to be
        // one, not silently taken for some other TCP traffic.
        if (!connection.zmtp && !info.joinedMidStream
            && hasZeroMqSignature((fromClient ? connection.client : connection.server).head))
            proveZmtp(connection);
        ++info.problems;
        info.lastProblem = event.detail;
        emitEvent(connection, fromClient, event.timestampUs, u"undecodable"_s,
            u"%1: %2"_s.arg(fromClient ? u"c2s"_s : u"s2c"_s, event.detail));
        changed(connection);
        return;
    case ZmtpEvent::Kind::Ping:
    case ZmtpEvent::Kind::Pong:
    case ZmtpEvent::Kind::Command:
        return; // heartbeats and commands of no meaning to a reader of messages
    }
}

CaptureRecord PassiveDecoder::Private::record(
    const Connection &connection, bool fromClient, std::int64_t us) const
{
    const WireConnection &info = connection.info;
    CaptureRecord record;
    record.timestampUs = us;
    record.socket = info.name;
    record.type = fromClient ? info.clientType : info.serverType;
    record.endpoint = connection.endpoint;
    record.direction = fromClient ? Direction::ClientToServer : Direction::ServerToClient;
    record.src = fromClient ? info.client : info.server;
    record.dst = fromClient ? info.server : info.client;
    record.security = info.security;
    return record;
}

CaptureRecord &PassiveDecoder::Private::messageRecord(
    Connection &connection, bool fromClient, std::int64_t us) const
{
    // Assigning a QString costs two atomic operations even when it already holds the same text.
    // The same characters at the same address are the same text (isSharedWith() is false for the
    // literals of u""_s, which have no shared block).
    const auto keep = [](QString &to, const QString &from) {
        if (to.constData() != from.constData() || to.size() != from.size())
            to = from;
    };
    const WireConnection &info = connection.info;
    CaptureRecord &record = connection.messages[fromClient ? 0 : 1];
    record.timestampUs = us;
    keep(record.socket, info.name);
    keep(record.type, fromClient ? info.clientType : info.serverType);
    keep(record.endpoint, connection.endpoint);
    record.direction = fromClient ? Direction::ClientToServer : Direction::ServerToClient;
    keep(record.src, fromClient ? info.client : info.server);
    keep(record.dst, fromClient ? info.server : info.client);
    keep(record.security, info.security);
    record.encrypted = false;
    record.size = 0;
    return record;
}

void PassiveDecoder::Private::emitEvent(Connection &connection, bool fromClient, std::int64_t us,
    const QString &event, const QString &detail, const QByteArray &topic)
{
    CaptureRecord record = this->record(connection, fromClient, us);
    record.event = event;
    record.detail = detail;
    record.topic = topic;
    emitRecord(connection, record);
}

void PassiveDecoder::Private::emitRecord(Connection &connection, const CaptureRecord &record)
{
    if (!connection.zmtp) {
        connection.held.append(record); // a mid-stream join that has not proven itself yet
        return;
    }
    if (record.isEvent())
        ++stats.events;
    if (handlers.record)
        handlers.record(record);
}

void PassiveDecoder::Private::changed(const Connection &connection)
{
    if (!connection.zmtp)
        return;
    const auto known = seenIndex.constFind(connection.info.id);
    if (known == seenIndex.cend()) {
        seenIndex.insert(connection.info.id, seen.size());
        seen.append(connection.info);
    } else {
        seen[*known] = connection.info;
    }
    if (handlers.connection)
        handlers.connection(connection.info);
}

// ---------------------------------------------------------------- PassiveDecoder

PassiveDecoder::PassiveDecoder(Handlers handlers)
    : d(std::make_unique<Private>(std::move(handlers)))
{ }

PassiveDecoder::~PassiveDecoder() = default;

void PassiveDecoder::addPacket(const RawPacket &packet)
{
    ++d->stats.packets;
    switch (parseTcpPacket(packet, d->segment)) {
    case PacketKind::Tcp:
        ++d->stats.tcpPackets;
        d->reassembler.add(packet.timestampUs, d->segment);
        return;
    case PacketKind::NotTcp:
        ++d->stats.otherPackets;
        return;
    case PacketKind::Malformed:
        ++d->stats.malformedPackets;
        return;
    }
}

void PassiveDecoder::finish()
{
    std::int64_t last = 0;
    for (const auto &[id, connection] : d->connections)
        last = std::max(last, connection.info.lastUs);
    d->finishing = true;
    d->reassembler.finish(last);
    d->finishing = false;
}

PassiveDecoder::Stats PassiveDecoder::stats() const
{
    return d->stats;
}

QList<WireConnection> PassiveDecoder::connections() const
{
    QList<WireConnection> list = d->seen;
    // Counts move with every message; the open connections' are read now.
    for (WireConnection &connection : list)
        if (const Private::Connection *open = d->find(connection.id))
            connection = open->info;
    return list;
}

Result<PassiveCaptureSummary> decodeCaptureFile(const QString &path, PassiveDecoder::Handlers handlers,
    const std::function<bool()> &stop, const std::function<void(qint64, qint64)> &progress)
{
    constexpr std::uint64_t ProgressEvery = 4096; // packets; a progress report costs a call into stdio
    auto opened = PcapSource::openFile(path);
    if (!opened)
        return opened.error();
    PcapSource &source = **opened;
    PassiveDecoder decoder(std::move(handlers));
    RawPacket packet;
    for (;;) {
        if (stop && stop())
            break;
        const PcapSource::Next next = source.next(packet);
        if (next == PcapSource::Next::Packet) {
            decoder.addPacket(packet);
            if (progress && source.packetsRead() % ProgressEvery == 0)
                progress(source.bytesRead(), source.fileSize());
            continue;
        }
        if (next == PcapSource::Next::Idle)
            continue;
        if (next == PcapSource::Next::Failed) {
            decoder.finish(); // what came before the damage is handed out
            return source.error();
        }
        break;
    }
    decoder.finish();
    return PassiveCaptureSummary { decoder.stats(), decoder.connections() };
}

} // namespace zmqscope
