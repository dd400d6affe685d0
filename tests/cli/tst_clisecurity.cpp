// zmqscope-cli's security options and keygen end to end (issue 16), against an independent peer:
// Debian's python3-zmq (tests/interop/secure_peer.py) with pyzmq's own ZAP handler
// (zmq.auth.thread.ThreadAuthenticator) and certificates made by zmq.auth.create_certificates. Every
// line a user sees is compared whole; no secret may appear in anything the CLI prints.

#include <csignal>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "../interop/securepeer.h"
#include "clitestsupport.h"

using namespace Qt::StringLiterals;
using namespace clitest;

namespace {

const QString HandshakeNoDetail
    = u"handshake failed with no detail: the server's public key is probably wrong"_s;
const QString KeyRejected = u"handshake failed: the server rejected our key (ZAP status 400)"_s;
const QString PlainRefused = u"handshake failed: PLAIN: username or password refused (ZAP status 400)"_s;

/// Runs the python peer to its end (a client, `load`); check exitedWith() on the result.
std::unique_ptr<TestProcess> runPeer(const QStringList &arguments)
{
    return securepeer::run(arguments, RunTimeout);
}

/// A python server bound to a free port; returns the endpoint it printed (empty when it did not start).
QString startServer(TestProcess &process, const QStringList &arguments)
{
    if (!securepeer::start(process,
            QStringList { u"server"_s, u"--bind"_s, AnyPort, u"--timeout"_s, QString::number(RunTimeout) }
                + arguments))
        return {};
    return process.waitForPeerEndpoint();
}

/// The whole of stderr as one expected error line.
QByteArray errorLine(const QString &message)
{
    return "zmqscope-cli: " + message.toUtf8() + '\n';
}

} // namespace

class TestCliSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void help_data();
    void help();
    void keygenPrintsAPairPyzmqAccepts();
    void keygenWritesCertificates();
    void keygenKeepsExistingKeys();
    void keygenWriteErrorNamesTheFile();
    void curveServerInCliAnswersPyzmq_data();
    void curveServerInCliAnswersPyzmq();
    void curveListenReceivesFromPyzmq();
    void curveClientInCliReachesPyzmq_data();
    void curveClientInCliReachesPyzmq();
    void curveClientRefused_data();
    void curveClientRefused();
    void tapServerSideRefused();
    void plainClientRefusedThenAccepted();
    void plainServerRefusesAndGoesOn();
    void curveServerWithoutAllowListRefusesEveryone();
    void ipRules_data();
    void ipRules();
    void mechanismMismatch_data();
    void mechanismMismatch();
    void cliToCliWithKeygenKeys();
    void tapWithCurveOnBothSides();
    void usageErrors_data();
    void usageErrors();

private:
    /// The certificate files zmq.auth.create_certificates wrote: NAME.key and NAME.key_secret.
    [[nodiscard]] QString certificate(const QString &name, bool secret = false) const
    {
        return m_dir.filePath(u"certs/"_s + name + (secret ? u".key_secret"_s : u".key"_s));
    }
    /// A python CURVE server with the "server" keys that lets in the "client" key (its allow directory).
    [[nodiscard]] QString startCurveServer(TestProcess &server) const
    {
        return startServer(server,
            { u"--curve-cert"_s, certificate(u"server"_s, true), u"--allow-dir"_s,
                m_dir.filePath(u"clients"_s) });
    }
    /// The public key and the secret key of certificate NAME as pyzmq reads them.
    [[nodiscard]] QPair<QString, QString> keys(const QString &name) const;
    /// Checks that no output of `process` holds a secret of ours.
    void verifyNoSecret(const TestProcess &process) const;

    QTemporaryDir m_dir;
    QStringList m_secrets; // every secret key and password the tests use
};

void TestCliSecurity::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(ZMQSCOPE_CLI_PATH)), ZMQSCOPE_CLI_PATH);
    // Certificates as pyzmq makes them (czmq's format); "clients" holds only the client's public one,
    // the allow directory of a server.
    QVERIFY(QDir(m_dir.path()).mkpath(u"certs"_s) && QDir(m_dir.path()).mkpath(u"clients"_s));
    QVERIFY(
        securepeer::keygen(m_dir.filePath(u"certs"_s), { u"server"_s, u"client"_s, u"other"_s, u"tap"_s }));
    QVERIFY(QFile::copy(certificate(u"client"_s), m_dir.filePath(u"clients/client.key"_s)));
    for (const QString &name : { u"server"_s, u"client"_s, u"other"_s, u"tap"_s })
        m_secrets.append(keys(name).second);
    // One message to replay.
    QFile capture(m_dir.filePath(u"one.zmqcap"_s));
    QVERIFY(capture.open(QIODevice::WriteOnly));
    QVERIFY(
        capture.write("{\"zmqscope_capture\":1,\"created\":\"2026-12-05T13:00:00Z\"}\n"
                      "{\"ts\":\"2026-12-05T13:00:00Z\",\"socket\":\"PULL\",\"type\":\"PULL\",\"dir\":\"in\","
                      "\"frames\":[\"\",\"dGV4dC9wbGFpbg==\",\"cmVj\"]}\n")
        > 0);
    capture.close();
    m_secrets += QStringList { u"wonderland"_s, u"not-the-password"_s };
}

QPair<QString, QString> TestCliSecurity::keys(const QString &name) const
{
    const auto peer = runPeer({ u"load"_s, certificate(name, true) });
    const QJsonObject keys = securepeer::jsonLine(*peer, 0);
    if (!peer->exitedWith(0) || peer->lines().size() != 1)
        return {};
    return { keys.value(u"public"_s).toString(), keys.value(u"secret"_s).toString() };
}

void TestCliSecurity::verifyNoSecret(const TestProcess &process) const
{
    for (const QString &secret : m_secrets) {
        QVERIFY2(!process.out().contains(secret.toUtf8()), qPrintable(u"stdout shows "_s + secret));
        QVERIFY2(!process.err().contains(secret.toUtf8()), qPrintable(u"stderr shows "_s + secret));
    }
}

void TestCliSecurity::help_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("expected");
    const QStringList socketOptions { u"--curve-server"_s, u"--curve-secret-key <KEY|@FILE>"_s,
        u"--curve-public-key <KEY|@FILE>"_s, u"--curve-server-key <KEY|@FILE>"_s, u"--plain-server"_s,
        u"--plain-user <NAME>"_s, u"--plain-password <TEXT>"_s, u"--accept-user <NAME:PASSWORD>"_s,
        u"--allow-key <KEY|@FILE|DIR>"_s, u"--allow-any"_s, u"--allow-ip <ADDR>"_s, u"--deny-ip <ADDR>"_s };
    for (const QString &command : { u"listen"_s, u"send"_s, u"echo"_s, u"replay"_s })
        QTest::newRow(qPrintable(command)) << QStringList { command, u"--help"_s } << socketOptions;
    QTest::newRow("tap") << QStringList { u"tap"_s, u"--help"_s }
                         << QStringList { u"--curve-secret-key <KEY|@FILE>"_s, u"--allow-any"_s,
                                u"--forward-curve-server-key <KEY|@FILE>"_s, u"--forward-plain-user <NAME>"_s,
                                u"the server's side, where the tap is a client"_s };
    QTest::newRow("keygen") << QStringList { u"keygen"_s, u"--help"_s }
                            << QStringList { u"--out <BASENAME>"_s, u"BASENAME.key_secret"_s, u"0600"_s };
    QTest::newRow("top") << QStringList { u"--help"_s }
                         << QStringList { u"keygen"_s, u"--curve-server-key"_s };
}

void TestCliSecurity::help()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, expected);
    const auto cli = runCli(arguments);
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    const QString out = QString::fromUtf8(cli->out());
    for (const QString &text : expected)
        QVERIFY2(out.contains(text), qPrintable(text + u" not in: "_s + out));
}

void TestCliSecurity::keygenPrintsAPairPyzmqAccepts()
{
    const auto cli = runCli({ u"keygen"_s });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    const auto match = QRegularExpression(u"^public-key = \"(.{40})\"\nsecret-key = \"(.{40})\"\n$"_s)
                           .match(QString::fromUtf8(cli->out()));
    QVERIFY2(match.hasMatch(), cli->diagnostics());
    QVERIFY(cli->err().isEmpty());
    // libzmq under pyzmq derives the same public key from the secret one.
    TestProcess python;
    QVERIFY(python.start(QStringLiteral(ZMQSCOPE_PYTHON),
        { u"-c"_s, u"import sys, zmq; print(zmq.curve_public(sys.argv[1].encode()).decode())"_s,
            match.captured(2) }));
    QVERIFY(python.waitForFinished());
    QVERIFY2(python.exitedWith(0), python.diagnostics());
    QCOMPARE(python.out().trimmed(), match.captured(1).toLatin1());
}

void TestCliSecurity::keygenWritesCertificates()
{
    QVERIFY(QDir(m_dir.path()).mkpath(u"keygen"_s));
    const QString basename = m_dir.filePath(u"keygen/server"_s);
    const auto cli = runCli({ u"keygen"_s, u"--out"_s, basename });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    QCOMPARE(securepeer::fileMode(basename + u".key_secret"_s), 0600);
    QCOMPARE(securepeer::fileMode(basename + u".key"_s), 0644);
    // zmq.auth.load_certificate reads both: the public file without a secret, the secret one with both.
    const auto peer = runPeer({ u"load"_s, basename + u".key"_s, basename + u".key_secret"_s });
    QVERIFY2(peer->exitedWith(0), peer->diagnostics());
    QCOMPARE(peer->lines().size(), 2);
    const QJsonObject publicFile = securepeer::jsonLine(*peer, 0);
    const QJsonObject secretFile = securepeer::jsonLine(*peer, 1);
    const QByteArray publicKey = publicFile.value(u"public"_s).toString().toLatin1();
    const QByteArray secretKey = secretFile.value(u"secret"_s).toString().toLatin1();
    QVERIFY(publicFile.value(u"secret"_s).isNull());
    QCOMPARE(secretFile.value(u"public"_s).toString().toLatin1(), publicKey);
    QCOMPARE(secretKey.size(), 40);
    // stdout has the public key (to hand out), never the secret.
    QCOMPARE(cli->out(), "public-key = \"" + publicKey + "\"\n");
    QVERIFY(!cli->err().contains(secretKey));
    QCOMPARE(cli->err(),
        errorLine(u"wrote \"%1.key\" (public certificate) and \"%1.key_secret\" (secret, mode 0600)"_s.arg(
            basename)));
}

void TestCliSecurity::keygenKeepsExistingKeys()
{
    QVERIFY(QDir(m_dir.path()).mkpath(u"keep"_s));
    const QString basename = m_dir.filePath(u"keep/k"_s);
    QVERIFY(runCli({ u"keygen"_s, u"--out"_s, basename })->exitedWith(0));
    QFile secret(basename + u".key_secret"_s);
    QVERIFY(secret.open(QIODevice::ReadOnly));
    const QByteArray before = secret.readAll();
    secret.close();

    const auto again = runCli({ u"keygen"_s, u"--out"_s, basename });
    QVERIFY2(again->exitedWith(1), again->diagnostics());
    QCOMPARE(again->err(),
        errorLine(u"\"%1.key_secret\" exists; not replacing a key (--force replaces it)"_s.arg(basename)));
    QVERIFY(again->out().isEmpty());
    QVERIFY(secret.open(QIODevice::ReadOnly));
    QCOMPARE(secret.readAll(), before);
    secret.close();

    const auto forced = runCli({ u"keygen"_s, u"--out"_s, basename, u"--force"_s });
    QVERIFY2(forced->exitedWith(0), forced->diagnostics());
    QVERIFY(secret.open(QIODevice::ReadOnly));
    QVERIFY(secret.readAll() != before);
    QCOMPARE(securepeer::fileMode(secret.fileName()), 0600);
}

void TestCliSecurity::keygenWriteErrorNamesTheFile()
{
    const QString basename = m_dir.filePath(u"no-such-dir/server"_s);
    const auto cli = runCli({ u"keygen"_s, u"--out"_s, basename });
    QVERIFY2(cli->exitedWith(1), cli->diagnostics());
    QVERIFY2(isOneErrorLine(cli->err()), cli->diagnostics());
    QVERIFY2(cli->err().contains((basename + u".key_secret"_s).toUtf8()), cli->diagnostics());
    QVERIFY(cli->out().isEmpty());
    QVERIFY(!QFile::exists(basename + u".key"_s));
}

void TestCliSecurity::curveServerInCliAnswersPyzmq_data()
{
    QTest::addColumn<QString>("allowKey");
    QTest::newRow("directory") << m_dir.filePath(u"clients"_s);
    QTest::newRow("certificate file") << u"@"_s + certificate(u"client"_s);
    QTest::newRow("Z85 key") << keys(u"client"_s).first;
}

void TestCliSecurity::curveServerInCliAnswersPyzmq()
{
    QFETCH(QString, allowKey);
    TestProcess echo;
    QVERIFY(startCli(echo,
        { u"echo"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s, u"--curve-server"_s, u"--curve-secret-key"_s,
            u"@"_s + certificate(u"server"_s, true), u"--allow-key="_s + allowKey }));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());

    const auto client = runPeer({ u"client"_s, u"--connect"_s, endpoint, u"--curve-server-key"_s,
        certificate(u"server"_s), u"--curve-cert"_s, certificate(u"client"_s, true) });
    QVERIFY2(client->exitedWith(0), client->diagnostics());
    QCOMPARE(securepeer::jsonLine(*client, 1).value(u"frames"_s).toArray().size(), 3);
    QVERIFY(echo.waitForFinished(RunTimeout));
    QVERIFY2(echo.exitedWith(0), echo.diagnostics());
    QVERIFY2(echo.out().contains("hello over security"), echo.diagnostics());
    // The decision, with the client's key and address, on stderr.
    QVERIFY2(
        echo.err().contains(u"ZAP: allowed client %1 from 127.0.0.1"_s.arg(keys(u"client"_s).first).toUtf8()),
        echo.diagnostics());
    verifyNoSecret(echo);
}

void TestCliSecurity::curveListenReceivesFromPyzmq()
{
    TestProcess listen;
    QVERIFY(startCli(listen,
        { u"listen"_s, u"-t"_s, u"router"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s, u"--format"_s,
            u"jsonl"_s, u"--curve-server"_s, u"--curve-secret-key"_s, certificate(u"server"_s, true),
            u"--allow-key"_s, u"@"_s + certificate(u"client"_s) }));
    const QString endpoint = listen.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), listen.diagnostics());
    // The client waits for a reply that a listen never sends; it is ended with the test.
    TestProcess client;
    QVERIFY(securepeer::start(client,
        { u"client"_s, u"--connect"_s, endpoint, u"--curve-server-key"_s, certificate(u"server"_s),
            u"--curve-cert"_s, certificate(u"client"_s, true) }));
    QVERIFY(listen.waitForFinished(RunTimeout));
    QVERIFY2(listen.exitedWith(0), listen.diagnostics());
    const QList<zmqscope::CaptureRecord> received = records(listen);
    QCOMPARE(received.size(), 1);
    // ROUTER: routing id, REQ's empty delimiter, then the envelope in clear.
    QCOMPARE(received[0].frames.mid(1),
        (zmqscope::Frames { QByteArray(), "sec-1", "text/plain", "hello over security" }));
    verifyNoSecret(listen);
}

void TestCliSecurity::curveClientInCliReachesPyzmq_data()
{
    QTest::addColumn<bool>("keysAsText");
    QTest::newRow("certificate files") << false;
    QTest::newRow("Z85 keys") << true;
}

void TestCliSecurity::curveClientInCliReachesPyzmq()
{
    QFETCH(bool, keysAsText);
    TestProcess server;
    const QString endpoint = startCurveServer(server);
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());
    const QString serverKey = keysAsText ? keys(u"server"_s).first : u"@"_s + certificate(u"server"_s);
    // --option=VALUE passes any key, also one that begins with '-'.
    const QString secretKey = keysAsText ? u"--curve-secret-key="_s + keys(u"client"_s).second
                                         : u"--curve-secret-key="_s + certificate(u"client"_s, true);
    const auto cli = runCli({ u"send"_s, u"-t"_s, u"req"_s, u"--connect"_s, endpoint, u"--curve-server-key"_s,
        serverKey, secretKey, u"--id"_s, u"c-1"_s, u"--text"_s, u"encrypted hello"_s });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    QVERIFY2(cli->out().contains("encrypted hello"), cli->diagnostics());
    QVERIFY(server.waitForFinished(RunTimeout));
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    verifyNoSecret(*cli);
}

void TestCliSecurity::curveClientRefused_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<QString>("serverKey"); // the certificate given as --curve-server-key
    QTest::addColumn<QString>("ownKeys"); // the client's own certificate; none: a fresh pair
    QTest::addColumn<QString>("expected");
    const QStringList send { u"send"_s, u"-t"_s, u"req"_s, u"--text"_s, u"x"_s };
    QTest::newRow("send, wrong server key") << send << u"other"_s << u"client"_s << HandshakeNoDetail;
    // "other" is not in the server's allow directory.
    QTest::newRow("send, key not allowed") << send << u"server"_s << u"other"_s << KeyRejected;
    QTest::newRow("listen, wrong server key")
        << QStringList { u"listen"_s, u"-t"_s, u"dealer"_s } << u"other"_s << QString() << HandshakeNoDetail;
    QTest::newRow("listen, fresh key not allowed")
        << QStringList { u"listen"_s, u"-t"_s, u"dealer"_s } << u"server"_s << QString() << KeyRejected;
    QTest::newRow("echo, wrong server key")
        << QStringList { u"echo"_s, u"-t"_s, u"rep"_s } << u"other"_s << u"client"_s << HandshakeNoDetail;
    QTest::newRow("replay, wrong server key")
        << QStringList { u"replay"_s, m_dir.filePath(u"one.zmqcap"_s), u"-t"_s, u"dealer"_s } << u"other"_s
        << u"client"_s << HandshakeNoDetail;
}

void TestCliSecurity::curveClientRefused()
{
    QFETCH(QStringList, command);
    QFETCH(QString, serverKey);
    QFETCH(QString, ownKeys);
    QFETCH(QString, expected);
    TestProcess server;
    const QString endpoint = startCurveServer(server);
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());
    // --timeout longer than the test waits: only the handshake's failure can end the run in time.
    QStringList arguments = command
        + QStringList { u"--quiet"_s, u"--connect"_s, endpoint, u"--curve-server-key"_s,
              u"@"_s + certificate(serverKey), u"--timeout"_s, u"600000"_s };
    if (!ownKeys.isEmpty())
        arguments += QStringList { u"--curve-secret-key"_s, u"@"_s + certificate(ownKeys, true) };
    const auto cli = runCli(arguments);
    QVERIFY2(cli->exitedWith(1), cli->diagnostics());
    QCOMPARE(cli->err(), errorLine(expected));
    QVERIFY(cli->out().isEmpty());
    verifyNoSecret(*cli);
}

void TestCliSecurity::tapServerSideRefused()
{
    TestProcess server;
    const QString endpoint = startCurveServer(server);
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());
    // The tap's own key on the server's side is not in the server's allow directory.
    const auto tap = runCli({ u"tap"_s, u"--quiet"_s, u"--pattern"_s, u"req-rep"_s, u"--listen"_s, AnyPort,
        u"--forward"_s, endpoint, u"--forward-curve-server-key"_s, u"@"_s + certificate(u"server"_s),
        u"--forward-curve-secret-key"_s, u"@"_s + certificate(u"other"_s, true), u"--timeout"_s,
        u"600000"_s });
    QVERIFY2(tap->exitedWith(1), tap->diagnostics());
    QCOMPARE(tap->err(), errorLine(u"server's side: "_s + KeyRejected));
    verifyNoSecret(*tap);
}

void TestCliSecurity::plainClientRefusedThenAccepted()
{
    TestProcess server;
    const QString endpoint = startServer(server, { u"--plain"_s, u"alice:wonderland"_s });
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());
    const QStringList send { u"send"_s, u"--quiet"_s, u"-t"_s, u"req"_s, u"--connect"_s, endpoint,
        u"--plain-user"_s, u"alice"_s, u"--timeout"_s, u"600000"_s, u"--text"_s, u"plain hello"_s };
    const auto refused = runCli(send + QStringList { u"--plain-password"_s, u"not-the-password"_s });
    QVERIFY2(refused->exitedWith(1), refused->diagnostics());
    QCOMPARE(refused->err(), errorLine(PlainRefused));
    verifyNoSecret(*refused);

    const auto accepted = runCli(send + QStringList { u"--plain-password"_s, u"wonderland"_s });
    QVERIFY2(accepted->exitedWith(0), accepted->diagnostics());
    QVERIFY2(accepted->out().contains("plain hello"), accepted->diagnostics());
    verifyNoSecret(*accepted);
}

void TestCliSecurity::plainServerRefusesAndGoesOn()
{
    TestProcess echo;
    QVERIFY(startCli(echo,
        { u"echo"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s, u"--plain-server"_s, u"--accept-user"_s,
            u"alice:wonderland"_s }));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());

    const auto refused
        = runPeer({ u"client"_s, u"--connect"_s, endpoint, u"--plain"_s, u"alice:not-the-password"_s });
    QVERIFY2(refused->exitedWith(3), refused->diagnostics());
    QCOMPARE(securepeer::jsonLine(*refused, 1),
        (QJsonObject { { u"event"_s, u"HANDSHAKE_FAILED_AUTH"_s }, { u"value"_s, 400 } }));
    // The server goes on, and said whom it refused.
    QVERIFY2(!echo.waitForFinished(0), echo.diagnostics());
    QVERIFY2(
        !echo.waitForStderr(QRegularExpression(u"(ZAP: refused .*alice.*)"_s)).isEmpty(), echo.diagnostics());

    const auto accepted
        = runPeer({ u"client"_s, u"--connect"_s, endpoint, u"--plain"_s, u"alice:wonderland"_s });
    QVERIFY2(accepted->exitedWith(0), accepted->diagnostics());
    QVERIFY(echo.waitForFinished(RunTimeout));
    QVERIFY2(echo.exitedWith(0), echo.diagnostics());
    verifyNoSecret(echo);
}

void TestCliSecurity::curveServerWithoutAllowListRefusesEveryone()
{
    TestProcess echo;
    QVERIFY(startCli(echo,
        { u"echo"_s, u"--bind"_s, AnyPort, u"--curve-server"_s, u"--curve-secret-key"_s,
            u"@"_s + certificate(u"server"_s, true) }));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());
    const auto client = runPeer({ u"client"_s, u"--connect"_s, endpoint, u"--curve-server-key"_s,
        certificate(u"server"_s), u"--curve-cert"_s, certificate(u"client"_s, true) });
    QVERIFY2(client->exitedWith(3), client->diagnostics());
    QCOMPARE(securepeer::jsonLine(*client, 1).value(u"event"_s).toString(), u"HANDSHAKE_FAILED_AUTH"_s);
    const QString hint = u"refusing every client: no client is allowed yet; add --allow-key KEY|@FILE|DIR or "
                         u"--allow-any"_s;
    QVERIFY2(echo.err().contains(hint.toUtf8()), echo.diagnostics());
    QCOMPARE(echo.err().count(hint.toUtf8()), 1);
    QCOMPARE(::kill(pid_t(echo.process().processId()), SIGTERM), 0);
    QVERIFY(echo.waitForFinished(RunTimeout));
    QVERIFY2(echo.exitedWith(0), echo.diagnostics());
    verifyNoSecret(echo);
}

void TestCliSecurity::ipRules_data()
{
    QTest::addColumn<bool>("curve"); // a CURVE server allowing any key, else a socket without security
    QTest::addColumn<QStringList>("rules");
    QTest::addColumn<bool>("allowed");
    const QStringList deny { u"--deny-ip"_s, u"127.0.0.1"_s };
    const QStringList allowOther { u"--allow-ip"_s, u"127.0.0.2"_s };
    const QStringList allowOurs { u"--allow-ip"_s, u"127.0.0.1"_s };
    QTest::newRow("CURVE, deny our address") << true << deny << false;
    QTest::newRow("CURVE, allow another address only") << true << allowOther << false;
    QTest::newRow("CURVE, allow our address") << true << allowOurs << true;
    QTest::newRow("NULL, deny our address") << false << deny << false;
    QTest::newRow("NULL, allow another address only") << false << allowOther << false;
    QTest::newRow("NULL, allow our address") << false << allowOurs << true;
}

void TestCliSecurity::ipRules()
{
    QFETCH(bool, curve);
    QFETCH(QStringList, rules);
    QFETCH(bool, allowed);
    QStringList arguments { u"echo"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s };
    QStringList client { u"client"_s };
    if (curve) {
        arguments += QStringList { u"--curve-server"_s, u"--curve-secret-key"_s,
            u"@"_s + certificate(u"server"_s, true), u"--allow-any"_s };
        client += QStringList { u"--curve-server-key"_s, certificate(u"server"_s) };
    }
    TestProcess echo;
    QVERIFY(startCli(echo, arguments + rules));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());
    const auto peer = runPeer(client + QStringList { u"--connect"_s, endpoint });
    if (allowed) {
        QVERIFY2(peer->exitedWith(0), peer->diagnostics());
        QVERIFY(echo.waitForFinished(RunTimeout));
        QVERIFY2(echo.exitedWith(0), echo.diagnostics());
    } else {
        QVERIFY2(peer->exitedWith(3), peer->diagnostics());
        QCOMPARE(securepeer::jsonLine(*peer, 1).value(u"event"_s).toString(), u"HANDSHAKE_FAILED_AUTH"_s);
        QVERIFY2(!echo.waitForStderr(QRegularExpression(u"(ZAP: refused client.* from 127\\.0\\.0\\.1)"_s))
                      .isEmpty(),
            echo.diagnostics());
        QVERIFY2(!echo.waitForFinished(0), echo.diagnostics());
    }
}

void TestCliSecurity::mechanismMismatch_data()
{
    QTest::addColumn<QString>("peerMechanism");
    QTest::addColumn<QStringList>("security");
    QTest::addColumn<QString>("expected");
    QTest::newRow("CURVE client, NULL server")
        << u"NULL"_s << QStringList { u"--curve-server-key"_s, u"@"_s + certificate(u"server"_s) }
        << u"handshake failed: security mechanism mismatch (this socket uses CURVE; the peer does not)"_s;
    QTest::newRow("NULL client, CURVE server")
        << u"CURVE"_s << QStringList {}
        << u"handshake failed: security mechanism mismatch (this socket uses NULL; the peer does not)"_s;
}

void TestCliSecurity::mechanismMismatch()
{
    QFETCH(QString, peerMechanism);
    QFETCH(QStringList, security);
    QFETCH(QString, expected);
    // A peer that sends its greeting and keeps the connection open, so the mismatch is what the CLI
    // sees (a server that closes at once may be seen as a closed connection first).
    TestProcess peer;
    QVERIFY(securepeer::start(peer,
        { u"greeting"_s, u"--mechanism"_s, peerMechanism, u"--timeout"_s, QString::number(RunTimeout) }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());
    const auto cli = runCli(QStringList { u"send"_s, u"--quiet"_s, u"-t"_s, u"req"_s, u"--connect"_s,
                                endpoint, u"--timeout"_s, u"600000"_s, u"--text"_s, u"x"_s }
        + security);
    QVERIFY2(cli->exitedWith(1), cli->diagnostics());
    QCOMPARE(cli->err(), errorLine(expected));
    QVERIFY(peer.waitForFinished(RunTimeout));
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
}

void TestCliSecurity::cliToCliWithKeygenKeys()
{
    QVERIFY(QDir(m_dir.path()).mkpath(u"pair"_s));
    const QString server = m_dir.filePath(u"pair/server"_s);
    QVERIFY(runCli({ u"keygen"_s, u"--out"_s, server })->exitedWith(0));
    TestProcess echo;
    QVERIFY(startCli(echo,
        { u"echo"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s, u"--curve-server"_s, u"--curve-secret-key"_s,
            server + u".key_secret"_s, u"--allow-any"_s }));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());
    // The client has no keys of its own: it gets a fresh pair.
    const auto send = runCli({ u"send"_s, u"-t"_s, u"req"_s, u"--connect"_s, endpoint,
        u"--curve-server-key"_s, u"@"_s + server + u".key"_s, u"--text"_s, u"cli to cli"_s });
    QVERIFY2(send->exitedWith(0), send->diagnostics());
    QVERIFY2(send->out().contains("cli to cli"), send->diagnostics());
    // The public key of that pair, for a server that checks keys.
    QVERIFY2(
        send->err().contains("zmqscope-cli: CURVE: no own key pair was given, so this socket uses a new one; "
                             "its public key is "),
        send->diagnostics());
    QVERIFY(echo.waitForFinished(RunTimeout));
    QVERIFY2(echo.exitedWith(0), echo.diagnostics());
}

void TestCliSecurity::tapWithCurveOnBothSides()
{
    TestProcess server;
    const QString serverEndpoint = startCurveServer(server);
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    // Clients see the tap's key; the server sees the tap as the allowed client.
    TestProcess tap;
    QVERIFY(startCli(tap,
        { u"tap"_s, u"--pattern"_s, u"req-rep"_s, u"--listen"_s, AnyPort, u"--forward"_s, serverEndpoint,
            u"--count"_s, u"2"_s, u"--curve-secret-key"_s, u"@"_s + certificate(u"tap"_s, true),
            u"--allow-any"_s, u"--forward-curve-server-key"_s, u"@"_s + certificate(u"server"_s),
            u"--forward-curve-secret-key"_s, u"@"_s + certificate(u"client"_s, true) }));
    const QString tapEndpoint = tap.waitForBoundEndpoint();
    QVERIFY2(!tapEndpoint.isEmpty(), tap.diagnostics());
    const auto client = runPeer(
        { u"client"_s, u"--connect"_s, tapEndpoint, u"--curve-server-key"_s, certificate(u"tap"_s) });
    QVERIFY2(client->exitedWith(0), client->diagnostics());
    QVERIFY(tap.waitForFinished(RunTimeout));
    QVERIFY2(tap.exitedWith(0), tap.diagnostics());
    // The tap shows in clear what went encrypted on both sides.
    QCOMPARE(tap.out().count("hello over security"), 2);
    QVERIFY2(tap.err().contains("zmqscope-cli: ZAP: allowed client "), tap.diagnostics());
    verifyNoSecret(tap);
}

void TestCliSecurity::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    const QString nowhere = u"tcp://127.0.0.1:9"_s;
    const QStringList listen { u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, AnyPort };
    const QStringList send { u"send"_s, u"-t"_s, u"req"_s, u"--connect"_s, nowhere, u"--text"_s, u"x"_s };
    // A mistyped secret key (39 characters): the error names the option and hides the value.
    const QString typo = u"^R$I%A!Z#?SS48B)=NF&YplZgrVLx8}i#srRZ%r"_s;
    QTest::newRow("secret key typo") << send
            + QStringList { u"--curve-server-key"_s, u"@/dev/null"_s, u"--curve-secret-key"_s, typo }
                                     << u"bad --curve-secret-key: not a 40-character Z85 key or a readable "
                                        u"certificate file (the value is not shown: it may be a secret)"_s;
    QTest::newRow("server key not a certificate")
        << send + QStringList { u"--curve-server-key"_s, u"@/dev/null"_s }
        << u"bad --curve-server-key \"@/dev/null\": /dev/null is not a CURVE "
           u"certificate"_s;
    QTest::newRow("secret key from a public certificate")
        << listen
            + QStringList { u"--curve-server"_s, u"--curve-secret-key"_s, u"@"_s + certificate(u"server"_s) }
        << u"bad --curve-secret-key: \"%1\" has no secret-key: it is a public certificate"_s.arg(
               certificate(u"server"_s));
    QTest::newRow("secret key not a file")
        << listen + QStringList { u"--curve-server"_s, u"--curve-secret-key"_s, u"@"_s + typo.left(30) }
        << u"bad --curve-secret-key: not a 40-character Z85 key or a readable "
           u"certificate file (the value is not shown: it may be a secret)"_s;
    QTest::newRow("secret key not Z85")
        << listen
            + QStringList { u"--curve-server"_s, u"--curve-secret-key"_s,
                  u"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"_s }
        << u"bad --curve-secret-key: 40 characters but not a Z85 key (the value is "
           u"not shown: it may be a secret)"_s;
    QTest::newRow("secret key twice") << listen
            + QStringList { u"--curve-server"_s, u"--curve-secret-key"_s, typo, u"--curve-secret-key"_s,
                  typo + u"x"_s } << u"--curve-secret-key given 2 times; it takes one value"_s;
    QTest::newRow("server key missing file")
        << send + QStringList { u"--curve-server-key"_s, u"@missing.key"_s }
        << u"bad --curve-server-key \"@missing.key\": cannot read the certificate "
           u"missing.key"_s;
    QTest::newRow("server key bad Z85")
        << send + QStringList { u"--curve-server-key"_s, u"~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"_s }
        << u"bad --curve-server-key \"~~~~"_s;
    QTest::newRow("curve server without key") << listen + QStringList { u"--curve-server"_s }
                                              << u"--curve-server needs --curve-secret-key KEY|@FILE"_s;
    QTest::newRow("curve client without server key")
        << send + QStringList { u"--curve-secret-key"_s, certificate(u"client"_s, true) }
        << u"a CURVE client needs --curve-server-key KEY|@FILE"_s;
    QTest::newRow("curve and plain") << send
            + QStringList { u"--curve-server-key"_s, u"@x"_s, u"--plain-user"_s, u"a"_s }
                                     << u"--curve-server-key and --plain-user cannot go together"_s;
    QTest::newRow("allow-any without server")
        << listen + QStringList { u"--allow-any"_s }
        << u"--allow-any lets CURVE clients in: it needs --curve-server"_s;
    QTest::newRow("accept-user without server")
        << send + QStringList { u"--accept-user"_s, u"a:not-the-password"_s }
        << u"--accept-user needs --plain-server"_s;
    QTest::newRow("accept-user without colon")
        << listen + QStringList { u"--plain-server"_s, u"--accept-user"_s, u"not-the-password"_s }
        << u"bad --accept-user: expected NAME:PASSWORD"_s;
    QTest::newRow("password without user") << send + QStringList { u"--plain-password"_s, u"wonderland"_s }
                                           << u"--plain-password needs --plain-user NAME"_s;
    QTest::newRow("plain user on server")
        << listen + QStringList { u"--plain-server"_s, u"--plain-user"_s, u"a"_s }
        << u"--plain-user is a PLAIN client's option"_s;
    QTest::newRow("bad allow-ip") << listen + QStringList { u"--allow-ip"_s, u"localhost"_s }
                                  << u"bad --allow-ip \"localhost\": not an IPv4 or IPv6 address"_s;
    QTest::newRow("bad deny-ip") << listen + QStringList { u"--deny-ip"_s, u"300.1.1.1"_s }
                                 << u"bad --deny-ip \"300.1.1.1\""_s;
    QTest::newRow("allow-key missing") << listen
            + QStringList { u"--curve-server"_s, u"--curve-secret-key"_s, certificate(u"server"_s, true),
                  u"--allow-key"_s, u"nothing-here"_s }
                                       << u"bad --allow-key \"nothing-here\": not a 40-character Z85 key, a "
                                          u"certificate file or a directory of them"_s;
    QTest::newRow("public key of another pair") << listen
            + QStringList { u"--curve-server"_s, u"--curve-secret-key"_s, certificate(u"server"_s, true),
                  u"--curve-public-key"_s, u"@"_s + certificate(u"other"_s) }
                                                << u"is not the public key of --curve-secret-key"_s;
    QTest::newRow("option secret key") << listen + QStringList { u"--option"_s, u"curve_secretkey="_s + typo }
                                       << u"bad --option curve_secretkey=...: curve_secretkey expects"_s;
    QTest::newRow("tap forward server") << QStringList { u"tap"_s, u"--pattern"_s, u"req-rep"_s,
        u"--listen"_s, AnyPort, u"--forward"_s, nowhere, u"--forward-curve-server"_s }
                                        << u"--forward-curve-server does not apply here"_s;
    QTest::newRow("tap listen server key") << QStringList { u"tap"_s, u"--pattern"_s, u"req-rep"_s,
        u"--listen"_s, AnyPort, u"--forward"_s, nowhere, u"--curve-server-key"_s, u"@x"_s }
                                           << u"--curve-server-key does not apply here"_s;
    // libzmq refuses a longer one with a message that repeats it.
    const QString longPassword = u"wonderland"_s.repeated(26);
    QTest::newRow("password too long")
        << send + QStringList { u"--plain-user"_s, u"a"_s, u"--plain-password"_s, longPassword }
        << u"bad --plain-password: longer than 255 bytes"_s;
    QTest::newRow("accepted password too long")
        << listen + QStringList { u"--plain-server"_s, u"--accept-user"_s, u"a:"_s + longPassword }
        << u"bad --accept-user: a PLAIN user name or password is longer than 255 bytes"_s;
    QTest::newRow("option password too long")
        << send + QStringList { u"--option"_s, u"plain_password="_s + longPassword }
        << u"bad --option plain_password=...: a PLAIN password is at most 255 bytes"_s;
    QTest::newRow("keygen force without out")
        << QStringList { u"keygen"_s, u"--force"_s } << u"--force needs --out BASENAME"_s;
}

void TestCliSecurity::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const auto cli = runCli(arguments);
    QVERIFY2(cli->exitedWith(2), cli->diagnostics());
    QVERIFY2(isOneErrorLine(cli->err()), cli->diagnostics());
    QVERIFY2(QString::fromUtf8(cli->err()).contains(expected), cli->diagnostics());
    // A secret given to any option is never repeated.
    const QString typo = u"^R$I%A!Z#?SS48B)=NF&YplZgrVLx8}i#srRZ%r"_s;
    QVERIFY2(!cli->err().contains(typo.left(20).toUtf8()), cli->diagnostics());
    verifyNoSecret(*cli);
}

QTEST_GUILESS_MAIN(TestCliSecurity)
#include "tst_clisecurity.moc"
