#include "sniffscreenshot.h"

#include <cstdio>

#include <QCoreApplication>
#include <QDir>
#include <QTimer>

#include <zmqscope/engine/engine.h>

#include "detail/messagedetailview.h"
#include "mainwindow.h"
#include "messagespane.h"
#include "socketsview.h"

using namespace Qt::StringLiterals;

namespace zmqscope::screenshotscenes {

namespace {

const auto DemoSnifferName = u"demo on lo"_s;

/// The sniffed connection to show: the demo's echo service (REQ > REP) when it was seen, else any.
SocketId pickConnection(const Engine &engine)
{
    SocketId any = 0;
    for (const SocketInfo &info : engine.sockets()) {
        if (!info.wire || info.messagesIn == 0)
            continue;
        if (info.wire->clientType == u"REQ"_s && info.wire->serverType == u"REP"_s)
            return info.id;
        if (any == 0)
            any = info.id;
    }
    return any;
}

} // namespace

void openDemoSniffer(Engine &engine)
{
    engine.openSniffer(SniffSpec { DemoSnifferName, u"lo"_s, {} });
    engine.sync(); // capturing before the demo's first connection
}

void scheduleSniff(MainWindow &window, const QString &fileName, int delayMs)
{
    QTimer::singleShot(delayMs, &window, [&window, fileName] {
        window.refreshViews();
        Engine &engine = window.engine();
        auto *sockets = window.findChild<SocketsView *>(u"socketsView"_s);
        const SocketId connection = pickConnection(engine);
        if (connection == 0) {
            std::fprintf(stderr,
                "zmqscope: the sniff scene found no sniffed connection (capturing on lo needs root or "
                "cap_net_raw); the picture shows why\n");
            for (const SocketInfo &info : engine.sockets()) {
                if (info.sniff && sockets)
                    sockets->selectSocket(info.id);
            }
        } else {
            if (sockets)
                sockets->selectSocket(connection);
            // Its newest message selected in the table, the Envelope tab in the Detail.
            const MessageStore &store = engine.store();
            MessageSummary summary;
            for (std::uint64_t seq = store.endSeq(); seq > store.firstSeq(); --seq) {
                if (store.summary(seq - 1, summary, 64) && summary.socket == connection) {
                    window.messagesPane()->selectSeq(seq - 1);
                    break;
                }
            }
            window.detailView()->setCurrentTab(MessageDetailView::EnvelopeTab);
        }
        QTimer::singleShot(400, &window, [&window, fileName] {
            window.refreshViews();
            const bool saved = window.grab().save(fileName);
            std::fprintf(saved ? stdout : stderr,
                saved ? "zmqscope: saved %s\n" : "zmqscope: could not write %s\n",
                qPrintable(QDir::toNativeSeparators(fileName)));
            QCoreApplication::exit(saved ? 0 : 1);
        });
    });
}

} // namespace zmqscope::screenshotscenes
