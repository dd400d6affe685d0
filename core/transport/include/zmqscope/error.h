#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <stdexcept>

class QJsonValue;

namespace zmqscope {

/// A multipart message as it travels on the wire: one QByteArray per frame.
using Frames = QList<QByteArray>;

/// What went wrong, so callers can react without parsing the message text.
enum class ErrorCode {
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

/// How a one-line error message names the kind of a JSON value: "a string", "an array",
/// "null", ... and "missing" for an undefined value (a key that is not there).
[[nodiscard]] QString jsonTypeName(const QJsonValue &value);

} // namespace zmqscope
