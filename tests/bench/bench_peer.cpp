// bench_peer: the peers a benchmark needs as separate processes besides flood_sender's flood
// (tap_bench puts them on both sides of a tap and of zmq_proxy). Plain cppzmq, no Qt, like
// flood_sender, so a peer costs the machine nothing but its messages.
//
//   bench_peer pull --bind URI --count N --body BYTES
//       receives flood_sender's envelopes (id, mimetype, body) and checks every one: 3 frames,
//       the id is the next sequence number, the mimetype (--mimetype, default flood_sender's), the
//       body is BYTES bytes of 'x' as flood_sender sends it. The last stdout line is
//         received N messages in S s (R msg/s)
//       with S from the first to the last message; a lost, reordered or malformed message, or
//       none for 20 s, is a failure (exit 1, the reason on stderr).
//   bench_peer rep --bind URI --count N
//       a REP server: answers N requests with the request itself, then exits.
//   bench_peer req --connect URI --count N --warmup W --size BYTES
//       a REQ client: W + N round trips of BYTES-byte requests (a sequence number first), each
//       answered with the same bytes or the run fails. Prints one line per measured round trip,
//       "rtt_ns T", then "round trips N in S s".
//
// Status goes to stderr ("bound to tcp://127.0.0.1:PORT" once bound, so a parent can connect to
// a free port). Exit status: 0 done, 1 a message was wrong or missing, 2 usage error.

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "peercommon.h"

namespace {

constexpr int StallTimeoutMs = 20000;

struct Settings
{
    std::string mode;
    std::string bind;
    std::string connect;
    std::int64_t count = -1;
    std::int64_t bodyBytes = 100;
    std::string mimetype = "application/octet-stream"; ///< flood_sender's default
    std::int64_t warmup = 0;
    std::int64_t size = 16;
};

[[noreturn]] void usage(const std::string &message)
{
    peer::usage("bench_peer", message);
}

void printHelp()
{
    std::puts("usage: bench_peer pull --bind URI --count N [--body BYTES] [--mimetype TEXT]\n"
              "       bench_peer rep --bind URI --count N\n"
              "       bench_peer req --connect URI --count N [--warmup W] [--size BYTES]\n"
              "\n"
              "pull: receive N flood_sender envelopes, checking each (3 frames, id = next sequence number,\n"
              "      mimetype TEXT, default application/octet-stream, body BYTES of 'x', default 100);\n"
              "      last line: received N messages in S s (R msg/s)\n"
              "rep:  echo N requests\n"
              "req:  W + N round trips of BYTES-byte requests (default 0 and 16); prints rtt_ns T per\n"
              "      measured round trip, then: round trips N in S s\n"
              "--bind tcp://127.0.0.1:* picks a free port, reported on stderr as \"bound to URI\".");
}

std::int64_t parseInteger(const std::string &option, const std::string &text, std::int64_t minimum)
{
    return peer::parseInteger("bench_peer", option, text, minimum);
}

Settings parse(int argc, char **argv)
{
    Settings settings;
    if (argc >= 2 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0)) {
        printHelp();
        std::exit(0);
    }
    if (argc < 2)
        usage("no mode; give pull, rep or req");
    settings.mode = argv[1];
    if (settings.mode != "pull" && settings.mode != "rep" && settings.mode != "req")
        usage("mode \"" + settings.mode + "\" is not one of pull, rep, req");
    for (int i = 2; i < argc; ++i) {
        const std::string option = argv[i];
        if (i + 1 >= argc)
            usage("unknown option \"" + option + "\" or missing value");
        const std::string value = argv[++i];
        if (option == "--bind")
            settings.bind = value;
        else if (option == "--connect")
            settings.connect = value;
        else if (option == "--count")
            settings.count = parseInteger(option, value, 1);
        else if (option == "--mimetype")
            settings.mimetype = value;
        else if (option == "--body")
            settings.bodyBytes = parseInteger(option, value, 0);
        else if (option == "--warmup")
            settings.warmup = parseInteger(option, value, 0);
        else if (option == "--size")
            settings.size = parseInteger(option, value, std::int64_t(sizeof(std::uint64_t)));
        else
            usage("unknown option \"" + option + "\"");
    }
    if (settings.count < 0)
        usage("no --count N");
    if (settings.mode == "req" ? settings.connect.empty() : settings.bind.empty())
        usage(settings.mode == "req" ? "req needs --connect URI" : settings.mode + " needs --bind URI");
    return settings;
}

// A socket that gives up after StallTimeoutMs without a message, so a vanished peer cannot hang us.
zmq::socket_t openSocket(zmq::context_t &context, zmq::socket_type type, int lingerMs)
{
    zmq::socket_t socket(context, type);
    socket.set(zmq::sockopt::rcvtimeo, StallTimeoutMs);
    socket.set(zmq::sockopt::linger, lingerMs);
    return socket;
}

void bindReported(zmq::socket_t &socket, const std::string &endpoint)
{
    socket.bind(endpoint);
    std::fprintf(stderr, "bound to %s\n", socket.get(zmq::sockopt::last_endpoint).c_str());
    std::fflush(stderr);
}

// Receives one part or fails the run with `what` and the count so far.
void receive(zmq::socket_t &socket, zmq::message_t &part, std::int64_t done, const char *what)
{
    if (!socket.recv(part))
        throw std::runtime_error("no " + std::string(what) + " for " + std::to_string(StallTimeoutMs)
            + " ms after " + std::to_string(done));
}

int runPull(const Settings &settings)
{
    zmq::context_t context;
    zmq::socket_t pull = openSocket(context, zmq::socket_type::pull, 0);
    bindReported(pull, settings.bind);
    zmq::message_t id;
    zmq::message_t mimetype;
    zmq::message_t body;
    const std::string expectedBody(std::size_t(settings.bodyBytes), 'x'); // flood_sender's body
    std::chrono::steady_clock::time_point first;
    std::int64_t received = 0;
    for (; received < settings.count; ++received) {
        receive(pull, id, received, "message");
        if (received == 0)
            first = std::chrono::steady_clock::now();
        if (!id.more() || !pull.recv(mimetype) || !mimetype.more() || !pull.recv(body) || body.more())
            throw std::runtime_error(
                "message " + std::to_string(received) + " does not have exactly 3 frames");
        if (!peer::isId(id.data<char>(), id.size(), std::uint64_t(received))
            || mimetype.to_string_view() != settings.mimetype || body.to_string_view() != expectedBody)
            throw std::runtime_error("message " + std::to_string(received) + " is not envelope number "
                + std::to_string(received) + " with mimetype " + settings.mimetype + " and "
                + std::to_string(settings.bodyBytes) + " bytes of 'x': lost, reordered or changed");
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - first).count();
    std::printf("received %lld messages in %.6f s (%.0f msg/s)\n", static_cast<long long>(received), seconds,
        seconds > 0 ? double(received - 1) / seconds : 0.0);
    return 0;
}

int runRep(const Settings &settings)
{
    zmq::context_t context;
    zmq::socket_t rep = openSocket(context, zmq::socket_type::rep, 1000);
    bindReported(rep, settings.bind);
    zmq::message_t request;
    for (std::int64_t answered = 0; answered < settings.count; ++answered) {
        receive(rep, request, answered, "request");
        if (request.more())
            throw std::runtime_error("request " + std::to_string(answered) + " has more than one frame");
        rep.send(request, zmq::send_flags::none);
    }
    std::printf("answered %lld requests\n", static_cast<long long>(settings.count));
    return 0;
}

int runReq(const Settings &settings)
{
    zmq::context_t context;
    zmq::socket_t req = openSocket(context, zmq::socket_type::req, 0);
    req.connect(settings.connect);
    std::string request(std::size_t(settings.size), 'r');
    std::vector<std::int64_t> roundTripsNs;
    roundTripsNs.reserve(std::size_t(settings.count));
    zmq::message_t reply;
    const auto begin = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < settings.warmup + settings.count; ++i) {
        const auto sequence = std::uint64_t(i);
        std::memcpy(request.data(), &sequence, sizeof sequence);
        const auto sent = std::chrono::steady_clock::now();
        req.send(zmq::buffer(request), zmq::send_flags::none);
        receive(req, reply, i, "reply");
        const auto answered = std::chrono::steady_clock::now();
        if (reply.more() || reply.to_string_view() != request)
            throw std::runtime_error("the reply to request " + std::to_string(i) + " is not the request");
        if (i >= settings.warmup)
            roundTripsNs.push_back(
                std::chrono::duration_cast<std::chrono::nanoseconds>(answered - sent).count());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    // Printed after the loop, so writing to the pipe never lands inside a measured round trip.
    for (const std::int64_t ns : roundTripsNs)
        std::printf("rtt_ns %lld\n", static_cast<long long>(ns));
    std::printf("round trips %lld in %.6f s\n", static_cast<long long>(settings.count), seconds);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    const Settings settings = parse(argc, argv);
    try {
        if (settings.mode == "pull")
            return runPull(settings);
        if (settings.mode == "rep")
            return runRep(settings);
        return runReq(settings);
    } catch (const std::exception &error) {
        std::fprintf(stderr, "bench_peer %s: %s\n", settings.mode.c_str(), error.what());
        std::printf("failed: %s\n", error.what());
        return 1;
    }
}
