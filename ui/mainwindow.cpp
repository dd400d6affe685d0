// The main window: its docks and the wiring between the Engine, the views and the controllers (taps,
// sniffers, captures, workspaces, sends, analysis), which hold the behaviour. Its actions, menus and
// tool bar are set up in mainwindowmenus.cpp.

#include "mainwindow.h"

#include <functional>
#include <optional>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QHeaderView>
#include <QIcon>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>

#include <zmqscope/version.h>

#include "analysis/analysisdocks.h"
#include "capture/capturecontroller.h"
#include "compose/composerwidget.h"
#include "compose/newsocketdialog.h"
#include "confirmloss.h"
#include "decodersdialog.h"
#include "detail/messagedetailview.h"
#include "displaytext.h"
#include "docklayout.h"
#include "eventlogmodel.h"
#include "eventlogview.h"
#include "filterbar.h"
#include "library/librarypanel.h"
#include "mainactions.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "plots/plotspanel.h"
#include "preferences.h"
#include "preferencesdialog.h"
#include "sniffcontroller.h"
#include "socketlistmodel.h"
#include "socketsview.h"
#include "statistics/statisticsview.h"
#include "storestatus.h"
#include "tapcontroller.h"
#include "workspacecontroller.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

// QSettings layout (organisation "ZmqScope", application "zmqscope", set in app/gui/main.cpp):
//   MainWindow/geometry         saveGeometry()
//   MainWindow/state            saveState(LayoutVersion): docks and toolbar
//   MainWindow/messagesHeader2  the Messages table's column widths and order (2: the Peer column)
//   MainWindow/socketsHeader2   the Sockets panel's column widths and order (2: Endpoints moved last)
//   MainWindow/workspaceDir     the folder of the last workspace opened or saved
//   MainWindow/timeDisplay      the Time column: "absolute", "sinceFirst" or "sincePrevious"
//                               (mainwindowmenus.cpp)
//   Confirm/*                   (preferences.h) whether Clear Messages and Quit ask first
//   NewSocketDialog/recentEndpoints   (ui/compose) endpoints of accepted dialogs
namespace {
const auto GeometryKey = u"MainWindow/geometry"_s;
const auto StateKey = u"MainWindow/state"_s;
const auto MessagesHeaderKey = u"MainWindow/messagesHeader2"_s;
const auto SocketsHeaderKey = u"MainWindow/socketsHeader2"_s;
const auto WorkspaceDirKey = u"MainWindow/workspaceDir"_s;
} // namespace

MainWindow::MainWindow(Engine &engine, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_store(engine.store())
    , m_actions(this)
{
    setObjectName(u"MainWindow"_s);
    setWindowTitle(u"ZmqScope"_s);
    setWindowIcon(QIcon::fromTheme(u"io.github.zmqscope.ZmqScope"_s, QIcon(u":/icons/app/zmqscope.svg"_s)));
    setDockOptions(AnimatedDocks | AllowNestedDocks | AllowTabbedDocks);
    // In a flood the engine and libzmq's I/O threads would take every CPU they can get, and on a
    // small machine the window then waits its turn behind them (tens of ms per timer tick). With
    // them below this thread's priority the window runs when it needs to; messages wait in libzmq's
    // queue meanwhile, none is lost.
    m_engine.lowerThreadPriority();
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);

    m_messages = new MessagesPane(m_store, this);
    setCentralWidget(m_messages);
    // The store's limits are applied by whoever owns the store (app/gui/main.cpp, with the command line).
    m_messages->model()->setPreviewChars(Preferences::load().previewChars);

    m_socketModel = new SocketListModel(engine, this);
    m_eventModel = new EventLogModel(this);

    createDocks();
    createActions();
    m_capture = new CaptureController(m_engine, *m_messages, *m_eventModel, *this);
    connect(m_capture, &CaptureController::reported, this,
        [this](const QString &text) { statusBar()->showMessage(text, 10000); });
    createMenusAndToolBar();
    createStatusBar();
    connectEngine();
    resetLayout();

    connect(m_messages, &MessagesPane::currentMessageChanged, this, &MainWindow::handleCurrentMessageChanged);
    // Ctrl+click on a second row (or off one) changes the pair the Diff tab compares.
    connect(m_messages->table()->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::updateComparedPair);
    connect(m_messages, &MessagesPane::followingChanged, m_actions.follow, &QAction::setChecked);
    connect(m_socketModel, &SocketListModel::socketsChanged, this, &MainWindow::handleSocketsChanged);
    // Each sender hears the results of its own sends only; a failed send is in the Events too (the
    // engine logs it).
    connect(m_composer, &ComposerWidget::sendRequested, this,
        [this](SocketId socket, const Frames &frames, const SendCallback &done) {
            m_engine.send(socket, frames, m_composer, done);
        });
    connect(m_library, &LibraryPanel::sendRequested, this,
        [this](SocketId socket, const Frames &frames, const SendCallback &done) {
            m_engine.send(socket, frames, m_library, done);
        });
    connect(m_library, &LibraryPanel::templateLoaded, this, [this] {
        m_composerDock->show();
        m_composerDock->raise();
    });

    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshViews);
    m_refreshTimer.start();

    // The table is where the keyboard starts: arrows, Page Up/Down, Ctrl+F to filter.
    m_messages->setFocus();
    updateActions();
    m_storeStatus->refresh();
}

MainWindow::~MainWindow() = default;

QAction *MainWindow::action(Action which) const
{
    switch (which) {
    case Action::NewSocket:
        return m_actions.newSocket;
    case Action::NewTap:
        return m_actions.newTap;
    case Action::MonitorTap:
        return m_actions.monitorTap;
    case Action::SniffInterface:
        return m_actions.sniffInterface;
    case Action::CloseSocket:
        return m_actions.closeSocket;
    case Action::ReopenSocket:
        return m_actions.reopenSocket;
    case Action::EditSocket:
        return m_actions.editSocket;
    case Action::Send:
        return m_sendAction;
    case Action::Reply:
        return m_actions.reply;
    case Action::Find:
        return m_actions.find;
    case Action::Pause:
        return m_actions.pause;
    case Action::Follow:
        return m_actions.follow;
    case Action::Clear:
        return m_actions.clear;
    case Action::OpenWorkspace:
        return m_actions.openWorkspace;
    case Action::SaveWorkspace:
        return m_actions.saveWorkspace;
    case Action::Preferences:
        return m_actions.preferences;
    case Action::About:
        return m_actions.about;
    case Action::Quit:
        return m_actions.quit;
    }
    return nullptr;
}

void MainWindow::createDocks()
{
    const auto makeDock = [this](const QString &title, const QString &name, QWidget *widget) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        dock->setWidget(widget);
        dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable
            | QDockWidget::DockWidgetFloatable);
        return dock;
    };
    // Content bigger than a small screen allows (the Composer's height, the Library's width) scrolls in
    // its dock rather than making the window's minimum size larger than the screen.
    const auto scrollable = [this](QWidget *content) {
        auto *area = new QScrollArea(this);
        area->setObjectName(content->objectName() + u"Scroll"_s);
        area->setWidget(content);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        return area;
    };

    m_socketView = new SocketsView(*m_socketModel, this);
    connect(m_socketView, &QWidget::customContextMenuRequested, this, &MainWindow::showSocketContextMenu);
    connect(m_socketView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::handleSocketSelectionChanged);
    m_socketsDock = makeDock(u"Sockets"_s, u"socketsDock"_s, m_socketView);

    m_detail = new MessageDetailView(this);
    m_detail->setObjectName(u"detailView"_s);
    m_detail->setStore(&m_store);
    connect(m_detail, &MessageDetailView::messageSelectionRequested, this, [this](std::uint64_t seq) {
        if (!m_messages->selectSeq(seq))
            statusBar()->showMessage(
                tr("Message #%1 is not in the table: the filter hides it, or retention evicted it.").arg(seq),
                10000);
    });
    connect(m_detail, &MessageDetailView::copyFinished, this,
        [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    m_detailDock = makeDock(u"Detail"_s, u"detailDock"_s, m_detail);

    m_composer = new ComposerWidget(this);
    m_composer->setObjectName(u"composer"_s);
    m_composerDock = makeDock(u"Composer"_s, u"composerDock"_s, scrollable(m_composer));

    m_eventView = new EventLogView(*m_eventModel, this);
    m_eventsDock = makeDock(u"Events"_s, u"eventsDock"_s, m_eventView);

    m_library = new LibraryPanel(m_composer, this);
    m_library->setObjectName(u"libraryPanel"_s);
    m_libraryDock = makeDock(u"Library"_s, u"libraryDock"_s, scrollable(m_library));

    // It counts in a worker, and only while it is in view; its table and charts scroll on a small screen.
    m_statisticsView = new StatisticsView(m_store, this);
    m_statisticsDock = makeDock(u"Statistics"_s, u"statisticsDock"_s, scrollable(m_statisticsView));
    m_plots = new PlotsPanel(m_store, this);
    m_plots->setObjectName(u"plotsPanel"_s);
    m_plotsDock = makeDock(u"Plots"_s, u"plotsDock"_s, m_plots);
    m_plotsDock->hide(); // until something is plotted
    connect(m_detail, &MessageDetailView::plotRequested, this,
        [this](const JsonPath &path, const StoredMessage &message) {
            m_plots->plotField(path, message.socket,
                m_socketModel->socketNames().value(message.socket, u"#%1"_s.arg(message.socket)));
            m_plotsDock->show();
            m_plotsDock->raise();
        });

    m_taps = new TapController(m_engine, *m_socketModel, *m_socketView, m_actions, *this);
    m_analysis = new AnalysisDocks(m_engine, m_store, *m_messages, *this);
    m_sniffers
        = new SniffController(m_engine, *m_socketModel, *m_socketView, *m_actions.sniffInterface, *this);
    WorkspaceController::Hooks hooks;
    hooks.openSocket = [this](SocketSpec spec) { return openSocket(std::move(spec)); };
    hooks.decodeRules = [this] { return m_decodeRules; };
    hooks.applyDecodeRules = [this](const QList<DecodeRule> &rules) { (void)setDecodeRules(rules); };
    hooks.savedFilters = [this] { return m_messages->filterBar()->savedFilters(); };
    hooks.applySavedFilters = [this](const FilterBar::SavedFilters &filters) {
        m_messages->filterBar()->setSavedFilters(filters);
    };
    m_workspaces = new WorkspaceController(*m_socketModel, *m_eventModel, *m_taps, *m_sniffers, hooks, *this);
}

void MainWindow::createStatusBar()
{
    statusBar()->addPermanentWidget(m_capture->recordingLabel());
    m_storeStatus = new StoreStatus(m_store, *m_messages->model(), *statusBar());
}

void MainWindow::connectEngine()
{
    connect(&m_engine, &Engine::eventLogged, m_eventModel, &EventLogModel::addEvent);
    connect(&m_engine, &Engine::socketOpened, this, &MainWindow::handleSocketOpened);
    connect(&m_engine, &Engine::socketFailed, this, &MainWindow::handleSocketFailed);
}

void MainWindow::resetLayout()
{
    resetDockLayout(*this,
        { m_socketsDock, m_detailDock, m_composerDock, m_eventsDock, m_libraryDock, m_taps->monitorDock(),
            m_plotsDock, { m_statisticsDock, m_analysis->conversationsDock(), m_analysis->healthDock() },
            m_socketView, m_composer, m_toolBar });
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(GeometryKey).toByteArray())) {
        // First start: 1600x1000, or most of a smaller screen.
        const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1600, 1000);
        resize(qMin(1600, available.width() * 92 / 100), qMin(1000, available.height() * 92 / 100));
        resetLayout();
    }
    // A layout saved by another LayoutVersion is ignored: the defaults fit the docks that exist now.
    restoreState(settings.value(StateKey).toByteArray(), LayoutVersion);
    m_messages->table()->horizontalHeader()->restoreState(settings.value(MessagesHeaderKey).toByteArray());
    m_socketView->header()->restoreState(settings.value(SocketsHeaderKey).toByteArray());
    m_workspaces->setLastDirectory(settings.value(WorkspaceDirKey).toString());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(GeometryKey, saveGeometry());
    settings.setValue(StateKey, saveState(LayoutVersion));
    settings.setValue(MessagesHeaderKey, m_messages->table()->horizontalHeader()->saveState());
    settings.setValue(SocketsHeaderKey, m_socketView->header()->saveState());
    if (!m_workspaces->lastDirectory().isEmpty())
        settings.setValue(WorkspaceDirKey, m_workspaces->lastDirectory());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!confirmQuit()) {
        event->ignore();
        return;
    }
    if (m_saveSettingsOnClose)
        saveSettings();
    m_refreshTimer.stop();
    m_capture->closeCaptureWindows();
    event->accept();
}

void MainWindow::refreshViews()
{
    // Sockets first, so a message from a socket opened this tick already shows its name.
    m_socketModel->refresh();
    m_taps->refresh();
    m_sniffers->refresh(*m_messages->model());
    m_messages->refresh();
    m_eventModel->flush();
    m_storeStatus->refresh();
    m_capture->refresh();
}

void MainWindow::handlePauseToggled(bool paused)
{
    m_messages->model()->setPaused(paused);
    if (!paused)
        refreshViews();
    m_storeStatus->refresh();
}

void MainWindow::handleCurrentMessageChanged(std::optional<std::uint64_t> seq)
{
    updateActions();
    if (!seq)
        return;
    StoredMessage message;
    if (!m_store.message(*seq, message))
        return; // evicted in the meantime: the detail pane keeps what it shows
    const auto names = m_socketModel->socketNames();
    m_detail->setSocketNames(names);
    updateComparedPair();
    m_detail->setMessage(message, names.value(message.socket, u"#%1"_s.arg(message.socket)));
    // In a tab behind the Composer (small screens), the Detail comes forward to show what was picked.
    if (m_detailDock->toggleViewAction()->isChecked() && m_detailDock->visibleRegion().isEmpty()
        && !tabifiedDockWidgets(m_detailDock).isEmpty())
        m_detailDock->raise();
}

void MainWindow::updateComparedPair()
{
    // Exactly two selected messages: the Diff tab compares them, older against newer.
    const std::vector<std::uint64_t> selected = m_messages->selectedSeqs();
    std::optional<std::pair<std::uint64_t, std::uint64_t>> pair;
    if (selected.size() == 2)
        pair = std::pair { selected.front(), selected.back() };
    m_detail->setComparedPair(pair);
}

void MainWindow::handleSocketsChanged()
{
    const QList<SocketInfo> sockets = m_socketModel->sockets();
    m_messages->setSockets(sockets);
    m_composer->setSockets(sockets);
    m_eventModel->setSocketNames(m_socketModel->socketNames());
    m_plots->setSocketNames(m_socketModel->socketNames());
    m_statisticsView->setSocketNames(m_socketModel->socketNames());
    m_taps->setSockets(sockets);
    updateActions();
}

void MainWindow::handleSocketSelectionChanged()
{
    m_capture->setSelectedSockets(m_socketView->selectedSocketIds());
    m_taps->setSelectedSocket(m_socketView->selectedSocket());
    updateActions();
}

void MainWindow::updateActions()
{
    const std::optional<SocketInfo> socket = m_socketView->selectedSocket();
    const bool closed
        = socket && (socket->state == SocketState::Closed || socket->state == SocketState::Failed);
    m_actions.closeSocket->setEnabled(socket && !closed);
    m_actions.reopenSocket->setEnabled(closed);
    m_actions.editSocket->setEnabled(socket.has_value());
    m_taps->updateActions(socket);
    m_sniffers->updateActions(socket, *m_actions.reopenSocket, *m_actions.editSocket);

    bool canReply = false;
    if (const auto seq = m_messages->currentSeq()) {
        const QModelIndex current = m_messages->table()->currentIndex();
        if (current.isValid()) {
            const auto direction = Direction(current.data(MessageTableModel::DirectionRole).toInt());
            const SocketId id = SocketId(current.data(MessageTableModel::SocketRole).toUInt());
            const int row = m_socketModel->rowForSocket(id);
            canReply = direction == Direction::In && row >= 0
                && socketTypeCanSend(m_socketModel->socketAt(row).spec.type)
                && m_socketModel->socketAt(row).state != SocketState::Closed;
        }
    }
    m_actions.reply->setEnabled(canReply);
    m_actions.editResend->setEnabled(m_messages->currentSeq().has_value());
}

QString MainWindow::uniqueSocketName(SocketType type) const
{
    const QHash<SocketId, QString> names = m_socketModel->socketNames();
    QStringList taken = names.values();
    for (const SocketInfo &info : m_engine.sockets())
        taken.append(info.spec.name);
    // The one naming rule (core/engine), so the name given here is the one the engine keeps.
    return zmqscope::uniqueSocketName(
        {}, type, [&taken](const QString &name) { return taken.contains(name); });
}

SocketId MainWindow::openSocket(SocketSpec spec)
{
    if (spec.name.trimmed().isEmpty())
        spec.name = uniqueSocketName(spec.type);
    const SocketId id = m_engine.openSocket(spec);
    // Show the row at once (state "opening") rather than on the next tick.
    m_socketModel->refresh();
    return id;
}

void MainWindow::showNewSocketDialog()
{
    auto *dialog = new NewSocketDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setExistingNames(m_socketModel->namesInUse());
    connect(dialog, &QDialog::accepted, this, [this, dialog] { openSocket(dialog->spec()); });
    dialog->open();
}

void MainWindow::closeSelectedSocket()
{
    if (const auto socket = m_socketView->selectedSocket())
        m_engine.closeSocket(socket->id);
}

void MainWindow::reopenSelectedSocket()
{
    const auto socket = m_socketView->selectedSocket();
    if (!socket)
        return;
    // A sniffed connection is reopened by its sniffer only.
    if (m_taps->reopenTap(*socket) != 0 || m_sniffers->reopenSniffer(*socket) != 0 || socket->wire)
        return;
    // The old row gives way to the new socket, which gets the same name and settings.
    const SocketSpec spec = socket->spec;
    m_socketModel->removeSocket(socket->id);
    m_socketView->selectSocket(openSocket(spec));
}

void MainWindow::editSelectedSocket()
{
    const auto socket = m_socketView->selectedSocket();
    if (!socket)
        return;
    if (m_taps->editTap(*socket) || m_sniffers->editSniffer(*socket) || socket->wire)
        return;
    auto *dialog = new NewSocketDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setEditedSocket(socket->spec, m_socketModel->namesInUse(socket->id));
    connect(dialog, &QDialog::accepted, this, [this, dialog, id = socket->id] {
        // As Reopen: the old row gives way to the new socket.
        m_socketModel->removeSocket(id);
        const SocketId newId = m_engine.replaceSocket(id, dialog->spec());
        m_socketModel->refresh();
        m_socketView->selectSocket(newId);
    });
    dialog->open();
}

void MainWindow::replyToCurrentMessage()
{
    const auto seq = m_messages->currentSeq();
    if (!seq)
        return;
    StoredMessage message;
    if (!m_store.message(*seq, message)) {
        statusBar()->showMessage(u"That message was evicted; select a newer one to reply to."_s, 5000);
        return;
    }
    m_composer->prepareReply(message, message.socket);
    m_composerDock->show();
    m_composerDock->raise();
    m_composer->setFocus(Qt::OtherFocusReason);
}

void MainWindow::clearMessages()
{
    const std::uint64_t dropped = m_store.size();
    const QString count = QLocale().toString(qulonglong(dropped));
    if (dropped > 0
        && !confirmLoss(this, &Preferences::confirmClear, u"Clear Messages"_s,
            dropped == 1 ? u"Clear the 1 message kept?"_s : u"Clear all %1 messages kept?"_s.arg(count),
            u"Clear"_s))
        return;
    m_store.clear();
    m_analysis->restart();
    m_statisticsView->reset();
    m_messages->model()->resetTimeBase();
    // The detail pane shows a copy; the message it shows is gone now.
    m_detail->clear();
    refreshViews();
    updateActions();
    m_eventModel->addLine(u"Cleared %1 messages"_s.arg(count));
}

bool MainWindow::confirmQuit()
{
    int open = 0;
    for (const SocketInfo &info : m_socketModel->sockets()) {
        if (info.state != SocketState::Closed && info.state != SocketState::Failed)
            ++open;
    }
    const RecordingStatus recording = m_engine.recordingStatus();
    if (open == 0 && !recording.active)
        return true;
    QStringList lost;
    if (open > 0)
        lost.append(open == 1 ? u"1 socket is open; quitting closes it"_s
                              : u"%1 sockets are open; quitting closes them"_s.arg(open));
    if (recording.active)
        lost.append(u"the recording to %1 stops (what it has written is kept)"_s.arg(
            QDir::toNativeSeparators(recording.path)));
    if (m_store.size() > 0)
        lost.append(u"the %1 messages kept in memory are dropped"_s.arg(
            QLocale().toString(qulonglong(m_store.size()))));
    return confirmLoss(this, &Preferences::confirmQuit, u"Quit ZmqScope"_s,
        u"Quit ZmqScope? "_s + lost.join(u"; "_s) + u'.', u"&Quit"_s);
}

void MainWindow::copySelectedRows()
{
    const qsizetype rows = m_messages->copySelectedRows();
    if (rows == 0)
        return;
    statusBar()->showMessage(
        rows == 1 ? u"Copied 1 row"_s : u"Copied %1 rows"_s.arg(QLocale().toString(rows)), 5000);
}

void MainWindow::handleSocketOpened(SocketId id, const QStringList &boundEndpoints)
{
    Q_UNUSED(boundEndpoints);
    m_socketModel->refresh();
    // A newly opened socket is what the user works with next: select it.
    if (!m_socketView->selectionModel()->hasSelection())
        m_socketView->selectSocket(id);
}

void MainWindow::handleSocketFailed(SocketId id, const QString &error)
{
    m_socketModel->refresh();
    const QString name = m_socketModel->socketNames().value(id, u"#%1"_s.arg(id));
    statusBar()->showMessage(u"%1 failed: %2"_s.arg(name, error), 10000);
}

void MainWindow::showSocketContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_socketView->indexAt(pos);
    QMenu menu(this);
    menu.addAction(m_actions.newSocket);
    menu.addAction(m_actions.newTap);
    if (index.isValid()) {
        menu.addAction(m_actions.closeSocket);
        menu.addAction(m_actions.reopenSocket);
        menu.addAction(m_actions.editSocket);
        menu.addSeparator();
        const SocketId id = SocketId(index.data(SocketListModel::SocketIdRole).toUInt());
        m_taps->addContextMenuActions(menu, index);
        menu.addAction(u"Show Only This Socket's &Messages"_s, this,
            [this, id] { m_messages->filterBar()->setSocket(id); });
        menu.addAction(u"Copy &Endpoint"_s, this, [this, row = index.row()] {
            const SocketInfo &info = m_socketModel->socketAt(row);
            const QStringList endpoints = info.boundEndpoints.isEmpty()
                ? info.spec.binds + info.spec.connects
                : info.boundEndpoints + info.spec.connects;
            QGuiApplication::clipboard()->setText(endpoints.join(u'\n'));
        });
    }
    menu.exec(m_socketView->viewport()->mapToGlobal(pos));
}

zmqscope::Result<void> MainWindow::openWorkspace(const QString &fileName)
{
    return m_workspaces->open(fileName);
}

zmqscope::Result<void> MainWindow::saveWorkspace(const QString &fileName)
{
    return m_workspaces->save(fileName);
}

zmqscope::Result<void> MainWindow::setDecodeRules(const QList<DecodeRule> &rules)
{
    Result<DecoderSet> set = DecoderSet::create(rules);
    if (!set) {
        m_eventModel->addLine(u"Decoders not applied: %1"_s.arg(set.errorMessage()), true);
        return std::move(set).error();
    }
    m_decodeRules = rules;
    m_detail->setDecoders(*set);
    m_analysis->setDecoders(*set);
    m_plots->setDecoders(*set);
    m_eventModel->addLine(rules.isEmpty() ? u"Decoders: no rules; bodies decode by their mimetype"_s
                                          : u"Decoders: %1 rule(s) in use"_s.arg(rules.size()),
        false);
    return {};
}

void MainWindow::showDecodersDialog()
{
    std::optional<StoredMessage> selected;
    QString socket;
    if (m_detail->hasMessage()) {
        selected = m_detail->message();
        socket = m_socketModel->socketNames().value(selected->socket);
    }
    DecodersDialog dialog(m_decodeRules, selected, socket, this);
    if (dialog.exec() == QDialog::Accepted)
        (void)setDecodeRules(dialog.rules());
}

void MainWindow::showPreferences()
{
    PreferencesDialog dialog(m_store, this);
    connect(&dialog, &PreferencesDialog::preferencesApplied, this, [this](const Preferences &preferences) {
        m_messages->model()->setPreviewChars(preferences.previewChars);
        // Show what a lower limit evicted at once, not at the next tick.
        refreshViews();
    });
    dialog.exec();
}

void MainWindow::showAbout()
{
    // Our own strings only; nothing received goes into this rich text.
    QMessageBox::about(this, u"About ZmqScope"_s,
        u"<h3>ZmqScope %1</h3>"
        u"<p>A desktop inspector for ZeroMQ traffic: connect sockets of every type, watch Dploy "
        u"envelopes and raw multipart messages live, compose and reply.</p>"
        u"<p>libzmq %2 &middot; Qt %3</p>"
        u"<p>MIT License</p>"_s.arg(libraryVersion().toHtmlEscaped(), zmqVersion().toHtmlEscaped(),
            QString::fromLatin1(qVersion()).toHtmlEscaped()));
}

} // namespace zmqscope
