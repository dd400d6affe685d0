#pragma once

class QAbstractItemView;

namespace ViewHelpers {

/// Writes the text of a cell editor that is still open into the model, so that an action
/// started by a shortcut that leaves the focus in the cell (Send on Ctrl+Return) sees what was typed.
void commitOpenEditor(QAbstractItemView *view);

} // namespace ViewHelpers
