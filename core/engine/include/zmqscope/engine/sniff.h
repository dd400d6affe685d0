#pragma once

#include <cstdint>

#include <QJsonObject>
#include <QList>
#include <QString>

#include <zmqscope/error.h>

namespace zmqscope {

/**
 * A live capture the Engine runs (Engine::openSniffer(), issue 15): libpcap on one interface, the
 * BPF filter of the ports (every TCP connection without ports), and every ZMTP 3.x connection it
 * finds followed like a socket of the table. Saved in workspaces as JSON.
 */
struct SniffSpec
{
    QString name; ///< the sniffer's row; empty: "sniff INTERFACE"
    QString interface; ///< "lo", "eth0", ...
    QList<quint16> ports; ///< capture only TCP to or from these ports; empty: every TCP connection

    /// The interface is named and every port is 1..65535; the error names what is wrong.
    [[nodiscard]] Result<void> validate() const;
    [[nodiscard]] QJsonObject toJson() const;
    /// The error names the bad field (no interface, a port that is not 1..65535).
    [[nodiscard]] static Result<SniffSpec> fromJson(const QJsonObject &json);

    friend bool operator==(const SniffSpec &, const SniffSpec &) = default;
};

/// The sniffer part of a SocketInfo (the sniffer's own row): what it captures and what it found.
struct SniffInfo
{
    SniffSpec spec; ///< as opened, with the name the engine gave it
    QString filter; ///< the BPF filter ("tcp and (port 5555)")
    QString linkType; ///< libpcap's name of the interface's link layer ("EN10MB"); empty until open
    std::uint64_t packets = 0; ///< read from the interface
    std::uint64_t dropped = 0; ///< dropped by the kernel (the capture could not keep up)
    std::uint64_t connections = 0; ///< ZMTP connections found
    std::uint64_t gaps = 0; ///< holes in any connection's bytes (never guessed over)
};

/// The wire part of a SocketInfo of one ZMTP connection a sniffer found (its own row).
struct WireInfo
{
    quint64 sniffer = 0; ///< the SocketId of the sniffer that found it
    QString client; ///< "ip:port" of the side that connected
    QString server;
    QString clientType; ///< from the client's READY; empty when not seen (or encrypted)
    QString serverType;
    QString security; ///< "NULL", "PLAIN", "CURVE", ...; empty when the greeting was not seen
    bool joinedMidStream = false;
    std::uint64_t gaps = 0;
    std::uint64_t encrypted = 0; ///< CURVE messages (stored without frames; see Engine::encryptedSize())
};

} // namespace zmqscope
