#pragma once

// The envelope classification contract (DESIGN.md section 3): one table of multipart shapes,
// applied to every part that classifies: Envelope::parse() and envelopeLayout() in
// tests/core/tst_envelope.cpp, MessageStore's summaries in tests/engine/tst_messagestore.cpp.

#include <QTest>

#include <zmqscope/envelope.h>

Q_DECLARE_METATYPE(zmqscope::MessageKind)

namespace contracts {

/**
 * Columns: frames (Frames), kind (MessageKind), requestFrames (int: routing frames before the
 * delimiter), id, mimetype, body (QByteArray: the envelope's parts; empty for raw messages).
 */
inline void envelopeCases()
{
    using zmqscope::Frames;
    using zmqscope::MessageKind;
    QTest::addColumn<Frames>("frames");
    QTest::addColumn<MessageKind>("kind");
    QTest::addColumn<int>("requestFrames");
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("mimetype");
    QTest::addColumn<QByteArray>("body");

    const QByteArray binary = QByteArrayLiteral("\x00\x01\xff\x00zz\x00");
    const auto raw = [](const char *row, const Frames &frames) {
        QTest::newRow(row) << frames << MessageKind::Raw << 0 << QByteArray() << QByteArray() << QByteArray();
    };
    raw("no frames", {});
    raw("1 frame", { "hello" });
    raw("2 frames", { "id", "text/plain" });
    raw("4 frames, no delimiter", { "a", "b", "c", "d" });
    raw("6 frames, empty frame one too early", { "peer", "", "x", "id", "text/plain", "body" });
    raw("4 frames, a NUL byte where the delimiter goes", { QByteArray(1, '\0'), "id", "text/plain", "body" });

    QTest::newRow("3 frames") << Frames { "id", "text/plain", "body" } << MessageKind::Envelope << 0
                              << QByteArray("id") << QByteArray("text/plain") << QByteArray("body");
    QTest::newRow("3 empty frames") << Frames { "", "", "" } << MessageKind::Envelope << 0 << QByteArray()
                                    << QByteArray() << QByteArray();
    QTest::newRow("3 frames, binary body")
        << Frames { "", "application/octet-stream", binary } << MessageKind::Envelope << 0 << QByteArray()
        << QByteArray("application/octet-stream") << binary;
    QTest::newRow("delimiter only (DEALER from REP)")
        << Frames { "", "id", "text/plain", "body" } << MessageKind::RoutedEnvelope << 0 << QByteArray("id")
        << QByteArray("text/plain") << QByteArray("body");
    QTest::newRow("one routing frame (ROUTER from REQ)")
        << Frames { binary, "", "id", "application/json", "{}" } << MessageKind::RoutedEnvelope << 1
        << QByteArray("id") << QByteArray("application/json") << QByteArray("{}");
    QTest::newRow("two routing frames, empty one among them")
        << Frames { "peer", "", "hop", "", "", "text/plain", "" } << MessageKind::RoutedEnvelope << 3
        << QByteArray() << QByteArray("text/plain") << QByteArray();
}

} // namespace contracts
