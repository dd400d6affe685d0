#include <zmq.h>

#include <zmqscope/version.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

QString libraryVersion()
{
    return QStringLiteral(ZMQSCOPE_VERSION_STRING);
}

QString zmqVersion()
{
    int major = 0;
    int minor = 0;
    int patch = 0;
    zmq_version(&major, &minor, &patch);
    return u"%1.%2.%3"_s.arg(major).arg(minor).arg(patch);
}

} // namespace zmqscope
