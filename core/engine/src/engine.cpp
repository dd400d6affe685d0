// Not split yet, on purpose: this file holds the SocketSpec JSON codec, the endpoint check, the rate
// window, the engine worker and the Engine facade. Issue 13 (the foundation redesign, next after
// hardening) moves them into core/engine/ and writes the endpoint rule once in transport/; splitting
// it during the hardening issue would have done that move twice.

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QScopeGuard>
#include <QThread>
#include <QTimer>

#include <zmqscope/engine/engine.h>
#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>

#include "recorder_p.h"
#include <zmqscope/socketmonitor.h>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <sys/resource.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

constexpr int DefaultLinger = 250;
constexpr int DefaultRcvHwm = 100'000;
constexpr std::int64_t DefaultMaxMsgSize = std::int64_t { 256 } << 20;
constexpr int DefaultSndTimeo = 0;
constexpr int DefaultReconnectIvlMax = 5000;
// messagesStored during a flood: at most one per this many ms. A flush per drain would wake the Engine's
// thread thousands of times a second, for views that redraw on their own tick anyway.
constexpr qint64 StoredNotifyIntervalMs = 10;
// Messages the engine thread drains from one socket per turn (PollLoop's default is 256).
constexpr int EngineMessagesPerActivation = 1024;

qint64 steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

/// Messages per second over the last second, in ten 100 ms buckets.
class RateWindow
{
public:
    void add(qint64 nowMs, std::uint64_t count)
    {
        const qint64 bucket = nowMs / BucketMs;
        const auto index = std::size_t(bucket % Buckets);
        if (m_stamp[index] != bucket) {
            m_stamp[index] = bucket;
            m_count[index] = 0;
        }
        m_count[index] += count;
    }
    [[nodiscard]] double perSecond(qint64 nowMs) const
    {
        const qint64 bucket = nowMs / BucketMs;
        std::uint64_t sum = 0;
        for (std::size_t i = 0; i < Buckets; ++i) {
            if (m_stamp[i] > bucket - qint64(Buckets) && m_stamp[i] <= bucket)
                sum += m_count[i];
        }
        return double(sum) * 1000.0 / double(Buckets * BucketMs);
    }

private:
    static constexpr std::size_t Buckets = 10;
    static constexpr qint64 BucketMs = 100;
    std::array<qint64, Buckets> m_stamp { -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000,
        -1000 };
    std::array<std::uint64_t, Buckets> m_count {};
};

QString ofSocket(const QString &name)
{
    return name.isEmpty() ? QString() : u" of socket \"%1\""_s.arg(name);
}

QString jsonText(const QJsonValue &value)
{
    QByteArray text = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

// Bytes travel as a JSON string when they are UTF-8 text, else as {"base64": "..."}, so nothing is lost.
QJsonValue bytesToJson(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    if (text.toUtf8() == bytes)
        return text;
    return QJsonObject { { u"base64"_s, QString::fromLatin1(bytes.toBase64()) } };
}

std::optional<QByteArray> bytesFromJson(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().toUtf8();
    if (value.isObject() && value.toObject().value(u"base64"_s).isString()) {
        auto decoded
            = QByteArray::fromBase64Encoding(value.toObject().value(u"base64"_s).toString().toLatin1(),
                QByteArray::AbortOnBase64DecodingErrors);
        if (decoded)
            return *decoded;
    }
    return std::nullopt;
}

QJsonValue optionValueToJson(const OptionValue &value)
{
    if (value.isBool())
        return value.toBool();
    if (value.isInt()) {
        const std::int64_t number = value.toInt();
        // Doubles hold integers exactly only up to 2^53; larger ones are written as text.
        if (std::llabs(number) <= (std::int64_t { 1 } << 53))
            return double(number);
        return QString::number(number);
    }
    if (value.isBytes())
        return bytesToJson(value.toBytes());
    return QJsonValue();
}

OptionValue optionValueFromJson(const OptionInfo &info, const QJsonValue &json, const QString &socketName)
{
    const QString name = QString::fromLatin1(info.name);
    const auto bad = [&] {
        return Error(ErrorCode::InvalidOptionValue,
            u"option %1%2 expects %3, got %4"_s.arg(
                name, ofSocket(socketName), optionKindName(info.kind), jsonText(json)));
    };
    switch (info.kind) {
    case OptionKind::Int:
    case OptionKind::Int64:
        if (json.isDouble()) {
            const double number = json.toDouble();
            if (number != std::floor(number) || std::fabs(number) > 9.2e18)
                throw bad();
            return OptionValue(std::int64_t(number));
        }
        if (json.isString())
            return OptionValue::fromText(info, json.toString());
        throw bad();
    case OptionKind::Bool:
        if (json.isBool())
            return OptionValue(json.toBool());
        if (json.isDouble() && (json.toDouble() == 0 || json.toDouble() == 1))
            return OptionValue(json.toDouble() == 1);
        if (json.isString())
            return OptionValue::fromText(info, json.toString());
        throw bad();
    case OptionKind::Bytes:
    case OptionKind::Text:
    case OptionKind::CurveKey:
        if (const auto bytes = bytesFromJson(json))
            return OptionValue(*bytes);
        throw bad();
    }
    throw bad();
}

void checkOptionValue(const OptionInfo &info, const OptionValue &value, const QString &socketName)
{
    const QString name = QString::fromLatin1(info.name);
    if (!info.writable)
        throw Error(ErrorCode::InvalidOptionValue,
            u"option %1%2 is read-only and cannot be set"_s.arg(name, ofSocket(socketName)));
    const auto bad = [&](const QString &expected) {
        return Error(ErrorCode::InvalidOptionValue,
            u"option %1%2 expects %3, got %4"_s.arg(
                name, ofSocket(socketName), expected, value.toDisplayString()));
    };
    try {
        switch (info.kind) {
        case OptionKind::Int: {
            const std::int64_t number = value.toInt();
            if (number < std::numeric_limits<int>::min() || number > std::numeric_limits<int>::max())
                throw bad(u"an integer that fits 32 bits"_s);
            break;
        }
        case OptionKind::Int64:
            (void)value.toInt();
            break;
        case OptionKind::Bool:
            (void)value.toBool();
            break;
        case OptionKind::Bytes:
        case OptionKind::Text:
            (void)value.toBytes();
            break;
        case OptionKind::CurveKey: {
            const QByteArray key = value.toBytes();
            if (key.size() != 32 && key.size() != 40)
                throw bad(optionKindName(info.kind));
            break;
        }
        }
    } catch (const Error &error) {
        if (error.code() == ErrorCode::InvalidOptionValue && error.message().startsWith(u"option "_s))
            throw;
        throw bad(optionKindName(info.kind));
    }
}

void checkEndpoint(const QString &endpoint, bool bind, const QString &socketName)
{
    const QString what
        = u"%1 endpoint \"%2\"%3"_s.arg(bind ? u"bind"_s : u"connect"_s, endpoint, ofSocket(socketName));
    const auto bad
        = [&](const QString &why) { return Error(ErrorCode::InvalidEndpoint, what + u": "_s + why); };
    const qsizetype separator = endpoint.indexOf(u"://"_s);
    if (separator <= 0)
        throw bad(u"no transport; expected e.g. tcp://127.0.0.1:5555, ipc:///tmp/name or inproc://name"_s);
    const QString transport = endpoint.left(separator).toLower();
    QString address = endpoint.mid(separator + 3);
    static const QStringList transports { u"tcp"_s, u"ipc"_s, u"inproc"_s, u"pgm"_s, u"epgm"_s, u"tipc"_s,
        u"vmci"_s, u"udp"_s };
    if (!transports.contains(transport))
        throw bad(
            u"unknown transport \"%1\"; valid transports are %2"_s.arg(transport, transports.join(u", "_s)));
    if (address.isEmpty())
        throw bad(u"no address after %1://"_s.arg(transport));
    if (transport != u"tcp"_s)
        return;
    // A connect may name a source address first: tcp://source:port;host:port.
    if (!bind && address.contains(u';'))
        address = address.section(u';', 1);
    const qsizetype colon = address.lastIndexOf(u':');
    const QString example
        = bind ? u"tcp://127.0.0.1:5555, or tcp://127.0.0.1:* for a free port"_s : u"tcp://127.0.0.1:5555"_s;
    if (colon < 0)
        throw bad(u"no port; expected host:port such as %1"_s.arg(example));
    const QString host = address.left(colon);
    const QString port = address.mid(colon + 1);
    if (host.isEmpty())
        throw bad(u"no host before the port; expected e.g. %1"_s.arg(example));
    if (host.startsWith(u'[') != host.endsWith(u']'))
        throw bad(u"unbalanced brackets in the IPv6 host \"%1\""_s.arg(host));
    if (port == u"*"_s) {
        if (!bind)
            throw bad(u"a connect needs the peer's port, not *"_s);
        return;
    }
    bool ok = false;
    const int number = port.toInt(&ok);
    if (!ok || number < (bind ? 0 : 1) || number > 65535)
        throw bad(u"port \"%1\" is not a number from %2 to 65535%3"_s.arg(
            port, bind ? u"0"_s : u"1"_s, bind ? u" or *"_s : QString()));
}

void registerMetaTypes()
{
    static const bool done = [] {
        qRegisterMetaType<zmqscope::SocketId>("zmqscope::SocketId");
        qRegisterMetaType<zmqscope::SocketState>("zmqscope::SocketState");
        qRegisterMetaType<zmqscope::EngineEvent>("zmqscope::EngineEvent");
        qRegisterMetaType<zmqscope::SocketInfo>("zmqscope::SocketInfo");
        qRegisterMetaType<zmqscope::Frames>("zmqscope::Frames");
        return true;
    }();
    Q_UNUSED(done);
}

} // namespace

// ---------------------------------------------------------------- SocketSpec

QJsonObject SocketSpec::toJson() const
{
    QJsonArray bindArray;
    for (const QString &endpoint : binds)
        bindArray.append(endpoint);
    QJsonArray connectArray;
    for (const QString &endpoint : connects)
        connectArray.append(endpoint);
    QJsonArray subscriptionArray;
    for (const QByteArray &prefix : subscriptions)
        subscriptionArray.append(bytesToJson(prefix));
    // An array of pairs, not an object: options apply in order and JSON objects have none.
    QJsonArray optionArray;
    for (const auto &[optionName, value] : options)
        optionArray.append(QJsonObject {
            { u"name"_s, QString::fromStdString(optionName) }, { u"value"_s, optionValueToJson(value) } });
    return QJsonObject {
        { u"name"_s, name },
        { u"type"_s, socketTypeName(type) },
        { u"binds"_s, bindArray },
        { u"connects"_s, connectArray },
        { u"subscriptions"_s, subscriptionArray },
        { u"options"_s, optionArray },
    };
}

SocketSpec SocketSpec::fromJson(const QJsonObject &json)
{
    SocketSpec spec;
    spec.name = json.value(u"name"_s).toString();
    const QJsonValue type = json.value(u"type"_s);
    if (!type.isString())
        throw Error(ErrorCode::UnknownSocketType,
            u"socket%1 has no \"type\" (got %2); valid types are %3"_s.arg(
                spec.name.isEmpty() ? QString() : u" \"%1\""_s.arg(spec.name), jsonText(type),
                socketTypeNames().join(u", "_s)));
    spec.type = socketTypeFromName(type.toString());

    const auto endpoints = [&](const QString &key) {
        QStringList list;
        const QJsonValue value = json.value(key);
        if (value.isUndefined() || value.isNull())
            return list;
        if (!value.isArray())
            throw Error(ErrorCode::InvalidEndpoint,
                u"\"%1\"%2 must be a list of endpoints, got %3"_s.arg(
                    key, ofSocket(spec.name), jsonText(value)));
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (!array[i].isString())
                throw Error(ErrorCode::InvalidEndpoint,
                    u"%1[%2]%3 is not an endpoint string: %4"_s.arg(
                        key, QString::number(i), ofSocket(spec.name), jsonText(array[i])));
            list.append(array[i].toString());
        }
        return list;
    };
    spec.binds = endpoints(u"binds"_s);
    spec.connects = endpoints(u"connects"_s);

    const QJsonValue subscriptions = json.value(u"subscriptions"_s);
    if (subscriptions.isArray()) {
        const QJsonArray array = subscriptions.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const auto prefix = bytesFromJson(array[i]);
            if (!prefix)
                throw Error(ErrorCode::InvalidOptionValue,
                    u"subscriptions[%1]%2 is neither text nor {\"base64\": ...}: %3"_s.arg(
                        QString::number(i), ofSocket(spec.name), jsonText(array[i])));
            spec.subscriptions.append(*prefix);
        }
    } else if (!subscriptions.isUndefined() && !subscriptions.isNull()) {
        throw Error(ErrorCode::InvalidOptionValue,
            u"\"subscriptions\"%1 must be a list of prefixes, got %2"_s.arg(
                ofSocket(spec.name), jsonText(subscriptions)));
    }

    const QJsonValue options = json.value(u"options"_s);
    const auto addOption = [&](const QString &optionName, const QJsonValue &value) {
        const OptionInfo &info = optionFromName(optionName);
        spec.options.emplace_back(info.name, optionValueFromJson(info, value, spec.name));
    };
    if (options.isArray()) {
        const QJsonArray array = options.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonObject entry = array[i].toObject();
            if (!entry.value(u"name"_s).isString())
                throw Error(ErrorCode::UnknownOption,
                    u"options[%1]%2 has no \"name\": %3"_s.arg(
                        QString::number(i), ofSocket(spec.name), jsonText(array[i])));
            addOption(entry.value(u"name"_s).toString(), entry.value(u"value"_s));
        }
    } else if (options.isObject()) {
        // Hand-written files may use {"linger": 0, ...}; those apply in name order.
        const QJsonObject object = options.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            addOption(it.key(), it.value());
    } else if (!options.isUndefined() && !options.isNull()) {
        throw Error(ErrorCode::InvalidOptionValue,
            u"\"options\"%1 must be a list of {\"name\", \"value\"}, got %2"_s.arg(
                ofSocket(spec.name), jsonText(options)));
    }
    return spec;
}

void SocketSpec::validate() const
{
    if (!findSocketType(socketTypeName(type)))
        throw Error(ErrorCode::UnknownSocketType,
            u"unknown socket type %1%2; valid types are %3"_s.arg(
                QString::number(int(type)), ofSocket(name), socketTypeNames().join(u", "_s)));
    for (const auto &[optionName, value] : options) {
        const OptionInfo &info = optionFromName(optionName);
        checkOptionValue(info, value, name);
    }
    if (!subscriptions.isEmpty() && type != SocketType::Sub && type != SocketType::XSub)
        throw Error(ErrorCode::InvalidOptionValue,
            u"subscriptions%1 apply only to SUB and XSUB sockets, not to %2"_s.arg(
                ofSocket(name), socketTypeName(type)));
    if (binds.isEmpty() && connects.isEmpty())
        throw Error(ErrorCode::InvalidEndpoint,
            u"socket%1 has no endpoint; add a bind or connect endpoint such as tcp://127.0.0.1:5555"_s.arg(
                name.isEmpty() ? QString() : u" \"%1\""_s.arg(name)));
    for (const QString &endpoint : binds)
        checkEndpoint(endpoint, true, name);
    for (const QString &endpoint : connects)
        checkEndpoint(endpoint, false, name);
}

// ---------------------------------------------------------------- Engine::Private

struct Engine::Private
{
    Private(Engine *owner, MessageStore &messageStore, const Context &ctx)
        : q(owner)
        , store(messageStore)
        , context(ctx)
    { }

    struct Published
    {
        SocketInfo info;
        RateWindow rate;
    };

    /// Runs `function` in the Engine's thread (signals are emitted there); dropped if the Engine is gone.
    template<typename Function> void post(Function &&function)
    {
        QMetaObject::invokeMethod(q, std::forward<Function>(function), Qt::QueuedConnection);
    }

    /// Coalesces "new messages" notifications: at most one is queued for the Engine's thread at a time.
    void notifyStored()
    {
        if (notifyPending.exchange(true))
            return;
        post([this] {
            notifyPending = false;
            Q_EMIT q->messagesStored(store.endSeq());
        });
    }

    template<typename Update> void update(SocketId id, Update &&change)
    {
        QMutexLocker locker(&mutex);
        const auto it = published.find(id);
        if (it != published.end())
            change(it->second);
    }

    Engine *q;
    MessageStore &store;
    Context context;
    QThread thread;
    EngineWorker *worker = nullptr;
    std::atomic<SocketId> lastId { 0 };
    std::atomic<bool> notifyPending { false };
    mutable QMutex mutex; // guards published
    std::map<SocketId, Published> published;
    // Last: destroyed (its thread joined) before anything its callbacks use.
    Recorder recorder { recorderCallbacks() };

    /// How the recorder names sockets and reports back (its signals are emitted in the Engine's thread).
    Recorder::Callbacks recorderCallbacks()
    {
        Recorder::Callbacks callbacks;
        callbacks.lookup = [this](SocketId id) {
            QMutexLocker locker(&mutex);
            const auto it = published.find(id);
            if (it == published.end())
                return Recorder::SocketLabel { u"socket %1"_s.arg(id), QString(), QString() };
            const SocketInfo &info = it->second.info;
            return Recorder::SocketLabel { info.spec.name, socketTypeName(info.spec.type),
                (info.boundEndpoints + info.spec.connects).join(u","_s) };
        };
        callbacks.started
            = [this](const QString &path) { post([this, path] { Q_EMIT q->recordingStarted(path); }); };
        callbacks.fileChanged
            = [this](const QString &path) { post([this, path] { Q_EMIT q->recordingFileChanged(path); }); };
        callbacks.stopped = [this](const QString &path, quint64 messages) {
            post([this, path, messages] { Q_EMIT q->recordingStopped(path, messages); });
        };
        callbacks.failed
            = [this](const QString &error) { post([this, error] { Q_EMIT q->recordingFailed(error); }); };
        return callbacks;
    }
};

// ---------------------------------------------------------------- EngineWorker

/**
 * Lives in the engine thread and owns every socket, its monitor and the one
 * PollLoop; all its methods run there. It reports to the Engine only through
 * Private::post() and the mutex-guarded snapshots.
 */
class EngineWorker : public QObject
{
public:
    explicit EngineWorker(Engine::Private *priv);

    void open(SocketId id, const SocketSpec &spec);
    void close(SocketId id);
    void send(SocketId id, const Frames &frames, quint64 tag, bool ordered = false);
    void sendOrdered(SocketId id, const Frames &frames, quint64 tag, bool resume);
    void shutdown();
    void startRecording(const RecordingOptions &options);
    void stopRecording();

private:
    struct Slot
    {
        SocketId id = 0;
        SocketSpec spec;
        std::unique_ptr<Socket> socket;
        std::unique_ptr<SocketMonitor> monitor; // declared after socket: destroyed (stopped) first
        SocketState state = SocketState::Opening;
        int peers = 0;
    };

    void flush();
    /// Tells the Engine's thread that messages were stored: at once after a quiet spell, then at most once
    /// per StoredNotifyIntervalMs while more keep coming, the last of them when the interval ends.
    void notifyStored();
    void notifyStoredNow();
    /// The receive path: straight into the store, or through m_pending when a recording wants the socket.
    void handleInput(SocketId id, std::span<const QByteArrayView> frames);
    /// Adds what handleInput() stored directly to its socket's counters.
    void publishDirect(qint64 nowMs);
    void handleMonitorEvent(SocketId id, const SocketMonitor::Event &event);
    void handleLoopError(Socket *socket, const QString &message);
    void handleTerminated(Socket *socket);
    Slot *findSlot(SocketId id);
    Slot *findSlot(const Socket *socket);
    void logEvent(SocketId id, SocketState state, const QString &endpoint, const QString &text, bool isError);
    /// Queues a signal emission; deliver() posts everything one handler queued as one event, so the
    /// Engine's thread sees a state change and its log line (or a failure and its line) together.
    void emitLater(std::function<void()> emission) { m_outbox.push_back(std::move(emission)); }
    void deliver();
    void publishState(Slot &slot, const QString &error = {});
    void teardown(Slot &slot);

    Engine::Private *d;
    PollLoop *m_loop; // child: moves to the engine thread with us, deleted there by shutdown()
    QTimer *m_notifyTimer; // child: the trailing messagesStored of a flood
    qint64 m_lastNotifyMs = std::numeric_limits<qint64>::min() / 2;
    std::map<SocketId, std::unique_ptr<Slot>> m_slots;
    std::vector<NewMessage> m_pending; // received in the current activation, appended in one batch
    std::int64_t m_receivedUs = 0; // receive time stamped on received messages (see handleInput())
    std::uint64_t m_batchCount = 0; // messages received since the last flush (the clock is read every 8th)
    // Messages handleInput() stored directly, not yet in the socket's counters (one socket at a time).
    SocketId m_directSocket = 0;
    std::uint64_t m_directCount = 0;
    std::uint64_t m_directBytes = 0;
    std::vector<std::function<void()>> m_outbox; // emissions of the handler running now
    std::set<SocketId> m_heldStreams; // sendOrdered() streams waiting for a resume (see Engine::sendOrdered)
};

void EngineWorker::deliver()
{
    if (m_outbox.empty())
        return;
    d->post([batch = std::move(m_outbox)] {
        for (const auto &emission : batch)
            emission();
    });
    m_outbox.clear();
}

EngineWorker::EngineWorker(Engine::Private *priv)
    : d(priv)
    , m_loop(new PollLoop(this))
    , m_notifyTimer(new QTimer(this))
{
    // Each turn of a flood ends with a self-posted event, a wake-up and a flush; the 5 ms bound per
    // turn still keeps the other sockets and the Engine's commands waiting no longer than before.
    m_loop->setMaxMessagesPerActivation(EngineMessagesPerActivation);
    m_notifyTimer->setSingleShot(true);
    m_notifyTimer->setTimerType(Qt::PreciseTimer);
    connect(m_notifyTimer, &QTimer::timeout, this, [this] { notifyStoredNow(); });
    connect(m_loop, &PollLoop::inputHandled, this, [this] { flush(); });
    connect(m_loop, &PollLoop::errorOccurred, this,
        [this](Socket *socket, const QString &message) { handleLoopError(socket, message); });
    connect(m_loop, &PollLoop::socketTerminated, this, [this](Socket *socket) { handleTerminated(socket); });
}

EngineWorker::Slot *EngineWorker::findSlot(SocketId id)
{
    const auto it = m_slots.find(id);
    return it == m_slots.end() ? nullptr : it->second.get();
}

EngineWorker::Slot *EngineWorker::findSlot(const Socket *socket)
{
    for (auto &[id, slot] : m_slots) {
        if (slot->socket.get() == socket)
            return slot.get();
    }
    return nullptr;
}

void EngineWorker::logEvent(
    SocketId id, SocketState state, const QString &endpoint, const QString &text, bool isError)
{
    EngineEvent event;
    event.time = QDateTime::currentDateTime();
    event.socket = id;
    event.state = state;
    event.endpoint = endpoint;
    event.text = text;
    event.isError = isError;
    Engine *q = d->q;
    emitLater([q, event] { Q_EMIT q->eventLogged(event); });
}

void EngineWorker::publishState(Slot &slot, const QString &error)
{
    d->update(slot.id, [&](Engine::Private::Published &entry) {
        entry.info.state = slot.state;
        entry.info.peers = slot.peers;
        if (!error.isEmpty())
            entry.info.lastError = error;
    });
}

void EngineWorker::open(SocketId id, const SocketSpec &spec)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    auto slot = std::make_unique<Slot>();
    slot->id = id;
    slot->spec = spec;
    Engine *q = d->q;
    try {
        spec.validate();
        slot->socket = std::make_unique<Socket>(Socket::create(spec.type, d->context));
        Socket &socket = *slot->socket;
        for (const auto &[name, value] : Engine::defaultOptions(spec.type))
            socket.setOption(name, value);
        for (const auto &[name, value] : spec.options)
            socket.setOption(name, value);
        // Before any bind or connect, or their first events (LISTENING, CONNECTED) would be missed.
        slot->monitor = std::make_unique<SocketMonitor>(socket, *m_loop,
            [this, id](const SocketMonitor::Event &event) { handleMonitorEvent(id, event); });
        if (spec.type == SocketType::Sub) {
            if (spec.subscriptions.isEmpty())
                socket.setOption("subscribe", QByteArray());
            for (const QByteArray &prefix : spec.subscriptions)
                socket.setOption("subscribe", prefix);
        }
        for (const QString &endpoint : spec.binds)
            socket.bind(endpoint);
        for (const QString &endpoint : spec.connects)
            socket.connect(endpoint);
        if (spec.type == SocketType::XSub) {
            // XSUB subscribes by sending "\x01prefix"; libzmq keeps them and resends them to later peers.
            const Frames everything { QByteArray(1, '\x01') };
            if (spec.subscriptions.isEmpty())
                socket.sendFrames(everything);
            for (const QByteArray &prefix : spec.subscriptions)
                socket.sendFrames({ QByteArray(1, '\x01') + prefix });
        }
        if (socketTypeCanReceive(spec.type)) {
            m_loop->registerViewReceiver(socket,
                [this, id](Socket &, std::span<const QByteArrayView> frames) { handleInput(id, frames); });
        }
    } catch (const Error &error) {
        slot->monitor.reset();
        slot->socket.reset();
        slot->state = SocketState::Failed;
        const QString message
            = spec.name.isEmpty() ? error.message() : u"%1: %2"_s.arg(spec.name, error.message());
        publishState(*slot, message);
        emitLater([q, id, message] {
            Q_EMIT q->socketStateChanged(id, SocketState::Failed);
            Q_EMIT q->socketFailed(id, message);
        });
        logEvent(id, SocketState::Failed, QString(), message, true);
        return;
    }

    // No monitor events come for inproc://, so its state is known right away.
    const bool allInproc = std::all_of(spec.connects.begin(), spec.connects.end(),
        [](const QString &endpoint) { return endpoint.startsWith(u"inproc://"_s); });
    slot->state = !spec.binds.isEmpty() ? SocketState::Listening
        : allInproc                     ? SocketState::Connected
                                        : SocketState::Connecting;
    const QStringList bound = slot->socket->boundEndpoints();
    d->update(id, [&](Engine::Private::Published &entry) {
        entry.info.boundEndpoints = bound;
        entry.info.state = slot->state;
    });
    const SocketState state = slot->state;
    QStringList where;
    if (!bound.isEmpty())
        where.append(u"bound to %1"_s.arg(bound.join(u", "_s)));
    if (!spec.connects.isEmpty())
        where.append(u"connecting to %1"_s.arg(spec.connects.join(u", "_s)));
    emitLater([q, id, bound, state] {
        Q_EMIT q->socketOpened(id, bound);
        Q_EMIT q->socketStateChanged(id, state);
    });
    logEvent(id, state, bound.value(0, spec.connects.value(0)),
        u"opened %1 socket \"%2\", %3"_s.arg(socketTypeName(spec.type), spec.name, where.join(u", "_s)),
        false);
    m_slots.emplace(id, std::move(slot));
}

void EngineWorker::teardown(Slot &slot)
{
    // The monitor goes first: a monitored socket closed under its monitor can hang context termination.
    slot.monitor.reset();
    if (slot.socket) {
        slot.socket->close();
        slot.socket.reset();
    }
}

void EngineWorker::close(SocketId id)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    flush();
    Engine *q = d->q;
    Slot *slot = findSlot(id);
    if (!slot) {
        bool known = false;
        d->update(id, [&](Engine::Private::Published &entry) {
            known = true;
            entry.info.state = SocketState::Closed;
        });
        if (!known) {
            logEvent(id, SocketState::Closed, QString(),
                u"cannot close socket %1: there is no such socket"_s.arg(id), true);
            return;
        }
        // A socket that failed to open has nothing to close, but its row still goes to Closed.
        emitLater([q, id] {
            Q_EMIT q->socketStateChanged(id, SocketState::Closed);
            Q_EMIT q->socketClosed(id);
        });
        return;
    }
    // So that "close, then open again on the same port" works without a race against libzmq.
    if (slot->monitor)
        slot->monitor->releaseEndpoints(std::chrono::milliseconds(500));
    teardown(*slot);
    slot->state = SocketState::Closed;
    slot->peers = 0;
    publishState(*slot);
    logEvent(id, SocketState::Closed, QString(), u"closed socket \"%1\""_s.arg(slot->spec.name), false);
    emitLater([q, id] {
        Q_EMIT q->socketStateChanged(id, SocketState::Closed);
        Q_EMIT q->socketClosed(id);
    });
    m_slots.erase(id);
}

void EngineWorker::sendOrdered(SocketId id, const Frames &frames, quint64 tag, bool resume)
{
    if (resume) {
        m_heldStreams.erase(id);
    } else if (m_heldStreams.contains(id)) {
        Engine *q = d->q;
        emitLater([q, tag] { Q_EMIT q->sendDeferred(tag); });
        deliver();
        return;
    }
    send(id, frames, tag, true);
}

void EngineWorker::send(SocketId id, const Frames &frames, quint64 tag, bool ordered)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Engine *q = d->q;
    Slot *slot = findSlot(id);
    if (!slot || !slot->socket) {
        QString name;
        SocketState state = SocketState::Closed;
        bool known = false;
        {
            QMutexLocker locker(&d->mutex);
            if (const auto it = d->published.find(id); it != d->published.end()) {
                known = true;
                name = it->second.info.spec.name;
                state = it->second.info.state;
            }
        }
        const QString message = known
            ? u"cannot send on \"%1\": the socket is %2"_s.arg(name, socketStateName(state).toLower())
            : u"cannot send on socket %1: there is no such socket"_s.arg(id);
        emitLater([q, tag, message] { Q_EMIT q->sendFailed(tag, message); });
        return;
    }
    // Whatever arrived before this send is stored before it, so the store keeps the real order.
    flush();
    try {
        slot->socket->sendFrames(frames);
    } catch (const Error &error) {
        if (ordered) {
            // Hold the ordered stream, so the messages behind this one wait instead of overtaking it.
            m_heldStreams.insert(id);
            if (error.code() == ErrorCode::Timeout) {
                emitLater([q, tag] { Q_EMIT q->sendDeferred(tag); });
                return;
            }
        }
        // Nothing was sent and nothing received is touched: the caller may fix the state and retry.
        const QString message = u"%1: %2"_s.arg(slot->spec.name, error.message());
        d->update(id, [&](Engine::Private::Published &entry) { entry.info.lastError = message; });
        logEvent(id, slot->state, QString(), message, true);
        emitLater([q, tag, message] { Q_EMIT q->sendFailed(tag, message); });
        return;
    }
    std::uint64_t bytes = 0;
    for (const QByteArray &frame : frames)
        bytes += std::uint64_t(frame.size());
    try {
        const std::int64_t sentUs = MessageStore::nowUs();
        d->store.append(id, Direction::Out, sentUs, frames);
        d->recorder.record(id, Direction::Out, sentUs, frames);
    } catch (const Error &error) {
        logEvent(id, slot->state, QString(), error.message(), true);
    }
    d->update(id, [&](Engine::Private::Published &entry) {
        ++entry.info.messagesOut;
        entry.info.bytesOut += bytes;
    });
    emitLater([q, tag] { Q_EMIT q->messageSent(tag); });
    deliver(); // messageSent before the messagesStored that includes the sent message
    notifyStored();
}

void EngineWorker::handleInput(SocketId id, std::span<const QByteArrayView> frames)
{
    // The first message of a batch reads the clock, and so does every 8th after it; the ones
    // between left libzmq's queue within microseconds of it, and a flood saves the reads.
    if (m_batchCount++ % 8 == 0)
        m_receivedUs = MessageStore::nowUs();
    if (d->recorder.records(id)) {
        // The recorder's thread needs its own copy of the frames.
        Frames copy;
        copy.reserve(qsizetype(frames.size()));
        for (const QByteArrayView frame : frames)
            copy.append(frame.toByteArray());
        m_pending.push_back(NewMessage { id, Direction::In, m_receivedUs, std::move(copy) });
        return;
    }
    // Copied once, from libzmq's buffers into the store's arena; what is pending goes first to keep the
    // order.
    if (!m_pending.empty())
        flush();
    if (id != m_directSocket && m_directCount > 0)
        publishDirect(steadyMs());
    m_directSocket = id;
    try {
        d->store.append(id, Direction::In, m_receivedUs, frames);
    } catch (const Error &error) {
        // Only a frame of 4 GiB or more gets here (maxmsgsize is far lower by default); say so, keep going.
        logEvent(0, SocketState::Opening, QString(), error.message(), true);
    }
    std::uint64_t bytes = 0;
    for (const QByteArrayView frame : frames)
        bytes += std::uint64_t(frame.size());
    ++m_directCount;
    m_directBytes += bytes;
}

void EngineWorker::publishDirect(qint64 nowMs)
{
    if (m_directCount == 0)
        return;
    d->update(m_directSocket, [&](Engine::Private::Published &entry) {
        entry.info.messagesIn += m_directCount;
        entry.info.bytesIn += m_directBytes;
        entry.rate.add(nowMs, m_directCount);
    });
    m_directCount = 0;
    m_directBytes = 0;
}

void EngineWorker::flush()
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    m_batchCount = 0;
    if (m_directCount > 0) {
        publishDirect(steadyMs());
        if (m_pending.empty())
            notifyStored();
    }
    if (m_pending.empty())
        return;
    try {
        d->store.append(std::span<const NewMessage>(m_pending));
        d->recorder.record(m_pending);
    } catch (const Error &error) {
        // Only a frame of 4 GiB or more gets here (maxmsgsize is far lower by default); say so, keep going.
        logEvent(0, SocketState::Opening, QString(), error.message(), true);
    }
    const qint64 now = steadyMs();
    {
        QMutexLocker locker(&d->mutex);
        // A batch is almost always from one socket: look each socket up once per run.
        auto it = d->published.end();
        for (const NewMessage &message : m_pending) {
            if (it == d->published.end() || it->first != message.socket)
                it = d->published.find(message.socket);
            if (it == d->published.end())
                continue;
            std::uint64_t bytes = 0;
            for (const QByteArray &frame : message.frames)
                bytes += std::uint64_t(frame.size());
            ++it->second.info.messagesIn;
            it->second.info.bytesIn += bytes;
            it->second.rate.add(now, 1);
        }
    }
    m_pending.clear();
    deliver();
    notifyStored();
}

void EngineWorker::notifyStored()
{
    if (m_notifyTimer->isActive())
        return; // the trailing notification is due and will include these messages
    const qint64 wait = m_lastNotifyMs + StoredNotifyIntervalMs - steadyMs();
    if (wait > 0)
        m_notifyTimer->start(int(wait));
    else
        notifyStoredNow();
}

void EngineWorker::notifyStoredNow()
{
    m_notifyTimer->stop();
    m_lastNotifyMs = steadyMs();
    d->notifyStored();
}

void EngineWorker::handleMonitorEvent(SocketId id, const SocketMonitor::Event &event)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Slot *slot = findSlot(id);
    if (!slot || !slot->monitor)
        return;
    const SocketMonitor::Change change = slot->monitor->interpret(event);
    const SocketState before = slot->state;
    const int peersBefore = slot->peers;
    if (change.state)
        slot->state = *change.state;
    slot->peers = change.peers;
    publishState(*slot, change.isError ? change.text : QString());
    if (slot->state != before || slot->peers != peersBefore) {
        Engine *q = d->q;
        const SocketState state = slot->state;
        emitLater([q, id, state] { Q_EMIT q->socketStateChanged(id, state); });
    }
    if (!change.quiet)
        logEvent(id, slot->state, event.endpoint, change.text, change.isError);
}

void EngineWorker::handleLoopError(Socket *socket, const QString &message)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Slot *slot = findSlot(socket);
    if (!slot)
        return; // a monitor PAIR; its events are advisory
    const QString text = u"%1: %2"_s.arg(slot->spec.name, message);
    d->update(slot->id, [&](Engine::Private::Published &entry) { entry.info.lastError = text; });
    logEvent(slot->id, slot->state, QString(), text, true);
}

void EngineWorker::handleTerminated(Socket *socket)
{
    const auto deliverAtEnd = qScopeGuard([this] { deliver(); });
    Slot *slot = findSlot(socket);
    if (!slot)
        return;
    const SocketId id = slot->id;
    teardown(*slot);
    slot->state = SocketState::Closed;
    slot->peers = 0;
    publishState(*slot, u"the ZeroMQ context was shut down"_s);
    logEvent(id, SocketState::Closed, QString(),
        u"socket \"%1\" closed: the ZeroMQ context was shut down"_s.arg(slot->spec.name), true);
    Engine *q = d->q;
    emitLater([q, id] {
        Q_EMIT q->socketStateChanged(id, SocketState::Closed);
        Q_EMIT q->socketClosed(id);
    });
    m_slots.erase(id);
}

void EngineWorker::shutdown()
{
    flush();
    if (m_notifyTimer->isActive())
        notifyStoredNow(); // the last messages are not left untold
    for (auto &[id, slot] : m_slots)
        teardown(*slot);
    m_slots.clear();
    // Its notifiers belong to this thread and must be destroyed here, not by the joining thread.
    delete m_loop;
    m_loop = nullptr;
}

// ---------------------------------------------------------------- Engine

Engine::Engine(MessageStore &store, QObject *parent)
    : Engine(store, Context(), parent)
{ }

Engine::Engine(MessageStore &store, const Context &context, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, store, context))
{
    registerMetaTypes();
    d->worker = new EngineWorker(d.get());
    d->worker->moveToThread(&d->thread);
    d->thread.setObjectName(u"zmqscope-engine"_s);
    d->thread.start();
}

Engine::~Engine()
{
    if (d->thread.isRunning()) {
        EngineWorker *worker = d->worker;
        QMetaObject::invokeMethod(
            worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
        d->thread.quit();
        d->thread.wait();
        d->recorder.shutdown();
    }
    // The thread has finished and the worker holds no notifier or timer any more: safe to delete here.
    delete d->worker;
    d->worker = nullptr;
}

MessageStore &Engine::store() const
{
    return d->store;
}

const Context &Engine::context() const
{
    return d->context;
}

Options Engine::defaultOptions(SocketType type)
{
    Options options {
        { "linger", DefaultLinger },
        { "rcvhwm", DefaultRcvHwm },
        { "maxmsgsize", DefaultMaxMsgSize },
        { "sndtimeo", DefaultSndTimeo },
        { "reconnect_ivl_max", DefaultReconnectIvlMax },
    };
    if (type == SocketType::Router)
        options.emplace_back("router_mandatory", true);
    return options;
}

SocketId Engine::openSocket(const SocketSpec &spec)
{
    const SocketId id = ++d->lastId;
    SocketSpec named = spec;
    {
        QMutexLocker locker(&d->mutex);
        // Names identify sockets in the UI and in capture files: give every open socket its own.
        const auto taken = [&](const QString &name) {
            for (const auto &[otherId, entry] : d->published) {
                if (entry.info.spec.name == name && entry.info.state != SocketState::Closed
                    && entry.info.state != SocketState::Failed)
                    return true;
            }
            return false;
        };
        const QString base = spec.name.trimmed().isEmpty()
            ? u"%1 %2"_s.arg(socketTypeName(spec.type), QString::number(id))
            : spec.name.trimmed();
        named.name = base;
        for (int n = 2; taken(named.name); ++n)
            named.name = u"%1 (%2)"_s.arg(base, QString::number(n));
        Private::Published entry;
        entry.info.id = id;
        entry.info.spec = named;
        entry.info.state = SocketState::Opening;
        d->published.emplace(id, std::move(entry));
    }
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id, named] { worker->open(id, named); }, Qt::QueuedConnection);
    return id;
}

void Engine::closeSocket(SocketId id)
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id] { worker->close(id); }, Qt::QueuedConnection);
}

SocketId Engine::replaceSocket(SocketId id, const SocketSpec &spec)
{
    {
        QMutexLocker locker(&d->mutex);
        // The close queued below runs before the open: its name is free for the new socket already.
        if (const auto it = d->published.find(id); it != d->published.end())
            it->second.info.state = SocketState::Closed;
    }
    closeSocket(id);
    return openSocket(spec);
}

void Engine::send(SocketId id, const Frames &frames, quint64 tag)
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id, frames, tag] { worker->send(id, frames, tag); }, Qt::QueuedConnection);
}

void Engine::sendOrdered(SocketId id, const Frames &frames, quint64 tag, bool resume)
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, id, frames, tag, resume] { worker->sendOrdered(id, frames, tag, resume); },
        Qt::QueuedConnection);
}

QList<SocketInfo> Engine::sockets() const
{
    const qint64 now = steadyMs();
    QMutexLocker locker(&d->mutex);
    QList<SocketInfo> list;
    list.reserve(qsizetype(d->published.size()));
    for (const auto &[id, entry] : d->published) {
        list.append(entry.info);
        list.last().rateIn = entry.rate.perSecond(now);
    }
    return list;
}

std::optional<SocketInfo> Engine::socket(SocketId id) const
{
    const qint64 now = steadyMs();
    QMutexLocker locker(&d->mutex);
    const auto it = d->published.find(id);
    if (it == d->published.end())
        return std::nullopt;
    SocketInfo info = it->second.info;
    info.rateIn = it->second.rate.perSecond(now);
    return info;
}

void EngineWorker::startRecording(const RecordingOptions &options)
{
    flush(); // what arrived before the request is not part of the recording
    d->recorder.start(options);
}

void EngineWorker::stopRecording()
{
    flush(); // what arrived before the request is
    d->recorder.stop();
}

void Engine::startRecording(const RecordingOptions &options)
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker, options] { worker->startRecording(options); }, Qt::QueuedConnection);
}

void Engine::stopRecording()
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->stopRecording(); }, Qt::QueuedConnection);
}

RecordingStatus Engine::recordingStatus() const
{
    return d->recorder.status();
}

bool Engine::lowerThreadPriority(int niceIncrement)
{
    bool lowered = false;
    EngineWorker *worker = d->worker;
    Private *priv = d.get();
    QMetaObject::invokeMethod(
        worker,
        [&lowered, niceIncrement, priv] {
#ifdef Q_OS_LINUX
            // Linux keeps a nice value per thread (setpriority(2), NOTES): this one only, not the GUI's.
            const pid_t thread = gettid();
            errno = 0;
            const int current = getpriority(PRIO_PROCESS, id_t(thread));
            if (current == -1 && errno != 0)
                return;
            if (setpriority(PRIO_PROCESS, id_t(thread), std::clamp(current + niceIncrement, -20, 19)) != 0)
                return;
#else
            Q_UNUSED(niceIncrement)
            QThread::currentThread()->setPriority(QThread::LowPriority);
#endif
            // libzmq starts a context's I/O threads with its first socket, in the thread that creates
            // it, and they inherit that thread's nice value: a throwaway socket starts them here.
            // (When the context already runs them, it changes nothing.)
            try {
                Socket probe = Socket::create(SocketType::Pair, priv->context);
                probe.setOption("linger", 0);
            } catch (const Error &) {
                // A context that cannot make a socket now will report it on the first real one.
            }
            lowered = true;
        },
        Qt::BlockingQueuedConnection);
    return lowered;
}

void Engine::sync()
{
    EngineWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [] {}, Qt::BlockingQueuedConnection);
    // What the engine thread did for those requests was posted to us; deliver it now.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

} // namespace zmqscope
