#pragma once

// Private to the store: the memory under MessageStore (DESIGN.md section 6). The fixed-size
// record, the arena chunk, the record queue and the Reserve that prepares memory ahead on its own
// thread. Included by messagestore.cpp only; header-only so the append path still inlines.

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

#include <zmqscope/store/messagestore.h>
#include <zmqscope/store/threadaffinity.h>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace zmqscope::storememory {

// The arena layout of one message: frameCount little 32-bit sizes, then the frame bytes back to back.
using FrameSize = std::uint32_t;
constexpr std::uint64_t MaxFrameSize = 0xffffffffu;
constexpr std::uint64_t MinChunkBytes = std::uint64_t { 64 } * 1024;
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
    // The direction and the peer flag share a word with the frame count: 8 bytes less per message, a
    // seventh of the store's overhead (a message of 2^29 frames would need far more memory than any
    // limit allows).
    std::uint32_t frames : 29; ///< frames in the arena, the peer's included
    std::uint32_t dir : 2; ///< Direction
    std::uint32_t hasPeer : 1; ///< the first frame in the arena is the tap's routing id (the peer)
    SocketId socket;

    /// The message's own frames, without the peer.
    [[nodiscard]] std::uint32_t frameCount() const { return frames - hasPeer; }
    [[nodiscard]] std::uint32_t storedFrames() const { return frames; }
    [[nodiscard]] Direction direction() const { return Direction(dir); }
};
static_assert(sizeof(Record) <= 32);
constexpr std::uint64_t MaxFrameCount = 0x1fffffffu - 1; // one left for the peer

/**
 * Memory for a chunk or a record block, released with std::free. Page-aligned, so it can be
 * prefaulted with one madvise. No transparent huge pages: tests/bench/page_bench shows them
 * cheaper only for memory the process had freed moments before (172 MiB ready in 25 ms against
 * 330 ms with 4 KiB pages); memory new to the process cost the same 350 ms either way, tap_bench
 * showed no difference, and a huge page's fault may stall on compacting memory.
 */
inline char *allocateBlock(std::size_t capacity)
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

/// Who faults memory in: the appending thread, which must not stall long, or the reserve's own thread.
enum class FaultBy
{
    Appender,
    Reserve,
};

/**
 * Faults the first `size` bytes of `data` in now, so that filling them later costs little.
 *
 * MADV_POPULATE_WRITE maps every page in one system call instead of a fault a page. But on the
 * paravirtualised VMs this is developed on, a populated page still costs about 7 µs on its first
 * write from user space: tests/bench/page_bench fills populated memory with 170-byte records at
 * 280-305 ns a record, and memory written before at 8. In a tap's engine thread that was most of
 * the store's copy. So the reserve's thread also writes one byte a page, taking that cost itself
 * (elsewhere the writes only touch pages already mapped). The appending thread only populates:
 * writing every page of a 4 MiB chunk would stall it for milliseconds at once, where the first
 * writes' cost spreads over the messages that fill the pages. Kernels before 5.14 lack
 * MADV_POPULATE_WRITE; then both write one byte a page, which faults the pages in.
 */
inline void prefault(char *data, std::size_t size, FaultBy by)
{
    constexpr std::size_t Page = 4096;
    bool populated = false;
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    const auto begin = (reinterpret_cast<std::uintptr_t>(data) + Page - 1) & ~std::uintptr_t(Page - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(data) + size) & ~std::uintptr_t(Page - 1);
    // madvise takes a page-aligned address, computed as an integer: there is no pointer to optimise.
    void *const first = reinterpret_cast<void *>(begin); // NOLINT(performance-no-int-to-ptr)
    populated = end <= begin || madvise(first, end - begin, MADV_POPULATE_WRITE) == 0;
#endif
    if (populated && by == FaultBy::Appender)
        return;
    volatile char *bytes = data; // the writes are the point: nothing may fold them away
    for (std::size_t offset = 0; offset < size; offset += Page)
        bytes[offset] = 0;
}

constexpr std::size_t RecordBlockSize = 8192; ///< records per block
constexpr std::size_t RecordBlockBytes = RecordBlockSize * sizeof(Record);
/// Chunks at least this big are prepared ahead on the reserve's thread; smaller ones cost little to fault in.
constexpr std::uint64_t PrepareAheadBytes = std::uint64_t { 256 } * 1024;

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
    /**
     * Asks the thread to get a chunk of `capacity` bytes ready unless one is ready or on its way, with
     * its first `faultBytes` faulted in (the part the appender expects to fill; the rest faults in if
     * it is used after all).
     */
    void prepareChunk(std::uint64_t capacity, std::uint64_t faultBytes)
    {
        char *stale = nullptr;
        {
            std::lock_guard guard(m_mutex);
            if ((m_chunk && m_chunkBytes == capacity) || m_preparingChunk == capacity)
                return;
            stale = std::exchange(m_chunk, nullptr); // of a size the limits no longer use
            m_chunkBytes = 0;
            m_wantChunk = capacity;
            m_wantChunkFault = std::min(faultBytes, capacity);
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
                const std::uint64_t faultBytes = m_wantChunkFault;
                m_preparingChunk = capacity;
                guard.unlock();
                char *chunk = allocateBlock(std::size_t(capacity));
                if (chunk)
                    prefault(chunk, std::size_t(faultBytes), FaultBy::Reserve);
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
                    prefault(reinterpret_cast<char *>(block), RecordBlockBytes, FaultBy::Reserve);
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
    std::uint64_t m_wantChunkFault = 0; ///< how much of it to fault in
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

} // namespace zmqscope::storememory
