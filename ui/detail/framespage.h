#pragma once

#include "detail/detailpage.h"

class QLabel;
class QTableView;

namespace zmqscope {

class FramesModel;

/// The Frames tab: every frame of the message with its role, size and previews; each can be copied,
/// saved or opened in the Hex tab.
class FramesPage : public DetailPage
{
    Q_OBJECT

public:
    explicit FramesPage(QWidget *parent = nullptr);

    void setMessage(const DetailMessage &message) override;
    void clear() override;
    [[nodiscard]] QString whyDisabled() const override;

Q_SIGNALS:
    /// The user asked to see frame (0-based) in the Hex tab.
    void openInHexRequested(int frame);
    /// The user asked to save frame (0-based) to a file.
    void saveRequested(int frame);

private:
    [[nodiscard]] int currentFrame() const;
    void copyFrame(const QString &encoding);

    bool m_hasMessage = false;
    QTableView *m_table = nullptr;
    FramesModel *m_model = nullptr;
    QToolButton *m_openInHexButton = nullptr;
    QLabel *m_peerNote = nullptr; ///< a tap's peer, shown above the frames (it is not one of them)
};

} // namespace zmqscope
