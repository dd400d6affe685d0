#pragma once

#include <optional>

#include <QObject>
#include <QStringList>

#include <zmqscope/engine/engine.h>

class QAction;
class QDockWidget;
class QMainWindow;
class QMenu;
class QModelIndex;

namespace zmqscope {

struct MainActions;
class SocketListModel;
class SocketsView;
class TapMonitorView;

/**
 * The main window's taps (DESIGN.md section 12): Capture > New Tap, Edit Tap and Reopen for a tap
 * row, the tap's entries in the Sockets panel's context menu, a workspace's taps, and the Tap
 * Monitor dock that shows both sides of the tap selected in the Sockets panel. MainWindow owns it,
 * its actions and its views, and forwards what it hears (sockets changed, selection changed); the
 * tap's messages go through the engine and store like any socket's.
 */
class TapController : public QObject
{
    Q_OBJECT
public:
    /// Connects New Tap and Tap Monitor of actions; Edit Socket says Edit Tap for a tap (updateActions()).
    TapController(Engine &engine, SocketListModel &sockets, SocketsView &view, const MainActions &actions,
        QMainWindow &window);
    ~TapController() override;

    /// The Tap Monitor dock (hidden until a tap is opened or monitored).
    [[nodiscard]] QDockWidget *monitorDock() const { return m_dock; }
    [[nodiscard]] TapMonitorView *monitor() const { return m_monitor; }

    /// Opens a tap as the New Tap dialog does; the row shows at once. Returns its id.
    SocketId openTap(const TapSpec &spec);
    /// The New Tap dialog; OK opens the tap.
    void showNewTapDialog();
    /// Edit Tap: the dialog filled from the tap `info`; applying closes it and opens the new one.
    /// False, doing nothing, when info is not a tap's (Edit Socket is the socket's).
    bool editTap(const SocketInfo &info);
    /// Reopen a closed or failed tap with its settings; the old row gives way. Returns the new tap's
    /// id, 0 (doing nothing) when info is not a tap's.
    SocketId reopenTap(const SocketInfo &info);
    /// Shows and raises the monitor dock with the tap `id`.
    void monitorTap(SocketId id);

    /// The open taps' specs (for a workspace file).
    [[nodiscard]] QList<TapSpec> openTapSpecs() const;
    /// Opens a workspace file's taps.
    void openTaps(const QList<TapSpec> &specs);

    /// The Sockets panel's context menu at `index`: for a tap, Tap Monitor and why there is no Send.
    void addContextMenuActions(QMenu &menu, const QModelIndex &index) const;
    /// Edit Socket is Edit Tap and Tap Monitor is enabled while a tap is selected.
    void updateActions(const std::optional<SocketInfo> &selected);

    /// MainWindow's hooks: what the Sockets panel lists, and its selection.
    void setSockets(const QList<SocketInfo> &sockets);
    void setSelectedSocket(const std::optional<SocketInfo> &socket);
    /// The view tick: the monitor's tap gets its latest counters and states.
    void refresh();

private:
    void handleSocketOpened(SocketId id);
    /// After Edit Tap: the monitor follows the new tap when it showed the old one.
    void monitorTapIfShown(SocketId id);

    Engine &m_engine;
    SocketListModel &m_sockets;
    SocketsView &m_view;
    QMainWindow &m_window;
    QAction *m_editAction = nullptr; ///< MainWindow's Edit Socket
    QAction *m_monitorAction = nullptr; ///< MainWindow's Tap Monitor
    TapMonitorView *m_monitor = nullptr;
    QDockWidget *m_dock = nullptr;
    bool m_monitorIntroduced = false; ///< the first tap opened has brought the monitor into view
};

} // namespace zmqscope
