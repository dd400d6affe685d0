// Protobuf without generated code: a FileDescriptorSet read into libprotobuf's DescriptorPool, a
// DynamicMessageFactory prototype per message type, the message parsed by libprotobuf and printed
// by its own JSON printer (the JSON mapping, with the original field names). libprotobuf says only
// that a parse failed; a walk over the wire format (tags, varints, lengths) finds where, when the
// bytes are not protobuf at all.

#include <algorithm>
#include <cstdio>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <memory>
#include <mutex>
#include <string>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <zmqscope/analysis/payloaddecoder.h>

#include "decodevalue_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

struct ProtobufSchema::Pool
{
    QString fileName;
    QStringList messageNames; ///< every message type of the set, nested ones too, sorted
    google::protobuf::DescriptorPool pool;
    std::unique_ptr<google::protobuf::DynamicMessageFactory> factory;
};

struct ProtobufType::Impl
{
    std::shared_ptr<const ProtobufSchema::Pool> pool;
    const google::protobuf::Descriptor *descriptor = nullptr;
    /// Made once when the type is looked up: New() on it is thread-safe, GetPrototype() is not.
    const google::protobuf::Message *prototype = nullptr;
};

namespace {

/// The first complaint of DescriptorPool::BuildFileCollectingErrors().
class FirstError : public google::protobuf::DescriptorPool::ErrorCollector
{
public:
    void AddError(const std::string &fileName, const std::string &element, const google::protobuf::Message *,
        ErrorLocation, const std::string &message) override
    {
        if (text.isEmpty())
            text = u"%1: %2: %3"_s.arg(QString::fromStdString(fileName), QString::fromStdString(element),
                QString::fromStdString(message));
    }
    QString text;
};

/// What libprotobuf last logged on this thread while parsing ("String field 'demo.Reading.sensor'
/// contains invalid UTF-8 data ..."): the reason of a failed parse, said in the error instead of on
/// stderr.
thread_local std::string lastLogMessage;

void keepLogMessage(
    google::protobuf::LogLevel level, const char * /*file*/, int /*line*/, const std::string &message)
{
    if (level >= google::protobuf::LOGLEVEL_FATAL) // libprotobuf aborts after a fatal one: let it be seen
        std::fprintf(stderr, "libprotobuf: %s\n", message.c_str());
    lastLogMessage = message;
}

void collectNames(const google::protobuf::Descriptor *descriptor, QStringList &names)
{
    if (descriptor->options().map_entry())
        return; // a map field's generated entry type, not one to decode a body as
    names.append(QString::fromStdString(descriptor->full_name()));
    for (int i = 0; i < descriptor->nested_type_count(); ++i)
        collectNames(descriptor->nested_type(i), names);
}

/// Where the bytes stop being protobuf's wire format (RFC-like, protobuf.dev "Encoding"), if they do:
/// a key with field number 0 or wire type 6/7, a varint longer than 10 bytes, a length or fixed value
/// past the end, an end-group without its start.
std::optional<std::pair<qsizetype, QString>> wireProblem(QByteArrayView bytes)
{
    const auto varint = [&](qsizetype &at, std::uint64_t &value) -> std::optional<QString> {
        value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (at >= bytes.size())
                return u"the data ends inside a varint"_s;
            const auto byte = quint8(bytes[at++]);
            if (shift == 63 && byte > 1)
                return u"a varint longer than 64 bits"_s;
            value |= std::uint64_t(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0)
                return std::nullopt;
        }
        return u"a varint longer than 10 bytes"_s;
    };
    int groups = 0;
    qsizetype at = 0;
    while (at < bytes.size()) {
        const qsizetype start = at;
        std::uint64_t key = 0;
        if (auto problem = varint(at, key))
            return std::make_pair(start, *problem);
        const auto wireType = int(key & 7);
        if ((key >> 3) == 0)
            return std::make_pair(start, u"field number 0 (no field has it)"_s);
        std::uint64_t value = 0;
        switch (wireType) {
        case 0:
            if (auto problem = varint(at, value))
                return std::make_pair(start, *problem);
            break;
        case 1:
        case 5: {
            const qsizetype size = wireType == 1 ? 8 : 4;
            if (bytes.size() - at < size)
                return std::make_pair(start, u"the data ends inside a %1-byte value"_s.arg(size));
            at += size;
            break;
        }
        case 2: {
            const qsizetype lengthAt = at;
            if (auto problem = varint(at, value))
                return std::make_pair(lengthAt, *problem);
            if (value > std::uint64_t(bytes.size() - at))
                return std::make_pair(
                    lengthAt, u"a length of %1 bytes where %2 are left"_s.arg(value).arg(bytes.size() - at));
            at += qsizetype(value);
            break;
        }
        case 3:
            ++groups;
            break;
        case 4:
            if (--groups < 0)
                return std::make_pair(start, u"the end of a group that was not started"_s);
            break;
        default:
            return std::make_pair(start, u"wire type %1 (none has that number)"_s.arg(wireType));
        }
    }
    if (groups > 0)
        return std::make_pair(at, u"the data ends inside a group"_s);
    return std::nullopt;
}

} // namespace

Result<std::shared_ptr<const ProtobufSchema>> ProtobufSchema::load(const QString &fileName)
{
    const QString shown = QDir::toNativeSeparators(fileName);
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        return Error(ErrorCode::FileError, u"%1: %2"_s.arg(shown, file.errorString()));
    const QByteArray bytes = file.readAll();
    google::protobuf::FileDescriptorSet set;
    if (bytes.isEmpty() || !set.ParseFromArray(bytes.constData(), int(bytes.size())) || set.file_size() == 0)
        return Error(ErrorCode::FileError,
            u"%1: not a protobuf descriptor set (make one with protoc --descriptor_set_out=FILE "
            "--include_imports)"_s.arg(shown));
    auto pool = std::make_shared<Pool>();
    pool->fileName = fileName;
    for (const google::protobuf::FileDescriptorProto &proto : set.file()) {
        FirstError errors;
        const google::protobuf::FileDescriptor *built = pool->pool.BuildFileCollectingErrors(proto, &errors);
        if (!built)
            return Error(ErrorCode::FileError,
                u"%1: %2 does not build: %3 (was the set made with --include_imports?)"_s.arg(
                    shown, QString::fromStdString(proto.name()), errors.text));
        for (int i = 0; i < built->message_type_count(); ++i)
            collectNames(built->message_type(i), pool->messageNames);
    }
    std::sort(pool->messageNames.begin(), pool->messageNames.end());
    pool->factory = std::make_unique<google::protobuf::DynamicMessageFactory>(&pool->pool);
    auto schema = std::make_shared<ProtobufSchema>();
    schema->m_pool = pool;
    return std::shared_ptr<const ProtobufSchema>(schema);
}

Result<ProtobufType> ProtobufSchema::messageType(const QString &fullName) const
{
    const google::protobuf::Descriptor *descriptor
        = m_pool->pool.FindMessageTypeByName(fullName.toStdString());
    if (!descriptor) {
        QStringList names = messageNames();
        const qsizetype all = names.size();
        if (names.size() > 8)
            names.resize(8);
        return Error(ErrorCode::InvalidOptionValue,
            u"%1 has no message type \"%2\"; it has %3%4"_s.arg(QDir::toNativeSeparators(m_pool->fileName),
                fullName, names.join(u", "_s), all > names.size() ? u", ..."_s : QString()));
    }
    auto impl = std::make_shared<ProtobufType::Impl>();
    impl->pool = m_pool;
    impl->descriptor = descriptor;
    impl->prototype = m_pool->factory->GetPrototype(descriptor);
    ProtobufType type;
    type.m_impl = impl;
    return type;
}

QStringList ProtobufSchema::messageNames() const
{
    return m_pool->messageNames;
}

QString ProtobufSchema::fileName() const
{
    return m_pool->fileName;
}

QString ProtobufType::name() const
{
    return m_impl ? QString::fromStdString(m_impl->descriptor->full_name()) : QString();
}

QString ProtobufType::descriptorSet() const
{
    return m_impl ? m_impl->pool->fileName : QString();
}

Result<QJsonValue> decodeProtobuf(const ProtobufType &type, QByteArrayView bytes)
{
    if (!type.m_impl)
        return Error(ErrorCode::InvalidBody, u"protobuf: no message type to decode with"_s);
    const QString name = type.name();
    const auto fail = [&](qsizetype offset, const QString &reason) {
        return Error(
            ErrorCode::InvalidBody, u"protobuf (%1): at byte %2: %3"_s.arg(name).arg(offset).arg(reason));
    };
    if (auto problem = wireProblem(bytes))
        return fail(problem->first, problem->second);
    static std::once_flag logHandlerSet;
    std::call_once(logHandlerSet, [] { google::protobuf::SetLogHandler(&keepLogMessage); });
    lastLogMessage.clear();
    std::unique_ptr<google::protobuf::Message> message(type.m_impl->prototype->New());
    // Partial: a missing required field is reported below, not logged by libprotobuf on stderr.
    if (!message->ParsePartialFromArray(bytes.data(), int(bytes.size())))
        return Error(ErrorCode::InvalidBody,
            u"protobuf (%1): not a valid %1: %2"_s.arg(name,
                lastLogMessage.empty() ? u"a nested message or a packed field is malformed"_s
                                       : QString::fromStdString(lastLogMessage).trimmed()));
    if (!message->IsInitialized())
        return Error(ErrorCode::InvalidBody,
            u"protobuf (%1): required fields missing: %2"_s.arg(
                name, QString::fromStdString(message->InitializationErrorString())));
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    std::string json;
    const auto status = google::protobuf::util::MessageToJsonString(*message, &json, options);
    if (!status.ok())
        return Error(ErrorCode::InvalidBody,
            u"protobuf (%1): cannot be shown as JSON: %2"_s.arg(
                name, QString::fromStdString(std::string(status.message()))));
    QJsonParseError error {};
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray::fromStdString(json), &error);
    if (error.error != QJsonParseError::NoError)
        return Error(ErrorCode::InvalidBody,
            u"protobuf (%1): its JSON does not read back: %2"_s.arg(name, error.errorString()));
    return QJsonValue(document.object());
}

} // namespace zmqscope
