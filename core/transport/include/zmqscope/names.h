#pragma once

#include <optional>

#include <QAnyStringView>
#include <QStringList>

#include <zmqscope/error.h>

namespace zmqscope {

/// Every ZeroMQ socket type, with libzmq's own numbers.
enum class SocketType : int
{
    Pair = 0,
    Pub = 1,
    Sub = 2,
    Req = 3,
    Rep = 4,
    Dealer = 5,
    Router = 6,
    Pull = 7,
    Push = 8,
    XPub = 9,
    XSub = 10,
    Stream = 11,
};

/// Looks a socket type up by name, case-insensitively ("rep", "PUB", "xsub").
[[nodiscard]] std::optional<SocketType> findSocketType(QAnyStringView name) noexcept;
/// Like findSocketType() but throws ErrorCode::UnknownSocketType listing the valid names.
[[nodiscard]] SocketType socketTypeFromName(QAnyStringView name);
/// The canonical upper-case name ("REQ").
[[nodiscard]] QString socketTypeName(SocketType type);
/// All canonical names, in libzmq order.
[[nodiscard]] QStringList socketTypeNames();

/// True for types whose receive side is meaningful (everything but PUB and PUSH).
[[nodiscard]] bool socketTypeCanReceive(SocketType type) noexcept;
/// True for types that can send (everything but SUB and PULL).
[[nodiscard]] bool socketTypeCanSend(SocketType type) noexcept;

/// The kind of value a socket option takes.
enum class OptionKind
{
    Int, ///< int, e.g. linger, rcvhwm
    Int64, ///< int64_t, e.g. maxmsgsize
    Bool, ///< int 0/1, e.g. immediate, conflate
    Bytes, ///< binary, e.g. subscribe, routing_id
    Text, ///< string, e.g. plain_username, zap_domain
    CurveKey, ///< 32 bytes binary or 40 characters Z85
};

/// One row of the option table.
struct OptionInfo
{
    const char *name; ///< canonical lower-case name, as in the seed ("rcvhwm")
    int zmqOption; ///< ZMQ_* number
    OptionKind kind;
    bool readable; ///< false for write-only options (subscribe, unsubscribe)
    bool writable; ///< false for read-only options
};

/// Looks an option up by name, case-insensitively; "identity" is an alias of "routing_id".
[[nodiscard]] const OptionInfo *findOption(QAnyStringView name) noexcept;
/// Like findOption() but throws ErrorCode::UnknownOption listing the valid names.
[[nodiscard]] const OptionInfo &optionFromName(QAnyStringView name);
/// All canonical option names, sorted.
[[nodiscard]] QStringList optionNames();
/// A short word for the kind ("integer", "boolean", "bytes", ...), for messages.
[[nodiscard]] QString optionKindName(OptionKind kind);

} // namespace zmqscope
