#include <QTest>

#include <zmqscope/engine/engine.h>

#include "compose/endpointcheck.h"

using namespace Qt::StringLiterals;
using EndpointCheck::Role;

Q_DECLARE_METATYPE(EndpointCheck::Role)

class TestEndpointCheck : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void accepted_data();
    void accepted();
    void rejected_data();
    void rejected();
};

void TestEndpointCheck::accepted_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<Role>("role");
    QTest::newRow("tcp connect") << u"tcp://127.0.0.1:5555"_s << Role::Connect;
    QTest::newRow("tcp connect host name") << u"tcp://broker.example-1.net:1"_s << Role::Connect;
    QTest::newRow("tcp connect with source") << u"tcp://192.168.1.2:0;10.0.0.1:6000"_s << Role::Connect;
    QTest::newRow("tcp bind any interface") << u"tcp://*:5555"_s << Role::Bind;
    QTest::newRow("tcp bind free port") << u"tcp://127.0.0.1:*"_s << Role::Bind;
    QTest::newRow("tcp bind port 0") << u"tcp://127.0.0.1:0"_s << Role::Bind;
    QTest::newRow("tcp bind interface name") << u"tcp://eth0:5555"_s << Role::Bind;
    QTest::newRow("tcp ipv6") << u"tcp://[::1]:5555"_s << Role::Connect;
    QTest::newRow("tcp ipv6 mapped") << u"tcp://[::ffff:127.0.0.1]:5555"_s << Role::Connect;
    QTest::newRow("ipc path") << u"ipc:///tmp/zmqscope.sock"_s << Role::Bind;
    QTest::newRow("ipc abstract") << u"ipc://@scope"_s << Role::Connect;
    QTest::newRow("ipc bind wildcard") << u"ipc://*"_s << Role::Bind;
    QTest::newRow("inproc") << u"inproc://demo"_s << Role::Connect;
    QTest::newRow("pgm") << u"pgm://eth0;239.192.1.1:5555"_s << Role::Connect;
    QTest::newRow("epgm") << u"epgm://192.168.1.1;239.192.1.1:5555"_s << Role::Bind;
    QTest::newRow("tipc") << u"tipc://{5560,0,0}"_s << Role::Bind;
}

void TestEndpointCheck::accepted()
{
    QFETCH(QString, endpoint);
    QFETCH(Role, role);
    QCOMPARE(EndpointCheck::problem(endpoint, role), QString());

    // What the dialog lets through, the engine must take too, or the user meets a second, later error.
    zmqscope::SocketSpec spec;
    spec.name = u"check"_s;
    spec.type = zmqscope::SocketType::Pair;
    (role == Role::Bind ? spec.binds : spec.connects).append(endpoint);
    try {
        spec.validate();
    } catch (const zmqscope::Error &error) {
        QFAIL(qPrintable(error.message()));
    }
}

void TestEndpointCheck::rejected_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<Role>("role");
    QTest::addColumn<QString>("expected"); // a part of the message, which must name the bad value

    QTest::newRow("empty") << QString() << Role::Connect << u"empty"_s;
    QTest::newRow("no scheme") << u"127.0.0.1:5555"_s << Role::Connect
                               << u"\"127.0.0.1:5555\" has no transport"_s;
    QTest::newRow("unknown scheme") << u"udpx://a:1"_s << Role::Connect << u"unknown transport \"udpx\""_s;
    QTest::newRow("upper-case scheme") << u"TCP://a:1"_s << Role::Connect << u"lower case: tcp"_s;
    QTest::newRow("no port") << u"tcp://127.0.0.1"_s << Role::Connect << u"\"tcp://127.0.0.1\" has no port"_s;
    QTest::newRow("empty address") << u"tcp://"_s << Role::Bind << u"has no address"_s;
    QTest::newRow("no host") << u"tcp://:5555"_s << Role::Connect << u"no host"_s;
    QTest::newRow("port too big") << u"tcp://127.0.0.1:70000"_s << Role::Connect << u"port \"70000\""_s;
    QTest::newRow("port not a number") << u"tcp://127.0.0.1:http"_s << Role::Connect << u"port \"http\""_s;
    QTest::newRow("port 0 on connect") << u"tcp://127.0.0.1:0"_s << Role::Connect << u"port \"0\""_s;
    QTest::newRow("negative port") << u"tcp://127.0.0.1:-5"_s << Role::Bind << u"port \"-5\""_s;
    QTest::newRow("wildcard port on connect")
        << u"tcp://127.0.0.1:*"_s << Role::Connect << u"only works when binding"_s;
    QTest::newRow("wildcard host on connect")
        << u"tcp://*:5555"_s << Role::Connect << u"host * means every interface"_s;
    QTest::newRow("bad host") << u"tcp://exa$mple:5555"_s << Role::Connect
                              << u"\"exa$mple\" is not a host name"_s;
    QTest::newRow("bad ipv6") << u"tcp://[zz]:5555"_s << Role::Connect
                              << u"\"[zz]\" is not an IPv6 address"_s;
    QTest::newRow("space") << u"tcp://127.0.0.1 :5555"_s << Role::Connect << u"contains a space"_s;
    QTest::newRow("control character") << u"tcp://a\u0007:1"_s << Role::Connect << u"U+0007"_s;
    QTest::newRow("ipc without path") << u"ipc://"_s << Role::Bind << u"has no path"_s;
    QTest::newRow("ipc wildcard on connect") << u"ipc://*"_s << Role::Connect << u"only works when binding"_s;
    QTest::newRow("ipc path too long")
        << u"ipc:///tmp/"_s + QString(120, u'x') << Role::Bind << u"bytes long"_s;
    QTest::newRow("inproc without name") << u"inproc://"_s << Role::Connect << u"has no name"_s;
    QTest::newRow("pgm without interface")
        << u"pgm://239.192.1.1:5555"_s << Role::Connect << u"interface;multicast"_s;
    QTest::newRow("ws needs the draft API")
        << u"ws://127.0.0.1:8080/zmq"_s << Role::Connect << u"draft API"_s;
}

void TestEndpointCheck::rejected()
{
    QFETCH(QString, endpoint);
    QFETCH(Role, role);
    QFETCH(QString, expected);
    const QString problem = EndpointCheck::problem(endpoint, role);
    QVERIFY2(problem.contains(expected), qPrintable(problem));
    QVERIFY2(!problem.contains(u'\n'), "one line");
}

QTEST_GUILESS_MAIN(TestEndpointCheck)
#include "tst_endpointcheck.moc"
