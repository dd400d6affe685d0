#pragma once

// The tokens of a filter expression (DESIGN.md section 12) and the lexer that makes them; the parser
// and evaluator are in filterexpression.cpp.

#include <vector>

#include <QByteArray>
#include <QChar>
#include <QString>
#include <QStringView>

namespace zmqscope::filter {

enum class TokenKind
{
    End,
    Name, ///< a field name or a keyword
    String,
    Number,
    Symbol, ///< == != <= >= < > && || ! ( ) { } [ ] , . -
};

struct Token
{
    TokenKind kind = TokenKind::End;
    QString text; ///< as written (for a String, its value as text)
    QByteArray bytes; ///< a String's value: UTF-8, and \xNN escapes as raw bytes
    double number = 0;
    int column = 0; ///< from 1
};

/// What a field name or keyword starts with, and is made of.
inline bool isNameStart(QChar c)
{
    return c.isLetter() || c == u'_';
}

inline bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

/// The tokens of text, ending with one of kind End (its column one past the text). Throws
/// Error(ErrorCode::InvalidFilter) naming the column of the first character it cannot read.
std::vector<Token> tokenize(QStringView text);

/// Throws Error(ErrorCode::InvalidFilter, "at column N: reason").
[[noreturn]] void fail(int column, const QString &reason);

} // namespace zmqscope::filter
