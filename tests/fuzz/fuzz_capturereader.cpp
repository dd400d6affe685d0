#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <zmqscope/capture/capture.h>
#include <zmqscope/capture/capturereader.h>

#include "fuzzcheck.h"
#include "fuzztargets.h"

using namespace Qt::StringLiterals;

namespace zmqscope::fuzz {

namespace {

// What the writer produces the reader must read back unchanged.
void checkRoundTrip(const CaptureRecord &record)
{
    const QByteArray line = captureLine(record);
    ZMQSCOPE_FUZZ_CHECK(line.endsWith('\n'));
    ZMQSCOPE_FUZZ_CHECK(line.count('\n') == 1);
    ZMQSCOPE_FUZZ_CHECK(parseCaptureLine(line) == record);
}

void parseAlone(const QByteArray &bytes)
{
    try {
        checkRoundTrip(parseCaptureLine(bytes));
    } catch (const Error &error) {
        ZMQSCOPE_FUZZ_CHECK(!error.message().isEmpty());
        ZMQSCOPE_FUZZ_CHECK(!error.message().contains(u'\n'));
    }
    try {
        const QJsonObject header = parseCaptureHeader(bytes);
        ZMQSCOPE_FUZZ_CHECK(header.value(u"zmqscope_capture"_s).toInt() == CaptureFormatVersion);
    } catch (const Error &error) {
        ZMQSCOPE_FUZZ_CHECK(!error.message().contains(u'\n'));
    }
}

} // namespace

int captureReaderTarget(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    parseAlone(bytes);

    // One file per process, rewritten for every input: the reader takes a path. In memory (tmpfs)
    // where there is one: on ext4 truncating and rewriting a file forces a writeback every time.
    static QTemporaryFile file((QFileInfo(u"/dev/shm"_s).isWritable() ? u"/dev/shm"_s : QDir::tempPath())
        + u"/zmqscope-fuzz-XXXXXX.zmqcap"_s);
    if (!file.isOpen() && !file.open())
        std::abort();
    ZMQSCOPE_FUZZ_CHECK(file.seek(0));
    ZMQSCOPE_FUZZ_CHECK(file.write(bytes) == bytes.size());
    ZMQSCOPE_FUZZ_CHECK(file.flush());
    ZMQSCOPE_FUZZ_CHECK(file.resize(bytes.size()));

    try {
        CaptureReader reader(file.fileName());
        ZMQSCOPE_FUZZ_CHECK(reader.size() == qint64(size));
        ZMQSCOPE_FUZZ_CHECK(reader.header().contains(u"zmqscope_capture"_s));
        CaptureRecord record;
        qint64 lastPosition = reader.position();
        qint64 records = 0;
        while (reader.next(record)) {
            ++records;
            ZMQSCOPE_FUZZ_CHECK(reader.position() > lastPosition);
            ZMQSCOPE_FUZZ_CHECK(reader.position() <= reader.size());
            lastPosition = reader.position();
            checkRoundTrip(record);
        }
        ZMQSCOPE_FUZZ_CHECK(!reader.next(record));
        ZMQSCOPE_FUZZ_CHECK(reader.position() == reader.size());
        const qint64 lines = bytes.count('\n') + (bytes.endsWith('\n') ? 0 : 1);
        ZMQSCOPE_FUZZ_CHECK(reader.lineNumber() <= lines);
        ZMQSCOPE_FUZZ_CHECK(records + reader.issues().size() <= lines - 1);
        qint64 lastIssueLine = 1;
        for (const CaptureIssue &issue : reader.issues()) {
            ZMQSCOPE_FUZZ_CHECK(issue.line > lastIssueLine && issue.line <= lines);
            ZMQSCOPE_FUZZ_CHECK(issue.message.startsWith(u"line %1: "_s.arg(issue.line)));
            ZMQSCOPE_FUZZ_CHECK(!issue.message.contains(u'\n'));
            lastIssueLine = issue.line;
        }
    } catch (const Error &error) {
        ZMQSCOPE_FUZZ_CHECK(error.message().startsWith(u"cannot read capture file \""_s));
        ZMQSCOPE_FUZZ_CHECK(!error.message().contains(u'\n'));
    }
    return 0;
}

} // namespace zmqscope::fuzz

#ifdef ZMQSCOPE_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    return zmqscope::fuzz::captureReaderTarget(data, size);
}
#endif
