#pragma once

#include <QWidget>

#include "framelistmodel.h"

class QLabel;
class QTableView;
class QToolButton;

/**
 * A FrameListModel in a table with Add, Remove, Move up and Move down, and
 * an inline error line naming the first bad frame.
 */
class FramesEditor : public QWidget
{
    Q_OBJECT
public:
    explicit FramesEditor(QWidget *parent = nullptr);
    ~FramesEditor() override;

    [[nodiscard]] FrameListModel *model() const { return m_model; }
    [[nodiscard]] QTableView *view() const { return m_view; }
    /// The text of the inline error line (empty when every frame is fine).
    [[nodiscard]] QString errorText() const;

public Q_SLOTS:
    /// Inserts an empty text frame after the current one and starts editing it.
    void addFrame();
    void removeCurrentFrame();
    void moveCurrentFrameUp();
    void moveCurrentFrameDown();

Q_SIGNALS:
    /// Frames were added, removed, moved or edited.
    void framesChanged();

private:
    void moveCurrentFrame(int delta);
    void updateState();

    FrameListModel *m_model;
    QTableView *m_view;
    QToolButton *m_addButton;
    QToolButton *m_removeButton;
    QToolButton *m_upButton;
    QToolButton *m_downButton;
    QLabel *m_errorLabel;
    QString m_refusal; ///< the last refused format switch, shown until the next edit
};
