#pragma once

#include <atomic>
#include <memory>

#include <QDialog>
#include <QFutureWatcher>
#include <QHash>
#include <QJsonObject>
#include <QTimer>

#include "messageexport.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace zmqscope {

class MessagesPane;

/**
 * Export Messages: the selected rows or every row the filter shows, as a
 * JSON Lines capture or CSV. The file is written by a worker thread through
 * QSaveFile with a progress bar and Cancel, so a million rows never freeze
 * the window and a cancelled or failed export leaves no partial file.
 */
class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Scope
    {
        Selected,
        Shown
    };

    ExportDialog(const MessageStore &store, MessagesPane *pane, QHash<SocketId, ExportSocket> sockets,
        const QString &directory, QWidget *parent = nullptr);
    ~ExportDialog() override; ///< cancels a running export and waits for its worker

    void setFileName(const QString &fileName);
    [[nodiscard]] QString fileName() const;
    void setFormat(ExportFormat format);
    [[nodiscard]] ExportFormat format() const;
    void setScope(Scope scope);
    [[nodiscard]] Scope scope() const;
    /// Extra header keys of a JSON Lines export (e.g. where the messages came from).
    void setHeaderExtra(const QJsonObject &extra) { m_headerExtra = extra; }
    /// A packet capture's CURVE messages (stored without frames): their payload sizes by sequence number.
    void setEncryptedSizes(QHash<std::uint64_t, std::uint64_t> sizes) { m_encryptedSizes = std::move(sizes); }

    [[nodiscard]] bool isRunning() const { return m_watcher.isRunning(); }
    [[nodiscard]] const ExportResult &result() const { return m_result; }
    /// The inline error line, empty when there is none.
    [[nodiscard]] QString errorText() const;

public Q_SLOTS:
    /// Starts writing (what the Export button does).
    void startExport();
    void cancelExport();

Q_SIGNALS:
    /// Emitted when the worker is done (also when it failed or was cancelled).
    void exportFinished(const zmqscope::ExportResult &result);

protected:
    void reject() override;

private:
    void browse();
    void handleFormatChanged();
    void handleFinished();
    void updateProgress();
    void updateState();

    const MessageStore &m_store;
    MessagesPane *m_pane;
    QHash<SocketId, ExportSocket> m_sockets;
    QJsonObject m_headerExtra;
    QHash<std::uint64_t, std::uint64_t> m_encryptedSizes;

    QRadioButton *m_selectedRadio = nullptr;
    QRadioButton *m_shownRadio = nullptr;
    QComboBox *m_formatCombo = nullptr;
    QLineEdit *m_fileEdit = nullptr;
    QPushButton *m_browseButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_exportButton = nullptr;
    QPushButton *m_closeButton = nullptr;

    QFutureWatcher<ExportResult> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancelled;
    std::shared_ptr<std::atomic<std::uint64_t>> m_done;
    std::shared_ptr<std::atomic<std::uint64_t>> m_total;
    QTimer m_progressTimer;
    ExportResult m_result;
};

} // namespace zmqscope
