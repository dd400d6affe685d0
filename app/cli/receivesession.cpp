#include "receivesession.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

#include "securityoptions.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

// The store between the engine and stdout. The session holds it from the first unhandled message, so
// these bound what waits for a slow stdout (the engine then stops receiving), not what is kept:
// handled messages are evicted in chunks of 1 MiB (or 4096 messages).
MessageStore::Limits storeLimits()
{
    MessageStore::Limits limits;
    limits.maxMessages = 1 << 16;
    limits.maxBytes = std::uint64_t { 16 } << 20;
    limits.chunkBytes = std::uint64_t { 1 } << 20;
    return limits;
}

} // namespace

void checkWritable(const CaptureWriterOptions &options)
{
    const QString shown = quoted(QDir::toNativeSeparators(options.path));
    const QFileInfo info(options.path);
    if (options.path.isEmpty())
        throw usageError(u"empty --write file name"_s);
    if (info.isDir())
        throw usageError(u"bad --write value %1: it is a directory"_s.arg(shown));
    if (options.rotateBytes > 0) {
        // Rotation writes new numbered files next to the name: their directory must take them.
        const QFileInfo directory(info.absolutePath());
        if (!directory.isDir() || !directory.isWritable())
            throw runtimeError(u"cannot write capture files %1: the directory %2 %3"_s.arg(shown,
                quoted(QDir::toNativeSeparators(directory.filePath())),
                directory.isDir() ? u"is not writable"_s : u"does not exist"_s));
        return;
    }
    QFile probe(options.path);
    const bool existed = probe.exists();
    // Append: opening checks the permissions and the path without truncating anything.
    if (!probe.open(QIODevice::WriteOnly | QIODevice::Append))
        throw runtimeError(u"cannot write capture file %1: %2"_s.arg(shown, probe.errorString()));
    probe.close();
    if (!existed)
        probe.remove();
}

ReceiveOptions receiveOptions(const CommandLine &commandLine)
{
    return { commandLine.format(), commandLine.count(), commandLine.timeout() };
}

ReceiveSession::ReceiveSession(SocketSpec spec, const ReceiveOptions &options, Wording wording,
    std::optional<CaptureWriterOptions> recording)
    : ReceiveSession(std::move(spec), std::nullopt, options, std::move(wording), std::move(recording))
{ }

ReceiveSession::ReceiveSession(
    TapSpec tap, const ReceiveOptions &options, std::optional<CaptureWriterOptions> recording)
    : ReceiveSession(
        [&] {
            SocketSpec row = tap.listenSocketSpec(); // as the engine's row: binds listen, connects forward
            row.connects = tap.forward;
            return row;
        }(),
        std::move(tap), options, { u"message"_s, u"forwarding"_s }, std::move(recording))
{ }

ReceiveSession::ReceiveSession(SocketSpec spec, std::optional<TapSpec> tap, const ReceiveOptions &options,
    Wording wording, std::optional<CaptureWriterOptions> recording)
    : m_wording(std::move(wording))
    , m_count(options.count)
    , m_filtered(options.filtered)
    , m_timeout(options.timeout)
    , m_format(options.format)
    , m_spec(std::move(spec))
    , m_tap(std::move(tap))
    , m_recording(std::move(recording))
    , m_store(storeLimits())
    , m_engine(m_store)
{
    // Bad endpoints and option values are usage errors (exit 2), found before anything opens.
    if (m_tap)
        m_tap->validate().throwIfFailed();
    else
        m_spec.validate();

    m_timeoutTimer.setSingleShot(true);
    QObject::connect(&m_timeoutTimer, &QTimer::timeout, &m_engine, [this] { timedOut(); });
    QObject::connect(
        &m_engine, &Engine::socketOpened, &m_engine, [this](SocketId id, const QStringList &bound) {
            if (id == m_id)
                handleOpened(bound);
        });
    QObject::connect(&m_engine, &Engine::socketFailed, &m_engine, [this](SocketId id, const QString &error) {
        if (id == m_id)
            handleFailed(error);
    });
    QObject::connect(&m_engine, &Engine::socketClosed, &m_engine, [this](SocketId id) {
        if (id == m_id && !m_finished)
            finish(ExitFailure,
                u"the context was shut down while %1 on %2"_s.arg(m_wording.activity, describe()));
    });
    // A tap's row state is its server side's: "never connected" is told from it, not from the clients.
    QObject::connect(
        &m_engine, &Engine::socketStateChanged, &m_engine, [this](SocketId id, SocketState state) {
            if (id == m_id && state == SocketState::Connected)
                m_forwardConnected = true;
        });
    QObject::connect(&m_engine, &Engine::tapSubscriptionPassed, &m_engine,
        [this](SocketId id, qint64 timestampUs, bool subscribe, const QByteArray &topic, quint64 storedEnd) {
            if (id == m_id)
                handleSubscription(timestampUs, subscribe, topic, storedEnd);
        });
    QObject::connect(&m_engine, &Engine::eventLogged, &m_engine, [this](const EngineEvent &event) {
        if (QString problem = connectionProblem(event, m_id); !problem.isEmpty())
            m_lastProblem = std::move(problem);
        handleSecurityEvent(event);
    });
    QObject::connect(
        &m_engine, &Engine::messagesStored, &m_engine, [this](quint64 endSeq) { readStored(endSeq); });
    QObject::connect(&m_engine, &Engine::recordingFailed, &m_engine, [this](const QString &error) {
        if (!m_finished)
            finish(ExitFailure, error);
        else if (!m_exited)
            complete(ExitFailure, error, QString());
    });
    QObject::connect(
        &m_engine, &Engine::recordingStopped, &m_engine, [this](const QString &path, quint64 messages) {
            if (m_finished && !m_exited)
                complete(m_status, QString(),
                    m_tap ? u", written to %1"_s.arg(quoted(QDir::toNativeSeparators(path)))
                          : u"; recorded %1 to %2"_s.arg(
                              countWord(messages, u"message"_s), quoted(QDir::toNativeSeparators(path))));
        });

    // Every message stays in the store until it is handled: a slow stdout slows the sender, it loses
    // nothing.
    m_engine.holdFrom(0);
    if (m_recording) {
        RecordingOptions recordingOptions;
        recordingOptions.file = *m_recording;
        recordingOptions.file.deferCreate = true;
        // Started before the socket opens (every socket of this engine is this one), so the recorder
        // sees the first message.
        m_engine.startRecording(recordingOptions);
    }
    // A tap forwards whatever comes (its peers depend on it): --count closes it, it does not stop
    // it from reading as a socket's receive limit does.
    m_id = m_tap ? m_engine.openTap(*m_tap)
                 : m_engine.openSocket(m_spec, m_filtered ? 0 : std::uint64_t(m_count.value_or(0)));
    const std::optional<SocketInfo> info = m_engine.socket(m_id);
    m_name = info ? info->spec.name : m_spec.name;
    handleStopSignal([this](int signal) { stopBySignal(signal); });
}

void ReceiveSession::handleOpened(const QStringList &boundEndpoints)
{
    m_boundEndpoints = boundEndpoints;
    if (m_tap) {
        const TapSockets types = tapSockets(m_tap->pattern);
        // Where the clients should connect now, and where their messages go.
        printStatus(u"%1 bound to %2 for the %3 clients; forwarding to the %4 server at %5"_s.arg(m_name,
            boundEndpoints.join(u", "_s), socketTypeName(types.clients), socketTypeName(types.server),
            m_tap->forward.join(u", "_s)));
        // The endpoint label and the sender's type as the engine's recorder writes them, so printed and
        // recorded lines agree.
        const QString endpoint = boundEndpoints.join(u","_s) + u" > "_s + m_tap->forward.join(u","_s);
        m_formatter.emplace(m_format, m_name, types.clients, endpoint);
        m_serverFormatter.emplace(m_format, m_name, types.server, endpoint);
        return;
    }
    printOpened(m_spec, boundEndpoints);
    // The endpoint label as the engine's recorder writes it, so printed and recorded lines agree.
    m_formatter.emplace(m_format, m_spec.name, m_spec.type, endpointText(m_spec, boundEndpoints));
}

void ReceiveSession::handleSecurityEvent(const EngineEvent &event)
{
    if (m_finished)
        return;
    // A client that cannot complete its handshake will never get a message: say why now rather than
    // "nothing arrived" at --timeout. (A tap's state events are its server's side's: it is their client.)
    if (QString failure = cli::handleSecurityEvent(event, m_id, m_tap || handshakeFailureEndsRun(m_spec));
        !failure.isEmpty())
        finish(ExitFailure, failure);
}

void ReceiveSession::handleFailed(const QString &error)
{
    finish(openFailureStatus(m_engine, m_id), error);
}

void ReceiveSession::readStored(quint64 endSeq)
{
    if (m_finished || !m_formatter)
        return;
    const auto batchEnd = qScopeGuard([this] {
        flushStdout(); // one flush per batch, not per message: a flood stays cheap
        // The flush of a batch may be the write that finds stdout closed.
        if (m_endWhenStdoutCloses && stdoutClosed())
            finish(ExitSuccess, QString());
        if (!m_finished)
            m_engine.holdFrom(m_nextSeq);
    });
    m_nextSeq = m_store.visit(m_nextSeq, endSeq, [this](const MessageView &message) {
        // The socket's own sends (echo's replies) are stored too; only what it received (or a tap
        // forwarded) is handled.
        if (message.socket != m_id
            || (m_tap ? !isConversation(message.direction) : message.direction != Direction::In))
            return true;
        m_frames.resize(qsizetype(message.frames.size()));
        for (std::size_t i = 0; i < message.frames.size(); ++i)
            m_frames[qsizetype(i)]
                = QByteArray::fromRawData(message.frames[i].data(), message.frames[i].size());
        const bool counted = m_handler(message.timestampUs, message.direction, m_frames, message.peer);
        if (m_finished)
            return false;
        if (m_endWhenStdoutCloses && stdoutClosed()) {
            // Nobody reads any more: stop as `head` asked.
            finish(ExitSuccess, QString());
            return false;
        }
        if (!counted)
            return true;
        ++m_handled;
        if (m_count && m_handled >= *m_count) {
            finish(ExitSuccess, QString());
            return false;
        }
        return true;
    });
    m_frames.clear(); // nothing may keep pointing into the store
    if (!m_finished && m_timeout)
        m_timeoutTimer.start(*m_timeout);
}

void ReceiveSession::handleSubscription(
    std::int64_t timestampUs, bool subscribe, const QByteArray &topic, quint64 storedEnd)
{
    if (m_finished || !m_formatter)
        return;
    // The messages forwarded before it come first, as in the recording (messagesStored may still be
    // on its way).
    if (storedEnd > m_nextSeq)
        readStored(storedEnd);
    if (m_finished || !m_eventHandler)
        return;
    CaptureRecord event;
    event.timestampUs = timestampUs;
    event.socket = m_name;
    event.event = subscribe ? u"subscribe"_s : u"unsubscribe"_s;
    event.topic = topic;
    m_eventHandler(event);
    flushStdout();
}

void ReceiveSession::finish(int status, const QString &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_status = status;
    m_timeoutTimer.stop();
    flushStdout();
    // Closing stops receiving; what the socket already queued to send (echo's last reply) still goes
    // out within the linger.
    if (m_id != 0)
        m_engine.closeSocket(m_id);
    if (status == ExitSuccess && m_recording) {
        // A clean end: every message received is on disk (and fsynced) before the summary; a
        // recording that never got a message creates its header-only file now.
        m_engine.stopRecording(); // recordingStopped or recordingFailed follows
        return;
    }
    // A failed run leaves the recording to the engine's shutdown: a file that got no message is
    // not created, so an existing capture of that name is left as it was.
    complete(status, error, QString());
}

void ReceiveSession::complete(int status, const QString &error, const QString &summaryNote)
{
    if (m_exited)
        return;
    m_exited = true;
    m_status = status;
    if (!error.isEmpty())
        printError(error);
    else if (m_signal != 0 && m_tap)
        printStatus(u"stopped by %1: %2%3"_s.arg(signalName(m_signal), tapSummary(), summaryNote));
    else if (m_signal != 0)
        printStatus(u"stopped by %1 after %2%3"_s.arg(signalName(m_signal), handledText(), summaryNote));
    QCoreApplication::exit(status);
}

void ReceiveSession::stopBySignal(int signal)
{
    if (m_finished)
        return;
    // DESIGN.md section 12: a signal is the normal end of an open-ended run, like tcpdump's Ctrl+C.
    m_signal = signal;
    finish(ExitSuccess, QString());
}

QString ReceiveSession::handledText() const
{
    return countWord(quint64(m_handled), m_wording.item);
}

QString ReceiveSession::describe() const
{
    if (!m_tap)
        return describeSocket(m_spec, m_boundEndpoints);
    return u"tap %1 (%2, %3 > %4)"_s.arg(quoted(m_name), tapPatternName(m_tap->pattern),
        m_boundEndpoints.isEmpty() ? m_tap->listen.join(u","_s) : m_boundEndpoints.join(u","_s),
        m_tap->forward.join(u","_s));
}

QString ReceiveSession::tapSummary()
{
    // Every request made so far (the close) is done: the counters are final.
    m_engine.sync();
    const std::optional<SocketInfo> info = m_engine.socket(m_id);
    const TapCounters counters = info && info->tap ? info->tap->counters : TapCounters {};
    return u"forwarded c2s %1, s2c %2, subscriptions %3"_s.arg(counters.clientToServer)
        .arg(counters.serverToClient)
        .arg(counters.subscriptions);
}

QString ReceiveSession::tapTimeoutError() const
{
    const QString within = u"within %1 ms"_s.arg(*m_timeout);
    if (m_handled > 0)
        return u"no further message was forwarded %1 after %2 by %3"_s.arg(within, handledText(), describe());
    // A connect never fails by itself (libzmq retries forever): name what kept the tap from forwarding.
    if (!m_forwardConnected)
        return u"no message was forwarded %1 by %2: the server's side never connected to %3%4"_s.arg(within,
            describe(), m_tap->forward.join(u", "_s),
            m_lastProblem.isEmpty() ? QString() : u" ("_s + m_lastProblem + u')');
    const std::optional<SocketInfo> info = m_engine.socket(m_id);
    if (info && !info->everConnected)
        return u"no message was forwarded %1 by %2: no client connected to %3"_s.arg(
            within, describe(), m_boundEndpoints.join(u", "_s));
    return u"no message was forwarded %1 by %2"_s.arg(within, describe());
}

int ReceiveSession::exec()
{
    if (m_timeout)
        m_timeoutTimer.start(*m_timeout);
    const int result = QCoreApplication::exec();
    return m_exited ? m_status : result;
}

void ReceiveSession::timedOut()
{
    if (m_finished)
        return;
    if (m_tap) {
        finish(ExitFailure, tapTimeoutError());
        return;
    }
    const QString &item = m_wording.item;
    const std::optional<SocketInfo> info = m_engine.socket(m_id);
    // A connect never fails by itself (libzmq retries forever): without the monitor, "nothing
    // arrived" would hide that nothing was there to send it.
    if (m_handled == 0 && !m_spec.connects.isEmpty() && info && !info->everConnected) {
        const QString &problem = m_lastProblem;
        finish(ExitFailure,
            u"no %1 arrived within %2 ms on %3: no connection was made%4"_s.arg(item)
                .arg(*m_timeout)
                .arg(describeSocket(m_spec, m_boundEndpoints),
                    problem.isEmpty() ? QString() : u" ("_s + problem + u')'));
        return;
    }
    finish(ExitFailure,
        m_handled == 0 ? u"no %1 arrived within %2 ms on %3"_s.arg(item)
                             .arg(*m_timeout)
                             .arg(describeSocket(m_spec, m_boundEndpoints))
                       : u"no further %1 arrived within %2 ms after %3 on %4"_s.arg(item)
                             .arg(*m_timeout)
                             .arg(handledText(), describeSocket(m_spec, m_boundEndpoints)));
}

} // namespace zmqscope::cli
