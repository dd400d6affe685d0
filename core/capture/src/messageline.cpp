// How a message line is written (DESIGN.md section 8), once for every writer: the capture writer,
// `zmqscope-cli listen --format jsonl`, cat, the GUI's export and copy. The text is written straight
// into the caller's buffer (no JSON tree, no UTF-16 copy of the body): at a flood's rate the line
// is most of what the CLI does per message.

#include <array>
#include <cstring>

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
std::array<char, 6> unicodeEscape(char32_t c)
{
    static constexpr char Hex[] = "0123456789abcdef";
    return { '\\', 'u', Hex[(c >> 12) & 0xf], Hex[(c >> 8) & 0xf], Hex[(c >> 4) & 0xf], Hex[c & 0xf] };
}

/**
 * Writes into a QByteArray through a raw pointer: room is made once per piece whose size is known,
 * then bytes are stored without QByteArray's per-append checks (a line is some twenty pieces).
 * The array's spare capacity is used as it is and grows geometrically, so a buffer collecting many
 * lines does not copy itself for each one; the destructor cuts the array to what was written.
 */
class LineOut
{
public:
    explicit LineOut(QByteArray &out)
        : m_out(out)
        , m_size(out.size())
    {
        m_out.resize(m_out.capacity());
        m_data = m_out.data();
        m_limit = m_out.size();
    }
    LineOut(const LineOut &) = delete;
    LineOut &operator=(const LineOut &) = delete;
    ~LineOut() { m_out.resize(m_size); }

    void reserve(qsizetype extra)
    {
        if (m_size + extra > m_limit)
            grow(extra);
    }
    void put(char c)
    {
        reserve(1);
        m_data[m_size++] = c;
    }
    void put(QByteArrayView bytes)
    {
        reserve(bytes.size());
        if (!bytes.isEmpty())
            std::memcpy(m_data + m_size, bytes.data(), size_t(bytes.size()));
        m_size += bytes.size();
    }
    /// `count` bytes to fill in at once (after reserve() or with it): returns where they go.
    char *take(qsizetype count)
    {
        reserve(count);
        char *at = m_data + m_size;
        m_size += count;
        return at;
    }
    [[nodiscard]] qsizetype size() const { return m_size; }
    void truncate(qsizetype size) { m_size = size; }

private:
    void grow(qsizetype extra)
    {
        m_out.resize(m_size);
        m_out.reserve(qMax(m_size + extra, m_out.capacity() * 2));
        m_out.resize(m_out.capacity());
        m_data = m_out.data();
        m_limit = m_out.size();
    }

    QByteArray &m_out;
    char *m_data = nullptr;
    qsizetype m_size = 0; // bytes written (the array's size until the destructor runs is m_limit)
    qsizetype m_limit = 0;
};

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
 * Writes the bytes as a JSON string, exactly as appendJsonString() writes their text, when they are
 * strict UTF-8 (a BOM counts as a character); returns false and writes nothing otherwise.
 */
bool putUtf8JsonString(LineOut &out, QByteArrayView bytes)
{
    const qsizetype start = out.size();
    out.put('"');
    const auto *begin = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = begin + bytes.size();
    const auto *p = begin;
    const auto *run = begin; // bytes from here to p go into the line as they are
    const auto flushRun = [&] { out.put(QByteArrayView(reinterpret_cast<const char *>(run), p - run)); };
    const auto putEscape = [&](char32_t c) {
        const std::array<char, 6> escape = unicodeEscape(c);
        out.put(QByteArrayView(escape.data(), qsizetype(escape.size())));
    };
    while (p < end) {
        if (PlainAscii[*p]) {
            ++p;
            continue;
        }
        if (*p < 0x80) {
            flushRun();
            if (const char *escape = simpleEscape(*p))
                out.put(QByteArrayView(escape, 2));
            else
                putEscape(*p);
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
            putEscape(sequence.codePoint);
            p += sequence.length;
            run = p;
            continue;
        }
        p += sequence.length;
    }
    flushRun();
    out.put('"');
    return true;
}

// Standard base64 with padding, written in place (QByteArray::toBase64 would allocate a copy per
// frame); the same text toBase64() gives.
void putBase64(LineOut &out, QByteArrayView bytes)
{
    static constexpr char Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = out.take((bytes.size() + 2) / 3 * 4);
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
void putBytesField(LineOut &out, QByteArrayView key, QByteArrayView bytes)
{
    out.put(",\"");
    out.put(key);
    out.put("\":");
    if (putUtf8JsonString(out, bytes))
        return;
    out.truncate(out.size() - 2);
    out.put("_base64\":\"");
    putBase64(out, bytes);
    out.put('"');
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
        if (simple) {
            out += simple;
        } else {
            const std::array<char, 6> escape = unicodeEscape(c);
            out.append(escape.data(), qsizetype(escape.size()));
        }
        runStart = i + 1;
    }
    flushRun(text.size());
    out += '"';
}

CaptureLineWriter::CaptureLineWriter(QStringView socket, QStringView type, QStringView endpoint,
    QStringView src, QStringView dst, QStringView security)
{
    m_source += ",\"socket\":";
    appendJsonString(m_source, socket);
    m_source += ",\"type\":";
    appendJsonString(m_source, type);
    m_source += ",\"endpoint\":";
    appendJsonString(m_source, endpoint);
    const std::array<std::pair<const char *, QStringView>, 3> wire { { { ",\"src\":", src },
        { ",\"dst\":", dst }, { ",\"security\":", security } } };
    for (const auto &[key, value] : wire) {
        if (value.isEmpty())
            continue;
        m_source += key;
        appendJsonString(m_source, value);
    }
}

const QByteArray &CaptureLineWriter::secondText(std::int64_t second)
{
    if (m_secondText.isEmpty() || second != m_second) {
        // formatCaptureTimestamp() stays the one rule for the date and time; only the fraction is ours.
        m_secondText = formatCaptureTimestamp(second * 1'000'000).toUtf8();
        m_secondText.chop(8); // ".000000Z"
        m_second = second;
    }
    return m_secondText;
}

template<typename Out>
void CaptureLineWriter::appendStart(
    Out &out, std::int64_t timestampUs, Direction direction, QByteArrayView peer)
{
    // Floor division, as formatCaptureTimestamp() does, so instants before 1970 still work.
    constexpr std::int64_t MicrosPerSecond = 1'000'000;
    std::int64_t second = timestampUs / MicrosPerSecond;
    std::int64_t micros = timestampUs % MicrosPerSecond;
    if (micros < 0) {
        micros += MicrosPerSecond;
        --second;
    }
    out.put("{\"ts\":\"");
    out.put(secondText(second));
    char *fraction = out.take(9); // .123456Z"
    fraction[0] = '.';
    for (int i = 6; i >= 1; --i, micros /= 10)
        fraction[i] = char('0' + micros % 10);
    fraction[7] = 'Z';
    fraction[8] = '"';
    out.put(m_source);
    out.put(",\"dir\":\"");
    out.put(directionName(direction));
    out.put('"');
    if (!peer.isEmpty()) {
        out.put(",\"peer\":\"");
        out.put(peer.toByteArray().toHex());
        out.put('"');
    }
}

void CaptureLineWriter::append(QByteArray &buffer, std::int64_t timestampUs, Direction direction,
    const Frames &frames, QByteArrayView peer)
{
    qsizetype frameBytes = 0;
    for (const QByteArray &frame : frames)
        frameBytes += frame.size();
    LineOut out(buffer);
    // Base64 of the frames plus the body text, roughly: one allocation for most lines.
    out.reserve(128 + m_source.size() + frameBytes / 3 * 4 + frameBytes + 8 * frames.size());
    appendStart(out, timestampUs, direction, peer);
    out.put(",\"frames\":[");
    for (qsizetype i = 0; i < frames.size(); ++i) {
        out.put(i > 0 ? QByteArrayView(",\"") : QByteArrayView("\""));
        putBase64(out, frames[i]);
        out.put('"');
    }
    out.put(']');

    const auto parsed = Envelope::parse(frames);
    if (parsed.envelope) {
        putBytesField(out, "id", parsed.envelope->id());
        putBytesField(out, "mimetype", parsed.envelope->mimetype());
        putBytesField(out, "body", parsed.envelope->data());
    }
    out.put("}\n");
}

void CaptureLineWriter::appendEncrypted(
    QByteArray &buffer, std::int64_t timestampUs, Direction direction, std::uint64_t size)
{
    LineOut out(buffer);
    out.reserve(160 + m_source.size());
    appendStart(out, timestampUs, direction, {});
    out.put(",\"encrypted\":true,\"size\":");
    out.put(QByteArray::number(qulonglong(size)));
    out.put("}\n");
}

QByteArray captureLine(const CaptureRecord &record)
{
    QByteArray out;
    CaptureLineWriter writer(
        record.socket, record.type, record.endpoint, record.src, record.dst, record.security);
    if (record.encrypted)
        writer.appendEncrypted(out, record.timestampUs, record.direction, record.size);
    else
        writer.append(out, record.timestampUs, record.direction, record.frames, record.peer);
    return out;
}

QByteArray captureEventLine(const CaptureRecord &record)
{
    QByteArray out = "{\"ts\":";
    appendJsonString(out, formatCaptureTimestamp(record.timestampUs));
    out += ",\"socket\":";
    appendJsonString(out, record.socket);
    out += ",\"event\":";
    appendJsonString(out, record.event);
    if (record.event == u"subscribe" || record.event == u"unsubscribe" || !record.topic.isEmpty()) {
        out += ",\"topic_base64\":\"";
        out += record.topic.toBase64();
        out += '"';
    }
    if (!record.detail.isEmpty()) {
        out += ",\"detail\":";
        appendJsonString(out, record.detail);
    }
    out += "}\n";
    return out;
}

} // namespace zmqscope
