#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <QAbstractTableModel>
#include <QFuture>
#include <QFutureWatcher>
#include <QHash>
#include <QString>
#include <QVariant>

#include <zmqscope/store/messagestore.h>

#include "messagefilter.h"

namespace zmqscope {

/**
 * The Messages table: a virtual model over a MessageStore (DESIGN.md section 6).
 *
 * It holds no per-message data. Without a filter, row r is message
 * firstSeq + r; with a filter, a worker thread computes the matching sequence
 * numbers over the store and the model keeps only that index. These are the
 * logical rows (totalRows(), up to millions). The model exposes only a window
 * of them, at most windowRows() rows starting at logical row windowFirst():
 * a view's vertical header keeps one item per row and walks all of them on
 * every insertion and removal, which costs tens of milliseconds per tick with
 * millions of rows. MessagesPane maps its own scroll bar onto the logical rows
 * and moves the window as the user scrolls.
 *
 * refresh(), called from a timer at 30 Hz or less, removes evicted rows at the
 * top and lets new rows into the window; while following the tail, the window
 * slides to stay on the newest rows. Cell text is formatted in data() for the
 * rows a view asks for, from MessageStore::summary(), through a small cache.
 */
class MessageTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        SeqColumn,
        TimeColumn,
        SocketColumn,
        DirectionColumn,
        PeerColumn, ///< a tap's client routing id (hex); empty for own sockets' messages
        RouteColumn,
        IdColumn,
        MimetypeColumn,
        SizeColumn,
        PreviewColumn,
        ColumnCount
    };
    enum Role
    {
        SeqRole = Qt::UserRole + 1, ///< quint64 sequence number in the store
        SocketRole, ///< SocketId (uint)
        DirectionRole, ///< int(Direction)
        KindRole, ///< int(MessageKind)
    };
    /// What the Time column shows.
    enum class TimeDisplay
    {
        Absolute, ///< local time of day, "12:34:56.789"
        SinceFirst, ///< seconds since the first message held since the last clear, "12.345678"
        SincePrevious, ///< seconds since the row above (the previous message the filter shows)
    };
    /// The default length of the Preview column; setPreviewChars() changes it.
    static constexpr int PreviewChars = 120;

    explicit MessageTableModel(const MessageStore &store, QObject *parent = nullptr);
    ~MessageTableModel() override;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Brings the rows up to date with the store: one removal at the top, one insertion at the end.
    void refresh();

    /// While paused, refresh() inserts nothing (evicted rows still go); the store keeps receiving.
    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused; }
    /// Messages that arrived and are not shown yet: while paused, what resuming would add.
    [[nodiscard]] std::uint64_t hiddenNewCount() const;

    /// Replaces the filter: resets the model and rescans the store in a worker thread.
    void setFilter(const MessageFilter &filter);
    [[nodiscard]] const MessageFilter &filter() const { return m_filter; }
    /// True from a filter change until the worker has caught up with the store (shown as "filtering...").
    [[nodiscard]] bool isScanning() const { return m_scanning; }
    /// True when the rows hold every message of the store that passes the filter: no scan running,
    /// no match waiting for the next refresh(), nothing in the store not looked at yet.
    [[nodiscard]] bool isCaughtUp() const;

    /// How many characters of the body the Preview column shows (Preferences); refreshes the shown rows.
    void setPreviewChars(int chars);
    [[nodiscard]] int previewChars() const { return m_previewChars; }

    /// Switches the Time column between times of day and seconds since the first or the previous row.
    void setTimeDisplay(TimeDisplay display);
    [[nodiscard]] TimeDisplay timeDisplay() const { return m_timeDisplay; }
    /// The next message stored becomes the first one TimeDisplay::SinceFirst counts from (after a clear).
    void resetTimeBase();

    /// Every column's text for seq as the table shows it, whether its row is in the window or not
    /// (empty when seq is not among the rows).
    [[nodiscard]] QStringList rowTexts(std::uint64_t seq) const;

    /// The Peer column's text for a routing id: lower-case hex as in capture lines, long ones cut with "…".
    [[nodiscard]] static QString peerText(QByteArrayView peer);

    /// Names for the Socket column; sockets without a name show their id.
    void setSocketNames(const QHash<SocketId, QString> &names);
    /// A packet capture's CURVE messages, stored without frames: shown as encrypted with this payload size.
    void setEncryptedSizes(const QHash<std::uint64_t, std::uint64_t> &sizes);

    /// The message a row (of the window) shows.
    [[nodiscard]] std::uint64_t seqAt(int row) const;
    /// The row that shows seq, or -1 when it is not in the window (outside it, filtered out, evicted,
    /// not inserted yet).
    [[nodiscard]] int rowForSeq(std::uint64_t seq) const;

    /// Every row the table could show: every message held (through the filter), inside the window or not.
    [[nodiscard]] int totalRows() const;
    /// The message logical row i (0 <= i < totalRows()) stands for.
    [[nodiscard]] std::uint64_t seqAtLogical(int i) const;
    /// The logical row of seq, or -1 when it is not among the rows (filtered out, evicted, not inserted yet).
    [[nodiscard]] int logicalRowForSeq(std::uint64_t seq) const;

    /// The default of windowRows().
    static constexpr int DefaultWindowRows = 10'000;
    /// At most this many logical rows are exposed as model rows.
    [[nodiscard]] int windowRows() const { return m_windowRows; }
    /// Changes the window length (at least 1); resets the model.
    void setWindowRows(int rows);
    /// The logical row model row 0 stands for.
    [[nodiscard]] int windowFirst() const { return m_windowFirst; }
    /// Moves the window to start at logical row first (clamped so that it is as full as it can be).
    /// A move by less than the window keeps the rows both hold (selection and persistent indexes stay).
    void setWindowFirst(int first);
    /// Moves the window so that logical row i is in its middle (or as close as the ends allow).
    void centreWindowOn(int i);
    /// While set (the default), refresh() keeps the window on the newest rows.
    void setFollowingTail(bool following) { m_followingTail = following; }
    [[nodiscard]] bool isFollowingTail() const { return m_followingTail; }

    /**
     * The directions of messages that pass the filter's text and socket but not its direction, among
     * those scanned since the filter was set (0 without a direction filter). With no row, this tells
     * "nothing in the chosen direction" from "nothing matches".
     */
    [[nodiscard]] MessageFilter::Directions otherDirections() const { return m_otherDirections; }

Q_SIGNALS:
    /// The filter worker started or finished catching up with the store.
    void scanningChanged(bool scanning);

private:
    struct CacheEntry
    {
        std::uint64_t seqPlusOne = 0; ///< 0 when empty
        MessageSummary summary;
    };
    static constexpr std::size_t CacheSize = 1024;
    static constexpr std::uint64_t MaxScanChunk = 500'000;

    [[nodiscard]] const MessageSummary *summaryAt(int row) const { return summaryFor(seqAt(row)); }
    /// The summary of seq through the cache; nullptr when it was evicted. The pointer is valid until the
    /// next call.
    [[nodiscard]] const MessageSummary *summaryFor(std::uint64_t seq) const;
    /// The Time column of logical row `logical`, whose message was stored at timestampUs.
    [[nodiscard]] QString timeText(std::int64_t timestampUs, int logical) const;
    /// Exposes logical rows [first, end) as the model rows, with the fewest row removals and insertions.
    void moveWindow(int first, int end);
    /// Where the window goes when it starts at first: clamped, and as long as the rows allow.
    [[nodiscard]] std::pair<int, int> clampedWindow(int first) const;
    [[nodiscard]] QString socketName(SocketId id) const;
    [[nodiscard]] QString displayText(const MessageSummary &summary, int column, int logical) const;
    [[nodiscard]] bool isFiltered() const { return !m_filter.isEmpty(); }
    void removeEvictedRows(std::uint64_t storeFirst);
    void insertNewRows(std::uint64_t storeEnd);
    void updateWindow();
    void startScanIfNeeded();
    void handleScanFinished();
    void cancelScan();
    void setScanning(bool scanning);

    const MessageStore &m_store;
    MessageFilter m_filter;
    bool m_paused = false;
    int m_previewChars = PreviewChars;
    TimeDisplay m_timeDisplay = TimeDisplay::Absolute;
    std::optional<std::int64_t> m_timeBaseUs; ///< the first message's time; unset until one arrives
    QHash<SocketId, QString> m_socketNames;
    QHash<std::uint64_t, std::uint64_t> m_encryptedSizes; ///< by seq; see setEncryptedSizes()

    // Unfiltered rows: [m_firstSeq, m_endSeq).
    std::uint64_t m_firstSeq = 0;
    std::uint64_t m_endSeq = 0;

    // Filtered rows, ascending, plus matches found but not inserted yet.
    std::deque<std::uint64_t> m_rows;
    std::vector<std::uint64_t> m_pending;
    std::uint64_t m_scannedEnd = 0; ///< the worker has looked at every message before this
    std::uint64_t m_scanChunkEnd = 0; ///< end of the chunk the running job scans
    QFuture<MessageFilter::ScanResult> m_scan;
    QFutureWatcher<MessageFilter::ScanResult> m_scanWatcher;
    /// Directions of messages scanned since the filter was set that only its direction kept out.
    MessageFilter::Directions m_otherDirections = 0;
    std::shared_ptr<std::atomic<bool>> m_scanCancelled;
    bool m_scanning = false;

    // The exposed rows: logical rows [m_windowFirst, m_windowFirst + m_windowSize).
    int m_windowRows = DefaultWindowRows;
    int m_windowFirst = 0;
    int m_windowSize = 0;
    bool m_followingTail = true;

    QVariant m_fixedFont; ///< asked for once: QFontDatabase::systemFont() is not cheap enough per cell
    mutable std::unique_ptr<std::array<CacheEntry, CacheSize>> m_cache;
};

} // namespace zmqscope
