// Signal: a strategy's wish to be long or flat, produced from a closed candle.
#pragma once

#include <cstdint>

#include "tradebus/model/decimal.hpp"
#include "tradebus/model/fixed_string.hpp"
#include "tradebus/model/side.hpp"

namespace tradebus {

struct Signal {
  ShortId strategy_id;
  Symbol symbol;
  Side direction = Side::buy;
  Price reference_price;     ///< The close of the candle that produced the signal.
  double strength = 1.0;     ///< 0..1, informational; never reaches an exchange.
  std::int64_t time_ns = 0;  ///< Close time of the candle that produced the signal.
  FixedString<47> reason;    ///< Free text, cut to 47 characters.

  friend bool operator==(const Signal&, const Signal&) = default;
};

}  // namespace tradebus
