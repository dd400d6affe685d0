#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>

#include <QWidget>

#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>

class QAction;
class QCheckBox;
class QComboBox;
class QFileDialog;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QStandardItemModel;
class QTabWidget;
class QTableView;
class QToolButton;
class QTreeView;

namespace zmqscope {

class ElidedLabel;
class FramesModel;
class HexView;
class ImagePreview;
class JsonHighlighter;
class JsonTreeModel;

/**
 * The Detail pane: one message, shown as its envelope fields, its body as
 * text, JSON (formatted and as a tree), hex and image, and frame by frame.
 *
 * Everything shown is plain text: message bytes are untrusted. Large bodies
 * are cut to previews where they are formatted (text, formatted JSON), the
 * hex view is virtual, and JSON bodies over a few hundred KiB and large
 * images are decoded in a worker thread, so no message freezes the window.
 *
 * Tabs that do not apply to a message are disabled with the reason as their
 * tool tip. The best tab is chosen for each message unless the user picked
 * one, which then sticks for every message it applies to.
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
        FramesTab
    };
    Q_ENUM(Tab)
    static constexpr int TabCount = 6;

    /// The Text tab shows at most this much of a body.
    static constexpr qsizetype TextPreviewBytes = qsizetype { 256 } << 10;
    /// Longer lines are broken in the Text and formatted JSON views (very long lines lay out very slowly).
    static constexpr int MaxDisplayLineChars = 4096;
    /// Larger bodies are not parsed as JSON (the Text and Hex tabs still show them).
    static constexpr qsizetype JsonSizeLimit = qsizetype { 8 } << 20;
    /// JSON bodies up to this size are parsed at once, larger ones in a worker thread.
    static constexpr qsizetype JsonWorkerThreshold = qsizetype { 256 } << 10;
    /// The formatted JSON text is cut after this many bytes (the tree always holds everything).
    static constexpr qsizetype FormattedJsonLimit = qsizetype { 128 } << 10;
    /// Images up to this size are decoded at once, larger ones in a worker thread.
    static constexpr qsizetype ImageWorkerThreshold = qsizetype { 1 } << 20;
    /// "Expand All" expands the whole JSON tree only up to this many values.
    static constexpr int ExpandAllLimit = 100000;
    /// A JSON document opens with its top level expanded when it has at most this many top-level rows.
    static constexpr int AutoExpandTopLevelLimit = 200;

    explicit MessageDetailView(QWidget *parent = nullptr);
    ~MessageDetailView() override;

    /// Shows message; socketName is how the rest of the window names its socket.
    void setMessage(const StoredMessage &message, const QString &socketName);
    /// Shows nothing (the "no message selected" page).
    void clear();

    [[nodiscard]] bool hasMessage() const noexcept { return m_hasMessage; }
    [[nodiscard]] const StoredMessage &message() const noexcept { return m_message; }

    [[nodiscard]] Tab currentTab() const;
    /// Switches to tab as the user's choice, which then sticks; false when the tab is disabled.
    bool setCurrentTab(Tab tab);
    [[nodiscard]] bool isTabEnabled(Tab tab) const;
    /// Why a tab is disabled for the current message; empty when it is enabled.
    [[nodiscard]] QString tabDisabledReason(Tab tab) const;

    /// True while a large JSON body or image is still being decoded in a worker thread.
    [[nodiscard]] bool isDecoding() const noexcept { return m_pendingJobs > 0; }

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

protected:
    void changeEvent(QEvent *event) override;

private:
    struct JsonResult;
    struct ImageResult;

    [[nodiscard]] static JsonResult parseJson(const QByteArray &body);
    [[nodiscard]] static ImageResult decodeImage(const QByteArray &body);

    void buildUi();
    QWidget *buildEnvelopePage();
    QWidget *buildTextPage();
    QWidget *buildJsonPage();
    QWidget *buildHexPage();
    QWidget *buildImagePage();
    QWidget *buildFramesPage();

    void showEnvelope();
    void showText();
    void startJson();
    void applyJson(const JsonResult &result);
    /// The JSON tab's notice page with text (why there is no JSON view), its view buttons disabled.
    void showJsonMessage(const QString &text);
    void startImage();
    void applyImage(const ImageResult &result);
    void showFrames();
    void fillHexSources();
    void updateHexPosition();
    void updateTabs(std::optional<Tab> bestTab);
    void setTabDisabledReason(Tab tab, const QString &reason);
    void setJsonMode(bool tree);
    void expandJsonTree(bool all);
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

    [[nodiscard]] bool hasBody() const noexcept { return m_parsed.envelope.has_value(); }
    [[nodiscard]] QByteArray body() const;

    // The message.
    StoredMessage m_message;
    QString m_socketName;
    bool m_hasMessage = false;
    EnvelopeParseResult m_parsed;
    std::array<QString, TabCount> m_disabledReasons;
    std::optional<Tab> m_preferredTab;
    bool m_updatingTabs = false;
    quint64 m_generation = 0; // results of worker threads for older messages are dropped
    int m_pendingJobs = 0;
    int m_jsonValueCount = 0;
    bool m_jsonReady = false; // a document is shown (not the parsing or error page)

    // Frame and header.
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

    // Envelope tab.
    QWidget *m_rawBanner = nullptr;
    QLabel *m_rawReason = nullptr;
    QTreeView *m_envelopeTree = nullptr;
    QStandardItemModel *m_envelopeModel = nullptr;

    // Text tab.
    QLabel *m_textNote = nullptr;
    QCheckBox *m_wrapLines = nullptr;
    QPlainTextEdit *m_textEdit = nullptr;

    // JSON tab.
    QToolButton *m_jsonFormattedButton = nullptr;
    QToolButton *m_jsonTreeButton = nullptr;
    QToolButton *m_expandAllButton = nullptr;
    QToolButton *m_collapseAllButton = nullptr;
    QLabel *m_jsonNote = nullptr;
    QStackedWidget *m_jsonStack = nullptr;
    QPlainTextEdit *m_jsonText = nullptr;
    JsonHighlighter *m_jsonHighlighter = nullptr;
    QTreeView *m_jsonTree = nullptr;
    JsonTreeModel *m_jsonModel = nullptr;
    QLabel *m_jsonMessage = nullptr;
    QWidget *m_jsonMessagePage = nullptr;

    // Hex tab.
    QComboBox *m_hexSource = nullptr;
    QLabel *m_hexPosition = nullptr;
    HexView *m_hexView = nullptr;

    // Image tab.
    QLabel *m_imageInfo = nullptr;
    QStackedWidget *m_imageStack = nullptr;
    ImagePreview *m_imagePreview = nullptr;
    QLabel *m_imageMessage = nullptr;

    // Frames tab.
    QTableView *m_framesTable = nullptr;
    FramesModel *m_framesModel = nullptr;
    QToolButton *m_openInHexButton = nullptr;
};

} // namespace zmqscope
