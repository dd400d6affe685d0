#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include <zmqscope/error.h>

namespace zmqscope {

/// The security mechanism a ZMTP 3.x greeting names.
enum class ZmtpMechanism
{
    Null,
    Plain,
    Curve,
    Unknown, ///< any other name; the Greeting event's commandName holds it as sent
};

/// "NULL", "PLAIN", "CURVE"; "unknown" for Unknown (the raw name is in the Greeting event).
[[nodiscard]] QString zmtpMechanismName(ZmtpMechanism mechanism);

/**
 * One thing a ZmtpStreamDecoder found in one direction of a ZMTP connection. Which fields a kind
 * fills (the others keep their defaults):
 * - Greeting: versionMajor, versionMinor, mechanism, asServer; commandName = the mechanism name as
 *   sent (NUL padding removed).
 * - Ready: commandName "READY", metadata (NULL and PLAIN; CURVE's READY is a CurveHandshake).
 * - PlainHello: commandName "HELLO", metadata = {("Username", name)}, size = the password's length;
 *   the password itself is never kept, detail says "password: N bytes, hidden".
 * - PlainWelcome: commandName "WELCOME". PlainInitiate: commandName "INITIATE", metadata.
 * - CurveHandshake: commandName HELLO, WELCOME, INITIATE or READY, size = the command's data bytes.
 * - Subscribe, Cancel: topic (the ZMTP 3.1 commands; 3.0's subscription messages are Messages).
 * - Ping: size = TTL in deciseconds, topic = context. Pong: topic = context.
 * - Error: detail = the reason as plain text (textescape), topic = its bytes.
 * - Message: frames (MORE honoured), size = the bytes of all frames.
 * - Encrypted: one CURVE MESSAGE, i.e. one frame of the peer's (its MORE flag is encrypted too):
 *   commandName "MESSAGE", size = the frame's plaintext bytes (the MESSAGE's data less its 8-byte
 *   nonce, 16-byte MAC and flags byte); nothing of it is decoded or kept. libzmq 4.3.4 sends
 *   MESSAGE as an ordinary frame whose body starts with "\x07MESSAGE"; a command frame is taken too.
 * - Command: commandName as sent, size = its data bytes.
 * - Problem: detail, one line: an unsupported version, not ZMTP, bad flags, lost bytes,
 *   resynchronisation, a frame over the limit, a malformed command; from finish(), the end of the
 *   stream inside a greeting, frame or message, with size = the bytes left undecoded.
 */
struct ZmtpEvent
{
    enum class Kind
    {
        Greeting,
        Ready,
        PlainHello,
        PlainWelcome,
        PlainInitiate,
        CurveHandshake,
        Subscribe,
        Cancel,
        Ping,
        Pong,
        Error,
        Message,
        Encrypted,
        Command,
        Problem,
    };
    Kind kind = Kind::Problem;
    std::int64_t timestampUs = 0; ///< of the feed() that completed the event
    int versionMajor = 0;
    int versionMinor = 0;
    ZmtpMechanism mechanism = ZmtpMechanism::Null;
    bool asServer = false;
    QByteArray commandName;
    QList<QPair<QByteArray, QByteArray>>
        metadata; ///< properties in wire order ("Socket-Type", "Identity", ...)
    QByteArray topic;
    Frames frames;
    std::uint64_t size = 0;
    QString detail;

    friend bool operator==(const ZmtpEvent &, const ZmtpEvent &) = default;
};

/**
 * Decodes one direction of a ZMTP 3.0/3.1 connection (RFC 23, RFC 37; PLAIN RFC 24, CURVE RFC 26)
 * from its bytes, fed in pieces of any size: one byte at a time gives the same events as all at once.
 *
 * Memory is bounded: only the current frame and the earlier frames of the current message are
 * held (CURVE MESSAGE bodies not even that), and while resynchronising at most two frames' worth.
 * A frame over Limits::maxFrameBytes or a message over maxMessageBytes is a Problem and the stream
 * goes Failed without buffering it.
 *
 * Resynchronisation after gap() or joinMidStream(): the decoder looks for a position where five
 * consecutive non-empty frames parse (up to 16 with the empty ones): valid flags, sizes within the
 * limits, a LONG size above 255, a command named as ZMTP 3.x defines (READY, PING, SUBSCRIBE, ...),
 * under CURVE (or once one frame is a CURVE MESSAGE) every frame a MESSAGE, the frames before the
 * last within 1 MiB. It decodes from there; messages start after the first frame without MORE.
 * Each resynchronisation is a Problem that says how many bytes were skipped. After a mid-stream
 * join the mechanism is unknown: a frame that starts with CURVE's MESSAGE name is Encrypted, a
 * READY whose metadata parses is Ready.
 *
 * Not thread-safe; events are delivered from within feed() and gap().
 */
class ZmtpStreamDecoder
{
public:
    struct Limits
    {
        std::uint64_t maxFrameBytes = 256ull << 20;
        std::uint64_t maxMessageBytes = 1ull << 30;
    };
    using Handler = std::function<void(const ZmtpEvent &)>;

    explicit ZmtpStreamDecoder(Handler handler);
    ZmtpStreamDecoder(Handler handler, Limits limits);

    /// The stream starts at its first byte (the greeting is expected; anything else -> not ZMTP).
    void feed(QByteArrayView bytes, std::int64_t timestampUs);
    /// `missing` bytes were lost: a Problem, the partial message and frame are dropped, and the
    /// decoder resynchronises on the bytes that follow.
    void gap(std::uint64_t missing, std::int64_t timestampUs);
    /// The capture joined this stream after its start: no greeting will come; find frame boundaries.
    /// Call before the first feed().
    void joinMidStream();
    /// The stream ended (FIN, RST or the end of the capture): a greeting, frame or message it cut,
    /// or bytes still being scanned for a resynchronisation point, are reported as one Problem whose
    /// size is the number of bytes left undecoded, never dropped in silence. Nothing at a boundary,
    /// nothing after NotZmtp or Failed. Later feed(), gap() and finish() calls are ignored.
    void finish(std::int64_t timestampUs);

    enum class State
    {
        Greeting,
        Handshake,
        Traffic,
        Resynchronising,
        NotZmtp,
        Failed,
    };
    [[nodiscard]] State state() const { return m_state; }
    /// Whether the bytes so far can be a ZMTP 3.x stream: a greeting prefix (signature 0xFF,
    /// 8 bytes, 0x7F, version byte >= 3), or any bytes after joinMidStream(). False means not
    /// ZeroMQ (or ZMTP 1.0/2.0); nothing more is decoded.
    [[nodiscard]] bool isZmtp() const { return m_state != State::NotZmtp; }
    [[nodiscard]] ZmtpMechanism mechanism() const { return m_mechanism; }
    /// The resynchronisation scan's work so far, for tests that hold it to linear work.
    struct ScanWork
    {
        /// Bytes copied into the scan buffer: each byte fed while resynchronising once, whatever
        /// false starts the scan makes.
        std::uint64_t bufferedBytes = 0;
        /// Frame headers examined: a candidate's frames found good are not examined again when more
        /// bytes come, so about one per feed and one per frame of each candidate.
        std::uint64_t frameChecks = 0;
    };
    [[nodiscard]] ScanWork scanWork() const { return m_scanWork; }

private:
    enum class FrameStep
    {
        Flags,
        Size,
        Body,
    };
    enum class Candidate
    {
        Valid,
        Invalid,
        NeedMore,
    };

    void consume(QByteArrayView input);
    qsizetype consumeGreeting(QByteArrayView input);
    void decideGreetingPrefix();
    void finishGreeting();
    qsizetype consumeFrames(QByteArrayView input);
    bool checkFrameSize(); ///< false (and Failed) when the frame or its message is over the limits
    bool startBody();
    [[nodiscard]] QByteArray frameBuffer(QByteArrayView bytes);
    [[nodiscard]] bool isCurveMessageStart(QByteArrayView body) const;
    void finishFrame();
    void handleCommand(QByteArrayView body);
    void handleMessageFrame();
    void emitMetadataCommand(ZmtpEvent::Kind kind, QByteArrayView name, QByteArrayView data);
    bool scanForSync();
    void decodeHeldBytes();
    Candidate checkCandidate(QByteArrayView bytes);
    Candidate checkFrameAt(QByteArrayView bytes, qsizetype at, qsizetype &next, bool &curveMessage) const;
    void startResync();
    void resetFrame();
    void fail(const QString &problem);
    void problem(const QString &detail);
    void emitEvent(ZmtpEvent &event);

    Handler m_handler;
    Limits m_limits;
    std::int64_t m_timestampUs = 0;

    QByteArray m_greeting;

    std::array<char, 8> m_sizeBytes {}; ///< the size field as read so far (no allocation per frame)
    qsizetype m_sizeHave = 0;
    std::uint64_t m_frameSize = 0;
    std::uint64_t m_bodyDone = 0;
    QByteArray m_body;
    /// The current message's frames at [0, m_frameCount); after them, buffers of an earlier message's
    /// frames that frameBuffer() reuses.
    Frames m_messageFrames;
    qsizetype m_frameCount = 0;
    static constexpr qsizetype kReusedFrameBytes = 64 << 10;
    std::uint64_t m_messageBytes = 0;
    std::uint64_t m_messageWireBytes = 0; ///< the current message's whole frames with their headers
    ZmtpEvent m_messageEvent; ///< every Message event, reused (kind, frames and size change)

    // Resynchronisation: the scan's bytes from m_scanFrom on (those before it were decoded in place
    // after a false start); the next candidate is at m_scanStart; m_skipped counts the ruled-out
    // bytes already dropped from m_scan.
    QByteArray m_scan;
    qsizetype m_scanFrom = 0;
    qsizetype m_scanStart = 0;
    std::uint64_t m_skipped = 0;
    /// How far the candidate at m_scanStart has been found good: it resumes there when more bytes
    /// come instead of walking its frames again (offsets from m_scanStart).
    struct CandidateProgress
    {
        qsizetype at = 0;
        int frames = 0;
        int withBytes = 0;
        int curveMessages = 0;
    };
    CandidateProgress m_candidate;
    ScanWork m_scanWork;
    // The small state together, so the class is not padded between its larger members.
    State m_state = State::Greeting;
    ZmtpMechanism m_mechanism = ZmtpMechanism::Unknown;
    FrameStep m_step = FrameStep::Flags;
    int m_versionMajor = 0;
    int m_versionMinor = 0;
    quint8 m_flags = 0;
    bool m_mechanismKnown = false;
    bool m_skipBody = false; ///< a CURVE MESSAGE: counted, not kept
    bool m_finished = false;
    bool m_decodingHeld = false; ///< decodeHeldBytes() runs: m_scan is the input, not to be cleared
    bool m_joined = false;
    bool m_dropUntilMessageEnd = false; ///< after a resync: frames of a message whose start was missed
    bool m_resumeInTraffic = false; ///< the state to resynchronise into: Traffic, or Handshake
};

} // namespace zmqscope
