#include "connectionspanel.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTimeZone>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

enum EventColumn
{
    EventTimeColumn,
    EventConnectionColumn,
    EventDirectionColumn,
    EventKindColumn,
    EventDetailColumn,
    EventColumnCount
};

const QString None = u"\u2014"_s;

QString timeOfDay(std::int64_t timestampUs)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(timestampUs / 1000, QTimeZone::utc());
    return time.toString(u"HH:mm:ss"_s) + u".%1"_s.arg(timestampUs % 1000000, 6, 10, QLatin1Char('0'));
}

QString orNone(const QString &text)
{
    return text.isEmpty() ? None : text;
}

QString identities(const WireConnection &connection)
{
    QStringList parts;
    if (!connection.clientIdentity.isEmpty())
        parts.append(u"client %1"_s.arg(textescape::escape(connection.clientIdentity)));
    if (!connection.serverIdentity.isEmpty())
        parts.append(u"server %1"_s.arg(textescape::escape(connection.serverIdentity)));
    return parts.isEmpty() ? None : parts.join(u", "_s);
}

QString state(const WireConnection &connection)
{
    QStringList parts;
    if (connection.joinedMidStream)
        parts.append(u"joined mid-stream"_s);
    parts.append(connection.closed ? u"closed"_s : u"open at the end"_s);
    return parts.join(u", "_s);
}

QString eventDetail(const CaptureRecord &event)
{
    if (event.event == u"subscribe" || event.event == u"unsubscribe")
        return event.topic.isEmpty() ? u"every topic"_s : u"topic %1"_s.arg(textescape::escape(event.topic));
    return event.detail;
}

QTreeWidget *makeTree(const QStringList &headers, const QString &objectName, QWidget *parent)
{
    auto *tree = new QTreeWidget(parent);
    tree->setObjectName(objectName);
    tree->setRootIsDecorated(false);
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->setHeaderLabels(headers);
    tree->header()->setStretchLastSection(true);
    return tree;
}

/// Columns as wide as their contents and headers plus room to breathe (the user can still drag them).
void fitColumns(QTreeWidget *tree)
{
    const int padding = tree->fontMetrics().horizontalAdvance(u"MM"_s);
    for (int column = 0; column + 1 < tree->columnCount(); ++column) {
        if (tree->isColumnHidden(column))
            continue;
        tree->resizeColumnToContents(column);
        tree->setColumnWidth(column, tree->columnWidth(column) + padding);
    }
}

} // namespace

ConnectionsPanel::ConnectionsPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"connectionsPanel"_s);
    m_connections = makeTree(
        { u"Connection (client > server)"_s, u"Security"_s, u"Client"_s, u"Server"_s, u"Identities"_s,
            u"PLAIN user"_s, u"c2s"_s, u"s2c"_s, u"Gaps"_s, u"Problems"_s, u"State"_s },
        u"connectionsView"_s, this);
    m_connections->setSelectionMode(QAbstractItemView::SingleSelection);
    m_connections->headerItem()->setToolTip(
        ClientToServerColumn, u"Messages from the client to the server"_s);
    m_connections->headerItem()->setToolTip(
        ServerToClientColumn, u"Messages from the server to the client"_s);
    m_connections->headerItem()->setToolTip(
        GapsColumn, u"Holes in the capture: bytes that were never seen"_s);
    for (const int column : { ClientToServerColumn, ServerToClientColumn, GapsColumn, ProblemsColumn })
        m_connections->headerItem()->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
    connect(
        m_connections, &QTreeWidget::itemSelectionChanged, this, &ConnectionsPanel::handleSelectionChanged);

    m_events = makeTree({ u"Time (UTC)"_s, u"Connection"_s, u"Dir"_s, u"Event"_s, u"Detail"_s },
        u"connectionEventsView"_s, this);
    m_events->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_events->setWordWrap(false);
    m_eventsTitle = new QLabel(this);
    m_eventsTitle->setObjectName(u"connectionEventsTitle"_s);
    m_eventsTitle->setTextFormat(Qt::PlainText);

    auto *eventsBox = new QWidget(this);
    auto *eventsLayout = new QVBoxLayout(eventsBox);
    eventsLayout->setContentsMargins(0, 0, 0, 0);
    eventsLayout->setSpacing(2);
    m_eventsTitle->setContentsMargins(4, 4, 4, 0);
    eventsLayout->addWidget(m_eventsTitle);
    eventsLayout->addWidget(m_events, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_connections);
    splitter->addWidget(eventsBox);
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
}

void ConnectionsPanel::setCapture(const CaptureLoadResult &result)
{
    m_socketByName.clear();
    for (const CaptureSocket &socket : result.sockets)
        m_socketByName.insert(socket.name, socket.id);
    m_allEvents = result.events;
    m_eventsLeftOut = result.eventsLeftOut;

    const QSignalBlocker blocker(m_connections);
    m_connections->clear();
    const QLocale locale;
    for (const WireConnection &connection : result.connections) {
        auto *item = new QTreeWidgetItem(m_connections);
        item->setText(ConnectionColumn, connection.name);
        item->setData(ConnectionColumn, Qt::UserRole, connection.name);
        item->setText(SecurityColumn, orNone(connection.security));
        if (connection.versionMajor > 0)
            item->setToolTip(SecurityColumn,
                u"ZMTP %1.%2 greeting"_s.arg(connection.versionMajor).arg(connection.versionMinor));
        item->setText(ClientTypeColumn, orNone(connection.clientType));
        item->setText(ServerTypeColumn, orNone(connection.serverType));
        if (connection.security == u"CURVE") {
            // CURVE's READY is encrypted: the socket types are not on the wire.
            for (const int column : { ClientTypeColumn, ServerTypeColumn })
                if (item->text(column) == None)
                    item->setToolTip(column, u"Not visible: CURVE encrypts the socket type"_s);
        }
        item->setText(IdentitiesColumn, identities(connection));
        item->setText(UserColumn, orNone(connection.plainUsername));
        if (!connection.plainUsername.isEmpty())
            item->setToolTip(UserColumn, u"The password is never shown or kept"_s);
        item->setText(ClientToServerColumn, locale.toString(qulonglong(connection.clientToServer)));
        item->setText(ServerToClientColumn, locale.toString(qulonglong(connection.serverToClient)));
        item->setText(GapsColumn,
            connection.gaps == 0 ? u"0"_s
                                 : u"%1 (%2 bytes)"_s.arg(locale.toString(qulonglong(connection.gaps)),
                                     locale.toString(qulonglong(connection.gapBytes))));
        item->setText(ProblemsColumn, locale.toString(qulonglong(connection.problems)));
        if (!connection.lastProblem.isEmpty())
            item->setToolTip(ProblemsColumn, connection.lastProblem);
        item->setText(StateColumn, state(connection));
        for (const int column : { ClientToServerColumn, ServerToClientColumn, GapsColumn, ProblemsColumn })
            item->setTextAlignment(column, Qt::AlignRight | Qt::AlignVCenter);
    }
    fitColumns(m_connections);
    showEvents(QString());
}

SocketId ConnectionsPanel::selectedSocket() const
{
    const QList<QTreeWidgetItem *> selected = m_connections->selectedItems();
    if (selected.isEmpty())
        return 0;
    return m_socketByName.value(selected.first()->data(ConnectionColumn, Qt::UserRole).toString());
}

bool ConnectionsPanel::selectSocket(SocketId socket)
{
    if (socket == 0) {
        m_connections->clearSelection();
        return true;
    }
    for (int i = 0; i < m_connections->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_connections->topLevelItem(i);
        if (m_socketByName.value(item->data(ConnectionColumn, Qt::UserRole).toString()) == socket) {
            m_connections->setCurrentItem(item);
            return true;
        }
    }
    return false;
}

void ConnectionsPanel::handleSelectionChanged()
{
    const QList<QTreeWidgetItem *> selected = m_connections->selectedItems();
    showEvents(
        selected.isEmpty() ? QString() : selected.first()->data(ConnectionColumn, Qt::UserRole).toString());
    Q_EMIT socketSelected(selectedSocket());
}

void ConnectionsPanel::showEvents(const QString &connectionName)
{
    m_events->clear();
    QList<QTreeWidgetItem *> items;
    for (const CaptureRecord &event : std::as_const(m_allEvents)) {
        if (!connectionName.isEmpty() && event.socket != connectionName)
            continue;
        auto *item = new QTreeWidgetItem;
        item->setText(EventTimeColumn, timeOfDay(event.timestampUs));
        item->setText(EventConnectionColumn, event.socket);
        item->setText(EventDirectionColumn, QString::fromLatin1(directionName(event.direction)));
        item->setText(EventKindColumn, event.event);
        item->setText(EventDetailColumn, eventDetail(event));
        item->setToolTip(EventDetailColumn, eventDetail(event));
        items.append(item);
    }
    m_events->addTopLevelItems(items);
    // One connection's events need not repeat its name.
    m_events->setColumnHidden(EventConnectionColumn, !connectionName.isEmpty());
    fitColumns(m_events);
    const QLocale locale;
    QString title = connectionName.isEmpty()
        ? u"Events on the wire (%1): select a connection to see its own and filter the messages"_s.arg(
            locale.toString(items.size()))
        : u"Events of %1 (%2)"_s.arg(connectionName, locale.toString(items.size()));
    if (m_eventsLeftOut > 0)
        title += u"; %1 later events are not listed"_s.arg(locale.toString(qulonglong(m_eventsLeftOut)));
    m_eventsTitle->setText(title);
}

} // namespace zmqscope
