// MessagePack to JSON through msgpack-c's visitor parser (Debian's libmsgpack-cxx-dev, header-only,
// built without Boost): the visitor builds the JSON value as the parser walks the bytes, so nothing
// is allocated for a container's announced size, and the parser's offsets name where bad data is.

#include <cstdint>
#include <limits>
#include <msgpack.hpp>
#include <optional>
#include <vector>

#include <QJsonArray>
#include <QJsonObject>

#include "decodevalue_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope::decode {

namespace {

class JsonBuilder : public msgpack::null_visitor
{
public:
    bool visit_nil() { return add(QJsonValue::Null); }
    bool visit_boolean(bool value) { return add(value); }
    bool visit_positive_integer(std::uint64_t value)
    {
        // Beyond qint64, JSON through Qt keeps a double (its nearest value).
        return add(value <= std::uint64_t(std::numeric_limits<qint64>::max()) ? QJsonValue(qint64(value))
                                                                              : QJsonValue(double(value)));
    }
    bool visit_negative_integer(std::int64_t value) { return add(qint64(value)); }
    bool visit_float32(float value) { return add(floatValue(double(value))); }
    bool visit_float64(double value) { return add(floatValue(value)); }
    bool visit_str(const char *data, std::uint32_t size)
    {
        return add(QString::fromUtf8(data, qsizetype(size)));
    }
    bool visit_bin(const char *data, std::uint32_t size)
    {
        return add(bytesValue(QByteArrayView(data, size)));
    }
    bool visit_ext(const char *data, std::uint32_t size)
    {
        // The first byte is the extension's type (signed), the rest its data.
        const auto type = size > 0 ? qint64(std::int8_t(data[0])) : 0;
        const QByteArrayView payload = size > 0 ? QByteArrayView(data + 1, size - 1) : QByteArrayView();
        return add(tagged(u"ext"_s, type, u"data_base64"_s, bytesValue(payload)));
    }
    bool start_array(std::uint32_t /*elements*/) { return open(Level { QJsonArray(), {}, {}, false }); }
    bool end_array() { return close(); }
    bool start_map(std::uint32_t /*pairs*/) { return open(Level { {}, QJsonObject(), {}, true }); }
    bool start_map_key()
    {
        m_readingKey = true;
        return true;
    }
    bool end_map_key()
    {
        m_readingKey = false;
        return true;
    }
    bool end_map() { return close(); }
    void parse_error(std::size_t /*parsed*/, std::size_t errorOffset)
    {
        setProblem(errorOffset, u"not MessagePack (a byte that starts no value)"_s);
    }
    void insufficient_bytes(std::size_t /*parsed*/, std::size_t errorOffset)
    {
        setProblem(errorOffset, u"the data ends inside a value"_s);
    }

    /// The parser's complaint and where, or why the visitor stopped the walk (too deep: where is then
    /// the parser's own offset, NoOffset here).
    std::optional<std::pair<std::size_t, QString>> problem;
    QJsonValue result;

    static constexpr std::size_t NoOffset = std::numeric_limits<std::size_t>::max();

private:
    struct Level
    {
        QJsonArray array;
        QJsonObject object;
        QString key; ///< a map's key read, waiting for its value
        bool isMap = false;
    };

    void setProblem(std::size_t at, const QString &reason)
    {
        if (!problem)
            problem = std::make_pair(at, reason);
    }

    bool open(Level level)
    {
        if (m_levels.size() >= std::size_t(MaxDecodeDepth)) {
            setProblem(NoOffset, u"values nest more than %1 levels deep"_s.arg(MaxDecodeDepth));
            return false;
        }
        m_keyStack.push_back(m_readingKey);
        m_readingKey = false;
        m_levels.push_back(std::move(level));
        return true;
    }

    bool close()
    {
        Level level = std::move(m_levels.back());
        m_levels.pop_back();
        m_readingKey = m_keyStack.back();
        m_keyStack.pop_back();
        return add(level.isMap ? QJsonValue(level.object) : QJsonValue(level.array));
    }

    bool add(const QJsonValue &value)
    {
        if (m_levels.empty()) {
            result = value;
            return true;
        }
        Level &level = m_levels.back();
        if (!level.isMap)
            level.array.append(value);
        else if (m_readingKey)
            level.key = keyText(value);
        else
            level.object.insert(level.key, value);
        return true;
    }

    std::vector<Level> m_levels;
    std::vector<bool> m_keyStack; ///< whether the container was itself a map key
    bool m_readingKey = false;
};

} // namespace

Result<QJsonValue> decodeMsgPack(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return error(PayloadFormat::MsgPack, 0, u"the body is empty"_s);
    JsonBuilder builder;
    std::size_t offset = 0;
    bool parsed = false;
    try {
        parsed = msgpack::parse(bytes.data(), std::size_t(bytes.size()), offset, builder);
    } catch (const std::exception &exception) {
        // Limits msgpack-c enforces itself (sizes it refuses) arrive as exceptions.
        return error(PayloadFormat::MsgPack, qsizetype(offset), QString::fromUtf8(exception.what()));
    }
    if (builder.problem) {
        const std::size_t at
            = builder.problem->first == JsonBuilder::NoOffset ? offset : builder.problem->first;
        return error(PayloadFormat::MsgPack, qsizetype(at), builder.problem->second);
    }
    if (!parsed)
        return error(PayloadFormat::MsgPack, qsizetype(offset), u"the data ends inside a value"_s);
    if (offset < std::size_t(bytes.size()))
        return error(PayloadFormat::MsgPack, qsizetype(offset), u"more data after the MessagePack value"_s);
    return builder.result;
}

} // namespace zmqscope::decode
