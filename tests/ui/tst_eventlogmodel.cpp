// EventLogModel: batched, bounded, plain-text lines with errors in red.

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QColor>
#include <QSignalSpy>
#include <QTest>

#include "eventlogmodel.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

class TestEventLogModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linesArriveInOneBatchPerFlush();
    void lineText_data();
    void lineText();
    void errorsAreRed();
    void oldestLinesGo();
    void clear();
    void repeatsAreCounted();
};

namespace {
EngineEvent makeEvent(
    SocketId socket, const QString &text, bool isError = false, const QString &endpoint = {})
{
    EngineEvent e;
    e.time = QDateTime(QDate(2024, 5, 1), QTime(12, 34, 56, 789));
    e.socket = socket;
    e.text = text;
    e.isError = isError;
    e.endpoint = endpoint;
    return e;
}
} // namespace

void TestEventLogModel::linesArriveInOneBatchPerFlush()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 50; ++i)
        model.addEvent(makeEvent(0, u"line %1"_s.arg(i)));
    QCOMPARE(model.rowCount(), 0);
    model.flush();
    QCOMPARE(model.rowCount(), 50);
    QCOMPARE(inserted.size(), 1);
    model.flush();
    QCOMPARE(inserted.size(), 1);
}

void TestEventLogModel::lineText_data()
{
    QTest::addColumn<uint>("socket");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<QString>("expected");

    QTest::newRow("engine-wide") << 0u << u"engine started"_s << QString() << u"engine started"_s;
    QTest::newRow("socket named by us")
        << 3u << u"connected"_s << u"tcp://127.0.0.1:5"_s << u"SUB 1: connected (tcp://127.0.0.1:5)"_s;
    QTest::newRow("text names the socket already")
        << 3u << u"SUB 1: address in use"_s << QString() << u"SUB 1: address in use"_s;
    QTest::newRow("endpoint already in the text")
        << 3u << u"listening on tcp://h:1"_s << u"tcp://h:1"_s << u"SUB 1: listening on tcp://h:1"_s;
    QTest::newRow("unknown socket") << 9u << u"gone"_s << QString() << u"#9: gone"_s;
    QTest::newRow("control characters stay on one line")
        << 0u << u"peer said \"a\nb\""_s << QString() << u"peer said \"a\\nb\""_s;
    QTest::newRow("markup is text") << 0u << u"<b>x</b>"_s << QString() << u"<b>x</b>"_s;
}

void TestEventLogModel::lineText()
{
    QFETCH(uint, socket);
    QFETCH(QString, text);
    QFETCH(QString, endpoint);
    QFETCH(QString, expected);
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSocketNames({ { 3, u"SUB 1"_s } });
    model.addEvent(makeEvent(socket, text, false, endpoint));
    model.flush();
    const QString line = model.index(0).data().toString();
    const QString time = makeEvent(0, {}).time.toLocalTime().toString(u"hh:mm:ss.zzz"_s);
    QCOMPARE(line, time + u"  "_s + expected);
}

void TestEventLogModel::errorsAreRed()
{
    EventLogModel model;
    model.addEvent(makeEvent(0, u"fine"_s));
    model.addLine(u"bad"_s, true);
    model.flush();
    QVERIFY(!model.index(0).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.index(1).data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0xc6, 0x28, 0x28));
    QCOMPARE(model.index(1).data(EventLogModel::IsErrorRole).toBool(), true);
}

void TestEventLogModel::oldestLinesGo()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxLines(10);
    for (int i = 0; i < 8; ++i)
        model.addLine(u"a%1"_s.arg(i));
    model.flush();
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    for (int i = 0; i < 5; ++i)
        model.addLine(u"b%1"_s.arg(i));
    model.flush();
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(removed.size(), 1);
    QVERIFY(model.index(0).data().toString().endsWith(u"a3"_s));
    QVERIFY(model.index(9).data().toString().endsWith(u"b4"_s));
    // A burst larger than the log keeps its newest lines.
    for (int i = 0; i < 25; ++i)
        model.addLine(u"c%1"_s.arg(i));
    model.flush();
    QCOMPARE(model.rowCount(), 10);
    QVERIFY(model.index(0).data().toString().endsWith(u"c15"_s));
}

void TestEventLogModel::clear()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addLine(u"x"_s);
    model.flush();
    model.addLine(u"pending"_s);
    model.clear();
    model.flush();
    QCOMPARE(model.rowCount(), 0);
}

void TestEventLogModel::repeatsAreCounted()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSocketNames({ { 3, u"SUB 1"_s }, { 4, u"SUB 2"_s } });
    const QString retry = u"could not connect to tcp://127.0.0.1:1; retrying in 5000 ms"_s;
    // Two sockets retrying in turn, some repeats reaching the view before the next flush.
    for (int i = 0; i < 12; ++i) {
        EngineEvent event = makeEvent(3, retry);
        event.time = event.time.addSecs(5 * i);
        model.addEvent(event);
        model.addEvent(makeEvent(4, retry));
        if (i == 5)
            model.flush();
    }
    model.flush();
    QCOMPARE(model.rowCount(), 2);
    const QString last = makeEvent(0, {}).time.addSecs(55).toLocalTime().toString(u"hh:mm:ss"_s);
    const QString first = model.index(0).data().toString();
    QVERIFY2(first.endsWith(u"SUB 1: "_s + retry + u" (\u00d712, last "_s + last + u')'), qPrintable(first));
    QVERIFY2(model.index(1).data().toString().endsWith(u"SUB 2: "_s + retry + u" (\u00d712, last "_s
                 + makeEvent(0, {}).time.toLocalTime().toString(u"hh:mm:ss"_s) + u')'),
        qPrintable(model.index(1).data().toString()));

    // Another line of the socket in between: the next repeat is a line of its own again.
    model.addEvent(makeEvent(3, u"connecting to tcp://127.0.0.1:1"_s));
    model.addEvent(makeEvent(3, retry));
    model.addEvent(makeEvent(3, retry, true)); // an error is not a repeat of a plain line
    model.flush();
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(model.index(3).data().toString().endsWith(retry));
    QVERIFY(model.index(4).data(EventLogModel::IsErrorRole).toBool());
}

QTEST_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
