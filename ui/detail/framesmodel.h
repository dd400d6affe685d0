#pragma once

#include <QAbstractTableModel>

#include <zmqscope/envelope.h>

namespace zmqscope {

/**
 * Every frame of one message as a table: #, role in the envelope, size,
 * a hex preview and a text preview. Previews are formatted when a view asks
 * for them and cover only the first bytes, so a 64 MiB frame costs nothing.
 */
class FramesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        NumberColumn,
        RoleColumn,
        SizeColumn,
        HexColumn,
        TextColumn,
        ColumnCount
    };
    static constexpr int HexPreviewBytes = 24;
    static constexpr int TextPreviewChars = 80;

    explicit FramesModel(QObject *parent = nullptr);

    /// Shows frames; kind says how they parsed, which names each frame's role.
    void setFrames(const Frames &frames, MessageKind kind);
    void clear();

    [[nodiscard]] const Frames &frames() const noexcept { return m_frames; }
    /// "request 1", "delimiter", "id", "mimetype", "body", or "" for raw messages.
    [[nodiscard]] QString roleName(int frame) const;
    /// The role of frame in a message of frameCount frames that parsed as kind.
    [[nodiscard]] static QString roleName(qsizetype frameCount, MessageKind kind, int frame);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Frames m_frames;
    MessageKind m_kind = MessageKind::Raw;
};

} // namespace zmqscope
