#include "tradebus/execution/default_order_manager.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace tradebus {

DefaultOrderManager::DefaultOrderManager(OrderManagerOptions options,
                                         std::shared_ptr<Portfolio> portfolio)
    : options_(std::move(options)), portfolio_(std::move(portfolio)) {
  if (!portfolio_) throw std::invalid_argument("DefaultOrderManager: null portfolio");
  if (!options_.quantity.is_positive())
    throw std::invalid_argument("order quantity must be positive, got " +
                                options_.quantity.to_string());
  if (options_.fee_bps < 0) throw std::invalid_argument("fee_bps must not be negative");
  if (options_.client_order_id_prefix.size() > OrderManagerOptions::kMaxClientOrderIdPrefix)
    throw std::invalid_argument(fmt::format("client order id prefix longer than {} characters",
                                            OrderManagerOptions::kMaxClientOrderIdPrefix));
}

Order DefaultOrderManager::make_order(const Signal& s, Side side, Quantity qty, std::uint64_t seq) {
  Order o;
  // "prefix-N" built on the stack: fmt::format's parse and heap string were most of this
  // function's time, once per order. The buffer holds the longest prefix the constructor lets
  // through, the dash and any 64-bit number; an id longer than a ClientOrderId holds is
  // refused by ClientOrderId, as before.
  char id[OrderManagerOptions::kMaxClientOrderIdPrefix + 1 +
          std::numeric_limits<std::uint64_t>::digits10 + 1];
  const std::string& prefix = options_.client_order_id_prefix;
  std::copy(prefix.begin(), prefix.end(), id);
  id[prefix.size()] = '-';
  char* const end = std::to_chars(id + prefix.size() + 1, std::end(id), next_id_++).ptr;
  o.client_order_id = ClientOrderId(std::string_view(id, static_cast<std::size_t>(end - id)));
  o.symbol = s.symbol;
  o.strategy_id = s.strategy_id;
  o.side = side;
  o.type = OrderType::market;
  o.time_in_force = TimeInForce::gtc;
  o.status = OrderStatus::created;
  o.quantity = qty;
  o.reference_price = s.reference_price;
  o.created_ns = s.time_ns;
  o.signal_sequence = seq;
  return o;
}

Order DefaultOrderManager::reject(Order o, std::string_view why) {
  o.status = OrderStatus::rejected;
  o.reason = FixedString<47>::truncated(why);
  ++counters_.rejected;
  return o;
}

bool DefaultOrderManager::apply_rules(Order& o, std::string& why) const {
  if (!options_.rules) return true;
  const OrderRuleCheck c = options_.rules->check(o.symbol, o.side, o.quantity, o.limit_price,
                                                 o.type == OrderType::market, o.reference_price);
  if (!c.ok()) {
    why = c.rejection;
    return false;
  }
  o.quantity = c.quantity;
  if (o.type != OrderType::market) o.limit_price = c.price;
  return true;
}

std::optional<Order> DefaultOrderManager::create_order(const Signal& s, std::uint64_t seq) {
  const Quantity held = portfolio_->quantity(s.symbol);
  const bool opens = s.direction == Side::buy && held.is_zero();
  const bool closes = s.direction == Side::sell && held.is_positive();
  if (pending_.count(s.symbol) || (!opens && !closes)) {
    ++counters_.ignored_signals;
    return std::nullopt;
  }
  std::string why;
  if (closes) {
    Order o = make_order(s, Side::sell, held, seq);
    if (!apply_rules(o, why)) return reject(o, why);
    ++counters_.created;
    pending_.insert(s.symbol);
    return o;
  }
  Order o = make_order(s, Side::buy, options_.quantity, seq);
  if (!apply_rules(o, why)) return reject(o, why);
  const Money notional = Decimal::mul(o.quantity, s.reference_price);
  if (options_.max_position.is_positive() && held + o.quantity > options_.max_position)
    return reject(o, fmt::format("max position {} exceeded", options_.max_position.to_string()));
  if (options_.max_notional.is_positive() && notional > options_.max_notional)
    return reject(o, fmt::format("notional {} > max {}", notional.to_string(),
                                 options_.max_notional.to_string()));
  const Money needed = notional + Decimal::mul_ratio(notional, options_.fee_bps, 10'000);
  if (portfolio_->cash() < needed)
    return reject(o, fmt::format("insufficient cash {} < {}", portfolio_->cash().to_string_fixed(2),
                                 needed.to_string_fixed(2)));
  ++counters_.created;
  pending_.insert(s.symbol);
  return o;
}

void DefaultOrderManager::on_fill(const Fill& f) {
  portfolio_->apply(f);
  if (f.order_complete) pending_.erase(f.symbol);
}

void DefaultOrderManager::on_order_closed(const Order& o) {
  pending_.erase(o.symbol);
}

void DefaultOrderManager::resume(const StoredOrders& stored) {
  if (!stored.portfolio_snapshot.empty()) portfolio_->restore(stored.portfolio_snapshot);
  for (const Fill& f : stored.fills)
    portfolio_->apply(f);
  for (const StoredOrder& s : stored.unfinished)
    pending_.insert(s.order.symbol);
  next_id_ = std::max(next_id_, stored.last_order_number + 1);
}

void DefaultOrderManager::on_candle(const Candle& c) {
  portfolio_->mark(c.symbol, c.close);
}

}  // namespace tradebus
