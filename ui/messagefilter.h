#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>

#include <zmqscope/analysis/messagematcher.h>
#include <zmqscope/store/messagestore.h>

namespace zmqscope {

/// What a filter expression's `socket` and `type` fields read for a socket (FilterBar fills it).
struct FilterSocketLabel
{
    QString name;
    QString type; ///< own sockets: their type
    QString clientsType {}; ///< a tap's: the type of the messages it forwards c2s (the clients')
    QString serverType {}; ///< a tap's: the type of the messages it forwards s2c (the server's)
    friend bool operator==(const FilterSocketLabel &, const FilterSocketLabel &) = default;
};
using FilterSocketLabels = QHash<SocketId, FilterSocketLabel>;

/**
 * What the Messages table shows: the filter text (MessageMatcher: plain words searched in every
 * frame and a tap's peer, or a filter expression), one socket or all, a set of directions or every
 * one. A value type that is cheap to copy into the filter worker.
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

    /// The text as MessageMatcher::compile() reads it; a text whose expression does not parse is
    /// searched as plain words (FilterBar shows the error and keeps the last good filter instead).
    void setText(const QString &text);
    /// A compiled text (FilterBar's, after it showed any error).
    void setMatcher(MessageMatcher matcher) { m_matcher = std::move(matcher); }
    [[nodiscard]] QString text() const { return m_matcher.text(); }
    [[nodiscard]] const MessageMatcher &matcher() const { return m_matcher; }
    /// The names and types an expression's `socket` and `type` fields read.
    void setSocketLabels(std::shared_ptr<const FilterSocketLabels> labels) { m_labels = std::move(labels); }
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
    [[nodiscard]] bool isEmpty() const { return m_matcher.isEmpty() && m_socket == 0 && m_directions == 0; }
    /// Whether a message passes; reads its frames in place.
    [[nodiscard]] bool matches(const MessageView &message) const;
    /// Whether a message passes the text and socket parts (the direction not looked at).
    [[nodiscard]] bool matchesIgnoringDirection(const MessageView &message) const;
    friend bool operator==(const MessageFilter &a, const MessageFilter &b)
    {
        return a.text() == b.text() && a.m_socket == b.m_socket && a.m_directions == b.m_directions
            && a.m_labels == b.m_labels;
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

    MessageMatcher m_matcher;
    std::shared_ptr<const FilterSocketLabels> m_labels;
    SocketId m_socket = 0;
    Directions m_directions = 0;
};

} // namespace zmqscope
