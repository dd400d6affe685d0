#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include <QFuture>
#include <QHash>
#include <QList>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/messagediff.h>

#include "detail/detailpage.h"
#include "detail/diffmodel.h"

class QLabel;
class QStackedWidget;
class QToolButton;
class QTreeView;

namespace zmqscope {

class MessageStore;

/**
 * The Diff tab (issue 18): the shown message against the previous message with the same envelope id
 * on the same socket in the same direction, or the two messages selected in the table (older against
 * newer). Decoded bodies (JSON, or what the decode rules or the mimetype decode) are compared field
 * by field, others byte by byte (diffMessages()).
 *
 * The earlier message is looked for in the store backwards, in blocks, in a worker thread, and only
 * while the tab is shown; at most SearchLimit messages back. A button selects the other message.
 */
class DiffPage : public DetailPage
{
    Q_OBJECT

public:
    /// The search for the previous message with the same id looks at most this many messages back.
    static constexpr std::uint64_t SearchLimit = 1'000'000;
    /// Messages looked at per visit of the store.
    static constexpr std::uint64_t SearchBlock = 4096;

    explicit DiffPage(QWidget *parent = nullptr);
    ~DiffPage() override;

    /// The store the earlier messages are read from (the window's); without one the tab is disabled.
    void setStore(const MessageStore *store);
    void setDecoders(const DecoderSet &decoders);
    /// How the window names sockets (for the header and for decode rules that match a socket).
    void setSocketNames(const QHash<SocketId, QString> &names);
    /// Compares these two messages (older, newer) instead of the shown one with its predecessor;
    /// std::nullopt goes back to that.
    void setPair(std::optional<std::pair<std::uint64_t, std::uint64_t>> pair);

    void setMessage(const DetailMessage &message) override;
    void clear() override;
    [[nodiscard]] QString whyDisabled() const override;
    [[nodiscard]] bool isDecoding() const override { return m_pendingJobs > 0; }

    [[nodiscard]] DiffModel *model() const { return m_model; }
    /// What is compared with what ("#12 … against #9 …"); empty while nothing is compared.
    [[nodiscard]] QString headerText() const;
    /// The notice shown instead of the table ("No earlier message with id …"); empty when the table is.
    [[nodiscard]] QString noticeText() const;
    /// The message the Select button picks: the other one of the two compared.
    [[nodiscard]] std::optional<std::uint64_t> otherSeq() const { return m_otherSeq; }

Q_SIGNALS:
    /// The user asked to select this message in the Messages table.
    void messageSelectionRequested(std::uint64_t seq);

protected:
    void showEvent(QShowEvent *event) override;

private:
    /// What a worker compares (value types and the thread-safe store only).
    struct Job
    {
        const MessageStore *store = nullptr;
        DecoderSet decoders;
        QHash<SocketId, QString> socketNames;
        std::optional<StoredMessage> newer; ///< the shown message, compared with its predecessor
        std::optional<std::pair<std::uint64_t, std::uint64_t>> pair; ///< or these two
        std::shared_ptr<std::atomic_bool> cancel;
    };
    struct Outcome
    {
        QString notice; ///< non-empty: nothing was compared, and this says why
        QString header;
        QString summary;
        QList<DiffRow> rows;
        std::optional<std::uint64_t> olderSeq;
        std::optional<std::uint64_t> newerSeq;
    };
    [[nodiscard]] static Outcome run(const Job &job);

    /// Starts the comparison when the tab is shown and what it compares changed.
    void startIfShown();
    void apply(const Outcome &outcome);
    void showNotice(const QString &text);

    const MessageStore *m_store = nullptr;
    DecoderSet m_decoders;
    QHash<SocketId, QString> m_socketNames;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> m_pair;
    std::optional<DetailMessage> m_message;
    bool m_stale = false; ///< what to compare changed since the last run
    std::optional<std::uint64_t> m_otherSeq;
    quint64 m_generation = 0;
    int m_pendingJobs = 0;
    /// Set when a running search is no longer wanted (another message, or the page goes).
    std::shared_ptr<std::atomic_bool> m_cancel;
    /// Every worker not finished yet: the destructor waits for them (they read the store).
    QList<QFuture<Outcome>> m_running;

    DiffModel *m_model = nullptr;
    QLabel *m_header = nullptr;
    QLabel *m_summary = nullptr;
    QToolButton *m_selectButton = nullptr;
    QStackedWidget *m_stack = nullptr;
    QTreeView *m_view = nullptr;
    QWidget *m_noticePage = nullptr;
    QLabel *m_notice = nullptr;
};

} // namespace zmqscope
