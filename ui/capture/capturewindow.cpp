#include "capturewindow.h"

#include <algorithm>

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QIcon>
#include <QItemSelectionModel>
#include <QJsonValue>
#include <QKeySequence>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTimeZone>
#include <QToolBar>
#include <QVBoxLayout>

#include "connectionspanel.h"
#include "detail/messagedetailview.h"
#include "exportdialog.h"
#include "filterbar.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "replaydialog.h"
#include "statistics/statisticsview.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

constexpr int RefreshIntervalMs = 40;
constexpr int ListedIssues = 6;

QIcon themedIcon(const QString &themeName, const QString &fallback)
{
    return QIcon::fromTheme(themeName, QIcon(u":/icons/actions/"_s + fallback + u".svg"_s));
}

} // namespace

CaptureWindow::CaptureWindow(const QString &path, Engine *engine, QWidget *parent)
    : QMainWindow(parent, Qt::Window)
    , m_path(path)
    , m_engine(engine)
{
    setObjectName(u"CaptureWindow"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    const QFileInfo info(path);
    setWindowTitle(u"%1 \u2014 ZmqScope capture"_s.arg(info.fileName()));
    setWindowFilePath(info.absoluteFilePath());

    m_messages = new MessagesPane(m_store, this);
    m_messages->setObjectName(u"captureMessages"_s);
    // A capture does not grow once read: start at the first message, and allow several rows for Export.
    m_messages->setFollowing(false);
    m_messages->table()->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_detail = new MessageDetailView(this);
    m_detail->setObjectName(u"captureDetail"_s);

    m_banner = new QLabel(this);
    m_banner->setObjectName(u"issuesBanner"_s);
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setMargin(6);
    m_banner->setStyleSheet(
        u"QLabel { background: #fff4ce; color: #4a3b00; border: 1px solid #e0c060; border-radius: 3px; }"_s);
    m_banner->hide();

    // A packet capture's message: which connection and way, and for CURVE that its payload is encrypted.
    m_wireNote = new QLabel(this);
    m_wireNote->setObjectName(u"wireNote"_s);
    m_wireNote->setTextFormat(Qt::PlainText);
    m_wireNote->setWordWrap(true);
    m_wireNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_wireNote->setMargin(4);
    m_wireNote->hide();
    auto *detailBox = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detailBox);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->setSpacing(2);
    detailLayout->addWidget(m_wireNote);
    detailLayout->addWidget(m_detail, 1);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(m_messages);
    m_splitter->addWidget(detailBox);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->setSpacing(4);
    layout->addWidget(m_banner);
    layout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(u"captureStatus"_s);
    m_statusLabel->setTextFormat(Qt::PlainText);
    m_loadProgress = new QProgressBar(this);
    m_loadProgress->setObjectName(u"loadProgress"_s);
    m_loadProgress->setMaximumWidth(260);
    m_loadProgress->setRange(0, 1000);
    m_loadProgress->setTextVisible(true);
    m_cancelButton = new QPushButton(u"Cancel"_s, this);
    m_cancelButton->setObjectName(u"cancelLoadButton"_s);
    m_cancelButton->setToolTip(u"Stop reading; what was read so far stays"_s);
    connect(m_cancelButton, &QPushButton::clicked, this, &CaptureWindow::cancelLoading);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_loadProgress);
    statusBar()->addPermanentWidget(m_cancelButton);

    // Statistics over the file's messages: hidden until View > Statistics, counting only while shown.
    m_statisticsView = new StatisticsView(m_store, this);
    m_statisticsDock = new QDockWidget(u"Statistics"_s, this);
    m_statisticsDock->setObjectName(u"captureStatisticsDock"_s);
    m_statisticsDock->setWidget(m_statisticsView);
    addDockWidget(Qt::BottomDockWidgetArea, m_statisticsDock);
    m_statisticsDock->hide();

    createActions();

    connect(
        m_messages, &MessagesPane::currentMessageChanged, this, &CaptureWindow::handleCurrentMessageChanged);
    connect(m_messages->table()->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &CaptureWindow::updateActions);
    connect(m_detail, &MessageDetailView::copyFinished, this,
        [this](const QString &text) { statusBar()->showMessage(text, 5000); });

    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &CaptureWindow::refreshViews);
    // Filter matches become rows only on a view tick: a new filter restarts the ticks, which stop again
    // once the rows hold every match (a loaded capture does not grow, so nothing else needs them).
    connect(m_messages->filterBar(), &FilterBar::filterChanged, this, [this] {
        if (!m_refreshTimer.isActive())
            m_refreshTimer.start();
    });

    // The Detail pane gets what its widest tab needs (the hex view's three columns, measured in the font it
    // uses), so nothing in it is cut off or needs sideways scrolling; the table takes the rest, and with a
    // large font the window grows for it.
    const int detailWidth = std::max(540, m_detail->sizeHint().width());
    resize(std::max(1400, detailWidth + 700), 860);
    m_splitter->setSizes({ width() - detailWidth, detailWidth });
    m_messages->setFocus();
    updateStatus();
    updateActions();
}

CaptureWindow::~CaptureWindow()
{
    // The loader's worker appends to m_store: join it before the store goes.
    m_loader.reset();
    // The Statistics' worker reads the store too; deleting the view waits for it.
    delete m_statisticsDock;
    m_statisticsDock = nullptr;
    m_statisticsView = nullptr;
    // So does the table's background filter scan read it: the pane, whose model waits for its scan,
    // goes now too, not later among the children QWidget deletes after the members (the store) died.
    delete m_messages;
    m_messages = nullptr;
}

void CaptureWindow::createActions()
{
    m_exportAction
        = new QAction(themedIcon(u"document-save-as"_s, u"save"_s), u"&Export Messages\u2026"_s, this);
    m_exportAction->setObjectName(u"exportAction"_s);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    m_exportAction->setToolTip(
        u"Write the selected messages, or all the filter shows, as a capture (JSON Lines) or CSV"_s);
    connect(m_exportAction, &QAction::triggered, this, &CaptureWindow::showExportDialog);

    m_replayAction
        = new QAction(themedIcon(u"media-playback-start"_s, u"send"_s), u"&Replay Capture\u2026"_s, this);
    m_replayAction->setObjectName(u"replayAction"_s);
    m_replayAction->setToolTip(u"Send the messages of this capture into an open socket of the main window"_s);
    connect(m_replayAction, &QAction::triggered, this, [this] { showReplayDialog(false); });

    m_replaySelectionAction = new QAction(u"Replay &Selected Messages\u2026"_s, this);
    m_replaySelectionAction->setObjectName(u"replaySelectionAction"_s);
    connect(m_replaySelectionAction, &QAction::triggered, this, [this] { showReplayDialog(true); });

    m_closeAction = new QAction(QIcon::fromTheme(u"window-close"_s), u"&Close"_s, this);
    m_closeAction->setShortcuts({ QKeySequence::Close, QKeySequence(Qt::CTRL | Qt::Key_W) });
    connect(m_closeAction, &QAction::triggered, this, &QWidget::close);

    auto *find = new QAction(themedIcon(u"edit-find"_s, u"find"_s), u"&Find\u2026"_s, this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, this, [this] { m_messages->filterBar()->focusText(); });

    QMenu *file = menuBar()->addMenu(u"&File"_s);
    file->addAction(m_exportAction);
    file->addSeparator();
    file->addAction(m_closeAction);
    QMenu *capture = menuBar()->addMenu(u"&Capture"_s);
    capture->addAction(m_replayAction);
    capture->addAction(m_replaySelectionAction);
    QMenu *message = menuBar()->addMenu(u"&Message"_s);
    message->addAction(find);
    QMenu *view = menuBar()->addMenu(u"&View"_s);
    view->addAction(m_statisticsDock->toggleViewAction());

    QToolBar *toolBar = addToolBar(u"Capture"_s);
    toolBar->setObjectName(u"captureToolBar"_s);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->setIconSize(QSize(20, 20));
    toolBar->setMovable(false);
    toolBar->addAction(m_exportAction);
    toolBar->addAction(m_replayAction);
    toolBar->addSeparator();
    toolBar->addAction(find);

    QTableView *table = m_messages->table();
    table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *separator = new QAction(table);
    separator->setSeparator(true);
    table->addActions({ m_replaySelectionAction, separator, m_exportAction });
}

void CaptureWindow::startLoading()
{
    if (m_loader)
        return;
    m_loader = std::make_unique<CaptureLoader>(m_path, m_store);
    connect(m_loader.get(), &CaptureLoader::progressed, this, &CaptureWindow::handleProgress);
    connect(m_loader.get(), &CaptureLoader::finished, this, &CaptureWindow::handleFinished);
    m_refreshTimer.start();
    m_loader->start();
    updateStatus();
    updateActions();
}

void CaptureWindow::cancelLoading()
{
    if (m_loader && !m_finished)
        m_loader->cancel();
}

bool CaptureWindow::isLoading() const
{
    return m_loader && !m_finished;
}

void CaptureWindow::handleProgress(qint64 bytesRead, qint64 totalBytes, quint64 messages)
{
    m_loadedMessages = messages;
    // A capture read from a pipe has no size: a busy bar then.
    if (totalBytes <= 0) {
        m_loadProgress->setRange(0, 0);
        return;
    }
    m_loadProgress->setRange(0, 1000);
    m_loadProgress->setValue(int(qBound(qint64(0), bytesRead * 1000 / totalBytes, qint64(1000))));
    m_loadProgress->setFormat(u"%1 %"_s.arg(bytesRead * 100 / totalBytes));
}

void CaptureWindow::handleFinished(const CaptureLoadResult &result)
{
    m_result = result;
    m_finished = true;
    m_loadProgress->hide();
    m_cancelButton->hide();
    if (!result.outcome) {
        Q_EMIT loadFailed(m_path, result.outcome.errorMessage());
        close();
        return;
    }
    m_sockets = result.sockets;
    m_loadedMessages = result.messages;
    updateSockets();
    // The last tick: it stops the timer unless a filter still has matches to show.
    refreshViews();

    QStringList lines;
    const QLocale locale;
    if (result.packetCapture) {
        setWindowTitle(u"%1 \u2014 ZmqScope packet capture"_s.arg(QFileInfo(m_path).fileName()));
        showConnections();
        // A packet capture's one issue is the damage that ended its reading early.
        for (const CaptureIssue &issue : result.issues)
            lines.append(
                u"The capture ends early: %1. Everything before that point is shown."_s.arg(issue.message));
        if (result.connections.isEmpty())
            lines.append(u"No ZeroMQ connection in this capture: %1 packets, %2 TCP connections that do not "
                         u"speak ZMTP 3.x "
                         u"(ZeroMQ over inproc:// or ipc:// never reaches the network)."_s.arg(
                             locale.toString(qulonglong(result.packetStats.packets)),
                             locale.toString(qulonglong(result.packetStats.otherConnections))));
    } else if (!result.issues.isEmpty()) {
        lines.append(result.issues.size() == 1
                ? u"1 line of this capture could not be read and was skipped:"_s
                : u"%1 lines of this capture could not be read and were skipped:"_s.arg(
                    locale.toString(result.issues.size())));
        for (qsizetype i = 0; i < result.issues.size() && i < ListedIssues; ++i)
            lines.append(u"  \u2022 "_s + result.issues.at(i).message);
        if (result.issues.size() > ListedIssues)
            lines.append(u"  \u2026 and %1 more"_s.arg(locale.toString(result.issues.size() - ListedIssues)));
    }
    if (result.cancelled)
        lines.append(u"Loading was cancelled: the table shows the first %1 messages only."_s.arg(
            locale.toString(qulonglong(result.messages))));
    const MessageStore::Stats stats = m_store.stats();
    if (stats.evicted > 0)
        lines.append(
            u"The capture is larger than the memory limit: the oldest %1 messages are not shown."_s.arg(
                locale.toString(qulonglong(stats.evicted))));
    m_banner->setText(lines.join(u'\n'));
    m_banner->setVisible(!lines.isEmpty());

    // Start at the top, like a file viewer, with the first message in the Detail pane.
    if (m_messages->model()->totalRows() > 0 && !m_messages->currentSeq())
        m_messages->selectSeq(m_messages->model()->seqAtLogical(0));
    m_messages->table()->scrollToTop();
    updateStatus();
    updateActions();
    // The encrypted sizes are known now: a message shown while loading gets its note.
    handleCurrentMessageChanged();
    Q_EMIT loadFinished(result);
}

void CaptureWindow::refreshViews()
{
    if (m_loader && !m_finished) {
        const QList<CaptureSocket> sockets = m_loader->sockets();
        if (sockets.size() != m_sockets.size()) {
            m_sockets = sockets;
            updateSockets();
        }
    }
    m_messages->refresh();
    updateStatus();
    if (m_finished && m_messages->model()->isCaughtUp())
        m_refreshTimer.stop();
}

void CaptureWindow::updateSockets()
{
    QList<SocketInfo> infos;
    QHash<SocketId, QString> names;
    for (const CaptureSocket &socket : std::as_const(m_sockets)) {
        SocketInfo info;
        info.id = socket.id;
        info.spec.name = socket.name;
        if (const auto type = findSocketType(socket.type))
            info.spec.type = *type;
        info.boundEndpoints = socket.endpoint.split(u',', Qt::SkipEmptyParts);
        info.state = SocketState::Closed;
        infos.append(info);
        names.insert(socket.id, socket.name);
    }
    m_messages->setSockets(infos);
    m_statisticsView->setSocketNames(names);
}

const CaptureSocket *CaptureWindow::socket(SocketId id) const
{
    for (const CaptureSocket &socket : m_sockets) {
        if (socket.id == id)
            return &socket;
    }
    return nullptr;
}

QString CaptureWindow::socketName(SocketId id) const
{
    const CaptureSocket *found = socket(id);
    return found ? found->name : u"#%1"_s.arg(id);
}

void CaptureWindow::showConnections()
{
    if (!m_connectionsPanel) {
        m_connectionsPanel = new ConnectionsPanel(this);
        m_connectionsDock = new QDockWidget(u"Connections"_s, this);
        m_connectionsDock->setObjectName(u"connectionsDock"_s);
        m_connectionsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
        m_connectionsDock->setWidget(m_connectionsPanel);
        addDockWidget(Qt::BottomDockWidgetArea, m_connectionsDock);
        m_connectionsDock->show(); // the window may be on screen already: a new child starts hidden
        // One filter: the panel's choice is the table's socket filter, and the filter bar's socket choice
        // selects its connection in the panel.
        connect(m_connectionsPanel, &ConnectionsPanel::socketSelected, this,
            [this](SocketId socket) { m_messages->filterBar()->setSocket(socket); });
        connect(
            m_messages->filterBar(), &FilterBar::filterChanged, this, [this](const MessageFilter &filter) {
                if (m_connectionsPanel->selectedSocket() != filter.socket())
                    m_connectionsPanel->selectSocket(filter.socket());
            });
    }
    m_connectionsPanel->setCapture(m_result);
    m_messages->model()->setEncryptedSizes(m_result.encryptedSizes);
    // The wire has no tap's routing ids; the Socket column shows whole "client > server" names.
    QTableView *table = m_messages->table();
    table->setColumnHidden(MessageTableModel::PeerColumn, true);
    int socketWidth = table->columnWidth(MessageTableModel::SocketColumn);
    for (const WireConnection &connection : std::as_const(m_result.connections))
        socketWidth = std::max(socketWidth, table->fontMetrics().horizontalAdvance(connection.name) + 16);
    table->setColumnWidth(MessageTableModel::SocketColumn, socketWidth);
    // The table keeps most of the height; the panel shows its connections and a few events.
    resizeDocks({ m_connectionsDock }, { height() * 2 / 5 }, Qt::Vertical);
}

QString CaptureWindow::packetCaptureSummary() const
{
    const QLocale locale;
    const auto count = [&locale](std::uint64_t n, const QString &one, const QString &many) {
        return (n == 1 ? one : many).arg(locale.toString(qulonglong(n)));
    };
    QStringList parts { count(std::uint64_t(m_result.connections.size()), u"%1 ZeroMQ connection"_s,
                            u"%1 ZeroMQ connections"_s),
        count(m_result.messages, u"%1 message"_s, u"%1 messages"_s) };
    if (m_result.packetStats.gaps > 0)
        parts.append(count(m_result.packetStats.gaps, u"%1 gap"_s, u"%1 gaps"_s));
    if (!m_result.encryptedSizes.isEmpty())
        parts.append(
            count(std::uint64_t(m_result.encryptedSizes.size()), u"%1 encrypted"_s, u"%1 encrypted"_s));
    return parts.join(u", "_s);
}

void CaptureWindow::updateWireNote(const StoredMessage &message, std::uint64_t seq)
{
    const CaptureSocket *connection = socket(message.socket);
    if (!m_result.packetCapture || !connection || connection->client.isEmpty()) {
        m_wireNote->hide();
        return;
    }
    const CaptureSource source = connection->source();
    QString text = u"%1 %2 \u2192 %3"_s.arg(QString::fromLatin1(directionName(message.direction)),
        source.sourceFor(message.direction), source.destinationFor(message.direction));
    if (!connection->security.isEmpty())
        text += u" \u00b7 %1 security"_s.arg(connection->security);
    const auto encrypted = m_result.encryptedSizes.constFind(seq);
    if (encrypted != m_result.encryptedSizes.cend())
        text += u"\nencrypted: %1 bytes of CURVE payload (the frames cannot be read from the wire)"_s.arg(
            QLocale().toString(qulonglong(*encrypted)));
    m_wireNote->setText(text);
    m_wireNote->show();
}

std::vector<std::uint64_t> CaptureWindow::replayable(const std::vector<std::uint64_t> &seqs) const
{
    std::vector<std::uint64_t> kept;
    kept.reserve(seqs.size());
    for (const std::uint64_t seq : seqs)
        if (!m_result.encryptedSizes.contains(seq))
            kept.push_back(seq);
    return kept;
}

void CaptureWindow::updateStatus()
{
    const QLocale locale;
    QStringList parts;
    if (isLoading()) {
        parts.append(u"Loading %1\u2026 %2 messages"_s.arg(
            QDir::toNativeSeparators(m_path), locale.toString(qulonglong(m_loadedMessages))));
    } else if (m_finished && m_result.packetCapture) {
        parts.append(u"%1 \u2014 %2"_s.arg(QFileInfo(m_path).fileName(), packetCaptureSummary()));
    } else if (m_finished) {
        parts.append(QFileInfo(m_path).fileName());
        parts.append(
            (m_sockets.size() == 1 ? u"%1 messages from %2 socket"_s : u"%1 messages from %2 sockets"_s)
                .arg(locale.toString(qulonglong(m_result.messages)), locale.toString(m_sockets.size())));
        const QString created = m_result.header.value(u"created"_s).toString();
        if (const auto createdUs = parseCaptureTimestamp(created)) {
            const QDateTime time = QDateTime::fromMSecsSinceEpoch(*createdUs / 1000, QTimeZone::utc());
            parts.append(u"recorded %1 UTC"_s.arg(time.toString(u"yyyy-MM-dd HH:mm:ss"_s)));
        }
        const QString writer = m_result.header.value(u"writer"_s).toString();
        if (!writer.isEmpty())
            parts.append(u"by %1"_s.arg(writer));
    }
    const MessageTableModel *model = m_messages->model();
    if (!model->filter().isEmpty())
        parts.append(u"%1 shown"_s.arg(locale.toString(model->totalRows())));
    m_statusLabel->setText(parts.join(u"  \u00b7  "_s));
}

void CaptureWindow::updateActions()
{
    const bool loaded = m_finished;
    const bool selection = !m_messages->selectedSeqs().empty();
    m_exportAction->setEnabled(loaded && m_store.size() > 0);
    m_replayAction->setEnabled(loaded && m_engine);
    m_replaySelectionAction->setEnabled(loaded && m_engine && selection);
}

void CaptureWindow::handleCurrentMessageChanged()
{
    updateActions();
    const auto seq = m_messages->currentSeq();
    if (!seq)
        return;
    StoredMessage message;
    if (m_store.message(*seq, message)) {
        updateWireNote(message, *seq);
        m_detail->setMessage(message, socketName(message.socket));
    }
}

ExportDialog *CaptureWindow::showExportDialog()
{
    QHash<SocketId, ExportSocket> sockets;
    for (const CaptureSocket &socket : std::as_const(m_sockets))
        sockets.insert(socket.id, socket.source());
    auto *dialog = new ExportDialog(m_store, m_messages, sockets, QFileInfo(m_path).absolutePath(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setHeaderExtra({ { u"exported_from"_s, QFileInfo(m_path).fileName() } });
    dialog->setEncryptedSizes(m_result.encryptedSizes);
    connect(dialog, &ExportDialog::exportFinished, this, [this](const ExportResult &result) {
        if (result.outcome && !result.cancelled)
            statusBar()->showMessage(
                u"Exported %1 messages"_s.arg(QLocale().toString(qulonglong(result.written))), 8000);
    });
    dialog->open();
    return dialog;
}

ReplayDialog *CaptureWindow::showReplayDialog(bool selectionOnly)
{
    if (!m_engine)
        return nullptr;
    auto *dialog = new ReplayDialog(*m_engine, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QString fileName = QFileInfo(m_path).fileName();
    if (selectionOnly) {
        dialog->setSelection(
            m_store, replayable(m_messages->selectedSeqs()), u"selected messages of %1"_s.arg(fileName));
    } else if (m_result.packetCapture) {
        // libpcap's file is not one the replayer reads: the table's messages (its filter chooses the
        // connection and the way, c2s or s2c) are replayed from the store.
        const MessageTableModel *model = m_messages->model();
        std::vector<std::uint64_t> shown;
        shown.reserve(std::size_t(model->totalRows()));
        for (int row = 0; row < model->totalRows(); ++row)
            shown.push_back(model->seqAtLogical(row));
        dialog->setSelection(m_store, replayable(shown),
            (model->filter().isEmpty() ? u"messages of %1"_s : u"messages of %1 the filter shows"_s)
                .arg(fileName));
    } else {
        QStringList names;
        bool tapLines = false;
        for (const CaptureSocket &socket : std::as_const(m_sockets)) {
            if (!names.contains(socket.name))
                names.append(socket.name);
            tapLines = tapLines || !socket.clientType.isEmpty() || !socket.serverType.isEmpty();
        }
        dialog->setFile(m_path, names, tapLines);
    }
    dialog->show();
    return dialog;
}

} // namespace zmqscope
