// flood_sender: a separate sender process for the benchmarks (and for anyone who
// wants to flood a ZmqScope socket by hand). Plain cppzmq, no Qt, so it costs
// the receiver nothing but the messages themselves.
//
// It sends Dploy envelopes (DESIGN.md section 3): optional request frames and
// an empty delimiter, then id, mimetype, body. The id is the message's
// sequence number as 12 decimal digits (000000000000, 000000000001, ...), so a
// receiver can check that every message arrived exactly once and in order;
// SUB prefix filters match on it too. The body is --body bytes of 'x'.
//
// Status goes to stderr ("bound to tcp://127.0.0.1:PORT" once bound, so a
// parent can connect to a free port); the last line on stdout is the result:
//   sent N messages in S s (R msg/s)
// Exit status: 0 all sent, 1 a send failed or timed out, 2 usage error.
//
//   flood_sender --connect tcp://127.0.0.1:5555 --count 2000000 --body 100
//   flood_sender --type pub --bind tcp://127.0.0.1:* --duration 30 --wait 500

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "peercommon.h"

namespace {

using peer::IdDigits;

struct Settings
{
    zmq::socket_type type = zmq::socket_type::push;
    std::vector<std::string> binds;
    std::vector<std::string> connects;
    std::int64_t count = -1; ///< messages to send; -1 when --duration decides
    double duration = -1; ///< seconds to send for; -1 when --count decides
    std::int64_t bodyBytes = 100;
    int requestFrames = 0;
    std::string mimetype = "application/octet-stream";
    int sndhwm = 1000; ///< libzmq's default: a slow receiver slows the sender instead of filling its memory
    int waitMs = 0; ///< pause after connecting/binding (PUB: let subscribers join)
    std::int64_t start = 0; ///< first sequence number
    bool quiet = false;
};

[[noreturn]] void usage(const std::string &message)
{
    peer::usage("flood_sender", message);
}

void printHelp()
{
    std::puts(
        "usage: flood_sender (--bind URI | --connect URI)... (--count N | --duration SECONDS) [options]\n"
        "\n"
        "Sends envelopes [request frames, \"\"], id, mimetype, body as fast as the socket takes them.\n"
        "The id is the sequence number as 12 decimal digits, so receivers can check order.\n"
        "\n"
        "  --type push|pub|dealer|pair  socket type (default push)\n"
        "  --bind URI                   bind (repeatable); tcp://127.0.0.1:* picks a free port,\n"
        "                               reported on stderr as \"bound to URI\"\n"
        "  --connect URI                connect (repeatable)\n"
        "  --count N                    send N messages\n"
        "  --duration SECONDS           send for this long (decimals allowed)\n"
        "  --body BYTES                 body size (default 100)\n"
        "  --request-frames K           K routing frames and an empty delimiter first (default 0)\n"
        "  --mimetype TEXT              mimetype frame (default application/octet-stream)\n"
        "  --sndhwm N                   send high-water mark, 0 = unlimited (default 1000: a slow\n"
        "                               receiver slows the sender down)\n"
        "  --wait MS                    pause before sending, e.g. for PUB subscribers (default 0)\n"
        "  --start N                    first sequence number (default 0)\n"
        "  --quiet                      no status lines on stderr\n"
        "\n"
        "The last line on stdout is: sent N messages in S s (R msg/s)");
}

std::int64_t parseInteger(const std::string &option, const std::string &text, std::int64_t minimum)
{
    return peer::parseInteger("flood_sender", option, text, minimum);
}

Settings parse(int argc, char **argv)
{
    Settings settings;
    for (int i = 1; i < argc; ++i) {
        const std::string option = argv[i];
        if (option == "-h" || option == "--help") {
            printHelp();
            std::exit(0);
        }
        if (option == "--quiet") {
            settings.quiet = true;
            continue;
        }
        if (i + 1 >= argc)
            usage("unknown option \"" + option + "\" or missing value");
        const std::string value = argv[++i];
        if (option == "--type") {
            if (value == "push")
                settings.type = zmq::socket_type::push;
            else if (value == "pub")
                settings.type = zmq::socket_type::pub;
            else if (value == "dealer")
                settings.type = zmq::socket_type::dealer;
            else if (value == "pair")
                settings.type = zmq::socket_type::pair;
            else
                usage("--type \"" + value + "\" is not one of push, pub, dealer, pair");
        } else if (option == "--bind") {
            settings.binds.push_back(value);
        } else if (option == "--connect") {
            settings.connects.push_back(value);
        } else if (option == "--count") {
            settings.count = parseInteger(option, value, 1);
        } else if (option == "--duration") {
            char *end = nullptr;
            settings.duration = std::strtod(value.c_str(), &end);
            if (value.empty() || *end != '\0' || !(settings.duration > 0))
                usage("--duration \"" + value + "\" is not a positive number of seconds");
        } else if (option == "--body") {
            settings.bodyBytes = parseInteger(option, value, 0);
        } else if (option == "--request-frames") {
            settings.requestFrames = int(parseInteger(option, value, 0));
        } else if (option == "--mimetype") {
            settings.mimetype = value;
        } else if (option == "--sndhwm") {
            settings.sndhwm = int(parseInteger(option, value, 0));
        } else if (option == "--wait") {
            settings.waitMs = int(parseInteger(option, value, 0));
        } else if (option == "--start") {
            settings.start = parseInteger(option, value, 0);
        } else {
            usage("unknown option \"" + option + "\"");
        }
    }
    if (settings.binds.empty() && settings.connects.empty())
        usage("no endpoint; give --bind URI or --connect URI");
    if ((settings.count < 0) == (settings.duration < 0))
        usage("give exactly one of --count N and --duration SECONDS");
    return settings;
}

} // namespace

int main(int argc, char **argv)
{
    const Settings settings = parse(argc, argv);
    std::uint64_t sent = 0;
    double seconds = 0;
    try {
        zmq::context_t context;
        zmq::socket_t socket(context, settings.type);
        socket.set(zmq::sockopt::sndhwm, settings.sndhwm);
        // A receiver that went away must not hang us (or the benchmark that waits for us) forever.
        socket.set(zmq::sockopt::sndtimeo, 30000);
        socket.set(zmq::sockopt::linger, 30000);
        for (const std::string &endpoint : settings.binds) {
            socket.bind(endpoint);
            if (!settings.quiet)
                std::fprintf(stderr, "bound to %s\n", socket.get(zmq::sockopt::last_endpoint).c_str());
        }
        for (const std::string &endpoint : settings.connects) {
            socket.connect(endpoint);
            if (!settings.quiet)
                std::fprintf(stderr, "connecting to %s\n", endpoint.c_str());
        }
        std::fflush(stderr);
        if (settings.waitMs > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(settings.waitMs));

        std::vector<std::string> routes;
        routes.reserve(std::size_t(settings.requestFrames));
        for (int i = 0; i < settings.requestFrames; ++i)
            routes.push_back("route-" + std::to_string(i));
        char id[IdDigits];
        const std::string body(std::size_t(settings.bodyBytes), 'x');
        const auto begin = std::chrono::steady_clock::now();
        const auto deadline = begin
            + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>(settings.duration > 0 ? settings.duration : 0));
        const auto sendFrame = [&](const void *data, std::size_t size, bool more) {
            if (!socket.send(
                    zmq::const_buffer(data, size), more ? zmq::send_flags::sndmore : zmq::send_flags::none))
                throw std::runtime_error(
                    "send timed out after " + std::to_string(sent) + " messages: the receiver takes nothing");
        };
        for (;;) {
            if (settings.count >= 0) {
                if (sent == std::uint64_t(settings.count))
                    break;
            } else if ((sent & 1023) == 0 && std::chrono::steady_clock::now() >= deadline) {
                break;
            }
            for (const std::string &route : routes)
                sendFrame(route.data(), route.size(), true);
            if (!routes.empty())
                sendFrame(nullptr, 0, true);
            peer::writeId(id, std::uint64_t(settings.start) + sent);
            sendFrame(id, IdDigits, true);
            sendFrame(settings.mimetype.data(), settings.mimetype.size(), true);
            sendFrame(body.data(), body.size(), false);
            ++sent;
        }
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        socket.close();
        context.close(); // waits (linger) until everything queued went out
    } catch (const std::exception &error) {
        std::fprintf(stderr, "flood_sender: %s\n", error.what());
        std::printf("sent %llu messages (failed)\n", static_cast<unsigned long long>(sent));
        return 1;
    }
    std::printf("sent %llu messages in %.3f s (%.0f msg/s)\n", static_cast<unsigned long long>(sent), seconds,
        seconds > 0 ? double(sent) / seconds : 0.0);
    return 0;
}
