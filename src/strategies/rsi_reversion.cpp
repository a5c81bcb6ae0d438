#include "tradebus/strategies/rsi_reversion.hpp"

#include <fmt/format.h>

namespace tradebus {

RsiReversion::RsiReversion(std::string id, int period, double oversold, double overbought)
    : id_(std::move(id)), period_(period), oversold_(oversold), overbought_(overbought) {
  if (period < 2 || !(oversold > 0 && oversold < overbought && overbought < 100))
    throw StrategyParamError(fmt::format(
        "rsi_reversion: need period >= 2 and 0 < oversold < overbought < 100, got period={} "
        "oversold={} overbought={}",
        period, oversold, overbought));
}

std::unique_ptr<RsiReversion> RsiReversion::from_params(std::string id, const StrategyParams& p) {
  const auto period = p.get_int("period", 14, 2, 100000);
  const auto oversold = p.get_double("oversold", 30, 0, 100);
  const auto overbought = p.get_double("overbought", 70, 0, 100);
  return std::make_unique<RsiReversion>(std::move(id), static_cast<int>(period), oversold,
                                        overbought);
}

double RsiReversion::rsi(const Symbol& symbol) const {
  auto it = states_.find(symbol);
  return it == states_.end() ? -1 : it->second.last_rsi;
}

void RsiReversion::on_candle(const Candle& c, SignalSink& out) {
  SymbolState& s = states_[c.symbol];
  const double close = c.close.to_double();
  if (!s.has_prev) {
    s.has_prev = true;
    s.prev_close = close;
    return;
  }
  const double change = close - s.prev_close;
  s.prev_close = close;
  const double gain = change > 0 ? change : 0;
  const double loss = change < 0 ? -change : 0;
  ++s.changes;
  if (s.changes <= period_) {  // seed with the simple average of the first `period` changes
    s.avg_gain += gain / period_;
    s.avg_loss += loss / period_;
    if (s.changes < period_) return;
  } else {  // Wilder's smoothing
    s.avg_gain = (s.avg_gain * (period_ - 1) + gain) / period_;
    s.avg_loss = (s.avg_loss * (period_ - 1) + loss) / period_;
  }
  double rsi = s.avg_loss == 0 ? (s.avg_gain == 0 ? 50.0 : 100.0)
                               : 100.0 - 100.0 / (1.0 + s.avg_gain / s.avg_loss);
  const double previous = s.last_rsi;
  s.last_rsi = rsi;
  if (previous < 0) return;
  std::optional<Side> side;
  if (previous >= oversold_ && rsi < oversold_) side = Side::buy;
  if (previous <= overbought_ && rsi > overbought_) side = Side::sell;
  if (!side) return;
  Signal sig;
  sig.strategy_id = ShortId(id_);
  sig.symbol = c.symbol;
  sig.direction = *side;
  sig.reference_price = c.close;
  sig.strength = *side == Side::buy ? (oversold_ - rsi) / oversold_
                                    : (rsi - overbought_) / (100 - overbought_);
  sig.time_ns = c.close_time_ns;
  sig.reason = FixedString<47>::truncated(
      fmt::format("rsi{} {:.2f} {} {}", period_, rsi, *side == Side::buy ? "<" : ">",
                  *side == Side::buy ? oversold_ : overbought_));
  out.emit(sig);
}

}  // namespace tradebus
