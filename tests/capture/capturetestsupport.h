#pragma once

// Helpers shared by the capture suites: random records that exercise every
// byte value and the text/base64 split, and small file utilities.

#include <vector>

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QString>

#include <zmqscope/capture/capture.h>

namespace capturetest {

using namespace Qt::StringLiterals;

/// Random bytes; about one message in eight gets NUL bytes, one in eight invalid UTF-8 on purpose.
inline QByteArray randomBytes(QRandomGenerator &random, int maxSize)
{
    const int size = int(random.bounded(maxSize + 1));
    QByteArray bytes(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        bytes[i] = char(random.bounded(256));
    return bytes;
}

/// Text that is valid UTF-8 but nasty in JSON and on terminals: quotes, newlines, escapes, bidi, emoji.
inline QByteArray nastyText(QRandomGenerator &random)
{
    static const char *const pieces[] = { "plain", "\"quoted\"", "back\\slash", "new\nline", "tab\t", "\r\n",
        "\x1b[2J", "\xe2\x80\xae", "\xe2\x80\xa8", "\xf0\x9f\x98\x80", "\xef\xbb\xbf", "{\"json\":[1,2]}", "",
        "\x7f", "\xc2\x9b", "caf\xc3\xa9" };
    QByteArray text;
    const int count = int(random.bounded(6));
    for (int i = 0; i < count; ++i)
        text += pieces[random.bounded(int(std::size(pieces)))];
    return text;
}

/// A random record: raw frames (0..5, random bytes including empty ones) or an envelope with
/// text or binary parts, with or without routing frames.
inline zmqscope::CaptureRecord randomRecord(QRandomGenerator &random)
{
    static const QString names[]
        = { u"SUB 1"_s, u"probe"_s, u"\"quoted\" name"_s, u"caf\u00e9 \u2603"_s, QString() };
    static const QString types[] = { u"SUB"_s, u"PULL"_s, u"ROUTER"_s, u"PAIR"_s };
    zmqscope::CaptureRecord record;
    record.timestampUs = std::int64_t(random.bounded(4'000'000'000'000'000LL)) - 1'000'000'000'000'000LL;
    record.socket = names[random.bounded(int(std::size(names)))];
    record.type = types[random.bounded(int(std::size(types)))];
    record.endpoint = random.bounded(2) ? u"tcp://127.0.0.1:%1"_s.arg(random.bounded(65536))
                                        : u"inproc://a,ipc:///tmp/b"_s;
    record.direction = random.bounded(2) ? zmqscope::Direction::In : zmqscope::Direction::Out;
    switch (random.bounded(4)) {
    case 0: { // raw frames, anything
        const int frames = int(random.bounded(6));
        for (int i = 0; i < frames; ++i)
            record.frames.append(randomBytes(random, 200));
        break;
    }
    case 1: // envelope with text
        record.frames = { nastyText(random), "text/plain", nastyText(random) };
        break;
    case 2: // envelope with binary parts (invalid UTF-8 most of the time) behind routing frames
        record.frames = { randomBytes(random, 8), QByteArray(), randomBytes(random, 10),
            "application/octet-stream", randomBytes(random, 300) };
        break;
    default: // NUL bytes and lone continuation bytes in every position
        record.frames = { QByteArray(int(random.bounded(4)), '\0'), QByteArray("\x80\xff\xc0\x00", 4),
            QByteArray("a\0b", 3) };
        break;
    }
    return record;
}

inline std::vector<zmqscope::CaptureRecord> randomRecords(quint32 seed, int count)
{
    QRandomGenerator random(seed);
    std::vector<zmqscope::CaptureRecord> records;
    records.reserve(std::size_t(count));
    for (int i = 0; i < count; ++i)
        records.push_back(randomRecord(random));
    return records;
}

/// A record whose line is about `bytes` long, numbered so order can be checked.
inline zmqscope::CaptureRecord numberedRecord(int number, int bodyBytes = 40)
{
    zmqscope::CaptureRecord record;
    record.timestampUs = 1'764'000'000'000'000 + number;
    record.socket = u"numbered"_s;
    record.type = u"PULL"_s;
    record.endpoint = u"inproc://numbers"_s;
    record.frames = { QByteArray::number(number), "text/plain", QByteArray(bodyBytes, 'x') };
    return record;
}

inline QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

/// A valid header line, '\n' included.
inline QByteArray headerLine()
{
    return zmqscope::captureHeaderLine(QDateTime::fromSecsSinceEpoch(1'764'000'000, Qt::UTC));
}

} // namespace capturetest
