#include "socketoptionseditor.h"

#include <algorithm>
#include <limits>
#include <vector>

#include <QCheckBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSet>
#include <QSpinBox>
#include <QVBoxLayout>

#include <zmqscope/engine/engine.h>
#include <zmqscope/names.h>

#include "bytestext.h"
#include "inlinemessage.h"

using namespace Qt::StringLiterals;
using zmqscope::SocketType;

namespace {

constexpr int MaxRoutingIdBytes = 255;

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

struct SocketOptionsEditor::NumberOption
{
    QString name; ///< canonical option name
    bool (*applies)(SocketType) = always;
    QCheckBox *check = nullptr; ///< unchecked: the default, shown greyed out in the spin box
    QSpinBox *spin = nullptr;
    QLabel *unit = nullptr;
};

struct SocketOptionsEditor::BoolOption
{
    QString name; ///< canonical option name
    bool (*applies)(SocketType) = always;
    QCheckBox *check = nullptr; ///< starts at the default; the option is set only when it differs
};

SocketOptionsEditor::SocketOptionsEditor(QWidget *parent)
    : QWidget(parent)
{
    QWidget *page = this;
    auto *common = new QGroupBox(u"Common options (unchecked: the default, shown greyed out)"_s, page);
    m_grid = new QGridLayout(common);
    m_grid->setColumnStretch(1, 1);
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
    connect(m_routingIdCheck, &QCheckBox::toggled, this, &SocketOptionsEditor::edited);
    connect(m_routingIdEdit, &QLineEdit::textChanged, this, &SocketOptionsEditor::edited);
    m_grid->addWidget(m_routingIdCheck, row, 0);
    m_grid->addWidget(m_routingIdEdit, row, 1, 1, 2);
    ++row;
    m_grid->addWidget(m_routingIdError, row, 0, 1, 3);
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
        connect(option->check, &QCheckBox::toggled, this, &SocketOptionsEditor::edited);
        connect(option->spin, &QSpinBox::valueChanged, this, &SocketOptionsEditor::edited);
        m_grid->addWidget(option->check, row, 0);
        m_grid->addWidget(option->spin, row, 1);
        m_grid->addWidget(option->unit, row, 2);
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
        connect(option->check, &QCheckBox::toggled, this, &SocketOptionsEditor::edited);
        m_grid->addWidget(option->check, row, 0, 1, 3);
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
    connect(m_advancedEdit, &QPlainTextEdit::textChanged, this, &SocketOptionsEditor::edited);
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

SocketOptionsEditor::~SocketOptionsEditor()
{
    qDeleteAll(m_numberOptions);
    qDeleteAll(m_boolOptions);
}

SocketType SocketOptionsEditor::currentType() const
{
    return m_type.value_or(SocketType::Sub);
}

void SocketOptionsEditor::setType(SocketType type)
{
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
        if (type != m_type)
            option->check->setChecked(defaultOptionValue(option->name, type) != 0);
    }
    m_type = type;
}

QList<SocketOptionsEditor::Problem> SocketOptionsEditor::problems(
    SocketType type, qsizetype suggestUntil) const
{
    QList<Problem> problems;
    if (hasRoutingId(type) && m_routingIdCheck->isChecked()) {
        const QByteArray id = m_routingIdEdit->text().toUtf8();
        if (id.isEmpty())
            problems.append({ u"routing_id"_s, {},
                u"The routing id is empty: type one, or uncheck it so libzmq picks one"_s });
        else if (id.size() > MaxRoutingIdBytes)
            problems.append({ u"routing_id"_s, {},
                u"The routing id is %1 bytes long; libzmq allows at most %2"_s.arg(id.size()).arg(
                    MaxRoutingIdBytes) });
    }

    const QStringList lines = m_advancedEdit->toPlainText().split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const QString context = u"Advanced line %1"_s.arg(i + 1);
        const auto add = [&](const QString &text) { problems.append({ u"advanced"_s, context, text }); };
        const qsizetype equals = line.indexOf(u'=');
        if (equals < 0) {
            add(u"\"%1\" is not NAME=VALUE"_s.arg(line));
            continue;
        }
        const QString optionName = line.first(equals).trimmed();
        const zmqscope::OptionInfo *info = zmqscope::findOption(optionName);
        if (!info) {
            // Only the first few lines are shown, so only they need a suggestion.
            const bool shown = problems.size() < suggestUntil;
            add(u"unknown option \"%1\"%2"_s.arg(optionName, shown ? suggestOption(optionName) : QString()));
            continue;
        }
        if (!info->writable) {
            add(u"option %1 is read-only"_s.arg(QLatin1StringView(info->name)));
            continue;
        }
        try {
            (void)zmqscope::OptionValue::fromText(*info, line.mid(equals + 1).trimmed());
        } catch (const zmqscope::Error &error) {
            add(error.message());
        }
    }
    return problems;
}

void SocketOptionsEditor::showProblems(const std::function<QString(const QString &, bool)> &inlineFor)
{
    InlineMessage::show(m_routingIdError, inlineFor(u"routing_id"_s, false));
    InlineMessage::show(m_advancedError, inlineFor(u"advanced"_s, true));
}

zmqscope::Options SocketOptionsEditor::options(SocketType type) const
{
    zmqscope::Options options;
    if (hasRoutingId(type) && m_routingIdCheck->isChecked())
        options.emplace_back("routing_id", zmqscope::OptionValue(m_routingIdEdit->text().toUtf8()));
    for (const NumberOption *option : m_numberOptions) {
        if (!option->applies(type) || !option->check->isChecked())
            continue;
        const auto *info = zmqscope::findOption(option->name);
        const int value = option->spin->value();
        options.emplace_back(option->name.toStdString(),
            info && info->kind == zmqscope::OptionKind::Int64 ? zmqscope::OptionValue(std::int64_t { value })
                                                              : zmqscope::OptionValue(value));
    }
    for (const BoolOption *option : m_boolOptions) {
        const bool on = option->check->isChecked();
        if (option->applies(type) && on != (defaultOptionValue(option->name, type) != 0))
            options.emplace_back(option->name.toStdString(), zmqscope::OptionValue(on));
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
            options.emplace_back(
                info->name, zmqscope::OptionValue::fromText(*info, line.mid(equals + 1).trimmed()));
        } catch (const zmqscope::Error &) {
            // Shown inline by showProblems(); the dialog's OK is disabled until it is fixed.
        }
    }
    return options;
}

void SocketOptionsEditor::setOptions(SocketType type, const zmqscope::Options &options)
{
    m_routingIdCheck->setChecked(false);
    m_routingIdEdit->clear();
    for (NumberOption *option : std::as_const(m_numberOptions))
        option->check->setChecked(false);
    for (BoolOption *option : std::as_const(m_boolOptions))
        option->check->setChecked(defaultOptionValue(option->name, type) != 0);

    // Each option goes to its own field when there is one for this type and it is still free;
    // everything else is kept, in order, as an advanced line.
    QStringList advanced;
    QSet<QString> used;
    for (const auto &[rawName, value] : options) {
        const zmqscope::OptionInfo *info
            = zmqscope::findOption(QLatin1StringView(rawName.data(), qsizetype(rawName.size())));
        const QString name = info ? QString::fromLatin1(info->name) : QString::fromStdString(rawName);
        bool placed = false;
        if (info && !used.contains(name)) {
            if (name == u"routing_id"_s && hasRoutingId(type) && value.isBytes()
                && BytesText::isEditableText(value.toBytes())) {
                m_routingIdCheck->setChecked(true);
                m_routingIdEdit->setText(QString::fromUtf8(value.toBytes()));
                placed = true;
            } else if (value.isBool() || value.isInt()) {
                for (NumberOption *option : std::as_const(m_numberOptions)) {
                    if (option->name == name && option->applies(type) && value.isInt()
                        && value.toInt() >= option->spin->minimum()
                        && value.toInt() <= option->spin->maximum()) {
                        option->check->setChecked(true);
                        option->spin->setValue(int(value.toInt()));
                        placed = true;
                    }
                }
                for (BoolOption *option : std::as_const(m_boolOptions)) {
                    if (option->name == name && option->applies(type)
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
    setType(type);
}
