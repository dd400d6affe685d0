#pragma once

#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>

namespace zmqscope {

/// Whom a socket's defaults are for: the library's users, or ZmqScope's own inspecting sockets.
enum class SocketPurpose
{
    /// Socket::create() and everything built on it (the seed port): libzmq's defaults except
    /// linger 1000 ms, so closing a context never hangs on an undeliverable message (libzmq's
    /// default is to wait forever) while a message sent just before close still has a second.
    Library,
    /**
     * The sockets the engine opens for the GUI, the CLI and the benchmarks (DESIGN.md section 7):
     * linger 250 ms (closing a socket or quitting never stalls the user), rcvhwm 100000 (bursts
     * wait in libzmq rather than being dropped), maxmsgsize 256 MiB (an untrusted peer cannot
     * exhaust memory), sndtimeo 0 (a send that cannot be queued fails at once instead of blocking
     * the engine thread), reconnect_ivl_max 5000 ms (an absent peer is retried with back-off, not
     * 10 times a second), and for ROUTER router_mandatory (a reply to an unknown peer fails
     * instead of vanishing).
     */
    Inspector,
};

/**
 * The one table of default options: what a socket of `type` gets before any option of its
 * user's, in the order to apply them. Socket::create() applies the Library row; the engine
 * applies the Inspector row on top, and the socket dialog shows it as what "not set" means.
 */
[[nodiscard]] Options defaultOptions(SocketType type, SocketPurpose purpose);

} // namespace zmqscope
