#include "statisticsmodel.h"

#include <QFont>
#include <QLocale>

#include "displaytext.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

QString count(double value)
{
    return QLocale().toString(value, 'f', 0);
}

QString rate(double value)
{
    return QLocale().toString(value, 'f', value < 10 ? 2 : 0);
}

QString bytesRate(double value)
{
    return displaytext::dataSize(std::uint64_t(value)) + u"/s"_s;
}

/// "850 µs", "12.5 ms", "3.20 s".
QString duration(double us)
{
    if (us < 1000)
        return u"%1 µs"_s.arg(us, 0, 'f', 0);
    if (us < 1'000'000)
        return u"%1 ms"_s.arg(us / 1000, 0, 'f', us < 10'000 ? 2 : 1);
    return u"%1 s"_s.arg(us / 1'000'000, 0, 'f', 2);
}

} // namespace

StatisticsModel::StatisticsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int StatisticsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int StatisticsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString StatisticsModel::socketName(SocketId socket) const
{
    const auto name = m_socketNames.constFind(socket);
    if (name == m_socketNames.constEnd())
        return u"#%1"_s.arg(socket);
    return displaytext::oneLine(name->toUtf8(), 200, displaytext::BinaryStyle::Compact);
}

QString StatisticsModel::idText(const TrafficKey &key)
{
    switch (key.kind) {
    case TrafficKey::Kind::Socket:
        return u"(all)"_s;
    case TrafficKey::Kind::NoId:
        return u"(no id)"_s;
    case TrafficKey::Kind::OtherIds:
        return u"(other ids)"_s;
    case TrafficKey::Kind::Id:
        break;
    }
    return key.id.isEmpty() ? u"(empty id)"_s
                            : displaytext::oneLine(key.id, 80, displaytext::BinaryStyle::Compact);
}

QVariant StatisticsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TrafficSummary &row = m_rows[std::size_t(index.row())];
    if (role == SocketIdRole)
        return uint(row.key.socket);
    if (role == Qt::TextAlignmentRole)
        return index.column() >= MessagesColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    if (role == Qt::FontRole && row.key.kind == TrafficKey::Kind::Socket) {
        QFont font;
        font.setBold(true);
        return font;
    }
    // The one tool tip is our own text: ids and names are untrusted and tool tips may render markup.
    if (role == Qt::ToolTipRole) {
        if (index.column() == IdColumn && row.key.kind == TrafficKey::Kind::OtherIds)
            return u"Ids that came after the first %1 of this socket, counted together"_s.arg(
                TrafficStatistics::Limits {}.maxIdsPerSocket);
        return {};
    }
    if (role != Qt::DisplayRole && role != ValueRole)
        return {};
    const bool display = role != ValueRole;
    switch (Column(index.column())) {
    case SocketColumn:
        return display ? socketName(row.key.socket) : QVariant(uint(row.key.socket));
    case IdColumn:
        return display ? idText(row.key) : QVariant(row.key.id);
    case MessagesColumn:
        return display ? count(double(row.messages)) : QVariant(quint64(row.messages));
    case BytesColumn:
        return display ? displaytext::dataSize(row.bytes) : QVariant(quint64(row.bytes));
    case MessagesPerSecondColumn:
        return display ? rate(row.recentMessagesPerSecond) : QVariant(row.recentMessagesPerSecond);
    case AverageMessagesPerSecondColumn:
        return display ? rate(row.messagesPerSecond) : QVariant(row.messagesPerSecond);
    case BytesPerSecondColumn:
        return display ? bytesRate(row.recentBytesPerSecond) : QVariant(row.recentBytesPerSecond);
    case AverageBytesPerSecondColumn:
        return display ? bytesRate(row.bytesPerSecond) : QVariant(row.bytesPerSecond);
    case SizeP50Column:
        return display ? displaytext::dataSize(row.size.p50) : QVariant(quint64(row.size.p50));
    case SizeMaxColumn:
        return display ? displaytext::dataSize(row.size.max) : QVariant(quint64(row.size.max));
    case IntervalP50Column:
        if (row.interArrival.count == 0)
            return display ? QVariant(u"–"_s) : QVariant();
        return display ? duration(double(row.interArrival.p50Us)) : QVariant(qint64(row.interArrival.p50Us));
    case IntervalP99Column:
        if (row.interArrival.count == 0)
            return display ? QVariant(u"–"_s) : QVariant();
        return display ? duration(double(row.interArrival.p99Us)) : QVariant(qint64(row.interArrival.p99Us));
    case JitterColumn:
        if (row.interArrival.count == 0)
            return display ? QVariant(u"–"_s) : QVariant();
        return display ? duration(row.interArrival.jitterUs) : QVariant(row.interArrival.jitterUs);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant StatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const QString titles[ColumnCount]
        = { u"Socket"_s, u"Id"_s, u"Messages"_s, u"Bytes"_s, u"Msg/s"_s, u"Avg msg/s"_s, u"Bytes/s"_s,
              u"Avg bytes/s"_s, u"Size p50"_s, u"Size max"_s, u"Gap p50"_s, u"Gap p99"_s, u"Jitter"_s };
    static const QString tips[ColumnCount] = { {}, u"Envelope id; (all) is every message of the socket"_s, {},
        u"All frames together"_s, u"Messages in the last whole second"_s,
        u"Messages per second from the first message to the last"_s, u"Bytes in the last whole second"_s,
        u"Bytes per second from the first message to the last"_s, u"Median message size"_s,
        u"Largest message"_s, u"Median time between two messages"_s,
        u"99th percentile of the time between two messages"_s,
        u"Standard deviation of the time between two messages"_s };
    if (role == Qt::DisplayRole)
        return titles[section];
    if (role == Qt::ToolTipRole && !tips[section].isEmpty())
        return tips[section];
    return QAbstractTableModel::headerData(section, orientation, role);
}

void StatisticsModel::setRows(std::vector<TrafficSummary> rows)
{
    // Keys never go away between resets and both lists are in key order: walk them together,
    // inserting each run of new keys where it belongs.
    std::size_t mine = 0;
    std::size_t theirs = 0;
    while (theirs < rows.size()) {
        if (mine < m_rows.size() && m_rows[mine].key == rows[theirs].key) {
            m_rows[mine++] = std::move(rows[theirs++]);
            continue;
        }
        std::size_t runEnd = theirs;
        while (runEnd < rows.size() && (mine >= m_rows.size() || rows[runEnd].key < m_rows[mine].key))
            ++runEnd;
        if (runEnd == theirs) {
            // A key of ours the snapshot lacks (it cannot happen without a reset): keep the row as it is.
            ++mine;
            continue;
        }
        const int first = int(mine);
        beginInsertRows({}, first, first + int(runEnd - theirs) - 1);
        m_rows.insert(m_rows.begin() + std::ptrdiff_t(mine),
            std::make_move_iterator(rows.begin() + std::ptrdiff_t(theirs)),
            std::make_move_iterator(rows.begin() + std::ptrdiff_t(runEnd)));
        endInsertRows();
        mine += runEnd - theirs;
        theirs = runEnd;
    }
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, MessagesColumn), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

void StatisticsModel::reset()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

void StatisticsModel::setSocketNames(const QHash<SocketId, QString> &names)
{
    if (names == m_socketNames)
        return;
    m_socketNames = names;
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, SocketColumn), index(int(m_rows.size()) - 1, SocketColumn));
}

int StatisticsModel::rowOf(const TrafficKey &key) const
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), key,
        [](const TrafficSummary &row, const TrafficKey &wanted) { return row.key < wanted; });
    return it != m_rows.end() && it->key == key ? int(it - m_rows.begin()) : -1;
}

} // namespace zmqscope
