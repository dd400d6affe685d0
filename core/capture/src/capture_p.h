#pragma once

#include <QByteArrayView>

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

/// parseCaptureLine(line), with the frames decoded or not.
[[nodiscard]] CaptureRecord parseCaptureLine(QByteArrayView line, CaptureFrames frames);

} // namespace zmqscope
