#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include <QMetaObject>

#include <zmqscope/capture/captureloader.h>
#include <zmqscope/store/threadaffinity.h>

namespace zmqscope {

namespace {

// One store append per this many messages or bytes: few lock round trips, bounded memory.
constexpr std::size_t BatchMessages = 4096;
constexpr std::uint64_t BatchBytes = std::uint64_t { 8 } << 20;
constexpr auto ProgressInterval = std::chrono::milliseconds(50);

// Keeps the sender's type of a tap's line (c2s: a client's, s2c: the server's) the first time a
// direction shows up; true when the socket changed.
bool noteSenderType(CaptureSocket &socket, const CaptureRecord &record)
{
    QString *type = record.direction == Direction::ClientToServer ? &socket.clientType
        : record.direction == Direction::ServerToClient           ? &socket.serverType
                                                                  : nullptr;
    if (!type || !type->isEmpty() || record.type.isEmpty())
        return false;
    *type = record.type;
    return true;
}

} // namespace

struct CaptureLoader::Private
{
    Private(QString filePath, MessageStore &messageStore)
        : path(std::move(filePath))
        , store(messageStore)
    { }

    QString path;
    MessageStore &store;
    std::thread thread; // no event loop: it reads, appends and posts its reports
    std::atomic<bool> cancelRequested { false };
    std::atomic<bool> running { false };
    mutable std::mutex mutex; // guards sockets
    QList<CaptureSocket> sockets;
};

CaptureLoader::CaptureLoader(QString path, MessageStore &store, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(std::move(path), store))
{
    qRegisterMetaType<zmqscope::CaptureLoadResult>("zmqscope::CaptureLoadResult");
}

CaptureLoader::~CaptureLoader()
{
    cancel();
    if (d->thread.joinable())
        d->thread.join();
}

bool CaptureLoader::isRunning() const
{
    return d->running;
}

QList<CaptureSocket> CaptureLoader::sockets() const
{
    std::lock_guard locker(d->mutex);
    return d->sockets;
}

void CaptureLoader::cancel()
{
    d->cancelRequested = true;
}

void CaptureLoader::start()
{
    if (d->running)
        return;
    if (d->thread.joinable())
        d->thread.join();
    d->running = true;
    d->cancelRequested = false;
    {
        std::lock_guard locker(d->mutex);
        d->sockets.clear();
    }
    Private *priv = d.get();
    d->thread = std::thread([this, priv] {
        CaptureLoadResult result;
        result.path = priv->path;
        // Posted to the loader's thread; dropped if the loader is destroyed first.
        const auto report = [this](qint64 bytesRead, qint64 totalBytes, quint64 messages) {
            QMetaObject::invokeMethod(
                this,
                [this, bytesRead, totalBytes, messages] {
                    Q_EMIT progressed(bytesRead, totalBytes, messages);
                },
                Qt::QueuedConnection);
        };
        try {
            CaptureReader reader(priv->path);
            result.header = reader.header();
            std::map<std::tuple<QString, QString, QString>, SocketId> ids;
            std::vector<NewMessage> batch;
            batch.reserve(BatchMessages);
            std::uint64_t batchBytes = 0;
            const auto appendBatch = [&] {
                if (batch.empty())
                    return;
                priv->store.append(std::span<const NewMessage>(batch));
                result.messages += batch.size();
                batch.clear();
                batchBytes = 0;
            };
            auto lastReport = std::chrono::steady_clock::now();
            report(reader.position(), reader.size(), 0);
            CaptureRecord record;
            for (;;) {
                if (priv->cancelRequested) {
                    result.cancelled = true;
                    break;
                }
                if (!reader.next(record))
                    break;
                if (record.isEvent())
                    continue; // the store holds messages; events are the capture's own record
                // A tap's lines name the sender's type per direction: one socket all the same.
                const auto key = std::make_tuple(record.socket,
                    isConversation(record.direction) ? QString() : record.type, record.endpoint);
                auto it = ids.find(key);
                if (it == ids.end()) {
                    CaptureSocket socket { SocketId(ids.size() + 1), record.socket, record.type,
                        record.endpoint };
                    noteSenderType(socket, record);
                    {
                        // Published before any of its messages reach the store, so views can name them.
                        std::lock_guard locker(priv->mutex);
                        priv->sockets.append(socket);
                    }
                    result.sockets.append(socket);
                    it = ids.emplace(key, socket.id).first;
                } else if (CaptureSocket &known = result.sockets[qsizetype(it->second) - 1];
                           noteSenderType(known, record)) {
                    // A tap's first line of the other direction: its sender's type joins the socket's.
                    std::lock_guard locker(priv->mutex);
                    priv->sockets[qsizetype(it->second) - 1] = known;
                }
                for (const QByteArray &frame : record.frames)
                    batchBytes += std::uint64_t(frame.size());
                batch.push_back(NewMessage { it->second, record.direction, record.timestampUs,
                    std::move(record.frames), std::move(record.peer) });
                record.frames = Frames();
                record.peer = QByteArray();
                if (batch.size() >= BatchMessages || batchBytes >= BatchBytes)
                    appendBatch();
                const auto now = std::chrono::steady_clock::now();
                if (now - lastReport >= ProgressInterval) {
                    lastReport = now;
                    report(reader.position(), reader.size(), result.messages + batch.size());
                }
            }
            appendBatch();
            result.issues = reader.issues();
            report(reader.position(), reader.size(), result.messages);
        } catch (const Error &error) {
            result.outcome = error;
        }
        // Its appends are done: a later load into the same store comes from another thread.
        priv->store.releaseWriterThread();
        priv->running = false;
        QMetaObject::invokeMethod(
            this, [this, result] { Q_EMIT finished(result); }, Qt::QueuedConnection);
    });
    setThreadName(d->thread, "zmqscope-load");
}

} // namespace zmqscope
