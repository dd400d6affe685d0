#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <zmqscope/analysis/jsonpath.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// Plain keys are written without quotes: letters, digits, '_' and '-' (as the filter's names).
bool isNameCharacter(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'-';
}

Error pathError(QStringView text, qsizetype at, const QString &reason)
{
    return Error(ErrorCode::InvalidOptionValue,
        u"bad JSON path \"%1\" at column %2: %3"_s.arg(text.toString()).arg(at + 1).arg(reason));
}

} // namespace

Result<JsonPath> JsonPath::parse(QStringView text)
{
    JsonPath path;
    qsizetype at = text.startsWith(u"json."_s) ? 5 : 0;
    if (at == text.size())
        return pathError(text, at, u"expected a key (such as seq or meta.seq)"_s);
    bool first = true;
    while (at < text.size()) {
        const QChar c = text[at];
        if (c == u'[') {
            ++at;
            if (at < text.size() && text[at] == u'"') {
                QString key;
                ++at;
                bool closed = false;
                while (at < text.size()) {
                    const QChar k = text[at++];
                    if (k == u'\\' && at < text.size()) {
                        key += text[at++];
                    } else if (k == u'"') {
                        closed = true;
                        break;
                    } else {
                        key += k;
                    }
                }
                if (!closed)
                    return pathError(text, at, u"the quoted key is not closed with \""_s);
                path.m_steps.push_back({ key, -1 });
            } else {
                const qsizetype start = at;
                while (at < text.size() && text[at].isDigit())
                    ++at;
                if (at == start)
                    return pathError(text, start, u"expected an array index (0, 1, ...) or a quoted key"_s);
                bool ok = false;
                const qsizetype index = text.mid(start, at - start).toLongLong(&ok);
                if (!ok)
                    return pathError(text, start, u"the array index is too large"_s);
                path.m_steps.push_back({ QString(), index });
            }
            if (at >= text.size() || text[at] != u']')
                return pathError(text, at, u"expected \"]\""_s);
            ++at;
        } else if (c == u'.' || first) {
            if (c == u'.') {
                if (first)
                    return pathError(text, at, u"expected a key before \".\""_s);
                ++at;
            }
            const qsizetype start = at;
            while (at < text.size() && isNameCharacter(text[at]))
                ++at;
            if (at == start)
                return pathError(
                    text, start, u"expected a key (write [\"key\"] for a key with other characters)"_s);
            path.m_steps.push_back({ text.mid(start, at - start).toString(), -1 });
        } else {
            return pathError(text, at, u"expected \".\" or \"[\""_s);
        }
        first = false;
    }
    return path;
}

JsonPath JsonPath::fromSteps(std::vector<Step> steps)
{
    JsonPath path;
    path.m_steps = std::move(steps);
    return path;
}

QJsonValue JsonPath::read(const QJsonValue &root) const
{
    QJsonValue value = root;
    for (const Step &step : m_steps) {
        if (step.index >= 0)
            value = value.isArray() ? value.toArray().at(step.index) : QJsonValue(QJsonValue::Undefined);
        else
            value = value.isObject() ? value.toObject().value(step.key) : QJsonValue(QJsonValue::Undefined);
        if (value.isUndefined())
            break;
    }
    return value;
}

QString JsonPath::toString() const
{
    QString text;
    for (const Step &step : m_steps) {
        if (step.index >= 0) {
            text += u"[%1]"_s.arg(step.index);
            continue;
        }
        const bool plain
            = !step.key.isEmpty() && std::all_of(step.key.cbegin(), step.key.cend(), isNameCharacter);
        if (plain) {
            if (!text.isEmpty())
                text += u'.';
            text += step.key;
        } else {
            QString escaped = step.key;
            escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s);
            text += u"[\""_s + escaped + u"\"]"_s;
        }
    }
    return text;
}

QJsonValue parseJsonText(QByteArrayView text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    if (text.front() == '{' || text.front() == '[') {
        const QJsonDocument document
            = QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), text.size()));
        if (document.isObject())
            return document.object();
        if (document.isArray())
            return document.array();
        return QJsonValue(QJsonValue::Undefined);
    }
    // A bare JSON scalar: QJsonDocument takes only objects and arrays.
    const QJsonDocument wrapped = QJsonDocument::fromJson("[" + text.toByteArray() + "]");
    if (wrapped.isArray() && wrapped.array().size() == 1)
        return wrapped.array().first();
    return QJsonValue(QJsonValue::Undefined);
}

} // namespace zmqscope
