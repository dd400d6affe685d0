#include <QDir>
#include <QFileInfo>

#include <zmqscope/security.h>

#include "clicommon.h"
#include "commands.h"

using namespace Qt::StringLiterals;

namespace zmqscope::cli {

int runKeygen(const QStringList &arguments)
{
    CommandLine commandLine(u"keygen"_s,
        u"Generate a CURVE key pair. Without --out print it as czmq's certificate lines, public-key = "
        u"\"...\" "
        u"and secret-key = \"...\" (Z85); with --out write czmq certificate files."_s);
    const QCommandLineOption outOption(u"out"_s,
        u"Write BASENAME.key (the public certificate, mode 0644: give it to the peers) and "
        u"BASENAME.key_secret (both keys, mode 0600: keep it), in the format of czmq's zcert and pyzmq's "
        u"zmq.auth.create_certificates; print the public-key line. Existing files are not replaced "
        u"(--force replaces them)."_s,
        u"BASENAME"_s);
    const QCommandLineOption forceOption(u"force"_s, u"With --out: replace existing certificate files."_s);
    commandLine.addOption(outOption);
    commandLine.addOption(forceOption);
    if (!commandLine.parse(arguments,
            u"Use the files with the security options of listen, send, echo, replay and tap:\n"
            u"  zmqscope-cli keygen --out server\n"
            u"  zmqscope-cli echo --bind tcp://127.0.0.1:5555 --curve-server --curve-secret-key "
            u"@server.key_secret "
            u"--allow-any\n"
            u"  zmqscope-cli send -t req --connect tcp://127.0.0.1:5555 --curve-server-key @server.key "
            u"--text "
            u"hi\n"_s))
        return ExitSuccess;
    if (commandLine.isSet(forceOption) && !commandLine.isSet(outOption))
        throw usageError(u"--force needs --out BASENAME: without it nothing is written"_s);

    Result<CurveKeyPair> pair = generateCurveKeyPair();
    if (!pair)
        throw runtimeError(pair.errorMessage());
    const QByteArray publicLine = "public-key = \"" + pair->publicKey + "\"\n";
    if (!commandLine.isSet(outOption)) {
        writeStdout(QByteArray(publicLine + "secret-key = \"" + pair->secretKey + "\"\n"));
        return ExitSuccess;
    }

    const QString basename = commandLine.value(outOption);
    if (basename.isEmpty() || basename.endsWith(u'/') || QFileInfo(basename).isDir())
        throw usageError(u"bad --out %1: expected BASENAME, a file name without suffix (e.g. keys/server "
                         u"writes keys/server.key and keys/server.key_secret)"_s.arg(quoted(basename)));
    const QString publicPath = basename + u".key"_s;
    const QString secretPath = basename + u".key_secret"_s;
    if (!commandLine.isSet(forceOption)) {
        // A secret key replaced by mistake locks out every peer that knew its public key.
        for (const QString &path : { secretPath, publicPath }) {
            if (QFileInfo::exists(path))
                throw runtimeError(u"%1 exists; not replacing a key (--force replaces it)"_s.arg(
                    quoted(QDir::toNativeSeparators(path))));
        }
    }
    if (Result<void> written = writeCurveCertificate(basename, *pair); !written)
        throw runtimeError(written.errorMessage());
    writeStdout(publicLine);
    printStatus(u"wrote %1 (public certificate) and %2 (secret, mode 0600)"_s.arg(
        quoted(QDir::toNativeSeparators(publicPath)), quoted(QDir::toNativeSeparators(secretPath))));
    return ExitSuccess;
}

} // namespace zmqscope::cli
