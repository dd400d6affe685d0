#pragma once

#include <QStringList>

#include <zmqscope/engine/socketspec.h>

#include "workspace.h"

class QWidget;

/**
 * PLAIN passwords are secrets: a workspace never holds them (SocketSecurity::toJson()), so opening one
 * asks for them, one dialog per socket or tap side that needs any, naming the socket and the user. The
 * answers live only in the specs handed to the engine.
 */
namespace PasswordPrompt {

/**
 * Asks for the passwords `security` lacks (missingSecrets()): a PLAIN client's, and each accepted user's of
 * a PLAIN server. `what` names the socket in the dialog ("socket \"orders REQ\""). False when the user
 * chose not to open it; true, and nothing asked, when nothing is missing.
 */
[[nodiscard]] bool askForPasswords(QWidget *parent, const QString &what, zmqscope::SocketSecurity &security);

/**
 * The workspace with every password its sockets and taps need, asked for as askForPasswords() does; the
 * sockets and taps the user chose not to open are left out and named in `skipped`.
 */
[[nodiscard]] Workspace withPasswords(QWidget *parent, const Workspace &workspace, QStringList &skipped);

} // namespace PasswordPrompt
