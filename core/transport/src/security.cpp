#include <algorithm>
#include <array>
#include <zmq.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <zmqscope/security.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// RFC 32's alphabet: zmq_z85_decode() reads anything up to 0x7f, so the alphabet is checked first.
constexpr QByteArrayView z85Alphabet
    = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

Error fileError(const QString &message)
{
    return Error(ErrorCode::FileError, message);
}

// A ZPL value: "quoted", 'quoted' or bare up to an inline comment.
QByteArray zplValue(QByteArrayView text)
{
    text = text.trimmed();
    if (!text.isEmpty() && (text.front() == '"' || text.front() == '\'')) {
        const char quote = text.front();
        const qsizetype end = text.indexOf(quote, 1);
        return text.sliced(1, (end < 0 ? text.size() : end) - 1).toByteArray();
    }
    const qsizetype comment = text.indexOf('#');
    if (comment >= 0)
        text = text.first(comment);
    return text.trimmed().toByteArray();
}

QString certificateBanner(bool withSecret)
{
    QString text = u"#   ****  Generated on %1 by ZmqScope  ****\n"_s.arg(
        QDateTime::currentDateTime().toString(u"yyyy-MM-dd HH:mm:ss"_s));
    if (withSecret) {
        text += u"#   ZeroMQ CURVE **Secret** Certificate\n"
                "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"_s;
    } else {
        text += u"#   ZeroMQ CURVE Public Certificate\n"
                "#   Exchange securely, or use a secure mechanism to verify the contents\n"
                "#   of this file after exchange. Store public certificates in your home\n"
                "#   directory, in the .curve subdirectory.\n"_s;
    }
    return text + u"\n"_s;
}

Result<void> saveFile(const QString &path, const QByteArray &content, QFileDevice::Permissions permissions)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fileError(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    // Before the first byte: a secret file is never readable by others, not even for a moment with
    // content (QSaveFile creates a new file 0666 & ~umask, or with an existing file's permissions).
    if (!file.setPermissions(permissions))
        return fileError(u"cannot set the permissions of %1: %2"_s.arg(path, file.errorString()));
    if (file.write(content) != content.size() || !file.commit())
        return fileError(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    return {};
}

} // namespace

QString securityMechanismName(SecurityMechanism mechanism)
{
    switch (mechanism) {
    case SecurityMechanism::Null:
        return u"NULL"_s;
    case SecurityMechanism::Plain:
        return u"PLAIN"_s;
    case SecurityMechanism::Curve:
        return u"CURVE"_s;
    }
    return u"NULL"_s;
}

Result<SecurityMechanism> parseSecurityMechanism(const QString &name)
{
    const QString wanted = name.trimmed();
    for (const SecurityMechanism mechanism :
        { SecurityMechanism::Null, SecurityMechanism::Plain, SecurityMechanism::Curve }) {
        if (wanted.compare(securityMechanismName(mechanism), Qt::CaseInsensitive) == 0)
            return mechanism;
    }
    return Error(ErrorCode::InvalidOptionValue,
        u"unknown security mechanism \"%1\": use NULL, PLAIN or CURVE"_s.arg(wanted));
}

bool isZ85Key(QByteArrayView text)
{
    if (text.size() != z85KeyLength)
        return false;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return z85Alphabet.contains(c); }))
        return false;
    const QByteArray terminated = text.toByteArray();
    std::array<uint8_t, 32> decoded {};
    return zmq_z85_decode(decoded.data(), terminated.constData()) != nullptr;
}

Result<CurveKeyPair> generateCurveKeyPair()
{
    std::array<char, z85KeyLength + 1> publicKey {};
    std::array<char, z85KeyLength + 1> secretKey {};
    if (zmq_curve_keypair(publicKey.data(), secretKey.data()) != 0) {
        const int error = zmq_errno();
        return Error(ErrorCode::Unsupported,
            u"cannot generate a CURVE key pair: %1 (libzmq built without CURVE?)"_s.arg(
                QString::fromUtf8(zmq_strerror(error))),
            error);
    }
    CurveKeyPair pair { QByteArray(publicKey.data()), QByteArray(secretKey.data()) };
    // The stack copies held a secret.
    secretKey.fill(0);
    return pair;
}

Result<QByteArray> curvePublicKeyOf(const QByteArray &secretKeyZ85)
{
    if (!isZ85Key(secretKeyZ85)) {
        return Error(ErrorCode::InvalidOptionValue,
            u"the secret key is not a CURVE key (40 characters of Z85 text)"_s);
    }
    std::array<char, z85KeyLength + 1> publicKey {};
    if (zmq_curve_public(publicKey.data(), secretKeyZ85.constData()) != 0) {
        const int error = zmq_errno();
        return Error(ErrorCode::Unsupported,
            u"cannot derive the CURVE public key: %1"_s.arg(QString::fromUtf8(zmq_strerror(error))), error);
    }
    return QByteArray(publicKey.data());
}

Result<CurveCertificate> readCurveCertificate(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fileError(u"cannot read the certificate %1: %2"_s.arg(path, file.errorString()));
    CurveCertificate certificate;
    certificate.path = path;
    QByteArray section;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray raw = file.readLine();
        ++lineNumber;
        QByteArrayView line = QByteArrayView(raw);
        while (!line.isEmpty() && (line.back() == '\n' || line.back() == '\r'))
            line.chop(1);
        const QByteArrayView trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.front() == '#')
            continue;
        const bool indented = line.front() == ' ' || line.front() == '\t';
        const qsizetype equals = trimmed.indexOf('=');
        const QByteArray name = (equals < 0 ? trimmed : trimmed.first(equals)).trimmed().toByteArray();
        if (!indented) {
            section = name;
            continue;
        }
        if (equals < 0)
            continue; // a nested section: czmq writes none in certificates
        const QByteArray value = zplValue(trimmed.sliced(equals + 1));
        if (section == "metadata") {
            certificate.metadata.append({ name, value });
        } else if (section == "curve" && (name == "public-key" || name == "secret-key")) {
            if (!isZ85Key(value)) {
                return fileError(u"%1 line %2: %3 is not a CURVE key (40 characters of Z85 text)"_s.arg(
                    path, QString::number(lineNumber), QString::fromLatin1(name)));
            }
            (name == "public-key" ? certificate.publicKey : certificate.secretKey) = value;
        }
    }
    if (file.error() != QFileDevice::NoError)
        return fileError(u"cannot read the certificate %1: %2"_s.arg(path, file.errorString()));
    if (certificate.publicKey.isEmpty() && certificate.secretKey.isEmpty()) {
        return fileError(
            u"%1 is not a CURVE certificate: it has no public-key in a curve section"_s.arg(path));
    }
    if (certificate.publicKey.isEmpty()) {
        auto derived = curvePublicKeyOf(certificate.secretKey);
        if (!derived)
            return fileError(u"%1: %2"_s.arg(path, derived.errorMessage()));
        certificate.publicKey = *derived;
    }
    return certificate;
}

Result<QList<CurveCertificate>> readCurveCertificateDirectory(const QString &dir)
{
    const QDir directory(dir);
    if (!directory.exists())
        return fileError(u"the certificate directory %1 does not exist"_s.arg(dir));
    if (!directory.isReadable())
        return fileError(u"cannot read the certificate directory %1"_s.arg(dir));
    QList<CurveCertificate> certificates;
    const QFileInfoList entries = directory.entryInfoList(QDir::Files | QDir::Readable, QDir::Name);
    for (const QFileInfo &entry : entries) {
        // As zauth's store: every file that loads as a certificate; other files are not ours to judge.
        QFile file(entry.filePath());
        if (!file.open(QIODevice::ReadOnly))
            return fileError(
                u"cannot read the certificate %1: %2"_s.arg(entry.filePath(), file.errorString()));
        const QByteArray head = file.read(64 * 1024);
        if (!head.contains("curve"))
            continue;
        auto certificate = readCurveCertificate(entry.filePath());
        if (!certificate) {
            if (certificate.errorMessage().contains(u"is not a CURVE certificate"_s))
                continue;
            return std::move(certificate).error();
        }
        certificate->secretKey.clear(); // an allow list needs public keys only
        certificates.append(std::move(*certificate));
    }
    return certificates;
}

QByteArray curveCertificateText(const CurveKeyPair &pair, bool withSecret)
{
    QByteArray text = certificateBanner(withSecret).toUtf8();
    text += "metadata\ncurve\n    public-key = \"" + pair.publicKey + "\"\n";
    if (withSecret)
        text += "    secret-key = \"" + pair.secretKey + "\"\n";
    return text;
}

Result<void> writeCurveCertificate(const QString &basename, const CurveKeyPair &pair)
{
    if (!isZ85Key(pair.publicKey) || !isZ85Key(pair.secretKey)) {
        return Error(ErrorCode::InvalidOptionValue,
            u"cannot write the certificate %1: the key pair is not two CURVE keys"_s.arg(basename));
    }
    const QString publicPath = basename + u".key"_s;
    const QString secretPath = basename + u".key_secret"_s;
    // The secret first: a half-done run never leaves a public certificate without its secret.
    if (auto written = saveFile(
            secretPath, curveCertificateText(pair, true), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        !written) {
        return written;
    }
    return saveFile(publicPath, curveCertificateText(pair, false),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther);
}

Result<QByteArray> resolveCurveKey(const QString &text, KeyRole role)
{
    const char *what = role == KeyRole::Secret ? "secret" : "public";
    if (text.size() == z85KeyLength) {
        const QByteArray key = text.toLatin1();
        if (text == QString::fromLatin1(key) && isZ85Key(key))
            return key;
        return Error(ErrorCode::InvalidOptionValue,
            u"the %1 key is not a CURVE key: a value of 40 characters is always taken as a Z85 key (to name "
            "a file, write its path another way, such as @./FILE)"_s.arg(QLatin1StringView(what)));
    }
    const QString path = text.startsWith(u'@') ? text.mid(1) : text;
    if (path.isEmpty()) {
        return Error(ErrorCode::InvalidOptionValue,
            u"no %1 key given: expected a Z85 key (40 characters) or @FILE"_s.arg(QLatin1StringView(what)));
    }
    auto certificate = readCurveCertificate(path);
    if (!certificate)
        return std::move(certificate).error();
    if (role == KeyRole::Public)
        return certificate->publicKey;
    if (certificate->secretKey.isEmpty())
        return fileError(u"%1 has no secret-key: it is a public certificate"_s.arg(path));
    return certificate->secretKey;
}

} // namespace zmqscope
