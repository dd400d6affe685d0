#pragma once

#include <cstdint>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringView>

#include <zmqscope/error.h>
#include <zmqscope/store/messagestore.h>

namespace zmqscope {

/// The capture file format version this library writes and reads (DESIGN.md section 8).
inline constexpr int CaptureFormatVersion = 1;

/**
 * One message line of a capture file (DESIGN.md section 8), also what
 * `zmqscope-cli listen --format jsonl` prints.
 *
 * `frames` is the lossless truth. The line additionally carries `id`,
 * `mimetype` and `body` when the frames form a Dploy envelope, each as text
 * when it is valid UTF-8 and as `id_base64`, `mimetype_base64` or
 * `body_base64` otherwise. Readers rebuild everything from `frames`.
 */
struct CaptureRecord
{
    std::int64_t timestampUs = 0; ///< microseconds since the Unix epoch, UTC
    QString socket; ///< the socket's display name ("SUB 1")
    QString type; ///< the socket type name ("SUB")
    QString endpoint; ///< the socket's endpoint(s), comma-separated when there are several
    Direction direction = Direction::In;
    Frames frames;
    /// The routing id a tap's ROUTER gave the client ("peer", hex in the line; section 12); empty for none.
    QByteArray peer {};
    /// An event line (section 12: no frames) when not empty: "subscribe", "unsubscribe", "connected",
    /// ... ; `topic` is its "topic_base64", `detail` its "detail". Message lines leave all three empty.
    QString event {};
    QByteArray topic {};
    QString detail {};
    /// Passive captures (section 12): the sender's and the receiver's "ip:port", and the connection's
    /// security mechanism ("NULL", "PLAIN", "CURVE"); empty for own sockets and taps.
    QString src {};
    QString dst {};
    QString security {};
    /// A CURVE message seen on the wire: its payload is encrypted, so the line has `size` (bytes), no
    /// frames.
    bool encrypted = false;
    std::uint64_t size = 0;

    [[nodiscard]] bool isEvent() const { return !event.isEmpty(); }

    friend bool operator==(const CaptureRecord &, const CaptureRecord &) = default;
};

/**
 * How capture lines name where a message was seen (DESIGN.md sections 8 and 12): the recorder, exports
 * and the capture loader agree on it. A tap's lines carry the SENDER's socket type, so a tap has one
 * type per conversation direction.
 */
struct CaptureSource
{
    QString name; ///< the line's "socket"
    QString type; ///< "type" of in/out lines (a tap's pattern name, for lines of neither direction)
    QString endpoint; ///< "endpoint"; a tap's is "LISTEN > FORWARD"
    QString clientType {}; ///< a tap's: the clients' type, on its c2s lines
    QString serverType {}; ///< and the server's, on its s2c lines
    /// A packet capture's connection (section 12): its lines' "src" and "dst" are these two "ip:port"
    /// (c2s from the client), and "security" the mechanism; all empty for own sockets and taps.
    QString client {};
    QString server {};
    QString security {};

    /// The "src" of a line going `direction`: the client's address on c2s, the server's on s2c.
    [[nodiscard]] const QString &sourceFor(Direction direction) const
    {
        return direction == Direction::ServerToClient ? server : client;
    }
    /// And its "dst".
    [[nodiscard]] const QString &destinationFor(Direction direction) const
    {
        return direction == Direction::ServerToClient ? client : server;
    }

    /// The "type" of a line going `direction`: clientType on c2s, serverType on s2c, type otherwise.
    [[nodiscard]] const QString &typeFor(Direction direction) const
    {
        switch (direction) {
        case Direction::ClientToServer:
            return clientType;
        case Direction::ServerToClient:
            return serverType;
        case Direction::In:
        case Direction::Out:
            break;
        }
        return type;
    }

    friend bool operator==(const CaptureSource &, const CaptureSource &) = default;
};

/**
 * Formats a timestamp as ISO-8601 UTC with microseconds,
 * e.g. "2026-11-25T21:57:37.123456Z".
 */
[[nodiscard]] QString formatCaptureTimestamp(std::int64_t timestampUs);

/**
 * Parses an ISO-8601 timestamp "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"
 * into microseconds since the epoch (digits beyond microseconds are cut).
 * Returns std::nullopt for anything else, and for instants outside the years
 * 0001 to 9999 UTC (which formatCaptureTimestamp() could not write back).
 */
[[nodiscard]] std::optional<std::int64_t> parseCaptureTimestamp(QStringView text);

/**
 * The first line of a capture file, '\n' included:
 * `{"zmqscope_capture":1,"created":"<ISO-8601 UTC>",...}` where `extra` adds
 * further keys (its own "zmqscope_capture" and "created" are ignored).
 */
[[nodiscard]] QByteArray captureHeaderLine(const QDateTime &created, const QJsonObject &extra = {});

/**
 * Parses a header line. Throws Error (ErrorCode::InvalidBody) naming what is
 * wrong: not JSON, no "zmqscope_capture" key, an unsupported version, a bad
 * "created" timestamp. Returns the whole header object.
 */
[[nodiscard]] QJsonObject parseCaptureHeader(QByteArrayView line);

/**
 * One message as one compact JSON object plus '\n', keys in the order of
 * DESIGN.md section 8: ts, socket, type, endpoint, dir, frames, then id,
 * mimetype and body for envelopes. Control characters are escaped, so a line
 * never contains a raw newline or terminal escape.
 */
[[nodiscard]] QByteArray captureLine(const CaptureRecord &record);

/**
 * One event line (section 12) plus '\n': {"ts","socket","event"} then "topic_base64" for
 * subscriptions and "detail" when the record has one. No frames: readers that do not know a kind of
 * line skip it.
 */
[[nodiscard]] QByteArray captureEventLine(const CaptureRecord &record);

/**
 * Writes the message lines of one socket (exactly what captureLine() gives
 * for the same record) straight into a caller's buffer: the socket, type
 * and endpoint are escaped once, the timestamp's date and time once per
 * second, text fields are checked and escaped from their UTF-8 bytes and
 * frames are base64-encoded in place, so a line costs no allocation once
 * the buffer has grown (the CLI prints and the capture writer records
 * floods this way). Not thread-safe: one writer per thread.
 */
class CaptureLineWriter
{
public:
    /// `src`, `dst` and `security` are a passive capture's (section 12), written after "endpoint" when set.
    CaptureLineWriter(QStringView socket, QStringView type, QStringView endpoint, QStringView src = {},
        QStringView dst = {}, QStringView security = {});

    /// Appends one message line, '\n' included, to `out`; a non-empty `peer` adds "peer" (hex) after "dir".
    void append(QByteArray &out, std::int64_t timestampUs, Direction direction, const Frames &frames,
        QByteArrayView peer = {});
    /// Appends the line of an encrypted message, `"encrypted":true,"size":N` where frames would be.
    void appendEncrypted(QByteArray &out, std::int64_t timestampUs, Direction direction, std::uint64_t size);

private:
    /// "yyyy-MM-ddTHH:mm:ss" of `second` (seconds since the epoch), made once per second.
    const QByteArray &secondText(std::int64_t second);
    /// {"ts":"...", the source fields and "dir" (with "peer" when there is one).
    /// (A template so that the writer type stays the .cpp's own; only messageline.cpp instantiates it.)
    template<typename Out>
    void appendStart(Out &out, std::int64_t timestampUs, Direction direction, QByteArrayView peer);

    QByteArray m_source; // ,"socket":"...","type":"...","endpoint":"..."
    std::int64_t m_second = 0; // the second m_secondText shows
    QByteArray m_secondText; // "yyyy-MM-ddTHH:mm:ss" of m_second; empty until the first line
};

/**
 * Parses one message line (a trailing "\n" or "\r\n" is allowed). Throws
 * Error (ErrorCode::InvalidBody) with a one-line message naming the problem:
 * not JSON, not an object, the header line, missing or invalid "frames",
 * a frame that is not strict base64, a missing or invalid "ts" or "dir",
 * "socket", "type" or "endpoint" that are not strings, a "peer" that is not hex, "src", "dst" or
 * "security" that are not strings, an "encrypted" that is not a boolean or comes without a "size".
 * An encrypted line (`"encrypted":true`, section 12) has `size` and no frames.
 * A line without "frames" that has an "event" string is an event line: the record has `event` (and
 * `topic`, `detail`) set and no frames; callers that handle only messages skip it (isEvent()).
 *
 * The record is built from "frames" alone; "id", "mimetype" and "body" are
 * conveniences for people and other tools and are not read back.
 */
[[nodiscard]] CaptureRecord parseCaptureLine(QByteArrayView line);

} // namespace zmqscope
