#pragma once

#include <QByteArray>
#include <QString>

#include <zmqscope/error.h>

/**
 * Helpers to edit bytes as text or as hex digits in the composer and the
 * socket dialog. Pure functions, no widgets.
 */
namespace BytesText {

/// How a byte string is typed in an editor.
enum class Format
{
    Text,
    Hex
};

/// Parses hex digits ("de ad be ef", "0xDEADBEEF", "deadbeef"); whitespace is ignored.
/// Returns the bytes, or InvalidBody with a one-line reason ("'z' at position 3 is not a hex digit").
[[nodiscard]] zmqscope::Result<QByteArray> parseHex(const QString &text);

/// Formats bytes as lower-case hex pairs separated by spaces ("de ad be ef").
[[nodiscard]] QString toHex(const QByteArray &bytes);

/// True when the bytes are valid UTF-8 without control characters other than tab, CR and LF,
/// so that editing them as text and encoding back gives the same bytes.
[[nodiscard]] bool isEditableText(const QByteArray &bytes);

/// The format a received byte string is best edited in: text when isEditableText(), else hex.
[[nodiscard]] Format preferredFormat(const QByteArray &bytes);

/// The editor text for bytes in a format (UTF-8 text, or hex pairs).
[[nodiscard]] QString toEditable(const QByteArray &bytes, Format format);

/// The bytes an editor text stands for; hex errors are reported as in parseHex().
[[nodiscard]] zmqscope::Result<QByteArray> fromEditable(const QString &text, Format format);

} // namespace BytesText
