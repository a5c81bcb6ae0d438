// OrderOutbox: the engine's OrderStore in a StateStore — the `orders` and `fills` tables.
// Every order is recorded (status `created`) before it is queued for the exchange, every
// transition and fill before the engine acts on it; an order leaves the process only after
// its record is committed (the exchange calls wait_durable()). Loop thread and exchange
// threads may call it concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "tradebus/engine/order_store.hpp"
#include "tradebus/persistence/state_store.hpp"

namespace tradebus {

class OrderOutbox final : public OrderStore {
 public:
  explicit OrderOutbox(std::shared_ptr<StateStore> store);

  StoredOrders load() override;
  bool has_order_for(const Signal& signal) const override;
  void record_order(const Order& order, const Signal* signal = nullptr) override;
  void record_fill(const Fill& fill) override;
  void wait_durable() override;
  std::string failure() const override;

  /// Every order recorded, oldest first (for tools and tests).
  std::vector<Order> all_orders() const;
  std::vector<Fill> all_fills() const;

 private:
  struct Live {
    std::int64_t id;
    Order order;
    SignalKey signal_key;
    std::int64_t recorded_ns;
  };

  std::shared_ptr<StateStore> store_;
  mutable std::mutex mu_;
  // Open addressing, keys held inline: every signal key ever recorded is kept (see
  // docs/adr/0003-bounded-restart.md), and a restart inserts them all, so no key should cost a
  // node and a heap string to allocate and later free.
  boost::unordered_flat_map<ClientOrderId, Live, std::hash<ClientOrderId>> live_;  // unfinished
  boost::unordered_flat_set<SignalKey, std::hash<SignalKey>> signal_keys_;
  std::int64_t next_id_ = 1;
  bool loaded_ = false;
};

}  // namespace tradebus
