#include "preferencesdialog.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include "compose/inlinemessage.h"
#include "displaytext.h"

using namespace Qt::StringLiterals;

namespace zmqscope {

namespace {
constexpr std::uint64_t MiB = std::uint64_t { 1 } << 20;
constexpr std::uint64_t GiB = std::uint64_t { 1 } << 30;
constexpr int StatusIntervalMs = 500;

QString number(std::uint64_t value)
{
    return QLocale().toString(qulonglong(value));
}
} // namespace

PreferencesDialog::PreferencesDialog(MessageStore &store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
{
    setObjectName(u"PreferencesDialog"_s);
    setWindowTitle(u"Preferences"_s);

    // Retention.
    auto *retention = new QGroupBox(u"Retention"_s, this);
    m_maxMessages = new QSpinBox(retention);
    m_maxMessages->setObjectName(u"maxMessages"_s);
    m_maxMessages->setRange(int(Preferences::MinMessages), int(Preferences::MaxMessages));
    m_maxMessages->setGroupSeparatorShown(true);
    m_maxMessages->setSingleStep(100'000);
    m_maxMessages->setSuffix(u" messages"_s);
    m_maxMessages->setAccelerated(true);
    m_maxMessages->setToolTip(u"The newest this many messages are kept; older ones are dropped."_s);

    m_memoryValue = new QSpinBox(retention);
    m_memoryValue->setObjectName(u"maxMemory"_s);
    m_memoryValue->setGroupSeparatorShown(true);
    m_memoryValue->setAccelerated(true);
    m_memoryUnit = new QComboBox(retention);
    m_memoryUnit->setObjectName(u"maxMemoryUnit"_s);
    m_memoryUnit->addItem(u"MiB"_s, qulonglong(MiB));
    m_memoryUnit->addItem(u"GiB"_s, qulonglong(GiB));
    auto *memoryRow = new QHBoxLayout;
    memoryRow->addWidget(m_memoryValue, 1);
    memoryRow->addWidget(m_memoryUnit);
    const QString memoryTip = u"Message bytes kept at most (all frames). The index adds 40 bytes per message "
                              u"on top, at most %1 at the largest message limit."_s.arg(
                                  formatLimitSize(Preferences::MaxMessages * 40));
    m_memoryValue->setToolTip(memoryTip);
    m_memoryUnit->setToolTip(memoryTip);

    m_keptNow = new QLabel(retention);
    m_keptNow->setObjectName(u"keptNow"_s);
    m_keptNow->setTextFormat(Qt::PlainText);
    m_keptNow->setWordWrap(true);

    auto *explanation = new QLabel(
        u"Every message sent or received is kept in memory until one of these limits is reached. Then the "
        u"oldest are dropped a block at a time (at most %1 or a sixteenth of the message limit), so the "
        u"table always holds the most recent traffic. The status bar counts them as evicted."_s.arg(
            formatLimitSize(m_store.limits().chunkBytes)),
        retention);
    explanation->setTextFormat(Qt::PlainText);
    explanation->setWordWrap(true);
    explanation->setForegroundRole(QPalette::PlaceholderText);

    m_warning = new QLabel(retention);
    m_warning->setObjectName(u"evictionWarning"_s);
    m_warning->setTextFormat(Qt::PlainText);
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(u"QLabel { color: #c06c00; font-weight: bold; }"_s);
    m_warning->setVisible(false);

    m_commandLineNote = new QLabel(retention);
    m_commandLineNote->setObjectName(u"commandLineNote"_s);
    m_commandLineNote->setTextFormat(Qt::PlainText);
    m_commandLineNote->setWordWrap(true);
    m_commandLineNote->setVisible(false);

    auto *retentionForm = new QFormLayout;
    retentionForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    retentionForm->addRow(u"Keep at &most:"_s, m_maxMessages);
    // A row of two fields: its label needs the buddy set by hand for the mnemonic to work.
    auto *memoryLabel = new QLabel(u"Message &data at most:"_s, retention);
    memoryLabel->setBuddy(m_memoryValue);
    retentionForm->addRow(memoryLabel, memoryRow);
    retentionForm->addRow(u"Kept now:"_s, m_keptNow);
    auto *retentionLayout = new QVBoxLayout(retention);
    retentionLayout->addLayout(retentionForm);
    retentionLayout->addWidget(explanation);
    retentionLayout->addWidget(m_warning);
    retentionLayout->addWidget(m_commandLineNote);

    // The Messages table.
    auto *table = new QGroupBox(u"Messages table"_s, this);
    m_previewChars = new QSpinBox(table);
    m_previewChars->setObjectName(u"previewChars"_s);
    m_previewChars->setRange(Preferences::MinPreviewChars, Preferences::MaxPreviewChars);
    m_previewChars->setSingleStep(20);
    m_previewChars->setSuffix(u" characters"_s);
    m_previewChars->setToolTip(u"How much of the body the Preview column shows. Only the rows on screen are "
                               u"formatted, so a longer preview costs no memory per message."_s);
    auto *tableForm = new QFormLayout(table);
    tableForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    tableForm->addRow(u"&Preview length:"_s, m_previewChars);

    // The questions asked before work is lost.
    auto *confirm = new QGroupBox(u"Confirmations"_s, this);
    m_confirmClear = new QCheckBox(u"Ask before &clearing messages"_s, confirm);
    m_confirmClear->setObjectName(u"confirmClear"_s);
    m_confirmQuit
        = new QCheckBox(u"Ask before &quitting while sockets are open or a recording runs"_s, confirm);
    m_confirmQuit->setObjectName(u"confirmQuit"_s);
    auto *confirmLayout = new QVBoxLayout(confirm);
    confirmLayout->addWidget(m_confirmClear);
    confirmLayout->addWidget(m_confirmQuit);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Apply
            | QDialogButtonBox::RestoreDefaults,
        this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &PreferencesDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &PreferencesDialog::reject);
    connect(
        m_buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, &PreferencesDialog::apply);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
        [this] { setPreferences(Preferences()); });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(retention);
    layout->addWidget(table);
    layout->addWidget(confirm);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    // What is shown: the saved preferences, with the limits this run really uses (the command line may
    // have overridden them).
    Preferences shown = Preferences::load();
    const MessageStore::Limits limits = m_store.limits();
    const Preferences saved = shown;
    shown.maxMessages = std::clamp(limits.maxMessages, Preferences::MinMessages, Preferences::MaxMessages);
    shown.maxMemory = std::clamp(limits.maxBytes, Preferences::MinMemory, Preferences::MaxMemory);
    if (shown.maxMessages != saved.maxMessages || shown.maxMemory != saved.maxMemory) {
        m_commandLineNote->setText(
            u"This run uses limits from the command line. The saved ones are %1 messages and %2; OK or Apply "
            u"saves what is shown here."_s.arg(number(saved.maxMessages), formatLimitSize(saved.maxMemory)));
        m_commandLineNote->setVisible(true);
    }
    setPreferences(shown);

    connect(m_maxMessages, &QSpinBox::valueChanged, this, &PreferencesDialog::updateStatus);
    connect(m_memoryValue, &QSpinBox::valueChanged, this, [this](int value) {
        m_memoryBytes = std::uint64_t(value) * unitBytes();
        updateStatus();
    });
    connect(m_memoryUnit, &QComboBox::currentIndexChanged, this, &PreferencesDialog::handleMemoryUnitChanged);
    // Traffic goes on while the dialog is open: keep "kept now" and the warning current.
    m_statusTimer.setInterval(StatusIntervalMs);
    connect(&m_statusTimer, &QTimer::timeout, this, &PreferencesDialog::updateStatus);
    m_statusTimer.start();
    updateStatus();
    setMinimumWidth(fontMetrics().horizontalAdvance(u'x') * 84);
}

std::uint64_t PreferencesDialog::unitBytes() const
{
    return m_memoryUnit->currentData().toULongLong();
}

Preferences PreferencesDialog::preferences() const
{
    Preferences result;
    result.maxMessages = std::uint64_t(m_maxMessages->value());
    result.maxMemory = m_memoryBytes;
    result.previewChars = m_previewChars->value();
    result.confirmClear = m_confirmClear->isChecked();
    result.confirmQuit = m_confirmQuit->isChecked();
    return result;
}

void PreferencesDialog::setPreferences(const Preferences &preferences)
{
    m_maxMessages->setValue(int(preferences.maxMessages));
    setMemoryBytes(preferences.maxMemory);
    m_previewChars->setValue(preferences.previewChars);
    m_confirmClear->setChecked(preferences.confirmClear);
    m_confirmQuit->setChecked(preferences.confirmQuit);
    updateStatus();
}

void PreferencesDialog::setMemoryBytes(std::uint64_t bytes)
{
    const QSignalBlocker unitBlocker(m_memoryUnit);
    const QSignalBlocker valueBlocker(m_memoryValue);
    const bool wholeGiB = bytes % GiB == 0;
    m_memoryUnit->setCurrentIndex(wholeGiB ? 1 : 0);
    const std::uint64_t unit = unitBytes();
    m_memoryValue->setRange(int(Preferences::MinMemory / unit > 0 ? Preferences::MinMemory / unit : 1),
        int(Preferences::MaxMemory / unit));
    m_memoryValue->setSingleStep(wholeGiB ? 1 : 64);
    m_memoryValue->setValue(int((bytes + unit / 2) / unit));
    m_memoryBytes = bytes;
}

void PreferencesDialog::handleMemoryUnitChanged()
{
    // 1 GiB becomes 1,024 MiB; 1,536 MiB becomes 2 GiB (rounded, shown before it is applied).
    const std::uint64_t unit = unitBytes();
    const std::uint64_t rounded = std::max<std::uint64_t>((m_memoryBytes + unit / 2) / unit, 1) * unit;
    const QSignalBlocker valueBlocker(m_memoryValue);
    m_memoryValue->setRange(
        int(std::max<std::uint64_t>(Preferences::MinMemory / unit, 1)), int(Preferences::MaxMemory / unit));
    m_memoryValue->setSingleStep(unit == GiB ? 1 : 64);
    m_memoryValue->setValue(int(rounded / unit));
    m_memoryBytes = std::uint64_t(m_memoryValue->value()) * unit;
    updateStatus();
}

QString PreferencesDialog::keptNowText() const
{
    const MessageStore::Stats stats = m_store.stats();
    QString text = u"%1 messages, %2 of message data (%3 with the index)"_s.arg(
        number(stats.kept), displaytext::dataSize(stats.bytesKept), displaytext::dataSize(stats.memoryInUse));
    if (stats.evicted > 0)
        text += u"; %1 evicted so far"_s.arg(number(stats.evicted));
    return text;
}

QString PreferencesDialog::evictionWarning() const
{
    const MessageStore::Stats stats = m_store.stats();
    const Preferences shown = preferences();
    if (stats.kept == 0 || (stats.kept <= shown.maxMessages && stats.bytesKept <= shown.maxMemory))
        return {};
    // Eviction is by whole chunks of about the same number of messages, so the byte share is a fair guess.
    std::uint64_t evict = stats.kept > shown.maxMessages ? stats.kept - shown.maxMessages : 0;
    if (stats.bytesKept > shown.maxMemory) {
        const double share = double(stats.bytesKept - shown.maxMemory) / double(stats.bytesKept);
        evict = std::max(evict, std::uint64_t(share * double(stats.kept)));
    }
    evict = std::min(std::max<std::uint64_t>(evict, 1), stats.kept);
    return u"Lower than what is kept now: OK or Apply will drop about %1 of the %2 messages kept, oldest "
           u"first. "
           u"They cannot be brought back."_s.arg(number(evict), number(stats.kept));
}

void PreferencesDialog::updateStatus()
{
    m_keptNow->setText(keptNowText());
    const QString warning = evictionWarning();
    InlineMessage::show(m_warning, warning);
}

void PreferencesDialog::apply()
{
    const Preferences chosen = preferences();
    chosen.save();
    m_store.setLimits(chosen.limits(m_store.limits()));
    // What the command line set is now what the user chose.
    m_commandLineNote->setVisible(false);
    updateStatus();
    Q_EMIT preferencesApplied(chosen);
}

void PreferencesDialog::accept()
{
    apply();
    QDialog::accept();
}

} // namespace zmqscope
