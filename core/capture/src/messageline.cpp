// How a message line is written (DESIGN.md section 8), once for every writer: the capture writer,
// `zmqscope-cli listen --format jsonl`, cat, the GUI's export and copy. The text is written straight
// into the caller's buffer (no JSON tree, no UTF-16 copy of the body): at a flood's rate the line
// is most of what the CLI does per message.

#include <array>

#include <zmqscope/capture/capture.h>
#include <zmqscope/envelope.h>

#include "capture_p.h"

namespace zmqscope {

namespace {

// Characters that would move the cursor, change colours, or reorder text on a terminal or in an
// editor; JSON allows them raw, but a line of ours never carries them unescaped.
constexpr bool needsEscape(char32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f
        || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

// The short escapes JSON has; nullptr for a character written as "\uXXXX" or as itself.
constexpr const char *simpleEscape(char32_t c)
{
    switch (c) {
    case u'"':
        return "\\\"";
    case u'\\':
        return "\\\\";
    case u'\n':
        return "\\n";
    case u'\r':
        return "\\r";
    case u'\t':
        return "\\t";
    case u'\b':
        return "\\b";
    case u'\f':
        return "\\f";
    default:
        return nullptr;
    }
}

// "\u" and four lower-case hex digits, as the reader and every earlier line have them.
void appendUnicodeEscape(QByteArray &out, char32_t c)
{
    static constexpr char Hex[] = "0123456789abcdef";
    const char escape[6]
        = { '\\', 'u', Hex[(c >> 12) & 0xf], Hex[(c >> 8) & 0xf], Hex[(c >> 4) & 0xf], Hex[c & 0xf] };
    out.append(escape, 6);
}

// Plain ASCII that goes into a line as it is: most bytes of most bodies.
constexpr std::array<bool, 256> plainAsciiTable()
{
    std::array<bool, 256> table {};
    for (int c = 0x20; c < 0x7f; ++c)
        table[std::size_t(c)] = c != '"' && c != '\\';
    return table;
}
constexpr std::array<bool, 256> PlainAscii = plainAsciiTable();

/**
 * The code point of the UTF-8 sequence of 2 to 4 bytes starting at `p` (p[0] >= 0x80), and its
 * length; length 0 when it is not strict UTF-8 (a stray continuation byte, a cut sequence, an
 * overlong form, a surrogate, beyond U+10FFFF), the bytes QStringDecoder's UTF-8 flags as errors.
 */
struct Utf8Sequence
{
    char32_t codePoint = 0;
    int length = 0;
};
Utf8Sequence decodeSequence(const unsigned char *p, const unsigned char *end)
{
    const unsigned char lead = p[0];
    const auto continuation = [&](int i) { return p + i < end && (p[i] & 0xc0) == 0x80; };
    if (lead >= 0xc2 && lead <= 0xdf) {
        if (!continuation(1))
            return {};
        return { char32_t((lead & 0x1f) << 6 | (p[1] & 0x3f)), 2 };
    }
    if (lead >= 0xe0 && lead <= 0xef) {
        if (!continuation(1) || !continuation(2))
            return {};
        const char32_t c = char32_t((lead & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f));
        if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))
            return {};
        return { c, 3 };
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
        if (!continuation(1) || !continuation(2) || !continuation(3))
            return {};
        const char32_t c
            = char32_t((lead & 0x07) << 18 | (p[1] & 0x3f) << 12 | (p[2] & 0x3f) << 6 | (p[3] & 0x3f));
        if (c < 0x10000 || c > 0x10ffff)
            return {};
        return { c, 4 };
    }
    return {};
}

/**
 * Appends the bytes as a JSON string, exactly as appendJsonString() writes their text, when they are
 * strict UTF-8 (a BOM counts as a character); returns false and leaves `out` as it was otherwise.
 */
bool appendUtf8JsonString(QByteArray &out, QByteArrayView bytes)
{
    const qsizetype start = out.size();
    out += '"';
    const auto *begin = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = begin + bytes.size();
    const auto *p = begin;
    const auto *run = begin; // bytes from here to p go into the line as they are
    const auto flushRun = [&] {
        if (p > run)
            out.append(reinterpret_cast<const char *>(run), p - run);
    };
    while (p < end) {
        if (PlainAscii[*p]) {
            ++p;
            continue;
        }
        if (*p < 0x80) {
            flushRun();
            if (const char *escape = simpleEscape(*p))
                out += escape;
            else
                appendUnicodeEscape(out, *p);
            run = ++p;
            continue;
        }
        const Utf8Sequence sequence = decodeSequence(p, end);
        if (sequence.length == 0) {
            out.truncate(start);
            return false;
        }
        if (needsEscape(sequence.codePoint)) {
            flushRun();
            appendUnicodeEscape(out, sequence.codePoint);
            p += sequence.length;
            run = p;
            continue;
        }
        p += sequence.length;
    }
    flushRun();
    out += '"';
    return true;
}

// Standard base64 with padding, written into `out` in place (QByteArray::toBase64 would allocate a
// copy per frame); the same text toBase64() gives.
void appendBase64(QByteArray &out, QByteArrayView bytes)
{
    static constexpr char Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const qsizetype start = out.size();
    out.resize(start + (bytes.size() + 2) / 3 * 4);
    char *o = out.data() + start;
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    qsizetype left = bytes.size();
    for (; left >= 3; left -= 3, p += 3) {
        const std::uint32_t group = std::uint32_t(p[0]) << 16 | std::uint32_t(p[1]) << 8 | p[2];
        *o++ = Alphabet[group >> 18];
        *o++ = Alphabet[(group >> 12) & 0x3f];
        *o++ = Alphabet[(group >> 6) & 0x3f];
        *o++ = Alphabet[group & 0x3f];
    }
    if (left > 0) {
        const std::uint32_t group = std::uint32_t(p[0]) << 16 | (left == 2 ? std::uint32_t(p[1]) << 8 : 0);
        *o++ = Alphabet[group >> 18];
        *o++ = Alphabet[(group >> 12) & 0x3f];
        *o++ = left == 2 ? Alphabet[(group >> 6) & 0x3f] : '=';
        *o++ = '=';
    }
}

// ,"id":"text" when the bytes are UTF-8, else ,"id_base64":"...", so no byte is ever mangled.
void appendBytesField(QByteArray &out, QByteArrayView key, QByteArrayView bytes)
{
    out += ",\"";
    out += key;
    out += "\":";
    if (appendUtf8JsonString(out, bytes))
        return;
    out.chop(2);
    out += "_base64\":\"";
    appendBase64(out, bytes);
    out += '"';
}

// Makes room for `extra` more bytes, growing geometrically: a buffer that collects many lines
// (reserve() alone allocates the exact size) must not copy itself for each one.
void reserveMore(QByteArray &out, qsizetype extra)
{
    const qsizetype needed = out.size() + extra;
    if (needed > out.capacity())
        out.reserve(qMax(needed, out.capacity() * 2));
}

} // namespace

void appendJsonString(QByteArray &out, QStringView text)
{
    out += '"';
    qsizetype runStart = 0;
    const auto flushRun = [&](qsizetype end) {
        if (end > runStart)
            out += text.sliced(runStart, end - runStart).toUtf8();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        const char *simple = simpleEscape(c);
        if (!simple && QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            ++i; // a surrogate pair stays in the run and is encoded as one character
            continue;
        }
        // A lone surrogate (a socket name read from a file may have one) has no UTF-8 form: "\udXXX"
        // keeps it exactly, where toUtf8() would turn it into '?'.
        if (!simple && !needsEscape(c) && !QChar::isSurrogate(c))
            continue;
        flushRun(i);
        if (simple)
            out += simple;
        else
            appendUnicodeEscape(out, c);
        runStart = i + 1;
    }
    flushRun(text.size());
    out += '"';
}

CaptureLineWriter::CaptureLineWriter(QStringView socket, QStringView type, QStringView endpoint)
{
    m_source += ",\"socket\":";
    appendJsonString(m_source, socket);
    m_source += ",\"type\":";
    appendJsonString(m_source, type);
    m_source += ",\"endpoint\":";
    appendJsonString(m_source, endpoint);
}

void CaptureLineWriter::appendTimestamp(QByteArray &out, std::int64_t timestampUs)
{
    constexpr std::int64_t MicrosPerSecond = 1'000'000;
    // Floor division, as formatCaptureTimestamp() does, so instants before 1970 still work.
    std::int64_t second = timestampUs / MicrosPerSecond;
    std::int64_t micros = timestampUs % MicrosPerSecond;
    if (micros < 0) {
        micros += MicrosPerSecond;
        --second;
    }
    if (m_secondText.isEmpty() || second != m_second) {
        // formatCaptureTimestamp() stays the one rule for the date and time; only the fraction is ours.
        m_secondText = formatCaptureTimestamp(second * MicrosPerSecond).toUtf8();
        m_secondText.chop(8); // ".000000Z"
        m_second = second;
    }
    out += m_secondText;
    char fraction[9] = { '.', '0', '0', '0', '0', '0', '0', 'Z', '"' };
    for (int i = 6; i >= 1; --i, micros /= 10)
        fraction[i] = char('0' + micros % 10);
    out.append(fraction, 9);
}

void CaptureLineWriter::append(
    QByteArray &out, std::int64_t timestampUs, Direction direction, const Frames &frames)
{
    qsizetype frameBytes = 0;
    for (const QByteArray &frame : frames)
        frameBytes += frame.size();
    // Base64 of the frames plus the body text, roughly: one allocation for most lines.
    reserveMore(out, 128 + m_source.size() + frameBytes / 3 * 4 + frameBytes + 8 * frames.size());

    out += "{\"ts\":\"";
    appendTimestamp(out, timestampUs);
    out += m_source;
    out += direction == Direction::In ? QByteArrayView(",\"dir\":\"in\"")
                                      : QByteArrayView(",\"dir\":\"out\"");
    out += ",\"frames\":[";
    for (qsizetype i = 0; i < frames.size(); ++i) {
        out += i > 0 ? QByteArrayView(",\"") : QByteArrayView("\"");
        appendBase64(out, frames[i]);
        out += '"';
    }
    out += ']';

    const auto parsed = Envelope::parse(frames);
    if (parsed.envelope) {
        appendBytesField(out, "id", parsed.envelope->id());
        appendBytesField(out, "mimetype", parsed.envelope->mimetype());
        appendBytesField(out, "body", parsed.envelope->data());
    }
    out += "}\n";
}

QByteArray captureLine(const CaptureRecord &record)
{
    QByteArray out;
    CaptureLineWriter(record.socket, record.type, record.endpoint)
        .append(out, record.timestampUs, record.direction, record.frames);
    return out;
}

} // namespace zmqscope
