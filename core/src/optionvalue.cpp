#include <zmqscope/optionvalue.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

Error wrongKind(const QString &expected, const OptionValue &value)
{
    return Error(ErrorCode::InvalidOptionValue,
                 u"expected %1, got %2"_s.arg(expected, value.toDisplayString()));
}

} // namespace

std::int64_t OptionValue::toInt() const
{
    if (const auto *i = std::get_if<std::int64_t>(&m_value))
        return *i;
    if (const auto *b = std::get_if<bool>(&m_value))
        return *b ? 1 : 0;
    throw wrongKind(u"an integer"_s, *this);
}

bool OptionValue::toBool() const
{
    if (const auto *b = std::get_if<bool>(&m_value))
        return *b;
    if (const auto *i = std::get_if<std::int64_t>(&m_value); i && (*i == 0 || *i == 1))
        return *i == 1;
    throw wrongKind(u"a boolean (0/1, true/false)"_s, *this);
}

QByteArray OptionValue::toBytes() const
{
    if (const auto *bytes = std::get_if<QByteArray>(&m_value))
        return *bytes;
    throw wrongKind(u"bytes"_s, *this);
}

QString OptionValue::toDisplayString() const
{
    if (const auto *i = std::get_if<std::int64_t>(&m_value))
        return QString::number(*i);
    if (const auto *b = std::get_if<bool>(&m_value))
        return *b ? u"true"_s : u"false"_s;
    if (const auto *bytes = std::get_if<QByteArray>(&m_value)) {
        // Show printable ASCII as is and everything else escaped, so a message never carries raw bytes.
        QString shown;
        for (const char c : *bytes) {
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0x20 && u < 0x7f && c != '"' && c != '\\')
                shown.append(QLatin1Char(c));
            else
                shown.append(u"\\x%1"_s.arg(uint(u), 2, 16, QChar(u'0')));
        }
        return u"\"%1\""_s.arg(shown);
    }
    return u"nothing"_s;
}

OptionValue OptionValue::fromText(const OptionInfo &option, const QString &text)
{
    const auto fail = [&](const QString &expected) {
        return Error(ErrorCode::InvalidOptionValue, u"option %1 expects %2, got \"%3\""_s.arg(
                                                         QLatin1StringView(option.name), expected, text));
    };
    switch (option.kind) {
    case OptionKind::Int:
    case OptionKind::Int64: {
        bool ok = false;
        const qlonglong value = text.trimmed().toLongLong(&ok);
        if (!ok)
            throw fail(optionKindName(option.kind));
        return OptionValue(std::int64_t { value });
    }
    case OptionKind::Bool: {
        const QString t = text.trimmed().toLower();
        if (t == u"1"_s || t == u"true"_s || t == u"yes"_s || t == u"on"_s)
            return OptionValue(true);
        if (t == u"0"_s || t == u"false"_s || t == u"no"_s || t == u"off"_s)
            return OptionValue(false);
        throw fail(optionKindName(option.kind));
    }
    case OptionKind::Bytes:
    case OptionKind::Text:
        return OptionValue(text.toUtf8());
    case OptionKind::CurveKey: {
        // Typed keys are Z85 text (32 binary bytes cannot be typed); check it here so the message names it.
        static constexpr QLatin1StringView z85Alphabet(
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#");
        const QString key = text.trimmed();
        const bool z85 = key.size() == 40
            && std::all_of(key.begin(), key.end(), [](QChar c) { return z85Alphabet.contains(c); });
        if (!z85)
            throw fail(optionKindName(option.kind));
        return OptionValue(key.toLatin1());
    }
    }
    throw fail(optionKindName(option.kind));
}

} // namespace zmqscope
