#include "framelistmodel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

using namespace Qt::StringLiterals;
using BytesText::Format;

namespace {

/// A line editor holds neither newlines nor other control characters, so such text is edited as hex.
bool fitsOneLine(const QByteArray &bytes)
{
    return BytesText::isEditableText(bytes) && !bytes.contains('\n') && !bytes.contains('\r');
}

} // namespace

FrameListModel::FrameListModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_itemName(u"Frame"_s)
{ }

int FrameListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int FrameListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FrameListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_entries.size())
        return {};
    const Entry &entry = m_entries.at(index.row());
    switch (index.column()) {
    case HexColumn:
        if (role == Qt::CheckStateRole)
            return entry.format == Format::Hex ? Qt::Checked : Qt::Unchecked;
        break;
    case SizeColumn:
        if (role == Qt::DisplayRole) {
            const zmqscope::Result<QByteArray> bytes = bytesAt(index.row());
            return bytes ? QLocale().toString(bytes->size()) : u"bad hex"_s;
        }
        if (role == Qt::TextAlignmentRole)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (role == Qt::ForegroundRole && !bytesAt(index.row()))
            return QBrush(QColor(0xc0, 0x1c, 0x28));
        break;
    case ContentColumn:
        if (role == Qt::DisplayRole || role == Qt::EditRole)
            return entry.content;
        if (role == Qt::ForegroundRole && !bytesAt(index.row()))
            return QBrush(QColor(0xc0, 0x1c, 0x28));
        break;
    default:
        break;
    }
    return {};
}

bool FrameListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.model() != this || index.row() >= m_entries.size())
        return false;
    if (index.column() == HexColumn && role == Qt::CheckStateRole) {
        const auto state = static_cast<Qt::CheckState>(value.toInt());
        const zmqscope::Result<void> switched
            = setFormat(index.row(), state == Qt::Checked ? Format::Hex : Format::Text);
        if (!switched) {
            Q_EMIT formatRefused(switched.errorMessage());
            return false;
        }
        return true;
    }
    if (index.column() == ContentColumn && role == Qt::EditRole) {
        Entry &entry = m_entries[index.row()];
        const QString content = value.toString();
        if (entry.content == content)
            return true;
        entry.content = content;
        Q_EMIT dataChanged(this->index(index.row(), 0), this->index(index.row(), ColumnCount - 1));
        return true;
    }
    return false;
}

Qt::ItemFlags FrameListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_entries.size())
        return Qt::NoItemFlags;
    Qt::ItemFlags result = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    if (index.column() == HexColumn)
        result |= Qt::ItemIsUserCheckable;
    if (index.column() == ContentColumn)
        result |= Qt::ItemIsEditable;
    return result;
}

QVariant FrameListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (section) {
    case HexColumn:
        return u"Hex"_s;
    case SizeColumn:
        return u"Bytes"_s;
    case ContentColumn:
        return u"Content"_s;
    default:
        return {};
    }
}

bool FrameListModel::insertRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || row > m_entries.size() || count < 1)
        return false;
    beginInsertRows(parent, row, row + count - 1);
    m_entries.insert(row, count, Entry {});
    endInsertRows();
    return true;
}

bool FrameListModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || count < 1 || row + count > m_entries.size())
        return false;
    beginRemoveRows(parent, row, row + count - 1);
    m_entries.remove(row, count);
    endRemoveRows();
    return true;
}

bool FrameListModel::moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
    const QModelIndex &destinationParent, int destinationChild)
{
    if (sourceParent.isValid() || destinationParent.isValid() || count < 1 || sourceRow < 0
        || sourceRow + count > m_entries.size() || destinationChild < 0 || destinationChild > m_entries.size()
        || (destinationChild >= sourceRow && destinationChild <= sourceRow + count))
        return false;
    if (!beginMoveRows(sourceParent, sourceRow, sourceRow + count - 1, destinationParent, destinationChild))
        return false;
    const QList<Entry> moved = m_entries.mid(sourceRow, count);
    m_entries.remove(sourceRow, count);
    const int target = destinationChild > sourceRow ? destinationChild - count : destinationChild;
    for (int i = 0; i < count; ++i)
        m_entries.insert(target + i, moved.at(i));
    endMoveRows();
    return true;
}

void FrameListModel::setEntries(const QList<Entry> &entries)
{
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

void FrameListModel::setBytes(const zmqscope::Frames &frames)
{
    QList<Entry> entries;
    entries.reserve(frames.size());
    for (const QByteArray &frame : frames) {
        const Format format = fitsOneLine(frame) ? Format::Text : Format::Hex;
        entries.append(Entry { format, BytesText::toEditable(frame, format) });
    }
    setEntries(entries);
}

void FrameListModel::insertEntry(int row, const Entry &entry)
{
    row = std::clamp(row, 0, int(m_entries.size()));
    beginInsertRows({}, row, row);
    m_entries.insert(row, entry);
    endInsertRows();
}

zmqscope::Result<void> FrameListModel::setFormat(int row, Format format)
{
    using zmqscope::Error;
    using zmqscope::ErrorCode;
    if (row < 0 || row >= m_entries.size())
        return Error(ErrorCode::InvalidOptionValue,
            u"there is no %1 %2: the list has %3"_s.arg(m_itemName).arg(row + 1).arg(m_entries.size()));
    Entry &entry = m_entries[row];
    if (entry.format == format)
        return {};
    const zmqscope::Result<QByteArray> bytes = bytesAt(row);
    if (!bytes)
        return Error(bytes.error().code(),
            u"%1 %2 stays hex: %3"_s.arg(m_itemName).arg(row + 1).arg(bytes.errorMessage()));
    if (format == Format::Text && !fitsOneLine(*bytes))
        return Error(ErrorCode::InvalidBody,
            u"%1 %2 stays hex: its bytes are not one line of UTF-8 text"_s.arg(m_itemName).arg(row + 1));
    entry.format = format;
    entry.content = BytesText::toEditable(*bytes, format);
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    return {};
}

zmqscope::Result<QByteArray> FrameListModel::bytesAt(int row) const
{
    const Entry &entry = m_entries.at(row);
    return BytesText::fromEditable(entry.content, entry.format);
}

QStringList FrameListModel::problems() const
{
    QStringList result;
    for (int row = 0; row < m_entries.size(); ++row) {
        const zmqscope::Result<QByteArray> bytes = bytesAt(row);
        if (!bytes)
            result.append(u"%1 %2: %3"_s.arg(m_itemName).arg(row + 1).arg(bytes.errorMessage()));
    }
    return result;
}

std::optional<zmqscope::Frames> FrameListModel::frames() const
{
    zmqscope::Frames result;
    result.reserve(m_entries.size());
    for (int row = 0; row < m_entries.size(); ++row) {
        zmqscope::Result<QByteArray> bytes = bytesAt(row);
        if (!bytes)
            return std::nullopt;
        result.append(std::move(bytes).value());
    }
    return result;
}

void FrameListModel::setItemName(const QString &name)
{
    m_itemName = name;
}
