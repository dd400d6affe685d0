#pragma once

// What the suites that drive the real MainWindow share (tst_mainwindow, tst_captureapp,
// tst_librarypanel): settings in a test location, the window over its own store and engine,
// and a python3-zmq peer speaking the JSON-lines protocol of tests/ui/zmqpeer.py.

#include <memory>
#include <optional>
#include <utility>

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QObject>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QString>
#include <QTest>
#include <QTreeView>

#include <zmqscope/engine/engine.h>
#include <zmqscope/store/messagestore.h>

#include "mainwindow.h"
#include "socketlistmodel.h"
#include "testappearance.h"

namespace uitest {

// The main window's parts that only tests look at, found by their object names (the window has no
// getters for them).

/// The Sockets panel.
inline QTreeView *socketView(const QWidget &window)
{
    return window.findChild<QTreeView *>(QStringLiteral("socketsView"));
}

/// The model of the Sockets panel.
inline zmqscope::SocketListModel *socketModel(const QWidget &window)
{
    QTreeView *view = socketView(window);
    return view ? qobject_cast<zmqscope::SocketListModel *>(view->model()) : nullptr;
}

/// The status bar's retention figures ("3 kept ...").
inline QLabel *statusLabel(const QWidget &window)
{
    return window.findChild<QLabel *>(QStringLiteral("storeStats"));
}

/// The status bar's "paused, N new" indicator.
inline QLabel *pausedLabel(const QWidget &window)
{
    return window.findChild<QLabel *>(QStringLiteral("paused"));
}

/// The longest a network step may take (ms); only reached when something is wrong.
inline constexpr int NetworkTimeoutMs = 10000;

/// Sends the settings of the test run to a test location, never the user's, and starts them empty.
inline void useTestSettings(const QString &applicationName)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("ZmqScopeTest"));
    QCoreApplication::setApplicationName(applicationName);
    QSettings().clear();
}

/// One python3-zmq socket in its own process, speaking the JSON-lines protocol of zmqpeer.py.
class PythonPeer
{
public:
    PythonPeer() = default;
    PythonPeer(const PythonPeer &) = delete;
    PythonPeer &operator=(const PythonPeer &) = delete;
    ~PythonPeer()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.write("{\"quit\": true}\n");
        if (!m_process.waitForFinished(3000))
            m_process.kill();
        m_process.waitForFinished(1000);
    }

    /// Starts the peer; false (and the reason in error()) when it did not come up.
    [[nodiscard]] bool start(const QString &type, const QString &mode, const QString &endpoint)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QStringLiteral(ZMQSCOPE_PYTHON),
            { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/ui/zmqpeer.py"), type, mode, endpoint });
        if (!m_process.waitForStarted(5000)) {
            m_error = QStringLiteral("could not start %1: %2")
                          .arg(QStringLiteral(ZMQSCOPE_PYTHON), m_process.errorString());
            return false;
        }
        const std::optional<QJsonObject> reply = readReply(NetworkTimeoutMs);
        if (!reply || !reply->contains(QLatin1String("endpoint"))) {
            m_error = QStringLiteral("the python peer did not report its endpoint");
            return false;
        }
        m_endpoint = reply->value(QLatin1String("endpoint")).toString();
        return true;
    }

    [[nodiscard]] QString endpoint() const { return m_endpoint; }
    [[nodiscard]] QString error() const { return m_error; }

    /// Sends one message; `big` = (i, n) replaces frame i by n bytes 00 01 .. ff 00 01 ..
    [[nodiscard]] bool send(
        const zmqscope::Frames &frames, std::optional<std::pair<int, qsizetype>> big = std::nullopt)
    {
        QJsonArray hex;
        for (const QByteArray &frame : frames)
            hex.append(QString::fromLatin1(frame.toHex()));
        QJsonObject command { { QStringLiteral("send"), hex } };
        if (big)
            command.insert(QStringLiteral("big"), QJsonArray { big->first, qint64(big->second) });
        write(command);
        const std::optional<QJsonObject> reply = readReply(NetworkTimeoutMs);
        return reply && reply->value(QLatin1String("sent")).toInt() == frames.size();
    }

    /// One message, or std::nullopt after timeoutMs (with *timedOut set) or on a broken peer.
    std::optional<zmqscope::Frames> receive(int timeoutMs, bool *timedOut = nullptr)
    {
        if (timedOut)
            *timedOut = false;
        write(QJsonObject { { QStringLiteral("recv"), timeoutMs } });
        const std::optional<QJsonObject> reply = readReply(timeoutMs + NetworkTimeoutMs);
        if (!reply)
            return std::nullopt;
        if (reply->value(QLatin1String("timeout")).toBool()) {
            if (timedOut)
                *timedOut = true;
            return std::nullopt;
        }
        zmqscope::Frames frames;
        for (const auto &frame : reply->value(QLatin1String("frames")).toArray())
            frames.append(QByteArray::fromHex(frame.toString().toLatin1()));
        return frames;
    }

private:
    void write(const QJsonObject &command)
    {
        m_process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
    }

    std::optional<QJsonObject> readReply(int timeoutMs)
    {
        // Waiting with the event loop running: the engine's signals and the view timer go on meanwhile.
        const bool ready = QTest::qWaitFor(
            [this] { return m_process.canReadLine() || m_process.state() == QProcess::NotRunning; },
            timeoutMs);
        if (!ready || !m_process.canReadLine())
            return std::nullopt;
        const QJsonDocument document = QJsonDocument::fromJson(m_process.readLine());
        if (!document.isObject())
            return std::nullopt;
        return document.object();
    }

    QProcess m_process;
    QString m_endpoint;
    QString m_error;
};

/// The base of a test class that drives the real MainWindow: each test function gets a new
/// store, an engine over it and the window (createWindow() in init(), destroyWindow() in cleanup()).
class MainWindowTestCase : public QObject
{
protected:
    /// What showWindow() waits for: the window on screen, or also holding the keyboard focus
    /// (needed by the tests that drive shortcuts).
    enum class WaitFor
    {
        Exposed,
        Active
    };

    /// A new store, engine and window at windowSize(1600x1000) that saves no settings on close; not shown
    /// yet.
    void createWindow()
    {
        m_store = std::make_unique<zmqscope::MessageStore>();
        m_engine = std::make_unique<zmqscope::Engine>(*m_store);
        m_window = std::make_unique<zmqscope::MainWindow>(*m_engine);
        m_window->setSaveSettingsOnClose(false);
        m_window->resize(windowSize({ 1600, 1000 }));
    }

    /// Shows the window and waits for it; false when it never got there (QVERIFY the result).
    [[nodiscard]] bool showWindow(WaitFor wait)
    {
        m_window->show();
        if (wait == WaitFor::Exposed)
            return QTest::qWaitForWindowExposed(m_window.get());
        m_window->activateWindow();
        return QTest::qWaitForWindowActive(m_window.get());
    }

    /// The window goes first, then the engine it uses, then the store under the engine.
    void destroyWindow()
    {
        m_window.reset();
        m_engine.reset();
        m_store.reset();
    }

    std::unique_ptr<zmqscope::MessageStore> m_store;
    std::unique_ptr<zmqscope::Engine> m_engine;
    std::unique_ptr<zmqscope::MainWindow> m_window;
};

} // namespace uitest
