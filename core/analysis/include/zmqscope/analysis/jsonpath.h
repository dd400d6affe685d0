#pragma once

#include <vector>

#include <QByteArrayView>
#include <QJsonValue>
#include <QString>
#include <QStringView>

#include <zmqscope/error.h>

namespace zmqscope {

struct FilterSubject;

/**
 * A path into a message's JSON as the filter language writes it (DESIGN.md section 12): `json`, then
 * `.key`, `["any key"]` and `[2]` steps, as in `json.a.b[2].c`. It reads the value filter expressions
 * read: the decoded value when there is one, else the body parsed as JSON. A value type; parsed by the
 * filter language's own parser, so a path means the same in a plot as in a filter.
 */
class JsonPath
{
public:
    /// One step: a key, or an array index (index >= 0).
    struct Step
    {
        QString key;
        qsizetype index = -1;

        friend bool operator==(const Step &, const Step &) = default;
    };

    /// The whole document (`json`).
    JsonPath() = default;
    /// The path of these steps; text() writes them in the filter language.
    explicit JsonPath(std::vector<Step> steps);

    /// Parses `json.a.b[2].c`; an InvalidFilter error "at column N: reason" for anything else.
    [[nodiscard]] static Result<JsonPath> parse(QStringView text);
    /**
     * A field as a user names it where only a JSON path can go (stats --gaps, the Health dock's
     * sequence field): with or without the leading `json` (`seq`, `meta.seq`, `items[0].n`,
     * `["a.b"]`, `json.seq`); error columns count in `text` as given.
     */
    [[nodiscard]] static Result<JsonPath> parseField(QStringView text);

    /// The value at the path in `document`; Undefined where the path leads nowhere.
    [[nodiscard]] QJsonValue valueIn(const QJsonValue &document) const;
    /// The document `json.` paths read in a message: `message.decoded` when set, else the body (the last
    /// frame of a raw message) parsed as JSON (an object, an array or a bare scalar); Undefined when it is
    /// not JSON.
    [[nodiscard]] static QJsonValue documentOf(const FilterSubject &message);

    /// The path in the filter language: keys that are names after a dot, others quoted in brackets.
    [[nodiscard]] const QString &text() const { return m_text; }
    [[nodiscard]] const std::vector<Step> &steps() const { return m_steps; }

    friend bool operator==(const JsonPath &a, const JsonPath &b) { return a.m_steps == b.m_steps; }

private:
    std::vector<Step> m_steps;
    QString m_text = QStringLiteral("json");
};

/**
 * JSON text as a value: an object, an array or a bare scalar (`42`, `"text"`, `true`), surrounding
 * white space ignored; QJsonValue::Undefined when the text is not JSON. Objects and arrays are
 * parsed from the bytes in place (no copy).
 */
[[nodiscard]] QJsonValue parseJsonText(QByteArrayView text);

} // namespace zmqscope
