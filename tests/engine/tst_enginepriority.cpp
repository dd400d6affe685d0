// Engine::lowerThreadPriority(): the engine thread and libzmq's I/O threads give way to the
// GUI thread, and only they do. Read back from /proc, as `top -H` would show it (Linux only).

#include <algorithm>

#include <QDir>
#include <QFile>
#include <QTest>

#include <zmqscope/engine/engine.h>
#include <zmqscope/socket.h>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <sys/resource.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int NetworkTimeout = 10000;

struct ThreadNice
{
    QString name;
    int nice = 0;
};

/// Every thread of this process with its name and nice value, from /proc/self/task/*/stat.
QList<ThreadNice> threadNices()
{
    QList<ThreadNice> threads;
    const QDir tasks(u"/proc/self/task"_s);
    const QStringList ids = tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &id : ids) {
        QFile stat(tasks.filePath(id + u"/stat"_s));
        if (!stat.open(QIODevice::ReadOnly))
            continue; // the thread ended meanwhile
        const QByteArray line = stat.readAll();
        // "tid (name) state ppid ...": the name may hold spaces and parentheses, so split after the last ')'.
        const qsizetype open = line.indexOf('(');
        const qsizetype close = line.lastIndexOf(')');
        if (open < 0 || close < open)
            continue;
        const QList<QByteArray> fields = line.mid(close + 2).split(' ');
        // Field 19 of stat(5) is the nice value; fields[0] is field 3 (state).
        if (fields.size() <= 16)
            continue;
        threads.append({ QString::fromUtf8(line.mid(open + 1, close - open - 1)), fields.at(16).toInt() });
    }
    return threads;
}

/// How many of libzmq's threads (named "ZMQbg/...") run now.
qsizetype zmqThreadCount()
{
    const QList<ThreadNice> threads = threadNices();
    return std::count_if(threads.cbegin(), threads.cend(),
        [](const ThreadNice &thread) { return thread.name.startsWith(u"ZMQbg/"_s); });
}

int currentThreadNice()
{
#ifdef Q_OS_LINUX
    errno = 0;
    return getpriority(PRIO_PROCESS, id_t(gettid()));
#else
    return 0;
#endif
}

SocketSpec spec(SocketType type, const QString &endpoint, bool bind)
{
    SocketSpec result;
    result.name = bind ? u"sink"_s : u"source"_s;
    result.type = type;
    (bind ? result.binds : result.connects).append(endpoint);
    return result;
}

} // namespace

class TestEnginePriority : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void lowersEngineAndIoThreadsOnly();
    void startedContextKeepsItsIoThreads();

private:
    int m_base = 0;
};

void TestEnginePriority::initTestCase()
{
#ifndef Q_OS_LINUX
    QSKIP("per-thread nice values are read from /proc on Linux only");
#endif
    m_base = currentThreadNice();
    if (m_base + 5 > 19)
        QSKIP("this test already runs at nice 15 or more: no room to see a change of 5");
}

void TestEnginePriority::lowersEngineAndIoThreadsOnly()
{
    MessageStore store;
    Engine engine(store);
    QVERIFY(engine.lowerThreadPriority(5));
    // The first socket of the engine's context made outside the engine thread, e.g. by the GUI:
    // libzmq's threads must be the lowered ones all the same.
    Socket early = Socket::create(SocketType::Pair, engine.context());

    // The store receives through the lowered threads as before.
    const SocketId sink = engine.openSocket(spec(SocketType::Pull, u"inproc://priority-sink"_s, true));
    const SocketId source = engine.openSocket(spec(SocketType::Push, u"inproc://priority-sink"_s, false));
    engine.sync();
    QVERIFY(sink != source);
    engine.send(source, { QByteArrayLiteral("still flows") });
    QTRY_VERIFY_WITH_TIMEOUT(store.size() == 2, NetworkTimeout); // the sent copy and the received one

    // libzmq's threads name themselves once they run (the reaper and one I/O thread): wait for the names.
    QTRY_VERIFY_WITH_TIMEOUT(zmqThreadCount() >= 2, NetworkTimeout);
    const QList<ThreadNice> threads = threadNices();
    int engineThreads = 0;
    int zmqThreads = 0;
    for (const ThreadNice &thread : threads) {
        if (thread.name == u"zmqscope-engine"_s) {
            ++engineThreads;
            QCOMPARE(thread.nice, m_base + 5);
        } else if (thread.name.startsWith(u"ZMQbg/"_s)) {
            ++zmqThreads;
            QVERIFY2(thread.nice == m_base + 5,
                qPrintable(u"%1 runs at nice %2"_s.arg(thread.name).arg(thread.nice)));
        }
    }
    QCOMPARE(engineThreads, 1);
    QVERIFY2(zmqThreads >= 2, "libzmq's I/O and reaper threads were not found"); // ZMQbg/IO/0, ZMQbg/Reaper
    // This (the GUI's) thread keeps its priority.
    QCOMPARE(currentThreadNice(), m_base);
}

void TestEnginePriority::startedContextKeepsItsIoThreads()
{
    // A context whose I/O threads already run (a socket was made in this thread first) keeps them
    // as they are: only the engine thread is lowered, as the documentation says.
    const Context context;
    Socket early = Socket::create(SocketType::Pair, context);
    const auto countAtBase = [this](const QList<ThreadNice> &threads) {
        return std::count_if(threads.cbegin(), threads.cend(), [this](const ThreadNice &thread) {
            return thread.name.startsWith(u"ZMQbg/"_s) && thread.nice == m_base;
        });
    };
    // libzmq's threads name themselves once they run: wait for the names.
    QTRY_VERIFY_WITH_TIMEOUT(countAtBase(threadNices()) >= 2, NetworkTimeout);
    const auto startedAtBase = countAtBase(threadNices());

    MessageStore store;
    Engine engine(store, context);
    QVERIFY(engine.lowerThreadPriority(5));
    const QList<ThreadNice> after = threadNices();
    QCOMPARE(countAtBase(after), startedAtBase);
    const auto engineThread = std::find_if(after.cbegin(), after.cend(),
        [](const ThreadNice &thread) { return thread.name == u"zmqscope-engine"_s; });
    QVERIFY(engineThread != after.cend());
    QCOMPARE(engineThread->nice, m_base + 5);
}

QTEST_GUILESS_MAIN(TestEnginePriority)
#include "tst_enginepriority.moc"
