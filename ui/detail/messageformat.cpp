#include "detail/messageformat.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <zmqscope/capture/capture.h>
#include <zmqscope/textescape.h>

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
    return QString::fromLatin1(zmqscope::directionName(direction));
}

QByteArray captureLine(const StoredMessage &message, const QString &socketName)
{
    // The pane does not know the socket's type or endpoint; everything else is the capture writer's line.
    CaptureRecord record;
    record.timestampUs = message.timestampUs;
    record.socket = socketName;
    record.direction = message.direction;
    record.frames = message.frames;
    record.peer = message.peer;
    QByteArray line = zmqscope::captureLine(record);
    if (line.endsWith('\n'))
        line.chop(1);
    return line;
}

QString peerText(QByteArrayView peer)
{
    return QString::fromLatin1(peer.toByteArray().toHex())
        + u" (the routing id the tap gave the client; not a frame)"_s;
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

QString oneLineText(QByteArrayView bytes, int maxChars)
{
    textescape::EscapeOptions options;
    options.maxChars = maxChars;
    return textescape::escape(bytes, options);
}

QString displayText(QByteArrayView bytes, int maxLineChars, DisplayTextChanges *changes)
{
    DisplayTextChanges found;
    QString text;
    text.reserve(bytes.size() + bytes.size() / std::max(1, maxLineChars) + 1);
    int column = 0;
    // Breaks before a character when the line is full.
    const auto startColumn = [&] {
        if (column >= maxLineChars) {
            text += u'\n';
            column = 0;
            found.linesBroken = true;
        }
    };
    // Every escape is the one core writes (textescape.h), so the Text tab, the Frames tab, the table and
    // the CLI show the same bytes the same way; only tabs and line breaks stay themselves here.
    qsizetype i = 0;
    while (i < bytes.size()) {
        const auto sequence = textescape::decodeUtf8At(bytes, i);
        if (sequence.length <= 0) {
            startColumn();
            text += textescape::escape(bytes.sliced(i, 1));
            ++column;
            found.invalidUtf8 = true;
            ++i;
            continue;
        }
        i += sequence.length;
        const char32_t c = sequence.codePoint;
        if (c == U'\n' || c == U'\r') {
            text += QChar(char16_t(c));
            column = 0;
            continue;
        }
        startColumn();
        if (c == U'\t') {
            text += u'\t';
        } else if (c < 0x20 || c == 0x7f) {
            text += textescape::codePointEscape(c);
            found.controlsEscaped = true;
        } else if (textescape::isInvisible(c)) {
            text += textescape::codePointEscape(c);
            found.invisibleEscaped = true;
        } else {
            text += QStringView(QChar::fromUcs4(c));
        }
        ++column;
    }
    if (changes)
        *changes = found;
    return text;
}

QString copyableText(QByteArrayView bytes, bool *invalidUtf8)
{
    bool escaped = false;
    QString text;
    if (textescape::isValidUtf8(bytes)) {
        text = QString::fromUtf8(bytes);
    } else {
        text.reserve(bytes.size());
        qsizetype validFrom = 0;
        qsizetype i = 0;
        while (i < bytes.size()) {
            const auto sequence = textescape::decodeUtf8At(bytes, i);
            if (sequence.length > 0) {
                i += sequence.length;
                continue;
            }
            text += QString::fromUtf8(bytes.sliced(validFrom, i - validFrom));
            text += textescape::escape(bytes.sliced(i, 1));
            escaped = true;
            validFrom = ++i;
        }
        text += QString::fromUtf8(bytes.sliced(validFrom));
    }
    if (invalidUtf8)
        *invalidUtf8 = escaped;
    return text;
}

QString describeBytes(QByteArrayView bytes, int maxChars)
{
    if (bytes.isEmpty())
        return u"(empty)"_s;
    const auto prefix = bytes.first(textescape::utf8PrefixLength(bytes, qsizetype { maxChars } * 4));
    if (textescape::looksLikeText(prefix, prefix.size() < bytes.size()))
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
