#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QString>

#include <zmqscope/messagestore.h>

namespace zmqscope {

/**
 * What the Messages table shows: free text over id, mimetype and the start of
 * the body, one socket or all, one direction or both. A value type that is
 * cheap to copy into the filter worker.
 */
class MessageFilter
{
public:
    /// How many body bytes the free text is searched in (the store keeps whole bodies; a filter never copies
    /// them).
    static constexpr int SearchedBodyBytes = 4096;

    MessageFilter() = default;

    void setText(const QString &text);
    [[nodiscard]] QString text() const { return m_text; }
    /// 0 means every socket.
    void setSocket(SocketId socket) { m_socket = socket; }
    [[nodiscard]] SocketId socket() const { return m_socket; }
    /// std::nullopt means both directions.
    void setDirection(std::optional<Direction> direction) { m_direction = direction; }
    [[nodiscard]] std::optional<Direction> direction() const { return m_direction; }

    /// True when the filter lets every message through.
    [[nodiscard]] bool isEmpty() const { return m_needle.isEmpty() && m_socket == 0 && !m_direction; }
    /// Whether the message the summary describes passes (the summary's preview must hold SearchedBodyBytes).
    [[nodiscard]] bool matches(const MessageSummary &summary) const;

    friend bool operator==(const MessageFilter &a, const MessageFilter &b)
    {
        return a.m_text == b.m_text && a.m_socket == b.m_socket && a.m_direction == b.m_direction;
    }

    /**
     * Scans [begin, end) of the store and returns the sequence numbers that
     * pass, in order. Runs in a worker thread; stops early (returning what it
     * has) once `cancelled` becomes true. Evicted messages are skipped.
     */
    [[nodiscard]] std::vector<std::uint64_t> scan(const MessageStore &store, std::uint64_t begin,
        std::uint64_t end, const std::atomic<bool> &cancelled) const;

private:
    [[nodiscard]] bool containsNeedle(const QByteArray &haystack) const;

    QString m_text;
    QByteArray m_needle; ///< UTF-8 of the trimmed text, lower-cased when it is ASCII
    bool m_asciiNeedle = true;
    SocketId m_socket = 0;
    std::optional<Direction> m_direction;
};

} // namespace zmqscope
