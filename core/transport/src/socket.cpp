// Socket, the seed API's one socket class: create, bind, connect, and every send and receive of
// envelopes, text, objects and raw frames, and forward() for a forwarder. Its options (setOption,
// option) are socketoptions.cpp; the rules it applies are written elsewhere, once (endpoint.cpp,
// defaults.h, envelope.cpp), and its PollLoop integration is pollloop.cpp.

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRandomGenerator>
#include <QScopeGuard>

#include <zmqscope/defaults.h>
#include <zmqscope/endpoint.h>

#include "pollloop_p.h"
#include "socket_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

/// The errnos with which libzmq refuses an endpoint that passed our own rule (endpoint.cpp): an
/// address it cannot resolve or use. bind() and connect() both report them as InvalidEndpoint.
bool isEndpointErrno(int error)
{
    return error == EINVAL || error == EPROTONOSUPPORT || error == ENOCOMPATPROTO || error == EADDRNOTAVAIL
        || error == ENODEV;
}

QString errnoText(int error)
{
    return QString::fromUtf8(zmq_strerror(error));
}

// The one endpoint rule (endpoint.h), before libzmq sees the text: libzmq misreads some ports silently.
void checkEndpointOrThrow(const QString &endpoint, EndpointRole role, SocketType type)
{
    const Result<Endpoint> checked = checkEndpoint(endpoint, role, type);
    if (!checked)
        throw Error(ErrorCode::InvalidEndpoint,
            u"cannot %1 %2 to \"%3\": %4"_s.arg(role == EndpointRole::Bind ? u"bind"_s : u"connect"_s,
                socketTypeName(type), endpoint, checked.errorMessage()),
            EINVAL);
}

[[noreturn]] void throwMovedFrom()
{
    throw Error(
        ErrorCode::WrongState, u"this Socket object was moved from; use the Socket it was moved to"_s);
}

// The private part of a Socket that may have been moved from (its d is null then).
SocketPrivate &valid(const std::unique_ptr<SocketPrivate> &d)
{
    if (!d)
        throwMovedFrom();
    return *d;
}

SocketPrivate &open(const std::unique_ptr<SocketPrivate> &d)
{
    return openSocketPrivate(d);
}

} // namespace

SocketPrivate &openSocketPrivate(const std::unique_ptr<SocketPrivate> &d)
{
    SocketPrivate &priv = valid(d);
    priv.ensureOpen();
    return priv;
}

// ---------------------------------------------------------------- SocketPrivate

SocketPrivate::SocketPrivate(const Context &ctx, SocketType socketType)
    : context(ctx)
    , type(socketType)
{
    try {
        socket = zmq::socket_t(context.handle(), static_cast<int>(socketType));
    } catch (const zmq::error_t &error) {
        if (error.num() == ETERM)
            throw Error(ErrorCode::Terminated,
                u"cannot create a %1 socket: the context was shut down"_s.arg(socketTypeName(type)),
                error.num());
        throw Error(ErrorCode::ZmqError,
            u"cannot create a %1 socket: %2"_s.arg(socketTypeName(type), errnoText(error.num())),
            error.num());
    }
}

SocketPrivate::~SocketPrivate()
{
    if (loop)
        loop->remove(this);
}

void SocketPrivate::ensureOpen() const
{
    if (!socket)
        throw Error(ErrorCode::WrongState, u"the %1 socket is closed"_s.arg(socketTypeName(type)));
}

QString SocketPrivate::describe() const
{
    const QString name = socketTypeName(type);
    if (!bound.isEmpty())
        return u"%1 socket bound to %2"_s.arg(name, bound.join(u", "_s));
    if (!connected.isEmpty())
        return u"%1 socket connected to %2"_s.arg(name, connected.join(u", "_s));
    return u"%1 socket"_s.arg(name);
}

void SocketPrivate::fail(const zmq::error_t &error, const QString &what) const
{
    const int num = error.num();
    if (num == ETERM)
        throw Error(
            ErrorCode::Terminated, u"%1 on %2: the context was shut down"_s.arg(what, describe()), num);
    throw Error(ErrorCode::ZmqError, u"%1 on %2 failed: %3"_s.arg(what, describe(), errnoText(num)), num);
}

int SocketPrivate::events() const
{
    ensureOpen();
    for (;;) {
        try {
            return socket.get(zmq::sockopt::events);
        } catch (const zmq::error_t &error) {
            if (error.num() == EINTR)
                continue;
            fail(error, u"reading ZMQ_EVENTS"_s);
        }
    }
}

void SocketPrivate::noteActivity()
{
    // A drain re-checks by itself, and a check already due covers this: the receive path and a
    // forwarder's sends stay free of look-ups.
    if (loop && !inDrain && !checkDue)
        loop->socketActivity(this);
}

int SocketPrivate::eventsNotingActivity()
{
    const int current = events();
    if (loop && !inDrain)
        loop->eventsRead(this, current);
    return current;
}

void SocketPrivate::appendFrame(Frames &frames, const zmq::message_t &message)
{
    const auto *data = static_cast<const char *>(message.data());
    const auto size = qsizetype(message.size());
    const qsizetype index = frames.size();
    if (size > MaxSharedFrameSize || index >= MaxSharedFrames) {
        frames.append(QByteArray(data, size));
        return;
    }
    // Ids, mimetypes and routing frames mostly repeat from one message to the next: share the
    // previous message's copy (QByteArray is implicitly shared) instead of allocating an equal one.
    if (index < recentFrames.size()) {
        QByteArray &recent = recentFrames[index];
        if (recent.size() != size || std::memcmp(recent.constData(), data, size_t(size)) != 0)
            recent = QByteArray(data, size);
        frames.append(recent);
        return;
    }
    recentFrames.append(QByteArray(data, size));
    frames.append(recentFrames.last());
}

namespace {

/// Asks the CPU for the start of a received part while the next parts are received: a view receiver
/// reads the bytes next, and they were written by libzmq's I/O thread on another core.
void prefetch(const zmq::message_t &message)
{
#if defined(__GNUC__)
    constexpr std::size_t CacheLine = 64;
    const auto *data = static_cast<const char *>(message.data());
    const std::size_t size = message.size();
    for (std::size_t offset = 0; offset < size && offset < 4 * CacheLine; offset += CacheLine)
        __builtin_prefetch(data + offset);
#else
    (void)message;
#endif
}

} // namespace

zmq::recv_result_t SocketPrivate::receivePart(zmq::message_t &message, zmq::recv_flags flags)
{
    for (;;) {
        try {
            return socket.recv(message, flags);
        } catch (const zmq::error_t &error) {
            if (error.num() == EINTR)
                continue; // rule 6: a signal is no reason to lose or abort a receive
            if (error.num() == EFSM) {
                const QString why = type == SocketType::Req
                    ? u"a REQ socket must send a request before it can receive"_s
                    : u"a REP socket must send the reply to the previous request before it receives the next"_s;
                throw Error(
                    ErrorCode::WrongState, u"cannot receive on %1 now: %2"_s.arg(describe(), why), EFSM);
            }
            if (error.num() == ENOTSUP)
                throw Error(ErrorCode::Unsupported, u"%1 sockets cannot receive"_s.arg(socketTypeName(type)),
                    ENOTSUP);
            fail(error, u"receive"_s);
        }
    }
}

bool SocketPrivate::receive(Frames &frames, bool wait)
{
    ensureOpen();
    frames.clear();
    // Room for an envelope behind one routing frame: growing the list 0 -> 1 -> 2 -> 4 would
    // cost an allocation and a reallocation per message.
    frames.reserve(5);
    zmq::message_t message;
    auto flags = wait ? zmq::recv_flags::none : zmq::recv_flags::dontwait;
    for (;;) {
        const zmq::recv_result_t result = receivePart(message, flags);
        if (!result) {
            if (!frames.isEmpty())
                continue; // cannot happen for later frames (messages are atomic), but never drop a part
            if (wait) {
                const int timeout = get(zmq::sockopt::rcvtimeo, u"reading rcvtimeo"_s);
                throw Error(ErrorCode::Timeout,
                    u"no message arrived within rcvtimeo %1 ms on %2"_s.arg(timeout).arg(describe()), EAGAIN);
            }
            return false;
        }
        appendFrame(frames, message);
        if (!message.more())
            break;
        flags = zmq::recv_flags::none;
    }
    ++receivedCount;
    noteActivity();
    return true;
}

bool SocketPrivate::receiveViews(
    std::vector<zmq::message_t> &parts, std::vector<QByteArrayView> &views, bool wait)
{
    ensureOpen();
    views.clear();
    auto flags = wait ? zmq::recv_flags::none : zmq::recv_flags::dontwait;
    std::size_t count = 0;
    for (;;) {
        if (count == parts.size())
            parts.emplace_back();
        zmq::message_t &message = parts[count];
        const zmq::recv_result_t result = receivePart(message, flags);
        if (!result) {
            if (count > 0)
                continue; // cannot happen for later frames (messages are atomic), but never drop a part
            if (wait) {
                const int timeout = get(zmq::sockopt::rcvtimeo, u"reading rcvtimeo"_s);
                throw Error(ErrorCode::Timeout,
                    u"no message arrived within rcvtimeo %1 ms on %2"_s.arg(timeout).arg(describe()), EAGAIN);
            }
            return false;
        }
        ++count;
        prefetch(message);
        if (!message.more())
            break;
        flags = zmq::recv_flags::none;
    }
    // Views only once every part is in: growing `parts` above may move the messages.
    for (std::size_t i = 0; i < count; ++i)
        views.emplace_back(static_cast<const char *>(parts[i].data()), qsizetype(parts[i].size()));
    ++receivedCount;
    noteActivity();
    return true;
}

void SocketPrivate::send(const Frames &frames)
{
    ensureOpen();
    // Rule 3 on every way out: a send libzmq refuses (EFSM, ENOTSUP, EAGAIN, EHOSTUNREACH) has still
    // processed the socket's commands and may have eaten the edge of a message that is waiting.
    const auto recheck = qScopeGuard([this] { noteActivity(); });
    if (frames.isEmpty())
        throw Error(ErrorCode::InvalidBody, u"cannot send a message of no frames on %1"_s.arg(describe()));
    for (qsizetype i = 0; i < frames.size(); ++i) {
        const QByteArray &frame = frames[i];
        const auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
        for (;;) {
            zmq::send_result_t result;
            try {
                result = socket.send(zmq::const_buffer(frame.constData(), size_t(frame.size())), flags);
            } catch (const zmq::error_t &error) {
                if (error.num() == EINTR)
                    continue;
                if (error.num() == EFSM) {
                    const QString why = type == SocketType::Req
                        ? u"the previous request has not been answered yet; REQ must alternate send and "
                          u"receive "
                          u"(or set req_relaxed)"_s
                        : u"there is no request to reply to; REP must receive before it sends"_s;
                    throw Error(
                        ErrorCode::WrongState, u"cannot send on %1 now: %2"_s.arg(describe(), why), EFSM);
                }
                if (error.num() == ENOTSUP)
                    throw Error(ErrorCode::Unsupported, u"%1 sockets cannot send"_s.arg(socketTypeName(type)),
                        ENOTSUP);
                if (error.num() == EHOSTUNREACH)
                    throw Error(ErrorCode::ZmqError,
                        u"cannot send on %1: no connected peer has the routing id %2 (router_mandatory)"_s
                            .arg(describe(), OptionValue(frames.first()).toDisplayString()),
                        EHOSTUNREACH);
                fail(error, u"send"_s);
            }
            if (!result) {
                const int timeout = get(zmq::sockopt::sndtimeo, u"reading sndtimeo"_s);
                throw Error(ErrorCode::Timeout,
                    timeout == 0
                        ? u"cannot send on %1 now: no peer is ready to take the message"_s.arg(describe())
                        : u"send on %1 timed out after sndtimeo %2 ms"_s.arg(describe()).arg(timeout),
                    EAGAIN);
            }
            break;
        }
    }
}

// ---------------------------------------------------------------- Socket

Socket::Socket(std::unique_ptr<SocketPrivate> priv)
    : d(std::move(priv))
{
    d->q = this;
}

Socket::Socket(Socket &&other) noexcept
    : d(std::move(other.d))
{
    if (d)
        d->q = this;
}

Socket &Socket::operator=(Socket &&other) noexcept
{
    if (this != &other) {
        d = std::move(other.d);
        if (d)
            d->q = this;
    }
    return *this;
}

Socket::~Socket() = default;

Socket Socket::create(SocketType type, const Context &context)
{
    Socket socket(std::make_unique<SocketPrivate>(context, type));
    // The one table of defaults (defaults.h): libzmq's, but a linger that lets a context close.
    for (const auto &[name, value] : defaultOptions(type, SocketPurpose::Library))
        socket.setOption(name, value);
    return socket;
}

Socket Socket::create(QAnyStringView type, const Context &context)
{
    return create(socketTypeFromName(type), context);
}

Socket Socket::bindNew(
    QAnyStringView type, QAnyStringView uri, const Options &options, const Context &context)
{
    Socket socket = create(type, context);
    for (const auto &[name, value] : options)
        socket.setOption(name, value);
    socket.bind(uri);
    return socket;
}

Socket Socket::connectNew(
    QAnyStringView type, QAnyStringView uri, const Options &options, const Context &context)
{
    Socket socket = create(type, context);
    for (const auto &[name, value] : options)
        socket.setOption(name, value);
    socket.connect(uri);
    return socket;
}

SocketType Socket::type() const noexcept
{
    return d->type;
}

QString Socket::typeName() const
{
    return socketTypeName(valid(d).type);
}

const Context &Socket::context() const noexcept
{
    return d->context;
}

bool Socket::isOpen() const noexcept
{
    return d && bool(d->socket);
}

void Socket::close()
{
    if (!d || !d->socket)
        return;
    if (d->loop)
        d->loop->remove(d.get());
    d->socket.close();
    d->bound.clear();
    d->connected.clear();
}

void Socket::bind(QAnyStringView uri)
{
    open(d);
    const QString endpoint = uri.toString();
    checkEndpointOrThrow(endpoint, EndpointRole::Bind, d->type);
    try {
        d->socket.bind(endpoint.toStdString());
    } catch (const zmq::error_t &error) {
        if (error.num() == EADDRINUSE)
            throw Error(ErrorCode::AddressInUse,
                u"cannot bind %1 to %2: the address is already in use"_s.arg(
                    socketTypeName(d->type), endpoint),
                error.num());
        if (isEndpointErrno(error.num()))
            throw Error(ErrorCode::InvalidEndpoint,
                u"cannot bind %1 to \"%2\": %3 (expected e.g. tcp://127.0.0.1:5555, tcp://*:*, "
                u"ipc:///tmp/name, inproc://name)"_s.arg(
                    socketTypeName(d->type), endpoint, errnoText(error.num())),
                error.num());
        d->fail(error, u"bind to \"%1\""_s.arg(endpoint));
    }
    // Keep the resolved endpoint (tcp://127.0.0.1:* becomes the real port) so it can be shown and unbound.
    d->bound.append(
        QString::fromStdString(d->get(zmq::sockopt::last_endpoint, u"reading the bound endpoint"_s)));
    d->noteActivity(); // rule 4
}

void Socket::connect(QAnyStringView uri)
{
    open(d);
    const QString endpoint = uri.toString();
    checkEndpointOrThrow(endpoint, EndpointRole::Connect, d->type);
    try {
        d->socket.connect(endpoint.toStdString());
    } catch (const zmq::error_t &error) {
        if (isEndpointErrno(error.num()))
            throw Error(ErrorCode::InvalidEndpoint,
                u"cannot connect %1 to \"%2\": %3 (expected e.g. tcp://127.0.0.1:5555, "
                u"ipc:///tmp/name, inproc://name)"_s.arg(
                    socketTypeName(d->type), endpoint, errnoText(error.num())),
                error.num());
        d->fail(error, u"connect to \"%1\""_s.arg(endpoint));
    }
    d->connected.append(endpoint);
    d->noteActivity(); // rule 4
}

namespace {

/// unbind() and disconnect(): undo one bind or connect and forget its endpoint.
void detach(SocketPrivate &socket, const QString &endpoint, bool bound)
{
    QStringList &endpoints = bound ? socket.bound : socket.connected;
    try {
        if (bound)
            socket.socket.unbind(endpoint.toStdString());
        else
            socket.socket.disconnect(endpoint.toStdString());
    } catch (const zmq::error_t &error) {
        const QString verb = bound ? u"unbind"_s : u"disconnect"_s;
        if (error.num() == ENOENT || error.num() == EINVAL)
            throw Error(ErrorCode::InvalidEndpoint,
                u"cannot %1 %2 from \"%3\": it is not %4 there (%4: %5)"_s.arg(verb,
                    socketTypeName(socket.type), endpoint, bound ? u"bound"_s : u"connected"_s,
                    endpoints.isEmpty() ? u"nothing"_s : endpoints.join(u", "_s)),
                error.num());
        socket.fail(error, u"%1 from \"%2\""_s.arg(verb, endpoint));
    }
    endpoints.removeAll(endpoint);
    socket.noteActivity(); // libzmq processed pending commands, and with them the fd's edge
}

} // namespace

void Socket::unbind(QAnyStringView uri)
{
    open(d);
    detach(*d, uri.toString(), true);
}

void Socket::disconnect(QAnyStringView uri)
{
    open(d);
    detach(*d, uri.toString(), false);
}

int Socket::bindToRandom(QAnyStringView uri, int minPort, int maxPort, int maxTries)
{
    open(d);
    const QString base = uri.toString();
    if (minPort < 1 || maxPort > 65536 || minPort >= maxPort)
        throw Error(ErrorCode::InvalidEndpoint,
            u"cannot bind to a random port of %1: the port range [%2, %3) is empty or outside 1..65535"_s
                .arg(base)
                .arg(minPort)
                .arg(maxPort));
    if (maxTries < 1)
        throw Error(ErrorCode::InvalidEndpoint,
            u"cannot bind to a random port of %1: max tries is %2, it must be at least 1"_s.arg(base).arg(
                maxTries));
    for (int attempt = 0; attempt < maxTries; ++attempt) {
        const int port = int(QRandomGenerator::global()->bounded(minPort, maxPort));
        try {
            bind(u"%1:%2"_s.arg(base).arg(port));
            return port;
        } catch (const Error &error) {
            if (error.code() != ErrorCode::AddressInUse && error.zmqErrno() != EACCES)
                throw;
        }
    }
    throw Error(ErrorCode::BindFailed,
        u"could not bind %1 to a random port of %2 in [%3, %4): all %5 tries were in use"_s
            .arg(socketTypeName(d->type), base)
            .arg(minPort)
            .arg(maxPort)
            .arg(maxTries));
}

QString Socket::lastEndpoint() const
{
    open(d);
    return QString::fromStdString(d->get(zmq::sockopt::last_endpoint, u"reading last_endpoint"_s));
}

QStringList Socket::boundEndpoints() const
{
    return d ? d->bound : QStringList();
}

QStringList Socket::connectedEndpoints() const
{
    return d ? d->connected : QStringList();
}

void Socket::sendEnvelope(const Envelope &envelope)
{
    valid(d).send(envelope.transferObject());
}

Envelope Socket::receiveEnvelope()
{
    return Envelope::fromRaw(receiveFrames());
}

std::optional<Envelope> Socket::receiveEnvelope(std::chrono::milliseconds timeout)
{
    auto frames = receiveFrames(timeout);
    if (!frames)
        return std::nullopt;
    return Envelope::fromRaw(*frames);
}

void Socket::sendText(QByteArrayView utf8Text, QByteArrayView id)
{
    sendEnvelope(Envelope(id.toByteArray(), QByteArray(mimetype::Text), utf8Text.toByteArray()));
}

namespace {

bool mimetypeIs(const QByteArray &mimetype, const char *expected)
{
    // "text/plain; charset=utf-8" is still text/plain. (QByteArray::left(-1) is empty in Qt 6.)
    const qsizetype parameters = mimetype.indexOf(';');
    const QByteArray base = (parameters < 0 ? mimetype : mimetype.first(parameters)).trimmed().toLower();
    return base == expected;
}

} // namespace

QString Socket::receiveText()
{
    // Keep the frames as received: the error hands them over unchanged, delimiter and all.
    Frames frames = receiveFrames();
    const Envelope envelope = Envelope::fromRaw(frames);
    if (!mimetypeIs(envelope.mimetype(), mimetype::Text))
        throw Error(ErrorCode::MimetypeMismatch,
            u"receiveText expects mimetype text/plain, got %1"_s.arg(
                OptionValue(envelope.mimetype()).toDisplayString()),
            0, std::move(frames));
    return QString::fromUtf8(envelope.data());
}

void Socket::sendJson(const QJsonValue &value, QByteArrayView id)
{
    QByteArray body;
    if (value.isObject())
        body = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    else if (value.isArray())
        body = QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    else {
        // QJsonDocument only writes objects and arrays; a scalar is written inside one and unwrapped.
        body = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
        body = body.mid(1, body.size() - 2);
    }
    sendEnvelope(Envelope(id.toByteArray(), QByteArray(mimetype::Json), body));
}

QJsonValue Socket::receiveJson()
{
    Frames frames = receiveFrames();
    const Envelope envelope = Envelope::fromRaw(frames);
    if (!mimetypeIs(envelope.mimetype(), mimetype::Json))
        throw Error(ErrorCode::MimetypeMismatch,
            u"receiveObj expects mimetype application/json, got %1"_s.arg(
                OptionValue(envelope.mimetype()).toDisplayString()),
            0, std::move(frames));
    QJsonParseError error {};
    // Wrapping in an array lets scalars ("42", "\"x\"") parse as they do in Python's json.loads.
    const QJsonDocument document = QJsonDocument::fromJson('[' + envelope.data() + ']', &error);
    if (error.error != QJsonParseError::NoError)
        throw Error(ErrorCode::InvalidBody,
            u"the application/json body is not valid JSON: %1 at byte %2"_s.arg(error.errorString())
                .arg(qMax(0, error.offset - 1)),
            0, std::move(frames));
    const QJsonArray values = document.array();
    if (values.size() != 1)
        throw Error(ErrorCode::InvalidBody,
            u"the application/json body is not valid JSON: it holds %1 values instead of one"_s.arg(
                values.size()),
            0, std::move(frames));
    return values.first();
}

void Socket::sendFrames(const Frames &frames)
{
    valid(d).send(frames);
}

Socket::ForwardResult Socket::forward(std::span<zmq::message_t> parts)
{
    SocketPrivate &socket = valid(d);
    socket.ensureOpen();
    // Rule 3, as for every send: libzmq processed the socket's commands, refused or not.
    const auto recheck = qScopeGuard([&socket] { socket.noteActivity(); });
    if (parts.empty())
        throw Error(
            ErrorCode::InvalidBody, u"cannot forward a message of no frames on %1"_s.arg(socket.describe()));
    // Moved, as zmq_proxy does, not shared with zmq_msg_copy: a shared buffer's reference count is
    // one counter for a whole batch of received messages, and counting it from this thread and the
    // I/O thread at once bounces its cache line between the cores on every message. Moved, the buffer
    // never comes back to this thread, and is freed by the I/O thread that allocated it.
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const zmq::send_flags flags = i + 1 < parts.size()
            ? zmq::send_flags::sndmore | zmq::send_flags::dontwait
            : zmq::send_flags::dontwait;
        for (;;) {
            try {
                if (socket.socket.send(parts[i], flags))
                    break;
                // libzmq refuses a multipart message at its first frame or not at all: nothing went out.
                return ForwardResult::WouldBlock;
            } catch (const zmq::error_t &error) {
                if (error.num() == EINTR)
                    continue;
                if (error.num() == EHOSTUNREACH)
                    return ForwardResult::Unreachable;
                socket.fail(error, u"forward"_s);
            }
        }
    }
    return ForwardResult::Sent;
}

Frames Socket::receiveFrames()
{
    Frames frames;
    valid(d).receive(frames, true);
    return frames;
}

std::optional<Frames> Socket::receiveFrames(std::chrono::milliseconds timeout)
{
    open(d);
    Frames frames;
    if (d->receive(frames, false))
        return frames;
    if (timeout.count() <= 0)
        return std::nullopt;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return std::nullopt;
        zmq::pollitem_t item { d->socket.handle(), 0, ZMQ_POLLIN, 0 };
        try {
            zmq::poll(&item, 1, left);
        } catch (const zmq::error_t &error) {
            if (error.num() == EINTR)
                continue;
            d->fail(error, u"waiting for a message"_s);
        }
        if (d->receive(frames, false))
            return frames;
    }
}

bool Socket::hasPendingInput() const
{
    return (valid(d).eventsNotingActivity() & ZMQ_POLLIN) != 0;
}

bool Socket::canSend() const
{
    return (valid(d).eventsNotingActivity() & ZMQ_POLLOUT) != 0;
}

qintptr Socket::fileDescriptor() const
{
    open(d);
    return qintptr(d->get(zmq::sockopt::fd, u"reading ZMQ_FD"_s));
}

zmq::socket_t &Socket::handle()
{
    return valid(d).socket;
}

} // namespace zmqscope
