#include <cerrno>
#include <cstring>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

#include <zmqscope/capture/capturereader.h>

#include "capture_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

constexpr qsizetype ReadChunkBytes = qsizetype { 1 } << 20;
// A header is a few hundred bytes; a first line this long means the file is something else.
constexpr qsizetype MaxHeaderBytes = qsizetype { 1 } << 20;
// Far above the longest line a 256 MiB message (the engine's default maxmsgsize) gives in practice;
// a longer line is skipped without being held in memory.
constexpr qsizetype MaxLineBytes = qsizetype { 1 } << 30;

QString quotedPath(const QString &path)
{
    return u"\"%1\""_s.arg(QDir::toNativeSeparators(path));
}

QString byteCount(qint64 bytes)
{
    return bytes == 1 ? u"1 byte"_s : u"%1 bytes"_s.arg(bytes);
}

} // namespace

class CaptureReaderPrivate
{
public:
    enum class LineKind
    {
        Complete, ///< a line ended by '\n'
        Unterminated, ///< the last bytes of the file, without '\n'
        TooLong, ///< longer than the limit; skipped, not held
        End,
    };

    [[nodiscard]] Error cannotRead(const QString &reason) const
    {
        return Error(
            ErrorCode::FileError, u"cannot read capture file %1: %2"_s.arg(quotedPath(path), reason));
    }
    bool fill();
    void compact(qsizetype &scanFrom);
    void releaseLongLine();
    /// With `skipLongLine` a line over maxBytes is read past (to its newline) without keeping it;
    /// without, TooLong comes back at once and the reader is left in the middle of it.
    LineKind readLine(QByteArrayView &line, qsizetype maxBytes, bool skipLongLine = true);
    void readHeader();
    void addIssue(const QString &message)
    {
        issues.append(CaptureIssue { lineNumber, u"line %1: %2"_s.arg(lineNumber).arg(message) });
    }

    QString path;
    QFile file;
    QJsonObject header;
    QList<CaptureIssue> issues;
    QByteArray buffer; // read ahead; the unread part starts at `start`
    qsizetype start = 0;
    qint64 position = 0;
    qint64 size = 0;
    qint64 lineNumber = 0;
    bool atEnd = false;
    CaptureFrames frames = CaptureFrames::Decode;
};

bool CaptureReaderPrivate::fill()
{
    if (atEnd)
        return false;
    // A small file gets a small buffer; a large one is read a chunk at a time.
    const qsizetype chunk = qsizetype(qBound<qint64>(4096, size - position + 1, ReadChunkBytes));
    const qsizetype old = buffer.size();
    // A long line grows the buffer by a quarter at a time, not doubled as QByteArray would: a line
    // of 512 MiB then needs at most about 640 MiB (plus its decoded frames), not 1 GiB.
    if (old + chunk > buffer.capacity())
        buffer.reserve(old + chunk + old / 4);
    buffer.resize(old + chunk);
    qint64 read = 0;
#ifdef Q_OS_UNIX
    if (file.isSequential()) {
        // A pipe, FIFO or terminal: take what is there now. QFile's unbuffered read would wait until
        // it has the whole chunk, so a live stream (listen ... | cat /dev/stdin) would show nothing
        // until 4 KiB had come.
        do {
            read = ::read(file.handle(), buffer.data() + old, size_t(chunk));
        } while (read < 0 && errno == EINTR);
        if (read < 0) {
            const int error = errno;
            buffer.resize(old);
            throw cannotRead(QString::fromLocal8Bit(std::strerror(error)));
        }
    } else
#endif
    {
        read = file.read(buffer.data() + old, chunk);
        if (read < 0) {
            buffer.resize(old);
            throw cannotRead(file.errorString());
        }
    }
    buffer.resize(old + qsizetype(read));
    if (read == 0)
        atEnd = true;
    return read > 0;
}

// After a long line the buffer is as big as that line: give it back (keeping what was read ahead)
// before the caller works with the record, so a line's text and its decoded frames are the most
// that is ever held at once.
void CaptureReaderPrivate::releaseLongLine()
{
    if (buffer.capacity() <= 4 * ReadChunkBytes)
        return;
    buffer = QByteArray(buffer.constData() + start, buffer.size() - start);
    start = 0;
}

void CaptureReaderPrivate::compact(qsizetype &scanFrom)
{
    if (start == 0)
        return;
    buffer.remove(0, start);
    scanFrom -= start;
    start = 0;
}

CaptureReaderPrivate::LineKind CaptureReaderPrivate::readLine(
    QByteArrayView &line, qsizetype maxBytes, bool skipLongLine)
{
    qsizetype scanFrom = start;
    for (;;) {
        const qsizetype newline = buffer.indexOf('\n', scanFrom);
        if (newline >= 0) {
            line = QByteArrayView(buffer.constData() + start, newline - start);
            position += newline + 1 - start;
            start = newline + 1;
            return LineKind::Complete;
        }
        scanFrom = buffer.size();
        if (buffer.size() - start > maxBytes) {
            if (!skipLongLine)
                return LineKind::TooLong;
            // Drop what we have and everything up to the next newline, a chunk at a time.
            position += buffer.size() - start;
            buffer.clear();
            start = 0;
            while (fill()) {
                const qsizetype end = buffer.indexOf('\n');
                if (end >= 0) {
                    position += end + 1;
                    start = end + 1;
                    return LineKind::TooLong;
                }
                position += buffer.size();
                buffer.clear();
            }
            return LineKind::TooLong;
        }
        compact(scanFrom);
        if (!fill()) {
            if (start < buffer.size()) {
                line = QByteArrayView(buffer.constData() + start, buffer.size() - start);
                position += buffer.size() - start;
                start = buffer.size();
                return LineKind::Unterminated;
            }
            return LineKind::End;
        }
    }
}

void CaptureReaderPrivate::readHeader()
{
    QByteArrayView line;
    // A big binary file may have no newline at all: judge it by its first megabyte, not by all of it.
    const LineKind kind = readLine(line, MaxHeaderBytes, false);
    if (kind == LineKind::End)
        throw cannotRead(u"the file is empty"_s);
    lineNumber = 1;
    if (kind == LineKind::TooLong)
        throw cannotRead(
            u"not a ZmqScope capture (line 1 is longer than %1)"_s.arg(byteCount(MaxHeaderBytes)));
    if (line.startsWith("\xEF\xBB\xBF"))
        line = line.sliced(3); // an editor may have added a byte order mark
    while (!line.isEmpty() && line.back() == '\r')
        line.chop(1);
    // Only parse what looks like an object: a binary file gets a short message, not a JSON error.
    QJsonParseError error {};
    const QJsonDocument document = line.trimmed().startsWith('{')
        ? QJsonDocument::fromJson(line.toByteArray(), &error)
        : QJsonDocument();
    // Qt's parser refuses nesting deeper than it can follow (1024 levels); say so, it is not "no object".
    if (error.error == QJsonParseError::DeepNesting)
        throw cannotRead(u"not a ZmqScope capture (line 1 is too deeply nested: %1 at byte %2)"_s.arg(
            error.errorString(), QString::number(error.offset)));
    if (document.isNull() || error.error != QJsonParseError::NoError || !document.isObject())
        throw cannotRead(u"not a ZmqScope capture (line 1 is not a JSON object)"_s);
    if (!document.object().contains(u"zmqscope_capture"_s))
        throw cannotRead(u"not a ZmqScope capture (line 1 has no \"zmqscope_capture\" key)"_s);
    try {
        header = parseCaptureHeader(line);
    } catch (const Error &headerError) {
        throw cannotRead(headerError.message());
    }
}

CaptureReader::CaptureReader(const QString &path)
    : d(std::make_unique<CaptureReaderPrivate>())
{
    d->path = path;
    if (path.isEmpty())
        throw Error(ErrorCode::FileError, u"cannot read a capture file: no file name given"_s);
    if (QFileInfo(path).isDir())
        throw d->cannotRead(u"it is a directory"_s);
    d->file.setFileName(path);
    if (!d->file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        throw d->cannotRead(d->file.errorString());
    d->size = d->file.size();
    d->readHeader();
}

CaptureReader::~CaptureReader() = default;

void CaptureReader::setDecodeFrames(bool decode)
{
    d->frames = decode ? CaptureFrames::Decode : CaptureFrames::Skip;
}

QString CaptureReader::path() const
{
    return d->path;
}

const QJsonObject &CaptureReader::header() const
{
    return d->header;
}

bool CaptureReader::next(CaptureRecord &record)
{
    for (;;) {
        QByteArrayView line;
        const auto kind = d->readLine(line, MaxLineBytes);
        if (kind == CaptureReaderPrivate::LineKind::End)
            return false;
        ++d->lineNumber;
        if (kind == CaptureReaderPrivate::LineKind::TooLong) {
            d->addIssue(u"longer than %1; skipped"_s.arg(byteCount(MaxLineBytes)));
            continue;
        }
        if (line.trimmed().isEmpty())
            continue;
        try {
            record = parseCaptureLine(line, d->frames);
            d->releaseLongLine();
            return true;
        } catch (const Error &error) {
            d->releaseLongLine();
            if (kind == CaptureReaderPrivate::LineKind::Unterminated) {
                d->addIssue(u"the last line is incomplete (%1 without a newline; the file was probably cut "
                            u"while being written); skipped"_s.arg(byteCount(line.size())));
                continue;
            }
            // `cat` of several captures (rotated files) repeats the header: not an error.
            if (line.trimmed().startsWith("{\"zmqscope_capture\"")) {
                try {
                    (void)parseCaptureHeader(line);
                    continue;
                } catch (const Error &headerError) {
                    d->addIssue(headerError.message());
                    continue;
                }
            }
            d->addIssue(error.message());
        }
    }
}

qint64 CaptureReader::position() const
{
    return d->position;
}

qint64 CaptureReader::size() const
{
    return d->size;
}

qint64 CaptureReader::lineNumber() const
{
    return d->lineNumber;
}

const QList<CaptureIssue> &CaptureReader::issues() const
{
    return d->issues;
}

} // namespace zmqscope
