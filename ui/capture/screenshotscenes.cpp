#include "screenshotscenes.h"

#include <cstdio>
#include <functional>
#include <memory>

#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QKeyEvent>
#include <QLineEdit>
#include <QScreen>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QTreeWidget>

#include <zmqscope/engine/tap.h>
#include <zmqscope/envelope.h>
#include <zmqscope/replay/templates.h>
#include <zmqscope/security.h>

#include "analysis/analysisdocks.h"
#include "analysis/conversationmodel.h"
#include "analysis/conversationsview.h"
#include "analysis/healthmodel.h"
#include "analysis/healthview.h"
#include "capturecontroller.h"
#include "capturewindow.h"
#include "compose/composerwidget.h"
#include "compose/newsocketdialog.h"
#include "compose/newtapdialog.h"
#include "connectionspanel.h"
#include "detail/messagedetailview.h"
#include "filterbar.h"
#include "library/librarypanel.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "messagetablemodel.h"
#include "plots/plotspanel.h"
#include "socketlistmodel.h"
#include "socketsview.h"
#include "tapcontroller.h"

using namespace Qt::StringLiterals;

namespace zmqscope::screenshotscenes {

namespace {

SocketId socketNamed(const Engine &engine, const QString &name)
{
    for (const SocketInfo &info : engine.sockets()) {
        if (info.spec.name == name)
            return info.id;
    }
    return 0;
}

/// Ends the application with `message` on stderr: the scene could not be made.
void failScene(const char *message)
{
    std::fprintf(stderr, "zmqscope: %s\n", message);
    QCoreApplication::exit(1);
}

void savePictureAndQuit(const QPixmap &picture, const QString &fileName)
{
    const bool saved = picture.save(fileName);
    std::fprintf(saved ? stdout : stderr, saved ? "zmqscope: saved %s\n" : "zmqscope: could not write %s\n",
        qPrintable(QDir::toNativeSeparators(fileName)));
    QCoreApplication::exit(saved ? 0 : 1);
}

void saveAndQuit(QWidget &widget, const QString &fileName)
{
    savePictureAndQuit(widget.grab(), fileName);
}

/// After `delayMs` (the last view ticks), brings the window's views up to date and saves it; `keep` (the
/// scene's files) lives until then.
template<typename Window>
void saveAfter(int delayMs, Window &window, const QString &fileName, std::shared_ptr<QTemporaryDir> keep = {})
{
    QTimer::singleShot(delayMs, &window, [&window, fileName, keep = std::move(keep)] {
        window.refreshViews();
        saveAndQuit(window, fileName);
    });
}

/// Selects the newest stored message that `matches` in the main window's table.
void selectNewest(MainWindow &window, const std::function<bool(const MessageSummary &)> &matches)
{
    const MessageStore &store = window.engine().store();
    MessageSummary summary;
    for (std::uint64_t seq = store.endSeq(); seq > store.firstSeq(); --seq) {
        if (store.summary(seq - 1, summary, 64) && matches(summary)) {
            window.messagesPane()->selectSeq(seq - 1);
            return;
        }
    }
}

/// A socket of `type` named `name` that connects to `endpoints`.
SocketSpec connectingSpec(SocketType type, const QString &name, const QStringList &endpoints)
{
    SocketSpec spec;
    spec.type = type;
    spec.name = name;
    spec.connects = endpoints;
    return spec;
}

/// Two fresh CURVE key pairs for a scene.
Result<std::pair<CurveKeyPair, CurveKeyPair>> twoKeyPairs()
{
    Result<CurveKeyPair> first = generateCurveKeyPair();
    if (!first)
        return std::move(first).error();
    Result<CurveKeyPair> second = generateCurveKeyPair();
    if (!second)
        return std::move(second).error();
    return std::pair { *first, *second };
}

/// Opens the dialog `action` opens, fills it with spec (then `prepare`, when given) and saves it.
template<typename Dialog, typename Spec>
void scheduleDialog(MainWindow &window, MainWindow::Action action, const Spec &spec, const QString &fileName,
    int delayMs, const std::function<void(Dialog &)> &prepare = {})
{
    QTimer::singleShot(delayMs, &window, [&window, action, spec, fileName, prepare] {
        window.action(action)->trigger();
        auto *dialog = window.findChild<Dialog *>();
        if (!dialog) {
            failScene(qPrintable(
                u"%1 did not open"_s.arg(QLatin1StringView(Dialog::staticMetaObject.className()))));
            return;
        }
        dialog->setSpec(spec);
        if (prepare)
            prepare(*dialog);
        QTimer::singleShot(300, dialog, [dialog, fileName] { saveAndQuit(*dialog, fileName); });
    });
}

void sendDemoRequests(Engine &engine)
{
    if (const SocketId req = socketNamed(engine, u"Echo REQ"_s)) {
        const QJsonObject request { { u"command"_s, u"status"_s }, { u"verbose"_s, true } };
        engine.send(req,
            Envelope::create(
                "application/json", QJsonDocument(request).toJson(QJsonDocument::Compact), "req-1")
                .transferObject());
    }
    if (const SocketId dealer = socketNamed(engine, u"Router DEALER"_s)) {
        const QJsonObject order { { u"order"_s, 4712 }, { u"item"_s, u"sensor-kit"_s }, { u"qty"_s, 2 } };
        engine.send(dealer,
            Envelope::create(
                "application/json", QJsonDocument(order).toJson(QJsonDocument::Compact), "order-1")
                .transferObject(defaultEnvelopeFraming(SocketType::Dealer)));
    }
}

} // namespace

void scheduleCaptureWindow(MainWindow &window, const QString &fileName, int delayMs)
{
    auto folder = std::make_shared<QTemporaryDir>();
    Engine &engine = window.engine();
    CaptureController *capture = window.captureController();

    // Record from the first message on, like a user who pressed Ctrl+E before the traffic came.
    RecordingOptions options;
    options.file.path = folder->filePath(u"demo_20261126T011502Z.zmqcap"_s);
    options.file.headerExtra = { { u"writer"_s, u"zmqscope"_s } };
    capture->startRecording(options);

    QTimer::singleShot(qMax(0, delayMs / 2), &window, [&engine] { sendDemoRequests(engine); });
    QTimer::singleShot(delayMs, &window, [capture] { capture->stopRecording(); });
    QObject::connect(
        &engine, &Engine::recordingStopped, &window, [capture, fileName, folder](const QString &path) {
            CaptureWindow *captureWindow = capture->openCapture(path);
            captureWindow->resize(1400, 860);
            QObject::connect(captureWindow, &CaptureWindow::loadFinished, captureWindow,
                [captureWindow, fileName, folder] {
                    // A JSON telemetry row a little way down, so rows above and below it show.
                    const MessageTableModel *model = captureWindow->messagesPane()->model();
                    const MessageStore &store = captureWindow->store();
                    MessageSummary summary;
                    for (int row = qMin(8, model->totalRows() - 1); row >= 0 && row < model->totalRows();
                         ++row) {
                        if (store.summary(model->seqAtLogical(row), summary, 64)
                            && summary.mimetype == "application/json") {
                            captureWindow->messagesPane()->selectSeq(summary.seq);
                            break;
                        }
                    }
                    captureWindow->detailView()->setCurrentTab(MessageDetailView::JsonTab);
                    saveAfter(500, *captureWindow, fileName, folder);
                });
        });
}

void schedulePacketCapture(CaptureWindow &window, const QString &fileName)
{
    const auto shoot = [&window, fileName] {
        window.resize(1600, 1000);
        if (ConnectionsPanel *panel = window.connectionsPanel()) {
            const QList<WireConnection> &connections = window.loadResult().connections;
            qsizetype chosen = -1;
            for (qsizetype i = 0; i < connections.size(); ++i) {
                const WireConnection &c = connections.at(i);
                if (chosen < 0
                    || (!c.clientIdentity.isEmpty() && connections.at(chosen).clientIdentity.isEmpty())
                    || (c.clientIdentity.isEmpty() == connections.at(chosen).clientIdentity.isEmpty()
                        && c.clientToServer + c.serverToClient
                            > connections.at(chosen).clientToServer + connections.at(chosen).serverToClient))
                    chosen = i;
            }
            if (chosen >= 0)
                panel->connectionsView()->setCurrentItem(panel->connectionsView()->topLevelItem(int(chosen)));
        }
        // The filter's rows come on view ticks; then the first of them goes into the Detail.
        QTimer::singleShot(600, &window, [&window, fileName] {
            window.refreshViews();
            const MessageTableModel *model = window.messagesPane()->model();
            if (model->totalRows() > 1)
                window.messagesPane()->selectSeq(model->seqAtLogical(1));
            saveAfter(400, window, fileName);
        });
    };
    if (window.isLoading())
        QObject::connect(&window, &CaptureWindow::loadFinished, &window, shoot);
    else
        QTimer::singleShot(0, &window, shoot);
}

void scheduleLibrary(MainWindow &window, const QString &fileName, int delayMs)
{
    auto folder = std::make_shared<QTemporaryDir>();
    const QString path = folder->filePath(u"library.json"_s);

    TemplateLibrary library;
    const auto envelope
        = [](const QString &name, const QString &type, const QByteArray &id, const QByteArray &mimetype,
              const QByteArray &body, const QString &description) {
              MessageTemplate t;
              t.name = name;
              t.socketType = type;
              t.id = id;
              t.mimetype = mimetype;
              t.body = body;
              t.description = description;
              return t;
          };
    library.insert(envelope(u"status request"_s, u"REQ"_s, "req-{{seq}}", "application/json",
        R"({"command": "status", "verbose": true})", u"Ask the echo service for its status"_s));
    library.insert(envelope(u"order sensor kit"_s, u"DEALER"_s, "order-{{seq}}", "application/json",
        R"({"order": "A-{{random:10000}}", "item": "sensor-kit", "qty": 2, "at": "{{now}}"})",
        u"A new order with a random number"_s));
    library.insert(envelope(u"ping"_s, QString(), "{{uuid}}", "text/plain", "ping {{seq}}", QString()));
    library.insert(envelope(u"temperature reading"_s, u"DEALER"_s, "telemetry.kitchen", "application/json",
        R"({"sensor": "kitchen", "reading": "21.{{random:10}}", "ts": "{{now}}"})", QString()));
    MessageTemplate raw;
    raw.name = u"raw hello"_s;
    raw.kind = MessageTemplate::Kind::Raw;
    raw.frames = { "hello", QByteArray("\x00\x01\x02", 3), "{{seq}}" };
    library.insert(raw);
    try {
        library.save(path);
    } catch (const Error &error) {
        std::fprintf(stderr, "zmqscope: %s\n", qPrintable(error.message()));
    }

    LibraryPanel *panel = window.libraryPanel();
    // The scene's library is a temporary file: the user's choice of library stays as it was.
    const QVariant chosen = QSettings().value(u"Library/path"_s);
    if (const zmqscope::Result<void> opened = panel->openLibrary(path); !opened)
        std::fprintf(stderr, "zmqscope: %s\n", qPrintable(opened.errorMessage()));
    if (chosen.isValid())
        QSettings().setValue(u"Library/path"_s, chosen);
    else
        QSettings().remove(u"Library/path"_s);
    window.libraryDock()->show();
    window.libraryDock()->raise();

    QTimer::singleShot(qMax(0, delayMs - 900), &window, [&window, panel] {
        if (const SocketId dealer = socketNamed(window.engine(), u"Router DEALER"_s))
            window.composer()->setCurrentSocket(dealer);
        panel->loadIntoComposer(u"order sensor kit"_s);
        panel->selectTemplate(u"order sensor kit"_s);
        panel->sendTemplate(u"order sensor kit"_s);
        window.libraryDock()->raise();
    });
    QTimer::singleShot(delayMs, &window, [&window, fileName, folder] {
        window.refreshViews();
        // The newest answer from the ROUTER in the Detail pane, next to the template that asked for it.
        selectNewest(window, [](const MessageSummary &summary) { return summary.id.startsWith("order-"); });
        window.detailView()->setCurrentTab(MessageDetailView::JsonTab);
        saveAfter(400, window, fileName, folder);
    });
}

void scheduleTap(MainWindow &window, const QString &fileName, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, fileName] {
        window.refreshViews();
        const SocketId tap = socketNamed(window.engine(), u"Quotes tap"_s);
        if (auto *sockets = window.findChild<SocketsView *>(u"socketsView"_s))
            sockets->selectSocket(tap);
        // The newest reply the tap forwarded selected in the table; the monitor in front of the Detail.
        selectNewest(window, [tap](const MessageSummary &summary) {
            return summary.socket == tap && summary.direction == Direction::ServerToClient;
        });
        window.detailView()->setCurrentTab(MessageDetailView::JsonTab);
        window.tapController()->monitorTap(tap);
        saveAfter(400, window, fileName);
    });
}

void scheduleNewTapDialog(MainWindow &window, const QString &fileName, int delayMs)
{
    TapSpec spec;
    spec.pattern = TapPattern::DealerRouter;
    spec.name = u"orders tap"_s;
    spec.listen = { u"tcp://*:5555"_s };
    spec.forward = { u"tcp://orders.internal:5555"_s };
    spec.forwardOptions = { { "reconnect_ivl", 250 } };
    scheduleDialog<NewTapDialog>(window, MainWindow::Action::NewTap, spec, fileName, delayMs);
}

void scheduleNewSocketDialog(MainWindow &window, const QString &fileName, int delayMs)
{
    SocketSpec spec = connectingSpec(SocketType::Sub, u"prices SUB"_s, { u"tcp://prices.internal:5556"_s });
    spec.subscriptions = { QByteArrayLiteral("EURUSD") };
    scheduleDialog<NewSocketDialog>(window, MainWindow::Action::NewSocket, spec, fileName, delayMs);
}

void scheduleSecurityDialog(MainWindow &window, const QString &fileName, int delayMs)
{
    // The client's keys from a certificate file, as a user loads them (the dialog shows its path); the
    // folder lives as long as the application.
    static QTemporaryDir keys(QDir::temp().filePath(u"curve-XXXXXX"_s));
    const QString keyFile = keys.filePath(u"laptop.key_secret"_s);
    const auto pairs = twoKeyPairs(); // the client's own, the server's
    if (!pairs || !writeCurveCertificate(keys.filePath(u"laptop"_s), pairs->first)) {
        failScene("could not make the scene's keys");
        return;
    }
    SocketSpec spec
        = connectingSpec(SocketType::Dealer, u"orders DEALER"_s, { u"tcp://orders.internal:5555"_s });
    spec.security.mechanism = SecurityMechanism::Curve;
    spec.security.curveSecretKeyFile = keyFile;
    spec.security.curveServerKey = pairs->second.publicKey;
    scheduleDialog<NewSocketDialog>(
        window, MainWindow::Action::NewSocket, spec, fileName, delayMs, [](NewSocketDialog &dialog) {
            if (auto *tabs = dialog.findChild<QTabWidget *>(u"tabs"_s))
                tabs->setCurrentIndex(tabs->count() - 1);
        });
}

void scheduleHandshakeFailed(MainWindow &window, const QString &fileName, int delayMs)
{
    Engine &engine = window.engine();
    const auto pairs = twoKeyPairs(); // the server's, another server's
    if (!pairs) {
        failScene("could not make the scene's keys");
        return;
    }
    const CurveKeyPair &serverKeys = pairs->first;
    const CurveKeyPair &otherKeys = pairs->second;
    // A CURVE server of our own, a client with its key and one with another server's key.
    SocketSpec server;
    server.type = SocketType::Router;
    server.name = u"orders ROUTER"_s;
    server.binds = { u"tcp://127.0.0.1:*"_s };
    server.security.mechanism = SecurityMechanism::Curve;
    server.security.server = true;
    server.security.curveSecretKey = serverKeys.secretKey;
    server.security.allowAny = true;
    const SocketId serverId = window.openSocket(server);
    const auto openClient = [&window, &engine, serverId](const QString &name, const QByteArray &serverKey) {
        const std::optional<SocketInfo> info = engine.socket(serverId);
        SocketSpec client
            = connectingSpec(SocketType::Dealer, name, info ? info->boundEndpoints : QStringList());
        client.security.mechanism = SecurityMechanism::Curve;
        client.security.curveServerKey = serverKey;
        // One attempt each within the scene: libzmq's default retries every 100 ms, and with our own
        // server in the same window each retry adds its accept and disconnect lines to the Events.
        client.options = { { "reconnect_ivl", 10000 } };
        window.openSocket(client);
    };
    QTimer::singleShot(qMax(0, delayMs - 2500), &window,
        [openClient, serverKey = serverKeys.publicKey, otherKey = otherKeys.publicKey] {
            openClient(u"orders DEALER"_s, serverKey);
            openClient(u"billing DEALER"_s, otherKey);
        });
    QTimer::singleShot(delayMs, &window, [&window, &engine, fileName] {
        window.refreshViews();
        auto *sockets = window.findChild<SocketsView *>(u"socketsView"_s);
        auto *socketsDock = window.findChild<QDockWidget *>(u"socketsDock"_s);
        auto *eventsDock = window.findChild<QDockWidget *>(u"eventsDock"_s);
        const SocketId failed = socketNamed(engine, u"billing DEALER"_s);
        if (!sockets || !failed) {
            failScene("the handshake scene has no failed socket");
            return;
        }
        // The Sockets panel and the Events log are the point of the picture: the whole width for them, the
        // Sockets panel wide enough to hold the tool tip.
        for (const QString &dock : { u"detailDock"_s, u"composerDock"_s, u"tapMonitorDock"_s }) {
            if (auto *widget = window.findChild<QDockWidget *>(dock))
                widget->hide();
        }
        if (socketsDock && eventsDock)
            window.resizeDocks({ socketsDock, eventsDock }, { 640, 960 }, Qt::Horizontal);
        sockets->selectSocket(failed);
        QTimer::singleShot(300, &window, [&window, sockets, fileName] {
            // The tool tip the user gets on the state, shown: a window of its own, so the picture is the
            // screen where the main window is (the window alone where the platform cannot grab a screen).
            const QModelIndex state = sockets->currentIndex().siblingAtColumn(SocketListModel::StateColumn);
            const QRect cell = sockets->visualRect(state);
            QToolTip::showText(sockets->viewport()->mapToGlobal(cell.center()),
                state.data(Qt::ToolTipRole).toString(), sockets->viewport());
            QTimer::singleShot(700, &window, [&window, fileName] {
                const QRect area = window.frameGeometry();
                savePictureAndQuit(QGuiApplication::platformName() == u"xcb"_s
                        ? window.screen()->grabWindow(0, area.x(), area.y(), area.width(), area.height())
                        : window.grab(),
                    fileName);
            });
        });
    });
}

void scheduleTapMessages(
    MainWindow &window, const QString &fileName, const QString &echoEndpoint, int delayMs)
{
    Engine &engine = window.engine();
    TapSpec tap;
    tap.pattern = TapPattern::ReqRep;
    tap.name = u"Echo tap"_s;
    tap.listen = { u"tcp://127.0.0.1:*"_s };
    tap.forward = { echoEndpoint };
    const SocketId tapId = engine.openTap(tap);
    // Once the tap listens, a REQ of ours becomes its client and asks a few times (each after the reply).
    QObject::connect(&engine, &Engine::socketOpened, &window,
        [&window, &engine, tapId, delayMs](SocketId id, const QStringList &endpoints) {
            if (id != tapId || endpoints.isEmpty())
                return;
            const SocketId req = window.openSocket(
                connectingSpec(SocketType::Req, u"Tap client REQ"_s, { endpoints.constFirst() }));
            for (int i = 0; i < 3; ++i) {
                QTimer::singleShot(300 + i * delayMs / 6, &window, [&engine, req, i] {
                    const QJsonObject request { { u"command"_s, u"status"_s }, { u"n"_s, i + 1 } };
                    engine.send(req,
                        Envelope::create("application/json",
                            QJsonDocument(request).toJson(QJsonDocument::Compact),
                            "tap-req-" + QByteArray::number(i + 1))
                            .transferObject());
                });
            }
        });
    QTimer::singleShot(delayMs, &window, [&window, &engine, tapId, fileName] {
        window.refreshViews();
        // The newest c2s row of the tap: direction and peer in the Envelope tab.
        MessagesPane *pane = window.messagesPane();
        const MessageTableModel *model = pane->model();
        const MessageStore &store = engine.store();
        MessageSummary summary;
        for (int row = model->totalRows() - 1; row >= 0; --row) {
            if (store.summary(model->seqAtLogical(row), summary, 0) && summary.socket == tapId
                && summary.direction == Direction::ClientToServer) {
                pane->selectSeq(summary.seq);
                break;
            }
        }
        window.detailView()->setCurrentTab(MessageDetailView::EnvelopeTab);
        QTimer::singleShot(300, &window, [&window, fileName] {
            const QFileInfo info(fileName);
            const QString framesFile
                = info.dir().filePath(info.completeBaseName() + u"-frames."_s + info.suffix());
            const bool saved = window.grab().save(fileName);
            window.detailView()->setCurrentTab(MessageDetailView::FramesTab);
            QTimer::singleShot(300, &window, [&window, framesFile, saved] {
                if (saved)
                    saveAndQuit(window, framesFile);
                else
                    QCoreApplication::exit(1);
            });
        });
    });
}

void scheduleDiff(MainWindow &window, const QString &fileName, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, fileName] {
        window.refreshViews();
        selectNewest(window, [](const MessageSummary &summary) { return summary.id == "telemetry.temp-1"; });
        if (!window.detailView()->hasMessage()) {
            failScene("no demo telemetry arrived");
            return;
        }
        window.detailView()->setCurrentTab(MessageDetailView::DiffTab);
        saveAfter(400, window, fileName);
    });
}

void scheduleDecoded(MainWindow &window, const QString &fileName, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, fileName] {
        window.refreshViews();
        selectNewest(window, [](const MessageSummary &summary) { return summary.id == "protobuf-reading"; });
        if (!window.detailView()->hasMessage()
            || window.detailView()->message().frames.value(0) != "protobuf-reading") {
            failScene("no message \"protobuf-reading\" arrived (the screenshot script's peer sends it)");
            return;
        }
        window.detailView()->setCurrentTab(MessageDetailView::JsonTab);
        if (auto *tree = window.detailView()->findChild<QToolButton *>(u"jsonTreeButton"_s))
            tree->click();
        if (auto *expand = window.detailView()->findChild<QToolButton *>(u"expandAllButton"_s))
            expand->click();
        saveAfter(300, window, fileName);
    });
}

void scheduleFilterError(MainWindow &window, const QString &fileName, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, fileName] {
        QLineEdit *box = window.messagesPane()->filterBar()->textEdit();
        box->setFocus();
        box->setText(u"json.temp > 21.5 and id matches \"sensor-[0-9\""_s);
        QKeyEvent enter(QEvent::KeyPress, Qt::Key_Return, Qt::NoModifier);
        QCoreApplication::sendEvent(box, &enter);
        saveAfter(500, window, fileName);
    });
}

/// Shows one of the analysis docks with room for its table and chart (the default layout gives the
/// bottom row a quarter of the window).
void showAnalysisDock(MainWindow &window, QDockWidget *dock)
{
    dock->show();
    dock->raise();
    window.resizeDocks({ dock }, { window.height() * 55 / 100 }, Qt::Vertical);
    window.resizeDocks({ dock }, { window.width() * 42 / 100 }, Qt::Horizontal);
}

void scheduleConversations(MainWindow &window, const QString &fileName, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, fileName] {
        AnalysisDocks *analysis = window.analysisDocks();
        showAnalysisDock(window, analysis->conversationsDock());
        window.refreshViews();
        // The newest answered request: its request and reply get selected in the Messages table.
        const ConversationModel *model = analysis->conversationModel();
        int row = model->rowCount() - 1;
        while (row >= 0 && !model->pairAt(row).answered)
            --row;
        if (row < 0) {
            failScene("no demo request was answered");
            return;
        }
        analysis->conversationsView()->table()->setCurrentIndex(model->index(row, 0));
        analysis->conversationsView()->table()->scrollTo(model->index(row, 0));
        saveAfter(600, window, fileName);
    });
}

void scheduleHealth(MainWindow &window, const QString &fileName, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, fileName] {
        AnalysisDocks *analysis = window.analysisDocks();
        showAnalysisDock(window, analysis->healthDock());
        // The socket with the most missing sequence numbers (the demo telemetry skips some).
        const HealthModel *model = analysis->healthModel();
        int best = -1;
        qlonglong most = -1;
        for (int row = 0; row < model->rowCount(); ++row) {
            const qlonglong missing = model->index(row, HealthModel::MissingColumn).data().toLongLong();
            if (missing > most) {
                most = missing;
                best = row;
            }
        }
        if (best < 0 || most <= 0) {
            failScene("no demo sequence gap was found");
            return;
        }
        analysis->healthView()->table()->setCurrentIndex(model->index(best, 0));
        saveAfter(600, window, fileName);
    });
}

void schedulePlot(MainWindow &window, const QString &fileName, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, fileName] {
        window.refreshViews();
        selectNewest(window, [](const MessageSummary &summary) { return summary.id == "telemetry.temp-1"; });
        if (!window.detailView()->hasMessage()) {
            failScene("no demo telemetry arrived");
            return;
        }
        // As "Plot This Field" on the reading's celsius does: a series per sensor id of that socket.
        const SocketId socket = window.detailView()->message().socket;
        QString name = u"SUB"_s;
        for (const SocketInfo &info : window.engine().sockets()) {
            if (info.id == socket)
                name = info.spec.name;
        }
        window.plotsPanel()->plotField(*JsonPath::parse(u"json.celsius"_s), socket, name);
        showAnalysisDock(window, window.plotsDock());
        saveAfter(4000, window, fileName);
    });
}

} // namespace zmqscope::screenshotscenes
