#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

/**
 * JSON checks for the composer body editor and the workspace reader:
 * errors with line and column, and a formatter that keeps key order,
 * number spelling and string escapes exactly as typed.
 */
namespace JsonText {

struct Problem
{
    QString message; ///< Qt's description ("unterminated string")
    int line = 1; ///< 1-based
    int column = 1; ///< 1-based, in characters
    qsizetype offset = 0; ///< byte offset in the UTF-8 text
};

/// Line and column (1-based, column in characters) of a byte offset into UTF-8 text.
void lineColumnAt(const QByteArray &utf8, qsizetype offset, int *line, int *column);

/// Checks that the text is one JSON value (objects, arrays and scalars alike); nothing when valid.
[[nodiscard]] std::optional<Problem> check(const QByteArray &utf8);

/// "line 3, column 5: unterminated string"
[[nodiscard]] QString describe(const Problem &problem);

/// Pretty-prints valid JSON with the given indent; returns nothing when check() fails.
[[nodiscard]] std::optional<QByteArray> format(const QByteArray &utf8, int indent = 2);

/// True for mimetypes whose body is JSON: application/json, text/json, anything with a +json suffix.
[[nodiscard]] bool isJsonMimetype(const QString &mimetype);

} // namespace JsonText
