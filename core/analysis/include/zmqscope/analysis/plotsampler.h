#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/jsonpath.h>
#include <zmqscope/store/messagestore.h>

namespace zmqscope {

/// What to plot: a numeric JSON field of the messages, one series per envelope id.
struct PlotField
{
    JsonPath value; ///< y: a number (true and false count as 1 and 0)
    /// x: a numeric field of the same JSON (a timestamp the sender wrote); none for the receive time.
    std::optional<JsonPath> time;
    std::optional<SocketId> socket; ///< only this socket's messages; none for every socket
    std::optional<QByteArray> id; ///< only this envelope id; none for one series per id

    friend bool operator==(const PlotField &, const PlotField &) = default;
};

/// The points of one field for one envelope id, in the order the messages came.
struct PlotSeries
{
    QByteArray id; ///< the envelope id (untrusted bytes); empty for raw messages and an empty id
    std::vector<double> x; ///< receive time in milliseconds since the epoch, or the time field's value
    std::vector<double> y;
    bool xSorted = true; ///< x never went down (receive times do not; a sender's timestamps may)
};

/// What became of the messages a field looked at.
struct PlotCounts
{
    std::uint64_t points = 0; ///< kept, in the series
    std::uint64_t withoutField = 0; ///< of the socket (and id) asked for, but without the field (or its time)
    std::uint64_t notNumeric = 0; ///< the field (or its time) is a string, null, an object or an array
    /// Evicted from the store (retention) before the sampler read them: their points are not known.
    std::uint64_t notSeen = 0;
    /// Of ids beyond PlotSampler::MaxSeriesPerField: counted, not plotted.
    std::uint64_t otherIds = 0;

    friend bool operator==(const PlotCounts &, const PlotCounts &) = default;
};

/**
 * Reads a MessageStore's new messages and keeps the points of the fields asked for (the Plots dock's
 * data, no widgets): every point of every message, two doubles each (10 series at 1 kHz for 10 minutes
 * are 6,000,000 points, 96 MB). Each field starts at the oldest message held when it is added and
 * has its own read position; a message's JSON is parsed (or decoded) once for all the fields that
 * read it. A message evicted before a field read it is counted as not seen.
 *
 * Not thread-safe: one thread at a time (the Plots dock's worker) polls and reads it. The store may be
 * appended meanwhile from its writer thread.
 */
class PlotSampler
{
public:
    /// Envelope ids of one field beyond this many get no series (counted in PlotCounts::otherIds): ids
    /// are untrusted, and a million of them would make a million series.
    static constexpr int MaxSeriesPerField = 64;

    explicit PlotSampler(const MessageStore &store);

    /// The decode rules: a message they (or its mimetype) give a format is read decoded, so msgpack,
    /// CBOR and protobuf fields plot too. Applies to messages read from now on.
    void setDecoders(const DecoderSet &decoders) { m_decoders = decoders; }
    /// Socket names and types, for decode rules that match a socket's name.
    void setSocketNames(const QHash<SocketId, QString> &names) { m_socketNames = names; }

    /// Adds a field, read from the oldest message the store holds now; returns its key (never reused).
    int addField(const PlotField &field);
    /// Drops a field and its points; an unknown key does nothing.
    void removeField(int key);
    [[nodiscard]] QList<int> fieldKeys() const;
    [[nodiscard]] const PlotField *field(int key) const;

    /**
     * Reads up to `maxMessages` messages the fields have not read yet, from the store's firstSeq() on;
     * returns whether more wait (call again). Bounded, so a caller keeps its own pace.
     */
    bool poll(std::uint64_t maxMessages);
    /// The next message each field reads is at most this far behind the store's end (0: caught up).
    [[nodiscard]] std::uint64_t backlog() const;

    /// The series of a field (in the order their ids first came); empty for an unknown key.
    [[nodiscard]] const std::vector<PlotSeries> &series(int key) const;
    [[nodiscard]] PlotCounts counts(int key) const;

    /**
     * Points to draw `series` (its first `count` points) between x0 and x1 over `columns` pixel columns:
     * per column the lowest and highest point (in the order they came), so spikes show and at most 2
     * points per column are drawn however many there are; a sorted series also starts and ends with its
     * first and last point in view. Columns are in x order; a column of an unsorted series may hold
     * points of any time. Also the lowest and highest y drawn (`yMin` > `yMax` when nothing is).
     */
    struct Drawn
    {
        QList<QPointF> points;
        double yMin = 1;
        double yMax = 0;
    };
    [[nodiscard]] static Drawn decimate(
        const PlotSeries &series, std::size_t count, double x0, double x1, int columns);

private:
    struct Field
    {
        int key = 0;
        PlotField spec;
        std::uint64_t next = 0; ///< the next sequence number to read
        std::vector<PlotSeries> series;
        QHash<QByteArray, int> seriesOfId;
        PlotCounts counts;
    };
    void read(Field &field, const MessageView &message, const QByteArray &id, const QJsonValue &document);

    const MessageStore &m_store;
    DecoderSet m_decoders;
    QHash<SocketId, QString> m_socketNames;
    std::vector<Field> m_fields;
    int m_nextKey = 1;
};

} // namespace zmqscope
