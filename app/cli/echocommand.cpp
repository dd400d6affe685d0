#include <zmqscope/envelope.h>

#include "clicommon.h"
#include "commands.h"
#include "receivesession.h"

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

    const SocketSpec setup = commandLine.socketSpec(SocketType::Rep);
    if (setup.type != SocketType::Rep && setup.type != SocketType::Router)
        throw usageError(u"echo needs a REP or ROUTER socket, not %1"_s.arg(socketTypeName(setup.type)));
    const ReceiveOptions options = receiveOptions(commandLine);

    ReceiveSession session(setup, options, { u"request"_s, u"answering"_s });
    session.handleMessages(
        [&](std::int64_t timestampUs, Direction direction, const Frames &view, QByteArrayView) {
            writeStdout(session.formatter().format(timestampUs, direction, view));
            // The frames point into the store: the reply, sent from the engine thread, needs its own bytes.
            Frames frames;
            frames.reserve(view.size());
            for (const QByteArray &frame : view)
                frames.append(QByteArray(frame.constData(), frame.size()));
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
                printStatus(u"request %1 is not an envelope (%2); echoing its frames back unchanged"_s
                                .arg(session.handled() + 1)
                                .arg(parsed.reason));
            }
            // The reply goes out before the socket closes (closing is queued after it, with the linger);
            // a send that fails (a peer gone, a full queue) ends the run with the engine's reason.
            session.engine().send(
                session.socketId(), reply, &session.engine(), [&session](const SendResult &result) {
                    if (!result.sent())
                        session.finish(ExitFailure, result.status.errorMessage());
                });
            return true;
        });
    return session.exec();
}

} // namespace zmqscope::cli
