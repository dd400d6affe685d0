#include "sniffdialog.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QVBoxLayout>

#include <zmqscope/engine/socketspec.h>

#include "inlinemessage.h"

using namespace Qt::StringLiterals;

namespace {

constexpr int SniffTab = 0;

} // namespace

SniffDialog::SniffDialog(const QStringList &interfaces, const QString &listError, QWidget *parent)
    : FormDialog(parent)
{
    setWindowTitle(u"Sniff Interface"_s);
    setObjectName(u"SniffDialog"_s);
    auto *page = new QWidget;
    addTab(page, u"&Interface"_s);

    m_interface = new QComboBox(page);
    m_interface->setObjectName(u"interfaceCombo"_s);
    m_interface->addItems(interfaces);
    // Without a list (libpcap could not give one) the name is typed.
    m_interface->setEditable(interfaces.isEmpty());
    if (const qsizetype loopback = interfaces.indexOf(u"lo"_s); loopback >= 0)
        m_interface->setCurrentIndex(int(loopback));
    m_interfaceError = InlineMessage::createErrorLabel(page);
    m_interfaceError->setObjectName(u"interfaceError"_s);
    m_ports = new QLineEdit(page);
    m_ports->setObjectName(u"portsEdit"_s);
    m_ports->setPlaceholderText(u"every TCP port, or e.g. 5555, 5556"_s);
    m_portsError = InlineMessage::createErrorLabel(page);
    m_portsError->setObjectName(u"portsError"_s);

    auto *form = new QFormLayout;
    form->addRow(u"&Interface:"_s, m_interface);
    form->addRow(QString(), m_interfaceError);
    form->addRow(u"&Ports:"_s, m_ports);
    form->addRow(QString(), m_portsError);
    addNameRows(*form, page);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form);
    if (!listError.isEmpty())
        layout->addWidget(InlineMessage::createHintLabel(listError, page));
    layout->addWidget(InlineMessage::createHintLabel(
        u"Every TCP connection that begins with a ZMTP 3.0/3.1 greeting is followed, on any port, both "
        u"ways: each shows as a row of the Sockets panel and its messages as c2s/s2c. Nothing in the "
        u"system changes. Capturing needs the right to: run as root, or give the program the capability "
        u"once (sudo setcap cap_net_raw,cap_net_admin=eip on it). CURVE messages show encrypted, with their "
        u"size; inproc:// and ipc:// traffic never reaches an interface."_s,
        page));
    layout->addStretch(1);

    connect(m_interface, &QComboBox::currentTextChanged, this, [this] {
        updateDefaultName();
        validate();
    });
    connect(m_ports, &QLineEdit::textChanged, this, &SniffDialog::validate);
    finishLayout(u"&Sniff"_s);
    updateDefaultName();
    validate();
    m_interface->setFocus(Qt::OtherFocusReason);
    resize(sizeHint().expandedTo(QSize(520, 0)));
}

SniffDialog::~SniffDialog() = default;

zmqscope::Result<QList<quint16>> SniffDialog::parsePorts(const QString &text)
{
    QList<quint16> ports;
    static const QRegularExpression separators(u"[,\\s]+"_s);
    for (const QString &part : text.split(separators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const uint port = part.toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return zmqscope::Error(zmqscope::ErrorCode::InvalidOptionValue,
                u"\"%1\" is not a TCP port; expected numbers from 1 to 65535, e.g. 5555, 5556"_s.arg(part));
        if (!ports.contains(quint16(port)))
            ports.append(quint16(port));
    }
    return ports;
}

QString SniffDialog::interface() const
{
    return m_interface->currentText().trimmed();
}

QString SniffDialog::defaultName() const
{
    // The engine's name for an unnamed sniffer, made unique by the one naming rule.
    return zmqscope::uniqueSocketName(u"sniff "_s + interface(), zmqscope::SocketType::Sub,
        [this](const QString &name) { return existingNames().contains(name); });
}

QList<SniffDialog::Problem> SniffDialog::collectProblems() const
{
    QList<Problem> problems;
    if (interface().isEmpty())
        addProblem(problems, SniffTab, u"interface"_s, {}, u"Choose the interface to capture on, e.g. lo"_s);
    if (const auto ports = parsePorts(m_ports->text()); !ports)
        addProblem(problems, SniffTab, u"ports"_s, u"Ports"_s, ports.errorMessage());
    addNameProblems(problems, SniffTab, u"sniffer"_s, u"another socket, tap or sniffer"_s);
    return problems;
}

void SniffDialog::showFieldProblems(const QList<Problem> &found)
{
    InlineMessage::show(m_interfaceError, FormParts::inlineText(found, u"interface"_s, false));
    InlineMessage::show(m_portsError, FormParts::inlineText(found, u"ports"_s, false));
}

zmqscope::SniffSpec SniffDialog::spec() const
{
    zmqscope::SniffSpec spec;
    spec.name = name();
    spec.interface = interface();
    spec.ports = parsePorts(m_ports->text()).valueOr({});
    return spec;
}

void SniffDialog::setSpec(const zmqscope::SniffSpec &spec)
{
    const int index = m_interface->findText(spec.interface);
    if (index >= 0)
        m_interface->setCurrentIndex(index);
    else if (m_interface->isEditable())
        m_interface->setEditText(spec.interface);
    else {
        // An interface this machine lacks now (a workspace from elsewhere): offered, and it fails plainly.
        m_interface->addItem(spec.interface);
        m_interface->setCurrentIndex(m_interface->count() - 1);
    }
    QStringList ports;
    for (const quint16 port : spec.ports)
        ports.append(QString::number(port));
    m_ports->setText(ports.join(u", "_s));
    setName(spec.name);
    validate();
}
