// readAllBounded() (core/capture/src/fileio.cpp), the one bounded read of a whole file that the
// composer, the template library and `send --file` share: the limit holds for ordinary files, pipes
// and devices alike (their size() is 0), and each failure is a FileError naming the file and why.

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/fileio.h>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

// Bytes that differ from their neighbours, so a read that skips or repeats a chunk shows.
QByteArray pattern(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char((i * 131 + i / 251) & 0xff);
    return bytes;
}

const QString Shown = u"test file \"x\""_s;

} // namespace

class TestFileIo : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ordinaryFile_data();
    void ordinaryFile();
    void readsWhatIsLeft();
    void pipe();
    void device();
    void readError();
    void sizeLimitText_data();
    void sizeLimitText();

private:
    QTemporaryDir m_dir;
};

void TestFileIo::ordinaryFile_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<bool>("fits");
    constexpr qsizetype MiB = qsizetype { 1 } << 20;
    QTest::newRow("empty, limit 0") << qsizetype(0) << qint64(0) << true;
    QTest::newRow("1 byte, limit 0") << qsizetype(1) << qint64(0) << false;
    QTest::newRow("under the limit") << qsizetype(10) << qint64(11) << true;
    QTest::newRow("exactly the limit") << qsizetype(10) << qint64(10) << true;
    QTest::newRow("1 byte over") << qsizetype(11) << qint64(10) << false;
    // Past the 1 MiB chunk the read goes in: the chunks join without a gap.
    QTest::newRow("3 MiB + 5, exactly") << 3 * MiB + 5 << qint64(3 * MiB + 5) << true;
    QTest::newRow("3 MiB + 5, 1 over") << 3 * MiB + 5 << qint64(3 * MiB + 4) << false;
    QTest::newRow("2 MiB, 1 over") << 2 * MiB << qint64(2 * MiB - 1) << false;
}

void TestFileIo::ordinaryFile()
{
    QFETCH(qsizetype, size);
    QFETCH(qint64, limit);
    QFETCH(bool, fits);
    QVERIFY(m_dir.isValid());
    const QByteArray content = pattern(size);
    QFile file(m_dir.filePath(u"ordinary.bin"_s));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(content), size);
    file.close();
    QVERIFY(file.open(QIODevice::ReadOnly));

    const Result<QByteArray> read = readAllBounded(file, limit, Shown);
    if (fits) {
        QVERIFY2(read.ok(), qPrintable(read.errorMessage()));
        QCOMPARE(read->size(), size);
        QVERIFY(*read == content);
    } else {
        QVERIFY(!read.ok());
        QCOMPARE(read.error().code(), ErrorCode::FileError);
        QCOMPARE(read.errorMessage(),
            u"%1 holds more than %2, too much to read"_s.arg(Shown, zmqscope::sizeLimitText(limit)));
    }
}

void TestFileIo::readsWhatIsLeft()
{
    QVERIFY(m_dir.isValid());
    const QByteArray content = pattern(100);
    QFile file(m_dir.filePath(u"left.bin"_s));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(content), content.size());
    file.close();
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.seek(40));
    // 60 bytes are left: the limit applies to them, not to the whole file.
    const Result<QByteArray> read = readAllBounded(file, 60, Shown);
    QVERIFY2(read.ok(), qPrintable(read.errorMessage()));
    QVERIFY(*read == content.sliced(40));
    QVERIFY(file.seek(39));
    QVERIFY(!readAllBounded(file, 60, Shown).ok());
}

void TestFileIo::pipe()
{
#ifdef Q_OS_UNIX
    const QByteArray content = pattern(1000);
    for (const qint64 limit : { qint64(1000), qint64(999) }) {
        int ends[2];
        QCOMPARE(::pipe(ends), 0);
        // The whole content fits into the pipe's buffer, so it is written before the read starts.
        QCOMPARE(::write(ends[1], content.constData(), size_t(content.size())), ssize_t(content.size()));
        QCOMPARE(::close(ends[1]), 0);
        QFile file;
        QVERIFY(file.open(ends[0], QIODevice::ReadOnly, QFileDevice::AutoCloseHandle));
        // Why a bound on size() would not do: a pipe's size is 0, whatever it holds.
        QCOMPARE(file.size(), 0);
        const Result<QByteArray> read = readAllBounded(file, limit, Shown);
        if (limit >= content.size()) {
            QVERIFY2(read.ok(), qPrintable(read.errorMessage()));
            QVERIFY(*read == content);
        } else {
            QVERIFY(!read.ok());
            QCOMPARE(read.error().code(), ErrorCode::FileError);
            QCOMPARE(read.errorMessage(), u"%1 holds more than 999 bytes, too much to read"_s.arg(Shown));
        }
    }
#else
    QSKIP("POSIX pipes only");
#endif
}

void TestFileIo::device()
{
    // /dev/zero never ends and says its size is 0: the bound alone ends the read.
    QFile file(u"/dev/zero"_s);
    if (!file.open(QIODevice::ReadOnly))
        QSKIP("no /dev/zero here");
    QCOMPARE(file.size(), 0);
    const qint64 limit = (qint64 { 1 } << 20) + 17;
    const Result<QByteArray> read = readAllBounded(file, limit, u"\"/dev/zero\""_s);
    QVERIFY(!read.ok());
    QCOMPARE(read.error().code(), ErrorCode::FileError);
    QCOMPARE(read.errorMessage(), u"\"/dev/zero\" holds more than 1048593 bytes, too much to read"_s);
}

void TestFileIo::readError()
{
#ifdef Q_OS_UNIX
    // A descriptor opened for writing only, handed to QFile as readable: read() fails with EBADF, a
    // real read error from the system rather than one made up by the test.
    QVERIFY(m_dir.isValid());
    const QByteArray path = QFile::encodeName(m_dir.filePath(u"writeonly.bin"_s));
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    QVERIFY(fd >= 0);
    QCOMPARE(::write(fd, "abc", 3), ssize_t(3));
    QCOMPARE(::lseek(fd, 0, SEEK_SET), off_t(0));
    QFile file;
    QVERIFY(file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle));
    const Result<QByteArray> read = readAllBounded(file, 100, Shown);
    QVERIFY(!read.ok());
    QCOMPARE(read.error().code(), ErrorCode::FileError);
    QCOMPARE(file.error(), QFileDevice::ReadError);
    QVERIFY(!file.errorString().isEmpty());
    QCOMPARE(read.errorMessage(), u"cannot read %1: %2"_s.arg(Shown, file.errorString()));
    QVERIFY(!read.errorMessage().contains(u'\n'));
#else
    QSKIP("POSIX descriptors only");
#endif
}

void TestFileIo::sizeLimitText_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::newRow("1") << qint64(1) << u"1 byte"_s;
    QTest::newRow("100") << qint64(100) << u"100 bytes"_s;
    QTest::newRow("1536") << qint64(1536) << u"1536 bytes"_s;
    QTest::newRow("64 KiB") << qint64(64 * 1024) << u"64 KiB"_s;
    QTest::newRow("256 MiB") << (qint64 { 256 } << 20) << u"256 MiB"_s;
    QTest::newRow("3 GiB + 1 MiB") << (qint64 { 3073 } << 20) << u"3073 MiB"_s;
    QTest::newRow("2 GiB") << (qint64 { 2 } << 30) << u"2 GiB"_s;
}

void TestFileIo::sizeLimitText()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(zmqscope::sizeLimitText(bytes), text);
}

QTEST_GUILESS_MAIN(TestFileIo)
#include "tst_fileio.moc"
