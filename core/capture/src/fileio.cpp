#include <QString>

#include <zmqscope/capture/fileio.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

Result<QByteArray> readAllBounded(QFile &file, qint64 limit, const QString &shownName)
{
    constexpr qint64 Chunk = qint64 { 1 } << 20;
    QByteArray bytes;
    // One byte past the limit tells "exactly the limit" from "more".
    while (bytes.size() <= limit) {
        const qint64 want = qMin(Chunk, limit + 1 - bytes.size());
        const qsizetype old = bytes.size();
        bytes.resize(old + qsizetype(want));
        const qint64 read = file.read(bytes.data() + old, want);
        if (read < 0)
            return Error(ErrorCode::FileError, u"cannot read %1: %2"_s.arg(shownName, file.errorString()));
        bytes.resize(old + qsizetype(read));
        if (read == 0)
            break; // the end
    }
    if (bytes.size() > limit)
        return Error(ErrorCode::FileError,
            u"%1 holds more than %2, too much to read"_s.arg(shownName, sizeLimitText(limit)));
    return bytes;
}

QString sizeLimitText(qint64 bytes)
{
    if (bytes >= (qint64 { 1 } << 30) && bytes % (qint64 { 1 } << 30) == 0)
        return u"%1 GiB"_s.arg(bytes >> 30);
    if (bytes >= (qint64 { 1 } << 20) && bytes % (qint64 { 1 } << 20) == 0)
        return u"%1 MiB"_s.arg(bytes >> 20);
    if (bytes >= 1024 && bytes % 1024 == 0)
        return u"%1 KiB"_s.arg(bytes >> 10);
    return bytes == 1 ? u"1 byte"_s : u"%1 bytes"_s.arg(bytes);
}

} // namespace zmqscope
