#pragma once

#include <optional>

#include <QTreeView>

#include <zmqscope/engine/engine.h>

namespace zmqscope {

class SocketListModel;

/**
 * The Sockets panel: one row per socket with its name, type, state, counts,
 * rate and endpoints. Columns are sized for their text at the current font, the
 * counts grow with their numbers instead of eliding digits, and the long
 * Endpoints column comes last, cut in the middle.
 */
class SocketsView : public QTreeView
{
    Q_OBJECT

public:
    SocketsView(SocketListModel &model, QWidget *parent = nullptr);

    [[nodiscard]] std::optional<SocketInfo> selectedSocket() const;
    [[nodiscard]] QList<SocketId> selectedSocketIds() const;
    /// Makes socket's row the current one, when it has a row.
    void selectSocket(SocketId socket);

private:
    /// Widens the type, state and count columns when their text would not fit.
    void fitCountColumns();

    SocketListModel &m_model;
};

} // namespace zmqscope
