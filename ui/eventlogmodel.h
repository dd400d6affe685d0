#pragma once

#include <deque>

#include <QAbstractListModel>
#include <QDateTime>
#include <QHash>
#include <QString>

#include <zmqscope/engine/engine.h>

namespace zmqscope {

/**
 * The Events log: time-stamped plain-text lines, errors in red. Bounded:
 * the oldest lines go once there are more than maxLines(). Lines are
 * collected as they come and reach the view in one insertion per flush()
 * (the view timer), so a storm of reconnect events cannot flood the GUI.
 *
 * A line that repeats the previous line of the same socket (a connect retried
 * every few seconds) does not add a row: that line counts it instead,
 * "could not connect to ...; retrying in 5000 ms (×12, last 12:00:55)".
 */
class EventLogModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        IsErrorRole = Qt::UserRole + 1, ///< bool
        SocketIdRole, ///< SocketId (uint), 0 for application-wide lines
    };

    explicit EventLogModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    void setMaxLines(int maxLines);
    [[nodiscard]] int maxLines() const { return m_maxLines; }

    /// Queues an engine event; it shows after the next flush().
    void addEvent(const EngineEvent &event);
    /// Queues a line of our own (workspace saved, send failed, ...).
    void addLine(const QString &text, bool isError = false, SocketId socket = 0);
    /// Inserts the queued lines in one batch and drops the oldest beyond maxLines().
    void flush();
    void clear();

    /// Names for the socket part of each line.
    void setSocketNames(const QHash<SocketId, QString> &names) { m_socketNames = names; }

private:
    struct Line
    {
        QDateTime time;
        SocketId socket = 0;
        QString socketName; ///< resolved when the line was added, so it survives a socket being forgotten
        QString text;
        bool isError = false;
        quint64 serial = 0; ///< lines are numbered in the order they came
        int repeats = 1; ///< how often this line came in a row for its socket
        QDateTime lastTime; ///< when it came the last time (repeats > 1)
    };

    void enqueue(Line line);
    /// The line numbered serial if it is still held, and its row when it has reached the view (else -1).
    [[nodiscard]] Line *findLine(quint64 serial, int *row);

    std::deque<Line> m_lines;
    std::deque<Line> m_pending;
    QHash<SocketId, QString> m_socketNames;
    QHash<SocketId, quint64> m_lastSerial; ///< the newest line of each socket (0: application lines)
    quint64 m_nextSerial = 1;
    int m_maxLines = 5000;
};

} // namespace zmqscope
