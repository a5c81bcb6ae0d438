#include "tradebus/bus/latency_histogram.hpp"

#include <gtest/gtest.h>

using tradebus::LatencyHistogram;

TEST(LatencyHistogram, QuantilesWithinBucketPrecision) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 1000; ++v)
    h.record(v);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.max(), 1000u);
  const auto p50 = h.quantile(0.5);
  EXPECT_GE(p50, 500u);
  EXPECT_LE(p50, 500u * 1125 / 1000);  // <= 12.5 % above
  const auto p99 = h.quantile(0.99);
  EXPECT_GE(p99, 990u);
  EXPECT_LE(p99, 1000u);  // capped at the true max
}

TEST(LatencyHistogram, BucketsAreMonotonic) {
  for (int i = 1; i <= LatencyHistogram::bucket_of(1ULL << 62); ++i)
    EXPECT_GT(LatencyHistogram::bucket_upper_bound(i), LatencyHistogram::bucket_upper_bound(i - 1));
  for (std::uint64_t v : {0ULL, 7ULL, 8ULL, 100ULL, 123456789ULL, 1ULL << 40})
    EXPECT_LE(v, LatencyHistogram::bucket_upper_bound(LatencyHistogram::bucket_of(v)));
}

TEST(LatencyHistogram, EmptyIsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.5), 0u);
}
