#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <zmqscope/analysis/filterexpression.h>

namespace zmqscope {

/**
 * What a filter text means, the one rule for the GUI's filter box, the CLI's --filter and exports
 * (DESIGN.md section 12): plain words search every frame (routing frames, id, mimetype, the whole
 * body; each frame of a raw message) and a tap's peer as lower-case hex for a substring, ASCII
 * letters case-insensitive; a text that FilterExpression::looksLikeExpression() is parsed as an
 * expression instead, and compile() fails with its "at column N: ..." error.
 *
 * A value type, cheap to copy into a worker thread; matches() is const and thread-safe.
 */
class MessageMatcher
{
public:
    /// Lets every message through.
    MessageMatcher() = default;

    [[nodiscard]] static Result<MessageMatcher> compile(const QString &text);
    /// Plain words only, never an expression (a text that would be one is searched as it is).
    [[nodiscard]] static MessageMatcher words(const QString &text);

    [[nodiscard]] bool isEmpty() const { return !m_expression && m_needle.isEmpty(); }
    [[nodiscard]] bool isExpression() const { return m_expression.has_value(); }
    [[nodiscard]] const std::optional<FilterExpression> &expression() const { return m_expression; }
    [[nodiscard]] QString text() const { return m_text; }

    [[nodiscard]] bool matches(const FilterSubject &message) const;
    /// Plain words: whether `haystack` contains them (true when there are none).
    [[nodiscard]] bool contains(QByteArrayView haystack) const;

private:
    QString m_text;
    std::optional<FilterExpression> m_expression;
    QByteArray m_needle; ///< UTF-8 of the trimmed words, lower-cased when it is ASCII
    bool m_foldCase = true; ///< the needle is ASCII: compare ASCII letters case-insensitively
    /// Boyer-Moore-Horspool shift per haystack byte (capped at 255, which only shortens a shift).
    std::array<std::uint8_t, 256> m_shift {};
};

} // namespace zmqscope
