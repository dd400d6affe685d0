#pragma once

// What the zmqscope-cli end-to-end suites share: running the built executable
// (ZMQSCOPE_CLI_PATH) as a TestProcess and reading what it printed.

#include <memory>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <zmqscope/capture/capture.h>

#include "../interop/testprocess.h"

namespace clitest {

/// A wildcard TCP port on the loopback interface; the CLI prints the port it got.
inline const QString AnyPort = QStringLiteral("tcp://127.0.0.1:*");
/// The longest a CLI run may take (ms); only reached when something is wrong.
inline constexpr int RunTimeout = 20000;

/// The 256 byte values in order.
inline QByteArray allBytes()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    return bytes;
}

/// Lower-case hex without separators, as --hex takes it.
inline QString hex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex());
}

/// The python peer's "--hex --send ID MIMETYPE BODY" arguments for each envelope (id, mimetype, body).
inline QStringList peerSendArguments(const QList<zmqscope::Frames> &envelopes)
{
    QStringList arguments { QStringLiteral("--hex") };
    for (const zmqscope::Frames &frames : envelopes)
        arguments += QStringList { QStringLiteral("--send"), hex(frames[0]), hex(frames[1]), hex(frames[2]) };
    return arguments;
}

[[nodiscard]] inline bool startCli(TestProcess &process, const QStringList &arguments)
{
    return process.start(QStringLiteral(ZMQSCOPE_CLI_PATH), arguments);
}

/**
 * "Replay into a peer and collect": a python PULL peer bound to a free port that takes `count`
 * messages, and the arguments of a CLI run that PUSHes into it. Use it as
 *
 *     CollectingPeer peer(5);
 *     QVERIFY2(peer.isListening(), peer.diagnostics());
 *     TestProcess replay;
 *     QVERIFY(startCli(replay, peer.replayArguments(path, { "--step" })));
 *     ... (drive the run, wait for it)
 *     QVERIFY2(peer.waitForAll(), peer.diagnostics());
 *     QCOMPARE(peer.messages(), expected);
 */
class CollectingPeer
{
public:
    explicit CollectingPeer(int count)
    {
        if (m_process.startPeer(
                { QStringLiteral("pull"), QStringLiteral("--bind"), AnyPort, QStringLiteral("--count"),
                    QString::number(count), QStringLiteral("--timeout"), QString::number(RunTimeout) }))
            m_endpoint = m_process.waitForPeerEndpoint();
    }

    [[nodiscard]] bool isListening() const { return !m_endpoint.isEmpty(); }
    [[nodiscard]] const QString &endpoint() const { return m_endpoint; }
    /// "replay CAPTURE -t push --connect ENDPOINT" followed by `extra`.
    [[nodiscard]] QStringList replayArguments(const QString &capture, const QStringList &extra = {}) const
    {
        return QStringList { QStringLiteral("replay"), capture } + pushArguments() + extra;
    }
    /// "-t push --connect ENDPOINT": for other sending commands (send, a shell running replay).
    [[nodiscard]] QStringList pushArguments() const
    {
        return { QStringLiteral("-t"), QStringLiteral("push"), QStringLiteral("--connect"), m_endpoint };
    }
    /// Waits until the peer got its `count` messages and ended well (bounded by RunTimeout).
    [[nodiscard]] bool waitForAll()
    {
        return m_process.waitForFinished(RunTimeout) && m_process.exitedWith(0);
    }
    /// The messages the peer received so far, in order.
    [[nodiscard]] QList<zmqscope::Frames> messages() const { return m_process.peerMessages(); }
    [[nodiscard]] const char *diagnostics() { return m_process.diagnostics(); }

private:
    TestProcess m_process;
    QString m_endpoint;
};

/// Runs the CLI to the end; check exitedWith() on the result.
inline std::unique_ptr<TestProcess> runCli(const QStringList &arguments)
{
    auto process = std::make_unique<TestProcess>();
    if (startCli(*process, arguments))
        (void)process->waitForFinished(RunTimeout);
    return process;
}

/// Every stdout line of a `--format jsonl` run, parsed as capture lines; throws on a bad one.
inline QList<zmqscope::CaptureRecord> records(const TestProcess &process)
{
    QList<zmqscope::CaptureRecord> result;
    for (const QByteArray &line : process.lines())
        result.append(zmqscope::parseCaptureLine(line));
    return result;
}

/// True when stderr is exactly one "zmqscope-cli: ..." line.
inline bool isOneErrorLine(const QByteArray &err)
{
    return err.startsWith("zmqscope-cli: ") && err.endsWith('\n') && err.count('\n') == 1;
}

} // namespace clitest
