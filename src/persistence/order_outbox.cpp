#include "tradebus/persistence/order_outbox.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>

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

// Whether a status column's text names a status that is not final.
bool is_open_status(std::string_view text) {
  for (int s = 0; s <= static_cast<int>(OrderStatus::expired); ++s)
    if (text == to_string(static_cast<OrderStatus>(s)))
      return !is_final(static_cast<OrderStatus>(s));
  return true;  // unknown text: let the body decide
}

static_assert(std::endian::native == std::endian::little,
              "a snapshot's fill ids are stored little-endian, as this host holds them");

// The ids of the fills so far of every open order, for a snapshot (see SnapshotRow).
template <class LiveMap>
std::string open_order_fill_ids(const LiveMap& live) {
  std::vector<std::int64_t> ids;
  for (const auto& [id, l] : live)
    ids.insert(ids.end(), l.fill_ids.begin(), l.fill_ids.end());
  std::sort(ids.begin(), ids.end());
  std::string out(ids.size() * sizeof(std::int64_t), '\0');
  if (!ids.empty()) std::memcpy(out.data(), ids.data(), out.size());
  return out;
}

}  // namespace

OrderOutbox::OrderOutbox(std::shared_ptr<StateStore> store, OrderOutboxOptions options)
    : store_(std::move(store)), options_(options) {
  if (!store_) throw std::invalid_argument("OrderOutbox: null state store");
}

// A restart reads the newest snapshot and the fills after it, and the open orders' fills it
// lists; it still reads every order row for the signal keys (docs/adr/0003), decoding only the
// open ones.
StoredOrders OrderOutbox::load() {
  StateStore::Impl& m = store_->impl();
  StoredOrders out;
  std::lock_guard lk(mu_);
  std::lock_guard dl(m.db_mu);
  std::int64_t snapshot_fill_id = 0;
  std::string listed_fill_ids;
  books_ = Portfolio(Money());
  books_ok_ = true;
  {
    sqlite::Statement q(*m.db,
                        "SELECT last_fill_id, open_order_fill_ids, body FROM portfolio_snapshots "
                        "ORDER BY last_fill_id DESC LIMIT 1");
    if (q.step()) {
      snapshot_fill_id = q.int64(0);
      const auto where = [&] {
        return fmt::format("{} portfolio_snapshots row {}", m.db->path(), snapshot_fill_id);
      };
      listed_fill_ids = std::string(q.blob(1));
      if (listed_fill_ids.size() % sizeof(std::int64_t) != 0)
        throw StateStoreError(
            fmt::format("{}: open order fill ids of {} bytes", where(), listed_fill_ids.size()));
      out.portfolio_snapshot = std::string(q.blob(2));
      try {
        books_.restore(out.portfolio_snapshot);
      } catch (const std::invalid_argument& e) {
        throw StateStoreError(fmt::format("{}: {}", where(), e.what()));
      }
    }
  }
  {
    sqlite::Statement n(*m.db, "SELECT IFNULL(MAX(id), 0) FROM orders");
    n.step();
    next_id_ = std::max(next_id_, n.int64(0) + 1);
    // Every signal key is kept (see docs/adr/0003-bounded-restart.md): size the set once.
    signal_keys_.reserve(signal_keys_.size() + static_cast<std::size_t>(n.int64(0)));
  }
  {
    sqlite::Statement q(*m.db,
                        "SELECT id, client_order_id, signal_key, status, recorded_ns, body "
                        "FROM orders ORDER BY id");
    while (q.step()) {
      const std::int64_t id = q.int64(0);
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
      // The status column finds the open ones without decoding the rest; the body is the
      // record.
      if (!is_open_status(q.text(3))) continue;
      Order o = decode_record<Order>(
          q.blob(5), [&] { return fmt::format("{} orders row {}", m.db->path(), id); });
      if (is_final(o.status)) continue;
      out.unfinished.push_back({o, q.int64(4)});
      live_[o.client_order_id] = Live{id, o, key, q.int64(4), {}};
    }
  }
  load_fills(out, snapshot_fill_id, listed_fill_ids);
  loaded_ = true;
  return out;
}

void OrderOutbox::load_fills(StoredOrders& out, std::int64_t snapshot_fill_id,
                             std::string_view listed_fill_ids) {
  StateStore::Impl& m = store_->impl();
  // The open orders' fills, with their ids to sort them into the order recorded.
  std::vector<std::pair<std::int64_t, Fill>> theirs;
  auto keep_if_open = [&](std::int64_t id, const Fill& f) {
    auto it = live_.find(f.client_order_id);
    if (it == live_.end()) return;
    it->second.fill_ids.push_back(id);
    theirs.emplace_back(id, f);
  };
  {
    sqlite::Statement q(*m.db, "SELECT id, body FROM fills WHERE id = ?");
    for (std::size_t at = 0; at < listed_fill_ids.size(); at += sizeof(std::int64_t)) {
      std::int64_t id;
      std::memcpy(&id, listed_fill_ids.data() + at, sizeof id);
      q.bind(1, id);
      // Committed with or before the snapshot: a missing one is a damaged state, and going on
      // would let recovery count that fill a second time.
      if (id > snapshot_fill_id || !q.step())
        throw StateStoreError(
            fmt::format("{} portfolio_snapshots row {} lists fill {}, which is not among its fills",
                        m.db->path(), snapshot_fill_id, id));
      keep_if_open(id, decode_record<Fill>(q.blob(1), [&] {
                     return fmt::format("{} fills row {}", m.db->path(), id);
                   }));
      q.reset();
    }
  }
  {
    sqlite::Statement q(*m.db, "SELECT id, body FROM fills WHERE id > ? ORDER BY id");
    q.bind(1, snapshot_fill_id);
    while (q.step()) {
      const std::int64_t id = q.int64(0);
      out.fills.push_back(decode_record<Fill>(
          q.blob(1), [&] { return fmt::format("{} fills row {}", m.db->path(), id); }));
      keep_if_open(id, out.fills.back());
      // Not reported here: the order manager's replay of the same fill says why.
      (void)apply_to_books(out.fills.back());
    }
  }
  {
    sqlite::Statement n(*m.db, "SELECT IFNULL(MAX(id), 0) FROM fills");
    n.step();
    next_fill_id_ = std::max(next_fill_id_, n.int64(0) + 1);
  }
  std::sort(theirs.begin(), theirs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out.unfinished_fills.reserve(theirs.size());
  for (auto& [id, f] : theirs)
    out.unfinished_fills.push_back(f);
}

std::optional<std::string> OrderOutbox::apply_to_books(const Fill& fill) {
  if (!books_ok_) return std::nullopt;
  try {
    books_.apply(fill);
    return std::nullopt;
  } catch (const std::logic_error& e) {
    books_ok_ = false;
    return std::string(e.what());
  }
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
    Live l{next_id_++, order, signal ? signal_key(*signal) : SignalKey(), wall_clock_ns(), {}};
    if (!l.signal_key.empty()) signal_keys_.insert(l.signal_key);
    it = live_.emplace(order.client_order_id, std::move(l)).first;
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
  const std::int64_t fill_id = next_fill_id_;
  if (const auto why = apply_to_books(fill))
    spdlog::error(
        "order store: fill {} of order {} does not fit the books ({}); no more portfolio "
        "snapshots are recorded",
        fill_id, fill.client_order_id.view(), *why);
  // Staged with the fill it covers, so no commit holds a snapshot without its fills.
  std::optional<SnapshotRow> snapshot;
  if (books_ok_ && options_.fills_per_snapshot != 0 &&
      static_cast<std::uint64_t>(fill_id) % options_.fills_per_snapshot == 0)
    snapshot = SnapshotRow{fill_id, wall_clock_ns(), {}, books_.snapshot()};
  if (it != live_.end()) it->second.fill_ids.push_back(fill_id);
  if (snapshot) snapshot->open_order_fill_ids = open_order_fill_ids(live_);
  try {
    store_->impl().stage([&](StagedRecords& s) {
      s.fills.push_back({fill_id, fill});
      if (snapshot) s.snapshots.push_back(std::move(*snapshot));
      if (it == live_.end()) return;
      Live& l = it->second;
      l.order.filled_quantity += fill.quantity;
      l.order.status = fill.order_complete ? OrderStatus::filled : OrderStatus::partially_filled;
      s.orders[l.id] = OrderRow{l.id, l.order, l.signal_key, l.recorded_ns};
    });
  } catch (const StateStoreError& e) {
    throw StoreFailedError(e.what());
  }
  ++next_fill_id_;
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
