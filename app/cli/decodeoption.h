#pragma once

#include <optional>

#include <QByteArray>
#include <QByteArrayView>
#include <QCommandLineOption>

#include <zmqscope/analysis/decoderules.h>
#include <zmqscope/analysis/messagematcher.h>
#include <zmqscope/capture/capture.h>

#include "clicommon.h"

namespace zmqscope::cli {

/// --decode RULE (repeatable) and --decoders FILE (DESIGN.md section 12), added by addTo().
struct DecodeOptions
{
    QCommandLineOption decode;
    QCommandLineOption decoders;

    DecodeOptions();
    void addTo(CommandLine &commandLine) const;
};

/**
 * What a receiving command does with each message before it prints it: decodes it (with --decode
 * or --decoders: rules first, then the mimetype), keeps it only when it passes --filter (whose
 * `json.` fields read the decoded value), and adds the decoding to the printed text: jsonl lines
 * get "decoded" (or "decode_error" with the decoder's complaint), pretty blocks a "decoded:" line.
 * Without either option every message passes untouched, at no cost.
 */
class MessagePipeline
{
public:
    MessagePipeline() = default;
    MessagePipeline(MessageMatcher matcher, std::optional<DecoderSet> decoders, OutputFormat format);

    /// The pipeline of a command's options; `decode` null for a command without them. Usage errors
    /// for a bad --filter ("bad --filter at column N: ...") or rule ("bad --decode ...").
    [[nodiscard]] static MessagePipeline fromCommandLine(
        const CommandLine &commandLine, const QCommandLineOption &filter, const DecodeOptions *decode);

    /// Decodes (when there are decoders) and filters one message; the decoding is kept for decorate().
    [[nodiscard]] bool accept(const FilterSubject &message);
    [[nodiscard]] bool accept(const CaptureRecord &record);
    /// accept() for a message received on `socket` (its type name `type`).
    [[nodiscard]] bool accept(
        const Frames &frames, Direction direction, QByteArrayView peer, QStringView socket, QStringView type);
    /// Whether there is a filter or decoders (else accept() is always true and decorate() a no-op).
    [[nodiscard]] bool isActive() const { return m_decoders || !m_matcher.isEmpty(); }
    /// `printed` (one message as the formatter wrote it) with the last accepted message's decoding.
    [[nodiscard]] QByteArrayView decorate(QByteArrayView printed);

private:
    MessageMatcher m_matcher;
    std::optional<DecoderSet> m_decoders;
    OutputFormat m_format = OutputFormat::Pretty;
    std::optional<DecodedPayload> m_decoded; ///< of the last accepted message
    QByteArray m_buffer;
};

} // namespace zmqscope::cli
