#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include <QHash>
#include <QWidget>

#include "detail/detailpage.h"
#include "detail/imagepage.h"
#include "detail/jsonpage.h"

class QAction;
class QFileDialog;
class QLabel;
class QStackedWidget;
class QTabWidget;
class QToolButton;

namespace zmqscope {

class DiffPage;
class ElidedLabel;
class HexPage;
class FramesPage;

/**
 * The Detail pane: one message, shown as its envelope fields, its body as
 * text, JSON (formatted and as a tree), hex and image, frame by frame, and
 * as a diff against the previous message with its id (or another selected one).
 *
 * Everything shown is plain text: message bytes are untrusted. Large bodies
 * are cut to previews where they are formatted (text, formatted JSON), the
 * hex view is virtual, and JSON bodies over a few hundred KiB and large
 * images are decoded in a worker thread, so no message freezes the window.
 *
 * Each tab is a DetailPage (envelopepage.h, textpage.h, jsonpage.h,
 * hexpage.h, imagepage.h, framespage.h) that owns its widgets and worker
 * pipeline; this class is the container: it parses the message once, feeds it
 * to every page, and disables the tabs whose page says why it does not apply
 * (the reason, our own plain text, is the tab's tool tip). The best tab is
 * chosen for each message unless the user picked one, which then sticks for
 * every message it applies to. Copying and saving the body or the whole
 * message, and the status line, belong to the container.
 */
class MessageDetailView : public QWidget
{
    Q_OBJECT

public:
    /// The tabs, in their order.
    enum Tab
    {
        EnvelopeTab,
        TextTab,
        JsonTab,
        HexTab,
        ImageTab,
        FramesTab,
        DiffTab
    };
    Q_ENUM(Tab)
    static constexpr int TabCount = 7;

    // The pages' limits, under the names the rest of the window knows them by.
    static constexpr qsizetype TextPreviewBytes = DetailPage::TextPreviewBytes;
    static constexpr int MaxDisplayLineChars = DetailPage::MaxDisplayLineChars;
    static constexpr qsizetype JsonSizeLimit = JsonPage::JsonSizeLimit;
    static constexpr qsizetype JsonWorkerThreshold = JsonPage::JsonWorkerThreshold;
    static constexpr qsizetype FormattedJsonLimit = JsonPage::FormattedJsonLimit;
    static constexpr qsizetype ImageWorkerThreshold = ImagePage::ImageWorkerThreshold;
    static constexpr int ExpandAllLimit = JsonPage::ExpandAllLimit;
    static constexpr int AutoExpandTopLevelLimit = JsonPage::AutoExpandTopLevelLimit;

    explicit MessageDetailView(QWidget *parent = nullptr);
    ~MessageDetailView() override;

    /// Shows message; socketName is how the rest of the window names its socket.
    void setMessage(const StoredMessage &message, const QString &socketName);
    /// Shows nothing (the "no message selected" page).
    void clear();
    /// The decode rules of the JSON and Diff tabs (JsonPage::setDecoders()); the shown message is shown
    /// again.
    void setDecoders(const DecoderSet &decoders);
    /// The store the Diff tab finds earlier messages in (the window's); without one that tab is disabled.
    void setStore(const MessageStore *store);
    /// How the window names sockets, for the Diff tab's messages other than the shown one.
    void setSocketNames(const QHash<SocketId, QString> &names);
    /// The two messages selected in the table (older, newer): the Diff tab compares them instead of the
    /// shown message with the previous one with its id; std::nullopt goes back to that.
    void setComparedPair(std::optional<std::pair<std::uint64_t, std::uint64_t>> pair);

    [[nodiscard]] bool hasMessage() const noexcept { return m_hasMessage; }
    [[nodiscard]] const StoredMessage &message() const noexcept { return m_current.message; }

    /// The page of tab.
    [[nodiscard]] DetailPage *page(Tab tab) const { return m_pages[static_cast<size_t>(tab)]; }
    [[nodiscard]] DiffPage *diffPage() const { return m_diffPage; }

    [[nodiscard]] Tab currentTab() const;
    /// Switches to tab as the user's choice, which then sticks; false when the tab is disabled.
    bool setCurrentTab(Tab tab);
    [[nodiscard]] bool isTabEnabled(Tab tab) const;
    /// Why a tab is disabled for the current message; empty when it is enabled.
    [[nodiscard]] QString tabDisabledReason(Tab tab) const;

    /// True while a large JSON body or image is still being decoded in a worker thread.
    [[nodiscard]] bool isDecoding() const;

public Q_SLOTS:
    void copyBodyAsText();
    void copyBodyAsHex();
    void copyBodyAsBase64();
    /// The whole message as one compact capture line (DESIGN.md section 8).
    void copyMessageAsJson();
    /// Shows frame (0-based) in the Hex tab and switches to it.
    void showFrameInHex(int frame);
    /// Asks for a file (a non-modal dialog, returned) and writes the body into it; nullptr for a raw message.
    QFileDialog *saveBodyToFile();
    /// Asks for a file (a non-modal dialog, returned) and writes frame (0-based) into it.
    QFileDialog *saveFrameToFile(int frame);
    /// Writes the body to path exactly (QSaveFile: all or nothing, any size); false and a status line on
    /// error.
    bool saveBodyTo(const QString &path);
    /// Writes frame (0-based) to path exactly; false and a status line on error.
    bool saveFrameTo(int frame, const QString &path);

Q_SIGNALS:
    /// A copy or save action finished (or was refused); text is one line for a status bar.
    void copyFinished(const QString &text);
    /// The user asked to select this message in the Messages table (the Diff tab's other message).
    void messageSelectionRequested(std::uint64_t seq);
    /// The JSON tab's "Plot This Field" on a number of the shown message.
    void plotRequested(const zmqscope::JsonPath &path, const zmqscope::StoredMessage &message);

private:
    void buildUi();
    void updateTabs(std::optional<Tab> bestTab);
    /// The best tab for the message just given to the pages.
    [[nodiscard]] std::optional<Tab> bestTab() const;
    void handleTabChanged(int index);
    void reportCopy(const QString &text);
    bool checkClipboardSize(qsizetype bytes, const QString &what);
    void copyText(const QString &text, const QString &description);
    /// The shared part of the three body copies: the raw-message and size checks, then `encode`.
    void copyBody(const QString &encoding, const std::function<QString(const QByteArray &)> &encode);
    void showContextMenu(QWidget *widget, const QPoint &pos, const QList<QAction *> &extraActions);
    /// The save dialog of saveBodyToFile() and saveFrameToFile(): writes bytes (taken now) once a file is
    /// chosen.
    QFileDialog *askSaveFile(const QString &suggestedName, const QByteArray &bytes, const QString &what);
    bool writeFile(const QString &path, const QByteArray &bytes, const QString &what);

    DetailMessage m_current;
    bool m_hasMessage = false;
    std::optional<Tab> m_preferredTab;
    bool m_updatingTabs = false;

    std::array<DetailPage *, TabCount> m_pages {};
    JsonPage *m_jsonPage = nullptr;
    HexPage *m_hexPage = nullptr;
    FramesPage *m_framesPage = nullptr;
    DiffPage *m_diffPage = nullptr;

    QStackedWidget *m_stack = nullptr;
    ElidedLabel *m_summary = nullptr;
    QToolButton *m_copyButton = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_status = nullptr;
    QAction *m_copyTextAction = nullptr;
    QAction *m_copyHexAction = nullptr;
    QAction *m_copyBase64Action = nullptr;
    QAction *m_copyJsonAction = nullptr;
    QAction *m_saveBodyAction = nullptr;
};

} // namespace zmqscope
