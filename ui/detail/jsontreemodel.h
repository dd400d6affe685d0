#pragma once

#include <memory>

#include <QAbstractItemModel>
#include <QJsonValue>

#include <zmqscope/analysis/jsonpath.h>

namespace zmqscope {

/**
 * A read-only tree over one JSON value: columns Key, Value and Type.
 *
 * The top-level rows are the root's members (or elements, or the root
 * itself when it is a scalar). Nodes are created only when a view asks for
 * them, and children are handed out FetchBatch at a time (canFetchMore /
 * fetchMore), so a view never lays out a million rows at once. An old
 * document is released in a worker thread, because freeing a large one
 * takes long. Every cell is plain text: strings are quoted and escaped on
 * one line.
 */
class JsonTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column
    {
        KeyColumn,
        ValueColumn,
        TypeColumn,
        ColumnCount
    };
    static constexpr int FetchBatch = 1000;

    explicit JsonTreeModel(QObject *parent = nullptr);
    ~JsonTreeModel() override;

    void setRoot(const QJsonValue &root);
    void clear();
    [[nodiscard]] QJsonValue root() const;

    /// The value at index (the root for an invalid index).
    [[nodiscard]] QJsonValue valueAt(const QModelIndex &index) const;
    /// A path to index such as $.items[3].name (keys that are not identifiers are quoted).
    [[nodiscard]] QString pathAt(const QModelIndex &index) const;
    /// The same path in the filter language (json.items[3].name), as filters and plots read it.
    [[nodiscard]] JsonPath jsonPathAt(const QModelIndex &index) const;

    [[nodiscard]] QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    [[nodiscard]] QModelIndex parent(const QModelIndex &child) const override;
    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] bool hasChildren(const QModelIndex &parent = {}) const override;
    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    /// All children of parent, including those not fetched yet.
    [[nodiscard]] int totalChildCount(const QModelIndex &parent = {}) const;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// The value as one line of compact JSON text, cut after maxChars with "…".
    [[nodiscard]] static QString displayValue(const QJsonValue &value, int maxChars = 500);

private:
    struct Node;

    [[nodiscard]] Node *nodeAt(const QModelIndex &index) const;
    [[nodiscard]] Node *child(Node *parent, int row) const;
    [[nodiscard]] static int childCount(const QJsonValue &value);
    static void releaseInBackground(std::unique_ptr<Node> root);

    std::unique_ptr<Node> m_root;
    bool m_scalarRoot = false;
    bool m_fetching = false;
};

} // namespace zmqscope
