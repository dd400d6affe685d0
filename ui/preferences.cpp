#include "preferences.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QLocale>
#include <QSettings>

#include "displaytext.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

// QSettings keys (organisation "ZmqScope", application "zmqscope"):
//   Retention/maxMessages       messages kept at most
//   Retention/maxMemory         bytes of message data kept at most
//   MessagesTable/previewChars  characters of body in the Preview column
//   Confirm/clearMessages       false once the user said not to ask before clearing messages
//   Confirm/quit                false once the user said not to ask before quitting
namespace {
const auto MaxMessagesKey = u"Retention/maxMessages"_s;
const auto MaxMemoryKey = u"Retention/maxMemory"_s;
const auto PreviewCharsKey = u"MessagesTable/previewChars"_s;
const auto ConfirmClearKey = u"Confirm/clearMessages"_s;
const auto ConfirmQuitKey = u"Confirm/quit"_s;

bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}
} // namespace

Preferences Preferences::load()
{
    const QSettings settings;
    Preferences preferences;
    bool ok = false;
    const qulonglong messages = settings.value(MaxMessagesKey).toULongLong(&ok);
    if (ok)
        preferences.maxMessages = std::clamp<std::uint64_t>(messages, MinMessages, MaxMessages);
    const qulonglong memory = settings.value(MaxMemoryKey).toULongLong(&ok);
    if (ok)
        preferences.maxMemory = std::clamp<std::uint64_t>(memory, MinMemory, MaxMemory);
    const int preview = settings.value(PreviewCharsKey).toInt(&ok);
    if (ok)
        preferences.previewChars = std::clamp(preview, MinPreviewChars, MaxPreviewChars);
    preferences.confirmClear = settings.value(ConfirmClearKey, true).toBool();
    preferences.confirmQuit = settings.value(ConfirmQuitKey, true).toBool();
    return preferences;
}

void Preferences::save() const
{
    QSettings settings;
    settings.setValue(MaxMessagesKey, qulonglong(maxMessages));
    settings.setValue(MaxMemoryKey, qulonglong(maxMemory));
    settings.setValue(PreviewCharsKey, previewChars);
    settings.setValue(ConfirmClearKey, confirmClear);
    settings.setValue(ConfirmQuitKey, confirmQuit);
}

MessageStore::Limits Preferences::limits(MessageStore::Limits base) const
{
    base.maxMessages = maxMessages;
    base.maxBytes = maxMemory;
    return base;
}

std::optional<std::uint64_t> parseDataSize(const QString &text)
{
    QString number = text.trimmed();
    // Split "1.5 GiB" into the number and its unit.
    qsizetype unitStart = 0;
    while (unitStart < number.size() && (isAsciiDigit(number.at(unitStart)) || number.at(unitStart) == u'.'))
        ++unitStart;
    QString unit = number.mid(unitStart).trimmed().toLower();
    number.truncate(unitStart);
    if (number.isEmpty() || number.startsWith(u'.') || number.endsWith(u'.'))
        return std::nullopt;

    static const QStringList units[] = {
        { QString(), u"b"_s },
        { u"k"_s, u"kb"_s, u"kib"_s },
        { u"m"_s, u"mb"_s, u"mib"_s },
        { u"g"_s, u"gb"_s, u"gib"_s },
        { u"t"_s, u"tb"_s, u"tib"_s },
    };
    int power = -1;
    for (int i = 0; i < 5; ++i) {
        if (units[i].contains(unit))
            power = i;
    }
    if (power < 0)
        return std::nullopt;
    const std::uint64_t multiplier = std::uint64_t { 1 } << (10 * power);

    if (!number.contains(u'.')) {
        bool ok = false;
        const qulonglong value = number.toULongLong(&ok);
        if (!ok || value > std::numeric_limits<std::uint64_t>::max() / multiplier)
            return std::nullopt;
        return std::uint64_t(value) * multiplier;
    }
    // A fraction only with a unit, and only when it comes out as whole bytes ("1.5G" yes, "1.5" no).
    if (power == 0 || number.count(u'.') > 1)
        return std::nullopt;
    bool ok = false;
    const double value = QLocale::c().toDouble(number, &ok) * double(multiplier);
    if (!ok || !std::isfinite(value) || value >= 18446744073709551616.0 || value != std::floor(value))
        return std::nullopt;
    return std::uint64_t(value);
}

std::optional<std::uint64_t> parseCount(const QString &text)
{
    QString digits = text.trimmed();
    digits.remove(u',');
    digits.remove(u'_');
    digits.remove(u'\'');
    if (digits.isEmpty() || !std::all_of(digits.cbegin(), digits.cend(), isAsciiDigit))
        return std::nullopt;
    bool ok = false;
    const qulonglong value = digits.toULongLong(&ok);
    return ok ? std::optional<std::uint64_t>(value) : std::nullopt;
}

Result<std::uint64_t> messageLimitFromText(const QString &text)
{
    const QLocale locale;
    const std::optional<std::uint64_t> count = parseCount(text);
    if (!count) {
        return Error(
            ErrorCode::InvalidOptionValue, u"\"%1\" is not a number of messages, e.g. 1000000"_s.arg(text));
    }
    if (*count < Preferences::MinMessages || *count > Preferences::MaxMessages) {
        return Error(ErrorCode::InvalidOptionValue,
            u"\"%1\" is out of range: keep between %2 and %3 messages"_s.arg(text,
                locale.toString(qulonglong(Preferences::MinMessages)),
                locale.toString(qulonglong(Preferences::MaxMessages))));
    }
    return *count;
}

Result<std::uint64_t> memoryLimitFromText(const QString &text)
{
    const std::optional<std::uint64_t> bytes = parseDataSize(text);
    if (!bytes) {
        return Error(ErrorCode::InvalidOptionValue,
            u"\"%1\" is not a size: give bytes or a number with K, M, G or T (binary units), e.g. 512M or 2G"_s
                .arg(text));
    }
    if (*bytes < Preferences::MinMemory || *bytes > Preferences::MaxMemory) {
        return Error(ErrorCode::InvalidOptionValue,
            u"\"%1\" is out of range: between %2 and %3"_s.arg(
                text, formatLimitSize(Preferences::MinMemory), formatLimitSize(Preferences::MaxMemory)));
    }
    return *bytes;
}

QString formatLimitSize(std::uint64_t bytes)
{
    static constexpr const char16_t *units[] = { u"B", u"KiB", u"MiB", u"GiB", u"TiB" };
    for (int power = 4; power >= 0; --power) {
        const std::uint64_t unit = std::uint64_t { 1 } << (10 * power);
        if (bytes >= unit && bytes % unit == 0 && (power > 0 || bytes < 1024))
            return u"%1 %2"_s.arg(bytes / unit).arg(QString::fromUtf16(units[power]));
    }
    return displaytext::dataSize(bytes);
}

} // namespace zmqscope
