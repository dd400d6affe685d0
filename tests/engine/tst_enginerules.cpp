// The contracts of the rules written once (tests/contracts/) applied to the engine part: the
// endpoint rule through SocketSpec::validate() and Engine::openSocket(), the naming rule through
// Engine::openSocket(), the default options the engine applies; and the explicit
// "no state" of events that change none.

#include <QSignalSpy>
#include <QTest>

#include <zmqscope/engine/engine.h>
#include <zmqscope/socket.h>

#include "../contracts/defaultcases.h"
#include "../contracts/endpointcases.h"
#include "../contracts/namecases.h"
#include "enginetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int NetworkTimeout = 10'000;

/// The checks every refusal gets: InvalidEndpoint's text in one line, naming each of `named`.
void verifyNamed(const QString &message, const QStringList &named)
{
    QVERIFY2(!message.contains(u'\n'), qPrintable(message));
    for (const QString &part : named)
        QVERIFY2(message.contains(part), qPrintable(u"\"%1\" is not named in: %2"_s.arg(part, message)));
}

SocketSpec specWith(const QString &endpoint, EndpointRole role, SocketType type)
{
    SocketSpec spec;
    spec.name = u"check"_s;
    spec.type = type;
    (role == EndpointRole::Bind ? spec.binds : spec.connects).append(endpoint);
    spec.options = { { "linger", 0 } };
    return spec;
}

} // namespace

class TestEngineRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validate_data() { contracts::endpointCases(); }
    void validate();
    void openSocket_data() { contracts::endpointCases(); }
    void openSocket();
    void naming_data() { contracts::nameCases(); }
    void naming();
    void defaults_data() { contracts::defaultCases(); }
    void defaults();
    void eventWithoutState();
};

void TestEngineRules::validate()
{
    QFETCH(QString, endpoint);
    QFETCH(EndpointRole, role);
    QFETCH(SocketType, type);
    QFETCH(bool, accepted);
    QFETCH(QStringList, named);
    try {
        specWith(endpoint, role, type).validate();
    } catch (const Error &error) {
        if (accepted)
            QFAIL(error.what());
        QCOMPARE(error.code(), ErrorCode::InvalidEndpoint);
        named << u"\"%1\""_s.arg(endpoint) << u"\"check\""_s
              << (role == EndpointRole::Bind ? u"bind endpoint"_s : u"connect endpoint"_s);
        verifyNamed(error.message(), named);
        return;
    }
    QVERIFY2(accepted, "SocketSpec::validate() took an endpoint the rule refuses");
}

void TestEngineRules::openSocket()
{
    QFETCH(QString, endpoint);
    QFETCH(EndpointRole, role);
    QFETCH(SocketType, type);
    QFETCH(bool, accepted);
    QFETCH(QStringList, named);
    QFETCH(bool, live);
    if (accepted && !live)
        QSKIP("not opened for real: a fixed port, the network, or a transport this machine may lack");
    MessageStore store;
    Engine engine(store);
    const auto [id, bound, error] = enginetest::openedSocket(engine, specWith(endpoint, role, type));
    if (accepted) {
        QVERIFY2(error.isEmpty(), qPrintable(error));
        return;
    }
    QVERIFY2(!error.isEmpty(), "the engine opened a socket on an endpoint the rule refuses");
    verifyNamed(error, named << u"\"%1\""_s.arg(endpoint));
}

void TestEngineRules::naming()
{
    QFETCH(QString, wanted);
    QFETCH(SocketType, type);
    QFETCH(QStringList, taken);
    QFETCH(QString, expected);
    QCOMPARE(
        uniqueSocketName(wanted, type, [&](const QString &name) { return taken.contains(name); }), expected);

    MessageStore store;
    Engine engine(store);
    const auto spec = [](const QString &name, SocketType socketType) {
        SocketSpec result;
        result.name = name;
        result.type = socketType;
        result.binds = { u"tcp://127.0.0.1:*"_s };
        result.options = { { "linger", 0 } };
        return result;
    };
    for (const QString &name : std::as_const(taken))
        QCOMPARE(engine.socket(engine.openSocket(spec(name, SocketType::Pull)))->spec.name, name);
    QCOMPARE(engine.socket(engine.openSocket(spec(wanted, type)))->spec.name, expected);
    engine.sync();
}

void TestEngineRules::defaults()
{
    QFETCH(SocketType, type);
    QFETCH(SocketPurpose, purpose);
    QFETCH(QString, option);
    QFETCH(qint64, value);
    QFETCH(bool, listed);
    if (purpose != SocketPurpose::Inspector)
        QSKIP("the library's sockets are checked in tests/core");
    const std::optional<qint64> inTable = contracts::listedValue(Engine::defaultOptions(type), option);
    QCOMPARE(inTable.has_value(), listed);
    if (listed)
        QCOMPARE(*inTable, value);
    // The worker applies Engine::defaultOptions() to every socket it opens (engineworker.cpp); the
    // sockets themselves live in the engine thread, out of a test's reach.
}

void TestEngineRules::eventWithoutState()
{
    // "accepted a connection" changes no state: its event says so, rather than "Opening" or the
    // socket's state of the moment, which a listener would take for a change.
    QCOMPARE(EngineEvent().state, SocketState::None);
    QVERIFY(socketStateName(SocketState::None).isEmpty());
    MessageStore store;
    Engine engine(store);
    QSignalSpy events(&engine, &Engine::eventLogged);
    SocketSpec spec;
    spec.type = SocketType::Pull;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    // Not a structured binding: the lambda below uses the id, and clang 14 (clang-tidy) cannot capture one.
    const enginetest::OpenedSocket opened = enginetest::openedSocket(engine, spec);
    QVERIFY2(opened.error.isEmpty(), qPrintable(opened.error));
    Socket push = Socket::connectNew("PUSH", opened.bound.value(0), { { "linger", 0 } });
    const auto accepted = [&]() -> std::optional<EngineEvent> {
        for (const auto &arguments : std::as_const(events)) {
            const auto event = arguments.at(0).value<EngineEvent>();
            if (event.socket == opened.id && event.text.startsWith(u"accepted a connection"_s))
                return event;
        }
        return std::nullopt;
    };
    QTRY_VERIFY_WITH_TIMEOUT(accepted().has_value(), NetworkTimeout);
    QCOMPARE(accepted()->state, SocketState::None);
    for (const auto &arguments : std::as_const(events)) {
        const auto event = arguments.at(0).value<EngineEvent>();
        if (event.text.startsWith(u"listening on"_s))
            QCOMPARE(event.state, SocketState::Listening); // an event that changes the state carries it
    }
}

QTEST_GUILESS_MAIN(TestEngineRules)
#include "tst_enginerules.moc"
