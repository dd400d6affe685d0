// The main window's actions (what each one does), its menus, its tool bar and the Messages table's
// context menu; mainwindow.cpp has the rest of MainWindow.

#include <QAction>
#include <QActionGroup>
#include <QDockWidget>
#include <QKeySequence>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QTableView>
#include <QToolBar>

#include "analysis/analysisdocks.h"
#include "capture/capturecontroller.h"
#include "compose/composerwidget.h"
#include "compose/generatekeysdialog.h"
#include "detail/messagedetailview.h"
#include "filterbar.h"
#include "filteron.h"
#include "library/librarypanel.h"
#include "mainactions.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "socketlistmodel.h"
#include "tapcontroller.h"
#include "workspacecontroller.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {
const auto TimeDisplayKey = u"MainWindow/timeDisplay"_s;
// The settings values of MessageTableModel::TimeDisplay, in its order.
const QStringList TimeDisplayNames { u"absolute"_s, u"sinceFirst"_s, u"sincePrevious"_s };
} // namespace

void MainWindow::createActions()
{
    connect(m_actions.newSocket, &QAction::triggered, this, &MainWindow::showNewSocketDialog);
    connect(m_actions.closeSocket, &QAction::triggered, this, &MainWindow::closeSelectedSocket);
    connect(m_actions.reopenSocket, &QAction::triggered, this, &MainWindow::reopenSelectedSocket);
    connect(m_actions.editSocket, &QAction::triggered, this, &MainWindow::editSelectedSocket);
    connect(m_actions.generateKeys, &QAction::triggered, this, [this] { GenerateKeysDialog::openFor(this); });
    connect(m_actions.decoders, &QAction::triggered, this, &MainWindow::showDecodersDialog);

    // The composer owns Send (it knows whether there is something to send); we put it in the menus.
    m_sendAction = m_composer->sendAction();
    m_sendAction->setIcon(MainActions::themedIcon(u"mail-send"_s, u"send"_s));
    connect(m_actions.reply, &QAction::triggered, this, &MainWindow::replyToCurrentMessage);
    connect(m_actions.editResend, &QAction::triggered, this, [this] {
        StoredMessage message;
        if (const auto seq = m_messages->currentSeq(); seq && m_store.message(*seq, message)) {
            m_composer->loadMessage(message, message.socket);
            m_composerDock->show();
            m_composerDock->raise();
        }
    });
    connect(m_actions.find, &QAction::triggered, this, [this] { m_messages->filterBar()->focusText(); });
    connect(m_actions.pause, &QAction::toggled, this, &MainWindow::handlePauseToggled);
    m_actions.follow->setChecked(m_messages->isFollowing());
    connect(m_actions.follow, &QAction::triggered, this,
        [this](bool checked) { m_messages->setFollowing(checked); });
    connect(m_actions.clear, &QAction::triggered, this, &MainWindow::clearMessages);
    connect(
        m_actions.openWorkspace, &QAction::triggered, m_workspaces, &WorkspaceController::openInteractively);
    connect(
        m_actions.saveWorkspace, &QAction::triggered, m_workspaces, &WorkspaceController::saveInteractively);
    connect(m_actions.quit, &QAction::triggered, this, &QWidget::close);
    connect(m_actions.about, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_actions.preferences, &QAction::triggered, this, &MainWindow::showPreferences);
    connect(m_actions.resetLayout, &QAction::triggered, this, &MainWindow::resetLayout);

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
    const QList<QAction *> filterOn
        = filteron::makeActions(*table, *m_detail, *m_socketModel, *m_messages->filterBar());
    auto *separator = new QAction(table);
    separator->setSeparator(true);
    table->addActions({ m_actions.reply, m_actions.editResend, copyRow, filterSocket, separator });
    table->addActions(filterOn);
}

void MainWindow::createMenusAndToolBar()
{
    QMenu *file = menuBar()->addMenu(u"&File"_s);
    file->addAction(m_capture->openCaptureAction());
    file->addMenu(m_capture->recentCapturesMenu());
    file->addAction(m_capture->exportAction());
    file->addAction(m_capture->replayFileAction());
    file->addSeparator();
    file->addAction(m_actions.openWorkspace);
    file->addAction(m_actions.saveWorkspace);
    file->addSeparator();
    file->addAction(m_actions.quit);

    QMenu *edit = menuBar()->addMenu(u"&Edit"_s);
    edit->addAction(m_actions.preferences);

    QMenu *socket = menuBar()->addMenu(u"&Socket"_s);
    socket->addAction(m_actions.newSocket);
    socket->addAction(m_actions.closeSocket);
    socket->addAction(m_actions.reopenSocket);
    socket->addAction(m_actions.editSocket);
    socket->addSeparator();
    socket->addAction(m_actions.generateKeys);

    QMenu *message = menuBar()->addMenu(u"&Message"_s);
    message->addAction(m_sendAction);
    message->addAction(m_composer->stopAction());
    message->addAction(m_actions.reply);
    message->addAction(m_actions.editResend);
    message->addSeparator();
    message->addAction(m_actions.find);
    message->addAction(m_actions.clear);

    QMenu *capture = menuBar()->addMenu(u"&Capture"_s);
    capture->addAction(m_actions.newTap);
    capture->addAction(m_actions.monitorTap);
    capture->addAction(m_actions.sniffInterface);
    capture->addSeparator();
    capture->addAction(m_capture->recordAction());
    capture->addAction(m_capture->recordToAction());
    capture->addSeparator();
    capture->addAction(m_capture->replaySelectionAction());
    capture->addAction(m_capture->replayFileAction());

    QMenu *view = menuBar()->addMenu(u"&View"_s);
    view->addAction(m_actions.pause);
    view->addAction(m_actions.follow);
    view->addAction(m_actions.decoders);
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
    for (QDockWidget *dock : { m_socketsDock, m_detailDock, m_composerDock, m_eventsDock, m_libraryDock,
             m_plotsDock, m_statisticsDock, m_analysis->conversationsDock(), m_analysis->healthDock(),
             m_taps->monitorDock() })
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    view->addAction(m_actions.resetLayout);

    QMenu *help = menuBar()->addMenu(u"&Help"_s);
    help->addAction(m_actions.about);

    QToolBar *toolBar = m_toolBar = addToolBar(u"Main"_s);
    toolBar->setObjectName(u"mainToolBar"_s);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->setIconSize(QSize(20, 20));
    toolBar->setMovable(false);
    toolBar->addAction(m_actions.newSocket);
    toolBar->addAction(m_actions.closeSocket);
    toolBar->addAction(m_actions.reopenSocket);
    toolBar->addSeparator();
    toolBar->addAction(m_sendAction);
    toolBar->addAction(m_actions.reply);
    toolBar->addSeparator();
    toolBar->addAction(m_actions.pause);
    toolBar->addAction(m_actions.follow);
    toolBar->addAction(m_actions.clear);
    toolBar->addSeparator();
    toolBar->addAction(m_capture->recordAction());
    toolBar->addSeparator();
    toolBar->addAction(m_actions.find);
    view->insertAction(m_actions.resetLayout, toolBar->toggleViewAction());
}

void MainWindow::setTimeDisplay(int display)
{
    display = std::clamp(display, 0, int(m_timeDisplayActions.size()) - 1);
    m_messages->model()->setTimeDisplay(MessageTableModel::TimeDisplay(display));
    m_timeDisplayActions.at(display)->setChecked(true);
}

} // namespace zmqscope
