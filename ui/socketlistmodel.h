#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>

#include <zmqscope/engine/engine.h>

namespace zmqscope {

/**
 * The Sockets panel: one row per socket the engine opened, in the order they
 * were opened. refresh() (on the view timer) reads Engine::sockets() and
 * reports only what changed; socketStateChanged updates a row at once.
 * Closed sockets stay listed, state "closed", so they can be reopened.
 *
 * The State column says what the user can expect of the socket: a bound
 * socket whose last peer left is "Listening" again (the monitor's "a peer
 * disconnected" is in the Events log), and "Retrying" tells in its tool tip
 * what was retried.
 *
 * A socket whose handshakes fail for a security reason (a wrong server key, a refused key or
 * password, a mechanism mismatch) is "Handshake failed" (the engine keeps it so while libzmq
 * retries); its tool tip, on the name and the state, gives the monitor's plain line and what to do.
 *
 * A tap (Engine::openTap()) is one row: its pattern as the type, both sides'
 * states, and the messages it forwarded each way in the In (c2s) and Out (s2c)
 * columns.
 */
class SocketListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        TypeColumn,
        EndpointsColumn,
        StateColumn,
        InColumn,
        OutColumn,
        RateColumn,
        ColumnCount
    };
    enum Role
    {
        SocketIdRole = Qt::UserRole + 1, ///< SocketId (uint)
        StateRole, ///< int(SocketState)
        IsTapRole, ///< bool: the row is a tap (both of its sockets)
    };

    explicit SocketListModel(Engine &engine, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Reads the engine's socket list; inserts new sockets in one batch, updates changed rows.
    void refresh();

    [[nodiscard]] int rowForSocket(SocketId id) const;
    [[nodiscard]] const SocketInfo &socketAt(int row) const { return m_sockets.at(row); }
    [[nodiscard]] QList<SocketInfo> sockets() const { return m_sockets; }
    /// Names of every socket ever listed, for the Messages table.
    [[nodiscard]] QHash<SocketId, QString> socketNames() const;
    /// The names a new (or edited) socket, tap or sniffer may not take: those of every row not closed,
    /// but `except`'s (the one being edited; 0 for none).
    [[nodiscard]] QStringList namesInUse(SocketId except = 0) const;
    /// Forgets a closed socket's row for good (it was reopened under a new id).
    void removeSocket(SocketId id);

    /// "@tcp://127.0.0.1:5556" for a bind, ">tcp://host:5556" for a connect, as zmq tools write them.
    [[nodiscard]] static QString endpointsText(const SocketInfo &info);
    /// The state the State column shows: Listening for a bound socket whose peers all left; a tap's
    /// server side.
    [[nodiscard]] static SocketState shownState(const SocketInfo &info);
    /// A tap's Type column: "tap req-rep".
    [[nodiscard]] static QString tapTypeText(const TapInfo &tap);
    /// A tap's State column: both sides and what waits ("clients: 2 connected · server: Connected").
    [[nodiscard]] static QString tapStateText(const SocketInfo &info);
    /// A sniffer's State: what it found, or why it failed (with the fix); a sniffed connection's, with
    /// its security and gaps.
    [[nodiscard]] static QString sniffStateText(const SocketInfo &info);

Q_SIGNALS:
    /// A socket was added or removed, or changed its state or endpoints (not sent on counter changes).
    void socketsChanged();

private:
    void handleSocketStateChanged(SocketId id, SocketState state);
    void handleSocketClosed(SocketId id);
    void handleEventLogged(const EngineEvent &event);
    [[nodiscard]] static bool sameShape(const SocketInfo &a, const SocketInfo &b);

    Engine &m_engine;
    QList<SocketInfo> m_sockets;
    QSet<SocketId> m_removed; ///< the engine still lists them; we do not
    QHash<SocketId, QString> m_retryReasons; ///< the monitor's last words on a socket that is retrying
};

} // namespace zmqscope
