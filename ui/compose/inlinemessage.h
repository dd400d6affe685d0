#pragma once

#include <QString>

class QLabel;
class QWidget;

/**
 * Inline error and hint lines for forms. They are plain-text labels: what
 * they show may quote received bytes or user input, never rendered as HTML.
 */
namespace InlineMessage {

/// A hidden, word-wrapping, plain-text label in an error colour readable on light and dark palettes.
[[nodiscard]] QLabel *createErrorLabel(QWidget *parent);
/// A plain-text label in a muted colour for hints ("Empty list: receive everything").
[[nodiscard]] QLabel *createHintLabel(const QString &text, QWidget *parent);
/// Shows the text, or hides the label when the text is empty, and fits its dialog (fitDialog()). Long runs
/// without a space (a 200-byte path) get invisible break opportunities (breakable()), so the label wraps them
/// instead of widening its dialog.
void show(QLabel *label, const QString &text);
/**
 * Makes the dialog label is in (if any) at least as tall as its layout wants
 * at its current width. A top-level layout only enforces its minimum size,
 * which does not know how many lines a wrapped label takes at this width, so
 * without this a new error line squashes the rows above it.
 */
void fitDialog(QWidget *widget);
/// What show() was given: the label's text without the break opportunities; empty when it is hidden.
[[nodiscard]] QString text(const QLabel *label);
/**
 * The text with a zero-width space after the separators of every run of more
 * than a few dozen characters without a space ('/', '.', ':', '_', '-', ...),
 * and every few dozen characters where a run has none, so that word wrapping
 * can break it. Shorter runs are left alone.
 */
[[nodiscard]] QString breakable(const QString &text);
/// Gives the label the error colour (true) or the muted hint colour (false).
void setError(QLabel *label, bool error);

} // namespace InlineMessage
