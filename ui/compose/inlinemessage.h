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
/// Shows the text, or hides the label when the text is empty.
void show(QLabel *label, const QString &text);
/// Gives the label the error colour (true) or the muted hint colour (false).
void setError(QLabel *label, bool error);

} // namespace InlineMessage
