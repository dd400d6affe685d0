#include "capturecontroller.h"

#include <algorithm>

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QIcon>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QRegularExpression>
#include <QSettings>
#include <QTableView>

#include "capturewindow.h"
#include "displaytext.h"
#include "eventlogmodel.h"
#include "exportdialog.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "recorddialog.h"
#include "replaydialog.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

// QSettings: Capture/recentFiles (newest first), Capture/directory (last folder opened or recorded to).
namespace {
const auto RecentKey = u"Capture/recentFiles"_s;
const auto DirectoryKey = u"Capture/directory"_s;
// What Replay Capture File reads: the replayer reads capture files, not packet captures.
const auto CaptureFilter = u"ZmqScope captures (*.zmqcap *.jsonl);;All files (*)"_s;
constexpr int MaxRecent = 10;
constexpr int MaxPathPixels = 460;

QIcon themedIcon(const QString &themeName, const QString &fallback)
{
    return QIcon::fromTheme(themeName, QIcon(u":/icons/actions/"_s + fallback + u".svg"_s));
}

/// A red dot, the universal record symbol, when the icon theme has no media-record.
QIcon recordIcon()
{
    if (QIcon::hasThemeIcon(u"media-record"_s))
        return QIcon::fromTheme(u"media-record"_s);
    QIcon icon;
    for (const int size : { 16, 20, 24, 32, 48 }) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(QColor(0x9b, 0x1c, 0x1c), size / 16.0));
        painter.setBrush(QColor(0xd9, 0x30, 0x25));
        const qreal margin = size * 0.18;
        painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin));
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QString lastDirectory()
{
    const QString dir = QSettings().value(DirectoryKey).toString();
    return dir.isEmpty() || !QDir(dir).exists() ? QDir::homePath() : dir;
}

void rememberDirectory(const QString &path)
{
    QSettings().setValue(DirectoryKey, QFileInfo(path).absolutePath());
}

} // namespace

CaptureController::CaptureController(
    Engine &engine, MessagesPane &messages, EventLogModel &events, QWidget &window)
    : QObject(&window)
    , m_engine(engine)
    , m_messages(messages)
    , m_events(events)
    , m_window(window)
{
    m_recordAction = new QAction(recordIcon(), u"&Record"_s, this);
    m_recordAction->setObjectName(u"recordAction"_s);
    m_recordAction->setCheckable(true);
    m_recordAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_recordAction->setToolTip(
        u"Record the messages of every socket (or the chosen ones) to a capture file; again to stop (Ctrl+E)"_s);
    connect(m_recordAction, &QAction::triggered, this, &CaptureController::handleRecordToggled);

    m_recordToAction = new QAction(u"Record &To\u2026"_s, this);
    m_recordToAction->setObjectName(u"recordToAction"_s);
    m_recordToAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_recordToAction->setToolTip(u"Choose the file, the sockets and the rotation, then record"_s);
    connect(m_recordToAction, &QAction::triggered, this, &CaptureController::showRecordDialog);

    m_openAction = new QAction(themedIcon(u"document-open"_s, u"open"_s), u"&Open Capture\u2026"_s, this);
    m_openAction->setObjectName(u"openCaptureAction"_s);
    m_openAction->setShortcut(QKeySequence::Open);
    m_openAction->setToolTip(u"Open capture files, each in a window of its own (Ctrl+O)"_s);
    connect(m_openAction, &QAction::triggered, this, &CaptureController::openCapturesInteractively);

    m_recentMenu = new QMenu(u"Open &Recent Capture"_s, &window);
    m_recentMenu->setObjectName(u"recentCapturesMenu"_s);
    connect(m_recentMenu, &QMenu::aboutToShow, this, &CaptureController::rebuildRecentMenu);
    rebuildRecentMenu();

    m_exportAction
        = new QAction(themedIcon(u"document-save-as"_s, u"save"_s), u"&Export Messages\u2026"_s, this);
    m_exportAction->setObjectName(u"exportAction"_s);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    m_exportAction->setToolTip(
        u"Write the selected messages, or all the filter shows, as a capture (JSON Lines) or CSV"_s);
    connect(m_exportAction, &QAction::triggered, this, &CaptureController::showExportDialog);

    m_replaySelectionAction = new QAction(
        themedIcon(u"media-playback-start"_s, u"send"_s), u"Replay &Selected Messages\u2026"_s, this);
    m_replaySelectionAction->setObjectName(u"replaySelectionAction"_s);
    m_replaySelectionAction->setToolTip(u"Send the selected messages again, into a socket you choose"_s);
    connect(m_replaySelectionAction, &QAction::triggered, this, &CaptureController::showReplayDialog);

    m_replayFileAction = new QAction(u"Replay Capture &File\u2026"_s, this);
    m_replayFileAction->setObjectName(u"replayFileAction"_s);
    m_replayFileAction->setToolTip(u"Send the messages of a capture file into a socket you choose"_s);
    connect(m_replayFileAction, &QAction::triggered, this, [this] { showReplayFileDialog(); });

    m_recordingLabel = new QLabel(&window);
    m_recordingLabel->setObjectName(u"recordingIndicator"_s);
    m_recordingLabel->setTextFormat(Qt::PlainText);
    m_recordingLabel->setStyleSheet(u"QLabel { color: #c62828; font-weight: bold; }"_s);
    m_recordingLabel->hide();

    // Several rows can be exported or replayed at once.
    QTableView *table = m_messages.table();
    table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    connect(table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &CaptureController::updateActions);
    auto *separator = new QAction(table);
    separator->setSeparator(true);
    table->addActions({ separator, m_replaySelectionAction, m_exportAction });

    connect(&m_engine, &Engine::recordingStarted, this, &CaptureController::handleRecordingStarted);
    connect(&m_engine, &Engine::recordingFileChanged, this, &CaptureController::handleRecordingFileChanged);
    connect(&m_engine, &Engine::recordingStopped, this, &CaptureController::handleRecordingStopped);
    connect(&m_engine, &Engine::recordingFailed, this, &CaptureController::handleRecordingFailed);
    updateActions();
}

CaptureController::~CaptureController()
{
    closeCaptureWindows();
}

void CaptureController::updateActions()
{
    m_replaySelectionAction->setEnabled(!m_messages.selectedSeqs().empty());
}

void CaptureController::setRecordChecked(bool checked)
{
    const QSignalBlocker blocker(m_recordAction);
    m_recordAction->setChecked(checked);
    m_recordAction->setText(checked ? u"Stop &Recording"_s : u"&Record"_s);
}

QString CaptureController::nextRecordingPath() const
{
    // A new file for every recording, next to the last one, named like it without its old time stamp:
    // recording twice never overwrites the first.
    const QFileInfo last(m_recordOptions.file.path);
    QString stem = last.completeBaseName();
    stem.remove(QRegularExpression(u"_\\d{8}T\\d{6}Z$"_s));
    if (stem.isEmpty())
        stem = u"zmqscope"_s;
    const QString suffix = last.suffix().isEmpty() ? QString::fromLatin1(CaptureFileSuffix) : last.suffix();
    const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss'Z'"_s);
    QString path = last.dir().filePath(u"%1_%2.%3"_s.arg(stem, stamp, suffix));
    for (int n = 2; QFileInfo::exists(path); ++n)
        path = last.dir().filePath(u"%1_%2_%3.%4"_s.arg(stem, stamp).arg(n).arg(suffix));
    return path;
}

void CaptureController::handleRecordToggled(bool checked)
{
    if (!checked) {
        // Stay checked until the engine says everything is written.
        setRecordChecked(true);
        stopRecording();
        return;
    }
    setRecordChecked(false);
    if (!m_haveRecordOptions) {
        showRecordDialog();
        return;
    }
    RecordingOptions options = m_recordOptions;
    options.file.path = nextRecordingPath();
    startRecording(options);
}

RecordDialog *CaptureController::showRecordDialog()
{
    if (m_recordDialog) {
        m_recordDialog->raise();
        m_recordDialog->activateWindow();
        return m_recordDialog;
    }
    auto *dialog = new RecordDialog(m_engine.sockets(), m_selectedSockets, &m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_haveRecordOptions) {
        dialog->setOptions(m_recordOptions);
        dialog->setFileName(nextRecordingPath());
    } else {
        dialog->setFileName(RecordDialog::defaultFileName(lastDirectory()));
    }
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startRecording(dialog->options()); });
    m_recordDialog = dialog;
    dialog->open();
    return dialog;
}

void CaptureController::startRecording(const RecordingOptions &options)
{
    m_recordOptions = options;
    m_haveRecordOptions = true;
    m_lastError.clear();
    rememberDirectory(options.file.path);
    m_engine.startRecording(options);
}

void CaptureController::stopRecording()
{
    m_engine.stopRecording();
}

void CaptureController::handleRecordingStarted(const QString &path)
{
    m_recordingPath = path;
    setRecordChecked(true);
    const QString which = m_recordOptions.sockets.isEmpty()
        ? u"every socket"_s
        : u"%1 sockets"_s.arg(m_recordOptions.sockets.size());
    m_events.addLine(u"Recording %1 to %2"_s.arg(which, QDir::toNativeSeparators(path)));
    refresh();
}

void CaptureController::handleRecordingFileChanged(const QString &path)
{
    m_recordingPath = path;
    m_events.addLine(u"Recording continues in %1"_s.arg(QDir::toNativeSeparators(path)));
    refresh();
}

void CaptureController::handleRecordingStopped(const QString &path, quint64 messages)
{
    setRecordChecked(false);
    m_recordingLabel->hide();
    const QString text
        = u"Recorded %1 messages to %2"_s.arg(QLocale().toString(messages), QDir::toNativeSeparators(path));
    m_events.addLine(text);
    Q_EMIT reported(text);
    addRecent(path);
}

void CaptureController::handleRecordingFailed(const QString &error)
{
    setRecordChecked(false);
    m_recordingLabel->hide();
    m_lastError = error;
    m_events.addLine(u"Recording failed: "_s + error, true);
    auto *box
        = new QMessageBox(QMessageBox::Warning, u"Recording Failed"_s, error, QMessageBox::Ok, &m_window);
    box->setObjectName(u"recordingFailedBox"_s);
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void CaptureController::refresh()
{
    const RecordingStatus status = m_engine.recordingStatus();
    if (!status.active) {
        m_recordingLabel->hide();
        return;
    }
    const QLocale locale;
    const QString path = QDir::toNativeSeparators(status.path.isEmpty() ? m_recordingPath : status.path);
    const QString elided = m_recordingLabel->fontMetrics().elidedText(path, Qt::ElideMiddle, MaxPathPixels);
    m_recordingLabel->setText(u"\u25cf REC  %1  \u00b7  %2 messages, %3"_s.arg(
        elided, locale.toString(qulonglong(status.messages)), displaytext::dataSize(status.bytes)));
    m_recordingLabel->show();
}

QString CaptureController::openCaptureFilter()
{
    // Files are opened by their content (a pcap's magic number), so "All files" opens any of them too.
    return u"Captures (*.zmqcap *.jsonl *.pcap *.pcapng *.cap);;ZmqScope captures (*.zmqcap *.jsonl);;"
           u"Packet captures (*.pcap *.pcapng *.cap);;All files (*)"_s;
}

void CaptureController::openCapturesInteractively()
{
    const QStringList files
        = QFileDialog::getOpenFileNames(&m_window, u"Open Capture"_s, lastDirectory(), openCaptureFilter());
    for (const QString &file : files)
        openCapture(file);
}

CaptureWindow *CaptureController::openCapture(const QString &path)
{
    auto *window = new CaptureWindow(path, &m_engine, &m_window);
    m_windows.append(window);
    connect(window, &CaptureWindow::loadFailed, this, [this](const QString &file, const QString &error) {
        m_lastError = error;
        m_events.addLine(error, true);
        auto *box = new QMessageBox(QMessageBox::Warning, u"Open Capture"_s,
            u"Cannot open %1"_s.arg(QDir::toNativeSeparators(file)), QMessageBox::Ok, &m_window);
        box->setObjectName(u"openCaptureFailedBox"_s);
        box->setTextFormat(Qt::PlainText);
        box->setInformativeText(error);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        Q_EMIT captureOpenFailed(file, error);
    });
    connect(window, &CaptureWindow::loadFinished, this, [this](const CaptureLoadResult &result) {
        addRecent(result.path);
        m_events.addLine(
            u"Opened capture %1: %2 messages%3"_s.arg(QDir::toNativeSeparators(result.path),
                QLocale().toString(qulonglong(result.messages)),
                result.issues.isEmpty() ? QString() : u", %1 lines skipped"_s.arg(result.issues.size())),
            !result.issues.isEmpty());
    });
    rememberDirectory(path);
    window->show();
    window->startLoading();
    return window;
}

QList<CaptureWindow *> CaptureController::captureWindows() const
{
    QList<CaptureWindow *> windows;
    for (const QPointer<CaptureWindow> &window : m_windows) {
        if (window)
            windows.append(window);
    }
    return windows;
}

void CaptureController::closeCaptureWindows()
{
    for (CaptureWindow *window : captureWindows())
        delete window;
    m_windows.clear();
}

QStringList CaptureController::recentCaptures() const
{
    return QSettings().value(RecentKey).toStringList();
}

// Not const although QSettings holds the list: it changes what recentCaptures() returns.
// NOLINTNEXTLINE(readability-make-member-function-const)
void CaptureController::addRecent(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentCaptures();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > MaxRecent)
        recent.removeLast();
    QSettings().setValue(RecentKey, recent);
}

void CaptureController::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentCaptures();
    int n = 0;
    for (const QString &path : recent) {
        ++n;
        // "&1 name": the number is the keyboard accelerator; an & in the file name must stay literal.
        QString label = QDir::toNativeSeparators(path);
        label.replace(u'&', u"&&"_s);
        QAction *action = m_recentMenu->addAction(n < 10 ? u"&%1  %2"_s.arg(n).arg(label) : label);
        action->setEnabled(QFileInfo::exists(path));
        connect(action, &QAction::triggered, this, [this, path] { openCapture(path); });
    }
    if (recent.isEmpty()) {
        m_recentMenu->addAction(u"No recent captures"_s)->setEnabled(false);
    } else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(u"&Clear List"_s, this, [] { QSettings().remove(RecentKey); });
    }
}

ExportDialog *CaptureController::showExportDialog()
{
    QHash<SocketId, ExportSocket> sockets;
    // The lines name each socket as the recorder's lines do (a tap with its senders' types).
    for (const SocketInfo &info : m_engine.sockets())
        sockets.insert(info.id, captureSource(info));
    auto *dialog = new ExportDialog(m_engine.store(), &m_messages, sockets, lastDirectory(), &m_window);
    dialog->setEncryptedSizes(m_engine.encryptedSizes()); // sniffed CURVE messages keep their size
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ExportDialog::exportFinished, this, [this, dialog](const ExportResult &result) {
        if (!result.outcome || result.cancelled)
            return;
        rememberDirectory(dialog->fileName());
        QString text = u"Exported %1 messages to %2"_s.arg(
            QLocale().toString(qulonglong(result.written)), QDir::toNativeSeparators(dialog->fileName()));
        if (result.skipped > 0)
            text += u" (%1 were evicted before they could be written)"_s.arg(result.skipped);
        m_events.addLine(text);
        Q_EMIT reported(text);
    });
    dialog->open();
    return dialog;
}

ReplayDialog *CaptureController::showReplayDialog()
{
    auto *dialog = new ReplayDialog(m_engine, &m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSelection(m_engine.store(), m_messages.selectedSeqs(), u"selected messages"_s);
    dialog->show();
    return dialog;
}

ReplayDialog *CaptureController::showReplayFileDialog(const QString &path)
{
    QString file = path;
    if (file.isEmpty())
        file = QFileDialog::getOpenFileName(
            &m_window, u"Replay Capture File"_s, lastDirectory(), CaptureFilter);
    if (file.isEmpty())
        return nullptr;
    auto *dialog = new ReplayDialog(m_engine, &m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFile(file);
    dialog->show();
    return dialog;
}

} // namespace zmqscope
