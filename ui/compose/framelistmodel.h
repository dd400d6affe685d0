#pragma once

#include <optional>

#include <QAbstractTableModel>
#include <QList>

#include <zmqscope/error.h>

#include "bytestext.h"

/**
 * An editable list of message frames, each typed as text or as hex digits.
 * Used for the composer's raw frames and for an envelope's request (routing)
 * frames. Columns: Hex (checkable), Size, Content.
 */
class FrameListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        HexColumn,
        SizeColumn,
        ContentColumn,
        ColumnCount
    };

    struct Entry
    {
        BytesText::Format format = BytesText::Format::Text;
        QString content;
        friend bool operator==(const Entry &, const Entry &) = default;
    };

    explicit FrameListModel(QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool insertRows(int row, int count, const QModelIndex &parent = {}) override;
    bool removeRows(int row, int count, const QModelIndex &parent = {}) override;
    bool moveRows(const QModelIndex &sourceParent, int sourceRow, int count,
        const QModelIndex &destinationParent, int destinationChild) override;

    [[nodiscard]] const QList<Entry> &entries() const { return m_entries; }
    void setEntries(const QList<Entry> &entries);
    /// Shows bytes (received routing frames, say) in the format each reads best in.
    void setBytes(const zmqscope::Frames &frames);
    void insertEntry(int row, const Entry &entry);

    /// Switches a row between text and hex, keeping its bytes. Fails (InvalidBody, naming the row)
    /// when the current content is bad hex, or the bytes are not text that a line editor can hold.
    zmqscope::Result<void> setFormat(int row, BytesText::Format format);

    /// One line per bad row ("Frame 2: 'z' at position 3 is not a hex digit"); empty when all are fine.
    [[nodiscard]] QStringList problems() const;
    /// The frames, or nothing when a row is bad (see problems()).
    [[nodiscard]] std::optional<zmqscope::Frames> frames() const;

    /// What rows are called in messages ("Frame", "Request frame").
    void setItemName(const QString &name);
    [[nodiscard]] QString itemName() const { return m_itemName; }

Q_SIGNALS:
    /// A format switch was refused; the reason names the row.
    void formatRefused(const QString &reason);

private:
    [[nodiscard]] zmqscope::Result<QByteArray> bytesAt(int row) const;

    QList<Entry> m_entries;
    QString m_itemName;
};
