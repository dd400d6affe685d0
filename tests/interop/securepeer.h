#pragma once

// What the security tests (core, engine, CLI; issue 16) share: the python3-zmq security peer
// (tests/interop/secure_peer.py, its interface is in its docstring) and CURVE keys of our own
// written as czmq certificates, and the permission bits of the files they are in.

#include <memory>
#include <sys/stat.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <zmqscope/security.h>

#include "testprocess.h"

namespace securepeer {

/// Starts secure_peer.py on Debian's /usr/bin/python3 with `arguments` (a command and its options).
[[nodiscard]] inline bool start(TestProcess &peer, const QStringList &arguments)
{
    return peer.start(QStringLiteral(ZMQSCOPE_PYTHON),
        QStringList { QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/secure_peer.py") } + arguments);
}

/// Runs the peer to its end (keygen, load, a client); check exitedWith() on the result.
[[nodiscard]] inline std::unique_ptr<TestProcess> run(const QStringList &arguments, int timeoutMs = 30000)
{
    auto peer = std::make_unique<TestProcess>();
    if (start(*peer, arguments))
        (void)peer->waitForFinished(timeoutMs);
    return peer;
}

/// pyzmq's certificates (zmq.auth.create_certificates) in `dir`: NAME.key and NAME.key_secret for each name.
[[nodiscard]] inline bool keygen(const QString &dir, const QStringList &names)
{
    return run(QStringList { QStringLiteral("keygen"), dir } + names)->exitedWith(0);
}

/// The JSON object on line `index` of the peer's stdout (`load`'s certificates, a client's event line).
[[nodiscard]] inline QJsonObject jsonLine(const TestProcess &peer, qsizetype index)
{
    const QList<QByteArray> lines = peer.lines();
    return index < lines.size() ? QJsonDocument::fromJson(lines.at(index)).object() : QJsonObject();
}

/// The frames of a client's reply: the {"frames": ...} line after its endpoint; empty when none came.
[[nodiscard]] inline QList<QByteArray> reply(const TestProcess &client)
{
    const QList<QList<QByteArray>> messages = client.peerMessages();
    return messages.size() == 1 ? messages.constFirst() : QList<QByteArray>();
}

/// A CURVE key pair of ours, written as czmq certificates DIR/NAME.key and DIR/NAME.key_secret; the
/// file names are empty when writing failed.
struct OwnKeys
{
    zmqscope::CurveKeyPair pair;
    QString secretFile;
    QString publicFile;
};

[[nodiscard]] inline OwnKeys ownKeys(const QString &dir, const QString &name)
{
    OwnKeys keys;
    keys.pair = zmqscope::generateCurveKeyPair().valueOr({});
    const QString base = QDir(dir).filePath(name);
    if (!keys.pair.secretKey.isEmpty() && zmqscope::writeCurveCertificate(base, keys.pair)) {
        keys.secretFile = base + QStringLiteral(".key_secret");
        keys.publicFile = base + QStringLiteral(".key");
    }
    return keys;
}

/// The permission bits of a file (0600, 0644), or -1 when it cannot be read.
[[nodiscard]] inline int fileMode(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

} // namespace securepeer
