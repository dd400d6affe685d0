#pragma once

#include <optional>

#include <QList>
#include <QString>

#include <zmqscope/engine/engine.h>

/**
 * A workspace file: the sockets (and their options) a user set up, saved as
 *
 *     {"zmqscope_workspace": 1, "sockets": [SocketSpec::toJson(), ...]}
 *
 * so that File > Open Workspace and `zmqscope --session FILE` bring them back.
 */
class Workspace
{
public:
    /// The format version written, and the only one read.
    static constexpr int Version = 1;

    Workspace() = default;
    explicit Workspace(QList<zmqscope::SocketSpec> sockets);

    [[nodiscard]] const QList<zmqscope::SocketSpec> &sockets() const { return m_sockets; }
    void setSockets(const QList<zmqscope::SocketSpec> &sockets) { m_sockets = sockets; }

    /// Writes the file atomically (QSaveFile): a failed save leaves the old file as it was.
    /// False and *errorMessage naming the file and the reason on failure.
    bool save(const QString &fileName, QString *errorMessage = nullptr) const;

    /// Reads a workspace file. Nothing, and *errorMessage naming the file and the problem
    /// (not JSON with line and column, wrong version, "socket entry at index N: ..."), on failure.
    [[nodiscard]] static std::optional<Workspace> load(
        const QString &fileName, QString *errorMessage = nullptr);

    /// The JSON document's bytes, as save() writes them.
    [[nodiscard]] QByteArray toJson() const;
    /// Parses bytes as load() does; `source` names the origin in error messages (a file name).
    [[nodiscard]] static std::optional<Workspace> fromJson(
        const QByteArray &json, const QString &source, QString *errorMessage = nullptr);

private:
    QList<zmqscope::SocketSpec> m_sockets;
};
