#include <optional>

#include <QDir>
#include <QElapsedTimer>
#include <QJsonObject>

#include <zmqscope/capture/capturewriter.h>
#include <zmqscope/capture/passivedecoder.h>
#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/version.h>

#include "clicommon.h"
#include "commands.h"
#include "decodeoption.h"
#include "filteroption.h"
#include "messageformatter.h"
#include "receivesession.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

QList<quint16> ports(const QStringList &values)
{
    QList<quint16> result;
    for (const QString &value : values) {
        bool ok = false;
        const uint port = value.trimmed().toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            throw usageError(u"invalid --port %1; expected a TCP port from 1 to 65535"_s.arg(quoted(value)));
        result.append(quint16(port));
    }
    return result;
}

} // namespace

int runSniff(const QStringList &arguments)
{
    CommandLine commandLine(u"sniff"_s,
        u"Capture ZeroMQ traffic live from a network interface (libpcap) and print its messages: every TCP "
        u"connection that begins with a ZMTP 3.0/3.1 greeting, on any port, both directions. Nothing in the "
        u"system changes: no endpoint, no tap."_s);
    const QCommandLineOption interfaceOption(
        u"interface"_s, u"The interface to capture on, e.g. lo or eth0 (tcpdump -D lists them)."_s, u"IF"_s);
    const QCommandLineOption portOption(u"port"_s,
        u"Capture only TCP traffic to or from port P (repeatable; the BPF filter \"tcp and (port P or "
        u"...)\"). "
        u"Without --port every TCP connection is looked at."_s,
        u"P"_s);
    const QCommandLineOption writeOption(u"write"_s,
        u"Also record every decoded message and event to FILE as a ZmqScope capture (JSON Lines, the same "
        u"lines as --format jsonl). FILE is created (or replaced) with the first record, or at a clean end "
        u"without one: a run that fails before keeps an existing FILE."_s,
        u"FILE"_s);
    const QCommandLineOption quietOption(
        QStringList { u"q"_s, u"quiet"_s }, u"No status lines on stderr, errors only."_s);
    commandLine.addOption(interfaceOption);
    commandLine.addOption(portOption, true);
    commandLine.addOption(quietOption);
    commandLine.addFormatOption(true);
    commandLine.addCountOption(u"Exit (status 0) after N decoded messages (events do not count)."_s);
    commandLine.addTimeoutOption(
        u"Exit with status 1 when no ZeroMQ message is decoded within MS milliseconds; "
        u"restarts with every message."_s);
    commandLine.addOption(writeOption);
    const QCommandLineOption matchOption = filterOption();
    commandLine.addOption(matchOption);
    const DecodeOptions decodeOptions;
    decodeOptions.addTo(commandLine);
    if (!commandLine.parse(arguments,
            u"Capturing needs the right to: run as root, or give the program the capability once:\n"
            u"  sudo setcap cap_net_raw,cap_net_admin=eip $(command -v zmqscope-cli)\n"
            u"Connections that began before the capture are joined mid-stream: their first\n"
            u"messages are found by resynchronising on the frame structure, and said so.\n"
            u"CURVE messages are shown encrypted, with their size. inproc:// and ipc://\n"
            u"traffic never reaches a network interface and cannot be sniffed.\n"
            u"\n"
            u"Examples:\n"
            u"  sudo zmqscope-cli sniff --interface lo --port 5555\n"
            u"  zmqscope-cli sniff --interface eth0 --format jsonl --count 100 --write wire.zmqcap\n"
            u"\n"
            u"SIGINT or SIGTERM ends the capture cleanly: the --write file closed and complete,\n"
            u"one summary line, exit status 0.\n"_s))
        return ExitSuccess;

    if (!commandLine.isSet(interfaceOption) || commandLine.value(interfaceOption).trimmed().isEmpty())
        throw usageError(u"sniff needs --interface IF, e.g. --interface lo; see zmqscope-cli sniff --help"_s);
    PcapSource::LiveOptions live;
    live.interface = commandLine.value(interfaceOption).trimmed();
    live.ports = ports(commandLine.values(portOption));
    const ReceiveOptions options = receiveOptions(commandLine);
    // What the filter leaves out is neither printed, nor counted, nor written.
    MessagePipeline pipeline = MessagePipeline::fromCommandLine(commandLine, matchOption, &decodeOptions);
    const bool quiet = commandLine.isSet(quietOption);

    std::optional<CaptureWriter> writer;
    if (commandLine.isSet(writeOption)) {
        CaptureWriterOptions writerOptions;
        writerOptions.path = commandLine.value(writeOption);
        writerOptions.headerExtra = QJsonObject { { u"writer"_s, u"zmqscope-cli %1"_s.arg(libraryVersion()) },
            { u"interface"_s, live.interface } };
        writerOptions.deferCreate = true;
        checkWritable(writerOptions);
        writer.emplace(writerOptions);
    }

    auto opened = PcapSource::openLive(live);
    if (!opened)
        throw runtimeError(opened.error().message());
    PcapSource &source = **opened;
    const QString shownInterface = quoted(live.interface);
    if (!quiet)
        printStatus(u"sniffing ZeroMQ on %1 (%2, filter %3)"_s.arg(
            shownInterface, source.linkTypeName(), PcapSource::bpfFilter(live.ports)));

    quint64 messages = 0;
    bool countReached = false;
    QElapsedTimer sinceMessage;
    sinceMessage.start();
    PassiveDecoder::Handlers handlers;
    handlers.record = [&](const CaptureRecord &record) {
        if (!pipeline.accept(record))
            return;
        if (writer)
            writer->write(record);
        if (record.isEvent()) {
            if (options.format != OutputFormat::None)
                writeStdout(
                    options.format == OutputFormat::Jsonl ? captureEventLine(record) : formatEvent(record));
            return;
        }
        if (options.format != OutputFormat::None)
            writeStdout(pipeline.decorate(formatWireMessage(record, options.format)));
        ++messages;
        sinceMessage.restart();
        if (options.count && messages >= quint64(*options.count))
            countReached = true;
    };
    PassiveDecoder decoder(std::move(handlers));
    const auto summary = [&] {
        const PassiveDecoder::Stats stats = decoder.stats();
        QString text = u"sniffed %1 on %2: %3, %4, %5"_s.arg(countWord(messages, u"message"_s),
            shownInterface, countWord(stats.zmtpConnections, u"ZeroMQ connection"_s),
            countWord(stats.packets, u"packet"_s), countWord(stats.gaps, u"gap"_s));
        if (source.packetsDropped() > 0)
            text += u", %1 dropped by the kernel (the capture could not keep up)"_s.arg(
                countWord(source.packetsDropped(), u"packet"_s));
        return text;
    };
    const auto finishRun = [&] {
        decoder.finish();
        flushStdout();
        if (writer)
            writer->close();
    };

    // Output reaches a pipe at least every tenth of a second, and at once when the traffic pauses.
    QElapsedTimer sinceFlush;
    sinceFlush.start();
    const auto flushNow = [&] {
        flushStdout();
        if (writer)
            writer->flush();
        sinceFlush.restart();
    };
    RawPacket packet;
    for (;;) {
        if (const int signal = stopSignal()) {
            finishRun();
            printStatus(u"stopped by %1: %2"_s.arg(signalName(signal), summary()));
            return ExitSuccess;
        }
        if (countReached || stdoutClosed())
            break;
        if (options.timeout && sinceMessage.elapsed() > *options.timeout) {
            finishRun();
            throw runtimeError(u"no ZeroMQ message within %1 ms on %2 (%3)"_s.arg(
                QString::number(*options.timeout), shownInterface, summary()));
        }
        switch (source.next(packet)) {
        case PcapSource::Next::Packet:
            decoder.addPacket(packet);
            if (sinceFlush.elapsed() >= 100)
                flushNow();
            continue;
        case PcapSource::Next::Idle:
            flushNow(); // a pause in the traffic
            continue;
        case PcapSource::Next::End:
            break;
        case PcapSource::Next::Failed:
            finishRun();
            throw runtimeError(source.error().message());
        }
        break;
    }
    finishRun();
    if (!quiet)
        printStatus(summary());
    return ExitSuccess;
}

} // namespace zmqscope::cli
