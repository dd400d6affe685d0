#include "mainactions.h"

#include <QAction>
#include <QKeySequence>

using namespace Qt::StringLiterals;

namespace zmqscope {

QIcon MainActions::themedIcon(const QString &themeName, const QString &fallback)
{
    return QIcon::fromTheme(themeName, QIcon(u":/icons/actions/"_s + fallback + u".svg"_s));
}

MainActions::MainActions(QObject *parent)
{
    newSocket = new QAction(themedIcon(u"list-add"_s, u"new-socket"_s), u"&New Socket\u2026"_s, parent);
    newSocket->setShortcut(QKeySequence::New);
    newSocket->setToolTip(u"Open a socket: bind or connect, any type (Ctrl+N)"_s);

    newTap = new QAction(themedIcon(u"network-wired"_s, u"new-socket"_s), u"New &Tap\u2026"_s, parent);
    newTap->setObjectName(u"newTapAction"_s);
    newTap->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    newTap->setToolTip(u"Sit between clients and their server and watch both directions: the tap listens "
                       u"where the clients connect and forwards to the server (Ctrl+Shift+T)"_s);

    sniffInterface = new QAction(u"&Sniff Interface\u2026"_s, parent);
    sniffInterface->setObjectName(u"sniffInterfaceAction"_s);
    sniffInterface->setToolTip(
        u"Capture ZeroMQ traffic live from a network interface (libpcap): every ZMTP "
        u"connection there shows as a row, its messages c2s/s2c; nothing in the system "
        u"changes"_s);

    monitorTap = new QAction(u"&Monitor Tap\u2026"_s, parent);
    monitorTap->setObjectName(u"monitorTapAction"_s);
    monitorTap->setToolTip(u"Show both sides of the selected tap: its clients and its server connection"_s);

    closeSocket
        = new QAction(themedIcon(u"network-disconnect"_s, u"close-socket"_s), u"&Close Socket"_s, parent);
    closeSocket->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    closeSocket->setToolTip(u"Close the socket selected in the Sockets panel; its messages stay"_s);

    reopenSocket
        = new QAction(themedIcon(u"view-refresh"_s, u"reopen-socket"_s), u"&Reopen Socket"_s, parent);
    reopenSocket->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    reopenSocket->setToolTip(u"Open the selected closed socket again with the same settings"_s);

    editSocket = new QAction(u"&Edit Socket\u2026"_s, parent);
    editSocket->setToolTip(u"Change the selected socket's endpoints or options; it is reopened with them"_s);

    decoders = new QAction(u"&Decoders\u2026"_s, parent);
    decoders->setObjectName(u"decodersAction"_s);
    decoders->setToolTip(
        u"Decode bodies as JSON, CBOR, MessagePack or protobuf by id, socket, mimetype or frame"_s);

    generateKeys = new QAction(u"&Generate Keys\u2026"_s, parent);
    generateKeys->setObjectName(u"generateKeysAction"_s);
    generateKeys->setToolTip(
        u"Make a CURVE key pair and save it as certificate files (NAME.key, NAME.key_secret)"_s);

    reply = new QAction(themedIcon(u"mail-reply-sender"_s, u"reply"_s), u"&Reply"_s, parent);
    reply->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    reply->setToolTip(u"Answer the selected received message on the socket it came in on (Ctrl+R)"_s);

    editResend = new QAction(u"&Edit and Resend"_s, parent);
    editResend->setObjectName(u"editResendAction"_s);
    editResend->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    editResend->setToolTip(
        u"Put the selected message, received or sent, into the composer to edit and send again (Ctrl+Shift+D)"_s);

    find = new QAction(themedIcon(u"edit-find"_s, u"find"_s), u"&Find\u2026"_s, parent);
    find->setShortcut(QKeySequence::Find);
    find->setToolTip(u"Filter the messages by id, mimetype or body text (Ctrl+F)"_s);

    pause = new QAction(themedIcon(u"media-playback-pause"_s, u"pause"_s), u"&Pause View"_s, parent);
    pause->setCheckable(true);
    pause->setShortcuts({ QKeySequence(Qt::CTRL | Qt::Key_P), QKeySequence(Qt::Key_Pause) });
    pause->setToolTip(u"Stop adding rows to the table; every message is still received and kept (Ctrl+P)"_s);

    follow = new QAction(themedIcon(u"go-bottom"_s, u"follow"_s), u"Follow &Newest"_s, parent);
    follow->setCheckable(true);
    follow->setShortcut(QKeySequence(Qt::Key_End));
    follow->setToolTip(u"Keep the newest message in view; scrolling up or selecting a row stops it (End)"_s);

    clear = new QAction(themedIcon(u"edit-clear-all"_s, u"clear"_s), u"C&lear Messages"_s, parent);
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    clear->setToolTip(u"Drop every stored message; asks first (Ctrl+L)"_s);

    openWorkspace
        = new QAction(themedIcon(u"document-open"_s, u"open"_s), u"&Open Workspace\u2026"_s, parent);
    // Ctrl+O opens captures, as in Wireshark.
    openWorkspace->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openWorkspace->setToolTip(u"Open the sockets saved in a workspace file (Ctrl+Shift+O)"_s);

    saveWorkspace
        = new QAction(themedIcon(u"document-save"_s, u"save"_s), u"&Save Workspace\u2026"_s, parent);
    saveWorkspace->setShortcut(QKeySequence::Save);
    saveWorkspace->setToolTip(u"Save the open sockets and their options to a file (Ctrl+S)"_s);

    quit = new QAction(QIcon::fromTheme(u"application-exit"_s), u"&Quit"_s, parent);
    quit->setShortcuts({ QKeySequence::Quit, QKeySequence(Qt::CTRL | Qt::Key_Q) });
    quit->setMenuRole(QAction::QuitRole);

    about = new QAction(QIcon::fromTheme(u"help-about"_s), u"&About ZmqScope"_s, parent);
    about->setMenuRole(QAction::AboutRole);

    preferences = new QAction(QIcon::fromTheme(u"preferences-system"_s), u"&Preferences\u2026"_s, parent);
    {
        // Ctrl+, everywhere, plus the platform's own key where it has one.
        QList<QKeySequence> keys { QKeySequence(Qt::CTRL | Qt::Key_Comma) };
        for (const QKeySequence &key : QKeySequence::keyBindings(QKeySequence::Preferences)) {
            if (!keys.contains(key))
                keys.append(key);
        }
        preferences->setShortcuts(keys);
    }
    preferences->setMenuRole(QAction::PreferencesRole);
    preferences->setToolTip(u"Retention limits and the table's preview length (Ctrl+,)"_s);

    resetLayout = new QAction(u"&Reset Layout"_s, parent);
}

} // namespace zmqscope
