// Exchange: where orders go — the paper exchange in backtests and paper mode, Binance live.
// submit() and cancel() are called on the bus loop thread and must not block; results come
// back through ExecutionReports from any thread.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "tradebus/model/candle.hpp"
#include "tradebus/model/fill.hpp"
#include "tradebus/model/order.hpp"

namespace tradebus {

/// Receives what an exchange did with orders; the engine turns each call into a bus event.
class ExecutionReports {
 public:
  virtual ~ExecutionReports() = default;
  virtual void on_fill(const Fill& fill) = 0;
  virtual void on_rejected(const Order& order, std::string_view reason) = 0;
  virtual void on_canceled(const Order& order, std::string_view reason) = 0;
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual std::string_view name() const = 0;
  /// Called once by the engine before the first order.
  virtual void attach(ExecutionReports& reports) = 0;
  virtual void submit(const Order& order) = 0;
  virtual void cancel(const ClientOrderId& id) = 0;
  /// Every closed candle, before strategies see it: simulated exchanges fill against it.
  virtual void on_candle(const Candle& /*candle*/) {}
  /// Called at shutdown once no more orders can come: waits (up to `timeout`) until the orders
  /// already submitted have their answers, so that their fills still reach the bus. True when
  /// nothing is in flight.
  virtual bool finish_pending(std::chrono::nanoseconds /*timeout*/) { return true; }
  /// Orders accepted and not final.
  virtual std::vector<Order> open_orders() const = 0;
};

}  // namespace tradebus
