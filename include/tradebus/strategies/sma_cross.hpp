// SmaCross: buy when the fast simple moving average of closes crosses above the slow one,
// sell when it crosses below. The crossing is decided exactly in fixed point.
//
// Semantics (checked by tests): per symbol, fast/slow SMAs over the last `fast`/`slow` closes,
// the current one included. On each candle where both exist, d = fast - slow; its sign comes
// from comparing sum_fast * slow with sum_slow * fast in integers, so equal averages give d = 0
// (floating point would invent or hide crosses there). A cross is a candle with d != 0 whose
// sign differs from the most recent earlier non-zero d of that symbol; none before there is one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tradebus/engine/strategy.hpp"
#include "tradebus/strategies/strategy_params.hpp"

namespace tradebus {

class SmaCross final : public Strategy {
 public:
  /// Throws StrategyParamError unless 1 <= fast < slow <= 100000.
  SmaCross(std::string id, int fast, int slow);
  /// Parameters: fast (10), slow (30).
  static std::unique_ptr<SmaCross> from_params(std::string id, const StrategyParams& params);

  std::string_view id() const override { return id_.view(); }
  void on_candle(const Candle& candle, SignalSink& out) override;

  int fast() const { return fast_; }
  int slow() const { return slow_; }

 private:
  struct SymbolState {
    std::vector<std::int64_t> closes;  // ring of the last `slow` closes (raw units)
    std::size_t next = 0;
    std::size_t count = 0;
    __extension__ __int128 sum_fast = 0;
    __extension__ __int128 sum_slow = 0;
    int last_sign = 0;
  };
  ShortId id_;  // what every signal carries, so it is the one copy kept
  int fast_;
  int slow_;
  // Built once: formatting the reason per signal was most of a signal's cost.
  FixedString<47> reason_above_, reason_below_;
  std::unordered_map<Symbol, SymbolState> states_;
};

}  // namespace tradebus
