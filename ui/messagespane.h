#pragma once

#include <cstdint>
#include <optional>

#include <QWidget>

#include <zmqscope/engine.h>

#include "messagefilter.h"

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
 */
class MessagesPane : public QWidget
{
    Q_OBJECT
public:
    explicit MessagesPane(const MessageStore &store, QWidget *parent = nullptr);

    [[nodiscard]] MessageTableModel *model() const { return m_model; }
    [[nodiscard]] QTableView *table() const { return m_table; }
    [[nodiscard]] FilterBar *filterBar() const { return m_filterBar; }

    /// One view tick: new rows in, evicted rows out, then scroll if following.
    void refresh();

    [[nodiscard]] bool isFollowing() const { return m_following; }
    void setFollowing(bool following);

    /// The selected message's sequence number, if a row is selected.
    [[nodiscard]] std::optional<std::uint64_t> currentSeq() const { return m_currentSeq; }
    /// Selects the row of seq (if shown) without stopping the auto-scroll; false when it is not shown.
    bool selectSeq(std::uint64_t seq);

    void setSockets(const QList<SocketInfo> &sockets);

Q_SIGNALS:
    /// The user or the program picked another message (std::nullopt: none).
    void currentMessageChanged(std::optional<std::uint64_t> seq);
    void followingChanged(bool following);
    /// The filter worker started or finished catching up.
    void scanningChanged(bool scanning);

private:
    void handleCurrentChanged();
    void handleFilterChanged(const MessageFilter &filter);
    void handleScrollAction(int action);
    void handleScrollValueChanged(int value);
    void handleModelReset();
    void scrollToNewest();

    MessageTableModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    FilterBar *m_filterBar = nullptr;
    bool m_following = true;
    bool m_programmatic = false; ///< set while we move the selection or the scroll bar ourselves
    std::optional<std::uint64_t> m_currentSeq;
    std::optional<std::uint64_t> m_reselectSeq; ///< to select again once the filter worker finds it
};

} // namespace zmqscope
