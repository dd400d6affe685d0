// The Replayer sends into an Engine socket, received by the independent python3-zmq peer
// (tests/interop/dploy_peer.py). Asserts order, count and bytes, never timing.

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <zmqscope/capture/capture.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/replay/replayer.h>

#include "../engine/enginetestsupport.h"
#include "../interop/testprocess.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using enginetest::openSocket;

Q_DECLARE_METATYPE(zmqscope::ReplayPacing)

namespace {

constexpr int NetworkTimeout = 20000; // generous for sanitizer builds on 2 cores; waits end as soon as true

SocketSpec bindSpec(SocketType type, const Options &options = {})
{
    SocketSpec spec;
    spec.type = type;
    spec.binds = QStringList { u"tcp://127.0.0.1:*"_s };
    spec.options = options;
    return spec;
}

// What most tests start from: a store, an engine on it and one socket bound to a wildcard TCP port.
struct Rig
{
    MessageStore store;
    Engine engine { store };
    SocketId id = 0;
    QStringList bound;
    QString error;

    [[nodiscard]] bool open(SocketType type, const Options &options = {})
    {
        return openSocket(engine, bindSpec(type, options), id, bound, error);
    }
};

// Message i: three frames, one of them binary with every byte value, so byte-exactness is checked.
Frames messageFrames(int i, int padding = 0)
{
    QByteArray binary;
    for (int b = 0; b < 256; ++b)
        binary.append(char((b + i) & 0xff));
    binary.append(QByteArray(padding, char(i & 0xff)));
    return Frames { "msg", QByteArray::number(i), binary };
}

std::vector<ReplayItem> makeItems(int count, std::int64_t gapUs = 0, int padding = 0)
{
    std::vector<ReplayItem> items;
    items.reserve(std::size_t(count));
    const std::int64_t start = 1'700'000'000'000'000;
    for (int i = 0; i < count; ++i)
        items.push_back(ReplayItem { start + i * gapUs, messageFrames(i, padding) });
    return items;
}

QList<Frames> framesOf(const std::vector<ReplayItem> &items)
{
    QList<Frames> result;
    for (const ReplayItem &item : items)
        result.append(item.frames);
    return result;
}

[[nodiscard]] bool startPull(TestProcess &peer, const QString &endpoint, int count)
{
    return peer.startPeer({ u"pull"_s, u"--connect"_s, endpoint, u"--count"_s, QString::number(count),
        u"--timeout"_s, QString::number(NetworkTimeout) });
}

} // namespace

class TestReplayer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void orderAndCount_data();
    void orderAndCount();
    void step();
    void waitsForPeer();
    void stopDuringLongGap();
    void tinySpeedSaturates();
    void realErrorStops();
    void invalidSpeed();
    void fileWithFilters();
    void fileNotACapture();

private:
    QTemporaryDir m_dir;
};

void TestReplayer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    TestProcess python;
    QVERIFY(python.start(QStringLiteral(ZMQSCOPE_PYTHON), { u"-c"_s, u"import zmq"_s }));
    QVERIFY(python.waitForFinished());
    QVERIFY2(python.exitedWith(0), "python3-zmq is missing: apt-get install python3-zmq");
}

void TestReplayer::orderAndCount_data()
{
    QTest::addColumn<ReplayPacing>("pacing");
    QTest::addColumn<double>("speed");
    QTest::addColumn<int>("count");
    QTest::addColumn<qint64>("gapUs");
    QTest::addColumn<int>("padding");
    QTest::addColumn<int>("sndhwm");
    QTest::addColumn<bool>("mustHold");
    QTest::newRow("max speed") << ReplayPacing::MaxSpeed << 1.0 << 3000 << qint64(0) << 0 << 1000 << false;
    // 19 MiB through a high-water mark of 1 to a peer that prints every message: the socket refuses
    // again and again, and still nothing may be lost or reordered.
    QTest::newRow("max speed, hwm 1")
        << ReplayPacing::MaxSpeed << 1.0 << 300 << qint64(0) << 64 * 1024 << 1 << true;
    QTest::newRow("speed x20") << ReplayPacing::Speed << 20.0 << 40 << qint64(10'000) << 0 << 1000 << false;
    QTest::newRow("speed x0.5") << ReplayPacing::Speed << 0.5 << 10 << qint64(1'000) << 0 << 1000 << false;
    QTest::newRow("original timing") << ReplayPacing::OriginalTiming << 1.0 << 20 << qint64(2'000) << 0
                                     << 1000 << false;
    QTest::newRow("original timing, same timestamps")
        << ReplayPacing::OriginalTiming << 1.0 << 50 << qint64(0) << 0 << 1000 << false;
}

void TestReplayer::orderAndCount()
{
    QFETCH(ReplayPacing, pacing);
    QFETCH(double, speed);
    QFETCH(int, count);
    QFETCH(qint64, gapUs);
    QFETCH(int, padding);
    QFETCH(int, sndhwm);
    QFETCH(bool, mustHold);

    Rig rig;
    QVERIFY2(rig.open(SocketType::Push, { { "sndhwm", sndhwm } }), qPrintable(rig.error));
    TestProcess peer;
    QVERIFY(startPull(peer, rig.bound.constFirst(), count));

    Replayer replayer(rig.engine, rig.id);
    QSignalSpy finished(&replayer, &Replayer::finished);
    QSignalSpy progressed(&replayer, &Replayer::progressed);
    const std::vector<ReplayItem> items = makeItems(count, gapUs, padding);
    ReplayOptions options;
    options.pacing = pacing;
    options.speed = speed;
    replayer.start(items, options);
    QVERIFY(replayer.isRunning());
    QCOMPARE(replayer.total(), quint64(count));
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 1);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).value<quint64>(), quint64(count));
    QCOMPARE(finished.at(0).at(1).toString(), QString());
    QVERIFY(!replayer.isRunning());
    QCOMPARE(replayer.sent(), quint64(count));
    QVERIFY(!progressed.isEmpty());
    if (mustHold)
        QVERIFY(replayer.deferredSends() > 0);
    QCOMPARE(progressed.constLast().at(0).value<quint64>(), quint64(count));
    QCOMPARE(progressed.constLast().at(1).value<quint64>(), quint64(count));

    QVERIFY2(peer.waitForFinished(NetworkTimeout) && peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(peer.peerMessages(), framesOf(items));
    // Every message is in the store as sent, in order.
    QCOMPARE(rig.store.size(), quint64(count));
    StoredMessage stored;
    QVERIFY(rig.store.message(rig.store.endSeq() - 1, stored));
    QCOMPARE(stored.direction, Direction::Out);
    QCOMPARE(stored.frames, items.back().frames);
}

void TestReplayer::step()
{
    Rig rig;
    QVERIFY2(rig.open(SocketType::Push), qPrintable(rig.error));
    TestProcess peer;
    QVERIFY(startPull(peer, rig.bound.constFirst(), 5));

    Replayer replayer(rig.engine, rig.id);
    QSignalSpy finished(&replayer, &Replayer::finished);
    const std::vector<ReplayItem> items = makeItems(5, 60'000'000); // gaps of a minute: Step ignores them
    ReplayOptions options;
    options.pacing = ReplayPacing::Step;
    replayer.start(items, options);

    replayer.step();
    replayer.step();
    QTRY_COMPARE_WITH_TIMEOUT(replayer.sent(), quint64(2), NetworkTimeout);
    QVERIFY2(peer.waitForLines(1 + 2, NetworkTimeout), peer.diagnostics());
    QVERIFY(replayer.isRunning());
    QVERIFY(finished.isEmpty());
    // Without a step nothing more goes out, however long the event loop runs.
    QTest::qWait(100);
    QCOMPARE(replayer.sent(), quint64(2));

    replayer.step();
    replayer.step();
    replayer.step();
    replayer.step(); // one more than there are messages: ignored at the end
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 1);
    QCOMPARE(finished.at(0).at(0).value<quint64>(), quint64(5));
    QCOMPARE(finished.at(0).at(1).toString(), QString());
    QVERIFY2(peer.waitForFinished(NetworkTimeout) && peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(peer.peerMessages(), framesOf(items));
}

void TestReplayer::waitsForPeer()
{
    Rig rig;
    QVERIFY2(rig.open(SocketType::Push), qPrintable(rig.error));

    Replayer replayer(rig.engine, rig.id);
    QSignalSpy finished(&replayer, &Replayer::finished);
    const int count = 200;
    const std::vector<ReplayItem> items = makeItems(count);
    ReplayOptions options;
    options.pacing = ReplayPacing::MaxSpeed;
    replayer.start(items, options);

    // No peer: the PUSH cannot take the first message; the replayer keeps retrying it.
    QTRY_VERIFY_WITH_TIMEOUT(replayer.deferredSends() >= 3, NetworkTimeout);
    QCOMPARE(replayer.sent(), quint64(0));
    QVERIFY(replayer.isRunning());
    QVERIFY(finished.isEmpty());
    QCOMPARE(replayer.failedSends(), quint64(0));

    TestProcess peer;
    QVERIFY(startPull(peer, rig.bound.constFirst(), count));
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 1);
    QCOMPARE(finished.at(0).at(0).value<quint64>(), quint64(count));
    QCOMPARE(finished.at(0).at(1).toString(), QString());
    QCOMPARE(replayer.failedSends(), quint64(0));
    QVERIFY2(peer.waitForFinished(NetworkTimeout) && peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(peer.peerMessages(), framesOf(items));
}

void TestReplayer::stopDuringLongGap()
{
    Rig rig;
    QVERIFY2(rig.open(SocketType::Push), qPrintable(rig.error));
    TestProcess peer;
    QVERIFY(startPull(peer, rig.bound.constFirst(), 1));

    Replayer replayer(rig.engine, rig.id);
    QSignalSpy finished(&replayer, &Replayer::finished);
    // The second message is due 40 days after the first: longer than one QTimer interval can be.
    const std::vector<ReplayItem> items = makeItems(3, 40LL * 24 * 3600 * 1000 * 1000);
    QSignalSpy progressed(&replayer, &Replayer::progressed);
    replayer.start(items, ReplayOptions {});
    QTRY_COMPARE_WITH_TIMEOUT(replayer.sent(), quint64(1), NetworkTimeout);
    // The count is reported while the replay waits, not only at the end.
    QTRY_VERIFY_WITH_TIMEOUT(
        !progressed.isEmpty() && progressed.constLast().at(0).value<quint64>() == 1, NetworkTimeout);
    QCOMPARE(progressed.constLast().at(1).value<quint64>(), quint64(3));
    QVERIFY2(peer.waitForFinished(NetworkTimeout) && peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(peer.peerMessages(), QList<Frames> { items.front().frames });
    QVERIFY(replayer.isRunning());

    replayer.stop();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, NetworkTimeout);
    QCOMPARE(finished.at(0).at(0).value<quint64>(), quint64(1));
    QCOMPARE(finished.at(0).at(1).toString(), QString());
    QVERIFY(!replayer.isRunning());
    replayer.stop(); // stopping again does nothing
    QTest::qWait(50);
    QCOMPARE(finished.size(), 1);

    // The Replayer can run again on the same socket.
    TestProcess second;
    QVERIFY(startPull(second, rig.bound.constFirst(), 2));
    ReplayOptions fast;
    fast.pacing = ReplayPacing::MaxSpeed;
    replayer.start(makeItems(2), fast);
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 2);
    QCOMPARE(finished.at(1).at(0).value<quint64>(), quint64(2));
    QVERIFY2(second.waitForFinished(NetworkTimeout) && second.exitedWith(0), second.diagnostics());
    QCOMPARE(second.peerMessages().size(), 2);
}

void TestReplayer::tinySpeedSaturates()
{
    Rig rig;
    QVERIFY2(rig.open(SocketType::Push), qPrintable(rig.error));
    TestProcess peer;
    QVERIFY(startPull(peer, rig.bound.constFirst(), 1));

    Replayer replayer(rig.engine, rig.id);
    QSignalSpy finished(&replayer, &Replayer::finished);
    // 1 us apart at a speed of 1e-30: a gap of 1e24 us, far beyond 64 bits of milliseconds. It must
    // become the longest wait, not a zero-delay timer that spins (and never sends).
    ReplayOptions options;
    options.pacing = ReplayPacing::Speed;
    options.speed = 1e-30;
    replayer.start(makeItems(2, 1), options);
    QTRY_COMPARE_WITH_TIMEOUT(replayer.sent(), quint64(1), NetworkTimeout);
    auto *pacing = replayer.findChild<QTimer *>(u"zmqscope replay pacing"_s);
    QVERIFY(pacing);
    QTRY_VERIFY_WITH_TIMEOUT(pacing->isActive(), NetworkTimeout);
    QVERIFY2(pacing->interval() >= 60 * 60 * 1000, qPrintable(QString::number(pacing->interval())));
    QCOMPARE(replayer.sent(), quint64(1));
    replayer.stop();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, NetworkTimeout);
    QVERIFY2(peer.waitForFinished(NetworkTimeout) && peer.exitedWith(0), peer.diagnostics());
}

void TestReplayer::realErrorStops()
{
    Rig rig;
    // A ROUTER has router_mandatory: a message for a routing id no peer has is an error, not a wait.
    QVERIFY2(rig.open(SocketType::Router), qPrintable(rig.error));
    Replayer replayer(rig.engine, rig.id);
    QSignalSpy finished(&replayer, &Replayer::finished);
    std::vector<ReplayItem> items;
    items.reserve(10);
    for (int i = 0; i < 10; ++i)
        items.push_back(ReplayItem { i, Frames { "nobody", QByteArray::number(i) } });
    ReplayOptions options;
    options.pacing = ReplayPacing::MaxSpeed;
    replayer.start(items, options);
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 1);
    QCOMPARE(finished.at(0).at(0).value<quint64>(), quint64(0));
    const QString message = finished.at(0).at(1).toString();
    QVERIFY2(message.startsWith(u"message 1: "_s) && message.contains(u"routing id"_s), qPrintable(message));
    QCOMPARE(replayer.failedSends(), quint64(1)); // the messages behind it were not tried
    QCOMPARE(rig.store.size(), quint64(0));
}

void TestReplayer::invalidSpeed()
{
    MessageStore store;
    Engine engine(store);
    Replayer replayer(engine, 1);
    QSignalSpy finished(&replayer, &Replayer::finished);
    ReplayOptions options;
    options.pacing = ReplayPacing::Speed;
    options.speed = 0;
    replayer.start(makeItems(3), options);
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 1);
    QCOMPARE(finished.at(0).at(0).value<quint64>(), quint64(0));
    QVERIFY2(finished.at(0).at(1).toString().contains(u"invalid replay speed 0"_s),
        qPrintable(finished.at(0).at(1).toString()));
}

void TestReplayer::fileWithFilters()
{
    const QString path = m_dir.filePath(u"filters.zmqcap"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QByteArray content = captureHeaderLine(QDateTime::currentDateTimeUtc());
    QList<Frames> expected;
    std::int64_t ts = 1'700'000'000'000'000;
    for (int i = 0; i < 30; ++i) {
        CaptureRecord record;
        record.timestampUs = ts += 1000;
        record.socket = i % 3 == 0 ? u"B"_s : u"A"_s;
        record.type = u"DEALER"_s;
        record.endpoint = u"tcp://127.0.0.1:1"_s;
        record.direction = i % 2 == 0 ? Direction::Out : Direction::In;
        record.frames = messageFrames(i);
        if (record.socket == u"A"_s && record.direction == Direction::Out)
            expected.append(record.frames);
        content += captureLine(record);
        if (i == 10)
            content += "{\"ts\": broken\n";
    }
    content += "{\"ts\":\"2026-11-26T00:00:00Z\",\"socket\":\"A\",\"ty"; // cut off mid-line
    QCOMPARE(file.write(content), content.size());
    file.close();
    QVERIFY(!expected.isEmpty());

    Rig rig;
    QVERIFY2(rig.open(SocketType::Push), qPrintable(rig.error));
    TestProcess peer;
    QVERIFY(startPull(peer, rig.bound.constFirst(), int(expected.size())));

    Replayer replayer(rig.engine, rig.id);
    QSignalSpy finished(&replayer, &Replayer::finished);
    ReplayOptions options;
    options.pacing = ReplayPacing::Speed;
    options.speed = 100;
    options.socketFilter = u"A"_s;
    options.direction = Direction::Out;
    replayer.startFile(path, options);
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 1);
    QCOMPARE(finished.at(0).at(1).toString(), QString());
    QCOMPARE(finished.at(0).at(0).value<quint64>(), quint64(expected.size()));
    QCOMPARE(replayer.total(), quint64(expected.size()));
    QCOMPARE(replayer.fileIssues().size(), 2);
    QVERIFY2(replayer.fileIssues().at(0).contains(u"line 13"_s), qPrintable(replayer.fileIssues().at(0)));
    QVERIFY2(peer.waitForFinished(NetworkTimeout) && peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(peer.peerMessages(), expected);
}

void TestReplayer::fileNotACapture()
{
    const QString path = m_dir.filePath(u"not-a-capture.txt"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.write("hello\nworld\n") > 0);
    file.close();
    MessageStore store;
    Engine engine(store);
    Replayer replayer(engine, 1);
    QSignalSpy finished(&replayer, &Replayer::finished);
    replayer.startFile(path, ReplayOptions {});
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 1);
    QCOMPARE(finished.at(0).at(0).value<quint64>(), quint64(0));
    const QString message = finished.at(0).at(1).toString();
    QVERIFY2(message.contains(u"not a ZmqScope capture"_s) && message.contains(u"not-a-capture.txt"_s),
        qPrintable(message));

    replayer.startFile(m_dir.filePath(u"missing.zmqcap"_s), ReplayOptions {});
    QVERIFY(finished.wait(NetworkTimeout) || finished.size() == 2);
    QVERIFY2(finished.at(1).at(1).toString().contains(u"missing.zmqcap"_s),
        qPrintable(finished.at(1).at(1).toString()));
}

QTEST_GUILESS_MAIN(TestReplayer)
#include "tst_replayer.moc"
