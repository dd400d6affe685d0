#pragma once

#include <QDialog>
#include <QList>
#include <QStringList>

#include "formparts.h"

class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QTabWidget;

/**
 * What the New Socket and New Tap dialogs share, written once: tabs, a name field with a default
 * that avoids the names in use, problems shown inline next to their fields and, for a hidden tab or
 * the whole form, in one line above the buttons, OK enabled only without problems, Edit mode, and
 * the recent endpoints offered as completions. Each dialog builds its own tabs and fields between
 * the constructor and finishLayout(), and says what is wrong with them in collectProblems().
 */
class FormDialog : public QDialog
{
    Q_OBJECT
public:
    /// How many endpoints the recent list keeps.
    static constexpr int MaxRecentEndpoints = 20;

    ~FormDialog() override;

    /// Names already taken: the default name avoids them and a duplicate is an error.
    void setExistingNames(const QStringList &names);

    /// Everything that keeps OK disabled, one line each; empty when the dialog can be accepted.
    [[nodiscard]] QStringList problems() const;

    /// Endpoints from earlier accepted dialogs, most recent first.
    [[nodiscard]] static QStringList recentEndpoints();
    /// Puts endpoints at the front of the recent list (deduplicated, at most MaxRecentEndpoints).
    static void rememberEndpoints(const QStringList &endpoints);

public Q_SLOTS:
    void accept() override;

protected:
    using Problem = FormParts::Problem;
    /// The field of a problem with the whole form: shown above the buttons whichever tab is current.
    static constexpr QStringView FormField = u"form";

    /// Makes the (empty) tab widget: the first widget of the dialog.
    explicit FormDialog(QWidget *parent);

    /// Adds a tab; the line above the buttons names it by its label without the mnemonic.
    void addTab(QWidget *page, const QString &label);
    /// Shows how many settings a tab holds after its label ("Options (2)"), or the bare label for none.
    void setTabCount(int tab, qsizetype count);
    /// Shows a note after a tab's label ("Security (CURVE client)"), or the bare label for an empty note.
    void setTabNote(int tab, const QString &note);
    /// The name field and its error label, made as children of page, as the rows "Name:" and below it.
    void addNameRows(QFormLayout &form, QWidget *page);
    /// Below the tabs: the line for problems elsewhere and the buttons (okText on OK). Until this is
    /// called validate() does nothing, as the dialog's fields signal while they are being built.
    void finishLayout(const QString &okText);
    /**
     * Edit mode: the title, the object name, a note at the top saying what applying does and OK as
     * "Apply and Reopen"; existingNames are the other sockets' and taps' names. The dialog's
     * setSpec() comes next.
     */
    void setEditMode(const QString &title, const QString &objectName, const QString &note,
        const QStringList &existingNames);

    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }
    [[nodiscard]] QLineEdit *nameEdit() const { return m_nameEdit; }
    [[nodiscard]] const QStringList &existingNames() const { return m_existingNames; }
    /// The name as entered, trimmed.
    [[nodiscard]] QString name() const;
    /// A name from a spec: one that is not empty counts as the user's and survives type changes.
    void setName(const QString &name);
    /// The default name goes into the field unless the user typed one (after a type or pattern change).
    void updateDefaultName();

    /// Adds a problem; its whole line is "context: text" (just text without a context), its inline one text.
    static void addProblem(
        QList<Problem> &problems, int tab, const QString &field, const QString &context, const QString &text);
    /// The name's problems, on tab: empty (suggesting the default, for "give the `what` a name"), or
    /// already used (by `takenBy`, "another socket").
    void addNameProblems(
        QList<Problem> &problems, int tab, const QString &what, const QString &takenBy) const;

    /// Checks everything again and shows the result: inline, above the buttons, and on OK.
    void validate();

    /// The name the current type or pattern gets when the user gives none, avoiding existingNames().
    [[nodiscard]] virtual QString defaultName() const = 0;
    /// Everything wrong with the form now, in the order the fields are shown.
    [[nodiscard]] virtual QList<Problem> collectProblems() const = 0;
    /// Shows the problems next to the dialog's own fields (the name's are shown already) and what
    /// else follows the form (the tabs' counts).
    virtual void showFieldProblems(const QList<Problem> &found) = 0;
    /// The endpoints of the form as accepted, for the recent list.
    [[nodiscard]] virtual QStringList acceptedEndpoints() const = 0;

private:
    QTabWidget *m_tabs = nullptr;
    QStringList m_tabLabels;
    QLineEdit *m_nameEdit = nullptr;
    QLabel *m_nameError = nullptr;
    bool m_nameEdited = false;
    QStringList m_existingNames;
    QLabel *m_summaryError = nullptr;
    QLabel *m_editNote = nullptr; ///< only in Edit mode
    QDialogButtonBox *m_buttons = nullptr;
};
