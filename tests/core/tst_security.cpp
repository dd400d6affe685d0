// CURVE keys and czmq certificate files (issue 16, security.h): Z85 keys, the files czmq's zcert and
// pyzmq's zmq.auth write, ours read by pyzmq's zmq.auth.load_certificate and theirs by us, 0600 secret
// files, key arguments (KEY|@FILE), and errors that name the file and line but never show a secret.

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/security.h>

#include "../interop/securepeer.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

} // namespace

class TestSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mechanismNames();
    void z85Keys_data();
    void z85Keys();
    void generatedPairDerives();
    void writtenFilesAndModes();
    void rewriteMakesAnOpenSecretFilePrivate();
    void pyzmqLoadsOurCertificates();
    void weLoadPyzmqCertificates();
    void czmqLayoutWithMetadata();
    void badCertificatesNameFileAndLineNotTheKey();
    void certificateDirectory();
    void resolveKeyArguments();
};

void TestSecurity::mechanismNames()
{
    QCOMPARE(securityMechanismName(SecurityMechanism::Null), u"NULL"_s);
    QCOMPARE(securityMechanismName(SecurityMechanism::Plain), u"PLAIN"_s);
    QCOMPARE(securityMechanismName(SecurityMechanism::Curve), u"CURVE"_s);
    QCOMPARE(parseSecurityMechanism(u" curve "_s).valueOr(SecurityMechanism::Null), SecurityMechanism::Curve);
    const auto bad = parseSecurityMechanism(u"GSSAPI"_s);
    QVERIFY(!bad);
    QCOMPARE(bad.errorMessage(), u"unknown security mechanism \"GSSAPI\": use NULL, PLAIN or CURVE"_s);
}

void TestSecurity::z85Keys_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    // RFC 26's test keys: a server's public key and a client's secret key.
    QTest::newRow("rfc26 public") << QByteArray("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7") << true;
    QTest::newRow("rfc26 secret") << QByteArray("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs") << true;
    QTest::newRow("starts with @") << (QByteArray("@") + QByteArray(39, '0')) << true;
    QTest::newRow("39 characters") << QByteArray(39, '0') << false;
    QTest::newRow("41 characters") << QByteArray(41, '0') << false;
    QTest::newRow("a space") << (QByteArray(39, '0') + ' ') << false;
    QTest::newRow("a quote") << (QByteArray(39, '0') + '"') << false;
    QTest::newRow("too big a group") << (QByteArray("#####") + QByteArray(35, '0')) << false;
}

void TestSecurity::z85Keys()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QCOMPARE(isZ85Key(text), valid);
}

void TestSecurity::generatedPairDerives()
{
    const auto pair = generateCurveKeyPair();
    QVERIFY2(pair, qPrintable(pair.errorMessage()));
    QVERIFY(isZ85Key(pair->publicKey));
    QVERIFY(isZ85Key(pair->secretKey));
    QCOMPARE(curvePublicKeyOf(pair->secretKey).valueOr({}), pair->publicKey);
    const auto other = generateCurveKeyPair();
    QVERIFY(other && other->secretKey != pair->secretKey);
    const auto bad = curvePublicKeyOf("not a key");
    QVERIFY(!bad);
    QVERIFY(!bad.errorMessage().contains(u"not a key"_s)); // a secret is never repeated
}

void TestSecurity::writtenFilesAndModes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto pair = generateCurveKeyPair();
    QVERIFY(pair);
    const QString base = dir.filePath(u"server"_s);
    const auto written = writeCurveCertificate(base, *pair);
    QVERIFY2(written, qPrintable(written.errorMessage()));
    QCOMPARE(securepeer::fileMode(base + u".key_secret"_s), 0600);
    QCOMPARE(securepeer::fileMode(base + u".key"_s), 0644);

    const auto publicCertificate = readCurveCertificate(base + u".key"_s);
    QVERIFY2(publicCertificate, qPrintable(publicCertificate.errorMessage()));
    QCOMPARE(publicCertificate->publicKey, pair->publicKey);
    QVERIFY(publicCertificate->secretKey.isEmpty());
    QFile publicFile(base + u".key"_s);
    QVERIFY(publicFile.open(QIODevice::ReadOnly));
    const QByteArray publicText = publicFile.readAll();
    QVERIFY(!publicText.contains(pair->secretKey));
    QVERIFY(publicText.startsWith("#   ****  Generated on "));
    QVERIFY(publicText.contains(" by ZmqScope  ****\n#   ZeroMQ CURVE Public Certificate\n"));
    QVERIFY(
        publicText.endsWith(QByteArray("metadata\ncurve\n    public-key = \"" + pair->publicKey + "\"\n")));

    const auto secretCertificate = readCurveCertificate(base + u".key_secret"_s);
    QVERIFY(secretCertificate);
    QCOMPARE(secretCertificate->publicKey, pair->publicKey);
    QCOMPARE(secretCertificate->secretKey, pair->secretKey);
    QCOMPARE(secretCertificate->path, base + u".key_secret"_s);
}

void TestSecurity::rewriteMakesAnOpenSecretFilePrivate()
{
    // A secret file that somebody made readable is rewritten 0600, whatever it was before.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString base = dir.filePath(u"client"_s);
    QVERIFY(writeText(base + u".key_secret"_s, "old\n"));
    QVERIFY(QFile::setPermissions(base + u".key_secret"_s,
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
    QCOMPARE(securepeer::fileMode(base + u".key_secret"_s), 0644);
    const auto pair = generateCurveKeyPair();
    QVERIFY(pair);
    QVERIFY(writeCurveCertificate(base, *pair));
    QCOMPARE(securepeer::fileMode(base + u".key_secret"_s), 0600);

    const auto unwritable = writeCurveCertificate(dir.filePath(u"missing/dir/x"_s), *pair);
    QVERIFY(!unwritable);
    QVERIFY2(unwritable.errorMessage().contains(dir.filePath(u"missing/dir/x.key_secret"_s)),
        qPrintable(unwritable.errorMessage()));
}

void TestSecurity::pyzmqLoadsOurCertificates()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const securepeer::OwnKeys ours = securepeer::ownKeys(dir.path(), u"ours"_s);
    QVERIFY(!ours.secretFile.isEmpty());
    const auto loaded = securepeer::run({ u"load"_s, ours.secretFile, ours.publicFile });
    QVERIFY2(loaded->exitedWith(0), loaded->diagnostics());
    const QJsonObject both = securepeer::jsonLine(*loaded, 0);
    QCOMPARE(both.value(u"public"_s).toString().toLatin1(), ours.pair.publicKey);
    QCOMPARE(both.value(u"secret"_s).toString().toLatin1(), ours.pair.secretKey);
    const QJsonObject publicOnly = securepeer::jsonLine(*loaded, 1);
    QCOMPARE(publicOnly.value(u"public"_s).toString().toLatin1(), ours.pair.publicKey);
    QVERIFY(publicOnly.value(u"secret"_s).isNull());
}

void TestSecurity::weLoadPyzmqCertificates()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto keygen = securepeer::run({ u"keygen"_s, dir.path(), u"peer"_s });
    const QList<QByteArray> paths = keygen->lines();
    QVERIFY2(keygen->exitedWith(0) && paths.size() == 2, keygen->diagnostics());
    const QString publicPath = QString::fromUtf8(paths.at(0));
    const QString secretPath = QString::fromUtf8(paths.at(1));
    QCOMPARE(publicPath, dir.filePath(u"peer.key"_s));
    const auto loaded = securepeer::run({ u"load"_s, secretPath });
    QVERIFY2(loaded->exitedWith(0), loaded->diagnostics());
    const QJsonObject theirs = securepeer::jsonLine(*loaded, 0);

    const auto publicCertificate = readCurveCertificate(publicPath);
    QVERIFY2(publicCertificate, qPrintable(publicCertificate.errorMessage()));
    QCOMPARE(publicCertificate->publicKey, theirs.value(u"public"_s).toString().toLatin1());
    QVERIFY(publicCertificate->secretKey.isEmpty());
    const auto secretCertificate = readCurveCertificate(secretPath);
    QVERIFY(secretCertificate);
    QCOMPARE(secretCertificate->secretKey, theirs.value(u"secret"_s).toString().toLatin1());
    QCOMPARE(curvePublicKeyOf(secretCertificate->secretKey).valueOr({}), secretCertificate->publicKey);
}

void TestSecurity::czmqLayoutWithMetadata()
{
    // As czmq's zcert_save writes it (zconfig: quoted values, 4-space indents), CRLF line ends too.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto pair = generateCurveKeyPair();
    QVERIFY(pair);
    const QString path = dir.filePath(u"czmq.key_secret"_s);
    QVERIFY(writeText(path,
        "#   ****  Generated on 2026-01-01 10:00:00 by CZMQ  ****\r\n"
        "#   ZeroMQ CURVE **Secret** Certificate\r\n"
        "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\r\n"
        "\r\n"
        "metadata\r\n"
        "    name = \"order service\"\r\n"
        "    email = 'ops@example.org'   # who to ask\r\n"
        "curve\r\n"
        "    public-key = \""
            + pair->publicKey + "\"\r\n    secret-key = \"" + pair->secretKey + "\"\r\n"));
    const auto certificate = readCurveCertificate(path);
    QVERIFY2(certificate, qPrintable(certificate.errorMessage()));
    QCOMPARE(certificate->publicKey, pair->publicKey);
    QCOMPARE(certificate->secretKey, pair->secretKey);
    const QList<std::pair<QByteArray, QByteArray>> metadata { { "name", "order service" },
        { "email", "ops@example.org" } };
    QCOMPARE(certificate->metadata, metadata);
}

void TestSecurity::badCertificatesNameFileAndLineNotTheKey()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString missing = dir.filePath(u"nowhere.key"_s);
    const auto absent = readCurveCertificate(missing);
    QVERIFY(!absent);
    QCOMPARE(absent.error().code(), ErrorCode::FileError);
    QVERIFY2(absent.errorMessage().startsWith(u"cannot read the certificate %1: "_s.arg(missing)),
        qPrintable(absent.errorMessage()));

    // A secret key one character short: the error names the line, never the text of the key.
    const QByteArray almost = "0123456789abcdefghijklmnopqrstuvwxyzABC";
    const QString bad = dir.filePath(u"bad.key_secret"_s);
    QVERIFY(writeText(bad,
        "curve\n    public-key = \"" + QByteArray(40, '0') + "\"\n    secret-key = \"" + almost + "\"\n"));
    const auto malformed = readCurveCertificate(bad);
    QVERIFY(!malformed);
    QCOMPARE(malformed.errorMessage(),
        u"%1 line 3: secret-key is not a CURVE key (40 characters of Z85 text)"_s.arg(bad));
    QVERIFY(!malformed.errorMessage().contains(QString::fromLatin1(almost)));

    const QString notOne = dir.filePath(u"notes.txt"_s);
    QVERIFY(writeText(notOne, "just some text\n"));
    const auto noKey = readCurveCertificate(notOne);
    QVERIFY(!noKey);
    QCOMPARE(noKey.errorMessage(),
        u"%1 is not a CURVE certificate: it has no public-key in a curve section"_s.arg(notOne));
}

void TestSecurity::certificateDirectory()
{
    // zauth's allow directory: every certificate in it; other files skipped; a bad certificate is an error.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto first = generateCurveKeyPair();
    const auto second = generateCurveKeyPair();
    QVERIFY(first && second);
    QVERIFY(writeCurveCertificate(dir.filePath(u"b"_s), *first));
    QVERIFY(writeText(dir.filePath(u"a.key"_s), curveCertificateText(*second, false)));
    QVERIFY(writeText(dir.filePath(u"README"_s), "the clients of the order service\n"));
    const auto certificates = readCurveCertificateDirectory(dir.path());
    QVERIFY2(certificates, qPrintable(certificates.errorMessage()));
    QStringList names;
    for (const CurveCertificate &certificate : *certificates) {
        names.append(QFileInfo(certificate.path).fileName());
        QVERIFY(certificate.secretKey.isEmpty()); // an allow list holds public keys only
    }
    QCOMPARE(names, (QStringList { u"a.key"_s, u"b.key"_s, u"b.key_secret"_s }));
    QCOMPARE(certificates->at(0).publicKey, second->publicKey);
    QCOMPARE(certificates->at(1).publicKey, first->publicKey);

    QVERIFY(writeText(dir.filePath(u"c.key"_s), "curve\n    public-key = \"short\"\n"));
    const auto broken = readCurveCertificateDirectory(dir.path());
    QVERIFY(!broken);
    QVERIFY2(broken.errorMessage().startsWith(dir.filePath(u"c.key"_s)), qPrintable(broken.errorMessage()));

    const auto absent = readCurveCertificateDirectory(dir.filePath(u"none"_s));
    QVERIFY(!absent);
    QCOMPARE(
        absent.errorMessage(), u"the certificate directory %1 does not exist"_s.arg(dir.filePath(u"none"_s)));
}

void TestSecurity::resolveKeyArguments()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const securepeer::OwnKeys keys = securepeer::ownKeys(dir.path(), u"k"_s);
    QVERIFY(!keys.secretFile.isEmpty());
    const CurveKeyPair &pair = keys.pair;
    const QString base = dir.filePath(u"k"_s);

    QCOMPARE(
        resolveCurveKey(QString::fromLatin1(pair.publicKey), KeyRole::Public).valueOr({}), pair.publicKey);
    // 40 characters are always a key, even one that begins with '@' (Z85 has it).
    const QByteArray atKey = "@" + QByteArray(39, '0');
    QCOMPARE(resolveCurveKey(QString::fromLatin1(atKey), KeyRole::Public).valueOr({}), atKey);
    QCOMPARE(resolveCurveKey(u"@"_s + base + u".key"_s, KeyRole::Public).valueOr({}), pair.publicKey);
    QCOMPARE(resolveCurveKey(base + u".key_secret"_s, KeyRole::Secret).valueOr({}), pair.secretKey);
    QCOMPARE(resolveCurveKey(base + u".key_secret"_s, KeyRole::Public).valueOr({}), pair.publicKey);

    const auto publicForSecret = resolveCurveKey(u"@"_s + base + u".key"_s, KeyRole::Secret);
    QVERIFY(!publicForSecret);
    QCOMPARE(
        publicForSecret.errorMessage(), u"%1.key has no secret-key: it is a public certificate"_s.arg(base));

    const QString notZ85 = QString(39, u'0') + u'~';
    const auto badKey = resolveCurveKey(notZ85, KeyRole::Secret);
    QVERIFY(!badKey);
    QCOMPARE(badKey.error().code(), ErrorCode::InvalidOptionValue);
    QVERIFY(!badKey.errorMessage().contains(notZ85));

    const auto nothing = resolveCurveKey(u"@"_s, KeyRole::Public);
    QVERIFY(!nothing);
    QCOMPARE(nothing.errorMessage(), u"no public key given: expected a Z85 key (40 characters) or @FILE"_s);
}

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
