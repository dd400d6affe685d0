// The filter language of DESIGN.md section 12: a hand-written recursive-descent parser (the grammar
// is small and its errors must name a column) into an immutable tree, evaluated per message over
// views of its frames. The tokens come from filterlexer.cpp; the values compared are in
// filtervalue_p.h.

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>

#include <zmqscope/analysis/filterexpression.h>
#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/analysis/messageparts.h>
#include <zmqscope/envelope.h>

#include "filterlexer_p.h"
#include "filtervalue_p.h"
#include "jsonscan_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

using filter::fail;
using filter::isNameChar;
using filter::isNameStart;
using filter::JsonScalar;
using filter::Literal;
using filter::PathStep;
using filter::Token;
using filter::TokenKind;
using filter::Value;

namespace {

const QStringList &fieldNames()
{
    static const QStringList names { u"id"_s, u"mimetype"_s, u"socket"_s, u"type"_s, u"dir"_s, u"peer"_s,
        u"size"_s, u"frames"_s, u"frame"_s, u"body"_s, u"json"_s };
    return names;
}

// ---- the tree ------------------------------------------------------------------------------------

enum class FieldKind
{
    Id,
    Mimetype,
    Socket,
    Type,
    Dir,
    Peer,
    Size,
    Frames,
    Frame,
    Body,
    Json,
};

struct Field
{
    FieldKind kind = FieldKind::Body;
    qsizetype frameIndex = 0; ///< frame[N]; negative counts from the end
    std::vector<PathStep> path; ///< json
    QString name; ///< as written, for messages
};

enum class Operator
{
    Truthy,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Contains,
    Matches,
    In,
};

/// The per-message state of one matches() call: the envelope layout and the JSON body, each
/// worked out once and only when a field asks.
class Evaluation
{
public:
    explicit Evaluation(const FilterSubject &subject)
        : m_subject(subject)
    { }

    Value field(const Field &field);

private:
    const EnvelopeLayout &layout()
    {
        if (!m_layout)
            m_layout = envelopeLayout(qsizetype(m_subject.frames.size()),
                [this](qsizetype i) { return m_subject.frames[std::size_t(i)].size(); });
        return *m_layout;
    }
    std::optional<QByteArrayView> envelopePart(qsizetype (*index)(qsizetype) noexcept)
    {
        if (layout().kind == MessageKind::Raw)
            return std::nullopt;
        return m_subject.frames[std::size_t(index(qsizetype(m_subject.frames.size())))];
    }
    std::optional<QByteArrayView> jsonText();
    const QJsonValue &json();
    Value jsonField(const Field &field);

    const FilterSubject &m_subject;
    std::optional<EnvelopeLayout> m_layout;
    std::optional<QJsonValue> m_json;
    QByteArray m_peerHex;
};

/// The body as JSON text would be read: trimmed; nullopt when there is no body or only whitespace.
std::optional<QByteArrayView> Evaluation::jsonText()
{
    std::optional<QByteArrayView> body = envelopePart(&EnvelopeLayout::bodyIndex);
    if (!body && !m_subject.frames.empty())
        body = m_subject.frames.back();
    if (!body || body->trimmed().isEmpty())
        return std::nullopt;
    return body->trimmed();
}

const QJsonValue &Evaluation::json()
{
    if (!m_json)
        m_json = JsonPath::documentOf(m_subject);
    return *m_json;
}

/// The value at path in value; Undefined where the path leads nowhere.
template<typename Step> QJsonValue walk(QJsonValue value, const std::vector<Step> &path)
{
    for (const Step &step : path) {
        if (step.index >= 0)
            value = value.isArray() ? value.toArray().at(step.index) : QJsonValue(QJsonValue::Undefined);
        else
            value = value.isObject() ? value.toObject().value(step.key) : QJsonValue(QJsonValue::Undefined);
        if (value.isUndefined())
            break;
    }
    return value;
}

Value Evaluation::field(const Field &field)
{
    switch (field.kind) {
    case FieldKind::Id:
        return Value::bytesOrMissing(envelopePart(&EnvelopeLayout::idIndex));
    case FieldKind::Mimetype:
        return Value::bytesOrMissing(envelopePart(&EnvelopeLayout::mimetypeIndex));
    case FieldKind::Body:
        if (const auto body = envelopePart(&EnvelopeLayout::bodyIndex))
            return Value::ofBytes(*body);
        return m_subject.frames.empty() ? Value() : Value::ofBytes(m_subject.frames.back());
    case FieldKind::Socket:
        return Value::ofText(m_subject.socket);
    case FieldKind::Type:
        return Value::ofText(m_subject.type);
    case FieldKind::Dir:
        return Value::ofBytes(directionName(m_subject.direction));
    case FieldKind::Peer:
        if (m_peerHex.isEmpty() && !m_subject.peer.isEmpty())
            m_peerHex = m_subject.peer.toByteArray().toHex();
        return m_subject.peer.isEmpty() ? Value() : Value::ofBytes(m_peerHex);
    case FieldKind::Size: {
        if (m_subject.size >= 0)
            return Value::ofNumber(double(m_subject.size));
        double total = 0;
        for (const QByteArrayView frame : m_subject.frames)
            total += double(frame.size());
        return Value::ofNumber(total);
    }
    case FieldKind::Frames:
        return Value::ofNumber(double(m_subject.frames.size()));
    case FieldKind::Frame: {
        const qsizetype count = qsizetype(m_subject.frames.size());
        const qsizetype index = field.frameIndex < 0 ? count + field.frameIndex : field.frameIndex;
        if (index < 0 || index >= count)
            return Value();
        return Value::ofBytes(m_subject.frames[std::size_t(index)]);
    }
    case FieldKind::Json:
        return jsonField(field);
    }
    return Value();
}

Value Evaluation::jsonField(const Field &field)
{
    // The text's own scalar at the path, when the scanner is sure of it, spares building the document
    // (most of a filter's time over JSON bodies); once the document is built, it answers every path.
    if (!m_json && !m_subject.decoded && !field.path.empty()) {
        const std::optional<QByteArrayView> text = jsonText();
        if (!text)
            return Value();
        const JsonScalar scalar = filter::scanJsonPath(*text, field.path);
        switch (scalar.kind) {
        case JsonScalar::Kind::Unsure:
            break;
        case JsonScalar::Kind::Missing:
            return Value();
        case JsonScalar::Kind::Null:
            return Value::ofJson(QJsonValue(QJsonValue::Null));
        case JsonScalar::Kind::Bool:
            return Value::ofJson(QJsonValue(scalar.boolean));
        case JsonScalar::Kind::Number:
            return Value::ofNumber(scalar.number);
        case JsonScalar::Kind::String:
            return Value::ofOwnText(QString::fromLatin1(scalar.text));
        }
    }
    return Value::ofJson(walk(json(), field.path));
}

} // namespace

struct FilterExpression::Node
{
    enum class Kind
    {
        And,
        Or,
        Not,
        Test,
    };
    Kind kind = Kind::Test;
    std::unique_ptr<const Node> left;
    std::unique_ptr<const Node> right; ///< And, Or
    // Test:
    Field field;
    Operator op = Operator::Truthy;
    std::vector<Literal> literals; ///< one, or the set of `in`
    std::optional<filter::Regex> regex;

    bool evaluate(Evaluation &evaluation) const
    {
        switch (kind) {
        case Kind::And:
            return left->evaluate(evaluation) && right->evaluate(evaluation);
        case Kind::Or:
            return left->evaluate(evaluation) || right->evaluate(evaluation);
        case Kind::Not:
            return !left->evaluate(evaluation);
        case Kind::Test:
            break;
        }
        const Value value = evaluation.field(field);
        switch (op) {
        case Operator::Truthy:
            return value.isTruthy();
        case Operator::Equal:
            return value.compare(literals.front()) == filter::Order::Equal;
        case Operator::NotEqual: {
            const filter::Order order = value.compare(literals.front());
            return order != filter::Order::Equal && order != filter::Order::Missing;
        }
        case Operator::Less:
            return value.compare(literals.front()) == filter::Order::Less;
        case Operator::LessOrEqual: {
            const filter::Order order = value.compare(literals.front());
            return order == filter::Order::Less || order == filter::Order::Equal;
        }
        case Operator::Greater:
            return value.compare(literals.front()) == filter::Order::Greater;
        case Operator::GreaterOrEqual: {
            const filter::Order order = value.compare(literals.front());
            return order == filter::Order::Greater || order == filter::Order::Equal;
        }
        case Operator::Contains:
            return value.contains(literals.front());
        case Operator::Matches:
            return value.matches(*regex);
        case Operator::In:
            for (const Literal &literal : literals)
                if (value.compare(literal) == filter::Order::Equal)
                    return true;
            return false;
        }
        return false;
    }
};

namespace {

using Node = FilterExpression::Node;

class Parser
{
public:
    Parser(std::vector<Token> tokens, int endColumn)
        : m_tokens(std::move(tokens))
        , m_endColumn(endColumn)
    { }

    std::unique_ptr<const Node> parseAll()
    {
        if (peek().kind == TokenKind::End)
            fail(1, u"the filter is empty"_s);
        auto root = orExpression();
        if (peek().kind != TokenKind::End)
            fail(peek().column,
                u"unexpected %1 after a complete expression; join conditions with \"and\" or \"or\""_s.arg(
                    describe(peek())));
        return root;
    }

    /// A JSON path alone (JsonPath::parse): a json field and nothing after it.
    JsonPath parsePath()
    {
        const Token &first = peek();
        if (first.kind != TokenKind::Name || first.text != u"json"_s)
            fail(first.kind == TokenKind::End ? m_endColumn : first.column,
                u"expected a JSON path such as json.a.b[2], found %1"_s.arg(describe(first)));
        const Field path = field();
        if (peek().kind != TokenKind::End)
            fail(peek().column, u"unexpected %1 after the JSON path %2"_s.arg(describe(peek()), path.name));
        std::vector<JsonPath::Step> steps;
        for (const PathStep &step : path.path)
            steps.push_back({ step.key, step.index });
        return JsonPath(std::move(steps));
    }

    bool usesJson = false;

private:
    const Token &peek() const { return m_tokens[m_at]; }
    const Token &take() { return m_tokens[m_at++]; }
    bool isSymbol(const QString &symbol) const
    {
        return peek().kind == TokenKind::Symbol && peek().text == symbol;
    }
    bool isName(const QString &name) const { return peek().kind == TokenKind::Name && peek().text == name; }
    static QString describe(const Token &token)
    {
        switch (token.kind) {
        case TokenKind::End:
            return u"the end"_s;
        case TokenKind::String:
            return u"a string"_s;
        case TokenKind::Number:
            return u"the number %1"_s.arg(token.text);
        case TokenKind::Name:
        case TokenKind::Symbol:
            return u"\"%1\""_s.arg(token.text);
        }
        return {};
    }

    /// What evaluating a node costs, roughly: a json. field parses the body (once per message), a
    /// regular expression runs, other fields are views of bytes.
    static int cost(const Node &node)
    {
        switch (node.kind) {
        case Node::Kind::And:
        case Node::Kind::Or:
            return cost(*node.left) + cost(*node.right);
        case Node::Kind::Not:
            return cost(*node.left);
        case Node::Kind::Test:
            break;
        }
        return 1 + (node.field.kind == FieldKind::Json ? 8 : 0) + (node.regex ? 2 : 0);
    }

    std::unique_ptr<const Node> combine(
        Node::Kind kind, std::unique_ptr<const Node> left, std::unique_ptr<const Node> right)
    {
        // Conditions have no effects, so `and` and `or` may try the cheaper side first and often skip
        // the other: `json.seq > 10 and id matches "^a"` parses the JSON only of the ids that match.
        if ((kind == Node::Kind::And || kind == Node::Kind::Or) && cost(*right) < cost(*left))
            std::swap(left, right);
        auto node = std::make_unique<Node>();
        node->kind = kind;
        node->left = std::move(left);
        node->right = std::move(right);
        return node;
    }

    std::unique_ptr<const Node> orExpression()
    {
        auto left = andExpression();
        while (isName(u"or"_s) || isSymbol(u"||"_s)) {
            const Token &op = take();
            expectOperand(op);
            left = combine(Node::Kind::Or, std::move(left), andExpression());
        }
        return left;
    }

    std::unique_ptr<const Node> andExpression()
    {
        auto left = unary();
        while (isName(u"and"_s) || isSymbol(u"&&"_s)) {
            const Token &op = take();
            expectOperand(op);
            left = combine(Node::Kind::And, std::move(left), unary());
        }
        return left;
    }

    void expectOperand(const Token &op)
    {
        if (peek().kind == TokenKind::End)
            fail(m_endColumn, u"expected a condition after \"%1\""_s.arg(op.text));
    }

    std::unique_ptr<const Node> unary()
    {
        if (isName(u"not"_s) || isSymbol(u"!"_s)) {
            const Token &op = take();
            expectOperand(op);
            return combine(Node::Kind::Not, unary(), nullptr);
        }
        if (isSymbol(u"("_s)) {
            const Token &open = take();
            if (isSymbol(u")"_s))
                fail(peek().column, u"empty parentheses"_s);
            auto inner = orExpression();
            if (!isSymbol(u")"_s))
                fail(peek().kind == TokenKind::End ? m_endColumn : peek().column,
                    u"expected \")\" to close the \"(\" at column %1, found %2"_s.arg(open.column)
                        .arg(describe(peek())));
            take();
            return inner;
        }
        return test();
    }

    Field field()
    {
        const Token &name = peek();
        if (name.kind != TokenKind::Name || !fieldNames().contains(name.text)) {
            if (name.kind == TokenKind::Name)
                fail(name.column,
                    u"unknown field \"%1\"; the fields are %2, frame[N] and json.PATH"_s.arg(
                        name.text, u"id, mimetype, socket, type, dir, peer, size, frames, body"_s));
            fail(name.kind == TokenKind::End ? m_endColumn : name.column,
                u"expected a field, \"not\" or \"(\", found %1"_s.arg(describe(name)));
        }
        take();
        Field field;
        field.name = name.text;
        static const QHash<QString, FieldKind> kinds { { u"id"_s, FieldKind::Id },
            { u"mimetype"_s, FieldKind::Mimetype }, { u"socket"_s, FieldKind::Socket },
            { u"type"_s, FieldKind::Type }, { u"dir"_s, FieldKind::Dir }, { u"peer"_s, FieldKind::Peer },
            { u"size"_s, FieldKind::Size }, { u"frames"_s, FieldKind::Frames },
            { u"frame"_s, FieldKind::Frame }, { u"body"_s, FieldKind::Body },
            { u"json"_s, FieldKind::Json } };
        field.kind = kinds.value(name.text);
        if (field.kind == FieldKind::Frame) {
            if (!isSymbol(u"["_s))
                fail(peek().kind == TokenKind::End ? m_endColumn : peek().column,
                    u"frame needs an index: frame[0] is the first frame, frame[-1] the last"_s);
            take();
            field.frameIndex = index(u"frame"_s);
            field.name += u"[%1]"_s.arg(field.frameIndex);
        }
        if (field.kind == FieldKind::Json) {
            usesJson = true;
            for (;;) {
                if (isSymbol(u"."_s)) {
                    take();
                    const Token &key = peek();
                    if (key.kind != TokenKind::Name && key.kind != TokenKind::String)
                        fail(key.kind == TokenKind::End ? m_endColumn : key.column,
                            u"expected a key after \".\" in %1 (json[\"key\"] takes any key)"_s.arg(
                                field.name));
                    take();
                    field.path.emplace_back(key.text, -1);
                    field.name += u"."_s + key.text;
                } else if (isSymbol(u"["_s)) {
                    take();
                    if (peek().kind == TokenKind::String) {
                        const Token &key = take();
                        closeBracket(field.name);
                        field.path.emplace_back(key.text, -1);
                        field.name += u"[\"%1\"]"_s.arg(key.text);
                    } else {
                        const int indexColumn = peek().column;
                        const qsizetype at = index(field.name);
                        if (at < 0)
                            fail(indexColumn, u"a JSON array index counts from 0"_s);
                        field.path.emplace_back(QString(), at);
                        field.name += u"[%1]"_s.arg(at);
                    }
                } else {
                    break;
                }
            }
        }
        return field;
    }

    /// An integer index after "[", and the closing "]".
    qsizetype index(const QString &what)
    {
        bool negative = false;
        if (isSymbol(u"-"_s)) {
            take();
            negative = true;
        }
        const Token &number = peek();
        if (number.kind != TokenKind::Number || number.number != std::floor(number.number)
            || number.text.contains(u'.'))
            fail(number.kind == TokenKind::End ? m_endColumn : number.column,
                u"expected a whole number as the index of %1"_s.arg(what));
        take();
        closeBracket(what);
        return qsizetype(negative ? -number.number : number.number);
    }

    void closeBracket(const QString &what)
    {
        if (!isSymbol(u"]"_s))
            fail(peek().kind == TokenKind::End ? m_endColumn : peek().column,
                u"expected \"]\" after the index of %1"_s.arg(what));
        take();
    }

    Literal literal(const Token &after)
    {
        bool negative = false;
        if (isSymbol(u"-"_s)) {
            take();
            negative = true;
        }
        const Token &token = peek();
        if (token.kind == TokenKind::String && !negative) {
            take();
            return Literal::ofString(token.bytes);
        }
        if (token.kind == TokenKind::Number) {
            take();
            return Literal::ofNumber(negative ? -token.number : token.number);
        }
        if (token.kind == TokenKind::Name && !negative
            && (token.text == u"true"_s || token.text == u"false"_s)) {
            take();
            return Literal::ofBool(token.text == u"true"_s);
        }
        if (token.kind == TokenKind::Name && !negative && token.text == u"null"_s) {
            take();
            return Literal::null();
        }
        fail(token.kind == TokenKind::End ? m_endColumn : token.column,
            u"expected a value after \"%1\" (a \"string\", a number, true, false or null), found %2"_s.arg(
                after.text, describe(token)));
    }

    std::unique_ptr<const Node> test()
    {
        auto node = std::make_unique<Node>();
        node->kind = Node::Kind::Test;
        node->field = field();
        static const QHash<QString, Operator> comparisons { { u"=="_s, Operator::Equal },
            { u"!="_s, Operator::NotEqual }, { u"<"_s, Operator::Less }, { u"<="_s, Operator::LessOrEqual },
            { u">"_s, Operator::Greater }, { u">="_s, Operator::GreaterOrEqual } };
        const Token &op = peek();
        if (op.kind == TokenKind::Symbol && comparisons.contains(op.text)) {
            take();
            node->op = comparisons.value(op.text);
            node->literals.push_back(literal(op));
        } else if (isName(u"contains"_s)) {
            take();
            node->op = Operator::Contains;
            node->literals.push_back(literal(op));
        } else if (isName(u"matches"_s)) {
            take();
            node->op = Operator::Matches;
            const Token &pattern = peek();
            if (pattern.kind != TokenKind::String)
                fail(pattern.kind == TokenKind::End ? m_endColumn : pattern.column,
                    u"expected a \"regular expression\" in quotes after \"matches\", found %1"_s.arg(
                        describe(pattern)));
            take();
            QRegularExpression regex(pattern.text);
            if (!regex.isValid())
                fail(pattern.column + 1 + regex.patternErrorOffset(),
                    u"bad regular expression: %1"_s.arg(regex.errorString()));
            node->regex.emplace(std::move(regex));
        } else if (isName(u"in"_s)) {
            take();
            node->op = Operator::In;
            if (!isSymbol(u"{"_s))
                fail(peek().kind == TokenKind::End ? m_endColumn : peek().column,
                    u"expected \"{\" after \"in\": in {\"a\", \"b\"}"_s);
            const Token &open = take();
            for (;;) {
                node->literals.push_back(literal(node->literals.empty() ? open : m_tokens[m_at - 1]));
                if (isSymbol(u","_s)) {
                    take();
                    continue;
                }
                if (isSymbol(u"}"_s)) {
                    take();
                    break;
                }
                fail(peek().kind == TokenKind::End ? m_endColumn : peek().column,
                    u"expected \",\" or \"}\" in the set that starts at column %1"_s.arg(open.column));
            }
        } else {
            node->op = Operator::Truthy;
        }
        return node;
    }

    std::vector<Token> m_tokens;
    std::size_t m_at = 0;
    int m_endColumn;
};

} // namespace

Result<FilterExpression> FilterExpression::parse(QStringView text)
{
    try {
        Parser parser(filter::tokenize(text), int(text.size()) + 1);
        FilterExpression expression;
        expression.m_root = parser.parseAll();
        expression.m_usesJson = parser.usesJson;
        expression.m_text = text.toString();
        return expression;
    } catch (const Error &error) {
        return error;
    }
}

QString FilterExpression::quote(QByteArrayView bytes)
{
    QString text = u"\""_s;
    qsizetype at = 0;
    while (at < bytes.size()) {
        const auto byte = quint8(bytes[at]);
        if (byte == '"' || byte == '\\') {
            text += u'\\';
            text += QLatin1Char(char(byte));
            ++at;
            continue;
        }
        if (byte >= 0x20 && byte < 0x7f) {
            text += QLatin1Char(char(byte));
            ++at;
            continue;
        }
        // A multi-byte UTF-8 character stays one when it is valid and printable; else each byte as \xNN.
        qsizetype length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        if (length > 1 && at + length <= bytes.size()) {
            const QString decoded = QString::fromUtf8(bytes.sliced(at, length));
            if (decoded.size() >= 1 && !decoded.contains(QChar::ReplacementCharacter)
                && decoded.at(0).isPrint()) {
                text += decoded;
                at += length;
                continue;
            }
        }
        text += u"\\x%1"_s.arg(byte, 2, 16, QLatin1Char('0'));
        ++at;
    }
    return text + u'"';
}

QStringList FilterExpression::fieldNames()
{
    return zmqscope::fieldNames();
}

bool FilterExpression::looksLikeExpression(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.startsWith(u'(') || trimmed.startsWith(u'!'))
        return true;
    qsizetype end = 0;
    while (end < trimmed.size() && isNameChar(trimmed[end]))
        ++end;
    const QStringView first = trimmed.first(end);
    if (first == u"not" && end < trimmed.size() && trimmed[end].isSpace())
        return true;
    if (!fieldNames().contains(first))
        return false;
    // A field name alone, or followed by a word that is not an operator ("id-19", "type error"), is
    // a search: the field must be followed by an operator, a path or a subscript.
    const QStringView rest = trimmed.sliced(end).trimmed();
    static const QStringList starts { u"=="_s, u"!="_s, u"<"_s, u">"_s, u"&&"_s, u"||"_s, u"."_s, u"["_s };
    for (const QString &start : starts)
        if (rest.startsWith(start))
            return true;
    qsizetype wordEnd = 0;
    while (wordEnd < rest.size() && isNameChar(rest[wordEnd]))
        ++wordEnd;
    static const QStringList keywords { u"contains"_s, u"matches"_s, u"in"_s, u"and"_s, u"or"_s };
    return keywords.contains(rest.first(wordEnd)) && (wordEnd == rest.size() || !isNameChar(rest[wordEnd]));
}

bool FilterExpression::matches(const FilterSubject &message) const
{
    Evaluation evaluation(message);
    return m_root->evaluate(evaluation);
}

bool FilterExpression::usesJson() const
{
    return m_usesJson;
}

QString FilterExpression::text() const
{
    return m_text;
}

JsonPath::JsonPath(std::vector<Step> steps)
    : m_steps(std::move(steps))
{
    for (const Step &step : m_steps) {
        if (step.index >= 0) {
            m_text += u"[%1]"_s.arg(step.index);
            continue;
        }
        const bool name = !step.key.isEmpty() && isNameStart(step.key.front())
            && std::all_of(step.key.cbegin(), step.key.cend(), isNameChar);
        if (name)
            m_text += u"."_s + step.key;
        else
            m_text += u"["_s + FilterExpression::quote(step.key.toUtf8()) + u"]"_s;
    }
}

Result<JsonPath> JsonPath::parse(QStringView text)
{
    try {
        Parser parser(filter::tokenize(text), int(text.size()) + 1);
        return parser.parsePath();
    } catch (const Error &error) {
        return error;
    }
}

QJsonValue JsonPath::valueIn(const QJsonValue &document) const
{
    return walk(document, m_steps);
}

QJsonValue JsonPath::documentOf(const FilterSubject &message)
{
    if (message.decoded)
        return *message.decoded;
    return parseJsonText(messageBodyOf(message.frames));
}

int filterErrorColumn(const Error &error)
{
    if (error.code() != ErrorCode::InvalidFilter)
        return 0;
    static const QRegularExpression Column(u"^at column (\\d+):"_s);
    const QRegularExpressionMatch match = Column.match(error.message());
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

} // namespace zmqscope
