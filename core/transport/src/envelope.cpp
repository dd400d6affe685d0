#include <zmqscope/envelope.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

Envelope::Envelope(QByteArray id, QByteArray mimetype, QByteArray data, Frames requestFrames)
    : m_id(std::move(id))
    , m_mimetype(std::move(mimetype))
    , m_data(std::move(data))
    , m_requestFrames(std::move(requestFrames))
{ }

Envelope Envelope::create(QByteArray mimetype, QByteArray data, QByteArray id, Frames requestFrames)
{
    return Envelope(std::move(id), std::move(mimetype), std::move(data), std::move(requestFrames));
}

Envelope::ParseResult Envelope::parse(const Frames &frames)
{
    ParseResult result;
    const auto count = frames.size();
    const EnvelopeLayout layout = envelopeLayout(count, [&](qsizetype i) { return frames[i].size(); });
    result.kind = layout.kind;
    if (layout.kind == Kind::Raw) {
        if (count < 3) {
            result.reason = count == 0 ? u"no frames; an envelope needs at least 3 (id, mimetype, body)"_s
                : count == 1           ? u"1 frame; an envelope needs at least 3 (id, mimetype, body)"_s
                                       : u"2 frames; an envelope needs at least 3 (id, mimetype, body)"_s;
            return result;
        }
        const auto delimiter = EnvelopeLayout::delimiterIndex(count);
        result.reason = u"%1 frames without the empty delimiter before id, mimetype, body "
                        u"(frame %2 of %1 has %3)"_s.arg(count)
                            .arg(delimiter + 1)
                            .arg(frames[delimiter].size() == 1 ? u"1 byte"_s
                                                               : u"%1 bytes"_s.arg(frames[delimiter].size()));
        return result;
    }
    // ["", id, mimetype, body] (what a DEALER gets back from REP) parses as in the seed: an envelope
    // whose routing part is just the delimiter, so its request frames are empty.
    result.envelope
        = Envelope(frames[EnvelopeLayout::idIndex(count)], frames[EnvelopeLayout::mimetypeIndex(count)],
            frames[EnvelopeLayout::bodyIndex(count)], frames.first(layout.requestFrames));
    return result;
}

Envelope Envelope::fromRaw(const Frames &frames)
{
    auto result = parse(frames);
    if (!result.envelope)
        throw Error(ErrorCode::NotAnEnvelope, u"not a Dploy envelope: "_s + result.reason, 0, frames);
    return std::move(*result.envelope);
}

Frames Envelope::transferObject() const
{
    Frames frames;
    frames.reserve(m_requestFrames.size() + (m_requestFrames.isEmpty() ? 3 : 4));
    if (!m_requestFrames.isEmpty()) {
        frames.append(m_requestFrames);
        frames.append(QByteArray());
    }
    frames.append(m_id);
    frames.append(m_mimetype);
    frames.append(m_data);
    return frames;
}

Frames Envelope::transferObject(EnvelopeFraming framing) const
{
    return withEnvelopeFraming(transferObject(), framing);
}

EnvelopeFraming defaultEnvelopeFraming(SocketType type) noexcept
{
    return type == SocketType::Dealer ? EnvelopeFraming::ReqCompatible : EnvelopeFraming::Plain;
}

Frames withEnvelopeFraming(Frames transferObject, EnvelopeFraming framing)
{
    if (framing == EnvelopeFraming::ReqCompatible)
        transferObject.prepend(QByteArray());
    return transferObject;
}

Envelope Envelope::responseEnvelope(QByteArray mimetype, QByteArray data, std::optional<QByteArray> id) const
{
    return Envelope(
        id ? std::move(*id) : QByteArray(m_id), std::move(mimetype), std::move(data), m_requestFrames);
}

} // namespace zmqscope
