#include "tradebus/strategies/sma_cross.hpp"

#include <gtest/gtest.h>

#include "support/candles.hpp"
#include "support/test_paths.hpp"
#include "tradebus/marketdata/kline_csv_reader.hpp"
#include "tradebus/strategies/strategy_registry.hpp"

using namespace tradebus;
using test::close_only;
using test::CollectingSink;

namespace {

struct Expected {
  std::size_t candle;
  Side side;
};

// An independent reference of the documented semantics: sums recomputed from scratch on each
// candle, sign by exact cross-multiplication.
std::vector<Expected> reference_crosses(const std::vector<std::int64_t>& closes, int fast,
                                        int slow) {
  std::vector<Expected> out;
  int last = 0;
  for (std::size_t i = 0; i < closes.size(); ++i) {
    if (i + 1 < static_cast<std::size_t>(slow)) continue;
    __extension__ __int128 sf = 0, ss = 0;
    for (int k = 0; k < fast; ++k)
      sf += closes[i - k];
    for (int k = 0; k < slow; ++k)
      ss += closes[i - k];
    const auto l = sf * slow, r = ss * fast;
    const int sign = (l > r) - (l < r);
    if (sign == 0) continue;
    if (last != 0 && sign != last) out.push_back({i, sign > 0 ? Side::buy : Side::sell});
    last = sign;
  }
  return out;
}

}  // namespace

TEST(SmaCross, HandComputedSeries) {
  // fast=2, slow=3. closes and (fast avg, slow avg, d sign):
  //  0:10  1:10  2:10 (10, 10, 0)   3:11 (10.5, 10.33, +: first non-zero, no cross)
  //  4:9 (10, 10, 0: no signal)  5:8 (8.5, 9.33, -: SELL)  6:12 (10, 9.67, +: BUY)
  //  7:12 (12, 10.67, +: nothing)
  SmaCross s("sma", 2, 3);
  CollectingSink out;
  const char* closes[] = {"10", "10", "10", "11", "9", "8", "12", "12"};
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < 8; ++i) {
    const auto before = out.signals.size();
    s.on_candle(close_only("BTCUSDT", static_cast<std::int64_t>(i), closes[i]), out);
    if (out.signals.size() != before) at.push_back(i);
  }
  ASSERT_EQ(out.signals.size(), 2u);
  EXPECT_EQ(at, (std::vector<std::size_t>{5, 6}));
  EXPECT_EQ(out.signals[0].direction, Side::sell);
  EXPECT_EQ(out.signals[0].reference_price, Decimal::from_string("8"));
  EXPECT_EQ(out.signals[0].strategy_id.view(), "sma");
  EXPECT_EQ(out.signals[0].reason.view(), "sma2 crossed below sma3");
  EXPECT_EQ(out.signals[1].direction, Side::buy);
  EXPECT_EQ(out.signals[1].reason.view(), "sma2 crossed above sma3");
  EXPECT_EQ(out.signals[1].time_ns, close_only("BTCUSDT", 6, "12").close_time_ns);
}

TEST(SmaCross, EqualAveragesAreNeverACrossEvenWhereDoublesDisagree) {
  // On the last candle the fast average (0.54+0.54+0.32)/3 equals the slow one (sum 2.80 / 6)
  // exactly, but in binary floating point they differ by 1.1e-16: a double-based strategy
  // would see d > 0 here.
  SmaCross s("sma", 3, 6);
  CollectingSink out;
  const char* closes[] = {"0.49", "0.45", "0.46", "0.54", "0.54", "0.32"};
  for (std::size_t i = 0; i < 6; ++i)
    s.on_candle(close_only("BTCUSDT", static_cast<std::int64_t>(i), closes[i]), out);
  EXPECT_TRUE(out.signals.empty());
  // After a real negative d, the equal candle must not have been remembered as positive:
  s.on_candle(close_only("BTCUSDT", 6, "0.10"), out);  // fast falls below slow
  EXPECT_TRUE(out.signals.empty()) << "no earlier non-zero d, so no cross yet";
  const double fast = (0.54 + 0.54 + 0.32) / 3;
  const double slow = (0.49 + 0.45 + 0.46 + 0.54 + 0.54 + 0.32) / 6;
  EXPECT_NE(fast - slow, 0.0);  // the trap the exact comparison avoids
}

TEST(SmaCross, KeepsStatePerSymbol) {
  SmaCross s("sma", 1, 2);
  CollectingSink out;
  // Interleave two symbols: A rises then falls (one cross), B only rises (no cross).
  const char* a[] = {"1", "2", "3", "1"};
  const char* b[] = {"5", "6", "7", "8"};
  for (int i = 0; i < 4; ++i) {
    s.on_candle(close_only("AAAUSDT", i, a[i]), out);
    s.on_candle(close_only("BBBUSDT", i, b[i]), out);
  }
  ASSERT_EQ(out.signals.size(), 1u);
  EXPECT_EQ(out.signals[0].symbol.view(), "AAAUSDT");
  EXPECT_EQ(out.signals[0].direction, Side::sell);
}

TEST(SmaCross, RejectsBadParameters) {
  EXPECT_THROW(SmaCross("x", 0, 5), StrategyParamError);
  EXPECT_THROW(SmaCross("x", 5, 5), StrategyParamError);
  EXPECT_THROW(SmaCross("x", 30, 10), StrategyParamError);
  const auto reg = StrategyRegistry::with_builtins();
  EXPECT_THROW(reg.create("sma_cross", "", StrategyParams("sma_cross", {{"fast", "abc"}})),
               StrategyParamError);
  try {
    reg.create("sma_cross", "", StrategyParams("sma_cross", {{"fats", "5"}}));
    FAIL() << "a misspelt parameter must be refused";
  } catch (const StrategyParamError& e) {
    EXPECT_NE(std::string(e.what()).find("fats"), std::string::npos) << e.what();
  }
  try {
    reg.create("nope", "", {});
    FAIL();
  } catch (const StrategyParamError& e) {
    EXPECT_NE(std::string(e.what()).find("sma_cross"), std::string::npos) << e.what();
  }
}

TEST(SmaCross, MatchesTheReferenceOnRealOneMinuteData) {
  for (const char* rel : {"klines_csv/spot_1m/BTCUSDT-1m-2020-01-01.csv",
                          "klines_csv/spot_1m/BTCUSDT-1m-2025-07-13.csv",
                          "klines_csv/spot_1m/SOLBTC-1m-2025-07-13.csv"}) {
    TRADEBUS_REQUIRE_SHARED(path, rel);
    KlineCsvReader reader(path, "BTCUSDT");
    std::vector<Candle> candles;
    for (Candle c; reader.next(c);)
      candles.push_back(c);
    std::vector<std::int64_t> closes;
    for (const auto& c : candles)
      closes.push_back(c.close.raw());
    for (auto [fast, slow] : {std::pair{10, 30}, std::pair{3, 7}, std::pair{5, 20}}) {
      SmaCross s("sma", fast, slow);
      CollectingSink out;
      std::vector<Expected> got;
      for (std::size_t i = 0; i < candles.size(); ++i) {
        const auto before = out.signals.size();
        s.on_candle(candles[i], out);
        if (out.signals.size() != before) got.push_back({i, out.signals.back().direction});
      }
      const auto want = reference_crosses(closes, fast, slow);
      ASSERT_EQ(got.size(), want.size()) << rel << " fast=" << fast << " slow=" << slow;
      for (std::size_t k = 0; k < want.size(); ++k) {
        EXPECT_EQ(got[k].candle, want[k].candle);
        EXPECT_EQ(got[k].side, want[k].side);
      }
      EXPECT_FALSE(want.empty());
    }
  }
}
