#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <zmqscope/error.h>

struct pcap; // libpcap's pcap_t; its header stays out of ours (linked PRIVATE)

namespace zmqscope {

/// One captured packet; `data` is valid until the next PcapSource::next().
struct RawPacket
{
    std::int64_t timestampUs = 0; ///< since the epoch (pcap's ts; nanosecond files rounded down)
    int linkType = 0; ///< DLT_* of the file/interface
    QByteArrayView data; ///< the captured bytes (caplen)
    std::uint32_t originalLength = 0; ///< the packet's length on the wire (len >= caplen when snapped)
};

/**
 * Packets from a pcap/pcapng file or a live interface, one at a time through libpcap (DESIGN.md
 * section 12): streamed, never a whole file in memory. Every failure is one line naming the file or
 * interface and what was wrong with it.
 */
class PcapSource
{
public:
    ~PcapSource();
    PcapSource(const PcapSource &) = delete;
    PcapSource &operator=(const PcapSource &) = delete;

    /// pcap or pcapng, decided by libpcap from the magic number (never the file name).
    static Result<std::unique_ptr<PcapSource>> openFile(const QString &path);
    struct LiveOptions
    {
        QString interface;
        QList<quint16> ports;
        int snapLength = 262144;
        int bufferMs = 100;
    };
    /// Live capture with the BPF filter of bpfFilter(ports). Without the right to capture, the error is
    /// ONE line with the fix: "cannot capture on lo: permission denied; run as root, or give the program
    /// the right once: sudo setcap cap_net_raw,cap_net_admin=eip /path/to/zmqscope-cli" (the real path).
    static Result<std::unique_ptr<PcapSource>> openLive(const LiveOptions &options);
    /// The interfaces libpcap can capture on (pcap_findalldevs), in its order ("any" and pseudo
    /// devices included): the names openLive() takes. Listing needs no right to capture.
    static Result<QStringList> interfaces();
    /// "tcp" without ports, "tcp and (port 5555 or port 5556)" with them.
    static QString bpfFilter(const QList<quint16> &ports);
    /// True for the first bytes of a pcap (a1b2c3d4, d4c3b2a1, a1b23c4d, 4d3cb2a1) or pcapng (0a0d0d0a) file.
    static bool looksLikePcap(QByteArrayView firstBytes);

    enum class Next
    {
        Packet,
        Idle, ///< live: nothing within bufferMs
        End,
        Failed,
    };
    /// Failed: error() says what, e.g. "truncated capture file: packet 1234 ends 56 bytes early".
    Next next(RawPacket &packet);
    /// The error of the last next() that returned Failed.
    [[nodiscard]] Error error() const;
    /// Thread-safe (pcap_breakloop): next() returns End soon after (for SIGINT and the GUI's Stop).
    void interrupt();
    [[nodiscard]] int linkType() const;
    /// "EN10MB", "NULL", "LINUX_SLL", "LINUX_SLL2", ...
    [[nodiscard]] QString linkTypeName() const;
    [[nodiscard]] std::uint64_t packetsRead() const;
    /// A file's bytes read so far and its size, for progress; -1 and -1 for a pipe or an interface.
    [[nodiscard]] qint64 bytesRead() const;
    [[nodiscard]] qint64 fileSize() const;
    /// Live only: packets the kernel dropped (pcap_stats), 0 for files.
    [[nodiscard]] std::uint64_t packetsDropped() const;

private:
    PcapSource(pcap *handle, QString shownName, bool live);

    pcap *m_handle;
    QString m_shownName; ///< the file (escaped) or interface as messages name it
    bool m_live;
    qint64 m_fileSize = -1; ///< a regular file's
    int m_bufferMs = 0; ///< live: how long next() waits for a packet before it says Idle
    std::atomic<bool> m_interrupted { false };
    std::uint64_t m_packetsRead = 0;
    std::optional<Error> m_error;
};

} // namespace zmqscope
