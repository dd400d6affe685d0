#include "envelopeeditor.h"

#include <limits>

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableView>
#include <QVBoxLayout>

#include <zmqscope/envelope.h>

#include "bodyeditor.h"
#include "bytestext.h"
#include "frameseditor.h"
#include "inlinemessage.h"

using namespace Qt::StringLiterals;
using BytesText::Format;

EnvelopeEditor::EnvelopeEditor(QAction *loadBodyAction, QWidget *parent)
    : QWidget(parent)
{
    QWidget *page = this;

    m_idEdit = new QLineEdit(page);
    m_idEdit->setObjectName(u"idEdit"_s);
    // Ids come from received messages too (Reply); the default 32767 characters would cut long ones.
    m_idEdit->setMaxLength(std::numeric_limits<int>::max());
    m_idEdit->setPlaceholderText(u"optional, e.g. sensor.kitchen"_s);
    m_idEdit->setToolTip(u"The first frame of an envelope: SUB subscriptions match on its start"_s);
    m_idHexCheck = new QCheckBox(u"He&x"_s, page);
    m_idHexCheck->setObjectName(u"idHexCheck"_s);
    m_idHexCheck->setToolTip(u"Type the id as hex digits"_s);
    connect(m_idHexCheck, &QCheckBox::toggled, this, &EnvelopeEditor::toggleIdHex);
    connect(m_idEdit, &QLineEdit::textChanged, this, &EnvelopeEditor::edited);
    auto *idRow = new QHBoxLayout;
    idRow->addWidget(m_idEdit, 1);
    idRow->addWidget(m_idHexCheck);

    m_mimetypeCombo = new QComboBox(page);
    m_mimetypeCombo->setObjectName(u"mimetypeCombo"_s);
    m_mimetypeCombo->setEditable(true);
    m_mimetypeCombo->setInsertPolicy(QComboBox::NoInsert);
    m_mimetypeCombo->addItems({ u"text/plain"_s, u"application/json"_s, u"application/octet-stream"_s,
        u"application/xml"_s, u"text/csv"_s, u"text/html"_s, u"image/png"_s, u"image/jpeg"_s,
        u"application/msgpack"_s, u"application/cbor"_s, u"application/x-protobuf"_s });
    m_mimetypeCombo->setCurrentIndex(0);
    m_mimetypeCombo->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_mimetypeCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_mimetypeCombo->setMinimumContentsLength(12);
    connect(m_mimetypeCombo, &QComboBox::editTextChanged, this, &EnvelopeEditor::mimetypeEdited);

    m_body = new BodyEditor(loadBodyAction, page);
    connect(m_body, &BodyEditor::edited, this, &EnvelopeEditor::edited);

    m_requestFrames = new FramesEditor(page);
    m_requestFrames->setObjectName(u"requestFrames"_s);
    m_requestFrames->model()->setItemName(u"Request frame"_s);
    // Routing needs a frame or two: keep the table short so the body gets the room.
    QTableView *requestView = m_requestFrames->view();
    const int rowHeight = requestView->verticalHeader()->defaultSectionSize();
    requestView->setMinimumHeight(rowHeight * 3);
    requestView->setMaximumHeight(rowHeight * 5);
    m_requestFrames->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    connect(m_requestFrames, &FramesEditor::framesChanged, this, &EnvelopeEditor::edited);
    m_routerHint = InlineMessage::createHintLabel(
        u"A ROUTER sends to the peer named by the first request frame: use Reply on a received message, "
        u"or add the peer's routing id here."_s,
        page);
    m_routerHint->setObjectName(u"routerHint"_s);
    // The rule itself is core's (defaultEnvelopeFraming); this only offers the way out of it.
    m_delimiterCheck = new QCheckBox(u"Empty &delimiter first, as a REQ sends it"_s, page);
    m_delimiterCheck->setObjectName(u"delimiterCheck"_s);
    m_delimiterCheck->setChecked(true);
    m_delimiterCheck->setToolTip(
        u"REP peers and ROUTER services written with Dploy's library (Envelope.from_raw, "
        u"response_envelope) answer only requests framed as a REQ frames them. Uncheck to send the "
        u"envelope without the empty frame."_s);
    connect(m_delimiterCheck, &QCheckBox::toggled, this, &EnvelopeEditor::edited);
    auto *requestBox = new QVBoxLayout;
    requestBox->addWidget(m_requestFrames, 1);
    requestBox->addWidget(m_routerHint);
    requestBox->addWidget(m_delimiterCheck);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(u"&Id:"_s, idRow);
    form->addRow(u"&Mimetype:"_s, m_mimetypeCombo);
    form->addRow(u"&Body:"_s, m_body);
    auto *requestLabel = new QLabel(u"Re&quest\nframes:"_s, page);
    requestLabel->setBuddy(m_requestFrames->view());
    requestLabel->setToolTip(u"Routing frames sent before an empty delimiter frame"_s);
    form->addRow(requestLabel, requestBox);
    qobject_cast<QLabel *>(form->labelForField(idRow))->setBuddy(m_idEdit);
    qobject_cast<QLabel *>(form->labelForField(m_body))->setBuddy(m_body->textEdit());

    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form, 1);

    setTabOrder(m_idEdit, m_idHexCheck);
    setTabOrder(m_idHexCheck, m_mimetypeCombo);
    setTabOrder(m_mimetypeCombo, m_body->textEdit());
    setTabOrder(m_body->lastInTabOrder(), m_requestFrames);
    setTabOrder(m_requestFrames, m_delimiterCheck);
}

zmqscope::Result<QByteArray> EnvelopeEditor::id() const
{
    return BytesText::fromEditable(m_idEdit->text(), m_idHexCheck->isChecked() ? Format::Hex : Format::Text);
}

bool EnvelopeEditor::isIdTypedText() const
{
    return !m_idHexCheck->isChecked();
}

void EnvelopeEditor::setId(const QByteArray &bytes)
{
    const bool asHex = !BytesText::isEditableText(bytes) || bytes.contains('\n') || bytes.contains('\r');
    {
        const QSignalBlocker blocker(m_idHexCheck);
        m_idHexCheck->setChecked(asHex);
    }
    m_idEdit->setText(BytesText::toEditable(bytes, asHex ? Format::Hex : Format::Text));
}

void EnvelopeEditor::toggleIdHex(bool toHex)
{
    const zmqscope::Result<QByteArray> bytes
        = BytesText::fromEditable(m_idEdit->text(), toHex ? Format::Text : Format::Hex);
    const bool oneLine = bytes && BytesText::isEditableText(*bytes) && !bytes->contains('\n');
    if (!bytes || (!toHex && !oneLine)) {
        const QSignalBlocker blocker(m_idHexCheck);
        m_idHexCheck->setChecked(!toHex);
        Q_EMIT errorChanged(u"%1 stays %2: %3"_s.arg(u"Id"_s, toHex ? u"text"_s : u"hex"_s,
            bytes ? u"its bytes are not one line of UTF-8 text"_s : bytes.errorMessage()));
        return;
    }
    Q_EMIT errorChanged(QString());
    m_idEdit->setText(BytesText::toEditable(*bytes, toHex ? Format::Hex : Format::Text));
}

QString EnvelopeEditor::mimetype() const
{
    return m_mimetypeCombo->currentText();
}

void EnvelopeEditor::setMimetype(const QString &mimetype)
{
    m_mimetypeCombo->setCurrentText(mimetype);
}

bool EnvelopeEditor::delimiterFirst() const
{
    return m_delimiterCheck->isChecked();
}

void EnvelopeEditor::setDelimiterFirst(bool first)
{
    m_delimiterCheck->setChecked(first);
}

void EnvelopeEditor::updateHints(std::optional<zmqscope::SocketType> socketType)
{
    m_routerHint->setVisible(
        socketType == zmqscope::SocketType::Router && m_requestFrames->model()->rowCount() == 0);
    // Offered only where core's rule adds the delimiter (DEALER).
    m_delimiterCheck->setVisible(socketType
        && zmqscope::defaultEnvelopeFraming(*socketType) == zmqscope::EnvelopeFraming::ReqCompatible);
}

QWidget *EnvelopeEditor::firstInTabOrder() const
{
    return m_idEdit;
}

QWidget *EnvelopeEditor::lastInTabOrder() const
{
    return m_delimiterCheck;
}
