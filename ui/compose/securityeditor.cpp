#include "securityeditor.h"

#include <arpa/inet.h>
#include <functional>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QToolButton>
#include <QVBoxLayout>

#include <zmqscope/security.h>

#include "inlinemessage.h"
#include "secretedit.h"

using namespace Qt::StringLiterals;
using zmqscope::SecurityMechanism;

namespace {

const auto PlainUserField = u"security.plainUser"_s;
const auto AcceptUsersField = u"security.acceptUsers"_s;
const auto OwnKeysField = u"security.ownKeys"_s;
const auto ServerKeyField = u"security.serverKey"_s;
const auto AllowField = u"security.allow"_s;
const auto IpsField = u"security.ips"_s;
const auto FormField = u"security.form"_s;

const auto CertificateFilter = u"CURVE certificates (*.key_secret *.key *.cert *.txt);;All files (*)"_s;

QStringList addressList(const QString &text)
{
    static const QRegularExpression separators(u"[,\\s]+"_s);
    return text.split(separators, Qt::SkipEmptyParts);
}

// What the engine's ZAP handler compares with the peer's address: one IPv4 or IPv6 address, no names or
// ranges (as czmq's zauth).
bool isIpAddress(const QString &text)
{
    const QByteArray address = text.toLatin1();
    unsigned char binary[16];
    return inet_pton(AF_INET, address.constData(), binary) == 1
        || inet_pton(AF_INET6, address.constData(), binary) == 1;
}

// Keys in a fixed font, wide enough for all 40 characters: Z85 has look-alikes (0 O o, 1 l I) that a
// proportional font makes hard to compare with the key a peer sent.
void setKeyFont(QLineEdit &edit)
{
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    edit.setFont(fixed);
    edit.setMinimumWidth(QFontMetrics(fixed).horizontalAdvance(QString(zmqscope::z85KeyLength + 2, u'M')));
}

// A button of the form: Enter in a field accepts the dialog, never presses it.
QPushButton *formButton(
    const QString &text, const QString &objectName, const QString &toolTip, QWidget *parent)
{
    auto *button = new QPushButton(text, parent);
    button->setObjectName(objectName);
    button->setAutoDefault(false);
    button->setToolTip(toolTip);
    return button;
}

// A line edit for one Z85 key, in the key font.
QLineEdit *keyEdit(const QString &objectName, const QString &placeholder, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    setKeyFont(*edit);
    return edit;
}

// A button that asks for one czmq certificate file (`title`: the file dialog's) and hands its path to
// `use`; a cancelled dialog does nothing.
QPushButton *certificateButton(const QString &text, const QString &objectName, const QString &toolTip,
    const QString &title, QWidget *parent, const std::function<void(const QString &path)> &use)
{
    QPushButton *button = formButton(text, objectName, toolTip, parent);
    QObject::connect(button, &QPushButton::clicked, parent, [parent, title, use] {
        const QString path = QFileDialog::getOpenFileName(parent, title, QString(), CertificateFilter);
        if (!path.isEmpty())
            use(path);
    });
    return button;
}

// A key the user typed or pasted: the editor's fields hold Z85 text, so Latin-1 keeps it as typed and
// anything else fails isZ85Key().
QByteArray keyBytes(const QString &text)
{
    return text.trimmed().toLatin1();
}

} // namespace

struct SecurityEditor::UserRow
{
    QWidget *widget = nullptr;
    QLineEdit *user = nullptr;
    SecretEdit *password = nullptr;
    QToolButton *remove = nullptr;
};

SecurityEditor::SecurityEditor(RoleChoice roles, QWidget *parent)
    : QWidget(parent)
    , m_roles(roles)
{
    buildForm();
    updateVisibleParts();
}

SecurityEditor::~SecurityEditor()
{
    qDeleteAll(m_userRows);
}

void SecurityEditor::buildForm()
{
    m_mechanismCombo = new QComboBox(this);
    m_mechanismCombo->setObjectName(u"mechanismCombo"_s);
    m_mechanismCombo->addItem(u"NULL — no authentication, no encryption"_s, int(SecurityMechanism::Null));
    m_mechanismCombo->addItem(
        u"PLAIN — user name and password, sent in clear"_s, int(SecurityMechanism::Plain));
    m_mechanismCombo->addItem(u"CURVE — encrypted, authenticated by keys"_s, int(SecurityMechanism::Curve));
    m_roleCombo = new QComboBox(this);
    m_roleCombo->setObjectName(u"roleCombo"_s);
    m_roleCombo->addItem(u"Client"_s);
    m_roleCombo->addItem(u"Server"_s);
    m_roleCombo->setToolTip(u"The server authenticates its clients (usually the side that binds)"_s);
    m_roleLabel = new QLabel(u"&Role:"_s, this);
    m_roleLabel->setBuddy(m_roleCombo);
    if (m_roles != RoleChoice::Either) {
        m_roleCombo->setCurrentIndex(m_roles == RoleChoice::ServerOnly ? 1 : 0);
        m_roleCombo->hide();
        m_roleLabel->hide();
    }
    connect(m_mechanismCombo, &QComboBox::currentIndexChanged, this, [this] {
        updateVisibleParts();
        Q_EMIT edited();
    });
    connect(m_roleCombo, &QComboBox::activated, this, [this] { m_roleChosen = true; });
    connect(m_roleCombo, &QComboBox::currentIndexChanged, this, [this] {
        updateVisibleParts();
        Q_EMIT edited();
    });

    auto *top = new QHBoxLayout;
    auto *mechanismLabel = new QLabel(u"&Mechanism:"_s, this);
    mechanismLabel->setBuddy(m_mechanismCombo);
    top->addWidget(mechanismLabel);
    top->addWidget(m_mechanismCombo, 1);
    top->addSpacing(12);
    top->addWidget(m_roleLabel);
    top->addWidget(m_roleCombo);

    m_summaryHint = InlineMessage::createHintLabel(QString(), this);
    m_summaryHint->setObjectName(u"securityHint"_s);
    m_formError = InlineMessage::createErrorLabel(this);
    m_formError->setObjectName(u"securityError"_s);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_summaryHint);
    layout->addWidget(m_plainClient = buildPlainClient());
    layout->addWidget(m_plainServer = buildPlainServer());
    layout->addWidget(m_curveKeys = buildCurveKeys());
    layout->addWidget(m_curveClient = buildCurveClient());
    layout->addWidget(m_curveServer = buildCurveServer());
    m_ipFilterCheck = new QCheckBox(u"Let in only some client &IP addresses"_s, this);
    m_ipFilterCheck->setObjectName(u"ipFilterCheck"_s);
    m_ipFilterCheck->setToolTip(u"Allow and deny lists checked by ZmqScope's ZAP handler, as czmq's zauth"_s);
    connect(m_ipFilterCheck, &QCheckBox::toggled, this, [this] {
        updateVisibleParts();
        Q_EMIT edited();
    });
    layout->addWidget(m_ipFilterCheck);
    layout->addWidget(m_ipLists = buildIpLists());
    layout->addWidget(m_formError);
}

QWidget *SecurityEditor::buildPlainClient()
{
    auto *box = new QGroupBox(u"PLAIN credentials"_s, this);
    m_plainUserEdit = new QLineEdit(box);
    m_plainUserEdit->setObjectName(u"plainUserEdit"_s);
    m_plainPasswordEdit = new SecretEdit(u"plainPasswordEdit"_s, box);
    m_plainUserError = InlineMessage::createErrorLabel(box);
    m_plainUserError->setObjectName(u"plainUserError"_s);
    connect(m_plainUserEdit, &QLineEdit::textChanged, this, &SecurityEditor::edited);
    connect(m_plainPasswordEdit->lineEdit(), &QLineEdit::textChanged, this, &SecurityEditor::edited);
    auto *form = new QFormLayout(box);
    form->addRow(u"&User:"_s, m_plainUserEdit);
    form->addRow(QString(), m_plainUserError);
    form->addRow(u"Pass&word:"_s, m_plainPasswordEdit);
    form->addRow(QString(),
        InlineMessage::createHintLabel(
            u"Never saved: a workspace asks for it again when it is opened."_s, box));
    return box;
}

QWidget *SecurityEditor::buildPlainServer()
{
    auto *box = new QGroupBox(u"Accepted users"_s, this);
    m_userRowsLayout = new QVBoxLayout;
    m_userRowsLayout->setContentsMargins(0, 0, 0, 0);
    m_userRowsLayout->setSpacing(4);
    m_addUserButton = formButton(u"Add &User"_s, u"addUserButton"_s, QString(), box);
    connect(m_addUserButton, &QPushButton::clicked, this,
        [this] { addUserRow(QString(), QString())->user->setFocus(Qt::OtherFocusReason); });
    m_acceptUsersError = InlineMessage::createErrorLabel(box);
    m_acceptUsersError->setObjectName(u"acceptUsersError"_s);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_addUserButton);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(m_userRowsLayout);
    layout->addWidget(m_acceptUsersError);
    layout->addLayout(buttons);
    return box;
}

QWidget *SecurityEditor::buildCurveKeys()
{
    auto *box = new QGroupBox(u"This socket's key pair"_s, this);
    m_publicKeyEdit = keyEdit(u"publicKeyEdit"_s, u"40 characters of Z85"_s, box);
    m_secretKeyEdit = new SecretEdit(u"secretKeyEdit"_s, box);
    m_secretKeyEdit->lineEdit()->setPlaceholderText(u"40 characters of Z85"_s);
    setKeyFont(*m_secretKeyEdit->lineEdit());
    auto *load = certificateButton(u"&Load Certificate…"_s, u"loadCertificateButton"_s,
        u"A czmq secret certificate (NAME.key_secret, as zcert, pyzmq or zmqscope-cli keygen write it); a "
        u"workspace keeps its path, never the key"_s,
        u"Load Certificate"_s, box, [this](const QString &path) {
            if (const zmqscope::Result<void> loaded = loadCertificate(path); !loaded)
                showLoadError(loaded.errorMessage());
        });
    auto *generate = formButton(u"&Generate"_s, u"generateButton"_s, QString(), box);
    connect(generate, &QPushButton::clicked, this, [this] {
        if (const zmqscope::Result<void> made = generateKeyPair(); !made)
            showLoadError(made.errorMessage());
    });
    m_keySource = InlineMessage::createHintLabel(QString(), box);
    m_keySource->setObjectName(u"keySource"_s);
    m_ownKeysError = InlineMessage::createErrorLabel(box);
    m_ownKeysError->setObjectName(u"ownKeysError"_s);
    m_loadError = InlineMessage::createErrorLabel(box);
    m_loadError->setObjectName(u"loadError"_s);
    // Typing over a key means it no longer comes from the file.
    for (QLineEdit *edit : { m_publicKeyEdit, m_secretKeyEdit->lineEdit() }) {
        connect(edit, &QLineEdit::textEdited, this, [this] {
            m_keyFile.clear();
            setKeySource(QString());
        });
        connect(edit, &QLineEdit::textChanged, this, [this] {
            InlineMessage::show(m_loadError, QString());
            Q_EMIT edited();
        });
    }

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(load);
    buttons->addWidget(generate);
    buttons->addStretch(1);
    auto *form = new QFormLayout(box);
    form->addRow(u"&Public key:"_s, m_publicKeyEdit);
    form->addRow(u"&Secret key:"_s, m_secretKeyEdit);
    form->addRow(QString(), m_ownKeysError);
    form->addRow(QString(), buttons);
    form->addRow(QString(), m_loadError);
    form->addRow(QString(), m_keySource);
    return box;
}

QWidget *SecurityEditor::buildCurveClient()
{
    auto *box = new QGroupBox(u"The server"_s, this);
    m_serverKeyEdit = keyEdit(u"serverKeyEdit"_s, u"its public key (Z85) or its certificate file"_s, box);
    auto *load = certificateButton(u"L&oad…"_s, u"loadServerKeyButton"_s,
        u"Reads the public key from the server's certificate (NAME.key)"_s,
        u"Load the Server's Certificate"_s, box, [this](const QString &path) {
            if (!loadServerCertificate(path))
                m_serverKeyEdit->setText(path); // its problem is then shown inline, naming the file
        });
    connect(m_serverKeyEdit, &QLineEdit::textChanged, this, &SecurityEditor::edited);
    m_serverKeyError = InlineMessage::createErrorLabel(box);
    m_serverKeyError->setObjectName(u"serverKeyError"_s);
    auto *row = new QHBoxLayout;
    row->addWidget(m_serverKeyEdit, 1);
    row->addWidget(load);
    auto *form = new QFormLayout(box);
    // A layout as the field: its label needs the buddy set by hand for the mnemonic.
    auto *label = new QLabel(u"Server's public &key:"_s, box);
    label->setBuddy(m_serverKeyEdit);
    form->addRow(label, row);
    form->addRow(QString(), m_serverKeyError);
    return box;
}

QWidget *SecurityEditor::buildCurveServer()
{
    auto *box = new QGroupBox(u"Clients let in"_s, this);
    m_allowAnyCheck
        = new QCheckBox(u"Any client &key (CURVE_ALLOW_ANY: encrypted, not authenticated)"_s, box);
    m_allowAnyCheck->setObjectName(u"allowAnyCheck"_s);
    m_allowEdit = new QPlainTextEdit(box);
    m_allowEdit->setObjectName(u"allowEdit"_s);
    m_allowEdit->setPlaceholderText(
        u"One a line: a client's public key (Z85), its certificate file, or a folder of certificates"_s);
    m_allowEdit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_allowEdit->setTabChangesFocus(true);
    m_allowEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_allowEdit->setFixedHeight(m_allowEdit->fontMetrics().lineSpacing() * 4
        + 2 * (m_allowEdit->frameWidth() + int(m_allowEdit->document()->documentMargin())));
    auto *files = formButton(u"Add &Certificates…"_s, u"addAllowFilesButton"_s, QString(), box);
    auto *folder = formButton(u"Add &Folder…"_s, u"addAllowFolderButton"_s,
        u"Every certificate in the folder is let in, read when the socket opens (as czmq's zauth does)"_s,
        box);
    connect(files, &QPushButton::clicked, this, &SecurityEditor::pickAllowFiles);
    connect(folder, &QPushButton::clicked, this, &SecurityEditor::pickAllowDirectory);
    connect(m_allowAnyCheck, &QCheckBox::toggled, this, [this](bool any) {
        m_allowEdit->setEnabled(!any);
        Q_EMIT edited();
    });
    connect(m_allowEdit, &QPlainTextEdit::textChanged, this, &SecurityEditor::edited);
    m_allowError = InlineMessage::createErrorLabel(box);
    m_allowError->setObjectName(u"allowError"_s);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(files);
    buttons->addWidget(folder);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_allowAnyCheck);
    layout->addWidget(m_allowEdit);
    layout->addWidget(m_allowError);
    layout->addLayout(buttons);
    return box;
}

QWidget *SecurityEditor::buildIpLists()
{
    auto *box = new QGroupBox(u"Client addresses"_s, this);
    m_allowIpsEdit = new QLineEdit(box);
    m_allowIpsEdit->setObjectName(u"allowIpsEdit"_s);
    m_allowIpsEdit->setPlaceholderText(u"every address (e.g. 127.0.0.1, 10.0.0.7)"_s);
    m_allowIpsEdit->setToolTip(u"When not empty, clients from any other address are refused"_s);
    m_denyIpsEdit = new QLineEdit(box);
    m_denyIpsEdit->setObjectName(u"denyIpsEdit"_s);
    m_denyIpsEdit->setPlaceholderText(u"none"_s);
    m_ipsError = InlineMessage::createErrorLabel(box);
    m_ipsError->setObjectName(u"ipsError"_s);
    connect(m_allowIpsEdit, &QLineEdit::textChanged, this, &SecurityEditor::edited);
    connect(m_denyIpsEdit, &QLineEdit::textChanged, this, &SecurityEditor::edited);
    auto *form = new QFormLayout(box);
    form->addRow(u"&Allow only:"_s, m_allowIpsEdit);
    form->addRow(u"&Deny:"_s, m_denyIpsEdit);
    form->addRow(QString(), m_ipsError);
    return box;
}

SecurityEditor::UserRow *SecurityEditor::addUserRow(const QString &user, const QString &password)
{
    auto *row = new UserRow;
    row->widget = new QWidget;
    row->widget->setObjectName(u"userRow"_s);
    row->user = new QLineEdit(user, row->widget);
    row->user->setObjectName(u"acceptUserEdit"_s);
    row->user->setPlaceholderText(u"user name"_s);
    row->password = new SecretEdit(u"acceptPasswordEdit"_s, row->widget);
    row->password->lineEdit()->setPlaceholderText(u"password"_s);
    row->password->setText(password);
    row->remove = new QToolButton(row->widget);
    row->remove->setText(u"Remove"_s);
    row->remove->setToolTip(u"Stop accepting this user"_s);
    auto *layout = new QHBoxLayout(row->widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(row->user, 1);
    layout->addWidget(row->password, 1);
    layout->addWidget(row->remove);
    connect(row->user, &QLineEdit::textChanged, this, &SecurityEditor::edited);
    connect(row->password->lineEdit(), &QLineEdit::textChanged, this, &SecurityEditor::edited);
    connect(row->remove, &QToolButton::clicked, this, [this, row] { removeUserRow(row); });
    m_userRowsLayout->addWidget(row->widget);
    m_userRows.append(row);
    Q_EMIT edited();
    return row;
}

void SecurityEditor::removeUserRow(UserRow *row)
{
    if (!m_userRows.removeOne(row))
        return;
    const bool hadFocus = row->widget->isAncestorOf(QApplication::focusWidget());
    // deleteLater: the click that asked for this is still being delivered to the row's button.
    row->widget->setObjectName(QString());
    row->widget->hide();
    row->widget->deleteLater();
    delete row;
    if (hadFocus)
        m_addUserButton->setFocus(Qt::OtherFocusReason);
    Q_EMIT edited();
}

SecurityMechanism SecurityEditor::mechanism() const
{
    return static_cast<SecurityMechanism>(m_mechanismCombo->currentData().toInt());
}

bool SecurityEditor::isServer() const
{
    return m_roleCombo->currentIndex() == 1;
}

bool SecurityEditor::filtersAddresses() const
{
    return isServer() && (mechanism() != SecurityMechanism::Null || m_ipFilterCheck->isChecked());
}

void SecurityEditor::setSuggestedServer(bool server)
{
    if (m_roles != RoleChoice::Either || m_roleChosen)
        return;
    m_roleCombo->setCurrentIndex(server ? 1 : 0);
}

void SecurityEditor::updateVisibleParts()
{
    const SecurityMechanism shown = mechanism();
    const bool server = isServer();
    const bool fixed = m_roles != RoleChoice::Either;
    m_plainClient->setVisible(shown == SecurityMechanism::Plain && !server);
    m_plainServer->setVisible(shown == SecurityMechanism::Plain && server);
    m_curveKeys->setVisible(shown == SecurityMechanism::Curve);
    m_curveClient->setVisible(shown == SecurityMechanism::Curve && !server);
    m_curveServer->setVisible(shown == SecurityMechanism::Curve && server);
    // NULL stays one line and a hint: a server's address filter only on request.
    m_ipFilterCheck->setVisible(shown == SecurityMechanism::Null && server);
    m_ipLists->setVisible(filtersAddresses());

    QString hint;
    if (shown == SecurityMechanism::Null)
        hint = server ? u"No authentication or encryption (ZeroMQ's default)."_s
                      : u"No authentication or encryption (ZeroMQ's default). Pick CURVE to talk to a server "
                        u"that requires it."_s;
    else if (fixed)
        hint = server ? u"This side is the server: the clients authenticate to the tap."_s
                      : u"This side is a client: the tap authenticates to the server."_s;
    InlineMessage::show(m_summaryHint, hint);
    InlineMessage::setError(m_summaryHint, false);
    if (shown == SecurityMechanism::Curve && m_keyFile.isEmpty())
        setKeySource(QString());
}

void SecurityEditor::setKeySource(const QString &text)
{
    QString shown = text;
    if (shown.isEmpty() && m_publicKeyEdit->text().isEmpty() && m_secretKeyEdit->text().isEmpty())
        shown = isServer() ? u"Load the server's certificate, or Generate a pair (then save it with Socket > "
                             u"Generate Keys… to reuse it)."_s
                           : u"Empty: a new pair is made each time the socket opens (not saved)."_s;
    InlineMessage::show(m_keySource, shown);
    InlineMessage::setError(m_keySource, false);
}

void SecurityEditor::showLoadError(const QString &text)
{
    InlineMessage::show(m_loadError, text);
}

zmqscope::Result<void> SecurityEditor::loadCertificate(const QString &path)
{
    zmqscope::Result<zmqscope::CurveCertificate> certificate = zmqscope::readCurveCertificate(path);
    if (!certificate)
        return std::move(certificate).error();
    if (certificate->secretKey.isEmpty())
        return zmqscope::Error(zmqscope::ErrorCode::FileError,
            u"%1 has no secret-key: it is a public certificate; load NAME.key_secret instead"_s.arg(path));
    m_publicKeyEdit->setText(QString::fromLatin1(certificate->publicKey));
    m_secretKeyEdit->setText(QString::fromLatin1(certificate->secretKey));
    m_secretKeyEdit->mask();
    m_keyFile = path;
    setKeySource(u"From %1 (a workspace keeps this path, never the key)"_s.arg(path));
    Q_EMIT edited();
    return {};
}

zmqscope::Result<void> SecurityEditor::loadServerCertificate(const QString &path)
{
    zmqscope::Result<zmqscope::CurveCertificate> certificate = zmqscope::readCurveCertificate(path);
    if (!certificate)
        return std::move(certificate).error();
    m_serverKeyEdit->setText(QString::fromLatin1(certificate->publicKey));
    return {};
}

zmqscope::Result<void> SecurityEditor::generateKeyPair()
{
    zmqscope::Result<zmqscope::CurveKeyPair> pair = zmqscope::generateCurveKeyPair();
    if (!pair)
        return std::move(pair).error();
    m_publicKeyEdit->setText(QString::fromLatin1(pair->publicKey));
    m_secretKeyEdit->setText(QString::fromLatin1(pair->secretKey));
    m_secretKeyEdit->mask();
    m_keyFile.clear();
    setKeySource(u"Generated now and not saved: a workspace cannot reopen the socket with it. Socket > "
                 u"Generate Keys… saves a pair as certificate files to load here."_s);
    Q_EMIT edited();
    return {};
}

void SecurityEditor::pickAllowFiles()
{
    appendAllowLines(QFileDialog::getOpenFileNames(this, u"Let In Clients"_s, QString(), CertificateFilter));
}

void SecurityEditor::pickAllowDirectory()
{
    const QString dir = QFileDialog::getExistingDirectory(this, u"Let In the Clients of a Folder"_s);
    if (!dir.isEmpty())
        appendAllowLines({ dir });
}

void SecurityEditor::appendAllowLines(const QStringList &lines)
{
    if (lines.isEmpty())
        return;
    QString text = m_allowEdit->toPlainText();
    if (!text.isEmpty() && !text.endsWith(u'\n'))
        text += u'\n';
    m_allowEdit->setPlainText(text + lines.join(u'\n'));
    m_allowAnyCheck->setChecked(false);
}

zmqscope::SocketSecurity SecurityEditor::security() const
{
    zmqscope::SocketSecurity result;
    result.mechanism = mechanism();
    result.server = isServer() && result.mechanism != SecurityMechanism::Null;
    const bool server = isServer();
    switch (result.mechanism) {
    case SecurityMechanism::Null:
        break;
    case SecurityMechanism::Plain:
        if (server) {
            for (const UserRow *row : m_userRows) {
                if (!row->user->text().isEmpty() || !row->password->text().isEmpty())
                    result.acceptUsers.append({ row->user->text(), row->password->text() });
            }
        } else {
            result.plainUser = m_plainUserEdit->text();
            result.plainPassword = m_plainPasswordEdit->text();
        }
        break;
    case SecurityMechanism::Curve:
        result.curvePublicKey = keyBytes(m_publicKeyEdit->text());
        result.curveSecretKey = keyBytes(m_secretKeyEdit->text());
        result.curveSecretKeyFile = m_keyFile;
        if (server) {
            result.allowAny = m_allowAnyCheck->isChecked();
            const QStringList lines = m_allowEdit->toPlainText().split(u'\n');
            for (const QString &line : lines) {
                const QString entry = line.trimmed();
                if (entry.isEmpty())
                    continue;
                if (entry.size() == zmqscope::z85KeyLength)
                    result.allowKeys.append(entry.toLatin1());
                else
                    result.allowKeyPaths.append(entry.startsWith(u'@') ? entry.mid(1) : entry);
            }
        } else {
            const QString text = m_serverKeyEdit->text().trimmed();
            const zmqscope::Result<QByteArray> key
                = zmqscope::resolveCurveKey(text, zmqscope::KeyRole::Public);
            result.curveServerKey = key ? *key : text.toLatin1();
        }
        break;
    }
    if (filtersAddresses()) {
        result.allowIps = addressList(m_allowIpsEdit->text());
        result.denyIps = addressList(m_denyIpsEdit->text());
    }
    return result;
}

void SecurityEditor::setSecurity(const zmqscope::SocketSecurity &security)
{
    m_mechanismCombo->setCurrentIndex(m_mechanismCombo->findData(int(security.mechanism)));
    const bool server = security.server || !security.allowIps.isEmpty() || !security.denyIps.isEmpty();
    if (m_roles == RoleChoice::Either) {
        m_roleCombo->setCurrentIndex(server ? 1 : 0);
        m_roleChosen = !security.isNull();
    }
    m_plainUserEdit->setText(security.plainUser);
    m_plainPasswordEdit->setText(security.plainPassword);
    m_plainPasswordEdit->mask();
    const QList<UserRow *> oldRows = m_userRows;
    for (UserRow *row : oldRows)
        removeUserRow(row);
    for (const zmqscope::PlainCredentials &user : security.acceptUsers)
        addUserRow(user.user, user.password);
    m_publicKeyEdit->setText(QString::fromLatin1(security.curvePublicKey));
    m_secretKeyEdit->setText(QString::fromLatin1(security.curveSecretKey));
    m_secretKeyEdit->mask();
    m_keyFile = security.curveSecretKeyFile;
    // From a workspace the keys are read back from their file; if the file went away, say so.
    if (!m_keyFile.isEmpty() && security.curveSecretKey.isEmpty()) {
        if (const zmqscope::Result<void> loaded = loadCertificate(m_keyFile); !loaded)
            showLoadError(loaded.errorMessage());
    } else {
        setKeySource(m_keyFile.isEmpty()
                ? QString()
                : u"From %1 (a workspace keeps this path, never the key)"_s.arg(m_keyFile));
    }
    m_serverKeyEdit->setText(QString::fromLatin1(security.curveServerKey));
    m_allowAnyCheck->setChecked(security.allowAny);
    QStringList allow;
    for (const QByteArray &key : security.allowKeys)
        allow.append(QString::fromLatin1(key));
    allow += security.allowKeyPaths;
    m_allowEdit->setPlainText(allow.join(u'\n'));
    m_allowIpsEdit->setText(security.allowIps.join(u", "_s));
    m_denyIpsEdit->setText(security.denyIps.join(u", "_s));
    m_ipFilterCheck->setChecked(!security.allowIps.isEmpty() || !security.denyIps.isEmpty());
    updateVisibleParts();
    Q_EMIT edited();
}

QString SecurityEditor::summary() const
{
    const SecurityMechanism shown = mechanism();
    if (shown == SecurityMechanism::Null)
        return filtersAddresses()
                && (!m_allowIpsEdit->text().trimmed().isEmpty() || !m_denyIpsEdit->text().trimmed().isEmpty())
            ? u"IP filter"_s
            : QString();
    if (m_roles != RoleChoice::Either)
        return zmqscope::securityMechanismName(shown);
    return u"%1 %2"_s.arg(zmqscope::securityMechanismName(shown), isServer() ? u"server"_s : u"client"_s);
}

QList<SecurityEditor::Problem> SecurityEditor::problems() const
{
    QList<Problem> problems;
    const auto add = [&](const QString &field, const QString &context, const QString &text) {
        problems.append({ field, context, text });
    };
    const SecurityMechanism shown = mechanism();
    const bool server = isServer();

    if (shown == SecurityMechanism::Plain && !server && m_plainUserEdit->text().isEmpty())
        add(PlainUserField, u"PLAIN user"_s, u"Enter the user name the server expects"_s);
    if (shown == SecurityMechanism::Plain && server) {
        QSet<QString> seen;
        for (int i = 0; i < m_userRows.size(); ++i) {
            const QString user = m_userRows.at(i)->user->text();
            const QString context = u"Accepted user %1"_s.arg(i + 1);
            if (user.isEmpty() && !m_userRows.at(i)->password->text().isEmpty())
                add(AcceptUsersField, context, u"the password has no user name"_s);
            else if (!user.isEmpty() && seen.contains(user))
                add(AcceptUsersField, context, u"\"%1\" is listed twice"_s.arg(user));
            seen.insert(user);
        }
    }

    if (shown == SecurityMechanism::Curve) {
        const QByteArray publicKey = keyBytes(m_publicKeyEdit->text());
        const QByteArray secretKey = keyBytes(m_secretKeyEdit->text());
        if (secretKey.isEmpty() && !publicKey.isEmpty())
            add(OwnKeysField, u"Secret key"_s,
                u"enter the secret key that goes with the public key, or Load Certificate…"_s);
        else if (secretKey.isEmpty() && server)
            add(OwnKeysField, u"Secret key"_s,
                u"a CURVE server needs its own key pair: Load Certificate… or Generate"_s);
        else if (!secretKey.isEmpty() && !zmqscope::isZ85Key(secretKey))
            // Never repeated: it is a secret, and half of one is still too much.
            add(OwnKeysField, u"Secret key"_s,
                u"not a Z85 key (a key is 40 characters of 0-9, a-z, A-Z and .-:+=^!/*?&<>()[]{}@%$#)"_s);
        if (!publicKey.isEmpty() && !zmqscope::isZ85Key(publicKey))
            add(OwnKeysField, u"Public key"_s,
                u"\"%1\" is not a Z85 key (40 characters)"_s.arg(QString::fromLatin1(publicKey.left(60))));
        else if (!publicKey.isEmpty() && zmqscope::isZ85Key(secretKey)) {
            const zmqscope::Result<QByteArray> derived = zmqscope::curvePublicKeyOf(secretKey);
            if (derived && *derived != publicKey)
                add(OwnKeysField, u"Public key"_s,
                    u"does not belong to the secret key (leave it empty to derive it)"_s);
        }
        if (!server) {
            const QString text = m_serverKeyEdit->text().trimmed();
            if (text.isEmpty())
                add(ServerKeyField, u"Server's public key"_s,
                    u"enter the server's public key (40 characters of Z85) or Load… its certificate"_s);
            else if (const auto key = zmqscope::resolveCurveKey(text, zmqscope::KeyRole::Public); !key)
                add(ServerKeyField, u"Server's public key"_s, key.errorMessage());
        } else if (!m_allowAnyCheck->isChecked()) {
            const QStringList lines = m_allowEdit->toPlainText().split(u'\n');
            for (qsizetype i = 0; i < lines.size(); ++i) {
                const QString entry = lines.at(i).trimmed();
                const QString context = u"Clients let in, line %1"_s.arg(i + 1);
                if (entry.isEmpty())
                    continue;
                if (entry.size() == zmqscope::z85KeyLength) {
                    if (!zmqscope::isZ85Key(entry.toLatin1()))
                        add(AllowField, context, u"\"%1\" is not a Z85 key"_s.arg(entry));
                    continue;
                }
                const QString path = entry.startsWith(u'@') ? entry.mid(1) : entry;
                const QFileInfo info(path);
                if (!info.exists()) {
                    add(AllowField, context,
                        u"\"%1\" is neither a key (40 characters) nor an existing file or folder"_s.arg(
                            entry));
                } else if (info.isDir()) {
                    if (const auto read = zmqscope::readCurveCertificateDirectory(path); !read)
                        add(AllowField, context, read.errorMessage());
                } else if (const auto read = zmqscope::readCurveCertificate(path); !read) {
                    add(AllowField, context, read.errorMessage());
                }
            }
        }
    }

    if (filtersAddresses()) {
        for (const auto &[edit, context] :
            { std::pair { m_allowIpsEdit, u"Allow only"_s }, std::pair { m_denyIpsEdit, u"Deny"_s } }) {
            for (const QString &address : addressList(edit->text())) {
                if (!isIpAddress(address))
                    add(IpsField, context,
                        u"\"%1\" is not an IP address (such as 127.0.0.1 or ::1)"_s.arg(address));
            }
        }
    }

    // The core's own check last: whatever else it refuses, in its words (never with a secret).
    if (problems.isEmpty() && shown != SecurityMechanism::Null) {
        if (const zmqscope::Result<void> valid = security().validate(); !valid)
            add(FormField, {}, valid.errorMessage());
    }
    return problems;
}

void SecurityEditor::showProblems(
    const std::function<QString(const QString &field, bool withContext)> &inlineFor)
{
    InlineMessage::show(m_plainUserError, inlineFor(PlainUserField, false));
    InlineMessage::show(m_ownKeysError, inlineFor(OwnKeysField, true));
    InlineMessage::show(m_serverKeyError, inlineFor(ServerKeyField, false));
    InlineMessage::show(m_ipsError, inlineFor(IpsField, true));
    InlineMessage::show(m_formError, inlineFor(FormField, false));

    // A server that lets nobody in is allowed (the engine says so once it runs), but said here first.
    QString users = inlineFor(AcceptUsersField, true);
    const bool usersError = !users.isEmpty();
    if (!usersError && mechanism() == SecurityMechanism::Plain && isServer()
        && security().acceptUsers.isEmpty())
        users = u"No user accepted yet: the socket refuses every client until you add one."_s;
    InlineMessage::show(m_acceptUsersError, users);
    InlineMessage::setError(m_acceptUsersError, usersError);

    QString allow = inlineFor(AllowField, true);
    const bool allowError = !allow.isEmpty();
    if (!allowError && mechanism() == SecurityMechanism::Curve && isServer() && !m_allowAnyCheck->isChecked()
        && m_allowEdit->toPlainText().trimmed().isEmpty())
        allow = u"No client let in yet: the socket refuses every client until you add a key, certificate or "
                u"folder, or tick Any client key."_s;
    InlineMessage::show(m_allowError, allow);
    InlineMessage::setError(m_allowError, allowError);
}
