#include "tradebus/bus/latency_histogram.hpp"

#include <bit>

namespace tradebus {

int LatencyHistogram::bucket_of(std::uint64_t ns) noexcept {
  if (ns < kSubBuckets) return static_cast<int>(ns);
  const int msb = 63 - std::countl_zero(ns);  // >= 3
  const int shift = msb - 3;                  // keep 3 bits below the leading one
  const int sub = static_cast<int>((ns >> shift) & (kSubBuckets - 1));
  return (msb - 2) * kSubBuckets + sub;
}

std::uint64_t LatencyHistogram::bucket_upper_bound(int i) noexcept {
  if (i < kSubBuckets) return static_cast<std::uint64_t>(i);
  const int msb = i / kSubBuckets + 2;
  const int sub = i % kSubBuckets;
  const int shift = msb - 3;
  if (msb >= 63) return ~0ULL;
  const std::uint64_t base = (1ULL << msb) | (static_cast<std::uint64_t>(sub) << shift);
  return base + ((1ULL << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t ns) noexcept {
  auto& b = buckets_[bucket_of(ns)];
  b.store(b.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  sum_.store(sum_.load(std::memory_order_relaxed) + ns, std::memory_order_relaxed);
  if (ns > max_.load(std::memory_order_relaxed)) max_.store(ns, std::memory_order_relaxed);
}

std::uint64_t LatencyHistogram::quantile(double q) const noexcept {
  const std::uint64_t n = count();
  if (n == 0) return 0;
  if (q < 0) q = 0;
  if (q > 1) q = 1;
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(n - 1)) + 1;
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) {
      const std::uint64_t ub = bucket_upper_bound(i);
      const std::uint64_t mx = max();
      return ub < mx ? ub : mx;
    }
  }
  return max();
}

}  // namespace tradebus
