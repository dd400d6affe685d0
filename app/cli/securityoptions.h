#pragma once

#include <QCommandLineOption>
#include <QList>
#include <QString>

#include <zmqscope/engine/engine.h>
#include <zmqscope/engine/socketspec.h>

namespace zmqscope::cli {

class CommandLine;

/// Which role a set of security options describes: any (listen, send, echo, replay: the options say
/// whether the socket is a server), or one side of a tap, whose clients' side is always a server and
/// whose server's side is always a client.
enum class SecurityRole
{
    Any,
    Server,
    Client,
};

/**
 * The security options of issue 16 (--curve-server, --curve-secret-key KEY|@FILE, ...,
 * --allow-ip ADDR, --deny-ip ADDR), each name after `prefix` ("forward-" for a tap's server side),
 * read into a SocketSecurity. Every bad value is a usage error naming the option; a secret (secret
 * key, password) is never repeated in it.
 */
class SecurityOptions
{
public:
    explicit SecurityOptions(SecurityRole role, const QString &prefix = {});

    /// Adds the options to `commandLine`; those that do not fit the role are hidden from --help and
    /// rejected with a hint (a tap's clients' side given --curve-server-key, say).
    void addTo(CommandLine &commandLine) const;
    /// The security the options describe (NULL when none is given); throws a usage error.
    [[nodiscard]] SocketSecurity read(const CommandLine &commandLine) const;

private:
    struct Entry
    {
        QCommandLineOption option;
        bool repeatable = false;
        bool secret = false; ///< its values are secrets: never shown in an error
        bool fitsRole = true;
        QString misfit; ///< why the option does not fit the role (when !fitsRole)
    };
    [[nodiscard]] const QCommandLineOption &option(const QString &name) const;
    [[nodiscard]] QString flag(const QString &name) const; ///< "--" + prefix + name
    [[nodiscard]] bool given(const CommandLine &commandLine, const QString &name) const;
    [[nodiscard]] QString value(const CommandLine &commandLine, const QString &name) const;
    void readCurve(const CommandLine &commandLine, SocketSecurity &security) const;
    void readPlain(const CommandLine &commandLine, SocketSecurity &security) const;
    void readAllowed(const CommandLine &commandLine, SocketSecurity &security) const;

    SecurityRole m_role;
    QString m_prefix;
    QList<Entry> m_entries;
};

/**
 * Whether a failed handshake ends the command: a client's does (it cannot talk to the peer it was
 * pointed at), a server's does not (one client failed; the server keeps serving the others). A
 * socket with no security that only binds counts as a server.
 */
[[nodiscard]] bool handshakeFailureEndsRun(const SocketSpec &spec);
/**
 * What an engine event about socket `id`'s security means to a command. A failed handshake of a client
 * (`endsOnFailure`: handshakeFailureEndsRun(), or a tap's server side) is returned: the command ends
 * with status 1 and this line. Anything else about security is printed as a status line (stderr, not
 * with --quiet): a server's ZAP decisions ("ZAP: refused client KEY from 127.0.0.1 (status 400: key
 * not allowed)"), its clients' failed handshakes, that it refuses everyone, the public key of the pair
 * a CURVE client made for itself (a server's allow list needs it). Returns an empty string then.
 */
[[nodiscard]] QString handleSecurityEvent(const EngineEvent &event, SocketId id, bool endsOnFailure);

} // namespace zmqscope::cli
