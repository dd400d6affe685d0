#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <zmqscope/store/threadaffinity.h>

#ifdef __linux__
#include <pthread.h>
#endif

namespace zmqscope {

void ThreadAffinity::fail(const std::source_location &where, std::thread::id bound) const
{
    std::ostringstream line;
    line << "zmqscope: " << where.function_name() << " may run only in " << m_owner << " (thread " << bound
         << "), but was called in thread " << std::this_thread::get_id() << '\n';
    // One write and no Qt message handler in between: the line is there even when the process dies.
    std::fputs(line.str().c_str(), stderr);
    std::fflush(stderr);
    std::abort();
}

void setThreadName(std::thread &thread, const char *name)
{
#ifdef __linux__
    pthread_setname_np(thread.native_handle(), name);
#else
    (void)thread;
    (void)name;
#endif
}

} // namespace zmqscope
