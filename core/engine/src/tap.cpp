#include <array>
#include <cerrno>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include <QThread>
#include <QTimer>

#include <zmqscope/defaults.h>
#include <zmqscope/engine/socketspec.h>
#include <zmqscope/engine/tap.h>
#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>

#include "socketsecurity_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

struct PatternRow
{
    TapPattern pattern;
    const char16_t *name;
    TapSockets sockets;
};

// The one table of tap patterns (section 12): zmq_proxy's usual pairs on the tap's two sides.
constexpr std::array<PatternRow, 9> Patterns { {
    { TapPattern::ReqRep, u"req-rep",
        { SocketType::Req, SocketType::Rep, SocketType::Router, SocketType::Dealer } },
    { TapPattern::ReqRouter, u"req-router",
        { SocketType::Req, SocketType::Router, SocketType::Router, SocketType::Dealer } },
    { TapPattern::DealerRep, u"dealer-rep",
        { SocketType::Dealer, SocketType::Rep, SocketType::Router, SocketType::Dealer } },
    { TapPattern::DealerRouter, u"dealer-router",
        { SocketType::Dealer, SocketType::Router, SocketType::Router, SocketType::Dealer } },
    { TapPattern::PushPull, u"push-pull",
        { SocketType::Push, SocketType::Pull, SocketType::Pull, SocketType::Push } },
    { TapPattern::PullPush, u"pull-push",
        { SocketType::Pull, SocketType::Push, SocketType::Push, SocketType::Pull } },
    { TapPattern::SubPub, u"sub-pub",
        { SocketType::Sub, SocketType::Pub, SocketType::XPub, SocketType::XSub } },
    { TapPattern::XSubXPub, u"xsub-xpub",
        { SocketType::XSub, SocketType::XPub, SocketType::XPub, SocketType::XSub } },
    { TapPattern::PairPair, u"pair-pair",
        { SocketType::Pair, SocketType::Pair, SocketType::Pair, SocketType::Pair } },
} };

const PatternRow &row(TapPattern pattern)
{
    for (const PatternRow &candidate : Patterns)
        if (candidate.pattern == pattern)
            return candidate;
    throw Error(ErrorCode::UnknownSocketType, u"unknown tap pattern %1"_s.arg(int(pattern)));
}

/// The message split as the callbacks see it: the routing id the tap's ROUTER added, and the frames.
struct Split
{
    QByteArrayView peer;
    std::span<const QByteArrayView> frames;
};

using SendOutcome = Socket::ForwardResult;

} // namespace

TapSockets tapSockets(TapPattern pattern)
{
    return row(pattern).sockets;
}

QString tapPatternName(TapPattern pattern)
{
    return QString::fromUtf16(row(pattern).name);
}

QStringList tapPatternNames()
{
    QStringList names;
    for (const PatternRow &candidate : Patterns)
        names.append(QString::fromUtf16(candidate.name));
    return names;
}

Result<TapPattern> parseTapPattern(const QString &name)
{
    const QString wanted = name.trimmed();
    for (const PatternRow &candidate : Patterns)
        if (wanted.compare(QStringView(candidate.name), Qt::CaseInsensitive) == 0)
            return candidate.pattern;
    return Error(ErrorCode::UnknownSocketType,
        u"unknown tap pattern \"%1\"; valid patterns are %2"_s.arg(name, tapPatternNames().join(u", "_s)));
}

QString tapDirectionName(TapDirection direction)
{
    return direction == TapDirection::ClientToServer ? u"c2s"_s : u"s2c"_s;
}

// ---------------------------------------------------------------- TapSpec

SocketSpec TapSpec::listenSocketSpec() const
{
    SocketSpec spec;
    spec.name = name;
    spec.type = tapSockets(pattern).listen;
    spec.binds = listen;
    spec.options = listenOptions;
    spec.security = listenSecurity;
    return spec;
}

SocketSpec TapSpec::forwardSocketSpec() const
{
    SocketSpec spec;
    spec.name = name;
    spec.type = tapSockets(pattern).forward;
    spec.connects = forward;
    spec.options = forwardOptions;
    spec.security = forwardSecurity;
    return spec;
}

Result<void> TapSpec::validate() const
{
    const QString of = name.isEmpty() ? QString() : u" of tap \"%1\""_s.arg(name);
    if (listen.isEmpty())
        return Error(ErrorCode::InvalidEndpoint,
            u"no listen endpoint%1; give where the clients connect, such as tcp://127.0.0.1:5555"_s.arg(of));
    if (forward.isEmpty())
        return Error(ErrorCode::InvalidEndpoint,
            u"no forward endpoint%1; give the server's endpoint, such as tcp://127.0.0.1:5556"_s.arg(of));
    // The clients connect to the tap: towards them it is the server, towards the server a client.
    if (listenSecurity.mechanism != SecurityMechanism::Null && !listenSecurity.server)
        return Error(ErrorCode::InvalidOptionValue,
            u"the clients' side%1 is a %2 server (the clients connect to it): set listenSecurity.server"_s
                .arg(of, securityMechanismName(listenSecurity.mechanism)));
    if (forwardSecurity.server)
        return Error(ErrorCode::InvalidOptionValue,
            u"the server's side%1 is a client (it connects to the server): forwardSecurity.server must be false"_s
                .arg(of));
    if (!forwardSecurity.allowIps.isEmpty() || !forwardSecurity.denyIps.isEmpty())
        return Error(ErrorCode::InvalidOptionValue,
            u"the server's side%1 accepts no clients: IP lists belong to the clients' side"_s.arg(of));
    // The socket specs' rules (endpoint rule, option values, security), written once in socketspec.cpp.
    try {
        listenSocketSpec().validate();
        forwardSocketSpec().validate();
    } catch (const Error &error) {
        return error;
    }
    return {};
}

// ---------------------------------------------------------------- TapForwarder::Private

class TapForwarder::Private
{
public:
    /// One direction of the forwarding: its source, its destination and the message that waits.
    struct Flow
    {
        explicit Flow(TapDirection way)
            : direction(way)
        { }

        TapDirection direction;
        Socket *source = nullptr;
        Socket *destination = nullptr;
        bool routedIdFirst = false; ///< the first frame is the routing id of the tap's ROUTER
        bool stalled = false;
        std::chrono::steady_clock::time_point stalledSince; ///< when `stalled` became true
        /// The message the destination refused, taken over from the drain (no copy), sent first when it can.
        std::vector<zmq::message_t> pending;
        std::vector<QByteArrayView> pendingViews; ///< views of `pending`
        QTimer retryTimer;
    };

    Private(const TapSpec &spec, const Context &context, PollLoop &loop, Handlers handlers,
        const QByteArray &listenZapDomain);

    void openSockets();
    void handleInput(Flow &flow, std::span<zmq::message_t> parts, std::span<const QByteArrayView> views);
    /// Counts the message and hands it to the callbacks (stored, recorded), before it goes on.
    void report(Flow &flow, std::span<const QByteArrayView> views);
    /// Hands the message over to the flow's destination (it takes the parts); returns what happened.
    SendOutcome forward(Flow &flow, std::span<zmq::message_t> parts);
    void stall(Flow &flow, std::span<zmq::message_t> parts);
    void waitForRoom(Flow &flow);
    void retry(Flow &flow);
    void reportUndeliverable(Flow &flow, std::span<const QByteArrayView> views);
    [[nodiscard]] bool isSubscription(const Flow &flow, std::span<const QByteArrayView> views) const;
    [[nodiscard]] Split split(const Flow &flow, std::span<const QByteArrayView> views) const;
    void handleMonitorEvent(TapSide side, const SocketMonitor::Event &event);
    void assertThread() const
    {
        Q_ASSERT_X(QThread::currentThread() == thread, "TapForwarder",
            "a tap is used only in the thread that opened it (its sockets live there)");
    }

    TapSpec spec;
    QByteArray listenZapDomain;
    Context context;
    PollLoop &loop;
    Handlers handlers;
    QThread *thread = QThread::currentThread();
    TapSockets types;
    // Sockets before monitors: a monitor must stop before its socket closes (members die in reverse).
    std::optional<Socket> listenSocket; // set by openSockets()
    std::optional<Socket> forwardSocket;
    std::unique_ptr<SocketMonitor> listenMonitor;
    std::unique_ptr<SocketMonitor> forwardMonitor;
    QStringList boundEndpoints;
    Flow clientToServer = Flow(TapDirection::ClientToServer);
    Flow serverToClient = Flow(TapDirection::ServerToClient);
    TapState state;
    TapCounters counters;
    bool inputPaused = false; ///< setInputPaused(): neither side is read, stalled or not
};

TapForwarder::Private::Private(const TapSpec &tapSpec, const Context &sharedContext, PollLoop &pollLoop,
    Handlers tapHandlers, const QByteArray &zapDomain)
    : spec(tapSpec)
    , listenZapDomain(zapDomain)
    , context(sharedContext)
    , loop(pollLoop)
    , handlers(std::move(tapHandlers))
    , types(tapSockets(tapSpec.pattern))
{ }

void TapForwarder::Private::openSockets()
{
    const auto create = [&](SocketType type, const Options &userOptions, const SocketSecurity &security,
                            const QByteArray &zapDomain) {
        Socket socket = Socket::create(type, context);
        // The engine's defaults, then the user's, then what forwarding needs whatever the user said.
        for (const auto &[optionName, value] : defaultOptions(type, SocketPurpose::Inspector))
            socket.setOption(optionName, value);
        for (const auto &[optionName, value] : userOptions)
            socket.setOption(optionName, value);
        // sndtimeo 0: a full destination must refuse at once, never block the forwarding thread.
        socket.setOption("sndtimeo", 0);
        if (type == SocketType::XPub)
            socket.setOption("xpub_verbose", true); // every subscription reaches the server and the record
        if (type == SocketType::Router)
            socket.setOption(
                "router_mandatory", true); // a reply for a gone client fails instead of vanishing
        applySocketSecurity(socket, security, zapDomain);
        return socket;
    };
    listenSocket.emplace(create(types.listen, spec.listenOptions, spec.listenSecurity, listenZapDomain));
    forwardSocket.emplace(create(types.forward, spec.forwardOptions, spec.forwardSecurity, QByteArray()));

    clientToServer.source = &*listenSocket;
    clientToServer.destination = &*forwardSocket;
    clientToServer.routedIdFirst = types.listen == SocketType::Router;
    serverToClient.source = &*forwardSocket;
    serverToClient.destination = &*listenSocket;
    serverToClient.routedIdFirst = types.listen == SocketType::Router;
    for (Flow *flow : { &clientToServer, &serverToClient }) {
        flow->retryTimer.setSingleShot(true);
        QObject::connect(
            &flow->retryTimer, &QTimer::timeout, &flow->retryTimer, [this, flow] { waitForRoom(*flow); });
    }

    // Parts, not only views: what arrived is forwarded as it is, by reference, without copying a byte.
    loop.registerPartsReceiver(*listenSocket,
        [this](Socket &, std::span<zmq::message_t> parts, std::span<const QByteArrayView> views) {
            handleInput(clientToServer, parts, views);
        });
    loop.registerPartsReceiver(*forwardSocket,
        [this](Socket &, std::span<zmq::message_t> parts, std::span<const QByteArrayView> views) {
            handleInput(serverToClient, parts, views);
        });
    // Monitors first, so no connection event is missed.
    listenMonitor = std::make_unique<SocketMonitor>(*listenSocket, loop,
        [this](const SocketMonitor::Event &event) { handleMonitorEvent(TapSide::Listen, event); });
    forwardMonitor = std::make_unique<SocketMonitor>(*forwardSocket, loop,
        [this](const SocketMonitor::Event &event) { handleMonitorEvent(TapSide::Forward, event); });
    listenMonitor->setSecurity(spec.listenSecurity.mechanism, actsAsZapServer(spec.listenSecurity));
    forwardMonitor->setSecurity(spec.forwardSecurity.mechanism, false);
    for (const QString &endpoint : spec.listen) {
        listenSocket->bind(endpoint);
        boundEndpoints.append(listenSocket->lastEndpoint());
    }
    for (const QString &endpoint : spec.forward)
        forwardSocket->connect(endpoint);
}

Split TapForwarder::Private::split(const Flow &flow, std::span<const QByteArrayView> views) const
{
    if (flow.routedIdFirst && !views.empty())
        return { views.front(), views.subspan(1) };
    return { {}, views };
}

void TapForwarder::Private::handleInput(
    Flow &flow, std::span<zmq::message_t> parts, std::span<const QByteArrayView> views)
{
    // Reported first, from the received bytes: once forwarded, the parts belong to libzmq.
    report(flow, views);
    switch (forward(flow, parts)) {
    case SendOutcome::Sent:
        return;
    case SendOutcome::WouldBlock:
        stall(flow, parts);
        return;
    case SendOutcome::Unreachable:
        reportUndeliverable(flow, views);
        return;
    }
}

bool TapForwarder::Private::isSubscription(const Flow &flow, std::span<const QByteArrayView> views) const
{
    // What libzmq's XPUB hands up with xpub_verbose: a first frame of \1 (subscribe) or \0 and the topic.
    // Anything else an XSUB client sends upstream is ordinary c2s data.
    return flow.direction == TapDirection::ClientToServer && types.listen == SocketType::XPub
        && !views.empty() && !views.front().isEmpty()
        && (views.front().front() == '\1' || views.front().front() == '\0');
}

void TapForwarder::Private::report(Flow &flow, std::span<const QByteArrayView> views)
{
    if (isSubscription(flow, views)) {
        ++counters.subscriptions;
        if (handlers.subscription)
            handlers.subscription(views.front().front() == '\1', views.front().sliced(1));
        return;
    }
    if (flow.direction == TapDirection::ClientToServer)
        ++counters.clientToServer;
    else
        ++counters.serverToClient;
    if (handlers.message) {
        const Split message = split(flow, views);
        handlers.message(flow.direction, message.peer, message.frames);
    }
}

SendOutcome TapForwarder::Private::forward(Flow &flow, std::span<zmq::message_t> parts)
{
    // Straight on, as zmq_proxy does. The PollLoop reads the destination's ZMQ_EVENTS (rule 3) once
    // after the batch.
    try {
        return flow.destination->forward(parts);
    } catch (const Error &error) {
        // ETERM and the like: the PollLoop reports it, saying which way the message went.
        throw Error(error.code(),
            u"cannot forward %1 on the tap's %2 socket: %3"_s.arg(
                tapDirectionName(flow.direction), socketTypeName(flow.destination->type()), error.message()),
            error.zmqErrno());
    }
}

void TapForwarder::Private::stall(Flow &flow, std::span<zmq::message_t> parts)
{
    // The drain reuses its messages: take this one over (no copy), and leave the rest of the source's
    // input in libzmq.
    flow.pending.clear();
    flow.pendingViews.clear();
    for (zmq::message_t &part : parts)
        flow.pending.push_back(std::move(part));
    // Views only now: libzmq keeps small parts inside the message object, which moved.
    for (const zmq::message_t &part : flow.pending)
        flow.pendingViews.emplace_back(static_cast<const char *>(part.data()), qsizetype(part.size()));
    flow.stalled = true;
    flow.stalledSince = std::chrono::steady_clock::now();
    if (flow.direction == TapDirection::ClientToServer)
        ++counters.clientToServerStalls;
    else
        ++counters.serverToClientStalls;
    loop.setInputPaused(*flow.source, true);
    if (handlers.held) {
        const bool noPeer = flow.direction == TapDirection::ClientToServer
            ? state.forwardState != SocketState::Connected
            : state.clients == 0;
        handlers.held(flow.direction, noPeer);
    }
    waitForRoom(flow);
}

void TapForwarder::Private::waitForRoom(Flow &flow)
{
    loop.notifyWhenWritable(*flow.destination, [this, &flow](Socket &) { retry(flow); });
}

void TapForwarder::Private::retry(Flow &flow)
{
    if (!flow.stalled)
        return;
    const SendOutcome outcome = forward(flow, flow.pending);
    switch (outcome) {
    case SendOutcome::WouldBlock:
        // POLLOUT said "some peer has room" (a ROUTER asks all its pipes), not the one this message is
        // for: wait a little before asking again instead of spinning on the event queue.
        flow.retryTimer.start(1);
        return;
    case SendOutcome::Unreachable:
        reportUndeliverable(flow, flow.pendingViews);
        break;
    case SendOutcome::Sent:
        break;
    }
    flow.pending.clear();
    flow.pendingViews.clear();
    flow.stalled = false;
    const auto blocked = std::uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - flow.stalledSince)
                                           .count());
    (flow.direction == TapDirection::ClientToServer ? counters.clientToServerBlockedUs
                                                    : counters.serverToClientBlockedUs)
        += blocked;
    loop.setInputPaused(*flow.source, inputPaused); // still paused when its owner asked for it
}

void TapForwarder::Private::reportUndeliverable(Flow &flow, std::span<const QByteArrayView> views)
{
    ++counters.undeliverable;
    if (!handlers.undeliverable)
        return;
    const Split parts = split(flow, views);
    handlers.undeliverable(flow.direction, parts.peer, parts.frames,
        u"the client with routing id %1 has gone; the %2 message cannot be delivered"_s.arg(
            QString::fromLatin1(parts.peer.toByteArray().toHex()), tapDirectionName(flow.direction)));
}

void TapForwarder::Private::handleMonitorEvent(TapSide side, const SocketMonitor::Event &event)
{
    SocketMonitor &monitor = side == TapSide::Listen ? *listenMonitor : *forwardMonitor;
    const SocketMonitor::Change change = monitor.interpret(event);
    if (side == TapSide::Listen) {
        state.clients = change.peers;
        if (change.state)
            state.listenState = *change.state;
    } else {
        if (change.state)
            state.forwardState = *change.state;
        if (!change.text.isEmpty())
            state.forwardDetail = change.text;
    }
    if (handlers.state)
        handlers.state(side, change, state);
}

// ---------------------------------------------------------------- TapForwarder

Result<std::unique_ptr<TapForwarder>> TapForwarder::open(const TapSpec &spec, const Context &context,
    PollLoop &loop, Handlers handlers, const QByteArray &listenZapDomain)
{
    if (Result<void> valid = spec.validate(); !valid)
        return std::move(valid).error();
    auto d = std::make_unique<Private>(spec, context, loop, std::move(handlers), listenZapDomain);
    try {
        d->openSockets();
    } catch (const Error &error) {
        return error;
    }
    return std::unique_ptr<TapForwarder>(new TapForwarder(std::move(d)));
}

TapForwarder::TapForwarder(std::unique_ptr<Private> priv)
    : d(std::move(priv))
{ }

TapForwarder::~TapForwarder()
{
    d->assertThread();
}

const TapSpec &TapForwarder::spec() const
{
    return d->spec;
}

QStringList TapForwarder::listenEndpoints() const
{
    return d->boundEndpoints;
}

TapState TapForwarder::state() const
{
    d->assertThread();
    return d->state;
}

TapCounters TapForwarder::counters() const
{
    d->assertThread();
    return d->counters;
}

void TapForwarder::setInputPaused(bool paused)
{
    d->assertThread();
    d->inputPaused = paused;
    for (const Private::Flow *flow : { &d->clientToServer, &d->serverToClient })
        d->loop.setInputPaused(*flow->source, paused || flow->stalled);
}

bool TapForwarder::owns(const Socket *socket) const
{
    return socket
        && ((d->listenSocket && &*d->listenSocket == socket)
            || (d->forwardSocket && &*d->forwardSocket == socket));
}

bool TapForwarder::isStalled(TapDirection direction) const
{
    d->assertThread();
    return (direction == TapDirection::ClientToServer ? d->clientToServer : d->serverToClient).stalled;
}

} // namespace zmqscope
