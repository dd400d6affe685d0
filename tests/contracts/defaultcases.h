#pragma once

// The default options contract: one table of what a socket gets when its user sets nothing,
// applied to every part that opens sockets or shows defaults: Socket::create() and the table
// itself in tests/core/tst_endpointrule.cpp (transport), the engine's sockets in
// tests/engine/tst_enginerules.cpp, the socket dialog's "not set" values in
// tests/ui/compose/tst_dialogrules.cpp. Before it, linger was 1000 in socket.cpp and 250 in
// engine.cpp with nothing saying which is meant where.

#include <QTest>

#include <zmqscope/defaults.h>

Q_DECLARE_METATYPE(zmqscope::SocketPurpose)

namespace contracts {

/**
 * Columns: type (SocketType), purpose (SocketPurpose), option (QString), value (qint64: what
 * the socket has; booleans are 0/1), listed (bool: the table sets it, rather than libzmq).
 */
inline void defaultCases()
{
    using namespace Qt::StringLiterals;
    using zmqscope::SocketPurpose;
    using zmqscope::SocketType;
    QTest::addColumn<SocketType>("type");
    QTest::addColumn<SocketPurpose>("purpose");
    QTest::addColumn<QString>("option");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<bool>("listed");

    const auto row
        = [](const char *name, SocketType type, SocketPurpose purpose, const QString &option, qint64 value,
              bool listed) { QTest::newRow(name) << type << purpose << option << value << listed; };
    constexpr auto Library = SocketPurpose::Library;
    constexpr auto Inspector = SocketPurpose::Inspector;
    // The seed port: libzmq's defaults, but a context can always close.
    row("library linger", SocketType::Sub, Library, u"linger"_s, 1000, true);
    row("library rcvhwm is libzmq's", SocketType::Sub, Library, u"rcvhwm"_s, 1000, false);
    row("library maxmsgsize is libzmq's", SocketType::Dealer, Library, u"maxmsgsize"_s, -1, false);
    row("library sndtimeo is libzmq's", SocketType::Push, Library, u"sndtimeo"_s, -1, false);
    // The engine's sockets (DESIGN.md section 7).
    row("inspector linger", SocketType::Sub, Inspector, u"linger"_s, 250, true);
    row("inspector rcvhwm", SocketType::Sub, Inspector, u"rcvhwm"_s, 100'000, true);
    row("inspector maxmsgsize", SocketType::Dealer, Inspector, u"maxmsgsize"_s, qint64(256) << 20, true);
    row("inspector sndtimeo", SocketType::Push, Inspector, u"sndtimeo"_s, 0, true);
    row("inspector reconnect_ivl_max", SocketType::Req, Inspector, u"reconnect_ivl_max"_s, 5000, true);
    row("inspector sndhwm is libzmq's", SocketType::Pub, Inspector, u"sndhwm"_s, 1000, false);
    row("inspector router_mandatory", SocketType::Router, Inspector, u"router_mandatory"_s, 1, true);
    row("inspector dealer not router_mandatory", SocketType::Dealer, Inspector, u"router_mandatory"_s, 0,
        false);
}

/// The value `options` sets for `option`, or nothing when it does not list it.
inline std::optional<qint64> listedValue(const zmqscope::Options &options, const QString &option)
{
    for (const auto &[name, value] : options) {
        if (QString::fromStdString(name) == option)
            return value.isBool() ? qint64(value.toBool()) : qint64(value.toInt());
    }
    return std::nullopt;
}

} // namespace contracts
