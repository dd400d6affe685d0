#pragma once

#include <memory>

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <zmqscope/capture/captureloader.h>
#include <zmqscope/engine/engine.h>

class QAction;
class QLabel;
class QProgressBar;
class QPushButton;
class QSplitter;

namespace zmqscope {

class ExportDialog;
class MessageDetailView;
class MessagesPane;
class ReplayDialog;

/**
 * A capture file, read-only: the same Messages table, filter bar and Detail
 * pane as live traffic, over a MessageStore of its own that CaptureLoader
 * fills in a worker thread (progress and Cancel in the status bar; the window
 * is usable while it loads). Lines the reader skipped are listed in a warning
 * banner with their line numbers. Export and Replay work on the selection or
 * the whole file; replaying needs the main window's Engine.
 */
class CaptureWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// `engine` is where Replay sends to; nullptr disables Replay.
    CaptureWindow(const QString &path, Engine *engine, QWidget *parent = nullptr);
    ~CaptureWindow() override;

    /// Starts reading the file (call once).
    void startLoading();
    void cancelLoading();

    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] bool isLoading() const;
    /// Valid once loadFinished() was emitted.
    [[nodiscard]] const CaptureLoadResult &loadResult() const { return m_result; }
    [[nodiscard]] const MessageStore &store() const { return m_store; }
    [[nodiscard]] MessagesPane *messagesPane() const { return m_messages; }
    [[nodiscard]] MessageDetailView *detailView() const { return m_detail; }
    /// The warning banner (hidden when nothing was skipped).
    [[nodiscard]] QLabel *issuesBanner() const { return m_banner; }
    [[nodiscard]] QAction *exportAction() const { return m_exportAction; }
    [[nodiscard]] QAction *replayAction() const { return m_replayAction; }
    [[nodiscard]] QAction *replaySelectionAction() const { return m_replaySelectionAction; }

    /// Opens the Export dialog (non-modal) and returns it.
    ExportDialog *showExportDialog();
    /// Opens the Replay dialog for the selected rows (or the whole file) and returns it; nullptr without an
    /// engine.
    ReplayDialog *showReplayDialog(bool selectionOnly);

    /// One view tick (the timer does it while loading).
    void refreshViews();

Q_SIGNALS:
    /// The file was read (completely, or up to Cancel).
    void loadFinished(const zmqscope::CaptureLoadResult &result);
    /// The file could not be read at all (not a capture, cannot open); the window closes itself.
    void loadFailed(const QString &path, const QString &error);

private:
    void createActions();
    void handleProgress(qint64 bytesRead, qint64 totalBytes, quint64 messages);
    void handleFinished(const CaptureLoadResult &result);
    void handleCurrentMessageChanged();
    void updateSockets();
    void updateStatus();
    void updateActions();
    [[nodiscard]] QString socketName(SocketId id) const;

    QString m_path;
    QPointer<Engine> m_engine;
    MessageStore m_store;
    std::unique_ptr<CaptureLoader> m_loader;
    CaptureLoadResult m_result;
    bool m_finished = false;
    QList<CaptureSocket> m_sockets;
    quint64 m_loadedMessages = 0;

    MessagesPane *m_messages = nullptr;
    MessageDetailView *m_detail = nullptr;
    QSplitter *m_splitter = nullptr;
    QLabel *m_banner = nullptr;
    QLabel *m_statusLabel = nullptr;
    QProgressBar *m_loadProgress = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_replayAction = nullptr;
    QAction *m_replaySelectionAction = nullptr;
    QAction *m_closeAction = nullptr;
    QTimer m_refreshTimer;
};

} // namespace zmqscope
