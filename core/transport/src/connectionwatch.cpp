#include <zmq.h>

#include <zmqscope/connectionwatch.h>
#include <zmqscope/socketmonitor.h>

namespace zmqscope {

struct ConnectionWatch::Private
{
    std::unique_ptr<SocketMonitor> monitor;
    int peers = 0;
    bool everConnected = false;
    QString lastProblem;
};

ConnectionWatch::ConnectionWatch(Socket &socket, PollLoop &loop)
    : d(std::make_unique<Private>())
{
    // The monitor's own bookkeeping (peers counted on HANDSHAKE_SUCCEEDED, failed handshakes not
    // counted when they disconnect) is the one the GUI's Sockets panel shows.
    d->monitor = std::make_unique<SocketMonitor>(socket, loop, [this](const SocketMonitor::Event &event) {
        const SocketMonitor::Change change = d->monitor->interpret(event);
        d->peers = change.peers;
        if (event.event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
            d->everConnected = true;
        if (change.isError || event.event == ZMQ_EVENT_CONNECT_RETRIED)
            d->lastProblem = change.text;
    });
}

ConnectionWatch::~ConnectionWatch() = default;

int ConnectionWatch::peers() const
{
    return d->peers;
}

bool ConnectionWatch::everConnected() const
{
    return d->everConnected;
}

QString ConnectionWatch::lastProblem() const
{
    return d->lastProblem;
}

void ConnectionWatch::stop()
{
    if (d->monitor)
        d->monitor->stop();
}

} // namespace zmqscope
