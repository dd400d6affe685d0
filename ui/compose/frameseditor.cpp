#include "frameseditor.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "inlinemessage.h"

using namespace Qt::StringLiterals;

FramesEditor::FramesEditor(QWidget *parent)
    : QWidget(parent)
    , m_model(new FrameListModel(this))
    , m_view(new QTableView(this))
    , m_addButton(new QToolButton(this))
    , m_removeButton(new QToolButton(this))
    , m_upButton(new QToolButton(this))
    , m_downButton(new QToolButton(this))
    , m_errorLabel(InlineMessage::createErrorLabel(this))
{
    m_view->setObjectName(u"framesView"_s);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
        | QAbstractItemView::AnyKeyPressed | QAbstractItemView::SelectedClicked);
    m_view->setTabKeyNavigation(false);
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(
        FrameListModel::HexColumn, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(
        FrameListModel::SizeColumn, QHeaderView::ResizeToContents);
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);

    const auto setUp = [this](QToolButton *button, const QString &name, const QString &text,
                           const QString &toolTip, const QKeySequence &shortcut, auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setToolTip(u"%1 (%2)"_s.arg(toolTip, shortcut.toString(QKeySequence::NativeText)));
        action->setShortcut(shortcut);
        // The shortcuts work while the focus is in this editor only, so two editors do not clash.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
        connect(action, &QAction::triggered, this, slot);
        button->setDefaultAction(action);
        button->setObjectName(name + u"Button"_s);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    };
    setUp(m_addButton, u"addFrame"_s, u"Add"_s, u"Add a frame after the selected one"_s,
        QKeySequence(Qt::Key_Insert), &FramesEditor::addFrame);
    setUp(m_removeButton, u"removeFrame"_s, u"Remove"_s, u"Remove the selected frame"_s,
        QKeySequence(Qt::Key_Delete), &FramesEditor::removeCurrentFrame);
    setUp(m_upButton, u"moveFrameUp"_s, u"Up"_s, u"Move the selected frame up"_s,
        QKeySequence(Qt::ALT | Qt::Key_Up), &FramesEditor::moveCurrentFrameUp);
    setUp(m_downButton, u"moveFrameDown"_s, u"Down"_s, u"Move the selected frame down"_s,
        QKeySequence(Qt::ALT | Qt::Key_Down), &FramesEditor::moveCurrentFrameDown);

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_addButton);
    buttons->addWidget(m_removeButton);
    buttons->addWidget(m_upButton);
    buttons->addWidget(m_downButton);
    buttons->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_errorLabel);

    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        m_refusal.clear();
        updateState();
        Q_EMIT framesChanged();
    });
    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved }) {
        connect(m_model, signal, this, [this] {
            m_refusal.clear();
            updateState();
            Q_EMIT framesChanged();
        });
    }
    connect(m_model, &QAbstractItemModel::rowsMoved, this, [this] {
        updateState();
        Q_EMIT framesChanged();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_refusal.clear();
        updateState();
        Q_EMIT framesChanged();
    });
    connect(m_model, &FrameListModel::formatRefused, this, [this](const QString &reason) {
        m_refusal = reason;
        updateState();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &FramesEditor::updateState);
    updateState();
}

FramesEditor::~FramesEditor()
{
    // Deleting the view can commit an open cell editor and emit into this half-destroyed object.
    const QList<QObject *> children = findChildren<QObject *>();
    for (QObject *child : children)
        disconnect(child, nullptr, this, nullptr);
}

QString FramesEditor::errorText() const
{
    return InlineMessage::text(m_errorLabel);
}

void FramesEditor::addFrame()
{
    const QModelIndex current = m_view->currentIndex();
    const int row = current.isValid() ? current.row() + 1 : m_model->rowCount();
    m_model->insertEntry(row, {});
    const QModelIndex content = m_model->index(row, FrameListModel::ContentColumn);
    m_view->setCurrentIndex(content);
    m_view->setFocus(Qt::OtherFocusReason);
    m_view->edit(content);
}

void FramesEditor::removeCurrentFrame()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const int row = current.row();
    const int column = current.column();
    m_model->removeRows(row, 1);
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(std::min(row, m_model->rowCount() - 1), column));
}

void FramesEditor::moveCurrentFrameUp()
{
    moveCurrentFrame(-1);
}

void FramesEditor::moveCurrentFrameDown()
{
    moveCurrentFrame(1);
}

void FramesEditor::moveCurrentFrame(int delta)
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const int row = current.row();
    const int target = row + delta;
    if (target < 0 || target >= m_model->rowCount())
        return;
    // moveRows() takes the destination as "insert before", so moving down skips one more.
    if (m_model->moveRows({}, row, 1, {}, delta > 0 ? target + 1 : target))
        m_view->setCurrentIndex(m_model->index(target, current.column()));
}

void FramesEditor::updateState()
{
    const QModelIndex current = m_view->currentIndex();
    const int rows = m_model->rowCount();
    m_removeButton->defaultAction()->setEnabled(current.isValid());
    m_upButton->defaultAction()->setEnabled(current.isValid() && current.row() > 0);
    m_downButton->defaultAction()->setEnabled(current.isValid() && current.row() + 1 < rows);

    QString text = m_refusal;
    if (text.isEmpty()) {
        const QStringList problems = m_model->problems();
        if (!problems.isEmpty())
            text = problems.constFirst();
    }
    InlineMessage::show(m_errorLabel, text);
}
