#pragma once

#include <optional>

#include <QDialog>
#include <QList>
#include <QStringList>

#include <zmqscope/engine/engine.h>

#include "formparts.h"

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;
class QVBoxLayout;
class SocketOptionsEditor;
class SubscriptionsEditor;

/**
 * The New-socket dialog: type, name, endpoints to bind or connect, and the
 * options that apply to the chosen type, validated while the user types.
 * OK stays disabled while anything is wrong, and each problem is shown
 * inline next to the field, naming the bad value.
 *
 * Endpoints used in accepted dialogs are remembered in QSettings and offered
 * again as completions.
 */
class NewSocketDialog : public QDialog
{
    Q_OBJECT
public:
    /// How many endpoints the recent list keeps.
    static constexpr int MaxRecentEndpoints = 20;

    explicit NewSocketDialog(QWidget *parent = nullptr);
    ~NewSocketDialog() override;

    /// The socket as configured; only the options that apply to its type are included.
    [[nodiscard]] zmqscope::SocketSpec spec() const;
    /// Fills the dialog from a spec (to edit or reopen a socket). Options without a field of
    /// their own for this type go to the advanced list, so nothing of the spec is dropped.
    void setSpec(const zmqscope::SocketSpec &spec);

    /**
     * Edit Socket: the dialog shows spec, the settings of the socket `spec.name`, and
     * says that accepting closes that socket and opens it again with what the dialog
     * holds then (Engine::replaceSocket()). existingNames are the other sockets' names.
     */
    void setEditedSocket(const zmqscope::SocketSpec &spec, const QStringList &existingNames);

    /// Names already taken by other sockets: the default name avoids them and a duplicate is an error.
    void setExistingNames(const QStringList &names);

    /// Everything that keeps OK disabled, one line each; empty when the dialog can be accepted.
    [[nodiscard]] QStringList problems() const;

    /// Endpoints from earlier accepted dialogs, most recent first.
    [[nodiscard]] static QStringList recentEndpoints();
    /// Puts endpoints at the front of the recent list (deduplicated, at most MaxRecentEndpoints).
    static void rememberEndpoints(const QStringList &endpoints);

public Q_SLOTS:
    void accept() override;

private:
    struct EndpointRow;
    using Problem = FormParts::Problem;

    void buildSocketTab(QWidget *page);
    EndpointRow *addEndpointRow(bool bind, const QString &endpoint);
    void removeEndpointRow(EndpointRow *row);
    void addRandomPortEndpoint();
    void clearEndpointRows();
    void handleTypeChanged();
    [[nodiscard]] zmqscope::SocketType currentType() const;
    [[nodiscard]] QString defaultName(zmqscope::SocketType type) const;
    [[nodiscard]] bool defaultBinds(zmqscope::SocketType type) const;
    void updateVisibleOptions();
    void validate();
    [[nodiscard]] QList<Problem> collectProblems() const;
    void updateTabOrder();

    QTabWidget *m_tabs = nullptr;
    QComboBox *m_typeCombo = nullptr;
    QLabel *m_typeDescription = nullptr;
    QLineEdit *m_nameEdit = nullptr;
    QLabel *m_nameError = nullptr;
    bool m_nameEdited = false;
    QStringList m_existingNames;

    QVBoxLayout *m_endpointRowsLayout = nullptr;
    QList<EndpointRow *> m_endpointRows;
    QPushButton *m_addEndpointButton = nullptr;
    QPushButton *m_randomPortButton = nullptr;
    QLabel *m_endpointsError = nullptr;
    QStringList m_recentEndpoints;

    SubscriptionsEditor *m_subscriptions = nullptr;
    SocketOptionsEditor *m_options = nullptr;

    QLabel *m_summaryError = nullptr;
    QLabel *m_editNote = nullptr; ///< only when editing a socket
    QDialogButtonBox *m_buttons = nullptr;
};
