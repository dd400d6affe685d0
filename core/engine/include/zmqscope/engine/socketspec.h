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
 * The name an Engine gives a socket opened with `spec` as socket `id`: the spec's name trimmed, or
 * "<TYPE> <id>" when that is empty; when `taken` says another open socket has it, " (2)", " (3)", ...
 * is appended until it does not.
 */
[[nodiscard]] QString uniqueSocketName(
    const SocketSpec &spec, SocketId id, const std::function<bool(const QString &)> &taken);

} // namespace zmqscope

Q_DECLARE_METATYPE(zmqscope::SocketSpec)
