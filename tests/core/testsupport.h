#pragma once

// Helpers shared by the core suites: endpoints per transport and connected
// socket pairs. Real sockets only; TCP always binds a wildcard port and the
// peer connects to the endpoint read back from the bound socket.

#include <atomic>
#include <chrono>
#include <optional>
#include <utility>

#include <QCoreApplication>
#include <QJsonValue>
#include <QString>
#include <QTest>

#include <zmqscope/envelope.h>
#include <zmqscope/socket.h>

namespace testsupport {

using namespace Qt::StringLiterals;

/// Adds the "transport" column with one row per transport; `prefix` names rows of a larger table.
inline void addTransportRows(const char *prefix = nullptr)
{
    for (const char *transport : { "inproc", "tcp" }) {
        const QByteArray row = prefix ? QByteArray(prefix) + '/' + transport : QByteArray(transport);
        QTest::newRow(row.constData()) << QString::fromLatin1(transport);
    }
}

/// The whole table of a test that runs once per transport: the "transport" column and its rows.
inline void transportTable()
{
    QTest::addColumn<QString>("transport");
    addTransportRows();
}

/// Where to bind for `transport`: a fresh inproc name, or a wildcard port on the loopback interface.
inline QString bindEndpoint(const QString &transport)
{
    static std::atomic<int> counter { 0 };
    if (transport == u"inproc"_s)
        return u"inproc://coretest-%1-%2"_s.arg(QCoreApplication::applicationPid()).arg(++counter);
    return u"tcp://127.0.0.1:*"_s;
}

/// Options every test socket gets: never let a close wait for undeliverable messages.
inline zmqscope::Options quickClose(zmqscope::Options more = {})
{
    more.insert(more.begin(), { "linger", 0 });
    return more;
}

/// A bound socket and a socket connected to it, in one context. Tests whose lambdas use the sockets
/// name them by reference (`Socket &pull = pair.bound;`), not by a structured binding: clang 14, which
/// clang-tidy-14 parses with, cannot capture a structured binding in a lambda.
struct SocketPair
{
    zmqscope::Socket bound;
    zmqscope::Socket connected;
};

inline SocketPair makePair(zmqscope::SocketType boundType, zmqscope::SocketType connectedType,
    const QString &transport, const zmqscope::Context &context, const zmqscope::Options &boundOptions = {},
    const zmqscope::Options &connectedOptions = {})
{
    zmqscope::Socket bound = zmqscope::Socket::create(boundType, context);
    for (const auto &[name, value] : quickClose(boundOptions))
        bound.setOption(name, value);
    bound.bind(bindEndpoint(transport));
    zmqscope::Socket connected = zmqscope::Socket::create(connectedType, context);
    for (const auto &[name, value] : quickClose(connectedOptions))
        connected.setOption(name, value);
    connected.connect(bound.lastEndpoint());
    return { std::move(bound), std::move(connected) };
}

/// Runs `call` and returns the zmqscope::Error it threw, or nothing when it did not throw.
template<typename Call> std::optional<zmqscope::Error> errorOf(Call &&call)
{
    try {
        call();
    } catch (const zmqscope::Error &error) {
        return error;
    }
    return std::nullopt;
}

/// A receiveObj() handler that hands back the JSON value as it arrived.
inline QJsonValue asJson(const QJsonValue &value)
{
    return value;
}

/// Enough time for a message to cross a loopback connection; only an upper bound for waits.
inline constexpr std::chrono::milliseconds DeliveryTimeout { 5000 };

/// The names the socket suites write unqualified: `using namespace testsupport::suite;` at the top.
namespace suite {
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using testsupport::asJson;
using testsupport::DeliveryTimeout;
using testsupport::errorOf;
using testsupport::makePair;
using zmqscope::Context;
using zmqscope::Envelope;
using zmqscope::ErrorCode;
using zmqscope::Frames;
using zmqscope::Socket;
using zmqscope::SocketType;
} // namespace suite

} // namespace testsupport
