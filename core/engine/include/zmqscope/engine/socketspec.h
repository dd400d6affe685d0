#pragma once

#include <functional>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <zmqscope/error.h>
#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>
#include <zmqscope/security.h>
#include <zmqscope/store/messagestore.h> // SocketId

namespace zmqscope {

/// A PLAIN user name and password (RFC 24); the password is a secret.
struct PlainCredentials
{
    QString user;
    QString password; ///< a secret

    /// "NAME:PASSWORD" (the CLI's --accept-user): split at the first ':'; an empty name is an Error
    /// (InvalidOptionValue) that does not repeat the password.
    [[nodiscard]] static Result<PlainCredentials> parse(const QString &text);
};

/// The secrets a socket's security needs and does not have (a spec read from JSON never holds any).
struct MissingSecrets
{
    bool plainPassword = false; ///< a PLAIN client's password
    QStringList acceptUserPasswords; ///< PLAIN server: the accepted users whose password is missing
    bool curveSecretKey = false; ///< own CURVE secret key: not given and no key file to read it from

    [[nodiscard]] bool isEmpty() const
    {
        return !plainPassword && acceptUserPasswords.isEmpty() && !curveSecretKey;
    }
};

/**
 * A socket's security (RFC 23): the mechanism, its role and credentials, and for a server what its
 * ZAP handler (the Engine's, RFC 27) lets in. Secrets (plainPassword, acceptUsers' passwords,
 * curveSecretKey) never go into JSON, events, errors or logs.
 *
 * ZAP decisions, in this order: a client whose address is in denyIps is refused; when allowIps is not
 * empty, any other address is refused (exclusive, as czmq's zauth); then PLAIN checks user and
 * password against acceptUsers, CURVE accepts any key with allowAny, else a key in allowKeys or in the
 * certificates of allowKeyPaths. A CURVE or PLAIN server allowing nobody refuses every client. A NULL
 * server with IP lists gets a ZAP handler too (addresses only).
 */
struct SocketSecurity
{
    SecurityMechanism mechanism = SecurityMechanism::Null;
    bool server = false; ///< a CURVE or PLAIN server (ZMQ_CURVE_SERVER / ZMQ_PLAIN_SERVER)
    QString plainUser; ///< PLAIN client
    QString plainPassword; ///< PLAIN client; a secret
    QList<PlainCredentials> acceptUsers; ///< PLAIN server: users it lets in; passwords are secrets
    QByteArray curvePublicKey; ///< own public key, Z85; derived from the secret key when empty
    QByteArray curveSecretKey; ///< own secret key, Z85; a secret
    /// The certificate file the own keys came from: what JSON keeps in place of the secret key, which
    /// fromJson() reads back from it.
    QString curveSecretKeyFile;
    QByteArray curveServerKey; ///< CURVE client: the server's public key, Z85
    QList<QByteArray> allowKeys; ///< ZAP: client public keys let in (Z85)
    QStringList allowKeyPaths; ///< ZAP: certificate files or directories, read when the socket opens
    bool allowAny = false; ///< ZAP: any CURVE client key (czmq's CURVE_ALLOW_ANY)
    QStringList allowIps; ///< ZAP: only these client addresses (exclusive)
    QStringList denyIps; ///< ZAP: client addresses refused

    /// NULL with no IP lists: nothing to set on the socket and no ZAP handler.
    [[nodiscard]] bool isNull() const;
    /// Whether the socket's connections go through the Engine's ZAP handler (a server, or IP lists).
    [[nodiscard]] bool needsZap() const;
    /// Whether a CURVE or PLAIN server lets nobody in (no allow/accept option at all).
    [[nodiscard]] bool allowsNobody() const;
    /**
     * Checks the fields without opening anything: keys are Z85, a CURVE server has its secret key, a
     * CURVE client has the server's key, a PLAIN client has a user name, IP lists hold addresses,
     * role-less fields are not set for the wrong role... The Error (InvalidOptionValue) names the bad
     * field ("security.curveServerKey: ...") and never repeats a secret.
     */
    [[nodiscard]] Result<void> validate() const;
    /// The secrets this security needs and does not hold (after fromJson: PLAIN passwords).
    [[nodiscard]] MissingSecrets missingSecrets() const;
    /// The client keys let in: allowKeys, then the public keys of allowKeyPaths' certificates (files or
    /// directories, read now). An unreadable path is an Error (FileError) naming it.
    [[nodiscard]] Result<QList<QByteArray>> allowedKeys() const;
    /// The own key pair: curveSecretKey (read from curveSecretKeyFile when empty) and curvePublicKey
    /// (derived from the secret when empty). What opening the socket uses.
    [[nodiscard]] Result<CurveKeyPair> ownKeyPair() const;

    /// JSON without any secret: curveSecretKeyFile stands for the secret key, users without passwords.
    [[nodiscard]] QJsonObject toJson() const;
    /// Reads toJson()'s object; the secret key is read back from curveSecretKeyFile (a missing or
    /// unreadable file is an Error naming it). Errors name the bad field.
    [[nodiscard]] static Result<SocketSecurity> fromJson(const QJsonObject &json);
};

/// What a user asks for when opening a socket; saved in workspaces as JSON.
struct SocketSpec
{
    QString name; ///< display name ("SUB 1"); unique within an Engine
    SocketType type = SocketType::Sub;
    QStringList binds; ///< endpoints to bind; "tcp://127.0.0.1:*" binds a free port
    QStringList connects; ///< endpoints to connect
    QList<QByteArray> subscriptions; ///< SUB/XSUB prefixes; empty means everything
    Options options; ///< applied in order before binding/connecting (names as in names.h)
    /// The socket's mechanism and ZAP rules; JSON holds it (object "security") only when not NULL,
    /// and never its secrets.
    SocketSecurity security;

    [[nodiscard]] QJsonObject toJson() const;
    /// Throws Error (UnknownSocketType, UnknownOption, InvalidOptionValue, FileError for a CURVE key
    /// file that cannot be read) naming the bad field.
    [[nodiscard]] static SocketSpec fromJson(const QJsonObject &json);
    /// Checks names, endpoints' shape and option values without opening anything; throws Error.
    void validate() const;
};

/**
 * The one socket naming rule (the Engine, the main window and the socket dialog use it): `wanted`
 * trimmed, with " (2)", " (3)", ... appended while `taken` says another socket has that name; an
 * empty `wanted` gives the first "<TYPE> <n>" (n = 1, 2, ...) that is not taken ("SUB 1").
 */
[[nodiscard]] QString uniqueSocketName(
    const QString &wanted, SocketType type, const std::function<bool(const QString &)> &taken);

} // namespace zmqscope

Q_DECLARE_METATYPE(zmqscope::SocketSpec)
