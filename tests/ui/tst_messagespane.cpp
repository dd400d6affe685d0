// MessagesPane over a real MessageStore with a small row window: the scroll bar over every row, window
// moves by bar, wheel, keys and selectSeq(), following, and the selection kept across window moves.

#include <memory>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCompleter>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QWheelEvent>

#include <zmqscope/store/messagestore.h>

#include "filterbar.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "testappearance.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestMessagesPane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void scrollBarCoversEveryRow();
    void draggingTheBarMovesTheWindow();
    void wheelScrollsPastTheWindowEdge();
    void pageKeysScrollPastTheWindowEdge_data();
    void pageKeysScrollPastTheWindowEdge();
    void ctrlHomeAndCtrlEndReachTheEnds();
    void selectingAFarMessageCentresIt();
    void filterWithWindow();
    void filterBoxTakesExpressions();
    void recentFiltersAndFieldCompletion();
    void selectSeqShowsItAtAnyViewportHeight();
    void focusAloneDoesNotPickAMessage();
    void clickingARowPicksIt();

private:
    void append(int count);
    /// Refreshes until the filter's scan is done and the table caught up (false after 10 s).
    [[nodiscard]] bool settled();
    // The logical row at the top of the viewport, from what the table shows.
    [[nodiscard]] int shownTopRow() const;
    [[nodiscard]] std::uint64_t shownTopSeq() const;
    [[nodiscard]] bool isShown(std::uint64_t seq) const;
    /// Resizes the pane so that its table's viewport is `height` pixels high.
    void setViewportHeight(int height);

    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<MessagesPane> m_pane;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    MessageTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QScrollBar *m_bar = nullptr;
    int m_appended = 0;
};

void TestMessagesPane::initTestCase()
{
    // The recent filters live in the settings: a test's own, empty at the start.
    QCoreApplication::setOrganizationName(u"ZmqScopeTest"_s);
    QCoreApplication::setApplicationName(u"tst_messagespane"_s);
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
}

void TestMessagesPane::init()
{
    QSettings().clear(); // no recent filters from the test before
    m_store = std::make_unique<MessageStore>();
    m_pane = std::make_unique<MessagesPane>(*m_store);
    m_model = m_pane->model();
    m_table = m_pane->table();
    m_bar = m_pane->findChild<QScrollBar *>(u"messagesScrollBar"_s);
    QVERIFY(m_bar);
    QCOMPARE(m_bar, m_pane->scrollBar());
    m_model->setWindowRows(100);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_pane->resize(uitest::windowSize({ 700, 500 }));
    m_pane->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_pane.get()));
    m_appended = 0;
    append(3000);
    m_pane->refresh();
    QVERIFY(m_table->viewport()->height() > 5 * m_table->verticalHeader()->defaultSectionSize());
}

void TestMessagesPane::cleanup()
{
    m_tester.reset();
    m_pane.reset();
    m_store.reset();
}

void TestMessagesPane::append(int count)
{
    for (int i = 0; i < count; ++i, ++m_appended)
        m_store->append(1, Direction::In, MessageStore::nowUs(),
            { "id-" + QByteArray::number(m_appended), "text/plain", "body" });
}

bool TestMessagesPane::settled()
{
    return QTest::qWaitFor(
        [this] {
            m_pane->refresh();
            return m_model->isCaughtUp() && !m_model->isScanning();
        },
        10000);
}

int TestMessagesPane::shownTopRow() const
{
    const int row = m_table->rowAt(0);
    return row < 0 ? -1 : m_model->windowFirst() + row;
}

std::uint64_t TestMessagesPane::shownTopSeq() const
{
    return m_table->model()
        ->index(m_table->rowAt(0), MessageTableModel::SeqColumn)
        .data()
        .toString()
        .toULongLong();
}

bool TestMessagesPane::isShown(std::uint64_t seq) const
{
    const int row = m_model->rowForSeq(seq);
    return row >= 0
        && m_table->viewport()->rect().contains(m_table->visualRect(m_model->index(row, 0)).center());
}

void TestMessagesPane::scrollBarCoversEveryRow()
{
    QVERIFY(m_pane->isFollowing());
    QVERIFY(!m_table->verticalScrollBar()->isVisible()); // the table's own one only spans the window
    QVERIFY(m_bar->isVisible());
    QCOMPARE(m_model->rowCount(), 100);
    QCOMPARE(m_model->totalRows(), 3000);
    QCOMPARE(m_bar->maximum() + m_bar->pageStep(), 3000);
    QCOMPARE(m_bar->value(), m_bar->maximum());
    QVERIFY(isShown(m_store->endSeq() - 1));

    // Following: the window and the bar keep up with new rows.
    append(500);
    m_pane->refresh();
    QCOMPARE(m_bar->maximum() + m_bar->pageStep(), 3500);
    QCOMPARE(m_bar->value(), m_bar->maximum());
    QCOMPARE(m_model->windowFirst(), 3400);
    QVERIFY(isShown(m_store->endSeq() - 1));
}

void TestMessagesPane::draggingTheBarMovesTheWindow()
{
    m_bar->triggerAction(QAbstractSlider::SliderToMinimum);
    QVERIFY(!m_pane->isFollowing());
    QCOMPARE(m_bar->value(), 0);
    QCOMPARE(m_model->windowFirst(), 0);
    QCOMPARE(shownTopRow(), 0);
    QCOMPARE(shownTopSeq(), m_store->firstSeq());

    // New rows do not move what is shown; the bar's range grows.
    append(200);
    m_pane->refresh();
    QCOMPARE(shownTopSeq(), m_store->firstSeq());
    QCOMPARE(m_bar->maximum() + m_bar->pageStep(), 3200);

    // A drag to the middle: that row at the top.
    m_bar->setSliderDown(true);
    m_bar->setSliderPosition(1500);
    m_bar->setSliderDown(false);
    QCOMPARE(shownTopRow(), 1500);
    QCOMPARE(shownTopSeq(), m_store->firstSeq() + 1500);
    QVERIFY(m_model->windowFirst() <= 1500 && m_model->windowFirst() + m_model->rowCount() > 1500);
    QVERIFY(!m_pane->isFollowing());

    // To the bottom: following again.
    m_bar->triggerAction(QAbstractSlider::SliderToMaximum);
    QVERIFY(m_pane->isFollowing());
    QVERIFY(isShown(m_store->endSeq() - 1));
    append(300);
    m_pane->refresh();
    QVERIFY(isShown(m_store->endSeq() - 1));
    QCOMPARE(m_bar->value(), m_bar->maximum());
}

void TestMessagesPane::wheelScrollsPastTheWindowEdge()
{
    m_bar->triggerAction(QAbstractSlider::SliderToMinimum);
    QCOMPARE(shownTopRow(), 0);
    int previous = 0;
    for (int turn = 0; turn < 200 && previous < 400; ++turn) {
        const QPoint centre = m_table->viewport()->rect().center();
        QWheelEvent wheel(centre, m_table->viewport()->mapToGlobal(centre), QPoint(), QPoint(0, -120),
            Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(m_table->viewport(), &wheel);
        const int top = shownTopRow();
        QVERIFY2(
            top > previous, qPrintable(u"turn %1: top row %2 after %3"_s.arg(turn).arg(top).arg(previous)));
        QCOMPARE(shownTopSeq(), m_store->firstSeq() + std::uint64_t(top));
        QCOMPARE(m_bar->value(), top);
        previous = top;
    }
    QVERIFY(previous >= 400); // four windows' worth
    QVERIFY(m_model->windowFirst() > 0);
    QVERIFY(!m_pane->isFollowing());
}

void TestMessagesPane::pageKeysScrollPastTheWindowEdge_data()
{
    QTest::addColumn<int>("key");
    QTest::newRow("PageDown") << int(Qt::Key_PageDown);
    QTest::newRow("Down") << int(Qt::Key_Down);
}

void TestMessagesPane::pageKeysScrollPastTheWindowEdge()
{
    QFETCH(int, key);
    m_table->setFocus();
    QTest::keyClick(m_table, Qt::Key_Home, Qt::ControlModifier);
    QCOMPARE(m_pane->currentSeq(), m_store->firstSeq());
    const int presses = key == Qt::Key_Down ? 250 : 30;
    std::uint64_t previous = *m_pane->currentSeq();
    for (int i = 0; i < presses; ++i) {
        QTest::keyClick(m_table, Qt::Key(key));
        QVERIFY(m_pane->currentSeq());
        const std::uint64_t seq = *m_pane->currentSeq();
        QVERIFY2(
            seq > previous, qPrintable(u"press %1: current %2 after %3"_s.arg(i).arg(seq).arg(previous)));
        QVERIFY(isShown(seq));
        QCOMPARE(m_model->seqAt(m_table->currentIndex().row()), seq);
        previous = seq;
    }
    QVERIFY(previous - m_store->firstSeq() >= 200); // past two windows
    QVERIFY(m_model->windowFirst() > 0);
    QCOMPARE(m_bar->value(), shownTopRow());
}

void TestMessagesPane::ctrlHomeAndCtrlEndReachTheEnds()
{
    m_table->setFocus();
    QTest::keyClick(m_table, Qt::Key_Home, Qt::ControlModifier);
    QCOMPARE(m_pane->currentSeq(), m_store->firstSeq());
    QCOMPARE(shownTopRow(), 0);
    QCOMPARE(m_bar->value(), 0);
    QTest::keyClick(m_table, Qt::Key_End, Qt::ControlModifier);
    QCOMPARE(m_pane->currentSeq(), m_store->endSeq() - 1);
    QVERIFY(isShown(m_store->endSeq() - 1));
    QCOMPARE(m_bar->value(), m_bar->maximum());
}

void TestMessagesPane::selectingAFarMessageCentresIt()
{
    const std::uint64_t far = m_store->firstSeq() + 10;
    QCOMPARE(m_model->rowForSeq(far), -1);
    QVERIFY(m_pane->selectSeq(far));
    QVERIFY(!m_pane->isFollowing());
    QCOMPARE(m_pane->currentSeq(), far);
    QVERIFY(isShown(far));
    QCOMPARE(m_model->seqAt(m_table->currentIndex().row()), far);
    QCOMPARE(m_bar->value(), shownTopRow());
    QVERIFY(!m_pane->selectSeq(m_store->endSeq())); // not held

    // Away and back through the bar: the selection leaves the window and comes back with it.
    m_bar->triggerAction(QAbstractSlider::SliderToMaximum);
    QVERIFY(m_pane->isFollowing());
    QCOMPARE(m_model->rowForSeq(far), -1);
    QVERIFY(!m_table->currentIndex().isValid());
    QCOMPARE(m_pane->currentSeq(), far); // still the selected message
    QCOMPARE(m_pane->selectedSeqs(), std::vector<std::uint64_t> { far });
    append(1000);
    m_pane->refresh();
    m_bar->triggerAction(QAbstractSlider::SliderToMinimum);
    QVERIFY(m_model->rowForSeq(far) >= 0);
    QCOMPARE(m_model->seqAt(m_table->currentIndex().row()), far);
    QVERIFY(m_table->selectionModel()->isRowSelected(m_model->rowForSeq(far)));
    QCOMPARE(m_pane->selectedSeqs(), std::vector<std::uint64_t> { far });

    // A middle one, then a scroll near the end of the window: the window moves, the selection stays.
    const std::uint64_t middle = m_store->firstSeq() + 2000;
    QVERIFY(m_pane->selectSeq(middle));
    QVERIFY(isShown(middle));
    const int first = m_model->windowFirst();
    const int top = first + m_model->rowCount() - m_bar->pageStep() - 2;
    m_pane->scrollToLogicalRow(top);
    QCOMPARE(shownTopRow(), top);
    QVERIFY(m_model->windowFirst() > first);
    QVERIFY(m_model->rowForSeq(middle) >= 0);
    QCOMPARE(m_model->seqAt(m_table->currentIndex().row()), middle);
    QVERIFY(m_table->selectionModel()->isRowSelected(m_table->currentIndex().row()));
}

void TestMessagesPane::filterWithWindow()
{
    // id-1, id-10..19, id-100..199, id-1000..1999: 1111 of the 3000.
    MessageFilter filter;
    filter.setText(u"id-1"_s);
    m_model->setFilter(filter);
    QVERIFY(QTest::qWaitFor(
        [this] {
            m_pane->refresh();
            return m_model->isCaughtUp() && !m_model->isScanning();
        },
        10000));
    QCOMPARE(m_model->totalRows(), 1111);
    QVERIFY(m_model->rowCount() <= 100);
    QCOMPARE(m_bar->maximum() + m_bar->pageStep(), 1111);
    QVERIFY(isShown(m_model->seqAtLogical(1110)));

    m_bar->triggerAction(QAbstractSlider::SliderToMinimum);
    QCOMPARE(shownTopRow(), 0);
    QCOMPARE(
        m_table->model()->index(m_table->rowAt(0), MessageTableModel::IdColumn).data().toString(), u"id-1"_s);
    const std::uint64_t seq = m_model->seqAtLogical(600);
    QVERIFY(m_pane->selectSeq(seq));
    QVERIFY(isShown(seq));
    QCOMPARE(m_model->seqAt(m_table->currentIndex().row()), seq);
}

void TestMessagesPane::filterBoxTakesExpressions()
{
    // Typed into the real box: an expression filters; a bad one shows its column beside the box and
    // the table keeps the last good filter; Enter puts the cursor where the text went wrong.
    FilterBar *bar = m_pane->filterBar();
    QLineEdit *box = bar->textEdit();
    QLabel *error = bar->errorLabel();
    const auto settle = [this] { return settled(); };
    box->setFocus();
    QTest::keyClicks(box, u"id matches \"^id-2[0-9]$\" or frames > 3"_s);
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(settle());
    QCOMPARE(m_model->totalRows(), 10); // id-20 .. id-29
    QVERIFY(error->isHidden());

    box->clear();
    const QString cut = u"id == \"id-7\" and size >"_s; // the value is missing at its end
    QTest::keyClicks(box, cut);
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(error->isVisible());
    QCOMPARE(error->text(),
        u"Filter not applied (column %1): expected a value after \">\" (a \"string\", a number, true, false or null), found the end"_s
            .arg(cut.size() + 1));
    QCOMPARE(box->cursorPosition(), cut.size());
    QVERIFY(settle());
    QCOMPARE(m_model->totalRows(), 10); // still the last good filter

    QTest::keyClicks(box, u" 3"_s);
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(settle());
    QVERIFY(error->isHidden());
    QCOMPARE(m_model->totalRows(), 1);

    // The socket list comes again with every change of a socket's state or counts: an expression
    // is re-applied (a rescan) only when a name or type it may read changed.
    SocketInfo socket;
    socket.id = 1;
    socket.spec.name = u"alpha"_s;
    socket.spec.type = SocketType::Pull;
    QSignalSpy applied(bar, &FilterBar::filterChanged);
    bar->setSockets({ socket });
    QCOMPARE(applied.size(), 1); // the names it knew were none
    socket.messagesIn = 42;
    bar->setSockets({ socket });
    QCOMPARE(applied.size(), 1); // counts only: nothing for the filter
    socket.spec.name = u"beta"_s;
    bar->setSockets({ socket });
    QCOMPARE(applied.size(), 2);
    QVERIFY(settle());

    // Words keep searching every frame, even those that begin with a field's name.
    box->clear();
    QTest::keyClicks(box, u"id-299"_s);
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(settle());
    QCOMPARE(m_model->totalRows(), 11); // id-299, id-2990 .. id-2999
    QVERIFY(error->isHidden());
}

void TestMessagesPane::setViewportHeight(int height)
{
    for (int attempt = 0; attempt < 3 && m_table->viewport()->height() != height; ++attempt) {
        m_pane->resize(m_pane->width(), m_pane->height() + height - m_table->viewport()->height());
        QTRY_COMPARE_WITH_TIMEOUT(m_pane->size(), m_pane->geometry().size(), 1000);
    }
    QCOMPARE(m_table->viewport()->height(), height);
}

void TestMessagesPane::selectSeqShowsItAtAnyViewportHeight()
{
    // Whether selecting moved the window under the view depended on how many rows the viewport
    // holds and where the row landed, so one machine's font passed and another's failed. Every
    // viewport height from 3 to 40 rows, at whole rows and in between, from the row height shown.
    const int rowHeight = m_table->rowHeight(0);
    QVERIFY(rowHeight > 0);
    const int windowRows = m_model->windowRows();
    for (int rows = 3; rows <= 40; ++rows) {
        for (const int extra : { 0, rowHeight / 3, rowHeight - 1 }) {
            setViewportHeight(rows * rowHeight + extra);
            const QString where = u"viewport of %1 rows + %2 px"_s.arg(rows).arg(extra);
            m_bar->triggerAction(QAbstractSlider::SliderToMinimum);
            // Far from the window, then one just outside it, then one inside near its end.
            for (const int logical : { 2000, windowRows + rows, windowRows - 2 }) {
                const std::uint64_t seq = m_model->seqAtLogical(logical);
                QVERIFY2(m_pane->selectSeq(seq), qPrintable(where));
                QVERIFY2(isShown(seq), qPrintable(where + u", logical row %1"_s.arg(logical)));
                QVERIFY2(m_table->currentIndex().isValid(), qPrintable(where));
                QCOMPARE(m_model->seqAt(m_table->currentIndex().row()), seq);
                QCOMPARE(m_pane->currentSeq(), std::optional<std::uint64_t>(seq));
            }
        }
    }
    m_bar->triggerAction(QAbstractSlider::SliderToMaximum);
}

void TestMessagesPane::focusAloneDoesNotPickAMessage()
{
    // Coming back to the window gives the table focus; QAbstractItemView then makes its first row
    // current (without selecting it). That is no pick by the user: following goes on, no detail.
    QSignalSpy picked(m_pane.get(), &MessagesPane::currentMessageChanged);
    QVERIFY(m_pane->isFollowing());
    QVERIFY(!m_table->currentIndex().isValid());
    m_table->clearFocus();
    QFocusEvent focusIn(QEvent::FocusIn, Qt::ActiveWindowFocusReason);
    QApplication::sendEvent(m_table, &focusIn);
    QVERIFY(m_table->currentIndex().isValid()); // what Qt does on focus-in
    QCOMPARE(picked.count(), 0);
    QVERIFY(m_pane->isFollowing());
    QVERIFY(!m_pane->currentSeq());
    append(50);
    m_pane->refresh();
    QVERIFY(m_pane->isFollowing());
    QVERIFY(isShown(std::uint64_t(m_appended - 1)));
}

void TestMessagesPane::clickingARowPicksIt()
{
    // A click makes the row current first and selects it after: the pick must still be seen.
    QSignalSpy picked(m_pane.get(), &MessagesPane::currentMessageChanged);
    const int row = m_table->rowAt(m_table->viewport()->height() / 2);
    QVERIFY(row >= 0);
    const std::uint64_t seq = m_model->seqAt(row);
    const QRect cell = m_table->visualRect(m_model->index(row, MessageTableModel::IdColumn));
    QTest::mouseClick(m_table->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(picked.count(), 1);
    QCOMPARE(picked.at(0).at(0).value<std::optional<std::uint64_t>>(), std::optional<std::uint64_t>(seq));
    QCOMPARE(m_pane->currentSeq(), std::optional<std::uint64_t>(seq));
    QVERIFY(!m_pane->isFollowing());
}

void TestMessagesPane::recentFiltersAndFieldCompletion()
{
    FilterBar *bar = m_pane->filterBar();
    QLineEdit *box = bar->textEdit();
    const auto settle = [this] { return settled(); };
    // setText (the table's "Filter on This Id") applies at once and is remembered; a bad one is not.
    bar->setText(u"id == \"id-7\""_s);
    QVERIFY(settle());
    QCOMPARE(m_model->totalRows(), 1);
    bar->setText(u"id == "_s);
    QVERIFY(bar->errorLabel()->isVisible());
    box->setFocus();
    box->clear();
    QTest::keyClicks(box, u"frames == 3 and id matches \"-1$\""_s);
    QTest::keyClick(box, Qt::Key_Return);
    QVERIFY(settle());
    QCOMPARE(bar->history(), QStringList({ u"frames == 3 and id matches \"-1$\""_s, u"id == \"id-7\""_s }));
    // ...and the menu beside the box applies one again.
    QMenu *menu = bar->filtersMenu();
    QVERIFY(menu);
    // The icon at the start of the box opens it.
    auto *opener = box->findChild<QAction *>(u"filtersMenuAction"_s);
    QVERIFY(opener && box->actions().contains(opener));
    opener->trigger();
    QTRY_VERIFY(menu->isVisible());
    menu->close();
    Q_EMIT menu->aboutToShow();
    const auto item = [menu](const QString &text) {
        for (QAction *action : menu->actions()) {
            if (action->text() == text)
                return action;
        }
        return static_cast<QAction *>(nullptr);
    };
    QAction *recent = item(u"id == \"id-7\""_s);
    QVERIFY(recent);
    recent->trigger();
    QCOMPARE(box->text(), u"id == \"id-7\""_s);
    QVERIFY(settle());
    QCOMPARE(m_model->totalRows(), 1);
    // Kept for the next window (the settings), newest first, each once.
    QCOMPARE(QSettings().value(u"FilterBar/history"_s).toStringList().value(0), u"id == \"id-7\""_s);

    // Field names complete where an expression expects one: "mi" offers mimetype.
    box->clear();
    QTest::keyClicks(box, u"size > 1 and mi"_s);
    auto *completer = bar->findChild<QCompleter *>(u"filterCompleter"_s);
    QVERIFY(completer);
    QTRY_VERIFY(completer->popup()->isVisible());
    QCOMPARE(completer->currentCompletion(), u"mimetype"_s);
    QTest::keyClick(completer->popup(), Qt::Key_Return);
    QCOMPARE(box->text(), u"size > 1 and mimetype"_s);
    // Not inside a string.
    QTest::keyClicks(box, u" == \"mi"_s);
    QVERIFY(!completer->popup()->isVisible());

    // Saved filters: named, first in the menu, applied from it; a bad text is not saved.
    bar->setText(u"id matches \"1$\""_s);
    QSignalSpy changed(bar, &FilterBar::savedFiltersChanged);
    QVERIFY(bar->saveCurrentFilterAs(u"ends in 1"_s));
    QCOMPARE(changed.count(), 1);
    bar->textEdit()->setText(u"id =="_s);
    QVERIFY(!bar->saveCurrentFilterAs(u"broken"_s));
    QCOMPARE(bar->savedFilters(), FilterBar::SavedFilters({ { u"ends in 1"_s, u"id matches \"1$\""_s } }));
    bar->setText(u"id == \"id-7\""_s);
    QVERIFY(settle());
    QCOMPARE(m_model->totalRows(), 1);
    Q_EMIT menu->aboutToShow();
    QCOMPARE(menu->actions().value(0)->text(), u"ends in 1"_s); // saved ones first
    item(u"ends in 1"_s)->trigger();
    QCOMPARE(box->text(), u"id matches \"1$\""_s);
    QVERIFY(settle());
    QCOMPARE(m_model->totalRows(), 300); // id-1, id-11, ..., id-2991
}

QTEST_MAIN(TestMessagesPane)
#include "tst_messagespane.moc"
