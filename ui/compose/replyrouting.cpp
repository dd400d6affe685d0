#include "replyrouting.h"

ReplyRouting::ReplyRouting(FrameListModel &request, FrameListModel &raw)
    : m_request(request)
    , m_raw(raw)
{ }

void ReplyRouting::remember(zmqscope::SocketId socket, quint64 seq, bool inRaw)
{
    State routing;
    routing.socket = socket;
    routing.seq = seq;
    if (inRaw)
        routing.rawEntries = m_raw.entries();
    else
        routing.requestEntries = m_request.entries();
    if (!routing.rawEntries.isEmpty() || !routing.requestEntries.isEmpty())
        m_routing = routing;
}

void ReplyRouting::forget()
{
    m_routing.reset();
    m_removed.reset();
}

qsizetype ReplyRouting::switchTo(zmqscope::SocketId socket)
{
    if (!m_routing || m_routing->socket == socket)
        return 0;
    State removed = *m_routing;
    m_routing.reset();
    if (!removed.requestEntries.isEmpty()) {
        removed.requestEntries = m_request.entries();
        m_request.setEntries({});
    }
    if (!removed.rawEntries.isEmpty()) {
        const QList<FrameListModel::Entry> rows = m_raw.entries();
        if (rows.mid(0, removed.rawEntries.size()) == removed.rawEntries)
            m_raw.setEntries(rows.mid(removed.rawEntries.size()));
        else
            removed.rawEntries.clear();
    }
    const qsizetype count = removed.requestEntries.size() + removed.rawEntries.size();
    if (count == 0)
        return 0;
    m_removed = removed;
    m_lastSeq = removed.seq;
    m_lastSocket = removed.socket;
    return count;
}

bool ReplyRouting::putBack()
{
    if (!m_removed)
        return false;
    const State removed = *m_removed;
    m_removed.reset();
    if (!removed.requestEntries.isEmpty())
        m_request.setEntries(removed.requestEntries + m_request.entries());
    if (!removed.rawEntries.isEmpty())
        m_raw.setEntries(removed.rawEntries + m_raw.entries());
    m_lastSeq = removed.seq;
    m_lastSocket = removed.socket;
    return true;
}
