#include "statisticsview.h"

#include <algorithm>
#include <cerrno>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include "analysis/analysistable.h"
#include "displaytext.h"
#include "statisticsmodel.h"

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

constexpr std::int64_t SecondUs = 1'000'000;

/// Seconds each Span shows; 0 for the whole session.
std::int64_t spanSeconds(StatisticsView::Span span)
{
    switch (span) {
    case StatisticsView::Span::LastMinute:
        return 60;
    case StatisticsView::Span::Last5Minutes:
        return 300;
    case StatisticsView::Span::Last15Minutes:
        return 900;
    case StatisticsView::Span::LastHour:
        return 3600;
    case StatisticsView::Span::WholeSession:
        break;
    }
    return 0;
}

QChartView *makeChartView(QChart *chart, QWidget *parent)
{
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(160);
    return view;
}

/// A bar chart of one set with a category axis under it and a count axis beside it.
QChart *makeHistogram(
    const QString &setName, QBarSet *&bars, QBarCategoryAxis *&categories, QValueAxis *&counts)
{
    auto *chart = new QChart;
    auto *series = new QBarSeries(chart);
    bars = new QBarSet(setName, series);
    series->append(bars);
    series->setBarWidth(0.9);
    chart->addSeries(series);
    categories = new QBarCategoryAxis(chart);
    counts = new QValueAxis(chart);
    counts->setLabelFormat(u"%.0f"_s);
    counts->setTitleText(u"messages"_s);
    chart->addAxis(categories, Qt::AlignBottom);
    chart->addAxis(counts, Qt::AlignLeft);
    series->attachAxis(categories);
    series->attachAxis(counts);
    chart->legend()->hide();
    return chart;
}

/// Shows the non-empty stretch of a histogram: one bar per power of two, labelled with its lower end.
template<typename Label>
void showHistogram(const std::vector<HistogramBucket> &histogram, QBarSet *bars, QBarCategoryAxis *categories,
    QValueAxis *counts, Label &&label)
{
    auto first = std::find_if(histogram.begin(), histogram.end(), [](const auto &b) { return b.count > 0; });
    auto last = std::find_if(histogram.rbegin(), histogram.rend(), [](const auto &b) { return b.count > 0; });
    QStringList names;
    QList<qreal> values;
    std::uint64_t most = 0;
    if (first != histogram.end()) {
        for (auto it = first; it != last.base(); ++it) {
            names.append(label(*it));
            values.append(qreal(it->count));
            most = std::max(most, it->count);
        }
    }
    if (bars->count() > 0)
        bars->remove(0, bars->count());
    categories->setCategories(names);
    bars->append(values);
    counts->setRange(0, std::max<qreal>(1, qreal(most) * 1.1));
}

/// "≥ 850 µs"-style labels of time buckets.
QString durationLabel(std::uint64_t us)
{
    if (us < 1000)
        return u"%1 µs"_s.arg(us);
    if (us < 1'000'000)
        return u"%1 ms"_s.arg(double(us) / 1000, 0, 'g', 3);
    return u"%1 s"_s.arg(double(us) / 1e6, 0, 'g', 3);
}

/// Lowers the calling thread's priority once, as Engine::lowerThreadPriority() does the engine's.
void lowerWorkerPriority()
{
    static thread_local bool lowered = false;
    if (lowered)
        return;
    lowered = true;
#ifdef Q_OS_LINUX
    // Linux keeps a nice value per thread (setpriority(2), NOTES): this one only, not the GUI's.
    const pid_t thread = gettid();
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, id_t(thread));
    if (current != -1 || errno == 0)
        (void)setpriority(PRIO_PROCESS, id_t(thread), std::min(current + 10, 19));
#else
    QThread::currentThread()->setPriority(QThread::LowPriority);
#endif
}

} // namespace

StatisticsView::StatisticsView(const MessageStore &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_statistics(std::make_shared<TrafficStatistics>())
    , m_nextSeq(store.firstSeq())
{
    setObjectName(u"statisticsView"_s);
    m_model = new StatisticsModel(this);
    m_model->setObjectName(u"statisticsModel"_s);

    m_spanBox = new QComboBox(this);
    m_spanBox->setObjectName(u"statisticsSpan"_s);
    m_spanBox->addItems(
        { u"Last minute"_s, u"Last 5 minutes"_s, u"Last 15 minutes"_s, u"Last hour"_s, u"Whole session"_s });
    m_spanBox->setCurrentIndex(int(Span::Last5Minutes));
    m_spanBox->setToolTip(u"What the rate chart spans"_s);
    connect(m_spanBox, &QComboBox::currentIndexChanged, this, &StatisticsView::refresh);
    auto *resetButton = new QPushButton(u"&Reset"_s, this);
    resetButton->setObjectName(u"statisticsReset"_s);
    resetButton->setToolTip(u"Forget what was counted and count from the next message on"_s);
    connect(resetButton, &QPushButton::clicked, this, &StatisticsView::reset);
    m_countLabel = new QLabel(this);
    m_countLabel->setTextFormat(Qt::PlainText);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(new QLabel(u"Chart:"_s, this));
    top->addWidget(m_spanBox);
    top->addWidget(resetButton);
    top->addWidget(m_countLabel, 1);

    m_table = makeAnalysisTable(*m_model, u"statisticsTable"_s, this);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &StatisticsView::handleCurrentRowChanged);

    // Rates: messages/s on the left axis, bytes/s on the right, over wall-clock time.
    m_rateChart = new QChart;
    m_messagesSeries = new QLineSeries(m_rateChart);
    m_messagesSeries->setName(u"messages/s"_s);
    m_bytesSeries = new QLineSeries(m_rateChart);
    m_bytesSeries->setName(u"bytes/s"_s);
    m_rateChart->addSeries(m_messagesSeries);
    m_rateChart->addSeries(m_bytesSeries);
    m_timeAxis = new QDateTimeAxis(m_rateChart);
    m_timeAxis->setFormat(u"HH:mm:ss"_s);
    m_timeAxis->setTickCount(5);
    m_messagesAxis = new QValueAxis(m_rateChart);
    m_messagesAxis->setTitleText(u"messages/s"_s);
    m_messagesAxis->setLabelFormat(u"%.0f"_s);
    m_bytesAxis = new QValueAxis(m_rateChart);
    m_bytesAxis->setTitleText(u"bytes/s"_s);
    m_bytesAxis->setLabelFormat(u"%.3g"_s);
    m_rateChart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_rateChart->addAxis(m_messagesAxis, Qt::AlignLeft);
    m_rateChart->addAxis(m_bytesAxis, Qt::AlignRight);
    m_messagesSeries->attachAxis(m_timeAxis);
    m_messagesSeries->attachAxis(m_messagesAxis);
    m_bytesSeries->attachAxis(m_timeAxis);
    m_bytesSeries->attachAxis(m_bytesAxis);

    QChart *sizeChart = makeHistogram(u"sizes"_s, m_sizeBars, m_sizeCategories, m_sizeCounts);
    m_sizeCategories->setTitleText(u"message size, at least"_s);
    QChart *intervalChart
        = makeHistogram(u"inter-arrival"_s, m_intervalBars, m_intervalCategories, m_intervalCounts);
    m_intervalCategories->setTitleText(u"time since the previous message, at least"_s);

    auto *charts = new QTabWidget(this);
    charts->setObjectName(u"statisticsCharts"_s);
    charts->addTab(makeChartView(m_rateChart, charts), u"Rate"_s);
    charts->addTab(makeChartView(sizeChart, charts), u"Sizes"_s);
    charts->addTab(makeChartView(intervalChart, charts), u"Inter-arrival"_s);
    m_selectedLabel = new QLabel(this);
    m_selectedLabel->setObjectName(u"statisticsSelected"_s);
    m_selectedLabel->setTextFormat(Qt::PlainText);
    auto *chartPane = new QWidget(this);
    auto *chartLayout = new QVBoxLayout(chartPane);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    chartLayout->addWidget(m_selectedLabel);
    chartLayout->addWidget(charts, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(chartPane);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    m_pool.setMaxThreadCount(1);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &StatisticsView::handleBatchFinished);
    // Always ticking (cheap when out of view): a tab brought forward shows no event to start it.
    m_timer.setInterval(RefreshIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StatisticsView::refresh);
    m_timer.start();
    clearCharts();
}

StatisticsView::~StatisticsView()
{
    // The batch reads the store and the statistics: it ends before they may go.
    m_watcher.waitForFinished();
}

void StatisticsView::setSocketNames(const QHash<SocketId, QString> &names)
{
    m_model->setSocketNames(names);
    if (m_selected)
        handleCurrentRowChanged();
}

void StatisticsView::setSpan(Span span)
{
    m_spanBox->setCurrentIndex(int(span));
}

StatisticsView::Span StatisticsView::span() const
{
    return Span(m_spanBox->currentIndex());
}

void StatisticsView::reset()
{
    // A batch under way finishes on the old statistics and is thrown away (its generation is older).
    ++m_generation;
    m_statistics = std::make_shared<TrafficStatistics>();
    m_nextSeq = m_store.endSeq();
    m_selected.reset();
    m_model->reset();
    clearCharts();
    m_countLabel->clear();
    m_selectedLabel->setText(u"Select a row to chart it"_s);
    refresh();
}

bool StatisticsView::isInView() const
{
    return isVisible() && !visibleRegion().isEmpty();
}

void StatisticsView::refresh()
{
    if (!isInView())
        return;
    if (m_watcher.isRunning()) {
        m_again = true;
        return;
    }
    m_again = false;
    m_watcher.setFuture(QtConcurrent::run(&m_pool,
        [statistics = m_statistics, &store = m_store, from = m_nextSeq, key = m_selected,
            generation = m_generation, nowUs = MessageStore::nowUs()] {
            lowerWorkerPriority();
            Batch batch;
            const std::uint64_t end = store.endSeq();
            batch.nextSeq = statistics->consume(store, from, end, BatchMessages);
            batch.more = batch.nextSeq < end;
            batch.snapshot = statistics->snapshot(key, nowUs);
            batch.generation = generation;
            return batch;
        }));
}

void StatisticsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Laid out by the time queued calls run: then it can tell whether it is in view.
    QMetaObject::invokeMethod(this, &StatisticsView::refresh, Qt::QueuedConnection);
}

void StatisticsView::handleBatchFinished()
{
    Batch batch = m_watcher.result();
    if (batch.generation != m_generation) {
        refresh();
        return;
    }
    m_nextSeq = batch.nextSeq;
    m_model->setRows(std::move(batch.snapshot.rows));
    m_countLabel->setText(u"%1 messages counted"_s.arg(QLocale().toString(batch.snapshot.messages)));
    // The first socket is selected once there is one, so the charts show something from the start.
    if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
        m_table->selectRow(0);
    else
        showDetail(batch.snapshot);
    Q_EMIT refreshed();
    // Catching up (the view was hidden, or a flood): the next batch goes now, not on the next tick.
    if (batch.more || m_again)
        refresh();
}

void StatisticsView::handleCurrentRowChanged()
{
    const QModelIndex current = m_table->currentIndex();
    std::optional<TrafficKey> key;
    if (current.isValid())
        key = m_model->summaryAt(current.row()).key;
    if (key != m_selected) {
        m_selected = key;
        clearCharts();
        refresh();
    }
    if (m_selected) {
        m_selectedLabel->setText(
            m_model->socketName(m_selected->socket) + u" · "_s + StatisticsModel::idText(*m_selected));
    } else {
        m_selectedLabel->setText(u"Select a row to chart it"_s);
    }
}

void StatisticsView::clearCharts()
{
    m_messagesSeries->clear();
    m_bytesSeries->clear();
    const QDateTime now = QDateTime::currentDateTime();
    m_timeAxis->setRange(now.addSecs(-spanSeconds(span()) - 1), now);
    m_messagesAxis->setRange(0, 1);
    m_bytesAxis->setRange(0, 1);
    showHistogram(
        {}, m_sizeBars, m_sizeCategories, m_sizeCounts, [](const HistogramBucket &) { return QString(); });
    showHistogram({}, m_intervalBars, m_intervalCategories, m_intervalCounts,
        [](const HistogramBucket &) { return QString(); });
}

void StatisticsView::showDetail(const TrafficSnapshot &snapshot)
{
    if (!snapshot.detail || !m_selected || snapshot.detail->key != *m_selected)
        return;
    const TrafficDetail &detail = *snapshot.detail;
    const std::int64_t seconds = spanSeconds(span());
    showRates(seconds > 0 ? detail.rolling : detail.session, seconds, snapshot.newestUs);
    showHistogram(detail.sizeHistogram, m_sizeBars, m_sizeCategories, m_sizeCounts,
        [](const HistogramBucket &b) { return displaytext::dataSize(b.lower); });
    showHistogram(detail.intervalHistogram, m_intervalBars, m_intervalCategories, m_intervalCounts,
        [](const HistogramBucket &b) { return durationLabel(b.lower); });
}

void StatisticsView::showRates(const TrafficSeries &series, std::int64_t seconds, std::int64_t newestUs)
{
    if (series.buckets.empty()) {
        // Nothing in the span (a rolling window over a file whose traffic ended long ago).
        m_messagesSeries->clear();
        m_bytesSeries->clear();
        return;
    }

    // Live traffic: the chart ends now, and the bucket now falls in is left out (it is still filling, the
    // line would dip at its end). Older traffic (a file, a socket quiet for a while): it ends with the
    // bucket of the last message.
    const std::int64_t nowUs = MessageStore::nowUs();
    const bool live = newestUs > nowUs - std::max<std::int64_t>(seconds, 60) * SecondUs;
    const std::int64_t endUs = live ? std::max(nowUs, newestUs) : newestUs;
    const std::int64_t width = series.bucketUs;
    const std::int64_t lastBucket = (endUs - series.buckets.front().startUs) / width + (live ? 0 : 1);
    std::int64_t startUs = series.buckets.front().startUs;
    if (seconds > 0)
        startUs = std::max(startUs, endUs - seconds * SecondUs);
    const std::int64_t stopUs
        = series.buckets.front().startUs + std::max<std::int64_t>(0, lastBucket) * width;
    QList<QPointF> messages;
    QList<QPointF> bytes;
    double mostMessages = 0;
    double mostBytes = 0;
    const double perSecond = double(SecondUs) / double(width);
    auto bucket = series.buckets.begin();
    for (std::int64_t at = startUs - (startUs - series.buckets.front().startUs) % width; at < stopUs;
         at += width) {
        while (bucket != series.buckets.end() && bucket->startUs < at)
            ++bucket;
        const bool has = bucket != series.buckets.end() && bucket->startUs == at;
        const double m = has ? double(bucket->messages) * perSecond : 0;
        const double b = has ? double(bucket->bytes) * perSecond : 0;
        const qreal x = qreal(at) / 1000; // ms
        messages.append({ x, m });
        bytes.append({ x, b });
        mostMessages = std::max(mostMessages, m);
        mostBytes = std::max(mostBytes, b);
    }
    m_messagesSeries->replace(messages);
    m_bytesSeries->replace(bytes);
    const std::int64_t leftUs = seconds > 0 ? endUs - seconds * SecondUs : series.buckets.front().startUs;
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(leftUs / 1000),
        QDateTime::fromMSecsSinceEpoch(std::max(endUs, leftUs + SecondUs) / 1000));
    m_timeAxis->setFormat(seconds > 0 && seconds <= 3600 ? u"HH:mm:ss"_s : u"MM-dd HH:mm"_s);
    m_messagesAxis->setRange(0, std::max(1.0, mostMessages * 1.1));
    m_bytesAxis->setRange(0, std::max(1.0, mostBytes * 1.1));
}

} // namespace zmqscope
