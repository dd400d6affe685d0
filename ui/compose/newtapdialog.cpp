#include "newtapdialog.h"

#include <functional>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <zmqscope/endpoint.h>
#include <zmqscope/engine/socketspec.h>

#include "formparts.h"
#include "inlinemessage.h"
#include "newsocketdialog.h"
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
        , m_recent(NewSocketDialog::recentEndpoints())
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
    : QDialog(parent)
{
    setWindowTitle(u"New Tap"_s);
    setObjectName(u"NewTapDialog"_s);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"tabs"_s);
    auto *tapPage = new QWidget;
    m_listenOptions = new SocketOptionsEditor;
    m_listenOptions->setObjectName(u"listenOptions"_s);
    m_forwardOptions = new SocketOptionsEditor;
    m_forwardOptions->setObjectName(u"forwardOptions"_s);
    m_tabs->addTab(tapPage, u"&Tap"_s);
    m_tabs->addTab(m_listenOptions, u"&Clients' Side"_s);
    m_tabs->addTab(m_forwardOptions, u"&Server's Side"_s);
    buildTapTab(tapPage);
    connect(m_listenOptions, &SocketOptionsEditor::edited, this, &NewTapDialog::validate);
    connect(m_forwardOptions, &SocketOptionsEditor::edited, this, &NewTapDialog::validate);

    m_summaryError = InlineMessage::createErrorLabel(this);
    m_summaryError->setObjectName(u"summaryError"_s);
    m_buttons = FormParts::createDialogButtons(*this, u"&Open Tap"_s);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_summaryError);
    layout->addWidget(m_buttons);
    connect(m_tabs, &QTabWidget::currentChanged, this, &NewTapDialog::validate);

    handlePatternChanged();
    m_patternCombo->setFocus(Qt::OtherFocusReason);
    resize(sizeHint().expandedTo(QSize(600, 0)));
}

NewTapDialog::~NewTapDialog()
{
    // As in NewSocketDialog: hiding commits editors that would signal into this half-destroyed object.
    FormParts::disconnectChildren(*this);
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

    m_nameEdit = new QLineEdit(page);
    m_nameEdit->setObjectName(u"nameEdit"_s);
    m_nameEdit->setMaxLength(200);
    m_nameError = InlineMessage::createErrorLabel(page);
    m_nameError->setObjectName(u"nameError"_s);
    connect(m_nameEdit, &QLineEdit::textEdited, this, [this](const QString &text) {
        // A name the user typed survives pattern changes; clearing it brings the default back.
        m_nameEdited = !text.isEmpty();
    });
    connect(m_nameEdit, &QLineEdit::textChanged, this, &NewTapDialog::validate);

    auto *form = new QFormLayout;
    form->addRow(u"&Pattern:"_s, m_patternCombo);
    form->addRow(QString(), m_patternExplanation);
    form->addRow(u"&Name:"_s, m_nameEdit);
    form->addRow(QString(), m_nameError);

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

QString NewTapDialog::defaultName(TapPattern pattern) const
{
    // The engine's name for an unnamed tap, made unique by the one naming rule.
    return zmqscope::uniqueSocketName(u"tap "_s + zmqscope::tapPatternName(pattern),
        zmqscope::tapSockets(pattern).listen,
        [this](const QString &name) { return m_existingNames.contains(name); });
}

void NewTapDialog::handlePatternChanged()
{
    const TapPattern pattern = currentPattern();
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(pattern);
    m_patternExplanation->setText(patternExplanation(pattern));
    if (!m_nameEdited)
        m_nameEdit->setText(defaultName(pattern));
    m_listenOptions->setType(sockets.listen);
    m_forwardOptions->setType(sockets.forward);
    m_tabs->setTabToolTip(ListenOptionsTab,
        u"Options of the tap's %1, bound where the clients connect"_s.arg(
            zmqscope::socketTypeName(sockets.listen)));
    m_tabs->setTabToolTip(ForwardOptionsTab,
        u"Options of the tap's %1, connected to the server"_s.arg(zmqscope::socketTypeName(sockets.forward)));
    validate();
}

void NewTapDialog::setExistingNames(const QStringList &names)
{
    m_existingNames = names;
    if (!m_nameEdited)
        m_nameEdit->setText(defaultName(currentPattern()));
    validate();
}

QList<NewTapDialog::Problem> NewTapDialog::collectProblems() const
{
    QList<Problem> problems;
    const auto add = [&](int tab, const QString &field, const QString &context, const QString &text) {
        problems.append({ tab, field, context.isEmpty() ? text : context + u": "_s + text, text });
    };
    const TapPattern pattern = currentPattern();
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(pattern);

    const QString name = m_nameEdit->text().trimmed();
    if (name.isEmpty())
        add(TapTab, u"name"_s, {},
            u"The name is empty: give the tap a name such as \"%1\""_s.arg(defaultName(pattern)));
    else if (m_existingNames.contains(name))
        add(TapTab, u"name"_s, {}, u"The name \"%1\" is already used by another socket or tap"_s.arg(name));

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

    // The tap's own check last: it says the same as the lines above, and whatever else it refuses.
    if (problems.isEmpty()) {
        const zmqscope::Result<void> valid = spec().validate();
        if (!valid)
            add(TapTab, u"tap"_s, {}, valid.errorMessage());
    }
    return problems;
}

QStringList NewTapDialog::problems() const
{
    return FormParts::problemTexts(collectProblems());
}

void NewTapDialog::validate()
{
    // Signals fire while the dialog is being built; wait until every part exists.
    if (!m_buttons || !m_listen || !m_forward)
        return;
    const QList<Problem> found = collectProblems();
    const auto inlineFor = [&](const QString &field, bool withContext = false) {
        return FormParts::inlineText(found, field, withContext);
    };
    InlineMessage::show(m_nameError, inlineFor(u"name"_s));
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

    // The tap's own check and problems on a hidden tab get a line above the buttons.
    static const QString tabNames[] = { u"Tap"_s, u"Clients' Side"_s, u"Server's Side"_s };
    QString summary;
    for (const Problem &problem : found) {
        if (problem.field == u"tap"_s) {
            summary = problem.text;
            break;
        }
        if (problem.tab != m_tabs->currentIndex()) {
            summary = u"%1 tab: %2"_s.arg(tabNames[problem.tab], problem.text);
            break;
        }
    }
    InlineMessage::show(m_summaryError, summary);

    const zmqscope::TapSockets sockets = zmqscope::tapSockets(currentPattern());
    const auto optionsTitle = [](const QString &title, std::size_t count) {
        return count > 0 ? u"%1 (%2)"_s.arg(title).arg(count) : title;
    };
    m_tabs->setTabText(
        ListenOptionsTab, optionsTitle(u"&Clients' Side"_s, m_listenOptions->options(sockets.listen).size()));
    m_tabs->setTabText(ForwardOptionsTab,
        optionsTitle(u"&Server's Side"_s, m_forwardOptions->options(sockets.forward).size()));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(found.isEmpty());
}

zmqscope::TapSpec NewTapDialog::spec() const
{
    zmqscope::TapSpec spec;
    spec.pattern = currentPattern();
    spec.name = m_nameEdit->text().trimmed();
    spec.listen = m_listen->endpoints();
    spec.forward = m_forward->endpoints();
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(spec.pattern);
    spec.listenOptions = m_listenOptions->options(sockets.listen);
    spec.forwardOptions = m_forwardOptions->options(sockets.forward);
    return spec;
}

void NewTapDialog::setSpec(const zmqscope::TapSpec &spec)
{
    const int index = m_patternCombo->findData(int(spec.pattern));
    if (index >= 0)
        m_patternCombo->setCurrentIndex(index);
    m_nameEdit->setText(spec.name);
    m_nameEdited = !spec.name.isEmpty();
    m_listen->setEndpoints(spec.listen);
    m_forward->setEndpoints(spec.forward);
    const zmqscope::TapSockets sockets = zmqscope::tapSockets(spec.pattern);
    m_listenOptions->setOptions(sockets.listen, spec.listenOptions);
    m_forwardOptions->setOptions(sockets.forward, spec.forwardOptions);
    validate();
}

void NewTapDialog::setEditedTap(const zmqscope::TapSpec &spec, const QStringList &existingNames)
{
    setWindowTitle(u"Edit Tap"_s);
    setObjectName(u"EditTapDialog"_s);
    FormParts::showEditNote(*this, m_editNote,
        u"Applying closes the tap \u201c%1\u201d and opens it again with these settings; its clients "
        u"reconnect by themselves. Its messages stay."_s.arg(spec.name),
        *m_buttons);
    m_existingNames = existingNames;
    setSpec(spec);
}

void NewTapDialog::accept()
{
    if (!collectProblems().isEmpty())
        return;
    const zmqscope::TapSpec result = spec();
    NewSocketDialog::rememberEndpoints(result.listen + result.forward);
    QDialog::accept();
}
