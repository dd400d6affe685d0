#include <cmath>
#include <functional>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTimer>

#include <zmqscope/capture/capturereader.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/replay/replayer.h>
#include <zmqscope/store/messagestore.h>

#include "clicommon.h"
#include "commands.h"
#include "filteroption.h"
#include "securityoptions.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

namespace {

// A PUB drops what it sends before a subscriber's subscription has arrived (the slow-joiner
// problem), so by default it waits this long after binding/connecting.
constexpr int DefaultPubSettleMs = 200;
// At the end the queued messages still have to reach the peer: closing waits this long for them.
constexpr int DefaultLingerMs = 5000;
constexpr qint64 ProgressLineMs = 1000;
constexpr int DefaultDeliveryTimeoutMs = 5000;
constexpr int HoldCheckMs = 100;

// --step reads stdin in a thread of its own (a blocking read works on every platform and for
// terminals, pipes and files alike). The thread is detached: it may be blocked in a read when we
// exit, so it reaches the main thread only through this mutex-guarded receiver.
std::mutex s_stdinMutex;
QObject *s_stdinReceiver = nullptr;
std::function<void(bool)> s_stdinHandler; // main thread only; true at the end of stdin

void startStdinLines(QObject *receiver, std::function<void(bool)> handler)
{
    s_stdinHandler = std::move(handler);
    {
        const std::lock_guard lock(s_stdinMutex);
        s_stdinReceiver = receiver;
    }
    std::thread([] {
        std::string line;
        for (;;) {
            const bool ok = static_cast<bool>(std::getline(std::cin, line));
            const std::lock_guard lock(s_stdinMutex);
            if (!s_stdinReceiver)
                return;
            QMetaObject::invokeMethod(
                s_stdinReceiver,
                [ok] {
                    if (s_stdinHandler)
                        s_stdinHandler(!ok);
                },
                Qt::QueuedConnection);
            if (!ok)
                return;
        }
    }).detach();
}

void stopStdinLines()
{
    const std::lock_guard lock(s_stdinMutex);
    s_stdinReceiver = nullptr;
    s_stdinHandler = nullptr;
}

QString messagesWord(quint64 count)
{
    return count == 1 ? u"1 message"_s : u"%1 messages"_s.arg(count);
}

} // namespace

int runReplay(const QStringList &arguments)
{
    CommandLine commandLine(u"replay"_s,
        u"Send the messages of a capture file into a socket: in order, every frame byte-identical, at "
        u"the recorded pace (default), N times faster (--speed), as fast as the socket takes them "
        u"(--max-speed), or one per Enter on stdin (--step)."_s);
    commandLine.addPositional(u"FILE"_s,
        u"The capture file to replay (recorded with listen --write or in the app; any name is accepted)."_s);
    commandLine.addSocketOptions(
        u"Socket type to send with (required): PUSH, PUB, XPUB, DEALER, PAIR, or ROUTER (the first frame "
        u"of each message must be a connected peer's routing id). REQ works for one message only (it "
        u"must receive a reply before the next): replay requests with DEALER instead. A PUB drops what a "
        u"slow "
        u"or absent subscriber cannot take (ZeroMQ's rule): for lossless delivery use PUSH or DEALER."_s,
        false);
    const QCommandLineOption speedOption(u"speed"_s,
        u"Replay X times as fast as recorded (2 = twice as fast, 0.5 = half as fast); the gaps are "
        u"measured from the first message."_s,
        u"X"_s);
    const QCommandLineOption maxSpeedOption(
        u"max-speed"_s, u"Send as fast as the socket takes the messages, ignoring the recorded gaps."_s);
    const QCommandLineOption stepOption(u"step"_s,
        u"Send one message per line read from stdin (press Enter); the end of stdin (Ctrl-D) "
        u"stops the replay."_s);
    const QCommandLineOption socketOption(u"socket"_s,
        u"Only the messages of the socket named NAME in the capture (its \"socket\" field)."_s, u"NAME"_s);
    const QCommandLineOption directionOption(u"direction"_s,
        u"Only the messages in this direction: in (received by the recording socket) or out (sent by it)."_s,
        u"DIR"_s);
    const QCommandLineOption settleOption(u"settle"_s,
        u"Wait MS after binding/connecting before the first message (default 200 for PUB/XPUB, so "
        u"subscribers can join; else 0)."_s,
        u"MS"_s);
    const QCommandLineOption filter = filterOption();
    for (const auto *option : { &speedOption, &maxSpeedOption, &stepOption, &socketOption, &directionOption,
             &filter, &settleOption })
        commandLine.addOption(*option);
    commandLine.addTimeoutOption(
        u"How long a message may wait for a peer to take it (default 5000); when none does, exit status 1 "
        u"(not delivered). PUB and XPUB cannot tell and never wait."_s);
    if (!commandLine.parse(arguments,
            u"Nothing is dropped or reordered: a message the socket cannot take yet (no peer\n"
            u"connected, high-water mark reached) is retried for up to --timeout ms, and the\n"
            u"ones after it wait; when no peer takes it, the replay stops with status 1 (not\n"
            u"delivered). It also stops with status 1 on a real error (REQ out of turn, a\n"
            u"ROUTER routing id no peer has). FILE may be a pipe (replay <(cat F), /dev/stdin):\n"
            u"it is read once, streamed, in memory near twice its longest line (while the\n"
            u"messages of a regular file are counted ahead, twice that). Malformed lines in FILE are "
            u"skipped\n"
            u"with a warning that names the line. Progress goes to stderr once a second (not\n"
            u"with --quiet). At the end, closing waits up to 5000 ms for the queued messages\n"
            u"to reach the peer (--option linger=MS changes it). Exit status 1 also when FILE\n"
            u"is not a capture, or when --socket/--direction/--filter match no message.\n"
            u"\n"
            u"Examples:\n"
            u"  zmqscope-cli listen -t pull --bind tcp://127.0.0.1:5557 --write traffic.zmqcap\n"
            u"  zmqscope-cli replay traffic.zmqcap -t push --connect tcp://127.0.0.1:5557 --max-speed\n"
            u"  zmqscope-cli replay traffic.zmqcap -t pub --bind tcp://127.0.0.1:5556 --speed 10\n"
            u"  zmqscope-cli replay traffic.zmqcap -t dealer --connect tcp://127.0.0.1:5555 --step\n"_s))
        return ExitSuccess;

    const QString path = commandLine.positionalArguments().constFirst();
    const QString shownPath = quoted(QDir::toNativeSeparators(path));
    SocketSpec spec = commandLine.socketSpec(std::nullopt);
    if (!socketTypeCanSend(spec.type))
        throw usageError(u"replay cannot use a %1 socket: it cannot send; use PUSH, PUB, XPUB, DEALER, PAIR, "
                         u"ROUTER or REQ"_s.arg(socketTypeName(spec.type)));
    if (spec.type == SocketType::Rep)
        throw usageError(
            u"replay cannot use a REP socket: a REP only answers requests; use DEALER or PUSH"_s);

    ReplayOptions options;
    QStringList pacings;
    for (const auto *option : { &speedOption, &maxSpeedOption, &stepOption }) {
        if (commandLine.isSet(*option))
            pacings.append(u"--"_s + option->names().constFirst());
    }
    if (pacings.size() > 1)
        throw usageError(
            u"give only one of --speed, --max-speed and --step (got %1)"_s.arg(pacings.join(u" and "_s)));
    if (commandLine.isSet(speedOption)) {
        const QString text = commandLine.value(speedOption);
        bool ok = false;
        const double speed = text.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(speed) || speed <= 0)
            throw usageError(
                u"bad --speed value %1: expected a number above 0, e.g. 2 or 0.5"_s.arg(quoted(text)));
        options.pacing = ReplayPacing::Speed;
        options.speed = speed;
    } else if (commandLine.isSet(maxSpeedOption)) {
        options.pacing = ReplayPacing::MaxSpeed;
    } else if (commandLine.isSet(stepOption)) {
        options.pacing = ReplayPacing::Step;
    }
    if (commandLine.isSet(socketOption)) {
        options.socketFilter = commandLine.value(socketOption);
        if (options.socketFilter.isEmpty())
            throw usageError(
                u"empty --socket name; give the name of a socket in the capture, e.g. --socket \"SUB 1\""_s);
    }
    if (commandLine.isSet(directionOption))
        options.direction = parseDirection(commandLine.value(directionOption));
    if (commandLine.isSet(filter))
        options.accept = [matcher = filterFrom(commandLine, filter)](
                             const CaptureRecord &record) { return passes(matcher, record); };
    const bool isPub = spec.type == SocketType::Pub || spec.type == SocketType::XPub;
    const int deliveryTimeout = commandLine.timeout().value_or(DefaultDeliveryTimeoutMs);
    const int settle = commandLine.number(settleOption, 0).value_or(isPub ? DefaultPubSettleMs : 0);

    // Replay's own defaults go before the user's --option values, so the user wins.
    Options replayDefaults { { "linger", DefaultLingerMs } };
    // As in send: with ZMQ_IMMEDIATE a message is queued only to a peer whose connection is complete,
    // so a message nobody can take stays held (and is reported) instead of vanishing at close.
    // (Not for REQ and ROUTER: see send, where REQ waits for a reply and ROUTER has router_mandatory.)
    if (!isPub && spec.type != SocketType::Req && spec.type != SocketType::Router)
        replayDefaults.emplace_back("immediate", true);
    spec.options.insert(spec.options.begin(), replayDefaults.begin(), replayDefaults.end());
    spec.validate(); // bad endpoints and option values are usage errors, found before anything opens

    // Read the header now, so "not a capture" fails before a socket is bound. This reader is the
    // replay's: a capture is read once, so a pipe (replay <(cat F), /dev/stdin) works like a file.
    if (path.isEmpty())
        throw usageError(u"empty FILE name; give the capture file to replay"_s);
    auto reader = std::make_unique<CaptureReader>(path);

    // The engine stores what it sends; a replay needs none of it kept.
    MessageStore store(MessageStore::Limits { 1024, 1 << 20, 64 << 10 });
    Engine engine(store);
    const SocketId id = engine.openSocket(spec);
    Replayer *active = nullptr;
    std::unique_ptr<Replayer> replayerHolder;
    int status = ExitSuccess;
    bool done = false;
    int stopSignalSeen = 0;
    QString notDelivered;
    bool stdinEnded = false;
    quint64 stepsAsked = 0; // --step: lines read so far, each one message
    std::optional<quint64> lastPrompt; // the message number last prompted for: each prompt once
    QElapsedTimer lastProgress;
    QTimer settleTimer;
    settleTimer.setSingleShot(true);

    const auto finish = [&](int exitStatus, const QString &error) {
        if (done)
            return;
        done = true;
        stopStdinLines();
        status = exitStatus;
        if (!error.isEmpty())
            printError(error);
        QCoreApplication::exit(exitStatus);
    };
    const auto prompt = [&](quint64 sent, quint64 total) {
        // progressed() may repeat a count (a total that became known); the prompt for a message once.
        if (lastPrompt == sent)
            return;
        lastPrompt = sent;
        printStatus(total > 0
                ? u"press Enter to send message %1 of %2 (Ctrl-D stops)"_s.arg(sent + 1).arg(total)
                : u"press Enter to send message %1 (Ctrl-D stops)"_s.arg(sent + 1));
    };

    const auto startReplay = [&] {
        replayerHolder = std::make_unique<Replayer>(engine, id);
        active = replayerHolder.get();
        QObject::connect(active, &Replayer::progressed, active, [&](quint64 sent, quint64 total) {
            if (options.pacing == ReplayPacing::Step) {
                if (stdinEnded) {
                    // The lines read before the end of stdin are all sent: now stop.
                    if (sent >= stepsAsked)
                        active->stop();
                    return;
                }
                if (sent > 0 && sent >= stepsAsked && (total == 0 || sent < total))
                    prompt(sent, total);
                return;
            }
            if (lastProgress.elapsed() < ProgressLineMs)
                return;
            lastProgress.start();
            printStatus(total > 0 ? u"replay: %1 of %2 sent"_s.arg(sent).arg(total)
                                  : u"replay: %1 sent"_s.arg(messagesWord(sent)));
        });
        QObject::connect(active, &Replayer::finished, active, [&](quint64 sent, const QString &error) {
            for (const QString &issue : active->fileIssues())
                printError(u"warning: %1: %2"_s.arg(shownPath, issue));
            if (!notDelivered.isEmpty()) {
                finish(ExitFailure,
                    u"replay of %1 stopped after %2: %3"_s.arg(shownPath, messagesWord(sent), notDelivered));
                return;
            }
            if (!error.isEmpty()) {
                finish(ExitFailure,
                    u"replay of %1 stopped after %2: %3"_s.arg(shownPath, messagesWord(sent), error));
                return;
            }
            if (sent == 0 && !stdinEnded
                && (!options.socketFilter.isEmpty() || options.direction || options.accept)) {
                finish(ExitFailure,
                    u"no message in %1 matches%2%3%4"_s.arg(shownPath,
                        options.socketFilter.isEmpty() ? QString()
                                                       : u" --socket "_s + quoted(options.socketFilter),
                        options.direction ? (*options.direction == Direction::In ? u" --direction in"_s
                                                                                 : u" --direction out"_s)
                                          : QString(),
                        options.accept ? u" --filter "_s + quoted(commandLine.value(filter)) : QString()));
                return;
            }
            if (stopSignalSeen != 0)
                printStatus(u"stopped by %1 after %2 from %3"_s.arg(
                    signalName(stopSignalSeen), messagesWord(sent), shownPath));
            else
                printStatus((stdinEnded ? u"stopped after %1 from %2"_s.arg(messagesWord(sent), shownPath)
                                        : u"replayed %1 from %2"_s.arg(messagesWord(sent), shownPath))
                    + (isPub ? u" (PUB does not confirm delivery: a subscriber that was not connected and "
                               u"subscribed got nothing)"_s
                             : QString()));
            finish(ExitSuccess, QString());
        });
        if (options.pacing == ReplayPacing::Step) {
            startStdinLines(active, [&](bool end) {
                if (!active || !active->isRunning())
                    return;
                if (end) {
                    // Lines read before the end may still be going out (a peer not there yet): each
                    // line read is one message, however fast the lines came.
                    stdinEnded = true;
                    if (active->sent() >= stepsAsked)
                        active->stop();
                } else {
                    ++stepsAsked;
                    active->step();
                }
            });
            prompt(0, 0);
        }
        lastProgress.start(); // the first progress line after a second, not a "0 sent" at once
        active->startReader(std::move(reader), options);
    };

    // A message held (no peer takes it) for longer than --timeout was not delivered: stop and say so.
    QTimer holdTimer;
    QElapsedTimer heldFor;
    QObject::connect(&holdTimer, &QTimer::timeout, &engine, [&] {
        if (!active || !active->isRunning() || !notDelivered.isEmpty())
            return;
        if (!active->isHeld()) {
            heldFor.invalidate();
            return;
        }
        if (!heldFor.isValid()) {
            heldFor.start();
            return;
        }
        if (heldFor.elapsed() < deliveryTimeout)
            return;
        notDelivered = u"message %1 not delivered: no peer took it within %2 ms"_s.arg(active->sent() + 1)
                           .arg(deliveryTimeout);
        active->stop();
    });
    holdTimer.start(HoldCheckMs);
    handleStopSignal([&](int signal) {
        if (done)
            return;
        stopSignalSeen = signal;
        if (active && active->isRunning()) {
            active->stop(); // finished() follows once the sends in flight are answered, with the summary
            return;
        }
        printStatus(u"stopped by %1 before the replay of %2 started"_s.arg(signalName(signal), shownPath));
        finish(ExitSuccess, QString());
    });
    QObject::connect(&settleTimer, &QTimer::timeout, &engine, startReplay);
    QObject::connect(&engine, &Engine::socketOpened, &engine, [&](SocketId opened, const QStringList &bound) {
        if (opened != id)
            return;
        printOpened(spec, bound);
        settleTimer.start(settle);
    });
    QObject::connect(&engine, &Engine::socketFailed, &engine, [&](SocketId failed, const QString &error) {
        if (failed == id)
            finish(ExitFailure, error);
    });
    QObject::connect(&engine, &Engine::eventLogged, &engine, [&](const EngineEvent &event) {
        if (done)
            return;
        // A client whose handshake failed delivers nothing: stop with the reason, not "not delivered".
        if (QString failure = handleSecurityEvent(event, id, handshakeFailureEndsRun(spec));
            !failure.isEmpty())
            finish(ExitFailure, failure);
    });

    const int result = QCoreApplication::exec();
    stopStdinLines();
    if (active && active->isRunning())
        active->stop();
    replayerHolder.reset();
    return done ? status : result;
}

} // namespace zmqscope::cli
