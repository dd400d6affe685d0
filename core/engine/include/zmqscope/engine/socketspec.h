#pragma once

#include <functional>

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>
#include <zmqscope/store/messagestore.h> // SocketId

namespace zmqscope {

/// What a user asks for when opening a socket; saved in workspaces as JSON.
struct SocketSpec
{
    QString name; ///< display name ("SUB 1"); unique within an Engine
    SocketType type = SocketType::Sub;
    QStringList binds; ///< endpoints to bind; "tcp://127.0.0.1:*" binds a free port
    QStringList connects; ///< endpoints to connect
    QList<QByteArray> subscriptions; ///< SUB/XSUB prefixes; empty means everything
    Options options; ///< applied in order before binding/connecting (names as in names.h)

    [[nodiscard]] QJsonObject toJson() const;
    /// Throws Error (UnknownSocketType, UnknownOption, InvalidOptionValue) naming the bad field.
    [[nodiscard]] static SocketSpec fromJson(const QJsonObject &json);
    /// Checks names, endpoints' shape and option values without opening anything; throws Error.
    void validate() const;
};

/**
 * The one socket naming rule (the Engine, the main window and the socket dialog use it): `wanted`
 * trimmed, with " (2)", " (3)", ... appended while `taken` says another socket has that name; an
 * empty `wanted` gives the first "<TYPE> <n>" (n = 1, 2, ...) that is not taken ("SUB 1").
 */
[[nodiscard]] QString uniqueSocketName(
    const QString &wanted, SocketType type, const std::function<bool(const QString &)> &taken);

} // namespace zmqscope

Q_DECLARE_METATYPE(zmqscope::SocketSpec)
