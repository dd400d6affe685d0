#pragma once

// Helpers of tst_zmtpdecoder: feeding a ZmtpStreamDecoder in pieces, events as text, hand-built
// ZMTP bytes, and the checks shared by the gap and mid-stream-join tests.

#include <algorithm>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

#include <zmqscope/capture/zmtpdecoder.h>

namespace zmtptest {

using namespace Qt::StringLiterals;
using namespace zmqscope;
using Kind = ZmtpEvent::Kind;

struct Decoded
{
    QList<ZmtpEvent> events;
    QList<qsizetype> endOffsets; ///< per event: how many bytes had been fed when it came (byte-wise feeding)
    ZmtpStreamDecoder::State state = ZmtpStreamDecoder::State::Greeting;
    bool isZmtp = true;
};

/// Feeds `bytes` in pieces that end at `cuts` (ascending offsets), all at timestamp 0; with `finish`,
/// ends the stream there (ZmtpStreamDecoder::finish at timestamp 1).
inline Decoded decode(QByteArrayView bytes, const QList<qsizetype> &cuts = {},
    ZmtpStreamDecoder::Limits limits = {}, bool finish = false)
{
    Decoded result;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { result.events.append(event); }, limits);
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        decoder.feed(bytes.sliced(from, cut - from), 0);
        from = cut;
    }
    decoder.feed(bytes.sliced(from), 0);
    if (finish)
        decoder.finish(1);
    result.state = decoder.state();
    result.isZmtp = decoder.isZmtp();
    return result;
}

inline Decoded decodeByteWise(QByteArrayView bytes)
{
    Decoded result;
    qsizetype fed = 0;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) {
        result.events.append(event);
        result.endOffsets.append(fed);
    });
    for (; fed < bytes.size();) {
        ++fed; // counted before the feed: the event completes with this byte
        decoder.feed(bytes.sliced(fed - 1, 1), 0);
    }
    result.state = decoder.state();
    result.isZmtp = decoder.isZmtp();
    return result;
}

inline QList<qsizetype> randomCuts(qsizetype size, QRandomGenerator &random)
{
    QList<qsizetype> cuts;
    qsizetype at = 0;
    while (true) {
        at += 1 + random.bounded(random.bounded(2) ? 5 : 5000);
        if (at >= size)
            return cuts;
        cuts.append(at);
    }
}

inline QString kindName(Kind kind)
{
    static const char *const names[]
        = { "Greeting", "Ready", "PlainHello", "PlainWelcome", "PlainInitiate", "CurveHandshake", "Subscribe",
              "Cancel", "Ping", "Pong", "Error", "Message", "Encrypted", "Command", "Problem" };
    return QString::fromLatin1(names[int(kind)]);
}

/// One event as a line for failure messages (frame bytes as sizes and a hash).
inline QString describe(const ZmtpEvent &event)
{
    QString text = kindName(event.kind) + u' ' + QString::fromLatin1(event.commandName);
    if (event.kind == Kind::Greeting)
        text += u" %1.%2 %3 server=%4"_s.arg(event.versionMajor)
                    .arg(event.versionMinor)
                    .arg(zmtpMechanismName(event.mechanism))
                    .arg(event.asServer);
    for (const auto &[name, value] : event.metadata)
        text += u" %1=%2"_s.arg(QString::fromLatin1(name), QString::fromLatin1(value.toHex()));
    if (!event.topic.isEmpty())
        text += u" topic=%1"_s.arg(QString::fromLatin1(event.topic.toHex()));
    for (const QByteArray &frame : event.frames)
        text += u" [%1 %2]"_s.arg(frame.size())
                    .arg(QString::fromLatin1(
                        QCryptographicHash::hash(frame, QCryptographicHash::Sha1).toHex().left(8)));
    text += u" size=%1 %2"_s.arg(event.size).arg(event.detail);
    return text;
}

inline QStringList describeAll(const QList<ZmtpEvent> &events)
{
    QStringList lines;
    for (const ZmtpEvent &event : events)
        lines.append(describe(event));
    return lines;
}

inline QList<ZmtpEvent> ofKind(const QList<ZmtpEvent> &events, Kind kind)
{
    QList<ZmtpEvent> result;
    for (const ZmtpEvent &event : events)
        if (event.kind == kind)
            result.append(event);
    return result;
}

/// The details of the Problem events, in order.
inline QStringList problems(const QList<ZmtpEvent> &events)
{
    QStringList details;
    for (const ZmtpEvent &event : ofKind(events, Kind::Problem))
        details.append(event.detail);
    return details;
}

inline Frames framesOf(const QJsonValue &message)
{
    Frames frames;
    for (const auto &frame : message.toArray())
        frames.append(QByteArray::fromBase64(frame.toString().toLatin1()));
    return frames;
}

inline QList<Frames> messagesOf(const QJsonValue &list)
{
    QList<Frames> messages;
    for (const auto &message : list.toArray())
        messages.append(framesOf(message));
    return messages;
}

inline QList<Frames> framesOfMessages(const QList<ZmtpEvent> &events)
{
    QList<Frames> messages;
    for (const ZmtpEvent &event : ofKind(events, Kind::Message))
        messages.append(event.frames);
    return messages;
}

/// Every byte any event holds, for "this secret appears nowhere".
inline QByteArray everything(const QList<ZmtpEvent> &events)
{
    QByteArray all;
    for (const ZmtpEvent &event : events) {
        all += event.commandName + event.topic + event.detail.toUtf8();
        for (const auto &[name, value] : event.metadata)
            all += name + value;
        for (const QByteArray &frame : event.frames)
            all += frame;
    }
    return all;
}

/**
 * The events from `at` on, after a gap or a mid-stream join: a Problem that starts with
 * `resyncPrefix`, maybe one that says the end of a message was dropped, then the end of the whole
 * stream's events exactly, with nothing lost after the next two events past `resumeOffset`.
 * Returns what is wrong, or an empty string.
 */
inline QString checkResynchronised(const QList<ZmtpEvent> &events, qsizetype at, const QString &resyncPrefix,
    const Decoded &full, qsizetype resumeOffset)
{
    if (at >= events.size() || events.at(at).kind != Kind::Problem
        || !events.at(at).detail.startsWith(resyncPrefix))
        return u"no resynchronisation Problem: "_s
            + (at < events.size() ? describe(events.at(at)) : QString());
    ++at;
    if (at < events.size() && events.at(at).kind == Kind::Problem
        && !events.at(at++).detail.startsWith(u"dropped the end of a message"_s))
        return u"an unexpected Problem: "_s + describe(events.at(at - 1));
    const QList<ZmtpEvent> rest = events.sliced(at);
    if (rest != full.events.sliced(full.events.size() - rest.size()))
        return u"the events after it differ from the whole stream's:\n"_s + describeAll(rest).join(u'\n');
    qsizetype mustHave = 0;
    int boundaries = 0;
    for (qsizetype i = 0; i < full.events.size(); ++i) {
        if (full.endOffsets.at(i) > resumeOffset && ++boundaries > 2) {
            mustHave = full.events.size() - i;
            break;
        }
    }
    if (rest.size() < mustHave)
        return u"%1 events after it, %2 expected"_s.arg(rest.size()).arg(mustHave);
    return QString();
}

inline QByteArray greeting(int major, int minor, QByteArrayView mechanism, bool asServer)
{
    QByteArray bytes("\xff\0\0\0\0\0\0\0\x01\x7f", 10);
    bytes += char(major);
    bytes += char(minor);
    QByteArray name = mechanism.toByteArray();
    name.resize(20, '\0');
    bytes += name;
    bytes += char(asServer ? 1 : 0);
    bytes += QByteArray(31, '\0');
    return bytes;
}

inline QByteArray frame(quint8 flags, QByteArrayView body)
{
    QByteArray bytes;
    if (body.size() > 255) {
        bytes += char(flags | 0x02);
        for (int shift = 56; shift >= 0; shift -= 8)
            bytes += char((quint64(body.size()) >> shift) & 0xff);
    } else {
        bytes += char(flags);
        bytes += char(body.size());
    }
    return bytes + body.toByteArray();
}

inline QByteArray command(QByteArrayView name, QByteArrayView data)
{
    const QByteArray body = QByteArray(1, char(name.size())) + name.toByteArray() + data.toByteArray();
    return frame(0x04, body);
}

} // namespace zmtptest
