// Plots benchmark (a program, not a test): 10 series at 1 kHz each (issue 18, point 4) plotted live in the
// real Plots panel, shown offscreen, while a thread appends the messages to a real MessageStore (default
// limits) at that rate for N seconds, as the engine thread would. A 10 ms precise timer measures how late
// the GUI event loop gets (the goal of DESIGN.md section 6: p99 <= 50 ms, max <= 200 ms); at the end every
// point sent must be kept, or counted as evicted before it was read (exit 1 otherwise).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QSysInfo>
#include <QThread>
#include <QTimer>

#include <zmqscope/store/messagestore.h>

#include "plots/plotspanel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int ProbeIntervalMs = 10;
constexpr int CatchUpTimeoutMs = 60000;

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto index = std::size_t(std::llround(p * double(values.size() - 1)));
    return values[std::min(index, values.size() - 1)];
}

QByteArray procLine(const QString &file, const QByteArray &prefix)
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return "unknown";
    // Files in /proc have no size: read until the end, not while !atEnd().
    for (const QByteArray &whole : in.readAll().split('\n')) {
        const QByteArray line = whole.trimmed();
        if (prefix.isEmpty())
            return line.split(' ').mid(0, 3).join(' ');
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).simplified();
    }
    return "unknown";
}

} // namespace

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Live plots of 10 series at 1 kHz: points kept and GUI lateness."_s);
    parser.addHelpOption();
    const QCommandLineOption secondsOption(u"seconds"_s, u"How long to send."_s, u"S"_s, u"60"_s);
    const QCommandLineOption seriesOption(u"series"_s, u"Series (ids)."_s, u"N"_s, u"10"_s);
    const QCommandLineOption rateOption(u"rate"_s, u"Messages per second per series."_s, u"HZ"_s, u"1000"_s);
    parser.addOptions({ secondsOption, seriesOption, rateOption });
    parser.process(app);
    bool ok1 = false;
    bool ok2 = false;
    bool ok3 = false;
    const int seconds = parser.value(secondsOption).toInt(&ok1);
    const int seriesCount = parser.value(seriesOption).toInt(&ok2);
    const int rate = parser.value(rateOption).toInt(&ok3);
    if (!ok1 || !ok2 || !ok3 || seconds < 1 || seriesCount < 1 || rate < 1) {
        std::fprintf(stderr, "plot_bench: bad arguments (see --help)\n");
        return 2;
    }

    MessageStore store;
    PlotsPanel panel(store);
    panel.resize(1400, 800);
    panel.show();
    panel.plotField(*JsonPath::parse(u"json.v"_s), 1, u"bench"_s);

    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(ProbeIntervalMs);
    QElapsedTimer clock;
    clock.start();
    qint64 lastNs = 0;
    std::vector<double> latenessMs;
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (lastNs > 0)
            latenessMs.push_back(std::max(0.0, double(now - lastNs) / 1e6 - ProbeIntervalMs));
        lastNs = now;
    });
    probe.start();

    // The sender: every millisecond, the messages due by then in one batch (as the engine appends).
    std::atomic<bool> stop = false;
    std::atomic<std::uint64_t> sent = 0;
    const std::uint64_t total = std::uint64_t(seconds) * std::uint64_t(rate) * std::uint64_t(seriesCount);
    std::thread sender([&] {
        std::vector<QByteArray> ids;
        ids.reserve(std::size_t(seriesCount));
        for (int i = 0; i < seriesCount; ++i)
            ids.push_back("sensor-" + QByteArray::number(i));
        const auto start = std::chrono::steady_clock::now();
        std::uint64_t n = 0;
        std::vector<NewMessage> batch;
        while (n < total && !stop) {
            const auto elapsedUs = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - start)
                                       .count();
            const std::uint64_t due = std::min(total,
                std::uint64_t(elapsedUs) * std::uint64_t(rate) * std::uint64_t(seriesCount) / 1'000'000);
            batch.clear();
            const std::int64_t now = MessageStore::nowUs();
            for (; n < due; ++n) {
                const int series = int(n % std::uint64_t(seriesCount));
                const std::uint64_t tick = n / std::uint64_t(seriesCount); // every series' n-th point
                const double value = std::sin(double(tick) / 500.0) * 100 + series;
                batch.push_back({ 1, Direction::In, now,
                    { ids[std::size_t(series)], "application/json",
                        "{\"seq\":" + QByteArray::number(qulonglong(n))
                            + ",\"v\":" + QByteArray::number(value, 'f', 3) + "}" },
                    {} });
            }
            if (!batch.empty())
                store.append(batch);
            sent = n;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });

    QTimer check;
    check.setInterval(200);
    QObject::connect(&check, &QTimer::timeout, &app, [&] {
        if (sent.load() >= total)
            app.quit();
    });
    check.start();
    app.exec();
    const double sendSeconds = double(clock.elapsed()) / 1000.0;
    sender.join();
    check.stop();
    const std::vector<double> duringSend = latenessMs;

    // The panel reads what is left (at most a job's worth).
    QElapsedTimer catchUp;
    catchUp.start();
    while (panel.pointsKept() + panel.notSeen() < total && catchUp.elapsed() < CatchUpTimeoutMs)
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    probe.stop();

    const double p50 = percentile(duringSend, 0.5);
    const double p99 = percentile(duringSend, 0.99);
    const double worst = duringSend.empty() ? 0.0 : *std::max_element(duringSend.cbegin(), duringSend.cend());
    const MessageStore::Stats stats = store.stats();
    std::printf(
        "plot_bench: %d series at %d Hz for %d s in the Plots panel (%s build, %s, Qt %s, %s, %d cores, "
        "load %s)\n",
        seriesCount, rate, seconds, ZMQSCOPE_BENCH_BUILD_TYPE, ZMQSCOPE_BENCH_COMPILER, qVersion(),
        qPrintable(QSysInfo::prettyProductName()), QThread::idealThreadCount(),
        procLine(u"/proc/loadavg"_s, {}).constData());
    std::printf("  reproduce: %s\n", qPrintable(QCoreApplication::arguments().join(u' ')));
    std::printf("  sent:      %llu messages in %.1f s (%.0f/s)\n", qulonglong(total), sendSeconds,
        double(total) / sendSeconds);
    std::printf("  points:    %llu kept, %llu not seen (evicted before read), %llu missing; store kept %llu, "
                "evicted %llu\n",
        qulonglong(panel.pointsKept()), qulonglong(panel.notSeen()),
        qulonglong(total - std::min(total, panel.pointsKept() + panel.notSeen())), qulonglong(stats.kept),
        qulonglong(stats.evicted));
    std::printf("  GUI lateness while sending (%zu probes of %d ms): p50 %.1f ms, p99 %.1f ms, max %.1f ms "
                "(goal p99 <= 50, max <= 200): %s\n",
        duringSend.size(), ProbeIntervalMs, p50, p99, worst, p99 <= 50 && worst <= 200 ? "met" : "MISSED");
    std::printf("  memory:    VmRSS %s, VmHWM %s\n", procLine(u"/proc/self/status"_s, "VmRSS:").constData(),
        procLine(u"/proc/self/status"_s, "VmHWM:").constData());
    return panel.pointsKept() + panel.notSeen() == total ? 0 : 1;
}
