#pragma once

#include <cstdio>
#include <cstdlib>

// A broken invariant: say which and abort (libFuzzer saves the input, the test fails).
#define ZMQSCOPE_FUZZ_CHECK(condition)                                                                       \
    do {                                                                                                     \
        if (!(condition)) {                                                                                  \
            std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, #condition);    \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)
