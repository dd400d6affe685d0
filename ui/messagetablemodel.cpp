#include "messagetablemodel.h"

#include <algorithm>
#include <limits>

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFontDatabase>
#include <QLocale>
#include <QtConcurrentRun>

#include "backgroundpool.h"
#include "directionicons.h"
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
// (The directions' colours are directionicons::color().)
const QColor OutBackground(0x2f, 0x7f, 0xd0, 24);
// A routing id is 5 bytes when the tap's ROUTER made it up; a client's own one may be up to 255.
constexpr int PeerChars = 24;
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

QString MessageTableModel::peerText(QByteArrayView peer)
{
    // Hex as in capture lines and the CLI ("peer": "006b8b4567"), so a value copied from one finds the other.
    if (peer.size() * 2 <= PeerChars)
        return QString::fromLatin1(peer.toByteArray().toHex());
    return QString::fromLatin1(peer.first(PeerChars / 2 - 1).toByteArray().toHex()) + u'\u2026';
}

MessageTableModel::MessageTableModel(const MessageStore &store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
    , m_firstSeq(store.firstSeq())
    , m_endSeq(store.firstSeq())
    , m_fixedFont(QFontDatabase::systemFont(QFontDatabase::FixedFont))
    , m_cache(std::make_unique<std::array<CacheEntry, CacheSize>>())
{
    connect(&m_scanWatcher, &QFutureWatcher<MessageFilter::ScanResult>::finished, this,
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
    return m_windowSize;
}

int MessageTableModel::totalRows() const
{
    return isFiltered() ? int(m_rows.size()) : int(m_endSeq - m_firstSeq);
}

int MessageTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::uint64_t MessageTableModel::seqAtLogical(int i) const
{
    return isFiltered() ? m_rows[std::size_t(i)] : m_firstSeq + std::uint64_t(i);
}

int MessageTableModel::logicalRowForSeq(std::uint64_t seq) const
{
    if (!isFiltered())
        return (seq >= m_firstSeq && seq < m_endSeq) ? int(seq - m_firstSeq) : -1;
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), seq);
    return (it != m_rows.cend() && *it == seq) ? int(it - m_rows.cbegin()) : -1;
}

std::uint64_t MessageTableModel::seqAt(int row) const
{
    return seqAtLogical(m_windowFirst + row);
}

int MessageTableModel::rowForSeq(std::uint64_t seq) const
{
    const int i = logicalRowForSeq(seq);
    return (i >= m_windowFirst && i < m_windowFirst + m_windowSize) ? i - m_windowFirst : -1;
}

std::pair<int, int> MessageTableModel::clampedWindow(int first) const
{
    const int total = totalRows();
    first = std::clamp(first, 0, std::max(0, total - m_windowRows));
    return { first, std::min(total, first + m_windowRows) };
}

void MessageTableModel::setWindowRows(int rows)
{
    rows = std::max(rows, 1);
    if (rows == m_windowRows)
        return;
    beginResetModel();
    m_windowRows = rows;
    const auto [first, end] = clampedWindow(m_followingTail ? totalRows() : m_windowFirst);
    m_windowFirst = first;
    m_windowSize = end - first;
    endResetModel();
}

void MessageTableModel::setWindowFirst(int first)
{
    const auto [newFirst, newEnd] = clampedWindow(first);
    moveWindow(newFirst, newEnd);
}

void MessageTableModel::centreWindowOn(int i)
{
    setWindowFirst(i - m_windowRows / 2);
}

void MessageTableModel::moveWindow(int first, int end)
{
    const int oldFirst = m_windowFirst;
    const int oldEnd = m_windowFirst + m_windowSize;
    if (first == oldFirst && end == oldEnd)
        return;
    if (first >= oldEnd || end <= oldFirst || m_windowSize == 0) {
        // Nothing in common: out with the old rows, in with the new ones (a few thousand each at most).
        if (m_windowSize > 0) {
            beginRemoveRows({}, 0, m_windowSize - 1);
            m_windowSize = 0;
            endRemoveRows();
        }
        m_windowFirst = first;
        if (end > first) {
            beginInsertRows({}, 0, end - first - 1);
            m_windowSize = end - first;
            endInsertRows();
        }
        return;
    }
    // Overlapping: the rows both windows hold stay, so the view keeps its selection on them.
    if (first > oldFirst) {
        beginRemoveRows({}, 0, first - oldFirst - 1);
        m_windowFirst = first;
        m_windowSize -= first - oldFirst;
        endRemoveRows();
    } else if (first < oldFirst) {
        beginInsertRows({}, 0, oldFirst - first - 1);
        m_windowFirst = first;
        m_windowSize += oldFirst - first;
        endInsertRows();
    }
    if (end < oldEnd) {
        beginRemoveRows({}, end - first, oldEnd - first - 1);
        m_windowSize = end - first;
        endRemoveRows();
    } else if (end > oldEnd) {
        beginInsertRows({}, oldEnd - first, end - first - 1);
        m_windowSize = end - first;
        endInsertRows();
    }
}

const MessageSummary *MessageTableModel::summaryFor(std::uint64_t seq) const
{
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

QString MessageTableModel::timeText(std::int64_t timestampUs, int logical) const
{
    // Seconds to the microsecond, as the capture stores them: "12.345678", "+0.000125".
    const auto seconds = [](std::int64_t us) { return QString::number(double(us) / 1e6, 'f', 6); };
    switch (m_timeDisplay) {
    case TimeDisplay::Absolute:
        break;
    case TimeDisplay::SinceFirst:
        return seconds(timestampUs - m_timeBaseUs.value_or(timestampUs));
    case TimeDisplay::SincePrevious: {
        if (logical <= 0)
            return seconds(0);
        const MessageSummary *previous = summaryFor(seqAtLogical(logical - 1));
        if (!previous)
            return QString();
        const std::int64_t delta = timestampUs - previous->timestampUs;
        return (delta >= 0 ? u"+"_s : QString()) + seconds(delta);
    }
    }
    return QDateTime::fromMSecsSinceEpoch(timestampUs / 1000).time().toString(u"hh:mm:ss.zzz"_s);
}

QString MessageTableModel::displayText(const MessageSummary &s, int column, int logical) const
{
    using displaytext::BinaryStyle;
    const bool raw = s.kind == MessageKind::Raw;
    if (s.frameCount == 0 && !m_encryptedSizes.isEmpty()) {
        // CURVE on the wire: only the size of the payload is known.
        const auto encrypted = m_encryptedSizes.constFind(s.seq);
        if (encrypted != m_encryptedSizes.cend()) {
            if (column == MimetypeColumn)
                return u"encrypted (CURVE)"_s;
            if (column == SizeColumn)
                return displaytext::dataSize(*encrypted);
            if (column == PreviewColumn)
                return u"[encrypted: %1 bytes of CURVE payload]"_s.arg(
                    QLocale().toString(qulonglong(*encrypted)));
        }
    }
    switch (column) {
    case SeqColumn:
        return QString::number(s.seq); // as the detail pane and the composer number messages
    case TimeColumn:
        return timeText(s.timestampUs, logical);
    case SocketColumn:
        return socketName(s.socket);
    case DirectionColumn:
        return QString::fromLatin1(directionName(s.direction));
    case PeerColumn:
        return peerText(s.peer);
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
        QString preview = displaytext::oneLine(s.preview, m_previewChars, BinaryStyle::Spaced, cut);
        if (raw)
            return u"[not an envelope: %1] %2"_s.arg(rawReason(s), preview);
        return preview;
    }
    default:
        return {};
    }
}

void MessageTableModel::setEncryptedSizes(const QHash<std::uint64_t, std::uint64_t> &sizes)
{
    m_encryptedSizes = sizes;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), { Qt::DisplayRole });
}

QVariant MessageTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        const MessageSummary *s = summaryAt(index.row());
        return s ? displayText(*s, column, m_windowFirst + index.row()) : QString();
    }
    case SeqRole:
        return QVariant::fromValue<quint64>(seqAt(index.row()));
    case Qt::TextAlignmentRole:
        if (column == SeqColumn || column == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
        if (column == RouteColumn || column == IdColumn || column == PreviewColumn || column == SeqColumn
            || column == TimeColumn || column == SizeColumn || column == PeerColumn)
            return m_fixedFont;
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
            return QBrush(directionicons::color(s->direction));
        return {};
    case Qt::DecorationRole:
        if (column == DirectionColumn)
            return directionicons::icon(s->direction);
        return {};
    case Qt::BackgroundRole:
        return s->direction == Direction::Out ? QVariant(QBrush(OutBackground)) : QVariant();
    case Qt::AccessibleTextRole:
        if (column == DirectionColumn)
            return directionicons::description(s->direction);
        return {};
    case Qt::ToolTipRole:
        // Our own words only: payload text never goes into a tool tip (a peer is hex, never text).
        if (s->kind == MessageKind::Raw && (column == MimetypeColumn || column == PreviewColumn))
            return u"Not a Dploy envelope: %1"_s.arg(rawReason(*s));
        if (column == DirectionColumn)
            return directionicons::description(s->direction);
        if (column == PeerColumn && !s->peer.isEmpty())
            return u"Routing id the tap gave this client: %1 (not a frame of the message)"_s.arg(
                QString::fromLatin1(s->peer.toHex()));
        return {};
    default:
        return {};
    }
}

QStringList MessageTableModel::rowTexts(std::uint64_t seq) const
{
    const int logical = logicalRowForSeq(seq);
    if (logical < 0)
        return {};
    // A copy: the Time column of a delta row reads another summary through the same cache.
    const MessageSummary *cached = summaryFor(seq);
    if (!cached)
        return {};
    const MessageSummary summary = *cached;
    QStringList cells;
    for (int column = 0; column < ColumnCount; ++column)
        cells.append(displayText(summary, column, logical));
    return cells;
}

void MessageTableModel::setTimeDisplay(TimeDisplay display)
{
    if (display == m_timeDisplay)
        return;
    m_timeDisplay = display;
    Q_EMIT headerDataChanged(Qt::Horizontal, TimeColumn, TimeColumn);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, TimeColumn), index(rowCount() - 1, TimeColumn), { Qt::DisplayRole });
}

void MessageTableModel::resetTimeBase()
{
    m_timeBaseUs.reset();
}

QVariant MessageTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (section == TimeColumn && m_timeDisplay != TimeDisplay::Absolute) {
        const bool first = m_timeDisplay == TimeDisplay::SinceFirst;
        if (role == Qt::DisplayRole)
            return first ? u"Time (s)"_s : u"Delta (s)"_s;
        if (role == Qt::ToolTipRole)
            return first ? u"Seconds since the first message (since the last Clear)"_s
                         : u"Seconds since the row above (the previous message shown)"_s;
    }
    if (role == Qt::DisplayRole) {
        static const QString titles[] = { u"#"_s, u"Time"_s, u"Socket"_s, u"Dir"_s, u"Peer"_s, u"Route"_s,
            u"Id"_s, u"Mimetype"_s, u"Size"_s, u"Preview"_s };
        return titles[section];
    }
    if (role == Qt::ToolTipRole) {
        static const QString tips[] = {
            u"Position in the recording"_s,
            u"Local time the engine received or sent the message"_s,
            u"The socket it came in on or went out of"_s,
            u"in: received; out: sent by ZmqScope; through a tap, c2s: client \u2192 server, "
            u"s2c: server \u2192 client"_s,
            u"Through a tap: the routing id (hex) the tap gave the client that sent or gets the message; "
            u"not one of its frames"_s,
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
    if (!m_timeBaseUs && storeEnd > storeFirst) {
        MessageSummary first;
        if (m_store.summary(storeFirst, first, 0))
            m_timeBaseUs = first.timestampUs;
    }
    removeEvictedRows(storeFirst);
    if (isFiltered())
        startScanIfNeeded();
    if (!m_paused)
        insertNewRows(storeEnd);
    updateWindow();
}

void MessageTableModel::removeEvictedRows(std::uint64_t storeFirst)
{
    int gone = 0;
    if (!isFiltered()) {
        if (storeFirst <= m_firstSeq)
            return;
        gone = int(std::min(storeFirst, m_endSeq) - m_firstSeq);
    } else {
        std::erase_if(m_pending, [storeFirst](std::uint64_t seq) { return seq < storeFirst; });
        gone = int(std::lower_bound(m_rows.cbegin(), m_rows.cend(), storeFirst) - m_rows.cbegin());
    }
    const auto dropLogical = [this](int count) {
        if (isFiltered())
            m_rows.erase(m_rows.cbegin(), m_rows.cbegin() + count);
        else
            m_firstSeq += std::uint64_t(count);
    };
    // Rows before the window go silently: the window's rows just get smaller logical numbers.
    const int before = std::min(gone, m_windowFirst);
    dropLogical(before);
    m_windowFirst -= before;
    // Only the evicted part of the window is removed from the view.
    const int inside = std::min(gone - before, m_windowSize);
    if (inside > 0) {
        beginRemoveRows({}, 0, inside - 1);
        dropLogical(inside);
        m_windowSize -= inside;
        endRemoveRows();
    }
    dropLogical(gone - before - inside);
    // Everything held is gone and more besides: start again where the store starts.
    if (!isFiltered() && m_firstSeq < storeFirst) {
        m_firstSeq = storeFirst;
        m_endSeq = storeFirst;
    }
}

void MessageTableModel::insertNewRows(std::uint64_t storeEnd)
{
    // New rows extend the logical rows; none of them is in the window yet.
    if (!isFiltered()) {
        if (storeEnd > m_endSeq) {
            const std::uint64_t room = MaxRows - (m_endSeq - m_firstSeq);
            m_endSeq += std::min(storeEnd - m_endSeq, room);
        }
    } else if (!m_pending.empty()) {
        const std::size_t room = std::size_t(MaxRows) - m_rows.size();
        const std::size_t added = std::min(m_pending.size(), room);
        m_rows.insert(m_rows.cend(), m_pending.cbegin(), m_pending.cbegin() + std::ptrdiff_t(added));
        m_pending.erase(m_pending.cbegin(), m_pending.cbegin() + std::ptrdiff_t(added));
    }
}

void MessageTableModel::updateWindow()
{
    // Following: the window slides to the newest rows (in a flood a tick brings more rows than the window
    // holds, so this costs the window's length, never the total's). Otherwise it only fills up.
    const auto [first, end] = clampedWindow(m_followingTail ? totalRows() : m_windowFirst);
    moveWindow(first, end);
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
    m_otherDirections = 0;
    const std::uint64_t storeFirst = m_store.firstSeq();
    if (isFiltered()) {
        m_scannedEnd = storeFirst;
    } else {
        // A filter change is an explicit request to see everything held now, paused or not.
        m_firstSeq = storeFirst;
        m_endSeq = m_store.endSeq();
    }
    const auto [first, end] = clampedWindow(m_followingTail ? totalRows() : 0);
    m_windowFirst = first;
    m_windowSize = end - first;
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
    m_scan = QtConcurrent::run(&backgroundPool(),
        [filter = m_filter, &store = m_store, begin, end = m_scanChunkEnd, cancelled = m_scanCancelled] {
            return filter.scan(store, begin, end, *cancelled);
        });
    m_scanWatcher.setFuture(m_scan);
}

void MessageTableModel::handleScanFinished()
{
    if (!isFiltered() || m_scan.isCanceled() || !m_scan.isResultReadyAt(0))
        return;
    const MessageFilter::ScanResult found = m_scan.result();
    m_scan = {};
    m_pending.insert(m_pending.end(), found.seqs.cbegin(), found.seqs.cend());
    m_otherDirections |= found.otherDirections;
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
    m_scanWatcher.setFuture(QFuture<MessageFilter::ScanResult>());
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
