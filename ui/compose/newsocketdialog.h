#pragma once

#include <QList>
#include <QStringList>

#include <zmqscope/engine/engine.h>

#include "formdialog.h"

class QComboBox;
class QLabel;
class QPushButton;
class QVBoxLayout;
class SecurityEditor;
class SocketOptionsEditor;
class SubscriptionsEditor;

/**
 * The New-socket dialog: type, name, endpoints to bind or connect, and the
 * options that apply to the chosen type, and its security (mechanism, keys,
 * who may connect: SecurityEditor), validated while the user types.
 * OK stays disabled while anything is wrong, and each problem is shown
 * inline next to the field, naming the bad value.
 *
 * Endpoints used in accepted dialogs are remembered in QSettings and offered
 * again as completions (FormDialog, shared with the New Tap dialog).
 */
class NewSocketDialog : public FormDialog
{
    Q_OBJECT
public:
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

protected:
    [[nodiscard]] QString defaultName() const override;
    [[nodiscard]] QList<Problem> collectProblems() const override;
    void showFieldProblems(const QList<Problem> &found) override;
    [[nodiscard]] QStringList acceptedEndpoints() const override;

private:
    struct EndpointRow;

    void buildSocketTab(QWidget *page);
    EndpointRow *addEndpointRow(bool bind, const QString &endpoint);
    void removeEndpointRow(EndpointRow *row);
    void addRandomPortEndpoint();
    void clearEndpointRows();
    void handleTypeChanged();
    [[nodiscard]] zmqscope::SocketType currentType() const;
    [[nodiscard]] bool defaultBinds(zmqscope::SocketType type) const;
    void updateVisibleOptions();
    void updateTabOrder();
    /// A socket that binds is usually the server of its mechanism: the Security tab follows until the
    /// user picks a role.
    void updateSuggestedRole();

    QComboBox *m_typeCombo = nullptr;

    QVBoxLayout *m_endpointRowsLayout = nullptr;
    QList<EndpointRow *> m_endpointRows;
    QPushButton *m_addEndpointButton = nullptr;
    QPushButton *m_randomPortButton = nullptr;
    QLabel *m_endpointsError = nullptr;
    QStringList m_recentEndpoints;

    SubscriptionsEditor *m_subscriptions = nullptr;
    SocketOptionsEditor *m_options = nullptr;
    SecurityEditor *m_security = nullptr;
};
