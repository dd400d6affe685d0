#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>

#include "recorder_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// How long the recorder thread sleeps when idle: the writer's one-second fsync happens on this beat.
constexpr auto IdleWakeup = std::chrono::milliseconds(500);

/// Fills a line's socket, type and endpoint from its socket's label and, for a sniffed connection, its
/// src, dst and security for the line's direction.
void applyLabel(const Recorder::SocketLabel &label, CaptureRecord &record)
{
    record.socket = label.name;
    // A tap's lines name the sender's type, as passive captures do.
    record.type = label.typeFor(record.direction);
    record.endpoint = label.endpoint;
    record.src = label.sourceFor(record.direction);
    record.dst = label.destinationFor(record.direction);
    record.security = label.security;
}

/// A sniffed connection whose READYs were not all seen yet: its types may still come, so its label is
/// looked up again.
bool labelComplete(const Recorder::SocketLabel &label)
{
    return label.client.isEmpty() || (!label.clientType.isEmpty() && !label.serverType.isEmpty());
}

} // namespace

Recorder::Recorder(Callbacks callbacks)
    : m_callbacks(std::move(callbacks))
{ }

Recorder::~Recorder()
{
    shutdown();
}

bool Recorder::wants(SocketId socket) const
{
    return m_allSockets || m_sockets.contains(socket);
}

void Recorder::push(Command command)
{
    {
        std::lock_guard locker(m_queueMutex);
        m_queue.push_back(std::move(command));
    }
    m_queueChanged.notify_one();
}

void Recorder::start(const RecordingOptions &options)
{
    m_engineThread.check();
    if (!m_thread.joinable()) {
        m_thread = std::thread([this] { run(); });
        setThreadName(m_thread, "zmqscope-record");
    }
    if (m_active)
        stop();
    m_active = true;
    m_allSockets = options.sockets.isEmpty();
    m_sockets = QSet<SocketId>(options.sockets.begin(), options.sockets.end());
    ++m_generation;
    Command command;
    command.kind = Command::Kind::Start;
    command.generation = m_generation;
    command.options = options.file;
    push(std::move(command));
}

void Recorder::stop()
{
    m_engineThread.check();
    if (!m_active)
        return;
    m_active = false;
    Command command;
    command.kind = Command::Kind::Stop;
    command.generation = m_generation;
    push(std::move(command));
}

void Recorder::record(std::span<const NewMessage> messages)
{
    m_engineThread.check();
    if (!m_active || messages.empty())
        return;
    if (m_failedGeneration.load(std::memory_order_relaxed) == m_generation) {
        m_active = false;
        return;
    }
    Command command;
    command.generation = m_generation;
    if (m_allSockets) {
        command.messages.assign(messages.begin(), messages.end());
    } else {
        for (const NewMessage &message : messages) {
            if (wants(message.socket))
                command.messages.push_back(message);
        }
        if (command.messages.empty())
            return;
    }
    push(std::move(command));
}

void Recorder::record(SocketId socket, Direction direction, std::int64_t timestampUs, const Frames &frames)
{
    m_engineThread.check();
    if (!m_active || !wants(socket))
        return;
    const NewMessage message { socket, direction, timestampUs, frames, {} };
    record(std::span<const NewMessage>(&message, 1));
}

void Recorder::recordEvent(SocketId socket, std::int64_t timestampUs, const QString &event,
    const QByteArray &topic, const QString &detail)
{
    CaptureRecord line;
    line.timestampUs = timestampUs;
    line.event = event;
    line.topic = topic;
    line.detail = detail;
    recordLine(socket, std::move(line));
}

void Recorder::recordEncrypted(
    SocketId socket, Direction direction, std::int64_t timestampUs, std::uint64_t size)
{
    CaptureRecord line;
    line.timestampUs = timestampUs;
    line.direction = direction;
    line.encrypted = true;
    line.size = size;
    recordLine(socket, std::move(line));
}

void Recorder::recordLine(SocketId socket, CaptureRecord line)
{
    m_engineThread.check();
    if (!m_active || !wants(socket))
        return;
    Command command;
    command.kind = Command::Kind::Event;
    command.generation = m_generation;
    command.eventSocket = socket;
    command.event = std::move(line);
    push(std::move(command));
}

void Recorder::shutdown()
{
    if (!m_thread.joinable())
        return;
    m_active = false;
    Command command;
    command.kind = Command::Kind::Quit;
    push(std::move(command));
    m_thread.join();
}

RecordingStatus Recorder::status() const
{
    std::lock_guard locker(m_statusMutex);
    return m_status;
}

void Recorder::run()
{
    std::unique_ptr<CaptureWriter> writer;
    std::uint64_t generation = 0;
    std::unordered_map<SocketId, SocketLabel> labels;

    const auto publish = [&](bool active) {
        std::lock_guard locker(m_statusMutex);
        m_status.active = active;
        if (writer) {
            m_status.path = writer->currentPath();
            m_status.messages = writer->messagesWritten();
            m_status.bytes = writer->bytesWritten();
        }
    };
    const auto fail = [&](const QString &message) {
        m_failedGeneration = generation;
        try {
            writer->close();
        } catch (const Error &) {
            // The first error is the one to report.
        }
        publish(false);
        writer.reset();
        m_callbacks.failed(message);
    };
    const auto finish = [&](bool announce) {
        if (!writer)
            return;
        try {
            // Shut down without a stop (the engine destroyed after a failed run): a file created
            // only with the first message (deferCreate) that got none stays uncreated.
            if (announce)
                writer->close();
            else
                writer->closeWithoutCreating();
        } catch (const Error &error) {
            if (announce) {
                fail(error.message());
                return;
            }
        }
        publish(false);
        const QString path = writer->currentPath();
        const quint64 messages = writer->messagesWritten();
        writer.reset();
        if (announce)
            m_callbacks.stopped(path, messages);
    };

    for (;;) {
        std::deque<Command> commands;
        {
            std::unique_lock locker(m_queueMutex);
            m_queueChanged.wait_for(locker, IdleWakeup, [this] { return !m_queue.empty(); });
            commands.swap(m_queue);
        }
        for (Command &command : commands) {
            switch (command.kind) {
            case Command::Kind::Start:
                finish(true);
                generation = command.generation;
                labels.clear();
                try {
                    writer = std::make_unique<CaptureWriter>(command.options);
                } catch (const Error &error) {
                    m_failedGeneration = generation;
                    {
                        std::lock_guard locker(m_statusMutex);
                        m_status = RecordingStatus {};
                    }
                    m_callbacks.failed(error.message());
                    break;
                }
                {
                    std::lock_guard locker(m_statusMutex);
                    m_status = RecordingStatus { true, writer->currentPath(), 0, writer->bytesWritten() };
                }
                m_callbacks.started(writer->currentPath());
                break;
            case Command::Kind::Batch:
                if (!writer || command.generation != generation)
                    break;
                try {
                    CaptureRecord record;
                    for (NewMessage &message : command.messages) {
                        auto label = labels.find(message.socket);
                        if (label == labels.end() || !labelComplete(label->second))
                            label
                                = labels.insert_or_assign(message.socket, m_callbacks.lookup(message.socket))
                                      .first;
                        record.timestampUs = message.timestampUs;
                        record.direction = message.direction;
                        applyLabel(label->second, record);
                        record.frames = std::move(message.frames);
                        record.peer = std::move(message.peer);
                        writer->write(record);
                        if (writer->takeRotated())
                            m_callbacks.fileChanged(writer->currentPath());
                    }
                } catch (const Error &error) {
                    fail(error.message());
                }
                break;
            case Command::Kind::Event:
                if (!writer || command.generation != generation)
                    break;
                try {
                    auto label = labels.find(command.eventSocket);
                    if (label == labels.end() || !labelComplete(label->second))
                        label = labels
                                    .insert_or_assign(
                                        command.eventSocket, m_callbacks.lookup(command.eventSocket))
                                    .first;
                    applyLabel(label->second, command.event);
                    writer->write(command.event);
                } catch (const Error &error) {
                    fail(error.message());
                }
                break;
            case Command::Kind::Stop:
                if (command.generation == generation)
                    finish(true);
                break;
            case Command::Kind::Quit:
                finish(false);
                return;
            }
        }
        // One flush per wake-up: a batch, or everything that queued while we were writing.
        if (writer) {
            try {
                writer->flush();
                publish(true);
            } catch (const Error &error) {
                fail(error.message());
            }
        }
    }
}

} // namespace zmqscope
