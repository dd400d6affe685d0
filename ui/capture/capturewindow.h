#pragma once

#include <memory>

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <zmqscope/capture/captureloader.h>
#include <zmqscope/engine/engine.h>

class QAction;
class QDockWidget;
class QLabel;
class QProgressBar;
class QPushButton;
class QSplitter;

namespace zmqscope {

class ConnectionsPanel;
class ExportDialog;
class MessageDetailView;
class StatisticsView;
class MessagesPane;
class ReplayDialog;

/**
 * A capture file, read-only: the same Messages table, filter bar and Detail
 * pane as live traffic, over a MessageStore of its own that CaptureLoader
 * fills in a worker thread (progress and Cancel in the status bar; the window
 * is usable while it loads). Lines the reader skipped are listed in a warning
 * banner with their line numbers. Export and Replay work on the selection or
 * the whole file; replaying needs the main window's Engine.
 *
 * A packet capture (pcap, pcapng) shows its ZeroMQ connections in a Connections panel under the
 * table (choosing one filters the table to it) with the events on the wire, and the Detail says
 * which connection and way a message went; a CURVE message's payload is encrypted, so the Detail says
 * so and how large it was. Its messages are replayed from the store (a pcap is not a capture file the
 * replayer reads), encrypted ones left out.
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
    /// A packet capture's Connections panel and its dock; nullptr until such a capture was loaded.
    [[nodiscard]] ConnectionsPanel *connectionsPanel() const { return m_connectionsPanel; }
    [[nodiscard]] QDockWidget *connectionsDock() const { return m_connectionsDock; }
    /// The Statistics of the file's messages (View > Statistics), in a dock hidden until asked for.
    [[nodiscard]] StatisticsView *statisticsView() const { return m_statisticsView; }
    [[nodiscard]] QDockWidget *statisticsDock() const { return m_statisticsDock; }
    /// What the Detail says about a packet capture's message (its connection, way, security, encryption).
    [[nodiscard]] QLabel *wireNote() const { return m_wireNote; }
    [[nodiscard]] QLabel *statusLabel() const { return m_statusLabel; }

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
    void showConnections();
    void updateWireNote(const StoredMessage &message, std::uint64_t seq);
    /// The packet-capture part of the status ("3 ZeroMQ connections, 120 messages, 1 gap").
    [[nodiscard]] QString packetCaptureSummary() const;
    /// `seqs` without the encrypted messages (which have no frames to send).
    [[nodiscard]] std::vector<std::uint64_t> replayable(const std::vector<std::uint64_t> &seqs) const;
    [[nodiscard]] const CaptureSocket *socket(SocketId id) const;
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
    QLabel *m_wireNote = nullptr;
    ConnectionsPanel *m_connectionsPanel = nullptr;
    QDockWidget *m_connectionsDock = nullptr;
    StatisticsView *m_statisticsView = nullptr;
    QDockWidget *m_statisticsDock = nullptr;
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
