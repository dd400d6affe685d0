#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <zmqscope/capture/capture.h>
#include <zmqscope/error.h>
#include <zmqscope/store/messagestore.h>

#include "messagefilter.h"

namespace zmqscope {

/// The file formats messages can be exported to.
enum class ExportFormat
{
    JsonLines, ///< a capture file (DESIGN.md section 8): header line, then one JSON line per message
    Csv, ///< RFC 4180 CSV with a header row, see csvHeaderRow()
};

/// How an exported file names a socket of the store: as the recorder does (zmqscope::captureSource() for
/// the engine's sockets, CaptureSocket::source() for a loaded capture's), a tap with its senders' types.
using ExportSocket = CaptureSource;

/// What to export and where.
struct ExportRequest
{
    ExportFormat format = ExportFormat::JsonLines;
    QString path;
    /// Explicit messages (the selected rows), ascending. When empty, `filter` over [begin, end) is used.
    std::vector<std::uint64_t> seqs;
    MessageFilter filter;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    QHash<SocketId, ExportSocket> sockets;
    QJsonObject headerExtra; ///< extra keys of the capture header (JSON Lines only)
    /// A packet capture's CURVE messages, stored without frames: written as encrypted lines with this
    /// payload size (section 12), by sequence number.
    QHash<std::uint64_t, std::uint64_t> encryptedSizes {};
};

/**
 * What an export did. The counts sit next to the outcome rather than inside a Result: a
 * cancelled export is not a failure but still reports its counts, and the struct travels through
 * QFuture and a queued signal, which need a default-constructible type.
 */
struct ExportResult
{
    std::uint64_t written = 0;
    std::uint64_t skipped = 0; ///< messages evicted from the store before they could be written
    bool cancelled = false;
    /// Fails with FileError naming the path and the reason; the file is then left as it was.
    Result<void> outcome;
};

/**
 * Export of stored messages to JSON Lines (the capture format, so an export
 * opens as a capture) or CSV. The writing is plain blocking I/O through
 * QSaveFile, meant for a worker thread: nothing is left behind when it fails
 * or is cancelled.
 */
namespace messageexport {

/// The CSV columns, in order.
[[nodiscard]] QList<QByteArray> csvColumns();
/// The header row, CRLF included.
[[nodiscard]] QByteArray csvHeaderRow();
/**
 * One message as a CSV row (CRLF included): seq, time (ISO-8601 UTC), socket,
 * type, endpoint, direction ("in", "out", "c2s", "s2c"), peer (a tap's client routing id in hex,
 * empty otherwise), frame_count, id, mimetype, body, body_encoding
 * ("text" or "base64"; empty for raw messages), frames (every frame in base64,
 * separated by spaces). id and mimetype are text when valid UTF-8, else
 * "base64:" followed by their base64.
 */
[[nodiscard]] QByteArray csvRow(std::uint64_t seq, const CaptureRecord &record);
/// Quotes a field as RFC 4180 asks: in double quotes (doubled inside) when it holds , " CR or LF.
[[nodiscard]] QByteArray csvField(const QByteArray &text);
/// Splits one CSV record (without its line break handling beyond quoted CR/LF); for tests and tools.
[[nodiscard]] QList<QByteArray> parseCsvRecord(QByteArrayView line, qsizetype *consumed = nullptr);

/**
 * Writes the messages. `progress(done, total)` is called from the calling
 * thread now and then; `cancelled` is polled between messages.
 */
[[nodiscard]] ExportResult run(const MessageStore &store, const ExportRequest &request,
    const std::atomic<bool> &cancelled,
    const std::function<void(std::uint64_t, std::uint64_t)> &progress = {});

/// The default file name suffix for a format, without the dot.
[[nodiscard]] QString suffix(ExportFormat format);

} // namespace messageexport

} // namespace zmqscope
