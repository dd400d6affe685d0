#include "templatelistmodel.h"

#include <zmqscope/envelope.h>

#include "displaytext.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {
constexpr int SummaryChars = 80;

QString summary(const MessageTemplate &message)
{
    using displaytext::BinaryStyle;
    if (message.kind == MessageTemplate::Kind::Raw) {
        QStringList frames;
        for (const QByteArray &frame : message.frames)
            frames.append(displaytext::oneLine(frame, 24, BinaryStyle::Compact, false));
        return u"raw, %1 frames: %2"_s.arg(message.frames.size()).arg(frames.join(u" | "_s));
    }
    QString text = displaytext::oneLine(message.mimetype, 32, BinaryStyle::Compact);
    if (!message.id.isEmpty())
        text = displaytext::oneLine(message.id, 24, BinaryStyle::Compact) + u" \u00b7 "_s + text;
    return text + u" \u00b7 "_s + displaytext::oneLine(message.body, SummaryChars, BinaryStyle::Spaced);
}
} // namespace

TemplateListModel::TemplateListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int TemplateListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_library.templates().size());
}

int TemplateListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TemplateListModel::data(const QModelIndex &index, int role) const
{
    const MessageTemplate *message = index.isValid() ? templateAt(index.row()) : nullptr;
    if (!message)
        return {};
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case NameColumn:
            return message->name;
        case SocketTypeColumn:
            return message->socketType.isEmpty() ? u"any"_s : message->socketType;
        case MessageColumn:
            return summary(*message);
        default:
            return {};
        }
    }
    if (role == Qt::EditRole && index.column() == NameColumn)
        return message->name;
    return {};
}

QVariant TemplateListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return u"Name"_s;
    case SocketTypeColumn:
        return u"For"_s;
    case MessageColumn:
        return u"Message"_s;
    default:
        return {};
    }
}

Qt::ItemFlags TemplateListModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    if (index.column() == NameColumn)
        flags |= Qt::ItemIsEditable;
    return flags;
}

bool TemplateListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || index.column() != NameColumn || !templateAt(index.row()))
        return false;
    const QString from = templateAt(index.row())->name;
    const QString to = value.toString().trimmed();
    if (from == to)
        return false;
    if (const Result<void> renamed = renameTemplate(from, to); !renamed) {
        Q_EMIT renameRefused(renamed.errorMessage());
        return false;
    }
    return true;
}

void TemplateListModel::setLibrary(const TemplateLibrary &library)
{
    beginResetModel();
    m_library = library;
    endResetModel();
}

const MessageTemplate *TemplateListModel::templateAt(int row) const
{
    const QList<MessageTemplate> &templates = m_library.templates();
    return row >= 0 && row < templates.size() ? &templates.at(row) : nullptr;
}

int TemplateListModel::rowForName(const QString &name) const
{
    const QList<MessageTemplate> &templates = m_library.templates();
    for (qsizetype row = 0; row < templates.size(); ++row) {
        if (templates.at(row).name == name)
            return int(row);
    }
    return -1;
}

int TemplateListModel::insertTemplate(const MessageTemplate &message)
{
    // The library sorts by name: a reset is simplest and the list is short.
    beginResetModel();
    m_library.insert(message);
    endResetModel();
    Q_EMIT libraryChanged();
    return rowForName(message.name);
}

Result<void> TemplateListModel::renameTemplate(const QString &from, const QString &to)
{
    // Said here, in the panel's words, rather than the library's: the user renames in place.
    if (rowForName(from) < 0)
        return Error(ErrorCode::InvalidBody, u"No saved message \"%1\""_s.arg(from));
    if (to.isEmpty())
        return Error(ErrorCode::InvalidBody, u"\"%1\" keeps its name: a name cannot be empty"_s.arg(from));
    if (rowForName(to) >= 0)
        return Error(ErrorCode::InvalidBody, u"\"%1\" keeps its name: \"%2\" is taken"_s.arg(from, to));
    // Only the order changes: a layout change keeps the selection and an open editor on their templates.
    Q_EMIT layoutAboutToBeChanged();
    const QModelIndexList before = persistentIndexList();
    QStringList names;
    names.reserve(before.size());
    for (const QModelIndex &index : before) {
        const QString name = templateAt(index.row())->name;
        names.append(name == from ? to : name);
    }
    Result<void> renamed = m_library.rename(from, to); // checked above: it succeeds
    QModelIndexList after;
    after.reserve(before.size());
    for (qsizetype i = 0; i < before.size(); ++i)
        after.append(index(rowForName(names.at(i)), before.at(i).column()));
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged();
    if (renamed)
        Q_EMIT libraryChanged();
    return renamed;
}

bool TemplateListModel::removeTemplate(const QString &name)
{
    const int row = rowForName(name);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    (void)m_library.remove(name); // the row exists, so the template does
    endRemoveRows();
    Q_EMIT libraryChanged();
    return true;
}

} // namespace zmqscope
