#pragma once

#include <cstdint>
#include <deque>
#include <utility>

#include <QElapsedTimer>
#include <QObject>

class QLabel;
class QStatusBar;

namespace zmqscope {

class MessageStore;
class MessageTableModel;

/**
 * The main window's status bar figures: "paused, N new", what the store keeps
 * against its limits (in colour while it evicts, the retention rules in the
 * tool tip) and the message rate over the last second. Updated on the view tick.
 */
class StoreStatus : public QObject
{
    Q_OBJECT

public:
    /// How long the figures stay in the warning colour after messages were evicted.
    static constexpr qint64 EvictionHighlightMs = 3000;
    static constexpr qint64 RateWindowMs = 1000;

    StoreStatus(const MessageStore &store, const MessageTableModel &model, QStatusBar &statusBar);

    /// Updates the figures from the store and the Messages table.
    void refresh();

private:
    const MessageStore &m_store;
    const MessageTableModel &m_model;
    QLabel *m_statsLabel = nullptr;
    QLabel *m_rateLabel = nullptr;
    QLabel *m_pausedLabel = nullptr;
    std::uint64_t m_lastEvicted = 0; ///< the store's evicted count at the previous tick
    qint64 m_lastEvictionMs = -1; ///< m_clock time of the last tick that saw messages evicted
    bool m_evictionShown = false; ///< the figures show the eviction warning colour
    QElapsedTimer m_clock;
    std::deque<std::pair<qint64, std::uint64_t>> m_rateSamples; ///< (ms, endSeq) over the last second
};

} // namespace zmqscope
