// Decoders in the app (issue 17): the detail pane shows MessagePack, CBOR and protobuf bodies decoded
// (the format and the rule named, the raw bytes a tab away, a decoding error said with its byte),
// View > Decoders edits the rules with a live preview, and a workspace keeps them. The bodies are
// encoded by Python's msgpack and protobuf (tests/interop/payload_peer.py).

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "decodersdialog.h"
#include "detail/jsonpage.h"
#include "detail/messagedetailview.h"
#include "filterbar.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "payloadcases.h"
#include "uitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestDecodersApp : public uitest::MainWindowTestCase
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void detailShowsDecodedValues();
    void dialogEditsRulesWithPreview();
    void workspaceKeepsRules();

private:
    [[nodiscard]] const payloadcases::Case &sent(const QString &name) const;
    [[nodiscard]] DecodeRule protobufRule() const;
    bool selectRow(int row);
    [[nodiscard]] JsonPage *jsonPage() const;

    QTemporaryDir m_dir;
    QList<payloadcases::Case> m_cases;
};

void TestDecodersApp::initTestCase()
{
    uitest::useTestSettings(u"tst_decodersapp"_s);
    QVERIFY(m_dir.isValid());
    QString error;
    m_cases = payloadcases::prepare(m_dir.path(), error);
    QVERIFY2(!m_cases.isEmpty(), qPrintable(error));
}

void TestDecodersApp::init()
{
    createWindow();
    QVERIFY(showWindow(WaitFor::Exposed));
}

void TestDecodersApp::cleanup()
{
    destroyWindow();
}

const payloadcases::Case &TestDecodersApp::sent(const QString &name) const
{
    for (const payloadcases::Case &one : m_cases) {
        if (one.name == name)
            return one;
    }
    qFatal("no case %s", qPrintable(name));
}

DecodeRule TestDecodersApp::protobufRule() const
{
    return *DecodeRule::parse(
        u"id=protobuf-*:protobuf:%1:demo.Reading"_s.arg(m_dir.filePath(u"telemetry.desc"_s)));
}

bool TestDecodersApp::selectRow(int row)
{
    QTableView *table = m_window->messagesPane()->table();
    const QModelIndex index = table->model()->index(row, MessageTableModel::IdColumn);
    table->setCurrentIndex(index);
    return table->currentIndex().row() == row;
}

JsonPage *TestDecodersApp::jsonPage() const
{
    return qobject_cast<JsonPage *>(m_window->detailView()->page(MessageDetailView::JsonTab));
}

void TestDecodersApp::detailShowsDecodedValues()
{
    const payloadcases::Case &msgpack = sent(u"msgpack-nested"_s);
    const payloadcases::Case &protobuf = sent(u"protobuf-reading"_s);
    const std::int64_t now = MessageStore::nowUs();
    m_store->append(1, Direction::In, now, { msgpack.name.toUtf8(), msgpack.mimetype, msgpack.body });
    m_store->append(1, Direction::In, now + 1, { protobuf.name.toUtf8(), protobuf.mimetype, protobuf.body });
    m_store->append(1, Direction::In, now + 2, { "broken", "application/cbor", "\xa1" });
    QVERIFY(m_window->setDecodeRules({ protobufRule() }));
    m_window->refreshViews();
    QTRY_COMPARE(m_window->messagesPane()->model()->rowCount(), 3);

    auto *text = jsonPage()->findChild<QPlainTextEdit *>(u"jsonText"_s);
    auto *source = jsonPage()->findChild<QLabel *>(u"jsonDecodedFrom"_s);
    QVERIFY(text && source);

    // protobuf by the rule: the JSON tab, its format and rule named; the fields as Python wrote them.
    QVERIFY(selectRow(1));
    QTRY_COMPARE(m_window->detailView()->currentTab(), MessageDetailView::JsonTab);
    QCOMPARE(jsonPage()->decodedFrom(), u"protobuf demo.Reading"_s);
    QVERIFY2(source->isVisible() && source->text().contains(u"by rule 1: id=protobuf-*:protobuf:"_s),
        qPrintable(source->text()));
    const QJsonObject expected = protobuf.expected.toObject();
    QVERIFY(
        text->toPlainText().contains(u"\"sensor\": \"%1\""_s.arg(expected.value(u"sensor"_s).toString())));
    QVERIFY(text->toPlainText().contains(u"\"seq\": \"%1\""_s.arg(expected.value(u"seq"_s).toString())));
    // The raw bytes stay a tab away.
    QVERIFY(m_window->detailView()->isTabEnabled(MessageDetailView::HexTab));

    // MessagePack by its mimetype.
    QVERIFY(selectRow(0));
    QTRY_COMPARE(jsonPage()->decodedFrom(), u"MessagePack"_s);
    QVERIFY2(source->text().contains(u"as its mimetype says"_s), qPrintable(source->text()));
    QVERIFY(text->toPlainText().contains(u"\"c\": \"deep\""_s));

    // A body its format cannot read: the error with its byte, not an empty view.
    QVERIFY(selectRow(2));
    auto *notice = jsonPage()->findChild<QLabel *>(u"jsonMessage"_s);
    QVERIFY(notice);
    QTRY_VERIFY2(
        notice->isVisible() && notice->text().startsWith(u"CBOR: at byte 1"_s), qPrintable(notice->text()));
    QCOMPARE(notice->textFormat(), Qt::PlainText);

    // Without the rule the protobuf body is not decoded (no mimetype names protobuf).
    QVERIFY(m_window->setDecodeRules({}));
    QVERIFY(selectRow(1));
    QTRY_VERIFY(jsonPage()->decodedFrom().isEmpty());
    QVERIFY(!m_window->detailView()->isTabEnabled(MessageDetailView::JsonTab));
}

void TestDecodersApp::dialogEditsRulesWithPreview()
{
    const payloadcases::Case &protobuf = sent(u"protobuf-reading"_s);
    StoredMessage message;
    message.seq = 7;
    message.frames = { protobuf.name.toUtf8(), protobuf.mimetype, protobuf.body };
    DecodersDialog dialog({}, message, u"telemetry"_s, m_window.get());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *table = dialog.findChild<QTableWidget *>(u"rulesTable"_s);
    auto *preview = dialog.findChild<QPlainTextEdit *>(u"decoderPreview"_s);
    auto *ok = dialog.findChild<QPushButton *>(u"okButton"_s);
    auto *problem = dialog.findChild<QLabel *>(u"rulesProblem"_s);
    QVERIFY(table && preview && ok && problem);
    QCOMPARE(table->rowCount(), 0);
    QVERIFY2(preview->toPlainText().startsWith(u"No rule fits this message"_s),
        qPrintable(preview->toPlainText()));

    QTest::mouseClick(dialog.findChild<QPushButton *>(u"addRuleButton"_s), Qt::LeftButton);
    QCOMPARE(table->rowCount(), 1);
    auto *match = qobject_cast<QComboBox *>(table->cellWidget(0, 0));
    auto *value = qobject_cast<QLineEdit *>(table->cellWidget(0, 1));
    auto *format = qobject_cast<QComboBox *>(table->cellWidget(0, 2));
    auto *path = table->cellWidget(0, 3)->findChild<QLineEdit *>(u"descriptorPath"_s);
    auto *type = qobject_cast<QComboBox *>(table->cellWidget(0, 4));
    QVERIFY(match && value && format && path && type);
    match->setCurrentIndex(match->findData(int(DecodeRule::Match::Id)));
    value->setText(u"protobuf-*"_s);
    format->setCurrentIndex(format->findData(int(PayloadFormat::Protobuf)));
    // No descriptor set yet: the rule cannot be used, and OK waits.
    QVERIFY(!ok->isEnabled());
    QVERIFY2(problem->text().startsWith(u"Rule 1: "_s), qPrintable(problem->text()));

    // The set loads when its path is given: its message types are offered, the preview decodes.
    path->setText(m_dir.filePath(u"telemetry.desc"_s));
    Q_EMIT path->editingFinished();
    QCOMPARE(type->count(), 3);
    type->setCurrentText(u"demo.Reading"_s);
    QVERIFY2(ok->isEnabled(), qPrintable(problem->text()));
    QVERIFY(problem->isHidden());
    QVERIFY2(preview->toPlainText().startsWith(u"protobuf demo.Reading, by rule 1:"_s),
        qPrintable(preview->toPlainText()));
    QVERIFY(preview->toPlainText().contains(u"\"sensor\": \"boiler\""_s));

    // A type the set has not: said, and OK disabled again.
    type->setCurrentText(u"demo.Nope"_s);
    QVERIFY(!ok->isEnabled());
    QVERIFY2(problem->text().contains(u"has no message type \"demo.Nope\""_s), qPrintable(problem->text()));
    type->setCurrentText(u"demo.Reading"_s);
    QCOMPARE(dialog.rules(), QList<DecodeRule> { protobufRule() });
}

void TestDecodersApp::workspaceKeepsRules()
{
    const QList<DecodeRule> rules { protobufRule(), *DecodeRule::parse(u"frame=-1:msgpack"_s) };
    QVERIFY(m_window->setDecodeRules(rules));
    // The filter box's saved filters go with them.
    const FilterBar::SavedFilters filters { { u"boilers"_s, u"json.sensor == \"boiler\""_s } };
    m_window->messagesPane()->filterBar()->setSavedFilters(filters);
    const QString file = m_dir.filePath(u"decoders.zmqscope"_s);
    QVERIFY(m_window->saveWorkspace(file));
    QFile saved(file);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QVERIFY(saved.readAll().contains("\"frame=-1:msgpack\""));

    MessageStore store;
    Engine engine(store);
    MainWindow other(engine);
    other.setSaveSettingsOnClose(false);
    QVERIFY(other.openWorkspace(file));
    QCOMPARE(other.decodeRules(), rules);
    QCOMPARE(other.messagesPane()->filterBar()->savedFilters(), filters);

    // Rules that cannot be used (the descriptor set is gone) are not applied, and the log says why.
    const zmqscope::Result<void> refused = other.setDecodeRules(
        { *DecodeRule::parse(u"protobuf:%1:demo.Reading"_s.arg(m_dir.filePath(u"gone.desc"_s))) });
    QVERIFY(!refused);
    QVERIFY2(refused.errorMessage().contains(u"gone.desc"_s), qPrintable(refused.errorMessage()));
    QCOMPARE(other.decodeRules(), rules);
}

QTEST_MAIN(TestDecodersApp)
#include "tst_decodersapp.moc"
