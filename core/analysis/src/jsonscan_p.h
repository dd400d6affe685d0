#pragma once

// A filter expression's `json.` path read straight from a body's JSON text, without building a
// QJsonDocument: the fast path of FilterExpression (issue 17's speed goal). It answers only where it
// is sure to agree with QJsonDocument::fromJson() and the walk over its result that
// filterexpression.cpp does; everywhere else it is Unsure and the caller parses the document.

#include <span>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace zmqscope::filter {

/// One step of a json path: a key, or an index.
struct PathStep
{
    QString key;
    qsizetype index = -1; ///< >= 0 for an array index
    /// The key's bytes when it is ASCII; a key with other characters can equal no key the scanner
    /// compares (those are ASCII), so it gets a byte no such key has.
    QByteArray keyAscii;

    PathStep(QString name, qsizetype at);
};

/// What scanJsonPath() found at the path.
struct JsonScalar
{
    enum class Kind
    {
        Unsure, ///< outside what the scanner reads for sure: parse the document
        Missing, ///< a valid document without a value at the path
        Null,
        Bool,
        Number,
        String,
    };
    Kind kind = Kind::Unsure;
    bool boolean = false;
    double number = 0;
    QByteArrayView text; ///< String: its bytes (ASCII, no escapes)
};

/**
 * The scalar at `path` (not empty) in `json`, a whole JSON text that starts with '{' or '['. The
 * whole text is checked, as QJsonDocument rejects a document for a fault anywhere, and a key that
 * repeats takes its last value, as QJsonDocument keeps. Unsure for anything it does not read
 * strictly: an object or array at the path, bytes outside ASCII or control characters in strings,
 * \u escapes, escapes in a key it compares, numbers longer than 40 characters or with exponents
 * beyond 99, nesting deeper than 64, and every fault (so a fault is reported by the parser).
 */
[[nodiscard]] JsonScalar scanJsonPath(QByteArrayView json, std::span<const PathStep> path);

/**
 * Whether `text` (trimmed, not empty, not starting with '{' or '[') cannot be a bare JSON scalar:
 * its first character starts none (not '"', '-', a digit, 't', 'f' or 'n'), so parsing it, as the
 * filter does wrapped in "[...]", can only fail.
 */
[[nodiscard]] bool cannotBeJsonScalar(QByteArrayView text);

} // namespace zmqscope::filter
