#pragma once

#include <QAbstractTableModel>

#include <zmqscope/replay/templates.h>

namespace zmqscope {

/**
 * The templates of a TemplateLibrary as a table: name (editable: inline
 * rename), socket type, and a one-line summary of the message. Sorted by
 * name, as the library keeps them.
 */
class TemplateListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        SocketTypeColumn,
        MessageColumn,
        ColumnCount
    };

    explicit TemplateListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;
    /// Renaming through the view; a name that is empty or taken is refused (renameRefused says why).
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    void setLibrary(const TemplateLibrary &library);
    [[nodiscard]] const TemplateLibrary &library() const { return m_library; }
    [[nodiscard]] const MessageTemplate *templateAt(int row) const;
    [[nodiscard]] int rowForName(const QString &name) const;

    /// Adds or replaces (same name); returns its row.
    int insertTemplate(const MessageTemplate &message);
    /// Fails (InvalidBody, naming both; nothing changes) when `from` is missing, or `to` is empty or taken.
    Result<void> renameTemplate(const QString &from, const QString &to);
    bool removeTemplate(const QString &name);

Q_SIGNALS:
    /// The templates changed (to be saved).
    void libraryChanged();
    /// A rename through the view was refused; `reason` is renameTemplate()'s one line.
    void renameRefused(const QString &reason);

private:
    TemplateLibrary m_library;
};

} // namespace zmqscope
