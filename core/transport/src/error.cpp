#include <QJsonValue>

#include <zmqscope/error.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

Error::Error(ErrorCode code, const QString &message, int zmqErrno, Frames frames)
    : std::runtime_error(message.toStdString())
    , m_code(code)
    , m_errno(zmqErrno)
    , m_frames(std::move(frames))
{ }

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return u"a boolean"_s;
    case QJsonValue::Double:
        return u"a number"_s;
    case QJsonValue::String:
        return u"a string"_s;
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"missing"_s;
}

} // namespace zmqscope
