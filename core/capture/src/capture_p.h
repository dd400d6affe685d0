#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QStringView>

#include <zmqscope/capture/capture.h>

namespace zmqscope {

/// Whether parseCaptureLine() decodes the frames or leaves CaptureRecord::frames empty.
enum class CaptureFrames
{
    Decode,
    /// For a pass that needs only the other fields (counting a file's messages): the line's base64
    /// frame strings are not decoded, so no frame is held in memory. Frames are not checked either.
    Skip
};

/**
 * Appends `text` as a JSON string: quotes, backslashes and the characters that move a terminal's
 * cursor or reorder text (C0 and C1 controls, U+2028, bidi controls, U+FEFF) escaped, the rest as
 * UTF-8; a lone surrogate as "\\udXXX". The header line and the socket fields of message lines use it.
 */
void appendJsonString(QByteArray &out, QStringView text);

/// parseCaptureLine(line), with the frames decoded or not.
[[nodiscard]] CaptureRecord parseCaptureLine(QByteArrayView line, CaptureFrames frames);

} // namespace zmqscope
