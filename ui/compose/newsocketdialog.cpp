// Not split yet, on purpose: the type, endpoint, option and subscription sections and the Edit Socket
// mode live here. Issue 13 (the foundation redesign, next after hardening) moves the endpoint and
// naming rules it checks into core and splits the dialog then; the security section of issue 16 is
// added on top of that split.

#include "newsocketdialog.h"

#include <algorithm>
#include <limits>
#include <vector>

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <zmqscope/endpoint.h>

#include "bytestext.h"
#include "inlinemessage.h"

using namespace Qt::StringLiterals;
using zmqscope::SocketType;

namespace {

const auto RecentEndpointsKey = u"NewSocketDialog/recentEndpoints"_s;
const auto RandomPortEndpoint = u"tcp://127.0.0.1:*"_s;
constexpr int SocketTab = 0;
constexpr int OptionsTab = 1;
constexpr int MaxRoutingIdBytes = 255;

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

bool hasRoutingId(SocketType type)
{
    return type == SocketType::Req || type == SocketType::Rep || type == SocketType::Dealer
        || type == SocketType::Router;
}

bool always(SocketType)
{
    return true;
}

bool canSend(SocketType type)
{
    return zmqscope::socketTypeCanSend(type);
}

bool canReceive(SocketType type)
{
    return zmqscope::socketTypeCanReceive(type);
}

int editDistance(const QString &a, const QString &b)
{
    std::vector<int> previous(size_t(b.size()) + 1);
    std::vector<int> current(size_t(b.size()) + 1);
    for (size_t j = 0; j < previous.size(); ++j)
        previous[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        current[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int substitution = previous[size_t(j) - 1] + (a.at(i - 1) == b.at(j - 1) ? 0 : 1);
            current[size_t(j)]
                = std::min({ previous[size_t(j)] + 1, current[size_t(j) - 1] + 1, substitution });
        }
        std::swap(previous, current);
    }
    return previous[size_t(b.size())];
}

/// "did you mean linger?" for a mistyped option name, or nothing when no name is close.
QString suggestOption(const QString &name)
{
    // Option names are short; a long word is not a typo of one.
    if (name.size() > 40)
        return QString();
    QString best;
    int bestDistance = 3;
    const QString lower = name.toLower();
    const QStringList names = zmqscope::optionNames();
    for (const QString &candidate : names) {
        const int distance = editDistance(lower, candidate);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
    }
    return best.isEmpty() ? QString() : u" (did you mean %1?)"_s.arg(best);
}

/// What a socket of this type gets when the user sets nothing: the engine's defaults
/// (Engine::defaultOptions), else libzmq's own.
std::int64_t defaultOptionValue(const QString &name, SocketType type)
{
    const std::string key = name.toStdString();
    for (const auto &[optionName, value] : zmqscope::Engine::defaultOptions(type)) {
        if (optionName == key && (value.isInt() || value.isBool()))
            return value.toInt();
    }
    static const QHash<QString, std::int64_t> libzmqDefaults {
        { u"sndhwm"_s, 1000 },
        { u"rcvhwm"_s, 1000 },
        { u"linger"_s, -1 },
        { u"reconnect_ivl"_s, 100 },
        { u"reconnect_ivl_max"_s, 0 },
        { u"maxmsgsize"_s, -1 },
    };
    return libzmqDefaults.value(name, 0);
}

bool isReq(SocketType type)
{
    return type == SocketType::Req;
}

bool isRouter(SocketType type)
{
    return type == SocketType::Router;
}

QString optionText(const zmqscope::OptionValue &value)
{
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    if (value.isInt())
        return QString::number(value.toInt());
    if (value.isBytes())
        return QString::fromUtf8(value.toBytes());
    return QString();
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

struct NewSocketDialog::NumberOption
{
    QString name; ///< canonical option name
    bool (*applies)(SocketType) = always;
    QCheckBox *check = nullptr; ///< unchecked: the default, shown greyed out in the spin box
    QSpinBox *spin = nullptr;
    QLabel *unit = nullptr;
};

struct NewSocketDialog::BoolOption
{
    QString name; ///< canonical option name
    bool (*applies)(SocketType) = always;
    QCheckBox *check = nullptr; ///< starts at the default; the option is set only when it differs
};

struct NewSocketDialog::Problem
{
    int tab = SocketTab;
    QString field; ///< which inline label shows it ("name", "endpoint 0", "advanced")
    QString text; ///< the whole line, with its context ("Endpoint 2: ...")
    QString inlineText; ///< what the label next to the field says
};

NewSocketDialog::NewSocketDialog(QWidget *parent)
    : QDialog(parent)
    , m_recentEndpoints(recentEndpoints())
{
    setWindowTitle(u"New Socket"_s);
    setObjectName(u"NewSocketDialog"_s);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"tabs"_s);
    auto *socketPage = new QWidget;
    auto *optionsPage = new QWidget;
    m_tabs->addTab(socketPage, u"&Socket"_s);
    m_tabs->addTab(optionsPage, u"O&ptions"_s);
    buildSocketTab(socketPage);
    buildOptionsTab(optionsPage);

    m_summaryError = InlineMessage::createErrorLabel(this);
    m_summaryError->setObjectName(u"summaryError"_s);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(u"&Open"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(u"okButton"_s);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &NewSocketDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &NewSocketDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_summaryError);
    layout->addWidget(m_buttons);

    connect(m_tabs, &QTabWidget::currentChanged, this, &NewSocketDialog::validate);

    m_nameEdit->setText(defaultName(currentType()));
    addEndpointRow(defaultBinds(currentType()), QString());
    updateVisibleOptions();
    validate();
    m_typeCombo->setFocus(Qt::OtherFocusReason);
    resize(sizeHint().expandedTo(QSize(560, 0)));
}

NewSocketDialog::~NewSocketDialog()
{
    // QDialog's destructor hides the dialog, which commits an open list editor and emits
    // signals into this half-destroyed object; nothing here needs to hear them any more.
    const QList<QObject *> children = findChildren<QObject *>();
    for (QObject *child : children)
        disconnect(child, nullptr, this, nullptr);
    qDeleteAll(m_endpointRows);
    qDeleteAll(m_numberOptions);
    qDeleteAll(m_boolOptions);
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

    m_nameEdit = new QLineEdit(page);
    m_nameEdit->setObjectName(u"nameEdit"_s);
    m_nameEdit->setMaxLength(200);
    m_nameError = InlineMessage::createErrorLabel(page);
    m_nameError->setObjectName(u"nameError"_s);
    connect(m_nameEdit, &QLineEdit::textEdited, this, [this](const QString &text) {
        // A name the user typed survives type changes; clearing it brings the default back.
        m_nameEdited = !text.isEmpty();
    });
    connect(m_nameEdit, &QLineEdit::textChanged, this, &NewSocketDialog::validate);

    auto *form = new QFormLayout;
    form->addRow(u"&Type:"_s, m_typeCombo);
    form->addRow(u"&Name:"_s, m_nameEdit);
    form->addRow(QString(), m_nameError);

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

    auto *subscriptions = new QGroupBox(u"Subscriptions"_s, page);
    m_subscriptionsGroup = subscriptions;
    m_subscriptionList = new QListWidget(subscriptions);
    m_subscriptionList->setObjectName(u"subscriptionList"_s);
    m_subscriptionList->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
        | QAbstractItemView::AnyKeyPressed);
    m_subscriptionList->setMaximumHeight(m_subscriptionList->fontMetrics().height() * 6);
    m_addSubscriptionButton = new QToolButton(subscriptions);
    m_addSubscriptionButton->setObjectName(u"addSubscriptionButton"_s);
    m_addSubscriptionButton->setText(u"Add Prefix"_s);
    m_removeSubscriptionButton = new QToolButton(subscriptions);
    m_removeSubscriptionButton->setObjectName(u"removeSubscriptionButton"_s);
    m_removeSubscriptionButton->setText(u"Remove"_s);
    connect(m_addSubscriptionButton, &QToolButton::clicked, this, [this] {
        auto *item = new QListWidgetItem(m_subscriptionList);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        m_subscriptionList->setCurrentItem(item);
        m_subscriptionList->editItem(item);
        validate();
    });
    connect(m_removeSubscriptionButton, &QToolButton::clicked, this, [this] {
        delete m_subscriptionList->currentItem();
        validate();
    });
    connect(m_subscriptionList, &QListWidget::itemChanged, this, &NewSocketDialog::validate);
    auto *subscriptionButtons = new QVBoxLayout;
    subscriptionButtons->addWidget(m_addSubscriptionButton);
    subscriptionButtons->addWidget(m_removeSubscriptionButton);
    subscriptionButtons->addStretch(1);
    auto *subscriptionRow = new QHBoxLayout;
    subscriptionRow->addWidget(m_subscriptionList, 1);
    subscriptionRow->addLayout(subscriptionButtons);
    auto *subscriptionsLayout = new QVBoxLayout(subscriptions);
    subscriptionsLayout->addLayout(subscriptionRow);
    subscriptionsLayout->addWidget(InlineMessage::createHintLabel(
        u"Topic prefixes to receive; a message matches when its first frame starts with one. "
        u"An empty list receives everything."_s,
        subscriptions));

    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(endpointsGroup);
    layout->addWidget(subscriptions);
    layout->addStretch(1);
}

void NewSocketDialog::buildOptionsTab(QWidget *page)
{
    auto *common = new QGroupBox(u"Common options (unchecked: the default, shown greyed out)"_s, page);
    m_optionsGrid = new QGridLayout(common);
    m_optionsGrid->setColumnStretch(1, 1);
    int row = 0;

    m_routingIdCheck = new QCheckBox(u"Routing id (routing_id)"_s, common);
    m_routingIdCheck->setObjectName(u"routing_idCheck"_s);
    m_routingIdEdit = new QLineEdit(common);
    m_routingIdEdit->setObjectName(u"routing_idEdit"_s);
    m_routingIdEdit->setPlaceholderText(u"e.g. client-1"_s);
    m_routingIdEdit->setToolTip(u"The name ROUTER peers see as this socket's first frame"_s);
    m_routingIdEdit->setEnabled(false);
    m_routingIdError = InlineMessage::createErrorLabel(common);
    connect(m_routingIdCheck, &QCheckBox::toggled, m_routingIdEdit, &QWidget::setEnabled);
    connect(m_routingIdCheck, &QCheckBox::toggled, this, &NewSocketDialog::validate);
    connect(m_routingIdEdit, &QLineEdit::textChanged, this, &NewSocketDialog::validate);
    m_optionsGrid->addWidget(m_routingIdCheck, row, 0);
    m_optionsGrid->addWidget(m_routingIdEdit, row, 1, 1, 2);
    ++row;
    m_optionsGrid->addWidget(m_routingIdError, row, 0, 1, 3);
    ++row;

    const auto addNumber = [&](const QString &name, const QString &label, bool (*applies)(SocketType),
                               int minimum, const QString &unit, const QString &special) {
        auto *option = new NumberOption;
        option->name = name;
        option->applies = applies;
        option->check = new QCheckBox(u"%1 (%2)"_s.arg(label, name), common);
        option->check->setObjectName(name + u"Check"_s);
        option->spin = new QSpinBox(common);
        option->spin->setObjectName(name + u"Spin"_s);
        option->spin->setRange(minimum, std::numeric_limits<int>::max());
        option->spin->setEnabled(false);
        option->spin->setAccelerated(true);
        if (!special.isEmpty())
            option->spin->setSpecialValueText(special);
        option->unit = new QLabel(unit, common);
        connect(option->check, &QCheckBox::toggled, this, [this, option](bool on) {
            option->spin->setEnabled(on);
            if (!on)
                option->spin->setValue(int(defaultOptionValue(option->name, currentType())));
        });
        connect(option->check, &QCheckBox::toggled, this, &NewSocketDialog::validate);
        connect(option->spin, &QSpinBox::valueChanged, this, &NewSocketDialog::validate);
        m_optionsGrid->addWidget(option->check, row, 0);
        m_optionsGrid->addWidget(option->spin, row, 1);
        m_optionsGrid->addWidget(option->unit, row, 2);
        ++row;
        m_numberOptions.append(option);
    };
    addNumber(u"sndhwm"_s, u"Send high-water mark"_s, canSend, 0, u"messages (0: no limit)"_s, {});
    addNumber(u"rcvhwm"_s, u"Receive high-water mark"_s, canReceive, 0, u"messages (0: no limit)"_s, {});
    addNumber(u"linger"_s, u"Linger on close"_s, always, -1, u"ms"_s, u"forever (-1)"_s);
    addNumber(u"reconnect_ivl"_s, u"Reconnect interval"_s, always, -1, u"ms"_s, u"never (-1)"_s);
    addNumber(u"reconnect_ivl_max"_s, u"Reconnect interval max"_s, always, 0, u"ms (0: no backoff)"_s, {});
    addNumber(u"maxmsgsize"_s, u"Largest message"_s, canReceive, -1, u"bytes"_s, u"no limit (-1)"_s);

    const auto addBool = [&](const QString &name, const QString &label, bool (*applies)(SocketType)) {
        auto *option = new BoolOption;
        option->name = name;
        option->applies = applies;
        option->check = new QCheckBox(u"%1 (%2)"_s.arg(label, name), common);
        option->check->setObjectName(name + u"Check"_s);
        connect(option->check, &QCheckBox::toggled, this, &NewSocketDialog::validate);
        m_optionsGrid->addWidget(option->check, row, 0, 1, 3);
        ++row;
        m_boolOptions.append(option);
    };
    addBool(u"req_relaxed"_s, u"Allow a new request before the reply"_s, isReq);
    addBool(u"req_correlate"_s, u"Match replies to requests"_s, isReq);
    addBool(u"router_mandatory"_s, u"Fail sends to unknown peers instead of dropping them"_s, isRouter);

    auto *advanced = new QGroupBox(u"Advanced"_s, page);
    m_advancedEdit = new QPlainTextEdit(advanced);
    m_advancedEdit->setObjectName(u"advancedEdit"_s);
    m_advancedEdit->setPlaceholderText(u"NAME=VALUE, one per line, e.g.\nimmediate=1\ntcp_keepalive=1"_s);
    m_advancedEdit->setTabChangesFocus(true);
    m_advancedEdit->setMaximumHeight(m_advancedEdit->fontMetrics().height() * 6);
    m_advancedError = InlineMessage::createErrorLabel(advanced);
    m_advancedError->setObjectName(u"advancedError"_s);
    connect(m_advancedEdit, &QPlainTextEdit::textChanged, this, &NewSocketDialog::validate);
    auto *advancedLayout = new QVBoxLayout(advanced);
    advancedLayout->addWidget(m_advancedEdit);
    advancedLayout->addWidget(m_advancedError);
    advancedLayout->addWidget(InlineMessage::createHintLabel(
        u"Any libzmq option by its name (as in zmq_setsockopt without ZMQ_, lower case); "
        u"applied in order after the common options."_s,
        advanced));

    auto *layout = new QVBoxLayout(page);
    layout->addWidget(common);
    layout->addWidget(advanced);
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
    row->endpoint = new QComboBox(row->widget);
    row->endpoint->setObjectName(u"endpointEdit"_s);
    row->endpoint->setEditable(true);
    row->endpoint->setInsertPolicy(QComboBox::NoInsert);
    row->endpoint->addItems(m_recentEndpoints);
    row->endpoint->setEditText(endpoint);
    row->endpoint->lineEdit()->setPlaceholderText(u"tcp://127.0.0.1:5555"_s);
    row->endpoint->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    row->endpoint->setMinimumContentsLength(28);
    row->endpoint->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    if (QCompleter *completer = row->endpoint->completer()) {
        completer->setCompletionMode(QCompleter::PopupCompletion);
        completer->setFilterMode(Qt::MatchContains);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
    }
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

    connect(row->mode, &QComboBox::currentIndexChanged, this, &NewSocketDialog::validate);
    connect(row->endpoint, &QComboBox::editTextChanged, this, &NewSocketDialog::validate);
    connect(row->remove, &QToolButton::clicked, this, [this, row] { removeEndpointRow(row); });

    m_endpointRowsLayout->addWidget(row->widget);
    m_endpointRows.append(row);
    updateTabOrder();
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

QString NewSocketDialog::defaultName(SocketType type) const
{
    // The one naming rule (core/engine): the engine and the main window name sockets the same way.
    return zmqscope::uniqueSocketName(
        {}, type, [this](const QString &name) { return m_existingNames.contains(name); });
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
    if (!m_nameEdited)
        m_nameEdit->setText(defaultName(type));
    // An untouched single row follows the type's usual side.
    if (m_endpointRows.size() == 1 && m_endpointRows.constFirst()->text().isEmpty())
        m_endpointRows.constFirst()->mode->setCurrentIndex(defaultBinds(type) ? 0 : 1);
    updateVisibleOptions();
    validate();
}

void NewSocketDialog::updateVisibleOptions()
{
    const SocketType type = currentType();
    m_subscriptionsGroup->setVisible(isSubscriber(type));
    m_routingIdCheck->setVisible(hasRoutingId(type));
    m_routingIdEdit->setVisible(hasRoutingId(type));
    for (const NumberOption *option : std::as_const(m_numberOptions)) {
        const bool applies = option->applies(type);
        option->check->setVisible(applies);
        option->spin->setVisible(applies);
        option->unit->setVisible(applies);
        if (!option->check->isChecked())
            option->spin->setValue(int(defaultOptionValue(option->name, type)));
    }
    for (const BoolOption *option : std::as_const(m_boolOptions)) {
        const bool applies = option->applies(type);
        option->check->setVisible(applies);
        // These belong to one type each, so a type change starts them over at that type's default.
        if (type != m_optionsType)
            option->check->setChecked(defaultOptionValue(option->name, type) != 0);
    }
    m_optionsType = type;
}

void NewSocketDialog::setExistingNames(const QStringList &names)
{
    m_existingNames = names;
    if (!m_nameEdited)
        m_nameEdit->setText(defaultName(currentType()));
    validate();
}

QList<NewSocketDialog::Problem> NewSocketDialog::collectProblems() const
{
    QList<Problem> problems;
    const auto add = [&](int tab, const QString &field, const QString &context, const QString &text) {
        problems.append({ tab, field, context.isEmpty() ? text : context + u": "_s + text, text });
    };
    const SocketType type = currentType();

    const QString name = m_nameEdit->text().trimmed();
    if (name.isEmpty())
        add(SocketTab, u"name"_s, {},
            u"The name is empty: give the socket a name such as \"%1\""_s.arg(defaultName(type)));
    else if (m_existingNames.contains(name))
        add(SocketTab, u"name"_s, {}, u"The name \"%1\" is already used by another socket"_s.arg(name));

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

    if (hasRoutingId(type) && m_routingIdCheck->isChecked()) {
        const QByteArray id = m_routingIdEdit->text().toUtf8();
        if (id.isEmpty())
            add(OptionsTab, u"routing_id"_s, {},
                u"The routing id is empty: type one, or uncheck it so libzmq picks one"_s);
        else if (id.size() > MaxRoutingIdBytes)
            add(OptionsTab, u"routing_id"_s, {},
                u"The routing id is %1 bytes long; libzmq allows at most %2"_s.arg(id.size()).arg(
                    MaxRoutingIdBytes));
    }

    const QStringList lines = m_advancedEdit->toPlainText().split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const QString context = u"Advanced line %1"_s.arg(i + 1);
        const qsizetype equals = line.indexOf(u'=');
        if (equals < 0) {
            add(OptionsTab, u"advanced"_s, context, u"\"%1\" is not NAME=VALUE"_s.arg(line));
            continue;
        }
        const QString optionName = line.first(equals).trimmed();
        const zmqscope::OptionInfo *info = zmqscope::findOption(optionName);
        if (!info) {
            // Only the first few lines are shown, so only they need a suggestion.
            const bool shown = problems.size() < 8;
            add(OptionsTab, u"advanced"_s, context,
                u"unknown option \"%1\"%2"_s.arg(optionName, shown ? suggestOption(optionName) : QString()));
            continue;
        }
        if (!info->writable) {
            add(OptionsTab, u"advanced"_s, context,
                u"option %1 is read-only"_s.arg(QLatin1StringView(info->name)));
            continue;
        }
        try {
            (void)zmqscope::OptionValue::fromText(*info, line.mid(equals + 1).trimmed());
        } catch (const zmqscope::Error &error) {
            add(OptionsTab, u"advanced"_s, context, error.message());
        }
    }
    return problems;
}

QStringList NewSocketDialog::problems() const
{
    QStringList result;
    const QList<Problem> found = collectProblems();
    for (const Problem &problem : found)
        result.append(problem.text);
    return result;
}

void NewSocketDialog::validate()
{
    // Signals fire while the dialog is being built; wait until every part exists.
    if (!m_buttons)
        return;
    const QList<Problem> found = collectProblems();

    const auto inlineFor = [&](const QString &field, bool withContext = false) {
        // A few lines say what is wrong; a pasted wall of bad lines must not become a wall of errors.
        constexpr qsizetype MaxLines = 4;
        QStringList lines;
        qsizetype more = 0;
        for (const Problem &problem : found) {
            if (problem.field != field)
                continue;
            if (lines.size() < MaxLines)
                lines.append(withContext ? problem.text : problem.inlineText);
            else
                ++more;
        }
        if (more > 0)
            lines.append(u"…and %1 more"_s.arg(more));
        return lines.join(u'\n');
    };
    InlineMessage::show(m_nameError, inlineFor(u"name"_s));
    for (int i = 0; i < m_endpointRows.size(); ++i)
        InlineMessage::show(m_endpointRows.at(i)->error, inlineFor(u"endpoint %1"_s.arg(i)));
    // "Add an endpoint" is guidance, not a mistake: say it in the hint colour.
    InlineMessage::show(m_endpointsError, inlineFor(u"endpoints"_s));
    InlineMessage::setError(m_endpointsError, false);
    InlineMessage::show(m_routingIdError, inlineFor(u"routing_id"_s));
    InlineMessage::show(m_advancedError, inlineFor(u"advanced"_s, true));

    // A problem on the hidden tab gets a line above the buttons, so a disabled OK is never a riddle.
    QString elsewhere;
    for (const Problem &problem : found) {
        if (problem.tab != m_tabs->currentIndex()) {
            elsewhere
                = u"%1 tab: %2"_s.arg(problem.tab == SocketTab ? u"Socket"_s : u"Options"_s, problem.text);
            break;
        }
    }
    InlineMessage::show(m_summaryError, elsewhere);

    const int optionCount = int(spec().options.size());
    m_tabs->setTabText(OptionsTab, optionCount > 0 ? u"O&ptions (%1)"_s.arg(optionCount) : u"O&ptions"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(found.isEmpty());
}

zmqscope::SocketSpec NewSocketDialog::spec() const
{
    zmqscope::SocketSpec spec;
    spec.name = m_nameEdit->text().trimmed();
    spec.type = currentType();
    for (const EndpointRow *row : m_endpointRows) {
        const QString text = row->text();
        if (text.isEmpty())
            continue;
        (row->binds() ? spec.binds : spec.connects).append(text);
    }
    if (isSubscriber(spec.type)) {
        for (int i = 0; i < m_subscriptionList->count(); ++i) {
            const QByteArray prefix = m_subscriptionList->item(i)->text().toUtf8();
            // An empty prefix is "everything", which an empty list already says.
            if (!prefix.isEmpty() && !spec.subscriptions.contains(prefix))
                spec.subscriptions.append(prefix);
        }
    }

    if (hasRoutingId(spec.type) && m_routingIdCheck->isChecked())
        spec.options.emplace_back("routing_id", zmqscope::OptionValue(m_routingIdEdit->text().toUtf8()));
    for (const NumberOption *option : m_numberOptions) {
        if (!option->applies(spec.type) || !option->check->isChecked())
            continue;
        const auto *info = zmqscope::findOption(option->name);
        const int value = option->spin->value();
        spec.options.emplace_back(option->name.toStdString(),
            info && info->kind == zmqscope::OptionKind::Int64 ? zmqscope::OptionValue(std::int64_t { value })
                                                              : zmqscope::OptionValue(value));
    }
    for (const BoolOption *option : m_boolOptions) {
        const bool on = option->check->isChecked();
        if (option->applies(spec.type) && on != (defaultOptionValue(option->name, spec.type) != 0))
            spec.options.emplace_back(option->name.toStdString(), zmqscope::OptionValue(on));
    }

    const QStringList lines = m_advancedEdit->toPlainText().split(u'\n');
    for (const QString &rawLine : lines) {
        const QString line = rawLine.trimmed();
        const qsizetype equals = line.indexOf(u'=');
        if (line.isEmpty() || line.startsWith(u'#') || equals < 0)
            continue;
        const zmqscope::OptionInfo *info = zmqscope::findOption(line.first(equals).trimmed());
        if (!info || !info->writable)
            continue;
        try {
            spec.options.emplace_back(
                info->name, zmqscope::OptionValue::fromText(*info, line.mid(equals + 1).trimmed()));
        } catch (const zmqscope::Error &) {
            // Shown inline by validate(); OK is disabled until it is fixed.
        }
    }
    return spec;
}

void NewSocketDialog::setSpec(const zmqscope::SocketSpec &spec)
{
    const int typeIndex = m_typeCombo->findData(int(spec.type));
    if (typeIndex >= 0)
        m_typeCombo->setCurrentIndex(typeIndex);
    m_nameEdit->setText(spec.name);
    m_nameEdited = !spec.name.isEmpty();

    clearEndpointRows();
    for (const QString &endpoint : spec.binds)
        addEndpointRow(true, endpoint);
    for (const QString &endpoint : spec.connects)
        addEndpointRow(false, endpoint);
    if (m_endpointRows.isEmpty())
        addEndpointRow(defaultBinds(spec.type), QString());

    m_subscriptionList->clear();
    for (const QByteArray &prefix : spec.subscriptions) {
        auto *item = new QListWidgetItem(QString::fromUtf8(prefix), m_subscriptionList);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
    }

    m_routingIdCheck->setChecked(false);
    m_routingIdEdit->clear();
    for (NumberOption *option : std::as_const(m_numberOptions))
        option->check->setChecked(false);
    for (BoolOption *option : std::as_const(m_boolOptions))
        option->check->setChecked(defaultOptionValue(option->name, spec.type) != 0);

    // Each option goes to its own field when there is one for this type and it is still free;
    // everything else is kept, in order, as an advanced line.
    QStringList advanced;
    QSet<QString> used;
    for (const auto &[rawName, value] : spec.options) {
        const zmqscope::OptionInfo *info
            = zmqscope::findOption(QLatin1StringView(rawName.data(), qsizetype(rawName.size())));
        const QString name = info ? QString::fromLatin1(info->name) : QString::fromStdString(rawName);
        bool placed = false;
        if (info && !used.contains(name)) {
            if (name == u"routing_id"_s && hasRoutingId(spec.type) && value.isBytes()
                && BytesText::isEditableText(value.toBytes())) {
                m_routingIdCheck->setChecked(true);
                m_routingIdEdit->setText(QString::fromUtf8(value.toBytes()));
                placed = true;
            } else if (value.isBool() || value.isInt()) {
                for (NumberOption *option : std::as_const(m_numberOptions)) {
                    if (option->name == name && option->applies(spec.type) && value.isInt()
                        && value.toInt() >= option->spin->minimum()
                        && value.toInt() <= option->spin->maximum()) {
                        option->check->setChecked(true);
                        option->spin->setValue(int(value.toInt()));
                        placed = true;
                    }
                }
                for (BoolOption *option : std::as_const(m_boolOptions)) {
                    if (option->name == name && option->applies(spec.type)
                        && (value.isBool() || value.toInt() == 0 || value.toInt() == 1)) {
                        option->check->setChecked(value.toBool());
                        placed = true;
                    }
                }
            }
        }
        if (placed)
            used.insert(name);
        else
            advanced.append(u"%1=%2"_s.arg(name, optionText(value)));
    }
    m_advancedEdit->setPlainText(advanced.join(u'\n'));
    updateVisibleOptions();
    validate();
}

void NewSocketDialog::setEditedSocket(const zmqscope::SocketSpec &spec, const QStringList &existingNames)
{
    setWindowTitle(u"Edit Socket"_s);
    setObjectName(u"EditSocketDialog"_s);
    if (!m_editNote) {
        m_editNote = InlineMessage::createHintLabel(QString(), this);
        m_editNote->setObjectName(u"editNote"_s);
        static_cast<QVBoxLayout *>(layout())->insertWidget(0, m_editNote);
    }
    // The name is the user's (untrusted in a workspace file): plain text, and long runs may wrap.
    m_editNote->setText(InlineMessage::breakable(
        u"Applying closes \u201c%1\u201d and opens it again with these settings. Its messages stay."_s.arg(
            spec.name)));
    m_buttons->button(QDialogButtonBox::Ok)->setText(u"&Apply and Reopen"_s);
    m_existingNames = existingNames;
    setSpec(spec);
}

void NewSocketDialog::accept()
{
    if (!collectProblems().isEmpty())
        return;
    const zmqscope::SocketSpec result = spec();
    rememberEndpoints(result.binds + result.connects);
    QDialog::accept();
}

QStringList NewSocketDialog::recentEndpoints()
{
    return QSettings().value(RecentEndpointsKey).toStringList();
}

void NewSocketDialog::rememberEndpoints(const QStringList &endpoints)
{
    QSettings settings;
    QStringList recent = settings.value(RecentEndpointsKey).toStringList();
    for (auto it = endpoints.crbegin(); it != endpoints.crend(); ++it) {
        recent.removeAll(*it);
        recent.prepend(*it);
    }
    while (recent.size() > MaxRecentEndpoints)
        recent.removeLast();
    settings.setValue(RecentEndpointsKey, recent);
}

void NewSocketDialog::updateTabOrder()
{
    QWidget *previous = m_nameEdit;
    for (const EndpointRow *row : std::as_const(m_endpointRows)) {
        for (QWidget *widget : { static_cast<QWidget *>(row->mode), static_cast<QWidget *>(row->endpoint),
                 static_cast<QWidget *>(row->remove) }) {
            setTabOrder(previous, widget);
            previous = widget;
        }
    }
    setTabOrder(previous, m_addEndpointButton);
    setTabOrder(m_addEndpointButton, m_randomPortButton);
    setTabOrder(m_randomPortButton, m_subscriptionList);
}
