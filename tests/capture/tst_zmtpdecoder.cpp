#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <zmqscope/capture/zmtpdecoder.h>

#include "../interop/testprocess.h"
#include "zmtpdecodertestsupport.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace zmtptest;

/// ZmtpStreamDecoder on the bytes real ZeroMQ peers (Debian's python3-zmq, through a recording relay,
/// tests/interop/zmtp_record.py) put on the wire, whole and in pieces, and on the same bytes cut,
/// with gaps, joined mid-stream; plus hand-built streams for what real peers do not send.
class TestZmtpDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void greetingAndReady_data();
    void greetingAndReady();
    void messagesAsSent_data();
    void messagesAsSent();
    void dealerIdentityAndHeartbeats();
    void subscriptions_data();
    void subscriptions();
    void plainHidesPassword();
    void curveIsEncrypted();
    void anySplitGivesTheSameEvents_data();
    void anySplitGivesTheSameEvents();
    void cutAtEveryOffset_data();
    void cutAtEveryOffset();
    void gapResynchronises_data();
    void gapResynchronises();
    void joinMidStream_data();
    void joinMidStream();
    void garbageIsNotZmtp_data();
    void garbageIsNotZmtp();
    void zmtp20IsNotSupported();
    void frameOverTheLimitFails();
    void messageOverTheLimitFails();
    void handBuiltCommands();
    void gapInsideAMessage();
    void unknownMechanism();
    void zmtp30SubscriptionMessage();
    void badFlagsResynchronise();
    void joinedCurveIgnoresFalseFrames();
    void buffersKeptByTheReaderStayIntact();
    void finishInEachState();
    void gapWhileResynchronisingCountsEverySkippedByte();
    void falseStartsCostLinearWork();
    void smallFeedsDoNotRecheckFrames();

private:
    QByteArray stream(const QString &scenario, const QString &direction) const;
    QJsonObject expected(const QString &scenario) const;
    void addStreamRows(const QStringList &scenarios);

    QTemporaryDir m_dir;
    const QStringList m_scenarios = { u"reqrep"_s, u"dealer-router"_s, u"pubsub"_s, u"pubsub30"_s,
        u"pushpull"_s, u"plain"_s, u"curve"_s };
};

void TestZmtpDecoder::initTestCase()
{
    QVERIFY(m_dir.isValid());
    TestProcess recorder;
    QVERIFY(recorder.start(QStringLiteral(ZMQSCOPE_PYTHON),
        { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/zmtp_record.py"), m_dir.path() }));
    QVERIFY2(recorder.waitForFinished(60000), recorder.diagnostics());
    QVERIFY2(recorder.exitedWith(0), recorder.diagnostics());
    for (const QString &scenario : m_scenarios) {
        QVERIFY2(!stream(scenario, u"c2s"_s).isEmpty(), qPrintable(scenario));
        QVERIFY2(!stream(scenario, u"s2c"_s).isEmpty(), qPrintable(scenario));
    }
    QCOMPARE(expected(u"reqrep"_s).value(u"libzmq"_s).toString(), u"4.3.4"_s);
}

QByteArray TestZmtpDecoder::stream(const QString &scenario, const QString &direction) const
{
    QFile file(m_dir.filePath(scenario + u'/' + direction + u".bin"_s));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject TestZmtpDecoder::expected(const QString &scenario) const
{
    QFile file(m_dir.filePath(scenario + u"/expected.json"_s));
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
}

void TestZmtpDecoder::addStreamRows(const QStringList &scenarios)
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("direction");
    for (const QString &scenario : scenarios)
        for (const QString &direction : { u"c2s"_s, u"s2c"_s })
            QTest::newRow(qPrintable(scenario + u' ' + direction)) << scenario << direction;
}

void TestZmtpDecoder::greetingAndReady_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QString>("direction");
    QTest::addColumn<ZmtpMechanism>("mechanism");
    QTest::addColumn<bool>("asServer");
    QTest::addColumn<QByteArray>("socketType"); // empty: the metadata is encrypted (CURVE)
    const auto row = [](const char *scenario, const char *direction, ZmtpMechanism mechanism, bool asServer,
                         const QByteArray &type) {
        QTest::newRow(qPrintable(QString::fromLatin1(scenario) + u' ' + QString::fromLatin1(direction)))
            << QString::fromLatin1(scenario) << QString::fromLatin1(direction) << mechanism << asServer
            << type;
    };
    row("reqrep", "c2s", ZmtpMechanism::Null, false, "REQ");
    row("reqrep", "s2c", ZmtpMechanism::Null, false, "REP");
    row("dealer-router", "c2s", ZmtpMechanism::Null, false, "DEALER");
    row("dealer-router", "s2c", ZmtpMechanism::Null, false, "ROUTER");
    row("pubsub", "c2s", ZmtpMechanism::Null, false, "SUB");
    row("pubsub", "s2c", ZmtpMechanism::Null, false, "PUB");
    row("pushpull", "c2s", ZmtpMechanism::Null, false, "PUSH");
    row("pushpull", "s2c", ZmtpMechanism::Null, false, "PULL");
    row("plain", "c2s", ZmtpMechanism::Plain, false, "DEALER");
    // libzmq 4.3.4 leaves the as-server byte 0 even on a PLAIN or CURVE server (seen on the wire).
    row("plain", "s2c", ZmtpMechanism::Plain, false, "ROUTER");
    row("curve", "c2s", ZmtpMechanism::Curve, false, "");
    row("curve", "s2c", ZmtpMechanism::Curve, false, "");
}

void TestZmtpDecoder::greetingAndReady()
{
    QFETCH(QString, scenario);
    QFETCH(QString, direction);
    QFETCH(ZmtpMechanism, mechanism);
    QFETCH(bool, asServer);
    QFETCH(QByteArray, socketType);
    const Decoded decoded = decode(stream(scenario, direction));
    QVERIFY2(!decoded.events.isEmpty(), "no events");
    const ZmtpEvent &first = decoded.events.constFirst();
    QCOMPARE(first.kind, Kind::Greeting);
    QCOMPARE(first.versionMajor, 3);
    QCOMPARE(first.versionMinor, 1);
    QCOMPARE(first.mechanism, mechanism);
    QCOMPARE(first.asServer, asServer);
    QCOMPARE(first.commandName, zmtpMechanismName(mechanism).toLatin1());
    QCOMPARE(decoded.state, ZmtpStreamDecoder::State::Traffic);
    QVERIFY(decoded.isZmtp);
    QVERIFY2(
        ofKind(decoded.events, Kind::Problem).isEmpty(), qPrintable(describeAll(decoded.events).join(u'\n')));
    if (socketType.isEmpty())
        return;
    const Kind metadataKind
        = mechanism == ZmtpMechanism::Plain && direction == u"c2s"_s ? Kind::PlainInitiate : Kind::Ready;
    const QList<ZmtpEvent> ready = ofKind(decoded.events, metadataKind);
    QCOMPARE(ready.size(), 1);
    QVERIFY(!ready.constFirst().metadata.isEmpty());
    QCOMPARE(ready.constFirst().metadata.constFirst().first, QByteArray("Socket-Type"));
    QCOMPARE(ready.constFirst().metadata.constFirst().second, socketType);
}

void TestZmtpDecoder::messagesAsSent_data()
{
    addStreamRows({ u"reqrep"_s, u"dealer-router"_s, u"pushpull"_s, u"plain"_s });
}

void TestZmtpDecoder::messagesAsSent()
{
    QFETCH(QString, scenario);
    QFETCH(QString, direction);
    const QList<Frames> sent = messagesOf(expected(scenario).value(direction));
    const QList<Frames> decoded = framesOfMessages(decode(stream(scenario, direction)).events);
    QCOMPARE(decoded.size(), sent.size());
    for (qsizetype i = 0; i < sent.size(); ++i)
        QVERIFY2(decoded.at(i) == sent.at(i), qPrintable(u"message %1 differs"_s.arg(i)));
    if (scenario == u"reqrep"_s && direction == u"c2s"_s) {
        // The frame sizes the issue names, each in one message: 0, 1, 255, 256 and 70,000 bytes.
        QList<qsizetype> sizes;
        for (const QByteArray &one : decoded.at(1))
            sizes.append(one.size());
        QCOMPARE(sizes, (QList<qsizetype> { 0, 0, 1, 255, 256, 70000 }));
    }
}

void TestZmtpDecoder::dealerIdentityAndHeartbeats()
{
    const QJsonObject json = expected(u"dealer-router"_s);
    const Decoded c2s = decode(stream(u"dealer-router"_s, u"c2s"_s));
    const Decoded s2c = decode(stream(u"dealer-router"_s, u"s2c"_s));
    const QList<ZmtpEvent> ready = ofKind(c2s.events, Kind::Ready);
    QCOMPARE(ready.size(), 1);
    QCOMPARE(ready.constFirst().metadata,
        (QList<QPair<QByteArray, QByteArray>> { { "Socket-Type", "DEALER" },
            { "Identity", QByteArray::fromBase64(json.value(u"identity"_s).toString().toLatin1()) } }));
    // The ROUTER sends an Identity too, empty.
    const QList<ZmtpEvent> routerReady = ofKind(s2c.events, Kind::Ready);
    QCOMPARE(routerReady.size(), 1);
    QCOMPARE(routerReady.constFirst().metadata,
        (QList<QPair<QByteArray, QByteArray>> { { "Socket-Type", "ROUTER" }, { "Identity", "" } }));

    const QList<ZmtpEvent> pings = ofKind(c2s.events, Kind::Ping);
    QVERIFY2(!pings.isEmpty(), qPrintable(describeAll(c2s.events).join(u'\n')));
    for (const ZmtpEvent &ping : pings) {
        QCOMPARE(ping.size, quint64(json.value(u"heartbeat_ttl_deciseconds"_s).toInt()));
        QCOMPARE(ping.topic, QByteArray()); // libzmq 4.3.4 sends no ping context
    }
    const QList<ZmtpEvent> pongs = ofKind(s2c.events, Kind::Pong);
    QVERIFY(!pongs.isEmpty());
    QVERIFY(pongs.size() <= pings.size());
}

void TestZmtpDecoder::subscriptions_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<int>("publisherMinor");
    QTest::newRow("ZMTP 3.1") << u"pubsub"_s << 1;
    // The relay turned the PUB's greeting into ZMTP 3.0 on its way to the SUB.
    QTest::newRow("ZMTP 3.0") << u"pubsub30"_s << 0;
}

void TestZmtpDecoder::subscriptions()
{
    QFETCH(QString, scenario);
    QFETCH(int, publisherMinor);
    const QJsonObject json = expected(scenario);
    const Decoded c2s = decode(stream(scenario, u"c2s"_s));
    const Decoded s2c = decode(stream(scenario, u"s2c"_s));
    QCOMPARE(s2c.events.value(0).versionMinor, publisherMinor);
    QByteArrayList topics;
    for (const auto &topic : json.value(u"topics"_s).toArray())
        topics.append(QByteArray::fromBase64(topic.toString().toLatin1()));
    QByteArrayList subscribed;
    QByteArrayList cancelled;
    if (publisherMinor == 1) {
        // libzmq 4.3.4 between two ZMTP 3.1 peers sends the 3.1 SUBSCRIBE and CANCEL commands, not the
        // 3.0 subscription messages (\x01topic, \x00topic): the SUB's direction has no message at all.
        QVERIFY2(
            ofKind(c2s.events, Kind::Message).isEmpty(), qPrintable(describeAll(c2s.events).join(u'\n')));
        for (const ZmtpEvent &event : ofKind(c2s.events, Kind::Subscribe))
            subscribed.append(event.topic);
        for (const ZmtpEvent &event : ofKind(c2s.events, Kind::Cancel))
            cancelled.append(event.topic);
    } else {
        // Facing a ZMTP 3.0 peer the same SUB sends messages: \x01topic subscribes, \x00topic cancels.
        QVERIFY(ofKind(c2s.events, Kind::Subscribe).isEmpty());
        QVERIFY(ofKind(c2s.events, Kind::Cancel).isEmpty());
        for (const Frames &message : framesOfMessages(c2s.events)) {
            QCOMPARE(message.size(), 1);
            QVERIFY(message.constFirst().startsWith('\x01') || message.constFirst().startsWith('\x00'));
            (message.constFirst().startsWith('\x01') ? subscribed : cancelled)
                .append(message.constFirst().sliced(1));
        }
    }
    QCOMPARE(subscribed, topics);
    QCOMPARE(cancelled, QByteArrayList { "A" });

    // The publisher's direction: warm-up messages until the subscriptions arrived, then exactly what
    // the SUB received, in order.
    const QList<Frames> published = framesOfMessages(s2c.events);
    const QList<Frames> tail = messagesOf(json.value(u"s2c_tail"_s));
    QVERIFY(published.size() >= tail.size() + 2);
    QCOMPARE(published.sliced(published.size() - tail.size()), tail);
    for (const Frames &warmUp : published.first(published.size() - tail.size()))
        QCOMPARE(warmUp.value(1), QByteArray("warm-up"));
}

void TestZmtpDecoder::plainHidesPassword()
{
    const QJsonObject json = expected(u"plain"_s);
    const QByteArray password = QByteArray::fromBase64(json.value(u"password"_s).toString().toLatin1());
    const Decoded c2s = decode(stream(u"plain"_s, u"c2s"_s));
    const Decoded s2c = decode(stream(u"plain"_s, u"s2c"_s));
    QVERIFY(stream(u"plain"_s, u"c2s"_s).contains(password)); // it is on the wire ...
    QVERIFY(!everything(c2s.events).contains(password)); // ... and in no event
    const QList<ZmtpEvent> hello = ofKind(c2s.events, Kind::PlainHello);
    QCOMPARE(hello.size(), 1);
    QCOMPARE(hello.constFirst().metadata,
        (QList<QPair<QByteArray, QByteArray>> {
            { "Username", QByteArray::fromBase64(json.value(u"username"_s).toString().toLatin1()) } }));
    QCOMPARE(hello.constFirst().detail, u"password: %1 bytes, hidden"_s.arg(password.size()));
    QCOMPARE(hello.constFirst().size, quint64(password.size()));
    QCOMPARE(c2s.events.at(1).kind, Kind::PlainHello);
    QCOMPARE(c2s.events.at(2).kind, Kind::PlainInitiate);
    QCOMPARE(s2c.events.at(1).kind, Kind::PlainWelcome);
    QCOMPARE(s2c.events.at(2).kind, Kind::Ready);
}

void TestZmtpDecoder::curveIsEncrypted()
{
    const QJsonObject json = expected(u"curve"_s);
    for (const QString &direction : { u"c2s"_s, u"s2c"_s }) {
        const Decoded decoded = decode(stream(u"curve"_s, direction));
        QStringList handshake;
        for (const ZmtpEvent &event : ofKind(decoded.events, Kind::CurveHandshake))
            handshake.append(QString::fromLatin1(event.commandName) + u' ' + QString::number(event.size));
        // RFC 26's sizes: HELLO 194 data bytes; INITIATE and READY carry metadata, so only their names.
        if (direction == u"c2s"_s) {
            QCOMPARE(handshake.size(), 2);
            QCOMPARE(handshake.at(0), u"HELLO 194"_s);
            QVERIFY(handshake.at(1).startsWith(u"INITIATE "_s));
        } else {
            QCOMPARE(handshake.size(), 2);
            QCOMPARE(handshake.at(0), u"WELCOME 160"_s);
            QVERIFY(handshake.at(1).startsWith(u"READY "_s));
        }
        // One Encrypted event per frame, sized as the frame the peer sent.
        QList<quint64> sent;
        QByteArray plaintext;
        for (const Frames &message : messagesOf(json.value(direction)))
            for (const QByteArray &one : message) {
                sent.append(quint64(one.size()));
                plaintext += one;
            }
        QList<quint64> sizes;
        for (const ZmtpEvent &event : ofKind(decoded.events, Kind::Encrypted))
            sizes.append(event.size);
        QCOMPARE(sizes, sent);
        QVERIFY(ofKind(decoded.events, Kind::Message).isEmpty());
        QVERIFY(ofKind(decoded.events, Kind::Ready).isEmpty());
        QVERIFY(ofKind(decoded.events, Kind::Problem).isEmpty());
        const QByteArray all = everything(decoded.events);
        for (const QByteArray &secret : { QByteArray("curve-secret-body"), QByteArray("curve-two"),
                 QByteArray("curve-big"), QByteArray("reply-0") })
            QVERIFY2(!all.contains(secret), secret.constData());
    }
}

void TestZmtpDecoder::anySplitGivesTheSameEvents_data()
{
    addStreamRows(m_scenarios);
}

void TestZmtpDecoder::anySplitGivesTheSameEvents()
{
    QFETCH(QString, scenario);
    QFETCH(QString, direction);
    const QByteArray bytes = stream(scenario, direction);
    const QStringList whole = describeAll(decode(bytes).events);
    QCOMPARE(describeAll(decodeByteWise(bytes).events), whole);
    QRandomGenerator random(qHash(scenario + direction));
    for (int round = 0; round < 20; ++round)
        QCOMPARE(describeAll(decode(bytes, randomCuts(bytes.size(), random)).events), whole);
    // And the events themselves, frame bytes included, not only their descriptions.
    QCOMPARE(decodeByteWise(bytes).events, decode(bytes).events);
}

void TestZmtpDecoder::cutAtEveryOffset_data()
{
    addStreamRows(m_scenarios);
}

void TestZmtpDecoder::cutAtEveryOffset()
{
    QFETCH(QString, scenario);
    QFETCH(QString, direction);
    const QByteArray bytes = stream(scenario, direction);
    const Decoded full = decodeByteWise(bytes);
    // The greeting, the handshake and the first frames, and then some.
    const qsizetype last = std::min<qsizetype>(bytes.size(), 1200);
    for (qsizetype cut = 0; cut <= last; ++cut) {
        const Decoded prefix = decode(bytes.first(cut));
        const qsizetype expectedCount = std::count_if(
            full.endOffsets.begin(), full.endOffsets.end(), [&](qsizetype end) { return end <= cut; });
        QVERIFY2(prefix.events.size() == expectedCount,
            qPrintable(u"cut at %1: %2 events, %3 expected"_s.arg(cut)
                           .arg(prefix.events.size())
                           .arg(expectedCount)));
        QVERIFY2(prefix.events == full.events.first(expectedCount), qPrintable(u"cut at %1"_s.arg(cut)));
        QVERIFY(prefix.isZmtp);

        // The stream ends there: finish() adds nothing at an event's end, else one Problem whose size
        // is every byte fed after the last event (a cut greeting, command, frame or message).
        const QList<ZmtpEvent> ended = decode(bytes.first(cut), {}, {}, true).events;
        const qsizetype left = cut - (expectedCount > 0 ? full.endOffsets.at(expectedCount - 1) : 0);
        QVERIFY2(ended.size() == expectedCount + (left > 0 ? 1 : 0), qPrintable(u"cut at %1"_s.arg(cut)));
        if (left == 0)
            continue;
        const ZmtpEvent &end = ended.constLast();
        QVERIFY2(end.kind == Kind::Problem && end.size == quint64(left) && end.timestampUs == 1
                && end.detail.startsWith(u"the stream ended "_s)
                && end.detail.endsWith(u": %1 bytes left undecoded"_s.arg(left)),
            qPrintable(u"cut at %1: "_s.arg(cut) + describe(end)));
    }
    QCOMPARE(decode(bytes, {}, {}, true).events, full.events); // a recording ends at a boundary
}

void TestZmtpDecoder::gapResynchronises_data()
{
    // Streams with traffic after the handshake (the PULL sends nothing but its greeting and READY).
    addStreamRows({ u"reqrep"_s, u"dealer-router"_s, u"curve"_s });
    QTest::newRow("pushpull c2s") << u"pushpull"_s << u"c2s"_s;
}

void TestZmtpDecoder::gapResynchronises()
{
    QFETCH(QString, scenario);
    QFETCH(QString, direction);
    const QByteArray bytes = stream(scenario, direction);
    const Decoded full = decodeByteWise(bytes);
    QRandomGenerator random(qHash(scenario + direction) + 1);
    int resynchronised = 0;
    for (int round = 0; round < 40; ++round) {
        // Half of the gaps among the first frames, where frames are small and many.
        const qsizetype span = round % 2 ? std::min<qsizetype>(bytes.size() - 64, 3000) : bytes.size() - 64;
        const qsizetype from = 64 + random.bounded(span);
        const qsizetype missing
            = std::min<qsizetype>(1 + random.bounded(round % 2 ? 30 : 3000), bytes.size() - from);
        const QString where = u"gap of %1 bytes at %2 of %3"_s.arg(missing).arg(from).arg(bytes.size());

        QList<ZmtpEvent> events;
        ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); });
        decoder.feed(QByteArrayView(bytes).first(from), 0);
        const qsizetype before = events.size();
        decoder.gap(quint64(missing), 0);
        QVERIFY2(events.size() == before + 1 && events.constLast().kind == Kind::Problem, qPrintable(where));
        QVERIFY2(events.constLast().detail.startsWith(u"%1 bytes lost"_s.arg(missing)), qPrintable(where));
        decoder.feed(QByteArrayView(bytes).sliced(from + missing), 0);

        // Before the gap: what the whole stream gives up to there.
        QVERIFY2(events.first(before) == full.events.first(before), qPrintable(where));
        QVERIFY2(full.endOffsets.value(before, bytes.size() + 1) > from, qPrintable(where));
        if (before + 1 == events.size())
            continue; // the gap ate the end (too few frames left to resynchronise on)
        ++resynchronised;
        const QString wrong
            = checkResynchronised(events, before + 1, u"resynchronised after "_s, full, from + missing);
        QVERIFY2(wrong.isEmpty(), qPrintable(where + u": "_s + wrong));
        QCOMPARE(decoder.state(), ZmtpStreamDecoder::State::Traffic);
    }
    QVERIFY2(resynchronised >= 20,
        qPrintable(u"only %1 of 40 gaps were followed by a resynchronisation"_s.arg(resynchronised)));
}

void TestZmtpDecoder::joinMidStream_data()
{
    gapResynchronises_data();
    QTest::newRow("plain c2s") << u"plain"_s << u"c2s"_s;
    QTest::newRow("plain s2c") << u"plain"_s << u"s2c"_s;
}

void TestZmtpDecoder::joinMidStream()
{
    QFETCH(QString, scenario);
    QFETCH(QString, direction);
    const QByteArray bytes = stream(scenario, direction);
    const Decoded full = decodeByteWise(bytes);
    QRandomGenerator random(qHash(scenario + direction) + 2);
    int resynchronised = 0;
    for (int round = 0; round < 40; ++round) {
        // Anywhere after the handshake (the last Ready/INITIATE/CURVE READY).
        const qsizetype handshakeEnd
            = full.endOffsets.value(scenario == u"plain"_s || scenario == u"curve"_s ? 2 : 1);
        QVERIFY(handshakeEnd < bytes.size());
        const qsizetype from = handshakeEnd + random.bounded(bytes.size() - handshakeEnd);
        const QString where = u"joined at %1 of %2"_s.arg(from).arg(bytes.size());
        QList<ZmtpEvent> events;
        ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); });
        decoder.joinMidStream();
        QCOMPARE(decoder.state(), ZmtpStreamDecoder::State::Resynchronising);
        const QList<qsizetype> cuts = randomCuts(bytes.size() - from, random);
        qsizetype at = from;
        for (qsizetype cut : cuts) {
            decoder.feed(QByteArrayView(bytes).sliced(at, from + cut - at), 0);
            at = from + cut;
        }
        decoder.feed(QByteArrayView(bytes).sliced(at), 0);
        QVERIFY(decoder.isZmtp());
        if (events.isEmpty())
            continue; // too close to the end to find five frames
        ++resynchronised;
        const QString wrong
            = checkResynchronised(events, 0, u"joined mid-stream: resynchronised after "_s, full, from);
        QVERIFY2(wrong.isEmpty(), qPrintable(where + u": "_s + wrong));
    }
    QVERIFY2(resynchronised >= 10, qPrintable(u"only %1 of 40 joins resynchronised"_s.arg(resynchronised)));
}

void TestZmtpDecoder::garbageIsNotZmtp_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("problem");
    QTest::newRow("http") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                          << u"not ZMTP: the stream starts with 0x47, a ZMTP greeting with 0xff"_s;
    QTest::newRow("no 0x7f") << QByteArray("\xff\0\0\0\0\0\0\0\x01\x7e\x03\x01", 12)
                             << u"not ZMTP: byte 10 of the stream is 0x7e, a ZMTP greeting has 0x7f there"_s;
    QByteArray random(4096, '\0');
    QRandomGenerator generator(7);
    for (char &c : random)
        c = char(generator.bounded(256));
    random[0] = '\x17';
    QTest::newRow("random") << random
                            << u"not ZMTP: the stream starts with 0x17, a ZMTP greeting with 0xff"_s;
}

void TestZmtpDecoder::garbageIsNotZmtp()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, problem);
    for (const Decoded &decoded : { decode(bytes), decodeByteWise(bytes) }) {
        QCOMPARE(decoded.state, ZmtpStreamDecoder::State::NotZmtp);
        QVERIFY(!decoded.isZmtp);
        QCOMPARE(decoded.events.size(), 1);
        QCOMPARE(decoded.events.constFirst().kind, Kind::Problem);
        QCOMPARE(decoded.events.constFirst().detail, problem);
    }
}

void TestZmtpDecoder::zmtp20IsNotSupported()
{
    // RFC 15: signature 0xFF, 8 bytes, 0x7F, then the revision 0x01, socket type, identity frame.
    const QByteArray bytes = QByteArray("\xff\0\0\0\0\0\0\0\x01\x7f\x01\x05\x00\x00", 14)
        + stream(u"reqrep"_s, u"c2s"_s).sliced(64);
    QList<ZmtpEvent> events;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); });
    decoder.feed(QByteArrayView(bytes).first(10), 0);
    QVERIFY(decoder.isZmtp()); // the signature alone could be ZMTP 3
    QVERIFY(events.isEmpty());
    decoder.feed(QByteArrayView(bytes).sliced(10), 0);
    QVERIFY(!decoder.isZmtp());
    QCOMPARE(decoder.state(), ZmtpStreamDecoder::State::NotZmtp);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.constFirst().kind, Kind::Problem);
    QCOMPARE(events.constFirst().detail,
        u"ZMTP 2.0 greeting (revision 1): not supported; only ZMTP 3.0 and 3.1 are decoded"_s);
}

void TestZmtpDecoder::frameOverTheLimitFails()
{
    const QByteArray bytes = stream(u"reqrep"_s, u"c2s"_s);
    const Decoded full = decodeByteWise(bytes);
    // The 70,000-byte frame's header: LONG flag and its 8-byte size.
    const QByteArray header = QByteArray("\x02\0\0\0\0\0\x01\x11\x70", 9);
    const qsizetype headerAt = bytes.indexOf(header);
    QVERIFY(headerAt > 0);
    ZmtpStreamDecoder::Limits limits;
    limits.maxFrameBytes = 60000;
    QList<ZmtpEvent> events;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); }, limits);
    // Fails on the header alone: the body is never waited for, let alone held.
    decoder.feed(QByteArrayView(bytes).first(headerAt + header.size()), 0);
    QCOMPARE(decoder.state(), ZmtpStreamDecoder::State::Failed);
    QVERIFY(decoder.isZmtp());
    QVERIFY(!events.isEmpty());
    QCOMPARE(events.constLast().kind, Kind::Problem);
    QCOMPARE(events.constLast().detail,
        u"a frame of 70000 bytes is over the limit of 60000 bytes; decoding stops"_s);
    const QList<ZmtpEvent> before = events.first(events.size() - 1);
    QCOMPARE(before, full.events.first(before.size()));
    decoder.feed(QByteArrayView(bytes).sliced(headerAt + header.size()), 0);
    decoder.gap(10, 0);
    QCOMPARE(events.size(), before.size() + 1); // nothing after Failed
}

void TestZmtpDecoder::messageOverTheLimitFails()
{
    const QByteArray bytes = stream(u"reqrep"_s, u"c2s"_s);
    ZmtpStreamDecoder::Limits limits;
    limits.maxMessageBytes = 1000; // the 70,000-byte frame alone is within maxFrameBytes
    const Decoded decoded = decode(bytes, {}, limits);
    QCOMPARE(decoded.state, ZmtpStreamDecoder::State::Failed);
    QCOMPARE(decoded.events.constLast().kind, Kind::Problem);
    QVERIFY2(decoded.events.constLast().detail.contains(u"over the limit of 1000 bytes"_s),
        qPrintable(decoded.events.constLast().detail));
}

void TestZmtpDecoder::handBuiltCommands()
{
    // What the python peers do not send: a PING context, ERROR, an unknown command, a long frame that
    // holds few bytes (allowed by RFC 23), and a ZMTP 3.0 greeting.
    const QByteArray bytes = greeting(3, 0, "NULL", true)
        + command("READY", QByteArray("\x0bSocket-Type\0\0\0\x03REP", 19))
        + command("PING",
            QByteArray("\x01\x2c"
                       "ctx",
                5))
        + command("PONG", "ctx") + command("X-CUSTOM", "abc") + QByteArray("\x02\0\0\0\0\0\0\0\x02hi", 11)
        + command("ERROR", "\x0bno \xff access")
        + command("READY", QByteArray("\x0bSocket-Type\0\0\0\x09", 16));
    const Decoded decoded = decode(bytes);
    QCOMPARE(describeAll(decodeByteWise(bytes).events), describeAll(decoded.events));
    QStringList kinds;
    for (const ZmtpEvent &event : decoded.events)
        kinds.append(kindName(event.kind));
    QCOMPARE(kinds,
        (QStringList { u"Greeting"_s, u"Ready"_s, u"Ping"_s, u"Pong"_s, u"Command"_s, u"Message"_s,
            u"Error"_s, u"Ready"_s, u"Problem"_s }));
    QCOMPARE(decoded.events.at(0).versionMinor, 0);
    QVERIFY(decoded.events.at(0).asServer);
    QCOMPARE(decoded.events.at(2).size, 300u); // 30 seconds in deciseconds
    QCOMPARE(decoded.events.at(2).topic, QByteArray("ctx"));
    QCOMPARE(decoded.events.at(3).topic, QByteArray("ctx"));
    QCOMPARE(decoded.events.at(4).commandName, QByteArray("X-CUSTOM"));
    QCOMPARE(decoded.events.at(4).size, 3u);
    QCOMPARE(decoded.events.at(5).frames, Frames { "hi" });
    QCOMPARE(decoded.events.at(6).detail, u"no \\xff access"_s);
    QCOMPARE(decoded.events.at(7).metadata.size(), 0);
    QCOMPARE(decoded.events.at(8).detail, u"malformed READY metadata at byte 0 of 16; 0 properties read"_s);
}

void TestZmtpDecoder::gapInsideAMessage()
{
    const QByteArray head = greeting(3, 1, "NULL", false)
        + command("READY", QByteArray("\x0bSocket-Type\0\0\0\x04PUSH", 20)) + frame(1, "first")
        + QByteArray("\x00\x04"
                     "bb",
            4);
    QByteArray tail = "bb"; // the rest of the cut frame
    for (const char *body : { "one", "two", "three", "four", "five", "six" })
        tail += frame(0, body);
    QList<ZmtpEvent> events;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); });
    decoder.feed(head, 1);
    decoder.gap(7, 2);
    decoder.feed(tail, 3);
    const QStringList details = problems(events);
    QCOMPARE(details,
        (QStringList { u"7 bytes lost; the message it cut (2 frames so far) is dropped; resynchronising"_s,
            u"resynchronised after 2 bytes"_s,
            u"dropped the end of a message whose start was lost: 1 frames, 3 bytes"_s }));
    QCOMPARE(framesOfMessages(events),
        (QList<Frames> { { "two" }, { "three" }, { "four" }, { "five" }, { "six" } }));
    QCOMPARE(ofKind(events, Kind::Problem).constFirst().timestampUs, 2);
    QCOMPARE(events.constLast().timestampUs, 3);
}

void TestZmtpDecoder::unknownMechanism()
{
    const QByteArray bytes
        = greeting(3, 1, "GSSAPI\x01", false) + command("HELLO", "token") + frame(0, "body");
    const Decoded decoded = decode(bytes);
    QCOMPARE(describeAll(decoded.events),
        (QStringList { u"Greeting GSSAPI\x01 3.1 unknown server=0 size=0 "_s,
            u"Problem  size=0 unknown security mechanism \"GSSAPI\\x01\": its commands are shown by name and size only"_s,
            u"Command HELLO size=5 "_s,
            u"Message  [4 %1] size=4 "_s.arg(QString::fromLatin1(
                QCryptographicHash::hash("body", QCryptographicHash::Sha1).toHex().left(8))) }));
}

void TestZmtpDecoder::zmtp30SubscriptionMessage()
{
    // ZMTP 3.0's subscription is a message whose first byte is 1 (0 cancels): reported as a Message.
    const QByteArray bytes = greeting(3, 0, "NULL", false)
        + command("READY", QByteArray("\x0bSocket-Type\0\0\0\x03SUB", 19)) + frame(0, "\x01news")
        + frame(0, QByteArray("\x00news", 5));
    const QList<Frames> messages = framesOfMessages(decode(bytes).events);
    QCOMPARE(messages, (QList<Frames> { { "\x01news" }, { QByteArray("\x00news", 5) } }));
}

void TestZmtpDecoder::badFlagsResynchronise()
{
    const QByteArray head = greeting(3, 1, "NULL", false)
        + command("READY", QByteArray("\x0bSocket-Type\0\0\0\x04PUSH", 20)) + frame(0, "one");
    const QByteArray bytes = head + "\x40\x41\x42" + frame(0, "lost") + frame(1, "two") + frame(0, "parts")
        + frame(0, "three") + frame(0, "four");
    const Decoded decoded = decode(bytes);
    QCOMPARE(describeAll(decodeByteWise(bytes).events), describeAll(decoded.events));
    const QStringList details = problems(decoded.events);
    QCOMPARE(details,
        (QStringList { u"bad frame flags 0x40 (reserved bits set, or a command with MORE); resynchronising"_s,
            u"resynchronised after 3 bytes"_s,
            u"dropped the end of a message whose start was lost: 1 frames, 4 bytes"_s }));
    QCOMPARE(framesOfMessages(decoded.events),
        (QList<Frames> { { "one" }, { "two", "parts" }, { "three" }, { "four" } }));
}

void TestZmtpDecoder::joinedCurveIgnoresFalseFrames()
{
    // Joined inside CURVE ciphertext: bytes that look like a frame header whose frame ends exactly at a
    // real frame. Taken for a frame, it would swallow the three MESSAGE frames it covers; a row of
    // frames that mixes CURVE MESSAGEs with anything else is no resynchronisation point.
    QByteArray messages;
    qsizetype covered = 0;
    for (int i = 0; i < 8; ++i) {
        const QByteArray body = QByteArray("\x07MESSAGE", 8) + QByteArray(8 + 16 + 1 + i, char(0x80 + i));
        messages += frame(0, body);
        covered += i < 3 ? 2 + body.size() : 0; // what the false frame below covers: frames 0, 1 and 2
    }
    QCOMPARE(covered, 0x6c);
    const QByteArray bytes = QByteArray("\x99\xf0\x00\x6c", 4) + messages;
    QList<ZmtpEvent> events;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); });
    decoder.joinMidStream();
    decoder.feed(bytes, 0);
    QVERIFY(!events.isEmpty());
    QCOMPARE(events.constFirst().detail, u"joined mid-stream: resynchronised after 4 bytes"_s);
    QList<quint64> sizes;
    for (const ZmtpEvent &event : ofKind(events, Kind::Encrypted))
        sizes.append(event.size);
    QCOMPARE(sizes, (QList<quint64> { 0, 1, 2, 3, 4, 5, 6, 7 }));
}

void TestZmtpDecoder::finishInEachState()
{
    const QByteArray head
        = greeting(3, 1, "NULL", false) + command("READY", QByteArray("\x0bSocket-Type\0\0\0\x04PUSH", 20));
    const QString cutGreeting
        = u"the stream ended after 30 of the greeting's 64 bytes: 30 bytes left undecoded"_s;
    QCOMPARE(problems(decode(head.first(30), {}, {}, true).events), QStringList { cutGreeting });
    // Two whole frames with MORE, then 3 bytes of a 5-byte frame's body: 7 + 7 + 2 + 3 bytes.
    const QByteArray message = head + frame(1, "first") + frame(1, "other") + frame(0, "third").first(5);
    QCOMPARE(problems(decode(message, {}, {}, true).events),
        QStringList { u"the stream ended inside a message after 2 whole frames, 3 bytes into a 5-byte frame: "
                      u"19 bytes left undecoded"_s });
    QCOMPARE(problems(decode(QByteArray(head + frame(1, "first")), {}, {}, true).events),
        QStringList { u"the stream ended inside a message after 1 whole frames: 7 bytes left undecoded"_s });
    QCOMPARE(problems(decode(QByteArray(head + QByteArray("\x06\0\0\0", 4)), {}, {}, true).events),
        QStringList { u"the stream ended in a command frame's header (after 4 of its 9 bytes): "
                      u"4 bytes left undecoded"_s });
    QCOMPARE(
        problems(decode(QByteArray(head + command("PING", QByteArray("\0\x0a", 2)).first(4)), {}, {}, true)
                     .events),
        QStringList { u"the stream ended 2 bytes into a 7-byte command frame: 4 bytes left undecoded"_s });
    // Not ZMTP: nothing is waiting to be decoded.
    QCOMPARE(problems(decode("GET / HTTP/1.1\r\n", {}, {}, true).events).size(), 1);

    // After a gap, bytes scanned without a resynchronisation point; after a mid-stream join too.
    QList<ZmtpEvent> events;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); });
    decoder.feed(head, 0);
    decoder.gap(5, 0);
    decoder.feed(QByteArray("\x00\x03"
                            "abc\x01\x02",
                     7),
        0);
    decoder.finish(2);
    decoder.finish(3); // once only, and nothing is taken after it
    decoder.feed(frame(0, "late"), 4);
    QCOMPARE(problems(events),
        (QStringList { u"5 bytes lost; resynchronising"_s,
            u"the stream ended while resynchronising: 7 bytes left undecoded"_s }));
    QCOMPARE(events.constLast().timestampUs, 2);
    events.clear();
    ZmtpStreamDecoder joined([&](const ZmtpEvent &event) { events.append(event); });
    joined.joinMidStream();
    joined.feed(QByteArray("\x00\x03"
                           "ab",
                    4),
        0);
    joined.finish(0);
    QCOMPARE(problems(events),
        QStringList { u"the stream ended before a frame boundary was found (joined mid-stream): "
                      u"4 bytes left undecoded"_s });
}

void TestZmtpDecoder::gapWhileResynchronisingCountsEverySkippedByte()
{
    // Bad flags start a scan; the 0x40 is ruled out, "\x00\x05ab" waits for more when the gap comes:
    // both are skipped, and said so, whether the scan had put the ruled-out byte aside yet or not.
    const QByteArray head = greeting(3, 1, "NULL", false)
        + command("READY", QByteArray("\x0bSocket-Type\0\0\0\x04PUSH", 20))
        + QByteArray("\x40\x00\x05"
                     "ab",
            5);
    QByteArray tail;
    for (const char *body : { "one", "two", "three", "four", "five", "six" })
        tail += frame(0, body);
    QList<ZmtpEvent> events;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); });
    decoder.feed(head, 0);
    decoder.gap(3, 0);
    decoder.feed(tail, 0);
    const QStringList details = problems(events);
    QCOMPARE(details.mid(1, 2),
        (QStringList { u"3 bytes lost while resynchronising; 5 bytes before them skipped"_s,
            u"resynchronised after 5 bytes"_s }));
}

void TestZmtpDecoder::falseStartsCostLinearWork()
{
    // Joined mid-stream, 2,000 times: five frames that make a resynchronisation point, then a byte with
    // bad flags that ends it. Fed whole, the scan may not copy what follows each false start again (that
    // was quadratic); fed a byte at a time, the events are the same.
    QByteArray bytes;
    for (int round = 0; round < 2000; ++round) {
        for (const char *body : { "a", "bb", "c", "dd", "e" })
            bytes += frame(0, body);
        bytes += '\x40';
    }
    QList<ZmtpEvent> whole;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { whole.append(event); });
    decoder.joinMidStream();
    decoder.feed(bytes, 0);
    QCOMPARE(ofKind(whole, Kind::Message).size(), 2000 * 4);
    QVERIFY2(decoder.scanWork().bufferedBytes <= quint64(bytes.size()),
        qPrintable(u"%1 bytes copied to scan %2"_s.arg(decoder.scanWork().bufferedBytes).arg(bytes.size())));

    QList<ZmtpEvent> byteWise;
    ZmtpStreamDecoder bytewiseDecoder([&](const ZmtpEvent &event) { byteWise.append(event); });
    bytewiseDecoder.joinMidStream();
    for (qsizetype at = 0; at < bytes.size(); ++at)
        bytewiseDecoder.feed(QByteArrayView(bytes).sliced(at, 1), 0);
    QCOMPARE(byteWise, whole);
    QVERIFY(bytewiseDecoder.scanWork().bufferedBytes <= quint64(bytes.size()));
}

void TestZmtpDecoder::smallFeedsDoNotRecheckFrames()
{
    // Joined where five frames of 300 bytes begin, fed a byte at a time: the candidate's frames found
    // good are not examined again on every feed (that cost up to 16 frame checks per byte).
    QByteArray bytes;
    for (int i = 0; i < 8; ++i)
        bytes += frame(0, QByteArray(300, char('a' + i)));
    QList<ZmtpEvent> events;
    ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) { events.append(event); });
    decoder.joinMidStream();
    for (qsizetype at = 0; at < bytes.size(); ++at)
        decoder.feed(QByteArrayView(bytes).sliced(at, 1), 0);
    QCOMPARE(problems(events).value(0), u"joined mid-stream: resynchronised after 0 bytes"_s);
    QCOMPARE(ofKind(events, Kind::Message).size(), 7); // the first frame's message may have begun earlier
    // Until the resynchronisation point is taken: one check per byte fed, and one per frame.
    const quint64 fedWhileScanning = 5 * (9 + 300);
    QVERIFY2(decoder.scanWork().frameChecks <= fedWhileScanning + 5,
        qPrintable(u"%1 frame checks"_s.arg(decoder.scanWork().frameChecks)));
}

QTEST_GUILESS_MAIN(TestZmtpDecoder)
void TestZmtpDecoder::buffersKeptByTheReaderStayIntact()
{
    // The decoder reuses the frame buffers of messages its reader let go; what a reader kept (one
    // frame, a whole message, or nothing) must never change under it. Messages of 1 to 4 frames of
    // growing and shrinking sizes, fed whole (one piece per frame) and byte by byte.
    QByteArray bytes
        = greeting(3, 1, "NULL", false) + command("READY", QByteArray("\x0bSocket-Type\0\0\0\x04PUSH", 20));
    QList<Frames> sent;
    for (int i = 0; i < 60; ++i) {
        Frames message;
        const int parts = 1 + i % 4;
        for (int part = 0; part < parts; ++part) {
            const QByteArray body = QByteArray::number(i) + '/' + QByteArray::number(part)
                + QByteArray((i * 37 + part * 11) % 300, char('a' + (i + part) % 26));
            message.append(body);
            bytes += frame(part + 1 < parts ? 1 : 0, body);
        }
        sent.append(message);
    }
    for (const qsizetype piece : { bytes.size(), qsizetype(1) }) {
        QList<Frames> keptWhole;
        QList<QByteArray> keptOne;
        QList<QByteArray> copies; // deep copies taken when each message arrived
        int index = 0;
        ZmtpStreamDecoder decoder([&](const ZmtpEvent &event) {
            if (event.kind != Kind::Message)
                return;
            if (index % 3 == 0)
                keptWhole.append(event.frames);
            else if (index % 3 == 1)
                keptOne.append(event.frames.constLast());
            for (const QByteArray &part : event.frames)
                copies.append(QByteArray(part.constData(), part.size()));
            ++index;
        });
        for (qsizetype at = 0; at < bytes.size(); at += piece)
            decoder.feed(QByteArrayView(bytes).sliced(at, std::min(piece, bytes.size() - at)), 1);
        QCOMPARE(index, int(sent.size()));
        QList<QByteArray> expected;
        for (const Frames &message : sent)
            expected += message;
        QCOMPARE(copies, expected);
        for (int i = 0; i < sent.size(); ++i) {
            if (i % 3 == 0)
                QCOMPARE(keptWhole.at(i / 3), sent.at(i));
            else if (i % 3 == 1)
                QCOMPARE(keptOne.at(i / 3), sent.at(i).constLast());
        }
    }
}

#include "tst_zmtpdecoder.moc"
