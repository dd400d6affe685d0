#include "sendcontroller.h"

#include <utility>

#include <QTime>
#include <QTimer>

using namespace Qt::StringLiterals;

SendController::SendController(SocketLabel socketLabel, QObject *parent)
    : QObject(parent)
    , m_socketLabel(std::move(socketLabel))
    , m_repeatTimer(new QTimer(this))
{
    m_repeatTimer->setObjectName(u"repeatTimer"_s);
    connect(m_repeatTimer, &QTimer::timeout, this, &SendController::handleRepeatTimeout);
}

void SendController::start(zmqscope::SocketId socket, int total, int intervalMs, NextFrames nextFrames)
{
    if (isRepeating())
        return;
    m_batchSocket = socket;
    m_nextFrames = std::move(nextFrames);
    ++m_batchNumber;
    m_batchTotal = total;
    m_batchIssued = 0;
    m_batchSent = 0;
    Q_EMIT batchStarted(m_batchTotal);

    handleRepeatTimeout();
    if (m_batchIssued < m_batchTotal) {
        m_repeatTimer->start(intervalMs);
        Q_EMIT repeatingChanged(true);
        Q_EMIT statusChanged(u"Repeating on %1: %2 of %3 sent"_s.arg(m_socketLabel(socket))
                                 .arg(m_batchSent)
                                 .arg(m_batchTotal));
    } else if (m_batchTotal == 1 && m_pendingSends > 0) {
        Q_EMIT statusChanged(u"Sending on %1…"_s.arg(m_socketLabel(socket)));
    }
}

void SendController::handleRepeatTimeout()
{
    if (m_batchIssued >= m_batchTotal) {
        m_repeatTimer->stop();
        return;
    }
    ++m_batchIssued;
    Q_EMIT issuedChanged(m_batchIssued);
    emitSend(m_batchSocket, m_nextFrames());
    if (m_batchIssued >= m_batchTotal && m_repeatTimer->isActive()) {
        m_repeatTimer->stop();
        Q_EMIT repeatingChanged(false);
    }
}

void SendController::emitSend(zmqscope::SocketId socket, const zmqscope::Frames &frames)
{
    ++m_pendingSends;
    Q_EMIT sendRequested(
        socket, frames, [this, socket, batch = m_batchNumber](const zmqscope::SendResult &result) {
            handleSendResult(socket, batch, result);
        });
}

void SendController::stop()
{
    if (!isRepeating())
        return;
    m_repeatTimer->stop();
    finishRepeat(u"Stopped on %1 after %2 of %3"_s.arg(m_socketLabel(m_batchSocket))
                     .arg(m_batchIssued)
                     .arg(m_batchTotal));
}

void SendController::finishRepeat(const QString &status)
{
    m_repeatTimer->stop();
    m_batchTotal = m_batchIssued;
    if (!status.isEmpty())
        Q_EMIT statusChanged(status);
    Q_EMIT repeatingChanged(false);
}

bool SendController::isRepeating() const
{
    return m_repeatTimer->isActive();
}

void SendController::handleSendResult(
    zmqscope::SocketId socket, quint64 batch, const zmqscope::SendResult &result)
{
    --m_pendingSends;
    const bool inBatch = batch == m_batchNumber;
    if (!result.sent()) {
        handleSendFailed(socket, inBatch, result.status.errorMessage());
        return;
    }
    // Confirmations of an earlier batch are expected; only the current one is reported.
    if (!inBatch)
        return;
    ++m_batchSent;
    const QString where = m_socketLabel(m_batchSocket);
    if (m_batchTotal <= 1) {
        Q_EMIT statusChanged(
            u"Sent on %1 at %2"_s.arg(where, QTime::currentTime().toString(u"HH:mm:ss.zzz"_s)));
    } else if (m_batchSent < m_batchTotal) {
        Q_EMIT statusChanged(
            u"Repeating on %1: %2 of %3 sent"_s.arg(where).arg(m_batchSent).arg(m_batchTotal));
    } else {
        Q_EMIT statusChanged(u"Sent %1 messages on %2, the last at %3"_s.arg(m_batchSent)
                                 .arg(where)
                                 .arg(QTime::currentTime().toString(u"HH:mm:ss.zzz"_s)));
    }
}

void SendController::handleSendFailed(zmqscope::SocketId socket, bool inBatch, const QString &error)
{
    const QString where = m_socketLabel(socket);
    // The engine's text says why (a REQ waiting for its reply, a peer ROUTER does not know).
    QString reason = error.trimmed();
    while (reason.endsWith(u'.'))
        reason.chop(1);
    const QString text = u"Not sent on %1: %2. The message is still here."_s.arg(where, reason);
    if (inBatch && isRepeating()) {
        // Every further send would fail the same way.
        finishRepeat(u"Repeat stopped after %1 of %2"_s.arg(m_batchIssued).arg(m_batchTotal));
    } else if (inBatch) {
        // "Sending on …" (or a repeat's count) must not stay under the error as if it were still going.
        Q_EMIT statusChanged(m_batchTotal > 1
                ? u"%1 of %2 sent on %3"_s.arg(m_batchSent).arg(m_batchTotal).arg(where)
                : QString());
    }
    Q_EMIT sendFailed(text);
}
