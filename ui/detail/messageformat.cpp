#include "detail/messageformat.h"

#include <zmqscope/capture.h>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QStringDecoder>

using namespace Qt::StringLiterals;

namespace zmqscope::MessageFormat {

namespace {

constexpr std::int64_t UsPerSecond = 1'000'000;

// Splits a timestamp into whole seconds and microseconds, rounding down so
// that times before the epoch still have 0..999999 microseconds.
void splitTimestamp(std::int64_t timestampUs, std::int64_t &seconds, std::int64_t &micros)
{
    seconds = timestampUs / UsPerSecond;
    micros = timestampUs % UsPerSecond;
    if (micros < 0) {
        micros += UsPerSecond;
        --seconds;
    }
}

/// How many bytes the UTF-8 sequence starting at bytes[i] has, 0 when it is invalid,
/// -1 when it is valid so far but cut off by the end.
qsizetype utf8SequenceLength(QByteArrayView bytes, qsizetype i)
{
    const auto lead = static_cast<unsigned char>(bytes[i]);
    if (lead < 0x80)
        return 1;
    qsizetype length = 0;
    unsigned char min = 0x80; // bounds of the second byte exclude overlongs and surrogates
    unsigned char max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0)
            min = 0xa0;
        else if (lead == 0xed)
            max = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0)
            min = 0x90;
        else if (lead == 0xf4)
            max = 0x8f;
    } else {
        return 0;
    }
    for (qsizetype k = 1; k < length; ++k) {
        if (i + k >= bytes.size())
            return -1;
        const auto c = static_cast<unsigned char>(bytes[i + k]);
        const unsigned char lo = k == 1 ? min : 0x80;
        const unsigned char hi = k == 1 ? max : 0xbf;
        if (c < lo || c > hi)
            return 0;
    }
    return length;
}

QString decodeUtf8(QByteArrayView bytes)
{
    // QString::fromUtf8 replaces every invalid sequence with U+FFFD, which is what we want to show.
    return QString::fromUtf8(bytes);
}

QString normalizedMimetype(QByteArrayView mimetype)
{
    auto text = QString::fromLatin1(mimetype).toLower();
    const auto semicolon = text.indexOf(u';');
    if (semicolon >= 0)
        text.truncate(semicolon);
    return text.trimmed();
}

} // namespace

QString isoTimestampUtc(std::int64_t timestampUs)
{
    std::int64_t seconds = 0;
    std::int64_t micros = 0;
    splitTimestamp(timestampUs, seconds, micros);
    const auto dateTime = QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
    return dateTime.toString(u"yyyy-MM-ddTHH:mm:ss"_s) + u'.'
        + QString::number(micros).rightJustified(6, u'0') + u'Z';
}

QString localTimestamp(std::int64_t timestampUs)
{
    std::int64_t seconds = 0;
    std::int64_t micros = 0;
    splitTimestamp(timestampUs, seconds, micros);
    const auto dateTime = QDateTime::fromMSecsSinceEpoch(seconds * 1000 + micros / 1000).toLocalTime();
    return dateTime.toString(u"yyyy-MM-dd HH:mm:ss.zzz"_s);
}

QString directionName(Direction direction)
{
    return direction == Direction::Out ? u"out"_s : u"in"_s;
}

QByteArray captureLine(const StoredMessage &message, const QString &socketName)
{
    // The pane does not know the socket's type or endpoint; everything else is the capture writer's line.
    CaptureRecord record;
    record.timestampUs = message.timestampUs;
    record.socket = socketName;
    record.direction = message.direction;
    record.frames = message.frames;
    QByteArray line = zmqscope::captureLine(record);
    if (line.endsWith('\n'))
        line.chop(1);
    return line;
}

QString hex(QByteArrayView bytes, qsizetype maxBytes)
{
    const bool cut = maxBytes >= 0 && bytes.size() > maxBytes;
    const auto shown = cut ? bytes.first(maxBytes) : bytes;
    auto text = QString::fromLatin1(shown.toByteArray().toHex(' '));
    if (cut)
        text += u" …"_s;
    return text;
}

bool isValidUtf8(QByteArrayView bytes, bool allowCutEnd)
{
    qsizetype i = 0;
    while (i < bytes.size()) {
        const auto length = utf8SequenceLength(bytes, i);
        if (length == 0)
            return false;
        if (length < 0)
            return allowCutEnd;
        i += length;
    }
    return true;
}

bool looksLikeText(QByteArrayView bytes, bool allowCutEnd)
{
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t' && u != '\n' && u != '\r' && u != '\f') || u == 0x7f)
            return false;
    }
    return isValidUtf8(bytes, allowCutEnd);
}

qsizetype utf8PrefixLength(QByteArrayView bytes, qsizetype maxBytes)
{
    if (maxBytes >= bytes.size())
        return bytes.size();
    if (maxBytes <= 0)
        return 0;
    // Walk back over at most three continuation bytes to the lead byte of the sequence
    // that the cut falls into; cut before it when it does not end before the cut.
    qsizetype lead = maxBytes;
    while (lead > 0 && maxBytes - lead < 4 && (static_cast<unsigned char>(bytes[lead]) & 0xc0) == 0x80)
        --lead;
    if (lead == maxBytes)
        return maxBytes;
    const auto length = utf8SequenceLength(bytes, lead);
    if (length > 0 && lead + length > maxBytes)
        return lead;
    return maxBytes;
}

QString oneLineText(QByteArrayView bytes, int maxChars)
{
    // Four bytes per character is the most UTF-8 needs, so this prefix is always enough.
    const auto prefix = utf8PrefixLength(bytes, qsizetype { maxChars } * 4 + 4);
    auto text = decodeUtf8(bytes.first(prefix));
    bool cut = prefix < bytes.size();
    if (text.size() > maxChars) {
        text.truncate(maxChars);
        if (text.back().isHighSurrogate())
            text.chop(1);
        cut = true;
    }
    for (auto &c : text) {
        if (c.category() == QChar::Other_Control)
            c = u'.';
    }
    if (cut)
        text += u'…';
    return text;
}

QString displayText(QByteArrayView bytes, int maxLineChars, DisplayTextChanges *changes)
{
    DisplayTextChanges found;
    found.invalidUtf8 = !isValidUtf8(bytes);
    const auto decoded = decodeUtf8(bytes);
    QString text;
    text.reserve(decoded.size() + decoded.size() / std::max(1, maxLineChars) + 1);
    int column = 0;
    for (qsizetype i = 0; i < decoded.size(); ++i) {
        QChar c = decoded[i];
        const auto code = c.unicode();
        if (code == u'\n' || code == u'\r') {
            text += c;
            column = 0;
            continue;
        }
        if ((code < 0x20 && code != u'\t') || code == 0x7f) {
            c = QChar(code == 0x7f ? char16_t(0x2421) : char16_t(0x2400 + code));
            found.controlPictures = true;
        }
        // Break before a character, never inside a surrogate pair.
        if (column >= maxLineChars && !c.isLowSurrogate()) {
            text += u'\n';
            column = 0;
            found.linesBroken = true;
        }
        text += c;
        ++column;
    }
    if (changes)
        *changes = found;
    return text;
}

QString describeBytes(QByteArrayView bytes, int maxChars)
{
    if (bytes.isEmpty())
        return u"(empty)"_s;
    if (looksLikeText(bytes.first(utf8PrefixLength(bytes, qsizetype { maxChars } * 4)), true))
        return u'“' + oneLineText(bytes, maxChars) + u'”';
    // Three characters per byte in hex; keep the rendering about as long as the text would be.
    return u"hex "_s + hex(bytes, std::max(1, maxChars / 3));
}

QString byteCount(qint64 bytes)
{
    const QLocale locale;
    if (bytes == 1)
        return u"1 byte"_s;
    QString text = locale.toString(bytes) + u" bytes"_s;
    if (bytes >= 1024)
        text += u" ("_s + locale.formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat) + u')';
    return text;
}

bool isJsonMimetype(QByteArrayView mimetype)
{
    const auto type = normalizedMimetype(mimetype);
    if (type == u"application/json" || type == u"text/json")
        return true;
    const auto slash = type.indexOf(u'/');
    return slash > 0 && type.endsWith(u"+json"_s) && type.size() > slash + 1 + 5;
}

bool looksLikeJson(QByteArrayView body)
{
    for (const char c : body) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' || c == '[';
    }
    return false;
}

bool isImageMimetype(QByteArrayView mimetype)
{
    return normalizedMimetype(mimetype).startsWith(u"image/"_s);
}

QByteArray imageFormatFromSignature(QByteArrayView body)
{
    if (body.startsWith("\x89PNG\r\n\x1a\n"))
        return QByteArrayLiteral("png");
    if (body.startsWith("\xff\xd8\xff"))
        return QByteArrayLiteral("jpeg");
    if (body.startsWith("GIF87a") || body.startsWith("GIF89a"))
        return QByteArrayLiteral("gif");
    // "BM" alone starts too many texts; also require zero reserved fields and a known DIB header size.
    if (body.size() >= 18 && body.startsWith("BM") && body.sliced(6, 4) == QByteArrayView("\0\0\0\0", 4)) {
        const auto headerSize = static_cast<unsigned char>(body[14])
            | static_cast<unsigned char>(body[15]) << 8 | static_cast<unsigned char>(body[16]) << 16
            | static_cast<unsigned char>(body[17]) << 24;
        if (headerSize == 12 || headerSize == 40 || headerSize == 52 || headerSize == 56 || headerSize == 108
            || headerSize == 124)
            return QByteArrayLiteral("bmp");
    }
    return {};
}

} // namespace zmqscope::MessageFormat
