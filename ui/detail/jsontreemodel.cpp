#include "detail/jsontreemodel.h"

#include <limits>
#include <vector>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QThreadPool>

#include "backgroundpool.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

struct JsonTreeModel::Node
{
    Node *parent = nullptr;
    int row = 0;
    bool arrayElement = false;
    QString key;
    QJsonValue value;
    int fetched = 0; ///< children the views know about (FetchBatch at a time)
    // Filled with empty slots on first access; each slot is created when a view asks for that row.
    std::vector<std::unique_ptr<Node>> children;
};

JsonTreeModel::JsonTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

JsonTreeModel::~JsonTreeModel() = default;

void JsonTreeModel::setRoot(const QJsonValue &root)
{
    beginResetModel();
    auto old = std::move(m_root);
    m_root = std::make_unique<Node>();
    m_scalarRoot = !root.isArray() && !root.isObject();
    // A scalar root is shown as one top-level row; wrapping it keeps the tree code uniform.
    m_root->value = m_scalarRoot ? QJsonValue(QJsonArray { root }) : root;
    m_root->fetched = std::min(childCount(m_root->value), FetchBatch);
    // Views ask for more rows while they handle the reset; a first batch is there already, and
    // inserting rows in the middle of everyone's reset handling would confuse the later handlers.
    m_fetching = true;
    endResetModel();
    m_fetching = false;
    releaseInBackground(std::move(old));
}

void JsonTreeModel::clear()
{
    beginResetModel();
    auto old = std::move(m_root);
    m_scalarRoot = false;
    endResetModel();
    releaseInBackground(std::move(old));
}

void JsonTreeModel::releaseInBackground(std::unique_ptr<Node> root)
{
    if (!root)
        return;
    // Freeing a document of a million values takes most of a second; do it off the GUI thread.
    // The values are implicitly shared with atomic reference counts, so that is safe.
    auto released = std::make_shared<std::unique_ptr<Node>>(std::move(root));
    backgroundPool().start([released]() { released->reset(); });
}

QJsonValue JsonTreeModel::root() const
{
    if (!m_root)
        return QJsonValue(QJsonValue::Undefined);
    return m_scalarRoot ? m_root->value.toArray().at(0) : m_root->value;
}

int JsonTreeModel::childCount(const QJsonValue &value)
{
    if (value.isArray())
        return static_cast<int>(value.toArray().size());
    if (value.isObject())
        return static_cast<int>(value.toObject().size());
    return 0;
}

JsonTreeModel::Node *JsonTreeModel::nodeAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root.get();
    return static_cast<Node *>(index.internalPointer());
}

JsonTreeModel::Node *JsonTreeModel::child(Node *parent, int row) const
{
    if (parent->children.empty())
        parent->children.resize(static_cast<size_t>(childCount(parent->value)));
    auto &slot = parent->children[static_cast<size_t>(row)];
    if (!slot) {
        slot = std::make_unique<Node>();
        slot->parent = parent;
        slot->row = row;
        if (parent->value.isArray()) {
            slot->arrayElement = true;
            slot->key = u'[' + QString::number(row) + u']';
            slot->value = parent->value.toArray().at(row);
        } else {
            const auto object = parent->value.toObject();
            const auto it = object.constBegin() + row;
            slot->key = it.key();
            slot->value = it.value();
        }
        if (m_scalarRoot && parent == m_root.get())
            slot->key = tr("(value)");
        slot->fetched = std::min(childCount(slot->value), FetchBatch);
    }
    return slot.get();
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    return createIndex(row, column, child(nodeAt(parent), row));
}

QModelIndex JsonTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    auto *parentNode = static_cast<Node *>(child.internalPointer())->parent;
    if (!parentNode || parentNode == m_root.get())
        return {};
    return createIndex(parentNode->row, 0, parentNode);
}

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!m_root || parent.column() > 0)
        return 0;
    return nodeAt(parent)->fetched;
}

int JsonTreeModel::totalChildCount(const QModelIndex &parent) const
{
    if (!m_root || parent.column() > 0)
        return 0;
    return childCount(nodeAt(parent)->value);
}

bool JsonTreeModel::canFetchMore(const QModelIndex &parent) const
{
    return rowCount(parent) < totalChildCount(parent);
}

void JsonTreeModel::fetchMore(const QModelIndex &parent)
{
    // Views and testers may ask again while they handle the insertion below (or a reset).
    if (m_fetching || !canFetchMore(parent))
        return;
    m_fetching = true;
    auto *node = nodeAt(parent);
    const int total = childCount(node->value);
    const int more = std::min(total - node->fetched, FetchBatch);
    beginInsertRows(parent, node->fetched, node->fetched + more - 1);
    node->fetched += more;
    endInsertRows();
    m_fetching = false;
}

int JsonTreeModel::columnCount(const QModelIndex &parent) const
{
    Q_UNUSED(parent)
    return ColumnCount;
}

bool JsonTreeModel::hasChildren(const QModelIndex &parent) const
{
    return totalChildCount(parent) > 0;
}

QJsonValue JsonTreeModel::valueAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return root();
    return nodeAt(index)->value;
}

QString JsonTreeModel::pathAt(const QModelIndex &index) const
{
    static const QRegularExpression identifier(u"^[A-Za-z_$][A-Za-z0-9_$]*$"_s);
    QString path;
    for (auto *node = index.isValid() ? nodeAt(index) : nullptr; node && node != m_root.get();
         node = node->parent) {
        if (m_scalarRoot && node->parent == m_root.get())
            break;
        QString step;
        if (node->arrayElement)
            step = node->key;
        else if (identifier.match(node->key).hasMatch())
            step = u'.' + node->key;
        else
            step = u'[' + displayValue(QJsonValue(node->key), std::numeric_limits<int>::max()) + u']';
        path.prepend(step);
    }
    return u'$' + path;
}

JsonPath JsonTreeModel::jsonPathAt(const QModelIndex &index) const
{
    std::vector<JsonPath::Step> steps;
    for (auto *node = index.isValid() ? nodeAt(index) : nullptr; node && node != m_root.get();
         node = node->parent) {
        if (m_scalarRoot && node->parent == m_root.get())
            break;
        steps.insert(steps.begin(),
            node->arrayElement ? JsonPath::Step { {}, node->row } : JsonPath::Step { node->key, -1 });
    }
    return JsonPath(std::move(steps));
}

QString JsonTreeModel::displayValue(const QJsonValue &value, int maxChars)
{
    switch (value.type()) {
    case QJsonValue::Object: {
        const auto count = value.toObject().size();
        return count == 1 ? tr("{1 key}") : tr("{%1 keys}").arg(count);
    }
    case QJsonValue::Array: {
        const auto count = value.toArray().size();
        return count == 1 ? tr("[1 item]") : tr("[%1 items]").arg(count);
    }
    case QJsonValue::Undefined:
        return {};
    default:
        break;
    }
    // Serialising through QJsonDocument gives exactly the escapes and number format the JSON text has.
    QJsonValue shown = value;
    bool cut = false;
    if (value.isString() && value.toString().size() > maxChars) {
        shown = value.toString().left(maxChars);
        cut = true;
    }
    const auto compact = QJsonDocument(QJsonArray { shown }).toJson(QJsonDocument::Compact);
    auto text = QString::fromUtf8(compact.sliced(1, compact.size() - 2));
    if (cut)
        text += u'…';
    return text;
}

QVariant JsonTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || role != Qt::DisplayRole)
        return {};
    const auto *node = nodeAt(index);
    switch (index.column()) {
    case KeyColumn: {
        // A key with line breaks or other control characters is shown escaped, on one line.
        const bool plain = std::none_of(node->key.cbegin(), node->key.cend(),
            [](QChar c) { return c.category() == QChar::Other_Control; });
        return plain || node->arrayElement ? node->key : displayValue(QJsonValue(node->key));
    }
    case ValueColumn:
        return displayValue(node->value);
    case TypeColumn:
        switch (node->value.type()) {
        case QJsonValue::Null:
            return u"null"_s;
        case QJsonValue::Bool:
            return u"boolean"_s;
        case QJsonValue::Double:
            return u"number"_s;
        case QJsonValue::String:
            return u"string"_s;
        case QJsonValue::Array:
            return u"array"_s;
        case QJsonValue::Object:
            return u"object"_s;
        case QJsonValue::Undefined:
            break;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    default:
        return {};
    }
}

} // namespace zmqscope
