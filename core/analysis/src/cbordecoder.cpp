// CBOR (RFC 8949) to JSON through Qt's QCborStreamReader, which keeps what QCborValue would interpret
// away: every tag with its number (QCborValue turns tags 0 and 1 into one date type), simple values,
// byte strings; its offsets name where bad data is.

#include <limits>
#include <optional>

#include <QCborStreamReader>
#include <QJsonArray>
#include <QJsonObject>

#include "decodevalue_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope::decode {

namespace {

class CborDecoder
{
public:
    explicit CborDecoder(const QByteArray &bytes)
        : m_reader(bytes)
        , m_total(bytes.size())
    { }

    Result<QJsonValue> run()
    {
        if (m_reader.lastError() != QCborError::NoError || !m_reader.isValid())
            return fail(
                m_reader.lastError() == QCborError::NoError ? u"no data"_s : m_reader.lastError().toString());
        QJsonValue value = read(0);
        if (m_error)
            return *m_error;
        if (m_reader.lastError() != QCborError::NoError)
            return fail(m_reader.lastError().toString());
        if (m_reader.currentOffset() < m_total)
            return fail(u"more data after the CBOR value"_s);
        return value;
    }

private:
    Error fail(const QString &reason) { return error(PayloadFormat::Cbor, m_reader.currentOffset(), reason); }

    /// Stops the decoding at the first problem (the reader's, or too deep).
    QJsonValue stop(const QString &reason)
    {
        if (!m_error)
            m_error = fail(reason);
        return {};
    }

    QJsonValue read(int depth)
    {
        if (depth > MaxDecodeDepth)
            return stop(u"values nest more than %1 levels deep"_s.arg(MaxDecodeDepth));
        if (m_reader.lastError() != QCborError::NoError)
            return stop(m_reader.lastError().toString());
        switch (m_reader.type()) {
        case QCborStreamReader::UnsignedInteger: {
            const quint64 value = m_reader.toUnsignedInteger();
            m_reader.next();
            // Beyond qint64, JSON through Qt keeps a double (its nearest value).
            return value <= quint64(std::numeric_limits<qint64>::max()) ? QJsonValue(qint64(value))
                                                                        : QJsonValue(double(value));
        }
        case QCborStreamReader::NegativeInteger: {
            const quint64 magnitude = quint64(m_reader.toNegativeInteger()); // -1 - n, as n + 1
            m_reader.next();
            return magnitude <= quint64(std::numeric_limits<qint64>::max()) + 1
                ? QJsonValue(qint64(-magnitude))
                : QJsonValue(-double(magnitude));
        }
        case QCborStreamReader::ByteArray:
            return readBytes();
        case QCborStreamReader::String:
            return readString();
        case QCborStreamReader::Array:
            return readArray(depth);
        case QCborStreamReader::Map:
            return readMap(depth);
        case QCborStreamReader::Tag: {
            const auto tag = quint64(m_reader.toTag());
            m_reader.next();
            const QJsonValue value = read(depth + 1);
            return tagged(u"tag"_s, qint64(tag), u"value"_s, value);
        }
        case QCborStreamReader::SimpleType: {
            const QCborSimpleType simple = m_reader.toSimpleType();
            m_reader.next();
            switch (simple) {
            case QCborSimpleType::False:
                return false;
            case QCborSimpleType::True:
                return true;
            case QCborSimpleType::Null:
            case QCborSimpleType::Undefined:
                return QJsonValue::Null;
            }
            QJsonObject object;
            object.insert(u"simple"_s, int(simple));
            return object;
        }
        case QCborStreamReader::Float16: {
            const double value = double(float(m_reader.toFloat16()));
            m_reader.next();
            return floatValue(value);
        }
        case QCborStreamReader::Float: {
            const double value = m_reader.toFloat();
            m_reader.next();
            return floatValue(value);
        }
        case QCborStreamReader::Double: {
            const double value = m_reader.toDouble();
            m_reader.next();
            return floatValue(value);
        }
        case QCborStreamReader::Invalid:
            return stop(m_reader.lastError() == QCborError::NoError ? u"the data ends inside a value"_s
                                                                    : m_reader.lastError().toString());
        }
        return stop(u"a value of an unknown kind"_s);
    }

    QJsonValue readBytes()
    {
        QByteArray bytes;
        auto chunk = m_reader.readByteArray();
        while (chunk.status == QCborStreamReader::Ok) {
            bytes += chunk.data;
            chunk = m_reader.readByteArray();
        }
        if (chunk.status == QCborStreamReader::Error)
            return stop(m_reader.lastError().toString());
        return bytesValue(bytes);
    }

    QJsonValue readString()
    {
        QString text;
        auto chunk = m_reader.readString();
        while (chunk.status == QCborStreamReader::Ok) {
            text += chunk.data;
            chunk = m_reader.readString();
        }
        if (chunk.status == QCborStreamReader::Error)
            return stop(m_reader.lastError().toString());
        return text;
    }

    QJsonValue readArray(int depth)
    {
        QJsonArray array;
        if (!m_reader.enterContainer())
            return stop(m_reader.lastError().toString());
        while (m_reader.lastError() == QCborError::NoError && m_reader.hasNext() && !m_error)
            array.append(read(depth + 1));
        if (m_error)
            return {};
        if (!m_reader.leaveContainer())
            return stop(m_reader.lastError().toString());
        return array;
    }

    QJsonValue readMap(int depth)
    {
        QJsonObject object;
        if (!m_reader.enterContainer())
            return stop(m_reader.lastError().toString());
        while (m_reader.lastError() == QCborError::NoError && m_reader.hasNext() && !m_error) {
            const QJsonValue key = read(depth + 1);
            if (m_error)
                return {};
            const QJsonValue value = read(depth + 1);
            object.insert(keyText(key), value);
        }
        if (m_error)
            return {};
        if (!m_reader.leaveContainer())
            return stop(m_reader.lastError().toString());
        return object;
    }

    QCborStreamReader m_reader;
    qsizetype m_total = 0;
    std::optional<Error> m_error;
};

} // namespace

Result<QJsonValue> decodeCbor(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return error(PayloadFormat::Cbor, 0, u"the body is empty"_s);
    // QCborStreamReader takes a QByteArray; fromRawData keeps the caller's bytes, not a copy.
    CborDecoder decoder(QByteArray::fromRawData(bytes.data(), bytes.size()));
    return decoder.run();
}

} // namespace zmqscope::decode
