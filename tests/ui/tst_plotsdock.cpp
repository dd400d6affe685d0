// The Plots dock through the real window (issue 18, point 4): "Plot This Field" on a number of the
// JSON tree (not on a string) adds a series per id to a plot; new messages add points; Pause freezes
// the drawn series while the points go on being counted; the x axis switches to a time field of the
// JSON and back to the receive time; the wheel zooms and Reset Zoom follows the data again.

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QMenu>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QValueAxis>
#include <QWheelEvent>

#include "detail/jsonpage.h"
#include "detail/jsontreemodel.h"
#include "detail/messagedetailview.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "plots/plotspanel.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestPlotsDock : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void plotThisField();

private:
    /// Appends a JSON message of `id` with v and ts; returns its receive time in ms (the plot's x).
    double append(const QByteArray &id, int v);
    /// Opens the JSON tree's context menu on the top-level key and returns whether Plot This Field was
    /// enabled there (and, when it was, triggers it).
    bool plotFromMenu(const QString &key);
    [[nodiscard]] QList<QPointF> drawn(int series) const;
    /// The series list's Points of the id row `row` of the first field.
    [[nodiscard]] QString listedPoints(int row) const;

    std::int64_t m_nextUs = 0;
    int m_ts = 5000;
};

void TestPlotsDock::initTestCase()
{
    uitest::useTestSettings(u"tst_plotsdock"_s);
}

void TestPlotsDock::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
    m_nextUs = MessageStore::nowUs();
}

void TestPlotsDock::cleanup()
{
    destroyWindow();
}

double TestPlotsDock::append(const QByteArray &id, int v)
{
    m_nextUs += 1000;
    m_ts += 10;
    m_store->append(1, Direction::In, m_nextUs,
        { id, "application/json",
            R"({"name": "x", "ts": )" + QByteArray::number(m_ts) + R"(, "v": )" + QByteArray::number(v)
                + "}" });
    return double(m_nextUs) / 1000.0;
}

bool TestPlotsDock::plotFromMenu(const QString &key)
{
    auto *page = qobject_cast<JsonPage *>(m_window->detailView()->page(MessageDetailView::JsonTab));
    auto *tree = page->findChild<QTreeView *>(u"jsonTree"_s);
    auto *model = qobject_cast<JsonTreeModel *>(tree->model());
    QModelIndex index;
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, JsonTreeModel::KeyColumn).data().toString() == key)
            index = model->index(row, JsonTreeModel::ValueColumn);
    if (!index.isValid())
        return false;
    bool enabled = false;
    bool shown = false;
    // The menu is modal: the action is looked at (and triggered) from inside its event loop.
    QTimer::singleShot(0, this, [&] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        shown = true;
        for (QAction *action : menu->actions()) {
            if (action->objectName() == u"plotFieldAction"_s) {
                enabled = action->isEnabled();
                if (enabled)
                    action->trigger();
            }
        }
        menu->close();
    });
    Q_EMIT tree->customContextMenuRequested(tree->visualRect(index).center());
    return shown && enabled;
}

QList<QPointF> TestPlotsDock::drawn(int series) const
{
    const QList<QAbstractSeries *> all = m_window->plotsPanel()->chart(0)->series();
    if (series >= all.size())
        return {};
    return qobject_cast<QLineSeries *>(all.at(series))->points();
}

QString TestPlotsDock::listedPoints(int row) const
{
    auto *list = m_window->plotsPanel()->findChild<QTreeWidget *>(u"seriesList"_s);
    if (!list || list->topLevelItemCount() == 0 || list->topLevelItem(0)->childCount() <= row)
        return {};
    return list->topLevelItem(0)->child(row)->text(PlotsPanel::PointsColumn);
}

void TestPlotsDock::plotThisField()
{
    PlotsPanel *panel = m_window->plotsPanel();
    QVERIFY(panel);
    QVERIFY(m_window->plotsDock()->isHidden());
    QList<double> a { append("sensor-a", 1), append("sensor-a", 2) };
    QList<double> b { append("sensor-b", 10) };
    a.append(append("sensor-a", 3));
    b.append(append("sensor-b", 20));
    m_window->refreshViews();
    QTRY_COMPARE(m_window->messagesPane()->model()->rowCount(), 5);

    QTableView *table = m_window->messagesPane()->table();
    table->setCurrentIndex(table->model()->index(0, MessageTableModel::IdColumn));
    QTRY_COMPARE(m_window->detailView()->currentTab(), MessageDetailView::JsonTab);
    auto *page = m_window->detailView()->page(MessageDetailView::JsonTab);
    page->findChild<QToolButton *>(u"jsonTreeButton"_s)->click();
    QAbstractItemModelTester tester(page->findChild<QTreeView *>(u"jsonTree"_s)->model());

    // A string does not plot; the number does, and the dock shows.
    QVERIFY(!plotFromMenu(u"name"_s));
    QCOMPARE(panel->plotCount(), 0);
    QVERIFY(plotFromMenu(u"v"_s));
    QCOMPARE(panel->plotCount(), 1);
    QTRY_VERIFY(m_window->plotsDock()->isVisible());
    QVERIFY(!panel->chart(0)->legend()->isVisible()); // ids are named in the plain-text series list

    // One series per id, the receive time as x, every point (few: none cut).
    const auto points = [](const QList<double> &xs, const QList<double> &ys) {
        QList<QPointF> list;
        for (qsizetype i = 0; i < xs.size(); ++i)
            list.append(QPointF(xs[i], ys[i]));
        return list;
    };
    QTRY_COMPARE(drawn(0), points(a, { 1, 2, 3 }));
    QTRY_COMPARE(drawn(1), points(b, { 10, 20 }));
    QCOMPARE(listedPoints(0), QLocale().toString(3));

    a.append(append("sensor-a", 4));
    b.append(append("sensor-b", 30));
    QTRY_COMPARE(drawn(0), points(a, { 1, 2, 3, 4 }));
    QTRY_COMPARE(drawn(1), points(b, { 10, 20, 30 }));
    QCOMPARE(panel->pointsKept(), 7u);

    // Paused: what is drawn stays, the counts go on.
    panel->findChild<QAction *>(u"plotsPauseAction"_s)->trigger();
    QVERIFY(panel->isPaused());
    append("sensor-a", 5);
    append("sensor-a", 6);
    QTRY_COMPARE(listedPoints(0), QLocale().toString(6));
    QTRY_COMPARE(panel->pointsKept(), 9u);
    panel->refreshNow();
    QCOMPARE(drawn(0), points(a, { 1, 2, 3, 4 }));
    panel->findChild<QAction *>(u"plotsPauseAction"_s)->trigger();
    QVERIFY(!panel->isPaused());
    QTRY_COMPARE(drawn(0).size(), 6);

    // The x axis: the ts field of the same JSON (10 apart, in the order appended), then receive time.
    auto *box = panel->findChild<QComboBox *>(u"xAxisBox"_s);
    auto *edit = panel->findChild<QLineEdit *>(u"timeFieldEdit"_s);
    QVERIFY(box && edit);
    QVERIFY(!edit->isEnabled());
    box->setCurrentIndex(1);
    Q_EMIT box->activated(1);
    QVERIFY(edit->isEnabled());
    // A path that is not one says why and changes nothing.
    QTest::keyClicks(edit, u"json.<b>ts"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    auto *status = panel->findChild<QLabel *>(u"plotsStatus"_s);
    QTRY_VERIFY2(status->text().startsWith(u"The time field json.<b>ts is not a JSON path: at column 6"_s),
        qPrintable(status->text()));
    QCOMPARE(status->textFormat(), Qt::PlainText);
    QVERIFY(!qobject_cast<QValueAxis *>(panel->chart(0)->axes(Qt::Horizontal).value(0)));
    edit->clear();
    QTest::keyClicks(edit, u"json.ts"_s);
    QTest::keyClick(edit, Qt::Key_Return);
    QTRY_COMPARE(drawn(0),
        QList<QPointF>({ { 5010, 1 }, { 5020, 2 }, { 5040, 3 }, { 5060, 4 }, { 5080, 5 }, { 5090, 6 } }));
    QTRY_COMPARE(drawn(1), QList<QPointF>({ { 5030, 10 }, { 5050, 20 }, { 5070, 30 } }));
    auto *xAxis = qobject_cast<QValueAxis *>(panel->chart(0)->axes(Qt::Horizontal).value(0));
    QVERIFY(xAxis);
    QCOMPARE(xAxis->min(), 5010.0);
    QCOMPARE(xAxis->max(), 5090.0);

    // The wheel zooms: the range narrows and stays while points come; Reset Zoom follows them again.
    auto *view = panel->findChild<QChartView *>(u"plotView"_s);
    const QPointF centre = view->viewport()->rect().center();
    QWheelEvent wheel(centre, view->viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
        Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view->viewport(), &wheel);
    const double zoomedMax = xAxis->max();
    QVERIFY2(xAxis->max() - xAxis->min() < 80, qPrintable(u"%1 %2"_s.arg(xAxis->min()).arg(xAxis->max())));
    append("sensor-b", 40); // ts 5100
    QTRY_COMPARE(listedPoints(1), QLocale().toString(4));
    panel->refreshNow();
    QCOMPARE(xAxis->max(), zoomedMax);
    panel->findChild<QAction *>(u"resetZoomAction"_s)->trigger();
    QTRY_COMPARE(xAxis->max(), 5100.0);
    box->setCurrentIndex(0);
    Q_EMIT box->activated(0);
    QTRY_COMPARE(drawn(1).size(), 4);
    QCOMPARE(drawn(1).mid(0, 3), points(b, { 10, 20, 30 }));
    QVERIFY(!qobject_cast<QValueAxis *>(panel->chart(0)->axes(Qt::Horizontal).value(0)));

    // Remove Series on the field: the plot is empty again.
    auto *list = panel->findChild<QTreeWidget *>(u"seriesList"_s);
    list->setCurrentItem(list->topLevelItem(0));
    panel->findChild<QAction *>(u"removeSeriesAction"_s)->trigger();
    QCOMPARE(list->topLevelItemCount(), 0);
    QVERIFY(panel->chart(0)->series().isEmpty());
    panel->findChild<QAction *>(u"removePlotAction"_s)->trigger();
    QCOMPARE(panel->plotCount(), 0);
}

QTEST_MAIN(TestPlotsDock)
#include "tst_plotsdock.moc"
