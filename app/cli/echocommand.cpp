#include <QCoreApplication>
#include <QTimer>

#include <zmqscope/context.h>
#include <zmqscope/envelope.h>
#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>

#include "clicommon.h"
#include "commands.h"
#include "messageformatter.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

int runEcho(const QStringList &arguments)
{
    CommandLine commandLine(u"echo"_s,
        u"Answer each request on a REP or ROUTER socket with its response envelope "
        u"(same mimetype, same body, same id and routing frames) and print the "
        u"request."_s);
    commandLine.addSocketOptions(u"Socket type: REP (default) or ROUTER."_s, false);
    commandLine.addFormatOption();
    commandLine.addCountOption(u"Exit (status 0) after answering N requests."_s);
    commandLine.addTimeoutOption(u"Exit with status 1 when no request (no further request) arrives within MS "
                                 u"milliseconds; restarts with every request."_s);
    if (!commandLine.parse(arguments,
            u"Requests that are not envelopes are echoed back frame by frame, unchanged (a ROUTER "
            u"keeps the routing id first, so the reply still reaches its peer), with a note on "
            u"stderr.\n\n"
            u"Example:\n"
            u"  zmqscope-cli echo -t router --bind tcp://127.0.0.1:5555 --count 2\n"_s))
        return ExitSuccess;

    const SocketSetup setup = commandLine.socketSetup(SocketType::Rep);
    if (setup.type != SocketType::Rep && setup.type != SocketType::Router)
        throw usageError(u"echo needs a REP or ROUTER socket, not %1"_s.arg(socketTypeName(setup.type)));
    const OutputFormat format = commandLine.format();
    const std::optional<int> count = commandLine.count();
    const std::optional<int> timeout = commandLine.timeout();

    Context context;
    Socket socket = openSocket(setup, context, {});
    const MessageFormatter formatter(format, setup.name, setup.type, endpointText(socket));

    PollLoop loop;
    QTimer timeoutTimer;
    timeoutTimer.setSingleShot(true);
    int answered = 0;
    bool finished = false;

    const auto finish = [&](int status, const QString &error) {
        if (finished)
            return;
        finished = true;
        timeoutTimer.stop();
        loop.unregisterSocket(socket);
        flushStdout();
        if (!error.isEmpty())
            printError(error);
        QCoreApplication::exit(status);
    };

    QObject::connect(&timeoutTimer, &QTimer::timeout, &loop, [&] {
        finish(ExitFailure,
            answered == 0
                ? u"no request arrived within %1 ms on %2"_s.arg(*timeout).arg(describeSocket(socket))
                : u"no further request arrived within %1 ms after %2 on %3"_s.arg(*timeout).arg(
                    answered == 1 ? u"1 request"_s : u"%1 requests"_s.arg(answered), describeSocket(socket)));
    });

    loop.registerReceiver(socket, [&](Socket &, Frames &&frames) {
        if (finished)
            return;
        writeStdout(formatter.format(nowUs(), Direction::In, frames));
        const auto parsed = Envelope::parse(frames);
        Frames reply;
        if (parsed.envelope) {
            const Envelope &request = *parsed.envelope;
            reply = request.responseEnvelope(request.mimetype(), request.data()).transferObject();
            // A DEALER's ["", id, mimetype, body] parses with no request frames; answer with the
            // delimiter it sent so the frames still line up on its side.
            if (parsed.kind == MessageKind::RoutedEnvelope && request.requestFrames().isEmpty())
                reply.prepend(QByteArray());
        } else {
            reply = frames;
            printStatus(
                u"request %1 is not an envelope (%2); echoing its frames back unchanged"_s.arg(answered + 1)
                    .arg(parsed.reason));
        }
        // Errors here (a peer gone, a full queue) reach errorOccurred through the loop.
        socket.sendFrames(reply);
        ++answered;
        if (count && answered >= *count) {
            finish(ExitSuccess, QString());
            return;
        }
        if (timeout)
            timeoutTimer.start(*timeout);
    });
    QObject::connect(&loop, &PollLoop::inputHandled, &loop, [] { flushStdout(); });
    QObject::connect(&loop, &PollLoop::errorOccurred, &loop,
        [&](Socket *, const QString &message) { finish(ExitFailure, message); });
    QObject::connect(&loop, &PollLoop::socketTerminated, &loop, [&](Socket *) {
        finish(ExitFailure, u"the context was shut down while answering on %1"_s.arg(describeSocket(socket)));
    });

    if (timeout)
        timeoutTimer.start(*timeout);
    return QCoreApplication::exec();
}

} // namespace zmqscope::cli
