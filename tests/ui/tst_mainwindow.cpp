// The main window end to end: real engine, real sockets, python3-zmq peers
// (tests/ui/zmqpeer.py under /usr/bin/python3), widgets driven with QTest.
// Over 800 lines on purpose: one test class per file (DESIGN.md section 10), and every case here
// needs the whole window with its engine; parts with classes of their own have their own tests.

#include <functional>
#include <optional>

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

#include <zmqscope/engine/engine.h>
#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>
#include <zmqscope/version.h>

#include "capture/capturecontroller.h"
#include "compose/composerwidget.h"
#include "compose/newsocketdialog.h"
#include "detail/hexview.h"
#include "detail/messagedetailview.h"
#include "eventlogmodel.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "preferences.h"
#include "socketlistmodel.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

using uitest::NetworkTimeoutMs;
using uitest::PythonPeer;

class TestMainWindow : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void createsSocketsThroughTheDialog();
    void badEndpointShowsInlineError();
    void receivesFromPythonPeer();
    void selectedRowShowsItsBody();
    void composedMessageReachesPeer();
    void replyOnRouterGoesToEachPeer();
    void editAndResendFromTheTable();
    void untrustedDataIsShownLiterally();
    void bigBodyOpensInHexView();
    void autoScrollAndPause();
    void selectionSurvivesFilterAndEviction();
    void clearDropsMessages();
    void clearAsksFirst();
    void quitAsksWhileSocketsAreOpen();
    void quitAsksWhileRecording();
    void copyCopiesEverySelectedRow();
    void fitsSmallScreens_data();
    void fitsSmallScreens();
    void firstStartFitsTheScreen();
    void socketCountsStayInView_data();
    void socketCountsStayInView();
    void timeColumnChoiceIsRemembered();
    void filterOnThisIdMimetypeAndSocket();
    void layoutIsSavedAndRestored();
    void workspaceRoundTrip();
    void closeAndReopenSocket();
    void aboutNamesVersions();

private:
    SocketId openThroughDialog(SocketType type, bool bind, const QString &endpoint);
    SocketId openWithPeer(SocketType type, bool bind, PythonPeer &peer, const QString &peerType);
    [[nodiscard]] QString boundEndpoint(SocketId id) const;
    [[nodiscard]] int rowWithId(const QString &id) const;
    [[nodiscard]] QString cell(int row, int column) const;
    bool clickRow(int row);
    bool sendWithShortcut();

    /// What answerMessageBox() saw.
    struct BoxSeen
    {
        bool shown = false;
        QString text;
    };
    /// Runs trigger and answers the QMessageBox it opens from a timer inside the box's event loop:
    /// clicks the button with object name `button` (empty: Cancel), ticking "Don't ask again" first
    /// when dontAskAgain is set.
    BoxSeen answerMessageBox(const std::function<void()> &trigger, const QString &button, bool dontAskAgain);
    void appendMessages(int count);
    /// Whether widget is shown whole inside window (not hidden, not scrolled or cut off).
    [[nodiscard]] static bool isShownIn(const MainWindow &window, QWidget *widget);
};

void TestMainWindow::initTestCase()
{
    uitest::useTestSettings(u"tst_mainwindow"_s);

    QProcess probe;
    probe.start(QStringLiteral(ZMQSCOPE_PYTHON), { u"-c"_s, u"import zmq"_s });
    QVERIFY2(probe.waitForFinished(10000) && probe.exitCode() == 0,
        "the independent peer needs python3-zmq under " ZMQSCOPE_PYTHON);
}

void TestMainWindow::init()
{
    // "Don't ask again" and the View choices of one test do not reach the next.
    QSettings().clear();
    createWindow();
    m_window->resetLayout();
    QVERIFY(showWindow(WaitFor::Active)); // the tests drive keyboard shortcuts
}

void TestMainWindow::cleanup()
{
    destroyWindow();
}

SocketId TestMainWindow::openThroughDialog(SocketType type, bool bind, const QString &endpoint)
{
    SocketListModel *sockets = uitest::socketModel(*m_window);
    const int before = sockets->rowCount();
    m_window->action(MainWindow::Action::NewSocket)->trigger();
    QPointer<NewSocketDialog> dialog;
    if (!QTest::qWaitFor(
            [&] { return (dialog = m_window->findChild<NewSocketDialog *>()) && dialog->isVisible(); }))
        return 0;

    auto *typeCombo = dialog->findChild<QComboBox *>(u"typeCombo"_s);
    auto *modeCombo = dialog->findChild<QComboBox *>(u"endpointMode"_s);
    auto *endpointEdit = dialog->findChild<QComboBox *>(u"endpointEdit"_s);
    auto *ok = dialog->findChild<QPushButton *>(u"okButton"_s);
    if (!typeCombo || !modeCombo || !endpointEdit || !ok)
        return 0;
    const int typeIndex = typeCombo->findData(int(type));
    if (typeIndex < 0)
        return 0;
    typeCombo->setCurrentIndex(typeIndex);
    modeCombo->setCurrentIndex(bind ? 0 : 1);
    endpointEdit->lineEdit()->clear();
    QTest::keyClicks(endpointEdit->lineEdit(), endpoint);
    if (!QTest::qWaitFor([&] { return ok->isEnabled(); })) {
        qWarning() << "the dialog refused:" << dialog->problems();
        return 0;
    }
    QTest::mouseClick(ok, Qt::LeftButton);
    if (!QTest::qWaitFor([&] { return !dialog || !dialog->isVisible(); }))
        return 0;
    // Keyboard shortcuts need the main window active again.
    m_window->activateWindow();
    if (!QTest::qWaitForWindowActive(m_window.get()))
        return 0;
    if (!QTest::qWaitFor([&] { return sockets->rowCount() == before + 1; }))
        return 0;
    const SocketId id = sockets->socketAt(before).id;
    const SocketState wanted = bind ? SocketState::Listening : SocketState::Connected;
    const bool up = QTest::qWaitFor(
        [&] {
            const int row = sockets->rowForSocket(id);
            return row >= 0 && sockets->socketAt(row).state == wanted;
        },
        NetworkTimeoutMs);
    return up ? id : 0;
}

/// A socket opened through the dialog with `peer`, a python3-zmq `peerType`, at the other end over
/// tcp://127.0.0.1; the side that binds takes a wildcard port. 0 when either failed (why: peer.error()).
SocketId TestMainWindow::openWithPeer(SocketType type, bool bind, PythonPeer &peer, const QString &peerType)
{
    const QString anyPort = u"tcp://127.0.0.1:*"_s;
    if (bind) {
        const SocketId id = openThroughDialog(type, true, anyPort);
        return id != 0 && peer.start(peerType, u"connect"_s, boundEndpoint(id)) ? id : 0;
    }
    if (!peer.start(peerType, u"bind"_s, anyPort))
        return 0;
    return openThroughDialog(type, false, peer.endpoint());
}

QString TestMainWindow::boundEndpoint(SocketId id) const
{
    const int row = uitest::socketModel(*m_window)->rowForSocket(id);
    return row < 0 ? QString() : uitest::socketModel(*m_window)->socketAt(row).boundEndpoints.value(0);
}

int TestMainWindow::rowWithId(const QString &id) const
{
    const MessageTableModel *model = m_window->messagesPane()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (cell(row, MessageTableModel::IdColumn) == id)
            return row;
    }
    return -1;
}

QString TestMainWindow::cell(int row, int column) const
{
    return m_window->messagesPane()->model()->index(row, column).data().toString();
}

bool TestMainWindow::clickRow(int row)
{
    QTableView *table = m_window->messagesPane()->table();
    const QModelIndex index = table->model()->index(row, MessageTableModel::IdColumn);
    table->scrollTo(index);
    const QRect rect = table->visualRect(index);
    if (!rect.isValid())
        return false;
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
    return table->currentIndex().row() == row;
}

TestMainWindow::BoxSeen TestMainWindow::answerMessageBox(
    const std::function<void()> &trigger, const QString &button, bool dontAskAgain)
{
    BoxSeen seen;
    QTimer poll;
    poll.setInterval(20);
    connect(&poll, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        seen.shown = true;
        seen.text = box->text();
        if (auto *dontAsk = box->findChild<QCheckBox *>(u"dontAskAgain"_s))
            dontAsk->setChecked(dontAskAgain);
        QAbstractButton *target
            = button.isEmpty() ? box->button(QMessageBox::Cancel) : box->findChild<QAbstractButton *>(button);
        if (target)
            target->click();
        else
            box->reject(); // the test fails on what it saw, but never hangs
    });
    // The timer runs only while trigger() does: without a box it returns at once.
    poll.start();
    trigger();
    poll.stop();
    // The window gets the keyboard back (its shortcuts work only then), unless it was closed; the
    // offscreen platform has no window manager to give it back.
    if (seen.shown && m_window->isVisible()) {
        m_window->activateWindow();
        if (!QTest::qWaitForWindowActive(m_window.get()))
            qWarning("the main window did not become active again after the message box");
    }
    return seen;
}

void TestMainWindow::appendMessages(int count)
{
    for (int i = 0; i < count; ++i)
        m_store->append(1, Direction::In, MessageStore::nowUs() + i,
            { QByteArray("m") + QByteArray::number(i), "text/plain", "body " + QByteArray::number(i) });
    m_window->refreshViews();
}

bool TestMainWindow::sendWithShortcut()
{
    QAction *send = m_window->action(MainWindow::Action::Send);
    if (!send->isEnabled())
        return false;
    QTest::keyClick(m_window->messagesPane()->table(), Qt::Key_Return, Qt::ControlModifier);
    return true;
}

void TestMainWindow::createsSocketsThroughTheDialog()
{
    const SocketId router = openThroughDialog(SocketType::Router, true, u"tcp://127.0.0.1:*"_s);
    QVERIFY(router != 0);
    const int row = uitest::socketModel(*m_window)->rowForSocket(router);
    const QAbstractItemModel *model = uitest::socketModel(*m_window);
    QCOMPARE(model->index(row, SocketListModel::TypeColumn).data().toString(), u"ROUTER"_s);
    QCOMPARE(model->index(row, SocketListModel::StateColumn).data().toString(), u"Listening"_s);
    QVERIFY(model->index(row, SocketListModel::EndpointsColumn)
                .data()
                .toString()
                .startsWith(u"@tcp://127.0.0.1:"_s));
    QVERIFY(!model->index(row, SocketListModel::EndpointsColumn).data().toString().endsWith(u'*'));
    QVERIFY(NewSocketDialog::recentEndpoints().contains(u"tcp://127.0.0.1:*"_s));

    // A second socket through the dialog, connected to the first.
    const SocketId dealer = openThroughDialog(SocketType::Dealer, false, boundEndpoint(router));
    QVERIFY(dealer != 0);
    QCOMPARE(uitest::socketModel(*m_window)->rowCount(), 2);
    // Names are unique and the composer offers both (they can send).
    const QHash<SocketId, QString> names = uitest::socketModel(*m_window)->socketNames();
    QVERIFY(names.value(router) != names.value(dealer));
    QVERIFY(m_window->composer()->setCurrentSocket(router));
    QVERIFY(m_window->composer()->setCurrentSocket(dealer));

    // The Events log tells what happened, time-stamped.
    QTRY_VERIFY(m_window->eventModel()->rowCount() >= 2);
    QString lines;
    for (int i = 0; i < m_window->eventModel()->rowCount(); ++i)
        lines += m_window->eventModel()->index(i, 0).data().toString() + u'\n';
    QVERIFY2(lines.contains(u"opened ROUTER socket"_s), qPrintable(lines));
    QVERIFY2(QRegularExpression(u"^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d  "_s).match(lines).hasMatch(),
        qPrintable(lines));
}

void TestMainWindow::badEndpointShowsInlineError()
{
    m_window->action(MainWindow::Action::NewSocket)->trigger();
    QPointer<NewSocketDialog> dialog;
    QTRY_VERIFY((dialog = m_window->findChild<NewSocketDialog *>()) && dialog->isVisible());
    auto *endpointEdit = dialog->findChild<QComboBox *>(u"endpointEdit"_s);
    auto *ok = dialog->findChild<QPushButton *>(u"okButton"_s);
    QVERIFY(endpointEdit && ok);
    endpointEdit->lineEdit()->clear();
    QTest::keyClicks(endpointEdit->lineEdit(), u"tcp://127.0.0.1:notaport"_s);

    QLabel *error = nullptr;
    QTRY_VERIFY((error = dialog->findChild<QLabel *>(u"endpointError"_s)) && error->isVisible()
        && error->text().contains(u"notaport"_s));
    QCOMPARE(error->textFormat(), Qt::PlainText);
    QVERIFY(!ok->isEnabled());
    QVERIFY(!dialog->problems().isEmpty());
    // Enter does not get past it either, and nothing was opened.
    QTest::keyClick(endpointEdit->lineEdit(), Qt::Key_Return);
    QVERIFY(dialog->isVisible());
    QCOMPARE(uitest::socketModel(*m_window)->rowCount(), 0);
    dialog->reject();
    QTRY_VERIFY(!dialog || !dialog->isVisible());
    QCOMPARE(uitest::socketModel(*m_window)->rowCount(), 0);
}

void TestMainWindow::receivesFromPythonPeer()
{
    PythonPeer peer;
    const SocketId pull = openWithPeer(SocketType::Pull, true, peer, u"PUSH"_s);
    QVERIFY2(pull != 0, qPrintable(peer.error()));
    QVERIFY(peer.send({ "temp.kitchen", "application/json", R"({"celsius": 21.5})" }));
    QVERIFY(peer.send({ "just", "two" }));
    QVERIFY(peer.send({ "client-7", "", "order-1", "text/plain", "hello there" }));

    const MessageTableModel *model = m_window->messagesPane()->model();
    QTRY_COMPARE_WITH_TIMEOUT(model->totalRows(), 3, NetworkTimeoutMs);
    const QString socketName = uitest::socketModel(*m_window)->socketNames().value(pull);
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(cell(row, MessageTableModel::SocketColumn), socketName);
        QCOMPARE(cell(row, MessageTableModel::DirectionColumn), u"in"_s);
    }
    QCOMPARE(cell(0, MessageTableModel::IdColumn), u"temp.kitchen"_s);
    QCOMPARE(cell(0, MessageTableModel::MimetypeColumn), u"application/json"_s);
    QCOMPARE(cell(0, MessageTableModel::PreviewColumn), u"{\"celsius\": 21.5}"_s);
    QCOMPARE(cell(0, MessageTableModel::RouteColumn), QString());
    QCOMPARE(cell(1, MessageTableModel::MimetypeColumn), u"raw, 2 frames"_s);
    QVERIFY(cell(1, MessageTableModel::PreviewColumn).contains(u"an envelope needs 3"_s));
    QCOMPARE(cell(2, MessageTableModel::RouteColumn), u"client-7"_s);
    QCOMPARE(cell(2, MessageTableModel::IdColumn), u"order-1"_s);
    QCOMPARE(cell(2, MessageTableModel::PreviewColumn), u"hello there"_s);
    QCOMPARE(cell(2, MessageTableModel::SizeColumn), u"%1 B"_s.arg(8 + 0 + 7 + 10 + 11));

    // The socket's counter, and the status bar.
    QTRY_COMPARE(uitest::socketModel(*m_window)
                     ->index(uitest::socketModel(*m_window)->rowForSocket(pull), SocketListModel::InColumn)
                     .data()
                     .toString(),
        u"3"_s);
    QTRY_VERIFY(uitest::statusLabel(*m_window)->text().startsWith(u"3 kept"_s));

    // Ctrl+F goes to the filter; typing narrows the table without blocking.
    QTest::keyClick(m_window->messagesPane()->table(), Qt::Key_F, Qt::ControlModifier);
    QLineEdit *filter = m_window->messagesPane()->filterBar()->textEdit();
    QTRY_VERIFY(filter->hasFocus());
    QTest::keyClicks(filter, u"HELLO"_s);
    QTRY_COMPARE(model->totalRows(), 1);
    QCOMPARE(cell(0, MessageTableModel::IdColumn), u"order-1"_s);
    // New matching messages keep coming in; others stay out.
    QVERIFY(peer.send({ "x", "text/plain", "hello again" }));
    QVERIFY(peer.send({ "y", "text/plain", "bye" }));
    QTRY_COMPARE_WITH_TIMEOUT(model->totalRows(), 2, NetworkTimeoutMs);
    QTRY_COMPARE(m_store->size(), std::uint64_t(5));
    QTest::qWait(3 * MainWindow::RefreshIntervalMs);
    QCOMPARE(model->totalRows(), 2);
    filter->clear();
    QTRY_COMPARE(model->totalRows(), 5);
}

void TestMainWindow::selectedRowShowsItsBody()
{
    PythonPeer peer;
    const SocketId pull = openWithPeer(SocketType::Pull, true, peer, u"PUSH"_s);
    QVERIFY2(pull != 0, qPrintable(peer.error()));
    const Frames first { "first", "text/plain", "the first body" };
    const Frames second { "second", "text/plain", "the second body\nwith two lines" };
    QVERIFY(peer.send(first));
    QVERIFY(peer.send(second));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->messagesPane()->model()->totalRows(), 2, NetworkTimeoutMs);

    QVERIFY(clickRow(1));
    MessageDetailView *detail = m_window->detailView();
    QTRY_VERIFY(detail->hasMessage());
    QCOMPARE(detail->message().frames, second);
    QVERIFY(detail->setCurrentTab(MessageDetailView::TextTab));
    auto *text = detail->findChild<QPlainTextEdit *>(u"textEdit"_s);
    QVERIFY(text);
    QTRY_COMPARE(text->toPlainText(), u"the second body\nwith two lines"_s);
    // Selecting stopped the auto-scroll.
    QVERIFY(!m_window->messagesPane()->isFollowing());
    QVERIFY(!m_window->action(MainWindow::Action::Follow)->isChecked());

    // Keyboard: Up goes to the other message.
    QTest::keyClick(m_window->messagesPane()->table(), Qt::Key_Up);
    QTRY_COMPARE(detail->message().frames, first);
}

void TestMainWindow::composedMessageReachesPeer()
{
    PythonPeer peer;
    const SocketId push = openWithPeer(SocketType::Push, false, peer, u"PULL"_s);
    QVERIFY2(push != 0, qPrintable(peer.error()));

    ComposerWidget *composer = m_window->composer();
    QVERIFY(composer->setCurrentSocket(push));
    auto *id = composer->findChild<QLineEdit *>(u"idEdit"_s);
    auto *mimetype = composer->findChild<QComboBox *>(u"mimetypeCombo"_s);
    auto *body = composer->findChild<QPlainTextEdit *>(u"bodyEdit"_s);
    QVERIFY(id && mimetype && body);
    // QVERIFY() above returned if one was null; the analyzer cannot see that QTest::qVerify() returns its
    // argument.
    QVERIFY(mimetype->isEditable()); // NOLINT(clang-analyzer-core.CallAndMessage)
    id->clear();
    QTest::keyClicks(id, u"order-42"_s);
    mimetype->setEditText(QString());
    QTest::keyClicks(mimetype->lineEdit(), u"application/json"_s);
    body->clear();
    QTest::keyClicks(body, u"{\"qty\": 3, \"item\": \"caf"_s);
    body->insertPlainText(u"\u00e9\"}"_s); // QTest types ASCII only

    QVERIFY(sendWithShortcut());
    const std::optional<Frames> received = peer.receive(NetworkTimeoutMs);
    QVERIFY(received);
    const Frames expected { "order-42", "application/json",
        QString(u"{\"qty\": 3, \"item\": \"caf\u00e9\"}"_s).toUtf8() };
    QCOMPARE(*received, expected);

    // The sent message is in the table as "out".
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 1);
    QCOMPARE(cell(0, MessageTableModel::DirectionColumn), u"out"_s);
    QCOMPARE(cell(0, MessageTableModel::IdColumn), u"order-42"_s);
    // And nothing more went out.
    bool timedOut = false;
    QVERIFY(!peer.receive(300, &timedOut));
    QVERIFY(timedOut);
}

void TestMainWindow::replyOnRouterGoesToEachPeer()
{
    const SocketId router = openThroughDialog(SocketType::Router, true, u"tcp://127.0.0.1:*"_s);
    QVERIFY(router != 0);
    PythonPeer alice;
    PythonPeer bob;
    QVERIFY2(alice.start(u"REQ"_s, u"connect"_s, boundEndpoint(router)), qPrintable(alice.error()));
    QVERIFY2(bob.start(u"REQ"_s, u"connect"_s, boundEndpoint(router)), qPrintable(bob.error()));
    QVERIFY(alice.send({ "ask-alice", "text/plain", "from alice" }));
    QVERIFY(bob.send({ "ask-bob", "text/plain", "from bob" }));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->messagesPane()->model()->totalRows(), 2, NetworkTimeoutMs);
    // ROUTER prepends each peer's routing id; REQ adds the delimiter: both are routed envelopes.
    const int aliceRow = rowWithId(u"ask-alice"_s);
    const int bobRow = rowWithId(u"ask-bob"_s);
    QVERIFY(aliceRow >= 0 && bobRow >= 0);
    QVERIFY(!cell(aliceRow, MessageTableModel::RouteColumn).isEmpty());
    QVERIFY(cell(aliceRow, MessageTableModel::RouteColumn) != cell(bobRow, MessageTableModel::RouteColumn));

    auto *body = m_window->composer()->findChild<QPlainTextEdit *>(u"bodyEdit"_s);
    auto *id = m_window->composer()->findChild<QLineEdit *>(u"idEdit"_s);
    QVERIFY(body && id);

    // Answer bob first, so a reply cannot reach the right peer by mere order.
    QVERIFY(clickRow(bobRow));
    QTRY_VERIFY(m_window->action(MainWindow::Action::Reply)->isEnabled());
    QTest::keyClick(m_window->messagesPane()->table(), Qt::Key_R, Qt::ControlModifier);
    QTRY_COMPARE(m_window->composer()->currentSocket(), router);
    QCOMPARE(id->text(), u"ask-bob"_s);
    body->clear();
    QTest::keyClicks(body, u"answer for bob"_s);
    QVERIFY(sendWithShortcut());
    std::optional<Frames> got = bob.receive(NetworkTimeoutMs);
    QVERIFY(got);
    QCOMPARE(got->size(), 3);
    QCOMPARE(got->at(0), QByteArray("ask-bob"));
    QCOMPARE(got->at(2), QByteArray("answer for bob"));
    bool timedOut = false;
    QVERIFY(!alice.receive(300, &timedOut));
    QVERIFY(timedOut);

    QVERIFY(clickRow(aliceRow));
    QTest::keyClick(m_window->messagesPane()->table(), Qt::Key_R, Qt::ControlModifier);
    QTRY_COMPARE(id->text(), u"ask-alice"_s);
    body->clear();
    QTest::keyClicks(body, u"answer for alice"_s);
    QVERIFY(sendWithShortcut());
    got = alice.receive(NetworkTimeoutMs);
    QVERIFY(got);
    QCOMPARE(*got, Frames({ "ask-alice", got->at(1), "answer for alice" }));
    QVERIFY(!bob.receive(300, &timedOut));
    QVERIFY(timedOut);

    // Reply is only for received messages: not on our own sent rows.
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 4);
    QVERIFY(clickRow(3));
    QCOMPARE(cell(3, MessageTableModel::DirectionColumn), u"out"_s);
    QTRY_VERIFY(!m_window->action(MainWindow::Action::Reply)->isEnabled());
}

void TestMainWindow::editAndResendFromTheTable()
{
    PythonPeer peer;
    const SocketId push = openWithPeer(SocketType::Push, false, peer, u"PULL"_s);
    QVERIFY2(push != 0, qPrintable(peer.error()));
    m_engine->send(push, { "order-7", "text/plain", "first" });
    QVERIFY(peer.receive(NetworkTimeoutMs));
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 1);
    ComposerWidget *composer = m_window->composer();
    auto *id = composer->findChild<QLineEdit *>(u"idEdit"_s);
    auto *body = composer->findChild<QPlainTextEdit *>(u"bodyEdit"_s);
    QVERIFY(id && body);

    // The sent row goes back into the composer, from the table's context menu or its shortcut.
    auto *editResend = m_window->findChild<QAction *>(u"editResendAction"_s);
    QVERIFY(editResend);
    QVERIFY(m_window->messagesPane()->table()->actions().contains(editResend));
    id->clear();
    body->setPlainText(u"something else"_s);
    QVERIFY(clickRow(0));
    QTRY_VERIFY(editResend->isEnabled());
    QTest::keyClick(m_window->messagesPane()->table(), Qt::Key_D, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_COMPARE(body->toPlainText(), u"first"_s);
    QCOMPARE(id->text(), u"order-7"_s);
    QCOMPARE(composer->currentSocket(), push);

    // Edited and sent again.
    body->setPlainText(u"second"_s);
    QVERIFY(sendWithShortcut());
    const std::optional<Frames> again = peer.receive(NetworkTimeoutMs);
    QVERIFY(again);
    QCOMPARE(*again, (Frames { "order-7", "text/plain", "second" }));
}

void TestMainWindow::untrustedDataIsShownLiterally()
{
    PythonPeer peer;
    const SocketId pull = openWithPeer(SocketType::Pull, true, peer, u"PUSH"_s);
    QVERIFY2(pull != 0, qPrintable(peer.error()));
    const QByteArray html = "<b>x</b><img src=file:///etc/passwd>";
    QVERIFY(peer.send({ html, "text/html", html }));
    const QByteArray deep = QByteArray(5000, '[') + QByteArray(5000, ']');
    QVERIFY(peer.send({ "deep", "application/json", deep }));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->messagesPane()->model()->totalRows(), 2, NetworkTimeoutMs);

    QCOMPARE(cell(0, MessageTableModel::IdColumn), QString::fromUtf8(html));
    QCOMPARE(cell(0, MessageTableModel::PreviewColumn), QString::fromUtf8(html));
    QVERIFY(clickRow(0));
    MessageDetailView *detail = m_window->detailView();
    QTRY_VERIFY(detail->hasMessage());
    QVERIFY(detail->setCurrentTab(MessageDetailView::TextTab));
    auto *text = detail->findChild<QPlainTextEdit *>(u"textEdit"_s);
    QVERIFY(text);
    QTRY_COMPARE(text->toPlainText(), QString::fromUtf8(html));
    // Wherever the payload shows in a label, it is plain text; no tool tip carries it as markup.
    const QList<QWidget *> widgets = m_window->findChildren<QWidget *>();
    for (QWidget *widget : widgets) {
        if (auto *label = qobject_cast<QLabel *>(widget); label && label->text().contains(u"<b>x</b>"_s))
            QVERIFY2(label->textFormat() == Qt::PlainText, qPrintable(label->objectName()));
        QVERIFY2(!widget->toolTip().contains(u"<img src"_s), qPrintable(widget->objectName()));
    }

    // 5,000 levels of JSON: the JSON view reports it, Text and Hex still show the body.
    QVERIFY(clickRow(1));
    QTRY_COMPARE(detail->message().frames.value(0), QByteArray("deep"));
    QVERIFY(detail->isTabEnabled(MessageDetailView::TextTab));
    QVERIFY(detail->isTabEnabled(MessageDetailView::HexTab));
    QVERIFY(detail->setCurrentTab(MessageDetailView::TextTab));
    QTRY_VERIFY(text->toPlainText().startsWith(u"[[[[[[[["_s));
    if (detail->setCurrentTab(MessageDetailView::JsonTab)) {
        auto *jsonMessage = detail->findChild<QLabel *>(u"jsonMessage"_s);
        QVERIFY(jsonMessage);
        QTRY_VERIFY(jsonMessage->isVisible() && !jsonMessage->text().isEmpty());
    } else {
        QVERIFY(!detail->tabDisabledReason(MessageDetailView::JsonTab).isEmpty());
    }
    QVERIFY(detail->setCurrentTab(MessageDetailView::HexTab));
}

void TestMainWindow::bigBodyOpensInHexView()
{
    PythonPeer peer;
    const SocketId pull = openWithPeer(SocketType::Pull, true, peer, u"PUSH"_s);
    QVERIFY2(pull != 0, qPrintable(peer.error()));
    constexpr qsizetype BigSize = qsizetype(64) << 20;
    QVERIFY(peer.send({ "big", "application/octet-stream", "" }, std::pair<int, qsizetype>(2, BigSize)));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->messagesPane()->model()->totalRows(), 1, 30000);
    QCOMPARE(cell(0, MessageTableModel::SizeColumn), u"64.0 MiB"_s);
    QVERIFY(cell(0, MessageTableModel::PreviewColumn).startsWith(u"00 01 02 03"_s));

    QVERIFY(clickRow(0));
    MessageDetailView *detail = m_window->detailView();
    QTRY_VERIFY(detail->hasMessage());
    QVERIFY(detail->setCurrentTab(MessageDetailView::HexTab));
    auto *hex = detail->findChild<HexView *>(u"hexView"_s);
    QVERIFY(hex);
    QTRY_COMPARE(hex->data().size(), BigSize);
    QVERIFY(hex->isVisible());
    QCOMPARE(hex->lineCount(), BigSize / HexView::BytesPerLine);
    QVERIFY(hex->lastVisibleLine() > 0);
    QVERIFY2(hex->lineText(0).startsWith(u"00000000"_s), qPrintable(hex->lineText(0)));
    QVERIFY2(hex->lineText(0).contains(u"00 01 02 03"_s), qPrintable(hex->lineText(0)));
    hex->scrollToLine(hex->lineCount() - 1);
    QVERIFY(hex->lastVisibleLine() == hex->lineCount() - 1);
}

void TestMainWindow::autoScrollAndPause()
{
    MessagesPane *pane = m_window->messagesPane();
    QTableView *table = pane->table();
    for (int i = 0; i < 500; ++i)
        m_store->append(
            1, Direction::In, MessageStore::nowUs(), { "m" + QByteArray::number(i), "text/plain", "x" });
    m_window->refreshViews();
    QVERIFY(pane->isFollowing());
    QCOMPARE(table->verticalScrollBar()->value(), table->verticalScrollBar()->maximum());
    QVERIFY(table->verticalScrollBar()->maximum() > 0);

    // Scrolling up stops following; rows keep arriving without moving the view to the end.
    table->setFocus();
    QTest::keyClick(table, Qt::Key_PageUp);
    QVERIFY(!pane->isFollowing());
    QVERIFY(clickRow(pane->model()->rowCount() - 40));
    const std::uint64_t selected = *pane->currentSeq();
    for (int i = 0; i < 100; ++i)
        m_store->append(
            1, Direction::In, MessageStore::nowUs(), { "n" + QByteArray::number(i), "text/plain", "y" });
    m_window->refreshViews();
    QCOMPARE(pane->model()->totalRows(), 600);
    QCOMPARE(pane->model()->seqAt(table->currentIndex().row()), selected);
    QVERIFY(table->verticalScrollBar()->value() < table->verticalScrollBar()->maximum());

    // End resumes following.
    QTest::keyClick(table, Qt::Key_End);
    QVERIFY(pane->isFollowing());
    QVERIFY(m_window->action(MainWindow::Action::Follow)->isChecked());
    QCOMPARE(table->verticalScrollBar()->value(), table->verticalScrollBar()->maximum());
    QCOMPARE(pane->model()->seqAt(table->currentIndex().row()), selected); // the selection stays

    // Pause: rows stop coming, the store keeps everything, the status bar says how many wait.
    m_window->action(MainWindow::Action::Pause)->trigger();
    for (int i = 0; i < 20; ++i)
        m_store->append(1, Direction::In, MessageStore::nowUs(), { "p", "text/plain", "z" });
    m_window->refreshViews();
    QCOMPARE(pane->model()->totalRows(), 600);
    QCOMPARE(m_store->size(), std::uint64_t(620));
    QVERIFY(uitest::pausedLabel(*m_window)->isVisible());
    QCOMPARE(uitest::pausedLabel(*m_window)->text(), u"paused, 20 new"_s);
    m_window->action(MainWindow::Action::Pause)->trigger();
    QCOMPARE(pane->model()->totalRows(), 620);
    QVERIFY(!uitest::pausedLabel(*m_window)->isVisible());
}

void TestMainWindow::selectionSurvivesFilterAndEviction()
{
    MessageStore::Limits limits;
    limits.maxMessages = 64; // evicted in chunks of 4
    m_store->setLimits(limits);
    MessagesPane *pane = m_window->messagesPane();
    const auto append = [this](int first, int count) {
        for (int i = first; i < first + count; ++i)
            m_store->append(1, Direction::In, MessageStore::nowUs(),
                { "m" + QByteArray::number(i), "text/plain", i % 2 ? "odd" : "even" });
    };
    append(0, 40);
    m_window->refreshViews();
    QVERIFY(clickRow(rowWithId(u"m31"_s)));
    const std::uint64_t selected = *pane->currentSeq();

    // A filter that keeps it: still selected. One that drops it and back: selected again.
    QLineEdit *filter = pane->filterBar()->textEdit();
    filter->setText(u"odd"_s);
    QTest::keyClick(filter, Qt::Key_Return);
    QTRY_COMPARE(pane->model()->totalRows(), 20);
    QCOMPARE(pane->model()->seqAt(pane->table()->currentIndex().row()), selected);
    filter->setText(u"even"_s);
    QTest::keyClick(filter, Qt::Key_Return);
    QTRY_COMPARE(pane->model()->totalRows(), 20);
    QVERIFY(!pane->table()->currentIndex().isValid());
    filter->clear();
    QTest::keyClick(filter, Qt::Key_Return);
    QTRY_COMPARE(pane->model()->totalRows(), 40);
    QTRY_COMPARE(pane->model()->seqAt(pane->table()->currentIndex().row()), selected);

    // Old rows are evicted around it: the selection stays on its message.
    append(40, 28);
    m_window->refreshViews();
    QVERIFY(m_store->firstSeq() > 0);
    QCOMPARE(pane->model()->seqAt(pane->table()->currentIndex().row()), selected);
    QCOMPARE(m_window->detailView()->message().seq, selected);

    // It is evicted itself: no other message becomes selected, the detail keeps showing it.
    append(68, 30); // evicts it, but not every row shown
    m_window->refreshViews();
    QVERIFY(m_store->firstSeq() > selected);
    QVERIFY(!pane->table()->currentIndex().isValid());
    QCOMPARE(m_window->detailView()->message().seq, selected);
    QCOMPARE(m_window->detailView()->message().frames.value(0), QByteArray("m31"));
}

void TestMainWindow::clearDropsMessages()
{
    appendMessages(10);
    QCOMPARE(m_window->messagesPane()->model()->totalRows(), 10);
    const BoxSeen seen = answerMessageBox(
        [&] { QTest::keyClick(m_window->messagesPane()->table(), Qt::Key_L, Qt::ControlModifier); },
        u"acceptButton"_s, false);
    QVERIFY(seen.shown);
    QCOMPARE(m_window->messagesPane()->model()->totalRows(), 0);
    QCOMPARE(m_store->size(), std::uint64_t(0));
    QVERIFY(uitest::statusLabel(*m_window)->text().startsWith(u"0 kept"_s));
}

void TestMainWindow::clearAsksFirst()
{
    appendMessages(10);
    QVERIFY(clickRow(4));
    QTRY_VERIFY(m_window->detailView()->hasMessage());
    const auto clear
        = [&] { QTest::keyClick(m_window->messagesPane()->table(), Qt::Key_L, Qt::ControlModifier); };

    // Cancelled: nothing is lost.
    BoxSeen seen = answerMessageBox(clear, QString(), true);
    QVERIFY(seen.shown);
    QVERIFY2(seen.text.contains(u"10"_s), qPrintable(seen.text));
    QCOMPARE(m_store->size(), std::uint64_t(10));
    QCOMPARE(m_window->messagesPane()->model()->totalRows(), 10);
    QVERIFY(m_window->detailView()->hasMessage());

    // Accepted, "Don't ask again" ticked: the messages go, and the detail pane with them.
    seen = answerMessageBox(clear, u"acceptButton"_s, true);
    QVERIFY(seen.shown);
    QCOMPARE(m_store->size(), std::uint64_t(0));
    QCOMPARE(m_window->messagesPane()->model()->totalRows(), 0);
    QVERIFY(!m_window->detailView()->hasMessage());

    // Not asked again.
    appendMessages(3);
    seen = answerMessageBox(clear, QString(), false);
    QVERIFY(!seen.shown);
    QCOMPARE(m_store->size(), std::uint64_t(0));

    // Edit > Preferences turns the question back on; with nothing to lose it is not asked anyway.
    Preferences preferences = Preferences::load();
    QVERIFY(!preferences.confirmClear);
    QVERIFY(preferences.confirmQuit);
    preferences.confirmClear = true;
    preferences.save();
    seen = answerMessageBox(clear, QString(), false);
    QVERIFY(!seen.shown);
    appendMessages(2);
    seen = answerMessageBox(clear, QString(), false);
    QVERIFY(seen.shown);
    QCOMPARE(m_store->size(), std::uint64_t(2));
}

void TestMainWindow::quitAsksWhileSocketsAreOpen()
{
    QAction *quit = m_window->action(MainWindow::Action::Quit);
    SocketSpec pull;
    pull.name = u"sink"_s;
    pull.type = SocketType::Pull;
    pull.binds = { u"inproc://tst-mainwindow-quit"_s };
    m_window->openSocket(pull);
    QTRY_COMPARE(uitest::socketModel(*m_window)->socketAt(0).state, SocketState::Listening);

    BoxSeen seen = answerMessageBox([&] { quit->trigger(); }, QString(), true);
    QVERIFY(seen.shown);
    QVERIFY2(seen.text.contains(u"1 socket is open"_s), qPrintable(seen.text));
    QVERIFY(m_window->isVisible());

    seen = answerMessageBox([&] { quit->trigger(); }, u"acceptButton"_s, true);
    QVERIFY(seen.shown);
    QVERIFY(!m_window->isVisible());

    // Told not to ask again: closing goes through.
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    seen = answerMessageBox([&] { m_window->close(); }, QString(), false);
    QVERIFY(!seen.shown);
    QVERIFY(!m_window->isVisible());
}

void TestMainWindow::quitAsksWhileRecording()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"session.zmqcap"_s);
    QSignalSpy started(m_engine.get(), &Engine::recordingStarted);
    m_window->captureController()->startRecording(
        RecordingOptions { CaptureWriterOptions { path, 0, 0, {} }, {} });
    QVERIFY(started.wait(NetworkTimeoutMs));

    const BoxSeen seen = answerMessageBox([&] { m_window->close(); }, QString(), false);
    QVERIFY(seen.shown);
    QVERIFY2(
        seen.text.contains(u"recording"_s) && seen.text.contains(u"session.zmqcap"_s), qPrintable(seen.text));
    QVERIFY(m_window->isVisible());
    QVERIFY(m_engine->recordingStatus().active);
}

void TestMainWindow::copyCopiesEverySelectedRow()
{
    appendMessages(30);
    QTableView *table = m_window->messagesPane()->table();
    // Picked out of order, with Ctrl held as a user does.
    QVERIFY(clickRow(12));
    for (const int row : { 3, 7 }) {
        const QModelIndex index = table->model()->index(row, MessageTableModel::IdColumn);
        table->scrollTo(index);
        QTest::mouseClick(
            table->viewport(), Qt::LeftButton, Qt::ControlModifier, table->visualRect(index).center());
    }
    QCOMPARE(m_window->messagesPane()->selectedSeqs().size(), std::size_t(3));
    QGuiApplication::clipboard()->clear();
    QTest::keyClick(table, Qt::Key_C, Qt::ControlModifier);

    const QStringList lines = QGuiApplication::clipboard()->text().split(u'\n');
    QCOMPARE(lines.size(), 3);
    const int rows[] = { 3, 7, 12 };
    for (int i = 0; i < 3; ++i) {
        QStringList expected;
        for (int column = 0; column < MessageTableModel::ColumnCount; ++column)
            expected.append(cell(rows[i], column));
        QCOMPARE(lines.at(i), expected.join(u'\t'));
    }
}

void TestMainWindow::fitsSmallScreens_data()
{
    // What a window gets of a 1024x600 netbook screen and of 1920x1080 at 200 %, less a title bar and
    // a panel.
    QTest::addColumn<QSize>("screen");
    QTest::newRow("1024x600") << QSize(1024, 600);
    QTest::newRow("1920x1080 at 200%") << QSize(1920 / 2, 1080 / 2);
}

void TestMainWindow::fitsSmallScreens()
{
    QFETCH(QSize, screen);
    const int decorations = 2 * m_window->style()->pixelMetric(QStyle::PM_TitleBarHeight);
    const QSize available(screen.width(), screen.height() - decorations);
    const QSize minimum = m_window->minimumSizeHint().expandedTo(m_window->minimumSize());
    QVERIFY2(minimum.width() <= available.width() && minimum.height() <= available.height(),
        qPrintable(u"minimum %1x%2, available %3x%4"_s.arg(minimum.width())
                       .arg(minimum.height())
                       .arg(available.width())
                       .arg(available.height())));

    // A first start on that screen: the window takes what there is and lays its docks out for it.
    m_window->resize(available);
    QTRY_COMPARE(m_window->size(), available);
    m_window->resetLayout();
    QCoreApplication::processEvents();
    const auto inWindow = [&](QWidget *widget) { return isShownIn(*m_window, widget); };
    auto *send = m_window->composer()->findChild<QPushButton *>(u"sendButton"_s);
    QVERIFY(send);
    // Where the Composer is taller than its dock can be (200 % scale), it scrolls: Send is a scroll away.
    QWidget *composer = m_window->composer();
    auto *area = qobject_cast<QScrollArea *>(composer->parentWidget()->parentWidget());
    if (area && composer->height() > area->viewport()->height()) {
        area->ensureWidgetVisible(send);
        QCoreApplication::processEvents();
    }
    QVERIFY2(inWindow(send), "the composer's Send button is cut off");
    // Its whole height shows (a scroll area could show its top pixel row only).
    QCOMPARE(send->visibleRegion().boundingRect().size(), send->size());
    QVERIFY2(inWindow(uitest::socketView(*m_window)), "the Sockets panel is cut off");
    QVERIFY(uitest::socketView(*m_window)->viewport()->height() > 0);
    QVERIFY2(inWindow(m_window->statusBar()), "the status bar is cut off");
    QVERIFY2(inWindow(uitest::statusLabel(*m_window)), "the retention status is cut off");
    QVERIFY2(inWindow(m_window->messagesPane()->table()), "the messages table is cut off");

    // A picked message shows in the Detail, wherever it is docked.
    appendMessages(3);
    QVERIFY(clickRow(1));
    QTRY_VERIFY2(inWindow(m_window->detailView()), "the Detail pane does not show");
}

bool TestMainWindow::isShownIn(const MainWindow &window, QWidget *widget)
{
    if (!widget || !widget->isVisible() || widget->visibleRegion().isEmpty())
        return false;
    return window.rect().contains(QRect(widget->mapTo(&window, QPoint(0, 0)), widget->size()));
}

void TestMainWindow::firstStartFitsTheScreen()
{
    // No saved settings: the window takes most of the screen and lays its docks out for that size.
    MainWindow fresh(*m_engine);
    fresh.setSaveSettingsOnClose(false);
    fresh.restoreSettings();
    fresh.show();
    QVERIFY(QTest::qWaitForWindowExposed(&fresh));
    // The offscreen screen is 800x600 device pixels: with a large font DPI it can be smaller than any
    // screen the window is made for (fitsSmallScreens() checks those); then only the layout is checked.
    const QRect available = fresh.screen()->availableGeometry();
    const QSize minimum = fresh.minimumSizeHint();
    if (minimum.width() <= available.width() && minimum.height() <= available.height()) {
        QVERIFY2(fresh.width() <= available.width() && fresh.height() <= available.height(),
            qPrintable(u"%1x%2 on %3x%4"_s.arg(fresh.width())
                           .arg(fresh.height())
                           .arg(available.width())
                           .arg(available.height())));
    }
    auto *send = fresh.composer()->findChild<QPushButton *>(u"sendButton"_s);
    QVERIFY(send);
    // Where the Composer can fit whole in the right column (its minimum width, and its minimum height
    // with a dock title and a tab bar, a line of text each), nothing of it is scrolled away; else Send
    // is a scroll away.
    const int column = fresh.statusBar()->geometry().top() - fresh.centralWidget()->geometry().top();
    QTRY_VERIFY(fresh.composer()->isVisible());
    auto *area = qobject_cast<QScrollArea *>(fresh.composer()->parentWidget()->parentWidget());
    QVERIFY(area);
    const QSize composerMinimum = fresh.composer()->minimumSizeHint();
    if (area->viewport()->width() >= composerMinimum.width()
        && composerMinimum.height() + 3 * fresh.fontMetrics().height() <= column) {
        QTRY_VERIFY2(isShownIn(fresh, send), "the composer's Send button is cut off");
    } else {
        area->ensureWidgetVisible(send);
        QCoreApplication::processEvents();
        QVERIFY2(isShownIn(fresh, send), "the composer's Send button is out of reach");
    }
    QCOMPARE(send->visibleRegion().boundingRect().size(), send->size());
    QVERIFY2(isShownIn(fresh, uitest::socketView(fresh)), "the Sockets panel is cut off");
    QVERIFY2(isShownIn(fresh, fresh.statusBar()), "the status bar is cut off");
}

void TestMainWindow::socketCountsStayInView_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1600x1000") << QSize(1600, 1000);
    QTest::newRow("1366x768 less a panel") << QSize(1366 * 92 / 100, 768 * 92 / 100);
    QTest::newRow("1024x600 less a title bar") << QSize(1024, 552);
}

void TestMainWindow::socketCountsStayInView()
{
    QFETCH(QSize, size);
    m_window->resize(size);
    QTRY_COMPARE(m_window->size(), size);
    m_window->resetLayout();
    QCoreApplication::processEvents();

    // At the default layout, the state, the counts and the rate are in view, not scrolled off to the right.
    QTreeView *view = uitest::socketView(*m_window);
    const QAbstractItemView *items = view; // sizeHintForColumn() is public there
    QHeaderView *header = view->header();
    for (const int column : { SocketListModel::NameColumn, SocketListModel::StateColumn,
             SocketListModel::InColumn, SocketListModel::OutColumn, SocketListModel::RateColumn }) {
        const int left = header->sectionViewportPosition(column);
        QVERIFY2(left >= 0 && left + header->sectionSize(column) <= view->viewport()->width(),
            qPrintable(u"column %1 at %2..%3 of %4"_s.arg(column)
                           .arg(left)
                           .arg(left + header->sectionSize(column))
                           .arg(view->viewport()->width())));
    }

    // Counts wider than their column (as "2,000,011" was at the default width) widen the column instead
    // of losing digits to an ellipsis. Here the columns start narrower than any count.
    header->setMinimumSectionSize(1);
    for (const int column : { SocketListModel::InColumn, SocketListModel::OutColumn })
        header->resizeSection(column, 1);
    SocketSpec pull;
    pull.name = u"sink"_s;
    pull.type = SocketType::Pull;
    pull.binds = { u"inproc://tst-mainwindow-counts"_s };
    const SocketId pullId = m_window->openSocket(pull);
    SocketSpec push;
    push.name = u"source"_s;
    push.type = SocketType::Push;
    push.connects = { u"inproc://tst-mainwindow-counts"_s };
    const SocketId pushId = m_window->openSocket(push);
    for (int i = 0; i < 12; ++i)
        m_engine->send(pushId, Envelope::create("text/plain", "hello").transferObject());
    const int row = uitest::socketModel(*m_window)->rowForSocket(pullId);
    QTRY_COMPARE(
        uitest::socketModel(*m_window)->index(row, SocketListModel::InColumn).data().toString(), u"12"_s);
    QTRY_COMPARE(uitest::socketModel(*m_window)
                     ->index(uitest::socketModel(*m_window)->rowForSocket(pushId), SocketListModel::OutColumn)
                     .data()
                     .toString(),
        u"12"_s);
    for (const int column : { SocketListModel::InColumn, SocketListModel::OutColumn }) {
        const QString text = uitest::socketModel(*m_window)->index(row, column).data().toString();
        QVERIFY2(header->sectionSize(column) >= items->sizeHintForColumn(column)
                && header->sectionSize(column) > view->fontMetrics().horizontalAdvance(text),
            qPrintable(u"column %1: %2 px for \"%3\", which needs %4"_s.arg(column)
                           .arg(header->sectionSize(column))
                           .arg(text)
                           .arg(items->sizeHintForColumn(column))));
    }
}

void TestMainWindow::timeColumnChoiceIsRemembered()
{
    const std::int64_t start = MessageStore::nowUs();
    for (const std::int64_t offsetUs : { 0, 1'500'000, 1'750'000 })
        m_store->append(1, Direction::In, start + offsetUs, { "t", "text/plain", "x" });
    m_window->refreshViews();
    const auto timeCells = [&] {
        return QStringList { cell(0, MessageTableModel::TimeColumn), cell(1, MessageTableModel::TimeColumn),
            cell(2, MessageTableModel::TimeColumn) };
    };
    QVERIFY(timeCells().at(0).contains(u':')); // time of day by default

    QAction *sincePrevious = m_window->findChild<QAction *>(u"timeSincePreviousAction"_s);
    QVERIFY(sincePrevious);
    sincePrevious->trigger();
    QCOMPARE(timeCells(), QStringList({ u"0.000000"_s, u"+1.500000"_s, u"+0.250000"_s }));
    QAction *sinceFirst = m_window->findChild<QAction *>(u"timeSinceFirstAction"_s);
    QVERIFY(sinceFirst);
    sinceFirst->trigger();
    QCOMPARE(timeCells(), QStringList({ u"0.000000"_s, u"1.500000"_s, u"1.750000"_s }));
    QVERIFY(sinceFirst->isChecked());

    // The next window starts with the same choice.
    MainWindow second(*m_engine);
    second.setSaveSettingsOnClose(false);
    second.refreshViews();
    QVERIFY(second.findChild<QAction *>(u"timeSinceFirstAction"_s)->isChecked());
    QCOMPARE(second.messagesPane()->model()->index(2, MessageTableModel::TimeColumn).data().toString(),
        u"1.750000"_s);
}

void TestMainWindow::filterOnThisIdMimetypeAndSocket()
{
    // Right-click > Filter on This Id: an expression that matches exactly that id (quotes and a
    // binary byte escaped), in the box, applied, among the recent filters.
    const std::int64_t now = MessageStore::nowUs();
    m_store->append(1, Direction::In, now, { "order \"7\"\x01", "application/json", "{}" });
    m_store->append(1, Direction::In, now + 1, { "order \"7\"", "text/plain", "x" });
    m_store->append(1, Direction::In, now + 2, { "other", "application/json", "{}" });
    m_window->refreshViews();
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 3);
    QVERIFY(clickRow(0));
    QTRY_VERIFY(m_window->detailView()->hasMessage());
    QTableView *table = m_window->messagesPane()->table();
    const auto action = [table](const QString &name) {
        for (QAction *one : table->actions()) {
            if (one->objectName() == name)
                return one;
        }
        return static_cast<QAction *>(nullptr);
    };
    QAction *byId = action(u"filterOnIdAction"_s);
    QAction *byMimetype = action(u"filterOnMimetypeAction"_s);
    QVERIFY(byId && byMimetype && action(u"filterOnSocketAction"_s));
    byId->trigger();
    QLineEdit *box = m_window->messagesPane()->filterBar()->textEdit();
    QCOMPARE(box->text(), u"id == \"order \\\"7\\\"\\x01\""_s);
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 1);
    QCOMPARE(m_window->messagesPane()->filterBar()->history().value(0), box->text());

    byMimetype->trigger();
    QCOMPARE(box->text(), u"mimetype == \"application/json\""_s);
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 2);
}

void TestMainWindow::layoutIsSavedAndRestored()
{
    QDockWidget *events = m_window->findChild<QDockWidget *>(u"eventsDock"_s);
    QVERIFY(events);
    events->hide();
    m_window->messagesPane()->table()->setColumnWidth(MessageTableModel::IdColumn, 333);
    m_window->saveSettings();

    MainWindow second(*m_engine);
    second.setSaveSettingsOnClose(false);
    second.restoreSettings();
    second.show();
    QVERIFY(QTest::qWaitForWindowExposed(&second));
    QVERIFY(second.findChild<QDockWidget *>(u"eventsDock"_s)->isHidden());
    QCOMPARE(second.messagesPane()->table()->columnWidth(MessageTableModel::IdColumn), 333);

    // A layout saved by another version of the docks is not applied.
    QSettings settings;
    settings.setValue(u"MainWindow/state"_s, m_window->saveState(MainWindow::LayoutVersion + 1));
    MainWindow third(*m_engine);
    third.setSaveSettingsOnClose(false);
    third.restoreSettings();
    third.show();
    QVERIFY(QTest::qWaitForWindowExposed(&third));
    QVERIFY(!third.findChild<QDockWidget *>(u"eventsDock"_s)->isHidden());
    QSettings().clear();
}

void TestMainWindow::workspaceRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    SocketSpec sub;
    sub.name = u"prices"_s;
    sub.type = SocketType::Sub;
    sub.connects = { u"tcp://127.0.0.1:1"_s };
    sub.subscriptions = { "EUR", "USD" };
    m_window->openSocket(sub);
    SocketSpec pull;
    pull.name = u"sink"_s;
    pull.type = SocketType::Pull;
    pull.binds = { u"inproc://tst-mainwindow-workspace"_s };
    m_window->openSocket(pull);
    QCOMPARE(uitest::socketModel(*m_window)->rowCount(), 2);

    const QString file = dir.filePath(u"session.zmqscope"_s);
    const zmqscope::Result<void> saved = m_window->saveWorkspace(file);
    QVERIFY2(saved, qPrintable(saved.errorMessage()));

    MessageStore store;
    Engine engine(store);
    MainWindow other(engine);
    const zmqscope::Result<void> opened = other.openWorkspace(file);
    QVERIFY2(opened, qPrintable(opened.errorMessage()));
    QCOMPARE(uitest::socketModel(other)->rowCount(), 2);
    const SocketInfo prices = uitest::socketModel(other)->socketAt(0);
    QCOMPARE(prices.spec.name, u"prices"_s);
    QCOMPARE(prices.spec.type, SocketType::Sub);
    QCOMPARE(prices.spec.subscriptions, QList<QByteArray>({ "EUR", "USD" }));
    QCOMPARE(uitest::socketModel(other)->socketAt(1).spec.binds,
        QStringList { u"inproc://tst-mainwindow-workspace"_s });

    // A broken file: nothing opened, the error names the file.
    const QString broken = dir.filePath(u"broken.zmqscope"_s);
    QFile out(broken);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("{ not json");
    out.close();
    const zmqscope::Result<void> failed = other.openWorkspace(broken);
    QVERIFY(!failed);
    QCOMPARE(failed.error().code(), zmqscope::ErrorCode::InvalidBody);
    QVERIFY2(failed.errorMessage().contains(u"broken.zmqscope"_s), qPrintable(failed.errorMessage()));

    // A folder that does not exist: nothing written, the error names the file.
    const QString unwritable = dir.filePath(u"no-such-folder/session.zmqscope"_s);
    const zmqscope::Result<void> refused = m_window->saveWorkspace(unwritable);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code(), zmqscope::ErrorCode::FileError);
    QVERIFY2(refused.errorMessage().contains(QDir::toNativeSeparators(unwritable)),
        qPrintable(refused.errorMessage()));
    QCOMPARE(uitest::socketModel(other)->rowCount(), 2);
}

void TestMainWindow::closeAndReopenSocket()
{
    PythonPeer peer;
    const SocketId pull = openWithPeer(SocketType::Pull, false, peer, u"PUSH"_s);
    QVERIFY2(pull != 0, qPrintable(peer.error()));
    QTreeView *sockets = uitest::socketView(*m_window);
    sockets->setCurrentIndex(uitest::socketModel(*m_window)->index(0, 0));
    QVERIFY(m_window->action(MainWindow::Action::CloseSocket)->isEnabled());
    QVERIFY(!m_window->action(MainWindow::Action::ReopenSocket)->isEnabled());
    m_window->action(MainWindow::Action::CloseSocket)->trigger();
    QTRY_COMPARE(uitest::socketModel(*m_window)->socketAt(0).state, SocketState::Closed);
    QTRY_VERIFY(m_window->action(MainWindow::Action::ReopenSocket)->isEnabled());
    QVERIFY(!m_window->action(MainWindow::Action::CloseSocket)->isEnabled());

    m_window->action(MainWindow::Action::ReopenSocket)->trigger();
    QCOMPARE(uitest::socketModel(*m_window)->rowCount(), 1);
    const SocketInfo reopened = uitest::socketModel(*m_window)->socketAt(0);
    QVERIFY(reopened.id != pull);
    QCOMPARE(reopened.spec.connects, QStringList { peer.endpoint() });
    QTRY_COMPARE_WITH_TIMEOUT(
        uitest::socketModel(*m_window)->socketAt(0).state, SocketState::Connected, NetworkTimeoutMs);
    // It works: a message from the peer arrives on the new socket.
    QVERIFY(peer.send({ "again", "text/plain", "after reopening" }));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->messagesPane()->model()->totalRows(), 1, NetworkTimeoutMs);
    QCOMPARE(cell(0, MessageTableModel::SocketColumn), reopened.spec.name);
}

void TestMainWindow::aboutNamesVersions()
{
    // The About box is modal: read and close it from a timer inside its event loop.
    QString text;
    int tries = 0;
    QTimer poll;
    poll.setInterval(50);
    connect(&poll, &QTimer::timeout, this, [&] {
        QWidget *box = QApplication::activeModalWidget();
        if (!box) {
            // Never hang here: after a while close whatever is open so the test can fail.
            if (++tries > 100)
                QApplication::closeAllWindows();
            return;
        }
        for (const QLabel *label : box->findChildren<QLabel *>())
            text += label->text();
        box->close();
    });
    poll.start();
    m_window->action(MainWindow::Action::About)->trigger();
    poll.stop();
    QVERIFY2(text.contains(u"ZmqScope "_s + zmqscope::libraryVersion()), qPrintable(text));
    QVERIFY2(text.contains(u"libzmq "_s + zmqscope::zmqVersion()), qPrintable(text));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
