#pragma once

// What the suites that drive an Engine share (tst_engine, tst_replayer, tst_enginetap, tst_enginesniff,
// tst_enginesecurity, tst_socketsecurity):
// opening a socket and waiting for the engine's verdict, a socket's stored messages, its log lines.

#include <algorithm>

#include <QList>
#include <QObject>
#include <QSignalSpy>
#include <QString>
#include <QStringList>

#include <zmqscope/engine/engine.h>

namespace enginetest {

/// Opens a socket and waits for the engine to say how it went; the error text is in `error`.
[[nodiscard]] inline bool openSocket(zmqscope::Engine &engine, const zmqscope::SocketSpec &spec,
    zmqscope::SocketId &id, QStringList &bound, QString &error)
{
    using zmqscope::Engine;
    using zmqscope::SocketId;
    QSignalSpy opened(&engine, &Engine::socketOpened);
    QSignalSpy failed(&engine, &Engine::socketFailed);
    id = engine.openSocket(spec);
    engine.sync(); // handles the open and delivers its signals
    for (const auto &arguments : std::as_const(failed)) {
        if (arguments.at(0).value<SocketId>() == id) {
            error = arguments.at(1).toString();
            return false;
        }
    }
    for (const auto &arguments : std::as_const(opened)) {
        if (arguments.at(0).value<SocketId>() == id) {
            bound = arguments.at(1).toStringList();
            return true;
        }
    }
    error = QStringLiteral("neither socketOpened nor socketFailed arrived for socket %1").arg(id);
    return false;
}

/// What openedSocket() reports: the id, the endpoints it bound (resolved) and, when it failed, why.
struct OpenedSocket
{
    zmqscope::SocketId id = 0;
    QStringList bound;
    QString error;
};

/// openSocket() as one value: `const auto [id, bound, error] = openedSocket(engine, spec);`.
[[nodiscard]] inline OpenedSocket openedSocket(zmqscope::Engine &engine, const zmqscope::SocketSpec &spec)
{
    OpenedSocket result;
    if (!openSocket(engine, spec, result.id, result.bound, result.error) && result.error.isEmpty())
        result.error = QStringLiteral("socket %1 failed without a reason").arg(result.id);
    return result;
}

/// Sends through an Engine and keeps the results of its own sends (it is their context), in the
/// order they came, as a QSignalSpy keeps signals.
class SendResults : public QObject
{
public:
    zmqscope::SendTicket send(zmqscope::Engine &engine, zmqscope::SocketId id, const zmqscope::Frames &frames)
    {
        return engine.send(id, frames, this, callback());
    }
    zmqscope::SendTicket sendOrdered(
        zmqscope::Engine &engine, zmqscope::SocketId id, const zmqscope::Frames &frames, bool resume)
    {
        return engine.sendOrdered(id, frames, resume, this, callback());
    }
    [[nodiscard]] zmqscope::SendCallback callback()
    {
        return [this](const zmqscope::SendResult &result) { results.append(result); };
    }
    [[nodiscard]] qsizetype count() const { return results.size(); }
    [[nodiscard]] qsizetype sentCount() const
    {
        return std::count_if(
            results.begin(), results.end(), [](const auto &result) { return result.sent(); });
    }
    [[nodiscard]] qsizetype failedCount() const
    {
        return std::count_if(results.begin(), results.end(),
            [](const auto &result) { return !result.sent() && !result.deferred; });
    }
    [[nodiscard]] const zmqscope::SendResult &at(qsizetype i) const { return results.at(i); }
    [[nodiscard]] QString error(qsizetype i) const { return results.at(i).status.errorMessage(); }

    QList<zmqscope::SendResult> results;
};

/// The stored messages of one socket, in store order.
[[nodiscard]] inline QList<zmqscope::StoredMessage> stored(
    const zmqscope::MessageStore &store, zmqscope::SocketId socket)
{
    QList<zmqscope::StoredMessage> list;
    for (auto seq = store.firstSeq(); seq < store.endSeq(); ++seq) {
        zmqscope::StoredMessage message;
        if (store.message(seq, message) && message.socket == socket)
            list.append(message);
    }
    return list;
}

/// Whether a spy on Engine::eventLogged holds a line of socket `id` that contains `text`.
[[nodiscard]] inline bool logged(const QSignalSpy &spy, zmqscope::SocketId id, const QString &text)
{
    for (const auto &arguments : spy) {
        const auto event = arguments.at(0).value<zmqscope::EngineEvent>();
        if (event.socket == id && event.text.contains(text))
            return true;
    }
    return false;
}

/// A CURVE server's security with its own key pair and the certificate file the pair is in; add whom it
/// allows.
[[nodiscard]] inline zmqscope::SocketSecurity curveServerSecurity(
    const zmqscope::CurveKeyPair &pair, const QString &secretFile)
{
    zmqscope::SocketSecurity security;
    security.mechanism = zmqscope::SecurityMechanism::Curve;
    security.server = true;
    security.curveSecretKey = pair.secretKey;
    security.curveSecretKeyFile = secretFile;
    return security;
}

} // namespace enginetest
