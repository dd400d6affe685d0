#include <cstdio>
#include <pcap/pcap.h>
#include <poll.h>

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>

#include <zmqscope/capture/pcapsource.h>
#include <zmqscope/textescape.h>

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {

// Link types parseTcpPacket() reads; anything else is refused when the file or interface opens.
bool isSupportedLinkType(int linkType)
{
    switch (linkType) {
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_EN10MB:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

QString linkTypeText(int linkType)
{
    const char *name = pcap_datalink_val_to_name(linkType);
    return name ? QString::fromLatin1(name) : u"DLT %1"_s.arg(linkType);
}

Error unsupportedLinkType(const QString &what, int linkType)
{
    return Error(ErrorCode::FileError,
        u"cannot decode %1: link type %2 (%3) is not supported; supported are EN10MB, NULL, LOOP, RAW, IPV4, "
        "IPV6, LINUX_SLL and LINUX_SLL2"_s.arg(what, linkTypeText(linkType))
            .arg(linkType));
}

/// "7b 22 74 73 ("{"ts")": the first bytes of a file that is not a capture, as hex and as text.
QString firstBytesText(QByteArrayView bytes)
{
    const QByteArrayView shown = bytes.first(std::min<qsizetype>(bytes.size(), 8));
    return u"%1 (\"%2\")"_s.arg(
        QString::fromLatin1(shown.toByteArray().toHex(' ')), textescape::escape(shown, { .maxBytes = 8 }));
}

/// The program a setcap line names: the real one when there is an application.
QString programPath()
{
    return QCoreApplication::instance() ? QCoreApplication::applicationFilePath() : u"this program"_s;
}

} // namespace

PcapSource::PcapSource(pcap *handle, QString shownName, bool live)
    : m_handle(handle)
    , m_shownName(std::move(shownName))
    , m_live(live)
{ }

PcapSource::~PcapSource()
{
    pcap_close(m_handle);
}

qint64 PcapSource::bytesRead() const
{
    if (m_fileSize < 0)
        return -1;
    // libpcap reads the file through stdio: the stream's position (its buffer included) is how far
    // it got, which is enough for a progress bar.
    FILE *file = pcap_file(m_handle);
    return file ? qint64(ftello(file)) : -1;
}

qint64 PcapSource::fileSize() const
{
    return m_fileSize;
}

bool PcapSource::looksLikePcap(QByteArrayView firstBytes)
{
    static constexpr std::array<std::array<char, 4>, 5> Magics { {
        { '\xa1', '\xb2', '\xc3', '\xd4' }, // pcap, microseconds, big-endian
        { '\xd4', '\xc3', '\xb2', '\xa1' }, // little-endian
        { '\xa1', '\xb2', '\x3c', '\x4d' }, // pcap, nanoseconds
        { '\x4d', '\x3c', '\xb2', '\xa1' }, { '\x0a', '\x0d', '\x0d', '\x0a' }, // pcapng section header block
    } };
    if (firstBytes.size() < 4)
        return false;
    for (const auto &magic : Magics) {
        if (firstBytes.first(4) == QByteArrayView(magic.data(), 4))
            return true;
    }
    return false;
}

Result<QStringList> PcapSource::interfaces()
{
    char errorBuffer[PCAP_ERRBUF_SIZE] = {};
    pcap_if_t *devices = nullptr;
    if (pcap_findalldevs(&devices, errorBuffer) != 0)
        return Error(ErrorCode::FileError,
            u"cannot list the network interfaces: %1"_s.arg(QString::fromLocal8Bit(errorBuffer).trimmed()));
    QStringList names;
    for (const pcap_if_t *device = devices; device; device = device->next)
        names.append(QString::fromLocal8Bit(device->name));
    pcap_freealldevs(devices);
    return names;
}

QString PcapSource::bpfFilter(const QList<quint16> &ports)
{
    if (ports.isEmpty())
        return u"tcp"_s;
    QStringList terms;
    for (quint16 port : ports)
        terms.append(u"port %1"_s.arg(port));
    return u"tcp and (%1)"_s.arg(terms.join(u" or "_s));
}

Result<std::unique_ptr<PcapSource>> PcapSource::openFile(const QString &path)
{
    const QString shown = textescape::escape(path.toUtf8());
    const QFileInfo info(path);
    if (info.isDir())
        return Error(ErrorCode::FileError, u"cannot read %1: it is a directory"_s.arg(shown));
    // A pipe or device (`tcpdump -w - | zmqscope-cli cat /dev/stdin`) is read once, by libpcap; only a
    // regular file is looked at first, since libpcap's "unknown file format" does not say what it is.
    const bool regular = !info.exists() || info.isFile();
    if (regular) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Error(ErrorCode::FileError, u"cannot open %1: %2"_s.arg(shown, file.errorString()));
        const QByteArray head = file.read(8);
        if (head.isEmpty())
            return Error(
                ErrorCode::FileError, u"%1 is not a pcap or pcapng capture file: it is empty"_s.arg(shown));
        if (!looksLikePcap(head))
            return Error(ErrorCode::FileError,
                u"%1 is not a pcap or pcapng capture file: it begins with %2"_s.arg(
                    shown, firstBytesText(head)));
    }

    char errorBuffer[PCAP_ERRBUF_SIZE] = {};
    pcap *handle = pcap_open_offline_with_tstamp_precision(
        QFile::encodeName(path).constData(), PCAP_TSTAMP_PRECISION_MICRO, errorBuffer);
    if (!handle && !regular && QByteArrayView(errorBuffer).startsWith("unknown file format"))
        return Error(ErrorCode::FileError, u"%1 is not a pcap or pcapng capture file"_s.arg(shown));
    if (!handle)
        return Error(
            ErrorCode::FileError, u"cannot read %1: %2"_s.arg(shown, QString::fromLocal8Bit(errorBuffer)));
    std::unique_ptr<PcapSource> source(new PcapSource(handle, shown, false));
    if (regular)
        source->m_fileSize = QFileInfo(path).size();
    if (!isSupportedLinkType(pcap_datalink(handle)))
        return unsupportedLinkType(shown, pcap_datalink(handle));
    return source;
}

Result<std::unique_ptr<PcapSource>> PcapSource::openLive(const LiveOptions &options)
{
    const QString shown = textescape::escape(options.interface.toUtf8());
    const auto fail = [&](const QString &why) {
        return Error(ErrorCode::FileError, u"cannot capture on %1: %2"_s.arg(shown, why));
    };
    if (options.interface.isEmpty())
        return Error(ErrorCode::FileError, u"cannot capture: no interface given"_s);
    char errorBuffer[PCAP_ERRBUF_SIZE] = {};
    pcap *handle = pcap_create(options.interface.toLocal8Bit().constData(), errorBuffer);
    if (!handle)
        return fail(QString::fromLocal8Bit(errorBuffer));
    std::unique_ptr<PcapSource> source(new PcapSource(handle, shown, true));
    pcap_set_snaplen(handle, std::max(options.snapLength, 96));
    pcap_set_timeout(handle, std::max(options.bufferMs, 1));
    const int status = pcap_activate(handle);
    const QString libpcapText = QString::fromLocal8Bit(pcap_geterr(handle));
    switch (status) {
    case 0:
    case PCAP_WARNING:
    case PCAP_WARNING_PROMISC_NOTSUP:
    case PCAP_WARNING_TSTAMP_TYPE_NOTSUP:
        break;
    case PCAP_ERROR_PERM_DENIED:
        return fail(u"permission denied; run as root, or give the program the right once: "
                    "sudo setcap cap_net_raw,cap_net_admin=eip %1"_s.arg(programPath()));
    case PCAP_ERROR_NO_SUCH_DEVICE:
        return fail(u"no such interface"_s);
    case PCAP_ERROR_IFACE_NOT_UP:
        return fail(u"the interface is down"_s);
    default:
        return fail(libpcapText.isEmpty() ? QString::fromLatin1(pcap_statustostr(status)) : libpcapText);
    }
    if (!isSupportedLinkType(pcap_datalink(handle)))
        return unsupportedLinkType(shown, pcap_datalink(handle));
    if (pcap_setnonblock(handle, 1, errorBuffer) != 0 || pcap_get_selectable_fd(handle) < 0)
        return fail(
            u"cannot wait for packets without blocking: %1"_s.arg(QString::fromLocal8Bit(errorBuffer)));
    source->m_bufferMs = std::max(options.bufferMs, 1);

    const QString filter = bpfFilter(options.ports);
    bpf_program program {};
    if (pcap_compile(handle, &program, filter.toLatin1().constData(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return fail(u"bad filter \"%1\": %2"_s.arg(filter, QString::fromLocal8Bit(pcap_geterr(handle))));
    const int set = pcap_setfilter(handle, &program);
    pcap_freecode(&program);
    if (set != 0)
        return fail(
            u"cannot set filter \"%1\": %2"_s.arg(filter, QString::fromLocal8Bit(pcap_geterr(handle))));
    return source;
}

PcapSource::Next PcapSource::next(RawPacket &packet)
{
    if (m_interrupted.load(std::memory_order_relaxed))
        return Next::End;
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    int status = pcap_next_ex(m_handle, &header, &data);
    if (status == 0 && m_live) {
        // Non-blocking and nothing buffered: wait for the descriptor ourselves, since libpcap's own read
        // timeout does not end a read while no packet arrives (Linux TPACKET_V3).
        pollfd descriptor { pcap_get_selectable_fd(m_handle), POLLIN, 0 };
        if (::poll(&descriptor, 1, m_bufferMs) > 0 && !m_interrupted.load(std::memory_order_relaxed))
            status = pcap_next_ex(m_handle, &header, &data);
        if (m_interrupted.load(std::memory_order_relaxed))
            return Next::End;
    }
    if (status == 1) {
        ++m_packetsRead;
        packet.timestampUs = std::int64_t(header->ts.tv_sec) * 1'000'000 + std::int64_t(header->ts.tv_usec);
        packet.linkType = pcap_datalink(m_handle);
        packet.data = QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(header->caplen));
        packet.originalLength = header->len;
        return Next::Packet;
    }
    if (status == 0)
        return Next::Idle; // live: the buffer timeout passed without a packet
    if (status == PCAP_ERROR_BREAK)
        return Next::End; // end of file, or interrupt()
    const QString text = QString::fromLocal8Bit(pcap_geterr(m_handle));
    // libpcap: "truncated dump file; tried to read 1500 captured bytes, only got 1444".
    static const QRegularExpression Truncated(u"^truncated .*tried to read (\\d+) .*only got (\\d+)"_s);
    const QRegularExpressionMatch match = Truncated.match(text);
    if (match.hasMatch()) {
        const qint64 missing = match.captured(1).toLongLong() - match.captured(2).toLongLong();
        // pcap's "header bytes": the record header before the packet's data is cut already.
        const QString what = text.contains(u"header bytes"_s) ? u"'s record header"_s : QString();
        m_error = Error(ErrorCode::FileError,
            u"truncated capture file %1: packet %2%3 ends %4 bytes early"_s.arg(m_shownName)
                .arg(m_packetsRead + 1)
                .arg(what)
                .arg(missing));
    } else {
        m_error = Error(ErrorCode::FileError,
            u"cannot read %1 %2 after packet %3: %4"_s
                .arg(m_live ? u"interface"_s : u"capture file"_s, m_shownName)
                .arg(m_packetsRead)
                .arg(text));
    }
    return Next::Failed;
}

Error PcapSource::error() const
{
    return m_error.value_or(Error(ErrorCode::FileError, u"no error reading %1"_s.arg(m_shownName)));
}

void PcapSource::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    pcap_breakloop(m_handle);
}

int PcapSource::linkType() const
{
    return pcap_datalink(m_handle);
}

QString PcapSource::linkTypeName() const
{
    return linkTypeText(linkType());
}

std::uint64_t PcapSource::packetsRead() const
{
    return m_packetsRead;
}

std::uint64_t PcapSource::packetsDropped() const
{
    if (!m_live)
        return 0;
    pcap_stat stats {};
    if (pcap_stats(m_handle, &stats) != 0)
        return 0;
    return stats.ps_drop + stats.ps_ifdrop;
}

} // namespace zmqscope
