// zmqscope-cli end to end: the built executable against the independent python3-zmq peer
// (tests/interop/dploy_peer.py) and against itself. Readiness comes from the endpoints the
// processes print, never from sleeping.

#include <memory>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/capture.h>
#include <zmqscope/replay/templates.h>
#include <zmqscope/transport.h>

#include "clitestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace clitest;

Q_DECLARE_METATYPE(zmqscope::Frames)

namespace {

QByteArray lastLine(const QByteArray &text)
{
    return text.trimmed().split('\n').constLast();
}

// Saves a library at `path` with one text/plain envelope template NAME for SOCKET_TYPE sockets.
void saveOneTemplate(const QString &path, const QString &name, const QString &socketType,
    const QByteArray &id, const QByteArray &body)
{
    MessageTemplate message;
    message.name = name;
    message.socketType = socketType;
    message.id = id;
    message.mimetype = "text/plain";
    message.body = body;
    TemplateLibrary templates;
    templates.insert(message);
    templates.save(path);
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void version();
    void help_data();
    void help();
    void usageErrors_data();
    void usageErrors();
    void addressInUseIsRuntimeFailure();
    void listenJsonlIsByteExact();
    void listenTimeoutWithoutMessages();
    void listenTimeoutAfterMessages();
    void listenWritesCaptureAndEscapesPretty();
    void sendReqPrintsReply_data();
    void sendReqPrintsReply();
    void sendReqWithoutReplyFails();
    void sendRawHexFramesToPull();
    void sendRepeatKeepsOrderWhileHeld();
    void sendPubToPythonSub();
    void sendPubWaitPeersTimesOut();
    void echoRepAnswersPythonReq();
    void echoRouterAnswersEachPeer();
    void cliToCliReqRep();
    void cliToCliDealerRouter();
    void cliToCliPubSub();
    // Section 4 of issue 12: DEALER envelopes framed as a REQ frames them.
    void dealerReachesDployService();
    void dealerNoDelimiterSendsTheOldShape();
    void dealerTemplateIsFramedToo();

private:
    QTemporaryDir m_dir;
};

void TestCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(ZMQSCOPE_CLI_PATH)), ZMQSCOPE_CLI_PATH);
    TestProcess python;
    QVERIFY(python.start(QStringLiteral(ZMQSCOPE_PYTHON), { u"-c"_s, u"import zmq"_s }));
    QVERIFY(python.waitForFinished());
    QVERIFY2(python.exitedWith(0),
        QByteArray("python3-zmq is missing: apt-get install python3-zmq; ")
            .append(python.diagnostics())
            .constData());
}

void TestCli::version()
{
    const auto cli = runCli({ u"--version"_s });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    QCOMPARE(cli->out(), u"zmqscope-cli %1 (libzmq %2)\n"_s.arg(libraryVersion(), zmqVersion()).toUtf8());
    QVERIFY(cli->out().startsWith("zmqscope-cli 0.1.0 (libzmq 4."));
    QVERIFY(cli->err().isEmpty());
}

void TestCli::help_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("top") << QStringList { u"--help"_s }
                         << QStringList { u"Usage: zmqscope-cli <command>"_s, u"listen"_s, u"send"_s,
                                u"echo"_s, u"replay"_s, u"cat"_s };
    QTest::newRow("listen") << QStringList { u"listen"_s, u"--help"_s }
                            << QStringList { u"Usage: zmqscope-cli listen [options]"_s, u"--format"_s,
                                   u"--write"_s, u"--subscribe"_s, u"Exit status"_s };
    QTest::newRow("send") << QStringList { u"send"_s, u"-h"_s }
                          << QStringList { u"Usage: zmqscope-cli send [options]"_s, u"--wait-peers"_s,
                                 u"--delimiter"_s, u"--no-delimiter"_s, u"--hex"_s };
    QTest::newRow("echo") << QStringList { u"echo"_s,
        u"--help"_s } << QStringList { u"Usage: zmqscope-cli echo [options]"_s, u"ROUTER"_s, u"--count"_s };
    QTest::newRow("replay") << QStringList { u"replay"_s, u"--help"_s }
                            << QStringList { u"Usage: zmqscope-cli replay [options] FILE"_s, u"--speed"_s,
                                   u"--max-speed"_s, u"--step"_s, u"--socket"_s, u"--direction"_s,
                                   u"--settle"_s, u"Exit status"_s };
    QTest::newRow("cat") << QStringList { u"cat"_s, u"--help"_s }
                         << QStringList { u"Usage: zmqscope-cli cat [options] FILE"_s, u"--format"_s,
                                u"warning"_s };
    QTest::newRow("send library") << QStringList { u"send"_s,
        u"--help"_s } << QStringList { u"--library"_s, u"--template"_s, u"{{seq}}"_s, u"{{random:N}}"_s };
}

void TestCli::help()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, expected);
    const auto cli = runCli(arguments);
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    const QString out = QString::fromUtf8(cli->out());
    for (const QString &text : expected)
        QVERIFY2(out.contains(text), qPrintable(text + u" not in: "_s + out));
    QVERIFY(cli->err().isEmpty());
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    const QString nowhere = u"tcp://127.0.0.1:9"_s;
    QTest::newRow("no command") << QStringList {} << u"missing command"_s;
    QTest::newRow("unknown command") << QStringList { u"frobnicate"_s }
                                     << u"unknown command \"frobnicate\""_s;
    QTest::newRow("unknown top option") << QStringList { u"--frob"_s } << u"unknown option \"--frob\""_s;
    QTest::newRow("unknown type") << QStringList { u"listen"_s, u"-t"_s, u"foo"_s, u"--bind"_s, AnyPort }
                                  << u"unknown socket type \"foo\"; valid types are PAIR, PUB, SUB"_s;
    QTest::newRow("unknown option") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--bogus"_s }
                                    << u"unknown option \"--bogus\""_s;
    QTest::newRow("unknown socket option") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--option"_s,
        u"nosuch=1"_s } << u"unknown socket option \"nosuch\""_s;
    QTest::newRow("bad option value") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--option"_s,
        u"linger=abc"_s } << u"option linger expects an integer, got \"abc\""_s;
    QTest::newRow("option without value") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--option"_s,
        u"linger"_s } << u"bad --option \"linger\": expected NAME=VALUE"_s;
    QTest::newRow("missing endpoint") << QStringList { u"listen"_s, u"-t"_s, u"sub"_s }
                                      << u"needs at least one --bind URI or --connect URI"_s;
    QTest::newRow("missing value") << QStringList { u"listen"_s, u"--bind"_s } << u"--bind"_s;
    QTest::newRow("bad endpoint") << QStringList { u"listen"_s, u"--bind"_s, u"nonsense"_s }
                                  << u"\"nonsense\""_s;
    QTest::newRow("bad connect endpoint")
        << QStringList { u"listen"_s, u"--connect"_s, u"tcp://no-port"_s } << u"\"tcp://no-port\""_s;
    QTest::newRow("bad count") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--count"_s, u"abc"_s }
                               << u"bad --count value \"abc\""_s;
    QTest::newRow("zero count") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--count"_s, u"0"_s }
                                << u"bad --count value \"0\""_s;
    QTest::newRow("bad format") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--format"_s, u"xml"_s }
                                << u"unknown --format \"xml\""_s;
    QTest::newRow("listen on PUB") << QStringList { u"listen"_s, u"-t"_s, u"pub"_s, u"--bind"_s, AnyPort }
                                   << u"listen cannot use a PUB socket"_s;
    QTest::newRow("subscribe on PULL") << QStringList { u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, AnyPort,
        u"--subscribe"_s, u"x"_s } << u"--subscribe \"x\" needs a SUB or XSUB socket, not PULL"_s;
    QTest::newRow("stray argument") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"extra"_s }
                                    << u"unexpected argument \"extra\""_s;
    QTest::newRow("echo on PUSH") << QStringList { u"echo"_s, u"-t"_s, u"push"_s, u"--bind"_s, AnyPort }
                                  << u"echo needs a REP or ROUTER socket, not PUSH"_s;
    QTest::newRow("send without type") << QStringList { u"send"_s, u"--connect"_s, nowhere, u"--text"_s,
        u"x"_s } << u"send needs --type TYPE"_s;
    QTest::newRow("send nothing") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s, nowhere }
                                  << u"send needs something to send"_s;
    QTest::newRow("bad hex") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s, nowhere,
        u"--hex"_s, u"--frame"_s, u"00"_s, u"--frame"_s, u"0g"_s }
                             << u"bad hex in --frame 2 \"0g\": \"g\" at position 2 is not a hex digit"_s;
    QTest::newRow("odd hex") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s, nowhere,
        u"--hex"_s, u"--frame"_s, u"abc"_s }
                             << u"bad hex in --frame 1 \"abc\": an odd number of hex digits"_s;
    QTest::newRow("bad json") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s, nowhere,
        u"--json"_s, u"{\"a\": tru}"_s }
                              << u"bad --json value \"{\\\"a\\\": tru}\": illegal value at byte "_s;
    QTest::newRow("unreadable file") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s, nowhere,
        u"--file"_s, u"/nonexistent/zmqscope-body"_s }
                                     << u"cannot read --file \"/nonexistent/zmqscope-body\""_s;
    QTest::newRow("two payloads") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s, nowhere,
        u"--text"_s, u"a"_s, u"--json"_s, u"1"_s }
                                  << u"got --text and --json"_s;
    QTest::newRow("send on SUB") << QStringList { u"send"_s, u"-t"_s, u"sub"_s, u"--connect"_s, nowhere,
        u"--text"_s, u"a"_s } << u"send cannot use a SUB socket"_s;
    QTest::newRow("wait-peers on PUSH") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s,
        nowhere, u"--wait-peers"_s, u"1"_s, u"--text"_s, u"a"_s }
                                        << u"--wait-peers 1 needs a PUB or XPUB socket, not PUSH"_s;
    QTest::newRow("router without route") << QStringList { u"send"_s, u"-t"_s, u"router"_s, u"--connect"_s,
        nowhere, u"--text"_s, u"a"_s } << u"a ROUTER needs --route"_s;
    QTest::newRow("library without template") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s,
        nowhere, u"--library"_s, u"lib.json"_s }
                                              << u"--library needs --template NAME"_s;
    QTest::newRow("template without library") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s,
        nowhere, u"--template"_s, u"ping"_s } << u"--template needs --library FILE"_s;
    const QString capture = u"capture.zmqcap"_s;
    QTest::newRow("replay without file")
        << QStringList { u"replay"_s, u"-t"_s, u"push"_s, u"--connect"_s, nowhere } << u"replay needs FILE"_s;
    QTest::newRow("replay two files") << QStringList { u"replay"_s, capture, u"other"_s, u"-t"_s, u"push"_s,
        u"--connect"_s, nowhere } << u"unexpected argument \"other\" for replay"_s;
    QTest::newRow("replay without type")
        << QStringList { u"replay"_s, capture, u"--connect"_s, nowhere } << u"replay needs --type TYPE"_s;
    QTest::newRow("replay on SUB") << QStringList { u"replay"_s, capture, u"-t"_s, u"sub"_s, u"--connect"_s,
        nowhere } << u"replay cannot use a SUB socket"_s;
    QTest::newRow("replay two pacings") << QStringList { u"replay"_s, capture, u"-t"_s, u"push"_s,
        u"--connect"_s, nowhere, u"--max-speed"_s, u"--step"_s }
                                        << u"(got --max-speed and --step)"_s;
    QTest::newRow("replay bad speed") << QStringList { u"replay"_s, capture, u"-t"_s, u"push"_s,
        u"--connect"_s, nowhere, u"--speed"_s, u"0"_s }
                                      << u"bad --speed value \"0\": expected a number above 0"_s;
    QTest::newRow("replay nan speed") << QStringList { u"replay"_s, capture, u"-t"_s, u"push"_s,
        u"--connect"_s, nowhere, u"--speed"_s, u"nan"_s }
                                      << u"bad --speed value \"nan\""_s;
    QTest::newRow("replay bad direction") << QStringList { u"replay"_s, capture, u"-t"_s, u"push"_s,
        u"--connect"_s, nowhere, u"--direction"_s, u"sideways"_s }
                                          << u"unknown --direction \"sideways\""_s;
    QTest::newRow("cat without file") << QStringList { u"cat"_s } << u"cat needs FILE"_s;
    QTest::newRow("cat empty file name") << QStringList { u"cat"_s, QString() } << u"empty FILE name"_s;
    // A single-valued option given twice: the last one would win silently.
    QTest::newRow("type twice") << QStringList { u"listen"_s, u"-t"_s, u"pull"_s, u"--type"_s, u"push"_s,
        u"--bind"_s, AnyPort } << u"--type given 2 times (\"pull\", \"push\")"_s;
    QTest::newRow("format twice") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--format"_s,
        u"jsonl"_s, u"--format"_s, u"pretty"_s }
                                  << u"--format given 2 times"_s;
    QTest::newRow("count twice") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--count"_s, u"5"_s,
        u"--count"_s, u"7"_s } << u"--count given 2 times (\"5\", \"7\")"_s;
    QTest::newRow("replay type twice") << QStringList { u"replay"_s, capture, u"-t"_s, u"push"_s, u"-t"_s,
        u"pub"_s, u"--connect"_s, nowhere }
                                       << u"--type given 2 times"_s;
    QTest::newRow("send text twice") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s, nowhere,
        u"--text"_s, u"a"_s, u"--text"_s, u"b"_s }
                                     << u"--text given 2 times"_s;
    QTest::newRow("timeout too big") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--timeout"_s,
        u"2147483648"_s } << u"expected a whole number from 1 to 2147483647"_s;
    QTest::newRow("negative maxmsgsize") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--option"_s,
        u"maxmsgsize=-5"_s } << u"option maxmsgsize expects an integer from -1 (no limit) to "_s;
    QTest::newRow("negative affinity") << QStringList { u"listen"_s, u"--bind"_s, AnyPort, u"--option"_s,
        u"affinity=-1"_s } << u"option affinity expects an integer from 0 "_s;
    QTest::newRow("cat bad format") << QStringList { u"cat"_s, capture, u"--format"_s, u"xml"_s }
                                    << u"unknown --format \"xml\""_s;
    QTest::newRow("no-delimiter on PUSH") << QStringList { u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s,
        nowhere, u"--no-delimiter"_s, u"--text"_s, u"a"_s }
                                          << u"--no-delimiter is for DEALER sockets"_s;
    QTest::newRow("delimiter and no-delimiter") << QStringList { u"send"_s, u"-t"_s, u"dealer"_s,
        u"--connect"_s, nowhere, u"--delimiter"_s, u"--no-delimiter"_s, u"--text"_s, u"a"_s }
                                                << u"give --delimiter or --no-delimiter, not both"_s;
    QTest::newRow("no-delimiter on raw frames") << QStringList { u"send"_s, u"-t"_s, u"dealer"_s,
        u"--connect"_s, nowhere, u"--no-delimiter"_s, u"--frame"_s, u"a"_s }
                                                << u"--no-delimiter applies to envelopes"_s;
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const auto cli = runCli(arguments);
    QVERIFY2(cli->exitedWith(2), cli->diagnostics());
    QVERIFY2(isOneErrorLine(cli->err()), cli->diagnostics());
    QVERIFY2(QString::fromUtf8(cli->err()).contains(expected), cli->err().constData());
    QVERIFY2(cli->out().isEmpty(), cli->diagnostics());
}

void TestCli::addressInUseIsRuntimeFailure()
{
    Socket holder = Socket::bindNew("PULL", AnyPort);
    const auto cli = runCli({ u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, holder.lastEndpoint() });
    QVERIFY2(cli->exitedWith(1), cli->diagnostics());
    QVERIFY2(isOneErrorLine(cli->err()), cli->diagnostics());
    QVERIFY2(cli->err().contains("already in use") && cli->err().contains(holder.lastEndpoint().toUtf8()),
        cli->err().constData());
}

void TestCli::listenJsonlIsByteExact()
{
    const QList<Frames> sent { { "temp.nul", "application/octet-stream", QByteArray("\0a\0\0", 4) },
        { "temp.bad", "text/plain", QByteArray("ok \xff\xfe \xc3\x28 \xed\xa0\x80", 13) },
        { "temp.all", "application/octet-stream", allBytes() }, { "temp.4", "text/plain", "four" },
        { "temp.5", "text/plain", "five" } };
    TestProcess peer;
    QVERIFY(peer.startPeer(QStringList { u"pub"_s, u"--bind"_s, AnyPort } + peerSendArguments(sent)));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());

    // The peer publishes all five as soon as our subscription arrives; --count 3 stops after three.
    const auto cli = runCli({ u"listen"_s, u"--connect"_s, endpoint, u"--format"_s, u"jsonl"_s, u"--count"_s,
        u"3"_s, u"--timeout"_s, u"10000"_s });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    const QList<CaptureRecord> received = records(*cli);
    QCOMPARE(received.size(), 3);
    for (qsizetype i = 0; i < received.size(); ++i) {
        QCOMPARE(received[i].frames, sent[i]); // decoded from base64: byte for byte
        QCOMPARE(received[i].type, u"SUB"_s);
        QCOMPARE(received[i].socket, u"SUB"_s);
        QCOMPARE(received[i].endpoint, endpoint);
        QCOMPARE(received[i].direction, Direction::In);
    }
    const QList<QByteArray> lines = cli->lines();
    QVERIFY(lines[0].startsWith(R"({"ts":")"));
    const QJsonObject nul = QJsonDocument::fromJson(lines[0]).object();
    QCOMPARE(nul.value(u"body"_s).toString().toUtf8(), sent[0][2]); // NUL is valid UTF-8
    const QJsonObject bad = QJsonDocument::fromJson(lines[1]).object();
    QVERIFY(!bad.contains(u"body"_s));
    QCOMPARE(QByteArray::fromBase64(bad.value(u"body_base64"_s).toString().toLatin1()), sent[1][2]);
    QCOMPARE(bad.value(u"id"_s).toString(), u"temp.bad"_s);

    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
}

void TestCli::listenTimeoutWithoutMessages()
{
    const auto cli
        = runCli({ u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, AnyPort, u"--timeout"_s, u"300"_s });
    QVERIFY2(cli->exitedWith(1), cli->diagnostics());
    QVERIFY(cli->out().isEmpty());
    QVERIFY2(lastLine(cli->err())
                 .startsWith("zmqscope-cli: no message arrived within 300 ms on PULL socket bound to "),
        cli->err().constData());
}

void TestCli::listenTimeoutAfterMessages()
{
    // A bound PUSH holds its message until a peer connects, so the CLI gets it right away.
    TestProcess peer;
    QVERIFY(
        peer.startPeer({ u"push"_s, u"--bind"_s, AnyPort, u"--send"_s, u"one"_s, u"text/plain"_s, u"1"_s }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());
    const auto cli = runCli({ u"listen"_s, u"-t"_s, u"PULL"_s, u"--connect"_s, endpoint, u"--format"_s,
        u"jsonl"_s, u"--timeout"_s, u"2000"_s });
    QVERIFY2(cli->exitedWith(1), cli->diagnostics());
    QCOMPARE(records(*cli).size(), 1);
    QCOMPARE(records(*cli).constFirst().frames, (Frames { "one", "text/plain", "1" }));
    QVERIFY2(lastLine(cli->err()).contains("no further message arrived within 2000 ms after 1 message"),
        cli->err().constData());
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
}

void TestCli::listenWritesCaptureAndEscapesPretty()
{
    const QList<Frames> sent { { "term", "text/plain", "\x1b[2J\x1b]0;pwned\x07 line\nbreak \xe2\x80\xae" },
        { "bin", "application/octet-stream", allBytes() } };
    TestProcess peer;
    QVERIFY(peer.startPeer(QStringList { u"push"_s, u"--bind"_s, AnyPort } + peerSendArguments(sent)));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());

    const QString path = m_dir.filePath(u"capture.jsonl"_s);
    const auto cli = runCli({ u"listen"_s, u"-t"_s, u"pull"_s, u"--connect"_s, endpoint, u"--count"_s, u"2"_s,
        u"--write"_s, path, u"--name"_s, u"probe"_s });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());

    // The default pretty output never hands a control character to the terminal.
    const QByteArray pretty = cli->out();
    for (const char c : pretty) {
        const auto u = static_cast<unsigned char>(c);
        QVERIFY2(c == '\n' || (u >= 0x20 && u != 0x7f), pretty.constData());
    }
    QVERIFY(!pretty.contains("\xe2\x80\xae"));
    QVERIFY2(
        pretty.contains(R"(body:     "\x1b[2J\x1b]0;pwned\x07 line\nbreak \u{202e}")"), pretty.constData());
    QVERIFY2(pretty.contains(R"(id:       "term")"), pretty.constData());
    QVERIFY2(pretty.contains("PULL \"probe\""), pretty.constData());

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 4); // header, two messages, and the empty rest after the last '\n'
    QVERIFY(lines[3].isEmpty());
    const QJsonObject header = parseCaptureHeader(lines[0]);
    QCOMPARE(header.value(u"zmqscope_capture"_s).toInt(), 1);
    QVERIFY(parseCaptureTimestamp(header.value(u"created"_s).toString()));
    for (qsizetype i = 0; i < sent.size(); ++i) {
        const CaptureRecord record = parseCaptureLine(lines[i + 1]);
        QCOMPARE(record.frames, sent[i]);
        QCOMPARE(record.socket, u"probe"_s);
        QCOMPARE(record.type, u"PULL"_s);
    }
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
}

void TestCli::sendReqPrintsReply_data()
{
    QTest::addColumn<QStringList>("payload");
    QTest::addColumn<Frames>("expected");
    QTest::addColumn<QString>("format");
    QTest::newRow("text jsonl") << QStringList { u"--id"_s, u"job-1"_s, u"--text"_s, u"h\u00e9llo"_s }
                                << Frames { "job-1", "text/plain", "h\xc3\xa9llo" } << u"jsonl"_s;
    QTest::newRow("json pretty") << QStringList { u"--json"_s, u"{\"n\": [1, 2]}"_s }
                                 << Frames { QByteArray(), "application/json", "{\"n\": [1, 2]}" }
                                 << u"pretty"_s;
    QTest::newRow("mimetype override")
        << QStringList { u"--text"_s, u"<b/>"_s, u"--mimetype"_s, u"text/xml"_s }
        << Frames { QByteArray(), "text/xml", "<b/>" } << u"jsonl"_s;
}

void TestCli::sendReqPrintsReply()
{
    QFETCH(QStringList, payload);
    QFETCH(Frames, expected);
    QFETCH(QString, format);
    TestProcess peer;
    QVERIFY(peer.startPeer({ u"rep"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());

    const auto cli
        = runCli(QStringList { u"send"_s, u"-t"_s, u"req"_s, u"--connect"_s, endpoint, u"--format"_s, format }
            + payload);
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    if (format == u"jsonl"_s) {
        const QList<CaptureRecord> replies = records(*cli);
        QCOMPARE(replies.size(), 1);
        QCOMPARE(replies[0].frames, expected);
        QCOMPARE(replies[0].type, u"REQ"_s);
    } else {
        QVERIFY2(cli->out().contains(R"(mimetype: "application/json")"), cli->out().constData());
        QVERIFY2(cli->out().contains(R"(body:     "{\"n\": [1, 2]}")"), cli->out().constData());
    }
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(TestProcess::peerFrames(peer.lines().at(1)), expected);
}

void TestCli::sendReqWithoutReplyFails()
{
    Socket silent = Socket::bindNew("ROUTER", AnyPort);
    const auto cli = runCli({ u"send"_s, u"-t"_s, u"req"_s, u"--connect"_s, silent.lastEndpoint(),
        u"--text"_s, u"anyone?"_s, u"--timeout"_s, u"300"_s, u"--quiet"_s });
    QVERIFY2(cli->exitedWith(1), cli->diagnostics());
    QVERIFY2(isOneErrorLine(cli->err()), cli->diagnostics());
    QVERIFY2(
        cli->err().contains("no reply within 300 ms on REQ socket connected to"), cli->err().constData());
    // The request did go out.
    const auto request = silent.receiveFrames(std::chrono::seconds(10));
    QVERIFY(request);
    QCOMPARE(request->mid(1), (Frames { QByteArray(), QByteArray(), "text/plain", "anyone?" }));
}

void TestCli::sendRawHexFramesToPull()
{
    TestProcess peer;
    QVERIFY(peer.startPeer({ u"pull"_s, u"--bind"_s, AnyPort, u"--count"_s, u"2"_s }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());
    const auto cli
        = runCli({ u"send"_s, u"-t"_s, u"push"_s, u"--connect"_s, endpoint, u"--hex"_s, u"--frame"_s,
            u"00ff"_s, u"--frame"_s, u"de:ad be EF"_s, u"--frame"_s, QString(), u"--repeat"_s, u"2"_s });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    QVERIFY(cli->out().isEmpty());
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    const Frames expected { QByteArray("\x00\xff", 2), "\xde\xad\xbe\xef", QByteArray() };
    QCOMPARE(TestProcess::peerFrames(peer.lines().at(1)), expected);
    QCOMPARE(TestProcess::peerFrames(peer.lines().at(2)), expected);
}

void TestCli::sendRepeatKeepsOrderWhileHeld()
{
    // A bound PUSH takes nothing before a peer connects (immediate): the first message is held, and the
    // ones send gives the engine behind it come back untried. Once the peer is there all of them go, in
    // order, none twice, each with its own {{seq}}.
    constexpr int Count = 300;
    const QString library = m_dir.filePath(u"numbered-library.json"_s);
    saveOneTemplate(library, u"numbered"_s, u"PUSH"_s, "n-{{seq}}", "x");

    TestProcess send;
    QVERIFY(startCli(send,
        { u"send"_s, u"--library"_s, library, u"--template"_s, u"numbered"_s, u"--bind"_s, AnyPort,
            u"--repeat"_s, QString::number(Count), u"--timeout"_s, QString::number(RunTimeout) }));
    const QString endpoint = send.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), send.diagnostics());
    TestProcess peer;
    QVERIFY(peer.startPeer({ u"pull"_s, u"--connect"_s, endpoint, u"--count"_s, QString::number(Count) }));
    QVERIFY2(send.waitForFinished(RunTimeout) && send.exitedWith(0), send.diagnostics());
    QVERIFY2(peer.waitForFinished(RunTimeout) && peer.exitedWith(0), peer.diagnostics());
    const QList<Frames> got = peer.peerMessages();
    QCOMPARE(got.size(), Count);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(got[i], (Frames { "n-" + QByteArray::number(i + 1), "text/plain", "x" }));
}

void TestCli::sendPubToPythonSub()
{
    TestProcess peer;
    QVERIFY(peer.startPeer({ u"sub"_s, u"--bind"_s, AnyPort, u"--subscribe"_s, u"temp."_s }));
    const QString endpoint = peer.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), peer.diagnostics());
    const QString body = m_dir.filePath(u"body.bin"_s);
    QFile file(body);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(allBytes()), 256);
    file.close();
    // --wait-peers: publish only once the subscription arrived, so the one-shot message is not lost.
    const auto cli = runCli({ u"send"_s, u"-t"_s, u"pub"_s, u"--connect"_s, endpoint, u"--wait-peers"_s,
        u"1"_s, u"--id"_s, u"temp.bin"_s, u"--file"_s, body });
    QVERIFY2(cli->exitedWith(0), cli->diagnostics());
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    QCOMPARE(TestProcess::peerFrames(peer.lines().at(1)),
        (Frames { "temp.bin", "application/octet-stream", allBytes() }));
}

void TestCli::sendPubWaitPeersTimesOut()
{
    const auto cli = runCli({ u"send"_s, u"-t"_s, u"pub"_s, u"--bind"_s, AnyPort, u"--wait-peers"_s, u"2"_s,
        u"--timeout"_s, u"300"_s, u"--text"_s, u"x"_s });
    QVERIFY2(cli->exitedWith(1), cli->diagnostics());
    QVERIFY2(lastLine(cli->err()).contains("only 0 of 2 subscribers arrived within 300 ms"),
        cli->err().constData());
}

void TestCli::echoRepAnswersPythonReq()
{
    TestProcess echo;
    QVERIFY(
        startCli(echo, { u"echo"_s, u"--bind"_s, AnyPort, u"--count"_s, u"2"_s, u"--format"_s, u"jsonl"_s }));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());

    const Frames first { "nul", "application/octet-stream", QByteArray("\0\0x\0", 4) };
    const Frames second { "bad", "text/plain", QByteArray("\xff\xc0\x80", 3) };
    TestProcess peer;
    QVERIFY(peer.startPeer(
        QStringList { u"req"_s, u"--connect"_s, endpoint } + peerSendArguments({ first, second })));
    // The peer exits 0 only when each reply echoes its request byte for byte.
    QVERIFY(peer.waitForFinished());
    QVERIFY2(peer.exitedWith(0), peer.diagnostics());
    QVERIFY(echo.waitForFinished());
    QVERIFY2(echo.exitedWith(0), echo.diagnostics());
    const QList<CaptureRecord> requests = records(echo);
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests[0].frames, first);
    QCOMPARE(requests[1].frames, second);
    QCOMPARE(requests[0].type, u"REP"_s);
}

void TestCli::echoRouterAnswersEachPeer()
{
    TestProcess echo;
    QVERIFY(startCli(echo,
        { u"echo"_s, u"-t"_s, u"router"_s, u"--bind"_s, AnyPort, u"--count"_s, u"2"_s, u"--format"_s,
            u"jsonl"_s }));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());

    const QHash<QByteArray, QByteArray> bodies { { "alpha", QByteArray("\0alpha", 6) },
        { "beta", "beta\xff" } };
    TestProcess alpha;
    TestProcess beta;
    for (TestProcess *peer : { &alpha, &beta }) {
        const QByteArray id = peer == &alpha ? "alpha" : "beta";
        QVERIFY(peer->startPeer(
            { u"dealer"_s, u"--connect"_s, endpoint, u"--routing-id"_s, QString::fromLatin1(id),
                u"--delimiter"_s, u"--hex"_s, u"--send"_s, hex(id), hex("x/y"), hex(bodies.value(id)) }));
    }
    // Each dealer exits 0 only when its own request came back to it.
    for (TestProcess *peer : { &alpha, &beta }) {
        QVERIFY(peer->waitForFinished());
        QVERIFY2(peer->exitedWith(0), peer->diagnostics());
    }
    QCOMPARE(TestProcess::peerFrames(alpha.lines().at(1)),
        (Frames { QByteArray(), "alpha", "x/y", bodies.value("alpha") }));
    QCOMPARE(TestProcess::peerFrames(beta.lines().at(1)),
        (Frames { QByteArray(), "beta", "x/y", bodies.value("beta") }));

    QVERIFY(echo.waitForFinished());
    QVERIFY2(echo.exitedWith(0), echo.diagnostics());
    QSet<QByteArray> routes;
    for (const CaptureRecord &request : records(echo)) {
        QCOMPARE(request.frames.size(), 5);
        routes.insert(request.frames[0]);
        QCOMPARE(request.frames[1], QByteArray());
        QCOMPARE(request.frames[4], bodies.value(request.frames[0]));
    }
    QCOMPARE(routes, (QSet<QByteArray> { "alpha", "beta" }));
}

void TestCli::cliToCliReqRep()
{
    TestProcess echo;
    QVERIFY(startCli(echo, { u"echo"_s, u"-t"_s, u"rep"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s }));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());
    const auto send = runCli({ u"send"_s, u"-t"_s, u"req"_s, u"--connect"_s, endpoint, u"--id"_s, u"q"_s,
        u"--json"_s, u"[1,\"\\u0000\"]"_s, u"--format"_s, u"jsonl"_s });
    QVERIFY2(send->exitedWith(0), send->diagnostics());
    const QList<CaptureRecord> replies = records(*send);
    QCOMPARE(replies.size(), 1);
    QCOMPARE(replies[0].frames, (Frames { "q", "application/json", "[1,\"\\u0000\"]" }));
    QVERIFY(echo.waitForFinished());
    QVERIFY2(echo.exitedWith(0), echo.diagnostics());
    QVERIFY2(echo.out().contains(R"(id:       "q")"), echo.out().constData());
}

void TestCli::cliToCliDealerRouter()
{
    TestProcess echo;
    QVERIFY(startCli(echo,
        { u"echo"_s, u"-t"_s, u"router"_s, u"--bind"_s, AnyPort, u"--count"_s, u"2"_s, u"--format"_s,
            u"jsonl"_s }));
    const QString endpoint = echo.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), echo.diagnostics());

    // A DEALER frames envelopes as a REQ does: the ROUTER sees a routed envelope and answers it as such.
    const auto routed = runCli({ u"send"_s, u"-t"_s, u"dealer"_s, u"--connect"_s, endpoint, u"--option"_s,
        u"routing_id=d1"_s, u"--id"_s, u"a"_s, u"--text"_s, u"one"_s, u"--format"_s, u"jsonl"_s });
    QVERIFY2(routed->exitedWith(0), routed->diagnostics());
    QCOMPARE(records(*routed).size(), 1);
    QCOMPARE(records(*routed)[0].frames, (Frames { QByteArray(), "a", "text/plain", "one" }));
    // Both reply shapes decode as envelopes: after the empty delimiter, and without it below.
    QVERIFY2(routed->out().contains(R"("id":"a")"), routed->out().constData());

    // With --no-delimiter the request is raw to the ROUTER, which echoes the frames unchanged and says so.
    const auto raw = runCli({ u"send"_s, u"-t"_s, u"dealer"_s, u"--no-delimiter"_s, u"--connect"_s, endpoint,
        u"--id"_s, u"b"_s, u"--text"_s, u"two"_s, u"--format"_s, u"jsonl"_s });
    QVERIFY2(raw->exitedWith(0), raw->diagnostics());
    QCOMPARE(records(*raw).size(), 1);
    QCOMPARE(records(*raw)[0].frames, (Frames { "b", "text/plain", "two" }));
    QVERIFY2(raw->out().contains(R"("id":"b")"), raw->out().constData());

    QVERIFY(echo.waitForFinished());
    QVERIFY2(echo.exitedWith(0), echo.diagnostics());
    QVERIFY2(echo.err().contains("request 2 is not an envelope"), echo.err().constData());
    const QList<CaptureRecord> requests = records(echo);
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests[0].frames, (Frames { "d1", QByteArray(), "a", "text/plain", "one" }));
    QCOMPARE(requests[1].frames.mid(1), (Frames { "b", "text/plain", "two" }));
}

void TestCli::cliToCliPubSub()
{
    TestProcess listen;
    QVERIFY(startCli(listen,
        { u"listen"_s, u"--bind"_s, AnyPort, u"--subscribe"_s, u"temp."_s, u"--count"_s, u"1"_s,
            u"--format"_s, u"jsonl"_s }));
    const QString endpoint = listen.waitForBoundEndpoint();
    QVERIFY2(!endpoint.isEmpty(), listen.diagnostics());
    // Filtered by the subscription: never printed.
    const auto humidity = runCli({ u"send"_s, u"-t"_s, u"pub"_s, u"--connect"_s, endpoint, u"--wait-peers"_s,
        u"1"_s, u"--id"_s, u"humidity.x"_s, u"--text"_s, u"55"_s });
    QVERIFY2(humidity->exitedWith(0), humidity->diagnostics());
    const auto temp = runCli({ u"send"_s, u"-t"_s, u"pub"_s, u"--connect"_s, endpoint, u"--wait-peers"_s,
        u"1"_s, u"--id"_s, u"temp.x"_s, u"--text"_s, u"21"_s });
    QVERIFY2(temp->exitedWith(0), temp->diagnostics());
    QVERIFY(listen.waitForFinished());
    QVERIFY2(listen.exitedWith(0), listen.diagnostics());
    const QList<CaptureRecord> received = records(listen);
    QCOMPARE(received.size(), 1);
    QCOMPARE(received[0].frames, (Frames { "temp.x", "text/plain", "21" }));
}

void TestCli::dealerReachesDployService()
{
    // A ROUTER service as written with the original dploylib.transport (PollLoop, from_raw,
    // response_envelope): it answers only what a REQ would have sent.
    TestProcess service;
    QVERIFY(service.startPeer({ u"service"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s }));
    const QString endpoint = service.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), service.diagnostics());

    const auto send = runCli({ u"send"_s, u"-t"_s, u"dealer"_s, u"--connect"_s, endpoint, u"--option"_s,
        u"routing_id=cli-dealer"_s, u"--id"_s, u"d-1"_s, u"--text"_s, u"hi"_s, u"--format"_s, u"jsonl"_s });
    QVERIFY2(send->exitedWith(0), send->diagnostics());
    QCOMPARE(records(*send).size(), 1);
    QCOMPARE(records(*send)[0].frames, (Frames { QByteArray(), "d-1", "text/plain", "re: hi" }));

    QVERIFY(service.waitForFinished());
    QVERIFY2(service.exitedWith(0), service.diagnostics());
    QCOMPARE(service.peerMessages(),
        (QList<Frames> { { "cli-dealer", QByteArray(), "d-1", "text/plain", "hi" } }));

    // Pretty output says which shape the reply had.
    TestProcess again;
    QVERIFY(again.startPeer({ u"service"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s }));
    const QString second = again.waitForPeerEndpoint();
    QVERIFY2(!second.isEmpty(), again.diagnostics());
    const auto pretty = runCli({ u"send"_s, u"-t"_s, u"dealer"_s, u"--connect"_s, second, u"--id"_s, u"d-1"_s,
        u"--text"_s, u"hi"_s });
    QVERIFY2(pretty->exitedWith(0), pretty->diagnostics());
    QVERIFY2(pretty->out().contains("envelope after an empty delimiter"), pretty->out().constData());
    QVERIFY2(pretty->out().contains(R"(body:     "re: hi")"), pretty->out().constData());
    QVERIFY(again.waitForFinished());
}

void TestCli::dealerNoDelimiterSendsTheOldShape()
{
    TestProcess service;
    QVERIFY(service.startPeer({ u"service"_s, u"--bind"_s, AnyPort, u"--count"_s, u"1"_s }));
    const QString endpoint = service.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), service.diagnostics());

    // The original from_raw takes the routing id for the delimiter: no request frames, so the reply
    // goes to a peer named "d-1", which is nobody, and the DEALER waits in vain.
    const auto send = runCli({ u"send"_s, u"-t"_s, u"dealer"_s, u"--no-delimiter"_s, u"--connect"_s, endpoint,
        u"--option"_s, u"routing_id=cli-dealer"_s, u"--id"_s, u"d-1"_s, u"--text"_s, u"hi"_s, u"--timeout"_s,
        u"1000"_s });
    QVERIFY2(send->exitedWith(1), send->diagnostics());
    QVERIFY2(send->err().contains("no reply within 1000 ms"), send->diagnostics());

    QVERIFY(service.waitForFinished());
    QVERIFY2(service.exitedWith(0), service.diagnostics());
    QCOMPARE(service.peerMessages(), (QList<Frames> { { "cli-dealer", "d-1", "text/plain", "hi" } }));
}

void TestCli::dealerTemplateIsFramedToo()
{
    const QString library = m_dir.filePath(u"dealer-library.json"_s);
    saveOneTemplate(library, u"hello"_s, u"DEALER"_s, "t-{{seq}}", "hello");

    TestProcess service;
    QVERIFY(service.startPeer({ u"service"_s, u"--bind"_s, AnyPort, u"--count"_s, u"2"_s }));
    const QString endpoint = service.waitForPeerEndpoint();
    QVERIFY2(!endpoint.isEmpty(), service.diagnostics());
    const auto send = runCli({ u"send"_s, u"--library"_s, library, u"--template"_s, u"hello"_s,
        u"--connect"_s, endpoint, u"--repeat"_s, u"2"_s, u"--format"_s, u"jsonl"_s });
    QVERIFY2(send->exitedWith(0), send->diagnostics());
    QCOMPARE(records(*send).size(), 2);
    QCOMPARE(records(*send)[0].frames, (Frames { QByteArray(), "t-1", "text/plain", "re: hello" }));
    QCOMPARE(records(*send)[1].frames, (Frames { QByteArray(), "t-2", "text/plain", "re: hello" }));
    QVERIFY(service.waitForFinished());
    QVERIFY2(service.exitedWith(0), service.diagnostics());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
