#pragma once

#include <memory>

#include <QFuture>
#include <QPromise>
#include <QThreadPool>

#include "backgroundpool.h"

namespace zmqscope::detailui {

/// Runs work (value types only, no widgets) in backgroundPool(); the future carries its result.
template<typename Result, typename Work> QFuture<Result> runInPool(Work work)
{
    auto promise = std::make_shared<QPromise<Result>>();
    auto future = promise->future();
    promise->start();
    backgroundPool().start([promise, work = std::move(work)]() mutable {
        promise->addResult(work());
        promise->finish();
    });
    return future;
}

} // namespace zmqscope::detailui
