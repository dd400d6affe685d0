#include "socketsview.h"

#include <algorithm>

#include <QFontDatabase>
#include <QHeaderView>

#include "socketlistmodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

SocketsView::SocketsView(SocketListModel &model, QWidget *parent)
    : QTreeView(parent)
    , m_model(model)
{
    setObjectName(u"socketsView"_s);
    setModel(&m_model);
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setAllColumnsShowFocus(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setContextMenuPolicy(Qt::CustomContextMenu);
    setTextElideMode(Qt::ElideMiddle);
    {
        const QFontMetrics normal(font());
        const QFontMetrics fixed(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        setColumnWidth(SocketListModel::NameColumn, normal.horizontalAdvance(u"Router DEALER"_s) + 14);
        setColumnWidth(SocketListModel::TypeColumn, normal.horizontalAdvance(u"DEALER"_s) + 12);
        setColumnWidth(
            SocketListModel::EndpointsColumn, fixed.horizontalAdvance(u">tcp://127.0.0.1:55555"_s) + 12);
        setColumnWidth(SocketListModel::StateColumn, normal.horizontalAdvance(u"Connecting"_s) + 14);
        setColumnWidth(SocketListModel::InColumn, normal.horizontalAdvance(u"10,000"_s) + 12);
        setColumnWidth(SocketListModel::OutColumn, normal.horizontalAdvance(u"10,000"_s) + 12);
        setColumnWidth(SocketListModel::RateColumn, normal.horizontalAdvance(u"10,000/s"_s) + 12);
        // Endpoints last: they are long and can be cut in the middle; the state and the counts are what
        // a narrow panel must still show.
        header()->moveSection(SocketListModel::EndpointsColumn, SocketListModel::ColumnCount - 1);
        header()->setStretchLastSection(true);
    }
    // Counts grow ("2,000,011"): the columns grow with them rather than eliding digits. A tap's type
    // ("tap dealer-router") and both sides' states are longer than a socket's: those grow too.
    connect(&m_model, &QAbstractItemModel::dataChanged, this, &SocketsView::fitCountColumns);
    connect(&m_model, &QAbstractItemModel::rowsInserted, this, &SocketsView::fitCountColumns);
}

std::optional<SocketInfo> SocketsView::selectedSocket() const
{
    const QModelIndexList rows = selectionModel()->selectedRows();
    if (rows.isEmpty())
        return std::nullopt;
    return m_model.socketAt(rows.first().row());
}

QList<SocketId> SocketsView::selectedSocketIds() const
{
    QList<SocketId> selected;
    for (const QModelIndex &index : selectionModel()->selectedRows())
        selected.append(SocketId(index.data(SocketListModel::SocketIdRole).toUInt()));
    return selected;
}

void SocketsView::selectSocket(SocketId socket)
{
    const int row = m_model.rowForSocket(socket);
    if (row >= 0)
        setCurrentIndex(m_model.index(row, 0));
}

void SocketsView::fitCountColumns()
{
    QHeaderView *columns = header();
    for (const int column : { SocketListModel::TypeColumn, SocketListModel::StateColumn,
             SocketListModel::InColumn, SocketListModel::OutColumn, SocketListModel::RateColumn }) {
        // What the delegate needs for the widest text shown, margins included.
        const int needed = std::max(sizeHintForColumn(column), columns->sectionSizeHint(column));
        if (columns->sectionSize(column) < needed)
            columns->resizeSection(column, needed);
    }
}

} // namespace zmqscope
