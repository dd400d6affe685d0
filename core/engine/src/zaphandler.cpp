#include <array>
#include <zmq.h>

#include <zmqscope/pollloop.h>
#include <zmqscope/textescape.h>

#include "socketsecurity_p.h"
#include "zaphandler_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// A ZAP request as a ROUTER receives it: routing id, empty delimiter, then RFC 27's frames.
enum RequestFrame : qsizetype
{
    RoutingId,
    Delimiter,
    Version,
    RequestId,
    Domain,
    Address,
    Identity,
    Mechanism,
    Credentials,
};

QByteArray z85Of(const QByteArray &binaryKey)
{
    if (binaryKey.size() != 32)
        return {};
    std::array<char, z85KeyLength + 1> text {};
    if (!zmq_z85_encode(text.data(), reinterpret_cast<const uint8_t *>(binaryKey.constData()), 32))
        return {};
    return QByteArray(text.data());
}

} // namespace

ZapHandler::ZapHandler(const Context &context, PollLoop &loop, DecisionHandler handler)
    : m_context(context)
    , m_loop(loop)
    , m_handler(std::move(handler))
{ }

ZapHandler::~ZapHandler()
{
    if (m_socket)
        m_socket->close(); // unregisters it from the loop
}

Result<ZapHandler::Registration> ZapHandler::add(SocketId id, const SocketSecurity &security)
{
    Rules rules;
    rules.id = id;
    rules.mechanism = security.mechanism;
    rules.allowAny = security.allowAny;
    if (security.mechanism == SecurityMechanism::Curve) {
        auto keys = security.allowedKeys();
        if (!keys)
            return std::move(keys).error();
        for (const QByteArray &key : *keys)
            rules.keys.insert(key);
    }
    for (const PlainCredentials &credentials : security.acceptUsers)
        rules.users.insert(credentials.user, credentials.password);
    for (const QString &ip : security.allowIps)
        rules.allowIps.insert(canonicalIpAddress(ip).value_or(ip));
    for (const QString &ip : security.denyIps)
        rules.denyIps.insert(canonicalIpAddress(ip).value_or(ip));

    if (!m_socket) {
        try {
            Socket socket = Socket::create(SocketType::Router, m_context);
            socket.setOption("linger", 0);
            socket.bind(QString::fromLatin1(Endpoint));
            m_socket.emplace(std::move(socket));
        } catch (const Error &error) {
            if (error.code() == ErrorCode::AddressInUse) {
                return Error(ErrorCode::AddressInUse,
                    u"cannot check this socket's clients: another ZAP handler (another Engine on the same "
                    "ZeroMQ context) already holds %1, and libzmq allows one per context; open the socket "
                    "in that Engine"_s.arg(QString::fromLatin1(Endpoint)));
            }
            return Error(error.code(),
                u"cannot start the ZAP handler on %1: %2"_s.arg(
                    QString::fromLatin1(Endpoint), error.message()),
                error.zmqErrno());
        }
        m_loop.registerReceiver(
            *m_socket, [this](Socket &, Frames &&frames) { handleRequest(std::move(frames)); });
    }
    const QByteArray domain = "zmqscope-" + QByteArray::number(id);
    const bool nobody = security.server && security.mechanism != SecurityMechanism::Null
        && (security.mechanism == SecurityMechanism::Curve ? !rules.allowAny && rules.keys.isEmpty()
                                                           : rules.users.isEmpty());
    m_rules.insert_or_assign(domain, std::move(rules));
    return Registration { domain, nobody };
}

void ZapHandler::remove(SocketId id)
{
    std::erase_if(m_rules, [id](const auto &entry) { return entry.second.id == id; });
    if (m_rules.empty() && m_socket) {
        // Unbinding an inproc endpoint frees it at once; closing alone frees it later, in libzmq's reaper,
        // and another Engine taking over right after would find it still held.
        try {
            m_socket->unbind(QString::fromLatin1(Endpoint));
        } catch (const Error &) {
            // Closing frees it anyway, only later.
        }
        m_socket->close();
        m_socket.reset();
    }
}

void ZapHandler::reply(
    const Frames &frames, const QByteArray &status, const QString &text, const QByteArray &userId)
{
    if (!m_socket)
        return;
    try {
        m_socket->sendFrames({ frames[RoutingId], QByteArray(), "1.0", frames[RequestId], status,
            text.toUtf8(), userId, QByteArray() });
    } catch (const Error &) {
        // libzmq's side of the request has gone (the connection closed meanwhile): nobody waits.
    }
}

void ZapHandler::handleRequest(Frames &&frames)
{
    if (frames.size() < Mechanism + 1) {
        // Not a request libzmq makes; answer what can be answered so the handshake does not hang.
        if (frames.size() > RequestId)
            reply(frames, "500", u"malformed ZAP request"_s, {});
        m_handler({ 0, u"ZAP: a malformed request (%1 frames) was refused"_s.arg(frames.size()), false });
        return;
    }
    if (frames[Version] != "1.0") {
        reply(frames, "500", u"unsupported ZAP version"_s, {});
        m_handler({ 0,
            u"ZAP: refused a request of version \"%1\" (this handler speaks 1.0)"_s.arg(
                textescape::escape(frames[Version])),
            false });
        return;
    }
    const QString rawAddress = QString::fromUtf8(frames[Address]);
    const QString address = canonicalIpAddress(rawAddress).value_or(textescape::escape(frames[Address]));
    const QByteArray &mechanism = frames[Mechanism];
    const auto found = m_rules.find(frames[Domain]);
    if (found == m_rules.end()) {
        reply(frames, "400", u"unknown ZAP domain"_s, {});
        m_handler({ 0,
            u"ZAP: refused a %1 client from %2: its socket (ZAP domain \"%3\") is not one of this engine's"_s
                .arg(textescape::escape(mechanism), address, textescape::escape(frames[Domain])),
            false });
        return;
    }
    const Rules &rules = found->second;
    const Verdict verdict = decide(rules, address, mechanism, frames, Credentials);

    // Who asked, as the user may recognise it: the key, the PLAIN user (never the password).
    QString who = u"client"_s;
    QByteArray userId;
    if (mechanism == "CURVE" && frames.size() > Credentials) {
        userId = z85Of(frames[Credentials]);
        who = u"client %1"_s.arg(QString::fromLatin1(userId));
    } else if (mechanism == "PLAIN" && frames.size() > Credentials) {
        userId = frames[Credentials];
        who = u"user \"%1\""_s.arg(textescape::escape(frames[Credentials]));
    }
    if (verdict.allowed) {
        reply(frames, "200", u"OK"_s, userId);
        m_handler({ rules.id, u"ZAP: allowed %1 from %2 (%3)"_s.arg(who, address, verdict.reason), true });
    } else {
        reply(frames, "400", verdict.reason, {});
        m_handler({ rules.id, u"ZAP: refused %1 from %2 (status 400: %3)"_s.arg(who, address, verdict.reason),
            false });
    }
}

ZapHandler::Verdict ZapHandler::decide(const Rules &rules, const QString &address,
    const QByteArray &mechanism, const Frames &frames, qsizetype credentials) const
{
    if (rules.denyIps.contains(address))
        return { false, u"address denied"_s };
    if (!rules.allowIps.isEmpty() && !rules.allowIps.contains(address))
        return { false, u"address not in the allow-ip list"_s };
    const QString ipReason
        = rules.allowIps.isEmpty() ? u"address not denied"_s : u"address in the allow-ip list"_s;
    if (mechanism == "NULL")
        return { rules.mechanism == SecurityMechanism::Null, ipReason };
    if (mechanism == "PLAIN" && rules.mechanism == SecurityMechanism::Plain) {
        if (rules.users.isEmpty())
            return { false, u"no client is allowed yet"_s };
        if (frames.size() < credentials + 2)
            return { false, u"no username and password"_s };
        const auto user = rules.users.constFind(QString::fromUtf8(frames[credentials]));
        if (user == rules.users.cend() || user->toUtf8() != frames[credentials + 1])
            return { false, u"username or password refused"_s };
        return { true, u"user and password accepted"_s };
    }
    if (mechanism == "CURVE" && rules.mechanism == SecurityMechanism::Curve) {
        if (rules.allowAny)
            return { true, u"any key allowed"_s };
        if (rules.keys.isEmpty())
            return { false, u"no client is allowed yet"_s };
        if (frames.size() <= credentials || !rules.keys.contains(z85Of(frames[credentials])))
            return { false, u"key not allowed"_s };
        return { true, u"key in the allow list"_s };
    }
    return { false, u"mechanism %1 is not this socket's"_s.arg(textescape::escape(mechanism)) };
}

} // namespace zmqscope
