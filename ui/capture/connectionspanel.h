#pragma once

#include <QHash>
#include <QList>
#include <QWidget>

#include <zmqscope/capture/captureloader.h>

class QLabel;
class QTreeWidget;

namespace zmqscope {

/**
 * A packet capture's ZMTP connections (issue 15), beside the capture window's Messages: one row per
 * connection (client > server, security, both socket types, identities, PLAIN user, messages each way,
 * gaps, problems, how it began and ended), and the events on the wire (connected, gap, subscribe,
 * undecodable, ...) of the selected connection, or of all of them when none is selected. Choosing a
 * connection tells the window, which filters its table to that connection's socket.
 *
 * Everything from the wire is shown as plain text; bytes (identities, topics) go through the one text
 * codec (textescape), and a PLAIN password is never known here (the decoder does not keep it).
 */
class ConnectionsPanel : public QWidget
{
    Q_OBJECT
public:
    /// The columns of connectionsView().
    enum Column
    {
        ConnectionColumn,
        SecurityColumn,
        ClientTypeColumn,
        ServerTypeColumn,
        IdentitiesColumn,
        UserColumn,
        ClientToServerColumn,
        ServerToClientColumn,
        GapsColumn,
        ProblemsColumn,
        StateColumn,
        ColumnCount
    };

    explicit ConnectionsPanel(QWidget *parent = nullptr);

    /// Shows what a loader found: each connection is the socket of `sockets` with its name.
    void setCapture(const CaptureLoadResult &result);
    [[nodiscard]] QTreeWidget *connectionsView() const { return m_connections; }
    [[nodiscard]] QTreeWidget *eventsView() const { return m_events; }
    /// The store socket of the selected connection; 0 when none is selected.
    [[nodiscard]] SocketId selectedSocket() const;
    /// Selects the connection of this socket (0: none); false when no connection has it.
    bool selectSocket(SocketId socket);

Q_SIGNALS:
    /// A connection was chosen (its socket), or the selection was cleared (0).
    void socketSelected(zmqscope::SocketId socket);

private:
    void handleSelectionChanged();
    void showEvents(const QString &connectionName);

    QTreeWidget *m_connections = nullptr;
    QTreeWidget *m_events = nullptr;
    QLabel *m_eventsTitle = nullptr;
    QList<CaptureRecord> m_allEvents;
    std::uint64_t m_eventsLeftOut = 0;
    QHash<QString, SocketId> m_socketByName;
};

} // namespace zmqscope
