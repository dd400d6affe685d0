#include <zmqscope/defaults.h>

namespace zmqscope {

Options defaultOptions(SocketType type, SocketPurpose purpose)
{
    switch (purpose) {
    case SocketPurpose::Library:
        return { { "linger", 1000 } };
    case SocketPurpose::Inspector: {
        Options options {
            { "linger", 250 },
            { "rcvhwm", 100'000 },
            { "maxmsgsize", std::int64_t { 256 } << 20 },
            { "sndtimeo", 0 },
            { "reconnect_ivl_max", 5000 },
        };
        if (type == SocketType::Router)
            options.emplace_back("router_mandatory", true);
        return options;
    }
    }
    return {};
}

} // namespace zmqscope
