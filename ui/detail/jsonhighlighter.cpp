#include "detail/jsonhighlighter.h"

namespace zmqscope {

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    setBaseColor(Qt::white);
}

void JsonHighlighter::setBaseColor(const QColor &base)
{
    const bool dark = base.lightnessF() < 0.5;
    // Light and dark sets in the spirit of IntelliJ's default and Darcula JSON colours.
    m_key.setForeground(dark ? QColor(0x98, 0x76, 0xaa) : QColor(0x87, 0x10, 0x94));
    m_string.setForeground(dark ? QColor(0x6a, 0xab, 0x73) : QColor(0x06, 0x7d, 0x17));
    m_number.setForeground(dark ? QColor(0x68, 0x97, 0xbb) : QColor(0x17, 0x50, 0xeb));
    m_literal.setForeground(dark ? QColor(0xcc, 0x78, 0x32) : QColor(0x00, 0x33, 0xb3));
    m_literal.setFontWeight(QFont::Bold);
    rehighlight();
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    const auto length = text.size();
    qsizetype i = 0;
    while (i < length) {
        const QChar c = text[i];
        if (c == u'"') {
            qsizetype end = i + 1;
            while (end < length && text[end] != u'"')
                end += text[end] == u'\\' ? 2 : 1;
            end = std::min(end + 1, length);
            // A string followed by a colon is a key.
            qsizetype next = end;
            while (next < length && text[next].isSpace())
                ++next;
            const bool isKey = next < length && text[next] == u':';
            setFormat(static_cast<int>(i), static_cast<int>(end - i), isKey ? m_key : m_string);
            i = end;
        } else if (c == u'-' || c.isDigit()) {
            qsizetype end = i + 1;
            while (end < length
                && (text[end].isDigit() || text[end] == u'.' || text[end] == u'e' || text[end] == u'E'
                    || text[end] == u'+' || text[end] == u'-'))
                ++end;
            setFormat(static_cast<int>(i), static_cast<int>(end - i), m_number);
            i = end;
        } else if (c.isLetter()) {
            qsizetype end = i + 1;
            while (end < length && text[end].isLetter())
                ++end;
            const auto word = QStringView(text).sliced(i, end - i);
            if (word == u"true" || word == u"false" || word == u"null")
                setFormat(static_cast<int>(i), static_cast<int>(end - i), m_literal);
            i = end;
        } else {
            ++i;
        }
    }
}

} // namespace zmqscope
