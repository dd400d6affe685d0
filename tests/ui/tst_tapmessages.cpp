// A tap's messages (c2s, s2c, with a peer) in the Messages table, its filter and the Messages pane: their
// own icons, the Peer column, copying, the direction filter and the notice when it alone empties the table.

#include <memory>

#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QIcon>
#include <QImage>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTest>

#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>

#include "capture/messageexport.h"
#include "detail/messageformat.h"
#include "directionicons.h"
#include "filterbar.h"
#include "messagefilter.h"
#include "messagespane.h"
#include "messagetablemodel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

const QByteArray PeerA = QByteArray::fromHex("006b8b4567");
const QByteArray PeerB = QByteArray::fromHex("006b8b4568");

Frames request(const QByteArray &id, const QByteArray &body)
{
    // What a REQ client puts on the wire: its empty delimiter, then the envelope.
    return Frames { QByteArray() } + Envelope::create("text/plain", body, id).transferObject();
}

} // namespace

class TestTapMessages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void directionsHaveTheirOwnIcons();
    void tapRowsShowDirectionAndPeer();
    void filter_data();
    void filter();
    void directionAloneEmptyingThePaneIsSaid();

private:
    void appendConversation();
    int settledRowCount();

    std::unique_ptr<MessageStore> m_store;
    std::unique_ptr<MessageTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestTapMessages::init()
{
    m_store = std::make_unique<MessageStore>();
    m_model = std::make_unique<MessageTableModel>(*m_store);
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestTapMessages::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_store.reset();
}

void TestTapMessages::appendConversation()
{
    // An own socket's message each way, then two clients of a req-rep tap, each asking and answered.
    m_store->append(1, Direction::In, 1, Envelope::create("text/plain", "own in", "mine").transferObject());
    m_store->append(1, Direction::Out, 2, Envelope::create("text/plain", "own out", "mine").transferObject());
    const std::array<NewMessage, 4> tap {
        NewMessage { 2, Direction::ClientToServer, 3, request("ask-a", "from a"), PeerA },
        NewMessage { 2, Direction::ClientToServer, 4, request("ask-b", "from b"), PeerB },
        NewMessage { 2, Direction::ServerToClient, 5, request("ask-a", "to a"), PeerA },
        NewMessage { 2, Direction::ServerToClient, 6, request("ask-b", "to b"), PeerB },
    };
    m_store->append(std::span<const NewMessage>(tap));
}

int TestTapMessages::settledRowCount()
{
    const bool settled = QTest::qWaitFor(
        [this] {
            m_model->refresh();
            return m_model->isCaughtUp();
        },
        10000);
    return settled && !m_model->isScanning() ? m_model->totalRows() : -1;
}

void TestTapMessages::directionsHaveTheirOwnIcons()
{
    // The icons' own images, compared with each other: four different pictures at every size a view asks
    // for, drawn by us (the same on every theme), never null.
    const std::array<Direction, 4> directions { Direction::In, Direction::Out, Direction::ClientToServer,
        Direction::ServerToClient };
    for (const int size : { 16, 24, 32 }) {
        std::vector<QImage> images;
        for (const Direction direction : directions) {
            const QIcon icon = directionicons::icon(direction);
            QVERIFY(!icon.isNull());
            QImage image = icon.pixmap(size, size).toImage().convertToFormat(QImage::Format_ARGB32);
            QVERIFY(!image.isNull());
            QCOMPARE(image.size(), QSize(size, size));
            images.push_back(image);
        }
        for (std::size_t a = 0; a < images.size(); ++a) {
            for (std::size_t b = a + 1; b < images.size(); ++b)
                QVERIFY2(images[a] != images[b],
                    qPrintable(u"%1 and %2 look alike at %3 px"_s
                                   .arg(QString::fromLatin1(directionName(directions[a])),
                                       QString::fromLatin1(directionName(directions[b])))
                                   .arg(size)));
        }
    }
    // The colours differ too, so the text of the Dir column tells them apart at a glance.
    QCOMPARE(
        QSet<QRgb>({ directionicons::color(Direction::In).rgb(), directionicons::color(Direction::Out).rgb(),
                       directionicons::color(Direction::ClientToServer).rgb(),
                       directionicons::color(Direction::ServerToClient).rgb() })
            .size(),
        4);
}

void TestTapMessages::tapRowsShowDirectionAndPeer()
{
    appendConversation();
    m_model->refresh();
    QCOMPARE(m_model->rowCount(), 6);
    const QStringList directions { u"in"_s, u"out"_s, u"c2s"_s, u"c2s"_s, u"s2c"_s, u"s2c"_s };
    const QStringList peers { QString(), QString(), u"006b8b4567"_s, u"006b8b4568"_s, u"006b8b4567"_s,
        u"006b8b4568"_s };
    const QIcon c2s = directionicons::icon(Direction::ClientToServer);
    const QIcon s2c = directionicons::icon(Direction::ServerToClient);
    for (int row = 0; row < 6; ++row) {
        const QModelIndex dir = m_model->index(row, MessageTableModel::DirectionColumn);
        QCOMPARE(dir.data().toString(), directions.at(row));
        QCOMPARE(m_model->index(row, MessageTableModel::PeerColumn).data().toString(), peers.at(row));
        // The icon is the direction's own one, and its words are there for tool tips and screen readers.
        const auto icon = dir.data(Qt::DecorationRole).value<QIcon>();
        const Direction direction = Direction(dir.data(MessageTableModel::DirectionRole).toInt());
        QCOMPARE(icon.pixmap(16).toImage(), directionicons::icon(direction).pixmap(16).toImage());
        QCOMPARE(dir.data(Qt::AccessibleTextRole).toString(), directionicons::description(direction));
        QCOMPARE(dir.data(Qt::ToolTipRole).toString(), directionicons::description(direction));
    }
    QCOMPARE(m_model->index(2, MessageTableModel::DirectionColumn).data(Qt::ToolTipRole).toString(),
        u"c2s: client \u2192 server"_s);
    QCOMPARE(m_model->index(4, MessageTableModel::DirectionColumn).data(Qt::ToolTipRole).toString(),
        u"s2c: server \u2192 client"_s);
    QVERIFY(m_model->index(2, MessageTableModel::DirectionColumn)
                .data(Qt::DecorationRole)
                .value<QIcon>()
                .pixmap(16)
                .toImage()
        != m_model->index(4, MessageTableModel::DirectionColumn)
               .data(Qt::DecorationRole)
               .value<QIcon>()
               .pixmap(16)
               .toImage());

    // The REQ's empty delimiter is not a route: the Route column stays empty, the envelope reads as usual,
    // and the peer is its own column, never taken for a frame.
    QCOMPARE(m_model->index(2, MessageTableModel::RouteColumn).data().toString(), QString());
    QCOMPARE(m_model->index(2, MessageTableModel::IdColumn).data().toString(), u"ask-a"_s);
    QCOMPARE(m_model->index(2, MessageTableModel::PreviewColumn).data().toString(), u"from a"_s);
    QCOMPARE(m_model->index(0, MessageTableModel::PeerColumn).data(Qt::ToolTipRole), QVariant());

    // A copied row has the direction and the peer in their columns.
    const QStringList cells = m_model->rowTexts(m_model->seqAt(3));
    QCOMPARE(cells.size(), int(MessageTableModel::ColumnCount));
    QCOMPARE(cells.at(MessageTableModel::DirectionColumn), u"c2s"_s);
    QCOMPARE(cells.at(MessageTableModel::PeerColumn), u"006b8b4568"_s);

    // The Detail pane's "Copy as capture line" keeps the direction and the peer.
    StoredMessage message;
    QVERIFY(m_store->message(m_model->seqAt(2), message));
    const QByteArray line = MessageFormat::captureLine(message, u"Orders tap"_s);
    QVERIFY2(line.contains(R"("dir":"c2s","peer":"006b8b4567","frames":[)"), line.constData());

    // A CSV export row names the direction and the peer in their own columns.
    CaptureRecord record;
    record.socket = u"Orders tap"_s;
    record.direction = Direction::ServerToClient;
    record.peer = PeerB;
    record.frames = request("ask-b", "to b");
    const QList<QByteArray> columns = messageexport::csvColumns();
    const QList<QByteArray> row = messageexport::parseCsvRecord(messageexport::csvRow(7, record));
    QCOMPARE(row.size(), columns.size());
    QCOMPARE(row.at(columns.indexOf("direction")), QByteArray("s2c"));
    QCOMPARE(row.at(columns.indexOf("peer")), QByteArray("006b8b4568"));
    QCOMPARE(row.at(columns.indexOf("frame_count")), QByteArray("4"));

    // A client's own long routing id is cut, never shown as text.
    QCOMPARE(MessageTableModel::peerText(QByteArray(40, 'x')), QString(u"78"_s.repeated(11) + u'\u2026'));
}

void TestTapMessages::filter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<uint>("directions");
    QTest::addColumn<QStringList>("expectedPreviews");
    QTest::addColumn<uint>("otherDirections");

    const auto bit = [](Direction d) { return uint(MessageFilter::directionBit(d)); };
    QTest::newRow("c2s") << QString() << bit(Direction::ClientToServer)
                         << QStringList { u"from a"_s, u"from b"_s }
                         << (bit(Direction::In) | bit(Direction::Out) | bit(Direction::ServerToClient));
    QTest::newRow("s2c") << QString() << bit(Direction::ServerToClient)
                         << QStringList { u"to a"_s, u"to b"_s }
                         << (bit(Direction::In) | bit(Direction::Out) | bit(Direction::ClientToServer));
    QTest::newRow("tap both ways") << QString() << uint(MessageFilter::TapDirections)
                                   << QStringList { u"from a"_s, u"from b"_s, u"to a"_s, u"to b"_s }
                                   << (bit(Direction::In) | bit(Direction::Out));
    QTest::newRow("peer hex") << u"8b4568"_s << 0U << QStringList { u"from b"_s, u"to b"_s } << 0U;
    QTest::newRow("peer hex, upper case")
        << u"006B8B4567"_s << 0U << QStringList { u"from a"_s, u"to a"_s } << 0U;
    QTest::newRow("peer hex and c2s") << u"006b8b4567"_s << bit(Direction::ClientToServer)
                                      << QStringList { u"from a"_s } << bit(Direction::ServerToClient);
    QTest::newRow("in, only tap messages match")
        << u"ask-"_s << bit(Direction::In) << QStringList {} << uint(MessageFilter::TapDirections);
}

void TestTapMessages::filter()
{
    QFETCH(QString, text);
    QFETCH(uint, directions);
    QFETCH(QStringList, expectedPreviews);
    QFETCH(uint, otherDirections);

    appendConversation();
    m_model->refresh();
    MessageFilter filter;
    filter.setText(text);
    filter.setDirections(MessageFilter::Directions(directions));
    m_model->setFilter(filter);
    QCOMPARE(settledRowCount(), int(expectedPreviews.size()));
    QStringList previews;
    for (int row = 0; row < m_model->rowCount(); ++row)
        previews.append(m_model->index(row, MessageTableModel::PreviewColumn).data().toString());
    QCOMPARE(previews, expectedPreviews);
    QCOMPARE(uint(m_model->otherDirections()), otherDirections);
}

void TestTapMessages::directionAloneEmptyingThePaneIsSaid()
{
    // Only tap messages held: "In only" empties the table, and the pane says why and offers the way back.
    const std::array<NewMessage, 2> tap {
        NewMessage { 2, Direction::ClientToServer, 3, request("ask-a", "from a"), PeerA },
        NewMessage { 2, Direction::ServerToClient, 4, request("ask-a", "to a"), PeerA },
    };
    m_store->append(std::span<const NewMessage>(tap));
    MessagesPane pane(*m_store);
    pane.resize(900, 400);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.refresh();
    QCOMPARE(pane.model()->totalRows(), 2);
    QCOMPARE(pane.filterNoticeText(), QString());

    FilterBar *bar = pane.filterBar();
    QVERIFY(bar->directionBox()->findText(u"c2s only (client \u2192 server)"_s) > 0);
    QVERIFY(bar->directionBox()->findText(u"Tap both ways (c2s and s2c)"_s) > 0);
    bar->directionBox()->setCurrentIndex(bar->directionBox()->findText(u"In only"_s));
    QTRY_VERIFY([&] {
        pane.refresh();
        return pane.model()->isCaughtUp() && !pane.filterNoticeText().isEmpty();
    }());
    QCOMPARE(pane.model()->totalRows(), 0);
    const QString notice = pane.filterNoticeText();
    QVERIFY2(notice.contains(u"In only"_s) && notice.contains(u"c2s: client \u2192 server"_s)
            && notice.contains(u"s2c: server \u2192 client"_s),
        qPrintable(notice));

    // A filter that matches nothing in any direction is not the direction's doing: no notice.
    bar->textEdit()->setText(u"no such text"_s);
    QTRY_VERIFY([&] {
        pane.refresh();
        return pane.model()->isCaughtUp() && pane.model()->filter().text() == u"no such text"_s;
    }());
    QCOMPARE(pane.filterNoticeText(), QString());
    bar->textEdit()->clear();
    QTRY_VERIFY([&] {
        pane.refresh();
        return pane.model()->isCaughtUp() && !pane.filterNoticeText().isEmpty();
    }());

    // Its button shows every direction again.
    auto *showAll = pane.findChild<QPushButton *>(u"showAllDirectionsButton"_s);
    QVERIFY(showAll);
    QTest::mouseClick(showAll, Qt::LeftButton);
    QTRY_VERIFY([&] {
        pane.refresh();
        return pane.model()->isCaughtUp() && pane.model()->totalRows() == 2;
    }());
    QCOMPARE(pane.filterNoticeText(), QString());
    QCOMPARE(bar->directionBox()->currentIndex(), 0);
}

QTEST_MAIN(TestTapMessages)
#include "tst_tapmessages.moc"
