#include "workspacecontroller.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QWidget>

#include "compose/passwordprompt.h"
#include "compose/workspace.h"
#include "eventlogmodel.h"
#include "sniffcontroller.h"
#include "socketlistmodel.h"
#include "tapcontroller.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {
const auto WorkspaceFilter = u"ZmqScope workspaces (*.zmqscope *.json);;All files (*)"_s;
} // namespace

WorkspaceController::WorkspaceController(SocketListModel &sockets, EventLogModel &events, TapController &taps,
    SniffController &sniffers, Hooks hooks, QWidget &window)
    : QObject(&window)
    , m_sockets(sockets)
    , m_events(events)
    , m_taps(taps)
    , m_sniffers(sniffers)
    , m_hooks(std::move(hooks))
    , m_window(window)
{ }

zmqscope::Result<void> WorkspaceController::open(const QString &fileName)
{
    zmqscope::Result<Workspace> workspace = Workspace::load(fileName);
    if (!workspace) {
        m_events.addLine(workspace.errorMessage(), true);
        return std::move(workspace).error();
    }
    // Passwords are never saved: asked for now, and a socket whose prompt was declined stays closed.
    QStringList skipped;
    *workspace = PasswordPrompt::withPasswords(&m_window, *workspace, skipped);
    for (const QString &name : std::as_const(skipped))
        m_events.addLine(u"Not opened: %1 (its PLAIN password was not given)"_s.arg(name), true);
    for (const SocketSpec &spec : workspace->sockets())
        m_hooks.openSocket(spec);
    m_taps.openTaps(workspace->taps());
    if (!workspace->decodeRules().isEmpty())
        m_hooks.applyDecodeRules(workspace->decodeRules());
    if (!workspace->savedFilters().isEmpty())
        m_hooks.applySavedFilters(workspace->savedFilters());
    m_sniffers.openSniffers(workspace->sniffers());
    m_lastDirectory = QFileInfo(fileName).absolutePath();
    m_events.addLine(
        u"Opened workspace %1: %2 sockets, %3 taps, %4 sniffers"_s.arg(QDir::toNativeSeparators(fileName))
            .arg(workspace->sockets().size())
            .arg(workspace->taps().size())
            .arg(workspace->sniffers().size()));
    return {};
}

zmqscope::Result<void> WorkspaceController::save(const QString &fileName)
{
    QList<SocketSpec> specs;
    for (const SocketInfo &info : m_sockets.sockets()) {
        if (!info.tap && !info.sniff && !info.wire && info.state != SocketState::Closed
            && info.state != SocketState::Failed)
            specs.append(info.spec);
    }
    const QList<TapSpec> taps = m_taps.openTapSpecs();
    const QList<SniffSpec> sniffers = m_sniffers.openSnifferSpecs();
    Workspace workspace(specs, taps, sniffers);
    workspace.setDecodeRules(m_hooks.decodeRules());
    workspace.setSavedFilters(m_hooks.savedFilters());
    zmqscope::Result<void> saved = workspace.save(fileName);
    if (!saved) {
        m_events.addLine(saved.errorMessage(), true);
        return saved;
    }
    for (const QString &line : workspace.unsavedKeyWarnings())
        m_events.addLine(line, true);
    m_lastDirectory = QFileInfo(fileName).absolutePath();
    m_events.addLine(
        u"Saved workspace %1: %2 sockets, %3 taps, %4 sniffers"_s.arg(QDir::toNativeSeparators(fileName))
            .arg(specs.size())
            .arg(taps.size())
            .arg(sniffers.size()));
    return {};
}

void WorkspaceController::openInteractively()
{
    const QString fileName
        = QFileDialog::getOpenFileName(&m_window, u"Open Workspace"_s, m_lastDirectory, WorkspaceFilter);
    if (fileName.isEmpty())
        return;
    const zmqscope::Result<void> opened = open(fileName);
    if (!opened)
        QMessageBox::warning(&m_window, u"Open Workspace"_s, opened.errorMessage());
}

void WorkspaceController::saveInteractively()
{
    const QString fileName = QFileDialog::getSaveFileName(&m_window, u"Save Workspace"_s,
        QDir(m_lastDirectory).filePath(u"workspace.zmqscope"_s), WorkspaceFilter);
    if (fileName.isEmpty())
        return;
    const zmqscope::Result<void> saved = save(fileName);
    if (!saved)
        QMessageBox::warning(&m_window, u"Save Workspace"_s, saved.errorMessage());
}

} // namespace zmqscope
