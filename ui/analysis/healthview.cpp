#include "healthview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "analysistable.h"
#include "healthmodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

HealthView::HealthView(HealthModel &model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    auto *fieldLabel = new QLabel(u"Se&quence field:"_s, this);
    m_field = new QLineEdit(this);
    m_field->setObjectName(u"sequenceField"_s);
    m_field->setPlaceholderText(u"seq, meta.seq, …"_s);
    m_field->setToolTip(u"A JSON path of the body whose number should go up by one per message"_s);
    m_field->setClearButtonEnabled(true);
    fieldLabel->setBuddy(m_field);
    m_streams = new QComboBox(this);
    m_streams->setObjectName(u"sequenceStreams"_s);
    m_streams->addItem(u"per socket and id"_s, int(SequenceStreams::BySocketAndId));
    m_streams->addItem(u"per socket"_s, int(SequenceStreams::BySocket));
    m_check = new QPushButton(u"&Check"_s, this);
    m_check->setObjectName(u"sequenceCheck"_s);
    bar->addWidget(fieldLabel);
    bar->addWidget(m_field, 1);
    bar->addWidget(m_streams);
    bar->addWidget(m_check);

    m_problem = new QLabel(this);
    m_problem->setObjectName(u"sequenceProblem"_s);
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setStyleSheet(u"color: #c02020"_s);
    m_problem->hide();
    m_ownLoss = new QLabel(this);
    m_ownLoss->setObjectName(u"ownLoss"_s);
    m_ownLoss->setTextFormat(Qt::PlainText);
    m_ownLoss->setWordWrap(true);
    m_ownLoss->hide();

    m_table = makeAnalysisTable(model, u"healthTable"_s, this);

    auto *timelineBox = new QWidget(this);
    auto *timelineLayout = new QVBoxLayout(timelineBox);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    m_timelineTitle = new QLabel(timelineBox);
    m_timelineTitle->setTextFormat(Qt::PlainText);
    m_timeline = new QListWidget(timelineBox);
    m_timeline->setObjectName(u"healthTimeline"_s);
    m_timeline->setUniformItemSizes(true);
    timelineLayout->addWidget(m_timelineTitle);
    timelineLayout->addWidget(m_timeline, 1);
    m_hints = new QLabel(this);
    m_hints->setObjectName(u"healthHints"_s);
    m_hints->setTextFormat(Qt::PlainText);
    m_hints->setWordWrap(true);
    m_hints->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_hints->setMargin(4);
    m_hints->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *lower = new QSplitter(Qt::Horizontal, this);
    lower->addWidget(timelineBox);
    lower->addWidget(m_hints);
    lower->setChildrenCollapsible(false);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(lower);
    split->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_problem);
    layout->addWidget(m_ownLoss);
    layout->addWidget(split, 1);

    connect(m_check, &QPushButton::clicked, this, &HealthView::applyField);
    connect(m_field, &QLineEdit::returnPressed, this, &HealthView::applyField);
    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &HealthView::updateDetails);
    connect(&model, &HealthModel::healthChanged, this, [this] {
        if (m_detailsDue)
            return;
        m_detailsDue = true;
        QTimer::singleShot(200, this, [this] {
            m_detailsDue = false;
            updateDetails();
        });
    });
    connect(&model, &QAbstractItemModel::modelReset, this, &HealthView::updateDetails);
    updateDetails();
}

void HealthView::showField(const std::optional<JsonPath> &field, SequenceStreams by)
{
    m_field->setText(field ? field->text() : QString());
    m_streams->setCurrentIndex(m_streams->findData(int(by)));
    m_problem->hide();
}

void HealthView::applyField()
{
    const QString text = m_field->text().trimmed();
    const auto by = SequenceStreams(m_streams->currentData().toInt());
    if (text.isEmpty()) {
        m_problem->hide();
        Q_EMIT sequenceFieldChosen(std::nullopt, by);
        return;
    }
    const Result<JsonPath> path = JsonPath::parseField(text);
    if (!path) {
        m_problem->setText(path.errorMessage());
        m_problem->show();
        return;
    }
    m_problem->hide();
    Q_EMIT sequenceFieldChosen(*path, by);
}

void HealthView::updateDetails()
{
    const QString ownLoss = m_model.ownLossText();
    m_ownLoss->setText(
        ownLoss.isEmpty() ? QString() : u"Dropped or held by ZmqScope itself (not the system): "_s + ownLoss);
    m_ownLoss->setVisible(!ownLoss.isEmpty());

    QModelIndex current = m_table->currentIndex();
    if (!current.isValid() && m_model.rowCount() > 0)
        current = m_model.index(0, 0);
    const SocketId socket = current.isValid() ? m_model.socketAt(current.row()) : 0;
    if (socket == 0) {
        m_timelineTitle->setText(u"Events"_s);
        m_timeline->clear();
        m_hints->setText(u"No socket yet."_s);
        return;
    }
    const QString name = current.siblingAtColumn(HealthModel::SocketColumn).data().toString();
    m_timelineTitle->setText(u"Events of %1"_s.arg(name));
    const std::deque<HealthModel::Event> &events = m_model.events(socket);
    m_timeline->setUpdatesEnabled(false);
    m_timeline->clear();
    for (const HealthModel::Event &event : events) {
        auto *item = new QListWidgetItem(
            event.time.toLocalTime().toString(u"HH:mm:ss.zzz"_s) + u"  "_s + event.text);
        QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
        switch (event.kind) {
        case HealthModel::Event::Kind::HandshakeFailed:
            icon = QStyle::SP_MessageBoxCritical;
            break;
        case HealthModel::Event::Kind::Retry:
        case HealthModel::Event::Kind::Disconnected:
            icon = QStyle::SP_MessageBoxWarning;
            break;
        case HealthModel::Event::Kind::Connected:
            icon = QStyle::SP_DialogApplyButton;
            break;
        case HealthModel::Event::Kind::Other:
            break;
        }
        item->setIcon(style()->standardIcon(icon));
        if (event.isError)
            item->setForeground(QColor(0xc0, 0x20, 0x20));
        m_timeline->addItem(item);
    }
    m_timeline->scrollToBottom();
    m_timeline->setUpdatesEnabled(true);
    const QStringList hints = m_model.hints(socket);
    m_hints->setText(
        hints.isEmpty() ? u"Nothing unusual on %1."_s.arg(name) : u"• "_s + hints.join(u"\n• "_s));
}

} // namespace zmqscope
