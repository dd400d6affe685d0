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

/// Starts the python peer as a bound PULL that prints `count` messages (waits bounded by RunTimeout);
/// returns its endpoint, empty when it did not start.
[[nodiscard]] inline QString startPullPeer(TestProcess &peer, int count)
{
    if (!peer.startPeer(
            { QStringLiteral("pull"), QStringLiteral("--bind"), AnyPort, QStringLiteral("--count"),
                QString::number(count), QStringLiteral("--timeout"), QString::number(RunTimeout) }))
        return QString();
    return peer.waitForPeerEndpoint();
}

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
