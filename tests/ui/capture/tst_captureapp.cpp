// Capture files in the app end to end: the real MainWindow and engine, real sockets (inproc pairs
// inside the engine, a python3-zmq peer over tcp://127.0.0.1), real files in a temporary folder.
// Over 800 lines on purpose: one test class per file (DESIGN.md section 10) for one class.

#include <optional>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/envelope.h>

#include "../uitestsupport.h"
#include "capture/capturecontroller.h"
#include "capture/capturewindow.h"
#include "capture/exportdialog.h"
#include "capture/messageexport.h"
#include "capture/recorddialog.h"
#include "capture/replaydialog.h"
#include "detail/hexview.h"
#include "detail/messagedetailview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int TimeoutMs = 10000;

Frames envelope(const QByteArray &id, const QByteArray &mimetype, const QByteArray &body)
{
    return Envelope::create(mimetype, body, id).transferObject();
}

/// What the tests send: text with CSV-hostile characters, a binary body, a raw message, JSON.
QList<Frames> sampleMessages()
{
    return {
        envelope("order-1", "application/json", "{\"order\": 1, \"note\": \"a, \\\"quoted\\\" note\"}"),
        envelope("log", "text/plain", "line one\nline two, with a comma"),
        envelope("order-2", "application/octet-stream", QByteArray("\x00\xff\x10order", 8)),
        Frames { "raw-topic", QByteArray(), QByteArray("\x01\x02", 2), "tail" },
        envelope("status", "application/json", "{\"ok\": true}"),
    };
}

} // namespace

class TestCaptureApp : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void recordThenOpenShowsTheSameRows();
    void recordOnlyTheCheckedSockets();
    void recordToChecksTheSelectedSocket();
    void recordingErrorIsShown();
    void longPathErrorsWrapInRecordAndExport();
    void truncatedCaptureShowsItsIssues();
    void nonCaptureFileIsRefused();
    void filterShowsMatchesOfALoadedCapture();
    void hexColumnsFitTheCaptureWindow();
    void exportFilteredAsJsonLines();
    void exportFilteredAsCsv();
    void exportSelectedRows();
    void exportErrorsNameTheFile();
    void replaySelectionReachesPythonPeer();
    void replayCaptureFileStepByStep();
    void replayErrorKeepsTheDialogReadable();
    void commandLineRefusesMissingCapture();

private:
    /// A PUSH and a PULL connected over inproc inside the engine; returns {push, pull}.
    std::pair<SocketId, SocketId> openPair();
    /// Sends the sample messages PUSH -> PULL and waits until both sides are stored.
    bool sendSamples(SocketId push);
    [[nodiscard]] QString writeFile(const QString &name, const QByteArray &bytes) const;
    CaptureWindow *openAndWait(const QString &path);

    QTemporaryDir m_dir;
    int m_pairs = 0;
};

void TestCaptureApp::initTestCase()
{
    uitest::useTestSettings(u"tst_captureapp"_s);
    QVERIFY(m_dir.isValid());
}

void TestCaptureApp::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
}

void TestCaptureApp::cleanup()
{
    destroyWindow();
}

std::pair<SocketId, SocketId> TestCaptureApp::openPair()
{
    const QString endpoint = u"inproc://capture-app-%1"_s.arg(++m_pairs);
    SocketSpec pull;
    pull.name = u"Orders PULL"_s;
    pull.type = SocketType::Pull;
    pull.binds = { endpoint };
    const SocketId pullId = m_window->openSocket(pull);
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    if (!opened.wait(TimeoutMs))
        return {};
    SocketSpec push;
    push.name = u"Orders PUSH"_s;
    push.type = SocketType::Push;
    push.connects = { endpoint };
    const SocketId pushId = m_window->openSocket(push);
    if (!opened.wait(TimeoutMs))
        return {};
    return { pushId, pullId };
}

bool TestCaptureApp::sendSamples(SocketId push)
{
    const std::uint64_t before = m_store->endSeq();
    const QList<Frames> messages = sampleMessages();
    for (const Frames &frames : messages)
        m_engine->send(push, frames);
    // Each message is stored twice: sent on PUSH, received on PULL.
    const bool stored = QTest::qWaitFor(
        [&] { return m_store->endSeq() - before == std::uint64_t(2 * messages.size()); }, TimeoutMs);
    m_window->refreshViews();
    return stored;
}

QString TestCaptureApp::writeFile(const QString &name, const QByteArray &bytes) const
{
    QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

CaptureWindow *TestCaptureApp::openAndWait(const QString &path)
{
    CaptureWindow *window = m_window->captureController()->openCapture(path);
    QSignalSpy finished(window, &CaptureWindow::loadFinished);
    if (!finished.wait(TimeoutMs))
        return nullptr;
    return window;
}

void TestCaptureApp::recordThenOpenShowsTheSameRows()
{
    const auto [push, pull] = openPair();
    QVERIFY(push != 0 && pull != 0);
    CaptureController *capture = m_window->captureController();

    // First Record asks where to: the dialog, with a timestamped default name.
    QAction *record = capture->recordAction();
    QCOMPARE(record->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
    record->trigger();
    QPointer<RecordDialog> dialog;
    QVERIFY(QTest::qWaitFor(
        [&] { return (dialog = m_window->findChild<RecordDialog *>()) && dialog->isVisible(); }));
    QVERIFY(dialog->fileName().endsWith(u".zmqcap"_s));
    QVERIFY(!record->isChecked());
    const QString path = m_dir.filePath(u"recorded.zmqcap"_s);
    dialog->setFileName(path);
    QSignalSpy started(m_engine.get(), &Engine::recordingStarted);
    dialog->findChild<QPushButton *>(u"recordButton"_s)->click();
    QVERIFY(started.wait(TimeoutMs));
    QVERIFY(record->isChecked());

    QVERIFY(sendSamples(push));
    QLabel *indicator = capture->recordingLabel();
    QTRY_VERIFY2(indicator->isVisible() && indicator->text().contains(u"10 messages"_s),
        qPrintable(indicator->text()));
    QVERIFY(indicator->text().contains(u"recorded.zmqcap"_s));

    // Record again stops, and everything is on disk when recordingStopped comes.
    QSignalSpy stopped(m_engine.get(), &Engine::recordingStopped);
    record->trigger();
    QVERIFY(stopped.wait(TimeoutMs));
    QCOMPARE(stopped.constFirst().at(1).toULongLong(), 10ULL);
    QVERIFY(!record->isChecked());
    QVERIFY(!indicator->isVisible());
    QVERIFY(capture->recentCaptures().contains(QFileInfo(path).absoluteFilePath()));

    CaptureWindow *window = openAndWait(path);
    QVERIFY(window);
    QVERIFY2(window->loadResult().outcome, qPrintable(window->loadResult().outcome.errorMessage()));
    QVERIFY(window->issuesBanner()->isHidden());
    const MessageTableModel *model = window->messagesPane()->model();
    const MessageTableModel *live = m_window->messagesPane()->model();
    QCOMPARE(model->totalRows(), 10);
    QCOMPARE(live->rowCount(), 10);
    for (int row = 0; row < model->rowCount(); ++row) {
        for (const int column : { MessageTableModel::TimeColumn, MessageTableModel::SocketColumn,
                 MessageTableModel::DirectionColumn, MessageTableModel::IdColumn,
                 MessageTableModel::MimetypeColumn, MessageTableModel::SizeColumn,
                 MessageTableModel::PreviewColumn }) {
            QCOMPARE(model->index(row, column).data().toString(), live->index(row, column).data().toString());
        }
        StoredMessage recorded, original;
        QVERIFY(window->store().message(model->seqAt(row), recorded));
        QVERIFY(m_store->message(live->seqAt(row), original));
        QCOMPARE(recorded.frames, original.frames);
        QCOMPARE(recorded.timestampUs, original.timestampUs);
        QCOMPARE(recorded.direction, original.direction);
    }
    // The socket filter offers the capture's sockets by name.
    QComboBox *sockets = window->messagesPane()->filterBar()->socketBox();
    QCOMPARE(sockets->count(), 3);

    // A second Record needs no dialog and never overwrites the first file.
    record->trigger();
    QVERIFY(started.wait(TimeoutMs));
    const QString second = started.constLast().at(0).toString();
    QVERIFY(second != path);
    QCOMPARE(QFileInfo(second).absolutePath(), QFileInfo(path).absolutePath());
    record->trigger();
    QVERIFY(stopped.wait(TimeoutMs));
}

void TestCaptureApp::recordOnlyTheCheckedSockets()
{
    const auto [push, pull] = openPair();
    QVERIFY(push != 0 && pull != 0);
    CaptureController *capture = m_window->captureController();
    RecordDialog *dialog = capture->showRecordDialog();
    QVERIFY(dialog->findChild<QRadioButton *>(u"allRadio"_s)->isChecked());
    dialog->findChild<QRadioButton *>(u"selectedRadio"_s)->setChecked(true);
    auto *list = dialog->findChild<QListWidget *>(u"socketList"_s);
    QCOMPARE(list->count(), 2);
    for (int row = 0; row < list->count(); ++row) {
        QListWidgetItem *item = list->item(row);
        item->setCheckState(
            SocketId(item->data(Qt::UserRole).toUInt()) == pull ? Qt::Checked : Qt::Unchecked);
    }
    dialog->findChild<QCheckBox *>(u"rotateCheck"_s)->setChecked(true);
    dialog->findChild<QSpinBox *>(u"rotateSizeSpin"_s)->setValue(8);
    const RecordingOptions options = dialog->options();
    QCOMPARE(options.sockets, QList<SocketId>({ pull }));
    QCOMPARE(options.file.rotateBytes, 8ULL * 1024 * 1024);
    QCOMPARE(options.file.rotateFiles, 0);
    const QString path = m_dir.filePath(u"pull-only.zmqcap"_s);
    dialog->setFileName(path);
    QSignalSpy started(m_engine.get(), &Engine::recordingStarted);
    dialog->accept();
    QVERIFY(started.wait(TimeoutMs));
    QVERIFY(sendSamples(push));
    QSignalSpy stopped(m_engine.get(), &Engine::recordingStopped);
    capture->recordAction()->trigger();
    QVERIFY(stopped.wait(TimeoutMs));
    QCOMPARE(stopped.constFirst().at(1).toULongLong(), 5ULL);

    // With rotation the file is named like dumpcap's: the stem, a number and the time.
    const QString written = stopped.constFirst().at(0).toString();
    QVERIFY2(QFileInfo(written).fileName().startsWith(u"pull-only_00001_"_s), qPrintable(written));
    CaptureWindow *window = openAndWait(written);
    QVERIFY(window);
    const MessageTableModel *model = window->messagesPane()->model();
    QCOMPARE(model->totalRows(), 5);
    for (int row = 0; row < 5; ++row)
        QCOMPARE(model->index(row, MessageTableModel::SocketColumn).data().toString(), u"Orders PULL"_s);
}

void TestCaptureApp::recordToChecksTheSelectedSocket()
{
    // The window tells the capture controller which socket the Sockets panel selects; Record To… starts
    // with that one checked.
    const auto [push, pull] = openPair();
    QVERIFY(push != 0 && pull != 0);
    SocketListModel *model = uitest::socketModel(*m_window);
    model->refresh();
    const int row = model->rowForSocket(pull);
    QVERIFY(row >= 0);
    uitest::socketView(*m_window)->setCurrentIndex(model->index(row, 0));
    RecordDialog *dialog = m_window->captureController()->showRecordDialog();
    QVERIFY(dialog);
    auto *list = dialog->findChild<QListWidget *>(u"socketList"_s);
    QCOMPARE(list->count(), 2);
    for (int i = 0; i < list->count(); ++i) {
        const QListWidgetItem *item = list->item(i);
        const bool isPull = SocketId(item->data(Qt::UserRole).toUInt()) == pull;
        QCOMPARE(item->checkState(), isPull ? Qt::Checked : Qt::Unchecked);
    }
    dialog->reject();
}

void TestCaptureApp::recordingErrorIsShown()
{
    // The folder is a file: the engine cannot create the capture and says why, naming the path.
    const QString notAFolder = writeFile(u"plain-file"_s, "x");
    const QString path = notAFolder + u"/capture.zmqcap"_s;
    CaptureController *capture = m_window->captureController();
    RecordDialog *dialog = capture->showRecordDialog();
    dialog->setFileName(path);
    dialog->accept();
    QVERIFY(dialog->isVisible());
    QVERIFY2(dialog->errorText().contains(u"does not exist"_s), qPrintable(dialog->errorText()));
    dialog->reject();

    QSignalSpy failed(m_engine.get(), &Engine::recordingFailed);
    capture->startRecording(RecordingOptions { CaptureWriterOptions { path, 0, 0, {} }, {} });
    QVERIFY(failed.wait(TimeoutMs));
    QVERIFY(!capture->recordAction()->isChecked());
    QVERIFY(!capture->recordingLabel()->isVisible());
    QVERIFY2(capture->lastError().contains(u"capture.zmqcap"_s), qPrintable(capture->lastError()));
    auto *box = m_window->findChild<QMessageBox *>(u"recordingFailedBox"_s);
    QVERIFY(box);
    QCOMPARE(box->textFormat(), Qt::PlainText);
    QCOMPARE(box->text(), capture->lastError());
    box->close();
}

void TestCaptureApp::longPathErrorsWrapInRecordAndExport()
{
    // A folder name longer than any dialog should be wide, in each dialog's error line.
    const QString folder = m_dir.filePath(u"folder-"_s + QString(180, u'y'));
    QVERIFY(QDir().mkpath(folder));
    const auto checkWraps = [](QDialog *dialog, const QString &error, const QString &path, int width) {
        QVERIFY2(error.contains(QDir::toNativeSeparators(path)), qPrintable(error));
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->width(), width);
        QVERIFY2(dialog->width() < dialog->fontMetrics().horizontalAdvance(path),
            qPrintable(u"%1 px wide"_s.arg(dialog->width())));
    };

    RecordDialog *record = m_window->captureController()->showRecordDialog();
    QVERIFY(QTest::qWaitForWindowExposed(record));
    const int recordWidth = record->width();
    const QString missing = folder + u"/missing/capture.zmqcap"_s;
    record->setFileName(missing);
    record->accept();
    checkWraps(record, record->errorText(), QFileInfo(missing).absolutePath(), recordWidth);
    record->reject();

    ExportDialog *exporter = m_window->captureController()->showExportDialog();
    QVERIFY(QTest::qWaitForWindowExposed(exporter));
    const int exportWidth = exporter->width();
    exporter->setFileName(folder);
    exporter->startExport();
    QVERIFY(exporter->errorText().contains(u"is a folder"_s));
    checkWraps(exporter, exporter->errorText(), folder, exportWidth);
    exporter->close();
}

void TestCaptureApp::truncatedCaptureShowsItsIssues()
{
    QByteArray bytes = captureHeaderLine(QDateTime::currentDateTimeUtc());
    for (int i = 0; i < 3; ++i) {
        CaptureRecord record;
        record.timestampUs = 1'700'000'000'000'000 + i;
        record.socket = u"SUB 1"_s;
        record.type = u"SUB"_s;
        record.endpoint = u"tcp://127.0.0.1:5556"_s;
        record.frames = envelope("id-" + QByteArray::number(i), "text/plain", "body");
        bytes += captureLine(record);
        if (i == 0)
            bytes += "{\"ts\": \"not a time\"}\n"; // line 3
    }
    bytes += "{\"ts\": \"2026-11-26T01:00:00.000000Z\", \"socket\": \"SUB 1\", \"fra"; // cut mid-line: line 6
    const QString path = writeFile(u"truncated.zmqcap"_s, bytes);
    QVERIFY(!path.isEmpty());

    CaptureWindow *window = openAndWait(path);
    QVERIFY(window);
    QCOMPARE(window->messagesPane()->model()->totalRows(), 3);
    QCOMPARE(window->loadResult().issues.size(), 2);
    QLabel *banner = window->issuesBanner();
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->textFormat(), Qt::PlainText);
    QVERIFY2(banner->text().contains(u"2 lines"_s), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(u"line 3"_s), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains(u"line 6"_s), qPrintable(banner->text()));
}

void TestCaptureApp::nonCaptureFileIsRefused()
{
    const QString path = writeFile(u"notes.txt"_s, "just some notes\nnot JSON at all\n");
    CaptureController *capture = m_window->captureController();
    QSignalSpy failed(capture, &CaptureController::captureOpenFailed);
    QPointer<CaptureWindow> window = capture->openCapture(path);
    QVERIFY(failed.wait(TimeoutMs));
    QCOMPARE(failed.constFirst().at(0).toString(), path);
    const QString error = failed.constFirst().at(1).toString();
    QVERIFY2(error.contains(u"not a ZmqScope capture"_s, Qt::CaseInsensitive), qPrintable(error));
    QTRY_VERIFY(!window);
    QVERIFY(capture->captureWindows().isEmpty());
    auto *box = m_window->findChild<QMessageBox *>(u"openCaptureFailedBox"_s);
    QVERIFY(box);
    QCOMPARE(box->textFormat(), Qt::PlainText);
    QVERIFY(box->informativeText().contains(u"not a ZmqScope capture"_s, Qt::CaseInsensitive));
    box->close();
}

void TestCaptureApp::filterShowsMatchesOfALoadedCapture()
{
    // 54 messages of two sockets, every third one out; 23 of them mention "kiwi".
    QByteArray bytes = captureHeaderLine(QDateTime::currentDateTimeUtc());
    int kiwis = 0, onAlpha = 0, outgoing = 0;
    for (int i = 0; i < 54; ++i) {
        CaptureRecord record;
        record.timestampUs = 1'700'000'000'000'000 + std::int64_t { i } * 1000;
        record.socket = i % 2 == 0 ? u"Alpha"_s : u"Beta"_s;
        record.type = u"DEALER"_s;
        record.direction = i % 3 == 0 ? Direction::Out : Direction::In;
        const bool kiwi = i < 23;
        record.frames = envelope("m-" + QByteArray::number(i), "text/plain",
            (kiwi ? QByteArray("a kiwi, number ") : QByteArray("an apple, number ")) + QByteArray::number(i));
        bytes += captureLine(record);
        kiwis += kiwi ? 1 : 0;
        onAlpha += i % 2 == 0 ? 1 : 0;
        outgoing += record.direction == Direction::Out ? 1 : 0;
    }
    QCOMPARE(kiwis, 23);
    const QString path = writeFile(u"filtered-view.zmqcap"_s, bytes);
    QVERIFY(!path.isEmpty());
    CaptureWindow *window = openAndWait(path);
    QVERIFY(window);
    MessagesPane *pane = window->messagesPane();
    const MessageTableModel *model = pane->model();
    QCOMPARE(model->totalRows(), 54);
    // Nothing else ticks the capture window's views once it is loaded: the filter alone must do it.
    const auto shownBodies = [model] {
        QStringList bodies;
        for (int row = 0; row < model->rowCount(); ++row)
            bodies.append(model->index(row, MessageTableModel::PreviewColumn).data().toString());
        return bodies;
    };

    FilterBar *bar = pane->filterBar();
    QTest::keyClicks(bar->textEdit(), u"kiwi"_s);
    QTRY_COMPARE(model->totalRows(), kiwis);
    QTRY_VERIFY(model->isCaughtUp());
    QCOMPARE(model->rowCount(), kiwis);
    for (const QString &body : shownBodies())
        QVERIFY2(body.contains(u"kiwi"_s), qPrintable(body));
    const QLabel *status = window->findChild<QLabel *>(u"captureStatus"_s);
    QTRY_VERIFY2(status->text().contains(u"23 shown"_s), qPrintable(status->text()));
    bar->textEdit()->clear();
    QTRY_COMPARE(model->rowCount(), 54);

    // The socket box and "Out only": chosen as a user does, each alone.
    const auto choose = [](QComboBox *box, const QString &text) {
        const int index = box->findText(text);
        box->setCurrentIndex(std::max(index, 0));
        return index > 0;
    };
    QVERIFY(choose(bar->socketBox(), u"Alpha"_s));
    QTRY_COMPARE(model->rowCount(), onAlpha);
    QTRY_VERIFY(model->isCaughtUp());
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(model->index(row, MessageTableModel::SocketColumn).data().toString(), u"Alpha"_s);
    bar->socketBox()->setCurrentIndex(0);
    QVERIFY(choose(bar->directionBox(), u"Out only"_s));
    QTRY_COMPARE(model->rowCount(), outgoing);
    QTRY_VERIFY(model->isCaughtUp());
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(
            Direction(model->index(row, 0).data(MessageTableModel::DirectionRole).toInt()), Direction::Out);
}

void TestCaptureApp::hexColumnsFitTheCaptureWindow()
{
    QByteArray bytes = captureHeaderLine(QDateTime::currentDateTimeUtc());
    CaptureRecord record;
    record.timestampUs = 1'700'000'000'000'000;
    record.socket = u"SUB 1"_s;
    record.type = u"SUB"_s;
    record.frames = envelope("bin", "application/octet-stream", QByteArray(200, 'W'));
    bytes += captureLine(record);
    const QString path = writeFile(u"hex.zmqcap"_s, bytes);
    CaptureWindow *window = openAndWait(path);
    QVERIFY(window);
    QVERIFY(QTest::qWaitForWindowExposed(window));
    MessageDetailView *detail = window->detailView();
    QTRY_VERIFY(detail->hasMessage());
    QVERIFY(detail->setCurrentTab(MessageDetailView::HexTab));
    auto *hex = detail->findChild<HexView *>(u"hexView"_s);
    QVERIFY(hex);
    QTRY_VERIFY(hex->isVisible());
    // The whole ASCII column is in view, without scrolling sideways.
    QTRY_VERIFY2(hex->viewport()->width() >= hex->contentWidth(),
        qPrintable(
            u"viewport %1 px, columns %2 px"_s.arg(hex->viewport()->width()).arg(hex->contentWidth())));
    QCOMPARE(hex->horizontalScrollBar()->maximum(), 0);
}

void TestCaptureApp::exportFilteredAsJsonLines()
{
    const auto [push, pull] = openPair();
    QVERIFY(push != 0);
    QVERIFY(sendSamples(push));
    // "order" matches order-1 and order-2, each sent and received: 4 of 10 rows.
    MessagesPane *pane = m_window->messagesPane();
    pane->filterBar()->textEdit()->setText(u"order"_s);
    QTRY_COMPARE(pane->model()->totalRows(), 4);
    QTRY_VERIFY(pane->model()->isCaughtUp());

    ExportDialog *dialog = m_window->captureController()->showExportDialog();
    dialog->setScope(ExportDialog::Scope::Shown);
    dialog->setFormat(ExportFormat::JsonLines);
    const QString path = m_dir.filePath(u"filtered.zmqcap"_s);
    dialog->setFileName(path);
    QSignalSpy finished(dialog, &ExportDialog::exportFinished);
    dialog->findChild<QPushButton *>(u"exportButton"_s)->click();
    QVERIFY(finished.wait(TimeoutMs));
    QVERIFY2(dialog->result().outcome, qPrintable(dialog->result().outcome.errorMessage()));
    QCOMPARE(dialog->result().written, 4ULL);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 6); // header, 4 messages, the empty rest after the last newline
    QVERIFY(lines.constLast().isEmpty());
    QCOMPARE(parseCaptureHeader(lines.at(0)).value(u"zmqscope_capture"_s).toInt(), 1);
    for (int i = 0; i < 4; ++i) {
        const CaptureRecord record = parseCaptureLine(lines.at(i + 1));
        StoredMessage original;
        QVERIFY(m_store->message(pane->model()->seqAt(i), original));
        QCOMPARE(record.frames, original.frames);
        QCOMPARE(record.timestampUs, original.timestampUs);
        const bool out = original.direction == Direction::Out;
        QCOMPARE(record.direction, original.direction);
        QCOMPARE(record.socket, out ? u"Orders PUSH"_s : u"Orders PULL"_s);
        QCOMPARE(record.type, out ? u"PUSH"_s : u"PULL"_s);
    }
    // An export is a capture: it opens again with the same messages.
    CaptureWindow *window = openAndWait(path);
    QVERIFY(window);
    QCOMPARE(window->messagesPane()->model()->totalRows(), 4);
}

void TestCaptureApp::exportErrorsNameTheFile()
{
    // messageexport::run() itself, as the dialog's worker calls it: each refusal is a FileError
    // whose one line names what was wrong, and no file is left behind.
    MessageStore store;
    store.append(1, Direction::In, 1, Frames { QByteArray("body") });
    const std::atomic<bool> cancelled = false;
    ExportRequest request;
    request.end = store.endSeq();
    request.path = m_dir.filePath(u"no-such-folder/out.zmqcap"_s);
    ExportResult result = messageexport::run(store, request, cancelled);
    QVERIFY(!result.outcome);
    QCOMPARE(result.outcome.error().code(), ErrorCode::FileError);
    QVERIFY2(result.outcome.errorMessage().contains(QDir::toNativeSeparators(request.path)),
        qPrintable(result.outcome.errorMessage()));
    QVERIFY(!QFile::exists(request.path));

    request.path.clear();
    result = messageexport::run(store, request, cancelled);
    QVERIFY(!result.outcome);
    QCOMPARE(result.outcome.error().code(), ErrorCode::FileError);
    QCOMPARE(result.outcome.errorMessage(), u"Choose a file to export to"_s);
}

void TestCaptureApp::exportFilteredAsCsv()
{
    const auto [push, pull] = openPair();
    QVERIFY(push != 0);
    QVERIFY(sendSamples(push));
    MessagesPane *pane = m_window->messagesPane();
    // Received only: the PULL side of the five messages.
    pane->filterBar()->setSocket(pull);
    QTRY_COMPARE(pane->model()->totalRows(), 5);
    QTRY_VERIFY(pane->model()->isCaughtUp());

    ExportDialog *dialog = m_window->captureController()->showExportDialog();
    dialog->setFormat(ExportFormat::Csv);
    QVERIFY(dialog->fileName().endsWith(u".csv"_s));
    const QString path = m_dir.filePath(u"received.csv"_s);
    dialog->setFileName(path);
    QSignalSpy finished(dialog, &ExportDialog::exportFinished);
    dialog->startExport();
    QVERIFY(finished.wait(TimeoutMs));
    QVERIFY2(dialog->result().outcome, qPrintable(dialog->result().outcome.errorMessage()));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QByteArrayView rest(content);
    QList<QList<QByteArray>> records;
    while (!rest.isEmpty()) {
        qsizetype consumed = 0;
        records.append(messageexport::parseCsvRecord(rest, &consumed));
        QVERIFY(consumed > 0);
        rest = rest.sliced(consumed);
    }
    QCOMPARE(records.size(), 6);
    QCOMPARE(records.at(0), messageexport::csvColumns());
    const QList<QByteArray> columns = messageexport::csvColumns();
    const auto column = [&columns](const QList<QByteArray> &record, const char *name) {
        return record.value(columns.indexOf(QByteArray(name)));
    };
    const QList<Frames> sent = sampleMessages();
    for (int i = 0; i < 5; ++i) {
        const QList<QByteArray> &record = records.at(i + 1);
        QCOMPARE(record.size(), columns.size());
        QCOMPARE(column(record, "socket"), QByteArray("Orders PULL"));
        QCOMPARE(column(record, "type"), QByteArray("PULL"));
        QCOMPARE(column(record, "direction"), QByteArray("in"));
        QCOMPARE(column(record, "frame_count").toInt(), sent.at(i).size());
        Frames frames;
        for (const QByteArray &frame : column(record, "frames").split(' '))
            frames.append(QByteArray::fromBase64(frame));
        QCOMPARE(frames, sent.at(i));
        const auto parsed = Envelope::parse(sent.at(i));
        if (!parsed.envelope) {
            QCOMPARE(column(record, "body_encoding"), QByteArray());
            continue;
        }
        QCOMPARE(column(record, "id"), parsed.envelope->id());
        QCOMPARE(column(record, "mimetype"), parsed.envelope->mimetype());
        if (column(record, "body_encoding") == "base64") {
            QCOMPARE(QByteArray::fromBase64(column(record, "body")), parsed.envelope->data());
            QCOMPARE(i, 2); // the binary body
        } else {
            QCOMPARE(column(record, "body_encoding"), QByteArray("text"));
            QCOMPARE(column(record, "body"), parsed.envelope->data());
        }
    }
}

void TestCaptureApp::exportSelectedRows()
{
    const auto [push, pull] = openPair();
    QVERIFY(push != 0);
    QVERIFY(sendSamples(push));
    QTableView *table = m_window->messagesPane()->table();
    QCOMPARE(table->selectionMode(), QAbstractItemView::ExtendedSelection);
    const MessageTableModel *model = m_window->messagesPane()->model();
    table->selectionModel()->select(
        model->index(7, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    table->selectionModel()->select(
        model->index(2, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);

    ExportDialog *dialog = m_window->captureController()->showExportDialog();
    QCOMPARE(dialog->scope(), ExportDialog::Scope::Selected);
    const QString path = m_dir.filePath(u"selected.zmqcap"_s);
    dialog->setFileName(path);
    QSignalSpy finished(dialog, &ExportDialog::exportFinished);
    dialog->startExport();
    QVERIFY(finished.wait(TimeoutMs));
    QCOMPARE(dialog->result().written, 2ULL);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 4);
    StoredMessage first, second;
    QVERIFY(m_store->message(model->seqAt(2), first));
    QVERIFY(m_store->message(model->seqAt(7), second));
    QCOMPARE(parseCaptureLine(lines.at(1)).frames, first.frames); // in table order, not click order
    QCOMPARE(parseCaptureLine(lines.at(2)).frames, second.frames);

    // A folder is no file name; the dialog says so and writes nothing.
    auto *again = m_window->captureController()->showExportDialog();
    again->setFileName(m_dir.path());
    again->startExport();
    QVERIFY(!again->isRunning());
    QVERIFY(again->errorText().contains(u"is a folder"_s));
    again->close();
}

void TestCaptureApp::replaySelectionReachesPythonPeer()
{
    uitest::PythonPeer peer;
    QVERIFY2(peer.start(u"PULL"_s, u"bind"_s, u"tcp://127.0.0.1:*"_s), qPrintable(peer.error()));
    SocketSpec spec;
    spec.name = u"Replay PUSH"_s;
    spec.type = SocketType::Push;
    spec.connects = { peer.endpoint() };
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    const SocketId target = m_window->openSocket(spec);
    QVERIFY(opened.wait(TimeoutMs));

    const auto [push, pull] = openPair();
    QVERIFY(push != 0);
    QVERIFY(sendSamples(push));
    // The received copies of messages 1, 2 and 4, selected out of order.
    QTableView *table = m_window->messagesPane()->table();
    const MessageTableModel *model = m_window->messagesPane()->model();
    QList<int> receivedRows;
    for (int row = 0; row < model->rowCount(); ++row) {
        if (Direction(model->index(row, 0).data(MessageTableModel::DirectionRole).toInt()) == Direction::In)
            receivedRows.append(row);
    }
    QCOMPARE(receivedRows.size(), 5);
    for (const int n : { 4, 1, 2 })
        table->selectionModel()->select(
            model->index(receivedRows.at(n), 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QVERIFY(m_window->captureController()->replaySelectionAction()->isEnabled());

    ReplayDialog *dialog = m_window->captureController()->showReplayDialog();
    QVERIFY(dialog->setTargetSocket(target));
    QVERIFY(!dialog->setTargetSocket(pull)); // a PULL cannot send: not offered
    dialog->setPacing(ReplayPacing::MaxSpeed);
    QSignalSpy finished(dialog, &ReplayDialog::replayFinished);
    dialog->findChild<QPushButton *>(u"startButton"_s)->click();
    QVERIFY(finished.wait(TimeoutMs));
    QCOMPARE(finished.constFirst().at(0).toULongLong(), 3ULL);
    QVERIFY(finished.constFirst().at(1).toString().isEmpty());

    const QList<Frames> sent = sampleMessages();
    for (const int index : { 1, 2, 4 }) {
        const std::optional<Frames> received = peer.receive(TimeoutMs);
        QVERIFY(received);
        QCOMPARE(*received, sent.at(index));
    }
    QVERIFY(!peer.receive(300)); // exactly three
}

void TestCaptureApp::replayCaptureFileStepByStep()
{
    // A capture of two sockets; replay only the "in" messages of "SUB 1", one per Next.
    QByteArray bytes = captureHeaderLine(QDateTime::currentDateTimeUtc());
    const QList<Frames> sent = sampleMessages();
    for (int i = 0; i < sent.size(); ++i) {
        CaptureRecord record;
        record.timestampUs = 1'700'000'000'000'000 + std::int64_t { i } * 1000;
        record.socket = i == 1 ? u"Other"_s : u"SUB 1"_s;
        record.type = u"SUB"_s;
        record.frames = sent.at(i);
        bytes += captureLine(record);
    }
    const QString path = writeFile(u"replay.zmqcap"_s, bytes);
    const auto [push, pull] = openPair();
    QVERIFY(push != 0);

    CaptureWindow *window = openAndWait(path);
    QVERIFY(window);
    ReplayDialog *dialog = window->showReplayDialog(false);
    QVERIFY(dialog);
    QVERIFY(dialog->setTargetSocket(push));
    dialog->setPacing(ReplayPacing::Step);
    auto *socketFilter = dialog->findChild<QComboBox *>(u"socketFilterCombo"_s);
    QVERIFY(socketFilter->findText(u"Other"_s) >= 0);
    socketFilter->setCurrentText(u"SUB 1"_s);
    QCOMPARE(dialog->options().socketFilter, u"SUB 1"_s);
    auto *next = dialog->findChild<QPushButton *>(u"nextButton"_s);
    QVERIFY(next->isVisibleTo(dialog));
    const std::uint64_t before = m_store->endSeq();
    dialog->startReplay();
    QVERIFY(dialog->isRunning());
    QVERIFY(next->isEnabled());
    const QList<int> expected { 0, 2, 3, 4 };
    for (int n = 0; n < expected.size(); ++n) {
        next->click();
        // Sent on PUSH and received on PULL: two rows per message.
        QTRY_COMPARE(m_store->endSeq() - before, std::uint64_t(2 * (n + 1)));
        StoredMessage received;
        QVERIFY(m_store->message(before + 2 * std::uint64_t(n) + 1, received));
        QCOMPARE(received.frames, sent.at(expected.at(n)));
    }
    QSignalSpy finished(dialog, &ReplayDialog::replayFinished);
    if (dialog->isRunning()) {
        next->click(); // past the end: the replayer finds no more records
        QVERIFY(finished.wait(TimeoutMs));
    }
    QCOMPARE(dialog->sent(), 4ULL);
    QTest::qWait(200);
    QCOMPARE(m_store->endSeq() - before, 8ULL);
}

void TestCaptureApp::replayErrorKeepsTheDialogReadable()
{
    const auto [push, pull] = openPair();
    QVERIFY(push != 0);
    // A file that is not there, under a folder name longer than any dialog should be wide.
    const QString missing = m_dir.filePath(u"missing-"_s + QString(150, u'x') + u"/capture.zmqcap"_s);
    ReplayDialog *dialog = m_window->captureController()->showReplayFileDialog(missing);
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    const int pathWidth = dialog->fontMetrics().horizontalAdvance(missing);
    QVERIFY2(dialog->width() < pathWidth, qPrintable(u"%1 px wide"_s.arg(dialog->width())));
    const int width = dialog->width();
    QVERIFY(dialog->setTargetSocket(push));
    QSignalSpy finished(dialog, &ReplayDialog::replayFinished);
    dialog->startReplay();
    QVERIFY(finished.count() > 0 || finished.wait(TimeoutMs));
    QVERIFY2(dialog->errorText().contains(u"capture.zmqcap"_s), qPrintable(dialog->errorText()));

    // The error wraps inside the dialog, and every pacing choice keeps the height it needs.
    auto *error = dialog->findChild<QLabel *>(u"replayError"_s);
    QVERIFY(error->isVisible());
    QCOMPARE(dialog->width(), width);
    QTRY_VERIFY(error->height() >= error->heightForWidth(error->width()));
    for (const char *name : { "originalRadio", "speedRadio", "maxRadio", "stepRadio" }) {
        auto *radio = dialog->findChild<QRadioButton *>(QString::fromLatin1(name));
        QVERIFY(radio);
        QVERIFY2(radio->height() >= radio->sizeHint().height(),
            qPrintable(u"%1 is %2 px high, needs %3"_s.arg(QString::fromLatin1(name))
                           .arg(radio->height())
                           .arg(radio->sizeHint().height())));
    }
    dialog->close();
}

void TestCaptureApp::commandLineRefusesMissingCapture()
{
    QProcess app;
    app.setProcessEnvironment(QProcessEnvironment::systemEnvironment());
    app.start(
        QStringLiteral(ZMQSCOPE_BINARY_DIR "/app/gui/zmqscope"), { m_dir.filePath(u"missing.zmqcap"_s) });
    QVERIFY(app.waitForFinished(TimeoutMs));
    QCOMPARE(app.exitCode(), 2);
    const QString error = QString::fromLocal8Bit(app.readAllStandardError());
    QVERIFY2(error.contains(u"missing.zmqcap"_s) && error.contains(u"no such file"_s), qPrintable(error));
}

QTEST_MAIN(TestCaptureApp)
#include "tst_captureapp.moc"
