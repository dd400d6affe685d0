// A consumer of the installed ZmqScope package. The statements of the README's
// example (issue 2, item 4) appear here verbatim; they are split into a client
// function and main() only because receiveEnvelope() blocks: the REQ side runs
// in its own thread while main()'s event loop drives the REP side through a
// PollLoop. Exits 0 when every check passed, 1 otherwise (with the reason).
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <thread>

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QTimer>

#include <zmqscope/transport.h>

namespace {

int failures = 0;

void check(bool ok, const char *what, const QByteArray &got = {})
{
    if (ok)
        return;
    ++failures;
    std::fprintf(stderr, "consumer: check failed: %s (got \"%s\")\n", what, got.constData());
}

// The REQ side of the example: connects, sends "hello" with id "greeting", blocks for the reply.
zmqscope::Envelope requestPong(const zmqscope::Context &context, const QString &uri)
{
    auto req = zmqscope::Socket::connectNew("req", uri, { { "linger", 0 } }, context);
    req.sendText("hello", "greeting");
    auto reply = req.receiveEnvelope(); // reply.id(), reply.mimetype(), reply.data()
    return reply;
}

// The envelope part of the example, with the frames it must produce.
void checkEnvelopeRoundTrip()
{
    auto env = zmqscope::Envelope::create("application/json", R"({"a":1})", "id-1", { "peer-1" });
    auto frames = env.transferObject(); // peer-1, "", id-1, application/json, {"a":1}
    auto same = zmqscope::Envelope::fromRaw(frames);

    const zmqscope::Frames expected { "peer-1", "", "id-1", "application/json", R"({"a":1})" };
    check(frames == expected, "transferObject() gives peer-1, \"\", id-1, application/json, {\"a\":1}",
        frames.join('|'));
    check(same == env, "Envelope::fromRaw(env.transferObject()) == env", same.transferObject().join('|'));
    check(same.requestFrames() == zmqscope::Frames { "peer-1" }, "request frames are [peer-1]",
        same.requestFrames().join('|'));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    try {
        zmqscope::Context context;

        auto rep = zmqscope::Socket::create("rep", context);
        int port = rep.bindToRandom("tcp://127.0.0.1", 40000, 41000, 50);
        zmqscope::PollLoop loop;
        loop.registerSocket(rep, [](zmqscope::Socket &s) {
            auto request = s.receiveEnvelope();
            s.sendEnvelope(request.responseEnvelope("text/plain", "pong"));
        });
        check(port >= 40000 && port < 41000, "bindToRandom() returns a port in [40000, 41000)",
            QByteArray::number(port));

        const QString uri = QStringLiteral("tcp://127.0.0.1:%1").arg(port);
        std::optional<zmqscope::Envelope> reply;
        QString clientError;
        std::thread client([&] {
            try {
                reply = requestPong(context, uri);
            } catch (const std::exception &error) {
                clientError = QString::fromUtf8(error.what());
            }
            QMetaObject::invokeMethod(&app, &QCoreApplication::quit, Qt::QueuedConnection);
        });

        // Bounded: no pong within 20 s is a failure, not a hang. Shutting the
        // context down makes the client's blocking receive throw, so it can be joined.
        bool timedOut = false;
        QTimer::singleShot(std::chrono::seconds(20), &app, [&] {
            timedOut = true;
            context.shutdown();
            app.quit();
        });
        app.exec();
        client.join();

        check(!timedOut, "the pong arrives within 20 s");
        check(clientError.isEmpty(), "the REQ side does not throw", clientError.toUtf8());
        if (reply) {
            check(reply->id() == "greeting", "reply.id() is the request's id \"greeting\"", reply->id());
            check(reply->mimetype() == "text/plain", "reply.mimetype() is text/plain", reply->mimetype());
            check(reply->data() == "pong", "reply.data() is pong", reply->data());
            check(reply->requestFrames().isEmpty(), "a REQ receives the reply without routing frames",
                reply->requestFrames().join('|'));
        } else {
            check(false, "a reply arrived");
        }

        checkEnvelopeRoundTrip();
    } catch (const std::exception &error) {
        std::fprintf(stderr, "consumer: unexpected error: %s\n", error.what());
        return 1;
    }
    if (failures != 0) {
        std::fprintf(stderr, "consumer: %d check(s) failed\n", failures);
        return 1;
    }
    std::printf("consumer: ZmqScope %s from the installed package: REQ/REP pong and envelope round trip OK\n",
        qPrintable(zmqscope::libraryVersion()));
    return 0;
}
