#include "tapcontroller.h"

#include <QAction>
#include <QDockWidget>
#include <QMainWindow>
#include <QMenu>
#include <QScrollArea>

#include "compose/newtapdialog.h"
#include "mainactions.h"
#include "socketlistmodel.h"
#include "socketsview.h"
#include "tapmonitorview.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

TapController::TapController(Engine &engine, SocketListModel &sockets, SocketsView &view,
    const MainActions &actions, QMainWindow &window)
    : QObject(&window)
    , m_engine(engine)
    , m_sockets(sockets)
    , m_view(view)
    , m_window(window)
    , m_editAction(actions.editSocket)
    , m_monitorAction(actions.monitorTap)
{
    m_monitor = new TapMonitorView;
    m_dock = new QDockWidget(u"Tap Monitor"_s, &window);
    m_dock->setObjectName(u"tapMonitorDock"_s);
    // Its two sides need more than a small screen's Detail column: they scroll there, rather than
    // making the window's minimum size larger than the screen.
    auto *area = new QScrollArea(m_dock);
    area->setObjectName(u"tapMonitorScroll"_s);
    area->setWidget(m_monitor);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    m_dock->setWidget(area);
    // Hidden until there is a tap to show (the layout keeps it so, View > Tap Monitor shows it).
    m_dock->hide();
    m_dock->setFeatures(
        QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    connect(m_monitor, &TapMonitorView::shownTapChanged, this, [this](SocketId id, const QString &name) {
        // The tap's name is the user's: the title is plain text anyway.
        m_dock->setWindowTitle(id == 0 || name.isEmpty() ? u"Tap Monitor"_s : u"Tap Monitor: "_s + name);
    });
    // Every tap line from the start, so a tap picked later shows its whole recent history.
    connect(&engine, &Engine::eventLogged, m_monitor, &TapMonitorView::addEvent);
    connect(&engine, &Engine::socketOpened, this, [this](SocketId id) { handleSocketOpened(id); });

    connect(actions.newTap, &QAction::triggered, this, &TapController::showNewTapDialog);
    connect(m_monitorAction, &QAction::triggered, this, [this] {
        if (const auto socket = m_view.selectedSocket(); socket && socket->tap)
            monitorTap(socket->id);
    });
}

TapController::~TapController() = default;

SocketId TapController::openTap(const TapSpec &spec)
{
    const SocketId id = m_engine.openTap(spec);
    // Show the row at once (state "opening") rather than on the next tick.
    m_sockets.refresh();
    return id;
}

void TapController::showNewTapDialog()
{
    auto *dialog = new NewTapDialog(&m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setExistingNames(m_sockets.namesInUse(0));
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const SocketId id = openTap(dialog->spec());
        m_view.selectSocket(id);
    });
    dialog->open();
}

bool TapController::editTap(const SocketInfo &info)
{
    if (!info.tap)
        return false;
    auto *dialog = new NewTapDialog(&m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setEditedTap(info.tap->spec, m_sockets.namesInUse(info.id));
    const bool open = info.state != SocketState::Closed && info.state != SocketState::Failed;
    connect(dialog, &QDialog::accepted, this, [this, dialog, id = info.id, open] {
        // As Edit Socket: the old row gives way. The engine counts an open tap's name as taken until
        // its close is done, so the new tap opens once the old one has closed: it keeps the name, and
        // the listen endpoint is free again.
        const TapSpec spec = dialog->spec();
        const auto reopen = [this, spec] {
            const SocketId newId = openTap(spec);
            m_view.selectSocket(newId);
            monitorTapIfShown(newId);
        };
        m_sockets.removeSocket(id);
        if (!open) {
            reopen();
            return;
        }
        auto *once = new QObject(this);
        connect(&m_engine, &Engine::socketClosed, once, [once, id, reopen](SocketId closed) {
            if (closed != id)
                return;
            once->deleteLater();
            reopen();
        });
        m_engine.closeSocket(id);
    });
    dialog->open();
    return true;
}

SocketId TapController::reopenTap(const SocketInfo &info)
{
    if (!info.tap)
        return 0;
    m_sockets.removeSocket(info.id);
    const SocketId id = openTap(info.tap->spec);
    m_view.selectSocket(id);
    return id;
}

void TapController::monitorTap(SocketId id)
{
    m_monitor->showTap(id);
    m_dock->show();
    // QWidget::raise() does nothing for the main window's last child, and only its event picks a dock's
    // tab: once raised, a dock would never come to the front again without the lower() first.
    m_dock->lower();
    m_dock->raise();
}

void TapController::monitorTapIfShown(SocketId id)
{
    if (m_dock->isVisible())
        m_monitor->showTap(id);
}

QList<TapSpec> TapController::openTapSpecs() const
{
    QList<TapSpec> taps;
    for (const SocketInfo &info : m_sockets.sockets()) {
        if (info.tap && info.state != SocketState::Closed && info.state != SocketState::Failed)
            taps.append(info.tap->spec);
    }
    return taps;
}

void TapController::openTaps(const QList<TapSpec> &specs)
{
    for (const TapSpec &spec : specs)
        openTap(spec);
}

void TapController::addContextMenuActions(QMenu &menu, const QModelIndex &index) const
{
    if (!index.data(SocketListModel::IsTapRole).toBool())
        return;
    menu.addAction(m_monitorAction);
    // A tap only forwards what its peers send; it has no messages of its own to send.
    menu.addAction(u"Send: not on a tap, it only forwards (send from a client or the server)"_s)
        ->setEnabled(false);
}

void TapController::updateActions(const std::optional<SocketInfo> &selected)
{
    const bool tap = selected && selected->tap;
    m_editAction->setText(tap ? u"&Edit Tap\u2026"_s : u"&Edit Socket\u2026"_s);
    m_monitorAction->setEnabled(tap);
}

void TapController::setSockets(const QList<SocketInfo> &sockets)
{
    m_monitor->setSockets(sockets);
}

void TapController::setSelectedSocket(const std::optional<SocketInfo> &socket)
{
    // Another socket selected: the monitor keeps the tap it shows, never goes blank.
    if (socket && socket->tap)
        m_monitor->showTap(socket->id);
}

void TapController::refresh()
{
    if (!m_dock->isVisible() || m_monitor->shownTap() == 0)
        return;
    const int row = m_sockets.rowForSocket(m_monitor->shownTap());
    if (row >= 0)
        m_monitor->updateTap(m_sockets.socketAt(row));
}

void TapController::handleSocketOpened(SocketId id)
{
    const std::optional<SocketInfo> info = m_engine.socket(id);
    if (!info || !info->tap)
        return;
    // The first tap brings the monitor into view; later ones show when selected (and a monitor the
    // user closed stays closed).
    if (!m_monitorIntroduced) {
        m_monitorIntroduced = true;
        m_sockets.refresh();
        monitorTap(id);
    }
}

} // namespace zmqscope
