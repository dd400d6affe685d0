#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include <zmqscope/engine/socketspec.h>
#include <zmqscope/socket.h>

namespace zmqscope {

/**
 * Sets `security` on `socket` before it binds or connects: ZMQ_PLAIN_* or ZMQ_CURVE_* and, when
 * `zapDomain` is not empty, ZMQ_ZAP_DOMAIN (the domain the Engine's ZAP handler knows the socket by).
 * A CURVE client without own keys gets a fresh pair (not kept): its public key is returned, so that
 * it can be told (a server's allow list needs it); empty otherwise. Throws Error on a bad value; no
 * message repeats a secret (Socket::setOption names the option only).
 */
QByteArray applySocketSecurity(Socket &socket, const SocketSecurity &security, const QByteArray &zapDomain);

/// "CURVE server", "PLAIN client", ... for the line that says a socket opened; empty for NULL.
[[nodiscard]] QString securityRoleName(const SocketSecurity &security);

/// Whether the socket answers the ZAP handler's questions as the server (a PLAIN/CURVE server, or a
/// NULL socket with IP lists): what SocketMonitor::setSecurity() calls its role.
[[nodiscard]] bool actsAsZapServer(const SocketSecurity &security);

/// An IP address in its canonical text (inet_ntop's), as libzmq puts it into ZAP requests; nullopt
/// when `text` is no IPv4 or IPv6 address.
[[nodiscard]] std::optional<QString> canonicalIpAddress(const QString &text);

} // namespace zmqscope
