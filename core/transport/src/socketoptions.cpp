// Socket::setOption() and Socket::option(): the option table (names.h) applied to libzmq.

#include <cerrno>
#include <climits>

#include "socket_p.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// The option table is by ZMQ_* number, which cppzmq's typed sockopt API cannot take; use libzmq directly.
void setRaw(zmq::socket_t &socket, int option, const void *value, size_t size)
{
    if (zmq_setsockopt(socket.handle(), option, value, size) != 0)
        throw zmq::error_t();
}

void getRaw(zmq::socket_t &socket, int option, void *value, size_t *size)
{
    if (zmq_getsockopt(socket.handle(), option, value, size) != 0)
        throw zmq::error_t();
}

} // namespace

void Socket::setOption(QAnyStringView name, const OptionValue &value)
{
    openSocketPrivate(d);
    const OptionInfo &info = optionFromName(name);
    const QString optionName = QString::fromLatin1(info.name);
    if (!info.writable)
        throw Error(ErrorCode::InvalidOptionValue, u"option %1 is read-only"_s.arg(optionName));
    try {
        switch (info.kind) {
        case OptionKind::Int: {
            const auto number = value.toInt();
            if (number < INT_MIN || number > INT_MAX)
                throw Error(ErrorCode::InvalidOptionValue,
                    u"expected an integer that fits 32 bits, got %1"_s.arg(number));
            const int v = int(number);
            setRaw(d->socket, info.zmqOption, &v, sizeof v);
            break;
        }
        case OptionKind::Int64: {
            const std::int64_t v = value.toInt();
            setRaw(d->socket, info.zmqOption, &v, sizeof v);
            break;
        }
        case OptionKind::Bool: {
            const int v = value.toBool() ? 1 : 0;
            setRaw(d->socket, info.zmqOption, &v, sizeof v);
            break;
        }
        case OptionKind::Bytes:
        case OptionKind::Text: {
            const QByteArray bytes = value.toBytes();
            setRaw(d->socket, info.zmqOption, bytes.constData(), size_t(bytes.size()));
            break;
        }
        case OptionKind::CurveKey: {
            const QByteArray key = value.toBytes();
            if (key.size() != 32 && key.size() != 40)
                throw Error(ErrorCode::InvalidOptionValue,
                    u"expected a CURVE key of 32 bytes or 40 Z85 characters, got %1 bytes"_s.arg(key.size()));
            setRaw(d->socket, info.zmqOption, key.constData(), size_t(key.size()));
            break;
        }
        }
    } catch (const Error &error) {
        throw Error(ErrorCode::InvalidOptionValue, u"option %1: %2"_s.arg(optionName, error.message()));
    } catch (const zmq::error_t &error) {
        if (error.num() == EINVAL)
            throw Error(ErrorCode::InvalidOptionValue,
                u"cannot set option %1 to %2 on a %3 socket: libzmq rejects the value or the option "
                u"for this socket type"_s.arg(optionName, value.toDisplayString(), socketTypeName(d->type)),
                EINVAL);
        d->fail(error, u"setting option %1"_s.arg(optionName));
    }
    if (info.zmqOption == ZMQ_SUBSCRIBE || info.zmqOption == ZMQ_UNSUBSCRIBE)
        d->noteActivity(); // rule 4
}

OptionValue Socket::option(QAnyStringView name) const
{
    openSocketPrivate(d);
    const OptionInfo &info = optionFromName(name);
    const QString optionName = QString::fromLatin1(info.name);
    if (!info.readable)
        throw Error(ErrorCode::InvalidOptionValue,
            u"option %1 is write-only; libzmq cannot read it back"_s.arg(optionName));
    try {
        switch (info.kind) {
        case OptionKind::Int: {
            int v = 0;
            size_t size = sizeof v;
            getRaw(d->socket, info.zmqOption, &v, &size);
            return OptionValue(v);
        }
        case OptionKind::Int64: {
            std::int64_t v = 0;
            size_t size = sizeof v;
            getRaw(d->socket, info.zmqOption, &v, &size);
            return OptionValue(v);
        }
        case OptionKind::Bool: {
            int v = 0;
            size_t size = sizeof v;
            getRaw(d->socket, info.zmqOption, &v, &size);
            return OptionValue(v != 0);
        }
        case OptionKind::Bytes:
        case OptionKind::Text: {
            char buffer[256];
            size_t size = sizeof buffer;
            getRaw(d->socket, info.zmqOption, buffer, &size);
            QByteArray bytes(buffer, qsizetype(size));
            if (info.kind == OptionKind::Text && bytes.endsWith('\0'))
                bytes.chop(1);
            return OptionValue(bytes);
        }
        case OptionKind::CurveKey: {
            char buffer[41];
            size_t size = sizeof buffer;
            getRaw(d->socket, info.zmqOption, buffer, &size);
            return OptionValue(QByteArray(buffer, 40));
        }
        }
    } catch (const zmq::error_t &error) {
        d->fail(error, u"reading option %1"_s.arg(optionName));
    }
    return {};
}

} // namespace zmqscope
