// OrderOutbox: the engine's OrderStore in a StateStore — the `orders`, `fills` and
// `portfolio_snapshots` tables. It applies every fill it records to books of its own and
// records a snapshot of them every N fills, so that load() hands the engine the newest snapshot
// and only the fills after it (docs/adr/0003-bounded-restart.md).
// Every order is recorded (status `created`) before it is queued for the exchange, every
// transition and fill before the engine acts on it; an order leaves the process only after
// its record is committed (the exchange calls wait_durable()). Loop thread and exchange
// threads may call it concurrently.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "tradebus/engine/order_store.hpp"
#include "tradebus/execution/portfolio.hpp"
#include "tradebus/persistence/state_store.hpp"

namespace tradebus {

struct OrderOutboxOptions {
  /// A snapshot of the books is recorded with every this many fills, so a restart applies at
  /// most this many fills to it instead of the whole history; 0: never (every restart replays
  /// every fill).
  std::uint64_t fills_per_snapshot = 10'000;
};

class OrderOutbox final : public OrderStore {
 public:
  explicit OrderOutbox(std::shared_ptr<StateStore> store, OrderOutboxOptions options = {});

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
    // Of its fills so far: a snapshot lists those of every open order, so a restart finds an
    // open order's fills without reading every fill.
    std::vector<std::int64_t> fill_ids;
  };

  void load_fills(StoredOrders& out, std::int64_t snapshot_fill_id,
                  std::string_view listed_fill_ids);
  // Applies `fill` to books_ while they are sound. Returns why a fill did not fit them (which
  // ends the snapshots), for the caller to report; nothing when it fit or books_ was off.
  std::optional<std::string> apply_to_books(const Fill& fill);

  std::shared_ptr<StateStore> store_;
  OrderOutboxOptions options_;
  mutable std::mutex mu_;
  // Open addressing, keys held inline: every signal key ever recorded is kept (see
  // docs/adr/0003-bounded-restart.md), and a restart inserts them all, so no key should cost a
  // node and a heap string to allocate and later free.
  boost::unordered_flat_map<ClientOrderId, Live, std::hash<ClientOrderId>> live_;  // unfinished
  boost::unordered_flat_set<SignalKey, std::hash<SignalKey>> signal_keys_;
  std::int64_t next_id_ = 1;
  // Every fill recorded, applied in the order recorded (the order a restart replays them in), to
  // books that start from zero cash: what the snapshots are taken of.
  Portfolio books_{Money()};
  bool books_ok_ = true;  // false once a fill could not be applied: no more snapshots
  std::int64_t next_fill_id_ = 1;
  bool loaded_ = false;
};

}  // namespace tradebus
