#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <zmqscope/optionvalue.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

Error wrongKind(const QString &expected, const OptionValue &value)
{
    return Error(
        ErrorCode::InvalidOptionValue, u"expected %1, got %2"_s.arg(expected, value.toDisplayString()));
}

// The integers libzmq gives a meaning to. It takes some others without a word (maxmsgsize=-5 acts
// as "no limit", affinity=-1 as "every I/O thread"), so a typo would pass unnoticed; the rest of
// the Int options must at least fit in an int.
struct IntRange
{
    const char *name;
    std::int64_t minimum;
    std::int64_t maximum;
    const char *minimumMeaning; // what the minimum means when it is special, else nullptr
};

constexpr std::int64_t IntMax = std::numeric_limits<int>::max();
constexpr std::array intRanges {
    IntRange { "affinity", 0, std::numeric_limits<std::int64_t>::max(), "no I/O thread preference" },
    IntRange { "backlog", 0, IntMax, nullptr },
    IntRange { "connect_timeout", 0, IntMax, "no timeout" },
    IntRange { "handshake_ivl", 0, IntMax, "no timeout" },
    IntRange { "heartbeat_ivl", 0, IntMax, "off" },
    IntRange { "heartbeat_timeout", 0, IntMax, nullptr },
    IntRange { "heartbeat_ttl", 0, 6553599, nullptr },
    IntRange { "linger", -1, IntMax, "wait forever" },
    IntRange { "maxmsgsize", -1, std::numeric_limits<std::int64_t>::max(), "no limit" },
    IntRange { "rcvbuf", -1, IntMax, "the system default" },
    IntRange { "rcvhwm", 0, IntMax, "no limit" },
    IntRange { "rcvtimeo", -1, IntMax, "wait forever" },
    IntRange { "reconnect_ivl", -1, IntMax, "no reconnection" },
    IntRange { "reconnect_ivl_max", 0, IntMax, "reconnect_ivl only" },
    IntRange { "sndbuf", -1, IntMax, "the system default" },
    IntRange { "sndhwm", 0, IntMax, "no limit" },
    IntRange { "sndtimeo", -1, IntMax, "wait forever" },
    IntRange { "tcp_keepalive", -1, 1, "the system default" },
    IntRange { "tcp_keepalive_cnt", -1, IntMax, "the system default" },
    IntRange { "tcp_keepalive_idle", -1, IntMax, "the system default" },
    IntRange { "tcp_keepalive_intvl", -1, IntMax, "the system default" },
};

IntRange intRange(const OptionInfo &option)
{
    for (const IntRange &range : intRanges) {
        if (std::strcmp(range.name, option.name) == 0)
            return range;
    }
    if (option.kind == OptionKind::Int64)
        return IntRange { option.name, std::numeric_limits<std::int64_t>::min(),
            std::numeric_limits<std::int64_t>::max(), nullptr };
    return IntRange { option.name, std::numeric_limits<int>::min(), IntMax, nullptr };
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
        return Error(ErrorCode::InvalidOptionValue,
            u"option %1 expects %2, got \"%3\""_s.arg(QLatin1StringView(option.name), expected, text));
    };
    switch (option.kind) {
    case OptionKind::Int:
    case OptionKind::Int64: {
        bool ok = false;
        const qlonglong value = text.trimmed().toLongLong(&ok);
        if (!ok)
            throw fail(optionKindName(option.kind));
        const IntRange range = intRange(option);
        if (value < range.minimum || value > range.maximum)
            throw fail(u"an integer from %1%2 to %3"_s.arg(QString::number(range.minimum),
                range.minimumMeaning ? u" (%1)"_s.arg(QLatin1StringView(range.minimumMeaning)) : QString(),
                QString::number(range.maximum)));
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
