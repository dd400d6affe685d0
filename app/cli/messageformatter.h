#pragma once

#include <cstdint>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <zmqscope/capture/capture.h>
#include <zmqscope/names.h>

#include "clicommon.h"

namespace zmqscope::cli {

/**
 * Turns received messages into what the CLI prints: a readable block
 * (pretty) or a capture line (jsonl, DESIGN.md section 8).
 */
class MessageFormatter
{
public:
    MessageFormatter(OutputFormat format, QString socketName, SocketType type, QString endpoint);
    // For messages read from a capture: the type as the file names it (any text).
    MessageFormatter(OutputFormat format, QString socketName, QString typeName, QString endpoint);

    [[nodiscard]] CaptureRecord record(
        std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView peer = {}) const;
    /// The message as printed, in a buffer this formatter reuses: valid until the next call. `peer` is
    /// the routing id a tap's ROUTER gave the client (section 12), empty for none.
    [[nodiscard]] QByteArrayView format(
        std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView peer = {});

    [[nodiscard]] const QString &socketName() const { return m_socketName; }
    [[nodiscard]] const QString &typeName() const { return m_typeName; }

    // Pretty output shows at most this many bytes of a frame; jsonl always has everything.
    static constexpr qsizetype PreviewBytes = 4096;

private:
    [[nodiscard]] QByteArray pretty(
        std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView peer) const;

    OutputFormat m_format;
    QString m_socketName;
    QString m_typeName;
    QString m_endpoint;
    CaptureLineWriter m_lineWriter; // jsonl: the socket's fields escaped once
    QByteArray m_buffer; // the last message's text; keeps its capacity from line to line
};

/// An event line (a subscription, a connection) in pretty form: time, socket, what happened, one line.
[[nodiscard]] QByteArray formatEvent(const CaptureRecord &event);

/// A message decoded from a packet capture (section 12: src, dst, security; CURVE ones encrypted) as
/// `format` prints it.
[[nodiscard]] QByteArray formatWireMessage(const CaptureRecord &record, OutputFormat format);

/**
 * Bytes as a quoted string safe for a terminal (textescape::escape()):
 * valid UTF-8 stays readable, quotes, backslashes, control and invisible
 * characters are escaped (\n, \t, \x1b, \u{202e}) and invalid bytes
 * appear as \xNN. At most `limit` bytes are shown, then "...".
 */
[[nodiscard]] QString escapeForTerminal(
    QByteArrayView bytes, qsizetype limit = MessageFormatter::PreviewBytes);

} // namespace zmqscope::cli
