#pragma once

// Loopback addresses and ports of their own for the tests that capture lo (issue 15). ctest runs two
// tests at once, and lo carries every test's traffic: a capture of all of it sees the other test's
// connections (a tap test moves 64 MiB frames) and can lose its own packets when the kernel's ring
// fills. So each capturing test talks on an address of 127.0.0.0/8 nobody else uses and filters on
// it (tcpdump), or on ports picked below the kernel's ephemeral range (the sniffer's --port), which
// no other connection's client side is given.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QRandomGenerator>
#include <QStringList>

namespace loopback {

/// One per test program that captures lo; wire_peers.py binds and connects there (--host).
inline constexpr char PassiveDecoderHost[] = "127.0.83.1";
inline constexpr char EngineSniffHost[] = "127.0.83.2";
inline constexpr char SniffWindowHost[] = "127.0.83.3";
inline constexpr char CliSniffHost[] = "127.0.83.4";

/// The first port of the kernel's ephemeral range (net.ipv4.ip_local_port_range), 32768 by default.
inline int ephemeralStart()
{
    QFile range(QStringLiteral("/proc/sys/net/ipv4/ip_local_port_range"));
    const int start
        = range.open(QIODevice::ReadOnly) ? range.readAll().simplified().split(' ').value(0).toInt() : 0;
    return start > 2048 ? start : 32768;
}

/// `count` distinct TCP ports free on `host` now, from the half of the port space just below the
/// ephemeral range; empty when none could be found.
inline QList<quint16> freePorts(const char *host, int count)
{
    const int high = ephemeralStart();
    const int low = high / 2;
    QList<quint16> ports;
    QList<int> held; // kept bound until all are found, so that no port is picked twice
    for (int attempt = 0; attempt < 200 && ports.size() < count; ++attempt) {
        const auto port = quint16(QRandomGenerator::global()->bounded(low, high));
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        if (fd < 0 || ::inet_pton(AF_INET, host, &address.sin_addr) != 1
            || ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            if (fd >= 0)
                ::close(fd);
            continue;
        }
        held.append(fd);
        ports.append(port);
    }
    for (const int fd : held)
        ::close(fd);
    return ports.size() == count ? ports : QList<quint16> {};
}

/// wire_peers.py's arguments: `scenarios` (every one when empty) talking on `host`, their servers on
/// `ports` in scenario order (random ports when empty).
inline QStringList wirePeersArguments(
    const QStringList &scenarios, const char *host, const QList<quint16> &ports = {})
{
    QStringList arguments { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/wire_peers.py"),
        QStringLiteral("--host"), QString::fromLatin1(host) };
    for (const QString &scenario : scenarios)
        arguments << QStringLiteral("--scenario") << scenario;
    for (const quint16 port : ports)
        arguments << QStringLiteral("--port") << QString::number(port);
    return arguments;
}

} // namespace loopback
