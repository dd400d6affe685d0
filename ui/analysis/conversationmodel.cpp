#include "conversationmodel.h"

#include <algorithm>

#include <QColor>
#include <QDateTime>
#include <QIcon>

#include "displaytext.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

QString stateName(PairState state)
{
    switch (state) {
    case PairState::Answered:
        return u"answered"_s;
    case PairState::Pending:
        return u"pending"_s;
    case PairState::TimedOut:
        return u"timed out"_s;
    }
    return {};
}

} // namespace

ConversationModel::ConversationModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_nowUs(MessageStore::nowUs())
{ }

int ConversationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConversationModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

PairState ConversationModel::stateAt(int row) const
{
    return pairState(m_rows[std::size_t(row)], m_nowUs, m_timeoutUs);
}

QVariant ConversationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const RequestPair &pair = m_rows[std::size_t(index.row())];
    const PairState state = stateAt(index.row());
    switch (role) {
    case RequestSeqRole:
        return QVariant::fromValue(quint64(pair.request));
    case ReplySeqRole:
        return pair.answered ? QVariant::fromValue(quint64(pair.reply)) : QVariant();
    case LatencyUsRole:
        return pair.answered ? QVariant::fromValue(qint64(pair.latencyUs())) : QVariant();
    case StateRole:
        return int(state);
    case SocketIdRole:
        return uint(pair.socket);
    case Qt::TextAlignmentRole:
        if (index.column() == RequestColumn || index.column() == ReplyColumn
            || index.column() == LatencyColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StateColumn && state == PairState::TimedOut)
            return QColor(0xc0, 0x20, 0x20);
        if (index.column() == StateColumn && state == PairState::Pending)
            return QColor(0x9a, 0x6a, 0x00);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == IdColumn || index.column() == ClientColumn)
            return data(index, Qt::DisplayRole);
        if (index.column() == StateColumn && state != PairState::Answered)
            return u"No reply yet; a request counts as timed out after %1 ms"_s.arg(m_timeoutUs / 1000);
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case RequestColumn:
            return QString::number(pair.request);
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(pair.requestUs / 1000).toString(u"HH:mm:ss.zzz"_s);
        case SocketColumn:
            return socketName(pair.socket);
        case ClientColumn:
            return QString::fromLatin1(pair.client); // hex
        case IdColumn:
            // Untrusted bytes: shown escaped, as plain text.
            return pair.id.isEmpty() ? QString()
                                     : displaytext::oneLine(pair.id, 200, displaytext::BinaryStyle::Compact);
        case ReplyColumn:
            return pair.answered ? QString::number(pair.reply) : QString();
        case LatencyColumn:
            return pair.answered ? latencyText(pair.latencyUs()) : QString();
        case StateColumn:
            return stateName(state);
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant ConversationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case RequestColumn:
        return u"Request"_s;
    case TimeColumn:
        return u"Sent"_s;
    case SocketColumn:
        return u"Socket"_s;
    case ClientColumn:
        return u"Client"_s;
    case IdColumn:
        return u"Id"_s;
    case ReplyColumn:
        return u"Reply"_s;
    case LatencyColumn:
        return u"Latency"_s;
    case StateColumn:
        return u"State"_s;
    default:
        return {};
    }
}

void ConversationModel::apply(const AnalysisController::Update &update)
{
    const AnalysisDelta &delta = update.delta;
    if (update.reset) {
        beginResetModel();
        m_rows.clear();
        m_firstIndex = delta.firstNewPair;
        m_tallies.clear();
        endResetModel();
    }
    m_unmatchedReplies = delta.unmatchedReplies;
    m_nowUs = std::max(m_nowUs, MessageStore::nowUs());
    // Answers to rows shown already.
    for (const auto &[index, pair] : delta.answered) {
        countLatency(pair);
        if (index < m_firstIndex || index - m_firstIndex >= m_rows.size())
            continue; // dropped as one of the oldest
        const int row = int(index - m_firstIndex);
        if (!m_rows[std::size_t(row)].answered && pair.answered)
            stopWaiting(m_rows[std::size_t(row)]);
        m_rows[std::size_t(row)] = pair;
        Q_EMIT dataChanged(this->index(row, ReplyColumn), this->index(row, StateColumn));
    }
    if (!delta.newPairs.empty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(delta.newPairs.size()) - 1);
        for (const RequestPair &pair : delta.newPairs) {
            m_rows.push_back(pair);
            countRequest(pair);
            countLatency(pair);
        }
        endInsertRows();
    }
    if (int(m_rows.size()) > m_maxRows) {
        const int drop = int(m_rows.size()) - m_maxRows;
        beginRemoveRows({}, 0, drop - 1);
        // Only the rows held can be waiting (a dropped one was sent long ago).
        for (auto row = m_rows.cbegin(); row != m_rows.cbegin() + drop; ++row)
            if (!row->answered)
                stopWaiting(*row);
        m_rows.erase(m_rows.begin(), m_rows.begin() + drop);
        m_firstIndex += std::size_t(drop);
        endRemoveRows();
    }
    Q_EMIT figuresChanged();
}

void ConversationModel::setSocketNames(const QHash<SocketId, QString> &names)
{
    if (names == m_socketNames)
        return;
    m_socketNames = names;
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, SocketColumn), index(rowCount() - 1, SocketColumn));
}

QString ConversationModel::socketName(SocketId socket) const
{
    return m_socketNames.value(socket, u"socket %1"_s.arg(socket));
}

void ConversationModel::setTimeoutMs(int timeoutMs)
{
    m_timeoutUs = std::int64_t(timeoutMs) * 1000;
    updateStates(m_nowUs);
    Q_EMIT figuresChanged();
}

void ConversationModel::updateStates(std::int64_t nowUs)
{
    m_nowUs = nowUs;
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, StateColumn), index(rowCount() - 1, StateColumn));
}

void ConversationModel::countRequest(const RequestPair &pair)
{
    for (const SocketId socket : { SocketId(pair.socket), SocketId(0) }) {
        Tally &tally = m_tallies[socket];
        ++tally.requests;
        if (!pair.answered) {
            // Requests come in send order, so this is nearly always an append.
            const auto at
                = std::upper_bound(tally.waitingSinceUs.begin(), tally.waitingSinceUs.end(), pair.requestUs);
            tally.waitingSinceUs.insert(at, pair.requestUs);
        }
    }
}

void ConversationModel::countLatency(const RequestPair &pair)
{
    if (!pair.answered)
        return;
    for (const SocketId socket : { SocketId(pair.socket), SocketId(0) })
        m_tallies[socket].added.push_back(pair.latencyUs());
}

void ConversationModel::stopWaiting(const RequestPair &pair)
{
    for (const SocketId socket : { SocketId(pair.socket), SocketId(0) }) {
        std::vector<std::int64_t> &waiting = m_tallies[socket].waitingSinceUs;
        const auto at = std::lower_bound(waiting.begin(), waiting.end(), pair.requestUs);
        if (at != waiting.end() && *at == pair.requestUs)
            waiting.erase(at);
    }
}

const std::vector<std::int64_t> &ConversationModel::Tally::latencies() const
{
    if (!added.empty()) {
        // Sorting what came since and merging it costs far less than sorting everything again.
        std::sort(added.begin(), added.end());
        const auto middle = std::ptrdiff_t(sorted.size());
        sorted.insert(sorted.end(), added.cbegin(), added.cend());
        std::inplace_merge(sorted.begin(), sorted.begin() + middle, sorted.end());
        added.clear();
    }
    return sorted;
}

const ConversationModel::Tally *ConversationModel::tally(SocketId socket) const
{
    const auto found = m_tallies.find(socket);
    return found == m_tallies.end() ? nullptr : &found->second;
}

QList<SocketId> ConversationModel::sockets() const
{
    QList<SocketId> sockets;
    for (const auto &[socket, tally] : m_tallies)
        if (socket != 0)
            sockets.append(socket);
    std::sort(sockets.begin(), sockets.end(),
        [this](SocketId a, SocketId b) { return socketName(a).localeAwareCompare(socketName(b)) < 0; });
    return sockets;
}

ConversationModel::Figures ConversationModel::figures(SocketId socket) const
{
    Figures figures;
    const Tally *counted = tally(socket);
    if (!counted)
        return figures;
    const std::vector<std::int64_t> &sorted = counted->latencies();
    const std::vector<std::int64_t> &waiting = counted->waitingSinceUs;
    figures.requests = counted->requests;
    figures.answered = sorted.size();
    // pairState(): timed out when now - sent > timeout, so sent < now - timeout.
    figures.timedOut = std::uint64_t(
        std::lower_bound(waiting.cbegin(), waiting.cend(), m_nowUs - m_timeoutUs) - waiting.cbegin());
    figures.pending = waiting.size() - figures.timedOut;
    figures.latency.requests = figures.requests;
    figures.latency.answered = figures.answered;
    figures.latency.unanswered = figures.pending + figures.timedOut;
    figures.latency.p50Us = nearestRank(sorted, 50);
    figures.latency.p90Us = nearestRank(sorted, 90);
    figures.latency.p99Us = nearestRank(sorted, 99);
    figures.latency.maxUs = nearestRank(sorted, 100);
    return figures;
}

std::vector<std::uint64_t> ConversationModel::latenciesAtMost(
    SocketId socket, const std::vector<std::int64_t> &edgesUs) const
{
    std::vector<std::uint64_t> counts(edgesUs.size(), 0);
    const Tally *counted = tally(socket);
    if (!counted)
        return counts;
    const std::vector<std::int64_t> &sorted = counted->latencies();
    for (std::size_t i = 0; i < edgesUs.size(); ++i)
        counts[i]
            = std::uint64_t(std::upper_bound(sorted.cbegin(), sorted.cend(), edgesUs[i]) - sorted.cbegin());
    return counts;
}

} // namespace zmqscope
