// The payload decoders' entry point and the JSON one; CBOR, MessagePack and protobuf have a file each.

#include <algorithm>
#include <iterator>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <zmqscope/analysis/payloaddecoder.h>

#include "decodevalue_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

struct FormatNames
{
    PayloadFormat format;
    const char16_t *name; ///< in decode rules
    const char16_t *title; ///< for people
};

constexpr FormatNames Formats[] = {
    { PayloadFormat::Json, u"json", u"JSON" },
    { PayloadFormat::Cbor, u"cbor", u"CBOR" },
    { PayloadFormat::MsgPack, u"msgpack", u"MessagePack" },
    { PayloadFormat::Protobuf, u"protobuf", u"protobuf" },
};

const FormatNames &namesOf(PayloadFormat format)
{
    return *std::find_if(std::begin(Formats), std::end(Formats),
        [format](const FormatNames &names) { return names.format == format; });
}

} // namespace

QString payloadFormatName(PayloadFormat format)
{
    return QString::fromUtf16(namesOf(format).name);
}

QString payloadFormatTitle(PayloadFormat format)
{
    return QString::fromUtf16(namesOf(format).title);
}

std::optional<PayloadFormat> payloadFormatFromName(QStringView name)
{
    for (const FormatNames &names : Formats) {
        if (name == QStringView(names.name))
            return names.format;
    }
    return std::nullopt;
}

std::optional<PayloadFormat> payloadFormatForMimetype(QByteArrayView mimetype)
{
    // Parameters ("application/json; charset=utf-8") do not change the format.
    const qsizetype semicolon = mimetype.indexOf(';');
    const QByteArrayView type = (semicolon < 0 ? mimetype : mimetype.first(semicolon)).trimmed();
    const QByteArray lower = type.toByteArray().toLower();
    if (lower == "application/json" || lower.endsWith("+json"))
        return PayloadFormat::Json;
    if (lower == "application/cbor" || lower.endsWith("+cbor"))
        return PayloadFormat::Cbor;
    if (lower == "application/msgpack" || lower == "application/x-msgpack"
        || lower == "application/vnd.msgpack")
        return PayloadFormat::MsgPack;
    return std::nullopt;
}

namespace {

Result<QJsonValue> decodeJson(QByteArrayView bytes)
{
    QJsonParseError error {};
    const QJsonDocument document
        = QJsonDocument::fromJson(QByteArray::fromRawData(bytes.data(), bytes.size()), &error);
    if (error.error == QJsonParseError::NoError)
        return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    // QJsonDocument takes only an object or an array at the top; RFC 8259 allows any value.
    const QByteArrayView trimmed = bytes.trimmed();
    if (!trimmed.isEmpty() && trimmed.front() != '{' && trimmed.front() != '[') {
        QJsonParseError wrappedError {};
        const QJsonDocument wrapped
            = QJsonDocument::fromJson('[' + trimmed.toByteArray() + ']', &wrappedError);
        if (wrappedError.error == QJsonParseError::NoError && wrapped.array().size() == 1)
            return QJsonValue(wrapped.array().at(0));
    }
    QString reason = error.errorString();
    if (error.error == QJsonParseError::DeepNesting)
        reason += u" (more than %1 levels)"_s.arg(MaxDecodeDepth);
    return decode::error(PayloadFormat::Json, error.offset, reason);
}

} // namespace

Result<QJsonValue> decodePayload(PayloadFormat format, QByteArrayView bytes, const ProtobufType *type)
{
    switch (format) {
    case PayloadFormat::Json:
        return decodeJson(bytes);
    case PayloadFormat::Cbor:
        return decode::decodeCbor(bytes);
    case PayloadFormat::MsgPack:
        return decode::decodeMsgPack(bytes);
    case PayloadFormat::Protobuf:
        if (!type)
            return Error(ErrorCode::InvalidBody, u"protobuf: no message type to decode with"_s);
        return decodeProtobuf(*type, bytes);
    }
    return Error(ErrorCode::InvalidBody, u"unknown payload format"_s);
}

} // namespace zmqscope
