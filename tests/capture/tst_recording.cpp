#include <map>
#include <memory>
#include <optional>

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capturereader.h>
#include <zmqscope/engine/engine.h>

#include "capturetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace capturetest;

namespace {

constexpr int NetworkTimeout = 10000; // generous for sanitizer builds on 2 cores; waits end as soon as true

struct OpenedSocket
{
    SocketId id = 0;
    QString name;
    QString type;
    QString endpoint; // as the capture names it: bound (resolved) or connected
};

using SocketMap = std::map<SocketId, OpenedSocket>;

QString bindEndpoint(const QString &transport)
{
    static int counter = 0;
    if (transport == u"inproc"_s)
        return u"inproc://recording-%1-%2"_s.arg(QCoreApplication::applicationPid()).arg(++counter);
    return u"tcp://127.0.0.1:*"_s;
}

/// Opens a socket through the engine and waits for it; empty name on failure (reported by QVERIFY in the
/// caller).
OpenedSocket open(
    Engine &engine, const QString &name, SocketType type, const QString &bind, const QString &connect)
{
    SocketSpec spec;
    spec.name = name;
    spec.type = type;
    if (!bind.isEmpty())
        spec.binds = { bind };
    if (!connect.isEmpty())
        spec.connects = { connect };
    spec.options = { { "linger", 0 } };
    QSignalSpy opened(&engine, &Engine::socketOpened);
    const SocketId id = engine.openSocket(spec);
    engine.sync();
    for (const auto &arguments : std::as_const(opened)) {
        if (arguments.at(0).value<SocketId>() == id) {
            const QStringList bound = arguments.at(1).toStringList();
            return OpenedSocket { id, name, socketTypeName(type),
                bound.isEmpty() ? connect : bound.join(u","_s) };
        }
    }
    return OpenedSocket {};
}

struct Pair
{
    OpenedSocket left;
    OpenedSocket right;
};

Pair openPair(Engine &engine, const QString &transport, SocketType leftType = SocketType::Pair,
    SocketType rightType = SocketType::Pair, const QString &prefix = QString())
{
    Pair pair;
    pair.left = open(engine, prefix + u"left"_s, leftType, bindEndpoint(transport), QString());
    if (pair.left.id == 0)
        return pair;
    pair.right = open(engine, prefix + u"right"_s, rightType, QString(), pair.left.endpoint);
    return pair;
}

/// Every record of the files, in order.
QList<CaptureRecord> readCapture(const QStringList &paths)
{
    QList<CaptureRecord> records;
    for (const QString &path : paths) {
        CaptureReader reader(path);
        CaptureRecord record;
        while (reader.next(record))
            records.append(record);
        if (!reader.issues().isEmpty())
            qWarning("%s", qPrintable(reader.issues().first().message));
    }
    return records;
}

Frames message(const char *tag, int number)
{
    return { QByteArray(tag) + QByteArray::number(number), "application/octet-stream",
        QByteArray("\0\xff body ", 8) + QByteArray(100, char(number)) };
}

} // namespace

class TestRecording : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void recordsWhatTheStoreHas_data();
    void recordsWhatTheStoreHas();
    void recordsSelectedSockets();
    void recordsSocketsOpenedLater();
    void rotatesThroughEngine();
    void openFailureIsReported();
    void writeFailureStopsRecording();
    void restartStopsPrevious();
    void destroyingEngineClosesFile();
    void deferredRecordingCreatesFileOnlyWithData();

private:
    /// The store's messages from `firstSeq` on (optionally of some sockets only) as capture records.
    static QList<CaptureRecord> expectedRecords(
        const MessageStore &store, std::uint64_t firstSeq, const SocketMap &sockets);
    std::optional<QTemporaryDir> m_dir;
};

void TestRecording::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
}

QList<CaptureRecord> TestRecording::expectedRecords(
    const MessageStore &store, std::uint64_t firstSeq, const SocketMap &sockets)
{
    QList<CaptureRecord> records;
    for (std::uint64_t seq = firstSeq; seq < store.endSeq(); ++seq) {
        StoredMessage stored;
        if (!store.message(seq, stored))
            continue;
        const auto it = sockets.find(stored.socket);
        if (it == sockets.end())
            continue;
        records.append(CaptureRecord { stored.timestampUs, it->second.name, it->second.type,
            it->second.endpoint, stored.direction, stored.frames });
    }
    return records;
}

void TestRecording::recordsWhatTheStoreHas_data()
{
    QTest::addColumn<QString>("transport");
    QTest::newRow("inproc") << u"inproc"_s;
    QTest::newRow("tcp") << u"tcp"_s;
}

void TestRecording::recordsWhatTheStoreHas()
{
    QFETCH(QString, transport);
    MessageStore store;
    Engine engine(store);
    const Pair pair = openPair(engine, transport);
    QVERIFY(pair.left.id != 0 && pair.right.id != 0);
    if (transport == u"tcp"_s)
        QTRY_VERIFY_WITH_TIMEOUT(engine.socket(pair.left.id)->peers == 1, NetworkTimeout);

    // Traffic before the recording starts stays out of it.
    engine.send(pair.left.id, message("before", 0));
    QTRY_COMPARE_WITH_TIMEOUT(store.size(), 2u, NetworkTimeout);

    QSignalSpy started(&engine, &Engine::recordingStarted);
    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    QSignalSpy failed(&engine, &Engine::recordingFailed);
    const QString path = m_dir->filePath(u"both.zmqcap"_s);
    engine.startRecording(RecordingOptions { CaptureWriterOptions { path, 0, 0, {} }, {} });
    QVERIFY(started.wait(NetworkTimeout));
    QCOMPARE(started.constFirst().at(0).toString(), path);
    QVERIFY(engine.recordingStatus().active);
    QCOMPARE(engine.recordingStatus().path, path);
    const std::uint64_t firstSeq = store.endSeq();

    constexpr int PerSide = 150;
    for (int i = 0; i < PerSide; ++i) {
        engine.send(pair.left.id, message("l", i));
        engine.send(pair.right.id, message("r", i));
    }
    QTRY_COMPARE_WITH_TIMEOUT(store.endSeq() - firstSeq, std::uint64_t(4 * PerSide), NetworkTimeout);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));
    QCOMPARE(stopped.constFirst().at(0).toString(), path);
    QCOMPARE(stopped.constFirst().at(1).toULongLong(), quint64(4 * PerSide));
    QVERIFY(failed.isEmpty());

    const RecordingStatus status = engine.recordingStatus();
    QVERIFY(!status.active);
    QCOMPARE(status.path, path);
    QCOMPARE(status.messages, std::uint64_t(4 * PerSide));
    QCOMPARE(status.bytes, std::uint64_t(QFileInfo(path).size()));

    // Complete on disk the moment recordingStopped arrives, in store order, both directions.
    const QList<CaptureRecord> recorded = readCapture({ path });
    const QList<CaptureRecord> expected
        = expectedRecords(store, firstSeq, { { pair.left.id, pair.left }, { pair.right.id, pair.right } });
    QCOMPARE(expected.size(), 4 * PerSide);
    QCOMPARE(recorded.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QCOMPARE(recorded[i], expected[i]);
    int out = 0;
    for (const CaptureRecord &record : recorded)
        out += record.direction == Direction::Out ? 1 : 0;
    QCOMPARE(out, 2 * PerSide);

    // After the stop nothing more is written.
    engine.send(pair.left.id, message("after", 0));
    QTRY_COMPARE_WITH_TIMEOUT(store.endSeq() - firstSeq, std::uint64_t(4 * PerSide + 2), NetworkTimeout);
    engine.stopRecording(); // not recording: nothing happens
    engine.sync();
    QCOMPARE(readCapture({ path }).size(), 4 * PerSide);
    QCOMPARE(stopped.size(), 1);
}

void TestRecording::recordsSelectedSockets()
{
    MessageStore store;
    Engine engine(store);
    const Pair pairs = openPair(engine, u"inproc"_s);
    const Pair pipeline = openPair(engine, u"inproc"_s, SocketType::Push, SocketType::Pull, u"pipe-"_s);
    QVERIFY(pairs.left.id && pairs.right.id && pipeline.left.id && pipeline.right.id);

    QSignalSpy started(&engine, &Engine::recordingStarted);
    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    const QString path = m_dir->filePath(u"selected.zmqcap"_s);
    engine.startRecording(RecordingOptions { CaptureWriterOptions { path, 0, 0, {} }, { pairs.left.id } });
    QVERIFY(started.wait(NetworkTimeout));
    const std::uint64_t firstSeq = store.endSeq();
    for (int i = 0; i < 40; ++i) {
        engine.send(pairs.left.id, message("l", i));
        engine.send(pairs.right.id, message("r", i));
        engine.send(pipeline.left.id, message("p", i));
    }
    QTRY_COMPARE_WITH_TIMEOUT(store.endSeq() - firstSeq, std::uint64_t(240), NetworkTimeout);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));
    QCOMPARE(stopped.constFirst().at(1).toULongLong(), quint64(80)); // left's 40 out and 40 in

    const QList<CaptureRecord> expected = expectedRecords(store, firstSeq, { { pairs.left.id, pairs.left } });
    QCOMPARE(expected.size(), 80);
    QCOMPARE(readCapture({ path }), expected);
}

void TestRecording::recordsSocketsOpenedLater()
{
    MessageStore store;
    Engine engine(store);
    QSignalSpy started(&engine, &Engine::recordingStarted);
    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    const QString path = m_dir->filePath(u"later.zmqcap"_s);
    engine.startRecording(RecordingOptions { CaptureWriterOptions { path, 0, 0, {} }, {} });
    QVERIFY(started.wait(NetworkTimeout));

    const Pair pipeline = openPair(engine, u"tcp"_s, SocketType::Push, SocketType::Pull);
    QVERIFY(pipeline.left.id && pipeline.right.id);
    // A PUSH with no peer yet cannot queue anything (sndtimeo 0): wait for the connection first.
    QTRY_VERIFY_WITH_TIMEOUT(engine.socket(pipeline.left.id)->peers == 1, NetworkTimeout);
    for (int i = 0; i < 25; ++i)
        engine.send(pipeline.left.id, message("p", i));
    QTRY_COMPARE_WITH_TIMEOUT(store.size(), std::uint64_t(50), NetworkTimeout);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));

    const QList<CaptureRecord> recorded = readCapture({ path });
    QCOMPARE(recorded.size(), 50);
    QCOMPARE(recorded,
        expectedRecords(store, store.firstSeq(),
            { { pipeline.left.id, pipeline.left }, { pipeline.right.id, pipeline.right } }));
    QCOMPARE(recorded.constFirst().type, u"PUSH"_s);
    QVERIFY(recorded.constFirst().endpoint.startsWith(u"tcp://127.0.0.1:"_s));
}

void TestRecording::rotatesThroughEngine()
{
    MessageStore store;
    Engine engine(store);
    const Pair pipeline = openPair(engine, u"inproc"_s, SocketType::Push, SocketType::Pull);
    QVERIFY(pipeline.left.id && pipeline.right.id);
    QSignalSpy started(&engine, &Engine::recordingStarted);
    QSignalSpy changed(&engine, &Engine::recordingFileChanged);
    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    engine.startRecording(
        RecordingOptions { CaptureWriterOptions { m_dir->filePath(u"ring.zmqcap"_s), 2048, 0, {} }, {} });
    QVERIFY(started.wait(NetworkTimeout));
    for (int i = 0; i < 60; ++i)
        engine.send(pipeline.left.id, message("p", i));
    QTRY_COMPARE_WITH_TIMEOUT(store.size(), std::uint64_t(120), NetworkTimeout);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));

    const QStringList names = QDir(m_dir->path()).entryList(QDir::Files, QDir::Name);
    QStringList files;
    for (const QString &name : names)
        files.append(m_dir->filePath(name));
    QVERIFY2(files.size() > 5, qPrintable(files.join(u' ')));
    QCOMPARE(started.constFirst().at(0).toString(), files.first());
    QCOMPARE(changed.size(), files.size() - 1);
    for (qsizetype i = 0; i < changed.size(); ++i)
        QCOMPARE(changed[i].at(0).toString(), files[i + 1]);
    QCOMPARE(stopped.constFirst().at(0).toString(), files.last());
    QCOMPARE(engine.recordingStatus().path, files.last());
    QCOMPARE(readCapture(files),
        expectedRecords(store, store.firstSeq(),
            { { pipeline.left.id, pipeline.left }, { pipeline.right.id, pipeline.right } }));
}

void TestRecording::openFailureIsReported()
{
    MessageStore store;
    Engine engine(store);
    QSignalSpy started(&engine, &Engine::recordingStarted);
    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    QSignalSpy failed(&engine, &Engine::recordingFailed);
    const QString path = m_dir->filePath(u"missing/dir/x.zmqcap"_s);
    engine.startRecording(RecordingOptions { CaptureWriterOptions { path, 0, 0, {} }, {} });
    QVERIFY(failed.wait(NetworkTimeout));
    const QString error = failed.constFirst().at(0).toString();
    QVERIFY2(error.contains(QDir::toNativeSeparators(path)), qPrintable(error));
    QVERIFY2(error.contains(u"No such file or directory"_s), qPrintable(error));
    QVERIFY(!engine.recordingStatus().active);

    // Traffic afterwards is simply not recorded; a stop has nothing to stop.
    const Pair pipeline = openPair(engine, u"inproc"_s, SocketType::Push, SocketType::Pull);
    QVERIFY(pipeline.left.id && pipeline.right.id);
    engine.send(pipeline.left.id, message("p", 1));
    QTRY_COMPARE_WITH_TIMEOUT(store.size(), std::uint64_t(2), NetworkTimeout);
    engine.stopRecording();
    engine.sync();
    QTest::qWait(100);
    QCOMPARE(started.size(), 0);
    QCOMPARE(stopped.size(), 0);
    QCOMPARE(failed.size(), 1);
    QVERIFY(!QFileInfo::exists(path));
}

void TestRecording::writeFailureStopsRecording()
{
    MessageStore store;
    Engine engine(store);
    const Pair pipeline = openPair(engine, u"inproc"_s, SocketType::Push, SocketType::Pull);
    QVERIFY(pipeline.left.id && pipeline.right.id);
    const QString dir = m_dir->filePath(u"vanishing"_s);
    QVERIFY(QDir().mkpath(dir));
    QSignalSpy started(&engine, &Engine::recordingStarted);
    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    QSignalSpy failed(&engine, &Engine::recordingFailed);
    engine.startRecording(
        RecordingOptions { CaptureWriterOptions { QDir(dir).filePath(u"v.zmqcap"_s), 1024, 0, {} }, {} });
    QVERIFY(started.wait(NetworkTimeout));
    QVERIFY(QDir(dir).removeRecursively());
    // The next rotation cannot create its file: the recording fails and says where.
    for (int i = 0; i < 40; ++i)
        engine.send(pipeline.left.id, message("p", i));
    QVERIFY(failed.wait(NetworkTimeout));
    const QString error = failed.constFirst().at(0).toString();
    QVERIFY2(error.contains(QDir::toNativeSeparators(dir)), qPrintable(error));
    QVERIFY2(error.contains(u"cannot write capture file"_s), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!engine.recordingStatus().active, NetworkTimeout);
    // The failure can come before all 40 sends and their 40 receipts are stored; let them
    // land first, or the late ones would end up in the next recording.
    QTRY_COMPARE_WITH_TIMEOUT(store.endSeq(), std::uint64_t(80), NetworkTimeout);

    // The engine goes on; a new recording works.
    const QString path = m_dir->filePath(u"again.zmqcap"_s);
    engine.startRecording(RecordingOptions { CaptureWriterOptions { path, 0, 0, {} }, {} });
    QVERIFY(started.size() == 2 || started.wait(NetworkTimeout));
    const std::uint64_t firstSeq = store.endSeq();
    engine.send(pipeline.left.id, message("q", 1));
    QTRY_COMPARE_WITH_TIMEOUT(store.endSeq(), firstSeq + 2, NetworkTimeout);
    engine.stopRecording();
    QVERIFY(stopped.wait(NetworkTimeout));
    QCOMPARE(stopped.size(), 1); // only for the second recording
    QCOMPARE(readCapture({ path }).size(), 2);
}

void TestRecording::restartStopsPrevious()
{
    MessageStore store;
    Engine engine(store);
    const Pair pipeline = openPair(engine, u"inproc"_s, SocketType::Push, SocketType::Pull);
    QVERIFY(pipeline.left.id && pipeline.right.id);
    QSignalSpy started(&engine, &Engine::recordingStarted);
    QSignalSpy stopped(&engine, &Engine::recordingStopped);
    const QString first = m_dir->filePath(u"first.zmqcap"_s);
    const QString second = m_dir->filePath(u"second.zmqcap"_s);
    engine.startRecording(RecordingOptions { CaptureWriterOptions { first, 0, 0, {} }, {} });
    for (int i = 0; i < 30; ++i)
        engine.send(pipeline.left.id, message("a", i));
    engine.startRecording(RecordingOptions { CaptureWriterOptions { second, 0, 0, {} }, {} });
    for (int i = 0; i < 30; ++i)
        engine.send(pipeline.left.id, message("b", i));
    QTRY_COMPARE_WITH_TIMEOUT(store.size(), std::uint64_t(120), NetworkTimeout);
    engine.stopRecording();
    QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 2, NetworkTimeout);
    QCOMPARE(started.size(), 2);
    QCOMPARE(started[0].at(0).toString(), first);
    QCOMPARE(started[1].at(0).toString(), second);
    QCOMPARE(stopped[0].at(0).toString(), first);
    QCOMPARE(stopped[1].at(0).toString(), second);

    // Every message is in exactly one of the two files, in order; each send is in the first file
    // exactly when it was made before the second start.
    const QList<CaptureRecord> a = readCapture({ first });
    const QList<CaptureRecord> b = readCapture({ second });
    QCOMPARE(a.size() + b.size(), 120);
    QCOMPARE(a + b,
        expectedRecords(store, store.firstSeq(),
            { { pipeline.left.id, pipeline.left }, { pipeline.right.id, pipeline.right } }));
    int outInFirst = 0;
    for (const CaptureRecord &record : a) {
        if (record.direction == Direction::Out) {
            QVERIFY(record.frames[0].startsWith("a"));
            ++outInFirst;
        }
    }
    QCOMPARE(outInFirst, 30);
    QCOMPARE(stopped[0].at(1).toULongLong(), quint64(a.size()));
    QCOMPARE(stopped[1].at(1).toULongLong(), quint64(b.size()));
}

void TestRecording::destroyingEngineClosesFile()
{
    MessageStore store;
    const QString path = m_dir->filePath(u"closing.zmqcap"_s);
    SocketMap sockets;
    {
        Engine engine(store);
        const Pair pipeline = openPair(engine, u"inproc"_s, SocketType::Push, SocketType::Pull);
        QVERIFY(pipeline.left.id && pipeline.right.id);
        sockets = { { pipeline.left.id, pipeline.left }, { pipeline.right.id, pipeline.right } };
        engine.startRecording(RecordingOptions { CaptureWriterOptions { path, 0, 0, {} }, {} });
        for (int i = 0; i < 200; ++i)
            engine.send(pipeline.left.id, message("p", i));
        QTRY_COMPARE_WITH_TIMEOUT(store.size(), std::uint64_t(400), NetworkTimeout);
    }
    QCOMPARE(readCapture({ path }), expectedRecords(store, store.firstSeq(), sockets));
}

void TestRecording::deferredRecordingCreatesFileOnlyWithData()
{
    // The CLI's promise (listen --write): a run that ends before its first message, without a clean
    // stop, leaves an existing capture as it was; a clean stop or a first message creates the file.
    const QString path = m_dir->filePath(u"deferred.zmqcap"_s);
    const QByteArray earlier = captureHeaderLine(QDateTime::currentDateTimeUtc()) + "not touched\n";
    const auto writeEarlier = [&] {
        QFile file(path);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(earlier) == earlier.size();
    };
    const auto contents = [&] {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    };
    CaptureWriterOptions file { path, 0, 0, {} };
    file.deferCreate = true;
    QVERIFY(writeEarlier());
    {
        MessageStore store;
        Engine engine(store);
        QSignalSpy started(&engine, &Engine::recordingStarted);
        engine.startRecording(RecordingOptions { file, {} });
        QVERIFY(started.wait(NetworkTimeout));
        const Pair pipeline = openPair(engine, u"inproc"_s, SocketType::Push, SocketType::Pull);
        QVERIFY(pipeline.left.id && pipeline.right.id);
        engine.sync();
    } // destroyed without stopRecording(): a failed run
    QCOMPARE(contents(), earlier);

    {
        MessageStore store;
        Engine engine(store);
        QSignalSpy stopped(&engine, &Engine::recordingStopped);
        engine.startRecording(RecordingOptions { file, {} });
        engine.stopRecording(); // a clean end without a message: a header-only capture
        QVERIFY(stopped.wait(NetworkTimeout));
        QCOMPARE(stopped.constFirst().at(1).toULongLong(), quint64(0));
    }
    QVERIFY(contents() != earlier);
    QVERIFY(readCapture({ path }).isEmpty());

    QVERIFY(writeEarlier());
    MessageStore store;
    SocketMap sockets;
    {
        Engine engine(store);
        engine.startRecording(RecordingOptions { file, {} });
        const Pair pipeline = openPair(engine, u"inproc"_s, SocketType::Push, SocketType::Pull);
        QVERIFY(pipeline.left.id && pipeline.right.id);
        sockets = { { pipeline.left.id, pipeline.left }, { pipeline.right.id, pipeline.right } };
        for (int i = 0; i < 20; ++i)
            engine.send(pipeline.left.id, message("d", i));
        QTRY_COMPARE_WITH_TIMEOUT(store.size(), std::uint64_t(40), NetworkTimeout);
    } // destroyed without a stop, but with messages: they are kept
    QCOMPARE(readCapture({ path }), expectedRecords(store, store.firstSeq(), sockets));
}

QTEST_GUILESS_MAIN(TestRecording)
#include "tst_recording.moc"
