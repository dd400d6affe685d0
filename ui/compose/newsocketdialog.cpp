#include "newsocketdialog.h"

#include <algorithm>

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

#include <zmqscope/endpoint.h>

#include "formparts.h"
#include "inlinemessage.h"
#include "securityeditor.h"
#include "socketoptionseditor.h"
#include "subscriptionseditor.h"

using namespace Qt::StringLiterals;
using zmqscope::SocketType;

namespace {

const auto RandomPortEndpoint = u"tcp://127.0.0.1:*"_s;
constexpr int SocketTab = 0;
constexpr int OptionsTab = 1;
constexpr int SecurityTab = 2;

struct TypeEntry
{
    SocketType type;
    const char16_t *description;
};

// One line each, so a newcomer can pick the right type without reading the ZeroMQ guide.
constexpr TypeEntry TypeEntries[] = {
    { SocketType::Sub, u"receives what PUB/XPUB peers publish, filtered by topic prefix" },
    { SocketType::Pub, u"publishes every message to all subscribers (send only)" },
    { SocketType::Req, u"sends a request, then must receive the reply before sending again" },
    { SocketType::Rep, u"receives a request, then must send the reply before receiving again" },
    { SocketType::Dealer, u"asynchronous request/reply; spreads outgoing messages over peers" },
    { SocketType::Router, u"asynchronous replies; addresses each peer by its routing id frame" },
    { SocketType::Pull, u"receives from PUSH peers, fair-queued (receive only)" },
    { SocketType::Push, u"sends to PULL peers in turn (send only)" },
    { SocketType::Pair, u"an exclusive connection to one other PAIR socket" },
    { SocketType::XPub, u"a PUB that also receives the subscriptions of its peers" },
    { SocketType::XSub, u"a SUB that sends its subscriptions as messages" },
    { SocketType::Stream, u"talks plain TCP to non-ZeroMQ peers (routing id + data frames)" },
};

bool isSubscriber(SocketType type)
{
    return type == SocketType::Sub || type == SocketType::XSub;
}

} // namespace

struct NewSocketDialog::EndpointRow
{
    QWidget *widget = nullptr;
    QComboBox *mode = nullptr;
    QComboBox *endpoint = nullptr;
    QToolButton *remove = nullptr;
    QLabel *error = nullptr;

    [[nodiscard]] bool binds() const { return mode->currentIndex() == 0; }
    [[nodiscard]] QString text() const { return endpoint->currentText().trimmed(); }
};

NewSocketDialog::NewSocketDialog(QWidget *parent)
    : FormDialog(parent)
    , m_recentEndpoints(recentEndpoints())
{
    setWindowTitle(u"New Socket"_s);
    setObjectName(u"NewSocketDialog"_s);

    auto *socketPage = new QWidget;
    m_options = new SocketOptionsEditor;
    // A tab of its own: NULL, what most sockets use, is one line there and takes no room from the rest.
    auto *securityPage = new QWidget;
    m_security = new SecurityEditor(SecurityEditor::RoleChoice::Either, securityPage);
    m_security->setObjectName(u"securityEditor"_s);
    auto *securityLayout = new QVBoxLayout(securityPage);
    securityLayout->addWidget(m_security);
    securityLayout->addStretch(1);
    addTab(socketPage, u"&Socket"_s);
    addTab(m_options, u"O&ptions"_s);
    addTab(securityPage, u"Se&curity"_s);
    buildSocketTab(socketPage);
    connect(m_options, &SocketOptionsEditor::edited, this, &NewSocketDialog::validate);
    connect(m_security, &SecurityEditor::edited, this, &NewSocketDialog::validate);
    finishLayout(u"&Open"_s);

    updateDefaultName();
    addEndpointRow(defaultBinds(currentType()), QString());
    updateVisibleOptions();
    validate();
    m_typeCombo->setFocus(Qt::OtherFocusReason);
    resize(sizeHint().expandedTo(QSize(560, 0)));
}

NewSocketDialog::~NewSocketDialog()
{
    qDeleteAll(m_endpointRows);
}

void NewSocketDialog::buildSocketTab(QWidget *page)
{
    m_typeCombo = new QComboBox(page);
    m_typeCombo->setObjectName(u"typeCombo"_s);
    for (const TypeEntry &entry : TypeEntries) {
        m_typeCombo->addItem(
            u"%1 — %2"_s.arg(zmqscope::socketTypeName(entry.type), QString::fromUtf16(entry.description)),
            int(entry.type));
    }
    m_typeCombo->setMaxVisibleItems(int(std::size(TypeEntries)));
    connect(m_typeCombo, &QComboBox::currentIndexChanged, this, &NewSocketDialog::handleTypeChanged);

    auto *form = new QFormLayout;
    form->addRow(u"&Type:"_s, m_typeCombo);
    addNameRows(*form, page);

    auto *endpointsGroup = new QGroupBox(u"Endpoints"_s, page);
    m_endpointRowsLayout = new QVBoxLayout;
    m_endpointRowsLayout->setContentsMargins(0, 0, 0, 0);
    m_endpointRowsLayout->setSpacing(4);
    m_addEndpointButton = new QPushButton(u"&Add Endpoint"_s, endpointsGroup);
    m_addEndpointButton->setObjectName(u"addEndpointButton"_s);
    m_addEndpointButton->setAutoDefault(false);
    m_randomPortButton = new QPushButton(u"Bind to a &Random Port"_s, endpointsGroup);
    m_randomPortButton->setObjectName(u"randomPortButton"_s);
    m_randomPortButton->setAutoDefault(false);
    m_randomPortButton->setToolTip(u"Adds a bind to %1: the system picks a free port and the Sockets panel "
                                   u"shows which"_s.arg(RandomPortEndpoint));
    connect(m_addEndpointButton, &QPushButton::clicked, this, [this] {
        EndpointRow *row = addEndpointRow(defaultBinds(currentType()), QString());
        row->endpoint->setFocus(Qt::OtherFocusReason);
    });
    connect(m_randomPortButton, &QPushButton::clicked, this, &NewSocketDialog::addRandomPortEndpoint);
    m_endpointsError = InlineMessage::createErrorLabel(endpointsGroup);
    m_endpointsError->setObjectName(u"endpointsError"_s);

    auto *endpointButtons = new QHBoxLayout;
    endpointButtons->addWidget(m_addEndpointButton);
    endpointButtons->addWidget(m_randomPortButton);
    endpointButtons->addStretch(1);
    auto *endpointsLayout = new QVBoxLayout(endpointsGroup);
    endpointsLayout->addLayout(m_endpointRowsLayout);
    endpointsLayout->addWidget(m_endpointsError);
    endpointsLayout->addLayout(endpointButtons);
    endpointsLayout->addWidget(InlineMessage::createHintLabel(
        u"tcp://host:port, ipc:///path or inproc://name. When binding, * stands for every interface "
        u"(tcp://*:5555) or a free port (tcp://127.0.0.1:*); the Sockets panel shows the real port."_s,
        endpointsGroup));

    m_subscriptions = new SubscriptionsEditor(page);
    connect(m_subscriptions, &SubscriptionsEditor::edited, this, &NewSocketDialog::validate);

    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(endpointsGroup);
    layout->addWidget(m_subscriptions);
    layout->addStretch(1);
}

NewSocketDialog::EndpointRow *NewSocketDialog::addEndpointRow(bool bind, const QString &endpoint)
{
    auto *row = new EndpointRow;
    row->widget = new QWidget;
    row->widget->setObjectName(u"endpointRow"_s);
    row->mode = new QComboBox(row->widget);
    row->mode->setObjectName(u"endpointMode"_s);
    row->mode->addItems({ u"Bind"_s, u"Connect"_s });
    row->mode->setCurrentIndex(bind ? 0 : 1);
    row->endpoint
        = FormParts::createEndpointEdit(row->widget, m_recentEndpoints, endpoint, u"tcp://127.0.0.1:5555"_s);
    row->remove = new QToolButton(row->widget);
    row->remove->setObjectName(u"removeEndpointButton"_s);
    row->remove->setText(u"Remove"_s);
    row->remove->setToolTip(u"Remove this endpoint"_s);
    row->error = InlineMessage::createErrorLabel(row->widget);
    row->error->setObjectName(u"endpointError"_s);

    auto *grid = new QGridLayout(row->widget);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(row->mode, 0, 0);
    grid->addWidget(row->endpoint, 0, 1);
    grid->addWidget(row->remove, 0, 2);
    grid->addWidget(row->error, 1, 1, 1, 2);
    grid->setColumnStretch(1, 1);

    connect(row->mode, &QComboBox::currentIndexChanged, this, [this] {
        updateSuggestedRole();
        validate();
    });
    connect(row->endpoint, &QComboBox::editTextChanged, this, &NewSocketDialog::validate);
    connect(row->remove, &QToolButton::clicked, this, [this, row] { removeEndpointRow(row); });

    m_endpointRowsLayout->addWidget(row->widget);
    m_endpointRows.append(row);
    updateTabOrder();
    updateSuggestedRole();
    validate();
    return row;
}

void NewSocketDialog::removeEndpointRow(EndpointRow *row)
{
    const qsizetype index = m_endpointRows.indexOf(row);
    if (index < 0)
        return;
    m_endpointRows.removeAt(index);
    // deleteLater: the click that asked for this is still being delivered to the row's button.
    row->widget->setObjectName(QString());
    row->widget->hide();
    row->widget->deleteLater();
    delete row;
    if (!m_endpointRows.isEmpty())
        m_endpointRows.at(std::min(index, m_endpointRows.size() - 1))
            ->endpoint->setFocus(Qt::OtherFocusReason);
    else
        m_addEndpointButton->setFocus(Qt::OtherFocusReason);
    updateTabOrder();
    updateSuggestedRole();
    validate();
}

void NewSocketDialog::addRandomPortEndpoint()
{
    // Reuse a single untouched row instead of leaving an empty one behind.
    if (m_endpointRows.size() == 1 && m_endpointRows.constFirst()->text().isEmpty()) {
        EndpointRow *row = m_endpointRows.constFirst();
        row->mode->setCurrentIndex(0);
        row->endpoint->setEditText(RandomPortEndpoint);
        return;
    }
    addEndpointRow(true, RandomPortEndpoint);
}

void NewSocketDialog::clearEndpointRows()
{
    for (EndpointRow *row : std::as_const(m_endpointRows)) {
        row->widget->setObjectName(QString());
        row->widget->hide();
        row->widget->deleteLater();
        delete row;
    }
    m_endpointRows.clear();
}

SocketType NewSocketDialog::currentType() const
{
    return static_cast<SocketType>(m_typeCombo->currentData().toInt());
}

QString NewSocketDialog::defaultName() const
{
    // The one naming rule (core/engine): the engine and the main window name sockets the same way.
    return zmqscope::uniqueSocketName(
        {}, currentType(), [this](const QString &name) { return existingNames().contains(name); });
}

bool NewSocketDialog::defaultBinds(SocketType type) const
{
    // The side that usually owns the well-known address.
    return type == SocketType::Pub || type == SocketType::XPub || type == SocketType::Rep
        || type == SocketType::Router;
}

void NewSocketDialog::handleTypeChanged()
{
    const SocketType type = currentType();
    updateDefaultName();
    // An untouched single row follows the type's usual side.
    if (m_endpointRows.size() == 1 && m_endpointRows.constFirst()->text().isEmpty())
        m_endpointRows.constFirst()->mode->setCurrentIndex(defaultBinds(type) ? 0 : 1);
    updateVisibleOptions();
    validate();
}

void NewSocketDialog::updateVisibleOptions()
{
    const SocketType type = currentType();
    m_subscriptions->setVisible(isSubscriber(type));
    m_options->setType(type);
}

QList<NewSocketDialog::Problem> NewSocketDialog::collectProblems() const
{
    QList<Problem> problems;
    const auto add = [&](int tab, const QString &field, const QString &context, const QString &text) {
        addProblem(problems, tab, field, context, text);
    };
    const SocketType type = currentType();
    addNameProblems(problems, SocketTab, u"socket"_s, u"another socket"_s);

    int endpoints = 0;
    QHash<QString, int> seen; // role + endpoint -> 1-based row
    for (int i = 0; i < m_endpointRows.size(); ++i) {
        const EndpointRow *row = m_endpointRows.at(i);
        const QString text = row->text();
        if (text.isEmpty())
            continue;
        ++endpoints;
        // The one endpoint rule (core/transport), so the engine and Socket take what this lets through.
        const auto role = row->binds() ? zmqscope::EndpointRole::Bind : zmqscope::EndpointRole::Connect;
        const zmqscope::Result<zmqscope::Endpoint> checked = zmqscope::checkEndpoint(text, role, type);
        QString problem = checked ? QString() : u"\"%1\": %2"_s.arg(text, checked.errorMessage());
        const QString key = (row->binds() ? u"bind "_s : u"connect "_s) + text;
        // Two binds to a free port are two different ports, so only a literal repeat is a mistake.
        if (problem.isEmpty() && seen.contains(key) && !text.endsWith(u":*"_s))
            problem = u"\"%1\" is already listed as endpoint %2"_s.arg(text).arg(seen.value(key));
        seen.insert(key, i + 1);
        if (!problem.isEmpty())
            add(SocketTab, u"endpoint %1"_s.arg(i), u"Endpoint %1"_s.arg(i + 1), problem);
    }
    if (endpoints == 0)
        add(SocketTab, u"endpoints"_s, {},
            u"Add an endpoint to bind or connect, e.g. tcp://127.0.0.1:5555"_s);

    // Only the first few lines are shown, so only they need a suggestion.
    const QList<SocketOptionsEditor::Problem> options = m_options->problems(type, 8 - problems.size());
    for (const SocketOptionsEditor::Problem &problem : options)
        add(OptionsTab, problem.field, problem.context, problem.text);
    for (const SecurityEditor::Problem &problem : m_security->problems())
        add(SecurityTab, problem.field, problem.context, problem.text);
    return problems;
}

void NewSocketDialog::showFieldProblems(const QList<Problem> &found)
{
    const auto inlineFor = [&](const QString &field, bool withContext = false) {
        return FormParts::inlineText(found, field, withContext);
    };
    for (int i = 0; i < m_endpointRows.size(); ++i)
        InlineMessage::show(m_endpointRows.at(i)->error, inlineFor(u"endpoint %1"_s.arg(i)));
    // "Add an endpoint" is guidance, not a mistake: say it in the hint colour.
    InlineMessage::show(m_endpointsError, inlineFor(u"endpoints"_s));
    InlineMessage::setError(m_endpointsError, false);
    m_options->showProblems(
        [&](const QString &field, bool withContext) { return inlineFor(field, withContext); });
    m_security->showProblems(
        [&](const QString &field, bool withContext) { return inlineFor(field, withContext); });
    setTabCount(OptionsTab, spec().options.size());
    setTabNote(SecurityTab, m_security->summary());
}

zmqscope::SocketSpec NewSocketDialog::spec() const
{
    zmqscope::SocketSpec spec;
    spec.name = name();
    spec.type = currentType();
    for (const EndpointRow *row : m_endpointRows) {
        const QString text = row->text();
        if (text.isEmpty())
            continue;
        (row->binds() ? spec.binds : spec.connects).append(text);
    }
    if (isSubscriber(spec.type))
        spec.subscriptions = m_subscriptions->subscriptions();
    spec.options = m_options->options(spec.type);
    spec.security = m_security->security();
    return spec;
}

void NewSocketDialog::setSpec(const zmqscope::SocketSpec &spec)
{
    const int typeIndex = m_typeCombo->findData(int(spec.type));
    if (typeIndex >= 0)
        m_typeCombo->setCurrentIndex(typeIndex);
    setName(spec.name);

    clearEndpointRows();
    for (const QString &endpoint : spec.binds)
        addEndpointRow(true, endpoint);
    for (const QString &endpoint : spec.connects)
        addEndpointRow(false, endpoint);
    if (m_endpointRows.isEmpty())
        addEndpointRow(defaultBinds(spec.type), QString());

    m_subscriptions->setSubscriptions(spec.subscriptions);
    m_options->setOptions(spec.type, spec.options);
    m_security->setSecurity(spec.security);
    updateVisibleOptions();
    validate();
}

void NewSocketDialog::setEditedSocket(const zmqscope::SocketSpec &spec, const QStringList &existingNames)
{
    setEditMode(u"Edit Socket"_s, u"EditSocketDialog"_s,
        u"Applying closes \u201c%1\u201d and opens it again with these settings. Its messages stay."_s.arg(
            spec.name),
        existingNames);
    setSpec(spec);
}

QStringList NewSocketDialog::acceptedEndpoints() const
{
    const zmqscope::SocketSpec result = spec();
    return result.binds + result.connects;
}

void NewSocketDialog::updateSuggestedRole()
{
    // Called while the rows are being built, before the Security tab exists.
    if (!m_security)
        return;
    m_security->setSuggestedServer(std::any_of(
        m_endpointRows.cbegin(), m_endpointRows.cend(), [](const EndpointRow *row) { return row->binds(); }));
}

void NewSocketDialog::updateTabOrder()
{
    QWidget *previous = nameEdit();
    for (const EndpointRow *row : std::as_const(m_endpointRows)) {
        for (QWidget *widget : { static_cast<QWidget *>(row->mode), static_cast<QWidget *>(row->endpoint),
                 static_cast<QWidget *>(row->remove) }) {
            setTabOrder(previous, widget);
            previous = widget;
        }
    }
    setTabOrder(previous, m_addEndpointButton);
    setTabOrder(m_addEndpointButton, m_randomPortButton);
    setTabOrder(m_randomPortButton, m_subscriptions->list());
}
