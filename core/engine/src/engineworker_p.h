#pragma once

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <vector>

#include <QObject>
#include <QTimer>

#include <zmqscope/engine/engine.h>
#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>
#include <zmqscope/socketmonitor.h>
#include <zmqscope/store/threadaffinity.h>

#include "engine_p.h"
#include "sniffer_p.h"
#include "zaphandler_p.h"

namespace zmqscope {

/**
 * Lives in the engine thread and owns every socket, its monitor and the one
 * PollLoop; all its methods run there, which each entry point asserts
 * (ThreadAffinity). It reports to the Engine only through Private::post() and
 * the SocketTable.
 */
class EngineWorker : public QObject
{
public:
    explicit EngineWorker(Engine::Private *priv);

    /// Called first in the engine thread (QThread::started): binds the worker and the recorder to it.
    void adoptCurrentThread();

    /// receiveLimit: stop receiving on the socket after that many messages (0: no limit).
    void open(SocketId id, const SocketSpec &spec, std::uint64_t receiveLimit = 0);
    /// Opens a tap under `id` (Engine::openTap()).
    void openTap(SocketId id, const TapSpec &spec);
    /// Starts a sniffer under `id` (Engine::openSniffer()).
    void openSniffer(SocketId id, const SniffSpec &spec);
    /// Takes what the sniffer of `id` found since the last time (its thread asked for it).
    void drainSniffer(SocketId id);
    /// What closing does with the messages a socket still queues for its peers.
    enum class Unsent
    {
        Linger, ///< offered to the peers for the socket's linger (closeSocket())
        Discard ///< dropped at once (closeSocketDiscarding())
    };
    void close(SocketId id, Unsent unsent = Unsent::Linger);
    /// One send as the worker sees it: its ticket, and whom to tell the result (may be empty).
    struct SendRequest
    {
        SendTicket ticket = 0;
        SendCallback deliver; ///< called in the Engine's thread
    };

    void send(SocketId id, const Frames &frames, const SendRequest &request, bool ordered = false);
    void sendOrdered(SocketId id, const Frames &frames, const SendRequest &request, bool resume);
    void shutdown();
    void startRecording(const RecordingOptions &options);
    void stopRecording();
    /// The reader moved its hold on the store (Engine::holdFrom()): receive again when there is room.
    void resumeReceiving();

private:
    struct Slot
    {
        SocketId id = 0;
        SocketSpec spec;
        std::unique_ptr<Socket> socket;
        std::unique_ptr<SocketMonitor> monitor; // declared after socket: destroyed (stopped) first
        SocketState state = SocketState::Opening;
        int peers = 0;
        std::uint64_t receiveLimit = 0; ///< messages to receive before it stops receiving; 0: no limit
        std::uint64_t received = 0; ///< counted only when there is a receiveLimit
        std::unique_ptr<TapForwarder> tap; ///< a tap's slot has this instead of socket and monitor
        std::unique_ptr<Sniffer> sniffer; ///< a sniffer's slot has this instead (until it stops)
        bool isSniffer = false;
        std::map<std::uint64_t, SocketId> wireRows; ///< a sniffer's connections' rows, by WireConnection::id
        std::map<QString, SocketId> wireNames; ///< the row of the latest connection of each name
    };

    /// Opening the slot's socket or tap failed: its row goes to Failed with the reason, and it is said.
    void failOpen(Slot &slot, const Error &error);
    /**
     * The ZAP domain of socket `id` when its security needs the Engine's ZAP handler (started on first
     * use), empty when it does not; an Error when the handler cannot start (another Engine on this
     * context has it) or an allow path cannot be read. Says once when the socket will refuse everyone.
     */
    Result<QByteArray> registerZap(SocketId id, const SocketSecurity &security);
    /// A ZAP decision: an event on its socket (an engine-wide one for an unknown domain).
    void handleZapDecision(const ZapHandler::Decision &decision);
    /// Registers the socket's receiver with the loop, unless its receive limit is reached.
    void registerReceiver(Slot &slot);
    /// After a batch: stops receiving on every socket while the store waits for its reader.
    void pauseWhileStoreWaits();

    void flush();
    /// Tells the Engine's thread that messages were stored: at once after a quiet spell, then at most once
    /// per StoredNotifyIntervalMs while more keep coming, the last of them when the interval ends.
    void notifyStored();
    void notifyStoredNow();
    /// The receive path: straight into the store, or through m_pending when a recording wants the socket.
    void handleInput(SocketId id, std::span<const QByteArrayView> frames, Direction direction = Direction::In,
        QByteArrayView peer = {});
    /// A tap's handlers: its forwarded messages go the receive path's way; the rest is logged.
    TapForwarder::Handlers tapHandlers(SocketId id);
    /// Copies a tap's state and counters into its SocketInfo.
    void publishTap(Slot &slot);
    /// publishTap() for every tap, after a batch.
    void publishTaps();
    /// Adds what handleInput() stored directly to its socket's counters.
    void publishDirect(qint64 nowMs);
    /// The row of the sniffer's connection named `name`, added (Connected) when it has none yet.
    SocketId wireRow(Slot &sniffer, const QString &name, const QString &client, const QString &server);
    /// A connection the sniffer found or that changed: its row follows (types, security, gaps, state).
    void updateWire(Slot &sniffer, const WireConnection &connection);
    /// A sniffed event line (connected, gap, ...): recorded, and logged under the connection's row.
    void sniffedEvent(SocketId row, const CaptureRecord &record);
    /// The sniffer stops: its connections' rows go to Closed (their messages stay).
    void closeWireRows(Slot &sniffer);
    /// The sniffer's thread stopped on its own: libpcap failed.
    void snifferFailed(Slot &slot, const Error &error);
    void handleMonitorEvent(SocketId id, const SocketMonitor::Event &event);
    void handleLoopError(Socket *socket, const QString &message);
    void handleTerminated(Socket *socket);
    Slot *findSlot(SocketId id);
    Slot *findSlot(const Socket *socket);
    void logEvent(SocketId id, SocketState state, const QString &endpoint, const QString &text, bool isError);
    /// Queues a signal emission; deliver() posts everything one handler queued as one event, so the
    /// Engine's thread sees a state change and its log line (or a failure and its line) together.
    void emitLater(std::function<void()> emission) { m_outbox.push_back(std::move(emission)); }
    void deliver();
    /// Queues the result of a send for its caller (nothing when it asked for none).
    void answer(const SendRequest &request, Result<void> status, bool deferred = false);
    void publishState(Slot &slot, const QString &error = {});
    void teardown(Slot &slot);

    Engine::Private *d;
    ThreadAffinity m_engineThread { "the engine thread" };
    PollLoop *m_loop; // child: moves to the engine thread with us, deleted there by shutdown()
    QTimer *m_notifyTimer; // child: the trailing messagesStored of a flood
    qint64 m_lastNotifyMs = std::numeric_limits<qint64>::min() / 2;
    std::map<SocketId, std::unique_ptr<Slot>> m_slots;
    std::vector<NewMessage> m_pending; // received in the current activation, appended in one batch
    std::int64_t m_receivedUs = 0; // receive time stamped on received messages (see handleInput())
    std::uint64_t m_batchCount = 0; // messages received since the last flush (the clock is read every 8th)
    // Messages handleInput() stored directly, not yet in the socket's counters (one socket at a time).
    SocketId m_directSocket = 0;
    std::uint64_t m_directCount = 0;
    std::uint64_t m_directBytes = 0;
    std::vector<std::function<void()>> m_outbox; // emissions of the handler running now
    bool m_waitingForReader = false; // receiving paused by pauseWhileStoreWaits()
    std::set<SocketId> m_heldStreams; // sendOrdered() streams waiting for a resume (see Engine::sendOrdered)
    std::unique_ptr<ZapHandler> m_zap; // made when the first socket needs it; before m_loop goes
};

} // namespace zmqscope
