#include "decodeoption.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <zmqscope/textescape.h>

#include "filteroption.h"
#include "messageformatter.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

QByteArray compactJson(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

/// JSON text for a terminal: not quoted (its own quotes read as JSON), but control and invisible
/// characters escaped as in every payload, and cut at the preview size.
QString terminalJson(const QByteArray &json)
{
    textescape::EscapeOptions options;
    options.maxBytes = MessageFormatter::PreviewBytes;
    options.cutMarker = u"..."_s;
    return textescape::escape(json, options);
}

} // namespace

DecodeOptions::DecodeOptions()
    : decode(u"decode"_s,
        u"Decode bodies by RULE, [MATCH:]FORMAT[:ARGS] (repeatable; the first rule that fits decides): "
        u"MATCH id=GLOB, socket=NAME, mimetype=TYPE or frame=N (that frame instead of the body); "
        u"FORMAT json, cbor, msgpack, or protobuf:DESCRIPTOR_SET:package.Message (a set made by protoc "
        u"--descriptor_set_out --include_imports). Without a fitting rule, application/json, "
        u"application/cbor and application/msgpack bodies decode by their mimetype. jsonl lines get "
        u"\"decoded\"; --filter's json. fields read the decoded value."_s,
        u"RULE"_s)
    , decoders(u"decoders"_s,
          u"Decode rules from FILE, one per line ('#' comments), taken before any --decode; relative "
          u"descriptor set paths are relative to FILE's folder."_s,
          u"FILE"_s)
{ }

void DecodeOptions::addTo(CommandLine &commandLine) const
{
    commandLine.addOption(decode, true);
    commandLine.addOption(decoders);
}

MessagePipeline::MessagePipeline(
    MessageMatcher matcher, std::optional<DecoderSet> decoders, OutputFormat format)
    : m_matcher(std::move(matcher))
    , m_decoders(std::move(decoders))
    , m_format(format)
{ }

MessagePipeline MessagePipeline::fromCommandLine(
    const CommandLine &commandLine, const QCommandLineOption &filter, const DecodeOptions *decode)
{
    MessageMatcher matcher = filterFrom(commandLine, filter);
    std::optional<DecoderSet> decoders;
    if (decode && (commandLine.isSet(decode->decode) || commandLine.isSet(decode->decoders))) {
        const bool fromFile = commandLine.isSet(decode->decoders);
        const bool fromOptions = commandLine.isSet(decode->decode);
        const QString which = fromFile && fromOptions ? u"decode rules"_s
            : fromFile                                ? u"--decoders"_s
                                                      : u"--decode"_s;
        QList<DecodeRule> rules;
        if (fromFile) {
            const QString fileName = commandLine.value(decode->decoders);
            Result<QList<DecodeRule>> read = DecoderSet::readRules(fileName);
            if (!read)
                throw usageError(u"bad --decoders: %1"_s.arg(read.errorMessage()));
            // A rules file names its descriptor sets relative to itself, --decode relative to here.
            const QString folder = QFileInfo(fileName).absolutePath();
            for (DecodeRule &rule : *read) {
                if (rule.format == PayloadFormat::Protobuf)
                    rule.descriptorSet = rule.descriptorSetPath(folder);
            }
            rules = *read;
        }
        for (const QString &text : commandLine.values(decode->decode)) {
            Result<DecodeRule> rule = DecodeRule::parse(text);
            if (!rule)
                throw usageError(u"bad --decode: %1"_s.arg(rule.errorMessage()));
            rules.append(*rule);
        }
        Result<DecoderSet> set = DecoderSet::create(rules);
        if (!set)
            throw usageError(u"bad %1: %2"_s.arg(which, set.errorMessage()));
        decoders = std::move(*set);
    }
    return { std::move(matcher), std::move(decoders), commandLine.format() };
}

bool MessagePipeline::accept(const FilterSubject &message)
{
    m_decoded.reset();
    if (m_decoders)
        m_decoded = m_decoders->decode(message);
    if (m_matcher.isEmpty())
        return true;
    if (m_decoded && m_decoded->value) {
        FilterSubject withDecoded = message;
        withDecoded.decoded = &*m_decoded->value;
        return m_matcher.matches(withDecoded);
    }
    return m_matcher.matches(message);
}

bool MessagePipeline::accept(const CaptureRecord &record)
{
    if (!isActive())
        return true;
    if (record.isEvent() || record.encrypted) {
        m_decoded.reset();
        return passes(m_matcher, record);
    }
    const FilterSubjectHolder holder(record);
    return accept(holder.subject());
}

bool MessagePipeline::accept(
    const Frames &frames, Direction direction, QByteArrayView peer, QStringView socket, QStringView type)
{
    if (!isActive())
        return true;
    const FilterSubjectHolder holder(frames, direction, peer, socket, type);
    return accept(holder.subject());
}

QByteArrayView MessagePipeline::decorate(QByteArrayView printed)
{
    if (!m_decoded)
        return printed;
    m_buffer.resize(0);
    if (m_format == OutputFormat::Jsonl) {
        // Before the line's closing brace: ,"decoded":VALUE or ,"decode_error":"why".
        const qsizetype brace = printed.lastIndexOf('}');
        if (brace < 0)
            return printed;
        m_buffer.append(printed.first(brace));
        if (m_decoded->value) {
            m_buffer += ",\"decoded\":";
            m_buffer += compactJson(*m_decoded->value);
        } else {
            m_buffer += ",\"decode_error\":";
            m_buffer += compactJson(QJsonValue(m_decoded->value.errorMessage()));
        }
        m_buffer.append(printed.sliced(brace));
        return m_buffer;
    }
    // Pretty: a line before the block's closing blank line, escaped like every payload.
    const QByteArray line = m_decoded->value
        ? u"  decoded:  %1 %2\n"_s.arg(m_decoded->title(), terminalJson(compactJson(*m_decoded->value)))
              .toUtf8()
        : u"  decoded:  %1 failed: %2\n"_s.arg(m_decoded->title(), m_decoded->value.errorMessage()).toUtf8();
    const qsizetype end = printed.endsWith("\n\n") ? printed.size() - 1 : printed.size();
    m_buffer.append(printed.first(end));
    m_buffer += line;
    m_buffer.append(printed.sliced(end));
    return m_buffer;
}

} // namespace zmqscope::cli
