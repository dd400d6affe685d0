#pragma once

#include <optional>
#include <vector>

#include <QDialog>
#include <QPointer>

#include <zmqscope/engine/engine.h>
#include <zmqscope/replay/replayer.h>

class QButtonGroup;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QRadioButton;

namespace zmqscope {

/**
 * Replay: sends recorded messages (a selection, or a whole capture file) into
 * one of the engine's open sockets with zmqscope::Replayer, at the original
 * timing, N times faster, at full speed or one message per Next. Frames go
 * out byte-identical; progress and Stop while it runs. Non-modal: the main
 * window keeps receiving meanwhile.
 */
class ReplayDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ReplayDialog(Engine &engine, QWidget *parent = nullptr);
    ~ReplayDialog() override;

    /// Replays these messages (a selection); `description` says what they are ("12 selected messages").
    void setItems(std::vector<ReplayItem> items, const QString &description);
    /**
     * Replays these messages of `store` (a selection; evicted ones are left out). The source reads
     * "N <what>", and says which way a tap's messages went: they all go into the one target socket.
     */
    void setSelection(const MessageStore &store, const std::vector<std::uint64_t> &seqs, const QString &what);
    /// Replays a capture file; `socketNames` (when known) fill the socket filter. The direction filter
    /// offers c2s and s2c when `offerTapDirections` (the file has a tap's lines, or nobody looked).
    void setFile(const QString &path, const QStringList &socketNames = {}, bool offerTapDirections = true);
    /// File replay: only this direction (std::nullopt: every one); false when it is not offered.
    bool setDirection(std::optional<Direction> direction);
    /// What the dialog says about the chosen tap direction (which way it goes); empty when it says nothing.
    [[nodiscard]] QString directionNote() const;

    /// Chooses the target; false when that socket is not offered (closed, or cannot send).
    bool setTargetSocket(SocketId socket);
    [[nodiscard]] SocketId targetSocket() const;
    void setPacing(ReplayPacing pacing, double speed = 2.0);
    [[nodiscard]] ReplayOptions options() const;

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] quint64 sent() const;
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] QString errorText() const;

public Q_SLOTS:
    void startReplay();
    /// Step pacing: sends the next message.
    void step();
    void stopReplay();

Q_SIGNALS:
    void replayFinished(quint64 sent, const QString &error);

protected:
    void reject() override;

private:
    void refreshTargets();
    void handleProgress(quint64 sent, quint64 total);
    void handleFinished(quint64 sent, const QString &error);
    void updateState();
    void updateDirectionNote();

    Engine &m_engine;
    QPointer<Replayer> m_replayer;
    std::vector<ReplayItem> m_items;
    QString m_file;

    QLabel *m_sourceLabel = nullptr;
    QComboBox *m_targetCombo = nullptr;
    QButtonGroup *m_pacingGroup = nullptr;
    QRadioButton *m_originalRadio = nullptr;
    QRadioButton *m_speedRadio = nullptr;
    QRadioButton *m_maxRadio = nullptr;
    QRadioButton *m_stepRadio = nullptr;
    QDoubleSpinBox *m_speedSpin = nullptr;
    QWidget *m_filterBox = nullptr;
    QComboBox *m_socketFilterCombo = nullptr;
    QComboBox *m_directionCombo = nullptr;
    QLabel *m_directionNote = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_errorLabel = nullptr;
    QPushButton *m_startButton = nullptr;
    QPushButton *m_nextButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QPushButton *m_closeButton = nullptr;
};

} // namespace zmqscope
