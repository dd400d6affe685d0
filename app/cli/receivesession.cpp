#include "receivesession.h"

#include <QCoreApplication>
#include <QDir>
#include <QScopeGuard>

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

ReceiveOptions receiveOptions(const CommandLine &commandLine)
{
    return { commandLine.format(), commandLine.count(), commandLine.timeout() };
}

ReceiveSession::ReceiveSession(SocketSpec spec, const ReceiveOptions &options, Wording wording,
    std::optional<CaptureWriterOptions> recording)
    : m_wording(std::move(wording))
    , m_count(options.count)
    , m_timeout(options.timeout)
    , m_format(options.format)
    , m_spec(std::move(spec))
    , m_recording(std::move(recording))
    , m_store(storeLimits())
    , m_engine(m_store)
{
    // Bad endpoints and option values are usage errors (exit 2), found before anything opens.
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
                u"the context was shut down while %1 on %2"_s.arg(
                    m_wording.activity, describeSocket(m_spec, m_boundEndpoints)));
    });
    QObject::connect(&m_engine, &Engine::eventLogged, &m_engine, [this](const EngineEvent &event) {
        if (QString problem = connectionProblem(event, m_id); !problem.isEmpty())
            m_lastProblem = std::move(problem);
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
                    u"; recorded %1 to %2"_s.arg(
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
    m_id = m_engine.openSocket(m_spec, std::uint64_t(m_count.value_or(0)));
    handleStopSignal([this](int signal) { stopBySignal(signal); });
}

void ReceiveSession::handleOpened(const QStringList &boundEndpoints)
{
    m_boundEndpoints = boundEndpoints;
    printOpened(m_spec, boundEndpoints);
    // The endpoint label as the engine's recorder writes it, so printed and recorded lines agree.
    m_formatter.emplace(m_format, m_spec.name, m_spec.type, endpointText(m_spec, boundEndpoints));
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
        // The socket's own sends (echo's replies) are stored too; only what it received is handled.
        if (message.socket != m_id || message.direction != Direction::In)
            return true;
        m_frames.resize(qsizetype(message.frames.size()));
        for (std::size_t i = 0; i < message.frames.size(); ++i)
            m_frames[qsizetype(i)]
                = QByteArray::fromRawData(message.frames[i].data(), message.frames[i].size());
        m_handler(message.timestampUs, m_frames);
        if (m_finished)
            return false;
        if (m_endWhenStdoutCloses && stdoutClosed()) {
            // Nobody reads any more: stop as `head` asked.
            finish(ExitSuccess, QString());
            return false;
        }
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
