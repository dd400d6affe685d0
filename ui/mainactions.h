#pragma once

#include <QIcon>

class QAction;
class QObject;

namespace zmqscope {

/**
 * The main window's own actions with their texts, icons, shortcuts and tool
 * tips, in one place; MainWindow connects them and puts them in its menus, its
 * tool bar and its context menus. (Send and Stop belong to the composer, the
 * capture actions to CaptureController.)
 */
struct MainActions
{
    /// Creates every action, owned by parent.
    explicit MainActions(QObject *parent);

    /// The theme's icon, or ours from the resources when the theme has none.
    [[nodiscard]] static QIcon themedIcon(const QString &themeName, const QString &fallback);

    QAction *about = nullptr;
    QAction *clear = nullptr;
    QAction *closeSocket = nullptr;
    QAction *editResend = nullptr;
    QAction *decoders = nullptr;
    QAction *editSocket = nullptr;
    QAction *find = nullptr;
    QAction *follow = nullptr;
    QAction *generateKeys = nullptr;
    QAction *monitorTap = nullptr;
    QAction *newSocket = nullptr;
    QAction *newTap = nullptr;
    QAction *openWorkspace = nullptr;
    QAction *pause = nullptr;
    QAction *preferences = nullptr;
    QAction *quit = nullptr;
    QAction *reopenSocket = nullptr;
    QAction *reply = nullptr;
    QAction *resetLayout = nullptr;
    QAction *saveWorkspace = nullptr;
    QAction *sniffInterface = nullptr;
};

} // namespace zmqscope
