#include "messageformatter.h"

#include <zmqscope/envelope.h>
#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

QString bytesWord(qsizetype count)
{
    return count == 1 ? u"1 byte"_s : u"%1 bytes"_s.arg(count);
}

QString framesWord(qsizetype count)
{
    return count == 1 ? u"1 frame"_s : u"%1 frames"_s.arg(count);
}

// A frame's line value: the escaped text and its size, cut for very big frames.
QString frameValue(const QByteArray &bytes)
{
    QString value = escapeForTerminal(bytes);
    if (bytes.size() > MessageFormatter::PreviewBytes)
        value += u" (%1, first %2 shown; --format jsonl has all)"_s.arg(bytesWord(bytes.size()))
                     .arg(MessageFormatter::PreviewBytes);
    else
        value += u" (%1)"_s.arg(bytesWord(bytes.size()));
    return value;
}

} // namespace

QString escapeForTerminal(QByteArrayView bytes, qsizetype limit)
{
    textescape::EscapeOptions options;
    options.quoted = true;
    options.maxBytes = limit;
    options.cutMarker = u"..."_s; // ASCII: a terminal may not have the glyph
    return textescape::escape(bytes, options);
}

MessageFormatter::MessageFormatter(OutputFormat format, QString socketName, SocketType type, QString endpoint)
    : m_format(format)
    , m_socketName(std::move(socketName))
    , m_typeName(socketTypeName(type))
    , m_endpoint(std::move(endpoint))
    , m_lineWriter(m_socketName, m_typeName, m_endpoint)
{ }

MessageFormatter::MessageFormatter(
    OutputFormat format, QString socketName, QString typeName, QString endpoint)
    : m_format(format)
    , m_socketName(std::move(socketName))
    , m_typeName(std::move(typeName))
    , m_endpoint(std::move(endpoint))
    , m_lineWriter(m_socketName, m_typeName, m_endpoint)
{ }

CaptureRecord MessageFormatter::record(
    std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView peer) const
{
    CaptureRecord result { timestampUs, m_socketName, m_typeName, m_endpoint, direction, frames };
    result.peer = peer.toByteArray();
    return result;
}

QByteArrayView MessageFormatter::format(
    std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView peer)
{
    m_buffer.resize(0); // keeps the capacity
    if (m_format == OutputFormat::Jsonl)
        m_lineWriter.append(m_buffer, timestampUs, direction, frames, peer);
    else
        m_buffer += pretty(timestampUs, direction, frames, peer);
    return m_buffer;
}

QByteArray formatEvent(const CaptureRecord &event)
{
    QString text = formatCaptureTimestamp(event.timestampUs) + u"  "_s + quoted(event.socket) + u"  "_s
        + textescape::escape(event.event.toUtf8());
    if (event.event == u"subscribe" || event.event == u"unsubscribe")
        text += u" "_s + (event.topic.isEmpty() ? u"(every topic)"_s : escapeForTerminal(event.topic));
    if (!event.detail.isEmpty())
        text += u": "_s + textescape::escape(event.detail.toUtf8());
    return (text + u"\n\n"_s).toUtf8();
}

QByteArray formatWireMessage(const CaptureRecord &record, OutputFormat format)
{
    if (format == OutputFormat::Jsonl)
        return captureLine(record);
    // The connection's addresses come from packets anybody may have sent: escaped like payloads.
    const QString wire = u"  wire:     %1 -> %2, %3\n"_s.arg(textescape::escape(record.src.toUtf8()),
        textescape::escape(record.dst.toUtf8()),
        record.security.isEmpty() ? u"security not seen"_s : textescape::escape(record.security.toUtf8()));
    if (record.encrypted) {
        QString text = formatCaptureTimestamp(record.timestampUs) + u"  "_s
            + QString::fromLatin1(directionName(record.direction)) + u"  "_s + quoted(record.socket) + u'\n'
            + wire
            + u"  encrypted: %1 of CURVE payload; it cannot be decoded without the keys\n\n"_s.arg(
                bytesWord(qsizetype(record.size)));
        return text.toUtf8();
    }
    MessageFormatter formatter(format, record.socket, textescape::escape(record.type.toUtf8()),
        textescape::escape(record.endpoint.toUtf8()));
    QByteArray text = formatter.format(record.timestampUs, record.direction, record.frames).toByteArray();
    // After the header line: where it went on the wire.
    const qsizetype headerEnd = text.indexOf('\n');
    text.insert(headerEnd + 1, wire.toUtf8());
    return text;
}

QByteArray MessageFormatter::pretty(
    std::int64_t timestampUs, Direction direction, const Frames &frames, QByteArrayView peer) const
{
    qsizetype total = 0;
    for (const QByteArray &frame : frames)
        total += frame.size();

    const QString &typeName = m_typeName;
    QString text = formatCaptureTimestamp(timestampUs) + u"  "_s
        + QString::fromLatin1(directionName(direction)) + u"  "_s + typeName;
    if (m_socketName != typeName)
        text += u' ' + quoted(m_socketName);
    // The endpoint is what the user typed or a file recorded: escaped like the name (never raw).
    text += u"  "_s + textescape::escape(m_endpoint.toUtf8()) + u'\n';
    if (!peer.isEmpty())
        text += u"  peer:     "_s + QString::fromLatin1(peer.toByteArray().toHex()) + u'\n';

    const auto parsed = Envelope::parse(frames);
    if (parsed.envelope) {
        const Envelope &envelope = *parsed.envelope;
        const auto routeCount = envelope.requestFrames().size();
        if (parsed.kind == MessageKind::RoutedEnvelope && routeCount == 0)
            text += u"  envelope after an empty delimiter: %1, %2\n"_s.arg(
                framesWord(frames.size()), bytesWord(total));
        else if (parsed.kind == MessageKind::RoutedEnvelope)
            text += u"  envelope after %1 and the empty delimiter: %2, %3\n"_s.arg(
                routeCount == 1 ? u"1 request frame"_s : u"%1 request frames"_s.arg(routeCount),
                framesWord(frames.size()), bytesWord(total));
        else
            text += u"  envelope: %1, %2\n"_s.arg(framesWord(frames.size()), bytesWord(total));
        for (qsizetype i = 0; i < routeCount; ++i)
            text += u"  route %1:  %2\n"_s.arg(i + 1).arg(frameValue(envelope.requestFrames()[i]));
        text += u"  id:       "_s + frameValue(envelope.id()) + u'\n';
        text += u"  mimetype: "_s + frameValue(envelope.mimetype()) + u'\n';
        text += u"  body:     "_s + frameValue(envelope.data()) + u'\n';
    } else {
        text += u"  raw message, not an envelope: %1; %2\n"_s.arg(bytesWord(total), parsed.reason);
        for (qsizetype i = 0; i < frames.size(); ++i)
            text += u"  frame %1:  %2\n"_s.arg(i + 1).arg(frameValue(frames[i]));
    }
    text += u'\n';
    return text.toUtf8();
}

} // namespace zmqscope::cli
