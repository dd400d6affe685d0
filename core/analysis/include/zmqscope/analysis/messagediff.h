#pragma once

#include <span>

#include <QByteArrayView>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringView>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/filterexpression.h> // FilterSubject
#include <zmqscope/analysis/payloaddecoder.h>

namespace zmqscope {

/// One difference between two JSON values, found by diffJson().
struct JsonChange
{
    enum class Kind
    {
        Added, ///< only the newer value has this path
        Removed, ///< only the older value has it
        Changed, ///< both have it, with different values (or different types)
    };
    /// Where: `meta.seq`, `items[2].name`, `["a.b"].c`; empty for the whole value. Keys that are not
    /// plain identifiers are written as quoted JSON strings in brackets.
    QString path;
    Kind kind = Kind::Changed;
    QJsonValue oldValue; ///< Undefined when added
    QJsonValue newValue; ///< Undefined when removed

    friend bool operator==(const JsonChange &, const JsonChange &) = default;
};

/// "added", "removed", "changed".
[[nodiscard]] QString jsonChangeKindName(JsonChange::Kind kind);

/// How much diffJson() and diffFrames() report.
struct DiffLimits
{
    /// Objects and arrays nested deeper are compared as a whole (one change at that path).
    int maxDepth = MaxDecodeDepth;
    /// At most this many changes (JSON) or byte ranges (all frames together) are listed; the rest are
    /// only counted.
    qsizetype maxChanges = 1000;
    /// Bodies larger than this are not decoded for a diff: their bytes are compared instead.
    qsizetype maxDecodeBytes = qsizetype { 8 } << 20;
};

/// The differences between two JSON values, path by path (objects by key, arrays by index).
struct JsonDiff
{
    QList<JsonChange> changes; ///< in path order: object keys sorted, array indexes ascending
    qsizetype omitted = 0; ///< further changes found but not listed (DiffLimits::maxChanges)
    bool depthLimited = false; ///< some values were compared as a whole at DiffLimits::maxDepth

    [[nodiscard]] qsizetype total() const { return changes.size() + omitted; }
};

/// Compares older with newer; an empty diff when they are equal.
[[nodiscard]] JsonDiff diffJson(
    const QJsonValue &older, const QJsonValue &newer, const DiffLimits &limits = {});

/// path with one object key appended: `.key` for identifiers, `["a.b"]` (JSON string escapes) otherwise.
[[nodiscard]] QString appendJsonPathKey(const QString &path, QStringView key);

/// A run of bytes at the same offset of a frame that differs between the two messages.
struct ByteRange
{
    qsizetype offset = 0;
    qsizetype length = 0; ///< past the end of the shorter frame, only the longer one has these bytes
    friend bool operator==(const ByteRange &, const ByteRange &) = default;
};

/// How one frame differs (frames compared by position, bytes by offset).
struct FrameDiff
{
    int frame = 0; ///< 0-based
    qsizetype oldSize = -1; ///< -1: the older message has no such frame
    qsizetype newSize = -1; ///< -1: the newer message has no such frame
    qsizetype firstDifference = 0; ///< the first offset whose byte differs (or where one frame ends)
    QList<ByteRange> ranges; ///< the differing runs, in order (for frames both messages have)
};

/// The differences between the frames of two messages.
struct BytesDiff
{
    int oldFrameCount = 0;
    int newFrameCount = 0;
    QList<FrameDiff> frames; ///< the frames that differ, in order
    qsizetype omittedRanges = 0; ///< differing runs found but not listed (DiffLimits::maxChanges)

    [[nodiscard]] bool isEmpty() const { return frames.isEmpty(); }
};

/**
 * Compares frame by frame; within a frame, byte by byte at the same offsets, joining differing bytes
 * less than four bytes apart into one range (so a changed counter is one range, not several).
 */
[[nodiscard]] BytesDiff diffFrames(std::span<const QByteArrayView> older,
    std::span<const QByteArrayView> newer, const DiffLimits &limits = {});

/// What diffMessages() compared and found.
struct MessageDiff
{
    /// Both bodies decoded (by the decoders, or as JSON text): json holds the diff. Otherwise bytes.
    bool decoded = false;
    QString olderFormat; ///< "JSON", "MessagePack", ... when decoded
    QString newerFormat;
    JsonDiff json;
    BytesDiff bytes;
    /// Why the bytes were compared (plain text, our own words): "the newer body is not JSON: ...". Empty
    /// when decoded, or when neither message decodes as anything.
    QString bytesReason;
};

/**
 * Compares two messages: their decoded bodies field by field when both decode (the first DecoderSet
 * rule that fits, else the mimetype, else the body read as JSON text), their frames byte by byte
 * otherwise. Thread-safe (a DecoderSet decodes from any thread).
 */
[[nodiscard]] MessageDiff diffMessages(const FilterSubject &older, const FilterSubject &newer,
    const DecoderSet &decoders, const DiffLimits &limits = {});

} // namespace zmqscope
