#include <charconv>

#include "jsonscan_p.h"

namespace zmqscope::filter {

namespace {

// QJsonDocument nests up to 1024 levels; deeper than this the parser decides.
constexpr int MaxDepth = 64;
// Numbers of at most 40 characters with an exponent of at most two digits are finite, normal doubles
// (1e-140 to 1e140), which QJsonDocument reads to the same double as std::from_chars (both round
// correctly); longer ones may overflow, which QJsonDocument rejects.
constexpr std::ptrdiff_t MaxNumberLength = 40;
constexpr int MaxExponentDigits = 2;
// A value off the path: nothing under it is compared.
constexpr qsizetype OffPath = -1;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

/// One pass over the text, recursive over containers. Every function returns false for "unsure".
class Scanner
{
public:
    Scanner(QByteArrayView json, std::span<const PathStep> path)
        : m_at(json.data())
        , m_end(json.data() + json.size())
        , m_path(path)
    { }

    JsonScalar run()
    {
        skipSpace();
        if (!value(0, 0))
            return {};
        skipSpace();
        if (m_at != m_end)
            return {};
        if (!m_found) {
            JsonScalar missing;
            missing.kind = JsonScalar::Kind::Missing;
            return missing;
        }
        return m_result;
    }

private:
    void skipSpace()
    {
        // JSON's whitespace, as QJsonDocument's parser takes it.
        while (m_at != m_end && (*m_at == ' ' || *m_at == '\n' || *m_at == '\r' || *m_at == '\t'))
            ++m_at;
    }

    /// A value at m_at; `matched` path steps lead to it (OffPath when it is not on the path).
    bool value(int depth, qsizetype matched)
    {
        if (m_at == m_end)
            return false;
        const bool target = matched == qsizetype(m_path.size());
        switch (*m_at) {
        case '{':
            return !target && object(depth + 1, matched);
        case '[':
            return !target && array(depth + 1, matched);
        case '"': {
            const char *begin = m_at + 1;
            bool escaped = false;
            if (!string(escaped))
                return false;
            if (target) {
                if (escaped)
                    return false;
                found(JsonScalar::Kind::String).text = QByteArrayView(begin, m_at - 1 - begin);
            }
            return true;
        }
        case 't':
            return literal("true", target, JsonScalar::Kind::Bool, true);
        case 'f':
            return literal("false", target, JsonScalar::Kind::Bool, false);
        case 'n':
            return literal("null", target, JsonScalar::Kind::Null, false);
        default:
            return number(target);
        }
    }

    bool object(int depth, qsizetype matched)
    {
        if (depth > MaxDepth)
            return false;
        // Keys are compared only in an object the path leads into, and only when it wants a key here.
        const bool compare = matched != OffPath && m_path[std::size_t(matched)].index < 0;
        bool more = open('}');
        while (more) {
            if (m_at == m_end || *m_at != '"')
                return false;
            const char *keyBegin = m_at + 1;
            bool escaped = false;
            if (!string(escaped))
                return false;
            qsizetype next = OffPath;
            if (compare) {
                if (escaped)
                    return false;
                if (QByteArrayView(keyBegin, m_at - 1 - keyBegin) == m_path[std::size_t(matched)].keyAscii) {
                    // A repeated key's last value is the one: forget what an earlier one led to.
                    next = matched + 1;
                    m_found = false;
                }
            }
            skipSpace();
            if (m_at == m_end || *m_at != ':')
                return false;
            ++m_at;
            skipSpace();
            if (!value(depth, next) || !separator('}', more))
                return false;
        }
        return true;
    }

    bool array(int depth, qsizetype matched)
    {
        if (depth > MaxDepth)
            return false;
        const qsizetype wanted = matched == OffPath ? -1 : m_path[std::size_t(matched)].index;
        bool more = open(']');
        for (qsizetype i = 0; more; ++i) {
            if (!value(depth, i == wanted ? matched + 1 : OffPath) || !separator(']', more))
                return false;
        }
        return true;
    }

    /// Past the opening bracket at m_at and its spaces; false when `close` follows at once (and is
    /// passed too).
    bool open(char close)
    {
        ++m_at;
        skipSpace();
        if (m_at != m_end && *m_at == close) {
            ++m_at;
            return false;
        }
        return true;
    }

    /// After a member or an element: past a ',' (`more` set) or the `close` (`more` cleared) and the
    /// spaces before; false for anything else.
    bool separator(char close, bool &more)
    {
        skipSpace();
        if (m_at == m_end || (*m_at != ',' && *m_at != close))
            return false;
        more = *m_at++ == ',';
        skipSpace();
        return true;
    }

    /// A string at m_at (its opening quote), up to after its closing quote; `escaped` set when it
    /// has an escape. Only ASCII without control characters, and escapes other than \u.
    bool string(bool &escaped)
    {
        ++m_at;
        while (m_at != m_end) {
            const auto c = static_cast<unsigned char>(*m_at);
            if (c == '"') {
                ++m_at;
                return true;
            }
            if (c == '\\') {
                if (m_end - m_at < 2)
                    return false;
                switch (m_at[1]) {
                case '"':
                case '\\':
                case '/':
                case 'b':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                    escaped = true;
                    m_at += 2;
                    continue;
                default:
                    return false;
                }
            }
            if (c < 0x20 || c >= 0x80)
                return false;
            ++m_at;
        }
        return false;
    }

    bool literal(const char *word, bool target, JsonScalar::Kind kind, bool boolean)
    {
        const auto length = std::ptrdiff_t(std::char_traits<char>::length(word));
        if (m_end - m_at < length || QByteArrayView(m_at, length) != QByteArrayView(word, length))
            return false;
        m_at += length;
        if (target)
            found(kind).boolean = boolean;
        return true;
    }

    /// A number as RFC 8259 writes it (QJsonDocument's parser also takes a few that it does not).
    bool number(bool target)
    {
        const char *begin = m_at;
        if (*m_at == '-')
            ++m_at;
        if (m_at == m_end)
            return false;
        if (*m_at == '0') {
            ++m_at;
        } else if (isDigit(*m_at)) {
            while (m_at != m_end && isDigit(*m_at))
                ++m_at;
        } else {
            return false;
        }
        if (m_at != m_end && *m_at == '.') {
            ++m_at;
            if (m_at == m_end || !isDigit(*m_at))
                return false;
            while (m_at != m_end && isDigit(*m_at))
                ++m_at;
        }
        if (m_at != m_end && (*m_at == 'e' || *m_at == 'E')) {
            ++m_at;
            if (m_at != m_end && (*m_at == '+' || *m_at == '-'))
                ++m_at;
            int digits = 0;
            while (m_at != m_end && isDigit(*m_at)) {
                ++m_at;
                ++digits;
            }
            if (digits == 0 || digits > MaxExponentDigits)
                return false;
        }
        if (m_at - begin > MaxNumberLength || m_at == m_end)
            return false;
        if (target) {
            double number = 0;
            const std::from_chars_result read = std::from_chars(begin, m_at, number);
            if (read.ec != std::errc() || read.ptr != m_at)
                return false;
            // -0 is 0 to QJsonDocument (an integer), and to every comparison.
            found(JsonScalar::Kind::Number).number = number == 0 ? 0.0 : number;
        }
        return true;
    }

    JsonScalar &found(JsonScalar::Kind kind)
    {
        m_found = true;
        m_result = JsonScalar();
        m_result.kind = kind;
        return m_result;
    }

    const char *m_at;
    const char *m_end;
    std::span<const PathStep> m_path;
    bool m_found = false;
    JsonScalar m_result;
};

} // namespace

PathStep::PathStep(QString name, qsizetype at)
    : key(std::move(name))
    , index(at)
{
    bool ascii = true;
    for (const QChar c : key)
        ascii = ascii && c.unicode() < 0x80;
    keyAscii = ascii ? key.toLatin1() : QByteArray("\x80");
}

JsonScalar scanJsonPath(QByteArrayView json, std::span<const PathStep> path)
{
    if (path.empty() || json.isEmpty() || (json.front() != '{' && json.front() != '['))
        return {};
    return Scanner(json, path).run();
}

bool cannotBeJsonScalar(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    const char first = text.front();
    return !(first == '"' || first == '-' || isDigit(first) || first == 't' || first == 'f' || first == 'n');
}

} // namespace zmqscope::filter
