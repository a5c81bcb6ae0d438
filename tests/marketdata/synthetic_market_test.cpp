#include "tradebus/marketdata/synthetic_market.hpp"

#include <gtest/gtest.h>

using namespace tradebus;

namespace {
class Pull : public SyntheticMarket {
 public:
  using SyntheticMarket::SyntheticMarket;
  bool pull(Candle& c) { return next(c); }
};

std::vector<Candle> all(SyntheticMarketOptions o) {
  Pull p(o);
  std::vector<Candle> out;
  for (Candle c; p.pull(c);)
    out.push_back(c);
  return out;
}
}  // namespace

TEST(SyntheticMarket, IsDeterministicPerSeed) {
  SyntheticMarketOptions o;
  o.candles_per_symbol = 500;
  const auto a = all(o), b = all(o);
  ASSERT_EQ(a.size(), 1500u);
  EXPECT_EQ(a, b);
  o.seed = 7;
  EXPECT_NE(all(o), a);
}

TEST(SyntheticMarket, ProducesConsistentCandlesInMarketOrder) {
  SyntheticMarketOptions o;
  o.candles_per_symbol = 3000;
  const auto candles = all(o);
  for (std::size_t i = 0; i < candles.size(); ++i) {
    const Candle& c = candles[i];
    ASSERT_TRUE(c.low.is_positive());
    ASSERT_LE(c.low, c.open);
    ASSERT_LE(c.low, c.close);
    ASSERT_GE(c.high, c.open);
    ASSERT_GE(c.high, c.close);
    if (i > 0) {
      const Candle& p = candles[i - 1];
      ASSERT_TRUE(p.open_time_ns < c.open_time_ns ||
                  (p.open_time_ns == c.open_time_ns && p.symbol < c.symbol));
    }
  }
  // It moves: the BTC close wanders away from its start.
  Decimal lo = candles[0].close, hi = candles[0].close;
  for (const auto& c : candles)
    if (c.symbol == "BTCUSDT") lo = std::min(lo, c.close), hi = std::max(hi, c.close);
  EXPECT_GT(Decimal::div(hi - lo, lo).to_double(), 0.01);
}
