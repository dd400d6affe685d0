// zmqscope-cli stats: what a capture says about the system it saw (issue 18, DESIGN.md section 12):
// request/reply pairs and their latency (--pairs), gaps in a sequence field (--gaps), and without
// either the traffic of each socket.
#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/analysis/requestpairing.h>
#include <zmqscope/analysis/sequencecheck.h>
#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/capturereader.h>
#include <zmqscope/capture/passivedecoder.h>
#include <zmqscope/capture/pcapsource.h>

#include "clicommon.h"
#include "commands.h"
#include "filteroption.h"
#include "messageformatter.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

/// One JSON value as compact text (strings escaped as JSON does).
QByteArray jsonText(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

/// A JSON line with its keys in the order given (QJsonObject would sort them).
class JsonLine
{
public:
    JsonLine &add(const char *key, const QJsonValue &value)
    {
        m_text += m_text.isEmpty() ? "{\"" : ", \"";
        m_text += key;
        m_text += "\": ";
        m_text += jsonText(value);
        return *this;
    }
    JsonLine &addObject(const char *key, const JsonLine &object)
    {
        m_text += m_text.isEmpty() ? "{\"" : ", \"";
        m_text += key;
        m_text += "\": ";
        m_text += object.text(false);
        return *this;
    }
    [[nodiscard]] QByteArray text(bool line = true) const
    {
        return (m_text.isEmpty() ? QByteArray("{") : m_text) + (line ? "}\n" : "}");
    }

private:
    QByteArray m_text;
};

QJsonValue optionalNumber(const std::optional<std::int64_t> &value)
{
    return value ? QJsonValue(qint64(*value)) : QJsonValue(QJsonValue::Null);
}

QString replies(std::uint64_t count)
{
    return count == 1 ? u"1 reply"_s : u"%1 replies"_s.arg(count);
}

QString optionalDuration(const std::optional<std::int64_t> &us)
{
    return us ? latencyText(*us) : u"-"_s;
}

/// Text from a file (an id, a socket name) shown in a pretty line: escaped, so it cannot reach the
/// terminal raw.
QString shownText(QByteArrayView bytes)
{
    return escapeForTerminal(bytes.toByteArray(), 256);
}

/// A socket of the capture, told apart by its name, as every line and output line names it (a tap's
/// lines change "type" with the direction: they name the sender's type).
///
/// The app's Statistics dock counts with core's TrafficStatistics instead; this stays apart on
/// purpose: that one reads a MessageStore by socket id in time buckets and keeps sizes in
/// histograms (percentiles within a bin, bounded memory for a view that runs for days), while the
/// CLI reads capture lines by socket name and prints exact nearest-rank sizes, which scripts compare.
struct StatsSocket
{
    QString name;
    QString endpoint;
    QString type; ///< of the first line
    QString clientType; ///< of the first c2s line (taps and packet captures)
    QString serverType; ///< of the first s2c line
    PairingRole ownRole = PairingRole::None; ///< for in/out lines: the role of the socket's type
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    std::uint64_t events = 0;
    std::int64_t firstUs = 0;
    std::int64_t lastUs = 0;
    std::vector<std::uint64_t> sizes;
    QHash<QByteArray, std::uint64_t> directions; ///< messages by "in", "out", "c2s", "s2c"
};

/// Everything stats works out, fed one capture record at a time in file order.
class Analysis
{
public:
    Analysis(bool pairs, std::optional<JsonPath> gapField, SequenceStreams by, MessageMatcher matcher)
        : m_pairs(pairs)
        , m_gapField(std::move(gapField))
        , m_checker(by)
        , m_matcher(std::move(matcher))
    { }

    void add(const CaptureRecord &record)
    {
        if (record.isEvent()) {
            socketFor(record).events++;
            return;
        }
        const std::uint64_t number = ++m_messages; // 1-based, in file order, events not counted
        if (!passes(m_matcher, record))
            return;
        ++m_analysed;
        const std::uint32_t key = socketKey(record);
        StatsSocket &socket = m_sockets[key - 1];
        const std::vector<QByteArrayView> frames(record.frames.cbegin(), record.frames.cend());
        std::uint64_t size = record.encrypted ? record.size : 0;
        for (const QByteArrayView frame : frames)
            size += std::uint64_t(frame.size());
        if (socket.messages == 0) {
            socket.firstUs = record.timestampUs;
            if (socket.type.isEmpty()) {
                socket.type = record.type;
                socket.endpoint = record.endpoint;
                socket.ownRole = roleOf(record.type);
            }
        }
        ++socket.messages;
        socket.bytes += size;
        socket.lastUs = record.timestampUs;
        socket.sizes.push_back(size);
        ++socket.directions[directionName(record.direction).toByteArray()];
        if (record.direction == Direction::ClientToServer && socket.clientType.isEmpty())
            socket.clientType = record.type;
        if (record.direction == Direction::ServerToClient && socket.serverType.isEmpty())
            socket.serverType = record.type;

        if (m_pairs) {
            PairingMessage message;
            message.number = number;
            message.timestampUs = record.timestampUs;
            message.socket = key;
            message.role
                = isConversation(record.direction) ? conversationRoleFor(record.type) : socket.ownRole;
            message.direction = record.direction;
            message.frames = frames;
            message.peer = record.peer;
            m_pairer.add(message);
        }
        if (m_gapField) {
            FilterSubject subject;
            subject.frames = frames;
            subject.direction = record.direction;
            subject.socket = record.socket;
            subject.type = record.type;
            if (const auto finding = m_checker.addMessage(number, key, subject, *m_gapField, m_decoders))
                m_findings.push_back(*finding);
        }
    }

    void printPairs(OutputFormat format) const
    {
        for (const RequestPair &pair : m_pairer.pairs()) {
            const StatsSocket &socket = m_sockets[pair.socket - 1];
            if (format == OutputFormat::Jsonl) {
                writeStdout(JsonLine()
                                .add("request", qint64(pair.request))
                                .add("reply", pair.answered ? QJsonValue(qint64(pair.reply)) : QJsonValue())
                                .add("latency_us",
                                    pair.answered ? QJsonValue(qint64(pair.latencyUs())) : QJsonValue())
                                .add("socket", socket.name)
                                .add("id", QString::fromUtf8(pair.id))
                                .text());
            } else {
                const QString reply = pair.answered
                    ? u"reply #%1 after %2"_s.arg(pair.reply).arg(latencyText(pair.latencyUs()))
                    : u"no reply"_s;
                writeStdout(u"request #%1  %2  socket %3  id %4\n"_s.arg(pair.request)
                                .arg(reply, quoted(socket.name), shownText(pair.id))
                                .toUtf8());
            }
        }
        const LatencySummary summary = m_pairer.summary();
        if (format == OutputFormat::Jsonl) {
            writeStdout(JsonLine()
                            .addObject("summary",
                                JsonLine()
                                    .add("requests", qint64(summary.requests))
                                    .add("answered", qint64(summary.answered))
                                    .add("unanswered", qint64(summary.unanswered))
                                    .add("p50_us", optionalNumber(summary.p50Us))
                                    .add("p99_us", optionalNumber(summary.p99Us))
                                    .add("max_us", optionalNumber(summary.maxUs)))
                            .text());
            if (m_pairer.unmatchedReplies() > 0)
                printStatus(u"%1 fit no request"_s.arg(replies(m_pairer.unmatchedReplies())));
            return;
        }
        writeStdout(u"%1, %2 answered, %3 unanswered; latency p50 %4, p90 %5, p99 %6, max %7%8\n"_s
                        .arg(countWord(summary.requests, u"request"_s))
                        .arg(summary.answered)
                        .arg(summary.unanswered)
                        .arg(optionalDuration(summary.p50Us), optionalDuration(summary.p90Us),
                            optionalDuration(summary.p99Us), optionalDuration(summary.maxUs),
                            m_pairer.unmatchedReplies() == 0
                                ? QString()
                                : u"; %1 that fit no request"_s.arg(replies(m_pairer.unmatchedReplies())))
                        .toUtf8());
    }

    void printGaps(OutputFormat format, const QString &field) const
    {
        const std::vector<SequenceStream> &streams = m_checker.streams();
        for (const SequenceFinding &finding : m_findings) {
            const SequenceStream &stream = streams[finding.stream];
            const StatsSocket &socket = m_sockets[stream.socket - 1];
            const QByteArrayView kind = sequenceFindingName(finding.kind);
            if (format == OutputFormat::Jsonl) {
                JsonLine line;
                line.add("kind", QString::fromLatin1(kind))
                    .add("socket", socket.name)
                    .add("id", QString::fromUtf8(stream.id))
                    .add("field", field)
                    .add("after", qint64(finding.after))
                    .add("got", qint64(finding.got));
                if (finding.kind == SequenceFinding::Kind::Gap)
                    line.add("missing", qint64(finding.missing));
                writeStdout(line.text());
            } else {
                const QString what = finding.kind == SequenceFinding::Kind::Gap
                    ? u"%1 missing"_s.arg(finding.missing)
                    : QString::fromLatin1(kind);
                writeStdout(
                    u"%1: socket %2 id %3: %4 %5 after %6 (message #%7)\n"_s
                        .arg(QString::fromLatin1(kind), quoted(socket.name), shownText(stream.id), field)
                        .arg(finding.got)
                        .arg(finding.after)
                        .arg(finding.number)
                        .replace(u"gap: "_s, u"gap (%1): "_s.arg(what))
                        .toUtf8());
            }
        }
        const SequenceSummary summary = m_checker.summary();
        if (format == OutputFormat::Jsonl) {
            writeStdout(JsonLine()
                            .addObject("summary",
                                JsonLine()
                                    .add("streams", qint64(summary.streams))
                                    .add("messages", qint64(summary.messages))
                                    .add("missing", qint64(summary.missing))
                                    .add("duplicates", qint64(summary.duplicates))
                                    .add("reordered", qint64(summary.reordered))
                                    .add("without_field", qint64(summary.withoutField)))
                            .text());
            return;
        }
        writeStdout(u"%1 in %2 with %3: %4 missing, %5 duplicated, %6 reordered; %7 without %3\n"_s
                        .arg(countWord(summary.messages, u"message"_s),
                            countWord(summary.streams, u"stream"_s), field)
                        .arg(summary.missing)
                        .arg(summary.duplicates)
                        .arg(summary.reordered)
                        .arg(summary.withoutField)
                        .toUtf8());
    }

    /// The socket's type, or for a conversation "CLIENT > SERVER" as far as its lines named them.
    static QString typeOf(const StatsSocket &socket)
    {
        if (socket.clientType.isEmpty() && socket.serverType.isEmpty())
            return socket.type;
        // A SUB's own type comes only with its connection event, before any c2s line.
        const QString client = !socket.clientType.isEmpty() ? socket.clientType
            : socket.type != socket.serverType              ? socket.type
                                                            : QString();
        return (client.isEmpty() ? u"?"_s : client) + u" > "_s
            + (socket.serverType.isEmpty() ? u"?"_s : socket.serverType);
    }

    void printTraffic(OutputFormat format)
    {
        std::uint64_t messages = 0;
        std::uint64_t bytes = 0;
        for (StatsSocket &socket : m_sockets) {
            messages += socket.messages;
            bytes += socket.bytes;
            std::sort(socket.sizes.begin(), socket.sizes.end());
            const auto sizeAt = [&](double percent) -> QJsonValue {
                if (socket.sizes.empty())
                    return QJsonValue();
                const std::vector<std::int64_t> sizes(socket.sizes.cbegin(), socket.sizes.cend());
                return qint64(*nearestRank(sizes, percent));
            };
            const double seconds = double(socket.lastUs - socket.firstUs) / 1e6;
            const QJsonValue rate
                = seconds > 0 ? QJsonValue(double(socket.messages) / seconds) : QJsonValue();
            const QJsonValue byteRate
                = seconds > 0 ? QJsonValue(double(socket.bytes) / seconds) : QJsonValue();
            if (format == OutputFormat::Jsonl) {
                JsonLine directions;
                for (const char *name : { "in", "out", "c2s", "s2c" }) {
                    if (const std::uint64_t count = socket.directions.value(name))
                        directions.add(name, qint64(count));
                }
                writeStdout(JsonLine()
                                .add("socket", socket.name)
                                .add("type", typeOf(socket))
                                .add("endpoint", socket.endpoint)
                                .add("messages", qint64(socket.messages))
                                .add("bytes", qint64(socket.bytes))
                                .add("events", qint64(socket.events))
                                .addObject("directions", directions)
                                .add("first_ts",
                                    socket.messages ? QJsonValue(formatCaptureTimestamp(socket.firstUs))
                                                    : QJsonValue())
                                .add("last_ts",
                                    socket.messages ? QJsonValue(formatCaptureTimestamp(socket.lastUs))
                                                    : QJsonValue())
                                .add("messages_per_s", rate)
                                .add("bytes_per_s", byteRate)
                                .add("size_min", sizeAt(0))
                                .add("size_p50", sizeAt(50))
                                .add("size_p99", sizeAt(99))
                                .add("size_max", sizeAt(100))
                                .text());
            } else {
                writeStdout(
                    u"%1 (%2): %3, %4 bytes%5; size p50 %6, max %7\n"_s
                        .arg(quoted(socket.name),
                            typeOf(socket).isEmpty() ? u"type unknown"_s
                                                     : shownText(typeOf(socket).toUtf8()).chopped(1).mid(1),
                            countWord(socket.messages, u"message"_s))
                        .arg(socket.bytes)
                        .arg(seconds > 0
                                ? u" in %1 (%2 msg/s)"_s.arg(latencyText(socket.lastUs - socket.firstUs))
                                      .arg(rate.toDouble(), 0, 'f', 1)
                                : QString())
                        .arg(sizeAt(50).toInteger())
                        .arg(sizeAt(100).toInteger())
                        .toUtf8());
            }
        }
        if (format == OutputFormat::Jsonl) {
            writeStdout(JsonLine()
                            .addObject("summary",
                                JsonLine()
                                    .add("sockets", qint64(m_sockets.size()))
                                    .add("messages", qint64(messages))
                                    .add("bytes", qint64(bytes)))
                            .text());
        } else {
            writeStdout(u"%1 on %2, %3 bytes\n"_s
                            .arg(countWord(messages, u"message"_s), countWord(m_sockets.size(), u"socket"_s))
                            .arg(bytes)
                            .toUtf8());
        }
    }

    [[nodiscard]] std::uint64_t messages() const { return m_messages; }
    [[nodiscard]] std::uint64_t analysed() const { return m_analysed; }

private:
    std::uint32_t socketKey(const CaptureRecord &record)
    {
        const QString &key = record.socket;
        if (const auto found = m_socketKeys.constFind(key); found != m_socketKeys.cend())
            return *found;
        StatsSocket &socket = m_sockets.emplace_back();
        socket.name = record.socket;
        socket.endpoint = record.endpoint;
        socket.type = record.type; // empty when an event came first: the first message's then
        socket.ownRole = roleOf(record.type);
        const auto key32 = std::uint32_t(m_sockets.size());
        m_socketKeys.insert(key, key32);
        return key32;
    }
    static PairingRole roleOf(const QString &type)
    {
        return socketTypeNames().contains(type, Qt::CaseInsensitive)
            ? pairingRoleFor(socketTypeFromName(type))
            : PairingRole::None;
    }
    StatsSocket &socketFor(const CaptureRecord &record) { return m_sockets[socketKey(record) - 1]; }

    bool m_pairs;
    std::optional<JsonPath> m_gapField;
    RequestPairer m_pairer;
    SequenceChecker m_checker;
    std::vector<SequenceFinding> m_findings;
    MessageMatcher m_matcher;
    DecoderSet m_decoders; ///< no rules: JSON, CBOR and MessagePack bodies by their mimetype
    std::vector<StatsSocket> m_sockets; ///< key - 1
    QHash<QString, std::uint32_t> m_socketKeys;
    std::uint64_t m_messages = 0;
    std::uint64_t m_analysed = 0;
};

} // namespace

int runStats(const QStringList &arguments)
{
    CommandLine commandLine(u"stats"_s,
        u"What a capture says about the system it saw: request/reply pairs and their latency "
        u"(--pairs), gaps, duplicates and reordering in a sequence field (--gaps), and without "
        u"either the traffic of each socket."_s);
    commandLine.addPositional(u"FILE"_s,
        u"The capture file: a ZmqScope capture (.zmqcap) or a pcap/pcapng packet capture, told apart "
        u"by content."_s);
    commandLine.addFormatOption();
    const QCommandLineOption pairsOption(u"pairs"_s,
        u"Pair requests with replies (REQ/REP in turn, DEALER by envelope id else in order, ROUTER by "
        u"routing frames, taps and packet captures per client connection) and print one line per "
        u"request with its reply and latency, then a summary."_s);
    const QCommandLineOption gapsOption(u"gaps"_s,
        u"Check the sequence number at FIELD (a JSON path of the body: seq, meta.seq, items[0].n) and "
        u"print each gap, duplicate and reordered message, then a summary."_s,
        u"FIELD"_s);
    const QCommandLineOption byOption(u"by"_s,
        u"With --gaps: a stream is a socket and an envelope id (id, the default) or a socket (socket)."_s,
        u"socket|id"_s);
    const QCommandLineOption matchOption = filterOption();
    commandLine.addOption(pairsOption);
    commandLine.addOption(gapsOption);
    commandLine.addOption(byOption);
    commandLine.addOption(matchOption);
    if (!commandLine.parse(arguments,
            u"Messages are numbered 1, 2, ... in file order (event lines are not counted); --filter\n"
            u"leaves messages out of the analysis without changing their numbers. JSON lines of\n"
            u"--pairs: {\"request\": N, \"reply\": M or null, \"latency_us\": L or null, \"socket\",\n"
            u"\"id\"} then {\"summary\": {\"requests\", \"answered\", \"unanswered\", \"p50_us\", "
            u"\"p99_us\",\n"
            u"\"max_us\"}} (nearest-rank percentiles). --gaps: {\"kind\": \"gap\"|\"duplicate\"|\n"
            u"\"reordered\", \"socket\", \"id\", \"field\", \"after\", \"got\", \"missing\" (gaps only)}\n"
            u"then {\"summary\": {\"streams\", \"messages\", \"missing\", \"duplicates\", \"reordered\",\n"
            u"\"without_field\"}}. A number above the highest seen + 1 is a gap; one at or below it\n"
            u"is reordered when it fills an earlier gap (it is then no longer missing), else a\n"
            u"duplicate. Bodies are read as JSON, or decoded by their mimetype (CBOR, MessagePack).\n"
            u"\n"
            u"Examples:\n"
            u"  zmqscope-cli stats traffic.zmqcap\n"
            u"  zmqscope-cli stats tap.zmqcap --pairs --format jsonl\n"
            u"  zmqscope-cli stats telemetry.zmqcap --gaps seq --by socket\n"
            u"  zmqscope-cli stats tcpdump.pcap --pairs --filter 'socket contains \":5555\"'\n"_s))
        return ExitSuccess;

    const QString path = commandLine.positionalArguments().constFirst();
    const OutputFormat format = commandLine.format();
    std::optional<JsonPath> gapField;
    if (commandLine.isSet(gapsOption)) {
        Result<JsonPath> parsed = JsonPath::parseField(commandLine.value(gapsOption));
        if (!parsed)
            throw usageError(u"bad --gaps: %1"_s.arg(parsed.errorMessage()));
        gapField = std::move(*parsed);
    }
    SequenceStreams by = SequenceStreams::BySocketAndId;
    if (commandLine.isSet(byOption)) {
        const QString value = commandLine.value(byOption);
        if (value == u"socket"_s)
            by = SequenceStreams::BySocket;
        else if (value != u"id"_s)
            throw usageError(u"bad --by %1; use socket or id"_s.arg(quoted(value)));
        if (!gapField)
            throw usageError(u"--by needs --gaps FIELD"_s);
    }
    const bool pairs = commandLine.isSet(pairsOption);
    Analysis analysis(pairs, gapField, by, filterFrom(commandLine, matchOption));

    if (path.isEmpty())
        throw usageError(u"empty FILE name; give the capture file to analyse"_s);
    const QString shownPath = quoted(QDir::toNativeSeparators(path));
    QByteArray head;
    {
        QFile file(path);
        if (QFileInfo(path).isFile() && file.open(QIODevice::ReadOnly))
            head = file.read(8);
    }
    int stoppedBy = 0;
    if (PcapSource::looksLikePcap(head)) {
        PassiveDecoder::Handlers handlers;
        handlers.record = [&](const CaptureRecord &record) { analysis.add(record); };
        const auto decoded = decodeCaptureFile(path, std::move(handlers), [&] {
            stoppedBy = stopSignal();
            return stoppedBy != 0;
        });
        if (!decoded && stoppedBy == 0)
            throw runtimeError(u"%1: %2"_s.arg(shownPath, decoded.error().message()));
    } else {
        CaptureReader reader(path); // throws Error naming the path: cannot open, not a capture, ...
        CaptureRecord record;
        qsizetype issuesShown = 0;
        for (;;) {
            if ((stoppedBy = stopSignal()) != 0)
                break;
            const bool more = reader.next(record);
            for (; issuesShown < reader.issues().size(); ++issuesShown)
                printError(u"warning: %1: %2"_s.arg(shownPath, reader.issues().at(issuesShown).message));
            if (!more)
                break;
            analysis.add(record);
        }
        if (analysis.messages() == 0 && !reader.issues().isEmpty())
            throw runtimeError(u"%1: no readable message (%2 malformed)"_s.arg(shownPath).arg(
                reader.issues().size() == 1 ? u"1 line"_s : u"%1 lines"_s.arg(reader.issues().size())));
    }
    if (stoppedBy != 0) {
        printStatus(u"stopped by %1 after %2 of %3; nothing printed"_s.arg(
            signalName(stoppedBy), countWord(analysis.messages(), u"message"_s), shownPath));
        return ExitSuccess;
    }
    if (pairs)
        analysis.printPairs(format);
    if (gapField)
        analysis.printGaps(format, commandLine.value(gapsOption));
    if (!pairs && !gapField)
        analysis.printTraffic(format);
    flushStdout();
    return ExitSuccess;
}

} // namespace zmqscope::cli
