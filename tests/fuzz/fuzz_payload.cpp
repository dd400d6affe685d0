// Fuzz targets for the MessagePack and CBOR decoders (issue 17): whatever the bytes, a decode ends in
// a value or in an error that names a byte inside the input; a value survives a JSON round trip;
// the same bytes with one more byte after them are refused at exactly that byte.

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QString>

#include <zmqscope/analysis/payloaddecoder.h>

#include "fuzzcheck.h"
#include "fuzztargets.h"

using namespace Qt::StringLiterals;

namespace zmqscope::fuzz {

namespace {

void checkDecoder(PayloadFormat format, const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<QJsonValue> decoded = decodePayload(format, bytes);
    if (!decoded) {
        ZMQSCOPE_FUZZ_CHECK(decoded.error().code() == ErrorCode::InvalidBody);
        static const QRegularExpression where(u"^[A-Za-z]+: at byte ([0-9]+): .+"_s);
        const QRegularExpressionMatch match = where.match(decoded.errorMessage());
        ZMQSCOPE_FUZZ_CHECK(match.hasMatch());
        ZMQSCOPE_FUZZ_CHECK(match.captured(1).toLongLong() <= qint64(size));
        return;
    }
    // JSON text of the value reads back as the same value (NaN and infinities are strings already).
    const QByteArray text = QJsonDocument(QJsonArray { *decoded }).toJson(QJsonDocument::Compact);
    const QJsonDocument back = QJsonDocument::fromJson(text);
    ZMQSCOPE_FUZZ_CHECK(back.isArray() && back.array().size() == 1);
    ZMQSCOPE_FUZZ_CHECK(QJsonDocument(back.array()).toJson(QJsonDocument::Compact) == text);
    // One value per body: a byte after it is refused there.
    const QByteArray withMore = QByteArray(bytes).append('\0');
    const Result<QJsonValue> longer = decodePayload(format, withMore);
    ZMQSCOPE_FUZZ_CHECK(!longer);
    ZMQSCOPE_FUZZ_CHECK(longer.errorMessage().contains(u"at byte %1: more data after"_s.arg(size)));
}

} // namespace

int msgpackTarget(const std::uint8_t *data, std::size_t size)
{
    checkDecoder(PayloadFormat::MsgPack, data, size);
    return 0;
}

int cborTarget(const std::uint8_t *data, std::size_t size)
{
    checkDecoder(PayloadFormat::Cbor, data, size);
    return 0;
}

} // namespace zmqscope::fuzz

#ifdef ZMQSCOPE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
#if defined(ZMQSCOPE_FUZZ_CBOR)
    return zmqscope::fuzz::cborTarget(data, size);
#else
    return zmqscope::fuzz::msgpackTarget(data, size);
#endif
}
#endif
