// Security on the Engine (issue 16) against python3-zmq peers (tests/interop/secure_peer.py, using
// zmq.auth.thread.ThreadAuthenticator and certificate files from zmq.auth.create_certificates): CURVE
// clients and servers both ways, the engine's ZAP handler allowing and refusing by key, key directory,
// address and allow-any, PLAIN, a wrong server key, a mechanism mismatch, a tap with CURVE on both
// sides. Each checks the exact line the user sees, and that no secret is in any text of the run.

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/engine/engine.h>
#include <zmqscope/security.h>

#include "../interop/securepeer.h"
#include "enginetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using enginetest::openedSocket;
using enginetest::stored;
using securepeer::OwnKeys;
using securepeer::ownKeys;

namespace {

constexpr int NetworkTimeout = 20000; // waits end as soon as they hold
constexpr int RefusedClientWaitMs = 3000; // how long a refused python client waits for its reply

const QString ClientRefused = u"handshake failed: client refused (ZAP status 400)"_s;
const QString ServerKeyWrong
    = u"handshake failed with no detail: the server's public key is probably wrong"_s;

/// A python REP server answering one request, with `options` (its security); returns the endpoint it
/// bound, empty when it did not start.
QString startServer(TestProcess &server, const QStringList &options)
{
    if (!securepeer::start(
            server, QStringList { u"server"_s, u"--timeout"_s, QString::number(NetworkTimeout) } + options))
        return {};
    return server.waitForPeerEndpoint();
}

/// A python REQ client sending "hello" to `endpoint` with `options` (its security); one that is to be
/// refused gives up on its reply sooner.
bool startClient(
    TestProcess &client, const QString &endpoint, const QStringList &options, bool refused = false)
{
    return securepeer::start(client,
        QStringList { u"client"_s, u"--connect"_s, endpoint, u"--send"_s, u"hello"_s, u"--timeout"_s,
            QString::number(refused ? RefusedClientWaitMs : NetworkTimeout) }
            + options);
}

QByteArray publicKeyIn(const QString &path)
{
    return readCurveCertificate(path).valueOr({}).publicKey;
}

/// Every text a run showed: its event lines and each socket's last error.
QStringList runTexts(const QSignalSpy &events, const Engine &engine)
{
    QStringList texts;
    for (const auto &arguments : events)
        texts.append(arguments.at(0).value<EngineEvent>().text);
    for (const SocketInfo &info : engine.sockets())
        texts.append(info.lastError);
    return texts;
}

/// How many event lines of socket `id` are exactly `text`.
qsizetype linesOf(const QSignalSpy &events, SocketId id, const QString &text, bool *isError = nullptr)
{
    qsizetype count = 0;
    for (const auto &arguments : events) {
        const auto event = arguments.at(0).value<EngineEvent>();
        if (event.socket == id && event.text == text) {
            ++count;
            if (isError)
                *isError = event.isError;
        }
    }
    return count;
}

/// For QVERIFY2: the event lines so far.
QByteArray eventDump(const QSignalSpy &events)
{
    QStringList texts;
    for (const auto &arguments : events) {
        const auto event = arguments.at(0).value<EngineEvent>();
        texts.append(u"[%1] %2"_s.arg(event.socket).arg(event.text));
    }
    return texts.join(u"\n"_s).toUtf8();
}

SocketSpec serverSpec(const QString &name)
{
    SocketSpec spec;
    spec.name = name;
    spec.type = SocketType::Rep;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    return spec;
}

SocketSpec curveServerSpec(const OwnKeys &keys)
{
    SocketSpec spec = serverSpec(u"secure server"_s);
    spec.security = enginetest::curveServerSecurity(keys.pair, keys.secretFile);
    return spec;
}

SocketSpec clientSpec(const QString &endpoint)
{
    SocketSpec spec;
    spec.name = u"secure client"_s;
    spec.type = SocketType::Req;
    spec.connects = { endpoint };
    return spec;
}

SocketSpec curveClientSpec(const QString &endpoint, const QByteArray &serverKey)
{
    SocketSpec spec = clientSpec(endpoint);
    spec.security.mechanism = SecurityMechanism::Curve;
    spec.security.curveServerKey = serverKey;
    return spec;
}

/// A REQ-REP tap listening on a free port and forwarding to `server`.
TapSpec tapSpec(const QString &server)
{
    TapSpec spec;
    spec.pattern = TapPattern::ReqRep;
    spec.name = u"secure tap"_s;
    spec.listen = { u"tcp://127.0.0.1:*"_s };
    spec.forward = { server };
    return spec;
}

} // namespace

class TestEngineSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void curveClientTalksToPyzmqServer_data();
    void curveClientTalksToPyzmqServer();
    void curveBothEndsInOneEngine();
    void curveServerDecidesPyzmqClients_data();
    void curveServerDecidesPyzmqClients();
    void curveClientRefusedByPyzmq();
    void wrongServerKeyIsSaid();
    void pyzmqClientWithWrongServerKey();
    void plainServer_data();
    void plainServer();
    void plainClientRefused();
    void mechanismMismatch();
    void serverSeesMechanismMismatch();
    void nullServerChecksAddresses_data();
    void nullServerChecksAddresses();
    void zapHandlerIsOnePerContext();
    void tapRunsCurveOnBothSides();
    void tapWithWrongServerKeySaysSo();

private:
    /// A python CURVE server with pyzmq's certificate "server" in the test's directory (server.key is
    /// its public one) and `allow` (whom its ThreadAuthenticator lets in); its endpoint, empty on failure.
    QString startPyzmqCurveServer(TestProcess &server, const QStringList &allow);
    /// Opens our server `spec`, sends a python client with `clientOptions` (its security) to it and
    /// checks the ZAP `decision` line, then that the client was answered (`allowed`) or refused;
    /// `opened` gets the server's id.
    void expectServerDecision(const SocketSpec &spec, const QStringList &clientOptions, bool allowed,
        const QString &decision, SocketId *opened = nullptr);
    /// Our server socket `id` let the python client in: it got the request, and the client our reply.
    void expectClientAnswered(SocketId id, TestProcess &client);
    /// Our server socket `id` refused the python client, said so as an error and got nothing from it.
    void expectClientRefused(SocketId id, TestProcess &client);
    /// Socket `id` ended its handshake with the error `line`.
    void expectHandshakeFailed(SocketId id, const QString &line);

    /// The secrets of the current test: none may appear in any text of its run.
    QList<QByteArray> m_secrets;
    QTemporaryDir *m_dir = nullptr;
    MessageStore *m_store = nullptr;
    Engine *m_engine = nullptr;
    QSignalSpy *m_events = nullptr;
};

void TestEngineSecurity::init()
{
    m_secrets.clear();
    m_dir = new QTemporaryDir;
    QVERIFY(m_dir->isValid());
    m_store = new MessageStore;
    m_engine = new Engine(*m_store);
    m_events = new QSignalSpy(m_engine, &Engine::eventLogged);
}

void TestEngineSecurity::cleanup()
{
    if (m_engine) {
        m_engine->sync();
        const QStringList texts = runTexts(*m_events, *m_engine);
        for (const QByteArray &secret : std::as_const(m_secrets)) {
            QVERIFY(!secret.isEmpty());
            for (const QString &text : texts)
                QVERIFY2(!text.contains(QString::fromUtf8(secret)), qPrintable(u"a secret in: "_s + text));
        }
    }
    delete m_events;
    delete m_engine;
    delete m_store;
    delete m_dir;
    m_events = nullptr;
    m_engine = nullptr;
    m_store = nullptr;
    m_dir = nullptr;
}

QString TestEngineSecurity::startPyzmqCurveServer(TestProcess &server, const QStringList &allow)
{
    if (!securepeer::keygen(m_dir->path(), { u"server"_s }))
        return {};
    return startServer(
        server, QStringList { u"--curve-cert"_s, m_dir->filePath(u"server.key_secret"_s) } + allow);
}

void TestEngineSecurity::expectServerDecision(const SocketSpec &spec, const QStringList &clientOptions,
    bool allowed, const QString &decision, SocketId *opened)
{
    const auto [id, bound, error] = openedSocket(*m_engine, spec);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    if (opened)
        *opened = id;
    TestProcess client;
    QVERIFY(startClient(client, bound.value(0), clientOptions, !allowed));
    QTRY_VERIFY2_WITH_TIMEOUT(
        linesOf(*m_events, id, decision) == 1, eventDump(*m_events).constData(), NetworkTimeout);
    if (allowed)
        expectClientAnswered(id, client);
    else
        expectClientRefused(id, client);
}

void TestEngineSecurity::expectClientAnswered(SocketId id, TestProcess &client)
{
    QTRY_COMPARE_WITH_TIMEOUT(stored(*m_store, id).size(), 1, NetworkTimeout);
    m_engine->send(id, { "hello" });
    QVERIFY2(client.waitForFinished(NetworkTimeout), client.diagnostics());
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QCOMPARE(securepeer::reply(client), QList<QByteArray> { "hello" });
}

void TestEngineSecurity::expectClientRefused(SocketId id, TestProcess &client)
{
    bool isError = false;
    QTRY_VERIFY2_WITH_TIMEOUT(linesOf(*m_events, id, ClientRefused, &isError) >= 1,
        eventDump(*m_events).constData(), NetworkTimeout);
    QVERIFY(isError);
    QVERIFY2(client.waitForFinished(NetworkTimeout), client.diagnostics());
    QVERIFY2(client.exitedWith(3), client.diagnostics());
    QVERIFY(stored(*m_store, id).isEmpty());
}

void TestEngineSecurity::expectHandshakeFailed(SocketId id, const QString &line)
{
    QTRY_COMPARE_WITH_TIMEOUT(m_engine->socket(id)->lastError, line, NetworkTimeout);
    QCOMPARE(m_engine->socket(id)->state, SocketState::HandshakeFailed);
}

void TestEngineSecurity::curveClientTalksToPyzmqServer_data()
{
    QTest::addColumn<bool>("ownKeys");
    QTest::newRow("own keys from a certificate, allowed by the server's directory") << true;
    QTest::newRow("no own keys: a generated pair, the server allows any") << false;
}

void TestEngineSecurity::curveClientTalksToPyzmqServer()
{
    QFETCH(bool, ownKeys);
    const QString clients = m_dir->filePath(u"clients"_s);
    QVERIFY(QDir().mkpath(clients));
    const OwnKeys mine = ::ownKeys(clients, u"zmqscope"_s);
    QVERIFY(!mine.secretFile.isEmpty());

    TestProcess server;
    const QString endpoint = startPyzmqCurveServer(
        server, ownKeys ? QStringList { u"--allow-dir"_s, clients } : QStringList { u"--allow-any"_s });
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());
    m_secrets
        = { mine.pair.secretKey, readCurveCertificate(m_dir->filePath(u"server.key_secret"_s))->secretKey };

    SocketSpec spec = curveClientSpec(
        endpoint, resolveCurveKey(u"@"_s + m_dir->filePath(u"server.key"_s), KeyRole::Public).valueOr({}));
    if (ownKeys) {
        spec.security.curveSecretKey = resolveCurveKey(mine.secretFile, KeyRole::Secret).valueOr({});
        spec.security.curveSecretKeyFile = mine.secretFile;
    }
    const auto [id, bound, error] = openedSocket(*m_engine, spec);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_engine->send(id, { "hello" });
    QTRY_COMPARE_WITH_TIMEOUT(stored(*m_store, id).size(), 2, NetworkTimeout);
    QCOMPARE(stored(*m_store, id).at(1).frames, Frames { "hello" });
    QVERIFY2(server.waitForFinished(NetworkTimeout), server.diagnostics());
    QVERIFY2(server.exitedWith(0), server.diagnostics());
    QVERIFY(m_engine->socket(id)->everConnected);
    QVERIFY(m_engine->socket(id)->lastError.isEmpty());
    QCOMPARE(linesOf(*m_events, id,
                 u"opened REQ socket \"secure client\" (CURVE client), connecting to %1"_s.arg(endpoint)),
        1);
    // A generated pair is told with its public key: a server that checks keys needs it.
    qsizetype generatedLines = 0;
    for (const auto &event : std::as_const(*m_events)) {
        const QString text = event.at(0).value<EngineEvent>().text;
        if (text.startsWith(
                u"CURVE: no own key pair was given, so this socket uses a new one; its public key is "_s))
            ++generatedLines;
    }
    QCOMPARE(generatedLines, ownKeys ? 0 : 1);
}

void TestEngineSecurity::curveBothEndsInOneEngine()
{
    // Our CURVE server and our CURVE client: the engine's ZAP handler checks its own client's key.
    const OwnKeys server = ownKeys(m_dir->path(), u"server"_s);
    const OwnKeys client = ownKeys(m_dir->path(), u"client"_s);
    m_secrets = { server.pair.secretKey, client.pair.secretKey };
    SocketSpec serverSpec = curveServerSpec(server);
    serverSpec.security.allowKeyPaths = { client.publicFile };
    const auto opened = openedSocket(*m_engine, serverSpec);
    QVERIFY2(opened.error.isEmpty(), qPrintable(opened.error));
    SocketSpec clientSpec = curveClientSpec(
        opened.bound.value(0), resolveCurveKey(u"@"_s + server.publicFile, KeyRole::Public).valueOr({}));
    clientSpec.security.curveSecretKeyFile = client.secretFile;
    const auto connected = openedSocket(*m_engine, clientSpec);
    QVERIFY2(connected.error.isEmpty(), qPrintable(connected.error));
    m_engine->send(connected.id, { "ping" });
    QTRY_COMPARE_WITH_TIMEOUT(stored(*m_store, opened.id).size(), 1, NetworkTimeout);
    m_engine->send(opened.id, { "pong" });
    QTRY_COMPARE_WITH_TIMEOUT(stored(*m_store, connected.id).size(), 2, NetworkTimeout);
    QCOMPARE(stored(*m_store, connected.id).at(1).frames, Frames { "pong" });
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(*m_events, opened.id,
                                  u"ZAP: allowed client %1 from 127.0.0.1 (key in the allow list)"_s.arg(
                                      QString::fromLatin1(client.pair.publicKey))),
        1, NetworkTimeout);
}

void TestEngineSecurity::curveServerDecidesPyzmqClients_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("reason");
    QTest::newRow("key directory") << u"dir"_s << true << u"key in the allow list"_s;
    QTest::newRow("key in the list, address allowed")
        << u"key+allow-ip"_s << true << u"key in the allow list"_s;
    QTest::newRow("allow any") << u"any"_s << true << u"any key allowed"_s;
    QTest::newRow("another key") << u"other-key"_s << false << u"status 400: key not allowed"_s;
    QTest::newRow("denied address") << u"any+deny-ip"_s << false << u"status 400: address denied"_s;
    QTest::newRow("address not in the allow-ip list")
        << u"any+allow-other-ip"_s << false << u"status 400: address not in the allow-ip list"_s;
    QTest::newRow("nobody allowed") << u"none"_s << false << u"status 400: no client is allowed yet"_s;
}

void TestEngineSecurity::curveServerDecidesPyzmqClients()
{
    QFETCH(QString, rule);
    QFETCH(bool, allowed);
    QFETCH(QString, reason);
    const QString clients = m_dir->filePath(u"clients"_s);
    QVERIFY(QDir().mkpath(clients));
    QVERIFY(securepeer::keygen(clients, { u"peer"_s }));
    const QByteArray peerKey = publicKeyIn(clients + u"/peer.key"_s);
    QVERIFY(isZ85Key(peerKey));
    const OwnKeys mine = ownKeys(m_dir->path(), u"server"_s);
    m_secrets = { mine.pair.secretKey, readCurveCertificate(clients + u"/peer.key_secret"_s)->secretKey };

    SocketSpec spec = curveServerSpec(mine);
    SocketSecurity &security = spec.security;
    if (rule == u"dir"_s)
        security.allowKeyPaths = { clients };
    if (rule == u"key+allow-ip"_s) {
        security.allowKeys = { peerKey };
        security.allowIps = { u"127.0.0.1"_s };
    }
    if (rule.startsWith(u"any"_s))
        security.allowAny = true;
    if (rule == u"other-key"_s)
        security.allowKeys = { generateCurveKeyPair()->publicKey };
    if (rule == u"any+deny-ip"_s)
        security.denyIps = { u"127.0.0.1"_s };
    if (rule == u"any+allow-other-ip"_s)
        security.allowIps = { u"192.0.2.7"_s };
    SocketId id = 0;
    expectServerDecision(spec,
        { u"--curve-cert"_s, clients + u"/peer.key_secret"_s, u"--curve-server-key"_s, mine.publicFile },
        allowed,
        u"ZAP: %1 client %2 from 127.0.0.1 (%3)"_s.arg(
            allowed ? u"allowed"_s : u"refused"_s, QString::fromLatin1(peerKey), reason),
        &id);
    if (QTest::currentTestFailed())
        return;
    // Said once, when it opened, and only when it lets nobody in.
    QCOMPARE(
        linesOf(*m_events, id,
            u"refusing every client: no client is allowed yet; add --allow-key KEY|@FILE|DIR or --allow-any"_s),
        rule == u"none"_s ? 1 : 0);
}

void TestEngineSecurity::curveClientRefusedByPyzmq()
{
    // ThreadAuthenticator with an empty certificate directory refuses every key: status 400.
    const QString nobody = m_dir->filePath(u"nobody"_s);
    QVERIFY(QDir().mkpath(nobody));
    TestProcess server;
    const QString endpoint = startPyzmqCurveServer(server, { u"--allow-dir"_s, nobody });
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());

    const auto [id, bound, error]
        = openedSocket(*m_engine, curveClientSpec(endpoint, publicKeyIn(m_dir->filePath(u"server.key"_s))));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QString line = u"handshake failed: the server rejected our key (ZAP status 400)"_s;
    expectHandshakeFailed(id, line);
    bool isError = false;
    QCOMPARE(linesOf(*m_events, id, line, &isError), 1);
    QVERIFY(isError);
}

void TestEngineSecurity::wrongServerKeyIsSaid()
{
    TestProcess server;
    const QString endpoint = startPyzmqCurveServer(server, { u"--allow-any"_s });
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());
    const auto [id, bound, error] = openedSocket(
        *m_engine, curveClientSpec(endpoint, generateCurveKeyPair()->publicKey)); // not the server's
    QVERIFY2(error.isEmpty(), qPrintable(error));
    expectHandshakeFailed(id, ServerKeyWrong);
    QCOMPARE(linesOf(*m_events, id, ServerKeyWrong), 1);
}

void TestEngineSecurity::pyzmqClientWithWrongServerKey()
{
    QVERIFY(securepeer::keygen(m_dir->path(), { u"client"_s }));
    const OwnKeys mine = ownKeys(m_dir->path(), u"server"_s);
    const OwnKeys other = ownKeys(m_dir->path(), u"other"_s);
    m_secrets = { mine.pair.secretKey };
    SocketSpec spec = curveServerSpec(mine);
    spec.security.allowAny = true;
    spec.security.curveSecretKey.clear(); // read from curveSecretKeyFile when the socket opens
    const auto [id, bound, error] = openedSocket(*m_engine, spec);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    TestProcess client;
    QVERIFY(startClient(client, bound.value(0),
        { u"--curve-cert"_s, m_dir->filePath(u"client.key_secret"_s), u"--curve-server-key"_s,
            other.publicFile },
        true));
    const QString line
        = u"handshake failed: a client's CURVE handshake did not decrypt (it may use the wrong server key)"_s;
    QTRY_VERIFY2_WITH_TIMEOUT(
        linesOf(*m_events, id, line) >= 1, eventDump(*m_events).constData(), NetworkTimeout);
    QVERIFY2(client.waitForFinished(NetworkTimeout), client.diagnostics());
    QVERIFY2(client.exitedWith(3), client.diagnostics());
}

void TestEngineSecurity::plainServer_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("right password") << u"s3cret-pw"_s << true;
    QTest::newRow("wrong password") << u"guessed-pw"_s << false;
}

void TestEngineSecurity::plainServer()
{
    QFETCH(QString, password);
    QFETCH(bool, allowed);
    m_secrets = { "s3cret-pw", password.toUtf8() };
    SocketSpec spec = serverSpec(u"plain server"_s);
    spec.security.mechanism = SecurityMechanism::Plain;
    spec.security.server = true;
    spec.security.acceptUsers = { PlainCredentials { u"alice"_s, u"s3cret-pw"_s } };
    expectServerDecision(spec, { u"--plain"_s, u"alice:"_s + password }, allowed,
        allowed ? u"ZAP: allowed user \"alice\" from 127.0.0.1 (user and password accepted)"_s
                : u"ZAP: refused user \"alice\" from 127.0.0.1 (status 400: username or password refused)"_s);
}

void TestEngineSecurity::plainClientRefused()
{
    m_secrets = { "right-pw", "wrong-pw" };
    TestProcess server;
    const QString endpoint = startServer(server, { u"--plain"_s, u"bob:right-pw"_s });
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());
    SocketSpec spec = clientSpec(endpoint);
    spec.security.mechanism = SecurityMechanism::Plain;
    spec.security.plainUser = u"bob"_s;
    spec.security.plainPassword = u"wrong-pw"_s;
    const auto [id, bound, error] = openedSocket(*m_engine, spec);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    expectHandshakeFailed(id, u"handshake failed: PLAIN: username or password refused (ZAP status 400)"_s);
    if (QTest::currentTestFailed())
        return;

    // The same user with the right password gets through.
    SocketSpec right = spec;
    right.name = u"right client"_s;
    right.security.plainPassword = u"right-pw"_s;
    const auto [rightId, rightBound, rightError] = openedSocket(*m_engine, right);
    QVERIFY2(rightError.isEmpty(), qPrintable(rightError));
    m_engine->send(rightId, { "hello" });
    QTRY_COMPARE_WITH_TIMEOUT(stored(*m_store, rightId).size(), 2, NetworkTimeout);
}

void TestEngineSecurity::mechanismMismatch()
{
    TestProcess server;
    const QString endpoint = startServer(server, { u"--no-auth"_s });
    QVERIFY2(!endpoint.isEmpty(), server.diagnostics());
    const auto [id, bound, error]
        = openedSocket(*m_engine, curveClientSpec(endpoint, generateCurveKeyPair()->publicKey));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    expectHandshakeFailed(
        id, u"handshake failed: security mechanism mismatch (this socket uses CURVE; the peer does not)"_s);
}

void TestEngineSecurity::serverSeesMechanismMismatch()
{
    // A NULL client at our CURVE server: the server says it too (the client may not be ours to look at).
    const OwnKeys mine = ownKeys(m_dir->path(), u"server"_s);
    m_secrets = { mine.pair.secretKey };
    SocketSpec spec = curveServerSpec(mine);
    spec.security.allowAny = true;
    const auto [id, bound, error] = openedSocket(*m_engine, spec);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    TestProcess client;
    QVERIFY(startClient(client, bound.value(0), {}, true));
    // Whichever side reads the other's greeting first sees the mismatch; when the client did, the server
    // only sees its connection close during the handshake.
    const QString mismatch
        = u"handshake failed: security mechanism mismatch (this socket uses CURVE; the peer does not)"_s;
    const QString closed = u"handshake failed with no detail: the client closed the connection during the "
                           "handshake (it may use another security mechanism than CURVE)"_s;
    QTRY_VERIFY2_WITH_TIMEOUT(linesOf(*m_events, id, mismatch) + linesOf(*m_events, id, closed) >= 1,
        eventDump(*m_events).constData(), NetworkTimeout);
    QVERIFY2(client.waitForFinished(NetworkTimeout), client.diagnostics());
    QVERIFY2(client.exitedWith(3), client.diagnostics());
}

void TestEngineSecurity::nullServerChecksAddresses_data()
{
    QTest::addColumn<bool>("deny");
    QTest::addColumn<QString>("decision");
    QTest::newRow("allowed address")
        << false << u"ZAP: allowed client from 127.0.0.1 (address in the allow-ip list)"_s;
    QTest::newRow("denied address") << true
                                    << u"ZAP: refused client from 127.0.0.1 (status 400: address denied)"_s;
}

void TestEngineSecurity::nullServerChecksAddresses()
{
    // No CURVE, no PLAIN: IP lists alone give a NULL socket the ZAP handler (czmq's zauth does the same).
    QFETCH(bool, deny);
    QFETCH(QString, decision);
    SocketSpec spec = serverSpec(u"null server"_s);
    (deny ? spec.security.denyIps : spec.security.allowIps) = { u"127.0.0.1"_s };
    expectServerDecision(spec, {}, !deny, decision);
}

void TestEngineSecurity::zapHandlerIsOnePerContext()
{
    const OwnKeys mine = ownKeys(m_dir->path(), u"server"_s);
    m_secrets = { mine.pair.secretKey };
    SocketSpec spec = curveServerSpec(mine);
    spec.security.allowAny = true;
    const auto first = openedSocket(*m_engine, spec);
    QVERIFY2(first.error.isEmpty(), qPrintable(first.error));

    // libzmq allows one ZAP handler per context: a second Engine on it cannot check its clients.
    MessageStore otherStore;
    Engine other(otherStore, m_engine->context());
    const auto refused = openedSocket(other, spec);
    QCOMPARE(refused.error,
        u"secure server: cannot check this socket's clients: another ZAP handler (another Engine on the same "
        "ZeroMQ context) already holds inproc://zeromq.zap.01, and libzmq allows one per context; open the "
        "socket in that Engine"_s);
    QCOMPARE(other.socket(refused.id)->state, SocketState::Failed);

    // The first Engine lets the endpoint go with its last secured socket.
    QSignalSpy closed(m_engine, &Engine::socketClosed);
    m_engine->closeSocket(first.id);
    QVERIFY(closed.wait(NetworkTimeout));
    const auto taken = openedSocket(other, spec);
    QVERIFY2(taken.error.isEmpty(), qPrintable(taken.error));
}

void TestEngineSecurity::tapRunsCurveOnBothSides()
{
    // python CURVE client -> tap (a CURVE server, checking the client's key) -> python CURVE server.
    const QString clients = m_dir->filePath(u"clients"_s);
    QVERIFY(QDir().mkpath(clients));
    QVERIFY(securepeer::keygen(clients, { u"peer"_s }));
    const OwnKeys tapKeys = ownKeys(m_dir->path(), u"tap"_s);
    m_secrets = { tapKeys.pair.secretKey };

    TestProcess server;
    const QString serverEndpoint = startPyzmqCurveServer(server, { u"--allow-any"_s });
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());

    TapSpec spec = tapSpec(serverEndpoint);
    spec.listenSecurity = curveServerSpec(tapKeys).security;
    spec.listenSecurity.allowKeyPaths = { clients };
    spec.forwardSecurity.mechanism = SecurityMechanism::Curve;
    spec.forwardSecurity.curveServerKey = publicKeyIn(m_dir->filePath(u"server.key"_s));
    QSignalSpy opened(m_engine, &Engine::socketOpened);
    const SocketId tap = m_engine->openTap(spec);
    QVERIFY2(opened.wait(NetworkTimeout), eventDump(*m_events).constData());
    const QString listen = opened.value(0).value(1).toStringList().value(0);
    QVERIFY(!listen.isEmpty());

    TestProcess client;
    QVERIFY(startClient(client, listen,
        { u"--curve-cert"_s, clients + u"/peer.key_secret"_s, u"--curve-server-key"_s, tapKeys.publicFile }));
    QVERIFY(client.waitForFinished(NetworkTimeout));
    QVERIFY2(client.exitedWith(0), client.diagnostics());
    QCOMPARE(securepeer::reply(client), QList<QByteArray> { "hello" });
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(*m_events, tap,
                                  u"ZAP: allowed client %1 from 127.0.0.1 (key in the allow list)"_s.arg(
                                      QString::fromLatin1(publicKeyIn(clients + u"/peer.key"_s)))),
        1, NetworkTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        stored(*m_store, tap).size(), 2, NetworkTimeout); // c2s and s2c, in the clear inside the tap
}

void TestEngineSecurity::tapWithWrongServerKeySaysSo()
{
    TestProcess server;
    const QString serverEndpoint = startPyzmqCurveServer(server, { u"--allow-any"_s });
    QVERIFY2(!serverEndpoint.isEmpty(), server.diagnostics());
    TapSpec spec = tapSpec(serverEndpoint);
    spec.forwardSecurity.mechanism = SecurityMechanism::Curve;
    spec.forwardSecurity.curveServerKey = generateCurveKeyPair()->publicKey; // not the server's
    const SocketId tap = m_engine->openTap(spec);
    expectHandshakeFailed(tap, ServerKeyWrong);
    QCOMPARE(m_engine->socket(tap)->tap->state.forwardState, SocketState::HandshakeFailed);
    QCOMPARE(linesOf(*m_events, tap, u"server's side: "_s + ServerKeyWrong), 1);
}

QTEST_GUILESS_MAIN(TestEngineSecurity)
#include "tst_enginesecurity.moc"
