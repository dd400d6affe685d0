#include "composerwidget.h"

#include <atomic>
#include <limits>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTextBlock>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

#include <zmqscope/envelope.h>

#include "bytestext.h"
#include "frameseditor.h"
#include "inlinemessage.h"
#include "jsontext.h"
#include "viewhelpers.h"

using namespace Qt::StringLiterals;
using BytesText::Format;

namespace {

constexpr int EnvelopeTab = 0;
constexpr int RawTab = 1;
constexpr int JsonCheckDelayMs = 150;
constexpr int ImmediateJsonCheckChars = 256 * 1024;
constexpr int MaxRepeat = 1'000'000;
constexpr int MaxIntervalMs = 3'600'000;
constexpr int ShownBytes = 48;

/// Tags are unique in the process, so several composers can share one engine.
quint64 nextTag()
{
    static std::atomic<quint64> counter { 0 };
    return ++counter;
}

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

} // namespace

ComposerWidget::ComposerWidget(QWidget *parent)
    : QWidget(parent)
    , m_socketCombo(new QComboBox(this))
    , m_modeTabs(new QTabWidget(this))
    , m_idEdit(nullptr)
    , m_idHexCheck(nullptr)
    , m_mimetypeCombo(nullptr)
    , m_bodyEdit(nullptr)
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
    connect(m_socketCombo, &QComboBox::currentIndexChanged, this, &ComposerWidget::updateState);
    auto *socketLabel = new QLabel(u"S&ocket:"_s, this);
    socketLabel->setBuddy(m_socketCombo);

    m_modeTabs->setObjectName(u"modeTabs"_s);
    m_modeTabs->setDocumentMode(true);
    m_modeTabs->addTab(createEnvelopePage(), u"&Envelope"_s);
    m_modeTabs->addTab(createRawPage(), u"Ra&w Frames"_s);
    connect(m_modeTabs, &QTabWidget::currentChanged, this, &ComposerWidget::updateState);

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

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_modeTabs, 1);
    layout->addLayout(repeatRow);
    layout->addLayout(sendRow);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_statusLabel);

    setTabOrder(m_socketCombo, m_modeTabs);
    setTabOrder(m_modeTabs, m_idEdit);
    setTabOrder(m_idEdit, m_idHexCheck);
    setTabOrder(m_idHexCheck, m_mimetypeCombo);
    setTabOrder(m_mimetypeCombo, m_bodyEdit);
    setTabOrder(m_bodyEdit, m_bodyHexCheck);
    setTabOrder(m_bodyHexCheck, m_formatButton);
    setTabOrder(m_formatButton, m_requestFrames);
    setTabOrder(m_requestFrames, m_repeatSpin);
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

    m_bodyEdit = new QPlainTextEdit(page);
    m_bodyEdit->setObjectName(u"bodyEdit"_s);
    m_bodyEdit->setPlaceholderText(u"The body: text, JSON, or hex digits with Hex checked"_s);
    m_bodyEdit->setTabChangesFocus(true);
    m_bodyEdit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_bodyEdit->setFont(mono);
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
    auto *bodyTools = new QHBoxLayout;
    bodyTools->addWidget(m_bodyHexCheck);
    bodyTools->addWidget(m_formatButton);
    bodyTools->addStretch(1);
    auto *bodyBox = new QVBoxLayout;
    bodyBox->addWidget(m_bodyEdit, 1);
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
    auto *requestBox = new QVBoxLayout;
    requestBox->addWidget(m_requestFrames, 1);
    requestBox->addWidget(m_routerHint);

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

std::optional<zmqscope::Frames> ComposerWidget::composedFrames(QString *error) const
{
    const auto fail = [error](const QString &text) -> std::optional<zmqscope::Frames> {
        if (error)
            *error = text;
        return std::nullopt;
    };
    if (mode() == Mode::Raw) {
        const FrameListModel *model = m_rawFrames->model();
        if (model->rowCount() == 0)
            return fail(u"Add a frame: a message has at least one (Add, or Insert in the list)"_s);
        const QStringList problems = model->problems();
        if (!problems.isEmpty())
            return fail(problems.constFirst());
        return model->frames();
    }

    QString reason;
    const auto id = BytesText::fromEditable(
        m_idEdit->text(), m_idHexCheck->isChecked() ? Format::Hex : Format::Text, &reason);
    if (!id)
        return fail(u"Id: %1"_s.arg(reason));
    const auto body = BytesText::fromEditable(
        m_bodyEdit->toPlainText(), m_bodyHexCheck->isChecked() ? Format::Hex : Format::Text, &reason);
    if (!body)
        return fail(u"Body: %1"_s.arg(reason));
    const QStringList problems = m_requestFrames->model()->problems();
    if (!problems.isEmpty())
        return fail(problems.constFirst());
    const auto requestFrames = m_requestFrames->model()->frames();
    if (!requestFrames)
        return fail(u"Request frames: bad hex"_s);
    const zmqscope::Envelope envelope(
        *id, m_mimetypeCombo->currentText().trimmed().toUtf8(), *body, *requestFrames);
    return envelope.transferObject();
}

std::optional<zmqscope::MessageTemplate> ComposerWidget::composedTemplate(
    const QString &name, QString *error) const
{
    ViewHelpers::commitOpenEditor(m_requestFrames->view());
    ViewHelpers::commitOpenEditor(m_rawFrames->view());
    const auto frames = composedFrames(error);
    if (!frames)
        return std::nullopt;
    zmqscope::MessageTemplate result;
    result.name = name;
    if (const auto info = socketInfo(currentSocket()))
        result.socketType = zmqscope::socketTypeName(info->spec.type);
    const auto parsed = zmqscope::Envelope::parse(*frames);
    if (mode() == Mode::Envelope && parsed.envelope && parsed.envelope->requestFrames().isEmpty()) {
        result.kind = zmqscope::MessageTemplate::Kind::Envelope;
        result.id = parsed.envelope->id();
        result.mimetype = parsed.envelope->mimetype();
        result.body = parsed.envelope->data();
    } else {
        result.kind = zmqscope::MessageTemplate::Kind::Raw;
        result.frames = *frames;
    }
    return result;
}

void ComposerWidget::loadTemplate(const zmqscope::MessageTemplate &message)
{
    showError(QString());
    if (message.kind == zmqscope::MessageTemplate::Kind::Envelope) {
        setMode(Mode::Envelope);
        setBytesField(m_idEdit, m_idHexCheck, message.id);
        m_mimetypeCombo->setCurrentText(QString::fromUtf8(message.mimetype));
        const bool hex = !BytesText::isEditableText(message.body);
        {
            const QSignalBlocker blocker(m_bodyHexCheck);
            m_bodyHexCheck->setChecked(hex);
        }
        m_bodyEdit->setPlainText(BytesText::toEditable(message.body, hex ? Format::Hex : Format::Text));
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
                m_socketCombo->setCurrentIndex(i);
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
    const auto frames = composedFrames(&error);
    if (!frames) {
        showError(u"Not sent: %1"_s.arg(error));
        return;
    }
    showError(QString());

    m_batchSocket = socket;
    m_batchFrames = *frames;
    m_batchTags.clear();
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
    } else if (m_batchTotal == 1 && !m_pendingTags.isEmpty()) {
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
    emitSend(m_batchSocket, m_batchFrames);
    if (m_batchIssued >= m_batchTotal && m_repeatTimer->isActive()) {
        m_repeatTimer->stop();
        updateState();
    }
}

void ComposerWidget::emitSend(zmqscope::SocketId socket, const zmqscope::Frames &frames)
{
    const quint64 tag = nextTag();
    m_pendingTags.insert(tag, socket);
    m_batchTags.insert(tag);
    Q_EMIT sendRequested(socket, frames, tag);
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

void ComposerWidget::handleMessageSent(quint64 tag)
{
    if (!m_pendingTags.remove(tag))
        return;
    // Confirmations of an earlier batch are expected; only the current one is reported.
    if (!m_batchTags.remove(tag))
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

void ComposerWidget::handleSendFailed(quint64 tag, const QString &error)
{
    const auto pending = m_pendingTags.constFind(tag);
    if (pending == m_pendingTags.constEnd())
        return;
    const QString where = socketLabel(pending.value());
    m_pendingTags.erase(pending);
    const bool inBatch = m_batchTags.remove(tag);
    // The engine's text says why (a REQ waiting for its reply, a peer ROUTER does not know).
    QString reason = error.trimmed();
    while (reason.endsWith(u'.'))
        reason.chop(1);
    const QString text = u"Not sent on %1: %2. The message is still here."_s.arg(where, reason);
    if (inBatch && isRepeating()) {
        // Every further send would fail the same way.
        finishRepeat(u"Repeat stopped after %1 of %2"_s.arg(m_batchIssued).arg(m_batchTotal));
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
    const bool selected = setCurrentSocket(socket);
    const QString where = socketLabel(socket);
    const auto parsed = zmqscope::Envelope::parse(message.frames);
    const auto info = socketInfo(socket);

    if (parsed.envelope) {
        const zmqscope::Envelope &request = *parsed.envelope;
        setMode(Mode::Envelope);
        setBytesField(m_idEdit, m_idHexCheck, request.id());
        m_requestFrames->model()->setBytes(request.requestFrames());
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
    m_formatButton->setEnabled(json);
    if (!json) {
        InlineMessage::show(m_jsonStatus, QString());
        return;
    }
    if (const auto problem = JsonText::check(m_bodyEdit->toPlainText().toUtf8())) {
        InlineMessage::setError(m_jsonStatus, true);
        InlineMessage::show(m_jsonStatus, u"JSON error at %1"_s.arg(JsonText::describe(*problem)));
    } else {
        InlineMessage::setError(m_jsonStatus, false);
        InlineMessage::show(m_jsonStatus, u"Valid JSON"_s);
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
