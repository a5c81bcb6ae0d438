#include "tradebus/persistence/persistent_paper_exchange.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "state_store_impl.hpp"

namespace tradebus {

PersistentPaperExchange::PersistentPaperExchange(std::shared_ptr<StateStore> store,
                                                 PaperExchangeOptions options)
    : store_(std::move(store)), paper_(std::move(options)) {
  if (!store_) throw std::invalid_argument("PersistentPaperExchange: null state store");
  StateStore::Impl& m = store_->impl();
  std::lock_guard dl(m.db_mu);
  std::vector<Order> open;
  sqlite::Statement q(*m.db,
                      "SELECT client_order_id, body FROM paper_orders WHERE status IN "
                      "('ACKNOWLEDGED','PARTIALLY_FILLED')");
  while (q.step())
    open.push_back(decode_record<Order>(
        q.blob(1), [&] { return fmt::format("{} paper_orders {}", m.db->path(), q.text(0)); }));
  // Submission order (the table is keyed by id): fills of one candle follow it.
  std::stable_sort(open.begin(), open.end(),
                   [](const Order& a, const Order& b) { return a.created_ns < b.created_ns; });
  for (const Order& o : open)
    open_[std::string(o.client_order_id.view())] = o;
  sqlite::Statement f(*m.db, "SELECT IFNULL(MAX(trade_id), 0) FROM paper_fills");
  f.step();
  paper_.restore(std::move(open), static_cast<std::uint64_t>(f.int64(0)) + 1);
}

void PersistentPaperExchange::attach(ExecutionReports& reports) {
  engine_ = &reports;
  paper_.attach(*this);
}

void PersistentPaperExchange::save(const Order& o) {
  store_->impl().stage(
      [&](StagedRecords& s) { s.paper_orders[std::string(o.client_order_id.view())] = o; });
}

void PersistentPaperExchange::submit(const Order& order) {
  // A resubmitted id the paper exchange already handled is refused, like a real venue
  // refuses a duplicate: recovery only resubmits after look_up() said "absent".
  rejected_ = false;
  paper_.submit(order);
  if (rejected_) return;
  Order accepted = order;
  accepted.status = OrderStatus::acknowledged;
  save(accepted);
  open_[std::string(order.client_order_id.view())] = accepted;
  engine_->on_acknowledged(accepted);
}

void PersistentPaperExchange::cancel(const ClientOrderId& id) {
  paper_.cancel(id);
}

void PersistentPaperExchange::on_candle(const Candle& candle) {
  paper_.on_candle(candle);
}

void PersistentPaperExchange::on_fill(const Fill& fill) {
  const std::string id(fill.client_order_id.view());
  auto it = open_.find(id);
  store_->impl().stage([&](StagedRecords& s) {
    s.paper_fills.push_back(fill);
    if (it == open_.end()) return;
    Order& o = it->second;
    o.filled_quantity += fill.quantity;
    o.status = fill.order_complete ? OrderStatus::filled : OrderStatus::partially_filled;
    auto staged = s.paper_orders.find(id);
    if (staged != s.paper_orders.end() && fill.order_complete) {
      // Accepted and filled within one group: the fill rows alone say so (look_up reads an
      // order with fills and no row as filled), one row less per order.
      s.paper_orders.erase(staged);
      return;
    }
    s.paper_orders[id] = o;
  });
  if (it != open_.end() && fill.order_complete) open_.erase(it);
  engine_->on_fill(fill);
}

void PersistentPaperExchange::on_rejected(const Order& order, std::string_view reason) {
  rejected_ = true;
  engine_->on_rejected(order, reason);
}

void PersistentPaperExchange::on_canceled(const Order& order, std::string_view reason) {
  Order c = order;
  c.status = OrderStatus::canceled;
  save(c);
  open_.erase(std::string(order.client_order_id.view()));
  engine_->on_canceled(order, reason);
}

OrderLookup PersistentPaperExchange::look_up(const Order& order) {
  OrderLookup r;
  const std::string id(order.client_order_id.view());
  if (auto it = open_.find(id); it != open_.end()) {
    // Open here (loaded at start, or accepted since): filled whole or not at all, so no fills.
    r.outcome = OrderLookup::Outcome::found;
    r.status = it->second.status;
    return r;
  }
  StateStore::Impl& m = store_->impl();
  std::lock_guard dl(m.db_mu);
  sqlite::Statement f(*m.db,
                      "SELECT trade_id, body FROM paper_fills WHERE client_order_id=? ORDER BY "
                      "trade_id");
  f.bind(1, id);
  while (f.step())
    r.fills.push_back(decode_record<Fill>(f.blob(1), [&] {
      return fmt::format("{} paper_fills {} trade {}", m.db->path(), id, f.int64(0));
    }));
  sqlite::Statement q(*m.db, "SELECT body FROM paper_orders WHERE client_order_id=?");
  q.bind(1, id);
  if (q.step()) {
    r.outcome = OrderLookup::Outcome::found;
    r.status = decode_record<Order>(q.blob(0), [&] {
                 return fmt::format("{} paper_orders {}", m.db->path(), id);
               }).status;
  } else if (!r.fills.empty() && r.fills.back().order_complete) {
    r.outcome = OrderLookup::Outcome::found;  // accepted and filled in one commit
    r.status = OrderStatus::filled;
  } else {
    r.outcome = OrderLookup::Outcome::absent;
  }
  return r;
}

}  // namespace tradebus
