#pragma once

#include <QString>

namespace zmqscope {

class CaptureWindow;
class MainWindow;

/**
 * Scenes for the hidden --screenshot mode of the app (resources/screenshots/
 * make-screenshots.sh): each one drives the real window with the demo peers'
 * traffic, saves the picture and quits the application.
 */
namespace screenshotscenes {

/// Records the demo traffic for `delayMs`, opens the recording in a capture window and saves that window.
void scheduleCaptureWindow(MainWindow &window, const QString &fileName, int delayMs);
/**
 * Once `window` (a packet capture, such as tests/capture/data/conversations.pcap given on the command
 * line) is loaded: selects its connection with a client identity (else the busiest one) in the
 * Connections panel, which filters the table to it, shows its first message and saves the window.
 */
void schedulePacketCapture(CaptureWindow &window, const QString &fileName);
/// Fills a library with a few saved messages, sends one, and saves the main window with the Library panel
/// shown.
void scheduleLibrary(MainWindow &window, const QString &fileName, int delayMs);
/// Selects the demo's "Quotes tap" and one of its replies, shows the Tap Monitor with both sides, and
/// saves the main window.
void scheduleTap(MainWindow &window, const QString &fileName, int delayMs);
/// Opens Capture > New Tap filled for a dealer-router service and saves the dialog.
void scheduleNewTapDialog(MainWindow &window, const QString &fileName, int delayMs);
/// Opens File > New Socket filled for a SUB with a subscription and saves the dialog.
void scheduleNewSocketDialog(MainWindow &window, const QString &fileName, int delayMs);

/// Opens File > New Socket filled as a CURVE client (its keys loaded from a certificate file, the server's
/// public key) on its Security tab and saves the dialog.
void scheduleSecurityDialog(MainWindow &window, const QString &fileName, int delayMs);
/**
 * Opens a CURVE server of our own and two clients of it, one with its public key and one with another
 * key; once that one's handshake failed, selects it, shows the tool tip of its state and saves the picture
 * (the screen where the window is, so the tool tip shows; the window alone on platforms that cannot).
 */
void scheduleHandshakeFailed(MainWindow &window, const QString &fileName, int delayMs);

/**
 * Puts a req-rep tap in front of the demo's echo REP (`echoEndpoint`), sends requests through it from a
 * REQ of ours, selects a c2s row and saves the main window with the Envelope tab (direction and peer), then
 * a second picture, `fileName` with "-frames" before its suffix, with the Frames tab.
 */
void scheduleTapMessages(
    MainWindow &window, const QString &fileName, const QString &echoEndpoint, int delayMs);

/**
 * For the decoders picture: waits for a message with id "protobuf-reading" (the screenshot script's peer
 * sends it to a socket of the workspace it opens, whose decode rules name its type), selects it, shows
 * the JSON tab's tree and saves the main window.
 */
void scheduleDecoded(MainWindow &window, const QString &fileName, int delayMs);
/// Types a filter expression with a mistake into the filter box over the demo traffic and saves the
/// main window with the error shown under the box.
void scheduleFilterError(MainWindow &window, const QString &fileName, int delayMs);
/// The newest demo telemetry reading in the Detail pane's Diff tab, against the previous one with its id.
void scheduleDiff(MainWindow &window, const QString &fileName, int delayMs);

/// The Conversations dock over the demo's DEALER requests, the newest answered one chosen (its request and
/// reply selected in the Messages table), with the latency histogram.
void scheduleConversations(MainWindow &window, const QString &fileName, int delayMs);
/// The Health dock on the demo socket with the most missing sequence numbers: its counts, its events and
/// the likely cause.
void scheduleHealth(MainWindow &window, const QString &fileName, int delayMs);

/// The demo telemetry's celsius readings plotted (a series per sensor id) in the Plots dock.
void schedulePlot(MainWindow &window, const QString &fileName, int delayMs);

} // namespace screenshotscenes

} // namespace zmqscope
