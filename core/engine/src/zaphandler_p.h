#pragma once

#include <functional>
#include <map>
#include <optional>

#include <QByteArray>
#include <QHash>
#include <QSet>
#include <QString>

#include <zmqscope/context.h>
#include <zmqscope/engine/socketspec.h>
#include <zmqscope/error.h>
#include <zmqscope/socket.h>

namespace zmqscope {

class PollLoop;

/**
 * The Engine's ZAP handler (RFC 27): a ROUTER on inproc://zeromq.zap.01 in the engine's PollLoop that
 * answers libzmq's authentication requests for the Engine's server sockets, each by its own
 * SocketSecurity (found by the ZAP domain the socket was given). libzmq allows one handler per
 * context: the socket binds when the first socket needing it registers, and unbinds when the last one
 * goes, so another Engine on the same context can take over. Runs in the engine thread only.
 *
 * Decisions, in order: a denied address is refused; with an allow-ip list, any other address is
 * refused; then PLAIN users and passwords, or CURVE keys (any with allowAny, else the allow list and
 * the certificates of allowKeyPaths, read when the socket registers). Every decision is told to the
 * DecisionHandler with the client's Z85 key or PLAIN user and its address, never a password.
 */
class ZapHandler
{
public:
    /// The endpoint libzmq sends ZAP requests to (RFC 27).
    static constexpr const char *Endpoint = "inproc://zeromq.zap.01";

    struct Decision
    {
        SocketId socket = 0; ///< 0: a request for a domain none of the Engine's sockets has
        QString text; ///< "ZAP: allowed client KEY from 127.0.0.1 (key in the allow list)"
        bool allowed = false;
    };
    using DecisionHandler = std::function<void(const Decision &)>;

    /// What registering a socket gave it.
    struct Registration
    {
        QByteArray domain; ///< for ZMQ_ZAP_DOMAIN
        bool allowsNobody = false; ///< a CURVE/PLAIN server with nothing allowed: every client is refused
    };

    ZapHandler(const Context &context, PollLoop &loop, DecisionHandler handler);
    ~ZapHandler();
    ZapHandler(const ZapHandler &) = delete;
    ZapHandler &operator=(const ZapHandler &) = delete;

    /**
     * Registers the rules of socket `id` (its keys read now), binding the handler first when it is not
     * bound yet. Errors: the endpoint is held by another handler on this context (another Engine), or
     * a certificate path cannot be read.
     */
    [[nodiscard]] Result<Registration> add(SocketId id, const SocketSecurity &security);
    /// Forgets the socket's rules; unbinds when no socket is left.
    void remove(SocketId id);

private:
    struct Rules
    {
        SocketId id = 0;
        SecurityMechanism mechanism = SecurityMechanism::Null;
        bool allowAny = false;
        QSet<QByteArray> keys; ///< Z85
        QHash<QString, QString> users; ///< PLAIN name -> password
        QSet<QString> allowIps; ///< canonical addresses
        QSet<QString> denyIps;
    };
    struct Verdict
    {
        bool allowed = false;
        QString reason; ///< the status text, and the line's parenthesis
    };

    void handleRequest(Frames &&frames);
    [[nodiscard]] Verdict decide(const Rules &rules, const QString &address, const QByteArray &mechanism,
        const Frames &frames, qsizetype credentials) const;
    void reply(const Frames &frames, const QByteArray &status, const QString &text, const QByteArray &userId);

    Context m_context;
    PollLoop &m_loop;
    DecisionHandler m_handler;
    std::optional<Socket> m_socket;
    std::map<QByteArray, Rules> m_rules; ///< by ZAP domain
};

} // namespace zmqscope
