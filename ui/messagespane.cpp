#include "messagespane.h"

#include <utility>

#include <QFontDatabase>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

#include "filterbar.h"
#include "messagetablemodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// Sets a flag for the lifetime of the scope, restoring what it was.
class FlagGuard
{
public:
    explicit FlagGuard(bool &flag)
        : m_flag(flag)
        , m_old(std::exchange(flag, true))
    { }
    ~FlagGuard() { m_flag = m_old; }
    FlagGuard(const FlagGuard &) = delete;
    FlagGuard &operator=(const FlagGuard &) = delete;

private:
    bool &m_flag;
    bool m_old;
};

} // namespace

MessagesPane::MessagesPane(const MessageStore &store, QWidget *parent)
    : QWidget(parent)
{
    m_model = new MessageTableModel(store, this);
    m_filterBar = new FilterBar(this);

    m_table = new QTableView(this);
    m_table->setObjectName(u"messagesTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSortingEnabled(false);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setTabKeyNavigation(false);

    // Uniform row heights: the view never measures a row, whatever the model holds.
    QHeaderView *rows = m_table->verticalHeader();
    rows->setVisible(false);
    rows->setSectionResizeMode(QHeaderView::Fixed);
    const int rowHeight = qMax(m_table->fontMetrics().height(),
                              QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont)).height())
        + 6;
    rows->setDefaultSectionSize(rowHeight);
    rows->setMinimumSectionSize(rowHeight);

    QHeaderView *columns = m_table->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setSectionsMovable(true);
    columns->setStretchLastSection(true);
    columns->setSectionResizeMode(QHeaderView::Interactive);
    const QFontMetrics fixed(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    const QFontMetrics normal(m_table->font());
    const auto fixedWidth = [&fixed](int chars) { return fixed.horizontalAdvance(u'0') * chars + 16; };
    m_table->setColumnWidth(MessageTableModel::SeqColumn, fixedWidth(6));
    m_table->setColumnWidth(MessageTableModel::TimeColumn, fixedWidth(12));
    m_table->setColumnWidth(
        MessageTableModel::SocketColumn, normal.horizontalAdvance(u"Router DEALER"_s) + 16);
    m_table->setColumnWidth(MessageTableModel::DirectionColumn, normal.horizontalAdvance(u"out"_s) + 20);
    m_table->setColumnWidth(MessageTableModel::RouteColumn, fixedWidth(10));
    m_table->setColumnWidth(MessageTableModel::IdColumn, fixedWidth(16));
    m_table->setColumnWidth(
        MessageTableModel::MimetypeColumn, normal.horizontalAdvance(u"application/json"_s) + 16);
    m_table->setColumnWidth(MessageTableModel::SizeColumn, fixedWidth(8));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->setSpacing(4);
    layout->addWidget(m_filterBar);
    layout->addWidget(m_table, 1);
    setFocusProxy(m_table);

    connect(m_filterBar, &FilterBar::filterChanged, this, &MessagesPane::handleFilterChanged);
    connect(m_model, &MessageTableModel::scanningChanged, m_filterBar, &FilterBar::setScanning);
    connect(m_model, &MessageTableModel::scanningChanged, this, &MessagesPane::scanningChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MessagesPane::handleModelReset);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &MessagesPane::handleCurrentChanged);
    connect(m_table->verticalScrollBar(), &QAbstractSlider::actionTriggered, this,
        &MessagesPane::handleScrollAction);
    connect(m_table->verticalScrollBar(), &QAbstractSlider::valueChanged, this,
        &MessagesPane::handleScrollValueChanged);
}

void MessagesPane::refresh()
{
    {
        const FlagGuard guard(m_programmatic);
        m_model->refresh();

        if (m_currentSeq) {
            // The selected message was evicted: the selection model moved "current" to a neighbour,
            // which would show another message as if the user had picked it. Drop it instead; the
            // detail pane keeps the copy it has.
            const QModelIndex current = m_table->currentIndex();
            const bool moved = current.isValid() && m_model->seqAt(current.row()) != *m_currentSeq;
            if (moved || (current.isValid() && m_model->rowForSeq(*m_currentSeq) < 0)) {
                m_table->selectionModel()->clear();
            }
            if (m_reselectSeq) {
                const int row = m_model->rowForSeq(*m_reselectSeq);
                if (row >= 0) {
                    m_table->selectionModel()->setCurrentIndex(m_model->index(row, 0),
                        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                    if (!m_following)
                        m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
                    m_reselectSeq.reset();
                } else if (m_model->isCaughtUp()) {
                    m_reselectSeq.reset();
                }
            }
        }
    }
    if (m_following)
        scrollToNewest();
}

void MessagesPane::scrollToNewest()
{
    const FlagGuard guard(m_programmatic);
    m_table->scrollToBottom();
}

void MessagesPane::setFollowing(bool following)
{
    if (following)
        scrollToNewest();
    if (m_following == following)
        return;
    m_following = following;
    Q_EMIT followingChanged(following);
}

bool MessagesPane::selectSeq(std::uint64_t seq)
{
    const int row = m_model->rowForSeq(seq);
    if (row < 0)
        return false;
    // Like a click: the user wants to look at this row, so it stops the auto-scroll.
    setFollowing(false);
    const QModelIndex index = m_model->index(row, 0);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index, QAbstractItemView::PositionAtCenter);
    return true;
}

void MessagesPane::setSockets(const QList<SocketInfo> &sockets)
{
    QHash<SocketId, QString> names;
    for (const SocketInfo &info : sockets)
        names.insert(info.id, info.spec.name);
    m_model->setSocketNames(names);
    m_filterBar->setSockets(sockets);
}

void MessagesPane::handleCurrentChanged()
{
    if (m_programmatic)
        return;
    const QModelIndex current = m_table->currentIndex();
    std::optional<std::uint64_t> seq;
    if (current.isValid())
        seq = m_model->seqAt(current.row());
    if (seq == m_currentSeq)
        return;
    m_currentSeq = seq;
    m_reselectSeq.reset();
    if (seq)
        setFollowing(false);
    Q_EMIT currentMessageChanged(seq);
}

void MessagesPane::handleFilterChanged(const MessageFilter &filter)
{
    m_model->setFilter(filter);
}

void MessagesPane::handleModelReset()
{
    if (!m_currentSeq)
        return;
    const FlagGuard guard(m_programmatic);
    const int row = m_model->rowForSeq(*m_currentSeq);
    if (row < 0) {
        // The filter worker may still find it; refresh() selects it then.
        m_reselectSeq = m_currentSeq;
        return;
    }
    m_table->selectionModel()->setCurrentIndex(
        m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    if (!m_following)
        m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
}

void MessagesPane::handleScrollAction(int action)
{
    if (m_programmatic || action == QAbstractSlider::SliderNoAction)
        return;
    // actionTriggered comes before the value moves; sliderPosition() is where it is going.
    const QScrollBar *bar = m_table->verticalScrollBar();
    setFollowing(bar->sliderPosition() >= bar->maximum());
}

void MessagesPane::handleScrollValueChanged(int value)
{
    if (m_programmatic || !m_following)
        return;
    if (value < m_table->verticalScrollBar()->maximum())
        setFollowing(false);
}

} // namespace zmqscope
