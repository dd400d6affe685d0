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
    void tapRoundTrip();
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

void TestWorkspace::tapRoundTrip()
{
    zmqscope::TapSpec orders;
    orders.pattern = zmqscope::TapPattern::DealerRouter;
    orders.name = u"orders tap ⚙"_s;
    orders.listen = { u"tcp://127.0.0.1:*"_s, u"ipc:///tmp/zmqscope-orders"_s };
    orders.forward = { u"tcp://orders.internal:5555"_s };
    orders.listenOptions = { { "rcvhwm", 5000 }, { "router_mandatory", true } };
    orders.forwardOptions = { { "routing_id", QByteArray("t\x01", 2) }, { "reconnect_ivl", 250 } };
    zmqscope::TapSpec feed;
    feed.pattern = zmqscope::TapPattern::SubPub;
    feed.name = u"feed"_s;
    feed.listen = { u"tcp://*:6000"_s };
    feed.forward = { u"tcp://127.0.0.1:6001"_s };

    SocketSpec sub;
    sub.name = u"Telemetry"_s;
    sub.type = SocketType::Sub;
    sub.connects = { u"tcp://127.0.0.1:5556"_s };

    const QString path = m_dir.filePath(u"taps.zmqscope"_s);
    const zmqscope::Result<void> written = Workspace({ sub }, { orders, feed }).save(path);
    QVERIFY2(written, qPrintable(written.errorMessage()));

    // The documented keys.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonObject first = root.value(u"taps"_s).toArray().at(0).toObject();
    QCOMPARE(first.value(u"pattern"_s).toString(), u"dealer-router"_s);
    QCOMPARE(first.value(u"name"_s).toString(), orders.name);
    QCOMPARE(first.value(u"listen"_s).toArray().size(), 2);
    QCOMPARE(first.value(u"forward"_s).toArray().at(0).toString(), orders.forward.at(0));
    QCOMPARE(first.value(u"listen_options"_s).toArray().size(), 2);
    QCOMPARE(first.value(u"forward_options"_s).toArray().size(), 2);

    const auto loaded = Workspace::load(path);
    QVERIFY2(loaded, qPrintable(loaded.errorMessage()));
    QCOMPARE(loaded->sockets().size(), 1);
    QCOMPARE(loaded->taps().size(), 2);
    for (qsizetype i = 0; i < 2; ++i) {
        const zmqscope::TapSpec &want = i == 0 ? orders : feed;
        const zmqscope::TapSpec &got = loaded->taps().at(i);
        QCOMPARE(got.pattern, want.pattern);
        QCOMPARE(got.name, want.name);
        QCOMPARE(got.listen, want.listen);
        QCOMPARE(got.forward, want.forward);
        QCOMPARE(got.listenOptions, want.listenOptions);
        QCOMPARE(got.forwardOptions, want.forwardOptions);
    }

    // A workspace without taps has no "taps" key, as files written before taps existed.
    const QByteArray plain = Workspace({ sub }).toJson();
    QVERIFY(!QJsonDocument::fromJson(plain).object().contains(u"taps"_s));
    const auto reread = Workspace::fromJson(plain, u"plain"_s);
    QVERIFY2(reread, qPrintable(reread.errorMessage()));
    QVERIFY(reread->taps().isEmpty());
    QVERIFY(reread->sniffers().isEmpty());

    // Sniffers (issue 15) under their own key, back as they were.
    const zmqscope::SniffSpec wire { u"wire"_s, u"eth0"_s, { 5555, 5556 } };
    const QByteArray sniffing = Workspace({ sub }, {}, { wire }).toJson();
    const QJsonObject sniffRoot = QJsonDocument::fromJson(sniffing).object();
    QCOMPARE(sniffRoot.value(u"sniffers"_s).toArray().at(0).toObject().value(u"interface"_s).toString(),
        u"eth0"_s);
    const auto sniffBack = Workspace::fromJson(sniffing, u"sniffing"_s);
    QVERIFY2(sniffBack, qPrintable(sniffBack.errorMessage()));
    QCOMPARE(sniffBack->sniffers(), QList<zmqscope::SniffSpec> { wire });
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

    // Taps: the entry is named by index and name, the bad field by its key.
    const auto withTap = [&good](const QByteArray &tap) {
        return QByteArray(
            R"({"zmqscope_workspace": 1, "sockets": [)" + good + R"(], "taps": [)" + tap + "]}");
    };
    const QByteArray tapFields = R"("listen": ["tcp://127.0.0.1:*"], "forward": ["tcp://127.0.0.1:2"])";
    QTest::newRow("taps not an array")
        << QByteArray(R"({"zmqscope_workspace": 1, "sockets": [], "taps": 3})")
        << QStringList { u"\"taps\" should be an array of taps"_s } << ErrorCode::InvalidBody;
    QTest::newRow("tap entry not an object")
        << withTap("7") << QStringList { u"tap entry at index 0 is a number"_s } << ErrorCode::InvalidBody;
    QTest::newRow("tap unknown pattern")
        << withTap(R"({"name": "T", "pattern": "req-pub", )" + tapFields + "}")
        << QStringList { u"tap entry at index 0 (\"T\")"_s, u"\"pattern\""_s, u"req-pub"_s, u"req-rep"_s }
        << ErrorCode::UnknownSocketType;
    QTest::newRow("tap without pattern")
        << withTap(R"({"name": "T", )" + tapFields + "}")
        << QStringList { u"tap entry at index 0 (\"T\")"_s, u"\"pattern\" is missing"_s }
        << ErrorCode::UnknownSocketType;
    QTest::newRow("tap without forward")
        << withTap(R"({"name": "T", "pattern": "req-rep", "listen": ["tcp://127.0.0.1:*"], "forward": []})")
        << QStringList { u"tap entry at index 0 (\"T\")"_s, u"no forward endpoint"_s }
        << ErrorCode::InvalidEndpoint;
    QTest::newRow("tap bad listen endpoint")
        << withTap(R"({"name": "T", "pattern": "push-pull", "listen": ["tcp://127.0.0.1"],)"
                   R"( "forward": ["tcp://127.0.0.1:2"]})")
        << QStringList { u"tap entry at index 0 (\"T\")"_s, u"tcp://127.0.0.1"_s }
        << ErrorCode::InvalidEndpoint;
    QTest::newRow("tap wildcard forward")
        << withTap(R"({"name": "T", "pattern": "req-rep", "listen": ["tcp://127.0.0.1:*"],)"
                   R"( "forward": ["tcp://127.0.0.1:*"]})")
        << QStringList { u"tap entry at index 0 (\"T\")"_s, u"connect endpoint \"tcp://127.0.0.1:*\""_s }
        << ErrorCode::InvalidEndpoint;
    QTest::newRow("tap unknown option")
        << withTap(R"({"name": "T", "pattern": "req-rep", )" + tapFields
               + R"(, "forward_options": [{"name": "lingr", "value": 1}]})")
        << QStringList { u"tap entry at index 0 (\"T\")"_s, u"\"forward_options\""_s, u"\"lingr\""_s }
        << ErrorCode::UnknownOption;
    QTest::newRow("tap named like a socket")
        << withTap(R"({"name": "A", "pattern": "req-rep", )" + tapFields + "}")
        << QStringList { u"tap entry at index 0 (\"A\")"_s, u"names must be unique over sockets and taps"_s }
        << ErrorCode::InvalidBody;
    const auto withSniffer = [&](const QByteArray &sniffer) -> QByteArray {
        return R"({"zmqscope_workspace": 1, "sockets": [)" + good + R"(], "sniffers": [)" + sniffer + "]}";
    };
    QTest::newRow("sniffers not an array")
        << QByteArray(R"({"zmqscope_workspace": 1, "sockets": [], "sniffers": {}})")
        << QStringList { u"\"sniffers\" should be an array of sniffers"_s } << ErrorCode::InvalidBody;
    QTest::newRow("sniffer without interface")
        << withSniffer(R"({"name": "S", "ports": []})")
        << QStringList { u"sniffer entry at index 0"_s, u"needs an interface"_s }
        << ErrorCode::InvalidEndpoint;
    QTest::newRow("sniffer bad port") << withSniffer(R"({"name": "S", "interface": "lo", "ports": [0]})")
                                      << QStringList { u"sniffer entry at index 0"_s, u"invalid port 0"_s }
                                      << ErrorCode::InvalidOptionValue;
    QTest::newRow("sniffer named like a socket")
        << withSniffer(R"({"name": "A", "interface": "lo"})")
        << QStringList { u"sniffer entry at index 0"_s,
               u"names must be unique over sockets, taps and sniffers"_s }
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
