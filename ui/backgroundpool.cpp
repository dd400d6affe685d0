#include "backgroundpool.h"

#include <algorithm>

#include <QThread>
#include <QThreadPool>

namespace zmqscope {

QThreadPool &backgroundPool()
{
    // Destroyed at exit after waiting for the jobs still running, as Qt's global pool is.
    static QThreadPool pool;
    static const bool configured = [] {
        pool.setObjectName(QStringLiteral("ZmqScope background"));
        pool.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
        return true;
    }();
    Q_UNUSED(configured);
    return pool;
}

} // namespace zmqscope
