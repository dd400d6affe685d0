#include <memory>
#include <optional>

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capturereader.h>
#include <zmqscope/socket.h>

#include "../interop/testprocess.h"
#include "capturetestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace capturetest;

namespace {

std::unique_ptr<TestProcess> runCli(const QStringList &arguments)
{
    auto process = std::make_unique<TestProcess>();
    if (process->start(QStringLiteral(ZMQSCOPE_CLI_PATH), arguments))
        (void)process->waitForFinished();
    return process;
}

Frames numbered(int number)
{
    return { "m" + QByteArray::number(number), "application/octet-stream",
        QByteArray("\0\xff\n", 3) + QByteArray(80, char('a' + number % 26)) };
}

QList<CaptureRecord> readCapture(const QStringList &paths, QJsonObject *header = nullptr)
{
    QList<CaptureRecord> records;
    for (const QString &path : paths) {
        CaptureReader reader(path);
        if (header)
            *header = reader.header();
        CaptureRecord record;
        while (reader.next(record))
            records.append(record);
    }
    return records;
}

} // namespace

/// `zmqscope-cli listen --write` with the core CaptureWriter: plain and rotating files, and the
/// usage errors of the rotation options. The peer is a PUSH socket in this process.
class TestListenWrite : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void writesCapture();
    void rotatesAndKeepsNewestFiles();
    void usageErrors_data();
    void usageErrors();

private:
    /// Runs `listen -t pull` connected to a PUSH here that sends `count` numbered messages.
    std::unique_ptr<TestProcess> listen(int count, const QStringList &writeArguments);
    std::optional<QTemporaryDir> m_dir;
};

void TestListenWrite::init()
{
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
}

std::unique_ptr<TestProcess> TestListenWrite::listen(int count, const QStringList &writeArguments)
{
    Socket push = Socket::create(SocketType::Push);
    push.setOption("linger", 2000);
    push.setOption("sndtimeo", 10000); // blocks until the CLI has connected, bounded
    push.bind(u"tcp://127.0.0.1:*"_s);
    auto cli = std::make_unique<TestProcess>();
    if (!cli->start(QStringLiteral(ZMQSCOPE_CLI_PATH),
            QStringList { u"listen"_s, u"-t"_s, u"pull"_s, u"--connect"_s, push.lastEndpoint(), u"--count"_s,
                QString::number(count), u"--name"_s, u"recorder"_s, u"--format"_s, u"jsonl"_s }
                + writeArguments))
        return cli;
    for (int i = 0; i < count; ++i)
        push.sendFrames(numbered(i));
    (void)cli->waitForFinished();
    return cli;
}

void TestListenWrite::writesCapture()
{
    const QString path = m_dir->filePath(u"listen.zmqcap"_s);
    const auto cli = listen(50, { u"--write"_s, path });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    QJsonObject header;
    const QList<CaptureRecord> records = readCapture({ path }, &header);
    QVERIFY2(header.value(u"writer"_s).toString().startsWith(u"zmqscope-cli "_s),
        qPrintable(header.value(u"writer"_s).toString()));
    QCOMPARE(records.size(), 50);
    for (int i = 0; i < 50; ++i) {
        QCOMPARE(records[i].frames, numbered(i));
        QCOMPARE(records[i].socket, u"recorder"_s);
        QCOMPARE(records[i].type, u"PULL"_s);
        QCOMPARE(records[i].direction, Direction::In);
    }
    // The file's message lines are exactly what --format jsonl printed.
    QCOMPARE(readAll(path).sliced(readAll(path).indexOf('\n') + 1), cli->out());
}

void TestListenWrite::rotatesAndKeepsNewestFiles()
{
    constexpr int Count = 200;
    const auto cli = listen(Count,
        { u"--write"_s, m_dir->filePath(u"ring.zmqcap"_s), u"--rotate-size"_s, u"2k"_s, u"--rotate-files"_s,
            u"3"_s });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    const QStringList names = QDir(m_dir->path()).entryList(QDir::Files, QDir::Name);
    QCOMPARE(names.size(), 3);
    const QRegularExpression pattern(u"^ring_\\d{5}_\\d{8}T\\d{6}Z\\.zmqcap$"_s);
    QStringList paths;
    for (const QString &name : names) {
        QVERIFY2(pattern.match(name).hasMatch(), qPrintable(name));
        QVERIFY(QFileInfo(m_dir->filePath(name)).size() < 2048 + 1024);
        paths.append(m_dir->filePath(name));
    }
    QVERIFY(!names.first().startsWith(u"ring_00001_"_s));
    // The newest messages, without a gap, up to the last one.
    const QList<CaptureRecord> records = readCapture(paths);
    QVERIFY(records.size() > 3 && records.size() < Count);
    const int first = Count - int(records.size());
    for (int i = 0; i < records.size(); ++i)
        QCOMPARE(records[i].frames, numbered(first + i));
}

void TestListenWrite::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("status"); // 2 for a bad command line; 1 when the system refuses the file
    const QString file = u"<dir>/x.zmqcap"_s;
    QTest::newRow("size not a size") << QStringList { u"--write"_s, file, u"--rotate-size"_s, u"lots"_s }
                                     << u"bad --rotate-size value \"lots\""_s << 2;
    QTest::newRow("size too small") << QStringList { u"--write"_s, file, u"--rotate-size"_s, u"100"_s }
                                    << u"bad --rotate-size value \"100\": expected a size of at least 1K"_s
                                    << 2;
    QTest::newRow("negative size") << QStringList { u"--write"_s, file, u"--rotate-size"_s, u"-5M"_s }
                                   << u"bad --rotate-size value \"-5M\""_s << 2;
    QTest::newRow("zero files") << QStringList { u"--write"_s, file, u"--rotate-size"_s, u"1M"_s,
        u"--rotate-files"_s, u"0"_s }
                                << u"bad --rotate-files value \"0\""_s << 2;
    QTest::newRow("files without size") << QStringList { u"--write"_s, file, u"--rotate-files"_s, u"3"_s }
                                        << u"--rotate-files needs --rotate-size"_s << 2;
    QTest::newRow("rotation without write") << QStringList { u"--rotate-size"_s, u"1M"_s }
                                            << u"--rotate-size and --rotate-files need --write FILE"_s << 2;
    QTest::newRow("missing directory") << QStringList { u"--write"_s, u"<dir>/no/such/x.zmqcap"_s }
                                       << u"no/such/x.zmqcap\": No such file or directory"_s << 1;
}

void TestListenWrite::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QFETCH(int, status);
    for (QString &argument : arguments)
        argument.replace(u"<dir>"_s, m_dir->path());
    const auto cli = runCli(
        QStringList { u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, u"tcp://127.0.0.1:*"_s } + arguments);
    QVERIFY2(cli->exitedWith(status), cli->diagnostics());
    const QString error = QString::fromUtf8(cli->err()).trimmed();
    QVERIFY2(error.contains(message), qPrintable(error));
    QCOMPARE(error.count(u'\n'), 0);
    QVERIFY(QDir(m_dir->path()).entryList(QDir::Files).isEmpty());
}

QTEST_GUILESS_MAIN(TestListenWrite)
#include "tst_listenwrite.moc"
