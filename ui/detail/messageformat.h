#pragma once

#include <cstdint>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <zmqscope/store/messagestore.h>

/**
 * Pure functions the Detail pane uses to turn untrusted message bytes into
 * plain text. Nothing here produces markup: every result is meant for
 * Qt::DisplayRole, QPlainTextEdit or a Qt::PlainText label.
 */
namespace zmqscope::MessageFormat {

/// The most bytes any copy action puts on the clipboard (hex of 16 MiB is already 48 MiB of text).
inline constexpr qsizetype ClipboardLimit = qsizetype { 16 } << 20;

/// "2024-05-01T12:34:56.789123Z", the capture file's timestamp (DESIGN.md section 8).
[[nodiscard]] QString isoTimestampUtc(std::int64_t timestampUs);
/// "2024-05-01 14:34:56.789" in the local time zone, for people.
[[nodiscard]] QString localTimestamp(std::int64_t timestampUs);
/// "in", "out", "c2s" or "s2c", as in capture files.
[[nodiscard]] QString directionName(Direction direction);

/**
 * One message as a compact capture line (DESIGN.md section 8, without the
 * socket type and endpoint, which the Detail pane does not know):
 * {"ts","socket","dir"[,"peer"],"frames":[base64...]} plus "id", "mimetype" and
 * "body" for envelopes, each as "<key>_base64" instead when it is not UTF-8.
 */
[[nodiscard]] QByteArray captureLine(const StoredMessage &message, const QString &socketName);

/// Lower-case hex pairs separated by spaces; at most maxBytes of them, then " …" (maxBytes < 0: all).
[[nodiscard]] QString hex(QByteArrayView bytes, qsizetype maxBytes = -1);

/// The byte as shown in an ASCII column: printable ASCII as is, everything else '.'.
[[nodiscard]] constexpr char asciiColumnChar(char byte) noexcept
{
    return byte >= 0x20 && byte < 0x7f ? byte : '.';
}

// Which bytes are text and how a cut keeps whole characters: zmqscope/textescape.h.

/**
 * One line of at most maxChars characters for a table cell, as the message
 * table shows text: textescape::escape() (\n, \x1b, \u{202e}, invalid
 * bytes as \xNN) and "…" when cut.
 */
[[nodiscard]] QString oneLineText(QByteArrayView bytes, int maxChars);

/// What displayText() changed for display.
struct DisplayTextChanges
{
    bool invalidUtf8 = false; ///< bytes that start no valid UTF-8 sequence became \xNN
    bool controlsEscaped = false; ///< control characters other than tab, LF and CR became \x00, \x1b...
    bool invisibleEscaped = false; ///< invisible characters such as U+202E became \u{202e}
    bool linesBroken = false; ///< lines longer than the limit were broken
};

/**
 * Multi-line text for a read-only text view, with the escapes of
 * textescape::escape(): each invalid byte as \xNN, control characters other
 * than tab, LF and CR as \x00, \x1b..., other invisible characters
 * (textescape::isInvisible()) as \u{hex}; and lines longer than maxLineChars
 * broken, because text views lay out one very long line very slowly.
 */
[[nodiscard]] QString displayText(
    QByteArrayView bytes, int maxLineChars, DisplayTextChanges *changes = nullptr);

/**
 * Bytes as text to copy: valid UTF-8 exactly as it is (control characters
 * and all), each byte that starts no valid sequence as textescape's \xNN
 * instead of U+FFFD, so nothing is silently lost. invalidUtf8 (optional) is
 * set when a byte was escaped.
 */
[[nodiscard]] QString copyableText(QByteArrayView bytes, bool *invalidUtf8 = nullptr);

/**
 * A short plain-text rendering of a small byte string (an id, a routing
 * frame): the text in quotes when it reads as text, otherwise "hex …";
 * "(empty)" for no bytes. Long values are cut with "…".
 */
[[nodiscard]] QString describeBytes(QByteArrayView bytes, int maxChars = 160);

/**
 * A tap's peer for the Detail pane: "006b8b4567 (the routing id the tap gave the client; not a frame)",
 * the hex as in capture lines and the Peer column.
 */
[[nodiscard]] QString peerText(QByteArrayView peer);

/// "1,234 bytes (1.2 KiB)", or "1 byte", or "0 bytes".
[[nodiscard]] QString byteCount(qint64 bytes);

/// application/json, text/json, or any */*+json (parameters and case ignored).
[[nodiscard]] bool isJsonMimetype(QByteArrayView mimetype);
/// The body's first non-blank character is { or [.
[[nodiscard]] bool looksLikeJson(QByteArrayView body);
/// image/* (case ignored).
[[nodiscard]] bool isImageMimetype(QByteArrayView mimetype);
/// "png", "jpeg", "gif" or "bmp" from the body's signature, empty when none matches.
[[nodiscard]] QByteArray imageFormatFromSignature(QByteArrayView body);

} // namespace zmqscope::MessageFormat
