#include "tradebus/persistence/order_outbox.hpp"

#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "state_store_impl.hpp"

namespace tradebus {
namespace {

// The number after the last '-' of a client order id, or 0.
std::uint64_t order_number(std::string_view id) {
  const auto dash = id.rfind('-');
  if (dash == std::string_view::npos) return 0;
  std::uint64_t n = 0;
  const auto* first = id.data() + dash + 1;
  const auto* last = id.data() + id.size();
  const auto [p, ec] = std::from_chars(first, last, n);
  return ec == std::errc() && p == last ? n : 0;
}

}  // namespace

OrderOutbox::OrderOutbox(std::shared_ptr<StateStore> store) : store_(std::move(store)) {
  if (!store_) throw std::invalid_argument("OrderOutbox: null state store");
}

StoredOrders OrderOutbox::load() {
  StateStore::Impl& m = store_->impl();
  StoredOrders out;
  std::lock_guard lk(mu_);
  std::lock_guard dl(m.db_mu);
  {
    // Every signal key is kept (see docs/adr/0003-bounded-restart.md): size the set once.
    sqlite::Statement n(*m.db, "SELECT IFNULL(MAX(id), 0) FROM orders");
    n.step();
    signal_keys_.reserve(signal_keys_.size() + static_cast<std::size_t>(n.int64(0)));
  }
  {
    sqlite::Statement q(*m.db,
                        "SELECT id, client_order_id, signal_key, status, recorded_ns, body "
                        "FROM orders ORDER BY id");
    while (q.step()) {
      const std::int64_t id = q.int64(0);
      next_id_ = std::max(next_id_, id + 1);
      out.last_order_number = std::max(out.last_order_number, order_number(q.text(1)));
      SignalKey key;
      if (!q.is_null(2)) {
        if (q.text(2).size() > SignalKey::kMaxSize)
          throw StateStoreError(
              fmt::format("{} orders row {}: signal key longer than {} characters", m.db->path(),
                          id, SignalKey::kMaxSize));
        key = SignalKey(q.text(2));
        signal_keys_.insert(key);
      }
      // (The status column is for people reading the table; the body is the record.)
      Order o = decode_record<Order>(
          q.blob(5), [&] { return fmt::format("{} orders row {}", m.db->path(), id); });
      if (is_final(o.status)) continue;
      out.unfinished.push_back({o, q.int64(4)});
      live_[o.client_order_id] = Live{id, o, key, q.int64(4)};
    }
  }
  {
    sqlite::Statement q(*m.db, "SELECT id, body FROM fills ORDER BY id");
    while (q.step())
      out.fills.push_back(decode_record<Fill>(
          q.blob(1), [&] { return fmt::format("{} fills row {}", m.db->path(), q.int64(0)); }));
  }
  loaded_ = true;
  return out;
}

bool OrderOutbox::has_order_for(const Signal& s) const {
  std::lock_guard lk(mu_);
  return signal_keys_.count(signal_key(s)) != 0;
}

void OrderOutbox::record_order(const Order& order, const Signal* signal) {
  std::lock_guard lk(mu_);
  if (!loaded_) throw std::logic_error("OrderOutbox: load() before recording");
  auto it = live_.find(order.client_order_id);
  if (it == live_.end()) {
    if (order.status != OrderStatus::created && order.status != OrderStatus::submitted) {
      // A report for an order already final (a late cancel answer, say): keep the final one.
      if (!is_final(order.status))
        spdlog::warn("order store: {} report for order {} that is not open; ignored",
                     to_string(order.status), order.client_order_id.view());
      return;
    }
    Live l{next_id_++, order, signal ? signal_key(*signal) : SignalKey(), wall_clock_ns()};
    if (!l.signal_key.empty()) signal_keys_.insert(l.signal_key);
    it = live_.emplace(order.client_order_id, l).first;
  } else {
    // Keep the filled quantity we track; the caller's copy may predate recent fills.
    const Quantity filled = it->second.order.filled_quantity;
    it->second.order = order;
    if (order.filled_quantity < filled) it->second.order.filled_quantity = filled;
  }
  Live& l = it->second;
  try {
    store_->impl().stage([&](StagedRecords& s) {
      s.orders[l.id] = OrderRow{l.id, l.order, l.signal_key, l.recorded_ns};
    });
  } catch (const StateStoreError& e) {
    throw StoreFailedError(e.what());
  }
  if (is_final(order.status)) live_.erase(it);
}

void OrderOutbox::record_fill(const Fill& fill) {
  std::lock_guard lk(mu_);
  if (!loaded_) throw std::logic_error("OrderOutbox: load() before recording");
  auto it = live_.find(fill.client_order_id);
  try {
    store_->impl().stage([&](StagedRecords& s) {
      s.fills.push_back(fill);
      if (it == live_.end()) return;
      Live& l = it->second;
      l.order.filled_quantity += fill.quantity;
      l.order.status = fill.order_complete ? OrderStatus::filled : OrderStatus::partially_filled;
      s.orders[l.id] = OrderRow{l.id, l.order, l.signal_key, l.recorded_ns};
    });
  } catch (const StateStoreError& e) {
    throw StoreFailedError(e.what());
  }
  if (it == live_.end())
    spdlog::warn("order store: fill for order {} that is not open; recorded",
                 fill.client_order_id.view());
  else if (fill.order_complete)
    live_.erase(it);
}

void OrderOutbox::wait_durable() {
  try {
    store_->wait_durable();
  } catch (const StateStoreError& e) {
    throw StoreFailedError(e.what());
  }
}

std::string OrderOutbox::failure() const {
  return store_->failure();
}

std::vector<Order> OrderOutbox::all_orders() const {
  store_->wait_durable();
  StateStore::Impl& m = store_->impl();
  std::lock_guard dl(m.db_mu);
  std::vector<Order> out;
  sqlite::Statement q(*m.db, "SELECT id, body FROM orders ORDER BY id");
  while (q.step())
    out.push_back(decode_record<Order>(
        q.blob(1), [&] { return fmt::format("{} orders row {}", m.db->path(), q.int64(0)); }));
  return out;
}

std::vector<Fill> OrderOutbox::all_fills() const {
  store_->wait_durable();
  StateStore::Impl& m = store_->impl();
  std::lock_guard dl(m.db_mu);
  std::vector<Fill> out;
  sqlite::Statement q(*m.db, "SELECT id, body FROM fills ORDER BY id");
  while (q.step())
    out.push_back(decode_record<Fill>(
        q.blob(1), [&] { return fmt::format("{} fills row {}", m.db->path(), q.int64(0)); }));
  return out;
}

}  // namespace tradebus
