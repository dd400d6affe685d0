#pragma once

#include <cstdint>

#include <QByteArray>
#include <QString>

namespace zmqscope::displaytext {

// Turning untrusted bytes into one line of plain text for tables and logs.
// Nothing here produces markup: the result is meant for Qt::DisplayRole and
// plain-text labels only.

/// How bytes that are not text are shown.
enum class BinaryStyle
{
    Compact, ///< "0x006b8b4567" (routing ids, ids)
    Spaced, ///< "89 50 4e 47 0d 0a" (body previews)
};

/// textescape::looksLikeText() with an incomplete sequence cut off at the end allowed.
[[nodiscard]] bool looksLikeText(const QByteArray &bytes);

/**
 * One line of at most maxChars characters: text with control and invisible
 * characters escaped by textescape::escape() (\n, \t, \x1b, \u{202e}), or
 * hex when the bytes are not text. `truncated` says there is more than
 * `bytes` holds, which drops an incomplete last character and adds "…".
 */
[[nodiscard]] QString oneLine(
    const QByteArray &bytes, int maxChars, BinaryStyle style, bool truncated = false);

/// "842 B", "12.4 KiB", "64.0 MiB".
[[nodiscard]] QString dataSize(std::uint64_t bytes);

} // namespace zmqscope::displaytext
