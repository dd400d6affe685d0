#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <QFutureWatcher>
#include <QHash>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <zmqscope/analysis/trafficstatistics.h>

class QBarCategoryAxis;
class QBarSet;
class QChart;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QTableView;
class QValueAxis;

namespace zmqscope {

class StatisticsModel;

/**
 * The Statistics dock (issue 18): per socket and per id, messages and bytes now and on average, sizes,
 * inter-arrival times and jitter in a table; for the selected row, messages/s and bytes/s over time
 * (the last minutes, or the whole session) and histograms of sizes and inter-arrival times.
 *
 * The counting runs in a worker thread of its own (niced like the engine's, so a flood does not take the
 * window's CPU), never on the GUI thread: while the view is shown, a timer
 * twice a second hands the messages the store gained since the last batch to TrafficStatistics and gets a
 * snapshot back, which the table and charts take in one go. Out of view (hidden, or a tab behind another),
 * it counts nothing; in view again, it catches up with what the store still holds.
 */
class StatisticsView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RefreshIntervalMs = 500;
    /// At most this many messages per worker batch, so a long catch-up still shows progress.
    static constexpr std::uint64_t BatchMessages = 500'000;

    /// What the rate chart spans.
    enum class Span
    {
        LastMinute,
        Last5Minutes,
        Last15Minutes,
        LastHour,
        WholeSession,
    };

    explicit StatisticsView(const MessageStore &store, QWidget *parent = nullptr);
    ~StatisticsView() override;

    /// Names for the Socket column (SocketListModel::socketNames()).
    void setSocketNames(const QHash<SocketId, QString> &names);
    void setSpan(Span span);
    [[nodiscard]] Span span() const;

    /// Forgets what was counted and counts from the store's next message on.
    void reset();
    /// Starts a batch now, unless one runs or the view is out of view (the timer calls it twice a second).
    void refresh();
    /// Shown and not covered: visible, and not a dock's tab behind another (Qt keeps those visible, moved
    /// out of sight). Only then does the view count.
    [[nodiscard]] bool isInView() const;

    [[nodiscard]] StatisticsModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    /// The selected row's key, if a row is selected.
    [[nodiscard]] std::optional<TrafficKey> selectedKey() const { return m_selected; }
    /// The rate chart's series: messages/s and bytes/s of the selected row.
    [[nodiscard]] QLineSeries *messagesSeries() const { return m_messagesSeries; }
    [[nodiscard]] QLineSeries *bytesSeries() const { return m_bytesSeries; }
    /// The bars of the size and inter-arrival histograms of the selected row.
    [[nodiscard]] QBarSet *sizeBars() const { return m_sizeBars; }
    [[nodiscard]] QBarSet *intervalBars() const { return m_intervalBars; }

Q_SIGNALS:
    /// A batch's snapshot reached the table and charts.
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Batch
    {
        TrafficSnapshot snapshot;
        std::uint64_t nextSeq = 0;
        std::uint64_t generation = 0;
        bool more = false; ///< the store had more than one batch
    };

    void handleBatchFinished();
    void handleCurrentRowChanged();
    void showDetail(const TrafficSnapshot &snapshot);
    /// The rate chart over `seconds` (0: the whole session) up to now, or to the newest message when older.
    void showRates(const TrafficSeries &series, std::int64_t seconds, std::int64_t newestUs);
    void clearCharts();

    const MessageStore &m_store;
    std::shared_ptr<TrafficStatistics> m_statistics;
    std::uint64_t m_nextSeq = 0;
    std::uint64_t m_generation = 0;
    std::optional<TrafficKey> m_selected;
    QThreadPool m_pool; ///< one thread below the GUI's priority, like the engine's
    QFutureWatcher<Batch> m_watcher;
    QTimer m_timer;
    bool m_again = false; ///< refresh() came while a batch ran

    StatisticsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QComboBox *m_spanBox = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_selectedLabel = nullptr;
    QChart *m_rateChart = nullptr;
    QLineSeries *m_messagesSeries = nullptr;
    QLineSeries *m_bytesSeries = nullptr;
    QDateTimeAxis *m_timeAxis = nullptr;
    QValueAxis *m_messagesAxis = nullptr;
    QValueAxis *m_bytesAxis = nullptr;
    QBarSet *m_sizeBars = nullptr;
    QBarCategoryAxis *m_sizeCategories = nullptr;
    QValueAxis *m_sizeCounts = nullptr;
    QBarSet *m_intervalBars = nullptr;
    QBarCategoryAxis *m_intervalCategories = nullptr;
    QValueAxis *m_intervalCounts = nullptr;
};

} // namespace zmqscope
