#include <zmq.hpp>

#include <zmqscope/context.h>

namespace zmqscope {

Context::Context()
    : m_context(std::make_shared<zmq::context_t>())
{ }

Context::Context(zmq::context_t &external)
    : m_context(&external, [](zmq::context_t *) {})
{ }

zmq::context_t &Context::handle() const noexcept
{
    return *m_context;
}

void Context::shutdown()
{
    m_context->shutdown();
}

} // namespace zmqscope
