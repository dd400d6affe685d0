#pragma once

#include <QString>

namespace zmqscope {

class Engine;
class MainWindow;

/**
 * The "sniff" scene of the hidden --screenshot mode (resources/screenshots/make-screenshots.sh): the
 * demo's traffic sniffed on lo. Capturing needs root (or cap_net_raw): without it the picture shows
 * the sniffer's row with the reason and its fix, and a line on stderr says so.
 */
namespace screenshotscenes {

/// Opens the sniffer on lo; call it before the demo peers start, so it sees their connections begin.
void openDemoSniffer(Engine &engine);
/// Selects a sniffed connection of the demo and its newest message, and saves the main window.
void scheduleSniff(MainWindow &window, const QString &fileName, int delayMs);

} // namespace screenshotscenes

} // namespace zmqscope
