#include <optional>

#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capturereader.h>
#include <zmqscope/capture/capturewriter.h>

#include "capturetestsupport.h"

#if defined(__SANITIZE_ADDRESS__)
#define CAPTURETEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAPTURETEST_ASAN 1
#endif
#endif

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace capturetest;

namespace {

struct ReadResult
{
    QList<CaptureRecord> records;
    QList<CaptureIssue> issues;
};

ReadResult readFile(const QString &path)
{
    CaptureReader reader(path);
    ReadResult result;
    CaptureRecord record;
    while (reader.next(record))
        result.records.append(record);
    result.issues = reader.issues();
    return result;
}

QByteArray lines(int first, int count)
{
    QByteArray bytes;
    for (int i = first; i < first + count; ++i)
        bytes += captureLine(numberedRecord(i));
    return bytes;
}

// Resident memory of this process in bytes (Linux), or -1.
qint64 residentBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    if (fields.size() < 2)
        return -1;
    return fields[1].toLongLong() * 4096;
}

} // namespace

class TestCaptureReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cutFile_data();
    void cutFile();
    void malformedLines_data();
    void malformedLines();
    void severalBadLinesKeepTheirNumbers();
    void crlfAndBlankLines();
    void concatenatedCaptures();
    void openErrors_data();
    void openErrors();
    void headerOnly();
    void streamsLargeFile();
    void skippedFramesLeaveTheOtherFields();

private:
    QString write(const QString &name, const QByteArray &bytes);
    std::optional<QTemporaryDir> m_dir;
};

void TestCaptureReader::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
}

QString TestCaptureReader::write(const QString &name, const QByteArray &bytes)
{
    QString path = m_dir->filePath(name);
    if (!writeFile(path, bytes))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestCaptureReader::cutFile_data()
{
    QTest::addColumn<int>("keep"); // bytes of the last line kept; negative counts from its end
    QTest::addColumn<int>("expectedMessages");
    QTest::addColumn<int>("expectedIssues");
    QTest::newRow("one byte") << 1 << 99 << 1;
    QTest::newRow("in the frames") << 60 << 99 << 1;
    QTest::newRow("all but the closing brace") << -2 << 99 << 1;
    // Cut right before its newline the line is still complete JSON: nothing is lost.
    QTest::newRow("all but the newline") << -1 << 100 << 0;
    QTest::newRow("on a line boundary") << 0 << 99 << 0;
}

void TestCaptureReader::cutFile()
{
    QFETCH(int, keep);
    QFETCH(int, expectedMessages);
    QFETCH(int, expectedIssues);
    const QByteArray complete = headerLine() + lines(0, 99);
    const QByteArray last = captureLine(numberedRecord(99));
    const QString path = write(u"cut.zmqcap"_s, complete + last.left(keep >= 0 ? keep : last.size() + keep));

    const ReadResult result = readFile(path);
    QCOMPARE(result.records.size(), expectedMessages);
    for (int i = 0; i < result.records.size(); ++i)
        QCOMPARE(result.records[i], numberedRecord(i));
    QCOMPARE(result.issues.size(), expectedIssues);
    if (expectedIssues == 1) {
        QCOMPARE(result.issues[0].line, 101); // header + 99 complete lines before it
        QVERIFY2(result.issues[0].message.startsWith(u"line 101: the last line is incomplete"_s),
            qPrintable(result.issues[0].message));
    }
}

void TestCaptureReader::malformedLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QString>("reason");
    QTest::newRow("not JSON") << QByteArray("hello world") << u"not valid JSON"_s;
    QTest::newRow("cut JSON") << QByteArray("{\"ts\":\"2026-") << u"not valid JSON"_s;
    QTest::newRow("array") << QByteArray("[1,2,3]") << u"not a JSON object"_s;
    QTest::newRow("no frames") << QByteArray(R"({"ts":"2026-11-26T00:00:00.000000Z","dir":"in"})")
                               << u"\"frames\" that is missing"_s;
    QTest::newRow("bad base64") << QByteArray(
        R"({"ts":"2026-11-26T00:00:00.000000Z","dir":"in","frames":["@@@@"]})")
                                << u"frame 1 of 1 is not valid base64"_s;
    QTest::newRow("bad dir") << QByteArray(R"({"ts":"2026-11-26T00:00:00.000000Z","dir":"up","frames":[]})")
                             << u"invalid \"dir\""_s;
    QTest::newRow("bad ts") << QByteArray(R"({"ts":"yesterday","dir":"in","frames":[]})")
                            << u"invalid \"ts\""_s;
    QTest::newRow("binary") << QByteArray("\x00\x01\xff\xfe", 4) << u"not valid JSON"_s;
    QTest::newRow("header of another version")
        << QByteArray(R"({"zmqscope_capture":7})") << u"unsupported capture version 7"_s;
}

void TestCaptureReader::malformedLines()
{
    QFETCH(QByteArray, line);
    QFETCH(QString, reason);
    const QString path = write(u"bad.zmqcap"_s, headerLine() + lines(0, 1) + line + '\n' + lines(1, 2));
    const ReadResult result = readFile(path);
    QCOMPARE(result.records.size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(result.records[i], numberedRecord(i));
    QCOMPARE(result.issues.size(), 1);
    QCOMPARE(result.issues[0].line, 3);
    QVERIFY2(result.issues[0].message.startsWith(u"line 3: "_s), qPrintable(result.issues[0].message));
    QVERIFY2(result.issues[0].message.contains(reason), qPrintable(result.issues[0].message));
    QVERIFY(!result.issues[0].message.contains(u'\n'));
}

void TestCaptureReader::severalBadLinesKeepTheirNumbers()
{
    QByteArray bytes = headerLine();
    QList<qint64> badLines;
    for (int i = 0; i < 20; ++i) {
        bytes += captureLine(numberedRecord(i));
        if (i % 6 == 5) {
            bytes += "{broken\n";
            badLines.append(bytes.count('\n'));
        }
    }
    const ReadResult result = readFile(write(u"several.zmqcap"_s, bytes));
    QCOMPARE(result.records.size(), 20);
    QCOMPARE(result.issues.size(), badLines.size());
    for (qsizetype i = 0; i < badLines.size(); ++i)
        QCOMPARE(result.issues[i].line, badLines[i]);
}

void TestCaptureReader::crlfAndBlankLines()
{
    QByteArray bytes = headerLine();
    bytes.insert(bytes.size() - 1, '\r');
    for (int i = 0; i < 5; ++i) {
        QByteArray line = captureLine(numberedRecord(i));
        line.insert(line.size() - 1, '\r'); // edited on Windows
        bytes += line + "\n  \n";
    }
    const ReadResult result = readFile(write(u"crlf.zmqcap"_s, "\xEF\xBB\xBF" + bytes));
    QCOMPARE(result.records.size(), 5);
    QVERIFY(result.issues.isEmpty());
}

void TestCaptureReader::concatenatedCaptures()
{
    // `cat part1 part2 > all`: the second header is not an error.
    const ReadResult result
        = readFile(write(u"cat.zmqcap"_s, headerLine() + lines(0, 3) + headerLine() + lines(3, 3)));
    QCOMPARE(result.records.size(), 6);
    for (int i = 0; i < 6; ++i)
        QCOMPARE(result.records[i], numberedRecord(i));
    QVERIFY(result.issues.isEmpty());
}

void TestCaptureReader::openErrors_data()
{
    QTest::addColumn<QByteArray>("content"); // "<missing>" = no file, "<dir>" = a directory
    QTest::addColumn<QString>("reason");
    QTest::newRow("missing") << QByteArray("<missing>") << u"No such file or directory"_s;
    QTest::newRow("directory") << QByteArray("<dir>") << u"it is a directory"_s;
    QTest::newRow("empty") << QByteArray() << u"the file is empty"_s;
    QTest::newRow("text") << QByteArray("hello world\nsecond line\n") << u"not a ZmqScope capture"_s;
    QTest::newRow("png") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << u"not a ZmqScope capture"_s;
    QTest::newRow("other JSON") << QByteArray("{\"name\": \"package\"}\n")
                                << u"no \"zmqscope_capture\" key"_s;
    QTest::newRow("message line first") << captureLine(numberedRecord(1)) << u"no \"zmqscope_capture\" key"_s;
    QTest::newRow("future version") << QByteArray(
        "{\"zmqscope_capture\": 2, \"created\": \"2030-01-01T00:00:00Z\"}\n")
                                    << u"unsupported capture version 2; this build reads version 1"_s;
    QTest::newRow("version as text") << QByteArray("{\"zmqscope_capture\": \"1\"}\n")
                                     << u"expected the integer 1"_s;
    QTest::newRow("bad created") << QByteArray("{\"zmqscope_capture\": 1, \"created\": \"today\"}\n")
                                 << u"invalid \"created\""_s;
    QTest::newRow("huge first line") << QByteArray(3 << 20, '{') << u"line 1 is longer than"_s;
}

void TestCaptureReader::openErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, reason);
    QString path = m_dir->filePath(u"input.zmqcap"_s);
    if (content == "<dir>")
        QVERIFY(QDir(m_dir->path()).mkdir(u"input.zmqcap"_s));
    else if (content != "<missing>")
        write(u"input.zmqcap"_s, content);
    try {
        CaptureReader reader(path);
        QFAIL("the reader opened it");
    } catch (const Error &error) {
        QCOMPARE(error.code(), ErrorCode::FileError);
        QVERIFY2(error.message().startsWith(
                     u"cannot read capture file \"%1\": "_s.arg(QDir::toNativeSeparators(path))),
            qPrintable(error.message()));
        QVERIFY2(error.message().contains(reason), qPrintable(error.message()));
        QVERIFY(!error.message().contains(u'\n'));
        QVERIFY(error.message().size() < 300); // binary content is not echoed
    }
}

void TestCaptureReader::headerOnly()
{
    CaptureReader reader(write(u"header.zmqcap"_s, headerLine()));
    QCOMPARE(reader.header().value(u"zmqscope_capture"_s).toInt(), 1);
    CaptureRecord record;
    QVERIFY(!reader.next(record));
    QVERIFY(!reader.next(record));
    QVERIFY(reader.issues().isEmpty());
    QCOMPARE(reader.position(), reader.size());
    QCOMPARE(reader.lineNumber(), 1);
}

void TestCaptureReader::streamsLargeFile()
{
    // ~24 MiB: 3000 messages of 8 KiB random bytes (11 KiB of base64 per line).
    const QString path = m_dir->filePath(u"large.zmqcap"_s);
    QList<qint64> lineEnds;
    {
        CaptureWriter writer(CaptureWriterOptions { path, 0, 0, {} });
        QRandomGenerator random(7);
        lineEnds.append(qint64(writer.bytesWritten()));
        for (int i = 0; i < 3000; ++i) {
            CaptureRecord record = numberedRecord(i);
            QByteArray bytes(8192, Qt::Uninitialized);
            random.fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
            record.frames = { bytes };
            writer.write(record);
            lineEnds.append(qint64(writer.bytesWritten()));
        }
        writer.close();
    }

    const qint64 residentBefore = residentBytes();
    CaptureReader reader(path);
    QVERIFY(reader.size() > 20 << 20);
    QCOMPARE(reader.size(), lineEnds.last());
    // Consumed bytes grow line by line, exactly: the reader hands out lines as it goes.
    QCOMPARE(reader.position(), lineEnds[0]);
    CaptureRecord record;
    for (int i = 0; i < 3000; ++i) {
        QVERIFY(reader.next(record));
        QCOMPARE(reader.position(), lineEnds[i + 1]);
        QCOMPARE(reader.lineNumber(), i + 2);
        QCOMPARE(record.frames.size(), 1);
    }
    QVERIFY(!reader.next(record));
    QCOMPARE(reader.position(), reader.size());
    QVERIFY(reader.issues().isEmpty());
#ifndef CAPTURETEST_ASAN
    // Reading all of it must not have loaded it (ASan's quarantine keeps freed memory, so not there).
    const qint64 residentAfter = residentBytes();
    if (residentBefore > 0 && residentAfter > 0)
        QVERIFY2(residentAfter - residentBefore < reader.size() / 2,
            qPrintable(u"resident memory grew by %1 bytes reading a %2-byte file"_s
                           .arg(residentAfter - residentBefore)
                           .arg(reader.size())));
#else
    Q_UNUSED(residentBefore);
#endif
}

void TestCaptureReader::skippedFramesLeaveTheOtherFields()
{
    // The replay's counting pass reads socket and direction only: without frame decoding no frame is
    // decoded, every other field is as a full read gives it.
    const QString path = m_dir->filePath(u"skip.zmqcap"_s);
    {
        CaptureWriter writer(CaptureWriterOptions { path, 0, 0, {} });
        for (int i = 0; i < 5; ++i) {
            CaptureRecord record = numberedRecord(i, 100000);
            record.direction = i % 2 == 0 ? Direction::In : Direction::Out;
            writer.write(record);
        }
        writer.close();
    }
    CaptureReader full(path);
    CaptureReader skipping(path);
    skipping.setDecodeFrames(false);
    CaptureRecord decoded;
    CaptureRecord counted;
    for (int i = 0; i < 5; ++i) {
        QVERIFY(full.next(decoded));
        QVERIFY(skipping.next(counted));
        QCOMPARE(decoded.frames.size(), 3);
        QVERIFY(counted.frames.isEmpty());
        QCOMPARE(counted.timestampUs, decoded.timestampUs);
        QCOMPARE(counted.socket, decoded.socket);
        QCOMPARE(counted.type, decoded.type);
        QCOMPARE(counted.endpoint, decoded.endpoint);
        QCOMPARE(counted.direction, decoded.direction);
    }
    QVERIFY(!full.next(decoded));
    QVERIFY(!skipping.next(counted));
    QVERIFY(skipping.issues().isEmpty());
}

QTEST_GUILESS_MAIN(TestCaptureReader)
#include "tst_capturereader.moc"
