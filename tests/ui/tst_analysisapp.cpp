// Conversations and Health through the real window (issue 18): a REQ and a REP socket of the app talk
// over inproc; the Conversations dock pairs each request with its reply on both sockets, turns an
// unanswered request into a timed-out one, selects a pair's two messages; the Health dock checks a
// sequence field with a gap, names the missing number's socket and says what is likely.
#include <numeric>

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

#include <zmqscope/engine/engine.h>
#include <zmqscope/envelope.h>

#include "analysis/analysiscontroller.h"
#include "analysis/analysisdocks.h"
#include "analysis/conversationmodel.h"
#include "analysis/conversationsview.h"
#include "analysis/healthmodel.h"
#include "analysis/healthview.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestAnalysisApp : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { uitest::useTestSettings(u"tst_analysisapp"_s); }
    void init()
    {
        createWindow();
        QVERIFY(showWindow(WaitFor::Exposed));
    }
    void cleanup() { destroyWindow(); }

    void conversationsPairAndTimeOut();
    void healthFindsTheGap();

private:
    /// Opens a REP and a REQ socket of the app on one inproc endpoint; their ids.
    std::pair<SocketId, SocketId> openPair(const QString &endpoint);
    /// The REQ sends {"seq": n} as request id "req-n"; the REP answers unless told not to.
    bool exchange(SocketId req, SocketId rep, int n, bool answer);
};

std::pair<SocketId, SocketId> TestAnalysisApp::openPair(const QString &endpoint)
{
    SocketSpec rep;
    rep.name = u"server"_s;
    rep.type = SocketType::Rep;
    rep.binds = { endpoint };
    SocketSpec req;
    req.name = u"client"_s;
    req.type = SocketType::Req;
    req.connects = { endpoint };
    const SocketId repId = m_window->openSocket(rep);
    if (endpoint.startsWith(u"tcp://"_s)) {
        // The client connects to the port the server was given.
        QString bound;
        (void)QTest::qWaitFor(
            [&] {
                for (const SocketInfo &info : m_engine->sockets()) {
                    if (info.id == repId && !info.boundEndpoints.isEmpty())
                        bound = info.boundEndpoints.constFirst();
                }
                return !bound.isEmpty();
            },
            uitest::NetworkTimeoutMs);
        req.connects = { bound }; // empty when the server failed to bind: the test then fails on it
    }
    const SocketId reqId = m_window->openSocket(req);
    return { reqId, repId };
}

bool TestAnalysisApp::exchange(SocketId req, SocketId rep, int n, bool answer)
{
    const QByteArray id = "req-" + QByteArray::number(n);
    const std::uint64_t before = m_store->endSeq();
    m_engine->send(req,
        Envelope::create("application/json", "{\"seq\": " + QByteArray::number(n) + "}", id)
            .transferObject());
    // The REP has the request: then it may answer.
    if (!QTest::qWaitFor([&] { return m_store->endSeq() >= before + 2; }, uitest::NetworkTimeoutMs))
        return false;
    if (!answer)
        return true;
    QTest::qWait(3); // a latency above the clock's resolution
    m_engine->send(rep,
        Envelope::create("application/json", "{\"seq\": " + QByteArray::number(n) + "}", id)
            .transferObject());
    return QTest::qWaitFor([&] { return m_store->endSeq() >= before + 4; }, uitest::NetworkTimeoutMs);
}

void TestAnalysisApp::conversationsPairAndTimeOut()
{
    AnalysisDocks *analysis = m_window->analysisDocks();
    QVERIFY(analysis);
    ConversationModel *model = analysis->conversationModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ConversationsView *view = analysis->conversationsView();
    analysis->conversationsDock()->show();
    analysis->conversationsDock()->raise();
    view->timeoutBox()->setValue(200);

    const auto [req, rep] = openPair(u"inproc://tst-analysisapp-conversations"_s);
    for (int n = 1; n <= 3; ++n)
        QVERIFY(exchange(req, rep, n, true));
    QVERIFY(exchange(req, rep, 4, false));

    // Each request is a row twice: sent by the client, received by the server; the last unanswered.
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 8, uitest::NetworkTimeoutMs);
    int answered = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        const RequestPair &pair = model->pairAt(row);
        const QString socket = model->index(row, ConversationModel::SocketColumn).data().toString();
        QVERIFY(socket == u"client"_s || socket == u"server"_s);
        QCOMPARE(
            model->index(row, ConversationModel::IdColumn).data().toString().startsWith(u"req-"_s), true);
        if (pair.answered) {
            ++answered;
            QVERIFY(pair.reply > pair.request);
            QVERIFY(pair.latencyUs() > 0);
            QCOMPARE(model->index(row, ConversationModel::StateColumn).data().toString(), u"answered"_s);
            // The reply is the message the store holds after the request on that socket's side.
            StoredMessage reply;
            QVERIFY(m_store->message(pair.reply, reply));
            QCOMPARE(reply.socket, pair.socket);
            QCOMPARE(reply.frames.value(reply.frames.size() - 3), pair.id);
        } else {
            QCOMPARE(pair.id, QByteArray("req-4"));
        }
    }
    QCOMPARE(answered, 6);
    // The unanswered requests time out with the clock (200 ms) and the figures say so.
    QTRY_COMPARE_WITH_TIMEOUT(model->figures(0).timedOut, std::uint64_t(2), 5000);
    QTRY_VERIFY(view->figuresLabel()->text().startsWith(u"8 requests: 6 answered, 0 pending, 2 timed out"_s));
    // The histogram holds every answered request once.
    const auto histogramTotal = [view] {
        const QList<qreal> counts = view->histogramCounts();
        return std::accumulate(counts.cbegin(), counts.cend(), 0.0);
    };
    QTRY_COMPARE(histogramTotal(), 6.0);
    // One socket at a time.
    const int client = view->socketChooser()->findText(u"client"_s);
    QVERIFY(client > 0);
    view->socketChooser()->setCurrentIndex(client);
    QTRY_VERIFY(view->figuresLabel()->text().startsWith(u"4 requests: 3 answered"_s));

    // Choosing a row selects its request and its reply in the Messages table.
    int row = 0;
    while (!model->pairAt(row).answered)
        ++row;
    view->table()->setCurrentIndex(model->index(row, 0));
    const std::vector<std::uint64_t> selected = m_window->messagesPane()->selectedSeqs();
    QVERIFY2(std::find(selected.begin(), selected.end(), model->pairAt(row).request) != selected.end(),
        "the request is selected");
    QVERIFY2(std::find(selected.begin(), selected.end(), model->pairAt(row).reply) != selected.end(),
        "the reply is selected");
}

void TestAnalysisApp::healthFindsTheGap()
{
    AnalysisDocks *analysis = m_window->analysisDocks();
    HealthModel *model = analysis->healthModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    HealthView *view = analysis->healthView();
    analysis->healthDock()->show();
    analysis->healthDock()->raise();

    // Over tcp, so the server has connection events for its timeline.
    const auto [req, rep] = openPair(u"tcp://127.0.0.1:*"_s);
    for (const int n : { 1, 2, 4, 5 })
        QVERIFY(exchange(req, rep, n, true));

    // A bad field is said inline and changes nothing.
    view->fieldEdit()->setText(u"a..b"_s);
    view->checkButton()->click();
    QVERIFY(view->fieldProblem()->isVisible());
    QVERIFY2(view->fieldProblem()->text().contains(u"column 3"_s), qPrintable(view->fieldProblem()->text()));

    // Each request has an id of its own ("req-N"): the numbers count per socket.
    view->fieldEdit()->setText(u"seq"_s);
    view->streamsChooser()->setCurrentIndex(view->streamsChooser()->findText(u"per socket"_s));
    view->checkButton()->click();
    QVERIFY(!view->fieldProblem()->isVisible());
    QTRY_COMPARE(model->rowCount(), 2);
    const int server = model->rowOf(rep);
    QVERIFY(server >= 0);
    // Each direction of each socket is a stream: the server's requests (in) miss 3, and so do its replies.
    QTRY_COMPARE_WITH_TIMEOUT(
        model->index(server, HealthModel::MissingColumn).data().toString(), u"2"_s, 5000);
    QCOMPARE(model->index(server, HealthModel::MessagesColumn).data().toString(), u"8"_s);
    QCOMPARE(model->index(server, HealthModel::DuplicatesColumn).data().toString(), u"0"_s);
    view->table()->setCurrentIndex(model->index(server, 0));
    QTRY_VERIFY2(view->hintsLabel()->text().contains(u"2 sequence numbers are missing"_s),
        qPrintable(view->hintsLabel()->text()));
    // The server's connection events are its timeline, in order, with their times.
    QTRY_VERIFY(view->timeline()->count() > 0);
    const std::deque<HealthModel::Event> &events = model->events(rep);
    QCOMPARE(view->timeline()->count(), int(events.size()));
    for (int i = 0; i < view->timeline()->count(); ++i)
        QVERIFY(view->timeline()->item(i)->text().endsWith(u"  "_s + events.at(std::size_t(i)).text));
    QVERIFY(std::any_of(events.cbegin(), events.cend(),
        [](const HealthModel::Event &event) { return event.kind == HealthModel::Event::Kind::Connected; }));
}

QTEST_MAIN(TestAnalysisApp)
#include "tst_analysisapp.moc"
