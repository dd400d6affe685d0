// SocketListModel over a real Engine with real sockets.

#include <memory>
#include <utility>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <zmqscope/engine/engine.h>
#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>

#include "socketlistmodel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestSocketListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void openedSocketsAppearWithTheirColumns();
    void countersAndStateFollowTraffic();
    void closedSocketStaysListed();
    void failedSocketShowsItsError();
    void removedSocketStaysRemoved();
    void endpointsText_data();
    void endpointsText();
    void boundSocketListensAfterItsPeerLeft();
    void retryingSaysWhy();
    void tapStateText_data();
    void tapStateText();

private:
    QString cell(int row, int column) const { return m_model->index(row, column).data().toString(); }
    bool waitForState(SocketId id, SocketState state);
    /// A bound PULL ("sink") and a PUSH ("source") connected to it, both up; {0, 0} when not.
    std::pair<SocketId, SocketId> openConnectedPair();

    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<SocketListModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestSocketListModel::init()
{
    m_store = std::make_unique<MessageStore>();
    m_engine = std::make_unique<Engine>(*m_store);
    m_model = std::make_unique<SocketListModel>(*m_engine);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestSocketListModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_engine.reset();
    m_store.reset();
}

bool TestSocketListModel::waitForState(SocketId id, SocketState state)
{
    return QTest::qWaitFor(
        [&] {
            m_model->refresh();
            const int row = m_model->rowForSocket(id);
            return row >= 0 && m_model->socketAt(row).state == state;
        },
        10000);
}

void TestSocketListModel::openedSocketsAppearWithTheirColumns()
{
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(m_model.get(), &SocketListModel::socketsChanged);
    SocketSpec pub;
    pub.name = u"Telemetry PUB"_s;
    pub.type = SocketType::Pub;
    pub.binds = { u"tcp://127.0.0.1:*"_s };
    const SocketId pubId = m_engine->openSocket(pub);
    SocketSpec pull;
    pull.type = SocketType::Pull;
    pull.binds = { u"inproc://tst-socketlistmodel"_s };
    const SocketId pullId = m_engine->openSocket(pull);

    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(inserted.size(), 1); // both in one batch
    QVERIFY(!changed.isEmpty());
    QVERIFY(waitForState(pubId, SocketState::Listening));
    QVERIFY(waitForState(pullId, SocketState::Listening));

    const int row = m_model->rowForSocket(pubId);
    QCOMPARE(cell(row, SocketListModel::NameColumn), u"Telemetry PUB"_s);
    QCOMPARE(cell(row, SocketListModel::TypeColumn), u"PUB"_s);
    QCOMPARE(cell(row, SocketListModel::StateColumn), u"Listening"_s);
    // The resolved port, not the "*" that was asked for.
    const QString endpoints = cell(row, SocketListModel::EndpointsColumn);
    QVERIFY2(QRegularExpression(u"^@tcp://127\\.0\\.0\\.1:\\d+$"_s).match(endpoints).hasMatch(),
        qPrintable(endpoints));
    QCOMPARE(cell(row, SocketListModel::InColumn), u"0"_s);
    QCOMPARE(m_model->index(row, 0).data(SocketListModel::SocketIdRole).toUInt(), uint(pubId));
    QCOMPARE(
        m_model->socketNames().value(pullId), m_model->socketAt(m_model->rowForSocket(pullId)).spec.name);
    QVERIFY(!m_model->socketNames().value(pullId).isEmpty());
}

std::pair<SocketId, SocketId> TestSocketListModel::openConnectedPair()
{
    SocketSpec pull;
    pull.name = u"sink"_s;
    pull.type = SocketType::Pull;
    pull.binds = { u"tcp://127.0.0.1:*"_s };
    const SocketId pullId = m_engine->openSocket(pull);
    if (!waitForState(pullId, SocketState::Listening))
        return {};
    const QString endpoint = m_model->socketAt(m_model->rowForSocket(pullId)).boundEndpoints.value(0);
    if (endpoint.isEmpty())
        return {};

    SocketSpec push;
    push.name = u"source"_s;
    push.type = SocketType::Push;
    push.connects = { endpoint };
    const SocketId pushId = m_engine->openSocket(push);
    if (!waitForState(pushId, SocketState::Connected) || !waitForState(pullId, SocketState::Connected))
        return {};
    return { pullId, pushId };
}

void TestSocketListModel::countersAndStateFollowTraffic()
{
    // Not a structured binding: the lambda below uses pullId, and clang 14 (clang-tidy) cannot capture one.
    const std::pair<SocketId, SocketId> ids = openConnectedPair();
    const SocketId pullId = ids.first;
    const SocketId pushId = ids.second;
    QVERIFY(pullId != 0);

    for (int i = 0; i < 5; ++i)
        m_engine->send(pushId, Envelope::create("text/plain", "hello").transferObject());
    QVERIFY(QTest::qWaitFor(
        [&] {
            m_model->refresh();
            return cell(m_model->rowForSocket(pullId), SocketListModel::InColumn) == u"5"_s;
        },
        10000));
    QCOMPARE(cell(m_model->rowForSocket(pushId), SocketListModel::OutColumn), u"5"_s);
    // The rate column shows messages per second, or "-" when idle.
    QVERIFY(!cell(m_model->rowForSocket(pullId), SocketListModel::RateColumn).isEmpty());
}

void TestSocketListModel::closedSocketStaysListed()
{
    SocketSpec sub;
    sub.name = u"watcher"_s;
    sub.type = SocketType::Sub;
    sub.connects = { u"tcp://127.0.0.1:1"_s }; // nobody there: it keeps retrying
    const SocketId id = m_engine->openSocket(sub);
    m_model->refresh();
    QSignalSpy changed(m_model.get(), &SocketListModel::socketsChanged);
    m_engine->closeSocket(id);
    QVERIFY(waitForState(id, SocketState::Closed));
    QVERIFY(!changed.isEmpty());
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(cell(0, SocketListModel::StateColumn), u"Closed"_s);
    // Later refreshes keep it closed.
    m_engine->sync();
    m_model->refresh();
    QCOMPARE(m_model->socketAt(0).state, SocketState::Closed);
}

void TestSocketListModel::failedSocketShowsItsError()
{
    SocketSpec first;
    first.type = SocketType::Pull;
    first.binds = { u"tcp://127.0.0.1:*"_s };
    const SocketId firstId = m_engine->openSocket(first);
    QVERIFY(waitForState(firstId, SocketState::Listening));
    const QString endpoint = m_model->socketAt(m_model->rowForSocket(firstId)).boundEndpoints.value(0);

    SocketSpec second;
    second.name = u"clash"_s;
    second.type = SocketType::Pull;
    second.binds = { endpoint };
    const SocketId secondId = m_engine->openSocket(second);
    QVERIFY(waitForState(secondId, SocketState::Failed));
    const QModelIndex state = m_model->index(m_model->rowForSocket(secondId), SocketListModel::StateColumn);
    QCOMPARE(state.data().toString(), u"Failed"_s);
    const QString tip = state.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(endpoint), qPrintable(tip));
}

void TestSocketListModel::removedSocketStaysRemoved()
{
    SocketSpec pull;
    pull.type = SocketType::Pull;
    pull.binds = { u"inproc://tst-removed"_s };
    const SocketId id = m_engine->openSocket(pull);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 1);
    m_engine->closeSocket(id);
    QVERIFY(waitForState(id, SocketState::Closed));
    m_model->removeSocket(id);
    QCOMPARE(m_model->rowCount(), 0);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 0);
}

void TestSocketListModel::boundSocketListensAfterItsPeerLeft()
{
    const auto [pullId, pushId] = openConnectedPair();
    QVERIFY(pullId != 0);
    SocketSpec other;
    other.type = SocketType::Pull;
    other.binds = { u"inproc://tst-listening"_s };
    const SocketId otherId = m_engine->openSocket(other);
    QVERIFY(waitForState(otherId, SocketState::Listening));
    const QVariant listeningColor
        = m_model->index(m_model->rowForSocket(otherId), SocketListModel::StateColumn)
              .data(Qt::ForegroundRole);

    // The peer leaves: the monitor says "disconnected", but the socket still listens for the next one.
    m_engine->closeSocket(pushId);
    QVERIFY(waitForState(pullId, SocketState::Disconnected));
    const QModelIndex state = m_model->index(m_model->rowForSocket(pullId), SocketListModel::StateColumn);
    QCOMPARE(state.data().toString(), u"Listening"_s);
    QCOMPARE(state.data(Qt::ForegroundRole), listeningColor);
}

void TestSocketListModel::retryingSaysWhy()
{
    SocketSpec sub;
    sub.name = u"watcher"_s;
    sub.type = SocketType::Sub;
    sub.connects = { u"tcp://127.0.0.1:1"_s }; // nobody there: it keeps retrying
    const SocketId id = m_engine->openSocket(sub);
    QVERIFY(waitForState(id, SocketState::Retrying));
    const QModelIndex state = m_model->index(m_model->rowForSocket(id), SocketListModel::StateColumn);
    QCOMPARE(state.data().toString(), u"Retrying"_s);
    QTRY_VERIFY2(state.data(Qt::ToolTipRole).toString().contains(u"could not connect to tcp://127.0.0.1:1"_s),
        qPrintable(state.data(Qt::ToolTipRole).toString()));
}

void TestSocketListModel::endpointsText_data()
{
    QTest::addColumn<QStringList>("binds");
    QTest::addColumn<QStringList>("resolved");
    QTest::addColumn<QStringList>("connects");
    QTest::addColumn<QString>("expected");

    QTest::newRow("bind, resolved") << QStringList { u"tcp://127.0.0.1:*"_s }
                                    << QStringList { u"tcp://127.0.0.1:5"_s } << QStringList {}
                                    << u"@tcp://127.0.0.1:5"_s;
    QTest::newRow("bind, not yet resolved") << QStringList { u"tcp://127.0.0.1:*"_s } << QStringList {}
                                            << QStringList {} << u"@tcp://127.0.0.1:*"_s;
    QTest::newRow("connects") << QStringList {} << QStringList {}
                              << QStringList { u"tcp://a:1"_s, u"ipc:///tmp/b"_s }
                              << u">tcp://a:1, >ipc:///tmp/b"_s;
    QTest::newRow("both") << QStringList { u"inproc://x"_s } << QStringList { u"inproc://x"_s }
                          << QStringList { u"tcp://a:1"_s } << u"@inproc://x, >tcp://a:1"_s;
}

void TestSocketListModel::endpointsText()
{
    QFETCH(QStringList, binds);
    QFETCH(QStringList, resolved);
    QFETCH(QStringList, connects);
    QFETCH(QString, expected);
    SocketInfo info;
    info.spec.binds = binds;
    info.spec.connects = connects;
    info.boundEndpoints = resolved;
    QCOMPARE(SocketListModel::endpointsText(info), expected);
}

void TestSocketListModel::tapStateText_data()
{
    QTest::addColumn<int>("state"); // the server side's, as the engine publishes a tap's row
    QTest::addColumn<int>("clients");
    QTest::addColumn<bool>("c2sHeld");
    QTest::addColumn<bool>("s2cHeld");
    QTest::addColumn<QString>("expected");
    const int connected = int(SocketState::Connected);
    QTest::newRow("forwarding") << connected << 2 << false << false
                                << u"clients: 2 connected \u00b7 server: Connected"_s;
    QTest::newRow("server down, clients wait")
        << int(SocketState::Retrying) << 1 << true << false
        << u"clients: 1 connected \u00b7 server: Retrying \u00b7 c2s waits"_s;
    QTest::newRow("no client for a reply")
        << connected << 0 << false << true
        << u"clients: 0 connected \u00b7 server: Connected \u00b7 s2c waits"_s;
    QTest::newRow("closed") << int(SocketState::Closed) << 2 << true << false << u"Closed"_s;
}

void TestSocketListModel::tapStateText()
{
    QFETCH(int, state);
    QFETCH(int, clients);
    QFETCH(bool, c2sHeld);
    QFETCH(bool, s2cHeld);
    QFETCH(QString, expected);
    SocketInfo info;
    info.state = SocketState(state);
    info.tap = TapInfo {};
    info.tap->state.clients = clients;
    info.tap->clientToServerHeld = c2sHeld;
    info.tap->serverToClientHeld = s2cHeld;
    QCOMPARE(SocketListModel::tapStateText(info), expected);
    QCOMPARE(SocketListModel::shownState(info), info.state); // a tap's server side never "Listening"
}

QTEST_MAIN(TestSocketListModel)
#include "tst_socketlistmodel.moc"
