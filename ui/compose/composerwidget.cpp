// Not split yet, on purpose: the envelope and raw editors, reply routing, variable expansion and the
// big-body summary share one send path here. Issue 13 (the foundation redesign, next after hardening)
// splits the composer by responsibility together with the send-result routing it changes; splitting
// it during the hardening issue would have done that work twice.

#include "composerwidget.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <tuple>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTextBlock>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

#include <zmqscope/capture/fileio.h>
#include <zmqscope/envelope.h>
#include <zmqscope/textescape.h>

#include "bytestext.h"
#include "displaytext.h"
#include "frameseditor.h"
#include "inlinemessage.h"
#include "jsontext.h"
#include "viewhelpers.h"

using namespace Qt::StringLiterals;
using BytesText::Format;

/**
 * The body editor. A paste or drop that would make the body bigger than the composer lays out
 * goes to onLargeInsert instead (a 20 MiB paste froze the window for seconds).
 */
class BodyEdit : public QPlainTextEdit
{
public:
    using QPlainTextEdit::QPlainTextEdit;
    std::function<void(const QString &)> onLargeInsert;

protected:
    void insertFromMimeData(const QMimeData *source) override
    {
        if (onLargeInsert && source->hasText()) {
            const QString text = source->text();
            if (text.size() + document()->characterCount() > ComposerWidget::MaxEditableBodyBytes) {
                onLargeInsert(text);
                return;
            }
        }
        QPlainTextEdit::insertFromMimeData(source);
    }
};

namespace {

constexpr int EnvelopeTab = 0;
constexpr int RawTab = 1;
constexpr int JsonCheckDelayMs = 150;
constexpr int ImmediateJsonCheckChars = 256 * 1024;
constexpr int MaxRepeat = 1'000'000;
constexpr int MaxIntervalMs = 3'600'000;
constexpr int ShownBytes = 48;
constexpr qsizetype ReadOnlyPreviewChars = 40;

/// A short, plain rendering of bytes for status lines: text when it is text, else hex; cut.
QString shortBytes(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return u"(empty)"_s;
    const QByteArray head = bytes.left(ShownBytes);
    QString shown = BytesText::isEditableText(head) && !head.contains('\n')
        ? u"\"%1\""_s.arg(QString::fromUtf8(head))
        : u"0x"_s + QString::fromLatin1(head.toHex());
    if (bytes.size() > ShownBytes)
        shown += u"…"_s;
    return shown;
}

/// "20.0 MiB (20971520 bytes)"
QString sizeText(qsizetype bytes)
{
    if (bytes < 1024)
        return bytes == 1 ? u"1 byte"_s : u"%1 bytes"_s.arg(bytes);
    return u"%1 (%2 bytes)"_s.arg(zmqscope::displaytext::dataSize(std::uint64_t(bytes))).arg(bytes);
}

/// How error lines name a raw frame.
QString frameName(qsizetype index)
{
    return u"Frame %1"_s.arg(index + 1);
}

} // namespace

ComposerWidget::ComposerWidget(QWidget *parent)
    : QWidget(parent)
    , m_socketCombo(new QComboBox(this))
    , m_modeTabs(new QTabWidget(this))
    , m_idEdit(nullptr)
    , m_idHexCheck(nullptr)
    , m_mimetypeCombo(nullptr)
    , m_bodyStack(nullptr)
    , m_bodyEdit(nullptr)
    , m_readOnlyBodyPage(nullptr)
    , m_readOnlyBodyLabel(nullptr)
    , m_expandCheck(new QCheckBox(u"Expand {{seq}} {{now}} {{uuid}} {{random:N}}"_s, this))
    , m_delimiterCheck(nullptr)
    , m_loadBodyAction(new QAction(u"&Load Body from File…"_s, this))
    , m_undoRoutingButton(new QPushButton(u"&Put Back Routing Frames"_s, this))
    , m_bodyHexCheck(nullptr)
    , m_formatButton(nullptr)
    , m_jsonStatus(nullptr)
    , m_jsonTimer(new QTimer(this))
    , m_requestFrames(nullptr)
    , m_routerHint(nullptr)
    , m_rawFrames(nullptr)
    , m_repeatSpin(new QSpinBox(this))
    , m_intervalSpin(new QSpinBox(this))
    , m_sendAction(new QAction(u"&Send"_s, this))
    , m_stopAction(new QAction(u"S&top"_s, this))
    , m_sendButton(new QPushButton(this))
    , m_stopButton(new QPushButton(this))
    , m_progress(new QProgressBar(this))
    , m_errorLabel(InlineMessage::createErrorLabel(this))
    , m_statusLabel(new QLabel(this))
    , m_repeatTimer(new QTimer(this))
{
    setObjectName(u"ComposerWidget"_s);

    m_socketCombo->setObjectName(u"socketCombo"_s);
    m_socketCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_socketCombo->setMinimumContentsLength(12);
    m_socketCombo->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_socketCombo->setPlaceholderText(u"No socket that can send"_s);
    connect(m_socketCombo, &QComboBox::currentIndexChanged, this, &ComposerWidget::handleSocketChanged);
    connect(m_socketCombo, &QComboBox::currentIndexChanged, this, &ComposerWidget::updateState);
    auto *socketLabel = new QLabel(u"S&ocket:"_s, this);
    socketLabel->setBuddy(m_socketCombo);

    m_loadBodyAction->setObjectName(u"loadBodyAction"_s);
    m_loadBodyAction->setToolTip(u"Send the bytes of a file as the body, byte for byte"_s);
    connect(m_loadBodyAction, &QAction::triggered, this, &ComposerWidget::chooseBodyFile);

    m_modeTabs->setObjectName(u"modeTabs"_s);
    m_modeTabs->setDocumentMode(true);
    m_modeTabs->addTab(createEnvelopePage(), u"&Envelope"_s);
    m_modeTabs->addTab(createRawPage(), u"Ra&w Frames"_s);
    connect(m_modeTabs, &QTabWidget::currentChanged, this, &ComposerWidget::updateState);

    // The Library's variables, expanded by the same code. The check box names them (the visible hint) and is
    // the way out for bodies that mean "{{" literally.
    m_expandCheck->setObjectName(u"expandVariablesCheck"_s);
    m_expandCheck->setChecked(true);
    m_expandCheck->setToolTip(
        u"Replace the Library's variables in text fields (not hex, not a body loaded from a file) for every "
        u"message sent: {{seq}} 1, 2, 3, …; {{now}} the time (ISO-8601 UTC); {{uuid}} a random UUID; "
        u"{{random:N}} 0 to N-1. {{{{ sends {{."_s);
    connect(m_expandCheck, &QCheckBox::toggled, this, &ComposerWidget::updateJsonStatus);

    m_undoRoutingButton->setObjectName(u"undoRoutingButton"_s);
    m_undoRoutingButton->setAutoDefault(false);
    m_undoRoutingButton->setToolTip(u"Put back the routing frames removed when the socket changed"_s);
    m_undoRoutingButton->hide();
    connect(m_undoRoutingButton, &QPushButton::clicked, this, &ComposerWidget::undoClearRouting);

    m_repeatSpin->setObjectName(u"repeatSpin"_s);
    m_repeatSpin->setRange(1, MaxRepeat);
    m_repeatSpin->setSuffix(u" ×"_s);
    m_repeatSpin->setToolTip(u"How many times to send the message"_s);
    m_repeatSpin->setAccelerated(true);
    m_intervalSpin->setObjectName(u"intervalSpin"_s);
    m_intervalSpin->setRange(0, MaxIntervalMs);
    m_intervalSpin->setValue(100);
    m_intervalSpin->setSuffix(u" ms"_s);
    m_intervalSpin->setSingleStep(50);
    m_intervalSpin->setAccelerated(true);
    m_intervalSpin->setToolTip(u"Pause between repeated sends"_s);
    connect(m_repeatSpin, &QSpinBox::valueChanged, this, &ComposerWidget::updateState);
    auto *repeatLabel = new QLabel(u"&Repeat:"_s, this);
    repeatLabel->setBuddy(m_repeatSpin);
    auto *everyLabel = new QLabel(u"every"_s, this);

    m_sendAction->setObjectName(u"sendAction"_s);
    m_sendAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_sendAction->setShortcutContext(Qt::WindowShortcut);
    m_sendAction->setToolTip(
        u"Send the composed message (%1)"_s.arg(m_sendAction->shortcut().toString(QKeySequence::NativeText)));
    addAction(m_sendAction);
    connect(m_sendAction, &QAction::triggered, this, &ComposerWidget::send);
    m_stopAction->setObjectName(u"stopAction"_s);
    m_stopAction->setToolTip(u"Stop repeating"_s);
    connect(m_stopAction, &QAction::triggered, this, &ComposerWidget::stop);

    m_sendButton->setObjectName(u"sendButton"_s);
    m_sendButton->setText(u"Send"_s);
    m_sendButton->setToolTip(m_sendAction->toolTip());
    m_sendButton->setDefault(true);
    connect(m_sendButton, &QPushButton::clicked, m_sendAction, &QAction::trigger);
    m_stopButton->setObjectName(u"stopButton"_s);
    m_stopButton->setText(u"Stop"_s);
    connect(m_stopButton, &QPushButton::clicked, m_stopAction, &QAction::trigger);

    m_progress->setObjectName(u"progress"_s);
    m_progress->setFormat(u"%v / %m"_s);
    m_progress->setTextVisible(true);
    m_progress->hide();

    m_errorLabel->setObjectName(u"sendError"_s);
    m_statusLabel->setObjectName(u"sendStatus"_s);
    m_statusLabel->setTextFormat(Qt::PlainText);
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setForegroundRole(QPalette::PlaceholderText);
    m_statusLabel->hide();

    m_repeatTimer->setObjectName(u"repeatTimer"_s);
    connect(m_repeatTimer, &QTimer::timeout, this, &ComposerWidget::issueRepeatSend);

    auto *top = new QHBoxLayout;
    top->addWidget(socketLabel);
    top->addWidget(m_socketCombo, 1);

    // Two short rows rather than one long one, so the composer fits a narrow side dock.
    auto *repeatRow = new QHBoxLayout;
    repeatRow->addWidget(repeatLabel);
    repeatRow->addWidget(m_repeatSpin);
    repeatRow->addWidget(everyLabel);
    repeatRow->addWidget(m_intervalSpin);
    repeatRow->addStretch(1);
    auto *sendRow = new QHBoxLayout;
    sendRow->addWidget(m_progress, 1);
    sendRow->addStretch(0);
    sendRow->addWidget(m_stopButton);
    sendRow->addWidget(m_sendButton);

    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_statusLabel, 1);
    statusRow->addWidget(m_undoRoutingButton, 0, Qt::AlignTop);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_modeTabs, 1);
    layout->addWidget(m_expandCheck);
    layout->addLayout(repeatRow);
    layout->addLayout(sendRow);
    layout->addWidget(m_errorLabel);
    layout->addLayout(statusRow);

    setTabOrder(m_socketCombo, m_modeTabs);
    setTabOrder(m_modeTabs, m_idEdit);
    setTabOrder(m_idEdit, m_idHexCheck);
    setTabOrder(m_idHexCheck, m_mimetypeCombo);
    setTabOrder(m_mimetypeCombo, m_bodyEdit);
    setTabOrder(m_bodyEdit, m_bodyHexCheck);
    setTabOrder(m_bodyHexCheck, m_formatButton);
    setTabOrder(m_formatButton, m_loadBodyButton);
    setTabOrder(m_loadBodyButton, m_requestFrames);
    setTabOrder(m_requestFrames, m_delimiterCheck);
    setTabOrder(m_delimiterCheck, m_expandCheck);
    setTabOrder(m_expandCheck, m_repeatSpin);
    setTabOrder(m_repeatSpin, m_intervalSpin);
    setTabOrder(m_intervalSpin, m_stopButton);
    setTabOrder(m_stopButton, m_sendButton);

    m_jsonTimer->setSingleShot(true);
    m_jsonTimer->setInterval(JsonCheckDelayMs);
    connect(m_jsonTimer, &QTimer::timeout, this, &ComposerWidget::updateJsonStatus);

    updateJsonStatus();
    updateState();
}

ComposerWidget::~ComposerWidget()
{
    // Deleting the children can commit an open cell editor and emit into this half-destroyed object.
    const QList<QObject *> children = findChildren<QObject *>();
    for (QObject *child : children)
        disconnect(child, nullptr, this, nullptr);
}

QWidget *ComposerWidget::createEnvelopePage()
{
    auto *page = new QWidget;

    m_idEdit = new QLineEdit(page);
    m_idEdit->setObjectName(u"idEdit"_s);
    // Ids come from received messages too (Reply); the default 32767 characters would cut long ones.
    m_idEdit->setMaxLength(std::numeric_limits<int>::max());
    m_idEdit->setPlaceholderText(u"optional, e.g. sensor.kitchen"_s);
    m_idEdit->setToolTip(u"The first frame of an envelope: SUB subscriptions match on its start"_s);
    m_idHexCheck = new QCheckBox(u"He&x"_s, page);
    m_idHexCheck->setObjectName(u"idHexCheck"_s);
    m_idHexCheck->setToolTip(u"Type the id as hex digits"_s);
    connect(m_idHexCheck, &QCheckBox::toggled, this,
        [this](bool on) { toggleHex(m_idEdit, m_idHexCheck, on, u"Id"_s); });
    connect(m_idEdit, &QLineEdit::textChanged, this, &ComposerWidget::updateState);
    auto *idRow = new QHBoxLayout;
    idRow->addWidget(m_idEdit, 1);
    idRow->addWidget(m_idHexCheck);

    m_mimetypeCombo = new QComboBox(page);
    m_mimetypeCombo->setObjectName(u"mimetypeCombo"_s);
    m_mimetypeCombo->setEditable(true);
    m_mimetypeCombo->setInsertPolicy(QComboBox::NoInsert);
    m_mimetypeCombo->addItems({ u"text/plain"_s, u"application/json"_s, u"application/octet-stream"_s,
        u"application/xml"_s, u"text/csv"_s, u"text/html"_s, u"image/png"_s, u"image/jpeg"_s,
        u"application/msgpack"_s, u"application/cbor"_s, u"application/x-protobuf"_s });
    m_mimetypeCombo->setCurrentIndex(0);
    m_mimetypeCombo->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_mimetypeCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_mimetypeCombo->setMinimumContentsLength(12);
    connect(m_mimetypeCombo, &QComboBox::editTextChanged, this, [this] {
        updateJsonStatus();
        updateState();
    });

    m_bodyEdit = new BodyEdit(page);
    m_bodyEdit->setObjectName(u"bodyEdit"_s);
    m_bodyEdit->setPlaceholderText(u"The body: text, JSON, or hex digits with Hex checked"_s);
    m_bodyEdit->setTabChangesFocus(true);
    m_bodyEdit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_bodyEdit->setFont(mono);
    m_bodyEdit->onLargeInsert = [this](const QString &text) { handleLargePaste(text); };
    connect(m_bodyEdit, &QPlainTextEdit::textChanged, this, [this] {
        // Small bodies are checked on every keystroke; big ones once typing pauses.
        if (m_bodyEdit->document()->characterCount() <= ImmediateJsonCheckChars)
            updateJsonStatus();
        else
            m_jsonTimer->start();
        updateState();
    });

    m_bodyHexCheck = new QCheckBox(u"&Hex"_s, page);
    m_bodyHexCheck->setObjectName(u"bodyHexCheck"_s);
    m_bodyHexCheck->setToolTip(u"Type the body as hex digits (for binary bodies)"_s);
    connect(m_bodyHexCheck, &QCheckBox::toggled, this, &ComposerWidget::toggleBodyHex);
    m_formatButton = new QPushButton(u"&Format JSON"_s, page);
    m_formatButton->setObjectName(u"formatButton"_s);
    m_formatButton->setAutoDefault(false);
    m_formatButton->setToolTip(u"Indent the JSON body, keeping key order and numbers as written"_s);
    connect(m_formatButton, &QPushButton::clicked, this, &ComposerWidget::formatBody);
    m_jsonStatus = new QLabel(page);
    m_jsonStatus->setObjectName(u"jsonStatus"_s);
    m_jsonStatus->setTextFormat(Qt::PlainText);
    m_jsonStatus->setWordWrap(true);
    m_loadBodyButton = new QPushButton(u"&Load File…"_s, page);
    m_loadBodyButton->setObjectName(u"loadBodyButton"_s);
    m_loadBodyButton->setAutoDefault(false);
    m_loadBodyButton->setToolTip(m_loadBodyAction->toolTip());
    connect(m_loadBodyButton, &QPushButton::clicked, m_loadBodyAction, &QAction::trigger);
    auto *bodyTools = new QHBoxLayout;
    bodyTools->addWidget(m_bodyHexCheck);
    bodyTools->addWidget(m_formatButton);
    bodyTools->addWidget(m_loadBodyButton);
    bodyTools->addStretch(1);

    // A body too big to lay out is kept as bytes and described here instead.
    m_readOnlyBodyPage = new QWidget(page);
    m_readOnlyBodyPage->setObjectName(u"readOnlyBodyPage"_s);
    m_readOnlyBodyLabel = new QLabel(m_readOnlyBodyPage);
    m_readOnlyBodyLabel->setObjectName(u"readOnlyBody"_s);
    m_readOnlyBodyLabel->setTextFormat(Qt::PlainText);
    m_readOnlyBodyLabel->setWordWrap(true);
    m_readOnlyBodyLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_readOnlyBodyLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *discardButton = new QPushButton(u"Disc&ard Body"_s, m_readOnlyBodyPage);
    discardButton->setObjectName(u"discardBodyButton"_s);
    discardButton->setAutoDefault(false);
    connect(discardButton, &QPushButton::clicked, this, [this] {
        clearReadOnlyBody();
        m_bodyEdit->setFocus(Qt::OtherFocusReason);
    });
    auto *readOnlyLayout = new QVBoxLayout(m_readOnlyBodyPage);
    readOnlyLayout->setContentsMargins(0, 0, 0, 0);
    readOnlyLayout->addWidget(m_readOnlyBodyLabel, 1);
    readOnlyLayout->addWidget(discardButton, 0, Qt::AlignLeft);
    m_bodyStack = new QStackedWidget(page);
    m_bodyStack->setObjectName(u"bodyStack"_s);
    m_bodyStack->addWidget(m_bodyEdit);
    m_bodyStack->addWidget(m_readOnlyBodyPage);

    auto *bodyBox = new QVBoxLayout;
    bodyBox->addWidget(m_bodyStack, 1);
    bodyBox->addWidget(m_jsonStatus);
    bodyBox->addLayout(bodyTools);

    m_requestFrames = new FramesEditor(page);
    m_requestFrames->setObjectName(u"requestFrames"_s);
    m_requestFrames->model()->setItemName(u"Request frame"_s);
    // Routing needs a frame or two: keep the table short so the body gets the room.
    QTableView *requestView = m_requestFrames->view();
    const int rowHeight = requestView->verticalHeader()->defaultSectionSize();
    requestView->setMinimumHeight(rowHeight * 3);
    requestView->setMaximumHeight(rowHeight * 5);
    m_requestFrames->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    connect(m_requestFrames, &FramesEditor::framesChanged, this, &ComposerWidget::updateState);
    m_routerHint = InlineMessage::createHintLabel(
        u"A ROUTER sends to the peer named by the first request frame: use Reply on a received message, "
        u"or add the peer's routing id here."_s,
        page);
    m_routerHint->setObjectName(u"routerHint"_s);
    // The rule itself is core's (defaultEnvelopeFraming); this only offers the way out of it.
    m_delimiterCheck = new QCheckBox(u"Empty &delimiter first, as a REQ sends it"_s, page);
    m_delimiterCheck->setObjectName(u"delimiterCheck"_s);
    m_delimiterCheck->setChecked(true);
    m_delimiterCheck->setToolTip(
        u"REP peers and ROUTER services written with Dploy's library (Envelope.from_raw, "
        u"response_envelope) answer only requests framed as a REQ frames them. Uncheck to send the "
        u"envelope without the empty frame."_s);
    connect(m_delimiterCheck, &QCheckBox::toggled, this, &ComposerWidget::updateState);
    auto *requestBox = new QVBoxLayout;
    requestBox->addWidget(m_requestFrames, 1);
    requestBox->addWidget(m_routerHint);
    requestBox->addWidget(m_delimiterCheck);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(u"&Id:"_s, idRow);
    form->addRow(u"&Mimetype:"_s, m_mimetypeCombo);
    form->addRow(u"&Body:"_s, bodyBox);
    auto *requestLabel = new QLabel(u"Re&quest\nframes:"_s, page);
    requestLabel->setBuddy(m_requestFrames->view());
    requestLabel->setToolTip(u"Routing frames sent before an empty delimiter frame"_s);
    form->addRow(requestLabel, requestBox);
    qobject_cast<QLabel *>(form->labelForField(idRow))->setBuddy(m_idEdit);
    qobject_cast<QLabel *>(form->labelForField(bodyBox))->setBuddy(m_bodyEdit);

    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form, 1);
    return page;
}

QWidget *ComposerWidget::createRawPage()
{
    auto *page = new QWidget;
    m_rawFrames = new FramesEditor(page);
    m_rawFrames->setObjectName(u"rawFrames"_s);
    m_rawFrames->model()->setEntries({ FrameListModel::Entry {} });
    connect(m_rawFrames, &FramesEditor::framesChanged, this, &ComposerWidget::updateState);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(InlineMessage::createHintLabel(
        u"Every row is one frame of the multipart message, sent in this order. Check Hex to type bytes as "
        u"hex digits."_s,
        page));
    layout->addWidget(m_rawFrames, 1);
    return page;
}

void ComposerWidget::setSockets(const QList<zmqscope::SocketInfo> &sockets)
{
    const zmqscope::SocketId selected = currentSocket();
    m_sockets = sockets;

    QList<QPair<QString, zmqscope::SocketId>> items;
    for (const zmqscope::SocketInfo &info : sockets) {
        if (!zmqscope::socketTypeCanSend(info.spec.type) || info.state == zmqscope::SocketState::Closed
            || info.state == zmqscope::SocketState::Failed)
            continue;
        items.append({ u"%1 (%2)"_s.arg(info.spec.name, zmqscope::socketTypeName(info.spec.type)), info.id });
    }

    // Rebuild only when something changed: a timer may call this often, and an open popup must survive.
    bool same = items.size() == m_socketCombo->count();
    for (qsizetype i = 0; same && i < items.size(); ++i) {
        same = m_socketCombo->itemText(int(i)) == items.at(i).first
            && m_socketCombo->itemData(int(i)).toUInt() == items.at(i).second;
    }
    if (!same) {
        const QSignalBlocker blocker(m_socketCombo);
        m_socketCombo->clear();
        for (const auto &[text, id] : std::as_const(items))
            m_socketCombo->addItem(text, QVariant::fromValue(uint(id)));
        const int index = m_socketCombo->findData(QVariant::fromValue(uint(selected)));
        m_socketCombo->setCurrentIndex(index >= 0 ? index : (items.isEmpty() ? -1 : 0));
    }
    // The chosen socket may have gone (closed): what belonged to it goes too.
    handleSocketChanged();
    updateState();
}

zmqscope::SocketId ComposerWidget::currentSocket() const
{
    return m_socketCombo->currentIndex() < 0 ? 0 : zmqscope::SocketId(m_socketCombo->currentData().toUInt());
}

bool ComposerWidget::setCurrentSocket(zmqscope::SocketId socket)
{
    const int index = m_socketCombo->findData(QVariant::fromValue(uint(socket)));
    if (index < 0)
        return false;
    m_socketCombo->setCurrentIndex(index);
    return true;
}

ComposerWidget::Mode ComposerWidget::mode() const
{
    return m_modeTabs->currentIndex() == RawTab ? Mode::Raw : Mode::Envelope;
}

void ComposerWidget::setMode(Mode mode)
{
    m_modeTabs->setCurrentIndex(mode == Mode::Raw ? RawTab : EnvelopeTab);
}

std::optional<zmqscope::SocketInfo> ComposerWidget::socketInfo(zmqscope::SocketId socket) const
{
    for (const zmqscope::SocketInfo &info : m_sockets) {
        if (info.id == socket)
            return info;
    }
    return std::nullopt;
}

QString ComposerWidget::socketLabel(zmqscope::SocketId socket) const
{
    if (const auto info = socketInfo(socket))
        return info->spec.name;
    return u"socket %1"_s.arg(socket);
}

std::optional<ComposerWidget::Composition> ComposerWidget::composition(QString *error) const
{
    const auto fail = [error](const QString &text) -> std::optional<Composition> {
        if (error)
            *error = text;
        return std::nullopt;
    };
    Composition result;
    result.expandVariables = m_expandCheck->isChecked();
    result.framing = envelopeFraming();
    // Variables are checked before anything is sent, so a repeat cannot fail half-way.
    const auto badVariable = [&result](const QByteArray &text, bool expandable) -> QString {
        if (!result.expandVariables || !expandable)
            return QString();
        try {
            zmqscope::TemplateExpander::validate(text);
        } catch (const zmqscope::Error &e) {
            return e.message();
        }
        return QString();
    };

    if (mode() == Mode::Raw) {
        const FrameListModel *model = m_rawFrames->model();
        if (model->rowCount() == 0)
            return fail(u"Add a frame: a message has at least one (Add, or Insert in the list)"_s);
        const QStringList problems = model->problems();
        if (!problems.isEmpty())
            return fail(problems.constFirst());
        const auto frames = model->frames();
        if (!frames)
            return fail(u"Raw frames: bad hex"_s);
        result.envelope = false;
        result.raw = *frames;
        for (qsizetype i = 0; i < result.raw.size(); ++i) {
            result.expandRaw.append(model->entries().at(i).format == Format::Text);
            if (const QString why = badVariable(result.raw.at(i), result.expandRaw.constLast());
                !why.isEmpty())
                return fail(u"%1: %2"_s.arg(frameName(i), why));
        }
        return result;
    }

    QString reason;
    const auto id = BytesText::fromEditable(
        m_idEdit->text(), m_idHexCheck->isChecked() ? Format::Hex : Format::Text, &reason);
    if (!id)
        return fail(u"Id: %1"_s.arg(reason));
    const auto body = bodyBytes(&reason);
    if (!body)
        return fail(u"Body: %1"_s.arg(reason));
    const QStringList problems = m_requestFrames->model()->problems();
    if (!problems.isEmpty())
        return fail(problems.constFirst());
    const auto requestFrames = m_requestFrames->model()->frames();
    if (!requestFrames)
        return fail(u"Request frames: bad hex"_s);
    result.id = *id;
    result.mimetype = m_mimetypeCombo->currentText().trimmed().toUtf8();
    result.body = *body;
    result.requestFrames = *requestFrames;
    // Hex fields and a body kept as bytes (a file) are sent exactly as given.
    result.expandId = !m_idHexCheck->isChecked();
    result.expandBody = !m_bodyHexCheck->isChecked() && !m_readOnlyBody;
    for (const auto &[field, text, expandable] : { std::tuple { u"Id"_s, result.id, result.expandId },
             std::tuple { u"Mimetype"_s, result.mimetype, true },
             std::tuple { u"Body"_s, result.body, result.expandBody } }) {
        if (const QString why = badVariable(text, expandable); !why.isEmpty())
            return fail(u"%1: %2"_s.arg(field, why));
    }
    return result;
}

zmqscope::Frames ComposerWidget::expandedFrames(const Composition &composition, std::uint64_t seq)
{
    // The Library's expander, one per message: {{seq}} is the message's number.
    zmqscope::TemplateExpander expander(seq);
    const auto expand = [&](const QByteArray &bytes, bool expandable) {
        return composition.expandVariables && expandable ? expander.expandText(bytes) : bytes;
    };
    if (!composition.envelope) {
        zmqscope::Frames frames;
        frames.reserve(composition.raw.size());
        for (qsizetype i = 0; i < composition.raw.size(); ++i)
            frames.append(expand(composition.raw.at(i), composition.expandRaw.at(i)));
        return frames;
    }
    // Request frames are routing ids: bytes, never expanded.
    return zmqscope::Envelope(expand(composition.id, composition.expandId),
        expand(composition.mimetype, true), expand(composition.body, composition.expandBody),
        composition.requestFrames)
        .transferObject(composition.framing);
}

std::optional<zmqscope::Frames> ComposerWidget::composedFrames(QString *error) const
{
    const auto result = composition(error);
    if (!result)
        return std::nullopt;
    return expandedFrames(*result, m_nextSeq);
}

zmqscope::EnvelopeFraming ComposerWidget::envelopeFraming() const
{
    const auto info = socketInfo(currentSocket());
    if (!info)
        return zmqscope::EnvelopeFraming::Plain;
    const zmqscope::EnvelopeFraming framing = zmqscope::defaultEnvelopeFraming(info->spec.type);
    if (framing == zmqscope::EnvelopeFraming::ReqCompatible && !m_delimiterCheck->isChecked())
        return zmqscope::EnvelopeFraming::Plain;
    return framing;
}

std::optional<zmqscope::MessageTemplate> ComposerWidget::composedTemplate(
    const QString &name, QString *error) const
{
    ViewHelpers::commitOpenEditor(m_requestFrames->view());
    ViewHelpers::commitOpenEditor(m_rawFrames->view());
    const auto composed = composition(error);
    if (!composed)
        return std::nullopt;
    zmqscope::MessageTemplate result;
    result.name = name;
    if (const auto info = socketInfo(currentSocket()))
        result.socketType = zmqscope::socketTypeName(info->spec.type);
    if (composed->envelope && composed->requestFrames.isEmpty()) {
        // Framed when sent, for the socket it is sent on.
        result.kind = zmqscope::MessageTemplate::Kind::Envelope;
        result.id = composed->id;
        result.mimetype = composed->mimetype;
        result.body = composed->body;
    } else {
        result.kind = zmqscope::MessageTemplate::Kind::Raw;
        result.frames = composed->envelope
            ? zmqscope::Envelope(composed->id, composed->mimetype, composed->body, composed->requestFrames)
                  .transferObject(composed->framing)
            : composed->raw;
    }
    return result;
}

void ComposerWidget::loadTemplate(const zmqscope::MessageTemplate &message)
{
    showError(QString());
    forgetRouting();
    if (message.kind == zmqscope::MessageTemplate::Kind::Envelope) {
        setMode(Mode::Envelope);
        setBytesField(m_idEdit, m_idHexCheck, message.id);
        m_mimetypeCombo->setCurrentText(QString::fromUtf8(message.mimetype));
        setBody(message.body, u"the saved message \"%1\""_s.arg(message.name));
        m_requestFrames->model()->setBytes({});
    } else {
        m_rawFrames->model()->setBytes(message.frames);
        setMode(Mode::Raw);
    }
    const auto current = socketInfo(currentSocket());
    if (!message.socketType.isEmpty()
        && (!current || zmqscope::socketTypeName(current->spec.type) != message.socketType)) {
        for (int i = 0; i < m_socketCombo->count(); ++i) {
            const auto info = socketInfo(zmqscope::SocketId(m_socketCombo->itemData(i).toUInt()));
            if (info && zmqscope::socketTypeName(info->spec.type) == message.socketType) {
                setSocketQuietly(info->id);
                break;
            }
        }
    }
    showStatus(u"Loaded \"%1\" from the library"_s.arg(message.name));
    updateJsonStatus();
    updateState();
}

void ComposerWidget::send()
{
    if (isRepeating())
        return;
    const zmqscope::SocketId socket = currentSocket();
    if (socket == 0) {
        showError(u"Choose a socket to send on; open one that can send (not SUB or PULL) with New Socket"_s);
        return;
    }
    // A frame cell still being edited counts: Ctrl+Return does not take the focus away from it.
    ViewHelpers::commitOpenEditor(m_requestFrames->view());
    ViewHelpers::commitOpenEditor(m_rawFrames->view());
    QString error;
    auto composed = composition(&error);
    if (!composed) {
        showError(u"Not sent: %1"_s.arg(error));
        return;
    }
    showError(QString());

    m_batchSocket = socket;
    m_batchComposition = std::move(*composed);
    ++m_batchNumber;
    m_batchTotal = m_repeatSpin->value();
    m_batchIssued = 0;
    m_batchSent = 0;
    m_progress->setRange(0, m_batchTotal);
    m_progress->setValue(0);
    m_progress->setVisible(m_batchTotal > 1);

    issueRepeatSend();
    if (m_batchIssued < m_batchTotal) {
        m_repeatTimer->start(m_intervalSpin->value());
        showStatus(
            u"Repeating on %1: %2 of %3 sent"_s.arg(socketLabel(socket)).arg(m_batchSent).arg(m_batchTotal));
    } else if (m_batchTotal == 1 && m_pendingSends > 0) {
        showStatus(u"Sending on %1…"_s.arg(socketLabel(socket)));
    }
    updateState();
}

void ComposerWidget::issueRepeatSend()
{
    if (m_batchIssued >= m_batchTotal) {
        m_repeatTimer->stop();
        return;
    }
    ++m_batchIssued;
    m_progress->setValue(m_batchIssued);
    // Variables are expanded anew for every message, as the Library does.
    emitSend(m_batchSocket, expandedFrames(m_batchComposition, m_nextSeq++));
    if (m_batchIssued >= m_batchTotal && m_repeatTimer->isActive()) {
        m_repeatTimer->stop();
        updateState();
    }
}

void ComposerWidget::emitSend(zmqscope::SocketId socket, const zmqscope::Frames &frames)
{
    ++m_pendingSends;
    Q_EMIT sendRequested(
        socket, frames, [this, socket, batch = m_batchNumber](const zmqscope::SendResult &result) {
            handleSendResult(socket, batch, result);
        });
}

void ComposerWidget::stop()
{
    if (!isRepeating())
        return;
    m_repeatTimer->stop();
    finishRepeat(u"Stopped on %1 after %2 of %3"_s.arg(socketLabel(m_batchSocket))
                     .arg(m_batchIssued)
                     .arg(m_batchTotal));
}

void ComposerWidget::finishRepeat(const QString &status)
{
    m_repeatTimer->stop();
    m_batchTotal = m_batchIssued;
    if (!status.isEmpty())
        showStatus(status);
    updateState();
}

bool ComposerWidget::isRepeating() const
{
    return m_repeatTimer->isActive();
}

void ComposerWidget::handleSendResult(
    zmqscope::SocketId socket, quint64 batch, const zmqscope::SendResult &result)
{
    --m_pendingSends;
    const bool inBatch = batch == m_batchNumber;
    if (!result.sent()) {
        handleSendFailed(socket, inBatch, result.status.errorMessage());
        return;
    }
    // Confirmations of an earlier batch are expected; only the current one is reported.
    if (!inBatch)
        return;
    ++m_batchSent;
    const QString where = socketLabel(m_batchSocket);
    if (m_batchTotal <= 1) {
        showStatus(u"Sent on %1 at %2"_s.arg(where, QTime::currentTime().toString(u"HH:mm:ss.zzz"_s)));
    } else if (m_batchSent < m_batchTotal) {
        showStatus(u"Repeating on %1: %2 of %3 sent"_s.arg(where).arg(m_batchSent).arg(m_batchTotal));
    } else {
        showStatus(u"Sent %1 messages on %2, the last at %3"_s.arg(m_batchSent)
                       .arg(where)
                       .arg(QTime::currentTime().toString(u"HH:mm:ss.zzz"_s)));
    }
}

void ComposerWidget::handleSendFailed(zmqscope::SocketId socket, bool inBatch, const QString &error)
{
    const QString where = socketLabel(socket);
    // The engine's text says why (a REQ waiting for its reply, a peer ROUTER does not know).
    QString reason = error.trimmed();
    while (reason.endsWith(u'.'))
        reason.chop(1);
    const QString text = u"Not sent on %1: %2. The message is still here."_s.arg(where, reason);
    if (inBatch && isRepeating()) {
        // Every further send would fail the same way.
        finishRepeat(u"Repeat stopped after %1 of %2"_s.arg(m_batchIssued).arg(m_batchTotal));
    } else if (inBatch) {
        // "Sending on …" (or a repeat's count) must not stay under the error as if it were still going.
        showStatus(m_batchTotal > 1 ? u"%1 of %2 sent on %3"_s.arg(m_batchSent).arg(m_batchTotal).arg(where)
                                    : QString());
    }
    showError(text);
}

void ComposerWidget::prepareReply(const zmqscope::StoredMessage &message, zmqscope::SocketId socket)
{
    showError(QString());
    if (message.direction != zmqscope::Direction::In) {
        showError(u"Reply needs a received message; #%1 was sent from here"_s.arg(message.seq));
        return;
    }
    forgetRouting();
    bool selected = false;
    setSocketQuietly(socket, &selected);
    const QString where = socketLabel(socket);
    const auto parsed = zmqscope::Envelope::parse(message.frames);
    const auto info = socketInfo(socket);

    if (parsed.envelope) {
        const zmqscope::Envelope &request = *parsed.envelope;
        setMode(Mode::Envelope);
        setBytesField(m_idEdit, m_idHexCheck, request.id());
        m_requestFrames->model()->setBytes(request.requestFrames());
        rememberRouting(socket, message.seq, Mode::Envelope);
        const qsizetype routing = request.requestFrames().size();
        showStatus(
            u"Reply to #%1 on %2: id %3, %4 request frame(s); type the body and send"_s.arg(message.seq)
                .arg(where, shortBytes(request.id()))
                .arg(routing));
        m_bodyEdit->setFocus(Qt::OtherFocusReason);
    } else if (info && info->spec.type == zmqscope::SocketType::Router && !message.frames.isEmpty()) {
        // A raw message on a ROUTER still names its sender in the first frame (and a REQ-style
        // delimiter after it): keep those so the reply finds its way back.
        zmqscope::Frames routing { message.frames.constFirst() };
        if (message.frames.size() > 2 && message.frames.at(1).isEmpty())
            routing.append(QByteArray());
        m_rawFrames->model()->setBytes(routing);
        rememberRouting(socket, message.seq, Mode::Raw);
        m_rawFrames->model()->insertEntry(m_rawFrames->model()->rowCount(), FrameListModel::Entry {});
        setMode(Mode::Raw);
        showStatus(
            u"#%1 is not an envelope (%2); the raw frames start with its routing frame, add the reply after it"_s
                .arg(message.seq)
                .arg(parsed.reason));
        const QModelIndex last = m_rawFrames->model()->index(
            m_rawFrames->model()->rowCount() - 1, FrameListModel::ContentColumn);
        m_rawFrames->view()->setCurrentIndex(last);
        m_rawFrames->view()->setFocus(Qt::OtherFocusReason);
    } else {
        showError(u"Cannot fill a reply from #%1: it is not an envelope (%2)"_s.arg(message.seq)
                      .arg(parsed.reason));
    }
    if (!selected) {
        showError(
            u"%1 cannot send (it is closed, or a SUB or PULL socket); choose another socket"_s.arg(where));
    }
    updateState();
}

void ComposerWidget::loadMessage(const zmqscope::StoredMessage &message, zmqscope::SocketId socket)
{
    showError(QString());
    forgetRouting();
    bool selected = false;
    setSocketQuietly(socket, &selected);
    const QString where = socketLabel(socket);
    const zmqscope::Frames &frames = message.frames;

    // As an envelope only when sending it unchanged gives the same frames again, in the framing the
    // message used: on a DEALER that is the REQ-style delimiter first, or not.
    const auto info = socketInfo(socket);
    const bool delimited = info
        && zmqscope::defaultEnvelopeFraming(info->spec.type) == zmqscope::EnvelopeFraming::ReqCompatible
        && !frames.isEmpty() && frames.constFirst().isEmpty();
    const zmqscope::EnvelopeFraming framing
        = delimited ? zmqscope::EnvelopeFraming::ReqCompatible : zmqscope::EnvelopeFraming::Plain;
    std::optional<zmqscope::Envelope> envelope
        = zmqscope::Envelope::parse(delimited ? frames.mid(1) : frames).envelope;
    if (envelope && envelope->transferObject(framing) != frames)
        envelope.reset();

    if (envelope) {
        setMode(Mode::Envelope);
        if (info
            && zmqscope::defaultEnvelopeFraming(info->spec.type) == zmqscope::EnvelopeFraming::ReqCompatible)
            m_delimiterCheck->setChecked(delimited);
        setBytesField(m_idEdit, m_idHexCheck, envelope->id());
        m_mimetypeCombo->setCurrentText(QString::fromUtf8(envelope->mimetype()));
        setBody(envelope->data(), u"message #%1"_s.arg(message.seq));
        m_requestFrames->model()->setBytes(envelope->requestFrames());
        if (!envelope->requestFrames().isEmpty())
            rememberRouting(socket, message.seq, Mode::Envelope);
    } else {
        m_rawFrames->model()->setBytes(frames.isEmpty() ? zmqscope::Frames { QByteArray() } : frames);
        setMode(Mode::Raw);
    }
    // Sent unchanged, it must give the same bytes: a "{{" in them is not a variable.
    const bool hasBraces = std::any_of(
        frames.cbegin(), frames.cend(), [](const QByteArray &frame) { return frame.contains("{{"); });
    if (hasBraces)
        m_expandCheck->setChecked(false);
    showStatus(u"#%1 (%2 on %3) is in the composer as %4%5: edit it and send"_s.arg(message.seq)
                   .arg(message.direction == zmqscope::Direction::In ? u"received"_s : u"sent"_s, where,
                       envelope ? u"an envelope"_s : u"raw frames"_s,
                       hasBraces ? u" (variables off: it contains \"{{\")"_s : QString()));
    if (!selected) {
        showError(
            u"%1 cannot send (it is closed, or a SUB or PULL socket); choose another socket"_s.arg(where));
    }
    updateJsonStatus();
    updateState();
}

void ComposerWidget::setSocketQuietly(zmqscope::SocketId socket, bool *selected)
{
    // The caller fills in what belongs to this socket: switching to it must not clear that.
    m_settingSocket = true;
    const bool found = setCurrentSocket(socket);
    m_settingSocket = false;
    m_lastSocket = currentSocket();
    if (selected)
        *selected = found;
}

void ComposerWidget::rememberRouting(zmqscope::SocketId socket, quint64 seq, Mode where)
{
    RoutingState routing;
    routing.socket = socket;
    routing.seq = seq;
    if (where == Mode::Raw)
        routing.rawEntries = m_rawFrames->model()->entries();
    else
        routing.requestEntries = m_requestFrames->model()->entries();
    if (!routing.rawEntries.isEmpty() || !routing.requestEntries.isEmpty())
        m_routing = routing;
}

void ComposerWidget::forgetRouting()
{
    m_routing.reset();
    m_clearedRouting.reset();
    m_undoRoutingButton->hide();
}

void ComposerWidget::handleSocketChanged()
{
    const zmqscope::SocketId socket = currentSocket();
    if (socket == m_lastSocket)
        return;
    m_lastSocket = socket;
    if (m_settingSocket)
        return;
    // An error about the previous socket says nothing about this one.
    showError(QString());
    if (!m_routing || m_routing->socket == socket)
        return;

    // Routing frames only mean something on the socket they came in on: a PUSH or another ROUTER
    // would send them to the peer as data, or to nobody.
    RoutingState removed = *m_routing;
    m_routing.reset();
    FrameListModel *request = m_requestFrames->model();
    FrameListModel *raw = m_rawFrames->model();
    if (!removed.requestEntries.isEmpty()) {
        removed.requestEntries = request->entries();
        request->setEntries({});
    }
    if (!removed.rawEntries.isEmpty()) {
        const QList<FrameListModel::Entry> rows = raw->entries();
        if (rows.mid(0, removed.rawEntries.size()) == removed.rawEntries)
            raw->setEntries(rows.mid(removed.rawEntries.size()));
        else
            removed.rawEntries.clear();
    }
    const qsizetype count = removed.requestEntries.size() + removed.rawEntries.size();
    if (count == 0)
        return;
    m_clearedRouting = removed;
    m_undoRoutingButton->show();
    showStatus(u"Removed the %1 routing frame(s) of #%2: they route only on %3."_s.arg(count)
                   .arg(removed.seq)
                   .arg(socketLabel(removed.socket)));
}

void ComposerWidget::undoClearRouting()
{
    if (!m_clearedRouting)
        return;
    const RoutingState removed = *m_clearedRouting;
    m_clearedRouting.reset();
    m_undoRoutingButton->hide();
    if (!removed.requestEntries.isEmpty())
        m_requestFrames->model()->setEntries(removed.requestEntries + m_requestFrames->model()->entries());
    if (!removed.rawEntries.isEmpty())
        m_rawFrames->model()->setEntries(removed.rawEntries + m_rawFrames->model()->entries());
    showStatus(u"Put back the routing frames of #%1; they route only on %2"_s.arg(removed.seq)
                   .arg(socketLabel(removed.socket)));
    updateState();
}

std::optional<QByteArray> ComposerWidget::bodyBytes(QString *error) const
{
    if (m_readOnlyBody)
        return *m_readOnlyBody;
    return BytesText::fromEditable(
        m_bodyEdit->toPlainText(), m_bodyHexCheck->isChecked() ? Format::Hex : Format::Text, error);
}

bool ComposerWidget::hasReadOnlyBody() const
{
    return m_readOnlyBody.has_value();
}

void ComposerWidget::setBody(const QByteArray &bytes, const QString &source)
{
    const bool text = BytesText::isEditableText(bytes);
    // Hex takes three characters a byte.
    const qsizetype editorSize = text ? bytes.size() : bytes.size() * 3;
    if (editorSize > MaxEditableBodyBytes) {
        setReadOnlyBody(bytes, source);
        return;
    }
    clearReadOnlyBody();
    {
        const QSignalBlocker blocker(m_bodyHexCheck);
        m_bodyHexCheck->setChecked(!text);
    }
    m_bodyEdit->setPlainText(BytesText::toEditable(bytes, text ? Format::Text : Format::Hex));
}

void ComposerWidget::setReadOnlyBody(const QByteArray &bytes, const QString &source)
{
    m_readOnlyBody = bytes;
    zmqscope::textescape::EscapeOptions preview;
    preview.quoted = true;
    preview.maxChars = ReadOnlyPreviewChars;
    preview.maxBytes = ReadOnlyPreviewChars * 4;
    m_readOnlyBodyLabel->setText(
        u"Body: %1 from %2, too big to edit here; sent byte for byte.\nIt starts %3"_s.arg(
            sizeText(bytes.size()), source, zmqscope::textescape::escape(bytes, preview)));
    m_bodyStack->setCurrentWidget(m_readOnlyBodyPage);
    {
        // The editor's text is not the body any more; free it without a JSON check of it.
        const QSignalBlocker blocker(m_bodyEdit);
        m_bodyEdit->clear();
    }
    {
        // The bytes are the body; the empty editor behind them is plain text again.
        const QSignalBlocker blocker(m_bodyHexCheck);
        m_bodyHexCheck->setChecked(false);
    }
    m_bodyHexCheck->setEnabled(false);
    updateJsonStatus();
    updateState();
}

void ComposerWidget::clearReadOnlyBody()
{
    if (!m_readOnlyBody)
        return;
    m_readOnlyBody.reset();
    m_readOnlyBodyLabel->clear();
    m_bodyStack->setCurrentWidget(m_bodyEdit);
    m_bodyHexCheck->setEnabled(true);
    updateJsonStatus();
    updateState();
}

void ComposerWidget::handleLargePaste(const QString &text)
{
    // What the body becomes: the paste replaces the selection, as it would in the editor.
    const QTextCursor cursor = m_bodyEdit->textCursor();
    const QString current = m_bodyEdit->toPlainText();
    const QString combined
        = current.left(cursor.selectionStart()) + text + current.mid(cursor.selectionEnd());
    QString reason;
    const auto bytes = BytesText::fromEditable(
        combined, m_bodyHexCheck->isChecked() ? Format::Hex : Format::Text, &reason);
    if (!bytes) {
        showError(u"Not pasted: Body: %1"_s.arg(reason));
        return;
    }
    showError(QString());
    setReadOnlyBody(*bytes, u"pasted text"_s);
}

void ComposerWidget::chooseBodyFile()
{
    const QString path = QFileDialog::getOpenFileName(this, u"Load Body from File"_s);
    if (!path.isEmpty())
        loadBodyFromFile(path);
}

bool ComposerWidget::loadBodyFromFile(const QString &path)
{
    // File names are untrusted text too.
    const QString name = zmqscope::textescape::escape(QFileInfo(path).fileName().toUtf8());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        showError(u"Body not loaded from %1: %2"_s.arg(name, file.errorString()));
        return false;
    }
    // Read with a bound: devices and pipes say their size is 0.
    const std::optional<QByteArray> read = zmqscope::readAllBounded(file, MaxBodyFileBytes);
    if (file.error() != QFileDevice::NoError) {
        showError(u"Body not loaded from %1: %2"_s.arg(name, file.errorString()));
        return false;
    }
    if (!read) {
        showError(u"Body not loaded: %1 is bigger than %2, the most the composer sends"_s.arg(
            name, zmqscope::sizeLimitText(MaxBodyFileBytes)));
        return false;
    }
    const QByteArray &bytes = *read;
    showError(QString());
    setMode(Mode::Envelope);
    setBody(bytes, name);
    if (!m_readOnlyBody) {
        // Small enough to edit: it is in the editor now, and edited like typed text.
        m_bodyEdit->setFocus(Qt::OtherFocusReason);
    }
    showStatus(u"The body is %1 from %2"_s.arg(sizeText(bytes.size()), name));
    return true;
}

void ComposerWidget::setBytesField(QLineEdit *edit, QCheckBox *hex, const QByteArray &bytes)
{
    const bool asHex = !BytesText::isEditableText(bytes) || bytes.contains('\n') || bytes.contains('\r');
    {
        const QSignalBlocker blocker(hex);
        hex->setChecked(asHex);
    }
    edit->setText(BytesText::toEditable(bytes, asHex ? Format::Hex : Format::Text));
}

void ComposerWidget::toggleHex(QLineEdit *edit, QCheckBox *hex, bool toHex, const QString &field)
{
    QString reason;
    const auto bytes = BytesText::fromEditable(edit->text(), toHex ? Format::Text : Format::Hex, &reason);
    const bool oneLine = bytes && BytesText::isEditableText(*bytes) && !bytes->contains('\n');
    if (!bytes || (!toHex && !oneLine)) {
        const QSignalBlocker blocker(hex);
        hex->setChecked(!toHex);
        showError(u"%1 stays %2: %3"_s.arg(field, toHex ? u"text"_s : u"hex"_s,
            bytes ? u"its bytes are not one line of UTF-8 text"_s : reason));
        return;
    }
    showError(QString());
    edit->setText(BytesText::toEditable(*bytes, toHex ? Format::Hex : Format::Text));
}

void ComposerWidget::toggleBodyHex(bool toHex)
{
    QString reason;
    const auto bytes
        = BytesText::fromEditable(m_bodyEdit->toPlainText(), toHex ? Format::Text : Format::Hex, &reason);
    if (!bytes || (!toHex && !BytesText::isEditableText(*bytes))) {
        const QSignalBlocker blocker(m_bodyHexCheck);
        m_bodyHexCheck->setChecked(!toHex);
        showError(u"Body stays %1: %2"_s.arg(
            toHex ? u"text"_s : u"hex"_s, bytes ? u"its bytes are not UTF-8 text"_s : reason));
        return;
    }
    showError(QString());
    if (toHex && bytes->size() * 3 > MaxEditableBodyBytes) {
        // Three characters a byte would be more than the editor lays out.
        setReadOnlyBody(*bytes, u"the body typed as text"_s);
        return;
    }
    // Through the cursor, so Undo brings the previous form back.
    QTextCursor cursor(m_bodyEdit->document());
    cursor.select(QTextCursor::Document);
    cursor.insertText(BytesText::toEditable(*bytes, toHex ? Format::Hex : Format::Text));
    updateJsonStatus();
}

void ComposerWidget::formatBody()
{
    const QByteArray text = m_bodyEdit->toPlainText().toUtf8();
    if (const auto problem = JsonText::check(text)) {
        showError(u"Not formatted: the body is not JSON (%1)"_s.arg(JsonText::describe(*problem)));
        // Put the cursor on the error so it can be fixed right away.
        QTextCursor cursor(m_bodyEdit->document());
        cursor.setPosition(int(QString::fromUtf8(text.first(problem->offset)).size()));
        m_bodyEdit->setTextCursor(cursor);
        m_bodyEdit->setFocus(Qt::OtherFocusReason);
        updateJsonStatus();
        return;
    }
    const auto formatted = JsonText::format(text);
    if (!formatted || *formatted == text)
        return;
    showError(QString());
    QTextCursor cursor(m_bodyEdit->document());
    cursor.select(QTextCursor::Document);
    cursor.insertText(QString::fromUtf8(*formatted));
    updateJsonStatus();
}

void ComposerWidget::updateJsonStatus()
{
    m_jsonTimer->stop();
    const bool json
        = JsonText::isJsonMimetype(m_mimetypeCombo->currentText()) && !m_bodyHexCheck->isChecked();
    m_formatButton->setEnabled(json && !m_readOnlyBody);
    if (!json) {
        InlineMessage::show(m_jsonStatus, QString());
        return;
    }
    if (m_readOnlyBody) {
        InlineMessage::setError(m_jsonStatus, false);
        InlineMessage::show(m_jsonStatus, u"JSON not checked: the body is kept as bytes"_s);
        return;
    }
    // Checked as it will be sent: after the variables are expanded, as for the next message.
    QByteArray text = m_bodyEdit->toPlainText().toUtf8();
    const bool expand = m_expandCheck->isChecked() && text.contains("{{");
    if (expand) {
        try {
            text = zmqscope::TemplateExpander(m_nextSeq).expandText(text);
        } catch (const zmqscope::Error &e) {
            InlineMessage::setError(m_jsonStatus, true);
            InlineMessage::show(m_jsonStatus, u"Variable error: %1"_s.arg(e.message()));
            return;
        }
    }
    if (const auto problem = JsonText::check(text)) {
        InlineMessage::setError(m_jsonStatus, true);
        InlineMessage::show(m_jsonStatus,
            u"JSON error at %1%2"_s.arg(
                JsonText::describe(*problem), expand ? u" (after expanding the variables)"_s : QString()));
    } else {
        InlineMessage::setError(m_jsonStatus, false);
        InlineMessage::show(
            m_jsonStatus, expand ? u"Valid JSON after expanding the variables"_s : u"Valid JSON"_s);
    }
}

void ComposerWidget::updateState()
{
    const bool repeating = isRepeating();
    const bool haveSocket = currentSocket() != 0;
    m_sendAction->setEnabled(haveSocket && !repeating);
    m_sendButton->setEnabled(haveSocket && !repeating);
    m_stopAction->setEnabled(repeating);
    m_stopButton->setEnabled(repeating);
    m_repeatSpin->setEnabled(!repeating);
    m_intervalSpin->setEnabled(!repeating && m_repeatSpin->value() > 1);
    m_socketCombo->setEnabled(!repeating && m_socketCombo->count() > 0);
    m_sendButton->setText(m_repeatSpin->value() > 1 ? u"Send %1×"_s.arg(m_repeatSpin->value()) : u"Send"_s);

    const auto info = socketInfo(currentSocket());
    m_routerHint->setVisible(
        info && info->spec.type == zmqscope::SocketType::Router && m_requestFrames->model()->rowCount() == 0);
    // Offered only where core's rule adds the delimiter (DEALER).
    m_delimiterCheck->setVisible(info
        && zmqscope::defaultEnvelopeFraming(info->spec.type) == zmqscope::EnvelopeFraming::ReqCompatible);
}

void ComposerWidget::showError(const QString &text)
{
    InlineMessage::show(m_errorLabel, text);
}

void ComposerWidget::showStatus(const QString &text)
{
    InlineMessage::show(m_statusLabel, text);
}

QString ComposerWidget::errorText() const
{
    return InlineMessage::text(m_errorLabel);
}

QString ComposerWidget::statusText() const
{
    return InlineMessage::text(m_statusLabel);
}

QString ComposerWidget::jsonStatusText() const
{
    return InlineMessage::text(m_jsonStatus);
}
