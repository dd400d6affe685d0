#pragma once

#include <QDialog>
#include <QList>
#include <QStringList>

#include <zmqscope/engine/tap.h>

#include "formparts.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;
class QVBoxLayout;
class SocketOptionsEditor;

/**
 * Capture > New Tap (DESIGN.md section 12): the pattern, where the clients connect (the tap binds
 * there), the server's endpoint (the tap connects to it), a name and each side's options,
 * validated while the user types with the socket dialog's rules (the one endpoint rule, the
 * options editor). OK stays disabled while anything is wrong, and each problem is shown inline
 * next to its field, naming the bad value. Also Edit Tap, filled from an open tap.
 */
class NewTapDialog : public QDialog
{
    Q_OBJECT
public:
    explicit NewTapDialog(QWidget *parent = nullptr);
    ~NewTapDialog() override;

    /// The tap as configured.
    [[nodiscard]] zmqscope::TapSpec spec() const;
    /// Fills the dialog from a spec (to edit or reopen a tap).
    void setSpec(const zmqscope::TapSpec &spec);
    /// Edit Tap: says that accepting closes the tap `spec.name` and opens it again with what the
    /// dialog holds then; existingNames are the other sockets' and taps' names.
    void setEditedTap(const zmqscope::TapSpec &spec, const QStringList &existingNames);
    /// Names already taken: the default name avoids them and a duplicate is an error.
    void setExistingNames(const QStringList &names);

    /// Everything that keeps OK disabled, one line each; empty when the dialog can be accepted.
    [[nodiscard]] QStringList problems() const;

    /// Where the tap goes for a pattern, in one sentence ("REQ clients connect to the tap's ROUTER ...").
    [[nodiscard]] static QString patternExplanation(zmqscope::TapPattern pattern);

public Q_SLOTS:
    void accept() override;

private:
    class EndpointList;
    using Problem = FormParts::Problem;

    void buildTapTab(QWidget *page);
    void handlePatternChanged();
    [[nodiscard]] zmqscope::TapPattern currentPattern() const;
    [[nodiscard]] QString defaultName(zmqscope::TapPattern pattern) const;
    void validate();
    [[nodiscard]] QList<Problem> collectProblems() const;

    QTabWidget *m_tabs = nullptr;
    QComboBox *m_patternCombo = nullptr;
    QLabel *m_patternExplanation = nullptr;
    QLineEdit *m_nameEdit = nullptr;
    QLabel *m_nameError = nullptr;
    bool m_nameEdited = false;
    QStringList m_existingNames;
    EndpointList *m_listen = nullptr;
    EndpointList *m_forward = nullptr;
    SocketOptionsEditor *m_listenOptions = nullptr;
    SocketOptionsEditor *m_forwardOptions = nullptr;
    QLabel *m_summaryError = nullptr;
    QLabel *m_editNote = nullptr; ///< only when editing a tap
    QDialogButtonBox *m_buttons = nullptr;
};
