#pragma once

#include <memory>

namespace zmq {
class context_t;
}

namespace zmqscope {

/**
 * A wrapper around a ZeroMQ context. Copies share the same context; the
 * context lives until the last Context copy and the last Socket made in it
 * are gone, so sockets can never outlive their context.
 */
class Context
{
public:
    /// Creates and owns a new zmq context.
    Context();
    /// Wraps a context owned elsewhere; the caller keeps it alive longer than this object and its sockets.
    explicit Context(zmq::context_t &external);

    /// The underlying cppzmq context.
    [[nodiscard]] zmq::context_t &handle() const noexcept;

    /**
     * Makes every blocking call on this context's sockets fail with
     * ErrorCode::Terminated and PollLoops drop their sockets (zmq_ctx_shutdown).
     * The context itself is released when the last owner goes.
     */
    void shutdown();

    friend bool operator==(const Context &a, const Context &b) noexcept { return a.m_context == b.m_context; }

private:
    std::shared_ptr<zmq::context_t> m_context;
};

} // namespace zmqscope
