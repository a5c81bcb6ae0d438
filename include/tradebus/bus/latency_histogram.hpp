// LatencyHistogram: log-linear buckets (8 per power of two, <= 12.5 % relative error) over
// nanoseconds. One writer, any number of readers: counts are relaxed atomics, so a reader sees
// a consistent-enough snapshot without stopping the writer.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace tradebus {

class LatencyHistogram {
 public:
  static constexpr int kSubBuckets = 8;
  static constexpr int kBuckets = 64 * kSubBuckets;

  /// Records one value; called by the single writer only.
  void record(std::uint64_t ns) noexcept;
  /// Value at quantile q in [0, 1] (upper bound of its bucket); 0 when empty.
  std::uint64_t quantile(double q) const noexcept;
  std::uint64_t max() const noexcept { return max_.load(std::memory_order_relaxed); }
  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  std::uint64_t sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  /// Number of values in bucket i and that bucket's upper bound, for exporters.
  std::uint64_t bucket_count(int i) const noexcept {
    return buckets_[i].load(std::memory_order_relaxed);
  }
  static std::uint64_t bucket_upper_bound(int i) noexcept;
  static int bucket_of(std::uint64_t ns) noexcept;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace tradebus
