#include <QByteArray>
#include <QList>

#include <zmqscope/capture/zmtpdecoder.h>

#include "fuzzcheck.h"
#include "fuzztargets.h"

namespace zmqscope::fuzz {

namespace {

using State = ZmtpStreamDecoder::State;

// Small limits, so that inputs of a few KiB reach them.
ZmtpStreamDecoder::Limits fuzzLimits()
{
    ZmtpStreamDecoder::Limits limits;
    limits.maxFrameBytes = 2048;
    limits.maxMessageBytes = 4096;
    return limits;
}

struct Run
{
    /// The events as they came; with `expected`, none are kept: each is compared with the expected
    /// one as it comes (storing every run's events was much of the target's cost).
    QList<ZmtpEvent> events;
    const QList<ZmtpEvent> *expected = nullptr;
    qsizetype count = 0;
    ZmtpEvent::Kind lastKind = ZmtpEvent::Kind::Problem;
    std::uint64_t lastSize = 0;
    State state = State::Greeting;
    bool isZmtp = true;
};

/// Checks what holds for every event whatever the input, as each one arrives.
class Checker
{
public:
    explicit Checker(Run &run)
        : m_run(run)
    { }

    void operator()(const ZmtpEvent &event) const
    {
        ZMQSCOPE_FUZZ_CHECK(!event.detail.contains(QLatin1Char('\n')));
        if (event.kind == ZmtpEvent::Kind::Message) {
            ZMQSCOPE_FUZZ_CHECK(!event.frames.isEmpty());
            std::uint64_t total = 0;
            for (const QByteArray &frame : event.frames) {
                ZMQSCOPE_FUZZ_CHECK(std::uint64_t(frame.size()) <= fuzzLimits().maxFrameBytes);
                total += std::uint64_t(frame.size());
            }
            ZMQSCOPE_FUZZ_CHECK(total == event.size && total <= fuzzLimits().maxMessageBytes);
        }
        if (event.kind == ZmtpEvent::Kind::Greeting)
            ZMQSCOPE_FUZZ_CHECK(m_run.count == 0 && event.versionMajor >= 3);
        if (m_run.expected)
            ZMQSCOPE_FUZZ_CHECK(
                m_run.count < m_run.expected->size() && m_run.expected->at(m_run.count) == event);
        else
            m_run.events.append(event);
        ++m_run.count;
        m_run.lastKind = event.kind;
        m_run.lastSize = event.size;
    }

private:
    Run &m_run;
};

/// Ends the stream: at most one Problem that counts bytes that were fed, and nothing after it.
void endStream(Run &run, ZmtpStreamDecoder &decoder, std::uint64_t fed)
{
    const qsizetype before = run.count;
    decoder.finish(1);
    ZMQSCOPE_FUZZ_CHECK(run.count <= before + 1);
    if (run.count == before + 1)
        ZMQSCOPE_FUZZ_CHECK(
            run.lastKind == ZmtpEvent::Kind::Problem && run.lastSize > 0 && run.lastSize <= fed);
    decoder.finish(2);
    decoder.feed(QByteArrayView("\x00\x01x", 3), 3);
    decoder.gap(1, 4);
    ZMQSCOPE_FUZZ_CHECK(run.count <= before + 1);
}

void finish(Run &run, const ZmtpStreamDecoder &decoder)
{
    run.state = decoder.state();
    run.isZmtp = decoder.isZmtp();
    ZMQSCOPE_FUZZ_CHECK(run.isZmtp == (run.state != State::NotZmtp));
}

struct Plan
{
    QList<qsizetype> cuts; ///< where the pieces end (ascending)
    bool joined = false;
    bool end = true; ///< end the stream after the last piece
    qsizetype gapAt = -1; ///< where a gap of `missing` bytes comes; -1: none
    qsizetype missing = 0;
    const QList<ZmtpEvent> *expected = nullptr; ///< the events must be these, or begin with them
    bool prefixOfExpected = false;
};

/// Feeds `bytes` as `plan` says.
Run decode(QByteArrayView bytes, const Plan &plan)
{
    const qsizetype gapAt = plan.gapAt;
    const qsizetype missing = plan.missing;
    Run run;
    run.expected = plan.expected;
    ZmtpStreamDecoder decoder(Checker(run), fuzzLimits());
    if (plan.joined)
        decoder.joinMidStream();
    qsizetype from = 0;
    std::uint64_t fed = 0;
    bool gapDone = false;
    const auto gapHere = [&] {
        if (gapDone || from != gapAt)
            return;
        gapDone = true;
        const qsizetype before = run.count;
        const State state = decoder.state();
        decoder.gap(std::uint64_t(missing), 0);
        // A gap is never passed over in silence, and a finished stream stays finished.
        if (state == State::NotZmtp || state == State::Failed)
            ZMQSCOPE_FUZZ_CHECK(run.count == before && decoder.state() == state);
        else
            ZMQSCOPE_FUZZ_CHECK(run.count == before + 1 && decoder.state() == State::Resynchronising);
        from += missing;
    };
    for (qsizetype cut : plan.cuts) {
        gapHere();
        if (cut > from) {
            const State before = decoder.state();
            const qsizetype eventsBefore = run.count;
            decoder.feed(bytes.sliced(from, cut - from), 0);
            fed += std::uint64_t(cut - from);
            if (before == State::NotZmtp || before == State::Failed)
                ZMQSCOPE_FUZZ_CHECK(run.count == eventsBefore && decoder.state() == before);
            from = cut;
        }
    }
    gapHere(); // a gap at the very end
    finish(run, decoder);
    if (plan.end)
        endStream(run, decoder, fed);
    if (run.expected)
        ZMQSCOPE_FUZZ_CHECK(
            plan.prefixOfExpected ? run.count <= run.expected->size() : run.count == run.expected->size());
    return run;
}

} // namespace

int zmtpDecoderTarget(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::uint8_t mode = data[0];
    const QByteArrayView bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const qsizetype length = bytes.size();
    const bool joined = (mode & 0x03) == 3;
    // Cut points from a small generator seeded by the mode byte: the same input, the same pieces.
    std::uint32_t seed = 0x9e3779b9u ^ mode;
    const auto next = [&seed](qsizetype bound) {
        seed = seed * 1664525u + 1013904223u;
        return bound <= 0 ? qsizetype(0) : qsizetype((seed >> 8) % std::uint32_t(bound));
    };
    QList<qsizetype> cuts;
    for (qsizetype at = 0; at < length;) {
        at = std::min(length, at + 1 + next((mode & 0x04) ? 3 : 300));
        cuts.append(at);
    }
    if (cuts.isEmpty())
        cuts.append(0);

    const Run whole = decode(bytes, { .cuts = { length }, .joined = joined });
    // Any split gives the same events and ends in the same state.
    const Run pieces = decode(bytes, { .cuts = cuts, .joined = joined, .expected = &whole.events });
    ZMQSCOPE_FUZZ_CHECK(pieces.state == whole.state);

    if ((mode & 0x03) == 2 && length > 0) {
        // A gap at one of the cut points: up to there the events are the whole stream's.
        const qsizetype gapAt = cuts.value(next(cuts.size()));
        const qsizetype missing = std::min<qsizetype>(length - gapAt, next(64));
        const Run gappedWhole
            = decode(bytes, { .cuts = { gapAt, length }, .gapAt = gapAt, .missing = missing });
        // With a gap too, the pieces do not matter: the same as the bytes before and after it whole.
        decode(bytes, { .cuts = cuts, .gapAt = gapAt, .missing = missing, .expected = &gappedWhole.events });
        decode(bytes.first(gapAt),
            { .cuts = { gapAt }, .end = false, .expected = &gappedWhole.events, .prefixOfExpected = true });
    }
    return 0;
}

} // namespace zmqscope::fuzz

#ifdef ZMQSCOPE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return zmqscope::fuzz::zmtpDecoderTarget(data, size);
}
#endif
