#pragma once

#include <QList>

class QAction;
class QWidget;

namespace zmqscope {

class FilterBar;
class MessageDetailView;
class SocketListModel;

namespace filteron {

/**
 * The Messages table's "Filter on This Id", "Filter on This Mimetype" and "Filter on This Socket's
 * Name": each puts an expression matching exactly the current message's value (FilterExpression::quote:
 * quotes and binary bytes escaped) into the filter box and applies it, where the user can then edit
 * it; it joins the recent filters. Parented to `parent`; a raw message has no id or mimetype to filter
 * on (the action then does nothing).
 */
[[nodiscard]] QList<QAction *> makeActions(
    QWidget &parent, const MessageDetailView &detail, const SocketListModel &sockets, FilterBar &bar);

} // namespace filteron

} // namespace zmqscope
