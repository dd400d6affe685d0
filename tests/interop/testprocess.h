#pragma once

// A child process for tests (the python3-zmq peer or zmqscope-cli) whose stdout and
// stderr are collected separately; every wait is bounded and returns whether it worked.

#include <QByteArray>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

class TestProcess
{
public:
    TestProcess()
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process,
            [this] { m_out += m_process.readAllStandardOutput(); });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
            [this] { m_err += m_process.readAllStandardError(); });
    }
    TestProcess(const TestProcess &) = delete;
    TestProcess &operator=(const TestProcess &) = delete;

    ~TestProcess()
    {
        // A failed test must not leave peers running.
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    [[nodiscard]] static QString peerScript()
    {
        return QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/dploy_peer.py");
    }

    [[nodiscard]] bool start(const QString &program, const QStringList &arguments)
    {
        m_process.start(program, arguments);
        return m_process.waitForStarted(10000);
    }

    // The independent peer, dploy_peer.py on Debian's /usr/bin/python3.
    [[nodiscard]] bool startPeer(const QStringList &arguments)
    {
        return start(QStringLiteral(ZMQSCOPE_PYTHON), QStringList { peerScript() } + arguments);
    }

    // Complete lines written to stdout so far, without their '\n'.
    [[nodiscard]] QList<QByteArray> lines() const
    {
        QList<QByteArray> result = m_out.split('\n');
        result.removeLast(); // the unfinished rest (empty when the output ends with '\n')
        return result;
    }

    [[nodiscard]] bool waitForLines(qsizetype count, int timeoutMs = 10000)
    {
        return waitFor(QProcess::StandardOutput, timeoutMs, [&] { return lines().size() >= count; });
    }

    // Waits for a stderr line matching `pattern` and returns its first capture group, or an empty string.
    [[nodiscard]] QString waitForStderr(const QRegularExpression &pattern, int timeoutMs = 10000)
    {
        QString captured;
        waitFor(QProcess::StandardError, timeoutMs, [&] {
            const auto match = pattern.match(QString::fromUtf8(m_err));
            if (match.hasMatch())
                captured = match.captured(1);
            return match.hasMatch();
        });
        return captured;
    }

    // The frames of one {"frames": [base64, ...]} line the python peer printed; empty with a warning when
    // malformed.
    [[nodiscard]] static QList<QByteArray> peerFrames(const QByteArray &line)
    {
        const QJsonArray array
            = QJsonDocument::fromJson(line).object().value(QLatin1StringView("frames")).toArray();
        if (array.isEmpty())
            qWarning("not a peer message line: %s", line.constData());
        QList<QByteArray> frames;
        for (const auto &value : array)
            frames.append(QByteArray::fromBase64(value.toString().toLatin1()));
        return frames;
    }

    // The messages the python peer printed so far, after its first line (the endpoint).
    [[nodiscard]] QList<QList<QByteArray>> peerMessages() const
    {
        QList<QList<QByteArray>> result;
        const QList<QByteArray> all = lines();
        for (qsizetype i = 1; i < all.size(); ++i)
            result.append(peerFrames(all.at(i)));
        return result;
    }

    // The endpoint the CLI reports after binding ("zmqscope-cli: SUB bound to tcp://127.0.0.1:<port>").
    [[nodiscard]] QString waitForBoundEndpoint(int timeoutMs = 10000)
    {
        return waitForStderr(QRegularExpression(QStringLiteral("bound to (\\S+)")), timeoutMs);
    }

    // The endpoint the peer prints on its first line.
    [[nodiscard]] QString waitForPeerEndpoint(int timeoutMs = 10000)
    {
        if (!waitForLines(1, timeoutMs))
            return QString();
        return QString::fromUtf8(lines().constFirst());
    }

    [[nodiscard]] bool waitForFinished(int timeoutMs = 15000)
    {
        const bool done = m_process.state() == QProcess::NotRunning || m_process.waitForFinished(timeoutMs);
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
        return done;
    }

    /// Waits until every one of `processes` has finished, reading all their outputs meanwhile: a peer
    /// that prints a line bigger than the pipe's buffer blocks until it is read, and the one it talks
    /// to would wait for it in vain. True when all finished within `timeoutMs`.
    [[nodiscard]] static bool waitForAllFinished(const QList<TestProcess *> &processes, int timeoutMs = 15000)
    {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            bool running = false;
            for (TestProcess *one : processes) {
                if (one->m_process.state() == QProcess::NotRunning)
                    continue;
                running = true;
                (void)one->m_process.waitForFinished(20); // reads its output while it runs
            }
            if (!running || deadline.hasExpired())
                break;
        }
        bool done = true;
        for (TestProcess *one : processes)
            done = one->waitForFinished(0) && done;
        return done;
    }

    // True when the process ended by itself with `code`.
    [[nodiscard]] bool exitedWith(int code) const
    {
        return m_process.state() == QProcess::NotRunning && m_process.exitStatus() == QProcess::NormalExit
            && m_process.exitCode() == code;
    }

    [[nodiscard]] int exitCode() const { return m_process.exitCode(); }
    [[nodiscard]] const QByteArray &out() const { return m_out; }
    [[nodiscard]] const QByteArray &err() const { return m_err; }
    // For QVERIFY2 messages: valid until the next call.
    [[nodiscard]] const char *diagnostics()
    {
        m_diagnostics = "exit " + QByteArray::number(m_process.exitCode()) + "; stdout: " + m_out.left(2000)
            + "; stderr: " + m_err.left(2000);
        return m_diagnostics.constData();
    }

    QProcess &process() { return m_process; }

private:
    template<typename Condition>
    bool waitFor(QProcess::ProcessChannel channel, int timeoutMs, Condition condition)
    {
        QDeadlineTimer deadline(timeoutMs);
        m_process.setReadChannel(channel);
        for (;;) {
            if (condition())
                return true;
            if (m_process.state() == QProcess::NotRunning || deadline.hasExpired()) {
                m_out += m_process.readAllStandardOutput();
                m_err += m_process.readAllStandardError();
                return condition();
            }
            // Emits readyRead* synchronously, which fills the buffers.
            m_process.waitForReadyRead(int(qMax<qint64>(1, qMin<qint64>(deadline.remainingTime(), 100))));
        }
    }

    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
    QByteArray m_diagnostics;
};
