#include "messagespane.h"

#include <algorithm>
#include <utility>

#include <QClipboard>
#include <QComboBox>
#include <QFontDatabase>
#include <QFrame>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include "directionicons.h"
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

// Turns the view's auto-scroll off for the lifetime of the scope: when we move the current row ourselves
// (window moves, restoring the selection), the view must stay where it is.
class AutoScrollOff
{
public:
    explicit AutoScrollOff(QTableView *table)
        : m_table(table)
        , m_old(table->hasAutoScroll())
    {
        table->setAutoScroll(false);
    }
    ~AutoScrollOff() { m_table->setAutoScroll(m_old); }
    AutoScrollOff(const AutoScrollOff &) = delete;
    AutoScrollOff &operator=(const AutoScrollOff &) = delete;

private:
    QTableView *m_table;
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
    // The table's own bar only spans the model's window; m_scrollBar spans every row. Wheel and keys
    // still move the hidden one.
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->setFrameShape(QFrame::NoFrame);
    m_table->installEventFilter(this);

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
    // The direction's icon, then its short name ("c2s" is the widest).
    const int iconSize = m_table->style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, m_table);
    m_table->setColumnWidth(MessageTableModel::DirectionColumn,
        iconSize + std::max(normal.horizontalAdvance(u"c2s"_s), normal.horizontalAdvance(u"out"_s)) + 24);
    m_table->setColumnWidth(MessageTableModel::PeerColumn, fixedWidth(10));
    m_table->setColumnWidth(MessageTableModel::RouteColumn, fixedWidth(10));
    m_table->setColumnWidth(MessageTableModel::IdColumn, fixedWidth(16));
    m_table->setColumnWidth(
        MessageTableModel::MimetypeColumn, normal.horizontalAdvance(u"application/json"_s) + 16);
    m_table->setColumnWidth(MessageTableModel::SizeColumn, fixedWidth(8));

    // Table and bar in one frame, where a scroll area would draw its own bar.
    auto *frame = new QFrame(this);
    frame->setObjectName(u"messagesFrame"_s);
    frame->setFrameStyle(QFrame::StyledPanel | QFrame::Sunken);
    m_scrollBar = new QScrollBar(Qt::Vertical, frame);
    m_scrollBar->setObjectName(u"messagesScrollBar"_s);
    m_scrollBar->setRange(0, 0);
    m_scrollBar->hide();
    auto *frameLayout = new QHBoxLayout(frame);
    frameLayout->setContentsMargins(
        frame->frameWidth(), frame->frameWidth(), frame->frameWidth(), frame->frameWidth());
    frameLayout->setSpacing(0);
    frameLayout->addWidget(m_table, 1);
    frameLayout->addWidget(m_scrollBar);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->setSpacing(4);
    layout->addWidget(m_filterBar);
    layout->addWidget(createFilterNotice());
    layout->addWidget(frame, 1);
    setFocusProxy(m_table);

    connect(m_filterBar, &FilterBar::filterChanged, this, &MessagesPane::handleFilterChanged);
    connect(m_model, &MessageTableModel::scanningChanged, m_filterBar, &FilterBar::setScanning);
    connect(m_model, &MessageTableModel::scanningChanged, this, &MessagesPane::scanningChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MessagesPane::handleModelReset);
    // A pick is a current row that is also selected: a click makes the row current first and
    // selects it next, so both signals lead to the same check.
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &MessagesPane::handleCurrentChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MessagesPane::handleCurrentChanged);
    connect(m_table->verticalScrollBar(), &QAbstractSlider::actionTriggered, this,
        &MessagesPane::handleScrollAction);
    connect(m_table->verticalScrollBar(), &QAbstractSlider::valueChanged, this,
        &MessagesPane::handleScrollValueChanged);
    connect(m_table->verticalScrollBar(), &QAbstractSlider::rangeChanged, this, [this] {
        if (!m_syncing)
            syncScrollBar();
    });
    connect(m_scrollBar, &QAbstractSlider::actionTriggered, this, &MessagesPane::handleBarAction);
    connect(m_scrollBar, &QAbstractSlider::valueChanged, this, &MessagesPane::handleBarValueChanged);
}

void MessagesPane::refresh()
{
    {
        const FlagGuard programmatic(m_programmatic);
        const FlagGuard syncing(m_syncing);
        const AutoScrollOff autoScrollOff(m_table);
        m_model->refresh();

        if (m_reselectSeq) {
            // The filter worker found the message selected before the filter changed: show it again.
            const int logical = m_model->logicalRowForSeq(*m_reselectSeq);
            if (logical >= 0) {
                showSelectedAgain(*m_reselectSeq, logical);
                m_reselectSeq.reset();
            } else if (m_model->isCaughtUp()) {
                m_reselectSeq.reset();
            }
        }
        // The selected message was evicted or left the window: the selection model moved "current" to
        // a neighbour, which would show another message as if the user had picked it. Drop it instead;
        // the detail pane keeps the copy it has.
        syncSelection();
    }
    if (m_following)
        scrollToNewest();
    else
        keepViewportInsideWindow();
    syncScrollBar();
    updateFilterNotice();
}

QWidget *MessagesPane::createFilterNotice()
{
    m_filterNotice = new QFrame(this);
    m_filterNotice->setObjectName(u"filterNotice"_s);
    m_filterNotice->setFrameShape(QFrame::StyledPanel);
    m_filterNotice->setBackgroundRole(QPalette::ToolTipBase);
    m_filterNotice->setForegroundRole(QPalette::ToolTipText);
    m_filterNotice->setAutoFillBackground(true);
    m_filterNoticeText = new QLabel(m_filterNotice);
    m_filterNoticeText->setObjectName(u"filterNoticeText"_s);
    m_filterNoticeText->setTextFormat(Qt::PlainText);
    m_filterNoticeText->setWordWrap(true);
    auto *showAll = new QPushButton(u"Show All Directions"_s, m_filterNotice);
    showAll->setObjectName(u"showAllDirectionsButton"_s);
    connect(showAll, &QPushButton::clicked, this, [this] { m_filterBar->setDirections(0); });
    auto *noticeLayout = new QHBoxLayout(m_filterNotice);
    noticeLayout->setContentsMargins(8, 4, 8, 4);
    noticeLayout->addWidget(m_filterNoticeText, 1);
    noticeLayout->addWidget(showAll);
    m_filterNotice->hide();
    return m_filterNotice;
}

QString MessagesPane::filterNoticeText() const
{
    return m_filterNotice->isHidden() ? QString() : m_filterNoticeText->text();
}

void MessagesPane::updateFilterNotice()
{
    // An empty table because of the direction box must not look like "nothing matches" (or like no
    // traffic): say which directions the other messages went and offer to show them.
    const MessageFilter::Directions others = m_model->otherDirections();
    const bool hiddenByDirection
        = m_model->totalRows() == 0 && m_model->isCaughtUp() && m_model->filter().directions() != 0 && others;
    if (hiddenByDirection) {
        QStringList names;
        for (const Direction direction :
            { Direction::In, Direction::Out, Direction::ClientToServer, Direction::ServerToClient }) {
            if (others & MessageFilter::directionBit(direction))
                names.append(directionicons::description(direction));
        }
        const QString text = u"Nothing shown: no message went in the direction chosen (%1). Messages that "
                             u"match the rest of the filter went %2."_s.arg(
                                 m_filterBar->directionBox()->currentText(), names.join(u", "_s));
        if (m_filterNoticeText->text() != text)
            m_filterNoticeText->setText(text);
    }
    m_filterNotice->setVisible(hiddenByDirection);
}

void MessagesPane::scrollToNewest()
{
    {
        const FlagGuard programmatic(m_programmatic);
        const FlagGuard syncing(m_syncing);
        const AutoScrollOff autoScrollOff(m_table);
        if (m_model->windowFirst() + m_model->rowCount() < m_model->totalRows()) {
            const std::optional<std::uint64_t> keep = selectionToKeep();
            m_model->setWindowFirst(m_model->totalRows());
            m_table->doItemsLayout();
            syncSelection(keep);
        }
        m_table->scrollToBottom();
    }
    syncScrollBar();
}

void MessagesPane::setFollowing(bool following)
{
    m_model->setFollowingTail(following);
    if (following)
        scrollToNewest();
    if (m_following == following)
        return;
    m_following = following;
    Q_EMIT followingChanged(following);
}

std::vector<std::uint64_t> MessagesPane::selectedSeqs() const
{
    std::vector<std::uint64_t> seqs;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        seqs.push_back(m_model->seqAt(index.row()));
    // The selected message may be outside the window: the view does not hold its row then.
    if (m_currentSeq && m_model->logicalRowForSeq(*m_currentSeq) >= 0
        && std::find(seqs.cbegin(), seqs.cend(), *m_currentSeq) == seqs.cend())
        seqs.push_back(*m_currentSeq);
    std::sort(seqs.begin(), seqs.end());
    return seqs;
}

bool MessagesPane::selectSeq(std::uint64_t seq)
{
    const int logical = m_model->logicalRowForSeq(seq);
    if (logical < 0)
        return false;
    // Like a click: the user wants to look at this row, so it stops the auto-scroll.
    setFollowing(false);
    if (m_model->rowForSeq(seq) < 0) {
        const FlagGuard programmatic(m_programmatic);
        const FlagGuard syncing(m_syncing);
        const AutoScrollOff autoScrollOff(m_table);
        m_model->centreWindowOn(logical);
        m_table->doItemsLayout();
    }
    {
        // With auto-scroll on, the view would first scroll the row just into sight, which can move the
        // window (keepViewportInsideWindow) and leave any index taken before it pointing at another row.
        const AutoScrollOff autoScrollOff(m_table);
        m_table->selectionModel()->setCurrentIndex(m_model->index(m_model->rowForSeq(seq), 0),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    // The window may move again while the view scrolls, but it keeps what is shown.
    m_table->scrollTo(m_model->index(m_model->rowForSeq(seq), 0), QAbstractItemView::PositionAtCenter);
    syncScrollBar();
    return true;
}

void MessagesPane::scrollToLogicalRow(int i)
{
    setFollowing(false);
    showLogicalTop(i, 0, false);
    keepViewportInsideWindow();
}

void MessagesPane::showLogicalTop(int i, int offset, bool recentre)
{
    {
        const FlagGuard programmatic(m_programmatic);
        const FlagGuard syncing(m_syncing);
        const AutoScrollOff autoScrollOff(m_table);
        const int total = m_model->totalRows();
        const int visible = visibleRows();
        i = std::clamp(i, 0, std::max(0, total - 1));
        const int first = m_model->windowFirst();
        const int end = first + m_model->rowCount();
        if (recentre || i < first || (i + visible > end && end < total)) {
            const std::optional<std::uint64_t> keep = selectionToKeep();
            m_model->centreWindowOn(i + visible / 2);
            // The view lays its rows out later; the scroll range must be right before the value is set.
            m_table->doItemsLayout();
            syncSelection(keep);
        }
        m_table->verticalScrollBar()->setValue((i - m_model->windowFirst()) * rowHeight() + offset);
    }
    syncScrollBar();
}

void MessagesPane::keepViewportInsideWindow()
{
    if (m_syncing)
        return;
    const int h = rowHeight();
    const int value = m_table->verticalScrollBar()->value();
    const int top = value / h;
    const int visible = visibleRows();
    const int first = m_model->windowFirst();
    const int size = m_model->rowCount();
    // Far enough from the edges that a page or a wheel turn never reaches them, and small enough that
    // the viewport, centred again, is out of both margins.
    const int margin = std::max(1, std::min(2 * visible, (m_model->windowRows() - visible) / 2 - 1));
    const bool nearTop = first > 0 && top < margin;
    const bool nearEnd = first + size < m_model->totalRows() && top + visible > size - margin;
    if (nearTop || nearEnd)
        showLogicalTop(first + top, value % h, true);
}

std::optional<std::uint64_t> MessagesPane::selectionToKeep() const
{
    const QModelIndex current = m_table->currentIndex();
    if (current.isValid() && m_table->selectionModel()->isRowSelected(current.row()))
        return m_model->seqAt(current.row());
    return m_currentSeq;
}

void MessagesPane::syncSelection(std::optional<std::uint64_t> seq)
{
    if (!seq)
        seq = m_currentSeq;
    if (!seq)
        return;
    const FlagGuard programmatic(m_programmatic);
    const AutoScrollOff autoScrollOff(m_table);
    QItemSelectionModel *selection = m_table->selectionModel();
    const int row = m_model->rowForSeq(*seq);
    const QModelIndex current = m_table->currentIndex();
    if (row < 0) {
        if (current.isValid() || selection->hasSelection())
            selection->clear();
        return;
    }
    if (current.isValid() && current.row() == row && selection->isRowSelected(row))
        return;
    selection->setCurrentIndex(
        m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void MessagesPane::syncScrollBar()
{
    const FlagGuard syncing(m_syncing);
    const int total = m_model->totalRows();
    const int visible = visibleRows();
    const int maximum = std::max(0, total - visible);
    const QScrollBar *inner = m_table->verticalScrollBar();
    const bool bottom
        = m_model->windowFirst() + m_model->rowCount() >= total && inner->value() >= inner->maximum();
    m_scrollBar->setRange(0, maximum);
    m_scrollBar->setPageStep(visible);
    m_scrollBar->setSingleStep(1);
    m_scrollBar->setValue(
        bottom ? maximum : std::min(maximum, m_model->windowFirst() + inner->value() / rowHeight()));
    // As a scroll area shows its bar: only when there is something to scroll.
    m_scrollBar->setVisible(maximum > 0);
}

int MessagesPane::rowHeight() const
{
    return std::max(1, m_table->verticalHeader()->defaultSectionSize());
}

int MessagesPane::visibleRows() const
{
    return std::max(1, m_table->viewport()->height() / rowHeight());
}

bool MessagesPane::isAtNewest() const
{
    const QScrollBar *inner = m_table->verticalScrollBar();
    return m_model->windowFirst() + m_model->rowCount() >= m_model->totalRows()
        && inner->value() >= inner->maximum();
}

bool MessagesPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->modifiers() == Qt::ControlModifier
            && (key->key() == Qt::Key_Home || key->key() == Qt::Key_End)) {
            // The table would go to the first or last row of the window.
            goToEnd(key->key() == Qt::Key_End);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void MessagesPane::goToEnd(bool last)
{
    if (m_model->totalRows() == 0)
        return;
    {
        const FlagGuard programmatic(m_programmatic);
        const FlagGuard syncing(m_syncing);
        const AutoScrollOff autoScrollOff(m_table);
        const std::optional<std::uint64_t> keep = selectionToKeep();
        m_model->setWindowFirst(last ? m_model->totalRows() : 0);
        m_table->doItemsLayout();
        syncSelection(keep);
    }
    // As the table does it: the row becomes the current (selected) one, which stops following. The
    // scroll comes after, from the row's seq: scrolling can move the window (see selectSeq()).
    const std::uint64_t seq = m_model->seqAt(last ? m_model->rowCount() - 1 : 0);
    {
        const AutoScrollOff autoScrollOff(m_table);
        m_table->selectionModel()->setCurrentIndex(m_model->index(m_model->rowForSeq(seq), 0),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    m_table->scrollTo(m_model->index(m_model->rowForSeq(seq), 0));
    syncScrollBar();
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
    // When the table gets focus (the window is activated, say) with no current row, QAbstractItemView
    // makes its first row current without selecting it. That is not the user's pick: following goes
    // on and the detail pane keeps what it shows.
    if (current.isValid() && !m_table->selectionModel()->isRowSelected(current.row()))
        return;
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
    if (m_currentSeq) {
        const FlagGuard programmatic(m_programmatic);
        const FlagGuard syncing(m_syncing);
        const int logical = m_model->logicalRowForSeq(*m_currentSeq);
        if (logical < 0) {
            // The filter worker may still find it; refresh() selects it then.
            m_reselectSeq = m_currentSeq;
        } else {
            showSelectedAgain(*m_currentSeq, logical);
        }
    }
    syncScrollBar();
}

void MessagesPane::showSelectedAgain(std::uint64_t seq, int logical)
{
    // While following, the window stays on the newest rows and the view on the newest message.
    if (!m_following && m_model->rowForSeq(seq) < 0) {
        m_model->centreWindowOn(logical);
        m_table->doItemsLayout();
    }
    syncSelection();
    const int row = m_model->rowForSeq(seq);
    if (!m_following && row >= 0)
        m_table->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
}

void MessagesPane::handleScrollAction(int action)
{
    if (m_programmatic || m_syncing || action == QAbstractSlider::SliderNoAction)
        return;
    // actionTriggered comes before the value moves; sliderPosition() is where it is going.
    const QScrollBar *bar = m_table->verticalScrollBar();
    const bool windowAtEnd = m_model->windowFirst() + m_model->rowCount() >= m_model->totalRows();
    setFollowing(windowAtEnd && bar->sliderPosition() >= bar->maximum());
}

void MessagesPane::handleScrollValueChanged(int /*value*/)
{
    if (m_syncing)
        return;
    if (!m_programmatic && m_following && !isAtNewest())
        setFollowing(false);
    // Wheel, keys and scrollTo() scroll inside the window: move it before they reach one of its ends.
    keepViewportInsideWindow();
    syncScrollBar();
}

void MessagesPane::handleBarAction(int action)
{
    if (m_programmatic || m_syncing || action == QAbstractSlider::SliderNoAction)
        return;
    setFollowing(m_scrollBar->sliderPosition() >= m_scrollBar->maximum());
}

void MessagesPane::handleBarValueChanged(int value)
{
    if (m_syncing)
        return;
    if (value >= m_scrollBar->maximum()) {
        scrollToNewest();
        return;
    }
    showLogicalTop(value, 0, false);
    keepViewportInsideWindow();
}

qsizetype MessagesPane::copySelectedRows() const
{
    const MessageTableModel *model = m_model;
    const QHeaderView *header = m_table->horizontalHeader();
    // The columns as the table shows them: in their visual order, hidden ones left out.
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int column = header->logicalIndex(visual);
        if (!header->isSectionHidden(column))
            columns.append(column);
    }
    QStringList lines;
    for (const std::uint64_t seq : selectedSeqs()) {
        const QStringList cells = model->rowTexts(seq);
        if (cells.isEmpty())
            continue; // evicted since it was selected
        QStringList shown;
        for (const int column : std::as_const(columns))
            shown.append(cells.value(column));
        lines.append(shown.join(u'\t'));
    }
    if (!lines.isEmpty())
        QGuiApplication::clipboard()->setText(lines.join(u'\n'));
    return lines.size();
}

} // namespace zmqscope
