#include <algorithm>

#include <zmqscope/analysis/messagematcher.h>

namespace zmqscope {

namespace {

constexpr std::array<std::uint8_t, 256> makeLowerTable()
{
    std::array<std::uint8_t, 256> table {};
    for (int c = 0; c < 256; ++c)
        table[std::size_t(c)] = std::uint8_t((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    return table;
}
constexpr std::array<std::uint8_t, 256> LowerTable = makeLowerTable();

// Boyer-Moore-Horspool: compare the window's last byte first and shift by the table on a mismatch.
// Folding only ASCII letters never turns a multi-byte sequence of another encoding into a false match.
template<bool FoldCase>
bool horspoolFind(const std::uint8_t *haystack, std::size_t haystackSize, const std::uint8_t *needle,
    std::size_t needleSize, const std::array<std::uint8_t, 256> &shift)
{
    const auto fold = [](std::uint8_t c) { return FoldCase ? LowerTable[c] : c; };
    const std::size_t lastIndex = needleSize - 1;
    const std::uint8_t last = needle[lastIndex];
    for (std::size_t position = 0; position + needleSize <= haystackSize;) {
        const std::uint8_t c = haystack[position + lastIndex];
        if (fold(c) == last) {
            std::size_t i = 0;
            while (i < lastIndex && fold(haystack[position + i]) == needle[i])
                ++i;
            if (i == lastIndex)
                return true;
        }
        position += shift[c];
    }
    return false;
}

} // namespace

Result<MessageMatcher> MessageMatcher::compile(const QString &text)
{
    if (!FilterExpression::looksLikeExpression(text))
        return words(text);
    Result<FilterExpression> expression = FilterExpression::parse(text);
    if (!expression)
        return std::move(expression).error();
    MessageMatcher matcher;
    matcher.m_text = text;
    matcher.m_expression = std::move(*expression);
    return matcher;
}

MessageMatcher MessageMatcher::words(const QString &text)
{
    MessageMatcher matcher;
    matcher.m_text = text;
    matcher.m_needle = text.trimmed().toUtf8();
    matcher.m_foldCase = std::all_of(
        matcher.m_needle.cbegin(), matcher.m_needle.cend(), [](char c) { return uchar(c) < 0x80; });
    if (matcher.m_foldCase)
        matcher.m_needle = matcher.m_needle.toLower();
    const std::size_t size = std::size_t(matcher.m_needle.size());
    matcher.m_shift.fill(std::uint8_t(std::min<std::size_t>(std::max<std::size_t>(size, 1), 255)));
    for (std::size_t i = 0; i + 1 < size; ++i) {
        const auto c = std::uint8_t(matcher.m_needle.at(qsizetype(i)));
        const auto shift = std::uint8_t(std::min<std::size_t>(size - 1 - i, 255));
        matcher.m_shift[c] = shift;
        if (matcher.m_foldCase && c >= 'a' && c <= 'z')
            matcher.m_shift[std::size_t(c) - 'a' + 'A'] = shift;
    }
    return matcher;
}

bool MessageMatcher::contains(QByteArrayView haystack) const
{
    if (m_needle.isEmpty())
        return true;
    const auto *h = reinterpret_cast<const std::uint8_t *>(haystack.data());
    const auto *n = reinterpret_cast<const std::uint8_t *>(m_needle.constData());
    const auto hSize = std::size_t(haystack.size());
    const auto nSize = std::size_t(m_needle.size());
    return m_foldCase ? horspoolFind<true>(h, hSize, n, nSize, m_shift)
                      : horspoolFind<false>(h, hSize, n, nSize, m_shift);
}

bool MessageMatcher::matches(const FilterSubject &message) const
{
    if (m_expression)
        return m_expression->matches(message);
    if (m_needle.isEmpty())
        return true;
    // Every frame is text the user may look for. A match never spans two frames.
    if (std::any_of(message.frames.begin(), message.frames.end(),
            [this](QByteArrayView frame) { return contains(frame); }))
        return true;
    // A tap's peer as the Peer column and capture lines write it: lower-case hex. Routing ids are short
    // (at most 255 bytes), so the hex fits on the stack; no allocation per message.
    if (message.peer.isEmpty())
        return false;
    std::array<char, 512> hex {};
    const auto size = std::min<qsizetype>(message.peer.size(), qsizetype(hex.size() / 2));
    static constexpr char Digits[] = "0123456789abcdef";
    for (qsizetype i = 0; i < size; ++i) {
        const auto byte = std::uint8_t(message.peer[i]);
        hex[std::size_t(2 * i)] = Digits[byte >> 4];
        hex[std::size_t(2 * i + 1)] = Digits[byte & 0x0f];
    }
    return contains(QByteArrayView(hex.data(), 2 * size));
}

} // namespace zmqscope
