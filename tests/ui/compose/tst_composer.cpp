// The Composer end to end (real engine and sockets, widgets driven with QTest): every field, mode
// and button of one widget. Over 800 lines on purpose: DESIGN.md section 10 wants one test class
// per file, and the widget's cases share one fixture; its parts with their own classes
// (SendController, the socket dialog) have their own test files.

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextCursor>
#include <QUuid>

#include <zmqscope/capture/fileio.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/replay/templates.h>
#include <zmqscope/store/messagestore.h>

#include "compose/bytestext.h"
#include "compose/composerwidget.h"
#include "compose/framelistmodel.h"
#include "compose/jsontext.h"

using namespace Qt::StringLiterals;
using zmqscope::Frames;
using zmqscope::SocketId;
using zmqscope::SocketInfo;
using zmqscope::SocketSpec;
using zmqscope::SocketState;
using zmqscope::SocketType;

namespace {

/// The frames the composer would send, or nothing when it refuses (composedFramesNamesTheBadField checks
/// why).
std::optional<Frames> composedFrames(const ComposerWidget &composer)
{
    zmqscope::Result<Frames> frames = composer.composedFrames();
    return frames ? std::optional<Frames>(std::move(frames).value()) : std::nullopt;
}

SocketInfo socketInfo(
    SocketId id, const QString &name, SocketType type, SocketState state = SocketState::Connected)
{
    SocketInfo info;
    info.id = id;
    info.spec.name = name;
    info.spec.type = type;
    info.state = state;
    return info;
}

/// A REQ (1), a SUB (2, cannot send), a ROUTER (3) and a closed PUB (4).
QList<SocketInfo> someSockets()
{
    return { socketInfo(1, u"REQ 1"_s, SocketType::Req), socketInfo(2, u"SUB 1"_s, SocketType::Sub),
        socketInfo(3, u"ROUTER 1"_s, SocketType::Router),
        socketInfo(4, u"PUB 1"_s, SocketType::Pub, SocketState::Closed) };
}

constexpr SocketId DealerSocket = 5;
constexpr SocketId PushSocket = 6;

/// someSockets() and a DEALER (5) and a PUSH (6).
QList<SocketInfo> moreSockets()
{
    return someSockets()
        + QList<SocketInfo> { socketInfo(DealerSocket, u"DEALER 1"_s, SocketType::Dealer),
              socketInfo(PushSocket, u"PUSH 1"_s, SocketType::Push) };
}

template<typename T> T *child(const QWidget &parent, const QString &name)
{
    return parent.findChild<T *>(name);
}

QPlainTextEdit *body(const ComposerWidget &composer)
{
    return child<QPlainTextEdit>(composer, u"bodyEdit"_s);
}

FrameListModel *framesModel(const ComposerWidget &composer, const QString &editor)
{
    auto *view = composer.findChild<QWidget *>(editor)->findChild<QTableView *>();
    return qobject_cast<FrameListModel *>(view->model());
}

/// An action of the raw frames editor (the request frames editor has the same ones).
QAction *rawAction(const ComposerWidget &composer, const QString &name)
{
    return composer.findChild<QWidget *>(u"rawFrames"_s)->findChild<QAction *>(name);
}

void clickSend(const ComposerWidget &composer)
{
    QTest::mouseClick(child<QPushButton>(composer, u"sendButton"_s), Qt::LeftButton);
}

/// The messages in the store of one socket and direction, oldest first.
QList<Frames> storedFrames(
    const zmqscope::MessageStore &store, SocketId socket, zmqscope::Direction direction)
{
    QList<Frames> result;
    for (auto seq = store.firstSeq(); seq < store.endSeq(); ++seq) {
        zmqscope::StoredMessage message;
        if (store.message(seq, message) && message.socket == socket && message.direction == direction)
            result.append(message.frames);
    }
    return result;
}

/// A socket of the engine, bound or connected to inproc endpoints.
SocketSpec socketSpec(const QString &name, SocketType type, const QString &bind, const QString &connect,
    zmqscope::Options options = {})
{
    SocketSpec spec;
    spec.name = name;
    spec.type = type;
    if (!bind.isEmpty())
        spec.binds = { bind };
    if (!connect.isEmpty())
        spec.connects = { connect };
    spec.options = std::move(options);
    return spec;
}

/// Sends through the engine and hears back from it, as the main window wires them; offers its sockets.
void connectToEngine(ComposerWidget &composer, zmqscope::Engine &engine)
{
    QObject::connect(&composer, &ComposerWidget::sendRequested, &engine,
        [&engine, &composer](SocketId socket, const Frames &frames, const zmqscope::SendCallback &done) {
            engine.send(socket, frames, &composer, done);
        });
    composer.setSockets(engine.sockets());
}

/// Answers the send that call `call` of `spy` (on sendRequested) asked for, as the engine would:
/// sent, or failed with `error`.
void answer(const QSignalSpy &spy, qsizetype call, const QString &error = {})
{
    zmqscope::SendResult result;
    if (!error.isEmpty())
        result.status = zmqscope::Error(zmqscope::ErrorCode::WrongState, error);
    spy.at(call).at(2).value<zmqscope::SendCallback>()(result);
}

/// Answers every send at once with success, as an engine that never fails would.
void answerEverySend(ComposerWidget &composer)
{
    QObject::connect(&composer, &ComposerWidget::sendRequested, &composer,
        [](SocketId, const Frames &, const zmqscope::SendCallback &done) { done(zmqscope::SendResult {}); });
}

/// A message as the store keeps it, received on `socket`.
zmqscope::StoredMessage receivedMessage(quint64 seq, SocketId socket, const Frames &frames)
{
    zmqscope::StoredMessage message;
    message.seq = seq;
    message.socket = socket;
    message.frames = frames;
    return message;
}

bool lastStored(const zmqscope::MessageStore &store, SocketId socket, zmqscope::StoredMessage &out)
{
    for (auto seq = store.endSeq(); seq > store.firstSeq(); --seq) {
        if (store.message(seq - 1, out) && out.socket == socket && out.direction == zmqscope::Direction::In)
            return true;
    }
    return false;
}

} // namespace

class TestComposer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void socketsThatCanSend();
    void envelopeFrames_data();
    void envelopeFrames();
    void rawFrames();
    void rawFramesReorder();
    void badHexNamesTheFrame();
    void hexParsing_data();
    void hexParsing();
    void composedFramesNamesTheBadField();
    void hexToggleKeepsBytes();
    void jsonValidation_data();
    void jsonValidation();
    void formatJson_data();
    void formatJson();
    void ctrlReturnSends();
    void prepareReplyRouted();
    void prepareReplyRawOnRouter();
    void prepareReplyRefusals();
    void repeatSendsN();
    void stopStopsRepeat();
    void sendFailedKeepsMessage();
    void reqTwiceOnRealSockets();
    void routerRepliesReachTheirPeers();
    // Issue 12
    void dealerEnvelopeIsReqFramed();
    void dealerFramingOnRealSockets();
    void failedSendClearsSendingStatus();
    void switchingSocketClearsReplyRouting();
    void switchingSocketClearsRawReplyRouting();
    void replyRoutingNeverReachesPush();
    void variablesExpandLikeTheLibrary();
    void jsonCheckedAfterExpansion_data();
    void jsonCheckedAfterExpansion();
    void editAndResend_data();
    void editAndResend();
    void largePasteIsKeptReadOnly();
    void loadBodyFromFile();
};

void TestComposer::initTestCase()
{
    qRegisterMetaType<Frames>("zmqscope::Frames");
    qRegisterMetaType<SocketId>("zmqscope::SocketId");
}

void TestComposer::socketsThatCanSend()
{
    ComposerWidget composer;
    auto *combo = child<QComboBox>(composer, u"socketCombo"_s);
    QCOMPARE(composer.currentSocket(), SocketId(0));
    QVERIFY(!composer.sendAction()->isEnabled());

    composer.send();
    QVERIFY(composer.errorText().contains(u"Choose a socket"_s));

    composer.setSockets(someSockets());
    // SUB cannot send and the PUB is closed.
    QCOMPARE(combo->count(), 2);
    QCOMPARE(combo->itemText(0), u"REQ 1 (REQ)"_s);
    QCOMPARE(combo->itemText(1), u"ROUTER 1 (ROUTER)"_s);
    QCOMPARE(composer.currentSocket(), SocketId(1));
    QVERIFY(composer.sendAction()->isEnabled());
    QVERIFY(!composer.setCurrentSocket(2));
    QVERIFY(composer.setCurrentSocket(3));

    // A refresh keeps the selection; losing the socket falls back to another.
    composer.setSockets(someSockets());
    QCOMPARE(composer.currentSocket(), SocketId(3));
    composer.setSockets({ someSockets().at(0) });
    QCOMPARE(composer.currentSocket(), SocketId(1));
    composer.setSockets({});
    QCOMPARE(composer.currentSocket(), SocketId(0));
    QVERIFY(!composer.sendAction()->isEnabled());
}

void TestComposer::envelopeFrames_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("idHex");
    QTest::addColumn<QString>("mimetype");
    QTest::addColumn<QString>("bodyText");
    QTest::addColumn<bool>("bodyHex");
    QTest::addColumn<QList<FrameListModel::Entry>>("requestFrames");
    QTest::addColumn<Frames>("expected");

    using Entry = FrameListModel::Entry;
    using BytesText::Format;
    QTest::newRow("plain") << u"greeting"_s << false << u"text/plain"_s << u"héllo"_s << false
                           << QList<Entry> {} << Frames { "greeting", "text/plain", "h\xc3\xa9llo" };
    QTest::newRow("empty id and body") << QString() << false << u"text/plain"_s << QString() << false
                                       << QList<Entry> {} << Frames { "", "text/plain", "" };
    QTest::newRow("json") << u"cfg"_s << false << u"application/json"_s << u"{\"a\": 1}"_s << false
                          << QList<Entry> {} << Frames { "cfg", "application/json", "{\"a\": 1}" };
    QTest::newRow("hex id and body") << u"00 ff"_s << true << u"application/octet-stream"_s
                                     << u"DE AD be ef"_s << true << QList<Entry> {}
                                     << Frames { QByteArray("\x00\xff", 2), "application/octet-stream",
                                            "\xde\xad\xbe\xef" };
    QTest::newRow("request frames") << u"r1"_s << false << u"text/plain"_s << u"pong"_s << false
                                    << QList<Entry> { Entry { Format::Hex, u"00 6b 8b 45 67"_s },
                                           Entry { Format::Text, u"gateway"_s } }
                                    << Frames { QByteArray("\x00\x6b\x8b\x45\x67", 5), "gateway", "", "r1",
                                           "text/plain", "pong" };
}

void TestComposer::envelopeFrames()
{
    QFETCH(QString, id);
    QFETCH(bool, idHex);
    QFETCH(QString, mimetype);
    QFETCH(QString, bodyText);
    QFETCH(bool, bodyHex);
    QFETCH(QList<FrameListModel::Entry>, requestFrames);
    QFETCH(Frames, expected);

    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);

    child<QCheckBox>(composer, u"idHexCheck"_s)->setChecked(idHex);
    QTest::keyClicks(child<QLineEdit>(composer, u"idEdit"_s), id);
    auto *mime = child<QComboBox>(composer, u"mimetypeCombo"_s);
    mime->lineEdit()->clear();
    QTest::keyClicks(mime->lineEdit(), mimetype);
    child<QCheckBox>(composer, u"bodyHexCheck"_s)->setChecked(bodyHex);
    body(composer)->setPlainText(bodyText);
    framesModel(composer, u"requestFrames"_s)->setEntries(requestFrames);

    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).value<SocketId>(), SocketId(1));
    QCOMPARE(spy.at(0).at(1).value<Frames>(), expected);
    QVERIFY(spy.at(0).at(2).value<zmqscope::SendCallback>());
    QCOMPARE(composer.errorText(), QString());
    QVERIFY(composer.statusText().contains(u"Sending on REQ 1"_s));
}

void TestComposer::rawFrames()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    composer.setMode(ComposerWidget::Mode::Raw);
    FrameListModel *model = framesModel(composer, u"rawFrames"_s);
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);

    // One empty text frame to start with, typed into through the view.
    QCOMPARE(model->rowCount(), 1);
    auto *view = composer.findChild<QWidget *>(u"rawFrames"_s)->findChild<QTableView *>();
    QVERIFY(model->setData(model->index(0, FrameListModel::ContentColumn), u"topic"_s));
    rawAction(composer, u"addFrame"_s)->trigger();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(view->currentIndex().row(), 1);
    QVERIFY(model->setData(model->index(1, FrameListModel::ContentColumn), u"01 02 ff"_s));
    QVERIFY(model->setData(model->index(1, FrameListModel::HexColumn), Qt::Checked, Qt::CheckStateRole));
    // Switching to hex keeps the bytes of what was typed as text.
    QCOMPARE(model->entries().at(1).content, u"30 31 20 30 32 20 66 66"_s);
    QVERIFY(model->setData(model->index(1, FrameListModel::ContentColumn), u"01 02 ff"_s));
    QCOMPARE(model->index(1, FrameListModel::SizeColumn).data().toString(), u"3"_s);
    model->insertEntry(2, FrameListModel::Entry {});

    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), (Frames { "topic", "\x01\x02\xff", "" }));

    // No frames is not a message.
    model->removeRows(0, model->rowCount());
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QVERIFY(composer.errorText().contains(u"Add a frame"_s));
}

void TestComposer::rawFramesReorder()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    composer.setMode(ComposerWidget::Mode::Raw);
    FrameListModel *model = framesModel(composer, u"rawFrames"_s);
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto *view = composer.findChild<QWidget *>(u"rawFrames"_s)->findChild<QTableView *>();
    using BytesText::Format;
    model->setEntries({ { Format::Text, u"a"_s }, { Format::Text, u"b"_s }, { Format::Text, u"c"_s } });

    view->setCurrentIndex(model->index(0, FrameListModel::ContentColumn));
    rawAction(composer, u"moveFrameDown"_s)->trigger();
    QCOMPARE(view->currentIndex().row(), 1);
    rawAction(composer, u"moveFrameDown"_s)->trigger();
    QCOMPARE(composedFrames(composer), (std::optional<Frames> { Frames { "b", "c", "a" } }));
    QVERIFY(!rawAction(composer, u"moveFrameDown"_s)->isEnabled());
    rawAction(composer, u"moveFrameUp"_s)->trigger();
    QCOMPARE(composedFrames(composer), (std::optional<Frames> { Frames { "b", "a", "c" } }));
    rawAction(composer, u"removeFrame"_s)->trigger();
    QCOMPARE(composedFrames(composer), (std::optional<Frames> { Frames { "b", "c" } }));
    QCOMPARE(view->currentIndex().row(), 1);

    // Keyboard: Alt+Up moves the current frame while the list has the focus.
    composer.show();
    QVERIFY(QTest::qWaitForWindowActive(&composer));
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Up, Qt::AltModifier);
    QCOMPARE(composedFrames(composer), (std::optional<Frames> { Frames { "c", "b" } }));
    // Delete removes the current frame; Insert adds one after it and starts editing.
    QTest::keyClick(view, Qt::Key_Delete);
    QCOMPARE(composedFrames(composer), (std::optional<Frames> { Frames { "b" } }));
    QTest::keyClick(view, Qt::Key_Insert);
    QTRY_VERIFY(
        QApplication::focusWidget() && QApplication::focusWidget()->parentWidget() == view->viewport());
    QTest::keyClicks(QApplication::focusWidget(), u"z"_s);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_COMPARE(composedFrames(composer), (std::optional<Frames> { Frames { "b", "z" } }));

    // Ctrl+Return while a cell is still being edited sends what was typed in it.
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    QTest::keyClick(view, Qt::Key_Insert);
    QTRY_VERIFY(
        QApplication::focusWidget() && QApplication::focusWidget()->parentWidget() == view->viewport());
    QTest::keyClicks(QApplication::focusWidget(), u"typed"_s);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), (Frames { "b", "z", "typed" }));
}

void TestComposer::badHexNamesTheFrame()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    composer.setMode(ComposerWidget::Mode::Raw);
    FrameListModel *model = framesModel(composer, u"rawFrames"_s);
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    using BytesText::Format;
    model->setEntries({ { Format::Text, u"ok"_s }, { Format::Hex, u"01 0z"_s } });

    // The frames editor says it at once, and Send refuses with the same words.
    auto *editor = composer.findChild<QWidget *>(u"rawFrames"_s);
    auto *error = editor->findChild<QLabel *>(u"errorLabel"_s);
    QVERIFY(!error->isHidden());
    QCOMPARE(error->text(), u"Frame 2: 'z' at position 5 is not a hex digit"_s);
    QCOMPARE(error->textFormat(), Qt::PlainText);
    QCOMPARE(model->index(1, FrameListModel::SizeColumn).data().toString(), u"bad hex"_s);
    clickSend(composer);
    QCOMPARE(spy.size(), 0);
    QCOMPARE(composer.errorText(), u"Not sent: Frame 2: 'z' at position 5 is not a hex digit"_s);

    // Bad hex cannot be switched back to text either; the row stays as typed.
    QVERIFY(!model->setData(model->index(1, FrameListModel::HexColumn), Qt::Unchecked, Qt::CheckStateRole));
    QVERIFY(error->text().startsWith(u"Frame 2 stays hex"_s));
    QCOMPARE(model->entries().at(1).content, u"01 0z"_s);

    QVERIFY(model->setData(model->index(1, FrameListModel::ContentColumn), u"01 0f"_s));
    QVERIFY(error->isHidden());
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), (Frames { "ok", "\x01\x0f" }));

    // In envelope mode, a bad hex id is named as the id.
    composer.setMode(ComposerWidget::Mode::Envelope);
    child<QCheckBox>(composer, u"idHexCheck"_s)->setChecked(true);
    child<QLineEdit>(composer, u"idEdit"_s)->setText(u"abc"_s);
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(composer.errorText(), u"Not sent: Id: odd number of hex digits (3); every byte needs two"_s);
}

void TestComposer::hexParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << QString() << true << QByteArray() << QString();
    QTest::newRow("pairs") << u"de ad be ef"_s << true << QByteArray("\xde\xad\xbe\xef") << QString();
    QTest::newRow("run") << u"DEADbeef"_s << true << QByteArray("\xde\xad\xbe\xef") << QString();
    QTest::newRow("0x prefix") << u"  0x0001"_s << true << QByteArray("\x00\x01", 2) << QString();
    QTest::newRow("newlines and tabs") << u"00\n\t01"_s << true << QByteArray("\x00\x01", 2) << QString();
    QTest::newRow("odd") << u"abc"_s << false << QByteArray()
                         << u"odd number of hex digits (3); every byte needs two"_s;
    QTest::newRow("bad digit") << u"12 3g"_s << false << QByteArray()
                               << u"'g' at position 5 is not a hex digit"_s;
    QTest::newRow("second 0x") << u"0x12 0x34"_s << false << QByteArray()
                               << u"'x' at position 7 is not a hex digit"_s;
    QTest::newRow("control character")
        << u"12\u000134"_s << false << QByteArray() << u"'U+0001' at position 3 is not a hex digit"_s;
}

void TestComposer::hexParsing()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);

    const zmqscope::Result<QByteArray> parsed = BytesText::parseHex(text);
    QCOMPARE(parsed.ok(), valid);
    if (valid) {
        QCOMPARE(*parsed, bytes);
        const zmqscope::Result<QByteArray> again = BytesText::parseHex(BytesText::toHex(bytes));
        QVERIFY2(again, qPrintable(again.errorMessage()));
        QCOMPARE(*again, bytes);
    } else {
        QCOMPARE(parsed.error().code(), zmqscope::ErrorCode::InvalidBody);
        QCOMPARE(parsed.errorMessage(), error);
    }
}

void TestComposer::composedFramesNamesTheBadField()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    child<QCheckBox>(composer, u"idHexCheck"_s)->setChecked(true);
    child<QLineEdit>(composer, u"idEdit"_s)->setText(u"0a zz"_s);
    const zmqscope::Result<Frames> frames = composer.composedFrames();
    QVERIFY(!frames);
    QCOMPARE(frames.error().code(), zmqscope::ErrorCode::InvalidBody);
    QCOMPARE(frames.errorMessage(), u"Id: 'z' at position 4 is not a hex digit"_s);
    const zmqscope::Result<zmqscope::MessageTemplate> saved = composer.composedTemplate(u"bad"_s);
    QVERIFY(!saved);
    QCOMPARE(saved.error().code(), zmqscope::ErrorCode::InvalidBody);
    QCOMPARE(saved.errorMessage(), frames.errorMessage());
}

void TestComposer::hexToggleKeepsBytes()
{
    ComposerWidget composer;
    auto *id = child<QLineEdit>(composer, u"idEdit"_s);
    auto *idHex = child<QCheckBox>(composer, u"idHexCheck"_s);
    id->setText(u"ab"_s);
    idHex->setChecked(true);
    QCOMPARE(id->text(), u"61 62"_s);
    id->setText(u"00 61"_s);
    idHex->setChecked(false); // a NUL byte does not fit a line of text
    QVERIFY(idHex->isChecked());
    QVERIFY(composer.errorText().startsWith(u"Id stays hex"_s));
    id->setText(u"68 c3 a9"_s);
    idHex->setChecked(false);
    QCOMPARE(id->text(), u"hé"_s);

    auto *bodyHex = child<QCheckBox>(composer, u"bodyHexCheck"_s);
    body(composer)->setPlainText(u"line 1\nline 2"_s);
    bodyHex->setChecked(true);
    QCOMPARE(body(composer)->toPlainText(), u"6c 69 6e 65 20 31 0a 6c 69 6e 65 20 32"_s);
    bodyHex->setChecked(false);
    QCOMPARE(body(composer)->toPlainText(), u"line 1\nline 2"_s);
    // Undo brings the hex form back: the switch went through the editor's undo stack.
    body(composer)->undo();
    QCOMPARE(body(composer)->toPlainText(), u"6c 69 6e 65 20 31 0a 6c 69 6e 65 20 32"_s);
}

void TestComposer::jsonValidation_data()
{
    QTest::addColumn<QString>("mimetype");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("valid object") << u"application/json"_s << u"{\"a\": [1, 2]}"_s << u"Valid JSON"_s;
    QTest::newRow("valid scalar") << u"application/json"_s << u" 42 "_s << u"Valid JSON"_s;
    QTest::newRow("valid string") << u"application/json"_s << u"\"ok\""_s << u"Valid JSON"_s;
    QTest::newRow("+json suffix")
        << u"application/problem+json; charset=utf-8"_s << u"{]"_s
        << u"JSON error at line 1, column 2: expected a member name in double quotes, found ']'"_s;
    QTest::newRow("error on line 3") << u"application/json"_s << u"{\n  \"a\": 1,\n  \"b\": tru\n}"_s
                                     << u"JSON error at line 3, column 8: \"tru\" is not a JSON value"_s;
    QTest::newRow("column counts characters")
        << u"application/json"_s << u"[\"é€\", x]"_s
        << u"JSON error at line 1, column 8: \"x\" is not a JSON value"_s;
    QTest::newRow("unterminated")
        << u"application/json"_s << u"[1,\n 2"_s
        << u"JSON error at line 2, column 3: the array opened at line 1, column 1 is not closed"_s;
    QTest::newRow("missing comma")
        << u"application/json"_s << u"{\"a\": 1 \"b\": 2}"_s
        << u"line 1, column 9: expected ',' or '}' in the object opened at line 1, column 1, found '\"'"_s;
    QTest::newRow("trailing comma") << u"application/json"_s << u"[1, 2,]"_s
                                    << u"column 7: expected a value, found ']'"_s;
    QTest::newRow("unclosed string") << u"application/json"_s << u"[\"abc]"_s
                                     << u"column 2: the string that starts here is not closed"_s;
    QTest::newRow("bad escape") << u"application/json"_s << u"\"a\\qb\""_s
                                << u"column 3: invalid escape \\q"_s;
    QTest::newRow("leading zero") << u"application/json"_s << u"[01]"_s
                                  << u"column 2: numbers do not start with 0"_s;
    QTest::newRow("garbage after") << u"application/json"_s << u"{} x"_s
                                   << u"column 4: unexpected \"x\" after the end"_s;
    QTest::newRow("single quotes") << u"application/json"_s << u"{'a': 1}"_s
                                   << u"column 2: expected a member name in double quotes, found '''"_s;
    QTest::newRow("control character") << u"application/json"_s << u"[\"a\tb\"]"_s
                                       << u"column 4: control character U+0009 inside a string"_s;
    QTest::newRow("empty") << u"application/json"_s << QString() << u"the body is empty"_s;
    QTest::newRow("deep nesting") << u"application/json"_s << u"["_s.repeated(5000) << u"too deeply nested"_s;
    QTest::newRow("big body, checked once typing pauses")
        << u"application/json"_s << u"[\n"_s + u"1,\n"_s.repeated(100000) + u"x]"_s
        << u"line 100002, column 1: \"x\" is not a JSON value"_s;
    QTest::newRow("deep but fine") << u"application/json"_s << u"["_s.repeated(1000) + u"]"_s.repeated(1000)
                                   << u"Valid JSON"_s;
    QTest::newRow("not json mimetype") << u"text/plain"_s << u"{]"_s << QString();
}

void TestComposer::jsonValidation()
{
    QFETCH(QString, mimetype);
    QFETCH(QString, text);
    QFETCH(QString, expected);

    ComposerWidget composer;
    child<QComboBox>(composer, u"mimetypeCombo"_s)->setEditText(mimetype);
    body(composer)->setPlainText(text);
    if (expected.isEmpty()) {
        QTRY_COMPARE(composer.jsonStatusText(), QString());
        QVERIFY(!child<QPushButton>(composer, u"formatButton"_s)->isEnabled());
    } else {
        QTRY_VERIFY2(composer.jsonStatusText().contains(expected), qPrintable(composer.jsonStatusText()));
        QVERIFY(child<QPushButton>(composer, u"formatButton"_s)->isEnabled());
    }
}

void TestComposer::formatJson_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    // Keys keep their order, big numbers their digits, strings their escapes.
    QTest::newRow("object")
        << u"{\"z\":1,\"a\":[1,2,{}],\"s\":\"x,y:{\\\"q\\\"}\",\"n\":12345678901234567890}"_s
        << u"{\n  \"z\": 1,\n  \"a\": [\n    1,\n    2,\n    {}\n  ],\n  \"s\": \"x,y:{\\\"q\\\"}\",\n"
           u"  \"n\": 12345678901234567890\n}"_s;
    QTest::newRow("already pretty stays") << u"{\n  \"a\": []\n}"_s << u"{\n  \"a\": []\n}"_s;
    QTest::newRow("scalar") << u"  true "_s << u"true"_s;
    QTest::newRow("unicode") << u"[\"é\" , \"\\u20ac\"]"_s << u"[\n  \"é\",\n  \"\\u20ac\"\n]"_s;
}

void TestComposer::formatJson()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);

    ComposerWidget composer;
    child<QComboBox>(composer, u"mimetypeCombo"_s)->setEditText(u"application/json"_s);
    body(composer)->setPlainText(text);
    QTest::mouseClick(child<QPushButton>(composer, u"formatButton"_s), Qt::LeftButton);
    QCOMPARE(body(composer)->toPlainText(), expected);
    QCOMPARE(JsonText::check(expected.toUtf8()), std::nullopt);
    QCOMPARE(composer.errorText(), QString());
}

void TestComposer::ctrlReturnSends()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    composer.show();
    QVERIFY(QTest::qWaitForWindowActive(&composer));
    body(composer)->setFocus();
    QTest::keyClicks(body(composer), u"hi"_s);
    QTest::keyClick(body(composer), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), (Frames { "", "text/plain", "hi" }));
    // Ctrl+Return sent; it did not add a line to the body.
    QCOMPARE(body(composer)->toPlainText(), u"hi"_s);

    // A bad JSON body in the editor: Format says where, and the cursor goes there.
    child<QComboBox>(composer, u"mimetypeCombo"_s)->setEditText(u"application/json"_s);
    body(composer)->setPlainText(u"{\"a\": 1,\n \"b\" 2}"_s);
    QTest::mouseClick(child<QPushButton>(composer, u"formatButton"_s), Qt::LeftButton);
    QCOMPARE(body(composer)->toPlainText(), u"{\"a\": 1,\n \"b\" 2}"_s);
    QVERIFY2(composer.errorText().contains(u"line 2, column 6"_s), qPrintable(composer.errorText()));
    QCOMPARE(body(composer)->textCursor().position(), 14);
}

void TestComposer::prepareReplyRouted()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    composer.setCurrentSocket(1);
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    body(composer)->setPlainText(u"my answer"_s);

    // A REQ request as a ROUTER receives it: [routing id, "", id, mimetype, body].
    const QByteArray routingId("\x00\x6b\x8b\x45\x67", 5);
    const zmqscope::StoredMessage request
        = receivedMessage(41, 3, { routingId, QByteArray(), "req-7", "application/json", "{\"q\": 1}" });
    composer.prepareReply(request, 3);

    QCOMPARE(composer.currentSocket(), SocketId(3));
    QCOMPARE(composer.mode(), ComposerWidget::Mode::Envelope);
    QCOMPARE(child<QLineEdit>(composer, u"idEdit"_s)->text(), u"req-7"_s);
    QVERIFY(!child<QCheckBox>(composer, u"idHexCheck"_s)->isChecked());
    const FrameListModel *route = framesModel(composer, u"requestFrames"_s);
    QCOMPARE(route->rowCount(), 1);
    QCOMPARE(route->entries().at(0).format, BytesText::Format::Hex); // binary routing ids are shown in hex
    QCOMPARE(route->entries().at(0).content, u"00 6b 8b 45 67"_s);
    // What the user typed stays.
    QCOMPARE(body(composer)->toPlainText(), u"my answer"_s);
    QVERIFY(composer.statusText().contains(u"Reply to #41 on ROUTER 1"_s));

    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).value<SocketId>(), SocketId(3));
    const Frames expected = zmqscope::Envelope::fromRaw(request.frames)
                                .responseEnvelope("text/plain", "my answer")
                                .transferObject();
    QCOMPARE(spy.at(0).at(1).value<Frames>(), expected);
}

void TestComposer::prepareReplyRawOnRouter()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);

    // A DEALER peer without the delimiter: [routing id, payload] is a raw message.
    const zmqscope::StoredMessage request = receivedMessage(7, 3, { "peer-A", "ping" });
    composer.prepareReply(request, 3);
    QCOMPARE(composer.currentSocket(), SocketId(3));
    QCOMPARE(composer.mode(), ComposerWidget::Mode::Raw);
    QVERIFY(composer.statusText().contains(u"#7 is not an envelope"_s));
    FrameListModel *model = framesModel(composer, u"rawFrames"_s);
    QCOMPARE(model->rowCount(), 2);
    QVERIFY(model->setData(model->index(1, FrameListModel::ContentColumn), u"pong"_s));
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), (Frames { "peer-A", "pong" }));
}

void TestComposer::prepareReplyRefusals()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    body(composer)->setPlainText(u"kept"_s);

    zmqscope::StoredMessage sent;
    sent.seq = 3;
    sent.direction = zmqscope::Direction::Out;
    sent.frames = { "a", "text/plain", "b" };
    composer.prepareReply(sent, 1);
    QVERIFY(composer.errorText().contains(u"needs a received message"_s));

    const zmqscope::StoredMessage raw = receivedMessage(4, 1, { "only one frame" });
    composer.prepareReply(raw, 1);
    QVERIFY2(composer.errorText().contains(u"#4: it is not an envelope (1 frame"_s),
        qPrintable(composer.errorText()));

    const zmqscope::StoredMessage onSub = receivedMessage(5, 2, { "t", "text/plain", "x" });
    composer.prepareReply(onSub, 2);
    QVERIFY(composer.errorText().contains(u"SUB 1 cannot send"_s));
    QCOMPARE(body(composer)->toPlainText(), u"kept"_s);
}

void TestComposer::repeatSendsN()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    composer.setCurrentSocket(3);
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    answerEverySend(composer);
    child<QSpinBox>(composer, u"repeatSpin"_s)->setValue(5);
    child<QSpinBox>(composer, u"intervalSpin"_s)->setValue(10);
    QCOMPARE(child<QPushButton>(composer, u"sendButton"_s)->text(), u"Send 5×"_s);
    body(composer)->setPlainText(u"tick"_s);

    clickSend(composer);
    QVERIFY(composer.isRepeating());
    QVERIFY(!composer.sendAction()->isEnabled());
    QVERIFY(composer.stopAction()->isEnabled());
    QTRY_VERIFY(!composer.isRepeating());
    QCOMPARE(spy.size(), 5);
    for (const QList<QVariant> &call : std::as_const(spy))
        QCOMPARE(call.at(1).value<Frames>(), (Frames { "", "text/plain", "tick" }));
    QCOMPARE(child<QProgressBar>(composer, u"progress"_s)->value(), 5);
    QVERIFY2(composer.statusText().startsWith(u"Sent 5 messages on ROUTER 1"_s),
        qPrintable(composer.statusText()));
    QVERIFY(composer.sendAction()->isEnabled());
}

void TestComposer::stopStopsRepeat()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    child<QSpinBox>(composer, u"repeatSpin"_s)->setValue(1000);
    child<QSpinBox>(composer, u"intervalSpin"_s)->setValue(20);
    clickSend(composer);
    QTRY_VERIFY(spy.size() >= 3);
    QTest::mouseClick(child<QPushButton>(composer, u"stopButton"_s), Qt::LeftButton);
    QVERIFY(!composer.isRepeating());
    const auto sent = spy.size();
    QVERIFY(sent < 1000);
    QVERIFY(composer.statusText().contains(u"Stopped on REQ 1 after %1 of 1000"_s.arg(sent)));
    // Several intervals later, nothing more was sent.
    QTest::qWait(100);
    QCOMPARE(spy.size(), sent);
    QVERIFY(composer.sendAction()->isEnabled());
}

void TestComposer::sendFailedKeepsMessage()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    child<QLineEdit>(composer, u"idEdit"_s)->setText(u"q1"_s);
    body(composer)->setPlainText(u"precious text"_s);
    const auto before = composedFrames(composer);

    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(composer.errorText(), QString());
    answer(spy, 0, u"cannot send on REQ now: the previous request has not been answered yet."_s);
    QCOMPARE(composer.errorText(),
        u"Not sent on REQ 1: cannot send on REQ now: the previous request has not been "
        u"answered yet. The message is still here."_s);
    QCOMPARE(body(composer)->toPlainText(), u"precious text"_s);
    QCOMPARE(composedFrames(composer), before);

    // A failure stops a repeat at once.
    child<QSpinBox>(composer, u"repeatSpin"_s)->setValue(100);
    child<QSpinBox>(composer, u"intervalSpin"_s)->setValue(10);
    clickSend(composer);
    QVERIFY(composer.isRepeating());
    answer(spy, spy.size() - 1, u"peer gone"_s);
    QVERIFY(!composer.isRepeating());
    QVERIFY(composer.statusText().startsWith(u"Repeat stopped after 1 of 100"_s));
    QVERIFY(composer.errorText().contains(u"peer gone"_s));
}

void TestComposer::reqTwiceOnRealSockets()
{
    zmqscope::MessageStore store;
    zmqscope::Engine engine(store);
    QSignalSpy opened(&engine, &zmqscope::Engine::socketOpened);
    const SocketId rep = engine.openSocket(
        socketSpec(u"Echo"_s, SocketType::Rep, u"inproc://tst-composer-rep"_s, QString()));
    const SocketId req = engine.openSocket(
        socketSpec(u"Client"_s, SocketType::Req, QString(), u"inproc://tst-composer-rep"_s));
    QTRY_COMPARE(opened.size(), 2);

    ComposerWidget composer;
    connectToEngine(composer, engine);
    QVERIFY(composer.setCurrentSocket(req));
    child<QLineEdit>(composer, u"idEdit"_s)->setText(u"q1"_s);
    body(composer)->setPlainText(u"ping"_s);

    clickSend(composer);
    QTRY_VERIFY2(composer.statusText().startsWith(u"Sent on Client"_s), qPrintable(composer.statusText()));
    QTRY_COMPARE(storedFrames(store, rep, zmqscope::Direction::In).size(), 1);
    QCOMPARE(storedFrames(store, rep, zmqscope::Direction::In).constFirst(),
        (Frames { "q1", "text/plain", "ping" }));

    // Twice on REQ without the reply: the engine says why, and the message is still there.
    clickSend(composer);
    QTRY_VERIFY(!composer.errorText().isEmpty());
    QVERIFY2(composer.errorText().startsWith(u"Not sent on Client: "_s), qPrintable(composer.errorText()));
    QVERIFY2(composer.errorText().contains(u"REQ"_s), qPrintable(composer.errorText()));
    QCOMPARE(body(composer)->toPlainText(), u"ping"_s);
    QCOMPARE(storedFrames(store, rep, zmqscope::Direction::In).size(), 1);

    // Reply from the REP on the message it received; then the REQ may send again.
    zmqscope::StoredMessage received;
    QVERIFY(lastStored(store, rep, received));
    composer.prepareReply(received, rep);
    QCOMPARE(composer.currentSocket(), rep);
    body(composer)->setPlainText(u"pong"_s);
    clickSend(composer);
    QTRY_COMPARE(storedFrames(store, req, zmqscope::Direction::In).size(), 1);
    QCOMPARE(storedFrames(store, req, zmqscope::Direction::In).constFirst(),
        (Frames { "q1", "text/plain", "pong" }));

    composer.setCurrentSocket(req);
    clickSend(composer);
    QTRY_COMPARE(storedFrames(store, rep, zmqscope::Direction::In).size(), 2);
    QCOMPARE(composer.errorText(), QString());
}

void TestComposer::routerRepliesReachTheirPeers()
{
    zmqscope::MessageStore store;
    zmqscope::Engine engine(store);
    QSignalSpy opened(&engine, &zmqscope::Engine::socketOpened);
    const SocketId router = engine.openSocket(
        socketSpec(u"Router"_s, SocketType::Router, u"inproc://tst-composer-router"_s, QString()));
    QList<SocketId> peers;
    for (const QString &name : { u"alice"_s, u"bob"_s }) {
        peers.append(engine.openSocket(socketSpec(name, SocketType::Req, QString(),
            u"inproc://tst-composer-router"_s, { { "routing_id", name.toUtf8() } })));
    }
    QTRY_COMPARE(opened.size(), 3);

    ComposerWidget composer;
    connectToEngine(composer, engine);

    // Each peer asks; the router answers each request through the composer.
    for (int i = 0; i < peers.size(); ++i) {
        QVERIFY(composer.setCurrentSocket(peers.at(i)));
        child<QLineEdit>(composer, u"idEdit"_s)->setText(u"question-%1"_s.arg(i));
        framesModel(composer, u"requestFrames"_s)->setEntries({});
        body(composer)->setPlainText(u"from peer %1"_s.arg(i));
        clickSend(composer);
        QTRY_COMPARE(storedFrames(store, router, zmqscope::Direction::In).size(), i + 1);
    }
    const QList<Frames> requests = storedFrames(store, router, zmqscope::Direction::In);
    QCOMPARE(requests.at(0).constFirst(), QByteArray("alice"));
    // Answer bob first, so a reply that went to the wrong peer would show.
    for (int i = peers.size() - 1; i >= 0; --i) {
        zmqscope::StoredMessage message;
        QVERIFY(store.message(store.firstSeq(), message));
        for (auto seq = store.firstSeq(); seq < store.endSeq(); ++seq) {
            if (store.message(seq, message) && message.socket == router
                && message.frames.constFirst() == requests.at(i).constFirst())
                break;
        }
        composer.prepareReply(message, router);
        QCOMPARE(composer.currentSocket(), router);
        body(composer)->setPlainText(u"answer for %1"_s.arg(QString::fromUtf8(requests.at(i).constFirst())));
        clickSend(composer);
        QTRY_COMPARE(storedFrames(store, peers.at(i), zmqscope::Direction::In).size(), 1);
    }
    QCOMPARE(storedFrames(store, peers.at(0), zmqscope::Direction::In).constFirst(),
        (Frames { "question-0", "text/plain", "answer for alice" }));
    QCOMPARE(storedFrames(store, peers.at(1), zmqscope::Direction::In).constFirst(),
        (Frames { "question-1", "text/plain", "answer for bob" }));
    QCOMPARE(composer.errorText(), QString());
}

void TestComposer::dealerEnvelopeIsReqFramed()
{
    ComposerWidget composer;
    composer.setSockets(moreSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    auto *delimiter = child<QCheckBox>(composer, u"delimiterCheck"_s);
    QVERIFY(delimiter);
    // Offered where core's rule adds the delimiter, only.
    QCOMPARE(composer.currentSocket(), SocketId(1));
    QVERIFY(!delimiter->isVisibleTo(&composer));
    QVERIFY(composer.setCurrentSocket(DealerSocket));
    QVERIFY(delimiter->isVisibleTo(&composer));
    QVERIFY(delimiter->isChecked());
    QCOMPARE(composer.envelopeFraming(), zmqscope::EnvelopeFraming::ReqCompatible);

    child<QLineEdit>(composer, u"idEdit"_s)->setText(u"d-1"_s);
    body(composer)->setPlainText(u"hi"_s);
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), (Frames { QByteArray(), "d-1", "text/plain", "hi" }));

    // The way out: the envelope alone.
    delimiter->click();
    QCOMPARE(composer.envelopeFraming(), zmqscope::EnvelopeFraming::Plain);
    clickSend(composer);
    QCOMPARE(spy.size(), 2);
    QCOMPARE(spy.at(1).at(1).value<Frames>(), (Frames { "d-1", "text/plain", "hi" }));
    delimiter->click();

    // Request frames go after the REQ-style delimiter, as a REQ would send them.
    framesModel(composer, u"requestFrames"_s)->setEntries({ { BytesText::Format::Text, u"hop"_s } });
    clickSend(composer);
    QCOMPARE(spy.size(), 3);
    QCOMPARE(spy.at(2).at(1).value<Frames>(),
        (Frames { QByteArray(), "hop", QByteArray(), "d-1", "text/plain", "hi" }));

    // Raw frames are sent as typed, on a DEALER too.
    composer.setMode(ComposerWidget::Mode::Raw);
    framesModel(composer, u"rawFrames"_s)->setEntries({ { BytesText::Format::Text, u"x"_s } });
    clickSend(composer);
    QCOMPARE(spy.size(), 4);
    QCOMPARE(spy.at(3).at(1).value<Frames>(), (Frames { "x" }));

    // On a REQ the socket adds the delimiter itself.
    composer.setMode(ComposerWidget::Mode::Envelope);
    framesModel(composer, u"requestFrames"_s)->setEntries({});
    QVERIFY(composer.setCurrentSocket(1));
    QCOMPARE(composer.envelopeFraming(), zmqscope::EnvelopeFraming::Plain);
    clickSend(composer);
    QCOMPARE(spy.size(), 5);
    QCOMPARE(spy.at(4).at(1).value<Frames>(), (Frames { "d-1", "text/plain", "hi" }));
}

void TestComposer::dealerFramingOnRealSockets()
{
    zmqscope::MessageStore store;
    zmqscope::Engine engine(store);
    QSignalSpy opened(&engine, &zmqscope::Engine::socketOpened);
    const SocketId router = engine.openSocket(
        socketSpec(u"Service"_s, SocketType::Router, u"inproc://tst-composer-dealer"_s, QString()));
    const SocketId dealer = engine.openSocket(socketSpec(u"Client"_s, SocketType::Dealer, QString(),
        u"inproc://tst-composer-dealer"_s, { { "routing_id", QByteArray("d-socket") } }));
    QTRY_COMPARE(opened.size(), 2);

    ComposerWidget composer;
    connectToEngine(composer, engine);
    QVERIFY(composer.setCurrentSocket(dealer));
    child<QLineEdit>(composer, u"idEdit"_s)->setText(u"d-1"_s);
    body(composer)->setPlainText(u"hi"_s);
    clickSend(composer);
    QTRY_COMPARE(storedFrames(store, router, zmqscope::Direction::In).size(), 1);
    // What a REQ would have put on the wire: the ROUTER sees a routed envelope.
    const Frames request = storedFrames(store, router, zmqscope::Direction::In).constFirst();
    QCOMPARE(request, (Frames { "d-socket", QByteArray(), "d-1", "text/plain", "hi" }));

    // The reply finds its way back and decodes on the DEALER.
    zmqscope::StoredMessage received;
    QVERIFY(lastStored(store, router, received));
    composer.prepareReply(received, router);
    body(composer)->setPlainText(u"re: hi"_s);
    clickSend(composer);
    QTRY_COMPARE(storedFrames(store, dealer, zmqscope::Direction::In).size(), 1);
    const Frames reply = storedFrames(store, dealer, zmqscope::Direction::In).constFirst();
    QCOMPARE(reply, (Frames { QByteArray(), "d-1", "text/plain", "re: hi" }));
    const auto parsed = zmqscope::Envelope::parse(reply);
    QVERIFY(parsed.envelope);
    QCOMPARE(parsed.envelope->data(), QByteArray("re: hi"));
    QCOMPARE(composer.errorText(), QString());
}

void TestComposer::failedSendClearsSendingStatus()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    body(composer)->setPlainText(u"x"_s);
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QVERIFY(composer.statusText().startsWith(u"Sending on REQ 1"_s));
    answer(spy, 0, u"the peer is gone"_s);
    QVERIFY(composer.errorText().contains(u"the peer is gone"_s));
    // Nothing is being sent any more; the error says what happened.
    QVERIFY2(!composer.statusText().contains(u"Sending"_s), qPrintable(composer.statusText()));
}

void TestComposer::switchingSocketClearsReplyRouting()
{
    ComposerWidget composer;
    composer.setSockets(moreSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    body(composer)->setPlainText(u"my answer"_s);
    const QByteArray routingId("\x00\x6b\x8b\x45\x67", 5);
    const zmqscope::StoredMessage request
        = receivedMessage(41, 3, { routingId, QByteArray(), "req-7", "text/plain", "q" });
    composer.prepareReply(request, 3);
    const FrameListModel *route = framesModel(composer, u"requestFrames"_s);
    QCOMPARE(route->rowCount(), 1);
    // An old error, from a send that failed on the ROUTER.
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    answer(spy, 0, u"host unreachable"_s);
    QVERIFY(!composer.errorText().isEmpty());

    // The user picks the PUSH: the routing frames and the ROUTER's error go, visibly and undoably.
    auto *combo = child<QComboBox>(composer, u"socketCombo"_s);
    combo->setCurrentIndex(combo->findData(uint(PushSocket)));
    QCOMPARE(composer.currentSocket(), PushSocket);
    QCOMPARE(composer.errorText(), QString());
    QCOMPARE(route->rowCount(), 0);
    QVERIFY2(composer.statusText().contains(u"Removed the 1 routing frame(s) of #41"_s),
        qPrintable(composer.statusText()));
    auto *undo = child<QPushButton>(composer, u"undoRoutingButton"_s);
    QVERIFY(undo->isVisibleTo(&composer));
    clickSend(composer);
    QCOMPARE(spy.size(), 2);
    QCOMPARE(spy.at(1).at(0).value<SocketId>(), PushSocket);
    QCOMPARE(spy.at(1).at(1).value<Frames>(), (Frames { "req-7", "text/plain", "my answer" }));

    // Undo puts them back as they were.
    QTest::mouseClick(undo, Qt::LeftButton);
    QVERIFY(!undo->isVisibleTo(&composer));
    QCOMPARE(route->rowCount(), 1);
    QCOMPARE(route->entries().at(0).content, u"00 6b 8b 45 67"_s);

    // A reply filled in for a socket keeps its frames when it selects that socket itself.
    composer.prepareReply(request, 3);
    QCOMPARE(composer.currentSocket(), SocketId(3));
    QCOMPARE(route->rowCount(), 1);
    // The socket closing takes them too: the composer falls back to another socket.
    QList<SocketInfo> sockets = moreSockets();
    sockets[2].state = SocketState::Closed;
    composer.setSockets(sockets);
    QVERIFY(composer.currentSocket() != SocketId(3));
    QCOMPARE(route->rowCount(), 0);
}

void TestComposer::switchingSocketClearsRawReplyRouting()
{
    ComposerWidget composer;
    composer.setSockets(moreSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    const zmqscope::StoredMessage request = receivedMessage(7, 3, { "peer-A", "ping" });
    composer.prepareReply(request, 3);
    FrameListModel *model = framesModel(composer, u"rawFrames"_s);
    QCOMPARE(model->rowCount(), 2);
    QVERIFY(model->setData(model->index(1, FrameListModel::ContentColumn), u"pong"_s));

    auto *combo = child<QComboBox>(composer, u"socketCombo"_s);
    combo->setCurrentIndex(combo->findData(uint(PushSocket)));
    QCOMPARE(model->rowCount(), 1);
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), (Frames { "pong" }));
    QTest::mouseClick(child<QPushButton>(composer, u"undoRoutingButton"_s), Qt::LeftButton);
    QCOMPARE(composedFrames(composer), (std::optional<Frames> { Frames { "peer-A", "pong" } }));
}

void TestComposer::replyRoutingNeverReachesPush()
{
    // The report: a reply's routing frames went out on a PUSH, and the peer got [b'py-dealer-1', b'', ...].
    zmqscope::MessageStore store;
    zmqscope::Engine engine(store);
    QSignalSpy opened(&engine, &zmqscope::Engine::socketOpened);
    const SocketId router = engine.openSocket(
        socketSpec(u"Router"_s, SocketType::Router, u"inproc://tst-composer-r"_s, QString()));
    const SocketId dealer = engine.openSocket(socketSpec(u"Dealer"_s, SocketType::Dealer, QString(),
        u"inproc://tst-composer-r"_s, { { "routing_id", QByteArray("py-dealer-1") } }));
    const SocketId push
        = engine.openSocket(socketSpec(u"Push"_s, SocketType::Push, u"inproc://tst-composer-p"_s, QString()));
    const SocketId pull
        = engine.openSocket(socketSpec(u"Pull"_s, SocketType::Pull, QString(), u"inproc://tst-composer-p"_s));
    QTRY_COMPARE(opened.size(), 4);

    ComposerWidget composer;
    connectToEngine(composer, engine);
    engine.send(dealer, { QByteArray(), "job-1", "text/plain", "work" });
    QTRY_COMPARE(storedFrames(store, router, zmqscope::Direction::In).size(), 1);
    zmqscope::StoredMessage received;
    QVERIFY(lastStored(store, router, received));
    composer.prepareReply(received, router);
    body(composer)->setPlainText(u"done"_s);

    auto *combo = child<QComboBox>(composer, u"socketCombo"_s);
    combo->setCurrentIndex(combo->findData(uint(push)));
    clickSend(composer);
    QTRY_COMPARE(storedFrames(store, pull, zmqscope::Direction::In).size(), 1);
    QCOMPARE(storedFrames(store, pull, zmqscope::Direction::In).constFirst(),
        (Frames { "job-1", "text/plain", "done" }));
}

void TestComposer::variablesExpandLikeTheLibrary()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    auto *expand = child<QCheckBox>(composer, u"expandVariablesCheck"_s);
    // The check box itself is the hint: it names the variables.
    QVERIFY(expand->isChecked());
    QVERIFY(expand->isVisibleTo(&composer));
    for (const QString &variable : { u"{{seq}}"_s, u"{{now}}"_s, u"{{uuid}}"_s, u"{{random:N}}"_s })
        QVERIFY(expand->text().contains(variable));

    child<QLineEdit>(composer, u"idEdit"_s)->setText(u"job-{{seq}}"_s);
    body(composer)->setPlainText(u"n={{seq}} r={{random:1}} {{{{x}}"_s);
    clickSend(composer);
    clickSend(composer);
    QCOMPARE(spy.size(), 2);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), (Frames { "job-1", "text/plain", "n=1 r=0 {{x}}" }));
    QCOMPARE(spy.at(1).at(1).value<Frames>(), (Frames { "job-2", "text/plain", "n=2 r=0 {{x}}" }));

    // A repeat expands anew for each message, as the Library and `send --template --repeat` do.
    answerEverySend(composer);
    child<QSpinBox>(composer, u"repeatSpin"_s)->setValue(2);
    child<QSpinBox>(composer, u"intervalSpin"_s)->setValue(0);
    body(composer)->setPlainText(u"{{uuid}}"_s);
    clickSend(composer);
    QTRY_VERIFY(!composer.isRepeating());
    QCOMPARE(spy.size(), 4);
    QCOMPARE(spy.at(2).at(1).value<Frames>().at(0), QByteArray("job-3"));
    QCOMPARE(spy.at(3).at(1).value<Frames>().at(0), QByteArray("job-4"));
    const QByteArray first = spy.at(2).at(1).value<Frames>().at(2);
    const QByteArray second = spy.at(3).at(1).value<Frames>().at(2);
    QVERIFY(!QUuid::fromString(QString::fromLatin1(first)).isNull());
    QVERIFY(first != second);
    child<QSpinBox>(composer, u"repeatSpin"_s)->setValue(1);

    // A bad variable is refused before sending, in the Library's words.
    body(composer)->setPlainText(u"{{nope}}"_s);
    QString libraryWords;
    try {
        zmqscope::TemplateExpander::validate("{{nope}}");
    } catch (const zmqscope::Error &e) {
        libraryWords = e.message();
    }
    QVERIFY(!libraryWords.isEmpty());
    clickSend(composer);
    QCOMPARE(spy.size(), 4);
    QCOMPARE(composer.errorText(), u"Not sent: Body: %1"_s.arg(libraryWords));

    // Hex fields are bytes, and unchecking sends every field as typed.
    child<QCheckBox>(composer, u"idHexCheck"_s)->setChecked(true);
    child<QLineEdit>(composer, u"idEdit"_s)->setText(BytesText::toHex("{{seq}}"));
    body(composer)->setPlainText(u"{{seq}}"_s);
    clickSend(composer);
    QCOMPARE(spy.size(), 5);
    QCOMPARE(spy.at(4).at(1).value<Frames>(), (Frames { "{{seq}}", "text/plain", "5" }));
    expand->click();
    body(composer)->setPlainText(u"{{nope}}"_s);
    clickSend(composer);
    QCOMPARE(spy.size(), 6);
    QCOMPARE(spy.at(5).at(1).value<Frames>(), (Frames { "{{seq}}", "text/plain", "{{nope}}" }));

    // Raw frames typed as text are expanded too.
    expand->click();
    composer.setMode(ComposerWidget::Mode::Raw);
    framesModel(composer, u"rawFrames"_s)
        ->setEntries({ { BytesText::Format::Text, u"t{{seq}}"_s }, { BytesText::Format::Hex, u"7b 7b"_s } });
    clickSend(composer);
    QCOMPARE(spy.size(), 7);
    QCOMPARE(spy.at(6).at(1).value<Frames>(), (Frames { "t7", "{{" }));
}

void TestComposer::jsonCheckedAfterExpansion_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("expand");
    QTest::addColumn<QString>("expected");
    QTest::newRow("placeholders") << u"{\"n\": {{seq}}, \"id\": \"{{uuid}}\", \"r\": {{random:10}}}"_s << true
                                  << u"Valid JSON after expanding the variables"_s;
    QTest::newRow("still broken") << u"{\"n\": {{seq}}"_s << true << u"(after expanding the variables)"_s;
    QTest::newRow("bad variable") << u"{\"n\": {{bogus}}}"_s << true << u"Variable error: "_s;
    QTest::newRow("not expanded") << u"{\"n\": {{seq}}}"_s << false << u"JSON error at line 1"_s;
    QTest::newRow("no variables") << u"{\"n\": 1}"_s << true << u"Valid JSON"_s;
}

void TestComposer::jsonCheckedAfterExpansion()
{
    QFETCH(QString, text);
    QFETCH(bool, expand);
    QFETCH(QString, expected);
    ComposerWidget composer;
    child<QCheckBox>(composer, u"expandVariablesCheck"_s)->setChecked(expand);
    child<QComboBox>(composer, u"mimetypeCombo"_s)->setEditText(u"application/json"_s);
    body(composer)->setPlainText(text);
    QTRY_VERIFY2(composer.jsonStatusText().contains(expected), qPrintable(composer.jsonStatusText()));
}

void TestComposer::editAndResend_data()
{
    QTest::addColumn<SocketId>("socket");
    QTest::addColumn<bool>("sent");
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<bool>("envelope");

    const QByteArray routingId("\x00\x6b\x8b\x45\x67", 5);
    QByteArray binary;
    for (int i = 0; i < 256; ++i)
        binary.append(char(i));
    QTest::newRow("sent on DEALER, REQ-style")
        << DealerSocket << true << Frames { QByteArray(), "d-1", "text/plain", "hi" } << true;
    QTest::newRow("received on DEALER without delimiter")
        << DealerSocket << false << Frames { "d-1", "text/plain", "hi" } << true;
    QTest::newRow("received on ROUTER, routed")
        << SocketId(3) << false << Frames { routingId, QByteArray(), "q", "application/json", "{\"a\": 1}" }
        << true;
    QTest::newRow("binary body") << SocketId(1) << true << Frames { "b", "application/octet-stream", binary }
                                 << true;
    QTest::newRow("raw on REQ") << SocketId(1) << true << Frames { "just one" } << false;
    QTest::newRow("delimiter first on PUSH")
        << PushSocket << true << Frames { QByteArray(), "x", "y", "z" } << false;
    QTest::newRow("braces stay literal")
        << SocketId(1) << true << Frames { "{{seq}}", "text/plain", "{{now}} {{nope}}" } << true;
}

void TestComposer::editAndResend()
{
    QFETCH(SocketId, socket);
    QFETCH(bool, sent);
    QFETCH(Frames, frames);
    QFETCH(bool, envelope);

    ComposerWidget composer;
    composer.setSockets(moreSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    // Whatever was there before is replaced.
    body(composer)->setPlainText(u"old"_s);
    framesModel(composer, u"requestFrames"_s)->setEntries({ { BytesText::Format::Text, u"stale"_s } });
    composer.setMode(envelope ? ComposerWidget::Mode::Raw : ComposerWidget::Mode::Envelope);

    zmqscope::StoredMessage message;
    message.seq = 12;
    message.socket = socket;
    message.direction = sent ? zmqscope::Direction::Out : zmqscope::Direction::In;
    message.frames = frames;
    composer.loadMessage(message, socket);
    QCOMPARE(composer.currentSocket(), socket);
    QCOMPARE(composer.mode(), envelope ? ComposerWidget::Mode::Envelope : ComposerWidget::Mode::Raw);
    QVERIFY2(composer.statusText().startsWith(u"#12 (%1"_s.arg(sent ? u"sent"_s : u"received"_s)),
        qPrintable(composer.statusText()));
    QCOMPARE(composer.errorText(), QString());
    // Sent unchanged, it is the same message again.
    QCOMPARE(composedFrames(composer), std::optional<Frames>(frames));
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>(), frames);
}

void TestComposer::largePasteIsKeptReadOnly()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    composer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&composer));
    child<QComboBox>(composer, u"mimetypeCombo"_s)->setEditText(u"application/json"_s);

    // More than the composer lays out, derived from its own limit.
    const QString line = u"{\"reading\": 21.5, \"unit\": \"°C\"}\n"_s;
    const QString big = line.repeated(ComposerWidget::MaxEditableBodyBytes / line.size() + 2);
    QVERIFY(big.size() > ComposerWidget::MaxEditableBodyBytes);
    QApplication::clipboard()->setText(big);
    QCOMPARE(QApplication::clipboard()->text().size(), big.size());
    body(composer)->setPlainText(u"prefix "_s);
    body(composer)->moveCursor(QTextCursor::End);
    body(composer)->paste();

    QVERIFY(composer.hasReadOnlyBody());
    // Never laid out in the text edit: it holds nothing, and a read-only summary shows instead.
    QVERIFY(body(composer)->document()->characterCount() <= 1);
    QVERIFY(!body(composer)->isVisibleTo(&composer));
    auto *summary = child<QLabel>(composer, u"readOnlyBody"_s);
    QVERIFY(summary->isVisibleTo(&composer));
    QCOMPARE(summary->textFormat(), Qt::PlainText);
    const QByteArray expected = (u"prefix "_s + big).toUtf8();
    QVERIFY2(summary->text().contains(u"%1 bytes"_s.arg(expected.size())), qPrintable(summary->text()));
    QVERIFY(summary->text().contains(u"pasted text"_s));
    QVERIFY(summary->text().size() < 1000);
    QVERIFY(composer.jsonStatusText().startsWith(u"JSON not checked"_s));
    QVERIFY(!child<QCheckBox>(composer, u"bodyHexCheck"_s)->isEnabled());

    // Sent byte for byte.
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>().at(2), expected);

    // Switching a big text body to hex would triple it: it is kept read-only instead.
    QTest::mouseClick(child<QPushButton>(composer, u"discardBodyButton"_s), Qt::LeftButton);
    child<QComboBox>(composer, u"mimetypeCombo"_s)->setEditText(u"text/plain"_s);
    const QString third = u"zzzzzzzzzzzzzzz\n"_s.repeated(ComposerWidget::MaxEditableBodyBytes / 3 / 16 + 1);
    body(composer)->setPlainText(third);
    child<QCheckBox>(composer, u"bodyHexCheck"_s)->click();
    QVERIFY(composer.hasReadOnlyBody());
    QVERIFY(body(composer)->document()->characterCount() <= 1);
    QCOMPARE(composedFrames(composer)->at(2), third.toUtf8());

    // Discard goes back to an empty editor; a small paste stays in the editor.
    QTest::mouseClick(child<QPushButton>(composer, u"discardBodyButton"_s), Qt::LeftButton);
    QVERIFY(!composer.hasReadOnlyBody());
    QVERIFY(body(composer)->isVisibleTo(&composer));
    QApplication::clipboard()->setText(u"[1, 2]"_s);
    body(composer)->paste();
    QVERIFY(!composer.hasReadOnlyBody());
    QCOMPARE(body(composer)->toPlainText(), u"[1, 2]"_s);
}

void TestComposer::loadBodyFromFile()
{
    ComposerWidget composer;
    composer.setSockets(someSockets());
    QSignalSpy spy(&composer, &ComposerWidget::sendRequested);
    QVERIFY(composer.loadBodyAction());
    QVERIFY(composer.loadBodyAction()->text().contains(u"Load Body from File"_s));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    // Binary, three hex characters a byte: beyond the limit in the editor, so kept read-only.
    QByteArray binary;
    for (qsizetype i = 0; i < ComposerWidget::MaxEditableBodyBytes / 3 + 100; ++i)
        binary.append(char(i * 7 % 256));
    const QString binaryPath = dir.filePath(u"frame.bin"_s);
    {
        QFile file(binaryPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(binary), binary.size());
    }
    composer.setMode(ComposerWidget::Mode::Raw);
    QVERIFY(composer.loadBodyFromFile(binaryPath));
    QCOMPARE(composer.mode(), ComposerWidget::Mode::Envelope);
    QVERIFY(composer.hasReadOnlyBody());
    QVERIFY(child<QLabel>(composer, u"readOnlyBody"_s)->text().contains(u"frame.bin"_s));
    QVERIFY(composer.statusText().contains(u"frame.bin"_s));
    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(1).value<Frames>().at(2), binary);

    // A small text file is edited like typed text.
    const QString textPath = dir.filePath(u"note.txt"_s);
    {
        QFile file(textPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello\n");
    }
    QVERIFY(composer.loadBodyFromFile(textPath));
    QVERIFY(!composer.hasReadOnlyBody());
    QCOMPARE(body(composer)->toPlainText(), u"hello\n"_s);

    // A file that is not there says so, and the body stays.
    QVERIFY(!composer.loadBodyFromFile(dir.filePath(u"missing.bin"_s)));
    QVERIFY2(composer.errorText().startsWith(u"Body not loaded from missing.bin"_s),
        qPrintable(composer.errorText()));
    QCOMPARE(body(composer)->toPlainText(), u"hello\n"_s);

    // A device that never ends (its size() is 0) is refused at the limit, naming it; the body stays.
    if (QFile::exists(u"/dev/zero"_s)) {
        QVERIFY(!composer.loadBodyFromFile(u"/dev/zero"_s));
        QCOMPARE(composer.errorText(),
            u"Body not loaded: zero holds more than %1, too much to read"_s.arg(
                zmqscope::sizeLimitText(ComposerWidget::MaxBodyFileBytes)));
        QCOMPARE(body(composer)->toPlainText(), u"hello\n"_s);
    }

    // A template or message with a big body is not laid out either.
    zmqscope::MessageTemplate saved;
    saved.name = u"big"_s;
    saved.mimetype = "application/octet-stream";
    saved.body = binary;
    composer.loadTemplate(saved);
    QVERIFY(composer.hasReadOnlyBody());
    QCOMPARE(composedFrames(composer)->at(2), binary);
}

QTEST_MAIN(TestComposer)
#include "tst_composer.moc"
