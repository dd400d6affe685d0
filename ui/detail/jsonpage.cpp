#include "detail/jsonpage.h"

#include <QAction>
#include <QEvent>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QStackedWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <zmqscope/error.h>
#include <zmqscope/textescape.h>

#include "detail/jsonhighlighter.h"
#include "detail/jsontreemodel.h"
#include "detail/messageformat.h"
#include "detail/pooljob.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

// The parse outcome sits next to the formatted text: the struct crosses a QFuture, which needs a
// default-constructible type.
struct JsonPage::Result
{
    ::zmqscope::Result<void> outcome; ///< InvalidBody naming the parser's complaint and its byte offset
    QJsonValue root;
    QString formatted;
    qsizetype formattedBytes = 0; ///< the whole formatted text, even when `formatted` is cut
    qsizetype formattedShownBytes = 0; ///< how much of it `formatted` holds
    bool formattedCut = false;
    int valueCount = 0; ///< counted up to ExpandAllLimit + 1
};

namespace {

int countValues(const QJsonValue &value, int limit)
{
    int count = 1;
    if (value.isArray()) {
        for (const auto &element : value.toArray()) {
            if (count > limit)
                break;
            count += countValues(element, limit - count);
        }
    } else if (value.isObject()) {
        const auto object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd() && count <= limit; ++it)
            count += countValues(it.value(), limit - count);
    }
    return count;
}

} // namespace

// Runs in a worker thread for large bodies: only value types, no widgets.
JsonPage::Result JsonPage::parse(const QByteArray &body)
{
    Result result;
    QJsonParseError error;
    auto document = QJsonDocument::fromJson(body, &error);
    QJsonValue root(QJsonValue::Undefined); // a default QJsonValue is null, which is valid JSON
    if (error.error == QJsonParseError::NoError) {
        root = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    } else if (!MessageFormat::looksLikeJson(body)) {
        // QJsonDocument only takes an object or an array at the top; RFC 8259 allows any value.
        QJsonParseError wrappedError;
        const auto wrapped = QJsonDocument::fromJson('[' + body + ']', &wrappedError);
        if (wrappedError.error == QJsonParseError::NoError && wrapped.array().size() == 1)
            root = wrapped.array().at(0);
    }
    if (root.isUndefined()) {
        QString hint;
        if (error.error == QJsonParseError::DeepNesting)
            hint = tr(" The document nests deeper than the JSON parser allows (1,024 levels).");
        result.outcome = Error(ErrorCode::InvalidBody,
            tr("This body is not valid JSON: %1 at byte %2.%3")
                .arg(error.errorString(), QLocale().toString(error.offset), hint));
        return result;
    }
    present(root, result);
    return result;
}

void JsonPage::present(const QJsonValue &root, Result &result)
{
    result.root = root;

    QByteArray formatted;
    if (root.isObject())
        formatted = QJsonDocument(root.toObject()).toJson(QJsonDocument::Indented);
    else if (root.isArray())
        formatted = QJsonDocument(root.toArray()).toJson(QJsonDocument::Indented);
    else
        formatted = JsonTreeModel::displayValue(root, std::numeric_limits<int>::max()).toUtf8();
    result.formattedBytes = formatted.size();
    if (formatted.size() > FormattedJsonLimit) {
        // Cut at a line end so that the highlighter sees whole tokens.
        auto cut = formatted.lastIndexOf('\n', FormattedJsonLimit);
        if (cut <= 0)
            cut = textescape::utf8PrefixLength(formatted, FormattedJsonLimit);
        formatted.truncate(cut);
        result.formattedCut = true;
    }
    result.formattedShownBytes = formatted.size();
    // Long string values make long lines, which text views lay out very slowly: break them.
    result.formatted = MessageFormat::displayText(formatted, MaxDisplayLineChars);
    // QJsonDocument writes an empty array or object over two lines; one reads better.
    static const QRegularExpression emptyContainer(u"([\\[{])\\n *([\\]}])"_s);
    result.formatted.replace(emptyContainer, u"\\1\\2"_s);
    if (result.formatted.endsWith(u'\n'))
        result.formatted.chop(1);
    result.valueCount = countValues(root, ExpandAllLimit + 1);
}

JsonPage::Result JsonPage::decode(
    const DecoderSet &decoders, const StoredMessage &message, const QString &socket)
{
    const FilterSubjectHolder subject(message, socket);
    Result result;
    const std::optional<DecodedPayload> decoded = decoders.decode(subject.subject());
    if (!decoded) {
        result.outcome = Error(ErrorCode::InvalidBody, tr("No decoder applies to this message any more."));
        return result;
    }
    if (!decoded->value) {
        result.outcome = decoded->value.error();
        return result;
    }
    present(*decoded->value, result);
    return result;
}

JsonPage::JsonPage(QWidget *parent)
    : DetailPage(parent)
    , m_whyDisabled(noMessageReason())
{
    auto *layout = detailui::makePageLayout(this);

    auto *bar = detailui::makeBar();
    m_formattedButton = detailui::makeToolButton(this, tr("Formatted"), u"jsonFormattedButton"_s);
    m_treeButton = detailui::makeToolButton(this, tr("Tree"), u"jsonTreeButton"_s);
    for (auto *button : { m_formattedButton, m_treeButton }) {
        button->setCheckable(true);
        button->setAutoExclusive(true);
    }
    m_formattedButton->setChecked(true);
    m_expandAllButton = detailui::makeToolButton(this, tr("Expand All"), u"expandAllButton"_s);
    m_collapseAllButton = detailui::makeToolButton(this, tr("Collapse All"), u"collapseAllButton"_s);
    bar->addWidget(m_formattedButton);
    bar->addWidget(m_treeButton);
    bar->addStretch(1);
    bar->addWidget(m_expandAllButton);
    bar->addWidget(m_collapseAllButton);
    layout->addLayout(bar);

    m_source = detailui::makeNoteLabel(this);
    m_source->setObjectName(u"jsonDecodedFrom"_s);
    m_source->setContentsMargins(8, 0, 8, 4);
    layout->addWidget(m_source);

    m_note = detailui::makeNoteLabel(this);
    m_note->setObjectName(u"jsonNote"_s);
    m_note->setContentsMargins(8, 0, 8, 4);
    layout->addWidget(m_note);

    m_stack = new QStackedWidget(this);
    m_text = detailui::makeReadOnlyTextEdit(m_stack, u"jsonText"_s);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_highlighter = new JsonHighlighter(m_text->document());
    m_highlighter->setBaseColor(m_text->palette().color(QPalette::Base));
    m_stack->addWidget(m_text);

    m_model = new JsonTreeModel(this);
    m_tree = new QTreeView(m_stack);
    m_tree->setObjectName(u"jsonTree"_s);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setFrameShape(QFrame::NoFrame);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_tree->header()->resizeSection(JsonTreeModel::KeyColumn, 180);
    m_tree->header()->resizeSection(JsonTreeModel::TypeColumn, 70);
    m_stack->addWidget(m_tree);

    m_noticePage = detailui::makeNoticePage(m_stack, &m_notice, QStyle::SP_MessageBoxWarning);
    m_notice->setObjectName(u"jsonMessage"_s);
    m_stack->addWidget(m_noticePage);
    layout->addWidget(m_stack, 1);

    connect(m_formattedButton, &QToolButton::toggled, this, [this](bool checked) {
        if (checked)
            setTreeMode(false);
    });
    connect(m_treeButton, &QToolButton::toggled, this, [this](bool checked) {
        if (checked)
            setTreeMode(true);
    });
    connect(m_expandAllButton, &QToolButton::clicked, this, [this] { expandTree(true); });
    connect(m_collapseAllButton, &QToolButton::clicked, m_tree, &QTreeView::collapseAll);

    auto *copyValue = new QAction(tr("Copy &Value"), this);
    auto *copyPath = new QAction(tr("Copy &Path"), this);
    connect(copyValue, &QAction::triggered, this, [this] {
        const auto value = m_model->valueAt(m_tree->currentIndex());
        QString text;
        if (value.isObject())
            text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        else if (value.isArray())
            text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
        else
            text = JsonTreeModel::displayValue(value, std::numeric_limits<int>::max());
        copyText(text, tr("Copied the value at %1.").arg(m_model->pathAt(m_tree->currentIndex())));
    });
    connect(copyPath, &QAction::triggered, this, [this] {
        const auto path = m_model->pathAt(m_tree->currentIndex());
        copyText(path, tr("Copied the path %1.").arg(path));
    });
    // Numbers and booleans (as 0 and 1) plot; the Plots dock reads the field from every message.
    auto *plotField = new QAction(tr("P&lot This Field"), this);
    plotField->setObjectName(u"plotFieldAction"_s);
    connect(plotField, &QAction::triggered, this, [this] {
        const auto value = m_model->valueAt(m_tree->currentIndex());
        if (m_tree->currentIndex().isValid() && (value.isDouble() || value.isBool()))
            Q_EMIT plotRequested(m_model->jsonPathAt(m_tree->currentIndex()));
    });
    connect(m_tree, &QWidget::customContextMenuRequested, this,
        [this, copyValue, copyPath, plotField](const QPoint &pos) {
            const auto index = m_tree->indexAt(pos);
            if (index.isValid())
                m_tree->setCurrentIndex(index);
            const auto value = m_model->valueAt(index);
            copyValue->setEnabled(index.isValid());
            copyPath->setEnabled(index.isValid());
            plotField->setEnabled(index.isValid() && (value.isDouble() || value.isBool()));
            Q_EMIT contextMenuRequested(m_tree->viewport(), pos, { copyValue, copyPath, plotField });
        });
    connect(m_text, &QWidget::customContextMenuRequested, this,
        [this](const QPoint &pos) { Q_EMIT contextMenuRequested(m_text, pos, {}); });
}

JsonPage::~JsonPage() = default;

void JsonPage::changeEvent(QEvent *event)
{
    DetailPage::changeEvent(event);
    // The JSON colours are chosen for a light or a dark background.
    if (event->type() == QEvent::PaletteChange)
        m_highlighter->setBaseColor(m_text->palette().color(QPalette::Base));
}

void JsonPage::resetViews()
{
    ++m_generation;
    m_ready = false;
    m_model->clear();
    m_text->clear();
    m_note->clear();
    m_note->hide();
    m_source->clear();
    m_source->hide();
    m_decodedFrom.clear();
}

void JsonPage::setMessage(const DetailMessage &message)
{
    resetViews();
    m_bestView = false;
    if (startDecoded(message))
        return;
    if (!message.hasBody()) {
        m_whyDisabled = noBodyReason();
        return;
    }
    const auto bytes = message.body();
    const bool jsonMimetype = MessageFormat::isJsonMimetype(message.parsed.envelope->mimetype());
    if (!jsonMimetype && !MessageFormat::looksLikeJson(bytes)) {
        m_whyDisabled = tr("The mimetype is not JSON and the body does not start with { or [.");
        return;
    }
    m_whyDisabled.clear();
    if (bytes.size() > JsonSizeLimit) {
        // The tab stays open and says why there is no JSON view, where the user looks for it.
        showNotice(
            tr("This JSON body is not shown here: it is %1, and the JSON view takes bodies up to %2.\n"
               "The Text tab shows its start and the Hex tab all of it; Save Body to File writes it out.")
                .arg(QLocale().formattedDataSize(bytes.size(), 1, QLocale::DataSizeIecFormat),
                    QLocale().formattedDataSize(JsonSizeLimit, 0, QLocale::DataSizeIecFormat)));
        return;
    }
    start(bytes);
    // A sniffed body is shown as JSON only when it parses (large ones are still being parsed: Text).
    m_bestView = jsonMimetype || m_ready;
}

void JsonPage::clear()
{
    resetViews();
    m_bestView = false;
    m_whyDisabled = noMessageReason();
}

bool JsonPage::startDecoded(const DetailMessage &message)
{
    const Frames &frames = message.message.frames;
    const FilterSubjectHolder subject(message.message, message.socketName);
    const std::optional<DecodedPayload> chosen = m_decoders.choose(subject.subject());
    // A JSON body by its mimetype is the JSON parser's, as without rules.
    if (!chosen || (chosen->format == PayloadFormat::Json && chosen->ruleIndex < 0))
        return false;
    m_whyDisabled.clear();
    m_bestView = true;
    m_decodedFrom = chosen->title();
    const QString frameText
        = chosen->frame == qsizetype(frames.size()) - 1 ? tr("the body") : tr("frame %1").arg(chosen->frame);
    m_source->setText(chosen->ruleIndex >= 0
            ? tr("Decoded from %1 (%2) by rule %3: %4")
                  .arg(m_decodedFrom, frameText)
                  .arg(chosen->ruleIndex + 1)
                  .arg(m_decoders.rules().at(chosen->ruleIndex).toString())
            : tr("Decoded from %1 (%2), as its mimetype says").arg(m_decodedFrom, frameText));
    m_source->show();
    const qsizetype size = frames.at(chosen->frame).size();
    if (size > JsonSizeLimit) {
        showNotice(
            tr("This %1 body is not decoded here: it is %2, and decoding takes bodies up to %3.\n"
               "The Text tab shows its start and the Hex tab all of it; Save Body to File writes it out.")
                .arg(m_decodedFrom, QLocale().formattedDataSize(size, 1, QLocale::DataSizeIecFormat),
                    QLocale().formattedDataSize(JsonSizeLimit, 0, QLocale::DataSizeIecFormat)));
        return true;
    }
    run([decoders = m_decoders, stored = message.message,
            socket = message.socketName] { return decode(decoders, stored, socket); },
        size,
        tr("Decoding %1 of %2…")
            .arg(QLocale().formattedDataSize(size, 1, QLocale::DataSizeIecFormat), m_decodedFrom));
    return true;
}

void JsonPage::start(const QByteArray &bytes)
{
    run([bytes] { return parse(bytes); }, bytes.size(),
        tr("Parsing %1 of JSON…")
            .arg(QLocale().formattedDataSize(bytes.size(), 1, QLocale::DataSizeIecFormat)));
}

void JsonPage::run(std::function<Result()> job, qsizetype size, const QString &what)
{
    if (size <= JsonWorkerThreshold) {
        apply(job());
        return;
    }
    showNotice(what);
    ++m_pendingJobs;
    auto *watcher = new QFutureWatcher<Result>(this);
    const auto generation = m_generation;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        --m_pendingJobs;
        if (generation == m_generation)
            apply(watcher->result());
    });
    watcher->setFuture(detailui::runInPool<Result>(std::move(job)));
}

void JsonPage::showNotice(const QString &text)
{
    m_notice->setText(text);
    m_stack->setCurrentWidget(m_noticePage);
    for (auto *button : { m_formattedButton, m_treeButton, m_expandAllButton, m_collapseAllButton })
        button->setEnabled(false);
    m_note->hide();
}

void JsonPage::apply(const Result &result)
{
    if (!result.outcome) {
        showNotice(result.outcome.errorMessage() + u'\n' + tr("The Text and Hex tabs still show the body."));
        return;
    }
    m_ready = true;
    m_valueCount = result.valueCount;
    m_text->setPlainText(result.formatted);
    m_model->setRoot(result.root);
    if (result.formattedCut) {
        m_note->setText(tr("Showing the first %1 of %2 bytes of formatted JSON; the tree shows all of it.")
                            .arg(QLocale().toString(result.formattedShownBytes),
                                QLocale().toString(result.formattedBytes)));
        m_note->show();
    }
    for (auto *button : { m_formattedButton, m_treeButton })
        button->setEnabled(true);
    setTreeMode(m_treeButton->isChecked());
    expandTree(false);
}

void JsonPage::setTreeMode(bool tree)
{
    // While parsing, or after an error, the notice stays; the mode applies to the next document.
    if (!m_ready)
        return;
    m_stack->setCurrentWidget(tree ? static_cast<QWidget *>(m_tree) : m_text);
    m_expandAllButton->setEnabled(tree);
    m_collapseAllButton->setEnabled(tree);
}

void JsonPage::expandTree(bool all)
{
    if (!all) {
        // A document opens with its top level expanded, unless that alone is a long list:
        // QTreeView expands item by item, which gets slow for thousands of rows.
        if (m_model->totalChildCount() <= AutoExpandTopLevelLimit)
            m_tree->expandToDepth(0);
        return;
    }
    if (m_valueCount > ExpandAllLimit) {
        m_note->setText(tr("The document has more than %1 values, too many to expand at once: expand the "
                           "branches you need.")
                            .arg(QLocale().toString(ExpandAllLimit)));
        m_note->show();
        return;
    }
    m_tree->expandAll();
}

} // namespace zmqscope
