#pragma once

#include <functional>
#include <optional>

#include <QByteArray>
#include <QWidget>

#include <zmqscope/error.h>

class BodyEdit;
class QAction;
class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTimer;

/**
 * The Composer's envelope body: typed as text or hex digits, formatted and
 * checked as JSON, or loaded from a file. A body bigger than the editor lays
 * out (MaxEditableBytes, a big paste or file) is kept as bytes and shown as a
 * read-only summary, and sent byte for byte.
 */
class BodyEditor : public QWidget
{
    Q_OBJECT

public:
    /// Bodies above this many bytes (or hex characters) are kept read-only instead of in the text edit.
    static constexpr qsizetype MaxEditableBytes = qsizetype { 1024 } * 1024;

    /// "20.0 MiB (20971520 bytes)": a body's size in status lines.
    [[nodiscard]] static QString sizeText(qsizetype bytes);

    /// loadAction asks for a file; its Load File… button triggers it.
    BodyEditor(QAction *loadAction, QWidget *parent = nullptr);

    /// The body's bytes, or InvalidBody saying why the typed text is not bytes (bad hex).
    [[nodiscard]] zmqscope::Result<QByteArray> bytes() const;
    /// True when the body is typed as text (not hex, not read-only), so variables in it are expanded.
    [[nodiscard]] bool isTypedText() const;
    /// True when the body is kept as bytes (too big to edit, or loaded from a file), shown read-only.
    [[nodiscard]] bool isReadOnly() const;
    /// Shows bytes in the editor, or read-only beyond MaxEditableBytes; source says where they came from.
    void setBytes(const QByteArray &bytes, const QString &source);
    /// The text edit, for focus, buddies and the tab order (its buttons follow it).
    [[nodiscard]] QPlainTextEdit *textEdit() const;
    /// The last of the editor's widgets in the tab order.
    [[nodiscard]] QWidget *lastInTabOrder() const;

    /**
     * Shows whether the body is valid JSON when json, checked as it will be sent: expand, when set,
     * expands its variables first (and throws zmqscope::Error for a bad one).
     */
    void checkJson(bool json, const std::function<QByteArray(const QByteArray &)> &expand);
    /// The JSON check line ("Valid JSON", "JSON error at line 2, column 5: ..."), empty when hidden.
    [[nodiscard]] QString jsonStatusText() const;

public Q_SLOTS:
    /// Pretty-prints a JSON body; a body that is not JSON keeps its text and the cursor goes to the error.
    void formatJson();

Q_SIGNALS:
    /// The body changed (typed, replaced, made read-only or editable again).
    void edited();
    /// The JSON check line is due again (the body changed; big bodies once typing pauses).
    void jsonCheckDue();
    /// An edit was refused or went through: text says why it was refused, empty when it went through.
    void errorChanged(const QString &text);

private:
    void setReadOnlyBytes(const QByteArray &bytes, const QString &source);
    void clearReadOnly();
    void handleLargePaste(const QString &text);
    void toggleHex(bool toHex);

    std::optional<QByteArray> m_readOnlyBytes;
    QStackedWidget *m_stack = nullptr;
    BodyEdit *m_edit = nullptr;
    QWidget *m_readOnlyPage = nullptr;
    QLabel *m_readOnlyLabel = nullptr;
    QCheckBox *m_hexCheck = nullptr;
    QPushButton *m_formatButton = nullptr;
    QPushButton *m_loadButton = nullptr;
    QLabel *m_jsonStatus = nullptr;
    QTimer *m_jsonTimer = nullptr;
};
