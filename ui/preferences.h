#pragma once

#include <cstdint>
#include <optional>

#include <QMetaType>
#include <QString>

#include <zmqscope/error.h>
#include <zmqscope/store/messagestore.h>

namespace zmqscope {

/**
 * The user's settings for the data path and the questions the window asks,
 * stored in QSettings under "Retention/", "MessagesTable/" and "Confirm/".
 * The command line may override the
 * retention limits for one run (app/gui/main.cpp); the Preferences dialog
 * edits and applies them live.
 */
struct Preferences
{
    static constexpr std::uint64_t MinMessages = 1'000;
    static constexpr std::uint64_t MaxMessages = 100'000'000; // the index alone takes 40 bytes a message
    static constexpr std::uint64_t MinMemory = std::uint64_t { 16 } << 20; // 16 MiB
    static constexpr std::uint64_t MaxMemory = std::uint64_t { 1 } << 40; // 1 TiB
    static constexpr int MinPreviewChars = 20;
    static constexpr int MaxPreviewChars = 2000;

    std::uint64_t maxMessages = MessageStore::Limits {}.maxMessages;
    std::uint64_t maxMemory = MessageStore::Limits {}.maxBytes;
    int previewChars = 120; ///< characters of the body shown in the Preview column
    bool confirmClear = true; ///< Clear Messages asks first when messages would be lost
    bool confirmQuit = true; ///< Quit asks first while sockets are open or a recording runs

    /// Reads the saved preferences (defaults for missing keys, clamped to the ranges above).
    [[nodiscard]] static Preferences load();
    void save() const;

    /// The store's limits with these counts and bytes (the chunk size stays what `base` says).
    [[nodiscard]] MessageStore::Limits limits(MessageStore::Limits base = {}) const;

    friend bool operator==(const Preferences &, const Preferences &) = default;
};

/**
 * Parses a size such as "1073741824", "512M", "512 MiB", "2G", "1.5GB" or
 * "64k". Units are binary whatever their spelling (K = 1024, M = 1024 K,
 * G, T); no unit means bytes. std::nullopt for anything else, including
 * negative, fractional byte counts and overflow.
 */
[[nodiscard]] std::optional<std::uint64_t> parseDataSize(const QString &text);

/// Parses a message count: digits only (group separators "," "_" and "'" allowed), no sign, no unit.
[[nodiscard]] std::optional<std::uint64_t> parseCount(const QString &text);

/**
 * Checks a message limit as typed on the command line (--max-messages N): the count, or
 * InvalidOptionValue with one line naming the value and what is allowed.
 */
[[nodiscard]] Result<std::uint64_t> messageLimitFromText(const QString &text);
/// The same for a memory limit (--max-memory SIZE), see parseDataSize().
[[nodiscard]] Result<std::uint64_t> memoryLimitFromText(const QString &text);

/// A size for limits: whole units stay whole ("1 GiB", "512 MiB"), others get one decimal ("1.5 GiB").
[[nodiscard]] QString formatLimitSize(std::uint64_t bytes);

} // namespace zmqscope

Q_DECLARE_METATYPE(zmqscope::Preferences)
