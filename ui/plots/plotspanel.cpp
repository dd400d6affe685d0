#include "plots/plotspanel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <QAction>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QPen>
#include <QPixmap>
#include <QScopedValueRollback>
#include <QSplitter>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>

#include "displaytext.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

/// A chart view that zooms with the wheel (and, as QChartView does, with a rubber band), telling
/// the panel so: a zoomed plot stops following the data.
class ZoomingChartView : public QChartView
{
public:
    ZoomingChartView(QChart *chart, std::function<void()> zoomed, QWidget *parent)
        : QChartView(chart, parent)
        , m_zoomed(std::move(zoomed))
    {
        setRubberBand(QChartView::RectangleRubberBand);
        setRenderHint(QPainter::Antialiasing, false);
    }

protected:
    void wheelEvent(QWheelEvent *event) override
    {
        const int delta = event->angleDelta().y();
        if (delta == 0)
            return;
        chart()->zoom(delta > 0 ? 1.25 : 0.8);
        m_zoomed();
        event->accept();
    }

private:
    std::function<void()> m_zoomed;
};

QString number(std::uint64_t value)
{
    return QLocale().toString(qulonglong(value));
}

/// A range that a chart axis can show: a single value gets some room around it.
std::pair<double, double> widened(double low, double high, double margin)
{
    if (!(low <= high))
        return { 0, 1 };
    if (low == high)
        return { low - 1, high + 1 };
    const double room = (high - low) * margin;
    return { low - room, high + room };
}

} // namespace

struct PlotsPanel::Plot
{
    int id = 0;
    QWidget *page = nullptr;
    QChart *chart = nullptr;
    QChartView *view = nullptr;
    QDateTimeAxis *timeAxis = nullptr;
    QValueAxis *valueXAxis = nullptr;
    QValueAxis *yAxis = nullptr;
    QTreeWidget *list = nullptr;
    std::optional<JsonPath> time;
    bool zoomed = false;
    bool viewChanged = true; ///< zoomed since drawn: draw again even while paused
    int viewGeneration = 0; ///< counts view changes: a job asked for before one does not undo it
    std::vector<Field> fields;

    [[nodiscard]] QAbstractAxis *xAxis() const
    {
        return time ? static_cast<QAbstractAxis *>(valueXAxis) : static_cast<QAbstractAxis *>(timeAxis);
    }
    Field *field(int key)
    {
        const auto found
            = std::find_if(fields.begin(), fields.end(), [key](const Field &f) { return f.key == key; });
        return found == fields.end() ? nullptr : &*found;
    }
};

/// What one worker job draws: per plot, its fields over its x range and width.
struct PlotsPanel::Job
{
    struct Request
    {
        int plot = 0;
        int viewGeneration = 0;
        std::vector<int> fields;
        bool draw = true;
        bool autoRange = true;
        double x0 = 0;
        double x1 = 0;
        int columns = 1;
        /// Paused: how many points of each (field, series) to draw; a series not listed draws none.
        std::optional<std::map<std::pair<int, int>, std::size_t>> limits;
        std::set<std::pair<int, int>> removed;
    };
    std::vector<Request> requests;
};

struct PlotsPanel::JobResult
{
    struct Series
    {
        int field = 0;
        int index = 0;
        QByteArray id;
        std::size_t size = 0;
        bool drawn = false;
        QList<QPointF> points;
    };
    struct PlotResult
    {
        int plot = 0;
        int viewGeneration = 0;
        bool drawn = false;
        bool autoRange = true;
        double x0 = 0;
        double x1 = 0;
        double yMin = std::numeric_limits<double>::infinity();
        double yMax = -std::numeric_limits<double>::infinity();
        std::vector<Series> series;
    };
    std::vector<PlotResult> plots;
    QHash<int, PlotCounts> counts;
    bool applied = false;

    /// Runs in the worker: reads the store, then cuts each plot's series down to its width.
    void run(PlotSampler &sampler, const Job &job)
    {
        sampler.poll(MessagesPerJob);
        for (const int key : sampler.fieldKeys())
            counts.insert(key, sampler.counts(key));
        for (const Job::Request &request : job.requests) {
            PlotResult plot;
            plot.plot = request.plot;
            plot.viewGeneration = request.viewGeneration;
            plot.drawn = request.draw;
            plot.autoRange = request.autoRange;
            plot.x0 = request.x0;
            plot.x1 = request.x1;
            const auto limit = [&request](int key, int index, const PlotSeries &series) {
                if (request.removed.contains({ key, index }))
                    return std::size_t(0);
                if (!request.limits)
                    return series.x.size();
                const auto found = request.limits->find({ key, index });
                return found == request.limits->end() ? std::size_t(0)
                                                      : std::min(found->second, series.x.size());
            };
            if (request.draw && request.autoRange) {
                plot.x0 = std::numeric_limits<double>::infinity();
                plot.x1 = -std::numeric_limits<double>::infinity();
                for (const int key : request.fields) {
                    const std::vector<PlotSeries> &all = sampler.series(key);
                    for (std::size_t index = 0; index < all.size(); ++index) {
                        const PlotSeries &series = all[index];
                        const std::size_t count = limit(key, int(index), series);
                        if (count == 0)
                            continue;
                        if (series.xSorted) {
                            plot.x0 = std::min(plot.x0, series.x.front());
                            plot.x1 = std::max(plot.x1, series.x[count - 1]);
                        } else {
                            const auto [low, high] = std::minmax_element(
                                series.x.cbegin(), series.x.cbegin() + std::ptrdiff_t(count));
                            plot.x0 = std::min(plot.x0, *low);
                            plot.x1 = std::max(plot.x1, *high);
                        }
                    }
                }
            }
            for (const int key : request.fields) {
                const std::vector<PlotSeries> &all = sampler.series(key);
                for (std::size_t index = 0; index < all.size(); ++index) {
                    const PlotSeries &series = all[index];
                    Series drawn { key, int(index), series.id, series.x.size(), false, {} };
                    const std::size_t count = limit(key, int(index), series);
                    if (request.draw && (count > 0 || !request.limits)) {
                        PlotSampler::Drawn cut
                            = PlotSampler::decimate(series, count, plot.x0, plot.x1, request.columns);
                        drawn.drawn = true;
                        drawn.points = std::move(cut.points);
                        if (cut.yMin <= cut.yMax) {
                            plot.yMin = std::min(plot.yMin, cut.yMin);
                            plot.yMax = std::max(plot.yMax, cut.yMax);
                        }
                    }
                    plot.series.push_back(std::move(drawn));
                }
            }
            plots.push_back(std::move(plot));
        }
    }
};

PlotsPanel::PlotsPanel(const MessageStore &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_sampler(std::make_shared<PlotSampler>(store))
{
    m_pool.setMaxThreadCount(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *bar = new QToolBar(this);
    bar->setObjectName(u"plotsToolBar"_s);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_newPlotAction = bar->addAction(tr("&New Plot"), this, &PlotsPanel::newPlot);
    m_newPlotAction->setObjectName(u"newPlotAction"_s);
    m_removePlotAction = bar->addAction(tr("Remove P&lot"), this, &PlotsPanel::removeCurrentPlot);
    m_removePlotAction->setObjectName(u"removePlotAction"_s);
    m_removeSeriesAction = bar->addAction(tr("Remove &Series"), this, &PlotsPanel::removeSelectedSeries);
    m_removeSeriesAction->setObjectName(u"removeSeriesAction"_s);
    bar->addSeparator();
    m_pauseAction = bar->addAction(tr("&Pause"));
    m_pauseAction->setObjectName(u"plotsPauseAction"_s);
    m_pauseAction->setCheckable(true);
    m_pauseAction->setToolTip(tr("Freeze what the plots show; the points go on being kept"));
    connect(m_pauseAction, &QAction::toggled, this, &PlotsPanel::setPaused);
    m_resetZoomAction = bar->addAction(tr("&Reset Zoom"), this, &PlotsPanel::resetZoom);
    m_resetZoomAction->setObjectName(u"resetZoomAction"_s);
    m_resetZoomAction->setToolTip(
        tr("Follow the data again (zoom with the mouse wheel or by dragging a box)"));
    bar->addSeparator();
    auto *xLabel = new QLabel(tr("X axis:"), bar);
    xLabel->setTextFormat(Qt::PlainText);
    bar->addWidget(xLabel);
    m_xAxisBox = new QComboBox(bar);
    m_xAxisBox->setObjectName(u"xAxisBox"_s);
    m_xAxisBox->addItems({ tr("Receive time"), tr("Time field") });
    bar->addWidget(m_xAxisBox);
    m_timeFieldEdit = new QLineEdit(bar);
    m_timeFieldEdit->setObjectName(u"timeFieldEdit"_s);
    m_timeFieldEdit->setPlaceholderText(u"json.ts"_s);
    m_timeFieldEdit->setToolTip(
        tr("A numeric field of the same message, in the filter language (json.meta.ts); Enter applies it"));
    m_timeFieldEdit->setMaximumWidth(200);
    bar->addWidget(m_timeFieldEdit);
    connect(m_xAxisBox, &QComboBox::activated, this, [this](int index) {
        m_timeFieldEdit->setEnabled(index == 1);
        if (index == 0) {
            m_timeFieldError.clear();
            setTimeField(std::nullopt);
        } else if (!m_timeFieldEdit->text().trimmed().isEmpty())
            applyTimeField();
        else
            m_timeFieldEdit->setFocus();
    });
    connect(m_timeFieldEdit, &QLineEdit::returnPressed, this, &PlotsPanel::applyTimeField);
    layout->addWidget(bar);

    m_placeholder = new QLabel(
        tr("Right-click a number in the Detail pane's JSON tree and choose Plot This Field."), this);
    m_placeholder->setObjectName(u"plotsPlaceholder"_s);
    m_placeholder->setTextFormat(Qt::PlainText);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_placeholder, 1);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"plotTabs"_s);
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs, 1);
    // Each plot has its own x axis: the controls show the current one's (between tabs only, so a
    // choice being typed is not undone by a refresh).
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (Plot *plot = currentPlot()) {
            m_xAxisBox->setCurrentIndex(plot->time ? 1 : 0);
            m_timeFieldEdit->setText(plot->time ? plot->time->text() : QString());
        }
        m_timeFieldError.clear();
        updateControls();
    });

    m_status = new QLabel(this);
    m_status->setObjectName(u"plotsStatus"_s);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setContentsMargins(6, 2, 6, 2);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    m_timer.setInterval(RefreshIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &PlotsPanel::handleTick);
    m_timer.start();
    updateControls();
}

PlotsPanel::~PlotsPanel()
{
    m_timer.stop();
    m_job.waitForFinished();
}

int PlotsPanel::plotCount() const
{
    return int(m_plots.size());
}

QChart *PlotsPanel::chart(int index) const
{
    return index >= 0 && index < plotCount() ? m_plots[std::size_t(index)]->chart : nullptr;
}

PlotsPanel::Plot *PlotsPanel::currentPlot() const
{
    const int index = m_tabs->currentIndex();
    return index >= 0 && index < plotCount() ? m_plots[std::size_t(index)].get() : nullptr;
}

PlotsPanel::Plot *PlotsPanel::plotById(int id) const
{
    for (const auto &plot : m_plots)
        if (plot->id == id)
            return plot.get();
    return nullptr;
}

void PlotsPanel::newPlot()
{
    auto plot = std::make_unique<Plot>();
    plot->id = m_nextPlotId++;
    plot->chart = new QChart();
    plot->chart->legend()->hide(); // it renders rich text; the series list names the series
    plot->chart->setMargins(QMargins(4, 4, 4, 4));
    plot->timeAxis = new QDateTimeAxis(plot->chart);
    plot->timeAxis->setFormat(u"hh:mm:ss"_s);
    plot->timeAxis->setTitleText(tr("Receive time"));
    plot->valueXAxis = new QValueAxis(plot->chart);
    plot->yAxis = new QValueAxis(plot->chart);
    plot->chart->addAxis(plot->timeAxis, Qt::AlignBottom);
    plot->chart->addAxis(plot->yAxis, Qt::AlignLeft);

    Plot *raw = plot.get();
    const auto zoomed = [this, raw] {
        if (m_applying)
            return;
        raw->zoomed = true;
        raw->viewChanged = true;
        ++raw->viewGeneration;
    };
    plot->page = new QSplitter(Qt::Vertical, m_tabs);
    plot->page->setObjectName(u"plot%1"_s.arg(plot->id));
    plot->view = new ZoomingChartView(plot->chart, zoomed, plot->page);
    plot->view->setObjectName(u"plotView"_s);
    plot->view->setMinimumHeight(120);
    for (QAbstractAxis *axis : { static_cast<QAbstractAxis *>(plot->timeAxis),
             static_cast<QAbstractAxis *>(plot->valueXAxis), static_cast<QAbstractAxis *>(plot->yAxis) }) {
        if (auto *value = qobject_cast<QValueAxis *>(axis))
            connect(value, &QValueAxis::rangeChanged, this, zoomed);
        else if (auto *time = qobject_cast<QDateTimeAxis *>(axis))
            connect(time, &QDateTimeAxis::rangeChanged, this, zoomed);
    }
    plot->list = new QTreeWidget(plot->page);
    plot->list->setObjectName(u"seriesList"_s);
    plot->list->setColumnCount(ColumnCount);
    plot->list->setHeaderLabels(
        { tr("Series"), tr("Points"), tr("Without field"), tr("Not numeric"), tr("Not seen") });
    plot->list->setRootIsDecorated(true);
    plot->list->setUniformRowHeights(true);
    plot->list->header()->setStretchLastSection(false);
    plot->list->header()->setSectionResizeMode(SeriesColumn, QHeaderView::Stretch);
    plot->list->setToolTip(
        tr("Not seen: messages evicted from the store (retention) before the plot read them"));
    // The plot takes what the dock has; the series list gets a quarter (its own size hint would take more).
    plot->list->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Ignored);
    plot->list->setMinimumHeight(70);
    static_cast<QSplitter *>(plot->page)->addWidget(plot->view);
    static_cast<QSplitter *>(plot->page)->addWidget(plot->list);
    static_cast<QSplitter *>(plot->page)->setStretchFactor(0, 3);
    static_cast<QSplitter *>(plot->page)->setStretchFactor(1, 1);
    static_cast<QSplitter *>(plot->page)->setSizes({ 3000, 1000 }); // scaled to the page when it is laid out

    m_plots.push_back(std::move(plot));
    m_tabs->addTab(raw->page, tr("Plot %1").arg(raw->id));
    m_tabs->setCurrentWidget(raw->page);
    updateControls();
}

void PlotsPanel::removeCurrentPlot()
{
    Plot *plot = currentPlot();
    if (!plot)
        return;
    waitForJob();
    for (const Field &field : plot->fields)
        m_sampler->removeField(field.key);
    const int index = m_tabs->currentIndex();
    m_tabs->removeTab(index);
    delete plot->page; // the view (which owns the chart) and the list
    m_plots.erase(m_plots.begin() + index);
    updateControls();
}

void PlotsPanel::plotField(const JsonPath &path, SocketId socket, const QString &socketName)
{
    if (m_plots.empty())
        newPlot();
    Plot *plot = currentPlot();
    waitForJob();
    PlotField spec;
    spec.value = path;
    spec.time = plot->time;
    spec.socket = socket;
    Field field;
    field.key = m_sampler->addField(spec);
    field.name = tr("%1 on %2").arg(path.text(), socketName);
    field.item = new QTreeWidgetItem(plot->list, { field.name });
    field.item->setExpanded(true);
    field.item->setData(SeriesColumn, Qt::UserRole, field.key);
    plot->fields.push_back(std::move(field));
    plot->viewChanged = true;
    ++plot->viewGeneration;
    updateControls();
}

void PlotsPanel::removeLine(Plot &plot, Field &field, int index)
{
    const auto found = field.lines.find(index);
    if (found == field.lines.end())
        return;
    plot.chart->removeSeries(found->second.series);
    delete found->second.series;
    delete found->second.item;
    field.lines.erase(found);
}

void PlotsPanel::removeField(Plot &plot, int key)
{
    Field *field = plot.field(key);
    if (!field)
        return;
    while (!field->lines.empty())
        removeLine(plot, *field, field->lines.begin()->first);
    delete field->item;
    m_sampler->removeField(key);
    std::erase_if(plot.fields, [key](const Field &f) { return f.key == key; });
}

void PlotsPanel::removeSelectedSeries()
{
    Plot *plot = currentPlot();
    if (!plot || !plot->list->currentItem())
        return;
    waitForJob();
    QTreeWidgetItem *item = plot->list->currentItem();
    if (!item->parent()) {
        removeField(*plot, item->data(SeriesColumn, Qt::UserRole).toInt());
    } else if (Field *field = plot->field(item->parent()->data(SeriesColumn, Qt::UserRole).toInt())) {
        const int index = item->data(SeriesColumn, Qt::UserRole).toInt();
        field->removedIds.append(index);
        removeLine(*plot, *field, index);
    }
    plot->viewChanged = true;
    ++plot->viewGeneration;
    updateControls();
}

void PlotsPanel::setTimeField(const std::optional<JsonPath> &time)
{
    Plot *plot = currentPlot();
    if (!plot || plot->time == time)
        return;
    waitForJob();
    const QScopedValueRollback applying(m_applying, true);
    plot->chart->removeAxis(plot->xAxis());
    plot->time = time;
    plot->chart->addAxis(plot->xAxis(), Qt::AlignBottom);
    if (time)
        plot->valueXAxis->setTitleText(time->text().toHtmlEscaped()); // axis titles are rich text
    // The points are another field's now: every field is read again from the oldest message held.
    for (Field &field : plot->fields) {
        while (!field.lines.empty())
            removeLine(*plot, field, field.lines.begin()->first);
        field.removedIds.clear();
        PlotField spec = *m_sampler->field(field.key);
        m_sampler->removeField(field.key);
        spec.time = time;
        field.key = m_sampler->addField(spec);
        field.item->setData(SeriesColumn, Qt::UserRole, field.key);
    }
    plot->zoomed = false;
    plot->viewChanged = true;
    ++plot->viewGeneration;
    m_xAxisBox->setCurrentIndex(time ? 1 : 0);
    if (time)
        m_timeFieldEdit->setText(time->text());
    updateControls();
}

void PlotsPanel::applyTimeField()
{
    const QString text = m_timeFieldEdit->text().trimmed();
    const Result<JsonPath> path = JsonPath::parse(text);
    if (!path) {
        m_timeFieldError = tr("The time field %1 is not a JSON path: %2").arg(text, path.errorMessage());
        updateControls();
        return;
    }
    m_timeFieldError.clear();
    m_xAxisBox->setCurrentIndex(1);
    setTimeField(*path);
}

void PlotsPanel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    waitForJob();
    m_paused = paused;
    m_pauseAction->setChecked(paused);
    for (const auto &plot : m_plots) {
        for (Field &field : plot->fields)
            for (auto &[index, line] : field.lines)
                line.frozenCount = line.size;
        plot->viewChanged = true;
        ++plot->viewGeneration;
    }
    updateControls();
}

void PlotsPanel::resetZoom()
{
    if (Plot *plot = currentPlot()) {
        plot->zoomed = false;
        plot->viewChanged = true;
        ++plot->viewGeneration;
    }
}

void PlotsPanel::setDecoders(const DecoderSet &decoders)
{
    waitForJob();
    m_sampler->setDecoders(decoders);
}

void PlotsPanel::setSocketNames(const QHash<SocketId, QString> &names)
{
    waitForJob();
    m_sampler->setSocketNames(names);
}

void PlotsPanel::updateControls()
{
    Plot *plot = currentPlot();
    m_placeholder->setVisible(m_plots.empty());
    m_tabs->setVisible(!m_plots.empty());
    m_removePlotAction->setEnabled(plot);
    m_removeSeriesAction->setEnabled(plot && !plot->fields.empty());
    m_resetZoomAction->setEnabled(plot);
    m_xAxisBox->setEnabled(plot);
    m_timeFieldEdit->setEnabled(plot && m_xAxisBox->currentIndex() == 1);
    if (!m_timeFieldError.isEmpty())
        m_status->setText(m_timeFieldError);
    else if (m_paused)
        m_status->setText(tr("Paused: the plots stay as they are while %1 points are kept and counted.")
                              .arg(number(m_pointsKept)));
    else
        m_status->setText(m_notSeen == 0
                ? tr("%1 points kept.").arg(number(m_pointsKept))
                : tr("%1 points kept; %2 messages were evicted from the store before the plots read them.")
                      .arg(number(m_pointsKept), number(m_notSeen)));
}

void PlotsPanel::handleTick()
{
    if (m_job.isRunning())
        return;
    if (m_jobResult && !m_jobResult->applied)
        applyJob(*m_jobResult);
    if (!m_sampler->fieldKeys().isEmpty())
        startJob();
}

void PlotsPanel::refreshNow()
{
    waitForJob();
    startJob();
    waitForJob();
}

void PlotsPanel::waitForJob()
{
    m_job.waitForFinished();
    if (m_jobResult && !m_jobResult->applied)
        applyJob(*m_jobResult);
}

void PlotsPanel::startJob()
{
    auto job = std::make_shared<Job>();
    for (const auto &plot : m_plots) {
        Job::Request request;
        request.plot = plot->id;
        request.viewGeneration = plot->viewGeneration;
        request.draw = !m_paused || plot->viewChanged;
        request.autoRange = !plot->zoomed;
        // A column of two pixels holds its lowest and highest point: a point per pixel, spikes kept,
        // and half the points a column per pixel would give the chart to lay out and draw.
        request.columns = std::max(1, int(plot->chart->plotArea().width()) / PixelsPerColumn);
        if (plot->zoomed) {
            if (plot->time) {
                request.x0 = plot->valueXAxis->min();
                request.x1 = plot->valueXAxis->max();
            } else {
                request.x0 = double(plot->timeAxis->min().toMSecsSinceEpoch());
                request.x1 = double(plot->timeAxis->max().toMSecsSinceEpoch());
            }
        }
        if (m_paused)
            request.limits.emplace();
        for (const Field &field : plot->fields) {
            request.fields.push_back(field.key);
            for (const int index : field.removedIds)
                request.removed.insert({ field.key, index });
            if (m_paused)
                for (const auto &[index, line] : field.lines)
                    request.limits->insert({ { field.key, index }, line.frozenCount });
        }
        job->requests.push_back(std::move(request));
    }
    auto result = std::make_shared<JobResult>();
    m_jobResult = result;
    m_job = QtConcurrent::run(&m_pool, [sampler = m_sampler, job, result] { result->run(*sampler, *job); });
}

void PlotsPanel::applyJob(const JobResult &result)
{
    m_jobResult->applied = true;
    // Attaching a series and setting ranges move the axes too: none of it is the user's zoom.
    const QScopedValueRollback applying(m_applying, true);
    m_pointsKept = 0;
    m_notSeen = 0;
    for (const PlotCounts &counts : result.counts) {
        m_pointsKept += counts.points;
        m_notSeen += counts.notSeen;
    }
    for (const JobResult::PlotResult &drawn : result.plots) {
        Plot *plot = plotById(drawn.plot);
        if (!plot)
            continue;
        for (const JobResult::Series &series : drawn.series) {
            Field *field = plot->field(series.field);
            if (!field || field->removedIds.contains(series.index))
                continue;
            auto found = field->lines.find(series.index);
            if (found == field->lines.end()) {
                Line line;
                line.series = new QLineSeries();
                plot->chart->addSeries(line.series);
                // One-pixel lines: wider ones take the raster engine several times as long to draw.
                QPen pen = line.series->pen();
                pen.setWidth(1);
                line.series->setPen(pen);
                line.series->attachAxis(plot->xAxis());
                line.series->attachAxis(plot->yAxis);
                QPixmap swatch(12, 12);
                swatch.fill(line.series->color());
                const QString id = series.id.isEmpty()
                    ? tr("(no id)")
                    : displaytext::oneLine(series.id, 120, displaytext::BinaryStyle::Compact);
                line.item = new QTreeWidgetItem(field->item, { id });
                line.item->setIcon(SeriesColumn, QIcon(swatch));
                line.item->setData(SeriesColumn, Qt::UserRole, series.index);
                found = field->lines.emplace(series.index, line).first;
            }
            Line &line = found->second;
            line.size = series.size;
            line.item->setText(PointsColumn, number(series.size));
            if (series.drawn)
                line.series->replace(series.points);
        }
        for (Field &field : plot->fields) {
            const PlotCounts counts = result.counts.value(field.key);
            field.item->setText(PointsColumn, number(counts.points));
            field.item->setText(WithoutFieldColumn, number(counts.withoutField));
            field.item->setText(NotNumericColumn, number(counts.notNumeric));
            field.item->setText(NotSeenColumn, number(counts.notSeen));
            if (counts.otherIds > 0)
                field.item->setToolTip(SeriesColumn,
                    tr("%1 points of ids beyond the first %2 are counted, not plotted")
                        .arg(number(counts.otherIds))
                        .arg(PlotSampler::MaxSeriesPerField));
        }
        if (!drawn.drawn)
            continue;
        // The view changed since the job was asked for (a zoom): the next job draws it.
        if (drawn.viewGeneration != plot->viewGeneration)
            continue;
        plot->viewChanged = false;
        if (drawn.autoRange && drawn.x0 <= drawn.x1) {
            const auto [x0, x1] = widened(drawn.x0, drawn.x1, 0);
            if (plot->time)
                plot->valueXAxis->setRange(x0, x1);
            else
                plot->timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(qint64(std::floor(x0))),
                    QDateTime::fromMSecsSinceEpoch(qint64(std::ceil(x1))));
            const auto [y0, y1] = widened(drawn.yMin, drawn.yMax, 0.05);
            plot->yAxis->setRange(y0, y1);
        }
    }
    updateControls();
    Q_EMIT refreshed();
}

} // namespace zmqscope
