// Envelope: classification of every multipart shape (DESIGN.md section 3),
// byte-exact transferObject(), strict fromRaw(), responseEnvelope() and create().

#include <QTest>

#include <zmqscope/envelope.h>

#include "../contracts/envelopecases.h"

using namespace Qt::StringLiterals;
using zmqscope::Envelope;
using zmqscope::EnvelopeFraming;
using zmqscope::ErrorCode;
using zmqscope::Frames;
using zmqscope::MessageKind;
using zmqscope::SocketType;

Q_DECLARE_METATYPE(zmqscope::Envelope)

namespace {

const QByteArray Binary = QByteArrayLiteral("\x00\x01\xff\x00zz\x00");

} // namespace

class TestEnvelope : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classification_data() { contracts::envelopeCases(); }
    void classification();
    void parse_data();
    void parse();
    void fromRawStrict_data();
    void fromRawStrict();
    void transferObject_data();
    void transferObject();
    void transferObjectRoundTrip_data();
    void transferObjectRoundTrip();
    void responseEnvelope();
    void createArgumentOrder();
    void constructorAndSetters();
    void dealerFramingIsReqCompatible();
};

void TestEnvelope::classification()
{
    QFETCH(Frames, frames);
    QFETCH(MessageKind, kind);
    QFETCH(int, requestFrames);
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, mimetype);
    QFETCH(QByteArray, body);
    const zmqscope::EnvelopeLayout layout
        = zmqscope::envelopeLayout(frames.size(), [&](qsizetype i) { return frames.at(i).size(); });
    QCOMPARE(layout.kind, kind);
    QCOMPARE(layout.requestFrames, qsizetype(requestFrames));

    const Envelope::ParseResult parsed = Envelope::parse(frames);
    QCOMPARE(parsed.kind, kind);
    QCOMPARE(parsed.isEnvelope(), kind != MessageKind::Raw);
    if (kind == MessageKind::Raw) {
        QVERIFY(!parsed.reason.isEmpty());
        return;
    }
    QCOMPARE(parsed.envelope->requestFrames(), frames.first(requestFrames));
    QCOMPARE(parsed.envelope->id(), id);
    QCOMPARE(parsed.envelope->mimetype(), mimetype);
    QCOMPARE(parsed.envelope->data(), body);
}

void TestEnvelope::parse_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<MessageKind>("kind");
    QTest::addColumn<Envelope>("envelope"); // expected when kind is not Raw
    QTest::addColumn<QString>("reason"); // a part of the reason when kind is Raw

    const Envelope none;
    QTest::newRow("0 frames") << Frames {} << MessageKind::Raw << none << u"no frames"_s;
    QTest::newRow("1 frame") << Frames { "only" } << MessageKind::Raw << none << u"1 frame;"_s;
    QTest::newRow("1 empty frame") << Frames { QByteArray() } << MessageKind::Raw << none << u"1 frame;"_s;
    QTest::newRow("2 frames") << Frames { "id", "text/plain" } << MessageKind::Raw << none << u"2 frames;"_s;

    QTest::newRow("3 frames") << Frames { "id", "text/plain", "hello" } << MessageKind::Envelope
                              << Envelope("id", "text/plain", "hello") << QString();
    QTest::newRow("3 empty frames") << Frames { {}, {}, {} } << MessageKind::Envelope << Envelope({}, {}, {})
                                    << QString();
    QTest::newRow("3 frames, empty id") << Frames { {}, "application/json", "{}" } << MessageKind::Envelope
                                        << Envelope({}, "application/json", "{}") << QString();
    QTest::newRow("3 frames, binary")
        << Frames { Binary, "application/octet-stream", Binary + Binary } << MessageKind::Envelope
        << Envelope(Binary, "application/octet-stream", Binary + Binary) << QString();

    QTest::newRow("REQ via ROUTER") << Frames { "peer-1", {}, "id", "text/plain", "hi" }
                                    << MessageKind::RoutedEnvelope
                                    << Envelope("id", "text/plain", "hi", { "peer-1" }) << QString();
    QTest::newRow("two hops") << Frames { "hop-1", "hop-2", {}, "id", "text/plain", "hi" }
                              << MessageKind::RoutedEnvelope
                              << Envelope("id", "text/plain", "hi", { "hop-1", "hop-2" }) << QString();
    QTest::newRow("binary routing id")
        << Frames { Binary, {}, {}, "text/plain", "x" } << MessageKind::RoutedEnvelope
        << Envelope({}, "text/plain", "x", { Binary }) << QString();
    // An empty request frame before the delimiter is a request frame, as raw[:-4] in Python.
    QTest::newRow("empty request frame")
        << Frames { {}, {}, "id", "text/plain", "hi" } << MessageKind::RoutedEnvelope
        << Envelope("id", "text/plain", "hi", { QByteArray() }) << QString();
    // What a DEALER gets back from REP: Python's from_raw gives request_frames == raw[:-4] == [].
    QTest::newRow("delimiter only") << Frames { {}, "id", "text/plain", "hi" } << MessageKind::RoutedEnvelope
                                    << Envelope("id", "text/plain", "hi") << QString();

    QTest::newRow("4 frames, no delimiter") << Frames { "peer", "id", "text/plain", "hi" } << MessageKind::Raw
                                            << none << u"(frame 1 of 4 has 4 bytes)"_s;
    QTest::newRow("DEALER without delimiter") << Frames { "peer-7", "a", "b", "c", "d" } << MessageKind::Raw
                                              << none << u"(frame 2 of 5 has 1 byte)"_s;
    QTest::newRow("6 frames, delimiter misplaced") << Frames { "r", {}, "x", "id", "text/plain",
        "hi" } << MessageKind::Raw << none << u"(frame 3 of 6 has 1 byte)"_s;
}

void TestEnvelope::parse()
{
    QFETCH(Frames, frames);
    QFETCH(MessageKind, kind);
    QFETCH(Envelope, envelope);
    QFETCH(QString, reason);

    const Envelope::ParseResult result = Envelope::parse(frames);
    QCOMPARE(result.kind, kind);
    if (kind == MessageKind::Raw) {
        QVERIFY(!result.isEnvelope());
        QVERIFY2(result.reason.contains(reason), qPrintable(result.reason));
        // A raw message's reason always says how many frames there were.
        QVERIFY2(result.reason.contains(QString::number(frames.size())) || frames.isEmpty(),
            qPrintable(result.reason));
    } else {
        QVERIFY(result.isEnvelope());
        QVERIFY(result.reason.isEmpty());
        QCOMPARE(result.envelope->id(), envelope.id());
        QCOMPARE(result.envelope->mimetype(), envelope.mimetype());
        QCOMPARE(result.envelope->data(), envelope.data());
        QCOMPARE(result.envelope->requestFrames(), envelope.requestFrames());
        QCOMPARE(*result.envelope, envelope);
        // The strict parser agrees with parse() on everything that is an envelope.
        QCOMPARE(Envelope::fromRaw(frames), envelope);
    }
}

void TestEnvelope::fromRawStrict_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<QString>("reason");
    QTest::newRow("0 frames") << Frames {} << u"no frames"_s;
    QTest::newRow("1 frame") << Frames { Binary } << u"1 frame"_s;
    QTest::newRow("2 frames") << Frames { "a", "b" } << u"2 frames"_s;
    QTest::newRow("4 frames, no delimiter") << Frames { "a", "b", "c", "d" } << u"frame 1 of 4"_s;
    QTest::newRow("7 frames, no delimiter")
        << Frames { "a", "b", "c", "d", "e", "f", "g" } << u"frame 4 of 7"_s;
}

void TestEnvelope::fromRawStrict()
{
    QFETCH(Frames, frames);
    QFETCH(QString, reason);
    try {
        const Envelope envelope = Envelope::fromRaw(frames);
        QFAIL(qPrintable(u"fromRaw accepted a raw message as an envelope with id %1"_s.arg(
            QString::fromLatin1(envelope.id().toHex()))));
    } catch (const zmqscope::Error &error) {
        QCOMPARE(error.code(), ErrorCode::NotAnEnvelope);
        QVERIFY2(error.message().startsWith(u"not a Dploy envelope: "_s), error.what());
        QVERIFY2(error.message().contains(reason), error.what());
        QVERIFY2(!error.message().contains(u'\n'), error.what());
        QCOMPARE(error.frames(), frames); // nothing received is lost
        QCOMPARE(error.zmqErrno(), 0);
    }
}

void TestEnvelope::transferObject_data()
{
    QTest::addColumn<Envelope>("envelope");
    QTest::addColumn<Frames>("frames");

    QTest::newRow("plain") << Envelope("id", "text/plain", "hello") << Frames { "id", "text/plain", "hello" };
    QTest::newRow("empty id") << Envelope({}, "text/plain", "hello") << Frames { {}, "text/plain", "hello" };
    QTest::newRow("all empty") << Envelope() << Frames { {}, {}, {} };
    QTest::newRow("binary body and id") << Envelope(Binary, "application/octet-stream", Binary)
                                        << Frames { Binary, "application/octet-stream", Binary };
    QTest::newRow("one request frame")
        << Envelope("id", "text/plain", "x", { "peer" }) << Frames { "peer", {}, "id", "text/plain", "x" };
    QTest::newRow("request frames, empty id") << Envelope({}, "text/plain", "x", { "peer", Binary })
                                              << Frames { "peer", Binary, {}, {}, "text/plain", "x" };
    QTest::newRow("empty request frame")
        << Envelope("id", "m", "b", { QByteArray() }) << Frames { {}, {}, "id", "m", "b" };
    const QByteArray big(1 << 20, '\0');
    QTest::newRow("1 MiB of NUL") << Envelope("id", "application/octet-stream", big)
                                  << Frames { "id", "application/octet-stream", big };
}

void TestEnvelope::transferObject()
{
    QFETCH(Envelope, envelope);
    QFETCH(Frames, frames);
    const Frames wire = envelope.transferObject();
    QCOMPARE(wire.size(), frames.size());
    for (qsizetype i = 0; i < frames.size(); ++i) {
        // Byte for byte, including size: a NUL must not end a frame early.
        QCOMPARE(wire[i].size(), frames[i].size());
        QCOMPARE(wire[i], frames[i]);
    }
    // And it parses back to the same envelope.
    QCOMPARE(Envelope::fromRaw(wire), envelope);
}

void TestEnvelope::transferObjectRoundTrip_data()
{
    QTest::addColumn<Frames>("frames");
    QTest::newRow("3 frames") << Frames { "id", "text/plain", "hi" };
    QTest::newRow("routed") << Frames { "r", {}, "id", "text/plain", "hi" };
    QTest::newRow("routed binary") << Frames { Binary, Binary, {}, Binary, "m", Binary };
}

void TestEnvelope::transferObjectRoundTrip()
{
    QFETCH(Frames, frames);
    QCOMPARE(Envelope::fromRaw(frames).transferObject(), frames);
}

void TestEnvelope::responseEnvelope()
{
    const Envelope request("req-id", "text/plain", "question", { "peer-a", "peer-b" });

    const Envelope reply = request.responseEnvelope("application/json", "{\"answer\":42}");
    QCOMPARE(reply.id(), QByteArray("req-id"));
    QCOMPARE(reply.mimetype(), QByteArray("application/json"));
    QCOMPARE(reply.data(), QByteArray("{\"answer\":42}"));
    QCOMPARE(reply.requestFrames(), (Frames { "peer-a", "peer-b" }));
    QCOMPARE(reply.transferObject(),
        (Frames { "peer-a", "peer-b", {}, "req-id", "application/json", "{\"answer\":42}" }));

    const Envelope renamed = request.responseEnvelope("text/plain", "answer", QByteArray("other-id"));
    QCOMPARE(renamed.id(), QByteArray("other-id"));
    QCOMPARE(renamed.requestFrames(), request.requestFrames());

    // An explicitly empty id is an id, not "keep the request's".
    const Envelope emptied = request.responseEnvelope("text/plain", "answer", QByteArray());
    QVERIFY(emptied.id().isEmpty());
    QCOMPARE(emptied.requestFrames(), request.requestFrames());

    // Without request frames the reply has none either (no stray delimiter on the wire).
    const Envelope plain = Envelope("id", "text/plain", "q").responseEnvelope("text/plain", "a");
    QVERIFY(plain.requestFrames().isEmpty());
    QCOMPARE(plain.transferObject(), (Frames { "id", "text/plain", "a" }));

    // The request itself is left as it was.
    QCOMPARE(request.data(), QByteArray("question"));
    QCOMPARE(request.mimetype(), QByteArray("text/plain"));
}

void TestEnvelope::createArgumentOrder()
{
    // Envelope.new(mimetype, data, id='', request_frames=None) in the seed.
    const Envelope minimal = Envelope::create("text/plain", "body");
    QCOMPARE(minimal.mimetype(), QByteArray("text/plain"));
    QCOMPARE(minimal.data(), QByteArray("body"));
    QVERIFY(minimal.id().isEmpty());
    QVERIFY(minimal.requestFrames().isEmpty());

    const Envelope full = Envelope::create("application/json", "[1]", "the-id", { "r1" });
    QCOMPARE(full.mimetype(), QByteArray("application/json"));
    QCOMPARE(full.data(), QByteArray("[1]"));
    QCOMPARE(full.id(), QByteArray("the-id"));
    QCOMPARE(full.requestFrames(), Frames { "r1" });
    QCOMPARE(full, Envelope("the-id", "application/json", "[1]", { "r1" }));
}

void TestEnvelope::constructorAndSetters()
{
    Envelope envelope("id", "m", "d", { "r" });
    QCOMPARE(envelope.id(), QByteArray("id"));
    QCOMPARE(envelope.mimetype(), QByteArray("m"));
    QCOMPARE(envelope.data(), QByteArray("d"));
    QCOMPARE(envelope.requestFrames(), Frames { "r" });

    envelope.setId(Binary);
    envelope.setMimetype("text/plain");
    envelope.setData(Binary);
    envelope.setRequestFrames({});
    QCOMPARE(envelope.transferObject(), (Frames { Binary, "text/plain", Binary }));
    QVERIFY(envelope != Envelope(Binary, "text/plain", Binary, { "r" }));
    QCOMPARE(envelope, Envelope(Binary, "text/plain", Binary));
}

void TestEnvelope::dealerFramingIsReqCompatible()
{
    // The one rule: only a DEALER adds the delimiter a REQ would add.
    for (const QString &name : zmqscope::socketTypeNames()) {
        const SocketType type = zmqscope::socketTypeFromName(name);
        QCOMPARE(zmqscope::defaultEnvelopeFraming(type),
            type == SocketType::Dealer ? EnvelopeFraming::ReqCompatible : EnvelopeFraming::Plain);
    }
    const Envelope envelope("d-1", "text/plain", "hi");
    QCOMPARE(envelope.transferObject(EnvelopeFraming::Plain), envelope.transferObject());
    const Frames framed = envelope.transferObject(EnvelopeFraming::ReqCompatible);
    QCOMPARE(framed, (Frames { QByteArray(), "d-1", "text/plain", "hi" }));
    // Both shapes decode to the same envelope.
    QCOMPARE(Envelope::parse(framed).kind, MessageKind::RoutedEnvelope);
    QCOMPARE(*Envelope::parse(framed).envelope, envelope);
    QCOMPARE(*Envelope::parse(envelope.transferObject()).envelope, envelope);
    // With request frames, the delimiter goes first, as a REQ puts it before whatever it sends.
    const Envelope routed("d-1", "text/plain", "hi", { "hop" });
    QCOMPARE(routed.transferObject(EnvelopeFraming::ReqCompatible),
        (Frames { QByteArray(), "hop", QByteArray(), "d-1", "text/plain", "hi" }));
}

QTEST_GUILESS_MAIN(TestEnvelope)
#include "tst_envelope.moc"
