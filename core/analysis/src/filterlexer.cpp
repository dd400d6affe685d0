// The lexer of the filter language (DESIGN.md section 12): names, strings with their escapes (\xNN as
// raw bytes for binary frames), numbers with size units, and the operators; every error names its
// column.

#include <algorithm>

#include <QStringList>

#include <zmqscope/error.h>

#include "filterlexer_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope::filter {

[[noreturn]] void fail(int column, const QString &reason)
{
    throw Error(ErrorCode::InvalidFilter, u"at column %1: %2"_s.arg(column).arg(reason));
}

namespace {

class Lexer
{
public:
    explicit Lexer(QStringView text)
        : m_text(text)
    { }

    std::vector<Token> tokens()
    {
        std::vector<Token> tokens;
        for (;;) {
            Token token = next();
            tokens.push_back(token);
            if (token.kind == TokenKind::End)
                return tokens;
        }
    }

private:
    Token next()
    {
        while (m_at < m_text.size() && m_text[m_at].isSpace())
            ++m_at;
        Token token;
        token.column = int(m_at) + 1;
        if (m_at >= m_text.size())
            return token;
        const QChar c = m_text[m_at];
        if (isNameStart(c)) {
            const qsizetype start = m_at;
            while (m_at < m_text.size() && isNameChar(m_text[m_at]))
                ++m_at;
            token.kind = TokenKind::Name;
            token.text = m_text.sliced(start, m_at - start).toString();
            return token;
        }
        if (c.isDigit())
            return number(token);
        if (c == u'"')
            return string(token);
        static const QStringList twoCharacter { u"=="_s, u"!="_s, u"<="_s, u">="_s, u"&&"_s, u"||"_s };
        const QStringView two = m_text.sliced(m_at, std::min<qsizetype>(2, m_text.size() - m_at));
        if (twoCharacter.contains(two)) {
            token.kind = TokenKind::Symbol;
            token.text = two.toString();
            m_at += 2;
            return token;
        }
        if (QStringView(u"<>!(){}[],.-").contains(c)) {
            token.kind = TokenKind::Symbol;
            token.text = c;
            ++m_at;
            return token;
        }
        if (c == u'=')
            fail(token.column, u"\"=\" is not an operator; compare with \"==\""_s);
        if (c == u'&' || c == u'|')
            fail(token.column,
                u"\"%1\" is not an operator; use \"%1%1\" or \"%2\""_s.arg(c).arg(
                    c == u'&' ? u"and"_s : u"or"_s));
        fail(token.column, u"unexpected character \"%1\""_s.arg(c));
    }

    Token number(Token token)
    {
        const qsizetype start = m_at;
        while (m_at < m_text.size() && m_text[m_at].isDigit())
            ++m_at;
        if (m_at + 1 < m_text.size() && m_text[m_at] == u'.' && m_text[m_at + 1].isDigit()) {
            ++m_at;
            while (m_at < m_text.size() && m_text[m_at].isDigit())
                ++m_at;
        }
        bool ok = false;
        double value = m_text.sliced(start, m_at - start).toDouble(&ok);
        if (!ok)
            fail(token.column, u"\"%1\" is not a number"_s.arg(m_text.sliced(start, m_at - start)));
        if (m_at < m_text.size()) {
            // Size units, as in a "size > 4k" filter: powers of 1024.
            const QChar unit = m_text[m_at];
            const double scale = unit == u'k' ? 1024.0
                : unit == u'M'                ? 1048576.0
                : unit == u'G'                ? 1073741824.0
                                              : 0;
            if (scale > 0) {
                value *= scale;
                ++m_at;
            }
            if (m_at < m_text.size() && isNameChar(m_text[m_at]))
                fail(int(m_at) + 1,
                    u"\"%1\" after a number: units are k, M and G (x1024)"_s.arg(m_text[m_at]));
        }
        token.kind = TokenKind::Number;
        token.number = value;
        token.text = m_text.sliced(start, m_at - start).toString();
        return token;
    }

    Token string(Token token)
    {
        ++m_at; // the opening quote
        QByteArray bytes;
        QString pending; // text since the last raw byte, encoded as a whole (surrogate pairs stay whole)
        const auto unterminated
            = [&] { fail(token.column, u"the string that starts here has no closing \""_s); };
        for (;;) {
            if (m_at >= m_text.size())
                unterminated();
            const QChar c = m_text[m_at++];
            if (c == u'"')
                break;
            if (c != u'\\') {
                pending += c;
                continue;
            }
            if (m_at >= m_text.size())
                unterminated();
            const int escapeColumn = int(m_at);
            const QChar escaped = m_text[m_at++];
            switch (escaped.unicode()) {
            case '"':
            case '\\':
            case '/':
                pending += escaped;
                break;
            case 'n':
                pending += u'\n';
                break;
            case 't':
                pending += u'\t';
                break;
            case 'r':
                pending += u'\r';
                break;
            case '0':
                pending += QChar(0);
                break;
            case 'x':
            case 'u': {
                const qsizetype digits = escaped == u'x' ? 2 : 4;
                bool ok = m_at + digits <= m_text.size();
                const uint code = ok ? m_text.sliced(m_at, digits).toUInt(&ok, 16) : 0;
                if (!ok)
                    fail(escapeColumn, u"\\%1 needs %2 hex digits"_s.arg(escaped).arg(digits));
                m_at += digits;
                if (escaped == u'u') {
                    pending += QChar(char16_t(code));
                } else { // a byte as it is, for binary frames
                    bytes += pending.toUtf8();
                    pending.clear();
                    bytes += char(code);
                }
                break;
            }
            default:
                fail(escapeColumn,
                    u"unknown escape \\%1 in a string (known: \\\" \\\\ \\n \\t \\r \\0 \\xNN \\uNNNN)"_s.arg(
                        escaped));
            }
        }
        bytes += pending.toUtf8();
        token.kind = TokenKind::String;
        token.bytes = bytes;
        token.text = QString::fromUtf8(bytes);
        return token;
    }

    QStringView m_text;
    qsizetype m_at = 0;
};

} // namespace

std::vector<Token> tokenize(QStringView text)
{
    return Lexer(text).tokens();
}

} // namespace zmqscope::filter
