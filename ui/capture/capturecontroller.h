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
class ExportDialog;
class MainWindow;
class RecordDialog;
class ReplayDialog;

/**
 * The main window's capture features, kept out of MainWindow: Record
 * (Ctrl+E) and Record to…, the red recording indicator in the status bar,
 * Open Capture (Ctrl+O) and the recent captures, Export Messages and Replay.
 * MainWindow puts the actions in its menus and calls refresh() on its view tick.
 */
class CaptureController : public QObject
{
    Q_OBJECT
public:
    explicit CaptureController(MainWindow &window);
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

Q_SIGNALS:
    void captureOpenFailed(const QString &path, const QString &error);

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

    MainWindow &m_window;
    Engine &m_engine;
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
