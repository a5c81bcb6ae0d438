#include "tradebus/strategies/sma_cross.hpp"

#include <fmt/format.h>

namespace tradebus {

SmaCross::SmaCross(std::string id, int fast, int slow) : fast_(fast), slow_(slow) {
  if (fast < 1 || slow <= fast || slow > 100000)
    throw StrategyParamError(
        fmt::format("sma_cross: need 1 <= fast < slow <= 100000, got fast={} slow={}", fast, slow));
  if (id.size() > ShortId::kMaxSize)
    throw StrategyParamError(
        fmt::format("strategy id '{}' is longer than {} characters", id, ShortId::kMaxSize));
  id_ = ShortId(id);
  reason_above_ = FixedString<47>::truncated(fmt::format("sma{} crossed above sma{}", fast, slow));
  reason_below_ = FixedString<47>::truncated(fmt::format("sma{} crossed below sma{}", fast, slow));
}

std::unique_ptr<SmaCross> SmaCross::from_params(std::string id, const StrategyParams& params) {
  const auto fast = params.get_int("fast", 10, 1, 100000);
  const auto slow = params.get_int("slow", 30, 2, 100000);
  return std::make_unique<SmaCross>(std::move(id), static_cast<int>(fast), static_cast<int>(slow));
}

void SmaCross::on_candle(const Candle& c, SignalSink& out) {
  SymbolState& s = states_[c.symbol];
  if (s.closes.empty()) s.closes.assign(static_cast<std::size_t>(slow_), 0);
  const auto slow = static_cast<std::size_t>(slow_);
  const auto fast = static_cast<std::size_t>(fast_);
  const std::int64_t px = c.close.raw();

  // The close leaving the fast window is `fast` positions back; the one leaving the slow
  // window is the slot we are about to overwrite.
  if (s.count >= fast) s.sum_fast -= s.closes[(s.next + slow - fast) % slow];
  if (s.count >= slow) s.sum_slow -= s.closes[s.next];
  s.closes[s.next] = px;
  s.next = (s.next + 1) % slow;
  s.sum_fast += px;
  s.sum_slow += px;
  if (s.count < slow) ++s.count;
  if (s.count < slow) return;

  // sign(sum_fast/fast - sum_slow/slow) == sign(sum_fast*slow - sum_slow*fast), exactly.
  const auto lhs = s.sum_fast * slow_;
  const auto rhs = s.sum_slow * fast_;
  const int sign = (lhs > rhs) - (lhs < rhs);
  if (sign == 0) return;
  const int previous = s.last_sign;
  s.last_sign = sign;
  if (previous == 0 || previous == sign) return;

  Signal sig;
  sig.strategy_id = id_;
  sig.symbol = c.symbol;
  sig.direction = sign > 0 ? Side::buy : Side::sell;
  sig.reference_price = c.close;
  sig.strength = 1.0;
  sig.time_ns = c.close_time_ns;
  sig.reason = sign > 0 ? reason_above_ : reason_below_;
  out.emit(sig);
}

}  // namespace tradebus
