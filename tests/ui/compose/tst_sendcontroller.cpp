#include <QCoreApplication>
#include <QList>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <zmqscope/engine/engine.h>

#include "compose/sendcontroller.h"

using namespace Qt::StringLiterals;
using zmqscope::Frames;
using zmqscope::SendCallback;
using zmqscope::SendResult;
using zmqscope::SocketId;

namespace {

/// Names sockets as the composer would, without a socket table.
QString label(SocketId socket)
{
    return u"S%1"_s.arg(socket);
}

SendResult failure(const QString &why)
{
    SendResult result;
    result.status = zmqscope::Error(zmqscope::ErrorCode::WrongState, why);
    return result;
}

/// Stands in for the engine: keeps every send it is asked for, with its callback, and answers
/// at once when told how.
struct Sender
{
    struct Call
    {
        SocketId socket = 0;
        Frames frames;
        SendCallback done;
    };
    QList<Call> calls;
    /// With answerAtOnce, this send (counted from 1) fails and every other one is sent.
    qsizetype failAt = -1;
    bool answerAtOnce = false;

    explicit Sender(SendController &controller)
    {
        QObject::connect(&controller, &SendController::sendRequested, &controller,
            [this](SocketId socket, const Frames &frames, const SendCallback &done) {
                calls.append({ socket, frames, done });
                if (!answerAtOnce)
                    return;
                done(calls.size() == failAt ? failure(u"peer gone."_s) : SendResult {});
            });
    }
};

/// A batch whose message number n is the frame "n".
SendController::NextFrames numbered()
{
    return [n = 0]() mutable { return Frames { QByteArray::number(++n) }; };
}

QString lastText(const QSignalSpy &spy)
{
    return spy.isEmpty() ? QString() : spy.constLast().at(0).toString();
}

} // namespace

class TestSendController : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void repeatSendsN();
    void repeatStopsOnFirstFailure();
    void stopCancelsRepeat();
    void resultsOfOthersAreNeverSeen();
};

void TestSendController::repeatSendsN()
{
    SendController controller(label);
    Sender sender(controller);
    sender.answerAtOnce = true;
    QSignalSpy status(&controller, &SendController::statusChanged);
    QSignalSpy failed(&controller, &SendController::sendFailed);
    QSignalSpy repeating(&controller, &SendController::repeatingChanged);

    controller.start(7, 4, 0, numbered());
    QVERIFY(controller.isRepeating());
    QTRY_VERIFY(!controller.isRepeating());
    QCOMPARE(sender.calls.size(), 4);
    for (qsizetype i = 0; i < sender.calls.size(); ++i) {
        QCOMPARE(sender.calls.at(i).socket, SocketId(7));
        QCOMPARE(sender.calls.at(i).frames, Frames { QByteArray::number(i + 1) });
    }
    QVERIFY2(
        lastText(status).startsWith(u"Sent 4 messages on S7, the last at "_s), qPrintable(lastText(status)));
    QCOMPARE(failed.size(), 0);
    QCOMPARE(repeating.size(), 2);
    QCOMPARE(repeating.constLast().at(0).toBool(), false);
}

void TestSendController::repeatStopsOnFirstFailure()
{
    SendController controller(label);
    Sender sender(controller);
    sender.answerAtOnce = true;
    sender.failAt = 3;
    QSignalSpy status(&controller, &SendController::statusChanged);
    QSignalSpy failed(&controller, &SendController::sendFailed);

    controller.start(7, 5, 0, numbered());
    QVERIFY(controller.isRepeating());
    QTRY_VERIFY(!controller.isRepeating());
    // The failure ended the repeat before a fourth send: the timer is off, so none can follow.
    QCOMPARE(sender.calls.size(), 3);
    QVERIFY(!controller.findChild<QTimer *>(u"repeatTimer"_s)->isActive());
    QCOMPARE(lastText(status), u"Repeat stopped after 3 of 5"_s);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(lastText(failed), u"Not sent on S7: peer gone. The message is still here."_s);
    QCoreApplication::processEvents();
    QCOMPARE(sender.calls.size(), 3);
}

void TestSendController::stopCancelsRepeat()
{
    SendController controller(label);
    Sender sender(controller);
    QSignalSpy status(&controller, &SendController::statusChanged);
    QSignalSpy repeating(&controller, &SendController::repeatingChanged);

    controller.start(2, 1000, 0, numbered());
    QTRY_VERIFY(sender.calls.size() >= 2);
    controller.stop();
    QVERIFY(!controller.isRepeating());
    QVERIFY(!controller.findChild<QTimer *>(u"repeatTimer"_s)->isActive());
    const qsizetype issued = sender.calls.size();
    QVERIFY(issued < 1000);
    QCOMPARE(lastText(status), u"Stopped on S2 after %1 of 1000"_s.arg(issued));
    QCOMPARE(repeating.constLast().at(0).toBool(), false);
    QCoreApplication::processEvents();
    QCOMPARE(sender.calls.size(), issued);

    // A new batch can start after a stop, and is counted from its own first send.
    controller.start(2, 1, 0, numbered());
    QCOMPARE(sender.calls.size(), issued + 1);
    QCOMPARE(lastText(status), u"Sending on S2…"_s);
    QVERIFY(!controller.isRepeating());
}

void TestSendController::resultsOfOthersAreNeverSeen()
{
    SendController mine(label);
    SendController other(label);
    Sender mySender(mine);
    Sender otherSender(other);
    QSignalSpy myStatus(&mine, &SendController::statusChanged);
    QSignalSpy myFailures(&mine, &SendController::sendFailed);
    QSignalSpy otherFailures(&other, &SendController::sendFailed);

    mine.start(1, 1, 0, numbered());
    other.start(1, 1, 0, numbered());
    QCOMPARE(lastText(myStatus), u"Sending on S1…"_s);
    const qsizetype statusLines = myStatus.size();

    // The other sender's outcomes reach it alone.
    otherSender.calls.at(0).done(failure(u"not mine"_s));
    QCOMPARE(otherFailures.size(), 1);
    QCOMPARE(myFailures.size(), 0);
    QCOMPARE(myStatus.size(), statusLines);

    // A second batch of mine: the first batch's confirmation is not reported as this one's.
    mine.start(1, 1, 0, numbered());
    QCOMPARE(mySender.calls.size(), 2);
    mySender.calls.at(0).done(SendResult {});
    QCOMPARE(lastText(myStatus), u"Sending on S1…"_s);
    mySender.calls.at(1).done(SendResult {});
    QVERIFY2(lastText(myStatus).startsWith(u"Sent on S1 at "_s), qPrintable(lastText(myStatus)));
    QCOMPARE(myFailures.size(), 0);
}

QTEST_MAIN(TestSendController)
#include "tst_sendcontroller.moc"
