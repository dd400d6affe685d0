#include "messagefilter.h"

#include <algorithm>

namespace zmqscope {

namespace {

constexpr char asciiLower(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// Case-insensitive for ASCII letters only: payloads are bytes in any encoding,
// and folding only ASCII never turns a byte sequence into a false match.
bool containsAsciiCaseInsensitive(const QByteArray &haystack, const QByteArray &lowerNeedle)
{
    const qsizetype n = lowerNeedle.size();
    const qsizetype last = haystack.size() - n;
    const char *h = haystack.constData();
    const char *needle = lowerNeedle.constData();
    for (qsizetype i = 0; i <= last; ++i) {
        qsizetype j = 0;
        while (j < n && asciiLower(h[i + j]) == needle[j])
            ++j;
        if (j == n)
            return true;
    }
    return false;
}

} // namespace

void MessageFilter::setText(const QString &text)
{
    m_text = text;
    m_needle = text.trimmed().toUtf8();
    m_asciiNeedle = std::all_of(m_needle.cbegin(), m_needle.cend(), [](char c) { return uchar(c) < 0x80; });
    if (m_asciiNeedle)
        m_needle = m_needle.toLower();
}

bool MessageFilter::containsNeedle(const QByteArray &haystack) const
{
    if (m_asciiNeedle)
        return containsAsciiCaseInsensitive(haystack, m_needle);
    return haystack.contains(m_needle);
}

bool MessageFilter::matches(const MessageSummary &summary) const
{
    if (m_socket != 0 && summary.socket != m_socket)
        return false;
    if (m_direction && summary.direction != *m_direction)
        return false;
    if (m_needle.isEmpty())
        return true;
    return containsNeedle(summary.id) || containsNeedle(summary.mimetype) || containsNeedle(summary.preview);
}

std::vector<std::uint64_t> MessageFilter::scan(const MessageStore &store, std::uint64_t begin,
    std::uint64_t end, const std::atomic<bool> &cancelled) const
{
    std::vector<std::uint64_t> result;
    MessageSummary summary;
    begin = std::max(begin, store.firstSeq());
    for (std::uint64_t seq = begin; seq < end; ++seq) {
        // Checking the flag every message is cheap next to summary() and keeps cancelling prompt.
        if (cancelled.load(std::memory_order_relaxed))
            break;
        if (!store.summary(seq, summary, SearchedBodyBytes))
            continue;
        if (matches(summary))
            result.push_back(seq);
    }
    return result;
}

} // namespace zmqscope
