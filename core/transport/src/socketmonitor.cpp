#include <atomic>
#include <cstring>
#include <zmq.hpp>

#include <zmqscope/pollloop.h>
#include <zmqscope/socketmonitor.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

QString socketStateName(SocketState state)
{
    switch (state) {
    case SocketState::Opening:
        return u"Opening"_s;
    case SocketState::Listening:
        return u"Listening"_s;
    case SocketState::Connecting:
        return u"Connecting"_s;
    case SocketState::Connected:
        return u"Connected"_s;
    case SocketState::Disconnected:
        return u"Disconnected"_s;
    case SocketState::Retrying:
        return u"Retrying"_s;
    case SocketState::HandshakeFailed:
        return u"Handshake failed"_s;
    case SocketState::Closed:
        return u"Closed"_s;
    case SocketState::Failed:
        return u"Failed"_s;
    case SocketState::None:
        return {};
    }
    return u"State %1"_s.arg(int(state));
}

namespace {

std::atomic<quint64> monitorCounter { 0 };

QString protocolErrorText(std::uint32_t code)
{
    switch (code) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED:
        return u"ZMTP error"_s;
    case ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND:
        return u"unexpected ZMTP command"_s;
    case ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE:
        return u"invalid ZMTP command sequence"_s;
    case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
        return u"key exchange failed"_s;
    case ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED:
    case ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE:
    case ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO:
    case ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE:
    case ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR:
    case ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY:
    case ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME:
        return u"malformed ZMTP command"_s;
    case ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA:
        return u"invalid ZMTP metadata"_s;
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
        return u"cryptographic error (wrong CURVE keys?)"_s;
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
        return u"security mechanism mismatch (e.g. CURVE on one side only)"_s;
    case ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED:
    case ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY:
    case ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID:
    case ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION:
    case ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE:
    case ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA:
        return u"ZAP authentication handler error"_s;
    default:
        return u"protocol error 0x%1"_s.arg(code, 8, 16, QChar(u'0'));
    }
}

} // namespace

SocketMonitor::SocketMonitor(Socket &target, PollLoop &loop, Handler handler)
    : m_target(&target)
    , m_pair(Socket::create(SocketType::Pair, target.context()))
    , m_handler(std::move(handler))
{
    const std::string endpoint = "inproc://zmqscope-monitor-" + std::to_string(++monitorCounter);
    if (zmq_socket_monitor(target.handle().handle(), endpoint.c_str(), ZMQ_EVENT_ALL) != 0) {
        const int error = zmq_errno();
        throw Error(ErrorCode::ZmqError,
            u"cannot monitor the %1 socket: %2"_s.arg(
                target.typeName(), QString::fromUtf8(zmq_strerror(error))),
            error);
    }
    m_running = true;
    try {
        m_pair.setOption("linger", 0);
        m_pair.connect(QString::fromStdString(endpoint));
        loop.registerReceiver(m_pair, [this](Socket &, Frames &&frames) {
            if (const auto event = decode(frames))
                m_handler(*event);
        });
    } catch (...) {
        stop();
        throw;
    }
}

SocketMonitor::~SocketMonitor()
{
    stop();
}

void SocketMonitor::setSecurity(SecurityMechanism mechanism, bool server)
{
    m_mechanism = mechanism;
    m_securityServer = server;
}

void SocketMonitor::stop()
{
    if (!m_running)
        return;
    m_running = false;
    // Stop libzmq's side first, while the target is still open; then our end of the pipe.
    if (m_target->isOpen())
        zmq_socket_monitor(m_target->handle().handle(), nullptr, 0);
    m_pair.close();
}

void SocketMonitor::releaseEndpoints(std::chrono::milliseconds timeout)
{
    if (!m_running || !m_target->isOpen())
        return;
    QStringList waiting;
    for (const QString &endpoint : m_target->boundEndpoints()) {
        try {
            m_target->unbind(endpoint);
        } catch (const Error &) {
            continue; // closing frees it anyway, only later
        }
        // inproc:// unbinds at once; listeners of the other transports close in the I/O thread.
        if (!endpoint.startsWith(u"inproc://"_s))
            waiting.append(endpoint);
    }
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + timeout;
    while (!waiting.isEmpty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return;
        std::optional<Frames> frames;
        try {
            frames = m_pair.receiveFrames(left);
        } catch (const Error &) {
            return;
        }
        if (!frames)
            return;
        const auto event = decode(*frames);
        if (!event)
            continue;
        if (event->event == ZMQ_EVENT_CLOSED)
            waiting.removeAll(event->endpoint);
        m_handler(*event);
    }
}

std::optional<SocketMonitor::Event> SocketMonitor::decode(const Frames &frames)
{
    if (frames.size() != 2 || frames[0].size() != 6)
        return std::nullopt;
    Event event;
    std::memcpy(&event.event, frames[0].constData(), sizeof event.event);
    std::memcpy(&event.value, frames[0].constData() + 2, sizeof event.value);
    event.endpoint = QString::fromUtf8(frames[1]);
    return event;
}

QString SocketMonitor::eventName(std::uint16_t event)
{
    switch (event) {
    case ZMQ_EVENT_CONNECTED:
        return u"CONNECTED"_s;
    case ZMQ_EVENT_CONNECT_DELAYED:
        return u"CONNECT_DELAYED"_s;
    case ZMQ_EVENT_CONNECT_RETRIED:
        return u"CONNECT_RETRIED"_s;
    case ZMQ_EVENT_LISTENING:
        return u"LISTENING"_s;
    case ZMQ_EVENT_BIND_FAILED:
        return u"BIND_FAILED"_s;
    case ZMQ_EVENT_ACCEPTED:
        return u"ACCEPTED"_s;
    case ZMQ_EVENT_ACCEPT_FAILED:
        return u"ACCEPT_FAILED"_s;
    case ZMQ_EVENT_CLOSED:
        return u"CLOSED"_s;
    case ZMQ_EVENT_CLOSE_FAILED:
        return u"CLOSE_FAILED"_s;
    case ZMQ_EVENT_DISCONNECTED:
        return u"DISCONNECTED"_s;
    case ZMQ_EVENT_MONITOR_STOPPED:
        return u"MONITOR_STOPPED"_s;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        return u"HANDSHAKE_FAILED_NO_DETAIL"_s;
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        return u"HANDSHAKE_SUCCEEDED"_s;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
        return u"HANDSHAKE_FAILED_PROTOCOL"_s;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        return u"HANDSHAKE_FAILED_AUTH"_s;
    default:
        return u"0x%1"_s.arg(event, 4, 16, QChar(u'0'));
    }
}

QString SocketMonitor::securityFailureText(const Event &event) const
{
    const QString mechanism = securityMechanismName(m_mechanism);
    if (event.event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
        && event.value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
        return u"handshake failed: security mechanism mismatch (this socket uses %1; the peer does not)"_s
            .arg(mechanism);
    }
    if (event.event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
        const QString status = QString::number(event.value);
        if (m_securityServer)
            return u"handshake failed: client refused (ZAP status %1)"_s.arg(status);
        switch (m_mechanism) {
        case SecurityMechanism::Curve:
            return u"handshake failed: the server rejected our key (ZAP status %1)"_s.arg(status);
        case SecurityMechanism::Plain:
            return u"handshake failed: PLAIN: username or password refused (ZAP status %1)"_s.arg(status);
        case SecurityMechanism::Null:
            return u"handshake failed: the server refused this connection (ZAP status %1)"_s.arg(status);
        }
    }
    // A secured server whose client gave up first (the client saw the mismatch before it did) hears only
    // that the connection closed: say what that usually means rather than "Broken pipe".
    if (m_securityServer && m_mechanism != SecurityMechanism::Null
        && event.event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
        return u"handshake failed with no detail: the client closed the connection during the handshake (it "
               "may use another security mechanism than %1)"_s.arg(mechanism);
    }
    if (m_mechanism != SecurityMechanism::Curve)
        return {};
    const bool cryptographic = event.event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
        && event.value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC;
    if (m_securityServer && cryptographic)
        return u"handshake failed: a client's CURVE handshake did not decrypt (it may use the wrong server key)"_s;
    if (!m_securityServer && (cryptographic || event.event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
        return u"handshake failed with no detail: the server's public key is probably wrong"_s;
    return {};
}

SocketMonitor::Change SocketMonitor::interpret(const Event &event)
{
    Change change;
    const QString &endpoint = event.endpoint;
    // With a peer still up, a second endpoint connecting or retrying does not make the socket "down".
    const auto unlessConnected
        = [this](SocketState state) { return m_peers > 0 ? SocketState::Connected : state; };
    switch (event.event) {
    case ZMQ_EVENT_LISTENING:
        change.state = SocketState::Listening;
        change.text = u"listening on %1"_s.arg(endpoint);
        break;
    case ZMQ_EVENT_BIND_FAILED:
        change.state = SocketState::Failed;
        change.text
            = u"cannot bind to %1: %2"_s.arg(endpoint, QString::fromUtf8(zmq_strerror(int(event.value))));
        change.isError = true;
        break;
    case ZMQ_EVENT_ACCEPTED:
        change.text = u"accepted a connection on %1; handshaking"_s.arg(endpoint);
        break;
    case ZMQ_EVENT_ACCEPT_FAILED:
        change.text = u"could not accept a connection on %1: %2"_s.arg(
            endpoint, QString::fromUtf8(zmq_strerror(int(event.value))));
        change.isError = true;
        break;
    case ZMQ_EVENT_CONNECT_DELAYED:
        // Each retry starts with this; the line "retrying in N ms" already said it, stay Retrying.
        change.quiet = m_retrying;
        change.state = unlessConnected(m_retrying ? SocketState::Retrying : SocketState::Connecting);
        change.text = u"connecting to %1"_s.arg(endpoint);
        break;
    case ZMQ_EVENT_CONNECT_RETRIED:
        m_retrying = true;
        change.state = unlessConnected(SocketState::Retrying);
        change.text
            = u"could not connect to %1; retrying in %2 ms"_s.arg(endpoint, QString::number(event.value));
        break;
    case ZMQ_EVENT_CONNECTED:
        m_retrying = false;
        change.state = SocketState::Connected;
        change.text = u"connected to %1; handshaking"_s.arg(endpoint);
        break;
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        ++m_peers;
        m_lastSecurityFailure.clear();
        change.state = SocketState::Connected;
        change.text = u"handshake with a peer on %1 succeeded (%2 connected)"_s.arg(
            endpoint, QString::number(m_peers));
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: {
        ++m_failedHandshakes;
        change.state = unlessConnected(SocketState::HandshakeFailed);
        change.isError = true;
        if (const QString plain = securityFailureText(event); !plain.isEmpty()) {
            change.text = plain;
            // A client retries every reconnect interval with the same result: said once until it changes.
            change.quiet = plain == m_lastSecurityFailure;
            m_lastSecurityFailure = plain;
            break;
        }
        QString why;
        if (event.event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
            why = protocolErrorText(event.value);
        else if (event.event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            why = u"authentication refused (ZAP status %1)"_s.arg(event.value);
        else
            why = QString::fromUtf8(zmq_strerror(int(event.value)));
        change.text = u"handshake with a peer on %1 failed: %2"_s.arg(endpoint, why);
        break;
    }
    case ZMQ_EVENT_DISCONNECTED:
        // A connection whose handshake failed is reported as disconnected too; it was never counted.
        if (m_failedHandshakes > 0)
            --m_failedHandshakes;
        else if (m_peers > 0)
            --m_peers;
        change.state = unlessConnected(SocketState::Disconnected);
        change.text = u"a peer on %1 disconnected (%2 connected)"_s.arg(endpoint, QString::number(m_peers));
        break;
    case ZMQ_EVENT_CLOSED:
        // Mostly the socket of a failed connect attempt, followed by CONNECT_RETRIED which says more.
        change.quiet = true;
        change.text = u"closed %1"_s.arg(endpoint);
        break;
    case ZMQ_EVENT_CLOSE_FAILED:
        change.text
            = u"could not close %1: %2"_s.arg(endpoint, QString::fromUtf8(zmq_strerror(int(event.value))));
        change.isError = true;
        break;
    case ZMQ_EVENT_MONITOR_STOPPED:
        change.quiet = true;
        change.text = u"monitoring stopped"_s;
        break;
    default:
        change.text = u"event %1 (value %2) on %3"_s.arg(
            eventName(event.event), QString::number(event.value), endpoint);
        break;
    }
    // A client whose handshake failed for a security reason reconnects and fails again every reconnect
    // interval; the connect/disconnect/retry lines of that cycle would bury the reason, and the socket
    // is not merely "retrying": it stays HandshakeFailed, quietly, until a handshake succeeds.
    if (!m_securityServer && !m_lastSecurityFailure.isEmpty() && m_peers == 0) {
        switch (event.event) {
        case ZMQ_EVENT_CONNECT_DELAYED:
        case ZMQ_EVENT_CONNECT_RETRIED:
        case ZMQ_EVENT_CONNECTED:
        case ZMQ_EVENT_DISCONNECTED:
        case ZMQ_EVENT_CLOSED:
            change.state = SocketState::HandshakeFailed;
            change.quiet = true;
            break;
        default:
            break;
        }
    }
    change.peers = m_peers;
    return change;
}

} // namespace zmqscope
