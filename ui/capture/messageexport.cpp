#include "messageexport.h"

#include <QDateTime>
#include <QDir>
#include <QSaveFile>
#include <QStringDecoder>

#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/envelope.h>
#include <zmqscope/version.h>

using namespace Qt::StringLiterals;

namespace zmqscope::messageexport {

namespace {

constexpr qsizetype FlushBytes = 1 << 20;

bool isUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    Q_UNUSED(text);
    return !decoder.hasError();
}

QByteArray textOrBase64(const QByteArray &bytes)
{
    return isUtf8(bytes) ? bytes : QByteArrayLiteral("base64:") + bytes.toBase64();
}

QString pathForMessages(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

} // namespace

QString suffix(ExportFormat format)
{
    return format == ExportFormat::Csv ? u"csv"_s : QString::fromLatin1(CaptureFileSuffix);
}

QList<QByteArray> csvColumns()
{
    return { "seq", "time", "socket", "type", "endpoint", "direction", "peer", "frame_count", "id",
        "mimetype", "body", "body_encoding", "frames" };
}

QByteArray csvHeaderRow()
{
    return csvColumns().join(',') + "\r\n";
}

QByteArray csvField(const QByteArray &text)
{
    if (!text.contains(',') && !text.contains('"') && !text.contains('\r') && !text.contains('\n'))
        return text;
    QByteArray quoted = text;
    quoted.replace('"', "\"\"");
    return '"' + quoted + '"';
}

QByteArray csvRow(std::uint64_t seq, const CaptureRecord &record)
{
    QByteArray id, mimetype, body, bodyEncoding;
    const EnvelopeParseResult parsed = Envelope::parse(record.frames);
    if (parsed.envelope) {
        id = textOrBase64(parsed.envelope->id());
        mimetype = textOrBase64(parsed.envelope->mimetype());
        if (isUtf8(parsed.envelope->data())) {
            body = parsed.envelope->data();
            bodyEncoding = "text";
        } else {
            body = parsed.envelope->data().toBase64();
            bodyEncoding = "base64";
        }
    }
    QByteArrayList frames;
    frames.reserve(record.frames.size());
    for (const QByteArray &frame : record.frames)
        frames.append(frame.toBase64());

    const QByteArrayList fields { QByteArray::number(qulonglong(seq)),
        formatCaptureTimestamp(record.timestampUs).toUtf8(), record.socket.toUtf8(), record.type.toUtf8(),
        record.endpoint.toUtf8(), directionName(record.direction).toByteArray(), record.peer.toHex(),
        QByteArray::number(record.frames.size()), id, mimetype, body, bodyEncoding, frames.join(' ') };
    QByteArray row;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            row += ',';
        row += csvField(fields.at(i));
    }
    return row + "\r\n";
}

QList<QByteArray> parseCsvRecord(QByteArrayView line, qsizetype *consumed)
{
    QList<QByteArray> fields;
    QByteArray field;
    bool quoted = false;
    bool fieldStarted = false;
    qsizetype i = 0;
    for (; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == '"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == ',') {
            fields.append(field);
            field.clear();
            fieldStarted = false;
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < line.size() && line[i + 1] == '\n')
                ++i;
            ++i;
            break;
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    fields.append(field);
    if (consumed)
        *consumed = i;
    return fields;
}

ExportResult run(const MessageStore &store, const ExportRequest &request, const std::atomic<bool> &cancelled,
    const std::function<void(std::uint64_t, std::uint64_t)> &progress)
{
    ExportResult result;
    const QString where = pathForMessages(request.path);
    if (request.path.isEmpty()) {
        result.outcome = Error(ErrorCode::FileError, u"Choose a file to export to"_s);
        return result;
    }

    std::vector<std::uint64_t> filtered;
    const std::vector<std::uint64_t> *seqs = &request.seqs;
    if (request.seqs.empty()) {
        if (request.filter.isEmpty()) {
            for (std::uint64_t seq = qMax(request.begin, store.firstSeq()); seq < request.end; ++seq)
                filtered.push_back(seq);
        } else {
            filtered = request.filter.scan(store, request.begin, request.end, cancelled).seqs;
        }
        seqs = &filtered;
    }
    if (cancelled.load()) {
        result.cancelled = true;
        return result;
    }

    QSaveFile file(request.path);
    if (!file.open(QIODevice::WriteOnly)) {
        result.outcome = Error(ErrorCode::FileError, u"Cannot write %1: %2"_s.arg(where, file.errorString()));
        return result;
    }

    QByteArray buffer;
    buffer.reserve(FlushBytes + qsizetype { 64 } * 1024);
    if (request.format == ExportFormat::Csv) {
        buffer += csvHeaderRow();
    } else {
        QJsonObject extra = request.headerExtra;
        extra.insert(u"writer"_s, u"zmqscope %1"_s.arg(libraryVersion()));
        buffer += captureHeaderLine(QDateTime::currentDateTimeUtc(), extra);
    }

    const auto flush = [&]() {
        if (file.write(buffer) != buffer.size()) {
            result.outcome
                = Error(ErrorCode::FileError, u"Cannot write %1: %2"_s.arg(where, file.errorString()));
            return false;
        }
        buffer.clear();
        return true;
    };

    const std::uint64_t total = seqs->size();
    StoredMessage message;
    CaptureRecord record;
    std::uint64_t done = 0;
    for (const std::uint64_t seq : *seqs) {
        if (cancelled.load(std::memory_order_relaxed)) {
            file.cancelWriting();
            result.cancelled = true;
            return result;
        }
        ++done;
        if (!store.message(seq, message)) {
            ++result.skipped;
            continue;
        }
        const ExportSocket socket = request.sockets.value(message.socket);
        record.timestampUs = message.timestampUs;
        record.socket = socket.name.isEmpty() ? u"#%1"_s.arg(message.socket) : socket.name;
        // A tap's lines name the sender's type, as the recorder writes them.
        record.type = socket.typeFor(message.direction);
        record.endpoint = socket.endpoint;
        // A packet capture's connection: its lines say who sent to whom and how it was secured.
        record.src = socket.sourceFor(message.direction);
        record.dst = socket.destinationFor(message.direction);
        record.security = socket.security;
        record.direction = message.direction;
        const auto encrypted = request.encryptedSizes.constFind(seq);
        record.encrypted = encrypted != request.encryptedSizes.cend();
        record.size = record.encrypted ? *encrypted : 0;
        record.frames = std::move(message.frames);
        record.peer = std::move(message.peer);
        buffer += request.format == ExportFormat::Csv ? csvRow(seq, record) : captureLine(record);
        ++result.written;
        if (buffer.size() >= FlushBytes) {
            if (!flush()) {
                file.cancelWriting();
                return result;
            }
        }
        if (progress && done % 1024 == 0)
            progress(done, total);
    }
    if (!flush()) {
        file.cancelWriting();
        return result;
    }
    if (!file.commit()) {
        result.outcome = Error(ErrorCode::FileError, u"Cannot write %1: %2"_s.arg(where, file.errorString()));
        return result;
    }
    if (progress)
        progress(total, total);
    return result;
}

} // namespace zmqscope::messageexport
