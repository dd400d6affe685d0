#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include <zmqscope/analysis/messagediff.h>

namespace zmqscope {

/// One row of the Diff tab: a JSON change, or a run of bytes that differs.
struct DiffRow
{
    QString where; ///< the JSON path ("" for the whole value), or "frame 3, bytes 16–19"
    JsonChange::Kind kind = JsonChange::Kind::Changed;
    QString oldText; ///< compact JSON or hex pairs, cut to DiffModel::FullTextChars; empty for none
    QString newText;
};

/**
 * The Diff tab's table: where, what kind of change (text, and a colour swatch), the old and the new
 * value. Values are untrusted: cells show them as one escaped line cut to DisplayChars, the tool tip
 * (plain text, escaped for Qt's rich-text tool tips) up to FullTextChars.
 */
class DiffModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        WhereColumn,
        ChangeColumn,
        OldColumn,
        NewColumn,
        ColumnCount
    };
    static constexpr int DisplayChars = 120;
    static constexpr int FullTextChars = 4096;

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(QList<DiffRow> rows);
    [[nodiscard]] const QList<DiffRow> &rows() const noexcept { return m_rows; }

    /// The colour that marks a kind of change (with its name, never alone).
    [[nodiscard]] static QColor kindColor(JsonChange::Kind kind);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<DiffRow> m_rows;
};

} // namespace zmqscope
