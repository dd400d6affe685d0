#pragma once

// The values a filter expression compares: a field's value for one message (views, no copies of
// frames) and the literals written in the expression.

#include <algorithm>
#include <cstring>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonValue>
#include <QString>
#include <QStringView>

#include "filterregex_p.h"

namespace zmqscope::filter {

/// A literal of the expression, with its text kept both ways so bytes and text compare without work.
struct Literal
{
    enum class Kind
    {
        String,
        Number,
        Bool,
        Null,
    };
    Kind kind = Kind::Null;
    QString text; ///< for text fields (socket, type, JSON strings)
    QByteArray utf8; ///< for frames: the literal's bytes (\\xNN escapes raw)
    double number = 0;
    bool boolean = false;

    static Literal ofString(const QByteArray &bytes)
    {
        Literal literal;
        literal.kind = Kind::String;
        literal.utf8 = bytes;
        literal.text = QString::fromUtf8(bytes);
        return literal;
    }
    static Literal ofNumber(double number)
    {
        Literal literal;
        literal.kind = Kind::Number;
        literal.number = number;
        return literal;
    }
    static Literal ofBool(bool value)
    {
        Literal literal;
        literal.kind = Kind::Bool;
        literal.boolean = value;
        return literal;
    }
    static Literal null() { return {}; }
};

/// How a value compares with a literal: Unordered when they are of different kinds (not equal, not
/// less, not greater), Missing when the field is absent (nothing holds, not even "!=").
enum class Order
{
    Less,
    Equal,
    Greater,
    Unordered,
    Missing,
};

template<typename T> Order orderOf(const T &a, const T &b)
{
    return a < b ? Order::Less : b < a ? Order::Greater : Order::Equal;
}

/// A field's value for one message.
class Value
{
public:
    enum class Kind
    {
        Missing,
        Bytes, ///< a frame, part of one, or our own name as bytes
        Text, ///< a socket name or type, a JSON string
        Number,
        Bool,
        Null,
        Container, ///< a JSON object or array
    };

    Value() = default;
    static Value ofBytes(QByteArrayView bytes)
    {
        Value value(Kind::Bytes);
        value.m_bytes = bytes;
        return value;
    }
    static Value bytesOrMissing(std::optional<QByteArrayView> bytes)
    {
        return bytes ? ofBytes(*bytes) : Value();
    }
    static Value ofText(QStringView text)
    {
        Value value(Kind::Text);
        value.m_text = text;
        return value;
    }
    static Value ofNumber(double number)
    {
        Value value(Kind::Number);
        value.m_number = number;
        return value;
    }
    /// Text the value keeps (a JSON string).
    static Value ofOwnText(QString text)
    {
        Value value(Kind::Text);
        value.m_ownText = std::move(text);
        value.m_text = value.m_ownText;
        return value;
    }
    static Value ofJson(const QJsonValue &json)
    {
        switch (json.type()) {
        case QJsonValue::Undefined:
            return Value();
        case QJsonValue::Null:
            return Value(Kind::Null);
        case QJsonValue::Bool: {
            Value value(Kind::Bool);
            value.m_bool = json.toBool();
            return value;
        }
        case QJsonValue::Double:
            return ofNumber(json.toDouble());
        case QJsonValue::String:
            return ofOwnText(json.toString());
        case QJsonValue::Array:
        case QJsonValue::Object: {
            Value value(Kind::Container);
            value.m_json = json;
            return value;
        }
        }
        return Value();
    }

    Value(const Value &other) { *this = other; }
    Value &operator=(const Value &other)
    {
        if (this == &other)
            return *this;
        m_kind = other.m_kind;
        m_bytes = other.m_bytes;
        m_number = other.m_number;
        m_bool = other.m_bool;
        m_json = other.m_json;
        m_ownText = other.m_ownText;
        // A view of the other's own text must point at this copy's.
        m_text = other.m_text.data() == other.m_ownText.constData() ? QStringView(m_ownText) : other.m_text;
        return *this;
    }
    ~Value() = default;

    [[nodiscard]] bool isTruthy() const
    {
        switch (m_kind) {
        case Kind::Missing:
        case Kind::Null:
            return false;
        case Kind::Bytes:
            return !m_bytes.isEmpty();
        case Kind::Text:
            return !m_text.isEmpty();
        case Kind::Number:
            return m_number != 0;
        case Kind::Bool:
            return m_bool;
        case Kind::Container:
            return m_json.isArray() ? !m_json.toArray().isEmpty() : !m_json.toObject().isEmpty();
        }
        return false;
    }

    [[nodiscard]] Order compare(const Literal &literal) const
    {
        switch (m_kind) {
        case Kind::Missing:
            return Order::Missing;
        case Kind::Bytes:
            if (literal.kind == Literal::Kind::String)
                return orderOfInt(compareBytes(m_bytes, literal.utf8));
            if (literal.kind == Literal::Kind::Number)
                return numberOfText(QString::fromUtf8(m_bytes), literal.number);
            return Order::Unordered;
        case Kind::Text:
            if (literal.kind == Literal::Kind::String)
                return orderOfInt(m_text.compare(literal.text, Qt::CaseSensitive));
            if (literal.kind == Literal::Kind::Number)
                return numberOfText(m_text.toString(), literal.number);
            return Order::Unordered;
        case Kind::Number:
            return literal.kind == Literal::Kind::Number ? orderOf(m_number, literal.number)
                                                         : Order::Unordered;
        case Kind::Bool:
            return literal.kind == Literal::Kind::Bool
                ? (m_bool == literal.boolean ? Order::Equal : Order::Unordered)
                : Order::Unordered;
        case Kind::Null:
            return literal.kind == Literal::Kind::Null ? Order::Equal : Order::Unordered;
        case Kind::Container:
            return Order::Unordered;
        }
        return Order::Unordered;
    }

    [[nodiscard]] bool contains(const Literal &literal) const
    {
        switch (m_kind) {
        case Kind::Bytes:
            return literal.kind == Literal::Kind::String && m_bytes.contains(QByteArrayView(literal.utf8));
        case Kind::Text:
            return literal.kind == Literal::Kind::String && m_text.contains(literal.text);
        case Kind::Container:
            // An array contains an element equal to the literal; an object, a key named by it.
            if (m_json.isObject())
                return literal.kind == Literal::Kind::String && m_json.toObject().contains(literal.text);
            for (const QJsonValue element : m_json.toArray())
                if (ofJson(element).compare(literal) == Order::Equal)
                    return true;
            return false;
        default:
            return false;
        }
    }

    [[nodiscard]] bool matches(const Regex &regex) const
    {
        if (m_kind == Kind::Bytes)
            return regex.matches(m_bytes);
        if (m_kind == Kind::Text)
            return regex.matches(m_text);
        return false;
    }

private:
    explicit Value(Kind kind)
        : m_kind(kind)
    { }

    /// Byte by byte, unsigned, then the shorter first (as std::string compares).
    static int compareBytes(QByteArrayView a, QByteArrayView b)
    {
        const qsizetype common = std::min(a.size(), b.size());
        const int bytes = common > 0 ? std::memcmp(a.data(), b.data(), std::size_t(common)) : 0;
        if (bytes != 0)
            return bytes;
        return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
    }
    static Order orderOfInt(int comparison)
    {
        return comparison < 0 ? Order::Less : comparison > 0 ? Order::Greater : Order::Equal;
    }
    /// Bytes or text compared with a number: read as a decimal number, else of another kind.
    static Order numberOfText(const QString &text, double number)
    {
        bool ok = false;
        const double value = text.trimmed().toDouble(&ok);
        return ok ? orderOf(value, number) : Order::Unordered;
    }

    Kind m_kind = Kind::Missing;
    QByteArrayView m_bytes;
    QStringView m_text;
    QString m_ownText; ///< a JSON string's text (m_text views it)
    double m_number = 0;
    bool m_bool = false;
    QJsonValue m_json;
};

} // namespace zmqscope::filter
