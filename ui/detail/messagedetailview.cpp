// Not split yet, on purpose: six tabs and their two worker pipelines live here. Issue 13 (the
// foundation redesign, next after hardening) names this file and splits it into one widget per tab
// with one shared pipeline; the decoders of issue 17 are added on top of that split.

#include "detail/messagedetailview.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPromise>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QThreadPool>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <zmqscope/textescape.h>

#include "compose/inlinemessage.h"
#include "detail/elidedlabel.h"
#include "detail/framesmodel.h"
#include "detail/hexview.h"
#include "detail/imagepreview.h"
#include "detail/jsonhighlighter.h"
#include "detail/jsontreemodel.h"
#include "detail/messageformat.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

struct MessageDetailView::JsonResult
{
    bool ok = false;
    QJsonValue root;
    QString error;
    QString formatted;
    qsizetype formattedBytes = 0; ///< the whole formatted text, even when `formatted` is cut
    qsizetype formattedShownBytes = 0; ///< how much of it `formatted` holds
    bool formattedCut = false;
    int valueCount = 0; ///< counted up to ExpandAllLimit + 1
};

struct MessageDetailView::ImageResult
{
    QImage image;
    QByteArray format;
    QString error;
};

namespace {

constexpr int TabIndex(MessageDetailView::Tab tab)
{
    return static_cast<int>(tab);
}

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

// Runs in a worker thread for large bodies: only value types, no widgets.
} // namespace

MessageDetailView::JsonResult MessageDetailView::parseJson(const QByteArray &body)
{
    MessageDetailView::JsonResult result;
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
            hint = MessageDetailView::tr(
                " The document nests deeper than the JSON parser allows (1,024 levels).");
        result.error = MessageDetailView::tr("This body is not valid JSON: %1 at byte %2.%3")
                           .arg(error.errorString(), QLocale().toString(error.offset), hint);
        return result;
    }
    result.ok = true;
    result.root = root;

    QByteArray formatted;
    if (root.isObject())
        formatted = QJsonDocument(root.toObject()).toJson(QJsonDocument::Indented);
    else if (root.isArray())
        formatted = QJsonDocument(root.toArray()).toJson(QJsonDocument::Indented);
    else
        formatted = JsonTreeModel::displayValue(root, std::numeric_limits<int>::max()).toUtf8();
    result.formattedBytes = formatted.size();
    if (formatted.size() > MessageDetailView::FormattedJsonLimit) {
        // Cut at a line end so that the highlighter sees whole tokens.
        auto cut = formatted.lastIndexOf('\n', MessageDetailView::FormattedJsonLimit);
        if (cut <= 0)
            cut = textescape::utf8PrefixLength(formatted, MessageDetailView::FormattedJsonLimit);
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
    result.valueCount = countValues(root, MessageDetailView::ExpandAllLimit + 1);
    return result;
}

MessageDetailView::ImageResult MessageDetailView::decodeImage(const QByteArray &body)
{
    MessageDetailView::ImageResult result;
    QByteArray bytes = body;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setDecideFormatFromContent(true);
    result.format = reader.format();
    // QImageReader refuses images beyond its allocation limit (256 MiB by default) instead of trying.
    if (!reader.read(&result.image)) {
        result.error
            = MessageDetailView::tr("Cannot decode this body as an image: %1.").arg(reader.errorString());
        result.image = QImage();
    }
    return result;
}

namespace {

/// Runs work in the global thread pool; the future carries its result.
template<typename Result, typename Work> QFuture<Result> runInPool(Work work)
{
    auto promise = std::make_shared<QPromise<Result>>();
    auto future = promise->future();
    promise->start();
    QThreadPool::globalInstance()->start([promise, work = std::move(work)]() mutable {
        promise->addResult(work());
        promise->finish();
    });
    return future;
}

QLabel *makeLabel(QWidget *parent, const QString &text = {})
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(Qt::PlainText); // message bytes are untrusted: never let a label guess rich text
    return label;
}

QLabel *makeNoteLabel(QWidget *parent)
{
    auto *label = makeLabel(parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

/// A page with an icon and a word-wrapped message at its top, for errors and waits.
QWidget *makeNoticePage(QWidget *parent, QLabel **text, QStyle::StandardPixmap icon)
{
    auto *page = new QWidget(parent);
    page->setBackgroundRole(QPalette::Base);
    page->setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(page);
    layout->setContentsMargins(12, 12, 12, 12);
    layout->setSpacing(10);
    auto *iconLabel = makeLabel(page);
    const int size = page->style()->pixelMetric(QStyle::PM_LargeIconSize);
    iconLabel->setPixmap(page->style()->standardIcon(icon).pixmap(size, size));
    iconLabel->setAlignment(Qt::AlignTop);
    *text = makeLabel(page);
    (*text)->setWordWrap(true);
    (*text)->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    (*text)->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(iconLabel, 0, Qt::AlignTop);
    layout->addWidget(*text, 1);
    return page;
}

QToolButton *makeToolButton(QWidget *parent, const QString &text, const QString &objectName)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setObjectName(objectName);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setAutoRaise(true);
    return button;
}

QHBoxLayout *makeBar()
{
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(6, 4, 6, 4);
    bar->setSpacing(6);
    return bar;
}

QPlainTextEdit *makeReadOnlyTextEdit(QWidget *parent, const QString &objectName)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(objectName);
    edit->setReadOnly(true);
    edit->setUndoRedoEnabled(false);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    edit->setFrameShape(QFrame::NoFrame);
    edit->setContextMenuPolicy(Qt::CustomContextMenu);
    return edit;
}

QStandardItem *makeItem(const QString &text)
{
    auto *item = new QStandardItem(text);
    item->setEditable(false);
    return item;
}

QString kindText(const EnvelopeParseResult &parsed)
{
    switch (parsed.kind) {
    case MessageKind::Envelope:
        return MessageDetailView::tr("Envelope (id, mimetype, body)");
    case MessageKind::RoutedEnvelope: {
        const auto count = parsed.envelope ? parsed.envelope->requestFrames().size() : 0;
        if (count == 0)
            return MessageDetailView::tr("Envelope after an empty delimiter (no request frames)");
        return count == 1
            ? MessageDetailView::tr("Routed envelope: 1 request frame, delimiter, id, mimetype, body")
            : MessageDetailView::tr("Routed envelope: %1 request frames, delimiter, id, mimetype, body")
                  .arg(count);
    }
    case MessageKind::Raw:
        break;
    }
    return MessageDetailView::tr("Raw message (not an envelope)");
}

/// A frame for the Envelope tab: its size and a short text or hex rendering.
QString frameSummary(const QByteArray &frame)
{
    return MessageFormat::byteCount(frame.size()) + u" · "_s + MessageFormat::describeBytes(frame, 80);
}

QString imageDepthText(const QImage &image)
{
    if (image.format() == QImage::Format_Indexed8 || image.format() == QImage::Format_Mono
        || image.format() == QImage::Format_MonoLSB)
        return MessageDetailView::tr("%1-bit indexed, %2 colours").arg(image.depth()).arg(image.colorCount());
    if (image.isGrayscale())
        return MessageDetailView::tr("%1-bit greyscale").arg(image.depth());
    return image.hasAlphaChannel() ? MessageDetailView::tr("%1-bit colour with alpha").arg(image.depth())
                                   : MessageDetailView::tr("%1-bit colour").arg(image.depth());
}

} // namespace

MessageDetailView::MessageDetailView(QWidget *parent)
    : QWidget(parent)
{
    buildUi();
    clear();
}

MessageDetailView::~MessageDetailView() = default;

void MessageDetailView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    // The JSON colours are chosen for a light or a dark background.
    if (event->type() == QEvent::PaletteChange)
        m_jsonHighlighter->setBaseColor(m_jsonText->palette().color(QPalette::Base));
}

void MessageDetailView::buildUi()
{
    m_copyTextAction = new QAction(tr("Copy Body as &Text"), this);
    m_copyHexAction = new QAction(tr("Copy Body as &Hex"), this);
    m_copyBase64Action = new QAction(tr("Copy Body as &Base64"), this);
    m_copyJsonAction = new QAction(tr("Copy Message as &JSON"), this);
    connect(m_copyTextAction, &QAction::triggered, this, &MessageDetailView::copyBodyAsText);
    connect(m_copyHexAction, &QAction::triggered, this, &MessageDetailView::copyBodyAsHex);
    connect(m_copyBase64Action, &QAction::triggered, this, &MessageDetailView::copyBodyAsBase64);
    connect(m_copyJsonAction, &QAction::triggered, this, &MessageDetailView::copyMessageAsJson);
    // Saving has no size limit: it is how a body too large for the clipboard leaves the app.
    m_saveBodyAction = new QAction(tr("Save Body to &File…"), this);
    m_saveBodyAction->setObjectName(u"saveBodyAction"_s);
    connect(m_saveBodyAction, &QAction::triggered, this, &MessageDetailView::saveBodyToFile);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *header = makeBar();
    header->setContentsMargins(8, 4, 4, 4);
    m_summary = new ElidedLabel(this);
    m_summary->setObjectName(u"summaryLabel"_s);
    QFont summaryFont = m_summary->font();
    summaryFont.setBold(true);
    m_summary->setFont(summaryFont);
    m_copyButton = makeToolButton(this, tr("Copy"), u"copyButton"_s);
    m_copyButton->setIcon(QIcon::fromTheme(u"edit-copy"_s));
    m_copyButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_copyButton->setPopupMode(QToolButton::InstantPopup);
    auto *copyMenu = new QMenu(m_copyButton);
    copyMenu->addActions({ m_copyTextAction, m_copyHexAction, m_copyBase64Action });
    copyMenu->addSeparator();
    copyMenu->addAction(m_copyJsonAction);
    copyMenu->addSeparator();
    copyMenu->addAction(m_saveBodyAction);
    m_copyButton->setMenu(copyMenu);
    header->addWidget(m_summary, 1);
    header->addWidget(m_copyButton);
    layout->addLayout(header);

    m_stack = new QStackedWidget(this);
    auto *placeholder = new QWidget(m_stack);
    auto *placeholderLayout = new QVBoxLayout(placeholder);
    auto *placeholderText
        = makeLabel(placeholder, tr("Select a message to see its envelope, body and frames."));
    placeholderText->setObjectName(u"placeholderLabel"_s);
    placeholderText->setAlignment(Qt::AlignCenter);
    placeholderText->setWordWrap(true);
    placeholderText->setForegroundRole(QPalette::PlaceholderText);
    placeholderLayout->addWidget(placeholderText);
    m_stack->addWidget(placeholder);

    m_tabs = new QTabWidget(m_stack);
    m_tabs->setObjectName(u"tabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->setUsesScrollButtons(true);
    m_tabs->addTab(buildEnvelopePage(), tr("Envelope"));
    m_tabs->addTab(buildTextPage(), tr("Text"));
    m_tabs->addTab(buildJsonPage(), tr("JSON"));
    m_tabs->addTab(buildHexPage(), tr("Hex"));
    m_tabs->addTab(buildImagePage(), tr("Image"));
    m_tabs->addTab(buildFramesPage(), tr("Frames"));
    m_stack->addWidget(m_tabs);
    layout->addWidget(m_stack, 1);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MessageDetailView::handleTabChanged);

    m_status = makeLabel(this);
    m_status->setObjectName(u"statusLabel"_s);
    m_status->setContentsMargins(8, 3, 8, 3);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_status->setWordWrap(true);
    m_status->hide();
    layout->addWidget(m_status);
}

QWidget *MessageDetailView::buildEnvelopePage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *banner = new QFrame(page);
    banner->setObjectName(u"rawBanner"_s);
    banner->setFrameShape(QFrame::StyledPanel);
    banner->setBackgroundRole(QPalette::ToolTipBase);
    banner->setForegroundRole(QPalette::ToolTipText);
    banner->setAutoFillBackground(true);
    auto *bannerLayout = new QHBoxLayout(banner);
    bannerLayout->setContentsMargins(8, 6, 8, 6);
    bannerLayout->setSpacing(8);
    auto *icon = makeLabel(banner);
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize, iconSize));
    m_rawReason = makeLabel(banner);
    m_rawReason->setObjectName(u"rawReason"_s);
    m_rawReason->setWordWrap(true);
    m_rawReason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bannerLayout->addWidget(icon, 0, Qt::AlignTop);
    bannerLayout->addWidget(m_rawReason, 1);
    m_rawBanner = banner;
    layout->addWidget(banner);

    m_envelopeModel = new QStandardItemModel(this);
    m_envelopeModel->setHorizontalHeaderLabels({ tr("Field"), tr("Value") });
    m_envelopeTree = new QTreeView(page);
    m_envelopeTree->setObjectName(u"envelopeTree"_s);
    m_envelopeTree->setModel(m_envelopeModel);
    m_envelopeTree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_envelopeTree->setAlternatingRowColors(true);
    m_envelopeTree->setUniformRowHeights(true);
    m_envelopeTree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_envelopeTree->setFrameShape(QFrame::NoFrame);
    m_envelopeTree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_envelopeTree->header()->setStretchLastSection(true);
    layout->addWidget(m_envelopeTree, 1);

    auto *copyValue = new QAction(tr("Copy &Value"), this);
    connect(copyValue, &QAction::triggered, this, [this] {
        const auto current = m_envelopeTree->currentIndex();
        if (!current.isValid())
            return;
        const auto value = current.siblingAtColumn(1).data().toString();
        copyText(value, tr("Copied the %1 field.").arg(current.siblingAtColumn(0).data().toString()));
    });
    connect(m_envelopeTree, &QWidget::customContextMenuRequested, this, [this, copyValue](const QPoint &pos) {
        copyValue->setEnabled(m_envelopeTree->indexAt(pos).isValid());
        if (m_envelopeTree->indexAt(pos).isValid())
            m_envelopeTree->setCurrentIndex(m_envelopeTree->indexAt(pos));
        showContextMenu(m_envelopeTree->viewport(), pos, { copyValue });
    });
    return page;
}

QWidget *MessageDetailView::buildTextPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto *bar = makeBar();
    m_textNote = makeNoteLabel(page);
    m_textNote->setObjectName(u"textNote"_s);
    m_wrapLines = new QCheckBox(tr("Wrap lines"), page);
    m_wrapLines->setObjectName(u"wrapLines"_s);
    m_wrapLines->setChecked(true);
    bar->addWidget(m_textNote, 1);
    bar->addWidget(m_wrapLines, 0, Qt::AlignTop);
    layout->addLayout(bar);

    m_textEdit = makeReadOnlyTextEdit(page, u"textEdit"_s);
    layout->addWidget(m_textEdit, 1);
    connect(m_wrapLines, &QCheckBox::toggled, this, [this](bool wrap) {
        m_textEdit->setLineWrapMode(wrap ? QPlainTextEdit::WidgetWidth : QPlainTextEdit::NoWrap);
    });
    connect(m_textEdit, &QWidget::customContextMenuRequested, this,
        [this](const QPoint &pos) { showContextMenu(m_textEdit, pos, {}); });
    return page;
}

QWidget *MessageDetailView::buildJsonPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *bar = makeBar();
    m_jsonFormattedButton = makeToolButton(page, tr("Formatted"), u"jsonFormattedButton"_s);
    m_jsonTreeButton = makeToolButton(page, tr("Tree"), u"jsonTreeButton"_s);
    for (auto *button : { m_jsonFormattedButton, m_jsonTreeButton }) {
        button->setCheckable(true);
        button->setAutoExclusive(true);
    }
    m_jsonFormattedButton->setChecked(true);
    m_expandAllButton = makeToolButton(page, tr("Expand All"), u"expandAllButton"_s);
    m_collapseAllButton = makeToolButton(page, tr("Collapse All"), u"collapseAllButton"_s);
    bar->addWidget(m_jsonFormattedButton);
    bar->addWidget(m_jsonTreeButton);
    bar->addStretch(1);
    bar->addWidget(m_expandAllButton);
    bar->addWidget(m_collapseAllButton);
    layout->addLayout(bar);

    m_jsonNote = makeNoteLabel(page);
    m_jsonNote->setObjectName(u"jsonNote"_s);
    m_jsonNote->setContentsMargins(8, 0, 8, 4);
    layout->addWidget(m_jsonNote);

    m_jsonStack = new QStackedWidget(page);
    m_jsonText = makeReadOnlyTextEdit(m_jsonStack, u"jsonText"_s);
    m_jsonText->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_jsonHighlighter = new JsonHighlighter(m_jsonText->document());
    m_jsonHighlighter->setBaseColor(m_jsonText->palette().color(QPalette::Base));
    m_jsonStack->addWidget(m_jsonText);

    m_jsonModel = new JsonTreeModel(this);
    m_jsonTree = new QTreeView(m_jsonStack);
    m_jsonTree->setObjectName(u"jsonTree"_s);
    m_jsonTree->setModel(m_jsonModel);
    m_jsonTree->setUniformRowHeights(true);
    m_jsonTree->setAlternatingRowColors(true);
    m_jsonTree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_jsonTree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_jsonTree->setFrameShape(QFrame::NoFrame);
    m_jsonTree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_jsonTree->header()->setStretchLastSection(false);
    m_jsonTree->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_jsonTree->header()->resizeSection(JsonTreeModel::KeyColumn, 180);
    m_jsonTree->header()->resizeSection(JsonTreeModel::TypeColumn, 70);
    m_jsonStack->addWidget(m_jsonTree);

    m_jsonMessagePage = makeNoticePage(m_jsonStack, &m_jsonMessage, QStyle::SP_MessageBoxWarning);
    m_jsonMessage->setObjectName(u"jsonMessage"_s);
    m_jsonStack->addWidget(m_jsonMessagePage);
    layout->addWidget(m_jsonStack, 1);

    connect(m_jsonFormattedButton, &QToolButton::toggled, this, [this](bool checked) {
        if (checked)
            setJsonMode(false);
    });
    connect(m_jsonTreeButton, &QToolButton::toggled, this, [this](bool checked) {
        if (checked)
            setJsonMode(true);
    });
    connect(m_expandAllButton, &QToolButton::clicked, this, [this] { expandJsonTree(true); });
    connect(m_collapseAllButton, &QToolButton::clicked, m_jsonTree, &QTreeView::collapseAll);

    auto *copyValue = new QAction(tr("Copy &Value"), this);
    auto *copyPath = new QAction(tr("Copy &Path"), this);
    connect(copyValue, &QAction::triggered, this, [this] {
        const auto value = m_jsonModel->valueAt(m_jsonTree->currentIndex());
        QString text;
        if (value.isObject())
            text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        else if (value.isArray())
            text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
        else
            text = JsonTreeModel::displayValue(value, std::numeric_limits<int>::max());
        copyText(text, tr("Copied the value at %1.").arg(m_jsonModel->pathAt(m_jsonTree->currentIndex())));
    });
    connect(copyPath, &QAction::triggered, this, [this] {
        const auto path = m_jsonModel->pathAt(m_jsonTree->currentIndex());
        copyText(path, tr("Copied the path %1.").arg(path));
    });
    connect(m_jsonTree, &QWidget::customContextMenuRequested, this,
        [this, copyValue, copyPath](const QPoint &pos) {
            const auto index = m_jsonTree->indexAt(pos);
            if (index.isValid())
                m_jsonTree->setCurrentIndex(index);
            copyValue->setEnabled(index.isValid());
            copyPath->setEnabled(index.isValid());
            showContextMenu(m_jsonTree->viewport(), pos, { copyValue, copyPath });
        });
    connect(m_jsonText, &QWidget::customContextMenuRequested, this,
        [this](const QPoint &pos) { showContextMenu(m_jsonText, pos, {}); });
    return page;
}

QWidget *MessageDetailView::buildHexPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto *bar = makeBar();
    auto *showLabel = makeLabel(page, tr("&Show:"));
    m_hexSource = new QComboBox(page);
    m_hexSource->setObjectName(u"hexSource"_s);
    m_hexSource->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    showLabel->setBuddy(m_hexSource);
    m_hexPosition = makeLabel(page);
    m_hexPosition->setObjectName(u"hexPosition"_s);
    m_hexPosition->setForegroundRole(QPalette::PlaceholderText);
    m_hexPosition->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_hexPosition->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto *goTo = makeToolButton(page, tr("Go to Offset…"), u"goToOffsetButton"_s);
    goTo->setToolTip(tr("Go to an offset (Ctrl+G)"));
    bar->addWidget(showLabel);
    bar->addWidget(m_hexSource);
    bar->addWidget(m_hexPosition, 1);
    bar->addWidget(goTo);
    layout->addLayout(bar);

    m_hexView = new HexView(page);
    m_hexView->setObjectName(u"hexView"_s);
    m_hexView->setFrameShape(QFrame::NoFrame);
    m_hexView->setExtraContextMenuActions(
        { m_copyTextAction, m_copyHexAction, m_copyBase64Action, m_copyJsonAction });
    layout->addWidget(m_hexView, 1);

    connect(goTo, &QToolButton::clicked, m_hexView, &HexView::showGoToOffsetDialog);
    connect(m_hexSource, &QComboBox::activated, this, [this](int index) {
        const int frame = m_hexSource->itemData(index).toInt();
        if (frame >= 0 && frame < m_message.frames.size())
            m_hexView->setData(m_message.frames.at(frame));
    });
    connect(m_hexView, &HexView::cursorPositionChanged, this, &MessageDetailView::updateHexPosition);
    connect(m_hexView, &HexView::selectionChanged, this, &MessageDetailView::updateHexPosition);
    connect(m_hexView, &HexView::copied, this, &MessageDetailView::reportCopy);
    connect(m_hexView, &HexView::copyRefused, this, &MessageDetailView::reportCopy);
    return page;
}

QWidget *MessageDetailView::buildImagePage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_imageInfo = makeNoteLabel(page);
    m_imageInfo->setObjectName(u"imageInfo"_s);
    m_imageInfo->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(m_imageInfo);

    m_imageStack = new QStackedWidget(page);
    m_imagePreview = new ImagePreview(m_imageStack);
    m_imagePreview->setObjectName(u"imagePreview"_s);
    m_imagePreview->setContextMenuPolicy(Qt::CustomContextMenu);
    m_imageStack->addWidget(m_imagePreview);
    QLabel *message = nullptr;
    m_imageStack->addWidget(makeNoticePage(m_imageStack, &message, QStyle::SP_MessageBoxWarning));
    m_imageMessage = message;
    m_imageMessage->setObjectName(u"imageMessage"_s);
    layout->addWidget(m_imageStack, 1);

    auto *copyImage = new QAction(tr("Copy &Image"), this);
    connect(copyImage, &QAction::triggered, this, [this] {
        QGuiApplication::clipboard()->setImage(m_imagePreview->image());
        reportCopy(tr("Copied the image (%1 × %2 pixels).")
                       .arg(m_imagePreview->image().width())
                       .arg(m_imagePreview->image().height()));
    });
    connect(m_imagePreview, &QWidget::customContextMenuRequested, this, [this, copyImage](const QPoint &pos) {
        copyImage->setEnabled(!m_imagePreview->image().isNull());
        showContextMenu(m_imagePreview, pos, { copyImage });
    });
    return page;
}

QWidget *MessageDetailView::buildFramesPage()
{
    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_framesModel = new FramesModel(this);
    m_framesTable = new QTableView(page);
    m_framesTable->setObjectName(u"framesTable"_s);
    m_framesTable->setModel(m_framesModel);
    m_framesTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_framesTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_framesTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_framesTable->setAlternatingRowColors(true);
    m_framesTable->setWordWrap(false);
    m_framesTable->setFrameShape(QFrame::NoFrame);
    m_framesTable->setContextMenuPolicy(Qt::CustomContextMenu);
    m_framesTable->verticalHeader()->hide();
    m_framesTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_framesTable->verticalHeader()->setDefaultSectionSize(m_framesTable->fontMetrics().height() + 8);
    auto *header = m_framesTable->horizontalHeader();
    header->setSectionResizeMode(FramesModel::NumberColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FramesModel::RoleColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FramesModel::SizeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FramesModel::HexColumn, QHeaderView::Interactive);
    const int hexWidth = QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont))
                             .horizontalAdvance(QString(12 * 3 + 2, u'0'));
    header->resizeSection(FramesModel::HexColumn, hexWidth);
    header->setStretchLastSection(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    layout->addWidget(m_framesTable, 1);

    auto *bar = makeBar();
    auto *hint = makeNoteLabel(page);
    hint->setText(tr("Double-click a frame to open it in the Hex tab."));
    m_openInHexButton = makeToolButton(page, tr("Open in Hex"), u"openInHexButton"_s);
    m_openInHexButton->setEnabled(false);
    bar->addWidget(hint, 1);
    bar->addWidget(m_openInHexButton);
    layout->addLayout(bar);

    auto currentFrame = [this] {
        const auto current = m_framesTable->selectionModel()->currentIndex();
        return current.isValid() ? current.row() : -1;
    };
    connect(m_framesTable, &QAbstractItemView::doubleClicked, this,
        [this](const QModelIndex &index) { showFrameInHex(index.row()); });
    connect(m_framesTable, &QAbstractItemView::activated, this,
        [this](const QModelIndex &index) { showFrameInHex(index.row()); });
    connect(m_openInHexButton, &QToolButton::clicked, this,
        [this, currentFrame] { showFrameInHex(currentFrame()); });
    connect(m_framesTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) { m_openInHexButton->setEnabled(current.isValid()); });

    auto *openInHex = new QAction(tr("&Open in Hex"), this);
    auto *copyFrameText = new QAction(tr("Copy Frame as &Text"), this);
    auto *copyFrameHex = new QAction(tr("Copy Frame as &Hex"), this);
    auto *copyFrameBase64 = new QAction(tr("Copy Frame as &Base64"), this);
    auto *saveFrame = new QAction(tr("&Save Frame to File…"), this);
    saveFrame->setObjectName(u"saveFrameAction"_s);
    connect(saveFrame, &QAction::triggered, this, [this, currentFrame] { saveFrameToFile(currentFrame()); });
    connect(openInHex, &QAction::triggered, this, [this, currentFrame] { showFrameInHex(currentFrame()); });
    auto copyFrame = [this, currentFrame](const QString &how) {
        const int frame = currentFrame();
        if (frame < 0 || frame >= m_message.frames.size())
            return;
        const auto &bytes = m_message.frames.at(frame);
        const auto what = tr("frame %1").arg(frame + 1);
        if (!checkClipboardSize(bytes.size(), what))
            return;
        if (how == u"text")
            copyText(MessageFormat::copyableText(bytes), tr("Copied %1 as text.").arg(what));
        else if (how == u"hex")
            copyText(MessageFormat::hex(bytes), tr("Copied %1 as hex.").arg(what));
        else
            copyText(QString::fromLatin1(bytes.toBase64()), tr("Copied %1 as base64.").arg(what));
    };
    connect(copyFrameText, &QAction::triggered, this, [copyFrame] { copyFrame(u"text"_s); });
    connect(copyFrameHex, &QAction::triggered, this, [copyFrame] { copyFrame(u"hex"_s); });
    connect(copyFrameBase64, &QAction::triggered, this, [copyFrame] { copyFrame(u"base64"_s); });
    connect(m_framesTable, &QWidget::customContextMenuRequested, this,
        [this, openInHex, copyFrameText, copyFrameHex, copyFrameBase64, saveFrame](const QPoint &pos) {
            const auto index = m_framesTable->indexAt(pos);
            if (index.isValid())
                m_framesTable->setCurrentIndex(index);
            const QList<QAction *> frameActions { openInHex, copyFrameText, copyFrameHex, copyFrameBase64,
                saveFrame };
            for (auto *action : frameActions)
                action->setEnabled(index.isValid());
            showContextMenu(m_framesTable->viewport(), pos, frameActions);
        });
    return page;
}

void MessageDetailView::showContextMenu(
    QWidget *widget, const QPoint &pos, const QList<QAction *> &extraActions)
{
    // Text edits keep their own Copy and Select All on top; the message copies follow.
    std::unique_ptr<QMenu> menu;
    if (auto *edit = qobject_cast<QPlainTextEdit *>(widget))
        menu.reset(edit->createStandardContextMenu());
    else
        menu = std::make_unique<QMenu>();
    if (!menu->isEmpty())
        menu->addSeparator();
    if (!extraActions.isEmpty()) {
        menu->addActions(extraActions);
        menu->addSeparator();
    }
    menu->addActions({ m_copyTextAction, m_copyHexAction, m_copyBase64Action });
    menu->addSeparator();
    menu->addAction(m_copyJsonAction);
    menu->addSeparator();
    menu->addAction(m_saveBodyAction);
    menu->exec(widget->mapToGlobal(pos));
}

void MessageDetailView::setMessage(const StoredMessage &message, const QString &socketName)
{
    ++m_generation;
    m_message = message;
    m_socketName = socketName;
    m_hasMessage = true;
    m_parsed = Envelope::parse(message.frames);
    m_status->clear();
    m_status->hide();

    qint64 totalBytes = 0;
    for (const auto &frame : message.frames)
        totalBytes += frame.size();
    const auto frameCount = message.frames.size();
    m_summary->setFullText(tr("#%1 · %2 %3 · %4 · %5, %6")
                               .arg(message.seq)
                               .arg(message.direction == Direction::Out ? tr("sent on") : tr("received on"),
                                   socketName.isEmpty() ? tr("(unnamed socket)") : socketName,
                                   MessageFormat::localTimestamp(message.timestampUs).mid(11),
                                   frameCount == 1 ? tr("1 frame") : tr("%1 frames").arg(frameCount),
                                   QLocale().formattedDataSize(totalBytes, 1, QLocale::DataSizeIecFormat)));

    for (auto *action : { m_copyTextAction, m_copyHexAction, m_copyBase64Action, m_saveBodyAction })
        action->setEnabled(hasBody());
    m_copyJsonAction->setEnabled(true);
    m_copyButton->setEnabled(true);

    for (auto &reason : m_disabledReasons)
        reason.clear();
    const QString noBody = tr("A raw message has no body: the Frames tab shows each of its frames.");
    const auto bodyBytes = body();

    showEnvelope();
    showFrames();
    fillHexSources();

    std::optional<Tab> best;
    if (!hasBody()) {
        setTabDisabledReason(TextTab, noBody);
        setTabDisabledReason(JsonTab, noBody);
        setTabDisabledReason(ImageTab, noBody);
        m_textEdit->clear();
        m_jsonModel->clear();
        m_jsonText->clear();
        m_imagePreview->setImage({});
        best = FramesTab;
    } else {
        showText();
        const auto &mimetype = m_parsed.envelope->mimetype();
        const bool jsonMimetype = MessageFormat::isJsonMimetype(mimetype);
        const bool jsonCandidate = jsonMimetype || MessageFormat::looksLikeJson(bodyBytes);
        if (!jsonCandidate) {
            setTabDisabledReason(
                JsonTab, tr("The mimetype is not JSON and the body does not start with { or [."));
            m_jsonModel->clear();
            m_jsonText->clear();
        } else if (bodyBytes.size() > JsonSizeLimit) {
            // The tab stays open and says why there is no JSON view, where the user looks for it.
            m_jsonReady = false;
            m_jsonModel->clear();
            m_jsonText->clear();
            showJsonMessage(
                tr("This JSON body is not shown here: it is %1, and the JSON view takes bodies up to %2.\n"
                   "The Text tab shows its start and the Hex tab all of it; Save Body to File writes it out.")
                    .arg(QLocale().formattedDataSize(bodyBytes.size(), 1, QLocale::DataSizeIecFormat),
                        QLocale().formattedDataSize(JsonSizeLimit, 0, QLocale::DataSizeIecFormat)));
        } else {
            startJson();
            // A sniffed body is shown as JSON only when it parses (large ones are still being parsed: Text).
            if (jsonMimetype || m_jsonReady)
                best = JsonTab;
        }

        const auto signatureFormat = MessageFormat::imageFormatFromSignature(bodyBytes);
        if (MessageFormat::isImageMimetype(mimetype) || !signatureFormat.isEmpty()) {
            startImage();
            if (!best)
                best = ImageTab;
        } else {
            setTabDisabledReason(ImageTab,
                tr("The mimetype is not image/* and the body has no PNG, JPEG, GIF or "
                   "BMP signature."));
            m_imagePreview->setImage({});
        }
        if (!best) {
            const auto prefix = bodyBytes.first(textescape::utf8PrefixLength(bodyBytes, TextPreviewBytes));
            if (bodyBytes.isEmpty())
                best = EnvelopeTab;
            else if (textescape::looksLikeText(prefix, true))
                best = TextTab;
            else
                best = HexTab;
        }
    }
    m_stack->setCurrentWidget(m_tabs);
    updateTabs(best);
}

void MessageDetailView::clear()
{
    ++m_generation;
    m_message = {};
    m_socketName.clear();
    m_hasMessage = false;
    m_parsed = {};
    m_summary->setFullText(tr("No message selected"));
    for (auto *action :
        { m_copyTextAction, m_copyHexAction, m_copyBase64Action, m_copyJsonAction, m_saveBodyAction })
        action->setEnabled(false);
    m_copyButton->setEnabled(false);
    m_status->clear();
    m_status->hide();
    m_envelopeModel->removeRows(0, m_envelopeModel->rowCount());
    m_textEdit->clear();
    m_jsonText->clear();
    m_jsonModel->clear();
    m_hexSource->clear();
    m_hexView->setData({});
    m_imagePreview->setImage({});
    m_framesModel->clear();
    const QString noMessage = tr("No message is selected.");
    for (int tab = 0; tab < TabCount; ++tab)
        setTabDisabledReason(static_cast<Tab>(tab), noMessage);
    m_stack->setCurrentIndex(0);
    updateTabs(std::nullopt);
}

QByteArray MessageDetailView::body() const
{
    return m_parsed.envelope ? m_parsed.envelope->data() : QByteArray();
}

MessageDetailView::Tab MessageDetailView::currentTab() const
{
    return static_cast<Tab>(m_tabs->currentIndex());
}

bool MessageDetailView::setCurrentTab(Tab tab)
{
    if (!isTabEnabled(tab))
        return false;
    m_preferredTab = tab;
    m_tabs->setCurrentIndex(TabIndex(tab));
    return true;
}

bool MessageDetailView::isTabEnabled(Tab tab) const
{
    return m_disabledReasons[static_cast<size_t>(tab)].isEmpty();
}

QString MessageDetailView::tabDisabledReason(Tab tab) const
{
    return m_disabledReasons[static_cast<size_t>(tab)];
}

void MessageDetailView::setTabDisabledReason(Tab tab, const QString &reason)
{
    m_disabledReasons[static_cast<size_t>(tab)] = reason;
}

void MessageDetailView::updateTabs(std::optional<Tab> bestTab)
{
    // Disabling the current tab makes QTabWidget pick another one: that is not the user's choice.
    m_updatingTabs = true;
    for (int index = 0; index < TabCount; ++index) {
        const auto &reason = m_disabledReasons[static_cast<size_t>(index)];
        m_tabs->setTabEnabled(index, reason.isEmpty());
        // The reasons are our own sentences (no message bytes), so a tool tip is safe.
        m_tabs->setTabToolTip(index, reason);
    }
    std::optional<Tab> target = bestTab;
    if (m_preferredTab && isTabEnabled(*m_preferredTab))
        target = m_preferredTab;
    if (target)
        m_tabs->setCurrentIndex(TabIndex(*target));
    m_updatingTabs = false;
}

void MessageDetailView::handleTabChanged(int index)
{
    if (m_updatingTabs || index < 0 || !m_hasMessage)
        return;
    m_preferredTab = static_cast<Tab>(index);
}

void MessageDetailView::showEnvelope()
{
    m_envelopeModel->removeRows(0, m_envelopeModel->rowCount());
    auto addRow = [this](const QString &field, const QString &value, QStandardItem *parent = nullptr) {
        auto *fieldItem = makeItem(field);
        QList<QStandardItem *> row { fieldItem, makeItem(value) };
        if (parent)
            parent->appendRow(row);
        else
            m_envelopeModel->appendRow(row);
        return fieldItem;
    };

    addRow(tr("Sequence"), QString::number(m_message.seq));
    addRow(tr("Time"), MessageFormat::localTimestamp(m_message.timestampUs));
    addRow(tr("Time (UTC)"), MessageFormat::isoTimestampUtc(m_message.timestampUs));
    addRow(tr("Socket"), m_socketName.isEmpty() ? tr("(unnamed)") : m_socketName);
    addRow(tr("Direction"), m_message.direction == Direction::Out ? tr("out (sent)") : tr("in (received)"));
    addRow(tr("Kind"), kindText(m_parsed));

    QStandardItem *expandable = nullptr;
    if (const auto &envelope = m_parsed.envelope) {
        m_rawBanner->hide();
        if (m_parsed.kind == MessageKind::RoutedEnvelope) {
            const auto &requestFrames = envelope->requestFrames();
            expandable = addRow(tr("Request frames"), QString::number(requestFrames.size()));
            for (qsizetype i = 0; i < requestFrames.size(); ++i)
                addRow(tr("Frame %1").arg(i + 1), frameSummary(requestFrames.at(i)), expandable);
        }
        addRow(tr("ID"), MessageFormat::describeBytes(envelope->id()));
        const auto &mimetype = envelope->mimetype();
        addRow(tr("Mimetype"),
            mimetype.isEmpty()                        ? tr("(empty)")
                : textescape::looksLikeText(mimetype) ? MessageFormat::oneLineText(mimetype, 160)
                                                      : MessageFormat::describeBytes(mimetype));
        const auto &bytes = envelope->data();
        const auto prefix = bytes.first(textescape::utf8PrefixLength(bytes, TextPreviewBytes));
        const QString nature = bytes.isEmpty()                                ? QString()
            : textescape::looksLikeText(prefix, prefix.size() < bytes.size()) ? tr(", text")
                                                                              : tr(", binary");
        addRow(tr("Body"), MessageFormat::byteCount(bytes.size()) + nature);
    } else {
        m_rawReason->setText(tr("Not a Dploy envelope: %1.").arg(m_parsed.reason));
        m_rawBanner->show();
        addRow(tr("Not an envelope"), m_parsed.reason);
        expandable = addRow(tr("Frames"), QString::number(m_message.frames.size()));
        for (qsizetype i = 0; i < m_message.frames.size(); ++i)
            addRow(tr("Frame %1").arg(i + 1), frameSummary(m_message.frames.at(i)), expandable);
    }
    if (expandable)
        m_envelopeTree->expand(expandable->index());
    m_envelopeTree->resizeColumnToContents(0);
    m_envelopeTree->setColumnWidth(0, m_envelopeTree->columnWidth(0) + 16);
}

void MessageDetailView::showText()
{
    const auto bytes = body();
    const auto shown = textescape::utf8PrefixLength(bytes, TextPreviewBytes);
    MessageFormat::DisplayTextChanges changes;
    const auto text
        = MessageFormat::displayText(QByteArrayView(bytes).first(shown), MaxDisplayLineChars, &changes);
    QStringList notes;
    if (bytes.isEmpty()) {
        notes << tr("The body is empty.");
    } else if (shown < bytes.size()) {
        notes << tr("Showing the first %1 of %2 bytes; the Hex tab shows all of them.")
                     .arg(QLocale().toString(shown), QLocale().toString(bytes.size()));
    } else {
        notes << MessageFormat::byteCount(bytes.size());
    }
    if (changes.invalidUtf8)
        notes << tr("Not valid UTF-8: each invalid byte is shown as \\x and its hex value, such as \\xff.");
    if (changes.controlsEscaped)
        notes << tr("Control characters are shown as their code, such as \\x00 (NUL) and \\x1b (ESC).");
    if (changes.invisibleEscaped)
        notes << tr("Invisible characters are shown as their code, such as \\u{202e} (right-to-left "
                    "override).");
    if (changes.linesBroken)
        notes << tr("Lines longer than %1 characters are broken for display; Copy Body as Text copies the "
                    "exact body.")
                     .arg(QLocale().toString(MaxDisplayLineChars));
    m_textNote->setText(notes.join(u'\n'));
    m_textEdit->setPlainText(text);
}

void MessageDetailView::startJson()
{
    m_jsonReady = false;
    m_jsonModel->clear();
    m_jsonText->clear();
    m_jsonNote->clear();
    m_jsonNote->hide();
    const auto bytes = body();
    if (bytes.size() <= JsonWorkerThreshold) {
        applyJson(parseJson(bytes));
        return;
    }
    m_jsonMessage->setText(
        tr("Parsing %1 of JSON…")
            .arg(QLocale().formattedDataSize(bytes.size(), 1, QLocale::DataSizeIecFormat)));
    m_jsonStack->setCurrentWidget(m_jsonMessagePage);
    for (auto *button : { m_jsonFormattedButton, m_jsonTreeButton, m_expandAllButton, m_collapseAllButton })
        button->setEnabled(false);
    ++m_pendingJobs;
    auto *watcher = new QFutureWatcher<JsonResult>(this);
    const auto generation = m_generation;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        --m_pendingJobs;
        if (generation == m_generation)
            applyJson(watcher->result());
    });
    watcher->setFuture(runInPool<JsonResult>([bytes] { return parseJson(bytes); }));
}

void MessageDetailView::showJsonMessage(const QString &text)
{
    m_jsonMessage->setText(text);
    m_jsonStack->setCurrentWidget(m_jsonMessagePage);
    for (auto *button : { m_jsonFormattedButton, m_jsonTreeButton, m_expandAllButton, m_collapseAllButton })
        button->setEnabled(false);
    m_jsonNote->hide();
}

void MessageDetailView::applyJson(const JsonResult &result)
{
    if (!result.ok) {
        showJsonMessage(result.error + u'\n' + tr("The Text and Hex tabs still show the body."));
        return;
    }
    m_jsonReady = true;
    m_jsonValueCount = result.valueCount;
    m_jsonText->setPlainText(result.formatted);
    m_jsonModel->setRoot(result.root);
    if (result.formattedCut) {
        m_jsonNote->setText(
            tr("Showing the first %1 of %2 bytes of formatted JSON; the tree shows all of it.")
                .arg(QLocale().toString(result.formattedShownBytes),
                    QLocale().toString(result.formattedBytes)));
        m_jsonNote->show();
    }
    for (auto *button : { m_jsonFormattedButton, m_jsonTreeButton })
        button->setEnabled(true);
    setJsonMode(m_jsonTreeButton->isChecked());
    expandJsonTree(false);
}

void MessageDetailView::setJsonMode(bool tree)
{
    // While parsing, or after an error, the message page stays; the mode applies to the next document.
    if (!m_jsonReady)
        return;
    m_jsonStack->setCurrentWidget(tree ? static_cast<QWidget *>(m_jsonTree) : m_jsonText);
    m_expandAllButton->setEnabled(tree);
    m_collapseAllButton->setEnabled(tree);
}

void MessageDetailView::expandJsonTree(bool all)
{
    if (!all) {
        // A document opens with its top level expanded, unless that alone is a long list:
        // QTreeView expands item by item, which gets slow for thousands of rows.
        if (m_jsonModel->totalChildCount() <= AutoExpandTopLevelLimit)
            m_jsonTree->expandToDepth(0);
        return;
    }
    if (m_jsonValueCount > ExpandAllLimit) {
        m_jsonNote->setText(tr("The document has more than %1 values, too many to expand at once: expand the "
                               "branches you need.")
                                .arg(QLocale().toString(ExpandAllLimit)));
        m_jsonNote->show();
        return;
    }
    m_jsonTree->expandAll();
}

void MessageDetailView::startImage()
{
    m_imagePreview->setImage({});
    m_imageInfo->clear();
    const auto bytes = body();
    if (bytes.size() <= ImageWorkerThreshold) {
        applyImage(decodeImage(bytes));
        return;
    }
    m_imageMessage->setText(
        tr("Decoding %1 image…")
            .arg(QLocale().formattedDataSize(bytes.size(), 1, QLocale::DataSizeIecFormat)));
    m_imageStack->setCurrentIndex(1);
    ++m_pendingJobs;
    auto *watcher = new QFutureWatcher<ImageResult>(this);
    const auto generation = m_generation;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        --m_pendingJobs;
        if (generation == m_generation)
            applyImage(watcher->result());
    });
    watcher->setFuture(runInPool<ImageResult>([bytes] { return decodeImage(bytes); }));
}

void MessageDetailView::applyImage(const ImageResult &result)
{
    const auto size = MessageFormat::byteCount(body().size());
    if (result.image.isNull()) {
        m_imageInfo->setText(size);
        m_imageMessage->setText(result.error + u'\n' + tr("The Hex tab shows the bytes."));
        m_imageStack->setCurrentIndex(1);
        return;
    }
    const auto format = result.format.isEmpty() ? tr("Image") : QString::fromLatin1(result.format.toUpper());
    m_imageInfo->setText(tr("%1 · %2 × %3 pixels · %4 · %5")
                             .arg(format)
                             .arg(result.image.width())
                             .arg(result.image.height())
                             .arg(imageDepthText(result.image), size));
    m_imagePreview->setImage(result.image);
    m_imageStack->setCurrentIndex(0);
}

void MessageDetailView::showFrames()
{
    m_framesModel->setFrames(m_message.frames, m_parsed.kind);
    // Raw messages have no envelope roles: an empty column would only take room.
    m_framesTable->setColumnHidden(FramesModel::RoleColumn, m_parsed.kind == MessageKind::Raw);
    m_openInHexButton->setEnabled(false);
}

void MessageDetailView::fillHexSources()
{
    m_hexSource->clear();
    const auto &frames = m_message.frames;
    for (int i = 0; i < frames.size(); ++i) {
        const auto role = m_framesModel->roleName(i);
        const auto size = MessageFormat::byteCount(frames.at(i).size());
        // Only our own words and numbers here: the combo box shows no message bytes.
        m_hexSource->addItem(role.isEmpty() ? tr("Frame %1 · %2").arg(i + 1).arg(size)
                                            : tr("Frame %1 (%2) · %3").arg(i + 1).arg(role, size),
            i);
    }
    // The body for envelopes, the first frame for raw messages.
    const int shown = hasBody() ? static_cast<int>(frames.size()) - 1 : 0;
    if (frames.isEmpty()) {
        m_hexView->setData({});
        return;
    }
    m_hexSource->setCurrentIndex(shown);
    m_hexView->setData(frames.at(shown));
    updateHexPosition();
}

void MessageDetailView::showFrameInHex(int frame)
{
    if (frame < 0 || frame >= m_message.frames.size())
        return;
    m_hexSource->setCurrentIndex(frame);
    m_hexView->setData(m_message.frames.at(frame));
    // Opening a frame is a one-off jump, not a new preferred tab for the next messages.
    m_updatingTabs = true;
    m_tabs->setCurrentIndex(TabIndex(HexTab));
    m_updatingTabs = false;
    m_hexView->setFocus();
}

void MessageDetailView::updateHexPosition()
{
    const auto size = m_hexView->data().size();
    if (size == 0) {
        m_hexPosition->setText(tr("No bytes"));
        return;
    }
    QString text = tr("Offset 0x%1").arg(QString::number(m_hexView->cursorPosition(), 16));
    if (m_hexView->hasSelection())
        text += tr(" · %1 selected").arg(MessageFormat::byteCount(m_hexView->selectionLength()));
    m_hexPosition->setText(text);
}

void MessageDetailView::reportCopy(const QString &text)
{
    // A long file name must wrap, not widen the pane.
    m_status->setText(InlineMessage::breakable(text));
    m_status->show();
    Q_EMIT copyFinished(text);
}

bool MessageDetailView::checkClipboardSize(qsizetype bytes, const QString &what)
{
    if (bytes <= MessageFormat::ClipboardLimit)
        return true;
    reportCopy(
        tr("Nothing copied: %1 is %2; the clipboard limit is %3.")
            .arg(what, QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat),
                QLocale().formattedDataSize(MessageFormat::ClipboardLimit, 0, QLocale::DataSizeIecFormat)));
    return false;
}

void MessageDetailView::copyText(const QString &text, const QString &description)
{
    QGuiApplication::clipboard()->setText(text);
    reportCopy(description);
}

void MessageDetailView::copyBody(
    const QString &encoding, const std::function<QString(const QByteArray &)> &encode)
{
    if (!hasBody()) {
        reportCopy(tr("Nothing copied: a raw message has no body."));
        return;
    }
    const auto bytes = body();
    if (!checkClipboardSize(bytes.size(), tr("the body")))
        return;
    copyText(encode(bytes),
        tr("Copied the body as %1 (%2).").arg(encoding, MessageFormat::byteCount(bytes.size())));
}

void MessageDetailView::copyBodyAsText()
{
    copyBody(tr("text"), [](const QByteArray &bytes) { return MessageFormat::copyableText(bytes); });
}

void MessageDetailView::copyBodyAsHex()
{
    copyBody(tr("hex"), [](const QByteArray &bytes) { return MessageFormat::hex(bytes); });
}

void MessageDetailView::copyBodyAsBase64()
{
    copyBody(tr("base64"), [](const QByteArray &bytes) { return QString::fromLatin1(bytes.toBase64()); });
}

void MessageDetailView::copyMessageAsJson()
{
    if (!m_hasMessage) {
        reportCopy(tr("Nothing copied: no message is selected."));
        return;
    }
    qsizetype total = 0;
    for (const auto &frame : m_message.frames)
        total += frame.size();
    if (!checkClipboardSize(total, tr("the message")))
        return;
    copyText(QString::fromUtf8(MessageFormat::captureLine(m_message, m_socketName)),
        tr("Copied the message as a JSON capture line."));
}

namespace {

// QSettings: the folder the last body or frame was saved to.
const auto SaveDirectoryKey = u"Detail/saveDirectory"_s;

QString saveDirectory()
{
    const QString dir = QSettings().value(SaveDirectoryKey).toString();
    if (!dir.isEmpty() && QDir(dir).exists())
        return dir;
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

/// A file name suffix for a body: from its mimetype or its image signature, else "bin".
QString bodySuffix(const QByteArray &mimetype, const QByteArray &body)
{
    if (MessageFormat::isJsonMimetype(mimetype))
        return u"json"_s;
    const QByteArray image = MessageFormat::imageFormatFromSignature(body);
    if (!image.isEmpty())
        return QString::fromLatin1(image == "jpeg" ? QByteArrayLiteral("jpg") : image);
    if (mimetype.toLower().startsWith("text/"))
        return u"txt"_s;
    return u"bin"_s;
}

} // namespace

QFileDialog *MessageDetailView::saveBodyToFile()
{
    if (!hasBody()) {
        reportCopy(tr("Nothing saved: a raw message has no body."));
        return nullptr;
    }
    const auto bytes = body();
    return askSaveFile(
        u"message-%1-body.%2"_s.arg(m_message.seq).arg(bodySuffix(m_parsed.envelope->mimetype(), bytes)),
        bytes, tr("the body"));
}

QFileDialog *MessageDetailView::saveFrameToFile(int frame)
{
    if (!m_hasMessage || frame < 0 || frame >= m_message.frames.size()) {
        reportCopy(tr("Nothing saved: no frame is selected."));
        return nullptr;
    }
    return askSaveFile(u"message-%1-frame-%2.bin"_s.arg(m_message.seq).arg(frame + 1),
        m_message.frames.at(frame), tr("frame %1").arg(frame + 1));
}

bool MessageDetailView::saveBodyTo(const QString &path)
{
    if (!hasBody()) {
        reportCopy(tr("Nothing saved: a raw message has no body."));
        return false;
    }
    return writeFile(path, body(), tr("the body"));
}

bool MessageDetailView::saveFrameTo(int frame, const QString &path)
{
    if (!m_hasMessage || frame < 0 || frame >= m_message.frames.size()) {
        reportCopy(tr("Nothing saved: no frame is selected."));
        return false;
    }
    return writeFile(path, m_message.frames.at(frame), tr("frame %1").arg(frame + 1));
}

QFileDialog *MessageDetailView::askSaveFile(
    const QString &suggestedName, const QByteArray &bytes, const QString &what)
{
    auto *dialog = new QFileDialog(this, tr("Save %1 to File").arg(what), saveDirectory());
    dialog->setObjectName(u"saveFileDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->selectFile(suggestedName);
    // The bytes are taken now (shared, not copied): another message picked meanwhile does not change them.
    connect(dialog, &QFileDialog::fileSelected, this, [this, bytes, what](const QString &path) {
        if (writeFile(path, bytes, what))
            QSettings().setValue(SaveDirectoryKey, QFileInfo(path).absolutePath());
    });
    dialog->open();
    return dialog;
}

bool MessageDetailView::writeFile(const QString &path, const QByteArray &bytes, const QString &what)
{
    const QString shownPath = QDir::toNativeSeparators(path);
    const auto fail = [this, &what, &shownPath](const QString &reason) {
        reportCopy(tr("Could not save %1 to %2: %3").arg(what, shownPath, reason));
        return false;
    };
    if (path.isEmpty())
        return fail(tr("no file name was given"));
    if (QFileInfo(path).isDir())
        return fail(tr("it is a folder"));
    // QSaveFile writes next to the target and renames at the end: a failure never leaves half a file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    if (file.write(bytes) != bytes.size())
        return fail(file.errorString());
    if (!file.commit())
        return fail(file.errorString());
    reportCopy(tr("Saved %1 (%2) to %3.").arg(what, MessageFormat::byteCount(bytes.size()), shownPath));
    return true;
}

} // namespace zmqscope
