#include "newtapdialog.h"

#include <functional>

#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <zmqscope/endpoint.h>
#include <zmqscope/engine/socketspec.h>

#include "formparts.h"
#include "inlinemessage.h"
#include "securityeditor.h"
#include "socketoptionseditor.h"

using namespace Qt::StringLiterals;
using zmqscope::EndpointRole;
using zmqscope::SocketType;
using zmqscope::TapPattern;

namespace {

constexpr int TapTab = 0;
constexpr int ListenOptionsTab = 1;
constexpr int ForwardOptionsTab = 2;
const auto RandomPortEndpoint = u"tcp://127.0.0.1:*"_s;

// A side's tab: its security first (one line while NULL), then its options.
QWidget *sidePage(SecurityEditor *security, SocketOptionsEditor *options)
{
    auto *page = new QWidget;
    auto *box = new QGroupBox(u"Security"_s, page);
    auto *boxLayout = new QVBoxLayout(box);
    boxLayout->addWidget(security);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(box);
    layout->addWidget(options, 1);
    return page;
}

QString sideNote(qsizetype options, const QString &security)
{
    QStringList parts;
    if (options > 0)
        parts.append(QString::number(options));
    if (!security.isEmpty())
        parts.append(security);
    return parts.join(u", "_s);
}

QString patternNote(TapPattern pattern)
{
    switch (pattern) {
    case TapPattern::DealerRep:
        return u"The DEALER clients send the empty delimiter a REP expects."_s;
    case TapPattern::PushPull:
        return u"Messages flow from the clients to the server only (c2s)."_s;
    case TapPattern::PullPush:
        return u"Messages flow from the server to the clients only (s2c)."_s;
    case TapPattern::SubPub:
        return u"Data flows to the subscribers (s2c); their subscriptions pass upstream and are logged."_s;
    case TapPattern::XSubXPub:
        return u"As sub-pub; other messages the XSUB clients send pass to the server too."_s;
    case TapPattern::PairPair:
        return u"One client only, as PAIR allows."_s;
    case TapPattern::ReqRep:
    case TapPattern::ReqRouter:
    case TapPattern::DealerRouter:
        return u"Replies go back only to the client that asked."_s;
    }
    return {};
}

} // namespace

/// The endpoints of one side: one editable combo per endpoint (with the recent endpoints), each
/// checked with the one endpoint rule for this side's role and the tap's socket type there.
class NewTapDialog::EndpointList : public QGroupBox
{
public:
    struct Row
    {
        QWidget *widget = nullptr;
        QComboBox *endpoint = nullptr;
        QToolButton *remove = nullptr;
        QLabel *error = nullptr;

        [[nodiscard]] QString text() const { return endpoint->currentText().trimmed(); }
    };

    EndpointList(const QString &title, EndpointRole role, const QString &placeholder, QWidget *parent)
        : QGroupBox(title, parent)
        , m_role(role)
        , m_placeholder(placeholder)
        , m_recent(recentEndpoints())
    {
        m_rows = new QVBoxLayout;
        m_rows->setContentsMargins(0, 0, 0, 0);
        m_rows->setSpacing(4);
        m_add = new QPushButton(u"Add Endpoint"_s, this);
        m_add->setAutoDefault(false);
        connect(m_add, &QPushButton::clicked, this,
            [this] { addRow(QString())->endpoint->setFocus(Qt::OtherFocusReason); });
        m_hint = InlineMessage::createErrorLabel(this);
        auto *buttons = new QHBoxLayout;
        buttons->addWidget(m_add);
        if (role == EndpointRole::Bind) {
            auto *random = new QPushButton(u"Bind to a &Random Port"_s, this);
            random->setObjectName(u"randomPortButton"_s);
            random->setAutoDefault(false);
            random->setToolTip(u"Listens on %1: the system picks a free port and the Sockets panel shows "
                               u"which"_s.arg(RandomPortEndpoint));
            connect(random, &QPushButton::clicked, this, [this] {
                if (m_list.size() == 1 && m_list.constFirst()->text().isEmpty())
                    m_list.constFirst()->endpoint->setEditText(RandomPortEndpoint);
                else
                    addRow(RandomPortEndpoint);
            });
            buttons->addWidget(random);
        }
        buttons->addStretch(1);
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(m_rows);
        layout->addWidget(m_hint);
        layout->addLayout(buttons);
        addRow(QString());
    }

    ~EndpointList() override { qDeleteAll(m_list); }

    std::function<void()> changed;

    [[nodiscard]] QStringList endpoints() const
    {
        QStringList result;
        for (const Row *row : m_list) {
            if (!row->text().isEmpty())
                result.append(row->text());
        }
        return result;
    }

    void setEndpoints(const QStringList &endpoints)
    {
        for (Row *row : std::as_const(m_list))
            dropRow(row);
        m_list.clear();
        for (const QString &endpoint : endpoints)
            addRow(endpoint);
        if (m_list.isEmpty())
            addRow(QString());
    }

    [[nodiscard]] const QList<Row *> &rows() const { return m_list; }
    [[nodiscard]] QLabel *hint() const { return m_hint; }
    [[nodiscard]] EndpointRole role() const { return m_role; }

private:
    Row *addRow(const QString &endpoint)
    {
        auto *row = new Row;
        row->widget = new QWidget;
        row->widget->setObjectName(u"endpointRow"_s);
        row->endpoint = FormParts::createEndpointEdit(row->widget, m_recent, endpoint, m_placeholder);
        row->remove = new QToolButton(row->widget);
        row->remove->setText(u"Remove"_s);
        row->remove->setToolTip(u"Remove this endpoint"_s);
        row->error = InlineMessage::createErrorLabel(row->widget);
        row->error->setObjectName(u"endpointError"_s);
        auto *grid = new QGridLayout(row->widget);
        grid->setContentsMargins(0, 0, 0, 0);
        grid->addWidget(row->endpoint, 0, 0);
        grid->addWidget(row->remove, 0, 1);
        grid->addWidget(row->error, 1, 0, 1, 2);
        grid->setColumnStretch(0, 1);
        connect(row->endpoint, &QComboBox::editTextChanged, this, [this] { notify(); });
        connect(row->remove, &QToolButton::clicked, this, [this, row] {
            m_list.removeOne(row);
            dropRow(row);
            if (m_list.isEmpty())
                addRow(QString());
            notify();
        });
        m_rows->addWidget(row->widget);
        m_list.append(row);
        notify();
        return row;
    }

    static void dropRow(Row *row)
    {
        // deleteLater: a click that asked for this may still be delivered to the row's button.
        row->widget->setObjectName(QString());
        row->widget->hide();
        row->widget->deleteLater();
        delete row;
    }

    void notify() const
    {
        if (changed)
            changed();
    }

    EndpointRole m_role;
    QString m_placeholder;
    QStringList m_recent;
    QVBoxLayout *m_rows = nullptr;
    QPushButton *m_add = nullptr;
    QLabel *m_hint = nullptr;
    QList<Row *> m_list;
};

NewTapDialog::NewTapDialog(QWidget *parent)
    : FormDialog(parent)
{
    setWindowTitle(u"New Tap"_s);
    setObjectName(u"NewTapDialog"_s);

    auto *tapPage = new QWidget;
    m_listenOptions = new SocketOptionsEditor;
    m_listenOptions->setObjectName(u"listenOptions"_s);
    m_forwardOptions = new SocketOptionsEditor;
    m_forwardOptions->setObjectName(u"forwardOptions"_s);
    m_listenSecurity = new SecurityEditor(SecurityEditor::RoleChoice::ServerOnly);
    m_listenSecurity->setObjectName(u"listenSecurity"_s);
    m_forwardSecurity = new SecurityEditor(SecurityEditor::RoleChoice::ClientOnly);
    m_forwardSecurity->setObjectName(u"forwardSecurity"_s);
    addTab(tapPage, u"&Tap"_s);
    addTab(sidePage(m_listenSecurity, m_listenOptions), u"&Clients' Side"_s);
    addTab(sidePage(m_forwardSecurity, m_forwardOptions), u"&Server's Side"_s);
    buildTapTab(tapPage);
    connect(m_listenOptions, &SocketOptionsEditor::edited, this, &NewTapDialog::validate);
    connect(m_forwardOptions, &SocketOptionsEditor::edited, this, &NewTapDialog::validate);
    connect(m_listenSecurity, &SecurityEditor::edited, this, &NewTapDialog::validate);
    connect(m_forwardSecurity, &SecurityEditor::edited, this, &NewTapDialog::validate);
    finishLayout(u"&Open Tap"_s);

    handlePatternChanged();
    m_patternCombo->setFocus(Qt::OtherFocusReason);
    resize(sizeHint().expandedTo(QSize(600, 0)));
}

NewTapDialog::~NewTapDialog()
{
    // Hiding commits editors that would signal into this half-destroyed object (FormDialog disconnects
    // the rest).
    m_listen->changed = nullptr;
    m_forward->changed = nullptr;
}

void NewTapDialog::buildTapTab(QWidget *page)
{
    m_patternCombo = new QComboBox(page);
    m_patternCombo->setObjectName(u"patternCombo"_s);
    const QStringList names = zmqscope::tapPatternNames();
    for (const QString &name : names) {
        const TapPattern pattern = *zmqscope::parseTapPattern(name);
        const zmqscope::TapSockets sockets = zmqscope::tapSockets(pattern);
        m_patternCombo->addItem(
            u"%1 — %2 clients, %3 server"_s.arg(
                name, zmqscope::socketTypeName(sockets.clients), zmqscope::socketTypeName(sockets.server)),
            int(pattern));
    }
    m_patternCombo->setMaxVisibleItems(int(names.size()));
    connect(m_patternCombo, &QComboBox::currentIndexChanged, this, &NewTapDialog::handlePatternChanged);

    m_patternExplanation = InlineMessage::createHintLabel(QString(), page);
    m_patternExplanation->setObjectName(u"patternExplanation"_s);
    m_patternExplanation->setWordWrap(true);
    m_patternExplanation->setAlignment(Qt::AlignLeft | Qt::AlignTop);

    auto *form = new QFormLayout;
    form->addRow(u"&Pattern:"_s, m_patternCombo);
    form->addRow(QString(), m_patternExplanation);
    addNameRows(*form, page);

    m_listen = new EndpointList(u"Listen: where the clients connect (the tap binds here)"_s,
        EndpointRole::Bind, u"tcp://127.0.0.1:5555"_s, page);
    m_listen->setObjectName(u"listenEndpoints"_s);
    m_forward = new EndpointList(u"Forward: the server's endpoint (the tap connects to it)"_s,
        EndpointRole::Connect, u"tcp://127.0.0.1:5556"_s, page);
    m_forward->setObjectName(u"forwardEndpoints"_s);
    m_listen->changed = [this] { validate(); };
    m_forward->changed = [this] { validate(); };

    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(m_listen);
    layout->addWidget(m_forward);
    layout->addWidget(InlineMessage::createHintLabel(
        u"Point the clients at the listen endpoint instead of the server (or move the server to another "
        u"port and listen on its old one). The tap forwards every message both ways unchanged and "
        u"records it once, c2s or s2c."_s,
        page));
    layout->addStretch(1);
}

TapPattern NewTapDialog::currentPattern() const
{
    return static_cast<TapPattern>(m_patternCombo->currentData().toInt());
}

QString NewTapDialog::patternExplanation(TapPattern pattern)
{
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(pattern);
    const auto type = [](SocketType socketType) { return zmqscope::socketTypeName(socketType); };
    return u"%1 clients connect to the tap's %2 at LISTEN; the tap's %3 connects to the %4 server at "
           u"FORWARD. %5"_s.arg(type(sockets.clients), type(sockets.listen), type(sockets.forward),
               type(sockets.server), patternNote(pattern));
}

QString NewTapDialog::defaultName() const
{
    // The engine's name for an unnamed tap, made unique by the one naming rule.
    const TapPattern pattern = currentPattern();
    return zmqscope::uniqueSocketName(u"tap "_s + zmqscope::tapPatternName(pattern),
        zmqscope::tapSockets(pattern).listen,
        [this](const QString &name) { return existingNames().contains(name); });
}

void NewTapDialog::handlePatternChanged()
{
    const TapPattern pattern = currentPattern();
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(pattern);
    m_patternExplanation->setText(patternExplanation(pattern));
    updateDefaultName();
    m_listenOptions->setType(sockets.listen);
    m_forwardOptions->setType(sockets.forward);
    tabs()->setTabToolTip(ListenOptionsTab,
        u"Options of the tap's %1, bound where the clients connect"_s.arg(
            zmqscope::socketTypeName(sockets.listen)));
    tabs()->setTabToolTip(ForwardOptionsTab,
        u"Options of the tap's %1, connected to the server"_s.arg(zmqscope::socketTypeName(sockets.forward)));
    validate();
}

QList<NewTapDialog::Problem> NewTapDialog::collectProblems() const
{
    QList<Problem> problems;
    const auto add = [&](int tab, const QString &field, const QString &context, const QString &text) {
        addProblem(problems, tab, field, context, text);
    };
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(currentPattern());
    addNameProblems(problems, TapTab, u"tap"_s, u"another socket or tap"_s);

    const auto checkSide = [&](const EndpointList *list, SocketType type, const QString &side) {
        const QList<EndpointList::Row *> &rows = list->rows();
        bool any = false;
        for (int i = 0; i < rows.size(); ++i) {
            const QString text = rows.at(i)->text();
            if (text.isEmpty())
                continue;
            any = true;
            // The one endpoint rule (core/transport), as TapSpec::validate() and the engine apply it.
            const auto checked = zmqscope::checkEndpoint(text, list->role(), type);
            if (!checked)
                add(TapTab, u"%1 %2"_s.arg(side).arg(i), u"%1 endpoint %2"_s.arg(side).arg(i + 1),
                    u"\"%1\": %2"_s.arg(text, checked.errorMessage()));
        }
        if (!any)
            add(TapTab, side, {},
                list->role() == EndpointRole::Bind
                    ? u"Add the listen endpoint, where the clients connect, e.g. tcp://127.0.0.1:5555"_s
                    : u"Add the forward endpoint, the server's, e.g. tcp://127.0.0.1:5556"_s);
    };
    checkSide(m_listen, sockets.listen, u"Listen"_s);
    checkSide(m_forward, sockets.forward, u"Forward"_s);

    const qsizetype suggest = 8 - problems.size();
    for (const SocketOptionsEditor::Problem &problem : m_listenOptions->problems(sockets.listen, suggest))
        add(ListenOptionsTab, u"listen:"_s + problem.field, problem.context, problem.text);
    for (const SocketOptionsEditor::Problem &problem : m_forwardOptions->problems(sockets.forward, suggest))
        add(ForwardOptionsTab, u"forward:"_s + problem.field, problem.context, problem.text);
    for (const SecurityEditor::Problem &problem : m_listenSecurity->problems())
        add(ListenOptionsTab, u"listen:"_s + problem.field, problem.context, problem.text);
    for (const SecurityEditor::Problem &problem : m_forwardSecurity->problems())
        add(ForwardOptionsTab, u"forward:"_s + problem.field, problem.context, problem.text);

    // The tap's own check last: it says the same as the lines above, and whatever else it refuses.
    if (problems.isEmpty()) {
        const zmqscope::Result<void> valid = spec().validate();
        if (!valid)
            add(TapTab, FormField.toString(), {}, valid.errorMessage());
    }
    return problems;
}

void NewTapDialog::showFieldProblems(const QList<Problem> &found)
{
    const auto inlineFor = [&](const QString &field, bool withContext = false) {
        return FormParts::inlineText(found, field, withContext);
    };
    for (const auto &[list, side] :
        { std::pair { m_listen, u"Listen"_s }, std::pair { m_forward, u"Forward"_s } }) {
        for (int i = 0; i < list->rows().size(); ++i)
            InlineMessage::show(list->rows().at(i)->error, inlineFor(u"%1 %2"_s.arg(side).arg(i)));
        // "Add an endpoint" is guidance, not a mistake: the hint colour.
        InlineMessage::show(list->hint(), inlineFor(side));
        InlineMessage::setError(list->hint(), false);
    }
    m_listenOptions->showProblems(
        [&](const QString &field, bool withContext) { return inlineFor(u"listen:"_s + field, withContext); });
    m_forwardOptions->showProblems([&](const QString &field, bool withContext) {
        return inlineFor(u"forward:"_s + field, withContext);
    });
    m_listenSecurity->showProblems(
        [&](const QString &field, bool withContext) { return inlineFor(u"listen:"_s + field, withContext); });
    m_forwardSecurity->showProblems([&](const QString &field, bool withContext) {
        return inlineFor(u"forward:"_s + field, withContext);
    });

    const zmqscope::TapSockets sockets = zmqscope::tapSockets(currentPattern());
    setTabNote(ListenOptionsTab,
        sideNote(m_listenOptions->options(sockets.listen).size(), m_listenSecurity->summary()));
    setTabNote(ForwardOptionsTab,
        sideNote(m_forwardOptions->options(sockets.forward).size(), m_forwardSecurity->summary()));
}

zmqscope::TapSpec NewTapDialog::spec() const
{
    zmqscope::TapSpec spec;
    spec.pattern = currentPattern();
    spec.name = name();
    spec.listen = m_listen->endpoints();
    spec.forward = m_forward->endpoints();
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(spec.pattern);
    spec.listenOptions = m_listenOptions->options(sockets.listen);
    spec.forwardOptions = m_forwardOptions->options(sockets.forward);
    spec.listenSecurity = m_listenSecurity->security();
    spec.forwardSecurity = m_forwardSecurity->security();
    return spec;
}

void NewTapDialog::setSpec(const zmqscope::TapSpec &spec)
{
    const int index = m_patternCombo->findData(int(spec.pattern));
    if (index >= 0)
        m_patternCombo->setCurrentIndex(index);
    setName(spec.name);
    m_listen->setEndpoints(spec.listen);
    m_forward->setEndpoints(spec.forward);
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(spec.pattern);
    m_listenOptions->setOptions(sockets.listen, spec.listenOptions);
    m_forwardOptions->setOptions(sockets.forward, spec.forwardOptions);
    m_listenSecurity->setSecurity(spec.listenSecurity);
    m_forwardSecurity->setSecurity(spec.forwardSecurity);
    validate();
}

void NewTapDialog::setEditedTap(const zmqscope::TapSpec &spec, const QStringList &existingNames)
{
    setEditMode(u"Edit Tap"_s, u"EditTapDialog"_s,
        u"Applying closes the tap \u201c%1\u201d and opens it again with these settings; its clients "
        u"reconnect by themselves. Its messages stay."_s.arg(spec.name),
        existingNames);
    setSpec(spec);
}

QStringList NewTapDialog::acceptedEndpoints() const
{
    const zmqscope::TapSpec result = spec();
    return result.listen + result.forward;
}
