#include "filterbar.h"

#include <algorithm>

#include <QAbstractItemView>
#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QIcon>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPalette>
#include <QSettings>
#include <QStringListModel>
#include <QVBoxLayout>

#include "directionicons.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {
constexpr int DebounceMs = 200;
// QSettings: the recent filters, newest first.
const auto HistoryKey = u"FilterBar/history"_s;

/// Where the word before `cursor` starts: a field name being typed (letters, digits, _ and the dots of
/// a json. path).
qsizetype wordStart(const QString &text, qsizetype cursor)
{
    qsizetype start = cursor;
    while (start > 0 && (text.at(start - 1).isLetterOrNumber() || text.at(start - 1) == u'_'))
        --start;
    return start;
}
} // namespace

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent)
{
    m_text = new QLineEdit(this);
    m_text->setObjectName(u"filterText"_s);
    m_text->setPlaceholderText(u"Filter: words, or an expression such as json.seq > 10 (Ctrl+F)"_s);
    m_text->setClearButtonEnabled(true);
    m_text->setToolTip(
        u"Words search every frame: the id, the mimetype, the whole body and the routing frames (every frame "
        u"of a raw message), and a tap's peer as hex; case-insensitive for ASCII letters.\n"
        u"An expression starts with a field and an operator: id == \"order-1\", size > 4k, "
        u"json.meta.seq >= 10, body contains \"error\", mimetype matches \"json$\", dir in {\"c2s\", "
        u"\"s2c\"}, "
        u"frame[-1] == \"ok\"; join with and, or, not and parentheses.\n"
        u"Fields: id mimetype socket type dir peer size frames frame[N] body json.PATH"_s);

    m_error = new QLabel(this);
    m_error->setObjectName(u"filterError"_s);
    m_error->setTextFormat(Qt::PlainText); // it quotes what the user typed
    m_error->setAutoFillBackground(true);
    QPalette errorPalette = m_error->palette();
    errorPalette.setColor(QPalette::Window, QColor(0xc6, 0x28, 0x28));
    errorPalette.setColor(QPalette::WindowText, Qt::white);
    m_error->setPalette(errorPalette);
    m_error->setBackgroundRole(QPalette::Window);
    m_error->setForegroundRole(QPalette::WindowText);
    m_error->setMargin(2);
    m_error->setWordWrap(true);
    m_error->setVisible(false);

    // Recent filters: a menu beside the box.
    m_history = QSettings().value(HistoryKey).toStringList().mid(0, MaxHistory);
    // In the box itself (an icon at its start), so the bar needs no more width than before.
    m_historyMenu = new QMenu(this);
    m_historyMenu->setObjectName(u"filtersMenu"_s);
    QAction *menuAction = m_text->addAction(
        QIcon::fromTheme(u"view-filter"_s, QIcon(u":/icons/actions/find.svg"_s)), QLineEdit::LeadingPosition);
    menuAction->setObjectName(u"filtersMenuAction"_s);
    menuAction->setToolTip(u"Filters: saved ones (kept in the workspace) and the ones applied recently (with "
                           u"Enter, or from the table's Filter on This ...)"_s);
    connect(menuAction, &QAction::triggered, this,
        [this] { m_historyMenu->popup(m_text->mapToGlobal(QPoint(0, m_text->height()))); });
    connect(m_historyMenu, &QMenu::aboutToShow, this, &FilterBar::fillHistoryMenu);

    // Field names complete as they are typed, at the start of an expression or after an operator.
    m_completer = new QCompleter(new QStringListModel(FilterExpression::fieldNames(), this), this);
    m_completer->setObjectName(u"filterCompleter"_s);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setWidget(m_text);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    connect(m_text, &QLineEdit::textEdited, this, &FilterBar::completeField);
    connect(
        m_completer, qOverload<const QString &>(&QCompleter::activated), this, [this](const QString &field) {
            const QString text = m_text->text();
            const qsizetype cursor = m_text->cursorPosition();
            const qsizetype start = wordStart(text, cursor);
            m_text->setText(text.left(start) + field + text.mid(cursor));
            m_text->setCursorPosition(int(start + field.size()));
        });

    m_socket = new QComboBox(this);
    m_socket->setObjectName(u"filterSocket"_s);
    m_socket->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_socket->setMinimumContentsLength(12);
    m_socket->addItem(u"All sockets"_s, 0u);

    m_direction = new QComboBox(this);
    m_direction->setObjectName(u"filterDirection"_s);
    // Each item holds its MessageFilter::Directions; 0 lets every direction through.
    m_direction->addItem(u"All directions"_s, 0U);
    const auto addDirection = [this](const QString &text, Direction direction) {
        m_direction->addItem(
            directionicons::icon(direction), text, uint(MessageFilter::directionBit(direction)));
    };
    addDirection(u"In only"_s, Direction::In);
    addDirection(u"Out only"_s, Direction::Out);
    addDirection(u"c2s only (client \u2192 server)"_s, Direction::ClientToServer);
    addDirection(u"s2c only (server \u2192 client)"_s, Direction::ServerToClient);
    m_direction->addItem(u"Tap both ways (c2s and s2c)"_s, uint(MessageFilter::TapDirections));
    m_direction->setToolTip(u"in/out: messages ZmqScope's own sockets received or sent; c2s/s2c: messages a "
                            u"tap forwarded from its clients to the server or back"_s);

    m_scanning = new QLabel(u"filtering\u2026"_s, this);
    m_scanning->setTextFormat(Qt::PlainText);
    m_scanning->setVisible(false);

    // The error goes on a line of its own under the box: beside it, it would squeeze the text being fixed.
    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_text, 1);
    row->addWidget(m_socket);
    row->addWidget(m_direction);
    row->addWidget(m_scanning);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(row);
    layout->addWidget(m_error);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(DebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &FilterBar::emitFilter);
    connect(m_text, &QLineEdit::textChanged, this, [this] { m_debounce.start(); });
    // Enter applies at once; the debounce is only there for typing.
    connect(m_text, &QLineEdit::returnPressed, this, [this] {
        if (m_completer->popup()->isVisible())
            return; // Enter chose a field name
        m_applyNow = true;
        emitFilter();
        if (m_error->isHidden())
            remember(m_text->text());
    });
    connect(m_socket, &QComboBox::currentIndexChanged, this, &FilterBar::emitFilter);
    connect(m_direction, &QComboBox::currentIndexChanged, this, &FilterBar::emitFilter);
}

MessageFilter FilterBar::filter() const
{
    MessageFilter filter;
    filter.setMatcher(m_matcher);
    filter.setSocketLabels(m_labels);
    filter.setSocket(SocketId(m_socket->currentData().toUInt()));
    filter.setDirections(MessageFilter::Directions(m_direction->currentData().toUInt()));
    return filter;
}

void FilterBar::emitFilter()
{
    m_debounce.stop();
    Result<MessageMatcher> compiled = MessageMatcher::compile(m_text->text());
    if (!compiled) {
        // The table keeps the last good filter; the error says where the text went wrong, and the
        // cursor goes there on Enter.
        const Error &error = compiled.error();
        const int column = filterErrorColumn(error);
        // "at column 12: reason" as "Filter not applied (column 12): reason".
        const QString reason = error.message().section(u": "_s, 1);
        m_error->setText(column > 0 ? u"Filter not applied (column %1): %2"_s.arg(column).arg(reason)
                                    : u"Filter not applied: %1"_s.arg(error.message()));
        m_error->setToolTip(m_error->text());
        m_error->setVisible(true);
        if (m_text->hasFocus() && m_applyNow && column > 0)
            m_text->setCursorPosition(column - 1);
        m_applyNow = false;
        return;
    }
    m_error->setVisible(false);
    m_applyNow = false;
    m_matcher = std::move(*compiled);
    Q_EMIT filterChanged(filter());
}

void FilterBar::setSockets(const QList<SocketInfo> &sockets)
{
    auto labels = std::make_shared<FilterSocketLabels>();
    for (const SocketInfo &info : sockets) {
        FilterSocketLabel label { info.spec.name, socketTypeName(info.spec.type) };
        if (info.tap) {
            const TapSockets types = tapSockets(info.tap->spec.pattern);
            label.clientsType = socketTypeName(types.clients);
            label.serverType = socketTypeName(types.server);
        }
        labels->insert(info.id, label);
    }
    // An expression may name sockets: new names reach the table's filter now (and only new ones:
    // the list is offered again whenever a socket's state or counts change, and each new filter
    // rescans the store).
    const bool relabel = m_matcher.isExpression() && (!m_labels || *m_labels != *labels);
    if (!m_labels || *m_labels != *labels)
        m_labels = std::move(labels);

    const uint current = m_socket->currentData().toUInt();
    const QSignalBlocker blocker(m_socket);
    while (m_socket->count() > 1)
        m_socket->removeItem(1);
    int currentIndex = 0;
    for (const SocketInfo &info : sockets) {
        m_socket->addItem(info.spec.name, uint(info.id));
        if (info.id == current)
            currentIndex = m_socket->count() - 1;
    }
    m_socket->setCurrentIndex(currentIndex);
    // The chosen socket went away: the filter widened to all sockets, say so.
    if ((current != 0 && currentIndex == 0) || relabel)
        emitFilter();
}

void FilterBar::setSocket(SocketId socket)
{
    const int index = m_socket->findData(uint(socket));
    m_socket->setCurrentIndex(index < 0 ? 0 : index);
}

void FilterBar::setDirections(MessageFilter::Directions directions)
{
    const int index = m_direction->findData(uint(directions));
    m_direction->setCurrentIndex(index < 0 ? 0 : index);
}

void FilterBar::setScanning(bool scanning)
{
    m_scanning->setVisible(scanning);
}

void FilterBar::setText(const QString &text)
{
    m_text->setText(text);
    m_applyNow = true;
    emitFilter();
    if (m_error->isHidden())
        remember(text);
}

void FilterBar::remember(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return;
    m_history.removeAll(trimmed);
    m_history.prepend(trimmed);
    while (m_history.size() > MaxHistory)
        m_history.removeLast();
    QSettings().setValue(HistoryKey, m_history);
}

void FilterBar::setSavedFilters(const SavedFilters &filters)
{
    m_saved = filters;
}

bool FilterBar::saveCurrentFilterAs(const QString &name)
{
    const QString text = m_text->text().trimmed();
    if (name.trimmed().isEmpty() || text.isEmpty() || !MessageMatcher::compile(text))
        return false;
    const auto same = [&](const std::pair<QString, QString> &saved) { return saved.first == name.trimmed(); };
    m_saved.erase(std::remove_if(m_saved.begin(), m_saved.end(), same), m_saved.end());
    m_saved.append({ name.trimmed(), text });
    Q_EMIT savedFiltersChanged();
    return true;
}

void FilterBar::fillHistoryMenu()
{
    m_historyMenu->clear();
    // Saved filters first, by name (their text in the tool tip), then the recent ones.
    for (const auto &saved : std::as_const(m_saved)) {
        const QString text = saved.second;
        QAction *action = m_historyMenu->addAction(QString(saved.first).replace(u'&', u"&&"_s));
        action->setToolTip(text);
        connect(action, &QAction::triggered, this, [this, text] { setText(text); });
    }
    QAction *save = m_historyMenu->addAction(u"&Save Current Filter As\u2026"_s, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, u"Save Filter"_s,
            u"A name for the filter \"%1\" (the workspace keeps it):"_s.arg(m_text->text().trimmed()),
            QLineEdit::Normal, QString(), &ok);
        if (ok)
            saveCurrentFilterAs(name);
    });
    save->setObjectName(u"saveFilterAction"_s);
    save->setEnabled(!m_text->text().trimmed().isEmpty() && m_error->isHidden());
    if (!m_saved.isEmpty()) {
        QMenu *remove = m_historyMenu->addMenu(u"&Remove Saved Filter"_s);
        for (const auto &saved : std::as_const(m_saved)) {
            remove->addAction(QString(saved.first).replace(u'&', u"&&"_s), this, [this, name = saved.first] {
                m_saved.erase(
                    std::remove_if(m_saved.begin(), m_saved.end(),
                        [&](const std::pair<QString, QString> &other) { return other.first == name; }),
                    m_saved.end());
                Q_EMIT savedFiltersChanged();
            });
        }
    }
    m_historyMenu->addSection(u"Recent"_s);
    if (m_history.isEmpty()) {
        m_historyMenu->addAction(u"No recent filters"_s)->setEnabled(false);
        return;
    }
    for (const QString &text : std::as_const(m_history)) {
        // A filter is the user's own text, but & would become a mnemonic: escaped.
        QAction *action = m_historyMenu->addAction(QString(text).replace(u'&', u"&&"_s));
        connect(action, &QAction::triggered, this, [this, text] { setText(text); });
    }
    m_historyMenu->addSeparator();
    m_historyMenu->addAction(u"Clear Recent Filters"_s, this, [this] {
        m_history.clear();
        QSettings().remove(HistoryKey);
    });
}

void FilterBar::completeField()
{
    const QString text = m_text->text();
    const qsizetype cursor = m_text->cursorPosition();
    const qsizetype start = wordStart(text, cursor);
    const QString word = text.mid(start, cursor - start);
    // Not inside a json. path or a string, and only once a letter is typed.
    const bool afterDot = start > 0 && text.at(start - 1) == u'.';
    const bool inString = text.left(start).count(u'"') % 2 == 1;
    if (word.isEmpty() || afterDot || inString || !word.front().isLetter()) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(word);
    if (m_completer->completionCount() == 0
        || (m_completer->completionCount() == 1 && m_completer->currentCompletion() == word)) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->complete();
    // The first field is chosen: Enter or Tab takes it, as in a code editor.
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
}

void FilterBar::focusText()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

} // namespace zmqscope
