#pragma once

#include <memory>
#include <optional>

#include <QFutureWatcher>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <zmqscope/analysis/storeanalyzer.h>

namespace zmqscope {

/**
 * Runs a StoreAnalyzer over the app's store off the GUI thread (issue 18): every tick it reads the
 * messages that came since, in bounded batches on the thread pool, and hands each AnalysisDelta to
 * the views in the GUI thread. Changing the roles, the sequence field or the decoders starts the
 * analysis over from the oldest message held (the delta then says reset).
 */
class AnalysisController : public QObject
{
    Q_OBJECT
public:
    /// How an update reached the views.
    struct Update
    {
        AnalysisDelta delta;
        bool reset = false; ///< everything before is void: the views clear, then take the delta
    };

    explicit AnalysisController(const MessageStore &store, QObject *parent = nullptr);
    ~AnalysisController() override; ///< waits for a running batch

    void setRoles(const QHash<SocketId, PairingRole> &roles);
    [[nodiscard]] const QHash<SocketId, PairingRole> &roles() const { return m_roles; }
    void setSequenceField(std::optional<JsonPath> field, SequenceStreams by);
    [[nodiscard]] const std::optional<JsonPath> &sequenceField() const { return m_field; }
    [[nodiscard]] SequenceStreams sequenceStreams() const { return m_by; }
    void setDecoders(const DecoderSet &decoders);
    /// The store was cleared: start over.
    void restart();
    /// Starts a batch now when none runs (the timer does this on its own; tests call it to hurry).
    void poll();
    [[nodiscard]] bool isBusy() const { return m_watcher.isRunning(); }
    /// Whether everything in the store has been read.
    [[nodiscard]] bool isCaughtUp() const;

Q_SIGNALS:
    void analysed(const zmqscope::AnalysisController::Update &update);

private:
    struct Settings
    {
        QHash<SocketId, PairingRole> roles;
        std::optional<JsonPath> field;
        SequenceStreams by = SequenceStreams::BySocketAndId;
        DecoderSet decoders;
        bool restart = true; ///< start over even when the roles alone would not need it
    };
    void handleFinished();

    const MessageStore &m_store;
    std::unique_ptr<StoreAnalyzer> m_analyzer; ///< used by one batch at a time, on the pool
    QFutureWatcher<Update> m_watcher;
    QTimer m_timer;
    QHash<SocketId, PairingRole> m_roles;
    std::optional<JsonPath> m_field;
    SequenceStreams m_by = SequenceStreams::BySocketAndId;
    DecoderSet m_decoders;
    bool m_settingsChanged = true; ///< the next batch applies the settings
    /// ...and starts over: more than the roles changed (a socket just opened does not need it).
    bool m_restartNeeded = true;
    std::uint64_t m_readTo = 0;
};

} // namespace zmqscope

Q_DECLARE_METATYPE(zmqscope::AnalysisController::Update)
