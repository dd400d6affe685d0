#include "sockettable_p.h"

namespace zmqscope {

SocketSpec SocketTable::add(SocketId id, const SocketSpec &spec)
{
    std::lock_guard locker(m_mutex);
    // Names identify sockets in the UI and in capture files: give every open socket its own.
    const auto taken = [&](const QString &name) {
        for (const auto &[otherId, entry] : m_entries) {
            if (entry.info.spec.name == name && entry.info.state != SocketState::Closed
                && entry.info.state != SocketState::Failed)
                return true;
        }
        return false;
    };
    SocketSpec named = spec;
    named.name = uniqueSocketName(spec.name, spec.type, taken);
    Entry entry;
    entry.info.id = id;
    entry.info.spec = named;
    entry.info.state = SocketState::Opening;
    m_entries.emplace(id, std::move(entry));
    return named;
}

void SocketTable::addReceived(std::span<const NewMessage> messages, qint64 nowMs)
{
    std::lock_guard locker(m_mutex);
    // A batch is almost always from one socket: look each socket up once per run.
    auto it = m_entries.end();
    for (const NewMessage &message : messages) {
        if (it == m_entries.end() || it->first != message.socket)
            it = m_entries.find(message.socket);
        if (it == m_entries.end())
            continue;
        std::uint64_t bytes = 0;
        for (const QByteArray &frame : message.frames)
            bytes += std::uint64_t(frame.size());
        ++it->second.info.messagesIn;
        it->second.info.bytesIn += bytes;
        it->second.rate.add(nowMs, 1);
    }
}

std::optional<SocketInfo> SocketTable::find(SocketId id, qint64 nowMs) const
{
    std::lock_guard locker(m_mutex);
    const auto it = m_entries.find(id);
    if (it == m_entries.end())
        return std::nullopt;
    SocketInfo info = it->second.info;
    info.rateIn = it->second.rate.perSecond(nowMs);
    return info;
}

QList<SocketInfo> SocketTable::all(qint64 nowMs) const
{
    std::lock_guard locker(m_mutex);
    QList<SocketInfo> list;
    list.reserve(qsizetype(m_entries.size()));
    for (const auto &[id, entry] : m_entries) {
        list.append(entry.info);
        list.last().rateIn = entry.rate.perSecond(nowMs);
    }
    return list;
}

} // namespace zmqscope
