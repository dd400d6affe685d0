#include "subscriptionseditor.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "inlinemessage.h"

using namespace Qt::StringLiterals;

SubscriptionsEditor::SubscriptionsEditor(QWidget *parent)
    : QGroupBox(u"Subscriptions"_s, parent)
{
    m_list = new QListWidget(this);
    m_list->setObjectName(u"subscriptionList"_s);
    m_list->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
        | QAbstractItemView::AnyKeyPressed);
    m_list->setMaximumHeight(m_list->fontMetrics().height() * 6);
    m_addButton = new QToolButton(this);
    m_addButton->setObjectName(u"addSubscriptionButton"_s);
    m_addButton->setText(u"Add Prefix"_s);
    m_removeButton = new QToolButton(this);
    m_removeButton->setObjectName(u"removeSubscriptionButton"_s);
    m_removeButton->setText(u"Remove"_s);
    connect(m_addButton, &QToolButton::clicked, this, [this] {
        auto *item = new QListWidgetItem(m_list);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        m_list->setCurrentItem(item);
        m_list->editItem(item);
        Q_EMIT edited();
    });
    connect(m_removeButton, &QToolButton::clicked, this, [this] {
        delete m_list->currentItem();
        Q_EMIT edited();
    });
    connect(m_list, &QListWidget::itemChanged, this, &SubscriptionsEditor::edited);
    auto *buttons = new QVBoxLayout;
    buttons->addWidget(m_addButton);
    buttons->addWidget(m_removeButton);
    buttons->addStretch(1);
    auto *row = new QHBoxLayout;
    row->addWidget(m_list, 1);
    row->addLayout(buttons);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(InlineMessage::createHintLabel(
        u"Topic prefixes to receive; a message matches when its first frame starts with one. "
        u"An empty list receives everything."_s,
        this));
}

QByteArrayList SubscriptionsEditor::subscriptions() const
{
    QByteArrayList prefixes;
    for (int i = 0; i < m_list->count(); ++i) {
        const QByteArray prefix = m_list->item(i)->text().toUtf8();
        // An empty prefix is "everything", which an empty list already says.
        if (!prefix.isEmpty() && !prefixes.contains(prefix))
            prefixes.append(prefix);
    }
    return prefixes;
}

void SubscriptionsEditor::setSubscriptions(const QByteArrayList &prefixes)
{
    m_list->clear();
    for (const QByteArray &prefix : prefixes) {
        auto *item = new QListWidgetItem(QString::fromUtf8(prefix), m_list);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
    }
}

QWidget *SubscriptionsEditor::list() const
{
    return m_list;
}
