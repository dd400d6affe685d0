#pragma once

#include <utility>

#include <QList>
#include <QString>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/engine/engine.h>
#include <zmqscope/error.h>

/**
 * A workspace file: the sockets and taps (and their options) a user set up, saved as
 *
 *     {"zmqscope_workspace": 1, "sockets": [SocketSpec::toJson(), ...],
 *      "taps": [{"name", "pattern": "req-rep", "listen": [...], "forward": [...],
 *                "listen_options": [...], "forward_options": [...]}, ...],
 *      "sniffers": [{"name", "interface": "lo", "ports": [5555, ...]}, ...]}
 *
 * (options as in a socket entry; "taps" and "sniffers" may be missing). A socket entry's "security"
 * and a tap's "listen_security" / "forward_security" (SocketSecurity::toJson(), only when not NULL)
 * never hold a secret: a CURVE secret key is kept as the path of its certificate file and read back
 * from it, PLAIN passwords are asked for when the workspace is opened (PasswordPrompt). Names are unique over
 * sockets, taps and sniffers together, as the engine keeps them.
 *
 * so that File > Open Workspace and `zmqscope --session FILE` bring them back.
 */
class Workspace
{
public:
    /// The format version written, and the only one read.
    static constexpr int Version = 1;

    Workspace() = default;
    explicit Workspace(QList<zmqscope::SocketSpec> sockets, QList<zmqscope::TapSpec> taps = {},
        QList<zmqscope::SniffSpec> sniffers = {});

    [[nodiscard]] const QList<zmqscope::SocketSpec> &sockets() const { return m_sockets; }
    void setSockets(const QList<zmqscope::SocketSpec> &sockets) { m_sockets = sockets; }
    [[nodiscard]] const QList<zmqscope::TapSpec> &taps() const { return m_taps; }
    [[nodiscard]] const QList<zmqscope::SniffSpec> &sniffers() const { return m_sniffers; }
    /// The decode rules (View > Decoders), as written ("id=order-*:msgpack"), in their order.
    [[nodiscard]] const QList<zmqscope::DecodeRule> &decodeRules() const { return m_decodeRules; }
    void setDecodeRules(const QList<zmqscope::DecodeRule> &rules) { m_decodeRules = rules; }
    /// The saved filters (name, text) of the filter box's Filters menu.
    [[nodiscard]] const QList<std::pair<QString, QString>> &savedFilters() const { return m_savedFilters; }
    void setSavedFilters(const QList<std::pair<QString, QString>> &filters) { m_savedFilters = filters; }

    /// Writes the file atomically (QSaveFile): a failed save leaves the old file as it was.
    /// Fails with FileError naming the file and the reason.
    [[nodiscard]] zmqscope::Result<void> save(const QString &fileName) const;

    /// What save() leaves out that the user may expect back: one line per socket or tap side whose CURVE
    /// key pair came from no certificate file (generated in a dialog), saying what reopening it does.
    [[nodiscard]] QStringList unsavedKeyWarnings() const;

    /// Reads a workspace file. Fails with FileError when the file cannot be read, InvalidBody when
    /// it is not a workspace (not JSON with line and column, wrong version), or the socket or tap
    /// entry's own code ("socket entry at index N: ...", "tap entry at index N (\"name\"): ..."); the
    /// message names the file and the problem.
    [[nodiscard]] static zmqscope::Result<Workspace> load(const QString &fileName);

    /// The JSON document's bytes, as save() writes them.
    [[nodiscard]] QByteArray toJson() const;
    /// Parses bytes as load() does; `source` names the origin in error messages (a file name).
    [[nodiscard]] static zmqscope::Result<Workspace> fromJson(const QByteArray &json, const QString &source);

private:
    QList<zmqscope::SocketSpec> m_sockets;
    QList<zmqscope::TapSpec> m_taps;
    QList<zmqscope::SniffSpec> m_sniffers;
    QList<zmqscope::DecodeRule> m_decodeRules;
    QList<std::pair<QString, QString>> m_savedFilters;
};
