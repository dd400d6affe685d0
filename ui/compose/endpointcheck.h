#pragma once

#include <QString>
#include <QStringList>

/**
 * Checks the shape of a ZeroMQ endpoint before anything is opened, so the
 * socket dialog can say what is wrong while the user types. libzmq still has
 * the last word (a host that does not resolve, a port in use); the engine
 * reports those.
 */
namespace EndpointCheck {

enum class Role
{
    Bind,
    Connect
};

/// Transports libzmq knows by name.
[[nodiscard]] QStringList schemes();

/// An empty string when the endpoint looks right for the role; otherwise one line naming the bad part.
[[nodiscard]] QString problem(const QString &endpoint, Role role);

} // namespace EndpointCheck
