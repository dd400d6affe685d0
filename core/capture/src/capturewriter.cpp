#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <zmqscope/capture/capturewriter.h>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// The buffer is handed to the OS when it reaches this size even without flush(), so a writer fed
// a long burst between flushes keeps its memory bounded.
constexpr qsizetype MaxBufferBytes = qsizetype { 4 } << 20;
constexpr auto SyncInterval = std::chrono::seconds(1);

QString quotedPath(const QString &path)
{
    return u"\"%1\""_s.arg(QDir::toNativeSeparators(path));
}

Error writeError(const QString &path, const QString &reason)
{
    return Error(ErrorCode::FileError, u"cannot write capture file %1: %2"_s.arg(quotedPath(path), reason));
}

} // namespace

class CaptureWriterPrivate
{
public:
    explicit CaptureWriterPrivate(CaptureWriterOptions writerOptions)
        : options(std::move(writerOptions))
    { }

    [[nodiscard]] bool rotating() const { return options.rotateBytes > 0; }
    [[nodiscard]] QString nextPath() const;
    void openNext();
    void writeBuffer();
    void sync();
    void rotate();
    /// The line writer of the record's socket: kept while records come from the same one.
    CaptureLineWriter &lineWriter(const CaptureRecord &record);

    CaptureWriterOptions options;
    QFile file;
    QByteArray buffer;
    std::optional<CaptureLineWriter> writer;
    QString writerSocket; // the socket fields `writer` was made for
    QString writerType;
    QString writerEndpoint;
    QString writerSrc; // a passive capture's sender, receiver and security (section 12)
    QString writerDst;
    QString writerSecurity;
    QStringList paths; // every file opened and not deleted by the ring buffer, oldest first
    QString currentPath;
    int fileNumber = 0;
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0; // over every file, buffered bytes included
    std::uint64_t fileBytes = 0; // of the current file, buffered bytes included
    std::uint64_t fileMessages = 0;
    bool unsynced = false;
    bool closed = false;
    bool rotated = false;
    std::chrono::steady_clock::time_point lastSync = std::chrono::steady_clock::now();
};

QString CaptureWriterPrivate::nextPath() const
{
    if (!rotating())
        return options.path;
    // Like dumpcap -b: <stem>_<number>_<UTC time>.<suffix>, so names sort in writing order.
    const QFileInfo info(options.path);
    const QString suffix = info.suffix();
    const QString stem = suffix.isEmpty() ? info.fileName() : info.completeBaseName();
    const QString name = u"%1_%2_%3%4"_s.arg(stem)
                             .arg(fileNumber + 1, 5, 10, QChar(u'0'))
                             .arg(QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss'Z'"_s),
                                 suffix.isEmpty() ? QString() : u"."_s + suffix);
    return info.dir().filePath(name);
}

CaptureLineWriter &CaptureWriterPrivate::lineWriter(const CaptureRecord &record)
{
    if (!writer || record.socket != writerSocket || record.type != writerType
        || record.endpoint != writerEndpoint || record.src != writerSrc || record.dst != writerDst
        || record.security != writerSecurity) {
        writer.emplace(record.socket, record.type, record.endpoint, record.src, record.dst, record.security);
        writerSocket = record.socket;
        writerType = record.type;
        writerEndpoint = record.endpoint;
        writerSrc = record.src;
        writerDst = record.dst;
        writerSecurity = record.security;
    }
    return *writer;
}

void CaptureWriterPrivate::openNext()
{
    const QString path = nextPath();
    file.setFileName(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered))
        throw writeError(path, file.errorString());
    ++fileNumber;
    currentPath = path;
    paths.append(path);
    fileBytes = 0;
    fileMessages = 0;
    // The header goes to disk at once: even a capture that never gets a message is a valid file.
    const QByteArray header = captureHeaderLine(QDateTime::currentDateTimeUtc(), options.headerExtra);
    buffer += header;
    fileBytes += std::uint64_t(header.size());
    bytes += std::uint64_t(header.size());
    writeBuffer();

    if (rotating() && options.rotateFiles > 0) {
        while (paths.size() > options.rotateFiles) {
            // A file someone else already removed is fine; one that cannot be removed stays on disk.
            QFile::remove(paths.takeFirst());
        }
    }
}

void CaptureWriterPrivate::writeBuffer()
{
    if (buffer.isEmpty())
        return;
#ifdef Q_OS_WIN
    const qint64 written = file.write(buffer);
    if (written != buffer.size()) {
        const QString reason = file.errorString();
        buffer.clear();
        throw writeError(currentPath, reason.isEmpty() ? u"short write"_s : reason);
    }
#else
    // write(2) itself, for the operating system's reason when it fails: QFile reports a full disk
    // (/dev/full) or a file-size limit (EFBIG) as "Unknown error".
    qsizetype done = 0;
    while (done < buffer.size()) {
        const ssize_t written
            = ::write(file.handle(), buffer.constData() + done, size_t(buffer.size() - done));
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0) {
            const int error = written < 0 ? errno : ENOSPC;
            buffer.clear();
            throw writeError(currentPath, QString::fromLocal8Bit(std::strerror(error)));
        }
        done += qsizetype(written);
    }
#endif
    buffer.resize(0); // keeps the capacity for the next batch
    unsynced = true;
}

void CaptureWriterPrivate::sync()
{
    if (!unsynced || !file.isOpen())
        return;
#ifdef Q_OS_WIN
    const bool ok = ::_commit(file.handle()) == 0;
#else
    const bool ok = ::fsync(file.handle()) == 0;
#endif
    if (!ok)
        throw writeError(currentPath, QString::fromLocal8Bit(std::strerror(errno)));
    unsynced = false;
    lastSync = std::chrono::steady_clock::now();
}

void CaptureWriterPrivate::rotate()
{
    writeBuffer();
    sync();
    file.close();
    openNext();
    rotated = true;
}

CaptureWriter::CaptureWriter(CaptureWriterOptions options)
    : d(std::make_unique<CaptureWriterPrivate>(std::move(options)))
{
    if (d->options.path.isEmpty())
        throw Error(ErrorCode::FileError, u"cannot write a capture file: no file name given"_s);
    if (d->options.rotateFiles < 0)
        throw Error(ErrorCode::FileError,
            u"cannot write capture file %1: the number of files to keep is %2, expected 0 (all) or more"_s
                .arg(quotedPath(d->options.path))
                .arg(d->options.rotateFiles));
    if (QFileInfo(d->options.path).isDir())
        throw writeError(d->options.path, u"it is a directory"_s);
    if (d->options.deferCreate) {
        d->currentPath = d->options.path;
        return;
    }
    d->openNext();
    d->sync();
}

CaptureWriter::~CaptureWriter()
{
    try {
        // A deferred file nobody wrote to or closed stays uncreated: the run did not finish.
        closeWithoutCreating();
    } catch (const Error &) {
        // Nobody is left to tell; callers that care call close() themselves.
    }
}

void CaptureWriter::write(const CaptureRecord &record)
{
    if (d->closed)
        throw writeError(d->currentPath, u"the file is already closed"_s);
    if (d->fileNumber == 0)
        d->openNext(); // deferCreate: the first message creates the file
    // A message never spans two files: switch before a line that would start in a full file.
    if (d->rotating() && d->fileMessages > 0 && d->fileBytes >= d->options.rotateBytes)
        d->rotate();
    const qsizetype before = d->buffer.size();
    if (record.isEvent())
        d->buffer += captureEventLine(record); // rare: subscriptions, connections
    else if (record.encrypted)
        d->lineWriter(record).appendEncrypted(d->buffer, record.timestampUs, record.direction, record.size);
    else
        d->lineWriter(record).append(
            d->buffer, record.timestampUs, record.direction, record.frames, record.peer);
    const auto lineBytes = std::uint64_t(d->buffer.size() - before);
    d->fileBytes += lineBytes;
    d->bytes += lineBytes;
    if (!record.isEvent()) {
        ++d->fileMessages;
        ++d->messages;
    }
    if (d->buffer.size() >= MaxBufferBytes)
        d->writeBuffer();
}

void CaptureWriter::flush()
{
    if (d->closed)
        return;
    d->writeBuffer();
    if (d->unsynced && std::chrono::steady_clock::now() - d->lastSync >= SyncInterval)
        d->sync();
}

void CaptureWriter::close()
{
    if (d->closed)
        return;
    d->closed = true;
    try {
        if (d->fileNumber == 0)
            d->openNext(); // deferCreate without a message: a clean end still leaves a header-only capture
        d->writeBuffer();
        d->sync();
    } catch (const Error &) {
        d->file.close();
        throw;
    }
    d->file.close();
}

void CaptureWriter::closeWithoutCreating()
{
    if (d->fileNumber == 0) {
        d->closed = true;
        return;
    }
    close();
}

QString CaptureWriter::currentPath() const
{
    return d->currentPath;
}

QStringList CaptureWriter::paths() const
{
    QStringList existing;
    for (const QString &path : d->paths) {
        if (QFile::exists(path))
            existing.append(path);
    }
    return existing;
}

std::uint64_t CaptureWriter::messagesWritten() const
{
    return d->messages;
}

std::uint64_t CaptureWriter::bytesWritten() const
{
    return d->bytes;
}

bool CaptureWriter::takeRotated()
{
    return std::exchange(d->rotated, false);
}

} // namespace zmqscope
