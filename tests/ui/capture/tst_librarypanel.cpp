// The Library panel in the real main window: save the Composer's message, rename inline, load,
// send with variables filled in (received by a second real socket), delete; the file follows.

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <zmqscope/engine/engine.h>
#include <zmqscope/envelope.h>
#include <zmqscope/replay/templates.h>

#include "../uitestsupport.h"
#include "compose/composerwidget.h"
#include "library/librarypanel.h"
#include "library/templatelistmodel.h"
#include "mainwindow.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestLibraryPanel : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void saveRenameLoadSendDelete();
    void badNamesAndFilesAreRefused();
    void defaultLibraryIsOneFolderDeepAndMoves();
    void envelopeOnDealerIsReqFramed();

private:
    [[nodiscard]] TemplateLibrary onDisk() const { return TemplateLibrary::load(m_path); }

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestLibraryPanel::initTestCase()
{
    uitest::useTestSettings(u"tst_librarypanel"_s);
    QVERIFY(m_dir.isValid());
}

void TestLibraryPanel::init()
{
    m_path = m_dir.filePath(u"library-%1.json"_s.arg(QString::fromLatin1(QTest::currentTestFunction())));
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
    LibraryPanel *panel = m_window->libraryPanel();
    QVERIFY(panel);
    QVERIFY(m_window->libraryDock());
    const Result<void> opened = panel->openLibrary(m_path);
    QVERIFY2(opened, qPrintable(opened.errorMessage()));
    QCOMPARE(panel->model()->rowCount(), 0);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        panel->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestLibraryPanel::cleanup()
{
    m_tester.reset();
    destroyWindow();
}

void TestLibraryPanel::saveRenameLoadSendDelete()
{
    // A PUSH that can send, connected to a PULL that shows what arrives.
    SocketSpec pull;
    pull.name = u"Sink PULL"_s;
    pull.type = SocketType::Pull;
    pull.binds = { u"inproc://library-sink"_s };
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    const SocketId pullId = m_window->openSocket(pull);
    QVERIFY(opened.wait(5000));
    SocketSpec push;
    push.name = u"Source PUSH"_s;
    push.type = SocketType::Push;
    push.connects = pull.binds;
    const SocketId pushId = m_window->openSocket(push);
    QVERIFY(opened.wait(5000));
    m_window->refreshViews();
    ComposerWidget *composer = m_window->composer();
    QVERIFY(composer->setCurrentSocket(pushId));

    // Compose an envelope with variables and save it.
    composer->setMode(ComposerWidget::Mode::Envelope);
    composer->findChild<QLineEdit *>(u"idEdit"_s)->setText(u"ping-{{seq}}"_s);
    composer->findChild<QComboBox *>(u"mimetypeCombo"_s)->setCurrentText(u"text/plain"_s);
    auto *body = composer->findChild<QPlainTextEdit *>(u"bodyEdit"_s);
    body->setPlainText(u"ping number {{seq}}"_s);
    LibraryPanel *panel = m_window->libraryPanel();
    const Result<void> stored = panel->saveComposerMessage(u"ping"_s);
    QVERIFY2(stored, qPrintable(stored.errorMessage()));
    QCOMPARE(panel->model()->rowCount(), 1);
    QCOMPARE(panel->currentName(), u"ping"_s);
    {
        const TemplateLibrary disk = onDisk();
        const MessageTemplate *saved = disk.find(u"ping"_s);
        QVERIFY(saved);
        QCOMPARE(saved->kind, MessageTemplate::Kind::Envelope);
        QCOMPARE(saved->id, QByteArray("ping-{{seq}}"));
        QCOMPARE(saved->body, QByteArray("ping number {{seq}}"));
        QCOMPARE(saved->socketType, u"PUSH"_s);
    }

    // A raw message too, so the list has more than one row to sort.
    composer->setMode(ComposerWidget::Mode::Raw);
    QVERIFY(panel->saveComposerMessage(u"another"_s));
    QCOMPARE(panel->model()->rowCount(), 2);
    QCOMPARE(onDisk().names(), QStringList({ u"another"_s, u"ping"_s }));

    // Rename inline, through the view's editor.
    QTreeView *view = panel->view();
    QVERIFY(panel->selectTemplate(u"ping"_s));
    view->edit(view->currentIndex().siblingAtColumn(TemplateListModel::NameColumn));
    auto *editor = view->findChild<QLineEdit *>();
    QVERIFY(editor);
    QTRY_VERIFY(editor->isVisible());
    editor->selectAll();
    QTest::keyClicks(editor, u"zz ping"_s);
    QTest::keyClick(editor, Qt::Key_Return);
    QTRY_COMPARE(onDisk().names(), QStringList({ u"another"_s, u"zz ping"_s }));
    QCOMPARE(panel->currentName(), u"zz ping"_s); // the selection followed the moved row

    // Load: the composer gets the unexpanded text back.
    composer->setMode(ComposerWidget::Mode::Raw);
    body->setPlainText(u"something else"_s);
    QSignalSpy loaded(panel, &LibraryPanel::templateLoaded);
    QVERIFY(panel->loadIntoComposer(u"zz ping"_s));
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(composer->mode(), ComposerWidget::Mode::Envelope);
    QCOMPARE(body->toPlainText(), u"ping number {{seq}}"_s);
    QCOMPARE(composer->findChild<QLineEdit *>(u"idEdit"_s)->text(), u"ping-{{seq}}"_s);

    // Send twice: each send expands {{seq}} anew; the PULL receives both in order.
    const std::uint64_t before = m_store->endSeq();
    QVERIFY(panel->sendTemplate(u"zz ping"_s));
    QVERIFY(panel->sendTemplate(u"zz ping"_s));
    QTRY_COMPARE(m_store->endSeq() - before, 4ULL);
    QList<Frames> received;
    for (std::uint64_t seq = before; seq < m_store->endSeq(); ++seq) {
        StoredMessage message;
        QVERIFY(m_store->message(seq, message));
        if (message.socket == pullId)
            received.append(message.frames);
    }
    QCOMPARE(received.size(), 2);
    QCOMPARE(received.at(0), Envelope::create("text/plain", "ping number 1", "ping-1").transferObject());
    QCOMPARE(received.at(1), Envelope::create("text/plain", "ping number 2", "ping-2").transferObject());
    QTRY_VERIFY(panel->statusText().startsWith(u"Sent \"zz ping\""_s));

    // Filter, then delete.
    panel->filterEdit()->setText(u"anoth"_s);
    QCOMPARE(view->model()->rowCount(), 1);
    panel->filterEdit()->clear();
    QVERIFY(panel->removeTemplate(u"zz ping"_s));
    QCOMPARE(onDisk().names(), QStringList({ u"another"_s }));
    QVERIFY(panel->removeTemplate(u"another"_s));
    QVERIFY(onDisk().templates().isEmpty());
    QCOMPARE(panel->model()->rowCount(), 0);
}

void TestLibraryPanel::badNamesAndFilesAreRefused()
{
    LibraryPanel *panel = m_window->libraryPanel();
    const Result<void> unnamed = panel->saveComposerMessage(u"   "_s);
    QVERIFY(!unnamed);
    QCOMPARE(unnamed.error().code(), ErrorCode::InvalidBody);
    QCOMPARE(unnamed.errorMessage(), u"Not saved: give the message a name"_s);
    QCOMPARE(panel->errorText(), unnamed.errorMessage());
    QVERIFY(panel->saveComposerMessage(u"one"_s));
    QVERIFY(panel->saveComposerMessage(u"two"_s));

    // A taken name is refused with a message naming both; nothing changes on disk.
    const Result<void> renamed = panel->renameTemplate(u"one"_s, u"two"_s);
    QVERIFY(!renamed);
    QCOMPARE(renamed.error().code(), ErrorCode::InvalidBody);
    QCOMPARE(renamed.errorMessage(), u"\"one\" keeps its name: \"two\" is taken"_s);
    QCOMPARE(onDisk().names(), QStringList({ u"one"_s, u"two"_s }));
    QVERIFY(!panel->model()->setData(panel->model()->index(0, TemplateListModel::NameColumn), u""_s));
    QCOMPARE(panel->errorText(), u"\"one\" keeps its name: a name cannot be empty"_s);

    // Sending without a socket says so.
    QVERIFY(!panel->sendTemplate(u"one"_s));
    QVERIFY(panel->errorText().contains(u"choose a socket"_s));

    // A library file that is not one: the error names it, and the file is never overwritten.
    const QString bad = m_dir.filePath(u"bad.json"_s);
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"templates\": 42}");
    file.close();
    const Result<void> refused = panel->openLibrary(bad);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code(), ErrorCode::InvalidBody);
    QVERIFY2(
        refused.errorMessage().contains(QDir::toNativeSeparators(bad)), qPrintable(refused.errorMessage()));
    const Result<void> notSaved = panel->saveComposerMessage(u"three"_s);
    QVERIFY(!notSaved);
    QCOMPARE(notSaved.error().code(), ErrorCode::FileError);
    QVERIFY2(
        notSaved.errorMessage().contains(u"no library file is open"_s), qPrintable(notSaved.errorMessage()));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("{\"templates\": 42}"));
}

void TestLibraryPanel::defaultLibraryIsOneFolderDeepAndMoves()
{
    // Qt's AppDataLocation is <data>/<organization>/<application>: the library sits in the organization's
    // folder, not one level further down.
    const QString organization = QCoreApplication::organizationName();
    const QString application = QCoreApplication::applicationName();
    const QString defaultPath = TemplateLibrary::defaultPath();
    QCOMPARE(QFileInfo(defaultPath).fileName(), u"library.json"_s);
    QCOMPARE(QFileInfo(defaultPath).dir().dirName(), organization);
    QVERIFY2(!defaultPath.contains(u'/' + organization + u'/' + application + u'/'), qPrintable(defaultPath));

    // A library at the old place, in use: the next start moves it and opens it where it is now.
    const QString oldPath = TemplateLibrary::oldDefaultPath();
    QCOMPARE(oldPath, QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/library.json"_s);
    QFile::remove(defaultPath);
    QVERIFY(QDir().mkpath(QFileInfo(oldPath).absolutePath()));
    TemplateLibrary old;
    MessageTemplate ping;
    ping.name = u"ping"_s;
    ping.mimetype = "text/plain";
    ping.body = "ping {{seq}}";
    old.insert(ping);
    old.save(oldPath);
    QSettings().setValue(u"Library/path"_s, oldPath);
    m_tester.reset();
    destroyWindow();
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
    LibraryPanel *panel = m_window->libraryPanel();
    QCOMPARE(panel->libraryPath(), defaultPath);
    QVERIFY(!QFileInfo::exists(oldPath));
    QVERIFY(QFileInfo::exists(defaultPath));
    QCOMPARE(TemplateLibrary::load(defaultPath).names(), QStringList { u"ping"_s });
    QCOMPARE(panel->model()->rowCount(), 1);
    QVERIFY2(panel->errorText().isEmpty(), qPrintable(panel->errorText()));
    QVERIFY(QFile::remove(defaultPath));
}

void TestLibraryPanel::envelopeOnDealerIsReqFramed()
{
    // A saved envelope sent on a DEALER is framed as the composer frames it: as a REQ, unless unchecked.
    SocketSpec router;
    router.name = u"Service ROUTER"_s;
    router.type = SocketType::Router;
    router.binds = { u"inproc://library-router"_s };
    QSignalSpy opened(m_engine.get(), &Engine::socketOpened);
    const SocketId routerId = m_window->openSocket(router);
    QVERIFY(opened.wait(5000));
    SocketSpec dealer;
    dealer.name = u"Client DEALER"_s;
    dealer.type = SocketType::Dealer;
    dealer.connects = router.binds;
    dealer.options = { { "routing_id", QByteArray("lib-dealer") } };
    const SocketId dealerId = m_window->openSocket(dealer);
    QVERIFY(opened.wait(5000));
    m_window->refreshViews();
    ComposerWidget *composer = m_window->composer();
    QVERIFY(composer->setCurrentSocket(dealerId));
    composer->setMode(ComposerWidget::Mode::Envelope);
    composer->findChild<QLineEdit *>(u"idEdit"_s)->setText(u"job-{{seq}}"_s);
    composer->findChild<QPlainTextEdit *>(u"bodyEdit"_s)->setPlainText(u"work"_s);
    LibraryPanel *panel = m_window->libraryPanel();
    QVERIFY(panel->saveComposerMessage(u"job"_s));

    const auto received = [this, routerId](qsizetype count) {
        QList<Frames> result;
        for (std::uint64_t seq = m_store->firstSeq(); seq < m_store->endSeq(); ++seq) {
            StoredMessage message;
            if (m_store->message(seq, message) && message.socket == routerId)
                result.append(message.frames);
        }
        return result.size() == count ? result : QList<Frames>();
    };
    QVERIFY(panel->sendTemplate(u"job"_s));
    QTRY_COMPARE(received(1).size(), 1);
    QCOMPARE(received(1).at(0), (Frames { "lib-dealer", QByteArray(), "job-1", "text/plain", "work" }));

    composer->findChild<QCheckBox *>(u"delimiterCheck"_s)->setChecked(false);
    QVERIFY(panel->sendTemplate(u"job"_s));
    QTRY_COMPARE(received(2).size(), 2);
    QCOMPARE(received(2).at(1), (Frames { "lib-dealer", "job-2", "text/plain", "work" }));
}

QTEST_MAIN(TestLibraryPanel)
#include "tst_librarypanel.moc"
