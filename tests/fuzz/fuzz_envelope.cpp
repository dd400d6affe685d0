#include <QByteArray>
#include <QString>

#include <zmqscope/capture/capture.h>
#include <zmqscope/envelope.h>

#include "fuzzcheck.h"
#include "fuzztargets.h"

using namespace Qt::StringLiterals;

namespace zmqscope::fuzz {

int envelopeTarget(const std::uint8_t *data, std::size_t size)
{
    // Frames: a length byte, then up to that many bytes (the last frame may be cut short).
    Frames frames;
    std::size_t pos = 0;
    while (pos < size) {
        const std::size_t length = data[pos++];
        const std::size_t take = std::min(length, size - pos);
        frames.append(QByteArray(reinterpret_cast<const char *>(data + pos), qsizetype(take)));
        pos += take;
    }

    const Envelope::ParseResult parsed = Envelope::parse(frames);
    ZMQSCOPE_FUZZ_CHECK(parsed.isEnvelope() == (parsed.kind != MessageKind::Raw));
    ZMQSCOPE_FUZZ_CHECK(parsed.isEnvelope() == parsed.reason.isEmpty());
    if (parsed.envelope) {
        // An envelope is exactly its frames again, and a reply keeps its route. The one exception is
        // documented: ["", id, mimetype, body] has no request frames, so the delimiter is not re-sent.
        if (parsed.kind == MessageKind::RoutedEnvelope && parsed.envelope->requestFrames().isEmpty())
            ZMQSCOPE_FUZZ_CHECK(frames.size() == 4 && parsed.envelope->transferObject() == frames.sliced(1));
        else
            ZMQSCOPE_FUZZ_CHECK(parsed.envelope->transferObject() == frames);
        ZMQSCOPE_FUZZ_CHECK(Envelope::fromRaw(frames) == *parsed.envelope);
        ZMQSCOPE_FUZZ_CHECK((parsed.kind == MessageKind::Envelope) == (frames.size() == 3));
        const Envelope reply = parsed.envelope->responseEnvelope("text/plain", "ok");
        ZMQSCOPE_FUZZ_CHECK(reply.requestFrames() == parsed.envelope->requestFrames());
        ZMQSCOPE_FUZZ_CHECK(reply.id() == parsed.envelope->id());
    } else {
        ZMQSCOPE_FUZZ_CHECK(!parsed.reason.contains(u'\n'));
        bool threw = false;
        try {
            (void)Envelope::fromRaw(frames);
        } catch (const Error &error) {
            threw = true;
            ZMQSCOPE_FUZZ_CHECK(error.code() == ErrorCode::NotAnEnvelope);
            ZMQSCOPE_FUZZ_CHECK(error.frames() == frames);
        }
        ZMQSCOPE_FUZZ_CHECK(threw);
    }

    // The capture line of these frames reads back byte-identical.
    CaptureRecord record;
    record.timestampUs = size > 0 ? std::int64_t(data[0]) * 1'000'003 : 0;
    record.socket = QString::fromUtf8(frames.value(0));
    record.type = u"SUB"_s;
    record.endpoint = QString::fromLatin1(frames.value(1));
    record.frames = frames;
    const QByteArray line = captureLine(record);
    ZMQSCOPE_FUZZ_CHECK(line.count('\n') == 1 && line.endsWith('\n'));
    const CaptureRecord back = parseCaptureLine(line);
    ZMQSCOPE_FUZZ_CHECK(back.frames == frames);
    ZMQSCOPE_FUZZ_CHECK(back.timestampUs == record.timestampUs);
    ZMQSCOPE_FUZZ_CHECK(back.socket == record.socket);
    ZMQSCOPE_FUZZ_CHECK(back.endpoint == record.endpoint);

    // The timestamp parser on the raw bytes: whatever it accepts formats and parses back the same.
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    if (const auto timestamp = parseCaptureTimestamp(text)) {
        if (const auto again = parseCaptureTimestamp(formatCaptureTimestamp(*timestamp)))
            ZMQSCOPE_FUZZ_CHECK(*again == *timestamp);
    }
    return 0;
}

} // namespace zmqscope::fuzz

#ifdef ZMQSCOPE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return zmqscope::fuzz::envelopeTarget(data, size);
}
#endif
