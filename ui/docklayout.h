#pragma once

class QDockWidget;
class QMainWindow;
class QToolBar;
class QTreeView;
class QWidget;

namespace zmqscope {

/// The main window's docks and the parts of them whose sizes decide the layout.
struct MainDocks
{
    QDockWidget *sockets = nullptr;
    QDockWidget *detail = nullptr;
    QDockWidget *composer = nullptr;
    QDockWidget *events = nullptr;
    QDockWidget *library = nullptr;
    QDockWidget *tapMonitor = nullptr; ///< may be null; a tab beside the Detail, keeps its visibility
    QDockWidget *statistics = nullptr; ///< may be null; a tab beside the Events
    const QTreeView *socketView = nullptr; ///< its columns decide the Sockets panel's width
    const QWidget *composerWidget = nullptr; ///< its minimum size decides stacked or tabbed
    const QToolBar *toolBar = nullptr; ///< may be null before the tool bar exists
};

/**
 * Lays out docks in window for the window's size (1600x1000 before it is shown):
 * the Messages in the middle, Sockets (with the Library as a tab) and Events
 * under them, Detail over Composer on the right, or the two as tabs where the
 * Composer cannot fit whole under the Detail (1024x600, 200 % scale). The Tap Monitor
 * is a tab beside the Detail, shown only if it was; the Statistics a tab beside the Events.
 */
void resetDockLayout(QMainWindow &window, const MainDocks &docks);

} // namespace zmqscope
