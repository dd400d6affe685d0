#pragma once

#include <optional>

#include <QList>
#include <QObject>

#include <zmqscope/engine/engine.h>

class QAction;
class QWidget;
class SniffDialog;

namespace zmqscope {

class MessageTableModel;

class SocketListModel;
class SocketsView;

/**
 * The main window's live capture (issue 15): Capture > Sniff Interface opens the dialog and the
 * sniffer, whose row and its connections' rows show in the Sockets panel and whose messages go
 * through the engine and store like any socket's (the table, filters, recording, export, replay);
 * Reopen of a stopped or failed sniffer; a workspace's sniffers.
 */
class SniffController : public QObject
{
    Q_OBJECT
public:
    SniffController(
        Engine &engine, SocketListModel &sockets, SocketsView &view, QAction &sniffAction, QWidget &window);

    /// Opens a sniffer as the dialog does; its row shows at once. Returns its id.
    SocketId openSniffer(const SniffSpec &spec);
    /// The Sniff Interface dialog with the machine's interfaces; OK opens the sniffer.
    void showSniffDialog();
    /// Reopen for a sniffer's row (stopped or failed): the old row gives way. 0 (doing nothing) when
    /// info is not a sniffer's.
    SocketId reopenSniffer(const SocketInfo &info);
    /// Edit for a sniffer's row: the dialog filled from it; applying stops it and opens the new one.
    /// False when info is not a sniffer's.
    bool editSniffer(const SocketInfo &info);

    /// Reopen and Edit for the selected row (after the generic rules set them): a sniffed connection is
    /// no socket of ours (its sniffer is reopened or edited instead), and Edit says Edit Sniffer for a
    /// sniffer.
    void updateActions(const std::optional<SocketInfo> &selected, QAction &reopen, QAction &edit) const;
    /// The view tick: the table learns the sizes of sniffed CURVE messages, stored without frames
    /// (only when there are new ones: telling the model repaints every row).
    void refresh(MessageTableModel &table);

    /// The running sniffers' specs (for a workspace file).
    [[nodiscard]] QList<SniffSpec> openSnifferSpecs() const;
    /// Opens a workspace file's sniffers.
    void openSniffers(const QList<SniffSpec> &specs);

private:
    /// The dialog with the machine's interfaces and the names in use but `except`'s.
    [[nodiscard]] SniffDialog *createDialog(SocketId except);

    Engine &m_engine;
    SocketListModel &m_sockets;
    SocketsView &m_view;
    QWidget &m_window;
    qsizetype m_encryptedShown = 0; ///< encrypted sizes the table has been given
};

} // namespace zmqscope
