#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <zmqscope/engine/engine.h>

class QAction;
class QLabel;
class QMenu;

namespace zmqscope {

class CaptureWindow;
class EventLogModel;
class ExportDialog;
class MessagesPane;
class RecordDialog;
class ReplayDialog;

/**
 * The main window's capture features, kept out of MainWindow: Record
 * (Ctrl+E) and Record to…, the red recording indicator in the status bar,
 * Open Capture (Ctrl+O) and the recent captures, Export Messages and Replay.
 *
 * It is given only what it works on: the engine, the Messages pane (whose
 * selection it exports and replays), the Events log it writes to, and the
 * window that parents its dialogs. MainWindow puts the actions in its menus
 * and the indicator in its status bar, tells it which sockets are selected,
 * shows reported() lines in its status bar and calls refresh() on its view tick.
 */
class CaptureController : public QObject
{
    Q_OBJECT
public:
    /// The Open Capture dialog's file filter: capture files and packet captures (pcap, pcapng).
    [[nodiscard]] static QString openCaptureFilter();
    CaptureController(Engine &engine, MessagesPane &messages, EventLogModel &events, QWidget &window);
    ~CaptureController() override;

    [[nodiscard]] QAction *recordAction() const { return m_recordAction; }
    [[nodiscard]] QAction *recordToAction() const { return m_recordToAction; }
    [[nodiscard]] QAction *openCaptureAction() const { return m_openAction; }
    [[nodiscard]] QMenu *recentCapturesMenu() const { return m_recentMenu; }
    [[nodiscard]] QAction *exportAction() const { return m_exportAction; }
    [[nodiscard]] QAction *replaySelectionAction() const { return m_replaySelectionAction; }
    [[nodiscard]] QAction *replayFileAction() const { return m_replayFileAction; }
    /// The status bar's recording indicator (hidden while not recording).
    [[nodiscard]] QLabel *recordingLabel() const { return m_recordingLabel; }

    /// Opens a capture file in a new capture window and starts loading it.
    CaptureWindow *openCapture(const QString &path);
    [[nodiscard]] QList<CaptureWindow *> captureWindows() const;
    void closeCaptureWindows();
    [[nodiscard]] QStringList recentCaptures() const;

    /// Starts recording with these options (what Record does after the dialog).
    void startRecording(const RecordingOptions &options);
    void stopRecording();
    /// Record to…: asks for the file, the sockets and the rotation (non-modal) and returns the dialog.
    RecordDialog *showRecordDialog();
    ExportDialog *showExportDialog();
    /// Replays the selected rows of the Messages table.
    ReplayDialog *showReplayDialog();
    /// Replays a capture file (asks for one when `path` is empty).
    ReplayDialog *showReplayFileDialog(const QString &path = {});

    /// The last recording or open error, empty when there was none.
    [[nodiscard]] QString lastError() const { return m_lastError; }

    /// The view tick: the recording indicator's file and count.
    void refresh();
    /// The sockets selected in the window, which Record to… preselects.
    void setSelectedSockets(const QList<SocketId> &sockets) { m_selectedSockets = sockets; }

Q_SIGNALS:
    void captureOpenFailed(const QString &path, const QString &error);
    /// A recording or an export finished; text is one line for the status bar (also in the Events log).
    void reported(const QString &text);

private:
    void handleRecordToggled(bool checked);
    void handleRecordingStarted(const QString &path);
    void handleRecordingFileChanged(const QString &path);
    void handleRecordingStopped(const QString &path, quint64 messages);
    void handleRecordingFailed(const QString &error);
    void openCapturesInteractively();
    void rebuildRecentMenu();
    void addRecent(const QString &path);
    void setRecordChecked(bool checked);
    void updateActions();
    [[nodiscard]] QString nextRecordingPath() const;

    Engine &m_engine;
    MessagesPane &m_messages;
    EventLogModel &m_events;
    QWidget &m_window;
    QList<SocketId> m_selectedSockets;
    QAction *m_recordAction = nullptr;
    QAction *m_recordToAction = nullptr;
    QAction *m_openAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_replaySelectionAction = nullptr;
    QAction *m_replayFileAction = nullptr;
    QLabel *m_recordingLabel = nullptr;
    QList<QPointer<CaptureWindow>> m_windows;
    QPointer<RecordDialog> m_recordDialog;
    RecordingOptions m_recordOptions;
    bool m_haveRecordOptions = false;
    QString m_lastError;
    QString m_recordingPath;
};

} // namespace zmqscope
