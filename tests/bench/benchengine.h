#pragma once

// Helpers shared by the benchmarks that run the real Engine (ingest, memory, responsiveness).

#include <cstdint>
#include <functional>

#include <QEventLoop>
#include <QString>
#include <QTimer>

#include <zmqscope/engine/engine.h>

namespace bench {

/**
 * Calls `open`, which opens one socket through `engine` (directly, or through the main window),
 * and runs `events` until the engine reports it; returns its first bound endpoint, or fails the
 * benchmark with the engine's error.
 */
QString waitForOpenedSocket(zmqscope::Engine &engine, QEventLoop &events, const std::function<void()> &open);

/**
 * A watchdog, not a measurement: while `events` runs, a store whose endSeq() has not moved for
 * `stallMs` sets `error` and quits the loop, so a run that stops making progress fails instead of
 * hanging. `expected` is the message count the error names.
 */
class StallWatchdog
{
public:
    StallWatchdog(const zmqscope::MessageStore &store, std::uint64_t expected, int stallMs,
        QEventLoop &events, QString &error);

private:
    QTimer m_timer;
    std::uint64_t m_lastSeen = ~std::uint64_t(0);
};

} // namespace bench
