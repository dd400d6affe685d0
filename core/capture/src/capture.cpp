#include <algorithm>
#include <cctype>
#include <cmath>

#include <QDate>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QTime>

#include <zmqscope/capture/capture.h>
#include <zmqscope/envelope.h>
#include <zmqscope/optionvalue.h>

#include "capture_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

constexpr std::int64_t MicrosPerSecond = 1'000'000;

Error captureError(const QString &message)
{
    return Error(ErrorCode::InvalidBody, message);
}

// Shows a value from an untrusted file inside a one-line message: quoted, escaped and cut.
QString shown(const QByteArray &value)
{
    constexpr qsizetype Limit = 40;
    if (value.size() <= Limit)
        return OptionValue(value).toDisplayString();
    return OptionValue(value.left(Limit)).toDisplayString() + u"... (%1 bytes)"_s.arg(value.size());
}

QString shown(const QString &value)
{
    return shown(value.toUtf8());
}

// The big parts of a message line, found by one scan of its bytes: the strings of the top-level
// "frames" array and the top-level "body"/"body_base64" values (a copy of the body, as big as a
// frame). A 64 MiB frame makes a line of 170 MiB; parsed whole with QJsonDocument it needed several
// times that (a parsed copy, a UTF-16 QString of each string, its Latin-1 copy). With the layout only
// a line without those values is parsed as JSON, and each frame is decoded from the line's own bytes.
struct LineLayout
{
    struct Span
    {
        qsizetype begin = 0;
        qsizetype end = 0; // exclusive
    };
    QList<Span> frameStrings; // the characters between the quotes of each frame
    QList<Span> cut; // values to hand to the JSON parser as "null" / "[]" (the frames array)
    QList<bool> cutIsFrames;
};

class LineScanner
{
public:
    explicit LineScanner(QByteArrayView line)
        : m_line(line)
    { }

    // False when the line is not one JSON object of the expected shape: the full parse then reports it.
    bool scan(LineLayout &layout)
    {
        skipSpace();
        if (!take('{'))
            return false;
        skipSpace();
        if (take('}'))
            return atEnd();
        for (;;) {
            skipSpace();
            LineLayout::Span key;
            if (!string(key))
                return false;
            skipSpace();
            if (!take(':'))
                return false;
            skipSpace();
            const QByteArrayView name = m_line.sliced(key.begin, key.end - key.begin);
            const qsizetype valueBegin = m_pos;
            if (name == "frames" && peek() == '[') {
                QList<LineLayout::Span> strings;
                if (!frameArray(strings))
                    return false;
                layout.frameStrings = strings; // a repeated key: the last one counts, as in QJsonObject
                layout.cut.append({ valueBegin, m_pos });
                layout.cutIsFrames.append(true);
            } else {
                const bool isString = peek() == '"';
                if (!value())
                    return false;
                if (isString && (name == "body" || name == "body_base64")) {
                    layout.cut.append({ valueBegin, m_pos });
                    layout.cutIsFrames.append(false);
                }
            }
            skipSpace();
            if (take(','))
                continue;
            if (take('}'))
                return atEnd();
            return false;
        }
    }

private:
    [[nodiscard]] char peek() const { return m_pos < m_line.size() ? m_line[m_pos] : '\0'; }
    bool take(char c)
    {
        if (peek() != c || m_pos >= m_line.size())
            return false;
        ++m_pos;
        return true;
    }
    void skipSpace()
    {
        while (m_pos < m_line.size()
            && (m_line[m_pos] == ' ' || m_line[m_pos] == '\t' || m_line[m_pos] == '\r'
                || m_line[m_pos] == '\n'))
            ++m_pos;
    }
    bool atEnd()
    {
        skipSpace();
        return m_pos == m_line.size();
    }
    // A string; `span` is its content without the quotes (escapes left as they are).
    bool string(LineLayout::Span &span)
    {
        if (!take('"'))
            return false;
        span.begin = m_pos;
        while (m_pos < m_line.size()) {
            const char c = m_line[m_pos];
            if (c == '"') {
                span.end = m_pos++;
                return true;
            }
            m_pos += c == '\\' ? 2 : 1;
        }
        return false;
    }
    bool frameArray(QList<LineLayout::Span> &strings)
    {
        take('[');
        skipSpace();
        if (take(']'))
            return true;
        for (;;) {
            skipSpace();
            LineLayout::Span span;
            if (!string(span))
                return false; // not a string: the full parse names the frame and its type
            strings.append(span);
            skipSpace();
            if (take(','))
                continue;
            return take(']');
        }
    }
    // Any value, skipped; its syntax inside is left to the JSON parser of the cut line.
    bool value()
    {
        LineLayout::Span ignored;
        if (peek() == '"')
            return string(ignored);
        if (peek() == '{' || peek() == '[') {
            int depth = 0;
            while (m_pos < m_line.size()) {
                const char c = m_line[m_pos];
                if (c == '"') {
                    if (!string(ignored))
                        return false;
                    continue;
                }
                ++m_pos;
                if (c == '{' || c == '[') {
                    ++depth;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0)
                        return true;
                }
            }
            return false;
        }
        // A number, true, false or null: up to the next delimiter.
        const qsizetype begin = m_pos;
        while (m_pos < m_line.size() && !QByteArrayView(",}] \t\r\n").contains(m_line[m_pos]))
            ++m_pos;
        return m_pos > begin;
    }

    QByteArrayView m_line;
    qsizetype m_pos = 0;
};

// The frame a capture line holds between the quotes of `span`, decoded from base64.
QByteArray decodeFrame(QByteArrayView content, qsizetype index, qsizetype count)
{
    QByteArray encoded;
    if (content.contains('\\')) {
        // A writer that escaped a character ("\/"): let the JSON parser unescape this one string.
        QJsonParseError error {};
        const QJsonDocument document = QJsonDocument::fromJson("[\"" + content.toByteArray() + "\"]", &error);
        if (error.error != QJsonParseError::NoError || !document.array().at(0).isString())
            throw captureError(
                u"capture line frame %1 of %2 is not a valid JSON string: %3"_s.arg(index + 1).arg(count).arg(
                    shown(content.toByteArray())));
        encoded = document.array().at(0).toString().toLatin1();
    } else {
        // The line's own bytes, not a copy: a frame of 64 MiB is 85 MiB of base64.
        encoded = QByteArray::fromRawData(content.data(), content.size());
    }
    auto decoded
        = QByteArray::fromBase64Encoding(std::as_const(encoded), QByteArray::AbortOnBase64DecodingErrors);
    // Qt also takes unpadded and truncated input ("A"); whole 4-character groups are what we write.
    if (!decoded || encoded.size() % 4 != 0)
        throw captureError(
            u"capture line frame %1 of %2 is not valid base64: %3"_s.arg(index + 1).arg(count).arg(
                shown(content.toByteArray())));
    return std::move(*decoded);
}

void appendJsonValue(QByteArray &out, const QJsonValue &value)
{
    if (value.isString()) {
        appendJsonString(out, value.toString());
        return;
    }
    // QJsonDocument only writes objects and arrays; wrap the value and strip the brackets.
    const QByteArray wrapped = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    out.append(QByteArrayView(wrapped).sliced(1, wrapped.size() - 2));
}

QJsonObject parseObject(QByteArrayView line, const QString &what)
{
    while (!line.isEmpty() && (line.back() == '\n' || line.back() == '\r'))
        line.chop(1);
    if (line.trimmed().isEmpty())
        throw captureError(u"empty %1"_s.arg(what));
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(line.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        throw captureError(
            u"%1 is not valid JSON: %2 at byte %3"_s.arg(what, error.errorString()).arg(error.offset));
    if (!document.isObject())
        throw captureError(u"%1 is not a JSON object"_s.arg(what));
    return document.object();
}

QString optionalString(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return QString();
    if (!value.isString())
        throw captureError(
            u"capture line has a \"%1\" that is %2, expected a string"_s.arg(key, jsonTypeName(value)));
    return value.toString();
}

} // namespace

QString formatCaptureTimestamp(std::int64_t timestampUs)
{
    // Floor division, so instants before 1970 still get a fraction in [0, 999999].
    std::int64_t seconds = timestampUs / MicrosPerSecond;
    std::int64_t micros = timestampUs % MicrosPerSecond;
    if (micros < 0) {
        micros += MicrosPerSecond;
        --seconds;
    }
    const QDateTime time = QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
    return time.toString(u"yyyy-MM-dd'T'HH:mm:ss"_s) + u'.' + u"%1"_s.arg(micros, 6, 10, QChar(u'0')) + u'Z';
}

std::optional<std::int64_t> parseCaptureTimestamp(QStringView text)
{
    // Hand-parsed rather than QDateTime::fromString: Qt keeps milliseconds only and accepts more
    // shapes than the format allows.
    qsizetype pos = 0;
    const auto number = [&](int digits) -> std::optional<int> {
        if (pos + digits > text.size())
            return std::nullopt;
        int value = 0;
        for (int i = 0; i < digits; ++i) {
            const QChar c = text[pos + i];
            if (c < u'0' || c > u'9')
                return std::nullopt;
            value = value * 10 + (c.unicode() - u'0');
        }
        pos += digits;
        return value;
    };
    const auto expect = [&](char16_t c) {
        if (pos < text.size() && text[pos] == c) {
            ++pos;
            return true;
        }
        return false;
    };

    const auto year = number(4);
    if (!year || !expect(u'-'))
        return std::nullopt;
    const auto month = number(2);
    if (!month || !expect(u'-'))
        return std::nullopt;
    const auto day = number(2);
    if (!day || !expect(u'T'))
        return std::nullopt;
    const auto hour = number(2);
    if (!hour || !expect(u':'))
        return std::nullopt;
    const auto minute = number(2);
    if (!minute || !expect(u':'))
        return std::nullopt;
    const auto second = number(2);
    if (!second)
        return std::nullopt;

    std::int64_t micros = 0;
    if (expect(u'.')) {
        int digits = 0;
        std::int64_t scale = 100'000;
        while (pos < text.size() && text[pos] >= u'0' && text[pos] <= u'9') {
            if (digits < 6) {
                micros += (text[pos].unicode() - u'0') * scale;
                scale /= 10;
            }
            ++digits;
            ++pos;
        }
        if (digits == 0 || digits > 9)
            return std::nullopt;
    }

    std::int64_t offsetSeconds = 0;
    if (expect(u'Z')) {
        // UTC
    } else if (pos < text.size() && (text[pos] == u'+' || text[pos] == u'-')) {
        const int sign = text[pos] == u'-' ? -1 : 1;
        ++pos;
        const auto offsetHours = number(2);
        if (!offsetHours || !expect(u':'))
            return std::nullopt;
        const auto offsetMinutes = number(2);
        if (!offsetMinutes || *offsetHours > 23 || *offsetMinutes > 59)
            return std::nullopt;
        offsetSeconds = sign * (std::int64_t { *offsetHours } * 3600 + std::int64_t { *offsetMinutes } * 60);
    } else {
        return std::nullopt;
    }
    if (pos != text.size())
        return std::nullopt;

    const QDate date(*year, *month, *day);
    const QTime time(*hour, *minute, *second);
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    const std::int64_t seconds = QDateTime(date, time, Qt::UTC).toSecsSinceEpoch() - offsetSeconds;
    // An offset can move the instant out of years 1..9999 (0001-01-01T00:00:00+01:00), which
    // formatCaptureTimestamp() could not write back as four digits: a rewritten line would not read.
    static const std::int64_t firstSecond
        = QDateTime(QDate(1, 1, 1), QTime(0, 0), Qt::UTC).toSecsSinceEpoch();
    static const std::int64_t lastSecond
        = QDateTime(QDate(9999, 12, 31), QTime(23, 59, 59), Qt::UTC).toSecsSinceEpoch();
    if (seconds < firstSecond || seconds > lastSecond)
        return std::nullopt;
    return seconds * MicrosPerSecond + micros;
}

QByteArray captureHeaderLine(const QDateTime &created, const QJsonObject &extra)
{
    QByteArray out = "{\"zmqscope_capture\":" + QByteArray::number(CaptureFormatVersion) + ",\"created\":";
    appendJsonString(out, formatCaptureTimestamp(created.toMSecsSinceEpoch() * 1000));
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        if (it.key() == u"zmqscope_capture"_s || it.key() == u"created"_s)
            continue;
        out += ',';
        appendJsonString(out, it.key());
        out += ':';
        appendJsonValue(out, it.value());
    }
    out += "}\n";
    return out;
}

QJsonObject parseCaptureHeader(QByteArrayView line)
{
    QJsonObject header = parseObject(line, u"capture header"_s);
    const QJsonValue version = header.value(u"zmqscope_capture"_s);
    if (version.isUndefined())
        throw captureError(u"not a ZmqScope capture: the first line has no \"zmqscope_capture\" key"_s);
    if (!version.isDouble() || version.toDouble() != double(version.toInteger()))
        throw captureError(u"capture header has a \"zmqscope_capture\" that is %1, expected the integer %2"_s
                               .arg(jsonTypeName(version))
                               .arg(CaptureFormatVersion));
    if (version.toInteger() != CaptureFormatVersion)
        throw captureError(
            u"unsupported capture version %1; this build reads version %2"_s.arg(version.toInteger())
                .arg(CaptureFormatVersion));
    const QJsonValue created = header.value(u"created"_s);
    if (!created.isUndefined() && (!created.isString() || !parseCaptureTimestamp(created.toString())))
        throw captureError(u"capture header has an invalid \"created\" %1; expected ISO-8601 UTC like "
                           u"2026-11-25T21:57:37.123456Z"_s.arg(
                               created.isString() ? shown(created.toString()) : jsonTypeName(created)));
    return header;
}

CaptureRecord parseCaptureLine(QByteArrayView line)
{
    return parseCaptureLine(line, CaptureFrames::Decode);
}

CaptureRecord parseCaptureLine(QByteArrayView line, CaptureFrames frameDecoding)
{
    while (!line.isEmpty() && (line.back() == '\n' || line.back() == '\r'))
        line.chop(1);
    LineLayout layout;
    const bool scanned = LineScanner(line).scan(layout);
    QByteArray small; // the line without its big values, when the scan found them
    if (scanned && !layout.cut.isEmpty()) {
        qsizetype from = 0;
        for (qsizetype i = 0; i < layout.cut.size(); ++i) {
            small += line.sliced(from, layout.cut[i].begin - from);
            small += layout.cutIsFrames[i] ? QByteArrayView("[]") : QByteArrayView("null");
            from = layout.cut[i].end;
        }
        small += line.sliced(from);
    }
    const bool cutFrames = scanned && layout.cutIsFrames.contains(true);
    const QJsonObject object = parseObject(small.isEmpty() ? line : QByteArrayView(small), u"capture line"_s);
    if (object.contains(u"zmqscope_capture"_s))
        throw captureError(u"capture line is a capture header, not a message"_s);

    CaptureRecord record;

    const QJsonValue ts = object.value(u"ts"_s);
    if (!ts.isString())
        throw captureError(u"capture line has a \"ts\" that is %1, expected an ISO-8601 UTC timestamp"_s.arg(
            jsonTypeName(ts)));
    const auto timestamp = parseCaptureTimestamp(ts.toString());
    if (!timestamp)
        throw captureError(u"capture line has an invalid \"ts\" %1; expected ISO-8601 UTC like "
                           u"2026-11-25T21:57:37.123456Z"_s.arg(shown(ts.toString())));
    record.timestampUs = *timestamp;

    record.socket = optionalString(object, u"socket"_s);
    record.type = optionalString(object, u"type"_s);
    record.endpoint = optionalString(object, u"endpoint"_s);
    record.src = optionalString(object, u"src"_s);
    record.dst = optionalString(object, u"dst"_s);
    record.security = optionalString(object, u"security"_s);

    // An event line (section 12): no frames, an "event" kind. Kinds this build does not know are kept
    // as events too, so every reader can skip them.
    const QJsonValue event = object.value(u"event"_s);
    if (!object.contains(u"frames"_s) && event.isString() && !event.toString().isEmpty()) {
        record.event = event.toString();
        record.detail = optionalString(object, u"detail"_s);
        const QJsonValue topic = object.value(u"topic_base64"_s);
        if (!topic.isUndefined()) {
            const QByteArray encoded = topic.toString().toLatin1();
            auto decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::AbortOnBase64DecodingErrors);
            if (!topic.isString() || !decoded || encoded.size() % 4 != 0)
                throw captureError(
                    u"capture event line has a \"topic_base64\" that is not valid base64: %1"_s.arg(
                        topic.isString() ? shown(topic.toString()) : jsonTypeName(topic)));
            record.topic = std::move(*decoded);
        }
        return record;
    }

    const QString expected = u"expected \"in\", \"out\", \"c2s\" or \"s2c\""_s;
    const QJsonValue dir = object.value(u"dir"_s);
    const auto direction = dir.isString() ? parseDirection(dir.toString().toUtf8()) : std::nullopt;
    if (direction)
        record.direction = *direction;
    else if (dir.isString())
        throw captureError(
            u"capture line has an invalid \"dir\" %1; %2"_s.arg(shown(dir.toString()), expected));
    else
        throw captureError(u"capture line has a \"dir\" that is %1, %2"_s.arg(jsonTypeName(dir), expected));

    const QJsonValue peer = object.value(u"peer"_s);
    if (!peer.isUndefined()) {
        const QByteArray hex = peer.toString().toLatin1();
        const bool valid = peer.isString() && !hex.isEmpty() && hex.size() % 2 == 0
            && std::all_of(hex.cbegin(), hex.cend(), [](char c) { return std::isxdigit(uchar(c)) != 0; });
        if (!valid)
            throw captureError(
                u"capture line has a \"peer\" that is %1, expected the routing id in hex"_s.arg(
                    peer.isString() ? shown(peer.toString()) : jsonTypeName(peer)));
        record.peer = QByteArray::fromHex(hex);
    }

    const QJsonValue encrypted = object.value(u"encrypted"_s);
    if (!encrypted.isUndefined()) {
        if (!encrypted.isBool())
            throw captureError(u"capture line has an \"encrypted\" that is %1, expected true or false"_s.arg(
                jsonTypeName(encrypted)));
        record.encrypted = encrypted.toBool();
    }
    if (record.encrypted) {
        // A CURVE message seen on the wire: its size, no frames (section 12).
        const QJsonValue size = object.value(u"size"_s);
        const double bytes = size.toDouble(-1);
        if (!size.isDouble() || bytes < 0 || bytes != std::floor(bytes) || bytes > 9007199254740992.0)
            throw captureError(
                u"capture line is encrypted but its \"size\" is %1, expected a whole number of bytes"_s.arg(
                    size.isDouble() ? QString::number(bytes) : jsonTypeName(size)));
        record.size = std::uint64_t(bytes);
        return record;
    }

    if (cutFrames && frameDecoding == CaptureFrames::Skip)
        return record;
    if (cutFrames) {
        record.frames.reserve(layout.frameStrings.size());
        for (qsizetype i = 0; i < layout.frameStrings.size(); ++i) {
            const LineLayout::Span span = layout.frameStrings[i];
            record.frames.append(
                decodeFrame(line.sliced(span.begin, span.end - span.begin), i, layout.frameStrings.size()));
        }
        return record;
    }
    const QJsonValue frames = object.value(u"frames"_s);
    if (!frames.isArray())
        throw captureError(
            u"capture line has a \"frames\" that is %1, expected an array of base64 strings"_s.arg(
                jsonTypeName(frames)));
    const QJsonArray frameArray = frames.toArray();
    record.frames.reserve(frameArray.size());
    for (qsizetype i = 0; i < frameArray.size(); ++i) {
        const QJsonValue frame = frameArray.at(i);
        if (!frame.isString())
            throw captureError(u"capture line frame %1 of %2 is %3, expected a base64 string"_s.arg(i + 1)
                                   .arg(frameArray.size())
                                   .arg(jsonTypeName(frame)));
        const QByteArray encoded = frame.toString().toLatin1();
        auto decoded = QByteArray::fromBase64Encoding(encoded, QByteArray::AbortOnBase64DecodingErrors);
        // toLatin1() turns characters it cannot hold into '?', which the strict decoder rejects. Qt
        // also takes unpadded and truncated input ("A"); whole 4-character groups are what we write.
        if (!decoded || encoded.size() % 4 != 0)
            throw captureError(u"capture line frame %1 of %2 is not valid base64: %3"_s.arg(i + 1)
                                   .arg(frameArray.size())
                                   .arg(shown(frame.toString())));
        record.frames.append(std::move(*decoded));
    }
    return record;
}

} // namespace zmqscope
