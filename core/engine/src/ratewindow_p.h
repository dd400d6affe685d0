#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <QtGlobal>

namespace zmqscope {

/// Milliseconds of the steady clock: the time base of RateWindow and of the engine's notification pacing.
inline qint64 steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

/// Messages per second over the last second, in ten 100 ms buckets.
class RateWindow
{
public:
    void add(qint64 nowMs, std::uint64_t count)
    {
        const qint64 bucket = nowMs / BucketMs;
        const auto index = std::size_t(bucket % Buckets);
        if (m_stamp[index] != bucket) {
            m_stamp[index] = bucket;
            m_count[index] = 0;
        }
        m_count[index] += count;
    }
    [[nodiscard]] double perSecond(qint64 nowMs) const
    {
        const qint64 bucket = nowMs / BucketMs;
        std::uint64_t sum = 0;
        for (std::size_t i = 0; i < Buckets; ++i) {
            if (m_stamp[i] > bucket - qint64(Buckets) && m_stamp[i] <= bucket)
                sum += m_count[i];
        }
        return double(sum) * 1000.0 / double(Buckets * BucketMs);
    }

private:
    static constexpr std::size_t Buckets = 10;
    static constexpr qint64 BucketMs = 100;
    std::array<qint64, Buckets> m_stamp { -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000, -1000,
        -1000 };
    std::array<std::uint64_t, Buckets> m_count {};
};

} // namespace zmqscope
