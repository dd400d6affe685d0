#pragma once

#include <cstdint>

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>

#include <zmqscope/capture/pcapsource.h>

namespace zmqscope {

/// Address bytes (4 for IPv4, 16 for IPv6) and port.
struct TcpEndpoint
{
    QByteArray address;
    quint16 port = 0;
    /// "127.0.0.1:5555", "[::1]:5555" (section 12's "ip:port").
    [[nodiscard]] QString toString() const;
    friend bool operator==(const TcpEndpoint &, const TcpEndpoint &) = default;
};
size_t qHash(const TcpEndpoint &endpoint, size_t seed = 0);

struct TcpSegment
{
    TcpEndpoint source;
    TcpEndpoint destination;
    quint32 sequence = 0;
    quint32 acknowledgement = 0;
    quint8 flags = 0; ///< TH_SYN 0x02, TH_FIN 0x01, TH_RST 0x04, TH_ACK 0x10
    QByteArrayView payload; ///< what was captured of the payload
    std::uint32_t missingPayload = 0; ///< payload bytes cut by the snap length (not captured)
};

namespace tcpflags {
inline constexpr quint8 Fin = 0x01;
inline constexpr quint8 Syn = 0x02;
inline constexpr quint8 Rst = 0x04;
inline constexpr quint8 Ack = 0x10;
} // namespace tcpflags

enum class PacketKind
{
    Tcp,
    NotTcp,
    Malformed,
};
/**
 * Link layer (DLT_NULL, DLT_LOOP, DLT_EN10MB incl. 802.1Q/802.1ad, DLT_RAW/IPV4/IPV6, DLT_LINUX_SLL,
 * DLT_LINUX_SLL2) -> IPv4/IPv6 (extension headers skipped; fragments: NotTcp) -> TCP. The payload
 * ends where the IP length says (ethernet padding is not payload). Malformed comes with a reason in
 * `why` (a static text) only for the caller's count; never throws, never reads past the data.
 */
PacketKind parseTcpPacket(const RawPacket &packet, TcpSegment &segment, QLatin1StringView *why = nullptr);

} // namespace zmqscope
