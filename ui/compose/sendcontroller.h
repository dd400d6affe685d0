#pragma once

#include <functional>

#include <QObject>

#include <zmqscope/engine/engine.h>

class QTimer;

/**
 * The Composer's send and repeat: sends a batch (one message, or a repeat of N every interval), counts
 * the sends in flight, turns each SendResult of its own sends into a status or an error line, and stops
 * a repeat on the first failure or on stop(). It never talks to the engine itself: it emits
 * sendRequested() with a callback that learns the outcome of that send (and of no other). It knows
 * nothing of widgets; the Composer shows what it reports.
 */
class SendController : public QObject
{
    Q_OBJECT
public:
    /// The frames of the next message of a batch (variables expanded anew for each).
    using NextFrames = std::function<zmqscope::Frames()>;
    /// How status and error lines name a socket.
    using SocketLabel = std::function<QString(zmqscope::SocketId)>;

    explicit SendController(SocketLabel socketLabel, QObject *parent = nullptr);

    /// Starts a batch of `total` sends on `socket`, the first now, the next every `intervalMs`; does
    /// nothing while a repeat runs.
    void start(zmqscope::SocketId socket, int total, int intervalMs, NextFrames nextFrames);
    [[nodiscard]] bool isRepeating() const;

public Q_SLOTS:
    /// Stops a repeat; what was issued still reports its results.
    void stop();

Q_SIGNALS:
    /// Frames to send on a socket; whoever sends them calls `done` once with the result, in this
    /// object's thread.
    void sendRequested(
        zmqscope::SocketId socket, const zmqscope::Frames &frames, const zmqscope::SendCallback &done);
    /// A batch of `total` sends started.
    void batchStarted(int total);
    /// `issued` sends of the current batch have been asked for.
    void issuedChanged(int issued);
    /// A repeat started or ended (stopped, failed, or every send issued).
    void repeatingChanged(bool repeating);
    /// The status line changed; empty clears it.
    void statusChanged(const QString &text);
    /// A send failed; `text` names the socket and the engine's reason.
    void sendFailed(const QString &text);

private:
    void handleRepeatTimeout();
    void emitSend(zmqscope::SocketId socket, const zmqscope::Frames &frames);
    /// The outcome of one send of batch `batch` on `socket`.
    void handleSendResult(zmqscope::SocketId socket, quint64 batch, const zmqscope::SendResult &result);
    void handleSendFailed(zmqscope::SocketId socket, bool inBatch, const QString &error);
    void finishRepeat(const QString &status);

    SocketLabel m_socketLabel;
    QTimer *m_repeatTimer;
    // Sends in flight: issued, and not heard back about.
    int m_pendingSends = 0;
    // The current batch (one send, or a repeat); its number tells its results from an earlier batch's.
    quint64 m_batchNumber = 0;
    zmqscope::SocketId m_batchSocket = 0;
    NextFrames m_nextFrames;
    int m_batchTotal = 0;
    int m_batchIssued = 0;
    int m_batchSent = 0;
};
