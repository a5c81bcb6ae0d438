// Small candle builders for strategy and execution tests.
#pragma once

#include <string>
#include <vector>

#include "tradebus/engine/strategy.hpp"
#include "tradebus/model/candle.hpp"

namespace tradebus::test {

inline Candle make_candle(const char* symbol, std::int64_t minute, const std::string& open,
                          const std::string& high, const std::string& low,
                          const std::string& close) {
  Candle c;
  c.symbol = symbol;
  c.interval = "1m";
  c.open_time_ns = minute * 60'000'000'000LL;
  c.close_time_ns = c.open_time_ns + 59'999'000'000LL;
  c.open = Decimal::from_string(open);
  c.high = Decimal::from_string(high);
  c.low = Decimal::from_string(low);
  c.close = Decimal::from_string(close);
  return c;
}

inline Candle close_only(const char* symbol, std::int64_t minute, const std::string& close) {
  return make_candle(symbol, minute, close, close, close, close);
}

class CollectingSink final : public SignalSink {
 public:
  void emit(const Signal& s) override { signals.push_back(s); }
  std::vector<Signal> signals;
};

}  // namespace tradebus::test
