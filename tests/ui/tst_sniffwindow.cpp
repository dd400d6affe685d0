// Live capture through the real main window (issue 15): Capture > Sniff Interface driven widget by
// widget. An interface that does not exist fails the sniffer's row with the reason, shown in the
// Sockets panel and the Events log; as root, a sniffer on lo while python3-zmq peers talk
// (tests/interop/wire_peers.py) shows the connection's row and its messages in the table, c2s/s2c.
// The sniffer also goes into a saved workspace and comes back from it.

#include <unistd.h>

#include <QAction>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/engine/engine.h>

#include "compose/composerwidget.h"
#include "compose/inlinemessage.h"
#include "compose/sniffdialog.h"
#include "compose/workspace.h"
#include "eventlogmodel.h"
#include "loopback.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "sniffcontroller.h"
#include "socketlistmodel.h"
#include "testprocess.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using uitest::NetworkTimeoutMs;

class TestSniffWindow : public uitest::MainWindowTestCase
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void dialogChecksItsFields();
    void missingInterfaceShowsTheError();
    void noPermissionShowsTheFix();
    void sniffLoopbackShowsTheMessages();

private:
    /// Opens Capture > Sniff Interface and returns the dialog.
    SniffDialog *openDialog();
    /// The Sockets row of the sniffer, -1 while there is none.
    [[nodiscard]] int sniffRow() const;
};

void TestSniffWindow::initTestCase()
{
    uitest::useTestSettings(u"tst_sniffwindow"_s);
}

void TestSniffWindow::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
}

void TestSniffWindow::cleanup()
{
    destroyWindow();
}

SniffDialog *TestSniffWindow::openDialog()
{
    QAction *sniff = m_window->action(MainWindow::Action::SniffInterface);
    if (!sniff || !sniff->isEnabled())
        return nullptr;
    sniff->trigger();
    SniffDialog *dialog = nullptr;
    if (!QTest::qWaitFor(
            [&] { return (dialog = m_window->findChild<SniffDialog *>()) && dialog->isVisible(); }))
        return nullptr;
    return dialog;
}

int TestSniffWindow::sniffRow() const
{
    const SocketListModel *model = uitest::socketModel(*m_window);
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->socketAt(row).sniff)
            return row;
    }
    return -1;
}

void TestSniffWindow::dialogChecksItsFields()
{
    SniffDialog *dialog = openDialog();
    QVERIFY(dialog);
    auto *interface = dialog->findChild<QComboBox *>(u"interfaceCombo"_s);
    auto *ports = dialog->findChild<QLineEdit *>(u"portsEdit"_s);
    auto *ok = dialog->findChild<QPushButton *>(u"okButton"_s);
    QVERIFY(interface && ports && ok);
    // The machine's interfaces, as libpcap lists them; lo first chosen.
    const auto listed = PcapSource::interfaces();
    QVERIFY2(listed.ok(), qPrintable(listed.errorMessage()));
    QCOMPARE(interface->count(), listed->size());
    QCOMPARE(interface->currentText(), u"lo"_s);
    QVERIFY(ok->isEnabled());
    QTest::keyClicks(ports, u"5555, 70000"_s);
    QVERIFY(!ok->isEnabled());
    auto *portsError = dialog->findChild<QLabel *>(u"portsError"_s);
    QVERIFY(portsError);
    QVERIFY2(InlineMessage::text(portsError).contains(u"\"70000\" is not a TCP port"_s),
        qPrintable(InlineMessage::text(portsError)));
    ports->clear();
    QTest::keyClicks(ports, u"5555 5556"_s);
    QVERIFY(ok->isEnabled());
    QCOMPARE(dialog->spec().ports, (QList<quint16> { 5555, 5556 }));
    QCOMPARE(dialog->spec().name, u"sniff lo"_s);
    dialog->reject();
}

void TestSniffWindow::missingInterfaceShowsTheError()
{
    SniffDialog *dialog = openDialog();
    QVERIFY(dialog);
    // A workspace from another machine names an interface this one lacks: it is offered, and fails.
    dialog->setSpec(SniffSpec { u"elsewhere"_s, u"no-such-if0"_s, { 5555 } });
    auto *ok = dialog->findChild<QPushButton *>(u"okButton"_s);
    QVERIFY(ok && ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(m_window->findChild<SniffDialog *>() == nullptr);

    SocketListModel *sockets = uitest::socketModel(*m_window);
    QTRY_VERIFY(sniffRow() >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(sockets->socketAt(sniffRow()).state, SocketState::Failed, NetworkTimeoutMs);
    const QString state = sockets->index(sniffRow(), SocketListModel::StateColumn).data().toString();
    QVERIFY2(state.startsWith(u"Failed: elsewhere: cannot capture on no-such-if0: "_s), qPrintable(state));
    QCOMPARE(sockets->index(sniffRow(), SocketListModel::TypeColumn).data().toString(), u"sniff"_s);
    QCOMPARE(sockets->index(sniffRow(), SocketListModel::EndpointsColumn).data().toString(),
        u"no-such-if0 (tcp and (port 5555))"_s);
    // The Events log has the same line, as an error of that row.
    const EventLogModel *events = m_window->eventModel();
    const SocketId id = sockets->socketAt(sniffRow()).id;
    QTRY_VERIFY([&] {
        for (int row = 0; row < events->rowCount(); ++row) {
            const QModelIndex line = events->index(row);
            if (line.data().toString().contains(state.mid(int(u"Failed: "_s.size())))
                && line.data(EventLogModel::IsErrorRole).toBool()
                && SocketId(line.data(EventLogModel::SocketIdRole).toUInt()) == id)
                return true;
        }
        return false;
    }());
    // Reopen is offered for it, and a failed sniffer is not saved in a workspace.
    uitest::socketView(*m_window)->setCurrentIndex(sockets->index(sniffRow(), 0));
    QVERIFY(m_window->action(MainWindow::Action::ReopenSocket)->isEnabled());
}

void TestSniffWindow::noPermissionShowsTheFix()
{
    const bool root = geteuid() == 0;
    // As root: an effective user without capabilities while the engine opens the capture (seteuid is
    // the whole process's), then root again.
    if (root)
        QCOMPARE(::seteuid(65534), 0);
    const SocketId id = m_window->sniffController()->openSniffer(SniffSpec { QString(), u"lo"_s, {} });
    m_engine->sync();
    if (root)
        QCOMPARE(::seteuid(0), 0);
    SocketListModel *sockets = uitest::socketModel(*m_window);
    QTRY_VERIFY(sockets->rowForSocket(id) >= 0);
    if (!root && sockets->socketAt(sockets->rowForSocket(id)).state == SocketState::Listening)
        QSKIP("this test program may capture (it has cap_net_raw): no permission error to see");
    QTRY_COMPARE_WITH_TIMEOUT(
        sockets->socketAt(sockets->rowForSocket(id)).state, SocketState::Failed, NetworkTimeoutMs);
    // The reason and its fix, plainly in the State column.
    const QString state
        = sockets->index(sockets->rowForSocket(id), SocketListModel::StateColumn).data().toString();
    QCOMPARE(state,
        u"Failed: sniff lo: cannot capture on lo: permission denied; run as root, or give the program the "
        u"right once: sudo setcap cap_net_raw,cap_net_admin=eip "_s
            + QCoreApplication::applicationFilePath());
}

void TestSniffWindow::sniffLoopbackShowsTheMessages()
{
    if (geteuid() != 0)
        QSKIP("live capture needs root (or cap_net_raw); this run has neither");
    // The peers talk on this test's own address and ports, and the sniffer captures those ports only
    // (lo carries the other tests' traffic too: see loopback.h).
    const QList<quint16> ports = loopback::freePorts(loopback::SniffWindowHost, 2);
    QVERIFY(ports.size() == 2);
    SniffDialog *dialog = openDialog();
    QVERIFY(dialog);
    auto *portsEdit = dialog->findChild<QLineEdit *>(u"portsEdit"_s);
    auto *ok = dialog->findChild<QPushButton *>(u"okButton"_s);
    QVERIFY(portsEdit && ok);
    QTest::keyClicks(portsEdit, u"%1, %2"_s.arg(ports.at(0)).arg(ports.at(1)));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    SocketListModel *sockets = uitest::socketModel(*m_window);
    QTRY_VERIFY(sniffRow() >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(sockets->socketAt(sniffRow()).state, SocketState::Listening, NetworkTimeoutMs);
    const SocketId sniffer = sockets->socketAt(sniffRow()).id;

    TestProcess peers;
    QVERIFY(peers.start(QStringLiteral(ZMQSCOPE_PYTHON),
        loopback::wirePeersArguments({ u"req-rep"_s, u"curve"_s }, loopback::SniffWindowHost, ports)));
    QVERIFY2(peers.waitForFinished(60000), peers.diagnostics());
    QVERIFY2(peers.exitedWith(0), peers.diagnostics());
    const int port = QJsonDocument::fromJson(peers.lines().value(0)).object().value(u"port"_s).toInt();
    QVERIFY(port > 0);

    // The connection's row: its types, its peers, under the sniffer.
    const auto connectionRow = [&] {
        for (int row = 0; row < sockets->rowCount(); ++row) {
            const SocketInfo &info = sockets->socketAt(row);
            if (info.wire && info.wire->sniffer == sniffer && info.wire->server.endsWith(u":%1"_s.arg(port)))
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(connectionRow() >= 0, NetworkTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(sockets->index(connectionRow(), SocketListModel::TypeColumn).data().toString(),
        u"REQ > REP"_s, NetworkTimeoutMs);
    const SocketInfo connection = sockets->socketAt(connectionRow());

    // Its messages in the table under its name, c2s and s2c, with the frames the peers sent.
    const MessageTableModel *table = m_window->messagesPane()->model();
    const auto rows = [&] {
        QList<int> found;
        for (int row = 0; row < table->rowCount(); ++row) {
            if (SocketId(table->index(row, 0).data(MessageTableModel::SocketRole).toUInt()) == connection.id)
                found.append(row);
        }
        return found;
    };
    QTRY_COMPARE_WITH_TIMEOUT(rows().size(), 6, NetworkTimeoutMs);
    int c2s = 0;
    for (const int row : rows()) {
        QCOMPARE(table->index(row, MessageTableModel::SocketColumn).data().toString(), connection.spec.name);
        const auto direction = Direction(table->index(row, 0).data(MessageTableModel::DirectionRole).toInt());
        QVERIFY(isConversation(direction));
        c2s += direction == Direction::ClientToServer ? 1 : 0;
    }
    QCOMPARE(c2s, 3);

    // The CURVE connection's frames are in the table as encrypted, each with its size (the peers said
    // which sizes they sent; the engine keeps them beside the store, the table is told on its tick).
    QList<qulonglong> curveSizes;
    int curvePort = 0;
    for (const QByteArray &line : peers.lines()) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.value(u"security"_s).toString() == u"CURVE")
            curvePort = object.value(u"port"_s).toInt();
        if (curvePort != 0 && object.value(u"port"_s).toInt() == curvePort && object.contains(u"frames"_s))
            for (const QJsonValue frame : object.value(u"frames"_s).toArray())
                curveSizes.append(qulonglong(QByteArray::fromBase64(frame.toString().toLatin1()).size()));
    }
    QVERIFY(curvePort > 0 && !curveSizes.isEmpty());
    const auto curvePreviews = [&] {
        QStringList previews;
        for (int row = 0; row < table->rowCount(); ++row) {
            if (table->index(row, MessageTableModel::SocketColumn)
                    .data()
                    .toString()
                    .endsWith(u":%1"_s.arg(curvePort))
                && table->index(row, MessageTableModel::MimetypeColumn).data().toString()
                    == u"encrypted (CURVE)"_s)
                previews.append(table->index(row, MessageTableModel::PreviewColumn).data().toString());
        }
        return previews;
    };
    QStringList expectedPreviews;
    for (const qulonglong size : curveSizes)
        expectedPreviews.append(u"[encrypted: %1 bytes of CURVE payload]"_s.arg(QLocale().toString(size)));
    QTRY_COMPARE_WITH_TIMEOUT(curvePreviews(), expectedPreviews, NetworkTimeoutMs);
    QTRY_VERIFY(sockets->index(sniffRow(), SocketListModel::StateColumn)
                    .data()
                    .toString()
                    .startsWith(u"sniffing \u00b7 "_s));

    // A sniffed connection is no socket to send from, nor to edit or reopen: its sniffer is.
    QVERIFY(!m_window->composer()->setCurrentSocket(connection.id));
    uitest::socketView(*m_window)->setCurrentIndex(sockets->index(connectionRow(), 0));
    QVERIFY(!m_window->action(MainWindow::Action::EditSocket)->isEnabled());
    uitest::socketView(*m_window)->setCurrentIndex(sockets->index(sniffRow(), 0));
    QVERIFY(m_window->action(MainWindow::Action::EditSocket)->isEnabled());
    QCOMPARE(m_window->action(MainWindow::Action::EditSocket)->text(), u"&Edit Sniffer\u2026"_s);

    // A saved workspace keeps the running sniffer (not its connections), and opens it again.
    QTemporaryDir dir;
    const QString file = dir.filePath(u"sniff.zmqws"_s);
    QVERIFY(m_window->saveWorkspace(file).ok());
    const auto saved = Workspace::load(file);
    QVERIFY2(saved.ok(), qPrintable(saved.errorMessage()));
    QCOMPARE(saved->sniffers().size(), 1);
    QCOMPARE(saved->sniffers().at(0).interface, u"lo"_s);
    QCOMPARE(saved->sniffers().at(0).ports, ports);
    QVERIFY(saved->sockets().isEmpty());
}

QTEST_MAIN(TestSniffWindow)
#include "tst_sniffwindow.moc"
