// Candle: one closed kline, with every field of Binance's kline payload.
#pragma once

#include <cstdint>

#include "tradebus/model/decimal.hpp"
#include "tradebus/model/fixed_string.hpp"

namespace tradebus {

/// Kline interval as Binance spells it: "1m", "1h", "1d", ...
using Interval = FixedString<7>;

struct Candle {
  Symbol symbol;
  Interval interval;
  std::int64_t open_time_ns = 0;  ///< UTC epoch nanoseconds of the first trade window instant.
  std::int64_t close_time_ns =
      0;  ///< UTC epoch nanoseconds of the last instant (Binance: open + len - 1 ms).
  Price open;
  Price high;
  Price low;
  Price close;
  Quantity volume;     ///< Base asset volume.
  Money quote_volume;  ///< Quote asset volume.
  std::int64_t trade_count = 0;
  Quantity taker_buy_base_volume;
  Money taker_buy_quote_volume;

  friend bool operator==(const Candle&, const Candle&) = default;
};

}  // namespace tradebus
