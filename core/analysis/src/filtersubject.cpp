#include <zmqscope/analysis/filtersubject.h>
#include <zmqscope/capture/capture.h>

namespace zmqscope {

FilterSubjectHolder::FilterSubjectHolder(
    const Frames &frames, Direction direction, QByteArrayView peer, QStringView socket, QStringView type)
    : m_views(frames.cbegin(), frames.cend())
{
    m_subject.frames = std::span<const QByteArrayView>(m_views.constData(), std::size_t(m_views.size()));
    m_subject.peer = peer;
    m_subject.direction = direction;
    m_subject.socket = socket;
    m_subject.type = type;
}

FilterSubjectHolder::FilterSubjectHolder(const StoredMessage &message, QStringView socket)
    : FilterSubjectHolder(message.frames, message.direction, message.peer, socket)
{ }

FilterSubjectHolder::FilterSubjectHolder(const CaptureRecord &record)
    : FilterSubjectHolder(record.frames, record.direction, record.peer, record.socket, record.type)
{
    if (record.encrypted)
        m_subject.size = qint64(record.size);
}

} // namespace zmqscope
