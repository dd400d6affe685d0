#include "tapmonitorview.h"

#include <QBrush>
#include <QColor>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QResizeEvent>
#include <QScrollBar>
#include <QVBoxLayout>

#include <zmqscope/analysis/requestpairing.h> // latencyText

#include "compose/inlinemessage.h"
#include "compose/newtapdialog.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// The engine's tap lines (EngineWorker): the monitor's lines of each side carry its prefix; the
// others are the tap's own and belong to the side they are about.
const auto ClientsPrefix = u"clients' side: "_s;
const auto ServerPrefix = u"server's side: "_s;

bool isTapLine(const QString &text)
{
    return text.startsWith(ClientsPrefix) || text.startsWith(ServerPrefix)
        || text.startsWith(u"opened tap "_s) || text.startsWith(u"c2s waits"_s)
        || text.startsWith(u"s2c waits"_s) || text.startsWith(u"subscribe passed upstream"_s)
        || text.startsWith(u"unsubscribe passed upstream"_s);
}

QLabel *valueLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    // Endpoints and monitor lines come from the user and the network: plain text only.
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QListWidget *eventList(QWidget *parent, const QString &name)
{
    auto *list = new QListWidget(parent);
    list->setObjectName(name);
    list->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Wrapped, not cut or scrolled sideways: a side's column is narrow and its lines are long.
    list->setWordWrap(true);
    list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    list->setResizeMode(QListView::Adjust);
    list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    list->setMinimumHeight(QFontMetrics(list->font()).lineSpacing() * 3);
    return list;
}

QString stateText(SocketState state)
{
    return socketStateName(state);
}

} // namespace

/// One side of the tap: a box with its values, one row each, over the list of its monitor lines.
class TapMonitorView::Side : public QGroupBox
{
public:
    /// rows: each value's label and object name, in order.
    Side(const QString &title, const QString &name, const QList<std::pair<QString, QString>> &rows,
        QWidget *parent)
        : QGroupBox(title, parent)
        , m_title(title)
    {
        setObjectName(name + u"Side"_s);
        for (const auto &row : rows)
            m_values.append(valueLabel(this, row.second));
        m_events = eventList(this, name + u"Events"_s);
        auto *form = new QFormLayout;
        for (qsizetype i = 0; i < rows.size(); ++i)
            form->addRow(rows.at(i).first, m_values.at(i));
        auto *layout = new QVBoxLayout(this);
        layout->addLayout(form);
        layout->addWidget(m_events, 1);
    }

    /// No tap: the plain title, "-" for every value and no lines.
    void clear()
    {
        setTitle(m_title);
        for (QLabel *label : std::as_const(m_values))
            label->setText(u"-"_s);
        m_events->clear();
    }

    /// The values in the order of the rows.
    void setValues(const QStringList &values)
    {
        for (qsizetype i = 0; i < m_values.size(); ++i)
            m_values.at(i)->setText(values.value(i));
    }

    void setLines(const std::deque<Line> &lines)
    {
        QScrollBar *bar = m_events->verticalScrollBar();
        const bool atEnd = bar->value() == bar->maximum();
        m_events->clear();
        for (const Line &line : lines) {
            auto *item = new QListWidgetItem(
                u"%1  %2"_s.arg(line.time.toLocalTime().toString(u"hh:mm:ss.zzz"_s), line.text), m_events);
            if (line.isError)
                item->setForeground(QBrush(QColor(0xc6, 0x28, 0x28)));
        }
        // Stay at the newest line unless the user scrolled up to read.
        if (atEnd)
            m_events->scrollToBottom();
    }

private:
    QString m_title;
    QList<QLabel *> m_values;
    QListWidget *m_events = nullptr;
};

TapMonitorView::TapMonitorView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"tapMonitor"_s);

    m_title = valueLabel(this, u"tapTitle"_s);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_explanation = InlineMessage::createHintLabel(QString(), this);
    m_explanation->setObjectName(u"tapExplanation"_s);
    m_explanation->setWordWrap(true);
    m_counters = valueLabel(this, u"tapCounters"_s);

    m_clients = new Side(u"Clients' side"_s, u"clients"_s,
        { { u"Listen:"_s, u"clientsEndpoints"_s }, { u"State:"_s, u"clientsState"_s },
            { u"Clients:"_s, u"clientsCount"_s } },
        this);
    m_server = new Side(u"Server's side"_s, u"server"_s,
        { { u"Forward:"_s, u"serverEndpoints"_s }, { u"State:"_s, u"serverState"_s },
            { u"Retries:"_s, u"serverRetries"_s }, { u"Monitor:"_s, u"serverDetail"_s } },
        this);

    auto *sides = m_sides = new QBoxLayout(QBoxLayout::LeftToRight);
    sides->addWidget(m_clients, 1);
    sides->addWidget(m_server, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_explanation);
    layout->addWidget(m_counters);
    layout->addLayout(sides, 1);
    updateShown();
}

void TapMonitorView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Two columns need room for an endpoint and a monitor line each; narrower, one over the other.
    const int columnWidth = fontMetrics().horizontalAdvance(u"tcp://127.0.0.1:55555 (ROUTER)"_s) + 40;
    m_sides->setDirection(
        event->size().width() >= 2 * columnWidth ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom);
}

void TapMonitorView::updateTap(const SocketInfo &info)
{
    if (!info.tap)
        return;
    m_taps.insert(info.id, info);
    if (info.id == m_shown)
        updateShown();
}

void TapMonitorView::addEvent(const EngineEvent &event)
{
    if (event.socket == 0 || (!m_taps.contains(event.socket) && !isTapLine(event.text)))
        return;
    History &history = m_history[event.socket];
    Line line { event.time, event.text, event.isError };
    // "c2s waits" is about the server's side (nobody takes the requests there); "s2c waits" and
    // subscriptions about the clients'.
    bool clientsSide = false;
    if (event.text.startsWith(ClientsPrefix)) {
        clientsSide = true;
        line.text = event.text.mid(ClientsPrefix.size());
    } else if (event.text.startsWith(ServerPrefix)) {
        line.text = event.text.mid(ServerPrefix.size());
        if (event.state == SocketState::Retrying)
            ++history.retries;
    } else if (event.text.startsWith(u"s2c waits"_s) || event.text.contains(u"subscribe passed upstream"_s)) {
        clientsSide = true;
    } else if (event.text.startsWith(u"opened tap "_s)) {
        // Said once for both sides: the header shows the same.
        history.clients.push_back(line);
    }
    std::deque<Line> &lines = clientsSide ? history.clients : history.server;
    lines.push_back(std::move(line));
    while (int(history.clients.size()) > MaxLinesPerSide)
        history.clients.pop_front();
    while (int(history.server.size()) > MaxLinesPerSide)
        history.server.pop_front();
    if (event.socket == m_shown) {
        m_listsStale = true;
        updateShown();
    }
}

void TapMonitorView::setSockets(const QList<SocketInfo> &sockets)
{
    m_taps.clear();
    for (const SocketInfo &info : sockets) {
        if (info.tap)
            m_taps.insert(info.id, info);
    }
    updateShown();
}

void TapMonitorView::showTap(SocketId id)
{
    if (id == m_shown)
        return;
    m_shown = id;
    m_listsStale = true;
    updateShown();
    const auto it = m_taps.constFind(id);
    Q_EMIT shownTapChanged(id, it != m_taps.cend() ? it->spec.name : QString());
}

QStringList TapMonitorView::sideLines(SocketId id, bool clientsSide) const
{
    QStringList result;
    const auto it = m_history.constFind(id);
    if (it == m_history.cend())
        return result;
    for (const Line &line : clientsSide ? it->clients : it->server)
        result.append(line.text);
    return result;
}

void TapMonitorView::updateShown()
{
    const auto it = m_taps.constFind(m_shown);
    if (it == m_taps.cend() || !it->tap) {
        m_clients->clear();
        m_server->clear();
        m_title->setText(u"No tap selected"_s);
        m_explanation->setText(u"Open a tap with Capture > New Tap\u2026 and select its row in the Sockets "
                               u"panel: its clients' side and its server's side show here."_s);
        m_counters->clear();
        return;
    }
    const SocketInfo &info = *it;
    const TapInfo &tap = *info.tap;
    const TapSockets sockets = tapSockets(tap.spec.pattern);
    const bool open = info.state != SocketState::Closed && info.state != SocketState::Failed;
    const QLocale locale;

    m_title->setText(u"%1 \u2014 tap %2%3"_s.arg(info.spec.name, tapPatternName(tap.spec.pattern),
        open ? QString() : u" (%1)"_s.arg(socketStateName(info.state).toLower())));
    m_explanation->setText(NewTapDialog::patternExplanation(tap.spec.pattern));
    QStringList counters { u"Forwarded %1 c2s \u00b7 %2 s2c"_s.arg(
        locale.toString(qulonglong(tap.counters.clientToServer)),
        locale.toString(qulonglong(tap.counters.serverToClient))) };
    if (tap.counters.subscriptions > 0 || sockets.listen == SocketType::XPub)
        counters.append(u"%1 subscriptions"_s.arg(locale.toString(qulonglong(tap.counters.subscriptions))));
    if (tap.counters.undeliverable > 0)
        counters.append(u"%1 undeliverable"_s.arg(locale.toString(qulonglong(tap.counters.undeliverable))));
    counters.append(u"held back: %1 times c2s, %2 times s2c"_s.arg(
        locale.toString(qulonglong(tap.counters.clientToServerStalls)),
        locale.toString(qulonglong(tap.counters.serverToClientStalls))));
    if (const std::uint64_t blockedUs
        = tap.counters.clientToServerBlockedUs + tap.counters.serverToClientBlockedUs)
        counters.append(u"%1 in all"_s.arg(latencyText(std::int64_t(blockedUs))));
    if (tap.clientToServerHeld)
        counters.append(u"c2s waits for the server's side now"_s);
    if (tap.serverToClientHeld)
        counters.append(u"s2c waits for a client now"_s);
    m_counters->setText(counters.join(u" \u00b7 "_s));

    const QStringList listen = tap.listenEndpoints.isEmpty() ? tap.spec.listen : tap.listenEndpoints;
    m_clients->setTitle(u"Clients' side: the tap's %1, bound"_s.arg(socketTypeName(sockets.listen)));
    m_server->setTitle(u"Server's side: the tap's %1, connected"_s.arg(socketTypeName(sockets.forward)));
    m_clients->setValues(
        { listen.join(u'\n'), open ? stateText(tap.state.listenState) : socketStateName(info.state),
            u"%1 %2 connected"_s.arg(open ? tap.state.clients : 0).arg(socketTypeName(sockets.clients)) });
    m_server->setValues({ tap.spec.forward.join(u'\n'),
        u"%1 (%2 server)"_s.arg(open ? stateText(tap.state.forwardState) : socketStateName(info.state),
            socketTypeName(sockets.server)),
        QString::number(m_history.value(info.id).retries),
        tap.state.forwardDetail.isEmpty() ? u"-"_s : tap.state.forwardDetail });

    if (m_listsStale) {
        m_listsStale = false;
        const History history = m_history.value(info.id);
        m_clients->setLines(history.clients);
        m_server->setLines(history.server);
    }
}

} // namespace zmqscope
