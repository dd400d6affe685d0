// MessageDetailView with a real MessageStore: the header, every tab, copy and save, big and hostile
// messages. Over 800 lines on purpose: one test class per file (DESIGN.md section 10); the pages'
// shared interface is tested once, over every page, in tst_detailpages.

#include <memory>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QSyntaxHighlighter>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QToolButton>
#include <QTreeView>

#include "../uitestsupport.h"
#include "compose/inlinemessage.h"
#include "detail/hexview.h"
#include "detail/imagepreview.h"
#include "detail/jsontreemodel.h"
#include "detail/messagedetailview.h"
#include "detail/messageformat.h"
#include "testappearance.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

using Tab = MessageDetailView::Tab;

namespace {

StoredMessage makeMessage(Frames frames, Direction direction = Direction::In)
{
    StoredMessage message;
    message.seq = 42;
    message.timestampUs = 1714566896789123; // 2024-05-01T12:34:56.789123Z
    message.socket = 3;
    message.direction = direction;
    message.frames = std::move(frames);
    return message;
}

StoredMessage makeEnvelope(const QByteArray &mimetype, const QByteArray &body, const QByteArray &id = "msg-1")
{
    return makeMessage({ id, mimetype, body });
}

QByteArray pngBytes(int width, int height)
{
    QImage image(width, height, QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(QColor(0x1e, 0x88, 0xe5));
    painter.setPen(Qt::NoPen);
    painter.drawEllipse(QRectF(2, 2, width - 4, height - 4));
    painter.end();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

/// The Value column of the Envelope tab's top-level row whose Field is field.
QString envelopeField(const QAbstractItemModel *model, const QString &field)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data().toString() == field)
            return model->index(row, 1).data().toString();
    }
    return u"<no field %1>"_s.arg(field);
}

QModelIndex envelopeRow(const QAbstractItemModel *model, const QString &field)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data().toString() == field)
            return model->index(row, 0);
    }
    return {};
}

} // namespace

class TestMessageDetailView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void startsEmpty();
    void envelope();
    void routedEnvelope();
    void rawMessage_data();
    void rawMessage();
    void jsonFormattedAndTree();
    void jsonScalarRoot();
    void deeplyNestedJson();
    void sniffedJsonThatIsNotJson();
    void largeJsonParsesInWorker();
    void staleWorkerResultIsDropped();
    void untrustedMarkupIsLiteral_data();
    void untrustedMarkupIsLiteral();
    void pngImage_data();
    void pngImage();
    void undecodableImage();
    void largeBodyPreview();
    void binaryBodyPicksHex();
    void tooLargeJsonSaysWhyInTheTab();
    void textTabEscapesLikeFramesTab();
    void copyActions();
    void copyActionsOnBinaryAndRaw();
    void saveBodyAndFrameToFile();
    void framesOpenInHex();
    void userTabChoiceSticks();
    void clearShowsPlaceholder();

private:
    template<typename T> T *child(const QString &name) const
    {
        auto *widget = m_view->findChild<T *>(name);
        if (!widget)
            qWarning("no child %s", qPrintable(name));
        return widget;
    }
    [[nodiscard]] QAbstractItemModel *envelopeModel() const
    {
        return child<QTreeView>(u"envelopeTree"_s)->model();
    }
    [[nodiscard]] QAbstractItemModel *framesModel() const
    {
        return child<QTableView>(u"framesTable"_s)->model();
    }
    [[nodiscard]] QAbstractItemModel *jsonModel() const { return child<QTreeView>(u"jsonTree"_s)->model(); }
    [[nodiscard]] QString bodyText() const { return child<QPlainTextEdit>(u"textEdit"_s)->toPlainText(); }
    [[nodiscard]] HexView *hexView() const { return child<HexView>(u"hexView"_s); }
    void clickTab(Tab tab);

    std::unique_ptr<MessageDetailView> m_view;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
};

void TestMessageDetailView::initTestCase()
{
    // Save to File remembers its folder: never in the user's own settings.
    uitest::useTestSettings(u"tst_messagedetailview"_s);
}

void TestMessageDetailView::init()
{
    QGuiApplication::clipboard()->clear();
    m_view = std::make_unique<MessageDetailView>();
    m_view->resize(uitest::windowSize({ 720, 520 }));
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    for (auto *model : { envelopeModel(), framesModel(), jsonModel() }) {
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    }
}

void TestMessageDetailView::cleanup()
{
    m_testers.clear();
    m_view.reset();
}

void TestMessageDetailView::clickTab(Tab tab)
{
    auto *bar = child<QTabWidget>(u"tabs"_s)->tabBar();
    QTest::mouseClick(bar, Qt::LeftButton, {}, bar->tabRect(int(tab)).center());
}

void TestMessageDetailView::startsEmpty()
{
    QVERIFY(!m_view->hasMessage());
    QVERIFY(child<QLabel>(u"placeholderLabel"_s)->isVisible());
    QVERIFY(!child<QTabWidget>(u"tabs"_s)->isVisible());
    QVERIFY(!child<QToolButton>(u"copyButton"_s)->isEnabled());
    for (int tab = 0; tab < MessageDetailView::TabCount; ++tab)
        QVERIFY(!m_view->isTabEnabled(Tab(tab)));
}

void TestMessageDetailView::envelope()
{
    m_view->setMessage(makeEnvelope("text/plain", "hello world", "order-17"), u"orders"_s);
    QVERIFY(child<QTabWidget>(u"tabs"_s)->isVisible());
    QCOMPARE(m_view->currentTab(), Tab::TextTab);
    QCOMPARE(bodyText(), u"hello world"_s);

    auto *model = envelopeModel();
    QCOMPARE(envelopeField(model, u"Sequence"_s), u"42"_s);
    QCOMPARE(envelopeField(model, u"Time (UTC)"_s), u"2024-05-01T12:34:56.789123Z"_s);
    QVERIFY(envelopeField(model, u"Time"_s).endsWith(u".789"_s));
    QCOMPARE(envelopeField(model, u"Socket"_s), u"orders"_s);
    QCOMPARE(envelopeField(model, u"Direction"_s), u"in (received)"_s);
    QCOMPARE(envelopeField(model, u"Kind"_s), u"Envelope (id, mimetype, body)"_s);
    QCOMPARE(envelopeField(model, u"ID"_s), u"“order-17”"_s);
    QCOMPARE(envelopeField(model, u"Mimetype"_s), u"text/plain"_s);
    QCOMPARE(envelopeField(model, u"Body"_s), u"11 bytes, text"_s);
    QVERIFY(!envelopeRow(model, u"Request frames"_s).isValid());
    QVERIFY(child<QWidget>(u"rawBanner"_s)->isHidden());

    const auto summary = child<QLabel>(u"summaryLabel"_s)->text();
    QVERIFY2(summary.startsWith(u"#42 · received on orders · "_s), qPrintable(summary));

    // Tabs that do not apply are disabled, with our reason as their tool tip.
    QVERIFY(m_view->isTabEnabled(Tab::EnvelopeTab));
    QVERIFY(m_view->isTabEnabled(Tab::HexTab));
    QVERIFY(m_view->isTabEnabled(Tab::FramesTab));
    QVERIFY(!m_view->isTabEnabled(Tab::JsonTab));
    QVERIFY(!m_view->isTabEnabled(Tab::ImageTab));
    auto *tabs = child<QTabWidget>(u"tabs"_s);
    QVERIFY(!tabs->isTabEnabled(int(Tab::JsonTab)));
    QCOMPARE(tabs->tabToolTip(int(Tab::JsonTab)), m_view->tabDisabledReason(Tab::JsonTab));
    QVERIFY(m_view->tabDisabledReason(Tab::JsonTab).contains(u"not JSON"_s));
    QVERIFY(m_view->tabDisabledReason(Tab::ImageTab).contains(u"image/*"_s));
    QVERIFY(tabs->tabToolTip(int(Tab::TextTab)).isEmpty());

    // Hex shows the body, Frames every frame.
    QCOMPARE(hexView()->data(), QByteArrayLiteral("hello world"));
    QCOMPARE(child<QComboBox>(u"hexSource"_s)->currentIndex(), 2);
    QCOMPARE(framesModel()->rowCount(), 3);
    QCOMPARE(framesModel()->index(0, 1).data().toString(), u"id"_s);
    QCOMPARE(framesModel()->index(2, 1).data().toString(), u"body"_s);
    QCOMPARE(framesModel()->index(2, 4).data().toString(), u"hello world"_s);
}

void TestMessageDetailView::routedEnvelope()
{
    const QByteArray routingId = QByteArrayLiteral("\x00\x80\x00\x41\xa7");
    m_view->setMessage(makeMessage({ routingId, QByteArrayLiteral("client-7"), QByteArray(), "req-9",
                                       "application/json", R"({"op":"ping"})" },
                           Direction::Out),
        u"router"_s);
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
    auto *model = envelopeModel();
    QCOMPARE(envelopeField(model, u"Kind"_s),
        u"Routed envelope: 2 request frames, delimiter, id, mimetype, body"_s);
    QCOMPARE(envelopeField(model, u"Direction"_s), u"out (sent)"_s);
    QCOMPARE(envelopeField(model, u"Request frames"_s), u"2"_s);
    const auto requestFrames = envelopeRow(model, u"Request frames"_s);
    QCOMPARE(model->rowCount(requestFrames), 2);
    QCOMPARE(model->index(0, 1, requestFrames).data().toString(), u"5 bytes · hex 00 80 00 41 a7"_s);
    QCOMPARE(model->index(1, 1, requestFrames).data().toString(), u"8 bytes · “client-7”"_s);
    QVERIFY(child<QTreeView>(u"envelopeTree"_s)->isExpanded(requestFrames));
    QCOMPARE(envelopeField(model, u"ID"_s), u"“req-9”"_s);

    QCOMPARE(framesModel()->rowCount(), 6);
    const QStringList roles { u"request 1"_s, u"request 2"_s, u"delimiter"_s, u"id"_s, u"mimetype"_s,
        u"body"_s };
    for (int row = 0; row < roles.size(); ++row)
        QCOMPARE(framesModel()->index(row, 1).data().toString(), roles.at(row));
    QCOMPARE(framesModel()->index(0, 3).data().toString(), u"00 80 00 41 a7"_s);
    QCOMPARE(framesModel()->index(0, 2).data().toString(), u"5"_s);
    QCOMPARE(framesModel()->index(2, 2).data().toString(), u"0"_s);
}

void TestMessageDetailView::rawMessage_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::newRow("1 frame") << Frames { QByteArrayLiteral("just one") };
    QTest::newRow("2 frames") << Frames { QByteArrayLiteral("topic"), QByteArrayLiteral("payload") };
    QTest::newRow("4 frames, no delimiter") << Frames { QByteArrayLiteral("a"), QByteArrayLiteral("b"),
        QByteArrayLiteral("c"), QByteArrayLiteral("d") };
}

void TestMessageDetailView::rawMessage()
{
    QFETCH(Frames, frames);
    const auto reason = Envelope::parse(frames).reason;
    QVERIFY(!reason.isEmpty());
    m_view->setMessage(makeMessage(frames), u"pull"_s);

    QCOMPARE(m_view->currentTab(), Tab::FramesTab);
    QVERIFY(!child<QWidget>(u"rawBanner"_s)->isHidden());
    QCOMPARE(child<QLabel>(u"rawReason"_s)->text(), u"Not a Dploy envelope: %1."_s.arg(reason));
    auto *model = envelopeModel();
    QCOMPARE(envelopeField(model, u"Kind"_s), u"Raw message (not an envelope)"_s);
    QCOMPARE(envelopeField(model, u"Not an envelope"_s), reason);
    QCOMPARE(envelopeField(model, u"Frames"_s), QString::number(frames.size()));
    QCOMPARE(model->rowCount(envelopeRow(model, u"Frames"_s)), frames.size());

    for (auto tab : { Tab::TextTab, Tab::JsonTab, Tab::ImageTab }) {
        QVERIFY(!m_view->isTabEnabled(tab));
        QVERIFY(m_view->tabDisabledReason(tab).contains(u"raw message has no body"_s));
    }
    QCOMPARE(framesModel()->rowCount(), frames.size());
    QCOMPARE(framesModel()->index(0, 1).data().toString(), QString()); // no roles in a raw message
    QCOMPARE(hexView()->data(), frames.first());

    m_view->copyBodyAsText();
    QVERIFY(child<QLabel>(u"statusLabel"_s)->text().contains(u"raw message has no body"_s));
    QVERIFY(QGuiApplication::clipboard()->text().isEmpty());
}

void TestMessageDetailView::jsonFormattedAndTree()
{
    m_view->setMessage(makeEnvelope("application/json",
                           R"({"name":"zmq","n":[1,2.5,-3e2],"ok":true,"nothing":null,"empty":{}})"),
        u"telemetry"_s);
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
    auto *text = child<QPlainTextEdit>(u"jsonText"_s);
    QVERIFY(text->isVisible());
    const auto formatted = text->toPlainText();
    QVERIFY2(formatted.contains(u"\n    \"name\": \"zmq\","_s), qPrintable(formatted));
    QVERIFY(formatted.startsWith(u"{\n"_s));
    QVERIFY2(formatted.contains(u"\n    \"empty\": {},\n"_s), qPrintable(formatted));

    // The highlighter colours keys, strings, numbers and literals differently.
    auto formatAt = [text](const QString &lineStart, const QString &token) {
        for (auto block = text->document()->begin(); block.isValid(); block = block.next()) {
            if (!block.text().trimmed().startsWith(lineStart))
                continue;
            const int position = int(block.text().indexOf(token));
            for (const auto &range : block.layout()->formats()) {
                if (position >= range.start && position < range.start + range.length)
                    return range.format.foreground().color();
            }
            return QColor();
        }
        return QColor();
    };
    const auto keyColor = formatAt(u"\"name\""_s, u"\"name\""_s);
    const auto stringColor = formatAt(u"\"name\""_s, u"\"zmq\""_s);
    const auto numberColor = formatAt(u"2.5"_s, u"2.5"_s);
    const auto literalColor = formatAt(u"\"ok\""_s, u"true"_s);
    QVERIFY(keyColor.isValid() && stringColor.isValid() && numberColor.isValid() && literalColor.isValid());
    QCOMPARE(formatAt(u"\"nothing\""_s, u"null"_s), literalColor);
    QCOMPARE(formatAt(u"-300"_s, u"-300"_s), numberColor);
    QVERIFY(keyColor != stringColor && stringColor != numberColor && numberColor != literalColor);

    // The tree: keys in order, values as plain text, expand and collapse all.
    QTest::mouseClick(child<QToolButton>(u"jsonTreeButton"_s), Qt::LeftButton);
    auto *tree = child<QTreeView>(u"jsonTree"_s);
    QVERIFY(tree->isVisible());
    auto *model = jsonModel();
    QCOMPARE(model->rowCount(), 5);
    QCOMPARE(model->index(0, 0).data().toString(), u"empty"_s);
    QCOMPARE(model->index(0, 1).data().toString(), u"{0 keys}"_s);
    QCOMPARE(model->index(1, 0).data().toString(), u"n"_s);
    QCOMPARE(model->index(1, 1).data().toString(), u"[3 items]"_s);
    QCOMPARE(model->index(1, 2).data().toString(), u"array"_s);
    QCOMPARE(model->index(2, 1).data().toString(), u"\"zmq\""_s);
    QCOMPARE(model->index(3, 1).data().toString(), u"null"_s);
    QCOMPARE(model->index(4, 1).data().toString(), u"true"_s);
    const auto array = model->index(1, 0);
    QCOMPARE(model->rowCount(array), 3);
    QCOMPARE(model->index(1, 0, array).data().toString(), u"[1]"_s);
    QCOMPARE(model->index(1, 1, array).data().toString(), u"2.5"_s);
    QCOMPARE(model->index(2, 1, array).data().toString(), u"-300"_s);

    QTest::mouseClick(child<QToolButton>(u"collapseAllButton"_s), Qt::LeftButton);
    QVERIFY(!tree->isExpanded(array));
    QTest::mouseClick(child<QToolButton>(u"expandAllButton"_s), Qt::LeftButton);
    QVERIFY(tree->isExpanded(array));
    QTest::mouseClick(child<QToolButton>(u"collapseAllButton"_s), Qt::LeftButton);
    QVERIFY(!tree->isExpanded(array));

    // The tree mode stays for the next JSON message.
    m_view->setMessage(makeEnvelope("application/json", R"([{"a":1}])"), u"telemetry"_s);
    QVERIFY(tree->isVisible());
    QCOMPARE(jsonModel()->index(0, 0).data().toString(), u"[0]"_s);
    QCOMPARE(jsonModel()->index(0, 1).data().toString(), u"{1 key}"_s);
    QTest::mouseClick(child<QToolButton>(u"jsonFormattedButton"_s), Qt::LeftButton);
    QVERIFY(text->isVisible());
}

void TestMessageDetailView::jsonScalarRoot()
{
    m_view->setMessage(makeEnvelope("application/json", "\"just a string\""), u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
    QCOMPARE(child<QPlainTextEdit>(u"jsonText"_s)->toPlainText(), u"\"just a string\""_s);
    QCOMPARE(jsonModel()->rowCount(), 1);
    QCOMPARE(jsonModel()->index(0, 0).data().toString(), u"(value)"_s);
    QCOMPARE(jsonModel()->index(0, 1).data().toString(), u"\"just a string\""_s);
    QCOMPARE(jsonModel()->index(0, 2).data().toString(), u"string"_s);
}

void TestMessageDetailView::deeplyNestedJson()
{
    const QByteArray body = QByteArray(5000, '[') + QByteArray(5000, ']');
    m_view->setMessage(makeEnvelope("application/json", body), u"deep"_s);
    // The JSON tab is chosen and shows the parser's error instead of crashing.
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
    auto *message = child<QLabel>(u"jsonMessage"_s);
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(u"too deeply nested document"_s), qPrintable(message->text()));
    QVERIFY(message->text().contains(u"The Text and Hex tabs still show the body."_s));
    QCOMPARE(jsonModel()->rowCount(), 0);
    QVERIFY(!child<QToolButton>(u"jsonTreeButton"_s)->isEnabled());

    // Text and Hex still work.
    clickTab(Tab::TextTab);
    QCOMPARE(m_view->currentTab(), Tab::TextTab);
    // Lines are broken every MaxDisplayLineChars characters for display, nothing else changes.
    QCOMPARE(bodyText().remove(u'\n'), QString::fromLatin1(body));
    QCOMPARE(bodyText().indexOf(u'\n'), MessageDetailView::MaxDisplayLineChars);
    QVERIFY(child<QLabel>(u"textNote"_s)->text().contains(u"are broken for display"_s));
    clickTab(Tab::HexTab);
    QCOMPARE(m_view->currentTab(), Tab::HexTab);
    QCOMPARE(hexView()->data(), body);
    QCOMPARE(hexView()->lineText(0),
        u"00000000  5b 5b 5b 5b 5b 5b 5b 5b  5b 5b 5b 5b 5b 5b 5b 5b  [[[[[[[[[[[[[[[["_s);

    // Also an object nested that deep.
    QByteArray objects;
    for (int i = 0; i < 5000; ++i)
        objects += "{\"a\":";
    objects += '1';
    objects += QByteArray(5000, '}');
    m_view->setMessage(makeEnvelope("application/json", objects), u"deep"_s);
    clickTab(Tab::JsonTab);
    QVERIFY2(message->text().contains(u"too deeply nested document"_s), qPrintable(message->text()));
}

void TestMessageDetailView::sniffedJsonThatIsNotJson()
{
    // A text body that merely starts with a brace: JSON explains, but Text is the better first tab.
    m_view->setMessage(makeEnvelope("text/plain", "{not json at all"), u"t"_s);
    QCOMPARE(m_view->currentTab(), Tab::TextTab);
    QVERIFY(m_view->isTabEnabled(Tab::JsonTab));
    clickTab(Tab::JsonTab);
    QVERIFY(child<QLabel>(u"jsonMessage"_s)->text().startsWith(u"This body is not valid JSON: "_s));

    // A sniffed body that parses gets the JSON tab, if the user has not chosen another one.
    m_view->setMessage(makeEnvelope("text/plain", "[1, 2]"), u"t"_s);
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
}

void TestMessageDetailView::largeJsonParsesInWorker()
{
    QJsonArray array;
    for (int i = 0; i < 40000; ++i)
        array.append(QJsonObject { { u"index"_s, i }, { u"name"_s, u"item number %1"_s.arg(i) } });
    const auto body = QJsonDocument(array).toJson(QJsonDocument::Compact);
    QVERIFY(body.size() > MessageDetailView::JsonWorkerThreshold);
    m_view->setMessage(makeEnvelope("application/json", body), u"big"_s);
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
    QVERIFY(m_view->isDecoding());
    QVERIFY(child<QLabel>(u"jsonMessage"_s)->text().startsWith(u"Parsing "_s));
    QTRY_VERIFY_WITH_TIMEOUT(!m_view->isDecoding(), 20000);
    auto *text = child<QPlainTextEdit>(u"jsonText"_s);
    QVERIFY(text->isVisible());
    QVERIFY(text->toPlainText().startsWith(u"[\n    {\n        \"index\": 0,"_s));
    // The formatted text is a preview; the note says how much of it is shown.
    QVERIFY(text->toPlainText().size() <= MessageDetailView::FormattedJsonLimit);
    QVERIFY(child<QLabel>(u"jsonNote"_s)->text().startsWith(u"Showing the first "_s));

    // The tree hands rows out in batches, so a view never lays out 40,000 rows at once.
    QTest::mouseClick(child<QToolButton>(u"jsonTreeButton"_s), Qt::LeftButton);
    auto *model = qobject_cast<JsonTreeModel *>(jsonModel());
    QVERIFY(model);
    QCOMPARE(model->totalChildCount(), 40000);
    // (The model tester fetches a few batches itself while it checks the model.)
    const int fetched = model->rowCount();
    QVERIFY(fetched >= JsonTreeModel::FetchBatch && fetched < 40000);
    QCOMPARE(fetched % JsonTreeModel::FetchBatch, 0);
    QVERIFY(model->canFetchMore({}));
    auto *tree = child<QTreeView>(u"jsonTree"_s);
    // Too many top-level rows to open them all by default.
    QVERIFY(!tree->isExpanded(model->index(0, 0)));
    tree->scrollToBottom();
    QTRY_VERIFY(model->rowCount() > fetched);
    const auto last = model->rowCount() - 1;
    QCOMPARE(model->index(last, 0).data().toString(), u"[%1]"_s.arg(last));
    QCOMPARE(model->index(last, 1).data().toString(), u"{2 keys}"_s);

    // More values than Expand All takes: a note says so instead of freezing.
    QTest::mouseClick(child<QToolButton>(u"expandAllButton"_s), Qt::LeftButton);
    QVERIFY(!tree->isExpanded(model->index(0, 0)));
    QVERIFY(child<QLabel>(u"jsonNote"_s)->text().contains(u"too many to expand at once"_s));
}

void TestMessageDetailView::staleWorkerResultIsDropped()
{
    QByteArray big = QByteArrayLiteral("[");
    for (int i = 0; i < 150 * 1024; ++i)
        big += "1,";
    big += "1]";
    QVERIFY(big.size() > MessageDetailView::JsonWorkerThreshold);
    m_view->setMessage(makeEnvelope("application/json", big), u"big"_s);
    QVERIFY(m_view->isDecoding());
    m_view->setMessage(makeEnvelope("application/json", R"({"small":true})"), u"small"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!m_view->isDecoding(), 20000);
    QCOMPARE(jsonModel()->rowCount(), 1);
    QCOMPARE(jsonModel()->index(0, 0).data().toString(), u"small"_s);
}

void TestMessageDetailView::untrustedMarkupIsLiteral_data()
{
    QTest::addColumn<Frames>("frames");
    const QByteArray markup = QByteArrayLiteral("<b>x</b><img src=file:///etc/passwd>");
    QTest::newRow("text/html") << Frames { QByteArrayLiteral("<i>id</i>"), QByteArrayLiteral("text/html"),
        markup };
    QTest::newRow("application/json")
        << Frames { QByteArrayLiteral("<i>id</i>"), QByteArrayLiteral("application/json"), markup };
    QTest::newRow("image/png") << Frames { QByteArrayLiteral("<i>id</i>"), QByteArrayLiteral("image/png"),
        markup };
    QTest::newRow("markup mimetype") << Frames { QByteArrayLiteral("<i>id</i>"),
        QByteArrayLiteral("<h1>type</h1>"), markup };
    QTest::newRow("raw") << Frames { markup, QByteArrayLiteral("<i>second</i>") };
}

void TestMessageDetailView::untrustedMarkupIsLiteral()
{
    QFETCH(Frames, frames);
    const auto markup = QStringLiteral("<b>x</b><img src=file:///etc/passwd>");
    m_view->setMessage(makeMessage(frames), u"<u>socket</u>"_s);
    // Visit every tab so that every page has been laid out and painted.
    for (int tab = 0; tab < MessageDetailView::TabCount; ++tab) {
        if (m_view->isTabEnabled(Tab(tab))) {
            clickTab(Tab(tab));
            QVERIFY(!m_view->grab().isNull());
        }
    }

    QVERIFY(child<QLabel>(u"summaryLabel"_s)->text().contains(u"<u>socket</u>"_s));
    QCOMPARE(envelopeField(envelopeModel(), u"Socket"_s), u"<u>socket</u>"_s);
    const bool raw = frames.size() == 2;
    if (raw) {
        QCOMPARE(framesModel()->index(0, 4).data().toString(), markup);
        QCOMPARE(framesModel()->index(1, 4).data().toString(), u"<i>second</i>"_s);
        QCOMPARE(hexView()->data(), frames.first());
    } else {
        QCOMPARE(bodyText(), markup);
        QCOMPARE(envelopeField(envelopeModel(), u"ID"_s), u"“<i>id</i>”"_s);
        QCOMPARE(framesModel()->index(2, 4).data().toString(), markup);
        QCOMPARE(hexView()->data(), frames.last());
    }
    QCOMPARE(hexView()->lineText(0).right(16), markup.left(16));

    // No label anywhere may interpret text as rich text, and no tool tip carries message bytes.
    const auto labels = m_view->findChildren<QLabel *>();
    QVERIFY(labels.size() > 10);
    for (auto *label : labels) {
        QVERIFY2(
            label->textFormat() == Qt::PlainText, qPrintable(label->objectName() + u": "_s + label->text()));
    }
    const auto widgets = m_view->findChildren<QWidget *>();
    for (auto *widget : widgets) {
        QVERIFY2(!widget->toolTip().contains(u'<'), qPrintable(widget->toolTip()));
        QVERIFY(!widget->toolTip().contains(u"passwd"_s));
    }
    auto *tabs = child<QTabWidget>(u"tabs"_s);
    for (int tab = 0; tab < tabs->count(); ++tab)
        QVERIFY(!tabs->tabToolTip(tab).contains(u'<'));
    for (auto *model : { envelopeModel(), framesModel(), jsonModel() }) {
        for (int row = 0; row < model->rowCount(); ++row) {
            for (int column = 0; column < model->columnCount(); ++column)
                QVERIFY(!model->index(row, column).data(Qt::ToolTipRole).isValid());
        }
    }
}

void TestMessageDetailView::pngImage_data()
{
    QTest::addColumn<QByteArray>("mimetype");
    QTest::newRow("image/png") << QByteArrayLiteral("image/png");
    QTest::newRow("sniffed from the signature") << QByteArrayLiteral("application/octet-stream");
}

void TestMessageDetailView::pngImage()
{
    QFETCH(QByteArray, mimetype);
    const auto png = pngBytes(64, 48);
    m_view->setMessage(makeEnvelope(mimetype, png), u"camera"_s);
    QCOMPARE(m_view->currentTab(), Tab::ImageTab);
    auto *preview = child<ImagePreview>(u"imagePreview"_s);
    QVERIFY(preview->isVisible());
    QCOMPARE(preview->image().size(), QSize(64, 48));
    QCOMPARE(preview->imageRect().size(), QSize(64, 48)); // small images are not scaled up
    const auto info = child<QLabel>(u"imageInfo"_s)->text();
    QVERIFY2(info.startsWith(u"PNG · 64 × 48 pixels · 32-bit colour with alpha · "_s), qPrintable(info));

    // Larger than the pane: scaled down to fit, aspect ratio kept.
    m_view->setMessage(makeEnvelope(mimetype, pngBytes(2000, 1000)), u"camera"_s);
    QCOMPARE(preview->image().size(), QSize(2000, 1000));
    const auto rect = preview->imageRect();
    QVERIFY(preview->rect().contains(rect));
    QVERIFY(rect.width() < 2000);
    QVERIFY(qAbs(rect.width() - 2 * rect.height()) <= 2);
}

void TestMessageDetailView::undecodableImage()
{
    m_view->setMessage(makeEnvelope("image/png", "\x89PNG\r\n\x1a\nbut then garbage"), u"camera"_s);
    QCOMPARE(m_view->currentTab(), Tab::ImageTab);
    auto *message = child<QLabel>(u"imageMessage"_s);
    QVERIFY(message->isVisible());
    QVERIFY2(
        message->text().startsWith(u"Cannot decode this body as an image: "_s), qPrintable(message->text()));
    QVERIFY(child<ImagePreview>(u"imagePreview"_s)->image().isNull());
    // Text still shows it (QPlainTextEdit turns the CR LF into one line break).
    QVERIFY2(bodyText().startsWith(u"\\x89PNG\n\\x1a\n"_s), qPrintable(bodyText()));
}

void TestMessageDetailView::largeBodyPreview()
{
    const qsizetype size = qsizetype { 64 } << 20;
    QByteArray body(size, 'a');
    body.replace(size - 4, 4, "END\n");
    m_view->setMessage(makeEnvelope("text/plain", body), u"big"_s);
    QCOMPARE(m_view->currentTab(), Tab::TextTab);
    QCOMPARE(bodyText().remove(u'\n').size(), MessageDetailView::TextPreviewBytes);
    const auto note = child<QLabel>(u"textNote"_s)->text();
    QVERIFY2(note.startsWith(u"Showing the first %1 of %2 bytes; the Hex tab shows all of them.\n"_s.arg(
                 QLocale().toString(MessageDetailView::TextPreviewBytes), QLocale().toString(size))),
        qPrintable(note));

    clickTab(Tab::HexTab);
    auto *hex = hexView();
    QCOMPARE(hex->data().size(), size);
    QCOMPARE(hex->lineCount(), size / 16);
    QCOMPARE(hex->lineText(size / 16 - 1).right(16), u"aaaaaaaaaaaaEND."_s);
    QVERIFY(!m_view->grab().isNull());

    // Not valid UTF-8 at all: the invalid bytes are escaped, with a note.
    m_view->setMessage(makeEnvelope("text/plain", "ok \xff\xfe bytes"), u"t"_s);
    QCOMPARE(bodyText(), u"ok \\xff\\xfe bytes"_s);
    QVERIFY(child<QLabel>(u"textNote"_s)->text().contains(u"Not valid UTF-8"_s));
}

void TestMessageDetailView::textTabEscapesLikeFramesTab()
{
    // Invalid bytes, NUL and ESC: the Text tab writes them as the Frames tab does (one codec), and every
    // character it or its note shows is one the font it uses can draw (no boxes with Debian's fonts).
    const QByteArray body = QByteArrayLiteral("ok \xff\xfe nul \x00 esc \x1b[31m bytes");
    m_view->setMessage(makeEnvelope("text/plain", body), u"t"_s);
    QVERIFY(m_view->setCurrentTab(Tab::TextTab)); // a NUL makes it binary: Hex is the first choice
    QCOMPARE(bodyText(), u"ok \\xff\\xfe nul \\x00 esc \\x1b[31m bytes"_s);
    QCOMPARE(framesModel()->index(2, 4).data().toString(), bodyText());
    auto *note = child<QLabel>(u"textNote"_s);
    QVERIFY2(note->text().contains(u"\\xff"_s), qPrintable(note->text()));
    QVERIFY2(note->text().contains(u"\\x00 (NUL)"_s), qPrintable(note->text()));
    const auto drawable = [](const QString &text, const QFont &font) {
        const QFontMetrics metrics(font);
        for (const char32_t c : text.toUcs4()) {
            if (c != U'\n' && !metrics.inFontUcs4(c))
                return u"U+%1 is not in %2"_s.arg(uint(c), 4, 16, QChar(u'0')).arg(font.family());
        }
        return QString();
    };
    const QString inText = drawable(bodyText(), child<QPlainTextEdit>(u"textEdit"_s)->font());
    QVERIFY2(inText.isEmpty(), qPrintable(inText));
    const QString inNote = drawable(note->text(), note->font());
    QVERIFY2(inNote.isEmpty(), qPrintable(inNote));
}

void TestMessageDetailView::tooLargeJsonSaysWhyInTheTab()
{
    // Over the JSON view's limit the tab stays open and its page says why, not only a tool tip.
    const QByteArray body = "{\"a\": \"" + QByteArray(MessageDetailView::JsonSizeLimit, 'x') + "\"}";
    m_view->setMessage(makeEnvelope("application/json", body), u"big"_s);
    QVERIFY(m_view->isTabEnabled(Tab::JsonTab));
    QVERIFY(m_view->tabDisabledReason(Tab::JsonTab).isEmpty());
    auto *tabs = child<QTabWidget>(u"tabs"_s);
    QVERIFY(tabs->isTabEnabled(int(Tab::JsonTab)));
    clickTab(Tab::JsonTab);
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
    auto *message = child<QLabel>(u"jsonMessage"_s);
    QVERIFY(message->isVisible());
    QCOMPARE(message->textFormat(), Qt::PlainText);
    const QString limit
        = QLocale().formattedDataSize(MessageDetailView::JsonSizeLimit, 0, QLocale::DataSizeIecFormat);
    QVERIFY2(message->text().contains(u"takes bodies up to %1"_s.arg(limit)), qPrintable(message->text()));
    QVERIFY(!child<QToolButton>(u"jsonTreeButton"_s)->isEnabled());
    QVERIFY(!m_view->isDecoding());

    // A small JSON body afterwards is shown as JSON again.
    m_view->setMessage(makeEnvelope("application/json", R"({"a":1})"), u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
    QVERIFY(!message->isVisible());
    QVERIFY(child<QToolButton>(u"jsonTreeButton"_s)->isEnabled());
}

void TestMessageDetailView::binaryBodyPicksHex()
{
    m_view->setMessage(
        makeEnvelope("application/octet-stream", QByteArrayLiteral("\x00\x01\x02\x03\xff")), u"b"_s);
    QCOMPARE(m_view->currentTab(), Tab::HexTab);
    QCOMPARE(envelopeField(envelopeModel(), u"Body"_s), u"5 bytes, binary"_s);
    m_view->setMessage(makeEnvelope("text/plain", QByteArray()), u"b"_s);
    QCOMPARE(m_view->currentTab(), Tab::EnvelopeTab);
    QCOMPARE(child<QLabel>(u"textNote"_s)->text(), u"The body is empty."_s);
}

void TestMessageDetailView::copyActions()
{
    const QByteArray body = QByteArrayLiteral("h\xc3\xa9llo <b>");
    m_view->setMessage(makeMessage({ QByteArrayLiteral("peer-1"), QByteArray(), QByteArrayLiteral("id-5"),
                           QByteArrayLiteral("text/plain"), body }),
        u"router"_s);
    auto *clipboard = QGuiApplication::clipboard();

    // Through the Copy button's menu, as a user would.
    auto *button = child<QToolButton>(u"copyButton"_s);
    QVERIFY(button->isEnabled());
    const auto actions = button->menu()->actions();
    auto trigger = [&actions](const QString &text) {
        for (auto *action : actions) {
            if (action->text().remove(u'&') == text) {
                QVERIFY(action->isEnabled());
                action->trigger();
                return;
            }
        }
        QFAIL(qPrintable(u"no action "_s + text));
    };
    trigger(u"Copy Body as Text"_s);
    QCOMPARE(clipboard->text(), u"héllo <b>"_s);
    QCOMPARE(child<QLabel>(u"statusLabel"_s)->text(), u"Copied the body as text (10 bytes)."_s);
    trigger(u"Copy Body as Hex"_s);
    QCOMPARE(clipboard->text(), u"68 c3 a9 6c 6c 6f 20 3c 62 3e"_s);
    trigger(u"Copy Body as Base64"_s);
    QCOMPARE(clipboard->text(), QString::fromLatin1(body.toBase64()));
    trigger(u"Copy Message as JSON"_s);
    const auto line = clipboard->text();
    QVERIFY(!line.contains(u'\n'));
    const auto object = QJsonDocument::fromJson(line.toUtf8()).object();
    QCOMPARE(object.value(u"ts"_s).toString(), u"2024-05-01T12:34:56.789123Z"_s);
    QCOMPARE(object.value(u"socket"_s).toString(), u"router"_s);
    QCOMPARE(object.value(u"dir"_s).toString(), u"in"_s);
    QCOMPARE(object.value(u"id"_s).toString(), u"id-5"_s);
    QCOMPARE(object.value(u"mimetype"_s).toString(), u"text/plain"_s);
    QCOMPARE(object.value(u"body"_s).toString(), u"héllo <b>"_s);
    const auto frames = object.value(u"frames"_s).toArray();
    QCOMPARE(frames.size(), 5);
    QCOMPARE(QByteArray::fromBase64(frames.at(0).toString().toLatin1()), QByteArrayLiteral("peer-1"));
    QCOMPARE(QByteArray::fromBase64(frames.at(4).toString().toLatin1()), body);

    // The hex view's selection copies go through the same status line.
    clickTab(Tab::HexTab);
    hexView()->setSelection(0, 3);
    QTest::keyClick(hexView(), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(clipboard->text(), u"68 c3 a9"_s);
    QCOMPARE(child<QLabel>(u"statusLabel"_s)->text(), u"Copied 3 bytes as hex."_s);
}

void TestMessageDetailView::copyActionsOnBinaryAndRaw()
{
    const QByteArray body = QByteArrayLiteral("\xff\x00\x01");
    m_view->setMessage(makeEnvelope("application/octet-stream", body), u"bin"_s);
    m_view->copyMessageAsJson();
    const auto object = QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8()).object();
    QVERIFY(!object.contains(u"body"_s));
    QCOMPARE(QByteArray::fromBase64(object.value(u"body_base64"_s).toString().toLatin1()), body);

    m_view->setMessage(makeMessage({ QByteArrayLiteral("a"), QByteArrayLiteral("b") }), u"raw"_s);
    const auto actions = child<QToolButton>(u"copyButton"_s)->menu()->actions();
    int enabled = 0;
    for (auto *action : actions)
        enabled += action->isEnabled() && !action->isSeparator() ? 1 : 0;
    QCOMPARE(enabled, 1); // only "Copy Message as JSON"
    m_view->copyMessageAsJson();
    const auto raw = QJsonDocument::fromJson(QGuiApplication::clipboard()->text().toUtf8()).object();
    QCOMPARE(raw.value(u"frames"_s).toArray().size(), 2);
    QVERIFY(!raw.contains(u"id"_s));
}

void TestMessageDetailView::saveBodyAndFrameToFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto readFile = [](const QString &path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<cannot read>");
    };
    const auto status = [this] { return InlineMessage::text(child<QLabel>(u"statusLabel"_s)); };

    // A body over the clipboard limit, every byte value in it: copying refuses, saving writes it exactly.
    QByteArray body(MessageFormat::ClipboardLimit + 3, Qt::Uninitialized);
    for (qsizetype i = 0; i < body.size(); ++i)
        body[i] = char(i * 7 % 256);
    m_view->setMessage(makeMessage({ QByteArrayLiteral("route\x00\xff"), QByteArray(),
                           QByteArrayLiteral("id-1"), QByteArrayLiteral("application/octet-stream"), body }),
        u"s"_s);
    m_view->copyBodyAsBase64();
    QVERIFY2(status().startsWith(u"Nothing copied"_s), qPrintable(status()));

    // Through the Copy button's menu, as a user would: the action opens a save dialog.
    QAction *save = nullptr;
    for (auto *action : child<QToolButton>(u"copyButton"_s)->menu()->actions()) {
        if (action->objectName() == u"saveBodyAction"_s)
            save = action;
    }
    QVERIFY(save);
    // QVERIFY(save) returned if it was null; the analyzer cannot see that QTest::qVerify() returns its
    // argument.
    QVERIFY(save->isEnabled()); // NOLINT(clang-analyzer-core.CallAndMessage)
    save->trigger();
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_view->findChild<QFileDialog *>(u"saveFileDialog"_s)) && dialog->isVisible());
    QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
    QVERIFY2(dialog->selectedFiles().value(0).endsWith(u"message-42-body.bin"_s),
        qPrintable(dialog->selectedFiles().value(0)));
    const QString bodyPath = dir.filePath(u"body.bin"_s);
    dialog->selectFile(bodyPath);
    static_cast<QDialog *>(dialog)->accept(); // what the Save button does
    QTRY_COMPARE(QFileInfo(bodyPath).size(), body.size());
    QVERIFY(readFile(bodyPath) == body);
    QVERIFY2(status().startsWith(u"Saved the body"_s), qPrintable(status()));
    QVERIFY2(status().contains(QDir::toNativeSeparators(bodyPath)), qPrintable(status()));

    // A frame, binary bytes and all, from the Frames tab's action.
    QFileDialog *frameDialog = m_view->saveFrameToFile(0);
    QVERIFY(frameDialog);
    const QString framePath = dir.filePath(u"frame.bin"_s);
    frameDialog->selectFile(framePath);
    static_cast<QDialog *>(frameDialog)->accept();
    QTRY_VERIFY(QFileInfo::exists(framePath));
    QCOMPARE(readFile(framePath), QByteArrayLiteral("route\x00\xff"));
    QVERIFY(m_view->saveFrameTo(1, framePath)); // the empty delimiter: an empty file, replaced whole
    QCOMPARE(QFileInfo(framePath).size(), 0);

    // Errors name the file and what went wrong; nothing is left behind.
    const QString missing = dir.filePath(u"no-such-folder/body.bin"_s);
    QVERIFY(!m_view->saveBodyTo(missing));
    QVERIFY2(status().startsWith(u"Could not save the body to "_s)
            && status().contains(QDir::toNativeSeparators(missing)),
        qPrintable(status()));
    QVERIFY(!QFileInfo::exists(missing));
    QVERIFY(!m_view->saveBodyTo(dir.path()));
    QVERIFY2(status().contains(u"it is a folder"_s), qPrintable(status()));
    QVERIFY(!m_view->saveFrameTo(7, framePath));

    // A raw message has no body to save.
    m_view->setMessage(makeMessage({ QByteArrayLiteral("a"), QByteArrayLiteral("b") }), u"raw"_s);
    QVERIFY(!save->isEnabled());
    QVERIFY(!m_view->saveBodyTo(bodyPath));
    QCOMPARE(readFile(bodyPath).size(), body.size());
}

void TestMessageDetailView::framesOpenInHex()
{
    m_view->setMessage(makeMessage({ QByteArrayLiteral("route"), QByteArray(), QByteArrayLiteral("the-id"),
                           QByteArrayLiteral("text/plain"), QByteArrayLiteral("body text") }),
        u"r"_s);
    clickTab(Tab::FramesTab);
    QCOMPARE(m_view->currentTab(), Tab::FramesTab);
    auto *table = child<QTableView>(u"framesTable"_s);
    auto *open = child<QToolButton>(u"openInHexButton"_s);
    QVERIFY(!open->isEnabled());
    table->setCurrentIndex(framesModel()->index(2, 0));
    QVERIFY(open->isEnabled());
    QVERIFY(open->isVisible());
    QTest::mouseClick(open, Qt::LeftButton);
    QCOMPARE(m_view->currentTab(), Tab::HexTab);
    QCOMPARE(hexView()->data(), QByteArrayLiteral("the-id"));
    QCOMPARE(child<QComboBox>(u"hexSource"_s)->currentIndex(), 2);
    QCOMPARE(child<QComboBox>(u"hexSource"_s)->currentText(), u"Frame 3 (id) · 6 bytes"_s);

    // Double-click a row.
    clickTab(Tab::FramesTab);
    const auto rect = table->visualRect(framesModel()->index(0, 4));
    // A double click is a press and release followed by a press that comes as a double-click event.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(m_view->currentTab(), Tab::HexTab);
    QCOMPARE(hexView()->data(), QByteArrayLiteral("route"));

    // Choosing a frame in the Hex tab's combo box.
    auto *source = child<QComboBox>(u"hexSource"_s);
    source->setCurrentIndex(4);
    Q_EMIT source->activated(4);
    QCOMPARE(hexView()->data(), QByteArrayLiteral("body text"));
}

void TestMessageDetailView::userTabChoiceSticks()
{
    const auto json = makeEnvelope("application/json", R"({"a":1})");
    m_view->setMessage(json, u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::JsonTab);
    clickTab(Tab::TextTab);
    QCOMPARE(m_view->currentTab(), Tab::TextTab);

    m_view->setMessage(json, u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::TextTab);
    m_view->setMessage(makeEnvelope("image/png", pngBytes(8, 8)), u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::TextTab);

    // A raw message has no Text tab: the best tab is shown, the choice is kept for later.
    m_view->setMessage(makeMessage({ QByteArrayLiteral("raw") }), u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::FramesTab);
    m_view->setMessage(json, u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::TextTab);

    // Opening a frame in Hex is a one-off jump, not a new choice.
    m_view->showFrameInHex(0);
    QCOMPARE(m_view->currentTab(), Tab::HexTab);
    m_view->setMessage(json, u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::TextTab);

    // setCurrentTab() is a choice too, refused for disabled tabs.
    QVERIFY(!m_view->setCurrentTab(Tab::ImageTab));
    QVERIFY(m_view->setCurrentTab(Tab::HexTab));
    m_view->setMessage(makeEnvelope("text/plain", "t"), u"s"_s);
    QCOMPARE(m_view->currentTab(), Tab::HexTab);
}

void TestMessageDetailView::clearShowsPlaceholder()
{
    m_view->setMessage(makeEnvelope("text/plain", "something"), u"s"_s);
    QVERIFY(m_view->hasMessage());
    m_view->clear();
    QVERIFY(!m_view->hasMessage());
    QVERIFY(child<QLabel>(u"placeholderLabel"_s)->isVisible());
    QVERIFY(!child<QToolButton>(u"copyButton"_s)->isEnabled());
    QCOMPARE(envelopeModel()->rowCount(), 0);
    QCOMPARE(framesModel()->rowCount(), 0);
    QCOMPARE(hexView()->data().size(), 0);
    QVERIFY(bodyText().isEmpty());
    m_view->copyMessageAsJson();
    QVERIFY(QGuiApplication::clipboard()->text().isEmpty());
}

QTEST_MAIN(TestMessageDetailView)
#include "tst_messagedetailview.moc"
