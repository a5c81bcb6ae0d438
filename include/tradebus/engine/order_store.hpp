// OrderStore: where the engine writes every order transition and fill before it acts on it, so
// that a restarted engine knows every order it ever sent (persistence::OrderOutbox is the
// SQLite one). The engine works without one (backtests) and then remembers nothing.
//
// Contract: records become durable in the order they were made — a later record is never on
// disk while an earlier one is not — so a crash loses at most a suffix of the history. Writing
// does not wait; wait_durable() does, and is what stands between an order and the outside
// world (an exchange calls it before an order leaves the process).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tradebus/model/fill.hpp"
#include "tradebus/model/order.hpp"
#include "tradebus/model/signal.hpp"

namespace tradebus {

/// What a store holds when the engine starts.
struct StoredOrder {
  Order order;
  std::int64_t recorded_ns = 0;  ///< Wall clock when it was first recorded.
};

struct StoredOrders {
  std::vector<StoredOrder> unfinished;  ///< Orders not in a final state, oldest first.
  /// The books as the fills before `fills` left them (Portfolio::snapshot()), so that a restart
  /// need not apply every fill ever made; empty when the store keeps none, and then `fills`
  /// holds every fill.
  std::string portfolio_snapshot;
  /// Fills recorded after the snapshot (every fill when there is none), in the order recorded.
  std::vector<Fill> fills;
  /// Every recorded fill of the unfinished orders, in the order recorded, whether or not the
  /// snapshot covers it: recovery compares them with the exchange's.
  std::vector<Fill> unfinished_fills;
  /// Client order ids end in "-<number>"; new ones continue after the largest recorded.
  std::uint64_t last_order_number = 0;
};

class OrderStore {
 public:
  virtual ~OrderStore() = default;
  virtual StoredOrders load() = 0;
  /// True when an order was already recorded for this signal (the same strategy, symbol,
  /// candle time and direction), so a signal repeated after a restart makes no second order.
  virtual bool has_order_for(const Signal& signal) const = 0;
  /// Records `order` in its current status (the first call creates it). Any thread; throws
  /// StoreFailedError once the store has failed.
  virtual void record_order(const Order& order, const Signal* signal = nullptr) = 0;
  /// Records a fill and the order's new filled quantity and status. Any thread.
  virtual void record_fill(const Fill& fill) = 0;
  /// Blocks until everything recorded before the call is durable. Any thread. Throws
  /// StoreFailedError when it cannot be (disk full, I/O error): nothing may be sent then.
  virtual void wait_durable() = 0;
  /// Empty while healthy; else why the store stopped accepting records.
  virtual std::string failure() const = 0;
};

/// The store can no longer make records durable; trading must stop.
class StoreFailedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "strategy/symbol/candle time/direction": what makes two signals the same signal. Held inline:
/// 31 + 23 + 20 + 4 characters and three slashes at most, so keeping one per order ever made
/// costs no heap block.
using SignalKey = FixedString<ShortId::kMaxSize + Symbol::kMaxSize + 20 + 4 + 3>;
SignalKey signal_key(const Signal& signal);

}  // namespace tradebus
