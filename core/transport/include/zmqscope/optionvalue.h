#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <QByteArray>
#include <QString>

#include <zmqscope/names.h>

namespace zmqscope {

/**
 * A socket option value: an integer, a boolean or bytes. Constructible from
 * the natural C++ values so that option lists read like the seed's dicts:
 * `{{"linger", 0}, {"subscribe", "temp."}, {"immediate", true}}`.
 */
class OptionValue
{
public:
    OptionValue() = default;
    OptionValue(int value)
        : m_value(std::int64_t { value })
    { }
    OptionValue(std::int64_t value)
        : m_value(value)
    { }
    OptionValue(bool value)
        : m_value(value)
    { }
    OptionValue(const char *bytes)
        : m_value(QByteArray(bytes))
    { }
    OptionValue(std::string_view bytes)
        : m_value(QByteArray(bytes.data(), qsizetype(bytes.size())))
    { }
    OptionValue(const std::string &bytes)
        : OptionValue(std::string_view(bytes))
    { }
    OptionValue(QByteArray bytes)
        : m_value(std::move(bytes))
    { }
    OptionValue(const QString &text)
        : m_value(text.toUtf8())
    { }

    [[nodiscard]] bool isNull() const noexcept { return std::holds_alternative<std::monostate>(m_value); }
    [[nodiscard]] bool isInt() const noexcept { return std::holds_alternative<std::int64_t>(m_value); }
    [[nodiscard]] bool isBool() const noexcept { return std::holds_alternative<bool>(m_value); }
    [[nodiscard]] bool isBytes() const noexcept { return std::holds_alternative<QByteArray>(m_value); }

    /// The integer; a bool reads as 0/1. Throws InvalidOptionValue for bytes.
    [[nodiscard]] std::int64_t toInt() const;
    /// The boolean; an integer 0/1 reads as false/true. Throws InvalidOptionValue otherwise.
    [[nodiscard]] bool toBool() const;
    /// The bytes. Throws InvalidOptionValue for numbers.
    [[nodiscard]] QByteArray toBytes() const;

    /// A human-readable rendering for messages and the UI ("100", "true", "\"abc\"").
    [[nodiscard]] QString toDisplayString() const;

    /**
     * Parses text typed by a person (CLI `--option NAME=VALUE`, the options
     * editor) into the kind the option takes. Throws InvalidOptionValue naming
     * the option and the text when it does not fit (e.g. "abc" for linger).
     * CURVE keys must be typed as 40 Z85 characters.
     */
    [[nodiscard]] static OptionValue fromText(const OptionInfo &option, const QString &text);

    friend bool operator==(const OptionValue &, const OptionValue &) = default;

private:
    std::variant<std::monostate, std::int64_t, bool, QByteArray> m_value;
};

/// Options applied in order by Socket::bindNew / connectNew.
using Options = std::vector<std::pair<std::string, OptionValue>>;

} // namespace zmqscope
