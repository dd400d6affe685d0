#pragma once

#include <span>

#include <QByteArrayView>
#include <QStringView>
#include <QVarLengthArray>

#include <zmqscope/error.h> // Frames
#include <zmqscope/store/messagestore.h> // Direction, StoredMessage

class QJsonValue;

namespace zmqscope {

struct CaptureRecord;

/**
 * One message as a filter expression (and a DecoderSet) sees it: views into bytes the caller keeps
 * alive during FilterExpression::matches() (the store's, a capture record's). Nothing is copied.
 */
struct FilterSubject
{
    std::span<const QByteArrayView> frames; ///< as the sending peer put them on the wire
    QByteArrayView peer; ///< a tap's routing id of the client (shown as hex), empty for none
    Direction direction = Direction::In;
    QStringView socket; ///< the socket's (or connection's) display name
    QStringView type; ///< the sender's socket type name ("REQ")
    /// The decoded body (a decoder's JSON value), when there is one; `json.` fields read it instead
    /// of parsing the body as JSON text.
    const QJsonValue *decoded = nullptr;
    /// The size of a message whose frames are not known (a CURVE message seen on the wire, whose
    /// frames are encrypted); -1 when `size` is the bytes of `frames`.
    qint64 size = -1;
};

/**
 * The FilterSubject of a message held as Frames (frames just received, a StoredMessage, a
 * CaptureRecord) together with the frame views it points at. The views are the holder's, the bytes
 * and names stay the message's: the message must outlive the holder, so temporaries are refused.
 * Not copyable, as the subject points into it.
 */
class FilterSubjectHolder
{
public:
    /// Frames received on a socket named `socket` of type `type`.
    explicit FilterSubjectHolder(const Frames &frames, Direction direction = Direction::In,
        QByteArrayView peer = {}, QStringView socket = {}, QStringView type = {});
    /// A stored message; the store knows its socket by id, so the caller names it.
    FilterSubjectHolder(const StoredMessage &message, QStringView socket);
    /// A capture line: its socket, type and peer; an encrypted (CURVE) line's size, as it has no frames.
    explicit FilterSubjectHolder(const CaptureRecord &record);

    explicit FilterSubjectHolder(
        Frames &&, Direction = Direction::In, QByteArrayView = {}, QStringView = {}, QStringView = {})
        = delete;
    FilterSubjectHolder(StoredMessage &&, QStringView) = delete;
    explicit FilterSubjectHolder(CaptureRecord &&) = delete;
    FilterSubjectHolder(const FilterSubjectHolder &) = delete;
    FilterSubjectHolder &operator=(const FilterSubjectHolder &) = delete;

    [[nodiscard]] const FilterSubject &subject() const { return m_subject; }

private:
    QVarLengthArray<QByteArrayView, 8> m_views; ///< most messages have few frames: no allocation
    FilterSubject m_subject;
};

} // namespace zmqscope
