#include "conversationsview.h"

#include <algorithm>
#include <array>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include "analysistable.h"
#include "conversationmodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// Upper edges of the histogram's bins, in µs: 10 µs to 10 s in steps of about 3; one more for the rest.
constexpr std::array<std::int64_t, 13> BinEdgesUs { 10, 30, 100, 300, 1'000, 3'000, 10'000, 30'000, 100'000,
    300'000, 1'000'000, 3'000'000, 10'000'000 };

} // namespace

QStringList ConversationsView::latencyBinLabels()
{
    // Short, to fit under narrow bars: "10µs", "300ms", "1s"; each bin holds up to its label.
    const auto compact = [](std::int64_t us) {
        return latencyText(us).replace(u".00"_s, QString()).replace(u".0 "_s, u" "_s).remove(u' ');
    };
    QStringList labels;
    for (const std::int64_t edge : BinEdgesUs)
        labels << compact(edge);
    labels << u">"_s + compact(BinEdgesUs.back());
    return labels;
}

int ConversationsView::latencyBin(std::int64_t us)
{
    const auto bin = std::lower_bound(BinEdgesUs.begin(), BinEdgesUs.end(), us);
    return int(bin - BinEdgesUs.begin());
}

ConversationsView::ConversationsView(ConversationModel &model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    auto *socketLabel = new QLabel(u"&Socket:"_s, this);
    m_socket = new QComboBox(this);
    m_socket->setObjectName(u"conversationSocket"_s);
    m_socket->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_socket->setMinimumContentsLength(14);
    m_socket->addItem(u"All sockets"_s, 0u);
    socketLabel->setBuddy(m_socket);
    auto *timeoutLabel = new QLabel(u"&Timeout:"_s, this);
    m_timeout = new QSpinBox(this);
    m_timeout->setObjectName(u"conversationTimeout"_s);
    m_timeout->setRange(1, 3'600'000);
    m_timeout->setSuffix(u" ms"_s);
    m_timeout->setValue(model.timeoutMs());
    m_timeout->setToolTip(u"A request without a reply after this long counts as timed out"_s);
    timeoutLabel->setBuddy(m_timeout);
    bar->addWidget(socketLabel);
    bar->addWidget(m_socket);
    bar->addSpacing(12);
    bar->addWidget(timeoutLabel);
    bar->addWidget(m_timeout);
    bar->addStretch(1);

    m_figures = new QLabel(this);
    m_figures->setObjectName(u"conversationFigures"_s);
    m_figures->setTextFormat(Qt::PlainText);
    m_figures->setWordWrap(true);

    m_table = makeAnalysisTable(model, u"conversationTable"_s, this);
    m_table->setAlternatingRowColors(true);

    auto *chart = new QChart;
    chart->setTitle(u"Latency"_s);
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto *series = new QBarSeries(chart);
    m_bars = new QBarSet(u"requests"_s, series);
    const QStringList labels = latencyBinLabels();
    for (qsizetype i = 0; i < labels.size(); ++i)
        m_bars->append(0);
    series->append(m_bars);
    chart->addSeries(series);
    auto *binAxis = new QBarCategoryAxis(chart);
    binAxis->append(labels);
    binAxis->setLabelsAngle(-90);
    binAxis->setTitleText(u"up to"_s);
    QFont small = binAxis->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    binAxis->setLabelsFont(small);
    m_countAxis = new QValueAxis(chart);
    m_countAxis->setLabelFormat(u"%d"_s);
    m_countAxis->setRange(0, 1);
    chart->addAxis(binAxis, Qt::AlignBottom);
    chart->addAxis(m_countAxis, Qt::AlignLeft);
    series->attachAxis(binAxis);
    series->attachAxis(m_countAxis);
    m_chart = new QChartView(chart, this);
    m_chart->setObjectName(u"latencyHistogram"_s);
    m_chart->setRenderHint(QPainter::Antialiasing);

    auto *split = m_split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_table);
    split->addWidget(m_chart);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_figures);
    layout->addWidget(split, 1);

    connect(m_socket, &QComboBox::currentIndexChanged, this, &ConversationsView::updateFigures);
    connect(m_timeout, &QSpinBox::valueChanged, &model, &ConversationModel::setTimeoutMs);
    connect(&model, &ConversationModel::figuresChanged, this, [this] {
        // Many updates in a row redraw once.
        if (m_figuresDue)
            return;
        m_figuresDue = true;
        QTimer::singleShot(100, this, [this] {
            m_figuresDue = false;
            updateSockets();
            updateFigures();
        });
    });
    connect(&model, &QAbstractItemModel::modelReset, this, &ConversationsView::updateSockets);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &ConversationsView::handleCurrentRowChanged);
    connect(m_table, &QAbstractItemView::activated, this, &ConversationsView::handleCurrentRowChanged);
    // Pending requests turn into timed-out ones as the clock goes on.
    auto *clock = new QTimer(this);
    clock->setInterval(1000);
    connect(clock, &QTimer::timeout, this, [this] {
        m_model.updateStates(MessageStore::nowUs());
        updateFigures();
    });
    clock->start();
    updateFigures();
}

void ConversationsView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    const Qt::Orientation orientation = width() * 2 >= height() * 3 ? Qt::Horizontal : Qt::Vertical;
    if (m_split->orientation() == orientation)
        return;
    m_split->setOrientation(orientation);
    // The histogram needs some height to read its bins; the table scrolls.
    const int length = orientation == Qt::Horizontal ? m_split->width() : m_split->height();
    m_split->setSizes({ length * 55 / 100, length * 45 / 100 });
}

QList<qreal> ConversationsView::histogramCounts() const
{
    QList<qreal> counts;
    for (int i = 0; i < m_bars->count(); ++i)
        counts << m_bars->at(i);
    return counts;
}

void ConversationsView::updateSockets()
{
    const QList<SocketId> sockets = m_model.sockets();
    const SocketId current = m_socket->currentData().toUInt();
    QList<SocketId> listed;
    for (int i = 1; i < m_socket->count(); ++i)
        listed << SocketId(m_socket->itemData(i).toUInt());
    if (listed == sockets) {
        for (int i = 1; i < m_socket->count(); ++i)
            m_socket->setItemText(i, m_model.socketName(sockets.at(i - 1)));
        return;
    }
    const QSignalBlocker blocker(m_socket);
    m_socket->clear();
    m_socket->addItem(u"All sockets"_s, 0u);
    for (const SocketId socket : sockets)
        m_socket->addItem(m_model.socketName(socket), uint(socket));
    m_socket->setCurrentIndex(std::max(0, m_socket->findData(uint(current))));
}

void ConversationsView::updateFigures()
{
    const ConversationModel::Figures figures = m_model.figures(m_socket->currentData().toUInt());
    const auto figure = [](const std::optional<std::int64_t> &us) { return us ? latencyText(*us) : u"–"_s; };
    QString text
        = u"%1 requests: %2 answered, %3 pending, %4 timed out · latency p50 %5 · p90 %6 · p99 %7 · max %8"_s
              .arg(figures.requests)
              .arg(figures.answered)
              .arg(figures.pending)
              .arg(figures.timedOut)
              .arg(figure(figures.latency.p50Us), figure(figures.latency.p90Us),
                  figure(figures.latency.p99Us), figure(figures.latency.maxUs));
    if (m_model.unmatchedReplies() > 0)
        text += u" · %1 replies fit no request"_s.arg(m_model.unmatchedReplies());
    m_figures->setText(text);
    // Bin i holds the latencies up to its edge and above the one before; the last one the rest.
    const std::vector<std::int64_t> edges(BinEdgesUs.cbegin(), BinEdgesUs.cend());
    const std::vector<std::uint64_t> atMost
        = m_model.latenciesAtMost(m_socket->currentData().toUInt(), edges);
    std::vector<qreal> counts(std::size_t(latencyBinLabels().size()), 0);
    std::uint64_t below = 0;
    for (std::size_t i = 0; i < atMost.size(); ++i) {
        counts[i] = qreal(atMost[i] - below);
        below = atMost[i];
    }
    counts.back() = qreal(figures.answered - below);
    for (std::size_t i = 0; i < counts.size(); ++i)
        m_bars->replace(int(i), counts[i]);
    const qreal highest = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
    m_countAxis->setRange(0, std::max<qreal>(1, highest * 1.1));
    m_countAxis->applyNiceNumbers();
}

void ConversationsView::handleCurrentRowChanged()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const QVariant reply = current.data(ConversationModel::ReplySeqRole);
    Q_EMIT pairActivated(current.data(ConversationModel::RequestSeqRole).toULongLong(),
        reply.isValid() ? std::optional<quint64>(reply.toULongLong()) : std::nullopt);
}

} // namespace zmqscope
