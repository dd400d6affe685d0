#include <algorithm>
#include <atomic>
#include <cmath>
#include <deque>
#include <limits>
#include <thread>

#include <QElapsedTimer>
#include <QFileInfo>
#include <QMetaObject>
#include <QTimer>

#include <zmqscope/capture/capturereader.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/replay/replayer.h>
#include <zmqscope/store/threadaffinity.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// MaxSpeed keeps up to this many messages (and at most this many bytes) queued towards the engine
// thread: enough to hide the round trip between the threads, small enough to bound memory and to
// make stop() take effect quickly.
constexpr qsizetype WindowMessages = 1000;
constexpr qint64 WindowBytes = qint64 { 64 } * 1024 * 1024;
// Messages dispatched per pump() before yielding to the event loop, so the caller's thread stays responsive.
constexpr int DispatchBudget = 500;
// Retrying a message the socket could not take: at once (a high-water mark often clears within
// microseconds), then after 1 ms, doubling up to 50 ms (no peer yet: cheap polling).
constexpr qint64 FirstRetryMs = 0;
constexpr qint64 MaxRetryMs = 50;
// The longest single timer; a longer gap is waited for in several steps.
constexpr qint64 MaxTimerMs = qint64 { 60 } * 60 * 1000;
constexpr qint64 ProgressIntervalMs = 50;

// Each run has its own number, so results and counts that arrive after a restart are told apart.
std::atomic<quint64> s_lastRun { 0 };

qint64 frameBytes(const Frames &frames)
{
    qint64 bytes = 0;
    for (const QByteArray &frame : frames)
        bytes += frame.size();
    return bytes;
}

bool matches(const CaptureRecord &record, const ReplayOptions &options)
{
    if (record.isEvent()) // subscriptions and connection events are not messages to send
        return false;
    if (!options.socketFilter.isEmpty() && record.socket != options.socketFilter)
        return false;
    if (options.direction && record.direction != *options.direction)
        return false;
    return !options.accept || options.accept(record);
}

} // namespace

struct Replayer::Private
{
    Replayer *q = nullptr;
    Engine &engine;
    SocketId target;
    ReplayOptions options;

    bool running = false;
    bool stopping = false;
    QString error; // the first real error; ends the replay once the sends in flight are answered
    quint64 run = 0; // this run's number (s_lastRun)

    // The source: a list, or a capture file read as needed.
    std::vector<ReplayItem> items;
    size_t itemsRead = 0;
    std::unique_ptr<CaptureReader> reader;
    bool sourceDone = false;
    QStringList fileIssues;

    // Items fetched but not yet confirmed sent: index confirmed + i is buffer[i].
    std::deque<ReplayItem> buffer;
    quint64 confirmed = 0; // messages the engine reported sent
    quint64 deferredSends = 0;
    quint64 failedSends = 0;
    quint64 nextToSend = 0; // index of the next message to hand to the engine
    quint64 fetched = 0; // messages taken from the source
    qsizetype inFlight = 0;
    qsizetype window = 1; // messages allowed in flight now: grows while sends succeed, halves on a hold
    qint64 bytesInFlight = 0;
    quint64 total = 0;
    quint64 stepTarget = 0; // Step: messages the user asked for so far

    // Holding: the socket could not take a message; wait for the window to drain, then retry it.
    bool held = false;
    bool resumeNext = false;
    qint64 retryDelayMs = FirstRetryMs;
    qint64 retryAtMs = 0;

    bool haveFirstTimestamp = false;
    std::int64_t firstTimestampUs = 0;
    std::optional<qint64> originNs; // clock time when the first message went out: the schedule's start
    QElapsedTimer clock;
    QElapsedTimer lastProgress;
    QTimer timer;
    QTimer progressTimer; // delivers a progress update that came too soon after the last one

    // Counting a file's matching records in the background, for total().
    std::thread counter; // no event loop: it reads and posts its one result
    std::shared_ptr<std::atomic<bool>> counterCancel;

    Private(Replayer *owner, Engine &e, SocketId id)
        : q(owner)
        , engine(e)
        , target(id)
    { }

    [[nodiscard]] bool isCurrent(quint64 sendRun) const { return running && sendRun == run; }
    [[nodiscard]] bool timed() const
    {
        return options.pacing == ReplayPacing::OriginalTiming || options.pacing == ReplayPacing::Speed;
    }

    void begin(const ReplayOptions &opts);
    void startCounting(const QString &path);
    void stopCounting();
    ReplayItem *itemAt(quint64 index);
    bool fetchOne();
    void pump();
    void arm(qint64 ms);
    void dispatch(quint64 index, ReplayItem &item);
    void handleSendResult(quint64 sendRun, quint64 index, const SendResult &result);
    void handleSent(quint64 index);
    void handleDeferred(quint64 index);
    void handleFailed(quint64 index, const QString &message);
    void answered(quint64 index);
    void maybeFinish();
    void reportProgress(bool force);
};

void Replayer::Private::begin(const ReplayOptions &opts)
{
    options = opts;
    if (options.pacing == ReplayPacing::OriginalTiming)
        options.speed = 1.0;
    running = true;
    stopping = false;
    error.clear();
    run = ++s_lastRun;
    items.clear();
    itemsRead = 0;
    reader.reset();
    sourceDone = false;
    fileIssues.clear();
    buffer.clear();
    confirmed = nextToSend = fetched = 0;
    deferredSends = failedSends = 0;
    inFlight = 0;
    window = 1;
    bytesInFlight = 0;
    total = 0;
    stepTarget = 0;
    held = false;
    resumeNext = true; // clears a hold an earlier replay on this socket may have left in the engine
    retryDelayMs = FirstRetryMs;
    haveFirstTimestamp = false;
    firstTimestampUs = 0;
    originNs.reset();
    clock.start();
    lastProgress.start();
    if (options.pacing == ReplayPacing::Speed && (!std::isfinite(options.speed) || options.speed <= 0))
        error = u"invalid replay speed %1: it must be a number above 0"_s.arg(options.speed);
}

void Replayer::Private::startCounting(const QString &path)
{
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    counterCancel = cancel;
    const ReplayOptions filter = options;
    const quint64 countRun = run;
    Replayer *owner = q; // alive while the thread runs: its destructor joins the thread
    counter = std::thread([path, filter, cancel, countRun, owner] {
        quint64 count = 0;
        try {
            CaptureReader countReader(path);
            // Socket and direction are all the filter reads: no frame of a big message is held twice.
            countReader.setDecodeFrames(false);
            CaptureRecord record;
            while (!cancel->load(std::memory_order_relaxed) && countReader.next(record)) {
                if (matches(record, filter))
                    ++count;
            }
        } catch (const Error &) {
            return; // the replay's own reader reports what is wrong with the file
        }
        if (cancel->load())
            return;
        // Queued to the Replayer's thread; dropped if the Replayer is gone by then.
        QMetaObject::invokeMethod(
            owner,
            [owner, countRun, count] {
                if (!owner->d->isCurrent(countRun) || owner->d->sourceDone)
                    return;
                owner->d->total = count;
                owner->d->reportProgress(true);
            },
            Qt::QueuedConnection);
    });
    setThreadName(counter, "zmqscope-count");
}

void Replayer::Private::stopCounting()
{
    if (!counter.joinable())
        return;
    counterCancel->store(true);
    counter.join();
    counterCancel.reset();
}

bool Replayer::Private::fetchOne()
{
    if (sourceDone)
        return false;
    if (!reader) {
        if (itemsRead >= items.size()) {
            sourceDone = true;
            items.clear();
            return false;
        }
        buffer.push_back(std::move(items[itemsRead++]));
        ++fetched;
        return true;
    }
    CaptureRecord record;
    for (;;) {
        bool more = false;
        try {
            more = reader->next(record);
        } catch (const Error &e) {
            if (error.isEmpty())
                error = e.message();
            sourceDone = true;
            return false;
        }
        const QList<CaptureIssue> &issues = reader->issues();
        for (qsizetype i = fileIssues.size(); i < issues.size(); ++i)
            fileIssues.append(issues.at(i).message);
        if (!more) {
            sourceDone = true;
            total = fetched; // exact now, whatever the counter thread says
            reader.reset();
            return false;
        }
        if (matches(record, options)) {
            buffer.push_back(ReplayItem { record.timestampUs, std::move(record.frames) });
            ++fetched;
            return true;
        }
    }
}

ReplayItem *Replayer::Private::itemAt(quint64 index)
{
    while (fetched <= index) {
        if (!fetchOne())
            return nullptr;
    }
    return &buffer[size_t(index - confirmed)];
}

void Replayer::Private::arm(qint64 ms)
{
    timer.start(int(std::clamp<qint64>(ms, 0, MaxTimerMs)));
}

namespace {

// Milliseconds until a message due at dueUs, now being nowUs; clamped while still a double, because a
// gap divided by a tiny speed (1e-30) does not fit in 64 bits, and converting such a double to an
// integer is undefined (in practice INT64_MIN, which became a zero-delay timer and a busy loop).
qint64 delayMs(double dueUs, double nowUs)
{
    const double ms = std::ceil((dueUs - nowUs) / 1000.0);
    if (!(ms > 0))
        return 0;
    return ms >= double(MaxTimerMs) ? MaxTimerMs : qint64(ms);
}

} // namespace

void Replayer::Private::pump()
{
    if (!running)
        return;
    if (stopping || !error.isEmpty()) {
        maybeFinish();
        return;
    }
    if (held) {
        if (inFlight > 0)
            return; // the messages behind the held one come back deferred first
        const qint64 wait = retryAtMs - clock.elapsed();
        if (wait > 0) {
            arm(wait);
            return;
        }
        held = false;
        resumeNext = true;
        nextToSend = confirmed;
    }
    for (int budget = DispatchBudget;; --budget) {
        if (inFlight >= window || bytesInFlight >= WindowBytes)
            return; // a send's result brings us back
        // Fetched before the Step check, so the replay finishes as soon as the last message is sent.
        ReplayItem *item = itemAt(nextToSend);
        if (!item) {
            maybeFinish();
            return;
        }
        if (options.pacing == ReplayPacing::Step && nextToSend >= stepTarget)
            return;
        if (!haveFirstTimestamp) {
            haveFirstTimestamp = true;
            firstTimestampUs = item->timestampUs;
        }
        if (timed()) {
            // Due relative to when the first message went out (a socket with no peer yet delays the
            // whole schedule, not just the first message), so lateness never accumulates.
            const double dueUs = double(item->timestampUs - firstTimestampUs) / options.speed;
            if (dueUs > 0 && !originNs)
                return; // the first message's result starts the clock and brings us back
            const double nowUs = originNs ? double(clock.nsecsElapsed() - *originNs) / 1000.0 : 0.0;
            if (dueUs > nowUs) {
                arm(delayMs(dueUs, nowUs));
                return;
            }
        }
        if (budget == 0) {
            arm(0);
            return;
        }
        dispatch(nextToSend, *item);
        ++nextToSend;
    }
}

void Replayer::Private::dispatch(quint64 index, ReplayItem &item)
{
    ++inFlight;
    bytesInFlight += frameBytes(item.frames);
    const bool resume = resumeNext;
    resumeNext = false;
    // The result comes to this run only; q is the context, so none comes after the Replayer is gone.
    engine.sendOrdered(target, item.frames, resume, q,
        [this, sendRun = run, index](const SendResult &result) { handleSendResult(sendRun, index, result); });
}

void Replayer::Private::answered(quint64 index)
{
    --inFlight;
    if (index >= confirmed && index - confirmed < buffer.size())
        bytesInFlight -= frameBytes(buffer[size_t(index - confirmed)].frames);
}

void Replayer::Private::handleSendResult(quint64 sendRun, quint64 index, const SendResult &result)
{
    if (!isCurrent(sendRun))
        return; // an earlier run's message, answered after this run began
    if (result.deferred) {
        ++deferredSends;
        handleDeferred(index);
    } else if (!result.sent()) {
        ++failedSends;
        handleFailed(index, result.status.errorMessage());
    } else {
        handleSent(index);
    }
}

void Replayer::Private::handleSent(quint64 index)
{
    answered(index);
    // The engine answers one socket's ordered sends in order, and a held stream sends nothing
    // until resumed, so the message confirmed is always the oldest one outstanding.
    Q_ASSERT(index == confirmed);
    buffer.pop_front();
    if (confirmed == 0)
        originNs = clock.nsecsElapsed();
    ++confirmed;
    retryDelayMs = FirstRetryMs;
    if (window < WindowMessages)
        ++window; // +1 per message sent: doubles per round trip, like TCP's slow start
    reportProgress(options.pacing == ReplayPacing::Step);
    pump();
}

void Replayer::Private::handleDeferred(quint64 index)
{
    answered(index);
    if (!held) {
        held = true;
        // Everything behind the held message comes back deferred: a smaller window wastes fewer sends.
        window = std::max<qsizetype>(1, window / 2);
        retryAtMs = clock.elapsed() + retryDelayMs;
        retryDelayMs = std::min(std::max<qint64>(1, retryDelayMs * 2), MaxRetryMs);
    }
    pump();
}

void Replayer::Private::handleFailed(quint64 index, const QString &message)
{
    answered(index);
    if (error.isEmpty())
        error = u"message %1: %2"_s.arg(index + 1).arg(message);
    pump();
}

void Replayer::Private::maybeFinish()
{
    if (!running || inFlight > 0)
        return;
    const bool complete = sourceDone && confirmed == fetched;
    if (!stopping && error.isEmpty() && !complete)
        return;
    timer.stop();
    progressTimer.stop();
    stopCounting();
    reader.reset();
    items.clear();
    buffer.clear();
    running = false;
    if (complete && error.isEmpty())
        total = confirmed;
    const quint64 sentCount = confirmed;
    const QString finalError = error;
    Q_EMIT q->progressed(sentCount, total);
    Q_EMIT q->finished(sentCount, finalError);
}

void Replayer::Private::reportProgress(bool force)
{
    if (!force && lastProgress.elapsed() < ProgressIntervalMs) {
        // Not dropped: with a long gap ahead the last count would otherwise stay unreported.
        if (!progressTimer.isActive())
            progressTimer.start(int(ProgressIntervalMs - lastProgress.elapsed()));
        return;
    }
    progressTimer.stop();
    lastProgress.restart();
    Q_EMIT q->progressed(confirmed, total);
}

// ---------------------------------------------------------------- Replayer

Replayer::Replayer(Engine &engine, SocketId target, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, engine, target))
{
    d->timer.setSingleShot(true);
    d->timer.setTimerType(Qt::PreciseTimer);
    // A child with a name, so a test can see how long the replay waits for the next message.
    d->timer.setParent(this);
    d->timer.setObjectName(u"zmqscope replay pacing"_s);
    connect(&d->timer, &QTimer::timeout, this, [this] { d->pump(); });
    d->progressTimer.setSingleShot(true);
    connect(&d->progressTimer, &QTimer::timeout, this, [this] {
        if (d->running)
            d->reportProgress(true);
    });
    // A peer arriving is the usual end of a hold: retry at once instead of at the next back-off step.
    connect(&engine, &Engine::socketStateChanged, this, [this](SocketId id, SocketState) {
        if (id == d->target && d->running && d->held && d->inFlight == 0) {
            d->retryAtMs = 0;
            d->pump();
        }
    });
}

Replayer::~Replayer()
{
    d->stopCounting();
}

void Replayer::start(std::vector<ReplayItem> items, const ReplayOptions &options)
{
    if (d->running)
        return;
    d->begin(options);
    d->items = std::move(items);
    d->total = quint64(d->items.size());
    // Asynchronous even when there is nothing to do, so finished() always comes after start() returns.
    d->arm(0);
}

void Replayer::startFile(const QString &capturePath, const ReplayOptions &options)
{
    if (d->running)
        return;
    std::unique_ptr<CaptureReader> reader;
    QString openError;
    try {
        reader = std::make_unique<CaptureReader>(capturePath);
    } catch (const Error &e) {
        openError = e.message();
    }
    startReader(std::move(reader), options);
    if (d->running && d->error.isEmpty() && !openError.isEmpty())
        d->error = openError;
}

void Replayer::startReader(std::unique_ptr<CaptureReader> reader, const ReplayOptions &options)
{
    if (d->running)
        return;
    d->begin(options);
    if (d->error.isEmpty() && reader) {
        const QString path = reader->path();
        d->reader = std::move(reader);
        // Counting reads the file a second time: only a regular file can be read twice (a pipe's
        // bytes are gone once read, the replay itself needs them).
        if (QFileInfo(path).isFile())
            d->startCounting(path);
    } else if (!reader) {
        d->sourceDone = true;
    }
    d->arm(0);
}

void Replayer::step()
{
    if (!d->running || d->options.pacing != ReplayPacing::Step)
        return;
    ++d->stepTarget;
    d->pump();
}

void Replayer::stop()
{
    if (!d->running)
        return;
    d->stopping = true;
    d->timer.stop();
    d->maybeFinish();
}

bool Replayer::isRunning() const
{
    return d->running;
}

bool Replayer::isHeld() const
{
    return d->running && d->held;
}

quint64 Replayer::sent() const
{
    return d->confirmed;
}

quint64 Replayer::deferredSends() const
{
    return d->deferredSends;
}

quint64 Replayer::failedSends() const
{
    return d->failedSends;
}

quint64 Replayer::total() const
{
    return d->total;
}

QStringList Replayer::fileIssues() const
{
    return d->fileIssues;
}

} // namespace zmqscope
