#include "detail/messagedetailview.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <zmqscope/textescape.h>

#include "compose/inlinemessage.h"
#include "detail/diffpage.h"
#include "detail/elidedlabel.h"
#include "detail/envelopepage.h"
#include "detail/framespage.h"
#include "detail/hexpage.h"
#include "detail/messageformat.h"
#include "detail/textpage.h"
#include "directionicons.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// "received on SUB 1", "sent on", or through a tap "client → server (peer 006b8b4567) through".
QString summaryDirection(const StoredMessage &message)
{
    switch (message.direction) {
    case Direction::In:
        return MessageDetailView::tr("received on");
    case Direction::Out:
        return MessageDetailView::tr("sent on");
    case Direction::ClientToServer:
    case Direction::ServerToClient:
        break;
    }
    const QString words = directionicons::words(message.direction);
    if (message.peer.isEmpty())
        return MessageDetailView::tr("%1 through").arg(words);
    return MessageDetailView::tr("%1 (peer %2) through")
        .arg(words, QString::fromLatin1(message.peer.toHex()));
}

constexpr int TabIndex(MessageDetailView::Tab tab)
{
    return static_cast<int>(tab);
}

} // namespace

MessageDetailView::MessageDetailView(QWidget *parent)
    : QWidget(parent)
{
    buildUi();
    clear();
}

MessageDetailView::~MessageDetailView() = default;

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

    auto *layout = detailui::makePageLayout(this);

    auto *header = detailui::makeBar();
    header->setContentsMargins(8, 4, 4, 4);
    m_summary = new ElidedLabel(this);
    m_summary->setObjectName(u"summaryLabel"_s);
    QFont summaryFont = m_summary->font();
    summaryFont.setBold(true);
    m_summary->setFont(summaryFont);
    m_copyButton = detailui::makeToolButton(this, tr("Copy"), u"copyButton"_s);
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
        = detailui::makeLabel(placeholder, tr("Select a message to see its envelope, body and frames."));
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
    m_jsonPage = new JsonPage(m_tabs);
    m_hexPage = new HexPage(m_tabs);
    m_framesPage = new FramesPage(m_tabs);
    m_diffPage = new DiffPage(m_tabs);
    m_pages = { new EnvelopePage(m_tabs), new TextPage(m_tabs), m_jsonPage, m_hexPage, new ImagePage(m_tabs),
        m_framesPage, m_diffPage };
    const std::array<QString, TabCount> titles { tr("Envelope"), tr("Text"), tr("JSON"), tr("Hex"),
        tr("Image"), tr("Frames"), tr("Diff") };
    for (int tab = 0; tab < TabCount; ++tab) {
        auto *page = m_pages[static_cast<size_t>(tab)];
        m_tabs->addTab(page, titles[static_cast<size_t>(tab)]);
        connect(page, &DetailPage::reported, this, &MessageDetailView::reportCopy);
        connect(page, &DetailPage::contextMenuRequested, this, &MessageDetailView::showContextMenu);
    }
    m_hexPage->setExtraContextMenuActions(
        { m_copyTextAction, m_copyHexAction, m_copyBase64Action, m_copyJsonAction });
    connect(m_jsonPage, &JsonPage::plotRequested, this,
        [this](const JsonPath &path) { Q_EMIT plotRequested(path, m_current.message); });
    connect(m_framesPage, &FramesPage::openInHexRequested, this, &MessageDetailView::showFrameInHex);
    connect(m_framesPage, &FramesPage::saveRequested, this, &MessageDetailView::saveFrameToFile);
    connect(m_diffPage, &DiffPage::messageSelectionRequested, this,
        &MessageDetailView::messageSelectionRequested);
    m_stack->addWidget(m_tabs);
    layout->addWidget(m_stack, 1);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MessageDetailView::handleTabChanged);

    m_status = detailui::makeLabel(this);
    m_status->setObjectName(u"statusLabel"_s);
    m_status->setContentsMargins(8, 3, 8, 3);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_status->setWordWrap(true);
    m_status->hide();
    layout->addWidget(m_status);
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
    m_current = { message, socketName, Envelope::parse(message.frames) };
    m_hasMessage = true;
    m_status->clear();
    m_status->hide();

    qint64 totalBytes = 0;
    for (const auto &frame : message.frames)
        totalBytes += frame.size();
    const auto frameCount = message.frames.size();
    m_summary->setFullText(
        tr("#%1 · %2 %3 · %4 · %5, %6")
            .arg(message.seq)
            .arg(summaryDirection(message), socketName.isEmpty() ? tr("(unnamed socket)") : socketName,
                MessageFormat::localTimestamp(message.timestampUs).mid(11),
                frameCount == 1 ? tr("1 frame") : tr("%1 frames").arg(frameCount),
                QLocale().formattedDataSize(totalBytes, 1, QLocale::DataSizeIecFormat)));

    const bool hasBody = m_current.hasBody();
    for (auto *action : { m_copyTextAction, m_copyHexAction, m_copyBase64Action, m_saveBodyAction })
        action->setEnabled(hasBody);
    m_copyJsonAction->setEnabled(true);
    m_copyButton->setEnabled(true);

    for (auto *page : m_pages)
        page->setMessage(m_current);
    m_stack->setCurrentWidget(m_tabs);
    updateTabs(bestTab());
}

void MessageDetailView::setDecoders(const DecoderSet &decoders)
{
    m_jsonPage->setDecoders(decoders);
    m_diffPage->setDecoders(decoders);
    if (m_hasMessage)
        setMessage(StoredMessage(m_current.message), QString(m_current.socketName));
}

void MessageDetailView::setStore(const MessageStore *store)
{
    m_diffPage->setStore(store);
    updateTabs(std::nullopt);
}

void MessageDetailView::setSocketNames(const QHash<SocketId, QString> &names)
{
    m_diffPage->setSocketNames(names);
}

void MessageDetailView::setComparedPair(std::optional<std::pair<std::uint64_t, std::uint64_t>> pair)
{
    m_diffPage->setPair(pair);
}

std::optional<MessageDetailView::Tab> MessageDetailView::bestTab() const
{
    // The Diff tab is never chosen for the user: it compares, it does not show this message.
    // A decoded value (a decode rule may read a raw message's frame) before anything else.
    if (isTabEnabled(JsonTab) && m_jsonPage->isBestView())
        return JsonTab;
    if (!m_current.hasBody())
        return FramesTab;
    if (isTabEnabled(ImageTab))
        return ImageTab;
    const auto body = m_current.body();
    if (body.isEmpty())
        return EnvelopeTab;
    const auto prefix = body.first(textescape::utf8PrefixLength(body, TextPreviewBytes));
    return textescape::looksLikeText(prefix, true) ? TextTab : HexTab;
}

void MessageDetailView::clear()
{
    m_current = {};
    m_hasMessage = false;
    m_summary->setFullText(tr("No message selected"));
    for (auto *action :
        { m_copyTextAction, m_copyHexAction, m_copyBase64Action, m_copyJsonAction, m_saveBodyAction })
        action->setEnabled(false);
    m_copyButton->setEnabled(false);
    m_status->clear();
    m_status->hide();
    for (auto *page : m_pages)
        page->clear();
    m_stack->setCurrentIndex(0);
    updateTabs(std::nullopt);
}

bool MessageDetailView::isDecoding() const
{
    return std::any_of(
        m_pages.begin(), m_pages.end(), [](const DetailPage *page) { return page->isDecoding(); });
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
    return tabDisabledReason(tab).isEmpty();
}

QString MessageDetailView::tabDisabledReason(Tab tab) const
{
    return page(tab)->whyDisabled();
}

void MessageDetailView::updateTabs(std::optional<Tab> bestTab)
{
    // Disabling the current tab makes QTabWidget pick another one: that is not the user's choice.
    m_updatingTabs = true;
    for (int index = 0; index < TabCount; ++index) {
        const auto reason = tabDisabledReason(static_cast<Tab>(index));
        m_tabs->setTabEnabled(index, reason.isEmpty());
        // whyDisabled() is our own plain sentence (never message bytes), so a tool tip is safe.
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

void MessageDetailView::showFrameInHex(int frame)
{
    if (!m_hexPage->showFrame(frame))
        return;
    // Opening a frame is a one-off jump, not a new preferred tab for the next messages.
    m_updatingTabs = true;
    m_tabs->setCurrentIndex(TabIndex(HexTab));
    m_updatingTabs = false;
    m_hexPage->setFocus();
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
    const auto refusal = detailui::clipboardRefusal(bytes, what);
    if (!refusal.isEmpty())
        reportCopy(refusal);
    return refusal.isEmpty();
}

void MessageDetailView::copyText(const QString &text, const QString &description)
{
    QGuiApplication::clipboard()->setText(text);
    reportCopy(description);
}

void MessageDetailView::copyBody(
    const QString &encoding, const std::function<QString(const QByteArray &)> &encode)
{
    if (!m_current.hasBody()) {
        reportCopy(tr("Nothing copied: a raw message has no body."));
        return;
    }
    const auto bytes = m_current.body();
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
    for (const auto &frame : m_current.message.frames)
        total += frame.size();
    if (!checkClipboardSize(total, tr("the message")))
        return;
    copyText(QString::fromUtf8(MessageFormat::captureLine(m_current.message, m_current.socketName)),
        tr("Copied the message as a JSON capture line."));
}

namespace {

// QSettings: the folder the last body or frame was saved to.
const auto SaveDirectoryKey = u"Detail/saveDirectory"_s;

QString saveDirectory()
{
    QString dir = QSettings().value(SaveDirectoryKey).toString();
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
    if (!m_current.hasBody()) {
        reportCopy(tr("Nothing saved: a raw message has no body."));
        return nullptr;
    }
    const auto bytes = m_current.body();
    return askSaveFile(u"message-%1-body.%2"_s.arg(m_current.message.seq)
                           .arg(bodySuffix(m_current.parsed.envelope->mimetype(), bytes)),
        bytes, tr("the body"));
}

QFileDialog *MessageDetailView::saveFrameToFile(int frame)
{
    if (!m_hasMessage || frame < 0 || frame >= m_current.message.frames.size()) {
        reportCopy(tr("Nothing saved: no frame is selected."));
        return nullptr;
    }
    return askSaveFile(u"message-%1-frame-%2.bin"_s.arg(m_current.message.seq).arg(frame + 1),
        m_current.message.frames.at(frame), tr("frame %1").arg(frame + 1));
}

bool MessageDetailView::saveBodyTo(const QString &path)
{
    if (!m_current.hasBody()) {
        reportCopy(tr("Nothing saved: a raw message has no body."));
        return false;
    }
    return writeFile(path, m_current.body(), tr("the body"));
}

bool MessageDetailView::saveFrameTo(int frame, const QString &path)
{
    if (!m_hasMessage || frame < 0 || frame >= m_current.message.frames.size()) {
        reportCopy(tr("Nothing saved: no frame is selected."));
        return false;
    }
    return writeFile(path, m_current.message.frames.at(frame), tr("frame %1").arg(frame + 1));
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
