#include <algorithm>
#include <memory>
#include <optional>

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/captureloader.h>
#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/capture/passivedecoder.h>

#include "capturetestsupport.h"
#include "pcaptestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace capturetest;

namespace {

constexpr int LoadTimeout = 30000; // generous for sanitizer builds; waits end as soon as done

CaptureRecord socketRecord(int number, int socket)
{
    static const char *const names[] = { "alpha", "beta", "gamma" };
    static const char *const types[] = { "SUB", "DEALER", "PAIR" };
    CaptureRecord record = numberedRecord(number);
    record.socket = QString::fromLatin1(names[socket]);
    record.type = QString::fromLatin1(types[socket]);
    record.endpoint = u"tcp://127.0.0.1:%1"_s.arg(5550 + socket);
    record.direction = number % 3 == 0 ? Direction::Out : Direction::In;
    return record;
}

// Which of the three sockets message `number` belongs to; "gamma" first appears late.
int socketOf(int number)
{
    return number < 10 ? number % 2 : number % 3;
}

CaptureLoadResult resultOf(const QSignalSpy &spy)
{
    return spy.constLast().at(0).value<CaptureLoadResult>();
}

} // namespace

class TestCaptureLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void loadsIntoStore();
    void packetCaptureReportsProgress();
    void reportsIssues();
    void reportsUnreadableFile();
    void cancelStops();
    void destroyingWhileLoadingIsSafe();

private:
    QString writeCapture(const QString &name, int count);
    /// A large capture made fast: one line repeated.
    QString writeRepeated(const QString &name, int count);
    std::optional<QTemporaryDir> m_dir;
};

void TestCaptureLoader::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
}

QString TestCaptureLoader::writeCapture(const QString &name, int count)
{
    QString path = m_dir->filePath(name);
    CaptureWriter writer(
        CaptureWriterOptions { path, 0, 0, QJsonObject { { u"writer"_s, u"loader test"_s } } });
    for (int i = 0; i < count; ++i)
        writer.write(socketRecord(i, socketOf(i)));
    writer.close();
    return path;
}

QString TestCaptureLoader::writeRepeated(const QString &name, int count)
{
    QString path = m_dir->filePath(name);
    if (!writeFile(path, headerLine() + captureLine(socketRecord(1, 0)).repeated(count)))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestCaptureLoader::loadsIntoStore()
{
    constexpr int Count = 6'000;
    const QString path = writeCapture(u"load.zmqcap"_s, Count);
    MessageStore store;
    CaptureLoader loader(path, store);
    QSignalSpy progressed(&loader, &CaptureLoader::progressed);
    QSignalSpy finished(&loader, &CaptureLoader::finished);
    loader.start();
    loader.start(); // ignored while running
    QVERIFY(finished.wait(LoadTimeout));
    QVERIFY(!loader.isRunning());

    const CaptureLoadResult result = resultOf(finished);
    QVERIFY2(result.outcome, qPrintable(result.outcome.errorMessage()));
    QCOMPARE(result.path, path);
    QCOMPARE(result.header.value(u"writer"_s).toString(), u"loader test"_s);
    QCOMPARE(result.messages, std::uint64_t(Count));
    QVERIFY(!result.cancelled);
    QVERIFY(result.issues.isEmpty());
    const QList<CaptureSocket> sockets {
        { 1, u"alpha"_s, u"SUB"_s, u"tcp://127.0.0.1:5550"_s },
        { 2, u"beta"_s, u"DEALER"_s, u"tcp://127.0.0.1:5551"_s },
        { 3, u"gamma"_s, u"PAIR"_s, u"tcp://127.0.0.1:5552"_s },
    };
    QCOMPARE(result.sockets, sockets);
    QCOMPARE(loader.sockets(), sockets);

    QCOMPARE(store.size(), std::uint64_t(Count));
    for (int i = 0; i < Count; ++i) {
        StoredMessage message;
        QVERIFY(store.message(store.firstSeq() + std::uint64_t(i), message));
        const CaptureRecord expected = socketRecord(i, socketOf(i));
        QCOMPARE(message.socket, SocketId(socketOf(i) + 1));
        QCOMPARE(message.timestampUs, expected.timestampUs);
        QCOMPARE(message.direction, expected.direction);
        QCOMPARE(message.frames, expected.frames);
    }

    // Progress never goes backwards and ends at the whole file.
    QVERIFY(!progressed.isEmpty());
    qint64 lastBytes = -1;
    quint64 lastMessages = 0;
    for (const auto &arguments : std::as_const(progressed)) {
        QVERIFY(arguments.at(0).toLongLong() >= lastBytes);
        QVERIFY(arguments.at(2).toULongLong() >= lastMessages);
        QCOMPARE(arguments.at(1).toLongLong(), QFileInfo(path).size());
        lastBytes = arguments.at(0).toLongLong();
        lastMessages = arguments.at(2).toULongLong();
    }
    QCOMPARE(lastBytes, QFileInfo(path).size());
    QCOMPARE(lastMessages, quint64(Count));
    QTest::qWait(20);
    QCOMPARE(finished.size(), 1); // the second start() did not load it again
}

void TestCaptureLoader::reportsIssues()
{
    const QString path = m_dir->filePath(u"issues.zmqcap"_s);
    QVERIFY(writeFile(path,
        headerLine() + captureLine(numberedRecord(0)) + "not json\n" + captureLine(numberedRecord(1))
            + "{\"ts\":"));
    MessageStore store;
    CaptureLoader loader(path, store);
    QSignalSpy finished(&loader, &CaptureLoader::finished);
    loader.start();
    QVERIFY(finished.wait(LoadTimeout));
    const CaptureLoadResult result = resultOf(finished);
    QVERIFY2(result.outcome, qPrintable(result.outcome.errorMessage()));
    QCOMPARE(result.messages, std::uint64_t(2));
    QCOMPARE(store.size(), std::uint64_t(2));
    QCOMPARE(result.issues.size(), 2);
    QCOMPARE(result.issues[0].line, 3);
    QCOMPARE(result.issues[1].line, 5);
    QVERIFY(result.issues[1].message.contains(u"incomplete"_s));
}

void TestCaptureLoader::reportsUnreadableFile()
{
    const QString path = m_dir->filePath(u"notes.txt"_s);
    QVERIFY(writeFile(path, "shopping list\nmilk\n"));
    MessageStore store;
    CaptureLoader loader(path, store);
    QSignalSpy finished(&loader, &CaptureLoader::finished);
    loader.start();
    QVERIFY(finished.wait(LoadTimeout));
    const CaptureLoadResult result = resultOf(finished);
    QVERIFY(!result.outcome);
    QCOMPARE(result.outcome.error().code(), zmqscope::ErrorCode::FileError);
    const QString message = result.outcome.errorMessage();
    QVERIFY2(!message.contains(u'\n'), qPrintable(message));
    QVERIFY2(message.contains(QDir::toNativeSeparators(path)), qPrintable(message));
    QVERIFY2(message.contains(u"not a ZmqScope capture"_s), qPrintable(message));
    QCOMPARE(result.messages, std::uint64_t(0));
    QCOMPARE(store.size(), std::uint64_t(0));
}

void TestCaptureLoader::cancelStops()
{
    constexpr int Count = 50'000;
    const QString path = writeRepeated(u"big.zmqcap"_s, Count);
    MessageStore store;
    CaptureLoader loader(path, store);
    QSignalSpy finished(&loader, &CaptureLoader::finished);
    loader.start();
    loader.cancel();
    QVERIFY(finished.wait(LoadTimeout));
    QCOMPARE(finished.size(), 1);
    const CaptureLoadResult result = resultOf(finished);
    QVERIFY(result.cancelled);
    QVERIFY2(result.outcome, qPrintable(result.outcome.errorMessage()));
    QVERIFY2(result.messages < std::uint64_t(Count), qPrintable(QString::number(result.messages)));
    QCOMPARE(store.size(), result.messages); // what was loaded before the cancel stays
}

void TestCaptureLoader::destroyingWhileLoadingIsSafe()
{
    const QString path = writeRepeated(u"destroy.zmqcap"_s, 30'000);
    MessageStore store;
    auto loader = std::make_unique<CaptureLoader>(path, store);
    QSignalSpy finished(loader.get(), &CaptureLoader::finished);
    loader->start();
    loader.reset(); // cancels and joins; its queued signals are dropped with it
    QCoreApplication::processEvents();
    QCOMPARE(finished.size(), 0);
}

QTEST_GUILESS_MAIN(TestCaptureLoader)
void TestCaptureLoader::packetCaptureReportsProgress()
{
    // A pcap file says how far the read got (the window's bar shows a percentage, not a busy bar):
    // 20,000 packets of one ZMTP connection, enough for several reports.
    using namespace pcaptest;
    QList<Step> steps { { true, 100, Syn, {}, 0, 0 }, { false, 500, quint8(Syn | Ack), {}, 0, 0 },
        { true, 101, Ack, {}, 0, 0 } };
    QByteArray greeting(64, '\0');
    greeting[0] = char(0xff);
    greeting[9] = char(0x7f);
    greeting[10] = 3;
    greeting.replace(12, 4, "NULL");
    const QByteArray ready = QByteArray("\x04\x1a\x05READY\x0bSocket-Type\0\0\0\x04PUSH", 28);
    quint32 sequence = 101;
    const auto send = [&](const QByteArray &payload) {
        steps.append({ true, sequence, quint8(Ack | Psh), payload, 0, std::int64_t(steps.size()) });
        sequence += quint32(payload.size());
    };
    send(greeting);
    send(ready);
    constexpr int Count = 20'000;
    for (int i = 0; i < Count; ++i)
        send(QByteArray("\x00\x08", 2) + QByteArray::number(10'000'000 + i).right(8));
    const QString path = m_dir->filePath(u"progress.pcap"_s);
    QVERIFY(writePcap(path, DLT_EN10MB, framesOf(steps)));

    MessageStore store;
    CaptureLoader loader(path, store);
    QSignalSpy progressed(&loader, &CaptureLoader::progressed);
    QSignalSpy finished(&loader, &CaptureLoader::finished);
    loader.start();
    QVERIFY(finished.wait(LoadTimeout));
    const CaptureLoadResult result = resultOf(finished);
    QVERIFY2(result.outcome, qPrintable(result.outcome.errorMessage()));
    QCOMPARE(result.messages, std::uint64_t(Count));
    // The loader passes on at most one report per 50 ms; each says the file's size.
    const qint64 size = QFileInfo(path).size();
    qint64 lastBytes = -1;
    for (const auto &arguments : std::as_const(progressed)) {
        const qint64 bytes = arguments.at(0).toLongLong();
        const qint64 total = arguments.at(1).toLongLong();
        if (total == 0 && bytes == 0)
            continue; // before the first packets: nothing known yet
        QCOMPARE(total, size);
        QVERIFY(bytes >= lastBytes);
        QVERIFY(bytes <= size);
        lastBytes = bytes;
    }
    QCOMPARE(lastBytes, size); // and it ends at the whole file

    // The decoder under it reports every 4,096 packets, how far into the file it read.
    QList<qint64> reports;
    const auto decoded = decodeCaptureFile(path, {}, {}, [&](qint64 bytes, qint64 total) {
        QCOMPARE(total, size);
        reports.append(bytes);
    });
    QVERIFY(decoded);
    QCOMPARE(reports.size(), int(steps.size() / 4096));
    QVERIFY(std::is_sorted(reports.cbegin(), reports.cend()));
    QVERIFY(reports.constFirst() > 0);
    QVERIFY(reports.constLast() <= size);
}

#include "tst_captureloader.moc"
