// Edit Socket in the real MainWindow and engine: a socket that failed to open, and one that is open,
// changed through the New Socket dialog filled with their settings; real sockets (tcp://127.0.0.1:*
// read back, inproc inside the engine).

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

#include <zmqscope/engine/engine.h>

#include "../uitestsupport.h"
#include "compose/newsocketdialog.h"
#include "mainwindow.h"
#include "socketlistmodel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int TimeoutMs = 10000;

/// The endpoint fields of the dialog's rows (rows being removed lose their name first).
QList<QComboBox *> endpointEdits(const NewSocketDialog &dialog)
{
    QList<QComboBox *> result;
    for (QComboBox *combo : dialog.findChildren<QComboBox *>(u"endpointEdit"_s)) {
        if (combo->parentWidget() && combo->parentWidget()->objectName() == u"endpointRow"_s)
            result.append(combo);
    }
    return result;
}

SocketSpec makeSpec(
    const QString &name, SocketType type, const QStringList &binds, const QStringList &connects = {})
{
    SocketSpec spec;
    spec.name = name;
    spec.type = type;
    spec.binds = binds;
    spec.connects = connects;
    return spec;
}

} // namespace

class TestEditSocket : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void editFailedThenOpenSocket();

private:
    /// Selects the socket's row in the Sockets panel, triggers Edit Socket and returns its dialog.
    NewSocketDialog *editSocket(SocketId id);
};

void TestEditSocket::initTestCase()
{
    uitest::useTestSettings(u"tst_editsocket"_s);
}

void TestEditSocket::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
}

void TestEditSocket::cleanup()
{
    destroyWindow();
}

NewSocketDialog *TestEditSocket::editSocket(SocketId id)
{
    SocketListModel *model = uitest::socketModel(*m_window);
    model->refresh();
    const int row = model->rowForSocket(id);
    if (row < 0)
        return nullptr;
    uitest::socketView(*m_window)->setCurrentIndex(model->index(row, 0));
    QAction *edit = m_window->action(MainWindow::Action::EditSocket);
    if (!edit->isEnabled())
        return nullptr;
    edit->trigger();
    // An earlier dialog may still wait for its deferred delete: the one shown is the new one.
    for (NewSocketDialog *dialog : m_window->findChildren<NewSocketDialog *>(u"EditSocketDialog"_s)) {
        if (dialog->isVisible())
            return dialog;
    }
    return nullptr;
}

void TestEditSocket::editFailedThenOpenSocket()
{
    // A PULL holds a port; a second one asked to bind the same port fails.
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    QSignalSpy failed(m_engine.get(), &Engine::socketFailed);
    QSignalSpy closed(m_engine.get(), &Engine::socketClosed);
    const SocketId holderId
        = m_window->openSocket(makeSpec(u"Holder"_s, SocketType::Pull, { u"tcp://127.0.0.1:*"_s }));
    QVERIFY(opened.wait(TimeoutMs));
    const QString taken = m_engine->socket(holderId)->boundEndpoints.value(0);
    QVERIFY2(taken.startsWith(u"tcp://127.0.0.1:"_s), qPrintable(taken));

    const SocketId failedId = m_window->openSocket(makeSpec(u"Inbox"_s, SocketType::Pull, { taken }));
    QVERIFY(failed.wait(TimeoutMs));
    QCOMPARE(failed.constLast().at(0).value<SocketId>(), failedId);
    QCOMPARE(m_engine->socket(failedId)->state, SocketState::Failed);

    // Edit: the dialog holds the failed socket's settings; the endpoint is changed to a free one.
    NewSocketDialog *dialog = editSocket(failedId);
    QVERIFY(dialog);
    QCOMPARE(dialog->windowTitle(), u"Edit Socket"_s);
    QCOMPARE(dialog->spec().name, u"Inbox"_s);
    QCOMPARE(dialog->spec().type, SocketType::Pull);
    QCOMPARE(dialog->spec().binds, QStringList { taken });
    QVERIFY(dialog->problems().isEmpty()); // its own name is not "taken"
    QList<QComboBox *> edits = endpointEdits(*dialog);
    QCOMPARE(edits.size(), 1);
    edits.constFirst()->lineEdit()->setText(u"tcp://127.0.0.1:*"_s);
    opened.clear();
    dialog->findChild<QPushButton *>(u"okButton"_s)->click();
    QVERIFY(opened.wait(TimeoutMs));
    const SocketId editedId = opened.constLast().at(0).value<SocketId>();
    QVERIFY(editedId != failedId);
    std::optional<SocketInfo> edited = m_engine->socket(editedId);
    QVERIFY(edited);
    QCOMPARE(edited->spec.name, u"Inbox"_s); // the same name, not "Inbox (2)"
    QCOMPARE(edited->state, SocketState::Listening);
    const QString port = edited->boundEndpoints.value(0);
    QVERIFY2(port.startsWith(u"tcp://127.0.0.1:"_s) && port != taken, qPrintable(port));
    // The Sockets panel shows the new socket, selected, in place of the failed one.
    SocketListModel *model = uitest::socketModel(*m_window);
    QTRY_VERIFY(model->rowForSocket(editedId) >= 0);
    QCOMPARE(model->rowForSocket(failedId), -1);
    QCOMPARE(uitest::socketView(*m_window)->currentIndex().row(), model->rowForSocket(editedId));

    // An open socket: Apply with its own bound port. The old socket is closed first, so the port is
    // free again for the new one, which keeps the name.
    dialog = editSocket(editedId);
    QVERIFY(dialog);
    edits = endpointEdits(*dialog);
    QCOMPARE(edits.size(), 1);
    edits.constFirst()->lineEdit()->setText(port);
    opened.clear();
    closed.clear();
    failed.clear();
    dialog->findChild<QPushButton *>(u"okButton"_s)->click();
    QVERIFY(opened.wait(TimeoutMs));
    QVERIFY2(
        failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.constFirst().at(1).toString()));
    QCOMPARE(closed.size(), 1);
    QCOMPARE(closed.constFirst().at(0).value<SocketId>(), editedId);
    const SocketId reopenedId = opened.constLast().at(0).value<SocketId>();
    const std::optional<SocketInfo> reopened = m_engine->socket(reopenedId);
    QVERIFY(reopened);
    QCOMPARE(reopened->spec.name, u"Inbox"_s);
    QCOMPARE(reopened->boundEndpoints, QStringList { port });
    QCOMPARE(m_engine->socket(editedId)->state, SocketState::Closed);

    // And it works: a PUSH that connects there is heard on the edited socket.
    const SocketId pushId = m_window->openSocket(makeSpec(u"Sender"_s, SocketType::Push, {}, { port }));
    QVERIFY(opened.wait(TimeoutMs));
    const std::uint64_t before = m_store->endSeq();
    m_engine->send(pushId, Frames { "id", "text/plain", "after the edit" });
    QVERIFY(QTest::qWaitFor(
        [&] {
            StoredMessage message;
            for (std::uint64_t seq = before; seq < m_store->endSeq(); ++seq) {
                if (m_store->message(seq, message) && message.socket == reopenedId)
                    return message.frames.value(2) == "after the edit";
            }
            return false;
        },
        TimeoutMs));
}

QTEST_MAIN(TestEditSocket)
#include "tst_editsocket.moc"
