#pragma once

// ZeroMQ security (RFC 23 ZMTP mechanisms, RFC 26 CURVE, RFC 27 ZAP): the mechanism names, CURVE keys
// as Z85 text and czmq's certificate files, so that keys made by czmq's zcert, pyzmq's
// zmq.auth.create_certificates and `zmqscope-cli keygen` are interchangeable.
//
// A secret key is a secret: nothing here puts one into an error message, and the only function that
// writes one writes it to a file that is 0600 before its first byte.

#include <utility>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <zmqscope/error.h>

namespace zmqscope {

/// The ZMTP security mechanism of a socket.
enum class SecurityMechanism
{
    Null,
    Plain,
    Curve,
};

/// "NULL", "PLAIN" or "CURVE", as ZMTP and capture lines (DESIGN.md section 12) spell them.
[[nodiscard]] QString securityMechanismName(SecurityMechanism mechanism);
/// A mechanism by its name (case-insensitive, surrounding blanks ignored); an unknown name is an
/// Error (InvalidOptionValue) listing the valid ones.
[[nodiscard]] Result<SecurityMechanism> parseSecurityMechanism(const QString &name);

/// A CURVE key pair, both keys as 40 characters of Z85 text.
struct CurveKeyPair
{
    QByteArray publicKey;
    QByteArray secretKey; ///< a secret
};

/// The length of a CURVE key as Z85 text.
inline constexpr qsizetype z85KeyLength = 40;

/// A fresh key pair (zmq_curve_keypair); an Error (Unsupported) when libzmq was built without CURVE.
[[nodiscard]] Result<CurveKeyPair> generateCurveKeyPair();
/// The public key of a Z85 secret key (zmq_curve_public). A malformed key is an Error
/// (InvalidOptionValue) that does not repeat it.
[[nodiscard]] Result<QByteArray> curvePublicKeyOf(const QByteArray &secretKeyZ85);
/// Whether `text` is 40 characters of the Z85 alphabet that decode to a 32-byte key.
[[nodiscard]] bool isZ85Key(QByteArrayView text);

/**
 * A czmq certificate file (zcert, ZPL text as zconfig writes it):
 * \code
 * #   ****  Generated on 2026-12-05 12:00:00 by ZmqScope  ****
 * #   ZeroMQ CURVE **Secret** Certificate
 * #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.
 *
 * metadata
 *     name = "value"
 * curve
 *     public-key = "Z85..."
 *     secret-key = "Z85..."
 * \endcode
 * A public certificate (BASENAME.key) has no secret-key line; the secret one (BASENAME.key_secret)
 * has both.
 */
struct CurveCertificate
{
    QString path; ///< the file it was read from
    QByteArray publicKey; ///< Z85
    QByteArray secretKey; ///< Z85; empty in a public certificate; a secret
    QList<std::pair<QByteArray, QByteArray>> metadata; ///< the metadata section, in file order
};

/// Reads a czmq certificate. Errors (FileError) name the file and, for bad content, the line; a key
/// that is not Z85 is named by its line, never shown.
[[nodiscard]] Result<CurveCertificate> readCurveCertificate(const QString &path);
/**
 * Every certificate with a public key in `dir` (czmq's zauth allow directory: BASENAME.key files, and
 * any other certificate file there), sorted by file name. Files that are not certificates are skipped
 * as zauth skips them; a directory that cannot be read, or one certificate with a bad key, is an Error
 * (FileError) naming it.
 */
[[nodiscard]] Result<QList<CurveCertificate>> readCurveCertificateDirectory(const QString &dir);
/// The text of a czmq certificate for `pair` (zcert_save's layout, with its "Generated on ... by
/// ZmqScope" header); with `withSecret` the secret certificate, else the public one.
[[nodiscard]] QByteArray curveCertificateText(const CurveKeyPair &pair, bool withSecret);
/**
 * Writes BASENAME.key (public certificate, mode 0644) and BASENAME.key_secret (both keys, mode 0600)
 * with QSaveFile; the secret file has mode 0600 before any byte is written. An Error (FileError) names
 * the file that could not be written.
 */
[[nodiscard]] Result<void> writeCurveCertificate(const QString &basename, const CurveKeyPair &pair);

/// Which key of a certificate a key argument stands for.
enum class KeyRole
{
    Public,
    Secret,
};

/**
 * A key argument (CLI `KEY|@FILE`, a dialog's key field): a 40-character value is always a Z85 key
 * (which may begin with '@' or '-'); anything else, after an optional leading '@', is a certificate
 * file, whose public-key (role Public) or secret-key (role Secret) is taken. Errors
 * (InvalidOptionValue for a bad key, FileError for a file) never repeat a secret, and say "FILE has
 * no secret-key: it is a public certificate" when a secret was asked of a public file.
 */
[[nodiscard]] Result<QByteArray> resolveCurveKey(const QString &text, KeyRole role);

} // namespace zmqscope
