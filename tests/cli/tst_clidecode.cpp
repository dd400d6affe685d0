// zmqscope-cli's payload decoders and --filter (issue 17, DESIGN.md section 12) end to end: Python's
// msgpack, cbor2 and protobuf encode (tests/interop/payload_peer.py), a python3-zmq PUSH sends the
// envelopes, listen/cat print "decoded" values equal to what was sent; --filter reads the decoded
// value; replay --filter sends only what matches; bad rules are usage errors that say why.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include "../interop/payloadcases.h"
#include "clitestsupport.h"

using namespace Qt::StringLiterals;
using namespace clitest;

class TestCliDecode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listenDecodesWhatWasSent();
    void filterReadsTheDecodedValue();
    void catDecodesWithARulesFile();
    void replayFilters();
    void badRulesAreUsageErrors_data();
    void badRulesAreUsageErrors();

private:
    /// listen (PULL, bound) with `extra` options for `count` messages while payload_peer.py sends
    /// every case; its jsonl lines by id.
    QHash<QString, QJsonObject> listenToPeer(const QStringList &extra, int count, TestProcess &listen);
    [[nodiscard]] QStringList protobufRules() const;

    QTemporaryDir m_dir;
    QList<payloadcases::Case> m_cases;
};

void TestCliDecode::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QString error;
    m_cases = payloadcases::prepare(m_dir.path(), error);
    QVERIFY2(!m_cases.isEmpty(), qPrintable(error));
}

QStringList TestCliDecode::protobufRules() const
{
    const QString set = m_dir.filePath(u"telemetry.desc"_s);
    // The first rule that fits decides: the batch before the catch-all for the other protobuf ids.
    return { u"--decode"_s, u"id=protobuf-batch:protobuf:%1:demo.Batch"_s.arg(set), u"--decode"_s,
        u"id=protobuf-*:protobuf:%1:demo.Reading"_s.arg(set) };
}

QHash<QString, QJsonObject> TestCliDecode::listenToPeer(
    const QStringList &extra, int count, TestProcess &listen)
{
    QHash<QString, QJsonObject> byId;
    if (!startCli(listen,
            QStringList { u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, AnyPort, u"--format"_s, u"jsonl"_s,
                u"--count"_s, QString::number(count), u"--timeout"_s, QString::number(RunTimeout) }
                + extra))
        return byId;
    const QString endpoint = listen.waitForBoundEndpoint();
    if (endpoint.isEmpty())
        return byId;
    TestProcess peer;
    if (!peer.start(QStringLiteral(ZMQSCOPE_PYTHON),
            { payloadcases::script(), u"send"_s, u"--connect"_s, endpoint, u"--proto-dir"_s, m_dir.path() }))
        return byId;
    if (!TestProcess::waitForAllFinished({ &listen, &peer }, RunTimeout)) {
        qWarning() << "listen:" << listen.diagnostics() << "peer:" << peer.diagnostics();
        return byId;
    }
    for (const QByteArray &line : listen.lines()) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        byId.insert(object.value(u"id"_s).toString(), object);
    }
    return byId;
}

void TestCliDecode::listenDecodesWhatWasSent()
{
    TestProcess listen;
    const QHash<QString, QJsonObject> lines = listenToPeer(protobufRules(), int(m_cases.size()), listen);
    QVERIFY2(listen.exitedWith(0), listen.diagnostics());
    QCOMPARE(lines.size(), m_cases.size());
    for (const payloadcases::Case &sent : std::as_const(m_cases)) {
        const QJsonObject line = lines.value(sent.name);
        QVERIFY2(line.contains(u"decoded"_s),
            qPrintable(
                sent.name + u": "_s + QString::fromUtf8(QJsonDocument(line).toJson(QJsonDocument::Compact))));
        QVERIFY2(payloadcases::sameJson(line.value(u"decoded"_s), sent.expected),
            qPrintable(u"%1: decoded %2, sent %3"_s.arg(sent.name,
                payloadcases::compact(line.value(u"decoded"_s)), payloadcases::compact(sent.expected))));
        // The frames stay as they were on the wire: decoding adds, it never replaces.
        QCOMPARE(
            QByteArray::fromBase64(line.value(u"frames"_s).toArray().at(2).toString().toLatin1()), sent.body);
    }
}

void TestCliDecode::filterReadsTheDecodedValue()
{
    // json.seq == 7: the three "scalars" cases (msgpack, CBOR, JSON) only, each decoded by its mimetype.
    TestProcess listen;
    const QHash<QString, QJsonObject> lines
        = listenToPeer(protobufRules() + QStringList { u"--filter"_s, u"json.seq == 7"_s }, 3, listen);
    QVERIFY2(listen.exitedWith(0), listen.diagnostics());
    QCOMPARE(QSet<QString>(lines.keyBegin(), lines.keyEnd()),
        QSet<QString>({ u"msgpack-scalars"_s, u"cbor-scalars"_s, u"json-scalars"_s }));

    // A protobuf field (the JSON mapping's int64 is a string) through its rule.
    TestProcess second;
    const QHash<QString, QJsonObject> protobuf = listenToPeer(protobufRules()
            + QStringList { u"--filter"_s, u"json.sensor == \"boiler\" and json.unit == \"CELSIUS\""_s },
        1, second);
    QVERIFY2(second.exitedWith(0), second.diagnostics());
    QCOMPARE(protobuf.keys(), QStringList { u"protobuf-reading"_s });
}

void TestCliDecode::catDecodesWithARulesFile()
{
    // A capture of what the peer sent (listen --write), then cat with the rules in a file.
    const QString capture = m_dir.filePath(u"payloads.zmqcap"_s);
    TestProcess listen;
    (void)listenToPeer({ u"--write"_s, capture }, int(m_cases.size()), listen);
    QVERIFY2(listen.exitedWith(0), listen.diagnostics());
    // The capture stays raw: no "decoded" in it.
    QFile file(capture);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("\"decoded\""));

    const QString rules = m_dir.filePath(u"decoders.txt"_s);
    QFile rulesFile(rules);
    QVERIFY(rulesFile.open(QIODevice::WriteOnly));
    // Relative to the rules file: telemetry.desc is in the same folder.
    rulesFile.write("# protobuf bodies by id\nid=protobuf-batch:protobuf:telemetry.desc:demo.Batch\n"
                    "id=protobuf-*:protobuf:telemetry.desc:demo.Reading\n");
    rulesFile.close();
    const auto cat = runCli({ u"cat"_s, capture, u"--format"_s, u"jsonl"_s, u"--decoders"_s, rules });
    QVERIFY2(cat->exitedWith(0), cat->diagnostics());
    int decoded = 0;
    for (const QByteArray &line : cat->lines()) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        for (const payloadcases::Case &sent : std::as_const(m_cases)) {
            if (sent.name == object.value(u"id"_s).toString()
                && payloadcases::sameJson(object.value(u"decoded"_s), sent.expected))
                ++decoded;
        }
    }
    QCOMPARE(decoded, int(m_cases.size()));

    // Pretty output: a "decoded:" line naming the format, after the body.
    const auto pretty = runCli(
        { u"cat"_s, capture, u"--decoders"_s, rules, u"--filter"_s, u"id == \"protobuf-reading\""_s });
    QVERIFY2(pretty->exitedWith(0), pretty->diagnostics());
    QVERIFY2(pretty->out().contains("  decoded:  protobuf demo.Reading {"), pretty->out().constData());

    // A body its format cannot read: "decode_error" with the byte and reason, the line still printed.
    const auto broken = runCli({ u"cat"_s, capture, u"--format"_s, u"jsonl"_s, u"--decode"_s,
        u"id=json-*:msgpack"_s, u"--filter"_s, u"id == \"json-nested\""_s });
    QVERIFY2(broken->exitedWith(0), broken->diagnostics());
    QCOMPARE(broken->lines().size(), 1);
    const QJsonObject line = QJsonDocument::fromJson(broken->lines().constFirst()).object();
    QVERIFY(!line.contains(u"decoded"_s));
    QVERIFY2(
        line.value(u"decode_error"_s).toString().startsWith(u"MessagePack: at byte 1: more data after"_s),
        broken->lines().constFirst().constData());
}

void TestCliDecode::replayFilters()
{
    const QString capture = m_dir.filePath(u"replay.zmqcap"_s);
    TestProcess record;
    (void)listenToPeer({ u"--write"_s, capture }, int(m_cases.size()), record);
    QVERIFY2(record.exitedWith(0), record.diagnostics());
    int cbor = 0;
    for (const payloadcases::Case &sent : std::as_const(m_cases))
        cbor += sent.format == u"cbor"_s ? 1 : 0;

    // Only the CBOR messages are replayed into a python PULL.
    CollectingPeer peer(cbor);
    QVERIFY2(peer.isListening(), peer.diagnostics());
    const auto replay = runCli(peer.replayArguments(
        capture, { u"--max-speed"_s, u"--filter"_s, u"mimetype == \"application/cbor\""_s }));
    QVERIFY2(replay->exitedWith(0), replay->diagnostics());
    QVERIFY2(peer.waitForAll(), peer.diagnostics());
    QCOMPARE(peer.messages().size(), cbor);
    for (const zmqscope::Frames &frames : peer.messages())
        QCOMPARE(frames.at(1), QByteArray("application/cbor"));

    // Nothing matches: status 1 naming the filter.
    const auto none = runCli({ u"replay"_s, capture, u"-t"_s, u"push"_s, u"--connect"_s, peer.endpoint(),
        u"--filter"_s, u"id == \"nope\""_s });
    QVERIFY2(none->exitedWith(1), none->diagnostics());
    QVERIFY2(none->err().contains("matches --filter \"id == \\\"nope\\\"\""), none->err().constData());
}

void TestCliDecode::badRulesAreUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown format") << QStringList { u"--decode"_s,
        u"yaml"_s } << u"zmqscope-cli: bad --decode: decode rule \"yaml\": unknown format \"yaml\""_s;
    QTest::newRow("missing descriptor set")
        << QStringList { u"--decode"_s, u"protobuf:missing.desc:demo.Reading"_s }
        << u"zmqscope-cli: bad --decode: decode rule \"protobuf:missing.desc:demo.Reading\": "_s;
    QTest::newRow("missing rules file") << QStringList { u"--decoders"_s, u"no-such-rules.txt"_s }
                                        << u"zmqscope-cli: bad --decoders: no-such-rules.txt: "_s;
    QTest::newRow("bad filter") << QStringList { u"--filter"_s,
        u"json.seq =="_s } << u"zmqscope-cli: bad --filter at column 12: expected a value after \"==\""_s;
}

void TestCliDecode::badRulesAreUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, error);
    for (const QString &command : { u"cat"_s, u"listen"_s }) {
        const QStringList base = command == u"cat"_s
            ? QStringList { u"cat"_s, u"whatever.zmqcap"_s }
            : QStringList { u"listen"_s, u"-t"_s, u"pull"_s, u"--bind"_s, AnyPort };
        const auto run = runCli(base + arguments);
        QVERIFY2(run->exitedWith(2), run->diagnostics());
        QVERIFY2(isOneErrorLine(run->err()), run->err().constData());
        QVERIFY2(QString::fromUtf8(run->err()).startsWith(error), run->err().constData());
    }
}

QTEST_MAIN(TestCliDecode)
#include "tst_clidecode.moc"
