#pragma once

#include <deque>
#include <map>
#include <vector>

#include <QAbstractTableModel>
#include <QHash>

#include <zmqscope/analysis/requestpairing.h>

#include "analysiscontroller.h"

namespace zmqscope {

/**
 * The Conversations table (issue 18): one row per request with its reply, latency and state
 * (answered, pending, timed out), in the order the requests were seen. Fed AnalysisController
 * updates; bounded: beyond maxRows() the oldest rows go. Latencies are kept per socket for the
 * histogram and the percentiles.
 */
class ConversationModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        RequestColumn,
        TimeColumn,
        SocketColumn,
        ClientColumn,
        IdColumn,
        ReplyColumn,
        LatencyColumn,
        StateColumn,
        ColumnCount
    };
    enum Role
    {
        RequestSeqRole = Qt::UserRole + 1, ///< quint64
        ReplySeqRole, ///< quint64, or an invalid QVariant while unanswered
        LatencyUsRole, ///< qint64, or invalid
        StateRole, ///< int (PairState)
        SocketIdRole, ///< uint
    };

    explicit ConversationModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void apply(const AnalysisController::Update &update);
    void setSocketNames(const QHash<SocketId, QString> &names);
    /// How long a request may wait before it counts as timed out (default 5 s).
    void setTimeoutMs(int timeoutMs);
    [[nodiscard]] int timeoutMs() const { return int(m_timeoutUs / 1000); }
    /// The state column follows the clock: call now and then (the view does, once a second).
    void updateStates(std::int64_t nowUs);
    void setMaxRows(int maxRows) { m_maxRows = maxRows; }
    [[nodiscard]] int maxRows() const { return m_maxRows; }

    [[nodiscard]] const RequestPair &pairAt(int row) const { return m_rows[std::size_t(row)]; }
    [[nodiscard]] PairState stateAt(int row) const;
    /// The sockets with requests, by name order.
    [[nodiscard]] QList<SocketId> sockets() const;
    [[nodiscard]] QString socketName(SocketId socket) const;

    /// Figures of one socket (0: all sockets). Cheap: kept up to date as updates come, so the view
    /// may ask after every update and every second (percentiles read from sorted latencies, the
    /// waiting requests counted by binary search).
    struct Figures
    {
        std::uint64_t requests = 0;
        std::uint64_t answered = 0;
        std::uint64_t pending = 0;
        std::uint64_t timedOut = 0;
        LatencySummary latency;
    };
    [[nodiscard]] Figures figures(SocketId socket) const;
    /// For each of the ascending `edgesUs`, how many answered requests of `socket` (0: all) took at
    /// most that long: a histogram's bins are the differences.
    [[nodiscard]] std::vector<std::uint64_t> latenciesAtMost(
        SocketId socket, const std::vector<std::int64_t> &edgesUs) const;
    [[nodiscard]] std::uint64_t unmatchedReplies() const { return m_unmatchedReplies; }

Q_SIGNALS:
    /// New rows, answers or a reset: the figures changed.
    void figuresChanged();

private:
    /// What the figures of one socket (or of all, under 0) are made from.
    struct Tally
    {
        std::uint64_t requests = 0;
        /// Answered requests' latencies: `sorted`, plus the ones added since, merged in when read.
        mutable std::vector<std::int64_t> sorted;
        mutable std::vector<std::int64_t> added;
        /// Send times of the unanswered requests among the rows held, ascending.
        std::vector<std::int64_t> waitingSinceUs;

        const std::vector<std::int64_t> &latencies() const;
    };
    void countRequest(const RequestPair &pair);
    void countLatency(const RequestPair &pair);
    void stopWaiting(const RequestPair &pair);
    const Tally *tally(SocketId socket) const;

    std::deque<RequestPair> m_rows;
    std::size_t m_firstIndex = 0; ///< the analyzer's index of m_rows.front()
    QHash<SocketId, QString> m_socketNames;
    std::map<SocketId, Tally> m_tallies; ///< per socket, and all sockets under 0
    std::int64_t m_timeoutUs = 5'000'000;
    std::int64_t m_nowUs = 0;
    std::uint64_t m_unmatchedReplies = 0;
    int m_maxRows = 1'000'000;
};

} // namespace zmqscope
