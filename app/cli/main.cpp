#include <cstdio>
#include <new>

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>

#include <zmqscope/error.h>
#include <zmqscope/version.h>

#include "clicommon.h"
#include "commands.h"

using namespace Qt::StringLiterals;
using namespace zmqscope;
using namespace zmqscope::cli;

namespace {

const QString TopLevelHelp = uR"(Usage: zmqscope-cli <command> [options]

The command-line twin of ZmqScope: open ZeroMQ sockets of any type, print what
arrives (Dploy envelopes decoded, raw messages frame by frame), send
envelopes, raw frames or saved templates, record captures and replay them,
from scripts and CI.

Commands:
  listen   open a socket and print every message it receives (--write FILE records them)
  send     send one envelope, raw frames or a saved template (--library, --template);
           on REQ and DEALER print the reply
  echo     answer each request on a REP or ROUTER socket with its response envelope
  replay   send the messages of a capture file into a socket, at the recorded pace,
           N times faster, as fast as possible or one per Enter
  cat      print the messages of a capture file (pretty or JSON lines); a pcap/pcapng
           packet capture's ZeroMQ traffic is decoded
  tap      sit between clients and their server: forward both ways, print (and record) each
           message once as c2s or s2c (--format none: forward and record only)
  sniff    capture ZeroMQ traffic live from a network interface (libpcap; needs the right to
           capture) and print its messages as c2s or s2c
  stats    analyse a capture file (or pcap): request/reply pairs and latency (--pairs),
           gaps in a sequence field (--gaps FIELD), or each socket's traffic
  keygen   generate a CURVE key pair: print it, or write czmq certificate files (--out BASENAME)

Options:
  -h, --help      show this help; zmqscope-cli <command> --help shows a command's options
  -v, --version   show the version

Common command options: -t/--type TYPE, --bind URI, --connect URI (repeatable),
--subscribe PREFIX, --option NAME=VALUE, --format pretty|jsonl, --count N, --timeout MS.

Security (listen, send, echo, replay; tap too, --forward-... for its server's side):
CURVE with --curve-server, --curve-secret-key KEY|@FILE, --curve-public-key KEY|@FILE,
--curve-server-key KEY|@FILE; PLAIN with --plain-server, --plain-user NAME,
--plain-password TEXT; a server's ZAP rules with --accept-user NAME:PASSWORD,
--allow-key KEY|@FILE|DIR, --allow-any, --allow-ip ADDR, --deny-ip ADDR. A failed
handshake ends a client with status 1 and says why.

Examples:
  zmqscope-cli listen -t pull --bind tcp://127.0.0.1:5557 --write traffic.zmqcap
  zmqscope-cli replay traffic.zmqcap -t push --connect tcp://127.0.0.1:5557 --speed 2
  zmqscope-cli cat traffic.zmqcap --format jsonl
  zmqscope-cli send --library library.json --template ping --connect tcp://127.0.0.1:5555
  zmqscope-cli tap --pattern req-rep --listen tcp://127.0.0.1:5555 --forward tcp://127.0.0.1:6555
  zmqscope-cli cat tcpdump.pcap --format jsonl
  sudo zmqscope-cli sniff --interface lo --port 5555
  zmqscope-cli stats tap.zmqcap --pairs --format jsonl
  zmqscope-cli keygen --out server
  zmqscope-cli echo --bind tcp://127.0.0.1:5555 --curve-server --curve-secret-key @server.key_secret --allow-any
  zmqscope-cli send -t req --connect tcp://127.0.0.1:5555 --curve-server-key @server.key --text hi

Exit status: 0 success, 1 runtime failure (timeout, peer error, address in use),
2 usage error. Errors go to stderr as one line.
)"_s;

int run(const QStringList &arguments)
{
    QCommandLineParser parser;
    // Everything after the command belongs to the command's own parser.
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption helpOption(QStringList { u"h"_s, u"help"_s });
    const QCommandLineOption versionOption(QStringList { u"v"_s, u"version"_s });
    parser.addOption(helpOption);
    parser.addOption(versionOption);
    parser.addPositionalArgument(u"command"_s, QString());
    if (!parser.parse(arguments)) {
        const QStringList unknown = parser.unknownOptionNames();
        const QString name = unknown.isEmpty()
            ? QString()
            : (unknown.constFirst().size() == 1 ? u"-"_s : u"--"_s) + unknown.constFirst();
        throw usageError(u"unknown option %1; options go after the command (listen, send, echo, replay, "
                         u"cat, tap, sniff, stats or keygen), see "
                         u"zmqscope-cli --help"_s.arg(quoted(name)));
    }
    if (parser.isSet(versionOption)) {
        writeStdout(u"zmqscope-cli %1 (libzmq %2)\n"_s.arg(libraryVersion(), zmqVersion()).toUtf8());
        return ExitSuccess;
    }
    if (parser.isSet(helpOption)) {
        writeStdout(TopLevelHelp.toUtf8());
        return ExitSuccess;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        throw usageError(u"missing command; use listen, send, echo, replay, cat, tap, sniff, stats or keygen "
                         u"(see zmqscope-cli "
                         u"--help)"_s);
    const QString &command = positional.constFirst();
    const QStringList commandArguments = positional.mid(1);
    if (command == u"listen"_s)
        return runListen(commandArguments);
    if (command == u"send"_s)
        return runSend(commandArguments);
    if (command == u"echo"_s)
        return runEcho(commandArguments);
    if (command == u"replay"_s)
        return runReplay(commandArguments);
    if (command == u"cat"_s)
        return runCat(commandArguments);
    if (command == u"tap"_s)
        return runTap(commandArguments);
    if (command == u"sniff"_s)
        return runSniff(commandArguments);
    if (command == u"stats"_s)
        return runStats(commandArguments);
    if (command == u"keygen"_s)
        return runKeygen(commandArguments);
    throw usageError(
        u"unknown command %1; valid commands are listen, send, echo, replay, cat, tap, sniff, stats, keygen"_s
            .arg(quoted(command)));
}

} // namespace

int main(int argc, char *argv[])
{
    // Output to a file or a pipe goes out in large writes (commands flush at the end of each batch
    // and before they wait); a terminal keeps its line buffering.
    if (!stdoutIsTerminal()) {
        static char stdoutBuffer[256 * 1024];
        std::setvbuf(stdout, stdoutBuffer, _IOFBF, sizeof stdoutBuffer);
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"zmqscope-cli"_s);
    QCoreApplication::setApplicationVersion(libraryVersion());

    int status = ExitFailure;
    try {
        installSignalHandlers();
        status = run(QCoreApplication::arguments());
    } catch (const CliError &error) {
        printError(error.message);
        status = error.status;
    } catch (const Error &error) {
        printError(error.message());
        status = exitStatusFor(error.code());
    } catch (const std::bad_alloc &) {
        // A line or message larger than the memory (or ulimit -v) allows: one line, not an abort.
        printError(u"out of memory"_s);
        status = ExitFailure;
    }
    flushStdout();
    return status;
}
