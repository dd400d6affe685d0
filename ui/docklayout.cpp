#include "docklayout.h"

#include <algorithm>

#include <QDockWidget>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenuBar>
#include <QScrollBar>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QTreeView>

#include "socketlistmodel.h"

namespace zmqscope {

void resetDockLayout(QMainWindow &window, const MainDocks &docks)
{
    const QList<QDockWidget *> all { docks.sockets, docks.detail, docks.composer, docks.events,
        docks.library };
    // Out of every split and tab first: a dock added next to one in a tab group would join the group.
    const bool tapMonitorShown = docks.tapMonitor && !docks.tapMonitor->isHidden();
    QList<QDockWidget *> placed = all;
    if (docks.tapMonitor)
        placed.append(docks.tapMonitor);
    if (docks.statistics)
        placed.append(docks.statistics);
    for (QDockWidget *dock : placed) {
        dock->setFloating(false);
        window.removeDockWidget(dock);
    }
    // The size the window has or was given (restoreSettings() sizes it before it is shown).
    const QSize size = window.size().isValid() && (window.isVisible() || window.testAttribute(Qt::WA_Resized))
        ? window.size()
        : QSize(1600, 1000);

    // Messages in the middle with the Sockets and Events panels under them; the right column
    // holds what works on one message: its Detail and the Composer, one over the other when the
    // Composer fits whole under a Detail of its minimum height, else as tabs.
    const int chrome = window.menuBar()->sizeHint().height()
        + (docks.toolBar ? docks.toolBar->sizeHint().height() : 0) + window.statusBar()->sizeHint().height();
    const int composerTitle
        = docks.composer->minimumSizeHint().height() - docks.composer->widget()->minimumSizeHint().height();
    const int composerNeeded = composerTitle + docks.composerWidget->minimumSizeHint().height();
    const int detailNeeded = docks.detail->minimumSizeHint().height();
    const int separator = window.style()->pixelMetric(QStyle::PM_DockWidgetSeparatorExtent, nullptr, &window);
    const bool stacked = size.height() - chrome >= detailNeeded + separator + composerNeeded;
    if (stacked) {
        window.addDockWidget(Qt::RightDockWidgetArea, docks.detail);
        window.splitDockWidget(docks.detail, docks.composer, Qt::Vertical);
    } else {
        // The Composer's tab first: it is the one in front until the window is shown and can raise().
        window.addDockWidget(Qt::RightDockWidgetArea, docks.composer);
        window.tabifyDockWidget(docks.composer, docks.detail);
    }

    // The Sockets panel gets what its columns need, the Endpoints (last, cut in the middle) at least
    // their title; the Events log the rest of the row. Where that leaves the Events log too little,
    // it is a tab beside the Sockets.
    const QHeaderView *socketColumns = docks.socketView->header();
    int socketsWidth
        = 2 * docks.socketView->frameWidth() + docks.socketView->verticalScrollBar()->sizeHint().width() + 8;
    int socketsNeeded = socketsWidth + socketColumns->sectionSizeHint(SocketListModel::EndpointsColumn);
    for (int column = 0; column < socketColumns->count(); ++column) {
        const int width = socketColumns->isSectionHidden(column) ? 0 : socketColumns->sectionSize(column);
        socketsWidth += width;
        socketsNeeded += column == SocketListModel::EndpointsColumn ? 0 : width;
    }
    // The right column fits a whole hex line (offset, 16 bytes, their ASCII) at the default font, and
    // the Composer's own width where the messages keep about half the window and the Sockets panel
    // its columns: narrower, the Composer scrolls sideways and its wrapped lines make it taller.
    const int composerWidth = docks.composerWidget->minimumSizeHint().width()
        + window.style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, &window) + 2;
    const int right = std::max(qBound(420, size.width() * 40 / 100, 680),
        std::min({ composerWidth, size.width() * 55 / 100, size.width() - socketsNeeded }));
    const int bottomWidth = size.width() - right;
    const bool eventsBeside = socketsNeeded <= bottomWidth * 66 / 100;

    // The Statistics share the Events' place as a tab (they count only while in view).
    QDockWidget *eventsPlace = docks.statistics ? docks.statistics : docks.events;
    window.addDockWidget(Qt::BottomDockWidgetArea, docks.sockets);
    if (eventsBeside) {
        window.splitDockWidget(docks.sockets, eventsPlace, Qt::Horizontal);
        if (docks.statistics)
            window.tabifyDockWidget(docks.statistics, docks.events);
    }
    // The Library is a tab beside the Sockets: wide enough for its list, the Composer stays in view.
    window.tabifyDockWidget(docks.sockets, docks.library);
    if (!eventsBeside) {
        if (docks.statistics)
            window.tabifyDockWidget(docks.sockets, docks.statistics);
        window.tabifyDockWidget(docks.sockets, docks.events);
    }
    if (docks.statistics)
        docks.statistics->show();
    // The Tap Monitor is a tab beside the Detail: the right column has the room for both of a tap's
    // sides, and picking a message brings the Detail forward (MainWindow).
    if (docks.tapMonitor) {
        window.tabifyDockWidget(docks.detail, docks.tapMonitor);
        docks.tapMonitor->setVisible(tapMonitorShown);
    }
    for (QDockWidget *dock : all)
        dock->show();
    docks.sockets->raise();
    if (tapMonitorShown)
        docks.tapMonitor->raise();
    // Tabbed, the Composer is in front (Send in view); picking a message brings the Detail forward.
    if (!stacked)
        docks.composer->raise();
    if (!stacked && !window.isVisible()) {
        // raise() picks a tab only in a shown window: again once this one is.
        QMetaObject::invokeMethod(
            docks.composer, [dock = docks.composer] { dock->raise(); }, Qt::QueuedConnection);
    }

    window.resizeDocks({ docks.detail }, { right }, Qt::Horizontal);
    if (stacked) {
        // The Composer gets what it needs at least, the Detail the rest up to about half.
        const int column = size.height() - chrome;
        const int composerHeight = std::max(composerNeeded, column * 48 / 100);
        window.resizeDocks(
            { docks.detail, docks.composer }, { column - composerHeight, composerHeight }, Qt::Vertical);
    }
    window.resizeDocks({ docks.sockets }, { qBound(160, size.height() * 24 / 100, 300) }, Qt::Vertical);
    if (eventsBeside) {
        socketsWidth
            = qBound(std::max(bottomWidth * 35 / 100, socketsNeeded), socketsWidth, bottomWidth * 66 / 100);
        window.resizeDocks(
            { docks.sockets, eventsPlace }, { socketsWidth, bottomWidth - socketsWidth }, Qt::Horizontal);
    }
}

} // namespace zmqscope
