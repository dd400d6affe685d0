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
 * Memory for a chunk or a record block, released with std::free. Page-aligned, so it can be
 * prefaulted with one madvise. No transparent huge pages: on the virtual machines this runs on,
 * the first touch of a fresh huge page is slow and erratic (0.3 to 6 GB/s, the host backs it page
 * by page), while 4 KiB pages prefaulted in one call come steadily at 2 to 3.5 GB/s.
 */
char *allocateBlock(std::size_t capacity)
{
#if defined(__unix__) || defined(__APPLE__)
    constexpr std::size_t PageAlignment = 4096;
    if (capacity >= PageAlignment) {
        void *data = nullptr;
        if (posix_memalign(&data, PageAlignment, capacity) != 0)
            return nullptr;
        return static_cast<char *>(data);
    }
#endif
    // Elsewhere (MSVC has no posix_memalign, and _aligned_malloc would need _aligned_free where
    // everything here calls std::free) plain malloc: the alignment only serves the prefault on Linux.
    return static_cast<char *>(std::malloc(capacity));
}

/// Faults `data` in now, so that filling it takes no page fault later (one system call, not one fault a
/// page).
void prefault(char *data, std::size_t size)
{
    constexpr std::size_t Page = 4096;
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + Page - 1) & ~std::uintptr_t(Page - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + size) & ~std::uintptr_t(Page - 1);
    if (end <= begin || madvise(reinterpret_cast<void *>(begin), end - begin, MADV_POPULATE_WRITE) == 0)
        return;
#endif
    // Kernels before 5.14 lack MADV_POPULATE_WRITE: touch one byte a page instead.
    for (std::size_t offset = 0; offset < size; offset += Page)
        data[offset] = 0;
}

constexpr std::size_t RecordBlockSize = 8192; ///< records per block
constexpr std::size_t RecordBlockBytes = RecordBlockSize * sizeof(Record);
/// Chunks at least this big are prepared ahead on the reserve's thread; smaller ones cost little to fault in.
constexpr std::uint64_t PrepareAheadBytes = 256 * 1024;

/**
 * Memory kept ready for the appending thread: at most one arena chunk of the
 * standard size and one record block, each either given back by eviction
 * (already faulted in) or allocated and prefaulted on the reserve's own
 * thread while the current one fills. A flood then takes no page fault on the
 * engine thread, and a store that evicts as fast as it appends reuses the same
 * memory instead of returning it to the kernel and faulting it in again.
 * Everything it holds, or is preparing, counts as the store's memory in use.
 *
 * The hand-over is under m_mutex, which the thread never holds while it
 * allocates or prefaults: the memory it hands over is complete before the
 * mutex is released, and the appending thread sees it complete after taking it.
 */
class Reserve
{
public:
    Reserve() = default;
    Reserve(const Reserve &) = delete;
    Reserve &operator=(const Reserve &) = delete;
    ~Reserve()
    {
        {
            std::lock_guard guard(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
            m_thread.join();
        std::free(m_chunk);
        std::free(m_block);
    }

    /// A ready chunk of exactly `capacity` bytes, or nullptr (then the caller allocates one).
    char *takeChunk(std::uint64_t capacity)
    {
        char *stale = nullptr;
        char *chunk = nullptr;
        {
            std::lock_guard guard(m_mutex);
            if (m_chunk && m_chunkBytes == capacity)
                chunk = m_chunk;
            else
                stale = m_chunk; // the limits changed since: not the size wanted now
            m_chunk = nullptr;
            m_chunkBytes = 0;
        }
        std::free(stale);
        return chunk;
    }
    /// Keeps an evicted chunk for the next takeChunk(capacity); false when full (the caller frees it).
    bool giveChunk(char *chunk, std::uint64_t capacity)
    {
        std::lock_guard guard(m_mutex);
        if (m_chunk || m_preparingChunk > 0)
            return false;
        m_chunk = chunk;
        m_chunkBytes = capacity;
        return true;
    }
    /// Asks the thread to get a prefaulted chunk of `capacity` bytes ready unless one is ready or on its way.
    void prepareChunk(std::uint64_t capacity)
    {
        char *stale = nullptr;
        {
            std::lock_guard guard(m_mutex);
            if ((m_chunk && m_chunkBytes == capacity) || m_preparingChunk == capacity)
                return;
            stale = std::exchange(m_chunk, nullptr); // of a size the limits no longer use
            m_chunkBytes = 0;
            m_wantChunk = capacity;
            startLocked();
        }
        std::free(stale);
        m_wake.notify_one();
    }

    Record *takeBlock()
    {
        std::lock_guard guard(m_mutex);
        return std::exchange(m_block, nullptr);
    }
    bool giveBlock(Record *block)
    {
        std::lock_guard guard(m_mutex);
        if (m_block || m_preparingBlock)
            return false;
        m_block = block;
        return true;
    }
    void prepareBlock()
    {
        {
            std::lock_guard guard(m_mutex);
            if (m_block || m_preparingBlock)
                return;
            m_wantBlock = true;
            startLocked();
        }
        m_wake.notify_one();
    }

    /**
     * Frees what is ready and what is being prepared (MessageStore::clear() gives all memory back).
     * Waits for a preparation under way to end, a few milliseconds at most, so that the memory in use
     * is 0 when it returns.
     */
    void clear()
    {
        char *chunk = nullptr;
        Record *block = nullptr;
        {
            std::unique_lock guard(m_mutex);
            chunk = std::exchange(m_chunk, nullptr);
            block = std::exchange(m_block, nullptr);
            m_chunkBytes = 0;
            m_wantChunk = 0;
            m_wantBlock = false;
            ++m_generation; // what the thread is preparing now is freed when it is done
            m_idle.wait(guard, [this] { return m_preparingChunk == 0 && !m_preparingBlock; });
        }
        std::free(chunk);
        std::free(block);
    }

    /// Bytes held ready or being prepared.
    [[nodiscard]] std::uint64_t memoryInUse() const
    {
        std::lock_guard guard(m_mutex);
        std::uint64_t bytes = (m_chunk ? m_chunkBytes : 0) + m_preparingChunk;
        if (m_block)
            bytes += RecordBlockBytes;
        if (m_preparingBlock)
            bytes += RecordBlockBytes;
        return bytes;
    }

private:
    void startLocked()
    {
        // One thread a store, started when a store first grows big enough to want one.
        if (m_thread.joinable() || m_noThread)
            return;
        try {
            m_thread = std::thread([this] { run(); });
        } catch (const std::system_error &) {
            // No thread to be had: the appending thread allocates and prefaults chunks itself, as it
            // does whenever nothing is ready.
            m_noThread = true;
            return;
        }
        // Named apart from the engine thread it serves, so profilers and benchmarks tell them apart.
        setThreadName(m_thread, "zmqscope-store");
    }

    void run()
    {
        std::unique_lock guard(m_mutex);
        while (true) {
            m_wake.wait(guard,
                [this] { return m_stop || (m_wantChunk > 0 && !m_chunk) || (m_wantBlock && !m_block); });
            if (m_stop)
                return;
            const std::uint64_t generation = m_generation;
            if (m_wantChunk > 0 && !m_chunk) {
                const std::uint64_t capacity = std::exchange(m_wantChunk, 0);
                m_preparingChunk = capacity;
                guard.unlock();
                char *chunk = allocateBlock(std::size_t(capacity));
                if (chunk)
                    prefault(chunk, std::size_t(capacity));
                guard.lock();
                if (chunk && !m_chunk && generation == m_generation) {
                    m_chunk = std::exchange(chunk, nullptr);
                    m_chunkBytes = capacity;
                }
                // Not wanted any more (cleared meanwhile), or nullptr if the allocation failed.
                std::free(chunk);
                m_preparingChunk = 0;
                m_idle.notify_all();
            } else {
                m_wantBlock = false;
                m_preparingBlock = true;
                guard.unlock();
                auto *block = reinterpret_cast<Record *>(allocateBlock(RecordBlockBytes));
                if (block)
                    prefault(reinterpret_cast<char *>(block), RecordBlockBytes);
                guard.lock();
                if (block && !m_block && generation == m_generation)
                    m_block = std::exchange(block, nullptr);
                std::free(block);
                m_preparingBlock = false;
                m_idle.notify_all();
            }
        }
    }

    mutable std::mutex m_mutex;
    std::condition_variable m_wake; ///< the thread waits here for work
    std::condition_variable m_idle; ///< clear() waits here for a preparation to end
    std::thread m_thread;
    char *m_chunk = nullptr; ///< ready chunk (prefaulted or evicted), m_chunkBytes long
    std::uint64_t m_chunkBytes = 0;
    std::uint64_t m_wantChunk = 0; ///< size the thread should prepare, 0 for none
    std::uint64_t m_preparingChunk = 0; ///< size the thread is preparing now, 0 for none
    Record *m_block = nullptr; ///< ready record block
    bool m_wantBlock = false;
    bool m_preparingBlock = false;
    std::uint64_t m_generation = 0; ///< grows on clear(): what was being prepared before is not wanted
    bool m_stop = false;
    bool m_noThread = false; ///< starting the thread failed: never try again
};

/**
 * A deque of records in fixed blocks: push at the back, pop whole runs at the
 * front (what eviction of a chunk does), index in O(1). std::deque would
 * allocate a node per 512 bytes; this keeps allocations rare and counted, and
 * takes its blocks from (and gives them back to) the store's Reserve.
 */
class RecordQueue
{
public:
    static constexpr std::size_t BlockSize = RecordBlockSize;

    explicit RecordQueue(Reserve &reserve)
        : m_reserve(reserve)
    { }
    RecordQueue(const RecordQueue &) = delete;
    RecordQueue &operator=(const RecordQueue &) = delete;
    ~RecordQueue() { clear(); }

    [[nodiscard]] std::size_t size() const { return m_size; }

    const Record &operator[](std::size_t index) const
    {
        const std::size_t position = m_head + index;
        return m_blocks[position / BlockSize][position % BlockSize];
    }

    /// Whether push() has a free slot, so that it changes nothing readers look at.
    [[nodiscard]] bool hasRoom() const { return m_head + m_size < m_blocks.size() * BlockSize; }
    /// Adds a block at the back (a layout change: under the exclusive lock).
    void grow()
    {
        Record *block = m_reserve.takeBlock();
        if (!block)
            block = reinterpret_cast<Record *>(allocateBlock(RecordBlockBytes));
        if (!block)
            throw std::bad_alloc();
        m_blocks.push_back(block);
    }

    /**
     * Adds a record at the back and returns it for the caller to fill in place (no copy through the
     * stack). Needs hasRoom(). `maxRecords`: the count limit; the next block is prepared ahead only
     * when the limit allows one.
     */
    Record &push(std::uint64_t maxRecords)
    {
        const std::size_t position = m_head + m_size;
        const std::size_t slot = position % BlockSize;
        if (slot == BlockSize / 2 && capacity() < maxRecords)
            m_reserve.prepareBlock(); // half way through a block: get the next one ready meanwhile
        ++m_size;
        return m_blocks[position / BlockSize][slot];
    }

    void popFront(std::size_t count)
    {
        count = std::min(count, m_size);
        m_head += count;
        m_size -= count;
        while (m_head >= BlockSize) {
            release(m_blocks.front());
            m_blocks.pop_front();
            m_head -= BlockSize;
        }
        if (m_size == 0 && !m_blocks.empty()) {
            // Keep one block for the next messages instead of freeing and allocating it again.
            while (m_blocks.size() > 1) {
                release(m_blocks.back());
                m_blocks.pop_back();
            }
            m_head = 0;
        }
    }

    void clear()
    {
        for (Record *block : m_blocks)
            std::free(block);
        m_blocks.clear();
        m_head = 0;
        m_size = 0;
    }

    [[nodiscard]] std::uint64_t memoryInUse() const { return m_blocks.size() * RecordBlockBytes; }
    [[nodiscard]] std::uint64_t capacity() const { return m_blocks.size() * BlockSize; }

private:
    void release(Record *block)
    {
        if (!m_reserve.giveBlock(block))
            std::free(block);
    }

    Reserve &m_reserve;
    std::deque<Record *> m_blocks;
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
    std::uint64_t prepareAt = 0; ///< once used passes this, the next chunk is prepared (never when 0)
    std::uint64_t prepareAtRecords = 0; ///< or once records pass this
    bool closed = false; ///< no more appends (full, or a dedicated chunk of one big message)
};

} // namespace

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
    void appendOne(SocketId socket, Direction direction, std::int64_t timestampUs, const FrameList &frames);
    /// Writes a message into room chunkFor() and RecordQueue::grow() made, and publishes it (endSeq).
    template<typename FrameList>
    void write(Chunk &chunk, std::uint64_t need, std::uint64_t total, SocketId socket, Direction direction,
        std::int64_t timestampUs, const FrameList &frames);
    [[nodiscard]] bool fits(const Chunk &chunk, std::uint64_t need) const
    {
        return !chunk.closed && chunk.used + need <= chunk.capacity && chunk.records < maxChunkRecords;
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
            prefault(chunk.data, std::size_t(capacity));
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
void MessageStorePrivate::appendOne(
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
    if (!chunks.empty() && fits(chunks.back(), need) && records.hasRoom()) {
        write(chunks.back(), need, total, socket, direction, timestampUs, frames);
    } else {
        std::unique_lock exclusive(lock);
        Chunk &chunk = chunkFor(need);
        if (!records.hasRoom())
            records.grow();
        write(chunk, need, total, socket, direction, timestampUs, frames);
    }
    if (overLimits()) {
        std::unique_lock exclusive(lock);
        evict();
    }
}

template<typename FrameList>
void MessageStorePrivate::write(Chunk &chunk, std::uint64_t need, std::uint64_t total, SocketId socket,
    Direction direction, std::int64_t timestampUs, const FrameList &frames)
{
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

    Record &record = records.push(limits.maxMessages);
    record.timestampUs = timestampUs;
    record.totalBytes = total;
    record.chunk = firstChunk + std::uint32_t(chunks.size() - 1);
    record.offset = std::uint32_t(chunk.used);
    record.frames = std::uint32_t(frames.size());
    record.outgoing = direction == Direction::Out ? 1 : 0;
    record.socket = socket;

    chunk.used += need;
    chunk.records += 1;
    chunk.frameBytes += total;
    bytesKept.store(bytesKept.load(std::memory_order_relaxed) + total, std::memory_order_relaxed);
    // Publishes the message: readers load endSeq with acquire order before they read a record.
    endSeq.store(endSeq.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    if (chunk.prepareAt != 0 && (chunk.used > chunk.prepareAt || chunk.records > chunk.prepareAtRecords)) {
        chunk.prepareAt = 0;
        reserve.prepareChunk(chunk.capacity);
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
    d->appendOne(socket, direction, timestampUs, frames);
    return seq;
}

std::uint64_t MessageStore::append(
    SocketId socket, Direction direction, std::int64_t timestampUs, std::span<const QByteArrayView> frames)
{
    d->writerThread.check();
    std::lock_guard writer(d->writer);
    const std::uint64_t seq = d->endSeq.load(std::memory_order_relaxed);
    d->appendOne(socket, direction, timestampUs, frames);
    return seq;
}

std::uint64_t MessageStore::append(std::span<const NewMessage> messages)
{
    d->writerThread.check();
    std::lock_guard writer(d->writer);
    const std::uint64_t first = d->endSeq.load(std::memory_order_relaxed);
    // Each message evicts as it goes: a burst never holds more than the limits, even briefly.
    for (const NewMessage &message : messages)
        d->appendOne(message.socket, message.direction, message.timestampUs, message.frames);
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
