#pragma once

#include <cstdint>
#include <memory>

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <zmqscope/capture/capture.h>

namespace zmqscope {

class CaptureWriterPrivate;

/// The default file name suffix of capture files, without the dot.
inline constexpr char CaptureFileSuffix[] = "zmqcap";

/// Where and how a CaptureWriter writes.
struct CaptureWriterOptions
{
    QString path; ///< the file; with rotation the base name (see CaptureWriter)
    std::uint64_t rotateBytes = 0; ///< start a new file when the current one reaches this size; 0 = never
    int rotateFiles = 0; ///< with rotation keep at most this many files (ring buffer); 0 = keep all
    QJsonObject headerExtra; ///< extra header keys, e.g. {"writer": "zmqscope 0.1.0"}
    /// The first file is created (or replaced) by the first write() or by close(), not by the
    /// constructor; closeWithoutCreating() then leaves an existing file as it was. For a recording
    /// that must not touch the file when the run fails before its first message (the CLI's
    /// `listen --write`).
    bool deferCreate = false;
};

/**
 * Writes a capture file (JSON Lines version 1, DESIGN.md section 8): a header
 * line, then one line per message, append-only.
 *
 * write() only formats the line into a buffer; flush() hands the buffer to the
 * operating system (call it once per batch) and fsyncs when the last fsync is
 * at least a second old; close() flushes and fsyncs. So a crash loses at most
 * the last partial line, and the disk is not hammered with one fsync per
 * message. The writer does blocking disk I/O: run it on a thread of its own,
 * never the GUI or the engine thread (the Engine's recording does that).
 *
 * With rotation (rotateBytes > 0) files are named like dumpcap -b:
 * "<dir>/<stem>_00001_20261126T011502Z.zmqcap" (stem and suffix from `path`,
 * the number counts up from 1, the time is when the file was opened, UTC);
 * each file starts with its own header line. A message never spans two
 * files: the switch happens before a line that would start in a full file.
 * With rotateFiles > 0 the oldest files are deleted so that at most that many
 * remain.
 *
 * Not thread-safe: use one writer from one thread.
 */
class CaptureWriter
{
public:
    /// Creates (or truncates) the first file and writes its header (with deferCreate: at the first write()
    /// or close()). Throws Error naming the path and the reason.
    explicit CaptureWriter(CaptureWriterOptions options);
    ~CaptureWriter(); ///< closeWithoutCreating(); errors are swallowed here, call close() to see them
    CaptureWriter(const CaptureWriter &) = delete;
    CaptureWriter &operator=(const CaptureWriter &) = delete;

    /// Appends one message line to the buffer (rotating first when the current file is full).
    /// Throws Error when a rotation cannot open the next file, or after close().
    void write(const CaptureRecord &record);
    /// Writes the buffered lines; fsyncs when the last fsync is at least a second old.
    /// Throws Error naming the file and the reason on a write failure (disk full, ...).
    void flush();
    /// Writes the buffered lines, fsyncs and closes. Idempotent; throws Error like flush().
    void close();
    /// Like close(), except that a file deferCreate has not created yet (no message was written) stays
    /// uncreated: an existing file of that name is left as it was. For a run that failed.
    void closeWithoutCreating();

    /// The file being written now (the last one after close()); with deferCreate, before the file
    /// exists, the path it will have (for rotation the base name).
    [[nodiscard]] QString currentPath() const;
    /// Every file written so far that still exists (rotation may have deleted old ones), oldest first.
    [[nodiscard]] QStringList paths() const;
    /// Message lines passed to write() so far (over every file).
    [[nodiscard]] std::uint64_t messagesWritten() const;
    /// Bytes of every file so far, header lines included, buffered ones included.
    [[nodiscard]] std::uint64_t bytesWritten() const;
    /// Becomes true when write() switched to a new file; reading it resets it (for "file changed" reports).
    [[nodiscard]] bool takeRotated();

private:
    std::unique_ptr<CaptureWriterPrivate> d;
};

} // namespace zmqscope
