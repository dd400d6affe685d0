#include "replaydialog.h"

#include <climits>

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include "compose/inlinemessage.h"
#include "directionicons.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

ReplayDialog::ReplayDialog(Engine &engine, QWidget *parent)
    : QDialog(parent)
    , m_engine(engine)
{
    setObjectName(u"ReplayDialog"_s);
    setWindowTitle(u"Replay Messages"_s);

    m_sourceLabel = new QLabel(this);
    m_sourceLabel->setObjectName(u"sourceLabel"_s);
    m_sourceLabel->setTextFormat(Qt::PlainText);
    m_sourceLabel->setWordWrap(true);

    m_targetCombo = new QComboBox(this);
    m_targetCombo->setObjectName(u"targetCombo"_s);
    m_targetCombo->setPlaceholderText(u"No open socket that can send"_s);
    m_targetCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_targetCombo->setMinimumContentsLength(24);
    connect(m_targetCombo, &QComboBox::currentIndexChanged, this, &ReplayDialog::updateState);

    m_pacingGroup = new QButtonGroup(this);
    m_originalRadio = new QRadioButton(u"&Original timing"_s, this);
    m_originalRadio->setObjectName(u"originalRadio"_s);
    m_speedRadio = new QRadioButton(u"&Faster or slower:"_s, this);
    m_speedRadio->setObjectName(u"speedRadio"_s);
    m_maxRadio = new QRadioButton(u"Full &speed (as fast as the socket takes them)"_s, this);
    m_maxRadio->setObjectName(u"maxRadio"_s);
    m_stepRadio = new QRadioButton(u"One at a &time (Next sends one)"_s, this);
    m_stepRadio->setObjectName(u"stepRadio"_s);
    m_pacingGroup->addButton(m_originalRadio, int(ReplayPacing::OriginalTiming));
    m_pacingGroup->addButton(m_speedRadio, int(ReplayPacing::Speed));
    m_pacingGroup->addButton(m_maxRadio, int(ReplayPacing::MaxSpeed));
    m_pacingGroup->addButton(m_stepRadio, int(ReplayPacing::Step));
    m_originalRadio->setChecked(true);
    m_speedSpin = new QDoubleSpinBox(this);
    m_speedSpin->setObjectName(u"speedSpin"_s);
    m_speedSpin->setRange(0.01, 1000.0);
    m_speedSpin->setDecimals(2);
    m_speedSpin->setValue(2.0);
    m_speedSpin->setSuffix(u" \u00d7"_s);
    m_speedSpin->setToolTip(u"2 \u00d7 replays twice as fast as recorded, 0.5 \u00d7 half as fast"_s);
    connect(m_pacingGroup, &QButtonGroup::idToggled, this, &ReplayDialog::updateState);
    auto *speedRow = new QHBoxLayout;
    speedRow->addWidget(m_speedRadio);
    speedRow->addWidget(m_speedSpin);
    speedRow->addStretch(1);
    auto *pacingBox = new QVBoxLayout;
    pacingBox->addWidget(m_originalRadio);
    pacingBox->addLayout(speedRow);
    pacingBox->addWidget(m_maxRadio);
    pacingBox->addWidget(m_stepRadio);

    m_filterBox = new QWidget(this);
    m_socketFilterCombo = new QComboBox(m_filterBox);
    m_socketFilterCombo->setObjectName(u"socketFilterCombo"_s);
    m_socketFilterCombo->setEditable(true);
    m_socketFilterCombo->setInsertPolicy(QComboBox::NoInsert);
    m_socketFilterCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_socketFilterCombo->setMinimumContentsLength(16);
    m_socketFilterCombo->lineEdit()->setPlaceholderText(u"every socket"_s);
    m_directionCombo = new QComboBox(m_filterBox);
    m_directionCombo->setObjectName(u"directionCombo"_s);
    m_directionCombo->addItem(u"Both directions"_s, -1);
    m_directionCombo->addItem(
        directionicons::icon(Direction::In), u"Received only (in)"_s, int(Direction::In));
    m_directionCombo->addItem(
        directionicons::icon(Direction::Out), u"Sent only (out)"_s, int(Direction::Out));
    connect(m_directionCombo, &QComboBox::currentIndexChanged, this, &ReplayDialog::updateDirectionNote);
    m_directionNote = new QLabel(this);
    m_directionNote->setObjectName(u"directionNote"_s);
    m_directionNote->setTextFormat(Qt::PlainText);
    m_directionNote->setWordWrap(true);
    m_directionNote->hide();
    auto *filterRow = new QHBoxLayout(m_filterBox);
    filterRow->setContentsMargins(0, 0, 0, 0);
    filterRow->addWidget(new QLabel(u"Socket:"_s, m_filterBox));
    filterRow->addWidget(m_socketFilterCombo, 1);
    filterRow->addWidget(m_directionCombo);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"progress"_s);
    m_progress->setFormat(u"%v / %m"_s);
    m_progress->setValue(0);
    // Shown once a replay starts: before that there is nothing to measure.
    m_progress->hide();
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(u"replayStatus"_s);
    m_statusLabel->setTextFormat(Qt::PlainText);
    m_statusLabel->setWordWrap(true);
    m_errorLabel = InlineMessage::createErrorLabel(this);
    m_errorLabel->setObjectName(u"replayError"_s);

    auto *buttons = new QDialogButtonBox(this);
    m_startButton = buttons->addButton(u"&Start"_s, QDialogButtonBox::ActionRole);
    m_startButton->setObjectName(u"startButton"_s);
    m_startButton->setDefault(true);
    m_nextButton = buttons->addButton(u"&Next"_s, QDialogButtonBox::ActionRole);
    m_nextButton->setObjectName(u"nextButton"_s);
    m_nextButton->setToolTip(u"Send the next message (one at a time)"_s);
    m_stopButton = buttons->addButton(u"S&top"_s, QDialogButtonBox::ActionRole);
    m_stopButton->setObjectName(u"stopButton"_s);
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    connect(m_startButton, &QPushButton::clicked, this, &ReplayDialog::startReplay);
    connect(m_nextButton, &QPushButton::clicked, this, &ReplayDialog::step);
    connect(m_stopButton, &QPushButton::clicked, this, &ReplayDialog::stopReplay);
    connect(m_closeButton, &QPushButton::clicked, this, &ReplayDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(u"Replay:"_s, m_sourceLabel);
    form->addRow(u"&Into socket:"_s, m_targetCombo);
    form->addRow(u"Pacing:"_s, pacingBox);
    form->addRow(u"Only:"_s, m_filterBox);
    form->addRow(QString(), m_directionNote);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_statusLabel);
    layout->addWidget(m_errorLabel);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(&m_engine, &Engine::socketOpened, this, &ReplayDialog::refreshTargets);
    connect(&m_engine, &Engine::socketClosed, this, &ReplayDialog::refreshTargets);
    connect(&m_engine, &Engine::socketFailed, this, &ReplayDialog::refreshTargets);
    refreshTargets();
    setItems({}, u"nothing"_s);
}

ReplayDialog::~ReplayDialog()
{
    if (m_replayer)
        m_replayer->disconnect(this);
}

void ReplayDialog::setItems(std::vector<ReplayItem> items, const QString &description)
{
    m_items = std::move(items);
    m_file.clear();
    m_sourceLabel->setText(InlineMessage::breakable(description));
    m_filterBox->setVisible(false);
    m_directionNote->hide();
    m_progress->setRange(0, int(qMin<std::size_t>(m_items.size(), INT_MAX)));
    m_progress->setValue(0);
    updateState();
}

void ReplayDialog::setSelection(
    const MessageStore &store, const std::vector<std::uint64_t> &seqs, const QString &what)
{
    std::vector<ReplayItem> items;
    items.reserve(seqs.size());
    StoredMessage message;
    bool clientToServer = false;
    bool serverToClient = false;
    bool own = false;
    for (const std::uint64_t seq : seqs) {
        if (!store.message(seq, message))
            continue;
        clientToServer = clientToServer || message.direction == Direction::ClientToServer;
        serverToClient = serverToClient || message.direction == Direction::ServerToClient;
        own = own || !isConversation(message.direction);
        items.push_back({ message.timestampUs, std::move(message.frames) });
    }
    QString description = u"%1 %2"_s.arg(QLocale().toString(qulonglong(items.size())), what);
    // Say which way a tap's messages went: they are sent, frames as recorded, into the one socket chosen.
    if (clientToServer && serverToClient)
        description += u", both ways through a tap (c2s and s2c alike go into the socket chosen)"_s;
    else if ((clientToServer || serverToClient) && !own)
        description += u", all "_s
            + directionicons::description(
                clientToServer ? Direction::ClientToServer : Direction::ServerToClient);
    setItems(std::move(items), description);
}

void ReplayDialog::setFile(const QString &path, const QStringList &socketNames, bool offerTapDirections)
{
    m_items.clear();
    m_file = path;
    // A long path wraps instead of widening the dialog.
    m_sourceLabel->setText(
        InlineMessage::breakable(u"the capture file %1"_s.arg(QDir::toNativeSeparators(path))));
    m_socketFilterCombo->clear();
    m_socketFilterCombo->addItem(QString());
    m_socketFilterCombo->addItems(socketNames);
    // A tap's lines go c2s or s2c: replaying one direction sends the clients' side into a server or the
    // server's side into a client.
    const int c2s = m_directionCombo->findData(int(Direction::ClientToServer));
    if (offerTapDirections && c2s < 0) {
        m_directionCombo->addItem(directionicons::icon(Direction::ClientToServer),
            u"Client to server only (c2s)"_s, int(Direction::ClientToServer));
        m_directionCombo->addItem(directionicons::icon(Direction::ServerToClient),
            u"Server to client only (s2c)"_s, int(Direction::ServerToClient));
    } else if (!offerTapDirections && c2s >= 0) {
        m_directionCombo->removeItem(c2s + 1);
        m_directionCombo->removeItem(c2s);
    }
    m_filterBox->setVisible(true);
    updateDirectionNote();
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    updateState();
}

bool ReplayDialog::setDirection(std::optional<Direction> direction)
{
    const int index = m_directionCombo->findData(direction ? int(*direction) : -1);
    if (index < 0)
        return false;
    m_directionCombo->setCurrentIndex(index);
    return true;
}

QString ReplayDialog::directionNote() const
{
    return m_directionNote->isHidden() ? QString() : m_directionNote->text();
}

void ReplayDialog::updateDirectionNote()
{
    // Which way a tap's recorded stream goes, and what to open for it: the frames go out as recorded.
    QString text;
    const int direction = m_directionCombo->currentData().toInt();
    if (!m_file.isEmpty() && direction == int(Direction::ClientToServer)) {
        text = u"Sends what the tap's clients sent, frame for frame, into the socket chosen above: open one "
               u"towards the server (the tap's forward endpoint). For a REP or ROUTER server use a DEALER: "
               u"the "
               u"frames already hold a REQ client's empty delimiter. A REQ adds a delimiter of its own (the "
               u"server would see two) and sends only after each reply; PUSH, PUB or PAIR for the other "
               u"patterns."_s;
    } else if (!m_file.isEmpty() && direction == int(Direction::ServerToClient)) {
        text = u"Sends what the server answered, frame for frame, into the socket chosen above: open one "
               u"where a client connects (the tap's listen endpoint), e.g. a DEALER for a DEALER client or "
               u"PULL, SUB or PAIR. The recorded peers are not used: a ROUTER or REP would need its own "
               u"clients' requests first."_s;
    }
    m_directionNote->setText(text);
    m_directionNote->setVisible(!text.isEmpty());
}

void ReplayDialog::refreshTargets()
{
    const SocketId current = targetSocket();
    const QSignalBlocker blocker(m_targetCombo);
    m_targetCombo->clear();
    for (const SocketInfo &info : m_engine.sockets()) {
        if (!socketTypeCanSend(info.spec.type) || info.state == SocketState::Closed
            || info.state == SocketState::Failed)
            continue;
        m_targetCombo->addItem(
            u"%1 (%2)"_s.arg(info.spec.name, socketTypeName(info.spec.type)), uint(info.id));
    }
    const int index = m_targetCombo->findData(uint(current));
    m_targetCombo->setCurrentIndex(index >= 0 ? index : (m_targetCombo->count() > 0 ? 0 : -1));
    updateState();
}

bool ReplayDialog::setTargetSocket(SocketId socket)
{
    refreshTargets();
    const int index = m_targetCombo->findData(uint(socket));
    if (index < 0)
        return false;
    m_targetCombo->setCurrentIndex(index);
    return true;
}

SocketId ReplayDialog::targetSocket() const
{
    return m_targetCombo->currentIndex() < 0 ? 0 : SocketId(m_targetCombo->currentData().toUInt());
}

void ReplayDialog::setPacing(ReplayPacing pacing, double speed)
{
    m_pacingGroup->button(int(pacing))->setChecked(true);
    m_speedSpin->setValue(speed);
}

ReplayOptions ReplayDialog::options() const
{
    ReplayOptions options;
    options.pacing = ReplayPacing(m_pacingGroup->checkedId());
    options.speed = m_speedSpin->value();
    if (!m_file.isEmpty()) {
        options.socketFilter = m_socketFilterCombo->currentText().trimmed();
        const int direction = m_directionCombo->currentData().toInt();
        if (direction >= 0)
            options.direction = Direction(direction);
    }
    return options;
}

bool ReplayDialog::isRunning() const
{
    return m_replayer && m_replayer->isRunning();
}

quint64 ReplayDialog::sent() const
{
    return m_replayer ? m_replayer->sent() : 0;
}

QString ReplayDialog::statusText() const
{
    return m_statusLabel->text();
}

QString ReplayDialog::errorText() const
{
    return InlineMessage::text(m_errorLabel);
}

void ReplayDialog::startReplay()
{
    if (isRunning())
        return;
    InlineMessage::show(m_errorLabel, QString());
    const SocketId target = targetSocket();
    if (target == 0) {
        InlineMessage::show(m_errorLabel,
            u"Choose the socket to send into; open one that can send (not SUB or PULL) with New Socket"_s);
        return;
    }
    if (m_file.isEmpty() && m_items.empty()) {
        InlineMessage::show(m_errorLabel, u"Nothing to replay: select messages first"_s);
        return;
    }
    if (m_replayer)
        m_replayer->deleteLater();
    m_replayer = new Replayer(m_engine, target, this);
    connect(m_replayer, &Replayer::progressed, this, &ReplayDialog::handleProgress);
    connect(m_replayer, &Replayer::finished, this, &ReplayDialog::handleFinished);
    const ReplayOptions replayOptions = options();
    m_progress->show();
    m_statusLabel->setText(replayOptions.pacing == ReplayPacing::Step
            ? u"Ready: Next sends one message"_s
            : u"Replaying into %1\u2026"_s.arg(m_targetCombo->currentText()));
    if (m_file.isEmpty()) {
        m_progress->setRange(0, int(qMin<std::size_t>(m_items.size(), INT_MAX)));
        m_progress->setValue(0);
        // The dialog keeps its copy, so Start can replay the same selection again.
        m_replayer->start(m_items, replayOptions);
    } else {
        m_progress->setRange(0, 0);
        m_replayer->startFile(m_file, replayOptions);
    }
    updateState();
}

void ReplayDialog::step()
{
    if (m_replayer && m_replayer->isRunning())
        m_replayer->step();
}

void ReplayDialog::stopReplay()
{
    if (m_replayer && m_replayer->isRunning()) {
        m_statusLabel->setText(u"Stopping\u2026"_s);
        m_replayer->stop();
    }
}

void ReplayDialog::reject()
{
    stopReplay();
    QDialog::reject();
}

void ReplayDialog::handleProgress(quint64 sent, quint64 total)
{
    const QLocale locale;
    if (total > 0) {
        m_progress->setRange(0, int(qMin<quint64>(total, INT_MAX)));
        m_progress->setValue(int(qMin<quint64>(sent, INT_MAX)));
        m_statusLabel->setText(u"Sent %1 of %2"_s.arg(locale.toString(sent), locale.toString(total)));
    } else {
        m_statusLabel->setText(u"Sent %1"_s.arg(locale.toString(sent)));
    }
}

void ReplayDialog::handleFinished(quint64 sent, const QString &error)
{
    const QLocale locale;
    if (!error.isEmpty()) {
        InlineMessage::show(
            m_errorLabel, u"Replay stopped after %1 messages: %2"_s.arg(locale.toString(sent), error));
        m_statusLabel->setText(u"Sent %1"_s.arg(locale.toString(sent)));
    } else {
        const quint64 total = m_replayer ? m_replayer->total() : sent;
        m_progress->setRange(0, int(qMin<quint64>(qMax(total, sent), INT_MAX)));
        m_progress->setValue(int(qMin<quint64>(sent, INT_MAX)));
        m_statusLabel->setText(sent < total
                ? u"Stopped after %1 of %2 messages"_s.arg(locale.toString(sent), locale.toString(total))
                : u"Done: sent %1 messages"_s.arg(locale.toString(sent)));
    }
    if (m_replayer) {
        const QStringList issues = m_replayer->fileIssues();
        if (!issues.isEmpty())
            m_statusLabel->setText(m_statusLabel->text()
                + u"; skipped %1 malformed lines (first: %2)"_s.arg(
                    locale.toString(issues.size()), issues.constFirst()));
    }
    updateState();
    Q_EMIT replayFinished(sent, error);
}

void ReplayDialog::updateState()
{
    const bool running = isRunning();
    const bool step = m_pacingGroup->checkedId() == int(ReplayPacing::Step);
    m_startButton->setEnabled(!running && targetSocket() != 0 && (!m_file.isEmpty() || !m_items.empty()));
    m_nextButton->setVisible(step);
    m_nextButton->setEnabled(running && step);
    m_stopButton->setEnabled(running);
    m_targetCombo->setEnabled(!running);
    for (QAbstractButton *button : m_pacingGroup->buttons())
        button->setEnabled(!running);
    m_speedSpin->setEnabled(!running && m_speedRadio->isChecked());
    m_filterBox->setEnabled(!running);
}

} // namespace zmqscope
