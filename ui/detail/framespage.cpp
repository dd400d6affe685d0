#include "detail/framespage.h"

#include <QAction>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "detail/framesmodel.h"
#include "detail/messageformat.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

FramesPage::FramesPage(QWidget *parent)
    : DetailPage(parent)
{
    auto *layout = detailui::makePageLayout(this);

    m_model = new FramesModel(this);
    m_table = new QTableView(this);
    m_table->setObjectName(u"framesTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setFrameShape(QFrame::NoFrame);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    auto *header = m_table->horizontalHeader();
    header->setSectionResizeMode(FramesModel::NumberColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FramesModel::RoleColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FramesModel::SizeColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(FramesModel::HexColumn, QHeaderView::Interactive);
    const int hexWidth = QFontMetrics(QFontDatabase::systemFont(QFontDatabase::FixedFont))
                             .horizontalAdvance(QString(12 * 3 + 2, u'0'));
    header->resizeSection(FramesModel::HexColumn, hexWidth);
    header->setStretchLastSection(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    // A tap's peer sits beside the frames, never among them: the frames are what the sender put on the wire.
    m_peerNote = detailui::makeNoteLabel(this);
    m_peerNote->setObjectName(u"peerNote"_s);
    m_peerNote->setContentsMargins(6, 4, 6, 4);
    m_peerNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_peerNote->hide();
    layout->addWidget(m_peerNote);
    layout->addWidget(m_table, 1);

    auto *bar = detailui::makeBar();
    auto *hint = detailui::makeNoteLabel(this);
    hint->setText(tr("Double-click a frame to open it in the Hex tab."));
    m_openInHexButton = detailui::makeToolButton(this, tr("Open in Hex"), u"openInHexButton"_s);
    m_openInHexButton->setEnabled(false);
    bar->addWidget(hint, 1);
    bar->addWidget(m_openInHexButton);
    layout->addLayout(bar);

    connect(m_table, &QAbstractItemView::doubleClicked, this,
        [this](const QModelIndex &index) { Q_EMIT openInHexRequested(index.row()); });
    connect(m_table, &QAbstractItemView::activated, this,
        [this](const QModelIndex &index) { Q_EMIT openInHexRequested(index.row()); });
    connect(m_openInHexButton, &QToolButton::clicked, this,
        [this] { Q_EMIT openInHexRequested(currentFrame()); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex &current) { m_openInHexButton->setEnabled(current.isValid()); });

    auto *openInHex = new QAction(tr("&Open in Hex"), this);
    auto *copyFrameText = new QAction(tr("Copy Frame as &Text"), this);
    auto *copyFrameHex = new QAction(tr("Copy Frame as &Hex"), this);
    auto *copyFrameBase64 = new QAction(tr("Copy Frame as &Base64"), this);
    auto *saveFrame = new QAction(tr("&Save Frame to File…"), this);
    saveFrame->setObjectName(u"saveFrameAction"_s);
    connect(saveFrame, &QAction::triggered, this, [this] { Q_EMIT saveRequested(currentFrame()); });
    connect(openInHex, &QAction::triggered, this, [this] { Q_EMIT openInHexRequested(currentFrame()); });
    connect(copyFrameText, &QAction::triggered, this, [this] { copyFrame(u"text"_s); });
    connect(copyFrameHex, &QAction::triggered, this, [this] { copyFrame(u"hex"_s); });
    connect(copyFrameBase64, &QAction::triggered, this, [this] { copyFrame(u"base64"_s); });
    connect(m_table, &QWidget::customContextMenuRequested, this,
        [this, openInHex, copyFrameText, copyFrameHex, copyFrameBase64, saveFrame](const QPoint &pos) {
            const auto index = m_table->indexAt(pos);
            if (index.isValid())
                m_table->setCurrentIndex(index);
            const QList<QAction *> frameActions { openInHex, copyFrameText, copyFrameHex, copyFrameBase64,
                saveFrame };
            for (auto *action : frameActions)
                action->setEnabled(index.isValid());
            Q_EMIT contextMenuRequested(m_table->viewport(), pos, frameActions);
        });
}

int FramesPage::currentFrame() const
{
    const auto current = m_table->selectionModel()->currentIndex();
    return current.isValid() ? current.row() : -1;
}

void FramesPage::copyFrame(const QString &encoding)
{
    const int frame = currentFrame();
    const auto &frames = m_model->frames();
    if (frame < 0 || frame >= frames.size())
        return;
    const auto &bytes = frames.at(frame);
    const auto what = tr("frame %1").arg(frame + 1);
    if (!checkClipboardSize(bytes.size(), what))
        return;
    if (encoding == u"text")
        copyText(MessageFormat::copyableText(bytes), tr("Copied %1 as text.").arg(what));
    else if (encoding == u"hex")
        copyText(MessageFormat::hex(bytes), tr("Copied %1 as hex.").arg(what));
    else
        copyText(QString::fromLatin1(bytes.toBase64()), tr("Copied %1 as base64.").arg(what));
}

void FramesPage::setMessage(const DetailMessage &message)
{
    m_hasMessage = true;
    m_model->setFrames(message.message.frames, message.parsed.kind);
    // Raw messages have no envelope roles: an empty column would only take room.
    m_table->setColumnHidden(FramesModel::RoleColumn, message.parsed.kind == MessageKind::Raw);
    m_openInHexButton->setEnabled(false);
    const QByteArray &peer = message.message.peer;
    m_peerNote->setText(peer.isEmpty()
            ? QString()
            : tr("Peer %1: the routing id the tap gave the %2; not a frame. The frames below are what the "
                 "%3 put on the wire.")
                  .arg(QString::fromLatin1(peer.toHex()),
                      message.message.direction == Direction::ServerToClient ? tr("client it goes to")
                                                                             : tr("client that sent it"),
                      message.message.direction == Direction::ServerToClient ? tr("server") : tr("client")));
    m_peerNote->setVisible(!peer.isEmpty());
}

void FramesPage::clear()
{
    m_hasMessage = false;
    m_model->clear();
    m_peerNote->clear();
    m_peerNote->hide();
    m_openInHexButton->setEnabled(false);
}

QString FramesPage::whyDisabled() const
{
    return m_hasMessage ? QString() : noMessageReason();
}

} // namespace zmqscope
