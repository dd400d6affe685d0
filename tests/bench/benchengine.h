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
 * Calls `open`, which opens one socket (or tap) through `engine` (directly, or through the main
 * window), and runs `events` until the engine reports it; returns its first bound endpoint, or fails
 * the benchmark with the engine's error, naming `what` was opened.
 */
QString waitForOpenedSocket(zmqscope::Engine &engine, QEventLoop &events, const std::function<void()> &open,
    const QString &what = QStringLiteral("the PULL socket"));

/// Store limits with room for every message of a run of `messages` envelopes with `bodyBytes`-byte
/// bodies, so the check afterwards sees them all (retention has its own tests).
zmqscope::MessageStore::Limits roomForAll(qint64 messages, qint64 bodyBytes);

/**
 * Checks that `store` holds flood_sender's run exactly: every message of [0, messages), in order,
 * from `socket` in `direction`, an envelope with `mimetype`, a `bodyBytes`-byte body and the next
 * sequence number as its id. Fails the benchmark (prefixed with `label`) at the first one that is not.
 */
void verifyStore(const QString &label, const zmqscope::MessageStore &store, zmqscope::SocketId socket,
    zmqscope::Direction direction, qint64 messages, qint64 bodyBytes, const char *mimetype);

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
