#include <algorithm>
#include <array>
#include <zmq.h>

#include <QStringList>

#include <zmqscope/names.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

struct SocketTypeName
{
    const char *name;
    SocketType type;
};

constexpr std::array socketTypeTable {
    SocketTypeName { "PAIR", SocketType::Pair },
    SocketTypeName { "PUB", SocketType::Pub },
    SocketTypeName { "SUB", SocketType::Sub },
    SocketTypeName { "REQ", SocketType::Req },
    SocketTypeName { "REP", SocketType::Rep },
    SocketTypeName { "DEALER", SocketType::Dealer },
    SocketTypeName { "ROUTER", SocketType::Router },
    SocketTypeName { "PULL", SocketType::Pull },
    SocketTypeName { "PUSH", SocketType::Push },
    SocketTypeName { "XPUB", SocketType::XPub },
    SocketTypeName { "XSUB", SocketType::XSub },
    SocketTypeName { "STREAM", SocketType::Stream },
};

static_assert(ZMQ_PAIR == 0 && ZMQ_PUB == 1 && ZMQ_SUB == 2 && ZMQ_REQ == 3 && ZMQ_REP == 4 && ZMQ_DEALER == 5
    && ZMQ_ROUTER == 6 && ZMQ_PULL == 7 && ZMQ_PUSH == 8 && ZMQ_XPUB == 9 && ZMQ_XSUB == 10
    && ZMQ_STREAM == 11);

using enum OptionKind;

// Sorted by name; "identity" is handled as an alias in findOption().
constexpr std::array optionTable {
    OptionInfo { "affinity", ZMQ_AFFINITY, Int64, true, true },
    OptionInfo { "backlog", ZMQ_BACKLOG, Int, true, true },
    OptionInfo { "conflate", ZMQ_CONFLATE, Bool, false, true },
    OptionInfo { "connect_timeout", ZMQ_CONNECT_TIMEOUT, Int, true, true },
    OptionInfo { "curve_publickey", ZMQ_CURVE_PUBLICKEY, CurveKey, true, true },
    OptionInfo { "curve_secretkey", ZMQ_CURVE_SECRETKEY, CurveKey, true, true },
    OptionInfo { "curve_server", ZMQ_CURVE_SERVER, Bool, true, true },
    OptionInfo { "curve_serverkey", ZMQ_CURVE_SERVERKEY, CurveKey, true, true },
    OptionInfo { "handshake_ivl", ZMQ_HANDSHAKE_IVL, Int, true, true },
    OptionInfo { "heartbeat_ivl", ZMQ_HEARTBEAT_IVL, Int, true, true },
    OptionInfo { "heartbeat_timeout", ZMQ_HEARTBEAT_TIMEOUT, Int, true, true },
    OptionInfo { "heartbeat_ttl", ZMQ_HEARTBEAT_TTL, Int, true, true },
    OptionInfo { "immediate", ZMQ_IMMEDIATE, Bool, true, true },
    OptionInfo { "invert_matching", ZMQ_INVERT_MATCHING, Bool, true, true },
    OptionInfo { "ipv6", ZMQ_IPV6, Bool, true, true },
    OptionInfo { "last_endpoint", ZMQ_LAST_ENDPOINT, Text, true, false },
    OptionInfo { "linger", ZMQ_LINGER, Int, true, true },
    OptionInfo { "maxmsgsize", ZMQ_MAXMSGSIZE, Int64, true, true },
    OptionInfo { "mechanism", ZMQ_MECHANISM, Int, true, false },
    OptionInfo { "plain_password", ZMQ_PLAIN_PASSWORD, Text, true, true },
    OptionInfo { "plain_server", ZMQ_PLAIN_SERVER, Bool, true, true },
    OptionInfo { "plain_username", ZMQ_PLAIN_USERNAME, Text, true, true },
    OptionInfo { "probe_router", ZMQ_PROBE_ROUTER, Bool, false, true },
    OptionInfo { "rcvbuf", ZMQ_RCVBUF, Int, true, true },
    OptionInfo { "rcvhwm", ZMQ_RCVHWM, Int, true, true },
    OptionInfo { "rcvtimeo", ZMQ_RCVTIMEO, Int, true, true },
    OptionInfo { "reconnect_ivl", ZMQ_RECONNECT_IVL, Int, true, true },
    OptionInfo { "reconnect_ivl_max", ZMQ_RECONNECT_IVL_MAX, Int, true, true },
    OptionInfo { "req_correlate", ZMQ_REQ_CORRELATE, Bool, false, true },
    OptionInfo { "req_relaxed", ZMQ_REQ_RELAXED, Bool, false, true },
    OptionInfo { "router_handover", ZMQ_ROUTER_HANDOVER, Bool, false, true },
    OptionInfo { "router_mandatory", ZMQ_ROUTER_MANDATORY, Bool, false, true },
    OptionInfo { "routing_id", ZMQ_ROUTING_ID, Bytes, true, true },
    OptionInfo { "sndbuf", ZMQ_SNDBUF, Int, true, true },
    OptionInfo { "sndhwm", ZMQ_SNDHWM, Int, true, true },
    OptionInfo { "sndtimeo", ZMQ_SNDTIMEO, Int, true, true },
    OptionInfo { "subscribe", ZMQ_SUBSCRIBE, Bytes, false, true },
    OptionInfo { "tcp_keepalive", ZMQ_TCP_KEEPALIVE, Int, true, true },
    OptionInfo { "tcp_keepalive_cnt", ZMQ_TCP_KEEPALIVE_CNT, Int, true, true },
    OptionInfo { "tcp_keepalive_idle", ZMQ_TCP_KEEPALIVE_IDLE, Int, true, true },
    OptionInfo { "tcp_keepalive_intvl", ZMQ_TCP_KEEPALIVE_INTVL, Int, true, true },
    OptionInfo { "type", ZMQ_TYPE, Int, true, false },
    OptionInfo { "unsubscribe", ZMQ_UNSUBSCRIBE, Bytes, false, true },
    OptionInfo { "xpub_nodrop", ZMQ_XPUB_NODROP, Bool, false, true },
    OptionInfo { "xpub_verbose", ZMQ_XPUB_VERBOSE, Bool, false, true },
    OptionInfo { "zap_domain", ZMQ_ZAP_DOMAIN, Text, true, true },
};

bool equalsIgnoringCase(QAnyStringView a, const char *b)
{
    return QAnyStringView::compare(a, QLatin1StringView(b), Qt::CaseInsensitive) == 0;
}

} // namespace

std::optional<SocketType> findSocketType(QAnyStringView name) noexcept
{
    const auto it = std::find_if(socketTypeTable.begin(), socketTypeTable.end(),
        [&](const SocketTypeName &entry) { return equalsIgnoringCase(name, entry.name); });
    if (it == socketTypeTable.end())
        return std::nullopt;
    return it->type;
}

SocketType socketTypeFromName(QAnyStringView name)
{
    if (const auto type = findSocketType(name))
        return *type;
    throw Error(ErrorCode::UnknownSocketType,
        u"unknown socket type \"%1\"; valid types are %2"_s.arg(
            name.toString(), socketTypeNames().join(u", "_s)));
}

QString socketTypeName(SocketType type)
{
    for (const auto &entry : socketTypeTable) {
        if (entry.type == type)
            return QString::fromLatin1(entry.name);
    }
    return u"type %1"_s.arg(int(type));
}

QStringList socketTypeNames()
{
    QStringList names;
    for (const auto &entry : socketTypeTable)
        names.append(QString::fromLatin1(entry.name));
    return names;
}

bool socketTypeCanReceive(SocketType type) noexcept
{
    return type != SocketType::Pub && type != SocketType::Push;
}

bool socketTypeCanSend(SocketType type) noexcept
{
    return type != SocketType::Sub && type != SocketType::Pull;
}

const OptionInfo *findOption(QAnyStringView name) noexcept
{
    if (equalsIgnoringCase(name, "identity"))
        name = QLatin1StringView("routing_id");
    const auto it = std::find_if(optionTable.begin(), optionTable.end(),
        [&](const OptionInfo &entry) { return equalsIgnoringCase(name, entry.name); });
    return it == optionTable.end() ? nullptr : &*it;
}

const OptionInfo &optionFromName(QAnyStringView name)
{
    if (const auto *info = findOption(name))
        return *info;
    throw Error(ErrorCode::UnknownOption,
        u"unknown socket option \"%1\"; valid options are %2 (identity is an alias of routing_id)"_s.arg(
            name.toString(), optionNames().join(u", "_s)));
}

QStringList optionNames()
{
    QStringList names;
    for (const auto &entry : optionTable)
        names.append(QString::fromLatin1(entry.name));
    return names;
}

QString optionKindName(OptionKind kind)
{
    switch (kind) {
    case Int:
    case Int64:
        return u"an integer"_s;
    case Bool:
        return u"a boolean (0/1, true/false)"_s;
    case Bytes:
        return u"bytes"_s;
    case Text:
        return u"text"_s;
    case CurveKey:
        return u"a CURVE key (32 bytes or 40 Z85 characters)"_s;
    }
    return QString();
}

} // namespace zmqscope
