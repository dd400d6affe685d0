#include "composerwidget.h"

#include <algorithm>
#include <functional>
#include <tuple>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <zmqscope/capture/fileio.h>
#include <zmqscope/envelope.h>
#include <zmqscope/textescape.h>

#include "bodyeditor.h"
#include "bytestext.h"
#include "displaytext.h"
#include "envelopeeditor.h"
#include "frameseditor.h"
#include "inlinemessage.h"
#include "jsontext.h"
#include "replyrouting.h"
#include "viewhelpers.h"

using namespace Qt::StringLiterals;
using BytesText::Format;

namespace {

constexpr int EnvelopeTab = 0;
constexpr int RawTab = 1;
constexpr int MaxRepeat = 1'000'000;
constexpr int MaxIntervalMs = 3'600'000;
constexpr int ShownBytes = 48;

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
    , m_expandCheck(new QCheckBox(u"Expand {{seq}} {{now}} {{uuid}} {{random:N}}"_s, this))
    , m_loadBodyAction(new QAction(u"&Load Body from File…"_s, this))
    , m_undoRoutingButton(new QPushButton(u"&Put Back Routing Frames"_s, this))
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
    , m_sendController(
          new SendController([this](zmqscope::SocketId socket) { return socketLabel(socket); }, this))
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
    m_envelope = new EnvelopeEditor(m_loadBodyAction);
    m_body = m_envelope->body();
    connect(m_envelope, &EnvelopeEditor::edited, this, &ComposerWidget::updateState);
    connect(m_envelope, &EnvelopeEditor::mimetypeEdited, this, [this] {
        updateJsonStatus();
        updateState();
    });
    connect(m_envelope, &EnvelopeEditor::errorChanged, this, &ComposerWidget::showError);
    connect(m_body, &BodyEditor::jsonCheckDue, this, &ComposerWidget::updateJsonStatus);
    connect(m_body, &BodyEditor::errorChanged, this, &ComposerWidget::showError);
    m_modeTabs->addTab(m_envelope, u"&Envelope"_s);
    m_modeTabs->addTab(createRawPage(), u"Ra&w Frames"_s);
    connect(m_modeTabs, &QTabWidget::currentChanged, this, &ComposerWidget::updateState);
    m_replyRouting
        = std::make_unique<ReplyRouting>(*m_envelope->requestFrames()->model(), *m_rawFrames->model());

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

    connect(m_sendController, &SendController::sendRequested, this, &ComposerWidget::sendRequested);
    connect(m_sendController, &SendController::batchStarted, this, [this](int total) {
        m_progress->setRange(0, total);
        m_progress->setValue(0);
        m_progress->setVisible(total > 1);
    });
    connect(m_sendController, &SendController::issuedChanged, m_progress, &QProgressBar::setValue);
    connect(m_sendController, &SendController::repeatingChanged, this, &ComposerWidget::updateState);
    connect(m_sendController, &SendController::statusChanged, this, &ComposerWidget::showStatus);
    connect(m_sendController, &SendController::sendFailed, this, &ComposerWidget::showError);

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
    setTabOrder(m_modeTabs, m_envelope->firstInTabOrder());
    setTabOrder(m_envelope->lastInTabOrder(), m_expandCheck);
    setTabOrder(m_expandCheck, m_repeatSpin);
    setTabOrder(m_repeatSpin, m_intervalSpin);
    setTabOrder(m_intervalSpin, m_stopButton);
    setTabOrder(m_stopButton, m_sendButton);

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
        // A tap only forwards what its peers send, a sniffer and its connections only watch the wire:
        // neither is a socket to send from.
        if (info.tap || info.sniff || info.wire || !zmqscope::socketTypeCanSend(info.spec.type)
            || info.state == zmqscope::SocketState::Closed || info.state == zmqscope::SocketState::Failed)
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

zmqscope::Result<ComposerWidget::Composition> ComposerWidget::composition() const
{
    // Every refusal is a field the user filled in wrongly; the text names the field.
    const auto fail = [](const QString &text) -> zmqscope::Result<Composition> {
        return zmqscope::Error(zmqscope::ErrorCode::InvalidBody, text);
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

    const zmqscope::Result<QByteArray> id = m_envelope->id();
    if (!id)
        return fail(u"Id: %1"_s.arg(id.errorMessage()));
    const zmqscope::Result<QByteArray> body = m_body->bytes();
    if (!body)
        return fail(u"Body: %1"_s.arg(body.errorMessage()));
    const QStringList problems = m_envelope->requestFrames()->model()->problems();
    if (!problems.isEmpty())
        return fail(problems.constFirst());
    const auto requestFrames = m_envelope->requestFrames()->model()->frames();
    if (!requestFrames)
        return fail(u"Request frames: bad hex"_s);
    result.id = *id;
    result.mimetype = m_envelope->mimetype().trimmed().toUtf8();
    result.body = *body;
    result.requestFrames = *requestFrames;
    // Hex fields and a body kept as bytes (a file) are sent exactly as given.
    result.expandId = m_envelope->isIdTypedText();
    result.expandBody = m_body->isTypedText();
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

zmqscope::Result<zmqscope::Frames> ComposerWidget::composedFrames() const
{
    const auto result = composition();
    if (!result)
        return result.error();
    return expandedFrames(*result, m_nextSeq);
}

zmqscope::EnvelopeFraming ComposerWidget::envelopeFraming() const
{
    const auto info = socketInfo(currentSocket());
    if (!info)
        return zmqscope::EnvelopeFraming::Plain;
    const zmqscope::EnvelopeFraming framing = zmqscope::defaultEnvelopeFraming(info->spec.type);
    if (framing == zmqscope::EnvelopeFraming::ReqCompatible && !m_envelope->delimiterFirst())
        return zmqscope::EnvelopeFraming::Plain;
    return framing;
}

zmqscope::Result<zmqscope::MessageTemplate> ComposerWidget::composedTemplate(const QString &name) const
{
    ViewHelpers::commitOpenEditor(m_envelope->requestFrames()->view());
    ViewHelpers::commitOpenEditor(m_rawFrames->view());
    const auto composed = composition();
    if (!composed)
        return composed.error();
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
        m_envelope->setId(message.id);
        m_envelope->setMimetype(QString::fromUtf8(message.mimetype));
        m_body->setBytes(message.body, u"the saved message \"%1\""_s.arg(message.name));
        m_envelope->requestFrames()->model()->setBytes({});
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
    ViewHelpers::commitOpenEditor(m_envelope->requestFrames()->view());
    ViewHelpers::commitOpenEditor(m_rawFrames->view());
    auto composed = composition();
    if (!composed) {
        showError(u"Not sent: %1"_s.arg(composed.errorMessage()));
        return;
    }
    showError(QString());

    // Variables are expanded anew for every message, as the Library does.
    m_sendController->start(socket, m_repeatSpin->value(), m_intervalSpin->value(),
        [this, batch = std::move(*composed)] { return expandedFrames(batch, m_nextSeq++); });
    updateState();
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
        m_envelope->setId(request.id());
        m_envelope->requestFrames()->model()->setBytes(request.requestFrames());
        rememberRouting(socket, message.seq, Mode::Envelope);
        const qsizetype routing = request.requestFrames().size();
        showStatus(
            u"Reply to #%1 on %2: id %3, %4 request frame(s); type the body and send"_s.arg(message.seq)
                .arg(where, shortBytes(request.id()))
                .arg(routing));
        m_body->textEdit()->setFocus(Qt::OtherFocusReason);
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
            m_envelope->setDelimiterFirst(delimited);
        m_envelope->setId(envelope->id());
        m_envelope->setMimetype(QString::fromUtf8(envelope->mimetype()));
        m_body->setBytes(envelope->data(), u"message #%1"_s.arg(message.seq));
        m_envelope->requestFrames()->model()->setBytes(envelope->requestFrames());
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
    m_replyRouting->remember(socket, seq, where == Mode::Raw);
}

void ComposerWidget::forgetRouting()
{
    m_replyRouting->forget();
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
    const qsizetype count = m_replyRouting->switchTo(socket);
    if (count == 0)
        return;
    m_undoRoutingButton->show();
    showStatus(u"Removed the %1 routing frame(s) of #%2: they route only on %3."_s.arg(count)
                   .arg(m_replyRouting->seq())
                   .arg(socketLabel(m_replyRouting->socket())));
}

void ComposerWidget::undoClearRouting()
{
    if (!m_replyRouting->putBack())
        return;
    m_undoRoutingButton->hide();
    showStatus(u"Put back the routing frames of #%1; they route only on %2"_s.arg(m_replyRouting->seq())
                   .arg(socketLabel(m_replyRouting->socket())));
    updateState();
}

bool ComposerWidget::hasReadOnlyBody() const
{
    return m_body->isReadOnly();
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
    const zmqscope::Result<QByteArray> read = zmqscope::readAllBounded(file, MaxBodyFileBytes, name);
    if (!read) {
        showError(u"Body not loaded: %1"_s.arg(read.errorMessage()));
        return false;
    }
    const QByteArray &bytes = *read;
    showError(QString());
    setMode(Mode::Envelope);
    m_body->setBytes(bytes, name);
    if (!m_body->isReadOnly()) {
        // Small enough to edit: it is in the editor now, and edited like typed text.
        m_body->textEdit()->setFocus(Qt::OtherFocusReason);
    }
    showStatus(u"The body is %1 from %2"_s.arg(BodyEditor::sizeText(bytes.size()), name));
    return true;
}

void ComposerWidget::formatBody()
{
    m_body->formatJson();
}

void ComposerWidget::updateJsonStatus()
{
    // Checked as it will be sent: with the variables expanded as for the next message.
    std::function<QByteArray(const QByteArray &)> expand;
    if (m_expandCheck->isChecked())
        expand = [seq = m_nextSeq](
                     const QByteArray &text) { return zmqscope::TemplateExpander(seq).expandText(text); };
    m_body->checkJson(JsonText::isJsonMimetype(m_envelope->mimetype()), expand);
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
    m_envelope->updateHints(info ? std::optional(info->spec.type) : std::nullopt);
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
    return m_body->jsonStatusText();
}
