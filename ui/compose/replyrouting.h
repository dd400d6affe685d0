#pragma once

#include <optional>

#include <QList>

#include <zmqscope/engine/engine.h>

#include "framelistmodel.h"

/**
 * The routing frames a reply (or a loaded message) put into the Composer, and
 * the socket they route on. Switching to another socket takes them out (a PUSH
 * or another ROUTER would send them to the peer as data, or to nobody) and keeps
 * them, so that the user can put them back.
 */
class ReplyRouting
{
public:
    /// request holds the envelope's request frames, raw the raw frames.
    ReplyRouting(FrameListModel &request, FrameListModel &raw);

    /// The frames now in request (or the leading rows of raw) route on socket, for message seq.
    void remember(zmqscope::SocketId socket, quint64 seq, bool inRaw);
    /// Forgets the routing frames, in the models and taken out.
    void forget();
    /// The socket is now socket: removes routing frames that route on another one. How many were removed.
    qsizetype switchTo(zmqscope::SocketId socket);
    /// Puts back what switchTo() removed; false when nothing was removed.
    bool putBack();
    /// The message and the socket of the frames removed or put back last.
    [[nodiscard]] quint64 seq() const noexcept { return m_lastSeq; }
    [[nodiscard]] zmqscope::SocketId socket() const noexcept { return m_lastSocket; }

private:
    struct State
    {
        zmqscope::SocketId socket = 0;
        quint64 seq = 0;
        QList<FrameListModel::Entry> requestEntries; // envelope mode
        QList<FrameListModel::Entry> rawEntries; // raw mode: the leading rows
    };

    FrameListModel &m_request;
    FrameListModel &m_raw;
    std::optional<State> m_routing;
    std::optional<State> m_removed;
    quint64 m_lastSeq = 0;
    zmqscope::SocketId m_lastSocket = 0;
};
