// The Security tab of New Socket, each side of New Tap, Socket > Generate Keys… and the workspace's
// handling of secrets: what the forms build, that secrets are masked and never saved, and that
// certificate files written or read here are the ones pyzmq (/usr/bin/python3) reads and writes.

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <zmqscope/security.h>

#include "compose/generatekeysdialog.h"
#include "compose/inlinemessage.h"
#include "compose/newsocketdialog.h"
#include "compose/newtapdialog.h"
#include "compose/passwordprompt.h"
#include "compose/securityeditor.h"
#include "compose/workspace.h"

using namespace Qt::StringLiterals;
using zmqscope::SecurityMechanism;
using zmqscope::SocketSecurity;

namespace {

/// Runs a python3-zmq snippet; its stdout lines, or an empty list (and a test failure message) on error.
QStringList runPython(const QString &code, const QStringList &arguments = {})
{
    QProcess python;
    python.start(QStringLiteral(ZMQSCOPE_PYTHON), QStringList { u"-c"_s, code } + arguments);
    if (!python.waitForFinished(30000) || python.exitCode() != 0) {
        qWarning("python failed: %s", python.readAllStandardError().constData());
        return {};
    }
    return QString::fromUtf8(python.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
}

SecurityEditor *editor(const QWidget &dialog, const QString &name = u"securityEditor"_s)
{
    return dialog.findChild<SecurityEditor *>(name);
}

template<typename T> T *field(const QWidget *parent, const QString &name)
{
    T *found = parent->findChild<T *>(name);
    if (!found)
        qWarning("no %s", qPrintable(name));
    return found;
}

void setMechanism(SecurityEditor *security, SecurityMechanism mechanism, bool server)
{
    auto *mechanismCombo = field<QComboBox>(security, u"mechanismCombo"_s);
    mechanismCombo->setCurrentIndex(mechanismCombo->findData(int(mechanism)));
    auto *role = field<QComboBox>(security, u"roleCombo"_s);
    if (!role->isHidden())
        role->setCurrentIndex(server ? 1 : 0);
}

bool shown(const QWidget *widget)
{
    return widget && !widget->isHidden();
}

QPushButton *okButton(const QWidget &dialog)
{
    return dialog.findChild<QPushButton *>(u"okButton"_s);
}

/// A dialog with a connecting socket, so only the Security tab decides.
void fillSocket(NewSocketDialog &dialog)
{
    dialog.findChild<QComboBox *>(u"endpointEdit"_s)->setEditText(u"tcp://127.0.0.1:5555"_s);
}

zmqscope::CurveKeyPair newPair()
{
    zmqscope::Result<zmqscope::CurveKeyPair> pair = zmqscope::generateCurveKeyPair();
    return pair ? *pair : zmqscope::CurveKeyPair {};
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

/// Clicks `button` and, in the file dialog it opens, picks `path`; false when no dialog came, it did not
/// take the file, or another dialog (a "file not found" box) came up.
bool clickAndPick(QPushButton *button, const QString &path)
{
    constexpr int MaxTicks = 500; // a dialog that does not come to select the file is given up (rejected)
    int ticks = 0;
    bool accepted = false;
    bool otherDialog = false;
    QTimer poll;
    poll.setInterval(10);
    QObject::connect(&poll, &QTimer::timeout, &poll, [&ticks, &accepted, &otherDialog, path] {
        QWidget *modal = QApplication::activeModalWidget();
        if (auto *fileDialog = qobject_cast<QFileDialog *>(modal)) {
            // Typed, as a user would: selectFile() leaves the name field alone while it has the focus. The
            // dialog lists folders in a thread of its own, so it is accepted only once it returns exactly
            // `path`.
            auto *name = fileDialog->findChild<QLineEdit *>(u"fileNameEdit"_s);
            if (name && name->text() != path)
                name->setText(path);
            if (fileDialog->selectedFiles() == QStringList { path }) {
                accepted = true;
                static_cast<QDialog *>(fileDialog)->accept(); // QFileDialog::accept(), protected there
            } else if (++ticks > MaxTicks) {
                qWarning("the file dialog did not take %s", qPrintable(path));
                fileDialog->reject();
            }
        } else if (auto *other = qobject_cast<QDialog *>(modal)) {
            otherDialog = true;
            other->reject();
        }
    });
    poll.start();
    button->click(); // returns when the dialog is done
    return accepted && !otherDialog;
}

} // namespace

class TestSecurityDialogs : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void nullIsOneLine();
    void plainClient();
    void plainServer();
    void curveClient();
    void curveServer();
    void bindingSocketSuggestsServer();
    void secretsAreMasked();
    void loadsPyzmqCertificate();
    void loadButtonsPickCertificates();
    void problemsNameTheField_data();
    void problemsNameTheField();
    void tapSides();
    void generateKeysWritesLoadableFiles();
    void workspaceHoldsNoSecret();
    void passwordsAskedWhenOpened();
    void generatedKeysDoNotBreakTheWorkspace();
};

void TestSecurityDialogs::nullIsOneLine()
{
    NewSocketDialog dialog;
    SecurityEditor *security = editor(dialog);
    QVERIFY(security);
    QCOMPARE(dialog.spec().security.mechanism, SecurityMechanism::Null);
    QVERIFY(dialog.spec().security.isNull());
    // Nothing but the mechanism and role and one hint while NULL: no key or password field is there.
    for (const QString &name :
        { u"plainUserEdit"_s, u"publicKeyEdit"_s, u"serverKeyEdit"_s, u"allowEdit"_s, u"allowIpsEdit"_s }) {
        const QWidget *widget = field<QWidget>(security, name);
        QVERIFY2(widget && !widget->isVisibleTo(security), qPrintable(name));
    }
    QCOMPARE(dialog.findChild<QTabWidget *>(u"tabs"_s)->tabText(2), u"Se&curity"_s);

    // A NULL server: the address filter only when asked for, then part of the security.
    setMechanism(security, SecurityMechanism::Null, true);
    QVERIFY(!field<QWidget>(security, u"allowIpsEdit"_s)->isVisibleTo(security));
    field<QCheckBox>(security, u"ipFilterCheck"_s)->setChecked(true);
    QVERIFY(field<QWidget>(security, u"allowIpsEdit"_s)->isVisibleTo(security));
    field<QLineEdit>(security, u"denyIpsEdit"_s)->setText(u"10.0.0.7, not-an-address"_s);
    QVERIFY(dialog.problems().join(u'\n').contains(u"Deny: \"not-an-address\" is not an IP address"_s));
    field<QLineEdit>(security, u"denyIpsEdit"_s)->setText(u"10.0.0.7"_s);
    QCOMPARE(dialog.spec().security.denyIps, QStringList({ u"10.0.0.7"_s }));
    QVERIFY(!dialog.spec().security.isNull());
    QCOMPARE(dialog.findChild<QTabWidget *>(u"tabs"_s)->tabText(2), u"Se&curity (IP filter)"_s);
    field<QCheckBox>(security, u"ipFilterCheck"_s)->setChecked(false);
    QVERIFY(dialog.spec().security.isNull());
}

void TestSecurityDialogs::plainClient()
{
    NewSocketDialog dialog;
    fillSocket(dialog);
    SecurityEditor *security = editor(dialog);
    setMechanism(security, SecurityMechanism::Plain, false);
    QVERIFY(!okButton(dialog)->isEnabled()); // no user yet
    QVERIFY(dialog.problems().join(u'\n').contains(u"PLAIN user"_s));
    field<QLineEdit>(security, u"plainUserEdit"_s)->setText(u"alice"_s);
    field<QLineEdit>(security, u"plainPasswordEdit"_s)->setText(u"s3cret"_s);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    QVERIFY(okButton(dialog)->isEnabled());
    const SocketSecurity got = dialog.spec().security;
    QCOMPARE(got.mechanism, SecurityMechanism::Plain);
    QVERIFY(!got.server);
    QCOMPARE(got.plainUser, u"alice"_s);
    QCOMPARE(got.plainPassword, u"s3cret"_s);
    QCOMPARE(dialog.findChild<QTabWidget *>(u"tabs"_s)->tabText(2), u"Se&curity (PLAIN client)"_s);
}

void TestSecurityDialogs::plainServer()
{
    NewSocketDialog dialog;
    fillSocket(dialog);
    SecurityEditor *security = editor(dialog);
    setMechanism(security, SecurityMechanism::Plain, true);
    // Nobody accepted is allowed, and said.
    QVERIFY(shown(field<QLabel>(security, u"acceptUsersError"_s)));
    QVERIFY(InlineMessage::text(field<QLabel>(security, u"acceptUsersError"_s))
                .contains(u"refuses every client"_s));
    field<QPushButton>(security, u"addUserButton"_s)->click();
    field<QPushButton>(security, u"addUserButton"_s)->click();
    const QList<QLineEdit *> users = security->findChildren<QLineEdit *>(u"acceptUserEdit"_s);
    const QList<QLineEdit *> passwords = security->findChildren<QLineEdit *>(u"acceptPasswordEdit"_s);
    QCOMPARE(users.size(), 2);
    users.at(0)->setText(u"alice"_s);
    passwords.at(0)->setText(u"pw-a"_s);
    users.at(1)->setText(u"alice"_s);
    passwords.at(1)->setText(u"pw-b"_s);
    QVERIFY(dialog.problems().join(u'\n').contains(u"Accepted user 2: \"alice\" is listed twice"_s));
    users.at(1)->setText(u"bob"_s);
    field<QLineEdit>(security, u"allowIpsEdit"_s)->setText(u"127.0.0.1, ::1"_s);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    const SocketSecurity got = dialog.spec().security;
    QVERIFY(got.server);
    QCOMPARE(got.acceptUsers.size(), 2);
    QCOMPARE(got.acceptUsers.at(1).user, u"bob"_s);
    QCOMPARE(got.acceptUsers.at(1).password, u"pw-b"_s);
    QCOMPARE(got.allowIps, QStringList({ u"127.0.0.1"_s, u"::1"_s }));
}

void TestSecurityDialogs::curveClient()
{
    NewSocketDialog dialog;
    fillSocket(dialog);
    SecurityEditor *security = editor(dialog);
    setMechanism(security, SecurityMechanism::Curve, false);
    QVERIFY(dialog.problems().join(u'\n').contains(u"Server's public key"_s));
    const zmqscope::CurveKeyPair server = newPair();
    QVERIFY(!server.publicKey.isEmpty());
    field<QLineEdit>(security, u"serverKeyEdit"_s)->setText(QString::fromLatin1(server.publicKey));
    // Without own keys a client is fine: a fresh pair when it opens, and the form says so.
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    QVERIFY(InlineMessage::text(field<QLabel>(security, u"keySource"_s)).contains(u"a new pair"_s));
    SocketSecurity got = dialog.spec().security;
    QCOMPARE(got.mechanism, SecurityMechanism::Curve);
    QVERIFY(!got.server);
    QCOMPARE(got.curveServerKey, server.publicKey);
    QVERIFY(got.curveSecretKey.isEmpty());

    // Generate fills the own pair; the secret stays masked.
    QVERIFY(security->generateKeyPair());
    got = dialog.spec().security;
    QVERIFY(zmqscope::isZ85Key(got.curveSecretKey));
    QCOMPARE(*zmqscope::curvePublicKeyOf(got.curveSecretKey), got.curvePublicKey);
    QCOMPARE(field<QLineEdit>(security, u"secretKeyEdit"_s)->echoMode(), QLineEdit::Password);
    QVERIFY(got.validate());
}

void TestSecurityDialogs::curveServer()
{
    NewSocketDialog dialog;
    fillSocket(dialog);
    SecurityEditor *security = editor(dialog);
    setMechanism(security, SecurityMechanism::Curve, true);
    QVERIFY(dialog.problems().join(u'\n').contains(u"Secret key: a CURVE server needs its own key pair"_s));
    QVERIFY(security->generateKeyPair());
    QVERIFY(
        InlineMessage::text(field<QLabel>(security, u"allowError"_s)).contains(u"refuses every client"_s));
    QTemporaryDir dir;
    const zmqscope::CurveKeyPair client = newPair();
    QVERIFY(zmqscope::writeCurveCertificate(dir.filePath(u"client"_s), client));
    const zmqscope::CurveKeyPair other = newPair();
    field<QPlainTextEdit>(security, u"allowEdit"_s)
        ->setPlainText(QString::fromLatin1(other.publicKey) + u'\n' + dir.filePath(u"client.key"_s) + u'\n'
            + dir.path());
    field<QLineEdit>(security, u"denyIpsEdit"_s)->setText(u"10.0.0.7"_s);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    const SocketSecurity got = dialog.spec().security;
    QVERIFY(got.server);
    QCOMPARE(got.allowKeys, QList<QByteArray>({ other.publicKey }));
    QCOMPARE(got.allowKeyPaths, QStringList({ dir.filePath(u"client.key"_s), dir.path() }));
    QCOMPARE(got.denyIps, QStringList({ u"10.0.0.7"_s }));
    QVERIFY(!got.allowAny);
    field<QCheckBox>(security, u"allowAnyCheck"_s)->setChecked(true);
    QVERIFY(dialog.spec().security.allowAny);
    QCOMPARE(dialog.findChild<QTabWidget *>(u"tabs"_s)->tabText(2), u"Se&curity (CURVE server)"_s);
}

void TestSecurityDialogs::bindingSocketSuggestsServer()
{
    NewSocketDialog dialog;
    SecurityEditor *security = editor(dialog);
    auto *mode = dialog.findChild<QComboBox *>(u"endpointMode"_s);
    auto *role = field<QComboBox>(security, u"roleCombo"_s);
    mode->setCurrentIndex(1); // connect
    QCOMPARE(role->currentIndex(), 0);
    mode->setCurrentIndex(0); // bind
    QCOMPARE(role->currentIndex(), 1);
    // Once the user picks, the endpoints no longer decide.
    role->setCurrentIndex(0);
    Q_EMIT role->activated(0);
    mode->setCurrentIndex(1);
    mode->setCurrentIndex(0);
    QCOMPARE(role->currentIndex(), 0);
}

void TestSecurityDialogs::secretsAreMasked()
{
    NewSocketDialog dialog;
    SecurityEditor *security = editor(dialog);
    setMechanism(security, SecurityMechanism::Plain, true);
    field<QPushButton>(security, u"addUserButton"_s)->click();
    for (const QString &name : { u"plainPasswordEdit"_s, u"secretKeyEdit"_s, u"acceptPasswordEdit"_s })
        QCOMPARE(field<QLineEdit>(security, name)->echoMode(), QLineEdit::Password);
    // Shown only on request, masked again when a new secret comes in.
    field<QToolButton>(security, u"secretKeyEditShow"_s)->click();
    QCOMPARE(field<QLineEdit>(security, u"secretKeyEdit"_s)->echoMode(), QLineEdit::Normal);
    QVERIFY(security->generateKeyPair());
    QCOMPARE(field<QLineEdit>(security, u"secretKeyEdit"_s)->echoMode(), QLineEdit::Password);
    // The public key is no secret: shown as it is.
    QCOMPARE(field<QLineEdit>(security, u"publicKeyEdit"_s)->echoMode(), QLineEdit::Normal);
}

void TestSecurityDialogs::loadsPyzmqCertificate()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList lines
        = runPython(u"import sys, zmq.auth\n"
                    u"public, secret = zmq.auth.create_certificates(sys.argv[1], 'client')\n"
                    u"pub, sec = zmq.auth.load_certificate(secret)\n"
                    u"print(secret); print(pub.decode()); print(sec.decode())\n"_s,
            { dir.path() });
    QCOMPARE(lines.size(), 3);
    NewSocketDialog dialog;
    fillSocket(dialog);
    SecurityEditor *security = editor(dialog);
    setMechanism(security, SecurityMechanism::Curve, false);
    QVERIFY(security->loadCertificate(lines.at(0)));
    QCOMPARE(field<QLineEdit>(security, u"publicKeyEdit"_s)->text(), lines.at(1));
    QCOMPARE(field<QLineEdit>(security, u"secretKeyEdit"_s)->text(), lines.at(2));
    QCOMPARE(field<QLineEdit>(security, u"secretKeyEdit"_s)->echoMode(), QLineEdit::Password);
    QVERIFY(InlineMessage::text(field<QLabel>(security, u"keySource"_s)).contains(lines.at(0)));
    const SocketSecurity got = dialog.spec().security;
    QCOMPARE(got.curveSecretKeyFile, lines.at(0));
    QCOMPARE(got.curveSecretKey, lines.at(2).toLatin1());

    // The public certificate has no secret: refused with the file named, the fields as they were.
    const QString publicFile = dir.filePath(u"client.key"_s);
    const zmqscope::Result<void> wrong = security->loadCertificate(publicFile);
    QVERIFY(!wrong);
    QVERIFY2(wrong.errorMessage().contains(publicFile) && wrong.errorMessage().contains(u"secret"_s),
        qPrintable(wrong.errorMessage()));
    QCOMPARE(field<QLineEdit>(security, u"secretKeyEdit"_s)->text(), lines.at(2));
    // The server's key from its public certificate.
    QVERIFY(security->loadServerCertificate(publicFile));
    QCOMPARE(dialog.spec().security.curveServerKey, lines.at(1).toLatin1());

    // Typing over a loaded key: the file is no longer its source.
    QTest::keyClick(field<QLineEdit>(security, u"publicKeyEdit"_s), Qt::Key_Backspace);
    QVERIFY(dialog.spec().security.curveSecretKeyFile.isEmpty());
}

void TestSecurityDialogs::loadButtonsPickCertificates()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const zmqscope::CurveKeyPair own = newPair();
    const zmqscope::CurveKeyPair server = newPair();
    // Each in a folder of its own: the file dialog also selects the files whose names begin with its text.
    QVERIFY(QDir(dir.path()).mkpath(u"own"_s) && QDir(dir.path()).mkpath(u"server"_s));
    QVERIFY(zmqscope::writeCurveCertificate(dir.filePath(u"own/own"_s), own));
    const QString ownFile = dir.filePath(u"own/own.key_secret"_s);
    const QString serverFile = dir.filePath(u"server/server.key"_s);
    QVERIFY(writeFile(serverFile, zmqscope::curveCertificateText(server, false)));
    const QString notes = dir.filePath(u"notes.txt"_s);
    QVERIFY(writeFile(notes, "not a certificate\n"));
    NewSocketDialog dialog;
    fillSocket(dialog);
    SecurityEditor *security = editor(dialog);
    setMechanism(security, SecurityMechanism::Curve, false);

    // The own key pair from a secret certificate; a public one is refused, naming the file.
    auto *loadOwn = field<QPushButton>(security, u"loadCertificateButton"_s);
    QVERIFY(clickAndPick(loadOwn, ownFile));
    QCOMPARE(field<QLineEdit>(security, u"publicKeyEdit"_s)->text().toLatin1(), own.publicKey);
    QCOMPARE(dialog.spec().security.curveSecretKeyFile, ownFile);
    QVERIFY(clickAndPick(loadOwn, serverFile));
    const QString loadError = InlineMessage::text(field<QLabel>(security, u"loadError"_s));
    QVERIFY2(loadError.contains(serverFile), qPrintable(loadError));
    QCOMPARE(field<QLineEdit>(security, u"publicKeyEdit"_s)->text().toLatin1(), own.publicKey);

    // The server's key from its certificate; a file that is none stays as its path, for the inline error.
    auto *loadServer = field<QPushButton>(security, u"loadServerKeyButton"_s);
    QVERIFY(clickAndPick(loadServer, serverFile));
    QCOMPARE(field<QLineEdit>(security, u"serverKeyEdit"_s)->text().toLatin1(), server.publicKey);
    QVERIFY(clickAndPick(loadServer, notes));
    QCOMPARE(field<QLineEdit>(security, u"serverKeyEdit"_s)->text(), notes);
}

void TestSecurityDialogs::problemsNameTheField_data()
{
    QTest::addColumn<QString>("fieldName");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("errorLabel");
    QTest::addColumn<QString>("expected");
    QTest::newRow("server key not Z85") << u"serverKeyEdit"_s << u"abc"_s << u"serverKeyError"_s << u"abc"_s;
    QTest::newRow("secret key not Z85")
        << u"secretKeyEdit"_s << QString(40, u'~') << u"ownKeysError"_s << u"Secret key: not a Z85 key"_s;
    QTest::newRow("public key not Z85") << u"publicKeyEdit"_s << u"short"_s << u"ownKeysError"_s
                                        << u"Public key: \"short\" is not a Z85 key"_s;
}

void TestSecurityDialogs::problemsNameTheField()
{
    QFETCH(QString, fieldName);
    QFETCH(QString, text);
    QFETCH(QString, errorLabel);
    QFETCH(QString, expected);
    NewSocketDialog dialog;
    fillSocket(dialog);
    SecurityEditor *security = editor(dialog);
    setMechanism(security, SecurityMechanism::Curve, false);
    field<QLineEdit>(security, u"serverKeyEdit"_s)->setText(QString::fromLatin1(newPair().publicKey));
    field<QLineEdit>(security, fieldName)->setText(text);
    QVERIFY(!okButton(dialog)->isEnabled());
    const QString shownText = InlineMessage::text(field<QLabel>(security, errorLabel));
    QVERIFY2(shownText.contains(expected), qPrintable(shownText));
    // Seen from the Socket tab, the line above the buttons names the tab.
    const QString summary = InlineMessage::text(dialog.findChild<QLabel *>(u"summaryError"_s));
    QVERIFY2(summary.startsWith(u"Security tab: "_s), qPrintable(summary));
    // A secret is never repeated in an error.
    if (fieldName == u"secretKeyEdit"_s)
        QVERIFY(!dialog.problems().join(u'\n').contains(text));
}

void TestSecurityDialogs::tapSides()
{
    NewTapDialog dialog;
    SecurityEditor *listen = editor(dialog, u"listenSecurity"_s);
    SecurityEditor *forward = editor(dialog, u"forwardSecurity"_s);
    QVERIFY(listen && forward);
    // The role is the side's: no choice offered.
    QVERIFY(field<QComboBox>(listen, u"roleCombo"_s)->isHidden());
    QVERIFY(field<QComboBox>(forward, u"roleCombo"_s)->isHidden());
    dialog.findChild<QWidget *>(u"listenEndpoints"_s)
        ->findChild<QComboBox *>(u"endpointEdit"_s)
        ->setEditText(u"tcp://127.0.0.1:5555"_s);
    dialog.findChild<QWidget *>(u"forwardEndpoints"_s)
        ->findChild<QComboBox *>(u"endpointEdit"_s)
        ->setEditText(u"tcp://127.0.0.1:5556"_s);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));

    setMechanism(listen, SecurityMechanism::Curve, true);
    QVERIFY(dialog.problems().join(u'\n').contains(u"Secret key"_s));
    QVERIFY(listen->generateKeyPair());
    field<QCheckBox>(listen, u"allowAnyCheck"_s)->setChecked(true);
    setMechanism(forward, SecurityMechanism::Curve, false);
    field<QLineEdit>(forward, u"serverKeyEdit"_s)->setText(QString::fromLatin1(newPair().publicKey));
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    const zmqscope::TapSpec spec = dialog.spec();
    QCOMPARE(spec.listenSecurity.mechanism, SecurityMechanism::Curve);
    QVERIFY(spec.listenSecurity.server);
    QVERIFY(spec.listenSecurity.allowAny);
    QCOMPARE(spec.forwardSecurity.mechanism, SecurityMechanism::Curve);
    QVERIFY(!spec.forwardSecurity.server);
    QCOMPARE(dialog.findChild<QTabWidget *>(u"tabs"_s)->tabText(2), u"&Server's Side (CURVE)"_s);

    // Edit Tap shows both sides again.
    NewTapDialog edit;
    edit.setSpec(spec);
    QCOMPARE(edit.spec().listenSecurity.curveSecretKey, spec.listenSecurity.curveSecretKey);
    QCOMPARE(edit.spec().forwardSecurity.curveServerKey, spec.forwardSecurity.curveServerKey);
}

void TestSecurityDialogs::generateKeysWritesLoadableFiles()
{
    GenerateKeysDialog dialog;
    const zmqscope::CurveKeyPair pair = dialog.keyPair();
    QVERIFY(zmqscope::isZ85Key(pair.publicKey));
    auto *publicEdit = field<QLineEdit>(&dialog, u"publicKeyEdit"_s);
    auto *secretEdit = field<QLineEdit>(&dialog, u"secretKeyEdit"_s);
    QCOMPARE(publicEdit->text(), QString::fromLatin1(pair.publicKey));
    QCOMPARE(publicEdit->echoMode(), QLineEdit::Normal);
    QCOMPARE(secretEdit->echoMode(), QLineEdit::Password);
    field<QToolButton>(&dialog, u"secretKeyEditShow"_s)->click();
    QCOMPARE(secretEdit->echoMode(), QLineEdit::Normal);

    field<QPushButton>(&dialog, u"copyPublicKeyButton"_s)->click();
    QCOMPARE(QApplication::clipboard()->text(), QString::fromLatin1(pair.publicKey));

    QTemporaryDir dir;
    // Picked as the public file in the save dialog: the suffix goes, both files are written.
    QVERIFY(dialog.saveCertificate(dir.filePath(u"server.key"_s)));
    const QString secretFile = dir.filePath(u"server.key_secret"_s);
    QVERIFY(QFile::exists(dir.filePath(u"server.key"_s)));
    // Nobody but the user (the group and other bits are 0): pyzmq checks the mode below too.
    QCOMPARE(QFile::permissions(secretFile) & 0x0777, QFileDevice::ReadUser | QFileDevice::WriteUser);
    QVERIFY(InlineMessage::text(field<QLabel>(&dialog, u"statusLabel"_s)).contains(u"server.key_secret"_s));
    // pyzmq reads both as czmq certificates.
    const QStringList lines
        = runPython(u"import sys, os, stat, zmq.auth\n"
                    u"pub, sec = zmq.auth.load_certificate(sys.argv[1] + '_secret')\n"
                    u"print(pub.decode()); print(sec.decode())\n"
                    u"print(zmq.auth.load_certificate(sys.argv[1])[0].decode())\n"
                    u"print(oct(stat.S_IMODE(os.stat(sys.argv[1] + '_secret').st_mode)))\n"_s,
            { dir.filePath(u"server.key"_s) });
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines.at(0).toLatin1(), pair.publicKey);
    QCOMPARE(lines.at(1).toLatin1(), pair.secretKey);
    QCOMPARE(lines.at(2).toLatin1(), pair.publicKey);
    QCOMPARE(lines.at(3), u"0o600"_s);
}

void TestSecurityDialogs::workspaceHoldsNoSecret()
{
    QTemporaryDir dir;
    const zmqscope::CurveKeyPair pair = newPair();
    QVERIFY(zmqscope::writeCurveCertificate(dir.filePath(u"server"_s), pair));
    const QString keyFile = dir.filePath(u"server.key_secret"_s);

    zmqscope::SocketSpec curve;
    curve.name = u"orders ROUTER"_s;
    curve.type = zmqscope::SocketType::Router;
    curve.binds = { u"tcp://127.0.0.1:*"_s };
    curve.security.mechanism = SecurityMechanism::Curve;
    curve.security.server = true;
    curve.security.curveSecretKey = pair.secretKey;
    curve.security.curvePublicKey = pair.publicKey;
    curve.security.curveSecretKeyFile = keyFile;
    curve.security.allowAny = true;
    zmqscope::SocketSpec plain;
    plain.name = u"billing REQ"_s;
    plain.type = zmqscope::SocketType::Req;
    plain.connects = { u"tcp://127.0.0.1:5999"_s };
    plain.security.mechanism = SecurityMechanism::Plain;
    plain.security.plainUser = u"alice"_s;
    plain.security.plainPassword = u"password-never-saved"_s;
    zmqscope::TapSpec tap;
    tap.name = u"secure tap"_s;
    tap.pattern = zmqscope::TapPattern::ReqRep;
    tap.listen = { u"tcp://127.0.0.1:*"_s };
    tap.forward = { u"tcp://127.0.0.1:5998"_s };
    tap.listenSecurity.mechanism = SecurityMechanism::Plain;
    tap.listenSecurity.server = true;
    tap.listenSecurity.acceptUsers = { { u"bob"_s, u"tap-password-never-saved"_s } };
    tap.forwardSecurity = curve.security;
    tap.forwardSecurity.server = false;
    tap.forwardSecurity.allowAny = false;
    tap.forwardSecurity.curveServerKey = newPair().publicKey;

    const QString file = dir.filePath(u"secure.zmqscope"_s);
    QVERIFY(Workspace({ curve, plain }, { tap }).save(file));
    QFile saved(file);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QByteArray bytes = saved.readAll();
    QVERIFY2(!bytes.contains(pair.secretKey), bytes.constData());
    QVERIFY(!bytes.contains("password-never-saved"));
    QVERIFY(bytes.contains(QDir::toNativeSeparators(keyFile).toUtf8()));
    QVERIFY(bytes.contains(pair.publicKey));
    QVERIFY(bytes.contains("\"alice\""));
    QVERIFY(bytes.contains("\"bob\""));

    const zmqscope::Result<Workspace> loaded = Workspace::load(file);
    QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
    QCOMPARE(loaded->sockets().size(), 2);
    const SocketSecurity curveBack = loaded->sockets().at(0).security;
    // The secret key is read back from its file.
    QCOMPARE(curveBack.curveSecretKey, pair.secretKey);
    QCOMPARE(curveBack.curveSecretKeyFile, keyFile);
    QVERIFY(curveBack.allowAny);
    const SocketSecurity plainBack = loaded->sockets().at(1).security;
    QCOMPARE(plainBack.plainUser, u"alice"_s);
    QVERIFY(plainBack.plainPassword.isEmpty());
    QVERIFY(plainBack.missingSecrets().plainPassword);
    QCOMPARE(loaded->taps().size(), 1);
    QCOMPARE(loaded->taps().at(0).listenSecurity.acceptUsers.size(), 1);
    QCOMPARE(loaded->taps().at(0).listenSecurity.acceptUsers.at(0).user, u"bob"_s);
    QVERIFY(loaded->taps().at(0).listenSecurity.acceptUsers.at(0).password.isEmpty());
    QCOMPARE(loaded->taps().at(0).forwardSecurity.curveSecretKey, pair.secretKey);
    QCOMPARE(loaded->taps().at(0).forwardSecurity.curveServerKey, tap.forwardSecurity.curveServerKey);

    // The dialog shows where the keys came from, and the Edit Socket of a reopened socket reads them.
    NewSocketDialog dialog;
    dialog.setSpec(loaded->sockets().at(0));
    QCOMPARE(dialog.spec().security.curveSecretKey, pair.secretKey);
    QVERIFY(InlineMessage::text(field<QLabel>(editor(dialog), u"keySource"_s)).contains(keyFile));
}

void TestSecurityDialogs::passwordsAskedWhenOpened()
{
    zmqscope::SocketSpec plain;
    plain.name = u"billing <b>REQ</b>"_s;
    plain.type = zmqscope::SocketType::Req;
    plain.connects = { u"tcp://127.0.0.1:5999"_s };
    plain.security.mechanism = SecurityMechanism::Plain;
    plain.security.plainUser = u"alice"_s;
    zmqscope::SocketSpec open;
    open.name = u"plain SUB"_s;
    open.type = zmqscope::SocketType::Sub;
    open.connects = { u"tcp://127.0.0.1:5998"_s };
    zmqscope::SocketSpec declined = plain;
    declined.name = u"second REQ"_s;

    QStringList intros;
    int prompts = 0;
    // Each prompt is modal: answered from the event loop it runs.
    std::function<void()> answer = [&] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog || dialog->objectName() != u"PasswordDialog"_s) {
            QTimer::singleShot(10, answer);
            return;
        }
        ++prompts;
        auto *intro = dialog->findChild<QLabel *>(u"passwordIntro"_s);
        QCOMPARE(intro->textFormat(), Qt::PlainText);
        intros.append(intro->text());
        auto *password = dialog->findChild<QLineEdit *>(u"passwordEdit"_s);
        QCOMPARE(password->echoMode(), QLineEdit::Password);
        if (prompts == 1) {
            password->setText(u"typed-now"_s);
            dialog->findChild<QPushButton *>(u"okButton"_s)->click();
            QTimer::singleShot(10, answer);
        } else {
            dialog->findChild<QPushButton *>(u"skipButton"_s)->click();
        }
    };
    QTimer::singleShot(0, answer);
    QStringList skipped;
    const Workspace result
        = PasswordPrompt::withPasswords(nullptr, Workspace({ plain, open, declined }), skipped);
    QCOMPARE(prompts, 2);
    QVERIFY2(intros.value(0).contains(u"billing <b>REQ</b>"_s) && intros.value(0).contains(u"alice"_s),
        qPrintable(intros.value(0)));
    QCOMPARE(skipped, QStringList({ u"second REQ"_s }));
    QCOMPARE(result.sockets().size(), 2);
    QCOMPARE(result.sockets().at(0).security.plainPassword, u"typed-now"_s);
    QCOMPARE(result.sockets().at(1).name, u"plain SUB"_s);
}

void TestSecurityDialogs::generatedKeysDoNotBreakTheWorkspace()
{
    // Keys generated in the dialog, never in a file: the workspace cannot hold them, says so when saved,
    // and still opens (that socket fails when it opens, naming the key; the others are unharmed).
    const zmqscope::CurveKeyPair pair = newPair();
    zmqscope::SocketSpec server;
    server.name = u"generated ROUTER"_s;
    server.type = zmqscope::SocketType::Router;
    server.binds = { u"tcp://127.0.0.1:*"_s };
    server.security.mechanism = SecurityMechanism::Curve;
    server.security.server = true;
    server.security.curveSecretKey = pair.secretKey;
    server.security.allowAny = true;
    zmqscope::SocketSpec plainSub;
    plainSub.name = u"plain SUB"_s;
    plainSub.type = zmqscope::SocketType::Sub;
    plainSub.connects = { u"tcp://127.0.0.1:5998"_s };
    const Workspace workspace({ server, plainSub });
    const QStringList warnings = workspace.unsavedKeyWarnings();
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings.constFirst().contains(u"\"generated ROUTER\""_s), qPrintable(warnings.constFirst()));
    QVERIFY(!warnings.constFirst().contains(QString::fromLatin1(pair.secretKey)));

    QTemporaryDir dir;
    const QString file = dir.filePath(u"generated.zmqscope"_s);
    QVERIFY(workspace.save(file));
    const zmqscope::Result<Workspace> loaded = Workspace::load(file);
    QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
    QCOMPARE(loaded->sockets().size(), 2);
    QVERIFY(loaded->sockets().at(0).security.missingSecrets().curveSecretKey);
    QVERIFY(!loaded->sockets().at(0).security.validate());
}

QTEST_MAIN(TestSecurityDialogs)
#include "tst_securitydialogs.moc"
