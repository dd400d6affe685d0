#pragma once

#include <memory>
#include <optional>

#include <QByteArrayView>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <zmqscope/error.h>

namespace zmqscope {

/// The body formats ZmqScope decodes (DESIGN.md section 12's decode rules).
enum class PayloadFormat
{
    Json,
    Cbor,
    MsgPack,
    Protobuf,
};

/// The name a decode rule uses: "json", "cbor", "msgpack", "protobuf".
[[nodiscard]] QString payloadFormatName(PayloadFormat format);
/// The name shown to people: "JSON", "CBOR", "MessagePack", "protobuf".
[[nodiscard]] QString payloadFormatTitle(PayloadFormat format);
[[nodiscard]] std::optional<PayloadFormat> payloadFormatFromName(QStringView name);
/// The format a body of this mimetype decodes as without a rule: application/json (and +json
/// types), application/cbor, application/msgpack and application/x-msgpack.
[[nodiscard]] std::optional<PayloadFormat> payloadFormatForMimetype(QByteArrayView mimetype);

/// Decoded values nest at most this deep, as QJsonDocument's own parser allows; deeper input is a
/// decoding error, never a stack overflow.
inline constexpr int MaxDecodeDepth = 1024;

class ProtobufSchema;

/**
 * One protobuf message type of a loaded descriptor set: what a `protobuf:FILE:package.Message` rule
 * decodes with. A value type, cheap to copy; decoding with it is thread-safe.
 */
class ProtobufType
{
public:
    [[nodiscard]] QString name() const; ///< "package.Message"
    [[nodiscard]] QString descriptorSet() const; ///< the file it was loaded from

private:
    friend class ProtobufSchema;
    friend Result<QJsonValue> decodeProtobuf(const ProtobufType &type, QByteArrayView bytes);
    struct Impl;
    std::shared_ptr<const Impl> m_impl;
};

/**
 * A FileDescriptorSet (`protoc --descriptor_set_out=FILE --include_imports`) loaded into
 * libprotobuf's DescriptorPool: any of its message types decodes at run time, without generated code.
 */
class ProtobufSchema
{
public:
    /// Reads and builds the set; a FileError naming the file and what is wrong with it.
    [[nodiscard]] static Result<std::shared_ptr<const ProtobufSchema>> load(const QString &fileName);

    /// The message type by its full name; an error listing the set's types when there is none.
    [[nodiscard]] Result<ProtobufType> messageType(const QString &fullName) const;
    /// Every message type of the set (nested ones too), sorted.
    [[nodiscard]] QStringList messageNames() const;
    [[nodiscard]] QString fileName() const;

    struct Pool;

private:
    std::shared_ptr<const Pool> m_pool;
};

/**
 * Decodes bytes as `format` into JSON (section 12: byte strings as base64, CBOR tags as
 * {"tag": N, "value": ...}, MessagePack extensions as {"ext": T, "data_base64": "..."}, protobuf in
 * its own JSON mapping with the original field names; NaN and infinities as the strings "NaN",
 * "Infinity", "-Infinity"; map keys that are not strings as their JSON text).
 *
 * Fails with InvalidBody naming the format, where and why: "MessagePack: at byte 12: the data ends
 * inside a value". Protobuf needs `type`; without one it fails.
 */
[[nodiscard]] Result<QJsonValue> decodePayload(
    PayloadFormat format, QByteArrayView bytes, const ProtobufType *type = nullptr);

/// decodePayload() for protobuf.
[[nodiscard]] Result<QJsonValue> decodeProtobuf(const ProtobufType &type, QByteArrayView bytes);

} // namespace zmqscope
