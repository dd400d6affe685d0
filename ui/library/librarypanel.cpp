#include "librarypanel.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTime>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include "compose/composerwidget.h"
#include "compose/inlinemessage.h"
#include "templatelistmodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

// QSettings: Library/path, the library file in use (TemplateLibrary::defaultPath() when unset).
namespace {
const auto PathKey = u"Library/path"_s;
const auto LibraryFilter = u"ZmqScope libraries (*.json);;All files (*)"_s;
} // namespace

LibraryPanel::LibraryPanel(ComposerWidget *composer, QWidget *parent)
    : QWidget(parent)
    , m_composer(composer)
{
    m_model = new TemplateListModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);

    m_pathLabel = new QLabel(this);
    m_pathLabel->setObjectName(u"libraryPath"_s);
    m_pathLabel->setTextFormat(Qt::PlainText);
    m_pathLabel->setForegroundRole(QPalette::PlaceholderText);
    m_pathLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_pathLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_fileButton = new QToolButton(this);
    m_fileButton->setObjectName(u"libraryFileButton"_s);
    m_fileButton->setText(u"Library File"_s);
    m_fileButton->setPopupMode(QToolButton::InstantPopup);
    m_fileButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *fileMenu = new QMenu(m_fileButton);
    fileMenu->addAction(u"&Open Library File\u2026"_s, this, &LibraryPanel::openLibraryInteractively);
    fileMenu->addAction(u"&New Library File\u2026"_s, this, &LibraryPanel::newLibraryInteractively);
    fileMenu->addAction(u"Use the &Default Library"_s, this, [this] {
        if (const Result<void> opened = openLibrary(TemplateLibrary::defaultPath()); !opened)
            showError(opened.errorMessage());
    });
    m_fileButton->setMenu(fileMenu);

    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(u"libraryFilter"_s);
    m_filterEdit->setPlaceholderText(u"Filter saved messages"_s);
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_view = new QTreeView(this);
    m_view->setObjectName(u"libraryView"_s);
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setColumnWidth(
        TemplateListModel::NameColumn, fontMetrics().horizontalAdvance(u"temperature reading"_s) + 24);
    m_view->setColumnWidth(
        TemplateListModel::SocketTypeColumn, fontMetrics().horizontalAdvance(u"DEALER"_s) + 20);
    m_view->header()->setStretchLastSection(true);
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this] { loadIntoComposer(currentName()); });
    connect(
        m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &LibraryPanel::updateActions);

    const auto makeButton = [this](const QString &text, const QString &name, const QString &tip) {
        auto *button = new QPushButton(text, this);
        button->setObjectName(name);
        button->setToolTip(tip);
        button->setAutoDefault(false);
        return button;
    };
    m_saveButton
        = makeButton(u"&Save\u2026"_s, u"saveButton"_s, u"Save the Composer's message in the library"_s);
    m_loadButton = makeButton(u"&Load"_s, u"loadButton"_s, u"Put the selected message into the Composer"_s);
    m_sendButton = makeButton(u"Se&nd"_s, u"sendButton"_s,
        u"Send the selected message now, variables filled in, on the Composer's socket"_s);
    m_renameButton = makeButton(u"&Rename"_s, u"renameButton"_s, u"Rename the selected message (F2)"_s);
    m_deleteButton = makeButton(u"&Delete"_s, u"deleteButton"_s, u"Delete the selected message (Del)"_s);
    connect(m_saveButton, &QPushButton::clicked, this, &LibraryPanel::askSaveName);
    connect(m_loadButton, &QPushButton::clicked, this, [this] { loadIntoComposer(currentName()); });
    connect(m_sendButton, &QPushButton::clicked, this, [this] { sendTemplate(currentName()); });
    connect(m_renameButton, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_view->currentIndex();
        if (current.isValid())
            m_view->edit(current.siblingAtColumn(TemplateListModel::NameColumn));
    });
    connect(m_deleteButton, &QPushButton::clicked, this, &LibraryPanel::askRemove);
    auto *deleteAction = new QAction(this);
    deleteAction->setShortcut(QKeySequence::Delete);
    deleteAction->setShortcutContext(Qt::WidgetShortcut);
    connect(deleteAction, &QAction::triggered, this, &LibraryPanel::askRemove);
    m_view->addAction(deleteAction);

    m_errorLabel = InlineMessage::createErrorLabel(this);
    m_errorLabel->setObjectName(u"libraryError"_s);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(u"libraryStatus"_s);
    m_statusLabel->setTextFormat(Qt::PlainText);
    m_statusLabel->setWordWrap(true);
    m_statusLabel->hide();
    QLabel *hint = InlineMessage::createHintLabel(
        u"Filled in per send: {{seq}} {{now}} {{uuid}} {{random:N}}"_s, this);
    hint->setObjectName(u"variablesHint"_s);
    hint->setWordWrap(false);
    hint->setToolTip(
        u"{{seq}} counts 1, 2, 3\u2026 per send; {{now}} is the time (ISO-8601 UTC); {{uuid}} a new "
        u"UUID; {{random:N}} a number from 0 to N\u22121; {{{{ is a literal {{"_s);

    connect(m_model, &TemplateListModel::libraryChanged, this, &LibraryPanel::saveLibrary);
    connect(m_model, &TemplateListModel::renameRefused, this, &LibraryPanel::showError);

    // Compact: the list gets the height of a bottom dock.
    auto *top = new QHBoxLayout;
    top->addWidget(m_filterEdit, 1);
    top->addWidget(m_fileButton);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(hint);
    bottom->addWidget(m_pathLabel, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_saveButton);
    buttons->addWidget(m_loadButton);
    buttons->addWidget(m_sendButton);
    buttons->addStretch(1);
    buttons->addWidget(m_renameButton);
    buttons->addWidget(m_deleteButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(3);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
    layout->addLayout(bottom);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_statusLabel);

    // A library at the old default place (one folder too deep) moves to the new one first.
    const QString moveError = TemplateLibrary::moveOldDefaultLibrary().errorMessage();
    QString path = QSettings().value(PathKey).toString();
    if (path.isEmpty() || path == TemplateLibrary::oldDefaultPath())
        path = TemplateLibrary::defaultPath();
    if (const Result<void> opened = openLibrary(path); !opened)
        showError(opened.errorMessage());
    else if (!moveError.isEmpty())
        showError(moveError);
    updateActions();
}

Result<void> LibraryPanel::openLibrary(const QString &path)
{
    m_path = path;
    const QString shown = QDir::toNativeSeparators(path);
    m_pathLabel->setText(shown);
    m_pathLabel->setToolTip(shown);
    try {
        m_model->setLibrary(TemplateLibrary::load(path));
    } catch (const Error &e) {
        // Keep the path (the user may fix the file) but never overwrite what could not be read.
        m_model->setLibrary(TemplateLibrary());
        m_path.clear();
        m_pathLabel->setText(u"(no library: %1 could not be read)"_s.arg(shown));
        updateActions();
        return e;
    }
    QSettings().setValue(PathKey, path);
    showError(QString());
    updateActions();
    return {};
}

QString LibraryPanel::currentName() const
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid() || !m_view->selectionModel()->isSelected(current.siblingAtColumn(0)))
        return {};
    const MessageTemplate *message = m_model->templateAt(m_proxy->mapToSource(current).row());
    return message ? message->name : QString();
}

bool LibraryPanel::selectTemplate(const QString &name)
{
    const int row = m_model->rowForName(name);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return false;
    m_view->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
    return true;
}

Result<void> LibraryPanel::saveComposerMessage(const QString &name)
{
    const auto fail = [this](ErrorCode code, const QString &text) {
        showError(text);
        return Error(code, text);
    };
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return fail(ErrorCode::InvalidBody, u"Not saved: give the message a name"_s);
    if (m_path.isEmpty())
        return fail(ErrorCode::FileError,
            u"Not saved: no library file is open; open or create one with Library File"_s);
    const Result<MessageTemplate> message = m_composer->composedTemplate(trimmed);
    if (!message)
        return fail(message.error().code(), u"Not saved: %1"_s.arg(message.errorMessage()));
    m_model->insertTemplate(*message);
    selectTemplate(trimmed);
    if (!errorText().isEmpty())
        return Error(
            ErrorCode::FileError, errorText()); // the file could not be written; saveLibrary() showed why
    showStatus(u"Saved \"%1\""_s.arg(trimmed));
    return {};
}

bool LibraryPanel::loadIntoComposer(const QString &name)
{
    const MessageTemplate *message = m_model->library().find(name);
    if (!message) {
        showError(
            name.isEmpty() ? u"Select a saved message first"_s : u"No saved message \"%1\""_s.arg(name));
        return false;
    }
    showError(QString());
    m_composer->loadTemplate(*message);
    showStatus(u"Loaded \"%1\" into the Composer"_s.arg(name));
    Q_EMIT templateLoaded(name);
    return true;
}

Result<void> LibraryPanel::renameTemplate(const QString &from, const QString &to)
{
    const QString trimmed = to.trimmed();
    if (Result<void> renamed = m_model->renameTemplate(from, trimmed); !renamed) {
        showError(renamed.errorMessage());
        return renamed;
    }
    showStatus(u"Renamed \"%1\" to \"%2\""_s.arg(from, trimmed));
    return {};
}

bool LibraryPanel::removeTemplate(const QString &name)
{
    if (!m_model->removeTemplate(name)) {
        showError(u"No saved message \"%1\""_s.arg(name));
        return false;
    }
    showStatus(u"Deleted \"%1\""_s.arg(name));
    return true;
}

bool LibraryPanel::sendTemplate(const QString &name)
{
    const MessageTemplate *message = m_model->library().find(name);
    if (!message) {
        showError(
            name.isEmpty() ? u"Select a saved message first"_s : u"No saved message \"%1\""_s.arg(name));
        return false;
    }
    const SocketId socket = m_composer->currentSocket();
    if (socket == 0) {
        showError(u"Not sent: choose a socket in the Composer (one that can send, not SUB or PULL)"_s);
        return false;
    }
    Frames frames;
    try {
        // Framed as the composer frames envelopes for that socket (REQ-style on a DEALER, unless unchecked).
        frames = m_expander.expand(*message, m_composer->envelopeFraming());
    } catch (const Error &e) {
        showError(u"Not sent: \"%1\": %2"_s.arg(name, e.message()));
        return false;
    }
    showError(QString());
    showStatus(u"Sending \"%1\"\u2026"_s.arg(name));
    Q_EMIT sendRequested(
        socket, frames, [this, name](const SendResult &result) { handleSendResult(name, result); });
    return true;
}

void LibraryPanel::handleSendResult(const QString &name, const SendResult &result)
{
    if (result.sent())
        showStatus(u"Sent \"%1\" at %2"_s.arg(name, QTime::currentTime().toString(u"HH:mm:ss.zzz"_s)));
    else
        showError(u"Not sent: \"%1\": %2"_s.arg(name, result.status.errorMessage().trimmed()));
}

QString LibraryPanel::errorText() const
{
    return InlineMessage::text(m_errorLabel);
}

QString LibraryPanel::statusText() const
{
    return m_statusLabel->isHidden() ? QString() : m_statusLabel->text();
}

void LibraryPanel::askSaveName()
{
    QString suggestion = currentName();
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(u"Save Message"_s);
    dialog->setLabelText(u"Save the Composer's message as:"_s);
    dialog->setTextValue(suggestion);
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &name) {
        const QString trimmed = name.trimmed();
        if (!trimmed.isEmpty() && m_model->rowForName(trimmed) >= 0) {
            auto *box = new QMessageBox(QMessageBox::Question, u"Save Message"_s,
                u"Replace the saved message \"%1\"?"_s.arg(trimmed), QMessageBox::Yes | QMessageBox::Cancel,
                this);
            box->setTextFormat(Qt::PlainText);
            box->setAttribute(Qt::WA_DeleteOnClose);
            // A refusal is shown in the panel's error line; nothing else to do with it here.
            connect(
                box, &QMessageBox::accepted, this, [this, trimmed] { (void)saveComposerMessage(trimmed); });
            box->open();
            return;
        }
        (void)saveComposerMessage(trimmed);
    });
    dialog->open();
}

void LibraryPanel::askRemove()
{
    const QString name = currentName();
    if (name.isEmpty())
        return;
    auto *box = new QMessageBox(QMessageBox::Question, u"Delete Message"_s,
        u"Delete the saved message \"%1\" from the library?"_s.arg(name),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(u"deleteConfirmation"_s);
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::accepted, this, [this, name] { removeTemplate(name); });
    box->open();
}

void LibraryPanel::openLibraryInteractively()
{
    const QString path = QFileDialog::getOpenFileName(this, u"Open Library File"_s,
        QFileInfo(m_path.isEmpty() ? TemplateLibrary::defaultPath() : m_path).absolutePath(), LibraryFilter);
    if (path.isEmpty())
        return;
    if (const Result<void> opened = openLibrary(path); !opened)
        showError(opened.errorMessage());
}

void LibraryPanel::newLibraryInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, u"New Library File"_s,
        QDir(QFileInfo(m_path.isEmpty() ? TemplateLibrary::defaultPath() : m_path).absolutePath())
            .filePath(u"library.json"_s),
        LibraryFilter);
    if (path.isEmpty())
        return;
    try {
        TemplateLibrary().save(path);
    } catch (const Error &e) {
        showError(e.message());
        return;
    }
    if (const Result<void> opened = openLibrary(path); !opened)
        showError(opened.errorMessage());
}

void LibraryPanel::saveLibrary()
{
    if (m_path.isEmpty())
        return;
    try {
        QDir().mkpath(QFileInfo(m_path).absolutePath());
        m_model->library().save(m_path);
        showError(QString());
    } catch (const Error &e) {
        showError(u"The library was not saved: %1"_s.arg(e.message()));
    }
    updateActions();
}

void LibraryPanel::updateActions()
{
    const bool selected = !currentName().isEmpty();
    m_saveButton->setEnabled(!m_path.isEmpty());
    m_loadButton->setEnabled(selected);
    m_sendButton->setEnabled(selected);
    m_renameButton->setEnabled(selected);
    m_deleteButton->setEnabled(selected);
}

void LibraryPanel::showError(const QString &text)
{
    InlineMessage::show(m_errorLabel, text);
    if (!text.isEmpty())
        m_statusLabel->hide();
}

void LibraryPanel::showStatus(const QString &text)
{
    m_statusLabel->setText(text);
    m_statusLabel->setVisible(!text.isEmpty());
}

} // namespace zmqscope
