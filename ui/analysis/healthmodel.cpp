#include "healthmodel.h"

#include <QColor>

#include <zmqscope/analysis/requestpairing.h> // latencyText
#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>
#include <zmqscope/socketmonitor.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

const std::deque<HealthModel::Event> NoEvents;

QString stateText(SocketState state)
{
    return socketStateName(state);
}

/// The socket's receive high-water mark as set, or libzmq's default.
QString receiveHighWaterMark(const SocketInfo &info)
{
    for (const auto &[name, value] : info.spec.options) {
        if (name == "rcvhwm")
            return value.toDisplayString();
    }
    return u"1000, the default"_s;
}

} // namespace

HealthModel::HealthModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int HealthModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HealthModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HealthModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = m_rows.at(index.row());
    const auto count = [&](std::uint64_t value) -> QVariant { return QString::number(value); };
    if (role == SocketIdRole)
        return uint(row.info.id);
    if (role == Qt::TextAlignmentRole && index.column() >= MessagesColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole) {
        const std::uint64_t problems[] = { 0, 0, 0, row.missing, row.duplicates, row.reordered,
            row.unanswered, row.handshakeFailures, row.retries, row.disconnects };
        if (index.column() >= MissingColumn && problems[index.column()] > 0)
            return QColor(0xc0, 0x20, 0x20);
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == SocketColumn)
        return hints(row.info.id).join(u"\n"_s);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case SocketColumn:
        return row.info.spec.name;
    case StateColumn:
        return stateText(row.info.state);
    case MessagesColumn:
        return m_sequenceChecked ? count(row.messages) : QVariant(u"–"_s);
    case MissingColumn:
        return m_sequenceChecked ? count(row.missing) : QVariant(u"–"_s);
    case DuplicatesColumn:
        return m_sequenceChecked ? count(row.duplicates) : QVariant(u"–"_s);
    case ReorderedColumn:
        return m_sequenceChecked ? count(row.reordered) : QVariant(u"–"_s);
    case UnansweredColumn:
        return count(row.unanswered);
    case HandshakeFailuresColumn:
        return count(row.handshakeFailures);
    case RetriesColumn:
        return count(row.retries);
    case DisconnectsColumn:
        return count(row.disconnects);
    default:
        return {};
    }
}

QVariant HealthModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    static const QStringList names { u"Socket"_s, u"State"_s, u"Checked"_s, u"Missing"_s, u"Duplicated"_s,
        u"Reordered"_s, u"No reply"_s, u"Handshake failed"_s, u"Retries"_s, u"Disconnects"_s };
    static const QStringList tips { QString(), QString(), u"Messages that had the sequence field"_s,
        u"Sequence numbers skipped and never seen since"_s, u"Sequence numbers seen twice"_s,
        u"Late messages that filled a gap"_s,
        u"Requests still waiting for their reply (pending or timed out)"_s,
        u"Handshakes that failed (security, protocol)"_s,
        u"Connection attempts that failed and were retried"_s, u"Peers that went away"_s };
    if (role == Qt::DisplayRole)
        return names.value(section);
    if (role == Qt::ToolTipRole)
        return tips.value(section);
    return {};
}

void HealthModel::setSockets(const QList<SocketInfo> &sockets)
{
    // Known sockets keep their counts; new ones are added at the end, closed ones go.
    QHash<SocketId, Row> old;
    for (const Row &row : std::as_const(m_rows))
        old.insert(row.info.id, row);
    QList<Row> rows;
    for (const SocketInfo &info : sockets) {
        if (info.sniff)
            continue; // a capture is no socket: its connections have no monitor
        Row row = old.value(info.id);
        row.info = info;
        rows.append(row);
    }
    bool sameOrder = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameOrder && i < rows.size(); ++i)
        sameOrder = rows.at(i).info.id == m_rows.at(i).info.id;
    if (sameOrder) {
        m_rows = rows;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    } else {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    }
    Q_EMIT healthChanged();
}

void HealthModel::apply(const AnalysisController::Update &update)
{
    const AnalysisDelta &delta = update.delta;
    m_unseen = delta.unseen;
    if (update.reset || !delta.streams.empty()) {
        m_sequenceChecked = !delta.streams.empty() || delta.sequences.withoutField > 0;
        m_withoutField = delta.sequences.withoutField;
        for (Row &row : m_rows)
            row.messages = row.missing = row.duplicates = row.reordered = 0;
        for (const SequenceStream &stream : delta.streams) {
            const int at = rowOf(stream.socket);
            if (at < 0)
                continue;
            Row &row = m_rows[at];
            row.messages += stream.messages;
            row.missing += stream.missing;
            row.duplicates += stream.duplicates;
            row.reordered += stream.reordered;
        }
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, MessagesColumn), index(rowCount() - 1, ReorderedColumn));
    }
    Q_EMIT healthChanged();
}

void HealthModel::setUnanswered(const QHash<SocketId, std::uint64_t> &unanswered)
{
    for (int i = 0; i < m_rows.size(); ++i) {
        const std::uint64_t value = unanswered.value(m_rows.at(i).info.id);
        if (m_rows.at(i).unanswered != value) {
            m_rows[i].unanswered = value;
            Q_EMIT dataChanged(index(i, UnansweredColumn), index(i, UnansweredColumn));
        }
    }
}

HealthModel::Event::Kind HealthModel::kindOf(const EngineEvent &event)
{
    if (event.state == SocketState::HandshakeFailed || event.text.startsWith(u"handshake failed"_s)
        || (event.text.startsWith(u"handshake with"_s) && event.text.contains(u" failed: "_s)))
        return Event::Kind::HandshakeFailed;
    if (event.text.startsWith(u"could not connect"_s))
        return Event::Kind::Retry;
    if (event.text.contains(u" disconnected ("_s))
        return Event::Kind::Disconnected;
    if (event.text.contains(u"succeeded ("_s))
        return Event::Kind::Connected;
    return Event::Kind::Other;
}

void HealthModel::addEvent(const EngineEvent &event)
{
    if (event.socket == 0)
        return;
    const Event::Kind kind = kindOf(event);
    std::deque<Event> &events = m_events[event.socket];
    events.push_back({ event.time, event.text, kind, event.isError });
    if (events.size() > MaxEventsPerSocket)
        events.pop_front();
    const int at = rowOf(event.socket);
    if (at >= 0) {
        Row &row = m_rows[at];
        int column = -1;
        if (kind == Event::Kind::HandshakeFailed) {
            ++row.handshakeFailures;
            column = HandshakeFailuresColumn;
        } else if (kind == Event::Kind::Retry) {
            ++row.retries;
            column = RetriesColumn;
        } else if (kind == Event::Kind::Disconnected) {
            ++row.disconnects;
            column = DisconnectsColumn;
        }
        if (column >= 0)
            Q_EMIT dataChanged(index(at, column), index(at, column));
    }
    Q_EMIT healthChanged();
}

int HealthModel::rowOf(SocketId socket) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).info.id == socket)
            return i;
    }
    return -1;
}

SocketId HealthModel::socketAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).info.id : 0;
}

const std::deque<HealthModel::Event> &HealthModel::events(SocketId socket) const
{
    const auto found = m_events.find(socket);
    return found == m_events.end() ? NoEvents : found->second;
}

QStringList HealthModel::hints(SocketId socket) const
{
    const int at = rowOf(socket);
    if (at < 0)
        return {};
    const Row &row = m_rows.at(at);
    const SocketInfo &info = row.info;
    const SocketType type = info.spec.type;
    QStringList hints;
    if (row.missing > 0) {
        if (type == SocketType::Sub || type == SocketType::XSub || type == SocketType::Pull)
            hints << u"%1 sequence numbers are missing: when the sender is faster than this %2 reads, libzmq "
                     u"drops "
                     u"at the high-water mark. Raise rcvhwm (now %3) or read faster."_s.arg(row.missing)
                         .arg(socketTypeName(type), receiveHighWaterMark(info));
        else
            hints
                << u"%1 sequence numbers are missing: the sender skipped them, or they were lost before they "
                   u"reached this socket."_s.arg(row.missing);
    }
    if (row.duplicates > 0)
        hints << u"%1 sequence numbers came twice: a sender restarted its count, or two senders share one "
                 u"stream (check the ids, or count per id)."_s.arg(row.duplicates);
    if (row.reordered > 0)
        hints << u"%1 messages came late, after higher numbers: several senders or connections feed this "
                 u"socket, and ZeroMQ keeps order only per connection."_s.arg(row.reordered);
    if (row.unanswered > 0) {
        if (type == SocketType::Req)
            hints << u"%1 requests have no reply: a REQ socket waits for ever for a lost reply. Set "
                     u"req_relaxed "
                     u"and req_correlate, or a receive timeout, and check the server."_s.arg(row.unanswered);
        else
            hints << u"%1 requests have no reply yet: is the server up, and does it answer every request?"_s
                         .arg(row.unanswered);
    }
    // The last handshake failure tells most.
    const std::deque<Event> &events = this->events(socket);
    for (auto event = events.rbegin(); event != events.rend(); ++event) {
        if (event->kind != Event::Kind::HandshakeFailed)
            continue;
        if (event->text.contains(u"no detail"_s) && !event->text.contains(u"key"_s))
            hints << u"Handshake failed with no detail: the server key may be wrong, or the peers use "
                     u"different "
                     u"security mechanisms."_s;
        else
            hints << u"Last handshake failure: %1."_s.arg(event->text);
        break;
    }
    if (row.retries > 0 && !info.everConnected)
        hints << u"No connection was ever made (%1 retries): is the server running at %2?"_s.arg(row.retries)
                     .arg(info.spec.connects.join(u", "_s));
    else if (row.disconnects > 0 && info.state != SocketState::Connected)
        hints << u"The peer went away %1 times and is not back."_s.arg(row.disconnects);
    return hints;
}

QString HealthModel::ownLossText() const
{
    QStringList parts;
    if (m_unseen > 0)
        parts << u"%1 messages left the store (retention) before the analysis read them: raise the message "
                 u"limit in Preferences"_s.arg(m_unseen);
    for (const Row &row : m_rows) {
        if (!row.info.tap)
            continue;
        const TapCounters &counters = row.info.tap->counters;
        const std::uint64_t stalls = counters.clientToServerStalls + counters.serverToClientStalls;
        if (stalls > 0)
            parts << u"tap %1 held its senders back %2 times, %3 in all (the other side was full; nothing "
                     u"dropped)"_s.arg(row.info.spec.name)
                         .arg(stalls)
                         .arg(latencyText(std::int64_t(
                             counters.clientToServerBlockedUs + counters.serverToClientBlockedUs)));
        if (counters.undeliverable > 0)
            parts << u"tap %1 had %2 replies for clients that had gone"_s.arg(row.info.spec.name)
                         .arg(counters.undeliverable);
    }
    return parts.join(u"; "_s);
}

} // namespace zmqscope
