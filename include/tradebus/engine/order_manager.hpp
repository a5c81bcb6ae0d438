// OrderManager: turns signals into orders after position and risk checks, and keeps the
// position book from fills. Called on the bus loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>

#include "tradebus/engine/order_store.hpp"
#include "tradebus/model/candle.hpp"
#include "tradebus/model/fill.hpp"
#include "tradebus/model/order.hpp"
#include "tradebus/model/signal.hpp"

namespace tradebus {

class OrderManager {
 public:
  virtual ~OrderManager() = default;
  /// Returns the order for `signal`, nullopt when the signal would not change the position, or
  /// an order with status `rejected` and a reason when a risk check refused it.
  virtual std::optional<Order> create_order(const Signal& signal,
                                            std::uint64_t signal_sequence) = 0;
  /// A fill reported by the exchange (ORDER_FILLED).
  virtual void on_fill(const Fill& fill) = 0;
  /// The order ended without (further) fills: rejected, canceled or expired.
  virtual void on_order_closed(const Order& order) = 0;
  /// Every closed candle, before strategies see it (marks positions to market).
  virtual void on_candle(const Candle& /*candle*/) {}
  /// Before trading starts, with what the order store holds: rebuild positions and cash from
  /// the recorded fills, know which orders are still open, and number new orders after the
  /// recorded ones. The engine then reports what recovery learns through on_fill and
  /// on_order_closed. The default refuses any stored history (it could not honour it).
  virtual void resume(const StoredOrders& stored) {
    if (!stored.fills.empty() || !stored.unfinished.empty() || !stored.portfolio_snapshot.empty())
      throw std::logic_error("this order manager cannot resume from recorded orders and fills");
  }
};

}  // namespace tradebus
