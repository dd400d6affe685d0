#pragma once

#include <vector>

#include <QByteArrayView>
#include <QJsonValue>
#include <QString>
#include <QStringView>

#include <zmqscope/error.h>

namespace zmqscope {

/**
 * A path into a JSON value, written as the filter language writes `json.` fields without the
 * prefix: `seq`, `meta.seq`, `items[2].name`, `["a key.with dots"].x`. A leading `json.` is
 * accepted too, so a field copied from a filter works as it is.
 */
class JsonPath
{
public:
    struct Step
    {
        QString key;
        qsizetype index = -1; ///< >= 0 for an array index; then key is empty
        friend bool operator==(const Step &, const Step &) = default;
    };

    JsonPath() = default;
    /// Parses `text`; an InvalidOptionValue error names the column and what was expected.
    [[nodiscard]] static Result<JsonPath> parse(QStringView text);
    /// A path of keys and indexes as they are (for a JSON tree item).
    [[nodiscard]] static JsonPath fromSteps(std::vector<Step> steps);

    /// The value at the path, QJsonValue::Undefined when some step is missing.
    [[nodiscard]] QJsonValue read(const QJsonValue &root) const;
    /// The path as parse() reads it back: keys that are not plain names are written `["..."]`.
    [[nodiscard]] QString toString() const;
    [[nodiscard]] const std::vector<Step> &steps() const { return m_steps; }
    [[nodiscard]] bool isEmpty() const { return m_steps.empty(); }

    friend bool operator==(const JsonPath &, const JsonPath &) = default;

private:
    std::vector<Step> m_steps;
};

/**
 * JSON text as a value: an object, an array or a bare scalar (`42`, `"text"`, `true`), surrounding
 * white space ignored; QJsonValue::Undefined when the text is not JSON. Objects and arrays are
 * parsed from the bytes in place (no copy).
 */
[[nodiscard]] QJsonValue parseJsonText(QByteArrayView text);

} // namespace zmqscope
