// Small candle series for engine tests: a steady trend (no moving-average cross) and a zigzag
// that crosses on every candle.
#pragma once

#include <string>
#include <vector>

#include "tradebus/model/candle.hpp"

namespace tradebus::test {

inline Candle candle_at(const std::string& symbol, std::size_t i, std::int64_t close_cents) {
  Candle c;
  c.symbol = Symbol(symbol);
  c.interval = "1m";
  c.open_time_ns = (1'577'836'800'000LL + static_cast<std::int64_t>(i) * 60'000) * 1'000'000;
  c.close_time_ns = c.open_time_ns + 59'999'000'000LL;
  c.close = Decimal::from_raw(close_cents * 1'000'000);
  c.open = c.close;
  c.high = c.close + Decimal::from_int(1);
  c.low = c.close - Decimal::from_int(1);
  c.volume = Decimal::from_int(1);
  c.quote_volume = c.close;
  c.trade_count = 1;
  return c;
}

/// Closes rising by 1 from `start` (whole units).
inline std::vector<Candle> trending_candles(const std::string& symbol, std::size_t n,
                                            std::int64_t start) {
  std::vector<Candle> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(candle_at(symbol, i, (start + static_cast<std::int64_t>(i)) * 100));
  return out;
}

/// Closes alternating 100 and 101: sma_cross(1, 2) signals on every candle.
inline std::vector<Candle> zigzag_candles(const std::string& symbol, std::size_t n) {
  std::vector<Candle> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(candle_at(symbol, i, i % 2 ? 10'100 : 10'000));
  return out;
}

}  // namespace tradebus::test
