#pragma once

#include <atomic>
#include <thread>
#include <version>

#ifdef __cpp_lib_source_location
#include <source_location>
#endif

namespace zmqscope {

/// Where a check was made: std::source_location where the compiler has it (GCC 11+, MSVC), else the
/// function's bare name from __builtin_FUNCTION() (clang 14 with libstdc++ 12: clang-tidy, fuzz builds).
#ifdef __cpp_lib_source_location
using CheckSite = std::source_location;
#define ZMQSCOPE_CHECK_SITE std::source_location::current()
[[nodiscard]] inline const char *checkSiteFunction(const CheckSite &site)
{
    return site.function_name();
}
#else
struct CheckSite
{
    const char *function;
};
#define ZMQSCOPE_CHECK_SITE                                                                                  \
    ::zmqscope::CheckSite                                                                                    \
    {                                                                                                        \
        __builtin_FUNCTION()                                                                                 \
    }
[[nodiscard]] inline const char *checkSiteFunction(const CheckSite &site)
{
    return site.function;
}
#endif

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
    void check(CheckSite where = ZMQSCOPE_CHECK_SITE) const
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
    [[noreturn]] void fail(const CheckSite &where, std::thread::id bound) const;

    const char *m_owner;
    mutable std::atomic<std::thread::id> m_thread {};
};

/// Names a std::thread for debuggers, profilers and `top -H` (Linux; elsewhere nothing). Names are cut
/// to 15 characters there.
void setThreadName(std::thread &thread, const char *name);

} // namespace zmqscope
