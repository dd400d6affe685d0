#pragma once

#include "detail/detailpage.h"

class QStandardItemModel;
class QTreeView;

namespace zmqscope {

/// The Envelope tab: where and when a message was seen and its envelope fields, or why it is a raw message.
class EnvelopePage : public DetailPage
{
    Q_OBJECT

public:
    explicit EnvelopePage(QWidget *parent = nullptr);

    void setMessage(const DetailMessage &message) override;
    void clear() override;
    [[nodiscard]] QString whyDisabled() const override;

private:
    bool m_hasMessage = false;
    QWidget *m_rawBanner = nullptr;
    QLabel *m_rawReason = nullptr;
    QTreeView *m_tree = nullptr;
    QStandardItemModel *m_model = nullptr;
};

} // namespace zmqscope
