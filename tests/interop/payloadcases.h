#pragma once

// The payload decoder tests' values, encoded by an independent implementation: tests/interop/
// payload_peer.py on Debian's python3-msgpack, python3-cbor2 and python3-protobuf, with the
// protobuf descriptor set and Python module made by protoc from tests/analysis/data/*.proto.

#include <QByteArray>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

namespace payloadcases {

struct Case
{
    QString name;
    QString format; ///< "json", "cbor", "msgpack", "protobuf"
    QString type; ///< protobuf: the message type
    QByteArray mimetype;
    QByteArray body;
    QJsonValue expected;
};

inline QString script()
{
    return QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/interop/payload_peer.py");
}

/// Runs protoc on the test protos into `dir`: telemetry.desc (with its import) and the Python
/// modules. Returns protoc's complaint, empty when it worked.
inline QString compileProtos(const QString &dir)
{
    const QString protoc = QStandardPaths::findExecutable(QStringLiteral("protoc"));
    if (protoc.isEmpty())
        return QStringLiteral("protoc is not installed (Debian's protobuf-compiler)");
    const QString protos = QStringLiteral(ZMQSCOPE_SOURCE_DIR "/tests/analysis/data");
    QProcess process;
    process.start(protoc,
        { QStringLiteral("-I") + protos, QStringLiteral("--python_out=") + dir,
            QStringLiteral("--descriptor_set_out=") + QDir(dir).filePath(QStringLiteral("telemetry.desc")),
            QStringLiteral("--include_imports"), protos + QStringLiteral("/telemetry.proto"),
            protos + QStringLiteral("/units.proto") });
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        return QStringLiteral("protoc failed: ") + QString::fromUtf8(process.readAllStandardError());
    return {};
}

/// The cases payload_peer.py prints (protobuf ones from `protoDir`, made by compileProtos()).
/// Empty with `error` set when the script failed.
inline QList<Case> load(const QString &protoDir, QString &error)
{
    QProcess process;
    process.start(QStringLiteral(ZMQSCOPE_PYTHON),
        { script(), QStringLiteral("cases"), QStringLiteral("--proto-dir"), protoDir });
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
        error = QStringLiteral("payload_peer.py cases failed: ")
            + QString::fromUtf8(process.readAllStandardError());
        return {};
    }
    QList<Case> cases;
    for (const QByteArray &line : process.readAllStandardOutput().split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        cases.append({ object.value(QStringLiteral("name")).toString(),
            object.value(QStringLiteral("format")).toString(),
            object.value(QStringLiteral("type")).toString(),
            object.value(QStringLiteral("mimetype")).toString().toUtf8(),
            QByteArray::fromBase64(object.value(QStringLiteral("base64")).toString().toLatin1()),
            object.value(QStringLiteral("expected")) });
    }
    return cases;
}

/// compileProtos() into `dir`, then load(): the cases, or empty with `error` saying why.
inline QList<Case> prepare(const QString &dir, QString &error)
{
    error = compileProtos(dir);
    return error.isEmpty() ? load(dir, error) : QList<Case>();
}

/// Whether two decoded values are the same JSON, numbers compared as doubles (a value Qt keeps as an
/// integer and the same one Python wrote as a float are equal).
inline bool sameJson(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble();
    if (a.isArray() && b.isArray()) {
        const QJsonArray x = a.toArray();
        const QJsonArray y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!sameJson(x.at(i), y.at(i)))
                return false;
        }
        return true;
    }
    if (a.isObject() && b.isObject()) {
        const QJsonObject x = a.toObject();
        const QJsonObject y = b.toObject();
        if (x.keys() != y.keys())
            return false;
        for (auto it = x.begin(); it != x.end(); ++it) {
            if (!sameJson(it.value(), y.value(it.key())))
                return false;
        }
        return true;
    }
    return a == b;
}

inline QString compact(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact));
}

} // namespace payloadcases
