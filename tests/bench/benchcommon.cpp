#include "benchcommon.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <zmq.hpp>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSysInfo>
#include <QThread>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace bench {

namespace {

QString programName()
{
    return QCoreApplication::applicationName();
}

QString cpuModel()
{
    QFile cpuinfo(u"/proc/cpuinfo"_s);
    if (!cpuinfo.open(QIODevice::ReadOnly))
        return QSysInfo::currentCpuArchitecture();
    // /proc files report size 0, so read them whole rather than testing atEnd().
    const QList<QByteArray> lines = cpuinfo.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("model name"))
            return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
    }
    return QSysInfo::currentCpuArchitecture();
}

// A "Name:   1234 kB" line of /proc/self/status, in bytes.
std::uint64_t procStatusBytes(const QByteArray &name)
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(QByteArray(name + ':'))) {
            const QList<QByteArray> fields = line.mid(name.size() + 1).simplified().split(' ');
            return fields.value(0).toULongLong() * 1024;
        }
    }
    return 0;
}

} // namespace

void print(const QString &line)
{
    std::fputs(qPrintable(line + u'\n'), stdout);
    std::fflush(stdout);
}

void usageError(const QString &message)
{
    std::fputs(qPrintable(u"%1: %2 (see --help)\n"_s.arg(programName(), message)), stderr);
    std::exit(2);
}

void fail(const QString &message)
{
    std::fflush(stdout);
    std::fputs(qPrintable(u"%1: %2\n"_s.arg(programName(), message)), stderr);
    std::exit(1);
}

int runGuarded(int (*body)(int argc, char *argv[]), int argc, char *argv[])
{
    try {
        return body(argc, argv);
    } catch (const std::exception &error) {
        fail(QString::fromUtf8(error.what()));
    }
}

qint64 integerOption(const QCommandLineParser &parser, const QString &name, qint64 minimum, qint64 maximum)
{
    const QString text = parser.value(name);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < minimum || value > maximum)
        usageError(
            u"--%1 \"%2\" is not a whole number in %3..%4"_s.arg(name, text).arg(minimum).arg(maximum));
    return value;
}

QList<qint64> integerListOption(
    const QCommandLineParser &parser, const QString &name, qint64 minimum, qint64 maximum)
{
    QList<qint64> values;
    const QStringList items = parser.value(name).split(u',');
    for (const QString &item : items) {
        bool ok = false;
        const qint64 value = item.trimmed().toLongLong(&ok);
        if (!ok || value < minimum || value > maximum)
            usageError(
                u"--%1: \"%2\" is not a whole number in %3..%4"_s.arg(name, item).arg(minimum).arg(maximum));
        values.append(value);
    }
    return values;
}

void printMachine()
{
    int zmqMajor = 0;
    int zmqMinor = 0;
    int zmqPatch = 0;
    zmq_version(&zmqMajor, &zmqMinor, &zmqPatch);
    print(u"machine:   %1 CPUs (%2), %3; load average %4; libzmq %5.%6.%7, cppzmq %8.%9.%10, Qt %11"_s
              .arg(QThread::idealThreadCount())
              .arg(cpuModel(), QSysInfo::prettyProductName())
              .arg(loadAverage(), 0, 'f', 2)
              .arg(zmqMajor)
              .arg(zmqMinor)
              .arg(zmqPatch)
              .arg(CPPZMQ_VERSION_MAJOR)
              .arg(CPPZMQ_VERSION_MINOR)
              .arg(CPPZMQ_VERSION_PATCH)
              .arg(QString::fromLatin1(qVersion())));
    const QString buildType = QStringLiteral(ZMQSCOPE_BENCH_BUILD_TYPE);
    print(u"build:     %1 build, %2"_s.arg(
        buildType.isEmpty() ? u"no CMAKE_BUILD_TYPE"_s : buildType, QStringLiteral(ZMQSCOPE_BENCH_COMPILER)));
}

QString reproduceLine(const QStringList &options)
{
    return u"reproduce: %1 %2"_s.arg(QCoreApplication::applicationFilePath(), options.join(u' '));
}

double processCpuSeconds()
{
#ifdef Q_OS_UNIX
    timespec now {};
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now) == 0)
        return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
#endif
    return 0;
}

double threadCpuSeconds(const QString &threadName)
{
#ifdef Q_OS_LINUX
    // utime and stime of /proc/self/task/<tid>/stat, in clock ticks (10 ms): enough over runs of seconds.
    const QByteArray wanted = threadName.toUtf8();
    const double tick = double(sysconf(_SC_CLK_TCK));
    double seconds = -1;
    const QStringList tasks = QDir(u"/proc/self/task"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &task : tasks) {
        QFile comm(u"/proc/self/task/%1/comm"_s.arg(task));
        if (!comm.open(QIODevice::ReadOnly) || comm.readAll().trimmed() != wanted)
            continue;
        QFile stat(u"/proc/self/task/%1/stat"_s.arg(task));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = stat.readAll();
        // The name in parentheses may hold spaces: the fields count from after its closing parenthesis.
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() < 13 || tick <= 0)
            continue;
        // Fields 14 and 15 of stat(5); fields[0] here is field 3.
        seconds = std::max(seconds, 0.0) + (fields[11].toDouble() + fields[12].toDouble()) / tick;
    }
    return seconds;
#else
    Q_UNUSED(threadName);
    return -1;
#endif
}

std::uint64_t peakRssBytes()
{
    return procStatusBytes("VmHWM");
}

std::uint64_t currentRssBytes()
{
    return procStatusBytes("VmRSS");
}

double loadAverage()
{
#ifdef Q_OS_UNIX
    double load[1] = { 0 };
    if (getloadavg(load, 1) == 1)
        return load[0];
#endif
    return 0;
}

std::optional<std::uint64_t> parseSequence(const char *data, qsizetype size)
{
    if (size != 12)
        return std::nullopt;
    std::uint64_t value = 0;
    for (qsizetype i = 0; i < size; ++i) {
        if (data[i] < '0' || data[i] > '9')
            return std::nullopt;
        value = value * 10 + std::uint64_t(data[i] - '0');
    }
    return value;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = std::size_t(std::ceil(p / 100.0 * double(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

// ---------------------------------------------------------------- PeerProcess

PeerProcess::PeerProcess(const QString &name, Status status)
    : m_name(name)
{
    m_process.setProcessChannelMode(
        status == Status::Forwarded ? QProcess::ForwardedErrorChannel : QProcess::SeparateChannels);
}

PeerProcess::~PeerProcess()
{
    kill();
}

QString PeerProcess::sibling(const QString &name, const QString &builtPath)
{
    const QString next = QCoreApplication::applicationDirPath() + u'/' + name;
    return QFileInfo(next).isExecutable() ? next : builtPath;
}

void PeerProcess::start(const QString &program, const QStringList &arguments)
{
    m_status.clear();
    m_process.start(program, arguments);
    if (!m_process.waitForStarted(10000))
        fail(u"cannot start %1: %2"_s.arg(program, m_process.errorString()));
}

QString PeerProcess::waitForBound(int timeoutMs)
{
    static const QByteArray marker = "bound to ";
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        m_status += m_process.readAllStandardError();
        const qsizetype at = m_status.indexOf(marker);
        const qsizetype end = at < 0 ? -1 : m_status.indexOf('\n', at);
        if (end >= 0)
            return QString::fromUtf8(m_status.mid(at + marker.size(), end - at - marker.size()));
        if (m_process.state() == QProcess::NotRunning || waited.elapsed() > timeoutMs)
            fail(u"%1 did not report its endpoint: %2"_s.arg(
                m_name, QString::fromUtf8(m_status + m_process.readAllStandardOutput()).trimmed()));
        m_process.waitForReadyRead(20);
    }
}

QByteArray PeerProcess::finish(int timeoutMs)
{
    // waitForFinished() is false for a process that already finished (seen by a running event loop).
    if (m_process.state() != QProcess::NotRunning && !m_process.waitForFinished(timeoutMs)) {
        kill();
        fail(u"%1 did not finish within %2 ms"_s.arg(m_name).arg(timeoutMs));
    }
    const QByteArray output = m_process.readAllStandardOutput().trimmed();
    m_status += m_process.readAllStandardError();
    if (m_process.exitStatus() != QProcess::NormalExit || m_process.exitCode() != 0)
        fail(u"%1 failed (exit code %2): %3"_s.arg(m_name)
                 .arg(m_process.exitCode())
                 .arg(QString::fromUtf8(m_status.trimmed() + '\n' + output.split('\n').constLast())));
    return output;
}

bool PeerProcess::isRunning() const
{
    return m_process.state() != QProcess::NotRunning;
}

void PeerProcess::kill()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

// ---------------------------------------------------------------- FloodSender

FloodSender::FloodSender()
    // Its status lines are for people; the result line on stdout is ours.
    : PeerProcess(u"flood_sender"_s, Status::Forwarded)
{ }

void FloodSender::addOption(QCommandLineParser &parser)
{
    parser.addOption({ u"sender"_s,
        u"The flood_sender program (default: the one built with this benchmark)."_s, u"PATH"_s, QString() });
}

QString FloodSender::program(const QCommandLineParser &parser)
{
    QString path = parser.value(u"sender"_s);
    if (path.isEmpty())
        path = sibling(u"flood_sender"_s, QStringLiteral(ZMQSCOPE_FLOOD_SENDER));
    if (!QFileInfo(path).isExecutable())
        usageError(u"--sender \"%1\" is not an executable flood_sender"_s.arg(path));
    return path;
}

std::uint64_t FloodSender::finish(int timeoutMs)
{
    const QByteArray output = PeerProcess::finish(timeoutMs);
    // "sent N messages in S s (R msg/s)"
    const QList<QByteArray> words = output.split('\n').constLast().split(' ');
    bool ok = false;
    const std::uint64_t sent = words.size() > 1 && words[0] == "sent" ? words[1].toULongLong(&ok) : 0;
    if (!ok)
        fail(u"cannot read flood_sender's result line: %1"_s.arg(QString::fromUtf8(output)));
    return sent;
}

} // namespace bench
