#pragma once

#include <functional>

#include <QObject>
#include <QString>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/error.h>

class QAction;
class QWidget;

namespace zmqscope {

class EventLogModel;
class SniffController;
class SocketListModel;
class TapController;

/**
 * File > Open Workspace and Save Workspace: the sockets, taps, sniffers and decode rules a workspace
 * file holds.
 * Opening asks for the PLAIN passwords a file never keeps (a socket whose prompt is declined stays
 * closed); saving says which keys could not be kept. Every outcome is a line in the Events view.
 */
class WorkspaceController : public QObject
{
    Q_OBJECT
public:
    /// What the main window does for a workspace besides its controllers.
    struct Hooks
    {
        /// Opens one socket as the main window does (its row shows at once).
        std::function<SocketId(SocketSpec)> openSocket;
        /// The decode rules in use, and applying a workspace's (which says itself when it cannot).
        std::function<QList<DecodeRule>()> decodeRules;
        std::function<void(const QList<DecodeRule> &)> applyDecodeRules;
        /// The filter box's saved filters (name, text), and setting a workspace's.
        std::function<QList<std::pair<QString, QString>>()> savedFilters;
        std::function<void(const QList<std::pair<QString, QString>> &)> applySavedFilters;
    };

    WorkspaceController(SocketListModel &sockets, EventLogModel &events, TapController &taps,
        SniffController &sniffers, Hooks hooks, QWidget &window);

    /// Opens the sockets, taps and sniffers of a workspace file; fails as Workspace::load() does, and
    /// logs the error.
    zmqscope::Result<void> open(const QString &fileName);
    /// Saves the open sockets, taps and sniffers to a workspace file; fails as Workspace::save() does,
    /// and logs the error.
    zmqscope::Result<void> save(const QString &fileName);
    /// The file dialogs of the two actions; a failure is also shown in a message box.
    void openInteractively();
    void saveInteractively();

    /// The folder of the last workspace opened or saved (kept in the settings by the main window).
    [[nodiscard]] QString lastDirectory() const { return m_lastDirectory; }
    void setLastDirectory(const QString &directory) { m_lastDirectory = directory; }

private:
    SocketListModel &m_sockets;
    EventLogModel &m_events;
    TapController &m_taps;
    SniffController &m_sniffers;
    Hooks m_hooks;
    QWidget &m_window;
    QString m_lastDirectory;
};

} // namespace zmqscope
