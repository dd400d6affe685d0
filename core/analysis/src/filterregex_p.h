#pragma once

// The regular expression of a filter's `matches`: QRegularExpression's syntax and results, with the
// common case (an ASCII id, mimetype or body) matched by PCRE2 straight on the store's bytes.

#include <memory>

#include <QByteArrayView>
#include <QRegularExpression>
#include <QStringView>

namespace zmqscope::filter {

class Regex
{
public:
    /// `regex` must be valid (the parser reports errors from QRegularExpression, with its offsets).
    explicit Regex(QRegularExpression regex);

    /// Bytes are read as UTF-8, as QString::fromUtf8 would read them.
    [[nodiscard]] bool matches(QByteArrayView bytes) const;
    [[nodiscard]] bool matches(QStringView text) const;

private:
    struct Compiled;
    /// QRegularExpression for text and for bytes beyond ASCII (UTF-8 errors read as U+FFFD there).
    QRegularExpression m_regex;
    /// The same pattern for PCRE2's 8-bit library, JIT-compiled; null when it could not be made.
    std::shared_ptr<const Compiled> m_bytes;
};

} // namespace zmqscope::filter
