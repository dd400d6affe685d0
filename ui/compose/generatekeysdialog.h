#pragma once

#include <QDialog>

#include <zmqscope/error.h>
#include <zmqscope/security.h>

class QLabel;
class QLineEdit;
class QPushButton;
class SecretEdit;

/**
 * Socket > Generate Keys…: a new CURVE key pair, the public key selectable and copyable, the secret
 * masked (shown only on request), saved as czmq certificate files (BASENAME.key, public, and
 * BASENAME.key_secret, mode 0600: writeCurveCertificate()) that the Security tab's Load
 * Certificate…, `zmqscope-cli --curve-secret-key @FILE`, czmq and pyzmq all read.
 */
class GenerateKeysDialog : public QDialog
{
    Q_OBJECT
public:
    explicit GenerateKeysDialog(QWidget *parent = nullptr);

    /// Opens a dialog (deleted on close) over parent.
    static void openFor(QWidget *parent);

    /// The pair shown; empty keys when libzmq could not make one (the dialog says why).
    [[nodiscard]] const zmqscope::CurveKeyPair &keyPair() const { return m_pair; }

    /**
     * Writes the pair as BASENAME.key and BASENAME.key_secret; a basename picked as one of those
     * files ("server.key") loses that suffix. The dialog says where they went, or why not.
     */
    zmqscope::Result<void> saveCertificate(const QString &basename);

private:
    void handleSave();

    zmqscope::CurveKeyPair m_pair;
    QLineEdit *m_publicEdit = nullptr;
    SecretEdit *m_secretEdit = nullptr;
    QPushButton *m_copyButton = nullptr;
    QPushButton *m_saveButton = nullptr;
    QLabel *m_status = nullptr;
};
