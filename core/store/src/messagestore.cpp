#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <system_error>
#include <thread>
#include <utility>

#include <zmqscope/store/messagestore.h>
#include <zmqscope/store/threadaffinity.h>

#include "storememory_p.h"

#ifdef __linux__
#include <sys/mman.h>
#endif
#include <vector>

using namespace Qt::StringLiterals;

namespace zmqscope {

using namespace storememory;

class MessageStorePrivate
{
public:
    explicit MessageStorePrivate(MessageStore::Limits l)
        : limits(l)
        , maxChunkRecords(recordsPerChunk())
    { }
    ~MessageStorePrivate() { freeChunks(); }

    [[nodiscard]] std::uint64_t chunkSize() const
    {
        const std::uint64_t wanted = std::max(limits.maxBytes / ChunksPerLimit, MinChunkBytes);
        // Record offsets are 32-bit, so a shared chunk stays below 4 GiB whatever chunkBytes says.
        const std::uint64_t largest = std::clamp<std::uint64_t>(limits.chunkBytes, 1, MaxChunkBytes);
        return std::min(wanted, largest);
    }
    [[nodiscard]] std::uint64_t recordsPerChunk() const
    {
        return std::max<std::uint64_t>(limits.maxMessages / ChunksPerLimit, 1);
    }

    /**
     * Appends one message; the caller holds `writer`. `frames` is a Frames or a span of QByteArrayView:
     * anything with size() of frames having data() and size(). Takes the exclusive lock only when the
     * message needs a new chunk or record block, or evicts.
     */
    template<typename FrameList>
    void appendOne(SocketId socket, Direction direction, std::int64_t timestampUs, const FrameList &frames,
        QByteArrayView peer);
    /// Writes a message into room chunkFor() and RecordQueue::grow() made, and publishes it (endSeq).
    template<typename FrameList>
    void write(Chunk &chunk, std::uint64_t need, std::uint64_t total, SocketId socket, Direction direction,
        std::int64_t timestampUs, const FrameList &frames, QByteArrayView peer);
    [[nodiscard]] bool fits(const Chunk &chunk, std::uint64_t need) const
    {
        return !chunk.closed && chunk.used + need <= chunk.capacity && chunk.records < maxChunkRecords;
    }
    /**
     * How much of the next chunk messages like the ones in `chunk` will fill: all of it when bytes
     * fill chunks, less when the record cap (maxChunkRecords) closes them first, with a half more for
     * larger messages. The reserve faults in only that much.
     */
    [[nodiscard]] std::uint64_t expectedFill(const Chunk &chunk) const
    {
        if (chunk.records == 0)
            return chunk.capacity;
        const double perRecord = double(chunk.used) / double(chunk.records);
        const double fill = 1.5 * perRecord * double(maxChunkRecords);
        return fill >= double(chunk.capacity) ? chunk.capacity : std::uint64_t(fill);
    }
    [[nodiscard]] bool overLimits() const
    {
        return chunks.size() > 1
            && (endSeq.load(std::memory_order_relaxed) - firstSeq > limits.maxMessages
                || bytesKept.load(std::memory_order_relaxed) > limits.maxBytes);
    }
    Chunk &chunkFor(std::uint64_t need);
    void closeChunk(Chunk &chunk);
    void evict();
    void dropFront();
    void freeChunks();

    /// The record of `seq`, or nullptr when it is not held.
    [[nodiscard]] const Record *find(std::uint64_t seq) const
    {
        if (seq < firstSeq || seq >= endSeq.load(std::memory_order_acquire))
            return nullptr;
        return &records[std::size_t(seq - firstSeq)];
    }
    [[nodiscard]] const char *messageData(const Record &record) const
    {
        const std::uint32_t index = record.chunk - firstChunk; // modular: chunk numbers may wrap
        return chunks[index].data + record.offset;
    }

    /*
     * Single writer, many readers. Every change holds `writer` (readers never take it). Appending a
     * message into room already allocated changes nothing a reader looks at until endSeq moves, so it
     * takes no other lock: the bytes and the record are written, then endSeq is stored with release
     * order, and a reader that loads it with acquire order (under the shared lock) sees them complete.
     * Everything that changes the layout readers walk (chunks, record blocks, firstSeq, limits) holds
     * `lock` exclusively as well; readers hold it shared. So a flood takes the exclusive lock once per
     * chunk or record block, not once per message, and the GUI's reads never hold up the engine.
     */
    std::mutex writer;
    /// Appends come from one thread (the engine's): the reserve thread prepares memory for that one.
    ThreadAffinity writerThread { "the store's writer thread (the first that appended)" };
    mutable std::shared_mutex lock;
    MessageStore::Limits limits;
    std::uint64_t maxChunkRecords; ///< recordsPerChunk() for the current limits (read per append)
    Reserve reserve; // before records and chunks: they give memory back to it
    std::deque<Chunk> chunks;
    std::uint32_t firstChunk = 0; ///< number of chunks.front()
    RecordQueue records { reserve };
    std::uint64_t firstSeq = 0;
    std::atomic<std::uint64_t> endSeq { 0 };
    std::uint64_t evicted = 0;
    std::atomic<std::uint64_t> bytesKept { 0 }; ///< changed by the writer alone; atomic for stats()
    /// Messages from this seq on are kept whatever the limits (MessageStore::holdFrom()); max when none.
    /// Changed under `writer` and `lock`; atomic so that waitsForReader() needs no lock without a hold.
    std::atomic<std::uint64_t> holdSeq { std::numeric_limits<std::uint64_t>::max() };
};

Chunk &MessageStorePrivate::chunkFor(std::uint64_t need)
{
    if (!chunks.empty()) {
        Chunk &current = chunks.back();
        if (fits(current, need))
            return current;
        closeChunk(current);
    }
    // A message bigger than a chunk gets one of its own, so huge bodies never waste a chunk's tail.
    const std::uint64_t standard = chunkSize();
    const bool dedicated = need > standard;
    const std::uint64_t capacity = std::max<std::uint64_t>(std::max(need, standard), 1);
    if (capacity > std::uint64_t(std::numeric_limits<std::size_t>::max()))
        throw std::bad_alloc();
    const bool large = !dedicated && capacity >= PrepareAheadBytes;
    Chunk chunk;
    chunk.data = dedicated ? nullptr : reserve.takeChunk(capacity);
    if (!chunk.data) {
        chunk.data = allocateBlock(std::size_t(capacity));
        if (!chunk.data)
            throw std::bad_alloc();
        // One system call instead of a page fault every 4 KiB while the chunk fills.
        if (large)
            prefault(chunk.data, std::size_t(capacity), FaultBy::Appender);
    }
    chunk.capacity = capacity;
    chunk.closed = dedicated;
    if (large && limits.maxBytes > capacity) {
        // Half way through this chunk (by bytes or by records), the reserve's thread gets the next one ready.
        chunk.prepareAt = capacity / 2;
        chunk.prepareAtRecords = recordsPerChunk() / 2;
    }
    chunks.push_back(chunk);
    return chunks.back();
}

void MessageStorePrivate::closeChunk(Chunk &chunk)
{
    if (chunk.closed)
        return;
    chunk.closed = true;
    // Give back a large unused tail (a chunk closed early by the record cap or a big message).
    if (chunk.used > 0 && chunk.capacity - chunk.used > chunk.capacity / 4) {
        if (auto *smaller = static_cast<char *>(std::realloc(chunk.data, std::size_t(chunk.used)))) {
            chunk.data = smaller;
            chunk.capacity = chunk.used;
        }
    }
}

template<typename FrameList>
void MessageStorePrivate::appendOne(SocketId socket, Direction direction, std::int64_t timestampUs,
    const FrameList &frames, QByteArrayView peer)
{
    if (std::uint64_t(frames.size()) > MaxFrameCount)
        throw Error(ErrorCode::InvalidBody,
            u"cannot store a message of %1 frames: the message store holds at most %2"_s.arg(frames.size())
                .arg(MaxFrameCount));
    std::uint64_t total = 0;
    for (const auto &frame : frames) {
        if (std::uint64_t(frame.size()) > MaxFrameSize)
            throw Error(ErrorCode::InvalidBody,
                u"cannot store a frame of %1 bytes: the message store holds frames below 4 GiB"_s.arg(
                    frame.size()));
        total += std::uint64_t(frame.size());
    }
    if (std::uint64_t(peer.size()) > MaxFrameSize)
        throw Error(ErrorCode::InvalidBody, u"cannot store a peer routing id of %1 bytes"_s.arg(peer.size()));
    // The peer, when there is one, is kept as a first frame of the arena (Record::hasPeer).
    const std::uint64_t need = (std::uint64_t(frames.size()) + (peer.isEmpty() ? 0 : 1)) * sizeof(FrameSize)
        + total + std::uint64_t(peer.size());
    if (!chunks.empty() && fits(chunks.back(), need) && records.hasRoom()) {
        write(chunks.back(), need, total, socket, direction, timestampUs, frames, peer);
    } else {
        std::unique_lock exclusive(lock);
        Chunk &chunk = chunkFor(need);
        if (!records.hasRoom())
            records.grow();
        write(chunk, need, total, socket, direction, timestampUs, frames, peer);
    }
    if (overLimits()) {
        std::unique_lock exclusive(lock);
        evict();
    }
}

template<typename FrameList>
void MessageStorePrivate::write(Chunk &chunk, std::uint64_t need, std::uint64_t total, SocketId socket,
    Direction direction, std::int64_t timestampUs, const FrameList &frames, QByteArrayView peer)
{
    char *out = chunk.data + chunk.used;
    const bool hasPeer = !peer.isEmpty();
    if (hasPeer) {
        const auto size = FrameSize(peer.size());
        std::memcpy(out, &size, sizeof size);
        out += sizeof size;
    }
    for (const auto &frame : frames) {
        const auto size = FrameSize(frame.size());
        std::memcpy(out, &size, sizeof size);
        out += sizeof size;
    }
    if (hasPeer) {
        std::memcpy(out, peer.data(), std::size_t(peer.size()));
        out += peer.size();
    }
    for (const auto &frame : frames) {
        if (frame.size() > 0)
            std::memcpy(out, frame.data(), std::size_t(frame.size()));
        out += frame.size();
    }

    Record &record = records.push(limits.maxMessages);
    record.timestampUs = timestampUs;
    record.totalBytes = total;
    record.chunk = firstChunk + std::uint32_t(chunks.size() - 1);
    record.offset = std::uint32_t(chunk.used);
    record.frames = std::uint32_t(frames.size()) + (hasPeer ? 1 : 0);
    record.dir = std::uint32_t(direction);
    record.hasPeer = hasPeer ? 1 : 0;
    record.socket = socket;

    const std::uint64_t kept = total + std::uint64_t(peer.size());
    chunk.used += need;
    chunk.records += 1;
    chunk.frameBytes += kept;
    bytesKept.store(bytesKept.load(std::memory_order_relaxed) + kept, std::memory_order_relaxed);
    // Publishes the message: readers load endSeq with acquire order before they read a record.
    endSeq.store(endSeq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    if (chunk.prepareAt != 0 && (chunk.used > chunk.prepareAt || chunk.records > chunk.prepareAtRecords)) {
        chunk.prepareAt = 0;
        reserve.prepareChunk(chunk.capacity, expectedFill(chunk));
    }
    if (chunk.used == chunk.capacity)
        chunk.closed = true; // full: nothing to give back, so no closeChunk() and no lock needed
}

void MessageStorePrivate::evict()
{
    // Whole chunks only, oldest first; the chunk holding the newest message always stays, and so does
    // any chunk holding a message the reader still needs (MessageStore::holdFrom()).
    const std::uint64_t hold = holdSeq.load(std::memory_order_relaxed);
    while (overLimits() && firstSeq + chunks.front().records <= hold)
        dropFront();
}

void MessageStorePrivate::dropFront()
{
    Chunk &chunk = chunks.front();
    records.popFront(std::size_t(chunk.records));
    firstSeq += chunk.records;
    evicted += chunk.records;
    bytesKept -= chunk.frameBytes;
    // A chunk of the standard size is kept for the next one: it is already faulted in.
    if (chunk.capacity != chunkSize() || !reserve.giveChunk(chunk.data, chunk.capacity))
        std::free(chunk.data);
    chunks.pop_front();
    ++firstChunk;
}

void MessageStorePrivate::freeChunks()
{
    for (Chunk &chunk : chunks)
        std::free(chunk.data);
    firstChunk += std::uint32_t(chunks.size());
    chunks.clear();
}

// ---------------------------------------------------------------- MessageStore

MessageStore::MessageStore()
    : MessageStore(Limits {})
{ }

MessageStore::MessageStore(Limits limits)
    : d(std::make_unique<MessageStorePrivate>(limits))
{ }

MessageStore::~MessageStore() = default;

void MessageStore::setLimits(Limits limits)
{
    std::lock_guard writer(d->writer);
    std::unique_lock guard(d->lock);
    const std::uint64_t oldChunkSize = d->chunkSize();
    d->limits = limits;
    d->maxChunkRecords = d->recordsPerChunk();
    if (d->chunkSize() != oldChunkSize)
        d->reserve.clear(); // a chunk kept ready has the old size
    if (!d->chunks.empty())
        d->closeChunk(d->chunks.back()); // new chunks follow the new sizes
    d->evict();
}

QByteArrayView directionName(Direction direction)
{
    switch (direction) {
    case Direction::In:
        return "in";
    case Direction::Out:
        return "out";
    case Direction::ClientToServer:
        return "c2s";
    case Direction::ServerToClient:
        return "s2c";
    }
    return "in";
}

std::optional<Direction> parseDirection(QByteArrayView name)
{
    for (const Direction direction :
        { Direction::In, Direction::Out, Direction::ClientToServer, Direction::ServerToClient }) {
        if (name == directionName(direction))
            return direction;
    }
    return std::nullopt;
}

MessageStore::Limits MessageStore::limits() const
{
    std::shared_lock guard(d->lock);
    return d->limits;
}

std::uint64_t MessageStore::append(
    SocketId socket, Direction direction, std::int64_t timestampUs, const Frames &frames)
{
    d->writerThread.check();
    std::lock_guard writer(d->writer);
    const std::uint64_t seq = d->endSeq.load(std::memory_order_relaxed);
    d->appendOne(socket, direction, timestampUs, frames, {});
    return seq;
}

std::uint64_t MessageStore::append(SocketId socket, Direction direction, std::int64_t timestampUs,
    std::span<const QByteArrayView> frames, QByteArrayView peer)
{
    d->writerThread.check();
    std::lock_guard writer(d->writer);
    const std::uint64_t seq = d->endSeq.load(std::memory_order_relaxed);
    d->appendOne(socket, direction, timestampUs, frames, peer);
    return seq;
}

std::uint64_t MessageStore::append(std::span<const NewMessage> messages)
{
    d->writerThread.check();
    std::lock_guard writer(d->writer);
    const std::uint64_t first = d->endSeq.load(std::memory_order_relaxed);
    // Each message evicts as it goes: a burst never holds more than the limits, even briefly.
    for (const NewMessage &message : messages)
        d->appendOne(message.socket, message.direction, message.timestampUs, message.frames, message.peer);
    return first;
}

void MessageStore::holdFrom(std::uint64_t seq)
{
    std::lock_guard writer(d->writer);
    std::unique_lock exclusive(d->lock);
    d->holdSeq.store(seq, std::memory_order_relaxed);
    d->evict();
}

void MessageStore::releaseHold()
{
    holdFrom(std::numeric_limits<std::uint64_t>::max());
}

bool MessageStore::waitsForReader() const
{
    if (d->holdSeq.load(std::memory_order_relaxed) == std::numeric_limits<std::uint64_t>::max())
        return false;
    std::shared_lock guard(d->lock);
    // evict() ran after the last append: what is still over the limits is held for the reader.
    return d->overLimits();
}

void MessageStore::releaseWriterThread()
{
    d->writerThread.release();
}

std::uint64_t MessageStore::firstSeq() const
{
    std::shared_lock guard(d->lock);
    return d->firstSeq;
}

std::uint64_t MessageStore::endSeq() const
{
    return d->endSeq.load(std::memory_order_acquire);
}

MessageStore::Stats MessageStore::stats() const
{
    std::shared_lock guard(d->lock);
    Stats stats;
    stats.kept = d->endSeq.load(std::memory_order_acquire) - d->firstSeq;
    stats.evicted = d->evicted;
    stats.bytesKept = d->bytesKept.load(std::memory_order_relaxed);
    stats.memoryInUse = d->records.memoryInUse() + d->reserve.memoryInUse();
    for (const Chunk &chunk : d->chunks)
        stats.memoryInUse += chunk.capacity;
    return stats;
}

bool MessageStore::message(std::uint64_t seq, StoredMessage &out) const
{
    std::shared_lock guard(d->lock);
    const Record *record = d->find(seq);
    if (!record)
        return false;
    out.seq = seq;
    out.timestampUs = record->timestampUs;
    out.socket = record->socket;
    out.direction = record->direction();
    out.frames.clear();
    out.frames.reserve(record->frameCount());
    out.peer.clear();
    const char *sizes = d->messageData(*record);
    const char *bytes = sizes + std::size_t(record->storedFrames()) * sizeof(FrameSize);
    for (std::uint32_t i = 0; i < record->storedFrames(); ++i) {
        FrameSize size = 0;
        std::memcpy(&size, sizes + i * sizeof(FrameSize), sizeof size);
        if (i == 0 && record->hasPeer)
            out.peer = QByteArray(bytes, qsizetype(size));
        else
            out.frames.append(QByteArray(bytes, qsizetype(size)));
        bytes += size;
    }
    return true;
}

bool MessageStore::summary(std::uint64_t seq, MessageSummary &out, int previewBytes) const
{
    std::shared_lock guard(d->lock);
    const Record *record = d->find(seq);
    if (!record)
        return false;
    const qsizetype cut = qMax(0, previewBytes);
    const std::uint32_t count = record->frameCount();
    // Past the peer, when there is one: from here on index 0 is the message's first frame.
    const char *sizes = d->messageData(*record);
    const char *bytes = sizes + std::size_t(record->storedFrames()) * sizeof(FrameSize);
    out.peer.clear();
    if (record->hasPeer) {
        FrameSize peerSize = 0;
        std::memcpy(&peerSize, sizes, sizeof peerSize);
        out.peer = QByteArray(bytes, qsizetype(peerSize));
        sizes += sizeof(FrameSize);
        bytes += peerSize;
    }
    const auto sizeOf = [sizes](std::uint32_t index) {
        FrameSize size = 0;
        std::memcpy(&size, sizes + index * sizeof(FrameSize), sizeof size);
        return size;
    };
    // Walk to the frames we need without touching the bytes of the others.
    const auto frameAt = [&](std::uint32_t index) {
        const char *p = bytes;
        for (std::uint32_t i = 0; i < index; ++i)
            p += sizeOf(i);
        return p;
    };
    const auto head = [&](std::uint32_t index) {
        const FrameSize size = sizeOf(index);
        return QByteArray(frameAt(index), qMin(qsizetype(size), cut));
    };

    out.seq = seq;
    out.timestampUs = record->timestampUs;
    out.socket = record->socket;
    out.direction = record->direction();
    out.frameCount = int(count);
    out.totalBytes = record->totalBytes;
    out.requestFrameCount = 0;
    out.route.clear();
    out.routeFrames.clear();
    out.id.clear();
    out.mimetype.clear();
    out.preview.clear();
    out.bodyBytes = 0;

    // The DESIGN.md section 3 classification (transport's one rule), from the sizes alone.
    const EnvelopeLayout layout
        = envelopeLayout(qsizetype(count), [&](qsizetype i) { return sizeOf(std::uint32_t(i)); });
    out.kind = layout.kind;
    if (layout.kind == MessageKind::Raw) {
        if (count > 0) {
            out.preview = head(0);
            out.bodyBytes = sizeOf(0);
        }
        return true;
    }
    out.requestFrameCount = int(layout.requestFrames);
    if (layout.requestFrames > 0) {
        const char *p = bytes;
        for (std::uint32_t i = 0; i < std::uint32_t(layout.requestFrames); ++i) {
            const FrameSize size = sizeOf(i);
            out.routeFrames.append(QByteArray(p, qMin(qsizetype(size), cut)));
            p += size;
        }
        out.route = out.routeFrames.join('|');
    }
    out.id = head(std::uint32_t(EnvelopeLayout::idIndex(count)));
    out.mimetype = head(std::uint32_t(EnvelopeLayout::mimetypeIndex(count)));
    out.preview = head(std::uint32_t(EnvelopeLayout::bodyIndex(count)));
    out.bodyBytes = sizeOf(std::uint32_t(EnvelopeLayout::bodyIndex(count)));
    return true;
}

std::uint64_t MessageStore::visit(
    std::uint64_t begin, std::uint64_t end, const std::function<bool(const MessageView &)> &visitor) const
{
    // The read lock is taken per run so the engine's appends wait at most one run (well under a millisecond).
    constexpr std::uint64_t RunMessages = 4096;
    constexpr std::uint64_t RunBytes = 1 << 20;
    // Reused: visiting allocates only for the message with the most frames.
    std::vector<QByteArrayView> frames;
    MessageView view;
    std::uint64_t seq = begin;
    while (true) {
        std::shared_lock guard(d->lock);
        seq = std::max(seq, d->firstSeq);
        const std::uint64_t endSeq = d->endSeq.load(std::memory_order_acquire);
        const std::uint64_t stop = std::min(end, endSeq);
        if (seq >= stop)
            return std::min(seq, endSeq);
        const std::uint64_t runEnd = std::min(stop, seq + RunMessages);
        std::uint64_t bytes = 0;
        for (; seq < runEnd && bytes < RunBytes; ++seq) {
            const Record &record = d->records[std::size_t(seq - d->firstSeq)];
            const char *sizes = d->messageData(record);
            const char *p = sizes + std::size_t(record.storedFrames()) * sizeof(FrameSize);
            view.peer = {};
            if (record.hasPeer) {
                FrameSize size = 0;
                std::memcpy(&size, sizes, sizeof size);
                view.peer = QByteArrayView(p, qsizetype(size));
                sizes += sizeof(FrameSize);
                p += size;
            }
            frames.resize(record.frameCount());
            for (std::uint32_t i = 0; i < record.frameCount(); ++i) {
                FrameSize size = 0;
                std::memcpy(&size, sizes + i * sizeof(FrameSize), sizeof size);
                frames[i] = QByteArrayView(p, qsizetype(size));
                p += size;
            }
            view.seq = seq;
            view.timestampUs = record.timestampUs;
            view.socket = record.socket;
            view.direction = record.direction();
            view.frames = frames;
            bytes += record.totalBytes;
            if (!visitor(view))
                return seq + 1;
        }
    }
}

void MessageStore::clear()
{
    std::lock_guard writer(d->writer);
    std::unique_lock guard(d->lock);
    d->freeChunks();
    d->records.clear();
    d->reserve.clear();
    d->firstSeq = d->endSeq.load(std::memory_order_relaxed);
    d->evicted = 0;
    d->bytesKept.store(0, std::memory_order_relaxed);
}

std::int64_t MessageStore::nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace zmqscope
