#pragma once

// What the ZMTP decoder's steps (zmtpdecoder.cpp) and its resynchronisation scan (zmtpresync.cpp)
// both read of the wire format (RFC 23/ZMTP 3.x and RFC 26/CurveZMQ).

#include <cstdint>

#include <QByteArrayView>
#include <QtGlobal>

namespace zmqscope::zmtpwire {

constexpr quint8 kMore = 0x01;
constexpr quint8 kLong = 0x02;
constexpr quint8 kCommand = 0x04;

// A CURVE MESSAGE (RFC 26): the name with its length byte, then an 8-byte nonce and a box of a
// 16-byte MAC, the frame's flags byte and its body. libzmq 4.3 sends it as an ordinary frame.
constexpr QByteArrayView kCurveMessagePrefix("\x07MESSAGE", 8);
constexpr std::uint64_t kCurveMessageOverhead = 8 + 16 + 1;

inline bool validFlags(quint8 flags)
{
    // Bits 3..7 are reserved; a command has no MORE.
    return (flags & ~(kMore | kLong | kCommand)) == 0 && (flags & (kCommand | kMore)) != (kCommand | kMore);
}

inline std::uint64_t readBigEndian(QByteArrayView bytes)
{
    std::uint64_t value = 0;
    for (char c : bytes)
        value = (value << 8) | quint8(c);
    return value;
}

} // namespace zmqscope::zmtpwire
