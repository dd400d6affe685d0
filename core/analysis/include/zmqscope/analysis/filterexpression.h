#pragma once

#include <memory>

#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <zmqscope/analysis/filtersubject.h> // FilterSubject (and its holder), kept here for includers
#include <zmqscope/error.h>

namespace zmqscope {

/**
 * A filter expression of DESIGN.md section 12, compiled once and evaluated per message:
 *
 *     fields    id mimetype socket type dir peer size frames frame[N] body json.a.b[2].c
 *     literals  "text" (backslash escapes)  12  1.5  4k 2M 1G (x1024)  true false null
 *     operators == != < <= > >= contains matches in {..}  and && or || not !  ( )
 *
 * `id`, `mimetype` and `body` are the parts of a Dploy envelope (a raw message has no id or
 * mimetype, and its body is its last frame); `size` is the bytes of all frames, `frames` their
 * count, `frame[N]` one frame (negative N counts from the end), `peer` the routing id in lower-case
 * hex, `dir` in/out/c2s/s2c. A `json.` path reads the body as JSON (or the decoded value), parsed at
 * most once per matches() call however many json fields the expression has. A bare field is true
 * when present and not false, null, 0 or empty. A comparison with a missing field is false (so
 * `not json.x == 1` is true when there is no x); values of different kinds are not equal. `matches`
 * takes a QRegularExpression, checked when the expression is parsed.
 *
 * Precedence, loosest first: or, and, not, comparisons. Keywords are case-sensitive.
 */
class FilterExpression
{
public:
    /// Parses `text`. The error (ErrorCode::InvalidFilter) says where, always in the form
    /// "at column N: reason" with N counting characters from 1 (filterErrorColumn() reads it back).
    [[nodiscard]] static Result<FilterExpression> parse(QStringView text);

    /**
     * Whether `text` is meant as an expression rather than plain words: it starts with `(`, `!`,
     * `not `, or a field name followed by an operator, a `.` path or a `[` subscript ("size > 4k",
     * "json.seq", "peer and dir == \"in\""). Anything else is plain words, which keep meaning
     * "substring anywhere" ("timeout", "id-19", "type error", a field name alone). An expression
     * that does not parse is an error, not a search.
     */
    [[nodiscard]] static bool looksLikeExpression(QStringView text);
    /// Bytes as a string literal of the language that matches exactly them ("order-1"): quotes and
    /// backslashes escaped, and an escape per byte (x and two hex digits) for bytes that are not
    /// printable UTF-8, as in a binary id.
    [[nodiscard]] static QString quote(QByteArrayView bytes);
    /// The field names an expression starts with (for completion): id, mimetype, ... json.
    [[nodiscard]] static QStringList fieldNames();

    /// Thread-safe (const, no shared mutable state): the filter worker may scan with it.
    [[nodiscard]] bool matches(const FilterSubject &message) const;
    /// Whether some field of the expression is a `json.` path (the body must be read as JSON).
    [[nodiscard]] bool usesJson() const;
    /// The text it was parsed from.
    [[nodiscard]] QString text() const;

    struct Node;

private:
    FilterExpression() = default;
    QString m_text;
    std::shared_ptr<const Node> m_root; ///< immutable once parsed, so copies share it
    bool m_usesJson = false;
};

/// The column (from 1) of a FilterExpression::parse() error, 0 for any other error.
[[nodiscard]] int filterErrorColumn(const Error &error);

} // namespace zmqscope
