#pragma once

#include <QCommandLineOption>

#include <zmqscope/analysis/messagematcher.h>
#include <zmqscope/capture/capture.h>

namespace zmqscope::cli {

class CommandLine;

/// --filter EXPR (DESIGN.md section 12): plain words or a filter expression, read as the app's
/// filter box reads them.
[[nodiscard]] QCommandLineOption filterOption();

/// The matcher of --filter (one that lets everything through when it is not given); a usage error
/// "bad --filter at column N: reason" when the expression does not parse.
[[nodiscard]] MessageMatcher filterFrom(const CommandLine &commandLine, const QCommandLineOption &option);

/// Whether a capture record (a message, or an event by its socket, type and direction) passes.
[[nodiscard]] bool passes(const MessageMatcher &matcher, const CaptureRecord &record);

} // namespace zmqscope::cli
