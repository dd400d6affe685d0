#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

#include <zmqscope/store/messagestore.h>

namespace zmqscope::directionicons {

// Which way a message went, as the Messages table, the Detail pane and the filter show it. The icons are
// drawn here, not taken from the desktop's theme: each direction has its own shape (in: down into a tray,
// out: up out of it, c2s: right towards the server, s2c: left back to the client) and its own colour, so
// they stay apart on every theme and for people who tell colours apart poorly.

/// The colour of the direction's icon and text (medium lightness: readable on light and dark palettes).
[[nodiscard]] QColor color(Direction direction);
/// The direction's icon (16 to 32 px; the same image on every machine).
[[nodiscard]] QIcon icon(Direction direction);
/// "in (received)", "out (sent)", "c2s: client → server", "s2c: server → client".
[[nodiscard]] QString description(Direction direction);
/// "received", "sent", "client → server", "server → client": the words after the short name.
[[nodiscard]] QString words(Direction direction);

} // namespace zmqscope::directionicons
