#pragma once

#include <cstdint>
#include <optional>

#include <QMainWindow>
#include <QTimer>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/error.h>

#include "mainactions.h"

class QAction;
class QDockWidget;
class QToolBar;
class ComposerWidget;

namespace zmqscope {

class CaptureController;
class EventLogModel;
class EventLogView;
class LibraryPanel;
class PlotsPanel;
class MessageDetailView;
class MessagesPane;
struct Preferences;
class SocketListModel;
class SocketsView;
class StatisticsView;
class StoreStatus;
class SniffController;
class TapController;
class AnalysisDocks;
class WorkspaceController;

/**
 * The ZmqScope main window: the Messages table in the middle and docks for
 * Sockets, Detail, Composer, Events, Library, Plots, Statistics, Conversations and Health that the user
 * can rearrange.
 *
 * It talks to the Engine only through its API (which queues to the engine
 * thread) and reads the MessageStore on one view timer at 25 Hz: the message
 * rows, the socket list, the Events log and the status bar all update on
 * that tick, never per message.
 */
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// Bump when the docks change so an old saved layout is not restored over a new one.
    static constexpr int LayoutVersion = 4;
    static constexpr int RefreshIntervalMs = 40;

    explicit MainWindow(Engine &engine, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens a socket as the New-socket dialog would: names it when unnamed, logs what happens.
    SocketId openSocket(SocketSpec spec);

    /// The decode rules of the JSON tab (View > Decoders, workspaces). Loads their descriptor sets; when
    /// one cannot be used, the Events log says why and the rules in use stay.
    zmqscope::Result<void> setDecodeRules(const QList<DecodeRule> &rules);
    [[nodiscard]] const QList<DecodeRule> &decodeRules() const { return m_decodeRules; }
    /// View > Decoders: the rules table with a preview on the selected message.
    void showDecodersDialog();

    /// Opens the sockets and taps of a workspace file; fails as Workspace::load() does, and logs the error.
    zmqscope::Result<void> openWorkspace(const QString &fileName);
    /// Saves the open sockets and taps and their options to a workspace file; fails as Workspace::save()
    /// does.
    zmqscope::Result<void> saveWorkspace(const QString &fileName);

    /// Restores window geometry, dock layout and column widths from QSettings.
    void restoreSettings();
    /// Saves them (also done when the window closes, unless disabled).
    void saveSettings() const;
    void setSaveSettingsOnClose(bool save) { m_saveSettingsOnClose = save; }
    /// The default dock layout and sizes for the window's size (1600x1000 before it is shown). Where the
    /// Composer cannot fit whole under the Detail (1024x600, 200 % scale), the two are tabs.
    void resetLayout();

    /// Runs one view tick now (tests and screenshots use it; normally the timer does).
    void refreshViews();

    [[nodiscard]] Engine &engine() const { return m_engine; }
    [[nodiscard]] MessagesPane *messagesPane() const { return m_messages; }
    [[nodiscard]] EventLogModel *eventModel() const { return m_eventModel; }
    [[nodiscard]] MessageDetailView *detailView() const { return m_detail; }
    [[nodiscard]] ComposerWidget *composer() const { return m_composer; }
    /// Record, Open Capture, Export and Replay (ui/capture).
    [[nodiscard]] CaptureController *captureController() const { return m_capture; }
    /// The Library panel of saved messages (ui/library) and its dock.
    [[nodiscard]] LibraryPanel *libraryPanel() const { return m_library; }
    [[nodiscard]] QDockWidget *libraryDock() const { return m_libraryDock; }
    /// The Plots panel (ui/plots): the JSON tab's "Plot This Field" adds to it; its dock shows then.
    [[nodiscard]] PlotsPanel *plotsPanel() const { return m_plots; }
    [[nodiscard]] QDockWidget *plotsDock() const { return m_plotsDock; }
    /// Capture > New Tap, Edit Tap and the Tap Monitor dock.
    [[nodiscard]] TapController *tapController() const { return m_taps; }
    [[nodiscard]] AnalysisDocks *analysisDocks() const { return m_analysis; }
    /// The Statistics dock (rates, sizes, inter-arrival times per socket and id); a tab beside the Events.
    [[nodiscard]] StatisticsView *statisticsView() const { return m_statisticsView; }
    [[nodiscard]] QDockWidget *statisticsDock() const { return m_statisticsDock; }
    /// Capture > Sniff Interface and the sniffers' rows.
    [[nodiscard]] SniffController *sniffController() const { return m_sniffers; }

    /// Actions by role, for tests and for the command line's screenshot mode.
    enum class Action
    {
        NewSocket,
        NewTap,
        SniffInterface,
        MonitorTap,
        CloseSocket,
        ReopenSocket,
        EditSocket,
        Send,
        Reply,
        Find,
        Pause,
        Follow,
        Clear,
        OpenWorkspace,
        SaveWorkspace,
        About,
        Quit,
        Preferences,
    };
    [[nodiscard]] QAction *action(Action which) const;

public Q_SLOTS:
    void showNewSocketDialog();
    void closeSelectedSocket();
    void reopenSelectedSocket();
    /// The New Socket dialog, filled with the selected socket's settings; applying replaces the socket.
    void editSelectedSocket();
    void replyToCurrentMessage();
    /// Asks first when messages would be lost (unless told not to ask again), then drops them all.
    void clearMessages();
    /// Copies the selected rows (Ctrl+C in the table), tab-separated, in their order.
    void copySelectedRows();
    void showAbout();
    /// Edit > Preferences: retention limits and preview length, saved and applied live.
    void showPreferences();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenusAndToolBar();
    void createDocks();
    void createStatusBar();
    void connectEngine();

    void handleCurrentMessageChanged(std::optional<std::uint64_t> seq);
    void handleSocketsChanged();
    /// Gives the Detail pane's Diff tab the two selected messages, or none when not exactly two are.
    void updateComparedPair();
    void handleSocketSelectionChanged();
    void handleSocketOpened(SocketId id, const QStringList &boundEndpoints);
    void handleSocketFailed(SocketId id, const QString &error);
    void handlePauseToggled(bool paused);
    void setTimeDisplay(int display);
    /// Asks before quitting while sockets are open or a recording runs; true to quit.
    [[nodiscard]] bool confirmQuit();
    void updateActions();
    void showSocketContextMenu(const QPoint &pos);
    [[nodiscard]] QString uniqueSocketName(SocketType type) const;

    Engine &m_engine;
    MessageStore &m_store;

    MessagesPane *m_messages = nullptr;
    SocketListModel *m_socketModel = nullptr;
    SocketsView *m_socketView = nullptr;
    EventLogModel *m_eventModel = nullptr;
    EventLogView *m_eventView = nullptr;
    MessageDetailView *m_detail = nullptr;
    ComposerWidget *m_composer = nullptr;
    LibraryPanel *m_library = nullptr;
    PlotsPanel *m_plots = nullptr;
    StatisticsView *m_statisticsView = nullptr;
    CaptureController *m_capture = nullptr;
    TapController *m_taps = nullptr;
    AnalysisDocks *m_analysis = nullptr;
    SniffController *m_sniffers = nullptr;
    WorkspaceController *m_workspaces = nullptr;

    QDockWidget *m_socketsDock = nullptr;
    QDockWidget *m_detailDock = nullptr;
    QDockWidget *m_composerDock = nullptr;
    QDockWidget *m_eventsDock = nullptr;
    QDockWidget *m_libraryDock = nullptr;
    QDockWidget *m_plotsDock = nullptr;
    QDockWidget *m_statisticsDock = nullptr;

    MainActions m_actions;
    QAction *m_sendAction = nullptr; ///< the composer's
    QList<QAction *> m_timeDisplayActions;

    QToolBar *m_toolBar = nullptr;
    StoreStatus *m_storeStatus = nullptr;

    QTimer m_refreshTimer;
    QList<DecodeRule> m_decodeRules;
    bool m_saveSettingsOnClose = true;
};

} // namespace zmqscope
