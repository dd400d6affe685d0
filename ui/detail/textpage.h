#pragma once

#include "detail/detailpage.h"

class QCheckBox;

namespace zmqscope {

/// The Text tab: the start of the body as text, invalid and invisible bytes escaped, with a note saying so.
class TextPage : public DetailPage
{
    Q_OBJECT

public:
    explicit TextPage(QWidget *parent = nullptr);

    void setMessage(const DetailMessage &message) override;
    void clear() override;
    [[nodiscard]] QString whyDisabled() const override { return m_whyDisabled; }

private:
    QString m_whyDisabled;
    QLabel *m_note = nullptr;
    QCheckBox *m_wrapLines = nullptr;
    QPlainTextEdit *m_edit = nullptr;
};

} // namespace zmqscope
