#include <zmqscope/error.h>

namespace zmqscope {

Error::Error(ErrorCode code, const QString &message, int zmqErrno, Frames frames)
    : std::runtime_error(message.toStdString())
    , m_code(code)
    , m_errno(zmqErrno)
    , m_frames(std::move(frames))
{
}

} // namespace zmqscope
