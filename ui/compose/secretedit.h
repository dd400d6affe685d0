#pragma once

#include <QWidget>

class QLineEdit;
class QToolButton;

/**
 * A masked line edit for a secret (a CURVE secret key, a PLAIN password) with a "Show" toggle next to
 * it: the secret is shown only while the user asks, never by default, so a screen share or a
 * screenshot of a dialog does not give it away.
 */
class SecretEdit : public QWidget
{
    Q_OBJECT
public:
    /// objectName names the line edit (tests and tab order find it); the toggle is objectName + "Show".
    explicit SecretEdit(const QString &objectName, QWidget *parent = nullptr);

    [[nodiscard]] QLineEdit *lineEdit() const { return m_edit; }
    [[nodiscard]] QToolButton *showButton() const { return m_show; }
    [[nodiscard]] QString text() const;
    void setText(const QString &text);
    /// Masks the secret again (after it changed hands: loaded, generated, cleared).
    void mask();

private:
    QLineEdit *m_edit = nullptr;
    QToolButton *m_show = nullptr;
};
