#pragma once

#include <optional>

#include <QByteArray>
#include <QWidget>

#include <zmqscope/error.h>
#include <zmqscope/names.h>

class BodyEditor;
class FramesEditor;
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

/**
 * The Composer's Envelope tab: the id (text or hex), the mimetype, the body
 * (BodyEditor) and the request frames, with the DEALER delimiter choice and the
 * ROUTER hint where the chosen socket needs them.
 */
class EnvelopeEditor : public QWidget
{
    Q_OBJECT

public:
    /// loadBodyAction asks for a file to make the body.
    explicit EnvelopeEditor(QAction *loadBodyAction, QWidget *parent = nullptr);

    /// The id's bytes, or InvalidBody saying why the typed text is not bytes (bad hex).
    [[nodiscard]] zmqscope::Result<QByteArray> id() const;
    /// True when the id is typed as text (not hex), so variables in it are expanded.
    [[nodiscard]] bool isIdTypedText() const;
    /// Shows bytes as the id: as text when they are one line of UTF-8, else as hex.
    void setId(const QByteArray &bytes);
    [[nodiscard]] QString mimetype() const;
    void setMimetype(const QString &mimetype);
    [[nodiscard]] BodyEditor *body() const { return m_body; }
    [[nodiscard]] FramesEditor *requestFrames() const { return m_requestFrames; }
    /// Whether the envelope goes out after an empty delimiter, as a REQ sends it (offered on DEALER).
    [[nodiscard]] bool delimiterFirst() const;
    void setDelimiterFirst(bool first);
    /// Shows the ROUTER hint and the delimiter choice where they apply to socketType (none: no socket).
    void updateHints(std::optional<zmqscope::SocketType> socketType);

    [[nodiscard]] QWidget *firstInTabOrder() const;
    [[nodiscard]] QWidget *lastInTabOrder() const;

Q_SIGNALS:
    /// The id, the request frames or the delimiter choice changed, or the body did.
    void edited();
    /// The mimetype changed (the body's JSON check depends on it).
    void mimetypeEdited();
    /// An edit was refused or went through: text says why it was refused, empty when it went through.
    void errorChanged(const QString &text);

private:
    void toggleIdHex(bool toHex);

    QLineEdit *m_idEdit = nullptr;
    QCheckBox *m_idHexCheck = nullptr;
    QComboBox *m_mimetypeCombo = nullptr;
    BodyEditor *m_body = nullptr;
    FramesEditor *m_requestFrames = nullptr;
    QLabel *m_routerHint = nullptr;
    QCheckBox *m_delimiterCheck = nullptr;
};
