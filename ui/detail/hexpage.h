#pragma once

#include "detail/detailpage.h"

class QComboBox;

namespace zmqscope {

class HexView;

/// The Hex tab: any frame of the message byte by byte (the body, or the first frame of a raw message).
class HexPage : public DetailPage
{
    Q_OBJECT

public:
    explicit HexPage(QWidget *parent = nullptr);

    void setMessage(const DetailMessage &message) override;
    void clear() override;
    [[nodiscard]] QString whyDisabled() const override;

    /// Shows frame (0-based); false when the message has no such frame.
    bool showFrame(int frame);
    /// Actions added to the hex view's context menu after its own.
    void setExtraContextMenuActions(const QList<QAction *> &actions);

private:
    void updatePosition();

    bool m_hasMessage = false;
    Frames m_frames;
    QComboBox *m_source = nullptr;
    QLabel *m_position = nullptr;
    HexView *m_view = nullptr;
};

} // namespace zmqscope
