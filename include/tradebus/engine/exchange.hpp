// Exchange: where orders go — the paper exchange in backtests and paper mode, Binance live.
// submit() and cancel() are called on the bus loop thread and must not block; results come
// back through ExecutionReports from any thread.
#pragma once

#include <chrono>
#include <string>
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
  /// The exchange accepted `order` and it rests open (no fill yet).
  virtual void on_acknowledged(const Order& /*order*/) {}
  /// Blocks until every order handed to submit() so far is durably recorded by the engine.
  /// An exchange that sends orders out of the process calls it before each send; it throws
  /// when the record cannot be made, and the order must then not be sent.
  virtual void wait_recorded() {}
};

/// What an exchange knows of an order, for recovery after a restart.
struct OrderLookup {
  enum class Outcome {
    found,    ///< The exchange has it: `status` and `fills` say what it did.
    absent,   ///< The exchange has never seen it, for sure.
    unknown,  ///< No sure answer (time-out, disconnect, 5xx, rate limit).
  };
  Outcome outcome = Outcome::unknown;
  OrderStatus status = OrderStatus::acknowledged;
  std::vector<Fill> fills;  ///< Every trade of the order so far.
  std::string detail;       ///< Why the outcome is unknown.
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
  /// Recovery, before trading starts, off the loop thread: what the exchange did with `order`
  /// (looked up by its client order id). Blocking.
  virtual OrderLookup look_up(const Order& /*order*/) {
    OrderLookup r;
    r.detail = "this exchange cannot look orders up";
    return r;
  }
  /// Recovery: `order` was found open; follow it as if submitted here. `known` are its fills
  /// already recorded, so they are not reported again.
  virtual void resume(const Order& /*order*/, const std::vector<Fill>& /*known*/) {}
};

}  // namespace tradebus
