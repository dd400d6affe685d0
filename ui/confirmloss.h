#pragma once

#include <QString>

#include "preferences.h"

class QWidget;

namespace zmqscope {

/**
 * Asks (modal, over parent) before work is lost, unless the preference `ask` says not to; the
 * box's "Don't ask again" clears that preference. True to go on. text is plain text (it can name
 * a file).
 */
[[nodiscard]] bool confirmLoss(QWidget *parent, bool Preferences::*ask, const QString &title,
    const QString &text, const QString &acceptText);

} // namespace zmqscope
