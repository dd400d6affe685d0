#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <random>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QStandardPaths>
#include <QStringDecoder>
#include <QUuid>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/fileio.h>
#include <zmqscope/envelope.h>
#include <zmqscope/names.h>
#include <zmqscope/replay/templates.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// A library file larger than this is not something a person keeps in version control; refusing it
// keeps a wrong path (a capture, a disk image) from eating memory.
constexpr qint64 MaxLibraryBytes = qint64 { 256 } * 1024 * 1024;

const QString NameKey = u"name"_s;
const QString DescriptionKey = u"description"_s;
const QString SocketTypeKey = u"socket_type"_s;
const QString KindKey = u"kind"_s;
const QString FramesKey = u"frames"_s;
const QString TextKey = u"text"_s;
const QString Base64Key = u"base64"_s;
const QString VersionKey = u"zmqscope_library"_s;
const QString TemplatesKey = u"templates"_s;

// Strict UTF-8, as text that round-trips through QJsonDocument byte for byte; else nullopt (then
// the bytes are stored as base64). Qt 6.4's JSON parser drops a U+FEFF at the start of a string,
// so text holding a BOM is stored as base64 too.
std::optional<QString> decodeUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(
        QStringDecoder::Utf8, QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    QString text = decoder.decode(bytes);
    if (decoder.hasError() || text.contains(QChar(0xfeff)))
        return std::nullopt;
    return text;
}

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QString templateLabel(const QString &name)
{
    return name.isEmpty() ? u"template"_s : u"template \"%1\""_s.arg(name);
}

[[noreturn]] void badField(const QString &name, const QString &field, const QString &why)
{
    throw Error(ErrorCode::InvalidBody, u"%1: field \"%2\" %3"_s.arg(templateLabel(name), field, why));
}

QByteArray decodeBase64(const QString &name, const QString &field, const QString &text)
{
    const auto result
        = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!result || text.contains(u' '))
        badField(name, field, u"is not valid base64"_s);
    return result.decoded;
}

// One byte field of an envelope: "<key>" as text or "<key>_base64"; missing = empty.
QByteArray readBytes(const QJsonObject &json, const QString &name, const QString &key)
{
    const QString base64Key = key + u"_base64"_s;
    const bool hasText = json.contains(key);
    const bool hasBase64 = json.contains(base64Key);
    if (hasText && hasBase64)
        badField(name, key, u"is given twice (as \"%1\" and \"%2\")"_s.arg(key, base64Key));
    if (hasText) {
        if (!json.value(key).isString())
            badField(name, key, u"is not a string"_s);
        return json.value(key).toString().toUtf8();
    }
    if (hasBase64) {
        if (!json.value(base64Key).isString())
            badField(name, base64Key, u"is not a string"_s);
        return decodeBase64(name, base64Key, json.value(base64Key).toString());
    }
    return {};
}

void writeBytes(QJsonObject &json, const QString &key, const QByteArray &bytes)
{
    if (const auto text = decodeUtf8(bytes))
        json.insert(key, *text);
    else
        json.insert(key + u"_base64"_s, base64(bytes));
}

QString shortText(QByteArrayView text)
{
    constexpr qsizetype Limit = 60;
    QString shown = QString::fromUtf8(text.first(std::min(text.size(), Limit)));
    if (text.size() > Limit)
        shown += u"..."_s;
    return shown;
}

// The variable at `start` (which points at "{{"): its full text, the position after it, and its name.
struct Variable
{
    QByteArrayView name;
    qsizetype end = 0;
};

Variable findVariable(QByteArrayView text, qsizetype start)
{
    const qsizetype close = text.sliced(start + 2).indexOf("}}");
    if (close < 0)
        throw Error(ErrorCode::InvalidBody,
            u"unclosed template variable \"%1\" (a \"{{\" without \"}}\"; write \"{{{{\" for a literal "
            u"\"{{\")"_s.arg(shortText(text.sliced(start))));
    return Variable { text.sliced(start + 2, close), start + 2 + close + 2 };
}

// {{random:N}}'s N, or an error naming the variable.
quint64 randomBound(QByteArrayView name)
{
    const QByteArrayView digits = name.sliced(7);
    bool ok = false;
    quint64 bound = 0;
    if (!digits.isEmpty()
        && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        bound = QByteArray(digits.data(), digits.size()).toULongLong(&ok);
    if (!ok || bound == 0)
        throw Error(ErrorCode::InvalidBody,
            u"malformed template variable \"{{%1}}\": N in {{random:N}} must be a whole number from 1 to %2"_s
                .arg(shortText(name))
                .arg(std::numeric_limits<quint64>::max()));
    return bound;
}

enum class VariableKind
{
    Seq,
    Now,
    Uuid,
    Random
};

VariableKind classify(QByteArrayView name)
{
    if (name == "seq")
        return VariableKind::Seq;
    if (name == "now")
        return VariableKind::Now;
    if (name == "uuid")
        return VariableKind::Uuid;
    if (name.startsWith("random:")) {
        (void)randomBound(name);
        return VariableKind::Random;
    }
    if (name == "random")
        throw Error(ErrorCode::InvalidBody,
            u"malformed template variable \"{{random}}\": write {{random:N}} for a number from 0 to N-1"_s);
    throw Error(ErrorCode::InvalidBody,
        u"unknown template variable \"{{%1}}\" (known: {{seq}}, {{now}}, {{uuid}}, {{random:N}})"_s.arg(
            shortText(name)));
}

std::int64_t nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

// ---------------------------------------------------------------- MessageTemplate

QJsonObject MessageTemplate::toJson() const
{
    QJsonObject json;
    json.insert(NameKey, name);
    if (!description.isEmpty())
        json.insert(DescriptionKey, description);
    if (!socketType.isEmpty())
        json.insert(SocketTypeKey, socketType);
    if (kind == Kind::Envelope) {
        json.insert(KindKey, u"envelope"_s);
        writeBytes(json, u"id"_s, id);
        writeBytes(json, u"mimetype"_s, mimetype);
        writeBytes(json, u"body"_s, body);
    } else {
        json.insert(KindKey, u"raw"_s);
        QJsonArray array;
        for (const QByteArray &frame : frames) {
            if (const auto text = decodeUtf8(frame))
                array.append(QJsonObject { { TextKey, *text } });
            else
                array.append(QJsonObject { { Base64Key, base64(frame) } });
        }
        json.insert(FramesKey, array);
    }
    return json;
}

MessageTemplate MessageTemplate::fromJson(const QJsonObject &json)
{
    MessageTemplate t;
    const QJsonValue nameValue = json.value(NameKey);
    if (!nameValue.isString())
        badField({}, NameKey, nameValue.isUndefined() ? u"is missing"_s : u"is not a string"_s);
    t.name = nameValue.toString();
    if (t.name.trimmed().isEmpty())
        badField({}, NameKey, u"is empty"_s);

    const QJsonValue kindValue = json.value(KindKey);
    if (kindValue.isUndefined() || kindValue == QJsonValue(u"envelope"_s))
        t.kind = Kind::Envelope;
    else if (kindValue == QJsonValue(u"raw"_s))
        t.kind = Kind::Raw;
    else
        badField(t.name, KindKey,
            u"must be \"envelope\" or \"raw\", not %1"_s.arg(kindValue.isString()
                    ? u"\"%1\""_s.arg(kindValue.toString())
                    : u"a value that is not a string"_s));

    const QStringList envelopeKeys { u"id"_s, u"id_base64"_s, u"mimetype"_s, u"mimetype_base64"_s, u"body"_s,
        u"body_base64"_s };
    for (auto it = json.begin(); it != json.end(); ++it) {
        const QString &key = it.key();
        if (key == NameKey || key == DescriptionKey || key == SocketTypeKey || key == KindKey)
            continue;
        if (t.kind == Kind::Envelope && key == FramesKey)
            badField(t.name, key, u"belongs to raw templates (add \"kind\": \"raw\")"_s);
        if (t.kind == Kind::Raw && envelopeKeys.contains(key))
            badField(t.name, key, u"does not belong in a raw template (it has \"frames\")"_s);
        if (t.kind == Kind::Envelope ? !envelopeKeys.contains(key) : key != FramesKey)
            badField(t.name, key, u"is not a template field"_s);
    }

    if (json.contains(DescriptionKey)) {
        if (!json.value(DescriptionKey).isString())
            badField(t.name, DescriptionKey, u"is not a string"_s);
        t.description = json.value(DescriptionKey).toString();
    }
    if (json.contains(SocketTypeKey)) {
        const QJsonValue value = json.value(SocketTypeKey);
        if (!value.isString())
            badField(t.name, SocketTypeKey, u"is not a string"_s);
        if (!value.toString().isEmpty()) {
            const auto type = findSocketType(value.toString());
            if (!type)
                throw Error(ErrorCode::UnknownSocketType,
                    u"%1: field \"%2\" has an unknown socket type \"%3\" (valid: %4)"_s.arg(
                        templateLabel(t.name), SocketTypeKey, value.toString(),
                        socketTypeNames().join(u", "_s)));
            t.socketType = socketTypeName(*type);
        }
    }

    if (t.kind == Kind::Envelope) {
        t.id = readBytes(json, t.name, u"id"_s);
        t.mimetype = readBytes(json, t.name, u"mimetype"_s);
        t.body = readBytes(json, t.name, u"body"_s);
        return t;
    }

    const QJsonValue framesValue = json.value(FramesKey);
    if (!framesValue.isArray())
        badField(t.name, FramesKey,
            framesValue.isUndefined() ? u"is missing (a raw template needs its frames)"_s
                                      : u"is not an array"_s);
    const QJsonArray array = framesValue.toArray();
    if (array.isEmpty())
        badField(t.name, FramesKey, u"is empty (a message needs at least one frame)"_s);
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString field = u"frames[%1]"_s.arg(i);
        const QJsonObject frame = array.at(i).toObject();
        if (!array.at(i).isObject() || frame.size() != 1
            || !(frame.contains(TextKey) || frame.contains(Base64Key)))
            badField(t.name, field, u"must be {\"text\": \"...\"} or {\"base64\": \"...\"}"_s);
        if (frame.contains(TextKey)) {
            if (!frame.value(TextKey).isString())
                badField(t.name, field + u".text"_s, u"is not a string"_s);
            t.frames.append(frame.value(TextKey).toString().toUtf8());
        } else {
            if (!frame.value(Base64Key).isString())
                badField(t.name, field + u".base64"_s, u"is not a string"_s);
            t.frames.append(decodeBase64(t.name, field + u".base64"_s, frame.value(Base64Key).toString()));
        }
    }
    return t;
}

// ---------------------------------------------------------------- TemplateLibrary

TemplateLibrary TemplateLibrary::load(const QString &path)
{
    TemplateLibrary library;
    QFile file(path);
    if (!file.exists())
        return library;
    const QString shownPath = QDir::toNativeSeparators(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error(ErrorCode::InvalidBody,
            u"cannot open template library %1: %2"_s.arg(shownPath, file.errorString()));
    // Bounded by reading, not by file.size(): that is 0 for /dev/zero, a FIFO or a pipe.
    const QByteArray bytes
        = readAllBounded(file, MaxLibraryBytes, u"template library %1"_s.arg(shownPath)).valueOrThrow();

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        throw Error(ErrorCode::InvalidBody,
            u"template library %1 is not valid JSON: %2 at byte %3"_s.arg(shownPath, parseError.errorString())
                .arg(parseError.offset));
    if (!document.isObject())
        throw Error(ErrorCode::InvalidBody,
            u"template library %1 is not a JSON object with \"%2\" and \"%3\""_s.arg(
                shownPath, VersionKey, TemplatesKey));
    const QJsonObject root = document.object();
    const QJsonValue version = root.value(VersionKey);
    if (version.isUndefined())
        throw Error(ErrorCode::InvalidBody,
            u"%1 is not a ZmqScope template library (no \"%2\" key)"_s.arg(shownPath, VersionKey));
    if (!version.isDouble() || version.toDouble() != double(FormatVersion))
        throw Error(ErrorCode::InvalidBody,
            u"template library %1 has version %2; this ZmqScope reads version %3"_s
                .arg(
                    shownPath, version.isDouble() ? QString::number(version.toDouble()) : u"(not a number)"_s)
                .arg(FormatVersion));
    const QJsonValue templates = root.value(TemplatesKey);
    if (!templates.isArray() && !templates.isUndefined())
        throw Error(ErrorCode::InvalidBody,
            u"template library %1: \"%2\" is not an array"_s.arg(shownPath, TemplatesKey));
    const QJsonArray array = templates.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isObject())
            throw Error(ErrorCode::InvalidBody,
                u"template library %1: templates[%2] is not an object"_s.arg(shownPath).arg(i));
        MessageTemplate t;
        try {
            t = MessageTemplate::fromJson(array.at(i).toObject());
        } catch (const Error &error) {
            throw Error(error.code(),
                u"template library %1: templates[%2]: %3"_s.arg(shownPath).arg(i).arg(error.message()));
        }
        if (library.find(t.name))
            throw Error(ErrorCode::InvalidBody,
                u"template library %1: templates[%2]: the name \"%3\" is used twice"_s.arg(shownPath)
                    .arg(i)
                    .arg(t.name));
        library.insert(t);
    }
    return library;
}

void TemplateLibrary::save(const QString &path) const
{
    const QString shownPath = QDir::toNativeSeparators(path);
    const QFileInfo info(path);
    if (!info.absoluteDir().exists() && !QDir().mkpath(info.absolutePath()))
        throw Error(ErrorCode::InvalidBody,
            u"cannot save template library %1: cannot create the folder %2"_s.arg(
                shownPath, QDir::toNativeSeparators(info.absolutePath())));
    QJsonArray array;
    for (const MessageTemplate &t : m_templates)
        array.append(t.toJson());
    // QJsonObject keeps its keys sorted, so the output is stable; templates are sorted by name.
    const QJsonObject root { { VersionKey, FormatVersion }, { TemplatesKey, array } };
    const QByteArray bytes = QJsonDocument(root).toJson(QJsonDocument::Indented);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error(ErrorCode::InvalidBody,
            u"cannot save template library %1: %2"_s.arg(shownPath, file.errorString()));
    if (file.write(bytes) != bytes.size() || !file.commit())
        throw Error(ErrorCode::InvalidBody,
            u"cannot save template library %1: %2"_s.arg(shownPath, file.errorString()));
}

const QList<MessageTemplate> &TemplateLibrary::templates() const
{
    return m_templates;
}

const MessageTemplate *TemplateLibrary::find(const QString &name) const
{
    const auto it = std::lower_bound(m_templates.cbegin(), m_templates.cend(), name,
        [](const MessageTemplate &t, const QString &key) { return t.name < key; });
    return it != m_templates.cend() && it->name == name ? &*it : nullptr;
}

void TemplateLibrary::insert(const MessageTemplate &t)
{
    const auto it = std::lower_bound(m_templates.begin(), m_templates.end(), t.name,
        [](const MessageTemplate &existing, const QString &key) { return existing.name < key; });
    if (it != m_templates.end() && it->name == t.name)
        *it = t;
    else
        m_templates.insert(it, t);
}

Result<void> TemplateLibrary::rename(const QString &from, const QString &to)
{
    const MessageTemplate *existing = find(from);
    if (!existing)
        return Error(
            ErrorCode::InvalidBody, u"cannot rename \"%1\": there is no template of that name"_s.arg(from));
    if (to.trimmed().isEmpty())
        return Error(ErrorCode::InvalidBody, u"cannot rename \"%1\": the new name is empty"_s.arg(from));
    if (find(to))
        return Error(ErrorCode::InvalidBody,
            u"cannot rename \"%1\" to \"%2\": a template of that name exists"_s.arg(from, to));
    MessageTemplate t = *existing;
    m_templates.removeAt(existing - m_templates.constData());
    t.name = to;
    insert(t);
    return {};
}

Result<void> TemplateLibrary::remove(const QString &name)
{
    const MessageTemplate *existing = find(name);
    if (!existing)
        return Error(
            ErrorCode::InvalidBody, u"cannot remove \"%1\": there is no template of that name"_s.arg(name));
    m_templates.removeAt(existing - m_templates.constData());
    return {};
}

QStringList TemplateLibrary::names() const
{
    QStringList result;
    result.reserve(m_templates.size());
    for (const MessageTemplate &t : m_templates)
        result.append(t.name);
    return result;
}

QString TemplateLibrary::oldDefaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + u"/library.json"_s;
}

QString TemplateLibrary::defaultPath()
{
    QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    // Qt appends the organization and then the application ("ZmqScope/zmqscope"): one folder is enough.
    const QString application = QCoreApplication::applicationName();
    if (!QCoreApplication::organizationName().isEmpty() && !application.isEmpty()
        && folder.endsWith(u'/' + application))
        folder.chop(application.size() + 1);
    return folder + u"/library.json"_s;
}

Result<void> TemplateLibrary::moveOldDefaultLibrary()
{
    const QString oldPath = oldDefaultPath();
    const QString newPath = defaultPath();
    if (oldPath == newPath || !QFileInfo::exists(oldPath) || QFileInfo::exists(newPath))
        return {};
    if (!QDir().mkpath(QFileInfo(newPath).absolutePath()) || !QFile::rename(oldPath, newPath))
        return Error(ErrorCode::FileError,
            u"Cannot move the library %1 to %2"_s.arg(
                QDir::toNativeSeparators(oldPath), QDir::toNativeSeparators(newPath)));
    // The old folder held nothing else of ours; rmdir leaves it alone if something else is there.
    QDir().rmdir(QFileInfo(oldPath).absolutePath());
    return {};
}

// ---------------------------------------------------------------- TemplateExpander

TemplateExpander::TemplateExpander(std::uint64_t firstSeq)
    : m_seq(firstSeq)
{ }

QByteArray TemplateExpander::expandText(QByteArrayView text) const
{
    QByteArray out;
    out.reserve(text.size());
    std::optional<QByteArray> now; // one {{now}} per call, so every occurrence in a message agrees
    qsizetype pos = 0;
    for (;;) {
        const qsizetype open = text.sliced(pos).indexOf("{{");
        if (open < 0) {
            out.append(text.sliced(pos));
            return out;
        }
        const qsizetype start = pos + open;
        out.append(text.sliced(pos, open));
        if (text.sliced(start).startsWith("{{{{")) {
            out.append("{{");
            pos = start + 4;
            continue;
        }
        const Variable variable = findVariable(text, start);
        switch (classify(variable.name)) {
        case VariableKind::Seq:
            out.append(QByteArray::number(m_seq));
            break;
        case VariableKind::Now:
            if (!now)
                now = formatCaptureTimestamp(nowUs()).toUtf8();
            out.append(*now);
            break;
        case VariableKind::Uuid:
            out.append(QUuid::createUuid().toByteArray(QUuid::WithoutBraces));
            break;
        case VariableKind::Random: {
            std::uniform_int_distribution<quint64> distribution(0, randomBound(variable.name) - 1);
            out.append(QByteArray::number(distribution(*QRandomGenerator::global())));
            break;
        }
        }
        pos = variable.end;
    }
}

Frames TemplateExpander::expand(const MessageTemplate &t, EnvelopeFraming framing)
{
    Frames frames;
    if (t.kind == MessageTemplate::Kind::Envelope) {
        frames = Envelope::create(expandText(t.mimetype), expandText(t.body), expandText(t.id))
                     .transferObject(framing);
    } else {
        if (t.frames.isEmpty())
            throw Error(ErrorCode::InvalidBody, u"%1 has no frames to send"_s.arg(templateLabel(t.name)));
        frames.reserve(t.frames.size());
        for (const QByteArray &frame : t.frames)
            frames.append(expandText(frame));
    }
    ++m_seq;
    return frames;
}

std::uint64_t TemplateExpander::seq() const
{
    return m_seq;
}

void TemplateExpander::validate(QByteArrayView text)
{
    qsizetype pos = 0;
    for (;;) {
        const qsizetype open = text.sliced(pos).indexOf("{{");
        if (open < 0)
            return;
        const qsizetype start = pos + open;
        if (text.sliced(start).startsWith("{{{{")) {
            pos = start + 4;
            continue;
        }
        const Variable variable = findVariable(text, start);
        (void)classify(variable.name);
        pos = variable.end;
    }
}

} // namespace zmqscope
