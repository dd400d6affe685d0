#include "jsontext.h"

#include <cctype>
#include <vector>

#include <QByteArrayView>

using namespace Qt::StringLiterals;

namespace JsonText {

void lineColumnAt(const QByteArray &utf8, qsizetype offset, int *line, int *column)
{
    offset = std::clamp<qsizetype>(offset, 0, utf8.size());
    const qsizetype lineStart = utf8.lastIndexOf('\n', offset - 1) + 1;
    if (line)
        *line = int(utf8.first(offset).count('\n')) + 1;
    if (column) {
        // Count characters, not bytes: UTF-8 continuation bytes do not start a character.
        int characters = 0;
        for (qsizetype i = lineStart; i < offset; ++i) {
            if ((static_cast<unsigned char>(utf8.at(i)) & 0xc0) != 0x80)
                ++characters;
        }
        *column = characters + 1;
    }
}

namespace {

// The same limit as QJsonDocument, so what the composer accepts the detail pane can show.
constexpr int MaxDepth = 1024;

/// A strict RFC 8259 checker that reports where the offending token starts and what was
/// expected, which QJsonParseError (offsets after the token, "illegal value") does not.
class Checker
{
public:
    explicit Checker(const QByteArray &text)
        : m_text(text)
    { }

    std::optional<Problem> run()
    {
        skipSpace();
        if (atEnd())
            return fail(u"the body is empty; JSON needs a value such as {} or \"text\""_s);
        if (auto problem = value())
            return problem;
        skipSpace();
        if (!atEnd())
            return fail(u"unexpected %1 after the end of the JSON value"_s.arg(found()));
        return std::nullopt;
    }

private:
    struct Open
    {
        char close;
        qsizetype at;
    };

    [[nodiscard]] bool atEnd() const { return m_pos >= m_text.size(); }
    [[nodiscard]] char peek() const { return atEnd() ? '\0' : m_text.at(m_pos); }

    void skipSpace()
    {
        while (!atEnd()) {
            const char c = m_text.at(m_pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    /// The token at the current position, for messages: 'x', "tru", or the end.
    [[nodiscard]] QString found() const
    {
        if (atEnd())
            return u"end of text"_s;
        const char c = m_text.at(m_pos);
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') {
            qsizetype end = m_pos;
            while (end < m_text.size() && end - m_pos < 20
                && (std::isalnum(static_cast<unsigned char>(m_text.at(end))) || m_text.at(end) == '-'
                    || m_text.at(end) == '+' || m_text.at(end) == '.'))
                ++end;
            return u"\"%1\""_s.arg(QString::fromUtf8(m_text.mid(m_pos, end - m_pos)));
        }
        if (static_cast<unsigned char>(c) < 0x20)
            return u"control character U+%1"_s.arg(uint(static_cast<unsigned char>(c)), 4, 16, QChar(u'0'));
        if (static_cast<unsigned char>(c) >= 0x80) {
            // The whole UTF-8 sequence, so the message shows the character.
            qsizetype end = m_pos + 1;
            while (end < m_text.size() && (static_cast<unsigned char>(m_text.at(end)) & 0xc0) == 0x80)
                ++end;
            return u"'%1'"_s.arg(QString::fromUtf8(m_text.mid(m_pos, end - m_pos)));
        }
        return u"'%1'"_s.arg(QLatin1Char(c));
    }

    std::optional<Problem> fail(const QString &message, std::optional<qsizetype> at = std::nullopt) const
    {
        Problem problem;
        problem.message = message;
        problem.offset = at.value_or(m_pos);
        lineColumnAt(m_text, problem.offset, &problem.line, &problem.column);
        return problem;
    }

    [[nodiscard]] QString where(qsizetype offset) const
    {
        int line = 1;
        int column = 1;
        lineColumnAt(m_text, offset, &line, &column);
        return u"line %1, column %2"_s.arg(line).arg(column);
    }

    /// One value, containers included, without recursion (5,000 nested brackets must not overflow the stack).
    std::optional<Problem> value()
    {
        std::vector<Open> stack;
        for (;;) {
            skipSpace();
            // A value is expected here.
            const char c = peek();
            if (c == '{' || c == '[') {
                if (int(stack.size()) >= MaxDepth)
                    return fail(
                        u"too deeply nested: more than %1 levels of objects and arrays"_s.arg(MaxDepth));
                stack.push_back({ c == '{' ? '}' : ']', m_pos });
                ++m_pos;
                skipSpace();
                if (peek() == stack.back().close) {
                    ++m_pos;
                    stack.pop_back();
                } else if (stack.back().close == '}') {
                    if (auto problem = memberName())
                        return problem;
                    continue;
                } else {
                    continue;
                }
            } else if (auto problem = scalar()) {
                return problem;
            }

            // After a complete value: close containers or go on to the next element.
            for (;;) {
                if (stack.empty())
                    return std::nullopt;
                skipSpace();
                const Open open = stack.back();
                if (peek() == ',') {
                    ++m_pos;
                    if (open.close == '}') {
                        skipSpace();
                        if (auto problem = memberName())
                            return problem;
                    }
                    break;
                }
                if (peek() == open.close) {
                    ++m_pos;
                    stack.pop_back();
                    continue;
                }
                if (atEnd())
                    return fail(u"the %1 opened at %2 is not closed"_s.arg(
                        open.close == '}' ? u"object"_s : u"array"_s, where(open.at)));
                return fail(u"expected ',' or '%1' in the %2 opened at %3, found %4"_s.arg(
                    QString(QLatin1Char(open.close)), open.close == '}' ? u"object"_s : u"array"_s,
                    where(open.at), found()));
            }
        }
    }

    /// "name" : (the value follows)
    std::optional<Problem> memberName()
    {
        if (peek() != '"')
            return fail(u"expected a member name in double quotes, found %1"_s.arg(found()));
        if (auto problem = string())
            return problem;
        skipSpace();
        if (peek() != ':')
            return fail(u"expected ':' after the member name, found %1"_s.arg(found()));
        ++m_pos;
        return std::nullopt;
    }

    std::optional<Problem> scalar()
    {
        const char c = peek();
        if (c == '"')
            return string();
        if (c == '-' || (c >= '0' && c <= '9'))
            return number();
        for (const char *literal : { "true", "false", "null" }) {
            const QByteArrayView word(literal);
            if (QByteArrayView(m_text).sliced(m_pos).startsWith(word)) {
                const qsizetype end = m_pos + word.size();
                if (end >= m_text.size() || !std::isalnum(static_cast<unsigned char>(m_text.at(end)))) {
                    m_pos = end;
                    return std::nullopt;
                }
            }
        }
        if (atEnd())
            return fail(u"expected a value, found the end of the text"_s);
        if (std::isalpha(static_cast<unsigned char>(c)))
            return fail(
                u"%1 is not a JSON value (strings need double quotes; literals are true, false, null)"_s.arg(
                    found()));
        return fail(u"expected a value, found %1"_s.arg(found()));
    }

    std::optional<Problem> string()
    {
        const qsizetype start = m_pos;
        ++m_pos; // the opening quote
        while (!atEnd()) {
            const auto c = static_cast<unsigned char>(m_text.at(m_pos));
            if (c == '"') {
                ++m_pos;
                return std::nullopt;
            }
            if (c < 0x20)
                return fail(u"%1 inside a string; write it as an escape such as \\n"_s.arg(found()));
            if (c == '\\') {
                const qsizetype escape = m_pos;
                ++m_pos;
                const char e = peek();
                if (e == 'u') {
                    for (int i = 1; i <= 4; ++i) {
                        if (m_pos + i >= m_text.size()
                            || !std::isxdigit(static_cast<unsigned char>(m_text.at(m_pos + i))))
                            return fail(u"\\u needs four hex digits"_s, escape);
                    }
                    m_pos += 5;
                    continue;
                }
                if (!e || !QByteArrayView("\"\\/bfnrt").contains(e))
                    return fail(
                        u"invalid escape \\%1 in a string"_s.arg(e ? QString(QLatin1Char(e)) : QString()),
                        escape);
                ++m_pos;
                continue;
            }
            ++m_pos;
        }
        return fail(u"the string that starts here is not closed"_s, start);
    }

    std::optional<Problem> number()
    {
        const qsizetype start = m_pos;
        const auto digits = [this] {
            const qsizetype from = m_pos;
            while (!atEnd() && m_text.at(m_pos) >= '0' && m_text.at(m_pos) <= '9')
                ++m_pos;
            return m_pos - from;
        };
        if (peek() == '-')
            ++m_pos;
        if (peek() == '0') {
            ++m_pos;
            if (peek() >= '0' && peek() <= '9')
                return fail(u"numbers do not start with 0 (%1)"_s.arg(found()), start);
        } else if (digits() == 0) {
            return fail(u"expected digits after '-'"_s);
        }
        if (peek() == '.') {
            ++m_pos;
            if (digits() == 0)
                return fail(u"expected digits after the decimal point"_s);
        }
        if (peek() == 'e' || peek() == 'E') {
            ++m_pos;
            if (peek() == '+' || peek() == '-')
                ++m_pos;
            if (digits() == 0)
                return fail(u"expected digits in the exponent"_s);
        }
        if (std::isalpha(static_cast<unsigned char>(peek())) || peek() == '.') {
            m_pos = start;
            return fail(u"%1 is not a number"_s.arg(found()));
        }
        return std::nullopt;
    }

    const QByteArray &m_text;
    qsizetype m_pos = 0;
};

} // namespace

std::optional<Problem> check(const QByteArray &utf8)
{
    return Checker(utf8).run();
}

QString describe(const Problem &problem)
{
    return u"line %1, column %2: %3"_s.arg(problem.line).arg(problem.column).arg(problem.message);
}

std::optional<QByteArray> format(const QByteArray &utf8, int indent)
{
    if (check(utf8))
        return std::nullopt;

    // A token-level reformat of text that is known to be valid: strings are copied byte for
    // byte, whitespace outside strings is dropped and re-inserted. No QJsonObject round
    // trip, which would sort the keys and round big integers.
    QByteArray out;
    out.reserve(utf8.size() + utf8.size() / 2);
    int depth = 0;
    const auto newline = [&](int level) {
        out.append('\n');
        out.append(QByteArray(qsizetype(level) * indent, ' '));
    };
    const qsizetype size = utf8.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char c = utf8.at(i);
        switch (c) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        case '"': {
            const qsizetype start = i++;
            while (i < size && utf8.at(i) != '"') {
                if (utf8.at(i) == '\\')
                    ++i;
                ++i;
            }
            out.append(utf8.mid(start, i - start + 1));
            break;
        }
        case '{':
        case '[': {
            // Keep empty containers on one line: {} and [].
            qsizetype next = i + 1;
            while (next < size && QChar::isSpace(uchar(utf8.at(next))))
                ++next;
            const char close = c == '{' ? '}' : ']';
            if (next < size && utf8.at(next) == close) {
                out.append(c);
                out.append(close);
                i = next;
                break;
            }
            out.append(c);
            ++depth;
            newline(depth);
            break;
        }
        case '}':
        case ']':
            --depth;
            newline(depth);
            out.append(c);
            break;
        case ',':
            out.append(c);
            newline(depth);
            break;
        case ':':
            out.append(": ");
            break;
        default:
            out.append(c);
            break;
        }
    }
    return out;
}

bool isJsonMimetype(const QString &mimetype)
{
    // "application/json; charset=utf-8" counts too.
    const QString type = mimetype.section(u';', 0, 0).trimmed().toLower();
    return type == u"application/json"_s || type == u"text/json"_s || type.endsWith(u"+json"_s);
}

} // namespace JsonText
