// The Plots dock's data: points of JSON fields read from the store in bounded polls, kept whole, and
// cut down to what a plot's pixel columns can show when drawn.

#include <algorithm>
#include <cmath>
#include <limits>

#include <zmqscope/analysis/plotsampler.h>
#include <zmqscope/envelope.h>

namespace zmqscope {

namespace {

/// A JSON value as a point's coordinate: numbers, and booleans as 0 and 1.
std::optional<double> numberOf(const QJsonValue &value)
{
    if (value.isBool())
        return value.toBool() ? 1.0 : 0.0;
    if (value.isDouble() && std::isfinite(value.toDouble()))
        return value.toDouble();
    return std::nullopt;
}

const std::vector<PlotSeries> NoSeries;

} // namespace

PlotSampler::PlotSampler(const MessageStore &store)
    : m_store(store)
{ }

int PlotSampler::addField(const PlotField &field)
{
    Field added;
    added.key = m_nextKey++;
    added.spec = field;
    added.next = m_store.firstSeq();
    m_fields.push_back(std::move(added));
    return m_fields.back().key;
}

void PlotSampler::removeField(int key)
{
    std::erase_if(m_fields, [key](const Field &field) { return field.key == key; });
}

QList<int> PlotSampler::fieldKeys() const
{
    QList<int> keys;
    for (const Field &field : m_fields)
        keys.append(field.key);
    return keys;
}

const PlotField *PlotSampler::field(int key) const
{
    for (const Field &field : m_fields)
        if (field.key == key)
            return &field.spec;
    return nullptr;
}

const std::vector<PlotSeries> &PlotSampler::series(int key) const
{
    for (const Field &field : m_fields)
        if (field.key == key)
            return field.series;
    return NoSeries;
}

PlotCounts PlotSampler::counts(int key) const
{
    for (const Field &field : m_fields)
        if (field.key == key)
            return field.counts;
    return {};
}

std::uint64_t PlotSampler::backlog() const
{
    const std::uint64_t end = m_store.endSeq();
    std::uint64_t behind = 0;
    for (const Field &field : m_fields)
        behind = std::max(behind, end > field.next ? end - field.next : 0);
    return behind;
}

bool PlotSampler::poll(std::uint64_t maxMessages)
{
    if (m_fields.empty() || maxMessages == 0)
        return false;
    const std::uint64_t first = m_store.firstSeq();
    const std::uint64_t end = m_store.endSeq();
    std::uint64_t from = std::numeric_limits<std::uint64_t>::max();
    for (Field &field : m_fields) {
        if (field.next < first) {
            field.counts.notSeen += first - field.next;
            field.next = first;
        }
        from = std::min(from, field.next);
    }
    if (from >= end)
        return false;
    const std::uint64_t until = std::min(end, from + maxMessages);
    m_store.visit(from, until, [this](const MessageView &message) {
        bool identified = false;
        QByteArray id;
        std::optional<QJsonValue> document;
        for (Field &field : m_fields) {
            if (field.next > message.seq)
                continue;
            // Messages skipped over were evicted while the store was being read.
            field.counts.notSeen += message.seq - field.next;
            field.next = message.seq + 1;
            if (field.spec.socket && *field.spec.socket != message.socket)
                continue;
            if (!identified) {
                identified = true;
                const auto count = qsizetype(message.frames.size());
                const EnvelopeLayout layout = envelopeLayout(
                    count, [&message](qsizetype i) { return message.frames[std::size_t(i)].size(); });
                if (layout.kind != MessageKind::Raw)
                    id = message.frames[std::size_t(EnvelopeLayout::idIndex(count))].toByteArray();
            }
            if (field.spec.id && *field.spec.id != id)
                continue;
            if (!document) {
                const QString socketName = m_socketNames.value(message.socket);
                FilterSubject subject;
                subject.frames = message.frames;
                subject.peer = message.peer;
                subject.direction = message.direction;
                subject.socket = socketName;
                if (std::optional<DecodedPayload> decoded = m_decoders.decode(subject))
                    document = decoded->value ? *decoded->value : QJsonValue(QJsonValue::Undefined);
                else
                    document = JsonPath::documentOf(subject);
            }
            read(field, message, id, *document);
        }
        return true;
    });
    for (const Field &field : m_fields)
        if (field.next < m_store.endSeq())
            return true;
    return false;
}

void PlotSampler::read(
    Field &field, const MessageView &message, const QByteArray &id, const QJsonValue &document)
{
    const QJsonValue value = field.spec.value.valueIn(document);
    const QJsonValue time = field.spec.time ? field.spec.time->valueIn(document) : QJsonValue();
    if (value.isUndefined() || time.isUndefined()) {
        ++field.counts.withoutField;
        return;
    }
    const std::optional<double> y = numberOf(value);
    const std::optional<double> x
        = field.spec.time ? numberOf(time) : std::optional<double>(double(message.timestampUs) / 1000.0);
    if (!x || !y) {
        ++field.counts.notNumeric;
        return;
    }
    auto found = field.seriesOfId.constFind(id);
    if (found == field.seriesOfId.cend()) {
        if (field.series.size() >= std::size_t(MaxSeriesPerField)) {
            ++field.counts.otherIds;
            return;
        }
        found = field.seriesOfId.insert(id, int(field.series.size()));
        field.series.push_back({ id, {}, {}, true });
    }
    PlotSeries &series = field.series[std::size_t(*found)];
    if (!series.x.empty() && *x < series.x.back())
        series.xSorted = false;
    series.x.push_back(*x);
    series.y.push_back(*y);
    ++field.counts.points;
}

PlotSampler::Drawn PlotSampler::decimate(
    const PlotSeries &series, std::size_t count, double x0, double x1, int columns)
{
    Drawn drawn;
    count = std::min({ count, series.x.size(), series.y.size() });
    if (count == 0 || columns < 1 || !(x1 >= x0))
        return drawn;
    const auto xs = series.x.cbegin();
    std::size_t begin = 0;
    std::size_t end = count;
    if (series.xSorted) {
        // Only the points in view, and one on each side so the line runs to the edges.
        begin = std::size_t(std::lower_bound(xs, xs + std::ptrdiff_t(count), x0) - xs);
        end = std::size_t(std::upper_bound(xs, xs + std::ptrdiff_t(count), x1) - xs);
        begin = begin > 0 ? begin - 1 : 0;
        end = std::min(count, end + 1);
    }
    struct Column
    {
        std::size_t low = 0;
        std::size_t high = 0;
        bool used = false;
    };
    std::vector<Column> buckets(static_cast<std::size_t>(columns));
    const double scale = x1 > x0 ? double(columns) / (x1 - x0) : 0.0;
    std::optional<std::size_t> first;
    std::size_t last = 0;
    for (std::size_t i = begin; i < end; ++i) {
        const double x = series.x[i];
        if (!series.xSorted && (x < x0 || x > x1))
            continue;
        if (!first)
            first = i;
        last = i;
        const double at = std::clamp((x - x0) * scale, 0.0, double(columns - 1));
        Column &column = buckets[std::size_t(at)];
        if (!column.used) {
            column = { i, i, true };
            continue;
        }
        if (series.y[i] < series.y[column.low])
            column.low = i;
        if (series.y[i] > series.y[column.high])
            column.high = i;
    }
    drawn.yMin = std::numeric_limits<double>::infinity();
    drawn.yMax = -std::numeric_limits<double>::infinity();
    const auto add = [&drawn, &series](std::size_t i) {
        drawn.points.append(QPointF(series.x[i], series.y[i]));
        drawn.yMin = std::min(drawn.yMin, series.y[i]);
        drawn.yMax = std::max(drawn.yMax, series.y[i]);
    };
    // The line starts and ends where the points in view do; in between, each column's extremes.
    std::size_t previous = std::numeric_limits<std::size_t>::max();
    const auto addOnce = [&add, &previous](std::size_t i) {
        if (i != previous)
            add(i);
        previous = i;
    };
    if (first && series.xSorted)
        addOnce(*first);
    for (std::size_t c = 0; c < buckets.size(); ++c) {
        const Column &column = buckets[c];
        if (!column.used)
            continue;
        const bool lowFirst = column.low <= column.high;
        addOnce(lowFirst ? column.low : column.high);
        addOnce(lowFirst ? column.high : column.low);
    }
    if (first && series.xSorted)
        addOnce(last);
    if (drawn.points.isEmpty()) {
        drawn.yMin = 1;
        drawn.yMax = 0;
    }
    return drawn;
}

} // namespace zmqscope
