#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <zmqscope/capture/passivedecoder.h>
#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/error.h>

namespace zmqscope {

/// What may wait for the engine thread before a Sniffer's thread stops reading.
struct SnifferLimits
{
    std::size_t maxWaitingItems = std::size_t { 256 } * 1024;
    std::uint64_t maxWaitingBytes = 256ull << 20; ///< of the waiting records' frames
};

/**
 * One live capture on a thread of its own (zmqscope-sniff): libpcap's reads block (up to the
 * source's bufferMs), so they never run on the engine thread. The thread decodes the packets
 * (PassiveDecoder) and hands what it found to the engine thread in batches: it calls `wake` when a
 * batch begins to wait and none was announced since the last take(), so a flood costs one queued
 * event per batch, never one per packet. Memory stays bounded: while a full batch waits for the engine
 * thread, the thread stops reading and the kernel's buffer takes the packets (what it cannot hold is
 * dropped there and counted: SniffInfo::dropped).
 */
class Sniffer
{
public:
    /// A record, or a connection that was found or changed, in the order the decoder gave them.
    struct Item
    {
        std::optional<CaptureRecord> record;
        std::optional<WireConnection> connection;
    };
    struct Batch
    {
        std::vector<Item> items;
        std::uint64_t packets = 0;
        std::uint64_t dropped = 0;
        PassiveDecoder::Stats stats;
        bool ended = false; ///< the thread has stopped (interrupted, or libpcap failed: `error`)
        std::optional<Error> error;
    };

    /// Opens the interface (the error is PcapSource's one line, with the fix for a missing right) and
    /// starts the thread.
    [[nodiscard]] static Result<std::unique_ptr<Sniffer>> start(
        const PcapSource::LiveOptions &options, std::function<void()> wake, SnifferLimits limits = {});
    ~Sniffer(); ///< stop()
    Sniffer(const Sniffer &) = delete;
    Sniffer &operator=(const Sniffer &) = delete;

    /// What waits since the last take() (any thread).
    [[nodiscard]] Batch take();
    /// Interrupts libpcap and joins the thread (it ends within the source's bufferMs).
    void stop();
    [[nodiscard]] QString linkTypeName() const { return m_linkType; }

private:
    Sniffer(std::unique_ptr<PcapSource> source, std::function<void()> wake, SnifferLimits limits);
    /// Whether the waiting batch is at a limit (m_mutex held).
    [[nodiscard]] bool full() const;
    void run();
    /// Announces the waiting batch unless one is announced already.
    void wakeOwner();

    std::unique_ptr<PcapSource> m_source;
    std::function<void()> m_wake;
    SnifferLimits m_limits;
    QString m_linkType;
    std::mutex m_mutex;
    Batch m_batch; // guarded by m_mutex
    std::uint64_t m_batchBytes = 0; // guarded by m_mutex: the frames' bytes in m_batch
    std::condition_variable m_taken; // take() emptied m_batch, or stop() was asked
    bool m_stopping = false; // guarded by m_mutex
    bool m_announced = false; // guarded by m_mutex: wake() was called and take() has not run since
    std::thread m_thread;
};

} // namespace zmqscope
