#pragma once

#include <optional>

#include <QByteArray>
#include <QList>
#include <QString>

#include <zmqscope/error.h>
#include <zmqscope/names.h>

namespace zmqscope {

/// How a multipart message classifies (DESIGN.md section 3).
enum class MessageKind
{
    Envelope, ///< exactly 3 frames: id, mimetype, body
    RoutedEnvelope, ///< 4+ frames, the 4th from last empty: request frames, "", id, mimetype, body
    Raw, ///< anything else: 0-2 frames, or 4+ frames without the delimiter in that place
};

/**
 * Where the parts of a multipart message are when it is a Dploy envelope (DESIGN.md section 3),
 * decided from its frame count and the size of the frame before id, mimetype and body. The one
 * classification: Envelope::parse() uses it on frames, the message store on stored frame sizes.
 */
struct EnvelopeLayout
{
    MessageKind kind = MessageKind::Raw;
    qsizetype requestFrames = 0; ///< routing frames before the empty delimiter (RoutedEnvelope only)

    /// Frame indexes of id, mimetype and body in a message of `count` frames (envelopes only).
    [[nodiscard]] static constexpr qsizetype idIndex(qsizetype count) noexcept { return count - 3; }
    [[nodiscard]] static constexpr qsizetype mimetypeIndex(qsizetype count) noexcept { return count - 2; }
    [[nodiscard]] static constexpr qsizetype bodyIndex(qsizetype count) noexcept { return count - 1; }
    /// The frame that must be empty for 4+ frames to be an envelope (the delimiter).
    [[nodiscard]] static constexpr qsizetype delimiterIndex(qsizetype count) noexcept { return count - 4; }
};

/**
 * The layout of a message of `count` frames; `sizeOf(i)` gives the size of frame i and is called
 * at most once, for the delimiter. Inline and allocation-free: the store runs it per message.
 */
template<typename SizeOf>
[[nodiscard]] constexpr EnvelopeLayout envelopeLayout(qsizetype count, SizeOf &&sizeOf) noexcept
{
    if (count == 3)
        return { MessageKind::Envelope, 0 };
    if (count >= 4 && sizeOf(EnvelopeLayout::delimiterIndex(count)) == 0)
        return { MessageKind::RoutedEnvelope, EnvelopeLayout::delimiterIndex(count) };
    return { MessageKind::Raw, 0 };
}

struct EnvelopeParseResult;

/// How an envelope's frames go onto the wire of a socket (DESIGN.md section 3).
enum class EnvelopeFraming
{
    Plain, ///< transferObject() as it is: [request frames, ""] id, mimetype, body
    ReqCompatible, ///< an empty delimiter frame first, as a REQ socket puts it on the wire
};

/**
 * The framing envelopes get on a socket type unless the user asks otherwise: ReqCompatible on
 * DEALER, Plain on every other type (a REQ adds the delimiter itself; the others have no
 * request-reply envelope). Dploy's own clients are REQ, so a ROUTER service written with the
 * original library (Envelope.from_raw, response_envelope) takes the frames before the one that
 * precedes the id as request frames: without the delimiter it takes none, and its reply loses
 * the routing id and never arrives.
 */
[[nodiscard]] EnvelopeFraming defaultEnvelopeFraming(SocketType type) noexcept;

/// An envelope's transfer object framed for sending: for ReqCompatible an empty frame goes first.
[[nodiscard]] Frames withEnvelopeFraming(Frames transferObject, EnvelopeFraming framing);

/**
 * Dploy's message envelope: optional request (routing) frames, then id,
 * mimetype and body, as one multipart message:
 *
 *     [request frame 1 .. request frame k, ""]   (only when k > 0)
 *     id, mimetype, body
 *
 * A value type holding bytes, not text.
 */
class Envelope
{
public:
    /// How a multipart message classifies (DESIGN.md section 3).
    using Kind = MessageKind;
    /// The result of parse(): the classification, the envelope when it is one, and why not when it is not.
    using ParseResult = EnvelopeParseResult;

    Envelope() = default;
    Envelope(QByteArray id, QByteArray mimetype, QByteArray data, Frames requestFrames = {});

    /// The preferred way to build an envelope, argument order as the seed's Envelope.new.
    [[nodiscard]] static Envelope create(
        QByteArray mimetype, QByteArray data, QByteArray id = {}, Frames requestFrames = {});

    /// Strict parse: throws ErrorCode::NotAnEnvelope, with the reason and the frames, for raw messages.
    [[nodiscard]] static Envelope fromRaw(const Frames &frames);
    /// Non-throwing classification of any multipart message.
    [[nodiscard]] static ParseResult parse(const Frames &frames);

    /// The frames to send: request frames and the delimiter only when there are request frames.
    [[nodiscard]] Frames transferObject() const;
    /// The frames to send with `framing` (see defaultEnvelopeFraming()).
    [[nodiscard]] Frames transferObject(EnvelopeFraming framing) const;

    /// A reply that keeps the request frames and, unless given, the id.
    [[nodiscard]] Envelope responseEnvelope(
        QByteArray mimetype, QByteArray data, std::optional<QByteArray> id = std::nullopt) const;

    [[nodiscard]] const QByteArray &id() const noexcept { return m_id; }
    [[nodiscard]] const QByteArray &mimetype() const noexcept { return m_mimetype; }
    [[nodiscard]] const QByteArray &data() const noexcept { return m_data; }
    [[nodiscard]] const Frames &requestFrames() const noexcept { return m_requestFrames; }

    void setId(QByteArray id) { m_id = std::move(id); }
    void setMimetype(QByteArray mimetype) { m_mimetype = std::move(mimetype); }
    void setData(QByteArray data) { m_data = std::move(data); }
    void setRequestFrames(Frames frames) { m_requestFrames = std::move(frames); }

    friend bool operator==(const Envelope &, const Envelope &) = default;

private:
    QByteArray m_id;
    QByteArray m_mimetype;
    QByteArray m_data;
    Frames m_requestFrames;
};

/// What Envelope::parse() found.
struct EnvelopeParseResult
{
    MessageKind kind = MessageKind::Raw;
    std::optional<Envelope> envelope; ///< set for Envelope and RoutedEnvelope
    QString reason; ///< empty for envelopes; for raw messages, what was found instead
    [[nodiscard]] bool isEnvelope() const noexcept { return envelope.has_value(); }
};

/// Common mimetypes.
namespace mimetype {
inline constexpr char Text[] = "text/plain";
inline constexpr char Json[] = "application/json";
inline constexpr char OctetStream[] = "application/octet-stream";
} // namespace mimetype

} // namespace zmqscope
