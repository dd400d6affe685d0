// MessageTableModel over a real MessageStore: batches, columns, eviction, pause, filter, the row window.
// Over 800 lines on purpose: one test class per file (DESIGN.md section 10) for one class.

#include <memory>

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QDateTime>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>

#include "messagetablemodel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestMessageTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void rowsArriveInOneBatchPerRefresh();
    void columns_data();
    void columns();
    void untrustedTextIsShownLiterally();
    void previewIsCutAndEscaped();
    void socketNames();
    void evictionKeepsModelConsistent();
    void selectionFollowsItsMessageThroughEviction();
    void clearRemovesEveryRow();
    void pauseStopsInsertingButNotStoring();
    void filter_data();
    void filter();
    void filterKeepsAppendingMatches();
    void emptyFilterShowsEverythingAgain();
    void filterSearchesEveryFrame_data();
    void filterSearchesEveryFrame();
    void filteredRowsStayConsistentThroughEviction();
    void lowerLimitWhileRowsAreShown_data();
    void lowerLimitWhileRowsAreShown();
    void previewLengthFollowsPreferences();
    void windowBoundsTheRows();
    void followingSlidesTheWindow();
    void windowThroughEviction_data();
    void windowThroughEviction();
    void movingTheWindowKeepsRowsConsistent_data();
    void movingTheWindowKeepsRowsConsistent();
    void smallMoveKeepsPersistentIndexes();
    void filterWithWindow();
    void timeDisplay();
    void rowTextsOutsideTheWindow();

private:
    std::uint64_t append(SocketId socket, Direction direction, const Frames &frames)
    {
        return m_store->append(socket, direction, MessageStore::nowUs(), frames);
    }
    void appendEnvelopes(int count, const QByteArray &mimetype = "text/plain");
    // Refreshes until the filter worker has caught up, then returns the row count.
    int settledRowCount();

    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<MessageTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestMessageTableModel::init()
{
    m_store = std::make_unique<MessageStore>();
    m_model = std::make_unique<MessageTableModel>(*m_store);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestMessageTableModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_store.reset();
}

void TestMessageTableModel::appendEnvelopes(int count, const QByteArray &mimetype)
{
    for (int i = 0; i < count; ++i)
        append(
            1, Direction::In, { "id-" + QByteArray::number(i), mimetype, "body " + QByteArray::number(i) });
}

int TestMessageTableModel::settledRowCount()
{
    const bool settled = QTest::qWaitFor(
        [this] {
            m_model->refresh();
            return m_model->isCaughtUp();
        },
        10000);
    return settled && !m_model->isScanning() ? m_model->totalRows() : -1;
}

void TestMessageTableModel::rowsArriveInOneBatchPerRefresh()
{
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    appendEnvelopes(1000);
    QCOMPARE(m_model->rowCount(), 0); // nothing before the tick
    m_model->refresh();
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 999);
    QCOMPARE(m_model->rowCount(), 1000);

    appendEnvelopes(7);
    m_model->refresh();
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 1000);
    QCOMPARE(inserted.at(1).at(2).toInt(), 1006);

    m_model->refresh(); // nothing new: no signal
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(m_model->data(m_model->index(1006, MessageTableModel::IdColumn)).toString(), u"id-6"_s);
    QCOMPARE(m_model->seqAt(1006), m_store->endSeq() - 1);
}

void TestMessageTableModel::columns_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<int>("direction");
    QTest::addColumn<QString>("dir");
    QTest::addColumn<QString>("route");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("mimetype");
    QTest::addColumn<QString>("preview");
    QTest::addColumn<bool>("raw");

    QTest::newRow("envelope") << Frames { "temp.1", "application/json", R"({"t":21.5})" }
                              << int(Direction::In) << u"in"_s << QString() << u"temp.1"_s
                              << u"application/json"_s << u"{\"t\":21.5}"_s << false;
    QTest::newRow("routed, binary routing id")
        << Frames { QByteArray::fromHex("006b8b4567"), "", "req-7", "text/plain", "hello" }
        << int(Direction::In) << u"in"_s << u"0x006b8b4567"_s << u"req-7"_s << u"text/plain"_s << u"hello"_s
        << false;
    QTest::newRow("routed, two text frames")
        << Frames { "peer-a", "hop-2", "", "x", "text/plain", "hi" } << int(Direction::In) << u"in"_s
        << u"peer-a | hop-2"_s << u"x"_s << u"text/plain"_s << u"hi"_s << false;
    QTest::newRow("sent envelope") << Frames { "cmd", "text/plain", "go" } << int(Direction::Out) << u"out"_s
                                   << QString() << u"cmd"_s << u"text/plain"_s << u"go"_s << false;
    QTest::newRow("raw, 2 frames") << Frames { "topic", "payload" } << int(Direction::In) << u"in"_s
                                   << QString() << QString() << u"raw, 2 frames"_s
                                   << u"[not an envelope: 2 frames, an envelope needs 3] topic"_s << true;
    QTest::newRow("raw, 1 frame") << Frames { "ping" } << int(Direction::In) << u"in"_s << QString()
                                  << QString() << u"raw, 1 frame"_s
                                  << u"[not an envelope: 1 frame, an envelope needs 3] ping"_s << true;
    QTest::newRow("raw, 5 frames without delimiter")
        << Frames { "a", "b", "c", "d", "e" } << int(Direction::In) << u"in"_s << QString() << QString()
        << u"raw, 5 frames"_s
        << u"[not an envelope: 5 frames, no empty delimiter before id, mimetype, body] a"_s << true;
    QTest::newRow("binary body") << Frames { "blob", "application/octet-stream",
        QByteArray("\x89PNG\0\x01", 6) }
                                 << int(Direction::In) << u"in"_s << QString() << u"blob"_s
                                 << u"application/octet-stream"_s << u"89 50 4e 47 00 01"_s << false;
}

void TestMessageTableModel::columns()
{
    QFETCH(Frames, frames);
    QFETCH(int, direction);
    QFETCH(QString, dir);
    QFETCH(QString, route);
    QFETCH(QString, id);
    QFETCH(QString, mimetype);
    QFETCH(QString, preview);
    QFETCH(bool, raw);

    m_model->setSocketNames({ { 4, u"ROUTER 1"_s } });
    const std::uint64_t seq = append(4, Direction(direction), frames);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 1);
    const auto text = [this](int column) { return m_model->index(0, column).data().toString(); };
    QCOMPARE(text(MessageTableModel::SeqColumn), QString::number(seq));
    QVERIFY2(QRegularExpression(u"^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d$"_s)
                 .match(text(MessageTableModel::TimeColumn))
                 .hasMatch(),
        qPrintable(text(MessageTableModel::TimeColumn)));
    QCOMPARE(text(MessageTableModel::SocketColumn), u"ROUTER 1"_s);
    QCOMPARE(text(MessageTableModel::DirectionColumn), dir);
    QCOMPARE(text(MessageTableModel::RouteColumn), route);
    QCOMPARE(text(MessageTableModel::IdColumn), id);
    QCOMPARE(text(MessageTableModel::MimetypeColumn), mimetype);
    qsizetype total = 0;
    for (const QByteArray &frame : frames)
        total += frame.size();
    QCOMPARE(text(MessageTableModel::SizeColumn), u"%1 B"_s.arg(total));
    QCOMPARE(text(MessageTableModel::PreviewColumn), preview);

    // Raw rows are told apart by colour in the mimetype and preview columns, and say why in a tool tip.
    const QModelIndex mimeIndex = m_model->index(0, MessageTableModel::MimetypeColumn);
    QCOMPARE(mimeIndex.data(Qt::ForegroundRole).isValid(), raw);
    QCOMPARE(mimeIndex.data(Qt::ToolTipRole).toString().startsWith(u"Not a Dploy envelope"_s), raw);
    QCOMPARE(m_model->index(0, 0).data(MessageTableModel::KindRole).toInt() == int(MessageKind::Raw), raw);
    // Sent rows have a tint, received ones none.
    QCOMPARE(m_model->index(0, MessageTableModel::IdColumn).data(Qt::BackgroundRole).isValid(),
        direction == int(Direction::Out));
    QCOMPARE(m_model->index(0, 0).data(MessageTableModel::SeqRole).toULongLong(), seq);
    // Sizes line up on the right.
    QCOMPARE(
        m_model->index(0, MessageTableModel::SizeColumn).data(Qt::TextAlignmentRole).value<Qt::Alignment>()
            & Qt::AlignRight,
        Qt::AlignRight);
}

void TestMessageTableModel::untrustedTextIsShownLiterally()
{
    const QByteArray html = "<b>x</b><img src=file:///etc/passwd>";
    append(1, Direction::In, { html, "text/html", html });
    m_model->refresh();
    for (int column : { int(MessageTableModel::IdColumn), int(MessageTableModel::PreviewColumn) }) {
        const QModelIndex index = m_model->index(0, column);
        QCOMPARE(index.data().toString(), QString::fromUtf8(html));
        // Payload never goes into a tool tip, where Qt would render it as rich text.
        QVERIFY(!index.data(Qt::ToolTipRole).isValid());
    }
    // Bidi overrides and zero-width characters are shown as codes, not applied.
    append(1, Direction::In, { "id", "text/plain", QString(u"abc\u202Edef\u200Bg"_s).toUtf8() });
    m_model->refresh();
    QCOMPARE(m_model->index(1, MessageTableModel::PreviewColumn).data().toString(),
        u"abc\\u{202e}def\\u{200b}g"_s);
}

void TestMessageTableModel::previewIsCutAndEscaped()
{
    QByteArray body = "line 1\nline 2\ttab\x1b[31m";
    body += QByteArray(300, 'x');
    append(1, Direction::In, { "id", "text/plain", body });
    // Multi-byte text cut in the middle of a character still reads as text.
    QByteArray accents;
    for (int i = 0; i < 400; ++i)
        accents += "\xc3\xa9"; // é
    append(1, Direction::In, { "id", "text/plain", accents });
    m_model->refresh();

    const QString preview = m_model->index(0, MessageTableModel::PreviewColumn).data().toString();
    QVERIFY2(preview.startsWith(u"line 1\\nline 2\\ttab\\x1b[31m"_s), qPrintable(preview));
    QVERIFY(preview.endsWith(u'\u2026'));
    // 120 characters, of which the escapes of \n, \t and ESC take 5 more, and the ellipsis.
    QCOMPARE(preview.size(), MessageTableModel::PreviewChars + 5 + 1);

    const QString accented = m_model->index(1, MessageTableModel::PreviewColumn).data().toString();
    QCOMPARE(accented, QString(MessageTableModel::PreviewChars, u'\u00e9') + u'\u2026');
}

void TestMessageTableModel::socketNames()
{
    append(7, Direction::In, { "a", "b", "c" });
    m_model->refresh();
    QCOMPARE(m_model->index(0, MessageTableModel::SocketColumn).data().toString(), u"#7"_s);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_model->setSocketNames({ { 7, u"SUB 1"_s } });
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_model->index(0, MessageTableModel::SocketColumn).data().toString(), u"SUB 1"_s);
}

void TestMessageTableModel::evictionKeepsModelConsistent()
{
    MessageStore::Limits limits;
    limits.maxMessages = 64; // four chunks of 16 records
    m_store->setLimits(limits);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);

    for (int round = 0; round < 20; ++round) {
        appendEnvelopes(10);
        m_model->refresh();
        QCOMPARE(std::uint64_t(m_model->rowCount()), m_store->size());
        QCOMPARE(m_model->seqAt(0), m_store->firstSeq());
        QCOMPARE(m_model->seqAt(m_model->rowCount() - 1), m_store->endSeq() - 1);
        // Every row still shows its own message.
        for (int row = 0; row < m_model->rowCount(); ++row)
            QVERIFY(!m_model->index(row, MessageTableModel::IdColumn).data().toString().isEmpty());
    }
    QVERIFY(m_store->stats().evicted > 0);
    QVERIFY(!removed.isEmpty());
    for (const QList<QVariant> &args : removed)
        QCOMPARE(args.at(1).toInt(), 0); // always at the top
}

void TestMessageTableModel::selectionFollowsItsMessageThroughEviction()
{
    MessageStore::Limits limits;
    limits.maxMessages = 64;
    m_store->setLimits(limits);
    appendEnvelopes(40);
    m_model->refresh();
    const QPersistentModelIndex kept = m_model->index(35, MessageTableModel::IdColumn);
    const QPersistentModelIndex evicted = m_model->index(0, MessageTableModel::IdColumn);
    const QString keptId = kept.data().toString();
    appendEnvelopes(40);
    m_model->refresh();
    QVERIFY(m_store->firstSeq() > 0);
    QVERIFY(kept.isValid());
    QCOMPARE(kept.data().toString(), keptId);
    QVERIFY(!evicted.isValid());
}

void TestMessageTableModel::clearRemovesEveryRow()
{
    appendEnvelopes(50);
    m_model->refresh();
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    m_store->clear();
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(removed.size(), 1);
    appendEnvelopes(3);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(m_model->seqAt(0), std::uint64_t(50)); // sequence numbers keep counting
}

void TestMessageTableModel::pauseStopsInsertingButNotStoring()
{
    appendEnvelopes(5);
    m_model->refresh();
    m_model->setPaused(true);
    appendEnvelopes(12);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(m_store->size(), std::uint64_t(17));
    QCOMPARE(m_model->hiddenNewCount(), std::uint64_t(12));
    m_model->setPaused(false);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 17);
    QCOMPARE(m_model->hiddenNewCount(), std::uint64_t(0));
}

void TestMessageTableModel::filter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<uint>("socket");
    QTest::addColumn<int>("direction"); // -1: both
    QTest::addColumn<QStringList>("expectedIds");

    QTest::newRow("id") << u"temp"_s << 0u << -1 << QStringList { u"temp.kitchen"_s, u"temp.garage"_s };
    QTest::newRow("id, case-insensitive") << u"TEMP.GAR"_s << 0u << -1 << QStringList { u"temp.garage"_s };
    QTest::newRow("mimetype") << u"application/json"_s << 0u << -1
                              << QStringList { u"temp.kitchen"_s, u"cmd"_s };
    QTest::newRow("body") << u"overheat"_s << 0u << -1 << QStringList { u"alarm"_s };
    QTest::newRow("body, non-ASCII") << u"Grüße"_s << 0u << -1 << QStringList { u"greeting"_s };
    QTest::newRow("socket") << QString() << 2u << -1 << QStringList { u"temp.garage"_s, u"greeting"_s };
    QTest::newRow("direction out") << QString() << 0u << int(Direction::Out) << QStringList { u"cmd"_s };
    QTest::newRow("socket and text") << u"temp"_s << 2u << -1 << QStringList { u"temp.garage"_s };
    QTest::newRow("nothing matches") << u"no such thing"_s << 0u << -1 << QStringList {};
}

void TestMessageTableModel::filter()
{
    QFETCH(QString, text);
    QFETCH(uint, socket);
    QFETCH(int, direction);
    QFETCH(QStringList, expectedIds);

    append(1, Direction::In, { "temp.kitchen", "application/json", R"({"t":21})" });
    append(2, Direction::In, { "temp.garage", "text/plain", "12 C" });
    append(1, Direction::In, { "alarm", "text/plain", "pump OVERHEAT at 09:12" });
    append(1, Direction::Out, { "cmd", "application/json", R"({"reset":true})" });
    append(2, Direction::In, { "greeting", "text/plain", QString(u"Grüße"_s).toUtf8() });
    append(1, Direction::In, { "only", "two frames" }); // raw: matched on its first frame only
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 6);

    MessageFilter filter;
    filter.setText(text);
    filter.setSocket(socket);
    if (direction >= 0)
        filter.setDirection(Direction(direction));
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    m_model->setFilter(filter);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(settledRowCount(), int(expectedIds.size()));
    QStringList ids;
    for (int row = 0; row < m_model->rowCount(); ++row)
        ids.append(m_model->index(row, MessageTableModel::IdColumn).data().toString());
    QCOMPARE(ids, expectedIds);
}

void TestMessageTableModel::filterKeepsAppendingMatches()
{
    appendEnvelopes(2000); // ids id-0 .. id-1999
    m_model->refresh();
    MessageFilter filter;
    filter.setText(u"id-19"_s); // id-19, id-190..199, id-1900..1999
    m_model->setFilter(filter);
    QCOMPARE(settledRowCount(), 1 + 10 + 100);

    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    append(1, Direction::In, { "xid-19x", "text/plain", "new match" });
    append(1, Direction::In, { "other", "text/plain", "not a match" });
    QCOMPARE(settledRowCount(), 112);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(m_model->index(111, MessageTableModel::IdColumn).data().toString(), u"xid-19x"_s);
    QCOMPARE(m_model->rowForSeq(m_store->endSeq() - 2), 111);
    QCOMPARE(m_model->rowForSeq(m_store->endSeq() - 1), -1);
}

void TestMessageTableModel::emptyFilterShowsEverythingAgain()
{
    appendEnvelopes(30);
    m_model->refresh();
    MessageFilter filter;
    filter.setText(u"id-2"_s);
    m_model->setFilter(filter);
    QCOMPARE(settledRowCount(), 11);
    m_model->setFilter(MessageFilter());
    QCOMPARE(m_model->rowCount(), 30);
    QVERIFY(!m_model->isScanning());
    QCOMPARE(m_model->rowForSeq(5), 5);
}

void TestMessageTableModel::filterSearchesEveryFrame_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("matches");

    QByteArray big(qsizetype { 10 } * 1024, 'x');
    big.replace(9000, 8, "NEEDLE42");
    QByteArray huge(qsizetype { 3 } * 1024 * 1024, 'y');
    huge.replace(huge.size() - 8, 8, "tail-end");
    QTest::newRow("body, far past 4 KiB") << Frames { "big", "text/plain", big } << u"needle42"_s << true;
    QTest::newRow("body, last bytes of 3 MiB")
        << Frames { "huge", "application/octet-stream", huge } << u"TAIL-END"_s << true;
    QTest::newRow("body, not there") << Frames { "big", "text/plain", big } << u"needle43"_s << false;
    QTest::newRow("routing frame") << Frames { "peer-kitchen", "", "r1", "text/plain", "x" } << u"kitchen"_s
                                   << true;
    QTest::newRow("second routing frame")
        << Frames { QByteArray::fromHex("00a1b2c3d4"), "hop-garage", "", "r1", "text/plain", "x" }
        << u"hop-gar"_s << true;
    QTest::newRow("raw, second frame")
        << Frames { "topic", "payload with sensor-9" } << u"SENSOR-9"_s << true;
    QTest::newRow("no match across frames") << Frames { "abc", "text/plain", "def" } << u"cdef"_s << false;
    QTest::newRow("needle longer than every frame") << Frames { "a", "b", "c" } << u"abc"_s << false;
    QTest::newRow("one character") << Frames { "id", "text/plain", "Q" } << u"q"_s << true;
    QTest::newRow("non-ASCII is exact")
        << Frames { "id", "text/plain", QString(u"Straße"_s).toUtf8() } << u"straße"_s << false;
    QTest::newRow("binary body") << Frames { "id", "application/octet-stream",
        QByteArray("\x00\xffmagic\x00", 8) }
                                 << u"MAGIC"_s << true;
}

void TestMessageTableModel::filterSearchesEveryFrame()
{
    QFETCH(Frames, frames);
    QFETCH(QString, text);
    QFETCH(bool, matches);

    appendEnvelopes(3);
    const std::uint64_t seq = append(1, Direction::In, frames);
    appendEnvelopes(3);
    MessageFilter filter;
    filter.setText(text);
    m_model->setFilter(filter);
    QCOMPARE(settledRowCount(), matches ? 1 : 0);
    if (matches)
        QCOMPARE(m_model->seqAt(0), seq);
}

void TestMessageTableModel::filteredRowsStayConsistentThroughEviction()
{
    MessageStore::Limits limits;
    limits.maxMessages = 64; // chunks of 4 records
    m_store->setLimits(limits);
    MessageFilter filter;
    filter.setText(u"id-1"_s); // id-1, id-10..19, id-100..
    m_model->setFilter(filter);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);

    for (int round = 0; round < 30; ++round) {
        appendEnvelopes(7 + round % 5); // id-0 .. id-6 at least: id-1 and later id-10 match
        QVERIFY(settledRowCount() > 0);
        // Every row is a held message that passes; the ones before the store's first are gone.
        for (int row = 0; row < m_model->rowCount(); ++row) {
            QVERIFY(m_model->seqAt(row) >= m_store->firstSeq());
            QVERIFY(m_model->index(row, MessageTableModel::IdColumn).data().toString().contains(u"id-1"_s));
        }
    }
    const int rows = settledRowCount();
    QVERIFY(rows > 0);
    QVERIFY(m_store->stats().evicted > 0);
    QVERIFY(!removed.isEmpty());
    // What is shown is exactly what a fresh scan of the store finds.
    std::uint64_t expected = 0;
    StoredMessage message;
    for (std::uint64_t seq = m_store->firstSeq(); seq < m_store->endSeq(); ++seq)
        expected += m_store->message(seq, message) && message.frames.at(0).contains("id-1") ? 1 : 0;
    QCOMPARE(std::uint64_t(rows), expected);
}

void TestMessageTableModel::lowerLimitWhileRowsAreShown_data()
{
    QTest::addColumn<bool>("filtered");
    QTest::newRow("all rows") << false;
    QTest::newRow("filtered") << true;
}

void TestMessageTableModel::lowerLimitWhileRowsAreShown()
{
    QFETCH(bool, filtered);
    MessageStore::Limits limits;
    limits.chunkBytes = 4096; // about 60 messages a chunk, so a lower limit evicts close to it
    m_store->setLimits(limits);
    appendEnvelopes(3000);
    if (filtered) {
        MessageFilter filter;
        filter.setText(u"body"_s); // every message
        m_model->setFilter(filter);
    }
    QCOMPARE(settledRowCount(), 3000);
    const QPersistentModelIndex newest = m_model->index(2999, MessageTableModel::IdColumn);
    const QPersistentModelIndex oldest = m_model->index(0, MessageTableModel::IdColumn);

    limits.maxMessages = 1000; // what the Preferences dialog does, with rows on screen
    m_store->setLimits(limits);
    QVERIFY(m_store->size() <= 1000);
    QCOMPARE(m_model->rowCount(), 3000); // rows of evicted messages stay until the tick
    m_model->refresh();
    QCOMPARE(std::uint64_t(m_model->rowCount()), m_store->size());
    QCOMPARE(m_model->seqAt(0), m_store->firstSeq());
    QVERIFY(!oldest.isValid());
    QVERIFY(newest.isValid());
    QCOMPARE(newest.data().toString(), u"id-2999"_s);

    // Raising it again keeps what is there and lets it grow.
    limits.maxMessages = 5000;
    m_store->setLimits(limits);
    appendEnvelopes(100);
    QCOMPARE(settledRowCount(), int(m_store->size()));
}

void TestMessageTableModel::previewLengthFollowsPreferences()
{
    append(1, Direction::In, { "id", "text/plain", QByteArray(1000, 'p') });
    m_model->refresh();
    const QModelIndex preview = m_model->index(0, MessageTableModel::PreviewColumn);
    QCOMPARE(preview.data().toString().size(), MessageTableModel::PreviewChars + 1); // and the ellipsis
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_model->setPreviewChars(500);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(preview.data().toString(), QString(500, u'p') + u'\u2026');
    m_model->setPreviewChars(40);
    QCOMPARE(preview.data().toString(), QString(40, u'p') + u'\u2026');
}

// Every window row stands for the logical row windowFirst() + row, and back.
static bool windowIsConsistent(const MessageTableModel &model)
{
    if (model.rowCount() > model.windowRows() || model.windowFirst() < 0
        || model.windowFirst() + model.rowCount() > model.totalRows())
        return false;
    for (int row = 0; row < model.rowCount(); ++row) {
        const std::uint64_t seq = model.seqAt(row);
        if (seq != model.seqAtLogical(model.windowFirst() + row) || model.rowForSeq(seq) != row
            || model.logicalRowForSeq(seq) != model.windowFirst() + row
            || model.index(row, MessageTableModel::SeqColumn).data().toString() != QString::number(seq))
            return false;
    }
    return true;
}

void TestMessageTableModel::windowBoundsTheRows()
{
    m_model->setWindowRows(100);
    appendEnvelopes(3000);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 100);
    QCOMPARE(m_model->totalRows(), 3000);
    QCOMPARE(m_model->windowFirst(), 2900); // following the newest rows
    QVERIFY(windowIsConsistent(*m_model));
    QCOMPARE(m_model->seqAt(99), m_store->endSeq() - 1);
    // The first message is a logical row, not a window row.
    QCOMPARE(m_model->logicalRowForSeq(m_store->firstSeq()), 0);
    QCOMPARE(m_model->seqAtLogical(0), m_store->firstSeq());
    QCOMPARE(m_model->rowForSeq(m_store->firstSeq()), -1);
    QCOMPARE(m_model->rowForSeq(m_store->endSeq()), -1);
    QCOMPARE(m_model->logicalRowForSeq(m_store->endSeq()), -1);
}

void TestMessageTableModel::followingSlidesTheWindow()
{
    m_model->setWindowRows(100);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    appendEnvelopes(60);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 60);
    QCOMPARE(m_model->windowFirst(), 0);
    QVERIFY(removed.isEmpty());

    // Less than a window more: the window fills up and slides by the rest; the rows kept stay.
    const QPersistentModelIndex kept = m_model->index(59, 0);
    appendEnvelopes(70);
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 100);
    QCOMPARE(m_model->windowFirst(), 30);
    QCOMPARE(m_model->seqAt(99), m_store->endSeq() - 1);
    QVERIFY(kept.isValid());
    QCOMPARE(kept.row(), 29);
    QVERIFY(windowIsConsistent(*m_model));

    // More than a window: the window is replaced at the tail.
    appendEnvelopes(1000);
    m_model->refresh();
    QCOMPARE(m_model->windowFirst(), 1030);
    QCOMPARE(m_model->seqAt(99), m_store->endSeq() - 1);
    QVERIFY(windowIsConsistent(*m_model));

    // Not following: new rows only grow the total; the window stays on what the user looks at.
    m_model->setFollowingTail(false);
    m_model->setWindowFirst(500);
    const std::uint64_t top = m_model->seqAt(0);
    appendEnvelopes(300);
    m_model->refresh();
    QCOMPARE(m_model->totalRows(), 1430);
    QCOMPARE(m_model->windowFirst(), 500);
    QCOMPARE(m_model->seqAt(0), top);
    QCOMPARE(m_model->rowCount(), 100);
    // Following again: at the tail on the next refresh.
    m_model->setFollowingTail(true);
    m_model->refresh();
    QCOMPARE(m_model->windowFirst(), 1330);
    QVERIFY(windowIsConsistent(*m_model));
}

void TestMessageTableModel::windowThroughEviction_data()
{
    QTest::addColumn<QString>("where");
    QTest::newRow("front") << u"front"_s;
    QTest::newRow("middle") << u"middle"_s;
    QTest::newRow("tail") << u"tail"_s;
}

void TestMessageTableModel::windowThroughEviction()
{
    QFETCH(QString, where);
    MessageStore::Limits limits;
    limits.maxMessages = 1024; // evicted in chunks of 64
    m_store->setLimits(limits);
    m_model->setWindowRows(100);
    appendEnvelopes(1000);
    m_model->refresh();
    m_model->setFollowingTail(where == u"tail"_s);
    if (where == u"front"_s)
        m_model->setWindowFirst(0);
    else if (where == u"middle"_s)
        m_model->setWindowFirst(600);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    const std::uint64_t top = m_model->seqAt(0);

    for (int round = 0; round < 10; ++round) {
        appendEnvelopes(40);
        m_model->refresh();
        QCOMPARE(std::uint64_t(m_model->totalRows()), m_store->size());
        QCOMPARE(m_model->seqAtLogical(0), m_store->firstSeq());
        QCOMPARE(m_model->rowCount(), 100);
        QVERIFY(windowIsConsistent(*m_model));
        if (where == u"front"_s) {
            QCOMPARE(m_model->windowFirst(), 0);
            QCOMPARE(m_model->seqAt(0), m_store->firstSeq());
        } else if (where == u"middle"_s) {
            QCOMPARE(m_model->seqAt(0), top); // eviction before the window leaves it alone
        } else {
            QCOMPARE(m_model->seqAt(99), m_store->endSeq() - 1);
        }
    }
    QVERIFY(m_store->stats().evicted > 0);
    if (where == u"front"_s) {
        QVERIFY(!removed.isEmpty());
        for (const QList<QVariant> &args : removed)
            QCOMPARE(args.at(1).toInt(), 0); // only the evicted top rows
    } else if (where == u"middle"_s) {
        QVERIFY(removed.isEmpty());
    }
}

void TestMessageTableModel::movingTheWindowKeepsRowsConsistent_data()
{
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("expectedFirst");
    QTest::newRow("start") << 0 << 0;
    QTest::newRow("a little down") << 30 << 30;
    QTest::newRow("far") << 1700 << 1700;
    QTest::newRow("back a little") << 1650 << 1650;
    QTest::newRow("before the start") << -40 << 0;
    QTest::newRow("past the end") << 5000 << 1900;
}

void TestMessageTableModel::movingTheWindowKeepsRowsConsistent()
{
    QFETCH(int, first);
    QFETCH(int, expectedFirst);
    m_model->setWindowRows(100);
    appendEnvelopes(2000);
    m_model->refresh();
    m_model->setFollowingTail(false);
    m_model->setWindowFirst(1600);
    m_model->setWindowFirst(first);
    QCOMPARE(m_model->windowFirst(), expectedFirst);
    QCOMPARE(m_model->rowCount(), 100);
    QCOMPARE(m_model->seqAt(0), m_store->firstSeq() + std::uint64_t(expectedFirst));
    QVERIFY(windowIsConsistent(*m_model));
    m_model->centreWindowOn(1000);
    QCOMPARE(m_model->windowFirst(), 950);
    QCOMPARE(m_model->rowForSeq(m_model->seqAtLogical(1000)), 50);
    QVERIFY(windowIsConsistent(*m_model));
}

void TestMessageTableModel::smallMoveKeepsPersistentIndexes()
{
    m_model->setWindowRows(100);
    appendEnvelopes(1000);
    m_model->refresh();
    m_model->setFollowingTail(false);
    m_model->setWindowFirst(400);
    const QPersistentModelIndex index = m_model->index(70, MessageTableModel::IdColumn);
    const QString id = index.data().toString();
    m_model->setWindowFirst(440); // down: 40 rows out at the top, 40 in at the bottom
    QVERIFY(index.isValid());
    QCOMPARE(index.row(), 30);
    QCOMPARE(index.data().toString(), id);
    m_model->setWindowFirst(380); // up
    QVERIFY(index.isValid());
    QCOMPARE(index.row(), 90);
    QCOMPARE(index.data().toString(), id);
    m_model->setWindowFirst(200); // no overlap: its row is gone
    QVERIFY(!index.isValid());
}

void TestMessageTableModel::filterWithWindow()
{
    m_model->setWindowRows(100);
    appendEnvelopes(3000);
    m_model->refresh();
    MessageFilter filter;
    filter.setText(u"id-1"_s); // id-1, id-10..19, id-100..199, id-1000..1999: 1111 messages
    m_model->setFilter(filter);
    QCOMPARE(settledRowCount(), 1111);
    QCOMPARE(m_model->rowCount(), 100);
    QCOMPARE(m_model->windowFirst(), 1011);
    QCOMPARE(m_model->index(99, MessageTableModel::IdColumn).data().toString(), u"id-1999"_s);
    QVERIFY(windowIsConsistent(*m_model));

    m_model->setFollowingTail(false);
    m_model->setWindowFirst(0);
    QCOMPARE(m_model->index(0, MessageTableModel::IdColumn).data().toString(), u"id-1"_s);
    QCOMPARE(m_model->index(1, MessageTableModel::IdColumn).data().toString(), u"id-10"_s);
    QVERIFY(windowIsConsistent(*m_model));
    // A message the filter drops has no logical row; one it keeps has one, in or out of the window.
    QCOMPARE(m_model->logicalRowForSeq(m_store->firstSeq()), -1); // id-0
    QCOMPARE(m_model->logicalRowForSeq(m_store->firstSeq() + 1999), 1110); // id-1999
    QCOMPARE(m_model->rowForSeq(m_store->firstSeq() + 1999), -1);

    // More matches while the window stays at the front: only the total grows.
    appendEnvelopes(50); // id-0 .. id-49 again: 11 match
    QCOMPARE(settledRowCount(), 1122);
    QCOMPARE(m_model->windowFirst(), 0);
    QCOMPARE(m_model->rowCount(), 100);

    // Back to no filter: every message, the window at the tail again when following.
    m_model->setFollowingTail(true);
    m_model->setFilter(MessageFilter());
    QCOMPARE(m_model->totalRows(), 3050);
    QCOMPARE(m_model->windowFirst(), 2950);
    QVERIFY(windowIsConsistent(*m_model));
}

void TestMessageTableModel::timeDisplay()
{
    const std::int64_t start = 1'700'000'000'000'000;
    const std::int64_t offsetsUs[] = { 0, 250, 1'000'000, 1'000'100, 62'500'000 };
    const QByteArray ids[] = { "keep-a", "skip", "keep-b", "skip", "keep-c" };
    for (int i = 0; i < 5; ++i)
        m_store->append(1, Direction::In, start + offsetsUs[i], { ids[i], "text/plain", "x" });
    m_model->refresh();
    const auto times = [this] {
        QStringList cells;
        for (int row = 0; row < m_model->rowCount(); ++row)
            cells.append(m_model->index(row, MessageTableModel::TimeColumn).data().toString());
        return cells;
    };
    QCOMPARE(times().at(0), QDateTime::fromMSecsSinceEpoch(start / 1000).time().toString(u"hh:mm:ss.zzz"_s));
    QCOMPARE(m_model->headerData(MessageTableModel::TimeColumn, Qt::Horizontal).toString(), u"Time"_s);

    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy header(m_model.get(), &QAbstractItemModel::headerDataChanged);
    m_model->setTimeDisplay(MessageTableModel::TimeDisplay::SinceFirst);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(header.size(), 1);
    QCOMPARE(
        times(), QStringList({ u"0.000000"_s, u"0.000250"_s, u"1.000000"_s, u"1.000100"_s, u"62.500000"_s }));
    QVERIFY(m_model->headerData(MessageTableModel::TimeColumn, Qt::Horizontal).toString() != u"Time"_s);

    // The delta is to the row above: with a filter, the previous message shown.
    m_model->setTimeDisplay(MessageTableModel::TimeDisplay::SincePrevious);
    QCOMPARE(times(),
        QStringList({ u"0.000000"_s, u"+0.000250"_s, u"+0.999750"_s, u"+0.000100"_s, u"+61.499900"_s }));
    MessageFilter filter;
    filter.setText(u"keep"_s);
    m_model->setFilter(filter);
    QCOMPARE(settledRowCount(), 3);
    QCOMPARE(times(), QStringList({ u"0.000000"_s, u"+1.000000"_s, u"+61.500000"_s }));

    // After a clear, the next message is the first again; eviction does not move the first.
    m_model->setFilter(MessageFilter());
    m_model->setTimeDisplay(MessageTableModel::TimeDisplay::SinceFirst);
    m_store->clear();
    m_model->resetTimeBase();
    m_model->refresh();
    m_store->append(1, Direction::In, start + 100'000'000, { "d", "text/plain", "x" });
    m_store->append(1, Direction::In, start + 100'500'000, { "e", "text/plain", "x" });
    m_model->refresh();
    QCOMPARE(times(), QStringList({ u"0.000000"_s, u"0.500000"_s }));
}

void TestMessageTableModel::rowTextsOutsideTheWindow()
{
    m_model->setWindowRows(10);
    appendEnvelopes(50);
    m_model->refresh();
    QCOMPARE(m_model->windowFirst(), 40);
    const std::uint64_t outside = m_store->firstSeq() + 3;
    QCOMPARE(m_model->rowForSeq(outside), -1);
    const QStringList cells = m_model->rowTexts(outside);
    QCOMPARE(cells.size(), int(MessageTableModel::ColumnCount));
    QCOMPARE(cells.at(MessageTableModel::SeqColumn), QString::number(outside));
    QCOMPARE(cells.at(MessageTableModel::IdColumn), u"id-3"_s);
    // The same texts as a row in the window shows.
    const std::uint64_t inside = m_model->seqAt(2);
    QStringList shown;
    for (int column = 0; column < MessageTableModel::ColumnCount; ++column)
        shown.append(m_model->index(2, column).data().toString());
    QCOMPARE(m_model->rowTexts(inside), shown);
    QVERIFY(m_model->rowTexts(m_store->endSeq()).isEmpty());
}

QTEST_MAIN(TestMessageTableModel)
#include "tst_messagetablemodel.moc"
