#include "workspace.h"

#include <exception>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>

#include <zmqscope/capture/fileio.h>
#include <zmqscope/error.h>

#include "jsontext.h"

using namespace Qt::StringLiterals;
using zmqscope::Error;
using zmqscope::ErrorCode;
using zmqscope::jsonTypeName;

namespace {

const auto VersionKey = u"zmqscope_workspace"_s;
const auto SocketsKey = u"sockets"_s;

// Workspaces are a few kilobytes; refusing huge files keeps a wrong pick from eating memory.
constexpr qint64 MaxWorkspaceBytes = qint64 { 64 } << 20;

Error fileError(const QString &text)
{
    return Error(ErrorCode::FileError, text);
}

Error contentError(const QString &text)
{
    return Error(ErrorCode::InvalidBody, text);
}

} // namespace

Workspace::Workspace(QList<zmqscope::SocketSpec> sockets)
    : m_sockets(std::move(sockets))
{ }

QByteArray Workspace::toJson() const
{
    QJsonArray sockets;
    for (const zmqscope::SocketSpec &spec : m_sockets)
        sockets.append(spec.toJson());
    QJsonObject root;
    root.insert(VersionKey, Version);
    root.insert(SocketsKey, sockets);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

zmqscope::Result<void> Workspace::save(const QString &fileName) const
{
    const QString shown = QDir::toNativeSeparators(fileName);
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly))
        return fileError(u"Cannot save workspace \"%1\": %2"_s.arg(shown, file.errorString()));
    const QByteArray bytes = toJson();
    if (file.write(bytes) != bytes.size())
        return fileError(u"Cannot save workspace \"%1\": %2"_s.arg(shown, file.errorString()));
    if (!file.commit())
        return fileError(u"Cannot save workspace \"%1\": %2"_s.arg(shown, file.errorString()));
    return {};
}

zmqscope::Result<Workspace> Workspace::load(const QString &fileName)
{
    const QString shown = QDir::toNativeSeparators(fileName);
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        return fileError(u"Cannot open workspace \"%1\": %2"_s.arg(shown, file.errorString()));
    // Bounded by reading, not by file.size(): that is 0 for /dev/zero, a FIFO or a pipe.
    const zmqscope::Result<QByteArray> bytes
        = zmqscope::readAllBounded(file, MaxWorkspaceBytes, u"\"%1\""_s.arg(shown));
    if (!bytes)
        return fileError(u"Workspace not loaded: %1"_s.arg(bytes.errorMessage()));
    return fromJson(*bytes, shown);
}

zmqscope::Result<Workspace> Workspace::fromJson(const QByteArray &json, const QString &source)
{
    const QString prefix = u"Workspace \"%1\""_s.arg(source);
    if (json.trimmed().isEmpty())
        return contentError(u"%1 is empty, not a ZmqScope workspace"_s.arg(prefix));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        int line = 1;
        int column = 1;
        JsonText::lineColumnAt(json, parseError.offset, &line, &column);
        return contentError(
            u"%1 is not JSON: %2 at line %3, column %4"_s.arg(prefix, parseError.errorString())
                .arg(line)
                .arg(column));
    }
    if (!document.isObject())
        return contentError(
            u"%1 is not a ZmqScope workspace: the top level is an array, not an object"_s.arg(prefix));
    const QJsonObject root = document.object();
    const QJsonValue version = root.value(VersionKey);
    if (version.isUndefined())
        return contentError(
            u"%1 is not a ZmqScope workspace: it has no \"%2\" key"_s.arg(prefix, VersionKey));
    if (!version.isDouble() || version.toDouble() != Version) {
        const QString found = version.isDouble() ? QString::number(version.toDouble())
            : version.isString()                 ? u"\"%1\" (a string)"_s.arg(version.toString().left(40))
                                                 : jsonTypeName(version);
        return contentError(
            u"%1 has version %2; this ZmqScope reads version %3"_s.arg(prefix, found).arg(Version));
    }
    const QJsonValue sockets = root.value(SocketsKey);
    if (!sockets.isArray())
        return contentError(u"%1: \"%2\" should be an array of sockets, it is %3"_s.arg(
            prefix, SocketsKey, jsonTypeName(sockets)));

    QList<zmqscope::SocketSpec> specs;
    const QJsonArray array = sockets.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString entry = u"%1: socket entry at index %2"_s.arg(prefix).arg(i);
        const QJsonValue value = array.at(i);
        if (!value.isObject())
            return contentError(u"%1 is %2, not an object"_s.arg(entry, jsonTypeName(value)));
        try {
            zmqscope::SocketSpec spec = zmqscope::SocketSpec::fromJson(value.toObject());
            spec.validate();
            for (qsizetype j = 0; j < specs.size(); ++j) {
                if (specs.at(j).name == spec.name) {
                    return contentError(
                        u"%1 is named \"%2\" like the entry at index %3; names must be unique"_s
                            .arg(entry, spec.name)
                            .arg(j));
                }
            }
            specs.append(std::move(spec));
        } catch (const zmqscope::Error &error) {
            return Error(error.code(), u"%1: %2"_s.arg(entry, error.message()));
        } catch (const std::exception &error) {
            return contentError(u"%1: %2"_s.arg(entry, QString::fromUtf8(error.what())));
        }
    }
    return Workspace(std::move(specs));
}
