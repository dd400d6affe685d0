// Not split yet, on purpose: actions, dock layout, settings and the engine wiring live here. Issue 13
// (the foundation redesign, next after hardening) routes send results per sender instead of fanning
// them out from here and splits the window's parts then; doing it during hardening would do it twice.

#include "mainwindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QIcon>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QListView>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QToolBar>
#include <QTreeView>

#include <zmqscope/version.h>

#include "capture/capturecontroller.h"
#include "compose/composerwidget.h"
#include "compose/newsocketdialog.h"
#include "compose/workspace.h"
#include "detail/messagedetailview.h"
#include "displaytext.h"
#include "eventlogmodel.h"
#include "filterbar.h"
#include "library/librarypanel.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "preferences.h"
#include "preferencesdialog.h"
#include "socketlistmodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

// QSettings layout (organisation "ZmqScope", application "zmqscope", set in app/gui/main.cpp):
//   MainWindow/geometry         saveGeometry()
//   MainWindow/state            saveState(LayoutVersion): docks and toolbar
//   MainWindow/messagesHeader   the Messages table's column widths and order
//   MainWindow/socketsHeader2   the Sockets panel's column widths and order (2: Endpoints moved last)
//   MainWindow/workspaceDir     the folder of the last workspace opened or saved
//   MainWindow/timeDisplay      the Time column: "absolute", "sinceFirst" or "sincePrevious"
//   Confirm/*                   (preferences.h) whether Clear Messages and Quit ask first
//   NewSocketDialog/recentEndpoints   (ui/compose) endpoints of accepted dialogs
namespace {
const auto GeometryKey = u"MainWindow/geometry"_s;
const auto StateKey = u"MainWindow/state"_s;
const auto MessagesHeaderKey = u"MainWindow/messagesHeader"_s;
const auto SocketsHeaderKey = u"MainWindow/socketsHeader2"_s;
const auto WorkspaceDirKey = u"MainWindow/workspaceDir"_s;
const auto TimeDisplayKey = u"MainWindow/timeDisplay"_s;
// The settings values of MessageTableModel::TimeDisplay, in its order.
const QStringList TimeDisplayNames { u"absolute"_s, u"sinceFirst"_s, u"sincePrevious"_s };
const auto WorkspaceFilter = u"ZmqScope workspaces (*.zmqscope *.json);;All files (*)"_s;

constexpr int RateWindowMs = 1000;
// How long the status bar stays in the warning colour after messages were evicted.
constexpr qint64 EvictionHighlightMs = 3000;
} // namespace

MainWindow::MainWindow(Engine &engine, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_store(engine.store())
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
    m_capture = new CaptureController(*this);
    createMenusAndToolBar();
    createStatusBar();
    connectEngine();
    resetLayout();

    connect(m_messages, &MessagesPane::currentMessageChanged, this, &MainWindow::handleCurrentMessageChanged);
    connect(m_messages, &MessagesPane::followingChanged, m_followAction, &QAction::setChecked);
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

    m_clock.start();
    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshViews);
    m_refreshTimer.start();

    // The table is where the keyboard starts: arrows, Page Up/Down, Ctrl+F to filter.
    m_messages->setFocus();
    updateActions();
    updateStatusBar();
}

MainWindow::~MainWindow() = default;

QIcon MainWindow::themedIcon(const QString &themeName, const QString &fallback)
{
    return QIcon::fromTheme(themeName, QIcon(u":/icons/actions/"_s + fallback + u".svg"_s));
}

QAction *MainWindow::action(Action which) const
{
    switch (which) {
    case Action::NewSocket:
        return m_newSocketAction;
    case Action::CloseSocket:
        return m_closeSocketAction;
    case Action::ReopenSocket:
        return m_reopenSocketAction;
    case Action::EditSocket:
        return m_editSocketAction;
    case Action::Send:
        return m_sendAction;
    case Action::Reply:
        return m_replyAction;
    case Action::Find:
        return m_findAction;
    case Action::Pause:
        return m_pauseAction;
    case Action::Follow:
        return m_followAction;
    case Action::Clear:
        return m_clearAction;
    case Action::OpenWorkspace:
        return m_openWorkspaceAction;
    case Action::SaveWorkspace:
        return m_saveWorkspaceAction;
    case Action::Preferences:
        return m_preferencesAction;
    case Action::About:
        return m_aboutAction;
    case Action::Quit:
        return m_quitAction;
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

    m_socketView = new QTreeView(this);
    m_socketView->setObjectName(u"socketsView"_s);
    m_socketView->setModel(m_socketModel);
    m_socketView->setRootIsDecorated(false);
    m_socketView->setUniformRowHeights(true);
    m_socketView->setAlternatingRowColors(true);
    m_socketView->setAllColumnsShowFocus(true);
    m_socketView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_socketView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_socketView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_socketView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_socketView->setTextElideMode(Qt::ElideMiddle);
    {
        const QFontMetrics normal(m_socketView->font());
        const QFontMetrics fixed(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_socketView->setColumnWidth(
            SocketListModel::NameColumn, normal.horizontalAdvance(u"Router DEALER"_s) + 14);
        m_socketView->setColumnWidth(SocketListModel::TypeColumn, normal.horizontalAdvance(u"DEALER"_s) + 12);
        m_socketView->setColumnWidth(
            SocketListModel::EndpointsColumn, fixed.horizontalAdvance(u">tcp://127.0.0.1:55555"_s) + 12);
        m_socketView->setColumnWidth(
            SocketListModel::StateColumn, normal.horizontalAdvance(u"Connecting"_s) + 14);
        m_socketView->setColumnWidth(SocketListModel::InColumn, normal.horizontalAdvance(u"10,000"_s) + 12);
        m_socketView->setColumnWidth(SocketListModel::OutColumn, normal.horizontalAdvance(u"10,000"_s) + 12);
        m_socketView->setColumnWidth(
            SocketListModel::RateColumn, normal.horizontalAdvance(u"10,000/s"_s) + 12);
        // Endpoints last: they are long and can be cut in the middle; the state and the counts are what
        // a narrow panel must still show.
        m_socketView->header()->moveSection(
            SocketListModel::EndpointsColumn, SocketListModel::ColumnCount - 1);
        m_socketView->header()->setStretchLastSection(true);
    }
    // Counts grow ("2,000,011"): the columns grow with them rather than eliding digits.
    connect(m_socketModel, &QAbstractItemModel::dataChanged, this, &MainWindow::fitSocketCountColumns);
    connect(m_socketModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::fitSocketCountColumns);
    connect(m_socketView, &QWidget::customContextMenuRequested, this, &MainWindow::showSocketContextMenu);
    connect(m_socketView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::handleSocketSelectionChanged);
    m_socketsDock = makeDock(u"Sockets"_s, u"socketsDock"_s, m_socketView);

    m_detail = new MessageDetailView(this);
    m_detail->setObjectName(u"detailView"_s);
    connect(m_detail, &MessageDetailView::copyFinished, this,
        [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    m_detailDock = makeDock(u"Detail"_s, u"detailDock"_s, m_detail);

    m_composer = new ComposerWidget(this);
    m_composer->setObjectName(u"composer"_s);
    m_composerDock = makeDock(u"Composer"_s, u"composerDock"_s, scrollable(m_composer));

    m_eventView = new QListView(this);
    m_eventView->setObjectName(u"eventsView"_s);
    m_eventView->setModel(m_eventModel);
    // Lines are not cut: a long one scrolls sideways. Sizes are measured per line so the scroll range
    // covers the longest (the log keeps at most a few thousand lines, so measuring them is cheap).
    m_eventView->setUniformItemSizes(false);
    m_eventView->setWordWrap(false);
    m_eventView->setTextElideMode(Qt::ElideNone);
    m_eventView->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_eventView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_eventView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_eventView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_eventView->setContextMenuPolicy(Qt::ActionsContextMenu);
    {
        auto *copy = new QAction(u"&Copy"_s, m_eventView);
        copy->setShortcut(QKeySequence::Copy);
        copy->setShortcutContext(Qt::WidgetShortcut);
        connect(copy, &QAction::triggered, this, [this] {
            QStringList lines;
            QModelIndexList rows = m_eventView->selectionModel()->selectedRows();
            std::sort(rows.begin(), rows.end());
            for (const QModelIndex &index : rows)
                lines.append(index.data().toString());
            QGuiApplication::clipboard()->setText(lines.join(u'\n'));
        });
        auto *clear = new QAction(u"C&lear Events"_s, m_eventView);
        connect(clear, &QAction::triggered, m_eventModel, &EventLogModel::clear);
        m_eventView->addActions({ copy, clear });
    }
    // Stay at the newest line only when the user has not scrolled up to read.
    connect(m_eventModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::handleEventRowsInserted);
    m_eventsDock = makeDock(u"Events"_s, u"eventsDock"_s, m_eventView);

    m_library = new LibraryPanel(m_composer, this);
    m_library->setObjectName(u"libraryPanel"_s);
    m_libraryDock = makeDock(u"Library"_s, u"libraryDock"_s, scrollable(m_library));
}

void MainWindow::createActions()
{
    m_newSocketAction = new QAction(themedIcon(u"list-add"_s, u"new-socket"_s), u"&New Socket\u2026"_s, this);
    m_newSocketAction->setShortcut(QKeySequence::New);
    m_newSocketAction->setToolTip(u"Open a socket: bind or connect, any type (Ctrl+N)"_s);
    connect(m_newSocketAction, &QAction::triggered, this, &MainWindow::showNewSocketDialog);

    m_closeSocketAction
        = new QAction(themedIcon(u"network-disconnect"_s, u"close-socket"_s), u"&Close Socket"_s, this);
    m_closeSocketAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    m_closeSocketAction->setToolTip(u"Close the socket selected in the Sockets panel; its messages stay"_s);
    connect(m_closeSocketAction, &QAction::triggered, this, &MainWindow::closeSelectedSocket);

    m_reopenSocketAction
        = new QAction(themedIcon(u"view-refresh"_s, u"reopen-socket"_s), u"&Reopen Socket"_s, this);
    m_reopenSocketAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_reopenSocketAction->setToolTip(u"Open the selected closed socket again with the same settings"_s);
    connect(m_reopenSocketAction, &QAction::triggered, this, &MainWindow::reopenSelectedSocket);

    m_editSocketAction = new QAction(u"&Edit Socket\u2026"_s, this);
    m_editSocketAction->setToolTip(
        u"Change the selected socket's endpoints or options; it is reopened with them"_s);
    connect(m_editSocketAction, &QAction::triggered, this, &MainWindow::editSelectedSocket);

    // The composer owns Send (it knows whether there is something to send); we put it in the menus.
    m_sendAction = m_composer->sendAction();
    m_sendAction->setIcon(themedIcon(u"mail-send"_s, u"send"_s));

    m_replyAction = new QAction(themedIcon(u"mail-reply-sender"_s, u"reply"_s), u"&Reply"_s, this);
    m_replyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_replyAction->setToolTip(u"Answer the selected received message on the socket it came in on (Ctrl+R)"_s);
    connect(m_replyAction, &QAction::triggered, this, &MainWindow::replyToCurrentMessage);

    m_editResendAction = new QAction(u"&Edit and Resend"_s, this);
    m_editResendAction->setObjectName(u"editResendAction"_s);
    m_editResendAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_editResendAction->setToolTip(
        u"Put the selected message, received or sent, into the composer to edit and send again (Ctrl+Shift+D)"_s);
    connect(m_editResendAction, &QAction::triggered, this, [this] {
        StoredMessage message;
        if (const auto seq = m_messages->currentSeq(); seq && m_store.message(*seq, message)) {
            m_composer->loadMessage(message, message.socket);
            m_composerDock->show();
            m_composerDock->raise();
        }
    });

    m_findAction = new QAction(themedIcon(u"edit-find"_s, u"find"_s), u"&Find\u2026"_s, this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setToolTip(u"Filter the messages by id, mimetype or body text (Ctrl+F)"_s);
    connect(m_findAction, &QAction::triggered, this, [this] { m_messages->filterBar()->focusText(); });

    m_pauseAction = new QAction(themedIcon(u"media-playback-pause"_s, u"pause"_s), u"&Pause View"_s, this);
    m_pauseAction->setCheckable(true);
    m_pauseAction->setShortcuts({ QKeySequence(Qt::CTRL | Qt::Key_P), QKeySequence(Qt::Key_Pause) });
    m_pauseAction->setToolTip(
        u"Stop adding rows to the table; every message is still received and kept (Ctrl+P)"_s);
    connect(m_pauseAction, &QAction::toggled, this, &MainWindow::handlePauseToggled);

    m_followAction = new QAction(themedIcon(u"go-bottom"_s, u"follow"_s), u"Follow &Newest"_s, this);
    m_followAction->setCheckable(true);
    m_followAction->setChecked(m_messages->isFollowing());
    m_followAction->setShortcut(QKeySequence(Qt::Key_End));
    m_followAction->setToolTip(
        u"Keep the newest message in view; scrolling up or selecting a row stops it (End)"_s);
    connect(m_followAction, &QAction::triggered, this,
        [this](bool checked) { m_messages->setFollowing(checked); });

    m_clearAction = new QAction(themedIcon(u"edit-clear-all"_s, u"clear"_s), u"C&lear Messages"_s, this);
    m_clearAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_clearAction->setToolTip(u"Drop every stored message; asks first (Ctrl+L)"_s);
    connect(m_clearAction, &QAction::triggered, this, &MainWindow::clearMessages);

    m_openWorkspaceAction
        = new QAction(themedIcon(u"document-open"_s, u"open"_s), u"&Open Workspace\u2026"_s, this);
    // Ctrl+O opens captures, as in Wireshark.
    m_openWorkspaceAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_openWorkspaceAction->setToolTip(u"Open the sockets saved in a workspace file (Ctrl+Shift+O)"_s);
    connect(m_openWorkspaceAction, &QAction::triggered, this, &MainWindow::openWorkspaceInteractively);

    m_saveWorkspaceAction
        = new QAction(themedIcon(u"document-save"_s, u"save"_s), u"&Save Workspace\u2026"_s, this);
    m_saveWorkspaceAction->setShortcut(QKeySequence::Save);
    m_saveWorkspaceAction->setToolTip(u"Save the open sockets and their options to a file (Ctrl+S)"_s);
    connect(m_saveWorkspaceAction, &QAction::triggered, this, &MainWindow::saveWorkspaceInteractively);

    m_quitAction = new QAction(QIcon::fromTheme(u"application-exit"_s), u"&Quit"_s, this);
    m_quitAction->setShortcuts({ QKeySequence::Quit, QKeySequence(Qt::CTRL | Qt::Key_Q) });
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    m_aboutAction = new QAction(QIcon::fromTheme(u"help-about"_s), u"&About ZmqScope"_s, this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);

    m_preferencesAction
        = new QAction(QIcon::fromTheme(u"preferences-system"_s), u"&Preferences\u2026"_s, this);
    {
        // Ctrl+, everywhere, plus the platform's own key where it has one.
        QList<QKeySequence> keys { QKeySequence(Qt::CTRL | Qt::Key_Comma) };
        for (const QKeySequence &key : QKeySequence::keyBindings(QKeySequence::Preferences)) {
            if (!keys.contains(key))
                keys.append(key);
        }
        m_preferencesAction->setShortcuts(keys);
    }
    m_preferencesAction->setMenuRole(QAction::PreferencesRole);
    m_preferencesAction->setToolTip(u"Retention limits and the table's preview length (Ctrl+,)"_s);
    connect(m_preferencesAction, &QAction::triggered, this, &MainWindow::showPreferences);

    m_resetLayoutAction = new QAction(u"&Reset Layout"_s, this);
    connect(m_resetLayoutAction, &QAction::triggered, this, &MainWindow::resetLayout);

    // Right-click on a message: the same actions as the menus.
    QTableView *table = m_messages->table();
    table->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *copyRow = new QAction(u"&Copy Rows"_s, table);
    copyRow->setObjectName(u"copyRowsAction"_s);
    copyRow->setShortcut(QKeySequence::Copy);
    copyRow->setShortcutContext(Qt::WidgetShortcut);
    copyRow->setToolTip(u"Copy the selected rows as tab-separated text, one line per message (Ctrl+C)"_s);
    connect(copyRow, &QAction::triggered, this, &MainWindow::copySelectedRows);
    auto *filterSocket = new QAction(u"Show Only This &Socket"_s, table);
    connect(filterSocket, &QAction::triggered, this, [this, table] {
        const QModelIndex current = table->currentIndex();
        if (current.isValid())
            m_messages->filterBar()->setSocket(
                SocketId(current.data(MessageTableModel::SocketRole).toUInt()));
    });
    table->addActions({ m_replyAction, m_editResendAction, copyRow, filterSocket });
}

void MainWindow::createMenusAndToolBar()
{
    QMenu *file = menuBar()->addMenu(u"&File"_s);
    file->addAction(m_capture->openCaptureAction());
    file->addMenu(m_capture->recentCapturesMenu());
    file->addAction(m_capture->exportAction());
    file->addAction(m_capture->replayFileAction());
    file->addSeparator();
    file->addAction(m_openWorkspaceAction);
    file->addAction(m_saveWorkspaceAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(u"&Edit"_s);
    edit->addAction(m_preferencesAction);

    QMenu *socket = menuBar()->addMenu(u"&Socket"_s);
    socket->addAction(m_newSocketAction);
    socket->addAction(m_closeSocketAction);
    socket->addAction(m_reopenSocketAction);
    socket->addAction(m_editSocketAction);

    QMenu *message = menuBar()->addMenu(u"&Message"_s);
    message->addAction(m_sendAction);
    message->addAction(m_composer->stopAction());
    message->addAction(m_replyAction);
    message->addAction(m_editResendAction);
    message->addSeparator();
    message->addAction(m_findAction);
    message->addAction(m_clearAction);

    QMenu *capture = menuBar()->addMenu(u"&Capture"_s);
    capture->addAction(m_capture->recordAction());
    capture->addAction(m_capture->recordToAction());
    capture->addSeparator();
    capture->addAction(m_capture->replaySelectionAction());
    capture->addAction(m_capture->replayFileAction());

    QMenu *view = menuBar()->addMenu(u"&View"_s);
    view->addAction(m_pauseAction);
    view->addAction(m_followAction);
    QMenu *time = view->addMenu(u"&Time Column"_s);
    auto *timeGroup = new QActionGroup(this);
    const QString timeLabels[]
        = { u"Time of &Day"_s, u"Seconds Since &First Message"_s, u"Seconds Since &Previous Row"_s };
    const QString timeNames[]
        = { u"timeAbsoluteAction"_s, u"timeSinceFirstAction"_s, u"timeSincePreviousAction"_s };
    for (int display = 0; display < 3; ++display) {
        QAction *action = time->addAction(timeLabels[display]);
        action->setObjectName(timeNames[display]);
        action->setCheckable(true);
        timeGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, display] {
            setTimeDisplay(display);
            QSettings().setValue(TimeDisplayKey, TimeDisplayNames.at(display));
        });
        m_timeDisplayActions.append(action);
    }
    setTimeDisplay(std::max(0, int(TimeDisplayNames.indexOf(QSettings().value(TimeDisplayKey).toString()))));
    view->addSeparator();
    for (QDockWidget *dock : { m_socketsDock, m_detailDock, m_composerDock, m_eventsDock, m_libraryDock })
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    view->addAction(m_resetLayoutAction);

    QMenu *help = menuBar()->addMenu(u"&Help"_s);
    help->addAction(m_aboutAction);

    QToolBar *toolBar = m_toolBar = addToolBar(u"Main"_s);
    toolBar->setObjectName(u"mainToolBar"_s);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->setIconSize(QSize(20, 20));
    toolBar->setMovable(false);
    toolBar->addAction(m_newSocketAction);
    toolBar->addAction(m_closeSocketAction);
    toolBar->addAction(m_reopenSocketAction);
    toolBar->addSeparator();
    toolBar->addAction(m_sendAction);
    toolBar->addAction(m_replyAction);
    toolBar->addSeparator();
    toolBar->addAction(m_pauseAction);
    toolBar->addAction(m_followAction);
    toolBar->addAction(m_clearAction);
    toolBar->addSeparator();
    toolBar->addAction(m_capture->recordAction());
    toolBar->addSeparator();
    toolBar->addAction(m_findAction);
    view->insertAction(m_resetLayoutAction, toolBar->toggleViewAction());
}

void MainWindow::createStatusBar()
{
    m_statsLabel = new QLabel(this);
    m_statsLabel->setObjectName(u"storeStats"_s);
    m_statsLabel->setTextFormat(Qt::PlainText);
    m_rateLabel = new QLabel(this);
    m_rateLabel->setObjectName(u"rate"_s);
    m_rateLabel->setTextFormat(Qt::PlainText);
    m_rateLabel->setMinimumWidth(m_rateLabel->fontMetrics().horizontalAdvance(u"1,000,000 msg/s"_s));
    m_rateLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_pausedLabel = new QLabel(this);
    m_pausedLabel->setObjectName(u"paused"_s);
    m_pausedLabel->setTextFormat(Qt::PlainText);
    m_pausedLabel->setStyleSheet(u"QLabel { color: #c06c00; font-weight: bold; }"_s);
    m_pausedLabel->setVisible(false);
    statusBar()->addPermanentWidget(m_pausedLabel);
    statusBar()->addPermanentWidget(m_statsLabel);
    statusBar()->addPermanentWidget(m_rateLabel);
}

void MainWindow::connectEngine()
{
    connect(&m_engine, &Engine::eventLogged, m_eventModel, &EventLogModel::addEvent);
    connect(&m_engine, &Engine::socketOpened, this, &MainWindow::handleSocketOpened);
    connect(&m_engine, &Engine::socketFailed, this, &MainWindow::handleSocketFailed);
}

void MainWindow::resetLayout()
{
    const QList<QDockWidget *> docks { m_socketsDock, m_detailDock, m_composerDock, m_eventsDock,
        m_libraryDock };
    // Out of every split and tab first: a dock added next to one in a tab group would join the group.
    for (QDockWidget *dock : docks) {
        dock->setFloating(false);
        removeDockWidget(dock);
    }
    // The size the window has or was given (restoreSettings() sizes it before it is shown).
    const QSize size = this->size().isValid() && (isVisible() || testAttribute(Qt::WA_Resized))
        ? this->size()
        : QSize(1600, 1000);

    // Messages in the middle with the Sockets and Events panels under them; the right column
    // holds what works on one message: its Detail and the Composer, one over the other when the
    // Composer fits whole under a Detail of its minimum height, else as tabs.
    const int chrome = menuBar()->sizeHint().height() + (m_toolBar ? m_toolBar->sizeHint().height() : 0)
        + statusBar()->sizeHint().height();
    const int composerTitle
        = m_composerDock->minimumSizeHint().height() - m_composerDock->widget()->minimumSizeHint().height();
    const int composerNeeded = composerTitle + m_composer->minimumSizeHint().height();
    const int detailNeeded = m_detailDock->minimumSizeHint().height();
    const int separator = style()->pixelMetric(QStyle::PM_DockWidgetSeparatorExtent, nullptr, this);
    const bool stacked = size.height() - chrome >= detailNeeded + separator + composerNeeded;
    if (stacked) {
        addDockWidget(Qt::RightDockWidgetArea, m_detailDock);
        splitDockWidget(m_detailDock, m_composerDock, Qt::Vertical);
    } else {
        // The Composer's tab first: it is the one in front until the window is shown and can raise().
        addDockWidget(Qt::RightDockWidgetArea, m_composerDock);
        tabifyDockWidget(m_composerDock, m_detailDock);
    }

    // The Sockets panel gets what its columns need, the Endpoints (last, cut in the middle) at least
    // their title; the Events log the rest of the row. Where that leaves the Events log too little,
    // it is a tab beside the Sockets.
    const QHeaderView *socketColumns = m_socketView->header();
    int socketsWidth
        = 2 * m_socketView->frameWidth() + m_socketView->verticalScrollBar()->sizeHint().width() + 8;
    int socketsNeeded = socketsWidth + socketColumns->sectionSizeHint(SocketListModel::EndpointsColumn);
    for (int column = 0; column < socketColumns->count(); ++column) {
        const int width = socketColumns->isSectionHidden(column) ? 0 : socketColumns->sectionSize(column);
        socketsWidth += width;
        socketsNeeded += column == SocketListModel::EndpointsColumn ? 0 : width;
    }
    // The right column fits a whole hex line (offset, 16 bytes, their ASCII) at the default font, and
    // the Composer's own width where the messages keep about half the window and the Sockets panel
    // its columns: narrower, the Composer scrolls sideways and its wrapped lines make it taller.
    const int composerWidth = m_composer->minimumSizeHint().width()
        + style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, this) + 2;
    const int right = std::max(qBound(420, size.width() * 40 / 100, 680),
        std::min({ composerWidth, size.width() * 55 / 100, size.width() - socketsNeeded }));
    const int bottomWidth = size.width() - right;
    const bool eventsBeside = socketsNeeded <= bottomWidth * 66 / 100;

    addDockWidget(Qt::BottomDockWidgetArea, m_socketsDock);
    if (eventsBeside)
        splitDockWidget(m_socketsDock, m_eventsDock, Qt::Horizontal);
    // The Library is a tab beside the Sockets: wide enough for its list, the Composer stays in view.
    tabifyDockWidget(m_socketsDock, m_libraryDock);
    if (!eventsBeside)
        tabifyDockWidget(m_socketsDock, m_eventsDock);
    for (QDockWidget *dock : docks)
        dock->show();
    m_socketsDock->raise();
    // Tabbed, the Composer is in front (Send in view); picking a message brings the Detail forward.
    if (!stacked)
        m_composerDock->raise();
    if (!stacked && !isVisible()) {
        // raise() picks a tab only in a shown window: again once this one is.
        QMetaObject::invokeMethod(
            this, [this] { m_composerDock->raise(); }, Qt::QueuedConnection);
    }

    resizeDocks({ m_detailDock }, { right }, Qt::Horizontal);
    if (stacked) {
        // The Composer gets what it needs at least, the Detail the rest up to about half.
        const int column = size.height() - chrome;
        const int composerHeight = std::max(composerNeeded, column * 48 / 100);
        resizeDocks(
            { m_detailDock, m_composerDock }, { column - composerHeight, composerHeight }, Qt::Vertical);
    }
    resizeDocks({ m_socketsDock }, { qBound(160, size.height() * 24 / 100, 300) }, Qt::Vertical);
    if (eventsBeside) {
        socketsWidth
            = qBound(std::max(bottomWidth * 35 / 100, socketsNeeded), socketsWidth, bottomWidth * 66 / 100);
        resizeDocks(
            { m_socketsDock, m_eventsDock }, { socketsWidth, bottomWidth - socketsWidth }, Qt::Horizontal);
    }
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
    m_workspaceDir = settings.value(WorkspaceDirKey).toString();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(GeometryKey, saveGeometry());
    settings.setValue(StateKey, saveState(LayoutVersion));
    settings.setValue(MessagesHeaderKey, m_messages->table()->horizontalHeader()->saveState());
    settings.setValue(SocketsHeaderKey, m_socketView->header()->saveState());
    if (!m_workspaceDir.isEmpty())
        settings.setValue(WorkspaceDirKey, m_workspaceDir);
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
    m_messages->refresh();
    m_eventModel->flush();
    updateStatusBar();
    m_capture->refresh();
}

void MainWindow::updateStatusBar()
{
    const QLocale locale;
    const MessageStore::Stats stats = m_store.stats();
    const MessageStore::Limits limits = m_store.limits();
    const auto count = [&locale](std::uint64_t n) { return locale.toString(qulonglong(n)); };
    // "1,234,567 kept of 5,000,000 · 12,000 evicted · 187 MiB of 1 GiB": the bytes are what the limit counts.
    QString text = u"%1 kept of %2"_s.arg(count(stats.kept), count(limits.maxMessages));
    if (stats.evicted > 0)
        text += u"  \u00b7  %1 evicted"_s.arg(count(stats.evicted));
    text += u"  \u00b7  %1 of %2"_s.arg(
        displaytext::dataSize(stats.bytesKept), formatLimitSize(limits.maxBytes));
    const MessageTableModel *model = m_messages->model();
    if (!model->filter().isEmpty())
        text += u"  \u00b7  %1 shown"_s.arg(locale.toString(model->totalRows()));
    m_statsLabel->setText(text);

    // Evicting now (in the last few seconds) shows in colour; an old eviction count alone does not.
    const qint64 nowMs = m_clock.elapsed();
    if (stats.evicted > m_lastEvicted)
        m_lastEvictionMs = nowMs;
    else if (stats.evicted < m_lastEvicted)
        m_lastEvictionMs = -1; // cleared
    m_lastEvicted = stats.evicted;
    const bool evicting = m_lastEvictionMs >= 0 && nowMs - m_lastEvictionMs < EvictionHighlightMs;
    if (evicting != m_evictionShown) {
        m_evictionShown = evicting;
        m_statsLabel->setStyleSheet(
            evicting ? u"QLabel { color: #c06c00; font-weight: bold; }"_s : QString());
    }
    QString tip
        = u"Retention: ZmqScope keeps at most %1 messages and %2 of message data in memory. When either "
          u"limit is reached the oldest messages are dropped (evicted), a block at a time, so the newest "
          u"traffic stays.\n\nNow: %3 messages, %4 of message data, %5 in use with the index."_s.arg(
              count(limits.maxMessages), formatLimitSize(limits.maxBytes), count(stats.kept),
              displaytext::dataSize(stats.bytesKept), displaytext::dataSize(stats.memoryInUse));
    if (stats.evicted > 0)
        tip += u"\n%1 evicted since the last clear%2."_s.arg(
            count(stats.evicted), evicting ? u", some just now"_s : QString());
    tip += u"\n\nChange the limits in Edit > Preferences (Ctrl+,) or for one run with --max-messages and "
           u"--max-memory."_s;
    m_statsLabel->setToolTip(tip);

    // Rate over the last second, from the store's sequence numbers: counts sent messages too.
    const qint64 now = m_clock.elapsed();
    const std::uint64_t endSeq = m_store.endSeq();
    m_rateSamples.emplace_back(now, endSeq);
    while (m_rateSamples.size() > 2 && now - m_rateSamples[1].first >= RateWindowMs)
        m_rateSamples.pop_front();
    const auto &[oldTime, oldSeq] = m_rateSamples.front();
    const double seconds = double(now - oldTime) / 1000.0;
    const double rate = seconds > 0.2 ? double(endSeq - oldSeq) / seconds : 0.0;
    m_rateLabel->setText(u"%1 msg/s"_s.arg(locale.toString(qRound64(rate))));

    if (model->isPaused()) {
        m_pausedLabel->setText(u"paused, %1 new"_s.arg(locale.toString(qulonglong(model->hiddenNewCount()))));
        m_pausedLabel->setVisible(true);
    } else {
        m_pausedLabel->setVisible(false);
    }
}

void MainWindow::handlePauseToggled(bool paused)
{
    m_messages->model()->setPaused(paused);
    if (!paused)
        refreshViews();
    updateStatusBar();
}

void MainWindow::handleEventRowsInserted()
{
    const QScrollBar *bar = m_eventView->verticalScrollBar();
    const int rows = m_eventModel->rowCount();
    // The bar's range is not updated yet: "at the bottom" means it was at its maximum before.
    if (bar->value() >= bar->maximum() - 1 && rows > 0)
        QMetaObject::invokeMethod(m_eventView, &QAbstractItemView::scrollToBottom, Qt::QueuedConnection);
}

void MainWindow::handleCurrentMessageChanged(std::optional<std::uint64_t> seq)
{
    updateActions();
    if (!seq)
        return;
    StoredMessage message;
    if (!m_store.message(*seq, message))
        return; // evicted in the meantime: the detail pane keeps what it shows
    const QString name = m_socketModel->socketNames().value(message.socket, u"#%1"_s.arg(message.socket));
    m_detail->setMessage(message, name);
    // In a tab behind the Composer (small screens), the Detail comes forward to show what was picked.
    if (m_detailDock->toggleViewAction()->isChecked() && m_detailDock->visibleRegion().isEmpty()
        && !tabifiedDockWidgets(m_detailDock).isEmpty())
        m_detailDock->raise();
}

void MainWindow::handleSocketsChanged()
{
    const QList<SocketInfo> sockets = m_socketModel->sockets();
    m_messages->setSockets(sockets);
    m_composer->setSockets(sockets);
    m_eventModel->setSocketNames(m_socketModel->socketNames());
    updateActions();
}

void MainWindow::handleSocketSelectionChanged()
{
    updateActions();
}

std::optional<SocketInfo> MainWindow::selectedSocket() const
{
    const QModelIndexList rows = m_socketView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return std::nullopt;
    return m_socketModel->socketAt(rows.first().row());
}

void MainWindow::updateActions()
{
    const std::optional<SocketInfo> socket = selectedSocket();
    const bool closed
        = socket && (socket->state == SocketState::Closed || socket->state == SocketState::Failed);
    m_closeSocketAction->setEnabled(socket && !closed);
    m_reopenSocketAction->setEnabled(closed);
    m_editSocketAction->setEnabled(socket.has_value());

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
    m_replyAction->setEnabled(canReply);
    m_editResendAction->setEnabled(m_messages->currentSeq().has_value());
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
    QStringList names;
    for (const SocketInfo &info : m_socketModel->sockets()) {
        if (info.state != SocketState::Closed)
            names.append(info.spec.name);
    }
    dialog->setExistingNames(names);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { openSocket(dialog->spec()); });
    dialog->open();
}

void MainWindow::closeSelectedSocket()
{
    if (const auto socket = selectedSocket())
        m_engine.closeSocket(socket->id);
}

void MainWindow::reopenSelectedSocket()
{
    const auto socket = selectedSocket();
    if (!socket)
        return;
    // The old row gives way to the new socket, which gets the same name and settings.
    const SocketSpec spec = socket->spec;
    m_socketModel->removeSocket(socket->id);
    const SocketId id = openSocket(spec);
    const int row = m_socketModel->rowForSocket(id);
    if (row >= 0)
        m_socketView->setCurrentIndex(m_socketModel->index(row, 0));
}

void MainWindow::editSelectedSocket()
{
    const auto socket = selectedSocket();
    if (!socket)
        return;
    QStringList names;
    for (const SocketInfo &info : m_socketModel->sockets()) {
        if (info.state != SocketState::Closed && info.id != socket->id)
            names.append(info.spec.name);
    }
    auto *dialog = new NewSocketDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setEditedSocket(socket->spec, names);
    connect(dialog, &QDialog::accepted, this, [this, dialog, id = socket->id] {
        // As Reopen: the old row gives way to the new socket.
        m_socketModel->removeSocket(id);
        const SocketId newId = m_engine.replaceSocket(id, dialog->spec());
        m_socketModel->refresh();
        const int row = m_socketModel->rowForSocket(newId);
        if (row >= 0)
            m_socketView->setCurrentIndex(m_socketModel->index(row, 0));
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
        && !confirmLoss(&Preferences::confirmClear, u"Clear Messages"_s,
            dropped == 1 ? u"Clear the 1 message kept?"_s : u"Clear all %1 messages kept?"_s.arg(count),
            u"Clear"_s))
        return;
    m_store.clear();
    m_messages->model()->resetTimeBase();
    // The detail pane shows a copy; the message it shows is gone now.
    m_detail->clear();
    refreshViews();
    updateActions();
    m_eventModel->addLine(u"Cleared %1 messages"_s.arg(count));
}

bool MainWindow::confirmLoss(
    bool Preferences::*ask, const QString &title, const QString &text, const QString &acceptText)
{
    Preferences preferences = Preferences::load();
    if (!(preferences.*ask))
        return true;
    QMessageBox box(QMessageBox::Question, title, text, QMessageBox::NoButton, this);
    box.setObjectName(u"confirmLossBox"_s);
    box.setTextFormat(Qt::PlainText); // the text can name a file
    box.setInformativeText(u"This cannot be undone."_s);
    QPushButton *accept = box.addButton(acceptText, QMessageBox::DestructiveRole);
    accept->setObjectName(u"acceptButton"_s);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(accept);
    auto *dontAsk = new QCheckBox(u"&Don't ask again"_s, &box);
    dontAsk->setObjectName(u"dontAskAgain"_s);
    box.setCheckBox(dontAsk);
    box.exec();
    if (box.clickedButton() != accept)
        return false;
    if (dontAsk->isChecked()) {
        // Edit > Preferences > Confirmations turns it back on.
        preferences.*ask = false;
        preferences.save();
    }
    return true;
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
    return confirmLoss(&Preferences::confirmQuit, u"Quit ZmqScope"_s,
        u"Quit ZmqScope? "_s + lost.join(u"; "_s) + u'.', u"&Quit"_s);
}

void MainWindow::copySelectedRows()
{
    const MessageTableModel *model = m_messages->model();
    const QHeaderView *header = m_messages->table()->horizontalHeader();
    // The columns as the table shows them: in their visual order, hidden ones left out.
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int column = header->logicalIndex(visual);
        if (!header->isSectionHidden(column))
            columns.append(column);
    }
    QStringList lines;
    for (const std::uint64_t seq : m_messages->selectedSeqs()) {
        const QStringList cells = model->rowTexts(seq);
        if (cells.isEmpty())
            continue; // evicted since it was selected
        QStringList shown;
        for (const int column : std::as_const(columns))
            shown.append(cells.value(column));
        lines.append(shown.join(u'\t'));
    }
    if (lines.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(lines.join(u'\n'));
    statusBar()->showMessage(
        lines.size() == 1 ? u"Copied 1 row"_s : u"Copied %1 rows"_s.arg(QLocale().toString(lines.size())),
        5000);
}

void MainWindow::fitSocketCountColumns()
{
    QHeaderView *header = m_socketView->header();
    for (const int column :
        { SocketListModel::InColumn, SocketListModel::OutColumn, SocketListModel::RateColumn }) {
        // What the delegate needs for the widest text shown, margins included (public in the base class).
        const QAbstractItemView *view = m_socketView;
        const int needed = std::max(view->sizeHintForColumn(column), header->sectionSizeHint(column));
        if (header->sectionSize(column) < needed)
            header->resizeSection(column, needed);
    }
}

void MainWindow::setTimeDisplay(int display)
{
    display = std::clamp(display, 0, int(m_timeDisplayActions.size()) - 1);
    m_messages->model()->setTimeDisplay(MessageTableModel::TimeDisplay(display));
    m_timeDisplayActions.at(display)->setChecked(true);
}

void MainWindow::handleSocketOpened(SocketId id, const QStringList &boundEndpoints)
{
    Q_UNUSED(boundEndpoints);
    m_socketModel->refresh();
    // A newly opened socket is what the user works with next: select it.
    const int row = m_socketModel->rowForSocket(id);
    if (row >= 0 && !m_socketView->selectionModel()->hasSelection())
        m_socketView->setCurrentIndex(m_socketModel->index(row, 0));
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
    menu.addAction(m_newSocketAction);
    if (index.isValid()) {
        menu.addAction(m_closeSocketAction);
        menu.addAction(m_reopenSocketAction);
        menu.addAction(m_editSocketAction);
        menu.addSeparator();
        const SocketId id = SocketId(index.data(SocketListModel::SocketIdRole).toUInt());
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

bool MainWindow::openWorkspace(const QString &fileName, QString *error)
{
    QString message;
    const std::optional<Workspace> workspace = Workspace::load(fileName, &message);
    if (!workspace) {
        m_eventModel->addLine(message, true);
        if (error)
            *error = message;
        return false;
    }
    for (const SocketSpec &spec : workspace->sockets())
        openSocket(spec);
    m_workspaceDir = QFileInfo(fileName).absolutePath();
    m_eventModel->addLine(u"Opened workspace %1: %2 sockets"_s.arg(QDir::toNativeSeparators(fileName))
                              .arg(workspace->sockets().size()));
    return true;
}

bool MainWindow::saveWorkspace(const QString &fileName, QString *error)
{
    QList<SocketSpec> specs;
    for (const SocketInfo &info : m_socketModel->sockets()) {
        if (info.state != SocketState::Closed && info.state != SocketState::Failed)
            specs.append(info.spec);
    }
    QString message;
    if (!Workspace(specs).save(fileName, &message)) {
        m_eventModel->addLine(message, true);
        if (error)
            *error = message;
        return false;
    }
    m_workspaceDir = QFileInfo(fileName).absolutePath();
    m_eventModel->addLine(
        u"Saved workspace %1: %2 sockets"_s.arg(QDir::toNativeSeparators(fileName)).arg(specs.size()));
    return true;
}

void MainWindow::openWorkspaceInteractively()
{
    const QString fileName
        = QFileDialog::getOpenFileName(this, u"Open Workspace"_s, m_workspaceDir, WorkspaceFilter);
    if (fileName.isEmpty())
        return;
    QString error;
    if (!openWorkspace(fileName, &error))
        QMessageBox::warning(this, u"Open Workspace"_s, error);
}

void MainWindow::saveWorkspaceInteractively()
{
    QString fileName = QFileDialog::getSaveFileName(
        this, u"Save Workspace"_s, QDir(m_workspaceDir).filePath(u"workspace.zmqscope"_s), WorkspaceFilter);
    if (fileName.isEmpty())
        return;
    QString error;
    if (!saveWorkspace(fileName, &error))
        QMessageBox::warning(this, u"Save Workspace"_s, error);
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
