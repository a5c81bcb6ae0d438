// SyntheticMarket: a deterministic market (seeded) of a few symbols with realistic OHLCV:
// alternating up-trends, down-trends and ranges, volatility that varies, ticks of 0.01.
// The same seed gives the same candles on every machine (own RNG, no std distributions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tradebus/marketdata/candle_replay.hpp"

namespace tradebus {

struct SyntheticSymbol {
  std::string symbol;
  std::string start_price;  ///< Decimal text, e.g. "30000".
};

struct SyntheticMarketOptions {
  std::uint64_t seed = 42;
  std::vector<SyntheticSymbol> symbols{
      {"BTCUSDT", "30000"}, {"ETHUSDT", "2000"}, {"SOLUSDT", "25"}};
  std::uint64_t candles_per_symbol = 20'000;
  std::int64_t start_time_ms = 1'672'531'200'000;  ///< 2023-01-01T00:00:00Z
  std::int64_t interval_ms = 60'000;
  std::string interval = "1m";
};

class SyntheticMarket : public CandleReplay {
 public:
  explicit SyntheticMarket(SyntheticMarketOptions options = {});
  std::string_view name() const override { return "synthetic"; }
  double progress() const override;
  std::uint64_t total_candles() const;

 protected:
  bool next(Candle& out) override;

 private:
  struct State {
    Symbol symbol;
    double price;
    int regime;  // -1 down, 0 range, +1 up
    std::uint64_t regime_left;
    double volatility;
    double anchor;  // mean for ranges
  };
  std::uint64_t rand_u64();
  double rand_unit();  // (0, 1)
  double rand_normal();

  SyntheticMarketOptions options_;
  std::vector<State> states_;  // sorted by symbol
  std::uint64_t rng_;
  std::uint64_t step_ = 0;  // candle index across symbols
};

}  // namespace tradebus
