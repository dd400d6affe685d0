// Decode rules (DESIGN.md section 12): parsing `[MATCH:]FORMAT[:ARGS]`, rules files, and choosing a
// message's format and frame.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/analysis/messageparts.h>
#include <zmqscope/envelope.h>
#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

Error ruleError(QStringView text, const QString &reason)
{
    return Error(ErrorCode::InvalidOptionValue, u"decode rule \"%1\": %2"_s.arg(text, reason));
}

const QString KnownFormats = u"json, cbor, msgpack, protobuf:FILE:package.Message"_s;

/// A glob (* any run, ? one character) as an anchored regular expression.
QRegularExpression globExpression(const QString &glob)
{
    QString pattern;
    for (const QChar c : glob) {
        if (c == u'*')
            pattern += u".*"_s;
        else if (c == u'?')
            pattern += u'.';
        else
            pattern += QRegularExpression::escape(QString(c));
    }
    return QRegularExpression(
        QRegularExpression::anchoredPattern(pattern), QRegularExpression::DotMatchesEverythingOption);
}

bool sameMimetype(QByteArrayView actual, const QString &wanted)
{
    const qsizetype semicolon = actual.indexOf(';');
    const QByteArrayView type = (semicolon < 0 ? actual : actual.first(semicolon)).trimmed();
    return QString::fromUtf8(type).compare(wanted, Qt::CaseInsensitive) == 0;
}

} // namespace

Result<DecodeRule> DecodeRule::parse(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return ruleError(text, u"empty; expected [MATCH:]FORMAT[:ARGS], FORMAT one of "_s + KnownFormats);
    DecodeRule rule;
    QStringView rest = trimmed;
    static const QStringList matchNames { u"id="_s, u"socket="_s, u"mimetype="_s, u"frame="_s };
    const auto isMatch = std::find_if(
        matchNames.begin(), matchNames.end(), [&](const QString &name) { return rest.startsWith(name); });
    const qsizetype equals = rest.indexOf(u'=');
    const qsizetype colon = rest.indexOf(u':');
    if (isMatch != matchNames.end()) {
        // The MATCH value runs up to the first ":FORMAT" that ends there or goes on with ':'.
        qsizetype formatAt = -1;
        for (qsizetype at = rest.indexOf(u':'); at >= 0; at = rest.indexOf(u':', at + 1)) {
            const QStringView after = rest.sliced(at + 1);
            const qsizetype end = after.indexOf(u':');
            if (payloadFormatFromName(end < 0 ? after : after.first(end))) {
                formatAt = at;
                break;
            }
        }
        if (formatAt < 0)
            return ruleError(text,
                u"no format after \"%1\"; expected %1:FORMAT with FORMAT one of %2"_s.arg(
                    rest.toString(), KnownFormats));
        const QString name = isMatch->chopped(1);
        const QString value = rest.sliced(isMatch->size(), formatAt - isMatch->size()).toString();
        if (value.isEmpty())
            return ruleError(text, u"%1= needs a value"_s.arg(name));
        if (name == u"id"_s) {
            rule.match = Match::Id;
        } else if (name == u"socket"_s) {
            rule.match = Match::Socket;
        } else if (name == u"mimetype"_s) {
            rule.match = Match::Mimetype;
        } else {
            rule.match = Match::Frame;
            bool ok = false;
            rule.frame = value.toInt(&ok);
            if (!ok)
                return ruleError(
                    text, u"frame=%1: expected a frame index (0 is the first, -1 the last)"_s.arg(value));
        }
        rule.value = value;
        rest = rest.sliced(formatAt + 1);
    } else if (equals >= 0 && (colon < 0 || equals < colon)) {
        return ruleError(text,
            u"unknown match \"%1\"; expected id=GLOB, socket=NAME, mimetype=TYPE or frame=N"_s.arg(
                rest.first(equals + 1)));
    }

    const qsizetype formatEnd = rest.indexOf(u':');
    const QStringView formatName = formatEnd < 0 ? rest : rest.first(formatEnd);
    const std::optional<PayloadFormat> format = payloadFormatFromName(formatName);
    if (!format)
        return ruleError(text, u"unknown format \"%1\"; expected %2"_s.arg(formatName, KnownFormats));
    rule.format = *format;
    const QStringView args = formatEnd < 0 ? QStringView() : rest.sliced(formatEnd + 1);
    if (rule.format != PayloadFormat::Protobuf) {
        if (formatEnd >= 0)
            return ruleError(text, u"%1 takes no arguments (\"%2\" after it)"_s.arg(formatName, args));
        return rule;
    }
    // protobuf:FILE:package.Message; the file name may hold ':', the type never does.
    const qsizetype typeAt = args.lastIndexOf(u':');
    if (typeAt <= 0 || typeAt == args.size() - 1)
        return ruleError(text,
            u"protobuf needs a descriptor set and a message type: protobuf:FILE:package.Message "
            "(make FILE with protoc --descriptor_set_out=FILE --include_imports)"_s);
    rule.descriptorSet = args.first(typeAt).toString();
    rule.messageType = args.sliced(typeAt + 1).toString();
    return rule;
}

QString DecodeRule::toString() const
{
    QString text;
    switch (match) {
    case Match::Any:
        break;
    case Match::Id:
        text = u"id="_s + value + u':';
        break;
    case Match::Socket:
        text = u"socket="_s + value + u':';
        break;
    case Match::Mimetype:
        text = u"mimetype="_s + value + u':';
        break;
    case Match::Frame:
        text = u"frame="_s + QString::number(frame) + u':';
        break;
    }
    text += payloadFormatName(format);
    if (format == PayloadFormat::Protobuf)
        text += u':' + descriptorSet + u':' + messageType;
    return text;
}

QString DecodeRule::descriptorSetPath(const QString &baseDirectory) const
{
    const QDir base(baseDirectory.isEmpty() ? QDir::currentPath() : baseDirectory);
    return QDir::cleanPath(base.absoluteFilePath(descriptorSet));
}

QString DecodedPayload::title() const
{
    return typeName.isEmpty() ? payloadFormatTitle(format) : payloadFormatTitle(format) + u' ' + typeName;
}

Result<DecoderSet> DecoderSet::create(const QList<DecodeRule> &rules, const QString &baseDirectory)
{
    DecoderSet set;
    QHash<QString, std::shared_ptr<const ProtobufSchema>> schemas;
    for (const DecodeRule &rule : rules) {
        std::optional<ProtobufType> type;
        if (rule.format == PayloadFormat::Protobuf) {
            const QString path = rule.descriptorSetPath(baseDirectory);
            if (!schemas.contains(path)) {
                Result<std::shared_ptr<const ProtobufSchema>> schema = ProtobufSchema::load(path);
                if (!schema)
                    return Error(schema.error().code(),
                        u"decode rule \"%1\": %2"_s.arg(rule.toString(), schema.errorMessage()));
                schemas.insert(path, *schema);
            }
            Result<ProtobufType> found = schemas.value(path)->messageType(rule.messageType);
            if (!found)
                return Error(found.error().code(),
                    u"decode rule \"%1\": %2"_s.arg(rule.toString(), found.errorMessage()));
            type = *found;
        }
        set.m_rules.append(rule);
        set.m_types.append(type);
        set.m_globs.append(
            rule.match == DecodeRule::Match::Id ? globExpression(rule.value) : QRegularExpression());
    }
    return set;
}

Result<QList<DecodeRule>> DecoderSet::readRules(const QString &fileName)
{
    const QString shown = QDir::toNativeSeparators(fileName);
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return Error(ErrorCode::FileError, u"%1: %2"_s.arg(shown, file.errorString()));
    QList<DecodeRule> rules;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        Result<DecodeRule> rule = DecodeRule::parse(line);
        if (!rule)
            return Error(ErrorCode::InvalidOptionValue,
                u"%1:%2: %3"_s.arg(shown).arg(lineNumber).arg(rule.errorMessage()));
        rules.append(*rule);
    }
    if (file.error() != QFileDevice::NoError)
        return Error(ErrorCode::FileError, u"%1: %2"_s.arg(shown, file.errorString()));
    return rules;
}

Result<DecoderSet> DecoderSet::fromFile(const QString &fileName)
{
    Result<QList<DecodeRule>> rules = readRules(fileName);
    if (!rules)
        return std::move(rules).error();
    Result<DecoderSet> set = create(*rules, QFileInfo(fileName).absolutePath());
    if (!set)
        return Error(
            set.error().code(), u"%1: %2"_s.arg(QDir::toNativeSeparators(fileName), set.errorMessage()));
    return set;
}

std::optional<DecodedPayload> DecoderSet::choose(const FilterSubject &message) const
{
    const auto count = qsizetype(message.frames.size());
    if (count == 0)
        return std::nullopt;
    const EnvelopeLayout layout
        = envelopeLayout(count, [&](qsizetype i) { return message.frames[std::size_t(i)].size(); });
    const bool envelope = layout.kind != MessageKind::Raw;
    // The body: an envelope's, or a raw message's last frame (as the filter's `body` field).
    const qsizetype body = EnvelopeLayout::bodyIndex(count);
    const auto part = [&](qsizetype index) { return message.frames[std::size_t(index)]; };

    for (qsizetype i = 0; i < m_rules.size(); ++i) {
        const DecodeRule &rule = m_rules.at(i);
        qsizetype frame = body;
        switch (rule.match) {
        case DecodeRule::Match::Any:
            break;
        case DecodeRule::Match::Id:
            if (!envelope
                || !m_globs.at(i).match(textescape::escape(part(EnvelopeLayout::idIndex(count)))).hasMatch())
                continue;
            break;
        case DecodeRule::Match::Socket:
            if (message.socket != rule.value)
                continue;
            break;
        case DecodeRule::Match::Mimetype:
            if (!envelope || !sameMimetype(part(EnvelopeLayout::mimetypeIndex(count)), rule.value))
                continue;
            break;
        case DecodeRule::Match::Frame:
            frame = rule.frame < 0 ? count + rule.frame : rule.frame;
            if (frame < 0 || frame >= count)
                continue;
            break;
        }
        DecodedPayload chosen;
        chosen.format = rule.format;
        chosen.frame = int(frame);
        chosen.ruleIndex = int(i);
        if (const std::optional<ProtobufType> &type = m_types.at(i))
            chosen.typeName = type->name();
        return chosen;
    }
    if (!envelope)
        return std::nullopt;
    const std::optional<PayloadFormat> format
        = payloadFormatForMimetype(part(EnvelopeLayout::mimetypeIndex(count)));
    if (!format)
        return std::nullopt;
    DecodedPayload chosen;
    chosen.format = *format;
    chosen.frame = int(body);
    return chosen;
}

std::optional<DecodedPayload> DecoderSet::decode(const FilterSubject &message) const
{
    std::optional<DecodedPayload> chosen = choose(message);
    if (!chosen)
        return std::nullopt;
    const ProtobufType *type = nullptr;
    if (chosen->ruleIndex >= 0 && m_types.at(chosen->ruleIndex))
        type = &*m_types.at(chosen->ruleIndex);
    chosen->value = decodePayload(chosen->format, message.frames[std::size_t(chosen->frame)], type);
    return chosen;
}

QJsonValue DecoderSet::json(const FilterSubject &message) const
{
    if (const std::optional<DecodedPayload> decoded = decode(message))
        return decoded->value ? *decoded->value : QJsonValue(QJsonValue::Undefined);
    return parseJsonText(messageBodyOf(message.frames));
}

} // namespace zmqscope
