#pragma once

#include <cstdint>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <zmqscope/envelope.h>
#include <zmqscope/error.h>

namespace zmqscope {

/**
 * A saved message: an envelope (id, mimetype, body) or raw frames, with the socket type it is
 * meant for. Text may contain variables that TemplateExpander replaces when sending.
 *
 * As JSON (one entry of a library file):
 * @code
 * {
 *   "name": "ping",                       // required, non-empty, unique in a library
 *   "description": "health check",        // optional
 *   "socket_type": "REQ",                 // optional; missing or "" = any socket type
 *   "kind": "envelope",                   // "envelope" (default) or "raw"
 *   "id": "{{uuid}}",                     // envelope: id, mimetype, body; each as text when
 *   "mimetype": "text/plain",             //   valid UTF-8, else as "id_base64",
 *   "body": "ping {{seq}}"                //   "mimetype_base64", "body_base64"
 * }
 * {
 *   "name": "raw hello", "kind": "raw",
 *   "frames": [ {"text": "topic"}, {"base64": "AAEC"} ]   // raw: each frame as text or base64
 * }
 * @endcode
 */
struct MessageTemplate
{
    enum class Kind
    {
        Envelope,
        Raw
    };

    QString name;
    QString socketType; ///< the socket type it is meant for ("REQ"); empty = any
    Kind kind = Kind::Envelope;
    QByteArray id, mimetype, body; ///< Envelope (may contain {{variables}})
    Frames frames; ///< Raw (variables expanded in each frame)
    QString description;

    [[nodiscard]] QJsonObject toJson() const;
    /// Throws Error (ErrorCode::InvalidBody, or UnknownSocketType) naming the template and the bad field.
    [[nodiscard]] static MessageTemplate fromJson(const QJsonObject &json);

    friend bool operator==(const MessageTemplate &, const MessageTemplate &) = default;
};

/**
 * Named templates kept in a JSON file meant for version control:
 * @code
 * {
 *   "zmqscope_library": 1,
 *   "templates": [ { ...MessageTemplate, sorted by name... } ]
 * }
 * @endcode
 * save() writes it pretty-printed with sorted keys and templates sorted by name, so the same
 * library always gives the same bytes and a change gives a small diff.
 */
class TemplateLibrary
{
public:
    /// The library file format version written by save() and accepted by load().
    static constexpr int FormatVersion = 1;

    /// Missing file = empty library; a bad file throws Error naming the path, the template and the field.
    [[nodiscard]] static TemplateLibrary load(const QString &path);
    /// Writes atomically (QSaveFile); throws Error naming the path and the reason.
    void save(const QString &path) const;
    /// Sorted by name.
    [[nodiscard]] const QList<MessageTemplate> &templates() const;
    /// nullptr when there is none of that name; the pointer is valid until the library changes.
    [[nodiscard]] const MessageTemplate *find(const QString &name) const;
    /// Adds, or replaces the one with that name.
    void insert(const MessageTemplate &t);
    /// Fails (InvalidBody, naming both) when `from` is missing, `to` is empty or `to` exists.
    Result<void> rename(const QString &from, const QString &to);
    /// Fails (InvalidBody, naming it) when there is no template of that name.
    Result<void> remove(const QString &name);
    /// The names of every template, sorted.
    [[nodiscard]] QStringList names() const;
    /**
     * "library.json" in the application's data folder, one level deep: QStandardPaths'
     * AppDataLocation without the application folder Qt adds after the organization's
     * (~/.local/share/ZmqScope/library.json, not ~/.local/share/ZmqScope/zmqscope/library.json).
     */
    [[nodiscard]] static QString defaultPath();
    /// Where defaultPath() was before: AppDataLocation + "/library.json".
    [[nodiscard]] static QString oldDefaultPath();
    /**
     * Moves a library left at the old default place (oldDefaultPath()) to
     * defaultPath(), unless one is there already. Fails (FileError, naming both files) when the
     * move fails; succeeds also when there was nothing to move.
     */
    static Result<void> moveOldDefaultLibrary();

private:
    QList<MessageTemplate> m_templates; // sorted by name
};

/**
 * Expands {{seq}} (1, 2, 3, ... per expanded message), {{now}} (ISO-8601 UTC, microseconds),
 * {{uuid}} (random UUID without braces), {{random:N}} (random integer 0..N-1, decimal N from 1 to
 * 18446744073709551615). Every field and frame is expanded, binary ones too.
 * "{{{{" is a literal "{{"; a "}}" outside a variable is kept as is. Spaces inside the braces are
 * not allowed. An unknown or malformed variable (also an unclosed "{{") throws Error
 * (ErrorCode::InvalidBody) naming it.
 */
class TemplateExpander
{
public:
    explicit TemplateExpander(std::uint64_t firstSeq = 1);
    /// Uses the current seq.
    [[nodiscard]] QByteArray expandText(QByteArrayView text) const;
    /// Whole message, then seq++: an envelope template framed with `framing` (see defaultEnvelopeFraming()),
    /// raw frames as saved.
    [[nodiscard]] Frames expand(const MessageTemplate &t, EnvelopeFraming framing = EnvelopeFraming::Plain);
    [[nodiscard]] std::uint64_t seq() const;
    /// Throws Error when `text` has a variable that expandText() would reject; expands nothing.
    static void validate(QByteArrayView text);

private:
    std::uint64_t m_seq;
};

} // namespace zmqscope
