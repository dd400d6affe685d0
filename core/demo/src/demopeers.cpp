#include <atomic>
#include <cmath>
#include <mutex>
#include <optional>

#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaObject>
#include <QThread>
#include <QTimer>

#include <zmqscope/demo/demopeers.h>
#include <zmqscope/envelope.h>
#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>

#include "demoimage_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

std::atomic<quint64> inprocCounter { 0 };

struct Sensor
{
    const char *name;
    const char *unit;
    double base;
    double swing;
};

constexpr Sensor Sensors[] = {
    { "temp-1", "celsius", 21.4, 1.5 },
    { "temp-2", "celsius", 19.2, 0.8 },
    { "humidity-1", "percent", 45.0, 6.0 },
};

// Each sensor numbers its readings ("seq") on its own; now and then a number is skipped or sent twice,
// so loss and duplicate detection have something to find within the first half minute at the default
// rate (one reading per sensor per second).
constexpr quint64 SeqPeriod = 50;
constexpr quint64 SkippedSeq = 7; ///< seq 7, 57, 107, ... never goes out
constexpr quint64 RepeatedReading = 23; ///< reading 23, 73, ... repeats the seq before it

// The ROUTER answers after 1 to 40 ms, so request-reply latencies differ from pair to pair.
constexpr int MinReplyDelayMs = 1;
constexpr int MaxReplyDelayMs = 40;

QByteArray bigEndian64(quint64 value)
{
    QByteArray bytes(8, '\0');
    for (int i = 7; i >= 0; --i) {
        bytes[i] = char(value & 0xff);
        value >>= 8;
    }
    return bytes;
}

} // namespace

struct DemoCounters
{
    std::atomic<std::uint64_t> sent { 0 };
    std::atomic<std::uint64_t> answered { 0 };
};

struct DemoEndpoints
{
    QString telemetry;
    QString echo;
    QString router;
    QString push;
    QString quotes;
    QString tapListen; ///< what tapSpec() asks the tap to bind
};

constexpr const char *QuoteSymbols[] = { "ACME", "GLOBEX", "INITECH", "UMBRELLA" };

/// Lives in the demo thread and owns the peers, their PollLoop and timers.
class DemoWorker : public QObject
{
public:
    DemoWorker(
        const Context &context, const DemoPeers::Settings &settings, DemoCounters *counters, DemoPeers *owner)
        : m_context(context)
        , m_settings(settings)
        , m_counters(counters)
        , m_owner(owner)
    { }

    DemoEndpoints setUp();
    void tearDown();
    void setRate(double rate);
    void connectTapClients(const QString &endpoint);

private:
    QString bindPeer(Socket &socket, const char *role) const;
    void publish();
    void push();
    void answerEcho(Socket &socket, Frames &&request);
    void answerRouter(Frames &&request);
    void sendRouterReply(const Frames &reply);
    [[nodiscard]] int nextReplyDelayMs();
    void answerQuote(Socket &socket, Frames &&request);
    void askQuotes();
    void report(const QString &message);

    Context m_context;
    DemoPeers::Settings m_settings;
    DemoCounters *m_counters;
    DemoPeers *m_owner; // outlives us: DemoPeers joins this thread before it goes
    PollLoop *m_loop = nullptr;
    QTimer *m_publishTimer = nullptr;
    QTimer *m_pushTimer = nullptr;
    QTimer *m_quoteTimer = nullptr;
    std::optional<Socket> m_pub;
    std::optional<Socket> m_rep;
    std::optional<Socket> m_router;
    std::optional<Socket> m_push;
    std::optional<Socket> m_quotes;
    /// The quote clients (REQ) and whether each waits for its reply.
    struct QuoteClient
    {
        std::optional<Socket> socket;
        bool waiting = false;
        int ticksWaiting = 0;
    };
    QuoteClient m_quoteClients[2];
    quint64 m_quoteRequests = 0;
    quint64 m_published = 0;
    /// Per sensor: readings published and the last seq sent.
    struct SensorStream
    {
        quint64 readings = 0;
        quint64 seq = 0;
    };
    SensorStream m_streams[std::size(Sensors)];
    /// A linear congruential generator: the same reply delays on every run.
    quint32 m_delayState = 12345;
    quint64 m_pushed = 0;
    quint64 m_routed = 0;
    quint64 m_rateGeneration = 0;
};

QString DemoWorker::bindPeer(Socket &socket, const char *role) const
{
    // Demo peers never hold the process at exit.
    socket.setOption("linger", 0);
    if (m_settings.inproc) {
        socket.bind(
            u"inproc://zmqscope-demo-%1-%2"_s.arg(QString::number(++inprocCounter), QLatin1StringView(role)));
        return socket.lastEndpoint();
    }
    socket.bind(u"tcp://127.0.0.1:*"_s);
    return socket.lastEndpoint();
}

DemoEndpoints DemoWorker::setUp()
{
    DemoEndpoints endpoints;
    m_loop = new PollLoop(this);
    m_pub.emplace(Socket::create(SocketType::Pub, m_context));
    endpoints.telemetry = bindPeer(*m_pub, "telemetry");

    m_rep.emplace(Socket::create(SocketType::Rep, m_context));
    endpoints.echo = bindPeer(*m_rep, "echo");
    m_loop->registerReceiver(
        *m_rep, [this](Socket &socket, Frames &&request) { answerEcho(socket, std::move(request)); });

    m_router.emplace(Socket::create(SocketType::Router, m_context));
    endpoints.router = bindPeer(*m_router, "router");
    m_loop->registerReceiver(
        *m_router, [this](Socket &, Frames &&request) { answerRouter(std::move(request)); });

    m_push.emplace(Socket::create(SocketType::Push, m_context));
    // Never block the demo thread: with no PULL connected a message is simply not sent.
    m_push->setOption("sndtimeo", 0);
    m_push->setOption("sndhwm", 100);
    endpoints.push = bindPeer(*m_push, "push");

    // The quote service sits behind the tap the inspector opens (tapSpec()); its clients come with
    // connectTapClients().
    m_quotes.emplace(Socket::create(SocketType::Rep, m_context));
    endpoints.quotes = bindPeer(*m_quotes, "quotes");
    m_loop->registerReceiver(
        *m_quotes, [this](Socket &socket, Frames &&request) { answerQuote(socket, std::move(request)); });
    endpoints.tapListen = m_settings.inproc
        ? u"inproc://zmqscope-demo-%1-quotes-tap"_s.arg(QString::number(++inprocCounter))
        : u"tcp://127.0.0.1:*"_s;

    m_publishTimer = new QTimer(this);
    connect(m_publishTimer, &QTimer::timeout, this, [this] { publish(); });
    m_pushTimer = new QTimer(this);
    connect(m_pushTimer, &QTimer::timeout, this, [this] { push(); });
    m_quoteTimer = new QTimer(this);
    connect(m_quoteTimer, &QTimer::timeout, this, [this] { askQuotes(); });
    setRate(m_settings.messagesPerSecond);
    return endpoints;
}

void DemoWorker::tearDown()
{
    // Timers and notifiers belong to this thread: stop and destroy them here.
    delete m_publishTimer;
    m_publishTimer = nullptr;
    delete m_pushTimer;
    m_pushTimer = nullptr;
    delete m_quoteTimer;
    m_quoteTimer = nullptr;
    for (QuoteClient &client : m_quoteClients)
        client = QuoteClient {};
    m_quotes.reset();
    m_pub.reset();
    m_rep.reset();
    m_router.reset();
    m_push.reset();
    delete m_loop;
    m_loop = nullptr;
}

void DemoWorker::setRate(double rate)
{
    m_settings.messagesPerSecond = rate;
    if (!m_publishTimer)
        return;
    if (!(rate > 0)) {
        ++m_rateGeneration;
        m_publishTimer->stop();
        m_pushTimer->stop();
        m_quoteTimer->stop();
        return;
    }
    const int interval = qBound(1, int(std::lround(1000.0 / rate)), 3'600'000);
    m_publishTimer->start(interval);
    // A request now and then, one client after the other: readable pairs of c2s and s2c rows.
    if (m_quoteClients[0].socket)
        m_quoteTimer->start(interval);
    // Offset the PUSH by half a period so the two peers do not tick together.
    // A later rate change makes this start stale: only the latest one may start the timer.
    const quint64 generation = ++m_rateGeneration;
    m_pushTimer->stop();
    QTimer::singleShot(interval / 2, m_pushTimer, [this, generation, interval] {
        if (generation == m_rateGeneration)
            m_pushTimer->start(interval);
    });
}

void DemoWorker::connectTapClients(const QString &endpoint)
{
    for (int i = 0; i < 2; ++i) {
        QuoteClient &client = m_quoteClients[i];
        client = QuoteClient {};
        client.socket.emplace(Socket::create(SocketType::Req, m_context));
        Socket &socket = *client.socket;
        socket.setOption("linger", 0);
        socket.setOption("sndtimeo", 0);
        // A request lost with a reopened tap must not silence the client for good: it may ask again.
        socket.setOption("req_relaxed", true);
        try {
            socket.connect(endpoint);
        } catch (const Error &error) {
            report(u"demo quote client: %1"_s.arg(error.message()));
            client = QuoteClient {};
            return;
        }
        m_loop->registerReceiver(socket, [&client](Socket &, Frames &&) {
            client.waiting = false;
            client.ticksWaiting = 0;
        });
    }
    setRate(m_settings.messagesPerSecond);
}

void DemoWorker::askQuotes()
{
    QuoteClient &client = m_quoteClients[m_quoteRequests % 2];
    if (!client.socket)
        return;
    // One request at a time per client, as REQ wants; after a long wait (the tap was closed) ask again.
    if (client.waiting && ++client.ticksWaiting < 20)
        return;
    ++m_quoteRequests;
    const QByteArray symbol(QuoteSymbols[(m_quoteRequests / 2) % std::size(QuoteSymbols)]);
    const QJsonObject request { { u"symbol"_s, QString::fromLatin1(symbol) },
        { u"qty"_s, qint64(10 * (1 + m_quoteRequests % 5)) }, { u"request"_s, qint64(m_quoteRequests) } };
    try {
        client.socket->sendJson(request, QByteArray("quote." + symbol.toLower()));
        client.waiting = true;
        client.ticksWaiting = 0;
    } catch (const Error &error) {
        if (error.code() != ErrorCode::Timeout) // Timeout: the tap is not there (yet)
            report(u"demo quote client: %1"_s.arg(error.message()));
    }
}

void DemoWorker::answerQuote(Socket &socket, Frames &&request)
{
    const auto parsed = Envelope::parse(request);
    Envelope reply;
    if (parsed.envelope) {
        const QJsonObject asked = QJsonDocument::fromJson(parsed.envelope->data()).object();
        const QString symbol = asked.value(u"symbol"_s).toString();
        double price = 40.0;
        for (const QChar c : symbol)
            price += c.unicode() % 17;
        price += std::round(10 * std::sin(double(asked.value(u"request"_s).toInteger()) / 3.0)) / 10;
        const QJsonObject quote { { u"symbol"_s, symbol }, { u"bid"_s, price - 0.05 },
            { u"ask"_s, price + 0.05 }, { u"qty"_s, asked.value(u"qty"_s) } };
        reply = parsed.envelope->responseEnvelope(
            QByteArray(mimetype::Json), QJsonDocument(quote).toJson(QJsonDocument::Compact));
    } else {
        reply = Envelope(QByteArray(), QByteArray(mimetype::Text),
            QByteArray("not an envelope: " + parsed.reason.toUtf8()));
    }
    try {
        socket.sendEnvelope(reply);
        m_counters->answered += 1;
    } catch (const Error &error) {
        report(u"demo quote service: %1"_s.arg(error.message()));
    }
}

void DemoWorker::report(const QString &message)
{
    DemoPeers *owner = m_owner;
    QMetaObject::invokeMethod(
        owner, [owner, message] { Q_EMIT owner->errorOccurred(message); }, Qt::QueuedConnection);
}

void DemoWorker::publish()
{
    ++m_published;
    const std::size_t sensorIndex = m_published % std::size(Sensors);
    const Sensor &sensor = Sensors[sensorIndex];
    SensorStream &stream = m_streams[sensorIndex];
    ++stream.readings;
    if (stream.seq == 0 || stream.readings % SeqPeriod != RepeatedReading)
        ++stream.seq;
    if (stream.seq % SeqPeriod == SkippedSeq)
        ++stream.seq;
    const double value
        = std::round((sensor.base + sensor.swing * std::sin(double(m_published) / 7.0)) * 10) / 10;
    const QByteArray sensorName(sensor.name);
    try {
        m_pub->sendJson(QJsonObject { { u"sensor"_s, QString::fromLatin1(sensorName) },
                            { QString::fromLatin1(sensor.unit), value }, { u"seq"_s, qint64(stream.seq) } },
            QByteArray("telemetry." + sensorName));
        m_counters->sent += 1;
        if (m_published % 4 == 0) {
            const QString line = u"%1 sampled %2 %3 (reading %4)"_s.arg(QString::fromLatin1(sensorName),
                QString::number(value), sensor.unit == std::string_view("celsius") ? u"°C"_s : u"%"_s,
                QString::number(m_published));
            m_pub->sendText(line.toUtf8(), "log");
            m_counters->sent += 1;
        }
        if (m_published % 10 == 0) {
            // Not an envelope (2 frames): shows how the inspector flags raw messages.
            m_pub->sendFrames({ QByteArrayLiteral("heartbeat"), bigEndian64(m_published) });
            m_counters->sent += 1;
        }
    } catch (const Error &error) {
        report(u"demo PUB: %1"_s.arg(error.message()));
    }
}

void DemoWorker::push()
{
    ++m_pushed;
    Frames frames;
    if (m_pushed % 4 == 1) {
        frames = Envelope(
            QByteArrayLiteral("image.icon"), QByteArrayLiteral("image/png"), DemoPeers::demoImage())
                     .transferObject();
    } else if (m_pushed % 5 == 2) {
        // Four frames without the empty delimiter: a raw message, not an envelope.
        frames = { QByteArrayLiteral("blob-part"), QByteArrayLiteral("1/1"), bigEndian64(m_pushed),
            QByteArray("\x00\xff", 2) };
    } else {
        QByteArray body(64, '\0');
        for (int i = 2; i < body.size(); ++i)
            body[i] = char((i * 37 + int(m_pushed)) & 0xff);
        body[1] = char(0xff); // body[0] stays NUL: binary for sure
        frames = Envelope(
            QByteArray("blob." + QByteArray::number(m_pushed)), QByteArray(mimetype::OctetStream), body)
                     .transferObject();
    }
    try {
        m_push->sendFrames(frames);
        m_counters->sent += 1;
    } catch (const Error &error) {
        if (error.code() != ErrorCode::Timeout) // Timeout: no PULL is connected, nothing to do
            report(u"demo PUSH: %1"_s.arg(error.message()));
    }
}

void DemoWorker::answerEcho(Socket &socket, Frames &&request)
{
    const auto parsed = Envelope::parse(request);
    const Envelope reply = parsed.envelope
        ? parsed.envelope->responseEnvelope(parsed.envelope->mimetype(), parsed.envelope->data())
        : Envelope(QByteArray(), QByteArray(mimetype::Text),
            QByteArray("not an envelope: " + parsed.reason.toUtf8()));
    try {
        socket.sendEnvelope(reply);
        m_counters->answered += 1;
    } catch (const Error &error) {
        report(u"demo REP: %1"_s.arg(error.message()));
    }
}

void DemoWorker::answerRouter(Frames &&request)
{
    if (request.size() < 2)
        return; // only a routing id: nothing to answer
    Frames reply { request.takeFirst() };
    // REQ (and DEALERs talking like REQ) put an empty delimiter first; a plain DEALER does not.
    if (request.first().isEmpty()) {
        request.removeFirst();
        reply.append(QByteArray());
    }
    ++m_routed;
    const auto parsed = Envelope::parse(request);
    if (parsed.envelope) {
        const Envelope &envelope = *parsed.envelope;
        const QJsonObject receipt {
            { u"ok"_s, true },
            { u"request"_s, qint64(m_routed) },
            { u"id"_s, QString::fromUtf8(envelope.id()) },
            { u"mimetype"_s, QString::fromUtf8(envelope.mimetype()) },
            { u"bytes"_s, qint64(envelope.data().size()) },
        };
        reply.append(envelope
                         .responseEnvelope(QByteArray(mimetype::Json),
                             QJsonDocument(receipt).toJson(QJsonDocument::Compact))
                         .transferObject());
    } else {
        reply.append(Envelope(QByteArray(), QByteArray(mimetype::Text),
            QByteArray("not an envelope: " + parsed.reason.toUtf8()))
                         .transferObject());
    }
    // ROUTER may answer in any order and at any time: the reply waits, on this thread's event loop.
    QTimer::singleShot(nextReplyDelayMs(), this, [this, reply] { sendRouterReply(reply); });
}

void DemoWorker::sendRouterReply(const Frames &reply)
{
    if (!m_router)
        return; // torn down meanwhile
    try {
        m_router->sendFrames(reply);
        m_counters->answered += 1;
    } catch (const Error &error) {
        report(u"demo ROUTER: %1"_s.arg(error.message()));
    }
}

int DemoWorker::nextReplyDelayMs()
{
    m_delayState = m_delayState * 1664525u + 1013904223u;
    // The high bits of an LCG are the random ones.
    return MinReplyDelayMs + int((m_delayState >> 16) % quint32(MaxReplyDelayMs - MinReplyDelayMs + 1));
}

// ---------------------------------------------------------------- DemoPeers

class DemoPeersPrivate
{
public:
    Context context;
    DemoPeers::Settings settings;
    QThread thread;
    DemoWorker *worker = nullptr;
    DemoCounters counters;
    mutable std::mutex mutex; // guards settings.messagesPerSecond and endpoints
    DemoEndpoints endpoints;
};

DemoPeers::DemoPeers(const Context &context, QObject *parent)
    : DemoPeers(context, Settings {}, parent)
{ }

DemoPeers::DemoPeers(const Context &context, Settings settings, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<DemoPeersPrivate>())
{
    d->context = context;
    d->settings = settings;
    d->thread.setObjectName(u"zmqscope-demo"_s);
}

DemoPeers::~DemoPeers()
{
    stop();
}

void DemoPeers::start()
{
    if (d->worker)
        return;
    Settings settings;
    {
        std::lock_guard locker(d->mutex);
        settings = d->settings;
    }
    d->worker = new DemoWorker(d->context, settings, &d->counters, this);
    d->worker->moveToThread(&d->thread);
    d->thread.start();
    DemoWorker *worker = d->worker;
    std::optional<Error> failure;
    DemoEndpoints endpoints;
    QMetaObject::invokeMethod(
        worker,
        [worker, &failure, &endpoints] {
            try {
                endpoints = worker->setUp();
            } catch (const Error &error) {
                failure = error;
                worker->tearDown();
            }
        },
        Qt::BlockingQueuedConnection);
    if (failure) {
        d->thread.quit();
        d->thread.wait();
        delete d->worker;
        d->worker = nullptr;
        throw Error(failure->code(), u"cannot start the demo peers: %1"_s.arg(failure->message()),
            failure->zmqErrno());
    }
    std::lock_guard locker(d->mutex);
    d->endpoints = endpoints;
}

void DemoPeers::stop()
{
    if (!d->worker)
        return;
    DemoWorker *worker = d->worker;
    QMetaObject::invokeMethod(
        worker, [worker] { worker->tearDown(); }, Qt::BlockingQueuedConnection);
    d->thread.quit();
    d->thread.wait();
    // The thread is finished and the worker holds no timer or notifier any more.
    delete d->worker;
    d->worker = nullptr;
    std::lock_guard locker(d->mutex);
    d->endpoints = {};
}

bool DemoPeers::isRunning() const
{
    return d->worker != nullptr;
}

void DemoPeers::setMessagesPerSecond(double rate)
{
    rate = std::isfinite(rate) ? qMax(0.0, rate) : 0.0;
    {
        std::lock_guard locker(d->mutex);
        d->settings.messagesPerSecond = rate;
    }
    if (DemoWorker *worker = d->worker)
        QMetaObject::invokeMethod(
            worker, [worker, rate] { worker->setRate(rate); }, Qt::QueuedConnection);
}

double DemoPeers::messagesPerSecond() const
{
    std::lock_guard locker(d->mutex);
    return d->settings.messagesPerSecond;
}

QString DemoPeers::telemetryEndpoint() const
{
    std::lock_guard locker(d->mutex);
    return d->endpoints.telemetry;
}

QString DemoPeers::echoEndpoint() const
{
    std::lock_guard locker(d->mutex);
    return d->endpoints.echo;
}

QString DemoPeers::routerEndpoint() const
{
    std::lock_guard locker(d->mutex);
    return d->endpoints.router;
}

QString DemoPeers::pushEndpoint() const
{
    std::lock_guard locker(d->mutex);
    return d->endpoints.push;
}

QString DemoPeers::quoteServerEndpoint() const
{
    std::lock_guard locker(d->mutex);
    return d->endpoints.quotes;
}

TapSpec DemoPeers::tapSpec() const
{
    std::lock_guard locker(d->mutex);
    if (d->endpoints.quotes.isEmpty())
        return {};
    TapSpec spec;
    spec.pattern = TapPattern::ReqRep;
    spec.name = u"Quotes tap"_s;
    spec.listen = { d->endpoints.tapListen };
    spec.forward = { d->endpoints.quotes };
    return spec;
}

void DemoPeers::connectTapClients(const QString &listenEndpoint)
{
    if (DemoWorker *worker = d->worker)
        QMetaObject::invokeMethod(
            worker, [worker, listenEndpoint] { worker->connectTapClients(listenEndpoint); },
            Qt::QueuedConnection);
}

QList<SocketSpec> DemoPeers::inspectorSpecs() const
{
    std::lock_guard locker(d->mutex);
    if (d->endpoints.telemetry.isEmpty())
        return {};
    const auto spec = [](const QString &name, SocketType type, const QString &endpoint) {
        SocketSpec result;
        result.name = name;
        result.type = type;
        result.connects = { endpoint };
        return result;
    };
    return {
        spec(u"Telemetry SUB"_s, SocketType::Sub, d->endpoints.telemetry),
        spec(u"Echo REQ"_s, SocketType::Req, d->endpoints.echo),
        spec(u"Router DEALER"_s, SocketType::Dealer, d->endpoints.router),
        spec(u"Blobs PULL"_s, SocketType::Pull, d->endpoints.push),
    };
}

std::uint64_t DemoPeers::messagesSent() const
{
    return d->counters.sent.load();
}

std::uint64_t DemoPeers::requestsAnswered() const
{
    return d->counters.answered.load();
}

// ---------------------------------------------------------------- DemoRequester

DemoRequester::DemoRequester(Engine &engine, SocketId socket, double requestsPerSecond, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_socket(socket)
    , m_timer(new QTimer(this))
{
    connect(m_timer, &QTimer::timeout, this, &DemoRequester::sendNext);
    setRequestsPerSecond(requestsPerSecond);
}

void DemoRequester::setRequestsPerSecond(double rate)
{
    if (!(rate > 0) || !std::isfinite(rate)) {
        m_timer->stop();
        return;
    }
    m_timer->start(qBound(1, int(std::lround(1000.0 / rate)), 3'600'000));
}

Frames DemoRequester::request(std::uint64_t number)
{
    const QJsonObject body { { u"op"_s, number % 3 == 0 ? u"status"_s : u"ping"_s },
        { u"n"_s, qint64(number) } };
    return Envelope(QByteArray("req-" + QByteArray::number(number)), QByteArray(mimetype::Json),
        QJsonDocument(body).toJson(QJsonDocument::Compact))
        .transferObject();
}

void DemoRequester::sendNext()
{
    // Fire and forget: a failure is in the Events log (the engine logs it), which is all the demo needs.
    m_engine.send(m_socket, request(++m_sent));
}

QByteArray DemoPeers::demoImage()
{
    return QByteArray::fromRawData(reinterpret_cast<const char *>(DemoPng), qsizetype(sizeof DemoPng));
}

} // namespace zmqscope
