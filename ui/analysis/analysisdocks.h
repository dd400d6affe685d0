#pragma once

#include <QObject>

class QDockWidget;
class QMainWindow;

namespace zmqscope {

class AnalysisController;
class ConversationModel;
class ConversationsView;
class DecoderSet;
class Engine;
class HealthModel;
class HealthView;
class MessagesPane;
class MessageStore;

/**
 * The main window's analysis (issue 18): the Conversations and Health docks, their models, and the
 * AnalysisController that reads the store for them. It follows the engine's sockets (their pairing
 * roles: REQ/DEALER clients, REP/ROUTER servers, taps of request/reply patterns) and events, and
 * selects a conversation's two messages in the Messages table.
 */
class AnalysisDocks : public QObject
{
    Q_OBJECT
public:
    AnalysisDocks(Engine &engine, const MessageStore &store, MessagesPane &messages, QMainWindow &window);

    [[nodiscard]] QDockWidget *conversationsDock() const { return m_conversationsDock; }
    [[nodiscard]] QDockWidget *healthDock() const { return m_healthDock; }
    [[nodiscard]] AnalysisController *controller() const { return m_controller; }
    [[nodiscard]] ConversationModel *conversationModel() const { return m_conversations; }
    [[nodiscard]] ConversationsView *conversationsView() const { return m_conversationsView; }
    [[nodiscard]] HealthModel *healthModel() const { return m_health; }
    [[nodiscard]] HealthView *healthView() const { return m_healthView; }

    /// The store was cleared.
    void restart();
    void setDecoders(const DecoderSet &decoders);

private:
    void handleSocketsChanged();

    Engine &m_engine;
    MessagesPane &m_messages;
    AnalysisController *m_controller = nullptr;
    ConversationModel *m_conversations = nullptr;
    ConversationsView *m_conversationsView = nullptr;
    HealthModel *m_health = nullptr;
    HealthView *m_healthView = nullptr;
    QDockWidget *m_conversationsDock = nullptr;
    QDockWidget *m_healthDock = nullptr;
};

} // namespace zmqscope
