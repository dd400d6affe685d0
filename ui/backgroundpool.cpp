#include "backgroundpool.h"

#include <algorithm>

#include <QThread>
#include <QThreadPool>

namespace zmqscope {

namespace {

struct BackgroundPool : QThreadPool
{
    BackgroundPool()
    {
        setObjectName(QStringLiteral("ZmqScope background"));
        setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
    }
};

} // namespace

QThreadPool &backgroundPool()
{
    // Destroyed at exit after waiting for the jobs still running, as Qt's global pool is.
    static BackgroundPool pool;
    return pool;
}

} // namespace zmqscope
