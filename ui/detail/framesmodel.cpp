#include "detail/framesmodel.h"

#include <QFontDatabase>
#include <QLocale>

#include "detail/messageformat.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

FramesModel::FramesModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void FramesModel::setFrames(const Frames &frames, MessageKind kind)
{
    beginResetModel();
    m_frames = frames;
    m_kind = kind;
    endResetModel();
}

void FramesModel::clear()
{
    setFrames({}, MessageKind::Raw);
}

QString FramesModel::roleName(int frame) const
{
    return roleName(m_frames.size(), m_kind, frame);
}

QString FramesModel::roleName(qsizetype frameCount, MessageKind kind, int frame)
{
    if (kind == MessageKind::Raw || frame < 0 || frame >= frameCount)
        return {};
    const auto fromEnd = frameCount - frame;
    switch (fromEnd) {
    case 1:
        return tr("body");
    case 2:
        return tr("mimetype");
    case 3:
        return tr("id");
    case 4:
        return tr("delimiter");
    default:
        return tr("request %1").arg(frame + 1);
    }
}

int FramesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_frames.size());
}

int FramesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FramesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &frame = m_frames.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NumberColumn:
            return index.row() + 1;
        case RoleColumn:
            return roleName(index.row());
        case SizeColumn:
            return QLocale().toString(frame.size());
        case HexColumn:
            return MessageFormat::hex(frame, HexPreviewBytes);
        case TextColumn:
            return MessageFormat::oneLineText(frame, TextPreviewChars);
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        if (index.column() == NumberColumn || index.column() == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
        if (index.column() == HexColumn || index.column() == TextColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    default:
        return {};
    }
}

QVariant FramesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NumberColumn:
        return tr("#");
    case RoleColumn:
        return tr("Role");
    case SizeColumn:
        return tr("Bytes");
    case HexColumn:
        return tr("Hex");
    case TextColumn:
        return tr("Text");
    default:
        return {};
    }
}

} // namespace zmqscope
