// A tap's messages in the app end to end: the real MainWindow and engine, a real tap between python3-zmq
// peers (tests/interop/tap_peer.py) over tcp://127.0.0.1, recorded by the engine, exported and shown in a
// capture window, and its c2s stream replayed into another python3-zmq REP server.

#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <zmqscope/capture/capture.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/engine/tap.h>
#include <zmqscope/envelope.h>

#include "../../interop/testprocess.h"
#include "../uitestsupport.h"
#include "capture/capturecontroller.h"
#include "capture/capturewindow.h"
#include "capture/exportdialog.h"
#include "capture/replaydialog.h"
#include "detail/messagedetailview.h"
#include "filterbar.h"
#include "messagespane.h"
#include "messagetablemodel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int TimeoutMs = 20000;
constexpr int Requests = 3;

/// What the REQ client sends: envelopes with text, every byte value and an empty body.
QList<Frames> requests()
{
    QByteArray everyByte;
    for (int i = 0; i < 256; ++i)
        everyByte.append(char(i));
    return {
        Envelope::create("text/plain", "first request", "r-1").transferObject(),
        Envelope::create("application/octet-stream", everyByte, "r-2").transferObject(),
        Envelope::create("text/plain", QByteArray(), "r-3").transferObject(),
    };
}

bool startTapPeer(TestProcess &process, const QStringList &arguments)
{
    return process.start(QStringLiteral(ZMQSCOPE_PYTHON),
        QStringList { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/tap_peer.py") } + arguments);
}

/// The message lines of a capture file (header and event lines left out), '\n' included.
QList<QByteArray> messageLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines;
    file.readLine(); // the header
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        if (line.contains("\"frames\""))
            lines.append(line);
    }
    return lines;
}

/// Exports everything `dialog` offers as JSON Lines into `path`; empty, or what went wrong.
QString exportAll(ExportDialog *dialog, const QString &path)
{
    dialog->setFormat(ExportFormat::JsonLines);
    dialog->setFileName(path);
    QSignalSpy finished(dialog, &ExportDialog::exportFinished);
    dialog->startExport();
    if (!finished.wait(TimeoutMs))
        return u"the export did not finish"_s;
    return dialog->result().outcome ? QString() : dialog->result().outcome.errorMessage();
}

} // namespace

class TestTapView : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void exportWritesTheRecordersLines();
    void captureWindowShowsTheConversation();
    void replayC2sIntoAPythonRep();
    void replayC2sThroughAReqSaysWhatHappened();

private:
    /// Runs Requests REQ requests through a req-rep tap to a REP echo server, recorded by the engine into
    /// `path`; the tap's id, or 0 with a failure recorded.
    SocketId recordConversation(const QString &path);
    CaptureWindow *openAndWait(const QString &path);

    QTemporaryDir m_dir;
    QList<QList<QByteArray>> m_serverReceived; ///< what the REP server of recordConversation() got
};

void TestTapView::initTestCase()
{
    uitest::useTestSettings(u"tst_tapview"_s);
    QVERIFY(m_dir.isValid());
}

void TestTapView::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
}

void TestTapView::cleanup()
{
    destroyWindow();
}

SocketId TestTapView::recordConversation(const QString &path)
{
    TestProcess server;
    if (!startTapPeer(server,
            { u"--type"_s, u"REP"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"echo"_s,
                u"--count"_s, QString::number(Requests) })) {
        qWarning("the REP server did not start");
        return 0;
    }
    const QString serverEndpoint = server.waitForPeerEndpoint();
    if (serverEndpoint.isEmpty())
        return 0;

    TapSpec spec;
    spec.pattern = TapPattern::ReqRep;
    spec.name = u"Orders tap"_s;
    spec.listen = { u"tcp://127.0.0.1:*"_s };
    spec.forward = { serverEndpoint };
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    const SocketId tap = m_engine->openTap(spec);
    if (!opened.wait(TimeoutMs))
        return 0;
    const QStringList listen = opened.constLast().at(1).toStringList();
    if (listen.isEmpty())
        return 0;

    QSignalSpy started(m_engine.get(), &Engine::recordingStarted);
    RecordingOptions recording;
    recording.file.path = path;
    m_engine->startRecording(recording);
    if (!started.wait(TimeoutMs))
        return 0;

    QJsonArray messages;
    for (const Frames &frames : requests()) {
        QJsonArray encoded;
        for (const QByteArray &frame : frames)
            encoded.append(QString::fromLatin1(frame.toBase64()));
        messages.append(encoded);
    }
    const QString messagesPath = m_dir.filePath(u"requests.json"_s);
    QFile messagesFile(messagesPath);
    if (!messagesFile.open(QIODevice::WriteOnly) || messagesFile.write(QJsonDocument(messages).toJson()) <= 0)
        return 0;
    messagesFile.close();
    TestProcess client;
    if (!startTapPeer(client,
            { u"--type"_s, u"REQ"_s, u"--connect"_s, listen.constFirst(), u"--mode"_s, u"send"_s,
                u"--messages"_s, messagesPath, u"--replies"_s }))
        return 0;
    if (!TestProcess::waitForAllFinished({ &client, &server }, TimeoutMs) || !client.exitedWith(0)
        || !server.exitedWith(0)) {
        qWarning("peers: client %s / server %s", client.diagnostics(), server.diagnostics());
        return 0;
    }
    m_serverReceived = server.peerMessages();
    // Every request and every reply stored, then the recording closed with them.
    if (!QTest::qWaitFor([this] { return m_store->size() == 2 * Requests; }, TimeoutMs))
        return 0;
    QSignalSpy stopped(m_engine.get(), &Engine::recordingStopped);
    m_engine->stopRecording();
    if (!stopped.wait(TimeoutMs))
        return 0;
    m_window->refreshViews();
    return tap;
}

CaptureWindow *TestTapView::openAndWait(const QString &path)
{
    CaptureWindow *window = m_window->captureController()->openCapture(path);
    QSignalSpy finished(window, &CaptureWindow::loadFinished);
    if (!finished.wait(TimeoutMs))
        return nullptr;
    return window;
}

void TestTapView::exportWritesTheRecordersLines()
{
    const QString recorded = m_dir.filePath(u"export-recorded.zmqcap"_s);
    const SocketId tap = recordConversation(recorded);
    QVERIFY(tap != 0);
    const QList<QByteArray> recorderLines = messageLines(recorded);
    QCOMPARE(recorderLines.size(), 2 * Requests);

    // Every message the table shows, exported through the app's dialog, is the recorder's line.
    MessagesPane *pane = m_window->messagesPane();
    QTRY_COMPARE(pane->model()->totalRows(), 2 * Requests);
    const QString exported = m_dir.filePath(u"exported.zmqcap"_s);
    const QString failure = exportAll(m_window->captureController()->showExportDialog(), exported);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(messageLines(exported), recorderLines);

    // A capture window's export of the recording writes its lines back as they were: one tap socket with
    // the REQ's type on c2s lines and the REP's on s2c lines.
    CaptureWindow *window = openAndWait(recorded);
    QVERIFY(window);
    QCOMPARE(window->loadResult().sockets.size(), 1);
    QCOMPARE(window->loadResult().sockets.constFirst().clientType, u"REQ"_s);
    QCOMPARE(window->loadResult().sockets.constFirst().serverType, u"REP"_s);
    const QString reexported = m_dir.filePath(u"reexported.zmqcap"_s);
    const QString failureAgain = exportAll(window->showExportDialog(), reexported);
    QVERIFY2(failureAgain.isEmpty(), qPrintable(failureAgain));
    QCOMPARE(messageLines(reexported), recorderLines);

    // And they are section 12's lines: c2s from the REQ with its peer, s2c from the REP to the same peer.
    const CaptureRecord request = parseCaptureLine(recorderLines.at(0));
    const CaptureRecord reply = parseCaptureLine(recorderLines.at(1));
    QCOMPARE(request.direction, Direction::ClientToServer);
    QCOMPARE(request.type, u"REQ"_s);
    QCOMPARE(reply.direction, Direction::ServerToClient);
    QCOMPARE(reply.type, u"REP"_s);
    QVERIFY(!request.peer.isEmpty());
    QCOMPARE(reply.peer, request.peer);
    QVERIFY(request.endpoint.contains(u" > "_s));
    const QByteArray peerField = QByteArray("\"peer\":\"") + request.peer.toHex() + QByteArray("\"");
    QVERIFY(recorderLines.at(0).contains(peerField));
}

void TestTapView::captureWindowShowsTheConversation()
{
    const QString recorded = m_dir.filePath(u"shown.zmqcap"_s);
    QVERIFY(recordConversation(recorded) != 0);
    const CaptureRecord first = parseCaptureLine(messageLines(recorded).constFirst());

    CaptureWindow *window = openAndWait(recorded);
    QVERIFY(window);
    const MessageTableModel *model = window->messagesPane()->model();
    QTRY_COMPARE(model->rowCount(), 2 * Requests);
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString expected = row % 2 == 0 ? u"c2s"_s : u"s2c"_s;
        QCOMPARE(model->index(row, MessageTableModel::DirectionColumn).data().toString(), expected);
        QCOMPARE(model->index(row, MessageTableModel::PeerColumn).data().toString(),
            QString::fromLatin1(first.peer.toHex()));
    }
    // The first row is selected: the Detail pane says which way it went and names the peer.
    MessageDetailView *detail = window->detailView();
    QTRY_VERIFY(detail->hasMessage());
    QVERIFY(detail->setCurrentTab(MessageDetailView::EnvelopeTab));
    auto *tree = detail->findChild<QTreeView *>(u"envelopeTree"_s);
    QVERIFY(tree);
    QStringList fields;
    for (int row = 0; row < tree->model()->rowCount(); ++row)
        fields.append(tree->model()->index(row, 0).data().toString() + u": "_s
            + tree->model()->index(row, 1).data().toString());
    QVERIFY2(fields.contains(u"Direction: c2s: client \u2192 server"_s), qPrintable(fields.join(u'\n')));
    QVERIFY2(fields.contains(u"Peer: %1 (the routing id the tap gave the client; not a frame)"_s.arg(
                 QString::fromLatin1(first.peer.toHex()))),
        qPrintable(fields.join(u'\n')));

    // The direction box alone can empty the table: then it says so.
    FilterBar *bar = window->messagesPane()->filterBar();
    bar->setDirections(MessageFilter::directionBit(Direction::In));
    QTRY_VERIFY(model->isCaughtUp() && model->totalRows() == 0);
    QTRY_VERIFY2(window->messagesPane()->filterNoticeText().contains(u"c2s: client \u2192 server"_s),
        qPrintable(window->messagesPane()->filterNoticeText()));
    bar->setDirections(MessageFilter::directionBit(Direction::ServerToClient));
    QTRY_COMPARE(model->totalRows(), Requests);
    QTRY_COMPARE(window->messagesPane()->filterNoticeText(), QString());

    // Replaying the selected s2c rows: the dialog says which way they went.
    QTRY_COMPARE(model->rowCount(), Requests);
    window->messagesPane()->table()->selectAll();
    ReplayDialog *dialog = window->showReplayDialog(true);
    QVERIFY(dialog);
    auto *source = dialog->findChild<QLabel *>(u"sourceLabel"_s);
    QVERIFY(source);
    QCOMPARE(source->text(), u"3 selected messages of shown.zmqcap, all s2c: server \u2192 client"_s);
    dialog->close();
}

void TestTapView::replayC2sIntoAPythonRep()
{
    const QString recorded = m_dir.filePath(u"replayed.zmqcap"_s);
    QVERIFY(recordConversation(recorded) != 0);
    const QList<QList<QByteArray>> originalServerGot = m_serverReceived;
    QCOMPARE(originalServerGot.size(), Requests);
    CaptureWindow *window = openAndWait(recorded);
    QVERIFY(window);

    // A new REP server, and a DEALER of ours towards it: the c2s frames carry the REQ's empty delimiter.
    TestProcess server;
    QVERIFY(startTapPeer(server,
        { u"--type"_s, u"REP"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"echo"_s, u"--count"_s,
            QString::number(Requests) }));
    const QString endpoint = server.waitForPeerEndpoint();
    QVERIFY(!endpoint.isEmpty());
    SocketSpec dealer;
    dealer.name = u"Replay DEALER"_s;
    dealer.type = SocketType::Dealer;
    dealer.connects = { endpoint };
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    const SocketId dealerId = m_window->openSocket(dealer);
    QVERIFY(opened.wait(TimeoutMs));

    ReplayDialog *dialog = window->showReplayDialog(false);
    QVERIFY(dialog);
    QVERIFY(dialog->setTargetSocket(dealerId));
    QVERIFY(dialog->setDirection(Direction::ClientToServer));
    QVERIFY2(dialog->directionNote().contains(u"DEALER"_s), qPrintable(dialog->directionNote()));
    dialog->setPacing(ReplayPacing::MaxSpeed);
    QSignalSpy finished(dialog, &ReplayDialog::replayFinished);
    dialog->startReplay();
    QVERIFY(finished.wait(TimeoutMs));
    QCOMPARE(finished.constFirst().at(1).toString(), QString());
    QCOMPARE(dialog->sent(), quint64(Requests));

    // The new server got exactly what the original one got through the tap, byte for byte.
    QVERIFY2(server.waitForFinished(TimeoutMs) && server.exitedWith(0), server.diagnostics());
    QCOMPARE(server.peerMessages(), originalServerGot);
    const QList<Frames> sent = requests();
    for (int i = 0; i < Requests; ++i)
        QCOMPARE(Frames(server.peerMessages().at(i)), sent.at(i));
}

void TestTapView::replayC2sThroughAReqSaysWhatHappened()
{
    // What the dialog's note warns about, as it happens: a REQ adds a delimiter of its own in front of the
    // recorded one, and it cannot send the next request before the reply to the last one came back.
    const QString recorded = m_dir.filePath(u"replayed-req.zmqcap"_s);
    QVERIFY(recordConversation(recorded) != 0);
    CaptureWindow *window = openAndWait(recorded);
    QVERIFY(window);
    TestProcess server;
    QVERIFY(startTapPeer(server,
        { u"--type"_s, u"REP"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"echo"_s, u"--count"_s,
            u"1"_s }));
    const QString endpoint = server.waitForPeerEndpoint();
    QVERIFY(!endpoint.isEmpty());
    SocketSpec req;
    req.name = u"Replay REQ"_s;
    req.type = SocketType::Req;
    req.connects = { endpoint };
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    const SocketId reqId = m_window->openSocket(req);
    QVERIFY(opened.wait(TimeoutMs));

    ReplayDialog *dialog = window->showReplayDialog(false);
    QVERIFY(dialog);
    QVERIFY(dialog->setTargetSocket(reqId));
    QVERIFY(dialog->setDirection(Direction::ClientToServer));
    QVERIFY2(
        dialog->directionNote().contains(u"REQ adds a delimiter"_s), qPrintable(dialog->directionNote()));
    dialog->setPacing(ReplayPacing::MaxSpeed);
    QSignalSpy finished(dialog, &ReplayDialog::replayFinished);
    dialog->startReplay();
    QVERIFY(finished.wait(TimeoutMs));
    const QString error = finished.constFirst().at(1).toString();
    QVERIFY2(error.contains(u"REQ"_s), qPrintable(error));
    QVERIFY2(dialog->errorText().contains(error), qPrintable(dialog->errorText()));

    // The one request that went out reached the server with an extra empty frame first.
    QVERIFY2(server.waitForFinished(TimeoutMs) && server.exitedWith(0), server.diagnostics());
    QCOMPARE(server.peerMessages().size(), 1);
    QCOMPARE(Frames(server.peerMessages().constFirst()), Frames { QByteArray() } + requests().constFirst());
}

QTEST_MAIN(TestTapView)
#include "tst_tapview.moc"
