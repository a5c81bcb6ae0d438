#include "tradebus/strategies/breakout.hpp"

#include <fmt/format.h>

namespace tradebus {

Breakout::Breakout(std::string id, int lookback) : id_(std::move(id)), lookback_(lookback) {
  if (lookback < 1 || lookback > 100000)
    throw StrategyParamError(
        fmt::format("breakout: need 1 <= lookback <= 100000, got {}", lookback));
}

std::unique_ptr<Breakout> Breakout::from_params(std::string id, const StrategyParams& p) {
  return std::make_unique<Breakout>(std::move(id),
                                    static_cast<int>(p.get_int("lookback", 20, 1, 100000)));
}

void Breakout::on_candle(const Candle& c, SignalSink& out) {
  SymbolState& s = states_[c.symbol];
  if (static_cast<int>(s.window.size()) == lookback_) {
    Price hi = s.window.front().high, lo = s.window.front().low;
    for (const auto& w : s.window) {
      if (w.high > hi) hi = w.high;
      if (w.low < lo) lo = w.low;
    }
    std::optional<Side> side;
    if (c.close > hi) side = Side::buy;
    if (c.close < lo) side = Side::sell;
    if (side) {
      Signal sig;
      sig.strategy_id = ShortId(id_);
      sig.symbol = c.symbol;
      sig.direction = *side;
      sig.reference_price = c.close;
      sig.time_ns = c.close_time_ns;
      sig.reason = FixedString<47>::truncated(
          fmt::format("close {} {} {}-bar {}", c.close.to_string(), *side == Side::buy ? ">" : "<",
                      lookback_, *side == Side::buy ? "high" : "low"));
      out.emit(sig);
    }
    s.window.pop_front();
  }
  s.window.push_back(c);
}

}  // namespace tradebus
