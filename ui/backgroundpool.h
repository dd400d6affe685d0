#pragma once

class QThreadPool;

namespace zmqscope {

/**
 * The thread pool for ZmqScope's own background work in the app: filter scans, analysis batches,
 * decoding big bodies, exports, freeing big documents.
 *
 * Not QThreadPool::globalInstance(): Qt's raster paint engine splits large fills and image
 * conversions over the global pool and the GUI thread waits for those pieces. A filter scan that
 * keeps every global thread busy for a few hundred milliseconds therefore froze painting for as
 * long (filter_bench measured 140 ms of GUI lateness on 2 cores). With a pool of its own, the
 * GUI's pieces never queue behind our work. One thread per core, like the global pool.
 */
QThreadPool &backgroundPool();

} // namespace zmqscope
