// Breakout (Donchian channel): BUY when a close is above the highest high of the previous
// `lookback` candles, SELL when a close is below their lowest low. Exact decimal comparisons.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "tradebus/engine/strategy.hpp"
#include "tradebus/strategies/strategy_params.hpp"

namespace tradebus {

class Breakout final : public Strategy {
 public:
  /// Throws StrategyParamError unless 1 <= lookback <= 100000.
  Breakout(std::string id, int lookback);
  /// Parameters: lookback (20).
  static std::unique_ptr<Breakout> from_params(std::string id, const StrategyParams& params);

  std::string_view id() const override { return id_; }
  void on_candle(const Candle& candle, SignalSink& out) override;

 private:
  struct SymbolState {
    std::deque<Candle> window;  // previous `lookback` candles (only high/low used)
  };
  std::string id_;
  int lookback_;
  std::unordered_map<Symbol, SymbolState> states_;
};

}  // namespace tradebus
