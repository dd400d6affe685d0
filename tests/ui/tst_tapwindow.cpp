// A tap through the real main window (DESIGN.md section 12, issue 14): Capture > New Tap driven
// widget by widget, python3-zmq peers on both sides (tests/interop/tap_peer.py under
// /usr/bin/python3), both directions checked in the Sockets row, the message table, the Tap
// Monitor and a saved workspace.

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <zmqscope/engine/engine.h>
#include <zmqscope/store/messagestore.h>

#include "compose/composerwidget.h"
#include "compose/inlinemessage.h"
#include "compose/newtapdialog.h"
#include "compose/workspace.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "socketlistmodel.h"
#include "tapcontroller.h"
#include "tapmonitorview.h"
#include "testprocess.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using uitest::NetworkTimeoutMs;

namespace {

bool startTapPeer(TestProcess &peer, const QStringList &arguments)
{
    return peer.start(QStringLiteral(ZMQSCOPE_PYTHON),
        QStringList { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/tap_peer.py") } + arguments);
}

/// The endpoint field of the first row of one side of the dialog ("listenEndpoints", "forwardEndpoints").
QComboBox *endpointField(const NewTapDialog &dialog, const QString &side)
{
    auto *group = dialog.findChild<QGroupBox *>(side);
    return group ? group->findChild<QComboBox *>(u"endpointEdit"_s) : nullptr;
}

/// Replaces what a field holds by typing, as a user would.
void typeInto(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
}

} // namespace

class TestTapWindow : public uitest::MainWindowTestCase
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void tapThroughTheWindow();

private:
    /// The Sockets row of the tap, -1 while there is none.
    [[nodiscard]] int tapRow() const;
};

void TestTapWindow::initTestCase()
{
    uitest::useTestSettings(u"tst_tapwindow"_s);
}

void TestTapWindow::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
}

void TestTapWindow::cleanup()
{
    destroyWindow();
}

int TestTapWindow::tapRow() const
{
    const SocketListModel *model = uitest::socketModel(*m_window);
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data(SocketListModel::IsTapRole).toBool())
            return row;
    }
    return -1;
}

void TestTapWindow::tapThroughTheWindow()
{
    // The server the clients would talk to directly: a REP answering 3 requests.
    TestProcess server;
    QVERIFY(startTapPeer(server,
        { u"--type"_s, u"REP"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s, u"--mode"_s, u"echo"_s, u"--count"_s,
            u"3"_s }));
    const QString serverEndpoint = server.waitForPeerEndpoint();
    QVERIFY2(serverEndpoint.startsWith(u"tcp://127.0.0.1:"_s), server.diagnostics());

    // Capture > New Tap, filled in widget by widget.
    QAction *newTap = m_window->action(MainWindow::Action::NewTap);
    QVERIFY(newTap && newTap->isEnabled());
    newTap->trigger();
    NewTapDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<NewTapDialog *>()) && dialog->isVisible());
    auto *pattern = dialog->findChild<QComboBox *>(u"patternCombo"_s);
    QVERIFY(pattern);
    pattern->setCurrentIndex(pattern->findData(int(TapPattern::ReqRep)));
    auto *explanation = dialog->findChild<QLabel *>(u"patternExplanation"_s);
    QVERIFY(explanation);
    QVERIFY2(explanation->text().startsWith(u"REQ clients connect to the tap's ROUTER at LISTEN"_s),
        qPrintable(explanation->text()));
    auto *name = dialog->findChild<QLineEdit *>(u"nameEdit"_s);
    QVERIFY(name);
    typeInto(name, u"orders tap"_s);
    QComboBox *listen = endpointField(*dialog, u"listenEndpoints"_s);
    QComboBox *forward = endpointField(*dialog, u"forwardEndpoints"_s);
    QVERIFY(listen && forward);
    typeInto(listen->lineEdit(), u"tcp://127.0.0.1:*"_s);
    auto *ok = dialog->findChild<QPushButton *>(u"okButton"_s);
    QVERIFY(ok);
    QVERIFY(!ok->isEnabled()); // no forward endpoint yet

    // A wildcard cannot be connected to: the error stands under the forward field and names it.
    typeInto(forward->lineEdit(), u"tcp://127.0.0.1:*"_s);
    QVERIFY(!ok->isEnabled());
    auto *forwardError = forward->parentWidget()->findChild<QLabel *>(u"endpointError"_s);
    QVERIFY(forwardError);
    const QString shown = InlineMessage::text(forwardError);
    QVERIFY2(shown.contains(u"\"tcp://127.0.0.1:*\""_s), qPrintable(shown));
    QVERIFY2(dialog->problems().join(u'\n').startsWith(u"Forward endpoint 1: "_s),
        qPrintable(dialog->problems().join(u'\n')));

    typeInto(forward->lineEdit(), serverEndpoint);
    QVERIFY2(dialog->problems().isEmpty(), qPrintable(dialog->problems().join(u'\n')));
    QVERIFY(ok->isEnabled());
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(m_window->findChild<NewTapDialog *>() == nullptr);

    // One row for the tap, its server's side connected, the real listen port known.
    SocketListModel *sockets = uitest::socketModel(*m_window);
    QTRY_VERIFY(tapRow() >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(sockets->socketAt(tapRow()).state == SocketState::Connected
            && !sockets->socketAt(tapRow()).tap->listenEndpoints.isEmpty(),
        NetworkTimeoutMs);
    const SocketInfo opened = sockets->socketAt(tapRow());
    const SocketId tap = opened.id;
    QCOMPARE(opened.spec.name, u"orders tap"_s);
    QCOMPARE(opened.tap->spec.forward, QStringList { serverEndpoint });
    const QString listenEndpoint = opened.tap->listenEndpoints.constFirst();
    QCOMPARE(sockets->index(tapRow(), SocketListModel::TypeColumn).data().toString(), u"tap req-rep"_s);
    const QString endpointsTip
        = sockets->index(tapRow(), SocketListModel::EndpointsColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(endpointsTip.contains(listenEndpoint) && endpointsTip.contains(serverEndpoint),
        qPrintable(endpointsTip));

    const QLocale locale;
    const auto cell = [&](int column) { return sockets->index(tapRow(), column).data().toString(); };
    QTRY_COMPARE(cell(SocketListModel::StateColumn), u"clients: 0 connected \u00b7 server: Connected"_s);

    // A REQ client through the tap: 3 requests, 3 replies.
    TestProcess client;
    QVERIFY(startTapPeer(client,
        { u"--type"_s, u"REQ"_s, u"--connect"_s, listenEndpoint, u"--mode"_s, u"send"_s, u"--generate"_s,
            u"3"_s, u"--replies"_s }));
    QVERIFY2(TestProcess::waitForAllFinished({ &client, &server }, 30000), client.diagnostics());
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    QCOMPARE(client.peerMessages().size(), 3);

    // Both directions in the Sockets row ...
    QTRY_COMPARE_WITH_TIMEOUT(
        cell(SocketListModel::InColumn), u"%1 c2s"_s.arg(locale.toString(3)), NetworkTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(
        cell(SocketListModel::OutColumn), u"%1 s2c"_s.arg(locale.toString(3)), NetworkTimeoutMs);
    // The server has answered its 3 and gone, the client too: the row says so for each side.
    QTRY_VERIFY2_WITH_TIMEOUT(
        cell(SocketListModel::StateColumn).startsWith(u"clients: 0 connected \u00b7 server: "_s)
            && !cell(SocketListModel::StateColumn).endsWith(u"server: Connected"_s),
        qPrintable(cell(SocketListModel::StateColumn)), NetworkTimeoutMs);

    // ... and in the message table, under the tap's name, with the frames the peers sent.
    const MessageTableModel *table = m_window->messagesPane()->model();
    const auto tapRows = [&] {
        QList<int> rows;
        for (int row = 0; row < table->rowCount(); ++row) {
            if (SocketId(table->index(row, 0).data(MessageTableModel::SocketRole).toUInt()) == tap)
                rows.append(row);
        }
        return rows;
    };
    QTRY_COMPARE_WITH_TIMEOUT(tapRows().size(), 6, NetworkTimeoutMs);
    int c2s = 0;
    int s2c = 0;
    for (const int row : tapRows()) {
        QCOMPARE(table->index(row, MessageTableModel::SocketColumn).data().toString(), u"orders tap"_s);
        const auto direction = Direction(table->index(row, 0).data(MessageTableModel::DirectionRole).toInt());
        c2s += direction == Direction::ClientToServer ? 1 : 0;
        s2c += direction == Direction::ServerToClient ? 1 : 0;
        StoredMessage message;
        QVERIFY(
            m_store->message(table->index(row, 0).data(MessageTableModel::SeqRole).toULongLong(), message));
        // What the REQ put on the wire, its delimiter included, echoed back as it came.
        QCOMPARE(message.frames.size(), 2);
        QVERIFY(message.frames.at(0).isEmpty());
        QVERIFY(message.frames.at(1).startsWith("m-"));
        QVERIFY(!message.peer.isEmpty());
    }
    QCOMPARE(c2s, 3);
    QCOMPARE(s2c, 3);

    // The Tap Monitor came with the first tap and shows both sides.
    TapController *taps = m_window->tapController();
    QVERIFY(taps->monitorDock()->isVisible());
    TapMonitorView *monitor = taps->monitor();
    QCOMPARE(monitor->shownTap(), tap);
    QTRY_VERIFY(monitor->findChild<QLabel *>(u"tapCounters"_s)->text().contains(u"3 c2s"_s));
    QVERIFY(monitor->findChild<QLabel *>(u"serverEndpoints"_s)->text().contains(serverEndpoint));
    QVERIFY(monitor->findChild<QLabel *>(u"clientsEndpoints"_s)->text().contains(listenEndpoint));
    const QStringList clientLines = monitor->sideLines(tap, true);
    QVERIFY2(std::any_of(clientLines.cbegin(), clientLines.cend(),
                 [](const QString &line) { return line.startsWith(u"accepted a connection"_s); }),
        qPrintable(clientLines.join(u'\n')));
    QVERIFY2(!monitor->sideLines(tap, false).isEmpty(), "no server-side lines");

    // Selected, the tap is edited as a tap, monitored, and never offered to send on.
    uitest::socketView(*m_window)->setCurrentIndex(sockets->index(tapRow(), 0));
    QCOMPARE(m_window->action(MainWindow::Action::EditSocket)->text(), u"&Edit Tap\u2026"_s);
    QVERIFY(m_window->action(MainWindow::Action::MonitorTap)->isEnabled());
    QVERIFY(!m_window->composer()->setCurrentSocket(tap));
    // Its context menu offers the Tap Monitor and says why there is no Send; what is not a tap gets neither.
    QMenu menu;
    taps->addContextMenuActions(menu, sockets->index(tapRow(), 0));
    QCOMPARE(menu.actions().size(), 2);
    QCOMPARE(menu.actions().at(0), m_window->action(MainWindow::Action::MonitorTap));
    QVERIFY(menu.actions().at(1)->text().startsWith(u"Send: not on a tap"_s));
    QVERIFY(!menu.actions().at(1)->isEnabled());
    QMenu noTap;
    taps->addContextMenuActions(noTap, QModelIndex());
    QVERIFY(noTap.actions().isEmpty());
    // Tap Monitor brings the closed monitor back with the selected tap.
    taps->monitorDock()->close();
    QVERIFY(!taps->monitorDock()->isVisible());
    m_window->action(MainWindow::Action::MonitorTap)->trigger();
    QVERIFY(taps->monitorDock()->isVisible());
    QCOMPARE(monitor->shownTap(), tap);
    m_window->action(MainWindow::Action::EditSocket)->trigger();
    NewTapDialog *edit = nullptr;
    QTRY_VERIFY((edit = m_window->findChild<NewTapDialog *>()) && edit->isVisible());
    QCOMPARE(edit->objectName(), u"EditTapDialog"_s);
    QCOMPARE(edit->spec().name, u"orders tap"_s);
    QCOMPARE(edit->spec().pattern, TapPattern::ReqRep);
    QCOMPARE(edit->spec().forward, QStringList { serverEndpoint });
    auto *editOk = edit->findChild<QPushButton *>(u"okButton"_s);
    QVERIFY(editOk && editOk->isEnabled());
    QCOMPARE(editOk->text(), u"&Apply and Reopen"_s);
    typeInto(endpointField(*edit, u"listenEndpoints"_s)->lineEdit(), u"tcp://127.0.0.1:*"_s);
    QTest::mouseClick(editOk, Qt::LeftButton);
    // Applied: the old row gives way to a tap of the same name, listening on a port of its own.
    QTRY_VERIFY_WITH_TIMEOUT(tapRow() >= 0 && sockets->socketAt(tapRow()).id != tap
            && !sockets->socketAt(tapRow()).tap->listenEndpoints.isEmpty(),
        NetworkTimeoutMs);
    QCOMPARE(sockets->rowCount(), 1);
    const SocketInfo reopened = sockets->socketAt(tapRow());
    QCOMPARE(reopened.spec.name, u"orders tap"_s);
    QCOMPARE(reopened.tap->spec.forward, QStringList { serverEndpoint });
    QTRY_COMPARE(monitor->shownTap(), reopened.id);

    // Saved in a workspace with its pattern and both sides.
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    const QString path = folder.filePath(u"tap.zmqscope"_s);
    const Result<void> saved = m_window->saveWorkspace(path);
    QVERIFY2(saved, qPrintable(saved.errorMessage()));
    const Result<Workspace> loaded = Workspace::load(path);
    QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
    QVERIFY(loaded->sockets().isEmpty());
    QCOMPARE(loaded->taps().size(), 1);
    QCOMPARE(loaded->taps().constFirst().name, u"orders tap"_s);
    QCOMPARE(loaded->taps().constFirst().listen, QStringList { u"tcp://127.0.0.1:*"_s });
    QCOMPARE(loaded->taps().constFirst().forward, QStringList { serverEndpoint });

    // Opened again from the file, once the tap it saved has closed (its name is free then).
    const SocketId savedTap = sockets->socketAt(tapRow()).id;
    m_engine->closeSocket(savedTap);
    QTRY_COMPARE(sockets->socketAt(tapRow()).state, SocketState::Closed);
    const Result<void> openedAgain = m_window->openWorkspace(path);
    QVERIFY2(openedAgain, qPrintable(openedAgain.errorMessage()));
    // The open tap named "orders tap" with the saved settings, other than the taps `except`; 0 if none.
    const auto openTapNamed = [&](const QList<SocketId> &except) -> SocketId {
        for (const SocketInfo &info : sockets->sockets()) {
            if (info.tap && !except.contains(info.id) && info.state != SocketState::Closed
                && info.spec.name == u"orders tap"_s && info.tap->spec.pattern == TapPattern::ReqRep
                && !info.tap->listenEndpoints.isEmpty())
                return info.id;
        }
        return 0;
    };
    const QList<SocketId> beforeWorkspace { savedTap };
    QTRY_VERIFY_WITH_TIMEOUT(openTapNamed(beforeWorkspace) != 0, NetworkTimeoutMs);

    // Reopen on the closed tap's row (once the workspace's tap has closed, freeing the name): a tap with
    // its settings takes the row's place.
    const SocketId fromWorkspace = openTapNamed(beforeWorkspace);
    m_engine->closeSocket(fromWorkspace);
    QTRY_COMPARE(sockets->socketAt(sockets->rowForSocket(fromWorkspace)).state, SocketState::Closed);
    uitest::socketView(*m_window)->setCurrentIndex(sockets->index(sockets->rowForSocket(savedTap), 0));
    QAction *reopen = m_window->action(MainWindow::Action::ReopenSocket);
    QVERIFY(reopen->isEnabled());
    reopen->trigger();
    QCOMPARE(sockets->rowForSocket(savedTap), -1);
    const QList<SocketId> beforeReopen { savedTap, fromWorkspace };
    QTRY_VERIFY_WITH_TIMEOUT(openTapNamed(beforeReopen) != 0, NetworkTimeoutMs);
    QCOMPARE(sockets->socketAt(sockets->rowForSocket(openTapNamed(beforeReopen))).tap->spec.forward,
        QStringList { serverEndpoint });
}

QTEST_MAIN(TestTapWindow)
#include "tst_tapwindow.moc"
