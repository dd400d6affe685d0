#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <vector>

#include <QFile>
#include <QFileInfo>
#include <QMetaObject>

#include <zmqscope/capture/captureloader.h>
#include <zmqscope/capture/pcapsource.h>
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

/// Whether the file starts like a pcap or pcapng file (its magic number; the name says nothing).
bool isPacketCapture(const QString &path)
{
    // Peeking at a pipe would eat the bytes the reader needs: only regular files are looked into.
    if (!QFileInfo(path).isFile())
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false; // the capture reader names what is wrong with it
    return PcapSource::looksLikePcap(file.read(4));
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

/// One load in the worker thread: gives each socket of the records its store id (published before its
/// first message is stored) and appends the messages in batches.
class CaptureLoader::Load
{
public:
    using Report = std::function<void(qint64 bytesRead, qint64 totalBytes, quint64 messages)>;

    Load(CaptureLoader::Private &priv, CaptureLoadResult &result, Report report)
        : m_priv(priv)
        , m_result(result)
        , m_report(std::move(report))
    {
        m_batch.reserve(BatchMessages);
        m_batchSizes.reserve(BatchMessages);
    }

    void readCaptureFile()
    {
        CaptureReader reader(m_priv.path);
        m_result.header = reader.header();
        m_report(reader.position(), reader.size(), 0);
        CaptureRecord record;
        while (!cancelled() && reader.next(record)) {
            if (record.isEvent())
                continue; // the store holds messages; events are the capture's own record
            add(socketFor(record), record);
            reportNow(reader.position(), reader.size());
        }
        appendBatch();
        m_result.issues = reader.issues();
        m_report(reader.position(), reader.size(), m_result.messages);
    }

    void readPacketCapture()
    {
        m_result.packetCapture = true;
        m_report(0, 0, 0);
        PassiveDecoder::Handlers handlers;
        handlers.record = [this](const CaptureRecord &record) {
            // Every connection gets its socket, even one that carried no message: the Connections panel
            // filters the table by it.
            const SocketId socket = socketFor(record);
            if (record.isEvent()) {
                if (m_result.events.size() < MaxLoadedEvents)
                    m_result.events.append(record);
                else
                    ++m_result.eventsLeftOut;
                return;
            }
            CaptureRecord message = record;
            add(socket, message);
        };
        qint64 read = 0;
        qint64 size = 0;
        const Result<PassiveCaptureSummary> summary = decodeCaptureFile(
            m_priv.path, std::move(handlers), [this] { return cancelled(); },
            [&](qint64 bytesRead, qint64 fileSize) {
                // A pipe has no size: 0 of 0 keeps the window's busy bar.
                read = std::max<qint64>(bytesRead, 0);
                size = std::max<qint64>(fileSize, 0);
                reportNow(read, size);
            });
        appendBatch();
        m_report(size, size, m_result.messages);
        if (summary) {
            m_result.connections = summary->connections;
            m_result.packetStats = summary->stats;
        } else if (m_result.messages > 0 || !m_result.events.isEmpty()) {
            // A capture cut while being written: what came before the damage is shown, with the reason.
            m_result.issues.append(CaptureIssue { 0, summary.errorMessage() });
        } else {
            m_result.outcome = summary.error();
        }
    }

    [[nodiscard]] bool cancelled()
    {
        if (m_priv.cancelRequested)
            m_result.cancelled = true;
        return m_result.cancelled;
    }

private:
    SocketId socketFor(const CaptureRecord &record)
    {
        // A tap's (and a connection's) lines name the sender's type per direction: one socket all the same.
        const auto key = std::make_tuple(
            record.socket, isConversation(record.direction) ? QString() : record.type, record.endpoint);
        auto it = m_ids.find(key);
        if (it == m_ids.end()) {
            CaptureSocket socket { SocketId(m_ids.size() + 1), record.socket, record.type, record.endpoint };
            if (!record.src.isEmpty()) {
                const bool fromClient = record.direction != Direction::ServerToClient;
                socket.client = fromClient ? record.src : record.dst;
                socket.server = fromClient ? record.dst : record.src;
                socket.security = record.security;
            }
            if (!record.isEvent())
                noteSenderType(socket, record);
            {
                // Published before any of its messages reach the store, so views can name them.
                std::lock_guard locker(m_priv.mutex);
                m_priv.sockets.append(socket);
            }
            m_result.sockets.append(socket);
            return m_ids.emplace(key, socket.id).first->second;
        }
        CaptureSocket &known = m_result.sockets[qsizetype(it->second) - 1];
        const bool typed = !record.isEvent() && noteSenderType(known, record);
        // A connection's security is known from its greeting on; its first record may come before.
        const bool secured = known.security.isEmpty() && !record.security.isEmpty();
        if (secured)
            known.security = record.security;
        if (typed || secured) {
            // A tap's first line of the other direction: its sender's type joins the socket's.
            std::lock_guard locker(m_priv.mutex);
            m_priv.sockets[qsizetype(it->second) - 1] = known;
        }
        return it->second;
    }

    void add(SocketId socket, CaptureRecord &record)
    {
        for (const QByteArray &frame : record.frames)
            m_batchBytes += std::uint64_t(frame.size());
        m_batchSizes.push_back(record.encrypted ? std::optional<std::uint64_t>(record.size) : std::nullopt);
        m_batch.push_back(NewMessage {
            socket, record.direction, record.timestampUs, std::move(record.frames), std::move(record.peer) });
        record.frames = Frames();
        record.peer = QByteArray();
        if (m_batch.size() >= BatchMessages || m_batchBytes >= BatchBytes)
            appendBatch();
    }

    void appendBatch()
    {
        if (m_batch.empty())
            return;
        const std::uint64_t first = m_priv.store.append(std::span<const NewMessage>(m_batch));
        for (std::size_t i = 0; i < m_batchSizes.size(); ++i)
            if (m_batchSizes[i])
                m_result.encryptedSizes.insert(first + i, *m_batchSizes[i]);
        m_result.messages += m_batch.size();
        m_batch.clear();
        m_batchSizes.clear();
        m_batchBytes = 0;
    }

    void reportNow(qint64 bytesRead, qint64 totalBytes)
    {
        const auto now = std::chrono::steady_clock::now();
        if (now - m_lastReport < ProgressInterval)
            return;
        m_lastReport = now;
        m_report(bytesRead, totalBytes, m_result.messages + m_batch.size());
    }

    CaptureLoader::Private &m_priv;
    CaptureLoadResult &m_result;
    Report m_report;
    std::map<std::tuple<QString, QString, QString>, SocketId> m_ids;
    std::vector<NewMessage> m_batch;
    /// The batch's encrypted messages' payload sizes (std::nullopt for the others), in batch order.
    std::vector<std::optional<std::uint64_t>> m_batchSizes;
    std::uint64_t m_batchBytes = 0;
    std::chrono::steady_clock::time_point m_lastReport = std::chrono::steady_clock::now();
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
            Load load(*priv, result, report);
            if (isPacketCapture(priv->path))
                load.readPacketCapture();
            else
                load.readCaptureFile();
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
