#pragma once

#include <QList>
#include <QString>
#include <QStringList>

class QComboBox;
class QDialog;
class QDialogButtonBox;
class QLabel;
class QObject;
class QWidget;

/// Pieces the socket and tap dialogs share, written once.
namespace FormParts {

/// One thing that keeps a dialog's OK disabled, and where it is shown.
struct Problem
{
    int tab = 0; ///< the tab its field is on
    QString field; ///< which inline label shows it ("name", "endpoint 0", "advanced")
    QString text; ///< the whole line, with its context ("Endpoint 2: ...")
    QString inlineText; ///< what the label next to the field says
};

/// The problems' whole lines.
[[nodiscard]] QStringList problemTexts(const QList<Problem> &problems);
/// What the inline label of `field` shows: its problems' lines (with their context or not), cut as
/// inlineLines() does.
[[nodiscard]] QString inlineText(const QList<Problem> &problems, const QString &field, bool withContext);
/// Open (or okText) and Cancel, connected to the dialog's accept() and reject(); OK is "okButton".
[[nodiscard]] QDialogButtonBox *createDialogButtons(QDialog &dialog, const QString &okText);
/**
 * Edit mode: a note at the top of the dialog saying what applying does (made once, in `note`),
 * and OK becomes "Apply and Reopen". The note is plain text and long runs may wrap: it quotes a
 * name from the user or a workspace file.
 */
void showEditNote(QDialog &dialog, QLabel *&note, const QString &text, QDialogButtonBox &buttons);

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
