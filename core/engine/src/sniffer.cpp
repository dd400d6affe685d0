#include <chrono>

#include <zmqscope/store/threadaffinity.h>

#include "sniffer_p.h"

namespace zmqscope {

namespace {

// A busy interface's records reach the engine thread at least this often, and in batches of at most
// this many items: views see traffic within a frame or two, the engine's queue sees few events.
constexpr auto BatchInterval = std::chrono::milliseconds(20);
constexpr std::size_t BatchItems = 4096;

} // namespace

Result<std::unique_ptr<Sniffer>> Sniffer::start(
    const PcapSource::LiveOptions &options, std::function<void()> wake, SnifferLimits limits)
{
    auto opened = PcapSource::openLive(options);
    if (!opened)
        return opened.error();
    std::unique_ptr<Sniffer> sniffer(new Sniffer(std::move(*opened), std::move(wake), limits));
    sniffer->m_thread = std::thread([raw = sniffer.get()] { raw->run(); });
    setThreadName(sniffer->m_thread, "zmqscope-sniff");
    return sniffer;
}

Sniffer::Sniffer(std::unique_ptr<PcapSource> source, std::function<void()> wake, SnifferLimits limits)
    : m_source(std::move(source))
    , m_wake(std::move(wake))
    , m_limits(limits)
    , m_linkType(m_source->linkTypeName())
{ }

Sniffer::~Sniffer()
{
    stop();
}

void Sniffer::stop()
{
    if (!m_thread.joinable())
        return;
    {
        std::lock_guard locker(m_mutex);
        m_stopping = true;
    }
    m_taken.notify_all();
    m_source->interrupt();
    m_thread.join();
}

Sniffer::Batch Sniffer::take()
{
    std::lock_guard locker(m_mutex);
    Batch batch = std::move(m_batch);
    m_batch = Batch {};
    m_batch.packets = batch.packets;
    m_batch.dropped = batch.dropped;
    m_batch.stats = batch.stats;
    m_batchBytes = 0;
    m_announced = false;
    m_taken.notify_all();
    return batch;
}

bool Sniffer::full() const
{
    return m_batch.items.size() >= m_limits.maxWaitingItems || m_batchBytes >= m_limits.maxWaitingBytes;
}

void Sniffer::wakeOwner()
{
    {
        std::lock_guard locker(m_mutex);
        if (m_announced)
            return;
        m_announced = true;
    }
    m_wake();
}

void Sniffer::run()
{
    // Filled without the lock while decoding one packet, then moved into m_batch under it.
    std::vector<Item> found;
    PassiveDecoder::Handlers handlers;
    handlers.record = [&](const CaptureRecord &record) { found.push_back(Item { record, std::nullopt }); };
    handlers.connection = [&](const WireConnection &connection) {
        found.push_back(Item { std::nullopt, connection });
    };
    PassiveDecoder decoder(std::move(handlers));
    auto lastWake = std::chrono::steady_clock::now();
    const auto hand = [&](bool force, bool ended, std::optional<Error> error) {
        bool announce = false;
        bool atLimit = false;
        {
            std::lock_guard locker(m_mutex);
            for (Item &item : found) {
                if (item.record)
                    for (const QByteArray &frame : item.record->frames)
                        m_batchBytes += std::uint64_t(frame.size());
                m_batch.items.push_back(std::move(item));
            }
            found.clear();
            m_batch.packets = m_source->packetsRead();
            m_batch.stats = decoder.stats();
            m_batch.ended = ended;
            if (error)
                m_batch.error = std::move(error);
            const auto now = std::chrono::steady_clock::now();
            announce = force || m_batch.items.size() >= BatchItems
                || (!m_batch.items.empty() && now - lastWake >= BatchInterval);
            if (announce)
                lastWake = now;
            atLimit = full();
            if (announce || atLimit)
                m_batch.dropped = m_source->packetsDropped(); // a system call: per batch, not per packet
        }
        if (announce || atLimit)
            wakeOwner();
        if (atLimit) {
            std::unique_lock locker(m_mutex);
            m_taken.wait(locker, [this] { return m_stopping || !this->full(); });
        }
    };
    RawPacket packet;
    for (;;) {
        switch (m_source->next(packet)) {
        case PcapSource::Next::Packet:
            decoder.addPacket(packet);
            hand(false, false, std::nullopt);
            continue;
        case PcapSource::Next::Idle:
            hand(true, false, std::nullopt); // a pause in the traffic: show what came, and the counts
            continue;
        case PcapSource::Next::End:
            // Stopped: the open connections stay as they are (the capture ended, not the connections).
            hand(true, true, std::nullopt);
            return;
        case PcapSource::Next::Failed:
            hand(true, true, m_source->error());
            return;
        }
    }
}

} // namespace zmqscope
