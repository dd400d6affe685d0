#include "analysiscontroller.h"

#include <QtConcurrent/QtConcurrentRun>

#include "backgroundpool.h"

namespace zmqscope {

namespace {

constexpr int TickMs = 250;
// A batch reads at most this many messages, so a change of settings waits at most one batch.
constexpr std::uint64_t BatchMessages = 200'000;

} // namespace

AnalysisController::AnalysisController(const MessageStore &store, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_analyzer(std::make_unique<StoreAnalyzer>(store))
{
    qRegisterMetaType<zmqscope::AnalysisController::Update>();
    connect(&m_watcher, &QFutureWatcher<Update>::finished, this, &AnalysisController::handleFinished);
    m_timer.setInterval(TickMs);
    connect(&m_timer, &QTimer::timeout, this, &AnalysisController::poll);
    m_timer.start();
}

AnalysisController::~AnalysisController()
{
    m_timer.stop();
    m_watcher.waitForFinished();
}

void AnalysisController::setRoles(const QHash<SocketId, PairingRole> &roles)
{
    if (roles == m_roles)
        return;
    m_roles = roles;
    m_settingsChanged = true;
}

void AnalysisController::setSequenceField(std::optional<JsonPath> field, SequenceStreams by)
{
    if (field == m_field && by == m_by)
        return;
    m_field = std::move(field);
    m_by = by;
    m_settingsChanged = true;
    m_restartNeeded = true;
    poll();
}

void AnalysisController::setDecoders(const DecoderSet &decoders)
{
    m_decoders = decoders;
    m_settingsChanged = true;
    m_restartNeeded = true;
}

void AnalysisController::restart()
{
    m_settingsChanged = true;
    m_restartNeeded = true;
    poll();
}

bool AnalysisController::isCaughtUp() const
{
    return !m_settingsChanged && !m_watcher.isRunning() && m_readTo >= m_store.endSeq();
}

void AnalysisController::poll()
{
    if (m_watcher.isRunning())
        return;
    if (!m_settingsChanged && m_readTo >= m_store.endSeq() && m_readTo >= m_store.firstSeq())
        return;
    std::optional<Settings> settings;
    if (m_settingsChanged) {
        settings = Settings { m_roles, m_field, m_by, m_decoders, m_restartNeeded };
        m_settingsChanged = false;
        m_restartNeeded = false;
    }
    // The analyzer is only touched by the batch: the settings travel with it.
    StoreAnalyzer *analyzer = m_analyzer.get();
    m_watcher.setFuture(
        QtConcurrent::run(&backgroundPool(), [analyzer, settings = std::move(settings)]() mutable {
            Update update;
            if (settings) {
                // A socket opened (its role new, none of its messages read) needs no second pass over
                // everything held: the analysis so far stays true.
                const bool keep = !settings->restart && analyzer->rolesKeepAnalysis(settings->roles);
                analyzer->setRoles(std::move(settings->roles));
                if (!keep) {
                    analyzer->setDecoders(std::move(settings->decoders));
                    analyzer->setSequenceField(std::move(settings->field), settings->by);
                    analyzer->reset();
                    update.reset = true;
                }
            }
            update.delta = analyzer->update(BatchMessages);
            return update;
        }));
}

void AnalysisController::handleFinished()
{
    const Update update = m_watcher.result();
    m_readTo = update.delta.endSeq;
    if (update.reset || !update.delta.isEmpty())
        Q_EMIT analysed(update);
    // More to read: go on at once rather than at the next tick.
    if (m_settingsChanged || m_readTo < m_store.endSeq())
        QTimer::singleShot(0, this, &AnalysisController::poll);
}

} // namespace zmqscope
