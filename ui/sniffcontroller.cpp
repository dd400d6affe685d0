#include "sniffcontroller.h"

#include <QAction>

#include <zmqscope/capture/pcapsource.h>

#include "compose/sniffdialog.h"
#include "messagetablemodel.h"
#include "socketlistmodel.h"
#include "socketsview.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

SniffController::SniffController(
    Engine &engine, SocketListModel &sockets, SocketsView &view, QAction &sniffAction, QWidget &window)
    : QObject(&window)
    , m_engine(engine)
    , m_sockets(sockets)
    , m_view(view)
    , m_window(window)
{
    connect(&sniffAction, &QAction::triggered, this, &SniffController::showSniffDialog);
}

void SniffController::updateActions(
    const std::optional<SocketInfo> &selected, QAction &reopen, QAction &edit) const
{
    if (!selected)
        return;
    if (selected->wire) {
        reopen.setEnabled(false);
        edit.setEnabled(false);
    }
    if (selected->sniff)
        edit.setText(u"&Edit Sniffer\u2026"_s);
}

void SniffController::refresh(MessageTableModel &table)
{
    const QHash<std::uint64_t, std::uint64_t> sizes = m_engine.encryptedSizes();
    if (sizes.size() == m_encryptedShown)
        return;
    m_encryptedShown = sizes.size();
    table.setEncryptedSizes(sizes);
}

SniffDialog *SniffController::createDialog(SocketId except)
{
    // The machine's interfaces as libpcap lists them; without a list the interface is typed.
    const Result<QStringList> interfaces = PcapSource::interfaces();
    auto *dialog = new SniffDialog(
        interfaces.valueOr({}), interfaces ? QString() : interfaces.errorMessage(), &m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setExistingNames(m_sockets.namesInUse(except));
    return dialog;
}

SocketId SniffController::openSniffer(const SniffSpec &spec)
{
    const SocketId id = m_engine.openSniffer(spec);
    // Show the row at once (state "opening") rather than on the next tick.
    m_sockets.refresh();
    return id;
}

void SniffController::showSniffDialog()
{
    SniffDialog *dialog = createDialog(0);
    connect(dialog, &QDialog::accepted, this,
        [this, dialog] { m_view.selectSocket(openSniffer(dialog->spec())); });
    dialog->open();
}

SocketId SniffController::reopenSniffer(const SocketInfo &info)
{
    if (!info.sniff)
        return 0;
    m_sockets.removeSocket(info.id);
    const SocketId id = openSniffer(info.sniff->spec);
    m_view.selectSocket(id);
    return id;
}

bool SniffController::editSniffer(const SocketInfo &info)
{
    if (!info.sniff)
        return false;
    SniffDialog *dialog = createDialog(info.id);
    dialog->setSpec(info.sniff->spec);
    connect(dialog, &QDialog::accepted, this, [this, dialog, id = info.id] {
        // As Edit Socket: the old row gives way (the capture stops first, its connections' rows stay).
        m_engine.closeSocket(id);
        m_sockets.removeSocket(id);
        m_view.selectSocket(openSniffer(dialog->spec()));
    });
    dialog->open();
    return true;
}

QList<SniffSpec> SniffController::openSnifferSpecs() const
{
    QList<SniffSpec> specs;
    for (const SocketInfo &info : m_sockets.sockets()) {
        if (info.sniff && info.state != SocketState::Closed && info.state != SocketState::Failed)
            specs.append(info.sniff->spec);
    }
    return specs;
}

void SniffController::openSniffers(const QList<SniffSpec> &specs)
{
    for (const SniffSpec &spec : specs)
        openSniffer(spec);
}

} // namespace zmqscope
