#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <span>

#include <QList>

#include <zmqscope/engine/engine.h>

#include "ratewindow_p.h"

namespace zmqscope {

/**
 * The published state of every socket (its SocketInfo and receive rate): the one thing the engine
 * thread and the Engine's callers share. The engine thread writes it, any thread reads it. This
 * class is its one owner: it holds the lock, every access goes through the calls below, and none
 * of them calls out while holding it.
 */
class SocketTable
{
public:
    struct Entry
    {
        SocketInfo info;
        RateWindow rate;
    };

    /// Adds socket `id` (state Opening) under the name uniqueSocketName() gives it among the sockets
    /// neither closed nor failed; returns `spec` with that name.
    SocketSpec add(SocketId id, const SocketSpec &spec);
    /**
     * Runs `change` on the entry of `id` under the lock; false when there is no such socket. It must
     * be short and must not call the table.
     */
    template<typename Change> bool update(SocketId id, Change &&change)
    {
        std::lock_guard locker(m_mutex);
        const auto it = m_entries.find(id);
        if (it == m_entries.end())
            return false;
        change(it->second);
        return true;
    }
    /// Counts a batch of received messages into their sockets' counters and rates, under one lock.
    void addReceived(std::span<const NewMessage> messages, qint64 nowMs);

    /// The socket's info with its receive rate at `nowMs` (steadyMs()).
    [[nodiscard]] std::optional<SocketInfo> find(SocketId id, qint64 nowMs) const;
    [[nodiscard]] QList<SocketInfo> all(qint64 nowMs) const;

private:
    mutable std::mutex m_mutex;
    std::map<SocketId, Entry> m_entries;
};

} // namespace zmqscope
