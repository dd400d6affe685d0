#pragma once

#include <functional>
#include <optional>

#include <QList>
#include <QWidget>

#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>

class QCheckBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

/**
 * The Options tab of the New-socket dialog: the common options that apply to
 * the chosen type (routing id, high-water marks, linger, reconnect, message
 * size, the REQ and ROUTER flags), each unchecked at its default, and an
 * Advanced list of NAME=VALUE lines for any other libzmq option.
 */
class SocketOptionsEditor : public QWidget
{
    Q_OBJECT

public:
    /// What is wrong with one field: field names the inline label ("routing_id" or "advanced").
    struct Problem
    {
        QString field;
        QString context; ///< where, such as "Advanced line 3"; may be empty
        QString text;
    };

    explicit SocketOptionsEditor(QWidget *parent = nullptr);
    ~SocketOptionsEditor() override;

    /// Shows the options that apply to type; options that belong to one type start over at its default.
    void setType(zmqscope::SocketType type);
    /// The options set for type, in order: the common ones, then the advanced lines.
    [[nodiscard]] zmqscope::Options options(zmqscope::SocketType type) const;
    /// Fills the fields from options; those without a field of their own for type become advanced lines.
    void setOptions(zmqscope::SocketType type, const zmqscope::Options &options);
    /// What keeps the options from being applied; suggestions are made while fewer than suggestUntil
    /// problems are known (only the first few lines are shown).
    [[nodiscard]] QList<Problem> problems(zmqscope::SocketType type, qsizetype suggestUntil) const;
    /// Shows each field's problems next to it; inlineFor(field, withContext) gives the text.
    void showProblems(const std::function<QString(const QString &field, bool withContext)> &inlineFor);

Q_SIGNALS:
    /// Any field changed.
    void edited();

private:
    struct NumberOption;
    struct BoolOption;

    [[nodiscard]] zmqscope::SocketType currentType() const;

    QGridLayout *m_grid = nullptr;
    QCheckBox *m_routingIdCheck = nullptr;
    QLineEdit *m_routingIdEdit = nullptr;
    QLabel *m_routingIdError = nullptr;
    QList<NumberOption *> m_numberOptions;
    QList<BoolOption *> m_boolOptions;
    std::optional<zmqscope::SocketType> m_type; ///< the type the bool options were last reset for
    QPlainTextEdit *m_advancedEdit = nullptr;
    QLabel *m_advancedError = nullptr;
};
