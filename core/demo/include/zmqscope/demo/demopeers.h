#pragma once

#include <cstdint>
#include <memory>

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

class QTimer;

#include <zmqscope/context.h>
#include <zmqscope/engine/engine.h>

namespace zmqscope {

class DemoPeersPrivate;

/**
 * In-process peers that make the inspector come alive (`zmqscope --demo`),
 * each in one thread of its own with its own PollLoop and timers:
 *
 * - a PUB publishing JSON telemetry (id "telemetry.<sensor>", application/json,
 *   a "seq" per sensor that skips 7, 57, 107, ... and repeats now and then),
 *   log lines (id "log", text/plain) and now and then a raw 2-frame message;
 * - a REP that echoes every request as its response envelope;
 * - a ROUTER that answers every request with a JSON receipt after 1 to 40 ms
 *   (the same pseudo-random delays on every run), keeping the routing frames
 *   (REQ-style requests with the empty delimiter and DEALER-style requests
 *   without it both work); a DemoRequester asks it through the inspector;
 * - a PUSH sending binary bodies (NUL and high bytes), a small PNG image
 *   (image/png) and now and then a raw 4-frame message;
 * - a quote service: a REP server answering JSON price requests, and two REQ
 *   clients that ask it THROUGH a tap the inspector opens (tapSpec(), then
 *   connectTapClients() with the tap's listen endpoint), so the tap's row and
 *   the table show requests (c2s) and replies (s2c) from the start.
 *
 * Every peer binds to tcp://127.0.0.1:* (or inproc://, see Settings);
 * inspectorSpecs() says what an inspector opens to watch and talk to them.
 */
class DemoPeers : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        /// Messages per second of the PUB and of the PUSH, each; 0 pauses them. Modest by default, so
        /// the views are alive but readable.
        double messagesPerSecond = 3.0;
        /// Bind to inproc:// endpoints instead of TCP; the inspector must then share the Context.
        bool inproc = false;
    };

    explicit DemoPeers(const Context &context = Context(), QObject *parent = nullptr);
    DemoPeers(const Context &context, Settings settings, QObject *parent = nullptr);
    ~DemoPeers() override; ///< stops the peers and joins their thread

    /// Binds every peer and starts the thread; throws Error (e.g. AddressInUse) when a peer cannot bind.
    void start();
    /// Closes every peer and joins the thread; start() may be called again (new endpoints).
    void stop();
    [[nodiscard]] bool isRunning() const;

    /// Changes the rate of the PUB and the PUSH while running (0 pauses them).
    void setMessagesPerSecond(double rate);
    [[nodiscard]] double messagesPerSecond() const;

    /// Bound endpoints (resolved, e.g. tcp://127.0.0.1:41234); empty before start().
    [[nodiscard]] QString telemetryEndpoint() const; ///< the PUB
    [[nodiscard]] QString echoEndpoint() const; ///< the REP
    [[nodiscard]] QString routerEndpoint() const; ///< the ROUTER
    [[nodiscard]] QString pushEndpoint() const; ///< the PUSH
    [[nodiscard]] QString quoteServerEndpoint() const; ///< the quote service's REP

    /**
     * The tap an inspector opens between the quote clients and the quote service: "Quotes tap",
     * req-rep, listening on a free port (tcp://127.0.0.1:*, or an inproc:// name with
     * Settings::inproc) and forwarding to quoteServerEndpoint(). Default-constructed before start().
     */
    [[nodiscard]] TapSpec tapSpec() const;
    /**
     * Connects the two quote clients (REQ) to the tap's listen endpoint (as bound, the port
     * resolved) and starts their requests at the demo's rate; again with another endpoint (the
     * tap was reopened) moves them there. Does nothing before start().
     */
    void connectTapClients(const QString &listenEndpoint);

    /**
     * What an inspector opens to watch and talk to the peers: "Telemetry SUB"
     * (no subscription: everything), "Echo REQ", "Router DEALER" and
     * "Blobs PULL", each connected to its peer. Empty before start().
     */
    [[nodiscard]] QList<SocketSpec> inspectorSpecs() const;

    /// Messages the PUB and the PUSH sent (PUSH messages count once a PULL took them).
    [[nodiscard]] std::uint64_t messagesSent() const;
    /// Requests the REP, the ROUTER and the quote service answered.
    [[nodiscard]] std::uint64_t requestsAnswered() const;

    /// The 32x32 PNG the PUSH sends (a valid image, for tests and previews).
    [[nodiscard]] static QByteArray demoImage();

Q_SIGNALS:
    /// A peer failed at run time (plain text); the others keep going.
    void errorOccurred(const QString &message);

private:
    std::unique_ptr<DemoPeersPrivate> d;
};

/**
 * Sends a request now and then on one of the inspector's sockets (the "Router DEALER" of
 * DemoPeers::inspectorSpecs()) through the Engine, as the Composer would: envelopes with ids "req-1",
 * "req-2", ... and a small JSON body. The demo ROUTER answers each after its varying delay, so the
 * store holds request-reply pairs with different latencies from the start. Lives in the thread it was
 * made in (a timer there).
 */
class DemoRequester : public QObject
{
    Q_OBJECT
public:
    DemoRequester(Engine &engine, SocketId socket, double requestsPerSecond, QObject *parent = nullptr);

    /// Requests per second; 0 stops them.
    void setRequestsPerSecond(double rate);
    [[nodiscard]] std::uint64_t requestsSent() const { return m_sent; }

    /// The request with this number (1-based), as sent: [id "req-N", mimetype, JSON body].
    [[nodiscard]] static Frames request(std::uint64_t number);

private:
    void sendNext();

    Engine &m_engine;
    SocketId m_socket;
    QTimer *m_timer;
    std::uint64_t m_sent = 0;
};

} // namespace zmqscope
