#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <zmqscope/envelope.h>
#include <zmqscope/error.h>

namespace zmqscope {

class MessageStorePrivate;

/// Identifies a socket inside one Engine (and its MessageStore); 0 is "no socket".
using SocketId = std::uint32_t;

/// Which way a message went: in on one of our sockets or out from it; or, for a tap (and a passive
/// capture), from the client to the server or back (the client is the side that connected).
enum class Direction : std::uint8_t
{
    In = 0,
    Out = 1,
    ClientToServer = 2,
    ServerToClient = 3,
};

/// "in", "out", "c2s" or "s2c", as in capture lines (DESIGN.md sections 8 and 12).
[[nodiscard]] QByteArrayView directionName(Direction direction);
/// A direction by its name in capture lines; std::nullopt for any other text.
[[nodiscard]] std::optional<Direction> parseDirection(QByteArrayView name);
/// Whether the message went through a tap (or was seen on the wire): c2s or s2c.
[[nodiscard]] constexpr bool isConversation(Direction direction)
{
    return direction == Direction::ClientToServer || direction == Direction::ServerToClient;
}

/// One stored message, copied out of the store.
struct StoredMessage
{
    std::uint64_t seq = 0; ///< position in the whole recording, counting evicted messages
    std::int64_t timestampUs = 0; ///< microseconds since the Unix epoch, UTC
    SocketId socket = 0;
    Direction direction = Direction::In;
    Frames frames;
    QByteArray peer; ///< the routing id a tap's ROUTER gave the client (hex in lines); empty otherwise
};

/// A cheap summary for the table: no body copy beyond the preview.
struct MessageSummary
{
    std::uint64_t seq = 0;
    std::int64_t timestampUs = 0;
    SocketId socket = 0;
    Direction direction = Direction::In;
    QByteArray peer; ///< as StoredMessage::peer (routing ids are short: not cut)
    int frameCount = 0;
    std::uint64_t totalBytes = 0; ///< all frames together
    MessageKind kind = MessageKind::Raw;
    int requestFrameCount = 0; ///< routing frames before the delimiter (routed envelopes)
    QByteArray route; ///< the request frames, first bytes of each (for the Route column), empty otherwise
                      ///< (each frame cut to previewBytes, joined with '|'; routeFrames has them apart)
    QByteArray id; ///< envelope id (cut to previewBytes)
    QByteArray mimetype; ///< envelope mimetype (cut to previewBytes)
    QByteArray preview; ///< first previewBytes of the body, or of the first frame for raw messages
    std::uint64_t bodyBytes = 0; ///< full body size (envelopes) or first-frame size (raw)
    Frames routeFrames; ///< the request frames one by one, each cut to previewBytes (routed envelopes)
};

/// One held message as views into the store's bytes, for MessageStore::visit(); valid only during the call.
struct MessageView
{
    std::uint64_t seq = 0;
    std::int64_t timestampUs = 0;
    SocketId socket = 0;
    Direction direction = Direction::In;
    std::span<const QByteArrayView> frames;
    QByteArrayView peer; ///< as StoredMessage::peer
};

/// A message waiting to be appended with MessageStore::append(std::span<const NewMessage>).
struct NewMessage
{
    SocketId socket = 0;
    Direction direction = Direction::In;
    std::int64_t timestampUs = 0;
    Frames frames;
    QByteArray peer {}; ///< as StoredMessage::peer; empty for none
};

/**
 * A compact, bounded, append-only store of messages (DESIGN.md section 6).
 *
 * Frame bytes live in large arena chunks; each message has one fixed-size
 * record (timestamp, socket, direction, where its frames are). There is no
 * per-message heap node. Retention is bounded by count and by bytes; the
 * oldest messages are evicted in whole chunks (a chunk closes after
 * maxMessages / 16 messages, so a count limit evicts in steps too). The chunk
 * holding the newest message is never evicted, even when it alone is over a
 * limit.
 *
 * Thread-safe: one thread (the engine) appends, any thread reads. The first
 * thread that appends owns appending until releaseWriterThread(); an append
 * from any other thread aborts the process, naming it (ThreadAffinity). Appending
 * into room already allocated takes no lock that readers wait for; the
 * exclusive lock is taken once per chunk or record block. A store that fills
 * chunks of 256 KiB or more has a thread of its own that prepares (allocates
 * and faults in) the next chunk and record block while the current ones fill,
 * so the appending thread takes no page faults; chunks and record blocks
 * freed by eviction are reused. Sequence numbers grow forever; valid ones
 * are [firstSeq(), endSeq()).
 */
class MessageStore
{
public:
    struct Limits
    {
        std::uint64_t maxMessages = 5'000'000;
        std::uint64_t maxBytes = std::uint64_t { 1 } << 30; // 1 GiB
        /// Size of one arena chunk, the unit of eviction. A message bigger than this gets a chunk of
        /// its own. The store uses smaller chunks when maxBytes is small (maxBytes / 16, at least 64 KiB).
        std::uint64_t chunkBytes = std::uint64_t { 4 } << 20; // 4 MiB
    };
    struct Stats
    {
        std::uint64_t kept = 0; ///< messages held now
        std::uint64_t evicted = 0; ///< messages dropped by retention since the last clear
        std::uint64_t bytesKept = 0; ///< frame bytes held now
        /// Arena chunks plus records, what the store allocated, including the chunk and record block it
        /// keeps ready for the next messages (prepared ahead, or given back by eviction).
        std::uint64_t memoryInUse = 0;
    };

    MessageStore();
    explicit MessageStore(Limits limits);
    ~MessageStore();
    MessageStore(const MessageStore &) = delete;
    MessageStore &operator=(const MessageStore &) = delete;

    void setLimits(Limits limits);
    [[nodiscard]] Limits limits() const;

    /// Appends one message; returns its sequence number. May evict the oldest chunk(s).
    /// Throws Error (InvalidBody) for a frame of 4 GiB or more, which the store cannot index.
    std::uint64_t append(
        SocketId socket, Direction direction, std::int64_t timestampUs, const Frames &frames);
    /**
     * Appends messages in order under one lock (the engine appends each batch
     * it received this way); returns the sequence number of the first one,
     * endSeq() when `messages` is empty.
     */
    std::uint64_t append(std::span<const NewMessage> messages);
    /**
     * Appends one message given as views of its frames (copied once, straight
     * into the store; the engine's receive path uses this to skip building
     * QByteArrays); returns its sequence number. Throws like append(Frames).
     */
    std::uint64_t append(SocketId socket, Direction direction, std::int64_t timestampUs,
        std::span<const QByteArrayView> frames, QByteArrayView peer = {});

    /// The thread that appended so far appends no more (an Engine's thread ending, a loader done): the
    /// next append, from any thread, becomes the writer.
    void releaseWriterThread();

    [[nodiscard]] std::uint64_t firstSeq() const;
    [[nodiscard]] std::uint64_t endSeq() const;
    [[nodiscard]] std::uint64_t size() const { return endSeq() - firstSeq(); }
    [[nodiscard]] Stats stats() const;

    /// Copies a message out; false when seq is evicted or not yet written.
    bool message(std::uint64_t seq, StoredMessage &out) const;
    /// Summarises a message for the table without copying its body; false when seq is not held.
    bool summary(std::uint64_t seq, MessageSummary &out, int previewBytes = 256) const;
    /**
     * Calls `visitor` for each held message in [begin, end), oldest first,
     * with its frames as views into the store (no copy), for scans such as
     * the Messages filter. The read lock is held for a short run of messages
     * at a time, never for the whole range, so appending is not held up; the
     * views are valid only inside the call, and the visitor must not call
     * the store. Messages evicted meanwhile are skipped. Stops when the
     * visitor returns false. Returns the sequence number after the last
     * message visited (at most endSeq()).
     */
    std::uint64_t visit(std::uint64_t begin, std::uint64_t end,
        const std::function<bool(const MessageView &)> &visitor) const;

    /// Drops every message (sequence numbers keep growing).
    void clear();

    /**
     * A reader that must see every message (the CLI printing to a slow stdout) says it still needs
     * every message from `seq` on: retention then evicts no chunk holding one. The store may go over
     * its limits meanwhile; its writer asks waitsForReader() after each batch and stops appending
     * (the engine stops receiving: messages wait in libzmq's queue) until the reader moves the hold
     * on. Moving it evicts what is then over the limits. One reader holds at a time.
     */
    void holdFrom(std::uint64_t seq);
    /// Ends the hold: retention evicts as before (at once, when the store is over its limits).
    void releaseHold();
    /// Whether the store is over its limits because of the hold: the writer should wait for the reader.
    [[nodiscard]] bool waitsForReader() const;

    /// Current time in microseconds since the epoch, the clock the engine stamps messages with.
    [[nodiscard]] static std::int64_t nowUs();

private:
    std::unique_ptr<MessageStorePrivate> d;
};

} // namespace zmqscope
