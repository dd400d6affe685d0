#pragma once

#include <functional>
#include <optional>

#include <zmqscope/engine/socketspec.h>
#include <zmqscope/envelope.h>

#include "clicommon.h"

namespace zmqscope::cli {

// What one run of send does once the command line is checked.
struct SendPlan
{
    SocketSpec spec; ///< as opened: an XPUB for a PUB with --wait-peers, send's defaults in its options
    SocketType type = SocketType::Push; ///< the type asked for, which names the socket in the output
    OutputFormat format = OutputFormat::Pretty;
    int timeout = 0; ///< ms
    int repeat = 1;
    int interval = 0;
    int settle = 0;
    std::optional<int> waitPeers;
    bool waitsForReply = false;
    std::function<Frames()> nextMessage; ///< the frames of the next message (templates expand anew)
};

/**
 * Opens plan.spec through an Engine and sends plan.repeat messages on it, as `send` promises (see the
 * delivery notes in sendcommand.cpp): status lines on stderr, replies on stdout. Returns the exit
 * status of a run that sent everything or was stopped by a signal; throws CliError (or Error) for a
 * failure, once the close of the socket, dropping what it queued, is asked for (no linger then).
 */
[[nodiscard]] int sendThroughEngine(SendPlan plan);

} // namespace zmqscope::cli
