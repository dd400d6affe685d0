#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QWidget>

#include <zmqscope/engine/engine.h>

#include "messagefilter.h"

class QFrame;
class QLabel;
class QScrollBar;
class QTableView;

namespace zmqscope {

class FilterBar;
class MessageTableModel;

/**
 * The Messages pane: the filter bar over the virtual messages table.
 *
 * It follows the newest message (auto-scroll) until the user scrolls up or
 * picks a row, and resumes on setFollowing(true). The selection is kept by
 * sequence number, so it stays on the same message while rows arrive, old
 * ones are evicted, or the filter changes.
 *
 * The model exposes a window of the rows (MessageTableModel::windowRows()).
 * The table's own vertical scroll bar is hidden; scrollBar(), beside the
 * table, covers every row (value: the top row, in rows). Moving it, the
 * wheel, the keys and selectSeq() move the window when the rows to show are
 * outside it or the viewport comes near one of its ends.
 */
class MessagesPane : public QWidget
{
    Q_OBJECT
public:
    explicit MessagesPane(const MessageStore &store, QWidget *parent = nullptr);

    [[nodiscard]] MessageTableModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] FilterBar *filterBar() const { return m_filterBar; }
    /// The vertical scroll bar over every row (the table's own one only covers the window).
    [[nodiscard]] QScrollBar *scrollBar() const { return m_scrollBar; }

    /// One view tick: new rows in, evicted rows out, then scroll if following.
    void refresh();

    [[nodiscard]] bool isFollowing() const { return m_following; }
    void setFollowing(bool following);

    /// The selected message's sequence number, if a row is selected.
    [[nodiscard]] std::optional<std::uint64_t> currentSeq() const { return m_currentSeq; }
    /// The selected messages (the selection survives window moves, so it is not just the selected rows).
    [[nodiscard]] std::vector<std::uint64_t> selectedSeqs() const;
    /// Copies the selected rows as tab-separated text, the columns as the table shows them; how many.
    qsizetype copySelectedRows() const;
    /// Selects the row of seq and shows it (centred when it was out of sight); stops the auto-scroll.
    /// False when seq is not among the rows (filtered out, evicted, not inserted yet).
    bool selectSeq(std::uint64_t seq);
    /// Scrolls so that logical row i is the top row (the window moves if needed); stops following.
    void scrollToLogicalRow(int i);

    void setSockets(const QList<SocketInfo> &sockets);

    /// The notice over the table while the direction filter alone leaves it empty; empty when hidden.
    [[nodiscard]] QString filterNoticeText() const;

Q_SIGNALS:
    /// The user or the program picked another message (std::nullopt: none).
    void currentMessageChanged(std::optional<std::uint64_t> seq);
    void followingChanged(bool following);
    /// The filter worker started or finished catching up.
    void scanningChanged(bool scanning);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void handleCurrentChanged();
    void handleFilterChanged(const MessageFilter &filter);
    void handleScrollAction(int action);
    void handleScrollValueChanged(int value);
    void handleBarAction(int action);
    void handleBarValueChanged(int value);
    void handleModelReset();
    [[nodiscard]] QWidget *createFilterNotice();
    void updateFilterNotice();
    void scrollToNewest();
    /// Shows logical row i at the top (offset pixels into it); the window moves when it does not hold
    /// the rows to show, or always when recentre is set.
    void showLogicalTop(int i, int offset, bool recentre);
    /// Moves the window when the viewport is within a margin of one of its ends, keeping what is shown.
    void keepViewportInsideWindow();
    /// Selects the row of seq (default: m_currentSeq) again when it is in the window, clears the
    /// selection when not.
    void syncSelection(std::optional<std::uint64_t> seq = std::nullopt);
    /// After a model reset or refresh: selects `seq` (at logical row `logical`) again, bringing it into
    /// the window and the middle of the view unless following.
    void showSelectedAgain(std::uint64_t seq, int logical);
    /// The message the selection is on now: the selected row's, which is newer than m_currentSeq while
    /// the view is still moving the current row, or m_currentSeq when its row is not in the window.
    [[nodiscard]] std::optional<std::uint64_t> selectionToKeep() const;
    /// Ctrl+Home / Ctrl+End: the first or last of all rows, selected.
    void goToEnd(bool last);
    /// Range, page step and value of scrollBar() from the window and the table's scroll position.
    void syncScrollBar();
    [[nodiscard]] int rowHeight() const;
    [[nodiscard]] int visibleRows() const;
    [[nodiscard]] bool isAtNewest() const;

    MessageTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    FilterBar *m_filterBar = nullptr;
    QScrollBar *m_scrollBar = nullptr;
    QFrame *m_filterNotice = nullptr;
    QLabel *m_filterNoticeText = nullptr;
    bool m_syncing = false; ///< set while the scroll bars and the window are being brought in line
    bool m_following = true;
    bool m_programmatic = false; ///< set while we move the selection or the scroll bar ourselves
    std::optional<std::uint64_t> m_currentSeq;
    std::optional<std::uint64_t> m_reselectSeq; ///< to select again once the filter worker finds it
};

} // namespace zmqscope
