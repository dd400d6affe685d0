#pragma once

#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include <QByteArray>
#include <QList>
#include <QString>

class QJsonValue;

namespace zmqscope {

/// A multipart message as it travels on the wire: one QByteArray per frame.
using Frames = QList<QByteArray>;

/// What went wrong, so callers can react without parsing the message text.
enum class ErrorCode
{
    UnknownSocketType, ///< a socket type name that is not in the table
    UnknownOption, ///< an option name that is not in the table
    InvalidOptionValue, ///< a value of the wrong kind or range for an option
    InvalidEndpoint, ///< an endpoint libzmq cannot parse or resolve
    AddressInUse, ///< bind() on an endpoint somebody else holds
    BindFailed, ///< bindToRandom() ran out of tries
    WrongState, ///< REQ/REP send or receive out of turn, or a closed socket
    NotAnEnvelope, ///< frames that do not form a Dploy envelope
    MimetypeMismatch, ///< receiveText()/receiveObj() on another mimetype
    InvalidBody, ///< a body that does not decode (bad JSON)
    Unsupported, ///< an operation this socket type cannot do
    Timeout, ///< a blocking call ran into rcvtimeo/sndtimeo
    Terminated, ///< the context was shut down (ETERM)
    ZmqError, ///< any other libzmq error, with its errno and text
    FileError, ///< a file that cannot be opened, read or written, or is not a capture file
    InvalidFilter, ///< a filter expression that does not parse ("at column N: ...")
};

/**
 * The one exception type of the library. what() is a complete, one-line
 * message that names the bad value; code() tells the kind.
 *
 * When a message was already taken off the socket before the error was found
 * (a raw message given to receiveEnvelope(), a text receive of a JSON body),
 * frames() holds it, so nothing received is ever lost.
 */
class Error : public std::runtime_error
{
public:
    Error(ErrorCode code, const QString &message, int zmqErrno = 0, Frames frames = {});

    [[nodiscard]] ErrorCode code() const noexcept { return m_code; }
    /// The libzmq errno behind the error, 0 when the error is our own.
    [[nodiscard]] int zmqErrno() const noexcept { return m_errno; }
    /// The message as a QString (what() is the same text in UTF-8).
    [[nodiscard]] QString message() const { return QString::fromUtf8(what()); }
    /// Frames received before the error was detected; empty otherwise.
    [[nodiscard]] const Frames &frames() const noexcept { return m_frames; }

private:
    ErrorCode m_code;
    int m_errno;
    Frames m_frames;
};

/**
 * The result of a fallible call that does not throw: a value, or the Error that says why
 * there is none. The one convention for such calls in this library (and in ZmqScope), in
 * place of optional + QString *, bool + out-parameter or an error string in a struct.
 *
 * \code
 * Result<Endpoint> endpoint = parseEndpoint(text);
 * if (!endpoint)
 *     return endpoint.error(); // a Result<U> of any U takes the Error
 * use(*endpoint);
 * \endcode
 *
 * Result<void> carries only success or an Error. Asking a failed result for its value (or a
 * successful one for its error) is a programming error: it throws std::bad_variant_access
 * (std::bad_optional_access for Result<void>).
 */
template<typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_state(std::in_place_index<0>, std::move(value))
    { }
    Result(Error error)
        : m_state(std::in_place_index<1>, std::move(error))
    { }

    [[nodiscard]] bool ok() const noexcept { return m_state.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] T &value() & { return std::get<0>(m_state); }
    [[nodiscard]] const T &value() const & { return std::get<0>(m_state); }
    [[nodiscard]] T &&value() && { return std::get<0>(std::move(m_state)); }
    [[nodiscard]] T &operator*() & { return value(); }
    [[nodiscard]] const T &operator*() const & { return value(); }
    [[nodiscard]] T &&operator*() && { return std::move(*this).value(); }
    [[nodiscard]] T *operator->() { return &value(); }
    [[nodiscard]] const T *operator->() const { return &value(); }
    /// The value, or `fallback` when the call failed.
    [[nodiscard]] T valueOr(T fallback) const & { return ok() ? value() : std::move(fallback); }

    [[nodiscard]] const Error &error() const & { return std::get<1>(m_state); }
    [[nodiscard]] Error &&error() && { return std::get<1>(std::move(m_state)); }
    /// The error's message, empty on success: for the places that show one line.
    [[nodiscard]] QString errorMessage() const { return ok() ? QString() : error().message(); }
    /// The value; throws the Error when the call failed (for callers that use exceptions).
    T valueOrThrow() &&
    {
        if (!ok())
            throw std::move(*this).error();
        return std::move(*this).value();
    }

private:
    std::variant<T, Error> m_state;
};

template<> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
    { }

    [[nodiscard]] bool ok() const noexcept { return !m_error.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] const Error &error() const & { return m_error.value(); }
    [[nodiscard]] Error &&error() && { return std::move(m_error).value(); }
    [[nodiscard]] QString errorMessage() const { return ok() ? QString() : m_error->message(); }
    /// Throws the Error when the call failed.
    void throwIfFailed() &&
    {
        if (m_error)
            throw std::move(*m_error);
    }

private:
    std::optional<Error> m_error;
};

/// How a one-line error message names the kind of a JSON value: "a string", "an array",
/// "null", ... and "missing" for an undefined value (a key that is not there).
[[nodiscard]] QString jsonTypeName(const QJsonValue &value);

} // namespace zmqscope
