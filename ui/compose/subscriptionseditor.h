#pragma once

#include <QByteArrayList>
#include <QGroupBox>

class QListWidget;
class QToolButton;

/**
 * The Subscriptions group of the New-socket dialog (SUB and XSUB): the topic
 * prefixes to receive, added, edited in place and removed in a list.
 */
class SubscriptionsEditor : public QGroupBox
{
    Q_OBJECT

public:
    explicit SubscriptionsEditor(QWidget *parent = nullptr);

    /// The prefixes as UTF-8, without empty ones or repeats (an empty list already means everything).
    [[nodiscard]] QByteArrayList subscriptions() const;
    void setSubscriptions(const QByteArrayList &prefixes);
    /// The list, the first widget of the group in the tab order.
    [[nodiscard]] QWidget *list() const;

Q_SIGNALS:
    /// A prefix was added, edited or removed.
    void edited();

private:
    QListWidget *m_list = nullptr;
    QToolButton *m_addButton = nullptr;
    QToolButton *m_removeButton = nullptr;
};
