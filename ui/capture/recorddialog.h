#pragma once

#include <QDialog>

#include <zmqscope/engine/engine.h>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace zmqscope {

/**
 * Record to…: where the capture file goes (a timestamped .zmqcap name by
 * default), which sockets are recorded (all, also ones opened later, or a
 * chosen few) and optional rotation like dumpcap -b (a new file every N MiB,
 * keeping at most M files).
 */
class RecordDialog : public QDialog
{
    Q_OBJECT
public:
    RecordDialog(
        const QList<SocketInfo> &sockets, const QList<SocketId> &selected, QWidget *parent = nullptr);

    /// A new file name in `directory`: "zmqscope_20261126T011502Z.zmqcap" (UTC).
    [[nodiscard]] static QString defaultFileName(const QString &directory);

    void setFileName(const QString &fileName);
    [[nodiscard]] QString fileName() const;
    /// Starts with these settings (the file name is kept as set); `options.sockets` empty = all.
    void setOptions(const RecordingOptions &options);
    [[nodiscard]] RecordingOptions options() const;
    /// The inline error line, empty when there is none.
    [[nodiscard]] QString errorText() const;

public Q_SLOTS:
    void accept() override;

private:
    void browse();
    void updateState();

    QLineEdit *m_fileEdit = nullptr;
    QRadioButton *m_allRadio = nullptr;
    QRadioButton *m_selectedRadio = nullptr;
    QListWidget *m_socketList = nullptr;
    QCheckBox *m_rotateCheck = nullptr;
    QSpinBox *m_rotateSizeSpin = nullptr;
    QCheckBox *m_keepCheck = nullptr;
    QSpinBox *m_keepSpin = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_okButton = nullptr;
};

} // namespace zmqscope
