#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

#include <zmqscope/engine.h>
#include <zmqscope/messagestore.h>

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
    QVERIFY(spy.at(0).at(2).value<quint64>() != 0);
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
    QCOMPARE(composer.composedFrames(), (std::optional<Frames> { Frames { "b", "c", "a" } }));
    QVERIFY(!rawAction(composer, u"moveFrameDown"_s)->isEnabled());
    rawAction(composer, u"moveFrameUp"_s)->trigger();
    QCOMPARE(composer.composedFrames(), (std::optional<Frames> { Frames { "b", "a", "c" } }));
    rawAction(composer, u"removeFrame"_s)->trigger();
    QCOMPARE(composer.composedFrames(), (std::optional<Frames> { Frames { "b", "c" } }));
    QCOMPARE(view->currentIndex().row(), 1);

    // Keyboard: Alt+Up moves the current frame while the list has the focus.
    composer.show();
    QVERIFY(QTest::qWaitForWindowActive(&composer));
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Up, Qt::AltModifier);
    QCOMPARE(composer.composedFrames(), (std::optional<Frames> { Frames { "c", "b" } }));
    // Delete removes the current frame; Insert adds one after it and starts editing.
    QTest::keyClick(view, Qt::Key_Delete);
    QCOMPARE(composer.composedFrames(), (std::optional<Frames> { Frames { "b" } }));
    QTest::keyClick(view, Qt::Key_Insert);
    QTRY_VERIFY(
        QApplication::focusWidget() && QApplication::focusWidget()->parentWidget() == view->viewport());
    QTest::keyClicks(QApplication::focusWidget(), u"z"_s);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_COMPARE(composer.composedFrames(), (std::optional<Frames> { Frames { "b", "z" } }));

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

    QString reason;
    const auto parsed = BytesText::parseHex(text, &reason);
    QCOMPARE(parsed.has_value(), valid);
    if (valid) {
        QCOMPARE(*parsed, bytes);
        QCOMPARE(BytesText::parseHex(BytesText::toHex(bytes), nullptr), std::optional<QByteArray>(bytes));
    } else {
        QCOMPARE(reason, error);
    }
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
    zmqscope::StoredMessage request;
    request.seq = 41;
    request.socket = 3;
    request.frames = { routingId, QByteArray(), "req-7", "application/json", "{\"q\": 1}" };
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
    zmqscope::StoredMessage request;
    request.seq = 7;
    request.socket = 3;
    request.frames = { "peer-A", "ping" };
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

    zmqscope::StoredMessage raw;
    raw.seq = 4;
    raw.socket = 1;
    raw.frames = { "only one frame" };
    composer.prepareReply(raw, 1);
    QVERIFY2(composer.errorText().contains(u"#4: it is not an envelope (1 frame"_s),
        qPrintable(composer.errorText()));

    zmqscope::StoredMessage onSub;
    onSub.seq = 5;
    onSub.socket = 2;
    onSub.frames = { "t", "text/plain", "x" };
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
    connect(&composer, &ComposerWidget::sendRequested, &composer,
        [&composer](SocketId, const Frames &, quint64 tag) { composer.handleMessageSent(tag); });
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
    QSet<quint64> tags;
    for (const QList<QVariant> &call : std::as_const(spy)) {
        QCOMPARE(call.at(1).value<Frames>(), (Frames { "", "text/plain", "tick" }));
        tags.insert(call.at(2).value<quint64>());
    }
    QCOMPARE(tags.size(), 5);
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
    const auto before = composer.composedFrames();

    clickSend(composer);
    QCOMPARE(spy.size(), 1);
    const quint64 tag = spy.at(0).at(2).value<quint64>();
    composer.handleSendFailed(tag + 1000, u"not ours"_s); // other senders' tags are ignored
    QCOMPARE(composer.errorText(), QString());
    composer.handleSendFailed(
        tag, u"cannot send on REQ now: the previous request has not been answered yet."_s);
    QCOMPARE(composer.errorText(),
        u"Not sent on REQ 1: cannot send on REQ now: the previous request has not been "
        u"answered yet. The message is still here."_s);
    QCOMPARE(body(composer)->toPlainText(), u"precious text"_s);
    QCOMPARE(composer.composedFrames(), before);

    // A failure stops a repeat at once.
    child<QSpinBox>(composer, u"repeatSpin"_s)->setValue(100);
    child<QSpinBox>(composer, u"intervalSpin"_s)->setValue(10);
    clickSend(composer);
    QVERIFY(composer.isRepeating());
    composer.handleSendFailed(spy.last().at(2).value<quint64>(), u"peer gone"_s);
    QVERIFY(!composer.isRepeating());
    QVERIFY(composer.statusText().startsWith(u"Repeat stopped after 1 of 100"_s));
    QVERIFY(composer.errorText().contains(u"peer gone"_s));
}

void TestComposer::reqTwiceOnRealSockets()
{
    zmqscope::MessageStore store;
    zmqscope::Engine engine(store);
    SocketSpec repSpec;
    repSpec.name = u"Echo"_s;
    repSpec.type = SocketType::Rep;
    repSpec.binds = { u"inproc://tst-composer-rep"_s };
    SocketSpec reqSpec;
    reqSpec.name = u"Client"_s;
    reqSpec.type = SocketType::Req;
    reqSpec.connects = { u"inproc://tst-composer-rep"_s };
    QSignalSpy opened(&engine, &zmqscope::Engine::socketOpened);
    const SocketId rep = engine.openSocket(repSpec);
    const SocketId req = engine.openSocket(reqSpec);
    QTRY_COMPARE(opened.size(), 2);

    ComposerWidget composer;
    connect(&composer, &ComposerWidget::sendRequested, &engine, &zmqscope::Engine::send);
    connect(&engine, &zmqscope::Engine::messageSent, &composer, &ComposerWidget::handleMessageSent);
    connect(&engine, &zmqscope::Engine::sendFailed, &composer, &ComposerWidget::handleSendFailed);
    composer.setSockets(engine.sockets());
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
    SocketSpec routerSpec;
    routerSpec.name = u"Router"_s;
    routerSpec.type = SocketType::Router;
    routerSpec.binds = { u"inproc://tst-composer-router"_s };
    QSignalSpy opened(&engine, &zmqscope::Engine::socketOpened);
    const SocketId router = engine.openSocket(routerSpec);
    QList<SocketId> peers;
    for (const QString &name : { u"alice"_s, u"bob"_s }) {
        SocketSpec spec;
        spec.name = name;
        spec.type = SocketType::Req;
        spec.connects = { u"inproc://tst-composer-router"_s };
        spec.options = { { "routing_id", name.toUtf8() } };
        peers.append(engine.openSocket(spec));
    }
    QTRY_COMPARE(opened.size(), 3);

    ComposerWidget composer;
    connect(&composer, &ComposerWidget::sendRequested, &engine, &zmqscope::Engine::send);
    connect(&engine, &zmqscope::Engine::messageSent, &composer, &ComposerWidget::handleMessageSent);
    connect(&engine, &zmqscope::Engine::sendFailed, &composer, &ComposerWidget::handleSendFailed);
    composer.setSockets(engine.sockets());

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

QTEST_MAIN(TestComposer)
#include "tst_composer.moc"
