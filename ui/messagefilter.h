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
 * of a raw message) and over a tap's peer (its routing id in hex, as the Peer
 * column shows it), one socket or all, a set of directions or every one. A
 * value type that is cheap to copy into the filter worker.
 */
class MessageFilter
{
public:
    /// A set of directions: bit 1 << int(Direction) per direction in it.
    using Directions = std::uint8_t;
    [[nodiscard]] static constexpr Directions directionBit(Direction direction)
    {
        return Directions(1U << unsigned(direction));
    }
    /// Both ways through a tap: c2s and s2c (bits 2 and 3, as directionBit() gives them).
    static constexpr Directions TapDirections
        = (1U << unsigned(Direction::ClientToServer)) | (1U << unsigned(Direction::ServerToClient));

    /// What scan() found.
    struct ScanResult
    {
        std::vector<std::uint64_t> seqs; ///< the messages that pass, ascending
        /// The directions of messages that failed the direction filter alone (they pass its text and
        /// socket): tells "nothing shown because of the direction" from "nothing matches".
        Directions otherDirections = 0;
    };

    MessageFilter() = default;

    /// Case-insensitive for ASCII letters; a text with other characters is searched as its exact UTF-8 bytes.
    void setText(const QString &text);
    [[nodiscard]] QString text() const { return m_text; }
    /// 0 means every socket.
    void setSocket(SocketId socket) { m_socket = socket; }
    [[nodiscard]] SocketId socket() const { return m_socket; }
    /// One direction; std::nullopt means every direction.
    void setDirection(std::optional<Direction> direction)
    {
        m_directions = direction ? directionBit(*direction) : Directions(0);
    }
    /// Several directions (TapDirections: both ways through a tap); 0 means every direction.
    void setDirections(Directions directions) { m_directions = directions; }
    [[nodiscard]] Directions directions() const { return m_directions; }
    [[nodiscard]] bool passesDirection(Direction direction) const
    {
        return m_directions == 0 || (m_directions & directionBit(direction)) != 0;
    }

    /// True when the filter lets every message through.
    [[nodiscard]] bool isEmpty() const { return m_needle.isEmpty() && m_socket == 0 && m_directions == 0; }
    /// Whether a message passes; reads its frames in place.
    [[nodiscard]] bool matches(const MessageView &message) const;
    /// Whether a message passes the text and socket parts (the direction not looked at).
    [[nodiscard]] bool matchesIgnoringDirection(const MessageView &message) const;
    /// Whether `haystack` contains the text (true for an empty text).
    [[nodiscard]] bool contains(QByteArrayView haystack) const;

    friend bool operator==(const MessageFilter &a, const MessageFilter &b)
    {
        return a.m_text == b.m_text && a.m_socket == b.m_socket && a.m_directions == b.m_directions;
    }

    /**
     * Scans [begin, end) of the store and returns the sequence numbers that
     * pass, in order, and the directions the direction filter alone kept out. Runs in a worker thread; a
     * large range is split over the thread pool. Stops early (returning what it has) once `cancelled` becomes
     * true. Evicted messages are skipped.
     */
    [[nodiscard]] ScanResult scan(const MessageStore &store, std::uint64_t begin, std::uint64_t end,
        const std::atomic<bool> &cancelled) const;

private:
    [[nodiscard]] ScanResult scanRange(const MessageStore &store, std::uint64_t begin, std::uint64_t end,
        const std::atomic<bool> &cancelled) const;

    QString m_text;
    QByteArray m_needle; ///< UTF-8 of the trimmed text, lower-cased when it is ASCII
    bool m_foldCase = true; ///< the needle is ASCII: compare ASCII letters case-insensitively
    /// Boyer-Moore-Horspool shift per haystack byte (capped at 255, which only shortens a shift).
    std::array<std::uint8_t, 256> m_shift {};
    SocketId m_socket = 0;
    Directions m_directions = 0;
};

} // namespace zmqscope
