#pragma once

#include <vector>

#include <QAbstractTableModel>
#include <QHash>

#include <zmqscope/analysis/trafficstatistics.h>

namespace zmqscope {

/**
 * The Statistics table: one row per socket (all its messages), then its raw messages, its ids and the
 * ids past the cap, as TrafficStatistics::snapshot() gives them. Rows are only ever added (new keys
 * are inserted where they sort, the others update in place), so a selection stays on its row; reset()
 * empties it.
 */
class StatisticsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        SocketColumn,
        IdColumn,
        MessagesColumn,
        BytesColumn,
        MessagesPerSecondColumn, ///< in the last whole second
        AverageMessagesPerSecondColumn,
        BytesPerSecondColumn, ///< in the last whole second
        AverageBytesPerSecondColumn,
        SizeP50Column,
        SizeMaxColumn,
        IntervalP50Column,
        IntervalP99Column,
        JitterColumn,
        ColumnCount
    };
    enum Role
    {
        /// The raw number behind a cell (quint64 or double), for sorting and tests.
        ValueRole = Qt::UserRole + 1,
        SocketIdRole, ///< SocketId (uint)
    };

    explicit StatisticsModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Takes the rows of a snapshot (in TrafficKey order): inserts new keys, updates the others.
    void setRows(std::vector<TrafficSummary> rows);
    /// Empties the table.
    void reset();
    /// Names shown in the Socket column (untrusted text: escaped to one plain line).
    void setSocketNames(const QHash<SocketId, QString> &names);

    [[nodiscard]] const TrafficSummary &summaryAt(int row) const { return m_rows.at(std::size_t(row)); }
    /// The row of a key, -1 when it has none.
    [[nodiscard]] int rowOf(const TrafficKey &key) const;
    /// "orders", or "#3" for a socket without a name.
    [[nodiscard]] QString socketName(SocketId socket) const;
    /// The Id column's text of a key: the id in one line, "(all)", "(no id)" or "(other ids)".
    [[nodiscard]] static QString idText(const TrafficKey &key);

private:
    std::vector<TrafficSummary> m_rows;
    QHash<SocketId, QString> m_socketNames;
};

} // namespace zmqscope
