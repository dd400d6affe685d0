// The contracts of the rules written once in the transport part, applied to it: the endpoint
// rule (tests/contracts/endpointcases.h) itself and through Socket::bind()/connect(), which must
// refuse what it refuses before libzmq sees the text and take what it takes, over real sockets
// where the endpoint allows it; the default options (tests/contracts/defaultcases.h) as listed
// and as a Socket has them.

#include <QTest>

#include <zmqscope/defaults.h>
#include <zmqscope/endpoint.h>
#include <zmqscope/socket.h>

#include "../contracts/defaultcases.h"
#include "../contracts/endpointcases.h"

using namespace Qt::StringLiterals;
using zmqscope::EndpointRole;
using zmqscope::ErrorCode;
using zmqscope::Socket;
using zmqscope::SocketType;

namespace {

/// The checks every refusal gets: InvalidEndpoint, one line, and each of `named` in the message.
void verifyRefusal(const zmqscope::Error &error, const QStringList &named)
{
    QCOMPARE(error.code(), ErrorCode::InvalidEndpoint);
    const QString message = error.message();
    QVERIFY2(!message.contains(u'\n'), qPrintable(message));
    for (const QString &part : named)
        QVERIFY2(message.contains(part), qPrintable(u"\"%1\" is not named in: %2"_s.arg(part, message)));
}

} // namespace

class TestEndpointRule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rule_data() { contracts::endpointCases(); }
    void rule();
    void socket_data() { contracts::endpointCases(); }
    void socket();
    void transportNames();
    void defaults_data() { contracts::defaultCases(); }
    void defaults();
};

void TestEndpointRule::rule()
{
    QFETCH(QString, endpoint);
    QFETCH(EndpointRole, role);
    QFETCH(SocketType, type);
    QFETCH(bool, accepted);
    QFETCH(QStringList, named);
    const zmqscope::Result<zmqscope::Endpoint> checked = zmqscope::checkEndpoint(endpoint, role, type);
    if (accepted) {
        QVERIFY2(checked.ok(), qPrintable(checked.errorMessage()));
        QCOMPARE(zmqscope::transportName(checked->transport) + u"://"_s + checked->address, endpoint);
        return;
    }
    QVERIFY2(!checked.ok(), "accepted");
    verifyRefusal(checked.error(), named);
}

void TestEndpointRule::socket()
{
    QFETCH(QString, endpoint);
    QFETCH(EndpointRole, role);
    QFETCH(SocketType, type);
    QFETCH(bool, accepted);
    QFETCH(QStringList, named);
    QFETCH(bool, live);
    if (accepted && !live)
        QSKIP("not opened for real: a fixed port, the network, or a transport this machine may lack");

    Socket socket = Socket::create(type);
    socket.setOption("linger", 0);
    const bool binds = role == EndpointRole::Bind;
    try {
        binds ? socket.bind(endpoint) : socket.connect(endpoint);
    } catch (const zmqscope::Error &error) {
        if (accepted)
            QFAIL(error.what());
        verifyRefusal(error, named);
        if (QTest::currentTestFailed())
            return;
        // The socket's own context: which socket, what it did, which endpoint.
        for (const QString &part :
            { zmqscope::socketTypeName(type), binds ? u"bind"_s : u"connect"_s, u"\"%1\""_s.arg(endpoint) })
            QVERIFY2(error.message().contains(part), error.what());
        QVERIFY(socket.boundEndpoints().isEmpty());
        QVERIFY(socket.connectedEndpoints().isEmpty());
        return;
    }
    QVERIFY2(accepted, "Socket took an endpoint the rule refuses");
    QCOMPARE((binds ? socket.boundEndpoints() : socket.connectedEndpoints()).size(), 1);
}

void TestEndpointRule::transportNames()
{
    QCOMPARE(zmqscope::transportNames(),
        QStringList({ u"tcp"_s, u"ipc"_s, u"inproc"_s, u"pgm"_s, u"epgm"_s, u"tipc"_s, u"vmci"_s }));
}

void TestEndpointRule::defaults()
{
    QFETCH(SocketType, type);
    QFETCH(zmqscope::SocketPurpose, purpose);
    QFETCH(QString, option);
    QFETCH(qint64, value);
    QFETCH(bool, listed);
    const std::optional<qint64> inTable
        = contracts::listedValue(zmqscope::defaultOptions(type, purpose), option);
    QCOMPARE(inTable.has_value(), listed);
    if (listed)
        QCOMPARE(*inTable, value);
    if (purpose != zmqscope::SocketPurpose::Library)
        return; // the engine's sockets are checked in tests/engine
    const Socket socket = Socket::create(type);
    const zmqscope::OptionValue actual = socket.option(option);
    QCOMPARE(actual.isBool() ? qint64(actual.toBool()) : qint64(actual.toInt()), value);
}

QTEST_GUILESS_MAIN(TestEndpointRule)
#include "tst_endpointrule.moc"
