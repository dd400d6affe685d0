#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "compose/workspace.h"

Q_DECLARE_METATYPE(zmqscope::ErrorCode)

using namespace Qt::StringLiterals;
using zmqscope::ErrorCode;
using zmqscope::SocketSpec;
using zmqscope::SocketType;

class TestWorkspace : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void roundTrip();
    void emptyWorkspace();
    void saveReplacesAtomically();
    void loadErrors_data();
    void loadErrors();
    void missingFile();
    void deviceIsBounded();
    void saveError();

private:
    QString writeFile(const QString &name, const QByteArray &bytes);
    QTemporaryDir m_dir;
};

void TestWorkspace::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QString TestWorkspace::writeFile(const QString &name, const QByteArray &bytes)
{
    QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        return QString();
    return path;
}

void TestWorkspace::roundTrip()
{
    SocketSpec sub;
    sub.name = u"Telemetry"_s;
    sub.type = SocketType::Sub;
    sub.connects = { u"tcp://127.0.0.1:5556"_s, u"ipc:///tmp/zmqscope-test"_s };
    sub.subscriptions = { QByteArray("temp."), QByteArray("\x00\xff", 2) };
    sub.options = { { "rcvhwm", 5000 }, { "linger", 0 } };

    SocketSpec router;
    router.name = u"Router ⚙"_s;
    router.type = SocketType::Router;
    router.binds = { u"tcp://127.0.0.1:*"_s };
    router.options = { { "router_mandatory", false }, { "routing_id", QByteArray("r\x01", 2) },
        { "maxmsgsize", std::int64_t { 1 } << 33 } };

    const Workspace saved({ sub, router });
    const QString path = m_dir.filePath(u"roundtrip.zmqscope.json"_s);
    const zmqscope::Result<void> written = saved.save(path);
    QVERIFY2(written, qPrintable(written.errorMessage()));

    // The file is the documented format.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(root.value(u"zmqscope_workspace"_s).toInt(), 1);
    QCOMPARE(root.value(u"sockets"_s).toArray().size(), 2);

    const auto loaded = Workspace::load(path);
    QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
    QCOMPARE(loaded->sockets().size(), 2);
    for (int i = 0; i < 2; ++i) {
        const SocketSpec &expected = saved.sockets().at(i);
        const SocketSpec &actual = loaded->sockets().at(i);
        QCOMPARE(actual.name, expected.name);
        QCOMPARE(actual.type, expected.type);
        QCOMPARE(actual.binds, expected.binds);
        QCOMPARE(actual.connects, expected.connects);
        QCOMPARE(actual.subscriptions, expected.subscriptions);
        QVERIFY(actual.options == expected.options);
    }
}

void TestWorkspace::emptyWorkspace()
{
    const QString path = m_dir.filePath(u"empty.json"_s);
    const zmqscope::Result<void> written = Workspace().save(path);
    QVERIFY2(written, qPrintable(written.errorMessage()));
    const auto loaded = Workspace::load(path);
    QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
    QVERIFY(loaded->sockets().isEmpty());
}

void TestWorkspace::saveReplacesAtomically()
{
    const QString path = writeFile(u"replace.json"_s, "old contents");
    QVERIFY(!path.isEmpty());
    SocketSpec pub;
    pub.name = u"PUB 1"_s;
    pub.type = SocketType::Pub;
    pub.binds = { u"tcp://*:*"_s };
    const zmqscope::Result<void> written = Workspace({ pub }).save(path);
    QVERIFY2(written, qPrintable(written.errorMessage()));
    const auto loaded = Workspace::load(path);
    QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
    QCOMPARE(loaded->sockets().size(), 1);
    QCOMPARE(loaded->sockets().constFirst().binds, QStringList { u"tcp://*:*"_s });
}

void TestWorkspace::loadErrors_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QStringList>("expected"); // parts of the one-line message
    QTest::addColumn<zmqscope::ErrorCode>("code");

    const QByteArray good = R"({"name": "A", "type": "SUB", "connects": ["tcp://127.0.0.1:1"]})";
    QTest::newRow("not JSON") << QByteArray("{\n  \"zmqscope_workspace\": 1,\n  \"sockets\": [}\n")
                              << QStringList { u"is not JSON"_s, u"line 3, column"_s }
                              << ErrorCode::InvalidBody;
    QTest::newRow("empty file") << QByteArray(" \n") << QStringList { u"is empty"_s }
                                << ErrorCode::InvalidBody;
    QTest::newRow("array at top") << QByteArray("[]") << QStringList { u"not a ZmqScope workspace"_s }
                                  << ErrorCode::InvalidBody;
    QTest::newRow("no version") << QByteArray(R"({"sockets": []})")
                                << QStringList { u"no \"zmqscope_workspace\" key"_s }
                                << ErrorCode::InvalidBody;
    QTest::newRow("wrong version") << QByteArray(R"({"zmqscope_workspace": 2, "sockets": []})")
                                   << QStringList { u"has version 2"_s, u"reads version 1"_s }
                                   << ErrorCode::InvalidBody;
    QTest::newRow("version is text") << QByteArray(R"({"zmqscope_workspace": "1", "sockets": []})")
                                     << QStringList { u"has version \"1\" (a string)"_s }
                                     << ErrorCode::InvalidBody;
    QTest::newRow("no sockets") << QByteArray(R"({"zmqscope_workspace": 1})")
                                << QStringList { u"\"sockets\" should be an array"_s, u"missing"_s }
                                << ErrorCode::InvalidBody;
    QTest::newRow("entry not an object")
        << QByteArray(R"({"zmqscope_workspace": 1, "sockets": [)" + good + R"(, 7]})")
        << QStringList { u"socket entry at index 1 is a number"_s } << ErrorCode::InvalidBody;
    QTest::newRow("unknown type") << QByteArray(R"({"zmqscope_workspace": 1, "sockets": [)" + good
        + R"(, {"name": "B", "type": "FOO", "binds": ["tcp://*:1"]}]})")
                                  << QStringList { u"socket entry at index 1"_s, u"\"FOO\""_s }
                                  << ErrorCode::UnknownSocketType;
    QTest::newRow("unknown option") << QByteArray(
        R"({"zmqscope_workspace": 1, "sockets": [{"name": "B", "type": "SUB",)"
        R"( "connects": ["tcp://127.0.0.1:1"], "options": [{"name": "lingr", "value": 1}]}]})")
                                    << QStringList { u"socket entry at index 0"_s, u"\"lingr\""_s }
                                    << ErrorCode::UnknownOption;
    QTest::newRow("bad endpoint") << QByteArray(
        R"({"zmqscope_workspace": 1, "sockets": [{"name": "B", "type": "SUB",)"
        R"( "connects": ["tcp://127.0.0.1"]}]})")
                                  << QStringList { u"socket entry at index 0"_s, u"tcp://127.0.0.1"_s }
                                  << ErrorCode::InvalidEndpoint;
    QTest::newRow("duplicate names") << QByteArray(R"({"zmqscope_workspace": 1, "sockets": [)" + good + ", "
        + good + "]}") << QStringList { u"socket entry at index 1 is named \"A\""_s, u"index 0"_s }
                                     << ErrorCode::InvalidBody;
}

void TestWorkspace::loadErrors()
{
    QFETCH(QByteArray, contents);
    QFETCH(QStringList, expected);
    QFETCH(zmqscope::ErrorCode, code);
    const QString path = writeFile(u"bad.json"_s, contents);
    QVERIFY(!path.isEmpty());
    const auto loaded = Workspace::load(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().code(), code);
    const QString error = loaded.errorMessage();
    QVERIFY2(error.contains(path), qPrintable(error));
    for (const QString &part : std::as_const(expected))
        QVERIFY2(error.contains(part), qPrintable(error));
    QVERIFY2(!error.contains(u'\n'), qPrintable(error));
}

void TestWorkspace::missingFile()
{
    const QString path = m_dir.filePath(u"does-not-exist.json"_s);
    const auto loaded = Workspace::load(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().code(), zmqscope::ErrorCode::FileError);
    const QString error = loaded.errorMessage();
    QVERIFY2(error.startsWith(u"Cannot open workspace \"%1\""_s.arg(path)), qPrintable(error));
}

void TestWorkspace::deviceIsBounded()
{
    // /dev/zero says its size is 0 and never ends: only a bounded read keeps it from eating memory.
    if (!QFile::exists(u"/dev/zero"_s))
        QSKIP("no /dev/zero here");
    const auto loaded = Workspace::load(u"/dev/zero"_s);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().code(), zmqscope::ErrorCode::FileError);
    QCOMPARE(loaded.errorMessage(),
        u"Workspace not loaded: \"/dev/zero\" holds more than 64 MiB, too much to read"_s);
}

void TestWorkspace::saveError()
{
    const QString path = m_dir.filePath(u"no-such-folder/workspace.json"_s);
    const zmqscope::Result<void> written = Workspace().save(path);
    QVERIFY(!written);
    QCOMPARE(written.error().code(), zmqscope::ErrorCode::FileError);
    const QString error = written.errorMessage();
    QVERIFY2(error.startsWith(u"Cannot save workspace \"%1\""_s.arg(path)), qPrintable(error));
    QVERIFY(!QFile::exists(path));
}

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
