#pragma once

#include <deque>

#include <QHash>
#include <QList>
#include <QSet>
#include <QWidget>

#include <zmqscope/engine/engine.h>

class QBoxLayout;
class QLabel;

namespace zmqscope {

/**
 * The Tap Monitor panel: both sides of one tap as their socket monitors see them. The clients'
 * side (the listen endpoints, how many clients are connected, their connects and disconnects)
 * beside the server's side (the forward endpoints, the connection state, retries and the last
 * monitor line), above them what was forwarded each way and what waits.
 *
 * It keeps the tap lines of Engine::eventLogged for every tap from the start (a bounded list per
 * side), so picking another tap shows its whole recent history. State and counters come from
 * SocketInfo::tap on the view timer (setSockets()).
 */
class TapMonitorView : public QWidget
{
    Q_OBJECT
public:
    /// Lines kept per tap and side.
    static constexpr int MaxLinesPerSide = 500;

    explicit TapMonitorView(QWidget *parent = nullptr);

    /// Keeps a tap's line (the engine's "clients' side: ..." and "server's side: ..." and the tap's
    /// other lines); lines of other sockets are ignored.
    void addEvent(const EngineEvent &event);
    /// The sockets as the Sockets panel has them; the tap shown is updated from its row.
    void setSockets(const QList<SocketInfo> &sockets);
    /// The tap's latest info (counters, states) on the view timer; other sockets are ignored.
    void updateTap(const SocketInfo &info);
    /// Shows the tap `id` (a tap listed in the last setSockets(), or one whose lines came first).
    void showTap(SocketId id);
    /// The tap shown; 0 before any.
    [[nodiscard]] SocketId shownTap() const { return m_shown; }

    /// The lines kept of one side of a tap, without their "clients' side: " prefix, oldest first.
    [[nodiscard]] QStringList sideLines(SocketId id, bool clientsSide) const;
    /// Server-side lines that reported a failed connection attempt (state Retrying).
    [[nodiscard]] int retries(SocketId id) const { return m_history.value(id).retries; }

Q_SIGNALS:
    /// The tap shown changed (its name belongs in the dock's title).
    void shownTapChanged(zmqscope::SocketId id, const QString &name);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Line
    {
        QDateTime time;
        QString text;
        bool isError = false;
    };
    struct History
    {
        std::deque<Line> clients;
        std::deque<Line> server;
        int retries = 0;
    };

    class Side;

    void updateShown();

    QHash<SocketId, History> m_history;
    QHash<SocketId, SocketInfo> m_taps;
    SocketId m_shown = 0;
    bool m_listsStale = true;

    QBoxLayout *m_sides = nullptr; ///< side by side when wide enough, else one over the other
    Side *m_clients = nullptr;
    Side *m_server = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_explanation = nullptr;
    QLabel *m_counters = nullptr;
};

} // namespace zmqscope
