// The Diff tab through the real window (issue 18, point 5): the selected message against the previous
// one with its id on its socket (field by field for JSON), the button that selects that one, the
// notice when there is none, and two messages selected in the table compared with each other (bytes
// for binary bodies). Expectations come from the store's messages and the core diff, read back
// through the tab's model and labels.

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

#include <zmqscope/analysis/messagediff.h>

#include "detail/diffpage.h"
#include "detail/messagedetailview.h"
#include "detail/messageformat.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestDiffApp : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void againstPreviousWithSameId();
    void twoSelectedMessages_data();
    void twoSelectedMessages();
    void untrustedValuesArePlainText();

private:
    [[nodiscard]] DiffPage *diffPage() const { return m_window->detailView()->diffPage(); }
    [[nodiscard]] QTableView *table() const { return m_window->messagesPane()->table(); }
    /// Selects the row of seq alone, as a click does.
    bool select(std::uint64_t seq);
    /// Ctrl+click on the row of seq: adds it to the selection.
    bool addToSelection(std::uint64_t seq);
    /// Waits until the Diff tab compared (or gave its notice) for what is selected now.
    bool waitForDiff();
    /// The model's rows as "path|change|old|new" (display texts).
    [[nodiscard]] QStringList shownRows() const;
    void append(std::uint64_t &seq, const Frames &frames, std::int64_t offsetUs);

    std::int64_t m_start = 0;
};

void TestDiffApp::initTestCase()
{
    uitest::useTestSettings(u"tst_diffapp"_s);
}

void TestDiffApp::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
    m_start = MessageStore::nowUs();
}

void TestDiffApp::cleanup()
{
    destroyWindow();
}

void TestDiffApp::append(std::uint64_t &seq, const Frames &frames, std::int64_t offsetUs)
{
    seq = m_store->append(1, Direction::In, m_start + offsetUs, frames);
}

bool TestDiffApp::select(std::uint64_t seq)
{
    return m_window->messagesPane()->selectSeq(seq) && m_window->detailView()->message().seq == seq;
}

bool TestDiffApp::addToSelection(std::uint64_t seq)
{
    auto *model = m_window->messagesPane()->model();
    const QModelIndex index = model->index(model->rowForSeq(seq), MessageTableModel::IdColumn);
    if (!index.isValid())
        return false;
    table()->scrollTo(index);
    QTest::mouseClick(
        table()->viewport(), Qt::LeftButton, Qt::ControlModifier, table()->visualRect(index).center());
    return table()->selectionModel()->isRowSelected(index.row());
}

bool TestDiffApp::waitForDiff()
{
    return QTest::qWaitFor([this] {
        return !m_window->detailView()->isDecoding()
            && (!diffPage()->headerText().isEmpty() || !diffPage()->noticeText().startsWith(u"Comparing"_s));
    });
}

QStringList TestDiffApp::shownRows() const
{
    QStringList rows;
    const DiffModel *model = diffPage()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < DiffModel::ColumnCount; ++column)
            cells.append(model->index(row, column).data().toString());
        rows.append(cells.join(u'|'));
    }
    return rows;
}

void TestDiffApp::againstPreviousWithSameId()
{
    QAbstractItemModelTester tester(
        diffPage()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::uint64_t first = 0;
    std::uint64_t other = 0;
    std::uint64_t second = 0;
    std::uint64_t elsewhere = 0;
    const QByteArray older = R"({"seq": 1, "meta": {"host": "a", "tags": ["x"]}, "gone": true})";
    const QByteArray newer = R"({"seq": 2, "meta": {"host": "a", "tags": ["x", "y"]}, "new": null})";
    append(first, { "telemetry.a", "application/json", older }, 0);
    append(other, { "telemetry.b", "application/json", R"({"seq": 9})" }, 1000);
    // The same id on another socket is not "the previous one".
    elsewhere
        = m_store->append(2, Direction::In, m_start + 1500, { "telemetry.a", "application/json", "{}" });
    append(second, { "telemetry.a", "application/json", newer }, 2500);
    m_window->refreshViews();
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 4);
    QVERIFY(elsewhere > other);

    MessageDetailView *detail = m_window->detailView();
    QVERIFY(select(second));
    QVERIFY(detail->isTabEnabled(MessageDetailView::DiffTab));
    QVERIFY(detail->setCurrentTab(MessageDetailView::DiffTab));
    QVERIFY(waitForDiff());
    QVERIFY2(diffPage()->noticeText().isEmpty(), qPrintable(diffPage()->noticeText()));

    // One row per change the core finds, in its order, with its kind and both values.
    const JsonDiff expected
        = diffJson(QJsonDocument::fromJson(older).object(), QJsonDocument::fromJson(newer).object());
    QCOMPARE(expected.changes.size(), 4); // gone, meta.tags[1], new, seq
    QStringList rows;
    for (const JsonChange &change : expected.changes) {
        const auto text = [](const QJsonValue &value) {
            if (value.isUndefined())
                return QString();
            const QByteArray json = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
            return QString::fromUtf8(json.mid(1, json.size() - 2));
        };
        rows.append(u"%1|%2|%3|%4"_s.arg(
            change.path, jsonChangeKindName(change.kind), text(change.oldValue), text(change.newValue)));
    }
    QCOMPARE(shownRows(), rows);
    QVERIFY(rows.contains(u"meta.tags[1]|added||\"y\""_s));
    // Kinds differ by colour too, never by colour alone.
    const DiffModel *model = diffPage()->model();
    QCOMPARE(model->index(0, DiffModel::ChangeColumn).data(Qt::DecorationRole).value<QColor>(),
        DiffModel::kindColor(JsonChange::Kind::Removed));
    QVERIFY(DiffModel::kindColor(JsonChange::Kind::Added) != DiffModel::kindColor(JsonChange::Kind::Changed));

    const QString header = diffPage()->headerText();
    QVERIFY2(header.startsWith(u"#%1 “telemetry.a” "_s.arg(first)), qPrintable(header));
    QVERIFY2(header.contains(u"→ #%1 “telemetry.a” "_s.arg(second)), qPrintable(header));
    QVERIFY2(header.contains(u"2.500 ms earlier"_s), qPrintable(header));
    auto *summary = diffPage()->findChild<QLabel *>(u"diffSummaryLabel"_s);
    QVERIFY2(summary->text().contains(u"JSON"_s) && summary->text().contains(u"4 change"_s),
        qPrintable(summary->text()));

    // The button selects the earlier message; it has no earlier one with its id.
    auto *button = diffPage()->findChild<QToolButton *>(u"diffSelectButton"_s);
    QVERIFY(button->isVisible());
    QCOMPARE(button->text(), u"Select #%1"_s.arg(first));
    QCOMPARE(diffPage()->otherSeq(), first);
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE(detail->message().seq, first);
    QCOMPARE(m_window->messagesPane()->currentSeq(), first);
    QCOMPARE(detail->currentTab(), MessageDetailView::DiffTab); // the user's tab sticks
    QVERIFY(waitForDiff());
    QCOMPARE(diffPage()->noticeText(), u"No earlier message with id “telemetry.a” on #1."_s);
    QCOMPARE(model->rowCount(), 0);
    QVERIFY(!button->isVisible());
}

void TestDiffApp::twoSelectedMessages_data()
{
    QTest::addColumn<Frames>("older");
    QTest::addColumn<Frames>("newer");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<QString>("summary");

    QTest::newRow("JSON, different ids")
        << Frames { "order.1", "application/json", R"({"qty": 1, "items": [{"sku": "a"}]})" }
        << Frames { "order.2", "application/json", R"({"qty": 1, "items": [{"sku": "b"}]})" }
        << QStringList { u"items[0].sku|changed|\"a\"|\"b\""_s } << u"1 change"_s;
    QTest::newRow("binary bodies") << Frames { "blob", "application/octet-stream",
        QByteArray("\x00\x01\x02\x03\x04\x05\x06\x07", 8) }
                                   << Frames { "blob", "application/octet-stream",
                                          QByteArray("\x00\x07\x02\x03\x04\x05\x06\x07\xff", 9) }
                                   << QStringList { u"frame 3, byte 1|changed|01|07"_s,
                                          u"frame 3, byte 8|added||ff"_s }
                                   << u"the older body is not JSON"_s;
    QTest::newRow("raw messages") << Frames { "heartbeat", "a" } << Frames { "heartbeat", "b", "c" }
                                  << QStringList { u"frame 2, byte 0|changed|61|62"_s,
                                         u"frame 3 (1 byte)|added||63"_s }
                                  << u"2 → 3 frames"_s;
}

void TestDiffApp::twoSelectedMessages()
{
    QFETCH(Frames, older);
    QFETCH(Frames, newer);
    QFETCH(QStringList, expected);
    QFETCH(QString, summary);
    QAbstractItemModelTester tester(
        diffPage()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    std::uint64_t a = 0;
    std::uint64_t between = 0;
    std::uint64_t b = 0;
    append(a, older, 0);
    append(between, { "noise", "text/plain", "x" }, 1000);
    append(b, newer, 2000);
    m_window->refreshViews();
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 3);

    // The newer one first, then Ctrl+click the older: the diff still goes older → newer.
    QVERIFY(select(b));
    QVERIFY(m_window->detailView()->setCurrentTab(MessageDetailView::DiffTab));
    QVERIFY(waitForDiff());
    QVERIFY(addToSelection(a));
    QCOMPARE(m_window->messagesPane()->selectedSeqs(), (std::vector<std::uint64_t> { a, b }));
    QTRY_VERIFY(diffPage()->headerText().contains(u"the two selected messages"_s));
    QVERIFY(waitForDiff());
    const QString header = diffPage()->headerText();
    QVERIFY2(header.startsWith(u"#%1 "_s.arg(a)) && header.contains(u"→ #%1 "_s.arg(b)), qPrintable(header));
    QCOMPARE(shownRows(), expected);
    const QString summaryText = diffPage()->findChild<QLabel *>(u"diffSummaryLabel"_s)->text();
    QVERIFY2(summaryText.contains(summary), qPrintable(summaryText));
    // The other one of the two is the one not shown.
    QCOMPARE(diffPage()->otherSeq(), m_window->detailView()->message().seq == a ? b : a);

    // Back to one selected: the shown message against its predecessor again.
    QVERIFY(select(b));
    QTRY_VERIFY(!diffPage()->headerText().contains(u"the two selected messages"_s));
}

void TestDiffApp::untrustedValuesArePlainText()
{
    // Keys and values from a message are shown as escaped plain text, cut in the cell, whole in the tool tip.
    std::uint64_t first = 0;
    std::uint64_t second = 0;
    const QString longValue = u"<b>bold</b>\u202e"_s + QString(300, u'x');
    const QJsonObject older { { u"<i>key</i>"_s, 1 } };
    const QJsonObject newer { { u"<i>key</i>"_s, longValue } };
    append(first, { "m", "application/json", QJsonDocument(older).toJson() }, 0);
    append(second, { "m", "application/json", QJsonDocument(newer).toJson() }, 10);
    m_window->refreshViews();
    QTRY_COMPARE(m_window->messagesPane()->model()->totalRows(), 2);
    QVERIFY(select(second));
    QVERIFY(m_window->detailView()->setCurrentTab(MessageDetailView::DiffTab));
    QVERIFY(waitForDiff());
    const DiffModel *model = diffPage()->model();
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, DiffModel::WhereColumn).data().toString(), u"[\"<i>key</i>\"]"_s);
    const QString cell = model->index(0, DiffModel::NewColumn).data().toString();
    QVERIFY2(cell.startsWith(u"\"<b>bold</b>\\u{202e}xxx"_s), qPrintable(cell));
    QVERIFY(cell.endsWith(u'…'));
    QVERIFY2(cell.size() < 300, qPrintable(cell)); // cut, though escapes make it longer than DisplayChars
    const QString tip = model->index(0, DiffModel::NewColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(u"&lt;b&gt;bold&lt;/b&gt;"_s) && !tip.contains(u"<b>"_s), qPrintable(tip));
    QVERIFY(tip.contains(QString(300, u'x')));
    QVERIFY(model->index(0, DiffModel::OldColumn).data(Qt::ToolTipRole).isNull()); // not cut: no tool tip
    for (auto *label : diffPage()->findChildren<QLabel *>())
        QCOMPARE(label->textFormat(), Qt::PlainText);
}

QTEST_MAIN(TestDiffApp)
#include "tst_diffapp.moc"
