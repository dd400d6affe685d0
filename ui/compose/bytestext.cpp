#include "bytestext.h"

#include <QStringDecoder>

using namespace Qt::StringLiterals;

namespace BytesText {

namespace {

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

} // namespace

zmqscope::Result<QByteArray> parseHex(const QString &text)
{
    QByteArray bytes;
    bytes.reserve(text.size() / 2);
    int pending = -1; // high nibble waiting for its low nibble
    qsizetype digits = 0;
    qsizetype i = 0;
    // A single leading 0x is accepted because people paste C and Python literals.
    while (i < text.size() && text.at(i).isSpace())
        ++i;
    if (i + 1 < text.size() && text.at(i) == u'0' && (text.at(i + 1) == u'x' || text.at(i + 1) == u'X'))
        i += 2;
    for (; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isSpace())
            continue;
        const int value = hexValue(c);
        if (value < 0) {
            const QString shown = c.isPrint() ? QString(c) : u"U+%1"_s.arg(c.unicode(), 4, 16, QChar(u'0'));
            return zmqscope::Error(zmqscope::ErrorCode::InvalidBody,
                u"'%1' at position %2 is not a hex digit"_s.arg(shown).arg(i + 1));
        }
        ++digits;
        if (pending < 0) {
            pending = value;
        } else {
            bytes.append(char((pending << 4) | value));
            pending = -1;
        }
    }
    if (pending >= 0)
        return zmqscope::Error(zmqscope::ErrorCode::InvalidBody,
            u"odd number of hex digits (%1); every byte needs two"_s.arg(digits));
    return bytes;
}

QString toHex(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toHex(' '));
}

bool isEditableText(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if ((u < 0x20 && u != u'\t' && u != u'\n' && u != u'\r') || u == 0x7f)
            return false;
    }
    // A BOM would be dropped by some editors; keep such bytes in hex so they survive.
    return !bytes.startsWith("\xef\xbb\xbf");
}

Format preferredFormat(const QByteArray &bytes)
{
    return isEditableText(bytes) ? Format::Text : Format::Hex;
}

QString toEditable(const QByteArray &bytes, Format format)
{
    return format == Format::Hex ? toHex(bytes) : QString::fromUtf8(bytes);
}

zmqscope::Result<QByteArray> fromEditable(const QString &text, Format format)
{
    if (format == Format::Hex)
        return parseHex(text);
    return text.toUtf8();
}

} // namespace BytesText
