#include "displaytext.h"

#include <QLocale>
#include <QStringDecoder>

using namespace Qt::StringLiterals;

namespace zmqscope::displaytext {

namespace {

constexpr char16_t Ellipsis = u'\u2026';

// A preview cut at a byte limit may end inside a multi-byte sequence; that
// is not a reason to call the bytes binary.
qsizetype lengthWithoutIncompleteTail(const QByteArray &bytes)
{
    const qsizetype size = bytes.size();
    for (qsizetype back = 1; back <= 3 && back <= size; ++back) {
        const auto c = uchar(bytes[size - back]);
        if ((c & 0xC0) == 0x80)
            continue; // continuation byte: keep looking for the lead byte
        int needed = 1;
        if ((c & 0xE0) == 0xC0)
            needed = 2;
        else if ((c & 0xF0) == 0xE0)
            needed = 3;
        else if ((c & 0xF8) == 0xF0)
            needed = 4;
        return needed > back ? size - back : size;
    }
    return size;
}

bool decodeUtf8(const QByteArray &bytes, QString &out)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    out = decoder.decode(QByteArrayView(bytes).first(lengthWithoutIncompleteTail(bytes)));
    return !decoder.hasError();
}

bool isMostlyControl(QStringView text)
{
    qsizetype control = 0;
    for (const QChar c : text) {
        if (c == u'\0')
            return true;
        if (c.unicode() < 0x20 && c != u'\n' && c != u'\r' && c != u'\t')
            ++control;
    }
    return control * 8 > text.size();
}

void appendEscaped(QString &out, QChar c)
{
    switch (c.unicode()) {
    case u'\n':
        out += u"\\n"_s;
        return;
    case u'\r':
        out += u"\\r"_s;
        return;
    case u'\t':
        out += u"\\t"_s;
        return;
    default:
        break;
    }
    const auto code = c.unicode();
    if (code < 0x20 || code == 0x7F) {
        out += u"\\x"_s + QString::number(code, 16).rightJustified(2, u'0');
        return;
    }
    // Bidi overrides, zero-width and other invisible format characters could
    // make a line read differently from what it holds; show their code.
    if (c.category() == QChar::Other_Format || c.category() == QChar::Separator_Line
        || c.category() == QChar::Separator_Paragraph) {
        out += u"\\u"_s + QString::number(code, 16).rightJustified(4, u'0');
        return;
    }
    out += c;
}

QString hexOf(const QByteArray &bytes, int maxChars, BinaryStyle style, bool truncated)
{
    QString out;
    if (style == BinaryStyle::Compact) {
        const int maxBytes = qMax(1, (maxChars - 2) / 2);
        out = u"0x"_s + QString::fromLatin1(bytes.first(qMin<qsizetype>(bytes.size(), maxBytes)).toHex());
        if (truncated || bytes.size() > maxBytes)
            out += Ellipsis;
        return out;
    }
    const int maxBytes = qMax(1, maxChars / 3);
    out = QString::fromLatin1(bytes.first(qMin<qsizetype>(bytes.size(), maxBytes)).toHex(' '));
    if (truncated || bytes.size() > maxBytes)
        out += u' ' + QChar(Ellipsis);
    return out;
}

} // namespace

bool looksLikeText(const QByteArray &bytes)
{
    QString text;
    return decodeUtf8(bytes, text) && !isMostlyControl(text);
}

QString oneLine(const QByteArray &bytes, int maxChars, BinaryStyle style, bool truncated)
{
    QString text;
    if (!decodeUtf8(bytes, text) || isMostlyControl(text))
        return hexOf(bytes, maxChars, style, truncated);

    QString out;
    out.reserve(qMin<qsizetype>(text.size(), maxChars) + 8);
    qsizetype shown = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (shown >= maxChars) {
            truncated = true;
            break;
        }
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            out += c;
            out += text.at(++i);
        } else {
            appendEscaped(out, c);
        }
        ++shown;
    }
    if (truncated)
        out += Ellipsis;
    return out;
}

QString dataSize(std::uint64_t bytes)
{
    if (bytes < 1024)
        return u"%1 B"_s.arg(bytes);
    static constexpr const char16_t *units[] = { u"KiB", u"MiB", u"GiB", u"TiB" };
    double value = double(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return QLocale::c().toString(value, 'f', 1) + u' ' + QString::fromUtf16(units[unit]);
}

} // namespace zmqscope::displaytext
