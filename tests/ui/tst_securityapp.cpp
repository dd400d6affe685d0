// Security as the user of the real main window sees it (issue 16): a CURVE client with the wrong server
// key against an independent pyzmq CURVE server (tests/ui/curve_server.py under /usr/bin/python3) is
// "Handshake failed" in the Sockets panel with the plain line, an error in the Events log; the right
// key connects; a workspace is saved without a secret and opened again with the key read from its
// certificate file and the PLAIN password asked for.

#include <QAction>
#include <QApplication>
#include <QBrush>
#include <QColor>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

#include <zmqscope/engine/engine.h>
#include <zmqscope/security.h>

#include "compose/generatekeysdialog.h"
#include "eventlogmodel.h"
#include "mainwindow.h"
#include "socketlistmodel.h"
#include "testprocess.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using uitest::NetworkTimeoutMs;

namespace {

struct CurveServer
{
    TestProcess process;
    QTemporaryDir dir;
    QString endpoint;
    QByteArray publicKey;

    [[nodiscard]] bool start()
    {
        if (!dir.isValid()
            || !process.start(QStringLiteral(ZMQSCOPE_PYTHON),
                { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/ui/curve_server.py"), dir.path() })
            || !process.waitForLines(1, NetworkTimeoutMs))
            return false;
        const QJsonObject line = QJsonDocument::fromJson(process.lines().constFirst()).object();
        endpoint = line.value(u"endpoint"_s).toString();
        publicKey = line.value(u"public_key"_s).toString().toLatin1();
        return !endpoint.isEmpty() && isZ85Key(publicKey);
    }
};

SocketSpec curveClient(const QString &name, const QString &endpoint, const QByteArray &serverKey)
{
    SocketSpec spec;
    spec.name = name;
    spec.type = SocketType::Req;
    spec.connects = { endpoint };
    spec.security.mechanism = SecurityMechanism::Curve;
    spec.security.curveServerKey = serverKey;
    return spec;
}

/// The Events log's lines, with whether each is shown as an error.
QList<std::pair<QString, bool>> eventLines(const EventLogModel &model)
{
    QList<std::pair<QString, bool>> lines;
    for (int i = 0; i < model.rowCount(); ++i) {
        const QModelIndex index = model.index(i, 0);
        lines.append({ index.data().toString(), index.data(EventLogModel::IsErrorRole).toBool() });
    }
    return lines;
}

bool hasErrorLine(const EventLogModel &model, const QString &part)
{
    for (const auto &[text, error] : eventLines(model)) {
        if (error && text.contains(part))
            return true;
    }
    return false;
}

} // namespace

class TestSecurityApp : public uitest::MainWindowTestCase
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void wrongServerKeyShowsWhy();
    void workspaceWithoutSecrets();
    void generateKeysInSocketMenu();
    void zapDecisionsInEvents();

private:
    [[nodiscard]] QModelIndex stateIndex(SocketId id) const;
};

void TestSecurityApp::initTestCase()
{
    uitest::useTestSettings(u"tst_securityapp"_s);
}

void TestSecurityApp::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
}

void TestSecurityApp::cleanup()
{
    destroyWindow();
}

QModelIndex TestSecurityApp::stateIndex(SocketId id) const
{
    SocketListModel *model = uitest::socketModel(*m_window);
    const int row = model ? model->rowForSocket(id) : -1;
    return row < 0 ? QModelIndex() : model->index(row, SocketListModel::StateColumn);
}

void TestSecurityApp::wrongServerKeyShowsWhy()
{
    CurveServer server;
    QVERIFY(server.start());

    // The right key connects: the server is up and speaks CURVE.
    const SocketId good = m_window->openSocket(curveClient(u"good REQ"_s, server.endpoint, server.publicKey));
    QTRY_COMPARE_WITH_TIMEOUT(stateIndex(good).data().toString(), u"Connected"_s, NetworkTimeoutMs);

    // Another key: libzmq says nothing more than HANDSHAKE_FAILED_NO_DETAIL; the panel says what it means.
    const QByteArray wrongKey = generateCurveKeyPair()->publicKey;
    const SocketId bad = m_window->openSocket(curveClient(u"wrong key REQ"_s, server.endpoint, wrongKey));
    QTRY_COMPARE_WITH_TIMEOUT(stateIndex(bad).data().toString(), u"Handshake failed"_s, NetworkTimeoutMs);
    const QString line = u"handshake failed with no detail: the server's public key is probably wrong"_s;
    const QString tip = stateIndex(bad).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(line.toHtmlEscaped()) && tip.contains(u"Edit Socket"_s), qPrintable(tip));
    // In the error colour of the panel, as Failed.
    QCOMPARE(stateIndex(bad).data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0xc6, 0x28, 0x28));
    QTRY_VERIFY_WITH_TIMEOUT(hasErrorLine(*m_window->eventModel(), line), NetworkTimeoutMs);

    // Said on the name too, with what to do about it.
    const QModelIndex name = stateIndex(bad).siblingAtColumn(SocketListModel::NameColumn);
    QVERIFY(name.data(Qt::ToolTipRole).toString().contains(u"Security tab"_s));
    // The secret key of the fresh pair the client made is in no line.
    for (const auto &[text, error] : eventLines(*m_window->eventModel()))
        QVERIFY(!text.contains(u"secret"_s, Qt::CaseInsensitive));
}

void TestSecurityApp::workspaceWithoutSecrets()
{
    CurveServer server; // only its certificate files: pyzmq's, loaded as a ZmqScope socket's keys
    QVERIFY(server.start());
    const QString keyFile = server.dir.filePath(u"server.key_secret"_s);
    const CurveCertificate certificate = *readCurveCertificate(keyFile);

    SocketSpec curve;
    curve.name = u"curve ROUTER"_s;
    curve.type = SocketType::Router;
    curve.binds = { u"tcp://127.0.0.1:*"_s };
    curve.security.mechanism = SecurityMechanism::Curve;
    curve.security.server = true;
    curve.security.curveSecretKey = certificate.secretKey;
    curve.security.curveSecretKeyFile = keyFile;
    curve.security.allowAny = true;
    SocketSpec plain;
    plain.name = u"plain REQ"_s;
    plain.type = SocketType::Req;
    plain.connects = { u"tcp://127.0.0.1:1"_s };
    plain.security.mechanism = SecurityMechanism::Plain;
    plain.security.plainUser = u"alice"_s;
    plain.security.plainPassword = u"typed-password"_s;
    const SocketId curveId = m_window->openSocket(curve);
    m_window->openSocket(plain);
    QTRY_COMPARE_WITH_TIMEOUT(stateIndex(curveId).data().toString(), u"Listening"_s, NetworkTimeoutMs);

    QTemporaryDir dir;
    const QString file = dir.filePath(u"secure.zmqscope"_s);
    QVERIFY(m_window->saveWorkspace(file));
    QFile saved(file);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QByteArray bytes = saved.readAll();
    QVERIFY2(!bytes.contains(certificate.secretKey), bytes.constData());
    QVERIFY(!bytes.contains("typed-password"));
    QVERIFY(bytes.contains(QDir::toNativeSeparators(keyFile).toUtf8()));

    // A new window opens it: the password is asked for (naming the socket and the user), the key read
    // from its file.
    destroyWindow();
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
    QString intro;
    std::function<void()> answer = [&] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog || dialog->objectName() != u"PasswordDialog"_s) {
            QTimer::singleShot(10, answer);
            return;
        }
        intro = dialog->findChild<QLabel *>(u"passwordIntro"_s)->text();
        dialog->findChild<QLineEdit *>(u"passwordEdit"_s)->setText(u"asked-again"_s);
        dialog->findChild<QPushButton *>(u"okButton"_s)->click();
    };
    QTimer::singleShot(0, answer);
    QVERIFY(m_window->openWorkspace(file));
    QVERIFY2(intro.contains(u"plain REQ"_s) && intro.contains(u"alice"_s), qPrintable(intro));
    QTRY_COMPARE(m_engine->sockets().size(), 2);
    for (const SocketInfo &info : m_engine->sockets()) {
        if (info.spec.name == u"plain REQ"_s)
            QCOMPARE(info.spec.security.plainPassword, u"asked-again"_s);
        else
            QCOMPARE(info.spec.security.curveSecretKey, certificate.secretKey);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const SocketInfo &info : m_engine->sockets()) {
                if (info.spec.name == u"curve ROUTER"_s)
                    return info.state == SocketState::Listening;
            }
            return false;
        }(),
        NetworkTimeoutMs);
}

void TestSecurityApp::generateKeysInSocketMenu()
{
    auto *action = m_window->findChild<QAction *>(u"generateKeysAction"_s);
    QVERIFY(action);
    QMenu *socketMenu = nullptr;
    for (QAction *menu : m_window->menuBar()->actions()) {
        if (menu->text() == u"&Socket"_s)
            socketMenu = menu->menu();
    }
    QVERIFY(socketMenu && socketMenu->actions().contains(action));
    QCOMPARE(action->text(), u"&Generate Keys\u2026"_s);
    action->trigger();
    auto *dialog = m_window->findChild<GenerateKeysDialog *>(u"GenerateKeysDialog"_s);
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    QVERIFY(isZ85Key(dialog->keyPair().publicKey));
    QCOMPARE(dialog->findChild<QLineEdit *>(u"secretKeyEdit"_s)->echoMode(), QLineEdit::Password);
    dialog->reject();
}

void TestSecurityApp::zapDecisionsInEvents()
{
    // Our own CURVE server lets in one client key: the engine's ZAP handler decides, the Events log says
    // each decision with the client's key and address, and the refused client's row says why.
    const CurveKeyPair serverKeys = *generateCurveKeyPair();
    const CurveKeyPair allowed = *generateCurveKeyPair();
    const CurveKeyPair other = *generateCurveKeyPair();
    SocketSpec server;
    server.name = u"zap ROUTER"_s;
    server.type = SocketType::Router;
    server.binds = { u"tcp://127.0.0.1:*"_s };
    server.security.mechanism = SecurityMechanism::Curve;
    server.security.server = true;
    server.security.curveSecretKey = serverKeys.secretKey;
    server.security.allowKeys = { allowed.publicKey };
    const SocketId serverId = m_window->openSocket(server);
    QTRY_COMPARE_WITH_TIMEOUT(stateIndex(serverId).data().toString(), u"Listening"_s, NetworkTimeoutMs);
    const QString endpoint = m_engine->socket(serverId)->boundEndpoints.value(0);
    SocketSpec client = curveClient(u"allowed DEALER"_s, endpoint, serverKeys.publicKey);
    client.type = SocketType::Dealer;
    client.security.curveSecretKey = allowed.secretKey;
    const SocketId allowedId = m_window->openSocket(client);
    client.name = u"refused DEALER"_s;
    client.security.curveSecretKey = other.secretKey;
    const SocketId refusedId = m_window->openSocket(client);

    QTRY_COMPARE_WITH_TIMEOUT(stateIndex(allowedId).data().toString(), u"Connected"_s, NetworkTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(
        stateIndex(refusedId).data().toString(), u"Handshake failed"_s, NetworkTimeoutMs);
    const QString refusedTip = stateIndex(refusedId).data(Qt::ToolTipRole).toString();
    QVERIFY2(refusedTip.contains(u"handshake failed: the server rejected our key (ZAP status 400)"_s),
        qPrintable(refusedTip));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            bool sawAllowed = false;
            bool sawRefused = false;
            for (const auto &[text, error] : eventLines(*m_window->eventModel())) {
                sawAllowed = sawAllowed
                    || (text.contains(u"ZAP: allowed client "_s + QString::fromLatin1(allowed.publicKey))
                        && text.contains(u"127.0.0.1"_s));
                sawRefused = sawRefused
                    || (text.contains(u"ZAP: refused client "_s + QString::fromLatin1(other.publicKey))
                        && text.contains(u"400"_s));
            }
            return sawAllowed && sawRefused;
        }(),
        NetworkTimeoutMs);
    // No secret key of the three pairs is in any line.
    for (const auto &[text, error] : eventLines(*m_window->eventModel())) {
        for (const QByteArray &secret : { serverKeys.secretKey, allowed.secretKey, other.secretKey })
            QVERIFY(!text.contains(QString::fromLatin1(secret)));
    }
}

QTEST_MAIN(TestSecurityApp)
#include "tst_securityapp.moc"
