// The Statistics dock (issue 18) through the real main window on a real store: messages appended with known
// times reach the table as counts per socket and id, the selected row's charts get their points, the dock
// counts only while it is in view, Reset and Clear Messages start over, names and ids stay plain text.

#include <memory>

#include <QAbstractItemModelTester>
#include <QBarSet>
#include <QDockWidget>
#include <QFile>
#include <QLineSeries>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/engine/engine.h>
#include <zmqscope/store/messagestore.h>

#include "capture/capturewindow.h"
#include "displaytext.h"
#include "mainwindow.h"
#include "preferences.h"
#include "statistics/statisticsmodel.h"
#include "statistics/statisticsview.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr std::int64_t Second = 1'000'000;

/// Messages per second of one key over the last seconds, ending two seconds ago (so every second is whole).
struct Burst
{
    QByteArray id; ///< empty: raw messages (one frame)
    int perSecond = 0;
    int seconds = 0;
    int bodyBytes = 0;
};

/// Appends the bursts, interleaved in time order, to socket `socket`; returns how many messages.
int appendBursts(MessageStore &store, SocketId socket, const QList<Burst> &bursts)
{
    const std::int64_t start = (MessageStore::nowUs() / Second - 2) * Second;
    int appended = 0;
    for (const Burst &burst : bursts) {
        for (int second = 0; second < burst.seconds; ++second) {
            for (int i = 0; i < burst.perSecond; ++i) {
                const std::int64_t us
                    = start - std::int64_t(burst.seconds - second) * Second + i * (Second / burst.perSecond);
                const QByteArray body(burst.bodyBytes, 'x');
                if (burst.id.isEmpty())
                    store.append(socket, Direction::In, us, Frames { body });
                else
                    store.append(socket, Direction::In, us, Frames { burst.id, "text/plain", body });
                ++appended;
            }
        }
    }
    return appended;
}

quint64 messagesAt(const StatisticsModel &model, const TrafficKey &key)
{
    const int row = model.rowOf(key);
    return row < 0
        ? 0
        : model.index(row, StatisticsModel::MessagesColumn).data(StatisticsModel::ValueRole).toULongLong();
}

qreal barsTotal(const QBarSet &bars)
{
    qreal total = 0;
    for (int i = 0; i < bars.count(); ++i)
        total += bars.at(i);
    return total;
}

} // namespace

class TestStatisticsView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void countsReachTheTable_data();
    void countsReachTheTable();
    void selectedRowIsCharted();
    void countsOnlyInView();
    void resetAndClearStartOver();
    void namesAndIdsArePlainText();
    void captureWindowCountsTheFile();

private:
    /// Brings the Statistics tab forward and waits until the view is shown.
    bool showStatistics();

    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    StatisticsView *m_view = nullptr;
};

void TestStatisticsView::initTestCase()
{
    uitest::useTestSettings(u"tst_statisticsview"_s);
}

void TestStatisticsView::init()
{
    m_store = std::make_unique<MessageStore>();
    m_engine = std::make_unique<Engine>(*m_store);
    m_window = std::make_unique<MainWindow>(*m_engine);
    m_window->setSaveSettingsOnClose(false);
    m_window->resize(1600, 1000);
    m_window->resetLayout();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_view = m_window->statisticsView();
    QVERIFY(m_view);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestStatisticsView::cleanup()
{
    m_tester.reset();
    m_window.reset();
    m_engine.reset();
    m_store.reset();
}

bool TestStatisticsView::showStatistics()
{
    QDockWidget *dock = m_window->statisticsDock();
    dock->show();
    dock->raise();
    return QTest::qWaitFor([&] { return m_view->isInView(); });
}

void TestStatisticsView::countsReachTheTable_data()
{
    QTest::addColumn<QList<Burst>>("bursts");
    QTest::addColumn<int>("rows");

    QTest::newRow("two ids") << QList<Burst> { { "a", 3, 10, 50 }, { "b", 1, 10, 500 } } << 3;
    QTest::newRow("ids and raw") << QList<Burst> { { "a", 2, 5, 10 }, { {}, 4, 5, 20 } } << 3;
    QTest::newRow("one busy id") << QList<Burst> { { "hot", 200, 4, 8 } } << 2;
}

void TestStatisticsView::countsReachTheTable()
{
    QFETCH(QList<Burst>, bursts);
    QFETCH(int, rows);

    // The dock is a tab beside the Events, shown by default.
    QVERIFY(m_window->statisticsDock()->toggleViewAction()->isChecked());
    QVERIFY(showStatistics());
    const int total = appendBursts(*m_store, 1, bursts);

    StatisticsModel *model = m_view->model();
    QTRY_COMPARE(messagesAt(*model, { 1, TrafficKey::Kind::Socket, {} }), quint64(total));
    QCOMPARE(model->rowCount(), rows);
    for (const Burst &burst : bursts) {
        const TrafficKey key = burst.id.isEmpty() ? TrafficKey { 1, TrafficKey::Kind::NoId, {} }
                                                  : TrafficKey { 1, TrafficKey::Kind::Id, burst.id };
        const int row = model->rowOf(key);
        QVERIFY(row >= 0);
        const auto value
            = [&](int column) { return model->index(row, column).data(StatisticsModel::ValueRole); };
        QCOMPARE(
            value(StatisticsModel::MessagesColumn).toULongLong(), quint64(burst.perSecond * burst.seconds));
        const int frameBytes
            = burst.id.isEmpty() ? burst.bodyBytes : int(burst.id.size()) + 10 + burst.bodyBytes;
        QCOMPARE(value(StatisticsModel::BytesColumn).toULongLong(),
            quint64(burst.perSecond * burst.seconds * frameBytes));
        QCOMPARE(value(StatisticsModel::SizeP50Column).toULongLong(), quint64(frameBytes));
        QCOMPARE(value(StatisticsModel::SizeMaxColumn).toULongLong(), quint64(frameBytes));
        // Evenly spaced within each second: the median gap is a second divided by the rate (to the bucket).
        const qint64 gap = value(StatisticsModel::IntervalP50Column).toLongLong();
        const qint64 spacing = Second / burst.perSecond;
        QVERIFY2(gap <= spacing && gap >= spacing - spacing / 8, qPrintable(QString::number(gap)));
        QCOMPARE(model->index(row, StatisticsModel::MessagesColumn).data().toString(),
            QLocale().toString(burst.perSecond * burst.seconds));
    }
    QCOMPARE(model->index(0, StatisticsModel::IdColumn).data().toString(), u"(all)"_s);
}

void TestStatisticsView::selectedRowIsCharted()
{
    QVERIFY(showStatistics());
    appendBursts(*m_store, 1, { { "a", 3, 10, 50 }, { "b", 1, 10, 500 } });
    StatisticsModel *model = m_view->model();
    const TrafficKey a { 1, TrafficKey::Kind::Id, "a" };
    QTRY_VERIFY(model->rowOf(a) >= 0);
    m_view->table()->selectRow(model->rowOf(a));
    QCOMPARE(m_view->selectedKey(), std::optional<TrafficKey>(a));

    // Every whole second of the burst shows 3 messages/s and 3 × 61 bytes/s (id, mimetype, 50-byte body);
    // the rest of the span 0.
    const auto pointsAt = [](const QLineSeries &series, qreal y) {
        int count = 0;
        for (const QPointF &point : series.points())
            count += point.y() == y ? 1 : 0;
        return count;
    };
    QTRY_COMPARE(pointsAt(*m_view->messagesSeries(), 3), 10);
    QCOMPARE(pointsAt(*m_view->bytesSeries(), 3 * 61), 10);
    QCOMPARE(pointsAt(*m_view->messagesSeries(), 0) + 10, int(m_view->messagesSeries()->count()));
    QCOMPARE(barsTotal(*m_view->sizeBars()), 30.0);
    QCOMPARE(barsTotal(*m_view->intervalBars()), 29.0);

    // The whole session: buckets of a second while it is short, the same points.
    m_view->setSpan(StatisticsView::Span::WholeSession);
    QSignalSpy refreshed(m_view, &StatisticsView::refreshed);
    QVERIFY(refreshed.wait());
    QTRY_COMPARE(pointsAt(*m_view->messagesSeries(), 3), 10);

    // Another row, other charts: "b" sends 1 message a second of 511 bytes.
    const TrafficKey b { 1, TrafficKey::Kind::Id, "b" };
    m_view->table()->selectRow(model->rowOf(b));
    QTRY_COMPARE(barsTotal(*m_view->sizeBars()), 10.0);
    QCOMPARE(pointsAt(*m_view->messagesSeries(), 1), 10);
    QCOMPARE(pointsAt(*m_view->bytesSeries(), 511), 10);
}

void TestStatisticsView::countsOnlyInView()
{
    QVERIFY(showStatistics());
    appendBursts(*m_store, 2, { { "x", 5, 2, 1 } });
    StatisticsModel *model = m_view->model();
    const TrafficKey socket { 2, TrafficKey::Kind::Socket, {} };
    QTRY_COMPARE(messagesAt(*model, socket), quint64(10));

    // Behind the Events again it counts nothing, even over several of its ticks.
    m_window->findChild<QDockWidget *>(u"eventsDock"_s)->raise();
    QTRY_VERIFY(!m_view->isInView());
    QTest::qWait(3 * StatisticsView::RefreshIntervalMs); // let any batch under way land
    appendBursts(*m_store, 2, { { "x", 5, 2, 1 } });
    QTest::qWait(3 * StatisticsView::RefreshIntervalMs);
    QCOMPARE(messagesAt(*model, socket), quint64(10));
    // In view, it catches up with what the store holds.
    QVERIFY(showStatistics());
    QTRY_COMPARE(messagesAt(*model, socket), quint64(20));
}

void TestStatisticsView::resetAndClearStartOver()
{
    QVERIFY(showStatistics());
    appendBursts(*m_store, 1, { { "a", 4, 3, 5 } });
    StatisticsModel *model = m_view->model();
    const TrafficKey socket { 1, TrafficKey::Kind::Socket, {} };
    QTRY_COMPARE(messagesAt(*model, socket), quint64(12));

    auto *reset = m_view->findChild<QPushButton *>(u"statisticsReset"_s);
    QVERIFY(reset);
    QTest::mouseClick(reset, Qt::LeftButton);
    QCOMPARE(model->rowCount(), 0);
    appendBursts(*m_store, 1, { { "a", 2, 3, 5 } });
    QTRY_COMPARE(messagesAt(*model, socket), quint64(6)); // only what came after

    // Clear Messages (without asking) drops the messages and what was counted from them.
    Preferences preferences = Preferences::load();
    preferences.confirmClear = false;
    preferences.save();
    m_window->action(MainWindow::Action::Clear)->trigger();
    QCOMPARE(m_store->size(), quint64(0));
    QCOMPARE(model->rowCount(), 0);
    appendBursts(*m_store, 3, { { "z", 1, 2, 5 } });
    QTRY_COMPARE(messagesAt(*model, { 3, TrafficKey::Kind::Socket, {} }), quint64(2));
    QCOMPARE(model->rowOf(socket), -1);
}

void TestStatisticsView::namesAndIdsArePlainText()
{
    QVERIFY(showStatistics());
    const QByteArray hostile = "<b>bold</b>\n\x1b[31m";
    appendBursts(*m_store, 4, { { hostile, 1, 2, 5 } });
    StatisticsModel *model = m_view->model();
    const TrafficKey key { 4, TrafficKey::Kind::Id, hostile };
    QTRY_VERIFY(model->rowOf(key) >= 0);
    const QString idText = model->index(model->rowOf(key), StatisticsModel::IdColumn).data().toString();
    QCOMPARE(idText, displaytext::oneLine(hostile, 80, displaytext::BinaryStyle::Compact));
    QVERIFY(!idText.contains(u'\n'));
    QVERIFY(!idText.contains(QChar(0x1b)));
    QVERIFY(!model->index(model->rowOf(key), StatisticsModel::IdColumn).data(Qt::ToolTipRole).isValid());

    m_view->setSocketNames({ { 4, u"evil\nname"_s } });
    const QString name = model->index(0, StatisticsModel::SocketColumn).data().toString();
    QCOMPARE(name, displaytext::oneLine("evil\nname", 200, displaytext::BinaryStyle::Compact));
    QVERIFY(!name.contains(u'\n'));
    m_view->table()->selectRow(model->rowOf(key));
    auto *selected = m_view->findChild<QLabel *>(u"statisticsSelected"_s);
    QVERIFY(selected);
    QCOMPARE(selected->textFormat(), Qt::PlainText);
    QCOMPARE(selected->text(), name + u" · "_s + idText);
}

void TestStatisticsView::captureWindowCountsTheFile()
{
    // A capture file (DESIGN.md section 8): 6 envelopes of "tick" a second apart on socket "feed", in 2023
    // (no rolling window is live: the charts end with the file).
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"stats.jsonl"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"zmqscope_capture": 1, "created": "2023-11-14T22:13:20Z"})"
               "\n");
    for (int i = 0; i < 6; ++i) {
        // frames: "tick", "text/plain", "hello" (19 bytes)
        file.write(QByteArray(R"({"ts": "2023-11-14T22:13:2)") + QByteArray::number(i)
            + R"(.000000Z", "socket": "feed", "type": "SUB", "endpoint": "tcp://127.0.0.1:5556", "dir": "in", )"
              R"("frames": ["dGljaw==", "dGV4dC9wbGFpbg==", "aGVsbG8="]})"
              "\n");
    }
    file.close();

    auto *window = new CaptureWindow(path, nullptr);
    QPointer<CaptureWindow> guard(window);
    QSignalSpy finished(window, &CaptureWindow::loadFinished);
    window->show();
    window->startLoading();
    QVERIFY(finished.wait(10000));
    StatisticsView *view = window->statisticsView();
    QVERIFY(view);
    QVERIFY(!view->isInView()); // hidden until asked for
    window->statisticsDock()->toggleViewAction()->trigger();
    QTRY_VERIFY(view->isInView());
    QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    StatisticsModel *model = view->model();
    QTRY_COMPARE(model->rowCount(), 2);
    QCOMPARE(model->index(0, StatisticsModel::SocketColumn).data().toString(), u"feed"_s);
    QCOMPARE(model->index(1, StatisticsModel::IdColumn).data().toString(), u"tick"_s);
    QCOMPARE(model->index(1, StatisticsModel::MessagesColumn).data(StatisticsModel::ValueRole).toULongLong(),
        quint64(6));
    QCOMPARE(model->index(1, StatisticsModel::BytesColumn).data(StatisticsModel::ValueRole).toULongLong(),
        quint64(6 * 19));
    QCOMPARE(
        model->index(1, StatisticsModel::IntervalP99Column).data(StatisticsModel::ValueRole).toLongLong(),
        qint64(Second));
    // Five seconds from the first message to the last: 6 / 5 per second.
    QCOMPARE(model->index(1, StatisticsModel::AverageMessagesPerSecondColumn)
                 .data(StatisticsModel::ValueRole)
                 .toDouble(),
        1.2);
    // The whole file in the chart: one message in each of its six seconds.
    view->setSpan(StatisticsView::Span::WholeSession);
    view->table()->selectRow(1);
    QTRY_COMPARE(view->messagesSeries()->count(), 6);
    for (const QPointF &point : view->messagesSeries()->points())
        QCOMPARE(point.y(), 1.0);
    window->close();
    QTRY_VERIFY(guard.isNull()); // deletes itself on close, waiting for the statistics' worker
}

QTEST_MAIN(TestStatisticsView)
#include "tst_statisticsview.moc"
