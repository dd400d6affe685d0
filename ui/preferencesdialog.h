#pragma once

#include <cstdint>

#include <QDialog>
#include <QTimer>

#include <zmqscope/store/messagestore.h>

#include "preferences.h"

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QSpinBox;

namespace zmqscope {

/**
 * Edit > Preferences: how many messages and how much message data the store
 * keeps, how long the table's previews are, and which questions the window
 * asks before work is lost ("Don't ask again" in those questions unticks them). Shows what is kept now and
 * warns, with numbers, when a lower limit would evict messages at once.
 * OK and Apply save to QSettings and apply live (MessageStore::setLimits()).
 */
class PreferencesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PreferencesDialog(MessageStore &store, QWidget *parent = nullptr);

    /// What the dialog shows now.
    [[nodiscard]] Preferences preferences() const;
    void setPreferences(const Preferences &preferences);

    /// Saves and applies what the dialog shows (OK does this too).
    void apply();
    void accept() override;

    /// The "kept now" line and the eviction warning (empty while nothing would be evicted).
    [[nodiscard]] QString keptNowText() const;
    [[nodiscard]] QString evictionWarning() const;

    [[nodiscard]] QSpinBox *maxMessagesBox() const { return m_maxMessages; }
    [[nodiscard]] QSpinBox *memoryBox() const { return m_memoryValue; }
    [[nodiscard]] QComboBox *memoryUnitBox() const { return m_memoryUnit; }
    [[nodiscard]] QSpinBox *previewCharsBox() const { return m_previewChars; }
    [[nodiscard]] QCheckBox *confirmClearBox() const { return m_confirmClear; }
    [[nodiscard]] QCheckBox *confirmQuitBox() const { return m_confirmQuit; }

Q_SIGNALS:
    /// OK or Apply saved and applied these preferences.
    void preferencesApplied(const zmqscope::Preferences &preferences);

private:
    void setMemoryBytes(std::uint64_t bytes);
    void handleMemoryUnitChanged();
    void updateStatus();
    [[nodiscard]] std::uint64_t unitBytes() const;

    MessageStore &m_store;
    QSpinBox *m_maxMessages = nullptr;
    QSpinBox *m_memoryValue = nullptr;
    QComboBox *m_memoryUnit = nullptr;
    QSpinBox *m_previewChars = nullptr;
    QCheckBox *m_confirmClear = nullptr;
    QCheckBox *m_confirmQuit = nullptr;
    QLabel *m_keptNow = nullptr;
    QLabel *m_warning = nullptr;
    QLabel *m_commandLineNote = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    /// Exact bytes while the user has not touched the memory fields (the command line may give any size).
    std::uint64_t m_memoryBytes = 0;
    QTimer m_statusTimer;
};

} // namespace zmqscope
