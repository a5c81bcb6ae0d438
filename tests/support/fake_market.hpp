// Candle series for the fake Binance: a deterministic wave that makes moving-average strategies
// trade, and a helper that waits for a condition without fixed sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "fake_binance.hpp"
#include "support/eventually.hpp"
#include "tradebus/model/candle.hpp"

namespace tradebus::test {

inline std::vector<Candle> wave_candles(const std::string& symbol, std::size_t n,
                                        std::int64_t base_price = 20'000) {
  std::vector<Candle> out;
  const std::int64_t t0 = 1'577'836'800'000LL;  // 2020-01-01T00:00:00Z, ms
  for (std::size_t i = 0; i < n; ++i) {
    // A triangle wave of period 40 around base_price, in whole cents.
    const std::int64_t phase = static_cast<std::int64_t>(i % 40);
    const std::int64_t cents = base_price * 100 + (phase < 20 ? phase : 40 - phase) * 3'000 + 17;
    Candle c;
    c.symbol = Symbol(symbol);
    c.interval = "1m";
    c.open_time_ns = (t0 + static_cast<std::int64_t>(i) * 60'000) * 1'000'000;
    c.close_time_ns = c.open_time_ns + 59'999'000'000LL;
    c.open = Decimal::from_raw(cents * 1'000'000 - 500'000'000);
    c.close = Decimal::from_raw(cents * 1'000'000);
    c.high = c.close + Decimal::from_int(3);
    c.low = c.open - Decimal::from_int(2);
    c.volume = Decimal::from_raw(123'456'789 + static_cast<std::int64_t>(i));
    c.quote_volume = Decimal::from_raw(987'654'321'000 + static_cast<std::int64_t>(i));
    c.trade_count = 100 + static_cast<std::int64_t>(i);
    c.taker_buy_base_volume = Decimal::from_raw(61'728'394);
    c.taker_buy_quote_volume = Decimal::from_raw(493'827'160'500);
    out.push_back(c);
  }
  return out;
}

inline fakes::FakeSymbol fake_symbol(const std::string& symbol, std::vector<Candle> candles) {
  fakes::FakeSymbol s;
  s.symbol = symbol;
  s.quote_asset = symbol.substr(symbol.size() - 4);
  s.base_asset = symbol.substr(0, symbol.size() - 4);
  s.candles = std::move(candles);
  return s;
}

}  // namespace tradebus::test
