#pragma once

#include <QByteArrayView>
#include <QString>

namespace zmqscope::textescape {

// Untrusted bytes as plain text (DESIGN.md section 7): one decoder and one set
// of escape rules for the CLI, the message table and the Detail pane.

/// One UTF-8 sequence as decodeUtf8At() reads it.
struct Utf8Sequence
{
    /// The decoded code point when length > 0.
    char32_t codePoint = 0;
    /**
     * 1 to 4 for a valid sequence; 0 when the byte starts no valid sequence
     * (stray continuation byte, overlong form, surrogate, beyond U+10FFFF,
     * 0xc0/0xc1/0xf5..0xff); -1 when the sequence is valid so far but the
     * bytes end before it does.
     */
    int length = 0;
};

/// Decodes the UTF-8 sequence that starts at bytes[index] (index < bytes.size()).
[[nodiscard]] Utf8Sequence decodeUtf8At(QByteArrayView bytes, qsizetype index) noexcept;

/// True when bytes is valid UTF-8; with allowCutEnd a sequence cut off by the end counts as valid.
[[nodiscard]] bool isValidUtf8(QByteArrayView bytes, bool allowCutEnd = false) noexcept;

/// The longest prefix of at most maxBytes bytes that does not end inside a UTF-8 sequence.
[[nodiscard]] qsizetype utf8PrefixLength(QByteArrayView bytes, qsizetype maxBytes) noexcept;

/**
 * The text-or-binary decision: valid UTF-8 (a sequence cut off by the end is
 * allowed with allowCutEnd), no NUL, and at most one character in eight a
 * control character other than tab, line feed, carriage return and form feed.
 * Text with a few terminal colour codes still reads as text.
 */
[[nodiscard]] bool looksLikeText(QByteArrayView bytes, bool allowCutEnd = false) noexcept;

/**
 * True for code points that are shown as an escape instead of themselves:
 * controls (C0, DEL, C1), format characters (bidi overrides such as U+202E,
 * zero-width characters such as U+200B, U+FEFF), line and paragraph
 * separators, surrogates, private-use and unassigned code points.
 */
[[nodiscard]] bool isInvisible(char32_t codePoint) noexcept;

/// The escape of one code point: \n, \r, \t, \xNN below U+0080, otherwise \u{hex} ("\u{202e}").
[[nodiscard]] QString codePointEscape(char32_t codePoint);

/// How escape() writes its result.
struct EscapeOptions
{
    /// Put the text in double quotes and escape " and \ as \" and \\ (terminal output).
    bool quoted = false;
    /// Read at most this many bytes (< 0: all); a cut adds cutMarker.
    qsizetype maxBytes = -1;
    /// Show at most this many characters, one escape counting as one (< 0: all); a cut adds cutMarker.
    qsizetype maxChars = -1;
    /**
     * The bytes are a cut prefix of something longer: an incomplete sequence
     * at their end is dropped rather than escaped, and cutMarker is added.
     */
    bool moreFollows = false;
    /// Added (inside the quotes) when anything was cut.
    QString cutMarker = QStringLiteral("\u2026");
};

/**
 * Bytes as one line of plain text: valid UTF-8 stays readable, invisible code
 * points (isInvisible()) and control characters are escaped with
 * codePointEscape(), and each byte that starts no valid sequence appears as
 * \xNN, so one bad byte does not hide the text around it.
 */
[[nodiscard]] QString escape(QByteArrayView bytes, const EscapeOptions &options = {});

} // namespace zmqscope::textescape
