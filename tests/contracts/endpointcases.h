#pragma once

// The endpoint contract: one table of endpoints, applied to every caller of the one rule
// (zmqscope::checkEndpoint): Socket::bind()/connect() in tests/core/tst_endpointrule.cpp,
// SocketSpec::validate() and Engine::openSocket() in tests/engine/tst_enginerules.cpp, the
// socket dialog's check in tests/ui/compose/tst_dialogrules.cpp. A caller that accepts what
// another refuses (the engine took TCP:// and udp://, the dialog refused both) fails here.

#include <QStringList>
#include <QTest>

#include <zmqscope/endpoint.h>

Q_DECLARE_METATYPE(zmqscope::EndpointRole)
Q_DECLARE_METATYPE(zmqscope::SocketType)

namespace contracts {

/**
 * Columns: endpoint (QString), role (EndpointRole), type (SocketType), accepted (bool),
 * named (QStringList: the words a refusal's message must contain), live (bool: the transport
 * test may bind or connect it for real: no fixed port, no network, no missing kernel module).
 */
inline void endpointCases()
{
    using namespace Qt::StringLiterals;
    using zmqscope::EndpointRole;
    using zmqscope::SocketType;
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<EndpointRole>("role");
    QTest::addColumn<SocketType>("type");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QStringList>("named");
    QTest::addColumn<bool>("live");

    constexpr auto Bind = EndpointRole::Bind;
    constexpr auto Connect = EndpointRole::Connect;
    const auto ok = [&](const char *row, const QString &endpoint, EndpointRole role, bool live = false,
                        SocketType type = SocketType::Pair) {
        QTest::newRow(row) << endpoint << role << type << true << QStringList() << live;
    };
    const auto bad = [&](const char *row, const QString &endpoint, EndpointRole role,
                         const QStringList &named, SocketType type = SocketType::Pair) {
        QTest::newRow(row) << endpoint << role << type << false << named << false;
    };
    // The longest inproc name that fits (MaxEndpointBytes in all), and one byte more.
    const QString longestInproc = u"inproc://"_s + QString(zmqscope::MaxEndpointBytes - 9, u'n');

    ok("tcp connect", u"tcp://127.0.0.1:5555"_s, Connect);
    ok("tcp connect host name", u"tcp://broker.example-1.net:1"_s, Connect);
    ok("tcp connect with source", u"tcp://192.168.1.2:0;10.0.0.1:6000"_s, Connect);
    ok("tcp connect leading zeros", u"tcp://127.0.0.1:05555"_s, Connect);
    ok("tcp bind any interface", u"tcp://*:5555"_s, Bind);
    ok("tcp bind free port", u"tcp://127.0.0.1:*"_s, Bind, true);
    ok("tcp bind port 0", u"tcp://127.0.0.1:0"_s, Bind, true);
    ok("tcp bind anything", u"tcp://*:*"_s, Bind, true);
    ok("tcp bind interface name", u"tcp://eth0:5555"_s, Bind);
    ok("tcp ipv6", u"tcp://[::1]:5555"_s, Connect);
    ok("tcp ipv6 mapped", u"tcp://[::ffff:127.0.0.1]:5555"_s, Connect);
    ok("ipc path", u"ipc:///tmp/zmqscope.sock"_s, Bind);
    ok("ipc path with a space", u"ipc:///tmp/zmq scope.sock"_s, Connect);
    ok("ipc abstract", u"ipc://@scope"_s, Connect);
    ok("ipc bind wildcard", u"ipc://*"_s, Bind, true);
    ok("inproc connect", u"inproc://demo"_s, Connect, true);
    ok("inproc name with spaces", u"inproc://a name with spaces"_s, Bind, true);
    ok("inproc longest", longestInproc, Bind, true);
    ok("pgm", u"pgm://eth0;239.192.1.1:5555"_s, Connect, false, SocketType::Sub);
    ok("epgm", u"epgm://192.168.1.1;239.192.1.1:5555"_s, Bind, false, SocketType::Pub);
    ok("tipc", u"tipc://{5560,0,0}"_s, Bind);
    ok("vmci", u"vmci://1:5555"_s, Connect);

    bad("empty", QString(), Connect, { u"empty"_s });
    bad("no scheme", u"127.0.0.1:5555"_s, Connect, { u"no transport"_s });
    bad("unknown scheme", u"udpx://a:1"_s, Connect, { u"unknown transport"_s, u"\"udpx\""_s, u"tcp, ipc"_s });
    bad("upper-case scheme", u"TCP://127.0.0.1:5555"_s, Connect,
        { u"\"TCP\""_s, u"lower case"_s, u"tcp://"_s });
    bad("udp is draft", u"udp://127.0.0.1:5555"_s, Connect, { u"udp"_s, u"RADIO"_s, u"draft"_s });
    bad("ws is draft", u"ws://127.0.0.1:8080/zmq"_s, Connect, { u"ws"_s, u"draft"_s });
    bad("no port", u"tcp://127.0.0.1"_s, Connect, { u"no port"_s, u"\"127.0.0.1\""_s });
    bad("empty address", u"tcp://"_s, Bind, { u"no address"_s });
    bad("no host", u"tcp://:5555"_s, Connect, { u"no host"_s });
    bad("port too big", u"tcp://127.0.0.1:70000"_s, Connect, { u"port \"70000\""_s, u"1 to 65535"_s });
    bad("port 65536 on bind", u"tcp://127.0.0.1:65536"_s, Bind,
        { u"port \"65536\""_s, u"0 to 65535 or *"_s });
    bad("port not a number", u"tcp://127.0.0.1:http"_s, Connect, { u"port \"http\""_s });
    bad("port 0 on connect", u"tcp://127.0.0.1:0"_s, Connect, { u"port \"0\""_s });
    bad("negative port", u"tcp://127.0.0.1:-5"_s, Bind, { u"port \"-5\""_s });
    bad("port with a sign", u"tcp://127.0.0.1:+5"_s, Connect, { u"port \"+5\""_s });
    bad("port in exponent form", u"tcp://127.0.0.1:1e3"_s, Bind, { u"port \"1e3\""_s });
    bad("port range", u"tcp://127.0.0.1:[5000-5010]"_s, Bind, { u"\"[5000-5010]\""_s, u"no port ranges"_s });
    bad("wildcard port on connect", u"tcp://127.0.0.1:*"_s, Connect, { u"port *"_s, u"binding"_s });
    bad("wildcard host on connect", u"tcp://*:5555"_s, Connect, { u"host *"_s, u"binding"_s });
    bad("bad host", u"tcp://exa$mple:5555"_s, Connect, { u"host \"exa$mple\""_s });
    bad("bad ipv6", u"tcp://[zz]:5555"_s, Connect, { u"\"[zz]\""_s, u"IPv6"_s });
    bad("host name too long", u"tcp://%1:1"_s.arg(QString(254, u'h')), Connect, { u"254"_s, u"253"_s });
    bad("bad source", u"tcp://192.168.1.2:x;10.0.0.1:6000"_s, Connect, { u"source address"_s, u"\"x\""_s });
    bad("space", u"tcp://127.0.0.1 :5555"_s, Connect, { u"space"_s });
    bad("leading space", u" inproc://x"_s, Bind, { u"starts with a space"_s });
    bad("control character", u"tcp://a\u0007:1"_s, Connect, { u"U+0007"_s });
    bad("ipc without path", u"ipc://"_s, Bind, { u"no path"_s });
    bad("ipc abstract without name", u"ipc://@"_s, Bind, { u"ipc://@"_s });
    bad("ipc wildcard on connect", u"ipc://*"_s, Connect, { u"ipc://*"_s, u"binding"_s });
    bad("ipc path too long", u"ipc:///tmp/"_s + QString(120, u'x'), Bind, { u"125 bytes"_s, u"107"_s });
    bad("inproc without name", u"inproc://"_s, Connect, { u"no name"_s });
    bad("endpoint too long", longestInproc + u'n', Bind, { u"1024 bytes"_s, u"1023"_s });
    bad("pgm without interface", u"pgm://239.192.1.1:5555"_s, Connect, { u"interface;multicast"_s },
        SocketType::Sub);
    bad("pgm on PAIR", u"pgm://eth0;239.192.1.1:5555"_s, Connect, { u"pgm"_s, u"PUB, SUB"_s, u"PAIR"_s });
}

} // namespace contracts
