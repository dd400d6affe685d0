#include <optional>

#include <QDirIterator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capturereader.h>
#include <zmqscope/capture/capturewriter.h>

#include "capturetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace capturetest;

namespace {

std::optional<Error> errorOf(const std::function<void()> &call)
{
    try {
        call();
    } catch (const Error &error) {
        return error;
    }
    return std::nullopt;
}

QList<CaptureRecord> readRecords(const QString &path, QList<CaptureIssue> *issues = nullptr)
{
    CaptureReader reader(path);
    QList<CaptureRecord> records;
    CaptureRecord record;
    while (reader.next(record))
        records.append(record);
    if (issues)
        *issues = reader.issues();
    return records;
}

QStringList filesIn(const QString &dir)
{
    QStringList files;
    const QStringList names = QDir(dir).entryList(QDir::Files, QDir::Name);
    for (const QString &name : names)
        files.append(QDir(dir).filePath(name));
    return files;
}

} // namespace

class TestCaptureWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void randomMessagesRoundTrip();
    void headerCarriesExtraKeys();
    void flushMakesLinesVisible();
    void rotationNames_data();
    void rotationNames();
    void rotationBySize();
    void rotationKeepsNewestFiles();
    void openErrors_data();
    void openErrors();
    void diskFullIsReported();
    void rotationIntoMissingDirectoryFails();
    void writeAfterCloseFails();
    void deferredCreationKeepsFileUntilData();

private:
    std::optional<QTemporaryDir> m_dir;
};

void TestCaptureWriter::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
}

void TestCaptureWriter::randomMessagesRoundTrip()
{
    constexpr quint32 Seed = 20261126;
    constexpr int Count = 10'000;
    const std::vector<CaptureRecord> records = randomRecords(Seed, Count);
    const QString path = m_dir->filePath(u"random.zmqcap"_s);
    {
        CaptureWriter writer(CaptureWriterOptions { path, 0, 0, {} });
        for (std::size_t i = 0; i < records.size(); ++i) {
            writer.write(records[i]);
            if (i % 97 == 0)
                writer.flush(); // batches of uneven size, as the recorder produces them
        }
        writer.close();
        QCOMPARE(writer.messagesWritten(), std::uint64_t(Count));
        QCOMPARE(writer.bytesWritten(), std::uint64_t(QFileInfo(path).size()));
        QCOMPARE(writer.paths(), QStringList { path });
        QCOMPARE(writer.currentPath(), path);
    }

    QList<CaptureIssue> issues;
    const QList<CaptureRecord> read = readRecords(path, &issues);
    QVERIFY2(issues.isEmpty(), qPrintable(issues.value(0).message));
    QCOMPARE(read.size(), Count);
    for (int i = 0; i < Count; ++i) {
        if (read[i] != records[std::size_t(i)])
            QFAIL(qPrintable(u"record %1 (seed %2) differs after the round trip: %3"_s.arg(i).arg(Seed).arg(
                QString::fromUtf8(captureLine(records[std::size_t(i)])))));
    }

    // Every line is one line: no raw control character, no line separator, valid UTF-8.
    const QByteArray content = readAll(path);
    QVERIFY(content.endsWith('\n'));
    QCOMPARE(content.count('\n'), Count + 1);
    for (const char c : content) {
        const auto u = static_cast<unsigned char>(c);
        QVERIFY(c == '\n' || u >= 0x20);
    }
    QVERIFY(!content.contains("\xe2\x80\xa8"));
    QVERIFY(QString::fromUtf8(content).toUtf8() == content);
}

void TestCaptureWriter::headerCarriesExtraKeys()
{
    const QString path = m_dir->filePath(u"header.zmqcap"_s);
    CaptureWriter writer(CaptureWriterOptions { path, 0, 0, QJsonObject { { u"writer"_s, u"tst 1.0"_s } } });
    writer.close();
    CaptureReader reader(path);
    QCOMPARE(reader.header().value(u"zmqscope_capture"_s).toInt(), 1);
    QCOMPARE(reader.header().value(u"writer"_s).toString(), u"tst 1.0"_s);
    QVERIFY(parseCaptureTimestamp(reader.header().value(u"created"_s).toString()));
    CaptureRecord record;
    QVERIFY(!reader.next(record));
    QVERIFY(reader.issues().isEmpty());
}

void TestCaptureWriter::flushMakesLinesVisible()
{
    const QString path = m_dir->filePath(u"live.zmqcap"_s);
    CaptureWriter writer(CaptureWriterOptions { path, 0, 0, {} });
    // The header is on disk at once: a reader can open the file before the first message.
    QCOMPARE(readRecords(path).size(), 0);

    for (int i = 0; i < 50; ++i)
        writer.write(numberedRecord(i));
    QCOMPARE(readRecords(path).size(), 0); // buffered: write() alone does not touch the disk
    writer.flush();
    QCOMPARE(readRecords(path).size(), 50); // a second reader sees every flushed line

    for (int i = 50; i < 120; ++i)
        writer.write(numberedRecord(i));
    writer.flush();
    const QList<CaptureRecord> records = readRecords(path);
    QCOMPARE(records.size(), 120);
    for (int i = 0; i < records.size(); ++i)
        QCOMPARE(records[i], numberedRecord(i));
    QCOMPARE(writer.bytesWritten(), std::uint64_t(QFileInfo(path).size()));
}

void TestCaptureWriter::rotationNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("pattern");
    QTest::newRow("zmqcap") << u"run.zmqcap"_s << u"^run_0000[12]_\\d{8}T\\d{6}Z\\.zmqcap$"_s;
    QTest::newRow("no suffix") << u"run"_s << u"^run_0000[12]_\\d{8}T\\d{6}Z$"_s;
    QTest::newRow("two dots") << u"my.run.jsonl"_s << u"^my\\.run_0000[12]_\\d{8}T\\d{6}Z\\.jsonl$"_s;
}

void TestCaptureWriter::rotationNames()
{
    QFETCH(QString, name);
    QFETCH(QString, pattern);
    CaptureWriter writer(CaptureWriterOptions { m_dir->filePath(name), 1024, 0, {} });
    for (int i = 0; i < 100 && !writer.takeRotated(); ++i)
        writer.write(numberedRecord(i, 100));
    writer.close();
    const QStringList files = filesIn(m_dir->path());
    QCOMPARE(files.size(), 2);
    QCOMPARE(writer.paths(), files);
    QCOMPARE(writer.currentPath(), files.last());
    const QRegularExpression expression(pattern);
    for (const QString &file : files)
        QVERIFY2(expression.match(QFileInfo(file).fileName()).hasMatch(), qPrintable(file));
    QVERIFY(QFileInfo(files[0]).fileName().contains(u"_00001_"_s));
    QVERIFY(QFileInfo(files[1]).fileName().contains(u"_00002_"_s));
}

void TestCaptureWriter::rotationBySize()
{
    constexpr std::uint64_t Limit = 4096;
    constexpr int Count = 500;
    CaptureWriter writer(CaptureWriterOptions { m_dir->filePath(u"cap.zmqcap"_s), Limit, 0, {} });
    int rotations = 0;
    qsizetype longestLine = 0;
    for (int i = 0; i < Count; ++i) {
        writer.write(numberedRecord(i, 60 + i % 50));
        longestLine = qMax(longestLine, captureLine(numberedRecord(i, 60 + i % 50)).size());
        if (writer.takeRotated())
            ++rotations;
        if (i % 10 == 0)
            writer.flush();
    }
    QVERIFY(!writer.takeRotated()); // reading it resets it
    writer.close();

    const QStringList files = filesIn(m_dir->path());
    QVERIFY2(files.size() > 10, qPrintable(files.join(u' ')));
    QCOMPARE(rotations, files.size() - 1);
    QCOMPARE(writer.paths(), files);

    QList<CaptureRecord> all;
    std::uint64_t total = 0;
    for (const QString &file : files) {
        const qint64 size = QFileInfo(file).size();
        total += std::uint64_t(size);
        // Each file stops at the first line that reaches the limit: never more than one line over.
        QVERIFY2(size < qint64(Limit) + longestLine, qPrintable(file));
        if (file != files.last())
            QVERIFY2(size >= qint64(Limit), qPrintable(file));
        QVERIFY(readAll(file).startsWith("{\"zmqscope_capture\":1,"));
        QList<CaptureIssue> issues;
        const QList<CaptureRecord> records = readRecords(file, &issues);
        QVERIFY(issues.isEmpty());
        QVERIFY(!records.isEmpty());
        all += records;
    }
    QCOMPARE(total, writer.bytesWritten());
    QCOMPARE(all.size(), Count);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(all[i], numberedRecord(i, 60 + i % 50));
}

void TestCaptureWriter::rotationKeepsNewestFiles()
{
    constexpr int Keep = 3;
    constexpr int Count = 300;
    CaptureWriter writer(CaptureWriterOptions { m_dir->filePath(u"ring.zmqcap"_s), 2048, Keep, {} });
    for (int i = 0; i < Count; ++i) {
        writer.write(numberedRecord(i));
        writer.flush();
        QVERIFY(filesIn(m_dir->path()).size() <= Keep);
    }
    writer.close();

    const QStringList files = filesIn(m_dir->path());
    QCOMPARE(files.size(), Keep);
    QCOMPARE(writer.paths(), files);
    QVERIFY(!files.first().contains(u"_00001_"_s));
    // The files kept hold the newest messages, without a gap, up to the last one written.
    QList<CaptureRecord> kept;
    for (const QString &file : files)
        kept += readRecords(file);
    QVERIFY(kept.size() < Count);
    const int first = Count - int(kept.size());
    for (int i = 0; i < kept.size(); ++i)
        QCOMPARE(kept[i], numberedRecord(first + i));
}

void TestCaptureWriter::openErrors_data()
{
    QTest::addColumn<QString>("relativePath");
    QTest::addColumn<int>("rotateFiles");
    QTest::addColumn<QString>("reason");
    QTest::newRow("missing directory") << u"no/such/dir/x.zmqcap"_s << 0 << u"No such file or directory"_s;
    QTest::newRow("a directory") << u"."_s << 0 << u"it is a directory"_s;
    QTest::newRow("negative file count") << u"x.zmqcap"_s << -1 << u"the number of files to keep is -1"_s;
}

void TestCaptureWriter::openErrors()
{
    QFETCH(QString, relativePath);
    QFETCH(int, rotateFiles);
    QFETCH(QString, reason);
    const QString path = QDir::cleanPath(m_dir->filePath(relativePath));
    const auto error = errorOf([&] {
        CaptureWriter writer(CaptureWriterOptions { path, 0, rotateFiles, {} });
    });
    QVERIFY(error);
    QVERIFY2(error->message().contains(QDir::toNativeSeparators(QFileInfo(path).path())),
        qPrintable(error->message()));
    QVERIFY2(error->message().contains(reason), qPrintable(error->message()));
    QVERIFY(!error->message().contains(u'\n'));

    const auto empty = errorOf([] { CaptureWriter writer(CaptureWriterOptions {}); });
    QVERIFY(empty);
    QVERIFY2(empty->message().contains(u"no file name"_s), qPrintable(empty->message()));
}

void TestCaptureWriter::diskFullIsReported()
{
    if (!QFileInfo::exists(u"/dev/full"_s))
        QSKIP("needs /dev/full (Linux)");
    // The header is written at once, so a full disk shows when the file is opened.
    const auto error = errorOf([] {
        CaptureWriter writer(CaptureWriterOptions { u"/dev/full"_s, 0, 0, {} });
    });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::FileError);
    QVERIFY2(error->message().contains(u"\"/dev/full\""_s), qPrintable(error->message()));
    QVERIFY2(error->message().contains(u"space"_s, Qt::CaseInsensitive), qPrintable(error->message()));
}

void TestCaptureWriter::rotationIntoMissingDirectoryFails()
{
    const QString dir = m_dir->filePath(u"vanishing"_s);
    QVERIFY(QDir().mkpath(dir));
    CaptureWriter writer(CaptureWriterOptions { QDir(dir).filePath(u"r.zmqcap"_s), 1024, 0, {} });
    QVERIFY(QDir(dir).removeRecursively());
    std::optional<Error> error;
    for (int i = 0; i < 100 && !error; ++i)
        error = errorOf([&] { writer.write(numberedRecord(i, 100)); });
    QVERIFY(error);
    QCOMPARE(error->code(), ErrorCode::FileError);
    QVERIFY2(error->message().contains(QDir::toNativeSeparators(dir)), qPrintable(error->message()));
    QVERIFY2(error->message().contains(u"_00002_"_s), qPrintable(error->message()));
}

void TestCaptureWriter::writeAfterCloseFails()
{
    const QString path = m_dir->filePath(u"closed.zmqcap"_s);
    CaptureWriter writer(CaptureWriterOptions { path, 0, 0, {} });
    writer.write(numberedRecord(1));
    writer.close();
    writer.close(); // idempotent
    writer.flush(); // nothing to do
    const auto error = errorOf([&] { writer.write(numberedRecord(2)); });
    QVERIFY(error);
    QVERIFY2(error->message().contains(u"already closed"_s), qPrintable(error->message()));
    QCOMPARE(readRecords(path).size(), 1);
}

void TestCaptureWriter::deferredCreationKeepsFileUntilData()
{
    const QString path = m_dir->filePath(u"kept.zmqcap"_s);
    {
        CaptureWriter earlier(CaptureWriterOptions { path, 0, 0, {} });
        earlier.write(numberedRecord(7));
    }
    const auto contents = [&] {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    };
    const QByteArray before = contents();
    QCOMPARE(readRecords(path).size(), 1);

    CaptureWriterOptions deferred { path, 0, 0, {} };
    deferred.deferCreate = true;
    {
        // A run that failed before its first message: the earlier capture is left as it was.
        CaptureWriter failed(deferred);
        QCOMPARE(failed.currentPath(), path);
        failed.flush();
        failed.closeWithoutCreating();
        QCOMPARE(contents(), before);
    }
    {
        CaptureWriter dropped(deferred); // destroyed without close(): not created either
    }
    QCOMPARE(contents(), before);
    const QString fresh = m_dir->filePath(u"fresh.zmqcap"_s);
    {
        CaptureWriterOptions freshOptions = deferred;
        freshOptions.path = fresh;
        CaptureWriter dropped(freshOptions);
        dropped.closeWithoutCreating();
    }
    QVERIFY(!QFileInfo::exists(fresh));

    {
        // A clean end without a message: a valid header-only capture replaces the old one.
        CaptureWriter empty(deferred);
        empty.close();
    }
    QCOMPARE(readRecords(path).size(), 0);
    QVERIFY(contents() != before);

    {
        // The first message creates the file; closeWithoutCreating() then closes it like close().
        CaptureWriter written(deferred);
        written.write(numberedRecord(3));
        written.closeWithoutCreating();
    }
    const QList<CaptureRecord> records = readRecords(path);
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first(), numberedRecord(3));
}

QTEST_GUILESS_MAIN(TestCaptureWriter)
#include "tst_capturewriter.moc"
