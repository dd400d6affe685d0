#pragma once

#include <span>

#include <QByteArrayView>

#include <zmqscope/envelope.h>

namespace zmqscope {

/// The envelope id of a message given as frame views (DESIGN.md section 3); empty for a raw message.
[[nodiscard]] inline QByteArrayView envelopeIdOf(std::span<const QByteArrayView> frames)
{
    const auto count = qsizetype(frames.size());
    const EnvelopeLayout layout
        = envelopeLayout(count, [&](qsizetype i) { return frames[std::size_t(i)].size(); });
    return layout.kind == MessageKind::Raw ? QByteArrayView()
                                           : frames[std::size_t(EnvelopeLayout::idIndex(count))];
}

/// The body of a message: an envelope's body, or a raw message's last frame; empty for no frames.
[[nodiscard]] inline QByteArrayView messageBodyOf(std::span<const QByteArrayView> frames)
{
    if (frames.empty())
        return {};
    const auto count = qsizetype(frames.size());
    const EnvelopeLayout layout
        = envelopeLayout(count, [&](qsizetype i) { return frames[std::size_t(i)].size(); });
    return frames[std::size_t(
        layout.kind == MessageKind::Raw ? count - 1 : EnvelopeLayout::bodyIndex(count))];
}

} // namespace zmqscope
