#include "messagetablemodel.h"

#include <algorithm>
#include <limits>

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFontDatabase>
#include <QtConcurrentRun>

#include "displaytext.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// The summary holds this much of id and mimetype (48 characters shown) and of the body: enough for the
// preview's characters even when every one of them is a 3-byte UTF-8 sequence.
int summaryPreviewBytes(int previewChars)
{
    return std::max(previewChars, 48) * 3 + 40;
}
// Views cannot address more rows than an int counts.
constexpr std::uint64_t MaxRows = std::uint64_t(std::numeric_limits<int>::max()) - 1;

// Subtle, readable on light and dark palettes: tints with low alpha, text
// colours of medium lightness.
const QColor InColor(0x2e, 0x8b, 0x57);
const QColor OutColor(0x2f, 0x7f, 0xd0);
const QColor OutBackground(0x2f, 0x7f, 0xd0, 24);
const QColor RawColor(0xc0, 0x6c, 0x00);

QString rawReason(const MessageSummary &summary)
{
    if (summary.frameCount < 3)
        return summary.frameCount == 1 ? u"1 frame, an envelope needs 3"_s
                                       : u"%1 frames, an envelope needs 3"_s.arg(summary.frameCount);
    return u"%1 frames, no empty delimiter before id, mimetype, body"_s.arg(summary.frameCount);
}

QString routeText(const MessageSummary &summary)
{
    if (summary.requestFrameCount == 0)
        return {};
    // Routing ids are usually 5 binary bytes (ROUTER) or short names: each one compact, in order.
    QStringList parts;
    for (const QByteArray &frame : summary.routeFrames)
        parts.append(displaytext::oneLine(frame, 24, displaytext::BinaryStyle::Compact));
    if (parts.isEmpty())
        parts.append(displaytext::oneLine(summary.route, 40, displaytext::BinaryStyle::Compact));
    return parts.join(u" | "_s);
}

} // namespace

MessageTableModel::MessageTableModel(const MessageStore &store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
    , m_firstSeq(store.firstSeq())
    , m_endSeq(store.firstSeq())
    , m_cache(std::make_unique<std::array<CacheEntry, CacheSize>>())
{
    connect(&m_scanWatcher, &QFutureWatcher<std::vector<std::uint64_t>>::finished, this,
        &MessageTableModel::handleScanFinished);
}

MessageTableModel::~MessageTableModel()
{
    cancelScan();
}

int MessageTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return isFiltered() ? int(m_rows.size()) : int(m_endSeq - m_firstSeq);
}

int MessageTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::uint64_t MessageTableModel::seqAt(int row) const
{
    return isFiltered() ? m_rows[std::size_t(row)] : m_firstSeq + std::uint64_t(row);
}

int MessageTableModel::rowForSeq(std::uint64_t seq) const
{
    if (!isFiltered())
        return (seq >= m_firstSeq && seq < m_endSeq) ? int(seq - m_firstSeq) : -1;
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), seq);
    return (it != m_rows.cend() && *it == seq) ? int(it - m_rows.cbegin()) : -1;
}

const MessageSummary *MessageTableModel::summaryAt(int row) const
{
    const std::uint64_t seq = seqAt(row);
    CacheEntry &entry = (*m_cache)[seq % CacheSize];
    if (entry.seqPlusOne != seq + 1) {
        // An evicted message leaves its row until the next refresh(); it shows empty cells meanwhile.
        if (!m_store.summary(seq, entry.summary, summaryPreviewBytes(m_previewChars))) {
            entry.seqPlusOne = 0;
            return nullptr;
        }
        entry.seqPlusOne = seq + 1;
    }
    return &entry.summary;
}

QString MessageTableModel::socketName(SocketId id) const
{
    const auto it = m_socketNames.constFind(id);
    return it != m_socketNames.cend() ? *it : u"#%1"_s.arg(id);
}

QString MessageTableModel::displayText(const MessageSummary &s, int column) const
{
    using displaytext::BinaryStyle;
    const bool raw = s.kind == MessageKind::Raw;
    switch (column) {
    case SeqColumn:
        return QString::number(s.seq); // as the detail pane and the composer number messages
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(s.timestampUs / 1000).time().toString(u"hh:mm:ss.zzz"_s);
    case SocketColumn:
        return socketName(s.socket);
    case DirectionColumn:
        return s.direction == Direction::In ? u"in"_s : u"out"_s;
    case RouteColumn:
        return routeText(s);
    case IdColumn:
        return raw ? QString() : displaytext::oneLine(s.id, 48, BinaryStyle::Compact);
    case MimetypeColumn:
        if (raw)
            return s.frameCount == 1 ? u"raw, 1 frame"_s : u"raw, %1 frames"_s.arg(s.frameCount);
        return displaytext::oneLine(s.mimetype, 48, BinaryStyle::Compact);
    case SizeColumn:
        return displaytext::dataSize(s.totalBytes);
    case PreviewColumn: {
        const bool cut = std::uint64_t(s.preview.size()) < s.bodyBytes;
        const QString preview = displaytext::oneLine(s.preview, m_previewChars, BinaryStyle::Spaced, cut);
        if (raw)
            return u"[not an envelope: %1] %2"_s.arg(rawReason(s), preview);
        return preview;
    }
    default:
        return {};
    }
}

QVariant MessageTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        const MessageSummary *s = summaryAt(index.row());
        return s ? displayText(*s, column) : QString();
    }
    case SeqRole:
        return QVariant::fromValue<quint64>(seqAt(index.row()));
    case Qt::TextAlignmentRole:
        if (column == SeqColumn || column == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
        if (column == RouteColumn || column == IdColumn || column == PreviewColumn || column == SeqColumn
            || column == TimeColumn || column == SizeColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    default:
        break;
    }

    const MessageSummary *s = summaryAt(index.row());
    if (!s)
        return {};
    switch (role) {
    case SocketRole:
        return uint(s->socket);
    case DirectionRole:
        return int(s->direction);
    case KindRole:
        return int(s->kind);
    case Qt::ForegroundRole:
        if (s->kind == MessageKind::Raw && (column == MimetypeColumn || column == PreviewColumn))
            return QBrush(RawColor);
        if (column == DirectionColumn)
            return QBrush(s->direction == Direction::In ? InColor : OutColor);
        return {};
    case Qt::BackgroundRole:
        return s->direction == Direction::Out ? QVariant(QBrush(OutBackground)) : QVariant();
    case Qt::ToolTipRole:
        // Our own words only: payload text never goes into a tool tip.
        if (s->kind == MessageKind::Raw && (column == MimetypeColumn || column == PreviewColumn))
            return u"Not a Dploy envelope: %1"_s.arg(rawReason(*s));
        return {};
    default:
        return {};
    }
}

QVariant MessageTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        static const QString titles[] = { u"#"_s, u"Time"_s, u"Socket"_s, u"Dir"_s, u"Route"_s, u"Id"_s,
            u"Mimetype"_s, u"Size"_s, u"Preview"_s };
        return titles[section];
    }
    if (role == Qt::ToolTipRole) {
        static const QString tips[] = {
            u"Position in the recording"_s,
            u"Local time the engine received or sent the message"_s,
            u"The socket it came in on or went out of"_s,
            u"in: received; out: sent by ZmqScope"_s,
            u"Request (routing) frames before the empty delimiter"_s,
            u"Envelope id"_s,
            u"Envelope mimetype; raw messages show their frame count"_s,
            u"All frames together"_s,
            u"Start of the body (raw messages: of the first frame)"_s,
        };
        return tips[section];
    }
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(
            (section == SeqColumn || section == SizeColumn ? Qt::AlignRight : Qt::AlignLeft)
            | Qt::AlignVCenter);
    return {};
}

void MessageTableModel::refresh()
{
    const std::uint64_t storeFirst = m_store.firstSeq();
    const std::uint64_t storeEnd = m_store.endSeq();
    removeEvictedRows(storeFirst);
    if (isFiltered())
        startScanIfNeeded();
    if (!m_paused)
        insertNewRows(storeEnd);
}

void MessageTableModel::removeEvictedRows(std::uint64_t storeFirst)
{
    if (!isFiltered()) {
        if (storeFirst <= m_firstSeq)
            return;
        const std::uint64_t gone = std::min(storeFirst, m_endSeq) - m_firstSeq;
        if (gone > 0) {
            beginRemoveRows({}, 0, int(gone) - 1);
            m_firstSeq += gone;
            endRemoveRows();
        }
        // Everything shown is gone and more besides: start again where the store starts.
        if (m_firstSeq < storeFirst) {
            m_firstSeq = storeFirst;
            m_endSeq = storeFirst;
        }
        return;
    }
    std::erase_if(m_pending, [storeFirst](std::uint64_t seq) { return seq < storeFirst; });
    const auto firstKept = std::lower_bound(m_rows.cbegin(), m_rows.cend(), storeFirst);
    const auto gone = firstKept - m_rows.cbegin();
    if (gone > 0) {
        beginRemoveRows({}, 0, int(gone) - 1);
        m_rows.erase(m_rows.cbegin(), m_rows.cbegin() + gone);
        endRemoveRows();
    }
}

void MessageTableModel::insertNewRows(std::uint64_t storeEnd)
{
    if (!isFiltered()) {
        if (storeEnd <= m_endSeq)
            return;
        const std::uint64_t room = MaxRows - (m_endSeq - m_firstSeq);
        const std::uint64_t added = std::min(storeEnd - m_endSeq, room);
        if (added == 0)
            return;
        const int first = rowCount();
        beginInsertRows({}, first, first + int(added) - 1);
        m_endSeq += added;
        endInsertRows();
        return;
    }
    if (m_pending.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + int(m_pending.size()) - 1);
    m_rows.insert(m_rows.cend(), m_pending.cbegin(), m_pending.cend());
    m_pending.clear();
    endInsertRows();
}

std::uint64_t MessageTableModel::hiddenNewCount() const
{
    if (isFiltered())
        return m_pending.size();
    const std::uint64_t storeEnd = m_store.endSeq();
    const std::uint64_t shownEnd = std::max(m_endSeq, m_store.firstSeq());
    return storeEnd > shownEnd ? storeEnd - shownEnd : 0;
}

bool MessageTableModel::isCaughtUp() const
{
    const std::uint64_t storeEnd = m_store.endSeq();
    if (!isFiltered())
        return m_endSeq >= storeEnd;
    return !m_scan.isRunning() && m_pending.empty() && m_scannedEnd >= storeEnd;
}

void MessageTableModel::setPaused(bool paused)
{
    m_paused = paused;
}

void MessageTableModel::setPreviewChars(int chars)
{
    chars = std::max(chars, 1);
    if (chars == m_previewChars)
        return;
    m_previewChars = chars;
    // Cached summaries hold previews cut for the old length.
    for (CacheEntry &entry : *m_cache)
        entry.seqPlusOne = 0;
    if (rowCount() > 0)
        Q_EMIT dataChanged(
            index(0, PreviewColumn), index(rowCount() - 1, PreviewColumn), { Qt::DisplayRole });
}

void MessageTableModel::setSocketNames(const QHash<SocketId, QString> &names)
{
    if (names == m_socketNames)
        return;
    m_socketNames = names;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, SocketColumn), index(rowCount() - 1, SocketColumn), { Qt::DisplayRole });
}

void MessageTableModel::setFilter(const MessageFilter &filter)
{
    if (filter == m_filter)
        return;
    cancelScan();
    beginResetModel();
    m_filter = filter;
    m_rows.clear();
    m_pending.clear();
    const std::uint64_t storeFirst = m_store.firstSeq();
    if (isFiltered()) {
        m_scannedEnd = storeFirst;
    } else {
        // A filter change is an explicit request to see everything held now, paused or not.
        m_firstSeq = storeFirst;
        m_endSeq = m_store.endSeq();
    }
    endResetModel();
    if (isFiltered()) {
        // Say "filtering" until the first full pass is done, however short it is.
        setScanning(true);
        startScanIfNeeded();
    } else {
        setScanning(false);
    }
}

void MessageTableModel::startScanIfNeeded()
{
    if (m_scan.isRunning())
        return;
    const std::uint64_t begin = std::max(m_scannedEnd, m_store.firstSeq());
    const std::uint64_t storeEnd = m_store.endSeq();
    if (begin >= storeEnd) {
        m_scannedEnd = storeEnd;
        setScanning(false);
        return;
    }
    // A large backlog is scanned in chunks so matches show up while the rest is still being looked at.
    m_scanChunkEnd = std::min(storeEnd, begin + MaxScanChunk);
    m_scanCancelled = std::make_shared<std::atomic<bool>>(false);
    const bool catchingUp = storeEnd - begin > MaxScanChunk / 10;
    if (catchingUp)
        setScanning(true);
    m_scan = QtConcurrent::run(
        [filter = m_filter, &store = m_store, begin, end = m_scanChunkEnd, cancelled = m_scanCancelled] {
            return filter.scan(store, begin, end, *cancelled);
        });
    m_scanWatcher.setFuture(m_scan);
}

void MessageTableModel::handleScanFinished()
{
    if (!isFiltered() || m_scan.isCanceled() || !m_scan.isResultReadyAt(0))
        return;
    std::vector<std::uint64_t> matches = m_scan.result();
    m_scan = {};
    m_pending.insert(m_pending.end(), matches.cbegin(), matches.cend());
    m_scannedEnd = m_scanChunkEnd;
    // Keep going at once while catching up; new traffic after that is picked up by refresh().
    if (m_store.endSeq() - m_scannedEnd > MaxScanChunk / 10)
        startScanIfNeeded();
    else
        setScanning(false);
}

void MessageTableModel::cancelScan()
{
    if (m_scanCancelled)
        m_scanCancelled->store(true);
    m_scanWatcher.setFuture(QFuture<std::vector<std::uint64_t>>());
    // The worker checks the flag per message, so this wait is short; it must not outlive the store or the
    // filter.
    m_scan.waitForFinished();
    m_scan = {};
}

void MessageTableModel::setScanning(bool scanning)
{
    if (m_scanning == scanning)
        return;
    m_scanning = scanning;
    Q_EMIT scanningChanged(scanning);
}

} // namespace zmqscope
