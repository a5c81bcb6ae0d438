// RsiReversion: mean reversion on Wilder's RSI of closes. BUY on the candle where RSI falls
// below `oversold` (from at or above it), SELL where it rises above `overbought` (from at or
// below it). RSI is an indicator, computed in double; no exchange price is derived from it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "tradebus/engine/strategy.hpp"
#include "tradebus/strategies/strategy_params.hpp"

namespace tradebus {

class RsiReversion final : public Strategy {
 public:
  /// Throws StrategyParamError unless period >= 2 and 0 < oversold < overbought < 100.
  RsiReversion(std::string id, int period, double oversold, double overbought);
  /// Parameters: period (14), oversold (30), overbought (70).
  static std::unique_ptr<RsiReversion> from_params(std::string id, const StrategyParams& params);

  std::string_view id() const override { return id_; }
  void on_candle(const Candle& candle, SignalSink& out) override;

  /// RSI of `symbol` after the last candle, or -1 before `period` changes were seen.
  double rsi(const Symbol& symbol) const;

 private:
  struct SymbolState {
    bool has_prev = false;
    double prev_close = 0;
    int changes = 0;
    double avg_gain = 0;
    double avg_loss = 0;
    double last_rsi = -1;
  };
  std::string id_;
  int period_;
  double oversold_;
  double overbought_;
  std::unordered_map<Symbol, SymbolState> states_;
};

}  // namespace tradebus
