#pragma once

// Threads of the engine (DESIGN.md section 4). One vocabulary in core: QThread only where a Qt event
// loop must run (sockets, notifiers, timers); std::thread for every other thread, named with
// setThreadName(); std::mutex and std::condition_variable (std::shared_mutex in the store) for every
// lock. Where a function may run in one thread only, ThreadAffinity asserts it.
//
// Thread            Created by; ended by      Runs; may touch                     Others reach it by
// ----------------  ------------------------  ----------------------------------  --------------------------
// caller (GUI or    the application           Engine (this facade), its signals,  signals, and lambdas the
// CLI main thread)                            send callbacks whose context lives  engine thread posts to the
//                                             here, views; store reads,           Engine (queued)
//                                             SocketTable reads (sockets())
// zmqscope-engine   Engine's constructor;     EngineWorker: every socket, its     queued invokeMethod on the
// (QThread, event   joined by ~Engine         monitor, the PollLoop; appends to   worker; every entry point
// loop)                                       the store (its writer), writes the  asserts ThreadAffinity
//                                             SocketTable, feeds the Recorder
// zmqscope-record   Recorder::start() in the  CaptureWriter: JSON, base64, disk   the Recorder's command
// (std::thread)     engine thread; joined by  writes, fsync; its status (own      queue (mutex + condition
//                   ~Engine                   mutex); SocketTable reads (names)   variable)
// zmqscope-store    MessageStore, once its    the store's Reserve only: the next  the Reserve's mutex and
// (std::thread)     chunks are 256 KiB or     chunk and record block, faulted in  condition variables
//                   more; joined by           ahead of the appends
//                   ~MessageStore
// zmqscope-sniff    Engine::openSniffer(), in one sniffer: libpcap's blocking   its batch (mutex), taken
// (std::thread)     the engine thread; joined reads, the PassiveDecoder; its     by the engine thread when
//                   by closeSocket()/~Engine  batch of records (own mutex)        the thread posts a drain
// libzmq I/O        libzmq, with the          the wire (TCP, IPC, handshakes);    libzmq's own mailboxes
//                   context's first socket    nothing of ours
//
// Outside the engine, core has: zmqscope-load (std::thread, CaptureLoader: reads a capture into its
// own store), zmqscope-count (std::thread, Replayer: counts a file's records ahead) and zmqscope-demo
// (QThread with an event loop: DemoPeers' sockets). Each posts its results to its owner's thread.

#include <functional>
#include <memory>
#include <optional>

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/context.h>
#include <zmqscope/engine/sniff.h>
#include <zmqscope/engine/socketspec.h>
#include <zmqscope/engine/tap.h>
#include <zmqscope/error.h>
#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>
#include <zmqscope/socketmonitor.h>
#include <zmqscope/store/messagestore.h>

class QThread;

namespace zmqscope {

class EngineWorker;

/// The tap part of a SocketInfo (Engine::openTap()): both sides and what went through.
struct TapInfo
{
    TapSpec spec; ///< as opened, with the name the engine gave it
    QStringList listenEndpoints; ///< bound on the listen side, wildcards resolved
    TapState state; ///< clients connected, both sides' states, the server side's last monitor line
    TapCounters counters; ///< forwarded c2s/s2c, subscriptions, undeliverable, stalls
    bool clientToServerHeld = false; ///< a c2s message waits for the server side (clients held back)
    bool serverToClientHeld = false; ///< an s2c message waits for a client
};

/// A point-in-time view of a socket, published by the engine.
struct SocketInfo
{
    SocketId id = 0;
    SocketSpec spec;
    QStringList boundEndpoints; ///< resolved (real ports)
    SocketState state = SocketState::Opening;
    int peers = 0; ///< connections currently up (handshake succeeded)
    /// A connection was up at some time since the socket opened: tells "no connection was ever made"
    /// (a wrong endpoint, a server that is down) from a peer that connected and then went quiet.
    bool everConnected = false;
    std::uint64_t messagesIn = 0;
    std::uint64_t messagesOut = 0;
    std::uint64_t bytesIn = 0;
    std::uint64_t bytesOut = 0;
    double rateIn = 0; ///< messages per second over the last second
    QString lastError;
    /// Why opening failed (state Failed), with its ErrorCode: a bad endpoint or option value
    /// (InvalidEndpoint, InvalidOptionValue, ...) tells the CLI's usage error from a runtime one.
    std::optional<Error> openError;
    /// Set for a tap: its row stands for both of its sockets. Then `spec` is the listen side's
    /// (binds = listen, connects = forward), messagesIn counts every forwarded message and the
    /// directions are in tap->counters; `state` is the server side's and `peers` the clients.
    std::optional<TapInfo> tap;
    /// Set for a sniffer (Engine::openSniffer()): its row stands for the capture; `state` is
    /// Listening while it captures, Failed with the reason (and its fix) when it cannot.
    std::optional<SniffInfo> sniff;
    /// Set for a ZMTP connection a sniffer found: its row has the connection's name "client > server",
    /// the client's socket type (once its READY was seen) and the endpoint "tcp://server"; its
    /// messages are stored under it as ClientToServer / ServerToClient.
    std::optional<WireInfo> wire;
};

/**
 * How capture lines (recordings, exports) name a socket of the table: its name, type and endpoints
 * (bound, then connected); for a tap the pattern, "LISTEN > FORWARD" (the clients' side first, as in
 * passive captures) and the clients' and the server's socket types for its c2s and s2c lines; for a
 * sniffed connection its name, "tcp://SERVER", both types and its client, server and security (the
 * lines' src, dst and security).
 */
[[nodiscard]] CaptureSource captureSource(const SocketInfo &info);

/// A time-stamped line for the Events log.
struct EngineEvent
{
    QDateTime time;
    SocketId socket = 0; ///< 0 for engine-wide events
    SocketState state = SocketState::None; ///< the state it led to; None when it changed none
    QString endpoint;
    QString text; ///< plain text, never HTML
    bool isError = false;
};

/// The id the Engine gives one send (send(), sendOrdered()): unique within that Engine, never 0.
using SendTicket = quint64;

/// How one send ended; told only to the caller that made the send (Engine::send with a callback).
struct SendResult
{
    SendTicket ticket = 0;
    /// Success, or the Error saying why nothing was sent (its text names the socket and the reason).
    Result<void> status;
    /// sendOrdered() only: the message was not sent now (the socket could not take it, or its ordered
    /// stream is held) and this is no error: the caller retries with `resume`. status says why.
    bool deferred = false;

    [[nodiscard]] bool sent() const { return status.ok(); }
};

/// Receives the result of one send, in the thread of the context object given with it.
using SendCallback = std::function<void(const SendResult &)>;

/// What Engine::startRecording() records and where.
struct RecordingOptions
{
    CaptureWriterOptions file;
    QList<SocketId> sockets; ///< empty = every socket, also ones opened later
};

/// A snapshot of the Engine's recording (cheap; safe to poll from a timer).
struct RecordingStatus
{
    bool active = false;
    QString path; ///< the current file (the last one after a stop)
    std::uint64_t messages = 0; ///< written so far
    std::uint64_t bytes = 0; ///< bytes of every file so far
};

/**
 * The engine: every socket and its PollLoop live in one engine thread
 * (DESIGN.md section 4). This object lives in the caller's thread (GUI or
 * CLI) and talks to the engine thread only through queued invocations and
 * signals. Received and sent messages go into the MessageStore in batches;
 * views read the store on a timer.
 *
 * All signals are emitted in the thread the Engine lives in (which must run
 * an event loop), so receivers there are called directly.
 */
class Engine : public QObject
{
    Q_OBJECT
public:
    explicit Engine(MessageStore &store, QObject *parent = nullptr);
    /// Uses `context` for its sockets, so they can reach inproc:// endpoints of other sockets in it.
    Engine(MessageStore &store, const Context &context, QObject *parent = nullptr);
    ~Engine() override; ///< closes every socket and joins the thread

    [[nodiscard]] MessageStore &store() const;
    [[nodiscard]] const Context &context() const;

    /**
     * Opens a socket in the engine thread; returns its id at once. socketOpened or socketFailed follows.
     * An empty name becomes "<TYPE> <n>" with the first free n ("SUB 1"); a name another open socket has
     * gets " (2)", " (3)", ... (uniqueSocketName(), the one naming rule)
     * (see sockets() for the name used).
     */
    SocketId openSocket(const SocketSpec &spec);
    /**
     * Like openSocket(spec), but the socket stops receiving after `receiveLimit` messages (0: no
     * limit): later ones stay in libzmq's queue, so exactly that many reach the store (and a
     * recording). The CLI's --count N.
     */
    SocketId openSocket(const SocketSpec &spec, std::uint64_t receiveLimit);
    /**
     * Opens a tap (DESIGN.md section 12) in the engine thread; returns its id at once, under which its
     * messages are stored (Direction::ClientToServer / ServerToClient, with the client's routing id
     * as peer) and which closeSocket() closes. socketOpened (with the listen side's endpoints) or
     * socketFailed follows. Subscriptions it passes upstream are logged and recorded as events.
     * An empty name becomes "tap PATTERN" (made unique like socket names).
     */
    SocketId openTap(const TapSpec &spec);
    /**
     * Starts a live capture (issue 15) in a thread of its own; returns its id at once. Its row
     * (SocketInfo::sniff) goes to Listening, or to Failed with the one-line reason (no such
     * interface; no right to capture, with the fix) and socketFailed. Each ZMTP connection it finds
     * becomes a row of its own (SocketInfo::wire) under which its messages are stored and recorded;
     * connected, gap, undecodable, zmtp_error and disconnected are logged under it. closeSocket()
     * stops the capture (its connections' rows go to Closed). An empty name becomes "sniff INTERFACE".
     */
    SocketId openSniffer(const SniffSpec &spec);
    /**
     * The payload size of a stored CURVE message a sniffer saw (stored without frames: its content is
     * encrypted), by its store sequence number; std::nullopt for every other message.
     */
    [[nodiscard]] std::optional<std::uint64_t> encryptedSize(quint64 seq) const;
    /// Every such size by seq (a copy; for a view that shows them, e.g. MessageTableModel).
    [[nodiscard]] QHash<std::uint64_t, std::uint64_t> encryptedSizes() const;
    /// Closes the socket (or tap); socketClosed follows. Its messages stay in the store.
    void closeSocket(SocketId id);
    /**
     * Like closeSocket(), but what the socket still queues for its peers is dropped at once (linger 0)
     * instead of being offered to them for the socket's linger, which can hold the Engine's
     * destructor (libzmq's context termination) that long: for a run that failed or was stopped
     * and must end now (the CLI's send after "not delivered" or a stop signal).
     */
    void closeSocketDiscarding(SocketId id);
    /**
     * Edit Socket: closes socket id (open or failed) and opens spec in its place; returns the new id.
     * The old socket's name no longer counts as taken, so the new one keeps it when spec asks for it,
     * and the close is done before the open, so a bound endpoint is free again for the new socket.
     * socketClosed(id) follows, then socketOpened or socketFailed for the new id.
     */
    SocketId replaceSocket(SocketId id, const SocketSpec &spec);
    /**
     * Sends frames on the socket; returns the send's ticket. Nobody is told the result: a failure on a
     * socket is logged (eventLogged) and recorded as the socket's lastError, which is all a
     * fire-and-forget caller (a test, a demo) needs.
     */
    SendTicket send(SocketId id, const Frames &frames);
    /**
     * Sends frames on the socket and calls `done` once with the result, in the thread `context` lives
     * in, like QObject::connect() with a context: when `context` is destroyed first, `done` is not
     * called. Only this send's result reaches `done`: no other caller sees it. Call it from the
     * Engine's thread, or from the context's thread while the context is alive.
     */
    SendTicket send(SocketId id, const Frames &frames, const QObject *context, SendCallback done);
    /**
     * For ordered streams (the Replayer): like send(), but a message the socket cannot take right
     * now (ErrorCode::Timeout: high-water mark reached, no peer ready) is no error: its result is
     * deferred instead of failed and nothing is logged. After a deferred or failed sendOrdered()
     * the socket's ordered stream is held: every later sendOrdered() on it is answered deferred
     * without being tried, until one is made with `resume` = true. So a window of messages in
     * flight never goes out of order and none is skipped. send() is not affected.
     */
    SendTicket sendOrdered(
        SocketId id, const Frames &frames, bool resume, const QObject *context, SendCallback done);
    /// Latest info of every socket (updated from the engine thread; cheap to call from a timer), by id.
    /// Closed and failed sockets stay listed (state Closed/Failed) so their messages keep a name.
    [[nodiscard]] QList<SocketInfo> sockets() const;
    [[nodiscard]] std::optional<SocketInfo> socket(SocketId id) const;

    /**
     * Blocks the caller until every request made so far has been handled by the engine thread,
     * then delivers the signals those requests caused (they are emitted in this object's thread).
     */
    void sync();

    /**
     * Lets the caller's thread (the GUI) get a CPU first when it and the engine both want one: the
     * engine thread, and libzmq's I/O threads when this Engine's context has not started them yet,
     * run at a lower scheduling priority (on Linux, `nice` raised by `niceIncrement` for those
     * threads only, their nice values being per thread; elsewhere QThread::LowPriority for the
     * engine thread). Nothing is lost: while the engine waits, messages wait in libzmq's queue
     * (rcvhwm) and the sender slows down. A flood then costs the window a few milliseconds of
     * lateness instead of a third of every CPU second. Call it before opening sockets; returns
     * false (and changes nothing) when the system refused.
     */
    bool lowerThreadPriority(int niceIncrement = 10);

    /**
     * The options every socket gets before its spec's own (which override them): the Inspector row
     * of the one table, defaultOptions(type, SocketPurpose::Inspector) in <zmqscope/defaults.h>,
     * which says why each is there (DESIGN.md section 7).
     */
    [[nodiscard]] static Options defaultOptions(SocketType type);

    /**
     * Starts recording to a capture file (asynchronous): recordingStarted or recordingFailed
     * follows. Every message stored from then on (both directions) of the selected sockets is
     * written in store order by a recorder thread (formatting and disk I/O never run on the GUI
     * or engine thread). A recording already running is stopped first (recordingStopped follows
     * for it).
     */
    void startRecording(const RecordingOptions &options);
    /// Stops recording; recordingStopped follows (only when recording) once everything is on disk.
    void stopRecording();
    [[nodiscard]] RecordingStatus recordingStatus() const;

    /**
     * For a reader that must see every message (the CLI writing to a slow stdout): it still needs
     * every stored message from `seq` on (MessageStore::holdFrom()). When the store is full up to
     * there, the engine stops receiving until the reader moves the hold on: messages wait in
     * libzmq's queue (rcvhwm) and the sender slows down, instead of unread messages being evicted.
     * The store may go over its limits by the last batch received. Call it again as reading goes on.
     */
    void holdFrom(quint64 seq);
    /// Ends the hold: retention evicts as before and the engine receives again.
    void releaseHold();

Q_SIGNALS:
    void socketOpened(zmqscope::SocketId id, const QStringList &boundEndpoints);
    void socketFailed(zmqscope::SocketId id, const QString &error);
    void socketClosed(zmqscope::SocketId id);
    /// The state or the peer count (SocketInfo::peers) of a socket changed.
    void socketStateChanged(zmqscope::SocketId id, zmqscope::SocketState state);
    void eventLogged(const zmqscope::EngineEvent &event);
    /**
     * New messages are in the store. Emitted per batch, not per message: at once after a quiet
     * spell, then at most once every 10 ms while messages keep coming (the last batch of a burst
     * is always told); while one notification is still undelivered, no other is queued.
     */
    void messagesStored(quint64 endSeq);
    /**
     * A tap passed a subscription upstream (DESIGN.md section 12; it is also logged and recorded as an
     * event line). `topic` is exact (the log line shows it escaped); `storedEnd` is the store's
     * endSeq() right after the messages the tap forwarded before it, so a reader of the store can put
     * the event in its place among them.
     */
    void tapSubscriptionPassed(zmqscope::SocketId id, qint64 timestampUs, bool subscribe,
        const QByteArray &topic, quint64 storedEnd);
    /// A recording began; `path` is its first file.
    void recordingStarted(const QString &path);
    /// Rotation opened a new file.
    void recordingFileChanged(const QString &path);
    /// A recording ended (stopRecording() or a new startRecording()): every message is on disk and
    /// fsynced. `path` is the last file, `messages` the count over all files. Destroying the Engine
    /// also closes the file (flushed and fsynced), without this signal; a file with deferCreate
    /// (CaptureWriterOptions) that got no message is then not created at all.
    void recordingStopped(const QString &path, quint64 messages);
    /// Could not open the file, or a write failed (the recording has then stopped; no
    /// recordingStopped follows). The message names the path and the reason.
    void recordingFailed(const QString &error);

private:
    friend class EngineWorker;
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace zmqscope

Q_DECLARE_METATYPE(zmqscope::EngineEvent)
Q_DECLARE_METATYPE(zmqscope::SocketState)
Q_DECLARE_METATYPE(zmqscope::SocketInfo)
Q_DECLARE_METATYPE(zmqscope::SendResult)
Q_DECLARE_METATYPE(zmqscope::SendCallback)
