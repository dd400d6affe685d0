#include "storestatus.h"

#include <QLabel>
#include <QLocale>
#include <QStatusBar>

#include <zmqscope/store/messagestore.h>

#include "displaytext.h"
#include "messagetablemodel.h"
#include "preferences.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

StoreStatus::StoreStatus(const MessageStore &store, const MessageTableModel &model, QStatusBar &statusBar)
    : QObject(&statusBar)
    , m_store(store)
    , m_model(model)
{
    m_clock.start();
    m_statsLabel = new QLabel(&statusBar);
    m_statsLabel->setObjectName(u"storeStats"_s);
    m_statsLabel->setTextFormat(Qt::PlainText);
    m_rateLabel = new QLabel(&statusBar);
    m_rateLabel->setObjectName(u"rate"_s);
    m_rateLabel->setTextFormat(Qt::PlainText);
    m_rateLabel->setMinimumWidth(m_rateLabel->fontMetrics().horizontalAdvance(u"1,000,000 msg/s"_s));
    m_rateLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_pausedLabel = new QLabel(&statusBar);
    m_pausedLabel->setObjectName(u"paused"_s);
    m_pausedLabel->setTextFormat(Qt::PlainText);
    m_pausedLabel->setStyleSheet(u"QLabel { color: #c06c00; font-weight: bold; }"_s);
    m_pausedLabel->setVisible(false);
    statusBar.addPermanentWidget(m_pausedLabel);
    statusBar.addPermanentWidget(m_statsLabel);
    statusBar.addPermanentWidget(m_rateLabel);
}

void StoreStatus::refresh()
{
    const QLocale locale;
    const MessageStore::Stats stats = m_store.stats();
    const MessageStore::Limits limits = m_store.limits();
    const auto count = [&locale](std::uint64_t n) { return locale.toString(qulonglong(n)); };
    // "1,234,567 kept of 5,000,000 · 12,000 evicted · 187 MiB of 1 GiB": the bytes are what the limit counts.
    QString text = u"%1 kept of %2"_s.arg(count(stats.kept), count(limits.maxMessages));
    if (stats.evicted > 0)
        text += u"  \u00b7  %1 evicted"_s.arg(count(stats.evicted));
    text += u"  \u00b7  %1 of %2"_s.arg(
        displaytext::dataSize(stats.bytesKept), formatLimitSize(limits.maxBytes));
    const MessageTableModel *model = &m_model;
    if (!model->filter().isEmpty())
        text += u"  \u00b7  %1 shown"_s.arg(locale.toString(model->totalRows()));
    m_statsLabel->setText(text);

    // Evicting now (in the last few seconds) shows in colour; an old eviction count alone does not.
    const qint64 nowMs = m_clock.elapsed();
    if (stats.evicted > m_lastEvicted)
        m_lastEvictionMs = nowMs;
    else if (stats.evicted < m_lastEvicted)
        m_lastEvictionMs = -1; // cleared
    m_lastEvicted = stats.evicted;
    const bool evicting = m_lastEvictionMs >= 0 && nowMs - m_lastEvictionMs < EvictionHighlightMs;
    if (evicting != m_evictionShown) {
        m_evictionShown = evicting;
        m_statsLabel->setStyleSheet(
            evicting ? u"QLabel { color: #c06c00; font-weight: bold; }"_s : QString());
    }
    QString tip
        = u"Retention: ZmqScope keeps at most %1 messages and %2 of message data in memory. When either "
          u"limit is reached the oldest messages are dropped (evicted), a block at a time, so the newest "
          u"traffic stays.\n\nNow: %3 messages, %4 of message data, %5 in use with the index."_s.arg(
              count(limits.maxMessages), formatLimitSize(limits.maxBytes), count(stats.kept),
              displaytext::dataSize(stats.bytesKept), displaytext::dataSize(stats.memoryInUse));
    if (stats.evicted > 0)
        tip += u"\n%1 evicted since the last clear%2."_s.arg(
            count(stats.evicted), evicting ? u", some just now"_s : QString());
    tip += u"\n\nChange the limits in Edit > Preferences (Ctrl+,) or for one run with --max-messages and "
           u"--max-memory."_s;
    m_statsLabel->setToolTip(tip);

    // Rate over the last second, from the store's sequence numbers: counts sent messages too.
    const qint64 now = m_clock.elapsed();
    const std::uint64_t endSeq = m_store.endSeq();
    m_rateSamples.emplace_back(now, endSeq);
    while (m_rateSamples.size() > 2 && now - m_rateSamples[1].first >= RateWindowMs)
        m_rateSamples.pop_front();
    const auto &[oldTime, oldSeq] = m_rateSamples.front();
    const double seconds = double(now - oldTime) / 1000.0;
    const double rate = seconds > 0.2 ? double(endSeq - oldSeq) / seconds : 0.0;
    m_rateLabel->setText(u"%1 msg/s"_s.arg(locale.toString(qRound64(rate))));

    if (model->isPaused()) {
        m_pausedLabel->setText(u"paused, %1 new"_s.arg(locale.toString(qulonglong(model->hiddenNewCount()))));
        m_pausedLabel->setVisible(true);
    } else {
        m_pausedLabel->setVisible(false);
    }
}

} // namespace zmqscope
