#include "detail/diffmodel.h"

#include <QColor>

#include "detail/messageformat.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

void DiffModel::setRows(QList<DiffRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

QColor DiffModel::kindColor(JsonChange::Kind kind)
{
    // Mid-tone colours that read on light and dark bases alike.
    switch (kind) {
    case JsonChange::Kind::Added:
        return QColor(0x2e, 0x9d, 0x4f);
    case JsonChange::Kind::Removed:
        return QColor(0xd3, 0x3f, 0x3f);
    case JsonChange::Kind::Changed:
        break;
    }
    return QColor(0xd0, 0x8a, 0x10);
}

int DiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiffModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DiffRow &row = m_rows.at(index.row());
    const auto text = [&row](int column) -> QString {
        switch (column) {
        case WhereColumn:
            return row.where.isEmpty() ? tr("(whole value)") : row.where;
        case ChangeColumn:
            return jsonChangeKindName(row.kind);
        case OldColumn:
            return row.oldText;
        default:
            return row.newText;
        }
    };
    switch (role) {
    case Qt::DisplayRole:
        return MessageFormat::oneLineText(text(index.column()).toUtf8(), DisplayChars);
    case Qt::ToolTipRole: {
        // Only where a cell is cut; the full value, escaped like the cell, as plain text in a tool tip.
        const QString full = text(index.column());
        const QString shown = MessageFormat::oneLineText(full.toUtf8(), DisplayChars);
        if (shown == full)
            return {};
        const QString escaped = MessageFormat::oneLineText(full.toUtf8(), FullTextChars);
        return QVariant(u"<p style='white-space:pre-wrap'>"_s + escaped.toHtmlEscaped() + u"</p>"_s);
    }
    case Qt::DecorationRole: // the swatch and the text in the kind's colour
    case Qt::ForegroundRole:
        if (index.column() == ChangeColumn)
            return kindColor(row.kind);
        return {};
    default:
        return {};
    }
}

QVariant DiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case WhereColumn:
        return tr("Path");
    case ChangeColumn:
        return tr("Change");
    case OldColumn:
        return tr("Old");
    case NewColumn:
        return tr("New");
    default:
        return {};
    }
}

} // namespace zmqscope
