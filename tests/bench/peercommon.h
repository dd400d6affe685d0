#pragma once

// What the benchmarks' helper programs flood_sender and bench_peer share: plain C++, no Qt, like them.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace peer {

/// flood_sender's envelope id: the message's sequence number as this many decimal digits.
constexpr std::size_t IdDigits = 12;

/// Prints "<program>: message (see --help)" to stderr and exits with status 2.
[[noreturn]] inline void usage(const char *program, const std::string &message)
{
    std::fprintf(stderr, "%s: %s (see --help)\n", program, message.c_str());
    std::exit(2);
}

/// The value of `option` as a whole number of at least `minimum`, or a usage error naming it.
inline std::int64_t parseInteger(
    const char *program, const std::string &option, const std::string &text, std::int64_t minimum)
{
    char *end = nullptr;
    errno = 0;
    const long long value = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || value < minimum)
        usage(program,
            option + " \"" + text + "\" is not a whole number of at least " + std::to_string(minimum));
    return value;
}

/// The sequence number as IdDigits decimal digits, written into `id` in place.
inline void writeId(char *id, std::uint64_t sequence)
{
    for (std::size_t i = IdDigits; i-- > 0;) {
        id[i] = char('0' + sequence % 10);
        sequence /= 10;
    }
}

/// Whether `id` is the id writeId() makes for `expected`.
inline bool isId(const char *id, std::size_t size, std::uint64_t expected)
{
    if (size != IdDigits)
        return false;
    char wanted[IdDigits];
    writeId(wanted, expected);
    for (std::size_t i = 0; i < IdDigits; ++i)
        if (id[i] != wanted[i])
            return false;
    return true;
}

} // namespace peer
