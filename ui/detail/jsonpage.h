#pragma once

#include <functional>
#include <optional>

#include <QJsonValue>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/jsonpath.h>

#include "detail/detailpage.h"

class QStackedWidget;
class QTreeView;

namespace zmqscope {

class JsonHighlighter;
class JsonTreeModel;

/**
 * The JSON tab: the body formatted and highlighted, or as a tree. Bodies over
 * JsonWorkerThreshold are parsed in a worker thread; results for an older
 * message are dropped. A JSON body too large to parse keeps the tab open with
 * a notice saying why, where the user looks for it.
 */
class JsonPage : public DetailPage
{
    Q_OBJECT

public:
    /// Larger bodies are not parsed as JSON (the Text and Hex tabs still show them).
    static constexpr qsizetype JsonSizeLimit = qsizetype { 8 } << 20;
    /// JSON bodies up to this size are parsed at once, larger ones in a worker thread.
    static constexpr qsizetype JsonWorkerThreshold = qsizetype { 256 } << 10;
    /// The formatted JSON text is cut after this many bytes (the tree always holds everything).
    static constexpr qsizetype FormattedJsonLimit = qsizetype { 128 } << 10;
    /// "Expand All" expands the whole JSON tree only up to this many values.
    static constexpr int ExpandAllLimit = 100000;
    /// A JSON document opens with its top level expanded when it has at most this many top-level rows.
    static constexpr int AutoExpandTopLevelLimit = 200;

    explicit JsonPage(QWidget *parent = nullptr);
    ~JsonPage() override;

    void setMessage(const DetailMessage &message) override;
    /// The decode rules (Decoders dialog, workspace): a body they (or its mimetype) give a format
    /// shows here decoded, the format named above it. Applies from the next setMessage().
    void setDecoders(const DecoderSet &decoders) { m_decoders = decoders; }
    /// What the shown value was decoded from ("MessagePack", "protobuf demo.Reading"); empty for a
    /// JSON body read as such, or nothing shown.
    [[nodiscard]] QString decodedFrom() const { return m_decodedFrom; }
    void clear() override;
    [[nodiscard]] QString whyDisabled() const override { return m_whyDisabled; }
    [[nodiscard]] bool isDecoding() const override { return m_pendingJobs > 0; }

    /// True when the message is best shown here: its mimetype says JSON and the body is (being) parsed,
    /// or a body that only looks like JSON parsed at once. A body too large to parse is not.
    [[nodiscard]] bool isBestView() const noexcept { return m_bestView; }

Q_SIGNALS:
    /// "Plot This Field" on a number or boolean of the tree: path leads to it (in the filter language).
    void plotRequested(const zmqscope::JsonPath &path);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Result;
    [[nodiscard]] static Result parse(const QByteArray &body);
    /// The formatted text and counts of a value (parse()'s second half, and a decoder's).
    static void present(const QJsonValue &root, Result &result);
    /// The message decoded by `decoders` (in a worker for a big body): its value, or the decoder's error.
    [[nodiscard]] static Result decode(
        const DecoderSet &decoders, const StoredMessage &message, const QString &socket);

    void start(const QByteArray &body);
    /// Runs job now, or in the pool with a notice ("Decoding 3 MB of MessagePack…") when size is big.
    void run(std::function<Result()> job, qsizetype size, const QString &what);
    /// Shows a body a decoder (not the JSON parser) reads; false when none applies.
    bool startDecoded(const DetailMessage &message);
    void apply(const Result &result);
    /// The notice page with text (why there is no JSON view), its view buttons disabled.
    void showNotice(const QString &text);
    void setTreeMode(bool tree);
    void expandTree(bool all);
    void resetViews();

    DecoderSet m_decoders;
    QString m_decodedFrom;
    QLabel *m_source = nullptr; ///< "Decoded from MessagePack by rule 1 (id=order-*:msgpack)"
    QString m_whyDisabled;
    bool m_bestView = false;
    bool m_ready = false;
    quint64 m_generation = 0; // results of the worker for older messages are dropped
    int m_pendingJobs = 0;
    int m_valueCount = 0;

    QToolButton *m_formattedButton = nullptr;
    QToolButton *m_treeButton = nullptr;
    QToolButton *m_expandAllButton = nullptr;
    QToolButton *m_collapseAllButton = nullptr;
    QLabel *m_note = nullptr;
    QStackedWidget *m_stack = nullptr;
    QPlainTextEdit *m_text = nullptr;
    JsonHighlighter *m_highlighter = nullptr;
    QTreeView *m_tree = nullptr;
    JsonTreeModel *m_model = nullptr;
    QLabel *m_notice = nullptr;
    QWidget *m_noticePage = nullptr;
};

} // namespace zmqscope
