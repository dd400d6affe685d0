#include "detail/hexpage.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include "detail/framesmodel.h"
#include "detail/hexview.h"
#include "detail/messageformat.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

HexPage::HexPage(QWidget *parent)
    : DetailPage(parent)
{
    auto *layout = detailui::makePageLayout(this);
    auto *bar = detailui::makeBar();
    auto *showLabel = detailui::makeLabel(this, tr("&Show:"));
    m_source = new QComboBox(this);
    m_source->setObjectName(u"hexSource"_s);
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    showLabel->setBuddy(m_source);
    m_position = detailui::makeLabel(this);
    m_position->setObjectName(u"hexPosition"_s);
    m_position->setForegroundRole(QPalette::PlaceholderText);
    m_position->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_position->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto *goTo = detailui::makeToolButton(this, tr("Go to Offset…"), u"goToOffsetButton"_s);
    goTo->setToolTip(tr("Go to an offset (Ctrl+G)"));
    bar->addWidget(showLabel);
    bar->addWidget(m_source);
    bar->addWidget(m_position, 1);
    bar->addWidget(goTo);
    layout->addLayout(bar);

    m_view = new HexView(this);
    m_view->setObjectName(u"hexView"_s);
    m_view->setFrameShape(QFrame::NoFrame);
    layout->addWidget(m_view, 1);
    setFocusProxy(m_view); // focusing the page (as "Open in Hex" does) puts the keyboard in the bytes

    connect(goTo, &QToolButton::clicked, m_view, &HexView::showGoToOffsetDialog);
    connect(m_source, &QComboBox::activated, this, [this](int index) {
        const int frame = m_source->itemData(index).toInt();
        if (frame >= 0 && frame < m_frames.size())
            m_view->setData(m_frames.at(frame));
    });
    connect(m_view, &HexView::cursorPositionChanged, this, &HexPage::updatePosition);
    connect(m_view, &HexView::selectionChanged, this, &HexPage::updatePosition);
    connect(m_view, &HexView::copied, this, &DetailPage::reported);
    connect(m_view, &HexView::copyRefused, this, &DetailPage::reported);
}

void HexPage::setExtraContextMenuActions(const QList<QAction *> &actions)
{
    m_view->setExtraContextMenuActions(actions);
}

void HexPage::setMessage(const DetailMessage &message)
{
    m_hasMessage = true;
    m_frames = message.message.frames;
    m_source->clear();
    const auto kind = message.parsed.kind;
    for (int i = 0; i < m_frames.size(); ++i) {
        const auto role = FramesModel::roleName(m_frames.size(), kind, i);
        const auto size = MessageFormat::byteCount(m_frames.at(i).size());
        // Only our own words and numbers here: the combo box shows no message bytes.
        m_source->addItem(role.isEmpty() ? tr("Frame %1 · %2").arg(i + 1).arg(size)
                                         : tr("Frame %1 (%2) · %3").arg(i + 1).arg(role, size),
            i);
    }
    if (m_frames.isEmpty()) {
        m_view->setData({});
        return;
    }
    // The body for envelopes, the first frame for raw messages.
    const int shown = message.hasBody() ? static_cast<int>(m_frames.size()) - 1 : 0;
    m_source->setCurrentIndex(shown);
    m_view->setData(m_frames.at(shown));
    updatePosition();
}

void HexPage::clear()
{
    m_hasMessage = false;
    m_frames.clear();
    m_source->clear();
    m_view->setData({});
}

QString HexPage::whyDisabled() const
{
    return m_hasMessage ? QString() : noMessageReason();
}

bool HexPage::showFrame(int frame)
{
    if (frame < 0 || frame >= m_frames.size())
        return false;
    m_source->setCurrentIndex(frame);
    m_view->setData(m_frames.at(frame));
    return true;
}

void HexPage::updatePosition()
{
    const auto size = m_view->data().size();
    if (size == 0) {
        m_position->setText(tr("No bytes"));
        return;
    }
    QString text = tr("Offset 0x%1").arg(QString::number(m_view->cursorPosition(), 16));
    if (m_view->hasSelection())
        text += tr(" · %1 selected").arg(MessageFormat::byteCount(m_view->selectionLength()));
    m_position->setText(text);
}

} // namespace zmqscope
