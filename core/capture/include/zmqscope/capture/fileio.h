#pragma once

#include <optional>

#include <QByteArray>
#include <QFile>

namespace zmqscope {

/**
 * Reads what is left of an open `file`, but never more than `limit` bytes:
 * std::nullopt when it holds more. QFile::size() is 0 for devices, FIFOs and
 * pipes (/dev/zero, a process substitution), so a limit checked against the
 * size does not hold for them; this one does, whatever the file is. A read
 * error ends the read early: check file.error() afterwards.
 */
[[nodiscard]] std::optional<QByteArray> readAllBounded(QFile &file, qint64 limit);

/// "256 MiB", "64 KiB", "100 bytes": a limit as people read it.
[[nodiscard]] QString sizeLimitText(qint64 bytes);

} // namespace zmqscope
