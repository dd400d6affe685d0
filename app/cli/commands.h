#pragma once

#include <QStringList>

namespace zmqscope::cli {

// Each runs one command with its own arguments (after "zmqscope-cli <command>") and returns the
// exit status. Usage and runtime errors are thrown as CliError or zmqscope::Error.
[[nodiscard]] int runListen(const QStringList &arguments);
[[nodiscard]] int runSend(const QStringList &arguments);
[[nodiscard]] int runEcho(const QStringList &arguments);
[[nodiscard]] int runReplay(const QStringList &arguments);
[[nodiscard]] int runCat(const QStringList &arguments);
[[nodiscard]] int runTap(const QStringList &arguments);
[[nodiscard]] int runSniff(const QStringList &arguments);
[[nodiscard]] int runStats(const QStringList &arguments);
[[nodiscard]] int runKeygen(const QStringList &arguments);

} // namespace zmqscope::cli
