#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include <zmqscope/error.h>

namespace zmqscope {

/**
 * Reads what is left of an open `file`, but never more than `limit` bytes.
 * QFile::size() is 0 for devices, FIFOs and pipes (/dev/zero, a process
 * substitution), so a limit checked against the size does not hold for them;
 * this one does, whatever the file is.
 *
 * Fails with ErrorCode::FileError when the file holds more than `limit` bytes
 * ("<shownName> holds more than 256 MiB, too much to read") or a read fails
 * ("cannot read <shownName>: <the system's reason>"). `shownName` is how the
 * message names the file, as the caller shows it (`--file "x.bin"`,
 * `template library /tmp/t.json`): already escaped, since file names are
 * untrusted text.
 */
[[nodiscard]] Result<QByteArray> readAllBounded(QFile &file, qint64 limit, const QString &shownName);

/// "256 MiB", "64 KiB", "100 bytes": a limit as people read it.
[[nodiscard]] QString sizeLimitText(qint64 bytes);

} // namespace zmqscope
