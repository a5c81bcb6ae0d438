#include <cmath>

#include <gtest/gtest.h>

#include "support/candles.hpp"
#include "tradebus/strategies/breakout.hpp"
#include "tradebus/strategies/rsi_reversion.hpp"
#include "tradebus/strategies/strategy_registry.hpp"

using namespace tradebus;
using test::close_only;
using test::CollectingSink;
using test::make_candle;

TEST(RsiReversion, ComputesWildersRsi) {
  // period 2: changes +1, -1 -> avg gain 0.5, avg loss 0.5 -> RSI 50. Next change +2:
  // avg gain (0.5*1+2)/2 = 1.25, avg loss (0.5*1+0)/2 = 0.25 -> RSI 100 - 100/(1+5) = 83.33.
  RsiReversion s("rsi", 2, 30, 70);
  CollectingSink out;
  const char* closes[] = {"10", "11", "10", "12"};
  for (int i = 0; i < 4; ++i)
    s.on_candle(close_only("BTCUSDT", i, closes[i]), out);
  EXPECT_NEAR(s.rsi("BTCUSDT"), 100.0 - 100.0 / 6.0, 1e-9);
  ASSERT_EQ(out.signals.size(), 1u);  // 50 -> 83.3 crosses above 70
  EXPECT_EQ(out.signals[0].direction, Side::sell);
}

TEST(RsiReversion, BuysWhenRsiFallsBelowOversold) {
  RsiReversion s("rsi", 2, 30, 70);
  CollectingSink out;
  const char* closes[] = {"10", "11", "10", "7"};  // RSI 50, then a sharp fall
  for (int i = 0; i < 4; ++i)
    s.on_candle(close_only("BTCUSDT", i, closes[i]), out);
  ASSERT_EQ(out.signals.size(), 1u);
  EXPECT_EQ(out.signals[0].direction, Side::buy);
  EXPECT_LT(s.rsi("BTCUSDT"), 30.0);
}

TEST(RsiReversion, RejectsBadParameters) {
  EXPECT_THROW(RsiReversion("r", 1, 30, 70), StrategyParamError);
  EXPECT_THROW(RsiReversion("r", 14, 70, 30), StrategyParamError);
}

TEST(Breakout, SignalsOnClosesBeyondTheChannel) {
  Breakout s("bo", 3);
  CollectingSink out;
  s.on_candle(make_candle("BTCUSDT", 0, "10", "11", "9", "10"), out);
  s.on_candle(make_candle("BTCUSDT", 1, "10", "12", "9", "11"), out);
  s.on_candle(make_candle("BTCUSDT", 2, "11", "12", "8", "11"), out);
  s.on_candle(make_candle("BTCUSDT", 3, "11", "12", "10", "12"), out);  // 12 is not > 12
  EXPECT_TRUE(out.signals.empty());
  s.on_candle(make_candle("BTCUSDT", 4, "12", "13", "11", "12.01"), out);  // > 12: BUY
  ASSERT_EQ(out.signals.size(), 1u);
  EXPECT_EQ(out.signals[0].direction, Side::buy);
  s.on_candle(make_candle("BTCUSDT", 5, "12", "12", "7", "7.99"), out);  // < min low 8: SELL
  ASSERT_EQ(out.signals.size(), 2u);
  EXPECT_EQ(out.signals[1].direction, Side::sell);
}

TEST(StrategyRegistry, BuildsEveryBuiltinWithDefaults) {
  const auto reg = StrategyRegistry::with_builtins();
  EXPECT_EQ(reg.names(), (std::vector<std::string>{"breakout", "rsi_reversion", "sma_cross"}));
  for (const auto& n : reg.names()) {
    auto s = reg.create(n, "", StrategyParams(n));
    EXPECT_EQ(s->id(), n);
    EXPECT_FALSE(reg.description(n).empty());
  }
  EXPECT_EQ(reg.create("sma_cross", "fast_one", StrategyParams("sma_cross", {{"fast", "3"}}))->id(),
            "fast_one");
}
