#pragma once

#include <memory>
#include <utility>

#include <QTimer>
#include <QWidget>

#include <zmqscope/engine/engine.h>

#include "messagefilter.h"

class QComboBox;
class QLabel;
class QCompleter;
class QLineEdit;
class QMenu;

namespace zmqscope {

/**
 * The bar above the Messages table: the filter text (plain words, or an expression of DESIGN.md
 * section 12 whose error shows beside the box with its column), socket and direction. Typing is
 * debounced so a filter is computed once per pause in typing, not per key.
 */
class FilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit FilterBar(QWidget *parent = nullptr);

    [[nodiscard]] MessageFilter filter() const;
    /// Offers these sockets in the socket box, keeping the current choice when it is still there.
    void setSockets(const QList<SocketInfo> &sockets);
    /// Chooses a socket (0 for all) and applies the filter at once.
    void setSocket(SocketId socket);
    /// Chooses the direction item for `directions` (0: every direction) and applies the filter at once.
    void setDirections(MessageFilter::Directions directions);
    /// Shows or hides "filtering..." while the worker catches up.
    void setScanning(bool scanning);
    /// Focuses the text field and selects its contents.
    void focusText();
    /// Puts `text` in the box and applies it at once (the table's "Filter on This Id", a recent filter),
    /// remembering it among the recent filters when it is good.
    void setText(const QString &text);
    /// The filters applied with Enter or chosen, newest first (at most MaxHistory; kept in the settings).
    [[nodiscard]] QStringList history() const { return m_history; }
    static constexpr int MaxHistory = 20;

    /// Named filters (name, text), kept in the workspace: the Filters menu applies them.
    using SavedFilters = QList<std::pair<QString, QString>>;
    [[nodiscard]] const SavedFilters &savedFilters() const { return m_saved; }
    void setSavedFilters(const SavedFilters &filters);
    /// Saves the box's text under `name` (replacing a filter of that name); false when the text is
    /// empty or not a good filter.
    bool saveCurrentFilterAs(const QString &name);

    [[nodiscard]] QLineEdit *textEdit() const { return m_text; }
    /// Where a filter expression's error shows ("column 12: expected a value after \"==\""); hidden
    /// while the text is good.
    [[nodiscard]] QLabel *errorLabel() const { return m_error; }
    [[nodiscard]] QComboBox *socketBox() const { return m_socket; }
    [[nodiscard]] QComboBox *directionBox() const { return m_direction; }
    /// The Filters menu (saved and recent filters), opened from the icon at the start of the box.
    [[nodiscard]] QMenu *filtersMenu() const { return m_historyMenu; }

Q_SIGNALS:
    void filterChanged(const zmqscope::MessageFilter &filter);
    /// A filter was saved or removed (the workspace has them).
    void savedFiltersChanged();

private:
    void emitFilter();
    /// Remembers a good filter text as the newest recent one.
    void remember(const QString &text);
    /// The recent filters' menu, made when it opens.
    void fillHistoryMenu();
    /// Completes the field name being typed (the word before the cursor) from the language's fields.
    void completeField();

    QLineEdit *m_text = nullptr;
    QComboBox *m_socket = nullptr;
    QComboBox *m_direction = nullptr;
    QLabel *m_scanning = nullptr;
    QLabel *m_error = nullptr;
    QTimer m_debounce;
    /// The last text that compiled: a bad expression leaves the table as this filter had it.
    MessageMatcher m_matcher;
    std::shared_ptr<const FilterSocketLabels> m_labels;
    bool m_applyNow = false; ///< Enter was pressed: an error moves the cursor to its column
    QMenu *m_historyMenu = nullptr;
    QCompleter *m_completer = nullptr;
    QStringList m_history;
    SavedFilters m_saved;
};

} // namespace zmqscope
