#include "messagefilter.h"

#include <algorithm>

#include <QFuture>
#include <QList>
#include <QThreadPool>
#include <QtConcurrentRun>

namespace zmqscope {

namespace {

// Below this many messages a scan is not worth splitting over threads.
constexpr std::uint64_t MinMessagesPerThread = 100'000;

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

void MessageFilter::setText(const QString &text)
{
    m_text = text;
    m_needle = text.trimmed().toUtf8();
    m_foldCase = std::all_of(m_needle.cbegin(), m_needle.cend(), [](char c) { return uchar(c) < 0x80; });
    if (m_foldCase)
        m_needle = m_needle.toLower();

    const std::size_t size = std::size_t(m_needle.size());
    m_shift.fill(std::uint8_t(std::min<std::size_t>(std::max<std::size_t>(size, 1), 255)));
    for (std::size_t i = 0; i + 1 < size; ++i) {
        const auto c = std::uint8_t(m_needle.at(qsizetype(i)));
        const auto shift = std::uint8_t(std::min<std::size_t>(size - 1 - i, 255));
        m_shift[c] = shift;
        if (m_foldCase && c >= 'a' && c <= 'z')
            m_shift[std::size_t(c) - 'a' + 'A'] = shift;
    }
}

bool MessageFilter::contains(QByteArrayView haystack) const
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

bool MessageFilter::matches(const MessageView &message) const
{
    return passesDirection(message.direction) && matchesIgnoringDirection(message);
}

bool MessageFilter::matchesIgnoringDirection(const MessageView &message) const
{
    if (m_socket != 0 && message.socket != m_socket)
        return false;
    if (m_needle.isEmpty())
        return true;
    // Every frame is text the user may look for: routing frames, id, mimetype and the whole body of an
    // envelope, each frame of a raw message. A match never spans two frames.
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

MessageFilter::ScanResult MessageFilter::scanRange(const MessageStore &store, std::uint64_t begin,
    std::uint64_t end, const std::atomic<bool> &cancelled) const
{
    ScanResult result;
    store.visit(begin, end, [&](const MessageView &message) {
        // Checking the flag per message costs next to nothing and keeps cancelling prompt.
        if (cancelled.load(std::memory_order_relaxed))
            return false;
        if (!matchesIgnoringDirection(message))
            return true;
        if (passesDirection(message.direction))
            result.seqs.push_back(message.seq);
        else
            result.otherDirections |= directionBit(message.direction);
        return true;
    });
    return result;
}

MessageFilter::ScanResult MessageFilter::scan(const MessageStore &store, std::uint64_t begin,
    std::uint64_t end, const std::atomic<bool> &cancelled) const
{
    begin = std::max(begin, store.firstSeq());
    if (begin >= end)
        return {};
    const std::uint64_t count = end - begin;
    const auto threads = std::uint64_t(std::clamp(QThreadPool::globalInstance()->maxThreadCount(), 1, 8));
    const std::uint64_t parts = std::clamp<std::uint64_t>(count / MinMessagesPerThread, 1, threads);
    if (parts == 1)
        return scanRange(store, begin, end, cancelled);

    // The first part runs here, the others in the pool; waiting on a part no thread has started runs it
    // here too, so a busy pool slows the scan down but never blocks it.
    const std::uint64_t step = count / parts;
    QList<QFuture<ScanResult>> others;
    for (std::uint64_t part = 1; part < parts; ++part) {
        const std::uint64_t partBegin = begin + part * step;
        const std::uint64_t partEnd = part + 1 == parts ? end : partBegin + step;
        others.append(QtConcurrent::run([this, &store, partBegin, partEnd, &cancelled] {
            return scanRange(store, partBegin, partEnd, cancelled);
        }));
    }
    ScanResult result = scanRange(store, begin, begin + step, cancelled);
    for (QFuture<ScanResult> &future : others) {
        const ScanResult part = future.result();
        result.seqs.insert(result.seqs.end(), part.seqs.cbegin(), part.seqs.cend());
        result.otherDirections |= part.otherDirections;
    }
    return result;
}

} // namespace zmqscope
