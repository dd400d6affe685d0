#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <zmqscope/store/messagestore.h>

namespace zmqscope {

/**
 * What the Messages table shows: free text over every frame of a message (the
 * routing frames, id, mimetype and the whole body of an envelope; every frame
 * of a raw message), one socket or all, one direction or both. A value type
 * that is cheap to copy into the filter worker.
 */
class MessageFilter
{
public:
    MessageFilter() = default;

    /// Case-insensitive for ASCII letters; a text with other characters is searched as its exact UTF-8 bytes.
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
    /// Whether a message passes; reads its frames in place.
    [[nodiscard]] bool matches(const MessageView &message) const;
    /// Whether `haystack` contains the text (true for an empty text).
    [[nodiscard]] bool contains(QByteArrayView haystack) const;

    friend bool operator==(const MessageFilter &a, const MessageFilter &b)
    {
        return a.m_text == b.m_text && a.m_socket == b.m_socket && a.m_direction == b.m_direction;
    }

    /**
     * Scans [begin, end) of the store and returns the sequence numbers that
     * pass, in order. Runs in a worker thread; a large range is split over
     * the thread pool. Stops early (returning what it has) once `cancelled`
     * becomes true. Evicted messages are skipped.
     */
    [[nodiscard]] std::vector<std::uint64_t> scan(const MessageStore &store, std::uint64_t begin,
        std::uint64_t end, const std::atomic<bool> &cancelled) const;

private:
    [[nodiscard]] std::vector<std::uint64_t> scanRange(const MessageStore &store, std::uint64_t begin,
        std::uint64_t end, const std::atomic<bool> &cancelled) const;

    QString m_text;
    QByteArray m_needle; ///< UTF-8 of the trimmed text, lower-cased when it is ASCII
    bool m_foldCase = true; ///< the needle is ASCII: compare ASCII letters case-insensitively
    /// Boyer-Moore-Horspool shift per haystack byte (capped at 255, which only shortens a shift).
    std::array<std::uint8_t, 256> m_shift {};
    SocketId m_socket = 0;
    std::optional<Direction> m_direction;
};

} // namespace zmqscope
