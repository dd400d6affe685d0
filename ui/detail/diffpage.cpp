#include "detail/diffpage.h"

#include <algorithm>
#include <vector>

#include <QFutureWatcher>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QShowEvent>
#include <QStackedWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <zmqscope/store/messagestore.h>

#include "detail/messageformat.h"
#include "detail/pooljob.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

/// Bytes of a differing run shown as hex (the rest is counted in its Path column).
constexpr qsizetype HexBytesShown = 256;

/// The envelope id of a message, std::nullopt for a raw message (which has none).
std::optional<QByteArrayView> envelopeId(std::span<const QByteArrayView> frames)
{
    const auto count = qsizetype(frames.size());
    const EnvelopeLayout layout
        = envelopeLayout(count, [&frames](qsizetype i) { return frames[std::size_t(i)].size(); });
    if (layout.kind == MessageKind::Raw)
        return std::nullopt;
    return frames[std::size_t(EnvelopeLayout::idIndex(count))];
}

std::vector<QByteArrayView> frameViews(const StoredMessage &message)
{
    return { message.frames.cbegin(), message.frames.cend() };
}

/// "“telemetry.temp-1”" or "(raw message)": an id as one escaped, quoted line.
QString idText(std::optional<QByteArrayView> id)
{
    if (!id)
        return DiffPage::tr("(raw message)");
    return u"“"_s + MessageFormat::oneLineText(*id, 60) + u"”"_s;
}

QString socketName(const QHash<SocketId, QString> &names, SocketId socket)
{
    return names.value(socket, u"#%1"_s.arg(socket));
}

/// "#12 “telemetry.temp-1” 14:03:07.125"
QString describe(const StoredMessage &message)
{
    const auto frames = frameViews(message);
    return u"#%1 %2 %3"_s.arg(message.seq)
        .arg(idText(envelopeId(frames)), MessageFormat::localTimestamp(message.timestampUs).mid(11));
}

QString elapsed(std::int64_t us)
{
    const double ms = double(std::abs(us)) / 1000.0;
    if (ms < 1000)
        return DiffPage::tr("%1 ms").arg(QLocale().toString(ms, 'f', 3));
    return DiffPage::tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'f', 3));
}

QString cut(QString text)
{
    if (text.size() > DiffModel::FullTextChars) {
        text.truncate(DiffModel::FullTextChars);
        text += u'…';
    }
    return text;
}

QString valueText(const QJsonValue &value)
{
    if (value.isUndefined())
        return {};
    // Compact JSON of a one-element array, without its brackets: strings keep their quotes.
    const QByteArray json = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
    return cut(QString::fromUtf8(json.mid(1, json.size() - 2)));
}

QString hexText(QByteArrayView frame, qsizetype offset, qsizetype length)
{
    if (offset >= frame.size())
        return {};
    return MessageFormat::hex(frame.sliced(offset, std::min(length, frame.size() - offset)), HexBytesShown);
}

QList<DiffRow> jsonRows(const JsonDiff &diff)
{
    QList<DiffRow> rows;
    rows.reserve(diff.changes.size());
    for (const JsonChange &change : diff.changes)
        rows.append({ change.path, change.kind, valueText(change.oldValue), valueText(change.newValue) });
    return rows;
}

QList<DiffRow> byteRows(
    const BytesDiff &diff, std::span<const QByteArrayView> older, std::span<const QByteArrayView> newer)
{
    QList<DiffRow> rows;
    for (const FrameDiff &frame : diff.frames) {
        const int shownFrame = frame.frame + 1;
        if (frame.oldSize < 0 || frame.newSize < 0) {
            const bool added = frame.oldSize < 0;
            const QByteArrayView bytes
                = added ? newer[std::size_t(frame.frame)] : older[std::size_t(frame.frame)];
            const QString text = MessageFormat::hex(bytes, HexBytesShown);
            rows.append(
                { DiffPage::tr("frame %1 (%2)").arg(shownFrame).arg(MessageFormat::byteCount(bytes.size())),
                    added ? JsonChange::Kind::Added : JsonChange::Kind::Removed, added ? QString() : text,
                    added ? text : QString() });
            continue;
        }
        const QByteArrayView a = older[std::size_t(frame.frame)];
        const QByteArrayView b = newer[std::size_t(frame.frame)];
        for (const ByteRange &range : frame.ranges) {
            auto kind = JsonChange::Kind::Changed;
            if (range.offset >= a.size())
                kind = JsonChange::Kind::Added;
            else if (range.offset >= b.size())
                kind = JsonChange::Kind::Removed;
            const QString where = range.length == 1
                ? DiffPage::tr("frame %1, byte %2").arg(shownFrame).arg(range.offset)
                : DiffPage::tr("frame %1, bytes %2–%3")
                      .arg(shownFrame)
                      .arg(range.offset)
                      .arg(range.offset + range.length - 1);
            rows.append({ where, kind, hexText(a, range.offset, range.length),
                hexText(b, range.offset, range.length) });
        }
    }
    return rows;
}

QString summaryText(const MessageDiff &diff)
{
    if (diff.decoded) {
        const QString format = diff.olderFormat == diff.newerFormat
            ? diff.olderFormat
            : DiffPage::tr("%1 and %2").arg(diff.olderFormat, diff.newerFormat);
        QString text = diff.json.total() == 0
            ? DiffPage::tr("The decoded bodies (%1) are equal.").arg(format)
            : DiffPage::tr(
                "Decoded bodies (%1) compared field by field: %n change(s).", "", int(diff.json.total()))
                  .arg(format);
        if (diff.json.omitted > 0)
            text += u' ' + DiffPage::tr("The first %1 are listed.").arg(diff.json.changes.size());
        if (diff.json.depthLimited)
            text += u' '
                + DiffPage::tr("Values nested deeper than %1 levels are compared as a whole.")
                      .arg(MaxDecodeDepth);
        return text;
    }
    const QString why = diff.bytesReason.isEmpty() ? QString() : u" ("_s + diff.bytesReason + u')';
    if (diff.bytes.isEmpty())
        return DiffPage::tr("Compared byte by byte%1: the frames are identical.").arg(why);
    QString text = DiffPage::tr(
        "Compared byte by byte%1: %2 → %3 frames, %n frame(s) differ.", "", int(diff.bytes.frames.size()))
                       .arg(why)
                       .arg(diff.bytes.oldFrameCount)
                       .arg(diff.bytes.newFrameCount);
    if (diff.bytes.omittedRanges > 0)
        text += u' ' + DiffPage::tr("%1 more differing runs are not listed.").arg(diff.bytes.omittedRanges);
    return text;
}

} // namespace

DiffPage::DiffPage(QWidget *parent)
    : DetailPage(parent)
    , m_model(new DiffModel(this))
{
    auto *layout = detailui::makePageLayout(this);
    auto *bar = detailui::makeBar();
    m_header = detailui::makeLabel(this);
    m_header->setObjectName(u"diffHeaderLabel"_s);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_selectButton = detailui::makeToolButton(this, QString(), u"diffSelectButton"_s);
    m_selectButton->hide();
    connect(m_selectButton, &QToolButton::clicked, this, [this] {
        if (m_otherSeq)
            Q_EMIT messageSelectionRequested(*m_otherSeq);
    });
    bar->addWidget(m_header, 1);
    bar->addWidget(m_selectButton, 0, Qt::AlignTop);
    layout->addLayout(bar);
    m_summary = detailui::makeNoteLabel(this);
    m_summary->setObjectName(u"diffSummaryLabel"_s);
    m_summary->setContentsMargins(6, 0, 6, 4);
    layout->addWidget(m_summary);

    m_stack = new QStackedWidget(this);
    m_view = new QTreeView(m_stack);
    m_view->setObjectName(u"diffView"_s);
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_stack->addWidget(m_view);
    m_noticePage = detailui::makeNoticePage(m_stack, &m_notice, QStyle::SP_MessageBoxInformation);
    m_notice->setObjectName(u"diffNoticeLabel"_s);
    m_stack->addWidget(m_noticePage);
    layout->addWidget(m_stack, 1);
    DiffPage::clear(); // this class's own, explicitly: no override exists during construction
}

DiffPage::~DiffPage()
{
    // The workers read the store, which may go soon after the window: they end before we do.
    if (m_cancel)
        m_cancel->store(true);
    for (QFuture<Outcome> &future : m_running)
        future.waitForFinished();
}

void DiffPage::setStore(const MessageStore *store)
{
    m_store = store;
    m_stale = true;
    startIfShown();
}

void DiffPage::setDecoders(const DecoderSet &decoders)
{
    m_decoders = decoders;
    m_stale = true;
    startIfShown();
}

void DiffPage::setSocketNames(const QHash<SocketId, QString> &names)
{
    m_socketNames = names;
}

void DiffPage::setPair(std::optional<std::pair<std::uint64_t, std::uint64_t>> pair)
{
    if (pair == m_pair)
        return;
    m_pair = pair;
    m_stale = true;
    startIfShown();
}

void DiffPage::setMessage(const DetailMessage &message)
{
    m_message = message;
    m_stale = true;
    m_otherSeq.reset();
    m_selectButton->hide();
    m_header->clear();
    m_summary->clear();
    showNotice(tr("Comparing…"));
    startIfShown();
}

void DiffPage::clear()
{
    if (m_cancel)
        m_cancel->store(true);
    ++m_generation;
    m_message.reset();
    m_stale = false;
    m_otherSeq.reset();
    m_selectButton->hide();
    m_header->clear();
    m_summary->clear();
    m_model->setRows({});
    showNotice(noMessageReason());
}

QString DiffPage::whyDisabled() const
{
    if (!m_message)
        return noMessageReason();
    if (!m_store)
        return tr("The diff reads earlier messages from the store, which this view has not been given.");
    return {};
}

QString DiffPage::headerText() const
{
    return m_header->text();
}

QString DiffPage::noticeText() const
{
    return m_stack->currentWidget() == m_noticePage ? m_notice->text() : QString();
}

void DiffPage::showEvent(QShowEvent *event)
{
    DetailPage::showEvent(event);
    startIfShown();
}

void DiffPage::startIfShown()
{
    // Only the shown tab searches: picking messages with another tab open costs nothing.
    if (!m_stale || !isVisible() || !m_store || !m_message)
        return;
    m_stale = false;
    if (m_cancel)
        m_cancel->store(true);
    m_cancel = std::make_shared<std::atomic_bool>(false);
    Job job { m_store, m_decoders, m_socketNames, std::nullopt, m_pair, m_cancel };
    if (!m_pair)
        job.newer = m_message->message;
    const auto generation = ++m_generation;
    ++m_pendingJobs;
    m_running.removeIf([](const QFuture<Outcome> &future) { return future.isFinished(); });
    auto *watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        --m_pendingJobs;
        if (generation == m_generation)
            apply(watcher->result());
    });
    const QFuture<Outcome> future = detailui::runInPool<Outcome>([job = std::move(job)] { return run(job); });
    m_running.append(future);
    watcher->setFuture(future);
}

DiffPage::Outcome DiffPage::run(const Job &job)
{
    Outcome outcome;
    StoredMessage older;
    StoredMessage newer;
    if (job.pair) {
        if (!job.store->message(job.pair->first, older) || !job.store->message(job.pair->second, newer)) {
            outcome.notice = tr("One of the two selected messages is no longer held: retention evicted it.");
            return outcome;
        }
    } else {
        newer = *job.newer;
        const auto newerFrames = frameViews(newer);
        const std::optional<QByteArrayView> id = envelopeId(newerFrames);
        // Backwards in blocks, each visited oldest first: the last match of a block is the newest one.
        std::optional<std::uint64_t> found;
        std::uint64_t looked = 0;
        std::uint64_t end = newer.seq;
        const std::uint64_t first = job.store->firstSeq();
        while (!found && end > first && looked < SearchLimit) {
            if (job.cancel->load())
                return outcome;
            const std::uint64_t begin = end - std::min({ SearchBlock, end - first, SearchLimit - looked });
            job.store->visit(begin, end, [&](const MessageView &message) {
                if (message.socket == newer.socket && message.direction == newer.direction
                    && envelopeId(message.frames) == id)
                    found = message.seq;
                return true;
            });
            looked += end - begin;
            end = begin;
        }
        const QString socket = socketName(job.socketNames, newer.socket);
        if (!found) {
            outcome.notice = !id ? tr("No earlier raw message on %1.").arg(socket)
                                 : tr("No earlier message with id %1 on %2.").arg(idText(id), socket);
            if (looked >= SearchLimit)
                outcome.notice += u' '
                    + tr("The %1 messages before this one were looked at.")
                          .arg(QLocale().toString(qulonglong(looked)));
            return outcome;
        }
        if (!job.store->message(*found, older)) {
            outcome.notice = tr("The previous message with this id, #%1, is no longer held.").arg(*found);
            return outcome;
        }
    }
    outcome.olderSeq = older.seq;
    outcome.newerSeq = newer.seq;
    const QString olderSocket = socketName(job.socketNames, older.socket);
    const QString newerSocket = socketName(job.socketNames, newer.socket);
    const QString span = elapsed(newer.timestampUs - older.timestampUs);
    outcome.header = job.pair
        ? tr("%1 → %2: the two selected messages, %3 apart.").arg(describe(older), describe(newer), span)
        : tr("%1 → %2 (shown): the previous message with its id on %3, %4 earlier.")
              .arg(describe(older), describe(newer), newerSocket, span);
    if (job.pair && olderSocket != newerSocket)
        outcome.header += u' ' + tr("Sockets: %1 and %2.").arg(olderSocket, newerSocket);

    const auto olderFrames = frameViews(older);
    const auto newerFrames = frameViews(newer);
    FilterSubject a;
    a.frames = olderFrames;
    a.peer = older.peer;
    a.direction = older.direction;
    a.socket = olderSocket;
    FilterSubject b;
    b.frames = newerFrames;
    b.peer = newer.peer;
    b.direction = newer.direction;
    b.socket = newerSocket;
    const MessageDiff diff = diffMessages(a, b, job.decoders);
    outcome.rows = diff.decoded ? jsonRows(diff.json) : byteRows(diff.bytes, olderFrames, newerFrames);
    outcome.summary = summaryText(diff);
    return outcome;
}

void DiffPage::apply(const Outcome &outcome)
{
    if (!outcome.notice.isEmpty()) {
        m_model->setRows({});
        m_header->clear();
        m_summary->clear();
        m_otherSeq.reset();
        m_selectButton->hide();
        showNotice(outcome.notice);
        return;
    }
    m_header->setText(outcome.header);
    m_summary->setText(outcome.summary);
    // The other of the two: the older unless the shown message is the older one.
    const bool showingOlder = m_message && outcome.olderSeq == m_message->message.seq;
    m_otherSeq = showingOlder ? outcome.newerSeq : outcome.olderSeq;
    if (m_otherSeq) {
        m_selectButton->setText(tr("Select #%1").arg(*m_otherSeq));
        m_selectButton->show();
    }
    m_model->setRows(outcome.rows);
    m_stack->setCurrentWidget(m_view);
    m_view->resizeColumnToContents(DiffModel::ChangeColumn);
}

void DiffPage::showNotice(const QString &text)
{
    m_notice->setText(text);
    m_stack->setCurrentWidget(m_noticePage);
}

} // namespace zmqscope
