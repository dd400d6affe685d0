#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <zmqscope/analysis/filterexpression.h> // filterErrorColumn
#include <zmqscope/analysis/jsonpath.h>

#include "jsonscan_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

Result<JsonPath> JsonPath::parseField(QStringView text)
{
    const bool prefixed = text == u"json"_s || text.startsWith(u"json."_s) || text.startsWith(u"json["_s);
    if (prefixed)
        return parse(text);
    // Parsed as the filter's json field would be, then the columns told in the user's text.
    const QString prefix = text.startsWith(u'[') ? u"json"_s : u"json."_s;
    Result<JsonPath> path = parse(QString(prefix + text));
    if (path)
        return path;
    const int column = filterErrorColumn(path.error());
    QString message = path.errorMessage();
    if (column > 0) {
        const qsizetype colon = message.indexOf(u':');
        message
            = u"at column %1%2"_s.arg(std::max<qsizetype>(1, column - prefix.size())).arg(message.mid(colon));
    }
    return Error(ErrorCode::InvalidFilter, message);
}

QJsonValue parseJsonText(QByteArrayView text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    if (text.front() == '{' || text.front() == '[') {
        // No copy: the document is built from the store's bytes in place.
        const QJsonDocument document
            = QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), text.size()));
        if (document.isObject())
            return document.object();
        if (document.isArray())
            return document.array();
        return QJsonValue(QJsonValue::Undefined);
    }
    // A bare JSON scalar: QJsonDocument takes only objects and arrays. Other text (a binary body) is
    // not copied and wrapped only to fail.
    if (filter::cannotBeJsonScalar(text))
        return QJsonValue(QJsonValue::Undefined);
    const QJsonDocument wrapped = QJsonDocument::fromJson("[" + text.toByteArray() + "]");
    if (wrapped.isArray() && wrapped.array().size() == 1)
        return wrapped.array().first();
    return QJsonValue(QJsonValue::Undefined);
}

} // namespace zmqscope
