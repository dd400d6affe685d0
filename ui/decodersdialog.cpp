#include "decodersdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

enum Column
{
    MatchColumn,
    ValueColumn,
    FormatColumn,
    DescriptorColumn,
    TypeColumn,
    ColumnCount,
};

struct MatchChoice
{
    DecodeRule::Match match;
    const char16_t *label;
    const char16_t *hint;
};

constexpr MatchChoice MatchChoices[] = {
    { DecodeRule::Match::Any, u"every message", u"" },
    { DecodeRule::Match::Id, u"id (glob)", u"order-*" },
    { DecodeRule::Match::Socket, u"socket", u"SUB 1" },
    { DecodeRule::Match::Mimetype, u"mimetype", u"application/x-protobuf" },
    { DecodeRule::Match::Frame, u"frame (instead of body)", u"-1" },
};

constexpr PayloadFormat Formats[]
    = { PayloadFormat::Json, PayloadFormat::Cbor, PayloadFormat::MsgPack, PayloadFormat::Protobuf };

/// The preview's text of a decoded value: indented JSON, plain text only.
QString previewText(const QJsonValue &value)
{
    QByteArray text;
    if (value.isObject())
        text = QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented);
    else if (value.isArray())
        text = QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented);
    else
        text = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    textescape::EscapeOptions options;
    options.maxBytes = 64 << 10;
    QString shown;
    // Line by line: the escaping keeps one line as one line.
    for (const QByteArray &line : text.split('\n'))
        shown += textescape::escape(line, options) + u'\n';
    return shown.trimmed();
}

} // namespace

DecodersDialog::DecodersDialog(const QList<DecodeRule> &rules, std::optional<StoredMessage> preview,
    QString previewSocket, QWidget *parent)
    : QDialog(parent)
    , m_message(std::move(preview))
    , m_socket(std::move(previewSocket))
{
    setObjectName(u"DecodersDialog"_s);
    setWindowTitle(u"Decoders"_s);
    auto *layout = new QVBoxLayout(this);

    auto *intro
        = new QLabel(u"Rules decode message bodies as JSON, CBOR, MessagePack or protobuf; the first rule "
                     u"that fits a message decides. Without one, application/json, application/cbor and "
                     u"application/msgpack bodies decode by their mimetype. Protobuf needs a descriptor "
                     u"set: protoc --descriptor_set_out=FILE --include_imports."_s,
            this);
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::PlainText);
    layout->addWidget(intro);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(u"rulesTable"_s);
    m_table->setHorizontalHeaderLabels(
        { u"Match"_s, u"Value"_s, u"Format"_s, u"Descriptor set"_s, u"Message type"_s });
    m_table->horizontalHeader()->setSectionResizeMode(DescriptorColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(TypeColumn, QHeaderView::Stretch);
    m_table->verticalHeader()->setVisible(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    layout->addWidget(m_table, 1);

    auto *buttons = new QHBoxLayout;
    auto *add = new QPushButton(u"&Add Rule"_s, this);
    add->setObjectName(u"addRuleButton"_s);
    auto *remove = new QPushButton(u"&Remove"_s, this);
    remove->setObjectName(u"removeRuleButton"_s);
    auto *up = new QPushButton(u"Move &Up"_s, this);
    auto *down = new QPushButton(u"Move &Down"_s, this);
    for (QPushButton *button : { add, remove, up, down })
        buttons->addWidget(button);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(add, &QPushButton::clicked, this, [this] {
        addRow(DecodeRule {});
        m_table->selectRow(m_table->rowCount() - 1);
        update();
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_table->currentRow();
        if (row >= 0)
            m_table->removeRow(row);
        update();
    });
    connect(up, &QPushButton::clicked, this, [this] { moveRow(-1); });
    connect(down, &QPushButton::clicked, this, [this] { moveRow(+1); });

    m_problem = new QLabel(this);
    m_problem->setObjectName(u"rulesProblem"_s);
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(u"color: palette(highlight);"_s);
    layout->addWidget(m_problem);

    m_previewTitle = new QLabel(this);
    m_previewTitle->setTextFormat(Qt::PlainText);
    m_previewTitle->setWordWrap(true);
    layout->addWidget(m_previewTitle);
    m_preview = new QPlainTextEdit(this);
    m_preview->setObjectName(u"decoderPreview"_s);
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_preview, 1);

    auto *box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = box->button(QDialogButtonBox::Ok);
    m_ok->setObjectName(u"okButton"_s);
    connect(box, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(box);

    for (const DecodeRule &rule : rules)
        addRow(rule);
    update();
    resize(900, 560);
}

void DecodersDialog::addRow(const DecodeRule &rule)
{
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto *match = new QComboBox(m_table);
    for (const MatchChoice &choice : MatchChoices)
        match->addItem(QString::fromUtf16(choice.label), int(choice.match));
    match->setCurrentIndex(match->findData(int(rule.match)));
    auto *value = new QLineEdit(
        rule.match == DecodeRule::Match::Frame ? QString::number(rule.frame) : rule.value, m_table);
    auto *format = new QComboBox(m_table);
    for (const PayloadFormat one : Formats)
        format->addItem(payloadFormatTitle(one), int(one));
    format->setCurrentIndex(format->findData(int(rule.format)));
    auto *descriptor = new QWidget(m_table);
    auto *descriptorLayout = new QHBoxLayout(descriptor);
    descriptorLayout->setContentsMargins(0, 0, 0, 0);
    auto *path = new QLineEdit(rule.descriptorSet, descriptor);
    path->setObjectName(u"descriptorPath"_s);
    auto *browse = new QToolButton(descriptor);
    browse->setText(u"\u2026"_s);
    browse->setToolTip(u"Load a descriptor set file"_s);
    descriptorLayout->addWidget(path, 1);
    descriptorLayout->addWidget(browse);
    auto *type = new QComboBox(m_table);
    type->setEditable(true);
    type->setCurrentText(rule.messageType);

    m_table->setCellWidget(row, MatchColumn, match);
    m_table->setCellWidget(row, ValueColumn, value);
    m_table->setCellWidget(row, FormatColumn, format);
    m_table->setCellWidget(row, DescriptorColumn, descriptor);
    m_table->setCellWidget(row, TypeColumn, type);

    const auto refresh = [this] { update(); };
    connect(match, &QComboBox::currentIndexChanged, this, refresh);
    connect(value, &QLineEdit::textChanged, this, refresh);
    connect(format, &QComboBox::currentIndexChanged, this, refresh);
    connect(path, &QLineEdit::editingFinished, this, [this, descriptor] {
        for (int r = 0; r < m_table->rowCount(); ++r) {
            if (m_table->cellWidget(r, DescriptorColumn) == descriptor)
                offerMessageTypes(r);
        }
        update();
    });
    connect(type, &QComboBox::currentTextChanged, this, refresh);
    connect(browse, &QToolButton::clicked, this, [this, descriptor] {
        for (int r = 0; r < m_table->rowCount(); ++r) {
            if (m_table->cellWidget(r, DescriptorColumn) == descriptor)
                chooseDescriptorSet(r);
        }
    });
    offerMessageTypes(row);
}

void DecodersDialog::moveRow(int delta)
{
    const int row = m_table->currentRow();
    const int target = row + delta;
    if (row < 0 || target < 0 || target >= m_table->rowCount())
        return;
    QString ignored;
    QList<DecodeRule> all;
    for (int r = 0; r < m_table->rowCount(); ++r)
        all.append(ruleAt(r, ignored).value_or(DecodeRule {}));
    all.swapItemsAt(row, target);
    m_table->setRowCount(0);
    for (const DecodeRule &rule : std::as_const(all))
        addRow(rule);
    m_table->selectRow(target);
    update();
}

void DecodersDialog::chooseDescriptorSet(int row)
{
    auto *path = m_table->cellWidget(row, DescriptorColumn)->findChild<QLineEdit *>(u"descriptorPath"_s);
    const QString file
        = QFileDialog::getOpenFileName(this, u"Load Descriptor Set"_s, QFileInfo(path->text()).absolutePath(),
            u"Descriptor sets (*.desc *.pb *.protoset *.bin);;All files (*)"_s);
    if (file.isEmpty())
        return;
    path->setText(file);
    offerMessageTypes(row);
    update();
}

void DecodersDialog::offerMessageTypes(int row)
{
    auto *path = m_table->cellWidget(row, DescriptorColumn)->findChild<QLineEdit *>(u"descriptorPath"_s);
    auto *type = qobject_cast<QComboBox *>(m_table->cellWidget(row, TypeColumn));
    if (path->text().trimmed().isEmpty())
        return;
    const Result<std::shared_ptr<const ProtobufSchema>> schema = ProtobufSchema::load(path->text().trimmed());
    if (!schema)
        return; // update() says why
    const QString current = type->currentText();
    const QSignalBlocker blocker(type);
    type->clear();
    type->addItems((*schema)->messageNames());
    type->setCurrentText(current.isEmpty() ? (*schema)->messageNames().value(0) : current);
}

std::optional<DecodeRule> DecodersDialog::ruleAt(int row, QString &problem) const
{
    const auto *match = qobject_cast<QComboBox *>(m_table->cellWidget(row, MatchColumn));
    const auto *value = qobject_cast<QLineEdit *>(m_table->cellWidget(row, ValueColumn));
    const auto *format = qobject_cast<QComboBox *>(m_table->cellWidget(row, FormatColumn));
    const auto *path
        = m_table->cellWidget(row, DescriptorColumn)->findChild<QLineEdit *>(u"descriptorPath"_s);
    const auto *type = qobject_cast<QComboBox *>(m_table->cellWidget(row, TypeColumn));
    DecodeRule rule;
    rule.match = DecodeRule::Match(match->currentData().toInt());
    rule.format = PayloadFormat(format->currentData().toInt());
    rule.value = rule.match == DecodeRule::Match::Any ? QString() : value->text().trimmed();
    if (rule.format == PayloadFormat::Protobuf) {
        rule.descriptorSet = path->text().trimmed();
        rule.messageType = type->currentText().trimmed();
    }
    // The one reading of a rule: its text through the parser (a value with ':' or a bad frame index
    // is refused here as on the command line).
    Result<DecodeRule> parsed = DecodeRule::parse(rule.toString());
    if (!parsed) {
        problem = parsed.errorMessage();
        return std::nullopt;
    }
    return *parsed;
}

QList<DecodeRule> DecodersDialog::rules() const
{
    QList<DecodeRule> all;
    QString ignored;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        if (const std::optional<DecodeRule> rule = ruleAt(row, ignored))
            all.append(*rule);
    }
    return all;
}

QString DecodersDialog::problem() const
{
    return m_problemText;
}

void DecodersDialog::update()
{
    m_problemText.clear();
    m_decoders.reset();
    QList<DecodeRule> all;
    for (int row = 0; row < m_table->rowCount() && m_problemText.isEmpty(); ++row) {
        const bool protobuf
            = qobject_cast<QComboBox *>(m_table->cellWidget(row, FormatColumn))->currentData().toInt()
            == int(PayloadFormat::Protobuf);
        m_table->cellWidget(row, DescriptorColumn)->setEnabled(protobuf);
        m_table->cellWidget(row, TypeColumn)->setEnabled(protobuf);
        const bool any
            = qobject_cast<QComboBox *>(m_table->cellWidget(row, MatchColumn))->currentData().toInt()
            == int(DecodeRule::Match::Any);
        m_table->cellWidget(row, ValueColumn)->setEnabled(!any);
        QString problem;
        if (const std::optional<DecodeRule> rule = ruleAt(row, problem))
            all.append(*rule);
        else
            m_problemText = u"Rule %1: %2"_s.arg(row + 1).arg(problem);
    }
    if (m_problemText.isEmpty()) {
        Result<DecoderSet> set = DecoderSet::create(all);
        if (set)
            m_decoders = std::move(*set);
        else
            m_problemText = set.errorMessage();
    }
    m_problem->setText(m_problemText);
    m_problem->setVisible(!m_problemText.isEmpty());
    m_ok->setEnabled(m_problemText.isEmpty());

    if (!m_message) {
        m_previewTitle->setText(u"Preview: select a message in the window to see it decoded here."_s);
        m_preview->clear();
        return;
    }
    m_previewTitle->setText(u"Preview of message #%1 from %2:"_s.arg(m_message->seq).arg(m_socket));
    if (!m_decoders) {
        m_preview->setPlainText(u"(the rules cannot be used yet; see above)"_s);
        return;
    }
    const FilterSubjectHolder subject(*m_message, m_socket);
    const std::optional<DecodedPayload> decoded = m_decoders->decode(subject.subject());
    if (!decoded) {
        m_preview->setPlainText(
            u"No rule fits this message, and its mimetype names no format: it is not decoded."_s);
        return;
    }
    const QString by = decoded->ruleIndex >= 0 ? u"rule %1"_s.arg(decoded->ruleIndex + 1) : u"its mimetype"_s;
    if (!decoded->value) {
        m_preview->setPlainText(u"%1, by %2: %3"_s.arg(decoded->title(), by, decoded->value.errorMessage()));
        return;
    }
    m_preview->setPlainText(u"%1, by %2:\n%3"_s.arg(decoded->title(), by, previewText(*decoded->value)));
}

} // namespace zmqscope
