#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <QFuture>
#include <QHash>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <zmqscope/analysis/plotsampler.h>

class QAction;
class QChart;
class QChartView;
class QComboBox;
class QDateTimeAxis;
class QLabel;
class QLineEdit;
class QLineSeries;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;
class QValueAxis;

namespace zmqscope {

/**
 * The Plots dock: numeric JSON fields of the messages over time, in plots (tabs) of several series
 * each, one series per envelope id. Every point is kept (core's PlotSampler); what is drawn is cut to
 * the lowest and highest point of each column of PixelsPerColumn pixels, so spikes show and 10 series
 * of 600,000 points draw as about one point per pixel each.
 *
 * The store is read, and the series cut down, in a worker thread of the panel's own, one job at a
 * time, ten times a second; the GUI thread only hands the drawn points to the charts. Pause freezes
 * what is drawn while the points (and the counts in the series list) go on; a plot zooms with a
 * rubber band and the wheel, and Reset Zoom follows the data again. The x axis is the receive time,
 * or a numeric time field of the same JSON that the sender wrote.
 *
 * Series names hold ids and socket names, which are untrusted: they are shown in the series list
 * (plain text item views) and never in the chart's own legend, which renders rich text.
 */
class PlotsPanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr int RefreshIntervalMs = 100;
    /// Messages a worker job reads at most: a backlog (a field added over a full store) catches up
    /// over several jobs, and what is drawn stays fresh meanwhile.
    static constexpr std::uint64_t MessagesPerJob = 200'000;
    /// Pixels of a plot per decimation column (PlotSampler::decimate()).
    static constexpr int PixelsPerColumn = 2;

    /// The series list's columns.
    enum Column
    {
        SeriesColumn,
        PointsColumn,
        WithoutFieldColumn,
        NotNumericColumn,
        NotSeenColumn,
        ColumnCount
    };

    explicit PlotsPanel(const MessageStore &store, QWidget *parent = nullptr);
    ~PlotsPanel() override;

    /// Plots `path` of the messages of `socket` (named `socketName`) in the current plot, one series per
    /// id, from the oldest message held on; makes a plot first when there is none.
    void plotField(const JsonPath &path, SocketId socket, const QString &socketName);
    /// A new, empty plot, made current.
    void newPlot();
    /// Removes the current plot and its fields.
    void removeCurrentPlot();
    /// Removes what is selected in the current plot's series list: a field (all its ids) or one id.
    void removeSelectedSeries();
    /// The x axis of the current plot: the receive time (nullopt), or a time field; its fields are read
    /// again from the oldest message held.
    void setTimeField(const std::optional<JsonPath> &time);
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused; }
    /// Follows the data again in the current plot after a zoom.
    void resetZoom();

    /// The decode rules (msgpack, CBOR, protobuf fields plot decoded).
    void setDecoders(const DecoderSet &decoders);
    void setSocketNames(const QHash<SocketId, QString> &names);

    [[nodiscard]] int plotCount() const;
    /// The chart of plot `index` (tests, screenshots).
    [[nodiscard]] QChart *chart(int index) const;
    /// All points kept, and the messages evicted before they were read, over every field.
    [[nodiscard]] std::uint64_t pointsKept() const { return m_pointsKept; }
    [[nodiscard]] std::uint64_t notSeen() const { return m_notSeen; }
    /// Runs a worker job now and applies it (tests); the timer does so normally.
    void refreshNow();

Q_SIGNALS:
    /// A worker job's points were applied (drawn, or counted while paused).
    void refreshed();

private:
    struct Line
    {
        QLineSeries *series = nullptr;
        QTreeWidgetItem *item = nullptr;
        std::size_t frozenCount = 0; ///< points drawn when the panel was paused
        std::size_t size = 0; ///< points kept, as of the last job
    };
    struct Field
    {
        int key = 0;
        QString name; ///< "json.v on orders" (our text with an untrusted socket name: plain text only)
        QTreeWidgetItem *item = nullptr;
        std::map<int, Line> lines; ///< by series index in PlotSampler::series()
        QList<int> removedIds; ///< series indexes the user removed
    };
    struct Plot;
    struct Job;
    struct JobResult;

    [[nodiscard]] Plot *currentPlot() const;
    [[nodiscard]] Plot *plotById(int id) const;
    void removeField(Plot &plot, int key);
    void removeLine(Plot &plot, Field &field, int index);
    void handleTick();
    void startJob();
    void applyJob(const JobResult &result);
    void waitForJob();
    void updateControls();
    void applyTimeField();

    const MessageStore &m_store;
    std::shared_ptr<PlotSampler> m_sampler;
    QThreadPool m_pool; ///< one thread: jobs run one at a time, in order
    QFuture<void> m_job;
    std::shared_ptr<JobResult> m_jobResult;
    QTimer m_timer;
    std::vector<std::unique_ptr<Plot>> m_plots;
    int m_nextPlotId = 1;
    bool m_paused = false;
    bool m_applying = false; ///< axis ranges set by us, not a zoom
    std::uint64_t m_pointsKept = 0;
    std::uint64_t m_notSeen = 0;

    QTabWidget *m_tabs = nullptr;
    QAction *m_newPlotAction = nullptr;
    QAction *m_removePlotAction = nullptr;
    QAction *m_removeSeriesAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_resetZoomAction = nullptr;
    QComboBox *m_xAxisBox = nullptr;
    QLineEdit *m_timeFieldEdit = nullptr;
    QLabel *m_status = nullptr;
    QString m_timeFieldError; ///< why the typed time field was not applied; shown until one is
    QLabel *m_placeholder = nullptr;
};

} // namespace zmqscope
