#include "eventlogmodel.h"

#include <QBrush>
#include <QColor>

#include "displaytext.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Line &line = m_lines[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole: {
        const QString time = line.time.toLocalTime().toString(u"hh:mm:ss.zzz"_s);
        QString text = line.text;
        if (line.repeats > 1)
            text += u" (\u00d7%1, last %2)"_s.arg(
                QString::number(line.repeats), line.lastTime.toLocalTime().toString(u"hh:mm:ss"_s));
        if (line.socketName.isEmpty())
            return u"%1  %2"_s.arg(time, text);
        return u"%1  %2: %3"_s.arg(time, line.socketName, text);
    }
    case Qt::ForegroundRole:
        return line.isError ? QVariant(QBrush(QColor(0xc6, 0x28, 0x28))) : QVariant();
    case IsErrorRole:
        return line.isError;
    case SocketIdRole:
        return uint(line.socket);
    default:
        return {};
    }
}

void EventLogModel::setMaxLines(int maxLines)
{
    m_maxLines = qMax(1, maxLines);
    flush();
}

void EventLogModel::addEvent(const EngineEvent &event)
{
    Line line;
    line.time = event.time.isValid() ? event.time : QDateTime::currentDateTime();
    line.socket = event.socket;
    QString text = event.text;
    if (!event.endpoint.isEmpty() && !text.contains(event.endpoint))
        text += u" ("_s + event.endpoint + u')';
    // Engine text can quote what a peer sent (a routing id, a mechanism name): keep it on one plain line.
    line.text = displaytext::oneLine(text.toUtf8(), 1000, displaytext::BinaryStyle::Spaced);
    line.isError = event.isError;
    enqueue(std::move(line));
}

void EventLogModel::addLine(const QString &text, bool isError, SocketId socket)
{
    Line line;
    line.time = QDateTime::currentDateTime();
    line.socket = socket;
    line.text = displaytext::oneLine(text.toUtf8(), 1000, displaytext::BinaryStyle::Spaced);
    line.isError = isError;
    enqueue(std::move(line));
}

void EventLogModel::enqueue(Line line)
{
    if (line.socket != 0) {
        const QString name = m_socketNames.value(line.socket);
        // Engine lines usually name their socket already ("SUB 1: ...", "closed socket \"SUB 1\"").
        const bool named = !name.isEmpty()
            && (line.text.startsWith(name + u':') || line.text.contains(u'"' + name + u'"'));
        if (!named)
            line.socketName = name.isEmpty() ? u"#%1"_s.arg(line.socket) : name;
    }
    // A socket retrying a connect says the same every few seconds: count it on the line that said it.
    int row = -1;
    if (Line *previous = findLine(m_lastSerial.value(line.socket), &row); previous
        && previous->text == line.text && previous->isError == line.isError
        && previous->socketName == line.socketName) {
        ++previous->repeats;
        previous->lastTime = line.time;
        if (row >= 0)
            Q_EMIT dataChanged(index(row), index(row), { Qt::DisplayRole });
        return;
    }
    line.serial = m_nextSerial++;
    m_lastSerial.insert(line.socket, line.serial);
    m_pending.push_back(std::move(line));
    // A burst bigger than the log keeps only its newest lines.
    if (m_pending.size() > std::size_t(m_maxLines))
        m_pending.erase(m_pending.begin(), m_pending.begin() + std::ptrdiff_t(m_pending.size() - m_maxLines));
}

EventLogModel::Line *EventLogModel::findLine(quint64 serial, int *row)
{
    *row = -1;
    // Serials are consecutive within each queue: both only lose lines at the front and gain at the back.
    if (!m_pending.empty() && serial >= m_pending.front().serial && serial <= m_pending.back().serial)
        return &m_pending[std::size_t(serial - m_pending.front().serial)];
    if (!m_lines.empty() && serial >= m_lines.front().serial && serial <= m_lines.back().serial) {
        *row = int(serial - m_lines.front().serial);
        return &m_lines[std::size_t(*row)];
    }
    return nullptr;
}

void EventLogModel::flush()
{
    const std::size_t total = m_lines.size() + m_pending.size();
    if (total > std::size_t(m_maxLines)) {
        const int drop = int(std::min(m_lines.size(), total - std::size_t(m_maxLines)));
        if (drop > 0) {
            beginRemoveRows({}, 0, drop - 1);
            m_lines.erase(m_lines.begin(), m_lines.begin() + drop);
            endRemoveRows();
        }
    }
    if (m_pending.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + int(m_pending.size()) - 1);
    for (Line &line : m_pending)
        m_lines.push_back(std::move(line));
    m_pending.clear();
    endInsertRows();
}

void EventLogModel::clear()
{
    m_pending.clear();
    m_lastSerial.clear();
    if (m_lines.empty())
        return;
    beginRemoveRows({}, 0, rowCount() - 1);
    m_lines.clear();
    endRemoveRows();
}

} // namespace zmqscope
