#include <QChar>

#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope::textescape {

namespace {

void appendHexByte(QString &out, unsigned int byte)
{
    out += u"\\x"_s + QString::number(byte, 16).rightJustified(2, u'0');
}

void appendCodePoint(QString &out, char32_t c, bool quoted)
{
    if (quoted && (c == U'"' || c == U'\\')) {
        out += u'\\';
        out += QChar(char16_t(c));
    } else if (c >= 0x20 && c < 0x7f) {
        out += QChar(char16_t(c));
    } else if (isInvisible(c)) {
        out += codePointEscape(c);
    } else {
        out += QStringView(QChar::fromUcs4(c));
    }
}

} // namespace

Utf8Sequence decodeUtf8At(QByteArrayView bytes, qsizetype index) noexcept
{
    const auto lead = static_cast<unsigned char>(bytes[index]);
    if (lead < 0x80)
        return { lead, 1 };
    int length = 0;
    char32_t c = 0;
    // Bounds of the second byte that exclude overlong forms, surrogates and values beyond U+10FFFF.
    unsigned char min = 0x80;
    unsigned char max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        c = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        c = lead & 0x0f;
        if (lead == 0xe0)
            min = 0xa0;
        else if (lead == 0xed)
            max = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        c = lead & 0x07;
        if (lead == 0xf0)
            min = 0x90;
        else if (lead == 0xf4)
            max = 0x8f;
    } else {
        return {};
    }
    for (int k = 1; k < length; ++k) {
        if (index + k >= bytes.size())
            return { 0, -1 };
        const auto next = static_cast<unsigned char>(bytes[index + k]);
        if (next < (k == 1 ? min : 0x80) || next > (k == 1 ? max : 0xbf))
            return {};
        c = (c << 6) | (next & 0x3f);
    }
    return { c, length };
}

bool isValidUtf8(QByteArrayView bytes, bool allowCutEnd) noexcept
{
    qsizetype i = 0;
    while (i < bytes.size()) {
        const auto sequence = decodeUtf8At(bytes, i);
        if (sequence.length == 0)
            return false;
        if (sequence.length < 0)
            return allowCutEnd; // only the last sequence can be cut off
        i += sequence.length;
    }
    return true;
}

qsizetype utf8PrefixLength(QByteArrayView bytes, qsizetype maxBytes) noexcept
{
    if (maxBytes >= bytes.size())
        return bytes.size();
    if (maxBytes <= 0)
        return 0;
    // Walk back over at most three continuation bytes to the lead byte of the sequence
    // that the cut falls into; cut before it when it does not end before the cut.
    qsizetype lead = maxBytes;
    while (lead > 0 && maxBytes - lead < 4 && (static_cast<unsigned char>(bytes[lead]) & 0xc0) == 0x80)
        --lead;
    if (lead == maxBytes)
        return maxBytes;
    const auto length = decodeUtf8At(bytes, lead).length;
    if (length > 0 && lead + length > maxBytes)
        return lead;
    return maxBytes;
}

bool looksLikeText(QByteArrayView bytes, bool allowCutEnd) noexcept
{
    qsizetype characters = 0;
    qsizetype controls = 0;
    qsizetype i = 0;
    while (i < bytes.size()) {
        const auto sequence = decodeUtf8At(bytes, i);
        if (sequence.length == 0 || (sequence.length < 0 && !allowCutEnd))
            return false;
        if (sequence.length < 0)
            break;
        const char32_t c = sequence.codePoint;
        if (c == 0)
            return false;
        if ((c < 0x20 && c != U'\t' && c != U'\n' && c != U'\r' && c != U'\f') || c == 0x7f)
            ++controls;
        ++characters;
        i += sequence.length;
    }
    return controls * 8 <= characters;
}

bool isInvisible(char32_t codePoint) noexcept
{
    switch (QChar::category(codePoint)) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_NotAssigned:
    case QChar::Other_PrivateUse:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    default:
        return false;
    }
}

QString codePointEscape(char32_t codePoint)
{
    switch (codePoint) {
    case U'\n':
        return u"\\n"_s;
    case U'\r':
        return u"\\r"_s;
    case U'\t':
        return u"\\t"_s;
    default:
        break;
    }
    QString out;
    if (codePoint < 0x80)
        appendHexByte(out, codePoint);
    else
        out = u"\\u{"_s + QString::number(codePoint, 16) + u'}';
    return out;
}

QString escape(QByteArrayView bytes, const EscapeOptions &options)
{
    const qsizetype end = options.maxBytes >= 0 ? qMin(bytes.size(), options.maxBytes) : bytes.size();
    const QByteArrayView view = bytes.first(end);
    bool cut = options.moreFollows || end < bytes.size();
    QString out;
    out.reserve((options.maxChars >= 0 ? qMin(end, options.maxChars) : end) + 4);
    if (options.quoted)
        out += u'"';
    qsizetype i = 0;
    qsizetype shown = 0;
    while (i < view.size()) {
        if (options.maxChars >= 0 && shown >= options.maxChars) {
            cut = true;
            break;
        }
        const auto sequence = decodeUtf8At(view, i);
        if (sequence.length < 0 && cut)
            break; // the rest of this character is beyond the cut
        if (sequence.length <= 0) {
            // Only this byte: the text after it is read again from the next one.
            appendHexByte(out, static_cast<unsigned char>(view[i]));
            ++i;
        } else {
            appendCodePoint(out, sequence.codePoint, options.quoted);
            i += sequence.length;
        }
        ++shown;
    }
    if (cut)
        out += options.cutMarker;
    if (options.quoted)
        out += u'"';
    return out;
}

} // namespace zmqscope::textescape
