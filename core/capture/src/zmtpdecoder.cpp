// ZmtpStreamDecoder: one direction of a ZMTP 3.x connection, from bytes to frames, messages and
// commands: the greeting, frame and command steps of the decoder's state machine. Finding the frame
// structure again after a gap (the resynchronisation scan) is in zmtpresync.cpp; what both read of
// the wire format is in zmtpwire_p.h.

#include <algorithm>
#include <cstring>
#include <utility>

#include <zmqscope/capture/zmtpdecoder.h>
#include <zmqscope/textescape.h>

#include "zmtpwire_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

using namespace zmtpwire;

namespace {

constexpr qsizetype kGreetingBytes = 64;
constexpr qsizetype kSignatureBytes = 10; // 0xFF, 8 bytes of padding, 0x7F
constexpr qsizetype kMechanismOffset = 12;
constexpr qsizetype kMechanismBytes = 20;
constexpr qsizetype kAsServerOffset = 32;

QString plain(QByteArrayView bytes)
{
    textescape::EscapeOptions options;
    options.maxBytes = 200;
    return textescape::escape(bytes, options);
}

QString hexByte(quint8 byte)
{
    return u"0x%1"_s.arg(byte, 2, 16, QLatin1Char('0'));
}

// READY/INITIATE metadata: name-length byte, name, 4-byte value length, value; repeated.
// Returns the properties read and, when the data is malformed, where.
QList<QPair<QByteArray, QByteArray>> parseMetadata(QByteArrayView data, qsizetype &badAt)
{
    QList<QPair<QByteArray, QByteArray>> properties;
    qsizetype pos = 0;
    badAt = -1;
    while (pos < data.size()) {
        const qsizetype nameLength = quint8(data[pos]);
        if (nameLength == 0 || pos + 1 + nameLength + 4 > data.size()) {
            badAt = pos;
            break;
        }
        const QByteArrayView name = data.sliced(pos + 1, nameLength);
        const std::uint64_t valueLength = readBigEndian(data.sliced(pos + 1 + nameLength, 4));
        const qsizetype valueAt = pos + 1 + nameLength + 4;
        if (valueLength > std::uint64_t(data.size() - valueAt)) {
            badAt = pos;
            break;
        }
        properties.append({ name.toByteArray(), data.sliced(valueAt, qsizetype(valueLength)).toByteArray() });
        pos = valueAt + qsizetype(valueLength);
    }
    return properties;
}

} // namespace

QString zmtpMechanismName(ZmtpMechanism mechanism)
{
    switch (mechanism) {
    case ZmtpMechanism::Null:
        return u"NULL"_s;
    case ZmtpMechanism::Plain:
        return u"PLAIN"_s;
    case ZmtpMechanism::Curve:
        return u"CURVE"_s;
    case ZmtpMechanism::Unknown:
        break;
    }
    return u"unknown"_s;
}

ZmtpStreamDecoder::ZmtpStreamDecoder(Handler handler)
    : ZmtpStreamDecoder(std::move(handler), Limits())
{ }

ZmtpStreamDecoder::ZmtpStreamDecoder(Handler handler, Limits limits)
    : m_handler(std::move(handler))
    , m_limits(limits)
{ }

void ZmtpStreamDecoder::feed(QByteArrayView bytes, std::int64_t timestampUs)
{
    if (m_finished)
        return;
    m_timestampUs = timestampUs;
    consume(bytes);
}

void ZmtpStreamDecoder::joinMidStream()
{
    if (m_state != State::Greeting || !m_greeting.isEmpty())
        return; // only before the first byte: afterwards the greeting already decided
    m_joined = true;
    startResync();
}

void ZmtpStreamDecoder::gap(std::uint64_t missing, std::int64_t timestampUs)
{
    if (m_finished)
        return;
    m_timestampUs = timestampUs;
    switch (m_state) {
    case State::NotZmtp:
    case State::Failed:
        return;
    case State::Greeting:
        problem(
            u"%1 bytes lost in the greeting (after %2 of its 64 bytes); resynchronising"_s.arg(missing).arg(
                m_greeting.size()));
        break;
    case State::Resynchronising:
        problem(u"%1 bytes lost while resynchronising; %2 bytes before them skipped"_s.arg(missing).arg(
            m_skipped + std::uint64_t(m_scan.size() - m_scanFrom)));
        break;
    case State::Handshake:
    case State::Traffic: {
        QString dropped;
        const bool inFrame = m_step != FrameStep::Flags;
        if (inFrame && (m_flags & kCommand))
            dropped = u"; the command it cut is dropped"_s;
        else if (const qsizetype frames = m_frameCount + (inFrame ? 1 : 0); frames > 0)
            dropped = u"; the message it cut (%1 frames so far) is dropped"_s.arg(frames);
        problem(u"%1 bytes lost%2; resynchronising"_s.arg(missing).arg(dropped));
        break;
    }
    }
    startResync();
}

void ZmtpStreamDecoder::finish(std::int64_t timestampUs)
{
    if (m_finished)
        return;
    m_finished = true;
    m_timestampUs = timestampUs;
    std::uint64_t left = 0;
    QString where;
    switch (m_state) {
    case State::NotZmtp:
    case State::Failed:
        return;
    case State::Greeting:
        left = std::uint64_t(m_greeting.size());
        where = u"after %1 of the greeting's 64 bytes"_s.arg(left);
        break;
    case State::Resynchronising:
        left = m_skipped + std::uint64_t(m_scan.size() - m_scanFrom);
        where = m_joined ? u"before a frame boundary was found (joined mid-stream)"_s
                         : u"while resynchronising"_s;
        break;
    case State::Handshake:
    case State::Traffic: {
        // The frame being read: its flags byte, the size bytes so far and the body so far.
        std::uint64_t frameBytes = 0;
        if (m_step == FrameStep::Size)
            frameBytes = 1 + std::uint64_t(m_sizeHave);
        else if (m_step == FrameStep::Body)
            frameBytes = 1 + std::uint64_t(m_sizeHave) + m_bodyDone;
        left = m_messageWireBytes + frameBytes;
        const QString command = (m_flags & kCommand) ? u"command "_s : QString();
        if (m_step == FrameStep::Size)
            where = u"in a %1frame's header (after %2 of its %3 bytes)"_s.arg(command)
                        .arg(frameBytes)
                        .arg((m_flags & kLong) ? 9 : 2);
        else if (m_step == FrameStep::Body)
            where = u"%1 bytes into a %2-byte %3frame"_s.arg(m_bodyDone).arg(m_frameSize).arg(command);
        if (m_frameCount > 0)
            where = u"inside a message after %1 whole frames%2"_s.arg(m_frameCount)
                        .arg(where.isEmpty() ? QString() : u", "_s + where);
        break;
    }
    }
    if (left == 0)
        return;
    resetFrame();
    m_messageFrames.clear();
    m_frameCount = 0;
    m_messageBytes = 0;
    m_messageWireBytes = 0;
    m_scan.clear();
    m_scanFrom = 0;
    m_scanStart = 0;
    m_candidate = {};
    m_skipped = 0;
    ZmtpEvent event;
    event.kind = ZmtpEvent::Kind::Problem;
    event.size = left;
    event.detail = u"the stream ended %1: %2 bytes left undecoded"_s.arg(where).arg(left);
    emitEvent(event);
}

void ZmtpStreamDecoder::consume(QByteArrayView input)
{
    for (;;) {
        switch (m_state) {
        case State::Greeting:
            if (input.isEmpty())
                return;
            input = input.sliced(consumeGreeting(input));
            break;
        case State::Handshake:
        case State::Traffic:
            if (input.isEmpty())
                return;
            input = input.sliced(consumeFrames(input));
            break;
        case State::Resynchronising:
            if (!input.isEmpty()) {
                m_scan.append(input.data(), input.size());
                m_scanWork.bufferedBytes += std::uint64_t(input.size());
                input = {};
            }
            if (!scanForSync())
                return;
            decodeHeldBytes(); // then, after a false start, the scan goes on where it stopped
            break;
        case State::NotZmtp:
        case State::Failed:
            return;
        }
    }
}

// ---- the greeting --------------------------------------------------------------------------------

qsizetype ZmtpStreamDecoder::consumeGreeting(QByteArrayView input)
{
    const qsizetype take = std::min(input.size(), kGreetingBytes - m_greeting.size());
    const qsizetype before = m_greeting.size();
    m_greeting.append(input.data(), take);
    if (before < kSignatureBytes + 1)
        decideGreetingPrefix();
    if (m_state == State::Greeting && m_greeting.size() == kGreetingBytes)
        finishGreeting();
    return take;
}

void ZmtpStreamDecoder::decideGreetingPrefix()
{
    const qsizetype size = m_greeting.size();
    if (size >= 1 && quint8(m_greeting[0]) != 0xff) {
        m_state = State::NotZmtp;
        problem(
            u"not ZMTP: the stream starts with %1, a ZMTP greeting with 0xff"_s.arg(hexByte(m_greeting[0])));
        return;
    }
    if (size >= kSignatureBytes && quint8(m_greeting[kSignatureBytes - 1]) != 0x7f) {
        m_state = State::NotZmtp;
        problem(u"not ZMTP: byte 10 of the stream is %1, a ZMTP greeting has 0x7f there"_s.arg(
            hexByte(m_greeting[kSignatureBytes - 1])));
        return;
    }
    if (size >= kSignatureBytes + 1) {
        const int revision = quint8(m_greeting[kSignatureBytes]);
        if (revision < 3) {
            m_state = State::NotZmtp;
            problem(u"ZMTP %1 greeting (revision %2): not supported; only ZMTP 3.0 and 3.1 are decoded"_s
                        .arg(revision == 0 ? u"1.0"_s : u"2.0"_s)
                        .arg(revision));
        }
    }
}

void ZmtpStreamDecoder::finishGreeting()
{
    m_versionMajor = quint8(m_greeting[kSignatureBytes]);
    m_versionMinor = quint8(m_greeting[kSignatureBytes + 1]);
    QByteArray name = m_greeting.sliced(kMechanismOffset, kMechanismBytes);
    const qsizetype nul = name.indexOf('\0');
    if (nul >= 0)
        name.truncate(nul);
    if (name == "NULL")
        m_mechanism = ZmtpMechanism::Null;
    else if (name == "PLAIN")
        m_mechanism = ZmtpMechanism::Plain;
    else if (name == "CURVE")
        m_mechanism = ZmtpMechanism::Curve;
    else
        m_mechanism = ZmtpMechanism::Unknown;
    m_mechanismKnown = true;

    ZmtpEvent event;
    event.kind = ZmtpEvent::Kind::Greeting;
    event.versionMajor = m_versionMajor;
    event.versionMinor = m_versionMinor;
    event.mechanism = m_mechanism;
    event.asServer = m_greeting[kAsServerOffset] != 0;
    event.commandName = name;
    m_state = State::Handshake;
    emitEvent(event);
    if (m_mechanism == ZmtpMechanism::Unknown)
        problem(u"unknown security mechanism \"%1\": its commands are shown by name and size only"_s.arg(
            plain(name)));
}

// ---- frames --------------------------------------------------------------------------------------

qsizetype ZmtpStreamDecoder::consumeFrames(QByteArrayView input)
{
    qsizetype pos = 0;
    while (pos < input.size() && (m_state == State::Handshake || m_state == State::Traffic)) {
        switch (m_step) {
        case FrameStep::Flags: {
            const quint8 flags = quint8(input[pos]);
            if (!validFlags(flags)) {
                // Not consumed: the scan starts at this byte (and skips it).
                problem(
                    u"bad frame flags %1 (reserved bits set, or a command with MORE); resynchronising"_s.arg(
                        hexByte(flags)));
                startResync();
                return pos;
            }
            m_flags = flags;
            m_sizeHave = 0;
            ++pos;
            m_step = FrameStep::Size;
            // The common case: the size field and the whole body are in this input. The frame is then
            // taken in one piece, its body copied once into a buffer of its exact size.
            const qsizetype sizeLength = (flags & kLong) ? 8 : 1;
            if (input.size() - pos < sizeLength)
                break;
            const std::uint64_t size = readBigEndian(input.sliced(pos, sizeLength));
            if (size > std::uint64_t(input.size() - pos - sizeLength))
                break;
            pos += sizeLength;
            m_frameSize = size;
            if (!checkFrameSize())
                return pos;
            const QByteArrayView body = input.sliced(pos, qsizetype(size));
            pos += qsizetype(size);
            m_step = FrameStep::Body;
            m_bodyDone = size;
            m_skipBody = isCurveMessageStart(body);
            m_body = frameBuffer(m_skipBody ? body.first(kCurveMessagePrefix.size()) : body);
            finishFrame();
            break;
        }
        case FrameStep::Size: {
            const qsizetype need = (m_flags & kLong) ? 8 : 1;
            const qsizetype take = std::min(need - m_sizeHave, input.size() - pos);
            std::copy_n(input.data() + pos, take, m_sizeBytes.begin() + m_sizeHave);
            m_sizeHave += take;
            pos += take;
            if (m_sizeHave == need) {
                m_frameSize = readBigEndian(QByteArrayView(m_sizeBytes.data(), m_sizeHave));
                if (!startBody())
                    return pos;
            }
            break;
        }
        case FrameStep::Body: {
            const std::uint64_t left = m_frameSize - m_bodyDone;
            const qsizetype take
                = qsizetype(std::min<std::uint64_t>(left, std::uint64_t(input.size() - pos)));
            if (!m_skipBody) {
                m_body.append(input.data() + pos, take);
                // A CURVE MESSAGE is only counted: its name is enough.
                if (isCurveMessageStart(m_body)) {
                    m_skipBody = true;
                    m_body.truncate(kCurveMessagePrefix.size());
                }
            }
            m_bodyDone += std::uint64_t(take);
            pos += take;
            if (m_bodyDone == m_frameSize)
                finishFrame();
            break;
        }
        }
    }
    return pos;
}

bool ZmtpStreamDecoder::isCurveMessageStart(QByteArrayView body) const
{
    return (!m_mechanismKnown || m_mechanism == ZmtpMechanism::Curve) && !(m_flags & kMore)
        && body.startsWith(kCurveMessagePrefix);
}

bool ZmtpStreamDecoder::checkFrameSize()
{
    if (m_frameSize > m_limits.maxFrameBytes) {
        fail(u"a frame of %1 bytes is over the limit of %2 bytes; decoding stops"_s.arg(m_frameSize)
                 .arg(m_limits.maxFrameBytes));
        return false;
    }
    if (!(m_flags & kCommand) && m_frameSize > m_limits.maxMessageBytes - m_messageBytes) {
        fail(u"a message of more than %1 bytes is over the limit of %2 bytes; decoding stops"_s
                 .arg(m_messageBytes + m_frameSize)
                 .arg(m_limits.maxMessageBytes));
        return false;
    }
    return true;
}

bool ZmtpStreamDecoder::startBody()
{
    if (!checkFrameSize())
        return false;
    m_step = FrameStep::Body;
    m_bodyDone = 0;
    m_body.clear();
    m_skipBody = false;
    // Reserved as the bytes arrive, never from the size field alone.
    m_body.reserve(qsizetype(std::min<std::uint64_t>(m_frameSize, std::uint64_t(64) << 10)));
    if (m_frameSize == 0)
        finishFrame();
    return true;
}

void ZmtpStreamDecoder::resetFrame()
{
    m_step = FrameStep::Flags;
    m_sizeHave = 0;
    m_frameSize = 0;
    m_bodyDone = 0;
    if (!m_body.isNull()) // usually handed on already; clear() is a call into QtCore
        m_body.clear();
    m_skipBody = false;
}

void ZmtpStreamDecoder::finishFrame()
{
    // m_skipBody: the body started with CURVE's MESSAGE name, in a last frame, where CURVE may be spoken
    // (isCurveMessageStart() checked as the bytes came).
    if (m_skipBody) {
        m_step = FrameStep::Flags;
        m_dropUntilMessageEnd = false;
        m_state = State::Traffic;
        ZmtpEvent event;
        event.kind = ZmtpEvent::Kind::Encrypted;
        event.commandName = "MESSAGE";
        const std::uint64_t data = m_frameSize - std::uint64_t(kCurveMessagePrefix.size());
        if (m_frameSize < std::uint64_t(kCurveMessagePrefix.size()) + kCurveMessageOverhead) {
            event.kind = ZmtpEvent::Kind::Problem;
            event.detail
                = u"malformed CURVE MESSAGE: %1 bytes of data, shorter than its nonce, MAC and flags (%2)"_s
                      .arg(data)
                      .arg(kCurveMessageOverhead);
        } else {
            event.size = data - kCurveMessageOverhead;
            event.detail
                = u"encrypted frame of %1 bytes (MESSAGE of %2 bytes)"_s.arg(event.size).arg(m_frameSize);
        }
        resetFrame();
        emitEvent(event);
        return;
    }
    if (m_flags & kCommand) {
        const QByteArray body = std::exchange(m_body, {});
        resetFrame();
        m_dropUntilMessageEnd = false; // a command comes between messages
        handleCommand(body);
        return;
    }
    handleMessageFrame();
}

void ZmtpStreamDecoder::handleMessageFrame()
{
    const bool more = m_flags & kMore;
    m_messageBytes += m_frameSize;
    m_messageWireBytes += 1 + std::uint64_t((m_flags & kLong) ? 8 : 1) + m_frameSize;
    if (m_frameCount < m_messageFrames.size()) {
        m_messageFrames[m_frameCount] = std::exchange(m_body, {});
    } else {
        if (m_messageFrames.capacity() == 0)
            m_messageFrames.reserve(4); // most messages have a few frames: one allocation for the list
        m_messageFrames.append(std::exchange(m_body, {}));
    }
    ++m_frameCount;
    resetFrame();
    if (m_dropUntilMessageEnd) {
        if (!more) {
            problem(
                u"dropped the end of a message whose start was lost: %1 frames, %2 bytes"_s.arg(m_frameCount)
                    .arg(m_messageBytes));
            m_dropUntilMessageEnd = false;
            m_frameCount = 0;
            m_messageBytes = 0;
            m_messageWireBytes = 0;
        }
        return;
    }
    if (more)
        return;
    m_state = State::Traffic;
    // One event object for every message: only its frames and size change (a fresh ZmtpEvent is
    // 150 bytes to clear and free again, message after message).
    ZmtpEvent &event = m_messageEvent;
    event.kind = ZmtpEvent::Kind::Message;
    m_messageFrames.resize(m_frameCount); // buffers beyond this message's frames go
    m_frameCount = 0;
    event.frames = std::exchange(m_messageFrames, {});
    event.size = std::exchange(m_messageBytes, 0);
    m_messageWireBytes = 0;
    emitEvent(event);
    // The handler has seen the message. When it kept no reference to the list, the list and the frame
    // buffers nobody kept hold the next message (frameBuffer()): a reader that copies what it needs
    // (the store, the CLI) costs no allocation per frame.
    if (event.frames.isDetached())
        m_messageFrames = std::move(event.frames);
    event.frames = {};
}

QByteArray ZmtpStreamDecoder::frameBuffer(QByteArrayView bytes)
{
    if (m_frameCount < m_messageFrames.size()) {
        // The buffer of this frame's place in an earlier message: reused unless a reader still
        // holds it (then it is the reader's) or it is large (not kept for ever).
        QByteArray buffer = std::exchange(m_messageFrames[m_frameCount], {});
        if (buffer.isDetached() && buffer.capacity() <= kReusedFrameBytes) {
            if (buffer.size() != bytes.size()) // a call into QtCore; frames often keep their size
                buffer.resize(bytes.size());
            if (!bytes.isEmpty())
                std::memcpy(buffer.data(), bytes.data(), std::size_t(bytes.size()));
            return buffer;
        }
    }
    return bytes.toByteArray();
}

void ZmtpStreamDecoder::handleCommand(QByteArrayView body)
{
    if (body.isEmpty()) {
        problem(u"an empty command frame (no name)"_s);
        return;
    }
    const qsizetype nameLength = quint8(body[0]);
    if (nameLength == 0 || nameLength > body.size() - 1) {
        problem(u"malformed command: a name of %1 bytes in a frame of %2 bytes"_s.arg(nameLength)
                    .arg(body.size()));
        return;
    }
    const QByteArrayView name = body.sliced(1, nameLength);
    const QByteArrayView data = body.sliced(1 + nameLength);
    const bool plainMechanism = m_mechanismKnown && m_mechanism == ZmtpMechanism::Plain;
    const bool curveMechanism = m_mechanismKnown && m_mechanism == ZmtpMechanism::Curve;
    const bool handshakeCommand
        = name == "HELLO" || name == "WELCOME" || name == "INITIATE" || name == "READY";

    ZmtpEvent event;
    event.commandName = name.toByteArray();
    event.size = std::uint64_t(data.size());
    if (curveMechanism && handshakeCommand) {
        event.kind = ZmtpEvent::Kind::CurveHandshake;
        if (name == "INITIATE" || name == "READY") {
            m_state = State::Traffic;
        }
        emitEvent(event);
        return;
    }
    if (name == "READY" && !curveMechanism) {
        emitMetadataCommand(ZmtpEvent::Kind::Ready, name, data);
        return;
    }
    if (plainMechanism && name == "INITIATE") {
        emitMetadataCommand(ZmtpEvent::Kind::PlainInitiate, name, data);
        return;
    }
    if (plainMechanism && name == "WELCOME") {
        event.kind = ZmtpEvent::Kind::PlainWelcome;
        emitEvent(event);
        return;
    }
    if (plainMechanism && name == "HELLO") {
        // username length, username, password length, password (RFC 24)
        const qsizetype userLength = data.isEmpty() ? -1 : quint8(data[0]);
        const qsizetype passwordAt = 1 + userLength;
        if (userLength < 0 || passwordAt >= data.size()
            || quint8(data[passwordAt]) != data.size() - passwordAt - 1) {
            problem(u"malformed PLAIN HELLO (%1 bytes of data)"_s.arg(data.size()));
            return;
        }
        event.kind = ZmtpEvent::Kind::PlainHello;
        event.metadata.append({ "Username", data.sliced(1, userLength).toByteArray() });
        event.size = quint8(data[passwordAt]);
        event.detail = u"password: %1 bytes, hidden"_s.arg(event.size);
        emitEvent(event);
        return;
    }
    if (name == "SUBSCRIBE" || name == "CANCEL") {
        event.kind = name == "SUBSCRIBE" ? ZmtpEvent::Kind::Subscribe : ZmtpEvent::Kind::Cancel;
        event.topic = data.toByteArray();
        emitEvent(event);
        return;
    }
    if (name == "PING") {
        if (data.size() < 2) {
            problem(u"malformed PING: %1 bytes of data, a 2-byte TTL expected"_s.arg(data.size()));
            return;
        }
        event.kind = ZmtpEvent::Kind::Ping;
        event.size = readBigEndian(data.first(2));
        event.topic = data.sliced(2).toByteArray();
        emitEvent(event);
        return;
    }
    if (name == "PONG") {
        event.kind = ZmtpEvent::Kind::Pong;
        event.size = 0;
        event.topic = data.toByteArray();
        emitEvent(event);
        return;
    }
    if (name == "ERROR") {
        const qsizetype reasonLength = data.isEmpty() ? -1 : quint8(data[0]);
        if (reasonLength < 0 || reasonLength != data.size() - 1) {
            problem(u"malformed ERROR (%1 bytes of data)"_s.arg(data.size()));
            return;
        }
        event.kind = ZmtpEvent::Kind::Error;
        event.topic = data.sliced(1).toByteArray();
        event.detail = plain(event.topic);
        emitEvent(event);
        return;
    }
    event.kind = ZmtpEvent::Kind::Command;
    emitEvent(event);
}

void ZmtpStreamDecoder::emitMetadataCommand(ZmtpEvent::Kind kind, QByteArrayView name, QByteArrayView data)
{
    qsizetype badAt = -1;
    ZmtpEvent event;
    event.kind = kind;
    event.commandName = name.toByteArray();
    event.size = std::uint64_t(data.size());
    event.metadata = parseMetadata(data, badAt);
    if (badAt >= 0 && !m_mechanismKnown && event.metadata.isEmpty()) {
        // Joined mid-stream: another mechanism's command of that name (CURVE's READY is encrypted).
        event.kind = ZmtpEvent::Kind::Command;
        emitEvent(event);
        return;
    }
    m_state = State::Traffic;
    emitEvent(event);
    if (badAt >= 0)
        problem(u"malformed %1 metadata at byte %2 of %3; %4 properties read"_s.arg(QString::fromLatin1(name))
                    .arg(badAt)
                    .arg(data.size())
                    .arg(event.metadata.size()));
}

// ---- events --------------------------------------------------------------------------------------

void ZmtpStreamDecoder::problem(const QString &detail)
{
    ZmtpEvent event;
    event.kind = ZmtpEvent::Kind::Problem;
    event.detail = detail;
    emitEvent(event);
}

void ZmtpStreamDecoder::fail(const QString &detail)
{
    m_state = State::Failed;
    resetFrame();
    m_messageFrames.clear();
    m_frameCount = 0;
    m_scan.clear();
    m_scanFrom = 0;
    m_scanStart = 0;
    m_candidate = {};
    problem(detail);
}

void ZmtpStreamDecoder::emitEvent(ZmtpEvent &event)
{
    event.timestampUs = m_timestampUs;
    if (m_handler)
        m_handler(event);
}

} // namespace zmqscope
