#include <zmqscope/messagestore.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <new>
#include <shared_mutex>

#ifdef __linux__
#include <sys/mman.h>
#endif
#include <vector>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// The arena layout of one message: frameCount little 32-bit sizes, then the frame bytes back to back.
using FrameSize = std::uint32_t;
constexpr std::uint64_t MaxFrameSize = 0xffffffffu;
constexpr std::uint64_t MinChunkBytes = 64 * 1024;
constexpr std::uint64_t MaxChunkBytes = std::uint64_t { 1 } << 30;
// Chunks are at most this many per limit, so eviction drops about 1/16 of what is kept at a time.
constexpr std::uint64_t ChunksPerLimit = 16;

/// The fixed-size record of one message (32 bytes); no pointers, so chunks can move.
struct Record
{
    std::int64_t timestampUs;
    std::uint64_t totalBytes;
    std::uint32_t chunk; ///< chunk number, modulo 2^32 (only differences to the first chunk matter)
    std::uint32_t offset; ///< where the message starts in its chunk
    // The direction shares a word with the frame count: 8 bytes less per message, a seventh of the
    // store's overhead (a message of 2^31 frames would need far more memory than any limit allows).
    std::uint32_t frames : 31;
    std::uint32_t outgoing : 1;
    SocketId socket;

    [[nodiscard]] std::uint32_t frameCount() const { return frames; }
    [[nodiscard]] Direction direction() const { return outgoing ? Direction::Out : Direction::In; }
};
static_assert(sizeof(Record) <= 32);
constexpr std::uint64_t MaxFrameCount = 0x7fffffffu;

/**
 * A deque of records in fixed blocks: push at the back, pop whole runs at the
 * front (what eviction of a chunk does), index in O(1). std::deque would
 * allocate a node per 512 bytes; this keeps allocations rare and counted.
 */
class RecordQueue
{
public:
    static constexpr std::size_t BlockSize = 8192;

    [[nodiscard]] std::size_t size() const { return m_size; }

    const Record &operator[](std::size_t index) const
    {
        const std::size_t position = m_head + index;
        return m_blocks[position / BlockSize][position % BlockSize];
    }

    void push(const Record &record)
    {
        const std::size_t position = m_head + m_size;
        if (position / BlockSize == m_blocks.size())
            m_blocks.push_back(std::make_unique_for_overwrite<Record[]>(BlockSize));
        m_blocks[position / BlockSize][position % BlockSize] = record;
        ++m_size;
    }

    void popFront(std::size_t count)
    {
        count = std::min(count, m_size);
        m_head += count;
        m_size -= count;
        while (m_head >= BlockSize) {
            m_blocks.pop_front();
            m_head -= BlockSize;
        }
        if (m_size == 0 && !m_blocks.empty()) {
            // Keep one block for the next messages instead of freeing and allocating it again.
            while (m_blocks.size() > 1)
                m_blocks.pop_back();
            m_head = 0;
        }
    }

    void clear()
    {
        m_blocks.clear();
        m_head = 0;
        m_size = 0;
    }

    [[nodiscard]] std::uint64_t memoryInUse() const { return m_blocks.size() * BlockSize * sizeof(Record); }

private:
    std::deque<std::unique_ptr<Record[]>> m_blocks;
    std::size_t m_head = 0; ///< index of the first record in the first block
    std::size_t m_size = 0;
};

struct Chunk
{
    char *data = nullptr; // malloc'd so a closed chunk can shrink in place with realloc
    std::uint64_t capacity = 0;
    std::uint64_t used = 0;
    std::uint64_t records = 0;
    std::uint64_t frameBytes = 0;
    bool closed = false; ///< no more appends (full, or a dedicated chunk of one big message)
};

/**
 * Memory for a chunk, released with std::free. Chunks of 2 MiB or more are aligned to 2 MiB and
 * offered to the kernel for transparent huge pages: filling a chunk then takes one page fault per
 * 2 MiB instead of 512, which at flood rates is a good part of what storing a message costs.
 */
char *allocateChunk(std::size_t capacity)
{
#ifdef __linux__
    constexpr std::size_t HugePage = std::size_t { 2 } << 20;
    if (capacity >= HugePage) {
        void *data = nullptr;
        if (posix_memalign(&data, HugePage, capacity) != 0)
            return nullptr;
        madvise(data, capacity, MADV_HUGEPAGE); // advice only: without THP it is plain memory
        return static_cast<char *>(data);
    }
#endif
    return static_cast<char *>(std::malloc(capacity));
}

} // namespace

class MessageStorePrivate
{
public:
    explicit MessageStorePrivate(MessageStore::Limits l)
        : limits(l)
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

    /// `frames` is a Frames or a span of QByteArrayView: anything with size() of frames having data() and size().
    template<typename FrameList>
    void appendLocked(SocketId socket, Direction direction, std::int64_t timestampUs, const FrameList &frames);
    Chunk &chunkFor(std::uint64_t need);
    void closeChunk(Chunk &chunk);
    void evict();
    void dropFront();
    void freeChunks();

    /// The record of `seq`, or nullptr when it is not held.
    [[nodiscard]] const Record *find(std::uint64_t seq) const
    {
        if (seq < firstSeq || seq >= endSeq)
            return nullptr;
        return &records[std::size_t(seq - firstSeq)];
    }
    [[nodiscard]] const char *messageData(const Record &record) const
    {
        const std::uint32_t index = record.chunk - firstChunk; // modular: chunk numbers may wrap
        return chunks[index].data + record.offset;
    }

    mutable std::shared_mutex lock;
    MessageStore::Limits limits;
    std::deque<Chunk> chunks;
    std::uint32_t firstChunk = 0; ///< number of chunks.front()
    RecordQueue records;
    std::uint64_t firstSeq = 0;
    std::uint64_t endSeq = 0;
    std::uint64_t evicted = 0;
    std::uint64_t bytesKept = 0;
};

Chunk &MessageStorePrivate::chunkFor(std::uint64_t need)
{
    if (!chunks.empty()) {
        Chunk &current = chunks.back();
        if (!current.closed && current.used + need <= current.capacity && current.records < recordsPerChunk())
            return current;
        closeChunk(current);
    }
    // A message bigger than a chunk gets one of its own, so huge bodies never waste a chunk's tail.
    const std::uint64_t capacity = std::max<std::uint64_t>(std::max(need, chunkSize()), 1);
    if (capacity > std::uint64_t(std::numeric_limits<std::size_t>::max()))
        throw std::bad_alloc();
    Chunk chunk;
    chunk.data = allocateChunk(std::size_t(capacity));
    if (!chunk.data)
        throw std::bad_alloc();
    chunk.capacity = capacity;
    chunk.closed = need > chunkSize();
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
void MessageStorePrivate::appendLocked(
    SocketId socket, Direction direction, std::int64_t timestampUs, const FrameList &frames)
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
    const std::uint64_t need = frames.size() * sizeof(FrameSize) + total;
    Chunk &chunk = chunkFor(need);

    char *out = chunk.data + chunk.used;
    for (const auto &frame : frames) {
        const auto size = FrameSize(frame.size());
        std::memcpy(out, &size, sizeof size);
        out += sizeof size;
    }
    for (const auto &frame : frames) {
        if (frame.size() > 0)
            std::memcpy(out, frame.data(), std::size_t(frame.size()));
        out += frame.size();
    }

    Record record {};
    record.timestampUs = timestampUs;
    record.totalBytes = total;
    record.chunk = firstChunk + std::uint32_t(chunks.size() - 1);
    record.offset = std::uint32_t(chunk.used);
    record.frames = std::uint32_t(frames.size());
    record.socket = socket;
    record.outgoing = direction == Direction::Out ? 1 : 0;
    records.push(record);

    chunk.used += need;
    chunk.records += 1;
    chunk.frameBytes += total;
    bytesKept += total;
    ++endSeq;
    if (chunk.used == chunk.capacity)
        closeChunk(chunk);
}

void MessageStorePrivate::evict()
{
    // Whole chunks only, oldest first; the chunk holding the newest message always stays.
    while (chunks.size() > 1 && (endSeq - firstSeq > limits.maxMessages || bytesKept > limits.maxBytes))
        dropFront();
}

void MessageStorePrivate::dropFront()
{
    Chunk &chunk = chunks.front();
    records.popFront(std::size_t(chunk.records));
    firstSeq += chunk.records;
    evicted += chunk.records;
    bytesKept -= chunk.frameBytes;
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
    std::unique_lock guard(d->lock);
    d->limits = limits;
    if (!d->chunks.empty())
        d->closeChunk(d->chunks.back()); // new chunks follow the new sizes
    d->evict();
}

MessageStore::Limits MessageStore::limits() const
{
    std::shared_lock guard(d->lock);
    return d->limits;
}

std::uint64_t MessageStore::append(
    SocketId socket, Direction direction, std::int64_t timestampUs, const Frames &frames)
{
    std::unique_lock guard(d->lock);
    const std::uint64_t seq = d->endSeq;
    d->appendLocked(socket, direction, timestampUs, frames);
    d->evict();
    return seq;
}

std::uint64_t MessageStore::append(
    SocketId socket, Direction direction, std::int64_t timestampUs, std::span<const QByteArrayView> frames)
{
    std::unique_lock guard(d->lock);
    const std::uint64_t seq = d->endSeq;
    d->appendLocked(socket, direction, timestampUs, frames);
    d->evict();
    return seq;
}

std::uint64_t MessageStore::append(std::span<const NewMessage> messages)
{
    std::unique_lock guard(d->lock);
    const std::uint64_t first = d->endSeq;
    for (const NewMessage &message : messages) {
        d->appendLocked(message.socket, message.direction, message.timestampUs, message.frames);
        // Evicting inside the batch keeps a burst from holding more than the limits even briefly.
        d->evict();
    }
    return first;
}

std::uint64_t MessageStore::firstSeq() const
{
    std::shared_lock guard(d->lock);
    return d->firstSeq;
}

std::uint64_t MessageStore::endSeq() const
{
    std::shared_lock guard(d->lock);
    return d->endSeq;
}

MessageStore::Stats MessageStore::stats() const
{
    std::shared_lock guard(d->lock);
    Stats stats;
    stats.kept = d->endSeq - d->firstSeq;
    stats.evicted = d->evicted;
    stats.bytesKept = d->bytesKept;
    stats.memoryInUse = d->records.memoryInUse();
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
    const char *sizes = d->messageData(*record);
    const char *bytes = sizes + std::size_t(record->frameCount()) * sizeof(FrameSize);
    for (std::uint32_t i = 0; i < record->frameCount(); ++i) {
        FrameSize size = 0;
        std::memcpy(&size, sizes + i * sizeof(FrameSize), sizeof size);
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
    const char *sizes = d->messageData(*record);
    const char *bytes = sizes + std::size_t(count) * sizeof(FrameSize);
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

    // The DESIGN.md section 3 classification, as Envelope::parse() does it, from the sizes alone.
    if (count == 3) {
        out.kind = MessageKind::Envelope;
    } else if (count >= 4 && sizeOf(count - 4) == 0) {
        out.kind = MessageKind::RoutedEnvelope;
        out.requestFrameCount = int(count - 4);
        const char *p = bytes;
        for (std::uint32_t i = 0; i < count - 4; ++i) {
            const FrameSize size = sizeOf(i);
            out.routeFrames.append(QByteArray(p, qMin(qsizetype(size), cut)));
            p += size;
        }
        out.route = out.routeFrames.join('|');
    } else {
        out.kind = MessageKind::Raw;
        if (count > 0) {
            out.preview = head(0);
            out.bodyBytes = sizeOf(0);
        }
        return true;
    }
    out.id = head(count - 3);
    out.mimetype = head(count - 2);
    out.preview = head(count - 1);
    out.bodyBytes = sizeOf(count - 1);
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
        const std::uint64_t stop = std::min(end, d->endSeq);
        if (seq >= stop)
            return std::min(seq, d->endSeq);
        const std::uint64_t runEnd = std::min(stop, seq + RunMessages);
        std::uint64_t bytes = 0;
        for (; seq < runEnd && bytes < RunBytes; ++seq) {
            const Record &record = d->records[std::size_t(seq - d->firstSeq)];
            const char *sizes = d->messageData(record);
            const char *p = sizes + std::size_t(record.frameCount()) * sizeof(FrameSize);
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
    std::unique_lock guard(d->lock);
    d->freeChunks();
    d->records.clear();
    d->firstSeq = d->endSeq;
    d->evicted = 0;
    d->bytesKept = 0;
}

std::int64_t MessageStore::nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace zmqscope
