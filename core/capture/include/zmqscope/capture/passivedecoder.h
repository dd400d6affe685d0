#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include <QList>
#include <QString>

#include <zmqscope/capture/capture.h>
#include <zmqscope/error.h>

namespace zmqscope {

struct RawPacket;

/// One ZMTP connection seen on the wire, as the Connections panel and `sniff`'s summary show it.
struct WireConnection
{
    std::uint64_t id = 0;
    QString client; ///< "ip:port" of the side that connected
    QString server;
    QString name; ///< "<client> > <server>": the "socket" of its lines
    /// The capture began after the connection (no SYN): client and server are a guess, the greeting
    /// was not seen, and the first messages are found by resynchronising.
    bool joinedMidStream = false;
    QString security; ///< "NULL", "PLAIN", "CURVE", another mechanism's name, or empty when unseen
    int versionMajor = 0; ///< of the client's greeting (0: not seen)
    int versionMinor = 0;
    QString clientType; ///< Socket-Type of the client's READY (empty: not seen, or encrypted)
    QString serverType;
    QByteArray clientIdentity; ///< Identity of the client's READY
    QByteArray serverIdentity;
    QString plainUsername; ///< PLAIN's HELLO; the password is never kept
    std::uint64_t clientToServer = 0; ///< messages (encrypted ones included)
    std::uint64_t serverToClient = 0;
    std::uint64_t subscriptions = 0; ///< subscribe and unsubscribe, both forms
    std::uint64_t gaps = 0; ///< holes in either direction
    std::uint64_t gapBytes = 0;
    std::uint64_t problems = 0; ///< what the decoder could not make sense of (resyncs, bad frames)
    QString lastProblem;
    bool handshakeDone = false; ///< both sides' READY seen (or CURVE's handshake ended)
    bool closed = false; ///< FIN or RST seen
    std::int64_t firstUs = 0;
    std::int64_t lastUs = 0;
};

/**
 * Decodes the ZeroMQ traffic of packet captures (issue 15, DESIGN.md section 12): TCP connections
 * are reassembled, the ones that speak ZMTP 3.x (found by their greeting, on any port) are followed,
 * and what they carry comes out as capture records: messages (c2s from the side that connected),
 * CURVE messages as encrypted records with their size, subscriptions (the 3.1 commands and the 3.0
 * message form) as subscribe/unsubscribe events, and what a reader must know as events: connected
 * (the handshake: mechanism, socket types, identities), disconnected, gap (bytes the capture does
 * not hold; never guessed over), zmtp_error (a peer's ERROR command) and undecodable (the decoder's
 * own findings, such as a resynchronisation). Streamed: memory is bounded by the reassembler's
 * limits and the largest frame, never by the capture.
 *
 * Not thread-safe; use from one thread.
 */
class PassiveDecoder
{
public:
    struct Handlers
    {
        /// Each record in capture order; the reference is valid during the call.
        std::function<void(const CaptureRecord &)> record;
        /// A connection was found or changed (handshake, close, gap); optional.
        std::function<void(const WireConnection &)> connection;
    };

    struct Stats
    {
        std::uint64_t packets = 0;
        std::uint64_t tcpPackets = 0;
        std::uint64_t otherPackets = 0; ///< not TCP (UDP, ARP, fragments, ...)
        std::uint64_t malformedPackets = 0;
        std::uint64_t zmtpConnections = 0;
        std::uint64_t otherConnections = 0; ///< TCP connections that are not ZMTP 3.x
        std::uint64_t messages = 0;
        std::uint64_t events = 0;
        std::uint64_t gaps = 0;
    };

    explicit PassiveDecoder(Handlers handlers);
    ~PassiveDecoder();
    PassiveDecoder(const PassiveDecoder &) = delete;
    PassiveDecoder &operator=(const PassiveDecoder &) = delete;

    void addPacket(const RawPacket &packet);
    /// The end of the capture: what waits behind a hole comes out after a gap, every open connection
    /// is reported as it stands (not as disconnected: the capture ended, not the connection).
    void finish();

    [[nodiscard]] Stats stats() const;
    /// Every ZMTP connection seen so far, in the order found.
    [[nodiscard]] QList<WireConnection> connections() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

/// What decodeCaptureFile() found: the counts and every ZMTP connection.
struct PassiveCaptureSummary
{
    PassiveDecoder::Stats stats;
    QList<WireConnection> connections;
};

/**
 * Decodes a whole pcap or pcapng file (libpcap tells them apart by their magic number). Returns the
 * summary, or the error that ended the read (a truncated file: every record before the cut was handed
 * out already). `stop`, asked between packets, ends the read early as if the file ended there when it
 * returns true (a signal was caught, the reader went away). `progress` is told every few thousand
 * packets how far into the file the read is (-1, -1 for a pipe).
 */
[[nodiscard]] Result<PassiveCaptureSummary> decodeCaptureFile(const QString &path,
    PassiveDecoder::Handlers handlers, const std::function<bool()> &stop = {},
    const std::function<void(qint64 bytesRead, qint64 fileSize)> &progress = {});

} // namespace zmqscope
