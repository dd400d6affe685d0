#include "filterregex_p.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <algorithm>
#include <pcre2.h>

namespace zmqscope::filter {

// Why not only QRegularExpression: it matches QStrings, so every frame was converted from UTF-8 first,
// and each match copies the expression's shared data, whose atomic reference count the scan threads
// then fight over. filter_bench's expression spent most of its time there. On ASCII bytes PCRE2's
// 8-bit library in UTF mode sees the same characters as the 16-bit one sees in the converted string,
// and the pattern is compiled with the options QRegularExpression uses (PCRE2_UTF; the pattern
// options a filter can set are written inline, as (?i)), so the results are the same.
struct Regex::Compiled
{
    pcre2_code *code = nullptr;
    ~Compiled() { pcre2_code_free(code); }
};

namespace {

struct MatchDataDeleter
{
    void operator()(pcre2_match_data *data) const { pcre2_match_data_free(data); }
};

/// Per thread: a match needs somewhere to write, and only "matched or not" is read (one pair is enough;
/// PCRE2 then returns 0 for "matched, more groups than room").
pcre2_match_data *threadMatchData()
{
    thread_local const std::unique_ptr<pcre2_match_data, MatchDataDeleter> data(
        pcre2_match_data_create(1, nullptr));
    return data.get();
}

bool isAscii(QByteArrayView bytes)
{
    return std::all_of(
        bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

} // namespace

Regex::Regex(QRegularExpression regex)
    : m_regex(std::move(regex))
{
    m_regex.optimize(); // compiled now: matches() is then free of lazy state
    const QByteArray pattern = m_regex.pattern().toUtf8();
    int error = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code *code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.constData()),
        PCRE2_SIZE(pattern.size()), PCRE2_UTF, &error, &offset, nullptr);
    if (!code)
        return; // QRegularExpression accepted it: its own path handles every subject
    auto compiled = std::make_shared<Compiled>();
    compiled->code = code;
    // Without the JIT (a platform without one) the interpreter still gives the same answers.
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    m_bytes = std::move(compiled);
}

bool Regex::matches(QByteArrayView bytes) const
{
    if (m_bytes && isAscii(bytes)) {
        const int result = pcre2_match(m_bytes->code, reinterpret_cast<PCRE2_SPTR>(bytes.data()),
            PCRE2_SIZE(bytes.size()), 0, PCRE2_NO_UTF_CHECK, threadMatchData(), nullptr);
        if (result >= 0)
            return true;
        if (result == PCRE2_ERROR_NOMATCH)
            return false;
        // Any other result (a JIT stack or match limit, or an empty view without data) is left to
        // QRegularExpression, which has a bigger JIT stack and says no match when it too gives up.
    }
    return m_regex.match(QString::fromUtf8(bytes)).hasMatch();
}

bool Regex::matches(QStringView text) const
{
    return m_regex.match(text).hasMatch();
}

} // namespace zmqscope::filter
