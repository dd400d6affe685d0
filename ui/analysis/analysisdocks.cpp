#include "analysisdocks.h"

#include <QDockWidget>
#include <QItemSelectionModel>
#include <QMainWindow>
#include <QTableView>

#include <zmqscope/engine/engine.h>
#include <zmqscope/engine/tap.h>

#include "analysiscontroller.h"
#include "conversationmodel.h"
#include "conversationsview.h"
#include "healthmodel.h"
#include "healthview.h"
#include "messagespane.h"
#include "messagetablemodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

/// How a socket's messages pair: its own type, or for a tap the pattern's clients.
PairingRole roleOf(const SocketInfo &info)
{
    if (info.sniff)
        return PairingRole::None;
    if (info.tap) {
        const SocketType clients = tapSockets(info.tap->spec.pattern).clients;
        return clients == SocketType::Req || clients == SocketType::Dealer ? PairingRole::Conversation
                                                                           : PairingRole::None;
    }
    return pairingRoleFor(info.spec.type);
}

} // namespace

AnalysisDocks::AnalysisDocks(
    Engine &engine, const MessageStore &store, MessagesPane &messages, QMainWindow &window)
    : QObject(&window)
    , m_engine(engine)
    , m_messages(messages)
    , m_controller(new AnalysisController(store, this))
    , m_conversations(new ConversationModel(this))
    , m_health(new HealthModel(this))
{
    m_conversationsView = new ConversationsView(*m_conversations, &window);
    m_conversationsView->setObjectName(u"conversationsView"_s);
    m_healthView = new HealthView(*m_health, &window);
    m_healthView->setObjectName(u"healthView"_s);
    const auto makeDock = [&window](const QString &title, const QString &name, QWidget *widget) {
        auto *dock = new QDockWidget(title, &window);
        dock->setObjectName(name);
        dock->setWidget(widget);
        dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable
            | QDockWidget::DockWidgetFloatable);
        return dock;
    };
    m_conversationsDock = makeDock(u"Conversations"_s, u"conversationsDock"_s, m_conversationsView);
    m_healthDock = makeDock(u"Health"_s, u"healthDock"_s, m_healthView);

    connect(
        m_controller, &AnalysisController::analysed, this, [this](const AnalysisController::Update &update) {
            m_conversations->apply(update);
            m_health->apply(update);
        });
    connect(m_conversations, &ConversationModel::figuresChanged, this, [this] {
        QHash<SocketId, std::uint64_t> unanswered;
        for (const SocketId socket : m_conversations->sockets()) {
            const ConversationModel::Figures figures = m_conversations->figures(socket);
            unanswered.insert(socket, figures.pending + figures.timedOut);
        }
        m_health->setUnanswered(unanswered);
    });
    connect(&engine, &Engine::eventLogged, m_health, &HealthModel::addEvent);
    for (const auto signal : { &Engine::socketClosed })
        connect(&engine, signal, this, &AnalysisDocks::handleSocketsChanged);
    connect(&engine, &Engine::socketOpened, this, &AnalysisDocks::handleSocketsChanged);
    connect(&engine, &Engine::socketFailed, this, &AnalysisDocks::handleSocketsChanged);
    connect(&engine, &Engine::socketStateChanged, this, &AnalysisDocks::handleSocketsChanged);
    connect(
        m_healthView, &HealthView::sequenceFieldChosen, m_controller, &AnalysisController::setSequenceField);
    connect(m_conversationsView, &ConversationsView::pairActivated, this,
        [this](quint64 request, std::optional<quint64> reply) {
            if (!m_messages.selectSeq(request))
                return;
            if (!reply)
                return;
            // The reply joins the selection when it is among the rows (a filter may hide it).
            const int row = m_messages.model()->rowForSeq(*reply);
            if (row >= 0)
                m_messages.table()->selectionModel()->select(m_messages.model()->index(row, 0),
                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
        });
    handleSocketsChanged();
}

void AnalysisDocks::handleSocketsChanged()
{
    const QList<SocketInfo> sockets = m_engine.sockets();
    QHash<SocketId, PairingRole> roles;
    QHash<SocketId, QString> names;
    for (const SocketInfo &info : sockets) {
        names.insert(info.id, info.spec.name);
        if (const PairingRole role = roleOf(info); role != PairingRole::None)
            roles.insert(info.id, role);
    }
    m_controller->setRoles(roles);
    m_conversations->setSocketNames(names);
    m_health->setSockets(sockets);
}

void AnalysisDocks::restart()
{
    m_controller->restart();
}

void AnalysisDocks::setDecoders(const DecoderSet &decoders)
{
    m_controller->setDecoders(decoders);
}

} // namespace zmqscope
