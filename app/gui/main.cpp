// zmqscope: the desktop inspector. Wiring only: command line, message store,
// engine, demo peers and the main window.

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include <QApplication>
#include <QComboBox>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QTimer>

#include <zmqscope/demo/demopeers.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/envelope.h>
#include <zmqscope/store/messagestore.h>
#include <zmqscope/version.h>

#include "analysis/analysiscontroller.h"
#include "analysis/analysisdocks.h"
#include "analysis/healthview.h"
#include "capture/capturecontroller.h"
#include "capture/capturewindow.h"
#include "capture/screenshotscenes.h"
#include "compose/composerwidget.h"
#include "compose/workspace.h"
#include "detail/messagedetailview.h"
#include "eventlogmodel.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "preferences.h"
#include "sniffscreenshot.h"
#include "tapcontroller.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;

namespace {

constexpr int ExitUsage = 2;
constexpr int ExitFailure = 1;

[[noreturn]] void failUsage(const QString &message)
{
    std::fprintf(stderr, "zmqscope: %s\n", qPrintable(message));
    std::exit(ExitUsage);
}

struct EndpointArgument
{
    bool bind = false;
    QString type;
    QString uri;
};

/**
 * --connect and --bind take two values (TYPE URI), which QCommandLineParser
 * cannot express: take them out of the argument list first, keeping their
 * order, and leave the rest to the parser.
 */
QStringList takeEndpointArguments(const QStringList &arguments, QList<EndpointArgument> &endpoints)
{
    QStringList rest;
    rest.reserve(arguments.size());
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == u"--"_s) {
            rest.append(arguments.mid(i));
            break;
        }
        const bool bind = argument == u"--bind"_s;
        if (!bind && argument != u"--connect"_s) {
            if (argument.startsWith(u"--connect="_s) || argument.startsWith(u"--bind="_s))
                failUsage(u"%1 takes two values: %2 TYPE URI, e.g. %2 SUB tcp://127.0.0.1:5556"_s.arg(
                    argument, argument.section(u'=', 0, 0)));
            rest.append(argument);
            continue;
        }
        const auto isValue = [&arguments](qsizetype index) {
            return index < arguments.size() && !arguments.at(index).startsWith(u"--"_s);
        };
        if (!isValue(i + 1) || !isValue(i + 2))
            failUsage(u"%1 needs a socket TYPE and a URI, e.g. %1 SUB tcp://127.0.0.1:5556"_s.arg(argument));
        endpoints.append({ bind, arguments.at(i + 1), arguments.at(i + 2) });
        i += 2;
    }
    return rest;
}

// The newest message at least `skip` messages before the end that passes `predicate`.
std::optional<std::uint64_t> findRecent(
    const MessageStore &store, const auto &predicate, std::uint64_t skip = 0)
{
    MessageSummary summary;
    const std::uint64_t first = store.firstSeq();
    const std::uint64_t end = store.endSeq();
    for (std::uint64_t seq = end > skip ? end - skip : 0; seq > first && end - seq < 20000; --seq) {
        if (store.summary(seq - 1, summary, 64) && predicate(summary))
            return seq - 1;
    }
    return std::nullopt;
}

/**
 * The hidden --screenshot mode (resources/screenshots/make-screenshots.sh):
 * after some demo traffic, ask the demo peers something so the table has
 * sent messages and replies, prepare a reply in the composer, pick an
 * interesting row and the requested detail tab, then save the window.
 */
void scheduleScreenshot(MainWindow &window, const QString &fileName, int delayMs, const QString &tabName)
{
    Engine &engine = window.engine();
    const auto socketNamed = [&engine](const QString &name) -> SocketId {
        for (const SocketInfo &info : engine.sockets()) {
            if (info.spec.name == name)
                return info.id;
        }
        return 0;
    };

    // Late enough that the requests and their answers are among the rows on screen.
    QTimer::singleShot(qMax(0, delayMs - 700), &window, [&engine, socketNamed] {
        if (const SocketId req = socketNamed(u"Echo REQ"_s)) {
            const QJsonObject request { { u"command"_s, u"status"_s }, { u"verbose"_s, true } };
            engine.send(req,
                Envelope::create(
                    "application/json", QJsonDocument(request).toJson(QJsonDocument::Compact), "req-1")
                    .transferObject());
        }
        if (const SocketId dealer = socketNamed(u"Router DEALER"_s)) {
            for (int i = 1; i <= 2; ++i) {
                const QJsonObject order { { u"order"_s, 4711 + i }, { u"item"_s, u"sensor-kit"_s },
                    { u"qty"_s, i } };
                engine.send(dealer,
                    Envelope::create("application/json", QJsonDocument(order).toJson(QJsonDocument::Compact),
                        QByteArray("order-") + QByteArray::number(i))
                        .transferObject(defaultEnvelopeFraming(SocketType::Dealer)));
            }
        }
    });

    QTimer::singleShot(delayMs, &window, [&window, fileName, tabName] {
        window.refreshViews();
        const MessageStore &store = window.engine().store();
        std::optional<std::uint64_t> seq;
        MessageDetailView::Tab tab = MessageDetailView::JsonTab;
        if (tabName == u"hex"_s) {
            tab = MessageDetailView::HexTab;
            seq = findRecent(
                store, [](const MessageSummary &s) { return s.mimetype.startsWith("image/"); }, 6);
        } else if (tabName == u"image"_s) {
            tab = MessageDetailView::ImageTab;
            seq = findRecent(store, [](const MessageSummary &s) { return s.mimetype.startsWith("image/"); });
        } else {
            // A telemetry row just after our requests, so sent rows and answers show around it.
            const auto isTelemetry = [](const MessageSummary &s) {
                return s.direction == Direction::In && s.mimetype == "application/json"
                    && s.id.startsWith("telemetry");
            };
            const auto firstOut = findRecent(
                store, [](const MessageSummary &s) { return s.direction == Direction::Out; }, 12);
            const std::uint64_t end = store.endSeq();
            if (firstOut && end > *firstOut + 5)
                seq = findRecent(store, isTelemetry, end - (*firstOut + 5));
            if (!seq)
                seq = findRecent(store, isTelemetry, 8);
        }

        // The reply the composer would send for the newest ROUTER answer.
        if (const auto answer = findRecent(store, [](const MessageSummary &s) {
                return s.direction == Direction::In && s.id.startsWith("order-");
            })) {
            StoredMessage message;
            if (store.message(*answer, message))
                window.composer()->prepareReply(message, message.socket);
            if (auto *mimetype = window.composer()->findChild<QComboBox *>(u"mimetypeCombo"_s))
                mimetype->setCurrentText(u"application/json"_s);
            if (auto *body = window.composer()->findChild<QPlainTextEdit *>(u"bodyEdit"_s))
                body->setPlainText(u"{\n    \"status\": \"shipped\",\n    \"carrier\": \"DHL\"\n}"_s);
        }
        if (seq)
            window.messagesPane()->selectSeq(*seq);
        window.detailView()->setCurrentTab(tab);

        QTimer::singleShot(400, &window, [&window, fileName] {
            window.refreshViews();
            const bool saved = window.grab().save(fileName);
            std::fprintf(saved ? stdout : stderr,
                saved ? "zmqscope: saved %s\n" : "zmqscope: could not write %s\n",
                qPrintable(QDir::toNativeSeparators(fileName)));
            QCoreApplication::exit(saved ? 0 : ExitFailure);
        });
    });
}

/// What the command line asks for, checked before any window or socket exists.
struct CommandLine
{
    bool demo = false;
    QList<SocketSpec> specs;
    QString sessionFile;
    QString screenshotFile;
    int screenshotDelayMs = 4000;
    QString screenshotTab;
    QStringList captureFiles; ///< positional arguments: capture files to open, each in its own window
    std::optional<std::uint64_t> maxMessages; ///< overrides the saved retention preference for this run
    std::optional<std::uint64_t> maxMemory;
};

// QGuiApplication's own options that take a value; they go to QApplication, not to our parser.
bool isQtOptionWithValue(const QString &argument)
{
    static const QStringList options { u"-platform"_s, u"-platformpluginpath"_s, u"-platformtheme"_s,
        u"-plugin"_s, u"-qwindowgeometry"_s, u"-qwindowicon"_s, u"-qwindowtitle"_s, u"-style"_s,
        u"-stylesheet"_s, u"-display"_s, u"-geometry"_s };
    return options.contains(argument);
}

bool isQtFlag(const QString &argument)
{
    static const QStringList flags { u"-reverse"_s, u"-widgetcount"_s, u"-nograb"_s, u"-dograb"_s };
    return flags.contains(argument);
}

/**
 * Parses and checks our options (exiting with status 2 and one line on stderr
 * for bad input, 0 after --help or --version). Runs under a QCoreApplication,
 * so --help, --version and usage errors work without a display.
 */
CommandLine parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"ZmqScope: connect ZeroMQ sockets, watch envelopes live, compose and reply."_s);
    parser.addHelpOption();
    const QCommandLineOption versionOption({ u"v"_s, u"version"_s }, u"Print the version and exit."_s);
    parser.addOption(versionOption);
    const QCommandLineOption demoOption(u"demo"_s,
        u"Start in-process demo peers (PUB, REP, ROUTER, PUSH, and a quote service whose "
        u"clients talk through a tap) and open sockets and the tap that watch and talk to them."_s);
    parser.addOption(demoOption);
    // Listed for --help only: takeEndpointArguments() handles them.
    parser.addOption(QCommandLineOption(u"connect"_s,
        u"Open a socket of TYPE (SUB, DEALER, ...) connected to URI. Repeatable."_s, u"TYPE URI"_s));
    parser.addOption(
        QCommandLineOption(u"bind"_s, u"Open a socket of TYPE bound to URI. Repeatable."_s, u"TYPE URI"_s));
    const QCommandLineOption subscribeOption(u"subscribe"_s,
        u"Subscribe the SUB/XSUB sockets to PREFIX (default: everything). Repeatable."_s, u"PREFIX"_s);
    parser.addOption(subscribeOption);
    const QCommandLineOption sessionOption(
        u"session"_s, u"Open the sockets of a saved workspace FILE."_s, u"FILE"_s);
    parser.addOption(sessionOption);
    const QCommandLineOption maxMessagesOption(u"max-messages"_s,
        u"Keep at most N messages for this run (default: the saved preference, at first 5000000)."_s, u"N"_s);
    parser.addOption(maxMessagesOption);
    const QCommandLineOption maxMemoryOption(u"max-memory"_s,
        u"Keep at most SIZE of message data for this run: bytes or K, M, G, T (binary), e.g. 512M or 2G "
        u"(default: the saved preference, at first 1G)."_s,
        u"SIZE"_s);
    parser.addOption(maxMemoryOption);
    QCommandLineOption screenshotOption(
        u"screenshot"_s, u"Save the window to FILE after demo traffic, then quit."_s, u"FILE"_s);
    screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshotOption);
    QCommandLineOption screenshotDelayOption(
        u"screenshot-delay"_s, u"Milliseconds before the screenshot."_s, u"MS"_s, u"4000"_s);
    screenshotDelayOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshotDelayOption);
    QCommandLineOption screenshotTabOption(u"screenshot-tab"_s,
        u"Detail tab to show: json, hex or image; or the scene capture, library, tap, newtap, newsocket, "
        u"tapmessages, pcap (the first capture file given), sniff (needs root), security (New Socket's "
        u"Security tab), handshake (a CURVE handshake failing), diff (the Diff tab on demo telemetry), conversations, health or plot (the analysis docks)."_s,
        u"TAB"_s, u"json"_s);
    screenshotTabOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(screenshotTabOption);

    QList<EndpointArgument> endpoints;
    if (!parser.parse(takeEndpointArguments(arguments, endpoints)))
        failUsage(parser.errorText());
    if (parser.isSet(u"help"_s))
        parser.showHelp(0);
    if (parser.isSet(versionOption)) {
        std::printf("zmqscope %s (libzmq %s, Qt %s)\n", qPrintable(libraryVersion()),
            qPrintable(zmqVersion()), qVersion());
        std::exit(0);
    }
    CommandLine result;
    // `zmqscope FILE.zmqcap ...` (what the desktop MIME association runs) opens each capture.
    for (const QString &file : parser.positionalArguments()) {
        const QFileInfo info(file);
        if (!info.exists())
            failUsage(u"cannot open capture \"%1\": no such file (sockets are given as --connect TYPE URI "
                      u"or --bind TYPE URI)"_s.arg(file));
        if (!info.isFile() || !info.isReadable())
            failUsage(u"cannot open capture \"%1\": not a readable file"_s.arg(file));
        result.captureFiles.append(info.absoluteFilePath());
    }
    result.demo = parser.isSet(demoOption);
    QList<QByteArray> subscriptions;
    for (const QString &prefix : parser.values(subscribeOption))
        subscriptions.append(prefix.toUtf8());
    bool anySubscriber = false;
    for (const EndpointArgument &endpoint : std::as_const(endpoints)) {
        SocketSpec spec;
        try {
            spec.type = socketTypeFromName(endpoint.type);
            (endpoint.bind ? spec.binds : spec.connects).append(endpoint.uri);
            if (spec.type == SocketType::Sub || spec.type == SocketType::XSub) {
                spec.subscriptions = subscriptions;
                anySubscriber = true;
            }
            spec.validate();
        } catch (const Error &error) {
            failUsage(u"%1 %2 %3: %4"_s.arg(
                endpoint.bind ? u"--bind"_s : u"--connect"_s, endpoint.type, endpoint.uri, error.message()));
        }
        result.specs.append(spec);
    }
    if (!subscriptions.isEmpty() && !anySubscriber)
        failUsage(
            u"--subscribe \"%1\" needs a SUB or XSUB socket, e.g. --connect SUB tcp://127.0.0.1:5556"_s.arg(
                QString::fromUtf8(subscriptions.constFirst())));
    if (parser.isSet(sessionOption)) {
        result.sessionFile = parser.value(sessionOption);
        const zmqscope::Result<Workspace> workspace = Workspace::load(result.sessionFile);
        if (!workspace)
            failUsage(workspace.errorMessage());
    }
    if (parser.isSet(maxMessagesOption)) {
        const Result<std::uint64_t> limit = messageLimitFromText(parser.value(maxMessagesOption));
        if (!limit)
            failUsage(u"--max-messages "_s + limit.errorMessage());
        result.maxMessages = *limit;
    }
    if (parser.isSet(maxMemoryOption)) {
        const Result<std::uint64_t> limit = memoryLimitFromText(parser.value(maxMemoryOption));
        if (!limit)
            failUsage(u"--max-memory "_s + limit.errorMessage());
        result.maxMemory = *limit;
    }
    result.screenshotFile = parser.value(screenshotOption);
    bool delayOk = false;
    result.screenshotDelayMs = parser.value(screenshotDelayOption).toInt(&delayOk);
    if (!delayOk || result.screenshotDelayMs < 0)
        failUsage(u"--screenshot-delay \"%1\" is not a number of milliseconds"_s.arg(
            parser.value(screenshotDelayOption)));
    result.screenshotTab = parser.value(screenshotTabOption).toLower();
    const QStringList screenshotTabs { u"json"_s, u"hex"_s, u"image"_s, u"capture"_s, u"library"_s, u"tap"_s,
        u"newtap"_s, u"newsocket"_s, u"tapmessages"_s, u"pcap"_s, u"sniff"_s, u"security"_s, u"handshake"_s,
        u"decoded"_s, u"filtererror"_s, u"diff"_s, u"conversations"_s, u"health"_s, u"plot"_s };
    if (!screenshotTabs.contains(result.screenshotTab))
        failUsage(u"--screenshot-tab \"%1\" is not one of %2"_s.arg(
            result.screenshotTab, screenshotTabs.join(u", "_s)));
    if (result.screenshotTab == u"pcap"_s && result.captureFiles.isEmpty())
        failUsage(u"--screenshot-tab pcap needs a packet capture to open (give its file)"_s);
    return result;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setOrganizationName(u"ZmqScope"_s);
    QCoreApplication::setApplicationName(u"zmqscope"_s);
    QCoreApplication::setApplicationVersion(libraryVersion());

    // Our options are read first, under a QCoreApplication, so that --help, --version and usage
    // errors need no display; QApplication then gets only the program name and Qt's own options
    // (it would otherwise take "--session FILE" as an X11 session id).
    CommandLine commandLine;
    std::vector<char *> qtArgv { argv[0] };
    {
        QCoreApplication core(argc, argv);
        QStringList ours { QCoreApplication::arguments().value(0) };
        const QStringList all = QCoreApplication::arguments();
        for (qsizetype i = 1; i < all.size() && i < argc; ++i) {
            if (isQtOptionWithValue(all.at(i)) && i + 1 < argc) {
                qtArgv.push_back(argv[i]);
                qtArgv.push_back(argv[++i]);
            } else if (isQtFlag(all.at(i))) {
                qtArgv.push_back(argv[i]);
            } else {
                ours.append(all.at(i));
            }
        }
        commandLine = parseCommandLine(ours);
    }
    qtArgv.push_back(nullptr);
    int qtArgc = int(qtArgv.size()) - 1;
    QApplication app(qtArgc, qtArgv.data());
    // The reverse-DNS id of the desktop entry, metainfo and hicolor icon (resources/linux/).
    QGuiApplication::setDesktopFileName(u"io.github.zmqscope.ZmqScope"_s);
    QGuiApplication::setWindowIcon(
        QIcon::fromTheme(u"io.github.zmqscope.ZmqScope"_s, QIcon(u":/icons/app/zmqscope.svg"_s)));
    const QString &screenshotFile = commandLine.screenshotFile;

    // Retention: the saved preferences, unless the command line says otherwise for this run.
    Preferences preferences = Preferences::load();
    if (commandLine.maxMessages)
        preferences.maxMessages = *commandLine.maxMessages;
    if (commandLine.maxMemory)
        preferences.maxMemory = *commandLine.maxMemory;
    MessageStore store(preferences.limits());
    Engine engine(store);
    std::unique_ptr<DemoPeers> demo;
    if (commandLine.demo || !screenshotFile.isEmpty()) {
        DemoPeers::Settings settings;
        // The screenshot needs a screenful of rows within a few seconds.
        if (!screenshotFile.isEmpty())
            settings.messagesPerSecond = 12.0;
        // The sniff scene captures lo from before the demo's first connection (needs root).
        if (commandLine.screenshotTab == u"sniff"_s)
            screenshotscenes::openDemoSniffer(engine);
        demo = std::make_unique<DemoPeers>(Context(), settings);
        try {
            demo->start();
        } catch (const Error &error) {
            std::fprintf(
                stderr, "zmqscope: the demo peers could not start: %s\n", qPrintable(error.message()));
            return ExitFailure;
        }
    }

    MainWindow window(engine);
    std::unique_ptr<DemoRequester> requester;
    if (screenshotFile.isEmpty()) {
        window.restoreSettings();
    } else {
        // Screenshots always show the default layout at the documented size.
        window.setSaveSettingsOnClose(false);
        window.resize(1600, 1000);
        window.resetLayout();
    }
    if (demo) {
        QObject::connect(demo.get(), &DemoPeers::errorOccurred, &window, [&window](const QString &message) {
            window.eventModel()->addLine(u"Demo peers: "_s + message, true);
        });
        for (const SocketSpec &spec : demo->inspectorSpecs()) {
            const SocketId id = window.openSocket(spec);
            // The DEALER asks the demo ROUTER now and then: request-reply pairs with varying latency.
            if (spec.type == SocketType::Dealer && id != 0)
                requester = std::make_unique<DemoRequester>(engine, id, demo->messagesPerSecond());
        }
        // The quote clients talk to their server through a tap: they connect where it listens, also
        // after the tap was edited or reopened (another port).
        const QStringList quoteServer = demo->tapSpec().forward;
        QObject::connect(&engine, &Engine::socketOpened, demo.get(),
            [&engine, demo = demo.get(), quoteServer](SocketId id, const QStringList &endpoints) {
                const std::optional<SocketInfo> info = engine.socket(id);
                if (info && info->tap && info->tap->spec.forward == quoteServer && !endpoints.isEmpty())
                    demo->connectTapClients(endpoints.constFirst());
            });
        window.tapController()->openTap(demo->tapSpec());
        // Its telemetry counts "seq" per sensor: the Health dock checks it from the start.
        const std::optional<JsonPath> seq = *JsonPath::parseField(u"seq"_s);
        window.analysisDocks()->healthView()->showField(seq, SequenceStreams::BySocketAndId);
        window.analysisDocks()->controller()->setSequenceField(seq, SequenceStreams::BySocketAndId);
    }
    for (const SocketSpec &spec : std::as_const(commandLine.specs))
        window.openSocket(spec);
    if (!commandLine.sessionFile.isEmpty())
        (void)window.openWorkspace(commandLine.sessionFile); // a failure is in the Events log
    window.show();
    QList<CaptureWindow *> captureWindows;
    for (const QString &file : std::as_const(commandLine.captureFiles))
        captureWindows.append(window.captureController()->openCapture(file));
    if (screenshotFile.isEmpty())
        return app.exec();
    if (commandLine.screenshotTab == u"capture"_s)
        screenshotscenes::scheduleCaptureWindow(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"pcap"_s && !captureWindows.isEmpty())
        screenshotscenes::schedulePacketCapture(*captureWindows.constFirst(), screenshotFile);
    else if (commandLine.screenshotTab == u"library"_s)
        screenshotscenes::scheduleLibrary(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"tap"_s)
        screenshotscenes::scheduleTap(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"newtap"_s)
        screenshotscenes::scheduleNewTapDialog(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"newsocket"_s)
        screenshotscenes::scheduleNewSocketDialog(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"security"_s)
        screenshotscenes::scheduleSecurityDialog(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"handshake"_s)
        screenshotscenes::scheduleHandshakeFailed(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"decoded"_s)
        screenshotscenes::scheduleDecoded(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"conversations"_s)
        screenshotscenes::scheduleConversations(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"plot"_s)
        screenshotscenes::schedulePlot(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"health"_s)
        screenshotscenes::scheduleHealth(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"diff"_s)
        screenshotscenes::scheduleDiff(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"filtererror"_s)
        screenshotscenes::scheduleFilterError(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"sniff"_s)
        screenshotscenes::scheduleSniff(window, screenshotFile, commandLine.screenshotDelayMs);
    else if (commandLine.screenshotTab == u"tapmessages"_s && demo)
        screenshotscenes::scheduleTapMessages(
            window, screenshotFile, demo->echoEndpoint(), commandLine.screenshotDelayMs);
    else
        scheduleScreenshot(window, screenshotFile, commandLine.screenshotDelayMs, commandLine.screenshotTab);
    return app.exec();
}
