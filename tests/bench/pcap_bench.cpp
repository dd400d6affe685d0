// Packet-capture benchmark (a program, not a test; issue 15): how fast does ZmqScope decode the
// ZeroMQ messages of a pcap file, compared with a plain libpcap loop that only walks its packets,
// measured in the same run on the same file?
//
// The file is written first: one TCP connection over Ethernet/IPv4 (SYN, SYN-ACK, ACK, both ZMTP
// 3.1 greetings and NULL READYs, PUSH to PULL), then N three-frame envelopes (id 12 B, mimetype 24 B,
// body B bytes with the sequence number), M per TCP segment. Then, R rounds each, alternating:
//   (a) decodeCaptureFile(): libpcap, TCP reassembly, the ZMTP decoder, a CaptureRecord per message
//       (handed to a callback that checks its frames and counts it), as `zmqscope-cli cat` does;
//   (b) pcap_next_ex() over the same file, reading one byte of each packet.
// The ratio (b time)/(a time), i.e. (a)'s packet rate against (b)'s, is what the goal (>= 0.5) is
// about. Peak memory: the growth of the resident set during a decode, which must not grow with the
// file (it is streamed); --messages with a large count shows it on a multi-GB file.

#include <algorithm>
#include <cstdint>
#include <pcap/pcap.h>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <zmqscope/capture/passivedecoder.h>

#include "../capture/pcaptestsupport.h"
#include "benchcommon.h"

using namespace Qt::StringLiterals;
using bench::print;

namespace {

struct Settings
{
    qint64 messages = 1'000'000;
    qint64 bodyBytes = 100;
    qint64 perSegment = 1;
    int rounds = 3;
    QString keep; ///< write the capture here and keep it
};

/// One ZMTP frame: flags, size (short or long) and body.
void appendFrame(QByteArray &out, const QByteArray &body, bool more, bool command = false)
{
    const bool longFrame = body.size() > 255;
    out.append(char((more ? 0x01 : 0) | (longFrame ? 0x02 : 0) | (command ? 0x04 : 0)));
    if (longFrame) {
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(body.size()) >> shift) & 0xff));
    } else {
        out.append(char(body.size()));
    }
    out += body;
}

QByteArray greeting()
{
    QByteArray bytes(64, '\0');
    bytes[0] = char(0xff);
    bytes[9] = char(0x7f);
    bytes[10] = 3;
    bytes[11] = 1;
    bytes.replace(12, 4, "NULL");
    return bytes;
}

QByteArray ready(const QByteArray &socketType)
{
    QByteArray body = QByteArray(1, 5) + "READY";
    body += QByteArray(1, 11) + "Socket-Type";
    pcaptest::appendBe32(body, quint32(socketType.size()));
    body += socketType;
    QByteArray frame;
    appendFrame(frame, body, false, true);
    return frame;
}

/// Writes the capture, packet by packet (never the whole file in memory).
bool writeCapture(const QString &path, const Settings &settings)
{
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
    pcap_dumper_t *dumper = pcap_dump_open(dead, QFile::encodeName(path).constData());
    if (!dumper) {
        print(u"cannot write %1: %2"_s.arg(path, QString::fromLocal8Bit(pcap_geterr(dead))));
        pcap_close(dead);
        return false;
    }
    const pcaptest::Endpoints endpoints;
    const pcaptest::Wire wire;
    std::int64_t timestampUs = 1'764'000'000'000'000;
    quint32 clientSequence = 1000;
    quint32 serverSequence = 5000;
    const auto write = [&](bool fromClient, quint8 flags, const QByteArray &payload) {
        quint32 &sequence = fromClient ? clientSequence : serverSequence;
        const pcaptest::Frame frame
            = pcaptest::frameOf({ fromClient, sequence, flags, payload, 0, timestampUs }, endpoints, wire);
        sequence += quint32(payload.size()) + ((flags & (pcaptest::Syn | pcaptest::Fin)) ? 1 : 0);
        timestampUs += 2;
        pcap_pkthdr header {};
        header.ts.tv_sec = time_t(frame.timestampUs / 1'000'000);
        header.ts.tv_usec = suseconds_t(frame.timestampUs % 1'000'000);
        header.caplen = bpf_u_int32(frame.bytes.size());
        header.len = frame.wireLength;
        pcap_dump(reinterpret_cast<u_char *>(dumper), &header,
            reinterpret_cast<const u_char *>(frame.bytes.constData()));
    };
    write(true, pcaptest::Syn, {});
    write(false, pcaptest::Syn | pcaptest::Ack, {});
    write(true, pcaptest::Ack, {});
    write(true, pcaptest::Ack | pcaptest::Psh, greeting());
    write(false, pcaptest::Ack | pcaptest::Psh, greeting());
    write(true, pcaptest::Ack | pcaptest::Psh, ready("PUSH"));
    write(false, pcaptest::Ack | pcaptest::Psh, ready("PULL"));
    const QByteArray id = "id-000000001"; // 12 bytes
    const QByteArray mimetype = "application/octet-stream"; // 24 bytes
    QByteArray body(settings.bodyBytes, 'b');
    QByteArray segment;
    for (qint64 i = 0; i < settings.messages; ++i) {
        std::memcpy(body.data(), &i, std::min<qsizetype>(sizeof i, body.size()));
        appendFrame(segment, id, true);
        appendFrame(segment, mimetype, true);
        appendFrame(segment, body, false);
        if ((i + 1) % settings.perSegment == 0 || i + 1 == settings.messages) {
            write(true, pcaptest::Ack | pcaptest::Psh, segment);
            segment.clear();
        }
    }
    write(true, pcaptest::Ack | pcaptest::Fin, {});
    write(false, pcaptest::Ack | pcaptest::Fin, {});
    pcap_dump_close(dumper);
    pcap_close(dead);
    return true;
}

struct Round
{
    double seconds = 0;
    std::uint64_t packets = 0;
    std::uint64_t messages = 0;
    std::uint64_t rssGrowth = 0;
};

Round walk(const QString &path)
{
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t *in = pcap_open_offline(QFile::encodeName(path).constData(), error);
    if (!in)
        throw std::runtime_error(error);
    QElapsedTimer clock;
    clock.start();
    Round round;
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    unsigned sum = 0;
    while (pcap_next_ex(in, &header, &data) == 1) {
        ++round.packets;
        sum += data[header->caplen - 1];
    }
    round.seconds = double(clock.nsecsElapsed()) / 1e9;
    pcap_close(in);
    if (sum == 1) // keeps the reads; never true for this file's last bytes in practice
        print(u"."_s);
    return round;
}

Round decode(const QString &path, const Settings &settings)
{
    Round round;
    const std::uint64_t rssBefore = bench::currentRssBytes();
    std::uint64_t rssPeak = rssBefore;
    std::uint64_t expected = 0;
    bool wrong = false;
    zmqscope::PassiveDecoder::Handlers handlers;
    handlers.record = [&](const zmqscope::CaptureRecord &record) {
        if (record.isEvent())
            return;
        std::uint64_t sequence = 0;
        if (record.frames.size() != 3 || record.frames[2].size() != settings.bodyBytes)
            wrong = true;
        else
            std::memcpy(&sequence, record.frames[2].constData(),
                std::min<qsizetype>(sizeof sequence, settings.bodyBytes));
        if (sequence != expected)
            wrong = true;
        ++expected;
        if ((expected & 0xffff) == 0)
            rssPeak = std::max(rssPeak, bench::currentRssBytes());
    };
    QElapsedTimer clock;
    clock.start();
    const auto result = zmqscope::decodeCaptureFile(path, std::move(handlers));
    round.seconds = double(clock.nsecsElapsed()) / 1e9;
    if (!result)
        throw std::runtime_error(result.error().message().toStdString());
    if (wrong || expected != std::uint64_t(settings.messages))
        throw std::runtime_error(QStringLiteral("decoded %1 messages, expected %2 in order")
                                     .arg(expected)
                                     .arg(settings.messages)
                                     .toStdString());
    round.packets = result->stats.packets;
    round.messages = expected;
    round.rssGrowth = rssPeak > rssBefore ? rssPeak - rssBefore : 0;
    return round;
}

int runBenchmark(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"pcap_bench"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Decodes the ZeroMQ messages of a generated pcap file (decodeCaptureFile, as zmqscope-cli cat does) "
        u"and walks the same file with a plain libpcap loop, and prints both rates and their ratio."_s);
    parser.addHelpOption();
    parser.addOption(
        { u"messages"_s, u"Envelopes in the capture (default 1000000)."_s, u"N"_s, u"1000000"_s });
    parser.addOption({ u"body"_s, u"Body bytes per envelope (default 100)."_s, u"BYTES"_s, u"100"_s });
    parser.addOption({ u"per-segment"_s, u"Envelopes per TCP segment (default 1)."_s, u"M"_s, u"1"_s });
    parser.addOption({ u"rounds"_s, u"Rounds of each; medians are reported (default 3)."_s, u"R"_s, u"3"_s });
    parser.addOption({ u"keep"_s, u"Write the capture to FILE and keep it."_s, u"FILE"_s });
    parser.process(app);
    Settings settings;
    settings.messages = bench::integerOption(parser, u"messages"_s, 1, 1'000'000'000);
    settings.bodyBytes = bench::integerOption(parser, u"body"_s, 8, 65536);
    settings.perSegment = bench::integerOption(parser, u"per-segment"_s, 1, 400);
    settings.rounds = int(bench::integerOption(parser, u"rounds"_s, 1, 50));
    settings.keep = parser.value(u"keep"_s);

    print(u"ZmqScope pcap benchmark"_s);
    print(bench::reproduceLine({ u"--messages"_s, QString::number(settings.messages), u"--body"_s,
        QString::number(settings.bodyBytes), u"--per-segment"_s, QString::number(settings.perSegment),
        u"--rounds"_s, QString::number(settings.rounds) }));
    bench::printMachine();

    QTemporaryDir dir;
    const QString path = settings.keep.isEmpty() ? dir.filePath(u"bench.pcap"_s) : settings.keep;
    QElapsedTimer writing;
    writing.start();
    if (!writeCapture(path, settings))
        return 1;
    print(u"capture:   %1 envelopes (id 12 B, mimetype 24 B, body %2 B), %3 per TCP segment, Ethernet/IPv4, "
          u"%4 MB, written in %5 s"_s.arg(settings.messages)
              .arg(settings.bodyBytes)
              .arg(settings.perSegment)
              .arg(double(QFileInfo(path).size()) / 1e6, 0, 'f', 1)
              .arg(double(writing.elapsed()) / 1000, 0, 'f', 1));

    std::vector<double> decodeRates;
    std::vector<double> walkRates;
    std::vector<double> ratios;
    std::uint64_t rssGrowth = 0;
    for (int r = 1; r <= settings.rounds; ++r) {
        const Round decoded = decode(path, settings);
        const Round walked = walk(path);
        const double decodeRate = double(decoded.messages) / decoded.seconds;
        const double walkRate = double(walked.packets) / walked.seconds;
        decodeRates.push_back(decodeRate);
        walkRates.push_back(walkRate);
        ratios.push_back(walked.seconds / decoded.seconds);
        rssGrowth = std::max(rssGrowth, decoded.rssGrowth);
        print(u"round %1 decode  %2 msg/s (%3 packets in %4 s; resident set grew %5 MiB)"_s.arg(r)
                  .arg(qint64(decodeRate))
                  .arg(decoded.packets)
                  .arg(decoded.seconds, 0, 'f', 3)
                  .arg(double(decoded.rssGrowth) / 1048576.0, 0, 'f', 1));
        print(u"round %1 libpcap %2 packets/s (%3 packets in %4 s)"_s.arg(r)
                  .arg(qint64(walkRate))
                  .arg(walked.packets)
                  .arg(walked.seconds, 0, 'f', 3));
    }
    const double ratio = bench::percentile(ratios, 50);
    print(QString());
    print(u"median of %1 round(s), load average %2 now:"_s.arg(settings.rounds)
              .arg(bench::loadAverage(), 0, 'f', 2));
    print(u"| Measure | decode (decodeCaptureFile) | plain libpcap loop | ratio | goal |"_s);
    print(u"|---|---|---|---|---|"_s);
    print(u"| %1 envelopes, %2 per segment | %3 msg/s | %4 packets/s | %5 | >= 0.5: %6 |"_s
              .arg(settings.messages)
              .arg(settings.perSegment)
              .arg(qint64(bench::percentile(decodeRates, 50)))
              .arg(qint64(bench::percentile(walkRates, 50)))
              .arg(ratio, 0, 'f', 3)
              .arg(ratio >= 0.5 ? u"met"_s : u"NOT met"_s));
    print(u"| peak growth of the resident set while decoding | %1 MiB | | | bounded |"_s.arg(
        double(rssGrowth) / 1048576.0, 0, 'f', 1));
    print(u"every message decoded once, in order, with its frames checked"_s);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    return bench::runGuarded(runBenchmark, argc, argv);
}
