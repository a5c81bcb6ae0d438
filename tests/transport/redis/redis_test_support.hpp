// Helpers for the Redis transport tests: candle series, reading a stream back, and the signals
// one process would have produced from the same candles.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/eventually.hpp"
#include "tradebus/strategies/sma_cross.hpp"
#include "tradebus/transport/redis/redis_connection.hpp"
#include "tradebus/transport/redis/stream_wire.hpp"

namespace tradebus::test {

/// A random walk (fixed seed per symbol) so that a wrongly rebuilt strategy state shows up as
/// different signals, which a periodic series could hide.
inline std::vector<Candle> walk_candles(const std::string& symbol, std::size_t n) {
  std::vector<Candle> out;
  std::uint64_t x = std::hash<std::string>{}(symbol) | 1;
  std::int64_t cents = 2'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    cents += static_cast<std::int64_t>((x >> 33) % 2001) - 1000;
    Candle c;
    c.symbol = Symbol(symbol);
    c.interval = "1m";
    c.open_time_ns = (1'577'836'800'000LL + static_cast<std::int64_t>(i) * 60'000) * 1'000'000;
    c.close_time_ns = c.open_time_ns + 59'999'000'000LL;
    c.close = Decimal::from_raw(cents * 1'000'000);
    c.open = c.close;
    c.high = c.close + Decimal::from_int(1);
    c.low = c.close - Decimal::from_int(1);
    c.volume = Decimal::from_int(1);
    c.trade_count = 1;
    out.push_back(c);
  }
  return out;
}

inline Event candle_event(const Candle& c) {
  return Event(EventType::candle_closed, c, c.close_time_ns, "test");
}

/// Every event in `stream`, oldest first; fails the test on an entry that does not decode.
inline std::vector<Event> read_stream(redis::RedisConnection& c, const std::string& stream) {
  std::vector<Event> out;
  for (const auto& entry : redis::parse_entries(c.command({"XRANGE", stream, "-", "+"}))) {
    std::string error;
    EXPECT_TRUE(redis::decode_entry(entry, out, error)) << entry.id << ": " << error;
  }
  return out;
}

/// What the executor gets, by symbol: candle open times and signals, in stream order.
struct SymbolFlow {
  std::vector<std::int64_t> candles;
  std::vector<Signal> signals;
};
inline std::map<std::string, SymbolFlow> flows(const std::vector<Event>& events) {
  std::map<std::string, SymbolFlow> out;
  for (const auto& e : events) {
    if (const auto* c = e.get_if<Candle>())
      out[std::string(c->symbol.view())].candles.push_back(c->open_time_ns);
    if (const auto* s = e.get_if<Signal>())
      out[std::string(s->symbol.view())].signals.push_back(*s);
  }
  return out;
}

class SignalList final : public SignalSink {
 public:
  void emit(const Signal& s) override { signals.push_back(s); }
  std::vector<Signal> signals;
};

/// The signals one SmaCross(fast, slow) produces over `candles` in one process.
inline std::vector<Signal> single_process_signals(const std::vector<Candle>& candles, int fast,
                                                  int slow) {
  SmaCross s("sma_cross", fast, slow);
  SignalList out;
  for (const auto& c : candles)
    s.on_candle(c, out);
  return out.signals;
}

}  // namespace tradebus::test
