#pragma once

#include <atomic>
#include <source_location>
#include <thread>

namespace zmqscope {

/**
 * The one thread some work belongs to, asserted rather than commented: check() aborts the process
 * with a one-line message naming the calling function, the owner and both threads when it is
 * called from any other thread. Active in every build type (the tests run RelWithDebInfo); it costs
 * a thread-id read and a compare.
 *
 * Bound explicitly (bindToCurrentThread(), e.g. when a worker thread starts) or, until then, by the
 * first check(), which binds it to its caller. release() unbinds it, for a hand-over.
 *
 * \code
 * ThreadAffinity m_writer { "the store's writer thread" };
 * void append(...) { m_writer.check(); ... }
 * \endcode
 */
class ThreadAffinity
{
public:
    /// `owner` names the thread in the message ("the engine thread"); a string literal.
    explicit ThreadAffinity(const char *owner)
        : m_owner(owner)
    { }
    ThreadAffinity(const ThreadAffinity &) = delete;
    ThreadAffinity &operator=(const ThreadAffinity &) = delete;

    void bindToCurrentThread() { m_thread.store(std::this_thread::get_id(), std::memory_order_relaxed); }
    void release() { m_thread.store(std::thread::id(), std::memory_order_relaxed); }

    /// Returns when called in the owning thread (binding it first if unbound); aborts otherwise.
    void check(std::source_location where = std::source_location::current()) const
    {
        const std::thread::id current = std::this_thread::get_id();
        std::thread::id bound = m_thread.load(std::memory_order_relaxed);
        if (bound == current) [[likely]]
            return;
        if (bound == std::thread::id() && m_thread.compare_exchange_strong(bound, current))
            return;
        fail(where, bound);
    }

private:
    [[noreturn]] void fail(const std::source_location &where, std::thread::id bound) const;

    const char *m_owner;
    mutable std::atomic<std::thread::id> m_thread {};
};

/// Names a std::thread for debuggers, profilers and `top -H` (Linux; elsewhere nothing). Names are cut
/// to 15 characters there.
void setThreadName(std::thread &thread, const char *name);

} // namespace zmqscope
