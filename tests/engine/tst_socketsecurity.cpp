// SocketSpec::security without sockets (issue 16): JSON (hence workspaces) holds no secret and reads
// the secret key back from its file, what a loaded spec still needs, and validate() naming the bad field.

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/engine/socketspec.h>
#include <zmqscope/engine/tap.h>
#include <zmqscope/security.h>

#include "../interop/securepeer.h"
#include "enginetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

Q_DECLARE_METATYPE(zmqscope::SocketSecurity)

namespace {

QByteArray jsonText(const SocketSpec &spec)
{
    return QJsonDocument(spec.toJson()).toJson(QJsonDocument::Indented);
}

SocketSpec roundTrip(const SocketSpec &spec)
{
    return SocketSpec::fromJson(QJsonDocument::fromJson(jsonText(spec)).object());
}

SocketSpec specWith(const SocketSecurity &security)
{
    SocketSpec spec;
    spec.name = u"s"_s;
    spec.type = SocketType::Rep;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    spec.security = security;
    return spec;
}

} // namespace

class TestSocketSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nullSpecHasNoSecurityObject();
    void curveServerJsonHoldsTheFileNotTheKey();
    void keyFileThatCannotBeReadIsNamed();
    void keyFilePathOfKeyLengthIsAFile();
    void typedSecretKeyIsMissingAfterLoading();
    void plainPasswordsAreNeverWritten();
    void plainCredentials();
    void secretRawOptionsAreNeitherSavedNorShown();
    void validateNamesTheField_data();
    void validateNamesTheField();
    void tapSidesHaveTheirRoles();
};

void TestSocketSecurity::nullSpecHasNoSecurityObject()
{
    SocketSpec spec = specWith({});
    QVERIFY(!spec.toJson().contains(u"security"_s));
    QVERIFY(spec.security.isNull());
    spec.security.denyIps = { u"10.1.2.3"_s }; // NULL with an IP list is not "nothing"
    QVERIFY(!spec.security.isNull());
    QVERIFY(spec.security.needsZap());
    QCOMPARE(roundTrip(spec).security.denyIps, QStringList { u"10.1.2.3"_s });
}

void TestSocketSecurity::curveServerJsonHoldsTheFileNotTheKey()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const securepeer::OwnKeys server = securepeer::ownKeys(dir.path(), u"server"_s);
    const auto client = generateCurveKeyPair();
    QVERIFY(!server.secretFile.isEmpty() && client);
    const CurveKeyPair &pair = server.pair;

    SocketSecurity security = enginetest::curveServerSecurity(pair, server.secretFile);
    security.allowKeys = { client->publicKey };
    security.allowKeyPaths = { dir.path() };
    security.allowIps = { u"127.0.0.1"_s };
    security.denyIps = { u"::1"_s };
    const SocketSpec spec = specWith(security);
    QVERIFY(spec.security.validate());

    const QByteArray text = jsonText(spec);
    QVERIFY2(!text.contains(pair.secretKey), text.constData());
    QVERIFY(text.contains(pair.publicKey));

    const SocketSpec loaded = roundTrip(spec);
    const SocketSecurity &read = loaded.security;
    QCOMPARE(read.mechanism, SecurityMechanism::Curve);
    QVERIFY(read.server);
    QCOMPARE(read.curveSecretKey, pair.secretKey); // read back from the file
    QCOMPARE(read.curvePublicKey, pair.publicKey);
    QCOMPARE(read.curveSecretKeyFile, server.secretFile);
    QCOMPARE(read.allowKeys, QList<QByteArray> { client->publicKey });
    QCOMPARE(read.allowKeyPaths, QStringList { dir.path() });
    QCOMPARE(read.allowIps, QStringList { u"127.0.0.1"_s });
    QCOMPARE(read.denyIps, QStringList { u"::1"_s });
    QVERIFY(read.missingSecrets().isEmpty());
    QVERIFY(read.validate());

    // Only the file (as a dialog may set it): opening reads the key from it.
    SocketSecurity fileOnly = security;
    fileOnly.curveSecretKey.clear();
    QVERIFY(fileOnly.validate());
    QVERIFY(fileOnly.missingSecrets().isEmpty());
    QCOMPARE(fileOnly.ownKeyPair().valueOr({}).secretKey, pair.secretKey);
    QCOMPARE(fileOnly.ownKeyPair().valueOr({}).publicKey, pair.publicKey);
}

void TestSocketSecurity::keyFileThatCannotBeReadIsNamed()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const securepeer::OwnKeys gone = securepeer::ownKeys(dir.path(), u"gone"_s);
    QVERIFY(!gone.secretFile.isEmpty());
    const QString base = dir.filePath(u"gone"_s);
    SocketSecurity security = enginetest::curveServerSecurity(gone.pair, gone.secretFile);
    security.allowAny = true;
    const QJsonObject json = specWith(security).toJson();

    QVERIFY(QFile::remove(base + u".key_secret"_s));
    try {
        (void)SocketSpec::fromJson(json);
        QFAIL("a missing key file was not an error");
    } catch (const Error &error) {
        QCOMPARE(error.code(), ErrorCode::FileError);
        QVERIFY2(error.message().startsWith(u"socket \"s\": security.curveSecretKeyFile: cannot read the "
                                            "certificate %1: "_s.arg(base + u".key_secret"_s)),
            qPrintable(error.message()));
    }

    // The public certificate in its place: the secret is not there.
    QJsonObject publicOnly = json;
    QJsonObject securityJson = publicOnly.value(u"security"_s).toObject();
    securityJson.insert(u"curveSecretKeyFile"_s, QString(base + u".key"_s));
    securityJson.remove(u"curvePublicKey"_s);
    publicOnly.insert(u"security"_s, securityJson);
    try {
        (void)SocketSpec::fromJson(publicOnly);
        QFAIL("a public certificate as the secret key file was not an error");
    } catch (const Error &error) {
        QCOMPARE(error.message(),
            u"socket \"s\": security.curveSecretKeyFile: %1.key has no secret-key: it is a public certificate"_s
                .arg(base));
    }
}

void TestSocketSecurity::keyFilePathOfKeyLengthIsAFile()
{
    // JSON's curveSecretKeyFile is a path: "@PATH" being 40 characters must not make it a Z85 key.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString natural = dir.filePath(u"s"_s);
    if (natural.size() > 39)
        QSKIP("the temporary directory's path is too long to make a 39-character path in it");
    // Extra slashes name the same file: "/tmp/x///s".
    const QString path = dir.path() + QString(39 - natural.size() + 1, u'/') + u"s"_s;
    QCOMPARE(path.size(), 39);
    const auto pair = generateCurveKeyPair();
    QVERIFY(pair);
    QVERIFY(writeCurveCertificate(dir.filePath(u"k"_s), *pair));
    QVERIFY(QFile::copy(dir.filePath(u"k.key_secret"_s), natural));
    SocketSecurity security;
    security.mechanism = SecurityMechanism::Curve;
    security.server = true;
    security.allowAny = true;
    security.curveSecretKey = pair->secretKey;
    security.curveSecretKeyFile = path;
    QCOMPARE(roundTrip(specWith(security)).security.curveSecretKey, pair->secretKey);
}

void TestSocketSecurity::typedSecretKeyIsMissingAfterLoading()
{
    // A secret key typed in (no file) cannot be saved: the loaded spec says it is missing.
    const auto pair = generateCurveKeyPair();
    QVERIFY(pair);
    SocketSecurity security;
    security.mechanism = SecurityMechanism::Curve;
    security.server = true;
    security.allowAny = true;
    security.curveSecretKey = pair->secretKey;
    const SocketSpec spec = specWith(security);
    QVERIFY(!jsonText(spec).contains(pair->secretKey));
    const SocketSpec loaded = roundTrip(spec);
    QVERIFY(loaded.security.curveSecretKey.isEmpty());
    QCOMPARE(loaded.security.curvePublicKey, pair->publicKey);
    QVERIFY(loaded.security.missingSecrets().curveSecretKey);
    QVERIFY(!loaded.security.validate());
}

void TestSocketSecurity::plainPasswordsAreNeverWritten()
{
    SocketSecurity server;
    server.mechanism = SecurityMechanism::Plain;
    server.server = true;
    server.acceptUsers = { { u"alice"_s, u"pw-of-alice"_s }, { u"bob"_s, u"pw-of-bob"_s } };
    const SocketSpec serverSpec = specWith(server);
    const QByteArray serverText = jsonText(serverSpec);
    QVERIFY2(!serverText.contains("pw-of-"), serverText.constData());
    const SocketSecurity loadedServer = roundTrip(serverSpec).security;
    QCOMPARE(loadedServer.acceptUsers.size(), 2);
    QCOMPARE(loadedServer.acceptUsers.at(1).user, u"bob"_s);
    QVERIFY(loadedServer.acceptUsers.at(1).password.isEmpty());
    QCOMPARE(loadedServer.missingSecrets().acceptUserPasswords, (QStringList { u"alice"_s, u"bob"_s }));

    SocketSecurity client;
    client.mechanism = SecurityMechanism::Plain;
    client.plainUser = u"carol"_s;
    client.plainPassword = u"pw-of-carol"_s;
    SocketSpec clientSpec = specWith(client);
    clientSpec.type = SocketType::Req;
    clientSpec.binds.clear();
    clientSpec.connects = { u"tcp://127.0.0.1:5555"_s };
    QVERIFY(!jsonText(clientSpec).contains("pw-of-carol"));
    const SocketSecurity loadedClient = roundTrip(clientSpec).security;
    QCOMPARE(loadedClient.plainUser, u"carol"_s);
    QVERIFY(loadedClient.missingSecrets().plainPassword);
    QVERIFY(client.missingSecrets().isEmpty());
}

void TestSocketSecurity::secretRawOptionsAreNeitherSavedNorShown()
{
    // --option curve_secretkey=... bypasses SocketSecurity: still no secret in JSON or in an error line.
    const QByteArray secret = generateCurveKeyPair()->secretKey;
    SocketSpec spec = specWith({});
    spec.options = { { "linger", OptionValue(0) }, { "curve_secretkey", OptionValue(secret) },
        { "plain_password", OptionValue(QByteArray("raw-pw")) } };
    const QByteArray text = jsonText(spec);
    QVERIFY2(!text.contains(secret) && !text.contains("raw-pw"), text.constData());
    QCOMPARE(roundTrip(spec).options.size(), size_t(1));

    spec.options = { { "curve_secretkey", OptionValue(QByteArray("short-secret")) } };
    try {
        spec.validate();
        QFAIL("a CURVE key of 12 bytes was accepted");
    } catch (const Error &error) {
        QVERIFY2(!error.message().contains(u"short-secret"_s), qPrintable(error.message()));
        QVERIFY2(
            error.message().endsWith(u"got a value not shown (a secret)"_s), qPrintable(error.message()));
    }
}

void TestSocketSecurity::plainCredentials()
{
    const auto parsed = PlainCredentials::parse(u"alice:pa:ss"_s);
    QVERIFY(parsed);
    QCOMPARE(parsed->user, u"alice"_s);
    QCOMPARE(parsed->password, u"pa:ss"_s);
    QCOMPARE(PlainCredentials::parse(u"alice:"_s)->password, QString());
    const auto noColon = PlainCredentials::parse(u"alice"_s);
    QCOMPARE(noColon.errorMessage(), u"a PLAIN user must be NAME:PASSWORD; \"alice\" has no ':'"_s);
    const auto noName = PlainCredentials::parse(u":secret-pw"_s);
    QCOMPARE(noName.errorMessage(), u"a PLAIN user must be NAME:PASSWORD with a name before the ':'"_s);
}

void TestSocketSecurity::validateNamesTheField_data()
{
    const QByteArray secret = generateCurveKeyPair()->secretKey;
    const QByteArray key = generateCurveKeyPair()->publicKey;
    QTest::addColumn<SocketSecurity>("security");
    QTest::addColumn<QString>("message");
    SocketSecurity s;
    s.mechanism = SecurityMechanism::Curve;
    s.server = true;
    QTest::newRow("curve server without secret")
        << s
        << u"security.curveSecretKey: a CURVE server needs its secret key (--curve-secret-key KEY|@FILE; "
           "zmqscope-cli keygen makes one)"_s;
    s.curveSecretKey = "not-a-key-but-maybe-a-secret";
    QTest::newRow("bad secret") << s
                                << u"security.curveSecretKey: not a CURVE key (40 characters of Z85 text)"_s;
    s.curveSecretKey = secret;
    s.curveServerKey = key;
    QTest::newRow("server key on a server")
        << s << u"security.curveServerKey: applies to a CURVE client only, not to a CURVE server"_s;
    s.curveServerKey.clear();
    s.allowKeys = { "short" };
    QTest::newRow("bad allow key")
        << s << u"security.allowKeys[0]: \"short\" is not a CURVE key (40 characters of Z85 text)"_s;
    s.allowKeys.clear();
    s.allowIps = { u"127.0.0.1"_s, u"localhost"_s };
    QTest::newRow("bad address")
        << s << u"security.allowIps[1]: \"localhost\" is not an IP address (such as 127.0.0.1 or ::1)"_s;
    s.allowIps.clear();
    s.curvePublicKey = key;
    QTest::newRow("public key of another pair")
        << s
        << u"security.curvePublicKey: %1 is not the public key of the secret key"_s.arg(
               QString::fromLatin1(key));

    SocketSecurity c;
    c.mechanism = SecurityMechanism::Curve;
    QTest::newRow("curve client without server key")
        << c
        << u"security.curveServerKey: a CURVE client needs the server's public key (--curve-server-key KEY|@FILE)"_s;
    c.curveServerKey = key;
    c.allowAny = true;
    QTest::newRow("allow any on a client")
        << c << u"security.allowAny: applies to a CURVE server only, not to a CURVE client"_s;

    SocketSecurity p;
    p.mechanism = SecurityMechanism::Plain;
    QTest::newRow("plain client without user")
        << p << u"security.plainUser: a PLAIN client needs a user name (--plain-user NAME)"_s;
    SocketSecurity n;
    n.server = true;
    QTest::newRow("null server")
        << n << u"security.server: applies to PLAIN and CURVE only, not to a NULL server"_s;
}

void TestSocketSecurity::validateNamesTheField()
{
    QFETCH(SocketSecurity, security);
    QFETCH(QString, message);
    const Result<void> checked = security.validate();
    QVERIFY(!checked);
    QCOMPARE(checked.error().code(), ErrorCode::InvalidOptionValue);
    QCOMPARE(checked.errorMessage(), message);
    if (security.curveSecretKey.size() > 0)
        QVERIFY(!checked.errorMessage().contains(QString::fromLatin1(security.curveSecretKey)));
    // SocketSpec::validate() says which socket.
    try {
        specWith(security).validate();
        QFAIL("SocketSpec::validate() accepted it");
    } catch (const Error &error) {
        QCOMPARE(error.message(), u"socket \"s\": "_s + message);
    }
}

void TestSocketSecurity::tapSidesHaveTheirRoles()
{
    TapSpec spec;
    spec.name = u"t"_s;
    spec.listen = { u"tcp://127.0.0.1:*"_s };
    spec.forward = { u"tcp://127.0.0.1:5555"_s };
    spec.listenSecurity.mechanism = SecurityMechanism::Plain;
    QCOMPARE(spec.validate().errorMessage(),
        u"the clients' side of tap \"t\" is a PLAIN server (the clients connect to it): set "
        "listenSecurity.server"_s);
    spec.listenSecurity = {};
    spec.forwardSecurity.denyIps = { u"10.0.0.1"_s };
    QCOMPARE(spec.validate().errorMessage(),
        u"the server's side of tap \"t\" accepts no clients: IP lists belong to the clients' side"_s);
    spec.forwardSecurity = {};
    spec.forwardSecurity.mechanism = SecurityMechanism::Curve;
    spec.forwardSecurity.curveServerKey = generateCurveKeyPair()->publicKey;
    QVERIFY(spec.validate());
    QCOMPARE(spec.forwardSocketSpec().security.curveServerKey, spec.forwardSecurity.curveServerKey);
}

QTEST_GUILESS_MAIN(TestSocketSecurity)
#include "tst_socketsecurity.moc"
