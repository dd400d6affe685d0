#include "eventlogview.h"

#include <algorithm>

#include <QAction>
#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QScrollBar>

#include "eventlogmodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

EventLogView::EventLogView(EventLogModel &model, QWidget *parent)
    : QListView(parent)
    , m_model(model)
{
    setObjectName(u"eventsView"_s);
    setModel(&m_model);
    // Lines are not cut: a long one scrolls sideways. Sizes are measured per line so the scroll range
    // covers the longest (the log keeps at most a few thousand lines, so measuring them is cheap).
    setUniformItemSizes(false);
    setWordWrap(false);
    setTextElideMode(Qt::ElideNone);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setContextMenuPolicy(Qt::ActionsContextMenu);

    auto *copy = new QAction(u"&Copy"_s, this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, &EventLogView::copySelectedLines);
    auto *clear = new QAction(u"C&lear Events"_s, this);
    connect(clear, &QAction::triggered, &m_model, &EventLogModel::clear);
    addActions({ copy, clear });

    // Stay at the newest line only when the user has not scrolled up to read.
    connect(&m_model, &QAbstractItemModel::rowsInserted, this, &EventLogView::handleRowsInserted);
}

void EventLogView::copySelectedLines()
{
    QStringList lines;
    QModelIndexList rows = selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end());
    for (const QModelIndex &index : rows)
        lines.append(index.data().toString());
    QGuiApplication::clipboard()->setText(lines.join(u'\n'));
}

void EventLogView::handleRowsInserted()
{
    const QScrollBar *bar = verticalScrollBar();
    // The bar's range is not updated yet: "at the bottom" means it was at its maximum before.
    if (bar->value() >= bar->maximum() - 1 && m_model.rowCount() > 0)
        QMetaObject::invokeMethod(this, &QAbstractItemView::scrollToBottom, Qt::QueuedConnection);
}

} // namespace zmqscope
