#include "detail/envelopepage.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

#include <zmqscope/textescape.h>

#include "detail/messageformat.h"
#include "directionicons.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

QStandardItem *makeItem(const QString &text)
{
    auto *item = new QStandardItem(text);
    item->setEditable(false);
    return item;
}

QString kindText(const EnvelopeParseResult &parsed)
{
    switch (parsed.kind) {
    case MessageKind::Envelope:
        return EnvelopePage::tr("Envelope (id, mimetype, body)");
    case MessageKind::RoutedEnvelope: {
        const auto count = parsed.envelope ? parsed.envelope->requestFrames().size() : 0;
        if (count == 0)
            return EnvelopePage::tr("Envelope after an empty delimiter (no request frames)");
        return count == 1
            ? EnvelopePage::tr("Routed envelope: 1 request frame, delimiter, id, mimetype, body")
            : EnvelopePage::tr("Routed envelope: %1 request frames, delimiter, id, mimetype, body")
                  .arg(count);
    }
    case MessageKind::Raw:
        break;
    }
    return EnvelopePage::tr("Raw message (not an envelope)");
}

/// A frame for the Envelope tab: its size and a short text or hex rendering.
QString frameSummary(const QByteArray &frame)
{
    return MessageFormat::byteCount(frame.size()) + u" · "_s + MessageFormat::describeBytes(frame, 80);
}

} // namespace

EnvelopePage::EnvelopePage(QWidget *parent)
    : DetailPage(parent)
{
    auto *layout = detailui::makePageLayout(this);

    auto *banner = new QFrame(this);
    banner->setObjectName(u"rawBanner"_s);
    banner->setFrameShape(QFrame::StyledPanel);
    banner->setBackgroundRole(QPalette::ToolTipBase);
    banner->setForegroundRole(QPalette::ToolTipText);
    banner->setAutoFillBackground(true);
    auto *bannerLayout = new QHBoxLayout(banner);
    bannerLayout->setContentsMargins(8, 6, 8, 6);
    bannerLayout->setSpacing(8);
    auto *icon = detailui::makeLabel(banner);
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize, iconSize));
    m_rawReason = detailui::makeLabel(banner);
    m_rawReason->setObjectName(u"rawReason"_s);
    m_rawReason->setWordWrap(true);
    m_rawReason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bannerLayout->addWidget(icon, 0, Qt::AlignTop);
    bannerLayout->addWidget(m_rawReason, 1);
    m_rawBanner = banner;
    layout->addWidget(banner);

    m_model = new QStandardItemModel(this);
    m_model->setHorizontalHeaderLabels({ tr("Field"), tr("Value") });
    m_tree = new QTreeView(this);
    m_tree->setObjectName(u"envelopeTree"_s);
    m_tree->setModel(m_model);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setFrameShape(QFrame::NoFrame);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->header()->setStretchLastSection(true);
    layout->addWidget(m_tree, 1);

    auto *copyValue = new QAction(tr("Copy &Value"), this);
    connect(copyValue, &QAction::triggered, this, [this] {
        const auto current = m_tree->currentIndex();
        if (!current.isValid())
            return;
        const auto value = current.siblingAtColumn(1).data().toString();
        copyText(value, tr("Copied the %1 field.").arg(current.siblingAtColumn(0).data().toString()));
    });
    connect(m_tree, &QWidget::customContextMenuRequested, this, [this, copyValue](const QPoint &pos) {
        const auto index = m_tree->indexAt(pos);
        copyValue->setEnabled(index.isValid());
        if (index.isValid())
            m_tree->setCurrentIndex(index);
        Q_EMIT contextMenuRequested(m_tree->viewport(), pos, { copyValue });
    });
}

void EnvelopePage::setMessage(const DetailMessage &shown)
{
    m_hasMessage = true;
    m_model->removeRows(0, m_model->rowCount());
    auto addRow = [this](const QString &field, const QString &value, QStandardItem *parent = nullptr) {
        auto *fieldItem = makeItem(field);
        QList<QStandardItem *> row { fieldItem, makeItem(value) };
        if (parent)
            parent->appendRow(row);
        else
            m_model->appendRow(row);
        return fieldItem;
    };

    const auto &message = shown.message;
    const auto &parsed = shown.parsed;
    addRow(tr("Sequence"), QString::number(message.seq));
    addRow(tr("Time"), MessageFormat::localTimestamp(message.timestampUs));
    addRow(tr("Time (UTC)"), MessageFormat::isoTimestampUtc(message.timestampUs));
    addRow(tr("Socket"), shown.socketName.isEmpty() ? tr("(unnamed)") : shown.socketName);
    addRow(tr("Direction"), directionicons::description(message.direction));
    if (!message.peer.isEmpty())
        addRow(tr("Peer"), MessageFormat::peerText(message.peer));
    addRow(tr("Kind"), kindText(parsed));

    QStandardItem *expandable = nullptr;
    if (const auto &envelope = parsed.envelope) {
        m_rawBanner->hide();
        if (parsed.kind == MessageKind::RoutedEnvelope) {
            const auto &requestFrames = envelope->requestFrames();
            expandable = addRow(tr("Request frames"), QString::number(requestFrames.size()));
            for (qsizetype i = 0; i < requestFrames.size(); ++i)
                addRow(tr("Frame %1").arg(i + 1), frameSummary(requestFrames.at(i)), expandable);
        }
        addRow(tr("ID"), MessageFormat::describeBytes(envelope->id()));
        const auto &mimetype = envelope->mimetype();
        addRow(tr("Mimetype"),
            mimetype.isEmpty()                        ? tr("(empty)")
                : textescape::looksLikeText(mimetype) ? MessageFormat::oneLineText(mimetype, 160)
                                                      : MessageFormat::describeBytes(mimetype));
        const auto &bytes = envelope->data();
        const auto prefix = bytes.first(textescape::utf8PrefixLength(bytes, TextPreviewBytes));
        const QString nature = bytes.isEmpty()                                ? QString()
            : textescape::looksLikeText(prefix, prefix.size() < bytes.size()) ? tr(", text")
                                                                              : tr(", binary");
        addRow(tr("Body"), MessageFormat::byteCount(bytes.size()) + nature);
    } else {
        m_rawReason->setText(tr("Not a Dploy envelope: %1.").arg(parsed.reason));
        m_rawBanner->show();
        addRow(tr("Not an envelope"), parsed.reason);
        expandable = addRow(tr("Frames"), QString::number(message.frames.size()));
        for (qsizetype i = 0; i < message.frames.size(); ++i)
            addRow(tr("Frame %1").arg(i + 1), frameSummary(message.frames.at(i)), expandable);
    }
    if (expandable)
        m_tree->expand(expandable->index());
    m_tree->resizeColumnToContents(0);
    m_tree->setColumnWidth(0, m_tree->columnWidth(0) + 16);
}

void EnvelopePage::clear()
{
    m_hasMessage = false;
    m_model->removeRows(0, m_model->rowCount());
    m_rawReason->clear();
}

QString EnvelopePage::whyDisabled() const
{
    return m_hasMessage ? QString() : noMessageReason();
}

} // namespace zmqscope
