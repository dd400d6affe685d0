#pragma once

#include <QImage>

#include "detail/detailpage.h"

class QStackedWidget;

namespace zmqscope {

class ImagePreview;

/// The Image tab: the body decoded as an image (large ones in a worker thread), or why it cannot be.
class ImagePage : public DetailPage
{
    Q_OBJECT

public:
    /// Images up to this size are decoded at once, larger ones in a worker thread.
    static constexpr qsizetype ImageWorkerThreshold = qsizetype { 1 } << 20;

    explicit ImagePage(QWidget *parent = nullptr);
    ~ImagePage() override;

    void setMessage(const DetailMessage &message) override;
    void clear() override;
    [[nodiscard]] QString whyDisabled() const override { return m_whyDisabled; }
    [[nodiscard]] bool isDecoding() const override { return m_pendingJobs > 0; }

private:
    struct Result;
    [[nodiscard]] static Result decode(const QByteArray &body);

    void apply(const Result &result, qsizetype bodySize);

    QString m_whyDisabled;
    quint64 m_generation = 0; // results of the worker for older messages are dropped
    int m_pendingJobs = 0;
    QLabel *m_info = nullptr;
    QStackedWidget *m_stack = nullptr;
    ImagePreview *m_preview = nullptr;
    QLabel *m_notice = nullptr;
};

} // namespace zmqscope
