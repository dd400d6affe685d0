#pragma once

#include <QString>
#include <QStringList>

class QComboBox;
class QObject;
class QWidget;

/// Pieces the socket and tap dialogs share, written once.
namespace FormParts {

/// An editable endpoint field offering the recent endpoints, completing on any part of them.
[[nodiscard]] QComboBox *createEndpointEdit(
    QWidget *parent, const QStringList &recent, const QString &text, const QString &placeholder);
/// What an inline error label shows for a field's problems: the first few lines, then "…and N more",
/// so a pasted wall of bad lines does not become a wall of errors.
[[nodiscard]] QString inlineLines(const QStringList &lines);
/**
 * Disconnects every child of owner from it. For a dialog's destructor: QDialog's destructor hides
 * the dialog, which commits an open list editor and emits signals into the half-destroyed object.
 */
void disconnectChildren(QObject &owner);

} // namespace FormParts
