#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include <QSet>
#include <QString>

#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/store/messagestore.h>
#include <zmqscope/store/threadaffinity.h>

namespace zmqscope {

/**
 * The Engine's recording: a thread of its own that owns the CaptureWriter.
 *
 * start(), record() and stop() are called from the engine thread only, in
 * store order, so the file has the store's order. They only copy message
 * handles (the frames' QByteArrays are shared, not copied) into a queue; the
 * recorder thread does the JSON, base64, disk writes and fsyncs. The queue is
 * unbounded: recording is lossless and never blocks the engine.
 */
class Recorder
{
public:
    /// How the lines name a socket (the same rule as exports: captureSource()).
    using SocketLabel = CaptureSource;
    struct Callbacks
    {
        std::function<SocketLabel(SocketId)> lookup; ///< called on the recorder thread
        std::function<void(const QString &path)> started;
        std::function<void(const QString &path)> fileChanged;
        std::function<void(const QString &path, quint64 messages)> stopped;
        std::function<void(const QString &error)> failed;
    };

    explicit Recorder(Callbacks callbacks);
    ~Recorder(); ///< shutdown()
    Recorder(const Recorder &) = delete;
    Recorder &operator=(const Recorder &) = delete;

    // Engine thread only (asserted, ThreadAffinity).
    void bindToCurrentThread() { m_engineThread.bindToCurrentThread(); }
    void start(const RecordingOptions &options); ///< stops a running recording first
    void stop();
    void record(std::span<const NewMessage> messages);
    void record(SocketId socket, Direction direction, std::int64_t timestampUs, const Frames &frames);
    /// An event line (section 12) of `socket`, in order with the messages recorded before it.
    void recordEvent(SocketId socket, std::int64_t timestampUs, const QString &event, const QByteArray &topic,
        const QString &detail);
    /// The line of a CURVE message a sniffer saw: `"encrypted":true,"size":N` instead of frames.
    void recordEncrypted(SocketId socket, Direction direction, std::int64_t timestampUs, std::uint64_t size);
    /// Closes the file (flushed and fsynced) without signals and joins the thread. Called once the
    /// engine thread has ended, from the thread that joined it.
    void shutdown();
    /// Whether record() would keep a message of `socket` now (the engine builds Frames only for those).
    [[nodiscard]] bool records(SocketId socket) const { return m_active && wants(socket); }

    // Any thread.
    [[nodiscard]] RecordingStatus status() const;

private:
    struct Command
    {
        enum class Kind
        {
            Start,
            Batch,
            Event, ///< an event line, or an encrypted message's line (a CaptureRecord of its own)
            Stop,
            Quit
        };
        Kind kind = Kind::Batch;
        std::uint64_t generation = 0;
        CaptureWriterOptions options;
        std::vector<NewMessage> messages;
        CaptureRecord event; ///< Kind::Event: the socket's fields filled in on the recorder thread
        SocketId eventSocket = 0;
    };

    [[nodiscard]] bool wants(SocketId socket) const;
    /// Queues a line of its own (an event, an encrypted message) of `socket`, in order with the batches.
    void recordLine(SocketId socket, CaptureRecord line);
    void push(Command command);
    void run();

    Callbacks m_callbacks;

    // Engine thread state.
    ThreadAffinity m_engineThread { "the engine thread" };
    bool m_active = false;
    bool m_allSockets = true;
    QSet<SocketId> m_sockets;
    std::uint64_t m_generation = 0;

    // Set by the recorder thread when a recording failed, so the engine stops queueing for it.
    std::atomic<std::uint64_t> m_failedGeneration { 0 };

    std::mutex m_queueMutex;
    std::condition_variable m_queueChanged;
    std::deque<Command> m_queue;
    std::thread m_thread;

    mutable std::mutex m_statusMutex;
    RecordingStatus m_status;
};

} // namespace zmqscope
