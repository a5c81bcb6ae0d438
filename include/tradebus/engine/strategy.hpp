// Strategy: turns closed candles into signals. Called on the bus loop thread only, so a
// strategy keeps per-symbol state in plain members without locks.
#pragma once

#include <string_view>

#include "tradebus/model/candle.hpp"
#include "tradebus/model/signal.hpp"

namespace tradebus {

/// Where a strategy puts the signals it produces for one candle.
class SignalSink {
 public:
  virtual ~SignalSink() = default;
  virtual void emit(const Signal& signal) = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  /// Unique id of this instance, copied into every signal ("sma_cross", "sma_fast").
  virtual std::string_view id() const = 0;
  /// Sees every closed candle of every symbol in market order; emits zero or more signals.
  virtual void on_candle(const Candle& candle, SignalSink& out) = 0;
};

}  // namespace tradebus
