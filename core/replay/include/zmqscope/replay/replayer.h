#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QObject>
#include <QString>

#include <zmqscope/error.h>
#include <zmqscope/store/messagestore.h>

namespace zmqscope {

struct CaptureRecord;
class CaptureReader;
class Engine;

/// One message to replay: when it was recorded and its frames (sent byte-identical).
struct ReplayItem
{
    std::int64_t timestampUs = 0; ///< microseconds since the epoch; only differences matter
    Frames frames;
};

/// How fast a Replayer sends.
enum class ReplayPacing
{
    OriginalTiming, ///< the recorded gaps between messages, relative to the first message
    Speed, ///< the recorded gaps divided by ReplayOptions::speed
    MaxSpeed, ///< as fast as the socket takes them (a window of sends in flight)
    Step, ///< one message per Replayer::step()
};

/// What to replay and how.
struct ReplayOptions
{
    ReplayPacing pacing = ReplayPacing::OriginalTiming;
    double speed = 1.0; ///< for Speed: 2.0 = twice as fast as recorded; must be > 0
    QString socketFilter; ///< file replay: only records of this socket name; empty = all
    std::optional<Direction> direction; ///< file replay: only this direction; nullopt = all
    /// File replay: only the records this takes (the CLI's --filter); empty = all. Called from the
    /// thread that reads the file, so it must be thread-safe (a MessageMatcher is).
    std::function<bool(const CaptureRecord &)> accept;
};

/**
 * Sends messages into one socket of an Engine, in order, frames byte-identical, with the chosen
 * pacing. Lives in the thread that created it (GUI or CLI main thread); never blocks it.
 *
 * Nothing is dropped or reordered: a message the socket cannot take right now (high-water mark
 * reached, no peer connected yet on PUSH/DEALER/PAIR) is retried, with a short back-off, until it
 * goes out; later messages wait behind it. Only a real error (REQ out of turn, a ROUTER routing id
 * no peer has, a closed socket, an unreadable capture file) ends the replay, with finished(sent,
 * error). Timed pacing is relative to the first message: message i is due (ts[i] - ts[0]) / speed
 * after the first message went out (so waiting for a peer delays the whole schedule); a message that
 * went out late (a high-water mark) does not shift the ones after it, they catch up; a timestamp
 * earlier than its predecessor's is due at once. A gap too long to represent (a tiny speed) saturates:
 * the next message is waited for, an hour at a time, until stop().
 *
 * start() and startFile() while running are ignored (stop() first). progressed() is emitted at
 * most about 20 times a second plus once at the end; finished() exactly once per start.
 */
class Replayer : public QObject
{
    Q_OBJECT
public:
    Replayer(Engine &engine, SocketId target, QObject *parent = nullptr);
    ~Replayer() override;

    /// Replays `items` in order. An invalid speed (<= 0 or not finite) finishes at once with an error.
    void start(std::vector<ReplayItem> items, const ReplayOptions &options);
    /**
     * Streams a capture file (CaptureReader), keeping only records that match the options'
     * socketFilter and direction. A file that cannot be opened or is not a capture finishes at once
     * with the reader's error; malformed lines are skipped (see fileIssues()).
     */
    void startFile(const QString &capturePath, const ReplayOptions &options);
    /**
     * Like startFile(), from a reader whose header was already read (it is taken over): the capture
     * is read exactly once, so a pipe, /dev/stdin or a process substitution replays like a file.
     * The matching records are counted ahead (total()) only when the reader's path is a regular
     * file, which can be opened a second time.
     */
    void startReader(std::unique_ptr<CaptureReader> reader, const ReplayOptions &options);
    /// Step pacing: sends one more message. Calls made while earlier ones are still going out (a socket
    /// with no peer yet) add up: each call is one message. Ignored when not running or not Step pacing.
    void step();
    /// Stops: nothing more is sent; finished(sent, {}) follows once the sends in flight are answered.
    void stop();

    [[nodiscard]] bool isRunning() const;
    /// True while a message is waiting for the socket to take it (no peer yet, a high-water mark).
    [[nodiscard]] bool isHeld() const;
    [[nodiscard]] quint64 sent() const;
    /// Sends of this replay (the last one, once finished) the engine answered deferred: the socket
    /// could not take the message then, or it waited behind one that could not; each was retried.
    [[nodiscard]] quint64 deferredSends() const;
    /// Sends of this replay the engine answered with an error (the first one ends the replay).
    [[nodiscard]] quint64 failedSends() const;
    /// The item count; for a file the number of matching records, 0 until a background count of them
    /// is done (or the replay reaches the end of the file).
    [[nodiscard]] quint64 total() const;
    /// File replay: the malformed lines skipped so far (one line each, "line 17: ...").
    [[nodiscard]] QStringList fileIssues() const;

Q_SIGNALS:
    void progressed(quint64 sent, quint64 total);
    /// Emitted once per start; error is empty when every message was sent or the replay was stopped.
    void finished(quint64 sent, const QString &error);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace zmqscope
