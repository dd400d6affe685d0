#pragma once

#include <memory>

#include <QJsonObject>
#include <QList>
#include <QString>

#include <zmqscope/capture/capture.h>

namespace zmqscope {

class CaptureReaderPrivate;

/// A problem found in one line of a capture file; the line was skipped.
struct CaptureIssue
{
    qint64 line = 0; ///< 1-based line number
    QString message; ///< one line, e.g. "line 17: capture line frame 2 of 3 is not valid base64: ..."

    friend bool operator==(const CaptureIssue &, const CaptureIssue &) = default;
};

/**
 * Reads a capture file (DESIGN.md section 8) one message at a time.
 *
 * Streams: it holds one line at a time (plus a read buffer), never the whole
 * file, so a capture of several gigabytes opens at once and reads in bounded
 * memory: about twice the longest line plus the decoded frames of one message
 * (parseCaptureLine() decodes frames from the line's bytes, never through a
 * parsed JSON copy). The file is opened and read once, so a pipe, a FIFO or
 * /dev/stdin reads like a file. Blank lines are ignored. Malformed lines are skipped and reported in
 * issues() with their line number. A last line without its newline (the
 * writing process was killed mid-line) is skipped with exactly one issue
 * unless it happens to be complete JSON. Lines longer than 1 GiB are reported
 * and skipped without being held in memory.
 *
 * Not thread-safe: use one reader from one thread.
 */
class CaptureReader
{
public:
    /**
     * Opens the file and reads the header line. Throws Error naming the path and what is wrong:
     * cannot open (the reason), empty file, "not a ZmqScope capture" (line 1 is not a capture
     * header), unsupported version.
     */
    explicit CaptureReader(const QString &path);
    ~CaptureReader();
    CaptureReader(const CaptureReader &) = delete;
    CaptureReader &operator=(const CaptureReader &) = delete;

    [[nodiscard]] QString path() const;
    /// The header object (line 1).
    [[nodiscard]] const QJsonObject &header() const;
    /**
     * Reads the next complete message into `record`; false at the end of the file. Streams
     * (never reads the whole file). Malformed lines are skipped and added to issues(); an
     * unterminated last line that does not parse (file cut mid-line) is skipped with exactly one issue.
     * Throws Error naming the path when reading fails (an I/O error, not bad content).
     */
    bool next(CaptureRecord &record);
    /**
     * False: next() reads every field but the frames, which it leaves empty without decoding or
     * checking them, for a pass that only counts or picks messages (the replay's progress total).
     */
    void setDecodeFrames(bool decode);
    /// Bytes consumed so far (lines handed out or skipped, including the header).
    [[nodiscard]] qint64 position() const;
    /// The file size when it was opened.
    [[nodiscard]] qint64 size() const;
    /// The 1-based number of the last line read.
    [[nodiscard]] qint64 lineNumber() const;
    /// Every line skipped so far, in file order.
    [[nodiscard]] const QList<CaptureIssue> &issues() const;

private:
    std::unique_ptr<CaptureReaderPrivate> d;
};

} // namespace zmqscope
