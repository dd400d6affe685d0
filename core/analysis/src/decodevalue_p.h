#pragma once

// What the payload decoders share: how a value that JSON cannot hold as it is becomes JSON, and the
// one form of a decoding error (section 12's decode rules; payloaddecoder.h).

#include <cmath>

#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <zmqscope/analysis/payloaddecoder.h>
#include <zmqscope/error.h>

namespace zmqscope::decode {

/// "MessagePack: at byte 12: reason" as an InvalidBody error.
inline Error error(PayloadFormat format, qsizetype offset, const QString &reason)
{
    return Error(ErrorCode::InvalidBody,
        QStringLiteral("%1: at byte %2: %3").arg(payloadFormatTitle(format)).arg(offset).arg(reason));
}

inline QJsonValue bytesValue(QByteArrayView bytes)
{
    return QString::fromLatin1(bytes.toByteArray().toBase64());
}

/// A float as JSON: NaN and the infinities, which JSON has no number for, as strings.
inline QJsonValue floatValue(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    return value;
}

/// A key made of a map or an array is cut to this many characters: its JSON text escapes the quotes of
/// the keys inside it, so maps keyed by maps keyed by maps would double it at every level (a 900-byte
/// CBOR body took 2 GB before the cut; found by fuzz_cbor).
inline constexpr qsizetype MaxContainerKeyChars = 256;

/// A map key as a JSON object key: a string as it is, anything else as its compact JSON text (a map or
/// an array cut at MaxContainerKeyChars, with "..." after).
inline QString keyText(const QJsonValue &key)
{
    if (key.isString())
        return key.toString();
    if (key.isObject() || key.isArray()) {
        const QByteArray text = key.isObject() ? QJsonDocument(key.toObject()).toJson(QJsonDocument::Compact)
                                               : QJsonDocument(key.toArray()).toJson(QJsonDocument::Compact);
        QString shown = QString::fromUtf8(text);
        if (shown.size() > MaxContainerKeyChars) {
            shown.truncate(MaxContainerKeyChars);
            shown += QStringLiteral("...");
        }
        return shown;
    }
    // A scalar: wrapped in an array to print, the brackets cut off.
    const QByteArray text = QJsonDocument(QJsonArray { key }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(text.mid(1, text.size() - 2));
}

/// The tagged forms of section 12.
inline QJsonValue tagged(
    const QString &name, qint64 number, const QString &valueName, const QJsonValue &value)
{
    QJsonObject object;
    object.insert(name, number);
    object.insert(valueName, value);
    return object;
}

Result<QJsonValue> decodeCbor(QByteArrayView bytes);
Result<QJsonValue> decodeMsgPack(QByteArrayView bytes);

} // namespace zmqscope::decode
