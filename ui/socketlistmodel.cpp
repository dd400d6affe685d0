#include "socketlistmodel.h"

#include <optional>

#include <QBrush>
#include <QColor>
#include <QFontDatabase>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

QColor stateColor(SocketState state)
{
    switch (state) {
    case SocketState::Listening:
    case SocketState::Connected:
        return QColor(0x2e, 0x8b, 0x57);
    case SocketState::Opening:
    case SocketState::Connecting:
    case SocketState::Disconnected:
    case SocketState::Retrying:
        return QColor(0xc0, 0x6c, 0x00);
    case SocketState::HandshakeFailed:
    case SocketState::Failed:
        return QColor(0xc6, 0x28, 0x28);
    case SocketState::Closed:
    case SocketState::None:
        break;
    }
    return QColor(0x80, 0x80, 0x80);
}

// Tool tips are rich text when they look like markup; escaping and wrapping
// makes them always rich text that shows exactly the characters given.
QString plainToolTip(const QString &text)
{
    return u"<p style='white-space:pre-wrap'>"_s + text.toHtmlEscaped() + u"</p>"_s;
}

} // namespace

SocketListModel::SocketListModel(Engine &engine, QObject *parent)
    : QAbstractTableModel(parent)
    , m_engine(engine)
{
    connect(&engine, &Engine::socketStateChanged, this, &SocketListModel::handleSocketStateChanged);
    connect(&engine, &Engine::socketClosed, this, &SocketListModel::handleSocketClosed);
    connect(&engine, &Engine::eventLogged, this, &SocketListModel::handleEventLogged);
}

int SocketListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_sockets.size());
}

int SocketListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SocketListModel::endpointsText(const SocketInfo &info)
{
    QStringList parts;
    // Resolved endpoints say which port a "*" bind got; before the socket is up, show what was asked for.
    const QStringList &binds = info.boundEndpoints.isEmpty() ? info.spec.binds : info.boundEndpoints;
    for (const QString &endpoint : binds)
        parts.append(u'@' + endpoint);
    for (const QString &endpoint : info.spec.connects)
        parts.append(u'>' + endpoint);
    return parts.join(u", "_s);
}

SocketState SocketListModel::shownState(const SocketInfo &info)
{
    // A tap's state is its server side's, which connects: no "Listening" there.
    if (info.tap)
        return info.state;
    // libzmq reports the peer that left; the socket itself still listens and takes the next one.
    if (info.state == SocketState::Disconnected && info.peers == 0 && !info.spec.binds.isEmpty())
        return SocketState::Listening;
    return info.state;
}

QString SocketListModel::tapTypeText(const TapInfo &tap)
{
    return u"tap "_s + tapPatternName(tap.spec.pattern);
}

QString SocketListModel::tapStateText(const SocketInfo &info)
{
    const TapInfo &tap = *info.tap;
    const int clients = info.state == SocketState::Closed ? 0 : tap.state.clients;
    QString text = info.state == SocketState::Closed || info.state == SocketState::Failed
        ? socketStateName(info.state)
        : u"clients: %1 connected \u00b7 server: %2"_s.arg(clients).arg(socketStateName(info.state));
    if (info.state == SocketState::Closed || info.state == SocketState::Failed)
        return text;
    if (tap.clientToServerHeld)
        text += u" \u00b7 c2s waits"_s;
    if (tap.serverToClientHeld)
        text += u" \u00b7 s2c waits"_s;
    return text;
}

namespace {

QString tapToolTipLines(const SocketInfo &info)
{
    const TapInfo &tap = *info.tap;
    const QLocale locale;
    QStringList lines;
    const QStringList listen = tap.listenEndpoints.isEmpty() ? tap.spec.listen : tap.listenEndpoints;
    lines.append(u"Clients' side (the tap's %1, bound where the clients connect):"_s.arg(
        socketTypeName(tapSockets(tap.spec.pattern).listen)));
    for (const QString &endpoint : listen)
        lines.append(u"    "_s + endpoint);
    lines.append(u"Server's side (the tap's %1, connected to the server):"_s.arg(
        socketTypeName(tapSockets(tap.spec.pattern).forward)));
    for (const QString &endpoint : tap.spec.forward)
        lines.append(u"    "_s + endpoint);
    lines.append(QString());
    lines.append(u"Forwarded: %1 c2s, %2 s2c"_s.arg(locale.toString(qulonglong(tap.counters.clientToServer)),
        locale.toString(qulonglong(tap.counters.serverToClient))));
    if (tap.counters.subscriptions > 0)
        lines.append(u"Subscriptions passed upstream: %1"_s.arg(
            locale.toString(qulonglong(tap.counters.subscriptions))));
    if (tap.counters.undeliverable > 0)
        lines.append(u"Replies dropped, their client had gone: %1"_s.arg(
            locale.toString(qulonglong(tap.counters.undeliverable))));
    if (tap.clientToServerHeld)
        lines.append(u"A c2s message waits for the server's side: the clients are held back."_s);
    if (tap.serverToClientHeld)
        lines.append(u"An s2c message waits for a client."_s);
    if (!tap.state.forwardDetail.isEmpty())
        lines.append(u"Server's side: "_s + tap.state.forwardDetail);
    return lines.join(u'\n');
}

QString sniffToolTipLines(const SocketInfo &info)
{
    const SniffInfo &sniff = *info.sniff;
    const QLocale locale;
    QStringList lines;
    lines.append(u"Live capture on %1 (filter: %2%3)"_s.arg(sniff.spec.interface, sniff.filter,
        sniff.linkType.isEmpty() ? QString() : u", link type "_s + sniff.linkType));
    lines.append(u"Packets: %1; dropped by the kernel: %2"_s.arg(
        locale.toString(qulonglong(sniff.packets)), locale.toString(qulonglong(sniff.dropped))));
    lines.append(u"ZeroMQ connections: %1; gaps: %2"_s.arg(
        locale.toString(qulonglong(sniff.connections)), locale.toString(qulonglong(sniff.gaps))));
    if (!info.lastError.isEmpty())
        lines.append(QString() + u'\n' + info.lastError);
    return lines.join(u'\n');
}

QString wireToolTipLines(const SocketInfo &info)
{
    const WireInfo &wire = *info.wire;
    const auto type = [](const QString &name) { return name.isEmpty() ? u"(not seen)"_s : name; };
    QStringList lines;
    lines.append(u"Client %1: %2"_s.arg(wire.client, type(wire.clientType)));
    lines.append(u"Server %1: %2"_s.arg(wire.server, type(wire.serverType)));
    lines.append(u"Security: %1"_s.arg(wire.security.isEmpty() ? u"(greeting not seen)"_s : wire.security));
    if (wire.joinedMidStream)
        lines.append(u"Joined mid-stream: the connection began before the capture."_s);
    if (wire.gaps > 0)
        lines.append(u"Gaps: %1 (bytes the capture does not hold; never guessed over)"_s.arg(wire.gaps));
    if (wire.encrypted > 0)
        lines.append(u"Encrypted (CURVE) messages: %1, shown with their size only"_s.arg(wire.encrypted));
    if (!info.lastError.isEmpty())
        lines.append(u"Last problem: "_s + info.lastError);
    return lines.join(u'\n');
}

} // namespace

QString SocketListModel::sniffStateText(const SocketInfo &info)
{
    const QLocale locale;
    if (info.sniff) {
        // The reason, with its fix, is what the user needs to see: plainly, not only in a tool tip.
        if (info.state == SocketState::Failed)
            return info.lastError.isEmpty() ? socketStateName(info.state) : u"Failed: "_s + info.lastError;
        if (info.state != SocketState::Listening)
            return socketStateName(info.state);
        QString text = u"sniffing \u00b7 %1 packets \u00b7 %2 connections \u00b7 %3 gaps"_s.arg(
            locale.toString(qulonglong(info.sniff->packets)),
            locale.toString(qulonglong(info.sniff->connections)),
            locale.toString(qulonglong(info.sniff->gaps)));
        if (info.sniff->dropped > 0)
            text += u" \u00b7 %1 dropped"_s.arg(locale.toString(qulonglong(info.sniff->dropped)));
        return text;
    }
    QString text = socketStateName(info.state);
    if (!info.wire->security.isEmpty())
        text += u" \u00b7 "_s + info.wire->security;
    if (info.wire->gaps > 0)
        text += u" \u00b7 %1 gaps"_s.arg(locale.toString(qulonglong(info.wire->gaps)));
    return text;
}

QVariant SocketListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SocketInfo &info = m_sockets.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        const QLocale locale;
        switch (column) {
        case NameColumn:
            return info.spec.name;
        case TypeColumn:
            if (info.sniff)
                return u"sniff"_s;
            if (info.wire) // the client's and the server's, as READY told them
                return u"%1 > %2"_s.arg(info.wire->clientType.isEmpty() ? u"?"_s : info.wire->clientType,
                    info.wire->serverType.isEmpty() ? u"?"_s : info.wire->serverType);
            return info.tap ? tapTypeText(*info.tap) : socketTypeName(info.spec.type);
        case EndpointsColumn:
            if (info.sniff)
                return u"%1 (%2)"_s.arg(info.sniff->spec.interface, info.sniff->filter);
            if (info.wire)
                return u"%1 > %2"_s.arg(info.wire->client, info.wire->server);
            return endpointsText(info);
        case StateColumn:
            if (info.sniff || info.wire)
                return sniffStateText(info);
            if (info.tap)
                return tapStateText(info);
            if (info.state == SocketState::Connected && info.peers > 1)
                return u"%1 (%2 peers)"_s.arg(socketStateName(info.state)).arg(info.peers);
            return socketStateName(shownState(info));
        case InColumn:
            if (info.tap)
                return u"%1 c2s"_s.arg(locale.toString(qulonglong(info.tap->counters.clientToServer)));
            return locale.toString(qulonglong(info.messagesIn));
        case OutColumn:
            if (info.tap)
                return u"%1 s2c"_s.arg(locale.toString(qulonglong(info.tap->counters.serverToClient)));
            return locale.toString(qulonglong(info.messagesOut));
        case RateColumn:
            return info.rateIn > 0
                ? u"%1/s"_s.arg(locale.toString(info.rateIn, 'f', info.rateIn < 10 ? 1 : 0))
                : u"-"_s;
        default:
            return {};
        }
    }
    case Qt::ForegroundRole:
        if (column == StateColumn)
            return QBrush(stateColor(shownState(info)));
        if (info.state == SocketState::Closed)
            return QBrush(stateColor(SocketState::Closed));
        return {};
    case Qt::TextAlignmentRole:
        if (column == InColumn || column == OutColumn || column == RateColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
        if (column == EndpointsColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case Qt::ToolTipRole:
        if (info.tap)
            return plainToolTip(tapToolTipLines(info));
        if (info.sniff)
            return plainToolTip(sniffToolTipLines(info));
        if (info.wire)
            return plainToolTip(wireToolTipLines(info));
        // The monitor's plain line (core/transport) and what the user can do about it.
        if ((column == StateColumn || column == NameColumn) && info.state == SocketState::HandshakeFailed
            && !info.lastError.isEmpty())
            return plainToolTip(info.lastError
                + u"\n\nZeroMQ tries again every reconnect interval with the same settings; Edit Socket "
                  u"(its Security tab) changes the keys or the password. The Events log has the line "
                  u"of each failure that said something new."_s);
        if (column == StateColumn && info.state == SocketState::Retrying) {
            const QString reason = m_retryReasons.value(info.id);
            return plainToolTip((reason.isEmpty() ? u"A connection attempt failed."_s : reason)
                + u"\n\nNobody accepted the connection (no peer listens there, or the host cannot be "
                  u"reached). ZeroMQ keeps trying on its own, waiting longer each time up to the "
                  u"socket's reconnect_ivl_max; messages sent meanwhile wait in the send queue "
                  u"(a PUB socket drops them)."_s);
        }
        if (column == StateColumn && !info.lastError.isEmpty())
            return plainToolTip(info.lastError);
        if (column == EndpointsColumn) {
            QStringList lines;
            for (const QString &endpoint :
                info.boundEndpoints.isEmpty() ? info.spec.binds : info.boundEndpoints)
                lines.append(u"bound to "_s + endpoint);
            for (const QString &endpoint : info.spec.connects)
                lines.append(u"connected to "_s + endpoint);
            return lines.isEmpty() ? QVariant() : QVariant(plainToolTip(lines.join(u'\n')));
        }
        return {};
    case SocketIdRole:
        return uint(info.id);
    case StateRole:
        return int(info.state);
    case IsTapRole:
        return info.tap.has_value();
    default:
        return {};
    }
}

QVariant SocketListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        static const QString titles[]
            = { u"Name"_s, u"Type"_s, u"Endpoints"_s, u"State"_s, u"In"_s, u"Out"_s, u"Rate"_s };
        return titles[section];
    }
    if (role == Qt::ToolTipRole) {
        static const QString tips[] = { u"Socket name"_s, u"ZeroMQ socket type"_s, u"@ bound, > connected"_s,
            u"From the socket monitor"_s, u"Messages received"_s, u"Messages sent"_s,
            u"Messages received per second"_s };
        return tips[section];
    }
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(
            (section == InColumn || section == OutColumn || section == RateColumn ? Qt::AlignRight
                                                                                  : Qt::AlignLeft)
            | Qt::AlignVCenter);
    return {};
}

bool SocketListModel::sameShape(const SocketInfo &a, const SocketInfo &b)
{
    const auto sameTap = [](const std::optional<TapInfo> &x, const std::optional<TapInfo> &y) {
        if (!x || !y)
            return x.has_value() == y.has_value();
        return x->state.clients == y->state.clients && x->state.listenState == y->state.listenState
            && x->state.forwardState == y->state.forwardState
            && x->state.forwardDetail == y->state.forwardDetail
            && x->clientToServerHeld == y->clientToServerHeld
            && x->serverToClientHeld == y->serverToClientHeld && x->listenEndpoints == y->listenEndpoints;
    };
    // A sniffer's counts and its connections' types, security and gaps are in their State and Type.
    const auto sameSniff = [](const SocketInfo &x, const SocketInfo &y) {
        if (x.sniff.has_value() != y.sniff.has_value() || x.wire.has_value() != y.wire.has_value())
            return false;
        if (x.sniff
            && (x.sniff->packets != y.sniff->packets || x.sniff->connections != y.sniff->connections
                || x.sniff->gaps != y.sniff->gaps || x.sniff->dropped != y.sniff->dropped
                || x.sniff->linkType != y.sniff->linkType))
            return false;
        return !x.wire
            || (x.wire->clientType == y.wire->clientType && x.wire->serverType == y.wire->serverType
                && x.wire->security == y.wire->security && x.wire->gaps == y.wire->gaps
                && x.wire->encrypted == y.wire->encrypted);
    };
    return a.state == b.state && a.peers == b.peers && a.boundEndpoints == b.boundEndpoints
        && a.spec.name == b.spec.name && a.lastError == b.lastError && sameTap(a.tap, b.tap)
        && a.spec.type == b.spec.type && sameSniff(a, b);
}

void SocketListModel::refresh()
{
    const QList<SocketInfo> current = m_engine.sockets();
    bool shapeChanged = false;
    QList<SocketInfo> added;
    int firstChanged = -1;
    int lastChanged = -1;
    for (const SocketInfo &info : current) {
        if (m_removed.contains(info.id))
            continue;
        const int row = rowForSocket(info.id);
        if (row < 0) {
            added.append(info);
            continue;
        }
        SocketInfo &mine = m_sockets[row];
        // A closed socket the engine still lists keeps its "closed" state from socketClosed.
        const bool closedHere = mine.state == SocketState::Closed;
        const bool countersChanged = mine.messagesIn != info.messagesIn
            || mine.messagesOut != info.messagesOut || mine.rateIn != info.rateIn
            || (mine.tap && info.tap
                && (mine.tap->counters.subscriptions != info.tap->counters.subscriptions
                    || mine.tap->counters.undeliverable != info.tap->counters.undeliverable));
        const bool shape = !closedHere && !sameShape(mine, info);
        if (!countersChanged && !shape)
            continue;
        const SocketState keep = mine.state;
        mine = info;
        if (closedHere)
            mine.state = keep;
        shapeChanged = shapeChanged || shape;
        firstChanged = firstChanged < 0 ? row : qMin(firstChanged, row);
        lastChanged = qMax(lastChanged, row);
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
    if (!added.isEmpty()) {
        const int first = rowCount();
        beginInsertRows({}, first, first + int(added.size()) - 1);
        m_sockets.append(added);
        endInsertRows();
        shapeChanged = true;
    }
    if (shapeChanged)
        Q_EMIT socketsChanged();
}

int SocketListModel::rowForSocket(SocketId id) const
{
    for (int row = 0; row < m_sockets.size(); ++row) {
        if (m_sockets.at(row).id == id)
            return row;
    }
    return -1;
}

QHash<SocketId, QString> SocketListModel::socketNames() const
{
    QHash<SocketId, QString> names;
    for (const SocketInfo &info : m_sockets)
        names.insert(info.id, info.spec.name);
    return names;
}

QStringList SocketListModel::namesInUse(SocketId except) const
{
    QStringList names;
    for (const SocketInfo &info : m_sockets) {
        if (info.state != SocketState::Closed && info.id != except)
            names.append(info.spec.name);
    }
    return names;
}

void SocketListModel::removeSocket(SocketId id)
{
    m_removed.insert(id);
    const int row = rowForSocket(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_sockets.removeAt(row);
    endRemoveRows();
    Q_EMIT socketsChanged();
}

void SocketListModel::handleSocketStateChanged(SocketId id, SocketState state)
{
    if (m_removed.contains(id))
        return;
    int row = rowForSocket(id);
    if (row < 0) {
        // Not listed yet: the next refresh() brings the whole info, this just makes it prompt.
        refresh();
        row = rowForSocket(id);
        if (row < 0)
            return;
    }
    // Monitor events can trail a close; the row stays "closed".
    if (m_sockets[row].state == state || m_sockets[row].state == SocketState::Closed)
        return;
    m_sockets[row].state = state;
    // The reason comes with the state it explains ("Handshake failed" and its tooltip together), not
    // at the next refresh().
    if (const std::optional<SocketInfo> info = m_engine.socket(id)) {
        m_sockets[row].lastError = info->lastError;
        m_sockets[row].peers = info->peers;
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    Q_EMIT socketsChanged();
}

void SocketListModel::handleEventLogged(const EngineEvent &event)
{
    // The monitor's line ("could not connect to tcp://h:1; retrying in 5000 ms") is the reason to show.
    if (event.socket != 0 && event.state == SocketState::Retrying)
        m_retryReasons.insert(event.socket, event.text);
}

void SocketListModel::handleSocketClosed(SocketId id)
{
    const int row = rowForSocket(id);
    if (row < 0 || m_sockets[row].state == SocketState::Closed)
        return;
    m_sockets[row].state = SocketState::Closed;
    m_sockets[row].peers = 0;
    m_sockets[row].rateIn = 0;
    if (m_sockets[row].tap) {
        m_sockets[row].tap->state.clients = 0;
        m_sockets[row].tap->clientToServerHeld = false;
        m_sockets[row].tap->serverToClientHeld = false;
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    Q_EMIT socketsChanged();
}

} // namespace zmqscope
