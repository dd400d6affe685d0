// Page benchmark (a program, not a test): what does it cost to fill fresh memory with stored
// messages, depending on how the store prepared it? The store keeps messages in 4 MiB chunks that
// its reserve thread prepares ahead (core/store/src/storememory_p.h); this program calls the same
// allocateBlock() and prefault() and times the two halves apart: preparing the chunks, and writing
// 170-byte records (a 100-byte envelope with its sizes) into them, as the engine thread does.
//
//   populated    prefault(FaultBy::Appender): MADV_POPULATE_WRITE only, what the appending thread
//                does when nothing is ready
//   written      prefault(FaultBy::Reserve): populated and one byte a page written, what the
//                reserve's thread does
//   huge pages   as `written`, the chunks 2 MiB-aligned with MADV_HUGEPAGE (the store does not ask
//                for them; this shows why not and what they would give)
//   baseline     the chunks written in full before the timed fill: memory the process has used
//
// Each round frees its chunks before the next one allocates, so from the second round on the
// memory may be pages the process used before. The figures are per round; a fill much slower
// than the baseline's means the first write to a page costs more than the copy (on a VM whose
// host backs guest memory on its first use, about 4 µs a page). Linux only (the rest of the store
// falls back to plain malloc elsewhere).

#include <chrono>
#include <cstring>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>

#include "../../core/store/src/storememory_p.h"
#include "benchcommon.h"

using namespace Qt::StringLiterals;
using bench::print;

namespace {

constexpr std::size_t ChunkBytes = std::size_t { 4 } << 20; // the store's default chunkBytes
constexpr std::size_t RecordBytes = 170; // 3 frame sizes, 12-byte id, 24-byte mimetype, 100-byte body
constexpr std::size_t RecordsPerChunk = ChunkBytes / RecordBytes; // whole records: the tail stays empty

enum class Preparation
{
    Populated,
    Written,
    HugePages,
    Baseline,
};

QString name(Preparation preparation)
{
    switch (preparation) {
    case Preparation::Populated:
        return u"populated "_s;
    case Preparation::Written:
        return u"written   "_s;
    case Preparation::HugePages:
        return u"huge pages"_s;
    case Preparation::Baseline:
        return u"baseline  "_s;
    }
    return {};
}

struct Round
{
    double prepareMs = 0;
    double fillMs = 0;
    std::size_t records = 0;

    [[nodiscard]] double fillNsPerRecord() const { return fillMs * 1e6 / double(records); }
};

double millisecondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

char *allocate(Preparation preparation)
{
    using namespace zmqscope::storememory;
    if (preparation != Preparation::HugePages)
        return allocateBlock(ChunkBytes);
    void *data = nullptr;
    if (posix_memalign(&data, std::size_t { 2 } << 20, ChunkBytes) != 0)
        return nullptr;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    (void)madvise(data, ChunkBytes, MADV_HUGEPAGE);
#endif
    return static_cast<char *>(data);
}

Round runRound(Preparation preparation, std::size_t chunkCount)
{
    using namespace zmqscope::storememory;
    std::vector<char *> chunks;
    chunks.reserve(chunkCount);
    const auto prepareStart = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < chunkCount; ++i) {
        char *chunk = allocate(preparation);
        if (!chunk)
            bench::fail(u"cannot allocate chunk %1 of %2 bytes"_s.arg(i).arg(ChunkBytes));
        if (preparation == Preparation::Populated)
            prefault(chunk, ChunkBytes, FaultBy::Appender);
        else if (preparation == Preparation::Baseline)
            std::memset(chunk, 0, ChunkBytes);
        else
            prefault(chunk, ChunkBytes, FaultBy::Reserve);
        chunks.push_back(chunk);
    }
    Round round;
    round.prepareMs = millisecondsSince(prepareStart);

    char record[RecordBytes];
    for (std::size_t i = 0; i < RecordBytes; ++i)
        record[i] = char(i);
    const auto fillStart = std::chrono::steady_clock::now();
    for (char *chunk : chunks) {
        for (std::size_t offset = 0; offset + RecordBytes <= ChunkBytes; offset += RecordBytes) {
            std::memcpy(chunk + offset, record, RecordBytes);
            ++round.records;
            // One record at a time, as the store writes them: no merging the copies into one.
            asm volatile("" ::: "memory");
        }
    }
    round.fillMs = millisecondsSince(fillStart);
    // Every record must be there (and the copies cannot be optimised away).
    for (char *chunk : chunks) {
        if (std::memcmp(chunk + RecordsPerChunk / 2 * RecordBytes, record, RecordBytes) != 0)
            bench::fail(u"a record was not written"_s);
        std::free(chunk);
    }
    return round;
}

int runBenchmark(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"page_bench"_s);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Times preparing the store's 4 MiB chunks (allocateBlock and prefault, as its reserve thread "
        u"and its appending thread do) and writing 170-byte records into them, against memory written "
        u"before, and prints the figures per round."_s);
    parser.addHelpOption();
    parser.addOption(
        { u"megabytes"_s, u"Memory per round in MiB (default 172, about 1,000,000 records)."_s, u"MB"_s });
    parser.addOption({ u"rounds"_s, u"Rounds of each preparation (default 3)."_s, u"R"_s });
    parser.process(app);
    const qint64 megabytes
        = parser.isSet(u"megabytes"_s) ? bench::integerOption(parser, u"megabytes"_s, 4, 65536) : 172;
    const qint64 rounds = parser.isSet(u"rounds"_s) ? bench::integerOption(parser, u"rounds"_s, 1, 100) : 3;
    const auto chunkCount = std::size_t((megabytes << 20) / qint64(ChunkBytes));

    print(u"page_bench: %1 chunks of 4 MiB (%2 MiB) a round, 170-byte records"_s.arg(chunkCount)
              .arg(qint64(chunkCount) * 4));
    bench::printMachine();
    print(bench::reproduceLine(
        { u"--megabytes"_s, QString::number(megabytes), u"--rounds"_s, QString::number(rounds) }));
    std::vector<double> baselineFill;
    for (const Preparation preparation :
        { Preparation::Baseline, Preparation::Populated, Preparation::Written, Preparation::HugePages }) {
        for (qint64 round = 1; round <= rounds; ++round) {
            const Round result = runRound(preparation, chunkCount);
            if (preparation == Preparation::Baseline)
                baselineFill.push_back(result.fillNsPerRecord());
            const double baseline = bench::percentile(baselineFill, 50);
            print(u"%1 round %2: prepare %3 ms, fill %4 ns a record (%5x the baseline's median), "
                  u"together %6 ms"_s.arg(name(preparation))
                      .arg(round)
                      .arg(result.prepareMs, 7, 'f', 1)
                      .arg(result.fillNsPerRecord(), 6, 'f', 1)
                      .arg(result.fillNsPerRecord() / baseline, 0, 'f', 1)
                      .arg(result.prepareMs + result.fillMs, 0, 'f', 1));
        }
    }
    print(u"load average %1 now"_s.arg(bench::loadAverage(), 0, 'f', 2));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    return bench::runGuarded(runBenchmark, argc, argv);
}
