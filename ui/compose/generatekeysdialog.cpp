#include "generatekeysdialog.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "inlinemessage.h"
#include "secretedit.h"

using namespace Qt::StringLiterals;

GenerateKeysDialog::GenerateKeysDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(u"Generate Keys"_s);
    setObjectName(u"GenerateKeysDialog"_s);

    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_publicEdit = new QLineEdit(this);
    m_publicEdit->setObjectName(u"publicKeyEdit"_s);
    m_publicEdit->setReadOnly(true);
    m_publicEdit->setFont(fixed);
    m_secretEdit = new SecretEdit(u"secretKeyEdit"_s, this);
    m_secretEdit->lineEdit()->setReadOnly(true);
    m_secretEdit->lineEdit()->setFont(fixed);
    // Room for the whole key: 40 characters and the frame.
    const int keyWidth = QFontMetrics(fixed).horizontalAdvance(QString(44, u'M'));
    m_publicEdit->setMinimumWidth(keyWidth);
    m_secretEdit->lineEdit()->setMinimumWidth(keyWidth);

    m_copyButton = new QPushButton(u"&Copy Public Key"_s, this);
    m_copyButton->setObjectName(u"copyPublicKeyButton"_s);
    m_copyButton->setAutoDefault(false);
    m_saveButton = new QPushButton(u"&Save as Certificate Files…"_s, this);
    m_saveButton->setObjectName(u"saveCertificateButton"_s);
    m_saveButton->setAutoDefault(false);
    m_saveButton->setToolTip(
        u"Writes NAME.key (the public certificate, to give to peers) and NAME.key_secret "
        u"(both keys, readable by you only), as czmq's zcert does"_s);
    connect(m_copyButton, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(QString::fromLatin1(m_pair.publicKey));
        InlineMessage::show(m_status, u"Copied the public key."_s);
        InlineMessage::setError(m_status, false);
    });
    connect(m_saveButton, &QPushButton::clicked, this, &GenerateKeysDialog::handleSave);
    m_status = InlineMessage::createErrorLabel(this);
    m_status->setObjectName(u"statusLabel"_s);

    auto *form = new QFormLayout;
    form->addRow(u"&Public key:"_s, m_publicEdit);
    form->addRow(u"S&ecret key:"_s, m_secretEdit);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_copyButton);
    actions->addWidget(m_saveButton);
    actions->addStretch(1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(InlineMessage::createHintLabel(
        u"A new CURVE key pair. Give the public key to your peers; the secret key stays with you. Save both "
        u"as certificate files to load them in the Security tab of New Socket or give them to zmqscope-cli "
        u"(--curve-secret-key @NAME.key_secret)."_s,
        this));
    layout->addLayout(form);
    layout->addLayout(actions);
    layout->addWidget(m_status);
    layout->addStretch(1);
    layout->addWidget(buttons);

    const zmqscope::Result<zmqscope::CurveKeyPair> pair = zmqscope::generateCurveKeyPair();
    if (pair) {
        m_pair = *pair;
        m_publicEdit->setText(QString::fromLatin1(m_pair.publicKey));
        m_secretEdit->setText(QString::fromLatin1(m_pair.secretKey));
    } else {
        InlineMessage::show(m_status, pair.errorMessage());
        m_copyButton->setEnabled(false);
        m_saveButton->setEnabled(false);
    }
}

void GenerateKeysDialog::openFor(QWidget *parent)
{
    auto *dialog = new GenerateKeysDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

zmqscope::Result<void> GenerateKeysDialog::saveCertificate(const QString &basename)
{
    QString base = basename;
    for (const QString &suffix : { u".key_secret"_s, u".key"_s }) {
        if (base.endsWith(suffix)) {
            base.chop(suffix.size());
            break;
        }
    }
    zmqscope::Result<void> written = zmqscope::writeCurveCertificate(base, m_pair);
    if (!written) {
        InlineMessage::show(m_status, written.errorMessage());
        InlineMessage::setError(m_status, true);
        return written;
    }
    const QString shown = QDir::toNativeSeparators(base);
    InlineMessage::show(m_status,
        u"Saved %1.key (the public certificate) and %1.key_secret (both keys, readable by you only)."_s.arg(
            shown));
    InlineMessage::setError(m_status, false);
    return {};
}

void GenerateKeysDialog::handleSave()
{
    const QString fileName = QFileDialog::getSaveFileName(this, u"Save as Certificate Files"_s,
        QDir::home().filePath(u"zmqscope"_s), u"CURVE certificates (*.key)"_s);
    if (!fileName.isEmpty())
        (void)saveCertificate(fileName);
}
