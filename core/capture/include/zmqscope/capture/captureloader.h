#pragma once

#include <cstdint>
#include <memory>

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <zmqscope/capture/capturereader.h>
#include <zmqscope/capture/passivedecoder.h>
#include <zmqscope/error.h>
#include <zmqscope/store/messagestore.h>

namespace zmqscope {

/// A socket as a capture file names it; the loader gives each distinct one a store id.
struct CaptureSocket
{
    SocketId id = 0; ///< the id used in the store; 1, 2, ... in order of first appearance
    QString name; ///< the record's "socket"
    QString type; ///< the record's "type"
    QString endpoint; ///< the record's "endpoint"
    /// A tap's lines (c2s/s2c) name the sender's type: the clients' type seen on c2s lines, the server's
    /// on s2c lines (empty until a line of that direction was read); `type` is the first line's.
    QString clientType {};
    QString serverType {};
    /// A packet capture's connection (section 12): the client's and the server's "ip:port" and its
    /// security mechanism; empty for capture files' sockets.
    QString client {};
    QString server {};
    QString security {};

    /// How this socket's lines name it, so an export writes them back as they were read.
    [[nodiscard]] CaptureSource source() const
    {
        return { name, type, endpoint, clientType, serverType, client, server, security };
    }

    friend bool operator==(const CaptureSocket &, const CaptureSocket &) = default;
};

/// How many events of a packet capture CaptureLoadResult keeps (a reader needs the first ones; a flood
/// of subscriptions must not grow the result without bound).
inline constexpr qsizetype MaxLoadedEvents = 100000;

/**
 * What CaptureLoader::finished() reports. The counts stay next to the outcome rather than
 * inside a Result<CaptureLoadSummary>: a read that fails part-way has already appended its
 * first batches to the store, so "nothing received is lost" needs the counts of a failed load
 * as much as of a good one, and a queued signal argument must be default-constructible.
 */
struct CaptureLoadResult
{
    QString path;
    QJsonObject header;
    std::uint64_t messages = 0; ///< messages appended to the store
    QList<CaptureSocket> sockets;
    QList<CaptureIssue> issues;
    bool cancelled = false;
    /// The file is a packet capture (pcap or pcapng, told by its magic number): each socket is one ZMTP
    /// connection, named like its lines ("<client> > <server>"), and the fields below are filled.
    bool packetCapture = false;
    /// Every ZMTP connection the decoder found, in the order found.
    QList<WireConnection> connections;
    /// What happened on the wire besides messages (connected, disconnected, gap, subscribe, unsubscribe,
    /// zmtp_error, undecodable), in capture order; the first MaxLoadedEvents of them.
    QList<CaptureRecord> events;
    std::uint64_t eventsLeftOut = 0; ///< events after the first MaxLoadedEvents, counted only
    /// CURVE messages are stored without frames (their payload is encrypted): their payload size, by the
    /// store's sequence number.
    QHash<std::uint64_t, std::uint64_t> encryptedSizes;
    PassiveDecoder::Stats packetStats;
    /// Fails (FileError, naming the path) when the file could not be read: not a capture, an I/O error.
    Result<void> outcome;
};

/**
 * Loads a capture file into a MessageStore off the calling thread (for the
 * app's capture window). Records go into the store in batches, with their own
 * timestamps and directions; a socket is identified by the combination of
 * its name, type and endpoint, in order of first appearance.
 *
 * A packet capture (pcap or pcapng, told by its first bytes, never the file name) is decoded with
 * decodeCaptureFile(): its messages go into the store like a tap's lines (c2s and s2c), one socket per
 * ZMTP connection; the connections and the events come in the result.
 *
 * The store keeps its retention limits: a capture larger than them keeps its
 * newest messages (messages counts every appended one).
 *
 * Signals are emitted in the thread the loader lives in.
 */
class CaptureLoader : public QObject
{
    Q_OBJECT
public:
    CaptureLoader(QString path, MessageStore &store, QObject *parent = nullptr);
    ~CaptureLoader() override; ///< cancels and joins the worker
    /// Reads in a worker thread; appends to the store in batches with the records' timestamps and directions.
    /// Calling it again while running does nothing.
    void start();
    /// Thread-safe; finished() follows with cancelled = true (unless it had already finished).
    void cancel();
    [[nodiscard]] bool isRunning() const;
    /**
     * The sockets found so far (thread-safe): a socket is listed before any of its messages is
     * in the store, so a view reading the store while loading can always name them.
     */
    [[nodiscard]] QList<CaptureSocket> sockets() const;

Q_SIGNALS:
    /// At most ~20 per second, and once at the end.
    void progressed(qint64 bytesRead, qint64 totalBytes, quint64 messages);
    void finished(const zmqscope::CaptureLoadResult &result);

private:
    struct Private;
    class Load;
    std::unique_ptr<Private> d;
};

} // namespace zmqscope

Q_DECLARE_METATYPE(zmqscope::CaptureLoadResult)
