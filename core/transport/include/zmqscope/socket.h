#pragma once

#include <chrono>
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>

#include <QAnyStringView>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <zmqscope/context.h>
#include <zmqscope/envelope.h>
#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>

namespace zmq {
class message_t;
class socket_t;
} // namespace zmq

namespace zmqscope {

class SocketPrivate;

/// Anything sendObj() accepts: a QJsonValue-convertible value, or an object with serialize().
template<typename T>
concept JsonSerializable = std::is_convertible_v<const T &, QJsonValue> || requires(const T &t)
{
    {
        t.serialize()
        } -> std::convertible_to<QJsonValue>;
};

/**
 * A ZeroMQ socket with the Dploy transport API. Move-only RAII owner, closed
 * on destruction. Every call throws zmqscope::Error with a one-line message
 * that names the bad value; none aborts or silently does nothing.
 *
 * A socket belongs to the thread that uses it: create, use and destroy it in
 * one thread (libzmq sockets are not thread-safe).
 *
 * A moved-from Socket is empty: isOpen() is false, it can be closed, assigned
 * to and destroyed, and every other call throws ErrorCode::WrongState, except
 * type() and context(), which must not be called on it.
 */
class Socket
{
public:
    /// pyzmq's defaults for bindToRandom().
    static constexpr int DefaultMinPort = 49152;
    static constexpr int DefaultMaxPort = 65536;
    static constexpr int DefaultMaxTries = 100;

    /// Creates a socket of the given type; a default Context means "a new context of its own", as in the
    /// seed.
    [[nodiscard]] static Socket create(SocketType type, const Context &context = Context());
    /// Creates a socket by case-insensitive type name ("rep", "PUB"); unknown names throw, listing the valid
    /// ones.
    [[nodiscard]] static Socket create(QAnyStringView type, const Context &context = Context());
    /// Creates a socket, applies the options in order, then binds it.
    [[nodiscard]] static Socket bindNew(QAnyStringView type, QAnyStringView uri, const Options &options = {},
        const Context &context = Context());
    /// Creates a socket, applies the options in order, then connects it.
    [[nodiscard]] static Socket connectNew(QAnyStringView type, QAnyStringView uri,
        const Options &options = {}, const Context &context = Context());

    Socket(Socket &&other) noexcept;
    Socket &operator=(Socket &&other) noexcept;
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    ~Socket();

    [[nodiscard]] SocketType type() const noexcept;
    [[nodiscard]] QString typeName() const;
    [[nodiscard]] const Context &context() const noexcept;
    [[nodiscard]] bool isOpen() const noexcept;
    /// Closes the socket now (the destructor does it otherwise). Later calls throw WrongState.
    void close();

    void bind(QAnyStringView uri);
    void connect(QAnyStringView uri);
    void unbind(QAnyStringView uri);
    void disconnect(QAnyStringView uri);
    /**
     * Binds to a random port in [minPort, maxPort) of `uri` (e.g. "tcp://127.0.0.1"),
     * trying up to maxTries ports; returns the port. Throws ErrorCode::BindFailed
     * naming the range and the number of tries when every try was in use.
     */
    int bindToRandom(QAnyStringView uri, int minPort = DefaultMinPort, int maxPort = DefaultMaxPort,
        int maxTries = DefaultMaxTries);
    /// The endpoint of the last bind/connect with wildcards resolved ("tcp://127.0.0.1:41234").
    [[nodiscard]] QString lastEndpoint() const;
    /// Endpoints currently bound, and connected, in the order they were added.
    [[nodiscard]] QStringList boundEndpoints() const;
    [[nodiscard]] QStringList connectedEndpoints() const;

    /// Sets an option by case-insensitive name; unknown names and wrong kinds throw.
    void setOption(QAnyStringView name, const OptionValue &value);
    /// Reads an option by name; write-only options (subscribe) throw InvalidOptionValue.
    [[nodiscard]] OptionValue option(QAnyStringView name) const;

    /// Sends an envelope as one multipart message.
    void sendEnvelope(const Envelope &envelope);
    /// Blocks until a message arrives; a raw message throws NotAnEnvelope with its frames attached.
    [[nodiscard]] Envelope receiveEnvelope();
    /// Waits at most `timeout`; returns std::nullopt when nothing came.
    [[nodiscard]] std::optional<Envelope> receiveEnvelope(std::chrono::milliseconds timeout);

    /// Sends UTF-8 text with mimetype text/plain.
    void sendText(QByteArrayView utf8Text, QByteArrayView id = {});
    /// Receives an envelope and returns its body as text; another mimetype throws MimetypeMismatch naming
    /// both.
    [[nodiscard]] QString receiveText();

    /// Sends obj as JSON (mimetype application/json); obj is a QJsonValue or has serialize() returning one.
    template<JsonSerializable T> void sendObj(const T &obj, QByteArrayView id = {})
    {
        if constexpr (std::is_convertible_v<const T &, QJsonValue>)
            sendJson(QJsonValue(obj), id);
        else
            sendJson(QJsonValue(obj.serialize()), id);
    }
    /// Receives a JSON envelope, parses the body and returns handler(value).
    template<typename Handler> auto receiveObj(Handler &&handler)
    {
        return std::invoke(std::forward<Handler>(handler), receiveJson());
    }
    void sendJson(const QJsonValue &value, QByteArrayView id = {});
    [[nodiscard]] QJsonValue receiveJson();

    /// Sends raw frames as one multipart message (an empty list is refused).
    void sendFrames(const Frames &frames);

    /// What forward() did with a message.
    enum class ForwardResult
    {
        Sent,
        WouldBlock, ///< EAGAIN: no peer can take it now (its high-water mark); nothing was sent
        Unreachable, ///< EHOSTUNREACH: a ROUTER with router_mandatory has no peer with that routing id
    };
    /**
     * Sends `parts` as one multipart message without waiting, taking them over: libzmq hands the
     * received buffers on as they are, no byte is copied, and each part sent is left empty. For a
     * forwarder: it never blocks, and a full or unknown destination is reported (every part is then
     * left as it was, nothing was sent) instead of thrown; other failures throw as sendFrames() does.
     * Rule 3 of PollLoop holds as for every send; inside a drain the re-check waits for its end.
     */
    [[nodiscard]] ForwardResult forward(std::span<zmq::message_t> parts);
    /// Blocks for one whole multipart message.
    [[nodiscard]] Frames receiveFrames();
    /// Waits at most `timeout` (0 = do not wait); std::nullopt when nothing came.
    [[nodiscard]] std::optional<Frames> receiveFrames(std::chrono::milliseconds timeout);

    /**
     * ZMQ_EVENTS has ZMQ_POLLIN: a whole message can be received without blocking.
     * Reading ZMQ_EVENTS consumes the edge of ZMQ_FD; a PollLoop the socket is
     * registered with is told, so no input is left unnoticed.
     */
    [[nodiscard]] bool hasPendingInput() const;
    /// ZMQ_EVENTS has ZMQ_POLLOUT (and, like hasPendingInput(), keeps a PollLoop informed).
    [[nodiscard]] bool canSend() const;
    /// The ZMQ_FD to watch for readability (edge-triggered; see PollLoop).
    [[nodiscard]] qintptr fileDescriptor() const;

    /// The cppzmq socket, for what this class does not wrap.
    [[nodiscard]] zmq::socket_t &handle();

private:
    explicit Socket(std::unique_ptr<SocketPrivate> d);
    friend class SocketPrivate;
    friend class PollLoop;
    std::unique_ptr<SocketPrivate> d;
};

} // namespace zmqscope
