#pragma once

#include <QWidget>

#include <zmqscope/engine/engine.h>
#include <zmqscope/replay/templates.h>

class ComposerWidget;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QToolButton;
class QTreeView;

namespace zmqscope {

class TemplateListModel;

/**
 * The Library panel: saved messages (templates) in a library file, by
 * default TemplateLibrary::defaultPath(). Save the Composer's message under
 * a name, load one back into the Composer, rename it in place, delete it, or
 * send it straight to the Composer's chosen socket with its {{variables}}
 * filled in. Every change is written to the file at once.
 */
class LibraryPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LibraryPanel(ComposerWidget *composer, QWidget *parent = nullptr);

    /// Loads a library file (a missing file is an empty library); fails with TemplateLibrary::load()'s
    /// Error, naming the file and the problem.
    zmqscope::Result<void> openLibrary(const QString &path);
    [[nodiscard]] QString libraryPath() const { return m_path; }

    [[nodiscard]] TemplateListModel *model() const { return m_model; }
    [[nodiscard]] QTreeView *view() const { return m_view; }
    [[nodiscard]] QLineEdit *filterEdit() const { return m_filterEdit; }
    /// The selected template's name, empty when none is selected.
    [[nodiscard]] QString currentName() const;
    bool selectTemplate(const QString &name);

    /**
     * Saves the Composer's message as `name` (replacing one of that name). Fails, with the reason also
     * shown in the panel, with InvalidBody (no name, or the Composer's bad field) or FileError (no
     * library open, or the file could not be written).
     */
    zmqscope::Result<void> saveComposerMessage(const QString &name);
    bool loadIntoComposer(const QString &name);
    /// Fails (InvalidBody, naming both, also shown in the panel) when `from` is missing, `to` is empty or
    /// taken.
    zmqscope::Result<void> renameTemplate(const QString &from, const QString &to);
    bool removeTemplate(const QString &name);
    /// Expands the template's variables and sends it to the Composer's socket.
    bool sendTemplate(const QString &name);

    /// The inline error line, empty when there is none.
    [[nodiscard]] QString errorText() const;
    [[nodiscard]] QString statusText() const;

Q_SIGNALS:
    /// Frames to send on a socket; whoever sends them calls `done` once with the result, in this
    /// widget's thread (Engine::send with this panel as the context).
    void sendRequested(
        zmqscope::SocketId socket, const zmqscope::Frames &frames, const zmqscope::SendCallback &done);
    /// A template was put into the Composer (the main window shows the Composer then).
    void templateLoaded(const QString &name);

private:
    void askSaveName();
    void askRemove();
    void openLibraryInteractively();
    void newLibraryInteractively();
    void saveLibrary();
    void updateActions();
    void showError(const QString &text);
    void showStatus(const QString &text);
    /// The outcome of sending the saved message `name`.
    void handleSendResult(const QString &name, const zmqscope::SendResult &result);

    ComposerWidget *m_composer;
    TemplateListModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QString m_path;
    TemplateExpander m_expander;

    QLabel *m_pathLabel = nullptr;
    QToolButton *m_fileButton = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    QTreeView *m_view = nullptr;
    QPushButton *m_saveButton = nullptr;
    QPushButton *m_loadButton = nullptr;
    QPushButton *m_sendButton = nullptr;
    QPushButton *m_renameButton = nullptr;
    QPushButton *m_deleteButton = nullptr;
    QLabel *m_errorLabel = nullptr;
    QLabel *m_statusLabel = nullptr;
};

} // namespace zmqscope
