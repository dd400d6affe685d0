#pragma once

#include <deque>
#include <map>

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QStringList>

#include <zmqscope/engine/engine.h>

#include "analysiscontroller.h"

namespace zmqscope {

/**
 * The Health table (issue 18): per socket, what the sequence check found (missing, duplicated,
 * reordered), the requests left without a reply, and the connection events (handshake failures,
 * retries, disconnects), each socket's recent events for the timeline and the likely causes
 * (hints()). What ZmqScope itself dropped (retention) is kept apart: it is no loss of the system.
 */
class HealthModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        SocketColumn,
        StateColumn,
        MessagesColumn, ///< analysed with the sequence field
        MissingColumn,
        DuplicatesColumn,
        ReorderedColumn,
        UnansweredColumn,
        HandshakeFailuresColumn,
        RetriesColumn,
        DisconnectsColumn,
        ColumnCount
    };
    enum Role
    {
        SocketIdRole = Qt::UserRole + 1,
    };
    /// One connection event of a socket, for the timeline.
    struct Event
    {
        QDateTime time;
        QString text;
        enum class Kind
        {
            Connected,
            Disconnected,
            Retry,
            HandshakeFailed,
            Other,
        } kind
            = Kind::Other;
        bool isError = false;
    };
    static constexpr int MaxEventsPerSocket = 500;

    explicit HealthModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void setSockets(const QList<SocketInfo> &sockets);
    void apply(const AnalysisController::Update &update);
    void addEvent(const EngineEvent &event);
    /// Requests without a reply, per socket, as the Conversations model counts them.
    void setUnanswered(const QHash<SocketId, std::uint64_t> &unanswered);

    [[nodiscard]] int rowOf(SocketId socket) const;
    [[nodiscard]] SocketId socketAt(int row) const;
    [[nodiscard]] const std::deque<Event> &events(SocketId socket) const;
    /// The likely causes of what this socket shows, in plain words.
    [[nodiscard]] QStringList hints(SocketId socket) const;
    /// What ZmqScope itself did not pass on or keep: retention before the analysis read it, and
    /// the taps' waits; empty when nothing.
    [[nodiscard]] QString ownLossText() const;

Q_SIGNALS:
    void healthChanged();

private:
    struct Row
    {
        SocketInfo info;
        std::uint64_t messages = 0;
        std::uint64_t missing = 0;
        std::uint64_t duplicates = 0;
        std::uint64_t reordered = 0;
        std::uint64_t unanswered = 0;
        std::uint64_t handshakeFailures = 0;
        std::uint64_t retries = 0;
        std::uint64_t disconnects = 0;
    };
    [[nodiscard]] static Event::Kind kindOf(const EngineEvent &event);
    void emitRowChanged(int row);

    QList<Row> m_rows;
    std::map<SocketId, std::deque<Event>> m_events;
    std::uint64_t m_unseen = 0;
    std::uint64_t m_withoutField = 0;
    bool m_sequenceChecked = false;
};

} // namespace zmqscope
