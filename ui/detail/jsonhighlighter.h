#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace zmqscope {

/**
 * Colours JSON text as QJsonDocument writes it (one token run per line, no
 * line breaks inside strings): keys, strings, numbers and the literals true,
 * false and null. It only sets character formats, so the text stays plain.
 */
class JsonHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    explicit JsonHighlighter(QTextDocument *document);

    /// Picks colours that read well on the given base (background) colour.
    void setBaseColor(const QColor &base);

    [[nodiscard]] QTextCharFormat keyFormat() const { return m_key; }
    [[nodiscard]] QTextCharFormat stringFormat() const { return m_string; }
    [[nodiscard]] QTextCharFormat numberFormat() const { return m_number; }
    [[nodiscard]] QTextCharFormat literalFormat() const { return m_literal; }

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_key;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_literal;
};

} // namespace zmqscope
