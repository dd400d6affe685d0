// ZmtpStreamDecoder's resynchronisation: after a gap, or in a connection joined mid-stream, the
// decoder holds bytes and scans them for a point where several consecutive frames parse, then
// decodes from there.

#include <algorithm>
#include <cstring>

#include <zmqscope/capture/zmtpdecoder.h>

#include "zmtpwire_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

using namespace zmtpwire;

namespace {

// A resynchronisation point is where this many consecutive frames parse. Two are not enough: in
// CURVE ciphertext (random bytes) a false pair turns up about once in 10 KB; five about once in
// 30 GB. The frames before the last one must fit the window, so scanning holds at most about this
// much (a real frame that is bigger is skipped and a later one taken instead).
constexpr int kResyncFrames = 5;
constexpr int kResyncMaxFrames = 16;
constexpr std::uint64_t kResyncWindow = 1 << 20;

// The commands ZMTP 3.x and its mechanisms define: while resynchronising, a command frame must be
// one of them (a random byte string is rarely a printable name, but a one-letter name not rarely
// enough). Once in step, any name is decoded.
bool knownCommandName(QByteArrayView name)
{
    static constexpr QByteArrayView names[] = { "READY", "ERROR", "SUBSCRIBE", "CANCEL", "PING", "PONG",
        "HELLO", "WELCOME", "INITIATE", "MESSAGE" };
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

} // namespace

// ---- resynchronisation ---------------------------------------------------------------------------

void ZmtpStreamDecoder::startResync()
{
    if (m_state != State::Resynchronising)
        m_resumeInTraffic = m_state == State::Traffic;
    resetFrame();
    m_messageFrames.clear();
    m_frameCount = 0;
    m_messageBytes = 0;
    m_messageWireBytes = 0;
    m_dropUntilMessageEnd = false;
    m_state = State::Resynchronising;
    if (m_decodingHeld)
        return; // decodeHeldBytes() scans on from the byte that stopped it
    m_skipped += std::uint64_t(m_scan.size() - m_scanFrom); // ruled out or not, none of it was decoded
    m_scan.clear();
    m_scanFrom = 0;
    m_scanStart = 0;
    m_candidate = {};
}

ZmtpStreamDecoder::Candidate ZmtpStreamDecoder::checkFrameAt(
    QByteArrayView bytes, qsizetype at, qsizetype &next, bool &curveMessage) const
{
    if (at >= bytes.size())
        return Candidate::NeedMore;
    const quint8 flags = quint8(bytes[at]);
    if (!validFlags(flags))
        return Candidate::Invalid;
    const qsizetype sizeBytes = (flags & kLong) ? 8 : 1;
    if (at + 1 + sizeBytes > bytes.size())
        return Candidate::NeedMore;
    const std::uint64_t size = readBigEndian(bytes.sliced(at + 1, sizeBytes));
    if (size > m_limits.maxFrameBytes || ((flags & kLong) && size < 256))
        return Candidate::Invalid;
    if (!(flags & kCommand) && size > m_limits.maxMessageBytes)
        return Candidate::Invalid;
    const qsizetype bodyAt = at + 1 + sizeBytes;
    const bool curve = m_mechanismKnown && m_mechanism == ZmtpMechanism::Curve;
    if ((flags & kCommand) || curve) {
        // A command (and under CURVE every frame) starts with a printable name.
        if (size < 2)
            return Candidate::Invalid;
        if (bodyAt + 1 > bytes.size())
            return Candidate::NeedMore;
        const qsizetype nameLength = quint8(bytes[bodyAt]);
        if (std::uint64_t(nameLength) + 1 > size)
            return Candidate::Invalid;
        if (bodyAt + 1 + nameLength > bytes.size())
            return Candidate::NeedMore;
        if (!knownCommandName(bytes.sliced(bodyAt + 1, nameLength)))
            return Candidate::Invalid;
        if (curve && !(flags & kCommand) && bytes.sliced(bodyAt, nameLength + 1) != kCurveMessagePrefix)
            return Candidate::Invalid;
    }
    curveMessage = false;
    if (!(flags & kMore) && size >= std::uint64_t(kCurveMessagePrefix.size())) {
        if (bodyAt + kCurveMessagePrefix.size() > bytes.size())
            return Candidate::NeedMore;
        curveMessage = bytes.sliced(bodyAt, kCurveMessagePrefix.size()) == kCurveMessagePrefix;
    }
    // Past the window is as good as anywhere past it (and no overflow with any limit).
    next = bodyAt + qsizetype(std::min<std::uint64_t>(size, kResyncWindow + 1));
    return Candidate::Valid;
}

ZmtpStreamDecoder::Candidate ZmtpStreamDecoder::checkCandidate(QByteArrayView bytes)
{
    // kResyncFrames consecutive frames that hold bytes must parse (empty frames prove little: the
    // zeros of a CURVE nonce look like a row of them), or kResyncMaxFrames frames of any size. The
    // frames before the last are held whole while the next ones are checked, so together they have
    // to fit the window. The frames found good so far are remembered in m_candidate: when more
    // bytes come, the check resumes at the frame that needed them (walking the candidate's frames
    // again on every small feed multiplied the scan's work by up to kResyncMaxFrames).
    CandidateProgress &progress = m_candidate;
    while (progress.frames < kResyncMaxFrames && progress.withBytes < kResyncFrames) {
        if (std::uint64_t(progress.at) > kResyncWindow)
            return Candidate::Invalid;
        qsizetype next = 0;
        bool curveMessage = false;
        ++m_scanWork.frameChecks;
        const Candidate candidate = checkFrameAt(bytes, progress.at, next, curveMessage);
        if (candidate != Candidate::Valid)
            return candidate;
        // After a CURVE handshake every frame is a MESSAGE: a row that mixes them with other frames
        // began inside ciphertext and only ran into real frames.
        progress.curveMessages += curveMessage ? 1 : 0;
        if (progress.curveMessages > 0 && progress.curveMessages != progress.frames + 1)
            return Candidate::Invalid;
        const bool empty = next == progress.at + 2; // a short frame of 0 bytes
        progress.withBytes += empty ? 0 : 1;
        progress.at = next;
        ++progress.frames;
    }
    return Candidate::Valid;
}

bool ZmtpStreamDecoder::scanForSync()
{
    for (;;) {
        const QByteArrayView rest = QByteArrayView(m_scan).sliced(m_scanStart);
        if (rest.isEmpty())
            break;
        const Candidate candidate = checkCandidate(rest);
        if (candidate == Candidate::NeedMore)
            break;
        m_candidate = {}; // decided: the next position starts afresh
        if (candidate == Candidate::Valid) {
            const std::uint64_t skipped
                = std::exchange(m_skipped, 0) + std::uint64_t(m_scanStart - m_scanFrom);
            m_state = m_joined || m_resumeInTraffic ? State::Traffic : State::Handshake;
            m_dropUntilMessageEnd = true;
            problem((m_joined ? u"joined mid-stream: resynchronised after %1 bytes"_s
                              : u"resynchronised after %1 bytes"_s)
                        .arg(skipped));
            m_joined = false;
            return true;
        }
        ++m_scanStart;
    }
    // Keep the unexamined rest only; what was ruled out is counted.
    if (m_scanStart > 0 && (m_scanStart >= m_scan.size() / 2 || m_scanStart > 65536)) {
        m_skipped += std::uint64_t(m_scanStart - m_scanFrom);
        m_scan.remove(0, m_scanStart);
        m_scanFrom = 0;
        m_scanStart = 0;
    }
    return false;
}

void ZmtpStreamDecoder::decodeHeldBytes()
{
    // The held bytes from the resynchronisation point on are decoded where they lie. A false start
    // (bad flags a few frames on) resumes the scan at that byte in the same buffer: copying the rest
    // out for every false start made a long scan quadratic.
    m_decodingHeld = true;
    qsizetype at = m_scanStart;
    while (at < m_scan.size() && (m_state == State::Handshake || m_state == State::Traffic))
        at += consumeFrames(QByteArrayView(m_scan).sliced(at));
    m_decodingHeld = false;
    if (m_state == State::Resynchronising && at <= m_scan.size()) {
        m_scanFrom = at;
        m_scanStart = at;
        m_candidate = {};
        return;
    }
    m_scan.clear();
    m_scanFrom = 0;
    m_scanStart = 0;
    m_candidate = {};
}

} // namespace zmqscope
