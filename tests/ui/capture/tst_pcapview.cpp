// A packet capture in the app (issue 15): tests/capture/data/conversations.pcap (python3-zmq peers recorded
// with tcpdump on lo: REQ/REP, DEALER/ROUTER, PUB/SUB, PLAIN and CURVE) opened in a capture window. What
// the window must show comes from decoding the same file here with decodeCaptureFile(), never from
// numbers typed in.

#include <algorithm>

#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPointer>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/passivedecoder.h>
#include <zmqscope/engine/engine.h>

#include "../uitestsupport.h"
#include "capture/capturecontroller.h"
#include "capture/capturewindow.h"
#include "capture/connectionspanel.h"
#include "capture/exportdialog.h"
#include "capture/replaydialog.h"
#include "filterbar.h"
#include "messagespane.h"
#include "messagetablemodel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int TimeoutMs = 20000;
const QString Fixture = QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/capture/data/conversations.pcap");
/// tests/interop/wire_peers.py's PLAIN password: it must never be shown.
const QString PlainPassword = u"s3cret-pw"_s;

/// What the decoder makes of the fixture: its connections and every record, in capture order.
struct Decoded
{
    QList<WireConnection> connections;
    QList<CaptureRecord> records;

    [[nodiscard]] QList<CaptureRecord> messagesOf(const QString &connection) const
    {
        QList<CaptureRecord> messages;
        for (const CaptureRecord &record : records)
            if (!record.isEvent() && record.socket == connection)
                messages.append(record);
        return messages;
    }
};

Decoded decodeFixture()
{
    Decoded decoded;
    PassiveDecoder::Handlers handlers;
    handlers.record = [&decoded](const CaptureRecord &record) { decoded.records.append(record); };
    const Result<PassiveCaptureSummary> summary = decodeCaptureFile(Fixture, std::move(handlers));
    if (summary)
        decoded.connections = summary->connections;
    return decoded;
}

/// Every text of a tree: items and their tool tips, every column.
QStringList treeTexts(const QTreeWidget *tree)
{
    QStringList texts;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        for (int column = 0; column < tree->columnCount(); ++column)
            texts << tree->topLevelItem(i)->text(column) << tree->topLevelItem(i)->toolTip(column);
    return texts;
}

} // namespace

class TestPcapView : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void openFilterOffersPacketCaptures();
    void connectionsPanelListsTheDecodedConnections();
    void selectingAConnectionFiltersTheTableToItsMessages();
    void curveMessageDetailSaysEncryptedWithItsSize();
    void plainConnectionShowsItsUserNeverThePassword();
    void eventsOfTheWireAreListed();
    void exportWritesTheDecodedLines();
    void replayC2sIntoASocket();
    void garbageNamedPcapFailsNamingIt();
    void truncatedCaptureShowsWhatCameBeforeTheCut();

private:
    /// Opens `path` in a capture window and waits until it is read; nullptr with a failure recorded.
    CaptureWindow *openAndWait(const QString &path, Engine *engine = nullptr);
    /// Selects `connection` in the panel and waits for the table to hold its messages; their seqs.
    std::vector<std::uint64_t> selectConnection(CaptureWindow *window, const QString &connection);

    Decoded m_decoded;
    QPointer<CaptureWindow> m_captureWindow;
    QTemporaryDir m_dir;
};

void TestPcapView::initTestCase()
{
    uitest::useTestSettings(u"tst_pcapview"_s);
    QVERIFY(m_dir.isValid());
    m_decoded = decodeFixture();
    // The fixture's five conversations (make-fixtures.sh): a decoder that finds fewer tests nothing here.
    QCOMPARE(m_decoded.connections.size(), 5);
}

void TestPcapView::init()
{
    createWindow();
}

void TestPcapView::cleanup()
{
    delete m_captureWindow;
    m_window.reset();
    m_engine.reset();
    m_store.reset();
}

CaptureWindow *TestPcapView::openAndWait(const QString &path, Engine *engine)
{
    delete m_captureWindow;
    m_captureWindow = new CaptureWindow(path, engine);
    m_captureWindow->setAttribute(Qt::WA_DeleteOnClose, false);
    QSignalSpy finished(m_captureWindow.data(), &CaptureWindow::loadFinished);
    m_captureWindow->startLoading();
    m_captureWindow->show();
    if (!finished.wait(TimeoutMs)) {
        QTest::qFail("the capture window did not finish loading", __FILE__, __LINE__);
        return nullptr;
    }
    return m_captureWindow;
}

std::vector<std::uint64_t> TestPcapView::selectConnection(CaptureWindow *window, const QString &connection)
{
    QTreeWidget *view = window->connectionsPanel()->connectionsView();
    const QList<QTreeWidgetItem *> items = view->findItems(connection, Qt::MatchExactly);
    if (items.size() != 1)
        return {};
    view->setCurrentItem(items.constFirst());
    const MessageTableModel *model = window->messagesPane()->model();
    const qsizetype expected = m_decoded.messagesOf(connection).size();
    if (!QTest::qWaitFor(
            [&] {
                return model->filter().socket() != 0 && model->isCaughtUp() && model->totalRows() == expected;
            },
            TimeoutMs))
        return {};
    std::vector<std::uint64_t> seqs;
    seqs.reserve(std::size_t(model->totalRows()));
    for (int row = 0; row < model->totalRows(); ++row)
        seqs.push_back(model->seqAtLogical(row));
    return seqs;
}

void TestPcapView::openFilterOffersPacketCaptures()
{
    const QString filter = CaptureController::openCaptureFilter();
    QVERIFY2(filter.contains(u"*.pcap "_s) && filter.contains(u"*.pcapng"_s), qPrintable(filter));
    QVERIFY2(filter.contains(u"*.zmqcap"_s) && filter.endsWith(u"All files (*)"_s), qPrintable(filter));
}

void TestPcapView::connectionsPanelListsTheDecodedConnections()
{
    CaptureWindow *window = openAndWait(Fixture);
    QVERIFY(window);
    QVERIFY(window->loadResult().packetCapture);
    QVERIFY(window->connectionsDock());
    QVERIFY(window->connectionsDock()->isVisible());
    QCOMPARE(window->connectionsDock()->windowTitle(), u"Connections"_s);
    QTreeWidget *view = window->connectionsPanel()->connectionsView();
    QCOMPARE(view->topLevelItemCount(), m_decoded.connections.size());
    QSet<QString> securities;
    for (int i = 0; i < view->topLevelItemCount(); ++i) {
        const WireConnection &expected = m_decoded.connections.at(i);
        const QTreeWidgetItem *item = view->topLevelItem(i);
        QCOMPARE(item->text(ConnectionsPanel::ConnectionColumn), expected.name);
        QCOMPARE(item->text(ConnectionsPanel::SecurityColumn), expected.security);
        securities.insert(expected.security);
        const auto shown = [](const QString &text) { return text.isEmpty() ? u"\u2014"_s : text; };
        QCOMPARE(item->text(ConnectionsPanel::ClientTypeColumn), shown(expected.clientType));
        QCOMPARE(item->text(ConnectionsPanel::ServerTypeColumn), shown(expected.serverType));
        QCOMPARE(item->text(ConnectionsPanel::ClientToServerColumn),
            QLocale().toString(qulonglong(expected.clientToServer)));
        QCOMPARE(item->text(ConnectionsPanel::ServerToClientColumn),
            QLocale().toString(qulonglong(expected.serverToClient)));
        QCOMPARE(item->text(ConnectionsPanel::GapsColumn),
            expected.gaps == 0 ? u"0"_s : item->text(ConnectionsPanel::GapsColumn));
        QCOMPARE(item->text(ConnectionsPanel::StateColumn).contains(u"closed"_s), expected.closed);
        QCOMPARE(item->text(ConnectionsPanel::StateColumn).contains(u"joined mid-stream"_s),
            expected.joinedMidStream);
        if (!expected.clientIdentity.isEmpty())
            QVERIFY2(item->text(ConnectionsPanel::IdentitiesColumn)
                         .contains(QString::fromUtf8(expected.clientIdentity)),
                qPrintable(item->text(ConnectionsPanel::IdentitiesColumn)));
    }
    // The fixture's security mechanisms all show.
    QCOMPARE(securities, (QSet<QString> { u"NULL"_s, u"PLAIN"_s, u"CURVE"_s }));

    // The status says it is a packet capture and what it holds.
    std::uint64_t messages = 0;
    for (const WireConnection &connection : std::as_const(m_decoded.connections))
        messages += connection.clientToServer + connection.serverToClient;
    const QString status = window->statusLabel()->text();
    QVERIFY2(status.startsWith(u"conversations.pcap \u2014 %1 ZeroMQ connections, %2 messages"_s
                                   .arg(m_decoded.connections.size())
                                   .arg(QLocale().toString(qulonglong(messages)))),
        qPrintable(status));
    QVERIFY2(window->windowTitle().contains(u"packet capture"_s), qPrintable(window->windowTitle()));
}

void TestPcapView::selectingAConnectionFiltersTheTableToItsMessages()
{
    CaptureWindow *window = openAndWait(Fixture);
    QVERIFY(window);
    for (const WireConnection &connection : std::as_const(m_decoded.connections)) {
        const QList<CaptureRecord> expected = m_decoded.messagesOf(connection.name);
        QVERIFY(!expected.isEmpty());
        const std::vector<std::uint64_t> seqs = selectConnection(window, connection.name);
        QCOMPARE(qsizetype(seqs.size()), expected.size());
        // The filter bar's socket is the connection's, and the rows are exactly its messages, in order.
        QCOMPARE(window->messagesPane()->filterBar()->socketBox()->currentText(), connection.name);
        for (std::size_t i = 0; i < seqs.size(); ++i) {
            StoredMessage message;
            QVERIFY(window->store().message(seqs[i], message));
            const CaptureRecord &record = expected.at(qsizetype(i));
            QCOMPARE(message.timestampUs, record.timestampUs);
            QCOMPARE(message.direction, record.direction);
            QCOMPARE(message.frames, record.frames);
        }
    }
    // The filter bar's socket choice is the same filter: it selects that connection in the panel.
    const QString first = m_decoded.connections.constFirst().name;
    const int firstIndex = window->messagesPane()->filterBar()->socketBox()->findText(first);
    QVERIFY(firstIndex > 0);
    window->messagesPane()->filterBar()->socketBox()->setCurrentIndex(firstIndex);
    const QList<QTreeWidgetItem *> selected = window->connectionsPanel()->connectionsView()->selectedItems();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.constFirst()->text(ConnectionsPanel::ConnectionColumn), first);
    // Clearing the panel's choice shows every message again.
    window->connectionsPanel()->connectionsView()->clearSelection();
    QTRY_COMPARE_WITH_TIMEOUT(window->messagesPane()->model()->filter().socket(), SocketId(0), TimeoutMs);
}

void TestPcapView::curveMessageDetailSaysEncryptedWithItsSize()
{
    CaptureWindow *window = openAndWait(Fixture);
    QVERIFY(window);
    const auto curve = std::find_if(m_decoded.records.cbegin(), m_decoded.records.cend(),
        [](const CaptureRecord &record) { return record.encrypted; });
    QVERIFY2(curve != m_decoded.records.cend(), "the fixture has no CURVE message");
    const QList<CaptureRecord> expected = m_decoded.messagesOf(curve->socket);
    const std::vector<std::uint64_t> seqs = selectConnection(window, curve->socket);
    QCOMPARE(qsizetype(seqs.size()), expected.size());
    const qsizetype index = expected.indexOf(*curve);
    QVERIFY(index >= 0);
    window->messagesPane()->selectSeq(seqs[std::size_t(index)]);
    QTRY_VERIFY(window->wireNote()->isVisible());
    const QString note = window->wireNote()->text();
    QVERIFY2(note.contains(
                 u"encrypted: %1 bytes of CURVE payload"_s.arg(QLocale().toString(qulonglong(curve->size)))),
        qPrintable(note));
    QVERIFY2(note.contains(u"%1 \u2192 %2"_s.arg(curve->src, curve->dst)), qPrintable(note));
    QVERIFY2(note.contains(u"CURVE security"_s), qPrintable(note));
    QVERIFY(window->loadResult().encryptedSizes.value(seqs[std::size_t(index)]) == curve->size);
    // The table says so too, rather than "raw, 0 frames".
    const MessageTableModel *model = window->messagesPane()->model();
    QTRY_VERIFY(model->rowForSeq(seqs[std::size_t(index)]) >= 0);
    const int row = model->rowForSeq(seqs[std::size_t(index)]);
    QCOMPARE(model->index(row, MessageTableModel::MimetypeColumn).data().toString(), u"encrypted (CURVE)"_s);
    QCOMPARE(model->index(row, MessageTableModel::PreviewColumn).data().toString(),
        u"[encrypted: %1 bytes of CURVE payload]"_s.arg(QLocale().toString(qulonglong(curve->size))));
}

void TestPcapView::plainConnectionShowsItsUserNeverThePassword()
{
    CaptureWindow *window = openAndWait(Fixture);
    QVERIFY(window);
    QTreeWidget *view = window->connectionsPanel()->connectionsView();
    int plainRow = -1;
    for (int i = 0; i < m_decoded.connections.size(); ++i)
        if (m_decoded.connections.at(i).security == u"PLAIN")
            plainRow = i;
    QVERIFY(plainRow >= 0);
    // Nowhere in the window: not in the panel, its events, the status or the Detail's note.
    view->setCurrentItem(view->topLevelItem(plainRow));
    QStringList texts = treeTexts(view) + treeTexts(window->connectionsPanel()->eventsView());
    texts << window->statusLabel()->text() << window->wireNote()->text() << window->windowTitle();
    for (const QLabel *label : window->findChildren<QLabel *>())
        texts << label->text();
    QVERIFY(!texts.join(u'\n').contains(PlainPassword));
    // The user is shown (wire_peers.py's PLAIN user is alice).
    QCOMPARE(view->topLevelItem(plainRow)->text(ConnectionsPanel::UserColumn),
        m_decoded.connections.at(plainRow).plainUsername);
    QCOMPARE(m_decoded.connections.at(plainRow).plainUsername, u"alice"_s);
}

void TestPcapView::eventsOfTheWireAreListed()
{
    CaptureWindow *window = openAndWait(Fixture);
    QVERIFY(window);
    QList<CaptureRecord> events;
    for (const CaptureRecord &record : std::as_const(m_decoded.records))
        if (record.isEvent())
            events.append(record);
    QVERIFY(!events.isEmpty());
    QTreeWidget *eventsView = window->connectionsPanel()->eventsView();
    // No connection chosen: every event, in capture order.
    QCOMPARE(eventsView->topLevelItemCount(), events.size());
    for (int i = 0; i < events.size(); ++i)
        QCOMPARE(eventsView->topLevelItem(i)->text(3), events.at(i).event);
    // One connection: its own, among them its handshake.
    const WireConnection &first = m_decoded.connections.constFirst();
    QVERIFY(!selectConnection(window, first.name).empty());
    QStringList kinds;
    for (int i = 0; i < eventsView->topLevelItemCount(); ++i)
        kinds << eventsView->topLevelItem(i)->text(3);
    QStringList expected;
    for (const CaptureRecord &event : std::as_const(events))
        if (event.socket == first.name)
            expected << event.event;
    QCOMPARE(kinds, expected);
    QVERIFY2(kinds.contains(u"connected"_s), qPrintable(kinds.join(u", "_s)));
}

void TestPcapView::exportWritesTheDecodedLines()
{
    CaptureWindow *window = openAndWait(Fixture);
    QVERIFY(window);
    const QString path = m_dir.filePath(u"exported.zmqcap"_s);
    ExportDialog *dialog = window->showExportDialog();
    dialog->setFormat(ExportFormat::JsonLines);
    dialog->setFileName(path);
    QSignalSpy finished(dialog, &ExportDialog::exportFinished);
    dialog->startExport();
    QVERIFY(finished.wait(TimeoutMs));
    QVERIFY2(dialog->result().outcome, qPrintable(dialog->result().outcome.errorMessage()));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    file.readLine(); // the header
    QList<CaptureRecord> exported;
    while (!file.atEnd())
        exported.append(parseCaptureLine(file.readLine()));
    QList<CaptureRecord> expected;
    for (const CaptureRecord &record : std::as_const(m_decoded.records))
        if (!record.isEvent())
            expected.append(record);
    // Line for line what `zmqscope-cli cat` writes for the pcap: src, dst, security, encrypted sizes.
    QCOMPARE(exported.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QCOMPARE(exported.at(i), expected.at(i));
}

void TestPcapView::replayC2sIntoASocket()
{
    // A PULL of the engine behind a PUSH of the engine: what the replay sends arrives in the store.
    SocketSpec pull;
    pull.name = u"Replay PULL"_s;
    pull.type = SocketType::Pull;
    pull.binds = { u"inproc://tst_pcapview_replay"_s };
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    const SocketId pullId = m_window->openSocket(pull);
    QVERIFY(opened.wait(TimeoutMs));
    SocketSpec push;
    push.name = u"Replay PUSH"_s;
    push.type = SocketType::Push;
    push.connects = pull.binds;
    const SocketId pushId = m_window->openSocket(push);
    QTRY_VERIFY_WITH_TIMEOUT(opened.size() == 2, TimeoutMs);

    CaptureWindow *window = openAndWait(Fixture, m_engine.get());
    QVERIFY(window);
    // The first NULL connection's c2s messages, as the filter chooses them.
    const WireConnection &connection = m_decoded.connections.constFirst();
    QCOMPARE(connection.security, u"NULL"_s);
    QVERIFY(!selectConnection(window, connection.name).empty());
    window->messagesPane()->filterBar()->setDirections(
        MessageFilter::directionBit(Direction::ClientToServer));
    QList<Frames> expected;
    for (const CaptureRecord &record : m_decoded.messagesOf(connection.name))
        if (record.direction == Direction::ClientToServer)
            expected.append(record.frames);
    QVERIFY(!expected.isEmpty());
    const MessageTableModel *model = window->messagesPane()->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->isCaughtUp() && model->totalRows() == expected.size(), TimeoutMs);

    ReplayDialog *dialog = window->showReplayDialog(false);
    QVERIFY(dialog);
    QVERIFY(dialog->setTargetSocket(pushId));
    dialog->setPacing(ReplayPacing::MaxSpeed);
    QSignalSpy replayed(dialog, &ReplayDialog::replayFinished);
    dialog->startReplay();
    QVERIFY(replayed.wait(TimeoutMs));
    QCOMPARE(replayed.constFirst().at(1).toString(), QString());
    QCOMPARE(dialog->sent(), quint64(expected.size()));

    QList<Frames> received;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            received.clear();
            for (std::uint64_t seq = m_store->firstSeq(); seq < m_store->endSeq(); ++seq) {
                StoredMessage message;
                if (m_store->message(seq, message) && message.socket == pullId)
                    received.append(message.frames);
            }
            return received.size() == expected.size();
        }(),
        TimeoutMs);
    QCOMPARE(received, expected);
}

void TestPcapView::garbageNamedPcapFailsNamingIt()
{
    // Named like a packet capture, but neither one nor a capture file: the error names it.
    const QString garbage = m_dir.filePath(u"garbage.pcap"_s);
    {
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(300, '\x5a'));
    }
    // A pcap's magic number followed by garbage: libpcap's error, naming the file.
    const QString badHeader = m_dir.filePath(u"bad-header.cap"_s);
    {
        QFile file(badHeader);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("\xd4\xc3\xb2\xa1", 4) + QByteArray(9, '\x01'));
    }
    for (const QString &path : { garbage, badHeader }) {
        auto *window = new CaptureWindow(path, nullptr);
        QPointer<CaptureWindow> guard(window);
        QSignalSpy failed(window, &CaptureWindow::loadFailed);
        window->startLoading();
        QVERIFY(failed.wait(TimeoutMs));
        const QString error = failed.constFirst().at(1).toString();
        QVERIFY2(error.contains(QFileInfo(path).fileName()), qPrintable(error));
        QTRY_VERIFY(guard.isNull()); // it closes (and deletes) itself
    }
}

void TestPcapView::truncatedCaptureShowsWhatCameBeforeTheCut()
{
    // The fixture cut in its middle, as a capture still being written: the window shows what came before
    // the cut and says why the rest is missing, instead of failing.
    QFile fixture(Fixture);
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    const QByteArray whole = fixture.readAll();
    const QString path = m_dir.filePath(u"cut.pcap"_s);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(whole.left(whole.size() * 3 / 4));
    }
    std::uint64_t before = 0;
    PassiveDecoder::Handlers handlers;
    handlers.record = [&before](const CaptureRecord &record) { before += record.isEvent() ? 0 : 1; };
    const Result<PassiveCaptureSummary> decoded = decodeCaptureFile(path, std::move(handlers));
    QVERIFY2(!decoded, "the cut fixture decodes without an error");
    QVERIFY(before > 0);

    CaptureWindow *window = openAndWait(path);
    QVERIFY(window);
    QCOMPARE(window->loadResult().messages, before);
    QVERIFY(window->issuesBanner()->isVisible());
    const QString banner = window->issuesBanner()->text();
    QVERIFY2(
        banner.contains(u"The capture ends early: %1"_s.arg(decoded.errorMessage())), qPrintable(banner));
}

QTEST_MAIN(TestPcapView)
#include "tst_pcapview.moc"
