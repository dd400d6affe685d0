#pragma once

#include <QList>
#include <QStringList>

#include <zmqscope/engine/tap.h>

#include "formdialog.h"

class QComboBox;
class QLabel;
class SecurityEditor;
class SocketOptionsEditor;

/**
 * Capture > New Tap (DESIGN.md section 12): the pattern, where the clients connect (the tap binds
 * there), the server's endpoint (the tap connects to it), a name and each side's options,
 * validated while the user types with the socket dialog's rules (the one endpoint rule, the
 * options editor). OK stays disabled while anything is wrong, and each problem is shown inline
 * next to its field, naming the bad value. Also Edit Tap, filled from an open tap.
 */
class NewTapDialog : public FormDialog
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

    /// Where the tap goes for a pattern, in one sentence ("REQ clients connect to the tap's ROUTER ...").
    [[nodiscard]] static QString patternExplanation(zmqscope::TapPattern pattern);

protected:
    [[nodiscard]] QString defaultName() const override;
    [[nodiscard]] QList<Problem> collectProblems() const override;
    void showFieldProblems(const QList<Problem> &found) override;
    [[nodiscard]] QStringList acceptedEndpoints() const override;

private:
    class EndpointList;

    void buildTapTab(QWidget *page);
    void handlePatternChanged();
    [[nodiscard]] zmqscope::TapPattern currentPattern() const;

    QComboBox *m_patternCombo = nullptr;
    QLabel *m_patternExplanation = nullptr;
    EndpointList *m_listen = nullptr;
    EndpointList *m_forward = nullptr;
    SocketOptionsEditor *m_listenOptions = nullptr;
    SocketOptionsEditor *m_forwardOptions = nullptr;
    SecurityEditor *m_listenSecurity = nullptr;
    SecurityEditor *m_forwardSecurity = nullptr;
};
