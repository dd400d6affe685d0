#pragma once

#include <functional>

#include <QList>
#include <QWidget>

#include <zmqscope/engine/socketspec.h>
#include <zmqscope/error.h>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QVBoxLayout;
class SecretEdit;

/**
 * A socket's security (SocketSecurity) as a form: the mechanism (NULL, PLAIN, CURVE) and the role,
 * then only the fields that apply. NULL is one line; PLAIN a user and a masked password (client) or
 * the accepted users (server); CURVE the own key pair (Z85, the secret masked, loaded from a czmq
 * certificate file or generated), the server's public key (client) or the clients let in (server:
 * keys, certificate files, directories or any); a server also takes allow/deny IP lists (a NULL
 * server when the user asks for them).
 *
 * Used by the New Socket dialog (its Security tab) and by each side of the New Tap dialog, where the
 * role is fixed (the clients' side is a server, the server's side a client).
 */
class SecurityEditor : public QWidget
{
    Q_OBJECT
public:
    /// Whether the user picks the role, or the place the editor is in fixes it.
    enum class RoleChoice
    {
        Either,
        ClientOnly,
        ServerOnly,
    };
    /// What is wrong with one field: field names the inline label ("security.ownKeys", ...).
    struct Problem
    {
        QString field;
        QString context; ///< the field's name as the user sees it ("Secret key")
        QString text;
    };

    explicit SecurityEditor(RoleChoice roles = RoleChoice::Either, QWidget *parent = nullptr);
    ~SecurityEditor() override;

    /// The security as entered (keys resolved from their files; nothing is opened).
    [[nodiscard]] zmqscope::SocketSecurity security() const;
    /// Fills the form; the own keys' file (curveSecretKeyFile) is kept and shown as their source.
    void setSecurity(const zmqscope::SocketSecurity &security);
    /// "CURVE client", "PLAIN server", or empty for NULL (the tab label's note).
    [[nodiscard]] QString summary() const;
    /// The role the form takes while the user has not picked one (a socket that binds is a server).
    void setSuggestedServer(bool server);

    /// Reads a czmq certificate file into the own key pair (the Load Certificate… button after its file
    /// dialog). Fails, naming the file, when it cannot be read or holds no secret key.
    zmqscope::Result<void> loadCertificate(const QString &path);
    /// Reads the server's public key from a certificate file (the Load… button next to it).
    zmqscope::Result<void> loadServerCertificate(const QString &path);
    /// Puts a fresh key pair into the own key fields (the Generate button).
    zmqscope::Result<void> generateKeyPair();

    /// Everything that keeps the security from being used, in the order of the fields.
    [[nodiscard]] QList<Problem> problems() const;
    /// Shows each field's problems next to it; inlineFor(field, withContext) gives the text.
    void showProblems(const std::function<QString(const QString &field, bool withContext)> &inlineFor);

Q_SIGNALS:
    /// Any field changed.
    void edited();

private:
    struct UserRow;

    void buildForm();
    [[nodiscard]] QWidget *buildPlainClient();
    [[nodiscard]] QWidget *buildPlainServer();
    [[nodiscard]] QWidget *buildCurveKeys();
    [[nodiscard]] QWidget *buildCurveClient();
    [[nodiscard]] QWidget *buildCurveServer();
    [[nodiscard]] QWidget *buildIpLists();
    UserRow *addUserRow(const QString &user, const QString &password);
    void removeUserRow(UserRow *row);
    void updateVisibleParts();
    void setKeySource(const QString &text);
    void showLoadError(const QString &text);
    void pickAllowFiles();
    void pickAllowDirectory();
    void appendAllowLines(const QStringList &lines);
    [[nodiscard]] zmqscope::SecurityMechanism mechanism() const;
    [[nodiscard]] bool isServer() const;
    /// A server with PLAIN or CURVE, or a NULL one whose user asked for it, has the IP lists.
    [[nodiscard]] bool filtersAddresses() const;

    RoleChoice m_roles;
    bool m_roleChosen = false; ///< the user picked the role, or a spec gave it: suggestions stop
    QComboBox *m_mechanismCombo = nullptr;
    QLabel *m_roleLabel = nullptr;
    QComboBox *m_roleCombo = nullptr;
    QLabel *m_summaryHint = nullptr;

    QWidget *m_plainClient = nullptr;
    QLineEdit *m_plainUserEdit = nullptr;
    SecretEdit *m_plainPasswordEdit = nullptr;
    QLabel *m_plainUserError = nullptr;

    QWidget *m_plainServer = nullptr;
    QVBoxLayout *m_userRowsLayout = nullptr;
    QList<UserRow *> m_userRows;
    QPushButton *m_addUserButton = nullptr;
    QLabel *m_acceptUsersError = nullptr;

    QWidget *m_curveKeys = nullptr;
    QLineEdit *m_publicKeyEdit = nullptr;
    SecretEdit *m_secretKeyEdit = nullptr;
    QString m_keyFile; ///< the certificate the own keys came from; empty once they are typed over
    QLabel *m_keySource = nullptr;
    QLabel *m_ownKeysError = nullptr;
    QLabel *m_loadError = nullptr;

    QWidget *m_curveClient = nullptr;
    QLineEdit *m_serverKeyEdit = nullptr;
    QLabel *m_serverKeyError = nullptr;

    QWidget *m_curveServer = nullptr;
    QCheckBox *m_allowAnyCheck = nullptr;
    QPlainTextEdit *m_allowEdit = nullptr;
    QLabel *m_allowError = nullptr;

    QCheckBox *m_ipFilterCheck = nullptr;
    QWidget *m_ipLists = nullptr;
    QLineEdit *m_allowIpsEdit = nullptr;
    QLineEdit *m_denyIpsEdit = nullptr;
    QLabel *m_ipsError = nullptr;

    QLabel *m_formError = nullptr;
};
