// DefaultOrderManager: long-only signal -> order rules with risk checks before an order exists.
//   BUY when flat opens a position of `quantity`; SELL when long closes it. A signal that would
//   not change the position (BUY while long, SELL while flat, or any signal while an order for
//   that symbol is pending) creates no order.
//   Risk: max position per symbol, max notional, and cash: a BUY needs
//   cash >= quantity x signal close x (1 + fee_bps / 10,000) (slippage not included).
//   With `rules` (an exchange's filters), the quantity is rounded to the step size and the order
//   is rejected when it breaks a filter (minimum quantity or notional, symbol not trading).
// Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/container/flat_set.hpp>

#include "tradebus/engine/order_manager.hpp"
#include "tradebus/engine/order_rules.hpp"
#include "tradebus/execution/portfolio.hpp"

namespace tradebus {

struct OrderManagerOptions {
  Quantity quantity = Decimal::from_raw(1'000'000);  ///< 0.01
  Quantity max_position = Decimal::from_raw(0);      ///< 0: no limit
  Money max_notional = Decimal::from_raw(0);         ///< 0: no limit
  std::int64_t fee_bps = 10;                         ///< For the cash check.
  /// Ids are "<prefix>-<n>"; the constructor refuses a longer prefix.
  static constexpr std::size_t kMaxClientOrderIdPrefix = 16;
  std::string client_order_id_prefix = "tb";
  /// The exchange's trading rules; null: none (the paper exchange takes any quantity).
  std::shared_ptr<const OrderRules> rules;
};

struct OrderManagerCounters {
  std::uint64_t created = 0;
  std::uint64_t rejected = 0;
  std::uint64_t ignored_signals = 0;  ///< Signals that would not change the position.
};

class DefaultOrderManager final : public OrderManager {
 public:
  DefaultOrderManager(OrderManagerOptions options, std::shared_ptr<Portfolio> portfolio);

  std::optional<Order> create_order(const Signal& signal, std::uint64_t signal_sequence) override;
  void on_fill(const Fill& fill) override;
  void on_order_closed(const Order& order) override;
  void on_candle(const Candle& candle) override;
  void resume(const StoredOrders& stored) override;

  const Portfolio& portfolio() const { return *portfolio_; }
  const OrderManagerCounters& counters() const { return counters_; }
  bool has_pending(const Symbol& symbol) const { return pending_.count(symbol) != 0; }

 private:
  Order make_order(const Signal& s, Side side, Quantity qty, std::uint64_t seq);
  Order reject(Order o, std::string_view why);
  bool apply_rules(Order& o, std::string& why) const;

  OrderManagerOptions options_;
  std::shared_ptr<Portfolio> portfolio_;
  // Symbols with an order in flight: a handful, inserted and erased once per order, so a
  // sorted vector (no node to allocate per order) beats a tree.
  boost::container::flat_set<Symbol> pending_;
  std::uint64_t next_id_ = 1;
  OrderManagerCounters counters_;
};

}  // namespace tradebus
