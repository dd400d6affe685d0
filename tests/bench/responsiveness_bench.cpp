// Responsiveness benchmark (a program, not a test): does the real main window
// stay responsive while a socket is flooded at full speed, and does it keep
// every message?
//
// The real zmqscope::MainWindow (offscreen, 1600x1000, default layout) opens a
// PULL socket bound to tcp://127.0.0.1:* through MainWindow::openSocket; a
// separate flood_sender process PUSHes envelopes (12-digit sequence id,
// mimetype, 100-byte body) to it for --duration seconds as fast as the
// socket takes them (sndhwm 1000: the sender runs at the receiver's pace).
// Meanwhile a 10 ms precise QTimer in the GUI thread measures event-loop
// lateness: how much later than 10 ms after the previous tick each tick came.
// The baseline is the same timer in the same window before the flood (idle).
//
// At the end the store must hold every message sent, exactly once and in
// order (kept + evicted by retention = sent), and the table model must show
// every kept message.
//
// With --statistics the Statistics dock is in front during the flood (its
// worker counts every message, the table and the flooded socket's rate chart
// update twice a second); at the end it must have counted every message sent.

#include <cstring>
#include <mainwindow.h>
#include <messagespane.h>
#include <messagetablemodel.h>
#include <statistics/statisticsmodel.h>
#include <statistics/statisticsview.h>
#include <vector>

#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QStandardPaths>
#include <QTimer>

#include <zmqscope/engine/engine.h>

#include "benchcommon.h"
#include "benchengine.h"

using namespace Qt::StringLiterals;
using bench::print;

namespace {

constexpr int TickMs = 10;
constexpr int StallTimeoutMs = 20000;
constexpr char Mimetype[] = "application/octet-stream";
constexpr double GoalP99Ms = 50;
constexpr double GoalMaxMs = 200;

/// Collects the lateness of a 10 ms timer while it runs.
class LatenessProbe
{
public:
    LatenessProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(TickMs);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_lateness.push_back(std::max<double>(0, double(now - m_last) / 1e6 - TickMs));
            m_last = now;
            if (m_onTick)
                m_onTick();
        });
    }
    void start(std::function<void()> onTick = {})
    {
        m_onTick = std::move(onTick);
        m_lateness.clear();
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    [[nodiscard]] const std::vector<double> &lateness() const { return m_lateness; }
    [[nodiscard]] QString summary() const
    {
        return u"%1 ticks, lateness p50 %2 ms, p99 %3 ms, max %4 ms"_s.arg(m_lateness.size())
            .arg(bench::percentile(m_lateness, 50), 0, 'f', 2)
            .arg(bench::percentile(m_lateness, 99), 0, 'f', 2)
            .arg(bench::percentile(m_lateness, 100), 0, 'f', 2);
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<double> m_lateness;
    std::function<void()> m_onTick;
};

/// This thread's /proc schedstat: nanoseconds on a CPU, nanoseconds runnable but waiting for one.
struct SchedStat
{
    double cpuMs = 0;
    double waitMs = 0;
};

SchedStat threadSchedStat()
{
    QFile file(u"/proc/thread-self/schedstat"_s);
    SchedStat stat;
    if (!file.open(QIODevice::ReadOnly))
        return stat;
    const QList<QByteArray> fields = file.readAll().simplified().split(' ');
    stat.cpuMs = double(fields.value(0).toULongLong()) / 1e6;
    stat.waitMs = double(fields.value(1).toULongLong()) / 1e6;
    return stat;
}

} // namespace

int main(int argc, char *argv[])
{
    // A benchmark of the real window that runs anywhere, also over ssh and in CI.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"responsiveness_bench"_s);
    QCoreApplication::setOrganizationName(u"ZmqScopeBench"_s);
    // The window's settings go to a test location, never the user's.
    QStandardPaths::setTestModeEnabled(true);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Floods a PULL socket of the real ZmqScope main window (offscreen) from a flood_sender process and "
        u"measures the lateness of a 10 ms timer in the GUI thread; then checks that every message was kept."_s);
    parser.addHelpOption();
    parser.addOption({ u"duration"_s, u"Seconds of flood (default 30)."_s, u"S"_s, u"30"_s });
    parser.addOption({ u"body"_s, u"Body bytes per message (default 100)."_s, u"BYTES"_s, u"100"_s });
    parser.addOption(
        { u"idle"_s, u"Seconds of idle baseline before the flood (default 3)."_s, u"S"_s, u"3"_s });
    parser.addOption({ u"statistics"_s,
        u"Show the Statistics dock in front during the flood (counting, table and rate chart)."_s });
    bench::FloodSender::addOption(parser);
    parser.process(app);
    if (!parser.positionalArguments().isEmpty())
        bench::usageError(u"unexpected argument \"%1\""_s.arg(parser.positionalArguments().constFirst()));
    const qint64 duration = bench::integerOption(parser, u"duration"_s, 1, 3600);
    const qint64 body = bench::integerOption(parser, u"body"_s, 0, qint64 { 64 } << 20);
    const qint64 idle = bench::integerOption(parser, u"idle"_s, 1, 600);
    const QString sender = bench::FloodSender::program(parser);
    const bool statistics = parser.isSet(u"statistics"_s);

    print(u"ZmqScope responsiveness benchmark"_s);
    QStringList options { u"--duration"_s, QString::number(duration), u"--body"_s, QString::number(body),
        u"--idle"_s, QString::number(idle) };
    if (statistics)
        options.append(u"--statistics"_s);
    print(bench::reproduceLine(options));
    bench::printMachine();
    print(
        u"workload:  real MainWindow (platform %1, 1600x1000), PULL opened through MainWindow::openSocket, "
        u"flood_sender process PUSHing envelopes (id 12 B, mimetype %2 B, body %3 B) for %4 s at full speed "
        u"(sndhwm 1000), default store limits; Statistics dock %5"_s.arg(QGuiApplication::platformName())
            .arg(std::strlen(Mimetype))
            .arg(body)
            .arg(duration)
            .arg(statistics ? u"in front, updating"_s : u"behind the Events tab (not counting)"_s));

    using namespace zmqscope;
    MessageStore store;
    Engine engine(store);
    MainWindow window(engine);
    window.setSaveSettingsOnClose(false);
    window.resize(1600, 1000);
    window.resetLayout();
    window.show();
    // The Statistics and the Events share a place as tabs: the one in front is the one asked for.
    QDockWidget *front
        = statistics ? window.statisticsDock() : window.findChild<QDockWidget *>(u"eventsDock"_s);
    front->show();
    front->raise();
    QCoreApplication::processEvents();
    print(u"statistics view in view: %1"_s.arg(window.statisticsView()->isInView() ? u"yes"_s : u"no"_s));

    QEventLoop events;
    SocketSpec spec;
    spec.name = u"flood"_s;
    spec.type = SocketType::Pull;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    SocketId id = 0;
    const QString endpoint
        = bench::waitForOpenedSocket(engine, events, [&] { id = window.openSocket(spec); });
    QString error;

    // Baseline: the same timer in the same window with nothing arriving.
    LatenessProbe probe;
    probe.start();
    QTimer::singleShot(int(idle * 1000), &events, &QEventLoop::quit);
    events.exec();
    probe.stop();
    const QString idleSummary = probe.summary();
    const double idleP99 = bench::percentile(probe.lateness(), 99);
    print(u"(b) idle window, %1 s:   %2"_s.arg(idle).arg(idleSummary));

    bench::FloodSender flood;
    QElapsedTimer clock;
    clock.start();
    const std::uint64_t storedBefore = store.endSeq();
    const SchedStat schedBefore = threadSchedStat();
    flood.start(sender,
        { u"--connect"_s, endpoint, u"--duration"_s, QString::number(duration), u"--body"_s,
            QString::number(body), u"--mimetype"_s, QString::fromLatin1(Mimetype), u"--quiet"_s });
    probe.start([&] {
        if (!flood.isRunning())
            events.quit();
    });
    events.exec();
    probe.stop();
    const double floodSeconds = double(clock.nsecsElapsed()) / 1e9;
    const SchedStat schedAfter = threadSchedStat();
    const std::uint64_t sent = flood.finish();
    const double p50 = bench::percentile(probe.lateness(), 50);
    const double p99 = bench::percentile(probe.lateness(), 99);
    const double worst = bench::percentile(probe.lateness(), 100);
    print(u"(a) flooded window, %1 s: %2"_s.arg(floodSeconds, 0, 'f', 1).arg(probe.summary()));
    // Busy means the GUI thread's own work; waiting means it could run but the CPUs were taken.
    print(u"GUI thread during the flood: on a CPU %1 ms (%2%), runnable but waiting for a CPU %3 ms (%4%); "
          u"load average %5"_s.arg(schedAfter.cpuMs - schedBefore.cpuMs, 0, 'f', 0)
              .arg((schedAfter.cpuMs - schedBefore.cpuMs) / (floodSeconds * 10), 0, 'f', 1)
              .arg(schedAfter.waitMs - schedBefore.waitMs, 0, 'f', 0)
              .arg((schedAfter.waitMs - schedBefore.waitMs) / (floodSeconds * 10), 0, 'f', 1)
              .arg(bench::loadAverage(), 0, 'f', 2));
    print(u"flood:     %1 messages sent, %2 msg/s; stored by the end of the flood: %3"_s.arg(sent)
              .arg(double(sent) / floodSeconds, 0, 'f', 0)
              .arg(store.endSeq() - storedBefore));

    // Everything sent must reach the store; then the model must show what the store keeps.
    std::uint64_t lastSeen = ~std::uint64_t(0);
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    QTimer watchdog;
    QObject::connect(&watchdog, &QTimer::timeout, &events, [&] {
        const std::uint64_t now = store.endSeq();
        if (now - storedBefore >= sent) {
            events.quit();
            return;
        }
        if (now != lastSeen) {
            lastSeen = now;
            sinceProgress.restart();
        } else if (sinceProgress.elapsed() > StallTimeoutMs) {
            error = u"the store stopped at %1 of %2 messages"_s.arg(now - storedBefore).arg(sent);
            events.quit();
        }
    });
    watchdog.start(50);
    events.exec();
    watchdog.stop();
    if (!error.isEmpty())
        bench::fail(error);
    // The window shows new rows on its next view tick.
    QTimer::singleShot(3 * MainWindow::RefreshIntervalMs, &events, &QEventLoop::quit);
    events.exec();

    const MessageStore::Stats stats = store.stats();
    const int rows = window.messagesPane()->model()->totalRows();
    bool inOrder = stats.kept + stats.evicted == sent;
    MessageSummary summary;
    std::uint64_t expected = sent - stats.kept;
    for (std::uint64_t seq = store.firstSeq(); inOrder && seq < store.endSeq(); ++seq, ++expected) {
        inOrder = store.summary(seq, summary, 16) && summary.socket == id
            && bench::parseSequence(summary.id.constData(), summary.id.size()) == expected;
    }
    const bool modelComplete = std::uint64_t(rows) == stats.kept;
    print(u"kept:      store %1 messages (+ %2 evicted by retention, limit %3), model %4 rows; every message "
          u"sent arrived once and in order: %5; model holds every kept message: %6"_s.arg(stats.kept)
              .arg(stats.evicted)
              .arg(store.limits().maxMessages)
              .arg(rows)
              .arg(inOrder ? u"yes"_s : u"NO"_s)
              .arg(modelComplete ? u"yes"_s : u"NO"_s));
    bool statisticsComplete = true;
    if (statistics) {
        // The dock's worker catches up with the store; every message sent must be counted once.
        StatisticsModel *model = window.statisticsView()->model();
        const auto counted = [&] {
            const int row = model->rowOf({ id, TrafficKey::Kind::Socket, {} });
            return row < 0 ? 0
                           : model->index(row, StatisticsModel::MessagesColumn)
                                 .data(StatisticsModel::ValueRole)
                                 .toULongLong();
        };
        QElapsedTimer waited;
        waited.start();
        while (counted() < sent && waited.elapsed() < StallTimeoutMs) {
            QTimer::singleShot(50, &events, &QEventLoop::quit);
            events.exec();
        }
        statisticsComplete = counted() == sent;
        print(u"statistics: %1 messages counted of %2 sent (%3 ms after the flood's end): %4"_s.arg(counted())
                  .arg(sent)
                  .arg(waited.elapsed())
                  .arg(statisticsComplete ? u"every one"_s : u"NOT all"_s));
    }
    print(u"memory:    peak RSS %1 MiB"_s.arg(double(bench::peakRssBytes()) / double(1 << 20), 0, 'f', 0));
    print(QString());
    print(u"ratio p99 flooded / idle: %1 ms / %2 ms"_s.arg(p99, 0, 'f', 2).arg(idleP99, 0, 'f', 2));
    const bool met = p99 <= GoalP99Ms && worst <= GoalMaxMs && inOrder && modelComplete && statisticsComplete;
    print(u"goal p99 <= %1 ms (%2), max <= %3 ms (%4), p50 %5 ms, no message lost: %6"_s
              .arg(GoalP99Ms, 0, 'f', 0)
              .arg(p99 <= GoalP99Ms ? u"met"_s : u"NOT met"_s)
              .arg(GoalMaxMs, 0, 'f', 0)
              .arg(worst <= GoalMaxMs ? u"met"_s : u"NOT met"_s)
              .arg(p50, 0, 'f', 2)
              .arg(inOrder && modelComplete && statisticsComplete ? u"met"_s : u"NOT met"_s));
    return met ? 0 : 1;
}
