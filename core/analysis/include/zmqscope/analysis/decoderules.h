#pragma once

#include <memory>
#include <optional>

#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringView>

#include <zmqscope/analysis/filterexpression.h> // FilterSubject
#include <zmqscope/analysis/payloaddecoder.h>
#include <zmqscope/error.h>

namespace zmqscope {

/**
 * One decode rule (DESIGN.md section 12): `[MATCH:]FORMAT[:ARGS]` with MATCH `id=GLOB`,
 * `socket=NAME`, `mimetype=TYPE` or `frame=N`; FORMAT `json`, `cbor`, `msgpack`, or `protobuf` with
 * ARGS `DESCRIPTOR_SET_FILE:package.Message`. A MATCH value may hold ':' (a sniffed connection's
 * name does): the format is the first ":json", ":cbor", ":msgpack" or ":protobuf" after it.
 */
struct DecodeRule
{
    enum class Match
    {
        Any, ///< no MATCH: every message
        Id, ///< the envelope id matches a glob (* any run, ? one character)
        Socket, ///< the socket's (connection's) name is this
        Mimetype, ///< the envelope mimetype is this (ASCII case-insensitive, parameters ignored)
        Frame, ///< decode frame N (negative counts from the end) instead of the body
    };
    Match match = Match::Any;
    QString value; ///< the glob, socket name or mimetype
    int frame = 0;
    PayloadFormat format = PayloadFormat::Json;
    QString descriptorSet; ///< protobuf: the FileDescriptorSet file
    QString messageType; ///< protobuf: "package.Message"

    /// Parses a rule; an InvalidOptionValue error naming what is wrong ("unknown format \"yaml\"; ...").
    [[nodiscard]] static Result<DecodeRule> parse(QStringView text);
    /// The rule as written back (parse(toString()) gives the same rule).
    [[nodiscard]] QString toString() const;
    /// Where the protobuf descriptor set file is: `descriptorSet` when absolute, else taken against
    /// `baseDirectory` (a rules file's folder; the current folder when empty), cleaned.
    [[nodiscard]] QString descriptorSetPath(const QString &baseDirectory = {}) const;

    friend bool operator==(const DecodeRule &, const DecodeRule &) = default;
};

/// What one message decodes to under a DecoderSet.
struct DecodedPayload
{
    PayloadFormat format = PayloadFormat::Json;
    QString typeName; ///< protobuf: the message type; empty otherwise
    int frame = -1; ///< the frame decoded (index into the message's frames)
    /// The rule that chose the format (its index in DecoderSet::rules()), -1 when the mimetype did.
    int ruleIndex = -1;
    Result<QJsonValue> value = QJsonValue();

    /// "MessagePack", "protobuf pkg.Msg" (for labels and the CLI's pretty output).
    [[nodiscard]] QString title() const;
};

/**
 * Decode rules in their order, with their protobuf descriptor sets loaded (each file once): the
 * first rule whose MATCH fits a message decides its format; without one, the mimetype
 * (payloadFormatForMimetype()) does, and without that the message is not decoded. A value type;
 * decode() is const and thread-safe.
 */
class DecoderSet
{
public:
    DecoderSet() = default;

    /// Loads the rules' descriptor sets (relative paths against `baseDirectory`, the current one when
    /// empty); the first file that cannot be read or type that is not in its set fails the whole set.
    [[nodiscard]] static Result<DecoderSet> create(
        const QList<DecodeRule> &rules, const QString &baseDirectory = {});
    /// A rules file: one rule per line; blank lines and lines starting with '#' are skipped. Errors
    /// name the file and line ("rules.txt:3: unknown format \"yaml\"; ..."). Relative descriptor set
    /// paths are taken against the rules file's folder.
    [[nodiscard]] static Result<DecoderSet> fromFile(const QString &fileName);
    /// The rules of a rules file, not loaded (for an editor).
    [[nodiscard]] static Result<QList<DecodeRule>> readRules(const QString &fileName);

    [[nodiscard]] const QList<DecodeRule> &rules() const { return m_rules; }

    /// Which format and bytes a message would decode with, without decoding: nullopt when no rule
    /// fits and the mimetype names no format. `frame` in the result says which frame.
    [[nodiscard]] std::optional<DecodedPayload> choose(const FilterSubject &message) const;
    /// choose(), then the decoding (the result's value: the JSON, or the decoding error).
    [[nodiscard]] std::optional<DecodedPayload> decode(const FilterSubject &message) const;
    /**
     * The message as JSON, as the filter's `json.` fields read it: the decoded value when a rule or
     * the mimetype decodes it, else the body (an envelope's, a raw message's last frame) parsed as
     * JSON text; QJsonValue::Undefined when it does not decode or is not JSON.
     */
    [[nodiscard]] QJsonValue json(const FilterSubject &message) const;

private:
    QList<DecodeRule> m_rules;
    /// Per rule: its protobuf type, and its id glob compiled.
    QList<std::optional<ProtobufType>> m_types;
    QList<QRegularExpression> m_globs;
};

} // namespace zmqscope
