#include "displaytext.h"

#include <QLocale>

#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope::displaytext {

namespace {

constexpr char16_t Ellipsis = u'\u2026';

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
    // A preview cut at a byte limit may end inside a multi-byte sequence; that
    // is not a reason to call the bytes binary.
    return textescape::looksLikeText(bytes, true);
}

QString oneLine(const QByteArray &bytes, int maxChars, BinaryStyle style, bool truncated)
{
    if (!looksLikeText(bytes))
        return hexOf(bytes, maxChars, style, truncated);
    textescape::EscapeOptions options;
    options.maxChars = maxChars;
    options.moreFollows = truncated;
    return textescape::escape(bytes, options);
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
