// One contract applied to every page of the Detail pane (Okteta's style): whatever the message,
// a page's whyDisabled() is non-empty exactly when the pane disables its tab (and is that tab's
// tool tip), clear() empties the page and drops its running work, and a page fed a message on its
// own says what it said inside the pane.

#include <QAbstractItemView>
#include <QBuffer>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRandomGenerator>
#include <QTabWidget>
#include <QTest>

#include "detail/detailpage.h"
#include "detail/hexview.h"
#include "detail/imagepreview.h"
#include "detail/messagedetailview.h"
#include "testappearance.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

using Tab = MessageDetailView::Tab;

namespace {

/// Text that appears in the message's id and text bodies, so a page that still shows any of it is found.
constexpr char Marker[] = "marker-7f3a";

QByteArray pngBytes(int width, int height, bool noise)
{
    QImage image(width, height, QImage::Format_ARGB32);
    image.fill(QColor(0x1e, 0x88, 0xe5));
    if (noise) {
        // Noise does not compress: the file is as large as the pixels, which puts it over the worker
        // threshold.
        auto *random = QRandomGenerator::global();
        for (int y = 0; y < height; ++y) {
            auto *line = reinterpret_cast<quint32 *>(image.scanLine(y));
            for (int x = 0; x < width; ++x)
                line[x] = random->generate();
        }
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray bigJson()
{
    QByteArray json = "[";
    while (json.size() <= MessageDetailView::JsonWorkerThreshold)
        json += "{\"name\": \"" + QByteArray(Marker) + "\", \"value\": 12345},";
    json.chop(1);
    return json + "]";
}

/// What of the message a page still shows: texts, rows, bytes, images, choices, labels with the marker.
QStringList shownContent(const QWidget *page)
{
    QStringList shown;
    for (const auto *edit : page->findChildren<QPlainTextEdit *>()) {
        if (!edit->toPlainText().isEmpty())
            shown << edit->objectName() + u" has text"_s;
    }
    for (const auto *view : page->findChildren<QAbstractItemView *>()) {
        if (view->model() && view->model()->rowCount() > 0)
            shown << view->objectName() + u" has rows"_s;
    }
    for (const auto *hex : page->findChildren<HexView *>()) {
        if (!hex->data().isEmpty())
            shown << hex->objectName() + u" has bytes"_s;
    }
    for (const auto *preview : page->findChildren<ImagePreview *>()) {
        if (!preview->image().isNull())
            shown << preview->objectName() + u" has an image"_s;
    }
    for (const auto *combo : page->findChildren<QComboBox *>()) {
        if (combo->count() > 0)
            shown << combo->objectName() + u" has choices"_s;
    }
    for (const auto *label : page->findChildren<QLabel *>()) {
        if (label->text().contains(QLatin1String(Marker)))
            shown << label->objectName() + u" shows the message"_s;
    }
    return shown;
}

} // namespace

class TestDetailPages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void contract_data();
    void contract();
};

void TestDetailPages::contract_data()
{
    QTest::addColumn<int>("tab");
    QTest::addColumn<QByteArrayList>("frames");
    QTest::addColumn<bool>("enabled");

    const QByteArray id = QByteArray("id-") + Marker;
    struct Message
    {
        const char *name;
        QByteArrayList frames;
        // Whether each tab applies, in Tab order: Envelope, Text, JSON, Hex, Image, Frames, Diff (which
        // needs a store, and this view has none).
        std::array<bool, MessageDetailView::TabCount> enabled;
    };
    const QList<Message> messages {
        { "text", { id, "text/plain", QByteArray("hello ") + Marker },
            { true, true, false, true, false, true, false } },
        { "json", { id, "application/json", QByteArray("{\"a\": \"") + Marker + "\"}" },
            { true, true, true, true, false, true, false } },
        { "big json", { id, "application/json", bigJson() }, { true, true, true, true, false, true, false } },
        { "png", { id, "image/png", pngBytes(16, 16, false) },
            { true, true, false, true, true, true, false } },
        { "big png", { id, "image/png", pngBytes(800, 800, true) },
            { true, true, false, true, true, true, false } },
        { "routed", { "peer", "", id, "text/plain", QByteArray(Marker) },
            { true, true, false, true, false, true, false } },
        { "raw", { QByteArray(Marker), "two frames" }, { true, false, false, true, false, true, false } },
    };
    const QStringList tabNames { u"Envelope"_s, u"Text"_s, u"JSON"_s, u"Hex"_s, u"Image"_s, u"Frames"_s,
        u"Diff"_s };
    for (int tab = 0; tab < MessageDetailView::TabCount; ++tab) {
        for (const auto &message : messages) {
            QTest::addRow("%s/%s", qPrintable(tabNames.at(tab)), message.name)
                << tab << message.frames << message.enabled[static_cast<size_t>(tab)];
        }
    }
}

void TestDetailPages::contract()
{
    QFETCH(int, tab);
    QFETCH(QByteArrayList, frames);
    QFETCH(bool, enabled);

    MessageDetailView view;
    view.resize(uitest::windowSize({ 720, 520 }));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *tabs = view.findChild<QTabWidget *>(u"tabs"_s);
    QVERIFY(tabs);
    DetailPage *page = view.page(Tab(tab));
    QCOMPARE(tabs->widget(tab), page);

    // No message: every page says so and shows nothing.
    QVERIFY(!page->whyDisabled().isEmpty());
    QVERIFY(!tabs->isTabEnabled(tab));
    QVERIFY2(shownContent(page).isEmpty(), qPrintable(shownContent(page).join(u", "_s)));

    StoredMessage message;
    message.seq = 7;
    message.timestampUs = 1714566896789123;
    message.frames = frames;
    view.setMessage(message, u"socket"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!view.isDecoding(), 20000);

    // whyDisabled() is non-empty exactly when the tab is disabled, and is its tool tip.
    const QString why = page->whyDisabled();
    QCOMPARE(why.isEmpty(), enabled);
    QCOMPARE(tabs->isTabEnabled(tab), why.isEmpty());
    QCOMPARE(view.isTabEnabled(Tab(tab)), why.isEmpty());
    QCOMPARE(tabs->tabToolTip(tab), why);
    QCOMPARE(view.tabDisabledReason(Tab(tab)), why);
    // The reason is our own sentence, never message bytes (it is shown as a tool tip).
    QVERIFY(!why.contains(QLatin1String(Marker)));
    if (enabled)
        QVERIFY2(!shownContent(page).isEmpty(), "an enabled page shows something of the message");

    // clear() empties the page and says why it does not apply now.
    page->clear();
    QVERIFY2(shownContent(page).isEmpty(), qPrintable(shownContent(page).join(u", "_s)));
    QVERIFY(!page->whyDisabled().isEmpty());
    QVERIFY(!page->isDecoding());

    // Fed the message on its own, the page says what it said inside the pane; cleared at once, work
    // still running for the message (a big JSON body or image) is dropped when it finishes.
    DetailMessage shown { message, u"socket"_s, Envelope::parse(message.frames) };
    page->setMessage(shown);
    QCOMPARE(page->whyDisabled(), why);
    page->clear();
    QTRY_VERIFY_WITH_TIMEOUT(!view.isDecoding(), 20000);
    QVERIFY2(shownContent(page).isEmpty(), qPrintable(shownContent(page).join(u", "_s)));
    QVERIFY(!page->whyDisabled().isEmpty());
}

QTEST_MAIN(TestDetailPages)
#include "tst_detailpages.moc"
